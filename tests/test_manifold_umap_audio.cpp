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

// Inputs of ../shared/reference/umap (see its README section 7): sklearn digits (read from the
// Debian scikit-learn data file) and the standardized Spotify audio features of audio20k_rows.txt.
struct Dataset {
    std::size_t n = 0, dim = 0;
    std::vector<double> x;       // row-major
    std::vector<int> labels;     // digits only
};

inline std::filesystem::path digits_csv() { return "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"; }

inline Dataset load_digits() {
    Dataset d;
    const std::string cmd = std::string("gzip -dc '") += digits_csv().string() += "'";
    std::FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string all;
    char buf[65536];
    std::size_t got = 0;
    while ((got = std::fread(buf, 1, sizeof buf, p)) > 0) all.append(buf, got);
    REQUIRE(pclose(p) == 0);
    std::istringstream in(all);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::vector<double> v;
        std::istringstream ls(line);
        std::string f;
        while (std::getline(ls, f, ',')) v.push_back(std::stod(f));
        REQUIRE(v.size() == 65);
        d.x.insert(d.x.end(), v.begin(), v.end() - 1);
        d.labels.push_back(static_cast<int>(v.back()));
    }
    d.dim = 64;
    d.n = d.labels.size();
    return d;
}

inline std::filesystem::path spotify_csv() { return musiclab::test::shared_dir() / "data/spotify_tracks_114k/spotify_tracks.csv"; }
inline std::filesystem::path umap_reference() { return musiclab::test::shared_dir() / "reference/umap"; }

inline std::vector<std::size_t> read_indices(const std::filesystem::path& p) {
    std::ifstream in(p);
    REQUIRE_MESSAGE(in.good(), "cannot read " << p);
    std::vector<std::size_t> out;
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(std::stoul(line));
    return out;
}

/// The given Spotify columns of the given data rows (all rows when `rows` is empty), z-scored
/// over those rows with the population standard deviation.
inline Dataset load_spotify(const std::vector<std::string>& columns, const std::vector<std::size_t>& rows) {
    musiclab::io::CsvOptions o;
    o.columns = columns;
    for (const auto& c : columns) o.types.push_back({c, musiclab::io::ColumnType::number});
    const auto table = musiclab::io::read_csv(spotify_csv(), o);
    Dataset d;
    d.dim = columns.size();
    std::vector<std::size_t> r = rows;
    if (r.empty()) {
        r.resize(table.numeric(columns[0]).size());
        for (std::size_t i = 0; i < r.size(); ++i) r[i] = i;
    }
    d.n = r.size();
    d.x.resize(d.n * d.dim);
    for (std::size_t c = 0; c < d.dim; ++c) {
        const auto& col = table.numeric(columns[c]);
        double mean = 0.0;
        for (std::size_t i = 0; i < d.n; ++i) mean += col[r[i]];
        mean /= static_cast<double>(d.n);
        double var = 0.0;
        for (std::size_t i = 0; i < d.n; ++i) var += (col[r[i]] - mean) * (col[r[i]] - mean);
        const double sd = std::sqrt(var / static_cast<double>(d.n));
        for (std::size_t i = 0; i < d.n; ++i) d.x[i * d.dim + c] = (col[r[i]] - mean) / sd;
    }
    return d;
}

inline const std::vector<std::string>& audio9_columns() {
    static const std::vector<std::string> c = {"danceability", "energy", "loudness", "speechiness", "acousticness",
                                               "instrumentalness", "liveness", "valence", "tempo"};
    return c;
}

std::vector<std::vector<std::string>> read_tsv(const std::filesystem::path& p) {
    std::ifstream in(p);
    REQUIRE_MESSAGE(in.good(), "cannot read " << p);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) rows.push_back(musiclab::test::split_tabs(line));
    return rows;
}

double trust15(const Dataset& d, const std::vector<double>& emb, std::size_t nc, const std::vector<std::size_t>& subset) {
    const std::size_t m = subset.empty() ? d.n : subset.size();
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> X(m, d.dim), E(m, nc);
    for (std::size_t r = 0; r < m; ++r) {
        const std::size_t i = subset.empty() ? r : subset[r];
        for (std::size_t c = 0; c < d.dim; ++c) X(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = d.x[i * d.dim + c];
        for (std::size_t c = 0; c < nc; ++c) E(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = emb[i * nc + c];
    }
    musiclab::metrics::TrustworthinessOptions o;
    o.n_neighbors = 15;
    o.num_threads = 2;
    return musiclab::metrics::trustworthiness(X, E, o);
}

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

