// Google Benchmarks of musiclab::cluster::fit_hdbscan (the whole fit: core distances, MST,
// trees, selection, probabilities, GLOSH). Items are points. The peers (hdbscan 0.8.43
// algorithm='best' = boruvka_kdtree, and fast_hdbscan) are timed on exactly the same inputs by
// benchmarks/peers/bench_hdbscan_peers.py; docs/hdbscan.md and docs/benchmarks.md have the table.
//
//   ./build/release/benchmarks/bench_cluster_hdbscan --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//
// Inputs: Gaussian blobs, 10 centres uniform in [-10, 10]^dim, standard deviation 1, points
// assigned round-robin to centres, musiclab::Rng seed 0; written once to
// $MUSICLAB_BENCH_DIR (default /tmp) as hdbscan_blobs_<n>x<dim>.npy (float64, C order), which
// the peer script reads. Parameters as the peer harness: min_cluster_size 15, min_samples 15.
// Second argument = num_threads.
#include <musiclab/cluster.hpp>
#include <musiclab/core.hpp>

#include "bench_support.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

std::vector<double> make_blobs(std::size_t n, std::size_t dim) {
    musiclab::Rng rng(0);
    std::vector<double> centers(10 * dim);
    for (auto& c : centers) c = rng.uniform(-10.0, 10.0);
    std::vector<double> x(n * dim);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < dim; ++j) x[i * dim + j] = centers[(i % 10) * dim + j] + rng.normal();
    return x;
}

/// The input, via the .npy file (generated once) so that the peers read the very same values.
const std::vector<double>& blobs(std::size_t n, std::size_t dim) {
    static std::map<std::pair<std::size_t, std::size_t>, std::vector<double>> cache;
    auto& x = cache[{n, dim}];
    if (!x.empty()) return x;
    const std::string name = "hdbscan_blobs_" + std::to_string(n) + "x" + std::to_string(dim) + ".npy";
    const auto path = musiclab::bench::generated_file(name, [&](std::FILE* f) {
        const auto data = make_blobs(n, dim);
        std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(n) + ", " +
                             std::to_string(dim) + "), }";
        while ((10 + header.size() + 1) % 64 != 0) header += ' ';
        header += '\n';
        const unsigned char magic[8] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
        std::fwrite(magic, 1, 8, f);
        const auto len = static_cast<unsigned short>(header.size());
        const unsigned char le[2] = {static_cast<unsigned char>(len & 0xff), static_cast<unsigned char>(len >> 8)};
        std::fwrite(le, 1, 2, f);
        std::fwrite(header.data(), 1, header.size(), f);
        std::fwrite(data.data(), sizeof(double), data.size(), f);
    });
    std::ifstream in(path, std::ios::binary);
    char pre[10];
    in.read(pre, 10);
    const std::size_t hlen = static_cast<unsigned char>(pre[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(pre[9])) << 8);
    in.seekg(static_cast<std::streamoff>(10 + hlen));
    x.resize(n * dim);
    in.read(reinterpret_cast<char*>(x.data()), static_cast<std::streamsize>(x.size() * sizeof(double)));
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return x;
}

void BM_hdbscan(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto dim = static_cast<std::size_t>(state.range(1));
    const auto& x = blobs(n, dim);
    musiclab::cluster::HdbscanOptions o;
    o.min_cluster_size = 15;
    o.num_threads = static_cast<int>(state.range(2));
    std::size_t clusters = 0, noise = 0;
    for (auto _ : state) {
        const auto m = musiclab::cluster::fit_hdbscan(x, n, dim, o);
        clusters = m.cluster_persistence.size();
        noise = 0;
        for (const int l : m.labels) noise += l < 0 ? 1 : 0;
        benchmark::DoNotOptimize(m.labels.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
    state.counters["clusters"] = static_cast<double>(clusters);
    state.counters["noise_fraction"] = static_cast<double>(noise) / static_cast<double>(n);
}

}  // namespace

BENCHMARK(BM_hdbscan)
    ->ArgNames({"n", "dim", "threads"})
    ->Args({10000, 2, 2})
    ->Args({100000, 2, 2})
    ->Args({200000, 2, 2})
    ->Args({200000, 3, 2})
    ->Args({20000, 50, 2})
    ->Args({200000, 2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_MAIN();
