// Google Benchmarks of musiclab::trees gradient-boosted trees on the real Spotify table, with the
// quality of each model as counters (R2, RMSE, MAE on the test rows) so that one run gives the
// docs/gbt.md table beside XGBoost's.
//
//   ./build/release/benchmarks/bench_trees_gbt --benchmark_filter=Fit
//
// Data: ../shared/data/spotify_tracks_114k/spotify_tracks.csv, target popularity, sklearn
// train_test_split(test_size=0.1, random_state=0) of the rows (musiclab::preprocess::
// train_test_split reproduces it row for row). Feature sets (first benchmark argument):
//   0 audio_dedup   - 13 audio columns, duplicate track_ids dropped first (first occurrence kept)
//   1 audio_raw     - 13 audio columns, all 114,000 rows (the same track on both sides: leaky)
//   2 encoded_dedup - audio_dedup + out-of-fold target encodings of artists and track_genre
//                     (m = 10, 5 folds, seed 0; test rows encoded with all training rows) + the
//                     VADER compound of track_name
// Parameters: n_estimators=1000, learning_rate=0.02, max_depth=7, other options XGBoost's
// defaults; the second argument is num_threads. Items are training rows x trees (fit), test rows
// (predict) and rows (SHAP).
//
// The peer runs on exactly the same matrices: each set is written once to
// $MUSICLAB_BENCH_DIR (default /tmp) as gbt_<set>_{train,test}.csv (last column = target) and
//   /usr/bin/python3 benchmarks/peers/gbt_xgboost_reference.py matrix --train .. --test ..
// trains XGBoost 1.7 hist (or --peer sklearn_hgb) on them with the same parameters.
#include <musiclab/core.hpp>
#include <musiclab/encode.hpp>
#include <musiclab/io.hpp>
#include <musiclab/metrics/regression.hpp>
#include <musiclab/preprocess/split.hpp>
#include <musiclab/text.hpp>
#include <musiclab/trees.hpp>

#include "bench_support.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

namespace {

namespace tr = musiclab::trees;

std::filesystem::path shared() { return MUSICLAB_SHARED_DIR; }

struct DataSet {
    std::string name;
    Eigen::MatrixXd X_train, X_test;
    std::vector<double> y_train, y_test;
};

template <class T>
std::vector<T> pick(const std::vector<T>& v, const std::vector<std::size_t>& rows) {
    std::vector<T> out;
    out.reserve(rows.size());
    for (auto r : rows) out.push_back(v[r]);
    return out;
}

void write_matrix(const std::filesystem::path& name, const Eigen::MatrixXd& X, const std::vector<double>& y) {
    musiclab::bench::generated_file(name.string(), [&](std::FILE* f) {
        for (Eigen::Index c = 0; c < X.cols(); ++c) std::fprintf(f, "x%lld,", static_cast<long long>(c));
        std::fprintf(f, "y\n");
        for (Eigen::Index r = 0; r < X.rows(); ++r) {
            for (Eigen::Index c = 0; c < X.cols(); ++c) std::fprintf(f, "%.17g,", X(r, c));
            std::fprintf(f, "%.17g\n", y[static_cast<std::size_t>(r)]);
        }
    });
}

const DataSet& data(int which) {
    static std::map<int, DataSet> cache;
    if (auto it = cache.find(which); it != cache.end()) return it->second;
    static const musiclab::io::Table table = musiclab::io::read_csv(shared() / "data/spotify_tracks_114k/spotify_tracks.csv");
    const std::vector<std::string> audio = {"danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
                                            "instrumentalness", "liveness", "valence", "tempo", "time_signature", "duration_ms"};
    const Eigen::MatrixXd A = table.matrix(audio);
    const auto pop_span = table.numeric("popularity").values();
    const std::vector<double> pop(pop_span.begin(), pop_span.end());
    std::vector<std::size_t> keep;
    if (which == 1) {
        for (std::size_t i = 0; i < pop.size(); ++i) keep.push_back(i);
    } else {
        const auto& ids = table.text("track_id");
        std::unordered_set<std::string> seen;
        for (std::size_t i = 0; i < ids.size(); ++i)
            if (seen.insert(std::string(ids[i])).second) keep.push_back(i);
    }
    musiclab::preprocess::TrainTestSplitOptions so;
    so.test_size = 0.1;
    so.random_state = 0;
    const auto split = musiclab::preprocess::train_test_split(keep.size(), so);
    const auto train_rows = pick(keep, split.train), test_rows = pick(keep, split.test);
    DataSet d;
    d.name = std::array<const char*, 3>{"audio_dedup", "audio_raw", "encoded_dedup"}[static_cast<std::size_t>(which)];
    d.y_train = pick(pop, train_rows);
    d.y_test = pick(pop, test_rows);
    const Eigen::MatrixXd At = A(train_rows, Eigen::all), Ae = A(test_rows, Eigen::all);
    if (which < 2) {
        d.X_train = At;
        d.X_test = Ae;
    } else {
        const auto& artists = table.text("artists");
        const auto& genres = table.text("track_genre");
        auto cats = [&](const std::vector<std::size_t>& rows) {
            std::vector<std::vector<std::string_view>> c(2);
            for (auto r : rows) {
                c[0].push_back(artists[r]);
                c[1].push_back(genres[r]);
            }
            return c;
        };
        musiclab::encode::TargetEncoderOptions te;
        te.m = 10.0;
        te.n_folds = 5;
        te.random_state = 0;
        const auto crossfit = musiclab::encode::fit_transform_target_encoder(cats(train_rows), d.y_train, te, {"artists", "track_genre"});
        const Eigen::MatrixXd enc_test = crossfit.encoder.transform(cats(test_rows));
        const musiclab::text::VaderAnalyzer vader(shared() / "data/vader");
        const auto& titles = table.text("track_name");
        auto compound = [&](const std::vector<std::size_t>& rows) {
            std::vector<std::string_view> t;
            for (auto r : rows) t.push_back(titles[r]);
            const auto s = vader.polarity_scores_batch(std::span<const std::string_view>(t));
            Eigen::VectorXd c(static_cast<Eigen::Index>(s.size()));
            for (std::size_t i = 0; i < s.size(); ++i) c[static_cast<Eigen::Index>(i)] = s[i].compound;
            return c;
        };
        d.X_train.resize(At.rows(), At.cols() + 3);
        d.X_train << At, crossfit.encoded, compound(train_rows);
        d.X_test.resize(Ae.rows(), Ae.cols() + 3);
        d.X_test << Ae, enc_test, compound(test_rows);
    }
    write_matrix("gbt_" + d.name + "_train.csv", d.X_train, d.y_train);
    write_matrix("gbt_" + d.name + "_test.csv", d.X_test, d.y_test);
    return cache.emplace(which, std::move(d)).first->second;
}

tr::GbtOptions recipe(int threads) {
    tr::GbtOptions o;
    o.n_estimators = 1000;
    o.learning_rate = 0.02;
    o.max_depth = 7;
    o.num_threads = threads;
    return o;
}

std::map<int, std::shared_ptr<const tr::GbtModel>>& models() {
    static std::map<int, std::shared_ptr<const tr::GbtModel>> m;
    return m;
}

const tr::GbtModel& model(int which) {
    auto& m = models()[which];
    if (!m) {
        const auto& d = data(which);
        m = std::make_shared<const tr::GbtModel>(tr::fit_gbt_regressor(d.X_train, d.y_train, recipe(2)));
    }
    return *m;
}

void BM_GbtFit(benchmark::State& state) {
    const int which = static_cast<int>(state.range(0));
    const int threads = static_cast<int>(state.range(1));
    const auto& d = data(which);
    std::shared_ptr<const tr::GbtModel> last;
    for (auto _ : state) {
        last = std::make_shared<const tr::GbtModel>(tr::fit_gbt_regressor(d.X_train, d.y_train, recipe(threads)));
        benchmark::DoNotOptimize(last.get());
    }
    const Eigen::VectorXd p = last->predict(d.X_test, threads);
    const std::vector<double> pred(p.begin(), p.end());
    state.counters["r2"] = musiclab::metrics::r2_score(d.y_test, pred);
    state.counters["rmse"] = musiclab::metrics::root_mean_squared_error(d.y_test, pred);
    state.counters["mae"] = musiclab::metrics::mean_absolute_error(d.y_test, pred);
    state.counters["n_train"] = static_cast<double>(d.y_train.size());
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(d.y_train.size()) * 1000);
    state.SetLabel(d.name);
    if (threads == 2) models()[which] = last;
}
BENCHMARK(BM_GbtFit)->Args({0, 2})->Args({1, 2})->Args({2, 2})->Args({0, 1})->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

void BM_GbtPredict(benchmark::State& state) {
    const int which = static_cast<int>(state.range(0));
    const int threads = static_cast<int>(state.range(1));
    const auto& d = data(which);
    const auto& m = model(which);
    for (auto _ : state) {
        Eigen::VectorXd p = m.predict(d.X_test, threads);
        benchmark::DoNotOptimize(p.data());
    }
    state.SetItemsProcessed(state.iterations() * d.X_test.rows());
    state.SetLabel(d.name + " (1000 trees)");
}
BENCHMARK(BM_GbtPredict)->Args({0, 2})->Args({0, 1})->Args({2, 2})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_GbtShap(benchmark::State& state) {
    const auto& d = data(0);
    const auto& m = model(0);
    const Eigen::MatrixXd X = d.X_test.topRows(200);
    for (auto _ : state) {
        Eigen::MatrixXd phi = m.shap_values(X, 2);
        benchmark::DoNotOptimize(phi.data());
    }
    state.SetItemsProcessed(state.iterations() * X.rows());
    state.SetLabel("audio_dedup, 200 rows, 1000 trees, 2 threads");
}
BENCHMARK(BM_GbtShap)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
