// Histogram gradient-boosted trees with XGBoost's "hist" math, exact TreeSHAP and a JSON format.
//
//     musiclab::trees::GbtOptions opts;          // XGBoost's defaults except base_score (see below)
//     opts.n_estimators = 1000;
//     opts.learning_rate = 0.02;
//     opts.max_depth = 7;
//     opts.num_threads = 2;
//     auto model = musiclab::trees::fit_gbt_regressor(X_train, y_train, opts);   // immutable
//     Eigen::VectorXd pred = model.predict(X_test);                               // thread-safe
//     Eigen::MatrixXd phi = model.shap_values(X_test);    // rows sum to margin - expected_value()
//     model.save("model.json");
//     auto same = musiclab::trees::GbtModel::load("model.json");                 // bit-identical
//
// Math (docs/gbt.md): second-order boosting. Per round the objective gives each row a gradient g
// and hessian h at the current margin; a tree is grown on per-feature quantile bins (<= 255
// value bins plus one missing-value bin per feature) by histograms of (sum g, sum h). A split
// of a node with sums (G, H) into (G_L, H_L) + (G_R, H_R) gains
//     T(G_L)^2/(H_L + lambda) + T(G_R)^2/(H_R + lambda) - T(G)^2/(H + lambda),
// T = soft-thresholding by reg_alpha; it is taken when the gain is > 1e-6 and >= gamma and both
// children have hessian >= min_child_weight. A leaf outputs -learning_rate * T(G)/(H + lambda).
// Missing values (NaN) go to the side (the default direction) that gained most in training.
// The model predicts base_margin + sum of the tree outputs (the margin; the probability is the
// logistic of it for binary:logistic).
//
// Inputs are Eigen column-major double matrices (rows = samples). Training is O(rows x features)
// per tree level with the histogram subtraction trick; predict is O(rows x trees x depth) and
// parallel over row blocks. Thread safety: a fitted GbtModel is const; every const member can be
// called concurrently. Determinism: same data, options (seed) and num_threads give the same model;
// a different num_threads can change the last bits of histogram sums (partial sums per thread).
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../core/random.hpp"
#include "detail/gbt_model.hpp"
#include "detail/gbt_train.hpp"
#include "detail/tree_shap.hpp"

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace musiclab::trees {

/// Loss minimised by the boosting rounds.
enum class GbtObjective {
    squared_error,    ///< (y - m)^2 / 2: g = m - y, h = 1 (XGBoost reg:squarederror)
    binary_logistic,  ///< log loss of p = 1/(1+exp(-m)), y in {0,1} (XGBoost binary:logistic)
    pseudo_huber      ///< slope^2 (sqrt(1 + ((m - y)/slope)^2) - 1) (XGBoost reg:pseudohubererror)
};

/// Order in which tree nodes are split.
enum class GbtGrowPolicy {
    depthwise,  ///< level by level up to max_depth (XGBoost grow_policy=depthwise)
    lossguide   ///< always the node with the largest gain, up to max_leaves (grow_policy=lossguide)
};

/// Feature importance kinds (XGBoost's importance_type).
enum class ImportanceType {
    weight,      ///< number of splits on the feature
    gain,        ///< mean loss reduction of the splits on the feature
    total_gain,  ///< summed loss reduction
    cover,       ///< mean hessian sum of the rows reaching those splits
    total_cover  ///< summed hessian
};

/// Options of fit_gbt_regressor / fit_gbt_classifier. Defaults are XGBoost 1.7's except
/// base_score (the data's optimum instead of 0.5) and max_bins (255 value bins + 1 missing bin
/// instead of XGBoost's 256 bins).
struct GbtOptions {
    /// Loss; fit_gbt_regressor accepts squared_error and pseudo_huber, fit_gbt_classifier
    /// binary_logistic (and sets it when left at squared_error).
    GbtObjective objective = GbtObjective::squared_error;
    int n_estimators = 100;          ///< boosting rounds (trees), >= 1
    double learning_rate = 0.3;      ///< shrinkage eta, > 0
    int max_depth = 6;               ///< >= 0; 0 = unlimited (lossguide only)
    int max_leaves = 0;              ///< >= 0; 0 = unlimited
    GbtGrowPolicy grow_policy = GbtGrowPolicy::depthwise;
    int max_bins = 255;              ///< value bins per feature in [2, 255] (plus one missing bin)
    double reg_lambda = 1.0;         ///< L2 penalty on leaf weights, >= 0
    double reg_alpha = 0.0;          ///< L1 penalty on leaf weights, >= 0
    double gamma = 0.0;              ///< minimum loss reduction of a split (min_split_loss), >= 0
    double min_child_weight = 1.0;   ///< minimum hessian sum of a child, >= 0
    double subsample = 1.0;          ///< fraction of rows (Bernoulli per row) per tree, in (0, 1]
    double colsample_bytree = 1.0;   ///< fraction of features per tree, in (0, 1]
    double colsample_bynode = 1.0;   ///< fraction of the tree's features per split, in (0, 1]
    double huber_slope = 1.0;        ///< delta of pseudo_huber, > 0
    /// Initial prediction in output units (a probability for binary_logistic). Unset: the mean of
    /// y (squared error), the median (pseudo-Huber), the log-odds of the positive rate (logistic).
    std::optional<double> base_score = std::nullopt;
    /// Stop when the validation metric has not improved for this many rounds (0 = never); needs a
    /// validation set. The model keeps the trees up to the best round.
    int early_stopping_rounds = 0;
    std::uint64_t seed = 0;          ///< seed of subsample / colsample draws
    int num_threads = 1;             ///< 0 = all hardware threads
    std::vector<std::string> feature_names;  ///< optional, saved with the model
};

/// A fitted gradient-boosted tree ensemble. Immutable; every member is safe to call concurrently.
class GbtModel {
public:
    GbtModel() = default;

    /// Number of input features.
    std::size_t n_features() const noexcept { return n_features_; }
    /// Number of trees (after early stopping: best_iteration + 1).
    std::size_t n_trees() const noexcept { return trees_.size(); }
    GbtObjective objective() const noexcept { return objective_; }
    /// The initial margin every prediction starts from.
    double base_margin() const noexcept { return base_margin_; }
    const std::vector<std::string>& feature_names() const noexcept { return feature_names_; }
    /// Validation metric after each round (rmse, logloss or mean pseudo-Huber error); empty
    /// without a validation set.
    const std::vector<double>& eval_history() const noexcept { return eval_history_; }
    /// Name of the metric in eval_history: "rmse", "logloss" or "mphe".
    std::string eval_metric() const { return metric_name(objective_); }
    /// Round (0-based) with the best validation metric; n_trees() - 1 without one.
    int best_iteration() const noexcept { return best_iteration_; }

    /// Raw margins base + sum of trees, one per row. O(rows x trees x depth); rows are taken in
    /// blocks of 256 (copied row-major), which descend each tree in lockstep without branches;
    /// blocks are spread over num_threads (0 = all). Throws shape_mismatch when X has the wrong
    /// number of columns, not_fitted on a default-constructed model.
    Eigen::VectorXd predict_margin(const Eigen::Ref<const Eigen::MatrixXd>& X, int num_threads = 1) const {
        check_predict(X);
        const auto rows = static_cast<std::size_t>(X.rows());
        Eigen::VectorXd out(X.rows());
        const std::size_t F = n_features_;
        constexpr std::size_t kBlock = 256;
        const std::size_t n_blocks = (rows + kBlock - 1) / kBlock;
        parallelize(resolve_threads(num_threads), n_blocks, [&](int, std::size_t start, std::size_t len) {
            std::vector<double> buf(kBlock * F);
            double acc[kBlock];
            std::int32_t pos[kBlock];
            for (std::size_t blk = start; blk < start + len; ++blk) {
                const std::size_t r0 = blk * kBlock;
                const std::size_t m = std::min(kBlock, rows - r0);
                for (std::size_t f = 0; f < F; ++f) {
                    const double* col = X.data() + X.outerStride() * static_cast<std::ptrdiff_t>(f);
                    for (std::size_t i = 0; i < m; ++i) buf[i * F + f] = col[r0 + i];
                }
                for (std::size_t i = 0; i < m; ++i) acc[i] = base_margin_;
                for (const auto& t : flat_) {
                    const detail::FlatNode* nodes = t.nodes.data();
                    for (std::size_t i = 0; i < m; ++i) pos[i] = 0;
                    // lockstep descent: leaves point to themselves, NaN takes the default side
                    for (int d = 0; d < t.depth; ++d) {
                        for (std::size_t i = 0; i < m; ++i) {
                            const detail::FlatNode& n = nodes[pos[i]];
                            const double v = buf[i * F + n.feature];
                            const unsigned right = static_cast<unsigned>(!(v <= n.threshold)) ^
                                                   (static_cast<unsigned>(v != v) & n.default_left);
                            pos[i] = n.left + static_cast<std::int32_t>(right);
                        }
                    }
                    const double* value = t.value.data();
                    for (std::size_t i = 0; i < m; ++i) acc[i] += value[pos[i]];
                }
                for (std::size_t i = 0; i < m; ++i) out[static_cast<Eigen::Index>(r0 + i)] = acc[i];
            }
        });
        return out;
    }

    /// Predictions in output units: the margin for regression objectives, the probability of
    /// class 1 for binary_logistic.
    Eigen::VectorXd predict(const Eigen::Ref<const Eigen::MatrixXd>& X, int num_threads = 1) const {
        Eigen::VectorXd m = predict_margin(X, num_threads);
        if (objective_ == GbtObjective::binary_logistic)
            for (auto& v : m) v = 1.0 / (1.0 + std::exp(-v));
        return m;
    }

    /// Class labels 0/1 (probability >= 0.5); binary_logistic models only.
    Eigen::VectorXi predict_label(const Eigen::Ref<const Eigen::MatrixXd>& X, int num_threads = 1) const {
        if (objective_ != GbtObjective::binary_logistic)
            throw invalid_parameter("objective", "regression", "predict_label needs a binary_logistic model");
        const Eigen::VectorXd m = predict_margin(X, num_threads);
        Eigen::VectorXi out(m.size());
        for (Eigen::Index i = 0; i < m.size(); ++i) out[i] = m[i] >= 0.0 ? 1 : 0;
        return out;
    }

    /// SHAP expected value: base margin + the cover-weighted mean output of every tree.
    double expected_value() const {
        double e = base_margin_;
        for (const auto& t : trees_) e += detail::tree_mean_value(t);
        return e;
    }

    /// Exact path-dependent TreeSHAP values (Lundberg et al. 2018, Algorithm 2) in margin units:
    /// rows x features; each row sums to predict_margin(row) - expected_value().
    /// O(rows x trees x leaves x depth^2); parallel over rows.
    Eigen::MatrixXd shap_values(const Eigen::Ref<const Eigen::MatrixXd>& X, int num_threads = 1) const {
        check_predict(X);
        const auto rows = static_cast<std::size_t>(X.rows());
        const std::size_t F = n_features_;
        Eigen::MatrixXd phi = Eigen::MatrixXd::Zero(X.rows(), static_cast<Eigen::Index>(F));
        int depth = 0;
        for (const auto& t : trees_) depth = std::max(depth, t.max_depth());
        const auto path_len = static_cast<std::size_t>((depth + 2) * (depth + 3) / 2);
        parallelize(resolve_threads(num_threads), rows, [&](int, std::size_t start, std::size_t len) {
            std::vector<detail::PathElement> path(path_len);
            std::vector<double> x(F), contrib(F);
            for (std::size_t r = start; r < start + len; ++r) {
                for (std::size_t f = 0; f < F; ++f) x[f] = X(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(f));
                std::fill(contrib.begin(), contrib.end(), 0.0);
                for (const auto& t : trees_)
                    if (t.size() > 1)
                        detail::tree_shap_recurse(t, x.data(), 1, contrib.data(), 0, 0, path.data(), 1.0, 1.0, -1);
                for (std::size_t f = 0; f < F; ++f) phi(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(f)) = contrib[f];
            }
        });
        return phi;
    }

    /// Importance of each feature (length n_features; 0 for unused features).
    std::vector<double> feature_importance(ImportanceType type = ImportanceType::gain) const {
        std::vector<double> gain(n_features_, 0.0), cover(n_features_, 0.0), count(n_features_, 0.0);
        for (const auto& t : trees_)
            for (std::size_t i = 0; i < t.size(); ++i) {
                const auto& n = t.nodes[i];
                if (n.is_leaf()) continue;
                gain[n.feature] += t.gain[i];
                cover[n.feature] += t.cover[i];
                count[n.feature] += 1.0;
            }
        std::vector<double> out(n_features_, 0.0);
        for (std::size_t f = 0; f < n_features_; ++f) {
            switch (type) {
                case ImportanceType::weight: out[f] = count[f]; break;
                case ImportanceType::gain: out[f] = count[f] > 0 ? gain[f] / count[f] : 0.0; break;
                case ImportanceType::total_gain: out[f] = gain[f]; break;
                case ImportanceType::cover: out[f] = count[f] > 0 ? cover[f] / count[f] : 0.0; break;
                case ImportanceType::total_cover: out[f] = cover[f]; break;
            }
        }
        return out;
    }

    /// The model as JSON text (format "musiclab.gbt", version 1; doubles round-trip exactly).
    std::string to_json() const {
        nlohmann::json j;
        j["format"] = "musiclab.gbt";
        j["version"] = 1;
        j["objective"] = objective_name(objective_);
        j["huber_slope"] = huber_slope_;
        j["base_margin"] = base_margin_;
        j["n_features"] = n_features_;
        j["feature_names"] = feature_names_;
        j["best_iteration"] = best_iteration_;
        j["eval_history"] = eval_history_;
        j["params"] = params_;
        nlohmann::json trees = nlohmann::json::array();
        for (const auto& t : trees_) {
            nlohmann::json jt;
            std::vector<std::int32_t> left;
            std::vector<int> feature, default_left;
            std::vector<double> value;
            for (const auto& n : t.nodes) {
                left.push_back(n.left);
                feature.push_back(n.feature);
                default_left.push_back(n.default_left);
                value.push_back(n.threshold);
            }
            jt["left"] = left;
            jt["feature"] = feature;
            jt["default_left"] = default_left;
            jt["threshold_or_leaf"] = value;
            jt["cover"] = t.cover;
            jt["gain"] = t.gain;
            jt["weight"] = t.weight;
            trees.push_back(std::move(jt));
        }
        j["trees"] = std::move(trees);
        return j.dump();
    }

    /// Parses to_json() text. Throws parse_error (source, line, column) on malformed JSON, a
    /// wrong format/version, missing fields or inconsistent trees (bad child or feature indices,
    /// non-finite values, non-positive covers).
    static GbtModel from_json(std::string_view text, const std::string& source = "<string>") {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(text.begin(), text.end());
        } catch (const nlohmann::json::parse_error& e) {
            std::size_t line = 1, col = 1;
            const std::size_t at = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
            for (std::size_t i = 0; i < at; ++i) {
                if (text[i] == '\n') {
                    ++line;
                    col = 1;
                } else {
                    ++col;
                }
            }
            throw parse_error(source, line, col, std::string("invalid JSON: ") + e.what());
        } catch (const nlohmann::json::exception& e) {  // e.g. a number out of range
            throw parse_error(source, 0, 0, std::string("invalid JSON: ") + e.what());
        }
        try {
            return from_parsed(j, source);
        } catch (const nlohmann::json::exception& e) {
            throw parse_error(source, 0, 0, std::string("malformed musiclab.gbt model: ") + e.what());
        }
    }

    /// Writes to_json() to path. Throws io_error when the file cannot be written.
    void save(const std::filesystem::path& path) const {
        std::ofstream out(path, std::ios::binary);
        if (!out) throw io_error(path.string(), "cannot open for writing");
        const std::string s = to_json();
        out.write(s.data(), static_cast<std::streamsize>(s.size()));
        if (!out) throw io_error(path.string(), "write failed");
    }

    /// Reads a model written by save(). Throws io_error (unreadable) or parse_error (corrupt).
    static GbtModel load(const std::filesystem::path& path) {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw io_error(path.string(), "cannot open for reading");
        std::ostringstream ss;
        ss << in.rdbuf();
        return from_json(ss.str(), path.string());
    }

private:
    friend struct GbtAccess;

    static std::string objective_name(GbtObjective o) {
        switch (o) {
            case GbtObjective::squared_error: return "reg:squarederror";
            case GbtObjective::binary_logistic: return "binary:logistic";
            case GbtObjective::pseudo_huber: return "reg:pseudohubererror";
        }
        return "?";
    }
    static std::string metric_name(GbtObjective o) {
        switch (o) {
            case GbtObjective::squared_error: return "rmse";
            case GbtObjective::binary_logistic: return "logloss";
            case GbtObjective::pseudo_huber: return "mphe";
        }
        return "?";
    }

    void check_predict(const Eigen::Ref<const Eigen::MatrixXd>& X) const {
        if (trees_.empty() && n_features_ == 0) throw not_fitted("GbtModel");
        if (static_cast<std::size_t>(X.cols()) != n_features_)
            throw shape_mismatch("GbtModel: number of feature columns of X", n_features_, static_cast<std::size_t>(X.cols()));
    }

    static GbtModel from_parsed(const nlohmann::json& j, const std::string& source) {
        auto fail = [&](const std::string& msg) -> void { throw parse_error(source, 0, 0, msg); };
        if (!j.is_object()) fail("expected a JSON object");
        if (!j.contains("format") || j.at("format") != "musiclab.gbt") fail("not a musiclab.gbt model (field 'format')");
        if (!j.contains("version") || j.at("version") != 1) fail("unsupported musiclab.gbt version (expected 1)");
        GbtModel m;
        const std::string obj = j.at("objective").get<std::string>();
        if (obj == "reg:squarederror") m.objective_ = GbtObjective::squared_error;
        else if (obj == "binary:logistic") m.objective_ = GbtObjective::binary_logistic;
        else if (obj == "reg:pseudohubererror") m.objective_ = GbtObjective::pseudo_huber;
        else fail("unknown objective '" + obj + "'");
        m.huber_slope_ = j.at("huber_slope").get<double>();
        m.base_margin_ = j.at("base_margin").get<double>();
        if (!std::isfinite(m.base_margin_)) fail("base_margin is not finite");
        m.n_features_ = j.at("n_features").get<std::size_t>();
        if (m.n_features_ == 0 || m.n_features_ > 65535) fail("n_features out of range [1, 65535]");
        m.feature_names_ = j.at("feature_names").get<std::vector<std::string>>();
        if (!m.feature_names_.empty() && m.feature_names_.size() != m.n_features_) fail("feature_names has the wrong length");
        m.best_iteration_ = j.at("best_iteration").get<int>();
        m.eval_history_ = j.at("eval_history").get<std::vector<double>>();
        m.params_ = j.at("params");
        const auto& trees = j.at("trees");
        if (!trees.is_array()) fail("'trees' is not an array");
        for (std::size_t ti = 0; ti < trees.size(); ++ti) {
            const auto& jt = trees[ti];
            const std::string where = "tree " + std::to_string(ti) + ": ";
            const auto left = jt.at("left").get<std::vector<std::int64_t>>();
            const auto feature = jt.at("feature").get<std::vector<std::int64_t>>();
            const auto dl = jt.at("default_left").get<std::vector<int>>();
            const auto value = jt.at("threshold_or_leaf").get<std::vector<double>>();
            detail::Tree t;
            t.cover = jt.at("cover").get<std::vector<double>>();
            t.gain = jt.at("gain").get<std::vector<double>>();
            t.weight = jt.at("weight").get<std::vector<double>>();
            const std::size_t n = left.size();
            if (n == 0 || feature.size() != n || dl.size() != n || value.size() != n || t.cover.size() != n ||
                t.gain.size() != n || t.weight.size() != n)
                fail(where + "node arrays are empty or of different lengths");
            std::vector<int> parents(n, 0);
            t.nodes.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                auto& node = t.nodes[i];
                if (left[i] != 0) {
                    if (left[i] <= static_cast<std::int64_t>(i) || left[i] + 1 >= static_cast<std::int64_t>(n))
                        fail(where + "node " + std::to_string(i) + " has child index out of range");
                    parents[static_cast<std::size_t>(left[i])] += 1;
                    parents[static_cast<std::size_t>(left[i]) + 1] += 1;
                    if (feature[i] < 0 || static_cast<std::size_t>(feature[i]) >= m.n_features_)
                        fail(where + "node " + std::to_string(i) + " has feature index out of range");
                    if (!(t.cover[i] > 0.0)) fail(where + "node " + std::to_string(i) + " has a non-positive cover");
                }
                if (dl[i] != 0 && dl[i] != 1) fail(where + "default_left must be 0 or 1");
                if (!std::isfinite(value[i]) || !std::isfinite(t.cover[i])) fail(where + "non-finite node value");
                node.left = static_cast<std::int32_t>(left[i]);
                node.feature = static_cast<std::uint16_t>(feature[i] < 0 ? 0 : feature[i]);
                node.default_left = static_cast<std::uint8_t>(dl[i]);
                node.threshold = value[i];
            }
            if (parents[0] != 0) fail(where + "the root is someone's child");
            for (std::size_t i = 1; i < n; ++i)
                if (parents[i] != 1) fail(where + "node " + std::to_string(i) + " does not have exactly one parent");
            m.trees_.push_back(std::move(t));
        }
        m.finalize();
        return m;
    }

    /// Rebuilds the prediction layout from trees_ (after fit and load).
    void finalize() {
        flat_.clear();
        flat_.reserve(trees_.size());
        for (const auto& t : trees_) flat_.emplace_back(t);
    }

    std::vector<detail::Tree> trees_;
    std::vector<detail::FlatTree> flat_;
    std::size_t n_features_ = 0;
    GbtObjective objective_ = GbtObjective::squared_error;
    double huber_slope_ = 1.0;
    double base_margin_ = 0.0;
    std::vector<std::string> feature_names_;
    std::vector<double> eval_history_;
    int best_iteration_ = -1;
    nlohmann::json params_;
};

/// Internal access for the fit functions.
struct GbtAccess {
    static std::vector<detail::Tree>& trees(GbtModel& m) { return m.trees_; }
    static std::size_t& n_features(GbtModel& m) { return m.n_features_; }
    static GbtObjective& objective(GbtModel& m) { return m.objective_; }
    static double& huber_slope(GbtModel& m) { return m.huber_slope_; }
    static double& base_margin(GbtModel& m) { return m.base_margin_; }
    static std::vector<std::string>& feature_names(GbtModel& m) { return m.feature_names_; }
    static std::vector<double>& eval_history(GbtModel& m) { return m.eval_history_; }
    static int& best_iteration(GbtModel& m) { return m.best_iteration_; }
    static nlohmann::json& params(GbtModel& m) { return m.params_; }
    static void finalize(GbtModel& m) { m.finalize(); }
};

namespace detail {

inline void validate_options(const GbtOptions& o) {
    if (o.n_estimators < 1) throw invalid_parameter("n_estimators", o.n_estimators, ">= 1");
    if (!(o.learning_rate > 0.0) || !std::isfinite(o.learning_rate)) throw invalid_parameter("learning_rate", o.learning_rate, "> 0");
    if (o.max_depth < 0) throw invalid_parameter("max_depth", o.max_depth, ">= 0 (0 = unlimited, lossguide only)");
    if (o.max_leaves < 0) throw invalid_parameter("max_leaves", o.max_leaves, ">= 0 (0 = unlimited)");
    if (o.max_depth == 0 && (o.grow_policy == GbtGrowPolicy::depthwise || o.max_leaves == 0))
        throw invalid_parameter("max_depth", 0, ">= 1 unless grow_policy = lossguide with max_leaves > 0");
    if (o.max_bins < 2 || o.max_bins > 255) throw invalid_parameter("max_bins", o.max_bins, "[2, 255]");
    if (!(o.reg_lambda >= 0.0) || !std::isfinite(o.reg_lambda)) throw invalid_parameter("reg_lambda", o.reg_lambda, ">= 0");
    if (!(o.reg_alpha >= 0.0) || !std::isfinite(o.reg_alpha)) throw invalid_parameter("reg_alpha", o.reg_alpha, ">= 0");
    if (!(o.gamma >= 0.0) || !std::isfinite(o.gamma)) throw invalid_parameter("gamma", o.gamma, ">= 0");
    if (!(o.min_child_weight >= 0.0) || !std::isfinite(o.min_child_weight))
        throw invalid_parameter("min_child_weight", o.min_child_weight, ">= 0");
    if (!(o.subsample > 0.0 && o.subsample <= 1.0)) throw invalid_parameter("subsample", o.subsample, "(0, 1]");
    if (!(o.colsample_bytree > 0.0 && o.colsample_bytree <= 1.0))
        throw invalid_parameter("colsample_bytree", o.colsample_bytree, "(0, 1]");
    if (!(o.colsample_bynode > 0.0 && o.colsample_bynode <= 1.0))
        throw invalid_parameter("colsample_bynode", o.colsample_bynode, "(0, 1]");
    if (!(o.huber_slope > 0.0) || !std::isfinite(o.huber_slope)) throw invalid_parameter("huber_slope", o.huber_slope, "> 0");
    if (o.early_stopping_rounds < 0) throw invalid_parameter("early_stopping_rounds", o.early_stopping_rounds, ">= 0");
    if (o.base_score && !std::isfinite(*o.base_score)) throw invalid_parameter("base_score", *o.base_score, "finite");
    if (o.base_score && o.objective == GbtObjective::binary_logistic && !(*o.base_score > 0.0 && *o.base_score < 1.0))
        throw invalid_parameter("base_score", *o.base_score, "(0, 1) for binary_logistic");
    resolve_threads(o.num_threads);
}

inline void validate_data(const Eigen::Ref<const Eigen::MatrixXd>& X, std::span<const double> y, const char* xname,
                          const char* yname, std::size_t n_features, GbtObjective objective) {
    if (static_cast<std::size_t>(X.rows()) != y.size())
        throw shape_mismatch(std::string("rows of ") + xname + " vs length of " + yname, static_cast<std::size_t>(X.rows()), y.size());
    if (static_cast<std::size_t>(X.cols()) != n_features)
        throw shape_mismatch(std::string("number of feature columns of ") + xname, n_features, static_cast<std::size_t>(X.cols()));
    for (std::size_t i = 0; i < y.size(); ++i) {
        if (!std::isfinite(y[i]))
            throw invalid_parameter(std::string(yname) + "[" + std::to_string(i) + "]", y[i], "finite target values");
        if (objective == GbtObjective::binary_logistic && y[i] != 0.0 && y[i] != 1.0)
            throw invalid_parameter(std::string(yname) + "[" + std::to_string(i) + "]", y[i], "0 or 1 (binary labels)");
    }
    for (Eigen::Index c = 0; c < X.cols(); ++c)
        for (Eigen::Index r = 0; r < X.rows(); ++r)
            if (std::isinf(X(r, c)))
                throw invalid_parameter(std::string(xname) + "(" + std::to_string(r) + ", " + std::to_string(c) + ")", X(r, c),
                                        "finite feature values or NaN (missing)");
}

inline GradPair gradient(GbtObjective o, double slope, double margin, double y) noexcept {
    switch (o) {
        case GbtObjective::squared_error: return {margin - y, 1.0};
        case GbtObjective::binary_logistic: {
            const double p = 1.0 / (1.0 + std::exp(-margin));
            return {p - y, std::max(p * (1.0 - p), 1e-16)};
        }
        case GbtObjective::pseudo_huber: {
            const double z = margin - y;
            const double s = 1.0 + (z / slope) * (z / slope);
            const double sq = std::sqrt(s);
            return {z / sq, 1.0 / (s * sq)};
        }
    }
    return {};
}

/// Mean loss: rmse, logloss or mean pseudo-Huber error.
inline double eval_metric(GbtObjective o, double slope, const std::vector<double>& margin, std::span<const double> y) {
    double s = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double m = margin[i];
        switch (o) {
            case GbtObjective::squared_error: s += (m - y[i]) * (m - y[i]); break;
            case GbtObjective::binary_logistic: {
                const double p = std::clamp(1.0 / (1.0 + std::exp(-m)), 1e-16, 1.0 - 1e-16);
                s -= y[i] > 0.5 ? std::log(p) : std::log(1.0 - p);
                break;
            }
            case GbtObjective::pseudo_huber: {
                const double z = (m - y[i]) / slope;
                s += slope * slope * (std::sqrt(1.0 + z * z) - 1.0);
                break;
            }
        }
    }
    s /= static_cast<double>(std::max<std::size_t>(1, y.size()));
    return o == GbtObjective::squared_error ? std::sqrt(s) : s;
}

inline double base_margin_of(const GbtOptions& o, std::span<const double> y) {
    if (o.objective == GbtObjective::binary_logistic) {
        double p = o.base_score ? *o.base_score : 0.0;
        if (!o.base_score) {
            for (double v : y) p += v;
            p /= static_cast<double>(y.size());
            p = std::clamp(p, 1e-6, 1.0 - 1e-6);
        }
        return std::log(p / (1.0 - p));
    }
    if (o.base_score) return *o.base_score;
    if (o.objective == GbtObjective::pseudo_huber) {
        std::vector<double> v(y.begin(), y.end());
        const std::size_t mid = v.size() / 2;
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
        double med = v[mid];
        if (v.size() % 2 == 0) med = (med + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid))) / 2.0;
        return med;
    }
    double s = 0.0;
    for (double v : y) s += v;
    return s / static_cast<double>(y.size());
}

inline GbtModel fit_gbt(const Eigen::Ref<const Eigen::MatrixXd>& X, std::span<const double> y,
                        const Eigen::MatrixXd* X_val, std::span<const double> y_val, const GbtOptions& o) {
    validate_options(o);
    if (X.rows() == 0) throw invalid_parameter("X", "0 rows", "at least one training row");
    if (X.cols() == 0 || X.cols() > 65535) throw invalid_parameter("X", std::to_string(X.cols()) + " columns", "[1, 65535] columns");
    if (X.rows() > std::numeric_limits<std::int32_t>::max()) throw invalid_parameter("X", "too many rows", "< 2^31 rows");
    const auto F = static_cast<std::size_t>(X.cols());
    validate_data(X, y, "X", "y", F, o.objective);
    if (X_val) validate_data(*X_val, y_val, "X_val", "y_val", F, o.objective);
    if (o.early_stopping_rounds > 0 && !X_val)
        throw invalid_parameter("early_stopping_rounds", o.early_stopping_rounds, "0 without a validation set");
    if (!o.feature_names.empty() && o.feature_names.size() != F)
        throw shape_mismatch("feature_names vs columns of X", F, o.feature_names.size());
    const int threads = resolve_threads(o.num_threads);
    const auto n = static_cast<std::size_t>(X.rows());

    const Binned B = bin_matrix(X.data(), n, F, X.outerStride(), o.max_bins, threads);
    SplitParams p;
    p.lambda = o.reg_lambda;
    p.alpha = o.reg_alpha;
    p.gamma = o.gamma;
    p.min_child_weight = o.min_child_weight;
    p.eta = o.learning_rate;
    p.max_depth = o.max_depth;
    p.max_leaves = o.max_leaves;
    p.lossguide = o.grow_policy == GbtGrowPolicy::lossguide;
    p.colsample_bynode = o.colsample_bynode;

    GbtModel model;
    GbtAccess::n_features(model) = F;
    GbtAccess::objective(model) = o.objective;
    GbtAccess::huber_slope(model) = o.huber_slope;
    GbtAccess::feature_names(model) = o.feature_names;
    const double base = base_margin_of(o, y);
    GbtAccess::base_margin(model) = base;
    auto& params = GbtAccess::params(model);
    params["n_estimators"] = o.n_estimators;
    params["learning_rate"] = o.learning_rate;
    params["max_depth"] = o.max_depth;
    params["max_leaves"] = o.max_leaves;
    params["grow_policy"] = p.lossguide ? "lossguide" : "depthwise";
    params["max_bins"] = o.max_bins;
    params["reg_lambda"] = o.reg_lambda;
    params["reg_alpha"] = o.reg_alpha;
    params["gamma"] = o.gamma;
    params["min_child_weight"] = o.min_child_weight;
    params["subsample"] = o.subsample;
    params["colsample_bytree"] = o.colsample_bytree;
    params["colsample_bynode"] = o.colsample_bynode;
    params["early_stopping_rounds"] = o.early_stopping_rounds;
    params["seed"] = o.seed;

    std::vector<double> margin(n, base);
    std::vector<RowGrad> gh(n);
    std::vector<std::uint32_t> rows;
    rows.reserve(n);
    Rng rng(o.seed);
    TreeBuilder builder(B, p, threads);
    auto& trees = GbtAccess::trees(model);
    auto& history = GbtAccess::eval_history(model);

    // validation rows, row-major, and their margins
    std::vector<double> val_rows, val_margin;
    std::size_t n_val = 0;
    if (X_val) {
        n_val = static_cast<std::size_t>(X_val->rows());
        val_rows.resize(n_val * F);
        for (std::size_t r = 0; r < n_val; ++r)
            for (std::size_t f = 0; f < F; ++f)
                val_rows[r * F + f] = (*X_val)(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(f));
        val_margin.assign(n_val, base);
    }
    double best_score = std::numeric_limits<double>::infinity();
    int best_round = -1;
    std::vector<int> all_features(F);
    std::iota(all_features.begin(), all_features.end(), 0);
    std::vector<char> sampled(n, 1);

    for (int round = 0; round < o.n_estimators; ++round) {
        const std::size_t grad_cost = o.objective == GbtObjective::squared_error ? 1 : 16;
        run_tasks(threads, (n + 4095) / 4096, [&](std::size_t blk) {
            const std::size_t end = std::min(n, (blk + 1) * 4096);
            for (std::size_t i = blk * 4096; i < end; ++i) {
                const GradPair g = gradient(o.objective, o.huber_slope, margin[i], y[i]);
                gh[i] = {static_cast<float>(g.g), static_cast<float>(g.h)};
            }
        }, n * grad_cost);
        rows.clear();
        if (o.subsample < 1.0) {
            for (std::size_t i = 0; i < n; ++i) {
                sampled[i] = rng.uniform() < o.subsample ? 1 : 0;
                if (sampled[i]) rows.push_back(static_cast<std::uint32_t>(i));
            }
        } else {
            for (std::size_t i = 0; i < n; ++i) rows.push_back(static_cast<std::uint32_t>(i));
        }
        std::vector<int> features = all_features;
        if (o.colsample_bytree < 1.0) {
            const auto k = std::max<std::size_t>(1, static_cast<std::size_t>(o.colsample_bytree * static_cast<double>(F)));
            for (std::size_t i = 0; i < k && i + 1 < F; ++i) std::swap(features[i], features[i + rng.below(F - i)]);
            features.resize(k);
            std::sort(features.begin(), features.end());
        }
        Tree tree = builder.grow(gh.data(), rows, features, rng);
        // training margins: leaf ranges for the rows that grew the tree, traversal for the rest
        const auto& leaves = builder.leaf_ranges();
        run_tasks(threads, leaves.size(), [&](std::size_t li) {
            const auto& lr = leaves[li];
            const Node& node = tree.nodes[static_cast<std::size_t>(lr.node)];
            if (!lr.split) {
                const double v = node.threshold;
                for (std::uint32_t i = lr.begin; i < lr.end; ++i) margin[rows[i]] += v;
                return;
            }
            // a split whose children are leaves: route each row by its bin
            const std::size_t f = node.feature;
            const int split = builder.split_bins()[static_cast<std::size_t>(lr.node)];
            const int missing = B.n_bins(f);
            const bool dl = node.default_left != 0;
            const double lv = tree.nodes[static_cast<std::size_t>(node.left)].threshold;
            const double rv = tree.nodes[static_cast<std::size_t>(node.left) + 1].threshold;
            const std::uint8_t* col = B.bins.data() + f;
            for (std::uint32_t i = lr.begin; i < lr.end; ++i) {
                const std::uint32_t r = rows[i];
                const int b = col[static_cast<std::size_t>(r) * F];
                margin[r] += ((b <= split) | (dl & (b == missing))) ? lv : rv;
            }
        }, rows.size());
        if (o.subsample < 1.0) {
            const auto& sb = builder.split_bins();
            run_tasks(threads, (n + 4095) / 4096, [&](std::size_t blk) {
                const std::size_t end = std::min(n, (blk + 1) * 4096);
                for (std::size_t i = blk * 4096; i < end; ++i)
                    if (!sampled[i])
                        margin[i] += tree.nodes[static_cast<std::size_t>(leaf_of_binned(tree, sb, B, B.bins.data() + i * F))].threshold;
            }, n * 8);
        }
        if (X_val) {
            run_tasks(threads, (n_val + 4095) / 4096, [&](std::size_t blk) {
                const std::size_t end = std::min(n_val, (blk + 1) * 4096);
                for (std::size_t i = blk * 4096; i < end; ++i)
                    val_margin[i] += tree.nodes[static_cast<std::size_t>(tree.leaf_of(val_rows.data() + i * F))].threshold;
            }, n_val * 8);
        }
        trees.push_back(std::move(tree));
        if (X_val) {
            const double score = eval_metric(o.objective, o.huber_slope, val_margin, y_val);
            history.push_back(score);
            if (score < best_score) {
                best_score = score;
                best_round = round;
            }
            if (o.early_stopping_rounds > 0 && round - best_round >= o.early_stopping_rounds) break;
        }
    }
    if (X_val && o.early_stopping_rounds > 0) {
        trees.resize(static_cast<std::size_t>(best_round + 1));
        GbtAccess::best_iteration(model) = best_round;
    } else {
        GbtAccess::best_iteration(model) = X_val ? best_round : static_cast<int>(trees.size()) - 1;
    }
    GbtAccess::finalize(model);
    return model;
}

inline GbtOptions regressor_options(GbtOptions o) {
    if (o.objective == GbtObjective::binary_logistic)
        throw invalid_parameter("objective", "binary_logistic", "squared_error or pseudo_huber for a regressor");
    return o;
}
inline GbtOptions classifier_options(GbtOptions o) {
    if (o.objective == GbtObjective::pseudo_huber)
        throw invalid_parameter("objective", "pseudo_huber", "binary_logistic for a classifier");
    o.objective = GbtObjective::binary_logistic;
    return o;
}

}  // namespace detail

/// Fits a regressor (squared_error or pseudo_huber) on X (rows x features; NaN = missing) and
/// finite targets y. Throws invalid_parameter (bad option, non-finite target or infinite
/// feature, naming it and the row), shape_mismatch (rows of X vs length of y).
inline GbtModel fit_gbt_regressor(const Eigen::Ref<const Eigen::MatrixXd>& X, std::span<const double> y,
                                  const GbtOptions& options = {}) {
    return detail::fit_gbt(X, y, nullptr, {}, detail::regressor_options(options));
}

/// As above with a validation set: its metric is recorded every round (eval_history) and drives
/// early stopping when options.early_stopping_rounds > 0.
inline GbtModel fit_gbt_regressor(const Eigen::Ref<const Eigen::MatrixXd>& X, std::span<const double> y,
                                  const Eigen::MatrixXd& X_val, std::span<const double> y_val,
                                  const GbtOptions& options = {}) {
    return detail::fit_gbt(X, y, &X_val, y_val, detail::regressor_options(options));
}

/// Fits a binary classifier (binary_logistic) on labels y in {0, 1}.
inline GbtModel fit_gbt_classifier(const Eigen::Ref<const Eigen::MatrixXd>& X, std::span<const double> y,
                                   const GbtOptions& options = {}) {
    return detail::fit_gbt(X, y, nullptr, {}, detail::classifier_options(options));
}

/// As above with a validation set (logloss history, early stopping).
inline GbtModel fit_gbt_classifier(const Eigen::Ref<const Eigen::MatrixXd>& X, std::span<const double> y,
                                   const Eigen::MatrixXd& X_val, std::span<const double> y_val,
                                   const GbtOptions& options = {}) {
    return detail::fit_gbt(X, y, &X_val, y_val, detail::classifier_options(options));
}

}  // namespace musiclab::trees
