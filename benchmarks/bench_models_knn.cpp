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

struct Split {
    Eigen::MatrixXd X_train, X_test;
    Eigen::VectorXd y_train, y_test;
};

const Split& spotify() {
    static const Split s = [] {
        musiclab::io::CsvOptions o;
        o.invalid_utf8 = musiclab::io::InvalidUtf8::replace;
        const musiclab::io::Table t = musiclab::io::read_csv(std::filesystem::path(MUSICLAB_SHARED_DIR) / "data/spotify_tracks_114k/spotify_tracks.csv", o);
        const std::vector<std::string> audio = {"danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
                                                "instrumentalness", "liveness", "valence", "tempo", "time_signature", "duration_ms"};
        const Eigen::MatrixXd X = t.matrix(audio);
        const auto& pop = t.numeric("popularity").values();
        const Eigen::VectorXd y = Eigen::Map<const Eigen::VectorXd>(pop.data(), static_cast<Eigen::Index>(pop.size()));
        musiclab::preprocess::TrainTestSplitOptions so;
        so.test_size = 0.2;
        so.random_state = 42;
        const auto split = musiclab::preprocess::train_test_split(static_cast<std::size_t>(X.rows()), so);
        Split out;
        out.X_train = X(split.train, Eigen::all);
        out.X_test = X(split.test, Eigen::all);
        out.y_train = y(split.train);
        out.y_test = y(split.test);
        const Eigen::RowVectorXd mean = out.X_train.colwise().mean();
        const Eigen::RowVectorXd sd = ((out.X_train.rowwise() - mean).array().square().colwise().sum() / static_cast<double>(out.X_train.rows())).sqrt();
        out.X_train = (out.X_train.rowwise() - mean).array().rowwise() / sd.array();
        out.X_test = (out.X_test.rowwise() - mean).array().rowwise() / sd.array();
        return out;
    }();
    return s;
}

void quality(benchmark::State& state, const Eigen::VectorXd& pred) {
    const Split& s = spotify();
    const auto q = musiclab::metrics::regression_metrics(std::span<const double>(s.y_test.data(), static_cast<std::size_t>(s.y_test.size())),
                                                         std::span<const double>(pred.data(), static_cast<std::size_t>(pred.size())));
    state.counters["R2"] = q.r2;
    state.counters["RMSE"] = q.rmse;
    state.counters["MAE"] = q.mae;
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
