// musiclab::neighbors approximate k-nearest neighbours by NN-descent (Dong, Moses & Li 2011) started
// from random-projection trees, the scheme of pynndescent (which umap-learn uses for n >= 4096).
//
//     musiclab::neighbors::NnDescentOptions opts;   // k = 15, euclidean, seed 0
//     auto g = musiclab::neighbors::nn_descent(X.data(), n, d, opts);   // same KnnGraph as exact_knn
//
// Algorithm
// 1. n_trees random-projection trees: a node is split by the hyperplane half-way between two of
//    its points chosen at random (for cosine / correlation on the unit-normalised rows), until at
//    most leaf_size points remain; every point is joined with its leaf mates in each tree.
// 2. NN-descent rounds: each point samples up to max_candidates "new" (not yet joined) and "old"
//    neighbours, forward and reverse; all new-new and new-old pairs of a point's candidates are
//    compared and improve both points' lists. Stops after n_iters rounds or when a round changes
//    fewer than delta * k * n list entries.
// Contract: each row of the result holds k distinct data rows sorted by (distance, index); every
// point finds itself first (distance 0) unless exact duplicates tie with it. Recall against
// exact_knn on the standardized Spotify audio features (20,000 rows, k = 15): measured in
// tests/test_neighbors_knn.cpp (>= 0.95 asserted; docs/neighbors.md has the figure).
// Determinism: a function of (data, options) only; the result does not depend on num_threads
// (candidate sampling uses hashed priorities, joins write per-worker buffers applied in point order).
// Complexity: about O(n k^2 rounds dim); memory O(n k) plus the update buffers of one round.
// Errors: as exact_knn (k = 0 or k > n, dim = 0, non-finite values).
#pragma once

#include "knn.hpp"

#include "../core/random.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <vector>

namespace musiclab::neighbors {

/// Options of nn_descent (defaults as pynndescent 0.5 inside umap-learn 0.5.3).
struct NnDescentOptions {
    std::size_t n_neighbors = 15;
    Metric metric = Metric::euclidean;
    /// Random-projection trees; default min(64, 5 + round(sqrt(n) / 20)) (umap-learn's rule).
    std::optional<std::size_t> n_trees;
    /// Maximum NN-descent rounds; default max(5, round(log2 n)).
    std::optional<std::size_t> n_iters;
    /// Candidates sampled per point and round (new and old each); default min(60, k).
    std::optional<std::size_t> max_candidates;
    /// Leaf size of the trees; default max(10, k).
    std::optional<std::size_t> leaf_size;
    double delta = 0.001;  ///< early stop: fewer than delta * k * n changes in a round
    std::uint64_t seed = 0;
    int num_threads = 1;  ///< 0 = all; the result does not depend on it
};

/// Approximate k nearest data rows of every data row (itself included).
KnnGraph nn_descent(const double* data, std::size_t n, std::size_t dim, const NnDescentOptions& options = {});

/// Fraction of the exact neighbour sets found: mean over rows of |approx_i ∩ exact_i| / k
/// (both graphs of the same n and k).
inline double knn_recall(const KnnGraph& approx, const KnnGraph& exact) {
    if (approx.n_queries != exact.n_queries) throw shape_mismatch("knn_recall: rows", exact.n_queries, approx.n_queries);
    if (approx.k != exact.k) throw shape_mismatch("knn_recall: k", exact.k, approx.k);
    const std::size_t k = exact.k;
    std::size_t hit = 0;
    std::vector<std::int32_t> a(k), b(k);
    for (std::size_t i = 0; i < exact.n_queries; ++i) {
        std::copy_n(approx.indices.begin() + static_cast<std::ptrdiff_t>(i * k), k, a.begin());
        std::copy_n(exact.indices.begin() + static_cast<std::ptrdiff_t>(i * k), k, b.begin());
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        std::vector<std::int32_t> c;
        std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(c));
        hit += c.size();
    }
    return exact.n_queries == 0 ? 1.0 : static_cast<double>(hit) / static_cast<double>(exact.n_queries * k);
}

}  // namespace musiclab::neighbors

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::detail {

/// n fixed-size max-heaps of (reduced distance, index, is-new flag); root = the worst kept.
class NeighborHeaps {
public:
    NeighborHeaps(std::size_t n, std::size_t k)
        : k_(k), dist_(n * k, std::numeric_limits<double>::infinity()), idx_(n * k, -1), flag_(n * k, 0) {}
    double top(std::size_t i) const noexcept { return dist_[i * k_]; }
    double* dist(std::size_t i) noexcept { return dist_.data() + i * k_; }
    std::int32_t* idx(std::size_t i) noexcept { return idx_.data() + i * k_; }
    std::uint8_t* flag(std::size_t i) noexcept { return flag_.data() + i * k_; }
    std::size_t k() const noexcept { return k_; }

    /// Inserts (d, j) into row i when better than the root and not present; returns whether it did.
    bool push(std::size_t i, double d, std::int32_t j, bool is_new) noexcept {
        double* ds = dist(i);
        std::int32_t* is = idx(i);
        std::uint8_t* fs = flag(i);
        if (!(d < ds[0])) return false;
        for (std::size_t t = 0; t < k_; ++t)
            if (is[t] == j) return false;
        std::size_t p = 0;  // sift the new item down from the root
        while (true) {
            const std::size_t l = 2 * p + 1, r = l + 1;
            if (l >= k_) break;
            std::size_t c = l;
            if (r < k_ && (ds[r] > ds[l] || (ds[r] == ds[l] && is[r] > is[l]))) c = r;
            if (ds[c] > d || (ds[c] == d && is[c] > j)) {
                ds[p] = ds[c];
                is[p] = is[c];
                fs[p] = fs[c];
                p = c;
            } else {
                break;
            }
        }
        ds[p] = d;
        is[p] = j;
        fs[p] = is_new ? 1 : 0;
        return true;
    }

private:
    std::size_t k_;
    std::vector<double> dist_;
    std::vector<std::int32_t> idx_;
    std::vector<std::uint8_t> flag_;
};

inline std::uint64_t mix64(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/// Leaves of one random-projection tree: every point's leaf id.
inline void rp_tree_leaves(const double* x, std::size_t dim, std::vector<std::int32_t>& order, std::size_t start,
                           std::size_t end, std::size_t leaf_size, Rng& rng, std::vector<std::int32_t>& leaf_of,
                           std::int32_t& next_leaf, std::vector<double>& normal) {
    if (end - start <= leaf_size) {
        for (std::size_t p = start; p < end; ++p) leaf_of[static_cast<std::size_t>(order[p])] = next_leaf;
        ++next_leaf;
        return;
    }
    const std::size_t m = end - start;
    const std::size_t a = start + rng.below(m);
    std::size_t b = start + rng.below(m - 1);
    if (b >= a) ++b;
    const double* pa = x + static_cast<std::size_t>(order[a]) * dim;
    const double* pb = x + static_cast<std::size_t>(order[b]) * dim;
    double offset = 0.0;
    for (std::size_t j = 0; j < dim; ++j) {
        normal[j] = pa[j] - pb[j];
        offset -= normal[j] * (pa[j] + pb[j]) * 0.5;
    }
    std::size_t lo = start, hi = end;  // partition: side > 0 to the front
    std::vector<std::int32_t> ties;
    std::vector<std::int32_t> left, right;
    left.reserve(m);
    right.reserve(m);
    for (std::size_t p = start; p < end; ++p) {
        const double* q = x + static_cast<std::size_t>(order[p]) * dim;
        double s = offset;
        for (std::size_t j = 0; j < dim; ++j) s += normal[j] * q[j];
        if (s > 0.0) left.push_back(order[p]);
        else if (s < 0.0) right.push_back(order[p]);
        else (rng.below(2) == 0 ? left : right).push_back(order[p]);
    }
    if (left.empty() || right.empty()) {  // degenerate (duplicates): split at random
        left.clear();
        right.clear();
        for (std::size_t p = start; p < end; ++p) (rng.below(2) == 0 ? left : right).push_back(order[p]);
        if (left.empty() || right.empty()) {
            left.assign(order.begin() + static_cast<std::ptrdiff_t>(start), order.begin() + static_cast<std::ptrdiff_t>(start + m / 2));
            right.assign(order.begin() + static_cast<std::ptrdiff_t>(start + m / 2), order.begin() + static_cast<std::ptrdiff_t>(end));
        }
    }
    std::copy(left.begin(), left.end(), order.begin() + static_cast<std::ptrdiff_t>(lo));
    std::copy(right.begin(), right.end(), order.begin() + static_cast<std::ptrdiff_t>(lo + left.size()));
    hi = lo + left.size();
    rp_tree_leaves(x, dim, order, start, hi, leaf_size, rng, leaf_of, next_leaf, normal);
    rp_tree_leaves(x, dim, order, hi, end, leaf_size, rng, leaf_of, next_leaf, normal);
}

}  // namespace musiclab::detail

namespace musiclab::neighbors {

inline KnnGraph nn_descent(const double* data, std::size_t n, std::size_t dim, const NnDescentOptions& options) {
    const std::size_t k = options.n_neighbors;
    if (dim == 0) throw invalid_parameter("dim", dim, ">= 1");
    if (k == 0 || k > n) throw invalid_parameter("n_neighbors", k, std::string("1 .. n = ") += std::to_string(n));
    if (!(options.delta >= 0.0)) throw invalid_parameter("delta", options.delta, ">= 0");
    detail::check_finite_rows(data, n, dim, "data");
    const int threads = resolve_threads(options.num_threads);
    const std::vector<double> rows = detail::metric_space_rows(data, n, dim, options.metric);
    const double* x = rows.data();
    const bool l1 = options.metric == Metric::manhattan;
    auto dist = [&](std::size_t a, std::size_t b) {
        return l1 ? detail::ManhattanDistance::reduced(x + a * dim, x + b * dim, dim)
                  : detail::EuclideanDistance::reduced(x + a * dim, x + b * dim, dim);
    };
    const auto nd = static_cast<double>(n);
    const std::size_t n_trees = options.n_trees.value_or(std::min<std::size_t>(64, 5 + static_cast<std::size_t>(std::lround(std::sqrt(nd) / 20.0))));
    const std::size_t n_iters = options.n_iters.value_or(std::max<std::size_t>(5, static_cast<std::size_t>(std::lround(std::log2(std::max(nd, 1.0))))));
    const std::size_t max_cand = std::max<std::size_t>(1, options.max_candidates.value_or(std::min<std::size_t>(60, k)));
    const std::size_t leaf_size = std::max<std::size_t>(2, options.leaf_size.value_or(std::max<std::size_t>(10, k)));

    // 1. random-projection trees (one Rng per tree, built in parallel)
    std::vector<std::vector<std::int32_t>> leaf_of(n_trees, std::vector<std::int32_t>(n, 0));
    std::vector<std::vector<std::int32_t>> leaf_members(n_trees);
    std::vector<std::vector<std::size_t>> leaf_start(n_trees);
    parallelize(threads, n_trees, [&](int, std::size_t s, std::size_t len) {
        std::vector<double> normal(dim);
        for (std::size_t t = s; t < s + len; ++t) {
            Rng rng(detail::mix64(options.seed * 0x9e3779b97f4a7c15ULL + t + 1));
            std::vector<std::int32_t> order(n);
            std::iota(order.begin(), order.end(), 0);
            std::int32_t leaves = 0;
            detail::rp_tree_leaves(x, dim, order, 0, n, leaf_size, rng, leaf_of[t], leaves, normal);
            // leaves are contiguous in `order` in leaf-id order
            leaf_start[t].assign(static_cast<std::size_t>(leaves) + 1, 0);
            for (std::size_t i = 0; i < n; ++i) ++leaf_start[t][static_cast<std::size_t>(leaf_of[t][i]) + 1];
            for (std::size_t l = 0; l < static_cast<std::size_t>(leaves); ++l) leaf_start[t][l + 1] += leaf_start[t][l];
            leaf_members[t] = std::move(order);
        }
    });
    detail::NeighborHeaps heaps(n, k);
    parallelize(threads, n, [&](int, std::size_t s, std::size_t len) {
        for (std::size_t i = s; i < s + len; ++i) {
            heaps.push(i, 0.0, static_cast<std::int32_t>(i), true);
            for (std::size_t t = 0; t < n_trees; ++t) {
                const auto l = static_cast<std::size_t>(leaf_of[t][i]);
                for (std::size_t p = leaf_start[t][l]; p < leaf_start[t][l + 1]; ++p) {
                    const auto j = static_cast<std::size_t>(leaf_members[t][p]);
                    if (j != i) heaps.push(i, dist(i, j), static_cast<std::int32_t>(j), true);
                }
            }
            // fill rows the trees left short with hashed random points
            std::uint64_t h = detail::mix64(options.seed ^ (i * 0x9e3779b97f4a7c15ULL));
            for (std::size_t tries = 0; heaps.idx(i)[0] < 0 && tries < 4 * k + 16; ++tries) {
                h = detail::mix64(h + 1);
                const std::size_t j = static_cast<std::size_t>(h % n);
                heaps.push(i, dist(i, j), static_cast<std::int32_t>(j), true);
            }
            if (heaps.idx(i)[0] < 0)  // tiny n: take points in order
                for (std::size_t j = 0; j < n && heaps.idx(i)[0] < 0; ++j) heaps.push(i, dist(i, j), static_cast<std::int32_t>(j), true);
        }
    });
    leaf_of.clear();
    leaf_members.clear();

    // 2. NN-descent rounds
    struct Update {
        std::int32_t a, b;
        double d;
    };
    std::vector<std::int32_t> new_c(n * max_cand), old_c(n * max_cand);
    std::vector<std::uint64_t> new_p(n * max_cand), old_p(n * max_cand);
    std::vector<std::uint32_t> new_n(n), old_n(n);
    const int workers = std::max(1, std::min<int>(threads, static_cast<int>(n)));
    std::vector<std::vector<Update>> updates(static_cast<std::size_t>(workers));
    auto add_cand = [&](std::vector<std::int32_t>& c, std::vector<std::uint64_t>& pr, std::vector<std::uint32_t>& cnt,
                        std::size_t i, std::int32_t j, std::uint64_t priority) {
        std::int32_t* ci = c.data() + i * max_cand;
        std::uint64_t* pi = pr.data() + i * max_cand;
        std::uint32_t& m = cnt[i];
        for (std::uint32_t t = 0; t < m; ++t)
            if (ci[t] == j) return;
        if (m < max_cand) {
            ci[m] = j;
            pi[m] = priority;
            ++m;
            return;
        }
        std::size_t worst = 0;  // keep the max_cand smallest priorities
        for (std::size_t t = 1; t < max_cand; ++t)
            if (pi[t] > pi[worst]) worst = t;
        if (priority < pi[worst]) {
            ci[worst] = j;
            pi[worst] = priority;
        }
    };
    for (std::size_t iter = 0; iter < n_iters; ++iter) {
        std::fill(new_n.begin(), new_n.end(), 0u);
        std::fill(old_n.begin(), old_n.end(), 0u);
        const std::uint64_t salt = detail::mix64(options.seed + 0x51ed27ULL * (iter + 1));
        for (std::size_t i = 0; i < n; ++i) {
            const std::int32_t* is = heaps.idx(i);
            const std::uint8_t* fs = heaps.flag(i);
            for (std::size_t t = 0; t < k; ++t) {
                if (is[t] < 0) continue;
                const auto j = static_cast<std::size_t>(is[t]);
                const std::uint64_t pr = detail::mix64(salt ^ (i * 0x100000001b3ULL + j));
                if (fs[t]) {
                    add_cand(new_c, new_p, new_n, i, is[t], pr);
                    add_cand(new_c, new_p, new_n, j, static_cast<std::int32_t>(i), pr);
                } else {
                    add_cand(old_c, old_p, old_n, i, is[t], pr);
                    add_cand(old_c, old_p, old_n, j, static_cast<std::int32_t>(i), pr);
                }
            }
        }
        // sampled new neighbours become old
        for (std::size_t i = 0; i < n; ++i) {
            const std::int32_t* is = heaps.idx(i);
            std::uint8_t* fs = heaps.flag(i);
            const std::int32_t* ci = new_c.data() + i * max_cand;
            for (std::size_t t = 0; t < k; ++t)
                if (fs[t])
                    for (std::uint32_t u = 0; u < new_n[i]; ++u)
                        if (ci[u] == is[t]) {
                            fs[t] = 0;
                            break;
                        }
        }
        // local joins into per-worker buffers (heaps are read only here)
        parallelize(workers, n, [&](int w, std::size_t s, std::size_t len) {
            auto& out = updates[static_cast<std::size_t>(w)];
            out.clear();
            for (std::size_t i = s; i < s + len; ++i) {
                const std::int32_t* nc = new_c.data() + i * max_cand;
                const std::int32_t* oc = old_c.data() + i * max_cand;
                for (std::uint32_t u = 0; u < new_n[i]; ++u) {
                    const auto p = static_cast<std::size_t>(nc[u]);
                    for (std::uint32_t v = u + 1; v < new_n[i]; ++v) {
                        const auto q = static_cast<std::size_t>(nc[v]);
                        const double d = dist(p, q);
                        if (d < heaps.top(p) || d < heaps.top(q)) out.push_back({nc[u], nc[v], d});
                    }
                    for (std::uint32_t v = 0; v < old_n[i]; ++v) {
                        const auto q = static_cast<std::size_t>(oc[v]);
                        if (q == p) continue;
                        const double d = dist(p, q);
                        if (d < heaps.top(p) || d < heaps.top(q)) out.push_back({nc[u], oc[v], d});
                    }
                }
            }
        });
        // apply: each worker owns a range of target points and scans all buffers in order
        std::vector<std::size_t> changed(static_cast<std::size_t>(workers), 0);
        parallelize(workers, n, [&](int w, std::size_t s, std::size_t len) {
            std::size_t c = 0;
            for (const auto& buf : updates)
                for (const Update& u : buf) {
                    const auto a = static_cast<std::size_t>(u.a), b = static_cast<std::size_t>(u.b);
                    if (a >= s && a < s + len) c += heaps.push(a, u.d, u.b, true) ? 1 : 0;
                    if (b >= s && b < s + len) c += heaps.push(b, u.d, u.a, true) ? 1 : 0;
                }
            changed[static_cast<std::size_t>(w)] = c;
        });
        const std::size_t total = std::accumulate(changed.begin(), changed.end(), std::size_t{0});
        if (static_cast<double>(total) <= options.delta * static_cast<double>(k) * nd) break;
    }

    // 3. sorted rows in metric units
    KnnGraph g;
    g.n_queries = n;
    g.k = k;
    g.indices.resize(n * k);
    g.distances.resize(n * k);
    parallelize(threads, n, [&](int, std::size_t s, std::size_t len) {
        std::vector<std::pair<double, std::int32_t>> items(k);
        for (std::size_t i = s; i < s + len; ++i) {
            for (std::size_t t = 0; t < k; ++t) {
                const std::int32_t j = heaps.idx(i)[t];
                double d = std::numeric_limits<double>::infinity();
                if (j >= 0) {
                    if (options.metric == Metric::euclidean) d = std::sqrt(heaps.dist(i)[t]);
                    else if (l1) d = heaps.dist(i)[t];
                    else d = detail::metric_space_distance(x + i * dim, x + static_cast<std::size_t>(j) * dim, dim, options.metric);
                }
                items[t] = {d, j};
            }
            std::sort(items.begin(), items.end());
            for (std::size_t t = 0; t < k; ++t) {
                g.distances[i * k + t] = items[t].first;
                g.indices[i * k + t] = items[t].second;
            }
        }
    });
    return g;
}

}  // namespace musiclab::neighbors
