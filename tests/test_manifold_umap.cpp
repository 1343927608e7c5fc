// Tests of musiclab/manifold/umap.hpp: find_ab_params against umap-learn 0.5.3 on every row of
// ../shared/reference/umap/find_ab_params.tsv (1e-4 relative, the reference README's tolerance;
// the issue asks 1e-3), trustworthiness@15 within 0.01 of umap-learn's mean on every input of
// trustworthiness_summary.tsv (same seeds 0, 1, 2; inputs built as the README describes),
// smooth_knn_dist hand-checked, reproducibility, transform, multi-threaded mode and bad input.
// The audio20k inputs run in tests/test_manifold_umap_audio.cpp. Under AddressSanitizer the digits
// parity runs seed 0 only (each fit is ~20x slower there; the release run covers all three seeds).
#include <doctest/doctest.h>
#include <musiclab/core.hpp>
#include <musiclab/io/csv.hpp>
#include <musiclab/manifold.hpp>
#include <musiclab/metrics/embedding.hpp>

#include "support.hpp"
#include "umap_inputs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define MUSICLAB_UMAP_TEST_SANITIZED 1
#else
#define MUSICLAB_UMAP_TEST_SANITIZED 0
#endif

namespace {

using namespace musiclab::test::umap_inputs;

}  // namespace

using musiclab::manifold::UmapOptions;

TEST_CASE("find_ab_params equals umap-learn on every reference row") {
    const auto path = umap_reference() / "find_ab_params.tsv";
    MUSICLAB_REQUIRE_PATH(path);
    const auto rows = read_tsv(path);
    REQUIRE(rows.size() >= 2);
    REQUIRE(rows[0] == std::vector<std::string>{"spread", "min_dist", "a", "b"});
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const double spread = std::stod(rows[r][0]), min_dist = std::stod(rows[r][1]);
        const auto [a, b] = musiclab::manifold::find_ab_params(spread, min_dist);
        CAPTURE(spread);
        CAPTURE(min_dist);
        CHECK(a == doctest::Approx(std::stod(rows[r][2])).epsilon(1e-4));
        CHECK(b == doctest::Approx(std::stod(rows[r][3])).epsilon(1e-4));
    }
}

TEST_CASE("smooth_knn_dist hand-worked") {
    // one point, distances 0 (itself), 1, 2, 3: rho = 1 (first non-zero), sigma solves
    // 1 + exp(-1/s) + exp(-2/s) = log2(4) = 2
    const std::vector<double> d = {0.0, 1.0, 2.0, 3.0};
    std::vector<double> rho, sigma;
    musiclab::manifold::smooth_knn_dist(d.data(), 1, 4, 4.0, 1.0, rho, sigma);
    CHECK(rho[0] == 1.0);
    const double s = sigma[0];
    CHECK(1.0 + std::exp(-1.0 / s) + std::exp(-2.0 / s) == doctest::Approx(2.0).epsilon(1e-4));
    // local_connectivity 1.5 interpolates rho between the first two non-zero distances
    musiclab::manifold::smooth_knn_dist(d.data(), 1, 4, 4.0, 1.5, rho, sigma);
    CHECK(rho[0] == doctest::Approx(1.5));
}

TEST_CASE("trustworthiness@15 within 0.01 of umap-learn on every reference input except audio20k") {
    const auto summary = umap_reference() / "trustworthiness_summary.tsv";
    MUSICLAB_REQUIRE_PATH(summary);
    const auto rows = read_tsv(summary);
    REQUIRE(rows.size() >= 2);
    REQUIRE(rows[0][0] == "input_nc");
    REQUIRE(rows[0][3] == "trust_mean");
    std::map<std::string, Dataset> inputs;
    std::size_t checked = 0;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const std::string& name = rows[r][0];
        const auto cut = name.rfind("_nc");
        REQUIRE(cut != std::string::npos);
        const std::string input = name.substr(0, cut);
        const auto nc = static_cast<std::size_t>(std::stoul(name.substr(cut + 3)));
        const double peer = std::stod(rows[r][3]);
        std::vector<std::size_t> subset;
        if (input == "digits") {
            MUSICLAB_REQUIRE_PATH(digits_csv());
            if (!inputs.count(input)) inputs[input] = load_digits();
        } else if (input == "audio20k") {
            continue;  // tests/test_manifold_umap_audio.cpp (keeps each executable under 30 s)
            MUSICLAB_REQUIRE_PATH(spotify_csv());
            if (!inputs.count(input)) inputs[input] = load_spotify(audio9_columns(), read_indices(umap_reference() / "audio20k_rows.txt"));
            subset = read_indices(umap_reference() / "audio20k_trust_subsample.txt");
        } else {
            FAIL("unknown reference input " << input << " (add its loader)");
        }
        const Dataset& d = inputs[input];
        REQUIRE(d.n == static_cast<std::size_t>(std::stoul(rows[r][1])));
        REQUIRE(d.dim == static_cast<std::size_t>(std::stoul(rows[r][2])));
        double sum = 0.0;
        const int seeds = MUSICLAB_UMAP_TEST_SANITIZED ? 1 : 3;
        for (int seed = 0; seed < seeds; ++seed) {
            UmapOptions o;
            o.n_components = static_cast<int>(nc);
            o.seed = static_cast<std::uint64_t>(seed);
            o.num_threads = 1;
            const auto model = musiclab::manifold::fit_umap(d.x.data(), d.n, d.dim, o);
            sum += trust15(d, model.embedding(), nc, subset);
        }
        const double mean = sum / seeds;
        MESSAGE(name << ": musiclab trustworthiness@15 " << mean << " vs umap-learn " << peer);
        CHECK(std::fabs(mean - peer) <= 0.01);
        ++checked;
    }
    CHECK(checked > 0);
}

TEST_CASE("same seed and one thread give bit-identical embeddings; other seeds differ") {
    musiclab::Rng rng(1);
    const std::size_t n = 600, d = 5;
    std::vector<double> x(n * d);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < d; ++j) x[i * d + j] = rng.normal() + (i % 3 == 0 ? 6.0 : 0.0) * static_cast<double>(j == 0);
    UmapOptions o;
    o.n_epochs = 100;
    o.seed = 5;
    const auto a = musiclab::manifold::fit_umap(x.data(), n, d, o);
    const auto b = musiclab::manifold::fit_umap(x.data(), n, d, o);
    CHECK(a.embedding() == b.embedding());
    o.seed = 6;
    const auto c = musiclab::manifold::fit_umap(x.data(), n, d, o);
    CHECK(a.embedding() != c.embedding());
    // the NN-descent path (forced by the threshold) is reproducible too
    o.exact_threshold = 10;
    const auto e1 = musiclab::manifold::fit_umap(x.data(), n, d, o);
    const auto e2 = musiclab::manifold::fit_umap(x.data(), n, d, o);
    CHECK_FALSE(e1.info().exact_knn);
    CHECK(e1.embedding() == e2.embedding());
}

TEST_CASE("transform places held-out digits beside their class") {
    MUSICLAB_REQUIRE_PATH(digits_csv());
    const Dataset d = load_digits();
    const std::size_t n_train = 1500, n_new = d.n - n_train;
    UmapOptions o;
    o.seed = 1;
    o.n_epochs = MUSICLAB_UMAP_TEST_SANITIZED ? 100 : 300;
    const auto model = musiclab::manifold::fit_umap(d.x.data(), n_train, d.dim, o);
    const auto e = model.transform(d.x.data() + n_train * d.dim, n_new);
    REQUIRE(e.size() == n_new * 2);
    std::size_t agree = 0;
    for (std::size_t i = 0; i < n_new; ++i) {
        REQUIRE(std::isfinite(e[i * 2]));
        double best = 1e300;
        std::size_t arg = 0;
        for (std::size_t t = 0; t < n_train; ++t) {
            const double dx = e[i * 2] - model.embedding(t, 0), dy = e[i * 2 + 1] - model.embedding(t, 1);
            if (dx * dx + dy * dy < best) {
                best = dx * dx + dy * dy;
                arg = t;
            }
        }
        agree += d.labels[n_train + i] == d.labels[arg] ? 1 : 0;
    }
    const double acc = static_cast<double>(agree) / static_cast<double>(n_new);
    MESSAGE("transform: 1-NN label agreement of held-out digits in the embedding " << acc);
    CHECK(acc >= 0.85);
}

TEST_CASE("multi-threaded mode, other metrics and inits run and keep quality") {
    MUSICLAB_REQUIRE_PATH(digits_csv());
    const Dataset d = load_digits();
    for (int variant = 0; variant < 4; ++variant) {
        UmapOptions o;
        o.seed = 2;
        o.n_epochs = MUSICLAB_UMAP_TEST_SANITIZED ? 60 : 200;
        if (variant == 0) o.num_threads = 2;
        if (variant == 1) o.metric = musiclab::neighbors::Metric::cosine;
        if (variant == 2) o.init = musiclab::manifold::UmapInit::random;
        if (variant == 3) {
            o.metric = musiclab::neighbors::Metric::manhattan;
            o.init = musiclab::manifold::UmapInit::given;
            musiclab::Rng rng(3);
            o.init_coordinates.resize(d.n * 2);
            for (double& v : o.init_coordinates) v = rng.normal();
        }
        const auto m = musiclab::manifold::fit_umap(d.x.data(), d.n, d.dim, o);
        const double t = trust15(d, m.embedding(), 2, {});
        MESSAGE("variant " << variant << " trustworthiness@15 " << t);
        CHECK(t >= 0.95);
    }
}

TEST_CASE("a disconnected graph: components laid out apart as umap-learn's multi_component_layout") {
    // blobs 1,000 apart with n_neighbors 10: the fuzzy graph has one component per blob. Checked
    // for 3 blobs (meta positions +-unit vectors, count <= 2 n_components) and 7 blobs in 2-D
    // (count > 2 n_components: meta positions from the spectral embedding of the blob centroids).
    for (const std::size_t blobs : {std::size_t{3}, std::size_t{7}}) {
        CAPTURE(blobs);
        musiclab::Rng rng(11);
        const std::size_t per = 80, d = 5, n = blobs * per;
        std::vector<double> x(n * d);
        std::vector<int> label(n);
        for (std::size_t i = 0; i < n; ++i) {
            label[i] = static_cast<int>(i % blobs);
            for (std::size_t j = 0; j < d; ++j) x[i * d + j] = rng.normal() + (j == static_cast<std::size_t>(label[i]) % d ? 1000.0 * (1 + label[i] / d) : 0.0);
        }
        UmapOptions o;
        o.n_neighbors = 10;
        o.n_epochs = 100;
        o.num_threads = 1;
        const auto m = musiclab::manifold::fit_umap(x.data(), n, d, o);
        CHECK(m.info().n_components_graph == blobs);
        CHECK_FALSE(m.info().spectral_fallback);
        // every point's 5 nearest embedded neighbours are of its own blob
        std::size_t foreign = 0;
        for (std::size_t i = 0; i < n; ++i) {
            std::vector<std::pair<double, std::size_t>> dist;
            for (std::size_t j = 0; j < n; ++j) {
                if (j == i) continue;
                const double dx = m.embedding(i, 0) - m.embedding(j, 0), dy = m.embedding(i, 1) - m.embedding(j, 1);
                dist.emplace_back(dx * dx + dy * dy, j);
            }
            std::partial_sort(dist.begin(), dist.begin() + 5, dist.end());
            for (std::size_t r = 0; r < 5; ++r) foreign += label[dist[r].second] != label[i];
        }
        CHECK(foreign == 0);
        const auto again = musiclab::manifold::fit_umap(x.data(), n, d, o);
        CHECK(again.embedding() == m.embedding());
    }
}

TEST_CASE("umap bad input") {
    musiclab::Rng rng(4);
    const std::size_t n = 40, d = 3;
    std::vector<double> x(n * d);
    for (double& v : x) v = rng.normal();
    UmapOptions o;
    o.n_neighbors = 40;  // >= n
    CHECK_THROWS_AS(musiclab::manifold::fit_umap(x.data(), n, d, o), musiclab::invalid_parameter);
    o.n_neighbors = 5;
    o.n_components = 40;  // >= n
    CHECK_THROWS_AS(musiclab::manifold::fit_umap(x.data(), n, d, o), musiclab::invalid_parameter);
    o.n_components = 38;  // too many for the spectral layout: documented fallback to random
    o.n_epochs = 20;
    const auto big = musiclab::manifold::fit_umap(x.data(), n, d, o);
    CHECK(big.info().spectral_fallback);
    o.n_components = 2;
    o.min_dist = 2.0;  // > spread
    CHECK_THROWS_AS(musiclab::manifold::fit_umap(x.data(), n, d, o), musiclab::invalid_parameter);
    o.min_dist = 0.1;
    o.set_op_mix_ratio = 1.5;
    CHECK_THROWS_AS(musiclab::manifold::fit_umap(x.data(), n, d, o), musiclab::invalid_parameter);
    o.set_op_mix_ratio = 1.0;
    o.init = musiclab::manifold::UmapInit::given;
    o.init_coordinates.assign(10, 0.0);
    CHECK_THROWS_AS(musiclab::manifold::fit_umap(x.data(), n, d, o), musiclab::shape_mismatch);
    o.init = musiclab::manifold::UmapInit::spectral;
    x[7 * d + 2] = std::nan("");
    try {
        (void)musiclab::manifold::fit_umap(x.data(), n, d, o);
        FAIL("expected invalid_parameter");
    } catch (const musiclab::invalid_parameter& e) {
        CHECK(std::string(e.what()).find("row 7 column 2") != std::string::npos);
    }
    // many duplicate points: 300 of 400 identical -> finite embedding, duplicates together
    std::vector<double> dup(400 * d, 0.5);
    for (std::size_t i = 300; i < 400; ++i)
        for (std::size_t j = 0; j < d; ++j) dup[i * d + j] = rng.normal() * 3.0;
    o.n_epochs = 50;
    for (int threads : {1, 2}) {
        o.num_threads = threads;
        const auto m = musiclab::manifold::fit_umap(dup.data(), 400, d, o);
        for (double v : m.embedding()) REQUIRE(std::isfinite(v));
        const auto t = m.transform(dup.data(), 5);
        for (double v : t) REQUIRE(std::isfinite(v));
    }
}
