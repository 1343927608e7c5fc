// musiclab/models/model_selection.hpp and inspection.hpp against scikit-learn 1.2.1: every case in
// tests/data/models/selection/ (written by make_selection_reference.py there) is discovered by
// pattern and compared with what musiclab computes from the same inputs.
//   sample_*.json       candidates of ParameterSampler: names and choice values identical,
//                       numbers to relative 1e-15 (the same numpy/scipy draws)
//   search_*.json       RandomizedSearchCV over a tiny estimator: folds identical, fold scores,
//                       means and stds to 1e-12 (sums in another order), ranks and best index
//                       identical
//   permutation_*.json  permutation_importance of a fixed linear predictor: every importance to
//                       1e-12
#include "support.hpp"

#include <musiclab/models/inspection.hpp>
#include <musiclab/models/model_selection.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace mm = musiclab::models;
using nlohmann::json;

namespace {

/// The estimator the search reference uses: predicts shrink * centre(y_train) + offset + slope * x0.
class Affine {
public:
    Affine& fit(const mm::MatrixRef& X, const mm::VectorRef& y) {
        mm::detail::check_fit_inputs(X, y, "Affine");
        std::vector<double> v(y.data(), y.data() + y.size());
        if (mode_ == "median") {
            std::sort(v.begin(), v.end());
            const std::size_t n = v.size();
            centre_ = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
        } else {
            centre_ = mm::detail::numpy_mean(v);
        }
        fitted_ = true;
        cols_ = X.cols();
        return *this;
    }
    mm::Vector predict(const mm::MatrixRef& X) const {
        mm::detail::check_predict_inputs(X, fitted_, cols_, "Affine");
        return (shrink_ * centre_ + offset_) + slope_ * X.col(0).array();
    }
    void set_param(std::string_view name, const mm::ParamValue& v) {
        if (name == "shrink") shrink_ = mm::detail::param_number(name, v);
        else if (name == "offset") offset_ = mm::detail::param_number(name, v);
        else if (name == "slope") slope_ = mm::detail::param_number(name, v);
        else if (name == "mode") mode_ = mm::detail::param_name(name, v, "mean, median");
        else throw musiclab::unknown_name("parameter", std::string(name), "Affine");
    }
    mm::Params get_params() const { return {{"mode", mode_}, {"offset", offset_}, {"shrink", shrink_}, {"slope", slope_}}; }
    std::string name() const { return "Affine"; }

private:
    double shrink_ = 1.0, offset_ = 0.0, slope_ = 0.0, centre_ = 0.0;
    std::string mode_ = "mean";
    bool fitted_ = false;
    Eigen::Index cols_ = 0;
};
static_assert(mm::Regressor<Affine>);

/// The fixed linear predictor of the permutation reference.
struct Fixed {
    Eigen::VectorXd w;
    double b = 0.0;
    mm::Vector predict(const mm::MatrixRef& X) const { return (X * w).array() + b; }
};

fs::path cases_dir() { return fs::path(musiclab::test::test_data_dir()) / "models" / "selection"; }

std::vector<fs::path> cases(const std::string& prefix) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(cases_dir())) {
        const auto name = e.path().filename().string();
        if (name.rfind(prefix, 0) == 0 && e.path().extension() == ".json") out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

json read_json(const fs::path& p) {
    std::ifstream in(p);
    return json::parse(in);
}

std::vector<mm::ParamSearch> space_of(const json& specs) {
    std::vector<mm::ParamSearch> space;
    for (auto it = specs.begin(); it != specs.end(); ++it) {
        const json& s = it.value();
        const std::string kind = s["kind"];
        if (kind == "uniform") space.push_back({it.key(), mm::Distribution::uniform(s["loc"], s["scale"])});
        else if (kind == "loguniform") space.push_back({it.key(), mm::Distribution::loguniform(s["a"], s["b"])});
        else if (kind == "randint") space.push_back({it.key(), mm::Distribution::randint(s["low"], s["high"])});
        else {
            std::vector<mm::ParamValue> values;
            for (const auto& v : s["values"]) {
                if (v.is_string()) values.emplace_back(v.get<std::string>());
                else values.emplace_back(v.get<double>());
            }
            space.push_back({it.key(), mm::Distribution::choice(values)});
        }
    }
    return space;
}

void check_candidate(const mm::Params& got, const json& want, const std::string& where) {
    INFO(where);
    REQUIRE(got.size() == want.size());
    std::size_t k = 0;
    for (auto it = want.begin(); it != want.end(); ++it, ++k) {
        CHECK(got[k].first == it.key());
        if (it.value().is_string()) {
            REQUIRE(std::holds_alternative<std::string>(got[k].second));
            CHECK(std::get<std::string>(got[k].second) == it.value().get<std::string>());
        } else {
            REQUIRE(std::holds_alternative<double>(got[k].second));
            const double g = std::get<double>(got[k].second), w = it.value().get<double>();
            CHECK(std::abs(g - w) <= 1e-15 * std::max(1.0, std::abs(w)));
        }
    }
}

Eigen::MatrixXd matrix_of(const json& rows) {
    Eigen::MatrixXd X(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows[0].size()));
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < rows[i].size(); ++j) X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
    return X;
}

Eigen::VectorXd vector_of(const json& v) {
    Eigen::VectorXd out(static_cast<Eigen::Index>(v.size()));
    for (std::size_t i = 0; i < v.size(); ++i) out[static_cast<Eigen::Index>(i)] = v[i];
    return out;
}

}  // namespace

TEST_CASE("sample_parameters draws RandomizedSearchCV's candidates for every reference space") {
    const auto files = cases("sample_");
    REQUIRE(!files.empty());
    for (const auto& f : files) {
        const json ref = read_json(f);
        const auto got = mm::sample_parameters(space_of(ref["space"]), ref["n_iter"], ref["random_state"].get<std::uint32_t>());
        REQUIRE(got.size() == ref["candidates"].size());
        for (std::size_t c = 0; c < got.size(); ++c) check_candidate(got[c], ref["candidates"][c], f.filename().string() + " candidate " + std::to_string(c));
    }
}

TEST_CASE("randomized_search reproduces RandomizedSearchCV's folds scores ranks and best candidate") {
    const auto files = cases("search_");
    REQUIRE(!files.empty());
    for (const auto& f : files) {
        INFO(f.filename().string());
        const json ref = read_json(f);
        const Eigen::MatrixXd X = matrix_of(ref["X"]);
        const Eigen::VectorXd y = vector_of(ref["y"]);
        mm::SearchOptions so;
        so.n_iter = ref["n_iter"];
        so.random_state = ref["random_state"];
        so.cv.n_splits = ref["n_splits"];
        so.cv.shuffle = ref["shuffle"];
        so.cv.random_state = ref["cv_random_state"];
        so.scoring = mm::scoring_from_name(ref["scoring"].get<std::string>());
        // the folds themselves
        const auto folds = mm::kfold(static_cast<std::size_t>(X.rows()), so.cv);
        REQUIRE(folds.size() == ref["folds"].size());
        for (std::size_t k = 0; k < folds.size(); ++k) {
            CHECK(folds[k].train == ref["folds"][k]["train"].get<std::vector<Eigen::Index>>());
            CHECK(folds[k].test == ref["folds"][k]["test"].get<std::vector<Eigen::Index>>());
        }
        for (int threads : {1, 2}) {
            so.num_threads = threads;
            const auto res = mm::randomized_search(Affine{}, space_of(ref["space"]), X, y, so);
            REQUIRE(res.candidates.size() == ref["candidates"].size());
            for (std::size_t c = 0; c < res.candidates.size(); ++c) {
                const auto& cand = res.candidates[c];
                check_candidate(cand.params, ref["candidates"][c], "candidate " + std::to_string(c));
                for (std::size_t k = 0; k < cand.fold_scores.size(); ++k)
                    CHECK(cand.fold_scores[k] == doctest::Approx(ref["fold_scores"][c][k].get<double>()).epsilon(1e-12));
                CHECK(cand.mean_test_score == doctest::Approx(ref["mean_test_score"][c].get<double>()).epsilon(1e-12));
                CHECK(std::abs(cand.std_test_score - ref["std_test_score"][c].get<double>()) <= 1e-12 * std::max(1.0, std::abs(cand.mean_test_score)));
                CHECK(cand.rank_test_score == ref["rank_test_score"][c].get<int>());
            }
            CHECK(res.best_index == ref["best_index"].get<std::size_t>());
            // the refitted best estimator predicts as a fresh fit of the best parameters on all rows
            Affine best;
            for (const auto& [n, v] : res.best_params) best.set_param(n, v);
            best.fit(X, y);
            CHECK((res.best_estimator.predict(X) - best.predict(X)).cwiseAbs().maxCoeff() == 0.0);
        }
    }
}

TEST_CASE("cross_validate scores each fold as the fold's own fit and predict") {
    const json ref = read_json(cases("search_").front());
    const Eigen::MatrixXd X = matrix_of(ref["X"]);
    const Eigen::VectorXd y = vector_of(ref["y"]);
    Affine model;
    model.set_param("slope", 1.5);
    mm::CrossValidateOptions o;
    o.cv.n_splits = 4;
    o.cv.shuffle = true;
    o.cv.random_state = 3;
    const auto cv1 = mm::cross_validate(model, X, y, o);
    o.num_threads = 2;
    const auto cv2 = mm::cross_validate(model, X, y, o);
    const auto folds = mm::kfold(static_cast<std::size_t>(X.rows()), o.cv);
    REQUIRE(cv1.folds.size() == 4);
    std::size_t total_test = 0;
    for (std::size_t k = 0; k < 4; ++k) {
        Affine m = model;
        Eigen::MatrixXd Xtr(static_cast<Eigen::Index>(folds[k].train.size()), X.cols()), Xte(static_cast<Eigen::Index>(folds[k].test.size()), X.cols());
        Eigen::VectorXd ytr(Xtr.rows()), yte(Xte.rows());
        for (std::size_t i = 0; i < folds[k].train.size(); ++i) {
            Xtr.row(static_cast<Eigen::Index>(i)) = X.row(folds[k].train[i]);
            ytr[static_cast<Eigen::Index>(i)] = y[folds[k].train[i]];
        }
        for (std::size_t i = 0; i < folds[k].test.size(); ++i) {
            Xte.row(static_cast<Eigen::Index>(i)) = X.row(folds[k].test[i]);
            yte[static_cast<Eigen::Index>(i)] = y[folds[k].test[i]];
        }
        m.fit(Xtr, ytr);
        const Eigen::VectorXd p = m.predict(Xte);
        const double mse = (p - yte).squaredNorm() / static_cast<double>(yte.size());
        CHECK(cv1.folds[k].test.mse == doctest::Approx(mse).epsilon(1e-13));
        CHECK(cv1.folds[k].test.rmse == doctest::Approx(std::sqrt(mse)).epsilon(1e-13));
        CHECK(cv1.folds[k].test.mae == doctest::Approx((p - yte).cwiseAbs().mean()).epsilon(1e-13));
        CHECK(cv1.folds[k].test.r2 == cv2.folds[k].test.r2);  // thread count does not matter
        CHECK(cv1.folds[k].n_train + cv1.folds[k].n_test == static_cast<std::size_t>(X.rows()));
        total_test += cv1.folds[k].n_test;
    }
    CHECK(total_test == static_cast<std::size_t>(X.rows()));
    CHECK(cv1.mean().mse == doctest::Approx((cv1.folds[0].test.mse + cv1.folds[1].test.mse + cv1.folds[2].test.mse + cv1.folds[3].test.mse) / 4).epsilon(1e-14));
}

TEST_CASE("permutation_importance equals scikit-learn's on every reference case") {
    const auto files = cases("permutation_");
    REQUIRE(!files.empty());
    for (const auto& f : files) {
        INFO(f.filename().string());
        const json ref = read_json(f);
        const Eigen::MatrixXd X = matrix_of(ref["X"]);
        const Eigen::VectorXd y = vector_of(ref["y"]);
        const Fixed model{vector_of(ref["w"]), ref["b"].get<double>()};
        mm::PermutationImportanceOptions o;
        o.n_repeats = ref["n_repeats"];
        o.random_state = ref["random_state"];
        o.max_samples = ref["max_samples"];
        o.scoring = mm::scoring_from_name(ref["scoring"].get<std::string>());
        for (int threads : {1, 2}) {
            o.num_threads = threads;
            const auto imp = mm::permutation_importance(model, X, y, o);
            REQUIRE(imp.importances.rows() == X.cols());
            REQUIRE(imp.importances.cols() == o.n_repeats);
            for (Eigen::Index j = 0; j < X.cols(); ++j) {
                for (int r = 0; r < o.n_repeats; ++r)
                    CHECK(std::abs(imp.importances(j, r) - ref["importances"][static_cast<std::size_t>(j)][static_cast<std::size_t>(r)].get<double>()) <= 1e-12);
                CHECK(std::abs(imp.importances_mean[j] - ref["importances_mean"][static_cast<std::size_t>(j)].get<double>()) <= 1e-12);
                CHECK(std::abs(imp.importances_std[j] - ref["importances_std"][static_cast<std::size_t>(j)].get<double>()) <= 1e-12);
            }
        }
    }
}

TEST_CASE("model selection rejects bad input with clear errors") {
    const Eigen::MatrixXd X = Eigen::MatrixXd::Random(10, 2);
    const Eigen::VectorXd y = Eigen::VectorXd::Random(10);
    Affine model;
    mm::CrossValidateOptions o;
    o.cv.n_splits = 11;
    CHECK_THROWS_WITH_AS(mm::cross_validate(model, X, y, o), doctest::Contains("n_folds"), musiclab::invalid_parameter);
    o.cv.n_splits = 1;
    CHECK_THROWS_AS(mm::cross_validate(model, X, y, o), musiclab::invalid_parameter);
    CHECK_THROWS_AS(mm::cross_validate(model, X, Eigen::VectorXd::Zero(9), {}), musiclab::shape_mismatch);
    Eigen::MatrixXd Xnan = X;
    Xnan(4, 1) = std::nan("");
    CHECK_THROWS_WITH_AS(mm::cross_validate(model, Xnan, y, {}), doctest::Contains("row"), musiclab::invalid_parameter);

    CHECK_THROWS_AS(mm::Distribution::uniform(0.0, 0.0), musiclab::invalid_parameter);
    CHECK_THROWS_AS(mm::Distribution::loguniform(0.0, 1.0), musiclab::invalid_parameter);
    CHECK_THROWS_AS(mm::Distribution::loguniform(2.0, 1.0), musiclab::invalid_parameter);
    CHECK_THROWS_AS(mm::Distribution::randint(3, 3), musiclab::invalid_parameter);
    CHECK_THROWS_AS(mm::Distribution::choice({}), musiclab::invalid_parameter);
    const std::vector<mm::ParamSearch> ok = {{"shrink", mm::Distribution::uniform(0.0, 1.0)}};
    CHECK_THROWS_WITH_AS(mm::sample_parameters(ok, 0, 1), doctest::Contains("n_iter"), musiclab::invalid_parameter);
    CHECK_THROWS_AS(mm::sample_parameters({}, 3, 1), musiclab::invalid_parameter);
    CHECK_THROWS_AS(mm::sample_parameters({ok[0], ok[0]}, 3, 1), musiclab::invalid_parameter);
    // an unknown parameter or a bad value fails before any fit
    CHECK_THROWS_WITH_AS(mm::randomized_search(model, {{"nope", mm::Distribution::uniform(0.0, 1.0)}}, X, y),
                         doctest::Contains("nope"), musiclab::unknown_name);
    CHECK_THROWS_WITH_AS(mm::randomized_search(model, {{"mode", mm::Distribution::uniform(0.0, 1.0)}}, X, y),
                         doctest::Contains("mode"), musiclab::invalid_parameter);
    CHECK_THROWS_AS(mm::scoring_from_name("accuracy"), musiclab::invalid_parameter);

    const Fixed fixed{Eigen::VectorXd::Ones(2), 0.0};
    mm::PermutationImportanceOptions po;
    po.n_repeats = 0;
    CHECK_THROWS_WITH_AS(mm::permutation_importance(fixed, X, y, po), doctest::Contains("n_repeats"), musiclab::invalid_parameter);
    po.n_repeats = 2;
    po.max_samples = 1.5;
    CHECK_THROWS_WITH_AS(mm::permutation_importance(fixed, X, y, po), doctest::Contains("max_samples"), musiclab::invalid_parameter);
    po.max_samples = 0.1;  // one row: no score
    CHECK_THROWS_AS(mm::permutation_importance(fixed, X, y, po), musiclab::invalid_parameter);
    CHECK_THROWS_AS(mm::permutation_importance(fixed, X, Eigen::VectorXd::Zero(3), {}), musiclab::shape_mismatch);
}
