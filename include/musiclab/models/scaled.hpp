// musiclab::models::Scaled<E> — standardise the features, then the model: scikit-learn's
// make_pipeline(StandardScaler(), model) for any models::Regressor E (estimator.hpp). What kNN,
// the MLP and the penalised linear models need when features have different units.
//
//     musiclab::models::Scaled<musiclab::models::MLPRegressor> mlp;
//     mlp.set_param("alpha", 1e-3);            // passed to the model (sklearn: "mlpregressor__alpha")
//     mlp.fit(X, y).predict(X_test);           // the scaler is fitted on the rows fit() sees
//
// fit: the scaler (preprocess::StandardScaler: mean and population standard deviation per
// column; a constant column is only centred) is fitted on X, then the model on the scaled rows.
// Inside cross_validate / randomized_search this refits the scaler per fold, as a sklearn
// pipeline does. Parameters: the model's; set_param / get_params pass through. predict is const
// and thread-safe when the model's is. Cost: the model's plus O(rows x columns).
#pragma once

#include "../core/error.hpp"
#include "../preprocess/scalers.hpp"
#include "estimator.hpp"

#include <string>
#include <string_view>
#include <utility>

namespace musiclab::models {

template <Regressor E>
class Scaled {
public:
    Scaled() = default;
    explicit Scaled(E model) : model_(std::move(model)) {}

    Scaled& fit(const MatrixRef& X, const VectorRef& y) {
        detail::check_fit_inputs(X, y, "Scaled");
        scaler_ = preprocess::StandardScaler();
        const Eigen::MatrixXd Z = scaler_.fit_transform(X);
        model_.fit(Z, y);
        return *this;
    }

    Vector predict(const MatrixRef& X) const {
        if (!scaler_.is_fitted()) throw not_fitted("Scaled(" + model_.name() + ")");
        return model_.predict(scaler_.transform(X));
    }

    void set_param(std::string_view name, const ParamValue& v) { model_.set_param(name, v); }
    Params get_params() const { return model_.get_params(); }
    std::string name() const { return "Scaled(" + model_.name() + ")"; }

    /// The wrapped model (fitted on standardised features after fit).
    const E& model() const noexcept { return model_; }
    E& model() noexcept { return model_; }
    const preprocess::StandardScaler& scaler() const noexcept { return scaler_; }

private:
    E model_;
    preprocess::StandardScaler scaler_;
};

}  // namespace musiclab::models
