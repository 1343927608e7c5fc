// musiclab::models permutation importance for any fitted Regressor (estimator.hpp), as
// scikit-learn 1.2.1's sklearn.inspection.permutation_importance.
//
//     auto imp = musiclab::models::permutation_importance(fitted_model, X_test, y_test);
//     imp.importances_mean[j]   // mean drop of the score when column j is shuffled
//
// Math: baseline = score(y, predict(X)); for each column j and repeat r the column is shuffled
// and importance[j][r] = baseline - score(y, predict(X with column j shuffled)). The shuffles
// are sklearn's, draw for draw: a seed s = RandomState(random_state).randint(2^31), then per
// column a RandomState(s) that shuffles an index array in place once per repeat (numpy's legacy
// Fisher-Yates), the column being re-indexed by it each repeat (so the permutations compose, as
// in sklearn). With max_samples < 1 the rows are first sampled without replacement by that same
// per-column RandomState. importances_std is the population standard deviation.
//
// Cost: n_features * n_repeats predictions of the (sampled) rows. Threads: num_threads workers
// take columns; each works on its own copy of X; predict must be thread-safe (every musiclab
// Regressor's is). The result does not depend on num_threads.
#pragma once

#include "../core/error.hpp"
#include "estimator.hpp"
#include "model_selection.hpp"

#include <Eigen/Core>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace musiclab::models {

/// Options of permutation_importance (sklearn's defaults).
struct PermutationImportanceOptions {
    int n_repeats = 5;               ///< shuffles per column, >= 1
    std::uint32_t random_state = 0;  ///< numpy RandomState seed
    Scoring scoring = Scoring::r2;
    double max_samples = 1.0;        ///< fraction of rows used, in (0, 1]
    int num_threads = 1;             ///< columns in parallel; 0 = all
};

/// The importances of each column (rows = features, columns = repeats) and their summaries.
struct PermutationImportance {
    Eigen::VectorXd importances_mean;
    Eigen::VectorXd importances_std;
    Eigen::MatrixXd importances;
    double baseline_score = 0.0;
};

/// Permutation importance of a fitted estimator on (X, y) (usually held-out rows).
template <class E>
PermutationImportance permutation_importance(const E& fitted, const MatrixRef& X, const VectorRef& y,
                                             const PermutationImportanceOptions& options = {});

}  // namespace musiclab::models

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::models {

template <class E>
PermutationImportance permutation_importance(const E& fitted, const MatrixRef& X, const VectorRef& y,
                                             const PermutationImportanceOptions& options) {
    if (y.size() != X.rows()) throw shape_mismatch("permutation_importance: y size (rows of X)", static_cast<std::size_t>(X.rows()), static_cast<std::size_t>(y.size()));
    if (options.n_repeats < 1) throw invalid_parameter("n_repeats", options.n_repeats, ">= 1");
    if (!(options.max_samples > 0.0 && options.max_samples <= 1.0)) throw invalid_parameter("max_samples", options.max_samples, "a fraction in (0, 1]");
    const auto n = static_cast<std::size_t>(X.rows());
    const auto n_used = options.max_samples < 1.0 ? static_cast<std::size_t>(options.max_samples * static_cast<double>(n)) : n;
    if (n_used < 2) throw invalid_parameter("max_samples", options.max_samples, "a fraction leaving at least 2 rows");
    const auto score_of = [&](const Eigen::MatrixXd& Xs, const Eigen::VectorXd& ys) {
        const Eigen::VectorXd pred = fitted.predict(Xs);
        return score(options.scoring, std::span<const double>(ys.data(), static_cast<std::size_t>(ys.size())),
                     std::span<const double>(pred.data(), static_cast<std::size_t>(pred.size())));
    };
    PermutationImportance out;
    {
        const Eigen::MatrixXd Xall = X;
        const Eigen::VectorXd yall = y;
        out.baseline_score = score_of(Xall, yall);
    }
    detail::NumpyRandomState seeder(options.random_state);
    const auto seed = static_cast<std::uint32_t>(seeder.randint(0, 2147483648LL));
    const auto cols = static_cast<std::size_t>(X.cols());
    out.importances.resize(X.cols(), options.n_repeats);
    detail::run_tasks(options.num_threads, cols, [&](std::size_t col) {
        detail::NumpyRandomState rng(seed);
        std::vector<Eigen::Index> rows(n_used);
        if (n_used < n) {
            const auto picked = detail::sample_without_replacement(n, n_used, rng);
            for (std::size_t i = 0; i < n_used; ++i) rows[i] = static_cast<Eigen::Index>(picked[i]);
        } else {
            for (std::size_t i = 0; i < n; ++i) rows[i] = static_cast<Eigen::Index>(i);
        }
        Eigen::MatrixXd Xp = detail::take_rows(X, rows);
        const Eigen::VectorXd yp = detail::take_rows(y, rows);
        std::vector<std::size_t> shuffling(n_used);
        for (std::size_t i = 0; i < n_used; ++i) shuffling[i] = i;
        Eigen::VectorXd column(static_cast<Eigen::Index>(n_used));
        const auto c = static_cast<Eigen::Index>(col);
        for (int r = 0; r < options.n_repeats; ++r) {
            musiclab::detail::numpy_legacy_shuffle(shuffling, rng.engine());
            for (std::size_t i = 0; i < n_used; ++i) column[static_cast<Eigen::Index>(i)] = Xp(static_cast<Eigen::Index>(shuffling[i]), c);
            Xp.col(c) = column;
            out.importances(c, r) = out.baseline_score - score_of(Xp, yp);
        }
    });
    out.importances_mean.resize(X.cols());
    out.importances_std.resize(X.cols());
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
        std::vector<double> v(static_cast<std::size_t>(options.n_repeats));
        for (int r = 0; r < options.n_repeats; ++r) v[static_cast<std::size_t>(r)] = out.importances(j, r);
        out.importances_mean[j] = detail::numpy_mean(v);
        out.importances_std[j] = detail::numpy_std(v);
    }
    return out;
}

}  // namespace musiclab::models
