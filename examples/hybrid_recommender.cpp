// examples/hybrid_recommender — content + collaborative recommendations, evaluated offline.
//
// Items are Last.fm artists (with --lastfm DIR: the HetRec 2011 files user_artists.dat,
// user_taggedartists.dat, tags.dat) or the built-in synthetic catalogue's tracks (default).
// Content = TF-IDF of each item's tag text (Last.fm: the tags users gave the artist; synthetic:
// genre and artist names), a user's content score = cosine of the item with the sum of the user's
// train items. Collaborative = item-item cosine kNN on BM25-weighted interactions, and implicit ALS.
// Split: per user (>= 5 items) 20 % of the items held out (seeded); the hybrid's alpha is chosen
// on a validation split carved the same way from the train part, then evaluated on the test part.
//
//   hybrid_recommender [--lastfm DIR] [--out DIR] [--k K] [--seed S] [--threads T]
#include "cli.hpp"

#include <musiclab/musiclab.hpp>
#include <musiclab/report.hpp>
#include <musiclab/recommend.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ml = musiclab;
namespace rc = musiclab::recommend;

namespace {

struct Args {
    std::optional<std::filesystem::path> lastfm;
    std::filesystem::path out = "hybrid_out";
    int k = 10;
    std::uint64_t seed = 0;
    int threads = 0;
};

Args parse_args(int argc, char** argv) {
    Args a;
    examples::Cli cli("hybrid_recommender",
                      "Popularity, item-item kNN, ALS, content-only (TF-IDF of tags, plus standardized\n"
                      "audio features where the data has them) and the hybrid\n"
                      "alpha * content + (1 - alpha) * item-kNN, evaluated with Recall@K, NDCG@K and MRR@K\n"
                      "on a seeded per-user 80/20 hold-out. Results go to --out as CSV and report.html.");
    cli.path("--lastfm", a.lastfm, "DIR",
             "folder with the Last.fm HetRec 2011 files (user_artists.dat,\nuser_taggedartists.dat, tags.dat); default: the built-in\n"
             "synthetic catalogue")
        .path("--out", a.out, "DIR", "output folder (default: hybrid_out)")
        .integer("--k", a.k, "K", "cutoff of the ranking metrics (default: 10)", 1, 1000)
        .integer("--seed", a.seed, "S", "seed of the splits and of ALS (default: 0)")
        .integer("--threads", a.threads, "T", "worker threads, 0 = all cores (default: 0)", 0, 1024);
    cli.parse(argc, argv);
    return a;
}

/// Interactions and one tag document per item.
struct Data {
    std::string name;
    rc::Interactions interactions;
    std::vector<std::string> item_docs;
    Eigen::MatrixXd audio;  // items x audio features (empty when the data has none)
};

/// Dense ids for raw ids, in first-seen order.
struct IdMap {
    std::unordered_map<long long, std::int32_t> index;
    std::int32_t operator()(long long raw) {
        const auto [it, added] = index.emplace(raw, static_cast<std::int32_t>(index.size()));
        return it->second;
    }
};

Data load_lastfm(const std::filesystem::path& dir) {
    for (const char* f : {"user_artists.dat", "user_taggedartists.dat", "tags.dat"})
        if (!std::filesystem::exists(dir / f)) throw ml::io_error((dir / f).string(), "missing Last.fm file");
    const auto plays = ml::io::read_csv(dir / "user_artists.dat", ml::io::CsvOptions::tsv());
    IdMap users, artists;
    std::vector<std::int32_t> u, i;
    std::vector<double> w;
    const auto& cu = plays.numeric("userID");
    const auto& ca = plays.numeric("artistID");
    const auto& cw = plays.numeric("weight");
    for (std::size_t r = 0; r < plays.rows(); ++r) {
        u.push_back(users(static_cast<long long>(cu[r])));
        i.push_back(artists(static_cast<long long>(ca[r])));
        w.push_back(cw[r]);
    }
    Data d;
    d.name = "Last.fm HetRec 2011 (user_artists.dat, tags of user_taggedartists.dat)";
    d.interactions = rc::Interactions::from_triples(u, i, w, users.index.size(), artists.index.size());
    auto tag_opts = ml::io::CsvOptions::tsv();
    tag_opts.encoding = ml::io::Encoding::latin1;
    tag_opts.types = {{"tagValue", ml::io::ColumnType::text}};
    const auto tags = ml::io::read_csv(dir / "tags.dat", tag_opts);
    std::unordered_map<long long, std::string> tag_name;
    for (std::size_t r = 0; r < tags.rows(); ++r) tag_name[static_cast<long long>(tags.numeric("tagID")[r])] = std::string(tags.text("tagValue")[r]);
    const auto assigned = ml::io::read_csv(dir / "user_taggedartists.dat", ml::io::CsvOptions::tsv());
    d.item_docs.assign(artists.index.size(), "");
    for (std::size_t r = 0; r < assigned.rows(); ++r) {
        const auto it = artists.index.find(static_cast<long long>(assigned.numeric("artistID")[r]));
        if (it == artists.index.end()) continue;  // artists nobody played (not in user_artists.dat)
        const auto t = tag_name.find(static_cast<long long>(assigned.numeric("tagID")[r]));
        if (t == tag_name.end()) continue;
        auto& doc = d.item_docs[static_cast<std::size_t>(it->second)];
        (doc += t->second) += " ; ";
    }
    return d;
}

Data load_synthetic(std::uint64_t seed) {
    ml::data::SyntheticOptions o;
    o.seed = seed;
    const auto cat = ml::data::make_catalogue(o);
    Data d;
    d.name = "built-in synthetic catalogue (5,000 tracks, 800 users)";
    const auto& user = cat.listens.numeric("user_id");  // 1-based
    const auto& track = cat.listens.text("track_id");   // a tracks.track_id
    const auto& plays = cat.listens.numeric("plays");
    std::unordered_map<std::string_view, std::int32_t> row_of;
    const auto& ids = cat.tracks.text("track_id");
    for (std::size_t r = 0; r < cat.tracks.rows(); ++r) row_of.emplace(ids[r], static_cast<std::int32_t>(r));
    std::vector<std::int32_t> u, i;
    std::vector<double> w;
    for (std::size_t r = 0; r < cat.listens.rows(); ++r) {
        u.push_back(static_cast<std::int32_t>(user[r]) - 1);
        i.push_back(row_of.at(track[r]));
        w.push_back(plays[r]);
    }
    std::int32_t n_users = 0;
    for (const auto x : u) n_users = std::max(n_users, x + 1);
    d.interactions = rc::Interactions::from_triples(u, i, w, static_cast<std::size_t>(n_users), cat.tracks.rows());
    const auto& genre = cat.tracks.text("track_genre");
    const auto& artist = cat.tracks.text("artists");
    for (std::size_t r = 0; r < cat.tracks.rows(); ++r) {
        std::string doc(genre[r]);
        (doc += ' ') += artist[r];
        d.item_docs.push_back(std::move(doc));
    }
    d.audio = cat.tracks.matrix({"danceability", "energy", "loudness", "speechiness", "acousticness", "instrumentalness", "liveness",
                                 "valence", "tempo"});
    return d;
}

/// Content scores of every item for a user: the summed cosine of the item with the user's train
/// items, over the tag TF-IDF rows and (when the data has audio features) the standardized,
/// L2-normalised audio rows, the two halves weighted equally.
struct Content {
    Eigen::SparseMatrix<double, Eigen::RowMajor> T;  // items x terms, rows L2-normalised (or empty)
    Eigen::MatrixXd A;                               // items x audio features, rows L2-normalised (or empty)
    std::vector<double> scores(std::span<const std::int32_t> items) const {
        Eigen::VectorXd profile = Eigen::VectorXd::Zero(T.cols());
        for (const auto i : items)
            for (decltype(T)::InnerIterator it(T, i); it; ++it) profile[it.col()] += it.value();
        Eigen::VectorXd s = T * profile;
        if (A.size() > 0) {
            Eigen::VectorXd audio_profile = Eigen::VectorXd::Zero(A.cols());
            for (const auto i : items) audio_profile += A.row(i).transpose();
            s = 0.5 * s + 0.5 * (A * audio_profile);
        }
        return {s.data(), s.data() + s.size()};
    }
};

int run(const Args& args) {
    const examples::Progress clock;
    Data data = args.lastfm ? load_lastfm(*args.lastfm) : load_synthetic(args.seed);
    const auto& R = data.interactions;
    std::printf("[%6.2f s] %s: %zu users, %zu items, %zu interactions\n", clock.seconds(), data.name.c_str(), R.num_users(),
                R.num_items(), R.num_interactions());

    // Content: TF-IDF of the item documents (items without tags get an empty row).
    Content content;
    {
        auto [model, T] = ml::text::fit_transform_tfidf<double>(data.item_docs);
        content.T = std::move(T);
        std::printf("[%6.2f s] content: TF-IDF of item tags, %zu terms, %lld non-zeros\n", clock.seconds(), model.num_features(),
                    static_cast<long long>(content.T.nonZeros()));
    }
    if (data.audio.size() > 0) {
        ml::preprocess::StandardScaler scaler;
        content.A = scaler.fit_transform(data.audio);
        content.A.rowwise().normalize();
        std::printf("[%6.2f s] content: %lld standardized audio features per item\n", clock.seconds(), static_cast<long long>(content.A.cols()));
    }

    const rc::Split split = rc::holdout_split(R, 0.2, 5, args.seed);
    const rc::Split validation = rc::holdout_split(split.train, 0.2, 5, args.seed + 1);
    std::size_t evaluated = 0;
    for (const auto& t : split.test) evaluated += !t.empty();
    std::printf("[%6.2f s] split: per user >= 5 items, 20 %% held out (seed %llu): %zu users evaluated\n", clock.seconds(),
                static_cast<unsigned long long>(args.seed), evaluated);

    auto fit_models = [&](const rc::Interactions& train, rc::Popularity& pop, rc::ItemKNN& knn, rc::ImplicitALS* als) {
        pop.fit(train);
        const rc::SparseRows weighted = rc::bm25_weight(train.item_users(), 100.0, 0.8);  // items x users
        knn.fit(weighted);
        if (als) als->fit(rc::Interactions::from_matrix(weighted.transpose()));
    };
    rc::ItemKNNOptions ko;
    ko.neighbours = 100;
    ko.num_threads = args.threads;
    rc::ALSOptions ao;
    ao.factors = 64;
    ao.iterations = 15;
    ao.regularization = 0.05;
    ao.seed = args.seed;
    ao.num_threads = args.threads;

    // Alpha on the validation split.
    rc::Popularity vpop;
    rc::ItemKNN vknn(ko);
    fit_models(validation.train, vpop, vknn, nullptr);
    const std::vector<double> alphas{0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
    const auto sweep = rc::sweep_alpha(
        validation, args.k, alphas, [&](std::size_t u) { return content.scores(validation.train.items_of(u)); },
        [&](std::size_t u) { return vknn.scores(validation.train.items_of(u), validation.train.values_of(u)); }, args.threads);
    const double alpha = rc::best_alpha(sweep).alpha;
    std::printf("[%6.2f s] alpha sweep on the validation split: best alpha = %.1f (NDCG@%d %.4f)\n", clock.seconds(), alpha, args.k,
                rc::best_alpha(sweep).summary.ndcg);

    // Final models on the whole train part, evaluated on test.
    rc::Popularity pop;
    rc::ItemKNN knn(ko);
    rc::ImplicitALS als(ao);
    fit_models(split.train, pop, knn, &als);
    std::printf("[%6.2f s] fitted popularity, item-kNN (K = %zu, BM25), ALS (%zu factors, %zu iterations)\n", clock.seconds(),
                ko.neighbours, ao.factors, ao.iterations);
    struct Row {
        std::string model;
        ml::metrics::RankingSummary s;
    };
    std::vector<Row> rows;
    const auto& T = split.train;
    rows.push_back({"popularity", rc::evaluate_top_n(split, args.k, [&](std::size_t) { return pop.scores(); }, args.threads)});
    rows.push_back({"item-kNN", rc::evaluate_top_n(split, args.k, [&](std::size_t u) { return knn.scores(T.items_of(u), T.values_of(u)); },
                                                   args.threads)});
    rows.push_back({"ALS", rc::evaluate_top_n(split, args.k, [&](std::size_t u) { return als.scores(u); }, args.threads)});
    rows.push_back({"content", rc::evaluate_top_n(split, args.k, [&](std::size_t u) { return content.scores(T.items_of(u)); }, args.threads)});
    char label[64];
    std::snprintf(label, sizeof label, "hybrid (alpha %.1f)", alpha);
    rows.push_back({label, rc::evaluate_top_n(
                               split, args.k,
                               [&](std::size_t u) {
                                   return rc::blend(content.scores(T.items_of(u)), knn.scores(T.items_of(u), T.values_of(u)), alpha,
                                                    T.items_of(u));
                               },
                               args.threads)});

    std::filesystem::create_directories(args.out);
    std::ofstream csv(args.out / "results.csv");
    csv << "model,recall_at_k,ndcg_at_k,mrr_at_k,precision_at_k,users,k\n";
    std::printf("\n%-20s %10s %10s %10s   (K = %d, %zu users)\n", "model", "Recall", "NDCG", "MRR", args.k, rows[0].s.n_queries);
    for (const auto& r : rows) {
        std::printf("%-20s %10.4f %10.4f %10.4f\n", r.model.c_str(), r.s.recall, r.s.ndcg, r.s.mrr);
        csv << '"' << r.model << "\"," << r.s.recall << ',' << r.s.ndcg << ',' << r.s.mrr << ',' << r.s.precision << ',' << r.s.n_queries
            << ',' << args.k << '\n';
    }
    std::ofstream sweep_csv(args.out / "alpha_sweep.csv");
    sweep_csv << "alpha,validation_recall_at_k,validation_ndcg_at_k\n";
    for (const auto& p : sweep) sweep_csv << p.alpha << ',' << p.summary.recall << ',' << p.summary.ndcg << '\n';

    ml::report::HtmlReport report("musiclab hybrid recommender", data.name);
    report.section("Data").text(std::to_string(R.num_users()) + " users, " + std::to_string(R.num_items()) + " items, " +
                                std::to_string(R.num_interactions()) + " interactions; per user with >= 5 items, 20 % held out (seed " +
                                std::to_string(args.seed) + "): " + std::to_string(evaluated) + " users evaluated.");
    ml::report::Table table{"Top-" + std::to_string(args.k) + " ranking on the held-out items",
                            {"model", "Recall@" + std::to_string(args.k), "NDCG@" + std::to_string(args.k), "MRR@" + std::to_string(args.k),
                             "Precision@" + std::to_string(args.k)},
                            {},
                            4};
    ml::report::Bars bars{"Ranking metrics at K = " + std::to_string(args.k), "score", {}, {"Recall", "NDCG", "MRR"}, {{}, {}, {}}, false};
    for (const auto& r : rows) {
        table.rows.push_back({r.model, r.s.recall, r.s.ndcg, r.s.mrr, r.s.precision});
        bars.labels.push_back(r.model);
        bars.values[0].push_back(r.s.recall);
        bars.values[1].push_back(r.s.ndcg);
        bars.values[2].push_back(r.s.mrr);
    }
    report.section("Models").table(table).bars(bars);
    ml::report::Lines lines{"Alpha sweep on the validation split (alpha * content + (1 - alpha) * item-kNN)", "alpha",
                            "score at K = " + std::to_string(args.k), {}, {"Recall", "NDCG"}, {{}, {}}};
    for (const auto& p : sweep) {
        lines.x.push_back(p.alpha);
        lines.y[0].push_back(p.summary.recall);
        lines.y[1].push_back(p.summary.ndcg);
    }
    report.section("Hybrid weight").lines(lines).text(std::string("Chosen: ") + label + ", the best validation NDCG.");
    report.write(args.out / "report.html");
    std::printf("\n[%6.2f s] wrote %s/{results.csv,alpha_sweep.csv,report.html}\n", clock.seconds(), args.out.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return examples::guarded_main("hybrid_recommender", [&] { return run(parse_args(argc, argv)); });
}
