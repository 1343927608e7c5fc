// Tests of musiclab/neighbors: exact k-NN against brute force in every metric (hand-checkable
// small cases), NN-descent recall against the exact neighbours on real data (standardized Spotify
// audio features, the 20,000 rows of ../shared/reference/umap/audio20k_rows.txt), thread-count
// independence and bad input.
#include <doctest/doctest.h>
#include <musiclab/core.hpp>
#include <musiclab/io/csv.hpp>
#include <musiclab/neighbors.hpp>

#include "support.hpp"
#include "umap_inputs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace musiclab::test::umap_inputs;

using musiclab::neighbors::Metric;

double brute_distance(const double* a, const double* b, std::size_t d, Metric m) {
    if (m == Metric::euclidean || m == Metric::manhattan) {
        double s = 0.0;
        for (std::size_t j = 0; j < d; ++j) s += m == Metric::euclidean ? (a[j] - b[j]) * (a[j] - b[j]) : std::fabs(a[j] - b[j]);
        return m == Metric::euclidean ? std::sqrt(s) : s;
    }
    double ma = 0.0, mb = 0.0;
    if (m == Metric::correlation) {
        for (std::size_t j = 0; j < d; ++j) {
            ma += a[j];
            mb += b[j];
        }
        ma /= static_cast<double>(d);
        mb /= static_cast<double>(d);
    }
    double dot = 0.0, na = 0.0, nb = 0.0;
    for (std::size_t j = 0; j < d; ++j) {
        dot += (a[j] - ma) * (b[j] - mb);
        na += (a[j] - ma) * (a[j] - ma);
        nb += (b[j] - mb) * (b[j] - mb);
    }
    return 1.0 - dot / std::sqrt(na * nb);
}

}  // namespace

TEST_CASE("exact_knn equals brute force in every metric") {
    musiclab::Rng rng(7);
    const std::size_t n = 400, d = 6, k = 8;
    std::vector<double> x(n * d);
    for (double& v : x) v = rng.normal();
    for (Metric m : {Metric::euclidean, Metric::manhattan, Metric::cosine, Metric::correlation}) {
        musiclab::neighbors::KnnOptions o;
        o.n_neighbors = k;
        o.metric = m;
        const auto g = musiclab::neighbors::exact_knn(x.data(), n, d, o);
        o.num_threads = 2;
        const auto g2 = musiclab::neighbors::exact_knn(x.data(), n, d, o);
        CHECK(g.indices == g2.indices);
        CHECK(g.distances == g2.distances);
        std::size_t mismatches = 0;
        for (std::size_t i = 0; i < n; ++i) {
            std::vector<std::pair<double, std::int32_t>> all;
            for (std::size_t j = 0; j < n; ++j)
                all.emplace_back(i == j ? 0.0 : brute_distance(&x[i * d], &x[j * d], d, m), static_cast<std::int32_t>(j));
            std::sort(all.begin(), all.end());
            CHECK(g.index(i, 0) == static_cast<std::int32_t>(i));
            for (std::size_t j = 0; j < k; ++j) {
                if (g.index(i, j) != all[j].second) ++mismatches;
                CHECK(g.distance(i, j) == doctest::Approx(all[j].first).epsilon(1e-9));
            }
        }
        CHECK(mismatches == 0);
    }
}

TEST_CASE("exact_knn of separate queries and hand-worked distances") {
    const std::vector<double> data = {0, 0, 1, 0, 0, 2, 5, 5};
    const std::vector<double> q = {0.9, 0.1};
    musiclab::neighbors::KnnOptions o;
    o.n_neighbors = 2;
    const auto g = musiclab::neighbors::exact_knn(data.data(), 4, 2, q.data(), 1, o);
    CHECK(g.index(0, 0) == 1);
    CHECK(g.index(0, 1) == 0);
    CHECK(g.distance(0, 0) == doctest::Approx(std::sqrt(0.02)));
    CHECK(g.distance(0, 1) == doctest::Approx(std::sqrt(0.82)));
    o.metric = Metric::manhattan;
    const auto h = musiclab::neighbors::exact_knn(data.data(), 4, 2, q.data(), 1, o);
    CHECK(h.distance(0, 0) == doctest::Approx(0.2));
    CHECK(h.distance(0, 1) == doctest::Approx(1.0));
}

TEST_CASE("nn_descent recall against exact neighbours on the Spotify audio features") {
    MUSICLAB_REQUIRE_PATH(spotify_csv());
    MUSICLAB_REQUIRE_PATH(umap_reference() / "audio20k_rows.txt");
    const Dataset d = load_spotify(audio9_columns(), read_indices(umap_reference() / "audio20k_rows.txt"));
    REQUIRE(d.n == 20000);
    musiclab::neighbors::KnnOptions eo;
    eo.n_neighbors = 15;
    eo.num_threads = 2;
    const auto exact = musiclab::neighbors::exact_knn(d.x.data(), d.n, d.dim, eo);
    musiclab::neighbors::NnDescentOptions no;
    no.n_neighbors = 15;
    no.seed = 3;
    no.num_threads = 1;
    const auto approx = musiclab::neighbors::nn_descent(d.x.data(), d.n, d.dim, no);
    const double recall = musiclab::neighbors::knn_recall(approx, exact);
    MESSAGE("NN-descent recall@15 on audio20k (euclidean): " << recall);
    CHECK(recall >= 0.95);  // the bound
    no.num_threads = 2;
    const auto approx2 = musiclab::neighbors::nn_descent(d.x.data(), d.n, d.dim, no);
    CHECK(approx2.indices == approx.indices);  // independent of the thread count
    CHECK(approx2.distances == approx.distances);
    for (std::size_t i = 0; i < d.n; ++i)
        for (std::size_t j = 1; j < 15; ++j) REQUIRE(approx.distance(i, j - 1) <= approx.distance(i, j));
    // cosine too
    eo.metric = Metric::cosine;
    no.metric = Metric::cosine;
    const double rc = musiclab::neighbors::knn_recall(musiclab::neighbors::nn_descent(d.x.data(), d.n, d.dim, no),
                                                      musiclab::neighbors::exact_knn(d.x.data(), d.n, d.dim, eo));
    MESSAGE("NN-descent recall@15 on audio20k (cosine): " << rc);
    CHECK(rc >= 0.95);
}

TEST_CASE("nn_descent on small inputs and duplicates") {
    std::vector<double> x(50 * 2, 1.0);  // 50 identical points
    for (std::size_t i = 40; i < 50; ++i) x[i * 2] = static_cast<double>(i);
    musiclab::neighbors::NnDescentOptions no;
    no.n_neighbors = 10;
    const auto g = musiclab::neighbors::nn_descent(x.data(), 50, 2, no);
    for (std::size_t i = 0; i < 50; ++i) {
        std::vector<std::int32_t> row(g.indices.begin() + static_cast<std::ptrdiff_t>(i * 10), g.indices.begin() + static_cast<std::ptrdiff_t>(i * 10 + 10));
        std::sort(row.begin(), row.end());
        CHECK(std::adjacent_find(row.begin(), row.end()) == row.end());  // distinct
        CHECK(row.front() >= 0);
        if (i < 40) CHECK(g.distance(i, 9) == 0.0);  // ten duplicates at distance 0
    }
}

TEST_CASE("neighbors bad input") {
    std::vector<double> x = {0, 0, 1, 1, 2, 2};
    musiclab::neighbors::KnnOptions o;
    o.n_neighbors = 4;
    CHECK_THROWS_AS(musiclab::neighbors::exact_knn(x.data(), 3, 2, o), musiclab::invalid_parameter);
    o.n_neighbors = 0;
    CHECK_THROWS_AS(musiclab::neighbors::exact_knn(x.data(), 3, 2, o), musiclab::invalid_parameter);
    musiclab::neighbors::NnDescentOptions no;
    no.n_neighbors = 4;
    CHECK_THROWS_AS(musiclab::neighbors::nn_descent(x.data(), 3, 2, no), musiclab::invalid_parameter);
    x[3] = std::nan("");
    o.n_neighbors = 2;
    try {
        (void)musiclab::neighbors::exact_knn(x.data(), 3, 2, o);
        FAIL("expected invalid_parameter");
    } catch (const musiclab::invalid_parameter& e) {
        CHECK(std::string(e.what()).find("row 1 column 1") != std::string::npos);
    }
    CHECK_THROWS_AS((void)musiclab::neighbors::metric_from_name("hamming"), musiclab::invalid_parameter);
    CHECK(musiclab::neighbors::metric_from_name("cosine") == Metric::cosine);
}
