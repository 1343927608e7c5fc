// Google Benchmarks of musiclab::recommend::top_k (exact top-10 cosine, float). The peer
// (faiss 1.7.3 IndexFlatIP: normalize_L2, add, search k + 1, drop self; and numpy brute force) is
// timed by benchmarks/peers/bench_topk_faiss.py on the same matrices; docs/benchmarks.md has both.
//
//   ./build/release/benchmarks/bench_recommend_topk --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//
// Inputs (building them is not timed):
// - audio114k: the 114,000 x 13 Spotify audio features (danceability ... duration_ms), each column
//   standardized with the population std (StandardScaler); every row is a query, itself excluded
//   (the ../shared/peers `topk --csv ... --standardize` case).
// - normal100k_384: 100,000 x 384 N(0, 1) items (a sentence-embedding-sized catalogue) and its first
//   2,000 rows as queries, self excluded; written once to $MUSICLAB_BENCH_DIR (default /tmp) as raw
//   little-endian float32 `topk_normal100k_384.f32` so that the peer reads the same numbers.
// The argument is num_threads. Counter mean_topk = mean of all returned similarities (compare with
// the peer's mean_topk_sim).
#include "bench_support.hpp"

#include <musiclab/core.hpp>
#include <musiclab/io.hpp>
#include <musiclab/recommend/topk.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <stdexcept>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

const RowMatrixF& audio() {
    static const RowMatrixF X = [] {
        const std::vector<std::string> cols{"danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
                                            "instrumentalness", "liveness", "valence", "tempo", "time_signature", "duration_ms"};
        const auto table = musiclab::io::read_csv(std::filesystem::path(MUSICLAB_SHARED_DIR) / "data/spotify_tracks_114k/spotify_tracks.csv");
        Eigen::MatrixXd Z = table.matrix(cols);
        const Eigen::RowVectorXd mean = Z.colwise().mean();
        Z.rowwise() -= mean;
        const Eigen::RowVectorXd sd = (Z.array().square().colwise().sum() / static_cast<double>(Z.rows())).sqrt();
        Z.array().rowwise() /= sd.array();
        return RowMatrixF(Z.cast<float>());
    }();
    return X;
}

const RowMatrixF& normal_items() {
    static const RowMatrixF X = [] {
        constexpr Eigen::Index n = 100000, d = 384;
        RowMatrixF M(n, d);
        const auto path = musiclab::bench::generated_file("topk_normal100k_384.f32", [&](std::FILE* f) {
            musiclab::Rng rng(42);
            std::vector<float> row(d);
            for (Eigen::Index r = 0; r < n; ++r) {
                for (auto& v : row) v = static_cast<float>(rng.normal());
                std::fwrite(row.data(), sizeof(float), row.size(), f);
            }
        });
        std::FILE* f = std::fopen(path.c_str(), "rb");
        if (!f || std::fread(M.data(), sizeof(float), static_cast<std::size_t>(M.size()), f) != static_cast<std::size_t>(M.size()))
            throw std::runtime_error("cannot read " + path.string());
        std::fclose(f);
        return M;
    }();
    return X;
}

void BM_topk_audio114k_all(benchmark::State& state) {
    const RowMatrixF& X = audio();
    musiclab::recommend::TopKOptions o;
    o.exclude_self = true;
    o.num_threads = static_cast<int>(state.range(0));
    double mean = 0;
    for (auto _ : state) {
        const auto r = musiclab::recommend::top_k(X, X, 10, o);
        mean = r.scores.cast<double>().mean();
        benchmark::DoNotOptimize(r.indices.data());
    }
    state.counters["mean_topk"] = mean;
    state.SetItemsProcessed(state.iterations() * X.rows());
}

void BM_topk_normal100k_384_q2000(benchmark::State& state) {
    // Queries = the first 2,000 items; k + 1 = 11 found and the query itself (always first) left
    // out of the counter: the same call shape as the peer (faiss search k + 1, drop self).
    const RowMatrixF& X = normal_items();
    const RowMatrixF Q = X.topRows(2000);
    musiclab::recommend::TopKOptions o;
    o.num_threads = static_cast<int>(state.range(0));
    double mean = 0;
    for (auto _ : state) {
        const auto r = musiclab::recommend::top_k(Q, X, 11, o);
        mean = r.scores.rightCols(10).cast<double>().mean();
        benchmark::DoNotOptimize(r.indices.data());
    }
    state.counters["mean_topk"] = mean;
    state.SetItemsProcessed(state.iterations() * Q.rows());
}

}  // namespace

BENCHMARK(BM_topk_audio114k_all)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_topk_normal100k_384_q2000)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
