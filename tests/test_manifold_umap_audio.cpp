// Trustworthiness parity of musiclab/manifold/umap.hpp with umap-learn 0.5.3 on the audio20k
// inputs of ../shared/reference/umap/trustworthiness_summary.tsv (20,000 standardized Spotify
// tracks; this file n_components 2, tests/test_manifold_umap_audio_nc3.cpp includes it for 3; seeds 0, 1, 2, mean within 0.01 of umap-learn's mean); the other
// inputs are in tests/test_manifold_umap.cpp. The fits use num_threads = 2 (NN-descent and
// Hogwild SGD, the benchmarked mode) to keep this executable under 30 s.
// Under AddressSanitizer the trustworthiness parity runs seed 0 only and skips the 20,000-point
// inputs (each fit is ~20x slower there; the release run covers them); everything else runs.
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

#ifndef MUSICLAB_UMAP_AUDIO_NC
#define MUSICLAB_UMAP_AUDIO_NC 2
#endif

#if defined(__SANITIZE_ADDRESS__)
#define MUSICLAB_UMAP_TEST_SANITIZED 1
#else
#define MUSICLAB_UMAP_TEST_SANITIZED 0
#endif

namespace {

using namespace musiclab::test::umap_inputs;

}  // namespace

using musiclab::manifold::UmapOptions;

TEST_CASE("trustworthiness@15 within 0.01 of umap-learn on the audio20k reference inputs") {
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
        if (nc != MUSICLAB_UMAP_AUDIO_NC) continue;  // one n_components per executable (each under 30 s)
        std::vector<std::size_t> subset;
        if (input == "digits") {
            continue;  // tests/test_manifold_umap.cpp
        } else if (input == "audio20k") {
            if (MUSICLAB_UMAP_TEST_SANITIZED) {
                MESSAGE("skipped under AddressSanitizer: " << name);
                continue;
            }
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
            o.num_threads = 2;
            const auto model = musiclab::manifold::fit_umap(d.x.data(), d.n, d.dim, o);
            sum += trust15(d, model.embedding(), nc, subset);
        }
        const double mean = sum / seeds;
        MESSAGE(name << ": musiclab trustworthiness@15 " << mean << " vs umap-learn " << peer);
        CHECK(std::fabs(mean - peer) <= 0.01);
        ++checked;
    }
    if (!MUSICLAB_UMAP_TEST_SANITIZED) CHECK(checked > 0);
}

