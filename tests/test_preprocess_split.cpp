#include <doctest/doctest.h>
#include <musiclab/preprocess/split.hpp>
#include <support.hpp>

#include "data/preprocess/reference_tsv.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pp = musiclab::preprocess;
namespace ref = musiclab::test::preprocess;

namespace {

using Idx = std::vector<std::size_t>;

std::optional<pp::SplitSize> read_size(const std::vector<std::string>& f) {
    if (f.at(2) == "none") return std::nullopt;
    if (f.at(2) == "int") return pp::SplitSize(static_cast<std::size_t>(ref::to_int(f.at(3))));
    return pp::SplitSize(ref::to_double(f.at(3)));
}

}  // namespace

// Each train_test_split_*.tsv is sklearn's train_test_split(np.arange(n), ...) output: indices
// must agree exactly, in order (they are permutation slices, not sorted).
TEST_CASE("train_test_split reproduces scikit-learn index sets on every train_test_split_*.tsv") {
    const std::filesystem::path path = musiclab::test::test_data_dir() / "preprocess";
    MUSICLAB_REQUIRE_PATH(path);
    const auto cases = ref::find_cases(path, "train_test_split_");
    REQUIRE(cases.size() >= 20);
    for (const auto& file : cases) {
        CAPTURE(file.filename().string());
        std::size_t n = 0;
        pp::TrainTestSplitOptions opts;
        Idx train, test;
        for (const auto& f : ref::read_tsv(file)) {
            if (f[0] == "meta" && f[1] == "n") n = static_cast<std::size_t>(ref::to_int(f[2]));
            else if (f[0] == "meta" && f[1] == "test_size") opts.test_size = read_size(f);
            else if (f[0] == "meta" && f[1] == "train_size") opts.train_size = read_size(f);
            else if (f[0] == "meta" && f[1] == "random_state") opts.random_state = static_cast<std::uint32_t>(ref::to_int(f[2]));
            else if (f[0] == "meta" && f[1] == "shuffle") opts.shuffle = f[2] == "1";
            else if (f[0] == "train" || f[0] == "test") {
                Idx& target = f[0] == "train" ? train : test;
                for (std::size_t k = 1; k < f.size(); ++k) target.push_back(static_cast<std::size_t>(ref::to_int(f[k])));
            }
        }
        const auto split = pp::train_test_split(n, opts);
        CHECK(split.train == train);
        CHECK(split.test == test);
    }
}

TEST_CASE("numpy_legacy_permutation is a permutation and seed dependent") {
    const auto p = pp::numpy_legacy_permutation(1000, 42);
    Idx sorted = p;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) CHECK(sorted[i] == i);
    CHECK(p != pp::numpy_legacy_permutation(1000, 43));
    CHECK(pp::numpy_legacy_permutation(0, 1).empty());
    CHECK(pp::numpy_legacy_permutation(1, 1) == Idx{0});
    // np.random.RandomState(0).permutation(10)
    CHECK(pp::numpy_legacy_permutation(10, 0) == Idx{2, 8, 4, 9, 1, 6, 7, 3, 0, 5});
}

TEST_CASE("train_test_split sizes and errors follow sklearn _validate_shuffle_split") {
    const auto def = pp::train_test_split(10);  // test_size 0.25 -> ceil(2.5) = 3
    CHECK(def.test.size() == 3);
    CHECK(def.train.size() == 7);
    const auto counts = pp::train_test_split(10, {.test_size = std::size_t{2}, .train_size = std::size_t{5}});
    CHECK(counts.test.size() == 2);
    CHECK(counts.train.size() == 5);
    const auto train_only = pp::train_test_split(10, {.train_size = 0.33});  // floor(3.3) = 3
    CHECK(train_only.train.size() == 3);
    CHECK(train_only.test.size() == 7);
    const auto ordered = pp::train_test_split(5, {.test_size = 0.4, .shuffle = false});
    CHECK(ordered.train == Idx{0, 1, 2});
    CHECK(ordered.test == Idx{3, 4});

    using musiclab::invalid_parameter;
    CHECK_THROWS_AS(pp::train_test_split(0), invalid_parameter);
    CHECK_THROWS_AS(pp::train_test_split(1), invalid_parameter);  // train set would be empty
    CHECK_THROWS_AS(pp::train_test_split(10, {.test_size = 0.0}), invalid_parameter);
    CHECK_THROWS_AS(pp::train_test_split(10, {.test_size = 1.0}), invalid_parameter);
    CHECK_THROWS_AS(pp::train_test_split(10, {.test_size = std::size_t{0}}), invalid_parameter);
    CHECK_THROWS_AS(pp::train_test_split(10, {.test_size = std::size_t{10}}), invalid_parameter);
    CHECK_THROWS_AS(pp::train_test_split(10, {.train_size = -0.5}), invalid_parameter);
    CHECK_THROWS_AS(pp::train_test_split(10, {.train_size = std::size_t{10}}), invalid_parameter);
    CHECK_THROWS_AS((pp::train_test_split(10, {.test_size = 0.6, .train_size = 0.6})), invalid_parameter);
    CHECK_THROWS_AS((pp::train_test_split(10, {.test_size = std::size_t{6}, .train_size = std::size_t{6}})),
                    invalid_parameter);
    CHECK_THROWS_AS((pp::train_test_split(10, {.test_size = 0.99})), invalid_parameter);  // ceil(9.9) = 10 -> train empty
}

TEST_CASE("time_split orders by date then row and cuts at floor of train_fraction times n") {
    const std::vector<std::string> dates = {"2001-05-01", "1999", "2001-05-01", "1999-01-01", "2010-12", "1980-06-15",
                                            "2001-05-01", "2020", "1999-07",    "2005"};
    // sorted by (days, row): 5(1980) 1(1999) 3(1999-01-01) 8(1999-07) 0,2,6(2001-05-01) 9(2005) 4(2010-12) 7(2020)
    const auto s = pp::time_split(dates);  // floor(0.9 * 10) = 9
    CHECK(s.train == Idx{5, 1, 3, 8, 0, 2, 6, 9, 4});
    CHECK(s.test == Idx{7});
    const auto half = pp::time_split(dates, {.train_fraction = 0.5});
    CHECK(half.train == Idx{5, 1, 3, 8, 0});
    CHECK(half.test == Idx{2, 6, 9, 4, 7});  // equal dates may straddle the cut (row order)
    CHECK(pp::time_split(dates, {.train_fraction = 0.0}).train.empty());
    CHECK(pp::time_split(dates, {.train_fraction = 1.0}).test.empty());
    CHECK(pp::time_split(dates, {.train_fraction = 0.29}).train.size() == 2);  // floor(2.9)
}

TEST_CASE("time_split missing date policies and errors") {
    const std::vector<std::string> dates = {"2003", "", "2001", "", "2002"};
    try {
        (void)pp::time_split(dates);
        FAIL("expected parse_error");
    } catch (const musiclab::parse_error& e) {
        CHECK(e.line() == 2);
        CHECK(e.message() == "row 1: missing date");
    }
    const auto first = pp::time_split(dates, {.train_fraction = 0.6, .missing = pp::MissingDates::first});
    CHECK(first.train == Idx{1, 3, 2});
    CHECK(first.test == Idx{4, 0});
    const auto drop = pp::time_split(dates, {.train_fraction = 0.7, .missing = pp::MissingDates::drop});
    CHECK(drop.train == Idx{2, 4});  // floor(0.7 * 3) = 2
    CHECK(drop.test == Idx{0});

    const std::vector<std::string> malformed = {"2003", "2003-02-30"};
    CHECK_THROWS_AS(pp::time_split(malformed, {.missing = pp::MissingDates::drop}), musiclab::parse_error);
    CHECK_THROWS_AS(pp::time_split(dates, {.train_fraction = 1.5}), musiclab::invalid_parameter);
    CHECK_THROWS_AS(pp::time_split(dates, {.train_fraction = -0.1}), musiclab::invalid_parameter);
    const std::vector<std::optional<pp::Date>> parsed = {pp::parse_date("2000"), std::nullopt};
    CHECK_THROWS_AS(pp::time_split(parsed), musiclab::parse_error);
    CHECK(pp::time_split(std::vector<std::string>{}).train.empty());
}
