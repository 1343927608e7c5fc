// Compute kernels of the nn area (internal): a packed float GEMM with bias (C = A · Wᵀ + b), the
// element-wise and row-wise operations of the BERT encoder, and CPU dispatch.
//
// Determinism: every output element of the GEMM is one fused-multiply-add chain over k = 0..K-1
// in order, started from the bias, whatever the ISA (AVX-512, AVX2+FMA or the generic std::fma
// path), the tile the row falls in, the number of rows or the thread count. Rows never interact,
// so a sentence's result does not depend on which other sentences share its batch.
//
// ISA: chosen at run time (cpuid) so that a header compiled without -march flags still uses
// AVX-512 or AVX2 (GCC/Clang `target` attributes on x86-64); other compilers/CPUs use the generic
// path. The row-wise operations are written once as plain loops and compiled for each ISA by
// inlining them into `target` + `flatten` wrappers.
#pragma once

#include "../../core/error.hpp"
#include "../../core/parallel.hpp"
#include "../../core/simd.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <vector>

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#define MUSICLAB_NN_X86 1
#include <immintrin.h>
#else
#define MUSICLAB_NN_X86 0
#endif

namespace musiclab::nn {

/// Instruction set of the encoder's kernels.
enum class KernelIsa {
    automatic,  ///< the best the CPU supports (AVX-512, else AVX2+FMA, else generic), capped by MUSICLAB_SIMD
    avx512,     ///< AVX-512 F, DQ, BW, VL (invalid_parameter when the CPU lacks them or MUSICLAB_SIMD caps them)
    avx2,       ///< AVX2 + FMA (invalid_parameter when the CPU lacks them or MUSICLAB_SIMD=scalar)
    generic     ///< portable C++ (std::fma; slow on CPUs without hardware FMA)
};

}  // namespace musiclab::nn

namespace musiclab::detail::nn {

using musiclab::nn::KernelIsa;

/// AVX-512 (F, DQ, BW, VL) and AVX2 + FMA as core/simd.hpp sees them (MUSICLAB_SIMD caps them).
inline bool cpu_has_avx512() noexcept { return simd_level() >= SimdLevel::avx512; }
inline bool cpu_has_avx2() noexcept { return simd_level() >= SimdLevel::avx2; }

/// The ISA to run: `requested`, or the best available for automatic.
inline KernelIsa resolve_isa(KernelIsa requested) {
    switch (requested) {
        case KernelIsa::automatic:
            return cpu_has_avx512() ? KernelIsa::avx512 : cpu_has_avx2() ? KernelIsa::avx2 : KernelIsa::generic;
        case KernelIsa::avx512:
            if (!cpu_has_avx512()) throw invalid_parameter("kernels", "avx512", "an ISA this CPU supports");
            return requested;
        case KernelIsa::avx2:
            if (!cpu_has_avx2()) throw invalid_parameter("kernels", "avx2", "an ISA this CPU supports");
            return requested;
        case KernelIsa::generic:
            return requested;
    }
    return KernelIsa::generic;
}

// ---- the same loop body compiled for each ISA ------------------------------------------------
#if MUSICLAB_NN_X86
template <class F>
[[gnu::target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma,bmi,bmi2,f16c"), gnu::flatten]] inline void run_avx512(F& f) {
    f();
}
template <class F>
[[gnu::target("avx2,fma,bmi,bmi2,f16c"), gnu::flatten]] inline void run_avx2(F& f) {
    f();
}
#endif

/// Runs f() compiled for `isa` (resolved: not automatic).
template <class F>
inline void run_with(KernelIsa isa, F&& f) {
#if MUSICLAB_NN_X86
    if (isa == KernelIsa::avx512) return run_avx512(f);
    if (isa == KernelIsa::avx2) return run_avx2(f);
#else
    (void)isa;
#endif
    f();
}

// ---- aligned float storage -------------------------------------------------------------------
struct AlignedDelete {
    void operator()(float* p) const noexcept { ::operator delete[](p, std::align_val_t(64)); }
};
/// A 64-byte aligned float array (contents zero-initialised).
class AlignedFloats {
public:
    AlignedFloats() = default;
    explicit AlignedFloats(std::size_t n) { resize(n); }
    void resize(std::size_t n) {
        if (n <= capacity_) {
            size_ = n;
            return;
        }
        data_.reset(static_cast<float*>(::operator new[](n * sizeof(float), std::align_val_t(64))));
        std::fill_n(data_.get(), n, 0.0f);
        size_ = capacity_ = n;
    }
    float* data() noexcept { return data_.get(); }
    const float* data() const noexcept { return data_.get(); }
    std::size_t size() const noexcept { return size_; }

private:
    std::unique_ptr<float[], AlignedDelete> data_;
    std::size_t size_ = 0, capacity_ = 0;
};

constexpr std::size_t panel_width = 32;  // output columns per packed weight panel
inline std::size_t round_up(std::size_t n, std::size_t m) { return (n + m - 1) / m * m; }

/// A linear layer y = W x + b with W [out × in] (PyTorch layout) packed for the GEMM: panel p
/// holds, for k = 0..in-1, the 32 weights W[32p + j][k] (j = 0..31) contiguously; the output
/// columns past `out` are zero (weights and bias).
struct PackedLinear {
    std::size_t in = 0, out = 0, panels = 0;
    AlignedFloats w;     // panels × in × 32
    AlignedFloats bias;  // panels × 32

    /// Packs row-major weights [out × in] and a bias [out].
    void pack(const float* weights, const float* b, std::size_t out_, std::size_t in_) {
        in = in_;
        out = out_;
        panels = round_up(out, panel_width) / panel_width;
        w.resize(panels * in * panel_width);
        bias.resize(panels * panel_width);
        std::fill_n(w.data(), w.size(), 0.0f);
        std::fill_n(bias.data(), bias.size(), 0.0f);
        for (std::size_t o = 0; o < out; ++o) {
            const std::size_t p = o / panel_width, j = o % panel_width;
            float* dst = w.data() + p * in * panel_width + j;
            for (std::size_t k = 0; k < in; ++k) dst[k * panel_width] = weights[o * in + k];
            bias.data()[o] = b[o];
        }
    }
    /// Output columns including the zero padding (the leading dimension outputs need).
    std::size_t padded_out() const noexcept { return panels * panel_width; }
};

// ---- GEMM tiles: C[r][0..32) = chain over k of A(r, k) * B[k][0..32), from `init` -------------
// A(r, k) = A[k * mr + r] when packed (the tile's rows interleaved), else A[r * lda + k]. B rows
// are ldb floats apart (32 for packed weight panels). `init` = 32 starting values (bias, zeros) or
// nullptr (continue from C). Row r of the output at C + r * ldc.

template <bool Packed>
inline void tile_generic(int mr, const float* A, std::size_t lda, const float* B, std::size_t ldb, std::size_t kc, float* C,
                         std::size_t ldc, const float* init) {
    const std::size_t m = static_cast<std::size_t>(mr);
    for (std::size_t r = 0; r < m; ++r) {
        float acc[panel_width];
        for (std::size_t j = 0; j < panel_width; ++j) acc[j] = init ? init[j] : C[r * ldc + j];
        for (std::size_t k = 0; k < kc; ++k) {
            const float a = Packed ? A[k * m + r] : A[r * lda + k];
            for (std::size_t j = 0; j < panel_width; ++j) acc[j] = std::fma(a, B[k * ldb + j], acc[j]);
        }
        std::memcpy(C + r * ldc, acc, sizeof acc);
    }
}

#if MUSICLAB_NN_X86
template <int MR, bool Packed>
[[gnu::target("avx512f,fma")]] inline void tile_avx512(const float* A, std::size_t lda, const float* B, std::size_t ldb,
                                                       std::size_t kc, float* C, std::size_t ldc, const float* init) {
    __m512 c0[MR], c1[MR];
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
        const float* src = init ? init : C + r * ldc;
        c0[r] = _mm512_loadu_ps(src);
        c1[r] = _mm512_loadu_ps(src + 16);
    }
    for (std::size_t k = 0; k < kc; ++k) {
        const __m512 b0 = _mm512_loadu_ps(B + k * ldb);
        const __m512 b1 = _mm512_loadu_ps(B + k * ldb + 16);
#pragma GCC unroll 16
        for (int r = 0; r < MR; ++r) {
            const __m512 av = _mm512_set1_ps(Packed ? A[k * MR + r] : A[r * lda + k]);
            c0[r] = _mm512_fmadd_ps(av, b0, c0[r]);
            c1[r] = _mm512_fmadd_ps(av, b1, c1[r]);
        }
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
        _mm512_storeu_ps(C + r * ldc, c0[r]);
        _mm512_storeu_ps(C + r * ldc + 16, c1[r]);
    }
}

// AVX2: a 32-column panel as two 16-column halves, up to 6 rows each (12 accumulators).
template <int MR, bool Packed>
[[gnu::target("avx2,fma")]] inline void half_tile_avx2(const float* A, std::size_t lda, const float* B, std::size_t ldb,
                                                       std::size_t kc, float* C, std::size_t ldc, const float* init) {
    __m256 c0[MR], c1[MR];
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
        const float* src = init ? init : C + r * ldc;
        c0[r] = _mm256_loadu_ps(src);
        c1[r] = _mm256_loadu_ps(src + 8);
    }
    for (std::size_t k = 0; k < kc; ++k) {
        const __m256 b0 = _mm256_loadu_ps(B + k * ldb);
        const __m256 b1 = _mm256_loadu_ps(B + k * ldb + 8);
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) {
            const __m256 av = _mm256_broadcast_ss(Packed ? A + k * MR + r : A + r * lda + k);
            c0[r] = _mm256_fmadd_ps(av, b0, c0[r]);
            c1[r] = _mm256_fmadd_ps(av, b1, c1[r]);
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
        _mm256_storeu_ps(C + r * ldc, c0[r]);
        _mm256_storeu_ps(C + r * ldc + 8, c1[r]);
    }
}

template <bool Packed, int... R>
inline void tile_avx512_dispatch(int mr, std::integer_sequence<int, R...>, const float* A, std::size_t lda, const float* B,
                                 std::size_t ldb, std::size_t kc, float* C, std::size_t ldc, const float* init) {
    ((mr == R + 1 ? (tile_avx512<R + 1, Packed>(A, lda, B, ldb, kc, C, ldc, init), 0) : 0), ...);
}
template <bool Packed, int... R>
inline void half_tile_avx2_dispatch(int mr, std::integer_sequence<int, R...>, const float* A, std::size_t lda,
                                    const float* B, std::size_t ldb, std::size_t kc, float* C, std::size_t ldc,
                                    const float* init) {
    ((mr == R + 1 ? (half_tile_avx2<R + 1, Packed>(A, lda, B, ldb, kc, C, ldc, init), 0) : 0), ...);
}
#endif

inline int tile_rows(KernelIsa isa) noexcept {
    return isa == KernelIsa::avx512 ? 14 : isa == KernelIsa::avx2 ? 6 : 4;
}

/// One tile of `mr` rows (mr <= tile_rows(isa)) and 32 output columns, k range [0, kc).
template <bool Packed>
inline void tile(KernelIsa isa, int mr, const float* A, std::size_t lda, const float* B, std::size_t ldb, std::size_t kc,
                 float* C, std::size_t ldc, const float* init) {
#if MUSICLAB_NN_X86
    if (isa == KernelIsa::avx512) {
        tile_avx512_dispatch<Packed>(mr, std::make_integer_sequence<int, 14>{}, A, lda, B, ldb, kc, C, ldc, init);
        return;
    }
    if (isa == KernelIsa::avx2) {
        half_tile_avx2_dispatch<Packed>(mr, std::make_integer_sequence<int, 6>{}, A, lda, B, ldb, kc, C, ldc, init);
        half_tile_avx2_dispatch<Packed>(mr, std::make_integer_sequence<int, 6>{}, A, lda, B + 16, ldb, kc, C + 16, ldc,
                                        init ? init + 16 : nullptr);
        return;
    }
#endif
    tile_generic<Packed>(mr, A, lda, B, ldb, kc, C, ldc, init);
}

constexpr std::size_t gemm_kc = 384, gemm_mc = 112;  // k block; rows per block

/// C[rows × padded_out] (leading dimension ldc >= W.padded_out()) = A[rows × W.in] (lda) · Wᵀ + b,
/// for the rows [row_begin, row_end) and panels [panel_begin, panel_end). The tiles read A in
/// place (row r's k-th value broadcast from A[r * lda + k]: 14 sequential streams, no packing
/// pass); per block of gemm_mc rows and gemm_kc k values, each weight panel slice is reused by
/// all the block's tiles. after(row_begin, row_end, col_begin, col_end) is called on each
/// finished row block (e.g. an activation).
template <class After>
inline void gemm_block(KernelIsa isa, const float* A, std::size_t lda, const PackedLinear& W, float* C, std::size_t ldc,
                       std::size_t row_begin, std::size_t row_end, std::size_t panel_begin, std::size_t panel_end,
                       After&& after) {
    const std::size_t K = W.in;
    const std::size_t mr = static_cast<std::size_t>(tile_rows(isa));
    for (std::size_t m0 = row_begin; m0 < row_end; m0 += gemm_mc) {
        const std::size_t m1 = std::min(row_end, m0 + gemm_mc);
        for (std::size_t k0 = 0; k0 < K; k0 += gemm_kc) {
            const std::size_t kc = std::min(gemm_kc, K - k0);
            for (std::size_t p = panel_begin; p < panel_end; ++p) {
                const float* B = W.w.data() + p * K * panel_width + k0 * panel_width;
                const float* init = k0 == 0 ? W.bias.data() + p * panel_width : nullptr;
                for (std::size_t r0 = m0; r0 < m1; r0 += mr) {
                    const std::size_t rows = std::min(mr, m1 - r0);
                    tile<false>(isa, static_cast<int>(rows), A + r0 * lda + k0, lda, B, panel_width, kc,
                                C + r0 * ldc + p * panel_width, ldc, init);
                }
            }
        }
        after(m0, m1, panel_begin * panel_width, panel_end * panel_width);
    }
}

/// Whole GEMM over `workers` threads: rows split between workers, or the weight panels when
/// there are few rows (results do not depend on the split).
template <class After>
inline void gemm(KernelIsa isa, int workers, const float* A, std::size_t lda, std::size_t rows, const PackedLinear& W,
                 float* C, std::size_t ldc, After&& after) {
    if (rows == 0) return;
    const std::size_t nw = static_cast<std::size_t>(std::max(workers, 1));
    if (workers <= 1) {
        gemm_block(isa, A, lda, W, C, ldc, 0, rows, 0, W.panels, after);
    } else if (rows < nw * 2 * static_cast<std::size_t>(tile_rows(isa))) {  // few rows: split the weights
        musiclab::parallelize(workers, W.panels, [&](int, std::size_t p0, std::size_t n) {
            gemm_block(isa, A, lda, W, C, ldc, 0, rows, p0, p0 + n, after);
        });
    } else {
        const std::size_t mr = static_cast<std::size_t>(tile_rows(isa));
        const std::size_t blocks = (rows + mr - 1) / mr;
        musiclab::parallelize(workers, blocks, [&](int, std::size_t b0, std::size_t n) {
            gemm_block(isa, A, lda, W, C, ldc, b0 * mr, std::min(rows, (b0 + n) * mr), 0, W.panels, after);
        });
    }
}

/// Calls f(worker, i) for i = 0..n-1, the indices handed out one at a time to `workers` threads
/// as they become free (a worker delayed by other load does not hold the others up). f must not
/// throw and must give the same result for i whichever worker runs it.
template <class F>
inline void dynamic_for(int workers, std::size_t n, F&& f) {
    if (n == 0) return;
    if (workers <= 1 || n == 1) {
        for (std::size_t i = 0; i < n; ++i) f(0, i);
        return;
    }
    std::atomic<std::size_t> next{0};
    const auto nw = static_cast<std::size_t>(workers);
    musiclab::parallelize(workers, std::min(nw, n), [&](int w, std::size_t, std::size_t) {
        for (std::size_t i = next.fetch_add(1, std::memory_order_relaxed); i < n; i = next.fetch_add(1, std::memory_order_relaxed))
            f(w, i);
    });
}

// ---- element-wise math (written to auto-vectorise; compiled per ISA through run_with) --------

/// e^y for y <= 0 (y < -87 gives 0 instead of a subnormal); max relative error ~2 ulp.
inline float exp_nonpositive(float y) noexcept {
    y = std::max(y, -87.0f);
    constexpr float shifter = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
    const float n = (y * 1.44269504088896341f + shifter) - shifter;
    float r = y - n * 0.693145752f;
    r = r - n * 1.42860677e-06f;
    float p = 1.394858118e-03f;
    p = p * r + 8.375128731e-03f;
    p = p * r + 4.166621715e-02f;
    p = p * r + 1.666641533e-01f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const std::int32_t bits = (static_cast<std::int32_t>(n) + 127) << 23;
    float s;
    std::memcpy(&s, &bits, sizeof s);
    return p * s;
}

/// erf(x) in float: |x| < 1: x·P(x²) (degree 6); 1 <= |x| < 4: 1 − e^(−x²)·Q(|x| − 2.5) (degree 11,
/// fitted to erfc(x)·e^(x²)); |x| >= 4: ±1 (erf(4) rounds to 1 in float). Max abs error 1.5e-7
/// (tested against std::erf over every float in [-6, 6]).
inline float erf(float x) noexcept {
    const float a = std::fabs(x);
    const float s = a * a;
    float pa = 7.882497448e-05f;
    pa = pa * s - 8.018855006e-04f;
    pa = pa * s + 5.189312156e-03f;
    pa = pa * s - 2.685432881e-02f;
    pa = pa * s + 1.128359735e-01f;
    pa = pa * s - 3.761262596e-01f;
    pa = pa * s + 1.128379107e+00f;
    const float small = a * pa;
    const float t = std::min(a, 4.0f) - 2.5f;
    float pb = -4.269336955e-07f;
    pb = pb * t + 1.671801783e-06f;
    pb = pb * t - 3.744433343e-06f;
    pb = pb * t + 1.435366266e-05f;
    pb = pb * t - 5.952952779e-05f;
    pb = pb * t + 2.129720815e-04f;
    pb = pb * t - 7.331467350e-04f;
    pb = pb * t + 2.465982456e-03f;
    pb = pb * t - 8.001696318e-03f;
    pb = pb * t + 2.493820339e-02f;
    pb = pb * t - 7.434733957e-02f;
    pb = pb * t + 2.108063549e-01f;
    const float large = 1.0f - exp_nonpositive(-std::min(s, 16.0f)) * pb;
    const float e = a < 1.0f ? small : (a < 4.0f ? large : 1.0f);
    return std::copysign(e, x);
}

/// Exact GELU: x · Φ(x) = 0.5 · x · (1 + erf(x / √2)), in place on n values.
inline void gelu_inplace(float* x, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        const float v = x[i];
        x[i] = 0.5f * v * (1.0f + erf(v * 0.707106781186547524f));
    }
}

inline void relu_inplace(float* x, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) x[i] = std::max(x[i], 0.0f);
}

/// Sum of n floats in 16 fixed lanes, then the lanes in order (vectorises without reassociation).
inline float lane_sum(const float* x, std::size_t n) noexcept {
    float acc[16] = {};
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int l = 0; l < 16; ++l) acc[l] += x[i + static_cast<std::size_t>(l)];
    for (int l = 0; i < n; ++i, ++l) acc[l] += x[i];
    float s = 0.0f;
    for (int l = 0; l < 16; ++l) s += acc[l];
    return s;
}

/// y = LayerNorm(x + residual) (residual may be nullptr) over `n` values, biased variance,
/// eps added to the variance (PyTorch). Writes to `out` (may alias x or residual).
inline void layer_norm(const float* x, const float* residual, std::size_t n, const float* gamma, const float* beta,
                       float eps, float* tmp, float* out) noexcept {
    if (residual) {
        for (std::size_t i = 0; i < n; ++i) tmp[i] = x[i] + residual[i];
    } else {
        for (std::size_t i = 0; i < n; ++i) tmp[i] = x[i];
    }
    const float mean = lane_sum(tmp, n) / static_cast<float>(n);
    for (std::size_t i = 0; i < n; ++i) tmp[i] -= mean;
    float sq[16] = {};
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int l = 0; l < 16; ++l) sq[l] += tmp[i + static_cast<std::size_t>(l)] * tmp[i + static_cast<std::size_t>(l)];
    for (int l = 0; i < n; ++i, ++l) sq[l] += tmp[i] * tmp[i];
    float var = 0.0f;
    for (int l = 0; l < 16; ++l) var += sq[l];
    var /= static_cast<float>(n);
    const float inv = 1.0f / std::sqrt(var + eps);
    for (std::size_t k = 0; k < n; ++k) out[k] = tmp[k] * inv * gamma[k] + beta[k];
}


/// Floats of scratch attention_head needs for sequences of up to max_len tokens.
inline std::size_t attention_scratch_floats(std::size_t max_len, std::size_t head_dim) {
    const std::size_t lp = round_up(max_len, panel_width);
    return head_dim * lp + max_len * lp + 2 * panel_width + 16;
}

/// One attention head of one sequence: out = softmax(Q Kᵀ / sqrt(head_dim)) V over the
/// sequence's `len` tokens. Q, K, V: rows `ld` floats apart (Q at q, K at k, V at v); out rows
/// `ldo` apart. Scores are FMA chains over the head dimension; softmax subtracts the row maximum.
/// head_dim a multiple of 32: products on the GEMM tiles; otherwise plain loops.
inline void attention_head(KernelIsa isa, const float* q, const float* k, const float* v, std::size_t ld, std::size_t len,
                           std::size_t head_dim, float* out, std::size_t ldo, float* scratch) {
    constexpr std::size_t W = panel_width;
    const std::size_t hd = head_dim;
    const std::size_t lp = round_up(len, W);
    const float scale = std::sqrt(static_cast<float>(hd));
    float* kT = scratch;            // [hd × lp]: K transposed, columns >= len zero
    float* S = kT + hd * lp;        // [len × lp]: scores, then probabilities
    float* zeros = S + len * lp;    // [32]
    for (std::size_t j = 0; j < W; ++j) zeros[j] = 0.0f;
    for (std::size_t d = 0; d < hd; ++d) {
        for (std::size_t j = 0; j < len; ++j) kT[d * lp + j] = k[j * ld + d];
        for (std::size_t j = len; j < lp; ++j) kT[d * lp + j] = 0.0f;
    }
    const bool tiles = hd % W == 0;
    const std::size_t mr = static_cast<std::size_t>(tile_rows(isa));
    // S = Q Kᵀ
    if (tiles) {
        for (std::size_t p = 0; p < lp; p += W)
            for (std::size_t r0 = 0; r0 < len; r0 += mr)
                tile<false>(isa, static_cast<int>(std::min(mr, len - r0)), q + r0 * ld, ld, kT + p, lp, hd, S + r0 * lp + p, lp,
                            zeros);
    } else {
        for (std::size_t i = 0; i < len; ++i) {
            float* sr = S + i * lp;
            for (std::size_t j = 0; j < lp; ++j) sr[j] = 0.0f;
            for (std::size_t d = 0; d < hd; ++d) {
                const float qd = q[i * ld + d];
                const float* kr = kT + d * lp;
                for (std::size_t j0 = 0; j0 < lp; j0 += 16)
                    for (std::size_t l = 0; l < 16; ++l) sr[j0 + l] = std::fma(qd, kr[j0 + l], sr[j0 + l]);
            }
        }
    }
    // softmax per row (columns >= len become 0)
    for (std::size_t i = 0; i < len; ++i) {
        float* sr = S + i * lp;
        for (std::size_t j0 = 0; j0 < lp; j0 += 16)
            for (std::size_t l = 0; l < 16; ++l) sr[j0 + l] /= scale;
        float mx = -std::numeric_limits<float>::infinity();
        for (std::size_t j = 0; j < len; ++j) mx = std::max(mx, sr[j]);
        for (std::size_t j0 = 0; j0 < lp; j0 += 16)
            for (std::size_t l = 0; l < 16; ++l) sr[j0 + l] = exp_nonpositive(sr[j0 + l] - mx);
        for (std::size_t j = len; j < lp; ++j) sr[j] = 0.0f;
        const float inv_sum = 1.0f / lane_sum(sr, lp);
        for (std::size_t j0 = 0; j0 < lp; j0 += 16)
            for (std::size_t l = 0; l < 16; ++l) sr[j0 + l] *= inv_sum;
    }
    // out = P V
    if (tiles) {
        for (std::size_t c = 0; c < hd; c += W)
            for (std::size_t r0 = 0; r0 < len; r0 += mr)
                tile<false>(isa, static_cast<int>(std::min(mr, len - r0)), S + r0 * lp, lp, v + c, ld, len, out + r0 * ldo + c, ldo,
                            zeros);
    } else {
        for (std::size_t i = 0; i < len; ++i) {
            float* o = out + i * ldo;
            for (std::size_t d = 0; d < hd; ++d) o[d] = 0.0f;
            for (std::size_t j = 0; j < len; ++j) {
                const float pj = S[i * lp + j];
                const float* vr = v + j * ld;
                for (std::size_t d = 0; d < hd; ++d) o[d] = std::fma(pj, vr[d], o[d]);
            }
        }
    }
}

}  // namespace musiclab::detail::nn
