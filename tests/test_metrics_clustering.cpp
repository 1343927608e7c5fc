#include <doctest/doctest.h>
#include <musiclab/metrics/clustering.hpp>
#include <support.hpp>

#include "data/metrics/reference.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace mm = musiclab::metrics;
namespace ref = musiclab::test::metrics;

TEST_CASE("adjusted_rand_score on hand-worked examples") {
    // [0,0,1,1] vs [0,1,0,1]: pairs (ordered) tp = 0, fn = 4, fp = 4, tn = 4;
    // ARI = 2 (0 - 16) / ((0 + 4)(4 + 4) + (0 + 4)(4 + 4)) = -32 / 64 = -0.5 (sklearn docstring).
    const std::vector<int> a = {0, 0, 1, 1}, b = {0, 1, 0, 1};
    const auto pc = mm::pair_confusion_matrix(a, b);
    CHECK(pc.tp == 0);
    CHECK(pc.fn == 4);
    CHECK(pc.fp == 4);
    CHECK(pc.tn == 4);
    CHECK(mm::adjusted_rand_score(a, b) == -0.5);
    // [0,0,1,2] vs [0,0,1,1] (sklearn pair_confusion_matrix docstring: [[8, 2], [0, 2]]):
    // ARI = 2 (2*8 - 0*2) / ((2 + 0)(0 + 8) + (2 + 2)(2 + 8)) = 32 / 56 = 4/7.
    const std::vector<int> c = {0, 0, 1, 2}, d = {0, 0, 1, 1};
    CHECK(mm::adjusted_rand_score(c, d) == 32.0 / 56.0);
    // Renamed labels (any ordered type) are the same partition: 1.0; -1 is an ordinary label.
    const std::vector<std::string> names = {"x", "x", "y", "z"};
    const std::vector<std::int64_t> renamed = {-1, -1, 7, 3};
    CHECK(mm::adjusted_rand_score(names, renamed) == 1.0);
    // One cluster vs all singletons: fn = fp = 0 does not hold; tp = 0 -> ARI 0.
    const std::vector<int> one = {0, 0, 0}, singletons = {0, 1, 2};
    CHECK(mm::adjusted_rand_score(one, singletons) == 0.0);
    CHECK(mm::adjusted_rand_score(one, one) == 1.0);
    CHECK(mm::adjusted_rand_score(std::vector<int>{5}, std::vector<int>{9}) == 1.0);
}

TEST_CASE("adjusted_rand_score rejects empty and mismatched input") {
    const std::vector<int> empty, two = {0, 1}, three = {0, 1, 1};
    CHECK_THROWS_WITH_AS(mm::adjusted_rand_score(empty, empty), doctest::Contains("'labels_true'"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(mm::adjusted_rand_score(two, three), doctest::Contains("labels_pred"), musiclab::shape_mismatch);
    CHECK_THROWS_AS(mm::pair_confusion_matrix(three, two), musiclab::shape_mismatch);
}

TEST_CASE("adjusted_rand_score matches sklearn on every reference case") {
    const auto dir = musiclab::test::shared_dir() / "reference/metrics";
    MUSICLAB_REQUIRE_PATH(dir);
    const auto files = ref::files_matching(dir, "ari", ".jsonl");
    REQUIRE(!files.empty());
    ref::ErrorStats stats;
    for (const auto& file : files) {
        for (const auto& c : ref::read_jsonl(file)) {
            const auto t = c.at("labels_true").get<std::vector<std::int64_t>>();
            const auto p = c.at("labels_pred").get<std::vector<std::int64_t>>();
            const double got = mm::adjusted_rand_score(t, p);
            const double want = c.at("ari").get<double>();
            INFO(file.filename().string() << " case " << c.at("case").get<std::string>());
            // README 5(c): tolerance 1e-12. Exact integer pair counts and the same two roundings
            // as Python make the value identical.
            CHECK(std::fabs(got - want) <= 1e-12);
            stats.add(std::fabs(got - want), got == want);
        }
    }
    MESSAGE("ari: " << stats.compared << " cases, " << stats.identical << " bit-identical, max |error| " << stats.max_error);
    CHECK(stats.compared >= 20);
}
