// musiclab::manifold UMAP (McInnes, Healy & Melville 2018), following umap-learn 0.5.3 step by step:
//
//     musiclab::manifold::UmapOptions opts;          // n_neighbors 15, n_components 2, min_dist 0.1, ...
//     opts.seed = 42;
//     auto model = musiclab::manifold::fit_umap(X.data(), n, d, opts);   // X row-major float64
//     model.embedding(i, c);                                          // n x n_components
//     auto e = model.transform(Y.data(), m);                           // new points, m x n_components
//
// Steps (docs/umap.md has the math and the parity figures)
// 1. k nearest neighbours (the point itself included, as umap-learn): exact k-d tree search for
//    n < exact_threshold (4096, umap-learn's switch to pynndescent), else NN-descent with RP-tree
//    initialisation (neighbors/nn_descent.hpp).
// 2. Fuzzy simplicial set: smooth_knn_dist (rho = distance to the local_connectivity-th non-zero
//    neighbour, sigma by 64-step bisection to sum exp(-(d - rho)/sigma) = log2 k, floored at 1e-3
//    times the mean distance), memberships exp(-(d - rho)/sigma), fuzzy union
//    mix (A + A^T - A∘A^T) + (1 - mix) A∘A^T, edges below max / n_epochs dropped.
// 3. a, b: least-squares fit of 1 / (1 + a x^(2b)) to the min_dist / spread curve (find_ab_params,
//    Levenberg–Marquardt from (1, 1) on umap-learn's 300-point grid).
// 4. Initialisation: spectral (the n_components eigenvectors after the trivial one of the
//    normalised Laplacian, Lanczos by Spectra, scaled to max |x| = 10 plus N(0, 1e-4) noise;
//    falls back to uniform(-10, 10) like umap-learn when Lanczos fails or when
//    n_components + 1 >= n; a disconnected graph is laid out component by component around
//    meta positions as umap-learn's multi_component_layout), random uniform(-10, 10), or given
//    coordinates; then every column is
//    min-max scaled to [0, 10] (umap-learn 0.5.3 does this for every init).
// 5. SGD over n_epochs (default 500 for n <= 10,000, else 200): every edge is sampled every
//    max_w / w epochs, attraction -2ab d^(2(b-1)) / (1 + a d^(2b)) (x - y), negative_sample_rate
//    repulsions 2 gamma b / ((0.001 + d^2)(1 + a d^(2b))) (x - y) per sample, each gradient
//    coordinate clipped to [-4, 4], learning rate decaying linearly to 0. Float32 coordinates.
//
// Determinism: with num_threads = 1 the output is a function of (data, options) only: the same seed
// gives bit-identical embeddings. With num_threads > 1 the kNN graph and the initialisation are
// still identical (they do not depend on the thread count), but the SGD runs Hogwild-style as
// umap-learn's parallel=True: the workers update shared coordinates without locks (relaxed atomic
// float accesses), so the result varies from run to run at the level of the optimisation noise.
//
// transform(new points): the k nearest training points of each new point (exact), memberships with
// local_connectivity - 1, initial position = membership-weighted mean of the training embedding,
// then n_epochs / 3 (default 100 for n <= 10,000, else 30) epochs moving only the new points with
// learning_rate / 4, as umap-learn 0.5.3's UMAP.transform.
//
// Errors (invalid_parameter naming the parameter): n_neighbors < 2 or >= n, n_components < 1 or
// >= n, min_dist < 0 or > spread, spread <= 0, n_epochs < 1, learning_rate <= 0,
// negative_sample_rate < 0, set_op_mix_ratio outside [0, 1], local_connectivity < 0, given init of
// the wrong shape or non-finite, non-finite input values (row and column named). Duplicate points
// are allowed (their mutual distance 0 falls under rho; they end close together).
// Complexity: kNN as neighbors/, SGD O(n_epochs * edges * (1 + negative_sample_rate) *
// n_components). Thread safety: fit_umap is a pure function; a fitted UmapModel is immutable and
// transform may be called from several threads.
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../core/random.hpp"
#include "../neighbors/knn.hpp"
#include "../neighbors/nn_descent.hpp"

#include <Eigen/Core>
#include <Eigen/Dense>
#include <Eigen/SparseCore>
#include <Spectra/SymEigsSolver.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace musiclab::manifold {

/// How the embedding starts.
enum class UmapInit { spectral, random, given };

/// Options of fit_umap (umap-learn 0.5.3's names and defaults).
struct UmapOptions {
    int n_neighbors = 15;
    int n_components = 2;
    neighbors::Metric metric = neighbors::Metric::euclidean;
    double min_dist = 0.1;
    double spread = 1.0;
    /// Default: 500 for n <= 10,000, else 200.
    std::optional<int> n_epochs;
    double learning_rate = 1.0;
    int negative_sample_rate = 5;
    double repulsion_strength = 1.0;  ///< gamma
    double local_connectivity = 1.0;
    double set_op_mix_ratio = 1.0;
    /// a, b of the output kernel; default fitted from min_dist and spread (find_ab_params).
    std::optional<double> a, b;
    UmapInit init = UmapInit::spectral;
    /// init == given: n x n_components starting coordinates, row-major.
    std::vector<double> init_coordinates;
    std::uint64_t seed = 0;
    /// Workers (0 = all). 1 = bit-reproducible; > 1 makes the SGD Hogwild (see the header).
    int num_threads = 1;
    /// Exact kNN below this many points, NN-descent from it on (umap-learn: 4096).
    std::size_t exact_threshold = 4096;
};

/// How the fit went.
struct UmapInfo {
    bool exact_knn = true;           ///< exact k-d tree (true) or NN-descent
    bool spectral_fallback = false;  ///< init == spectral but random was used
    std::size_t n_components_graph = 1;  ///< connected components of the fuzzy graph
    int n_epochs = 0;
    double a = 0.0, b = 0.0;
    std::size_t n_edges = 0;         ///< directed edges of the symmetric graph that the SGD samples
};

class UmapModel;

/// Fits UMAP to n x dim row-major data.
UmapModel fit_umap(const double* data, std::size_t n, std::size_t dim, const UmapOptions& options = {});

/// Same on an Eigen matrix (rows are points).
template <class Derived>
UmapModel fit_umap(const Eigen::MatrixBase<Derived>& x, const UmapOptions& options = {});

/// A fitted UMAP: the embedding and what transform needs (a copy of the training data).
class UmapModel {
public:
    std::size_t n() const noexcept { return n_; }
    std::size_t n_components() const noexcept { return nc_; }
    /// Row-major n x n_components (float32 coordinates of the SGD, widened).
    const std::vector<double>& embedding() const noexcept { return embedding_; }
    double embedding(std::size_t i, std::size_t c) const { return embedding_[i * nc_ + c]; }
    Eigen::MatrixXd embedding_matrix() const {
        Eigen::MatrixXd m(static_cast<Eigen::Index>(n_), static_cast<Eigen::Index>(nc_));
        for (std::size_t i = 0; i < n_; ++i)
            for (std::size_t c = 0; c < nc_; ++c) m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) = embedding_[i * nc_ + c];
        return m;
    }
    const UmapInfo& info() const noexcept { return info_; }
    const UmapOptions& options() const noexcept { return options_; }

    /// Embeds m new points (row-major m x dim) into the fitted embedding; row-major m x n_components.
    std::vector<double> transform(const double* points, std::size_t m) const;

private:
    friend UmapModel fit_umap(const double*, std::size_t, std::size_t, const UmapOptions&);
    std::size_t n_ = 0, dim_ = 0, nc_ = 0;
    std::vector<double> data_;
    std::vector<double> embedding_;
    std::vector<float> embedding_f_;
    UmapOptions options_;
    UmapInfo info_;
};

/// umap-learn's find_ab_params(spread, min_dist): (a, b).
std::pair<double, double> find_ab_params(double spread, double min_dist);

/// rho_i and sigma_i of umap-learn's smooth_knn_dist for a row-major n x k distance matrix
/// (neighbours sorted ascending, the point itself included). n_iter bisection steps.
void smooth_knn_dist(const double* distances, std::size_t n, std::size_t k, double k_target, double local_connectivity,
                     std::vector<double>& rho, std::vector<double>& sigma, int n_iter = 64, double bandwidth = 1.0);

}  // namespace musiclab::manifold

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::manifold {

inline std::pair<double, double> find_ab_params(double spread, double min_dist) {
    if (!(spread > 0.0) || !std::isfinite(spread)) throw invalid_parameter("spread", spread, "> 0");
    if (!(min_dist >= 0.0) || !std::isfinite(min_dist)) throw invalid_parameter("min_dist", min_dist, ">= 0");
    constexpr int m = 300;
    std::vector<double> xv(m), yv(m);
    for (int i = 0; i < m; ++i) {
        xv[static_cast<std::size_t>(i)] = 3.0 * spread * static_cast<double>(i) / static_cast<double>(m - 1);
        const double x = xv[static_cast<std::size_t>(i)];
        yv[static_cast<std::size_t>(i)] = x < min_dist ? 1.0 : std::exp(-(x - min_dist) / spread);
    }
    // Levenberg–Marquardt (Moré's scaling) from (1, 1), as scipy.optimize.curve_fit's default
    auto residuals = [&](double a, double b, Eigen::VectorXd& r, Eigen::MatrixXd* J) {
        r.resize(m);
        if (J) J->resize(m, 2);
        for (int i = 0; i < m; ++i) {
            const double x = xv[static_cast<std::size_t>(i)];
            const double p = x > 0.0 ? std::pow(x, 2.0 * b) : 0.0;
            const double den = 1.0 + a * p;
            r[i] = 1.0 / den - yv[static_cast<std::size_t>(i)];
            if (J) {
                (*J)(i, 0) = -p / (den * den);
                (*J)(i, 1) = x > 0.0 ? -a * p * 2.0 * std::log(x) / (den * den) : 0.0;
            }
        }
    };
    Eigen::Vector2d p(1.0, 1.0);
    Eigen::VectorXd r, rn;
    Eigen::MatrixXd J;
    residuals(p[0], p[1], r, &J);
    double cost = r.squaredNorm();
    double lambda = 1e-3;
    for (int it = 0; it < 2000; ++it) {
        const Eigen::Matrix2d A = J.transpose() * J;
        const Eigen::Vector2d g = J.transpose() * r;
        bool improved = false;
        for (int tries = 0; tries < 60; ++tries) {
            Eigen::Matrix2d Ad = A;
            Ad(0, 0) += lambda * std::max(A(0, 0), 1e-300);
            Ad(1, 1) += lambda * std::max(A(1, 1), 1e-300);
            const Eigen::Vector2d step = Ad.ldlt().solve(-g);
            const Eigen::Vector2d q = p + step;
            residuals(q[0], q[1], rn, nullptr);
            const double c = rn.squaredNorm();
            if (std::isfinite(c) && c <= cost) {
                const double rel = (cost - c) / std::max(cost, 1e-300);
                const double dx = step.norm() / (p.norm() + 1e-300);
                p = q;
                cost = c;
                lambda = std::max(lambda / 10.0, 1e-15);
                improved = true;
                residuals(p[0], p[1], r, &J);
                if (rel < 1e-15 && dx < 1e-12) return {p[0], p[1]};
                break;
            }
            lambda *= 10.0;
        }
        if (!improved) break;
    }
    return {p[0], p[1]};
}

inline void smooth_knn_dist(const double* distances, std::size_t n, std::size_t k, double k_target, double local_connectivity,
                            std::vector<double>& rho, std::vector<double>& sigma, int n_iter, double bandwidth) {
    constexpr double tolerance = 1e-5, min_k_dist_scale = 1e-3;
    const double target = std::log2(k_target) * bandwidth;
    rho.assign(n, 0.0);
    sigma.assign(n, 0.0);
    double mean_all = 0.0;
    for (std::size_t t = 0; t < n * k; ++t) mean_all += distances[t];
    mean_all /= static_cast<double>(std::max<std::size_t>(1, n * k));
    std::vector<double> nz;
    for (std::size_t i = 0; i < n; ++i) {
        const double* d = distances + i * k;
        nz.clear();
        for (std::size_t j = 0; j < k; ++j)
            if (d[j] > 0.0) nz.push_back(d[j]);
        if (!nz.empty() && static_cast<double>(nz.size()) >= local_connectivity) {  // (umap-learn reads nz[0] of an empty row here)
            const auto index = static_cast<std::size_t>(std::floor(local_connectivity));
            const double interpolation = local_connectivity - static_cast<double>(index);
            if (index > 0) {
                rho[i] = nz[index - 1];
                if (interpolation > tolerance) rho[i] += interpolation * (nz[index] - nz[index - 1]);
            } else {
                rho[i] = interpolation * nz[0];
            }
        } else if (!nz.empty()) {
            rho[i] = *std::max_element(nz.begin(), nz.end());
        }
        double lo = 0.0, hi = std::numeric_limits<double>::infinity(), mid = 1.0;
        for (int it = 0; it < n_iter; ++it) {
            double psum = 0.0;
            for (std::size_t j = 1; j < k; ++j) {
                const double dd = d[j] - rho[i];
                psum += dd > 0.0 ? std::exp(-(dd / mid)) : 1.0;
            }
            if (std::fabs(psum - target) < tolerance) break;
            if (psum > target) {
                hi = mid;
                mid = (lo + hi) / 2.0;
            } else {
                lo = mid;
                if (hi == std::numeric_limits<double>::infinity()) mid *= 2.0;
                else mid = (lo + hi) / 2.0;
            }
        }
        sigma[i] = mid;
        if (rho[i] > 0.0) {
            double mean_i = 0.0;
            for (std::size_t j = 0; j < k; ++j) mean_i += d[j];
            mean_i /= static_cast<double>(k);
            if (sigma[i] < min_k_dist_scale * mean_i) sigma[i] = min_k_dist_scale * mean_i;
        } else if (sigma[i] < min_k_dist_scale * mean_all) {
            sigma[i] = min_k_dist_scale * mean_all;
        }
    }
}

}  // namespace musiclab::manifold

namespace musiclab::detail {

/// Membership strength of neighbour j of point i (umap-learn's compute_membership_strengths).
inline double umap_membership(std::int32_t self, std::int32_t j, double d, double rho, double sigma, bool bipartite) {
    if (j < 0) return 0.0;
    if (!bipartite && j == self) return 0.0;
    if (d - rho <= 0.0 || sigma == 0.0) return 1.0;
    return std::exp(-((d - rho) / sigma));
}

/// Spectra operator x -> (D^-1/2 W D^-1/2 - 3 v v^T) x: the normalised adjacency (CSR, values
/// scaled once) with its trivial eigenvector v = D^1/2 1 / |D^1/2 1| (eigenvalue 1) moved to -2,
/// below the rest of the spectrum ([-1, 1]), so that the wanted eigenvectors 2 .. dim + 1 of the
/// Laplacian are its dim largest (one fewer to converge). Serial: a row-parallel product (2 threads)
/// measured slower while other jobs held a core (an OpenMP barrier per product, ~450 a layout).
class DeflatedNormalizedAdjacency {
public:
    using Scalar = double;
    DeflatedNormalizedAdjacency(const Eigen::SparseMatrix<double, Eigen::RowMajor>& m, const Eigen::VectorXd& v) : m_(m), v_(v) {}
    Eigen::Index rows() const { return m_.rows(); }
    Eigen::Index cols() const { return m_.cols(); }
    void perform_op(const double* x, double* y) const {
        const Eigen::Index n = m_.rows();
        double dot = 0.0;
        for (Eigen::Index i = 0; i < n; ++i) dot += v_[i] * x[i];
        const double shift = 3.0 * dot;
        const auto* outer = m_.outerIndexPtr();
        const auto* inner = m_.innerIndexPtr();
        const double* val = m_.valuePtr();
        const double* v = v_.data();
        for (Eigen::Index r = 0; r < n; ++r) {
            double acc = 0.0;
            for (auto p = outer[r]; p < outer[r + 1]; ++p) acc += val[p] * x[inner[p]];
            y[r] = acc - shift * v[r];
        }
    }

private:
    const Eigen::SparseMatrix<double, Eigen::RowMajor>& m_;
    const Eigen::VectorXd& v_;
};

/// Connected component of every vertex (numbered in order of their smallest vertex); returns the count.
inline std::size_t connected_components(const Eigen::SparseMatrix<double>& g, std::vector<std::int32_t>& comp) {
    const auto n = static_cast<std::size_t>(g.rows());
    comp.assign(n, -1);
    std::vector<std::size_t> stack;
    std::size_t c = 0;
    for (std::size_t s = 0; s < n; ++s) {
        if (comp[s] >= 0) continue;
        comp[s] = static_cast<std::int32_t>(c);
        stack.push_back(s);
        while (!stack.empty()) {
            const std::size_t v = stack.back();
            stack.pop_back();
            for (Eigen::SparseMatrix<double>::InnerIterator it(g, static_cast<Eigen::Index>(v)); it; ++it) {
                const auto u = static_cast<std::size_t>(it.row());
                if (comp[u] < 0) {
                    comp[u] = static_cast<std::int32_t>(c);
                    stack.push_back(u);
                }
            }
        }
        ++c;
    }
    return c;
}

/// Spectral layout (n x dim row-major) or empty when it cannot be computed: the eigenvectors
/// 2 .. dim + 1 of the symmetric normalised Laplacian of the connected graph g (as umap-learn's
/// spectral_layout, eigsh tol 1e-4), by Lanczos on the deflated normalised adjacency.
inline std::vector<double> umap_spectral_layout(const Eigen::SparseMatrix<double>& g, std::size_t dim, std::uint64_t seed) {
    const Eigen::Index n = g.rows();
    const auto k = static_cast<Eigen::Index>(dim);
    if (k + 2 >= n) return {};  // as before the deflation: dim + 1 eigenpairs need dim + 2 < n
    Eigen::VectorXd deg = Eigen::VectorXd::Zero(n);
    for (Eigen::Index c = 0; c < g.outerSize(); ++c)
        for (Eigen::SparseMatrix<double>::InnerIterator it(g, c); it; ++it) deg[it.row()] += it.value();
    Eigen::VectorXd s(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        if (!(deg[i] > 0.0)) return {};
        s[i] = 1.0 / std::sqrt(deg[i]);
    }
    Eigen::SparseMatrix<double, Eigen::RowMajor> m = g;  // g is symmetric: row i of m = column i of g
    for (Eigen::Index r = 0; r < m.outerSize(); ++r)
        for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(m, r); it; ++it) it.valueRef() *= s[r] * s[it.col()];
    const Eigen::VectorXd v = deg.cwiseSqrt().normalized();
    DeflatedNormalizedAdjacency op(m, v);
    // umap-learn asks eigsh for max(2k + 1, sqrt(n)) Lanczos vectors; every Lanczos step
    // re-orthogonalises against all of them (O(n ncv) per step), so at most 32 here (fastest at
    // 10^5 rows of 16, 24, 32, 48; same eigenvectors to the tolerance, more restarts)
    const Eigen::Index ncv = std::min<Eigen::Index>(n, std::max<Eigen::Index>(2 * k + 1, std::min<Eigen::Index>(32, static_cast<Eigen::Index>(std::sqrt(static_cast<double>(n))))));
    Spectra::SymEigsSolver<DeflatedNormalizedAdjacency> eigs(op, k, ncv);
    Eigen::VectorXd v0(n);
    Rng rng(seed ^ 0x5bd1e995ULL);
    for (Eigen::Index i = 0; i < n; ++i) v0[i] = 1.0 + 0.01 * rng.uniform(-1.0, 1.0);
    eigs.init(v0.data());
    try {
        eigs.compute(Spectra::SortRule::LargestAlge, std::max<Eigen::Index>(1000, 5 * n), 1e-4, Spectra::SortRule::LargestAlge);
    } catch (const std::exception&) {
        return {};
    }
    if (eigs.info() != Spectra::CompInfo::Successful) return {};
    const Eigen::MatrixXd vecs = eigs.eigenvectors();  // columns by eigenvalue descending (L ascending)
    std::vector<double> out(static_cast<std::size_t>(n) * dim);
    for (Eigen::Index i = 0; i < n; ++i)
        for (std::size_t c = 0; c < dim; ++c) out[static_cast<std::size_t>(i) * dim + c] = vecs(i, static_cast<Eigen::Index>(c));
    return out;
}

/// umap-learn's multi_component_layout for a disconnected graph (n x dim row-major): component c
/// is centred on a meta position (with count <= 2 dim: +e_1, +e_2, ..., -e_1, -e_2, ...; else
/// the spectral embedding of the components' data centroids under the affinity exp(-d^2),
/// divided by its largest value) and laid out inside +-r around it (r = half the smallest
/// distance between meta positions): by its own spectral layout scaled to max |x| = r, or
/// uniform(-r, r) when it has fewer than 2 dim or at most dim + 1 points or Lanczos fails.
inline std::vector<double> umap_multi_component_layout(const double* data, std::size_t dim_data, const Eigen::SparseMatrix<double>& g,
                                                       const std::vector<std::int32_t>& comp, std::size_t count, std::size_t dim,
                                                       std::uint64_t seed, Rng& rng) {
    const auto n = static_cast<std::size_t>(g.rows());
    Eigen::MatrixXd meta = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(dim));
    if (count <= 2 * dim) {
        const std::size_t k = (count + 1) / 2;
        for (std::size_t c = 0; c < count; ++c)
            meta(static_cast<Eigen::Index>(c), static_cast<Eigen::Index>(c % k)) = c < k ? 1.0 : -1.0;
    } else {
        Eigen::MatrixXd centroid = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(dim_data));
        Eigen::VectorXd size = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(count));
        for (std::size_t i = 0; i < n; ++i) {
            size[comp[i]] += 1.0;
            for (std::size_t j = 0; j < dim_data; ++j) centroid(comp[i], static_cast<Eigen::Index>(j)) += data[i * dim_data + j];
        }
        for (Eigen::Index c = 0; c < centroid.rows(); ++c) centroid.row(c) /= size[c];
        // normalised Laplacian of the affinity (diagonal ignored, as scipy's laplacian does)
        const auto m = static_cast<Eigen::Index>(count);
        Eigen::MatrixXd A(m, m);
        for (Eigen::Index a = 0; a < m; ++a)
            for (Eigen::Index b = 0; b < m; ++b) A(a, b) = a == b ? 0.0 : std::exp(-(centroid.row(a) - centroid.row(b)).squaredNorm());
        Eigen::VectorXd dd = A.rowwise().sum().cwiseMax(1e-300).cwiseSqrt();
        const Eigen::MatrixXd L = Eigen::MatrixXd::Identity(m, m) - dd.cwiseInverse().asDiagonal() * A * dd.cwiseInverse().asDiagonal();
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(L);  // eigenvalues ascending
        for (std::size_t c = 0; c < dim; ++c) {
            Eigen::VectorXd v = es.eigenvectors().col(static_cast<Eigen::Index>(c + 1)).cwiseQuotient(dd);
            Eigen::Index at = 0;
            v.cwiseAbs().maxCoeff(&at);
            if (v[at] < 0) v = -v;  // deterministic sign: largest |value| positive
            meta.col(static_cast<Eigen::Index>(c)) = v;
        }
        const double mx = meta.maxCoeff();
        if (mx > 0) meta /= mx;
    }
    double range = std::numeric_limits<double>::infinity();
    for (Eigen::Index a = 0; a < meta.rows(); ++a)
        for (Eigen::Index b = a + 1; b < meta.rows(); ++b)
            if (const double d = (meta.row(a) - meta.row(b)).norm(); d > 0.0) range = std::min(range, d);
    range = std::isfinite(range) ? range / 2.0 : 1.0;

    std::vector<std::vector<std::size_t>> members(count);
    for (std::size_t i = 0; i < n; ++i) members[static_cast<std::size_t>(comp[i])].push_back(i);
    std::vector<Eigen::Index> local(n, 0);
    std::vector<double> out(n * dim);
    for (std::size_t c = 0; c < count; ++c) {
        const auto& mem = members[c];
        for (std::size_t r = 0; r < mem.size(); ++r) local[mem[r]] = static_cast<Eigen::Index>(r);
        std::vector<double> lay;
        if (mem.size() >= 2 * dim && mem.size() > dim + 1) {
            std::vector<Eigen::Triplet<double>> t;
            for (const std::size_t v : mem)
                for (Eigen::SparseMatrix<double>::InnerIterator it(g, static_cast<Eigen::Index>(v)); it; ++it)
                    t.emplace_back(local[static_cast<std::size_t>(it.row())], local[v], it.value());
            Eigen::SparseMatrix<double> sub(static_cast<Eigen::Index>(mem.size()), static_cast<Eigen::Index>(mem.size()));
            sub.setFromTriplets(t.begin(), t.end());
            lay = umap_spectral_layout(sub, dim, seed + c);
        }
        double amax = 0.0;
        for (const double v : lay) amax = std::max(amax, std::fabs(v));
        const double expansion = amax > 0.0 ? range / amax : 0.0;
        for (std::size_t r = 0; r < mem.size(); ++r)
            for (std::size_t k = 0; k < dim; ++k)
                out[mem[r] * dim + k] = meta(static_cast<Eigen::Index>(c), static_cast<Eigen::Index>(k)) +
                                        (lay.empty() || amax == 0.0 ? rng.uniform(-range, range) : lay[r * dim + k] * expansion);
    }
    return out;
}

struct UmapEdges {
    std::vector<std::int32_t> head, tail;
    std::vector<double> epochs_per_sample;
};

/// Edges (head, tail) of a sparse graph with weights >= max / n_epochs; epochs_per_sample = max / w.
inline UmapEdges umap_edges(const Eigen::SparseMatrix<double, Eigen::RowMajor>& g, int n_epochs) {
    double wmax = 0.0;
    for (Eigen::Index r = 0; r < g.outerSize(); ++r)
        for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(g, r); it; ++it) wmax = std::max(wmax, it.value());
    UmapEdges e;
    const double cut = wmax / static_cast<double>(n_epochs);
    for (Eigen::Index r = 0; r < g.outerSize(); ++r)
        for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(g, r); it; ++it) {
            if (!(it.value() >= cut) || it.value() <= 0.0) continue;
            e.head.push_back(static_cast<std::int32_t>(it.row()));
            e.tail.push_back(static_cast<std::int32_t>(it.col()));
            e.epochs_per_sample.push_back(wmax / it.value());
        }
    return e;
}

template <bool Shared>
inline float umap_load(float* p) noexcept {
    if constexpr (Shared) return std::atomic_ref<float>(*p).load(std::memory_order_relaxed);
    else return *p;
}
template <bool Shared>
inline void umap_store(float* p, float v) noexcept {
    if constexpr (Shared) std::atomic_ref<float>(*p).store(v, std::memory_order_relaxed);
    else *p = v;
}

inline float umap_clip(float v) noexcept { return v > 4.0f ? 4.0f : (v < -4.0f ? -4.0f : v); }

/// The two SGD coefficients as functions of the squared distance d2 > 0, tabulated on 128 buckets
/// per power of two for d2 in [2^-40, 2^40) and linearly interpolated in d2 (relative error below
/// 1e-4, far under the SGD's own noise); outside that range they are computed directly.
///   attract(d2) = -2ab d2^(b-1) / (1 + a d2^b),   repel(d2) = 2 gamma b / ((0.001 + d2)(1 + a d2^b))
/// A table lookup replaces the pow on the SGD's serial dependency chain (3-4x faster per sample).
class UmapCoefficients {
public:
    UmapCoefficients(double a, double b, double gamma) : a_(a), b_(b), gamma_(gamma) {
        const std::size_t count = top_ - base_ + 2;
        attract_.resize(count);
        repel_.resize(count);
        for (std::size_t t = 0; t < count; ++t) {
            const float d2 = std::bit_cast<float>(static_cast<std::uint32_t>((base_ + t) << 16));
            attract_[t] = static_cast<float>(exact_attract(d2));
            repel_[t] = static_cast<float>(exact_repel(d2));
        }
    }
    float attract(float d2) const noexcept { return lookup(d2, attract_, true); }
    float repel(float d2) const noexcept { return lookup(d2, repel_, false); }
    double exact_attract(float d2) const noexcept {
        const double x = static_cast<double>(d2), pb = std::pow(x, b_);
        return -2.0 * a_ * b_ * pb / (x * (a_ * pb + 1.0));
    }
    double exact_repel(float d2) const noexcept {
        const double x = static_cast<double>(d2), pb = std::pow(x, b_);
        return 2.0 * gamma_ * b_ / ((0.001 + x) * (a_ * pb + 1.0));
    }

private:
    static constexpr std::uint32_t base_ = 0x2b800000u >> 16;  // bits of 2^-40, top 16 bits
    static constexpr std::uint32_t top_ = 0x53800000u >> 16;   // bits of 2^40
    double a_, b_, gamma_;
    std::vector<float> attract_, repel_;
    float lookup(float d2, const std::vector<float>& table, bool attract) const noexcept {
        const auto bits = std::bit_cast<std::uint32_t>(d2);
        const std::uint32_t key = bits >> 16;
        if (key < base_ || key >= top_) return static_cast<float>(attract ? exact_attract(d2) : exact_repel(d2));
        const std::size_t t = key - base_;
        const float frac = static_cast<float>(bits & 0xffffu) * (1.0f / 65536.0f);
        return table[t] + frac * (table[t + 1] - table[t]);
    }
};

/// One SGD epoch over edges [begin, end) (umap-learn's _optimize_layout_euclidean_single_epoch).
template <bool Shared, std::size_t Dim>
void umap_epoch(float* head_emb, float* tail_emb, std::size_t dim_rt, const UmapEdges& e, std::size_t begin, std::size_t end,
                std::vector<double>& next_sample, std::vector<double>& next_neg, const std::vector<double>& eps_neg,
                std::size_t n_tail, const UmapCoefficients& coef, double alpha, bool move_other, double epoch, Rng& rng) {
    const std::size_t dim = Dim == 0 ? dim_rt : Dim;
    float cur[8], oth[8];
    std::vector<float> big_cur, big_oth;
    float* cp = cur;
    float* op = oth;
    if (dim > 8) {
        big_cur.resize(dim);
        big_oth.resize(dim);
        cp = big_cur.data();
        op = big_oth.data();
    }
    for (std::size_t i = begin; i < end; ++i) {
        if (next_sample[i] > epoch) continue;
        float* current = head_emb + static_cast<std::size_t>(e.head[i]) * dim;
        float* other = tail_emb + static_cast<std::size_t>(e.tail[i]) * dim;
        float dist2 = 0.0f;
        for (std::size_t d = 0; d < dim; ++d) {
            cp[d] = umap_load<Shared>(current + d);
            op[d] = umap_load<Shared>(other + d);
            const float t = cp[d] - op[d];
            dist2 += t * t;
        }
        const auto alpha_f = static_cast<float>(alpha);
        float coeff = 0.0f;
        if (dist2 > 0.0f) coeff = coef.attract(dist2);
        for (std::size_t d = 0; d < dim; ++d) {
            const float g = umap_clip(coeff * (cp[d] - op[d]));
            cp[d] += g * alpha_f;
            umap_store<Shared>(current + d, cp[d]);
            if (move_other) umap_store<Shared>(other + d, op[d] - g * alpha_f);
        }
        next_sample[i] += e.epochs_per_sample[i];
        const auto n_neg = static_cast<long>((epoch - next_neg[i]) / eps_neg[i]);
        // draw the negative samples first (same stream order) and prefetch their rows: the random
        // reads are what the SGD waits for once the embedding outgrows the L2 cache
        std::size_t drawn[16];
        const long n_pre = std::min<long>(n_neg, 16);
        for (long p = 0; p < n_pre; ++p) {
            drawn[p] = static_cast<std::size_t>(rng.below(n_tail));
            __builtin_prefetch(tail_emb + drawn[p] * dim);
        }
        for (long p = 0; p < n_neg; ++p) {
            const std::size_t k = p < n_pre ? drawn[p] : static_cast<std::size_t>(rng.below(n_tail));
            float* o2 = tail_emb + k * dim;
            float d2 = 0.0f;
            for (std::size_t d = 0; d < dim; ++d) {
                op[d] = umap_load<Shared>(o2 + d);
                const float t = cp[d] - op[d];
                d2 += t * t;
            }
            float rc = 0.0f;
            if (d2 > 0.0f) {
                rc = coef.repel(d2);
            } else if (static_cast<std::size_t>(e.head[i]) == k && head_emb == tail_emb) {
                continue;
            }
            for (std::size_t d = 0; d < dim; ++d) {
                const float g = rc > 0.0f ? umap_clip(rc * (cp[d] - op[d])) : 4.0f;
                cp[d] += g * alpha_f;
                umap_store<Shared>(current + d, cp[d]);
            }
        }
        next_neg[i] += static_cast<double>(n_neg) * eps_neg[i];
    }
}

template <std::size_t Dim>
void umap_optimize_dim(float* head_emb, float* tail_emb, std::size_t dim, const UmapEdges& e, std::size_t n_tail, int n_epochs,
                       double a, double b, double gamma, double lr, int neg_rate, bool move_other, std::uint64_t seed, int threads) {
    const std::size_t m = e.head.size();
    std::vector<double> next_sample = e.epochs_per_sample;
    std::vector<double> eps_neg(m), next_neg(m);
    for (std::size_t i = 0; i < m; ++i) {
        eps_neg[i] = neg_rate > 0 ? e.epochs_per_sample[i] / static_cast<double>(neg_rate) : std::numeric_limits<double>::infinity();
        next_neg[i] = eps_neg[i];
    }
    Rng rng(seed);
    const UmapCoefficients coef(a, b, gamma);
    for (int ep = 0; ep < n_epochs; ++ep) {
        const double alpha = lr * (1.0 - static_cast<double>(ep) / static_cast<double>(n_epochs));
        if (threads <= 1) {
            umap_epoch<false, Dim>(head_emb, tail_emb, dim, e, 0, m, next_sample, next_neg, eps_neg, n_tail, coef, alpha,
                                   move_other, static_cast<double>(ep), rng);
        } else {
            const std::uint64_t epoch_seed = rng();
            parallelize(threads, m, [&](int w, std::size_t s, std::size_t len) {
                Rng local(mix64(epoch_seed + static_cast<std::uint64_t>(w) * 0x9e3779b97f4a7c15ULL));
                umap_epoch<true, Dim>(head_emb, tail_emb, dim, e, s, s + len, next_sample, next_neg, eps_neg, n_tail, coef,
                                      alpha, move_other, static_cast<double>(ep), local);
            });
        }
    }
}

inline void umap_optimize(float* head_emb, float* tail_emb, std::size_t dim, const UmapEdges& e, std::size_t n_tail, int n_epochs,
                          double a, double b, double gamma, double lr, int neg_rate, bool move_other, std::uint64_t seed,
                          int threads) {
    switch (dim) {
    case 2: umap_optimize_dim<2>(head_emb, tail_emb, dim, e, n_tail, n_epochs, a, b, gamma, lr, neg_rate, move_other, seed, threads); break;
    case 3: umap_optimize_dim<3>(head_emb, tail_emb, dim, e, n_tail, n_epochs, a, b, gamma, lr, neg_rate, move_other, seed, threads); break;
    default: umap_optimize_dim<0>(head_emb, tail_emb, dim, e, n_tail, n_epochs, a, b, gamma, lr, neg_rate, move_other, seed, threads);
    }
}

}  // namespace musiclab::detail

namespace musiclab::manifold {

inline UmapModel fit_umap(const double* data, std::size_t n, std::size_t dim, const UmapOptions& o) {
    if (dim == 0) throw invalid_parameter("dim", dim, ">= 1");
    if (o.n_neighbors < 2 || static_cast<std::size_t>(o.n_neighbors) >= n)
        throw invalid_parameter("n_neighbors", o.n_neighbors, std::string("2 .. n - 1 = ") += std::to_string(n == 0 ? 0 : n - 1));
    if (o.n_components < 1 || static_cast<std::size_t>(o.n_components) >= n)
        throw invalid_parameter("n_components", o.n_components, std::string("1 .. n - 1 = ") += std::to_string(n - 1));
    if (!(o.spread > 0.0) || !std::isfinite(o.spread)) throw invalid_parameter("spread", o.spread, "> 0");
    if (!(o.min_dist >= 0.0) || o.min_dist > o.spread) throw invalid_parameter("min_dist", o.min_dist, "0 .. spread");
    if (o.n_epochs && *o.n_epochs < 1) throw invalid_parameter("n_epochs", *o.n_epochs, ">= 1");
    if (!(o.learning_rate > 0.0) || !std::isfinite(o.learning_rate)) throw invalid_parameter("learning_rate", o.learning_rate, "> 0");
    if (o.negative_sample_rate < 0) throw invalid_parameter("negative_sample_rate", o.negative_sample_rate, ">= 0");
    if (!(o.repulsion_strength >= 0.0) || !std::isfinite(o.repulsion_strength))
        throw invalid_parameter("repulsion_strength", o.repulsion_strength, ">= 0");
    if (!(o.local_connectivity >= 0.0) || !std::isfinite(o.local_connectivity))
        throw invalid_parameter("local_connectivity", o.local_connectivity, ">= 0");
    if (!(o.set_op_mix_ratio >= 0.0 && o.set_op_mix_ratio <= 1.0)) throw invalid_parameter("set_op_mix_ratio", o.set_op_mix_ratio, "0 .. 1");
    if (o.a && !(*o.a > 0.0)) throw invalid_parameter("a", *o.a, "> 0");
    if (o.b && !(*o.b > 0.0)) throw invalid_parameter("b", *o.b, "> 0");
    const auto nc = static_cast<std::size_t>(o.n_components);
    if (o.init == UmapInit::given) {
        if (o.init_coordinates.size() != n * nc) throw shape_mismatch("init_coordinates size (n * n_components)", n * nc, o.init_coordinates.size());
        for (std::size_t t = 0; t < o.init_coordinates.size(); ++t)
            if (!std::isfinite(o.init_coordinates[t])) throw invalid_parameter("init_coordinates", std::string("non-finite at index ") += std::to_string(t), "finite values");
    }
    detail::check_finite_rows(data, n, dim, "data");
    const int threads = resolve_threads(o.num_threads);
    const auto k = static_cast<std::size_t>(o.n_neighbors);

    UmapModel model;
    model.n_ = n;
    model.dim_ = dim;
    model.nc_ = nc;
    model.options_ = o;
    model.data_.assign(data, data + n * dim);
    UmapInfo& info = model.info_;
    info.n_epochs = o.n_epochs ? *o.n_epochs : (n <= 10000 ? 500 : 200);
    const int default_epochs = n <= 10000 ? 500 : 200;
    if (o.a && o.b) {
        info.a = *o.a;
        info.b = *o.b;
    } else {
        std::tie(info.a, info.b) = find_ab_params(o.spread, o.min_dist);
    }

    // 1. neighbours
    neighbors::KnnGraph knn;
    info.exact_knn = n < o.exact_threshold;
    if (info.exact_knn) {
        neighbors::KnnOptions ko;
        ko.n_neighbors = k;
        ko.metric = o.metric;
        ko.num_threads = threads;
        knn = neighbors::exact_knn(data, n, dim, ko);
    } else {
        neighbors::NnDescentOptions no;
        no.n_neighbors = k;
        no.metric = o.metric;
        no.seed = o.seed;
        no.num_threads = threads;
        knn = neighbors::nn_descent(data, n, dim, no);
    }

    // 2. fuzzy simplicial set
    std::vector<double> rho, sigma;
    smooth_knn_dist(knn.distances.data(), n, k, static_cast<double>(k), o.local_connectivity, rho, sigma);
    std::vector<Eigen::Triplet<double>> trip;
    trip.reserve(n * k);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < k; ++j) {
            const double v = detail::umap_membership(static_cast<std::int32_t>(i), knn.index(i, j), knn.distance(i, j), rho[i], sigma[i], false);
            if (v != 0.0) trip.emplace_back(static_cast<Eigen::Index>(i), knn.index(i, j), v);
        }
    const auto ni = static_cast<Eigen::Index>(n);
    Eigen::SparseMatrix<double> A(ni, ni);
    A.setFromTriplets(trip.begin(), trip.end());
    const Eigen::SparseMatrix<double> At = A.transpose();
    const Eigen::SparseMatrix<double> prod = A.cwiseProduct(At);
    Eigen::SparseMatrix<double> G = o.set_op_mix_ratio * (A + At - prod) + (1.0 - o.set_op_mix_ratio) * prod;
    G.prune(0.0);
    {  // umap-learn: with n_epochs <= 10 the cut uses the default epoch count
        const int cut_epochs = info.n_epochs > 10 ? info.n_epochs : default_epochs;
        double wmax = 0.0;
        for (Eigen::Index c = 0; c < G.outerSize(); ++c)
            for (Eigen::SparseMatrix<double>::InnerIterator it(G, c); it; ++it) wmax = std::max(wmax, it.value());
        for (Eigen::Index c = 0; c < G.outerSize(); ++c)
            for (Eigen::SparseMatrix<double>::InnerIterator it(G, c); it; ++it)
                if (it.value() < wmax / static_cast<double>(cut_epochs)) it.valueRef() = 0.0;
        G.prune(0.0);
    }

    // 4. initialisation
    Rng rng(o.seed);
    std::vector<double> init;
    if (o.init == UmapInit::spectral) {
        std::vector<std::int32_t> comp;
        info.n_components_graph = detail::connected_components(G, comp);
        if (info.n_components_graph == 1)
            init = detail::umap_spectral_layout(G, nc, o.seed);
        else
            init = detail::umap_multi_component_layout(data, dim, G, comp, info.n_components_graph, nc, o.seed, rng);
        if (init.empty()) {
            info.spectral_fallback = true;
        } else {
            double amax = 0.0;
            for (double v : init) amax = std::max(amax, std::fabs(v));
            const double expansion = amax > 0.0 ? 10.0 / amax : 1.0;
            for (double& v : init) v = static_cast<double>(static_cast<float>(v * expansion)) + 1e-4 * rng.normal();
        }
    }
    if (o.init == UmapInit::random || (o.init == UmapInit::spectral && init.empty())) {
        init.resize(n * nc);
        for (double& v : init) v = rng.uniform(-10.0, 10.0);
    }
    if (o.init == UmapInit::given) init = o.init_coordinates;
    std::vector<float>& emb = model.embedding_f_;
    emb.resize(n * nc);
    for (std::size_t c = 0; c < nc; ++c) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (std::size_t i = 0; i < n; ++i) {
            lo = std::min(lo, init[i * nc + c]);
            hi = std::max(hi, init[i * nc + c]);
        }
        const double range = hi - lo;
        for (std::size_t i = 0; i < n; ++i)
            emb[i * nc + c] = static_cast<float>(range > 0.0 ? 10.0 * (init[i * nc + c] - lo) / range : 0.0);
    }

    // 5. SGD
    const Eigen::SparseMatrix<double, Eigen::RowMajor> Gr = G;
    const detail::UmapEdges edges = detail::umap_edges(Gr, info.n_epochs);
    info.n_edges = edges.head.size();
    detail::umap_optimize(emb.data(), emb.data(), nc, edges, n, info.n_epochs, info.a, info.b, o.repulsion_strength, o.learning_rate,
                          o.negative_sample_rate, true, rng(), threads);
    model.embedding_.assign(emb.begin(), emb.end());
    return model;
}

template <class Derived>
UmapModel fit_umap(const Eigen::MatrixBase<Derived>& x, const UmapOptions& options) {
    using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const RowMajor a = x.template cast<double>();
    return fit_umap(a.data(), static_cast<std::size_t>(a.rows()), static_cast<std::size_t>(a.cols()), options);
}

inline std::vector<double> UmapModel::transform(const double* points, std::size_t m) const {
    if (n_ == 0) throw not_fitted("UmapModel");
    if (m == 0) return {};
    detail::check_finite_rows(points, m, dim_, "points");
    const UmapOptions& o = options_;
    const int threads = resolve_threads(o.num_threads);
    const auto k = static_cast<std::size_t>(o.n_neighbors);
    neighbors::KnnOptions ko;
    ko.n_neighbors = k;
    ko.metric = o.metric;
    ko.num_threads = threads;
    const neighbors::KnnGraph knn = neighbors::exact_knn(data_.data(), n_, dim_, points, m, ko);
    std::vector<double> rho, sigma;
    smooth_knn_dist(knn.distances.data(), m, k, static_cast<double>(k), std::max(0.0, o.local_connectivity - 1.0), rho, sigma);
    std::vector<Eigen::Triplet<double>> trip;
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < k; ++j) {
            const double v = detail::umap_membership(-1, knn.index(i, j), knn.distance(i, j), rho[i], sigma[i], true);
            if (v != 0.0) trip.emplace_back(static_cast<Eigen::Index>(i), knn.index(i, j), v);
        }
    Eigen::SparseMatrix<double, Eigen::RowMajor> G(static_cast<Eigen::Index>(m), static_cast<Eigen::Index>(n_));
    G.setFromTriplets(trip.begin(), trip.end());
    // initial positions: l1-normalised membership rows times the training embedding
    std::vector<float> emb(m * nc_, 0.0f);
    for (Eigen::Index r = 0; r < G.outerSize(); ++r) {
        double total = 0.0;
        for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(G, r); it; ++it) total += it.value();
        for (std::size_t c = 0; c < nc_; ++c) {
            double s = 0.0;
            for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(G, r); it; ++it)
                s += it.value() * static_cast<double>(embedding_f_[static_cast<std::size_t>(it.col()) * nc_ + c]);
            emb[static_cast<std::size_t>(r) * nc_ + c] = static_cast<float>(total > 0.0 ? s / total : 0.0);
        }
    }
    const int n_epochs = o.n_epochs ? std::max(1, *o.n_epochs / 3) : (m <= 10000 ? 100 : 30);
    const detail::UmapEdges edges = detail::umap_edges(G, n_epochs);
    std::vector<float> tail = embedding_f_;  // not moved (move_other = false); a private copy keeps transform const
    detail::umap_optimize(emb.data(), tail.data(), nc_, edges, n_, n_epochs, info_.a, info_.b, o.repulsion_strength,
                          o.learning_rate / 4.0, o.negative_sample_rate, false, detail::mix64(o.seed + 0x7a11ULL), threads);
    return {emb.begin(), emb.end()};
}

}  // namespace musiclab::manifold
