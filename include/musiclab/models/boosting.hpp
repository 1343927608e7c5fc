// musiclab::models::GbtRegressor — the gradient-boosted trees of musiclab/trees/gbt.hpp as a
// models::Regressor (estimator.hpp), so that cross_validate, randomized_search and
// permutation_importance work over them like over every other model of the zoo.
//
//     musiclab::models::GbtRegressor gbt;       // XGBoost 1.7's defaults (trees::GbtOptions)
//     gbt.set_param("n_estimators", 1000);      // XGBRegressor's parameter names
//     gbt.fit(X, y).predict(X_test);
//     gbt.model().shap_values(X_test);          // TreeSHAP of the fitted ensemble
//
// Parameters (XGBRegressor's names): n_estimators, learning_rate, max_depth, max_leaves,
// max_bin, grow_policy (depthwise | lossguide), reg_lambda, reg_alpha, gamma, min_child_weight,
// subsample, colsample_bytree, colsample_bynode, objective (reg:squarederror |
// reg:pseudohubererror), huber_slope, random_state, n_jobs. Missing values: NaN in X is allowed
// (learned default directions, as XGBoost); y must be finite. Cost, thread safety and
// determinism are GbtModel's (trees/gbt.hpp): predict is const and thread-safe.
#pragma once

#include "../core/error.hpp"
#include "../trees/gbt.hpp"
#include "estimator.hpp"

#include <Eigen/Core>

#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace musiclab::models {

class GbtRegressor {
public:
    GbtRegressor() = default;
    explicit GbtRegressor(const trees::GbtOptions& options) : options_(options) {}

    /// Fits the ensemble (NaN in X = missing). Throws as trees::fit_gbt_regressor.
    GbtRegressor& fit(const MatrixRef& X, const VectorRef& y) {
        if (y.size() != X.rows()) throw shape_mismatch("GbtRegressor: y size (rows of X)", static_cast<std::size_t>(X.rows()), static_cast<std::size_t>(y.size()));
        const Eigen::VectorXd yc = y;
        model_ = trees::fit_gbt_regressor(X, std::span<const double>(yc.data(), static_cast<std::size_t>(yc.size())), options_);
        return *this;
    }

    /// Predictions (the margin of a regression objective). not_fitted before fit.
    Vector predict(const MatrixRef& X) const {
        if (!model_) throw not_fitted("GbtRegressor");
        return model_->predict(X, options_.num_threads);
    }

    void set_param(std::string_view name, const ParamValue& v) {
        using detail::param_int;
        using detail::param_number;
        auto& o = options_;
        if (name == "n_estimators") o.n_estimators = static_cast<int>(param_int(name, v, 1, 1000000));
        else if (name == "learning_rate") o.learning_rate = param_number(name, v);
        else if (name == "max_depth") o.max_depth = static_cast<int>(param_int(name, v, 0, 64));
        else if (name == "max_leaves") o.max_leaves = static_cast<int>(param_int(name, v, 0, 1 << 30));
        else if (name == "max_bin") o.max_bins = static_cast<int>(param_int(name, v, 2, 255));
        else if (name == "grow_policy") {
            const auto s = detail::param_name(name, v, "depthwise, lossguide");
            if (s == "depthwise") o.grow_policy = trees::GbtGrowPolicy::depthwise;
            else if (s == "lossguide") o.grow_policy = trees::GbtGrowPolicy::lossguide;
            else throw invalid_parameter("grow_policy", s, "depthwise, lossguide");
        } else if (name == "reg_lambda") o.reg_lambda = param_number(name, v);
        else if (name == "reg_alpha") o.reg_alpha = param_number(name, v);
        else if (name == "gamma") o.gamma = param_number(name, v);
        else if (name == "min_child_weight") o.min_child_weight = param_number(name, v);
        else if (name == "subsample") o.subsample = param_number(name, v);
        else if (name == "colsample_bytree") o.colsample_bytree = param_number(name, v);
        else if (name == "colsample_bynode") o.colsample_bynode = param_number(name, v);
        else if (name == "huber_slope") o.huber_slope = param_number(name, v);
        else if (name == "objective") {
            const auto s = detail::param_name(name, v, "reg:squarederror, reg:pseudohubererror");
            if (s == "reg:squarederror") o.objective = trees::GbtObjective::squared_error;
            else if (s == "reg:pseudohubererror") o.objective = trees::GbtObjective::pseudo_huber;
            else throw invalid_parameter("objective", s, "reg:squarederror, reg:pseudohubererror");
        } else if (name == "random_state") o.seed = static_cast<std::uint64_t>(param_int(name, v, 0));
        else if (name == "n_jobs") o.num_threads = static_cast<int>(param_int(name, v, 0, 1024));
        else throw unknown_name("parameter", std::string(name), "GbtRegressor");
        model_.reset();
    }

    Params get_params() const {
        const auto& o = options_;
        return {{"n_estimators", double(o.n_estimators)},
                {"learning_rate", o.learning_rate},
                {"max_depth", double(o.max_depth)},
                {"max_leaves", double(o.max_leaves)},
                {"max_bin", double(o.max_bins)},
                {"grow_policy", std::string(o.grow_policy == trees::GbtGrowPolicy::depthwise ? "depthwise" : "lossguide")},
                {"reg_lambda", o.reg_lambda},
                {"reg_alpha", o.reg_alpha},
                {"gamma", o.gamma},
                {"min_child_weight", o.min_child_weight},
                {"subsample", o.subsample},
                {"colsample_bytree", o.colsample_bytree},
                {"colsample_bynode", o.colsample_bynode},
                {"objective", std::string(o.objective == trees::GbtObjective::pseudo_huber ? "reg:pseudohubererror" : "reg:squarederror")},
                {"huber_slope", o.huber_slope},
                {"random_state", double(o.seed)},
                {"n_jobs", double(o.num_threads)}};
    }

    std::string name() const { return "GbtRegressor"; }
    const trees::GbtOptions& options() const noexcept { return options_; }
    bool is_fitted() const noexcept { return model_.has_value(); }
    /// The fitted ensemble (SHAP values, importances, save). not_fitted before fit.
    const trees::GbtModel& model() const {
        if (!model_) throw not_fitted("GbtRegressor");
        return *model_;
    }

private:
    trees::GbtOptions options_;
    std::optional<trees::GbtModel> model_;
};

}  // namespace musiclab::models
