#include <doctest/doctest.h>
#include <musiclab/preprocess/one_hot.hpp>
#include <support.hpp>

#include "data/preprocess/reference_tsv.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pp = musiclab::preprocess;
namespace ref = musiclab::test::preprocess;

namespace {

using Columns = std::vector<std::vector<std::string>>;

// A column class that is not a std::vector: size() and operator[] -> std::string_view.
struct ViewColumn {
    std::vector<std::string> cells;
    std::size_t size() const { return cells.size(); }
    std::string_view operator[](std::size_t i) const { return cells[i]; }
};

}  // namespace

TEST_CASE("OneHotEncoder sorts categories by bytes and names features like sklearn") {
    const Columns cols = {{"rock", "pop", "Rock", "", "pop"}, {"b", "a", "b", "b", "a"}};
    const auto enc = pp::fit_one_hot_encoder(cols, {}, {"genre", "mode"});
    CHECK(enc.n_features_in() == 2);
    CHECK(enc.n_features_out() == 6);
    CHECK(enc.categories()[0] == std::vector<std::string>{"", "Rock", "pop", "rock"});
    CHECK(enc.categories()[1] == std::vector<std::string>{"a", "b"});
    CHECK(enc.get_feature_names_out() ==
          std::vector<std::string>{"genre_", "genre_Rock", "genre_pop", "genre_rock", "mode_a", "mode_b"});
    CHECK(enc.output_column(0, "pop") == 2);
    CHECK(enc.output_column(1, "b") == 5);
    CHECK(enc.output_column(1, "zzz") == -1);

    Eigen::MatrixXd expected(5, 6);
    expected << 0, 0, 0, 1, 0, 1,  //
        0, 0, 1, 0, 1, 0,          //
        0, 1, 0, 0, 0, 1,          //
        1, 0, 0, 0, 0, 1,          //
        0, 0, 1, 0, 1, 0;
    CHECK(enc.transform_dense(cols) == expected);
    const auto sparse = enc.transform(cols);
    CHECK(sparse.nonZeros() == 10);
    CHECK(Eigen::MatrixXd(sparse) == expected);

    const auto unnamed = pp::fit_one_hot_encoder(cols);
    CHECK(unnamed.feature_names_in() == std::vector<std::string>{"x0", "x1"});
    CHECK(unnamed.get_feature_names_out()[4] == "x1_a");
}

TEST_CASE("OneHotEncoder takes single columns views pointers and reference wrappers") {
    const std::vector<std::string> genre = {"jazz", "blues", "jazz"};
    const ViewColumn mode{{"minor", "major", "major"}};
    pp::OneHotEncoder single;
    single.fit(genre, {"genre"});
    CHECK(single.get_feature_names_out() == std::vector<std::string>{"genre_blues", "genre_jazz"});
    CHECK(Eigen::MatrixXd(single.transform(genre)) == single.transform_dense(genre));
    CHECK(single.transform_dense(genre)(0, 1) == 1.0);

    const std::vector<const ViewColumn*> pointers = {&mode, &mode};
    const auto by_pointer = pp::fit_one_hot_encoder(pointers);
    CHECK(by_pointer.n_features_out() == 4);
    const std::vector<std::reference_wrapper<const ViewColumn>> refs = {std::cref(mode)};
    pp::OneHotEncoder by_ref;
    const auto X = by_ref.fit_transform(refs, {"mode"});
    CHECK(X.coeff(0, 1) == 1.0);  // "minor" sorts after "major"
    const std::vector<std::vector<std::string_view>> views = {{"a", "b"}};
    CHECK(pp::fit_one_hot_encoder(views).n_features_out() == 2);
}

TEST_CASE("OneHotEncoder unknown categories: error names them and ignore gives zero blocks") {
    const Columns train = {{"rock", "pop"}, {"x", "y"}};
    const Columns test = {{"pop", "jazz"}, {"y", "x"}};
    const auto strict = pp::fit_one_hot_encoder(train, {}, {"genre", "key"});
    CHECK_THROWS_AS(strict.transform(test), musiclab::unknown_name);
    CHECK_THROWS_AS(strict.transform_dense(test), musiclab::unknown_name);
    try {
        (void)strict.transform(test);
        FAIL("expected unknown_name");
    } catch (const musiclab::unknown_name& e) {
        CHECK(e.name() == "jazz");
        const std::string what = e.what();
        CHECK(what.find("input column 0 'genre' at row 1") != std::string::npos);
    }
    const auto lenient = pp::fit_one_hot_encoder(train, {.handle_unknown = pp::HandleUnknown::ignore});
    const auto X = lenient.transform(test);
    CHECK(X.nonZeros() == 3);
    Eigen::MatrixXd expected(2, 4);
    expected << 1, 0, 0, 1,  //
        0, 0, 1, 0;
    CHECK(Eigen::MatrixXd(X) == expected);
    CHECK(lenient.transform_dense(test) == expected);
}

TEST_CASE("OneHotEncoder output does not depend on the thread count") {
    Columns cols(3);
    for (int i = 0; i < 500; ++i) {
        cols[0].push_back(std::string("g").append(std::to_string(i % 17)));  // (GCC 12 -Wrestrict false positive on "g" + string)
        cols[1].push_back(std::to_string(i % 5));
        cols[2].push_back(i % 2 ? "" : "x");
    }
    const auto one = pp::fit_one_hot_encoder(cols);
    const auto four = pp::fit_one_hot_encoder(cols, {.num_threads = 4});
    CHECK(Eigen::MatrixXd(one.transform(cols)) == Eigen::MatrixXd(four.transform(cols)));
    CHECK(one.transform_dense(cols) == four.transform_dense(cols));
}

TEST_CASE("OneHotEncoder rejects misuse and bad shapes") {
    const Columns cols = {{"a", "b"}, {"c", "d"}};
    pp::OneHotEncoder unfitted;
    CHECK_FALSE(unfitted.is_fitted());
    CHECK_THROWS_AS(unfitted.transform(cols), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted.transform_dense(cols), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted.categories(), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted.feature_names_in(), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted.n_features_in(), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted.n_features_out(), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted.get_feature_names_out(), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted.output_column(0, "a"), musiclab::not_fitted);

    const auto enc = pp::fit_one_hot_encoder(cols);
    const Columns one_col = {{"a", "b"}};
    CHECK_THROWS_AS(enc.transform(one_col), musiclab::shape_mismatch);
    const Columns ragged = {{"a", "b"}, {"c"}};
    CHECK_THROWS_AS(enc.transform(ragged), musiclab::shape_mismatch);
    CHECK_THROWS_AS(pp::fit_one_hot_encoder(ragged), musiclab::shape_mismatch);
    const std::vector<std::string> names = {"only_one"};
    CHECK_THROWS_AS((pp::fit_one_hot_encoder(cols, {}, names)), musiclab::shape_mismatch);
    CHECK_THROWS_AS(pp::fit_one_hot_encoder(Columns{}), musiclab::invalid_parameter);
    CHECK_THROWS_AS((pp::fit_one_hot_encoder(Columns{{}, {}})), musiclab::invalid_parameter);
    CHECK_THROWS_AS(enc.output_column(2, "a"), musiclab::invalid_parameter);
    CHECK_THROWS_AS(pp::OneHotEncoder({.num_threads = -1}), musiclab::invalid_parameter);
}

TEST_CASE("OneHotEncoder matches sklearn OneHotEncoder on every one_hot_*.tsv reference") {
    const std::filesystem::path path = musiclab::test::test_data_dir() / "preprocess";
    MUSICLAB_REQUIRE_PATH(path);
    const auto cases = ref::find_cases(path, "one_hot_");
    REQUIRE(!cases.empty());
    for (const auto& file : cases) {
        CAPTURE(file.filename().string());
        std::vector<std::string> names, feature_names;
        Columns fit, test;
        std::vector<std::vector<std::string>> categories;
        std::vector<std::vector<double>> fit_out, test_out;
        for (const auto& f : ref::read_tsv(file)) {
            const std::vector<std::string> rest(f.begin() + 1, f.end());
            if (f[0] == "name") names = rest;
            else if (f[0] == "feature_names") feature_names = rest;
            else if (f[0] == "categories") categories.emplace_back(f.begin() + 2, f.end());
            else if (f[0] == "fit" || f[0] == "test") {
                Columns& target = f[0] == "fit" ? fit : test;
                target.resize(rest.size());
                for (std::size_t j = 0; j < rest.size(); ++j) target[j].push_back(rest[j]);
            } else {
                std::vector<double> row;
                for (const auto& v : rest) row.push_back(ref::to_double(v));
                (f[0] == "fit_transform" ? fit_out : test_out).push_back(row);
            }
        }
        const auto enc = pp::fit_one_hot_encoder(fit, {.handle_unknown = pp::HandleUnknown::ignore}, names);
        CHECK(enc.categories() == categories);
        CHECK(enc.get_feature_names_out() == feature_names);
        const auto compare = [](const Eigen::MatrixXd& got, const std::vector<std::vector<double>>& want) {
            REQUIRE(static_cast<std::size_t>(got.rows()) == want.size());
            for (std::size_t i = 0; i < want.size(); ++i) {
                REQUIRE(static_cast<std::size_t>(got.cols()) == want[i].size());
                for (std::size_t j = 0; j < want[i].size(); ++j)
                    CHECK(got(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) == want[i][j]);
            }
        };
        compare(enc.transform_dense(fit), fit_out);
        compare(Eigen::MatrixXd(enc.transform(test)), test_out);
    }
}
