// examples/fresh_finds — a "fresh finds" playlist: the recent releases closest to what a listener
// already plays. On the built-in synthetic catalogue and its listening histories (default) or a
// Spotify-style CSV with release dates (--tracks, e.g.
// ../shared/data/tidytuesday_spotify_songs/spotify_songs.csv).
//
// 1. Recent releases = tracks released within --recent-days of the newest release date; the rest
//    is the back catalogue. Tracks without a parseable date are left out of both.
// 2. Track vectors: min-max scaled audio features and one-hot genres (and subgenres when the data
//    has them), centred, reduced by truncated SVD to --components dimensions and L2-normalised.
// 3. The listener: synthetic data — a user's listens of back-catalogue tracks (--user, default the
//    user with the most listens); a CSV — --history FILE (a CSV with a track_id column and an
//    optional plays column), else --like GENRE: a seeded sample of 40 back-catalogue tracks of that
//    genre (default: the most common genre). Profile = play-weighted mean of the history vectors.
// 4. Playlist = the --size recent releases of largest cosine with the profile. With synthetic
//    data every user's own listens of recent releases are the ground truth: mean Recall@N (hits /
//    min(N, R)) and MRR@N over users, beside a "most popular recent releases" baseline.
//
//   fresh_finds [--tracks FILE] [--history FILE | --like GENRE] [--user U] [--recent-days D] [--size N] [--components K] [--out DIR] [--seed S]
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
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace ml = musiclab;

namespace {

const std::vector<std::string> audio_features = {"danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
                                                 "instrumentalness", "liveness", "valence", "tempo", "duration_ms"};

struct Args {
    std::optional<std::filesystem::path> tracks, history;
    std::string like;
    std::size_t user = 0;  // 0 = the user with the most listens
    std::size_t recent_days = 365;
    std::size_t size = 30;
    std::size_t components = 16;
    std::filesystem::path out = "fresh_finds_out";
    std::uint64_t seed = 42;
};

Args parse_args(int argc, char** argv) {
    Args a;
    examples::Cli cli("fresh_finds",
                      "A playlist of recent releases closest to a listener's history: min-max scaled audio\n"
                      "features + one-hot genres -> truncated SVD -> cosine with the play-weighted history\n"
                      "profile. Results go to --out as playlist.csv, summary.json and report.html.");
    cli.path("--tracks", a.tracks, "FILE", "Spotify-style tracks CSV with release dates (default: the built-in\nsynthetic catalogue with listening histories)")
        .path("--history", a.history, "FILE", "CSV of the listener's tracks: track_id [, plays] (CSV catalogue only)")
        .text("--like", a.like, "GENRE", "without --history: 40 seeded back-catalogue tracks of this genre\n(default: the most common genre)")
        .integer("--user", a.user, "U", "synthetic data: the listener's user_id (default: the user with the most listens)")
        .integer("--recent-days", a.recent_days, "D", "release window of the recent tracks, in days before the newest\nrelease (default: 365)", 1)
        .integer("--size", a.size, "N", "playlist length (default: 30)", 1, 10000)
        .integer("--components", a.components, "K", "SVD dimensions of the track vectors (default: 16)", 1, 1000)
        .path("--out", a.out, "DIR", "output folder (default: fresh_finds_out)")
        .integer("--seed", a.seed, "S", "seed of the synthetic data, the --like sample and SVD (default: 42)");
    cli.parse(argc, argv);
    return a;
}

/// The first of `names` that `table` has (throws a clear error naming them all otherwise).
std::string column_of(const ml::io::Table& table, std::initializer_list<const char*> names) {
    for (const char* n : names)
        if (table.contains(n)) return n;
    std::string all;
    for (const char* n : names) (all += all.empty() ? "" : " or ") += n;
    throw ml::invalid_parameter("--tracks", "a table without " + all, "a Spotify-style CSV with a column " + all);
}

int run(const Args& args) {
    const examples::Progress progress;
    std::filesystem::create_directories(args.out);

    // 1. catalogue (+ listens for synthetic data)
    ml::io::Table tracks;
    std::optional<ml::io::Table> listens;
    std::string source;
    if (args.tracks) {
        progress.step("reading %s", args.tracks->c_str());
        ml::io::CsvOptions o;
        o.invalid_utf8 = ml::io::InvalidUtf8::replace;
        tracks = ml::io::read_csv(*args.tracks, o);
        source = args.tracks->string();
    } else {
        if (args.history) throw ml::invalid_parameter("--history", args.history->string(), "only with --tracks (synthetic data has its own listeners)");
        ml::data::SyntheticOptions o;
        o.seed = args.seed;
        auto catalogue = ml::data::make_catalogue(o);
        tracks = std::move(catalogue.tracks);
        listens = std::move(catalogue.listens);
        source = "built-in synthetic catalogue (" + std::to_string(tracks.rows()) + " tracks, seed " + std::to_string(args.seed) + ")";
    }
    const std::string genre_name = column_of(tracks, {"track_genre", "playlist_genre"});
    const std::string date_name = column_of(tracks, {"release_date", "track_album_release_date"});
    const std::string artist_name = column_of(tracks, {"artists", "track_artist"});
    const std::string popularity_name = column_of(tracks, {"popularity", "track_popularity"});
    const auto& ids = tracks.text("track_id");
    const auto& names = tracks.text("track_name");
    const auto& genre = tracks.text(genre_name);
    const auto& artist = tracks.text(artist_name);
    const auto popularity = tracks.numeric(popularity_name).values();
    const std::size_t n = tracks.rows();

    // one row per track_id (a track may sit in several playlists): the first
    std::unordered_map<std::string_view, std::size_t> row_of;
    std::vector<std::uint8_t> keep(n, 0);
    for (std::size_t r = 0; r < n; ++r) keep[r] = row_of.emplace(ids[r], r).second;

    // 2. recent releases
    const auto& dates = tracks.text(date_name);
    std::vector<std::optional<ml::preprocess::Date>> date(n);
    std::int32_t newest = std::numeric_limits<std::int32_t>::min();
    std::size_t undated = 0;
    for (std::size_t r = 0; r < n; ++r) {
        if (!keep[r]) continue;
        date[r] = ml::preprocess::try_parse_date(dates[r]);
        if (date[r]) newest = std::max(newest, date[r]->days);
        else ++undated;
    }
    if (newest == std::numeric_limits<std::int32_t>::min()) throw ml::invalid_parameter(date_name, "no parseable date", "YYYY, YYYY-MM or YYYY-MM-DD dates");
    const std::int32_t cutoff = newest - static_cast<std::int32_t>(std::min<std::size_t>(args.recent_days, 3'000'000));
    std::vector<std::size_t> recent, back;
    for (std::size_t r = 0; r < n; ++r)
        if (keep[r] && date[r]) (date[r]->days > cutoff ? recent : back).push_back(r);
    if (recent.empty()) throw ml::invalid_parameter("--recent-days", args.recent_days, "a window holding at least one release");
    progress.step("%s: %zu tracks; %zu recent releases (after %s), %zu in the back catalogue, %zu without a date", source.c_str(), row_of.size(),
                  recent.size(), ml::preprocess::format_date(ml::preprocess::Date{cutoff, ml::preprocess::DatePrecision::day}).c_str(), back.size(),
                  undated);

    // 3. track vectors: [min-max audio | one-hot genre (| one-hot subgenre)] -> SVD -> unit rows
    Eigen::MatrixXd audio = tracks.matrix(audio_features);
    for (Eigen::Index i = 0; i < audio.rows(); ++i)
        for (Eigen::Index j = 0; j < audio.cols(); ++j)
            if (!std::isfinite(audio(i, j))) audio(i, j) = 0.0;
    ml::preprocess::MinMaxScaler scaler;
    const Eigen::MatrixXd scaled = scaler.fit_transform(audio);
    std::vector<std::string> categorical{genre_name};
    if (tracks.contains("playlist_subgenre")) categorical.push_back("playlist_subgenre");
    ml::preprocess::OneHotEncoder one_hot;
    std::vector<std::vector<std::string_view>> cats(categorical.size());
    for (std::size_t c = 0; c < categorical.size(); ++c) {
        const auto& col = tracks.text(categorical[c]);
        for (std::size_t r = 0; r < n; ++r) cats[c].push_back(col[r]);
    }
    one_hot.fit(cats, categorical);
    const auto G = one_hot.transform(cats);
    Eigen::MatrixXd F(static_cast<Eigen::Index>(n), scaled.cols() + G.cols());
    F.leftCols(scaled.cols()) = scaled;
    F.rightCols(G.cols()) = Eigen::MatrixXd(G);
    // centred first: otherwise the first component is the (all-positive) mean direction and every
    // track looks alike to the cosine
    F.rowwise() -= F.colwise().mean();
    ml::linalg::TruncatedSvdOptions so;
    so.n_components = std::min<std::size_t>(args.components, static_cast<std::size_t>(std::min(F.rows(), F.cols())) - 1);
    so.seed = args.seed;
    auto [svd, V] = ml::linalg::fit_transform_truncated_svd(F, so);
    Eigen::MatrixXd U = V;
    for (Eigen::Index i = 0; i < U.rows(); ++i)
        if (const double norm = U.row(i).norm(); norm > 0) U.row(i) /= norm;
    progress.step("track vectors: %lld min-max audio + %lld one-hot columns, centred -> %zu SVD components (%.1f %% of the variance)",
                  static_cast<long long>(scaled.cols()), static_cast<long long>(G.cols()), so.n_components,
                  100.0 * svd.explained_variance_ratio().sum());

    // 4. the listener's history (row -> plays) and, for synthetic data, the recent listens
    std::map<std::size_t, double> history;
    std::string listener;
    if (listens) {
        const auto& user = listens->numeric("user_id");
        const auto& track = listens->text("track_id");
        const auto& plays = listens->numeric("plays");
        std::size_t u = args.user;
        if (u == 0) {
            std::map<std::size_t, std::size_t> count;
            for (std::size_t r = 0; r < listens->rows(); ++r) ++count[static_cast<std::size_t>(user[r])];
            for (const auto& [id, c] : count)
                if (u == 0 || c > count[u]) u = id;
        }
        for (std::size_t r = 0; r < listens->rows(); ++r) {
            if (static_cast<std::size_t>(user[r]) != u) continue;
            const auto it = row_of.find(track[r]);
            if (it == row_of.end() || !date[it->second]) continue;
            if (date[it->second]->days <= cutoff) history[it->second] += plays[r];
        }
        listener = "synthetic user " + std::to_string(u);
        if (history.empty()) throw ml::invalid_parameter("--user", u, "a user with listens in the back catalogue");
    } else if (args.history) {
        const auto h = ml::io::read_csv(*args.history);
        const auto& hid = h.text("track_id");
        std::size_t unknown = 0;
        for (std::size_t r = 0; r < h.rows(); ++r) {
            const auto it = row_of.find(hid[r]);
            if (it == row_of.end()) {
                ++unknown;
                continue;
            }
            history[it->second] += h.contains("plays") ? std::max(h.numeric("plays")[r], 0.0) : 1.0;
        }
        listener = "history " + args.history->string() + " (" + std::to_string(unknown) + " unknown track ids skipped)";
        if (history.empty()) throw ml::invalid_parameter("--history", args.history->string(), "a CSV with track_id values of the catalogue");
    } else {
        std::map<std::string, std::vector<std::size_t>> by_genre;
        for (auto r : back) by_genre[std::string(genre[r])].push_back(r);
        std::string like = args.like;
        if (like.empty())
            for (const auto& [g, rows] : by_genre)
                if (like.empty() || rows.size() > by_genre[like].size()) like = g;
        const auto it = by_genre.find(like);
        if (it == by_genre.end()) throw ml::invalid_parameter("--like", like, "a genre of the back catalogue");
        std::vector<std::size_t> pool = it->second;
        ml::Rng rng(args.seed);
        for (std::size_t t = 0; t < std::min<std::size_t>(40, pool.size()); ++t) {
            std::swap(pool[t], pool[t + static_cast<std::size_t>(rng.below(pool.size() - t))]);
            history[pool[t]] = 1.0;
        }
        listener = "a listener of " + like + " (40 seeded back-catalogue tracks)";
    }
    Eigen::VectorXd profile = Eigen::VectorXd::Zero(U.cols());
    double total = 0;
    for (const auto& [r, plays] : history) {
        profile += plays * U.row(static_cast<Eigen::Index>(r)).transpose();
        total += plays;
    }
    profile /= std::max(total, 1e-300);
    progress.step("listener: %s: %zu history tracks", listener.c_str(), history.size());

    // 5. playlist: cosine of the recent releases with the profile, top --size
    Eigen::MatrixXd R(static_cast<Eigen::Index>(recent.size()), U.cols());
    for (std::size_t i = 0; i < recent.size(); ++i) R.row(static_cast<Eigen::Index>(i)) = U.row(static_cast<Eigen::Index>(recent[i]));
    const std::size_t size = std::min(args.size, recent.size());
    const auto top = ml::recommend::top_k(profile.transpose(), R, size);
    std::vector<std::size_t> playlist;
    std::vector<double> cosine;
    for (std::size_t j = 0; j < size; ++j) {
        playlist.push_back(recent[static_cast<std::size_t>(top.indices(0, static_cast<Eigen::Index>(j)))]);
        cosine.push_back(top.scores(0, static_cast<Eigen::Index>(j)));
    }
    std::ofstream csv(args.out / "playlist.csv");
    csv << "rank,track_id,track_name,artists,genre,release_date,cosine\n";
    ml::report::Table table{"Fresh finds for " + listener, {"rank", "track", "artist", "genre", "released", "cosine"}, {}, 3};
    std::printf("\n  fresh finds for %s\n", listener.c_str());
    for (std::size_t j = 0; j < playlist.size(); ++j) {
        const auto r = playlist[j];
        csv << j + 1 << ',' << ids[r] << ',' << examples::csv_field(names[r]) << ',' << examples::csv_field(artist[r]) << ','
            << examples::csv_field(genre[r]) << ',' << dates[r] << ',' << cosine[j] << '\n';
        table.rows.push_back({static_cast<long long>(j + 1), std::string(names[r]), std::string(artist[r]), std::string(genre[r]),
                              std::string(dates[r]), cosine[j]});
        if (j < 10)
            std::printf("  %2zu. %.3f  %s - %s [%s, %s]\n", j + 1, cosine[j], std::string(names[r]).c_str(), std::string(artist[r]).c_str(),
                        std::string(genre[r]).c_str(), std::string(dates[r]).c_str());
    }
    std::printf("\n");

    // 6. evaluation against the listener's own recent listens (synthetic data)
    ml::report::HtmlReport report("musiclab fresh finds", source);
    report.section("Listener and catalogue")
        .text(listener + ": " + std::to_string(history.size()) + " history tracks. " + std::to_string(recent.size()) +
              " releases within " + std::to_string(args.recent_days) + " days of the newest, " + std::to_string(back.size()) +
              " in the back catalogue.");
    nlohmann::json summary = {{"source", source}, {"listener", listener}, {"history_tracks", history.size()}, {"recent_releases", recent.size()},
                              {"playlist", playlist.size()}, {"svd_components", so.n_components}};
    if (listens) {
        // every user with back-catalogue history and recent listens: the same playlist recipe
        // against a "most popular recent releases" list, Recall@N = hits / min(N, R) and MRR@N
        const auto& user = listens->numeric("user_id");
        const auto& track = listens->text("track_id");
        const auto& plays = listens->numeric("plays");
        std::map<std::size_t, std::pair<std::map<std::size_t, double>, std::set<std::size_t>>> users;  // id -> (history, truth)
        for (std::size_t r = 0; r < listens->rows(); ++r) {
            const auto it = row_of.find(track[r]);
            if (it == row_of.end() || !date[it->second]) continue;
            auto& [h, t] = users[static_cast<std::size_t>(user[r])];
            if (date[it->second]->days > cutoff) t.insert(it->second);
            else h[it->second] += plays[r];
        }
        std::vector<const std::pair<std::map<std::size_t, double>, std::set<std::size_t>>*> evaluated;
        for (const auto& [id, ht] : users)
            if (!ht.first.empty() && !ht.second.empty()) evaluated.push_back(&ht);
        Eigen::MatrixXd P = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(evaluated.size()), U.cols());
        for (std::size_t e = 0; e < evaluated.size(); ++e)
            for (const auto& [r, w] : evaluated[e]->first) P.row(static_cast<Eigen::Index>(e)) += w * U.row(static_cast<Eigen::Index>(r));
        const auto lists = ml::recommend::top_k(P, R, size);
        std::vector<std::size_t> popular = recent;
        std::stable_sort(popular.begin(), popular.end(), [&](std::size_t a, std::size_t b) { return popularity[a] > popularity[b]; });
        popular.resize(size);
        double sum[4] = {0, 0, 0, 0};
        for (std::size_t e = 0; e < evaluated.size(); ++e) {
            const auto& truth_e = evaluated[e]->second;
            auto score = [&](auto&& item_at, double* out) {
                std::size_t hits = 0;
                double rr = 0;
                for (std::size_t j = 0; j < size; ++j)
                    if (truth_e.count(item_at(j))) {
                        ++hits;
                        if (rr == 0) rr = 1.0 / static_cast<double>(j + 1);
                    }
                out[0] += static_cast<double>(hits) / static_cast<double>(std::min(size, truth_e.size()));
                out[1] += rr;
            };
            score([&](std::size_t j) { return recent[static_cast<std::size_t>(lists.indices(static_cast<Eigen::Index>(e), static_cast<Eigen::Index>(j)))]; },
                  sum);
            score([&](std::size_t j) { return popular[j]; }, sum + 2);
        }
        const double m = static_cast<double>(std::max<std::size_t>(evaluated.size(), 1));
        std::printf("  %zu users with history and recent listens: fresh finds Recall@%zu %.3f, MRR@%zu %.3f; most popular recent releases "
                    "%.3f, %.3f\n\n",
                    evaluated.size(), size, sum[0] / m, size, sum[1] / m, sum[2] / m, sum[3] / m);
        summary["evaluated_users"] = evaluated.size();
        summary["mean_recall_at_n"] = sum[0] / m;
        summary["mean_mrr_at_n"] = sum[1] / m;
        summary["mean_recall_at_n_most_popular"] = sum[2] / m;
        summary["mean_mrr_at_n_most_popular"] = sum[3] / m;
        report.section("Against the listeners' own recent listens")
            .text("Every synthetic user with back-catalogue history and listens of recent releases (" + std::to_string(evaluated.size()) +
                  " users) gets the same recipe; the recent releases they played are the relevant items. Recall@N = hits / min(N, R).")
            .table(ml::report::Table{"Means over users, N = " + std::to_string(size),
                                     {"playlist", "Recall@N", "MRR@N"},
                                     {{std::string("fresh finds (cosine to the history profile)"), sum[0] / m, sum[1] / m},
                                      {std::string("most popular recent releases"), sum[2] / m, sum[3] / m}},
                                     3});
    }
    // genre mix of the history and of the playlist
    std::map<std::string, std::pair<double, double>> mix;
    for (const auto& [r, plays] : history) mix[std::string(genre[r])].first += 1.0 / static_cast<double>(history.size());
    for (auto r : playlist) mix[std::string(genre[r])].second += 1.0 / static_cast<double>(playlist.size());
    ml::report::Bars bars{"Genre mix", "share of tracks", {}, {"history", "playlist"}, {{}, {}}, true};
    for (const auto& [g, shares] : mix) {
        bars.labels.push_back(g);
        bars.values[0].push_back(shares.first);
        bars.values[1].push_back(shares.second);
    }
    report.section("Playlist").table(table).bars(bars);
    // the first three SVD components of the recent releases and the history
    if (U.cols() >= 3) {
        std::vector<double> x, y, z;
        std::vector<std::string> role, hover, genres;
        const std::set<std::size_t> in_playlist(playlist.begin(), playlist.end());
        auto add = [&](std::size_t r, const char* what) {
            x.push_back(V(static_cast<Eigen::Index>(r), 0));
            y.push_back(V(static_cast<Eigen::Index>(r), 1));
            z.push_back(V(static_cast<Eigen::Index>(r), 2));
            role.emplace_back(what);
            genres.emplace_back(genre[r]);
            hover.push_back(std::string(names[r]) + " - " + std::string(artist[r]));
        };
        for (const auto& [r, plays] : history) add(r, "history");
        for (auto r : recent) add(r, in_playlist.count(r) ? "playlist" : "other recent release");
        ml::report::Scatter3d s;
        s.title = "Track vectors (first three SVD components)";
        s.x = x;
        s.y = y;
        s.z = z;
        s.colourings = {{"role", role}, {"genre", genres}};
        s.hover = hover;
        s.marker_size = 3.0;
        report.section("Where the playlist sits").scatter3d(s);
    }
    std::ofstream(args.out / "summary.json") << summary.dump(2) << '\n';
    report.write(args.out / "report.html");
    progress.step("wrote %s/{playlist.csv,summary.json,report.html}", args.out.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return examples::guarded_main("fresh_finds", [&] { return run(parse_args(argc, argv)); });
}
