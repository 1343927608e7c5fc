// Sentence-BERT inference: a BERT encoder (Hugging Face BertModel) with sentence-transformers'
// pooling and normalisation, loaded from a sentence-transformers model folder as downloaded from
// the Hugging Face hub (e.g. sentence-transformers/all-MiniLM-L6-v2), float32 on the CPU.
//
//     auto model = musiclab::nn::SentenceEncoder::load("all-MiniLM-L6-v2");
//     musiclab::nn::EncodeOptions opts;
//     opts.num_threads = 2;
//     auto E = model.encode(texts, opts);   // n × 384, rows L2-normalised: cosine = E * E.transpose()
//
// Folder: modules.json (Transformer / Pooling / Normalize; optional: without it, mean pooling and
// no normalisation, as sentence-transformers does for a plain Hugging Face folder); in the
// Transformer's folder config.json, vocab.txt, model.safetensors (required), tokenizer_config.json
// and sentence_bert_config.json (optional); the Pooling module's config.json. Tensor names are
// Hugging Face's (embeddings.word_embeddings.weight, encoder.layer.N.attention.self.query.weight,
// ...), optionally prefixed "bert."; F32, F16 or BF16; every shape is checked against config.json.
//
// Forward (float32): word + position (0..L-1) + token-type-0 embeddings, LayerNorm; per layer a
// fused Q/K/V product, scaled dot-product attention per head over the sentence's own tokens
// (equivalent to the padding mask), output projection, residual + LayerNorm, feed-forward with
// exact erf GELU, residual + LayerNorm; pooling (mean / CLS / max / mean·sqrt(len)) and L2
// normalisation in double. Batches are built by sorting texts by token count; a batch's
// sentences are packed back to back (no padding rows), so the work is proportional to the real
// token count, and every sentence's output is bit-identical whatever the batch size, the batch's
// other sentences and the thread count (docs/nn.md).
//
// Complexity: per sentence of L tokens, 2·layers·(4·L·H² + 2·L·H·I + 2·L²·H) FLOPs. Thread
// safety: a loaded SentenceEncoder is immutable; encode() is const and may run concurrently
// (each call owns its scratch memory).
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "detail/kernels.hpp"
#include "safetensors.hpp"
#include "wordpiece.hpp"

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace musiclab::nn {

/// Row-major float matrix: one row per text.
using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Activation of the feed-forward layer (config.json "hidden_act").
enum class Activation {
    gelu,  ///< "gelu": exact, x·Φ(x) with erf
    relu   ///< "relu"
};

/// The encoder's hyperparameters (Hugging Face BertConfig).
struct BertConfig {
    std::size_t vocab_size = 30522;
    std::size_t hidden_size = 768;
    std::size_t num_hidden_layers = 12;
    std::size_t num_attention_heads = 12;
    std::size_t intermediate_size = 3072;
    std::size_t max_position_embeddings = 512;
    std::size_t type_vocab_size = 2;
    double layer_norm_eps = 1e-12;
    Activation hidden_act = Activation::gelu;

    std::size_t head_dim() const noexcept { return hidden_size / num_attention_heads; }
};

/// Reads a Hugging Face config.json of a BERT model. hidden_size, num_hidden_layers,
/// num_attention_heads, intermediate_size and vocab_size are required; the others default as in
/// BertConfig. parse_error for a missing/invalid key, a model_type other than "bert", a
/// hidden_act other than "gelu"/"relu", a position_embedding_type other than "absolute", or
/// hidden_size not divisible by num_attention_heads; io_error when unreadable.
inline BertConfig read_bert_config(const std::filesystem::path& path);

/// Pooling of the token vectors into one sentence vector (1_Pooling/config.json).
enum class Pooling {
    mean,          ///< average over the sentence's tokens (incl. [CLS], [SEP])
    cls,           ///< the [CLS] token's vector
    max,           ///< per-dimension maximum
    mean_sqrt_len  ///< sum / sqrt(token count)
};

/// Options of SentenceEncoder::encode and friends.
struct EncodeOptions {
    std::size_t batch_size = 32;        ///< sentences per forward pass (>= 1); results do not depend on it
    int num_threads = 1;                ///< worker threads (0 = all hardware threads)
    std::optional<bool> normalize;      ///< L2-normalise rows; default: as the folder's modules.json says
    KernelIsa kernels = KernelIsa::automatic;  ///< instruction set of the kernels (results do not depend on it for the products)
};

/// BERT weights, packed for the kernels. Immutable after load; shared freely between threads.
class BertModel {
public:
    /// Reads the tensors named as Hugging Face's BertModel (optionally prefixed "bert.") from
    /// `file` and checks their shapes against `config` (shape_mismatch naming the tensor and
    /// dimension; unknown_name for a missing tensor; parse_error for a dtype other than F32, F16,
    /// BF16). Unused tensors (pooler, position_ids, ...) are ignored.
    static BertModel load(const SafetensorsFile& file, const BertConfig& config);

    const BertConfig& config() const noexcept { return config_; }

    /// The last hidden states of token-id sequences (each 1..max_position_embeddings ids, each id
    /// < vocab_size): one [len × hidden] matrix per sequence. invalid_parameter on bad ids/lengths.
    std::vector<RowMatrixF> forward(const std::vector<std::vector<std::int32_t>>& ids, const EncodeOptions& options = {}) const;

    // ---- internal interface used by SentenceEncoder (packed batches) ----
    struct Workspace;
    /// Runs the encoder on sequences packed back to back (seq_begin/seq_len in rows); the hidden
    /// states are left in ws.x (row stride ws.ld_h).
    void forward_packed(const std::vector<const std::vector<std::int32_t>*>& seqs, Workspace& ws, KernelIsa isa,
                        int workers) const;

private:
    struct Layer {
        musiclab::detail::nn::PackedLinear qkv, attn_out, inter, out;
        std::vector<float> ln1_g, ln1_b, ln2_g, ln2_b;
    };
    BertConfig config_;
    std::vector<float> word_, pos_, type0_;  // [vocab × H], [P × H], [H]
    std::vector<float> emb_g_, emb_b_;
    std::vector<Layer> layers_;
};

/// Scratch memory of forward passes (one per encode call; grows to the largest batch).
struct BertModel::Workspace {
    musiclab::detail::nn::AlignedFloats x, qkv, ctx, tmp, inter;
    std::size_t ld_h = 0, ld_qkv = 0, ld_i = 0;
    std::vector<std::size_t> seq_begin, seq_len;
    std::vector<std::vector<float>> scratch;  // per worker
    std::vector<musiclab::detail::nn::AlignedFloats> block_h, block_i;  // per worker: a row block's [R × ld_h], [R × ld_i]
};

/// A sentence-transformers model: tokenizer + BERT + pooling (+ normalisation).
class SentenceEncoder {
public:
    /// Loads a sentence-transformers folder (see the file comment). io_error for a missing
    /// required file, parse_error for malformed ones, shape_mismatch / unknown_name for weights
    /// that do not fit config.json.
    static SentenceEncoder load(const std::filesystem::path& folder);

    /// Assembles an encoder from parts (max sequence length = tokenizer.config().max_length).
    SentenceEncoder(WordPieceTokenizer tokenizer, BertModel model, Pooling pooling, bool normalize, bool lowercase_input = false);

    /// Sentence embeddings: one row per text (n × hidden), in the input order; rows L2-normalised
    /// when the model (or options.normalize) says so. `texts`: any random-access collection of
    /// things convertible to std::string_view, valid UTF-8 (parse_error "texts[i]" otherwise).
    template <class Texts>
    RowMatrixF encode(const Texts& texts, const EncodeOptions& options = {}) const {
        return encode_ids(tokenize(texts, options), options);
    }
    /// As encode() on token ids already made by tokenizer() (e.g. to time the encoder alone).
    RowMatrixF encode_ids(const std::vector<std::vector<std::int32_t>>& ids, const EncodeOptions& options = {}) const;

    /// The unpooled last hidden states of each text: [len × hidden] per text.
    template <class Texts>
    std::vector<RowMatrixF> hidden_states(const Texts& texts, const EncodeOptions& options = {}) const {
        return model_.forward(tokenize(texts, options), options);
    }

    /// Token ids of each text ([CLS] ... [SEP], truncated to max_seq_length()), in parallel.
    template <class Texts>
    std::vector<std::vector<std::int32_t>> tokenize(const Texts& texts, const EncodeOptions& options = {}) const {
        const std::size_t n = static_cast<std::size_t>(std::size(texts));
        std::vector<std::vector<std::int32_t>> ids(n);
        const int workers = resolve_threads(options.num_threads);
        musiclab::parallelize(workers, n, [&](int, std::size_t b, std::size_t len) {
            std::string lowered;
            for (std::size_t i = b; i < b + len; ++i) {
                const std::string_view t(texts[i]);
                const std::string source = "texts[" + std::to_string(i) + "]";
                if (lowercase_input_) {
                    const std::size_t bad = musiclab::detail::pyunicode::first_invalid_utf8(t);
                    if (bad != t.size()) throw parse_error(source, 1, bad + 1, "invalid UTF-8");
                    lowered.clear();
                    musiclab::detail::pyunicode::append_lower(t, lowered);
                    ids[i] = tokenizer_.encode(lowered, source);
                } else {
                    ids[i] = tokenizer_.encode(t, source);
                }
            }
        });
        return ids;
    }

    const WordPieceTokenizer& tokenizer() const noexcept { return tokenizer_; }
    const BertModel& model() const noexcept { return model_; }
    /// Embedding dimension (hidden_size).
    std::size_t dimension() const noexcept { return model_.config().hidden_size; }
    /// Ids per text including [CLS] and [SEP].
    std::size_t max_seq_length() const noexcept { return tokenizer_.config().max_length; }
    Pooling pooling() const noexcept { return pooling_; }
    bool normalizes() const noexcept { return normalize_; }

private:
    WordPieceTokenizer tokenizer_;
    BertModel model_;
    Pooling pooling_ = Pooling::mean;
    bool normalize_ = true;
    bool lowercase_input_ = false;
};

// ---------------------------------------------------------------------------------------------
// implementation

}  // namespace musiclab::nn

namespace musiclab::detail::bert {

using musiclab::detail::wordpiece::read_json_file;
using musiclab::nn::BertConfig;
using musiclab::nn::EncodeOptions;

inline std::size_t get_size(const nlohmann::json& j, const char* key, const std::string& src, std::optional<std::size_t> dflt) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        if (!dflt) throw parse_error(src, 0, 0, std::string("missing \"") + key + "\"");
        return *dflt;
    }
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() == 0 || it->get<std::uint64_t>() > (std::uint64_t(1) << 31))
        throw parse_error(src, 0, 0, std::string("\"") + key + "\" is not a positive integer");
    return static_cast<std::size_t>(it->get<std::uint64_t>());
}

}  // namespace musiclab::detail::bert

namespace musiclab::nn {

inline BertConfig read_bert_config(const std::filesystem::path& path) {
    const auto j = musiclab::detail::bert::read_json_file(path);
    const std::string src = path.string();
    if (!j.is_object()) throw parse_error(src, 0, 0, "expected a JSON object");
    if (const auto it = j.find("model_type"); it != j.end() && !(it->is_string() && it->get<std::string>() == "bert"))
        throw parse_error(src, 0, 0, "model_type " + it->dump() + " is not supported (\"bert\" only)");
    BertConfig c;
    using musiclab::detail::bert::get_size;
    c.hidden_size = get_size(j, "hidden_size", src, std::nullopt);
    c.num_hidden_layers = get_size(j, "num_hidden_layers", src, std::nullopt);
    c.num_attention_heads = get_size(j, "num_attention_heads", src, std::nullopt);
    c.intermediate_size = get_size(j, "intermediate_size", src, std::nullopt);
    c.vocab_size = get_size(j, "vocab_size", src, std::nullopt);
    c.max_position_embeddings = get_size(j, "max_position_embeddings", src, 512);
    c.type_vocab_size = get_size(j, "type_vocab_size", src, 2);
    if (const auto it = j.find("layer_norm_eps"); it != j.end()) {
        if (!it->is_number() || !(it->get<double>() >= 0)) throw parse_error(src, 0, 0, "\"layer_norm_eps\" is not a number >= 0");
        c.layer_norm_eps = it->get<double>();
    }
    if (const auto it = j.find("hidden_act"); it != j.end()) {
        const std::string act = it->is_string() ? it->get<std::string>() : it->dump();
        if (act == "gelu") c.hidden_act = Activation::gelu;
        else if (act == "relu") c.hidden_act = Activation::relu;
        else throw parse_error(src, 0, 0, "hidden_act \"" + act + "\" is not supported (\"gelu\", \"relu\")");
    }
    if (const auto it = j.find("position_embedding_type");
        it != j.end() && !it->is_null() && !(it->is_string() && it->get<std::string>() == "absolute"))
        throw parse_error(src, 0, 0, "position_embedding_type " + it->dump() + " is not supported (\"absolute\" only)");
    if (c.hidden_size % c.num_attention_heads != 0)
        throw parse_error(src, 0, 0, "hidden_size " + std::to_string(c.hidden_size) + " is not divisible by num_attention_heads " +
                                         std::to_string(c.num_attention_heads));
    return c;
}

inline BertModel BertModel::load(const SafetensorsFile& file, const BertConfig& c) {
    std::string prefix;
    if (file.find("embeddings.word_embeddings.weight")) prefix = "";
    else if (file.find("bert.embeddings.word_embeddings.weight")) prefix = "bert.";
    else throw unknown_name("tensor", "embeddings.word_embeddings.weight", file.source());
    auto get = [&](const std::string& name, std::vector<std::size_t> shape) {
        const TensorInfo* t = file.find(prefix + name);
        if (!t) {  // LayerNorm gamma/beta of TensorFlow-converted checkpoints
            std::string alt = name;
            if (alt.ends_with("LayerNorm.weight")) alt.replace(alt.size() - 6, 6, "gamma");
            else if (alt.ends_with("LayerNorm.bias")) alt.replace(alt.size() - 4, 4, "beta");
            t = file.find(prefix + alt);
        }
        if (!t) throw unknown_name("tensor", prefix + name, file.source());
        const std::string what = file.source() + ": tensor '" + t->name + "'";
        if (t->shape.size() != shape.size()) throw shape_mismatch(what + " rank", shape.size(), t->shape.size());
        for (std::size_t d = 0; d < shape.size(); ++d)
            if (t->shape[d] != shape[d])
                throw shape_mismatch(what + " dimension " + std::to_string(d) + " (config.json)", shape[d], t->shape[d]);
        return file.to_float(*t);
    };
    const std::size_t H = c.hidden_size, I = c.intermediate_size;
    BertModel m;
    m.config_ = c;
    m.word_ = get("embeddings.word_embeddings.weight", {c.vocab_size, H});
    m.pos_ = get("embeddings.position_embeddings.weight", {c.max_position_embeddings, H});
    auto type = get("embeddings.token_type_embeddings.weight", {c.type_vocab_size, H});
    m.type0_.assign(type.begin(), type.begin() + static_cast<std::ptrdiff_t>(H));
    m.emb_g_ = get("embeddings.LayerNorm.weight", {H});
    m.emb_b_ = get("embeddings.LayerNorm.bias", {H});
    m.layers_.resize(c.num_hidden_layers);
    for (std::size_t l = 0; l < c.num_hidden_layers; ++l) {
        const std::string p = "encoder.layer." + std::to_string(l) + ".";
        auto& L = m.layers_[l];
        std::vector<float> w(3 * H * H), b(3 * H);
        const char* qkv[] = {"query", "key", "value"};
        for (int k = 0; k < 3; ++k) {
            const auto wk = get(p + "attention.self." + qkv[k] + ".weight", {H, H});
            const auto bk = get(p + "attention.self." + qkv[k] + ".bias", {H});
            std::copy(wk.begin(), wk.end(), w.begin() + static_cast<std::ptrdiff_t>(k * H * H));
            std::copy(bk.begin(), bk.end(), b.begin() + static_cast<std::ptrdiff_t>(k * H));
        }
        L.qkv.pack(w.data(), b.data(), 3 * H, H);
        auto linear = [&](musiclab::detail::nn::PackedLinear& out, const std::string& name, std::size_t rows, std::size_t cols) {
            const auto weight = get(p + name + ".weight", {rows, cols});  // weight first: errors name it
            const auto bias = get(p + name + ".bias", {rows});
            out.pack(weight.data(), bias.data(), rows, cols);
        };
        linear(L.attn_out, "attention.output.dense", H, H);
        L.ln1_g = get(p + "attention.output.LayerNorm.weight", {H});
        L.ln1_b = get(p + "attention.output.LayerNorm.bias", {H});
        linear(L.inter, "intermediate.dense", I, H);
        linear(L.out, "output.dense", H, I);
        L.ln2_g = get(p + "output.LayerNorm.weight", {H});
        L.ln2_b = get(p + "output.LayerNorm.bias", {H});
    }
    return m;
}

inline void BertModel::forward_packed(const std::vector<const std::vector<std::int32_t>*>& seqs, Workspace& ws,
                                      KernelIsa isa, int workers) const {
    namespace dn = musiclab::detail::nn;
    const std::size_t H = config_.hidden_size, I = config_.intermediate_size, nh = config_.num_attention_heads;
    const std::size_t hd = config_.head_dim();
    const float eps = static_cast<float>(config_.layer_norm_eps);
    // layout
    ws.seq_begin.resize(seqs.size());
    ws.seq_len.resize(seqs.size());
    std::size_t T = 0, Lmax = 0;
    for (std::size_t s = 0; s < seqs.size(); ++s) {
        ws.seq_begin[s] = T;
        ws.seq_len[s] = seqs[s]->size();
        T += seqs[s]->size();
        Lmax = std::max(Lmax, seqs[s]->size());
    }
    ws.ld_h = dn::round_up(H, dn::panel_width);
    ws.ld_qkv = dn::round_up(3 * H, dn::panel_width);
    ws.ld_i = dn::round_up(I, dn::panel_width);
    ws.x.resize(T * ws.ld_h);
    ws.ctx.resize(T * ws.ld_h);
    ws.qkv.resize(T * ws.ld_qkv);
    ws.scratch.resize(static_cast<std::size_t>(std::max(workers, 1)));
    for (auto& s : ws.scratch) s.resize(std::max(dn::attention_scratch_floats(Lmax, hd), H + 16));
    float* x = ws.x.data();
    const std::size_t ldh = ws.ld_h;

    std::vector<std::int32_t> flat(T);
    std::vector<std::size_t> position(T);
    for (std::size_t s = 0, t = 0; s < seqs.size(); ++s)
        for (std::size_t i = 0; i < seqs[s]->size(); ++i, ++t) {
            flat[t] = (*seqs[s])[i];
            position[t] = i;
        }
    // embeddings + LayerNorm of rows [t0, t1), scratch `tmp`
    const auto embed = [&](std::size_t t0, std::size_t t1, float* tmp) {
        dn::run_with(isa, [&] {
            for (std::size_t t = t0; t < t1; ++t) {
                const float* we = word_.data() + static_cast<std::size_t>(flat[t]) * H;
                const float* pe = pos_.data() + position[t] * H;
                float* row = x + t * ldh;
                for (std::size_t k = 0; k < H; ++k) row[k] = (we[k] + type0_[k]) + pe[k];
                dn::layer_norm(row, nullptr, H, emb_g_.data(), emb_b_.data(), eps, tmp, row);
            }
        });
    };
    // attention of every (sequence, head), longest sequences first, taken dynamically
    const auto attention = [&] {
        const std::size_t tasks = seqs.size() * nh;
        dn::dynamic_for(workers, tasks, [&](int w, std::size_t task) {
            float* scratch = ws.scratch[static_cast<std::size_t>(w)].data();
            const std::size_t s = task / nh, h = task % nh;
            const float* q = ws.qkv.data() + ws.seq_begin[s] * ws.ld_qkv + h * hd;
            dn::run_with(isa, [&] {
                dn::attention_head(isa, q, q + H, q + 2 * H, ws.ld_qkv, ws.seq_len[s], hd,
                                   ws.ctx.data() + ws.seq_begin[s] * ldh + h * hd, ldh, scratch);
            });
        });
    };
    const auto no_after = [](std::size_t, std::size_t, std::size_t, std::size_t) {};
    const bool gelu = config_.hidden_act == Activation::gelu;
    const std::size_t ldi = ws.ld_i;
    const std::size_t nw = static_cast<std::size_t>(std::max(workers, 1));
    const std::size_t mr = static_cast<std::size_t>(dn::tile_rows(isa));

    if (nw > 1 && T < nw * 4 * mr) {
        // few rows (e.g. one short sentence): each operation split over the workers (the GEMMs
        // by weight panels), a synchronisation after each
        ws.tmp.resize(T * ldh);
        ws.inter.resize(T * ldi);
        musiclab::parallelize(workers, T, [&](int w, std::size_t b, std::size_t n) {
            embed(b, b + n, ws.scratch[static_cast<std::size_t>(w)].data());
        });
        for (const auto& L : layers_) {
            dn::gemm(isa, workers, x, ldh, T, L.qkv, ws.qkv.data(), ws.ld_qkv, no_after);
            attention();
            dn::gemm(isa, workers, ws.ctx.data(), ldh, T, L.attn_out, ws.tmp.data(), ldh, no_after);
            musiclab::parallelize(workers, T, [&](int w, std::size_t b, std::size_t n) {
                float* tmp = ws.scratch[static_cast<std::size_t>(w)].data();
                dn::run_with(isa, [&] {
                    for (std::size_t t = b; t < b + n; ++t)
                        dn::layer_norm(ws.tmp.data() + t * ldh, x + t * ldh, H, L.ln1_g.data(), L.ln1_b.data(), eps, tmp,
                                       x + t * ldh);
                });
            });
            float* inter = ws.inter.data();
            dn::gemm(isa, workers, x, ldh, T, L.inter, inter, ldi,
                     [&](std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1) {
                         dn::run_with(isa, [&] {
                             for (std::size_t r = r0; r < r1; ++r) {
                                 if (gelu) dn::gelu_inplace(inter + r * ldi + c0, c1 - c0);
                                 else dn::relu_inplace(inter + r * ldi + c0, c1 - c0);
                             }
                         });
                     });
            dn::gemm(isa, workers, inter, ldi, T, L.out, ws.tmp.data(), ldh, no_after);
            musiclab::parallelize(workers, T, [&](int w, std::size_t b, std::size_t n) {
                float* tmp = ws.scratch[static_cast<std::size_t>(w)].data();
                dn::run_with(isa, [&] {
                    for (std::size_t t = b; t < b + n; ++t)
                        dn::layer_norm(ws.tmp.data() + t * ldh, x + t * ldh, H, L.ln2_g.data(), L.ln2_b.data(), eps, tmp,
                                       x + t * ldh);
                });
            });
        }
        return;
    }

    // Many rows: row blocks of R rows (a multiple of the tile height, about 4 per worker), taken
    // dynamically by the workers; everything row-wise between two attentions runs on one block
    // while it is in cache: output projection, residual + LayerNorm, feed-forward (activation on
    // each finished tile block), residual + LayerNorm, the next layer's Q/K/V. Two
    // synchronisations per layer; each row's arithmetic is the same as above.
    const std::size_t R = std::clamp(dn::round_up((T + nw * 4 - 1) / (nw * 4), mr), mr, dn::gemm_mc);
    const std::size_t blocks = (T + R - 1) / R;
    ws.block_h.resize(nw);
    ws.block_i.resize(nw);
    for (auto& b : ws.block_h) b.resize(R * ldh);
    for (auto& b : ws.block_i) b.resize(R * ldi);
    // the Q/K/V of rows [r0, r0 + n) with layer l's weights
    const auto qkv_rows = [&](std::size_t l, std::size_t r0, std::size_t n) {
        dn::gemm_block(isa, x + r0 * ldh, ldh, layers_[l].qkv, ws.qkv.data() + r0 * ws.ld_qkv, ws.ld_qkv, 0, n, 0,
                       layers_[l].qkv.panels, no_after);
    };
    dn::dynamic_for(workers, blocks, [&](int w, std::size_t blk) {
        const std::size_t r0 = blk * R, n = std::min(R, T - r0);
        const auto wi = static_cast<std::size_t>(w);
        embed(r0, r0 + n, ws.scratch[wi].data());
        if (!layers_.empty()) qkv_rows(0, r0, n);
    });
    for (std::size_t l = 0; l < layers_.size(); ++l) {
        const Layer& L = layers_[l];
        attention();
        dn::dynamic_for(workers, blocks, [&](int w, std::size_t blk) {
            const std::size_t r0 = blk * R, n = std::min(R, T - r0);
            const auto wi = static_cast<std::size_t>(w);
            float* tmp = ws.block_h[wi].data();
            float* inter = ws.block_i[wi].data();
            float* lnt = ws.scratch[wi].data();
            float* xr = x + r0 * ldh;
            dn::gemm_block(isa, ws.ctx.data() + r0 * ldh, ldh, L.attn_out, tmp, ldh, 0, n, 0, L.attn_out.panels, no_after);
            dn::run_with(isa, [&] {
                for (std::size_t t = 0; t < n; ++t)
                    dn::layer_norm(tmp + t * ldh, xr + t * ldh, H, L.ln1_g.data(), L.ln1_b.data(), eps, lnt, xr + t * ldh);
            });
            dn::gemm_block(isa, xr, ldh, L.inter, inter, ldi, 0, n, 0, L.inter.panels,
                           [&](std::size_t a0, std::size_t a1, std::size_t c0, std::size_t c1) {
                               dn::run_with(isa, [&] {
                                   for (std::size_t r = a0; r < a1; ++r) {
                                       if (gelu) dn::gelu_inplace(inter + r * ldi + c0, c1 - c0);
                                       else dn::relu_inplace(inter + r * ldi + c0, c1 - c0);
                                   }
                               });
                           });
            dn::gemm_block(isa, inter, ldi, L.out, tmp, ldh, 0, n, 0, L.out.panels, no_after);
            dn::run_with(isa, [&] {
                for (std::size_t t = 0; t < n; ++t)
                    dn::layer_norm(tmp + t * ldh, xr + t * ldh, H, L.ln2_g.data(), L.ln2_b.data(), eps, lnt, xr + t * ldh);
            });
            if (l + 1 < layers_.size()) qkv_rows(l + 1, r0, n);
        });
    }
}

}  // namespace musiclab::nn

namespace musiclab::detail::bert {

using musiclab::nn::BertConfig;
using musiclab::nn::EncodeOptions;

inline void check_ids(const std::vector<std::vector<std::int32_t>>& ids, const BertConfig& c) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (ids[i].empty() || ids[i].size() > c.max_position_embeddings)
            throw invalid_parameter("ids[" + std::to_string(i) + "].size()", ids[i].size(),
                                    "1 .. max_position_embeddings = " + std::to_string(c.max_position_embeddings));
        for (std::size_t k = 0; k < ids[i].size(); ++k)
            if (ids[i][k] < 0 || static_cast<std::size_t>(ids[i][k]) >= c.vocab_size)
                throw invalid_parameter("ids[" + std::to_string(i) + "][" + std::to_string(k) + "]", ids[i][k],
                                        "0 .. vocab_size - 1 = " + std::to_string(c.vocab_size - 1));
    }
}

inline void check_options(const EncodeOptions& o) {
    if (o.batch_size < 1) throw invalid_parameter("batch_size", o.batch_size, ">= 1");
}

/// Batches of at most batch_size sequences, longest first (ties: input order).
inline std::vector<std::size_t> length_order(const std::vector<std::vector<std::int32_t>>& ids) {
    std::vector<std::size_t> order(ids.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ids[a].size() > ids[b].size(); });
    return order;
}

}  // namespace musiclab::detail::bert

namespace musiclab::nn {

inline std::vector<RowMatrixF> BertModel::forward(const std::vector<std::vector<std::int32_t>>& ids,
                                                  const EncodeOptions& options) const {
    musiclab::detail::bert::check_options(options);
    musiclab::detail::bert::check_ids(ids, config_);
    const int workers = resolve_threads(options.num_threads);
    const KernelIsa isa = musiclab::detail::nn::resolve_isa(options.kernels);
    const auto order = musiclab::detail::bert::length_order(ids);
    std::vector<RowMatrixF> out(ids.size());
    Workspace ws;
    const std::size_t H = config_.hidden_size;
    std::vector<const std::vector<std::int32_t>*> batch;
    for (std::size_t b0 = 0; b0 < order.size(); b0 += options.batch_size) {
        const std::size_t b1 = std::min(order.size(), b0 + options.batch_size);
        batch.clear();
        for (std::size_t k = b0; k < b1; ++k) batch.push_back(&ids[order[k]]);
        forward_packed(batch, ws, isa, workers);
        for (std::size_t k = b0; k < b1; ++k) {
            const std::size_t s = k - b0;
            RowMatrixF& m = out[order[k]];
            m.resize(static_cast<Eigen::Index>(ws.seq_len[s]), static_cast<Eigen::Index>(H));
            for (std::size_t r = 0; r < ws.seq_len[s]; ++r)
                std::copy_n(ws.x.data() + (ws.seq_begin[s] + r) * ws.ld_h, H, m.data() + r * H);
        }
    }
    return out;
}

inline SentenceEncoder::SentenceEncoder(WordPieceTokenizer tokenizer, BertModel model, Pooling pooling, bool normalize,
                                        bool lowercase_input)
    : tokenizer_(std::move(tokenizer)), model_(std::move(model)), pooling_(pooling), normalize_(normalize),
      lowercase_input_(lowercase_input) {
    if (tokenizer_.vocab_size() != model_.config().vocab_size)
        throw shape_mismatch("vocabulary size (vocab.txt vs config.json vocab_size)", model_.config().vocab_size,
                             tokenizer_.vocab_size());
    if (tokenizer_.config().max_length > model_.config().max_position_embeddings)
        throw invalid_parameter("max_length", tokenizer_.config().max_length,
                                "<= max_position_embeddings = " + std::to_string(model_.config().max_position_embeddings));
}

inline RowMatrixF SentenceEncoder::encode_ids(const std::vector<std::vector<std::int32_t>>& ids,
                                              const EncodeOptions& options) const {
    musiclab::detail::bert::check_options(options);
    musiclab::detail::bert::check_ids(ids, model_.config());
    const int workers = resolve_threads(options.num_threads);
    const KernelIsa isa = musiclab::detail::nn::resolve_isa(options.kernels);
    const bool normalize = options.normalize.value_or(normalize_);
    const std::size_t H = model_.config().hidden_size;
    RowMatrixF out(static_cast<Eigen::Index>(ids.size()), static_cast<Eigen::Index>(H));
    const auto order = musiclab::detail::bert::length_order(ids);
    BertModel::Workspace ws;
    std::vector<const std::vector<std::int32_t>*> batch;
    for (std::size_t b0 = 0; b0 < order.size(); b0 += options.batch_size) {
        const std::size_t b1 = std::min(order.size(), b0 + options.batch_size);
        batch.clear();
        for (std::size_t k = b0; k < b1; ++k) batch.push_back(&ids[order[k]]);
        model_.forward_packed(batch, ws, isa, workers);
        musiclab::parallelize(workers, b1 - b0, [&](int, std::size_t s0, std::size_t n) {
            std::vector<double> acc(H);
            for (std::size_t s = s0; s < s0 + n; ++s) {
                const std::size_t len = ws.seq_len[s];
                const float* rows = ws.x.data() + ws.seq_begin[s] * ws.ld_h;
                switch (pooling_) {
                    case Pooling::cls:
                        for (std::size_t k = 0; k < H; ++k) acc[k] = rows[k];
                        break;
                    case Pooling::max:
                        for (std::size_t k = 0; k < H; ++k) acc[k] = rows[k];
                        for (std::size_t r = 1; r < len; ++r)
                            for (std::size_t k = 0; k < H; ++k) acc[k] = std::max(acc[k], static_cast<double>(rows[r * ws.ld_h + k]));
                        break;
                    case Pooling::mean:
                    case Pooling::mean_sqrt_len: {
                        std::fill(acc.begin(), acc.end(), 0.0);
                        for (std::size_t r = 0; r < len; ++r)
                            for (std::size_t k = 0; k < H; ++k) acc[k] += rows[r * ws.ld_h + k];
                        const double d = pooling_ == Pooling::mean ? static_cast<double>(len) : std::sqrt(static_cast<double>(len));
                        for (auto& v : acc) v /= d;
                        break;
                    }
                }
                double scale = 1.0;
                if (normalize) {
                    double ss = 0.0;
                    for (double v : acc) ss += v * v;
                    scale = 1.0 / std::max(std::sqrt(ss), 1e-12);
                }
                float* dst = out.data() + order[b0 + s] * H;
                for (std::size_t k = 0; k < H; ++k) dst[k] = static_cast<float>(acc[k] * scale);
            }
        });
    }
    return out;
}

inline SentenceEncoder SentenceEncoder::load(const std::filesystem::path& folder) {
    namespace fs = std::filesystem;
    using musiclab::detail::bert::read_json_file;
    if (!fs::is_directory(folder)) throw io_error(folder.string(), "not a model folder (no such directory)");
    // modules.json: Transformer -> Pooling -> Normalize
    fs::path transformer_dir = folder;
    std::optional<fs::path> pooling_config;
    bool normalize = false;
    const fs::path modules = folder / "modules.json";
    if (fs::exists(modules)) {
        const auto j = read_json_file(modules);
        if (!j.is_array()) throw parse_error(modules.string(), 0, 0, "expected a list of modules");
        bool have_transformer = false;
        for (const auto& m : j) {
            if (!m.is_object() || !m.contains("type") || !m["type"].is_string())
                throw parse_error(modules.string(), 0, 0, "a module without a \"type\" string");
            const std::string type = m["type"].get<std::string>();
            const std::string path = m.contains("path") && m["path"].is_string() ? m["path"].get<std::string>() : "";
            if (type == "sentence_transformers.models.Transformer") {
                transformer_dir = folder / path;
                have_transformer = true;
            } else if (type == "sentence_transformers.models.Pooling") {
                pooling_config = folder / path / "config.json";
            } else if (type == "sentence_transformers.models.Normalize") {
                normalize = true;
            } else {
                throw parse_error(modules.string(), 0, 0, "module type \"" + type +
                                                              "\" is not supported (Transformer, Pooling, Normalize)");
            }
        }
        if (!have_transformer) throw parse_error(modules.string(), 0, 0, "no sentence_transformers.models.Transformer module");
    }
    const BertConfig config = read_bert_config(transformer_dir / "config.json");
    TokenizerConfig tc;
    if (fs::exists(transformer_dir / "tokenizer_config.json")) tc = read_tokenizer_config(transformer_dir / "tokenizer_config.json");
    bool lowercase_input = false;
    std::size_t max_len = tc.max_length;
    if (const fs::path sb = transformer_dir / "sentence_bert_config.json"; fs::exists(sb)) {
        const auto j = read_json_file(sb);
        if (!j.is_object()) throw parse_error(sb.string(), 0, 0, "expected a JSON object");
        if (const auto it = j.find("max_seq_length"); it != j.end() && !it->is_null()) {
            if (!it->is_number_unsigned() || it->get<std::uint64_t>() < 2 || it->get<std::uint64_t>() > (std::uint64_t(1) << 31))
                throw parse_error(sb.string(), 0, 0, "\"max_seq_length\" is not an integer >= 2");
            max_len = static_cast<std::size_t>(it->get<std::uint64_t>());
        }
        if (const auto it = j.find("do_lower_case"); it != j.end() && !it->is_null()) {
            if (!it->is_boolean()) throw parse_error(sb.string(), 0, 0, "\"do_lower_case\" is not true/false");
            lowercase_input = it->get<bool>();
        }
    }
    tc.max_length = std::min(max_len, config.max_position_embeddings);
    Pooling pooling = Pooling::mean;
    if (pooling_config) {
        const auto j = read_json_file(*pooling_config);
        const std::string src = pooling_config->string();
        if (!j.is_object()) throw parse_error(src, 0, 0, "expected a JSON object");
        if (const auto it = j.find("word_embedding_dimension"); it != j.end()) {
            if (!it->is_number_unsigned()) throw parse_error(src, 0, 0, "\"word_embedding_dimension\" is not an integer");
            if (it->get<std::uint64_t>() != config.hidden_size)
                throw shape_mismatch(src + ": word_embedding_dimension (config.json hidden_size)", config.hidden_size,
                                     static_cast<std::size_t>(it->get<std::uint64_t>()));
        }
        int modes = 0;
        const std::pair<const char*, Pooling> known[] = {{"pooling_mode_mean_tokens", Pooling::mean},
                                                         {"pooling_mode_cls_token", Pooling::cls},
                                                         {"pooling_mode_max_tokens", Pooling::max},
                                                         {"pooling_mode_mean_sqrt_len_tokens", Pooling::mean_sqrt_len}};
        for (const auto& [key, mode] : known) {
            const auto it = j.find(key);
            if (it != j.end() && it->is_boolean() && it->get<bool>()) {
                pooling = mode;
                ++modes;
            }
        }
        for (const char* key : {"pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"}) {
            const auto it = j.find(key);
            if (it != j.end() && it->is_boolean() && it->get<bool>())
                throw parse_error(src, 0, 0, std::string(key) + " is not supported");
        }
        if (modes != 1)
            throw parse_error(src, 0, 0, std::to_string(modes) + " pooling modes are set; exactly one is supported");
    }
    const fs::path weights = transformer_dir / "model.safetensors";
    if (!fs::exists(weights)) {
        if (fs::exists(transformer_dir / "pytorch_model.bin"))
            throw io_error(weights.string(), "missing (only pytorch_model.bin found; musiclab reads safetensors: convert it, or "
                                             "download model.safetensors from the Hugging Face hub)");
        throw io_error(weights.string(), "missing");
    }
    auto file = SafetensorsFile::open(weights);
    auto model = BertModel::load(file, config);
    auto tokenizer = WordPieceTokenizer::load(transformer_dir / "vocab.txt", tc);
    return SentenceEncoder(std::move(tokenizer), std::move(model), pooling, normalize, lowercase_input);
}

}  // namespace musiclab::nn
