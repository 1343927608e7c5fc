// musiclab::models tree ensembles — DecisionTreeRegressor, RandomForestRegressor,
// ExtraTreesRegressor and AdaBoostRegressor as scikit-learn 1.2.1 defines them, as
// models::Regressor (estimator.hpp).
//
//     musiclab::models::RandomForestRegressor rf;     // sklearn's defaults (100 trees, bootstrap)
//     rf.set_param("min_samples_leaf", 2);            // or rf.options.min_samples_leaf = 2
//     rf.set_param("max_features", 0.5);
//     rf.set_param("n_jobs", 2);
//     rf.fit(X, y).predict(X_test);
//     rf.feature_importances();                       // MDI, normalised (sklearn's)
//
// Math (docs/models-forest.md). A CART regression tree (criterion squared_error) splits a node
// with rows S (weights w) on feature f at threshold t into L = {x_f <= t}, R = the rest, choosing
// the (f, t) that maximises sum_L(wy)^2 / w_L + sum_R(wy)^2 / w_R (= minimises the weighted
// squared error) among max_features features drawn without replacement (drawing on while every
// drawn feature was constant), subject to min_samples_leaf rows and min_weight_fraction_leaf
// weight per child. splitter "best" tries every threshold (midpoints of consecutive distinct
// sorted values; values within 1e-7 of the previous count as equal, sklearn's FEATURE_THRESHOLD);
// "random" (extra trees) one uniform threshold in [min, max) per drawn feature. A node is a leaf
// at max_depth, below min_samples_split rows, below 2 min_samples_leaf rows, with impurity
// (weighted variance) <= DBL_EPSILON, or when the best split's weighted impurity decrease
// N_t/N (imp - N_R/N_t imp_R - N_L/N_t imp_L) is below min_impurity_decrease. A leaf predicts
// its weighted mean. Features are used as float32 (as sklearn: X is cast to float32; thresholds
// are doubles between two float32 values). RandomForest: each tree on a bootstrap of n rows
// (as weights = draw counts; min_samples_* count distinct rows, as sklearn), best splitter;
// ExtraTrees: all rows, random splitter; both predict the mean of the trees.
// feature_importances_: per tree the weighted impurity decreases per feature / root weight,
// normalised to sum 1; the forest averages the trees that split and normalises again.
// AdaBoost.R2 (Drucker 1997, sklearn's _boost): round k fits DecisionTreeRegressor(max_depth=3)
// on a weighted resample (n rows drawn with probabilities = sample weights), L_i = |pred - y| /
// max |pred - y| (linear; squared for "square", 1 - exp(-L) for "exponential"), average loss
// Lbar = sum w_i L_i; Lbar <= 0 stops (weight 1, kept), Lbar >= 0.5 stops (the estimator is
// dropped unless it is the first); beta = Lbar / (1 - Lbar), estimator weight learning_rate *
// log(1/beta), w_i *= beta^((1 - L_i) learning_rate), renormalised. predict = the weighted median
// of the estimators' predictions (sklearn's _get_median_predict: the first sorted prediction whose
// cumulative weight >= half the total).
//
// Parameters: sklearn's names and defaults (numbers as double, choices as strings). Whole/fraction
// conventions (ParamValue has no int type): min_samples_split whole >= 2 = rows, in (0, 1] = a
// fraction; min_samples_leaf whole >= 1 = rows, in (0, 1) = a fraction; max_features "sqrt",
// "log2", "None" (all), in (0, 1] = a fraction (1.0 = all, sklearn's RandomForest default), whole
// >= 2 = a count (a count of 1 cannot be spelled: it reads as the fraction 1.0); max_samples
// "None", in (0, 1] = fraction, whole >= 2 = rows. max_leaf_nodes (best-first growth), ccp_alpha
// (pruning) and warm_start are not implemented: only their defaults (None, 0, 0) are accepted.
// random_state defaults to 0 (sklearn: None = unseeded). AdaBoost's base tree is reached with
// sklearn's nested names "estimator__max_depth" etc.
// Deviations (docs/models-forest.md): random draws (bootstrap rows, feature order, extra-trees
// thresholds, AdaBoost resamples) come from musiclab::Rng, not numpy / sklearn's rand_r, so
// randomised models equal sklearn's in distribution, not tree for tree; a deterministic tree (all
// features, no bootstrap) equals sklearn's node for node when no two candidate splits tie.
//
// Complexity: fit sorts each feature once (O(F n log n), parallel over features), then per tree
// O(F n) to take the in-bag rows in sorted order and O(F n_node) per split (stable partition of
// the sorted lists), plus O(max_features n_node) for the scans: O(F n depth) per tree, no per-node
// sorting. Extra trees: O(max_features n_node) per node. Memory per thread: 8 F n bytes (sorted
// lists). Trees are fitted in parallel (n_jobs; per-tree seeds drawn in order from random_state,
// so the forest does not depend on n_jobs); predict converts X to float32 in blocks of up to
// 512 KiB (at least one per thread, in parallel), walks each tree with eight rows at once,
// branch-free, O(rows x trees x depth), and sums the trees in order (independent of n_jobs).
// AdaBoost is sequential; its predict holds the estimators' predictions of a block (8 B x
// n_estimators x block rows).
// Thread safety: fit mutates; predict and the accessors are const and safe to call concurrently.
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../core/random.hpp"
#include "detail/cart.hpp"
#include "estimator.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace musiclab::models {

/// Hyper-parameters of DecisionTreeRegressor (sklearn 1.2.1 names and defaults).
struct TreeOptions {
    std::string criterion = "squared_error";  ///< only "squared_error"
    std::string splitter = "best";            ///< "best" or "random"
    std::optional<int> max_depth;             ///< None = unlimited; >= 1
    double min_samples_split = 2;             ///< whole >= 2 rows, or a fraction in (0, 1]
    double min_samples_leaf = 1;              ///< whole >= 1 rows, or a fraction in (0, 1)
    double min_weight_fraction_leaf = 0;      ///< in [0, 0.5]
    ParamValue max_features = std::string("None");  ///< "None", "sqrt", "log2", fraction, count
    std::uint64_t random_state = 0;
    std::optional<int> max_leaf_nodes;        ///< only None (not implemented)
    double min_impurity_decrease = 0;         ///< >= 0
    double ccp_alpha = 0;                     ///< only 0 (not implemented)
};

/// Hyper-parameters of RandomForestRegressor / ExtraTreesRegressor (sklearn 1.2.1 names).
struct ForestOptions : TreeOptions {
    int n_estimators = 100;                ///< >= 1
    bool bootstrap = true;                 ///< RandomForest true, ExtraTrees false
    bool oob_score = false;                ///< compute oob_score_ / oob_prediction_ (bootstrap only)
    int n_jobs = 1;                        ///< threads (0 = all)
    int verbose = 0;                       ///< accepted, no effect
    bool warm_start = false;               ///< only false
    std::optional<double> max_samples;     ///< None = n rows; fraction in (0, 1] or whole rows
    ForestOptions() { max_features = 1.0; }
};

/// Hyper-parameters of AdaBoostRegressor (sklearn 1.2.1 names and defaults).
struct AdaBoostOptions {
    int n_estimators = 50;            ///< >= 1
    double learning_rate = 1.0;       ///< > 0
    std::string loss = "linear";      ///< "linear", "square", "exponential"
    std::uint64_t random_state = 0;
    TreeOptions estimator = [] {      ///< the base tree: DecisionTreeRegressor(max_depth=3)
        TreeOptions t;
        t.max_depth = 3;
        return t;
    }();
};

namespace detail {

/// The float32 copy of X (sklearn casts X to float32); invalid_parameter when a value overflows.
inline std::vector<float> to_float32(const MatrixRef& X, const char* who) {
    std::vector<float> out(static_cast<std::size_t>(X.rows() * X.cols()));
    for (Eigen::Index j = 0; j < X.cols(); ++j)
        for (Eigen::Index i = 0; i < X.rows(); ++i) {
            const double v = X(i, j);
            if (!(std::fabs(v) <= static_cast<double>(FLT_MAX)))
                throw invalid_parameter("X", "row " + std::to_string(i) + " column " + std::to_string(j) + " = " + to_string(ParamValue(v)),
                                        std::string(who) + ": finite float32 values (|x| <= 3.4e38; NaN and infinity are not allowed)");
            out[static_cast<std::size_t>(j * X.rows() + i)] = static_cast<float>(v);
        }
    return out;
}

/// Checks the inputs and builds the shared data (float32 X, y, per-feature sort when `sort`).
inline CartData make_cart_data(const MatrixRef& X, const VectorRef& y, const char* who, bool sort, int threads) {
    check_fit_inputs(X, y, who);
    CartData d;
    d.n = static_cast<std::size_t>(X.rows());
    d.F = static_cast<std::size_t>(X.cols());
    if (d.n >= (std::size_t{1} << 31)) throw invalid_parameter("X", std::to_string(d.n) + " rows", std::string(who) + ": fewer than 2^31 rows");
    d.X = to_float32(X, who);
    d.y.assign(y.data(), y.data() + y.size());
    if (sort) {
        d.order.resize(d.n * d.F);
        parallelize(threads, d.F, [&](int, std::size_t s, std::size_t len) {
            for (std::size_t f = s; f < s + len; ++f) {
                std::uint32_t* o = d.order.data() + f * d.n;
                std::iota(o, o + d.n, 0u);
                const float* col = d.X.data() + f * d.n;
                std::stable_sort(o, o + d.n, [col](std::uint32_t a, std::uint32_t b) { return col[a] < col[b]; });
            }
        });
    }
    return d;
}

/// Resolves the tree options for n rows, F features and total weight (sklearn BaseDecisionTree.fit).
inline CartConfig resolve_tree(const TreeOptions& o, std::size_t n, std::size_t F, double total_weight) {
    CartConfig c;
    if (o.criterion != "squared_error") throw invalid_parameter("criterion", o.criterion, "squared_error");
    if (o.splitter != "best" && o.splitter != "random") throw invalid_parameter("splitter", o.splitter, "best, random");
    c.random_split = o.splitter == "random";
    if (o.max_depth && *o.max_depth < 1) throw invalid_parameter("max_depth", *o.max_depth, "None or a whole number >= 1");
    c.max_depth = o.max_depth ? *o.max_depth : INT_MAX;
    const double nd = static_cast<double>(n);
    const double leaf = o.min_samples_leaf;
    if (!(leaf >= 1 && leaf == std::floor(leaf)) && !(leaf > 0 && leaf < 1))
        throw invalid_parameter("min_samples_leaf", leaf, "a whole number >= 1 or a fraction in (0, 1)");
    c.min_samples_leaf = leaf >= 1 ? leaf : std::ceil(leaf * nd);
    const double split = o.min_samples_split;
    if (!(split >= 2 && split == std::floor(split)) && !(split > 0 && split <= 1))
        throw invalid_parameter("min_samples_split", split, "a whole number >= 2 or a fraction in (0, 1]");
    c.min_samples_split = split >= 2 ? split : std::max(2.0, std::ceil(split * nd));
    c.min_samples_split = std::max(c.min_samples_split, 2 * c.min_samples_leaf);
    if (!(o.min_weight_fraction_leaf >= 0 && o.min_weight_fraction_leaf <= 0.5))
        throw invalid_parameter("min_weight_fraction_leaf", o.min_weight_fraction_leaf, "[0, 0.5]");
    c.min_weight_leaf = o.min_weight_fraction_leaf * total_weight;
    const int Fi = static_cast<int>(F);
    if (const auto* s = std::get_if<std::string>(&o.max_features)) {
        if (*s == "None") c.max_features = Fi;
        else if (*s == "sqrt") c.max_features = std::max(1, static_cast<int>(std::sqrt(static_cast<double>(F))));
        else if (*s == "log2") c.max_features = std::max(1, static_cast<int>(std::log2(static_cast<double>(F))));
        else throw invalid_parameter("max_features", *s, "None, sqrt, log2, a fraction in (0, 1] or a whole number in [2, n_features]");
    } else {
        const double v = std::get<double>(o.max_features);
        if (v > 0 && v <= 1) c.max_features = std::max(1, static_cast<int>(v * static_cast<double>(F)));
        else if (v >= 2 && v == std::floor(v) && v <= static_cast<double>(F)) c.max_features = static_cast<int>(v);
        else
            throw invalid_parameter("max_features", v,
                                    "None, sqrt, log2, a fraction in (0, 1] or a whole number in [2, n_features = " + std::to_string(F) + "]");
    }
    if (o.max_leaf_nodes) throw invalid_parameter("max_leaf_nodes", *o.max_leaf_nodes, "None (best-first growth is not implemented)");
    if (!(o.min_impurity_decrease >= 0)) throw invalid_parameter("min_impurity_decrease", o.min_impurity_decrease, ">= 0");
    c.min_impurity_decrease = o.min_impurity_decrease;
    if (o.ccp_alpha != 0) throw invalid_parameter("ccp_alpha", o.ccp_alpha, "0 (cost-complexity pruning is not implemented)");
    return c;
}

/// Sets a tree parameter by sklearn's name (prefix stripped); false when the name is not one.
inline bool set_tree_param(TreeOptions& target, std::string_view name, const ParamValue& v) {
    TreeOptions o = target;  // committed only when valid
    if (name == "criterion") o.criterion = param_name(name, v, "squared_error");
    else if (name == "splitter") o.splitter = param_name(name, v, "best, random");
    else if (name == "max_depth") {
        if (std::holds_alternative<std::string>(v) && std::get<std::string>(v) == "None") o.max_depth.reset();
        else o.max_depth = static_cast<int>(param_int(name, v, 1, INT_MAX));
    } else if (name == "min_samples_split") o.min_samples_split = param_number(name, v);
    else if (name == "min_samples_leaf") o.min_samples_leaf = param_number(name, v);
    else if (name == "min_weight_fraction_leaf") o.min_weight_fraction_leaf = param_number(name, v);
    else if (name == "max_features") {
        if (std::holds_alternative<double>(v)) param_number(name, v);
        o.max_features = v;
    } else if (name == "random_state") o.random_state = static_cast<std::uint64_t>(param_int(name, v, 0));
    else if (name == "max_leaf_nodes") {
        if (std::holds_alternative<std::string>(v) && std::get<std::string>(v) == "None") o.max_leaf_nodes.reset();
        else o.max_leaf_nodes = static_cast<int>(param_int(name, v, 2, INT_MAX));
    } else if (name == "min_impurity_decrease") o.min_impurity_decrease = param_number(name, v);
    else if (name == "ccp_alpha") o.ccp_alpha = param_number(name, v);
    else return false;
    // validate eagerly what does not depend on the data
    if (name == "min_samples_split" || name == "min_samples_leaf" || name == "min_weight_fraction_leaf" || name == "criterion" ||
        name == "splitter" || name == "min_impurity_decrease" || name == "ccp_alpha" || name == "max_leaf_nodes") {
        TreeOptions t = o;
        t.max_features = std::string("None");
        resolve_tree(t, 1000, 1, 1000.0);
    } else if (name == "max_features" && std::holds_alternative<double>(v)) {
        const double d = std::get<double>(v);
        if (!((d > 0 && d <= 1) || (d >= 2 && d == std::floor(d))))
            throw invalid_parameter("max_features", d, "None, sqrt, log2, a fraction in (0, 1] or a whole number >= 2");
    } else if (name == "max_features") {
        TreeOptions t = o;
        resolve_tree(t, 1000, 1, 1000.0);
    }
    target = o;
    return true;
}

inline void tree_params(const TreeOptions& o, Params& p, const std::string& prefix = "") {
    p.emplace_back(prefix + "criterion", o.criterion);
    p.emplace_back(prefix + "splitter", o.splitter);
    p.emplace_back(prefix + "max_depth", o.max_depth ? ParamValue(double(*o.max_depth)) : ParamValue(std::string("None")));
    p.emplace_back(prefix + "min_samples_split", o.min_samples_split);
    p.emplace_back(prefix + "min_samples_leaf", o.min_samples_leaf);
    p.emplace_back(prefix + "min_weight_fraction_leaf", o.min_weight_fraction_leaf);
    p.emplace_back(prefix + "max_features", o.max_features);
    p.emplace_back(prefix + "random_state", double(o.random_state));
    p.emplace_back(prefix + "max_leaf_nodes", o.max_leaf_nodes ? ParamValue(double(*o.max_leaf_nodes)) : ParamValue(std::string("None")));
    p.emplace_back(prefix + "min_impurity_decrease", o.min_impurity_decrease);
    p.emplace_back(prefix + "ccp_alpha", o.ccp_alpha);
}

/// Runs fn(rows, F, r0, m) over X as float32 in row-major blocks (rows = m x F values of X's
/// rows r0 .. r0 + m), parallel over blocks. fn must be thread-safe for distinct blocks. Blocks
/// are as large as 512 KiB of rows allow (and at least one per thread): every block walks every
/// tree once, so a small block pays for bringing each tree into cache again (measured: 2,048-row
/// blocks cost 1.6x the time of 9,000-row blocks on a 100-tree forest).
template <class Fn>
void for_rows_f32(const MatrixRef& X, int threads, Fn&& fn) {
    const auto n = static_cast<std::size_t>(X.rows()), F = static_cast<std::size_t>(X.cols());
    if (n == 0) return;
    const auto T = static_cast<std::size_t>(std::max(threads, 1));
    const std::size_t cap = std::max<std::size_t>(256, (std::size_t{512} << 10) / (sizeof(float) * std::max<std::size_t>(F, 1)));
    std::size_t blocks = (n + cap - 1) / cap;
    blocks = std::min(n, (blocks + T - 1) / T * T);  // a multiple of the thread count, for balance
    const std::size_t rows_per_block = (n + blocks - 1) / blocks;
    blocks = (n + rows_per_block - 1) / rows_per_block;
    parallelize(threads, blocks, [&](int, std::size_t s, std::size_t len) {
        std::vector<float> buf(std::min(n, rows_per_block) * F);
        for (std::size_t b = s; b < s + len; ++b) {
            const std::size_t r0 = b * rows_per_block, m = std::min(rows_per_block, n - r0);
            for (std::size_t f = 0; f < F; ++f) {
                const double* col = X.data() + X.outerStride() * static_cast<Eigen::Index>(f) + r0;
                for (std::size_t i = 0; i < m; ++i) buf[i * F + f] = static_cast<float>(col[i]);
            }
            fn(buf.data(), F, r0, m);
        }
    });
}

inline void check_predict_f32(const MatrixRef& X, bool fitted, Eigen::Index F, const char* who) {
    check_predict_inputs(X, fitted, F, who);
    for (Eigen::Index j = 0; j < X.cols(); ++j)
        for (Eigen::Index i = 0; i < X.rows(); ++i)
            if (!(std::fabs(X(i, j)) <= static_cast<double>(FLT_MAX)))
                throw invalid_parameter("X", "row " + std::to_string(i) + " column " + std::to_string(j) + " = " + to_string(ParamValue(X(i, j))),
                                        std::string(who) + ": finite float32 values (|x| <= 3.4e38)");
}

/// Adds one tree's prediction to acc[0 .. m) for the m rows (row i at rows + i F). Eight rows
/// descend together until none moves (a leaf loops to itself); the child is chosen with a mask,
/// not a branch: a data-dependent branch is mispredicted half the time, which made this loop 3x
/// slower when the compiler emitted one for the ternary.
inline void add_tree(const CartTree& t, const float* rows, std::size_t F, std::size_t m, double* acc) {
    const CartTree::Node* nd = t.nodes.data();
    const double* val = t.value.data();
    std::size_t i = 0;
    constexpr std::size_t kLanes = 8;
    for (; i + kLanes <= m; i += kLanes) {
        const float* x0 = rows + i * F;
        std::int32_t p[kLanes] = {};
        for (;;) {
            std::int32_t moved = 0;
            for (std::size_t k = 0; k < kLanes; ++k) {
                const CartTree::Node n = nd[p[k]];
                const std::int32_t left = -static_cast<std::int32_t>(x0[k * F + static_cast<std::size_t>(n.feature)] <= n.thr);  // all ones: left
                const std::int32_t next = n.right ^ ((n.right ^ (p[k] + 1)) & left);
                moved |= next ^ p[k];
                p[k] = next;
            }
            if (moved == 0) break;
        }
        for (std::size_t k = 0; k < kLanes; ++k) acc[i + k] += val[p[k]];
    }
    for (; i < m; ++i) acc[i] += t.predict_row(rows + i * F);
}

/// Adds every tree's prediction to acc, tree by tree (one tree's nodes stay in cache while the
/// block's rows descend it; per row the trees are summed in order).
inline void accumulate_trees(const std::vector<CartTree>& trees, const float* rows, std::size_t F, std::size_t m, double* acc) {
    for (const auto& t : trees) add_tree(t, rows, F, m, acc);
}

/// Mean of the trees' predictions per row (trees summed in order: independent of threads).
inline Vector predict_mean(const std::vector<CartTree>& trees, const MatrixRef& X, int threads) {
    Vector out(X.rows());
    for_rows_f32(X, threads, [&](const float* buf, std::size_t F, std::size_t r0, std::size_t m) {
        std::vector<double> acc(m, 0.0);
        accumulate_trees(trees, buf, F, m, acc.data());
        for (std::size_t i = 0; i < m; ++i) out[static_cast<Eigen::Index>(r0 + i)] = acc[i] / static_cast<double>(trees.size());
    });
    return out;
}

template <bool Extra>
class ForestModel;

}  // namespace detail

/// A single CART regression tree (sklearn.tree.DecisionTreeRegressor).
class DecisionTreeRegressor {
public:
    TreeOptions options;

    DecisionTreeRegressor() = default;
    explicit DecisionTreeRegressor(const TreeOptions& o) : options(o) {}

    DecisionTreeRegressor& fit(const MatrixRef& X, const VectorRef& y) {
        const bool random = options.splitter == "random";
        detail::CartData d = detail::make_cart_data(X, y, "DecisionTreeRegressor", !random, 1);
        const detail::CartConfig c = detail::resolve_tree(options, d.n, d.F, static_cast<double>(d.n));
        Rng rng(options.random_state);
        detail::CartBuilder b;
        tree_ = b.build(d, {}, c, rng);
        n_features_ = X.cols();
        fitted_ = true;
        return *this;
    }
    Vector predict(const MatrixRef& X) const {
        detail::check_predict_f32(X, fitted_, n_features_, "DecisionTreeRegressor");
        Vector out(X.rows());
        detail::for_rows_f32(X, 1, [&](const float* buf, std::size_t F, std::size_t r0, std::size_t m) {
            std::vector<double> acc(m, 0.0);
            detail::add_tree(tree_, buf, F, m, acc.data());
            for (std::size_t i = 0; i < m; ++i) out[static_cast<Eigen::Index>(r0 + i)] = acc[i];
        });
        return out;
    }
    void set_param(std::string_view name, const ParamValue& v) {
        if (!detail::set_tree_param(options, name, v)) throw unknown_name("parameter", std::string(name), "DecisionTreeRegressor");
        fitted_ = false;
    }
    Params get_params() const {
        Params p;
        detail::tree_params(options, p);
        return p;
    }
    std::string name() const { return "DecisionTreeRegressor"; }

    bool is_fitted() const noexcept { return fitted_; }
    /// sklearn tree_: node arrays in sklearn's (depth-first, left first) numbering.
    const detail::CartTree& tree() const { return fitted_ ? tree_ : (throw not_fitted("DecisionTreeRegressor"), tree_); }
    std::vector<double> feature_importances() const { return tree().feature_importances(static_cast<std::size_t>(n_features_)); }
    int get_depth() const { return tree().depth; }
    std::size_t get_n_leaves() const {
        const auto& t = tree();
        return static_cast<std::size_t>(std::count(t.children_left.begin(), t.children_left.end(), -1));
    }
    Eigen::Index n_features_in() const { return n_features_; }

private:
    detail::CartTree tree_;
    Eigen::Index n_features_ = 0;
    bool fitted_ = false;
};

namespace detail {

template <bool Extra>
class ForestModel {
public:
    ForestOptions options;

    ForestModel() {
        options.bootstrap = !Extra;
        options.splitter = Extra ? "random" : "best";
    }
    explicit ForestModel(const ForestOptions& o) : options(o) { options.splitter = Extra ? "random" : "best"; }

    ForestModel& fit(const MatrixRef& X, const VectorRef& y) {
        const char* who = Extra ? "ExtraTreesRegressor" : "RandomForestRegressor";
        const auto& o = options;
        if (o.n_estimators < 1) throw invalid_parameter("n_estimators", o.n_estimators, "a whole number >= 1");
        if (o.warm_start) throw invalid_parameter("warm_start", 1, "0 (warm start is not implemented)");
        if (!o.bootstrap && o.oob_score) throw invalid_parameter("oob_score", 1, "0 without bootstrap (out-of-bag estimation needs bootstrap = 1)");
        if (!o.bootstrap && o.max_samples) throw invalid_parameter("max_samples", *o.max_samples, "None without bootstrap");
        const int threads = resolve_threads(o.n_jobs, "n_jobs");
        TreeOptions to = o;
        to.splitter = Extra ? "random" : "best";
        CartData d = make_cart_data(X, y, who, !Extra, threads);
        const CartConfig c = resolve_tree(to, d.n, d.F, static_cast<double>(d.n));
        std::size_t n_boot = d.n;
        if (o.max_samples) {
            const double v = *o.max_samples;
            if (v > 0 && v <= 1) n_boot = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(v * static_cast<double>(d.n))));
            else if (v >= 2 && v == std::floor(v) && v <= static_cast<double>(d.n)) n_boot = static_cast<std::size_t>(v);
            else throw invalid_parameter("max_samples", v, "None, a fraction in (0, 1] or a whole number in [2, n_samples = " + std::to_string(d.n) + "]");
        }
        const auto T = static_cast<std::size_t>(o.n_estimators);
        std::vector<std::uint64_t> seeds(T);
        Rng master(o.random_state);
        for (auto& s : seeds) s = master();
        trees_.assign(T, {});
        std::vector<std::vector<double>> inbag(o.oob_score ? T : 0);
        parallelize(threads, T, [&](int, std::size_t s, std::size_t len) {
            CartBuilder b;
            std::vector<double> w;
            for (std::size_t t = s; t < s + len; ++t) {
                Rng rng(seeds[t]);
                if (o.bootstrap) {
                    w.assign(d.n, 0.0);
                    for (std::size_t k = 0; k < n_boot; ++k) w[rng.below(d.n)] += 1.0;
                } else {
                    w.clear();
                }
                trees_[t] = b.build(d, w, c, rng);
                if (o.oob_score) inbag[t] = w;
            }
        });
        n_features_ = X.cols();
        fitted_ = true;
        if (o.oob_score) compute_oob(d, inbag, threads);
        return *this;
    }

    Vector predict(const MatrixRef& X) const {
        check_predict_f32(X, fitted_, n_features_, Extra ? "ExtraTreesRegressor" : "RandomForestRegressor");
        return predict_mean(trees_, X, resolve_threads(options.n_jobs, "n_jobs"));
    }

    void set_param(std::string_view name, const ParamValue& v) {
        auto& o = options;
        if (name == "splitter") throw unknown_name("parameter", std::string(name), this->name());
        if (set_tree_param(o, name, v)) {
        } else if (name == "n_estimators") o.n_estimators = static_cast<int>(param_int(name, v, 1, 1000000));
        else if (name == "bootstrap") o.bootstrap = param_int(name, v, 0, 1) != 0;
        else if (name == "oob_score") o.oob_score = param_int(name, v, 0, 1) != 0;
        else if (name == "n_jobs") o.n_jobs = static_cast<int>(param_int(name, v, 0, 1024));
        else if (name == "verbose") o.verbose = static_cast<int>(param_int(name, v, 0, 1000));
        else if (name == "warm_start") {
            if (param_int(name, v, 0, 1) != 0) throw invalid_parameter("warm_start", 1, "0 (warm start is not implemented)");
        } else if (name == "max_samples") {
            if (std::holds_alternative<std::string>(v) && std::get<std::string>(v) == "None") o.max_samples.reset();
            else {
                const double s = param_number(name, v);
                if (!((s > 0 && s <= 1) || (s >= 2 && s == std::floor(s)))) throw invalid_parameter("max_samples", s, "None, a fraction in (0, 1] or a whole number >= 2");
                o.max_samples = s;
            }
        } else throw unknown_name("parameter", std::string(name), this->name());
        fitted_ = false;
    }

    Params get_params() const {
        const auto& o = options;
        Params all;
        tree_params(o, all);
        Params p{{"n_estimators", double(o.n_estimators)}};
        for (auto& kv : all)
            if (kv.first != "splitter") p.push_back(kv);
        p.emplace_back("bootstrap", double(o.bootstrap));
        p.emplace_back("oob_score", double(o.oob_score));
        p.emplace_back("n_jobs", double(o.n_jobs));
        p.emplace_back("verbose", double(o.verbose));
        p.emplace_back("warm_start", double(o.warm_start));
        p.emplace_back("max_samples", o.max_samples ? ParamValue(*o.max_samples) : ParamValue(std::string("None")));
        return p;
    }
    std::string name() const { return Extra ? "ExtraTreesRegressor" : "RandomForestRegressor"; }

    bool is_fitted() const noexcept { return fitted_; }
    Eigen::Index n_features_in() const { return n_features_; }
    /// The fitted trees (sklearn estimators_[k].tree_).
    const std::vector<CartTree>& trees() const { return fitted_ ? trees_ : (throw not_fitted(name()), trees_); }
    /// sklearn feature_importances_: mean of the normalised tree importances over the trees
    /// with a split, normalised to sum 1 (all 0 when no tree splits).
    std::vector<double> feature_importances() const {
        const auto& ts = trees();
        const auto F = static_cast<std::size_t>(n_features_);
        std::vector<double> mean(F, 0.0);
        std::size_t used = 0;
        for (const auto& t : ts) {
            if (t.node_count() <= 1) continue;
            const auto imp = t.feature_importances(F);
            for (std::size_t f = 0; f < F; ++f) mean[f] += imp[f];
            ++used;
        }
        if (used == 0) return mean;
        for (auto& v : mean) v /= static_cast<double>(used);
        const double s = std::accumulate(mean.begin(), mean.end(), 0.0);
        if (s > 0)
            for (auto& v : mean) v /= s;
        return mean;
    }
    /// sklearn oob_score_: R^2 of the out-of-bag predictions (oob_score = 1 only).
    double oob_score() const {
        if (!fitted_ || oob_prediction_.size() == 0) throw not_fitted(name() + " out-of-bag score (fit with oob_score = 1)");
        return oob_score_;
    }
    /// sklearn oob_prediction_: mean over the trees that did not draw the row (0 when every tree drew it).
    const Vector& oob_prediction() const {
        if (!fitted_ || oob_prediction_.size() == 0) throw not_fitted(name() + " out-of-bag prediction (fit with oob_score = 1)");
        return oob_prediction_;
    }

private:
    void compute_oob(const CartData& d, const std::vector<std::vector<double>>& inbag, int threads) {
        const std::size_t n = d.n, F = d.F;
        oob_prediction_ = Vector::Zero(static_cast<Eigen::Index>(n));
        parallelize(threads, n, [&](int, std::size_t s, std::size_t len) {
            std::vector<float> row(F);
            for (std::size_t i = s; i < s + len; ++i) {
                for (std::size_t f = 0; f < F; ++f) row[f] = d.x(i, f);
                double sum = 0;
                std::size_t cnt = 0;
                for (std::size_t t = 0; t < trees_.size(); ++t)
                    if (inbag[t][i] == 0.0) {
                        sum += trees_[t].predict_row(row.data());
                        ++cnt;
                    }
                oob_prediction_[static_cast<Eigen::Index>(i)] = sum / static_cast<double>(std::max<std::size_t>(cnt, 1));
            }
        });
        double mean = 0;
        for (double v : d.y) mean += v;
        mean /= static_cast<double>(n);
        double ss_res = 0, ss_tot = 0;
        for (std::size_t i = 0; i < n; ++i) {
            ss_res += (d.y[i] - oob_prediction_[static_cast<Eigen::Index>(i)]) * (d.y[i] - oob_prediction_[static_cast<Eigen::Index>(i)]);
            ss_tot += (d.y[i] - mean) * (d.y[i] - mean);
        }
        oob_score_ = ss_tot > 0 ? 1.0 - ss_res / ss_tot : (ss_res == 0 ? 1.0 : 0.0);
    }

    std::vector<CartTree> trees_;
    Vector oob_prediction_;
    double oob_score_ = 0;
    Eigen::Index n_features_ = 0;
    bool fitted_ = false;
};

}  // namespace detail

/// sklearn.ensemble.RandomForestRegressor (bootstrap, best splitter).
using RandomForestRegressor = detail::ForestModel<false>;
/// sklearn.ensemble.ExtraTreesRegressor (no bootstrap, random splitter).
using ExtraTreesRegressor = detail::ForestModel<true>;

/// AdaBoost.R2 (sklearn.ensemble.AdaBoostRegressor).
class AdaBoostRegressor {
public:
    AdaBoostOptions options;

    AdaBoostRegressor() = default;
    explicit AdaBoostRegressor(const AdaBoostOptions& o) : options(o) {}

    AdaBoostRegressor& fit(const MatrixRef& X, const VectorRef& y) {
        const auto& o = options;
        if (o.n_estimators < 1) throw invalid_parameter("n_estimators", o.n_estimators, "a whole number >= 1");
        if (!(o.learning_rate > 0)) throw invalid_parameter("learning_rate", o.learning_rate, "> 0");
        if (o.loss != "linear" && o.loss != "square" && o.loss != "exponential") throw invalid_parameter("loss", o.loss, "linear, square, exponential");
        const bool random = o.estimator.splitter == "random";
        detail::CartData d = detail::make_cart_data(X, y, "AdaBoostRegressor", !random, 1);
        const std::size_t n = d.n;
        detail::CartConfig c = detail::resolve_tree(o.estimator, n, d.F, static_cast<double>(n));
        c.count_weights = true;
        Rng rng(o.random_state);
        trees_.clear();
        weights_.assign(static_cast<std::size_t>(o.n_estimators), 0.0);
        errors_.assign(static_cast<std::size_t>(o.n_estimators), 1.0);
        std::vector<double> sw(n, 1.0 / static_cast<double>(n)), cdf(n), counts(n), pred(n), err(n);
        detail::CartBuilder b;
        const double eps = std::numeric_limits<double>::epsilon();
        for (int k = 0; k < o.n_estimators; ++k) {
            for (auto& v : sw) v = v == 0.0 ? 0.0 : std::max(v, eps);  // sklearn clips (originally zero weights stay zero: none here)
            // weighted resample (numpy choice: cdf / cdf[-1], searchsorted right)
            std::partial_sum(sw.begin(), sw.end(), cdf.begin());
            const double total = cdf.back();
            std::fill(counts.begin(), counts.end(), 0.0);
            for (std::size_t i = 0; i < n; ++i) {
                const double u = rng.uniform();
                std::size_t idx = static_cast<std::size_t>(std::upper_bound(cdf.begin(), cdf.end(), u * total) - cdf.begin());
                if (idx >= n) idx = n - 1;
                counts[idx] += 1.0;
            }
            Rng tree_rng(rng());
            detail::CartTree t = b.build(d, counts, c, tree_rng);
            std::vector<float> row(d.F);
            double err_max = 0;
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t f = 0; f < d.F; ++f) row[f] = d.x(i, f);
                pred[i] = t.predict_row(row.data());
                err[i] = std::fabs(pred[i] - d.y[i]);
                if (sw[i] > 0) err_max = std::max(err_max, err[i]);
            }
            double avg = 0;
            for (std::size_t i = 0; i < n; ++i) {
                if (!(sw[i] > 0)) continue;
                double e = err_max != 0 ? err[i] / err_max : err[i];
                if (o.loss == "square") e = e * e;
                else if (o.loss == "exponential") e = 1.0 - std::exp(-e);
                err[i] = e;
                avg += sw[i] * e;
            }
            trees_.push_back(std::move(t));
            const auto ku = static_cast<std::size_t>(k);
            if (avg <= 0) {
                weights_[ku] = 1.0;
                errors_[ku] = 0.0;
                break;
            }
            if (avg >= 0.5) {
                if (trees_.size() > 1) trees_.pop_back();
                break;
            }
            const double beta = avg / (1.0 - avg);
            weights_[ku] = o.learning_rate * std::log(1.0 / beta);
            errors_[ku] = avg;
            if (k == o.n_estimators - 1) break;
            double s = 0;
            for (std::size_t i = 0; i < n; ++i) {
                if (sw[i] > 0) sw[i] *= std::pow(beta, (1.0 - err[i]) * o.learning_rate);
                s += sw[i];
            }
            if (!std::isfinite(s) || s <= 0) break;
            for (auto& v : sw) v /= s;
        }
        n_features_ = X.cols();
        fitted_ = true;
        return *this;
    }

    /// Weighted median of the estimators' predictions (sklearn _get_median_predict).
    Vector predict(const MatrixRef& X) const {
        detail::check_predict_f32(X, fitted_, n_features_, "AdaBoostRegressor");
        Vector out(X.rows());
        const std::size_t T = trees_.size();
        detail::for_rows_f32(X, 1, [&](const float* buf, std::size_t F, std::size_t r0, std::size_t m) {
            std::vector<double> all(T * m, 0.0), p(T);  // all[t * m + i]: tree t's prediction of row i
            for (std::size_t t = 0; t < T; ++t) detail::add_tree(trees_[t], buf, F, m, all.data() + t * m);
            std::vector<std::size_t> idx(T);
            for (std::size_t i = 0; i < m; ++i) {
                for (std::size_t t = 0; t < T; ++t) p[t] = all[t * m + i];
                std::iota(idx.begin(), idx.end(), std::size_t{0});
                std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
                double total = 0;
                for (std::size_t t = 0; t < T; ++t) total += weights_[idx[t]];
                double cum = 0;
                std::size_t pick = idx[0];
                for (std::size_t t = 0; t < T; ++t) {
                    cum += weights_[idx[t]];
                    if (cum >= 0.5 * total) {
                        pick = idx[t];
                        break;
                    }
                }
                out[static_cast<Eigen::Index>(r0 + i)] = p[pick];
            }
        });
        return out;
    }

    void set_param(std::string_view name, const ParamValue& v) {
        auto& o = options;
        if (name == "n_estimators") o.n_estimators = static_cast<int>(param_int_(name, v, 1));
        else if (name == "learning_rate") {
            const double lr = detail::param_number(name, v);
            if (!(lr > 0)) throw invalid_parameter("learning_rate", lr, "> 0");
            o.learning_rate = lr;
        } else if (name == "loss") {
            const auto s = detail::param_name(name, v, "linear, square, exponential");
            if (s != "linear" && s != "square" && s != "exponential") throw invalid_parameter("loss", s, "linear, square, exponential");
            o.loss = s;
        } else if (name == "random_state") o.random_state = static_cast<std::uint64_t>(param_int_(name, v, 0));
        else if (name.substr(0, 11) == "estimator__" && name.substr(11) != "random_state" && detail::set_tree_param(o.estimator, name.substr(11), v)) {
        } else throw unknown_name("parameter", std::string(name), "AdaBoostRegressor");
        fitted_ = false;
    }
    Params get_params() const {
        const auto& o = options;
        Params p{{"n_estimators", double(o.n_estimators)}, {"learning_rate", o.learning_rate}, {"loss", o.loss}, {"random_state", double(o.random_state)}};
        Params t;
        detail::tree_params(o.estimator, t, "estimator__");
        for (auto& kv : t)
            if (kv.first != "estimator__random_state") p.push_back(kv);
        return p;
    }
    std::string name() const { return "AdaBoostRegressor"; }

    bool is_fitted() const noexcept { return fitted_; }
    Eigen::Index n_features_in() const { return n_features_; }
    const std::vector<detail::CartTree>& trees() const { return fitted_ ? trees_ : (throw not_fitted("AdaBoostRegressor"), trees_); }
    /// sklearn estimator_weights_ (n_estimators entries; 0 for rounds not run or dropped).
    const std::vector<double>& estimator_weights() const { return fitted_ ? weights_ : (throw not_fitted("AdaBoostRegressor"), weights_); }
    /// sklearn estimator_errors_ (n_estimators entries; 1 for rounds not run).
    const std::vector<double>& estimator_errors() const { return fitted_ ? errors_ : (throw not_fitted("AdaBoostRegressor"), errors_); }
    /// sklearn feature_importances_: estimator-weighted mean of the trees' importances.
    std::vector<double> feature_importances() const {
        const auto& ts = trees();
        const auto F = static_cast<std::size_t>(n_features_);
        std::vector<double> out(F, 0.0);
        double norm = std::accumulate(weights_.begin(), weights_.end(), 0.0);
        for (std::size_t t = 0; t < ts.size(); ++t) {
            const auto imp = ts[t].feature_importances(F);
            for (std::size_t f = 0; f < F; ++f) out[f] += weights_[t] * imp[f];
        }
        if (norm > 0)
            for (auto& v : out) v /= norm;
        return out;
    }

private:
    static long long param_int_(std::string_view name, const ParamValue& v, long long lo) { return detail::param_int(name, v, lo, 1000000000LL); }

    std::vector<detail::CartTree> trees_;
    std::vector<double> weights_, errors_;
    Eigen::Index n_features_ = 0;
    bool fitted_ = false;
};

}  // namespace musiclab::models
