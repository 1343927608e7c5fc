// musiclab::data — a deterministic synthetic music catalogue: the built-in default data of the
// demo pipeline and of every test that needs no real data (see docs/data.md for the model).
//
// make_catalogue() returns two io::Tables:
//   tracks  — exactly the columns of the Kaggle "Spotify Tracks Dataset" (spotify_tracks.csv), in
//             the same order and encodings, plus `release_date` (TidyTuesday-style mixed precision);
//   listens — user_id, track_id, plays, timestamp: implicit feedback like Last.fm's user_artists.
// Audio features depend on the genre and the artist; popularity has an artist effect, a genre
// effect, a non-linear audio effect, a recency effect and noise; users mix 1-3 genre tastes and
// prefer popular tracks and artists they already play.
//
// Determinism: the same options give byte-identical tables on every platform (all randomness comes
// from musiclab::Rng; no std:: distributions, no unordered iteration). The tracks table depends only
// on the seed and the track-side options (n_tracks, n_artists, n_genres, years, rates): changing
// n_users or the listens range leaves it unchanged.
#pragma once

#include "../core/error.hpp"
#include "../core/random.hpp"
#include "../io/table.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace musiclab::data {

/// Knobs of make_catalogue(). Every field has a default; make_catalogue() validates them and throws
/// musiclab::invalid_parameter naming the field, the value and the allowed range.
struct SyntheticOptions {
    /// Rows of `tracks`, in [1, 10'000'000].
    std::size_t n_tracks = 5000;
    /// Distinct primary artists, in [n_genres, n_tracks]; every artist has at least one track and
    /// track counts per artist are heavy-tailed (popular artists have more tracks).
    std::size_t n_artists = 600;
    /// Genres used, the first n_genres of genre_names(), in [1, genre_names().size()].
    std::size_t n_genres = 12;
    /// Users in `listens`, in [0, 10'000'000] (0: an empty listens table with its columns).
    std::size_t n_users = 800;
    /// Distinct tracks per user are drawn log-uniformly from [min, min(max, n_tracks)];
    /// 1 <= min <= max, and min <= n_tracks when n_users > 0. A user whose genres run out of
    /// unheard tracks may stop below that draw, never below min.
    std::size_t min_listens_per_user = 5;
    std::size_t max_listens_per_user = 150;
    /// Release years span [first, last], skewed towards recent years; 1900 <= first <= last <= 2100.
    /// Listening timestamps fall in the last five years of that span (never before a release).
    int first_release_year = 1960;
    int last_release_year = 2023;
    /// Share of tracks with more than one artist (';'-joined in `artists`), in [0, 1].
    double collaboration_rate = 0.15;
    /// Standard deviation of the artist effect on popularity, in popularity points, [0, 100].
    /// 0 removes the artist effect (artist quality still drives listens and track counts).
    double artist_effect_sd = 14.0;
    /// Standard deviation of the per-track popularity noise, in popularity points, [0, 100].
    double popularity_noise_sd = 10.0;
    /// Seed of every random draw.
    std::uint64_t seed = 42;
};

/// The latent values the data was drawn from (for tests and for checking a model against truth).
struct CatalogueTruth {
    /// Genre names in use; genre id = index.
    std::vector<std::string> genres;
    /// Per artist (artist id = index): name, primary genre id, latent quality ~ N(0, 1).
    std::vector<std::string> artist_names;
    std::vector<std::size_t> artist_genre;
    std::vector<double> artist_quality;
    /// Per track row: primary artist id, genre id of track_genre, release day (days since
    /// 1970-01-01 of the full date, whatever precision `release_date` prints), and the expected
    /// popularity before noise and clamping (may lie outside [0, 100]).
    std::vector<std::size_t> track_artist;
    std::vector<std::size_t> track_genre;
    std::vector<std::int64_t> track_release_day;
    std::vector<double> expected_popularity;
    /// Per user, row-major n_users x genres.size(): the user's genre taste mixture (rows sum to 1).
    std::vector<double> user_genre_weights;
};

/// What make_catalogue() returns.
struct Catalogue {
    /// tracks_columns() in order. Text: track_id, artists, album_name, track_name, explicit
    /// ("True"/"False"), track_genre, release_date; the rest numeric.
    io::Table tracks;
    /// listens_columns() in order: user_id (1-based), track_id (text, a tracks.track_id), plays
    /// (>= 1, heavy-tailed), timestamp (Unix seconds, UTC). Sorted by user_id, then timestamp.
    io::Table listens;
    /// The generating latent values.
    CatalogueTruth truth;
};

/// All genre names make_catalogue() can use, in the order they are taken (spelled as track_genre
/// of spotify_tracks.csv: "r-n-b", "k-pop", "hip-hop"). Never empty.
inline std::span<const std::string_view> genre_names() noexcept;

/// Column names of Catalogue::tracks: the header of spotify_tracks.csv followed by "release_date".
inline std::span<const std::string_view> tracks_columns() noexcept;

/// Column names of Catalogue::listens.
inline std::span<const std::string_view> listens_columns() noexcept;

/// Generates the catalogue. Cost O(n_tracks log n_artists + total listens x log n_tracks): the
/// default size (5,000 tracks, ~33,000 listens) takes ~20-40 ms, 100,000 tracks ~0.3 s.
/// Single-threaded; independent calls may run concurrently. Throws musiclab::invalid_parameter
/// for options outside their ranges.
inline Catalogue make_catalogue(const SyntheticOptions& options = {});

}  // namespace musiclab::data

// ================================================================================================
// Internals.
namespace musiclab::detail::synthetic {

/// Genre-level means of the audio features (from the per-genre means of spotify_tracks.csv,
/// rounded), popularity offset (points) and title language.
struct GenreProfile {
    std::string_view name;
    double popularity;        // offset added to the popularity of the genre's tracks
    double danceability;      // mean, (0, 1)
    double energy;            // mean, (0, 1)
    double speechiness;       // mean, (0.022, 1)
    double acousticness;      // mean, (0, 1)
    double instrumental_rate; // share of instrumental tracks
    double valence;           // mean, (0, 1)
    double tempo;             // mean BPM
    double tempo_sd;          // BPM
    double duration_s;        // median seconds
    double explicit_rate;
    double major_rate;        // P(mode = 1)
    int language;             // 0 English, 1 Spanish, 2 Korean
    int style;                // artist naming: 0 person/band, 1 rapper, 2 DJ, 3 ensemble, 4 group
};

inline constexpr std::array<GenreProfile, 24> genres{{
    // name        pop   dance energy speech acoust instr valence tempo sd  dur  expl major lang style
    {"pop",        8.0,  0.63, 0.61, 0.080, 0.34, 0.02, 0.51, 121, 30, 212, 0.07, 0.51, 0, 0},
    {"rock",       0.0,  0.54, 0.68, 0.050, 0.21, 0.04, 0.54, 126, 30, 220, 0.04, 0.72, 0, 0},
    {"hip-hop",    6.0,  0.74, 0.68, 0.130, 0.19, 0.02, 0.55, 117, 28, 200, 0.32, 0.48, 0, 1},
    {"edm",        3.0,  0.65, 0.76, 0.070, 0.11, 0.06, 0.47, 124, 12, 190, 0.11, 0.52, 0, 2},
    {"latin",      5.0,  0.72, 0.73, 0.093, 0.18, 0.02, 0.63, 118, 30, 210, 0.13, 0.55, 1, 0},
    {"r-n-b",      2.0,  0.61, 0.60, 0.089, 0.37, 0.02, 0.55, 112, 28, 215, 0.09, 0.60, 0, 0},
    {"jazz",      -8.0,  0.51, 0.35, 0.055, 0.72, 0.12, 0.49, 113, 32, 245, 0.00, 0.76, 0, 3},
    {"classical", -10.0, 0.38, 0.19, 0.051, 0.92, 0.65, 0.38, 108, 31, 290, 0.00, 0.74, 0, 3},
    {"metal",     -2.0,  0.46, 0.84, 0.070, 0.04, 0.07, 0.42, 128, 30, 250, 0.14, 0.59, 0, 0},
    {"country",   -1.0,  0.56, 0.60, 0.042, 0.32, 0.01, 0.52, 124, 32, 200, 0.03, 0.89, 0, 0},
    {"k-pop",      9.0,  0.65, 0.68, 0.088, 0.29, 0.02, 0.56, 119, 27, 210, 0.05, 0.52, 2, 4},
    {"ambient",   -6.0,  0.37, 0.24, 0.042, 0.78, 0.68, 0.17, 111, 32, 250, 0.01, 0.62, 0, 2},
    {"indie",      0.0,  0.59, 0.56, 0.063, 0.38, 0.06, 0.47, 119, 31, 208, 0.08, 0.75, 0, 0},
    {"folk",      -3.0,  0.56, 0.55, 0.059, 0.48, 0.05, 0.49, 118, 28, 225, 0.01, 0.76, 0, 0},
    {"reggae",    -2.0,  0.75, 0.73, 0.115, 0.18, 0.01, 0.65, 120, 33, 212, 0.17, 0.55, 0, 0},
    {"blues",     -5.0,  0.57, 0.58, 0.064, 0.40, 0.04, 0.60, 117, 31, 220, 0.01, 0.71, 0, 0},
    {"soul",      -2.0,  0.60, 0.53, 0.060, 0.40, 0.02, 0.52, 115, 28, 200, 0.10, 0.69, 0, 0},
    {"punk",      -3.0,  0.50, 0.81, 0.064, 0.09, 0.05, 0.56, 134, 31, 185, 0.11, 0.73, 0, 0},
    {"funk",      -2.0,  0.68, 0.63, 0.150, 0.30, 0.02, 0.60, 118, 27, 210, 0.30, 0.56, 0, 0},
    {"techno",    -4.0,  0.68, 0.75, 0.064, 0.08, 0.55, 0.32, 128, 10, 320, 0.03, 0.56, 0, 2},
    {"house",      0.0,  0.67, 0.76, 0.069, 0.11, 0.05, 0.50, 124,  8, 195, 0.11, 0.51, 0, 2},
    {"disco",     -4.0,  0.68, 0.74, 0.059, 0.17, 0.08, 0.67, 122, 19, 240, 0.01, 0.63, 0, 0},
    {"dance",      2.0,  0.69, 0.71, 0.088, 0.13, 0.02, 0.55, 121, 20, 195, 0.17, 0.53, 0, 2},
    {"acoustic",  -1.0,  0.55, 0.44, 0.043, 0.57, 0.05, 0.42, 119, 30, 212, 0.05, 0.82, 0, 0},
}};

inline constexpr std::array<std::string_view, 20> track_columns{
    "track_id", "artists", "album_name", "track_name", "popularity", "duration_ms", "explicit",
    "danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
    "instrumentalness", "liveness", "valence", "tempo", "time_signature", "track_genre"};
inline constexpr std::array<std::string_view, 21> track_columns_with_date = [] {
    std::array<std::string_view, 21> a{};
    for (std::size_t i = 0; i < track_columns.size(); ++i) a[i] = track_columns[i];
    a[20] = "release_date";
    return a;
}();
inline constexpr std::array<std::string_view, 4> listen_columns{"user_id", "track_id", "plays", "timestamp"};
inline constexpr std::array<std::string_view, genres.size()> genre_name_list = [] {
    std::array<std::string_view, genres.size()> a{};
    for (std::size_t i = 0; i < genres.size(); ++i) a[i] = genres[i].name;
    return a;
}();

// ---- word lists ----------------------------------------------------------------------------------
// Sentiment words are chosen with probability tied to the track's valence, so title sentiment
// (VADER) correlates with the audio valence.
inline constexpr std::string_view positive_words[] = {
    "Love", "Happy", "Sunshine", "Smile", "Dream", "Paradise", "Joy", "Beautiful", "Sweet", "Heaven",
    "Free", "Kiss", "Shine", "Wonderful", "Perfect", "Lucky", "Golden", "Bliss", "Hope", "Glory",
    "Good", "Magic", "Celebrate", "Sunny", "Lovely"};
inline constexpr std::string_view negative_words[] = {
    "Broken", "Cry", "Tears", "Lonely", "Pain", "Hate", "Sad", "Lost", "Dead", "Hurt", "Goodbye",
    "Alone", "Fear", "Bleeding", "Empty", "Cold", "War", "Sorrow", "Regret", "Poison", "Bad",
    "Hell", "Killer", "Sick", "Ugly"};
inline constexpr std::string_view neutral_nouns[] = {
    "Night", "City", "Summer", "Road", "Fire", "River", "Ocean", "Moon", "Heart", "Stars", "Midnight",
    "Highway", "Home", "Girl", "Boy", "Time", "Rain", "Window", "Train", "Mirror", "Island", "Radio",
    "Satellite", "Shadows", "Echo", "Garden", "Desert", "Thunder", "Neon", "Velvet", "Morning",
    "Sky", "Letters", "Streets", "Winter", "Paper", "Gravity", "Blue", "Wild", "Horizon"};
inline constexpr std::string_view positive_verbs[] = {"Love", "Need", "Adore", "Trust", "Want", "Like"};
inline constexpr std::string_view negative_verbs[] = {"Hate", "Miss", "Lost", "Hurt", "Left", "Fear"};
inline constexpr std::string_view spanish_positive[] = {"Amor", "Corazón", "Bailando", "Feliz", "Besos",
                                                        "Bonita", "Mi Vida", "Sueños", "Alegría", "Cariño"};
inline constexpr std::string_view spanish_negative[] = {"Lágrimas", "Triste", "Dolor", "Adiós", "Sola",
                                                        "Perdido", "Mentiras", "Olvídame"};
inline constexpr std::string_view spanish_nouns[] = {"Noche", "Mañana", "Fuego", "Luna", "Playa", "Calle",
                                                     "Ciudad", "Verano", "Cielo", "Niña"};
inline constexpr std::string_view korean_titles[] = {"사랑", "봄날", "눈물", "밤", "너의 이름", "행복",
                                                     "별", "첫사랑", "이별", "꿈"};
inline constexpr std::string_view first_names[] = {
    "Ava", "Noah", "Mia", "Leo", "Zoé", "José", "Chloé", "Björn", "Inés", "Renée", "Sofía", "Mateo",
    "Amélie", "Søren", "Ana", "Lucas", "Maya", "Theo", "Jade", "Oscar", "Nina", "Elijah", "Lena",
    "Marco", "Camila", "Dmitri", "Aisha", "Kenji", "Yuna", "Omar", "Grace", "Jack", "Ruby", "Felix",
    "Hana", "Diego", "Clara", "Sam", "Ivy", "Miles", "Anaïs", "Raphaël", "Lucía", "Jonas", "Emma"};
inline constexpr std::string_view last_names[] = {
    "Rivers", "Stone", "Hart", "Vega", "Moreno", "Núñez", "Larsson", "Müller", "Kim", "Park",
    "Tanaka", "Okafor", "Bennett", "Cole", "Wilde", "Fox", "Gray", "Lane", "Reyes", "Dubois",
    "Carter", "Brooks", "Quinn", "Hayes", "Nakamura", "Silva", "Jensen", "Rossi", "Walker", "Ortíz",
    "Byrne", "Lindqvist", "Mendoza", "Price", "Young", "Costa", "Shaw", "Ellis", "Novak", "Ahmed"};
inline constexpr std::string_view band_adjectives[] = {
    "Black", "Electric", "Silver", "Velvet", "Midnight", "Wild", "Neon", "Crystal", "Royal", "Lonely",
    "Broken", "Golden", "Iron", "Paper", "Arctic", "Happy", "Savage", "Cosmic", "Young", "Holy"};
inline constexpr std::string_view band_nouns[] = {
    "Keys", "Wolves", "Riders", "Kids", "Lights", "Ghosts", "Saints", "Tigers", "Echoes", "Horses",
    "Monkeys", "Sisters", "Machines", "Lovers", "Pilots", "Crows", "Kings", "Strangers", "Hearts", "Owls"};
inline constexpr std::string_view korean_group_names[] = {"하늘", "소년단", "별빛", "바람", "무지개"};
inline constexpr std::string_view ensemble_kinds[] = {"Trio", "Quartet", "Quintet", "Ensemble", "Orchestra",
                                                      "Philharmonic", "Big Band", "String Quartet"};
inline constexpr std::string_view places[] = {"Wembley", "Budokan", "the Apollo", "Montreux", "Red Rocks",
                                              "the Royal Albert Hall", "Madison Square Garden", "Paris"};

template <class T, std::size_t N>
inline const T& pick(Rng& rng, const T (&list)[N]) {
    return list[rng.below(N)];
}

// ---- small numerics --------------------------------------------------------------------------------
inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
inline double logit(double p) { return std::log(p / (1.0 - p)); }
inline double clamp(double x, double lo, double hi) { return std::min(hi, std::max(lo, x)); }

/// Rounds to `digits` decimals (exact table of powers: no std::pow, identical on every platform).
inline double round_decimals(double x, int digits) {
    static constexpr double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    return std::round(x * p10[digits]) / p10[digits];
}
/// Rounds a value in (0, 1] to 3 significant digits like the Spotify API (0.0322, 1.01e-06); 0
/// stays 0. Values below 1e-12 become 0.
inline double round_sig3(double x) {
    if (x <= 0.0) return 0.0;
    int decimals = 3;
    double threshold = 1.0;
    while (decimals < 15 && x < threshold * 0.1) {
        threshold *= 0.1;
        ++decimals;
    }
    if (decimals >= 15) return 0.0;
    return round_decimals(x, decimals);
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
inline std::int64_t days_from_civil(int y, int m, int d) noexcept {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}
inline int days_in_month(int y, int m) noexcept {
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

inline void append_int(std::string& out, long long v, int width = 0) {
    char buf[24];
    int n = 0;
    const bool negative = v < 0;
    unsigned long long u = negative ? 0ULL - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
    do {
        buf[n++] = static_cast<char>('0' + u % 10);
        u /= 10;
    } while (u != 0);
    while (n < width) buf[n++] = '0';
    if (negative) out.push_back('-');
    while (n > 0) out.push_back(buf[--n]);
}

/// A 22-character base62 id like Spotify's.
inline std::string base62_id(Rng& rng) {
    static constexpr char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string id(22, '0');
    for (auto& c : id) c = alphabet[rng.below(62)];
    return id;
}

/// Index into a cumulative weight array (strictly increasing last element > 0): the first i with
/// cumulative[i] > u * total. O(log n).
inline std::size_t sample_cumulative(Rng& rng, std::span<const double> cumulative) {
    const double target = rng.uniform() * cumulative.back();
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
    return std::min<std::size_t>(static_cast<std::size_t>(it - cumulative.begin()), cumulative.size() - 1);
}

// ---- validation --------------------------------------------------------------------------------------
inline void validate(const data::SyntheticOptions& o) {
    auto range = [](std::size_t lo, std::size_t hi) {
        return "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    };
    if (o.n_tracks < 1 || o.n_tracks > 10'000'000) throw invalid_parameter("n_tracks", o.n_tracks, range(1, 10'000'000));
    if (o.n_genres < 1 || o.n_genres > genres.size())
        throw invalid_parameter("n_genres", o.n_genres, range(1, genres.size()) + " (genre_names().size())");
    if (o.n_artists < o.n_genres || o.n_artists > o.n_tracks)
        throw invalid_parameter("n_artists", o.n_artists, range(o.n_genres, o.n_tracks) + " ([n_genres, n_tracks])");
    if (o.n_users > 10'000'000) throw invalid_parameter("n_users", o.n_users, range(0, 10'000'000));
    if (o.max_listens_per_user < 1) throw invalid_parameter("max_listens_per_user", o.max_listens_per_user, ">= 1");
    if (o.min_listens_per_user < 1 || o.min_listens_per_user > o.max_listens_per_user)
        throw invalid_parameter("min_listens_per_user", o.min_listens_per_user,
                                range(1, o.max_listens_per_user) + " ([1, max_listens_per_user])");
    if (o.n_users > 0 && o.min_listens_per_user > o.n_tracks)
        throw invalid_parameter("min_listens_per_user", o.min_listens_per_user,
                                range(1, o.n_tracks) + " ([1, n_tracks] when n_users > 0)");
    if (o.last_release_year < 1900 || o.last_release_year > 2100)
        throw invalid_parameter("last_release_year", o.last_release_year, "[1900, 2100]");
    if (o.first_release_year < 1900 || o.first_release_year > o.last_release_year)
        throw invalid_parameter("first_release_year", o.first_release_year,
                                "[1900, last_release_year = " + std::to_string(o.last_release_year) + "]");
    auto check_unit = [](const char* name, double v, double hi, const char* allowed) {
        if (!(v >= 0.0 && v <= hi)) throw invalid_parameter(name, v, allowed);
    };
    check_unit("collaboration_rate", o.collaboration_rate, 1.0, "[0, 1]");
    check_unit("artist_effect_sd", o.artist_effect_sd, 100.0, "[0, 100]");
    check_unit("popularity_noise_sd", o.popularity_noise_sd, 100.0, "[0, 100]");
}

// ---- artists -------------------------------------------------------------------------------------------
struct Artist {
    std::string name;
    std::size_t genre = 0;
    double quality = 0.0;     // N(0, 1)
    int debut_year = 0;
    int career_years = 0;
    // style offsets (logit scale unless noted): the artist's tracks cluster around these
    double energy = 0.0, dance = 0.0, acoustic = 0.0, valence = 0.0, speech = 0.0, tempo = 0.0;
    double instrumental_rate = 0.0;
};

struct Album {
    std::string name;
    int year = 0, month = 1, day = 1;
    int precision = 3;  // 3: YYYY-MM-DD, 2: YYYY-MM, 1: YYYY
};

inline std::string artist_name(Rng& rng, const GenreProfile& g) {
    std::string s;
    const double u = rng.uniform();
    switch (g.style) {
    case 1:  // rapper
        if (u < 0.35) {
            static constexpr std::string_view prefixes[] = {"Lil ", "Young ", "MC ", "Big "};
            s.append(pick(rng, prefixes)).append(pick(rng, first_names));
        } else if (u < 0.7) {
            s.append(pick(rng, first_names)).append(" ").append(pick(rng, last_names));
        } else {
            s.append(pick(rng, band_adjectives)).append(" ").append(pick(rng, first_names));
        }
        return s;
    case 2:  // DJ / producer
        if (u < 0.3) s.append("DJ ").append(pick(rng, first_names));
        else if (u < 0.6) s.append(pick(rng, neutral_nouns)).append(pick(rng, band_nouns));
        else if (u < 0.8) s.append(pick(rng, first_names)).append(" ").append(pick(rng, last_names));
        else s.append(pick(rng, band_adjectives)).append(" ").append(pick(rng, neutral_nouns));
        return s;
    case 3:  // jazz / classical: persons and ensembles
        if (u < 0.55) s.append(pick(rng, first_names)).append(" ").append(pick(rng, last_names));
        else if (u < 0.8) s.append(pick(rng, last_names)).append(" ").append(pick(rng, ensemble_kinds));
        else s.append(pick(rng, neutral_nouns)).append(" ").append(pick(rng, ensemble_kinds));
        return s;
    case 4:  // k-pop groups
        if (u < 0.3) {
            s.append(pick(rng, korean_group_names));
        } else if (u < 0.7) {
            static constexpr char letters[] = "ABCDEFGHIJKLMNOPRSTVWXYZ";
            const std::size_t n = 2 + rng.below(3);
            for (std::size_t i = 0; i < n; ++i) s.push_back(letters[rng.below(sizeof(letters) - 1)]);
            if (rng.uniform() < 0.4) append_int(s, static_cast<long long>(1 + rng.below(9)));
        } else {
            s.append(pick(rng, first_names));
            for (auto& c : s)
                if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        }
        return s;
    default:  // person, mononym or band
        if (u < 0.45) s.append(pick(rng, first_names)).append(" ").append(pick(rng, last_names));
        else if (u < 0.55) s.append(pick(rng, first_names));
        else if (u < 0.85) s.append("The ").append(pick(rng, band_adjectives)).append(" ").append(pick(rng, band_nouns));
        else s.append(pick(rng, band_adjectives)).append(" ").append(pick(rng, band_nouns));
        return s;
    }
}

/// A title of up to a few words; sentiment words are positive with probability `positivity`.
inline std::string make_title(Rng& rng, const GenreProfile& g, double positivity) {
    std::string s;
    const bool positive = rng.uniform() < positivity;
    if (g.language == 1 && rng.uniform() < 0.6) {
        const std::string_view w = positive ? pick(rng, spanish_positive) : pick(rng, spanish_negative);
        const double u = rng.uniform();
        if (u < 0.35) s.append(w);
        else if (u < 0.7) s.append(w).append(" de ").append(pick(rng, spanish_nouns));
        else s.append(pick(rng, spanish_nouns)).append(" ").append(w);
        return s;
    }
    if (g.language == 2 && rng.uniform() < 0.2) {
        s.append(pick(rng, korean_titles));
        return s;
    }
    const std::string_view w = positive ? pick(rng, positive_words) : pick(rng, negative_words);
    const std::string_view n = pick(rng, neutral_nouns);
    const double u = rng.uniform();
    if (u < 0.16) s.append(w);
    else if (u < 0.34) s.append(w).append(" ").append(n);
    else if (u < 0.46) s.append(n).append(" of ").append(w);
    else if (u < 0.56) s.append("I ").append(positive ? pick(rng, positive_verbs) : pick(rng, negative_verbs)).append(" You");
    else if (u < 0.66) s.append(w).append(" in the ").append(n);
    else if (u < 0.74) s.append("My ").append(w).append(" ").append(n);
    else if (u < 0.80 && positive) s.append("Don't Stop the ").append(n);
    else if (u < 0.80) s.append("Don't Let Me ").append(pick(rng, negative_verbs) == "Hurt" ? "Cry" : "Go");
    else if (u < 0.90) s.append(n);
    else s.append(n).append(" ").append(n == "Night" ? "Drive" : "Nights");
    return s;
}

// ---- listens ------------------------------------------------------------------------------------------
struct Listen {
    std::size_t track;
    double plays;
    std::int64_t timestamp;
};

/// Users: a taste mixture over 1-3 genres, log-uniform activity, preference for popular tracks
/// (weight exp(popularity / 12)) and for artists they already play; heavy-tailed play counts.
inline void generate_listens(const data::SyntheticOptions& o, Rng& rng, data::Catalogue& out) {
    const std::size_t n = o.n_tracks, n_genres = o.n_genres, n_users = o.n_users;
    auto& truth = out.truth;
    const auto pop = out.tracks.numeric("popularity").values();
    const auto& ids = out.tracks.text("track_id");

    std::vector<std::vector<std::size_t>> genre_tracks(n_genres);
    std::vector<std::vector<double>> genre_cumulative(n_genres);
    std::vector<std::vector<std::size_t>> artist_tracks(truth.artist_names.size());
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t g = truth.track_genre[i];
        const double w = std::exp(pop[i] / 12.0);
        genre_cumulative[g].push_back((genre_cumulative[g].empty() ? 0.0 : genre_cumulative[g].back()) + w);
        genre_tracks[g].push_back(i);
        artist_tracks[truth.track_artist[i]].push_back(i);
    }
    std::vector<double> genre_size_cumulative(n_genres);
    {
        double total = 0.0;
        for (std::size_t g = 0; g < n_genres; ++g) genre_size_cumulative[g] = total += static_cast<double>(genre_tracks[g].size());
    }

    const std::int64_t day_seconds = 86400;
    const int last_year = o.last_release_year;
    const int window_first = std::max(o.first_release_year, last_year - 4);
    const std::int64_t window_start = days_from_civil(window_first, 1, 1);
    const std::int64_t window_end = days_from_civil(last_year + 1, 1, 1);  // exclusive
    const auto window_days = static_cast<std::uint64_t>(window_end - window_start);

    truth.user_genre_weights.assign(n_users * n_genres, 0.0);
    std::vector<std::uint8_t> heard(n, 0);
    std::vector<Listen> user_rows;
    io::NumericColumn c_user, c_plays, c_time;
    io::TextColumn c_track;
    const double log_lo = std::log(static_cast<double>(o.min_listens_per_user));
    const double log_hi = std::log(static_cast<double>(o.max_listens_per_user) + 1.0);

    for (std::size_t u = 0; u < n_users; ++u) {
        // taste: 1-3 genres, the first by catalogue share, weights log-normal with a boost for the first
        double* w = truth.user_genre_weights.data() + u * n_genres;
        const double k_draw = rng.uniform();
        const std::size_t k = std::min<std::size_t>(n_genres, k_draw < 0.35 ? 1 : (k_draw < 0.75 ? 2 : 3));
        std::size_t chosen = 0;
        double total = 0.0;
        while (chosen < k) {
            const std::size_t g = chosen == 0 ? sample_cumulative(rng, genre_size_cumulative)
                                              : static_cast<std::size_t>(rng.below(n_genres));
            if (w[g] > 0.0) continue;
            w[g] = std::exp(rng.normal(chosen == 0 ? 0.7 : 0.0, 0.6));
            total += w[g];
            ++chosen;
        }
        for (std::size_t g = 0; g < n_genres; ++g) w[g] /= total;

        const auto target = std::min(std::min(o.max_listens_per_user, n),
                                     std::max(o.min_listens_per_user,
                                              static_cast<std::size_t>(std::exp(log_lo + rng.uniform() * (log_hi - log_lo)))));
        const double activity = std::exp(rng.normal(4.0, 1.0));  // median plays scale ~55
        const std::int64_t start_day = window_start + static_cast<std::int64_t>(rng.below(std::max<std::uint64_t>(1, window_days * 6 / 10)));

        user_rows.clear();
        std::size_t attempts = 0;
        const std::size_t max_attempts = 20 * target + 50;
        while (user_rows.size() < target && attempts < max_attempts) {
            ++attempts;
            std::size_t t;
            if (!user_rows.empty() && rng.uniform() < 0.3) {  // more of an artist already played
                const auto& list = artist_tracks[truth.track_artist[user_rows[rng.below(user_rows.size())].track]];
                t = list[rng.below(list.size())];
            } else {
                std::size_t g;
                if (rng.uniform() < 0.08) {  // exploration outside the taste
                    g = static_cast<std::size_t>(rng.below(n_genres));
                } else {
                    const double x = rng.uniform();
                    double acc = 0.0;
                    g = n_genres - 1;
                    for (std::size_t j = 0; j < n_genres; ++j) {
                        acc += w[j];
                        if (w[j] > 0.0 && x < acc) {
                            g = j;
                            break;
                        }
                    }
                    if (w[g] <= 0.0) continue;  // rounding at the end of the mixture: draw again
                }
                if (genre_tracks[g].empty()) continue;
                t = genre_tracks[g][sample_cumulative(rng, genre_cumulative[g])];
            }
            if (heard[t]) continue;
            heard[t] = 1;
            user_rows.push_back({t, 0.0, 0});
        }
        while (user_rows.size() < o.min_listens_per_user) {  // guarantee the minimum
            std::size_t t = static_cast<std::size_t>(rng.below(n));
            while (heard[t]) t = t + 1 == n ? 0 : t + 1;
            heard[t] = 1;
            user_rows.push_back({t, 0.0, 0});
        }
        for (auto& row : user_rows) {
            heard[row.track] = 0;
            const double affinity = 0.3 + 2.0 * w[truth.track_genre[row.track]];
            const double pareto = std::pow(1.0 - rng.uniform(), -1.0 / 1.4);
            row.plays = std::max(1.0, std::min(350000.0, std::floor(activity * affinity * pareto * std::exp((pop[row.track] - 50.0) / 40.0))));
            const std::int64_t from = std::max(start_day, truth.track_release_day[row.track]) * day_seconds;
            row.timestamp = from + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(window_end * day_seconds - from)));
        }
        std::sort(user_rows.begin(), user_rows.end(), [](const Listen& x, const Listen& y) {
            return x.timestamp != y.timestamp ? x.timestamp < y.timestamp : x.track < y.track;
        });
        for (const auto& row : user_rows) {
            c_user.push_back(static_cast<double>(u + 1));
            c_track.push_back(ids[row.track]);
            c_plays.push_back(row.plays);
            c_time.push_back(static_cast<double>(row.timestamp));
        }
    }
    io::Table& l = out.listens;
    l.set_source("musiclab::data::make_catalogue (listens)");
    l.add("user_id", std::move(c_user));
    l.add("track_id", std::move(c_track));
    l.add("plays", std::move(c_plays));
    l.add("timestamp", std::move(c_time));
}

// ---- the generator ------------------------------------------------------------------------------------
inline data::Catalogue generate(const data::SyntheticOptions& o) {
    validate(o);
    const std::size_t n = o.n_tracks, n_artists = o.n_artists, n_genres = o.n_genres;
    Rng root(o.seed);
    Rng artist_rng = root.split(), alloc_rng = root.split(), track_rng = root.split(), user_rng = root.split();

    const int first_year = o.first_release_year, last_year = o.last_release_year;
    const int span = last_year - first_year;

    // -- artists: genre, quality, era, style, name; every genre gets at least one artist.
    std::vector<Artist> artists(n_artists);
    std::unordered_set<std::string> taken_names;
    taken_names.reserve(n_artists * 2);
    for (std::size_t a = 0; a < n_artists; ++a) {
        Artist& ar = artists[a];
        ar.genre = a < n_genres ? a : static_cast<std::size_t>(artist_rng.below(n_genres));
        const GenreProfile& g = genres[ar.genre];
        ar.quality = artist_rng.normal();
        const double u = artist_rng.uniform();
        ar.debut_year = last_year - static_cast<int>(std::floor(u * u * (span + 1)));
        ar.debut_year = std::max(first_year, std::min(last_year, ar.debut_year));
        ar.career_years = 1 + static_cast<int>(artist_rng.below(15));
        ar.energy = artist_rng.normal(0.0, 0.35);
        ar.dance = artist_rng.normal(0.0, 0.30);
        ar.acoustic = artist_rng.normal(0.0, 0.6);
        ar.valence = artist_rng.normal(0.0, 0.4);
        ar.speech = artist_rng.normal(0.0, 0.3);
        ar.tempo = artist_rng.normal(0.0, 6.0);
        // instrumental acts: most artists of an instrumental genre are, few of the others
        ar.instrumental_rate = artist_rng.uniform() < g.instrumental_rate ? 0.85 : 0.02;
        std::string name = artist_name(artist_rng, g);
        for (int attempt = 0; taken_names.count(name) != 0 && attempt < 6; ++attempt) name = artist_name(artist_rng, g);
        if (taken_names.count(name) != 0) {
            const std::string base = name;
            for (long long k = 2; taken_names.count(name) != 0; ++k) {
                name = base;
                name.append(" ");
                append_int(name, k);
            }
        }
        taken_names.insert(name);
        ar.name = std::move(name);
    }
    std::vector<std::vector<std::size_t>> genre_artists(n_genres);
    for (std::size_t a = 0; a < n_artists; ++a) genre_artists[artists[a].genre].push_back(a);

    // -- tracks per artist: one each, the rest by weight exp(0.8 z + 0.5 quality) (heavy tail);
    // rows in random order.
    std::vector<std::size_t> track_artist(n);
    {
        std::vector<double> cumulative(n_artists);
        double total = 0.0;
        for (std::size_t a = 0; a < n_artists; ++a) {
            total += std::exp(0.8 * alloc_rng.normal() + 0.5 * artists[a].quality);
            cumulative[a] = total;
        }
        for (std::size_t i = 0; i < n; ++i)
            track_artist[i] = i < n_artists ? i : sample_cumulative(alloc_rng, cumulative);
        for (std::size_t i = n; i > 1; --i) std::swap(track_artist[i - 1], track_artist[alloc_rng.below(i)]);
    }
    std::vector<std::size_t> artist_track_count(n_artists, 0);
    for (auto a : track_artist) ++artist_track_count[a];

    // -- albums per artist: 1 + count/7, dated within the career, mixed date precision.
    auto draw_date = [&](Rng& rng, Album& al, int year) {
        al.year = year;
        al.month = 1 + static_cast<int>(rng.below(12));
        al.day = 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(days_in_month(al.year, al.month))));
        const double u = rng.uniform();
        const double year_only = year < 1990 ? 0.2 : 0.03;  // older releases often carry only a year
        al.precision = u < year_only ? 1 : (u < year_only + 0.01 ? 2 : 3);
    };
    std::vector<std::vector<Album>> albums(n_artists);
    for (std::size_t a = 0; a < n_artists; ++a) {
        const Artist& ar = artists[a];
        const GenreProfile& g = genres[ar.genre];
        const std::size_t k = 1 + artist_track_count[a] / 7;
        albums[a].resize(k);
        for (auto& al : albums[a]) {
            const int year = std::min(last_year, ar.debut_year + static_cast<int>(artist_rng.below(static_cast<std::uint64_t>(ar.career_years))));
            draw_date(artist_rng, al, year);
            const double u = artist_rng.uniform();
            if (u < 0.04 && year < last_year - 10) al.name = "Greatest Hits";
            else if (u < 0.07) al.name.append("Live at ").append(pick(artist_rng, places));
            else al.name = make_title(artist_rng, g, genres[ar.genre].valence);
            if (artist_rng.uniform() < 0.08) al.name.append(" (Deluxe Edition)");
        }
    }

    // -- track rows
    data::Catalogue out;
    auto& truth = out.truth;
    truth.genres.reserve(n_genres);
    for (std::size_t g = 0; g < n_genres; ++g) truth.genres.emplace_back(genres[g].name);
    truth.artist_names.reserve(n_artists);
    for (const auto& ar : artists) {
        truth.artist_names.push_back(ar.name);
        truth.artist_genre.push_back(ar.genre);
        truth.artist_quality.push_back(ar.quality);
    }
    truth.track_artist = track_artist;
    truth.track_genre.resize(n);
    truth.track_release_day.resize(n);
    truth.expected_popularity.resize(n);

    io::TextColumn c_id, c_artists, c_album, c_name, c_explicit, c_genre, c_date;
    c_id.reserve(n, n * 22);
    c_artists.reserve(n, n * 24);
    c_album.reserve(n, n * 20);
    c_name.reserve(n, n * 20);
    c_explicit.reserve(n, n * 5);
    c_genre.reserve(n, n * 6);
    c_date.reserve(n, n * 10);
    std::vector<double> popularity(n), duration(n), danceability(n), energy(n), key(n), loudness(n), mode(n),
        speechiness(n), acousticness(n), instrumentalness(n), liveness(n), valence(n), tempo(n), time_signature(n);
    static constexpr double key_weights[] = {0.115, 0.094, 0.102, 0.031, 0.079, 0.082, 0.069, 0.116, 0.065, 0.099, 0.065, 0.081};
    std::array<double, 12> key_cumulative{};
    std::partial_sum(std::begin(key_weights), std::end(key_weights), key_cumulative.begin());

    std::string buf;
    for (std::size_t i = 0; i < n; ++i) {
        Rng& r = track_rng;
        const std::size_t a = track_artist[i];
        const Artist& ar = artists[a];
        // ~10% of an artist's tracks are filed under another genre (crossovers)
        std::size_t gi = ar.genre;
        if (n_genres > 1 && r.uniform() < 0.10) {
            gi = static_cast<std::size_t>(r.below(n_genres - 1));
            if (gi >= ar.genre) ++gi;
        }
        const GenreProfile& g = genres[gi];
        const GenreProfile& home = genres[ar.genre];
        truth.track_genre[i] = gi;

        // audio features: logit-normal around the genre mean, shifted by the artist's style
        const double e_lat = logit(g.energy) + ar.energy + r.normal(0.0, 0.85);
        const double en = sigmoid(e_lat);
        const double d_lat = logit(g.danceability) + ar.dance + r.normal(0.0, 0.55);
        const double da = sigmoid(d_lat);
        const double ac = sigmoid(logit(g.acousticness) + ar.acoustic - 1.6 * (e_lat - logit(g.energy)) + r.normal(0.0, 1.3));
        const double va = sigmoid(logit(g.valence) + ar.valence + 0.9 * (d_lat - logit(g.danceability)) +
                                  0.35 * (e_lat - logit(g.energy)) + r.normal(0.0, 0.75));
        const double sp = std::min(0.96, 0.022 + std::exp(std::log(g.speechiness - 0.02) - 0.32 + ar.speech + r.normal(0.0, 0.8)));
        const bool instrumental = r.uniform() < (gi == ar.genre ? ar.instrumental_rate : g.instrumental_rate);
        double in = 0.0;
        if (instrumental) in = sigmoid(r.normal(2.0, 1.2));
        else if (r.uniform() < 0.55) in = sigmoid(r.normal(-9.0, 2.5));
        const bool live = r.uniform() < 0.03;
        const double li = live ? r.uniform(0.65, 0.99) : std::min(0.99, 0.02 + std::exp(r.normal(std::log(0.11), 0.6)));
        const double lo = clamp(-4.5 - 22.0 * (1.0 - en) * (1.0 - en) + r.normal(0.0, 3.0), -45.0, -0.3);
        const double te = clamp(r.normal(g.tempo + ar.tempo, g.tempo_sd), 45.0, 220.0);
        const double dur_s = clamp(std::exp(std::log(g.duration_s) + r.normal(0.0, g.name == "classical" ? 0.5 : 0.25)), 30.0, 1200.0);
        const int k = static_cast<int>(sample_cumulative(r, key_cumulative));
        const int mo = r.uniform() < g.major_rate ? 1 : 0;
        const double tsu = r.uniform();
        const double waltz = 0.06 + 0.1 * (1.0 - en);
        const int ts = tsu < waltz ? 3 : (tsu < waltz + 0.016 ? 5 : 4);
        const double explicit_p = sigmoid(logit(std::max(0.004, g.explicit_rate)) + 6.0 * (sp - g.speechiness));
        const bool ex = r.uniform() < explicit_p;

        // release date: an album of the artist, or a single of its own
        Album single;
        const Album* album = nullptr;
        const bool is_single = r.uniform() < 0.3;
        if (is_single) {
            const int year = std::min(last_year, ar.debut_year + static_cast<int>(r.below(static_cast<std::uint64_t>(ar.career_years))));
            draw_date(r, single, year);
            album = &single;
        } else {
            album = &albums[a][r.below(albums[a].size())];
        }
        truth.track_release_day[i] = days_from_civil(album->year, album->month, album->day);

        // popularity: base + genre + artist + audio (non-linear) + recency + noise
        const double audio = 4.5 * std::tanh(5.0 * (da - 0.6))            // danceable tracks do better
                             - 7.0 * sigmoid(12.0 * (in - 0.5))            // instrumentals do worse
                             + 6.0 * std::exp(-((lo + 6.0) / 5.0) * ((lo + 6.0) / 5.0)) - 3.0  // loud masters
                             - 14.0 * std::max(0.0, sp - 0.33)             // spoken word
                             + 10.0 * (va - 0.5) * (en - 0.5)              // happy-energetic / sad-calm
                             - 3.0 * std::min(2.0, std::max(0.0, (dur_s - 300.0) / 120.0)) -
                             (dur_s < 120.0 ? 3.0 : 0.0)                   // too long or too short
                             - 6.0 * std::max(0.0, li - 0.6) / 0.4         // live recordings
                             + (ex ? 2.0 : 0.0);
        const double age = static_cast<double>(last_year - album->year);
        const double recency = 8.0 * std::exp(-age / 6.0) - 3.0;
        double expected = 36.0 + g.popularity + o.artist_effect_sd * ar.quality + audio + recency;

        // artists: primary, plus featured ones (mostly from the same genre)
        std::string artists_field = ar.name;
        std::string feat;
        const double collab_p = std::min(1.0, o.collaboration_rate * (home.style == 3 ? 2.0 : 1.0));
        if (n_artists > 1 && r.uniform() < collab_p) {
            const std::size_t extra = r.uniform() < 0.8 ? 1 : 2;
            double best = ar.quality;
            std::size_t previous = a;
            for (std::size_t e = 0; e < extra; ++e) {
                std::size_t b;
                const auto& pool = genre_artists[ar.genre];
                if (pool.size() > 1 && r.uniform() < 0.8) b = pool[r.below(pool.size())];
                else b = static_cast<std::size_t>(r.below(n_artists));
                if (b == a || b == previous) continue;
                previous = b;
                artists_field.append(";").append(artists[b].name);
                if (feat.empty()) feat = artists[b].name;
                best = std::max(best, artists[b].quality);
            }
            expected += 0.3 * o.artist_effect_sd * (best - ar.quality);  // a star feature lifts a track
        }
        truth.expected_popularity[i] = expected;
        double pop = std::round(clamp(expected + r.normal(0.0, o.popularity_noise_sd), 0.0, 100.0));
        if (r.uniform() < 0.02) pop = 0.0;  // catalogue duplicates / regional re-releases, as in the real data
        popularity[i] = pop;

        // title and album
        const double positivity = clamp(0.15 + 0.8 * va, 0.05, 0.95);
        std::string title = make_title(r, g, positivity);
        if (r.uniform() < 0.012) title.append(positivity > 0.5 ? (r.uniform() < 0.5 ? " ✨" : " 🔥") : " 💔");
        std::string album_name = is_single ? title : album->name;
        if (!feat.empty() && r.uniform() < 0.5) title.append(" (feat. ").append(feat).append(")");
        if (live && r.uniform() < 0.8) title.append(" - Live");
        else if (album->year < last_year - 15 && r.uniform() < 0.2) {
            title.append(" - Remastered");
            if (r.uniform() < 0.5) {
                title.push_back(' ');
                append_int(title, album->year + 10 + static_cast<int>(r.below(static_cast<std::uint64_t>(last_year - album->year - 9))));
            }
        } else if (g.style == 2 && g.name != "ambient" && r.uniform() < 0.1) {
            title.append(" - Radio Edit");
        } else if (r.uniform() < 0.02) {
            title.append(" - Acoustic");
            if (is_single) album_name.append(" (Acoustic)");
        }

        c_id.push_back(base62_id(r));
        c_artists.push_back(artists_field);
        c_album.push_back(album_name);
        c_name.push_back(title);
        c_explicit.push_back(ex ? "True" : "False");
        c_genre.push_back(g.name);
        buf.clear();
        append_int(buf, album->year, 4);
        if (album->precision >= 2) {
            buf.push_back('-');
            append_int(buf, album->month, 2);
        }
        if (album->precision >= 3) {
            buf.push_back('-');
            append_int(buf, album->day, 2);
        }
        c_date.push_back(buf);

        duration[i] = std::round(dur_s * 1000.0);
        danceability[i] = round_sig3(da);
        energy[i] = round_sig3(en);
        key[i] = k;
        loudness[i] = round_decimals(lo, 3);
        mode[i] = mo;
        speechiness[i] = round_sig3(sp);
        acousticness[i] = round_sig3(ac);
        instrumentalness[i] = round_sig3(in);
        liveness[i] = round_sig3(li);
        valence[i] = round_sig3(va);
        tempo[i] = round_decimals(te, 3);
        time_signature[i] = ts;
    }

    io::Table& t = out.tracks;
    t.set_source("musiclab::data::make_catalogue");
    t.add("track_id", std::move(c_id));
    t.add("artists", std::move(c_artists));
    t.add("album_name", std::move(c_album));
    t.add("track_name", std::move(c_name));
    t.add("popularity", io::NumericColumn(std::move(popularity)));
    t.add("duration_ms", io::NumericColumn(std::move(duration)));
    t.add("explicit", std::move(c_explicit));
    t.add("danceability", io::NumericColumn(std::move(danceability)));
    t.add("energy", io::NumericColumn(std::move(energy)));
    t.add("key", io::NumericColumn(std::move(key)));
    t.add("loudness", io::NumericColumn(std::move(loudness)));
    t.add("mode", io::NumericColumn(std::move(mode)));
    t.add("speechiness", io::NumericColumn(std::move(speechiness)));
    t.add("acousticness", io::NumericColumn(std::move(acousticness)));
    t.add("instrumentalness", io::NumericColumn(std::move(instrumentalness)));
    t.add("liveness", io::NumericColumn(std::move(liveness)));
    t.add("valence", io::NumericColumn(std::move(valence)));
    t.add("tempo", io::NumericColumn(std::move(tempo)));
    t.add("time_signature", io::NumericColumn(std::move(time_signature)));
    t.add("track_genre", std::move(c_genre));
    t.add("release_date", std::move(c_date));

    generate_listens(o, user_rng, out);
    return out;
}

}  // namespace musiclab::detail::synthetic

namespace musiclab::data {

inline std::span<const std::string_view> genre_names() noexcept { return detail::synthetic::genre_name_list; }
inline std::span<const std::string_view> tracks_columns() noexcept { return detail::synthetic::track_columns_with_date; }
inline std::span<const std::string_view> listens_columns() noexcept { return detail::synthetic::listen_columns; }
inline Catalogue make_catalogue(const SyntheticOptions& options) { return detail::synthetic::generate(options); }

}  // namespace musiclab::data
