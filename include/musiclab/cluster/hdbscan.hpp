// HDBSCAN (hierarchical density-based clustering) with the semantics of the Python hdbscan
// library (scikit-learn-contrib/hdbscan 0.8.43): core distances, the mutual-reachability minimum
// spanning tree, the single-linkage and condensed trees, excess-of-mass / leaf selection,
// membership probabilities, GLOSH outlier scores, cluster persistence, approximate_predict.
// docs/hdbscan.md has the math, the parity evidence against ../shared/reference/hdbscan and the
// speed table.
//
//     musiclab::cluster::HdbscanOptions opts;
//     opts.min_cluster_size = 15;
//     auto model = musiclab::cluster::fit_hdbscan(points, n, dim, opts);   // row-major doubles
//     model.labels;                       // -1 = noise
//     auto pred = model.approximate_predict(new_points, m);                // labels, probabilities
//
// Algorithms (HdbscanOptions::mst_algorithm):
//  * boruvka_kdtree (automatic when dim <= 16): Boruvka over the k-d tree with a strict total
//    order on edges (weight, smaller row, larger row): the MST is unique and the result does not
//    depend on the thread count. Equal weights are merged in that order. Points whose best edge
//    is already in their k-NN list skip the tree search. About O(n log n) in low dimensions.
//  * prims (automatic when dim > 16): hdbscan's algorithm='prims_kdtree' reproduced step for step
//    (dense Prim from point 0 with its scan order and comparisons, then numpy 1.24's argsort of
//    the weights): with the same input it returns the reference's single-linkage tree and labels
//    exactly. O(n^2 dim) time, O(n) memory; long scans are split across workers (same result).
// Core distances come from the k-d tree when dim <= 16; above, from the tree when 64 sample
// queries show it scanning under a quarter of the points (clustered data), else by brute force.
// Either way they are exact and identical.
//
// Metrics: euclidean, manhattan (k-d tree in L1), cosine (1 - cos; computed as the Euclidean
// problem on unit rows, since |u - v|^2 / 2 = 1 - cos(u, v) is monotone in the distance; zero
// rows are an error).
//
// Thread safety: fit_hdbscan is reentrant; a fitted HdbscanModel is immutable and
// approximate_predict is const and thread-safe.
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../neighbors/detail/kd_tree.hpp"
#include "detail/mst.hpp"
#include "hierarchy.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace musiclab::cluster {

enum class Metric { euclidean, manhattan, cosine };
enum class MstAlgorithm { automatic, boruvka_kdtree, prims };

struct HdbscanOptions {
    /// Smallest group that counts as a cluster (>= 2).
    int min_cluster_size = 5;
    /// Neighbours (excluding the point) that define the core distance; default min_cluster_size.
    std::optional<int> min_samples;
    Metric metric = Metric::euclidean;
    ClusterSelection cluster_selection_method = ClusterSelection::eom;
    /// Clusters born below this distance are merged up (0 = off), hdbscan's semantics.
    double cluster_selection_epsilon = 0.0;
    /// Let excess of mass select the root (one cluster for everything).
    bool allow_single_cluster = false;
    /// Distances are divided by alpha in the mutual reachability (> 0).
    double alpha = 1.0;
    /// eom does not select clusters larger than this (0 = no limit).
    std::int64_t max_cluster_size = 0;
    MstAlgorithm mst_algorithm = MstAlgorithm::automatic;
    /// k-d tree leaf size.
    int leaf_size = 32;
    /// Worker threads (0 = all hardware threads). Results do not depend on it.
    int num_threads = 1;
};

struct HdbscanPrediction {
    std::vector<int> labels;            ///< -1 = noise
    std::vector<double> probabilities;  ///< 0 for noise
};

class HdbscanModel {
public:
    std::vector<int> labels;                   ///< per point, -1 = noise
    std::vector<double> probabilities;         ///< per point membership strength
    std::vector<double> outlier_scores;        ///< per point GLOSH (nan where hdbscan has nan)
    std::vector<double> cluster_persistence;   ///< per cluster label
    std::vector<CondensedTreeRow> condensed_tree;
    std::vector<SingleLinkageRow> single_linkage_tree;
    std::vector<MstEdge> minimum_spanning_tree;  ///< in merge order (sorted by weight)
    std::vector<double> core_distances;        ///< per point, distance to its min_samples-th neighbour
    int min_samples = 0;
    Metric metric = Metric::euclidean;
    std::size_t dim = 0;

    /// hdbscan.prediction.approximate_predict: label and probability of new points (row-major
    /// m x dim) against the fitted condensed tree, without changing it. O(m k log n).
    HdbscanPrediction approximate_predict(const double* points, std::size_t m, int num_threads = 1) const;

private:
    friend HdbscanModel fit_hdbscan(const double*, std::size_t, std::size_t, const HdbscanOptions&);
    std::vector<double> data_;       // fitted points (unit rows for cosine)
    musiclab::detail::KdTree tree_;
    std::vector<double> pred_core_;  // hdbscan PredictionData core distances (k = min_samples incl. self)
    std::vector<std::int64_t> point_parent_;
    std::vector<double> point_lambda_;
    std::vector<std::int64_t> cluster_parent_;  // by cluster id - n
    std::vector<double> cluster_lambda_;
    std::vector<int> cluster_label_;            // selected cluster (or sub-cluster) -> label, else -1
    std::vector<double> cluster_max_lambda_;
};

/// Core distances alone (distance to the min_samples-th nearest other point) of n row-major
/// points; k-d tree or brute force as fit_hdbscan chooses. Euclidean/manhattan/cosine.
inline std::vector<double> core_distances(const double* data, std::size_t n, std::size_t dim, int min_samples,
                                          Metric metric = Metric::euclidean, int num_threads = 1);

/// Fits HDBSCAN on n row-major points of dimension dim.
inline HdbscanModel fit_hdbscan(const double* data, std::size_t n, std::size_t dim, const HdbscanOptions& opts);

inline HdbscanModel fit_hdbscan(const std::vector<double>& data, std::size_t n, std::size_t dim,
                                const HdbscanOptions& opts) {
    if (data.size() != n * dim)
        throw shape_mismatch("data (n * dim values)", n * dim, data.size());
    return fit_hdbscan(data.data(), n, dim, opts);
}

// ------------------------------------------------------------------------------------------
}  // namespace musiclab::cluster

namespace musiclab::detail {

inline void check_points(const double* data, std::size_t n, std::size_t dim, const char* what) {
    if (dim == 0) throw invalid_parameter("dim", 0, ">= 1");
    if (n > 0 && data == nullptr) throw invalid_parameter(what, "null pointer", "n * dim values");
    for (std::size_t i = 0; i < n * dim; ++i)
        if (!std::isfinite(data[i]))
            throw invalid_parameter(what, std::string("non-finite value at row ") + std::to_string(i / dim) + ", column " +
                                              std::to_string(i % dim),
                                    "finite numbers");
}

/// Copy of the points, rows scaled to unit length for cosine.
inline std::vector<double> prepared_points(const double* data, std::size_t n, std::size_t dim, cluster::Metric metric,
                                           const char* what) {
    std::vector<double> x(data, data + n * dim);
    if (metric == cluster::Metric::cosine) {
        for (std::size_t i = 0; i < n; ++i) {
            double s = 0.0;
            for (std::size_t j = 0; j < dim; ++j) s += x[i * dim + j] * x[i * dim + j];
            if (!(s > 0.0))
                throw invalid_parameter(what, "all-zero row " + std::to_string(i), "rows with a nonzero entry for metric cosine");
            const double inv = 1.0 / std::sqrt(s);
            for (std::size_t j = 0; j < dim; ++j) x[i * dim + j] *= inv;
        }
    }
    return x;
}

/// Euclidean distance between unit rows -> cosine distance.
inline double cosine_from_unit_euclidean(double d) noexcept { return 0.5 * d * d; }

template <class F>
decltype(auto) with_metric(cluster::Metric m, F&& f) {
    if (m == cluster::Metric::manhattan) return f(ManhattanDistance{});
    return f(EuclideanDistance{});
}

/// Whether k-NN through the k-d tree beats brute force: always for dim <= 16; above, when 64
/// evenly spaced sample queries scan on average fewer than a quarter of the points (clustered
/// data). Both give the same distances, so this only decides the speed.
inline bool tree_knn_pays(const KdTree& tree, std::size_t k, cluster::Metric metric) {
    if (tree.dim() <= 16) return true;
    const std::size_t n = tree.size();
    const std::size_t samples = std::min<std::size_t>(64, n);
    if (samples == 0) return true;
    KnnHeap heap;
    std::size_t scanned = 0;
    with_metric(metric, [&](auto m) {
        for (std::size_t s = 0; s < samples; ++s)
            scanned += tree.knn_scan_count<decltype(m)>(tree.point(s * n / samples), k, heap);
        return 0;
    });
    return scanned / samples < n / 4;
}

/// The float32 / projected bounds of the Euclidean scans in 16 or more dimensions, when they can
/// be used (else null). With them, exact brute-force k-NN beats the k-d tree even on clustered
/// data (the tree prunes little in many dimensions).
inline std::unique_ptr<DistanceBounds> bounds_for(const Points& x, cluster::Metric metric) {
    if (metric == cluster::Metric::manhattan || x.dim < 16 || x.n < 2) return nullptr;
    auto b = std::make_unique<DistanceBounds>(x.data, x.n, x.dim);
    if (!b->usable()) b.reset();
    return b;
}

/// k-NN lists of every point (self included): by tree position (positions) with a tree, by input
/// row (rows) without (brute force, with the bounds when given).
inline void knn_all(const Points& x, const KdTree* tree, std::size_t k, cluster::Metric metric, int threads,
                    std::vector<double>& dist, std::vector<std::size_t>& idx, const DistanceBounds* bounds = nullptr) {
    with_metric(metric, [&](auto m) {
        using M = decltype(m);
        if (tree != nullptr)
            knn_all_kdtree<M>(*tree, k, threads, dist, idx);
        else
            knn_all_brute<M>(x, k, threads, dist, idx, true, bounds);
    });
}

}  // namespace musiclab::detail

namespace musiclab::cluster {

inline std::vector<double> core_distances(const double* data, std::size_t n, std::size_t dim, int min_samples,
                                          Metric metric, int num_threads) {
    musiclab::detail::check_points(data, n, dim, "data");
    if (min_samples < 1) throw invalid_parameter("min_samples", min_samples, ">= 1");
    if (n < static_cast<std::size_t>(min_samples) + 1)
        throw invalid_parameter("min_samples", min_samples,
                                "at most n - 1 = " + std::to_string(static_cast<long long>(n) - 1) + " (fewer points than min_samples + 1)");
    const int threads = resolve_threads(num_threads);
    const auto x = musiclab::detail::prepared_points(data, n, dim, metric, "data");
    const musiclab::detail::Points pts{x.data(), n, dim};
    const std::size_t k = static_cast<std::size_t>(min_samples) + 1;
    std::vector<double> dist;
    std::vector<std::size_t> idx;
    const musiclab::detail::KdTree tree(x.data(), n, dim, 32);
    const auto bounds = musiclab::detail::bounds_for(pts, metric);
    const bool by_tree = !bounds && musiclab::detail::tree_knn_pays(tree, k, metric);
    musiclab::detail::knn_all(pts, by_tree ? &tree : nullptr, k, metric, threads, dist, idx, bounds.get());
    std::vector<double> core(n);
    for (std::size_t i = 0; i < n; ++i) {  // i = tree position (k-d tree) or row (brute force)
        const std::size_t row = by_tree ? tree.index(i) : i;
        core[row] = dist[i * k + k - 1];
        if (metric == Metric::cosine) core[row] = musiclab::detail::cosine_from_unit_euclidean(core[row]);
    }
    return core;
}

inline HdbscanModel fit_hdbscan(const double* data, std::size_t n, std::size_t dim, const HdbscanOptions& opts) {
    SelectionOptions sel;
    sel.min_cluster_size = opts.min_cluster_size;
    sel.cluster_selection_method = opts.cluster_selection_method;
    sel.cluster_selection_epsilon = opts.cluster_selection_epsilon;
    sel.allow_single_cluster = opts.allow_single_cluster;
    sel.max_cluster_size = opts.max_cluster_size;
    musiclab::detail::check_selection_options(sel);
    const int min_samples = opts.min_samples.value_or(opts.min_cluster_size);
    if (min_samples < 1) throw invalid_parameter("min_samples", min_samples, ">= 1");
    if (!(opts.alpha > 0.0) || !std::isfinite(opts.alpha)) throw invalid_parameter("alpha", opts.alpha, "finite and > 0");
    if (opts.leaf_size < 1) throw invalid_parameter("leaf_size", opts.leaf_size, ">= 1");
    const int threads = resolve_threads(opts.num_threads);
    musiclab::detail::check_points(data, n, dim, "data");
    if (n < static_cast<std::size_t>(min_samples) + 1)
        throw invalid_parameter("min_samples", min_samples,
                                "at most n - 1 = " + std::to_string(static_cast<long long>(n) - 1) +
                                    " (HDBSCAN needs more points than min_samples)");

    HdbscanModel model;
    model.min_samples = min_samples;
    model.metric = opts.metric;
    model.dim = dim;
    model.data_ = musiclab::detail::prepared_points(data, n, dim, opts.metric, "data");
    const musiclab::detail::Points pts{model.data_.data(), n, dim};
    const bool cosine = opts.metric == Metric::cosine;
    const Metric tree_metric = cosine ? Metric::euclidean : opts.metric;
    // cosine runs the Euclidean problem on unit rows: w_cos = w_e^2 / 2, so alpha_e = sqrt(alpha)
    const double alpha = cosine ? std::sqrt(opts.alpha) : opts.alpha;

    model.tree_ = musiclab::detail::KdTree(model.data_.data(), n, dim, static_cast<std::size_t>(opts.leaf_size));
    // min_samples + 1 neighbours (self included) define the core distance; one more, when there
    // is one, lets Boruvka settle most points from their list alone.
    const auto ms = static_cast<std::size_t>(min_samples);
    const std::size_t k = std::min(n, ms + 2);
    std::vector<double> knn_dist;        // in tree order (k-d tree) or by row (brute force)
    std::vector<std::size_t> knn_idx;    // tree positions or rows, likewise
    const auto bounds = musiclab::detail::bounds_for(pts, tree_metric);
    const bool by_tree = !bounds && musiclab::detail::tree_knn_pays(model.tree_, k, tree_metric);
    musiclab::detail::knn_all(pts, by_tree ? &model.tree_ : nullptr, k, tree_metric, threads, knn_dist, knn_idx, bounds.get());
    std::vector<double> core(n);
    model.pred_core_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t row = by_tree ? model.tree_.index(i) : i;
        core[row] = knn_dist[i * k + ms];
        model.pred_core_[row] = knn_dist[i * k + ms - 1];
    }

    const MstAlgorithm algo = opts.mst_algorithm != MstAlgorithm::automatic ? opts.mst_algorithm
                             : dim <= 16                                   ? MstAlgorithm::boruvka_kdtree
                                                                           : MstAlgorithm::prims;
    std::vector<MstEdge> edges;
    if (algo == MstAlgorithm::prims) {
        edges = musiclab::detail::with_metric(tree_metric, [&](auto m) { return musiclab::detail::prim_mst<decltype(m)>(pts, core, alpha, threads, 4000000, true, bounds.get()); });
    } else {
        if (!by_tree) {  // brute-force lists by row -> tree order
            std::vector<std::size_t> pos_of_row(n);
            for (std::size_t p = 0; p < n; ++p) pos_of_row[model.tree_.index(p)] = p;
            std::vector<double> d2(n * k);
            std::vector<std::size_t> p2(n * k);
            for (std::size_t p = 0; p < n; ++p)
                for (std::size_t t = 0; t < k; ++t) {
                    d2[p * k + t] = knn_dist[model.tree_.index(p) * k + t];
                    p2[p * k + t] = pos_of_row[knn_idx[model.tree_.index(p) * k + t]];
                }
            knn_dist.swap(d2);
            knn_idx.swap(p2);
        }
        edges = musiclab::detail::with_metric(tree_metric, [&](auto m) {
            return musiclab::detail::boruvka_mst<decltype(m)>(model.tree_, core, knn_idx, knn_dist, k, alpha, threads);
        });
    }
    if (cosine) {
        for (auto& e : edges) e.weight = musiclab::detail::cosine_from_unit_euclidean(e.weight);
        for (auto& c : core) c = musiclab::detail::cosine_from_unit_euclidean(c);
        for (auto& c : model.pred_core_) c = musiclab::detail::cosine_from_unit_euclidean(c);
    }
    if (algo == MstAlgorithm::prims) {
        std::vector<double> w(edges.size());
        for (std::size_t i = 0; i < edges.size(); ++i) w[i] = edges[i].weight;
        const auto order = musiclab::detail::numpy_argsort(w);
        std::vector<MstEdge> sorted(edges.size());
        for (std::size_t i = 0; i < order.size(); ++i) sorted[i] = edges[static_cast<std::size_t>(order[i])];
        edges.swap(sorted);
    } else {
        std::sort(edges.begin(), edges.end(), [](const MstEdge& a, const MstEdge& b) {
            if (a.weight != b.weight) return a.weight < b.weight;
            return musiclab::detail::EdgeKey::make(a.weight, a.a, a.b) < musiclab::detail::EdgeKey::make(b.weight, b.a, b.b);
        });
    }
    model.single_linkage_tree = single_linkage_from_edges(edges, static_cast<std::int64_t>(n));
    model.minimum_spanning_tree = std::move(edges);
    model.core_distances = std::move(core);

    TreeClustering tc = clusters_from_single_linkage(model.single_linkage_tree, sel);
    model.labels = std::move(tc.labels);
    model.probabilities = std::move(tc.probabilities);
    model.outlier_scores = std::move(tc.outlier_scores);
    model.cluster_persistence = std::move(tc.cluster_persistence);
    model.condensed_tree = std::move(tc.condensed_tree);

    // Prediction data (hdbscan's PredictionData).
    const auto root = static_cast<std::int64_t>(n);
    std::int64_t max_node = root;
    for (const auto& r : model.condensed_tree) max_node = std::max(max_node, r.child);
    const auto nc = static_cast<std::size_t>(max_node - root + 1);
    model.point_parent_.assign(n, root);
    model.point_lambda_.assign(n, 0.0);
    model.cluster_parent_.assign(nc, -1);
    model.cluster_lambda_.assign(nc, 0.0);
    model.cluster_label_.assign(nc, -1);
    model.cluster_max_lambda_.assign(nc, 0.0);
    std::vector<double> deaths(nc, 0.0);
    for (const auto& r : model.condensed_tree) {
        deaths[static_cast<std::size_t>(r.parent - root)] = std::max(deaths[static_cast<std::size_t>(r.parent - root)], r.lambda);
        if (r.child < root) {
            model.point_parent_[static_cast<std::size_t>(r.child)] = r.parent;
            model.point_lambda_[static_cast<std::size_t>(r.child)] = r.lambda;
        } else {
            model.cluster_parent_[static_cast<std::size_t>(r.child - root)] = r.parent;
            model.cluster_lambda_[static_cast<std::size_t>(r.child - root)] = r.lambda;
        }
    }
    for (std::size_t l = 0; l < tc.selected_clusters.size(); ++l) {
        const auto c = static_cast<std::size_t>(tc.selected_clusters[l] - root);
        model.cluster_label_[c] = static_cast<int>(l);
        model.cluster_max_lambda_[c] = deaths[c];
    }
    for (std::size_t c = 1; c < nc; ++c) {  // parents have smaller ids: inherit downwards
        const auto p = static_cast<std::size_t>(model.cluster_parent_[c] - root);
        if (model.cluster_label_[c] < 0 && model.cluster_label_[p] >= 0) {
            model.cluster_label_[c] = model.cluster_label_[p];
            model.cluster_max_lambda_[c] = model.cluster_max_lambda_[p];
        }
    }
    return model;
}

inline HdbscanPrediction HdbscanModel::approximate_predict(const double* points, std::size_t m, int num_threads) const {
    musiclab::detail::check_points(points, m, dim, "points");
    const int threads = resolve_threads(num_threads);
    HdbscanPrediction out;
    out.labels.assign(m, -1);
    out.probabilities.assign(m, 0.0);
    bool any_cluster = false;
    for (const auto& r : condensed_tree)
        if (r.child_size > 1) any_cluster = true;
    if (!any_cluster || m == 0) return out;
    const auto q = musiclab::detail::prepared_points(points, m, dim, metric, "points");
    const std::size_t n = tree_.size();
    const auto root = static_cast<std::int64_t>(n);
    const std::size_t k = std::min<std::size_t>(n, 2 * static_cast<std::size_t>(min_samples));
    const bool cosine = metric == Metric::cosine;
    musiclab::parallelize(threads, m, [&](int, std::size_t start, std::size_t len) {
        musiclab::detail::KnnHeap heap;
        std::vector<double> dist(k);
        std::vector<std::size_t> pos(k);
        for (std::size_t i = start; i < start + len; ++i) {
            musiclab::detail::with_metric(cosine ? Metric::euclidean : metric, [&](auto mm) {
                tree_.knn<decltype(mm)>(q.data() + i * dim, k, heap, dist.data(), pos.data());
                return 0;
            });
            if (cosine)
                for (auto& d : dist) d = musiclab::detail::cosine_from_unit_euclidean(d);
            const double point_core = dist[std::min<std::size_t>(k - 1, static_cast<std::size_t>(min_samples))];
            double best = std::numeric_limits<double>::infinity();
            std::size_t nn = 0;
            for (std::size_t t = 0; t < k; ++t) {
                const std::size_t row = tree_.index(pos[t]);
                const double mr = std::max({pred_core_[row], point_core, dist[t]});
                if (mr < best) {
                    best = mr;
                    nn = row;
                }
            }
            const double lambda = best > 0.0 ? 1.0 / best : std::numeric_limits<double>::max();
            std::int64_t c = point_parent_[nn];
            if (point_lambda_[nn] > lambda) {
                while (c > root && cluster_lambda_[static_cast<std::size_t>(c - root)] >= lambda)
                    c = cluster_parent_[static_cast<std::size_t>(c - root)];
            }
            const int lab = cluster_label_[static_cast<std::size_t>(c - root)];
            out.labels[i] = lab;
            if (lab >= 0) {
                const double ml = cluster_max_lambda_[static_cast<std::size_t>(c - root)];
                out.probabilities[i] = ml > 0.0 ? std::min(ml, lambda) / ml : 1.0;
            }
        }
    });
    return out;
}

}  // namespace musiclab::cluster
