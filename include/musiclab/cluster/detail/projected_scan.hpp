// Internals of musiclab/cluster/hdbscan.hpp: the data layout of the high-dimensional Euclidean
// scans (dense Prim, brute-force k-NN). Built once per point set (DistanceBounds):
//  * FloatBound of all coordinates and ProjectedBound (float_bound.hpp): rigorous lower bounds
//    of a pair's exact distance from float32 rows;
//  * ProjectedColumns: the projected float rows column by column (one array per projected
//    coordinate, slots that can be removed in O(1)), so that one query against every slot is a
//    stream of vector FMAs (AVX-512 / AVX2, chosen at run time) with a per-slot threshold: the
//    slots whose bound can not rule them out come back as a short candidate list;
//  * ProjectedBlocks: groups of <= 32 nearby points (leaves of a median split of the projected
//    rows), which give a k-NN query a good first radius.
// Pure speed: the callers compute every distance that can matter exactly, so their results are
// bit-identical to the plain scans.
//
// Thresholds. FloatBound::rules_out(s, r, i, j) is s * shrink2 >= (r + slack_i + slack_j)^2. A
// slot's threshold is that right-hand side divided by shrink2 with slack_i replaced by the
// largest slack of any row, rounded up to float: a float s >= threshold implies the exact bound,
// whatever the query. (The float sum of the kernel is in another order than sq_dists'; the bound
// holds for any order, with or without FMA.)
#pragma once

#include "float_bound.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <vector>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

namespace musiclab::detail {

/// Threshold on a float squared projected distance above which (>=) the exact distance between
/// any row and row j is certainly >= r (> r with strict). +inf when nothing can be ruled out.
inline float skip_threshold(const FloatBound& b, double r, std::size_t j, double max_slack, bool strict = false) {
    const double t = r + b.slack(j) + max_slack;
    const double v = t * t / b.shrink2() * (1.0 + 1e-15);
    if (!(v < 3.0e38)) return std::numeric_limits<float>::infinity();
    float f = static_cast<float>(v);
    if (static_cast<double>(f) < v) f = std::nextafter(f, std::numeric_limits<float>::infinity());
    if (strict) f = std::nextafter(f, std::numeric_limits<float>::infinity());  // s >= f implies s > bound
    return f;
}

/// The projected float rows of a FloatBound (stride 8 or 16) as columns, by slot.
class ProjectedColumns {
public:
    ProjectedColumns() = default;
    /// The first dims (<= 16) coordinates of b's rows (the rest must be zero).
    ProjectedColumns(const FloatBound& b, std::size_t dims) : dims_(std::min<std::size_t>(dims, 16)), size_(b.size()), cap_((b.size() + 15) / 16 * 16) {
        cols_.assign(dims_ * cap_, 0.0f);
        thr_.assign(cap_, 0.0f);  // padding slots: never candidates
        row_.resize(cap_);
        slot_.resize(size_);
        for (std::size_t j = 0; j < size_; ++j) {
            const float* x = b.row(j);
            for (std::size_t k = 0; k < dims_; ++k) cols_[k * cap_ + j] = x[k];
            row_[j] = j;
            slot_[j] = j;
            thr_[j] = std::numeric_limits<float>::infinity();
            max_slack_ = std::max(max_slack_, b.slack(j));
        }
    }
    std::size_t size() const noexcept { return size_; }
    std::size_t row(std::size_t slot) const noexcept { return row_[slot]; }
    std::size_t slot(std::size_t row) const noexcept { return slot_[row]; }
    double max_slack() const noexcept { return max_slack_; }
    void set_threshold(std::size_t row, float t) noexcept { thr_[slot_[row]] = t; }
    /// Removes a row: the last slot moves into its place.
    void remove(std::size_t row) noexcept {
        const std::size_t s = slot_[row], last = --size_;
        for (std::size_t k = 0; k < dims_; ++k) {
            cols_[k * cap_ + s] = cols_[k * cap_ + last];
            cols_[k * cap_ + last] = 0.0f;
        }
        thr_[s] = thr_[last];
        thr_[last] = 0.0f;
        row_[s] = row_[last];
        slot_[row_[s]] = s;
    }
    /// Slots whose float squared distance to q (dims floats) is below their threshold (or below
    /// `all` when per_slot is false), ascending; returns how many were written to out.
    std::size_t candidates(const float* q, bool per_slot, float all, std::uint32_t* out) const {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
        const SimdLevel level = simd_level();
        if (level == SimdLevel::avx512) return candidates_avx512(q, per_slot, all, out);
        if (level == SimdLevel::avx2) return candidates_avx2(q, per_slot, all, out);
#endif
        std::size_t count = 0;
        for (std::size_t p = 0; p < size_; ++p) {
            float s = 0.0f;
            for (std::size_t k = 0; k < dims_; ++k) {
                const float d = q[k] - cols_[k * cap_ + p];
                s += d * d;
            }
            if (s < (per_slot ? thr_[p] : all)) out[count++] = static_cast<std::uint32_t>(p);
        }
        return count;
    }

    /// candidates() for nq <= 64 queries at once (threshold all[t] for query qs[t], no per-slot
    /// thresholds): each column vector is loaded once for all of them. out[t] receives query t's
    /// slots (room for size() each), counts[t] how many.
    void candidates_many(const float* const* qs, std::size_t nq, const float* all, std::uint32_t* const* out, std::size_t* counts) const {
        for (std::size_t t = 0; t < nq; ++t) counts[t] = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
        if (simd_level() == SimdLevel::avx512) return many_avx512(qs, nq, all, out, counts);
#endif
        for (std::size_t t = 0; t < nq; ++t) counts[t] = candidates(qs[t], false, all[t], out[t]);
    }

private:
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    [[gnu::target("avx512f")]] void many_avx512(const float* const* qs, std::size_t nq, const float* all, std::uint32_t* const* out,
                                                std::size_t* counts) const {
        for (std::size_t p = 0; p < size_; p += 16) {
            __m512 c[16];
            for (std::size_t k = 0; k < 16; ++k) c[k] = k < dims_ ? _mm512_loadu_ps(cols_.data() + k * cap_ + p) : _mm512_setzero_ps();
            for (std::size_t t = 0; t < nq; ++t) {
                const float* q = qs[t];
                __m512 acc = _mm512_setzero_ps();
                for (std::size_t k = 0; k < dims_; ++k) {
                    const __m512 d = _mm512_sub_ps(_mm512_set1_ps(q[k]), c[k]);
                    acc = _mm512_fmadd_ps(d, d, acc);
                }
                auto mask = static_cast<unsigned>(_mm512_cmp_ps_mask(acc, _mm512_set1_ps(all[t]), _CMP_LT_OQ));
                std::size_t count = counts[t];
                while (mask != 0) {
                    const auto l = static_cast<std::size_t>(__builtin_ctz(mask));
                    mask &= mask - 1;
                    if (p + l < size_) out[t][count++] = static_cast<std::uint32_t>(p + l);
                }
                counts[t] = count;
            }
        }
    }
    [[gnu::target("avx512f")]] std::size_t candidates_avx512(const float* q, bool per_slot, float all, std::uint32_t* out) const {
        std::size_t count = 0;
        const __m512 all_v = _mm512_set1_ps(all);
        for (std::size_t p = 0; p < size_; p += 16) {
            __m512 acc = _mm512_setzero_ps();
            for (std::size_t k = 0; k < dims_; ++k) {
                const __m512 d = _mm512_sub_ps(_mm512_set1_ps(q[k]), _mm512_loadu_ps(cols_.data() + k * cap_ + p));
                acc = _mm512_fmadd_ps(d, d, acc);
            }
            const __m512 t = per_slot ? _mm512_loadu_ps(thr_.data() + p) : all_v;
            auto mask = static_cast<unsigned>(_mm512_cmp_ps_mask(acc, t, _CMP_LT_OQ));
            while (mask != 0) {
                const auto l = static_cast<std::size_t>(__builtin_ctz(mask));
                mask &= mask - 1;
                if (p + l < size_) out[count++] = static_cast<std::uint32_t>(p + l);
            }
        }
        return count;
    }
    [[gnu::target("avx2,fma")]] std::size_t candidates_avx2(const float* q, bool per_slot, float all, std::uint32_t* out) const {
        std::size_t count = 0;
        const __m256 all_v = _mm256_set1_ps(all);
        for (std::size_t p = 0; p < size_; p += 8) {
            __m256 acc = _mm256_setzero_ps();
            for (std::size_t k = 0; k < dims_; ++k) {
                const __m256 d = _mm256_sub_ps(_mm256_set1_ps(q[k]), _mm256_loadu_ps(cols_.data() + k * cap_ + p));
                acc = _mm256_fmadd_ps(d, d, acc);
            }
            const __m256 t = per_slot ? _mm256_loadu_ps(thr_.data() + p) : all_v;
            auto mask = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(acc, t, _CMP_LT_OQ)));
            while (mask != 0) {
                const auto l = static_cast<std::size_t>(__builtin_ctz(mask));
                mask &= mask - 1;
                if (p + l < size_) out[count++] = static_cast<std::uint32_t>(p + l);
            }
        }
        return count;
    }
#endif

    std::size_t dims_ = 0, size_ = 0, cap_ = 0;
    std::vector<float> cols_;  // cols_[k * cap_ + slot]
    std::vector<float> thr_;
    std::vector<std::size_t> row_, slot_;
    double max_slack_ = 0.0;
};

/// Groups of at most `leaf` nearby points: the leaves of a median split on the widest projected
/// coordinate (ties by row). Block b holds rows order()[begin(b)] .. order()[end(b) - 1].
class ProjectedBlocks {
public:
    ProjectedBlocks() = default;
    explicit ProjectedBlocks(const FloatBound& b, std::size_t leaf = 32) : bound_(&b) {
        const std::size_t n = b.size();
        order_.resize(n);
        std::iota(order_.begin(), order_.end(), std::size_t{0});
        start_.push_back(0);
        if (n > 0) split(0, n, std::max<std::size_t>(leaf, 1));
        block_of_.resize(n);
        for (std::size_t blk = 0; blk < num_blocks(); ++blk)
            for (std::size_t p = start_[blk]; p < start_[blk + 1]; ++p) block_of_[order_[p]] = blk;
    }
    std::size_t num_blocks() const noexcept { return start_.empty() ? 0 : start_.size() - 1; }
    std::size_t begin(std::size_t blk) const noexcept { return start_[blk]; }
    std::size_t end(std::size_t blk) const noexcept { return start_[blk + 1]; }
    const std::vector<std::size_t>& order() const noexcept { return order_; }
    std::size_t block_of(std::size_t row) const noexcept { return block_of_[row]; }

private:
    void split(std::size_t a, std::size_t e, std::size_t leaf) {
        if (e - a <= leaf) {
            start_.push_back(e);
            return;
        }
        const std::size_t dims = bound_->stride();
        std::size_t widest = 0;
        float widest_extent = -1.0f;
        for (std::size_t k = 0; k < dims; ++k) {
            float lo = std::numeric_limits<float>::infinity(), hi = -lo;
            for (std::size_t p = a; p < e; ++p) {
                lo = std::min(lo, bound_->row(order_[p])[k]);
                hi = std::max(hi, bound_->row(order_[p])[k]);
            }
            if (hi - lo > widest_extent) {
                widest_extent = hi - lo;
                widest = k;
            }
        }
        const std::size_t mid = a + (e - a) / 2;
        std::nth_element(order_.begin() + static_cast<std::ptrdiff_t>(a), order_.begin() + static_cast<std::ptrdiff_t>(mid),
                         order_.begin() + static_cast<std::ptrdiff_t>(e), [&](std::size_t u, std::size_t v) {
                             const float fu = bound_->row(u)[widest], fv = bound_->row(v)[widest];
                             return fu < fv || (fu == fv && u < v);
                         });
        split(a, mid, leaf);
        split(mid, e, leaf);
    }

    const FloatBound* bound_ = nullptr;
    std::vector<std::size_t> order_, start_, block_of_;
};

/// Everything the high-dimensional Euclidean scans use to skip pairs, built once per point set.
/// Not copyable (the blocks point into the projection). usable() is false when a coordinate is
/// too large for the float bounds (>= 1e15), when dim < 9 or when the principal directions
/// could not be computed; the scans then run without them.
struct DistanceBounds {
    FloatBound full;
    ProjectedBound projected;
    ProjectedBlocks blocks;

    DistanceBounds(const double* data, std::size_t n, std::size_t dim) : full(data, n, dim), projected(data, n, dim) {
        if (usable()) blocks = ProjectedBlocks(projected.bound());
    }
    DistanceBounds(const DistanceBounds&) = delete;
    DistanceBounds& operator=(const DistanceBounds&) = delete;
    bool usable() const noexcept { return full.usable() && projected.usable(); }
};

}  // namespace musiclab::detail
