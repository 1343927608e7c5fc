#include <doctest/doctest.h>
#include <musiclab/metrics/embedding.hpp>
#include <support.hpp>

#include "data/metrics/reference.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace mm = musiclab::metrics;
namespace ref = musiclab::test::metrics;

namespace {

Eigen::MatrixXd to_matrix(const nlohmann::json& rows) {
    const auto n = static_cast<Eigen::Index>(rows.size());
    const auto d = static_cast<Eigen::Index>(rows.at(0).size());
    Eigen::MatrixXd m(n, d);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < d; ++j) m(i, j) = rows.at(static_cast<std::size_t>(i)).at(static_cast<std::size_t>(j)).get<double>();
    return m;
}

mm::TrustworthinessOptions with_k(int k, int threads = 1) {
    mm::TrustworthinessOptions o;
    o.n_neighbors = k;
    o.num_threads = threads;
    return o;
}

}  // namespace

TEST_CASE("trustworthiness on a hand-worked line") {
    // x = 0, 1, 3, 6, 10 on a line; the embedding swaps points 0 and 4: e = 10, 1, 3, 6, 0.
    // k = 1, n = 5. Embedding neighbour of each point and its input-space rank r:
    //   p0 (e=10) -> p3 (|10-6| = 4): input distances from p0 are 1, 3, 6, 10 -> r = 3, penalty 2
    //   p1 (e=1)  -> p4 (|1-0| = 1):  input distances from p1 are 1, 2, 5, 9  -> r = 4, penalty 3
    //   p2 (e=3)  -> p1 (2):          p1 is p2's nearest input neighbour       -> r = 1, penalty 0
    //   p3 (e=6)  -> p2 (3):          p2 is p3's nearest input neighbour       -> r = 1, penalty 0
    //   p4 (e=0)  -> p1 (1):          input distances from p4 are 4, 7, 9, 10  -> r = 3, penalty 2
    // Sum = 7; T = 1 - 7 * 2 / (5 * 1 * (2*5 - 3*1 - 1)) = 1 - 7 * (2/30) = 0.5333...
    // (sklearn.manifold.trustworthiness gives 0.5333333333333333 on the same input).
    Eigen::MatrixXd x(5, 1), e(5, 1);
    x << 0, 1, 3, 6, 10;
    e << 10, 1, 3, 6, 0;
    const auto r = mm::trustworthiness_details(x, e, with_k(1));
    CHECK(r.rank_penalty_sum == 7);
    CHECK(r.trustworthiness == 1.0 - 7.0 * (2.0 / 30.0));
    Eigen::MatrixXd line(7, 1);
    line << 0, 1, 3, 6, 10, 15, 21;
    CHECK(mm::trustworthiness(line, line, with_k(2)) == 1.0);
}

TEST_CASE("trustworthiness rejects bad input naming the parameter") {
    Eigen::MatrixXd x = Eigen::MatrixXd::Random(10, 3), e = Eigen::MatrixXd::Random(10, 2);
    CHECK_THROWS_WITH_AS(mm::trustworthiness(x, e, with_k(0)), doctest::Contains("'n_neighbors'"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(mm::trustworthiness(x, e, with_k(5)), doctest::Contains("'n_neighbors'"), musiclab::invalid_parameter);
    CHECK_NOTHROW(mm::trustworthiness(x, e, with_k(4)));
    CHECK_THROWS_AS(mm::trustworthiness(x, Eigen::MatrixXd::Random(9, 2), with_k(2)), musiclab::shape_mismatch);
    CHECK_THROWS_AS(mm::trustworthiness(Eigen::MatrixXd(0, 3), Eigen::MatrixXd(0, 2), with_k(1)), musiclab::invalid_parameter);
    CHECK_THROWS_AS(mm::trustworthiness(x, Eigen::MatrixXd(10, 0), with_k(2)), musiclab::invalid_parameter);
    Eigen::MatrixXd bad = x;
    bad(3, 1) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS(mm::trustworthiness(bad, e, with_k(2)), doctest::Contains("'x'"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(mm::trustworthiness(x, bad, with_k(2)), doctest::Contains("'embedded'"), musiclab::invalid_parameter);
    CHECK_THROWS_AS(mm::trustworthiness(x, e, with_k(2, -1)), musiclab::invalid_parameter);
}

TEST_CASE("trustworthiness matches sklearn on every reference case and k") {
    const auto dir = musiclab::test::shared_dir() / "reference/metrics";
    MUSICLAB_REQUIRE_PATH(dir);
    const auto files = ref::files_matching(dir, "trustworthiness", ".jsonl");
    REQUIRE(!files.empty());
    ref::ErrorStats stats;
    std::size_t sums_checked = 0;
    const std::string key_prefix = "trustworthiness_k";
    for (const auto& file : files) {
        for (const auto& c : ref::read_jsonl(file)) {
            const Eigen::MatrixXd x = to_matrix(c.at("X"));
            const Eigen::MatrixXd e = to_matrix(c.at("X_embedded"));
            for (const auto& [key, value] : c.items()) {  // every k the case holds
                if (key.compare(0, key_prefix.size(), key_prefix) != 0) continue;
                const int k = std::stoi(key.substr(key_prefix.size()));
                const auto got = mm::trustworthiness_details(x, e, with_k(k, 2));
                const double want = value.get<double>();
                INFO(file.filename().string() << " case " << c.at("case").get<std::string>() << " k=" << k);
                // README 5(d): the integer sum exact, T within 1e-12 (same float operations as sklearn).
                CHECK(got.rank_penalty_sum == c.at("rank_penalty_sum_k" + std::to_string(k)).get<std::int64_t>());
                CHECK(std::fabs(got.trustworthiness - want) <= 1e-12);
                stats.add(std::fabs(got.trustworthiness - want), got.trustworthiness == want);
                ++sums_checked;
                // Same result on one thread (static partition, integer sum).
                CHECK(mm::trustworthiness_details(x, e, with_k(k, 1)).rank_penalty_sum == got.rank_penalty_sum);
            }
        }
    }
    MESSAGE("trustworthiness: " << stats.compared << " (case, k) compared, " << stats.identical << " bit-identical, max |error| "
                                << stats.max_error);
    CHECK(sums_checked >= 10);
}
