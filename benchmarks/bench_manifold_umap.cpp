// Google Benchmarks of musiclab::manifold::fit_umap on the standardized Spotify audio features
// (../shared/peers/README.md section 3.2: the 13 columns below, the first n data rows of
// ../shared/data/spotify_tracks_114k/spotify_tracks.csv, z-scored over those rows with the
// population std like StandardScaler). Arguments: n, n_components, num_threads. Reading the CSV
// is not timed; one iteration = one fit (n_neighbors 15, everything else default, seed 42).
// Counter trust15_sub5000 = trustworthiness@15 on 5,000 random rows (musiclab Rng seed 0), the
// statistic ../shared/peers/bench_peers.py umap reports for umap-learn.
//
//   flock /tmp/musiclab-bench.lock ./build/release/benchmarks/bench_manifold_umap --benchmark_filter='n:100000'
//   peer: flock /tmp/musiclab-bench.lock /usr/bin/python3 ../shared/peers/bench_peers.py umap
//       --csv ../shared/data/spotify_tracks_114k/spotify_tracks.csv --cols <the 13 columns> --standardize
//       --n 100000 --n-components 3 --seed-umap 42 --threads 2   (benchmarks/peers/bench_umap_spotify.py
//   runs both interleaved, 3 rounds)
#include "bench_support.hpp"

#include <musiclab/core.hpp>
#include <musiclab/io.hpp>
#include <musiclab/manifold.hpp>
#include <musiclab/metrics/embedding.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace {

const std::vector<std::string>& audio13() {
    static const std::vector<std::string> c = {"danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
                                               "instrumentalness", "liveness", "valence", "tempo", "time_signature", "duration_ms"};
    return c;
}

/// The first n rows of the 13 audio columns, standardized over those rows (row-major).
const std::vector<double>& spotify_std(std::size_t n) {
    static std::map<std::size_t, std::vector<double>> cache;
    auto it = cache.find(n);
    if (it != cache.end()) return it->second;
    musiclab::io::CsvOptions o;
    o.columns = audio13();
    for (const auto& c : audio13()) o.types.push_back({c, musiclab::io::ColumnType::number});
    o.max_rows = n;
    const auto table = musiclab::io::read_csv(std::filesystem::path(MUSICLAB_SHARED_DIR) / "data/spotify_tracks_114k/spotify_tracks.csv", o);
    const std::size_t d = audio13().size();
    std::vector<double> x(n * d);
    for (std::size_t c = 0; c < d; ++c) {
        const auto& col = table.numeric(audio13()[c]);
        double mean = 0.0, var = 0.0;
        for (std::size_t i = 0; i < n; ++i) mean += col[i];
        mean /= static_cast<double>(n);
        for (std::size_t i = 0; i < n; ++i) var += (col[i] - mean) * (col[i] - mean);
        const double sd = std::sqrt(var / static_cast<double>(n));
        for (std::size_t i = 0; i < n; ++i) x[i * d + c] = sd > 0.0 ? (col[i] - mean) / sd : 0.0;
    }
    return cache.emplace(n, std::move(x)).first->second;
}

double trust_sub5000(const std::vector<double>& x, std::size_t n, std::size_t d, const std::vector<double>& e, std::size_t nc) {
    const std::size_t m = std::min<std::size_t>(5000, n);
    std::vector<std::size_t> idx(n);
    for (std::size_t i = 0; i < n; ++i) idx[i] = i;
    musiclab::Rng rng(0);
    for (std::size_t i = 0; i < m; ++i) std::swap(idx[i], idx[i + rng.below(n - i)]);
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> X(m, d), E(m, nc);
    for (std::size_t r = 0; r < m; ++r) {
        for (std::size_t c = 0; c < d; ++c) X(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = x[idx[r] * d + c];
        for (std::size_t c = 0; c < nc; ++c) E(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = e[idx[r] * nc + c];
    }
    musiclab::metrics::TrustworthinessOptions o;
    o.n_neighbors = 15;
    o.num_threads = 2;
    return musiclab::metrics::trustworthiness(X, E, o);
}

void BM_umap_fit_spotify(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& x = spotify_std(n);
    const std::size_t d = audio13().size();
    musiclab::manifold::UmapOptions o;
    o.n_components = static_cast<int>(state.range(1));
    o.num_threads = static_cast<int>(state.range(2));
    o.seed = 42;
    std::vector<double> emb;
    musiclab::manifold::UmapInfo info;
    for (auto _ : state) {
        auto model = musiclab::manifold::fit_umap(x.data(), n, d, o);
        emb = model.embedding();
        info = model.info();
        benchmark::DoNotOptimize(emb.data());
    }
    state.counters["spectral_fallback"] = info.spectral_fallback ? 1.0 : 0.0;
    state.counters["graph_components"] = static_cast<double>(info.n_components_graph);
    state.counters["n_epochs"] = info.n_epochs;
    state.counters["trust15_sub5000"] = trust_sub5000(x, n, d, emb, static_cast<std::size_t>(o.n_components));
}

}  // namespace

BENCHMARK(BM_umap_fit_spotify)
    ->ArgNames({"n", "nc", "threads"})
    ->Args({20000, 2, 1})
    ->Args({20000, 2, 2})
    ->Args({20000, 3, 2})
    ->Args({100000, 2, 2})
    ->Args({100000, 3, 1})
    ->Args({100000, 3, 2})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();
BENCHMARK_MAIN();
