// musiclab::models::KNeighborsRegressor — k-nearest-neighbours regression as scikit-learn 1.2.1's
// KNeighborsRegressor, as models::Regressor (estimator.hpp), on musiclab::neighbors' exact k-d
// tree search (neighbors/knn.hpp).
//
//     musiclab::models::KNeighborsRegressor knn;     // n_neighbors = 5, uniform, euclidean
//     knn.set_param("weights", std::string("distance"));
//     knn.fit(X, y).predict(X_test);
//
// Math: for a query x, N(x) = the n_neighbors training rows nearest to x (metric "euclidean" or
// "manhattan"; sklearn's "minkowski" with p = 2 / p = 1 are accepted too), ties in distance broken
// by the smaller training row. weights "uniform": prediction = mean of y over N(x). weights
// "distance": w_i = 1 / d_i and prediction = sum w_i y_i / sum w_i; when some neighbours are at
// distance 0, those get weight 1 and the others 0 (sklearn's _get_weights).
// Parameters: n_neighbors (5), weights ("uniform"), metric ("minkowski"), p (2), leaf_size (30),
// algorithm ("auto"; accepted, always the k-d tree), n_jobs (1; 0 = all cores; threads of predict).
// Results do not depend on n_jobs (each query is independent).
// Errors: n_neighbors > rows at fit -> invalid_parameter naming n_neighbors (sklearn raises at
// predict; we raise at fit, where the data is known).
// Complexity: fit O(n log n) is deferred to a copy of the data (the tree is built per predict
// call, O(n log n)); predict about O(m log n) for m queries in low dimension. Memory: a copy of X
// and y. Thread safety: fit mutates; predict is const and safe to call concurrently.
#pragma once

#include "../core/error.hpp"
#include "../neighbors/knn.hpp"
#include "estimator.hpp"

#include <Eigen/Core>

#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace musiclab::models {

/// Hyper-parameters of KNeighborsRegressor (sklearn 1.2.1 names and defaults).
struct KNeighborsRegressorOptions {
    int n_neighbors = 5;
    std::string weights = "uniform";   ///< "uniform" | "distance"
    std::string metric = "minkowski";  ///< "minkowski" (with p) | "euclidean" | "manhattan"
    int p = 2;                         ///< 1 or 2 (minkowski only)
    int leaf_size = 30;
    std::string algorithm = "auto";    ///< accepted for compatibility: always the exact k-d tree
    int n_jobs = 1;                    ///< predict threads (0 = all cores)
};

class KNeighborsRegressor {
public:
    KNeighborsRegressorOptions options;

    KNeighborsRegressor() = default;
    explicit KNeighborsRegressor(KNeighborsRegressorOptions o) : options(std::move(o)) {}

    KNeighborsRegressor& fit(const MatrixRef& X, const VectorRef& y);
    Vector predict(const MatrixRef& X) const;
    /// The n_neighbors nearest training rows of every row of X (sklearn's kneighbors).
    neighbors::KnnGraph kneighbors(const MatrixRef& X) const;

    void set_param(std::string_view name, const ParamValue& v);
    Params get_params() const {
        return {{"n_neighbors", double(options.n_neighbors)}, {"weights", options.weights},     {"metric", options.metric},
                {"p", double(options.p)},                     {"leaf_size", double(options.leaf_size)}, {"algorithm", options.algorithm},
                {"n_jobs", double(options.n_jobs)}};
    }
    std::string name() const { return "KNeighborsRegressor"; }

    Eigen::Index n_features_in() const { return fitted_ ? n_features_ : (throw not_fitted(name()), 0); }
    Eigen::Index n_samples_fit() const { return fitted_ ? n_samples_ : (throw not_fitted(name()), 0); }

private:
    neighbors::Metric metric_() const;
    void check_options_() const;

    std::vector<double> data_;  // row-major copy of X
    Vector y_;
    Eigen::Index n_samples_ = 0, n_features_ = 0;
    bool fitted_ = false;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
inline neighbors::Metric KNeighborsRegressor::metric_() const {
    if (options.metric == "euclidean" || options.metric == "l2") return neighbors::Metric::euclidean;
    if (options.metric == "manhattan" || options.metric == "l1" || options.metric == "cityblock") return neighbors::Metric::manhattan;
    if (options.metric == "minkowski") {
        if (options.p == 2) return neighbors::Metric::euclidean;
        if (options.p == 1) return neighbors::Metric::manhattan;
        throw invalid_parameter("p", double(options.p), "1 or 2");
    }
    throw invalid_parameter("metric", options.metric, "minkowski, euclidean, manhattan");
}

inline void KNeighborsRegressor::check_options_() const {
    if (options.n_neighbors < 1) throw invalid_parameter("n_neighbors", double(options.n_neighbors), ">= 1");
    if (options.weights != "uniform" && options.weights != "distance") throw invalid_parameter("weights", options.weights, "uniform, distance");
    if (options.leaf_size < 1) throw invalid_parameter("leaf_size", double(options.leaf_size), ">= 1");
    if (options.n_jobs < 0) throw invalid_parameter("n_jobs", double(options.n_jobs), ">= 0");
    if (options.algorithm != "auto" && options.algorithm != "kd_tree" && options.algorithm != "ball_tree" && options.algorithm != "brute")
        throw invalid_parameter("algorithm", options.algorithm, "auto, kd_tree, ball_tree, brute");
    (void)metric_();
}

inline void KNeighborsRegressor::set_param(std::string_view name, const ParamValue& v) {
    if (name == "n_neighbors") options.n_neighbors = int(detail::param_int(name, v, 1, 1LL << 30));
    else if (name == "weights") {
        auto s = detail::param_name(name, v, "uniform, distance");
        if (s != "uniform" && s != "distance") throw invalid_parameter("weights", s, "uniform, distance");
        options.weights = s;
    } else if (name == "metric") {
        auto s = detail::param_name(name, v, "minkowski, euclidean, manhattan");
        if (s != "minkowski" && s != "euclidean" && s != "manhattan" && s != "l1" && s != "l2" && s != "cityblock")
            throw invalid_parameter("metric", s, "minkowski, euclidean, manhattan");
        options.metric = s;
    } else if (name == "p") options.p = int(detail::param_int(name, v, 1, 2));
    else if (name == "leaf_size") options.leaf_size = int(detail::param_int(name, v, 1, 1LL << 30));
    else if (name == "algorithm") {
        auto s = detail::param_name(name, v, "auto, kd_tree, ball_tree, brute");
        if (s != "auto" && s != "kd_tree" && s != "ball_tree" && s != "brute") throw invalid_parameter("algorithm", s, "auto, kd_tree, ball_tree, brute");
        options.algorithm = s;
    } else if (name == "n_jobs") options.n_jobs = int(detail::param_int(name, v, 0, 1 << 20));
    else throw unknown_name("parameter", std::string(name), "KNeighborsRegressor");
}

inline KNeighborsRegressor& KNeighborsRegressor::fit(const MatrixRef& X, const VectorRef& y) {
    check_options_();
    detail::check_fit_inputs(X, y, "KNeighborsRegressor");
    if (options.n_neighbors > X.rows())
        throw invalid_parameter("n_neighbors", double(options.n_neighbors),
                                std::string("KNeighborsRegressor: <= n_samples = ") += std::to_string(X.rows()));
    n_samples_ = X.rows();
    n_features_ = X.cols();
    data_.resize(static_cast<std::size_t>(n_samples_ * n_features_));
    Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(data_.data(), n_samples_, n_features_) = X;
    y_ = y;
    fitted_ = true;
    return *this;
}

inline neighbors::KnnGraph KNeighborsRegressor::kneighbors(const MatrixRef& X) const {
    detail::check_predict_inputs(X, fitted_, n_features_, "KNeighborsRegressor");
    check_options_();
    if (options.n_neighbors > n_samples_)
        throw invalid_parameter("n_neighbors", double(options.n_neighbors),
                                std::string("KNeighborsRegressor: <= n_samples = ") += std::to_string(n_samples_));
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Q = X;
    neighbors::KnnOptions ko;
    ko.n_neighbors = static_cast<std::size_t>(options.n_neighbors);
    ko.metric = metric_();
    ko.num_threads = options.n_jobs;
    ko.leaf_size = static_cast<std::size_t>(options.leaf_size);
    return neighbors::exact_knn(data_.data(), static_cast<std::size_t>(n_samples_), static_cast<std::size_t>(n_features_), Q.data(),
                                static_cast<std::size_t>(Q.rows()), ko);
}

inline Vector KNeighborsRegressor::predict(const MatrixRef& X) const {
    const neighbors::KnnGraph g = kneighbors(X);
    const std::size_t k = g.k;
    Vector out(static_cast<Eigen::Index>(g.n_queries));
    const bool distance = options.weights == "distance";
    for (std::size_t q = 0; q < g.n_queries; ++q) {
        if (!distance) {
            double s = 0.0;
            for (std::size_t j = 0; j < k; ++j) s += y_[g.index(q, j)];
            out[static_cast<Eigen::Index>(q)] = s / static_cast<double>(k);
            continue;
        }
        bool zero = false;
        for (std::size_t j = 0; j < k; ++j) zero = zero || std::isinf(1.0 / g.distance(q, j));  // sklearn: inf weights
        double num = 0.0, den = 0.0;
        for (std::size_t j = 0; j < k; ++j) {
            const double d = g.distance(q, j);
            const double w = zero ? (std::isinf(1.0 / d) ? 1.0 : 0.0) : 1.0 / d;
            num += y_[g.index(q, j)] * w;
            den += w;
        }
        out[static_cast<Eigen::Index>(q)] = num / den;
    }
    return out;
}

}  // namespace musiclab::models
