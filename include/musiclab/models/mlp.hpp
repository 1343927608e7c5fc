// musiclab::models::MLPRegressor — a multi-layer perceptron regressor as scikit-learn 1.2.1's
// MLPRegressor (solver "adam"), as models::Regressor (estimator.hpp).
//
//     musiclab::models::MLPRegressor mlp;            // hidden_layer_sizes = {100}, relu, adam
//     mlp.set_param("early_stopping", 1.0);
//     mlp.fit(X, y).predict(X_test);
//     mlp.loss_curve(); mlp.best_loss(); mlp.validation_scores(); mlp.n_iter();
//
// Math (sklearn's _multilayer_perceptron.py / _stochastic_optimizers.py step for step):
// layers a_0 = X_batch, a_{l+1} = f(a_l W_l + b_l) with f = relu | tanh | logistic | identity on the
// hidden layers and identity on the output. Init: W_l, b_l ~ U(-r, r), r = sqrt(6 / (fan_in +
// fan_out)) (factor 2 instead of 6 for logistic). Batch loss (batch of n_b rows):
// L = mean((y - out)^2) / 2 + alpha / (2 n_b) * sum_l ||W_l||_F^2; its gradient by back-propagation
// (dW_l = (a_l^T delta_l + alpha W_l) / n_b, db_l = mean(delta_l)). Adam: m = b1 m + (1-b1) g,
// v = b2 v + (1-b2) g^2, lr_t = lr sqrt(1 - b2^t) / (1 - b1^t), w -= lr_t m / (sqrt(v) + eps).
// An epoch shuffles the rows (shuffle = true) and walks batches of batch_size (default
// min(200, n)); loss_curve holds the row-weighted mean batch loss of each epoch. Stopping: the
// epoch counts as "no improvement" when loss > best_loss - tol (early_stopping: validation R2 <
// best + tol, on a validation_fraction of the rows held out); stop when that count exceeds
// n_iter_no_change, or after max_iter epochs. With early_stopping the weights of the best
// validation epoch are kept.
// Parameters: sklearn's names and defaults; hidden_layer_sizes as a number (one layer) or a text
// "100,50"; batch_size "auto" (held as 0 in the options); booleans 0/1; solver "adam" only. Plus num_threads (Eigen's
// GEMM threads, only with OpenMP; the default 1).
// Deviation: random numbers come from musiclab::Rng (xoshiro256**) seeded by random_state (default
// 0), not numpy's MT19937, so the initial weights, the shuffles and the validation split differ
// from sklearn's for the same seed (the distributions are the same); results agree with sklearn
// statistically, not bit for bit. Given sklearn's draws (initial weights, validation split, batch
// orders), detail::mlp_train reproduces its loss curve, validation scores, stopping epoch and
// weights to ~1e-14 (tests/test_models_mlp.cpp, docs/models-knn-mlp.md).
// Complexity: per epoch O(n sum_l fan_in_l fan_out_l) (GEMMs); memory O(batch * width + weights).
// Thread safety: fit mutates; predict is const and safe to call concurrently. Deterministic: same
// data, parameters, random_state and num_threads give the same model (Eigen's threaded GEMM may
// round differently from the single-threaded one, so results can depend on num_threads).
#pragma once

#include "../core/error.hpp"
#include "../core/random.hpp"
#include "estimator.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <charconv>
#include <system_error>
#include <variant>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

namespace musiclab::models {

/// Hyper-parameters of MLPRegressor (sklearn 1.2.1 names and defaults).
struct MLPRegressorOptions {
    std::vector<int> hidden_layer_sizes{100};
    std::string activation = "relu";  ///< relu | tanh | logistic | identity
    std::string solver = "adam";      ///< adam only
    double alpha = 1e-4;
    int batch_size = 0;               ///< 0 = "auto" = min(200, n)
    double learning_rate_init = 1e-3;
    int max_iter = 200;
    bool shuffle = true;
    long long random_state = 0;
    double tol = 1e-4;
    bool early_stopping = false;
    double validation_fraction = 0.1;
    double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-8;
    int n_iter_no_change = 10;
    int num_threads = 1;
};

namespace detail {
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
enum class MlpActivation { relu, tanh, logistic, identity };
struct MlpWeights {
    std::vector<RowMatrix> W;            // fan_in x fan_out
    std::vector<Eigen::RowVectorXd> b;   // fan_out
};
}  // namespace detail

class MLPRegressor {
public:
    MLPRegressorOptions options;

    MLPRegressor() = default;
    explicit MLPRegressor(MLPRegressorOptions o) : options(std::move(o)) {}

    MLPRegressor& fit(const MatrixRef& X, const VectorRef& y);
    Vector predict(const MatrixRef& X) const;

    void set_param(std::string_view name, const ParamValue& v);
    Params get_params() const;
    std::string name() const { return "MLPRegressor"; }

    int n_iter() const { return fitted_ ? n_iter_ : (throw not_fitted(name()), 0); }
    const std::vector<double>& loss_curve() const { return fitted_ ? loss_curve_ : (throw not_fitted(name()), loss_curve_); }
    /// The last epoch's training loss (sklearn's loss_).
    double loss() const { return fitted_ ? loss_curve_.back() : (throw not_fitted(name()), 0.0); }
    /// Smallest training loss (early_stopping = false; NaN otherwise, sklearn: None).
    double best_loss() const { return fitted_ ? best_loss_ : (throw not_fitted(name()), 0.0); }
    /// Validation R2 per epoch (early_stopping = true; empty otherwise).
    const std::vector<double>& validation_scores() const { return fitted_ ? validation_scores_ : (throw not_fitted(name()), validation_scores_); }
    double best_validation_score() const { return fitted_ ? best_validation_score_ : (throw not_fitted(name()), 0.0); }
    /// Weights (fan_in x fan_out) and biases per layer (sklearn's coefs_ / intercepts_).
    const std::vector<detail::RowMatrix>& coefs() const { return fitted_ ? w_.W : (throw not_fitted(name()), w_.W); }
    const std::vector<Eigen::RowVectorXd>& intercepts() const { return fitted_ ? w_.b : (throw not_fitted(name()), w_.b); }

private:
    void check_options_() const;
    detail::MlpWeights w_;
    std::vector<double> loss_curve_, validation_scores_;
    double best_loss_ = 0.0, best_validation_score_ = 0.0;
    int n_iter_ = 0;
    Eigen::Index n_features_ = 0;
    bool fitted_ = false;
};

}  // namespace musiclab::models

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::models::detail {

inline MlpActivation mlp_activation(const std::string& s) {
    if (s == "relu") return MlpActivation::relu;
    if (s == "tanh") return MlpActivation::tanh;
    if (s == "logistic") return MlpActivation::logistic;
    if (s == "identity") return MlpActivation::identity;
    throw invalid_parameter("activation", s, "relu, tanh, logistic, identity");
}

/// sklearn's _init_coef per layer: W then b from U(-r, r), layer by layer.
inline MlpWeights mlp_init(const std::vector<int>& sizes, MlpActivation act, Rng& rng) {
    MlpWeights w;
    const double factor = act == MlpActivation::logistic ? 2.0 : 6.0;
    for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
        const int fi = sizes[l], fo = sizes[l + 1];
        const double r = std::sqrt(factor / double(fi + fo));
        RowMatrix W(fi, fo);
        for (Eigen::Index i = 0; i < W.size(); ++i) W.data()[i] = rng.uniform(-r, r);
        Eigen::RowVectorXd b(fo);
        for (Eigen::Index i = 0; i < fo; ++i) b[i] = rng.uniform(-r, r);
        w.W.push_back(std::move(W));
        w.b.push_back(std::move(b));
    }
    return w;
}

inline void mlp_apply(MlpActivation act, RowMatrix& z) {
    switch (act) {
    case MlpActivation::relu: z = z.cwiseMax(0.0); break;
    case MlpActivation::tanh: z = z.array().tanh().matrix(); break;
    case MlpActivation::logistic: z = (1.0 / (1.0 + (-z.array()).exp())).matrix(); break;
    case MlpActivation::identity: break;
    }
}

/// delta *= f'(z) expressed through the activation a = f(z) (sklearn's inplace_derivative).
inline void mlp_derivative(MlpActivation act, const RowMatrix& a, RowMatrix& delta) {
    switch (act) {
    case MlpActivation::relu: delta = (a.array() == 0.0).select(0.0, delta.array()).matrix(); break;
    case MlpActivation::tanh: delta.array() *= 1.0 - a.array().square(); break;
    case MlpActivation::logistic: delta.array() *= a.array() * (1.0 - a.array()); break;
    case MlpActivation::identity: break;
    }
}

/// Forward pass: acts[0] = X, acts[l+1] = layer outputs (output layer identity).
inline void mlp_forward(const MlpWeights& w, MlpActivation act, std::vector<RowMatrix>& acts) {
    const std::size_t L = w.W.size();
    acts.resize(L + 1);
    for (std::size_t l = 0; l < L; ++l) {
        acts[l + 1].noalias() = acts[l] * w.W[l];
        acts[l + 1].rowwise() += w.b[l];
        if (l + 1 < L) mlp_apply(act, acts[l + 1]);
    }
}

/// sklearn's _backprop: the batch loss and its gradient (gW, gb) at w; acts[0] must hold X_batch.
inline double mlp_loss_grad(const MlpWeights& w, MlpActivation act, double alpha, const Eigen::VectorXd& y, std::vector<RowMatrix>& acts,
                            std::vector<RowMatrix>& deltas, MlpWeights& g) {
    mlp_forward(w, act, acts);
    const std::size_t L = w.W.size();
    const double n = static_cast<double>(y.size());
    const auto out = acts[L].col(0);
    double loss = (y - out).squaredNorm() / n / 2.0;
    double values = 0.0;
    for (const auto& W : w.W) values += W.squaredNorm();
    loss += 0.5 * alpha * values / n;
    deltas.resize(L);
    g.W.resize(L);
    g.b.resize(L);
    deltas[L - 1] = out - y;
    for (std::size_t l = L; l-- > 0;) {
        g.W[l].noalias() = acts[l].transpose() * deltas[l];
        g.W[l] += alpha * w.W[l];
        g.W[l] /= n;
        g.b[l] = deltas[l].colwise().mean();
        if (l > 0) {
            deltas[l - 1].noalias() = deltas[l] * w.W[l].transpose();
            mlp_derivative(act, acts[l], deltas[l - 1]);
        }
    }
    return loss;
}

/// sklearn's AdamOptimizer over every weight and bias.
struct MlpAdam {
    double lr, b1, b2, eps;
    int t = 0;
    MlpWeights m, v;
    MlpAdam(const MlpWeights& w, double lr_, double b1_, double b2_, double eps_) : lr(lr_), b1(b1_), b2(b2_), eps(eps_) {
        for (const auto& W : w.W) {
            m.W.push_back(RowMatrix::Zero(W.rows(), W.cols()));
            v.W.push_back(RowMatrix::Zero(W.rows(), W.cols()));
        }
        for (const auto& b : w.b) {
            m.b.push_back(Eigen::RowVectorXd::Zero(b.size()));
            v.b.push_back(Eigen::RowVectorXd::Zero(b.size()));
        }
    }
    template <class P, class G, class M>
    void step_(P& p, const G& g, M& mm, M& vv, double lr_t) const {
        mm = b1 * mm + (1.0 - b1) * g;
        vv = b2 * vv + (1.0 - b2) * g.cwiseAbs2();
        p.array() += -lr_t * mm.array() / (vv.array().sqrt() + eps);
    }
    void update(MlpWeights& w, const MlpWeights& g) {
        ++t;
        const double lr_t = lr * std::sqrt(1.0 - std::pow(b2, t)) / (1.0 - std::pow(b1, t));
        for (std::size_t l = 0; l < w.W.size(); ++l) step_(w.W[l], g.W[l], m.W[l], v.W[l], lr_t);
        for (std::size_t l = 0; l < w.b.size(); ++l) step_(w.b[l], g.b[l], m.b[l], v.b[l], lr_t);
    }
};

/// Predictions of the network for the rows of X (row-major).
inline Eigen::VectorXd mlp_predict(const MlpWeights& w, MlpActivation act, const RowMatrix& X) {
    std::vector<RowMatrix> acts(1);
    acts[0] = X;
    mlp_forward(w, act, acts);
    return acts.back().col(0);
}

inline double mlp_r2(const Eigen::VectorXd& y, const Eigen::VectorXd& p) {
    const double ss_res = (y - p).squaredNorm();
    const double ss_tot = (y.array() - y.mean()).matrix().squaredNorm();
    if (ss_tot == 0.0) return ss_res == 0.0 ? 1.0 : 0.0;  // sklearn's r2_score convention
    return 1.0 - ss_res / ss_tot;
}

inline std::string mlp_sizes_text(const std::vector<int>& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i) out += ",";
        out += std::to_string(s[i]);
    }
    return out;
}


/// What the epoch loop produced (sklearn's loss_curve_, validation_scores_, best_loss_,
/// best_validation_score_, n_iter_ and the final coefs_ / intercepts_).
struct MlpTrained {
    MlpWeights w;
    std::vector<double> loss_curve, validation_scores;
    double best_loss = 0.0, best_validation_score = 0.0;
    int n_iter = 0;
};

/// sklearn's _fit_stochastic with the adam solver, from the initial weights w: epochs over the
/// training rows (Xt, yt) in batches, validating on (Xv, yv) when o.early_stopping. At the start
/// of every epoch (when o.shuffle) next_order(epoch, idx) permutes the batch order idx, a
/// permutation of 0 .. n-1 kept from epoch to epoch (sklearn's sample_idx). MLPRegressor::fit
/// shuffles with its Rng; tests replay scikit-learn's recorded permutations through it.
template <class NextOrder>
MlpTrained mlp_train(MlpWeights w, MlpActivation act, const MLPRegressorOptions& o, const RowMatrix& Xt, const Eigen::VectorXd& yt,
                     const RowMatrix& Xv, const Eigen::VectorXd& yv, NextOrder&& next_order) {
    const Eigen::Index n = Xt.rows();
    const Eigen::Index bs = o.batch_size == 0 ? std::min<Eigen::Index>(200, n) : std::clamp<Eigen::Index>(o.batch_size, 1, n);
    MlpAdam adam(w, o.learning_rate_init, o.beta_1, o.beta_2, o.epsilon);
    std::vector<Eigen::Index> idx(static_cast<std::size_t>(n));
    std::iota(idx.begin(), idx.end(), Eigen::Index{0});
    std::vector<RowMatrix> acts(1), deltas;
    MlpWeights g, best;
    Eigen::VectorXd yb;
    MlpTrained r;
    r.best_loss = o.early_stopping ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
    r.best_validation_score = o.early_stopping ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
    int no_improvement = 0;
    for (int it = 0; it < o.max_iter; ++it) {
        if (o.shuffle) next_order(it, idx);
        double accumulated = 0.0;
        for (Eigen::Index start = 0; start < n; start += bs) {
            const Eigen::Index len = std::min(bs, n - start);
            acts[0].resize(len, Xt.cols());
            yb.resize(len);
            for (Eigen::Index k = 0; k < len; ++k) {
                const Eigen::Index src = idx[static_cast<std::size_t>(start + k)];
                acts[0].row(k) = Xt.row(src);
                yb[k] = yt[src];
            }
            const double batch_loss = mlp_loss_grad(w, act, o.alpha, yb, acts, deltas, g);
            accumulated += batch_loss * double(len);
            adam.update(w, g);
        }
        ++r.n_iter;
        const double epoch_loss = accumulated / double(n);
        r.loss_curve.push_back(epoch_loss);
        if (o.early_stopping) {
            const double score = mlp_r2(yv, mlp_predict(w, act, Xv));
            r.validation_scores.push_back(score);
            if (score < r.best_validation_score + o.tol) ++no_improvement;
            else no_improvement = 0;
            if (score > r.best_validation_score) {
                r.best_validation_score = score;
                best = w;
            }
        } else {
            if (epoch_loss > r.best_loss - o.tol) ++no_improvement;
            else no_improvement = 0;
            if (epoch_loss < r.best_loss) r.best_loss = epoch_loss;
        }
        if (!std::isfinite(epoch_loss)) break;  // diverged (sklearn keeps going with NaN weights)
        if (no_improvement > o.n_iter_no_change) break;
    }
    r.w = o.early_stopping && !best.W.empty() ? std::move(best) : std::move(w);
    return r;
}

}  // namespace musiclab::models::detail

namespace musiclab::models {

inline Params MLPRegressor::get_params() const {
    const auto& o = options;
    return {{"hidden_layer_sizes", detail::mlp_sizes_text(o.hidden_layer_sizes)},
            {"activation", o.activation},
            {"solver", o.solver},
            {"alpha", o.alpha},
            {"batch_size", o.batch_size == 0 ? ParamValue(std::string("auto")) : ParamValue(double(o.batch_size))},
            {"learning_rate_init", o.learning_rate_init},
            {"max_iter", double(o.max_iter)},
            {"shuffle", o.shuffle ? 1.0 : 0.0},
            {"random_state", double(o.random_state)},
            {"tol", o.tol},
            {"early_stopping", o.early_stopping ? 1.0 : 0.0},
            {"validation_fraction", o.validation_fraction},
            {"beta_1", o.beta_1},
            {"beta_2", o.beta_2},
            {"epsilon", o.epsilon},
            {"n_iter_no_change", double(o.n_iter_no_change)},
            {"num_threads", double(o.num_threads)}};
}

inline void MLPRegressor::set_param(std::string_view name, const ParamValue& v) {
    auto& o = options;
    const auto positive = [&](double d) {
        if (!(d > 0.0)) throw invalid_parameter(std::string(name), d, "> 0");
        return d;
    };
    if (name == "hidden_layer_sizes") {
        std::vector<int> sizes;
        if (std::holds_alternative<double>(v)) sizes.push_back(int(detail::param_int(name, v, 1, 1 << 24)));
        else {
            const std::string& s = std::get<std::string>(v);
            std::size_t i = 0;
            while (i <= s.size()) {
                const std::size_t j = std::min(s.find(',', i), s.size());
                const std::string part = s.substr(i, j - i);
                int val = 0;
                const auto r = std::from_chars(part.data(), part.data() + part.size(), val);
                if (part.empty() || r.ec != std::errc() || r.ptr != part.data() + part.size() || val < 1)
                    throw invalid_parameter("hidden_layer_sizes", s, "positive layer sizes separated by commas, e.g. 100,50");
                sizes.push_back(val);
                i = j + 1;
            }
        }
        o.hidden_layer_sizes = sizes;
    } else if (name == "activation") {
        const auto s = detail::param_name(name, v, "relu, tanh, logistic, identity");
        (void)detail::mlp_activation(s);
        o.activation = s;
    } else if (name == "solver") {
        const auto s = detail::param_name(name, v, "adam");
        if (s != "adam") throw invalid_parameter("solver", s, "adam (the only solver implemented)");
        o.solver = s;
    } else if (name == "alpha") {
        const double d = detail::param_number(name, v);
        if (d < 0.0) throw invalid_parameter("alpha", d, ">= 0");
        o.alpha = d;
    } else if (name == "batch_size") {
        if (const auto* s = std::get_if<std::string>(&v); s && *s == "auto") o.batch_size = 0;
        else o.batch_size = int(detail::param_int(name, v, 1, 1LL << 30));
    } else if (name == "learning_rate_init") o.learning_rate_init = positive(detail::param_number(name, v));
    else if (name == "max_iter") o.max_iter = int(detail::param_int(name, v, 1, 1LL << 30));
    else if (name == "shuffle") o.shuffle = detail::param_int(name, v, 0, 1) != 0;
    else if (name == "random_state") o.random_state = detail::param_int(name, v, 0);
    else if (name == "tol") {
        const double d = detail::param_number(name, v);
        if (d < 0.0) throw invalid_parameter("tol", d, ">= 0");
        o.tol = d;
    } else if (name == "early_stopping") o.early_stopping = detail::param_int(name, v, 0, 1) != 0;
    else if (name == "validation_fraction") {
        const double d = detail::param_number(name, v);
        if (!(d > 0.0 && d < 1.0)) throw invalid_parameter("validation_fraction", d, "in (0, 1)");
        o.validation_fraction = d;
    } else if (name == "beta_1" || name == "beta_2") {
        const double d = detail::param_number(name, v);
        if (!(d >= 0.0 && d < 1.0)) throw invalid_parameter(std::string(name), d, "in [0, 1)");
        (name == "beta_1" ? o.beta_1 : o.beta_2) = d;
    } else if (name == "epsilon") o.epsilon = positive(detail::param_number(name, v));
    else if (name == "n_iter_no_change") o.n_iter_no_change = int(detail::param_int(name, v, 1, 1LL << 30));
    else if (name == "num_threads") o.num_threads = int(detail::param_int(name, v, 0, 1 << 20));
    else throw unknown_name("parameter", std::string(name), "MLPRegressor");
}

inline void MLPRegressor::check_options_() const {
    const auto& o = options;
    if (o.hidden_layer_sizes.empty()) throw invalid_parameter("hidden_layer_sizes", std::string("()"), "at least one layer");
    for (std::size_t i = 0; i < o.hidden_layer_sizes.size(); ++i)
        if (o.hidden_layer_sizes[i] < 1)
            throw invalid_parameter("hidden_layer_sizes", std::string("layer ") += std::to_string(i) += " = " + std::to_string(o.hidden_layer_sizes[i]), ">= 1");
    (void)detail::mlp_activation(o.activation);
    if (o.solver != "adam") throw invalid_parameter("solver", o.solver, "adam (the only solver implemented)");
    if (!(o.alpha >= 0.0)) throw invalid_parameter("alpha", o.alpha, ">= 0");
    if (o.batch_size < 0) throw invalid_parameter("batch_size", double(o.batch_size), ">= 1 (or 0 = auto)");
    if (!(o.learning_rate_init > 0.0)) throw invalid_parameter("learning_rate_init", o.learning_rate_init, "> 0");
    if (o.max_iter < 1) throw invalid_parameter("max_iter", double(o.max_iter), ">= 1");
    if (!(o.tol >= 0.0)) throw invalid_parameter("tol", o.tol, ">= 0");
    if (!(o.validation_fraction > 0.0 && o.validation_fraction < 1.0)) throw invalid_parameter("validation_fraction", o.validation_fraction, "in (0, 1)");
    if (!(o.beta_1 >= 0.0 && o.beta_1 < 1.0)) throw invalid_parameter("beta_1", o.beta_1, "in [0, 1)");
    if (!(o.beta_2 >= 0.0 && o.beta_2 < 1.0)) throw invalid_parameter("beta_2", o.beta_2, "in [0, 1)");
    if (!(o.epsilon > 0.0)) throw invalid_parameter("epsilon", o.epsilon, "> 0");
    if (o.n_iter_no_change < 1) throw invalid_parameter("n_iter_no_change", double(o.n_iter_no_change), ">= 1");
}

inline MLPRegressor& MLPRegressor::fit(const MatrixRef& X, const VectorRef& y) {
    check_options_();
    detail::check_fit_inputs(X, y, "MLPRegressor");
    const auto& o = options;
    const detail::MlpActivation act = detail::mlp_activation(o.activation);
    Rng rng(static_cast<std::uint64_t>(o.random_state));
    std::vector<int> sizes{int(X.cols())};
    sizes.insert(sizes.end(), o.hidden_layer_sizes.begin(), o.hidden_layer_sizes.end());
    sizes.push_back(1);
    detail::MlpWeights w = detail::mlp_init(sizes, act, rng);

    // rows used for training (and the validation rows with early stopping)
    const Eigen::Index n_all = X.rows();
    std::vector<Eigen::Index> train(static_cast<std::size_t>(n_all));
    std::iota(train.begin(), train.end(), Eigen::Index{0});
    std::vector<Eigen::Index> val;
    if (o.early_stopping) {
        const auto n_val = static_cast<Eigen::Index>(std::ceil(o.validation_fraction * double(n_all)));
        if (n_val < 1 || n_val >= n_all)
            throw invalid_parameter("validation_fraction", o.validation_fraction,
                                    std::string("MLPRegressor: leaves at least one training and one validation row of ") += std::to_string(n_all));
        for (std::size_t i = train.size(); i > 1; --i) std::swap(train[i - 1], train[rng.below(i)]);
        val.assign(train.begin(), train.begin() + n_val);
        train.erase(train.begin(), train.begin() + n_val);
    }
    const auto n = static_cast<Eigen::Index>(train.size());
    detail::RowMatrix Xt(n, X.cols());
    Eigen::VectorXd yt(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        Xt.row(i) = X.row(train[static_cast<std::size_t>(i)]);
        yt[i] = y[train[static_cast<std::size_t>(i)]];
    }
    detail::RowMatrix Xv(static_cast<Eigen::Index>(val.size()), X.cols());
    Eigen::VectorXd yv(static_cast<Eigen::Index>(val.size()));
    for (std::size_t i = 0; i < val.size(); ++i) {
        Xv.row(static_cast<Eigen::Index>(i)) = X.row(val[i]);
        yv[static_cast<Eigen::Index>(i)] = y[val[i]];
    }

#ifdef _OPENMP
    const int eigen_threads = Eigen::nbThreads();
    Eigen::setNbThreads(o.num_threads == 0 ? 0 : o.num_threads);
#endif
    detail::MlpTrained r = detail::mlp_train(std::move(w), act, o, Xt, yt, Xv, yv, [&rng](int, std::vector<Eigen::Index>& idx) {
        for (std::size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[rng.below(i)]);
    });
#ifdef _OPENMP
    Eigen::setNbThreads(eigen_threads);
#endif
    loss_curve_ = std::move(r.loss_curve);
    validation_scores_ = std::move(r.validation_scores);
    best_loss_ = r.best_loss;
    best_validation_score_ = r.best_validation_score;
    n_iter_ = r.n_iter;
    w_ = std::move(r.w);
    n_features_ = X.cols();
    fitted_ = true;
    return *this;
}

inline Vector MLPRegressor::predict(const MatrixRef& X) const {
    detail::check_predict_inputs(X, fitted_, n_features_, "MLPRegressor");
    const detail::MlpActivation act = detail::mlp_activation(options.activation);
    constexpr Eigen::Index block = 4096;
    Vector out(X.rows());
    for (Eigen::Index s = 0; s < X.rows(); s += block) {
        const Eigen::Index len = std::min(block, X.rows() - s);
        const detail::RowMatrix Xb = X.middleRows(s, len);
        out.segment(s, len) = detail::mlp_predict(w_, act, Xb);
    }
    return out;
}

}  // namespace musiclab::models
