// examples/model_zoo — the popularity model comparison of the seed notebooks in C++: one 80/20
// split (scikit-learn's train_test_split(test_size=0.2, random_state=seed) row for row), every
// model of musiclab::models with the same hyper-parameters as benchmarks/peers/model_zoo_sklearn.py
// gives scikit-learn, RMSE / MAE / MSE / R² on the test rows, a randomized search with 5-fold
// cross-validation, and the permutation importance of the gradient-boosted trees; CSV files and a
// report.html go to --out.
//
//   model_zoo [--tracks FILE] [--out DIR] [--n-tracks N] [--seed S] [--threads T] [--models a,b,..]
//             [--search-iter N]
//
// Without --tracks it runs on the built-in synthetic catalogue; with the real data:
//   model_zoo --tracks ../shared/data/spotify_tracks_114k/spotify_tracks.csv
// (rows repeating a track_id are dropped, keeping the first, as the peer script does).
#include "cli.hpp"

#include <musiclab/models.hpp>
#include <musiclab/musiclab.hpp>
#include <musiclab/report.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ml = musiclab;
namespace mm = musiclab::models;

namespace {

const std::vector<std::string> audio_features = {"danceability", "energy",           "key",      "loudness",
                                                 "mode",         "speechiness",      "acousticness",
                                                 "instrumentalness", "liveness",     "valence",  "tempo",
                                                 "time_signature",   "duration_ms"};

struct Args {
    std::optional<std::filesystem::path> tracks;
    std::filesystem::path out = "model_zoo_out";
    std::size_t n_tracks = 5000;
    std::uint64_t seed = 42;
    int threads = 2;
    std::string models = "all";
    int search_iter = 10;
};

Args parse_args(int argc, char** argv) {
    Args a;
    examples::Cli cli("model_zoo",
                      "Popularity from the 13 audio features with every model of musiclab::models on\n"
                      "one 80/20 split (sklearn's train_test_split rows), a randomized search with\n"
                      "5-fold CV and permutation importance. Results go to --out as CSV and report.html.");
    cli.path("--tracks", a.tracks, "FILE", "Spotify-style tracks CSV (popularity and the audio features);\ndefault: the built-in synthetic catalogue")
        .path("--out", a.out, "DIR", "output folder (default: model_zoo_out)")
        .integer("--n-tracks", a.n_tracks, "N", "size of the synthetic catalogue (default: 5000)", 100)
        .integer("--seed", a.seed, "S", "seed of the split, the models and the search (default: 42)", 0, 4294967295LL)
        .integer("--threads", a.threads, "T", "worker threads of the models that use them, 0 = all (default: 2)", 0, 1024)
        .text("--models", a.models, "LIST", "comma-separated model keys (default: all):\nlinear,ridge,lasso,enet,knn,tree,forest,extra,ada,gbt,mlp")
        .integer("--search-iter", a.search_iter, "N", "candidates of each randomized search, 0 = no search (default: 10)", 0, 10000);
    cli.parse(argc, argv);
    return a;
}

/// One row of the comparison.
struct Row {
    std::string key, label;
    ml::metrics::RegressionMetrics test;
    double fit_seconds = 0.0, predict_seconds = 0.0;
};

/// A model of the bench: its key, a label, and how to fit-and-score it.
struct Entry {
    std::string key, label;
    std::function<Row(const Eigen::MatrixXd&, const Eigen::VectorXd&, const Eigen::MatrixXd&, const Eigen::VectorXd&)> run;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

template <mm::Regressor E>
Entry entry(std::string key, E prototype, const mm::Params& params) {
    for (const auto& [name, value] : params) prototype.set_param(name, value);
    std::string label = prototype.name() + "(";
    for (std::size_t i = 0; i < params.size(); ++i) label += (i ? ", " : "") + params[i].first + "=" + mm::to_string(params[i].second);
    label += ")";
    return {key, label, [key, label, prototype](const Eigen::MatrixXd& Xtr, const Eigen::VectorXd& ytr, const Eigen::MatrixXd& Xte, const Eigen::VectorXd& yte) {
                E model = prototype;
                Row r{key, label, {}, 0.0, 0.0};
                auto t0 = std::chrono::steady_clock::now();
                model.fit(Xtr, ytr);
                r.fit_seconds = seconds_since(t0);
                t0 = std::chrono::steady_clock::now();
                const Eigen::VectorXd pred = model.predict(Xte);
                r.predict_seconds = seconds_since(t0);
                r.test = ml::metrics::regression_metrics(std::span<const double>(yte.data(), static_cast<std::size_t>(yte.size())),
                                                         std::span<const double>(pred.data(), static_cast<std::size_t>(pred.size())));
                return r;
            }};
}

bool wanted(const std::string& list, const std::string& key) {
    if (list == "all") return true;
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto stop = std::min(list.find(',', start), list.size());
        if (list.compare(start, stop - start, key) == 0) return true;
        start = stop + 1;
    }
    return false;
}

int run(const Args& args) {
    const examples::Progress progress;
    std::filesystem::create_directories(args.out);
    const double seed = static_cast<double>(args.seed);
    const double threads = static_cast<double>(args.threads);

    // 1. data: popularity and the 13 audio features
    ml::io::Table tracks;
    if (args.tracks) {
        progress.step("reading %s", args.tracks->c_str());
        ml::io::CsvOptions o;
        o.invalid_utf8 = ml::io::InvalidUtf8::replace;
        tracks = ml::io::read_csv(*args.tracks, o);
        if (tracks.contains("track_id")) {
            const std::vector<std::size_t> first = tracks.first_rows_by("track_id");
            if (first.size() < tracks.rows()) {
                progress.step("dropped %zu rows with a repeated track_id (kept the first of each)", tracks.rows() - first.size());
                tracks = tracks.take(first);
            }
        }
    } else {
        ml::data::SyntheticOptions o;
        o.n_tracks = args.n_tracks;
        o.n_artists = std::clamp<std::size_t>(args.n_tracks / 8, o.n_genres, o.n_artists);
        o.seed = args.seed;
        progress.step("generating the synthetic catalogue (%zu tracks, seed %llu)", o.n_tracks, static_cast<unsigned long long>(o.seed));
        tracks = ml::data::make_catalogue(o).tracks;
    }
    const Eigen::MatrixXd X = tracks.matrix(audio_features);
    const auto& pop = tracks.numeric("popularity").values();
    const Eigen::VectorXd y = Eigen::Map<const Eigen::VectorXd>(pop.data(), static_cast<Eigen::Index>(pop.size()));

    ml::preprocess::TrainTestSplitOptions so;
    so.test_size = 0.2;
    so.random_state = static_cast<std::uint32_t>(args.seed);
    const auto split = ml::preprocess::train_test_split(static_cast<std::size_t>(X.rows()), so);
    const Eigen::MatrixXd Xtr = X(split.train, Eigen::all), Xte = X(split.test, Eigen::all);
    const Eigen::VectorXd ytr = y(split.train), yte = y(split.test);
    progress.step("%zu tracks, 13 audio features; split 80/20 (sklearn train_test_split, random_state %llu): %zu train, %zu test",
                  static_cast<std::size_t>(X.rows()), static_cast<unsigned long long>(args.seed), split.train.size(), split.test.size());

    ml::report::HtmlReport html("musiclab model zoo", args.tracks ? "tracks: " + args.tracks->string()
                                                                : "built-in synthetic catalogue (" + std::to_string(args.n_tracks) + " tracks)");
    html.section("Data").text(std::to_string(X.rows()) + " tracks, popularity from the 13 audio features; 80/20 split (scikit-learn's train_test_split, random_state " +
                              std::to_string(args.seed) + "): " + std::to_string(split.train.size()) + " train, " + std::to_string(split.test.size()) + " test rows.");

    // 2. the bench: the same hyper-parameters as benchmarks/peers/model_zoo_sklearn.py
    std::vector<Entry> bench;
    bench.push_back(entry("linear", mm::LinearRegression(), {}));
    bench.push_back(entry("ridge", mm::Ridge(), {{"alpha", 1.0}}));
    bench.push_back(entry("lasso", mm::Scaled<mm::Lasso>(), {{"alpha", 0.05}}));
    bench.push_back(entry("enet", mm::Scaled<mm::ElasticNet>(), {{"alpha", 0.05}, {"l1_ratio", 0.5}}));
    bench.push_back(entry("knn", mm::Scaled<mm::KNeighborsRegressor>(), {{"n_neighbors", 10.0}, {"weights", std::string("distance")}, {"n_jobs", threads}}));
    bench.push_back(entry("tree", mm::DecisionTreeRegressor(), {{"max_depth", 10.0}, {"min_samples_leaf", 5.0}, {"random_state", seed}}));
    bench.push_back(entry("forest", mm::RandomForestRegressor(),
                          {{"n_estimators", 100.0}, {"min_samples_leaf", 2.0}, {"max_features", 0.5}, {"random_state", seed}, {"n_jobs", threads}}));
    bench.push_back(entry("extra", mm::ExtraTreesRegressor(),
                          {{"n_estimators", 100.0}, {"min_samples_leaf", 2.0}, {"max_features", 0.5}, {"random_state", seed}, {"n_jobs", threads}}));
    bench.push_back(entry("ada", mm::AdaBoostRegressor(), {{"n_estimators", 50.0}, {"learning_rate", 0.5}, {"random_state", seed}}));
    bench.push_back(entry("gbt", mm::GbtRegressor(),
                          {{"n_estimators", 1000.0}, {"learning_rate", 0.02}, {"max_depth", 7.0}, {"n_jobs", threads}}));
    bench.push_back(entry("mlp", mm::Scaled<mm::MLPRegressor>(),
                          {{"hidden_layer_sizes", std::string("64,32")}, {"early_stopping", 1.0}, {"max_iter", 200.0}, {"random_state", seed}}));

    if (args.models != "all") {  // every key named must be a model of the bench
        std::size_t start = 0;
        while (start <= args.models.size()) {
            const auto stop = std::min(args.models.find(',', start), args.models.size());
            const std::string key = args.models.substr(start, stop - start);
            if (std::none_of(bench.begin(), bench.end(), [&](const Entry& e) { return e.key == key; })) {
                std::string keys;
                for (const auto& e : bench) (keys += keys.empty() ? "" : ",") += e.key;
                throw ml::invalid_parameter("--models", key, "all, or a comma-separated list of " + keys);
            }
            start = stop + 1;
        }
    }
    std::vector<Row> rows;
    for (const auto& e : bench) {
        if (!wanted(args.models, e.key)) continue;
        progress.step("fitting %s", e.label.c_str());
        rows.push_back(e.run(Xtr, ytr, Xte, yte));
        const auto& r = rows.back();
        progress.step("  %-8s R2 %.4f  RMSE %.3f  MAE %.3f  (fit %.2f s, predict %.3f s)", r.key.c_str(), r.test.r2, r.test.rmse, r.test.mae,
                      r.fit_seconds, r.predict_seconds);
    }
    std::printf("\npopularity on the test split (%zu rows):\n", split.test.size());
    std::printf("  %-8s %8s %8s %8s %9s %9s %10s\n", "model", "R2", "RMSE", "MAE", "MSE", "fit s", "predict s");
    std::ofstream csv(args.out / "models.csv");
    csv << "key,model,r2,rmse,mae,mse,fit_seconds,predict_seconds\n";
    for (const auto& r : rows) {
        std::printf("  %-8s %8.4f %8.3f %8.3f %9.2f %9.2f %10.3f\n", r.key.c_str(), r.test.r2, r.test.rmse, r.test.mae, r.test.mse, r.fit_seconds,
                    r.predict_seconds);
        csv << r.key << ",\"" << r.label << "\"," << r.test.r2 << ',' << r.test.rmse << ',' << r.test.mae << ',' << r.test.mse << ','
            << r.fit_seconds << ',' << r.predict_seconds << '\n';
    }

    {
        ml::report::Table t{"popularity on the test split", {"model", "parameters", "R2", "RMSE", "MAE", "MSE", "fit s", "predict s"}, {}, 4};
        ml::report::Bars b{"Test R2 by model", "R2", {}, {}, {{}}, true};
        for (const auto& r : rows) {
            t.rows.push_back({r.key, r.label, r.test.r2, r.test.rmse, r.test.mae, r.test.mse, r.fit_seconds, r.predict_seconds});
            b.labels.push_back(r.key);
            b.values[0].push_back(r.test.r2);
        }
        html.section("Models").table(t);
        if (!rows.empty()) html.bars(b);
    }

    // 3. randomized searches with 5-fold CV on the train rows (the same candidates as
    //    RandomizedSearchCV(random_state=seed): scikit-learn tries the same parameters)
    if (args.search_iter > 0) {
        mm::SearchOptions o;
        o.n_iter = args.search_iter;
        o.random_state = static_cast<std::uint32_t>(args.seed);
        o.num_threads = args.threads;
        std::ofstream out(args.out / "search.csv");
        out << "search,candidate,params,mean_test_score,std_test_score,rank\n";
        const auto report = [&](const char* what, const auto& res) {
            std::printf("\nrandomized search, %s: %zu candidates x 5 folds; best (rank 1, mean CV R2 %.4f):", what, res.candidates.size(), res.best_score);
            for (const auto& [n, v] : res.best_params) std::printf(" %s=%s", n.c_str(), mm::to_string(v).c_str());
            std::printf("\n");
            for (std::size_t c = 0; c < res.candidates.size(); ++c) {
                const auto& cand = res.candidates[c];
                std::string p;
                for (const auto& [n, v] : cand.params) (p += (p.empty() ? "" : " ")) += n + "=" + mm::to_string(v);
                out << what << ',' << c << ",\"" << p << "\"," << cand.mean_test_score << ',' << cand.std_test_score << ',' << cand.rank_test_score << '\n';
            }
            const Eigen::VectorXd pred = res.best_estimator.predict(Xte);
            const double test_r2 = ml::metrics::r2_score(std::span<const double>(yte.data(), static_cast<std::size_t>(yte.size())),
                                                         std::span<const double>(pred.data(), static_cast<std::size_t>(pred.size())));
            std::printf("  refitted on all train rows: test R2 %.4f\n", test_r2);
            ml::report::Table t{std::string("randomized search: ") + what + " (5-fold CV on the train rows)", {"candidate", "parameters", "mean CV R2", "std", "rank"}, {}, 4};
            for (std::size_t c = 0; c < res.candidates.size(); ++c) {
                std::string p;
                for (const auto& [n, v] : res.candidates[c].params) (p += (p.empty() ? "" : " ")) += n + "=" + mm::to_string(v);
                t.rows.push_back({static_cast<long long>(c), p, res.candidates[c].mean_test_score, res.candidates[c].std_test_score,
                                  static_cast<long long>(res.candidates[c].rank_test_score)});
            }
            html.section(std::string("Search: ") + what).table(t).text("best candidate refitted on all train rows: test R2 " + std::to_string(test_r2));
        };
        if (wanted(args.models, "ridge")) {
            progress.step("randomized search: Ridge alpha ~ loguniform(1e-3, 1e3)");
            report("ridge", mm::randomized_search(mm::Scaled<mm::Ridge>(), {{"alpha", mm::Distribution::loguniform(1e-3, 1e3)}}, Xtr, ytr, o));
        }
        if (wanted(args.models, "enet")) {
            progress.step("randomized search: ElasticNet alpha ~ loguniform(1e-4, 1), l1_ratio ~ uniform(0, 1)");
            report("enet", mm::randomized_search(mm::Scaled<mm::ElasticNet>(),
                                                 {{"alpha", mm::Distribution::loguniform(1e-4, 1.0)}, {"l1_ratio", mm::Distribution::uniform(0.0, 1.0)}},
                                                 Xtr, ytr, o));
        }
    }

    // 4. what the boosted trees rely on: permutation importance on the test rows
    if (wanted(args.models, "gbt")) {
        progress.step("permutation importance of the GBT on the test rows (5 repeats)");
        mm::GbtRegressor gbt;
        gbt.set_param("n_estimators", 1000.0);
        gbt.set_param("learning_rate", 0.02);
        gbt.set_param("max_depth", 7.0);
        gbt.set_param("n_jobs", threads);
        gbt.fit(Xtr, ytr);
        mm::PermutationImportanceOptions po;
        po.random_state = static_cast<std::uint32_t>(args.seed);
        po.num_threads = 1;
        const auto imp = mm::permutation_importance(gbt, Xte, yte, po);
        std::vector<Eigen::Index> order(audio_features.size());
        for (std::size_t j = 0; j < order.size(); ++j) order[j] = static_cast<Eigen::Index>(j);
        std::sort(order.begin(), order.end(), [&](auto a, auto b) { return imp.importances_mean[a] > imp.importances_mean[b]; });
        std::printf("\npermutation importance (drop in test R2 when the feature is shuffled):\n");
        std::ofstream out(args.out / "permutation_importance.csv");
        out << "feature,importance_mean,importance_std\n";
        ml::report::Bars b{"Permutation importance of the GBT (test rows, 5 repeats)", "drop in R2", {}, {}, {{}}, true};
        for (auto j : order) {
            b.labels.push_back(audio_features[static_cast<std::size_t>(j)]);
            b.values[0].push_back(imp.importances_mean[j]);
            std::printf("  %-17s %.4f +- %.4f\n", audio_features[static_cast<std::size_t>(j)].c_str(), imp.importances_mean[j], imp.importances_std[j]);
            out << audio_features[static_cast<std::size_t>(j)] << ',' << imp.importances_mean[j] << ',' << imp.importances_std[j] << '\n';
        }
        html.section("What the boosted trees rely on").bars(b);
    }
    html.write(args.out / "report.html");
    progress.step("results in %s (models.csv, search.csv, permutation_importance.csv, report.html)", args.out.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(parse_args(argc, argv));
    } catch (const musiclab::error& e) {
        std::fprintf(stderr, "model_zoo: error: %s\n", e.what());
        return 1;
    }
}
