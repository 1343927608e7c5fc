// musiclab/models/boosting.hpp (GbtRegressor) and scaled.hpp (Scaled<E>): each equals the
// computation it wraps, exactly, and plugs into cross_validate / randomized_search.
#include "support.hpp"

#include <musiclab/core/random.hpp>
#include <musiclab/models/boosting.hpp>
#include <musiclab/models/model_selection.hpp>
#include <musiclab/models/scaled.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <span>
#include <string>

namespace mm = musiclab::models;

namespace {

/// Least squares through the origin on column 0: predict = w * x0 (changes under scaling).
class Origin {
public:
    Origin& fit(const mm::MatrixRef& X, const mm::VectorRef& y) {
        mm::detail::check_fit_inputs(X, y, "Origin");
        w_ = X.col(0).dot(y) / X.col(0).squaredNorm() * gain_;
        cols_ = X.cols();
        return *this;
    }
    mm::Vector predict(const mm::MatrixRef& X) const {
        mm::detail::check_predict_inputs(X, cols_ > 0, cols_, "Origin");
        return w_ * X.col(0);
    }
    void set_param(std::string_view name, const mm::ParamValue& v) {
        if (name == "gain") gain_ = mm::detail::param_number(name, v);
        else throw musiclab::unknown_name("parameter", std::string(name), "Origin");
    }
    mm::Params get_params() const { return {{"gain", gain_}}; }
    std::string name() const { return "Origin"; }

private:
    double w_ = 0.0, gain_ = 1.0;
    Eigen::Index cols_ = 0;
};

void data(Eigen::MatrixXd& X, Eigen::VectorXd& y, int n = 300) {
    musiclab::Rng rng(11);
    X.resize(n, 3);
    y.resize(n);
    for (int i = 0; i < n; ++i) {
        X(i, 0) = 50.0 + 10.0 * rng.normal();
        X(i, 1) = rng.uniform();
        X(i, 2) = rng.normal();
        y[i] = 0.3 * X(i, 0) + 4.0 * X(i, 1) * X(i, 2) + rng.normal();
    }
}

}  // namespace

static_assert(mm::Regressor<mm::GbtRegressor>);
static_assert(mm::Regressor<mm::Scaled<mm::GbtRegressor>>);

TEST_CASE("GbtRegressor predicts exactly as trees::fit_gbt_regressor with the same options") {
    Eigen::MatrixXd X;
    Eigen::VectorXd y;
    data(X, y);
    mm::GbtRegressor gbt;
    gbt.set_param("n_estimators", 40.0);
    gbt.set_param("learning_rate", 0.1);
    gbt.set_param("max_depth", 4.0);
    gbt.set_param("subsample", 0.8);
    gbt.set_param("random_state", 3.0);
    gbt.fit(X, y);
    musiclab::trees::GbtOptions o;
    o.n_estimators = 40;
    o.learning_rate = 0.1;
    o.max_depth = 4;
    o.subsample = 0.8;
    o.seed = 3;
    const auto direct = musiclab::trees::fit_gbt_regressor(X, std::span<const double>(y.data(), static_cast<std::size_t>(y.size())), o);
    CHECK((gbt.predict(X) - direct.predict(X)).cwiseAbs().maxCoeff() == 0.0);
    CHECK(gbt.model().n_trees() == 40);
    // get_params reports what set_param set, by XGBoost's names
    bool seen = false;
    for (const auto& [name, value] : gbt.get_params())
        if (name == "max_depth") {
            seen = true;
            CHECK(std::get<double>(value) == 4.0);
        }
    CHECK(seen);
    // missing values are allowed in X (learned default directions)
    Eigen::MatrixXd Xm = X;
    Xm(5, 1) = std::nan("");
    CHECK_NOTHROW(mm::GbtRegressor(o).fit(Xm, y).predict(Xm));
}

TEST_CASE("GbtRegressor rejects bad parameters and use before fit") {
    mm::GbtRegressor gbt;
    CHECK_THROWS_WITH_AS(gbt.set_param("n_estimators", 0.0), doctest::Contains("n_estimators"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(gbt.set_param("max_depth", 2.5), doctest::Contains("whole number"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(gbt.set_param("grow_policy", 1.0), doctest::Contains("depthwise"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(gbt.set_param("objective", std::string("binary:logistic")), doctest::Contains("objective"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(gbt.set_param("eta", 0.1), doctest::Contains("eta"), musiclab::unknown_name);
    CHECK_THROWS_AS(gbt.predict(Eigen::MatrixXd::Zero(2, 2)), musiclab::not_fitted);
    CHECK_THROWS_AS(gbt.model(), musiclab::not_fitted);
    CHECK_THROWS_AS(gbt.fit(Eigen::MatrixXd::Zero(4, 2), Eigen::VectorXd::Zero(3)), musiclab::shape_mismatch);
    gbt.set_param("learning_rate", -1.0);  // checked by the trainer, naming the option
    CHECK_THROWS_WITH_AS(gbt.fit(Eigen::MatrixXd::Random(20, 2), Eigen::VectorXd::Random(20)), doctest::Contains("learning_rate"), musiclab::invalid_parameter);
}

TEST_CASE("Scaled fits the model on standardised columns as a scikit-learn pipeline") {
    Eigen::MatrixXd X;
    Eigen::VectorXd y;
    data(X, y);
    mm::Scaled<Origin> scaled;
    scaled.set_param("gain", 0.5);
    scaled.fit(X, y);
    // by hand: population mean / std per column, then the model
    Eigen::MatrixXd Z = X;
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
        const double m = X.col(j).mean();
        const double s = std::sqrt((X.col(j).array() - m).square().mean());
        Z.col(j) = (X.col(j).array() - m) / s;
    }
    Origin plain;
    plain.set_param("gain", 0.5);
    plain.fit(Z, y);
    const Eigen::VectorXd a = scaled.predict(X), b = plain.predict(Z);
    CHECK((a - b).cwiseAbs().maxCoeff() <= 1e-12 * b.cwiseAbs().maxCoeff());
    CHECK(scaled.name() == "Scaled(Origin)");
    CHECK(std::get<double>(scaled.get_params()[0].second) == 0.5);
    CHECK_THROWS_AS(mm::Scaled<Origin>().predict(X), musiclab::not_fitted);
    CHECK_THROWS_AS(scaled.predict(Eigen::MatrixXd::Zero(3, 2)), musiclab::shape_mismatch);
    CHECK_THROWS_AS(scaled.set_param("nope", 1.0), musiclab::unknown_name);
    Eigen::MatrixXd Xn = X;
    Xn(7, 2) = std::nan("");
    CHECK_THROWS_WITH_AS(scaled.fit(Xn, y), doctest::Contains("row 7 column 2"), musiclab::invalid_parameter);
}

TEST_CASE("the adapters run inside cross_validate and randomized_search") {
    Eigen::MatrixXd X;
    Eigen::VectorXd y;
    data(X, y);
    mm::GbtRegressor gbt;
    gbt.set_param("n_estimators", 30.0);
    const auto cv = mm::cross_validate(gbt, X, y);
    REQUIRE(cv.folds.size() == 5);
    CHECK(cv.mean().r2 > 0.5);  // y is mostly 0.3 x0 (sd 3) + noise (sd 1.4)
    mm::SearchOptions so;
    so.n_iter = 4;
    so.random_state = 1;
    so.num_threads = 2;
    const auto res = mm::randomized_search(mm::Scaled<Origin>(), {{"gain", mm::Distribution::uniform(0.5, 1.0)}}, X, y, so);
    CHECK(res.candidates.size() == 4);
    CHECK(res.best_estimator.name() == "Scaled(Origin)");
    for (const auto& c : res.candidates) CHECK(c.rank_test_score >= 1);
}
