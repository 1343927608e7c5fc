// Internals of musiclab/cluster/hdbscan.hpp: rigorous lower bounds of Euclidean distances from a
// float32 copy of the points, so that the high-dimensional scans (dense Prim, brute-force k-NN)
// compute the exact double distance only for pairs that can change the result. Pairs whose bound
// already rules them out are skipped; every distance the algorithms use is still the exact double
// one, so results are bit-identical to the unfiltered scans.
//
// The bound. With u = 2^-24 and a' = float(a) (round to nearest): |a'_k - a_k| <= u |a_k| + 2^-150,
// so ||a - b|| >= ||a' - b'|| - (u (||a|| + ||b||) + sqrt(d) 2^-149). The float sum s of the d
// squared differences (any summation order, with or without FMA) satisfies
// s <= (1 + gamma) ||a' - b'||^2 with gamma = (d + 3) u / (1 - (d + 3) u) (Higham, Thm 3.1), so
// ||a' - b'|| >= sqrt(s / (1 + gamma)). A further 1e-9 relative margin absorbs the double
// arithmetic of the bound itself and the rounding of the exact distance it is compared with.
// Points with a coordinate of magnitude >= 1e15 (float squares could overflow) disable the bound.
//
// ProjectedBound is a cheaper first test: the same bound on the points projected onto their top
// principal directions (an orthonormal P, so ||P a - P b|| <= ||a - b||), 8 floats per point. On
// clustered data it rules out most pairs of different clusters at an eighth of the cost; the
// float bound on all coordinates then handles the rest.
#pragma once

#include "../../core/random.hpp"
#include "../../core/simd.hpp"

#include <Eigen/Dense>


#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <vector>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

namespace musiclab::detail {

// The vector kernels of the scans run at simd_level() (core/simd.hpp). Every level gives the same
// results: the kernels only choose candidates, with thresholds that hold for any summation order.

/// Float32 rows (zero-padded to a multiple of 8) and the per-row terms of the lower bound.
class FloatBound {
public:
    FloatBound() = default;
    /// extra_slack (optional, n values): added to each row's slack (errors of the data itself).
    FloatBound(const double* data, std::size_t n, std::size_t dim, const double* extra_slack = nullptr)
        : stride_((dim + 7) / 8 * 8), rows_(n * ((dim + 7) / 8 * 8), 0.0f), slack_(n) {
        constexpr double u = 0x1.0p-24;
        const double gamma = (static_cast<double>(dim) + 3.0) * u / (1.0 - (static_cast<double>(dim) + 3.0) * u);
        const double shrink = (1.0 - 1e-9) / std::sqrt(1.0 + gamma);
        shrink2_ = shrink * shrink;
        const double tiny = std::sqrt(static_cast<double>(dim)) * 0x1.0p-149;
        usable_ = true;
        for (std::size_t i = 0; i < n; ++i) {
            double norm2 = 0.0;
            for (std::size_t k = 0; k < dim; ++k) {
                const double v = data[i * dim + k];
                if (!(std::fabs(v) < 1e15)) usable_ = false;
                rows_[i * stride_ + k] = static_cast<float>(v);
                norm2 += v * v;
            }
            slack_[i] = (u * std::sqrt(norm2) + tiny + (extra_slack ? extra_slack[i] : 0.0)) * (1.0 + 1e-9);
        }
    }

    bool usable() const noexcept { return usable_; }
    std::size_t size() const noexcept { return slack_.size(); }
    std::size_t stride() const noexcept { return stride_; }
    /// Row i's slack: ||a_i - b|| >= sqrt(float distance) * sqrt(shrink2()) - slack(i) - slack(j).
    double slack(std::size_t i) const noexcept { return slack_[i]; }
    double shrink2() const noexcept { return shrink2_; }
    const float* row(std::size_t i) const noexcept { return rows_.data() + i * stride_; }

    /// Whether the exact distance between rows i and j is certainly >= r (>= 0), given s = the
    /// float squared distance of their float rows (sq_dists): sqrt(s) * shrink - slacks >= r,
    /// compared squared (no square root per pair).
    bool rules_out(float s, double r, std::size_t i, std::size_t j) const noexcept {
        const double t = r + slack_[i] + slack_[j];
        return static_cast<double>(s) * shrink2_ >= t * t;
    }
    /// Same, certainly > r.
    bool rules_out_strictly(float s, double r, std::size_t i, std::size_t j) const noexcept {
        const double t = r + slack_[i] + slack_[j];
        return static_cast<double>(s) * shrink2_ > t * t;
    }

    /// out[t] = float squared distance between row q and row ids[t] (t < count).
    void sq_dists(std::size_t q, const std::size_t* ids, std::size_t count, float* out) const {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
        if (simd_level() != SimdLevel::scalar) return sq_dists_avx2(row(q), rows_.data(), stride_, ids, count, out);
#endif
        sq_dists_kernel<false>(row(q), rows_.data(), stride_, ids, count, out);
    }

private:
    typedef float vec8 __attribute__((vector_size(32)));

    static float hsum(const vec8& a) noexcept { return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7])); }

    // Four rows at a time: four independent accumulation chains keep the FMA units busy (one row
    // at a time is bound by the latency of its chain).
    template <bool Avx2>
    [[gnu::always_inline]] static inline void sq_dists_kernel(const float* q, const float* rows, std::size_t stride, const std::size_t* ids,
                                                              std::size_t count, float* out) {
        const std::size_t whole = count / 4 * 4;
        for (std::size_t t = 0; t < whole; t += 4) {
            const float* r0 = rows + ids[t] * stride;
            const float* r1 = rows + ids[t + 1] * stride;
            const float* r2 = rows + ids[t + 2] * stride;
            const float* r3 = rows + ids[t + 3] * stride;
            vec8 a0 = {}, a1 = {}, a2 = {}, a3 = {};
            for (std::size_t k = 0; k < stride; k += 8) {
                vec8 qv, x0, x1, x2, x3;
                std::memcpy(&qv, q + k, sizeof qv);
                std::memcpy(&x0, r0 + k, sizeof x0);
                std::memcpy(&x1, r1 + k, sizeof x1);
                std::memcpy(&x2, r2 + k, sizeof x2);
                std::memcpy(&x3, r3 + k, sizeof x3);
                const vec8 d0 = qv - x0, d1 = qv - x1, d2 = qv - x2, d3 = qv - x3;
                a0 += d0 * d0;
                a1 += d1 * d1;
                a2 += d2 * d2;
                a3 += d3 * d3;
            }
            out[t] = hsum(a0);
            out[t + 1] = hsum(a1);
            out[t + 2] = hsum(a2);
            out[t + 3] = hsum(a3);
        }
        for (std::size_t t = whole; t < count; ++t) {
            const float* r = rows + ids[t] * stride;
            vec8 a0 = {};
            for (std::size_t k = 0; k < stride; k += 8) {
                vec8 qv, x0;
                std::memcpy(&qv, q + k, sizeof qv);
                std::memcpy(&x0, r + k, sizeof x0);
                const vec8 d0 = qv - x0;
                a0 += d0 * d0;
            }
            out[t] = hsum(a0);
        }
    }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    [[gnu::target("avx2,fma")]] static void sq_dists_avx2(const float* q, const float* rows, std::size_t stride, const std::size_t* ids,
                                                          std::size_t count, float* out) {
        if (stride != 8) return sq_dists_kernel<true>(q, rows, stride, ids, count, out);
        // One vector per row (the projected bound): eight rows at a time, their eight squared
        // differences summed across lanes by a transposing tree of horizontal adds.
        const __m256 qv = _mm256_loadu_ps(q);
        std::size_t t = 0;
        for (; t + 8 <= count; t += 8) {
            __m256 e[8];
            for (int r = 0; r < 8; ++r) {
                const __m256 d = _mm256_sub_ps(qv, _mm256_loadu_ps(rows + ids[t + static_cast<std::size_t>(r)] * 8));
                e[r] = _mm256_mul_ps(d, d);
            }
            const __m256 h01 = _mm256_hadd_ps(e[0], e[1]), h23 = _mm256_hadd_ps(e[2], e[3]);
            const __m256 h45 = _mm256_hadd_ps(e[4], e[5]), h67 = _mm256_hadd_ps(e[6], e[7]);
            const __m256 h0123 = _mm256_hadd_ps(h01, h23), h4567 = _mm256_hadd_ps(h45, h67);
            // lanes: [r0 r1 r2 r3 | r0 r1 r2 r3] halves of rows 0-3 and of rows 4-7
            const __m256 lo = _mm256_permute2f128_ps(h0123, h4567, 0x20), hi = _mm256_permute2f128_ps(h0123, h4567, 0x31);
            _mm256_storeu_ps(out + t, _mm256_add_ps(lo, hi));
        }
        if (t < count) sq_dists_kernel<true>(q, rows, stride, ids + t, count - t, out + t);
    }
#endif

    std::size_t stride_ = 0;
    std::vector<float> rows_;
    std::vector<double> slack_;
    double shrink2_ = 1.0;  // shrink^2, shrink = (1 - 1e-9) / sqrt(1 + gamma)
    bool usable_ = false;
};

/// FloatBound of the points projected onto their top min(8, dim - 1) principal directions.
class ProjectedBound {
public:
    ProjectedBound() = default;
    ProjectedBound(const double* data, std::size_t n, std::size_t dim) {
        if (n < 2 || dim < 9) return;
        using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        const Eigen::Map<const RowMatrix> X(data, static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(dim));
        const Eigen::RowVectorXd mean = X.colwise().mean();
        if (!mean.allFinite()) return;
        const Eigen::MatrixXd centred = X.rowwise() - mean;
        // the directions from at most 4,096 rows drawn with a fixed seed (evenly spaced rows would
        // alias with periodic row orders): any orthonormal P gives a valid bound; the sample only
        // decides how much it prunes
        const std::size_t m_rows = std::min<std::size_t>(n, 4096);
        Eigen::MatrixXd sample(static_cast<Eigen::Index>(m_rows), static_cast<Eigen::Index>(dim));
        Rng rng(0x5eed);
        for (std::size_t r = 0; r < m_rows; ++r)
            sample.row(static_cast<Eigen::Index>(r)) = centred.row(static_cast<Eigen::Index>(m_rows == n ? r : rng.below(n)));
        const Eigen::MatrixXd C = sample.transpose() * sample;
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(C);
        if (eig.info() != Eigen::Success) return;
        // the fewest directions (8 to 16) that hold 95 % of the sample's variance: the scans stream
        // m floats a point, and directions past that add little to the bound
        const Eigen::VectorXd& ev = eig.eigenvalues();
        const double total = std::max(ev.sum(), 0.0);
        const auto max_m = static_cast<Eigen::Index>(std::min<std::size_t>(16, dim - 1));
        Eigen::Index m = 8;
        double held = ev.tail(m).sum();
        while (m < max_m && held < 0.95 * total) held += ev(static_cast<Eigen::Index>(dim) - 1 - m++);
        dims_ = static_cast<std::size_t>(m);
        // eigenvalues ascending: the last m columns; re-orthonormalised (QR) so that ||P|| <= 1 + O(eps)
        const Eigen::MatrixXd V = Eigen::HouseholderQR<Eigen::MatrixXd>(eig.eigenvectors().rightCols(m)).householderQ() *
                                  Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(dim), m);
        const RowMatrix Y = centred * V;  // n x m
        // the projection's own rounding: |computed P(a - mean) - P(a - mean)| <= 1e-12 ||a - mean|| (very loosely)
        std::vector<double> extra(n);
        for (std::size_t i = 0; i < n; ++i) extra[i] = 1e-12 * centred.row(static_cast<Eigen::Index>(i)).norm();
        bound_ = FloatBound(Y.data(), n, static_cast<std::size_t>(m), extra.data());
    }
    bool usable() const noexcept { return bound_.usable(); }
    const FloatBound& bound() const noexcept { return bound_; }
    /// Projected coordinates per row (8 to 16; the bound's rows are zero-padded to its stride).
    std::size_t dims() const noexcept { return dims_; }

private:
    FloatBound bound_;
    std::size_t dims_ = 0;
};

}  // namespace musiclab::detail
