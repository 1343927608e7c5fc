// Truncated SVD (latent semantic analysis) with scikit-learn 1.2.1's TruncatedSVD definitions:
// components_, singular_values_, explained_variance_, explained_variance_ratio_, the svd_flip sign
// rule and transform. Two algorithms:
//  - randomized (default): Halko, Martinsson & Tropp's randomized range finder with
//    n_oversamples and n_iter power iterations as scikit-learn's randomized_svd (transpose when
//    n_samples < n_features, 'auto' normaliser = none for n_iter <= 2 else a cheap one), seeded
//    with musiclab::Rng;
//  - exact: implicitly restarted Lanczos (Spectra) on X^T X or X X^T (the smaller one), applied
//    through X without forming it; singular values to ~1e-12 relative.
// Sparse input (Eigen::SparseMatrix, RowMajor as TF-IDF gives it, or ColMajor; float or double)
// is never densified: memory is the input plus O((n + m) (k + n_oversamples)) doubles. See
// docs/svd.md for the math and the parity evidence against ../shared/reference/svd.
//
//     musiclab::linalg::TruncatedSvdOptions opts;
//     opts.n_components = 100;
//     auto [svd, Xk] = musiclab::linalg::fit_transform_truncated_svd(X, opts);  // Xk: n x 100
//     auto Yk = svd.transform(Y);                   // new rows: Y V (row-major n x k)
//     svd.explained_variance_ratio();
//
// Thread safety: fitting reads X only; a fitted TruncatedSvd is immutable and transform() is const
// and thread-safe. Results are bit-identical for every num_threads.
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../core/random.hpp"
#include "detail/svd_kernels.hpp"

#include <Eigen/Core>
#include <Eigen/SVD>
#include <Eigen/SparseCore>
#include <Spectra/SymEigsSolver.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace musiclab::linalg {

/// Row-major dense result: row i holds the k coordinates of row i of X, contiguous.
using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// How the singular triplets are computed (scikit-learn's `algorithm`).
enum class SvdAlgorithm {
    randomized,  ///< randomized range finder + small dense SVD (scikit-learn's 'randomized')
    exact        ///< Lanczos to tolerance `tol` (the role of scikit-learn's 'arpack')
};

/// Normalisation of the basis between power iterations (scikit-learn's power_iteration_normalizer).
enum class PowerIterationNormalizer {
    automatic,     ///< scikit-learn's rule: none when n_iter <= 2, else the cheap one (cholesky_qr_once)
    none,          ///< no normalisation (may overflow or lose the small directions for large n_iter)
    cholesky_qr,   ///< one (shifted if needed) Cholesky-QR step: stands in for scikit-learn's 'LU'
    /// cholesky_qr after the X^T product only (once per power iteration instead of twice): half
    /// the dense work; loses directions only below u (s_0 / s_j)^2 ~ 1, i.e. s_j < 1e-8 s_0
    cholesky_qr_once,
    qr             ///< Householder QR (scikit-learn's 'QR'): orthonormal, about twice the cost
};

/// Options of fit_truncated_svd; defaults are scikit-learn 1.2.1's TruncatedSVD() except
/// n_components (required in practice) and the exact-mode tolerance (arpack's tol=0 means machine
/// precision; here an explicit relative tolerance).
struct TruncatedSvdOptions {
    /// k: number of singular triplets; 1 <= k < min(n_samples, n_features).
    std::size_t n_components = 2;
    SvdAlgorithm algorithm = SvdAlgorithm::randomized;
    /// randomized: extra columns of the random sketch (l = k + n_oversamples, capped at min(n, m)).
    std::size_t n_oversamples = 10;
    /// randomized: power iterations.
    std::size_t n_iter = 5;
    PowerIterationNormalizer power_iteration_normalizer = PowerIterationNormalizer::automatic;
    /// Seed of the Gaussian sketch (randomized) or of the Lanczos start vector (exact).
    std::uint64_t seed = 0;
    /// exact: Spectra's relative tolerance on the Ritz values of the Gram operator (> 0).
    double tol = 1e-12;
    /// exact: Lanczos basis size, k < ncv <= min(n, m); default min(min(n, m), max(2k + 1, 20)).
    std::optional<std::size_t> ncv;
    /// exact: maximum number of Lanczos restarts (>= 1).
    std::size_t max_iter = 1000;
    /// Worker threads (0 = all hardware threads). Results do not depend on it.
    int num_threads = 1;
};

/// How a fit ended.
struct SvdInfo {
    SvdAlgorithm algorithm = SvdAlgorithm::randomized;
    /// randomized: n_iter; exact: Lanczos restarts used.
    std::size_t iterations = 0;
    /// Products of X (or X^T) with a vector or block.
    std::size_t matrix_products = 0;
    /// randomized: the sketch was taken of X^T (n_samples < n_features, scikit-learn's transpose='auto').
    bool transposed = false;
    /// randomized: sketch width l = min(k + n_oversamples, min(n, m)); exact: ncv.
    std::size_t basis_size = 0;
    /// randomized: a Cholesky-QR orthonormalisation fell back to Householder QR (rank-deficient sketch).
    bool householder_fallback = false;
    /// randomized: B's SVD came from its l x l Gram matrix (s_0 / s_{k-1} <= 100), else from TSQR + Jacobi SVD.
    bool gram_small_svd = true;
};

/// A fitted truncated SVD. Immutable; transform() is const and thread-safe.
class TruncatedSvd {
    using Index = Eigen::Index;

public:
    /// True after a fit (a default-constructed model throws not_fitted from transform()).
    bool fitted() const noexcept { return n_features_ > 0; }
    std::size_t n_components() const noexcept { return static_cast<std::size_t>(singular_values_.size()); }
    std::size_t n_features() const noexcept { return static_cast<std::size_t>(n_features_); }
    /// k x m: row j is the j-th right singular vector (scikit-learn's components_), signs by svd_flip.
    const Eigen::MatrixXd& components() const noexcept { return components_; }
    /// Singular values, non-increasing.
    const Eigen::VectorXd& singular_values() const noexcept { return singular_values_; }
    /// Population variance of each column of fit_transform's output (scikit-learn's explained_variance_).
    const Eigen::VectorXd& explained_variance() const noexcept { return explained_variance_; }
    /// explained_variance() / the sum of the population variances of X's columns.
    const Eigen::VectorXd& explained_variance_ratio() const noexcept { return explained_variance_ratio_; }
    const SvdInfo& info() const noexcept { return info_; }

    /// X V (n x k) for new rows X with n_features() columns. Throws not_fitted, shape_mismatch
    /// (column count), invalid_parameter (NaN / infinite entry, num_threads < 0). O(nnz · k).
    template <class Scalar, int Options, class StorageIndex>
    RowMatrixXd transform(const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& X, int num_threads = 1) const;
    /// The same for a dense matrix. O(n m k).
    template <class Derived>
    RowMatrixXd transform(const Eigen::MatrixBase<Derived>& X, int num_threads = 1) const;

private:
    Eigen::MatrixXd components_;  // k x m; its storage is V (m x k) row-major
    Eigen::VectorXd singular_values_, explained_variance_, explained_variance_ratio_;
    Index n_features_ = 0;
    SvdInfo info_;

    template <class Op>
    friend std::pair<TruncatedSvd, RowMatrixXd> fit_transform_operator(const Op&, const TruncatedSvdOptions&);
    void check_transform_input(Index cols) const {
        if (!fitted()) throw not_fitted("TruncatedSvd");
        if (cols != n_features_) throw shape_mismatch("TruncatedSvd::transform: columns of X", static_cast<std::size_t>(n_features_), static_cast<std::size_t>(cols));
    }
};

/// Fits on X (n_samples x n_features) and returns the model and X V (n x k, scikit-learn's
/// fit_transform). Sparse: Eigen::SparseMatrix<float|double, RowMajor|ColMajor>. Throws
/// invalid_parameter on an empty X, a NaN or infinite entry (named by row and column), k out of
/// [1, min(n, m) - 1] and other bad options; musiclab::error if the exact mode does not converge
/// within max_iter restarts.
/// Cost: randomized O((2 n_iter + 3) nnz l + (n + m) l^2), exact O(restarts · ncv · nnz).
template <class Scalar, int Options, class StorageIndex>
std::pair<TruncatedSvd, RowMatrixXd> fit_transform_truncated_svd(const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& X,
                                                                     const TruncatedSvdOptions& opts = {});
/// The same for a dense matrix (any Eigen expression of float or double; read, never copied
/// whole: float blocks of 2048 rows are converted to double for the products).
template <class Derived>
std::pair<TruncatedSvd, RowMatrixXd> fit_transform_truncated_svd(const Eigen::MatrixBase<Derived>& X,
                                                                     const TruncatedSvdOptions& opts = {});

/// Fits only (scikit-learn's fit). Same errors as fit_transform_truncated_svd.
template <class Matrix>
TruncatedSvd fit_truncated_svd(const Matrix& X, const TruncatedSvdOptions& opts = {}) {
    return fit_transform_truncated_svd(X, opts).first;
}

}  // namespace musiclab::linalg

// ------------------------------------------------------------------------------------------------
namespace musiclab::detail::linalg {

template <class Scalar>
inline constexpr bool supported_scalar = std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>;

inline std::string entry_text(const char* what, Index row, Index col) {
    std::string s(what);
    s += " at row ";
    s += std::to_string(row);
    s += ", column ";
    s += std::to_string(col);
    return s;
}

template <class Scalar>
[[noreturn]] void throw_non_finite(Scalar v, Index row, Index col) {
    throw invalid_parameter("X", entry_text(std::isnan(v) ? "NaN" : "infinite value", row, col), "finite entries");
}

/// X as a sparse matrix: the products, the checks and the statistics the fit needs.
template <class Scalar, int Options, class StorageIndex>
class SparseOperator {
public:
    static_assert(supported_scalar<Scalar>, "truncated SVD: sparse input must be float or double");
    explicit SparseOperator(const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& X) : X_(X), view_(compressed_view(X)) {}
    Index rows() const noexcept { return X_.rows(); }
    Index cols() const noexcept { return X_.cols(); }
    /// C = X B (B row-major cols() x l).
    void times(const double* B, Index l, double* C, int threads) const {
        if constexpr (Options & Eigen::RowMajor) compressed_times(view_, B, l, C, threads);
        else compressed_transpose_times(view_, B, l, C, threads);
    }
    /// C = X^T B (B row-major rows() x l).
    void transpose_times(const double* B, Index l, double* C, int threads) const {
        if constexpr (Options & Eigen::RowMajor) compressed_transpose_times(view_, B, l, C, threads);
        else compressed_times(view_, B, l, C, threads);
    }
    void check_finite() const {
        for (Index i = 0; i < view_.outer_size; ++i)
            for (Index p = view_.begin(i); p < view_.end(i); ++p)
                if (!std::isfinite(view_.values[p])) {
                    const Index inner = static_cast<Index>(view_.inner[p]);
                    if constexpr (Options & Eigen::RowMajor) throw_non_finite(view_.values[p], i, inner);
                    else throw_non_finite(view_.values[p], inner, i);
                }
    }
    double total_variance() const { return total_column_variance(X_); }

private:
    const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& X_;
    CompressedView<Scalar, StorageIndex> view_;
};

/// X as a dense Eigen expression.
template <class Derived>
class DenseOperator {
public:
    static_assert(supported_scalar<typename Derived::Scalar>, "truncated SVD: dense input must be float or double");
    explicit DenseOperator(const Derived& X) : X_(X) {}
    Index rows() const noexcept { return X_.rows(); }
    Index cols() const noexcept { return X_.cols(); }
    void times(const double* B, Index l, double* C, int threads) const { dense_times(X_, B, l, C, threads); }
    void transpose_times(const double* B, Index l, double* C, int threads) const { dense_transpose_times(X_, B, l, C, threads); }
    void check_finite() const {
        for (Index j = 0; j < X_.cols(); ++j)
            for (Index i = 0; i < X_.rows(); ++i)
                if (!std::isfinite(X_(i, j))) throw_non_finite(X_(i, j), i, j);
    }
    double total_variance() const { return total_column_variance_dense(X_); }

private:
    const Derived& X_;
};

/// The logical matrix M = X (or X^T when `transposed`) the randomized sketch is taken of.
template <class Op>
struct Oriented {
    const Op& op;
    bool transposed;
    Index rows() const { return transposed ? op.cols() : op.rows(); }
    Index cols() const { return transposed ? op.rows() : op.cols(); }
    void times(const RowMatrix& B, RowMatrix& C, int threads) const {
        C.resize(rows(), B.cols());
        if (transposed) op.transpose_times(B.data(), B.cols(), C.data(), threads);
        else op.times(B.data(), B.cols(), C.data(), threads);
    }
    void transpose_times(const RowMatrix& B, RowMatrix& C, int threads) const {
        C.resize(cols(), B.cols());
        if (transposed) op.times(B.data(), B.cols(), C.data(), threads);
        else op.transpose_times(B.data(), B.cols(), C.data(), threads);
    }
};

/// Spectra operator y = X^T X x (features side) or y = X X^T x (samples side), through X.
template <class Op>
class GramOperator {
public:
    using Scalar = double;
    GramOperator(const Op& op, bool features_side, int threads)
        : op_(op), features_(features_side), threads_(threads),
          tmp_(static_cast<std::size_t>(features_side ? op.rows() : op.cols())) {}
    Index rows() const { return features_ ? op_.cols() : op_.rows(); }
    Index cols() const { return rows(); }
    void perform_op(const double* x, double* y) const {
        ++products_;
        if (features_) {
            op_.times(x, 1, tmp_.data(), threads_);
            op_.transpose_times(tmp_.data(), 1, y, threads_);
        } else {
            op_.transpose_times(x, 1, tmp_.data(), threads_);
            op_.times(tmp_.data(), 1, y, threads_);
        }
    }
    std::size_t products() const noexcept { return 2 * products_; }

private:
    const Op& op_;
    bool features_;
    int threads_;
    mutable std::vector<double> tmp_;
    mutable std::size_t products_ = 0;
};

/// svd_flip (u-based): sign of column j = sign of U's entry of largest magnitude in column j
/// (first such row on ties; +1 for an all-zero column).
inline Eigen::VectorXd flip_signs(const RowMatrix& U) {
    Eigen::VectorXd sign = Eigen::VectorXd::Ones(U.cols());
    for (Index j = 0; j < U.cols(); ++j) {
        double best = -1.0, value = 0.0;
        for (Index i = 0; i < U.rows(); ++i) {
            const double a = std::abs(U(i, j));
            if (a > best) {
                best = a;
                value = U(i, j);
            }
        }
        if (value < 0) sign[j] = -1.0;
    }
    return sign;
}

}  // namespace musiclab::detail::linalg

namespace musiclab::linalg {

/// Internal: the fit on an operator of detail::linalg (SparseOperator / DenseOperator); call
/// fit_transform_truncated_svd instead.
template <class Op>
std::pair<TruncatedSvd, RowMatrixXd> fit_transform_operator(const Op& op, const TruncatedSvdOptions& opts) {
    namespace dl = musiclab::detail::linalg;
    using dl::RowMatrix;
    using Index = Eigen::Index;
    const Index n = op.rows(), m = op.cols();
    // ---- validation
    if (n == 0 || m == 0) {
        std::string shape = std::to_string(n);
        shape += " x ";
        shape += std::to_string(m);
        shape += " matrix";
        throw invalid_parameter("X", shape, "at least 2 rows and 2 columns");
    }
    const Index min_dim = std::min(n, m);
    const auto k_requested = opts.n_components;
    if (k_requested < 1 || k_requested >= static_cast<std::size_t>(min_dim)) {
        std::string allowed = "1 <= n_components < min(n_samples, n_features) = ";
        allowed += std::to_string(min_dim);
        throw invalid_parameter("n_components", k_requested, allowed);
    }
    const auto k = static_cast<Index>(k_requested);
    if (opts.algorithm != SvdAlgorithm::randomized && opts.algorithm != SvdAlgorithm::exact)
        throw invalid_parameter("algorithm", static_cast<int>(opts.algorithm), "randomized or exact");
    if (opts.algorithm == SvdAlgorithm::exact) {
        if (!(opts.tol > 0.0) || !std::isfinite(opts.tol)) throw invalid_parameter("tol", opts.tol, "finite and > 0");
        if (opts.max_iter < 1) throw invalid_parameter("max_iter", opts.max_iter, ">= 1");
        if (opts.ncv && (*opts.ncv <= k_requested || *opts.ncv > static_cast<std::size_t>(min_dim))) {
            std::string allowed = "n_components < ncv <= min(n_samples, n_features) = ";
            allowed += std::to_string(min_dim);
            throw invalid_parameter("ncv", *opts.ncv, allowed);
        }
    } else {
        const auto norm = opts.power_iteration_normalizer;
        if (norm != PowerIterationNormalizer::automatic && norm != PowerIterationNormalizer::none &&
            norm != PowerIterationNormalizer::cholesky_qr && norm != PowerIterationNormalizer::cholesky_qr_once &&
            norm != PowerIterationNormalizer::qr)
            throw invalid_parameter("power_iteration_normalizer", static_cast<int>(norm), "automatic, none, cholesky_qr, cholesky_qr_once or qr");
    }
    const int threads = resolve_threads(opts.num_threads);
    op.check_finite();
    const dl::OmpThreadsScope serial_eigen(1);  // Eigen never splits a product itself (see the kernels)

    TruncatedSvd model;
    model.n_features_ = m;
    model.info_.algorithm = opts.algorithm;
    RowMatrix V;  // m x k right singular vectors
    Eigen::VectorXd sign;  // svd_flip signs of the k columns
    Eigen::VectorXd s(k);

    if (opts.algorithm == SvdAlgorithm::randomized) {
        const bool transposed = n < m;  // scikit-learn's transpose='auto'
        const dl::Oriented<Op> M{op, transposed};
        const Index q = M.cols();  // = min(n, m)
        const Index l = std::min<Index>(k + static_cast<Index>(opts.n_oversamples), q);
        auto norm = opts.power_iteration_normalizer;
        if (norm == PowerIterationNormalizer::automatic)
            norm = opts.n_iter <= 2 ? PowerIterationNormalizer::none : PowerIterationNormalizer::cholesky_qr_once;
        auto normalize = [&](RowMatrix& A, bool after_transpose) {
            if (norm == PowerIterationNormalizer::cholesky_qr || (norm == PowerIterationNormalizer::cholesky_qr_once && after_transpose))
                dl::cholesky_normalize(A, threads);
            else if (norm == PowerIterationNormalizer::qr) dl::householder_orthonormalize(A);
        };
        // Gaussian sketch, drawn row by row (q x l).
        RowMatrix Qm(q, l);
        Rng rng(opts.seed);
        for (Index i = 0; i < Qm.size(); ++i) Qm.data()[i] = rng.normal();
        RowMatrix Y;
        std::size_t products = 0;
        for (std::size_t it = 0; it < opts.n_iter; ++it) {
            M.times(Qm, Y, threads);
            normalize(Y, false);
            M.transpose_times(Y, Qm, threads);
            normalize(Qm, true);
            products += 2;
        }
        M.times(Qm, Y, threads);
        Qm = RowMatrix();
        const bool fallback = dl::orthonormalize(Y, threads);  // Y = Q, p x l, orthonormal columns
        RowMatrix Bt;                                          // B^T = M^T Q, q x l
        M.transpose_times(Y, Bt, threads);
        products += 2;
        // The SVD of the l x q matrix B = Q^T M = Bt^T: from the l x l Gram matrix B B^T when
        // s_0 / s_{k-1} <= 100 (relative error ~ u (s_0 / s_j)^2 <= 1e-12), else from Bt = Qb R
        // (TSQR) and the SVD of R^T (B = R^T Qb^T): full accuracy.
        Eigen::VectorXd sl;
        Eigen::MatrixXd Uhat;
        dl::small_svd_from_gram(Bt, threads, sl, Uhat);
        if (!(sl[k - 1] >= 1e-2 * sl[0])) {
            const Eigen::MatrixXd R = dl::r_factor(Bt, threads);
            Eigen::JacobiSVD<Eigen::MatrixXd> small(R.transpose(), Eigen::ComputeFullU);
            sl = small.singularValues();
            Uhat = small.matrixU();
            model.info_.gram_small_svd = false;
        }
        Uhat.conservativeResize(Eigen::NoChange, k);
        s = sl.head(k);
        // M^T's left singular vectors: Bt Uhat S^{-1} (q x k); M's: Q Uhat (p x k).
        RowMatrix W;
        dl::multiply_rows(Bt, Uhat, W, threads);
        const double cutoff = s[0] * static_cast<double>(l) * std::numeric_limits<double>::epsilon();
        for (Index j = 0; j < k; ++j) {
            if (s[j] > cutoff) W.col(j) /= s[j];
            else {
                W.col(j).setZero();  // rank(X) < k: no direction; documented
                s[j] = 0.0;
            }
        }
        Bt = RowMatrix();
        if (!transposed) {
            V = std::move(W);
            sign = dl::flip_signs_of_product(Y, Uhat, threads);  // svd_flip on U = Q Uhat
        } else {
            sign = dl::flip_signs(W);  // U = W; scikit-learn's v-based flip of the transposed problem
            dl::multiply_rows(Y, Uhat, V, threads);
        }
        model.info_.iterations = opts.n_iter;
        model.info_.matrix_products = products;
        model.info_.transposed = transposed;
        model.info_.basis_size = static_cast<std::size_t>(l);
        model.info_.householder_fallback = fallback;
    } else {
        const bool features_side = m <= n;
        const Index dim = features_side ? m : n;
        const Index ncv = opts.ncv ? static_cast<Index>(*opts.ncv) : std::min<Index>(dim, std::max<Index>(2 * k + 1, 20));
        dl::GramOperator<Op> gram(op, features_side, threads);
        Spectra::SymEigsSolver<dl::GramOperator<Op>> eigs(gram, k, ncv);
        Eigen::VectorXd v0(dim);
        Rng rng(opts.seed);
        for (Index i = 0; i < dim; ++i) v0[i] = rng.uniform(-1.0, 1.0);  // as scikit-learn's _init_arpack_v0
        eigs.init(v0.data());
        eigs.compute(Spectra::SortRule::LargestAlge, static_cast<Index>(opts.max_iter), opts.tol, Spectra::SortRule::LargestAlge);
        if (eigs.info() != Spectra::CompInfo::Successful) {
            std::string what = "truncated SVD (exact): Lanczos did not converge to tol = ";
            what += std::to_string(opts.tol);
            what += " within max_iter = ";
            what += std::to_string(opts.max_iter);
            what += " restarts (increase max_iter or ncv, or loosen tol)";
            throw musiclab::error(what);
        }
        const RowMatrix vectors = eigs.eigenvectors();  // dim x k, eigenvalues non-increasing
        model.info_.iterations = static_cast<std::size_t>(eigs.num_iterations());
        model.info_.basis_size = static_cast<std::size_t>(ncv);
        if (features_side) {
            V = vectors;
            RowMatrix U(n, k);
            op.times(V.data(), k, U.data(), threads);  // X V = U S
            for (Index j = 0; j < k; ++j) s[j] = U.col(j).norm();
            sign = dl::flip_signs(U);
        } else {
            const RowMatrix& U = vectors;
            sign = dl::flip_signs(U);
            V.resize(m, k);
            op.transpose_times(U.data(), k, V.data(), threads);  // X^T U = V S
            for (Index j = 0; j < k; ++j) {
                s[j] = V.col(j).norm();
                if (s[j] > 0) V.col(j) /= s[j];
            }
        }
        model.info_.matrix_products = gram.products() + 1;
    }

    // svd_flip, then components_ = V^T and X_transformed = X V.
    for (Index j = 0; j < k; ++j) V.col(j) *= sign[j];
    RowMatrix Xk(n, k);
    op.times(V.data(), k, Xk.data(), threads);
    model.info_.matrix_products += 1;
    model.components_ = V.transpose();
    V = RowMatrix();
    model.singular_values_ = s;
    model.explained_variance_ = dl::column_variances(Xk);
    const double total = op.total_variance();
    model.explained_variance_ratio_ = model.explained_variance_ / total;
    return {std::move(model), std::move(Xk)};
}

template <class Scalar, int Options, class StorageIndex>
std::pair<TruncatedSvd, RowMatrixXd> fit_transform_truncated_svd(const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& X,
                                                                     const TruncatedSvdOptions& opts) {
    return fit_transform_operator(musiclab::detail::linalg::SparseOperator<Scalar, Options, StorageIndex>(X), opts);
}

template <class Derived>
std::pair<TruncatedSvd, RowMatrixXd> fit_transform_truncated_svd(const Eigen::MatrixBase<Derived>& X,
                                                                     const TruncatedSvdOptions& opts) {
    return fit_transform_operator(musiclab::detail::linalg::DenseOperator<Derived>(X.derived()), opts);
}

template <class Scalar, int Options, class StorageIndex>
RowMatrixXd TruncatedSvd::transform(const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& X, int num_threads) const {
    namespace dl = musiclab::detail::linalg;
    check_transform_input(X.cols());
    const int threads = resolve_threads(num_threads);
    const dl::OmpThreadsScope serial_eigen(1);
    const dl::SparseOperator<Scalar, Options, StorageIndex> op(X);
    op.check_finite();
    const auto k = static_cast<Index>(n_components());
    RowMatrixXd out(X.rows(), k);
    op.times(components_.data(), k, out.data(), threads);  // components_ storage = V row-major
    return out;
}

template <class Derived>
RowMatrixXd TruncatedSvd::transform(const Eigen::MatrixBase<Derived>& X, int num_threads) const {
    namespace dl = musiclab::detail::linalg;
    check_transform_input(X.cols());
    const int threads = resolve_threads(num_threads);
    const dl::OmpThreadsScope serial_eigen(1);
    const dl::DenseOperator<Derived> op(X.derived());
    op.check_finite();
    const auto k = static_cast<Index>(n_components());
    RowMatrixXd out(X.rows(), k);
    op.times(components_.data(), k, out.data(), threads);
    return out;
}

}  // namespace musiclab::linalg
