// Internals of musiclab/cluster/hdbscan.hpp: core distances (k-d tree or brute force), the
// mutual-reachability minimum spanning tree (dense Prim in hdbscan's exact scan order, and
// Boruvka over the k-d tree with a strict total order on edges), and an argsort with numpy
// 1.24's default (introsort) permutation, so that equal weights are merged in the reference's
// order.
#pragma once

#include "../../core/parallel.hpp"
#include "../hierarchy.hpp"
#include "projected_scan.hpp"
#include "float_bound.hpp"
#include "../../neighbors/detail/kd_tree.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <type_traits>
#include <vector>

namespace musiclab::detail {

// ---------------------------------------------------------------------------------------------
// numpy.argsort(kind='quicksort') for float64 as numpy 1.24 does it: introsort (median of three,
// insertion sort for 16 elements or fewer, heapsort past a depth of 2*floor(log2 n)); NaN sorts last.
// Written from the algorithm's description; the permutation (not only the sorted values) is what
// matters here: it decides the merge order of equal MST weights.
inline bool np_less(double a, double b) noexcept { return a < b || (b != b && a == a); }

/// Sift-down of numpy's heapsort on the 1-based heap a[1..n]: puts `item` at slot i or below.
inline void np_sift_down(const double* v, std::int64_t* a, std::int64_t i, std::int64_t n, std::int64_t item) noexcept {
    for (std::int64_t j = i << 1; j <= n; j += j) {
        if (j < n && np_less(v[a[j]], v[a[j + 1]])) j += 1;
        if (!np_less(v[item], v[a[j]])) break;
        a[i] = a[j];
        i = j;
    }
    a[i] = item;
}

inline void np_aheapsort(const double* v, std::int64_t* tosort, std::int64_t n) {
    std::int64_t* a = tosort - 1;  // 1-based
    for (std::int64_t l = n >> 1; l > 0; --l) np_sift_down(v, a, l, n, a[l]);
    for (; n > 1;) {
        const std::int64_t item = a[n];
        a[n] = a[1];
        n -= 1;
        np_sift_down(v, a, 1, n, item);
    }
}

inline std::vector<std::int64_t> numpy_argsort(const std::vector<double>& values) {
    const auto num = static_cast<std::int64_t>(values.size());
    std::vector<std::int64_t> order(values.size());
    std::iota(order.begin(), order.end(), std::int64_t{0});
    if (num < 2) return order;
    const double* v = values.data();
    constexpr std::int64_t small = 15;  // numpy SMALL_QUICKSORT
    std::int64_t* pl = order.data();
    std::int64_t* pr = order.data() + num - 1;
    std::vector<std::int64_t*> stack;
    std::vector<int> depth;
    int msb = 0;
    for (auto u = static_cast<std::uint64_t>(num); u >>= 1;) ++msb;
    int cdepth = msb * 2;
    for (;;) {
        if (cdepth < 0) {
            np_aheapsort(v, pl, pr - pl + 1);
        } else {
            while ((pr - pl) > small) {
                std::int64_t* pm = pl + ((pr - pl) >> 1);
                if (np_less(v[*pm], v[*pl])) std::swap(*pm, *pl);
                if (np_less(v[*pr], v[*pm])) std::swap(*pr, *pm);
                if (np_less(v[*pm], v[*pl])) std::swap(*pm, *pl);
                const double vp = v[*pm];
                std::int64_t* pi = pl;
                std::int64_t* pj = pr - 1;
                std::swap(*pm, *pj);
                for (;;) {
                    do ++pi;
                    while (np_less(v[*pi], vp));
                    do --pj;
                    while (np_less(vp, v[*pj]));
                    if (pi >= pj) break;
                    std::swap(*pi, *pj);
                }
                std::int64_t* pk = pr - 1;
                std::swap(*pi, *pk);
                if (pi - pl < pr - pi) {
                    stack.push_back(pi + 1);
                    stack.push_back(pr);
                    pr = pi - 1;
                } else {
                    stack.push_back(pl);
                    stack.push_back(pi - 1);
                    pl = pi + 1;
                }
                depth.push_back(--cdepth);
            }
            for (std::int64_t* pi = pl + 1; pi <= pr; ++pi) {
                const std::int64_t vi = *pi;
                const double vp = v[vi];
                std::int64_t* pj = pi;
                std::int64_t* pk = pi - 1;
                while (pj > pl && np_less(vp, v[*pk])) *pj-- = *pk--;
                *pj = vi;
            }
        }
        if (stack.empty()) break;
        pr = stack.back();
        stack.pop_back();
        pl = stack.back();
        stack.pop_back();
        cdepth = depth.back();
        depth.pop_back();
    }
    return order;
}

// ---------------------------------------------------------------------------------------------
// Row-major point set view.
struct Points {
    const double* data = nullptr;
    std::size_t n = 0;
    std::size_t dim = 0;
    const double* row(std::size_t i) const noexcept { return data + i * dim; }
};

/// k nearest neighbours (self included, k <= n) of every point, in tree order: dist[p*k + t] and
/// pos[p*k + t] (a tree position) for the point at tree position p, ascending. Via the k-d tree,
/// contiguous ranges of tree positions across workers.
template <class Metric>
void knn_all_kdtree(const KdTree& tree, std::size_t k, int threads, std::vector<double>& dist,
                    std::vector<std::size_t>& pos, std::size_t min_points_per_worker = 20000) {
    const std::size_t n = tree.size();
    dist.assign(n * k, 0.0);
    pos.assign(n * k, 0);
    // a query costs about dim times more in many dimensions: split sooner there
    const std::size_t per_worker = std::max<std::size_t>(1, min_points_per_worker * 3 / std::max<std::size_t>(tree.dim(), 3));
    const int workers = std::max(1, std::min<int>(threads, static_cast<int>(n / per_worker)));
    musiclab::parallelize(workers, n, [&](int, std::size_t start, std::size_t len) {
        KnnHeap heap;
        for (std::size_t p = start; p < start + len; ++p)
            tree.knn<Metric>(tree.point(p), k, heap, dist.data() + p * k, pos.data() + p * k);
    });
}

/// Exact k-NN of every point (self included) with DistanceBounds (Euclidean, >= 9 dimensions).
/// A query first takes exact distances to its own block (a radius r: the k-th of them), then
/// one streamed pass of the projected bound over all points returns the few that r does not rule
/// out; those go through the float bound of all coordinates (with the radius as it shrinks) and
/// the rest get the exact distance. Rule-outs are strict and the list keeps the (distance, row)
/// smallest, so the lists equal the plain brute-force scan's, neighbour rows included. Query
/// blocks are split across workers.
template <class Metric>
void knn_all_blocked(const Points& x, std::size_t k, int threads, const DistanceBounds& bounds, std::vector<double>& dist,
                     std::vector<std::size_t>& idx) {
    const std::size_t n = x.n;
    dist.assign(n * k, 0.0);
    idx.assign(n * k, 0);
    const FloatBound& pb = bounds.projected.bound();
    // every query block must hold >= k points, or its own radius is infinite and the projected
    // pass rules nothing out: leaves of a split at 2k hold more than k
    std::size_t smallest = n;
    for (std::size_t blk = 0; blk < bounds.blocks.num_blocks(); ++blk) smallest = std::min(smallest, bounds.blocks.end(blk) - bounds.blocks.begin(blk));
    ProjectedBlocks larger;
    if (smallest < k) larger = ProjectedBlocks(pb, std::max<std::size_t>(32, 2 * k));
    const ProjectedBlocks& blocks = smallest < k ? larger : bounds.blocks;
    const FloatBound& fb = bounds.full;
    const ProjectedColumns columns(pb, bounds.projected.dims());
    const auto& order = blocks.order();
    double max_slack = 0.0;
    for (std::size_t j = 0; j < n; ++j) max_slack = std::max(max_slack, fb.slack(j));
    std::size_t widest = 0;
    for (std::size_t blk = 0; blk < blocks.num_blocks(); ++blk) widest = std::max(widest, blocks.end(blk) - blocks.begin(blk));
    musiclab::parallelize(threads, blocks.num_blocks(), [&](int, std::size_t start, std::size_t len) {
        using List = std::vector<std::pair<double, std::size_t>>;  // ascending (reduced distance, row), at most k
        std::vector<List> lists(widest);
        std::vector<std::vector<std::uint32_t>> slots(widest, std::vector<std::uint32_t>(n));
        std::vector<std::uint32_t*> slot_ptr(widest);
        for (std::size_t t = 0; t < widest; ++t) slot_ptr[t] = slots[t].data();
        std::vector<const float*> qs(widest);
        std::vector<float> thr(widest);
        std::vector<std::size_t> counts(widest), rows(n);
        std::vector<float> s(n);
        auto radius = [&](const List& list) {
            return list.size() == k ? std::sqrt(list.back().first) : std::numeric_limits<double>::infinity();
        };
        auto offer = [&](List& list, std::size_t i, const std::size_t* cand, std::size_t m) {  // float bound, then exact
            fb.sq_dists(i, cand, m, s.data());
            double r = radius(list);
            // s >= cut: the exact distance is > r for any j (skip_threshold with the largest slack)
            float cut = std::isfinite(r) ? skip_threshold(fb, r, i, max_slack, true) : std::numeric_limits<float>::infinity();
            for (std::size_t c = 0; c < m; ++c) {
                const std::size_t j = cand[c];
                if (s[c] >= cut || fb.rules_out_strictly(s[c], r, i, j)) continue;  // exact distance > the k-th
                const double d = Metric::reduced(x.row(i), x.row(j), x.dim);
                if (list.size() == k) {
                    if (!(d < list.back().first || (d == list.back().first && j < list.back().second))) continue;
                    list.pop_back();
                }
                const std::pair<double, std::size_t> item{d, j};
                list.insert(std::upper_bound(list.begin(), list.end(), item), item);
                r = radius(list);
                if (std::isfinite(r)) cut = skip_threshold(fb, r, i, max_slack, true);
            }
        };
        for (std::size_t qb = start; qb < start + len; ++qb) {
            const std::size_t b0 = blocks.begin(qb), nq = blocks.end(qb) - b0;
            // each query's own block first: its radius
            for (std::size_t t = 0; t < nq; ++t) {
                const std::size_t i = order[b0 + t];
                lists[t].clear();
                lists[t].reserve(k + 1);
                offer(lists[t], i, order.data() + b0, nq);
                const double r = radius(lists[t]);
                qs[t] = pb.row(i);
                thr[t] = std::isfinite(r) ? skip_threshold(pb, r, i, columns.max_slack(), true) : std::numeric_limits<float>::infinity();
            }
            // one pass of the projected bound over all points for the whole block
            columns.candidates_many(qs.data(), nq, thr.data(), slot_ptr.data(), counts.data());
            for (std::size_t t = 0; t < nq; ++t) {
                const std::size_t i = order[b0 + t];
                std::size_t count = 0;
                for (std::size_t c = 0; c < counts[t]; ++c) {
                    const std::size_t j = columns.row(slots[t][c]);
                    if (blocks.block_of(j) != qb) rows[count++] = j;
                }
                offer(lists[t], i, rows.data(), count);
                for (std::size_t u = 0; u < k; ++u) {
                    dist[i * k + u] = Metric::to_distance(lists[t][u].first);
                    idx[i * k + u] = lists[t][u].second;
                }
            }
        }
    });
}

/// Same by brute force (exact, O(n^2 dim)), in blocks of rows for cache reuse. Euclidean in 16
/// or more dimensions goes through knn_all_blocked when the bounds are usable (bounds: built
/// here when not given): the same lists, many times faster. float_filter = false forces the
/// plain scan (tests).
template <class Metric>
void knn_all_brute(const Points& x, std::size_t k, int threads, std::vector<double>& dist, std::vector<std::size_t>& idx,
                   bool float_filter = true, const DistanceBounds* bounds = nullptr) {
    const std::size_t n = x.n;
    if (std::is_same_v<Metric, EuclideanDistance> && float_filter && x.dim >= 16) {
        std::unique_ptr<DistanceBounds> own;
        if (bounds == nullptr) bounds = (own = std::make_unique<DistanceBounds>(x.data, n, x.dim)).get();
        if (bounds->usable()) return knn_all_blocked<Metric>(x, k, threads, *bounds, dist, idx);
    }
    dist.assign(n * k, 0.0);
    idx.assign(n * k, 0);
    constexpr std::size_t block = 32;
    const std::size_t nblocks = (n + block - 1) / block;
    musiclab::parallelize(threads, nblocks, [&](int, std::size_t start, std::size_t len) {
        std::vector<KnnHeap> heaps(block);
        for (std::size_t b = start; b < start + len; ++b) {
            const std::size_t i0 = b * block, i1 = std::min(n, i0 + block);
            for (std::size_t i = i0; i < i1; ++i) heaps[i - i0].reset(k);
            for (std::size_t j = 0; j < n; ++j) {
                const double* xj = x.row(j);
                for (std::size_t i = i0; i < i1; ++i) {
                    const double d = Metric::reduced(x.row(i), xj, x.dim);
                    KnnHeap& h = heaps[i - i0];
                    if (d < h.worst()) h.push(d, j);
                }
            }
            for (std::size_t i = i0; i < i1; ++i) {
                auto& items = heaps[i - i0].sorted();
                for (std::size_t t = 0; t < k; ++t) {
                    dist[i * k + t] = Metric::to_distance(items[t].first);
                    idx[i * k + t] = items[t].second;
                }
            }
        }
    });
}

/// prim_mst with DistanceBounds (Euclidean, >= 9 dimensions): the same steps, comparisons and
/// edges as the reference scan. Every remaining point j has a threshold on its float squared
/// projected distance (ProjectedColumns) at and above which the exact distance / alpha is >=
/// cur[j], so the reference keeps cur[j] (threshold 0 once core[j] >= cur[j]: then it keeps it
/// whatever the distance). A step streams the projected rows of the remaining points once; the
/// few below their threshold go through prim_mst's per-pair tests (core distances, float bound
/// of all coordinates, exact distance). The next point is the lexicographic (cur, row) minimum
/// over the remaining points -- the reference's first strict minimum in row order. Sequential.
template <class Metric>
std::vector<cluster::MstEdge> prim_mst_blocked(const Points& x, const std::vector<double>& core, double alpha,
                                               const DistanceBounds& bounds) {
    const std::size_t n = x.n;
    std::vector<cluster::MstEdge> out;
    out.reserve(n - 1);
    const FloatBound& pb = bounds.projected.bound();
    const FloatBound& fb = bounds.full;
    ProjectedColumns columns(pb, bounds.projected.dims());
    constexpr double inf = std::numeric_limits<double>::infinity();
    std::vector<double> cur(n, inf);
    std::vector<std::int64_t> src(n, 1);
    std::vector<double> cur_slot(n, inf);  // cur by slot of `columns`, for the minimum
    std::vector<std::uint32_t> slots(n);
    std::vector<std::size_t> rows(n);
    std::vector<float> s(n);
    // the (cur, row) minimum of each chunk of 256 slots
    constexpr std::size_t chunk = 256;
    const std::size_t num_chunks = (n + chunk - 1) / chunk;
    constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
    std::vector<double> chunk_val(num_chunks, inf);
    std::vector<std::size_t> chunk_row(num_chunks, none);
    auto less = [](double v, std::size_t r, double w, std::size_t q) { return v < w || (v == w && r < q); };
    auto rescan = [&](std::size_t c) {
        double v = inf;
        std::size_t r = none;
        for (std::size_t t = c * chunk, e = std::min(columns.size(), t + chunk); t < e; ++t)
            if (less(cur_slot[t], columns.row(t), v, r)) {
                v = cur_slot[t];
                r = columns.row(t);
            }
        chunk_val[c] = v;
        chunk_row[c] = r;
    };
    for (std::size_t c = 0; c < num_chunks; ++c) rescan(c);
    auto drop = [&](std::size_t row) {  // columns moves its last slot into row's slot
        const std::size_t slot = columns.slot(row), last = columns.size() - 1;
        columns.remove(row);
        cur_slot[slot] = cur_slot[last];
        rescan(slot / chunk);
        if (last / chunk != slot / chunk) rescan(last / chunk);
    };
    drop(0);
    std::size_t current = 0;
    for (std::size_t step = 1; step < n; ++step) {
        const double cc = core[current];
        const double* xc = x.row(current);
        const std::size_t m = columns.candidates(pb.row(current), true, 0.0f, slots.data());
        std::size_t count = 0;
        for (std::size_t c = 0; c < m; ++c) {
            const std::size_t j = columns.row(slots[c]);
            if (!(cc >= cur[j] || core[j] >= cur[j])) rows[count++] = j;  // else cur[j] stays
        }
        fb.sq_dists(current, rows.data(), count, s.data());
        for (std::size_t c = 0; c < count; ++c) {
            const std::size_t j = rows[c];
            const double right = cur[j];
            if (fb.rules_out(s[c], right * alpha, current, j)) continue;
            // the reference's comparisons for one j
            double left = Metric::to_distance(Metric::reduced(xc, x.row(j), x.dim));
            if (alpha != 1.0) left /= alpha;
            if (left > right) continue;
            const double cj = core[j];
            if (cj > cc) {
                if (cj > left) left = cj;
            } else if (cc > left) {
                left = cc;
            }
            if (left < right) {
                cur[j] = left;
                src[j] = static_cast<std::int64_t>(current);
                const std::size_t t = columns.slot(j);
                cur_slot[t] = left;
                if (less(left, j, chunk_val[t / chunk], chunk_row[t / chunk])) {
                    chunk_val[t / chunk] = left;
                    chunk_row[t / chunk] = j;
                }
                columns.set_threshold(j, cj >= left ? 0.0f : skip_threshold(pb, left * alpha, j, columns.max_slack()));
            }
        }
        // the lexicographic (cur, row) minimum
        std::size_t best = 0;
        for (std::size_t c = 1; c < num_chunks; ++c)
            if (less(chunk_val[c], chunk_row[c], chunk_val[best], chunk_row[best])) best = c;
        const std::size_t next = chunk_row[best];
        out.push_back(cluster::MstEdge{src[next], static_cast<std::int64_t>(next), cur[next]});
        drop(next);
        current = next;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
/// hdbscan's mst_linkage_core_vector: dense Prim from point 0 over the implicit
/// mutual-reachability graph, O(n^2 dim) time, O(n) memory. Scan order and comparisons are the
/// reference's, so with bit-identical distances it returns the reference's edges in its order.
/// With threads > 1 each step's scan is split into contiguous ranges whose (distance, position)
/// minima are combined in order: the same result as the sequential scan.
///
/// Euclidean in 16 or more dimensions goes through prim_mst_blocked when the bounds are usable
/// (bounds: built here when not given; sequential): the same edges, many times faster.
/// float_filter = false forces the plain scan (tests).
template <class Metric>
std::vector<cluster::MstEdge> prim_mst(const Points& x, const std::vector<double>& core, double alpha, int threads = 1,
                                       std::size_t min_parallel_work = 4000000, bool float_filter = true,
                                       const DistanceBounds* bounds = nullptr) {
    const std::size_t n = x.n;
    std::vector<cluster::MstEdge> out;
    if (n < 2) return out;
    if (std::is_same_v<Metric, EuclideanDistance> && float_filter && x.dim >= 16) {
        std::unique_ptr<DistanceBounds> own;
        if (bounds == nullptr) bounds = (own = std::make_unique<DistanceBounds>(x.data, n, x.dim)).get();
        if (bounds->usable()) return prim_mst_blocked<Metric>(x, core, alpha, *bounds);
    }
    out.reserve(n - 1);
    std::vector<double> cur(n, std::numeric_limits<double>::infinity());
    std::vector<std::int64_t> src(n, 1);
    std::vector<std::size_t> remaining(n - 1);  // not yet in the tree, ascending
    std::iota(remaining.begin(), remaining.end(), std::size_t{1});
    struct Best {
        double value = std::numeric_limits<double>::max();
        std::int64_t source = 0;
        std::size_t pos = 0;
        bool any = false;
    };
    const int workers = std::max(threads, 1);
    std::vector<Best> partial(static_cast<std::size_t>(std::max(workers, 1)));
    std::size_t current = 0;
    for (std::size_t step = 1; step < n; ++step) {
        const double cc = core[current];
        const double* xc = x.row(current);
        auto scan = [&](int worker, std::size_t start, std::size_t len) {
            Best b;
            // (value, position) lexicographic minimum == the sequential scan's first strict minimum
            auto offer = [&](double v, std::int64_t source, std::size_t t) {
                if (!b.any || v < b.value || (v == b.value && t < b.pos)) b = Best{v, source, t, true};
            };
            auto finish = [&](std::size_t t, double d) {  // the reference's comparisons for one j
                const std::size_t j = remaining[t];
                const double right = cur[j];
                const double cj = core[j];
                double left = Metric::to_distance(d);
                if (alpha != 1.0) left /= alpha;
                if (left > right) {
                    offer(right, src[j], t);
                    return;
                }
                if (cj > cc) {
                    if (cj > left) left = cj;
                } else if (cc > left) {
                    left = cc;
                }
                if (left < right) {
                    cur[j] = left;
                    src[j] = static_cast<std::int64_t>(current);
                    offer(left, static_cast<std::int64_t>(current), t);
                } else {
                    offer(right, src[j], t);
                }
            };
            for (std::size_t t = start; t < start + len; ++t) {
                const std::size_t j = remaining[t];
                const double right = cur[j];
                if (cc >= right || core[j] >= right) {
                    // the reference keeps `right` here whatever the distance (max(cc, cj, d) is
                    // not below it): skip computing d
                    offer(right, src[j], t);
                    continue;
                }
                finish(t, Metric::reduced(xc, x.row(j), x.dim));
            }
            partial[static_cast<std::size_t>(worker)] = b;
        };
        for (auto& b : partial) b = Best{};
        // A step's scan is split only when it is long: each split costs a synchronisation,
        // which on a busy machine can cost far more than the scan.
        if (workers > 1 && remaining.size() * x.dim >= min_parallel_work)
            musiclab::parallelize(workers, remaining.size(), scan);
        else
            scan(0, 0, remaining.size());
        Best best;
        for (const auto& b : partial)  // ranges are in order: strict < keeps the first minimum
            if (b.any && (!best.any || b.value < best.value)) best = b;
        const std::size_t next = remaining[best.pos];
        out.push_back(cluster::MstEdge{best.source, static_cast<std::int64_t>(next), best.value});
        remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(best.pos));
        current = next;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Boruvka over the k-d tree. Edges are compared by (weight, min end, max end) (input rows), a
// strict total order, so the minimum spanning tree is unique and Boruvka finds exactly it,
// whatever the thread count.
struct EdgeKey {
    double w = std::numeric_limits<double>::infinity();
    std::int64_t lo = std::numeric_limits<std::int64_t>::max();
    std::int64_t hi = std::numeric_limits<std::int64_t>::max();
    std::int64_t a = -1, b = -1;  // ends as found (a = the querying side)
    bool operator<(const EdgeKey& o) const noexcept {
        if (w != o.w) return w < o.w;
        if (lo != o.lo) return lo < o.lo;
        return hi < o.hi;
    }
    static EdgeKey make(double w, std::int64_t a, std::int64_t b) noexcept {
        return EdgeKey{w, std::min(a, b), std::max(a, b), a, b};
    }
};

/// Borůvka over the k-d tree. nb / nbd: the k-NN lists in tree order (knn_all_kdtree's output).
template <class Metric>
std::vector<cluster::MstEdge> boruvka_mst(const KdTree& tree, const std::vector<double>& core_by_row,
                                          const std::vector<std::size_t>& nb, const std::vector<double>& nbd,
                                          std::size_t k, double alpha, int threads,
                                          std::size_t min_points_per_worker = 20000) {
    const std::size_t n = tree.size();
    const std::size_t dim = tree.dim();
    std::vector<cluster::MstEdge> out;
    if (n < 2) return out;
    out.reserve(n - 1);
    const auto& nodes = tree.nodes();
    // Each round synchronises twice; below ~20,000 points per worker that costs more than it
    // saves on a busy machine (the result does not depend on the worker count).
    const int workers = std::max(1, std::min<int>(threads, static_cast<int>(n / std::max<std::size_t>(1, min_points_per_worker))));
    // Everything by tree position p; input rows only for the tie key.
    std::vector<double> core(n);
    std::vector<std::int64_t> row(n);
    std::vector<std::size_t> pos_of_row(n);
    for (std::size_t p = 0; p < n; ++p) {
        row[p] = static_cast<std::int64_t>(tree.index(p));
        core[p] = core_by_row[tree.index(p)];
        pos_of_row[tree.index(p)] = p;
    }
    std::vector<double> node_min_core(nodes.size());
    for (std::size_t v = nodes.size(); v-- > 0;) {
        const auto& nd = nodes[v];
        if (nd.left < 0) {
            double m = std::numeric_limits<double>::infinity();
            for (std::size_t p = nd.start; p < nd.end; ++p) m = std::min(m, core[p]);
            node_min_core[v] = m;
        } else {
            node_min_core[v] = std::min(node_min_core[static_cast<std::size_t>(nd.left)],
                                        node_min_core[static_cast<std::size_t>(nd.right)]);
        }
    }
    auto mrd = [&](std::size_t p, std::size_t q, double d) {
        const double w = alpha != 1.0 ? d / alpha : d;
        return std::max(w, std::max(core[p], core[q]));
    };
    // union-find over tree positions; comp[p] = the root (smallest position of the component)
    std::vector<std::size_t> uf(n);
    std::iota(uf.begin(), uf.end(), std::size_t{0});
    auto find = [&](std::size_t x) {
        while (uf[x] != x) {
            uf[x] = uf[uf[x]];
            x = uf[x];
        }
        return x;
    };
    std::vector<std::int64_t> comp(n);
    std::vector<std::int64_t> node_comp(nodes.size());
    std::vector<EdgeKey> comp_best(n), cand(n);
    // point_lb[p]: a lower bound on any edge from p to another component (stays valid, since
    // components only merge); inside[p]: p's whole k-NN list is in its component (stays true);
    // settled[p]: this round, p's best edge is in its k-NN list (every point outside the list
    // is at least the list's last distance away).
    std::vector<double> point_lb(n, 0.0);
    std::vector<char> inside(n, 0), settled(n, 0);
    std::vector<std::vector<EdgeKey>> local(static_cast<std::size_t>(workers));
    std::size_t num_components = n;
    while (num_components > 1) {
        for (std::size_t p = 0; p < n; ++p) comp[p] = static_cast<std::int64_t>(find(p));
        for (std::size_t v = nodes.size(); v-- > 0;) {
            const auto& nd = nodes[v];
            if (nd.left < 0) {
                std::int64_t c = comp[nd.start];
                for (std::size_t p = nd.start + 1; p < nd.end && c >= 0; ++p)
                    if (comp[p] != c) c = -1;
                node_comp[v] = c;
            } else {
                const std::int64_t a = node_comp[static_cast<std::size_t>(nd.left)];
                node_comp[v] = (a >= 0 && a == node_comp[static_cast<std::size_t>(nd.right)]) ? a : -1;
            }
        }
        // k-NN candidates per point (parallel), then the per-component upper bound.
        musiclab::parallelize(workers, n, [&](int, std::size_t start, std::size_t len) {
            for (std::size_t p = start; p < start + len; ++p) {
                cand[p] = EdgeKey{};
                settled[p] = 0;
                if (inside[p]) continue;
                bool all_inside = true;
                for (std::size_t t = 0; t < k; ++t) {
                    const std::size_t q = nb[p * k + t];
                    if (comp[q] == comp[p]) continue;
                    all_inside = false;
                    const EdgeKey e = EdgeKey::make(mrd(p, q, nbd[p * k + t]), row[p], row[q]);
                    if (e < cand[p]) cand[p] = e;
                }
                inside[p] = all_inside ? 1 : 0;
                double outside = nbd[p * k + k - 1];
                if (alpha != 1.0) outside /= alpha;
                settled[p] = cand[p].w < std::max(core[p], outside) ? 1 : 0;
            }
        });
        for (std::size_t c = 0; c < n; ++c) comp_best[c] = EdgeKey{};
        for (std::size_t p = 0; p < n; ++p)
            if (cand[p] < comp_best[static_cast<std::size_t>(comp[p])]) comp_best[static_cast<std::size_t>(comp[p])] = cand[p];
        // k-d tree search for the rest, pruned by the component's bound, which each worker
        // tightens as it goes (pruning is strict, so the per-component minimum does not depend
        // on the split into workers).
        musiclab::parallelize(workers, n, [&](int worker, std::size_t start, std::size_t len) {
            std::vector<EdgeKey>& lbest = local[static_cast<std::size_t>(worker)];
            lbest = comp_best;
            std::vector<std::size_t> stack;
            for (std::size_t p = start; p < start + len; ++p) {
                if (settled[p]) continue;
                const std::int64_t c = comp[p];
                EdgeKey& best = lbest[static_cast<std::size_t>(c)];
                const double cp = core[p];
                if (cp > best.w || point_lb[p] > best.w) continue;
                const double* q = tree.point(p);
                const EdgeKey before = best;
                stack.clear();
                stack.push_back(0);
                while (!stack.empty()) {
                    const std::size_t v = stack.back();
                    stack.pop_back();
                    if (node_comp[v] == c || node_min_core[v] > best.w) continue;
                    double lb = Metric::to_distance(Metric::box_reduced(q, tree.lower(v), tree.upper(v), dim));
                    if (alpha != 1.0) lb /= alpha;
                    if (lb > best.w) continue;
                    const auto& nd = nodes[v];
                    if (nd.left < 0) {
                        for (std::size_t s = nd.start; s < nd.end; ++s) {
                            if (comp[s] == c || core[s] > best.w) continue;
                            double d = Metric::to_distance(Metric::reduced(q, tree.point(s), dim));
                            if (alpha != 1.0) d /= alpha;
                            const double w = std::max(d, std::max(cp, core[s]));
                            if (w > best.w) continue;
                            const EdgeKey e = EdgeKey::make(w, row[p], row[s]);
                            if (e < best) best = e;
                        }
                        continue;
                    }
                    // push the farther child first so that the nearer one is searched first
                    const auto l = static_cast<std::size_t>(nd.left), r = static_cast<std::size_t>(nd.right);
                    const double dl = Metric::box_reduced(q, tree.lower(l), tree.upper(l), dim);
                    const double dr = Metric::box_reduced(q, tree.lower(r), tree.upper(r), dim);
                    if (dl <= dr) {
                        stack.push_back(r);
                        stack.push_back(l);
                    } else {
                        stack.push_back(l);
                        stack.push_back(r);
                    }
                }
                // found an edge: it is p's minimum; else p's minimum is >= the bound it had
                point_lb[p] = best < before ? best.w : before.w;
            }
        });
        for (int w = 0; w < workers; ++w)
            for (std::size_t c = 0; c < local[static_cast<std::size_t>(w)].size(); ++c)
                if (local[static_cast<std::size_t>(w)][c] < comp_best[c]) comp_best[c] = local[static_cast<std::size_t>(w)][c];
        std::size_t added = 0;
        for (std::size_t c = 0; c < n; ++c) {
            if (comp[c] != static_cast<std::int64_t>(c)) continue;
            const EdgeKey& e = comp_best[c];
            if (e.a < 0) continue;
            const std::size_t pa = find(pos_of_row[static_cast<std::size_t>(e.a)]);
            const std::size_t pb = find(pos_of_row[static_cast<std::size_t>(e.b)]);
            if (pa == pb) continue;
            uf[std::max(pa, pb)] = std::min(pa, pb);
            out.push_back(cluster::MstEdge{e.a, e.b, e.w});
            ++added;
            --num_components;
        }
        if (added == 0) break;  // cannot happen with finite distances
    }
    return out;
}

}  // namespace musiclab::detail
