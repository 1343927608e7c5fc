// Google Benchmarks of musiclab::encode target encoding: 1,000,000 rows x 3 categorical columns
// (artist: Zipf over 30,000 names; album: 200,000 names; genre: 114 names), target = popularity.
// items/s are encoded cells (rows x columns) per second of wall time. The peer (pandas groupby on
// the same file) is timed by benchmarks/peers/bench_encode_pandas.py; docs/benchmarks.md has both.
//
//   ./build/release/benchmarks/bench_encode --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// The input CSV is written once, deterministically, to $MUSICLAB_BENCH_DIR (default /tmp) and read
// outside the timed region, as the pandas script does.
#include <musiclab/core.hpp>
#include <musiclab/encode.hpp>
#include <musiclab/io.hpp>

#include <benchmark/benchmark.h>

#include "bench_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace {

/// 1M rows: artist, album, genre (text) and popularity (0..100, depends on artist and genre).
std::filesystem::path categorical_file() {
    return musiclab::bench::generated_file("musiclab_bench_target_encoding_1m.csv", [](std::FILE* f) {
    std::fputs("artist,album,genre,popularity\n", f);
    musiclab::Rng rng(11);
    constexpr int n_artists = 30000, n_albums = 200000, n_genres = 114;
    std::vector<double> cumulative(n_artists);  // Zipf(1.1) over artists
    double total = 0.0;
    for (int i = 0; i < n_artists; ++i) cumulative[static_cast<std::size_t>(i)] = total += 1.0 / std::pow(i + 1.0, 1.1);
    std::vector<double> artist_effect(n_artists), genre_effect(n_genres);
    for (auto& e : artist_effect) e = rng.normal(0.0, 12.0);
    for (auto& e : genre_effect) e = rng.normal(0.0, 6.0);
    for (int i = 0; i < 1000000; ++i) {
        const auto artist = static_cast<std::size_t>(
            std::upper_bound(cumulative.begin(), cumulative.end(), rng.uniform() * total) - cumulative.begin());
        const auto a = std::min<std::size_t>(artist, n_artists - 1);
        const auto album = rng.below(n_albums);
        const auto genre = rng.below(n_genres);
        const double pop = std::clamp(std::round(40.0 + artist_effect[a] + genre_effect[genre] + rng.normal(0.0, 15.0)), 0.0, 100.0);
        std::fprintf(f, "artist %zu,album %llu,genre %llu,%d\n", a, static_cast<unsigned long long>(album),
                     static_cast<unsigned long long>(genre), static_cast<int>(pop));
    }
    });
}

struct Data {
    musiclab::io::Table table;
    std::vector<const musiclab::io::TextColumn*> columns;
    std::vector<double> y;
};

const Data& data() {
    static const Data d = [] {
        Data out;
        musiclab::io::CsvOptions o;
        o.types = {{"artist", musiclab::io::ColumnType::text},
                   {"album", musiclab::io::ColumnType::text},
                   {"genre", musiclab::io::ColumnType::text},
                   {"popularity", musiclab::io::ColumnType::number}};
        out.table = musiclab::io::read_csv(categorical_file(), o);
        for (const char* c : {"artist", "album", "genre"}) out.columns.push_back(&out.table.text(c));
        const auto y = out.table.numeric("popularity").values();
        out.y.assign(y.begin(), y.end());
        return out;
    }();
    return d;
}

void finish(benchmark::State& state, const Eigen::MatrixXd& encoded) {
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(encoded.size()));
    state.counters["rows"] = static_cast<double>(encoded.rows());
    state.counters["checksum"] = encoded.sum();  // sum of all encodings, comparable with the pandas script
}

/// fit_transform_target_encoder with n_folds folds (1: in-sample; else out-of-fold), m = 10.
void fit_transform(benchmark::State& state, const Data& d, int n_folds) {
    musiclab::encode::TargetEncoderOptions o;
    o.n_folds = n_folds;
    o.num_threads = static_cast<int>(state.range(0));
    Eigen::MatrixXd encoded;
    for (auto _ : state) {
        auto result = musiclab::encode::fit_transform_target_encoder(d.columns, d.y, o);
        encoded = std::move(result.encoded);
        benchmark::DoNotOptimize(encoded.data());
    }
    finish(state, encoded);
}

/// fit on all rows + transform of the same rows (what pandas groupby + map does): m = 10.
void BM_target_encode_fit_transform(benchmark::State& state) {
    const auto& d = data();
    musiclab::encode::TargetEncoderOptions o;
    o.num_threads = static_cast<int>(state.range(0));
    Eigen::MatrixXd encoded;
    for (auto _ : state) {
        const auto enc = musiclab::encode::fit_target_encoder(d.columns, d.y, o);
        encoded = enc.transform(d.columns);
        benchmark::DoNotOptimize(encoded.data());
    }
    finish(state, encoded);
}

/// In-sample encoding of the training rows in one call (fit_transform with n_folds = 1: the codes
/// found while fitting are reused, no second hashing). The same numbers as fit + transform and as
/// pandas groupby + map; leaky by construction (for comparison, not for training).
void BM_target_encode_in_sample(benchmark::State& state) {
    const auto& d = data();
    fit_transform(state, d, 1);
}

/// Leak-free out-of-fold encodings of the training rows: 5 shuffled folds (sklearn KFold), m = 10.
void BM_target_encode_out_of_fold5(benchmark::State& state) {
    const auto& d = data();
    fit_transform(state, d, 5);
}

/// transform only (new rows through a fitted encoder).
void BM_target_encode_transform(benchmark::State& state) {
    const auto& d = data();
    musiclab::encode::TargetEncoderOptions o;
    o.num_threads = static_cast<int>(state.range(0));
    const auto enc = musiclab::encode::fit_target_encoder(d.columns, d.y, o);
    Eigen::MatrixXd encoded;
    for (auto _ : state) {
        encoded = enc.transform(d.columns);
        benchmark::DoNotOptimize(encoded.data());
    }
    finish(state, encoded);
}

}  // namespace

BENCHMARK(BM_target_encode_fit_transform)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_target_encode_in_sample)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_target_encode_out_of_fold5)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_target_encode_transform)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
