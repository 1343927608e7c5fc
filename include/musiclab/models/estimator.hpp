// musiclab::models — the estimator concept shared by every regressor of the model zoo, so that
// cross_validate, randomized_search and permutation_importance (model_selection.hpp) work over all
// of them.
//
//     musiclab::models::Ridge ridge;                 // hyper-parameters = public option fields
//     ridge.set_param("alpha", 3.0);                 // or by name (what a search does)
//     ridge.fit(X_train, y_train);                   // learns in place, returns *this
//     Eigen::VectorXd pred = ridge.predict(X_test);  // const, thread-safe
//
// Contract of a Regressor E (checked by the concept, documented per model):
// - copyable; a copy carries the hyper-parameters and (if fitted) the fitted state;
// - fit(X, y): X is an Eigen column-major double matrix (rows = samples, columns = features), y
//   one target per row. Refits from scratch (a second fit forgets the first). Throws
//   shape_mismatch (y.size() != X.rows()), invalid_parameter (no rows, NaN/inf in X or y — row and
//   column named — or a bad hyper-parameter);
// - predict(X) const: one prediction per row; not_fitted before fit, shape_mismatch when the number
//   of columns differs from fit's. Safe to call concurrently on one fitted object;
// - set_param(name, value) / get_params(): hyper-parameters by scikit-learn's names (numbers as
//   double — whole numbers for integer parameters —, choices as strings); an unknown name throws
//   unknown_name, a bad value invalid_parameter;
// - name(): a short display name ("Ridge", "RandomForestRegressor", ...).
// Determinism: randomised models take a "random_state" parameter; same data, parameters and
// thread count give the same model.
#pragma once

#include "../core/error.hpp"

#include <Eigen/Core>

#include <charconv>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace musiclab::models {

/// A hyper-parameter value: a number (integers as whole doubles) or a choice name ("distance").
using ParamValue = std::variant<double, std::string>;
/// Hyper-parameters by name, in the estimator's order.
using Params = std::vector<std::pair<std::string, ParamValue>>;

/// Feature matrix: rows = samples (column-major, as everywhere in musiclab's model APIs).
using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
using MatrixRef = Eigen::Ref<const Eigen::MatrixXd>;
using VectorRef = Eigen::Ref<const Eigen::VectorXd>;

template <class E>
concept Regressor = std::copy_constructible<E> &&
    requires(E& e, const E& ce, const Matrix& X, const Vector& y, std::string_view name, const ParamValue& v) {
        e.fit(X, y);
        { ce.predict(X) } -> std::convertible_to<Vector>;
        e.set_param(name, v);
        { ce.get_params() } -> std::convertible_to<Params>;
        { ce.name() } -> std::convertible_to<std::string>;
    };

/// Text of a parameter value ("0.5", "distance") for messages and reports.
inline std::string to_string(const ParamValue& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, std::get<double>(v));  // shortest round trip
    return std::string(buf, r.ptr);
}

}  // namespace musiclab::models

// ---------------------------------------------------------------------------------------------
namespace musiclab::models::detail {

/// The number in a parameter value; invalid_parameter when it is a name or not finite.
inline double param_number(std::string_view name, const ParamValue& v) {
    const auto* d = std::get_if<double>(&v);
    if (d == nullptr) throw invalid_parameter(std::string(name), std::get<std::string>(v), "a number");
    if (std::isnan(*d)) throw invalid_parameter(std::string(name), *d, "a number (not NaN)");
    return *d;
}

/// A whole number in [lo, hi] from a parameter value.
inline long long param_int(std::string_view name, const ParamValue& v, long long lo = std::numeric_limits<long long>::min(),
                           long long hi = std::numeric_limits<long long>::max()) {
    const double d = param_number(name, v);
    if (d != std::floor(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
        std::string allowed = "a whole number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
        throw invalid_parameter(std::string(name), d, allowed);
    }
    return static_cast<long long>(d);
}

/// The name in a parameter value; invalid_parameter when it is a number.
inline std::string param_name(std::string_view name, const ParamValue& v, const std::string& allowed) {
    const auto* s = std::get_if<std::string>(&v);
    if (s == nullptr) throw invalid_parameter(std::string(name), std::get<double>(v), allowed);
    return *s;
}

/// Checks the fit inputs of `who`: at least one row, y.size() == X.rows(), every value finite.
inline void check_fit_inputs(const MatrixRef& X, const VectorRef& y, const char* who) {
    if (X.rows() == 0 || X.cols() == 0)
        throw invalid_parameter("X", std::to_string(X.rows()) + " x " + std::to_string(X.cols()),
                                std::string(who) + ": at least one row and one column");
    if (y.size() != X.rows()) throw shape_mismatch(std::string(who) + ": y size (rows of X)", static_cast<std::size_t>(X.rows()), static_cast<std::size_t>(y.size()));
    for (Eigen::Index j = 0; j < X.cols(); ++j)
        for (Eigen::Index i = 0; i < X.rows(); ++i)
            if (!std::isfinite(X(i, j)))
                throw invalid_parameter("X", "row " + std::to_string(i) + " column " + std::to_string(j) + " = " + to_string(ParamValue(X(i, j))),
                                        std::string(who) + ": finite values (no NaN or infinity)");
    for (Eigen::Index i = 0; i < y.size(); ++i)
        if (!std::isfinite(y[i]))
            throw invalid_parameter("y", "row " + std::to_string(i) + " = " + to_string(ParamValue(y[i])),
                                    std::string(who) + ": finite values (no NaN or infinity)");
}

/// Checks the predict inputs of `who`: fitted, the fit's number of columns, every value finite.
inline void check_predict_inputs(const MatrixRef& X, bool fitted, Eigen::Index n_features, const char* who) {
    if (!fitted) throw not_fitted(who);
    if (X.cols() != n_features) throw shape_mismatch(std::string(who) + ": columns of X", static_cast<std::size_t>(n_features), static_cast<std::size_t>(X.cols()));
    for (Eigen::Index j = 0; j < X.cols(); ++j)
        for (Eigen::Index i = 0; i < X.rows(); ++i)
            if (!std::isfinite(X(i, j)))
                throw invalid_parameter("X", "row " + std::to_string(i) + " column " + std::to_string(j) + " = " + to_string(ParamValue(X(i, j))),
                                        std::string(who) + ": finite values (no NaN or infinity)");
}

}  // namespace musiclab::models::detail
