// Tests of musiclab/linalg/truncated_svd.hpp: parity with scikit-learn 1.2.1 TruncatedSVD on every
// case of ../shared/reference/svd (dataset folders and <algo>_k<k>.tsv files found by directory
// iteration, expected values read at run time), hand-worked exact cases (diagonal matrices whose
// SVD, signs and variances are known), sparse / dense / float agreement, thread-count and seed
// determinism, and bad input.
#include <doctest/doctest.h>
#include <musiclab/core.hpp>
#include <musiclab/io.hpp>
#include <musiclab/linalg.hpp>
#include <musiclab/text.hpp>

#include "support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

using musiclab::linalg::PowerIterationNormalizer;
using musiclab::linalg::SvdAlgorithm;
using musiclab::linalg::TruncatedSvdOptions;

namespace {

namespace fs = std::filesystem;
using SparseRow = Eigen::SparseMatrix<double, Eigen::RowMajor>;

fs::path svd_reference() { return musiclab::test::shared_dir() / "reference/svd"; }

/// A TSV file with a header as columns of doubles, by header name.
std::map<std::string, std::vector<double>> read_tsv(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    REQUIRE(in.good());
    std::string line;
    std::getline(in, line);
    const auto header = musiclab::test::split_tabs(line);
    std::map<std::string, std::vector<double>> cols;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto f = musiclab::test::split_tabs(line);
        REQUIRE(f.size() == header.size());
        for (std::size_t c = 0; c < f.size(); ++c) cols[header[c]].push_back(std::stod(f[c]));
    }
    return cols;
}

/// The input matrix of a reference dataset folder (README section 3).
struct Input {
    SparseRow sparse;
    Eigen::MatrixXd dense;
    bool is_sparse = false;
};

Input build_input(const std::string& dataset) {
    Input in;
    if (dataset == "tags") {
        // The default TF-IDF of reference/tfidf/tags/docs.jsonl (parity-tested to 1e-12).
        std::ifstream f(musiclab::test::shared_dir() / "reference/tfidf/tags/docs.jsonl", std::ios::binary);
        std::vector<std::string> docs;
        std::string line;
        while (std::getline(f, line))
            if (!line.empty()) docs.push_back(nlohmann::json::parse(line).at("doc").get<std::string>());
        in.sparse = musiclab::text::fit_transform_tfidf<double>(docs).second;
        in.is_sparse = true;
    } else if (dataset == "audio") {
        // The 11 audio features of spotify_tracks.csv, each z-scored with the population std.
        const auto table = musiclab::io::read_csv(musiclab::test::shared_dir() / "data/spotify_tracks_114k/spotify_tracks.csv");
        const std::vector<std::string> names = {"danceability", "energy",       "key",              "loudness",
                                                "mode",         "speechiness",  "acousticness",     "instrumentalness",
                                                "liveness",     "valence",      "tempo"};
        in.dense = table.matrix(names);
        for (Eigen::Index j = 0; j < in.dense.cols(); ++j) {
            auto c = in.dense.col(j);
            const double mean = c.mean();
            const double sd = std::sqrt((c.array() - mean).square().mean());
            c = (c.array() - mean) / sd;
        }
    } else {
        FAIL("unknown dataset folder " << dataset << ": teach build_input how to make its matrix");
    }
    return in;
}

double rel(double got, double want) { return std::abs(got - want) / std::abs(want); }

musiclab::linalg::TruncatedSvd fit(const Input& in, const TruncatedSvdOptions& o) {
    return in.is_sparse ? musiclab::linalg::fit_truncated_svd(in.sparse, o) : musiclab::linalg::fit_truncated_svd(in.dense, o);
}

/// "<algo>_k<k>.tsv" -> (algo, k); false for anything else (components, transform, comparison, lapack files).
bool parse_case(const std::string& name, std::string& algo, std::size_t& k) {
    const auto pos = name.rfind("_k");
    if (pos == std::string::npos || name.size() < 4 || name.substr(name.size() - 4) != ".tsv") return false;
    const std::string digits = name.substr(pos + 2, name.size() - 4 - pos - 2);
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    algo = name.substr(0, pos);
    k = std::stoul(digits);
    return algo == "arpack" || algo == "randomized";
}

}  // namespace

TEST_CASE("parity with scikit-learn TruncatedSVD on every reference case") {
    MUSICLAB_REQUIRE_PATH(svd_reference());
    MUSICLAB_REQUIRE_PATH(musiclab::test::shared_dir() / "reference/tfidf/tags/docs.jsonl");
    MUSICLAB_REQUIRE_PATH(musiclab::test::shared_dir() / "data/spotify_tracks_114k/spotify_tracks.csv");
    std::size_t cases = 0, checked = 0;
    std::vector<fs::path> datasets;
    for (const auto& e : fs::directory_iterator(svd_reference()))
        if (e.is_directory()) datasets.push_back(e.path());
    std::sort(datasets.begin(), datasets.end());
    REQUIRE(!datasets.empty());
    for (const auto& dir : datasets) {
        const std::string dataset = dir.filename().string();
        const Input input = build_input(dataset);
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
            std::string algo;
            std::size_t k = 0;
            if (!parse_case(file.filename().string(), algo, k)) continue;
            ++cases;
            const std::string stem = algo + "_k" + std::to_string(k);
            CAPTURE(dataset);
            CAPTURE(stem);
            const auto ref = read_tsv(file);
            const auto& sv = ref.at("singular_value");
            const auto& ev = ref.at("explained_variance");
            const auto& evr = ref.at("explained_variance_ratio");
            REQUIRE(sv.size() == k);
            TruncatedSvdOptions o;
            o.n_components = k;
            o.algorithm = algo == "arpack" ? SvdAlgorithm::exact : SvdAlgorithm::randomized;
            o.num_threads = 2;
            const auto model = fit(input, o);
            REQUIRE(model.singular_values().size() == static_cast<Eigen::Index>(k));
            if (algo == "arpack") {
                // Exact mode: relative 1e-9 (the peer is within ~4e-15 of LAPACK; the README's tolerance).
                double worst_sv = 0.0, worst_ev = 0.0;
                for (std::size_t j = 0; j < k; ++j) {
                    CAPTURE(j);
                    CHECK(rel(model.singular_values()[j], sv[j]) <= 1e-9);
                    CHECK(rel(model.explained_variance()[j], ev[j]) <= 1e-9);
                    CHECK(rel(model.explained_variance_ratio()[j], evr[j]) <= 1e-9);
                    worst_sv = std::max(worst_sv, rel(model.singular_values()[j], sv[j]));
                    worst_ev = std::max({worst_ev, rel(model.explained_variance()[j], ev[j]), rel(model.explained_variance_ratio()[j], evr[j])});
                    checked += 3;
                }
                MESSAGE(dataset << "/" << stem << ": max relative error singular values " << worst_sv << ", explained variance (ratio) " << worst_ev
                                << "; " << model.info().iterations << " restarts, " << model.info().matrix_products << " products");
                // components_ after svd_flip: absolute 1e-8 (the README's tolerance).
                const fs::path comp = dir / (stem + "_components.tsv");
                if (fs::exists(comp)) {
                    const auto c = read_tsv(comp);
                    REQUIRE(c.at("j").size() == k * static_cast<std::size_t>(model.components().cols()));
                    double worst = 0.0;
                    for (std::size_t t = 0; t < c.at("j").size(); ++t) {
                        const auto j = static_cast<Eigen::Index>(c.at("j")[t]);
                        const auto col = static_cast<Eigen::Index>(c.at("col")[t]);
                        worst = std::max(worst, std::abs(model.components()(j, col) - c.at("value")[t]));
                    }
                    CHECK(worst <= 1e-8);
                    MESSAGE(dataset << "/" << stem << ": max abs error components " << worst);
                    ++checked;
                }
                // fit_transform rows (every "<stem>_transform_*.tsv"): absolute 1e-8.
                for (const auto& tf : files) {
                    const std::string name = tf.filename().string();
                    if (name.rfind(stem + "_transform_", 0) != 0) continue;
                    const auto t = read_tsv(tf);
                    const Eigen::MatrixXd Xk = input.is_sparse ? musiclab::linalg::fit_transform_truncated_svd(input.sparse, o).second
                                                               : musiclab::linalg::fit_transform_truncated_svd(input.dense, o).second;
                    const Eigen::MatrixXd Xt = input.is_sparse ? model.transform(input.sparse, 2) : model.transform(input.dense, 2);
                    double worst = 0.0, worst_transform = 0.0;
                    for (std::size_t r = 0; r < t.at("row").size(); ++r) {
                        const auto i = static_cast<Eigen::Index>(t.at("row")[r]);
                        const auto j = static_cast<Eigen::Index>(t.at("j")[r]);
                        worst = std::max(worst, std::abs(Xk(i, j) - t.at("value")[r]));
                        worst_transform = std::max(worst_transform, std::abs(Xt(i, j) - t.at("value")[r]));
                    }
                    CHECK(worst <= 1e-8);
                    CHECK(worst_transform <= 1e-8);
                    MESSAGE(dataset << "/" << name << ": max abs error fit_transform " << worst << ", transform " << worst_transform);
                    checked += 2;
                }
                // Every exact fit also against the dense LAPACK singular values when present (1e-9).
                for (const auto& lf : files)
                    if (lf.filename().string().rfind("lapack_all", 0) == 0) {
                        const auto l = read_tsv(lf).at("singular_value");
                        for (std::size_t j = 0; j < k && j < l.size(); ++j) CHECK(rel(model.singular_values()[j], l[j]) <= 1e-9);
                        ++checked;
                    }
            } else {
                const fs::path cmp = dir / ("comparison_k" + std::to_string(k) + ".tsv");
                if (fs::exists(cmp)) {
                    // Randomized: compared with the exact column, per index, within 2 x the largest
                    // relative error of scikit-learn's randomized fits over random_state 1..20.
                    const auto c = read_tsv(cmp);
                    const auto& exact = c.at("arpack_singular_value");
                    const auto& spread = c.at("max_reldiff_randomized_seeds1to20_vs_arpack");
                    const auto& evr_seed0 = c.at("reldiff_evr_randomized_vs_arpack");
                    const auto exact_ref = read_tsv(dir / ("arpack_k" + std::to_string(k) + ".tsv"));
                    const auto& exact_evr = exact_ref.at("explained_variance_ratio");
                    REQUIRE(exact.size() >= k);
                    double worst_sv = 0.0, worst_evr = 0.0;  // as fractions of the tolerance
                    for (std::size_t j = 0; j < k; ++j) {
                        CAPTURE(j);
                        CHECK(rel(model.singular_values()[j], exact[j]) <= 2 * spread[j]);
                        worst_sv = std::max(worst_sv, rel(model.singular_values()[j], exact[j]) / (2 * spread[j]));
                        worst_evr = std::max(worst_evr, rel(model.explained_variance_ratio()[j], exact_evr[j]) /
                                                            (2 * std::max(evr_seed0[j], std::sqrt(spread[j]))));
                        // Explained-variance ratios: the reference gives their error for one seed
                        // only; the error of a ratio follows the error of the vector, whose size is
                        // about the square root of the singular value's, so: 2 x the larger of the
                        // seed-0 error and sqrt(seed spread of the singular value).
                        CHECK(rel(model.explained_variance_ratio()[j], exact_evr[j]) <= 2 * std::max(evr_seed0[j], std::sqrt(spread[j])));
                        checked += 2;
                    }
                    double first10 = 0.0, all = 0.0;
                    for (std::size_t j = 0; j < k; ++j) (j < 10 ? first10 : all) = std::max(j < 10 ? first10 : all, rel(model.singular_values()[j], exact[j]));
                    MESSAGE(dataset << "/" << stem << ": singular values vs exact: max relative error j < 10 " << first10 << ", j >= 10 " << all
                                    << "; worst error / tolerance: singular values " << worst_sv << ", ratios " << worst_evr);
                } else {
                    // No comparison file: the dense audio case, where the sketch spans all of X's
                    // columns (l = min(n, m)); the README's tolerance is relative 1e-12.
                    REQUIRE(model.info().basis_size == static_cast<std::size_t>(std::min(
                                                           input.is_sparse ? input.sparse.cols() : input.dense.cols(),
                                                           input.is_sparse ? input.sparse.rows() : input.dense.rows())));
                    for (std::size_t j = 0; j < k; ++j) {
                        CAPTURE(j);
                        CHECK(rel(model.singular_values()[j], sv[j]) <= 1e-12);
                        CHECK(rel(model.explained_variance()[j], ev[j]) <= 1e-12);
                        CHECK(rel(model.explained_variance_ratio()[j], evr[j]) <= 1e-12);
                        checked += 3;
                    }
                }
            }
        }
    }
    MESSAGE(cases << " reference cases, " << checked << " checks");
    CHECK(cases >= 5);
}

TEST_CASE("hand-worked diagonal matrices: values signs and variances") {
    // X = [[3,0,0],[0,2,0],[0,0,1],[0,0,0]]: singular values 3, 2, 1, right vectors e1, e2, e3.
    // X V for k = 2 = [[3,0],[0,2],[0,0],[0,0]]: population variances 9/4 - (3/4)^2 = 1.6875 and
    // 4/4 - (2/4)^2 = 0.75; total column variance 1.6875 + 0.75 + (1/4 - 1/16) = 2.625.
    for (const double first : {3.0, -3.0}) {
        Eigen::MatrixXd X = Eigen::MatrixXd::Zero(4, 3);
        X(0, 0) = first;
        X(1, 1) = 2;
        X(2, 2) = 1;
        const SparseRow S = X.sparseView();
        for (const auto algo : {SvdAlgorithm::exact, SvdAlgorithm::randomized}) {
            TruncatedSvdOptions o;
            o.algorithm = algo;
            o.n_components = 2;
            for (int sparse = 0; sparse < 2; ++sparse) {
                CAPTURE(first);
                CAPTURE(sparse);
                auto [model, Xk] = sparse ? musiclab::linalg::fit_transform_truncated_svd(S, o)
                                          : musiclab::linalg::fit_transform_truncated_svd(X, o);
                CHECK(model.singular_values()[0] == doctest::Approx(3.0).epsilon(1e-13));
                CHECK(model.singular_values()[1] == doctest::Approx(2.0).epsilon(1e-13));
                // svd_flip: U's largest entry positive. For X(0,0) = -3, u1 = -e1 flips, so v1 = -e1.
                CHECK(model.components()(0, 0) == doctest::Approx(first / 3.0).epsilon(1e-13));
                CHECK(std::abs(model.components()(0, 1)) < 1e-13);
                CHECK(model.components()(1, 1) == doctest::Approx(1.0).epsilon(1e-13));
                CHECK(Xk(0, 0) == doctest::Approx(3.0).epsilon(1e-13));
                CHECK(Xk(1, 1) == doctest::Approx(2.0).epsilon(1e-13));
                CHECK(model.explained_variance()[0] == doctest::Approx(1.6875).epsilon(1e-13));
                CHECK(model.explained_variance()[1] == doctest::Approx(0.75).epsilon(1e-13));
                CHECK(model.explained_variance_ratio()[0] == doctest::Approx(1.6875 / 2.625).epsilon(1e-13));
                CHECK(model.explained_variance_ratio()[1] == doctest::Approx(0.75 / 2.625).epsilon(1e-13));
            }
        }
    }
}

namespace {

/// A random sparse matrix with a decaying spectrum (rows scaled), deterministic.
SparseRow random_sparse(Eigen::Index n, Eigen::Index m, double density, std::uint64_t seed) {
    musiclab::Rng rng(seed);
    std::vector<Eigen::Triplet<double>> t;
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < m; ++j)
            if (rng.uniform() < density) t.emplace_back(i, j, rng.normal() / (1.0 + 0.3 * static_cast<double>(j)));
    SparseRow X(n, m);
    X.setFromTriplets(t.begin(), t.end());
    return X;
}

void check_same(const musiclab::linalg::TruncatedSvd& a, const musiclab::linalg::TruncatedSvd& b, double tol) {
    REQUIRE(a.n_components() == b.n_components());
    for (Eigen::Index j = 0; j < a.singular_values().size(); ++j) {
        CHECK(std::abs(a.singular_values()[j] - b.singular_values()[j]) <= tol * a.singular_values()[0]);
        CHECK(std::abs(a.explained_variance_ratio()[j] - b.explained_variance_ratio()[j]) <= tol);
    }
    CHECK((a.components() - b.components()).cwiseAbs().maxCoeff() <= tol * 1e3);
}

}  // namespace

TEST_CASE("sparse RowMajor ColMajor dense and float inputs agree; wide matrices transpose") {
    for (const auto& shape : {std::pair<Eigen::Index, Eigen::Index>{300, 120}, {90, 400}}) {
        const SparseRow X = random_sparse(shape.first, shape.second, 0.08, 7);
        const Eigen::SparseMatrix<double> Xc = X;
        const Eigen::MatrixXd Xd = X;
        const Eigen::SparseMatrix<float, Eigen::RowMajor> Xf = X.cast<float>();
        const Eigen::SparseMatrix<double, Eigen::RowMajor> Xf_as_double = Xf.cast<double>();
        for (const auto algo : {SvdAlgorithm::exact, SvdAlgorithm::randomized}) {
            CAPTURE(shape.first);
            CAPTURE(static_cast<int>(algo));
            TruncatedSvdOptions o;
            o.algorithm = algo;
            o.n_components = 8;
            const auto a = musiclab::linalg::fit_truncated_svd(X, o);
            // Same arithmetic in a different storage order: equal to rounding.
            check_same(a, musiclab::linalg::fit_truncated_svd(Xc, o), 1e-12);
            check_same(a, musiclab::linalg::fit_truncated_svd(Xd, o), 1e-12);
            // float input is read as float, computed in double: equal to the double fit of the same values.
            check_same(musiclab::linalg::fit_truncated_svd(Xf, o), musiclab::linalg::fit_truncated_svd(Xf_as_double, o), 1e-12);
            const Eigen::MatrixXf Xdf = Xd.cast<float>();
            check_same(musiclab::linalg::fit_truncated_svd(Xdf, o), musiclab::linalg::fit_truncated_svd(Xf_as_double, o), 1e-12);
            CHECK(a.info().transposed == (algo == SvdAlgorithm::randomized && shape.first < shape.second));
            // transform of the training rows = fit_transform's output; components orthonormal.
            const Eigen::MatrixXd Xk = musiclab::linalg::fit_transform_truncated_svd(X, o).second;
            CHECK((a.transform(X) - Xk).cwiseAbs().maxCoeff() == 0.0);
            CHECK((a.transform(Xd) - Xk).cwiseAbs().maxCoeff() <= 1e-12);
            const Eigen::MatrixXd gram = a.components() * a.components().transpose();
            CHECK((gram - Eigen::MatrixXd::Identity(8, 8)).cwiseAbs().maxCoeff() <= 1e-12);
        }
        // Randomized vs exact on this small matrix with a full sketch (n_oversamples large): equal.
        TruncatedSvdOptions e;
        e.algorithm = SvdAlgorithm::exact;
        e.n_components = 8;
        TruncatedSvdOptions r = e;
        r.algorithm = SvdAlgorithm::randomized;
        r.n_oversamples = 1000;  // capped at min(n, m): the sketch spans everything
        check_same(musiclab::linalg::fit_truncated_svd(X, e), musiclab::linalg::fit_truncated_svd(X, r), 1e-10);
    }
}

TEST_CASE("results do not depend on the thread count; the seed is honoured") {
    const SparseRow X = random_sparse(2500, 700, 0.08, 11);  // nnz ~ 140k: Lanczos products use 2 workers
    const Eigen::MatrixXd Xd = random_sparse(1500, 60, 0.5, 12);
    for (const auto algo : {SvdAlgorithm::randomized, SvdAlgorithm::exact}) {
        for (const auto norm : {PowerIterationNormalizer::automatic, PowerIterationNormalizer::none, PowerIterationNormalizer::cholesky_qr,
                                PowerIterationNormalizer::cholesky_qr_once, PowerIterationNormalizer::qr}) {
            if (algo == SvdAlgorithm::exact && norm != PowerIterationNormalizer::automatic) continue;
            TruncatedSvdOptions o;
            o.algorithm = algo;
            o.power_iteration_normalizer = norm;
            o.n_components = 20;  // l = 30 >= 16: the column-split transpose product
            for (const std::size_t k : {std::size_t{20}, std::size_t{3}}) {  // k = 3: the chunked reduction
                o.n_components = k;
                o.num_threads = 1;
                const auto one = musiclab::linalg::fit_transform_truncated_svd(X, o);
                const auto one_d = musiclab::linalg::fit_transform_truncated_svd(Xd, o);
                o.num_threads = 2;
                const auto two = musiclab::linalg::fit_transform_truncated_svd(X, o);
                const auto two_d = musiclab::linalg::fit_transform_truncated_svd(Xd, o);
                CAPTURE(k);
                CHECK(one.first.singular_values() == two.first.singular_values());
                CHECK(one.first.components() == two.first.components());
                CHECK(one.first.explained_variance_ratio() == two.first.explained_variance_ratio());
                CHECK(one.second == two.second);
                CHECK(one_d.first.singular_values() == two_d.first.singular_values());
                CHECK(one_d.first.components() == two_d.first.components());
                CHECK(one_d.second == two_d.second);
            }
        }
    }
    // The normalisers change the basis, not its span: with the same sketch the fits agree to rounding.
    {
        TruncatedSvdOptions o;
        o.n_components = 20;
        o.power_iteration_normalizer = PowerIterationNormalizer::qr;
        const auto ref = musiclab::linalg::fit_truncated_svd(X, o);
        // (none is left out: without normalisation the small directions lose digits, u (s_0/s_j)^(2 n_iter).)
        for (const auto norm : {PowerIterationNormalizer::cholesky_qr, PowerIterationNormalizer::cholesky_qr_once}) {
            CAPTURE(static_cast<int>(norm));
            o.power_iteration_normalizer = norm;
            const auto other = musiclab::linalg::fit_truncated_svd(X, o);
            CHECK(((other.singular_values() - ref.singular_values()).array() / ref.singular_values().array()).abs().maxCoeff() <= 1e-10);
        }
    }
    TruncatedSvdOptions o;
    o.n_components = 20;
    o.n_iter = 1;
    const auto a = musiclab::linalg::fit_truncated_svd(X, o);
    CHECK(a.singular_values() == musiclab::linalg::fit_truncated_svd(X, o).singular_values());
    o.seed = 1;
    CHECK(a.singular_values() != musiclab::linalg::fit_truncated_svd(X, o).singular_values());
}

TEST_CASE("rank-deficient input: zero singular values, no NaN") {
    // rank 2 (rows repeat), k = 3: the third direction does not exist.
    Eigen::MatrixXd X(6, 5);
    X << 1, 2, 0, 0, 1, 0, 1, 3, 0, 0, 1, 2, 0, 0, 1, 0, 1, 3, 0, 0, 1, 2, 0, 0, 1, 0, 1, 3, 0, 0;
    TruncatedSvdOptions o;
    o.n_components = 3;
    const auto [model, Xk] = musiclab::linalg::fit_transform_truncated_svd(X, o);
    CHECK(model.info().householder_fallback);
    CHECK(model.singular_values()[2] <= 1e-12 * model.singular_values()[0]);
    CHECK(Xk.allFinite());
    CHECK(model.components().allFinite());
    const Eigen::JacobiSVD<Eigen::MatrixXd> ref(X);
    CHECK(model.singular_values()[0] == doctest::Approx(ref.singularValues()[0]).epsilon(1e-12));
    CHECK(model.singular_values()[1] == doctest::Approx(ref.singularValues()[1]).epsilon(1e-12));
}

TEST_CASE("bad input gives clear errors") {
    const SparseRow X = random_sparse(40, 10, 0.3, 3);
    TruncatedSvdOptions o;
    auto param_of = [](auto&& f) -> std::string {
        try {
            f();
        } catch (const musiclab::invalid_parameter& e) {
            return e.name() + ": " + e.what();
        }
        return "no exception";
    };
    o.n_components = 10;  // = min(n, m)
    CHECK(param_of([&] { (void)musiclab::linalg::fit_truncated_svd(X, o); }).rfind("n_components:", 0) == 0);
    o.n_components = 0;
    CHECK(param_of([&] { (void)musiclab::linalg::fit_truncated_svd(X, o); }).rfind("n_components:", 0) == 0);
    o.n_components = 2;
    CHECK(param_of([&] { (void)musiclab::linalg::fit_truncated_svd(SparseRow(0, 5), o); }).find("0 x 5 matrix") != std::string::npos);
    CHECK(param_of([&] { (void)musiclab::linalg::fit_truncated_svd(Eigen::MatrixXd(3, 0), o); }).rfind("X:", 0) == 0);
    SparseRow bad = X;
    bad.coeffRef(7, 4) = std::numeric_limits<double>::quiet_NaN();
    CHECK(param_of([&] { (void)musiclab::linalg::fit_truncated_svd(bad, o); }).find("NaN at row 7, column 4") != std::string::npos);
    Eigen::MatrixXf dense = Eigen::MatrixXf::Ones(5, 4);
    dense(3, 1) = std::numeric_limits<float>::infinity();
    CHECK(param_of([&] { (void)musiclab::linalg::fit_truncated_svd(dense, o); }).find("infinite value at row 3, column 1") != std::string::npos);
    o.algorithm = SvdAlgorithm::exact;
    o.tol = 0;
    CHECK(param_of([&] { (void)musiclab::linalg::fit_truncated_svd(X, o); }).rfind("tol:", 0) == 0);
    o.tol = 1e-12;
    o.ncv = 2;
    CHECK(param_of([&] { (void)musiclab::linalg::fit_truncated_svd(X, o); }).rfind("ncv:", 0) == 0);
    o.ncv.reset();
    o.max_iter = 0;
    CHECK(param_of([&] { (void)musiclab::linalg::fit_truncated_svd(X, o); }).rfind("max_iter:", 0) == 0);
    o.max_iter = 1000;
    o.num_threads = -1;
    CHECK(param_of([&] { (void)musiclab::linalg::fit_truncated_svd(X, o); }).rfind("num_threads:", 0) == 0);
    o.num_threads = 1;
    o.algorithm = static_cast<SvdAlgorithm>(7);
    CHECK(param_of([&] { (void)musiclab::linalg::fit_truncated_svd(X, o); }).rfind("algorithm:", 0) == 0);
    o.algorithm = SvdAlgorithm::randomized;
    o.power_iteration_normalizer = static_cast<PowerIterationNormalizer>(9);
    CHECK(param_of([&] { (void)musiclab::linalg::fit_truncated_svd(X, o); }).rfind("power_iteration_normalizer:", 0) == 0);
    o.power_iteration_normalizer = PowerIterationNormalizer::automatic;
    // Exact mode that cannot converge in one restart to an unreachable tolerance: musiclab::error.
    o.algorithm = SvdAlgorithm::exact;
    o.tol = 1e-300;
    o.max_iter = 1;
    CHECK_THROWS_WITH_AS((void)musiclab::linalg::fit_truncated_svd(random_sparse(400, 300, 0.05, 5), o),
                         doctest::Contains("did not converge"), musiclab::error);
    o = TruncatedSvdOptions{};
    const auto model = musiclab::linalg::fit_truncated_svd(X, o);
    CHECK_THROWS_AS((void)model.transform(SparseRow(3, 9)), musiclab::shape_mismatch);
    CHECK_THROWS_AS((void)model.transform(Eigen::MatrixXd(3, 11)), musiclab::shape_mismatch);
    CHECK(param_of([&] { (void)model.transform(bad); }).find("NaN at row 7, column 4") != std::string::npos);
    CHECK_THROWS_AS((void)musiclab::linalg::TruncatedSvd{}.transform(X), musiclab::not_fitted);
    CHECK(model.transform(SparseRow(0, 10)).rows() == 0);
}
