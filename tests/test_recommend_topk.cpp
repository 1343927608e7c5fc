// Exact top-K search against an independent brute force (long double scores, full sort), on
// random data, tie-heavy integer data and the standardized Spotify audio features; candidate
// restrictions; bad input.
#include <doctest/doctest.h>
#include <musiclab/io/csv.hpp>
#include <musiclab/recommend/topk.hpp>

#include "support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

using musiclab::recommend::Metric;
using musiclab::recommend::TopKOptions;

namespace {

template <class Scalar>
using RowMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Expected {
    std::vector<std::vector<std::int64_t>> ids;
    std::vector<std::vector<long double>> scores;  // similarity, or distance for Euclidean
    std::vector<std::vector<long double>> next;    // the (k+1)-th score (for tie detection), or NaN
};

/// Brute force in long double: every candidate scored, sorted best first (ties by index).
template <class Scalar>
Expected brute_force(const RowMatrix<Scalar>& Q, const RowMatrix<Scalar>& X, std::size_t k, Metric metric, bool exclude_self,
                     const std::vector<std::uint8_t>& mask = {}, const std::vector<std::int32_t>& item_groups = {},
                     const std::vector<std::int32_t>& query_groups = {}) {
    Expected e;
    for (Eigen::Index q = 0; q < Q.rows(); ++q) {
        std::vector<std::pair<long double, std::int64_t>> all;
        for (Eigen::Index i = 0; i < X.rows(); ++i) {
            if (exclude_self && i == q) continue;
            if (!mask.empty() && !mask[static_cast<std::size_t>(i)]) continue;
            if (!item_groups.empty() && item_groups[static_cast<std::size_t>(i)] != query_groups[static_cast<std::size_t>(q)]) continue;
            long double dot = 0, qq = 0, xx = 0, dd = 0;
            for (Eigen::Index j = 0; j < Q.cols(); ++j) {
                const long double a = Q(q, j), b = X(i, j);
                dot += a * b;
                qq += a * a;
                xx += b * b;
                dd += (a - b) * (a - b);
            }
            long double s = dot;
            if (metric == Metric::cosine) s = (qq > 0 && xx > 0) ? dot / std::sqrt(qq * xx) : 0.0L;
            if (metric == Metric::euclidean) s = -std::sqrt(dd);
            all.emplace_back(s, i);
        }
        std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        std::vector<std::int64_t> ids;
        std::vector<long double> scores;
        for (std::size_t j = 0; j < std::min(k, all.size()); ++j) {
            ids.push_back(all[j].second);
            scores.push_back(metric == Metric::euclidean ? -all[j].first : all[j].first);
        }
        e.ids.push_back(ids);
        e.scores.push_back(scores);
        e.next.push_back({all.size() > k ? (metric == Metric::euclidean ? -all[k].first : all[k].first) : std::nanl("")});
    }
    return e;
}

/// Scores within tol; indices equal wherever the expected scores are separated by more than tol
/// (from each other and from the first excluded candidate).
template <class Scalar>
std::size_t check_against(const musiclab::recommend::TopK<Scalar>& got, const Expected& e, std::size_t k, double tol) {
    REQUIRE(static_cast<std::size_t>(got.indices.rows()) == e.ids.size());
    REQUIRE(static_cast<std::size_t>(got.indices.cols()) == k);
    std::size_t compared = 0;
    for (std::size_t q = 0; q < e.ids.size(); ++q) {
        const auto& s = e.scores[q];
        for (std::size_t j = 0; j < k; ++j) {
            if (j >= s.size()) {
                CHECK(got.indices(static_cast<Eigen::Index>(q), static_cast<Eigen::Index>(j)) == -1);
                CHECK(std::isnan(got.scores(static_cast<Eigen::Index>(q), static_cast<Eigen::Index>(j))));
                continue;
            }
            CHECK(std::abs(static_cast<long double>(got.scores(static_cast<Eigen::Index>(q), static_cast<Eigen::Index>(j))) - s[j]) <= tol);
            const long double prev = j > 0 ? s[j - 1] : std::nanl(""), next = j + 1 < s.size() ? s[j + 1] : e.next[q][0];
            const bool separated = !(std::abs(prev - s[j]) <= 2 * tol) && !(std::abs(next - s[j]) <= 2 * tol);
            if (separated) {
                CHECK(got.indices(static_cast<Eigen::Index>(q), static_cast<Eigen::Index>(j)) == e.ids[q][j]);
                ++compared;
            }
        }
    }
    return compared;
}

template <class Scalar>
RowMatrix<Scalar> random_matrix(Eigen::Index rows, Eigen::Index cols, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    RowMatrix<Scalar> M(rows, cols);
    for (Eigen::Index r = 0; r < rows; ++r)
        for (Eigen::Index c = 0; c < cols; ++c) M(r, c) = static_cast<Scalar>(normal(rng));
    return M;
}

}  // namespace

TEST_CASE_TEMPLATE("top_k equals brute force for every metric", Scalar, float, double) {
    const double tol = std::is_same_v<Scalar, float> ? 2e-5 : 1e-12;
    // Dimensions around the vector widths and item counts around the panel width.
    for (const Eigen::Index d : {1, 3, 13, 64}) {
        for (const Eigen::Index n : {17, 40, 301}) {
            CAPTURE(d);
            CAPTURE(n);
            const auto X = random_matrix<Scalar>(n, d, static_cast<unsigned>(7 * d + n));
            const auto Q = random_matrix<Scalar>(23, d, static_cast<unsigned>(11 * d + n));
            for (const Metric metric : {Metric::cosine, Metric::inner_product, Metric::euclidean}) {
                CAPTURE(static_cast<int>(metric));
                TopKOptions o;
                o.metric = metric;
                const std::size_t k = std::min<std::size_t>(10, static_cast<std::size_t>(n));
                const std::size_t c1 = check_against(musiclab::recommend::top_k(Q, X, k, o), brute_force(Q, X, k, metric, false), k, tol);
                o.exclude_self = true;
                const std::size_t k2 = std::min<std::size_t>(10, static_cast<std::size_t>(n) - 1);
                const std::size_t c2 = check_against(musiclab::recommend::top_k(X, X, k2, o), brute_force(X, X, k2, metric, true), k2, tol);
                if (d > 1 || metric != Metric::cosine) CHECK(c1 + c2 > 0);  // in 1-d every cosine is +-1
            }
        }
    }
}

TEST_CASE("top_k breaks ties by item index and does not depend on the thread count") {
    // Small integer coordinates: many exactly equal inner products and distances.
    std::mt19937_64 rng(3);
    RowMatrix<double> X(500, 3);
    for (Eigen::Index r = 0; r < X.rows(); ++r)
        for (Eigen::Index c = 0; c < X.cols(); ++c) X(r, c) = static_cast<double>(rng() % 3);
    for (const Metric metric : {Metric::inner_product, Metric::euclidean}) {
        TopKOptions o;
        o.metric = metric;
        const auto got = musiclab::recommend::top_k(X, X, 25, o);
        const auto e = brute_force(X, X, 25, metric, false);
        for (std::size_t q = 0; q < e.ids.size(); ++q)
            for (std::size_t j = 0; j < 25; ++j) {
                REQUIRE(got.indices(static_cast<Eigen::Index>(q), static_cast<Eigen::Index>(j)) == e.ids[q][j]);
                REQUIRE(got.scores(static_cast<Eigen::Index>(q), static_cast<Eigen::Index>(j)) == static_cast<double>(e.scores[q][j]));
            }
        for (const int threads : {2, 3, 0}) {
            o.num_threads = threads;
            const auto again = musiclab::recommend::top_k(X, X, 25, o);
            CHECK(again.indices == got.indices);
            CHECK(again.scores == got.scores);
        }
    }
}

TEST_CASE("top_k candidate restrictions: mask and groups") {
    const auto X = random_matrix<double>(200, 8, 5);
    std::vector<std::uint8_t> mask(200);
    std::vector<std::int32_t> groups(200);
    for (std::size_t i = 0; i < 200; ++i) {
        mask[i] = i % 3 != 0;
        groups[i] = static_cast<std::int32_t>(i % 20 == 0 ? 100 : i % 4);  // group 100: 10 items, 6 unmasked
    }
    TopKOptions o;
    o.exclude_self = true;
    o.item_mask = mask;
    CHECK(check_against(musiclab::recommend::top_k(X, X, 10, o), brute_force(X, X, 10, Metric::cosine, true, mask), 10, 1e-12) > 0);
    o.item_groups = groups;
    o.query_groups = groups;
    // k = 12 exceeds the candidates of group 100 (6 unmasked items): padded.
    const auto got = musiclab::recommend::top_k(X, X, 12, o);
    CHECK(check_against(got, brute_force(X, X, 12, Metric::cosine, true, mask, groups, groups), 12, 1e-12) > 0);
    CHECK((got.indices.array() == -1).any());
}

TEST_CASE("top_k cosine gives zero vectors similarity 0") {
    RowMatrix<double> X(3, 2);
    X << 0, 0, 1, 0, 0, 2;
    const auto got = musiclab::recommend::top_k(X, X, 3);
    CHECK(got.indices(0, 0) == 0);  // all three tie at 0: index order
    CHECK(got.indices(0, 1) == 1);
    CHECK(got.scores(0, 0) == 0.0);
    CHECK(got.indices(1, 0) == 1);
    CHECK(got.scores(1, 0) == doctest::Approx(1.0));
    CHECK(got.scores(1, 1) == 0.0);
}

TEST_CASE("top_k on standardized Spotify audio features equals brute force") {
    const auto csv = musiclab::test::shared_dir() / "data/spotify_tracks_114k/spotify_tracks.csv";
    MUSICLAB_REQUIRE_PATH(csv);
    musiclab::io::CsvOptions opts;
    opts.max_rows = 2000;
    const auto table = musiclab::io::read_csv(csv, opts);
    const std::vector<std::string> cols{"danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
                                        "instrumentalness", "liveness", "valence", "tempo", "time_signature", "duration_ms"};
    RowMatrix<double> X(static_cast<Eigen::Index>(table.rows()), static_cast<Eigen::Index>(cols.size()));
    for (std::size_t c = 0; c < cols.size(); ++c) {
        const auto& col = table.numeric(cols[c]);
        for (std::size_t r = 0; r < table.rows(); ++r) X(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = col[r];
    }
    const Eigen::RowVectorXd mean = X.colwise().mean();
    X.rowwise() -= mean;
    const Eigen::RowVectorXd sd = (X.array().square().colwise().sum() / static_cast<double>(X.rows())).sqrt();
    X.array().rowwise() /= sd.array();
    TopKOptions o;
    o.exclude_self = true;
    o.num_threads = 2;
    RowMatrix<float> Xf = X.cast<float>();
    const auto e = brute_force(X, X, 10, Metric::cosine, true);
    CHECK(check_against(musiclab::recommend::top_k(X, X, 10, o), e, 10, 1e-12) > 15000);  // of 20,000: most are tie-free
    CHECK(check_against(musiclab::recommend::top_k(Xf, Xf, 10, o), brute_force(Xf, Xf, 10, Metric::cosine, true), 10, 2e-5) > 15000);
}

TEST_CASE("top_k bad input gives clear errors") {
    const auto X = random_matrix<double>(5, 3, 1);
    const auto Q = random_matrix<double>(2, 4, 1);
    CHECK_THROWS_AS(musiclab::recommend::top_k(X, X, 0), musiclab::invalid_parameter);
    CHECK_THROWS_AS(musiclab::recommend::top_k(X, X, 6), musiclab::invalid_parameter);
    TopKOptions self;
    self.exclude_self = true;
    CHECK_THROWS_AS(musiclab::recommend::top_k(X, X, 5, self), musiclab::invalid_parameter);
    CHECK_THROWS_AS(musiclab::recommend::top_k(Q, X, 2), musiclab::shape_mismatch);
    CHECK_THROWS_AS(musiclab::recommend::top_k(X.topRows(2), X, 2, self), musiclab::shape_mismatch);
    auto bad = X;
    bad(3, 1) = std::nan("");
    try {
        (void)musiclab::recommend::top_k(bad, X, 2);
        FAIL("expected invalid_parameter");
    } catch (const musiclab::invalid_parameter& e) {
        CHECK(std::string(e.what()).find("row 3, column 1") != std::string::npos);
    }
    TopKOptions o;
    const std::vector<std::uint8_t> short_mask(4, 1);
    o.item_mask = short_mask;
    CHECK_THROWS_AS(musiclab::recommend::top_k(X, X, 2, o), musiclab::shape_mismatch);
    TopKOptions g;
    const std::vector<std::int32_t> groups(5, 0);
    g.item_groups = groups;
    CHECK_THROWS_AS(musiclab::recommend::top_k(X, X, 2, g), musiclab::invalid_parameter);
}
