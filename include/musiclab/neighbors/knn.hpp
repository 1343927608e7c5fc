// musiclab::neighbors exact k-nearest neighbours: for every query row, the k rows of the data at the
// smallest distance, by a k-d tree (neighbors/detail/kd_tree.hpp).
//
//     musiclab::neighbors::KnnOptions opts;                 // euclidean, k = 15
//     auto g = musiclab::neighbors::exact_knn(X.data(), n, d, opts);    // queries = the data itself
//     g.index(i, 0) == i (itself first unless a duplicate point with a smaller index exists)
//
// Contract
// - Data and queries are row-major float64 (point i at data + i*dim). Result rows are sorted by
//   (distance, data index) ascending; a query that is a data point finds itself (distance 0).
// - Metrics: euclidean, manhattan (exact k-d tree in that metric), cosine = 1 - x.y/(|x||y|) and
//   correlation = cosine of the mean-centred rows (both searched as Euclidean distance between
//   unit-normalised rows, |u - v|^2 = 2 cos_dist, so the order is exact up to rounding). A zero
//   row (or a constant row for correlation) is kept as the zero vector: its cosine distance to
//   every other row is reported as 1 (scikit-learn's convention), to another zero row 0.
// - Errors: invalid_parameter for k = 0 or k > n, dim = 0, non-finite values (row and column named).
// - Complexity: build O(n log n); queries about O(log n) each in low dimension, degrading towards
//   O(n dim) in high dimension (then prefer nn_descent for large n). Memory: a copy of the data.
// - Thread safety: pure functions; num_threads workers split the queries; the result does not
//   depend on the thread count.
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "detail/kd_tree.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace musiclab::neighbors {

/// Distance of the neighbour search.
enum class Metric { euclidean, manhattan, cosine, correlation };

/// "euclidean" | "manhattan" | "cosine" | "correlation" (also "l2", "l1", "cityblock", "taxicab").
inline Metric metric_from_name(std::string_view name) {
    if (name == "euclidean" || name == "l2") return Metric::euclidean;
    if (name == "manhattan" || name == "l1" || name == "cityblock" || name == "taxicab") return Metric::manhattan;
    if (name == "cosine") return Metric::cosine;
    if (name == "correlation") return Metric::correlation;
    throw invalid_parameter("metric", std::string(name), "euclidean, manhattan, cosine, correlation");
}

/// The k nearest neighbours of n_queries points: row-major n_queries x k.
struct KnnGraph {
    std::size_t n_queries = 0;
    std::size_t k = 0;
    std::vector<std::int32_t> indices;  ///< data row of the j-th neighbour of query i at [i*k + j]
    std::vector<double> distances;      ///< its distance in the metric
    std::int32_t index(std::size_t i, std::size_t j) const { return indices[i * k + j]; }
    double distance(std::size_t i, std::size_t j) const { return distances[i * k + j]; }
};

/// Options of exact_knn.
struct KnnOptions {
    std::size_t n_neighbors = 15;  ///< k (the query itself counts when it is a data point)
    Metric metric = Metric::euclidean;
    int num_threads = 1;           ///< workers over queries (0 = all); the result does not depend on it
    std::size_t leaf_size = 32;    ///< k-d tree leaf size
};

/// Exact k nearest data rows of every data row (itself included).
KnnGraph exact_knn(const double* data, std::size_t n, std::size_t dim, const KnnOptions& options = {});

/// Exact k nearest data rows of every query row.
KnnGraph exact_knn(const double* data, std::size_t n, std::size_t dim, const double* queries, std::size_t n_queries,
                   const KnnOptions& options = {});

}  // namespace musiclab::neighbors

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::detail {

inline void check_finite_rows(const double* x, std::size_t n, std::size_t dim, const char* what) {
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < dim; ++j)
            if (!std::isfinite(x[i * dim + j])) {
                std::string v = what;
                v += " row ";
                v += std::to_string(i);
                v += " column ";
                v += std::to_string(j);
                throw invalid_parameter(what, v, "finite values (no NaN or infinity)");
            }
}

/// The rows the Euclidean search runs on: the data itself (euclidean, manhattan), unit-normalised
/// (cosine) or centred and unit-normalised (correlation).
inline std::vector<double> metric_space_rows(const double* x, std::size_t n, std::size_t dim, neighbors::Metric m) {
    std::vector<double> out(x, x + n * dim);
    if (m == neighbors::Metric::euclidean || m == neighbors::Metric::manhattan) return out;
    for (std::size_t i = 0; i < n; ++i) {
        double* r = out.data() + i * dim;
        if (m == neighbors::Metric::correlation) {
            double mean = 0.0;
            for (std::size_t j = 0; j < dim; ++j) mean += r[j];
            mean /= static_cast<double>(dim);
            for (std::size_t j = 0; j < dim; ++j) r[j] -= mean;
        }
        double s = 0.0;
        for (std::size_t j = 0; j < dim; ++j) s += r[j] * r[j];
        if (s > 0.0) {
            const double inv = 1.0 / std::sqrt(s);
            for (std::size_t j = 0; j < dim; ++j) r[j] *= inv;
        }
    }
    return out;
}

/// Distance in metric m between two rows of metric_space_rows (for cosine / correlation: from the
/// normalised rows; a zero row is at distance 1 from non-zero rows, 0 from zero rows).
inline double metric_space_distance(const double* a, const double* b, std::size_t dim, neighbors::Metric m) {
    switch (m) {
    case neighbors::Metric::euclidean: return std::sqrt(EuclideanDistance::reduced(a, b, dim));
    case neighbors::Metric::manhattan: return ManhattanDistance::reduced(a, b, dim);
    default: {
        double na = 0.0, nb = 0.0, dot = 0.0;
        for (std::size_t j = 0; j < dim; ++j) {
            na += a[j] * a[j];
            nb += b[j] * b[j];
            dot += a[j] * b[j];
        }
        if (na == 0.0 && nb == 0.0) return 0.0;
        if (na == 0.0 || nb == 0.0) return 1.0;
        return std::max(0.0, 1.0 - dot);
    }
    }
}

}  // namespace musiclab::detail

namespace musiclab::neighbors {

inline KnnGraph exact_knn(const double* data, std::size_t n, std::size_t dim, const double* queries, std::size_t n_queries,
                          const KnnOptions& options) {
    const std::size_t k = options.n_neighbors;
    if (dim == 0) throw invalid_parameter("dim", dim, ">= 1");
    if (k == 0 || k > n) throw invalid_parameter("n_neighbors", k, std::string("1 .. n = ") += std::to_string(n));
    detail::check_finite_rows(data, n, dim, "data");
    detail::check_finite_rows(queries, n_queries, dim, "queries");
    const int threads = resolve_threads(options.num_threads);
    const std::vector<double> rows = detail::metric_space_rows(data, n, dim, options.metric);
    const std::vector<double> qrows = detail::metric_space_rows(queries, n_queries, dim, options.metric);
    const detail::KdTree tree(rows.data(), n, dim, options.leaf_size);
    KnnGraph g;
    g.n_queries = n_queries;
    g.k = k;
    g.indices.resize(n_queries * k);
    g.distances.resize(n_queries * k);
    const bool l1 = options.metric == Metric::manhattan;
    parallelize(threads, n_queries, [&](int, std::size_t start, std::size_t len) {
        detail::KnnHeap heap;
        std::vector<double> d(k);
        std::vector<std::size_t> pos(k);
        for (std::size_t q = start; q < start + len; ++q) {
            const double* qp = qrows.data() + q * dim;
            if (l1) tree.knn<detail::ManhattanDistance>(qp, k, heap, d.data(), pos.data());
            else tree.knn<detail::EuclideanDistance>(qp, k, heap, d.data(), pos.data());
            // tree order breaks ties by tree position: re-sort by (distance, data row)
            std::vector<std::pair<double, std::int32_t>> items(k);
            for (std::size_t j = 0; j < k; ++j) {
                const std::size_t row = tree.index(pos[j]);
                const double dist = (options.metric == Metric::cosine || options.metric == Metric::correlation)
                                        ? detail::metric_space_distance(qp, rows.data() + row * dim, dim, options.metric)
                                        : d[j];
                items[j] = {dist, static_cast<std::int32_t>(row)};
            }
            std::sort(items.begin(), items.end());
            for (std::size_t j = 0; j < k; ++j) {
                g.distances[q * k + j] = items[j].first;
                g.indices[q * k + j] = items[j].second;
            }
        }
    });
    return g;
}

inline KnnGraph exact_knn(const double* data, std::size_t n, std::size_t dim, const KnnOptions& options) {
    return exact_knn(data, n, dim, data, n, options);
}

}  // namespace musiclab::neighbors
