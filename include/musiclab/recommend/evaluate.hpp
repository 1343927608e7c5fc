// Offline evaluation of recommenders on interaction data: hold-out splits and top-n ranking
// metrics per user (Recall@K, MRR@K, NDCG@K, ... from musiclab::metrics), and the hybrid blend
// alpha * content + (1 - alpha) * collaborative with its alpha sweep.
//
//     auto split = holdout_split(R, 0.2, 5, /*seed*/ 0);   // per user: 20 % of the items to test
//     auto summary = evaluate_top_n(split, 10, [&](std::size_t u) { return knn_scores(u); });
//
// Contract
// - holdout_split: every user with >= min_items items gives max(1, round(fraction x n)) of them,
//   drawn uniformly with musiclab::Rng(seed) (users in id order), to the test set; the rest (and
//   every item of the other users) stays in train with its value. Deterministic for a seed.
// - leave_last_out: per user, the triple with the largest time goes to test (ties: the later
//   triple); users with fewer than min_items triples stay in train.
// - evaluate_top_n: for every user with test items, ranks all items by score(u) (a vector with one
//   score per item) leaving out the user's train items, and compares the top-k with the test items
//   (binary relevance). Users without test items are not evaluated.
// - summarize_by_group: the same means per group of queries (per genre, per user segment).
// - blend: per user, each component is min-max scaled to [0, 1] over the items that are not
//   excluded (a constant component becomes 0), then alpha * content + (1 - alpha) * collaborative.
// - Thread safety: pure functions; evaluate_top_n calls score(u) from num_threads workers.
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../core/random.hpp"
#include "../metrics/ranking.hpp"
#include "collaborative.hpp"
#include "interactions.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <vector>

namespace musiclab::recommend {

/// Train interactions and the held-out items of each user (sorted ids; empty = not evaluated).
struct Split {
    Interactions train;
    std::vector<std::vector<std::int32_t>> test;
};

/// Random per-user hold-out (see the header comment).
inline Split holdout_split(const Interactions& all, double fraction = 0.2, std::size_t min_items = 5, std::uint64_t seed = 0) {
    if (!(fraction > 0 && fraction < 1)) throw invalid_parameter("fraction", fraction, "(0, 1)");
    if (min_items < 2) throw invalid_parameter("min_items", min_items, ">= 2");
    musiclab::Rng rng(seed);
    Split s;
    s.test.resize(all.num_users());
    std::vector<Eigen::Triplet<double, std::int32_t>> keep;
    keep.reserve(all.num_interactions());
    std::vector<std::size_t> order;
    for (std::size_t u = 0; u < all.num_users(); ++u) {
        const auto items = all.items_of(u);
        const auto values = all.values_of(u);
        std::vector<char> held(items.size(), 0);
        if (items.size() >= min_items) {
            const auto n_test = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(fraction * static_cast<double>(items.size()))));
            order.resize(items.size());
            for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
            for (std::size_t i = 0; i < n_test; ++i) {  // partial Fisher-Yates
                const std::size_t j = i + static_cast<std::size_t>(rng.below(order.size() - i));
                std::swap(order[i], order[j]);
                held[order[i]] = 1;
            }
        }
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (held[i]) s.test[u].push_back(items[i]);
            else keep.emplace_back(static_cast<std::int32_t>(u), items[i], values[i]);
        }
    }
    SparseRows train(static_cast<std::int32_t>(all.num_users()), static_cast<std::int32_t>(all.num_items()));
    train.setFromTriplets(keep.begin(), keep.end());
    s.train = Interactions::from_matrix(std::move(train));
    return s;
}

/// Marks, per user, the triple with the largest time as test (see the header comment).
inline std::vector<char> leave_last_out(std::span<const std::int32_t> users, std::span<const double> times,
                                        std::size_t n_users, std::size_t min_items = 2) {
    if (times.size() != users.size()) throw shape_mismatch("leave_last_out: times vs users", users.size(), times.size());
    std::vector<std::size_t> count(n_users, 0), last(n_users, std::numeric_limits<std::size_t>::max());
    for (std::size_t t = 0; t < users.size(); ++t) {
        if (users[t] < 0 || static_cast<std::size_t>(users[t]) >= n_users)
            throw invalid_parameter("users[" + std::to_string(t) + "]", users[t], "0.." + std::to_string(n_users) + " - 1");
        if (std::isnan(times[t])) throw invalid_parameter("times[" + std::to_string(t) + "]", "NaN", "a time");
        const auto u = static_cast<std::size_t>(users[t]);
        ++count[u];
        if (last[u] == std::numeric_limits<std::size_t>::max() || times[t] >= times[last[u]]) last[u] = t;
    }
    std::vector<char> test(users.size(), 0);
    for (std::size_t u = 0; u < n_users; ++u)
        if (count[u] >= min_items) test[last[u]] = 1;
    return test;
}

/// Top-k ranking metrics over the users with test items (see the header comment).
template <class ScoreFn>
metrics::RankingSummary evaluate_top_n(const Split& split, int k, ScoreFn&& score, int num_threads = 1,
                                       std::vector<metrics::QueryMetrics>* per_user = nullptr) {
    if (k <= 0) throw invalid_parameter("k", k, ">= 1");
    std::vector<std::size_t> users;
    for (std::size_t u = 0; u < split.test.size(); ++u)
        if (!split.test[u].empty()) users.push_back(u);
    if (users.empty()) throw invalid_parameter("split", "no user has test items", "at least one evaluated user");
    std::vector<std::vector<std::int32_t>> ranked(users.size());
    std::vector<std::set<std::int32_t>> relevant(users.size());
    musiclab::parallelize(musiclab::resolve_threads(num_threads), users.size(), [&](int, std::size_t start, std::size_t len) {
        for (std::size_t q = start; q < start + len; ++q) {
            const std::size_t u = users[q];
            const std::vector<double> s = score(u);
            if (s.size() != split.train.num_items()) throw shape_mismatch("evaluate_top_n: scores", split.train.num_items(), s.size());
            ranked[q] = rank(s, static_cast<std::size_t>(k), split.train.items_of(u));
            relevant[q] = std::set<std::int32_t>(split.test[u].begin(), split.test[u].end());
        }
    });
    metrics::RankingOptions o;
    o.k = k;
    const auto per = metrics::evaluate_queries(ranked, relevant, o);
    if (per_user) *per_user = per;
    return metrics::summarize(per, o.no_relevant);
}

/// Means of per-query metrics per group (e.g. per genre of the query track, per user segment):
/// result[g] summarises the queries q with groups[q] == g, under `policy`. Groups with no query
/// are absent.
inline std::map<std::int32_t, metrics::RankingSummary> summarize_by_group(std::span<const metrics::QueryMetrics> per_query,
                                                                          std::span<const std::int32_t> groups,
                                                                          metrics::NoRelevantPolicy policy = metrics::NoRelevantPolicy::skip) {
    if (groups.size() != per_query.size()) throw shape_mismatch("summarize_by_group: groups vs queries", per_query.size(), groups.size());
    std::map<std::int32_t, std::vector<metrics::QueryMetrics>> by;
    for (std::size_t q = 0; q < groups.size(); ++q) by[groups[q]].push_back(per_query[q]);
    std::map<std::int32_t, metrics::RankingSummary> out;
    for (const auto& [g, v] : by) out.emplace(g, metrics::summarize(v, policy));
    return out;
}

/// alpha * minmax(content) + (1 - alpha) * minmax(collaborative), scaled over the items not in
/// `exclude` (sorted ids); excluded items get -inf.
inline std::vector<double> blend(std::span<const double> content, std::span<const double> collaborative, double alpha,
                                 std::span<const std::int32_t> exclude = {}) {
    if (content.size() != collaborative.size()) throw shape_mismatch("blend: collaborative vs content", content.size(), collaborative.size());
    if (!(alpha >= 0 && alpha <= 1)) throw invalid_parameter("alpha", alpha, "[0, 1]");
    const std::size_t n = content.size();
    std::vector<char> out(n, 0);
    for (const std::int32_t i : exclude)
        if (i >= 0 && static_cast<std::size_t>(i) < n) out[static_cast<std::size_t>(i)] = 1;
    auto range = [&](std::span<const double> v) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (std::size_t i = 0; i < n; ++i)
            if (!out[i] && std::isfinite(v[i])) {
                lo = std::min(lo, v[i]);
                hi = std::max(hi, v[i]);
            }
        return std::pair{lo, hi};
    };
    const auto [clo, chi] = range(content);
    const auto [flo, fhi] = range(collaborative);
    std::vector<double> s(n, -std::numeric_limits<double>::infinity());
    for (std::size_t i = 0; i < n; ++i) {
        if (out[i]) continue;
        const double a = chi > clo ? (content[i] - clo) / (chi - clo) : 0.0;
        const double b = fhi > flo ? (collaborative[i] - flo) / (fhi - flo) : 0.0;
        s[i] = alpha * a + (1.0 - alpha) * b;
    }
    return s;
}

/// One point of an alpha sweep.
struct AlphaPoint {
    double alpha;
    metrics::RankingSummary summary;
};

/// Evaluates blend(content(u), collaborative(u), alpha) for every alpha on `split` and returns
/// all points; the best by `key` (e.g. NDCG) is best_alpha(points).
template <class ContentFn, class CollabFn>
std::vector<AlphaPoint> sweep_alpha(const Split& split, int k, std::span<const double> alphas, ContentFn&& content,
                                    CollabFn&& collaborative, int num_threads = 1) {
    // Component scores are computed once per user and blended for every alpha.
    std::vector<std::size_t> users;
    for (std::size_t u = 0; u < split.test.size(); ++u)
        if (!split.test[u].empty()) users.push_back(u);
    std::vector<std::vector<double>> c(split.test.size()), f(split.test.size());
    musiclab::parallelize(musiclab::resolve_threads(num_threads), users.size(), [&](int, std::size_t start, std::size_t len) {
        for (std::size_t q = start; q < start + len; ++q) {
            c[users[q]] = content(users[q]);
            f[users[q]] = collaborative(users[q]);
        }
    });
    std::vector<AlphaPoint> points;
    for (const double a : alphas)
        points.push_back({a, evaluate_top_n(split, k, [&](std::size_t u) { return blend(c[u], f[u], a, split.train.items_of(u)); },
                                            num_threads)});
    return points;
}

/// The point of largest NDCG (ties: the first).
inline const AlphaPoint& best_alpha(const std::vector<AlphaPoint>& points) {
    if (points.empty()) throw invalid_parameter("points", "[]", "at least one alpha");
    return *std::max_element(points.begin(), points.end(), [](const AlphaPoint& a, const AlphaPoint& b) { return a.summary.ndcg < b.summary.ndcg; });
}

}  // namespace musiclab::recommend
