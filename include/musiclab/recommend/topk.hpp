// Exact top-K search: for every query row, the k items of largest cosine similarity or inner
// product, or of smallest Euclidean distance, by brute force.
//
//     musiclab::recommend::TopKOptions opts;                  // cosine by default
//     opts.exclude_self = true;                              // queries are the items themselves
//     auto nn = musiclab::recommend::top_k(X, X, 10, opts);   // nn.indices(i, j), nn.scores(i, j)
//
// Contract
// - queries: n_q x d, items: n x d (any Eigen dense expression of float or double; both the same
//   Scalar). Scores are computed in that Scalar. Rows of the result are best first: similarity
//   descending (cosine, inner product) or distance ascending (Euclidean); equal scores in item
//   order (smaller index first), so the result is a pure function of the input.
// - Cosine treats a zero vector as having similarity 0 with everything (scikit-learn's
//   cosine_similarity convention). Euclidean candidates are ranked by q.x - |x|^2 / 2; the k
//   distances returned are then recomputed directly as |q - x| (no cancellation) and re-sorted.
// - Candidates can be restricted: exclude_self (query i never returns item i; needs n_q == n),
//   item_mask (only items with a non-zero entry), and item_groups + query_groups (only items of the
//   query's group, e.g. the same genre). A query with fewer than k candidates gets index -1 and a
//   NaN score in the remaining slots.
// - Errors: invalid_parameter for k = 0, k larger than the items (minus one with exclude_self),
//   non-finite input values (the message names the row and column), mask / group sizes; shape_mismatch
//   when the dimensions differ.
// - Complexity: O(n_q * n * d) time; memory: one packed copy of the items (normalised for cosine)
//   plus O(n_q * k). The kernel computes a 4-query x 2-vector tile of scores in registers and
//   compares it with each query's current k-th score before anything is stored (no score matrix).
//   On x86-64 with AVX2+FMA it runs an AVX2 build of the kernel (chosen at run time, capped by
//   MUSICLAB_SIMD: core/simd.hpp); the result
//   does not depend on num_threads but may differ in the last bits between the AVX2 (fused
//   multiply-add) and the portable kernel.
// - Thread safety: a pure function; num_threads workers split the queries (0 = all hardware threads).
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../core/simd.hpp"

#include <Eigen/Core>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace musiclab::recommend {

/// Similarity (or distance) of the search.
enum class Metric {
    cosine,         ///< q.x / (|q| |x|), larger first
    inner_product,  ///< q.x, larger first
    euclidean       ///< |q - x|, smaller first
};

/// Options of top_k.
struct TopKOptions {
    Metric metric = Metric::cosine;
    /// The queries are the items (row i of both is the same thing): item i is never a result of
    /// query i. Requires as many queries as items.
    bool exclude_self = false;
    /// Optional, one entry per item: only items with a non-zero entry are candidates.
    std::span<const std::uint8_t> item_mask;
    /// Optional, one group id per item and one per query (both or neither): a query only sees
    /// items of its own group (e.g. genre-restricted similarity).
    std::span<const std::int32_t> item_groups;
    std::span<const std::int32_t> query_groups;
    /// Worker threads over the queries (0 = all hardware threads); the result does not depend on it.
    int num_threads = 1;
};

/// The k best items per query, best first.
template <class Scalar>
struct TopK {
    /// n_q x k item indices (-1 where a query had fewer than k candidates).
    Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> indices;
    /// n_q x k: cosine similarity, inner product, or Euclidean distance (NaN where index is -1).
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> scores;
};

/// Exact top-k search of `queries` among `items` (see the header comment for the contract).
template <class QueryDerived, class ItemDerived>
TopK<typename QueryDerived::Scalar> top_k(const Eigen::MatrixBase<QueryDerived>& queries,
                                          const Eigen::MatrixBase<ItemDerived>& items, std::size_t k,
                                          const TopKOptions& options = {});

}  // namespace musiclab::recommend

// ------------------------------------------------------------------------------------------------
namespace musiclab::detail::topk {

template <class Scalar>
using RowMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// 32-byte vectors of the scalar type (GCC/Clang vector extensions: AVX registers in the AVX2
/// build of the kernel, pairs of SSE registers otherwise).
template <class Scalar>
struct Simd {
    typedef Scalar vec __attribute__((vector_size(32)));
    static constexpr std::size_t lanes = 32 / sizeof(Scalar);
};

/// Items packed for the kernel: panels of 2 * lanes items, each panel stored dimension-major
/// (panel[j * width + i] = item i's coordinate j), zero-padded; original item ids; squared norms
/// (Euclidean only).
template <class Scalar>
struct Packed {
    static constexpr std::size_t width = 2 * Simd<Scalar>::lanes;
    std::size_t n = 0, d = 0, panels = 0;
    std::vector<Scalar> data;
    std::vector<Scalar> half_sqnorm;  // -|x|^2 / 2 per padded slot (0 unless Euclidean)
    std::vector<std::int64_t> ids;
};

/// The running k best (score, id) of one query, best first; ties keep the earlier (smaller) id.
template <class Scalar>
struct Best {
    Scalar* score;
    std::int64_t* id;
    std::size_t k, size = 0;
    Scalar threshold() const noexcept { return size < k ? -std::numeric_limits<Scalar>::infinity() : score[k - 1]; }
    void offer(Scalar s, std::int64_t i) noexcept {
        if (size == k && !(s > score[k - 1])) return;
        std::size_t pos = size < k ? size++ : k - 1;
        while (pos > 0 && s > score[pos - 1]) {
            score[pos] = score[pos - 1];
            id[pos] = id[pos - 1];
            --pos;
        }
        score[pos] = s;
        id[pos] = i;
    }
};

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/// Whether any lane of a 32-byte comparison mask is set (one vmovmskps / vmovmskpd); inlined into
/// the AVX2 build of the kernel.
template <class Mask>
[[gnu::target("avx2")]] inline bool any_avx(const Mask& m) noexcept {
    __m256i v;
    std::memcpy(&v, &m, sizeof(v));
    return !_mm256_testz_si256(v, v);
}
#endif

/// Scores of queries [q0, q1) (rows of Q, already normalised for cosine) against every panel of
/// P; offers the scores that beat a query's current k-th to its Best. For Euclidean the score is
/// q.x - |x|^2 / 2 (same order as -|q - x|). self_ids[q] (or -1) is skipped.
template <class Scalar, bool Avx2>
[[gnu::always_inline]] inline void scan(const RowMatrix<Scalar>& Q, std::size_t q0, std::size_t q1, const Packed<Scalar>& P,
                                        const std::int64_t* self_ids, Best<Scalar>* best) {
    using vec = typename Simd<Scalar>::vec;
    constexpr std::size_t L = Simd<Scalar>::lanes, W = Packed<Scalar>::width;
    const std::size_t d = P.d;
    // Blocks of queries that stay in L2 (~256 KiB); inside a block each item panel (in L1) meets
    // every 4-query tile before the next panel, so the items stream from memory once per block.
    const std::size_t block = std::clamp<std::size_t>((std::size_t{256} << 10) / (d * sizeof(Scalar)) / 4 * 4, 16, 4096);
    for (std::size_t b0 = q0; b0 < q1; b0 += block) {
        const std::size_t b1 = std::min(q1, b0 + block);
        for (std::size_t p = 0; p < P.panels; ++p) {
            const Scalar* panel = P.data.data() + p * d * W;
            vec n0, n1;
            std::memcpy(&n0, P.half_sqnorm.data() + p * W, sizeof(vec));
            std::memcpy(&n1, P.half_sqnorm.data() + p * W + L, sizeof(vec));
            const std::size_t base = p * W;
            const std::size_t valid = std::min(W, P.n - base);
            for (std::size_t qb = b0; qb < b1; qb += 4) {
                const std::size_t nq = std::min<std::size_t>(4, b1 - qb);
                const Scalar* qp[4];
                for (std::size_t r = 0; r < 4; ++r) qp[r] = Q.data() + (qb + std::min(r, nq - 1)) * d;
                vec acc[4][2] = {};
                for (std::size_t j = 0; j < d; ++j) {
                    vec x0, x1;
                    std::memcpy(&x0, panel + j * W, sizeof(vec));
                    std::memcpy(&x1, panel + j * W + L, sizeof(vec));
                    for (std::size_t r = 0; r < 4; ++r) {
                        const Scalar qv = qp[r][j];
                        acc[r][0] += qv * x0;
                        acc[r][1] += qv * x1;
                    }
                }
                for (std::size_t r = 0; r < nq; ++r) {
                    const vec s0 = acc[r][0] + n0, s1 = acc[r][1] + n1;
                    Best<Scalar>& bq = best[qb + r - q0];
                    const Scalar t = bq.threshold();
                    const auto m = (s0 > t) | (s1 > t);
                    if constexpr (Avx2) {
                        if (!any_avx(m)) continue;
                    } else {
                        std::uint64_t words[4];
                        static_assert(sizeof(m) == sizeof(words));
                        std::memcpy(words, &m, sizeof(words));
                        if ((words[0] | words[1] | words[2] | words[3]) == 0) continue;
                    }
                    const std::int64_t self = self_ids ? self_ids[qb + r] : -1;
                    for (std::size_t i = 0; i < valid; ++i) {
                        const Scalar sc = i < L ? s0[i] : s1[i - L];
                        const std::int64_t id = P.ids[base + i];
                        if (id != self) bq.offer(sc, id);
                    }
                }
            }
        }
    }
}

template <class Scalar>
void scan_portable(const RowMatrix<Scalar>& Q, std::size_t q0, std::size_t q1, const Packed<Scalar>& P,
                   const std::int64_t* self_ids, Best<Scalar>* best) {
    scan<Scalar, false>(Q, q0, q1, P, self_ids, best);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MUSICLAB_TOPK_AVX2 1
template <class Scalar>
[[gnu::target("avx2,fma")]] void scan_avx2(const RowMatrix<Scalar>& Q, std::size_t q0, std::size_t q1, const Packed<Scalar>& P,
                                           const std::int64_t* self_ids, Best<Scalar>* best) {
    scan<Scalar, true>(Q, q0, q1, P, self_ids, best);
}
inline bool has_avx2_fma() noexcept { return musiclab::detail::simd_level() >= musiclab::detail::SimdLevel::avx2; }
#endif

/// Packs the items `ids` (rows of X, already normalised for cosine).
template <class Scalar>
Packed<Scalar> pack(const RowMatrix<Scalar>& X, const std::vector<std::int64_t>& ids, bool euclidean) {
    constexpr std::size_t W = Packed<Scalar>::width;
    Packed<Scalar> P;
    P.n = ids.size();
    P.d = static_cast<std::size_t>(X.cols());
    P.panels = (P.n + W - 1) / W;
    P.data.assign(P.panels * P.d * W, Scalar(0));
    P.half_sqnorm.assign(P.panels * W, -std::numeric_limits<Scalar>::infinity());  // padding never wins
    P.ids = ids;
    for (std::size_t i = 0; i < P.n; ++i) {
        const Scalar* row = X.data() + static_cast<std::size_t>(ids[i]) * P.d;
        Scalar* panel = P.data.data() + (i / W) * P.d * W + i % W;
        Scalar sq = 0;
        for (std::size_t j = 0; j < P.d; ++j) {
            panel[j * W] = row[j];
            sq += row[j] * row[j];
        }
        P.half_sqnorm[i] = euclidean ? -sq / 2 : Scalar(0);
    }
    return P;
}

template <class Scalar>
void check_finite(const RowMatrix<Scalar>& M, const char* name) {
    for (Eigen::Index r = 0; r < M.rows(); ++r)
        for (Eigen::Index c = 0; c < M.cols(); ++c)
            if (!std::isfinite(M(r, c)))
                throw musiclab::invalid_parameter(name, std::string("a non-finite value at row ") + std::to_string(r) + ", column " +
                                                            std::to_string(c),
                                                  "finite values");
}

template <class Scalar>
void normalise_rows(RowMatrix<Scalar>& M) {
    for (Eigen::Index r = 0; r < M.rows(); ++r) {
        const Scalar norm = M.row(r).norm();
        if (norm > 0) M.row(r) /= norm;
    }
}

}  // namespace musiclab::detail::topk

namespace musiclab::recommend {

template <class QueryDerived, class ItemDerived>
TopK<typename QueryDerived::Scalar> top_k(const Eigen::MatrixBase<QueryDerived>& queries,
                                          const Eigen::MatrixBase<ItemDerived>& items, std::size_t k,
                                          const TopKOptions& options) {
    using Scalar = typename QueryDerived::Scalar;
    static_assert(std::is_same_v<Scalar, typename ItemDerived::Scalar>, "top_k: queries and items must have the same Scalar");
    static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>, "top_k: float or double");
    namespace dt = musiclab::detail::topk;
    const auto nq = static_cast<std::size_t>(queries.rows());
    const auto n = static_cast<std::size_t>(items.rows());
    if (queries.cols() != items.cols())
        throw shape_mismatch("top_k: query dimension vs item dimension", static_cast<std::size_t>(items.cols()),
                             static_cast<std::size_t>(queries.cols()));
    if (options.exclude_self && nq != n) throw shape_mismatch("top_k with exclude_self: queries (must equal items)", n, nq);
    const std::size_t available = n - (options.exclude_self && n > 0 ? 1 : 0);
    if (k == 0 || k > available)
        throw invalid_parameter("k", k, "1.." + std::to_string(available) + " (the number of items" +
                                            (options.exclude_self ? std::string(" minus the query itself)") : std::string(")")));
    if (!options.item_mask.empty() && options.item_mask.size() != n) throw shape_mismatch("top_k: item_mask size", n, options.item_mask.size());
    if (options.item_groups.empty() != options.query_groups.empty())
        throw invalid_parameter("item_groups / query_groups", "only one given", "both or neither");
    if (!options.item_groups.empty()) {
        if (options.item_groups.size() != n) throw shape_mismatch("top_k: item_groups size", n, options.item_groups.size());
        if (options.query_groups.size() != nq) throw shape_mismatch("top_k: query_groups size", nq, options.query_groups.size());
    }
    const int threads = musiclab::resolve_threads(options.num_threads);

    dt::RowMatrix<Scalar> Q = queries, X = items;
    dt::check_finite(Q, "queries");
    dt::check_finite(X, "items");
    if (options.metric == Metric::cosine) {
        dt::normalise_rows(Q);
        dt::normalise_rows(X);
    }
    const bool euclidean = options.metric == Metric::euclidean;

    TopK<Scalar> out;
    out.indices.setConstant(static_cast<Eigen::Index>(nq), static_cast<Eigen::Index>(k), -1);
    out.scores.setConstant(static_cast<Eigen::Index>(nq), static_cast<Eigen::Index>(k), std::numeric_limits<Scalar>::quiet_NaN());

    // Query sets with their candidate item sets: one set, or one per group.
    std::vector<std::vector<std::int64_t>> query_sets, item_sets;
    auto eligible = [&](std::size_t i) { return options.item_mask.empty() || options.item_mask[i] != 0; };
    if (options.item_groups.empty()) {
        query_sets.emplace_back(nq);
        for (std::size_t q = 0; q < nq; ++q) query_sets[0][q] = static_cast<std::int64_t>(q);
        item_sets.emplace_back();
        for (std::size_t i = 0; i < n; ++i)
            if (eligible(i)) item_sets[0].push_back(static_cast<std::int64_t>(i));
    } else {
        std::vector<std::int32_t> groups(options.query_groups.begin(), options.query_groups.end());
        std::sort(groups.begin(), groups.end());
        groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
        auto slot = [&](std::int32_t g) { return static_cast<std::size_t>(std::lower_bound(groups.begin(), groups.end(), g) - groups.begin()); };
        query_sets.resize(groups.size());
        item_sets.resize(groups.size());
        for (std::size_t q = 0; q < nq; ++q) query_sets[slot(options.query_groups[q])].push_back(static_cast<std::int64_t>(q));
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t s = slot(options.item_groups[i]);
            if (s < groups.size() && groups[s] == options.item_groups[i] && eligible(i)) item_sets[s].push_back(static_cast<std::int64_t>(i));
        }
    }

    std::vector<std::int64_t> self_ids;
    for (std::size_t s = 0; s < query_sets.size(); ++s) {
        const auto& qs = query_sets[s];
        if (qs.empty() || item_sets[s].empty()) continue;
        const dt::Packed<Scalar> P = dt::pack(X, item_sets[s], euclidean);
        // The set's queries, contiguous.
        dt::RowMatrix<Scalar> Qs(static_cast<Eigen::Index>(qs.size()), Q.cols());
        for (std::size_t r = 0; r < qs.size(); ++r) Qs.row(static_cast<Eigen::Index>(r)) = Q.row(qs[r]);
        if (options.exclude_self) self_ids = qs;
        std::vector<Scalar> score(qs.size() * k);
        std::vector<std::int64_t> id(qs.size() * k, -1);
        std::vector<dt::Best<Scalar>> best(qs.size());
        for (std::size_t r = 0; r < qs.size(); ++r) best[r] = {score.data() + r * k, id.data() + r * k, k, 0};
        musiclab::parallelize(threads, qs.size(), [&](int, std::size_t start, std::size_t length) {
            const std::int64_t* self = options.exclude_self ? self_ids.data() : nullptr;
#ifdef MUSICLAB_TOPK_AVX2
            if (dt::has_avx2_fma()) {
                dt::scan_avx2(Qs, start, start + length, P, self, best.data() + start);
                return;
            }
#endif
            dt::scan_portable(Qs, start, start + length, P, self, best.data() + start);
        });
        std::vector<std::pair<Scalar, std::int64_t>> found;
        for (std::size_t r = 0; r < qs.size(); ++r) {
            const auto row = static_cast<Eigen::Index>(qs[r]);
            found.clear();
            for (std::size_t j = 0; j < best[r].size; ++j) found.emplace_back(best[r].score[j], best[r].id[j]);
            if (euclidean) {
                // |q|^2 - 2 q.x + |x|^2 cancels for near points: the k distances are recomputed
                // directly and re-sorted (ties by index).
                for (auto& [v, i] : found) v = (Q.row(row) - X.row(static_cast<Eigen::Index>(i))).norm();
                std::sort(found.begin(), found.end());
            }
            for (std::size_t j = 0; j < found.size(); ++j) {
                out.indices(row, static_cast<Eigen::Index>(j)) = found[j].second;
                out.scores(row, static_cast<Eigen::Index>(j)) = found[j].first;
            }
        }
    }
    return out;
}

}  // namespace musiclab::recommend
