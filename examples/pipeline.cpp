// examples/pipeline — the SpotFusion workflow in C++, end to end, on the built-in synthetic
// catalogue or on a Spotify-style CSV. Today it loads and profiles the catalogue, makes the
// time-aware 90/10 split, builds the feature matrices (standardized audio features, one-hot
// genres, hashed artists, out-of-fold target encodings of artist and genre), scores every title
// with VADER when the lexicon is at hand, compares popularity baselines (global mean, genre and
// artist target encodings) with gradient-boosted trees (audio only; audio + encodings + title
// sentiment) on the newest 10 %, ranks the features by mean |SHAP|, and recommends tracks for a
// query by TF-IDF cosine of "track - artist [Genre: g]". It grows as the algorithm areas land
// (sentence embeddings, UMAP, HDBSCAN).
//
//   pipeline [--tracks FILE] [--vader DIR] [--out DIR] [--n-tracks N] [--seed S] [--threads T] [--trees N]
#include "cli.hpp"

#include <musiclab/musiclab.hpp>
#include <musiclab/manifold.hpp>
#include <musiclab/report.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

namespace ml = musiclab;

namespace {

const std::vector<std::string> audio_features = {"danceability", "energy",           "key",      "loudness",
                                                 "mode",         "speechiness",      "acousticness",
                                                 "instrumentalness", "liveness",     "valence",  "tempo",
                                                 "time_signature",   "duration_ms"};

struct Args {
    std::optional<std::filesystem::path> tracks;
    std::optional<std::filesystem::path> vader;
    std::optional<std::filesystem::path> model;
    std::filesystem::path out = "pipeline_out";
    std::size_t n_tracks = 5000;
    std::uint64_t seed = 42;
    int threads = 0;
    int trees = 1000;
    std::size_t svd_components = 64;
    int umap_neighbors = 15;
    int min_cluster_size = 0;  // 0: max(15, tracks / 1000)
    std::size_t galaxy_points = 20000;
};

Args parse_args(int argc, char** argv) {
    Args a;
    examples::Cli cli("pipeline",
                      "The SpotFusion workflow on a track catalogue: profile, time-aware 90/10 split,\n"
                      "feature matrices, popularity baselines and models with SHAP, title sentiment,\n"
                      "track embeddings, a 3-D UMAP \"music galaxy\" with HDBSCAN clusters and semantic\n"
                      "recommendations. Results go to --out as CSV and JSON, and report.html.");
    cli.path("--tracks", a.tracks, "FILE",
             "Spotify-style tracks CSV (columns of spotify_tracks.csv; a\nrelease_date column enables the time-aware split, otherwise\n"
             "the split is random, seeded; rows repeating a track_id are\ndropped). Default: the built-in synthetic catalogue.")
        .path("--vader", a.vader, "DIR",
              "folder with vader_lexicon.txt and emoji_utf8_lexicon.txt\n(default: ../shared/data/vader of the source tree, when present;\n"
              "without a lexicon the sentiment step is skipped)")
        .path("--model", a.model, "DIR",
              "sentence-transformers model folder (e.g. all-MiniLM-L6-v2 as\ndownloaded from Hugging Face, docs/nn.md) for the track\n"
              "embeddings; default: TF-IDF + truncated SVD of the same text")
        .path("--out", a.out, "DIR", "output folder (default: pipeline_out)")
        .integer("--n-tracks", a.n_tracks, "N", "size of the synthetic catalogue (default: 5000)", 100)
        .integer("--seed", a.seed, "S", "seed of the synthetic data and the random split (default: 42)")
        .integer("--threads", a.threads, "T", "worker threads, 0 = all cores (default: 0)", 0, 1024)
        .integer("--trees", a.trees, "N", "boosting rounds of the popularity models (default: 1000)", 1, 100000)
        .integer("--svd-components", a.svd_components, "K", "dimensions of the TF-IDF + SVD track embeddings (default: 64)", 2, 4096)
        .integer("--umap-neighbors", a.umap_neighbors, "K", "n_neighbors of the 3-D UMAP of the embeddings (default: 15)", 2, 200)
        .integer("--min-cluster-size", a.min_cluster_size, "N", "HDBSCAN min_cluster_size on the 3-D map (default: max(15,\ntracks / 1000)); min_samples 10", 0, 1000000)
        .integer("--galaxy-points", a.galaxy_points, "N", "tracks drawn in the report's 3-D galaxy, a seeded sample\n(default: 20000)", 100, 10000000);
    cli.parse(argc, argv);
    return a;
}

/// The values of `v` at `rows`.
std::vector<double> at(std::span<const double> v, const std::vector<std::size_t>& rows) {
    std::vector<double> out;
    out.reserve(rows.size());
    for (auto r : rows) out.push_back(v[r]);
    return out;
}

/// The cells of a text column at `rows` (views into the column).
std::vector<std::string_view> at(const ml::io::TextColumn& c, const std::vector<std::size_t>& rows) {
    std::vector<std::string_view> out;
    out.reserve(rows.size());
    for (auto r : rows) out.push_back(c[r]);
    return out;
}

int run(const Args& args) {
    const examples::Progress progress;
    std::filesystem::create_directories(args.out);
    ml::report::HtmlReport report("musiclab pipeline",
                                  args.tracks ? "catalogue: " + args.tracks->string()
                                              : "catalogue: built-in synthetic data (" + std::to_string(args.n_tracks) + " tracks, seed " +
                                                    std::to_string(args.seed) + ")");

    // 1. data
    ml::io::Table tracks;
    std::size_t users = 0, listens = 0;
    if (args.tracks) {
        progress.step("reading %s", args.tracks->c_str());
        ml::io::CsvOptions o;
        o.invalid_utf8 = ml::io::InvalidUtf8::replace;
        tracks = ml::io::read_csv(*args.tracks, o);
        if (tracks.contains("track_id")) {  // one row per track: the same track on both sides of the split inflates R^2
            const std::vector<std::size_t> first = tracks.first_rows_by("track_id");
            if (first.size() < tracks.rows()) {
                progress.step("dropped %zu rows with a repeated track_id (kept the first of each)", tracks.rows() - first.size());
                tracks = tracks.take(first);
            }
        }
    } else {
        ml::data::SyntheticOptions o;
        o.n_tracks = args.n_tracks;
        o.n_artists = std::clamp<std::size_t>(args.n_tracks / 8, o.n_genres, o.n_artists);  // ~8 tracks per artist, at most 600
        o.seed = args.seed;
        progress.step("generating the synthetic catalogue (%zu tracks, seed %llu)", o.n_tracks,
                      static_cast<unsigned long long>(o.seed));
        auto catalogue = ml::data::make_catalogue(o);
        tracks = std::move(catalogue.tracks);
        listens = catalogue.listens.rows();
        const auto& user_ids = catalogue.listens.numeric("user_id");
        std::set<double> ids(user_ids.values().begin(), user_ids.values().end());
        users = ids.size();
    }
    const auto& artists = tracks.text("artists");
    const auto& genres = tracks.text("track_genre");
    std::set<std::string_view> distinct_artists, distinct_genres;
    for (std::size_t i = 0; i < tracks.rows(); ++i) {
        distinct_artists.insert(artists[i]);
        distinct_genres.insert(genres[i]);
    }
    progress.step("catalogue: %zu tracks, %zu artists, %zu genres, %zu columns%s", tracks.rows(),
                  distinct_artists.size(), distinct_genres.size(), tracks.cols(),
                  args.tracks ? "" : (", " + std::to_string(users) + " users with " + std::to_string(listens) + " listens").c_str());

    report.section("Catalogue")
        .text(std::to_string(tracks.rows()) + " tracks, " + std::to_string(distinct_artists.size()) + " artists, " +
              std::to_string(distinct_genres.size()) + " genres, " + std::to_string(tracks.cols()) + " columns.");

    // 2. split: time-aware when there is a release date, else seeded random (sklearn-identical)
    ml::preprocess::Split split;
    std::string split_kind;
    if (tracks.contains("release_date")) {
        ml::preprocess::TimeSplitOptions o;
        o.train_fraction = 0.9;
        o.missing = ml::preprocess::MissingDates::first;
        split = ml::preprocess::time_split(tracks.text("release_date"), o);
        split_kind = "time-aware by release_date (oldest 90 % train)";
    } else {
        ml::preprocess::TrainTestSplitOptions o;
        o.test_size = 0.1;
        o.random_state = static_cast<std::uint32_t>(args.seed);
        split = ml::preprocess::train_test_split(tracks.rows(), o);
        split_kind = "random 90/10 (no release_date column; same indices as sklearn train_test_split)";
    }
    progress.step("split: %s: %zu train, %zu test", split_kind.c_str(), split.train.size(), split.test.size());
    report.text("Split: " + split_kind + ": " + std::to_string(split.train.size()) + " train, " + std::to_string(split.test.size()) + " test tracks.");

    // 3. features
    const Eigen::MatrixXd X = tracks.matrix(audio_features);
    ml::preprocess::StandardScalerOptions so;
    so.num_threads = args.threads;
    ml::preprocess::StandardScaler scaler(so);
    scaler.fit(X(split.train, Eigen::all));
    const Eigen::MatrixXd Z = scaler.transform(X);
    ml::preprocess::OneHotEncoderOptions oo;
    oo.handle_unknown = ml::preprocess::HandleUnknown::ignore;
    ml::preprocess::OneHotEncoder one_hot(oo);
    std::vector<std::string_view> train_genres;
    for (auto r : split.train) train_genres.push_back(genres[r]);
    one_hot.fit(train_genres, {"track_genre"});
    const auto G = one_hot.transform(genres);
    ml::preprocess::FeatureHasherOptions ho;
    ho.n_features = 1 << 12;
    std::vector<std::vector<std::string>> artist_lists(tracks.rows());
    for (std::size_t i = 0; i < tracks.rows(); ++i) {
        std::string_view a = artists[i];
        for (std::size_t start = 0; start <= a.size();) {
            const auto stop = std::min(a.find(';', start), a.size());
            artist_lists[i].emplace_back(a.substr(start, stop - start));
            start = stop + 1;
        }
    }
    const auto H = ml::preprocess::FeatureHasher(ho).transform(artist_lists);
    progress.step("features: %lld standardized audio columns, %lld one-hot genres, %lld hashed artist columns (%lld non-zeros)",
                  static_cast<long long>(Z.cols()), static_cast<long long>(G.cols()), static_cast<long long>(H.cols()),
                  static_cast<long long>(H.nonZeros()));

    // 4. target encodings: out-of-fold on the training rows (what a model trains on), full-training
    //    statistics on the test rows (what it predicts from)
    const auto pop = tracks.numeric("popularity").values();
    const std::vector<double> y_train = at(pop, split.train), y_test = at(pop, split.test);
    ml::encode::TargetEncoderOptions te;
    te.m = 10.0;
    te.n_folds = 5;
    te.random_state = static_cast<std::uint32_t>(args.seed);
    te.num_threads = args.threads;
    const std::vector<std::vector<std::string_view>> train_cats = {at(artists, split.train), at(genres, split.train)};
    const std::vector<std::vector<std::string_view>> test_cats = {at(artists, split.test), at(genres, split.test)};
    const auto crossfit = ml::encode::fit_transform_target_encoder(train_cats, y_train, te, {"artists", "track_genre"});
    const Eigen::MatrixXd test_encoded = crossfit.encoder.transform(test_cats);
    progress.step("target encoding (m = 10, 5 folds): %zu artist and %zu genre categories",
                  crossfit.encoder.n_categories(0), crossfit.encoder.n_categories(1));

    // 5. title sentiment (VADER), when the lexicon is at hand
    std::optional<std::filesystem::path> lexicon = args.vader;
    if (!lexicon && std::filesystem::exists(std::filesystem::path(MUSICLAB_SHARED_DIR) / "data/vader/vader_lexicon.txt"))
        lexicon = std::filesystem::path(MUSICLAB_SHARED_DIR) / "data/vader";
    std::vector<ml::text::VaderScores> sentiment;
    if (lexicon) {
        const ml::text::VaderAnalyzer vader(*lexicon);
        const auto& titles = tracks.text("track_name");
        std::vector<std::string_view> texts(tracks.rows());
        for (std::size_t i = 0; i < texts.size(); ++i) texts[i] = titles[i];
        ml::text::VaderBatchOptions vo;
        vo.num_threads = args.threads;
        sentiment = vader.polarity_scores_batch(std::span<const std::string_view>(texts), vo);
        std::size_t positive = 0, negative = 0;
        double sum = 0;
        for (const auto& s : sentiment) {
            sum += s.compound;
            positive += s.compound >= 0.05;
            negative += s.compound <= -0.05;
        }
        progress.step("VADER on %zu titles: mean compound %.4f, %.1f %% positive, %.1f %% negative", sentiment.size(),
                      sum / static_cast<double>(sentiment.size()), 100.0 * static_cast<double>(positive) / static_cast<double>(sentiment.size()),
                      100.0 * static_cast<double>(negative) / static_cast<double>(sentiment.size()));
        // mean popularity of negative / neutral / positive titles (VADER's usual +-0.05 thresholds)
        const auto popularity = tracks.numeric("popularity").values();
        double total[3] = {0, 0, 0};
        long long count[3] = {0, 0, 0};
        for (std::size_t i = 0; i < sentiment.size(); ++i) {
            const int c = sentiment[i].compound <= -0.05 ? 0 : sentiment[i].compound >= 0.05 ? 2 : 1;
            if (std::isnan(popularity[i])) continue;
            total[c] += popularity[i];
            ++count[c];
        }
        ml::report::Table t{"Titles by VADER compound", {"class", "titles", "mean popularity"}, {}, 2};
        const char* names[3] = {"negative (<= -0.05)", "neutral", "positive (>= 0.05)"};
        for (int c = 0; c < 3; ++c)
            t.rows.push_back({std::string(names[c]), count[c], count[c] ? total[c] / static_cast<double>(count[c]) : std::nan("")});
        report.section("Title sentiment (VADER)").table(t);
    } else {
        progress.step("VADER: no lexicon (pass --vader DIR); sentiment step skipped");
        report.section("Title sentiment (VADER)").text("Skipped: no VADER lexicon (pass --vader DIR).");
    }

    // 6. popularity baselines on the test split
    double train_mean = 0;
    for (double v : y_train) train_mean += v;
    train_mean /= static_cast<double>(y_train.size());
    const std::vector<double> global(y_test.size(), train_mean);
    const std::vector<double> by_artist(test_encoded.col(0).begin(), test_encoded.col(0).end());
    const std::vector<double> by_genre(test_encoded.col(1).begin(), test_encoded.col(1).end());
    struct Row {
        const char* name;
        const std::vector<double>* pred;
    };
    const Row rows[] = {{"global mean", &global}, {"genre target encoding (m=10)", &by_genre},
                        {"artist target encoding (m=10)", &by_artist}};
    std::printf("\n  popularity baseline on the test split    R^2      RMSE      MAE\n");
    std::ofstream baselines(args.out / "baselines.csv");
    baselines << "model,r2,rmse,mae\n";
    ml::report::Table accuracy{"Popularity (0-100) on the test split", {"model", "R^2", "RMSE", "MAE"}, {}, 4};
    for (const auto& row : rows) {
        const double r = ml::metrics::r2_score(y_test, *row.pred);
        const double e = ml::metrics::root_mean_squared_error(y_test, *row.pred);
        const double m = ml::metrics::mean_absolute_error(y_test, *row.pred);
        std::printf("  %-38s %7.4f %8.3f %8.3f\n", row.name, r, e, m);
        baselines << '"' << row.name << "\"," << r << ',' << e << ',' << m << '\n';
        accuracy.rows.push_back({std::string(row.name), r, e, m});
    }
    std::printf("\n");

    // 7. popularity models: gradient-boosted trees (the seed's XGBoost recipe) on the audio
    //    features alone, and with the target-encoded artist and genre and the title sentiment
    ml::trees::GbtOptions go;
    go.n_estimators = args.trees;
    go.learning_rate = 0.02;
    go.max_depth = 7;
    go.num_threads = args.threads;
    go.seed = args.seed;
    std::vector<std::string> encoded_names = audio_features;
    encoded_names.insert(encoded_names.end(), {"artist_te", "genre_te"});
    if (!sentiment.empty()) encoded_names.push_back("title_compound");
    auto encoded_matrix = [&](const std::vector<std::size_t>& rows, const Eigen::MatrixXd& te) {
        Eigen::MatrixXd M(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(encoded_names.size()));
        M.leftCols(X.cols()) = X(rows, Eigen::all);
        M.col(X.cols()) = te.col(0);
        M.col(X.cols() + 1) = te.col(1);
        if (!sentiment.empty())
            for (std::size_t i = 0; i < rows.size(); ++i) M(static_cast<Eigen::Index>(i), X.cols() + 2) = sentiment[rows[i]].compound;
        return M;
    };
    const Eigen::MatrixXd A_train = X(split.train, Eigen::all), A_test = X(split.test, Eigen::all);
    const Eigen::MatrixXd E_train = encoded_matrix(split.train, crossfit.encoded), E_test = encoded_matrix(split.test, test_encoded);
    struct Model {
        std::string name;
        ml::trees::GbtModel model;
        Eigen::MatrixXd test;
    };
    std::vector<Model> models;
    go.feature_names = audio_features;
    models.push_back({"GBT: audio features", ml::trees::fit_gbt_regressor(A_train, y_train, go), A_test});
    progress.step("GBT popularity model, audio only (%d trees, depth 7, learning rate 0.02)", go.n_estimators);
    go.feature_names = encoded_names;
    models.push_back({sentiment.empty() ? "GBT: audio + artist/genre TE" : "GBT: audio + artist/genre TE + VADER",
                      ml::trees::fit_gbt_regressor(E_train, y_train, go), E_test});
    progress.step("GBT popularity model with target encodings%s", sentiment.empty() ? "" : " and title sentiment");
    std::printf("\n  popularity model on the test split       R^2      RMSE      MAE\n");
    for (const auto& m : models) {
        const Eigen::VectorXd p = m.model.predict(m.test, args.threads);
        const std::vector<double> pred(p.data(), p.data() + p.size());
        const double r = ml::metrics::r2_score(y_test, pred);
        const double e = ml::metrics::root_mean_squared_error(y_test, pred);
        const double a = ml::metrics::mean_absolute_error(y_test, pred);
        std::printf("  %-38s %7.4f %8.3f %8.3f\n", m.name.c_str(), r, e, a);
        baselines << '"' << m.name << "\"," << r << ',' << e << ',' << a << '\n';
        accuracy.rows.push_back({m.name, r, e, a});
    }
    report.section("Popularity models").table(accuracy);
    // Mean |SHAP| per feature of the full model on (up to 300 of) the test rows: exact TreeSHAP
    // costs O(trees x leaves x depth^2) per row.
    const Eigen::MatrixXd phi = models.back().model.shap_values(E_test.topRows(std::min<Eigen::Index>(300, E_test.rows())), args.threads);
    const Eigen::VectorXd importance = phi.cwiseAbs().colwise().mean().transpose();
    std::vector<std::size_t> order(encoded_names.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return importance[static_cast<Eigen::Index>(a)] > importance[static_cast<Eigen::Index>(b)]; });
    std::printf("\n  top features by mean |SHAP| (popularity points)\n");
    std::ofstream shap_csv(args.out / "shap_importance.csv");
    shap_csv << "feature,mean_abs_shap\n";
    ml::report::Bars shap_bars{"Features by mean |SHAP| (" + models.back().name + ", " + std::to_string(phi.rows()) + " test tracks)",
                               "mean |SHAP| (popularity points)", {}, {}, {{}}, true};
    for (std::size_t j = 0; j < order.size(); ++j) {
        const double v = importance[static_cast<Eigen::Index>(order[j])];
        if (j < 8) std::printf("  %-20s %7.3f\n", encoded_names[order[j]].c_str(), v);
        shap_csv << encoded_names[order[j]] << ',' << v << '\n';
        shap_bars.labels.push_back(encoded_names[order[j]]);
        shap_bars.values[0].push_back(v);
    }
    report.bars(shap_bars);
    std::printf("\n");

    // 8. track embeddings of "track - artist [Genre: g]" (the seed's sentence-embedding text):
    //    Sentence-BERT from --model, else TF-IDF + truncated SVD (LSA); rows L2-normalised
    const auto& names = tracks.text("track_name");
    std::vector<std::string> docs(tracks.rows());
    for (std::size_t i = 0; i < docs.size(); ++i) {
        ((((docs[i] = std::string(names[i])) += " - ") += artists[i]) += " [Genre: ") += genres[i];
        docs[i] += ']';
    }
    Eigen::MatrixXd embedding;
    std::string embedding_kind;
    if (args.model) {
        progress.step("loading the sentence-transformers model %s", args.model->c_str());
        const auto encoder = ml::nn::SentenceEncoder::load(*args.model);
        ml::nn::EncodeOptions eo;
        eo.num_threads = args.threads;
        embedding = encoder.encode(docs, eo).cast<double>();
        embedding_kind = "Sentence-BERT from " + args.model->string() + " (" + std::to_string(embedding.cols()) + " dimensions)";
    } else {
        ml::text::TfidfOptions to;
        to.num_threads = args.threads;
        auto [tfidf, T] = ml::text::fit_transform_tfidf<double>(docs, to);
        ml::linalg::TruncatedSvdOptions so;
        so.n_components = std::min<std::size_t>(args.svd_components, std::min<std::size_t>(docs.size(), tfidf.num_features()) - 1);
        so.seed = args.seed;
        so.num_threads = args.threads;
        auto [svd, S] = ml::linalg::fit_transform_truncated_svd(T, so);
        embedding = std::move(S);
        embedding_kind = "TF-IDF (" + std::to_string(tfidf.num_features()) + " terms) + truncated SVD (" + std::to_string(so.n_components) +
                         " components, " + std::to_string(static_cast<int>(std::lround(100 * svd.explained_variance_ratio().sum()))) +
                         " % of the variance)";
    }
    for (Eigen::Index i = 0; i < embedding.rows(); ++i)
        if (const double norm = embedding.row(i).norm(); norm > 0) embedding.row(i) /= norm;
    progress.step("embeddings: %s, %lld x %lld", embedding_kind.c_str(), static_cast<long long>(embedding.rows()),
                  static_cast<long long>(embedding.cols()));

    // 9. the music galaxy: UMAP of the embeddings to 3-D, HDBSCAN clusters on the map
    std::vector<int> cluster_of;
    std::size_t n_clusters = 0, noise = 0;
    {
        ml::manifold::UmapOptions uo;
        uo.n_neighbors = args.umap_neighbors;
        uo.n_components = 3;
        uo.seed = args.seed;
        uo.num_threads = ml::resolve_threads(args.threads);
        const auto umap = ml::manifold::fit_umap(embedding, uo);
        const Eigen::MatrixXd galaxy = umap.embedding_matrix();
        progress.step("UMAP to 3-D (n_neighbors %d, %s k-NN, %d epochs)", uo.n_neighbors, umap.info().exact_knn ? "exact" : "NN-descent",
                      umap.info().n_epochs);
        ml::cluster::HdbscanOptions ho;
        ho.min_cluster_size = args.min_cluster_size > 0 ? args.min_cluster_size : std::max(15, static_cast<int>(tracks.rows() / 1000));
        ho.min_samples = 10;
        ho.num_threads = args.threads;
        const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> g = galaxy;
        const auto clusters = ml::cluster::fit_hdbscan(g.data(), static_cast<std::size_t>(g.rows()), 3, ho);
        cluster_of = clusters.labels;
        for (const int l : cluster_of) {
            if (l < 0) ++noise;
            else n_clusters = std::max(n_clusters, static_cast<std::size_t>(l) + 1);
        }
        progress.step("HDBSCAN on the map (min_cluster_size %d, min_samples 10): %zu clusters, %.1f %% noise", ho.min_cluster_size, n_clusters,
                      100.0 * static_cast<double>(noise) / static_cast<double>(cluster_of.size()));
        std::ofstream out(args.out / "galaxy.csv");
        out << "row,x,y,z,cluster,genre\n";
        for (Eigen::Index i = 0; i < galaxy.rows(); ++i)
            out << i << ',' << galaxy(i, 0) << ',' << galaxy(i, 1) << ',' << galaxy(i, 2) << ',' << cluster_of[static_cast<std::size_t>(i)] << ','
                << examples::csv_field(genres[static_cast<std::size_t>(i)]) << '\n';
        // the report: a seeded sample of the tracks, coloured by cluster and by genre
        std::vector<std::size_t> shown(tracks.rows());
        for (std::size_t i = 0; i < shown.size(); ++i) shown[i] = i;
        ml::Rng rng(args.seed);
        const std::size_t m = std::min(args.galaxy_points, shown.size());
        for (std::size_t t = 0; t < m; ++t) std::swap(shown[t], shown[t + static_cast<std::size_t>(rng.below(shown.size() - t))]);
        shown.resize(m);
        std::sort(shown.begin(), shown.end());
        std::vector<double> x, y, z;
        std::vector<std::string> by_cluster, by_genre, hover;
        for (const auto i : shown) {
            x.push_back(galaxy(static_cast<Eigen::Index>(i), 0));
            y.push_back(galaxy(static_cast<Eigen::Index>(i), 1));
            z.push_back(galaxy(static_cast<Eigen::Index>(i), 2));
            by_cluster.push_back(cluster_of[i] < 0 ? std::string("noise") : "cluster " + std::to_string(cluster_of[i]));
            by_genre.emplace_back(genres[i]);
            hover.push_back(docs[i]);
        }
        ml::report::Scatter3d s;
        s.title = "Music galaxy: " + std::to_string(m) + " of " + std::to_string(tracks.rows()) + " tracks";
        s.x = x;
        s.y = y;
        s.z = z;
        s.colourings = {{"cluster", by_cluster}, {"genre", by_genre}};
        s.hover = hover;
        // clusters: size and their three most common genres
        std::vector<std::map<std::string_view, std::size_t>> genre_count(n_clusters);
        std::vector<long long> size(n_clusters, 0);
        for (std::size_t i = 0; i < cluster_of.size(); ++i)
            if (cluster_of[i] >= 0) {
                ++size[static_cast<std::size_t>(cluster_of[i])];
                ++genre_count[static_cast<std::size_t>(cluster_of[i])][genres[i]];
            }
        ml::report::Table t{"Clusters (largest first) and their most common genres", {"cluster", "tracks", "top genres"}, {}, 0};
        std::vector<std::size_t> order(n_clusters);
        for (std::size_t c = 0; c < n_clusters; ++c) order[c] = c;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return size[a] > size[b]; });
        for (std::size_t r = 0; r < std::min<std::size_t>(order.size(), 40); ++r) {
            const std::size_t c = order[r];
            std::vector<std::pair<std::size_t, std::string_view>> top;
            for (const auto& [g, count] : genre_count[c]) top.emplace_back(count, g);
            std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
            std::string names;
            for (std::size_t j = 0; j < std::min<std::size_t>(3, top.size()); ++j)
                (((names += j ? ", " : "") += top[j].second) += " ") += std::to_string(top[j].first);
            t.rows.push_back({"cluster " + std::to_string(c), size[c], names});
        }
        report.section("Music galaxy")
            .text("UMAP (" + std::to_string(uo.n_neighbors) + " neighbours, 3 components) of the track embeddings; HDBSCAN clusters on the map: " +
                  std::to_string(n_clusters) + " clusters, " + std::to_string(noise) + " tracks labelled noise.")
            .scatter3d(s)
            .table(t);
    }

    // 10. semantic recommendations: the 10 tracks of largest cosine with a query track
    {
        const std::size_t query = split.test.front();
        // 30 candidates: the same text under another track_id (re-releases, compilations) is listed once
        const auto top = ml::recommend::top_k(embedding.row(static_cast<Eigen::Index>(query)), embedding, std::min<std::size_t>(30, docs.size()));
        std::unordered_set<std::string_view> listed{docs[query]};
        std::printf("\n  top 10 by embedding cosine for \"%s\"\n", docs[query].c_str());
        std::ofstream rec(args.out / "recommendations.csv");
        rec << "query_row,rank,row,cosine,text\n";
        ml::report::Table t{"Top 10 by embedding cosine for \"" + docs[query] + "\"", {"rank", "cosine", "track"}, {}, 3};
        std::size_t rank = 0;
        for (Eigen::Index j = 0; j < top.indices.cols() && rank < 10; ++j) {
            const auto r = static_cast<std::size_t>(top.indices(0, j));
            if (r == query || !listed.insert(docs[r]).second) continue;
            const double score = top.scores(0, j);
            ++rank;
            std::printf("  %2zu. %.3f  %s\n", rank, score, docs[r].c_str());
            rec << query << ',' << rank << ',' << r << ',' << score << ',' << examples::csv_field(docs[r]) << '\n';
            t.rows.push_back({static_cast<long long>(rank), score, docs[r]});
        }
        report.section("Semantic recommendations").text("Track embeddings: " + embedding_kind + ".").table(t);
        std::printf("\n");
    }

    // 11. outputs
    {
        std::ofstream s(args.out / "split.csv");
        s << "row,set\n";
        for (auto r : split.train) s << r << ",train\n";
        for (auto r : split.test) s << r << ",test\n";
    }
    {
        std::ofstream j(args.out / "summary.json");
        j << "{\n  \"tracks\": " << tracks.rows() << ",\n  \"artists\": " << distinct_artists.size()
          << ",\n  \"genres\": " << distinct_genres.size() << ",\n  \"train\": " << split.train.size()
          << ",\n  \"test\": " << split.test.size() << ",\n  \"audio_features\": " << Z.cols()
          << ",\n  \"one_hot_genres\": " << G.cols() << ",\n  \"hashed_artist_columns\": " << H.cols()
          << ",\n  \"embedding_dimensions\": " << embedding.cols() << ",\n  \"galaxy_clusters\": " << n_clusters
          << ",\n  \"galaxy_noise_tracks\": " << noise << "\n}\n";
    }
    if (!sentiment.empty()) {
        std::ofstream t(args.out / "title_sentiment.csv");
        t << "track_id,neg,neu,pos,compound\n";
        const auto& ids = tracks.text("track_id");
        for (std::size_t i = 0; i < sentiment.size(); ++i)
            t << ids[i] << ',' << sentiment[i].neg << ',' << sentiment[i].neu << ',' << sentiment[i].pos << ','
              << sentiment[i].compound << '\n';
    }
    report.write(args.out / "report.html");
    progress.step("wrote %s/{report.html,summary.json,split.csv,baselines.csv,shap_importance.csv,galaxy.csv,recommendations.csv%s}", args.out.c_str(),
                  sentiment.empty() ? "" : ",title_sentiment.csv");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return examples::guarded_main("pipeline", [&] { return run(parse_args(argc, argv)); });
}
