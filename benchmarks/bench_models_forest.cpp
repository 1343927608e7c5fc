// Google Benchmarks of musiclab::models tree ensembles (forest.hpp) on the real Spotify table, with
// the test-split quality as counters (R2, RMSE, MAE), beside scikit-learn 1.2.1
// (benchmarks/peers/models_forest_sklearn.py: the same rows, split and hyper-parameters).
//
//   ./build/release/benchmarks/bench_models_forest [--benchmark_filter=Fit_rf]
//
// Data: ../shared/data/spotify_tracks_114k/spotify_tracks.csv, rows repeating a track_id dropped
// (first kept) as examples/model_zoo does: 89,741 tracks; target popularity; the 13 audio
// features (unscaled: trees do not need scaling); split train_test_split(test_size=0.2,
// random_state=42) (musiclab::preprocess reproduces it row for row): 71,792 train rows, 17,949
// test rows. The first argument is the number of train rows: 20000 = the first 20,000 rows of the
// train split (a deterministic subsample; the split is already shuffled), 0 = all 71,792. Predict
// always runs on the full test split. Second argument: n_jobs.
// Models (model_zoo's hyper-parameters): RandomForestRegressor(n_estimators=100,
// min_samples_leaf=2, max_features=0.5, random_state=42); the same ExtraTreesRegressor;
// DecisionTreeRegressor(max_depth=10, min_samples_leaf=5); AdaBoostRegressor(n_estimators=50,
// learning_rate=0.5). Fit items = train rows; predict items = test rows.
#include <musiclab/io.hpp>
#include <musiclab/metrics/regression.hpp>
#include <musiclab/models/forest.hpp>
#include <musiclab/preprocess/split.hpp>

#include "bench_models_support.hpp"
#include "bench_support.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace {

namespace mm = musiclab::models;

using Split = musiclab::bench::PopularitySplit;

const Split& spotify() {
    static const Split s = musiclab::bench::spotify_popularity_split(/*drop_repeated_tracks=*/true, /*standardise=*/false);
    return s;
}

template <class E>
E make(const std::string& which, int threads) {
    E m;
    if (which == "rf" || which == "et") {
        m.set_param("n_estimators", 100.0);
        m.set_param("min_samples_leaf", 2.0);
        m.set_param("max_features", 0.5);
        m.set_param("n_jobs", static_cast<double>(threads));
    } else if (which == "tree") {
        m.set_param("max_depth", 10.0);
        m.set_param("min_samples_leaf", 5.0);
    } else if (which == "ada") {
        m.set_param("n_estimators", 50.0);
        m.set_param("learning_rate", 0.5);
    }
    m.set_param("random_state", 42.0);
    return m;
}

Eigen::Index rows_of(const benchmark::State& state) {
    const Split& s = spotify();
    return state.range(0) == 0 ? s.X_train.rows() : std::min<Eigen::Index>(state.range(0), s.X_train.rows());
}

template <class E>
void quality(benchmark::State& state, const E& m) {
    musiclab::bench::quality_counters(state, spotify(), m.predict(spotify().X_test));
}

template <class E>
void BM_Fit(benchmark::State& state, const std::string& which) {
    const Split& s = spotify();
    const Eigen::Index n = rows_of(state);
    const Eigen::MatrixXd X = s.X_train.topRows(n);
    const Eigen::VectorXd y = s.y_train.head(n);
    E m = make<E>(which, static_cast<int>(state.range(1)));
    for (auto _ : state) {
        m.fit(X, y);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * n);
    state.counters["rows"] = static_cast<double>(n);
    quality(state, m);
}

template <class E>
void BM_Predict(benchmark::State& state, const std::string& which) {
    const Split& s = spotify();
    const Eigen::Index n = rows_of(state);
    E m = make<E>(which, static_cast<int>(state.range(1)));
    m.fit(s.X_train.topRows(n), s.y_train.head(n));
    for (auto _ : state) {
        Eigen::VectorXd p = m.predict(s.X_test);
        benchmark::DoNotOptimize(p.data());
    }
    state.SetItemsProcessed(state.iterations() * s.X_test.rows());
}

void BM_Fit_rf(benchmark::State& s) { BM_Fit<mm::RandomForestRegressor>(s, "rf"); }
void BM_Fit_et(benchmark::State& s) { BM_Fit<mm::ExtraTreesRegressor>(s, "et"); }
void BM_Fit_tree(benchmark::State& s) { BM_Fit<mm::DecisionTreeRegressor>(s, "tree"); }
void BM_Fit_ada(benchmark::State& s) { BM_Fit<mm::AdaBoostRegressor>(s, "ada"); }
void BM_Predict_rf(benchmark::State& s) { BM_Predict<mm::RandomForestRegressor>(s, "rf"); }
void BM_Predict_et(benchmark::State& s) { BM_Predict<mm::ExtraTreesRegressor>(s, "et"); }
void BM_Predict_tree(benchmark::State& s) { BM_Predict<mm::DecisionTreeRegressor>(s, "tree"); }
void BM_Predict_ada(benchmark::State& s) { BM_Predict<mm::AdaBoostRegressor>(s, "ada"); }

}  // namespace

BENCHMARK(BM_Fit_rf)->Args({20000, 2})->Args({0, 2})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_Predict_rf)->Args({20000, 2})->Args({0, 2})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fit_et)->Args({20000, 2})->Args({0, 2})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_Predict_et)->Args({20000, 2})->Args({0, 2})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fit_tree)->Args({20000, 1})->Args({0, 1})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Predict_tree)->Args({0, 1})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fit_ada)->Args({20000, 1})->Args({0, 1})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_Predict_ada)->Args({0, 1})->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
