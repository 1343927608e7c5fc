// Google Benchmarks of musiclab::io::read_csv. Bytes/s are the file's bytes per second of wall
// time, single-threaded. The peer (pandas.read_csv on the same files) is timed by
// benchmarks/peers/bench_io_pandas.py; docs/benchmarks.md has both side by side.
//
//   ./build/release/benchmarks/bench_io --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// The numeric file is written once, deterministically, to $MUSICLAB_BENCH_DIR (default /tmp):
// 1,000,000 rows of the 13 Spotify audio-feature columns formatted as in spotify_tracks.csv.
#include <musiclab/core.hpp>
#include <musiclab/io.hpp>

#include <benchmark/benchmark.h>

#include "bench_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

/// 1M rows x 13 numeric columns shaped like the Spotify audio features (about 100 MB).
std::filesystem::path numeric_file() {
    return musiclab::bench::generated_file("musiclab_bench_audio_1m.csv", [](std::FILE* f) {
    std::fputs("popularity,duration_ms,danceability,energy,key,loudness,mode,speechiness,acousticness,"
               "instrumentalness,liveness,valence,tempo\n", f);
    musiclab::Rng rng(7);
    for (int i = 0; i < 1000000; ++i) {
        const double instrumental = rng.below(3) == 0 ? 0.0 : rng.uniform() * rng.uniform() * 1e-3;
        std::fprintf(f, "%d,%d,%.3g,%.3g,%d,%.3f,%d,%.3g,%.3g,%.3g,%.3g,%.3g,%.3f\n",
                     static_cast<int>(rng.below(101)), 60000 + static_cast<int>(rng.below(300000)),
                     rng.uniform(), rng.uniform(), static_cast<int>(rng.below(12)), -30.0 * rng.uniform(),
                     static_cast<int>(rng.below(2)), 0.3 * rng.uniform() * rng.uniform(), rng.uniform(),
                     instrumental, rng.uniform(), rng.uniform(), 60.0 + 140.0 * rng.uniform());
    }
    });
}

void read_file(benchmark::State& state, const std::filesystem::path& path, const musiclab::io::CsvOptions& options) {
    const auto bytes = static_cast<std::int64_t>(std::filesystem::file_size(path));
    std::size_t rows = 0;
    for (auto _ : state) {
        const auto table = musiclab::io::read_csv(path, options);
        rows = table.rows();
        benchmark::DoNotOptimize(table);
    }
    state.SetBytesProcessed(state.iterations() * bytes);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
    state.counters["MB"] = static_cast<double>(bytes) / 1e6;
}

void BM_read_csv_numeric_typed(benchmark::State& state) {
    musiclab::io::CsvOptions o;
    o.default_type = musiclab::io::ColumnType::number;
    read_file(state, numeric_file(), o);
}

void BM_read_csv_numeric_automatic(benchmark::State& state) { read_file(state, numeric_file(), {}); }

void BM_read_csv_spotify_tracks(benchmark::State& state) {
    const auto path = std::filesystem::path(MUSICLAB_SHARED_DIR) / "data/spotify_tracks_114k/spotify_tracks.csv";
    if (!std::filesystem::exists(path)) {
        state.SkipWithError("shared data not found");
        return;
    }
    read_file(state, path, {});
}

}  // namespace

BENCHMARK(BM_read_csv_numeric_typed)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_read_csv_numeric_automatic)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_read_csv_spotify_tracks)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
