// musiclab::metrics regression metrics: R², MSE, RMSE, MAE with scikit-learn 1.2's definitions
// (r2_score with force_finite=True, mean_squared_error, mean_squared_error(squared=False),
// mean_absolute_error), single output, no sample weights.
//
// Every sum is numpy's pairwise summation in the order numpy uses, so the results equal
// scikit-learn's bit for bit on the same float64 inputs (checked against ../shared/reference).
// Cost: O(n) time, O(1) memory. Thread safety: pure functions, safe to call concurrently.
#pragma once

#include "../core/error.hpp"
#include "detail/text.hpp"
#include "detail/summation.hpp"

#include <cmath>
#include <cstddef>
#include <span>
#include <string>

namespace musiclab::metrics {

/// Coefficient of determination R² = 1 - SS_res / SS_tot with SS_res = Σ (y - ŷ)² and
/// SS_tot = Σ (y - mean(y))², as sklearn.metrics.r2_score (force_finite=True): when y_true is
/// constant (SS_tot = 0) the result is 1.0 for perfect predictions (SS_res = 0) and 0.0
/// otherwise; a perfect prediction always gives 1.0. Unitless, (-inf, 1].
/// Needs >= 2 values (sklearn returns NaN with a warning below that; musiclab throws
/// invalid_parameter), equal lengths (shape_mismatch) and finite values (invalid_parameter).
double r2_score(std::span<const double> y_true, std::span<const double> y_pred);

/// Mean squared error Σ (y - ŷ)² / n, in squared target units. Needs >= 1 value, equal lengths,
/// finite values.
double mean_squared_error(std::span<const double> y_true, std::span<const double> y_pred);

/// Root mean squared error sqrt(MSE), in target units (sklearn's squared=False). Same checks.
double root_mean_squared_error(std::span<const double> y_true, std::span<const double> y_pred);

/// Mean absolute error Σ |y - ŷ| / n, in target units. Same checks.
double mean_absolute_error(std::span<const double> y_true, std::span<const double> y_pred);

/// All four regression metrics of one prediction.
struct RegressionMetrics {
    double r2 = 0.0;
    double mse = 0.0;
    double rmse = 0.0;
    double mae = 0.0;
};

/// R², MSE, RMSE and MAE at once (each exactly as its own function). Needs >= 2 values.
RegressionMetrics regression_metrics(std::span<const double> y_true, std::span<const double> y_pred);

}  // namespace musiclab::metrics

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::detail {

inline void check_regression_inputs(std::span<const double> y_true, std::span<const double> y_pred,
                                    std::size_t min_size) {
    if (y_true.size() < min_size)
        throw invalid_parameter("y_true", detail::text_concat(y_true.size(), " values"),
                                detail::text_concat("at least ", min_size, min_size == 1 ? " value" : " values"));
    if (y_pred.size() != y_true.size()) throw shape_mismatch("length of y_pred (must equal y_true)", y_true.size(), y_pred.size());
    const auto check_finite = [](std::span<const double> v, const char* name) {
        for (std::size_t i = 0; i < v.size(); ++i)
            if (!std::isfinite(v[i]))
                throw invalid_parameter(name, detail::text_concat(v[i], " at index ", i), "finite values");
    };
    check_finite(y_true, "y_true");
    check_finite(y_pred, "y_pred");
}

/// numpy.mean(y): pairwise sum divided by n.
inline double numpy_mean(std::span<const double> y) {
    return numpy_pairwise_sum([&](std::size_t i) { return y[i]; }, 0, y.size()) / static_cast<double>(y.size());
}

inline double squared_error_sum(std::span<const double> t, std::span<const double> p) {
    return numpy_pairwise_sum(
        [&](std::size_t i) {
            const double d = t[i] - p[i];
            return d * d;
        },
        0, t.size());
}

}  // namespace musiclab::detail

namespace musiclab::metrics {

inline double r2_score(std::span<const double> y_true, std::span<const double> y_pred) {
    detail::check_regression_inputs(y_true, y_pred, 2);
    const double numerator = detail::squared_error_sum(y_true, y_pred);
    const double mean = detail::numpy_mean(y_true);
    const double denominator = detail::numpy_pairwise_sum(
        [&](std::size_t i) {
            const double d = y_true[i] - mean;
            return d * d;
        },
        0, y_true.size());
    if (numerator == 0.0) return 1.0;
    if (denominator == 0.0) return 0.0;
    return 1.0 - numerator / denominator;
}

inline double mean_squared_error(std::span<const double> y_true, std::span<const double> y_pred) {
    detail::check_regression_inputs(y_true, y_pred, 1);
    return detail::squared_error_sum(y_true, y_pred) / static_cast<double>(y_true.size());
}

inline double root_mean_squared_error(std::span<const double> y_true, std::span<const double> y_pred) {
    return std::sqrt(mean_squared_error(y_true, y_pred));
}

inline double mean_absolute_error(std::span<const double> y_true, std::span<const double> y_pred) {
    detail::check_regression_inputs(y_true, y_pred, 1);
    return detail::numpy_pairwise_sum([&](std::size_t i) { return std::fabs(y_pred[i] - y_true[i]); }, 0, y_true.size()) /
           static_cast<double>(y_true.size());
}

inline RegressionMetrics regression_metrics(std::span<const double> y_true, std::span<const double> y_pred) {
    RegressionMetrics m;
    m.r2 = r2_score(y_true, y_pred);
    m.mse = mean_squared_error(y_true, y_pred);
    m.rmse = std::sqrt(m.mse);
    m.mae = mean_absolute_error(y_true, y_pred);
    return m;
}

}  // namespace musiclab::metrics
