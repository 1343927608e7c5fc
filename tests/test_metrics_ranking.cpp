#include <doctest/doctest.h>
#include <musiclab/io/csv.hpp>
#include <musiclab/metrics/ranking.hpp>
#include <support.hpp>

#include "data/metrics/reference.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace mm = musiclab::metrics;
namespace ref = musiclab::test::metrics;

namespace {

mm::RankingOptions at_k(int k, mm::Gain gain = mm::Gain::binary, mm::NoRelevantPolicy policy = mm::NoRelevantPolicy::skip) {
    mm::RankingOptions o;
    o.k = k;
    o.gain = gain;
    o.no_relevant = policy;
    return o;
}

}  // namespace

TEST_CASE("ranking metrics on the worked example of docs/metrics.md") {
    // ranked 10, 20, 30, 40, 50; grades 20 -> 3, 40 -> 1, 60 -> 2 (60 is not in the list); R = 3.
    const std::vector<int> ranked = {10, 20, 30, 40, 50};
    const std::map<int, int> graded = {{20, 3}, {40, 1}, {60, 2}, {10, 0}};
    const std::set<int> relevant = {20, 40, 60};

    const auto q3 = mm::evaluate_query(ranked, graded, at_k(3));
    CHECK(q3.list_len == 5);
    CHECK(q3.n_relevant == 3);
    CHECK(q3.n_hits == 1);
    CHECK(q3.precision == 1.0 / 3.0);
    CHECK(q3.recall == 1.0 / 3.0);
    CHECK(q3.hit_rate == 1.0);
    CHECK(q3.mrr == 0.5);
    CHECK(q3.ap == 0.5 / 3.0);  // Precision@2 = 1/2 at the only hit, / min(3, 3)
    // Binary: DCG = 1/log2(3); IDCG = 1/log2(2) + 1/log2(3) + 1/log2(4). Exact same operations.
    CHECK(q3.dcg == 1.0 / std::log2(3.0));
    CHECK(q3.idcg == 1.0 / std::log2(2.0) + 1.0 / std::log2(3.0) + 1.0 / std::log2(4.0));
    CHECK(q3.ndcg == q3.dcg / q3.idcg);
    CHECK(mm::ndcg_at_k(ranked, relevant, 3) == q3.ndcg);  // a set is binary relevance

    // Graded: DCG = 3/log2(3); IDCG = 3/log2(2) + 2/log2(3) + 1/log2(4) (gains sorted 3, 2, 1).
    const auto g3 = mm::evaluate_query(ranked, graded, at_k(3, mm::Gain::graded));
    CHECK(g3.dcg == 3.0 / std::log2(3.0));
    CHECK(g3.idcg == 3.0 / std::log2(2.0) + 2.0 / std::log2(3.0) + 1.0 / std::log2(4.0));
    CHECK(mm::ndcg_at_k(ranked, graded, 3) == doctest::Approx(g3.dcg / g3.idcg).epsilon(1e-15));

    // K = 5: hits at ranks 2 and 4. AP = (1/2 + 2/4) / 3.
    CHECK(mm::precision_at_k(ranked, relevant, 5) == 2.0 / 5.0);
    CHECK(mm::recall_at_k(ranked, relevant, 5) == 2.0 / 3.0);
    CHECK(mm::hit_rate_at_k(ranked, relevant, 5) == 1.0);
    CHECK(mm::mrr_at_k(ranked, relevant, 5) == 0.5);
    CHECK(mm::average_precision_at_k(ranked, relevant, 5) == (0.5 + 0.5) / 3.0);
    // K = 1: the first item is not relevant -> everything 0 except R.
    const auto q1 = mm::evaluate_query(ranked, relevant, at_k(1));
    CHECK(q1.mrr == 0.0);
    CHECK(q1.hit_rate == 0.0);
    CHECK(q1.ndcg == 0.0);
    // K larger than the list: precision still divides by K.
    CHECK(mm::precision_at_k(ranked, relevant, 10) == 2.0 / 10.0);
}

TEST_CASE("ranking averages follow the no-relevant-item policy") {
    const std::vector<std::vector<std::string>> ranked = {{"a", "b"}, {"c", "d"}, {"e"}};
    const std::vector<std::unordered_set<std::string>> relevant = {{"a"}, {}, {"x", "e"}};
    const auto per_query = mm::evaluate_queries(ranked, relevant, at_k(2));
    REQUIRE(per_query.size() == 3);
    CHECK(per_query[1].n_relevant == 0);
    const auto skip = mm::summarize(per_query, mm::NoRelevantPolicy::skip);
    CHECK(skip.n_queries == 2);
    CHECK(skip.n_skipped == 1);
    CHECK(skip.recall == (1.0 + 0.5) / 2.0);
    CHECK(skip.mrr == 1.0);
    CHECK(skip.precision == (0.5 + 0.5) / 2.0);
    const auto zeros = mm::summarize(per_query, mm::NoRelevantPolicy::zeros);
    CHECK(zeros.n_queries == 3);
    CHECK(zeros.n_skipped == 0);
    CHECK(zeros.recall == 1.5 / 3.0);
    CHECK(zeros.mrr == 2.0 / 3.0);
    const auto via_options = mm::evaluate_rankings(ranked, relevant, at_k(2, mm::Gain::binary, mm::NoRelevantPolicy::zeros));
    CHECK(via_options.ndcg == zeros.ndcg);
    // Only queries without relevant items under skip: no query is averaged -> NaN means.
    const std::vector<std::unordered_set<std::string>> none = {{}, {}, {}};
    const auto empty = mm::evaluate_rankings(ranked, none, at_k(2));
    CHECK(empty.n_queries == 0);
    CHECK(std::isnan(empty.map));
    // Threads do not change anything.
    auto threaded = at_k(2);
    threaded.num_threads = 2;
    CHECK(mm::evaluate_rankings(ranked, relevant, threaded).ndcg == mm::evaluate_rankings(ranked, relevant, at_k(2)).ndcg);
}

TEST_CASE("ranking metrics reject bad input naming the parameter") {
    const std::vector<int> ranked = {1, 2, 3}, repeated = {1, 2, 1};
    const std::set<int> relevant = {2};
    CHECK_THROWS_WITH_AS(mm::evaluate_query(ranked, relevant, at_k(0)), doctest::Contains("'k'"), musiclab::invalid_parameter);
    CHECK_THROWS_AS(mm::precision_at_k(ranked, relevant, -3), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(mm::evaluate_query(repeated, relevant, at_k(3)), doctest::Contains("'ranked'"), musiclab::invalid_parameter);
    CHECK_NOTHROW(mm::evaluate_query(repeated, relevant, at_k(2)));  // the repeat is outside the top-2
    const std::map<int, double> nan_grade = {{2, std::numeric_limits<double>::quiet_NaN()}};
    CHECK_THROWS_WITH_AS(mm::evaluate_query(ranked, nan_grade, at_k(2)), doctest::Contains("'grade'"), musiclab::invalid_parameter);
    const std::vector<std::vector<int>> lists = {ranked, ranked};
    const std::vector<std::set<int>> one = {relevant};
    CHECK_THROWS_AS(mm::evaluate_queries(lists, one, at_k(2)), musiclab::shape_mismatch);
    const std::vector<std::vector<int>> no_lists;
    const std::vector<std::set<int>> no_relevance;
    CHECK_THROWS_WITH_AS(mm::evaluate_queries(no_lists, no_relevance, at_k(2)), doctest::Contains("'ranked_lists'"),
                         musiclab::invalid_parameter);
    CHECK_THROWS_AS(mm::summarize({}, mm::NoRelevantPolicy::skip), musiclab::invalid_parameter);
    auto bad_threads = at_k(2);
    bad_threads.num_threads = -1;
    CHECK_THROWS_AS(mm::evaluate_queries(lists, std::vector<std::set<int>>{relevant, relevant}, bad_threads),
                    musiclab::invalid_parameter);
}

namespace {

struct Queries {
    std::vector<std::vector<std::int64_t>> ranked;
    std::vector<std::unordered_map<std::int64_t, double>> graded;
};

Queries read_queries(const std::filesystem::path& path) {
    Queries q;
    for (const auto& line : ref::read_jsonl(path)) {
        const auto id = line.at("query").get<std::size_t>();
        REQUIRE(id == q.ranked.size());
        q.ranked.push_back(line.at("ranked").get<std::vector<std::int64_t>>());
        std::unordered_map<std::int64_t, double> grades;
        for (const auto& [item, grade] : line.at("graded").items()) grades[std::stoll(item)] = grade.get<double>();
        q.graded.push_back(std::move(grades));
    }
    return q;
}

mm::Gain gain_of(std::string_view relevance) {
    REQUIRE((relevance == "binary" || relevance == "graded"));
    return relevance == "binary" ? mm::Gain::binary : mm::Gain::graded;
}

std::filesystem::path sibling(const std::filesystem::path& queries, const std::string& replacement) {
    std::string name = queries.filename().string();
    const std::string from = "queries.jsonl";
    REQUIRE(name.size() > from.size());
    name.replace(name.size() - from.size(), from.size(), replacement);
    return queries.parent_path() / name;
}

}  // namespace

TEST_CASE("ranking metrics match the reference per query and on average") {
    const auto dir = musiclab::test::shared_dir() / "reference/metrics";
    MUSICLAB_REQUIRE_PATH(dir);
    const auto files = ref::files_matching(dir, "ranking_", "queries.jsonl");
    REQUIRE(!files.empty());
    ref::ErrorStats stats;
    std::size_t rows_checked = 0, summary_rows = 0;
    for (const auto& file : files) {
        const Queries q = read_queries(file);
        // Per query: ranking_per_query.tsv, one line per (query, relevance, K).
        const auto per_query = musiclab::io::read_csv(sibling(file, "per_query.tsv"), musiclab::io::CsvOptions::tsv());
        const auto& query_col = per_query.numeric("query");
        const auto& relevance_col = per_query.text("relevance");
        const auto& k_col = per_query.numeric("K");
        const char* exact_columns[] = {"list_len", "n_relevant", "n_hits", "hit_rate"};
        const char* float_columns[] = {"precision", "recall", "mrr", "ap", "ndcg", "dcg", "idcg"};
        for (std::size_t r = 0; r < per_query.rows(); ++r) {
            const auto id = static_cast<std::size_t>(query_col[r]);
            REQUIRE(id < q.ranked.size());
            const auto got = mm::evaluate_query(q.ranked[id], q.graded[id], at_k(static_cast<int>(k_col[r]), gain_of(relevance_col[r])));
            const std::unordered_map<std::string, double> value = {
                {"list_len", static_cast<double>(got.list_len)}, {"n_relevant", static_cast<double>(got.n_relevant)},
                {"n_hits", static_cast<double>(got.n_hits)},     {"hit_rate", got.hit_rate},
                {"precision", got.precision},                    {"recall", got.recall},
                {"mrr", got.mrr},                                {"ap", got.ap},
                {"ndcg", got.ndcg},                              {"dcg", got.dcg},
                {"idcg", got.idcg}};
            INFO("query " << id << " " << relevance_col[r] << " K=" << k_col[r]);
            // README 5(b): exact for integer-valued metrics.
            for (const char* c : exact_columns) CHECK(value.at(c) == per_query.numeric(c)[r]);
            // README 5(b): 1e-12 otherwise (same definitions; only the summation order may differ).
            for (const char* c : float_columns) {
                const double want = per_query.numeric(c)[r];
                CHECK(std::fabs(value.at(c) - want) <= 1e-12);
                stats.add(std::fabs(value.at(c) - want), value.at(c) == want);
            }
            ++rows_checked;
        }
        // Averages: ranking_summary.tsv, one line per (relevance, K, policy).
        const auto summary = musiclab::io::read_csv(sibling(file, "summary.tsv"), musiclab::io::CsvOptions::tsv());
        for (std::size_t r = 0; r < summary.rows(); ++r) {
            const std::string_view policy_name = summary.text("no_relevant_policy")[r];
            REQUIRE((policy_name == "skip" || policy_name == "zeros"));
            auto options = at_k(static_cast<int>(summary.numeric("K")[r]), gain_of(summary.text("relevance")[r]),
                                policy_name == "skip" ? mm::NoRelevantPolicy::skip : mm::NoRelevantPolicy::zeros);
            options.num_threads = 2;
            const auto got = mm::evaluate_rankings(q.ranked, q.graded, options);
            INFO("summary " << summary.text("relevance")[r] << " K=" << summary.numeric("K")[r] << " " << policy_name);
            CHECK(static_cast<double>(got.n_queries) == summary.numeric("n_queries")[r]);
            const std::pair<const char*, double> means[] = {{"mean_precision", got.precision}, {"mean_recall", got.recall},
                                                            {"mean_hit_rate", got.hit_rate},   {"mean_mrr", got.mrr},
                                                            {"map", got.map},                  {"mean_ndcg", got.ndcg}};
            for (const auto& [column, mean] : means) {
                const double want = summary.numeric(column)[r];
                // README 5(b): 1e-12 (means are math.fsum / count there, exactly rounded sums here).
                CHECK(std::fabs(mean - want) <= 1e-12);
                stats.add(std::fabs(mean - want), mean == want);
            }
            ++summary_rows;
        }
    }
    MESSAGE("ranking: " << rows_checked << " (query, relevance, K) rows and " << summary_rows << " summary rows; "
                        << stats.compared << " float values compared, " << stats.identical << " bit-identical, max |error| "
                        << stats.max_error);
    CHECK(rows_checked >= 1600);
    CHECK(summary_rows >= 16);
}
