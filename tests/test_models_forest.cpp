// musiclab/models/forest.hpp: DecisionTreeRegressor, RandomForestRegressor, ExtraTreesRegressor,
// AdaBoostRegressor.
//   - sklearn 1.2.1 parity: every tests/data/models/forest/*.json (written by
//     tests/data/models/make_forest_reference.py) is discovered. "tree" cases: the deterministic
//     tree (all features, no bootstrap) is refitted from the stored data and parameters and must
//     equal sklearn's node for node (same children, n_node_samples, feature and threshold exactly,
//     value / impurity within 1e-9: summation order), predictions within 1e-9, importances within
//     1e-9. A different (feature, threshold) is accepted only where two features split the node's
//     training rows identically (sklearn then picks by its random feature order); test rows whose
//     path crosses such a node are not compared, nor importances of a tree with such a node.
//     "ensemble" cases: the random streams differ, so the test-split R2 must lie within
//     max(0.03, 4 sd) of sklearn's mean over 5 seeds (sd stored in the file).
//   - a brute-force best-split reference (every feature, every midpoint, SSE computed directly)
//     grows the same tree (ties: only as the same partition of the node's rows);
//   - forests: RF without bootstrap and with all features = the single tree; fully grown trees
//     fit distinct rows exactly; same seed = same forest; n_jobs does not change it; MDI by hand;
//   - AdaBoost.R2: estimator weights recomputed from the stored trees, the weighted median,
//     early stop on a perfect fit;
//   - bad input: NaN, float32 overflow, wrong shapes, invalid parameters, unknown names.
#include "support.hpp"

#include <musiclab/core/random.hpp>
#include <musiclab/models/forest.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace mm = musiclab::models;
using nlohmann::json;

static_assert(mm::Regressor<mm::DecisionTreeRegressor>);
static_assert(mm::Regressor<mm::RandomForestRegressor>);
static_assert(mm::Regressor<mm::ExtraTreesRegressor>);
static_assert(mm::Regressor<mm::AdaBoostRegressor>);

namespace {

/// The what() of the musiclab::error f throws ("" when it throws nothing).
template <class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const musiclab::error& e) {
        return e.what();
    }
    return "";
}

Eigen::MatrixXd matrix_of(const json& j) {
    Eigen::MatrixXd X(static_cast<Eigen::Index>(j.size()), static_cast<Eigen::Index>(j[0].size()));
    for (Eigen::Index i = 0; i < X.rows(); ++i)
        for (Eigen::Index k = 0; k < X.cols(); ++k) X(i, k) = j[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)].get<double>();
    return X;
}
Eigen::VectorXd vector_of(const json& j) {
    Eigen::VectorXd v(static_cast<Eigen::Index>(j.size()));
    for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = j[static_cast<std::size_t>(i)].get<double>();
    return v;
}
double r2(const Eigen::VectorXd& y, const Eigen::VectorXd& p) {
    const double mean = y.mean();
    return 1.0 - (y - p).squaredNorm() / (y.array() - mean).square().sum();
}
template <class E>
void set_all(E& m, const json& params) {
    for (auto it = params.begin(); it != params.end(); ++it) {
        if (it.value().is_string()) m.set_param(it.key(), it.value().get<std::string>());
        else m.set_param(it.key(), it.value().get<double>());
    }
}

/// Tie-free synthetic data with float32-exact features.
struct Data {
    Eigen::MatrixXd X;
    Eigen::VectorXd y;
};
/// p >= 3 columns.
Data synthetic(std::size_t n, std::size_t p, std::uint64_t seed) {
    musiclab::Rng rng(seed);
    Data d{Eigen::MatrixXd(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(p)), Eigen::VectorXd(static_cast<Eigen::Index>(n))};
    for (Eigen::Index j = 0; j < d.X.cols(); ++j)
        for (Eigen::Index i = 0; i < d.X.rows(); ++i) d.X(i, j) = static_cast<float>(rng.normal());
    for (Eigen::Index i = 0; i < d.X.rows(); ++i)
        d.y[i] = std::sin(2 * d.X(i, 0)) + d.X(i, 1) * d.X(i, 1) - (d.X(i, p > 3 ? 3 : 0) > 0 ? d.X(i, 2) : 0.0) + 0.3 * rng.normal();
    return d;
}

// ---- brute-force CART: every feature, every midpoint of consecutive distinct values, SSE direct ----
struct BruteNode {
    int feature = -1;
    double threshold = 0, value = 0;
    int left = -1, right = -1;
};
void brute_grow(const Data& d, const std::vector<int>& rows, int depth, int max_depth, int min_leaf, std::vector<BruteNode>& out) {
    const int id = static_cast<int>(out.size());
    out.push_back({});
    double mean = 0;
    for (int r : rows) mean += d.y[r];
    mean /= static_cast<double>(rows.size());
    out[static_cast<std::size_t>(id)].value = mean;
    double sse = 0;
    for (int r : rows) sse += (d.y[r] - mean) * (d.y[r] - mean);
    if (depth >= max_depth || static_cast<int>(rows.size()) < std::max(2, 2 * min_leaf) || sse / static_cast<double>(rows.size()) <= 1e-15) return;
    double best = INFINITY, best_thr = 0;
    int best_f = -1;
    for (Eigen::Index f = 0; f < d.X.cols(); ++f) {
        std::vector<double> vals;
        for (int r : rows) vals.push_back(d.X(r, f));
        std::sort(vals.begin(), vals.end());
        for (std::size_t k = 0; k + 1 < vals.size(); ++k) {
            if (vals[k] == vals[k + 1]) continue;
            const double thr = vals[k] / 2 + vals[k + 1] / 2;
            double sl = 0, sr = 0, nl = 0, nr = 0;
            for (int r : rows) (d.X(r, f) <= thr ? (sl += d.y[r], nl += 1) : (sr += d.y[r], nr += 1));
            if (nl < min_leaf || nr < min_leaf) continue;
            double e = 0;
            for (int r : rows) {
                const double m = d.X(r, f) <= thr ? sl / nl : sr / nr;
                e += (d.y[r] - m) * (d.y[r] - m);
            }
            if (e < best) best = e, best_f = static_cast<int>(f), best_thr = thr;
        }
    }
    if (best_f < 0) return;
    std::vector<int> L, R;
    for (int r : rows) (d.X(r, best_f) <= best_thr ? L : R).push_back(r);
    out[static_cast<std::size_t>(id)].feature = best_f;
    out[static_cast<std::size_t>(id)].threshold = best_thr;
    const int l = static_cast<int>(out.size());
    brute_grow(d, L, depth + 1, max_depth, min_leaf, out);
    out[static_cast<std::size_t>(id)].left = l;
    const int r = static_cast<int>(out.size());
    brute_grow(d, R, depth + 1, max_depth, min_leaf, out);
    out[static_cast<std::size_t>(id)].right = r;
}

}  // namespace

TEST_CASE("forest: sklearn DecisionTreeRegressor cases node for node") {
    const fs::path dir = musiclab::test::test_data_dir() / "models" / "forest";
    MUSICLAB_REQUIRE_PATH(dir);
    int n_cases = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") continue;
        std::ifstream in(entry.path());
        const json j = json::parse(in);
        if (j["kind"] != "tree") continue;
        ++n_cases;
        CAPTURE(entry.path().filename().string());
        mm::DecisionTreeRegressor m;
        set_all(m, j["params"]);
        m.fit(matrix_of(j["X_train"]), vector_of(j["y_train"]));
        const auto& t = m.tree();
        const Eigen::MatrixXd Xtr = matrix_of(j["X_train"]), Xte = matrix_of(j["X_test"]);
        REQUIRE(t.node_count() == j["value"].size());
        CHECK(m.get_depth() == j["depth"].get<int>());
        // sklearn's split of node i applied to a row (X cast to float32, as sklearn's predict)
        auto sk_left = [&](const Eigen::MatrixXd& X, Eigen::Index r, std::size_t i) {
            return static_cast<double>(static_cast<float>(X(r, j["feature"][i].get<int>()))) <= j["threshold"][i].get<double>();
        };
        auto my_left = [&](const Eigen::MatrixXd& X, Eigen::Index r, std::size_t i) {
            return static_cast<double>(static_cast<float>(X(r, t.feature[i]))) <= t.threshold[i];
        };
        // Walk both trees together with the training rows of each node. A different (feature,
        // threshold) is allowed only for a tie: the same partition of the node's rows, possibly
        // mirrored (then sklearn's choice follows its random feature order); test rows whose
        // sklearn path crosses a tied node are not compared.
        std::vector<char> sk_tie(t.node_count(), 0);
        std::size_t n_nodes_seen = 0;
        auto walk = [&](auto&& self, std::size_t mine, std::size_t sk, const std::vector<Eigen::Index>& rows) -> void {
            ++n_nodes_seen;
            CAPTURE(mine);
            CHECK(t.n_node_samples[mine] == j["n_node_samples"][sk].get<double>());
            CHECK(t.value[mine] == doctest::Approx(j["value"][sk].get<double>()).epsilon(1e-9));  // summation order
            CHECK(t.impurity[mine] == doctest::Approx(j["impurity"][sk].get<double>()).epsilon(1e-9).scale(1.0));
            const bool my_leaf = t.children_left[mine] < 0, sk_leaf = j["children_left"][sk].get<int>() < 0;
            REQUIRE(my_leaf == sk_leaf);
            if (my_leaf) return;
            std::vector<Eigen::Index> L, R;
            for (auto r : rows) (sk_left(Xtr, r, sk) ? L : R).push_back(r);
            const auto skl = static_cast<std::size_t>(j["children_left"][sk].get<int>()), skr = static_cast<std::size_t>(j["children_right"][sk].get<int>());
            const auto ml = static_cast<std::size_t>(t.children_left[mine]), mr = static_cast<std::size_t>(t.children_right[mine]);
            if (t.feature[mine] == j["feature"][sk].get<int>() && t.threshold[mine] == j["threshold"][sk].get<double>()) {
                self(self, ml, skl, L);
                self(self, mr, skr, R);
                return;
            }
            sk_tie[sk] = 1;
            std::vector<Eigen::Index> myL;
            for (auto r : rows)
                if (my_left(Xtr, r, mine)) myL.push_back(r);
            const bool same = myL == L, mirrored = myL == R;
            CHECK((same || mirrored));
            if (same) {
                self(self, ml, skl, L);
                self(self, mr, skr, R);
            } else if (mirrored) {
                self(self, ml, skr, R);
                self(self, mr, skl, L);
            }
        };
        std::vector<Eigen::Index> all(static_cast<std::size_t>(Xtr.rows()));
        std::iota(all.begin(), all.end(), Eigen::Index{0});
        walk(walk, 0, 0, all);
        CHECK(n_nodes_seen == t.node_count());
        const Eigen::VectorXd pred = m.predict(Xte);
        const Eigen::VectorXd ref = vector_of(j["predict"]);
        int compared = 0;
        for (Eigen::Index r = 0; r < Xte.rows(); ++r) {
            std::size_t i = 0;
            bool tied = false;
            while (j["children_left"][i].get<int>() >= 0) {
                tied = tied || sk_tie[i];
                i = static_cast<std::size_t>(sk_left(Xte, r, i) ? j["children_left"][i].get<int>() : j["children_right"][i].get<int>());
            }
            if (tied) continue;
            ++compared;
            CHECK(std::fabs(pred[r] - ref[r]) <= 1e-9 * std::max(1.0, std::fabs(ref[r])));
        }
        const auto n_ties = std::count(sk_tie.begin(), sk_tie.end(), 1);
        MESSAGE(entry.path().filename().string() << ": " << t.node_count() << " nodes, " << n_ties << " tied splits, " << compared << " of "
                                                 << Xte.rows() << " test rows off tied paths");
        CHECK(compared >= Xte.rows() / 4);  // fully grown trees tie often in nodes of 2-6 rows
        const auto imp = m.feature_importances();
        if (n_ties == 0)  // a tie credits another feature with the same decrease
            for (std::size_t f = 0; f < imp.size(); ++f) CHECK(imp[f] == doctest::Approx(j["feature_importances"][f].get<double>()).epsilon(1e-9).scale(1e-9));
    }
    CHECK(n_cases >= 5);
}

TEST_CASE("forest: sklearn ensemble cases within the seed spread of R2") {
    const fs::path dir = musiclab::test::test_data_dir() / "models" / "forest";
    MUSICLAB_REQUIRE_PATH(dir);
    int n_cases = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") continue;
        std::ifstream in(entry.path());
        const json j = json::parse(in);
        if (j["kind"] != "ensemble") continue;
        ++n_cases;
        CAPTURE(entry.path().filename().string());
        const Eigen::MatrixXd X = matrix_of(j["X_train"]), Xt = matrix_of(j["X_test"]);
        const Eigen::VectorXd y = vector_of(j["y_train"]), yt = vector_of(j["y_test"]);
        auto run = [&](auto model) {
            set_all(model, j["params"]);
            double sum = 0;
            for (int rs = 0; rs < 5; ++rs) {
                model.set_param("random_state", double(rs));
                sum += r2(yt, model.fit(X, y).predict(Xt));
            }
            return sum / 5;
        };
        const std::string kind = j["model"];
        const double mine = kind == "RandomForestRegressor" ? run(mm::RandomForestRegressor())
                            : kind == "ExtraTreesRegressor" ? run(mm::ExtraTreesRegressor())
                                                            : run(mm::AdaBoostRegressor());
        const double tol = std::max(0.03, 4 * j["r2_sd"].get<double>());
        CHECK(std::fabs(mine - j["r2_mean"].get<double>()) <= tol);
    }
    CHECK(n_cases >= 3);
}

TEST_CASE("forest: brute-force best split reference") {
    for (const auto& [max_depth, min_leaf] : std::vector<std::pair<int, int>>{{4, 1}, {6, 5}, {100, 12}}) {
        CAPTURE(max_depth);
        // ties (two features splitting a node into the same rows) happen in small nodes; the walk
        // below accepts them only as identical partitions
        const Data d = synthetic(400, 4, 7);
        std::vector<int> rows(400);
        for (int i = 0; i < 400; ++i) rows[static_cast<std::size_t>(i)] = i;
        std::vector<BruteNode> ref;
        brute_grow(d, rows, 0, max_depth, min_leaf, ref);
        mm::DecisionTreeRegressor m;
        if (max_depth < 100) m.set_param("max_depth", double(max_depth));
        m.set_param("min_samples_leaf", double(min_leaf));
        m.fit(d.X, d.y);
        const auto& t = m.tree();
        // walk both trees with each node's rows; a different split must be a tie (same or mirrored
        // partition of the node's rows; then the brute force's feature order decided)
        std::size_t seen = 0, ties = 0;
        auto walk = [&](auto&& self, std::size_t mine, std::size_t br, const std::vector<int>& rs) -> void {
            ++seen;
            CHECK(t.value[mine] == doctest::Approx(ref[br].value).epsilon(1e-12));
            CHECK(t.n_node_samples[mine] == double(rs.size()));
            REQUIRE((t.children_left[mine] < 0) == (ref[br].feature < 0));
            if (ref[br].feature < 0) return;
            std::vector<int> L, R, myL;
            for (int r : rs) (d.X(r, ref[br].feature) <= ref[br].threshold ? L : R).push_back(r);
            for (int r : rs)
                if (static_cast<double>(static_cast<float>(d.X(r, t.feature[mine]))) <= t.threshold[mine]) myL.push_back(r);
            const auto ml = static_cast<std::size_t>(t.children_left[mine]), mr = static_cast<std::size_t>(t.children_right[mine]);
            const auto bl = static_cast<std::size_t>(ref[br].left), brr = static_cast<std::size_t>(ref[br].right);
            if (t.feature[mine] == ref[br].feature) CHECK(t.threshold[mine] == ref[br].threshold);
            else ++ties;
            CHECK((myL == L || myL == R));
            if (myL == L) {
                self(self, ml, bl, L);
                self(self, mr, brr, R);
            } else if (myL == R) {
                self(self, ml, brr, R);
                self(self, mr, bl, L);
            }
        };
        walk(walk, 0, 0, rows);
        CHECK(seen == t.node_count());
        CHECK(seen == ref.size());
        CHECK(ties * 4 <= seen);  // ties are few (small nodes isolating the same outlier rows)
    }
}

TEST_CASE("forest: forest without bootstrap and with all features equals the single tree") {
    const Data d = synthetic(300, 5, 3);
    const Data q = synthetic(100, 5, 4);
    mm::DecisionTreeRegressor tree;
    tree.set_param("min_samples_leaf", 3.0);
    const Eigen::VectorXd pt = tree.fit(d.X, d.y).predict(q.X);
    mm::RandomForestRegressor rf;
    rf.set_param("bootstrap", 0.0);
    rf.set_param("n_estimators", 7.0);
    rf.set_param("min_samples_leaf", 3.0);
    // tie-free data: every tree is the same deterministic tree, the mean is that tree's value
    // Every tree is the deterministic tree up to ties between features that split a small node
    // into the same rows (sklearn breaks them by its random feature order, so do the trees): the
    // training-row predictions are the tree's exactly, the importances close.
    rf.fit(d.X, d.y);
    CHECK((rf.predict(d.X) - tree.predict(d.X)).cwiseAbs().maxCoeff() <= 1e-12);
    CHECK((rf.predict(q.X) - pt).cwiseAbs().mean() <= 0.05);
    const auto a = tree.feature_importances(), b = rf.feature_importances();
    for (std::size_t f = 0; f < a.size(); ++f) CHECK(a[f] == doctest::Approx(b[f]).epsilon(0.02));
}

TEST_CASE("forest: fully grown trees fit distinct rows exactly") {
    const Data d = synthetic(200, 3, 11);
    mm::ExtraTreesRegressor et;
    et.set_param("n_estimators", 10.0);
    CHECK((et.fit(d.X, d.y).predict(d.X) - d.y).cwiseAbs().maxCoeff() <= 1e-12);  // pure leaves, every row in every tree
    mm::DecisionTreeRegressor dt;
    dt.set_param("splitter", std::string("random"));
    CHECK((dt.fit(d.X, d.y).predict(d.X) - d.y).cwiseAbs().maxCoeff() <= 1e-12);
    CHECK(dt.get_n_leaves() == 200);
}

TEST_CASE("forest: determinism and thread-count independence") {
    const Data d = synthetic(500, 6, 5);
    const Data q = synthetic(200, 6, 6);
    for (int extra = 0; extra < 2; ++extra) {
        CAPTURE(extra);
        auto check = [&](auto a) {
            a.set_param("n_estimators", 20.0);
            a.set_param("max_features", 0.5);
            a.set_param("random_state", 9.0);
            auto b = a, c = a;
            b.set_param("n_jobs", 2.0);
            c.set_param("random_state", 10.0);
            const Eigen::VectorXd pa = a.fit(d.X, d.y).predict(q.X);
            const Eigen::VectorXd pa2 = a.fit(d.X, d.y).predict(q.X);
            const Eigen::VectorXd pb = b.fit(d.X, d.y).predict(q.X);
            CHECK(pa == pa2);
            CHECK(pa == pb);  // exact: per-tree seeds, trees summed in order
            CHECK(a.feature_importances() == b.feature_importances());
            CHECK(pa != c.fit(d.X, d.y).predict(q.X));
        };
        if (extra) check(mm::ExtraTreesRegressor());
        else check(mm::RandomForestRegressor());
    }
}

TEST_CASE("forest: MDI by hand") {
    // y = 10 [x0 > 0.5]: one split on feature 0 removes all impurity; feature 1 is noise
    Eigen::MatrixXd X(8, 2);
    Eigen::VectorXd y(8);
    for (int i = 0; i < 8; ++i) {
        X(i, 0) = i / 8.0;
        X(i, 1) = (i * 5 % 8) / 8.0;
        y[i] = i >= 4 ? 10.0 : 0.0;
    }
    mm::DecisionTreeRegressor dt;
    dt.fit(X, y);
    CHECK(dt.tree().node_count() == 3);
    CHECK(dt.tree().threshold[0] == doctest::Approx((3 / 8.0 + 4 / 8.0) / 2).epsilon(1e-7));  // float32 midpoint
    CHECK(dt.tree().impurity[0] == 25.0);
    const auto imp = dt.feature_importances();
    CHECK(imp[0] == 1.0);
    CHECK(imp[1] == 0.0);
    // a stump: all zero (sklearn)
    mm::DecisionTreeRegressor stump;
    stump.fit(X, Eigen::VectorXd::Constant(8, 3.0));
    CHECK(stump.tree().node_count() == 1);
    CHECK(stump.feature_importances() == std::vector<double>{0.0, 0.0});
    CHECK(stump.predict(X) == Eigen::VectorXd::Constant(8, 3.0));
}

TEST_CASE("forest: min_samples_leaf min_samples_split and max_depth respected") {
    const Data d = synthetic(400, 4, 21);
    mm::RandomForestRegressor rf;
    rf.set_param("n_estimators", 5.0);
    rf.set_param("min_samples_leaf", 7.0);
    rf.set_param("max_depth", 6.0);
    rf.fit(d.X, d.y);
    for (const auto& t : rf.trees()) {
        CHECK(t.depth <= 6);
        for (std::size_t i = 0; i < t.node_count(); ++i)
            if (t.children_left[i] < 0) CHECK(t.n_node_samples[i] >= 7);  // distinct in-bag rows (sklearn)
    }
    mm::DecisionTreeRegressor dt;
    dt.set_param("min_samples_split", 0.25);  // fraction: ceil(0.25 * 400) = 100 rows
    dt.fit(d.X, d.y);
    const auto& t = dt.tree();
    for (std::size_t i = 0; i < t.node_count(); ++i)
        if (t.children_left[i] >= 0) CHECK(t.n_node_samples[i] >= 100);
}

TEST_CASE("forest: out-of-bag score") {
    const Data d = synthetic(400, 4, 31);
    mm::RandomForestRegressor rf;
    rf.set_param("n_estimators", 30.0);
    rf.set_param("oob_score", 1.0);
    rf.fit(d.X, d.y);
    // out-of-bag R2 is an honest estimate: well below the training fit, well above 0 here
    CHECK(rf.oob_score() > 0.3);
    CHECK(rf.oob_score() < r2(d.y, rf.predict(d.X)));
    CHECK(rf.oob_score() == doctest::Approx(r2(d.y, rf.oob_prediction())).epsilon(1e-12));
    mm::RandomForestRegressor plain;
    plain.set_param("n_estimators", 2.0);
    plain.fit(d.X, d.y);
    CHECK_THROWS_AS((void)plain.oob_score(), musiclab::not_fitted);
}

TEST_CASE("forest: AdaBoost.R2 weights and weighted median") {
    const Data d = synthetic(300, 4, 41);
    for (const std::string loss : {"linear", "square", "exponential"}) {
        CAPTURE(loss);
        mm::AdaBoostRegressor ada;
        ada.set_param("n_estimators", 8.0);
        ada.set_param("learning_rate", 0.7);
        ada.set_param("loss", loss);
        ada.fit(d.X, d.y);
        const auto& trees = ada.trees();
        const auto& w = ada.estimator_weights();
        const auto& err = ada.estimator_errors();
        REQUIRE(w.size() == 8);
        REQUIRE(!trees.empty());
        for (std::size_t k = 0; k < trees.size(); ++k) {
            CHECK(trees[k].depth <= 3);
            CHECK(err[k] < 0.5);
            CHECK(w[k] == doctest::Approx(0.7 * std::log((1 - err[k]) / err[k])).epsilon(1e-12));
        }
        // first round: uniform weights, so estimator_errors_[0] = mean normalised loss of tree 0
        std::vector<float> row(4);
        std::vector<double> e(300);
        double emax = 0;
        for (int i = 0; i < 300; ++i) {
            for (int f = 0; f < 4; ++f) row[static_cast<std::size_t>(f)] = static_cast<float>(d.X(i, f));
            e[static_cast<std::size_t>(i)] = std::fabs(trees[0].predict_row(row.data()) - d.y[i]);
            emax = std::max(emax, e[static_cast<std::size_t>(i)]);
        }
        double avg = 0;
        for (double v : e) {
            double l = v / emax;
            if (loss == "square") l *= l;
            if (loss == "exponential") l = 1 - std::exp(-l);
            avg += l / 300.0;
        }
        CHECK(err[0] == doctest::Approx(avg).epsilon(1e-12));
        // the weighted median, by hand, for a few rows
        const Eigen::VectorXd pred = ada.predict(d.X);
        for (int i = 0; i < 300; i += 37) {
            for (int f = 0; f < 4; ++f) row[static_cast<std::size_t>(f)] = static_cast<float>(d.X(i, f));
            std::vector<std::pair<double, double>> pw;
            for (std::size_t k = 0; k < trees.size(); ++k) pw.emplace_back(trees[k].predict_row(row.data()), w[k]);
            std::sort(pw.begin(), pw.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
            double total = 0, cum = 0;
            for (const auto& p : pw) total += p.second;
            double med = pw[0].first;
            for (const auto& p : pw)
                if ((cum += p.second) >= 0.5 * total) {
                    med = p.first;
                    break;
                }
            CHECK(pred[i] == med);
        }
    }
    // a perfect first fit stops with one estimator of weight 1 (sklearn)
    Eigen::MatrixXd X(6, 1);
    X << 0, 1, 2, 3, 4, 5;
    Eigen::VectorXd y(6);
    y << 1, 1, 1, 5, 5, 5;
    mm::AdaBoostRegressor ada;
    ada.fit(X, y);
    CHECK(ada.trees().size() == 1);
    CHECK(ada.estimator_weights()[0] == 1.0);
    CHECK(ada.estimator_errors()[0] == 0.0);
    CHECK(ada.predict(X) == y);
}

TEST_CASE("forest: parameters by name") {
    mm::RandomForestRegressor rf;
    const auto p = rf.get_params();
    auto get = [&](const mm::Params& ps, const std::string& n) {
        for (const auto& kv : ps)
            if (kv.first == n) return kv.second;
        FAIL("missing parameter " << n);
        return mm::ParamValue(0.0);
    };
    CHECK(std::get<double>(get(p, "n_estimators")) == 100);
    CHECK(std::get<double>(get(p, "max_features")) == 1.0);
    CHECK(std::get<double>(get(p, "bootstrap")) == 1.0);
    CHECK(std::get<std::string>(get(p, "max_depth")) == "None");
    CHECK(std::get<double>(get(mm::ExtraTreesRegressor().get_params(), "bootstrap")) == 0.0);
    CHECK(std::get<std::string>(get(mm::DecisionTreeRegressor().get_params(), "max_features")) == "None");
    mm::AdaBoostRegressor ada;
    CHECK(std::get<double>(get(ada.get_params(), "estimator__max_depth")) == 3.0);
    ada.set_param("estimator__max_depth", 2.0);
    CHECK(ada.options.estimator.max_depth == 2);
    // every parameter round-trips through set_param
    for (const auto& kv : rf.get_params()) CHECK_NOTHROW(rf.set_param(kv.first, kv.second));
    for (const auto& kv : ada.get_params()) CHECK_NOTHROW(ada.set_param(kv.first, kv.second));
    mm::DecisionTreeRegressor dt;
    for (const auto& kv : dt.get_params()) CHECK_NOTHROW(dt.set_param(kv.first, kv.second));
    rf.set_param("max_features", std::string("sqrt"));
    rf.set_param("n_estimators", 3.0);
    const Data d = synthetic(100, 9, 1);
    CHECK_NOTHROW(rf.fit(d.X, d.y));
}

TEST_CASE("forest: bad input") {
    const Data d = synthetic(50, 3, 2);
    mm::RandomForestRegressor rf;
    rf.set_param("n_estimators", 3.0);
    // not fitted
    CHECK_THROWS_AS(rf.predict(d.X), musiclab::not_fitted);
    CHECK_THROWS_AS(mm::AdaBoostRegressor().predict(d.X), musiclab::not_fitted);
    CHECK_THROWS_AS(mm::DecisionTreeRegressor().predict(d.X), musiclab::not_fitted);
    // NaN: row and column named
    Eigen::MatrixXd Xn = d.X;
    Xn(7, 2) = std::nan("");
    const std::string msg = message_of([&] { rf.fit(Xn, d.y); });
    CHECK(msg.find("row 7 column 2") != std::string::npos);
    CHECK_THROWS_AS(mm::AdaBoostRegressor().fit(Xn, d.y), musiclab::invalid_parameter);
    Eigen::VectorXd yn = d.y;
    yn[3] = INFINITY;
    CHECK_THROWS_AS(mm::DecisionTreeRegressor().fit(d.X, yn), musiclab::invalid_parameter);
    // float32 overflow (sklearn casts X to float32)
    Eigen::MatrixXd Xo = d.X;
    Xo(1, 0) = 1e39;
    CHECK(message_of([&] { mm::DecisionTreeRegressor().fit(Xo, d.y); }).find("float32") != std::string::npos);
    // shapes
    CHECK_THROWS_AS(rf.fit(d.X, d.y.head(10)), musiclab::shape_mismatch);
    rf.fit(d.X, d.y);
    CHECK_THROWS_AS(rf.predict(d.X.leftCols(2)), musiclab::shape_mismatch);
    CHECK_THROWS_AS(rf.fit(Eigen::MatrixXd(0, 3), Eigen::VectorXd(0)), musiclab::invalid_parameter);
    // parameters
    CHECK(message_of([&] { rf.set_param("min_samples_leaf", 0.0); }).find("min_samples_leaf") != std::string::npos);
    CHECK_THROWS_AS(rf.set_param("min_samples_leaf", 1.5), musiclab::invalid_parameter);
    CHECK_THROWS_AS(rf.set_param("min_samples_split", 1.5), musiclab::invalid_parameter);
    CHECK_THROWS_AS(rf.set_param("max_features", 0.0), musiclab::invalid_parameter);
    CHECK_THROWS_AS(rf.set_param("max_features", 2.5), musiclab::invalid_parameter);
    CHECK_THROWS_AS(rf.set_param("max_features", std::string("half")), musiclab::invalid_parameter);
    rf.set_param("max_features", 7.0);  // more than the 3 columns: found at fit
    CHECK(message_of([&] { rf.fit(d.X, d.y); }).find("max_features") != std::string::npos);
    rf.set_param("max_features", 1.0);
    CHECK_THROWS_AS(rf.set_param("n_estimators", 0.0), musiclab::invalid_parameter);
    CHECK_THROWS_AS(rf.set_param("max_depth", 0.0), musiclab::invalid_parameter);
    CHECK_THROWS_AS(rf.set_param("criterion", std::string("gini")), musiclab::invalid_parameter);
    CHECK_THROWS_AS(rf.set_param("ccp_alpha", 0.1), musiclab::invalid_parameter);
    CHECK_THROWS_AS(rf.set_param("max_leaf_nodes", 10.0), musiclab::invalid_parameter);
    CHECK_THROWS_AS(rf.set_param("warm_start", 1.0), musiclab::invalid_parameter);
    CHECK_THROWS_AS(rf.set_param("max_samples", 1.5), musiclab::invalid_parameter);
    CHECK_THROWS_AS(rf.set_param("n_jobs", -1.0), musiclab::invalid_parameter);
    CHECK_THROWS_AS(rf.set_param("min_weight_fraction_leaf", 0.7), musiclab::invalid_parameter);
    CHECK_THROWS_AS(rf.set_param("splitter", std::string("random")), musiclab::unknown_name);
    CHECK_THROWS_AS(rf.set_param("alpha", 1.0), musiclab::unknown_name);
    CHECK(message_of([&] { rf.set_param("n_estimator", 5.0); }).find("n_estimator") != std::string::npos);
    mm::ExtraTreesRegressor et;
    et.set_param("oob_score", 1.0);
    CHECK(message_of([&] { et.fit(d.X, d.y); }).find("oob_score") != std::string::npos);
    mm::AdaBoostRegressor ada;
    CHECK_THROWS_AS(ada.set_param("loss", std::string("huber")), musiclab::invalid_parameter);
    CHECK_THROWS_AS(ada.set_param("learning_rate", 0.0), musiclab::invalid_parameter);
    CHECK_THROWS_AS(ada.set_param("n_estimators", 0.0), musiclab::invalid_parameter);
    CHECK_THROWS_AS(ada.set_param("max_depth", 2.0), musiclab::unknown_name);
    CHECK_THROWS_AS(ada.set_param("estimator__random_state", 2.0), musiclab::unknown_name);
    CHECK_THROWS_AS(ada.set_param("estimator__min_samples_leaf", 0.0), musiclab::invalid_parameter);
    mm::DecisionTreeRegressor dt;
    CHECK_THROWS_AS(dt.set_param("splitter", std::string("worst")), musiclab::invalid_parameter);
    CHECK_THROWS_AS(dt.set_param("n_estimators", 3.0), musiclab::unknown_name);
}
