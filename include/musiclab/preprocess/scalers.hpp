// musiclab::preprocess scalers: StandardScaler (z-scores) and MinMaxScaler (affine map onto a
// range), with the semantics of scikit-learn 1.2's StandardScaler / MinMaxScaler on dense input:
// NaN is ignored by fit and passed through by transform, near-constant features get scale 1,
// and the arithmetic is done in the same order so the results agree bit for bit (see
// docs/preprocess.md for the formulas and how parity was shown).
//
// Data layout: Eigen::MatrixXd, rows = samples, columns = features. Every function takes an
// Eigen::Ref<const Eigen::MatrixXd>, so blocks and maps work without a copy.
//
// Usage:
//     auto scaler = musiclab::preprocess::fit_standard_scaler(X);   // immutable, shareable
//     Eigen::MatrixXd Z = scaler.transform(X_test);
//
// Thread safety: a fitted scaler is immutable; its const members may be called concurrently.
// fit() mutates the object (like scikit-learn's fit) and must not race with other calls.
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace musiclab::preprocess {

/// Options of StandardScaler. Defaults are scikit-learn's.
struct StandardScalerOptions {
    /// Subtract the per-feature mean in transform (default true).
    bool with_mean = true;
    /// Divide by the per-feature population standard deviation (ddof = 0) in transform
    /// (default true). When false, var() and scale() are empty.
    bool with_std = true;
    /// Worker threads over features for fit/transform (default 1; 0 = all hardware threads).
    /// Results do not depend on it: each feature is computed by one worker in a fixed order.
    int num_threads = 1;
};

/// Standardizes features: z = (x - mean) / scale (scikit-learn StandardScaler, dense input).
/// fit: O(n_samples * n_features) time, O(n_features) memory (two passes over the data).
class StandardScaler {
public:
    /// An unfitted scaler with default options; transform() throws musiclab::not_fitted.
    StandardScaler() = default;
    /// An unfitted scaler with the given options (validated: num_threads >= 0).
    explicit StandardScaler(const StandardScalerOptions& options);

    /// Computes mean_, var_, scale_ and n_samples_seen_ from X, ignoring NaN, replacing any
    /// previous fit. X needs >= 1 row and >= 1 column and no +-inf (musiclab::invalid_parameter).
    StandardScaler& fit(Eigen::Ref<const Eigen::MatrixXd> X);
    /// (X - mean) / scale per column (each step only when enabled); NaN stays NaN.
    /// Throws not_fitted, shape_mismatch (column count), invalid_parameter (+-inf, 0 rows).
    Eigen::MatrixXd transform(Eigen::Ref<const Eigen::MatrixXd> X) const;
    /// X * scale + mean per column (each step only when enabled); same errors as transform.
    Eigen::MatrixXd inverse_transform(Eigen::Ref<const Eigen::MatrixXd> X) const;
    /// fit(X) then transform(X).
    Eigen::MatrixXd fit_transform(Eigen::Ref<const Eigen::MatrixXd> X);

    bool is_fitted() const noexcept { return n_features_ > 0; }
    const StandardScalerOptions& options() const noexcept { return options_; }
    /// Number of features seen by fit (sklearn n_features_in_); throws not_fitted.
    Eigen::Index n_features_in() const;
    /// Per-feature mean of the non-NaN values (sklearn mean_; NaN for an all-NaN feature).
    /// Empty when with_mean and with_std are both false (sklearn: None). Throws not_fitted.
    const Eigen::VectorXd& mean() const;
    /// Per-feature population variance (ddof = 0) of the non-NaN values (sklearn var_).
    /// Empty when with_std is false. Throws not_fitted.
    const Eigen::VectorXd& var() const;
    /// Per-feature divisor: sqrt(var), or 1 where the feature is constant up to rounding
    /// (var <= n*eps*var + (n*mean*eps)^2, sklearn's _is_constant_feature). Empty when with_std
    /// is false. Throws not_fitted.
    const Eigen::VectorXd& scale() const;
    /// Per-feature count of non-NaN values used by fit (sklearn n_samples_seen_, always one per
    /// feature here). Throws not_fitted.
    const std::vector<std::int64_t>& n_samples_seen() const;

private:
    void check_fitted() const;
    StandardScalerOptions options_{};
    Eigen::Index n_features_ = 0;
    Eigen::VectorXd mean_, var_, scale_;
    std::vector<std::int64_t> n_samples_seen_;
};

/// Fits a StandardScaler on X (see StandardScaler::fit); the returned model is immutable.
StandardScaler fit_standard_scaler(Eigen::Ref<const Eigen::MatrixXd> X,
                                   const StandardScalerOptions& options = {});

/// Options of MinMaxScaler. Defaults are scikit-learn's.
struct MinMaxScalerOptions {
    /// Target range (min, max) of the training data after transform; finite, min < max
    /// (default (0, 1)).
    std::pair<double, double> feature_range{0.0, 1.0};
    /// Clip transformed values into feature_range (NaN stays NaN). Default false.
    bool clip = false;
    /// Worker threads over features (default 1; 0 = all). Results do not depend on it.
    int num_threads = 1;
};

/// Scales each feature to feature_range: x * scale + min with scale = (max - min) / data_range
/// (data_range replaced by 1 when < 10 * DBL_EPSILON) and min = range_min - data_min * scale
/// (scikit-learn MinMaxScaler). fit: O(n_samples * n_features) time, O(n_features) memory.
class MinMaxScaler {
public:
    /// An unfitted scaler with default options; transform() throws musiclab::not_fitted.
    MinMaxScaler() = default;
    /// An unfitted scaler with the given options (validated: range finite with min < max,
    /// num_threads >= 0; musiclab::invalid_parameter otherwise).
    explicit MinMaxScaler(const MinMaxScalerOptions& options);

    /// Computes data_min_, data_max_, data_range_, scale_ and min_ from X ignoring NaN
    /// (an all-NaN feature gets NaN everywhere, as in sklearn). Same input rules as
    /// StandardScaler::fit.
    MinMaxScaler& fit(Eigen::Ref<const Eigen::MatrixXd> X);
    /// X * scale + min per column, then clipped when options().clip; NaN stays NaN.
    Eigen::MatrixXd transform(Eigen::Ref<const Eigen::MatrixXd> X) const;
    /// (X - min) / scale per column (no clipping).
    Eigen::MatrixXd inverse_transform(Eigen::Ref<const Eigen::MatrixXd> X) const;
    /// fit(X) then transform(X).
    Eigen::MatrixXd fit_transform(Eigen::Ref<const Eigen::MatrixXd> X);

    bool is_fitted() const noexcept { return n_features_ > 0; }
    const MinMaxScalerOptions& options() const noexcept { return options_; }
    /// Number of features seen by fit; throws not_fitted.
    Eigen::Index n_features_in() const;
    /// Per-feature minimum of the non-NaN values (sklearn data_min_). Throws not_fitted.
    const Eigen::VectorXd& data_min() const;
    /// Per-feature maximum of the non-NaN values (sklearn data_max_). Throws not_fitted.
    const Eigen::VectorXd& data_max() const;
    /// data_max - data_min (sklearn data_range_). Throws not_fitted.
    const Eigen::VectorXd& data_range() const;
    /// Per-feature multiplier (sklearn scale_). Throws not_fitted.
    const Eigen::VectorXd& scale() const;
    /// Per-feature offset added after scaling (sklearn min_). Throws not_fitted.
    const Eigen::VectorXd& min() const;
    /// Rows of the fitted X, NaN or not (sklearn n_samples_seen_). Throws not_fitted.
    std::int64_t n_samples_seen() const;

private:
    void check_fitted() const;
    MinMaxScalerOptions options_{};
    Eigen::Index n_features_ = 0;
    Eigen::VectorXd data_min_, data_max_, data_range_, scale_, min_;
    std::int64_t n_samples_seen_ = 0;
};

/// Fits a MinMaxScaler on X (see MinMaxScaler::fit); the returned model is immutable.
MinMaxScaler fit_min_max_scaler(Eigen::Ref<const Eigen::MatrixXd> X,
                                const MinMaxScalerOptions& options = {});

}  // namespace musiclab::preprocess

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::detail {

/// Rejects empty input and +-inf the way sklearn's check_array(force_all_finite="allow-nan") does.
inline void check_scaler_input(const Eigen::Ref<const Eigen::MatrixXd>& X, const char* name) {
    if (X.rows() < 1) throw invalid_parameter(std::string(name) + " rows", X.rows(), ">= 1 sample");
    if (X.cols() < 1) throw invalid_parameter(std::string(name) + " columns", X.cols(), ">= 1 feature");
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
        for (Eigen::Index i = 0; i < X.rows(); ++i) {
            if (std::isinf(X(i, j))) {
                throw invalid_parameter(name,
                                        std::string(X(i, j) > 0 ? "+inf" : "-inf") + " at row " +
                                            std::to_string(i) + ", column " + std::to_string(j),
                                        "finite values or NaN (missing)");
            }
        }
    }
}

inline void check_scaler_columns(const Eigen::Ref<const Eigen::MatrixXd>& X, Eigen::Index expected,
                                 const char* what) {
    if (X.cols() != expected)
        throw shape_mismatch(what, static_cast<std::size_t>(expected), static_cast<std::size_t>(X.cols()));
}

/// Runs fn(j) for every column j, split over threads by contiguous column ranges.
template <class Function>
void for_each_column(int num_threads, Eigen::Index n_cols, Function&& fn) {
    parallelize(resolve_threads(num_threads), n_cols, [&](int, Eigen::Index start, Eigen::Index length) {
        for (Eigen::Index j = start; j < start + length; ++j) fn(j);
    });
}

}  // namespace musiclab::detail

namespace musiclab::preprocess {

inline StandardScaler::StandardScaler(const StandardScalerOptions& options) : options_(options) {
    resolve_threads(options.num_threads);
}

inline void StandardScaler::check_fitted() const {
    if (!is_fitted()) throw not_fitted("StandardScaler");
}

inline StandardScaler& StandardScaler::fit(Eigen::Ref<const Eigen::MatrixXd> X) {
    resolve_threads(options_.num_threads);
    detail::check_scaler_input(X, "X");
    const Eigen::Index n = X.rows(), p = X.cols();
    const bool need_mean = options_.with_mean || options_.with_std;
    Eigen::VectorXd mean = Eigen::VectorXd::Constant(p, 0.0);
    Eigen::VectorXd var = Eigen::VectorXd::Constant(p, 0.0);
    Eigen::VectorXd scale = Eigen::VectorXd::Constant(p, 1.0);
    std::vector<std::int64_t> seen(static_cast<std::size_t>(p), 0);
    constexpr double eps = std::numeric_limits<double>::epsilon();
    detail::for_each_column(options_.num_threads, p, [&](Eigen::Index j) {
        // sklearn _incremental_mean_and_var (first call): sequential nansum over rows.
        std::int64_t count = 0;
        double sum = 0.0;
        for (Eigen::Index i = 0; i < n; ++i) {
            const double x = X(i, j);
            if (!std::isnan(x)) {
                sum += x;
                ++count;
            }
        }
        seen[static_cast<std::size_t>(j)] = count;
        if (!need_mean) return;
        const double c = static_cast<double>(count);
        const double m = sum / c;  // NaN for an all-NaN column, as in sklearn
        mean[j] = m;
        if (!options_.with_std) return;
        // Corrected two-pass variance (Chan, Golub & LeVeque), in sklearn's operation order.
        double correction = 0.0, squares = 0.0;
        for (Eigen::Index i = 0; i < n; ++i) {
            const double x = X(i, j);
            if (std::isnan(x)) continue;
            const double t = x - m;
            correction += t;
            squares += t * t;
        }
        const double unnormalized = squares - correction * correction / c;
        const double v = unnormalized / c;
        var[j] = v;
        // sklearn _is_constant_feature + _handle_zeros_in_scale
        const double upper_bound = c * eps * v + (c * m * eps) * (c * m * eps);
        scale[j] = (v <= upper_bound) ? 1.0 : std::sqrt(v);
    });
    n_features_ = p;
    n_samples_seen_ = std::move(seen);
    mean_ = need_mean ? std::move(mean) : Eigen::VectorXd();
    var_ = options_.with_std ? std::move(var) : Eigen::VectorXd();
    scale_ = options_.with_std ? std::move(scale) : Eigen::VectorXd();
    return *this;
}

inline Eigen::MatrixXd StandardScaler::transform(Eigen::Ref<const Eigen::MatrixXd> X) const {
    check_fitted();
    detail::check_scaler_columns(X, n_features_, "StandardScaler::transform: columns of X");
    detail::check_scaler_input(X, "X");
    Eigen::MatrixXd out(X.rows(), X.cols());
    detail::for_each_column(options_.num_threads, X.cols(), [&](Eigen::Index j) {
        auto col = out.col(j);
        col = X.col(j);
        if (options_.with_mean) col.array() -= mean_[j];
        if (options_.with_std) col.array() /= scale_[j];
    });
    return out;
}

inline Eigen::MatrixXd StandardScaler::inverse_transform(Eigen::Ref<const Eigen::MatrixXd> X) const {
    check_fitted();
    detail::check_scaler_columns(X, n_features_, "StandardScaler::inverse_transform: columns of X");
    detail::check_scaler_input(X, "X");
    Eigen::MatrixXd out(X.rows(), X.cols());
    detail::for_each_column(options_.num_threads, X.cols(), [&](Eigen::Index j) {
        auto col = out.col(j);
        col = X.col(j);
        if (options_.with_std) col.array() *= scale_[j];
        if (options_.with_mean) col.array() += mean_[j];
    });
    return out;
}

inline Eigen::MatrixXd StandardScaler::fit_transform(Eigen::Ref<const Eigen::MatrixXd> X) {
    fit(X);
    return transform(X);
}

inline Eigen::Index StandardScaler::n_features_in() const {
    check_fitted();
    return n_features_;
}
inline const Eigen::VectorXd& StandardScaler::mean() const {
    check_fitted();
    return mean_;
}
inline const Eigen::VectorXd& StandardScaler::var() const {
    check_fitted();
    return var_;
}
inline const Eigen::VectorXd& StandardScaler::scale() const {
    check_fitted();
    return scale_;
}
inline const std::vector<std::int64_t>& StandardScaler::n_samples_seen() const {
    check_fitted();
    return n_samples_seen_;
}

inline StandardScaler fit_standard_scaler(Eigen::Ref<const Eigen::MatrixXd> X,
                                          const StandardScalerOptions& options) {
    StandardScaler scaler(options);
    scaler.fit(X);
    return scaler;
}

// ---- MinMaxScaler ---------------------------------------------------------------------------

inline MinMaxScaler::MinMaxScaler(const MinMaxScalerOptions& options) : options_(options) {
    const auto [lo, hi] = options.feature_range;
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi)) {
        throw invalid_parameter("feature_range",
                                std::string("(") + std::to_string(lo) + ", " + std::to_string(hi) + ")",
                                "finite (min, max) with min < max");
    }
    resolve_threads(options.num_threads);
}

inline void MinMaxScaler::check_fitted() const {
    if (!is_fitted()) throw not_fitted("MinMaxScaler");
}

inline MinMaxScaler& MinMaxScaler::fit(Eigen::Ref<const Eigen::MatrixXd> X) {
    detail::check_scaler_input(X, "X");
    const Eigen::Index n = X.rows(), p = X.cols();
    const auto [lo, hi] = options_.feature_range;
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    constexpr double tiny = 10.0 * std::numeric_limits<double>::epsilon();
    Eigen::VectorXd dmin(p), dmax(p), range(p), scale(p), offset(p);
    detail::for_each_column(options_.num_threads, p, [&](Eigen::Index j) {
        // np.nanmin / np.nanmax: the first of equal values is kept, NaN when all are NaN.
        double mn = nan, mx = nan;
        for (Eigen::Index i = 0; i < n; ++i) {
            const double x = X(i, j);
            if (std::isnan(x)) continue;
            if (std::isnan(mn) || x < mn) mn = x;
            if (std::isnan(mx) || x > mx) mx = x;
        }
        const double r = mx - mn;
        dmin[j] = mn;
        dmax[j] = mx;
        range[j] = r;
        scale[j] = (hi - lo) / (r < tiny ? 1.0 : r);  // _handle_zeros_in_scale
        offset[j] = lo - mn * scale[j];
    });
    n_features_ = p;
    n_samples_seen_ = static_cast<std::int64_t>(n);
    data_min_ = std::move(dmin);
    data_max_ = std::move(dmax);
    data_range_ = std::move(range);
    scale_ = std::move(scale);
    min_ = std::move(offset);
    return *this;
}

inline Eigen::MatrixXd MinMaxScaler::transform(Eigen::Ref<const Eigen::MatrixXd> X) const {
    check_fitted();
    detail::check_scaler_columns(X, n_features_, "MinMaxScaler::transform: columns of X");
    detail::check_scaler_input(X, "X");
    const auto [lo, hi] = options_.feature_range;
    Eigen::MatrixXd out(X.rows(), X.cols());
    detail::for_each_column(options_.num_threads, X.cols(), [&](Eigen::Index j) {
        auto col = out.col(j);
        col = X.col(j);
        // Separate passes as numpy does (X *= scale_; X += min_): two roundings, no fused op.
        col.array() *= scale_[j];
        col.array() += min_[j];
        if (options_.clip) {
            for (Eigen::Index i = 0; i < col.size(); ++i) {
                if (col[i] < lo) col[i] = lo;
                else if (col[i] > hi) col[i] = hi;
            }
        }
    });
    return out;
}

inline Eigen::MatrixXd MinMaxScaler::inverse_transform(Eigen::Ref<const Eigen::MatrixXd> X) const {
    check_fitted();
    detail::check_scaler_columns(X, n_features_, "MinMaxScaler::inverse_transform: columns of X");
    detail::check_scaler_input(X, "X");
    Eigen::MatrixXd out(X.rows(), X.cols());
    detail::for_each_column(options_.num_threads, X.cols(), [&](Eigen::Index j) {
        auto col = out.col(j);
        col = X.col(j);
        col.array() -= min_[j];
        col.array() /= scale_[j];
    });
    return out;
}

inline Eigen::MatrixXd MinMaxScaler::fit_transform(Eigen::Ref<const Eigen::MatrixXd> X) {
    fit(X);
    return transform(X);
}

inline Eigen::Index MinMaxScaler::n_features_in() const {
    check_fitted();
    return n_features_;
}
inline const Eigen::VectorXd& MinMaxScaler::data_min() const {
    check_fitted();
    return data_min_;
}
inline const Eigen::VectorXd& MinMaxScaler::data_max() const {
    check_fitted();
    return data_max_;
}
inline const Eigen::VectorXd& MinMaxScaler::data_range() const {
    check_fitted();
    return data_range_;
}
inline const Eigen::VectorXd& MinMaxScaler::scale() const {
    check_fitted();
    return scale_;
}
inline const Eigen::VectorXd& MinMaxScaler::min() const {
    check_fitted();
    return min_;
}
inline std::int64_t MinMaxScaler::n_samples_seen() const {
    check_fitted();
    return n_samples_seen_;
}

inline MinMaxScaler fit_min_max_scaler(Eigen::Ref<const Eigen::MatrixXd> X,
                                       const MinMaxScalerOptions& options) {
    MinMaxScaler scaler(options);
    scaler.fit(X);
    return scaler;
}

}  // namespace musiclab::preprocess
