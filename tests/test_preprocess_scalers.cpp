#include <doctest/doctest.h>
#include <musiclab/preprocess/scalers.hpp>
#include <support.hpp>

#include "data/preprocess/reference_tsv.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace pp = musiclab::preprocess;
namespace ref = musiclab::test::preprocess;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// col0: {1, 3} and two NaN; col1: {0, 4, 0, 4}; col2: constant 5.
Eigen::MatrixXd hand_matrix() {
    Eigen::MatrixXd X(4, 3);
    X << 1, 0, 5,  //
        3, 4, 5,   //
        kNaN, 0, 5, //
        kNaN, 4, 5;
    return X;
}

bool same_matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
    for (Eigen::Index i = 0; i < a.rows(); ++i)
        for (Eigen::Index j = 0; j < a.cols(); ++j)
            if (!ref::same(a(i, j), b(i, j))) return false;
    return true;
}

bool same_vector(const Eigen::VectorXd& a, const std::vector<double>& b) {
    if (static_cast<std::size_t>(a.size()) != b.size()) return false;
    for (std::size_t j = 0; j < b.size(); ++j)
        if (!ref::same(a[static_cast<Eigen::Index>(j)], b[j])) return false;
    return true;
}

struct ScalerCase {
    std::map<std::string, std::string> meta;
    std::map<std::string, std::vector<std::vector<double>>> matrices;  // tag -> rows
    std::map<std::string, std::vector<double>> vectors;                // tag -> values
    std::map<std::string, bool> none;                                  // tag -> sklearn None
};

ScalerCase read_case(const std::filesystem::path& path) {
    ScalerCase c;
    for (const auto& row : ref::read_tsv(path)) {
        const std::string& tag = row[0];
        if (tag == "meta") {
            c.meta[row[1]] = row[2];
            continue;
        }
        std::vector<double> values;
        if (row.size() == 2 && row[1] == "none") {
            c.none[tag] = true;
        } else {
            for (std::size_t k = 1; k < row.size(); ++k) values.push_back(ref::to_double(row[k]));
        }
        if (tag == "fit" || tag == "test" || tag == "fit_transform" || tag == "transform" || tag == "inverse")
            c.matrices[tag].push_back(values);
        else
            c.vectors[tag] = values;
    }
    return c;
}

Eigen::MatrixXd to_matrix(const std::vector<std::vector<double>>& rows) {
    Eigen::MatrixXd M(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.at(0).size()));
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < rows[i].size(); ++j)
            M(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
    return M;
}

}  // namespace

TEST_CASE("StandardScaler hand-worked example with NaN and a constant column") {
    const Eigen::MatrixXd X = hand_matrix();
    const auto s = pp::fit_standard_scaler(X);
    CHECK(s.is_fitted());
    CHECK(s.n_features_in() == 3);
    CHECK(same_vector(s.mean(), {2.0, 2.0, 5.0}));
    CHECK(same_vector(s.var(), {1.0, 4.0, 0.0}));
    CHECK(same_vector(s.scale(), {1.0, 2.0, 1.0}));  // constant column: scale 1 (sklearn)
    CHECK(s.n_samples_seen() == std::vector<std::int64_t>{2, 4, 4});
    Eigen::MatrixXd expected(4, 3);
    expected << -1, -1, 0,  //
        1, 1, 0,            //
        kNaN, -1, 0,         //
        kNaN, 1, 0;
    const Eigen::MatrixXd Z = s.transform(X);
    CHECK(same_matrix(Z, expected));
    CHECK(same_matrix(s.inverse_transform(Z), X));

    pp::StandardScaler t;
    CHECK(same_matrix(t.fit_transform(X), expected));
}

TEST_CASE("StandardScaler options with_mean and with_std") {
    const Eigen::MatrixXd X = hand_matrix();
    const auto no_mean = pp::fit_standard_scaler(X, {.with_mean = false});
    CHECK(same_vector(no_mean.mean(), {2.0, 2.0, 5.0}));  // still computed, as in sklearn
    CHECK(no_mean.transform(X)(1, 1) == 2.0);             // 4 / 2
    const auto no_std = pp::fit_standard_scaler(X, {.with_std = false});
    CHECK(no_std.var().size() == 0);
    CHECK(no_std.scale().size() == 0);
    CHECK(no_std.transform(X)(1, 1) == 2.0);  // 4 - 2
    const auto neither = pp::fit_standard_scaler(X, {.with_mean = false, .with_std = false});
    CHECK(neither.mean().size() == 0);
    CHECK(neither.n_samples_seen() == std::vector<std::int64_t>{2, 4, 4});
    CHECK(same_matrix(neither.transform(X), X));
}

TEST_CASE("StandardScaler all-NaN column gives NaN statistics and NaN output") {
    Eigen::MatrixXd X(2, 2);
    X << 1, kNaN, 2, kNaN;
    const auto s = pp::fit_standard_scaler(X);
    CHECK(std::isnan(s.mean()[1]));
    CHECK(std::isnan(s.var()[1]));
    CHECK(std::isnan(s.scale()[1]));
    CHECK(s.n_samples_seen()[1] == 0);
    CHECK(std::isnan(s.transform(X)(0, 1)));
}

TEST_CASE("MinMaxScaler hand-worked example with NaN and a constant column") {
    const Eigen::MatrixXd X = hand_matrix();
    const auto s = pp::fit_min_max_scaler(X);
    CHECK(same_vector(s.data_min(), {1.0, 0.0, 5.0}));
    CHECK(same_vector(s.data_max(), {3.0, 4.0, 5.0}));
    CHECK(same_vector(s.data_range(), {2.0, 4.0, 0.0}));
    CHECK(same_vector(s.scale(), {0.5, 0.25, 1.0}));
    CHECK(same_vector(s.min(), {-0.5, 0.0, -5.0}));
    CHECK(s.n_samples_seen() == 4);
    Eigen::MatrixXd expected(4, 3);
    expected << 0, 0, 0,  //
        1, 1, 0,          //
        kNaN, 0, 0,        //
        kNaN, 1, 0;
    CHECK(same_matrix(s.transform(X), expected));
    CHECK(same_matrix(s.inverse_transform(expected), X));

    const auto r = pp::fit_min_max_scaler(X, {.feature_range = {-1.0, 1.0}});
    CHECK(r.transform(X)(0, 0) == -1.0);
    CHECK(r.transform(X)(1, 0) == 1.0);

    Eigen::MatrixXd outside(1, 3);
    outside << 5, -4, kNaN;
    CHECK(s.transform(outside)(0, 0) == 2.0);
    CHECK(s.transform(outside)(0, 1) == -1.0);
    const auto clipped = pp::fit_min_max_scaler(X, {.clip = true});
    const Eigen::MatrixXd c = clipped.transform(outside);
    CHECK(c(0, 0) == 1.0);
    CHECK(c(0, 1) == 0.0);
    CHECK(std::isnan(c(0, 2)));
}

TEST_CASE("Scalers accept blocks through Eigen::Ref and agree for any thread count") {
    Eigen::MatrixXd big(200, 9);
    for (Eigen::Index i = 0; i < big.rows(); ++i)
        for (Eigen::Index j = 0; j < big.cols(); ++j)
            big(i, j) = std::sin(static_cast<double>(i * 31 + j * 7)) * static_cast<double>(j + 1);
    const auto block = big.block(10, 1, 150, 7);
    const auto s1 = pp::fit_standard_scaler(block);
    const auto s4 = pp::fit_standard_scaler(block, {.num_threads = 4});
    CHECK(same_matrix(s1.transform(block), s4.transform(block)));
    const auto m1 = pp::fit_min_max_scaler(block);
    const auto m3 = pp::fit_min_max_scaler(block, {.num_threads = 3});
    CHECK(same_matrix(m1.transform(block), m3.transform(block)));
    CHECK(same_matrix(m1.inverse_transform(block), m3.inverse_transform(block)));
}

TEST_CASE("Scalers reject misuse and bad input") {
    const Eigen::MatrixXd X = hand_matrix();
    pp::StandardScaler unfitted;
    CHECK_FALSE(unfitted.is_fitted());
    CHECK_THROWS_AS(unfitted.transform(X), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted.inverse_transform(X), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted.mean(), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted.var(), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted.scale(), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted.n_samples_seen(), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted.n_features_in(), musiclab::not_fitted);
    pp::MinMaxScaler unfitted_mm;
    CHECK_THROWS_AS(unfitted_mm.transform(X), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted_mm.inverse_transform(X), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted_mm.data_min(), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted_mm.data_max(), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted_mm.data_range(), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted_mm.scale(), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted_mm.min(), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted_mm.n_samples_seen(), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted_mm.n_features_in(), musiclab::not_fitted);

    const auto s = pp::fit_standard_scaler(X);
    const auto m = pp::fit_min_max_scaler(X);
    const Eigen::MatrixXd two_cols = X.leftCols(2);
    CHECK_THROWS_AS(s.transform(two_cols), musiclab::shape_mismatch);
    CHECK_THROWS_AS(s.inverse_transform(two_cols), musiclab::shape_mismatch);
    CHECK_THROWS_AS(m.transform(two_cols), musiclab::shape_mismatch);
    CHECK_THROWS_AS(m.inverse_transform(two_cols), musiclab::shape_mismatch);
    try {
        (void)s.transform(two_cols);
    } catch (const musiclab::shape_mismatch& e) {
        CHECK(e.expected() == 3);
        CHECK(e.got() == 2);
    }

    Eigen::MatrixXd with_inf = X;
    with_inf(1, 2) = -kInf;
    CHECK_THROWS_AS(pp::fit_standard_scaler(with_inf), musiclab::invalid_parameter);
    CHECK_THROWS_AS(pp::fit_min_max_scaler(with_inf), musiclab::invalid_parameter);
    CHECK_THROWS_AS(s.transform(with_inf), musiclab::invalid_parameter);
    CHECK_THROWS_AS(m.inverse_transform(with_inf), musiclab::invalid_parameter);
    try {
        (void)pp::fit_standard_scaler(with_inf);
    } catch (const musiclab::invalid_parameter& e) {
        CHECK(std::string(e.what()).find("-inf at row 1, column 2") != std::string::npos);
    }
    CHECK_THROWS_AS(pp::fit_standard_scaler(Eigen::MatrixXd(0, 3)), musiclab::invalid_parameter);
    CHECK_THROWS_AS(pp::fit_standard_scaler(Eigen::MatrixXd(3, 0)), musiclab::invalid_parameter);
    CHECK_THROWS_AS(pp::fit_min_max_scaler(Eigen::MatrixXd(0, 3)), musiclab::invalid_parameter);
    CHECK_THROWS_AS(s.transform(Eigen::MatrixXd(0, 3)), musiclab::invalid_parameter);

    CHECK_THROWS_AS((pp::MinMaxScaler({.feature_range = {1.0, 1.0}})), musiclab::invalid_parameter);
    CHECK_THROWS_AS((pp::MinMaxScaler({.feature_range = {2.0, 1.0}})), musiclab::invalid_parameter);
    CHECK_THROWS_AS((pp::MinMaxScaler({.feature_range = {0.0, kInf}})), musiclab::invalid_parameter);
    CHECK_THROWS_AS((pp::MinMaxScaler({.feature_range = {kNaN, 1.0}})), musiclab::invalid_parameter);
    CHECK_THROWS_AS((pp::MinMaxScaler({.num_threads = -1})), musiclab::invalid_parameter);
    CHECK_THROWS_AS((pp::StandardScaler({.num_threads = -2})), musiclab::invalid_parameter);
}

// Bit-exact parity: sklearn computes in the same operation order (sequential nansum over rows,
// corrected two-pass variance, separate *= and += passes), so every value must be identical.
TEST_CASE("Scalers match scikit-learn 1.2.1 exactly on every scaler_*.tsv reference") {
    // (the variable must be called `path`: MUSICLAB_REQUIRE_PATH's parameter is named path)
    const std::filesystem::path path = musiclab::test::test_data_dir() / "preprocess";
    MUSICLAB_REQUIRE_PATH(path);
    const auto cases = ref::find_cases(path, "scaler_");
    REQUIRE(cases.size() >= 8);
    for (const auto& file : cases) {
        CAPTURE(file.filename().string());
        const ScalerCase c = read_case(file);
        const Eigen::MatrixXd fit = to_matrix(c.matrices.at("fit"));
        const Eigen::MatrixXd test = to_matrix(c.matrices.at("test"));
        const auto vec = [&](const std::string& tag, const Eigen::VectorXd& got) {
            CAPTURE(tag);
            if (c.none.count(tag)) CHECK(got.size() == 0);
            else CHECK(same_vector(got, c.vectors.at(tag)));
        };
        if (c.meta.at("kind") == "standard") {
            const pp::StandardScalerOptions opts{.with_mean = c.meta.at("with_mean") == "1",
                                                 .with_std = c.meta.at("with_std") == "1"};
            pp::StandardScaler s(opts);
            CHECK(same_matrix(s.fit_transform(fit), to_matrix(c.matrices.at("fit_transform"))));
            vec("mean", s.mean());
            vec("var", s.var());
            vec("scale", s.scale());
            const auto& seen = c.vectors.at("n_samples_seen");
            REQUIRE(seen.size() == s.n_samples_seen().size());
            for (std::size_t j = 0; j < seen.size(); ++j) CHECK(static_cast<double>(s.n_samples_seen()[j]) == seen[j]);
            CHECK(same_matrix(s.transform(test), to_matrix(c.matrices.at("transform"))));
            CHECK(same_matrix(s.inverse_transform(test), to_matrix(c.matrices.at("inverse"))));
        } else {
            const pp::MinMaxScalerOptions opts{
                .feature_range = {ref::to_double(c.meta.at("range_min")), ref::to_double(c.meta.at("range_max"))},
                .clip = c.meta.at("clip") == "1"};
            pp::MinMaxScaler s(opts);
            CHECK(same_matrix(s.fit_transform(fit), to_matrix(c.matrices.at("fit_transform"))));
            vec("data_min", s.data_min());
            vec("data_max", s.data_max());
            vec("data_range", s.data_range());
            vec("scale", s.scale());
            vec("min", s.min());
            CHECK(same_matrix(s.transform(test), to_matrix(c.matrices.at("transform"))));
            CHECK(same_matrix(s.inverse_transform(test), to_matrix(c.matrices.at("inverse"))));
        }
    }
}
