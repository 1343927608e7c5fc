// Inputs of the UMAP / neighbours parity tests: sklearn digits (read from the Debian scikit-learn
// data file; tests skip without it) and standardized Spotify audio features (../shared), the
// reference TSVs of ../shared/reference/umap, and trustworthiness@15 of an embedding. Shared by
// tests/test_manifold_umap*.cpp and tests/test_neighbors_knn.cpp.
#pragma once

#include <doctest/doctest.h>
#include <musiclab/io/csv.hpp>
#include <musiclab/metrics/embedding.hpp>

#include "support.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace musiclab::test::umap_inputs {

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

inline std::vector<std::vector<std::string>> read_tsv(const std::filesystem::path& p) {
    std::ifstream in(p);
    REQUIRE_MESSAGE(in.good(), "cannot read " << p);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) rows.push_back(musiclab::test::split_tabs(line));
    return rows;
}

inline double trust15(const Dataset& d, const std::vector<double>& emb, std::size_t nc, const std::vector<std::size_t>& subset) {
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


}  // namespace musiclab::test::umap_inputs
