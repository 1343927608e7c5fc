// Throughput of musiclab::preprocess. Items are matrix cells (scalers), cells encoded (one-hot),
// features hashed (FeatureHasher) and samples (splits).
//   build/<dir>/benchmarks/bench_preprocess --benchmark_min_time=0.2
#include <benchmark/benchmark.h>
#include <musiclab/core/random.hpp>
#include <musiclab/preprocess.hpp>

#include <string>
#include <vector>

namespace pp = musiclab::preprocess;

namespace {

Eigen::MatrixXd random_matrix(Eigen::Index rows, Eigen::Index cols) {
    musiclab::Rng rng(1);
    Eigen::MatrixXd X(rows, cols);
    for (Eigen::Index j = 0; j < cols; ++j)
        for (Eigen::Index i = 0; i < rows; ++i) X(i, j) = rng.normal(static_cast<double>(j), 1.0 + static_cast<double>(j));
    return X;
}

std::vector<std::vector<std::string>> random_tokens(std::size_t samples, std::size_t per_sample, std::size_t vocabulary) {
    musiclab::Rng rng(2);
    std::vector<std::vector<std::string>> out(samples);
    for (auto& s : out)
        for (std::size_t k = 0; k < per_sample; ++k) s.push_back("token_" + std::to_string(rng.below(vocabulary)));
    return out;
}

void BM_StandardScalerFit(benchmark::State& state) {
    const Eigen::MatrixXd X = random_matrix(state.range(0), 16);
    for (auto _ : state) benchmark::DoNotOptimize(pp::fit_standard_scaler(X));
    state.SetItemsProcessed(state.iterations() * X.size());
}
BENCHMARK(BM_StandardScalerFit)->Arg(10000)->Arg(200000);

void BM_StandardScalerTransform(benchmark::State& state) {
    const Eigen::MatrixXd X = random_matrix(state.range(0), 16);
    const auto scaler = pp::fit_standard_scaler(X);
    for (auto _ : state) benchmark::DoNotOptimize(scaler.transform(X));
    state.SetItemsProcessed(state.iterations() * X.size());
}
BENCHMARK(BM_StandardScalerTransform)->Arg(10000)->Arg(200000);

void BM_MinMaxScalerFitTransform(benchmark::State& state) {
    const Eigen::MatrixXd X = random_matrix(state.range(0), 16);
    for (auto _ : state) {
        pp::MinMaxScaler scaler;
        benchmark::DoNotOptimize(scaler.fit_transform(X));
    }
    state.SetItemsProcessed(state.iterations() * X.size());
}
BENCHMARK(BM_MinMaxScalerFitTransform)->Arg(10000)->Arg(200000);

void BM_OneHotTransform(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    musiclab::Rng rng(3);
    std::vector<std::vector<std::string>> cols(2);
    for (std::size_t i = 0; i < n; ++i) {
        cols[0].push_back("genre_" + std::to_string(rng.below(114)));
        cols[1].push_back("key_" + std::to_string(rng.below(12)));
    }
    const auto enc = pp::fit_one_hot_encoder(cols);
    for (auto _ : state) benchmark::DoNotOptimize(enc.transform(cols));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(2 * n));
}
BENCHMARK(BM_OneHotTransform)->Arg(100000);

void BM_FeatureHasherStrings(benchmark::State& state) {
    const auto samples = random_tokens(static_cast<std::size_t>(state.range(0)), 20, 50000);
    const pp::FeatureHasher hasher({.n_features = 1 << 18, .num_threads = static_cast<int>(state.range(1))});
    for (auto _ : state) benchmark::DoNotOptimize(hasher.transform(samples));
    state.SetItemsProcessed(state.iterations() * state.range(0) * 20);
}
BENCHMARK(BM_FeatureHasherStrings)->Args({20000, 1})->Args({20000, 2});

void BM_TrainTestSplit(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(pp::train_test_split(n, {.test_size = 0.2, .random_state = 42}));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TrainTestSplit)->Arg(1000000);

void BM_TimeSplit(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    musiclab::Rng rng(4);
    std::vector<std::string> dates;
    for (std::size_t i = 0; i < n; ++i) {
        const auto y = 1950 + rng.below(75);
        dates.push_back(std::to_string(y) + (i % 3 ? "-0" + std::to_string(1 + rng.below(9)) + "-1" + std::to_string(rng.below(9)) : ""));
    }
    for (auto _ : state) benchmark::DoNotOptimize(pp::time_split(dates));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TimeSplit)->Arg(200000);

}  // namespace

BENCHMARK_MAIN();
