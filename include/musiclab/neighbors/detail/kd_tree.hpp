// Exact k-d tree over row-major float64 points, for exact k-nearest-neighbour queries and for the
// per-node bounds that HDBSCAN's Boruvka MST needs. Reusable: nothing in here knows about HDBSCAN.
//
//     musiclab::detail::KdTree tree(data, n, dim, /*leaf_size=*/32);
//     tree.knn<musiclab::detail::EuclideanDistance>(query, k, dist_out, idx_out);   // sorted
//
// Build: O(n log n) (median split on the dimension of largest spread, like scikit-learn's KDTree);
// the tree keeps its own copy of the points in tree order (point(p) = p-th point in tree order,
// index(p) = its row in the input). Memory: n*dim doubles + 2*dim doubles per node.
// Queries are const and thread-safe; each thread passes its own KnnHeap.
//
// Distances are computed exactly as sqrt(sum_j (x_j - y_j)^2) summed in dimension order (the
// formula of scikit-learn's and hdbscan's EuclideanDistance, so values are bit-identical to them)
// for fewer than 16 dimensions; from 16 dimensions on, four partial sums (dimension j goes to sum
// j % 4) combined as (s0 + s1) + (s2 + s3), which vectorises (relative difference ~1e-16). Box
// lower bounds use the same summation order, so by monotonic rounding they never exceed the
// distance of any point inside the box (pruning is exact).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

namespace musiclab::detail {

/// Euclidean distance policy: "reduced" distance = sum of squares, distance = sqrt(reduced).
struct EuclideanDistance {
    static double reduced(const double* a, const double* b, std::size_t dim) noexcept {
        if (dim == 2) {  // same rounding as the loop below (0 + t0^2 is exact)
            const double t0 = a[0] - b[0], t1 = a[1] - b[1];
            return t0 * t0 + t1 * t1;
        }
        if (dim == 3) {
            const double t0 = a[0] - b[0], t1 = a[1] - b[1], t2 = a[2] - b[2];
            return (t0 * t0 + t1 * t1) + t2 * t2;
        }
        if (dim < 16) {
            double d = 0.0;
            for (std::size_t j = 0; j < dim; ++j) {
                const double t = a[j] - b[j];
                d += t * t;
            }
            return d;
        }
        return wide_reduced(a, b, dim);
    }
    /// Four-lane sum of squares for dim >= 16 (dimension j goes to lane j % 4, combined as
    /// (s0 + s1) + (s2 + s3)): shorter dependency chains, vectorises.
    static double wide_reduced(const double* a, const double* b, std::size_t dim) noexcept {
        double s[4] = {0.0, 0.0, 0.0, 0.0};
        std::size_t j = 0;
        for (; j + 4 <= dim; j += 4)
            for (std::size_t l = 0; l < 4; ++l) {
                const double t = a[j + l] - b[j + l];
                s[l] += t * t;
            }
        for (std::size_t l = 0; j < dim; ++j, ++l) {
            const double t = a[j] - b[j];
            s[l] += t * t;
        }
        return (s[0] + s[1]) + (s[2] + s[3]);
    }
    /// Lower bound of reduced() from q to any point in the box [lo, hi] (same summation order).
    static double box_reduced(const double* q, const double* lo, const double* hi, std::size_t dim) noexcept {
        auto gap = [&](std::size_t j) {
            const double a = lo[j] - q[j];
            const double b = q[j] - hi[j];
            return a > 0.0 ? a : (b > 0.0 ? b : 0.0);
        };
        if (dim < 16) {
            double d = 0.0;
            for (std::size_t j = 0; j < dim; ++j) {
                const double t = gap(j);
                d += t * t;
            }
            return d;
        }
        double s[4] = {0.0, 0.0, 0.0, 0.0};  // the summation structure of wide_reduced
        std::size_t j = 0;
        for (; j + 4 <= dim; j += 4)
            for (std::size_t l = 0; l < 4; ++l) {
                const double t = gap(j + l);
                s[l] += t * t;
            }
        for (std::size_t l = 0; j < dim; ++j, ++l) {
            const double t = gap(j);
            s[l] += t * t;
        }
        return (s[0] + s[1]) + (s[2] + s[3]);
    }
    static double to_distance(double reduced) noexcept { return std::sqrt(reduced); }
};

/// Manhattan (L1) distance policy: reduced = distance = sum |x_j - y_j| in dimension order.
struct ManhattanDistance {
    static double reduced(const double* a, const double* b, std::size_t dim) noexcept {
        double d = 0.0;
        for (std::size_t j = 0; j < dim; ++j) d += std::fabs(a[j] - b[j]);
        return d;
    }
    static double box_reduced(const double* q, const double* lo, const double* hi, std::size_t dim) noexcept {
        double d = 0.0;
        for (std::size_t j = 0; j < dim; ++j) {
            const double a = lo[j] - q[j];
            const double b = q[j] - hi[j];
            d += a > 0.0 ? a : (b > 0.0 ? b : 0.0);
        }
        return d;
    }
    static double to_distance(double reduced) noexcept { return reduced; }
};

/// The k best (reduced distance, tree position) pairs seen so far, kept sorted ascending
/// (insertion; k is small in HDBSCAN). One per thread.
class KnnHeap {
public:
    void reset(std::size_t k) {
        k_ = k;
        items_.clear();
        items_.reserve(k + 1);
        worst_ = std::numeric_limits<double>::infinity();
    }
    std::size_t size() const noexcept { return items_.size(); }
    bool full() const noexcept { return items_.size() == k_; }
    /// Current pruning radius (reduced units): +inf until k items are held.
    double worst() const noexcept { return worst_; }
    /// Adds (d, pos) if d < worst().
    void push(double d, std::size_t pos) {
        if (!(d < worst_)) return;
        std::size_t i = items_.size();
        if (i == k_) --i;
        else items_.emplace_back();
        while (i > 0 && (d < items_[i - 1].first || (d == items_[i - 1].first && pos < items_[i - 1].second))) {
            items_[i] = items_[i - 1];
            --i;
        }
        items_[i] = {d, pos};
        if (items_.size() == k_) worst_ = items_.back().first;
    }
    /// Sorted ascending by (distance, tree position).
    std::vector<std::pair<double, std::size_t>>& sorted() { return items_; }

private:
    std::size_t k_ = 0;
    double worst_ = std::numeric_limits<double>::infinity();
    std::vector<std::pair<double, std::size_t>> items_;
};

class KdTree {
public:
    struct Node {
        std::size_t start = 0, end = 0;  // tree positions [start, end)
        std::int64_t left = -1, right = -1;  // children (-1 for a leaf)
    };

    KdTree() = default;

    /// Builds over n points of dimension dim (row-major, point i at data + i*dim).
    KdTree(const double* data, std::size_t n, std::size_t dim, std::size_t leaf_size = 32)
        : n_(n), dim_(dim), leaf_size_(std::max<std::size_t>(1, leaf_size)) {
        index_.resize(n);
        std::iota(index_.begin(), index_.end(), std::size_t{0});
        nodes_.reserve(n / leaf_size_ * 2 + 2);
        if (n > 0) build(data, 0, n);
        points_.resize(n * dim);
        for (std::size_t p = 0; p < n; ++p)
            std::copy_n(data + index_[p] * dim, dim, points_.data() + p * dim);
        bounds_.resize(nodes_.size() * 2 * dim);
        for (std::size_t v = 0; v < nodes_.size(); ++v) {
            double* lo = bounds_.data() + v * 2 * dim;
            double* hi = lo + dim;
            std::fill_n(lo, dim, std::numeric_limits<double>::infinity());
            std::fill_n(hi, dim, -std::numeric_limits<double>::infinity());
            for (std::size_t p = nodes_[v].start; p < nodes_[v].end; ++p)
                for (std::size_t j = 0; j < dim; ++j) {
                    const double x = points_[p * dim + j];
                    lo[j] = std::min(lo[j], x);
                    hi[j] = std::max(hi[j], x);
                }
        }
    }

    std::size_t size() const noexcept { return n_; }
    std::size_t dim() const noexcept { return dim_; }
    const std::vector<Node>& nodes() const noexcept { return nodes_; }
    const double* point(std::size_t pos) const noexcept { return points_.data() + pos * dim_; }
    std::size_t index(std::size_t pos) const noexcept { return index_[pos]; }
    const std::vector<std::size_t>& indices() const noexcept { return index_; }
    const double* lower(std::size_t node) const noexcept { return bounds_.data() + node * 2 * dim_; }
    const double* upper(std::size_t node) const noexcept { return bounds_.data() + node * 2 * dim_ + dim_; }

    /// The k nearest tree points of q (k <= size()), ascending by (distance, tree position);
    /// distances in metric units, positions are tree positions (index(pos) = input row).
    template <class Metric>
    void knn(const double* q, std::size_t k, KnnHeap& heap, double* dist_out, std::size_t* pos_out) const {
        heap.reset(k);
        if (n_ > 0 && k > 0) search<Metric>(q, 0, heap);
        auto& items = heap.sorted();
        for (std::size_t i = 0; i < items.size(); ++i) {
            dist_out[i] = Metric::to_distance(items[i].first);
            pos_out[i] = items[i].second;
        }
    }

    /// Points a k-NN query of q scans (the cost of knn(), to choose between tree and brute force).
    template <class Metric>
    std::size_t knn_scan_count(const double* q, std::size_t k, KnnHeap& heap) const {
        heap.reset(k);
        std::size_t count = 0;
        if (n_ > 0 && k > 0) search<Metric>(q, 0, heap, &count);
        return count;
    }

private:
    std::size_t n_ = 0, dim_ = 0, leaf_size_ = 32;
    std::vector<std::size_t> index_;
    std::vector<Node> nodes_;
    std::vector<double> points_;
    std::vector<double> bounds_;

    std::int64_t build(const double* data, std::size_t start, std::size_t end) {
        const auto id = static_cast<std::int64_t>(nodes_.size());
        nodes_.push_back(Node{start, end, -1, -1});
        if (end - start <= leaf_size_) return id;
        std::size_t best_dim = 0;
        double best_spread = -1.0;
        for (std::size_t j = 0; j < dim_; ++j) {
            double lo = std::numeric_limits<double>::infinity(), hi = -lo;
            for (std::size_t p = start; p < end; ++p) {
                const double x = data[index_[p] * dim_ + j];
                lo = std::min(lo, x);
                hi = std::max(hi, x);
            }
            if (hi - lo > best_spread) {
                best_spread = hi - lo;
                best_dim = j;
            }
        }
        const std::size_t mid = start + (end - start) / 2;
        std::nth_element(index_.begin() + static_cast<std::ptrdiff_t>(start),
                         index_.begin() + static_cast<std::ptrdiff_t>(mid),
                         index_.begin() + static_cast<std::ptrdiff_t>(end), [&](std::size_t a, std::size_t b) {
                             const double xa = data[a * dim_ + best_dim], xb = data[b * dim_ + best_dim];
                             return xa < xb || (xa == xb && a < b);
                         });
        const std::int64_t l = build(data, start, mid);
        const std::int64_t r = build(data, mid, end);
        nodes_[static_cast<std::size_t>(id)].left = l;
        nodes_[static_cast<std::size_t>(id)].right = r;
        return id;
    }

    template <class Metric>
    void search(const double* q, std::size_t v, KnnHeap& heap, std::size_t* count = nullptr) const {
        const Node& node = nodes_[v];
        if (node.left < 0) {
            for (std::size_t p = node.start; p < node.end; ++p) heap.push(Metric::reduced(q, point(p), dim_), p);
            if (count != nullptr) *count += node.end - node.start;
            return;
        }
        const auto l = static_cast<std::size_t>(node.left), r = static_cast<std::size_t>(node.right);
        const double dl = Metric::box_reduced(q, lower(l), upper(l), dim_);
        const double dr = Metric::box_reduced(q, lower(r), upper(r), dim_);
        if (dl <= dr) {
            if (dl < heap.worst()) search<Metric>(q, l, heap, count);
            if (dr < heap.worst()) search<Metric>(q, r, heap, count);
        } else {
            if (dr < heap.worst()) search<Metric>(q, r, heap, count);
            if (dl < heap.worst()) search<Metric>(q, l, heap, count);
        }
    }
};

}  // namespace musiclab::detail
