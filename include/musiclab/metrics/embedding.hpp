// musiclab::metrics embedding quality: trustworthiness(k) with scikit-learn 1.2's definition
// (sklearn.manifold.trustworthiness, Euclidean metric):
//
//   T(k) = 1 - 2 / (n k (2n - 3k - 1)) * Σ_i Σ_{j in N_k^E(i)} max(0, r(i, j) - k)
//
// where N_k^E(i) are the k nearest neighbours of point i in the embedding (itself excluded) and
// r(i, j) is the rank of j among i's neighbours in the input space (1 = nearest). Distances are
// exact (Σ (a - b)² over coordinates; sklearn uses the dot-product formula for the input space,
// which only matters at near-ties). Equal distances are broken by the smaller point index.
//
// Cost: O(n² (d_X + d_E)) time, O(n) memory per thread. Thread safety: pure functions.
#pragma once

#include "../core/error.hpp"
#include "detail/text.hpp"
#include "../core/parallel.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace musiclab::metrics {

/// Options of trustworthiness.
struct TrustworthinessOptions {
    /// k: neighbours considered, 1 <= k < n / 2 (sklearn's bound). Default 5 (sklearn's).
    int n_neighbors = 5;
    /// Worker threads over points (default 1; 0 = all). The result does not depend on it.
    int num_threads = 1;
};

/// Trustworthiness and the integer it is made of.
struct TrustworthinessResult {
    double trustworthiness = 0.0;    ///< T(k) in [0, 1] (1 = every embedding neighbour is a true neighbour)
    std::int64_t rank_penalty_sum = 0;  ///< Σ max(0, r(i, j) - k)
};

/// Trustworthiness of an embedding. `x` is n x d_x and `embedded` n x d_e, both row-major
/// (point i = row i). Throws invalid_parameter (n_neighbors outside [1, n/2), d = 0, non-finite
/// values, n < 3), shape_mismatch (different point counts).
TrustworthinessResult trustworthiness_details(const double* x, std::size_t n, std::size_t d_x, const double* embedded,
                                              std::size_t n_embedded, std::size_t d_e,
                                              const TrustworthinessOptions& options = {});

/// Same on Eigen matrices (any storage order; rows are points).
template <class DX, class DE>
TrustworthinessResult trustworthiness_details(const Eigen::MatrixBase<DX>& x, const Eigen::MatrixBase<DE>& embedded,
                                              const TrustworthinessOptions& options = {}) {
    using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const RowMajor a = x.template cast<double>();
    const RowMajor b = embedded.template cast<double>();
    return trustworthiness_details(a.data(), static_cast<std::size_t>(a.rows()), static_cast<std::size_t>(a.cols()), b.data(),
                                   static_cast<std::size_t>(b.rows()), static_cast<std::size_t>(b.cols()), options);
}

/// T(k) only (see trustworthiness_details).
template <class DX, class DE>
double trustworthiness(const Eigen::MatrixBase<DX>& x, const Eigen::MatrixBase<DE>& embedded,
                       const TrustworthinessOptions& options = {}) {
    return trustworthiness_details(x, embedded, options).trustworthiness;
}

}  // namespace musiclab::metrics

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::detail {

inline void squared_distances_from(const double* data, std::size_t n, std::size_t d, std::size_t i,
                                   std::vector<std::pair<double, std::size_t>>& out) {
    out.clear();
    const double* p = data + i * d;
    for (std::size_t j = 0; j < n; ++j) {
        if (j == i) continue;
        const double* q = data + j * d;
        double s = 0.0;
        for (std::size_t c = 0; c < d; ++c) {
            const double diff = p[c] - q[c];
            s += diff * diff;
        }
        out.emplace_back(s, j);
    }
}

}  // namespace musiclab::detail

namespace musiclab::metrics {

inline TrustworthinessResult trustworthiness_details(const double* x, std::size_t n, std::size_t d_x, const double* embedded,
                                                     std::size_t n_embedded, std::size_t d_e,
                                                     const TrustworthinessOptions& options) {
    const int workers = resolve_threads(options.num_threads);
    if (n_embedded != n) throw shape_mismatch("rows of embedded (must equal rows of x)", n, n_embedded);
    if (n < 3) throw invalid_parameter("x", detail::text_concat(n, " points"), "at least 3 points");
    if (d_x == 0) throw invalid_parameter("x", "0 columns", "at least one column");
    if (d_e == 0) throw invalid_parameter("embedded", "0 columns", "at least one column");
    const int k_in = options.n_neighbors;
    if (k_in < 1 || 2.0 * static_cast<double>(k_in) >= static_cast<double>(n))
        throw invalid_parameter("n_neighbors", k_in, detail::text_concat("1 <= n_neighbors < n_samples / 2 = ", static_cast<double>(n) / 2.0));
    for (std::size_t i = 0; i < n * d_x; ++i)
        if (!std::isfinite(x[i])) throw invalid_parameter("x", detail::text_concat("a non-finite value at row ", i / d_x), "finite values");
    for (std::size_t i = 0; i < n * d_e; ++i)
        if (!std::isfinite(embedded[i]))
            throw invalid_parameter("embedded", detail::text_concat("a non-finite value at row ", i / d_e), "finite values");

    const auto k = static_cast<std::size_t>(k_in);
    const int n_workers = std::max(1, std::min<int>(workers, static_cast<int>(n)));
    std::vector<std::int64_t> partial(static_cast<std::size_t>(n_workers), 0);
    parallelize(n_workers, n, [&](int worker, std::size_t start, std::size_t length) {
        std::vector<std::pair<double, std::size_t>> dx, de;  // per-thread workspace
        dx.reserve(n);
        de.reserve(n);
        std::int64_t sum = 0;
        for (std::size_t i = start; i < start + length; ++i) {
            detail::squared_distances_from(embedded, n, d_e, i, de);
            std::nth_element(de.begin(), de.begin() + static_cast<std::ptrdiff_t>(k - 1), de.end());
            detail::squared_distances_from(x, n, d_x, i, dx);
            // (distance, index) pairs order the points, ties broken by index.
            std::nth_element(dx.begin(), dx.begin() + static_cast<std::ptrdiff_t>(k - 1), dx.end());
            const auto kth = dx[k - 1];
            for (std::size_t e = 0; e < k; ++e) {
                const std::size_t j = de[e].second;
                // distance of j from i in the input space
                double dj = 0.0;
                {
                    const double* p = x + i * d_x;
                    const double* q = x + j * d_x;
                    for (std::size_t c = 0; c < d_x; ++c) {
                        const double diff = p[c] - q[c];
                        dj += diff * diff;
                    }
                }
                const std::pair<double, std::size_t> key(dj, j);
                if (!(kth < key)) continue;  // rank <= k: no penalty
                std::int64_t rank = 1;
                for (const auto& other : dx) rank += other < key ? 1 : 0;
                sum += rank - static_cast<std::int64_t>(k);
            }
        }
        partial[static_cast<std::size_t>(worker)] = sum;
    });
    TrustworthinessResult r;
    for (auto s : partial) r.rank_penalty_sum += s;
    const double nd = static_cast<double>(n), kd = static_cast<double>(k);
    // sklearn: t = 1.0 - t * (2.0 / (n_samples * n_neighbors * (2.0 * n_samples - 3.0 * n_neighbors - 1.0)))
    const double denominator = static_cast<double>(n * k) * (2.0 * nd - 3.0 * kd - 1.0);
    r.trustworthiness = 1.0 - static_cast<double>(r.rank_penalty_sum) * (2.0 / denominator);
    return r;
}

}  // namespace musiclab::metrics
