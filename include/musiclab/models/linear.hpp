// musiclab::models linear models — LinearRegression, Ridge, Lasso and ElasticNet as scikit-learn
// 1.2.1 defines them, as models::Regressor (estimator.hpp).
//
//     musiclab::models::Lasso lasso;            // sklearn's defaults (alpha = 1, tol = 1e-4, ...)
//     lasso.set_param("alpha", 0.05);           // or lasso.options.alpha = 0.05
//     lasso.fit(X, y).predict(X_test);
//     lasso.coef(); lasso.intercept(); lasso.n_iter(); lasso.dual_gap(); lasso.converged();
//
// Math (n rows, p features; with fit_intercept the columns of X and y are centred first and
// intercept = mean(y) - mean(X) . coef, as sklearn's _preprocess_data / _set_intercept):
// - LinearRegression: w minimises ||yc - Xc w||^2; for a rank-deficient Xc the minimum-norm
//   solution pinv(Xc) yc (what sklearn's scipy.linalg.lstsq returns), rank() its rank.
// - Ridge: (Xc^T Xc + alpha I) w = Xc^T yc by Cholesky (solver "auto" / "cholesky"), or its
//   kernel form w = Xc^T (Xc Xc^T + alpha I)^-1 yc when p > n (sklearn's _solve_cholesky_kernel);
//   solver "svd": w = V diag(s / (s^2 + alpha)) U^T yc. A (numerically) singular system falls back
//   to "svd" (sklearn: when LAPACK's Cholesky fails) — solver_used() says which ran.
// - ElasticNet: minimises 1/(2n) ||yc - Xc w||^2 + alpha l1_ratio ||w||_1
//   + alpha (1 - l1_ratio)/2 ||w||^2 by coordinate descent (Lasso: l1_ratio = 1), sklearn's
//   enet_coordinate_descent[_gram] step for step: the sweep order (cyclic, or sklearn's xorshift
//   stream seeded by numpy RandomState(random_state).randint(0, 2^31 - 1)), the stopping rule (when
//   the largest coefficient change of a sweep is < tol * max|w|, or at the last sweep, the duality
//   gap is computed; stop when gap < tol * ||yc||^2), n_iter_ and dual_gap_ (= gap / n).
//
// Parameters: sklearn's names and defaults (numbers as double, booleans 0/1, choices as strings),
// plus "n_jobs" (threads of the centring / Gram passes and of predict on >= 65536 rows; default 1,
// 0 = all cores). Results do not depend on n_jobs (fixed row chunks summed in order). copy_X is
// accepted for sklearn compatibility and has no effect (inputs are never modified).
// Deviations (docs/models-linear.md): Lasso / ElasticNet "precompute" defaults to "auto" (Gram
// coordinate descent when n > p: the same iterates to rounding, O(p^2) per sweep instead of
// O(n p)); sklearn's estimator default is False ("auto" is sklearn's lasso_path / LassoCV
// default). random_state defaults to 0 (sklearn: None = unseeded); it matters for
// selection = "random" only. positive = True is implemented for Lasso / ElasticNet only.
//
// Complexity: LinearRegression and Ridge O(n p^2 + p^3) (one pass over X for Xc^T Xc; Ridge's
// kernel form O(n^2 p + n^3)); LinearRegression adds one residual pass (iterative refinement of
// the normal equations) and falls back to a complete orthogonal decomposition O(n p^2) when the
// equilibrated Gram matrix is ill-conditioned (rcond < 1e-10) or p > n. Lasso / ElasticNet:
// O(n p^2) for the Gram matrix + O(p^2) per sweep ("auto" with n > p), else O(n p) per sweep.
// predict O(n p). Memory: the Gram path keeps O(p^2); the dense coordinate descent, the
// least-squares fallback and the kernel form copy the centred X (n p doubles).
// Thread safety: fit mutates; predict is const and safe to call concurrently. Deterministic.
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "detail/linear_core.hpp"
#include "estimator.hpp"

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace musiclab::models {

/// Hyper-parameters of LinearRegression (sklearn 1.2.1 names and defaults).
struct LinearRegressionOptions {
    bool fit_intercept = true;
    bool copy_X = true;  ///< accepted, no effect
    int n_jobs = 1;      ///< threads of the passes over X (0 = all)
};

/// Ordinary least squares (sklearn.linear_model.LinearRegression, positive = False).
class LinearRegression {
public:
    LinearRegressionOptions options;

    LinearRegression() = default;
    explicit LinearRegression(const LinearRegressionOptions& o) : options(o) {}

    /// Least squares on centred data; minimum-norm solution when Xc is rank-deficient.
    LinearRegression& fit(const MatrixRef& X, const VectorRef& y);
    /// X coef + intercept. not_fitted / shape_mismatch / invalid_parameter (NaN, infinity).
    Vector predict(const MatrixRef& X) const {
        return detail::linear_predict(X, coef_, intercept_, fitted_, resolve_threads(options.n_jobs, "n_jobs"), "LinearRegression");
    }
    void set_param(std::string_view name, const ParamValue& v);
    Params get_params() const {
        return {{"fit_intercept", double(options.fit_intercept)}, {"copy_X", double(options.copy_X)}, {"n_jobs", double(options.n_jobs)},
                {"positive", 0.0}};
    }
    std::string name() const { return "LinearRegression"; }

    bool is_fitted() const noexcept { return fitted_; }
    /// sklearn coef_ (one per feature).
    const Vector& coef() const { return fitted_ ? coef_ : (throw not_fitted("LinearRegression"), coef_); }
    /// sklearn intercept_ (0 without fit_intercept).
    double intercept() const { return fitted_ ? intercept_ : (throw not_fitted("LinearRegression"), 0.0); }
    /// sklearn rank_: the numerical rank of the centred X.
    Eigen::Index rank() const { return fitted_ ? rank_ : (throw not_fitted("LinearRegression"), Eigen::Index{0}); }
    Eigen::Index n_features_in() const { return coef_.size(); }
    /// True when the normal equations (Gram matrix + one refinement step) were used, false when
    /// the complete orthogonal decomposition of the centred X was (p > n or ill-conditioned).
    bool used_normal_equations() const noexcept { return normal_equations_; }

private:
    Vector coef_;
    double intercept_ = 0.0;
    Eigen::Index rank_ = 0;
    bool fitted_ = false;
    bool normal_equations_ = false;
};

/// Hyper-parameters of Ridge (sklearn 1.2.1 names and defaults).
struct RidgeOptions {
    double alpha = 1.0;            ///< L2 penalty, >= 0
    bool fit_intercept = true;
    bool copy_X = true;            ///< accepted, no effect
    std::optional<int> max_iter;   ///< accepted (iterative solvers only), None by default
    double tol = 1e-4;             ///< accepted (iterative solvers only)
    std::string solver = "auto";   ///< "auto" (= "cholesky" for dense X), "cholesky", "svd"
    std::uint32_t random_state = 0;  ///< accepted (sag / saga only)
    int n_jobs = 1;                ///< musiclab: threads of the passes over X (0 = all)
};

/// L2-penalised least squares (sklearn.linear_model.Ridge, dense solvers).
class Ridge {
public:
    RidgeOptions options;

    Ridge() = default;
    explicit Ridge(const RidgeOptions& o) : options(o) {}

    Ridge& fit(const MatrixRef& X, const VectorRef& y);
    Vector predict(const MatrixRef& X) const {
        return detail::linear_predict(X, coef_, intercept_, fitted_, resolve_threads(options.n_jobs, "n_jobs"), "Ridge");
    }
    void set_param(std::string_view name, const ParamValue& v);
    Params get_params() const {
        const auto& o = options;
        return {{"alpha", o.alpha},
                {"fit_intercept", double(o.fit_intercept)},
                {"copy_X", double(o.copy_X)},
                {"max_iter", o.max_iter ? ParamValue(double(*o.max_iter)) : ParamValue(std::string("None"))},
                {"tol", o.tol},
                {"solver", o.solver},
                {"positive", 0.0},
                {"random_state", double(o.random_state)},
                {"n_jobs", double(o.n_jobs)}};
    }
    std::string name() const { return "Ridge"; }

    bool is_fitted() const noexcept { return fitted_; }
    const Vector& coef() const { return fitted_ ? coef_ : (throw not_fitted("Ridge"), coef_); }
    double intercept() const { return fitted_ ? intercept_ : (throw not_fitted("Ridge"), 0.0); }
    Eigen::Index n_features_in() const { return coef_.size(); }
    /// "cholesky" or "svd": the solver that produced coef (svd after a singular Cholesky).
    const std::string& solver_used() const { return fitted_ ? solver_used_ : (throw not_fitted("Ridge"), solver_used_); }

private:
    Vector coef_;
    double intercept_ = 0.0;
    std::string solver_used_;
    bool fitted_ = false;
};

/// Hyper-parameters of ElasticNet and Lasso (sklearn 1.2.1 names and defaults; see the header
/// comment for precompute and random_state).
struct ElasticNetOptions {
    double alpha = 1.0;             ///< penalty strength, >= 0
    double l1_ratio = 0.5;          ///< in [0, 1] (ElasticNet only; Lasso fixes 1)
    bool fit_intercept = true;
    std::string precompute = "auto";  ///< "auto" (Gram when n > p), "true" / 1, "false" / 0
    bool copy_X = true;             ///< accepted, no effect
    int max_iter = 1000;            ///< sweeps, >= 1
    double tol = 1e-4;              ///< >= 0
    bool warm_start = false;        ///< start from the previous fit's coef (same p)
    bool positive = false;          ///< constrain coef >= 0
    std::uint32_t random_state = 0;
    std::string selection = "cyclic";  ///< "cyclic" or "random"
    int n_jobs = 1;                 ///< musiclab: threads of the passes over X (0 = all)
};

namespace detail {
template <bool IsLasso>
class CoordinateDescentModel;
}

/// ElasticNet (sklearn.linear_model.ElasticNet).
using ElasticNet = detail::CoordinateDescentModel<false>;
/// Lasso (sklearn.linear_model.Lasso): ElasticNet with l1_ratio = 1.
using Lasso = detail::CoordinateDescentModel<true>;

namespace detail {

template <bool IsLasso>
class CoordinateDescentModel {
public:
    ElasticNetOptions options;

    CoordinateDescentModel() {
        if constexpr (IsLasso) options.l1_ratio = 1.0;
    }
    explicit CoordinateDescentModel(const ElasticNetOptions& o) : options(o) {
        if constexpr (IsLasso) options.l1_ratio = 1.0;
    }

    /// Coordinate descent to sklearn's stopping rule; not reaching it within max_iter sweeps is
    /// not an error (sklearn warns): converged() is false then.
    CoordinateDescentModel& fit(const MatrixRef& X, const VectorRef& y);
    Vector predict(const MatrixRef& X) const {
        return detail::linear_predict(X, coef_, intercept_, fitted_, resolve_threads(options.n_jobs, "n_jobs"), IsLasso ? "Lasso" : "ElasticNet");
    }
    void set_param(std::string_view name, const ParamValue& v);
    Params get_params() const {
        const auto& o = options;
        Params p = {{"alpha", o.alpha}};
        if constexpr (!IsLasso) p.emplace_back("l1_ratio", o.l1_ratio);
        const std::string pre = o.precompute;
        p.insert(p.end(), {{"fit_intercept", double(o.fit_intercept)},
                           {"precompute", pre == "auto" ? ParamValue(pre) : ParamValue(pre == "true" ? 1.0 : 0.0)},
                           {"copy_X", double(o.copy_X)},
                           {"max_iter", double(o.max_iter)},
                           {"tol", o.tol},
                           {"warm_start", double(o.warm_start)},
                           {"positive", double(o.positive)},
                           {"random_state", double(o.random_state)},
                           {"selection", o.selection},
                           {"n_jobs", double(o.n_jobs)}});
        return p;
    }
    std::string name() const { return IsLasso ? "Lasso" : "ElasticNet"; }

    bool is_fitted() const noexcept { return fitted_; }
    const Vector& coef() const { return fitted_ ? coef_ : (throw not_fitted(name()), coef_); }
    double intercept() const { return fitted_ ? intercept_ : (throw not_fitted(name()), 0.0); }
    Eigen::Index n_features_in() const { return coef_.size(); }
    /// sklearn n_iter_: coordinate sweeps run.
    int n_iter() const { return fitted_ ? cd_.n_iter : (throw not_fitted(name()), 0); }
    /// sklearn dual_gap_: the last duality gap of the objective above (1/n scaling).
    double dual_gap() const { return fitted_ ? cd_.gap / static_cast<double>(n_samples_) : (throw not_fitted(name()), 0.0); }
    /// The gap reached tol * ||yc||^2 / n before max_iter (sklearn warns otherwise).
    bool converged() const { return fitted_ ? cd_.converged : (throw not_fitted(name()), false); }
    /// True when the Gram-matrix coordinate descent ran (precompute, or "auto" with n > p).
    bool used_gram() const noexcept { return gram_; }

private:
    Vector coef_;
    double intercept_ = 0.0;
    CdResult cd_;
    Eigen::Index n_samples_ = 0;
    bool fitted_ = false;
    bool gram_ = false;
};

/// A 0 / 1 boolean parameter.
inline bool param_bool(std::string_view name, const ParamValue& v) { return param_int(name, v, 0, 1) != 0; }

inline int param_threads(std::string_view name, const ParamValue& v) { return static_cast<int>(param_int(name, v, 0, 1024)); }

inline double param_non_negative(std::string_view name, const ParamValue& v) {
    const double d = param_number(name, v);
    if (!(d >= 0.0) || std::isinf(d)) throw invalid_parameter(std::string(name), d, "a finite number >= 0");
    return d;
}

inline void reject_positive(std::string_view name, const ParamValue& v, const char* who) {
    if (param_bool(name, v)) throw invalid_parameter("positive", 1.0, std::string(who) + ": 0 (positive = True is not implemented)");
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

inline LinearRegression& LinearRegression::fit(const MatrixRef& X, const VectorRef& y) {
    const int threads = resolve_threads(options.n_jobs, "n_jobs");
    const detail::LinearCentre c = detail::linear_centre(X, y, options.fit_intercept, threads, "LinearRegression");
    const Eigen::Index n = X.rows(), p = X.cols();
    Vector w = Vector::Zero(p);
    Eigen::Index rank = 0;
    bool normal = false;
    if (n >= p) {
        // Normal equations of the equilibrated active columns, when well conditioned.
        const detail::LinearGram g = detail::linear_gram(X, y, c, threads);
        std::vector<Eigen::Index> active;
        for (Eigen::Index j = 0; j < p; ++j) {
            const double raw = g.G(j, j) + static_cast<double>(n) * c.x_mean[j] * c.x_mean[j];
            if (g.G(j, j) > 1e-24 * raw) active.push_back(j);  // else constant up to rounding: coef 0
        }
        const auto k = static_cast<Eigen::Index>(active.size());
        Eigen::MatrixXd A(k, k);
        Eigen::VectorXd b(k);
        for (Eigen::Index a = 0; a < k; ++a) {
            b[a] = g.b[active[static_cast<std::size_t>(a)]];
            for (Eigen::Index e = 0; e < k; ++e) A(a, e) = g.G(active[static_cast<std::size_t>(a)], active[static_cast<std::size_t>(e)]);
        }
        Eigen::VectorXd wa;
        if (k == 0 || detail::ridge_cholesky(A, b, 0.0, 1e-10, wa)) {
            for (Eigen::Index a = 0; a < k; ++a) w[active[static_cast<std::size_t>(a)]] = wa[a];
            if (k > 0) {  // one step of iterative refinement: A dw = Xc^T (yc - Xc w)
                const detail::LinearGram r = detail::linear_gram(X, y, c, threads, false, &w);
                Eigen::VectorXd rb(k), dw;
                for (Eigen::Index a = 0; a < k; ++a) rb[a] = r.b[active[static_cast<std::size_t>(a)]];
                if (detail::ridge_cholesky(A, rb, 0.0, 1e-10, dw))
                    for (Eigen::Index a = 0; a < k; ++a) w[active[static_cast<std::size_t>(a)]] += dw[a];
            }
            rank = k;
            normal = true;
        }
    }
    if (!normal) {
        const Eigen::MatrixXd Xc = detail::linear_centred_copy(X, c.x_mean, threads);
        const Eigen::VectorXd yc = y.array() - c.y_mean;
        const detail::MinNormSolution s = detail::linear_min_norm(Xc, yc);
        w = s.w;
        rank = s.rank;
    }
    coef_ = std::move(w);
    intercept_ = options.fit_intercept ? c.y_mean - c.x_mean.dot(coef_) : 0.0;
    rank_ = rank;
    normal_equations_ = normal;
    fitted_ = true;
    return *this;
}

inline void LinearRegression::set_param(std::string_view name, const ParamValue& v) {
    if (name == "fit_intercept") options.fit_intercept = detail::param_bool(name, v);
    else if (name == "copy_X") options.copy_X = detail::param_bool(name, v);
    else if (name == "n_jobs") options.n_jobs = detail::param_threads(name, v);
    else if (name == "positive") detail::reject_positive(name, v, "LinearRegression");
    else throw unknown_name("parameter", std::string(name), "LinearRegression");
}

inline Ridge& Ridge::fit(const MatrixRef& X, const VectorRef& y) {
    const auto& o = options;
    if (!(o.alpha >= 0.0) || std::isinf(o.alpha)) throw invalid_parameter("alpha", o.alpha, "Ridge: a finite number >= 0");
    if (o.solver != "auto" && o.solver != "cholesky" && o.solver != "svd") throw invalid_parameter("solver", o.solver, "auto, cholesky, svd");
    const int threads = resolve_threads(o.n_jobs, "n_jobs");
    const detail::LinearCentre c = detail::linear_centre(X, y, o.fit_intercept, threads, "Ridge");
    const Eigen::Index n = X.rows(), p = X.cols();
    Vector w;
    bool done = false;
    // The Cholesky solution is rejected (-> svd) below this reciprocal condition number of the
    // equilibrated system: there it is rounding noise (e.g. alpha = 0 with collinear columns).
    constexpr double min_rcond = 1e-13;
    if (o.solver != "svd") {
        if (p > n) {  // kernel (dual) form, sklearn's _solve_cholesky_kernel
            const Eigen::MatrixXd Xc = detail::linear_centred_copy(X, c.x_mean, threads);
            const Eigen::VectorXd yc = y.array() - c.y_mean;
            const Eigen::MatrixXd K = Xc * Xc.transpose();
            Eigen::VectorXd dual;
            if (detail::ridge_cholesky(K, yc, o.alpha, min_rcond, dual)) {
                w = Xc.transpose() * dual;
                done = true;
            }
        } else {
            const detail::LinearGram g = detail::linear_gram(X, y, c, threads);
            done = detail::ridge_cholesky(g.G, g.b, o.alpha, min_rcond, w);
        }
    }
    solver_used_ = done ? "cholesky" : "svd";
    if (!done) {
        const Eigen::MatrixXd Xc = detail::linear_centred_copy(X, c.x_mean, threads);
        const Eigen::VectorXd yc = y.array() - c.y_mean;
        w = detail::ridge_svd(Xc, yc, o.alpha);
    }
    coef_ = std::move(w);
    intercept_ = o.fit_intercept ? c.y_mean - c.x_mean.dot(coef_) : 0.0;
    fitted_ = true;
    return *this;
}

inline void Ridge::set_param(std::string_view name, const ParamValue& v) {
    auto& o = options;
    if (name == "alpha") o.alpha = detail::param_non_negative(name, v);
    else if (name == "fit_intercept") o.fit_intercept = detail::param_bool(name, v);
    else if (name == "copy_X") o.copy_X = detail::param_bool(name, v);
    else if (name == "max_iter") {
        if (const auto* s = std::get_if<std::string>(&v)) {
            if (*s != "None") throw invalid_parameter("max_iter", *s, "None or a whole number >= 1");
            o.max_iter.reset();
        } else {
            o.max_iter = static_cast<int>(detail::param_int(name, v, 1, 1 << 30));
        }
    } else if (name == "tol") o.tol = detail::param_non_negative(name, v);
    else if (name == "solver") {
        const auto s = detail::param_name(name, v, "auto, cholesky, svd");
        if (s != "auto" && s != "cholesky" && s != "svd") throw invalid_parameter("solver", s, "auto, cholesky, svd");
        o.solver = s;
    } else if (name == "positive") detail::reject_positive(name, v, "Ridge");
    else if (name == "random_state") o.random_state = static_cast<std::uint32_t>(detail::param_int(name, v, 0, 4294967295LL));
    else if (name == "n_jobs") o.n_jobs = detail::param_threads(name, v);
    else throw unknown_name("parameter", std::string(name), "Ridge");
}

namespace detail {

template <bool IsLasso>
CoordinateDescentModel<IsLasso>& CoordinateDescentModel<IsLasso>::fit(const MatrixRef& X, const VectorRef& y) {
    const auto& o = options;
    const char* who = IsLasso ? "Lasso" : "ElasticNet";
    if (!(o.alpha >= 0.0) || std::isinf(o.alpha)) throw invalid_parameter("alpha", o.alpha, std::string(who) + ": a finite number >= 0");
    if (!(o.l1_ratio >= 0.0 && o.l1_ratio <= 1.0)) throw invalid_parameter("l1_ratio", o.l1_ratio, std::string(who) + ": a number in [0, 1]");
    if (o.max_iter < 1) throw invalid_parameter("max_iter", o.max_iter, std::string(who) + ": a whole number >= 1");
    if (!(o.tol >= 0.0)) throw invalid_parameter("tol", o.tol, std::string(who) + ": a number >= 0");
    if (o.selection != "cyclic" && o.selection != "random") throw invalid_parameter("selection", o.selection, "cyclic, random");
    if (o.precompute != "auto" && o.precompute != "true" && o.precompute != "false")
        throw invalid_parameter("precompute", o.precompute, "auto, true (1), false (0)");
    const int threads = resolve_threads(o.n_jobs, "n_jobs");
    const LinearCentre c = linear_centre(X, y, o.fit_intercept, threads, who);
    const Eigen::Index n = X.rows(), p = X.cols();
    Vector w = Vector::Zero(p);
    if (o.warm_start && fitted_ && coef_.size() == p) w = coef_;
    const double l1_reg = o.alpha * o.l1_ratio * static_cast<double>(n);
    const double l2_reg = o.alpha * (1.0 - o.l1_ratio) * static_cast<double>(n);
    const bool random = o.selection == "random";
    const std::uint32_t seed = sklearn_cd_seed(o.random_state);
    const bool gram = o.precompute == "true" || (o.precompute == "auto" && n > p);
    CdResult res;
    if (gram) {
        const LinearGram g = linear_gram(X, y, c, threads);
        res = cd_gram(w, l1_reg, l2_reg, g.G, g.b, g.yy, o.max_iter, o.tol, random, seed, o.positive);
    } else {
        const Eigen::MatrixXd Xc = linear_centred_copy(X, c.x_mean, threads);
        const Eigen::VectorXd yc = y.array() - c.y_mean;
        res = cd_dense(w, l1_reg, l2_reg, Xc, yc, o.max_iter, o.tol, random, seed, o.positive);
    }
    const double b = o.fit_intercept ? c.y_mean - c.x_mean.dot(w) : 0.0;
    if (!w.allFinite() || !std::isfinite(b))
        throw error(std::string(who) + ": coordinate descent produced non-finite coefficients (the input has values too large; scale it)");
    coef_ = std::move(w);
    intercept_ = b;
    cd_ = res;
    n_samples_ = n;
    gram_ = gram;
    fitted_ = true;
    return *this;
}

template <bool IsLasso>
void CoordinateDescentModel<IsLasso>::set_param(std::string_view name, const ParamValue& v) {
    auto& o = options;
    if (name == "alpha") o.alpha = param_non_negative(name, v);
    else if (!IsLasso && name == "l1_ratio") {
        const double r = param_number(name, v);
        if (!(r >= 0.0 && r <= 1.0)) throw invalid_parameter("l1_ratio", r, "a number in [0, 1]");
        o.l1_ratio = r;
    } else if (name == "fit_intercept") o.fit_intercept = param_bool(name, v);
    else if (name == "precompute") {
        if (const auto* s = std::get_if<std::string>(&v)) {
            if (*s == "auto" || *s == "true" || *s == "false") o.precompute = *s;
            else if (*s == "True" || *s == "False") o.precompute = *s == "True" ? "true" : "false";
            else throw invalid_parameter("precompute", *s, "auto, true (1), false (0)");
        } else {
            o.precompute = param_bool(name, v) ? "true" : "false";
        }
    } else if (name == "copy_X") o.copy_X = param_bool(name, v);
    else if (name == "max_iter") o.max_iter = static_cast<int>(param_int(name, v, 1, 1 << 30));
    else if (name == "tol") o.tol = param_non_negative(name, v);
    else if (name == "warm_start") o.warm_start = param_bool(name, v);
    else if (name == "positive") o.positive = param_bool(name, v);
    else if (name == "random_state") o.random_state = static_cast<std::uint32_t>(param_int(name, v, 0, 4294967295LL));
    else if (name == "selection") {
        const auto s = param_name(name, v, "cyclic, random");
        if (s != "cyclic" && s != "random") throw invalid_parameter("selection", s, "cyclic, random");
        o.selection = s;
    } else if (name == "n_jobs") o.n_jobs = param_threads(name, v);
    else throw unknown_name("parameter", std::string(name), IsLasso ? "Lasso" : "ElasticNet");
}

}  // namespace detail

}  // namespace musiclab::models
