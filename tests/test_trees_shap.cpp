// Tests of GbtModel::shap_values (exact path-dependent TreeSHAP): equality with brute-force
// Shapley values (every feature subset, path-dependent conditional expectations) on small trees
// with missing values, the local-accuracy property (row sums + expected value = margin to 1e-4)
// on every row of a real dataset, and thread-count independence.
#include <doctest/doctest.h>
#include <musiclab/core.hpp>
#include <musiclab/io.hpp>
#include <musiclab/trees.hpp>

#include "support.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace tr = musiclab::trees;

namespace {

/// A tree read back from the model's JSON (independent of the library's internal layout).
struct PlainTree {
    std::vector<int> left, feature, default_left;
    std::vector<double> value, cover;
};

std::vector<PlainTree> trees_of(const tr::GbtModel& m) {
    std::vector<PlainTree> out;
    const auto j = nlohmann::json::parse(m.to_json());
    for (const auto& t : j.at("trees")) {
        PlainTree p;
        p.left = t.at("left").get<std::vector<int>>();
        p.feature = t.at("feature").get<std::vector<int>>();
        p.default_left = t.at("default_left").get<std::vector<int>>();
        p.value = t.at("threshold_or_leaf").get<std::vector<double>>();
        p.cover = t.at("cover").get<std::vector<double>>();
        out.push_back(std::move(p));
    }
    return out;
}

/// E[f(x) | x_S] under the path-dependent approximation: follow x on features in S, else
/// average the children weighted by their training cover.
double conditional_value(const PlainTree& t, const std::vector<double>& x, unsigned subset, int node = 0) {
    if (t.left[static_cast<std::size_t>(node)] == 0) return t.value[static_cast<std::size_t>(node)];
    const auto i = static_cast<std::size_t>(node);
    const int l = t.left[i], r = t.left[i] + 1;
    const int f = t.feature[i];
    if (subset & (1u << f)) {
        const double v = x[static_cast<std::size_t>(f)];
        const bool go_left = std::isnan(v) ? t.default_left[i] != 0 : v <= t.value[i];
        return conditional_value(t, x, subset, go_left ? l : r);
    }
    return (t.cover[static_cast<std::size_t>(l)] * conditional_value(t, x, subset, l) +
            t.cover[static_cast<std::size_t>(r)] * conditional_value(t, x, subset, r)) /
           t.cover[i];
}

/// Shapley values by enumerating all 2^M subsets.
std::vector<double> brute_force_shap(const std::vector<PlainTree>& trees, const std::vector<double>& x) {
    const int M = static_cast<int>(x.size());
    std::vector<double> fact(static_cast<std::size_t>(M) + 1, 1.0);
    for (int k = 1; k <= M; ++k) fact[static_cast<std::size_t>(k)] = fact[static_cast<std::size_t>(k) - 1] * k;
    std::vector<double> v(1u << M, 0.0);
    for (unsigned s = 0; s < (1u << M); ++s)
        for (const auto& t : trees) v[s] += conditional_value(t, x, s);
    std::vector<double> phi(static_cast<std::size_t>(M), 0.0);
    for (int i = 0; i < M; ++i)
        for (unsigned s = 0; s < (1u << M); ++s) {
            if (s & (1u << i)) continue;
            const int size = __builtin_popcount(s);
            const double w = fact[static_cast<std::size_t>(size)] * fact[static_cast<std::size_t>(M - size - 1)] /
                             fact[static_cast<std::size_t>(M)];
            phi[static_cast<std::size_t>(i)] += w * (v[s | (1u << i)] - v[s]);
        }
    return phi;
}

}  // namespace

TEST_CASE("TreeSHAP equals brute-force Shapley values on small trees") {
    musiclab::Rng rng(21);
    const Eigen::Index n = 400;
    Eigen::MatrixXd X(n, 5);
    std::vector<double> y(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) {
        for (Eigen::Index f = 0; f < 5; ++f) X(i, f) = std::floor(rng.uniform(0.0, 6.0));
        if (rng.uniform() < 0.15) X(i, 3) = std::numeric_limits<double>::quiet_NaN();
        // interactions, and a feature reused along a path
        y[static_cast<std::size_t>(i)] = X(i, 0) * X(i, 1) - 2.0 * (X(i, 0) > 3 ? 1 : 0) + (std::isnan(X(i, 3)) ? 4.0 : X(i, 3)) +
                                        rng.normal();
    }
    for (int depth : {1, 2, 3, 5}) {
        CAPTURE(depth);
        tr::GbtOptions o;
        o.n_estimators = 4;
        o.max_depth = depth;
        o.learning_rate = 0.5;
        o.min_child_weight = 0;
        const auto m = tr::fit_gbt_regressor(X, y, o);
        const auto trees = trees_of(m);
        const Eigen::MatrixXd phi = m.shap_values(X);
        for (Eigen::Index i = 0; i < n; i += 7) {
            std::vector<double> x(5);
            for (Eigen::Index f = 0; f < 5; ++f) x[static_cast<std::size_t>(f)] = X(i, f);
            const auto expected = brute_force_shap(trees, x);
            for (Eigen::Index f = 0; f < 5; ++f)
                CHECK(phi(i, f) == doctest::Approx(expected[static_cast<std::size_t>(f)]).epsilon(1e-9).scale(1.0));
        }
    }
}

TEST_CASE("TreeSHAP rows sum to the margin minus the expected value on every row of spotify_2023") {
    const auto path = musiclab::test::shared_dir() / "data/spotify_2023/spotify-2023.csv";
    MUSICLAB_REQUIRE_PATH(path);
    musiclab::io::CsvOptions co;
    co.encoding = musiclab::io::Encoding::latin1;  // the file mixes Latin-1 and UTF-8 in titles
    const auto table = musiclab::io::read_csv(path, co);
    const std::vector<std::string> cols = {"artist_count", "released_year", "released_month", "bpm",
                                           "danceability_%", "valence_%", "energy_%", "acousticness_%",
                                           "instrumentalness_%", "liveness_%", "speechiness_%", "in_apple_playlists"};
    const Eigen::MatrixXd X = table.matrix(cols);
    const auto& target = table.numeric("in_spotify_playlists");
    std::vector<double> y(target.size());
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::log1p(target[i]);
    REQUIRE(X.rows() > 900);
    for (auto policy : {tr::GbtGrowPolicy::depthwise, tr::GbtGrowPolicy::lossguide}) {
        tr::GbtOptions o;
        o.n_estimators = 150;
        o.learning_rate = 0.05;
        o.max_depth = policy == tr::GbtGrowPolicy::depthwise ? 7 : 0;
        o.grow_policy = policy;
        o.max_leaves = policy == tr::GbtGrowPolicy::lossguide ? 40 : 0;
        o.subsample = 0.8;
        const auto m = tr::fit_gbt_regressor(X, y, o);
        const Eigen::MatrixXd phi = m.shap_values(X, 2);
        const Eigen::VectorXd margin = m.predict_margin(X);
        const double e = m.expected_value();
        double worst = 0.0;
        for (Eigen::Index i = 0; i < X.rows(); ++i) worst = std::max(worst, std::abs(phi.row(i).sum() + e - margin[i]));
        CHECK(worst < 1e-4);  // the bound; in practice ~1e-13 (rounding of cover ratios)
        // thread-count independence of the SHAP values
        const Eigen::MatrixXd phi1 = m.shap_values(X, 1);
        CHECK(std::memcmp(phi.data(), phi1.data(), sizeof(double) * static_cast<std::size_t>(phi.size())) == 0);
    }
}
