// Internals of musiclab/linalg/truncated_svd.hpp: products of a sparse or dense input with dense
// blocks, basis normalisation (Cholesky QR, Householder QR), the R factor of a tall matrix (TSQR),
// column statistics. Every routine gives the same bits for every thread count: parallel work is
// cut into pieces that do not depend on the number of workers, and sums run in a fixed order.
#pragma once

#include "../../core/error.hpp"
#include "../../core/parallel.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/Core>
#include <Eigen/Householder>
#include <Eigen/QR>
#include <Eigen/SVD>
#include <Eigen/SparseCore>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace musiclab::detail::linalg {

using Index = Eigen::Index;
/// Dense blocks are row-major: row i of an n x l block is contiguous (what the sparse kernels read).
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Sets the calling thread's OpenMP thread-count ICV (what Eigen's GEMM reads through
/// omp_get_max_threads()) for the lifetime of the object. The fit holds OmpThreadsScope(1) so that
/// Eigen never splits a product itself (its parallel GEMM rounds differently from its serial one);
/// musiclab cuts the work into fixed blocks instead. The ICV is per thread: others are not affected.
class OmpThreadsScope {
public:
    explicit OmpThreadsScope([[maybe_unused]] int n) {
#ifdef _OPENMP
        saved_ = omp_get_max_threads();
        omp_set_num_threads(std::max(n, 1));
#endif
    }
    ~OmpThreadsScope() {
#ifdef _OPENMP
        omp_set_num_threads(saved_);
#endif
    }
    OmpThreadsScope(const OmpThreadsScope&) = delete;
    OmpThreadsScope& operator=(const OmpThreadsScope&) = delete;

private:
    [[maybe_unused]] int saved_ = 1;
};

/// Worker count for a piece of work of about `flops` multiply-adds: one below 2^20 (an OpenMP
/// fork and join costs more than it saves, badly so on a loaded machine, e.g. for the
/// single-vector Lanczos products of a small matrix). Every kernel's result is independent of the
/// worker count, so this changes speed only.
inline int workers_for(double flops, int threads) noexcept { return flops < 1048576.0 ? 1 : threads; }

// ---- sparse ------------------------------------------------------------------------------------

/// Compressed view of an Eigen sparse matrix along its storage order: `outer` lines (rows of a
/// RowMajor matrix), line i holding the entries [begin(i), end(i)) of `inner` / `values`.
template <class Scalar, class StorageIndex>
struct CompressedView {
    Index outer_size = 0;
    Index inner_size = 0;
    const StorageIndex* outer = nullptr;
    const StorageIndex* inner_nnz = nullptr;  // non-null for an uncompressed matrix
    const StorageIndex* inner = nullptr;
    const Scalar* values = nullptr;

    Index begin(Index i) const noexcept { return static_cast<Index>(outer[i]); }
    Index end(Index i) const noexcept {
        return inner_nnz ? static_cast<Index>(outer[i]) + static_cast<Index>(inner_nnz[i]) : static_cast<Index>(outer[i + 1]);
    }
};

template <class Scalar, int Options, class StorageIndex>
CompressedView<Scalar, StorageIndex> compressed_view(const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& X) {
    CompressedView<Scalar, StorageIndex> v;
    v.outer_size = X.outerSize();
    v.inner_size = X.innerSize();
    v.outer = X.outerIndexPtr();
    v.inner_nnz = X.innerNonZeroPtr();
    v.inner = X.innerIndexPtr();
    v.values = X.valuePtr();
    return v;
}

/// C = A B with A the compressed view read as an outer_size x inner_size matrix, B row-major
/// inner_size x l, C row-major outer_size x l. Lines in parallel; each output row sums its entries
/// in storage order. O(nnz · l).
template <class Scalar, class StorageIndex>
void compressed_times(const CompressedView<Scalar, StorageIndex>& A, const double* B, Index l, double* C, int threads) {
    if (A.outer_size == 0) return;
    threads = workers_for(static_cast<double>(A.end(A.outer_size - 1)) * static_cast<double>(l), threads);
    parallelize(threads, A.outer_size, [&](int, Index start, Index length) {
        for (Index i = start; i < start + length; ++i) {
            double* __restrict c = C + i * l;
            std::fill(c, c + l, 0.0);
            const Index e = A.end(i);
            for (Index p = A.begin(i); p < e; ++p) {
                const double v = static_cast<double>(A.values[p]);
                const double* __restrict b = B + static_cast<Index>(A.inner[p]) * l;
                for (Index t = 0; t < l; ++t) c[t] += v * b[t];
            }
        }
    });
}

/// Below this many columns, compressed_transpose_times reduces over row chunks instead of
/// splitting the columns between workers.
inline constexpr Index column_split_min = 16;

/// C = A^T B with A as in compressed_times, B row-major outer_size x l, C row-major inner_size x l.
/// l >= column_split_min: the workers take contiguous column ranges and each scans all of A, so
/// every entry of C is a sum over the lines of A in increasing order (no extra memory).
/// l < column_split_min: the lines are cut into a number of chunks that depends on l only, the
/// chunks' partial products (inner_size x l each) are computed in parallel and added in chunk
/// order. Either way the result does not depend on the thread count. O(nnz · l).
template <class Scalar, class StorageIndex>
void compressed_transpose_times(const CompressedView<Scalar, StorageIndex>& A, const double* B, Index l, double* C,
                                int threads) {
    const Index m = A.inner_size;
    if (A.outer_size == 0) {
        std::fill(C, C + m * l, 0.0);
        return;
    }
    threads = workers_for(static_cast<double>(A.end(A.outer_size - 1)) * static_cast<double>(l), threads);
    auto accumulate = [&](Index line_begin, Index line_end, Index c0, Index c1, double* out) {
        for (Index i = line_begin; i < line_end; ++i) {
            const double* __restrict b = B + i * l + c0;
            const Index e = A.end(i);
            for (Index p = A.begin(i); p < e; ++p) {
                const double v = static_cast<double>(A.values[p]);
                double* __restrict c = out + static_cast<Index>(A.inner[p]) * l + c0;
                for (Index t = 0; t < c1 - c0; ++t) c[t] += v * b[t];
            }
        }
    };
    if (l >= column_split_min || A.outer_size < 2) {
        std::fill(C, C + m * l, 0.0);
        parallelize(threads, l, [&](int, Index c0, Index len) { accumulate(0, A.outer_size, c0, c0 + len, C); });
        return;
    }
    const Index chunks = std::min<Index>(A.outer_size, std::clamp<Index>(32 / std::max<Index>(l, 1), 1, 8));
    std::vector<double> partial(static_cast<std::size_t>((chunks - 1) * m * l));
    parallelize(threads, chunks, [&](int, Index c_start, Index c_len) {
        for (Index c = c_start; c < c_start + c_len; ++c) {
            const Index lb = A.outer_size * c / chunks;
            const Index le = A.outer_size * (c + 1) / chunks;
            double* out = c == 0 ? C : partial.data() + (c - 1) * m * l;
            std::fill(out, out + m * l, 0.0);
            accumulate(lb, le, 0, l, out);
        }
    });
    parallelize(threads, m * l, [&](int, Index s, Index len) {
        for (Index c = 1; c < chunks; ++c) {
            const double* p = partial.data() + (c - 1) * m * l;
            for (Index t = s; t < s + len; ++t) C[t] += p[t];
        }
    });
}

// ---- dense -------------------------------------------------------------------------------------

/// Rows per block of a dense product X B (row blocks) and columns per block of X^T B.
inline constexpr Index dense_block_rows = 1024;
inline constexpr Index dense_block_cols = 64;

/// C = X B (X dense n x m, any Eigen expression; B row-major m x l; C row-major n x l). Fixed
/// blocks of rows, one Eigen GEMM each (serial: the caller holds an OmpThreadsScope(1)), blocks in
/// parallel; float blocks are converted to double first.
template <class Derived>
void dense_times(const Derived& X, const double* B, Index l, double* C, int threads) {
    threads = workers_for(static_cast<double>(X.rows()) * static_cast<double>(X.cols()) * static_cast<double>(l), threads);
    Eigen::Map<const RowMatrix> b(B, X.cols(), l);
    Eigen::Map<RowMatrix> c(C, X.rows(), l);
    const Index blocks = (X.rows() + dense_block_rows - 1) / dense_block_rows;
    parallelize(threads, blocks, [&](int, Index b0, Index nb) {
        for (Index blk = b0; blk < b0 + nb; ++blk) {
            const Index s = blk * dense_block_rows, len = std::min(dense_block_rows, X.rows() - s);
            if constexpr (std::is_same_v<typename Derived::Scalar, double>) c.middleRows(s, len).noalias() = X.middleRows(s, len) * b;
            else c.middleRows(s, len).noalias() = X.middleRows(s, len).template cast<double>() * b;
        }
    });
}

/// C = X^T B (B row-major n x l; C row-major m x l): fixed blocks of X's columns, each a full-depth
/// serial GEMM, blocks in parallel.
template <class Derived>
void dense_transpose_times(const Derived& X, const double* B, Index l, double* C, int threads) {
    threads = workers_for(static_cast<double>(X.rows()) * static_cast<double>(X.cols()) * static_cast<double>(l), threads);
    Eigen::Map<const RowMatrix> b(B, X.rows(), l);
    Eigen::Map<RowMatrix> c(C, X.cols(), l);
    const Index blocks = (X.cols() + dense_block_cols - 1) / dense_block_cols;
    parallelize(threads, blocks, [&](int, Index b0, Index nb) {
        for (Index blk = b0; blk < b0 + nb; ++blk) {
            const Index s = blk * dense_block_cols, len = std::min(dense_block_cols, X.cols() - s);
            if constexpr (std::is_same_v<typename Derived::Scalar, double>) c.middleRows(s, len).noalias() = X.middleCols(s, len).transpose() * b;
            else c.middleRows(s, len).noalias() = X.middleCols(s, len).template cast<double>().transpose() * b;
        }
    });
}

/// out = A M (A row-major n x l, M l x k): fixed row blocks in parallel, serial GEMM each.
inline void multiply_rows(const RowMatrix& A, const Eigen::MatrixXd& M, RowMatrix& out, int threads) {
    out.resize(A.rows(), M.cols());
    threads = workers_for(static_cast<double>(A.rows()) * static_cast<double>(A.cols()) * static_cast<double>(M.cols()), threads);
    const Index blocks = (A.rows() + dense_block_rows - 1) / dense_block_rows;
    parallelize(threads, blocks, [&](int, Index b0, Index nb) {
        for (Index blk = b0; blk < b0 + nb; ++blk) {
            const Index s = blk * dense_block_rows, len = std::min(dense_block_rows, A.rows() - s);
            out.middleRows(s, len).noalias() = A.middleRows(s, len) * M;
        }
    });
}

/// A^T A for a row-major n x l A (SYRK: lower triangle, then mirrored): partial Gram matrices
/// of fixed row chunks (their number depends on n only) computed in parallel and added in chunk
/// order. O(n l^2 / 2).
inline Eigen::MatrixXd gram(const RowMatrix& A, int threads) {
    const Index n = A.rows(), l = A.cols();
    threads = workers_for(static_cast<double>(n) * static_cast<double>(l) * static_cast<double>(l), threads);
    const Index chunk_rows = 4096;
    const Index chunks = std::max<Index>(1, (n + chunk_rows - 1) / chunk_rows);
    std::vector<Eigen::MatrixXd> partial(static_cast<std::size_t>(chunks));
    parallelize(threads, chunks, [&](int, Index c0, Index nc) {
        for (Index c = c0; c < c0 + nc; ++c) {
            const Index s = c * chunk_rows, len = std::min(chunk_rows, n - s);
            auto& g = partial[static_cast<std::size_t>(c)];
            g = Eigen::MatrixXd::Zero(l, l);
            g.selfadjointView<Eigen::Lower>().rankUpdate(A.middleRows(s, len).transpose());
        }
    });
    Eigen::MatrixXd G = Eigen::MatrixXd::Zero(l, l);
    for (const auto& g : partial) G += g;
    return G.selfadjointView<Eigen::Lower>();
}

/// A <- A T for an upper-triangular l x l T (TRMM: half a GEMM's flops), in fixed row blocks in
/// parallel (no n x l temporary).
inline void multiply_rows_in_place_upper(RowMatrix& A, const Eigen::MatrixXd& T, int threads) {
    threads = workers_for(static_cast<double>(A.rows()) * static_cast<double>(A.cols()) * static_cast<double>(T.cols()) / 2, threads);
    const Index blocks = (A.rows() + dense_block_rows - 1) / dense_block_rows;
    parallelize(threads, blocks, [&](int, Index b0, Index nb) {
        RowMatrix tmp;
        for (Index b = b0; b < b0 + nb; ++b) {
            const Index s = b * dense_block_rows;
            const Index len = std::min(dense_block_rows, A.rows() - s);
            tmp.noalias() = A.middleRows(s, len) * T.triangularView<Eigen::Upper>();
            A.middleRows(s, len) = tmp;
        }
    });
}

/// One Cholesky-QR step: G = A^T A (+ shift · I), R = chol(G), A <- A R^{-1}. The shift
/// 11 (n l + l (l + 1)) u ||A||_F^2 (Fukaya et al., "Shifted Cholesky QR for computing the QR
/// factorization of ill-conditioned matrices", SIAM J. Sci. Comput. 2020) makes the factorisation
/// succeed for any A of full numerical rank; without it, false is returned (A unchanged) when G is
/// not numerically positive definite or R's diagonal spans more than 1e7. `cond`, when given,
/// receives R's 2-norm condition number (an l x l SVD). O(n l^2).
inline bool cholesky_qr_step(RowMatrix& A, bool shifted, int threads, double* cond = nullptr) {
    const Index l = A.cols();
    Eigen::MatrixXd G = gram(A, threads);
    const double trace = G.trace();
    if (!(trace > 0.0) || !std::isfinite(trace)) return false;
    if (shifted) {
        const double u = std::numeric_limits<double>::epsilon() / 2;
        const double shift = 11.0 * (static_cast<double>(A.rows()) * static_cast<double>(l) + static_cast<double>(l * (l + 1))) * u * trace;
        G.diagonal().array() += shift;
    }
    Eigen::LLT<Eigen::MatrixXd> llt(G);
    if (llt.info() != Eigen::Success) return false;
    const Eigen::MatrixXd R = llt.matrixU();
    const Eigen::VectorXd d = R.diagonal().cwiseAbs();
    // cond(R)^2 = cond(G): beyond ~1/sqrt(u) the unshifted step loses orthogonality badly.
    if (!shifted && d.minCoeff() < 1e-7 * d.maxCoeff()) return false;
    if (cond) {
        const Eigen::VectorXd sv = Eigen::JacobiSVD<Eigen::MatrixXd>(R).singularValues();
        *cond = sv[0] / sv[l - 1];
    }
    const Eigen::MatrixXd Rinv = R.triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(l, l));
    multiply_rows_in_place_upper(A, Rinv, threads);
    return true;
}

/// A <- the thin Q of Householder QR of A (Eigen, blocked). O(n l^2), one thread.
inline void householder_orthonormalize(RowMatrix& A) {
    const Index n = A.rows(), l = A.cols();
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(A);
    A = qr.householderQ() * Eigen::MatrixXd::Identity(n, l);
}

/// Cheap normalisation between power iterations (the role of scikit-learn's LU): one Cholesky-QR
/// step, shifted when the plain one fails. The columns end up well conditioned (not exactly
/// orthonormal), which is all the next product needs.
inline void cholesky_normalize(RowMatrix& A, int threads) {
    if (!cholesky_qr_step(A, false, threads) && !cholesky_qr_step(A, true, threads)) householder_orthonormalize(A);
}

/// Orthonormal basis of range(A) in place (scikit-learn's final QR) by Cholesky QR: one step when
/// it leaves A orthonormal to u cond(A)^2 <= 1e-13, else a second step (CholeskyQR2: orthonormal
/// to working precision for cond(A) up to ~1e7; beyond that the first step is shifted). A
/// numerically rank-deficient A falls back to Householder QR; returns true then.
inline bool orthonormalize(RowMatrix& A, int threads) {
    double cond = 0.0;
    RowMatrix backup;
    if (!cholesky_qr_step(A, false, threads, &cond)) {
        backup = A;
        if (!cholesky_qr_step(A, true, threads)) {
            householder_orthonormalize(A);
            return true;
        }
        cond = std::numeric_limits<double>::infinity();
    }
    if (std::numeric_limits<double>::epsilon() * cond * cond <= 1e-13) return false;
    if (!cholesky_qr_step(A, false, threads)) {
        if (backup.size() > 0) A = std::move(backup);
        householder_orthonormalize(A);
        return true;
    }
    return false;
}

/// The l x l upper-triangular R of A = Q R (A row-major q x l, q >= l), by TSQR: A's rows are cut
/// into chunks of at least max(4096, l) rows (their number depends on q and l only), each chunk is
/// Householder-factorised in parallel, and the stacked R factors are factorised once more.
inline Eigen::MatrixXd r_factor(const RowMatrix& A, int threads) {
    const Index q = A.rows(), l = A.cols();
    const Index min_rows = std::max<Index>(4096, l);
    const Index chunks = std::max<Index>(1, q / min_rows);
    Eigen::MatrixXd stacked(chunks * l, l);
    parallelize(threads, chunks, [&](int, Index c0, Index nc) {
        for (Index c = c0; c < c0 + nc; ++c) {
            const Index s = q * c / chunks, e = q * (c + 1) / chunks;
            Eigen::HouseholderQR<Eigen::MatrixXd> qr(A.middleRows(s, e - s));
            stacked.middleRows(c * l, l) = qr.matrixQR().topRows(l).triangularView<Eigen::Upper>();
        }
    });
    if (chunks == 1) return stacked;
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(stacked);
    return qr.matrixQR().topRows(l).triangularView<Eigen::Upper>();
}

/// svd_flip (u-based) for U = A M without storing U (A row-major n x l, M l x k): the sign of
/// column j is the sign of U's entry of largest magnitude in column j (first such row on ties; +1
/// for an all-zero column). Fixed row blocks in parallel, block results combined in row order.
inline Eigen::VectorXd flip_signs_of_product(const RowMatrix& A, const Eigen::MatrixXd& M, int threads) {
    const Index n = A.rows(), k = M.cols();
    threads = workers_for(static_cast<double>(n) * static_cast<double>(A.cols()) * static_cast<double>(k), threads);
    const Index blocks = std::max<Index>(1, (n + dense_block_rows - 1) / dense_block_rows);
    Eigen::MatrixXd best = Eigen::MatrixXd::Constant(k, blocks, -1.0), value = Eigen::MatrixXd::Zero(k, blocks);
    parallelize(threads, blocks, [&](int, Index b0, Index nb) {
        RowMatrix tmp;
        for (Index b = b0; b < b0 + nb; ++b) {
            const Index s = b * dense_block_rows, len = std::min(dense_block_rows, n - s);
            if (len <= 0) continue;
            tmp.noalias() = A.middleRows(s, len) * M;
            for (Index i = 0; i < len; ++i)
                for (Index j = 0; j < k; ++j)
                    if (std::abs(tmp(i, j)) > best(j, b)) {
                        best(j, b) = std::abs(tmp(i, j));
                        value(j, b) = tmp(i, j);
                    }
        }
    });
    Eigen::VectorXd sign = Eigen::VectorXd::Ones(k);
    for (Index j = 0; j < k; ++j) {
        double top = -1.0, v = 0.0;
        for (Index b = 0; b < blocks; ++b)
            if (best(j, b) > top) {
                top = best(j, b);
                v = value(j, b);
            }
        if (v < 0) sign[j] = -1.0;
    }
    return sign;
}

/// Singular values (non-increasing) and left singular vectors of B = Bt^T (Bt row-major q x l),
/// from the eigendecomposition of the l x l Gram matrix B B^T = Bt^T Bt. Relative error of s_j
/// about u (s_0 / s_j)^2: the caller uses it only when s_0 / s_{k-1} <= 100.
inline void small_svd_from_gram(const RowMatrix& Bt, int threads, Eigen::VectorXd& s, Eigen::MatrixXd& Uhat) {
    const Index l = Bt.cols();
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(gram(Bt, threads));
    s.resize(l);
    Uhat.resize(l, l);
    for (Index j = 0; j < l; ++j) {
        s[j] = std::sqrt(std::max(es.eigenvalues()[l - 1 - j], 0.0));
        Uhat.col(j) = es.eigenvectors().col(l - 1 - j);
    }
}

// ---- statistics --------------------------------------------------------------------------------

/// Population variance of each column of a row-major n x k block (numpy's var: mean first, then
/// the mean of squared deviations). O(n k), sequential in row order.
inline Eigen::VectorXd column_variances(const RowMatrix& Y) {
    const Index n = Y.rows(), k = Y.cols();
    Eigen::VectorXd mean = Eigen::VectorXd::Zero(k), var = Eigen::VectorXd::Zero(k);
    for (Index i = 0; i < n; ++i) mean += Y.row(i).transpose();
    mean /= static_cast<double>(n);
    for (Index i = 0; i < n; ++i) var.array() += (Y.row(i).transpose() - mean).array().square();
    return var / static_cast<double>(n);
}

/// Sum over columns of the population variances of a sparse matrix's columns, implicit zeros
/// included (scikit-learn's mean_variance_axis(X, 0)[1].sum()), without densifying. O(nnz + m).
template <class Scalar, int Options, class StorageIndex>
double total_column_variance(const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& X) {
    const auto A = compressed_view(X);
    const Index n = X.rows(), m = X.cols();
    const auto nd = static_cast<double>(n);
    if constexpr (Options & Eigen::RowMajor) {
        std::vector<double> mean(static_cast<std::size_t>(m), 0.0), ss(static_cast<std::size_t>(m), 0.0);
        std::vector<Index> count(static_cast<std::size_t>(m), 0);
        for (Index i = 0; i < A.outer_size; ++i)
            for (Index p = A.begin(i); p < A.end(i); ++p) {
                const auto j = static_cast<std::size_t>(A.inner[p]);
                mean[j] += static_cast<double>(A.values[p]);
                ++count[j];
            }
        for (auto& v : mean) v /= nd;
        for (Index i = 0; i < A.outer_size; ++i)
            for (Index p = A.begin(i); p < A.end(i); ++p) {
                const auto j = static_cast<std::size_t>(A.inner[p]);
                const double d = static_cast<double>(A.values[p]) - mean[j];
                ss[j] += d * d;
            }
        double total = 0.0;
        for (std::size_t j = 0; j < mean.size(); ++j)
            total += (ss[j] + static_cast<double>(n - count[j]) * mean[j] * mean[j]) / nd;
        return total;
    } else {
        double total = 0.0;
        for (Index j = 0; j < A.outer_size; ++j) {
            double mean = 0.0;
            for (Index p = A.begin(j); p < A.end(j); ++p) mean += static_cast<double>(A.values[p]);
            mean /= nd;
            double ss = 0.0;
            for (Index p = A.begin(j); p < A.end(j); ++p) {
                const double d = static_cast<double>(A.values[p]) - mean;
                ss += d * d;
            }
            total += (ss + static_cast<double>(n - (A.end(j) - A.begin(j))) * mean * mean) / nd;
        }
        (void)m;
        return total;
    }
}

/// The same for a dense matrix (numpy's var(X, axis=0).sum()). O(n m).
template <class Derived>
double total_column_variance_dense(const Derived& X) {
    const Index n = X.rows();
    const auto nd = static_cast<double>(n);
    double total = 0.0;
    for (Index j = 0; j < X.cols(); ++j) {
        double mean = 0.0;
        for (Index i = 0; i < n; ++i) mean += static_cast<double>(X(i, j));
        mean /= nd;
        double ss = 0.0;
        for (Index i = 0; i < n; ++i) {
            const double d = static_cast<double>(X(i, j)) - mean;
            ss += d * d;
        }
        total += ss / nd;
    }
    return total;
}

}  // namespace musiclab::detail::linalg
