// musiclab::models model selection over any Regressor (estimator.hpp): K-fold cross-validation and
// randomized hyper-parameter search, with scikit-learn 1.2.1's folds, scores, candidate draws,
// ranking and best-candidate choice.
//
//     musiclab::models::Ridge ridge;
//     auto cv = musiclab::models::cross_validate(ridge, X, y);              // KFold(5), R², RMSE, ...
//     std::vector<musiclab::models::ParamSearch> space = {
//         {"alpha", musiclab::models::Distribution::loguniform(1e-3, 1e3)}};
//     musiclab::models::SearchOptions so;
//     so.n_iter = 20; so.random_state = 42; so.num_threads = 2;
//     auto search = musiclab::models::randomized_search(ridge, space, X, y, so);
//     search.best_estimator.predict(X_test);                                // refitted on all rows
//
// Parity with scikit-learn (docs/models.md):
// - Folds are KFold(n_splits, shuffle, random_state) fold for fold (encode::kfold_assignment);
//   within a fold the train and test rows are in ascending row order, as sklearn passes them.
//   sklearn's `cv=5` for a regressor is KFold(5) without shuffling, the default here.
// - Candidates are those of RandomizedSearchCV(param_distributions, n_iter, random_state): the
//   same numpy RandomState(random_state) draws in the same order (parameters sorted by name;
//   Distribution::uniform / loguniform / randint are scipy.stats 1.10's uniform(loc, scale),
//   loguniform(a, b), randint(low, high); a choice list is indexed by randint(len)); when every
//   entry is a choice list, the grid (last name varying fastest) is sampled without replacement
//   as sklearn's sample_without_replacement does, and n_iter is cut to the grid size.
// - mean_test_score is the mean over folds, std_test_score the population standard deviation,
//   rank_test_score ranks by mean (ties share the smallest rank), the best candidate is the first
//   of rank 1; it is refitted on all rows (refit = true). Scores are "greater is better" as in
//   sklearn (r2, neg_mean_squared_error, neg_root_mean_squared_error, neg_mean_absolute_error).
//
// Cost: cross_validate fits n_splits models; randomized_search n_iter * n_splits (+1 refit).
// Threads: num_threads workers take (candidate, fold) fits; each fit runs with the estimator's
// own thread setting. Results do not depend on num_threads (each fit sees the same rows in the
// same order); fit and predict times do.
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../encode/folds.hpp"
#include "../metrics/regression.hpp"
#include "estimator.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace musiclab::models {

/// What a fold is scored by; all are "greater is better" (sklearn's scorer names).
enum class Scoring { r2, neg_mean_squared_error, neg_root_mean_squared_error, neg_mean_absolute_error };

/// "r2" | "neg_mean_squared_error" | "neg_root_mean_squared_error" | "neg_mean_absolute_error".
Scoring scoring_from_name(std::string_view name);
std::string scoring_name(Scoring s);
/// The score of a prediction (needs >= 2 rows, finite values).
double score(Scoring s, std::span<const double> y_true, std::span<const double> y_pred);

/// K-fold splitting as sklearn KFold(n_splits, shuffle, random_state).
struct KFoldOptions {
    int n_splits = 5;              ///< 2 <= n_splits <= rows
    bool shuffle = false;          ///< sklearn's default (cv=5 is unshuffled for regressors)
    std::uint32_t random_state = 0;  ///< used when shuffle
};

/// Train and test rows of one fold (ascending row order).
struct Fold {
    std::vector<Eigen::Index> train;
    std::vector<Eigen::Index> test;
};

/// The n_splits folds of n rows.
std::vector<Fold> kfold(std::size_t n, const KFoldOptions& options = {});

/// Options of cross_validate.
struct CrossValidateOptions {
    KFoldOptions cv;
    int num_threads = 1;  ///< folds fitted in parallel; 0 = all hardware threads
};

/// One fold's result: every regression metric on its test rows, and the times (seconds).
struct FoldResult {
    std::size_t n_train = 0;
    std::size_t n_test = 0;
    metrics::RegressionMetrics test;  ///< r2, mse, rmse, mae on the test rows
    double fit_seconds = 0.0;
    double predict_seconds = 0.0;
};

/// The folds of a cross-validation and their means / population standard deviations.
struct CrossValidation {
    std::vector<FoldResult> folds;
    metrics::RegressionMetrics mean() const;
    metrics::RegressionMetrics std() const;
};

/// Fits a copy of `estimator` on each fold's train rows and scores it on the test rows.
template <Regressor E>
CrossValidation cross_validate(const E& estimator, const MatrixRef& X, const VectorRef& y, const CrossValidateOptions& options = {});

/// A distribution to draw one hyper-parameter from (scipy.stats' definitions).
class Distribution {
public:
    /// scipy.stats.uniform(loc, scale): loc + scale * U, U uniform in [0, 1). scale > 0.
    static Distribution uniform(double loc, double scale);
    /// scipy.stats.loguniform(a, b): a (b / a)^U (scipy's inverse cdf). 0 < a < b.
    static Distribution loguniform(double a, double b);
    /// scipy.stats.randint(low, high): a whole number in [low, high). low < high.
    static Distribution randint(long long low, long long high);
    /// A list of values, each equally likely (sklearn's list entries). Not empty.
    static Distribution choice(std::vector<ParamValue> values);

    bool is_choice() const noexcept { return kind_ == Kind::choice; }
    const std::vector<ParamValue>& values() const noexcept { return values_; }

    enum class Kind { uniform, loguniform, randint, choice };
    Kind kind() const noexcept { return kind_; }
    double a() const noexcept { return a_; }
    double b() const noexcept { return b_; }

private:
    Kind kind_ = Kind::choice;
    double a_ = 0.0, b_ = 0.0;
    std::vector<ParamValue> values_;
};

/// One searched hyper-parameter: its name (as set_param takes it) and distribution.
struct ParamSearch {
    std::string name;
    Distribution distribution;
};

/// Options of randomized_search.
struct SearchOptions {
    int n_iter = 10;                 ///< candidates drawn (cut to the grid size for all-choice spaces)
    std::uint32_t random_state = 0;  ///< seed of the candidate draws (numpy RandomState)
    KFoldOptions cv;                 ///< the folds every candidate is scored on
    Scoring scoring = Scoring::r2;
    bool refit = true;               ///< refit the best candidate on all rows
    int num_threads = 1;             ///< (candidate, fold) fits in parallel; 0 = all
};

/// One candidate of a search.
struct Candidate {
    Params params;                   ///< the drawn values, in name order
    std::vector<double> fold_scores; ///< split0_test_score, ...
    double mean_test_score = 0.0;
    double std_test_score = 0.0;
    int rank_test_score = 0;
    double mean_fit_seconds = 0.0;
};

/// The result of randomized_search: every candidate, the best one and (refit) its estimator.
template <Regressor E>
struct SearchResult {
    std::vector<Candidate> candidates;
    std::size_t best_index = 0;
    double best_score = 0.0;
    Params best_params;
    E best_estimator;  ///< the estimator with best_params, fitted on all rows when refit
};

/// The candidates RandomizedSearchCV(space, n_iter, random_state) would try, in its order.
std::vector<Params> sample_parameters(const std::vector<ParamSearch>& space, int n_iter, std::uint32_t random_state);

/// Randomized search with K-fold cross-validation (RandomizedSearchCV).
template <Regressor E>
SearchResult<E> randomized_search(const E& estimator, const std::vector<ParamSearch>& space, const MatrixRef& X, const VectorRef& y,
                                  const SearchOptions& options = {});

}  // namespace musiclab::models

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::models::detail {

/// numpy.random.RandomState(seed) (legacy MT19937) for the draws sklearn / scipy make.
class NumpyRandomState {
public:
    explicit NumpyRandomState(std::uint32_t seed) : mt_(seed) {}
    /// random_sample(): 53 bits from two 32-bit words.
    double random_sample() {
        const auto a = static_cast<std::uint64_t>(mt_() >> 5);
        const auto b = static_cast<std::uint64_t>(mt_() >> 6);
        return (static_cast<double>(a) * 67108864.0 + static_cast<double>(b)) / 9007199254740992.0;
    }
    /// randint(low, high) for int64 (high - low - 1 < 2^32: masked 32-bit draws).
    long long randint(long long low, long long high) {
        return low + static_cast<long long>(musiclab::detail::numpy_random_interval(mt_, static_cast<std::uint64_t>(high - low - 1)));
    }
    /// permutation(n).
    std::vector<std::size_t> permutation(std::size_t n) {
        std::vector<std::size_t> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = i;
        musiclab::detail::numpy_legacy_shuffle(v, mt_);
        return v;
    }
    std::mt19937& engine() noexcept { return mt_; }

private:
    std::mt19937 mt_;
};

/// sklearn.utils.random.sample_without_replacement(n_population, n_samples, "auto", rng).
inline std::vector<std::size_t> sample_without_replacement(std::size_t n_population, std::size_t n_samples, NumpyRandomState& rng) {
    const double ratio = n_population != 0 ? static_cast<double>(n_samples) / static_cast<double>(n_population) : 1.0;
    if (ratio > 0.01 && ratio < 0.99) {
        auto p = rng.permutation(n_population);
        p.resize(n_samples);
        return p;
    }
    std::vector<std::size_t> out(n_samples);
    const auto pop = static_cast<long long>(n_population);
    if (ratio < 0.2) {  // tracking selection
        std::vector<char> taken(n_population, 0);
        for (std::size_t i = 0; i < n_samples; ++i) {
            long long j = rng.randint(0, pop);
            while (taken[static_cast<std::size_t>(j)]) j = rng.randint(0, pop);
            taken[static_cast<std::size_t>(j)] = 1;
            out[i] = static_cast<std::size_t>(j);
        }
    } else {  // reservoir sampling
        for (std::size_t i = 0; i < n_samples; ++i) out[i] = i;
        for (std::size_t i = n_samples; i < n_population; ++i) {
            const auto j = static_cast<std::size_t>(rng.randint(0, static_cast<long long>(i) + 1));
            if (j < n_samples) out[j] = i;
        }
    }
    return out;
}

inline Eigen::MatrixXd take_rows(const MatrixRef& X, const std::vector<Eigen::Index>& rows) {
    Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), X.cols());
    for (Eigen::Index j = 0; j < X.cols(); ++j)
        for (std::size_t i = 0; i < rows.size(); ++i) out(static_cast<Eigen::Index>(i), j) = X(rows[i], j);
    return out;
}

inline Eigen::VectorXd take_rows(const VectorRef& y, const std::vector<Eigen::Index>& rows) {
    Eigen::VectorXd out(static_cast<Eigen::Index>(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) out[static_cast<Eigen::Index>(i)] = y[rows[i]];
    return out;
}

/// Mean and population standard deviation (numpy's mean / std; equal to them up to the order of
/// the additions, i.e. to a few ulps).
inline double numpy_sum(std::span<const double> v) {
    double s = 0.0;
    for (double x : v) s += x;
    return s;
}

inline double numpy_mean(std::span<const double> v) { return numpy_sum(v) / static_cast<double>(v.size()); }

inline double numpy_std(std::span<const double> v) {
    const double m = numpy_mean(v);
    std::vector<double> d(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) d[i] = (v[i] - m) * (v[i] - m);
    return std::sqrt(numpy_sum(d) / static_cast<double>(v.size()));
}

/// Runs fn(task) for tasks 0..n-1 on num_threads workers; rethrows the first exception (by task).
template <class Fn>
void run_tasks(int num_threads, std::size_t n, Fn&& fn) {
    std::vector<std::exception_ptr> errors(n);
    parallelize(resolve_threads(num_threads), n, [&](int, std::size_t start, std::size_t len) {
        for (std::size_t t = start; t < start + len; ++t) {
            try {
                fn(t);
            } catch (...) {
                errors[t] = std::current_exception();
            }
        }
    });
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

using Clock = std::chrono::steady_clock;
inline double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace musiclab::models::detail

namespace musiclab::models {

inline Scoring scoring_from_name(std::string_view name) {
    if (name == "r2") return Scoring::r2;
    if (name == "neg_mean_squared_error") return Scoring::neg_mean_squared_error;
    if (name == "neg_root_mean_squared_error") return Scoring::neg_root_mean_squared_error;
    if (name == "neg_mean_absolute_error") return Scoring::neg_mean_absolute_error;
    throw invalid_parameter("scoring", std::string(name), "r2, neg_mean_squared_error, neg_root_mean_squared_error, neg_mean_absolute_error");
}

inline std::string scoring_name(Scoring s) {
    switch (s) {
    case Scoring::r2: return "r2";
    case Scoring::neg_mean_squared_error: return "neg_mean_squared_error";
    case Scoring::neg_root_mean_squared_error: return "neg_root_mean_squared_error";
    case Scoring::neg_mean_absolute_error: return "neg_mean_absolute_error";
    }
    return "r2";
}

inline double score(Scoring s, std::span<const double> y_true, std::span<const double> y_pred) {
    switch (s) {
    case Scoring::r2: return metrics::r2_score(y_true, y_pred);
    case Scoring::neg_mean_squared_error: return -metrics::mean_squared_error(y_true, y_pred);
    case Scoring::neg_root_mean_squared_error: return -metrics::root_mean_squared_error(y_true, y_pred);
    case Scoring::neg_mean_absolute_error: return -metrics::mean_absolute_error(y_true, y_pred);
    }
    return 0.0;
}

inline std::vector<Fold> kfold(std::size_t n, const KFoldOptions& options) {
    const auto fold_of = encode::kfold_assignment(n, options.n_splits, options.shuffle, options.random_state);
    std::vector<Fold> folds(static_cast<std::size_t>(options.n_splits));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t f = 0; f < folds.size(); ++f)
            (fold_of[i] == f ? folds[f].test : folds[f].train).push_back(static_cast<Eigen::Index>(i));
    return folds;
}

namespace detail {
/// reduce(values) over the folds' test scores, metric by metric.
template <class Reduce>
metrics::RegressionMetrics reduce_folds(const std::vector<FoldResult>& folds, Reduce&& reduce) {
    metrics::RegressionMetrics m;
    if (folds.empty()) return m;
    const auto over = [&](double metrics::RegressionMetrics::*field) {
        std::vector<double> v;
        v.reserve(folds.size());
        for (const auto& f : folds) v.push_back(f.test.*field);
        return reduce(std::span<const double>(v));
    };
    m.r2 = over(&metrics::RegressionMetrics::r2);
    m.mse = over(&metrics::RegressionMetrics::mse);
    m.rmse = over(&metrics::RegressionMetrics::rmse);
    m.mae = over(&metrics::RegressionMetrics::mae);
    return m;
}
}  // namespace detail

inline metrics::RegressionMetrics CrossValidation::mean() const {
    return detail::reduce_folds(folds, [](std::span<const double> v) { return detail::numpy_mean(v); });
}
inline metrics::RegressionMetrics CrossValidation::std() const {
    return detail::reduce_folds(folds, [](std::span<const double> v) { return detail::numpy_std(v); });
}

template <Regressor E>
CrossValidation cross_validate(const E& estimator, const MatrixRef& X, const VectorRef& y, const CrossValidateOptions& options) {
    if (y.size() != X.rows()) throw shape_mismatch("cross_validate: y size (rows of X)", static_cast<std::size_t>(X.rows()), static_cast<std::size_t>(y.size()));
    const auto folds = kfold(static_cast<std::size_t>(X.rows()), options.cv);
    CrossValidation out;
    out.folds.resize(folds.size());
    detail::run_tasks(options.num_threads, folds.size(), [&](std::size_t f) {
        E model = estimator;
        const Eigen::MatrixXd Xtr = detail::take_rows(X, folds[f].train), Xte = detail::take_rows(X, folds[f].test);
        const Eigen::VectorXd ytr = detail::take_rows(y, folds[f].train), yte = detail::take_rows(y, folds[f].test);
        auto t0 = detail::Clock::now();
        model.fit(Xtr, ytr);
        FoldResult& r = out.folds[f];
        r.fit_seconds = detail::seconds_since(t0);
        t0 = detail::Clock::now();
        const Eigen::VectorXd pred = model.predict(Xte);
        r.predict_seconds = detail::seconds_since(t0);
        r.n_train = folds[f].train.size();
        r.n_test = folds[f].test.size();
        r.test = metrics::regression_metrics(std::span<const double>(yte.data(), static_cast<std::size_t>(yte.size())),
                                             std::span<const double>(pred.data(), static_cast<std::size_t>(pred.size())));
    });
    return out;
}

inline Distribution Distribution::uniform(double loc, double scale) {
    if (!std::isfinite(loc)) throw invalid_parameter("uniform loc", loc, "a finite number");
    if (!(scale > 0.0) || !std::isfinite(scale)) throw invalid_parameter("uniform scale", scale, "a finite number > 0");
    Distribution d;
    d.kind_ = Kind::uniform;
    d.a_ = loc;
    d.b_ = scale;
    return d;
}

inline Distribution Distribution::loguniform(double a, double b) {
    if (!(a > 0.0) || !std::isfinite(a)) throw invalid_parameter("loguniform a", a, "a finite number > 0");
    if (!(b > a) || !std::isfinite(b)) throw invalid_parameter("loguniform b", b, "a finite number > a");
    Distribution d;
    d.kind_ = Kind::loguniform;
    d.a_ = a;
    d.b_ = b;
    return d;
}

inline Distribution Distribution::randint(long long low, long long high) {
    if (!(low < high)) throw invalid_parameter("randint high", static_cast<double>(high), "> low = " + std::to_string(low));
    if (static_cast<unsigned long long>(high - low - 1) > 0xffffffffULL)
        throw invalid_parameter("randint high", static_cast<double>(high), "high - low <= 2^32");
    Distribution d;
    d.kind_ = Kind::randint;
    d.a_ = static_cast<double>(low);
    d.b_ = static_cast<double>(high);
    return d;
}

inline Distribution Distribution::choice(std::vector<ParamValue> values) {
    if (values.empty()) throw invalid_parameter("choice", "an empty list", "at least one value");
    Distribution d;
    d.kind_ = Kind::choice;
    d.values_ = std::move(values);
    return d;
}

inline std::vector<Params> sample_parameters(const std::vector<ParamSearch>& space, int n_iter, std::uint32_t random_state) {
    if (n_iter < 1) throw invalid_parameter("n_iter", n_iter, ">= 1");
    if (space.empty()) throw invalid_parameter("space", "empty", "at least one parameter to search");
    std::vector<const ParamSearch*> items;
    for (const auto& p : space) items.push_back(&p);
    std::stable_sort(items.begin(), items.end(), [](const ParamSearch* a, const ParamSearch* b) { return a->name < b->name; });
    for (std::size_t i = 1; i < items.size(); ++i)
        if (items[i]->name == items[i - 1]->name) throw invalid_parameter("space", items[i]->name, "each parameter once");
    detail::NumpyRandomState rng(random_state);
    std::vector<Params> out;
    const bool all_lists = std::all_of(items.begin(), items.end(), [](const ParamSearch* p) { return p->distribution.is_choice(); });
    if (all_lists) {  // ParameterGrid sampled without replacement, the last name varying fastest
        std::size_t grid = 1;
        for (const auto* p : items) grid *= p->distribution.values().size();
        const std::size_t n = std::min<std::size_t>(grid, static_cast<std::size_t>(n_iter));
        for (std::size_t index : detail::sample_without_replacement(grid, n, rng)) {
            Params params(items.size());
            for (std::size_t k = items.size(); k-- > 0;) {
                const auto& vals = items[k]->distribution.values();
                params[k] = {items[k]->name, vals[index % vals.size()]};
                index /= vals.size();
            }
            out.push_back(std::move(params));
        }
        return out;
    }
    for (int it = 0; it < n_iter; ++it) {
        Params params;
        for (const auto* p : items) {
            const Distribution& d = p->distribution;
            ParamValue v;
            switch (d.kind()) {
            case Distribution::Kind::uniform: v = rng.random_sample() * d.b() + d.a(); break;
            case Distribution::Kind::loguniform: v = d.a() * std::pow(d.b() / d.a(), rng.random_sample()); break;
            case Distribution::Kind::randint:
                v = static_cast<double>(rng.randint(static_cast<long long>(d.a()), static_cast<long long>(d.b())));
                break;
            case Distribution::Kind::choice:
                v = d.values()[static_cast<std::size_t>(rng.randint(0, static_cast<long long>(d.values().size())))];
                break;
            }
            params.emplace_back(p->name, std::move(v));
        }
        out.push_back(std::move(params));
    }
    return out;
}

template <Regressor E>
SearchResult<E> randomized_search(const E& estimator, const std::vector<ParamSearch>& space, const MatrixRef& X, const VectorRef& y,
                                  const SearchOptions& options) {
    if (y.size() != X.rows()) throw shape_mismatch("randomized_search: y size (rows of X)", static_cast<std::size_t>(X.rows()), static_cast<std::size_t>(y.size()));
    const auto draws = sample_parameters(space, options.n_iter, options.random_state);
    // every candidate's estimator, built up front so that a bad value fails before any fit
    std::vector<E> models(draws.size(), estimator);
    for (std::size_t c = 0; c < draws.size(); ++c)
        for (const auto& [name, value] : draws[c]) models[c].set_param(name, value);
    const auto folds = kfold(static_cast<std::size_t>(X.rows()), options.cv);
    const std::size_t n_folds = folds.size();
    std::vector<double> scores(draws.size() * n_folds), fit_seconds(draws.size() * n_folds);
    // the fold matrices are shared by all candidates (built once, read concurrently)
    std::vector<Eigen::MatrixXd> Xtr(n_folds), Xte(n_folds);
    std::vector<Eigen::VectorXd> ytr(n_folds), yte(n_folds);
    for (std::size_t f = 0; f < n_folds; ++f) {
        Xtr[f] = detail::take_rows(X, folds[f].train);
        Xte[f] = detail::take_rows(X, folds[f].test);
        ytr[f] = detail::take_rows(y, folds[f].train);
        yte[f] = detail::take_rows(y, folds[f].test);
    }
    detail::run_tasks(options.num_threads, scores.size(), [&](std::size_t task) {
        const std::size_t c = task / n_folds, f = task % n_folds;
        E model = models[c];
        const auto t0 = detail::Clock::now();
        model.fit(Xtr[f], ytr[f]);
        fit_seconds[task] = detail::seconds_since(t0);
        const Eigen::VectorXd pred = model.predict(Xte[f]);
        scores[task] = score(options.scoring, std::span<const double>(yte[f].data(), static_cast<std::size_t>(yte[f].size())),
                             std::span<const double>(pred.data(), static_cast<std::size_t>(pred.size())));
    });
    SearchResult<E> result{{}, 0, 0.0, {}, estimator};
    for (std::size_t c = 0; c < draws.size(); ++c) {
        Candidate cand;
        cand.params = draws[c];
        cand.fold_scores.assign(scores.begin() + static_cast<std::ptrdiff_t>(c * n_folds), scores.begin() + static_cast<std::ptrdiff_t>((c + 1) * n_folds));
        cand.mean_test_score = detail::numpy_mean(cand.fold_scores);
        cand.std_test_score = detail::numpy_std(cand.fold_scores);
        std::vector<double> fs(fit_seconds.begin() + static_cast<std::ptrdiff_t>(c * n_folds), fit_seconds.begin() + static_cast<std::ptrdiff_t>((c + 1) * n_folds));
        cand.mean_fit_seconds = detail::numpy_mean(fs);
        result.candidates.push_back(std::move(cand));
    }
    // rankdata(-mean, method="min"); a NaN mean ranks last (sklearn sets it to the worst rank)
    for (auto& c : result.candidates) {
        int rank = 1;
        for (const auto& o : result.candidates)
            if (std::isnan(c.mean_test_score) ? !std::isnan(o.mean_test_score) : o.mean_test_score > c.mean_test_score) ++rank;
        c.rank_test_score = rank;
    }
    for (std::size_t c = 0; c < result.candidates.size(); ++c)
        if (result.candidates[c].rank_test_score < result.candidates[result.best_index].rank_test_score) result.best_index = c;
    result.best_score = result.candidates[result.best_index].mean_test_score;
    result.best_params = result.candidates[result.best_index].params;
    result.best_estimator = models[result.best_index];
    if (options.refit) result.best_estimator.fit(X, y);
    return result;
}

}  // namespace musiclab::models
