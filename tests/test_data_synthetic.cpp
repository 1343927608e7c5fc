#include <doctest/doctest.h>
#include <musiclab/data.hpp>

#include "support.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

namespace data = musiclab::data;
using musiclab::io::ColumnKind;

// The header of the Kaggle "Spotify Tracks Dataset" (shared/data/README.md, section 1), written out
// independently of the library, plus the extra release_date column.
const std::vector<std::string> expected_columns = {
    "track_id", "artists", "album_name", "track_name", "popularity", "duration_ms", "explicit",
    "danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
    "instrumentalness", "liveness", "valence", "tempo", "time_signature", "track_genre", "release_date"};
const std::set<std::string> text_columns = {"track_id", "artists", "album_name", "track_name",
                                            "explicit", "track_genre", "release_date"};

const data::Catalogue& default_catalogue() {
    static const data::Catalogue c = data::make_catalogue();
    return c;
}

bool same_tables(const musiclab::io::Table& a, const musiclab::io::Table& b) {
    if (a.names() != b.names() || a.rows() != b.rows()) return false;
    for (std::size_t j = 0; j < a.cols(); ++j) {
        const auto& name = a.names()[j];
        if (a.kind(name) != b.kind(name)) return false;
        if (a.kind(name) == ColumnKind::numeric) {
            const auto x = a.numeric(name).values(), y = b.numeric(name).values();
            if (std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) != 0) return false;
        } else {
            for (std::size_t i = 0; i < a.rows(); ++i)
                if (a.text(name)[i] != b.text(name)[i]) return false;
        }
    }
    return true;
}

double correlation(std::span<const double> x, std::span<const double> y) {
    const Eigen::Map<const Eigen::ArrayXd> a(x.data(), static_cast<Eigen::Index>(x.size()));
    const Eigen::Map<const Eigen::ArrayXd> b(y.data(), static_cast<Eigen::Index>(y.size()));
    const Eigen::ArrayXd ac = a - a.mean(), bc = b - b.mean();
    return (ac * bc).sum() / std::sqrt(ac.square().sum() * bc.square().sum());
}

// R^2 of an ordinary least-squares fit of y on [1, X].
double r_squared(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
    Eigen::MatrixXd d(x.rows(), x.cols() + 1);
    d << Eigen::VectorXd::Ones(x.rows()), x;
    const Eigen::VectorXd beta = d.colPivHouseholderQr().solve(y);
    const double ss_res = (y - d * beta).squaredNorm();
    const double ss_tot = (y.array() - y.mean()).square().sum();
    return 1.0 - ss_res / ss_tot;
}

struct Date {
    int year = 0, month = 0, day = 0, precision = 0;
};

// Parses YYYY, YYYY-MM or YYYY-MM-DD; precision 0 when malformed.
Date parse_date(std::string_view s) {
    auto number = [&](std::size_t pos, std::size_t len, int& out) {
        out = 0;
        for (std::size_t i = pos; i < pos + len; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            out = out * 10 + (s[i] - '0');
        }
        return true;
    };
    Date d;
    if (s.size() != 4 && s.size() != 7 && s.size() != 10) return d;
    if (!number(0, 4, d.year)) return d;
    if (s.size() >= 7 && (s[4] != '-' || !number(5, 2, d.month) || d.month < 1 || d.month > 12)) return d;
    if (s.size() == 10) {
        static constexpr int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (s[7] != '-' || !number(8, 2, d.day) || d.day < 1 || d.day > days[d.month - 1]) return d;
        const bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
        if (d.month == 2 && d.day == 29 && !leap) return d;
    }
    d.precision = s.size() == 4 ? 1 : (s.size() == 7 ? 2 : 3);
    return d;
}

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
        i += len;
    }
    return true;
}

}  // namespace

TEST_CASE("make_catalogue is deterministic and depends on the seed") {
    data::SyntheticOptions o;
    o.n_tracks = 1500;
    o.n_artists = 200;
    o.n_users = 100;
    const auto a = data::make_catalogue(o);
    const auto b = data::make_catalogue(o);
    CHECK(same_tables(a.tracks, b.tracks));
    CHECK(same_tables(a.listens, b.listens));
    CHECK(a.truth.artist_quality == b.truth.artist_quality);

    o.seed = 43;
    const auto c = data::make_catalogue(o);
    CHECK_FALSE(same_tables(a.tracks, c.tracks));
    CHECK_FALSE(same_tables(a.listens, c.listens));
    CHECK(a.tracks.text("track_id")[0] != c.tracks.text("track_id")[0]);
}

TEST_CASE("the tracks table does not depend on the listens options") {
    data::SyntheticOptions o;
    o.n_tracks = 800;
    o.n_artists = 100;
    o.n_users = 50;
    const auto a = data::make_catalogue(o);
    o.n_users = 70;
    o.max_listens_per_user = 40;
    const auto b = data::make_catalogue(o);
    CHECK(same_tables(a.tracks, b.tracks));
    CHECK(b.listens.rows() != a.listens.rows());
}

TEST_CASE("tracks columns are those of spotify_tracks.csv plus release_date") {
    const auto& t = default_catalogue().tracks;
    REQUIRE(t.names() == expected_columns);
    for (const auto& name : expected_columns)
        CHECK_MESSAGE(t.kind(name) == (text_columns.count(name) ? ColumnKind::text : ColumnKind::numeric), name);
    const auto listed = data::tracks_columns();
    REQUIRE(listed.size() == expected_columns.size());
    for (std::size_t i = 0; i < listed.size(); ++i) CHECK(listed[i] == expected_columns[i]);
    const auto listens = data::listens_columns();
    CHECK(default_catalogue().listens.names() == std::vector<std::string>(listens.begin(), listens.end()));
    CHECK(t.rows() == 5000);
}

TEST_CASE("tracks columns equal the header line of the real csv") {
    const auto path = musiclab::test::shared_dir() / "data" / "spotify_tracks_114k" / "spotify_tracks.csv";
    MUSICLAB_REQUIRE_PATH(path);
    std::ifstream in(path);
    std::string header;
    REQUIRE(std::getline(in, header));
    if (!header.empty() && header.back() == '\r') header.pop_back();
    std::vector<std::string> real;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= header.size(); ++i)
        if (i == header.size() || header[i] == ',') {
            real.push_back(header.substr(start, i - start));
            start = i + 1;
        }
    real.push_back("release_date");
    CHECK(default_catalogue().tracks.names() == real);
}

TEST_CASE("track values lie in the ranges and encodings of the real data") {
    const auto& c = default_catalogue();
    const auto& t = c.tracks;
    const std::size_t n = t.rows();
    std::unordered_set<std::string_view> ids;
    const auto genres = data::genre_names();
    const std::set<std::string_view> used_genres(genres.begin(), genres.begin() + 12);
    for (std::size_t i = 0; i < n; ++i) {
        const auto id = t.text("track_id")[i];
        REQUIRE(id.size() == 22);
        CHECK(std::all_of(id.begin(), id.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) != 0; }));
        ids.insert(id);
        const auto artists = t.text("artists")[i];
        CHECK(!artists.empty());
        CHECK(artists.front() != ';');
        CHECK(artists.back() != ';');
        CHECK(artists.find(";;") == std::string_view::npos);
        std::vector<std::string_view> parts;
        for (std::size_t start = 0, end = 0; start <= artists.size(); start = end + 1) {
            end = std::min(artists.find(';', start), artists.size());
            parts.push_back(artists.substr(start, end - start));
        }
        CHECK(std::set<std::string_view>(parts.begin(), parts.end()).size() == parts.size());  // no repeats
        CHECK(!t.text("track_name")[i].empty());
        CHECK(!t.text("album_name")[i].empty());
        CHECK(valid_utf8(artists));
        CHECK(valid_utf8(t.text("track_name")[i]));
        CHECK(valid_utf8(t.text("album_name")[i]));
        CHECK((t.text("explicit")[i] == "True" || t.text("explicit")[i] == "False"));
        CHECK(used_genres.count(t.text("track_genre")[i]) == 1);

        const double pop = t.numeric("popularity")[i];
        CHECK(pop == std::round(pop));
        CHECK(pop >= 0.0);
        CHECK(pop <= 100.0);
        const double dur = t.numeric("duration_ms")[i];
        CHECK(dur == std::round(dur));
        CHECK(dur >= 30000.0);
        CHECK(dur <= 1200000.0);
        for (const char* f : {"danceability", "energy", "speechiness", "acousticness", "instrumentalness", "liveness", "valence"}) {
            const double v = t.numeric(f)[i];
            CHECK_MESSAGE((v >= 0.0 && v <= 1.0), f << " = " << v);
        }
        const double key = t.numeric("key")[i];
        CHECK((key == std::round(key) && key >= 0.0 && key <= 11.0));
        CHECK(t.numeric("loudness")[i] < 0.0);
        CHECK(t.numeric("loudness")[i] > -60.0);
        CHECK((t.numeric("mode")[i] == 0.0 || t.numeric("mode")[i] == 1.0));
        CHECK(t.numeric("tempo")[i] >= 40.0);
        CHECK(t.numeric("tempo")[i] <= 250.0);
        const double ts = t.numeric("time_signature")[i];
        CHECK((ts == 3.0 || ts == 4.0 || ts == 5.0));
    }
    CHECK(ids.size() == n);  // ids are unique (collisions have probability ~n^2 / 62^22)
    for (const auto& name : t.names()) {
        if (t.kind(name) == ColumnKind::numeric) CHECK(t.numeric(name).missing_count() == 0);
        else CHECK(t.text(name).missing_count() == 0);
    }
    // time_signature is mostly 4; some tracks are explicit, most not; both modes occur
    std::size_t four = 0, explicit_count = 0, major = 0;
    for (std::size_t i = 0; i < n; ++i) {
        four += t.numeric("time_signature")[i] == 4.0;
        explicit_count += t.text("explicit")[i] == "True";
        major += t.numeric("mode")[i] == 1.0;
    }
    CHECK(four > n * 8 / 10);
    CHECK(explicit_count > n / 50);
    CHECK(explicit_count < n / 4);
    CHECK(major > n / 3);
    CHECK(major < n * 9 / 10);
}

TEST_CASE("release dates parse in three precisions within the year range") {
    const auto& t = default_catalogue().tracks;
    std::size_t counts[4] = {0, 0, 0, 0};
    for (std::size_t i = 0; i < t.rows(); ++i) {
        const auto d = parse_date(t.text("release_date")[i]);
        REQUIRE_MESSAGE(d.precision > 0, t.text("release_date")[i]);
        CHECK(d.year >= 1960);
        CHECK(d.year <= 2023);
        ++counts[d.precision];
        // the truth's full date agrees with the printed prefix
        const auto day = default_catalogue().truth.track_release_day[i];
        CHECK(day >= musiclab::detail::synthetic::days_from_civil(d.year, 1, 1));
        CHECK(day < musiclab::detail::synthetic::days_from_civil(d.year + 1, 1, 1));
    }
    CHECK(counts[3] > t.rows() * 8 / 10);  // mostly YYYY-MM-DD, like TidyTuesday (94%)
    CHECK(counts[1] > 0);                  // some YYYY
    CHECK(counts[2] > 0);                  // a few YYYY-MM
    CHECK(counts[2] < counts[1]);
}

TEST_CASE("audio features depend on the genre and correlate plausibly") {
    const auto& t = default_catalogue().tracks;
    // real data: corr(energy, loudness) = 0.76, corr(energy, acousticness) = -0.73, corr(danceability, valence) = 0.48
    CHECK(correlation(t.numeric("energy").values(), t.numeric("loudness").values()) > 0.6);
    CHECK(correlation(t.numeric("energy").values(), t.numeric("acousticness").values()) < -0.5);
    CHECK(correlation(t.numeric("danceability").values(), t.numeric("valence").values()) > 0.3);
    std::map<std::string, std::pair<double, double>> energy, acoustic;  // genre -> (sum, count)
    for (std::size_t i = 0; i < t.rows(); ++i) {
        const std::string g(t.text("track_genre")[i]);
        energy[g].first += t.numeric("energy")[i];
        energy[g].second += 1;
        acoustic[g].first += t.numeric("acousticness")[i];
        acoustic[g].second += 1;
    }
    auto mean = [](const std::pair<double, double>& p) { return p.first / p.second; };
    CHECK(mean(energy["metal"]) > mean(energy["classical"]) + 0.4);
    CHECK(mean(energy["edm"]) > mean(energy["jazz"]) + 0.2);
    CHECK(mean(acoustic["classical"]) > mean(acoustic["edm"]) + 0.5);
    CHECK(energy.size() == 12);
}

TEST_CASE("popularity has a strong artist effect and a modest audio effect") {
    const auto& c = default_catalogue();
    const auto& t = c.tracks;
    const std::size_t n = t.rows();
    const auto pop = t.numeric("popularity").values();
    const auto& artist = c.truth.track_artist;
    const std::size_t n_artists = c.truth.artist_names.size();

    // one-way ANOVA over primary artists: F = between mean square / within mean square. Without an
    // artist effect F ~ 1 (plus the genre and era of each artist); with it, far above.
    auto anova_f = [](const data::Catalogue& cat) {
        const auto p = cat.tracks.numeric("popularity").values();
        const std::size_t k = cat.truth.artist_names.size(), m = p.size();
        std::vector<double> sum(k, 0.0), count(k, 0.0);
        for (std::size_t i = 0; i < m; ++i) {
            sum[cat.truth.track_artist[i]] += p[i];
            count[cat.truth.track_artist[i]] += 1;
        }
        double grand = 0.0;
        for (double v : p) grand += v;
        grand /= static_cast<double>(m);
        double between = 0.0, within = 0.0;
        for (std::size_t a = 0; a < k; ++a) between += count[a] * std::pow(sum[a] / count[a] - grand, 2);
        for (std::size_t i = 0; i < m; ++i) {
            const auto a = cat.truth.track_artist[i];
            within += std::pow(p[i] - sum[a] / count[a], 2);
        }
        return (between / static_cast<double>(k - 1)) / (within / static_cast<double>(m - k));
    };
    const double f_with = anova_f(c);
    data::SyntheticOptions no_artist;
    no_artist.artist_effect_sd = 0.0;
    const double f_without = anova_f(data::make_catalogue(no_artist));
    MESSAGE("ANOVA F over artists: " << f_with << " (artist_effect_sd = 0: " << f_without << ")");
    // Without the artist effect F stays above 1: artists still differ in genre, era and style,
    // which move popularity too. The artist effect must dominate those.
    CHECK(f_with > 10.0);
    CHECK(f_without > 1.0);
    CHECK(f_with > 2.0 * f_without);

    // R^2 of popularity on the artist's leave-one-out mean popularity vs a linear fit on audio
    std::vector<double> sum(n_artists, 0.0), count(n_artists, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        sum[artist[i]] += pop[i];
        count[artist[i]] += 1;
    }
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < n; ++i)
        if (count[artist[i]] >= 2) rows.push_back(i);
    Eigen::MatrixXd loo(static_cast<Eigen::Index>(rows.size()), 1);
    Eigen::VectorXd y(static_cast<Eigen::Index>(rows.size()));
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto i = rows[r];
        loo(static_cast<Eigen::Index>(r), 0) = (sum[artist[i]] - pop[i]) / (count[artist[i]] - 1);
        y[static_cast<Eigen::Index>(r)] = pop[i];
    }
    const std::vector<std::string> audio = {"duration_ms", "danceability", "energy", "key", "loudness", "mode",
                                            "speechiness", "acousticness", "instrumentalness", "liveness",
                                            "valence", "tempo", "time_signature"};
    const Eigen::MatrixXd x = t.matrix(audio);
    const Eigen::VectorXd y_all = Eigen::Map<const Eigen::VectorXd>(pop.data(), static_cast<Eigen::Index>(n));
    const double r2_audio = r_squared(x, y_all);
    const double r2_artist = r_squared(loo, y);
    MESSAGE("R^2 audio (linear) = " << r2_audio << ", R^2 artist leave-one-out mean = " << r2_artist);
    CHECK(r2_audio > 0.08);   // a modest audio signal (target 0.15-0.3 for a non-linear model)
    CHECK(r2_audio < 0.35);
    CHECK(r2_artist > r2_audio + 0.1);

    // latent quality and popularity agree
    Eigen::VectorXd quality(static_cast<Eigen::Index>(n));
    for (std::size_t i = 0; i < n; ++i) quality[static_cast<Eigen::Index>(i)] = c.truth.artist_quality[artist[i]];
    CHECK(correlation(std::span<const double>(quality.data(), n), pop) > 0.4);
}

TEST_CASE("listens reference existing tracks and every user has listens") {
    const auto& c = default_catalogue();
    const auto& l = c.listens;
    const auto& t = c.tracks;
    const data::SyntheticOptions o;
    std::unordered_map<std::string_view, std::size_t> row_of;
    for (std::size_t i = 0; i < t.rows(); ++i) row_of[t.text("track_id")[i]] = i;
    std::vector<std::size_t> per_user(o.n_users + 1, 0);
    std::set<std::pair<double, std::string_view>> pairs;
    const double window_end = static_cast<double>(musiclab::detail::synthetic::days_from_civil(2024, 1, 1)) * 86400.0;
    const double window_start = static_cast<double>(musiclab::detail::synthetic::days_from_civil(2019, 1, 1)) * 86400.0;
    for (std::size_t i = 0; i < l.rows(); ++i) {
        const double user = l.numeric("user_id")[i];
        REQUIRE(user >= 1.0);
        REQUIRE(user <= static_cast<double>(o.n_users));
        ++per_user[static_cast<std::size_t>(user)];
        const auto id = l.text("track_id")[i];
        const auto it = row_of.find(id);
        REQUIRE(it != row_of.end());
        CHECK(pairs.emplace(user, id).second);  // each (user, track) once
        const double plays = l.numeric("plays")[i];
        CHECK(plays >= 1.0);
        CHECK(plays == std::round(plays));
        const double ts = l.numeric("timestamp")[i];
        CHECK(ts >= window_start);
        CHECK(ts < window_end);
        CHECK(ts >= static_cast<double>(c.truth.track_release_day[it->second]) * 86400.0);  // never before release
        if (i > 0) {
            const double prev_user = l.numeric("user_id")[i - 1];
            CHECK(prev_user <= user);
            if (prev_user == user) CHECK(l.numeric("timestamp")[i - 1] <= ts);
        }
    }
    for (std::size_t u = 1; u <= o.n_users; ++u) {
        CHECK(per_user[u] >= o.min_listens_per_user);
        CHECK(per_user[u] <= o.max_listens_per_user);
    }
}

TEST_CASE("listeners favour their genres and popular tracks with heavy-tailed plays") {
    const auto& c = default_catalogue();
    const auto& l = c.listens;
    const auto& t = c.tracks;
    std::unordered_map<std::string_view, std::size_t> row_of;
    for (std::size_t i = 0; i < t.rows(); ++i) row_of[t.text("track_id")[i]] = i;
    const std::size_t n_genres = c.truth.genres.size();
    double taste_share = 0.0, listened_pop = 0.0;
    std::vector<double> plays;
    for (std::size_t i = 0; i < l.rows(); ++i) {
        const auto u = static_cast<std::size_t>(l.numeric("user_id")[i]) - 1;
        const auto row = row_of.at(l.text("track_id")[i]);
        taste_share += c.truth.user_genre_weights[u * n_genres + c.truth.track_genre[row]] > 0.0;
        listened_pop += t.numeric("popularity")[row];
        plays.push_back(l.numeric("plays")[i]);
    }
    taste_share /= static_cast<double>(l.rows());
    listened_pop /= static_cast<double>(l.rows());
    double catalogue_pop = 0.0;
    for (double p : t.numeric("popularity").values()) catalogue_pop += p;
    catalogue_pop /= static_cast<double>(t.rows());
    MESSAGE("share of listens in the user's genres: " << taste_share << ", mean popularity listened "
                                                       << listened_pop << " vs catalogue " << catalogue_pop);
    CHECK(taste_share > 0.7);
    CHECK(listened_pop > catalogue_pop + 10.0);
    std::sort(plays.begin(), plays.end());
    const double median = plays[plays.size() / 2], p99 = plays[plays.size() * 99 / 100];
    double mean = 0.0;
    for (double p : plays) mean += p;
    mean /= static_cast<double>(plays.size());
    CHECK(mean > 1.5 * median);  // right-skewed like Last.fm weights (median 260, mean 745)
    CHECK(p99 > 10.0 * median);
    // truth: every user's taste mixture sums to 1 over 1-3 genres
    for (std::size_t u = 0; u < 800; ++u) {
        double s = 0.0;
        int k = 0;
        for (std::size_t g = 0; g < n_genres; ++g) {
            s += c.truth.user_genre_weights[u * n_genres + g];
            k += c.truth.user_genre_weights[u * n_genres + g] > 0.0;
        }
        CHECK(s == doctest::Approx(1.0).epsilon(1e-12));
        CHECK(k >= 1);
        CHECK(k <= 3);
    }
}

TEST_CASE("titles and names give text models work") {
    const auto& t = default_catalogue().tracks;
    std::size_t positive = 0, negative = 0, non_ascii_title = 0, non_ascii_artist = 0, feat = 0, remastered = 0, multi = 0;
    std::set<std::string_view> distinct_titles;
    for (std::size_t i = 0; i < t.rows(); ++i) {
        const auto name = t.text("track_name")[i];
        const auto artists = t.text("artists")[i];
        distinct_titles.insert(name);
        positive += name.find("Love") != std::string_view::npos || name.find("Happy") != std::string_view::npos;
        negative += name.find("Broken") != std::string_view::npos || name.find("Cry") != std::string_view::npos ||
                    name.find("Tears") != std::string_view::npos;
        non_ascii_title += std::any_of(name.begin(), name.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; });
        non_ascii_artist += std::any_of(artists.begin(), artists.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; });
        feat += name.find(" (feat. ") != std::string_view::npos;
        remastered += name.find(" - Remastered") != std::string_view::npos;
        multi += artists.find(';') != std::string_view::npos;
    }
    MESSAGE("titles: " << distinct_titles.size() << " distinct, " << positive << " Love/Happy, " << negative
                       << " Broken/Cry/Tears, " << non_ascii_title << " non-ASCII; " << feat << " feat., "
                       << remastered << " remastered, " << multi << " multi-artist, " << non_ascii_artist
                       << " non-ASCII artists");
    CHECK(positive > 50);
    CHECK(negative > 50);
    CHECK(non_ascii_title > 20);
    CHECK(non_ascii_artist > 20);
    CHECK(feat > 50);
    CHECK(remastered > 20);
    CHECK(multi > feat);
    CHECK(distinct_titles.size() > t.rows() / 3);
}

TEST_CASE("n_users zero gives an empty listens table with its columns") {
    data::SyntheticOptions o;
    o.n_tracks = 50;
    o.n_artists = 12;
    o.n_users = 0;
    const auto c = data::make_catalogue(o);
    CHECK(c.tracks.rows() == 50);
    CHECK(c.listens.rows() == 0);
    CHECK(c.listens.cols() == 4);
    CHECK(c.truth.user_genre_weights.empty());
}

TEST_CASE("smallest catalogues work") {
    data::SyntheticOptions o;
    o.n_tracks = 1;
    o.n_artists = 1;
    o.n_genres = 1;
    o.n_users = 3;
    o.min_listens_per_user = 1;
    o.max_listens_per_user = 1;
    const auto c = data::make_catalogue(o);
    CHECK(c.tracks.rows() == 1);
    CHECK(c.listens.rows() == 3);
    CHECK(c.tracks.text("track_genre")[0] == "pop");

    o.n_tracks = 30;
    o.n_artists = 24;
    o.n_genres = data::genre_names().size();
    o.min_listens_per_user = 30;  // every user hears the whole catalogue
    o.max_listens_per_user = 30;
    o.collaboration_rate = 1.0;
    o.first_release_year = o.last_release_year = 2000;
    const auto d = data::make_catalogue(o);
    CHECK(d.listens.rows() == 90);
    std::set<std::string_view> genres;
    for (std::size_t i = 0; i < d.tracks.rows(); ++i) {
        genres.insert(d.tracks.text("track_genre")[i]);
        CHECK(d.tracks.text("release_date")[i].substr(0, 4) == "2000");
    }
    CHECK(genres.size() > 12);
}

TEST_CASE("larger catalogues keep their shape") {
    data::SyntheticOptions o;
    o.n_tracks = 30000;
    o.n_artists = 3600;
    o.n_users = 200;
    const auto c = data::make_catalogue(o);
    CHECK(c.tracks.rows() == 30000);
    std::set<std::string_view> ids;
    for (std::size_t i = 0; i < c.tracks.rows(); ++i) ids.insert(c.tracks.text("track_id")[i]);
    CHECK(ids.size() == 30000);
    std::set<std::string_view> artists(c.truth.artist_names.begin(), c.truth.artist_names.end());
    CHECK(artists.size() == 3600);  // artist names are unique
}

TEST_CASE("bad options throw invalid_parameter naming the parameter") {
    auto expect = [](const data::SyntheticOptions& o, const std::string& name) {
        try {
            (void)data::make_catalogue(o);
            FAIL("no exception for " << name);
        } catch (const musiclab::invalid_parameter& e) {
            CHECK(e.name() == name);
            CHECK(!e.allowed().empty());
        }
    };
    data::SyntheticOptions o;
    o.n_tracks = 0;
    expect(o, "n_tracks");
    o = {};
    o.n_genres = 0;
    expect(o, "n_genres");
    o = {};
    o.n_genres = data::genre_names().size() + 1;
    expect(o, "n_genres");
    o = {};
    o.n_artists = 5;  // fewer than n_genres
    expect(o, "n_artists");
    o = {};
    o.n_artists = o.n_tracks + 1;
    expect(o, "n_artists");
    o = {};
    o.min_listens_per_user = 0;
    expect(o, "min_listens_per_user");
    o = {};
    o.min_listens_per_user = 200;
    o.max_listens_per_user = 100;
    expect(o, "min_listens_per_user");
    o = {};
    o.max_listens_per_user = 0;
    expect(o, "max_listens_per_user");
    o = {};
    o.n_tracks = 20;
    o.n_artists = 12;
    o.min_listens_per_user = 21;
    o.max_listens_per_user = 30;
    expect(o, "min_listens_per_user");
    o.n_users = 0;  // no users: the listens range is not needed
    CHECK(data::make_catalogue(o).listens.rows() == 0);
    o = {};
    o.first_release_year = 2030;
    expect(o, "first_release_year");
    o = {};
    o.last_release_year = 2200;
    expect(o, "last_release_year");
    o = {};
    o.collaboration_rate = 1.5;
    expect(o, "collaboration_rate");
    o = {};
    o.collaboration_rate = std::nan("");
    expect(o, "collaboration_rate");
    o = {};
    o.artist_effect_sd = -1.0;
    expect(o, "artist_effect_sd");
    o = {};
    o.popularity_noise_sd = 1000.0;
    expect(o, "popularity_noise_sd");
    CHECK(data::genre_names().size() >= 12);
    CHECK(data::genre_names()[0] == "pop");
}
