// The Spotify popularity data of the model benchmarks (bench_models_*.cpp) and their scikit-learn
// peer scripts (benchmarks/peers/models_*_sklearn.py), loaded once per process:
// ../shared/data/spotify_tracks_114k/spotify_tracks.csv, target popularity, the 13 audio features,
// split as scikit-learn's train_test_split(test_size=0.2, random_state=42) (preprocess::
// train_test_split reproduces it row for row). Optionally the rows repeating a track_id are dropped
// first (the first kept: 89,741 tracks, 71,792 train / 17,949 test rows; else 114,000 tracks,
// 91,200 / 22,800), and optionally the features are standardised with the train rows' mean and
// population standard deviation (StandardScaler).
#pragma once

#include <musiclab/io.hpp>
#include <musiclab/metrics/regression.hpp>
#include <musiclab/preprocess/split.hpp>

#include <Eigen/Core>
#include <benchmark/benchmark.h>

#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace musiclab::bench {

struct PopularitySplit {
    Eigen::MatrixXd X_train, X_test;
    Eigen::VectorXd y_train, y_test;
};

inline PopularitySplit spotify_popularity_split(bool drop_repeated_tracks, bool standardise) {
    io::CsvOptions o;
    o.invalid_utf8 = io::InvalidUtf8::replace;
    io::Table t = io::read_csv(std::filesystem::path(MUSICLAB_SHARED_DIR) / "data/spotify_tracks_114k/spotify_tracks.csv", o);
    if (drop_repeated_tracks) t = t.drop_duplicates("track_id");
    const std::vector<std::string> audio = {"danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
                                            "instrumentalness", "liveness", "valence", "tempo", "time_signature", "duration_ms"};
    const Eigen::MatrixXd X = t.matrix(audio);
    const auto& pop = t.numeric("popularity").values();
    const Eigen::VectorXd y = Eigen::Map<const Eigen::VectorXd>(pop.data(), static_cast<Eigen::Index>(pop.size()));
    preprocess::TrainTestSplitOptions so;
    so.test_size = 0.2;
    so.random_state = 42;
    const auto split = preprocess::train_test_split(static_cast<std::size_t>(X.rows()), so);
    PopularitySplit out;
    out.X_train = X(split.train, Eigen::all);
    out.X_test = X(split.test, Eigen::all);
    out.y_train = y(split.train);
    out.y_test = y(split.test);
    if (standardise) {
        const Eigen::RowVectorXd mean = out.X_train.colwise().mean();
        const Eigen::RowVectorXd sd = ((out.X_train.rowwise() - mean).array().square().colwise().sum() / static_cast<double>(out.X_train.rows())).sqrt();
        out.X_train = (out.X_train.rowwise() - mean).array().rowwise() / sd.array();
        out.X_test = (out.X_test.rowwise() - mean).array().rowwise() / sd.array();
    }
    return out;
}

/// The test-split quality of pred as the benchmark's R2 / RMSE / MAE counters.
inline void quality_counters(benchmark::State& state, const PopularitySplit& s, const Eigen::VectorXd& pred) {
    const auto q = metrics::regression_metrics(std::span<const double>(s.y_test.data(), static_cast<std::size_t>(s.y_test.size())),
                                               std::span<const double>(pred.data(), static_cast<std::size_t>(pred.size())));
    state.counters["R2"] = q.r2;
    state.counters["RMSE"] = q.rmse;
    state.counters["MAE"] = q.mae;
}

}  // namespace musiclab::bench
