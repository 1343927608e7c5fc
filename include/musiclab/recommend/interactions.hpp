// A user-item interaction matrix (implicit feedback: play counts, clicks) built from
// (user, item, value) triples, and the interaction weightings of the `implicit` library:
// BM25 and TF-IDF over the item x user matrix.
//
//     auto R = musiclab::recommend::Interactions::from_triples(users, items, plays, n_users, n_items);
//     auto W = musiclab::recommend::bm25_weight(R.item_users(), 100.0, 0.8);   // items x users
//
// Contract
// - Ids are dense indices 0..n-1 (map raw ids first, e.g. with an unordered_map). Repeated
//   (user, item) pairs are summed. Values must be finite and > 0 (a zero would be an explicit
//   "not interacted"); errors name the offending triple index.
// - user_items() is CSR users x items, item_users() the same data as CSR items x users; both
//   have sorted column indices. Memory: 2 x nnz x (4 + sizeof(double)) bytes plus the row pointers.
// - Weightings (docs/recommendation.md gives the formulas, as implicit 0.7's bm25_weight and
//   tfidf_weight): rows are the "documents" (items), columns the "terms" (users); N = rows.
//     idf_u = ln(N) - ln(1 + df_u)   (df_u = number of items user u interacted with)
//     BM25:   w = r (K1 + 1) / (K1 ((1 - B) + B len_i / avg_len) + r) * idf_u,  len_i = row sum
//     TF-IDF: w = sqrt(r) * idf_u
// - Thread safety: immutable after construction; all functions are pure.
#pragma once

#include "../core/error.hpp"

#include <Eigen/SparseCore>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace musiclab::recommend {

/// Row-major sparse matrix of interactions (float64 values, 32-bit indices).
using SparseRows = Eigen::SparseMatrix<double, Eigen::RowMajor, std::int32_t>;

/// Users x items interactions and their items x users transpose.
class Interactions {
public:
    Interactions() = default;

    /// Builds the matrices from triples: users[t] interacted with items[t] with strength values[t]
    /// (sizes must match; ids in [0, n_users) / [0, n_items); values finite and > 0; repeats summed).
    static Interactions from_triples(std::span<const std::int32_t> users, std::span<const std::int32_t> items,
                                     std::span<const double> values, std::size_t n_users, std::size_t n_items) {
        if (items.size() != users.size()) throw shape_mismatch("from_triples: items vs users", users.size(), items.size());
        if (values.size() != users.size()) throw shape_mismatch("from_triples: values vs users", users.size(), values.size());
        std::vector<Eigen::Triplet<double, std::int32_t>> t;
        t.reserve(users.size());
        for (std::size_t i = 0; i < users.size(); ++i) {
            if (users[i] < 0 || static_cast<std::size_t>(users[i]) >= n_users)
                throw invalid_parameter("users[" + std::to_string(i) + "]", users[i], "0.." + std::to_string(n_users) + " - 1");
            if (items[i] < 0 || static_cast<std::size_t>(items[i]) >= n_items)
                throw invalid_parameter("items[" + std::to_string(i) + "]", items[i], "0.." + std::to_string(n_items) + " - 1");
            if (!std::isfinite(values[i]) || !(values[i] > 0))
                throw invalid_parameter("values[" + std::to_string(i) + "]", values[i], "finite and > 0");
            t.emplace_back(users[i], items[i], values[i]);
        }
        Interactions r;
        r.user_items_.resize(static_cast<std::int32_t>(n_users), static_cast<std::int32_t>(n_items));
        r.user_items_.setFromTriplets(t.begin(), t.end());  // sums duplicates
        r.user_items_.makeCompressed();
        r.item_users_ = r.user_items_.transpose();
        r.item_users_.makeCompressed();
        return r;
    }

    /// Wraps an existing users x items matrix (explicit zeros are dropped; values must be > 0).
    static Interactions from_matrix(SparseRows user_items) {
        user_items.prune(0.0);
        user_items.makeCompressed();
        for (std::int64_t k = 0; k < user_items.nonZeros(); ++k)
            if (!std::isfinite(user_items.valuePtr()[k]) || !(user_items.valuePtr()[k] > 0))
                throw invalid_parameter("user_items value #" + std::to_string(k), user_items.valuePtr()[k], "finite and > 0");
        Interactions r;
        r.user_items_ = std::move(user_items);
        r.item_users_ = r.user_items_.transpose();
        r.item_users_.makeCompressed();
        return r;
    }

    std::size_t num_users() const noexcept { return static_cast<std::size_t>(user_items_.rows()); }
    std::size_t num_items() const noexcept { return static_cast<std::size_t>(user_items_.cols()); }
    std::size_t num_interactions() const noexcept { return static_cast<std::size_t>(user_items_.nonZeros()); }
    /// CSR users x items.
    const SparseRows& user_items() const noexcept { return user_items_; }
    /// CSR items x users (the transpose).
    const SparseRows& item_users() const noexcept { return item_users_; }

    /// Items of user u (sorted ids) and their values.
    std::span<const std::int32_t> items_of(std::size_t u) const {
        check_user(u);
        const auto* outer = user_items_.outerIndexPtr();
        return {user_items_.innerIndexPtr() + outer[u], static_cast<std::size_t>(outer[u + 1] - outer[u])};
    }
    std::span<const double> values_of(std::size_t u) const {
        check_user(u);
        const auto* outer = user_items_.outerIndexPtr();
        return {user_items_.valuePtr() + outer[u], static_cast<std::size_t>(outer[u + 1] - outer[u])};
    }

private:
    void check_user(std::size_t u) const {
        if (u >= num_users()) throw invalid_parameter("user", u, "0.." + std::to_string(num_users()) + " - 1");
    }
    SparseRows user_items_, item_users_;
};

/// BM25 weighting of a documents x terms matrix (implicit's bm25_weight; for item-item
/// similarity pass item_users()). K1 > 0, B in [0, 1].
inline SparseRows bm25_weight(const SparseRows& X, double K1 = 100.0, double B = 0.8) {
    if (!(K1 > 0)) throw invalid_parameter("K1", K1, "> 0");
    if (!(B >= 0 && B <= 1)) throw invalid_parameter("B", B, "[0, 1]");
    SparseRows W = X;
    const auto N = static_cast<double>(X.rows());
    std::vector<double> df(static_cast<std::size_t>(X.cols()), 0.0), len(static_cast<std::size_t>(X.rows()), 0.0);
    for (std::int32_t r = 0; r < X.outerSize(); ++r)
        for (SparseRows::InnerIterator it(X, r); it; ++it) {
            df[static_cast<std::size_t>(it.col())] += 1.0;
            len[static_cast<std::size_t>(r)] += it.value();
        }
    double avg = 0;
    for (const double l : len) avg += l;
    avg /= std::max(1.0, N);
    for (std::int32_t r = 0; r < W.outerSize(); ++r) {
        const double norm = (1.0 - B) + B * len[static_cast<std::size_t>(r)] / avg;
        for (SparseRows::InnerIterator it(W, r); it; ++it) {
            const double idf = std::log(N) - std::log1p(df[static_cast<std::size_t>(it.col())]);
            it.valueRef() = it.value() * (K1 + 1.0) / (K1 * norm + it.value()) * idf;
        }
    }
    return W;
}

/// TF-IDF weighting of a documents x terms matrix (implicit's tfidf_weight): sqrt(r) * idf.
inline SparseRows tfidf_weight(const SparseRows& X) {
    SparseRows W = X;
    const auto N = static_cast<double>(X.rows());
    std::vector<double> df(static_cast<std::size_t>(X.cols()), 0.0);
    for (std::int32_t r = 0; r < X.outerSize(); ++r)
        for (SparseRows::InnerIterator it(X, r); it; ++it) df[static_cast<std::size_t>(it.col())] += 1.0;
    for (std::int32_t r = 0; r < W.outerSize(); ++r)
        for (SparseRows::InnerIterator it(W, r); it; ++it)
            it.valueRef() = std::sqrt(it.value()) * (std::log(N) - std::log1p(df[static_cast<std::size_t>(it.col())]));
    return W;
}

}  // namespace musiclab::recommend
