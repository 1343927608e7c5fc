// Google Benchmarks of musiclab::models linear models (linear.hpp) on the real Spotify table, with
// the test-split quality as counters (R2, RMSE, MAE) so that one run gives the
// docs/models-linear.md table beside scikit-learn's (benchmarks/peers/models_linear_sklearn.py).
//
//   ./build/release/benchmarks/bench_models_linear [--benchmark_filter=Fit]
//
// Data: ../shared/data/spotify_tracks_114k/spotify_tracks.csv, rows repeating a track_id dropped
// (first kept) as examples/model_zoo does: 89,741 tracks; target popularity; the 13 audio
// features; split train_test_split(test_size=0.2, random_state=42) (musiclab::preprocess
// reproduces it row for row): 71,792 train rows, 17,949 test rows. Features STANDARDISED with the
// train rows' mean and population standard deviation (sklearn's StandardScaler), once, outside the
// timings; the peer script does the same.
// Models (sklearn's parameter values): LinearRegression(); Ridge(alpha=1); Lasso(alpha=0.05) with
// musiclab's default precompute="auto" (Gram) and with precompute=false (dense, sklearn's default
// path); ElasticNet(alpha=0.05, l1_ratio=0.5). The argument is n_jobs (threads of the passes over
// X). Fit items = train rows; predict items = test rows (predict on the test split).
#include <musiclab/io.hpp>
#include <musiclab/metrics/regression.hpp>
#include <musiclab/models/linear.hpp>
#include <musiclab/preprocess/split.hpp>

#include "bench_models_support.hpp"
#include "bench_support.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

namespace {

namespace mm = musiclab::models;

using Split = musiclab::bench::PopularitySplit;

const Split& spotify() {
    static const Split s = musiclab::bench::spotify_popularity_split(/*drop_repeated_tracks=*/true, /*standardise=*/true);
    return s;
}

template <class E>
E make(const std::string& which, int threads) {
    E m;
    if (which == "ridge") m.set_param("alpha", 1.0);
    if (which == "lasso" || which == "lasso_dense" || which == "enet") m.set_param("alpha", 0.05);
    if (which == "enet") m.set_param("l1_ratio", 0.5);
    if (which == "lasso_dense") m.set_param("precompute", 0.0);
    m.set_param("n_jobs", static_cast<double>(threads));
    return m;
}

template <class E>
void quality(benchmark::State& state, const E& m) {
    musiclab::bench::quality_counters(state, spotify(), m.predict(spotify().X_test));
}

template <class E>
void BM_Fit(benchmark::State& state, const std::string& which) {
    const Split& s = spotify();
    E m = make<E>(which, static_cast<int>(state.range(0)));
    for (auto _ : state) {
        m.fit(s.X_train, s.y_train);
        benchmark::DoNotOptimize(m.coef().data());
    }
    state.SetItemsProcessed(state.iterations() * s.X_train.rows());
    quality(state, m);
    if constexpr (requires { m.n_iter(); }) state.counters["n_iter"] = m.n_iter();
}

template <class E>
void BM_Predict(benchmark::State& state, const std::string& which) {
    const Split& s = spotify();
    E m = make<E>(which, static_cast<int>(state.range(0)));
    m.fit(s.X_train, s.y_train);
    for (auto _ : state) {
        Eigen::VectorXd p = m.predict(s.X_test);
        benchmark::DoNotOptimize(p.data());
    }
    state.SetItemsProcessed(state.iterations() * s.X_test.rows());
}

void BM_Fit_linear(benchmark::State& s) { BM_Fit<mm::LinearRegression>(s, "linear"); }
void BM_Fit_ridge(benchmark::State& s) { BM_Fit<mm::Ridge>(s, "ridge"); }
void BM_Fit_lasso(benchmark::State& s) { BM_Fit<mm::Lasso>(s, "lasso"); }
void BM_Fit_lasso_dense(benchmark::State& s) { BM_Fit<mm::Lasso>(s, "lasso_dense"); }
void BM_Fit_enet(benchmark::State& s) { BM_Fit<mm::ElasticNet>(s, "enet"); }
void BM_Predict_linear(benchmark::State& s) { BM_Predict<mm::LinearRegression>(s, "linear"); }
void BM_Predict_ridge(benchmark::State& s) { BM_Predict<mm::Ridge>(s, "ridge"); }
void BM_Predict_lasso(benchmark::State& s) { BM_Predict<mm::Lasso>(s, "lasso"); }

}  // namespace

BENCHMARK(BM_Fit_linear)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fit_ridge)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fit_lasso)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fit_lasso_dense)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fit_enet)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Predict_linear)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Predict_ridge)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Predict_lasso)->Arg(1)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
