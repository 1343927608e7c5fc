// Google Benchmarks of musiclab::models::MLPRegressor (mlp.hpp) on the real Spotify table, beside
// scikit-learn's MLPRegressor (benchmarks/peers/models_knn_mlp_sklearn.py).
//
//   ./build/release/benchmarks/bench_models_mlp
//
// Data: ../shared/data/spotify_tracks_114k/spotify_tracks.csv, all 114,000 rows (no de-duplication),
// target popularity, the 13 audio features, train_test_split(test_size=0.2, random_state=42)
// (musiclab::preprocess reproduces it row for row): 91,200 train rows, 22,800 test rows; features
// standardised with the train rows' mean and population std (StandardScaler), once, outside the
// timings. The peer script benchmarks/peers/models_knn_mlp_sklearn.py does the same.
// Fit: the first 20,000 train rows, sklearn's defaults (hidden_layer_sizes = (100,), relu, adam,
// alpha 1e-4, batch 200, lr 1e-3) with max_iter = 20, tol = 0 and n_iter_no_change = 1000 so that
// both libraries run exactly 20 epochs; random_state = 0. Items = rows x epochs. Predict: the
// 22,800 test rows with the fitted model. num_threads = 1.
#include <musiclab/io.hpp>
#include <musiclab/metrics/regression.hpp>
#include <musiclab/models/mlp.hpp>
#include <musiclab/preprocess/split.hpp>

#include "bench_models_support.hpp"
#include "bench_support.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

namespace {

namespace mm = musiclab::models;

using Split = musiclab::bench::PopularitySplit;

const Split& spotify() {
    static const Split s = musiclab::bench::spotify_popularity_split(/*drop_repeated_tracks=*/false, /*standardise=*/true);
    return s;
}

void quality(benchmark::State& state, const Eigen::VectorXd& pred) {
    musiclab::bench::quality_counters(state, spotify(), pred);
}

mm::MLPRegressor make() {
    mm::MLPRegressor m;
    m.set_param("max_iter", 20.0);
    m.set_param("tol", 0.0);
    m.set_param("n_iter_no_change", 1000.0);
    return m;
}

void BM_Fit_20k_20epochs(benchmark::State& state) {
    const Split& s = spotify();
    const Eigen::MatrixXd X = s.X_train.topRows(20000);
    const Eigen::VectorXd y = s.y_train.head(20000);
    auto m = make();
    for (auto _ : state) {
        m.fit(X, y);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * 20000 * 20);
    state.counters["n_iter"] = m.n_iter();
    quality(state, m.predict(s.X_test));
}

void BM_Predict(benchmark::State& state) {
    const Split& s = spotify();
    auto m = make();
    m.fit(s.X_train.topRows(20000), s.y_train.head(20000));
    Eigen::VectorXd p;
    for (auto _ : state) {
        p = m.predict(s.X_test);
        benchmark::DoNotOptimize(p.data());
    }
    state.SetItemsProcessed(state.iterations() * s.X_test.rows());
}

/// Quality run (not a timing): sklearn's defaults with early_stopping = true on the full train
/// split, random_state = the argument; run with --benchmark_filter=Quality.
void BM_Quality_early_stopping(benchmark::State& state) {
    const Split& s = spotify();
    mm::MLPRegressor m;
    m.set_param("early_stopping", 1.0);
    m.set_param("random_state", static_cast<double>(state.range(0)));
    for (auto _ : state) m.fit(s.X_train, s.y_train);
    state.counters["n_iter"] = m.n_iter();
    state.counters["best_val"] = m.best_validation_score();
    quality(state, m.predict(s.X_test));
}

}  // namespace

BENCHMARK(BM_Quality_early_stopping)->DenseRange(0, 2)->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_Fit_20k_20epochs)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Predict)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
