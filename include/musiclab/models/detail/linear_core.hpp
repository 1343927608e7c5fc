// Internals of musiclab/models/linear.hpp: centring and the centred Gram matrix in fixed row
// chunks (deterministic for any thread count), the least-squares / ridge solvers, and
// scikit-learn 1.2.1's elastic-net coordinate descent (sklearn/linear_model/_cd_fast.pyx:
// enet_coordinate_descent and enet_coordinate_descent_gram, re-implemented from their
// description: same update order, same stopping rule, same random coordinate stream).
#pragma once

#include "../../core/error.hpp"
#include "../../core/parallel.hpp"
#include "../../preprocess/split.hpp"
#include "../estimator.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/QR>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace musiclab::models::detail {

/// Rows per chunk of the centring / Gram passes. The chunking depends only on (rows, columns), so
/// sums are added in the same order whatever the thread count.
inline constexpr Eigen::Index linear_block_rows = 2048;

/// Number of fixed chunks of the Gram pass: about 8192 rows each, at most 64, and at most
/// 2^25 doubles of per-chunk partial Gram matrices in total.
inline Eigen::Index linear_num_chunks(Eigen::Index n, Eigen::Index p) {
    const Eigen::Index by_rows = std::max<Eigen::Index>(1, (n + 8191) / 8192);
    const Eigen::Index by_memory = std::max<Eigen::Index>(1, (Eigen::Index{1} << 25) / std::max<Eigen::Index>(1, p * p));
    return std::min<Eigen::Index>({by_rows, by_memory, Eigen::Index{64}});
}

/// Column sums of X and the sum of y (fixed chunks, added in chunk order), and whether every
/// value is finite. On a non-finite sum it runs check_fit_inputs (which throws, naming row and
/// column); a sum that overflowed from finite values is reported as too large.
struct LinearSums {
    Eigen::VectorXd x_sum;
    double y_sum = 0.0;
};

inline LinearSums linear_sums_checked(const MatrixRef& X, const VectorRef& y, int threads, const char* who) {
    if (X.rows() == 0 || X.cols() == 0 || y.size() != X.rows()) check_fit_inputs(X, y, who);
    const Eigen::Index n = X.rows(), p = X.cols();
    const Eigen::Index chunks = linear_num_chunks(n, p);
    Eigen::MatrixXd partial(p + 1, chunks);
    parallelize(threads, chunks, [&](int, Eigen::Index c0, Eigen::Index len) {
        for (Eigen::Index c = c0; c < c0 + len; ++c) {
            const Eigen::Index r0 = n * c / chunks, r1 = n * (c + 1) / chunks;
            for (Eigen::Index j = 0; j < p; ++j) partial(j, c) = X.col(j).segment(r0, r1 - r0).sum();
            partial(p, c) = y.segment(r0, r1 - r0).sum();
        }
    });
    LinearSums s;
    s.x_sum = Eigen::VectorXd::Zero(p);
    for (Eigen::Index c = 0; c < chunks; ++c) {
        s.x_sum += partial.col(c).head(p);
        s.y_sum += partial(p, c);
    }
    if (!s.x_sum.allFinite() || !std::isfinite(s.y_sum)) {
        check_fit_inputs(X, y, who);  // throws for NaN / infinity, naming the row and column
        throw invalid_parameter("X", "column sums overflow", std::string(who) + ": values whose sums are finite (scale the data)");
    }
    return s;
}

/// Centring of a fit: column means of X and the mean of y (zero without an intercept).
struct LinearCentre {
    Eigen::VectorXd x_mean;
    double y_mean = 0.0;
};

inline LinearCentre linear_centre(const MatrixRef& X, const VectorRef& y, bool fit_intercept, int threads, const char* who) {
    const LinearSums s = linear_sums_checked(X, y, threads, who);
    LinearCentre c;
    if (fit_intercept) {
        c.x_mean = s.x_sum / static_cast<double>(X.rows());
        c.y_mean = s.y_sum / static_cast<double>(X.rows());
    } else {
        c.x_mean = Eigen::VectorXd::Zero(X.cols());
    }
    return c;
}

/// Xc = X - mean (a new column-major matrix), in parallel over columns.
inline Eigen::MatrixXd linear_centred_copy(const MatrixRef& X, const Eigen::VectorXd& mean, int threads) {
    Eigen::MatrixXd Z(X.rows(), X.cols());
    parallelize(threads, X.cols(), [&](int, Eigen::Index j0, Eigen::Index len) {
        for (Eigen::Index j = j0; j < j0 + len; ++j) Z.col(j) = X.col(j).array() - mean[j];
    });
    return Z;
}

/// The centred normal equations: G = Xc^T Xc (full symmetric), b = Xc^T yc, yy = yc^T yc, with
/// Xc = X - mean, yc = y - y_mean (or, with `w`, the residual pass b = Xc^T (yc - Xc w)).
/// One pass over X in fixed chunks; the chunk partials are added in chunk order.
struct LinearGram {
    Eigen::MatrixXd G;
    Eigen::VectorXd b;
    double yy = 0.0;
};

inline LinearGram linear_gram(const MatrixRef& X, const VectorRef& y, const LinearCentre& c, int threads, bool with_gram = true,
                              const Eigen::VectorXd* w = nullptr) {
    const Eigen::Index n = X.rows(), p = X.cols();
    const Eigen::Index chunks = linear_num_chunks(n, p);
    std::vector<Eigen::MatrixXd> G_part(static_cast<std::size_t>(chunks));
    Eigen::MatrixXd b_part(p, chunks);
    Eigen::VectorXd yy_part(chunks);
    parallelize(threads, chunks, [&](int, Eigen::Index c0, Eigen::Index len) {
        Eigen::MatrixXd Z(std::min(linear_block_rows, n), p);
        Eigen::VectorXd z(Z.rows());
        for (Eigen::Index ch = c0; ch < c0 + len; ++ch) {
            const Eigen::Index r0 = n * ch / chunks, r1 = n * (ch + 1) / chunks;
            Eigen::MatrixXd& G = G_part[static_cast<std::size_t>(ch)];
            if (with_gram) G.setZero(p, p);
            auto b = b_part.col(ch);
            b.setZero();
            double yy = 0.0;
            for (Eigen::Index s = r0; s < r1; s += linear_block_rows) {
                const Eigen::Index m = std::min(linear_block_rows, r1 - s);
                auto Zb = Z.topRows(m);
                auto zb = z.head(m);
                for (Eigen::Index j = 0; j < p; ++j) Zb.col(j) = X.col(j).segment(s, m).array() - c.x_mean[j];
                zb = y.segment(s, m).array() - c.y_mean;
                if (w != nullptr) zb.noalias() -= Zb * (*w);
                if (with_gram) G.selfadjointView<Eigen::Lower>().rankUpdate(Zb.transpose());
                b.noalias() += Zb.transpose() * zb;
                yy += zb.squaredNorm();
            }
            yy_part[ch] = yy;
        }
    });
    LinearGram out;
    if (with_gram) {
        out.G = Eigen::MatrixXd::Zero(p, p);
        for (const auto& G : G_part) out.G += G;
        out.G.triangularView<Eigen::StrictlyUpper>() = out.G.transpose();
    }
    out.b = Eigen::VectorXd::Zero(p);
    for (Eigen::Index ch = 0; ch < chunks; ++ch) {
        out.b += b_part.col(ch);
        out.yy += yy_part[ch];
    }
    return out;
}

/// Minimum-norm least-squares solution of Xc w = yc by complete orthogonal decomposition
/// (column-pivoted Householder QR, then an RQ of the leading rows): w = pinv(Xc) yc. Its rank
/// uses Eigen's default threshold (|r_ii| > min(n, p) * eps * |r_00|).
struct MinNormSolution {
    Eigen::VectorXd w;
    Eigen::Index rank = 0;
};

inline MinNormSolution linear_min_norm(const Eigen::MatrixXd& Xc, const Eigen::VectorXd& yc) {
    Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod(Xc);
    MinNormSolution s;
    s.w = cod.solve(yc);
    s.rank = cod.rank();
    return s;
}

/// scikit-learn's _solve_svd: w = V diag(s / (s^2 + alpha)) U^T yc over the singular values
/// s > 1e-15; with alpha = 0 also s > max(n, p) * eps * s_max (a rank cut-off: sklearn's absolute
/// 1e-15 alone turns an exactly collinear design into rounding noise).
inline Eigen::VectorXd ridge_svd(const Eigen::MatrixXd& Xc, const Eigen::VectorXd& yc, double alpha) {
    Eigen::BDCSVD<Eigen::MatrixXd> svd(Xc, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const Eigen::VectorXd& s = svd.singularValues();
    const double s_max = s.size() > 0 ? s[0] : 0.0;
    const double rank_cut = static_cast<double>(std::max(Xc.rows(), Xc.cols())) * std::numeric_limits<double>::epsilon() * s_max;
    Eigen::VectorXd uty = svd.matrixU().transpose() * yc;
    for (Eigen::Index i = 0; i < s.size(); ++i) {
        const bool keep = s[i] > 1e-15 && (alpha > 0.0 || s[i] > rank_cut);
        uty[i] = keep ? uty[i] * s[i] / (s[i] * s[i] + alpha) : 0.0;
    }
    return svd.matrixV() * uty;
}

/// Solves (A + alpha I) w = b for a symmetric positive semi-definite A by Cholesky of the
/// equilibrated matrix D^-1 (A + alpha I) D^-1 (unit diagonal). False when the factorisation
/// fails or its reciprocal condition number is below min_rcond (numerically singular).
inline bool ridge_cholesky(const Eigen::MatrixXd& A, const Eigen::VectorXd& b, double alpha, double min_rcond, Eigen::VectorXd& w) {
    const Eigen::Index p = A.rows();
    Eigen::VectorXd d(p);
    for (Eigen::Index j = 0; j < p; ++j) {
        const double a = A(j, j) + alpha;
        if (!(a > 0.0)) return false;
        d[j] = std::sqrt(a);
    }
    Eigen::MatrixXd S = A;
    S.diagonal().array() += alpha;
    S = d.asDiagonal().inverse() * S * d.asDiagonal().inverse();
    Eigen::LLT<Eigen::MatrixXd> llt(S);
    if (llt.info() != Eigen::Success) return false;
    if (!(llt.rcond() >= min_rcond)) return false;
    w = llt.solve(b.cwiseQuotient(d)).cwiseQuotient(d);
    return w.allFinite();
}

// ---- coordinate descent (sklearn's _cd_fast.pyx) ---------------------------------------------

/// How a coordinate-descent run ended (sklearn's scaling: the objective times n_samples).
struct CdResult {
    int n_iter = 0;           ///< sweeps done (sklearn's n_iter_: the last sweep's index + 1)
    double gap = 0.0;         ///< last duality gap computed (n_samples * sklearn's dual_gap_)
    double tol = 0.0;         ///< tol * ||yc||^2, what gap was compared with
    bool converged = false;   ///< gap < tol was reached before max_iter sweeps
};

/// sklearn's RAND_R_MAX and our_rand_r (sklearn/utils/_random.pxd): a 32-bit xorshift whose
/// state 0 is replaced by 1, output reduced modulo 2^31.
inline constexpr std::uint32_t sklearn_rand_r_max = 0x7FFFFFFFu;

inline std::uint32_t sklearn_our_rand_r(std::uint32_t& seed) {
    if (seed == 0) seed = 1;
    seed ^= static_cast<std::uint32_t>(seed << 13);
    seed ^= static_cast<std::uint32_t>(seed >> 17);
    seed ^= static_cast<std::uint32_t>(seed << 5);
    return seed % (sklearn_rand_r_max + 1u);
}

/// The xorshift seed cd_fast draws once per fit: RandomState(random_state).randint(0, RAND_R_MAX).
inline std::uint32_t sklearn_cd_seed(std::uint32_t random_state) {
    std::mt19937 mt(random_state);
    return static_cast<std::uint32_t>(musiclab::detail::numpy_random_interval(mt, sklearn_rand_r_max - 1u));
}

inline double cd_fsign(double f) { return f == 0.0 ? 0.0 : (f > 0.0 ? 1.0 : -1.0); }

/// Minimises 1/2 ||yc - Xc w||^2 + alpha ||w||_1 + beta/2 ||w||^2 over w (in place, from its
/// current value) by cyclic or random coordinate descent: enet_coordinate_descent.
inline CdResult cd_dense(Eigen::VectorXd& w, double alpha, double beta, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, int max_iter,
                         double tol, bool random, std::uint32_t seed, bool positive) {
    const Eigen::Index n_features = X.cols();
    const Eigen::VectorXd norm_cols = X.colwise().squaredNorm().transpose();
    Eigen::VectorXd R = y - X * w;
    Eigen::VectorXd XtA(n_features);
    CdResult res;
    const double d_w_tol = tol;
    res.tol = tol * y.squaredNorm();
    res.gap = res.tol + 1.0;
    std::uint32_t state = seed;
    int it = 0;
    for (it = 0; it < max_iter; ++it) {
        double w_max = 0.0, d_w_max = 0.0;
        for (Eigen::Index f = 0; f < n_features; ++f) {
            const Eigen::Index ii = random ? static_cast<Eigen::Index>(sklearn_our_rand_r(state) % static_cast<std::uint32_t>(n_features)) : f;
            if (norm_cols[ii] == 0.0) continue;
            const double w_ii = w[ii];
            if (w_ii != 0.0) R.noalias() += w_ii * X.col(ii);
            const double tmp = X.col(ii).dot(R);
            if (positive && tmp < 0.0) w[ii] = 0.0;
            else w[ii] = cd_fsign(tmp) * std::max(std::fabs(tmp) - alpha, 0.0) / (norm_cols[ii] + beta);
            if (w[ii] != 0.0) R.noalias() -= w[ii] * X.col(ii);
            d_w_max = std::max(d_w_max, std::fabs(w[ii] - w_ii));
            w_max = std::max(w_max, std::fabs(w[ii]));
        }
        if (w_max == 0.0 || d_w_max / w_max < d_w_tol || it == max_iter - 1) {
            XtA.noalias() = X.transpose() * R;
            XtA -= beta * w;
            const double dual_norm = positive ? XtA.maxCoeff() : XtA.cwiseAbs().maxCoeff();
            const double R_norm2 = R.squaredNorm();
            const double w_norm2 = w.squaredNorm();
            double cst = 1.0;
            if (dual_norm > alpha) {
                cst = alpha / dual_norm;
                res.gap = 0.5 * (R_norm2 + R_norm2 * cst * cst);
            } else {
                res.gap = R_norm2;
            }
            res.gap += alpha * w.lpNorm<1>() - cst * R.dot(y) + 0.5 * beta * (1.0 + cst * cst) * w_norm2;
            if (res.gap < res.tol) {
                res.converged = true;
                break;
            }
        }
    }
    res.n_iter = std::min(it, max_iter - 1) + 1;
    return res;
}

/// The same minimisation from the Gram matrix Q = Xc^T Xc and q = Xc^T yc (O(p) per coordinate
/// update): enet_coordinate_descent_gram. y_norm2 = ||yc||^2.
inline CdResult cd_gram(Eigen::VectorXd& w, double alpha, double beta, const Eigen::MatrixXd& Q, const Eigen::VectorXd& q, double y_norm2,
                        int max_iter, double tol, bool random, std::uint32_t seed, bool positive) {
    const Eigen::Index n_features = Q.rows();
    Eigen::VectorXd H = Q * w;
    Eigen::VectorXd XtA(n_features);
    CdResult res;
    const double d_w_tol = tol;
    res.tol = tol * y_norm2;
    res.gap = res.tol + 1.0;
    std::uint32_t state = seed;
    int it = 0;
    for (it = 0; it < max_iter; ++it) {
        double w_max = 0.0, d_w_max = 0.0;
        for (Eigen::Index f = 0; f < n_features; ++f) {
            const Eigen::Index ii = random ? static_cast<Eigen::Index>(sklearn_our_rand_r(state) % static_cast<std::uint32_t>(n_features)) : f;
            const double q_ii = Q(ii, ii);
            if (q_ii == 0.0) continue;
            const double w_ii = w[ii];
            if (w_ii != 0.0) H.noalias() -= w_ii * Q.col(ii);  // Q symmetric: column ii = row ii
            const double tmp = q[ii] - H[ii];
            if (positive && tmp < 0.0) w[ii] = 0.0;
            else w[ii] = cd_fsign(tmp) * std::max(std::fabs(tmp) - alpha, 0.0) / (q_ii + beta);
            if (w[ii] != 0.0) H.noalias() += w[ii] * Q.col(ii);
            d_w_max = std::max(d_w_max, std::fabs(w[ii] - w_ii));
            w_max = std::max(w_max, std::fabs(w[ii]));
        }
        if (w_max == 0.0 || d_w_max / w_max < d_w_tol || it == max_iter - 1) {
            const double q_dot_w = w.dot(q);
            XtA = q - H - beta * w;
            const double dual_norm = positive ? XtA.maxCoeff() : XtA.cwiseAbs().maxCoeff();
            const double R_norm2 = y_norm2 + w.dot(H) - 2.0 * q_dot_w;
            const double w_norm2 = w.squaredNorm();
            double cst = 1.0;
            if (dual_norm > alpha) {
                cst = alpha / dual_norm;
                res.gap = 0.5 * (R_norm2 + R_norm2 * cst * cst);
            } else {
                res.gap = R_norm2;
            }
            res.gap += alpha * w.lpNorm<1>() - cst * y_norm2 + cst * q_dot_w + 0.5 * beta * (1.0 + cst * cst) * w_norm2;
            if (res.gap < res.tol) {
                res.converged = true;
                break;
            }
        }
    }
    res.n_iter = std::min(it, max_iter - 1) + 1;
    return res;
}

/// X w + b for the rows of X (parallel over row blocks for large X), then the input checks of
/// predict: a non-finite prediction means a NaN / infinity in X (named by check_predict_inputs)
/// or an overflow (returned as is).
inline Eigen::VectorXd linear_predict(const MatrixRef& X, const Eigen::VectorXd& coef, double intercept, bool fitted, int threads,
                                      const char* who) {
    if (!fitted || X.cols() != coef.size()) check_predict_inputs(X, fitted, coef.size(), who);
    const Eigen::Index n = X.rows();
    Eigen::VectorXd out(n);
    const Eigen::Index blocks = n >= 65536 ? std::min<Eigen::Index>(threads, 64) : 1;
    parallelize(blocks, n, [&](int, Eigen::Index r0, Eigen::Index len) {
        out.segment(r0, len).noalias() = X.middleRows(r0, len) * coef;
        out.segment(r0, len).array() += intercept;
    });
    if (!out.allFinite()) check_predict_inputs(X, fitted, coef.size(), who);
    return out;
}

}  // namespace musiclab::models::detail
