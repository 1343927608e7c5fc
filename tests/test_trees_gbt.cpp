// Tests of musiclab/trees/gbt.hpp: hand-worked splits and leaf values (XGBoost's formulas with
// lambda, alpha, gamma, min_child_weight), missing-value default directions, the three objectives,
// early stopping, importances, determinism, growth policies, JSON round trip and corrupt files,
// and bad input. TreeSHAP is in test_trees_shap.cpp, the real-data parity with XGBoost in
// test_trees_parity.cpp.
#include <doctest/doctest.h>
#include <musiclab/core.hpp>
#include <musiclab/trees.hpp>

#include "support.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

namespace tr = musiclab::trees;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

Eigen::MatrixXd column(std::initializer_list<double> v) {
    Eigen::MatrixXd X(static_cast<Eigen::Index>(v.size()), 1);
    Eigen::Index i = 0;
    for (double x : v) X(i++, 0) = x;
    return X;
}

/// A smooth nonlinear regression problem with noise, some NaNs in feature 2.
void make_regression(std::size_t n, std::uint64_t seed, Eigen::MatrixXd& X, std::vector<double>& y, bool nans = true) {
    musiclab::Rng rng(seed);
    X.resize(static_cast<Eigen::Index>(n), 5);
    y.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto r = static_cast<Eigen::Index>(i);
        for (Eigen::Index f = 0; f < 5; ++f) X(r, f) = rng.uniform(-2.0, 2.0);
        y[i] = std::sin(X(r, 0)) * 3.0 + X(r, 1) * X(r, 1) + (X(r, 2) > 0.5 ? 2.0 : 0.0) + 0.3 * rng.normal();
        if (nans && rng.uniform() < 0.1) X(r, 2) = kNaN;
    }
}

double rmse(const Eigen::VectorXd& p, const std::vector<double>& y) {
    double s = 0;
    for (std::size_t i = 0; i < y.size(); ++i) s += (p[static_cast<Eigen::Index>(i)] - y[i]) * (p[static_cast<Eigen::Index>(i)] - y[i]);
    return std::sqrt(s / static_cast<double>(y.size()));
}

tr::GbtOptions one_stump() {
    tr::GbtOptions o;
    o.n_estimators = 1;
    o.learning_rate = 1.0;
    o.max_depth = 1;
    o.min_child_weight = 0.0;
    return o;
}

}  // namespace

TEST_CASE("one stump by hand: split at the midpoint and leaf weights -G over H plus lambda") {
    // y = 1 1 3 3, base = mean = 2, g = m - y = 1 1 -1 -1, h = 1. The best split is x <= 2.5
    // with G_L = 2, H_L = 2: leaf weights -2/3 and +2/3, gain 4/3 + 4/3 - 0 = 8/3.
    const Eigen::MatrixXd X = column({1, 2, 3, 4});
    const std::vector<double> y = {1, 1, 3, 3};
    const auto m = tr::fit_gbt_regressor(X, y, one_stump());
    CHECK(m.base_margin() == 2.0);
    const Eigen::VectorXd p = m.predict(column({1, 2, 2.5, 2.6, 4, kNaN}));
    CHECK(p[0] == doctest::Approx(2.0 - 2.0 / 3.0).epsilon(1e-15));
    CHECK(p[1] == doctest::Approx(2.0 - 2.0 / 3.0).epsilon(1e-15));
    CHECK(p[2] == doctest::Approx(2.0 - 2.0 / 3.0).epsilon(1e-15));  // x <= 2.5 goes left
    CHECK(p[3] == doctest::Approx(2.0 + 2.0 / 3.0).epsilon(1e-15));
    CHECK(p[4] == doctest::Approx(2.0 + 2.0 / 3.0).epsilon(1e-15));
    CHECK(p[5] == doctest::Approx(2.0 + 2.0 / 3.0).epsilon(1e-15));  // no NaN in training: default right
    CHECK(m.feature_importance(tr::ImportanceType::total_gain)[0] == doctest::Approx(8.0 / 3.0));
    CHECK(m.feature_importance(tr::ImportanceType::weight)[0] == 1.0);
    CHECK(m.feature_importance(tr::ImportanceType::cover)[0] == 4.0);
}

TEST_CASE("reg_lambda reg_alpha learning_rate gamma and min_child_weight by hand") {
    const Eigen::MatrixXd X = column({1, 2, 3, 4});
    const std::vector<double> y = {1, 1, 3, 3};
    SUBCASE("lambda 3 and eta 0.5: weights -0.5 * 2 / 5") {
        auto o = one_stump();
        o.reg_lambda = 3.0;
        o.learning_rate = 0.5;
        const auto p = tr::fit_gbt_regressor(X, y, o).predict(X);
        CHECK(p[0] == doctest::Approx(2.0 - 0.5 * 2.0 / 5.0));
        CHECK(p[3] == doctest::Approx(2.0 + 0.5 * 2.0 / 5.0));
    }
    SUBCASE("alpha 1 soft-thresholds G: weights -1/3, gain 1/3 + 1/3") {
        auto o = one_stump();
        o.reg_alpha = 1.0;
        const auto m = tr::fit_gbt_regressor(X, y, o);
        const auto p = m.predict(X);
        CHECK(p[0] == doctest::Approx(2.0 - 1.0 / 3.0));
        CHECK(m.feature_importance(tr::ImportanceType::gain)[0] == doctest::Approx(2.0 / 3.0));
    }
    SUBCASE("gamma above the gain 8/3 blocks the split, below it does not") {
        auto o = one_stump();
        o.gamma = 2.7;
        CHECK(tr::fit_gbt_regressor(X, y, o).predict(X)[0] == 2.0);
        o.gamma = 2.6;
        CHECK(tr::fit_gbt_regressor(X, y, o).predict(X)[0] < 2.0);
    }
    SUBCASE("min_child_weight above the child hessian 2 blocks the split") {
        auto o = one_stump();
        o.min_child_weight = 2.5;
        CHECK(tr::fit_gbt_regressor(X, y, o).predict(X)[0] == 2.0);
        o.min_child_weight = 2.0;
        CHECK(tr::fit_gbt_regressor(X, y, o).predict(X)[0] < 2.0);
    }
    SUBCASE("base_score given instead of the mean") {
        auto o = one_stump();
        o.base_score = 0.5;
        o.gamma = 100.0;
        CHECK(tr::fit_gbt_regressor(X, y, o).predict(X)[0] == doctest::Approx(0.5 + -(-6.0) / 5.0));
    }
}

TEST_CASE("missing values learn their default direction") {
    // NaN rows have high targets like the x > 2.5 rows: the split must send NaN right; then with
    // low targets it must send them left.
    const Eigen::MatrixXd X = column({1, 2, 3, 4, kNaN, kNaN});
    auto o = one_stump();
    const auto right = tr::fit_gbt_regressor(X, std::vector<double>{1, 1, 3, 3, 3, 3}, o);
    const auto left = tr::fit_gbt_regressor(X, std::vector<double>{1, 1, 3, 3, 1, 1}, o);
    const Eigen::MatrixXd q = column({kNaN, 1, 4});
    CHECK(right.predict(q)[0] == right.predict(q)[2]);
    CHECK(left.predict(q)[0] == left.predict(q)[1]);
    CHECK(left.predict(q)[1] < left.predict(q)[2]);
}

TEST_CASE("squared error boosting fits a nonlinear function and early stopping keeps the best round") {
    Eigen::MatrixXd X, Xv;
    std::vector<double> y, yv;
    make_regression(3000, 1, X, y);
    make_regression(1000, 2, Xv, yv);
    tr::GbtOptions o;
    o.n_estimators = 400;
    o.learning_rate = 0.3;
    o.max_depth = 6;
    o.early_stopping_rounds = 10;
    const auto m = tr::fit_gbt_regressor(X, y, Xv, yv, o);
    const auto& h = m.eval_history();
    REQUIRE(!h.empty());
    CHECK(m.eval_metric() == "rmse");
    CHECK(h.size() < 400u);  // stopped early (the noise floor is reached within a few dozen rounds)
    CHECK(m.n_trees() == static_cast<std::size_t>(m.best_iteration() + 1));
    CHECK(h.size() == static_cast<std::size_t>(m.best_iteration() + 11));
    for (double v : h) CHECK(v >= h[static_cast<std::size_t>(m.best_iteration())]);
    // the history is the RMSE of the kept model on the validation set
    CHECK(rmse(m.predict(Xv), yv) == doctest::Approx(h[static_cast<std::size_t>(m.best_iteration())]).epsilon(1e-12));
    CHECK(rmse(m.predict(Xv), yv) < 0.6);  // noise sd 0.3 plus approximation error (the mean alone: ~2.3)
}

TEST_CASE("binary logistic classifier") {
    musiclab::Rng rng(5);
    const Eigen::Index n = 2000;
    Eigen::MatrixXd X(n, 3);
    std::vector<double> y(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) {
        for (Eigen::Index f = 0; f < 3; ++f) X(i, f) = rng.normal();
        const double logit = 2.0 * X(i, 0) - X(i, 1) * X(i, 1) + 0.5;
        y[static_cast<std::size_t>(i)] = rng.uniform() < 1.0 / (1.0 + std::exp(-logit)) ? 1.0 : 0.0;
    }
    tr::GbtOptions o;
    o.n_estimators = 100;
    o.learning_rate = 0.1;
    o.max_depth = 3;
    const auto m = tr::fit_gbt_classifier(X.topRows(1500), std::span(y).first(1500), X.bottomRows(500),
                                          std::span(y).last(500), o);
    CHECK(m.objective() == tr::GbtObjective::binary_logistic);
    CHECK(m.eval_metric() == "logloss");
    // base margin is the log-odds of the training positive rate
    double pos = 0;
    for (std::size_t i = 0; i < 1500; ++i) pos += y[i];
    pos /= 1500.0;
    CHECK(m.base_margin() == doctest::Approx(std::log(pos / (1 - pos))));
    const auto& h = m.eval_history();
    CHECK(h.back() < h.front());
    CHECK(h.back() < 0.5);
    const Eigen::VectorXd p = m.predict(X.bottomRows(500));
    const Eigen::VectorXi lab = m.predict_label(X.bottomRows(500));
    int correct = 0;
    for (Eigen::Index i = 0; i < 500; ++i) {
        CHECK((p[i] > 0.0 && p[i] < 1.0));
        CHECK(lab[i] == (p[i] >= 0.5 ? 1 : 0));
        correct += lab[i] == static_cast<int>(y[static_cast<std::size_t>(1500 + i)]);
    }
    CHECK(correct > 350);  // Bayes accuracy of this problem is about 0.8
    CHECK_THROWS_AS(tr::fit_gbt_classifier(X.topRows(4), std::vector<double>{0, 1, 2, 0}, o), musiclab::invalid_parameter);
    CHECK_THROWS_AS(tr::fit_gbt_regressor(X.topRows(1500), std::span(y).first(1500), o).predict_label(X), musiclab::invalid_parameter);
}

TEST_CASE("pseudo-Huber regression resists outliers") {
    Eigen::MatrixXd X;
    std::vector<double> y;
    make_regression(2000, 3, X, y, false);
    std::vector<double> dirty = y;
    for (std::size_t i = 0; i < dirty.size(); i += 20) dirty[i] += 500.0;  // 5 % gross outliers
    tr::GbtOptions o;
    o.n_estimators = 300;
    o.learning_rate = 0.1;
    o.max_depth = 4;
    auto huber = o;
    huber.objective = tr::GbtObjective::pseudo_huber;
    huber.huber_slope = 1.0;
    huber.learning_rate = 0.5;  // hessians are small far from the target
    const auto mh = tr::fit_gbt_regressor(X, dirty, huber);
    const auto ms = tr::fit_gbt_regressor(X, dirty, o);
    CHECK(mh.eval_metric() == "mphe");
    // base score: the median of the targets
    std::vector<double> s = dirty;
    std::sort(s.begin(), s.end());
    CHECK(mh.base_margin() == doctest::Approx((s[999] + s[1000]) / 2));
    CHECK(rmse(mh.predict(X), y) < 0.5 * rmse(ms.predict(X), y));
}

TEST_CASE("determinism subsampling and thread counts") {
    Eigen::MatrixXd X;
    std::vector<double> y;
    make_regression(20000, 7, X, y);
    tr::GbtOptions o;
    o.n_estimators = 20;
    o.max_depth = 6;
    o.subsample = 0.7;
    o.colsample_bytree = 0.8;
    o.colsample_bynode = 0.75;
    o.seed = 11;
    const Eigen::VectorXd a = tr::fit_gbt_regressor(X, y, o).predict(X);
    const Eigen::VectorXd b = tr::fit_gbt_regressor(X, y, o).predict(X);
    CHECK(std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0);
    o.num_threads = 2;
    const Eigen::VectorXd c = tr::fit_gbt_regressor(X, y, o).predict(X, 2);
    const Eigen::VectorXd c2 = tr::fit_gbt_regressor(X, y, o).predict(X, 2);
    CHECK(std::memcmp(c.data(), c2.data(), sizeof(double) * static_cast<std::size_t>(c.size())) == 0);
    // partial histograms per thread change only the last bits of the sums
    CHECK((a - c).cwiseAbs().maxCoeff() < 1e-6);
    o.seed = 12;
    const Eigen::VectorXd d = tr::fit_gbt_regressor(X, y, o).predict(X);
    CHECK((a - d).cwiseAbs().maxCoeff() > 1e-3);
    // prediction does not depend on the thread count
    const auto m = tr::fit_gbt_regressor(X, y, o);
    const Eigen::VectorXd p1 = m.predict(X, 1), p2 = m.predict(X, 2);
    CHECK(std::memcmp(p1.data(), p2.data(), sizeof(double) * static_cast<std::size_t>(p1.size())) == 0);
}

TEST_CASE("lossguide growth respects max_leaves and depthwise respects max_depth") {
    Eigen::MatrixXd X;
    std::vector<double> y;
    make_regression(5000, 9, X, y);
    auto count = [](const tr::GbtModel& m, int& max_leaves, int& max_depth) {
        const auto j = nlohmann::json::parse(m.to_json());
        max_leaves = 0;
        max_depth = 0;
        for (const auto& t : j.at("trees")) {
            const auto left = t.at("left").get<std::vector<int>>();
            std::vector<int> depth(left.size(), 0);
            int leaves = 0;
            for (std::size_t i = 0; i < left.size(); ++i) {
                if (left[i] == 0) {
                    ++leaves;
                    max_depth = std::max(max_depth, depth[i]);
                } else {
                    depth[static_cast<std::size_t>(left[i])] = depth[static_cast<std::size_t>(left[i]) + 1] = depth[i] + 1;
                }
            }
            max_leaves = std::max(max_leaves, leaves);
        }
    };
    tr::GbtOptions o;
    o.n_estimators = 10;
    o.grow_policy = tr::GbtGrowPolicy::lossguide;
    o.max_depth = 0;
    o.max_leaves = 13;
    o.min_child_weight = 0;
    int leaves = 0, depth = 0;
    count(tr::fit_gbt_regressor(X, y, o), leaves, depth);
    CHECK(leaves == 13);
    CHECK(depth > 4);  // unbalanced: deeper than a 13-leaf balanced tree would be
    o.grow_policy = tr::GbtGrowPolicy::depthwise;
    o.max_depth = 3;
    o.max_leaves = 0;
    count(tr::fit_gbt_regressor(X, y, o), leaves, depth);
    CHECK(leaves == 8);
    CHECK(depth == 3);
    o.max_leaves = 5;
    count(tr::fit_gbt_regressor(X, y, o), leaves, depth);
    CHECK(leaves == 5);
}

TEST_CASE("importances are consistent with each other") {
    Eigen::MatrixXd X;
    std::vector<double> y;
    make_regression(3000, 4, X, y);
    tr::GbtOptions o;
    o.n_estimators = 30;
    const auto m = tr::fit_gbt_regressor(X, y, o);
    const auto w = m.feature_importance(tr::ImportanceType::weight);
    const auto g = m.feature_importance(tr::ImportanceType::gain);
    const auto tg = m.feature_importance(tr::ImportanceType::total_gain);
    const auto c = m.feature_importance(tr::ImportanceType::cover);
    const auto tc = m.feature_importance(tr::ImportanceType::total_cover);
    for (std::size_t f = 0; f < 5; ++f) {
        CHECK(tg[f] == doctest::Approx(g[f] * w[f]));
        CHECK(tc[f] == doctest::Approx(c[f] * w[f]));
    }
    // features 3 and 4 are pure noise: far less total gain than feature 0
    CHECK(tg[3] < 0.05 * tg[0]);
    CHECK(tg[4] < 0.05 * tg[0]);
}

TEST_CASE("JSON save and load predicts bit-identically") {
    Eigen::MatrixXd X;
    std::vector<double> y;
    make_regression(3000, 8, X, y);
    tr::GbtOptions o;
    o.n_estimators = 50;
    o.learning_rate = 0.1234567;
    o.feature_names = {"a", "b", "c", "d", "e"};
    const auto m = tr::fit_gbt_regressor(X, y, o);
    const auto path = std::filesystem::temp_directory_path() / "musiclab_test_gbt_model.json";
    m.save(path);
    const auto back = tr::GbtModel::load(path);
    std::filesystem::remove(path);
    const Eigen::VectorXd a = m.predict(X), b = back.predict(X);
    CHECK(std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0);
    CHECK(back.feature_names() == o.feature_names);
    CHECK(back.n_trees() == 50u);
    CHECK(back.to_json() == m.to_json());
    CHECK(back.expected_value() == m.expected_value());
    CHECK_THROWS_AS(tr::GbtModel::load("/nonexistent/dir/model.json"), musiclab::io_error);
}

TEST_CASE("corrupt and truncated model files raise parse_error") {
    Eigen::MatrixXd X;
    std::vector<double> y;
    make_regression(500, 8, X, y);
    tr::GbtOptions o;
    o.n_estimators = 3;
    o.max_depth = 3;
    const std::string good = tr::fit_gbt_regressor(X, y, o).to_json();
    // every truncation
    for (std::size_t len = 0; len < good.size(); ++len) {
        const auto e = musiclab::test::parse_error_of([&] { (void)tr::GbtModel::from_json(good.substr(0, len), "m.json"); });
        CHECK(e.source() == "m.json");
    }
    // structural damage with a clear message
    auto damaged = [&](const std::string& from, const std::string& to) {
        std::string s = good;
        const auto at = s.find(from);
        REQUIRE(at != std::string::npos);
        s.replace(at, from.size(), to);
        return musiclab::test::parse_error_of([&] { (void)tr::GbtModel::from_json(s); }).message();
    };
    CHECK(damaged("\"format\":\"musiclab.gbt\"", "\"format\":\"xgboost\"").find("format") != std::string::npos);
    CHECK(damaged("\"version\":1", "\"version\":2").find("version") != std::string::npos);
    CHECK(damaged("\"left\":[1,", "\"left\":[0,").find("parent") != std::string::npos);
    CHECK(damaged("\"left\":[1,", "\"left\":[99,").find("child index") != std::string::npos);
    CHECK(damaged("\"n_features\":5", "\"n_features\":1").find("feature index") != std::string::npos);
    CHECK(damaged("\"trees\":[", "\"trees\":[7,").size() > 0);
    CHECK(damaged("\"objective\":\"reg:squarederror\"", "\"objective\":3").size() > 0);
    // random byte flips: either still a valid model or parse_error, never anything else
    musiclab::Rng rng(3);
    int loaded = 0, rejected = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        std::string s = good;
        const int flips = 1 + static_cast<int>(rng.below(3));
        for (int k = 0; k < flips; ++k)
            s[rng.below(s.size())] = static_cast<char>(rng.below(256));
        try {
            const auto m = tr::GbtModel::from_json(s);
            (void)m.predict(Eigen::MatrixXd::Zero(2, static_cast<Eigen::Index>(m.n_features())));
            ++loaded;
        } catch (const musiclab::parse_error&) {
            ++rejected;
        }
    }
    CHECK(rejected > 0);
    CHECK(loaded + rejected == 3000);
}

TEST_CASE("bad input gives clear errors") {
    Eigen::MatrixXd X;
    std::vector<double> y;
    make_regression(200, 1, X, y);
    tr::GbtOptions o;
    o.n_estimators = 2;
    SUBCASE("non-finite targets name the row") {
        auto bad = y;
        bad[17] = kNaN;
        try {
            (void)tr::fit_gbt_regressor(X, bad, o);
            FAIL("no throw");
        } catch (const musiclab::invalid_parameter& e) {
            CHECK(e.name() == "y[17]");
        }
        bad[17] = std::numeric_limits<double>::infinity();
        CHECK_THROWS_AS(tr::fit_gbt_regressor(X, bad, o), musiclab::invalid_parameter);
        auto Xi = X;
        Xi(3, 1) = -std::numeric_limits<double>::infinity();
        CHECK_THROWS_AS(tr::fit_gbt_regressor(Xi, y, o), musiclab::invalid_parameter);
    }
    SUBCASE("shape mismatches") {
        CHECK_THROWS_AS(tr::fit_gbt_regressor(X, std::span(y).first(100), o), musiclab::shape_mismatch);
        const auto m = tr::fit_gbt_regressor(X, y, o);
        try {
            (void)m.predict(X.leftCols(4));
            FAIL("no throw");
        } catch (const musiclab::shape_mismatch& e) {
            CHECK(e.expected() == 5u);
            CHECK(e.got() == 4u);
        }
        CHECK_THROWS_AS(m.shap_values(X.leftCols(3)), musiclab::shape_mismatch);
        CHECK_THROWS_AS(tr::fit_gbt_regressor(X, y, X.leftCols(4), y, o), musiclab::shape_mismatch);
        CHECK_THROWS_AS(tr::GbtModel().predict(X), musiclab::not_fitted);
    }
    SUBCASE("invalid parameters name the parameter") {
        struct Bad {
            const char* name;
            void (*spoil)(tr::GbtOptions&);
        };
        const Bad cases[] = {
            {"n_estimators", [](tr::GbtOptions& b) { b.n_estimators = 0; }},
            {"learning_rate", [](tr::GbtOptions& b) { b.learning_rate = 0; }},
            {"max_depth", [](tr::GbtOptions& b) { b.max_depth = -1; }},
            {"max_depth", [](tr::GbtOptions& b) { b.max_depth = 0; }},
            {"max_bins", [](tr::GbtOptions& b) { b.max_bins = 256; }},
            {"reg_lambda", [](tr::GbtOptions& b) { b.reg_lambda = -1; }},
            {"reg_alpha", [](tr::GbtOptions& b) { b.reg_alpha = kNaN; }},
            {"gamma", [](tr::GbtOptions& b) { b.gamma = -0.1; }},
            {"min_child_weight", [](tr::GbtOptions& b) { b.min_child_weight = -1; }},
            {"subsample", [](tr::GbtOptions& b) { b.subsample = 0; }},
            {"colsample_bytree", [](tr::GbtOptions& b) { b.colsample_bytree = 1.5; }},
            {"colsample_bynode", [](tr::GbtOptions& b) { b.colsample_bynode = 0; }},
            {"num_threads", [](tr::GbtOptions& b) { b.num_threads = -2; }},
            {"early_stopping_rounds", [](tr::GbtOptions& b) { b.early_stopping_rounds = 5; }},  // without a validation set
            {"objective", [](tr::GbtOptions& b) { b.objective = tr::GbtObjective::binary_logistic; }},
            {"max_leaves", [](tr::GbtOptions& b) { b.max_leaves = -3; }},
        };
        for (const Bad& c : cases) {
            CAPTURE(c.name);
            auto bad = o;
            c.spoil(bad);
            try {
                (void)tr::fit_gbt_regressor(X, y, bad);
                FAIL("no throw for " << c.name);
            } catch (const musiclab::invalid_parameter& e) {
                CHECK(e.name() == c.name);
            }
        }
    }
}
