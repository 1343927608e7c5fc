// Google Benchmarks of musiclab::metrics on synthetic data (deterministic, built once outside the
// timed loop). items/s: values (regression), queries (ranking), labels (ARI), points
// (trustworthiness) per second of wall time.
//
//   ./build/release/benchmarks/bench_metrics --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <musiclab/core.hpp>
#include <musiclab/metrics.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace {

void BM_regression_metrics(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    musiclab::Rng rng(1);
    std::vector<double> y(n), p(n);
    for (std::size_t i = 0; i < n; ++i) {
        y[i] = rng.normal(50.0, 20.0);
        p[i] = y[i] + rng.normal(0.0, 10.0);
    }
    for (auto _ : state) benchmark::DoNotOptimize(musiclab::metrics::regression_metrics(y, p));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

/// 100,000 queries: ranked lists of 50 item ids out of 1M, 20 graded relevant items each.
void BM_ranking_metrics(benchmark::State& state) {
    const std::size_t queries = 100000;
    musiclab::Rng rng(2);
    std::vector<std::vector<std::int64_t>> ranked(queries);
    std::vector<std::unordered_map<std::int64_t, int>> graded(queries);
    for (std::size_t q = 0; q < queries; ++q) {
        for (int i = 0; i < 50; ++i) ranked[q].push_back(static_cast<std::int64_t>(q * 1000 + static_cast<std::size_t>(i)));
        for (int r = 0; r < 20; ++r)
            graded[q][static_cast<std::int64_t>(q * 1000 + rng.below(100))] = static_cast<int>(rng.below(4));
    }
    musiclab::metrics::RankingOptions o;
    o.k = 10;
    o.gain = musiclab::metrics::Gain::graded;
    o.num_threads = static_cast<int>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(musiclab::metrics::evaluate_rankings(ranked, graded, o));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(queries));
}

void BM_adjusted_rand_score(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    musiclab::Rng rng(3);
    std::vector<std::int32_t> a(n), b(n);
    for (std::size_t i = 0; i < n; ++i) {
        a[i] = static_cast<std::int32_t>(rng.below(50));
        b[i] = rng.below(4) == 0 ? static_cast<std::int32_t>(rng.below(60)) : a[i];
    }
    for (auto _ : state) benchmark::DoNotOptimize(musiclab::metrics::adjusted_rand_score(a, b));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

/// 2,000 points, 20-d input vs its first 2 coordinates plus noise, k = 15.
void BM_trustworthiness(benchmark::State& state) {
    const Eigen::Index n = 2000;
    musiclab::Rng rng(4);
    Eigen::MatrixXd x(n, 20), e(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        for (Eigen::Index j = 0; j < 20; ++j) x(i, j) = rng.normal();
        for (Eigen::Index j = 0; j < 2; ++j) e(i, j) = x(i, j) + 0.1 * rng.normal();
    }
    musiclab::metrics::TrustworthinessOptions o;
    o.n_neighbors = 15;
    o.num_threads = static_cast<int>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(musiclab::metrics::trustworthiness(x, e, o));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

}  // namespace

BENCHMARK(BM_regression_metrics)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ranking_metrics)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_adjusted_rand_score)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_trustworthiness)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
