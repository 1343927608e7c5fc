// Google Benchmarks of musiclab::models::KNeighborsRegressor (knn.hpp) on the real Spotify table,
// beside scikit-learn's KNeighborsRegressor (benchmarks/peers/models_knn_mlp_sklearn.py).
//
//   ./build/release/benchmarks/bench_models_knn
//
// Data: ../shared/data/spotify_tracks_114k/spotify_tracks.csv, all 114,000 rows (no de-duplication),
// target popularity, the 13 audio features, train_test_split(test_size=0.2, random_state=42)
// (musiclab::preprocess reproduces it row for row): 91,200 train rows, 22,800 test rows; features
// standardised with the train rows' mean and population std (StandardScaler), once, outside the
// timings. The peer script benchmarks/peers/models_knn_mlp_sklearn.py does the same.
// Model: n_neighbors = 5, weights uniform / distance, euclidean; argument = n_jobs. Fit items =
// train rows; predict items = test rows. MUSICLAB_KNN_PRED_OUT=<file> writes the test predictions
// (uniform, then distance; "%.17g" per line) for the parity check against sklearn's.
#include <musiclab/io.hpp>
#include <musiclab/metrics/regression.hpp>
#include <musiclab/models/knn.hpp>
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

mm::KNeighborsRegressor make(const std::string& weights, int threads) {
    mm::KNeighborsRegressor m;
    m.set_param("weights", weights);
    m.set_param("n_jobs", static_cast<double>(threads));
    return m;
}

void BM_Fit(benchmark::State& state) {
    const Split& s = spotify();
    auto m = make("uniform", static_cast<int>(state.range(0)));
    for (auto _ : state) {
        m.fit(s.X_train, s.y_train);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * s.X_train.rows());
}

void BM_Predict(benchmark::State& state, const std::string& weights) {
    const Split& s = spotify();
    auto m = make(weights, static_cast<int>(state.range(0)));
    m.fit(s.X_train, s.y_train);
    Eigen::VectorXd p;
    for (auto _ : state) {
        p = m.predict(s.X_test);
        benchmark::DoNotOptimize(p.data());
    }
    state.SetItemsProcessed(state.iterations() * s.X_test.rows());
    quality(state, p);
    if (const char* out = std::getenv("MUSICLAB_KNN_PRED_OUT")) {
        std::ofstream f(std::string(out) + "." + weights);
        char buf[40];
        for (Eigen::Index i = 0; i < p.size(); ++i) {
            std::snprintf(buf, sizeof buf, "%.17g\n", p[i]);
            f << buf;
        }
    }
}

void BM_Predict_uniform(benchmark::State& s) { BM_Predict(s, "uniform"); }
void BM_Predict_distance(benchmark::State& s) { BM_Predict(s, "distance"); }

}  // namespace

BENCHMARK(BM_Fit)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Predict_uniform)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Predict_distance)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
