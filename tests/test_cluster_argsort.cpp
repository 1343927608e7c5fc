// musiclab/cluster/detail/mst.hpp: numpy 1.24's argsort of float64, the permutation and not only
// the sorted values (HDBSCAN merges equal MST weights in this order). Data-driven: every
// tests/data/cluster/argsort/*.json (make_argsort_reference.py: np.argsort(values, kind)) must be
// reproduced index for index: kind "quicksort" (numpy's default introsort) by numpy_argsort, kind
// "heapsort" by np_aheapsort, on ties, NaN (sorted last), +-inf, -0.0 / 0.0, sizes around the
// insertion-sort cut-off, sorted, reversed and organ-pipe inputs.
#include "support.hpp"

#include <musiclab/cluster/detail/mst.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

namespace {

double json_double(const nlohmann::json& v) {
    if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (v.is_string()) return v.get<std::string>() == "inf" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
    return v.get<double>();
}

}  // namespace

TEST_CASE("numpy argsort: every reference permutation is reproduced exactly") {
    namespace fs = std::filesystem;
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(fs::path(musiclab::test::test_data_dir()) / "cluster" / "argsort"))
        if (e.path().extension() == ".json") cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    REQUIRE(cases.size() >= 2);
    std::size_t quick = 0, heap = 0;
    for (const auto& path : cases) {
        CAPTURE(path.filename().string());
        std::ifstream in(path);
        const nlohmann::json c = nlohmann::json::parse(in);
        std::vector<double> values;
        for (const auto& v : c["values"]) values.push_back(json_double(v));
        const auto expected = c["order"].get<std::vector<std::int64_t>>();
        std::vector<std::int64_t> got;
        if (c["kind"] == "quicksort") {
            got = musiclab::detail::numpy_argsort(values);
            ++quick;
        } else {
            REQUIRE(c["kind"] == "heapsort");
            got.resize(values.size());
            std::iota(got.begin(), got.end(), std::int64_t{0});
            musiclab::detail::np_aheapsort(values.data(), got.data(), static_cast<std::int64_t>(got.size()));
            ++heap;
        }
        REQUIRE(got.size() == expected.size());
        std::size_t first_diff = got.size();
        for (std::size_t i = 0; i < got.size() && first_diff == got.size(); ++i)
            if (got[i] != expected[i]) first_diff = i;
        CHECK_MESSAGE(first_diff == got.size(), "first differing position ", first_diff);
    }
    CHECK(quick > 0);
    CHECK(heap > 0);
}
