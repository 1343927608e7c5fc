// Google Benchmarks of musiclab::nn Sentence-BERT (SentenceEncoder::encode). Items are sentences.
// Model: random N(0, 0.02²) weights with all-MiniLM-L6-v2's dimensions (hidden 384, 6 layers,
// 12 heads, FFN 1536, vocab 30522; LayerNorm 1 / 0), written once as a sentence-transformers
// folder (the real model's text files from ../shared/fixtures/all-MiniLM-L6-v2-noweights) to
// $MUSICLAB_BENCH_DIR/nn_minilm_random and loaded through SentenceEncoder::load. Timing does
// not depend on the weight values.
// Input: the 1,000 song titles of ../shared/peers/transformer/inputs.py song_titles_1000(),
// written to $MUSICLAB_BENCH_DIR/nn_song_titles_1000.txt by benchmarks/peers/bert_setup.py (run
// it first; it also prepares the onnxruntime peer). 15,598 tokens incl. [CLS]/[SEP].
//
//   /usr/bin/python3 benchmarks/peers/bert_setup.py $MUSICLAB_BENCH_DIR
//   ./build/release/benchmarks/bench_nn_bert
//   sh benchmarks/peers/bert_rounds.sh    (musiclab and onnxruntime-node interleaved, 3 rounds)
//
// Benchmarks: encode = tokenise + encode + pool + normalise (texts -> embeddings);
// encode_ids = the same from token ids (what the onnxruntime peer times); tokenize alone.
// Arguments: threads, batch size, kernel ISA (0 automatic, 1 AVX-512, 2 AVX2, 3 generic).
// Counters: GFLOPs (matrix-product FLOPs at the real token counts, 2 per multiply-add, as the
// peers' ANCHOR.md counts them) and, when bert_setup.py's torch-weight folder exists,
// vs_torch_maxabs: the largest difference from torch's embeddings of the first 64 titles on the
// same weights (a check that this computes what the peers compute).
#include "bench_support.hpp"

#include <musiclab/core.hpp>
#include <musiclab/nn.hpp>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace nn = musiclab::nn;

std::vector<std::string> read_titles() {
    std::vector<std::string> out;
    std::ifstream in(musiclab::bench::bench_dir() / "nn_song_titles_1000.txt", std::ios::binary);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(line);
    return out;
}

/// The random-weight MiniLM-sized folder (written once).
fs::path model_folder() {
    const fs::path dir = musiclab::bench::bench_dir() / "nn_minilm_random";
    if (fs::exists(dir / "model.safetensors")) return dir;
    const fs::path real = fs::path(MUSICLAB_SHARED_DIR) / "fixtures/all-MiniLM-L6-v2-noweights";
    fs::create_directories(dir);
    fs::copy(real, dir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    for (const auto& e : fs::recursive_directory_iterator(dir)) fs::permissions(e.path(), fs::perms::owner_all, fs::perm_options::add);
    const auto c = nn::read_bert_config(dir / "config.json");
    musiclab::Rng rng(1);
    std::vector<nn::TensorData> ts;
    auto add = [&](const std::string& name, std::vector<std::size_t> shape, int kind) {  // 0 normal, 1 ones, 2 zeros
        std::size_t n = 1;
        for (auto s : shape) n *= s;
        std::vector<float> v(n, kind == 1 ? 1.0f : 0.0f);
        if (kind == 0)
            for (auto& x : v) x = static_cast<float>(0.02 * rng.normal());
        ts.push_back({name, nn::DType::f32, shape, nn::f32_bytes(v)});
    };
    const std::size_t H = c.hidden_size, I = c.intermediate_size;
    add("embeddings.word_embeddings.weight", {c.vocab_size, H}, 0);
    add("embeddings.position_embeddings.weight", {c.max_position_embeddings, H}, 0);
    add("embeddings.token_type_embeddings.weight", {c.type_vocab_size, H}, 0);
    add("embeddings.LayerNorm.weight", {H}, 1);
    add("embeddings.LayerNorm.bias", {H}, 2);
    for (std::size_t l = 0; l < c.num_hidden_layers; ++l) {
        const std::string p = "encoder.layer." + std::to_string(l) + ".";
        for (const char* m : {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
            add(p + m + ".weight", {H, H}, 0);
            add(p + m + ".bias", {H}, 0);
        }
        add(p + "intermediate.dense.weight", {I, H}, 0);
        add(p + "intermediate.dense.bias", {I}, 0);
        add(p + "output.dense.weight", {H, I}, 0);
        add(p + "output.dense.bias", {H}, 0);
        for (const char* m : {"attention.output.LayerNorm", "output.LayerNorm"}) {
            add(p + m + ".weight", {H}, 1);
            add(p + m + ".bias", {H}, 2);
        }
    }
    const auto tmp = dir / "model.safetensors.tmp";
    nn::save_safetensors(tmp, std::move(ts), {{"format", "pt"}});
    fs::rename(tmp, dir / "model.safetensors");
    return dir;
}

struct Setup {
    std::vector<std::string> titles;
    std::optional<nn::SentenceEncoder> model;
    std::vector<std::vector<std::int32_t>> ids;
    double flops = 0;             // per pass over all titles
    double vs_torch_maxabs = -1;  // -1: not checked
};

const Setup& setup() {
    static const Setup s = [] {
        Setup s;
        s.titles = read_titles();
        if (s.titles.empty()) return s;
        s.model.emplace(nn::SentenceEncoder::load(model_folder()));
        s.ids = s.model->tokenize(s.titles);
        const auto& c = s.model->model().config();
        const double H = static_cast<double>(c.hidden_size), I = static_cast<double>(c.intermediate_size);
        for (const auto& x : s.ids) {
            const double L = static_cast<double>(x.size());
            s.flops += static_cast<double>(c.num_hidden_layers) * (2 * L * H * H * 4 + 2 * L * H * I * 2 + 2 * 2 * L * L * H);
        }
        // the peers' weights: compare with torch's embeddings of the first 64 titles
        const fs::path anchor = musiclab::bench::bench_dir() / "anchor";
        if (fs::exists(anchor / "minilm_random_torch/model.safetensors") && fs::exists(anchor / "torch_first64.json")) {
            const auto peer = nn::SentenceEncoder::load(anchor / "minilm_random_torch");
            const auto ref = nlohmann::json::parse(std::ifstream(anchor / "torch_first64.json")).at("first64");
            std::vector<std::string> first(s.titles.begin(), s.titles.begin() + 64);
            const auto E = peer.encode(first);
            double d = 0;
            for (std::size_t i = 0; i < 64; ++i)
                for (std::size_t k = 0; k < static_cast<std::size_t>(E.cols()); ++k)
                    d = std::max(d, std::abs(static_cast<double>(E(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k))) -
                                             ref[i][k].get<double>()));
            s.vs_torch_maxabs = d;
        }
        return s;
    }();
    return s;
}

nn::EncodeOptions options_of(const benchmark::State& state) {
    nn::EncodeOptions o;
    o.num_threads = static_cast<int>(state.range(0));
    o.batch_size = static_cast<std::size_t>(state.range(1));
    o.kernels = static_cast<nn::KernelIsa>(state.range(2));
    return o;
}

bool ready(benchmark::State& state) {
    const auto& s = setup();
    if (s.titles.empty()) {
        state.SkipWithError("missing $MUSICLAB_BENCH_DIR/nn_song_titles_1000.txt: run benchmarks/peers/bert_setup.py first");
        return false;
    }
    const auto k = static_cast<nn::KernelIsa>(state.range(2));
    if ((k == nn::KernelIsa::avx512 && !musiclab::detail::nn::cpu_has_avx512()) ||
        (k == nn::KernelIsa::avx2 && !musiclab::detail::nn::cpu_has_avx2())) {
        state.SkipWithError("ISA not supported by this CPU");
        return false;
    }
    return true;
}

void counters(benchmark::State& state) {
    const auto& s = setup();
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(s.titles.size()));
    state.counters["GFLOPs"] = benchmark::Counter(s.flops * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
    if (s.vs_torch_maxabs >= 0) state.counters["vs_torch_maxabs"] = s.vs_torch_maxabs;
}

void BM_nn_bert_encode(benchmark::State& state) {
    if (!ready(state)) return;
    const auto& s = setup();
    const auto o = options_of(state);
    (void)s.model->encode(s.titles, o);  // warm-up (first-touch of the scratch memory)
    for (auto _ : state) {
        auto E = s.model->encode(s.titles, o);
        benchmark::DoNotOptimize(E.data());
    }
    counters(state);
}

void BM_nn_bert_encode_ids(benchmark::State& state) {
    if (!ready(state)) return;
    const auto& s = setup();
    const auto o = options_of(state);
    (void)s.model->encode_ids(s.ids, o);
    for (auto _ : state) {
        auto E = s.model->encode_ids(s.ids, o);
        benchmark::DoNotOptimize(E.data());
    }
    counters(state);
}

void BM_nn_bert_tokenize(benchmark::State& state) {
    if (!ready(state)) return;
    const auto& s = setup();
    const auto o = options_of(state);
    for (auto _ : state) {
        auto ids = s.model->tokenize(s.titles, o);
        benchmark::DoNotOptimize(ids.data());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(s.titles.size()));
}

}  // namespace

// {threads, batch, isa}
BENCHMARK(BM_nn_bert_encode)->Args({2, 32, 0})->Args({2, 1, 0})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_nn_bert_encode_ids)->Args({2, 32, 0})->Args({1, 32, 0})->Args({2, 1, 0})->Args({2, 32, 2})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_nn_bert_tokenize)->Args({1, 32, 0})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
