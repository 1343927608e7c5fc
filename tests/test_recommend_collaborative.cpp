// Collaborative filtering and evaluation: hand-worked weightings and neighbours, ALS against the
// exact normal-equation solution, ranking and splitting rules, hybrid blending, bad input.
#include <doctest/doctest.h>
#include <musiclab/recommend.hpp>

#include "support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

using namespace musiclab::recommend;

namespace {

// 4 users x 5 items.
//   u0: i0 (2), i1 (1)
//   u1: i0 (1), i1 (3), i2 (1)
//   u2: i2 (4), i3 (1)
//   u3: i0 (1), i4 (2)
Interactions tiny() {
    const std::vector<std::int32_t> users{0, 0, 1, 1, 1, 2, 2, 3, 3};
    const std::vector<std::int32_t> items{0, 1, 0, 1, 2, 2, 3, 0, 4};
    const std::vector<double> values{2, 1, 1, 3, 1, 4, 1, 1, 2};
    return Interactions::from_triples(users, items, values, 4, 5);
}

}  // namespace

TEST_CASE("interactions from triples sum repeats and keep both orientations") {
    const std::vector<std::int32_t> users{1, 0, 1};
    const std::vector<std::int32_t> items{2, 0, 2};
    const std::vector<double> values{1.5, 2.0, 0.5};
    const auto R = Interactions::from_triples(users, items, values, 2, 3);
    CHECK(R.num_interactions() == 2);
    CHECK(R.user_items().coeff(1, 2) == 2.0);
    CHECK(R.item_users().coeff(2, 1) == 2.0);
    CHECK(R.items_of(0).size() == 1);
    CHECK(R.items_of(0)[0] == 0);
}

TEST_CASE("bm25 and tfidf weights follow implicit's formulas") {
    const auto R = tiny();
    const auto& X = R.item_users();  // 5 items x 4 users
    // df (items per user): u0 2, u1 3, u2 2, u3 2; N = 5 items; row sums: i0 4, i1 4, i2 5, i3 1, i4 2; avg 16/5.
    const auto T = tfidf_weight(X);
    CHECK(T.coeff(1, 1) == doctest::Approx(std::sqrt(3.0) * (std::log(5.0) - std::log(4.0))).epsilon(1e-15));
    const auto B = bm25_weight(X, 100.0, 0.8);
    const double norm = 0.2 + 0.8 * 5.0 / (16.0 / 5.0);  // item 2
    CHECK(B.coeff(2, 2) == doctest::Approx(4.0 * 101.0 / (100.0 * norm + 4.0) * (std::log(5.0) - std::log(3.0))).epsilon(1e-15));
    CHECK_THROWS_AS(bm25_weight(X, 0.0, 0.5), musiclab::invalid_parameter);
    CHECK_THROWS_AS(bm25_weight(X, 1.0, 1.5), musiclab::invalid_parameter);
}

TEST_CASE("item-item cosine neighbours and scores by hand") {
    const auto R = tiny();
    ItemKNNOptions o;
    o.neighbours = 2;
    ItemKNN knn(o);
    knn.fit(R.item_users());
    // Item vectors over users: i0 = (2,1,0,1), i1 = (1,3,0,0), i2 = (0,1,4,0), i3 = (0,0,1,0), i4 = (0,0,0,2).
    // cos(i0,i1) = 5/sqrt(60); cos(i0,i2) = 1/sqrt(102); cos(i0,i4) = 2/sqrt(24).
    const auto n0 = knn.neighbours(0);
    REQUIRE(n0.size() == 2);
    CHECK(n0[0] == 1);
    CHECK(knn.similarities(0)[0] == doctest::Approx(5.0 / std::sqrt(60.0)).epsilon(1e-15));
    CHECK(n0[1] == 4);
    CHECK(knn.similarities(0)[1] == doctest::Approx(2.0 / std::sqrt(24.0)).epsilon(1e-15));
    CHECK(knn.neighbours(4).size() == 1);  // only i0 overlaps with i4
    // User 2 (i2: 4, i3: 1): i2's neighbours are i3 (4/sqrt(17)) and i1 (3/sqrt(170)); i3's only i2.
    const auto s = knn.scores(R.items_of(2), R.values_of(2));
    CHECK(s[1] == doctest::Approx(4.0 * 3.0 / std::sqrt(170.0)).epsilon(1e-15));
    CHECK(s[0] == 0.0);
    const auto top = rank(s, 2, R.items_of(2));
    REQUIRE(top.size() == 2);
    CHECK(top[0] == 1);
    CHECK(top[1] == 0);  // zero scores tie: smaller id first
    // Thread count does not change the neighbours.
    o.num_threads = 3;
    ItemKNN knn3(o);
    knn3.fit(R.item_users());
    for (std::size_t i = 0; i < 5; ++i) {
        CHECK(std::vector<std::int32_t>(knn3.neighbours(i).begin(), knn3.neighbours(i).end()) ==
              std::vector<std::int32_t>(knn.neighbours(i).begin(), knn.neighbours(i).end()));
    }
}

TEST_CASE("ALS with enough CG steps reaches the exact least-squares factors of each half-step") {
    // One ALS iteration with many CG steps equals solving (Y'CuY + lambda I) x = Y'Cu p exactly.
    const auto R = tiny();
    ALSOptions o;
    o.factors = 3;
    o.regularization = 0.1;
    o.alpha = 2.0;
    o.iterations = 1;
    o.cg_steps = 50;
    o.seed = 7;
    ImplicitALS als(o);
    als.fit(R);
    const auto& X = als.user_factors();
    const auto& Y = als.item_factors();
    // The item half-step came last: check it against the exact solution given X.
    for (std::size_t i = 0; i < 5; ++i) {
        Eigen::MatrixXd A = X.transpose() * X + o.regularization * Eigen::MatrixXd::Identity(3, 3);
        Eigen::VectorXd b = Eigen::VectorXd::Zero(3);
        for (musiclab::recommend::SparseRows::InnerIterator it(R.item_users(), static_cast<std::int32_t>(i)); it; ++it) {
            const double c = 1.0 + o.alpha * it.value();
            const Eigen::VectorXd x = X.row(it.col()).transpose();
            A += (c - 1.0) * x * x.transpose();
            b += c * x;
        }
        const Eigen::VectorXd exact = A.ldlt().solve(b);
        CHECK((Y.row(static_cast<Eigen::Index>(i)).transpose() - exact).norm() <= 1e-10 * (1.0 + exact.norm()));
    }
    // Deterministic, thread-count independent.
    o.iterations = 5;
    o.cg_steps = 3;
    ImplicitALS a1(o), a2(o);
    a1.fit(R);
    o.num_threads = 2;
    a2 = ImplicitALS(o);
    a2.fit(R);
    CHECK(a1.user_factors() == a2.user_factors());
    CHECK(a1.item_factors() == a2.item_factors());
    CHECK(a1.scores(0).size() == 5);
    CHECK_THROWS_AS(ImplicitALS().scores(0), musiclab::not_fitted);
    ALSOptions bad;
    bad.factors = 0;
    CHECK_THROWS_AS(ImplicitALS{bad}, musiclab::invalid_parameter);
}

TEST_CASE("rank leaves out excluded and non-finite items and breaks ties by id") {
    const std::vector<double> s{0.5, 0.9, 0.5, NAN, 0.9, 0.1};
    const std::vector<std::int32_t> exclude{4};
    CHECK(rank(s, 3, exclude) == std::vector<std::int32_t>{1, 0, 2});
    CHECK(rank(s, 10).size() == 5);
    CHECK_THROWS_AS(rank(s, 0), musiclab::invalid_parameter);
}

TEST_CASE("holdout split is deterministic and partitions each user's items") {
    std::vector<std::int32_t> users, items;
    std::vector<double> values;
    for (std::int32_t u = 0; u < 30; ++u)
        for (std::int32_t i = 0; i < 3 + u % 10; ++i) {
            users.push_back(u);
            items.push_back((u * 7 + i * 3) % 40);
            values.push_back(1.0 + i);
        }
    const auto R = Interactions::from_triples(users, items, values, 30, 40);
    const auto a = holdout_split(R, 0.25, 5, 3), b = holdout_split(R, 0.25, 5, 3), c = holdout_split(R, 0.25, 5, 4);
    CHECK(a.test == b.test);
    CHECK(a.test != c.test);
    for (std::size_t u = 0; u < 30; ++u) {
        const auto all = R.items_of(u);
        const auto train = a.train.items_of(u);
        CHECK(train.size() + a.test[u].size() == all.size());
        if (all.size() < 5) CHECK(a.test[u].empty());
        else CHECK(a.test[u].size() == std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(0.25 * static_cast<double>(all.size())))));
        for (const auto i : a.test[u]) CHECK(std::find(train.begin(), train.end(), i) == train.end());
    }
    CHECK_THROWS_AS(holdout_split(R, 1.0), musiclab::invalid_parameter);
}

TEST_CASE("leave last out takes each user's latest interaction") {
    const std::vector<std::int32_t> users{0, 0, 1, 0, 1, 2};
    const std::vector<double> times{5, 9, 1, 9, 0, 3};
    const auto test = leave_last_out(users, times, 3);
    CHECK(test == std::vector<char>{0, 0, 1, 1, 0, 0});  // ties: the later triple; user 2 has one triple
}

TEST_CASE("evaluate_top_n computes recall and ndcg of perfect and useless recommenders") {
    const auto R = tiny();
    Split s;
    s.train = R;
    s.test.assign(4, {});
    s.test[0] = {3};  // user 0 should get item 3
    auto perfect = [](std::size_t) {
        std::vector<double> v(5, 0.0);
        v[3] = 1.0;
        return v;
    };
    const auto good = evaluate_top_n(s, 1, perfect);
    CHECK(good.n_queries == 1);
    CHECK(good.recall == 1.0);
    CHECK(good.ndcg == 1.0);
    auto useless = [](std::size_t) {
        std::vector<double> v(5, 0.0);
        v[2] = 1.0;
        return v;
    };
    CHECK(evaluate_top_n(s, 1, useless).recall == 0.0);
    CHECK(evaluate_top_n(s, 3, useless).mrr == doctest::Approx(0.5));  // ranks: 2, then 3 (ties by id; 0 and 1 are train)
}

TEST_CASE("blend scales each component to [0, 1] over the candidates") {
    const std::vector<double> content{0, 10, 5, 100};
    const std::vector<double> collab{1, 1, 3, 2};
    const std::vector<std::int32_t> exclude{3};
    const auto s = blend(content, collab, 0.25, exclude);
    CHECK(s[0] == doctest::Approx(0.0));
    CHECK(s[1] == doctest::Approx(0.25));
    CHECK(s[2] == doctest::Approx(0.25 * 0.5 + 0.75));
    CHECK(std::isinf(s[3]));
    CHECK_THROWS_AS(blend(content, collab, 1.5), musiclab::invalid_parameter);
}

TEST_CASE("interaction input errors name the triple") {
    const std::vector<std::int32_t> users{0, 5};
    const std::vector<std::int32_t> items{0, 1};
    const std::vector<double> values{1, 1};
    try {
        (void)Interactions::from_triples(users, items, values, 2, 2);
        FAIL("expected invalid_parameter");
    } catch (const musiclab::invalid_parameter& e) {
        CHECK(std::string(e.what()).find("users[1]") != std::string::npos);
    }
    const std::vector<std::int32_t> ok{0, 1};
    const std::vector<double> zero{1, 0};
    CHECK_THROWS_AS(Interactions::from_triples(ok, items, zero, 2, 2), musiclab::invalid_parameter);
    CHECK_THROWS_AS(Interactions::from_triples(ok, items, std::vector<double>{1}, 2, 2), musiclab::shape_mismatch);
    CHECK_THROWS_AS((void)tiny().items_of(9), musiclab::invalid_parameter);
}

TEST_CASE("per-group summaries average the queries of each group") {
    std::vector<musiclab::metrics::QueryMetrics> per(3);
    per[0].recall = 1.0;
    per[0].n_relevant = 1;
    per[1].recall = 0.0;
    per[1].n_relevant = 1;
    per[2].recall = 0.5;
    per[2].n_relevant = 2;
    const std::vector<std::int32_t> genre{7, 7, 3};
    const auto by = summarize_by_group(per, genre);
    REQUIRE(by.size() == 2);
    CHECK(by.at(7).recall == 0.5);
    CHECK(by.at(7).n_queries == 2);
    CHECK(by.at(3).recall == 0.5);
    CHECK_THROWS_AS(summarize_by_group(per, std::vector<std::int32_t>{1}), musiclab::shape_mismatch);
}

TEST_CASE("a user without interactions gets defined scores") {
    const auto R = tiny();
    ItemKNN knn;
    knn.fit(R.item_users());
    const auto s = knn.scores({}, {});
    CHECK(s == std::vector<double>(5, 0.0));
    CHECK(rank(s, 3) == std::vector<std::int32_t>{0, 1, 2});  // all tie: item order
    CHECK_THROWS_AS(knn.scores(std::vector<std::int32_t>{9}, std::vector<double>{1.0}), musiclab::invalid_parameter);
}
