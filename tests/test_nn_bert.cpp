// Tests of musiclab/nn/bert.hpp: sentence embeddings and unpooled hidden states of the
// minilm-tiny-random fixture within 1e-5 of ../shared/fixtures/minilm-tiny-random/reference/
// embeddings.jsonl (every line, read at run time); outputs bit-identical whatever the batch size,
// thread count and kernel ISA; the real all-MiniLM-L6-v2 text files parse; bad input (missing
// files, config/tensor shape mismatch, unknown dtype, bad modules / pooling, bad ids, invalid
// UTF-8, empty strings).
#include <doctest/doctest.h>
#include <musiclab/nn.hpp>

#include "support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using musiclab::nn::EncodeOptions;
using musiclab::nn::KernelIsa;
using musiclab::nn::RowMatrixF;
using musiclab::nn::SentenceEncoder;

namespace {

fs::path fixture() { return musiclab::test::shared_dir() / "fixtures/minilm-tiny-random"; }

struct Reference {
    std::vector<std::string> texts;
    std::vector<std::vector<double>> embedding;
    std::vector<std::vector<std::vector<double>>> hidden;  // empty where not given
};

Reference read_reference() {
    Reference r;
    std::ifstream in(fixture() / "reference/embeddings.jsonl", std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto j = nlohmann::json::parse(line);
        REQUIRE(j.at("n").get<std::size_t>() == r.texts.size());
        r.texts.push_back(j.at("text").get<std::string>());
        r.embedding.push_back(j.at("embedding").get<std::vector<double>>());
        if (j.contains("last_hidden_state")) r.hidden.push_back(j["last_hidden_state"].get<std::vector<std::vector<double>>>());
        else r.hidden.emplace_back();
    }
    return r;
}

bool bit_identical(const RowMatrixF& a, const RowMatrixF& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           std::equal(a.data(), a.data() + a.size(), b.data());
}

fs::path temp_dir(const std::string& name) {
    const auto d = fs::temp_directory_path() / ("musiclab_test_nn_bert_" + name);
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

/// A writable copy of the fixture folder.
fs::path copy_fixture(const std::string& name) {
    const auto d = temp_dir(name);
    fs::copy(fixture(), d, fs::copy_options::recursive);
    for (const auto& e : fs::recursive_directory_iterator(d))
        fs::permissions(e.path(), fs::perms::owner_all, fs::perm_options::add);
    fs::permissions(d, fs::perms::owner_all, fs::perm_options::add);
    return d;
}

void write(const fs::path& p, const std::string& s) {
    fs::remove(p);
    std::ofstream(p, std::ios::binary) << s;
}

/// Rewrites model.safetensors of `dir` with `edit` applied to its tensors.
template <class Edit>
void rewrite_weights(const fs::path& dir, Edit&& edit) {
    const auto f = musiclab::nn::SafetensorsFile::open(dir / "model.safetensors");
    std::vector<musiclab::nn::TensorData> ts;
    for (const auto& t : f.tensors()) {
        musiclab::nn::TensorData d;
        d.name = t.name;
        d.dtype = t.dtype;
        d.shape = t.shape;
        const auto b = f.bytes(t);
        d.bytes.assign(b.begin(), b.end());
        ts.push_back(std::move(d));
    }
    edit(ts);
    const auto path = dir / "model.safetensors";
    fs::remove(path);
    musiclab::nn::save_safetensors(path, std::move(ts));
}

/// float -> IEEE binary16, round to nearest even (finite inputs).
std::uint16_t to_half(float f) {
    std::uint32_t b;
    std::memcpy(&b, &f, 4);
    const std::uint32_t sign = (b >> 16) & 0x8000u;
    const int exp = static_cast<int>((b >> 23) & 0xFFu) - 127 + 15;
    std::uint32_t mant = b & 0x7FFFFFu;
    if (exp >= 31) return static_cast<std::uint16_t>(sign | 0x7C00u);
    if (exp <= 0) {
        if (exp < -10) return static_cast<std::uint16_t>(sign);
        mant |= 0x800000u;
        const int shift = 14 - exp;
        std::uint32_t h = mant >> shift;
        const std::uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1u))) ++h;
        return static_cast<std::uint16_t>(sign | h);
    }
    std::uint32_t h = (static_cast<std::uint32_t>(exp) << 10) | (mant >> 13);
    const std::uint32_t rem = mant & 0x1FFFu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;
    return static_cast<std::uint16_t>(sign | h);
}

}  // namespace

TEST_CASE("bert: embeddings and hidden states within 1e-5 of the reference on every fixture input") {
    MUSICLAB_REQUIRE_PATH(fixture() / "reference/embeddings.jsonl");
    const auto model = SentenceEncoder::load(fixture());
    CHECK(model.dimension() == 32);
    CHECK(model.max_seq_length() == 256);
    CHECK(model.pooling() == musiclab::nn::Pooling::mean);
    CHECK(model.normalizes());
    const auto ref = read_reference();
    CHECK(ref.texts.size() == 397);  // the README's line count
    EncodeOptions o;
    o.batch_size = 32;
    o.num_threads = 2;
    const RowMatrixF E = model.encode(ref.texts, o);
    REQUIRE(E.rows() == static_cast<Eigen::Index>(ref.texts.size()));
    double worst = 0.0;
    for (std::size_t i = 0; i < ref.texts.size(); ++i) {
        REQUIRE(ref.embedding[i].size() == 32);
        for (std::size_t k = 0; k < 32; ++k)
            worst = std::max(worst, std::abs(static_cast<double>(E(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k))) -
                                             ref.embedding[i][k]));
    }
    MESSAGE("max abs embedding difference over all inputs: " << worst);
    // tolerance: 1e-5 absolute per component (float32 arithmetic against a float64 reference;
    // the fixture's float32 peers agree to 2e-7)
    CHECK(worst <= 1e-5);

    // unpooled hidden states, for the inputs that have them
    std::vector<std::string> texts;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < ref.texts.size(); ++i)
        if (!ref.hidden[i].empty()) {
            texts.push_back(ref.texts[i]);
            which.push_back(i);
        }
    CHECK(which.size() == 5);
    const auto H = model.hidden_states(texts, o);
    double worst_h = 0.0;
    for (std::size_t k = 0; k < which.size(); ++k) {
        const auto& r = ref.hidden[which[k]];
        REQUIRE(static_cast<std::size_t>(H[k].rows()) == r.size());
        for (std::size_t t = 0; t < r.size(); ++t)
            for (std::size_t c = 0; c < 32; ++c)
                worst_h = std::max(worst_h, std::abs(static_cast<double>(H[k](static_cast<Eigen::Index>(t), static_cast<Eigen::Index>(c))) - r[t][c]));
    }
    MESSAGE("max abs last_hidden_state difference: " << worst_h);
    CHECK(worst_h <= 1e-5);  // tolerance as above (values up to ~3.5)
}

TEST_CASE("bert: output bit-identical whatever the batch size, threads and kernel ISA") {
    MUSICLAB_REQUIRE_PATH(fixture() / "reference/embeddings.jsonl");
    const auto model = SentenceEncoder::load(fixture());
    const auto ref = read_reference();
    EncodeOptions o;
    o.batch_size = 32;
    const RowMatrixF base = model.encode(ref.texts, o);
    for (std::size_t bs : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{1000}}) {
        EncodeOptions p = o;
        p.batch_size = bs;
        for (int threads : {1, 2, 3}) {
            p.num_threads = threads;
            CHECK_MESSAGE(bit_identical(model.encode(ref.texts, p), base), "batch " << bs << " threads " << threads);
        }
    }
    // each text alone, in reverse order
    std::vector<std::string> rev(ref.texts.rbegin(), ref.texts.rend());
    const RowMatrixF R = model.encode(rev, o);
    for (std::size_t i = 0; i < ref.texts.size(); ++i)
        CHECK(std::equal(R.row(static_cast<Eigen::Index>(ref.texts.size() - 1 - i)).data(),
                         R.row(static_cast<Eigen::Index>(ref.texts.size() - 1 - i)).data() + 32,
                         base.row(static_cast<Eigen::Index>(i)).data()));
    // every available ISA gives the same matrix products; the element-wise code may round
    // differently (FMA contraction), so other ISAs are compared to 1e-6
    for (KernelIsa isa : {KernelIsa::avx512, KernelIsa::avx2, KernelIsa::generic}) {
        EncodeOptions p = o;
        p.kernels = isa;
        RowMatrixF E;
        try {
            E = model.encode(ref.texts, p);
        } catch (const musiclab::invalid_parameter&) {
            continue;  // not supported by this CPU
        }
        CHECK((E - base).cwiseAbs().maxCoeff() <= 1e-6f);
        // and is itself independent of the batch size
        p.batch_size = 5;
        p.num_threads = 2;
        CHECK(bit_identical(model.encode(ref.texts, p), E));
    }
}

TEST_CASE("bert: equal token ids give equal embeddings; empty strings; normalisation; pooling") {
    MUSICLAB_REQUIRE_PATH(fixture() / "config.json");
    const auto model = SentenceEncoder::load(fixture());
    const std::vector<std::string> texts = {"Hello world", "HELLO WORLD", "", " ", "\t\n"};
    const RowMatrixF E = model.encode(texts);
    CHECK(E.row(0) == E.row(1));
    CHECK(E.row(2) == E.row(3));  // empty and whitespace-only: [CLS] [SEP]
    CHECK(E.row(2) == E.row(4));
    for (Eigen::Index i = 0; i < E.rows(); ++i) CHECK(std::abs(E.row(i).cast<double>().norm() - 1.0) < 1e-6);
    // no normalisation: the plain mean of the hidden states
    EncodeOptions raw;
    raw.normalize = false;
    const RowMatrixF M = model.encode(texts, raw);
    const auto H = model.hidden_states(std::vector<std::string>{"Hello world"});
    const Eigen::RowVectorXd mean = H[0].cast<double>().colwise().mean();
    CHECK((M.row(0).cast<double>() - mean).cwiseAbs().maxCoeff() < 1e-6);
    CHECK((E.row(0).cast<double>() - mean / mean.norm()).cwiseAbs().maxCoeff() < 1e-6);
    // an empty list
    CHECK(model.encode(std::vector<std::string>{}).rows() == 0);
    // ids directly, bad ids and options
    const auto ids = model.tokenize(std::vector<std::string>{"Hello world"});
    CHECK(model.encode_ids(ids).row(0) == E.row(0));
    CHECK_THROWS_AS(model.encode_ids({{101, 30522, 102}}), musiclab::invalid_parameter);
    CHECK_THROWS_AS(model.encode_ids({{}}), musiclab::invalid_parameter);
    CHECK_THROWS_AS(model.encode_ids({std::vector<std::int32_t>(513, 100)}), musiclab::invalid_parameter);
    EncodeOptions bad;
    bad.batch_size = 0;
    CHECK_THROWS_AS(model.encode(texts, bad), musiclab::invalid_parameter);
    bad.batch_size = 1;
    bad.num_threads = -1;
    CHECK_THROWS_AS(model.encode(texts, bad), musiclab::invalid_parameter);
    // invalid UTF-8 names the text and byte
    const auto e = musiclab::test::parse_error_of([&] { (void)model.encode(std::vector<std::string>{"ok", "ab\xC0"}); });
    CHECK(e.source() == "texts[1]");
    CHECK(e.column() == 3);
}

TEST_CASE("bert: truncation to max_seq_length") {
    MUSICLAB_REQUIRE_PATH(fixture() / "config.json");
    const auto model = SentenceEncoder::load(fixture());
    std::string longer;
    for (int i = 0; i < 400; ++i) longer += "word ";
    const auto ids = model.tokenize(std::vector<std::string>{longer});
    CHECK(ids[0].size() == 256);
    CHECK(ids[0].front() == 101);
    CHECK(ids[0].back() == 102);
}

TEST_CASE("bert: the real all-MiniLM-L6-v2 text files parse (dimensions, pooling, tokenizer)") {
    const auto real = musiclab::test::shared_dir() / "fixtures/all-MiniLM-L6-v2-noweights";
    MUSICLAB_REQUIRE_PATH(real / "config.json");
    const auto c = musiclab::nn::read_bert_config(real / "config.json");
    CHECK(c.hidden_size == 384);
    CHECK(c.num_hidden_layers == 6);
    CHECK(c.num_attention_heads == 12);
    CHECK(c.intermediate_size == 1536);
    CHECK(c.vocab_size == 30522);
    CHECK(c.layer_norm_eps == 1e-12);
    const auto tc = musiclab::nn::read_tokenizer_config(real / "tokenizer_config.json");
    CHECK(tc.do_lower_case);
    // no weights there: loading says which file is missing
    try {
        (void)SentenceEncoder::load(real);
        FAIL("expected io_error");
    } catch (const musiclab::io_error& e) {
        CHECK(std::string(e.what()).find("model.safetensors") != std::string::npos);
    }
    // with random weights of the real dimensions (the benchmark's model) it loads and encodes
    const auto d = temp_dir("real");
    fs::copy(real, d, fs::copy_options::recursive);
    for (const auto& e : fs::recursive_directory_iterator(d)) fs::permissions(e.path(), fs::perms::owner_all, fs::perm_options::add);
    std::vector<musiclab::nn::TensorData> ts;
    auto add = [&](const std::string& name, std::vector<std::size_t> shape) {
        std::size_t n = 1;
        for (auto s : shape) n *= s;
        std::vector<float> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = 0.02f * std::sin(0.37f * static_cast<float>(i % 1013) + static_cast<float>(name.size()));
        ts.push_back({"bert." + name, musiclab::nn::DType::f32, shape, musiclab::nn::f32_bytes(v)});  // with the prefix
    };
    add("embeddings.word_embeddings.weight", {30522, 384});
    add("embeddings.position_embeddings.weight", {512, 384});
    add("embeddings.token_type_embeddings.weight", {2, 384});
    add("embeddings.LayerNorm.weight", {384});
    add("embeddings.LayerNorm.bias", {384});
    for (int l = 0; l < 6; ++l) {
        const std::string p = "encoder.layer." + std::to_string(l) + ".";
        for (const char* m : {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
            add(p + m + ".weight", {384, 384});
            add(p + m + ".bias", {384});
        }
        add(p + "intermediate.dense.weight", {1536, 384});
        add(p + "intermediate.dense.bias", {1536});
        add(p + "output.dense.weight", {384, 1536});
        add(p + "output.dense.bias", {384});
        for (const char* m : {"attention.output.LayerNorm", "output.LayerNorm"}) {
            add(p + m + ".weight", {384});
            add(p + m + ".bias", {384});
        }
    }
    musiclab::nn::save_safetensors(d / "model.safetensors", std::move(ts));
    const auto model = SentenceEncoder::load(d);
    CHECK(model.dimension() == 384);
    CHECK(model.max_seq_length() == 256);
    const RowMatrixF E = model.encode(std::vector<std::string>{"Blinding Lights - The Weeknd [Genre: pop]", "Halo - Beyoncé"});
    CHECK(E.cols() == 384);
    CHECK(std::abs(E.row(0).cast<double>().norm() - 1.0) < 1e-6);
    fs::remove_all(d);
}

TEST_CASE("bert: bad model folders give clear errors") {
    MUSICLAB_REQUIRE_PATH(fixture() / "config.json");
    CHECK_THROWS_AS(SentenceEncoder::load(fixture() / "no_such_folder"), musiclab::io_error);
    SUBCASE("missing files") {
        for (const char* file : {"config.json", "vocab.txt", "model.safetensors", "1_Pooling/config.json"}) {
            const auto d = copy_fixture("missing");
            fs::remove(d / file);
            try {
                (void)SentenceEncoder::load(d);
                FAIL("expected io_error for missing " << file);
            } catch (const musiclab::io_error& e) {
                CHECK(std::string(e.what()).find(file) != std::string::npos);
            }
            fs::remove_all(d);
        }
        // pytorch_model.bin only: says so
        const auto d = copy_fixture("bin");
        fs::rename(d / "model.safetensors", d / "pytorch_model.bin");
        try {
            (void)SentenceEncoder::load(d);
            FAIL("expected io_error");
        } catch (const musiclab::io_error& e) {
            CHECK(std::string(e.what()).find("pytorch_model.bin") != std::string::npos);
        }
        fs::remove_all(d);
    }
    SUBCASE("optional files: without modules.json mean pooling and no normalisation") {
        const auto d = copy_fixture("optional");
        fs::remove(d / "modules.json");
        fs::remove(d / "tokenizer_config.json");
        fs::remove(d / "sentence_bert_config.json");
        const auto m = SentenceEncoder::load(d);
        CHECK_FALSE(m.normalizes());
        CHECK(m.max_seq_length() == 512);
        fs::remove_all(d);
    }
    SUBCASE("config and tensor shapes disagree") {
        const auto d = copy_fixture("shape");
        auto cfg = nlohmann::json::parse(std::ifstream(d / "config.json"));
        cfg["intermediate_size"] = 48;
        write(d / "config.json", cfg.dump());
        try {
            (void)SentenceEncoder::load(d);
            FAIL("expected shape_mismatch");
        } catch (const musiclab::shape_mismatch& e) {
            CHECK(std::string(e.what()).find("encoder.layer.0.intermediate.dense.weight") != std::string::npos);
            CHECK(e.expected() == 48);
            CHECK(e.got() == 64);
        }
        cfg["intermediate_size"] = 64;
        cfg["vocab_size"] = 30000;
        write(d / "config.json", cfg.dump());
        CHECK_THROWS_AS(SentenceEncoder::load(d), musiclab::shape_mismatch);
        cfg["vocab_size"] = 30522;
        cfg["num_attention_heads"] = 5;
        write(d / "config.json", cfg.dump());
        CHECK_THROWS_AS(SentenceEncoder::load(d), musiclab::parse_error);  // 32 not divisible by 5
        cfg["num_attention_heads"] = 4;
        cfg["hidden_act"] = "swish";
        write(d / "config.json", cfg.dump());
        CHECK_THROWS_AS(SentenceEncoder::load(d), musiclab::parse_error);
        cfg["hidden_act"] = "gelu";
        cfg.erase("hidden_size");
        write(d / "config.json", cfg.dump());
        CHECK_THROWS_AS(SentenceEncoder::load(d), musiclab::parse_error);
        fs::remove_all(d);
        // the pooling dimension disagrees
        const auto d2 = copy_fixture("pooldim");
        write(d2 / "1_Pooling/config.json", R"({"word_embedding_dimension": 384, "pooling_mode_mean_tokens": true})");
        CHECK_THROWS_AS(SentenceEncoder::load(d2), musiclab::shape_mismatch);
        write(d2 / "1_Pooling/config.json", R"({"word_embedding_dimension": 32, "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": true})");
        CHECK_THROWS_AS(SentenceEncoder::load(d2), musiclab::parse_error);
        write(d2 / "1_Pooling/config.json", R"({"word_embedding_dimension": 32, "pooling_mode_cls_token": true})");
        CHECK(SentenceEncoder::load(d2).pooling() == musiclab::nn::Pooling::cls);
        write(d2 / "modules.json", R"([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                                       {"idx": 1, "name": "1", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}])");
        CHECK_THROWS_AS(SentenceEncoder::load(d2), musiclab::parse_error);
        write(d2 / "modules.json", "[{\"type\": ");
        CHECK_THROWS_AS(SentenceEncoder::load(d2), musiclab::parse_error);
        fs::remove_all(d2);
    }
    SUBCASE("tensors: wrong shape, missing, unknown or unsupported dtype, F16 / BF16, bert. prefix") {
        const auto d = copy_fixture("tensors");
        rewrite_weights(d, [](auto& ts) {
            for (auto& t : ts)
                if (t.name == "encoder.layer.1.attention.self.key.weight") {
                    t.shape = {16, 64};  // same bytes, wrong shape
                }
        });
        try {
            (void)SentenceEncoder::load(d);
            FAIL("expected shape_mismatch");
        } catch (const musiclab::shape_mismatch& e) {
            CHECK(std::string(e.what()).find("encoder.layer.1.attention.self.key.weight") != std::string::npos);
        }
        rewrite_weights(d, [](auto& ts) {
            std::erase_if(ts, [](const auto& t) { return t.name == "encoder.layer.1.attention.self.key.weight"; });
        });
        CHECK_THROWS_AS(SentenceEncoder::load(d), musiclab::unknown_name);
        fs::remove_all(d);

        // an integer dtype where floats are needed
        const auto d2 = copy_fixture("dtype");
        rewrite_weights(d2, [](auto& ts) {
            for (auto& t : ts)
                if (t.name == "embeddings.LayerNorm.bias") t.dtype = musiclab::nn::DType::i32;
        });
        try {
            (void)SentenceEncoder::load(d2);
            FAIL("expected parse_error");
        } catch (const musiclab::parse_error& e) {
            CHECK(std::string(e.what()).find("I32") != std::string::npos);
        }
        fs::remove_all(d2);

        // BF16 / F16 weights (rounded from the F32 ones) with the "bert." prefix load and give
        // embeddings close to the F32 ones
        const auto ref = SentenceEncoder::load(fixture());
        const std::vector<std::string> texts = {"Blinding Lights - The Weeknd [Genre: pop]", "Halo", ""};
        const RowMatrixF E = ref.encode(texts);
        for (auto dt : {musiclab::nn::DType::bf16, musiclab::nn::DType::f16}) {
            const auto d3 = copy_fixture("half");
            rewrite_weights(d3, [dt](auto& ts) {
                for (auto& t : ts) {
                    std::vector<unsigned char> out(t.bytes.size() / 2);
                    for (std::size_t i = 0; i < out.size() / 2; ++i) {
                        float f;
                        std::memcpy(&f, t.bytes.data() + 4 * i, 4);
                        std::uint16_t h;
                        if (dt == musiclab::nn::DType::bf16) {
                            std::uint32_t b;
                            std::memcpy(&b, &f, 4);
                            h = static_cast<std::uint16_t>((b + 0x8000u) >> 16);
                        } else {
                            h = to_half(f);
                        }
                        out[2 * i] = static_cast<unsigned char>(h & 0xFF);
                        out[2 * i + 1] = static_cast<unsigned char>(h >> 8);
                    }
                    t.bytes = std::move(out);
                    t.dtype = dt;
                    t.name = "bert." + t.name;
                }
            });
            const RowMatrixF F = SentenceEncoder::load(d3).encode(texts);
            const float diff = (F - E).cwiseAbs().maxCoeff();
            MESSAGE(musiclab::nn::dtype_name(dt) << " weights: max abs difference " << diff);
            CHECK(diff > 0.0f);   // the weights were rounded
            CHECK(diff < 0.05f);  // but they are the same model
            fs::remove_all(d3);
        }
    }
}
