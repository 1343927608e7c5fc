// Google Benchmarks of musiclab::text TF-IDF (fit_transform_tfidf). Items are documents. The peer
// (scikit-learn 1.2.1 TfidfVectorizer(...).fit_transform on exactly the same texts) is timed by
// benchmarks/peers/bench_tfidf_sklearn.py; docs/benchmarks.md has both side by side.
//
//   ./build/release/benchmarks/bench_text_tfidf --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Texts: the 114,000 rows of ../shared/data/spotify_tracks_114k/spotify_tracks.csv, each
// "track_name artists track_genre" joined by one space, a missing cell read as "" (as the peers'
// bench_peers.py tfidf case: fillna("") then " ".join). Reading the CSV is not timed.
// The argument is num_threads. Counters nnz, vocab_size and data_sum are comparable with the peer's output.
#include "bench_support.hpp"

#include <musiclab/core.hpp>
#include <musiclab/io.hpp>
#include <musiclab/text.hpp>

#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <vector>

namespace {

void run(benchmark::State& state, musiclab::text::TfidfOptions opts) {
    opts.num_threads = static_cast<int>(state.range(0));
    const auto& docs = musiclab::bench::spotify_texts();
    std::size_t nnz = 0, vocab = 0;
    double sum = 0;
    for (auto _ : state) {
        auto [model, X] = musiclab::text::fit_transform_tfidf<double>(docs, opts);
        benchmark::DoNotOptimize(X.valuePtr());
        nnz = static_cast<std::size_t>(X.nonZeros());
        vocab = model.num_features();
        state.PauseTiming();
        sum = 0;
        for (Eigen::Index k = 0; k < X.nonZeros(); ++k) sum += X.valuePtr()[k];
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(docs.size()));
    state.counters["nnz"] = static_cast<double>(nnz);
    state.counters["vocab_size"] = static_cast<double>(vocab);
    state.counters["data_sum"] = sum;
}

/// TfidfVectorizer() defaults.
void BM_tfidf_fit_transform_default(benchmark::State& state) { run(state, musiclab::text::TfidfOptions{}); }

/// TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)).
void BM_tfidf_fit_transform_sublinear_bigram(benchmark::State& state) {
    musiclab::text::TfidfOptions o;
    o.sublinear_tf = true;
    o.ngram_max = 2;
    run(state, o);
}

}  // namespace

BENCHMARK(BM_tfidf_fit_transform_default)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_tfidf_fit_transform_sublinear_bigram)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
