// examples/genre_similarity — what drives popularity inside each genre, and whether text helps
// audio find songs of the same genre. On the built-in synthetic catalogue (default) or a
// Spotify-style CSV (--tracks, e.g. ../shared/data/spotify_tracks_114k/spotify_tracks.csv; rows
// with a repeated track_id are dropped, keeping the first).
//
// 1. Per-genre top audio predictors: a small gradient-boosted model of popularity on the audio
//    features of each genre's tracks, features ranked by mean |SHAP| over those tracks.
// 2. Similarity ranking: for up to --queries tracks per genre (seeded), the top-K most similar
//    other tracks by cosine of (a) the standardized audio features (the baseline) and (b) the same
//    audio block joined with a text block: TF-IDF of "track name - artists" reduced by truncated
//    SVD (no genre in the text: it is the label). A result is relevant when it has the query's genre.
//    Recall@K = hits / min(K, R) (R = the other tracks of the genre), MRR@K = 1 / rank of the
//    first hit within K; means per genre, their deltas (audio + text minus audio), and
//    baseline_available = the genre has queries with complete audio features (else no baseline and
//    no delta).
//
//   genre_similarity [--tracks FILE] [--out DIR] [--k K] [--queries N] [--svd-components N] [--seed S] [--threads T]
#include "cli.hpp"

#include <musiclab/musiclab.hpp>
#include <musiclab/report.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace ml = musiclab;

namespace {

const std::vector<std::string> audio_features = {"danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
                                                 "instrumentalness", "liveness", "valence", "tempo", "time_signature", "duration_ms"};

struct Args {
    std::optional<std::filesystem::path> tracks;
    std::filesystem::path out = "genre_similarity_out";
    int k = 10;
    std::size_t queries = 50;
    std::size_t svd_components = 64;
    std::size_t min_tracks = 30;
    std::uint64_t seed = 42;
    int threads = 0;
};

Args parse_args(int argc, char** argv) {
    Args a;
    examples::Cli cli("genre_similarity",
                      "Per-genre top audio predictors of popularity (GBT + mean |SHAP|), and same-genre\n"
                      "retrieval by cosine on audio features alone versus audio + text (TF-IDF + SVD of\n"
                      "\"track - artists\"): Recall@K and MRR@K per genre with their deltas. Results go to\n"
                      "--out as CSV, JSON and report.html.");
    cli.path("--tracks", a.tracks, "FILE", "Spotify-style tracks CSV (default: the built-in synthetic catalogue)")
        .path("--out", a.out, "DIR", "output folder (default: genre_similarity_out)")
        .integer("--k", a.k, "K", "cutoff of the ranking metrics (default: 10)", 1, 1000)
        .integer("--queries", a.queries, "N", "query tracks per genre, seeded sample (default: 50)", 1)
        .integer("--svd-components", a.svd_components, "N", "dimensions of the text block (default: 64)", 1, 4096)
        .integer("--min-tracks", a.min_tracks, "N", "genres with fewer tracks are left out (default: 30)", 2)
        .integer("--seed", a.seed, "S", "seed of the data, the query sample, SVD and GBT (default: 42)")
        .integer("--threads", a.threads, "T", "worker threads, 0 = all cores (default: 0)", 0, 1024);
    cli.parse(argc, argv);
    return a;
}

/// Rows of `table` whose track_id was not seen before (all rows when there is no track_id column).
std::vector<std::size_t> first_of_each_track(const ml::io::Table& table) {
    std::vector<std::size_t> rows;
    if (!table.contains("track_id")) {
        for (std::size_t r = 0; r < table.rows(); ++r) rows.push_back(r);
        return rows;
    }
    const auto& ids = table.text("track_id");
    std::unordered_set<std::string_view> seen;
    for (std::size_t r = 0; r < table.rows(); ++r)
        if (seen.insert(ids[r]).second) rows.push_back(r);
    return rows;
}

struct GenreResult {
    std::string genre;
    std::size_t tracks = 0, queries = 0;
    bool baseline_available = false;
    double recall_audio = NAN, mrr_audio = NAN, recall_text = NAN, mrr_text = NAN;
    std::vector<std::pair<std::string, double>> predictors;  // top features by mean |SHAP|
};

int run(const Args& args) {
    const examples::Progress progress;
    std::filesystem::create_directories(args.out);

    // 1. data: one row per track
    ml::io::Table table;
    std::string source;
    if (args.tracks) {
        progress.step("reading %s", args.tracks->c_str());
        ml::io::CsvOptions o;
        o.invalid_utf8 = ml::io::InvalidUtf8::replace;
        table = ml::io::read_csv(*args.tracks, o);
        source = args.tracks->string();
    } else {
        ml::data::SyntheticOptions o;
        o.seed = args.seed;
        table = ml::data::make_catalogue(o).tracks;
        source = "built-in synthetic catalogue (" + std::to_string(table.rows()) + " tracks, seed " + std::to_string(args.seed) + ")";
    }
    const std::vector<std::size_t> rows = first_of_each_track(table);
    const std::size_t n = rows.size();
    const Eigen::MatrixXd audio_all = table.matrix(audio_features);
    Eigen::MatrixXd X(static_cast<Eigen::Index>(n), audio_all.cols());
    for (std::size_t i = 0; i < n; ++i) X.row(static_cast<Eigen::Index>(i)) = audio_all.row(static_cast<Eigen::Index>(rows[i]));
    const auto& genre_col = table.text("track_genre");
    const auto& names = table.text("track_name");
    const auto& artists = table.text("artists");
    const auto popularity = table.numeric("popularity").values();
    std::map<std::string, std::vector<std::size_t>> by_genre;  // genre -> positions in rows
    for (std::size_t i = 0; i < n; ++i) by_genre[std::string(genre_col[rows[i]])].push_back(i);
    progress.step("%s: %zu tracks (%zu rows), %zu genres", source.c_str(), n, table.rows(), by_genre.size());

    // complete audio rows (the baseline needs them); missing values become the column mean
    std::vector<std::uint8_t> complete(n, 1);
    for (std::size_t i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < X.cols(); ++j)
            if (!std::isfinite(X(static_cast<Eigen::Index>(i), j))) complete[i] = 0;

    // 2. per-genre predictors: GBT (100 trees, depth 3) + mean |SHAP| on the genre's tracks
    std::vector<GenreResult> results;
    ml::trees::GbtOptions go;
    go.n_estimators = 100;
    go.learning_rate = 0.1;
    go.max_depth = 3;
    go.seed = args.seed;
    go.num_threads = 1;  // genres in parallel instead
    std::vector<std::pair<std::string, const std::vector<std::size_t>*>> genres;
    for (const auto& [g, members] : by_genre)
        if (members.size() >= args.min_tracks) genres.emplace_back(g, &members);
    results.resize(genres.size());
    ml::parallelize(ml::resolve_threads(args.threads), genres.size(), [&](int, std::size_t start, std::size_t len) {
        for (std::size_t gi = start; gi < start + len; ++gi) {
            const auto& members = *genres[gi].second;
            GenreResult& r = results[gi];
            r.genre = genres[gi].first;
            r.tracks = members.size();
            std::vector<std::size_t> usable;
            for (auto i : members)
                if (std::isfinite(popularity[rows[i]])) usable.push_back(i);
            if (usable.size() < args.min_tracks) continue;
            Eigen::MatrixXd Xg(static_cast<Eigen::Index>(usable.size()), X.cols());
            std::vector<double> yg(usable.size());
            for (std::size_t t = 0; t < usable.size(); ++t) {
                Xg.row(static_cast<Eigen::Index>(t)) = X.row(static_cast<Eigen::Index>(usable[t]));
                yg[t] = popularity[rows[usable[t]]];
            }
            const auto model = ml::trees::fit_gbt_regressor(Xg, yg, go);
            const Eigen::VectorXd importance = model.shap_values(Xg).cwiseAbs().colwise().mean().transpose();
            std::vector<std::size_t> order(audio_features.size());
            for (std::size_t j = 0; j < order.size(); ++j) order[j] = j;
            std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                return importance[static_cast<Eigen::Index>(a)] > importance[static_cast<Eigen::Index>(b)];
            });
            for (std::size_t j = 0; j < 3; ++j) r.predictors.emplace_back(audio_features[order[j]], importance[static_cast<Eigen::Index>(order[j])]);
        }
    });
    progress.step("per-genre popularity models: %zu genres with >= %zu tracks (GBT 100 trees, depth 3; mean |SHAP|)", genres.size(),
                  args.min_tracks);

    // 3. the two representations
    ml::preprocess::StandardScaler scaler;
    Eigen::MatrixXd A = scaler.fit_transform(X);
    for (Eigen::Index i = 0; i < A.rows(); ++i)
        for (Eigen::Index j = 0; j < A.cols(); ++j)
            if (!std::isfinite(A(i, j))) A(i, j) = 0.0;  // missing -> the mean
    A.rowwise().normalize();
    std::vector<std::string> docs(n);
    for (std::size_t i = 0; i < n; ++i) ((docs[i] = std::string(names[rows[i]])) += " - ") += artists[rows[i]];
    ml::text::TfidfOptions to;
    to.num_threads = args.threads;
    auto [tfidf, T] = ml::text::fit_transform_tfidf<double>(docs, to);
    ml::linalg::TruncatedSvdOptions so;
    so.n_components = std::min<std::size_t>(args.svd_components, std::min<std::size_t>(n, tfidf.num_features()) - 1);
    so.seed = args.seed;
    so.num_threads = args.threads;
    auto [svd, S] = ml::linalg::fit_transform_truncated_svd(T, so);
    Eigen::MatrixXd E(static_cast<Eigen::Index>(n), A.cols() + S.cols());
    E.leftCols(A.cols()) = A;
    E.rightCols(S.cols()) = S;
    for (Eigen::Index i = 0; i < E.rows(); ++i) {
        const double t = E.row(i).rightCols(S.cols()).norm();
        if (t > 0) E.row(i).rightCols(S.cols()) /= t;  // both blocks unit length: equal weight
    }
    progress.step("representations: %lld standardized audio features; audio + text: + %lld SVD components of TF-IDF (%zu terms)",
                  static_cast<long long>(A.cols()), static_cast<long long>(S.cols()), tfidf.num_features());

    // 4. queries: up to --queries per genre (seeded), complete audio rows only
    ml::Rng rng(args.seed);
    std::vector<std::size_t> query_rows;
    std::vector<std::size_t> query_genre;
    for (std::size_t gi = 0; gi < genres.size(); ++gi) {
        std::vector<std::size_t> pool;
        for (auto i : *genres[gi].second)
            if (complete[i]) pool.push_back(i);
        for (std::size_t t = 0; t < std::min(args.queries, pool.size()); ++t) {  // partial Fisher-Yates
            const std::size_t j = t + static_cast<std::size_t>(rng.below(pool.size() - t));
            std::swap(pool[t], pool[j]);
            query_rows.push_back(pool[t]);
            query_genre.push_back(gi);
        }
    }
    const auto k = static_cast<std::size_t>(args.k);
    auto evaluate = [&](const Eigen::MatrixXd& M, bool text) {
        Eigen::MatrixXd Q(static_cast<Eigen::Index>(query_rows.size()), M.cols());
        for (std::size_t q = 0; q < query_rows.size(); ++q) Q.row(static_cast<Eigen::Index>(q)) = M.row(static_cast<Eigen::Index>(query_rows[q]));
        ml::recommend::TopKOptions o;
        o.num_threads = args.threads;
        const auto top = ml::recommend::top_k(Q, M, std::min(k + 1, n), o);  // + 1: the query itself
        std::vector<double> recall_sum(genres.size(), 0.0), mrr_sum(genres.size(), 0.0);
        std::vector<std::size_t> count(genres.size(), 0);
        for (std::size_t q = 0; q < query_rows.size(); ++q) {
            const std::size_t g = query_genre[q];
            const std::string_view genre = genres[g].first;
            const std::size_t relevant = genres[g].second->size() - 1;
            std::size_t rank = 0, hits = 0;
            double rr = 0.0;
            for (Eigen::Index j = 0; j < top.indices.cols() && rank < k; ++j) {
                const auto item = top.indices(static_cast<Eigen::Index>(q), j);
                if (item < 0 || static_cast<std::size_t>(item) == query_rows[q]) continue;
                ++rank;
                if (genre_col[rows[static_cast<std::size_t>(item)]] == genre) {
                    ++hits;
                    if (rr == 0.0) rr = 1.0 / static_cast<double>(rank);
                }
            }
            recall_sum[g] += relevant ? static_cast<double>(hits) / static_cast<double>(std::min(k, relevant)) : 0.0;
            mrr_sum[g] += rr;
            ++count[g];
        }
        for (std::size_t g = 0; g < genres.size(); ++g) {
            if (count[g] == 0) continue;
            results[g].queries = count[g];
            (text ? results[g].recall_text : results[g].recall_audio) = recall_sum[g] / static_cast<double>(count[g]);
            (text ? results[g].mrr_text : results[g].mrr_audio) = mrr_sum[g] / static_cast<double>(count[g]);
            if (!text) results[g].baseline_available = true;
        }
    };
    evaluate(A, false);
    progress.step("audio-only ranking: %zu queries, top %d by cosine among %zu tracks", query_rows.size(), args.k, n);
    evaluate(E, true);
    progress.step("audio + text ranking: %zu queries", query_rows.size());

    // 5. outputs
    double sums[4] = {0, 0, 0, 0};
    std::size_t with_baseline = 0;
    std::ofstream csv(args.out / "genre_similarity.csv");
    csv << "genre,tracks,queries,baseline_available,recall_at_k_audio,recall_at_k_audio_text,delta_recall,mrr_at_k_audio,mrr_at_k_audio_text,"
           "delta_mrr,k\n";
    std::ofstream pred(args.out / "genre_predictors.csv");
    pred << "genre,rank,feature,mean_abs_shap\n";
    ml::report::Table table_metrics{"Same-genre retrieval, K = " + std::to_string(args.k) + " (means over each genre's queries)",
                                    {"genre", "tracks", "queries", "baseline", "Recall audio", "Recall audio+text", "delta Recall", "MRR audio",
                                     "MRR audio+text", "delta MRR"},
                                    {},
                                    3};
    ml::report::Table table_pred{"Top audio predictors of popularity per genre (mean |SHAP|, popularity points)",
                                 {"genre", "tracks", "1st", "2nd", "3rd"},
                                 {},
                                 2};
    ml::report::Bars recall_bars{"Recall@" + std::to_string(args.k) + " per genre", "Recall@" + std::to_string(args.k), {}, {"audio", "audio + text"},
                                 {{}, {}}, true};
    std::map<std::string, long long> top_feature_count;
    printf("\n  %-22s %8s %10s %10s %8s %8s\n", "genre", "queries", "R@K audio", "R@K +text", "MRR aud", "MRR +txt");
    for (const auto& r : results) {
        const bool b = r.baseline_available;
        const double dr = b ? r.recall_text - r.recall_audio : NAN, dm = b ? r.mrr_text - r.mrr_audio : NAN;
        csv << examples::csv_field(r.genre) << ',' << r.tracks << ',' << r.queries << ',' << (b ? "true" : "false") << ',' << r.recall_audio << ','
            << r.recall_text << ',' << dr << ',' << r.mrr_audio << ',' << r.mrr_text << ',' << dm << ',' << args.k << '\n';
        table_metrics.rows.push_back({r.genre, static_cast<long long>(r.tracks), static_cast<long long>(r.queries), std::string(b ? "yes" : "no"),
                                      r.recall_audio, r.recall_text, dr, r.mrr_audio, r.mrr_text, dm});
        recall_bars.labels.push_back(r.genre);
        recall_bars.values[0].push_back(r.recall_audio);
        recall_bars.values[1].push_back(r.recall_text);
        if (b && r.queries > 0) {
            sums[0] += r.recall_audio;
            sums[1] += r.recall_text;
            sums[2] += r.mrr_audio;
            sums[3] += r.mrr_text;
            ++with_baseline;
        }
        std::vector<ml::report::Cell> row{r.genre, static_cast<long long>(r.tracks)};
        for (std::size_t j = 0; j < 3; ++j) {
            if (j < r.predictors.size()) {
                char cell[96];
                std::snprintf(cell, sizeof cell, "%s (%.2f)", r.predictors[j].first.c_str(), r.predictors[j].second);
                row.emplace_back(std::string(cell));
                pred << examples::csv_field(r.genre) << ',' << j + 1 << ',' << r.predictors[j].first << ',' << r.predictors[j].second << '\n';
            } else {
                row.emplace_back(std::string("n/a"));
            }
        }
        if (!r.predictors.empty()) ++top_feature_count[r.predictors[0].first];
        table_pred.rows.push_back(std::move(row));
        if (results.size() <= 30 || &r - results.data() < 10)
            std::printf("  %-22s %8zu %10.3f %10.3f %8.3f %8.3f\n", r.genre.c_str(), r.queries, r.recall_audio, r.recall_text, r.mrr_audio,
                        r.mrr_text);
    }
    const double m = with_baseline ? static_cast<double>(with_baseline) : NAN;
    std::printf("  %-22s %8s %10.3f %10.3f %8.3f %8.3f   (mean over %zu genres)\n\n", "all genres", "", sums[0] / m, sums[1] / m, sums[2] / m,
                sums[3] / m, with_baseline);
    {
        std::ofstream j(args.out / "summary.json");
        j << "{\n  \"source\": " << nlohmann::json(source).dump() << ",\n  \"tracks\": " << n << ",\n  \"genres\": " << results.size()
          << ",\n  \"queries\": " << query_rows.size() << ",\n  \"k\": " << args.k << ",\n  \"mean_recall_at_k_audio\": " << sums[0] / m
          << ",\n  \"mean_recall_at_k_audio_text\": " << sums[1] / m << ",\n  \"mean_mrr_at_k_audio\": " << sums[2] / m
          << ",\n  \"mean_mrr_at_k_audio_text\": " << sums[3] / m << "\n}\n";
    }

    ml::report::HtmlReport report("musiclab genre similarity", source);
    report.section("Summary")
        .text(std::to_string(n) + " tracks, " + std::to_string(results.size()) + " genres with >= " + std::to_string(args.min_tracks) +
              " tracks, " + std::to_string(query_rows.size()) + " query tracks. Recall@K = hits / min(K, R), R = the other tracks of the "
              "query's genre; MRR@K = 1 / rank of the first same-genre track within K.")
        .table(ml::report::Table{"Mean over genres, K = " + std::to_string(args.k),
                                 {"representation", "Recall@K", "MRR@K"},
                                 {{std::string("audio features (baseline)"), sums[0] / m, sums[2] / m},
                                  {std::string("audio + text (TF-IDF + SVD)"), sums[1] / m, sums[3] / m}},
                                 4});
    report.section("Similarity ranking per genre").bars(recall_bars).table(table_metrics);
    ml::report::Bars top_bars{"How often each audio feature is a genre's top predictor", "genres", {}, {}, {{}}, true};
    std::vector<std::pair<std::string, long long>> counts(top_feature_count.begin(), top_feature_count.end());
    std::stable_sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [f, c] : counts) {
        top_bars.labels.push_back(f);
        top_bars.values[0].push_back(static_cast<double>(c));
    }
    report.section("Popularity predictors per genre").bars(top_bars).table(table_pred);
    report.write(args.out / "report.html");
    progress.step("wrote %s/{genre_similarity.csv,genre_predictors.csv,summary.json,report.html}", args.out.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return examples::guarded_main("genre_similarity", [&] { return run(parse_args(argc, argv)); });
}
