// Tests of musiclab/nn/safetensors.hpp: the fixture's model.safetensors (the reference writer's
// layout) opens with its 101 tensors; write/read round trip of F32 / F16 / BF16 / other dtypes;
// F16 conversion of every half value; hand-made corrupt headers each give a parse_error; and a
// fuzz loop (random truncations, byte flips and header edits of valid files) that must only ever
// throw musiclab::parse_error and never read out of bounds (run under ASan in the asan build).
#include <doctest/doctest.h>
#include <musiclab/core/random.hpp>
#include <musiclab/nn/safetensors.hpp>

#include "support.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using musiclab::nn::DType;
using musiclab::nn::SafetensorsFile;
using musiclab::nn::TensorData;

namespace {

using Bytes = std::vector<unsigned char>;

/// A file from a literal header (the length prefix is computed) and `data_size` data bytes.
Bytes with_header(const std::string& header, std::size_t data_size) {
    Bytes b(8 + header.size() + data_size, 0x3F);
    const std::uint64_t n = header.size();
    for (std::size_t k = 0; k < 8; ++k) b[k] = static_cast<unsigned char>(n >> (8 * k));
    for (std::size_t k = 0; k < header.size(); ++k) b[8 + k] = static_cast<unsigned char>(header[k]);
    return b;
}

std::string error_of(const Bytes& b) {
    try {
        (void)SafetensorsFile::from_bytes(b, "t.safetensors");
    } catch (const musiclab::parse_error& e) {
        return e.what();
    }
    return "";
}

Bytes small_file() {
    std::vector<TensorData> ts;
    ts.push_back({"a", DType::f32, {2, 3}, musiclab::nn::f32_bytes(std::vector<float>{1, 2, 3, 4, 5, -6.5f})});
    ts.push_back({"b.half", DType::f16, {2}, {0x00, 0x3C, 0x00, 0xC0}});    // 1, -2
    ts.push_back({"c.bf16", DType::bf16, {1, 2}, {0x80, 0x3F, 0x40, 0xC0}});  // 1, -3
    ts.push_back({"d.int", DType::i64, {1}, Bytes(8, 1)});
    ts.push_back({"e.empty", DType::f32, {0, 4}, {}});
    return musiclab::nn::safetensors_bytes(ts, {{"format", "pt"}});
}

}  // namespace

TEST_CASE("safetensors: the fixture file opens with every tensor of the reference writer") {
    const auto path = musiclab::test::shared_dir() / "fixtures/minilm-tiny-random/model.safetensors";
    MUSICLAB_REQUIRE_PATH(path);
    const auto f = SafetensorsFile::open(path);
    CHECK(f.metadata().at("format") == "pt");
    // 2 layers x 16 + 5 embedding + 2 pooler tensors (README: HF BertModel names, incl. pooler)
    CHECK(f.tensors().size() == 2 * 16 + 5 + 2);
    std::size_t params = 0;
    for (const auto& t : f.tensors()) {
        CHECK(t.dtype == DType::f32);
        params += t.numel();
    }
    CHECK(params == 1011360);  // README: 1,011,360 float32 parameters
    const auto& w = f.tensor("embeddings.word_embeddings.weight");
    CHECK(w.shape == std::vector<std::size_t>{30522, 32});
    CHECK(f.find("no.such") == nullptr);
    CHECK_THROWS_AS((void)f.tensor("no.such"), musiclab::unknown_name);
    // the same bytes through from_bytes: same tensors
    std::ifstream in(path, std::ios::binary);
    const Bytes all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto g = SafetensorsFile::from_bytes(all);
    CHECK(g.to_float(g.tensor("encoder.layer.1.output.dense.bias")) == f.to_float(f.tensor("encoder.layer.1.output.dense.bias")));
    // missing file / a directory
    CHECK_THROWS_AS(SafetensorsFile::open(path.parent_path() / "none.safetensors"), musiclab::io_error);
    CHECK_THROWS_AS(SafetensorsFile::open(path.parent_path()), musiclab::io_error);
}

TEST_CASE("safetensors: round trip and conversions") {
    const auto b = small_file();
    REQUIRE((b.size() - 8) % 8 == 0);  // header padded to a multiple of 8, as the reference writer
    const auto f = SafetensorsFile::from_bytes(b);
    CHECK(f.to_float(f.tensor("a")) == std::vector<float>{1, 2, 3, 4, 5, -6.5f});
    CHECK(f.to_float(f.tensor("b.half")) == std::vector<float>{1, -2});
    CHECK(f.to_float(f.tensor("c.bf16")) == std::vector<float>{1, -3});
    CHECK(f.to_float(f.tensor("e.empty")).empty());
    CHECK_THROWS_AS(f.to_float(f.tensor("d.int")), musiclab::parse_error);  // not a float dtype
    CHECK(f.bytes(f.tensor("d.int")).size() == 8);
    // the order of the data: 8-byte dtypes first, then by name
    CHECK(f.tensors().front().name == "d.int");
    // written to disk and mapped
    const auto path = fs::temp_directory_path() / "musiclab_test_nn_safetensors.safetensors";
    std::vector<TensorData> ts{{"x", DType::f32, {1}, musiclab::nn::f32_bytes(std::vector<float>{3.25f})}};
    musiclab::nn::save_safetensors(path, ts);
    CHECK(SafetensorsFile::open(path).to_float(SafetensorsFile::open(path).tensor("x")) == std::vector<float>{3.25f});
    fs::remove(path);
    // the writer refuses inconsistent input
    ts.push_back({"y", DType::f32, {2}, Bytes(4)});
    CHECK_THROWS_AS(musiclab::nn::safetensors_bytes(ts), musiclab::invalid_parameter);
}

TEST_CASE("safetensors: F16 conversion of every half value") {
    CHECK(SafetensorsFile::half_to_float(0x3C00) == 1.0f);
    CHECK(SafetensorsFile::half_to_float(0xC000) == -2.0f);
    CHECK(SafetensorsFile::half_to_float(0x7BFF) == 65504.0f);
    CHECK(SafetensorsFile::half_to_float(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
    CHECK(SafetensorsFile::half_to_float(0x03FF) == std::ldexp(1023.0f, -24));
    CHECK(SafetensorsFile::half_to_float(0x0400) == std::ldexp(1.0f, -14));  // smallest normal
    CHECK(std::isinf(SafetensorsFile::half_to_float(0xFC00)));
    CHECK(std::isnan(SafetensorsFile::half_to_float(0x7E00)));
    CHECK(std::signbit(SafetensorsFile::half_to_float(0x8000)));
    // every finite value: sign * mantissa * 2^exponent from the definition
    for (std::uint32_t h = 0; h < 0x10000; ++h) {
        const std::uint32_t e = (h >> 10) & 0x1F, m = h & 0x3FF;
        if (e == 0x1F) continue;
        const double v = (e == 0 ? std::ldexp(double(m), -24) : std::ldexp(double(m + 1024), int(e) - 25)) * ((h & 0x8000) ? -1 : 1);
        if (SafetensorsFile::half_to_float(static_cast<std::uint16_t>(h)) != static_cast<float>(v)) {
            FAIL("half " << h);
        }
    }
}

TEST_CASE("safetensors: corrupt headers give parse_error") {
    CHECK(error_of(Bytes{}).find("too short") != std::string::npos);
    CHECK(error_of(Bytes(7, 0)).find("too short") != std::string::npos);
    Bytes huge = with_header("{}", 0);
    huge[5] = 0x10;  // header length 2^40
    CHECK(error_of(huge).find("limit") != std::string::npos);
    Bytes past = with_header("{}", 0);
    past[0] = 3;  // 3 > 2 bytes available
    CHECK(error_of(past).find("truncated") != std::string::npos);
    CHECK(error_of(with_header("{\"a\":", 0)).find("not valid JSON") != std::string::npos);
    CHECK(error_of(with_header("[]", 0)).find("not a JSON object") != std::string::npos);
    CHECK(error_of(with_header("{\"a\":\"\xFF\"}", 0)).find("UTF-8") != std::string::npos);
    CHECK(error_of(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8))
              .find("twice") != std::string::npos);
    CHECK(error_of(with_header(R"({"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}})", 4)).find("unknown dtype \"Q4\"") !=
          std::string::npos);
    CHECK(error_of(with_header(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4)).find("non-negative") != std::string::npos);
    CHECK(error_of(with_header(R"({"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", 4)).find("non-negative") != std::string::npos);
    CHECK(error_of(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", 8)).find("need 8") != std::string::npos);
    CHECK(error_of(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", 8)).find("begin") != std::string::npos);
    CHECK(error_of(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 4)).find("past the data") != std::string::npos);
    CHECK(error_of(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8))
              .find("overlap") != std::string::npos);
    CHECK(error_of(with_header(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}})", 4))
              .find("overflow") != std::string::npos);
    CHECK(error_of(with_header(R"({"a":{"dtype":"F32","shape":[1]}})", 4)).find("data_offsets") != std::string::npos);
    CHECK(error_of(with_header(R"({"a":{"shape":[1],"data_offsets":[0,4]}})", 4)).find("dtype") != std::string::npos);
    CHECK(error_of(with_header(R"({"a":[1]})", 4)).find("not an object") != std::string::npos);
    CHECK(error_of(with_header(R"({"__metadata__":{"k":1}})", 0)).find("__metadata__") != std::string::npos);
    // valid: empty header object, zero-size tensors, a gap between tensors (musiclab accepts it)
    CHECK(error_of(with_header("{}", 0)).empty());
    CHECK(error_of(with_header(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}})", 0)).empty());
    CHECK(error_of(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8)).empty());
    // errors carry the source name and a column for JSON errors
    try {
        (void)SafetensorsFile::from_bytes(with_header("{\"a\" 1}", 0), "m.safetensors");
        FAIL("expected parse_error");
    } catch (const musiclab::parse_error& e) {
        CHECK(e.source() == "m.safetensors");
        CHECK(e.column() > 0);
    }
}

TEST_CASE("safetensors: fuzzed files only ever raise parse_error") {
    // seeds: the small file, and (when present) most of the fixture's model file
    std::vector<Bytes> seeds{small_file()};
    const auto path = musiclab::test::shared_dir() / "fixtures/minilm-tiny-random/model.safetensors";
    if (fs::exists(path)) {  // the fixture's tensors except the two large embedding tables (~80 KB)
        const auto f = SafetensorsFile::open(path);
        std::vector<TensorData> ts;
        for (const auto& t : f.tensors()) {
            if (t.numel() > 4096) continue;
            const auto bytes = f.bytes(t);
            ts.push_back({t.name, t.dtype, t.shape, Bytes(bytes.begin(), bytes.end())});
        }
        seeds.push_back(musiclab::nn::safetensors_bytes(ts, f.metadata()));
    }
    musiclab::Rng rng(20261122);
    std::size_t parsed = 0, rejected = 0;
    for (int iter = 0; iter < 6000; ++iter) {
        const Bytes& seed = seeds[static_cast<std::size_t>(rng.below(seeds.size()))];
        Bytes b;
        const std::size_t header_end = 8 + std::min<std::size_t>(seed.size() - 8, seed[0] | (seed[1] << 8) | (seed[2] << 16));
        switch (rng.below(5)) {
            case 0:  // truncate anywhere
                b.assign(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(rng.below(seed.size() + 1)));
                break;
            case 1: {  // flip bytes of the header (or the length)
                b.assign(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(std::min(seed.size(), header_end + 4096)));
                const int flips = 1 + static_cast<int>(rng.below(4));
                for (int k = 0; k < flips; ++k) b[static_cast<std::size_t>(rng.below(header_end))] ^= static_cast<unsigned char>(1 + rng.below(255));
                break;
            }
            case 2: {  // replace a digit in the header by another digit (offsets, shapes)
                b.assign(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(std::min(seed.size(), header_end + 4096)));
                for (int tries = 0; tries < 64; ++tries) {
                    const std::size_t i = 8 + static_cast<std::size_t>(rng.below(header_end - 8));
                    if (b[i] >= '0' && b[i] <= '9') {
                        b[i] = static_cast<unsigned char>('0' + rng.below(10));
                        break;
                    }
                }
                break;
            }
            case 3: {  // delete a run of header bytes, keeping the stated length
                b = seed;
                const std::size_t i = 8 + static_cast<std::size_t>(rng.below(header_end - 8));
                const std::size_t n = std::min<std::size_t>(1 + rng.below(16), header_end - i);
                b.erase(b.begin() + static_cast<std::ptrdiff_t>(i), b.begin() + static_cast<std::ptrdiff_t>(i + n));
                break;
            }
            default: {  // random length prefix over the real header
                b.assign(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(std::min(seed.size(), header_end + 64)));
                const std::uint64_t n = rng.below(2) ? rng.below(header_end + 64) : (std::uint64_t(rng.below(1u << 31)) << rng.below(33));
                for (int k = 0; k < 8; ++k) b[static_cast<std::size_t>(k)] = static_cast<unsigned char>(n >> (8 * k));
                break;
            }
        }
        try {
            const auto f = SafetensorsFile::from_bytes(b, "fuzz");
            ++parsed;
            // whatever was accepted can be read completely
            for (const auto& t : f.tensors()) {
                const auto bytes = f.bytes(t);
                unsigned sum = 0;
                for (unsigned char c : bytes) sum += c;
                (void)sum;
                if (t.dtype == DType::f32 || t.dtype == DType::f16 || t.dtype == DType::bf16) CHECK(f.to_float(t).size() == t.numel());
            }
        } catch (const musiclab::parse_error&) {
            ++rejected;
        }
    }
    MESSAGE(parsed << " fuzzed files accepted, " << rejected << " rejected");
    CHECK(rejected > 1000);
    CHECK(parsed > 10);
}
