#include <doctest/doctest.h>
#include <musiclab/metrics/regression.hpp>
#include <support.hpp>

#include "data/metrics/reference.hpp"

#include <cmath>
#include <limits>
#include <vector>

namespace mm = musiclab::metrics;
namespace ref = musiclab::test::metrics;

TEST_CASE("regression metrics on sklearn's documented example") {
    // sklearn docstrings: r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]) = 0.948..., MSE 0.375, MAE 0.5.
    const std::vector<double> y = {3, -0.5, 2, 7}, p = {2.5, 0.0, 2, 8};
    // Hand-worked: SS_res = 0.25 + 0.25 + 0 + 1 = 1.5; mean 2.875, SS_tot = 29.1875;
    // R² = 1 - 1.5 / 29.1875. Same operations in the same order: exact equality.
    CHECK(mm::r2_score(y, p) == 1.0 - 1.5 / 29.1875);
    CHECK(mm::mean_squared_error(y, p) == 0.375);
    CHECK(mm::root_mean_squared_error(y, p) == std::sqrt(0.375));
    CHECK(mm::mean_absolute_error(y, p) == 0.5);
    const auto all = mm::regression_metrics(y, p);
    CHECK(all.r2 == mm::r2_score(y, p));
    CHECK(all.rmse == std::sqrt(0.375));
}

TEST_CASE("r2_score constant target and perfect predictions follow force_finite") {
    const std::vector<double> constant = {2, 2, 2};
    CHECK(mm::r2_score(constant, std::vector<double>{2, 2, 2}) == 1.0);  // perfect on a constant target
    CHECK(mm::r2_score(constant, std::vector<double>{2, 3, 2}) == 0.0);  // imperfect: 0, not -inf
    const std::vector<double> y = {1, 2, 3};
    CHECK(mm::r2_score(y, y) == 1.0);
    CHECK(mm::r2_score(y, std::vector<double>{3, 2, 1}) == -3.0);  // 1 - 8 / 2, exact
}

TEST_CASE("regression metrics reject bad input naming the parameter") {
    const std::vector<double> empty, one = {1.0}, two = {1.0, 2.0}, three = {1.0, 2.0, 3.0};
    CHECK_THROWS_AS(mm::mean_squared_error(empty, empty), musiclab::invalid_parameter);
    CHECK_THROWS_AS(mm::mean_absolute_error(empty, empty), musiclab::invalid_parameter);
    CHECK_THROWS_AS(mm::root_mean_squared_error(empty, empty), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(mm::r2_score(one, one), doctest::Contains("'y_true'"), musiclab::invalid_parameter);
    CHECK(mm::mean_squared_error(one, std::vector<double>{3.0}) == 4.0);  // one value is fine for MSE
    CHECK_THROWS_WITH_AS(mm::r2_score(two, three), doctest::Contains("y_pred"), musiclab::shape_mismatch);
    CHECK_THROWS_AS(mm::mean_absolute_error(three, two), musiclab::shape_mismatch);
    const std::vector<double> with_nan = {1.0, std::numeric_limits<double>::quiet_NaN()};
    CHECK_THROWS_WITH_AS(mm::r2_score(with_nan, two), doctest::Contains("'y_true'"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(mm::mean_squared_error(two, with_nan), doctest::Contains("'y_pred'"), musiclab::invalid_parameter);
    const std::vector<double> with_inf = {1.0, std::numeric_limits<double>::infinity()};
    CHECK_THROWS_AS(mm::regression_metrics(with_inf, two), musiclab::invalid_parameter);
}

TEST_CASE("regression metrics match sklearn on every reference case") {
    const auto dir = musiclab::test::shared_dir() / "reference/metrics";
    MUSICLAB_REQUIRE_PATH(dir);
    const auto files = ref::files_matching(dir, "regression", ".jsonl");
    REQUIRE(!files.empty());
    ref::ErrorStats stats;
    for (const auto& file : files) {
        for (const auto& c : ref::read_jsonl(file)) {
            const auto y = c.at("y_true").get<std::vector<double>>();
            const auto p = c.at("y_pred").get<std::vector<double>>();
            const auto got = mm::regression_metrics(y, p);
            const std::pair<const char*, double> values[] = {{"r2", got.r2}, {"mse", got.mse}, {"rmse", got.rmse}, {"mae", got.mae}};
            for (const auto& [key, value] : values) {
                const double want = c.at(key).get<double>();
                const double error = ref::rel_error(value, want);
                INFO(file.filename().string() << " case " << c.at("case").get<std::string>() << " " << key);
                // README 5(a): relative 1e-12 (abs 1e-12 near 0). The sums are numpy's pairwise
                // sums in numpy's order, so the values are expected to be identical.
                CHECK(error <= 1e-12);
                stats.add(error, value == want);
            }
        }
    }
    MESSAGE("regression: " << stats.compared << " values compared, " << stats.identical << " bit-identical, max error "
                           << stats.max_error);
    CHECK(stats.compared >= 80);
}
