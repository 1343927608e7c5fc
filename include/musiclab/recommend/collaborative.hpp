// Collaborative filtering on implicit feedback: item-item cosine neighbours (the `implicit`
// library's CosineRecommender), implicit-feedback ALS with the conjugate-gradient solver
// (Hu, Koren & Volinsky 2008; Takacs, Pilaszy & Tikk 2011, as implicit's AlternatingLeastSquares),
// and the popularity baseline. Every model scores all items for a user; rank() turns scores into
// a top-n list that leaves out what the user already has.
//
//     auto R = Interactions::from_triples(users, items, plays, n_users, n_items);
//     ItemKNN knn;  knn.fit(bm25_weight(R.item_users()));          // items x users
//     auto top = rank(knn.scores(R.items_of(u), R.values_of(u)), 10, R.items_of(u));
//     ImplicitALS als(opts);  als.fit(R);                           // confidence 1 + alpha r
//     auto top2 = rank(als.scores(u), 10, R.items_of(u));
//
// Contract
// - ItemKNN: rows of the fitted matrix are L2-normalised; the neighbours of item i are the
//   `neighbours` other items of largest cosine (ties: smaller id), similarity > 0 only. A user's
//   score for item j is sum_i v_i sim(i, j) over the user's items i with values v_i.
//   fit: O(sum over users of deg(u)^2) time, O(items x neighbours) memory.
// - ImplicitALS minimises sum_{u,i} c_ui (p_ui - x_u.y_i)^2 + lambda (|x_u|^2 + |y_i|^2) with
//   p_ui = 1 and c_ui = 1 + alpha r_ui for observed pairs, p = 0 and c = 1 otherwise. Each
//   half-step solves every user's (item's) normal equations by cg_steps conjugate-gradient steps
//   warm-started from the current factors. Factors start as N(0, 0.01^2) from `seed`. The result
//   does not depend on num_threads (rows are solved independently). O(iterations x (nnz x f x
//   cg_steps + (users + items) x f^2)) time.
// - rank(): the n best items by score (ties: smaller id), leaving out `exclude` (sorted ids).
// - Errors: invalid_parameter for bad options, out-of-range users / items, n = 0; not_fitted
//   before fit. Thread safety: fitted models are immutable; scoring is const and thread-safe.
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../core/random.hpp"
#include "interactions.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace musiclab::recommend {

/// The n items of largest score, best first (ties: smaller id), without the sorted ids `exclude`.
/// Non-finite scores are never returned; fewer than n items come back when fewer are left.
inline std::vector<std::int32_t> rank(std::span<const double> scores, std::size_t n,
                                      std::span<const std::int32_t> exclude = {}) {
    if (n == 0) throw invalid_parameter("n", 0, ">= 1");
    std::vector<std::int32_t> ids;
    ids.reserve(scores.size());
    std::size_t e = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        while (e < exclude.size() && static_cast<std::size_t>(exclude[e]) < i) ++e;
        if (e < exclude.size() && static_cast<std::size_t>(exclude[e]) == i) continue;
        if (std::isfinite(scores[i])) ids.push_back(static_cast<std::int32_t>(i));
    }
    auto better = [&](std::int32_t a, std::int32_t b) {
        const double sa = scores[static_cast<std::size_t>(a)], sb = scores[static_cast<std::size_t>(b)];
        return sa > sb || (sa == sb && a < b);
    };
    const std::size_t m = std::min(n, ids.size());
    std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(m), ids.end(), better);
    ids.resize(m);
    return ids;
}

/// Popularity baseline: an item's score is the number of users who interacted with it.
class Popularity {
public:
    void fit(const Interactions& train) {
        counts_.assign(train.num_items(), 0.0);
        const auto& X = train.user_items();
        for (std::int64_t k = 0; k < X.nonZeros(); ++k) counts_[static_cast<std::size_t>(X.innerIndexPtr()[k])] += 1.0;
    }
    /// The same scores for every user.
    const std::vector<double>& scores() const {
        if (counts_.empty()) throw not_fitted("Popularity");
        return counts_;
    }

private:
    std::vector<double> counts_;
};

/// Options of ItemKNN.
struct ItemKNNOptions {
    std::size_t neighbours = 20;  ///< K: neighbours kept per item (implicit's default 20)
    int num_threads = 1;          ///< workers over items (0 = all); the result does not depend on it
};

/// Item-item cosine nearest neighbours.
class ItemKNN {
public:
    explicit ItemKNN(ItemKNNOptions options = {}) : opts_(options) {
        if (opts_.neighbours == 0) throw invalid_parameter("neighbours", 0, ">= 1");
    }

    /// Fits on an items x users matrix (raw, bm25_weight or tfidf_weight of item_users()).
    void fit(const SparseRows& item_users) {
        const auto n = static_cast<std::size_t>(item_users.rows());
        const auto m = static_cast<std::size_t>(item_users.cols());
        SparseRows X = item_users;  // rows normalised
        for (std::int32_t r = 0; r < X.outerSize(); ++r) {
            double s = 0;
            for (SparseRows::InnerIterator it(X, r); it; ++it) s += it.value() * it.value();
            if (s > 0)
                for (SparseRows::InnerIterator it(X, r); it; ++it) it.valueRef() /= std::sqrt(s);
        }
        const SparseRows XT = X.transpose();  // users x items
        const std::size_t K = opts_.neighbours;
        ptr_.assign(n + 1, 0);
        std::vector<std::vector<std::pair<std::int32_t, double>>> rows(n);
        musiclab::parallelize(musiclab::resolve_threads(opts_.num_threads), n, [&](int, std::size_t start, std::size_t len) {
            std::vector<double> acc(n, 0.0);
            std::vector<std::int32_t> touched;
            for (std::size_t i = start; i < start + len; ++i) {
                touched.clear();
                for (SparseRows::InnerIterator it(X, static_cast<std::int32_t>(i)); it; ++it)
                    for (SparseRows::InnerIterator jt(XT, it.col()); jt; ++jt) {
                        const auto j = static_cast<std::size_t>(jt.col());
                        if (j == i) continue;
                        if (acc[j] == 0.0) touched.push_back(static_cast<std::int32_t>(j));
                        acc[j] += it.value() * jt.value();
                    }
                auto& row = rows[i];
                for (const std::int32_t j : touched) {
                    if (acc[static_cast<std::size_t>(j)] > 0) row.emplace_back(j, acc[static_cast<std::size_t>(j)]);
                    acc[static_cast<std::size_t>(j)] = 0.0;
                }
                auto better = [](const auto& a, const auto& b) { return a.second > b.second || (a.second == b.second && a.first < b.first); };
                const std::size_t keep = std::min(K, row.size());
                std::partial_sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(keep), row.end(), better);
                row.resize(keep);
            }
        });
        ids_.clear();
        sims_.clear();
        for (std::size_t i = 0; i < n; ++i) {
            for (const auto& [j, s] : rows[i]) {
                ids_.push_back(j);
                sims_.push_back(s);
            }
            ptr_[i + 1] = ids_.size();
        }
        n_items_ = n;
        (void)m;
    }

    std::size_t num_items() const noexcept { return n_items_; }
    /// Neighbours of item i (best first) and their cosine similarities.
    std::span<const std::int32_t> neighbours(std::size_t i) const {
        check_item(i);
        return {ids_.data() + ptr_[i], ptr_[i + 1] - ptr_[i]};
    }
    std::span<const double> similarities(std::size_t i) const {
        check_item(i);
        return {sims_.data() + ptr_[i], ptr_[i + 1] - ptr_[i]};
    }

    /// Scores of every item for a user who has `items` with `values` (same length).
    std::vector<double> scores(std::span<const std::int32_t> items, std::span<const double> values) const {
        if (ptr_.empty()) throw not_fitted("ItemKNN");
        if (items.size() != values.size()) throw shape_mismatch("ItemKNN::scores: values vs items", items.size(), values.size());
        std::vector<double> s(n_items_, 0.0);
        for (std::size_t t = 0; t < items.size(); ++t) {
            const auto i = static_cast<std::size_t>(items[t]);
            check_item(i);
            for (std::size_t k = ptr_[i]; k < ptr_[i + 1]; ++k) s[static_cast<std::size_t>(ids_[k])] += values[t] * sims_[k];
        }
        return s;
    }

private:
    void check_item(std::size_t i) const {
        if (i >= n_items_) throw invalid_parameter("item", i, "0.." + std::to_string(n_items_) + " - 1");
    }
    ItemKNNOptions opts_;
    std::size_t n_items_ = 0;
    std::vector<std::size_t> ptr_;
    std::vector<std::int32_t> ids_;
    std::vector<double> sims_;
};

/// Options of ImplicitALS (defaults as implicit 0.7 where it has them).
struct ALSOptions {
    std::size_t factors = 64;
    double regularization = 0.01;  ///< lambda
    double alpha = 1.0;            ///< confidence c = 1 + alpha r
    std::size_t iterations = 15;
    std::size_t cg_steps = 3;
    std::uint64_t seed = 0;
    int num_threads = 1;  ///< workers over users / items (0 = all); the result does not depend on it
};

/// Implicit-feedback matrix factorisation by alternating least squares (conjugate gradient).
class ImplicitALS {
public:
    using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

    explicit ImplicitALS(ALSOptions options = {}) : opts_(options) {
        if (opts_.factors == 0) throw invalid_parameter("factors", 0, ">= 1");
        if (!(opts_.regularization >= 0)) throw invalid_parameter("regularization", opts_.regularization, ">= 0");
        if (!(opts_.alpha >= 0) || !std::isfinite(opts_.alpha)) throw invalid_parameter("alpha", opts_.alpha, "finite and >= 0");
        if (opts_.cg_steps == 0) throw invalid_parameter("cg_steps", 0, ">= 1");
    }

    void fit(const Interactions& train) {
        const auto f = static_cast<Eigen::Index>(opts_.factors);
        musiclab::Rng rng(opts_.seed);
        X_.resize(static_cast<Eigen::Index>(train.num_users()), f);
        Y_.resize(static_cast<Eigen::Index>(train.num_items()), f);
        for (Eigen::Index r = 0; r < X_.rows(); ++r)
            for (Eigen::Index c = 0; c < f; ++c) X_(r, c) = 0.01 * rng.normal();
        for (Eigen::Index r = 0; r < Y_.rows(); ++r)
            for (Eigen::Index c = 0; c < f; ++c) Y_(r, c) = 0.01 * rng.normal();
        const int threads = musiclab::resolve_threads(opts_.num_threads);
        for (std::size_t it = 0; it < opts_.iterations; ++it) {
            half_step(train.user_items(), Y_, X_, threads);
            half_step(train.item_users(), X_, Y_, threads);
        }
    }

    const Matrix& user_factors() const noexcept { return X_; }
    const Matrix& item_factors() const noexcept { return Y_; }

    /// x_u . y_i for every item i.
    std::vector<double> scores(std::size_t user) const {
        if (Y_.size() == 0) throw not_fitted("ImplicitALS");
        if (user >= static_cast<std::size_t>(X_.rows())) throw invalid_parameter("user", user, "0.." + std::to_string(X_.rows()) + " - 1");
        const Eigen::VectorXd s = Y_ * X_.row(static_cast<Eigen::Index>(user)).transpose();
        return {s.data(), s.data() + s.size()};
    }

private:
    // Solves the rows of `out` given the fixed factors `fixed`, with R's rows as the confidences.
    void half_step(const SparseRows& R, const Matrix& fixed, Matrix& out, int threads) const {
        const Eigen::Index f = fixed.cols();
        const Eigen::MatrixXd YtY = fixed.transpose() * fixed + opts_.regularization * Eigen::MatrixXd::Identity(f, f);
        musiclab::parallelize(threads, static_cast<std::size_t>(R.rows()), [&](int, std::size_t start, std::size_t len) {
            Eigen::VectorXd x(f), r(f), p(f), Ap(f);
            for (std::size_t u = start; u < start + len; ++u) {
                x = out.row(static_cast<Eigen::Index>(u)).transpose();
                // r = b - A x, A = YtY + sum_i (c_i - 1) y_i y_i^T, b = sum_i c_i y_i
                r.noalias() = -(YtY * x);
                for (SparseRows::InnerIterator it(R, static_cast<std::int32_t>(u)); it; ++it) {
                    const double c = 1.0 + opts_.alpha * it.value();
                    const auto y = fixed.row(it.col());
                    r.noalias() += (c - (c - 1.0) * y.dot(x.transpose())) * y.transpose();
                }
                p = r;
                double rs_old = r.squaredNorm();
                if (rs_old < 1e-20) continue;
                for (std::size_t s = 0; s < opts_.cg_steps; ++s) {
                    Ap.noalias() = YtY * p;
                    for (SparseRows::InnerIterator it(R, static_cast<std::int32_t>(u)); it; ++it) {
                        const double c = 1.0 + opts_.alpha * it.value();
                        const auto y = fixed.row(it.col());
                        Ap.noalias() += ((c - 1.0) * y.dot(p.transpose())) * y.transpose();
                    }
                    const double step = rs_old / p.dot(Ap);
                    x += step * p;
                    r -= step * Ap;
                    const double rs_new = r.squaredNorm();
                    if (rs_new < 1e-20) break;
                    p = r + (rs_new / rs_old) * p;
                    rs_old = rs_new;
                }
                out.row(static_cast<Eigen::Index>(u)) = x.transpose();
            }
        });
    }

    ALSOptions opts_;
    Matrix X_, Y_;
};

}  // namespace musiclab::recommend
