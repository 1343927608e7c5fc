#include <doctest/doctest.h>
#include <musiclab/encode/folds.hpp>
#include <musiclab/io/csv.hpp>
#include <support.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace en = musiclab::encode;

namespace {

std::vector<double> split_numbers(std::string_view s) {
    std::vector<double> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const std::size_t comma = std::min(s.find(',', start), s.size());
        out.push_back(std::stod(std::string(s.substr(start, comma - start))));
        start = comma + 1;
    }
    return out;
}

}  // namespace

TEST_CASE("kfold and stratified fold assignments equal sklearn's fold for fold") {
    // tests/data/encode/folds.tsv was written by tests/data/encode/make_folds.py with
    // scikit-learn 1.2.1 KFold / StratifiedKFold. Exact equality: fold labels are integers.
    const auto path = musiclab::test::test_data_dir() / "encode/folds.tsv";
    musiclab::io::CsvOptions o = musiclab::io::CsvOptions::tsv();
    o.types = {{"y", musiclab::io::ColumnType::text}, {"folds", musiclab::io::ColumnType::text}};
    const auto t = musiclab::io::read_csv(path, o);
    REQUIRE(t.rows() >= 10);
    for (std::size_t r = 0; r < t.rows(); ++r) {
        const std::string_view splitter = t.text("splitter")[r];
        const auto n = static_cast<std::size_t>(t.numeric("n")[r]);
        const int k = static_cast<int>(t.numeric("n_folds")[r]);
        const bool shuffle = t.numeric("shuffle")[r] != 0.0;
        const auto seed = static_cast<std::uint32_t>(t.numeric("seed")[r]);
        const auto want = split_numbers(t.text("folds")[r]);
        REQUIRE(want.size() == n);
        std::vector<std::uint32_t> got;
        if (splitter == "kfold") {
            got = en::kfold_assignment(n, k, shuffle, seed);
        } else {
            const auto y = split_numbers(t.text("y")[r]);
            got = en::stratified_kfold_assignment(y, k, shuffle, seed);
        }
        INFO(splitter << " n=" << n << " K=" << k << " seed=" << seed);
        REQUIRE(got.size() == n);
        std::size_t mismatches = 0;
        for (std::size_t i = 0; i < n; ++i) mismatches += static_cast<double>(got[i]) != want[i];
        CHECK(mismatches == 0);
    }
}

TEST_CASE("fold assignments reject bad fold counts naming n_folds") {
    CHECK_THROWS_WITH_AS(en::kfold_assignment(10, 0), doctest::Contains("'n_folds'"), musiclab::invalid_parameter);
    CHECK_THROWS_AS(en::kfold_assignment(10, 1), musiclab::invalid_parameter);
    CHECK_THROWS_AS(en::kfold_assignment(10, 11), musiclab::invalid_parameter);
    CHECK_THROWS_AS(en::kfold_assignment(0, 2), musiclab::invalid_parameter);
    CHECK(en::kfold_assignment(10, 10).size() == 10);
    const std::vector<double> y = {0, 0, 1, 1, 1};
    CHECK_THROWS_AS(en::stratified_kfold_assignment(y, 4), musiclab::invalid_parameter);  // every class < 4 members
    CHECK_NOTHROW(en::stratified_kfold_assignment(y, 3));
    const std::vector<double> nan_y = {0, 1, std::numeric_limits<double>::quiet_NaN(), 1};
    CHECK_THROWS_WITH_AS(en::stratified_kfold_assignment(nan_y, 2), doctest::Contains("'y'"), musiclab::invalid_parameter);
}
