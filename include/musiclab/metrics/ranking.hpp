// musiclab::metrics ranking metrics at a cutoff K for recommendation / similarity search:
// Precision@K, Recall@K, HitRate@K, MRR@K, AP@K (MAP@K when averaged) and NDCG@K with binary or
// graded gains. One query = a ranked list of distinct items (best first) and its relevant items:
// a set (std::set / std::unordered_set: every member relevant with grade 1) or a graded map
// (std::map / std::unordered_map item -> grade: relevant iff grade > 0; items absent have grade 0).
// Relevant items may be missing from the list. Definitions (docs/metrics.md has a worked example
// of each), with top-K = the first min(K, list length) items and R = number of relevant items:
//
//   Precision@K = hits in top-K / K          (always / K, also when the list is shorter)
//   Recall@K    = hits in top-K / R          (0 when R = 0)
//   HitRate@K   = 1 if a hit is in top-K else 0
//   MRR@K       = 1 / rank of the first hit if it is within top-K, else 0 (ranks start at 1)
//   AP@K        = Σ_{ranks i <= K holding a hit} Precision@i / min(K, R)   (0 when R = 0)
//   NDCG@K      = DCG@K / IDCG@K, DCG@K = Σ_{i <= min(K, len)} gain(i) / log2(i + 1),
//                 IDCG@K = the same sum over the K largest gains of *all* relevant items (also
//                 those not in the list); 0 when R = 0. gain = grade (graded) or 1 (binary).
//
// Averages over queries (summarize / evaluate_rankings) follow an explicit policy for queries with
// R = 0: NoRelevantPolicy::skip (default: left out of every mean, their count is reported) or
// NoRelevantPolicy::zeros (they count, with every metric 0). Means are exactly rounded sums
// (as Python's math.fsum) divided by the count, so they do not depend on query order or threads.
//
// Thread safety: pure functions; safe to call concurrently.
#pragma once

#include "../core/error.hpp"
#include "detail/text.hpp"
#include "../core/parallel.hpp"
#include "detail/summation.hpp"

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace musiclab::metrics {

/// How relevance becomes gain in NDCG: binary (1 for every relevant item) or graded (the grade).
/// Only NDCG (and its DCG/IDCG) depends on it; the other metrics use "grade > 0".
enum class Gain { binary, graded };

/// What averages do with queries that have no relevant item (R = 0).
enum class NoRelevantPolicy {
    skip,   ///< leave them out of the means (default; their number is in RankingSummary::n_skipped)
    zeros,  ///< count them, with every metric 0 (sklearn's ndcg_score convention)
};

/// Options of the ranking metrics.
struct RankingOptions {
    /// Cutoff K >= 1 (default 10).
    int k = 10;
    /// Gains of NDCG (default binary).
    Gain gain = Gain::binary;
    /// Averaging policy for queries without relevant items (default skip).
    NoRelevantPolicy no_relevant = NoRelevantPolicy::skip;
    /// Worker threads over queries in evaluate_queries / evaluate_rankings (default 1; 0 = all).
    /// Results do not depend on it.
    int num_threads = 1;
};

/// Every metric of one query at cutoff K.
struct QueryMetrics {
    std::size_t list_len = 0;    ///< length of the ranked list
    std::size_t n_relevant = 0;  ///< R: relevant items of the query (listed or not)
    std::size_t n_hits = 0;      ///< relevant items in the top-K
    double precision = 0.0;
    double recall = 0.0;
    double hit_rate = 0.0;
    double mrr = 0.0;   ///< reciprocal rank of the first hit within top-K (per query)
    double ap = 0.0;    ///< average precision at K (per query); its mean is MAP@K
    double ndcg = 0.0;
    double dcg = 0.0;
    double idcg = 0.0;
};

/// Means of QueryMetrics over queries under a NoRelevantPolicy.
struct RankingSummary {
    std::size_t n_queries = 0;  ///< queries in the means
    std::size_t n_skipped = 0;  ///< queries left out (R = 0 under NoRelevantPolicy::skip)
    double precision = 0.0;
    double recall = 0.0;
    double hit_rate = 0.0;
    double mrr = 0.0;
    double map = 0.0;  ///< mean AP@K
    double ndcg = 0.0;
};

/// A random-access list of items: `r.size()` and `r[i]` (std::vector, std::span, ...).
template <class R>
concept RankedList = requires(const R& r, std::size_t i) {
    { r.size() } -> std::convertible_to<std::size_t>;
    r[i];
};

/// Item type of a RankedList.
template <class R>
using ranked_item_t = std::remove_cvref_t<decltype(std::declval<const R&>()[0])>;

/// A graded relevance map item -> grade (std::map, std::unordered_map, ...).
template <class M, class Item>
concept GradedRelevance = requires(const M& m, const Item& item) {
    typename M::mapped_type;
    { m.find(item) != m.end() } -> std::convertible_to<bool>;
    { static_cast<double>(m.find(item)->second) };
    { static_cast<double>(m.begin()->second) };
};

/// A set of relevant items (std::set, std::unordered_set, ...): every member has grade 1.
template <class S, class Item>
concept SetRelevance = !GradedRelevance<S, Item> && requires(const S& s, const Item& item) {
    { s.find(item) != s.end() } -> std::convertible_to<bool>;
    { s.size() } -> std::convertible_to<std::size_t>;
};

/// Relevance of a query: a set or a graded map.
template <class Rel, class Item>
concept Relevance = GradedRelevance<Rel, Item> || SetRelevance<Rel, Item>;

/// Every metric of one query at options.k. O(len + R log R) time (the ideal gains are sorted).
/// Throws invalid_parameter for k <= 0, an item repeated within the top-K (checked for item types
/// with operator<, i.e. integers and strings), or a NaN / infinite grade.
template <RankedList Ranked, class Rel>
    requires Relevance<Rel, ranked_item_t<Ranked>>
QueryMetrics evaluate_query(const Ranked& ranked, const Rel& relevant, const RankingOptions& options = {});

/// Per-query metrics of many queries: ranked_lists[q] with relevance[q] (same count, else
/// shape_mismatch; at least one query, else invalid_parameter). Parallel over queries.
template <class RankedLists, class Relevances>
std::vector<QueryMetrics> evaluate_queries(const RankedLists& ranked_lists, const Relevances& relevance,
                                           const RankingOptions& options = {});

/// Means of per-query metrics under `policy` (exactly rounded sums / count). Throws
/// invalid_parameter for an empty input. When every query is skipped the means are NaN and
/// n_queries is 0.
RankingSummary summarize(std::span<const QueryMetrics> per_query, NoRelevantPolicy policy);

/// evaluate_queries then summarize under options.no_relevant.
template <class RankedLists, class Relevances>
RankingSummary evaluate_rankings(const RankedLists& ranked_lists, const Relevances& relevance,
                                 const RankingOptions& options = {}) {
    const auto per_query = evaluate_queries(ranked_lists, relevance, options);
    return summarize(per_query, options.no_relevant);
}

/// Single metrics of one query at cutoff k (each = the field of evaluate_query).
template <RankedList Ranked, class Rel>
    requires Relevance<Rel, ranked_item_t<Ranked>>
double precision_at_k(const Ranked& ranked, const Rel& relevant, int k);
template <RankedList Ranked, class Rel>
    requires Relevance<Rel, ranked_item_t<Ranked>>
double recall_at_k(const Ranked& ranked, const Rel& relevant, int k);
template <RankedList Ranked, class Rel>
    requires Relevance<Rel, ranked_item_t<Ranked>>
double hit_rate_at_k(const Ranked& ranked, const Rel& relevant, int k);
template <RankedList Ranked, class Rel>
    requires Relevance<Rel, ranked_item_t<Ranked>>
double mrr_at_k(const Ranked& ranked, const Rel& relevant, int k);
template <RankedList Ranked, class Rel>
    requires Relevance<Rel, ranked_item_t<Ranked>>
double average_precision_at_k(const Ranked& ranked, const Rel& relevant, int k);
/// NDCG@k with the given gain (default graded: equals binary for a set).
template <RankedList Ranked, class Rel>
    requires Relevance<Rel, ranked_item_t<Ranked>>
double ndcg_at_k(const Ranked& ranked, const Rel& relevant, int k, Gain gain = Gain::graded);

}  // namespace musiclab::metrics

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::detail {

inline void check_k(int k) {
    if (k <= 0) throw invalid_parameter("k", k, ">= 1 (the ranking cutoff K)");
}

template <class Rel, class Item>
double grade_of(const Rel& relevant, const Item& item) {
    const auto it = relevant.find(item);
    if (it == relevant.end()) return 0.0;
    if constexpr (metrics::GradedRelevance<Rel, Item>) {
        return static_cast<double>(it->second);
    } else {
        return 1.0;
    }
}

template <class Rel, class Item>
void relevant_grades(const Rel& relevant, std::vector<double>& out) {
    out.clear();
    if constexpr (metrics::GradedRelevance<Rel, Item>) {
        for (const auto& entry : relevant) {
            const double g = static_cast<double>(entry.second);
            if (!std::isfinite(g)) throw invalid_parameter("grade", g, "finite values (relevant iff > 0)");
            if (g > 0.0) out.push_back(g);
        }
    } else {
        out.assign(relevant.size(), 1.0);
    }
}

template <class Ranked>
void check_distinct_top(const Ranked& ranked, std::size_t top) {
    using Item = metrics::ranked_item_t<Ranked>;
    if constexpr (std::totally_ordered<Item>) {
        std::vector<Item> items;
        items.reserve(top);
        for (std::size_t i = 0; i < top; ++i) items.push_back(ranked[i]);
        std::sort(items.begin(), items.end());
        if (std::adjacent_find(items.begin(), items.end()) != items.end())
            throw invalid_parameter("ranked", detail::text_concat("a list repeating an item within the top-", top),
                                    "distinct items");
    }
}

}  // namespace musiclab::detail

namespace musiclab::metrics {

template <RankedList Ranked, class Rel>
    requires Relevance<Rel, ranked_item_t<Ranked>>
QueryMetrics evaluate_query(const Ranked& ranked, const Rel& relevant, const RankingOptions& options) {
    using Item = ranked_item_t<Ranked>;
    detail::check_k(options.k);
    const auto k = static_cast<std::size_t>(options.k);
    QueryMetrics q;
    q.list_len = static_cast<std::size_t>(ranked.size());
    const std::size_t top = std::min(k, q.list_len);
    detail::check_distinct_top(ranked, top);

    std::vector<double> ideal;
    detail::relevant_grades<Rel, Item>(relevant, ideal);
    q.n_relevant = ideal.size();

    const bool graded = options.gain == Gain::graded;
    double precision_sum = 0.0;
    for (std::size_t i = 0; i < top; ++i) {
        const double g = detail::grade_of(relevant, static_cast<const Item&>(ranked[i]));
        if (!(g > 0.0)) continue;
        ++q.n_hits;
        const double rank = static_cast<double>(i + 1);
        if (q.n_hits == 1) q.mrr = 1.0 / rank;
        precision_sum += static_cast<double>(q.n_hits) / rank;
        q.dcg += (graded ? g : 1.0) / std::log2(rank + 1.0);
    }
    q.precision = static_cast<double>(q.n_hits) / static_cast<double>(k);
    q.hit_rate = q.n_hits > 0 ? 1.0 : 0.0;
    if (q.n_relevant == 0) return q;  // recall, AP, NDCG, IDCG are 0 by definition

    q.recall = static_cast<double>(q.n_hits) / static_cast<double>(q.n_relevant);
    q.ap = precision_sum / static_cast<double>(std::min(k, q.n_relevant));
    const std::size_t ideal_len = std::min(k, ideal.size());
    if (graded) {
        std::partial_sort(ideal.begin(), ideal.begin() + static_cast<std::ptrdiff_t>(ideal_len), ideal.end(),
                          std::greater<double>());
    }
    for (std::size_t i = 0; i < ideal_len; ++i)
        q.idcg += (graded ? ideal[i] : 1.0) / std::log2(static_cast<double>(i + 2));
    q.ndcg = q.dcg / q.idcg;
    return q;
}

template <class RankedLists, class Relevances>
std::vector<QueryMetrics> evaluate_queries(const RankedLists& ranked_lists, const Relevances& relevance,
                                           const RankingOptions& options) {
    detail::check_k(options.k);
    const int workers = resolve_threads(options.num_threads);
    const auto n = static_cast<std::size_t>(ranked_lists.size());
    if (n == 0) throw invalid_parameter("ranked_lists", "0 queries", "at least one query");
    if (static_cast<std::size_t>(relevance.size()) != n)
        throw shape_mismatch("number of relevance entries (one per ranked list)", n, static_cast<std::size_t>(relevance.size()));
    std::vector<QueryMetrics> out(n);
    parallelize(workers, n, [&](int, std::size_t start, std::size_t length) {
        for (std::size_t q = start; q < start + length; ++q) out[q] = evaluate_query(ranked_lists[q], relevance[q], options);
    });
    return out;
}

inline RankingSummary summarize(std::span<const QueryMetrics> per_query, NoRelevantPolicy policy) {
    if (per_query.empty()) throw invalid_parameter("per_query", "0 queries", "at least one query");
    detail::ExactSum precision, recall, hit_rate, mrr, ap, ndcg;
    RankingSummary s;
    for (const auto& q : per_query) {
        if (q.n_relevant == 0 && policy == NoRelevantPolicy::skip) {
            ++s.n_skipped;
            continue;
        }
        ++s.n_queries;
        if (q.n_relevant == 0) continue;  // zeros: counts, adds nothing
        precision.add(q.precision);
        recall.add(q.recall);
        hit_rate.add(q.hit_rate);
        mrr.add(q.mrr);
        ap.add(q.ap);
        ndcg.add(q.ndcg);
    }
    const double count = s.n_queries == 0 ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(s.n_queries);
    s.precision = precision.value() / count;
    s.recall = recall.value() / count;
    s.hit_rate = hit_rate.value() / count;
    s.mrr = mrr.value() / count;
    s.map = ap.value() / count;
    s.ndcg = ndcg.value() / count;
    return s;
}

template <RankedList Ranked, class Rel>
    requires Relevance<Rel, ranked_item_t<Ranked>>
double precision_at_k(const Ranked& ranked, const Rel& relevant, int k) {
    RankingOptions o;
    o.k = k;
    return evaluate_query(ranked, relevant, o).precision;
}
template <RankedList Ranked, class Rel>
    requires Relevance<Rel, ranked_item_t<Ranked>>
double recall_at_k(const Ranked& ranked, const Rel& relevant, int k) {
    RankingOptions o;
    o.k = k;
    return evaluate_query(ranked, relevant, o).recall;
}
template <RankedList Ranked, class Rel>
    requires Relevance<Rel, ranked_item_t<Ranked>>
double hit_rate_at_k(const Ranked& ranked, const Rel& relevant, int k) {
    RankingOptions o;
    o.k = k;
    return evaluate_query(ranked, relevant, o).hit_rate;
}
template <RankedList Ranked, class Rel>
    requires Relevance<Rel, ranked_item_t<Ranked>>
double mrr_at_k(const Ranked& ranked, const Rel& relevant, int k) {
    RankingOptions o;
    o.k = k;
    return evaluate_query(ranked, relevant, o).mrr;
}
template <RankedList Ranked, class Rel>
    requires Relevance<Rel, ranked_item_t<Ranked>>
double average_precision_at_k(const Ranked& ranked, const Rel& relevant, int k) {
    RankingOptions o;
    o.k = k;
    return evaluate_query(ranked, relevant, o).ap;
}
template <RankedList Ranked, class Rel>
    requires Relevance<Rel, ranked_item_t<Ranked>>
double ndcg_at_k(const Ranked& ranked, const Rel& relevant, int k, Gain gain) {
    RankingOptions o;
    o.k = k;
    o.gain = gain;
    return evaluate_query(ranked, relevant, o).ndcg;
}

}  // namespace musiclab::metrics
