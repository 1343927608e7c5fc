// Google Benchmarks of musiclab::linalg truncated SVD. Items are rows (documents / tracks). The
// peer (scikit-learn 1.2.1 TruncatedSVD on the same matrices) is timed by
// benchmarks/peers/bench_svd_sklearn.py; docs/svd.md and docs/benchmarks.md have both side by side.
//
//   ./build/release/benchmarks/bench_linalg_svd --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//   ./build/release/benchmarks/bench_linalg_svd --scale [num_threads]   # one TF-IDF + SVD run, peak RSS
//
// Sparse input: the default TF-IDF (TfidfVectorizer()) of the 114,000 rows of
// ../shared/data/spotify_tracks_114k/spotify_tracks.csv, each "track_name artists track_genre"
// joined by one space, a missing cell read as "" (as bench_text_tfidf and the peers' bench_peers.py
// svd case): 114,000 x 67,812, nnz 763,805. Built once, not timed (except in --scale).
// Dense input: the 11 audio features of the same file, z-scored (population std), 114,000 x 11.
// The benchmark argument is num_threads. Counters: evr_sum (sum of explained_variance_ratio_) and
// sv0 (largest singular value), comparable with the peer's output.
#include "bench_support.hpp"

#include <musiclab/core.hpp>
#include <musiclab/io.hpp>
#include <musiclab/linalg.hpp>
#include <musiclab/text.hpp>

#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

std::filesystem::path shared() { return MUSICLAB_SHARED_DIR; }

std::filesystem::path tracks_csv() { return shared() / "data/spotify_tracks_114k/spotify_tracks.csv"; }

const Eigen::SparseMatrix<double, Eigen::RowMajor>& tfidf() {
    static const auto X = [] {
        musiclab::text::TfidfOptions o;
        o.num_threads = 2;
        return musiclab::text::fit_transform_tfidf<double>(musiclab::bench::read_spotify_texts(), o).second;
    }();
    return X;
}

const Eigen::MatrixXd& audio() {
    static const Eigen::MatrixXd Z = [] {
        const auto table = musiclab::io::read_csv(tracks_csv());
        Eigen::MatrixXd m = table.matrix({"danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
                                          "instrumentalness", "liveness", "valence", "tempo"});
        for (Eigen::Index j = 0; j < m.cols(); ++j) {
            auto c = m.col(j);
            const double mean = c.mean();
            const double sd = std::sqrt((c.array() - mean).square().mean());
            c = (c.array() - mean) / sd;
        }
        return m;
    }();
    return Z;
}

template <class Matrix>
void run(benchmark::State& state, const Matrix& X, musiclab::linalg::TruncatedSvdOptions o) {
    o.num_threads = static_cast<int>(state.range(0));
    double evr = 0, sv0 = 0;
    for (auto _ : state) {
        const auto model = musiclab::linalg::fit_truncated_svd(X, o);
        evr = model.explained_variance_ratio().sum();
        sv0 = model.singular_values()[0];
        benchmark::DoNotOptimize(evr);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(X.rows()));
    state.counters["evr_sum"] = evr;
    state.counters["sv0"] = sv0;
}

/// TruncatedSVD(100, algorithm='randomized', n_iter=5, n_oversamples=10) on the TF-IDF matrix.
void BM_svd_randomized_k100_tfidf(benchmark::State& state) {
    musiclab::linalg::TruncatedSvdOptions o;
    o.n_components = 100;
    run(state, tfidf(), o);
}

/// The same with a normalisation after every product, where scikit-learn puts its LU (cholesky_qr;
/// the default automatic = cholesky_qr_once normalises after the X^T products only).
void BM_svd_randomized_k100_tfidf_halfsteps(benchmark::State& state) {
    musiclab::linalg::TruncatedSvdOptions o;
    o.n_components = 100;
    o.power_iteration_normalizer = musiclab::linalg::PowerIterationNormalizer::cholesky_qr;
    run(state, tfidf(), o);
}

/// The exact (Lanczos) mode, k = 100, on the TF-IDF matrix.
void BM_svd_exact_k100_tfidf(benchmark::State& state) {
    musiclab::linalg::TruncatedSvdOptions o;
    o.n_components = 100;
    o.algorithm = musiclab::linalg::SvdAlgorithm::exact;
    run(state, tfidf(), o);
}

/// TruncatedSVD(5, algorithm='randomized', n_iter=5) on the dense z-scored audio features.
void BM_svd_randomized_k5_audio(benchmark::State& state) {
    musiclab::linalg::TruncatedSvdOptions o;
    o.n_components = 5;
    run(state, audio(), o);
}

}  // namespace

BENCHMARK(BM_svd_randomized_k100_tfidf)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_svd_randomized_k100_tfidf_halfsteps)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_svd_exact_k100_tfidf)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_svd_randomized_k5_audio)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

long max_rss_kib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

/// --scale: read the texts, TF-IDF, SVD k = 100 (randomized), once, in a fresh process; prints one
/// JSON line with the wall times and the peak resident set size (getrusage ru_maxrss).
int scale_run(int threads) {
    const auto t0 = std::chrono::steady_clock::now();
    auto docs = musiclab::bench::read_spotify_texts();
    const double read_s = seconds_since(t0);
    const long rss_texts = max_rss_kib();
    auto t = std::chrono::steady_clock::now();
    musiclab::text::TfidfOptions to;
    to.num_threads = threads;
    auto X = musiclab::text::fit_transform_tfidf<double>(docs, to).second;
    const double tfidf_s = seconds_since(t);
    docs = std::vector<std::string>();
    const long rss_tfidf = max_rss_kib();
    t = std::chrono::steady_clock::now();
    musiclab::linalg::TruncatedSvdOptions o;
    o.n_components = 100;
    o.num_threads = threads;
    const auto [model, Xk] = musiclab::linalg::fit_transform_truncated_svd(X, o);
    const double svd_s = seconds_since(t);
    const auto input_mib = static_cast<double>(X.nonZeros()) * (sizeof(double) + sizeof(int)) / 1048576.0 +
                           static_cast<double>(X.rows() + 1) * sizeof(int) / 1048576.0;
    std::printf("{\"case\": \"tfidf+svd_k100\", \"threads\": %d, \"docs\": %lld, \"features\": %lld, \"nnz\": %lld, "
                "\"read_s\": %.3f, \"tfidf_s\": %.3f, \"svd_s\": %.3f, \"tfidf_svd_s\": %.3f, "
                "\"csr_input_mib\": %.1f, \"max_rss_after_read_mib\": %.1f, \"max_rss_after_tfidf_mib\": %.1f, "
                "\"peak_rss_mib\": %.1f, \"evr_sum\": %.6f, \"sv0\": %.9f}\n",
                threads, static_cast<long long>(X.rows()), static_cast<long long>(X.cols()), static_cast<long long>(X.nonZeros()), read_s,
                tfidf_s, svd_s, tfidf_s + svd_s, input_mib, static_cast<double>(rss_texts) / 1024.0, static_cast<double>(rss_tfidf) / 1024.0,
                static_cast<double>(max_rss_kib()) / 1024.0, model.explained_variance_ratio().sum(), model.singular_values()[0]);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::strcmp(argv[1], "--scale") == 0) return scale_run(argc >= 3 ? std::atoi(argv[2]) : 2);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
