// safetensors reader (and a small writer): the tensor file format of Hugging Face models
// (`model.safetensors`). Layout: an unsigned 64-bit little-endian header length N, N bytes of
// UTF-8 JSON header {"name": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]},
// ..., "__metadata__": {"key": "value", ...}}, then the raw little-endian tensor data; offsets are
// relative to the first byte after the header.
//
//     auto file = musiclab::nn::SafetensorsFile::open("model.safetensors");   // memory-mapped
//     const auto& t = file.tensor("embeddings.word_embeddings.weight");        // or find(): nullptr
//     std::vector<float> w = file.to_float(t);   // F32 / F16 / BF16 -> float
//
// Validation (every violation is a musiclab::parse_error naming the file and, for header
// errors, the byte column in the header): the file holds 8 bytes and then the whole header; the
// header is at most 100 MB, valid UTF-8, one JSON object with no duplicate names; every entry has
// a known dtype (BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, I64, U64,
// F64), a shape of non-negative integers, and data_offsets [begin, end] with begin <= end,
// end - begin = element count x element size (overflow-checked), end inside the file; no two
// tensors' byte ranges overlap. `__metadata__` must be an object of strings. The format's
// reference implementation also requires the tensors to cover the data section without gaps;
// musiclab accepts gaps (unreferenced bytes are never read). to_float() converts F32, F16 and
// BF16; other dtypes raise a parse_error naming the tensor and its dtype. Nothing is read outside
// the mapping, whatever the file holds (fuzzed under ASan: tests/test_nn_safetensors.cpp).
//
// Complexity: open() is O(header size + tensors · log tensors); data is mapped, not read.
// Thread safety: a SafetensorsFile is immutable after open() and may be shared between threads.
#pragma once

#include "../core/error.hpp"
#include "../core/utf8.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace musiclab::nn {

/// Element types of the safetensors format.
enum class DType { boolean, u8, i8, f8_e5m2, f8_e4m3, i16, u16, f16, bf16, i32, u32, f32, i64, u64, f64 };

/// The format's name of a dtype ("F32", "BF16", ...).
inline std::string_view dtype_name(DType t) noexcept {
    constexpr std::string_view names[] = {"BOOL", "U8",  "I8",  "F8_E5M2", "F8_E4M3", "I16", "U16", "F16",
                                          "BF16", "I32", "U32", "F32",     "I64",     "U64", "F64"};
    return names[static_cast<int>(t)];
}

/// Bytes per element of a dtype.
inline std::size_t dtype_size(DType t) noexcept {
    switch (t) {
        case DType::boolean: case DType::u8: case DType::i8: case DType::f8_e5m2: case DType::f8_e4m3: return 1;
        case DType::i16: case DType::u16: case DType::f16: case DType::bf16: return 2;
        case DType::i32: case DType::u32: case DType::f32: return 4;
        case DType::i64: case DType::u64: case DType::f64: return 8;
    }
    return 1;
}

/// The dtype of a format name, or nullopt for an unknown name.
inline std::optional<DType> dtype_from_name(std::string_view s) noexcept {
    for (int i = 0; i <= static_cast<int>(DType::f64); ++i)
        if (dtype_name(static_cast<DType>(i)) == s) return static_cast<DType>(i);
    return std::nullopt;
}

/// One tensor of a safetensors file: name, dtype, shape and its bytes inside the mapping.
struct TensorInfo {
    std::string name;
    DType dtype = DType::f32;
    std::vector<std::size_t> shape;
    std::size_t begin = 0;  ///< byte offset relative to the data section
    std::size_t end = 0;
    /// Number of elements (product of the shape; 1 for a scalar).
    std::size_t numel() const noexcept {
        std::size_t n = 1;
        for (auto d : shape) n *= d;
        return n;
    }
};

/// A validated, memory-mapped (or in-memory) safetensors file.
class SafetensorsFile {
public:
    /// Maps and validates `path`. Throws io_error when it cannot be opened or mapped, parse_error
    /// when it is not a valid safetensors file.
    static SafetensorsFile open(const std::filesystem::path& path) {
        auto storage = std::make_shared<Storage>();
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw io_error(path.string(), std::string("cannot open: ") + std::strerror(errno));
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            const int e = errno;
            ::close(fd);
            throw io_error(path.string(), std::string("cannot stat: ") + std::strerror(e));
        }
        if (!S_ISREG(st.st_mode)) {
            ::close(fd);
            throw io_error(path.string(), "not a regular file");
        }
        const auto size = static_cast<std::size_t>(st.st_size);
        if (size > 0) {
            void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (p == MAP_FAILED) {
                const int e = errno;
                ::close(fd);
                throw io_error(path.string(), std::string("cannot map: ") + std::strerror(e));
            }
            storage->map = p;
            storage->data = static_cast<const unsigned char*>(p);
            storage->size = size;
        }
        ::close(fd);
        return SafetensorsFile(std::move(storage), path.string());
    }

    /// Validates bytes held in memory (a copy is kept). `source` names them in error messages.
    static SafetensorsFile from_bytes(std::span<const unsigned char> bytes, std::string source = "<memory>") {
        auto storage = std::make_shared<Storage>();
        storage->owned.assign(bytes.begin(), bytes.end());
        storage->data = storage->owned.data();
        storage->size = storage->owned.size();
        return SafetensorsFile(std::move(storage), std::move(source));
    }

    /// Where the bytes came from (the path, or from_bytes' source).
    const std::string& source() const noexcept { return source_; }
    /// The tensors in the order of their data offsets.
    const std::vector<TensorInfo>& tensors() const noexcept { return tensors_; }
    /// `__metadata__` (empty when absent).
    const std::map<std::string, std::string>& metadata() const noexcept { return metadata_; }

    /// The tensor called `name`, or nullptr.
    const TensorInfo* find(std::string_view name) const noexcept {
        const auto it = by_name_.find(std::string(name));
        return it == by_name_.end() ? nullptr : &tensors_[it->second];
    }
    /// The tensor called `name`; unknown_name when there is none.
    const TensorInfo& tensor(std::string_view name) const {
        const TensorInfo* t = find(name);
        if (!t) throw unknown_name("tensor", std::string(name), source_);
        return *t;
    }

    /// The raw bytes of a tensor of this file.
    std::span<const unsigned char> bytes(const TensorInfo& t) const noexcept {
        return {storage_->data + data_start_ + t.begin, t.end - t.begin};
    }

    /// The tensor's elements converted to float (row-major, as stored). F32, F16 (IEEE half,
    /// subnormals, infinities and NaN kept) and BF16 are converted exactly; other dtypes raise a
    /// parse_error naming the tensor and its dtype.
    std::vector<float> to_float(const TensorInfo& t) const {
        std::vector<float> out(t.numel());
        to_float(t, out.data());
        return out;
    }
    /// As to_float(t), writing numel() floats to `out`.
    void to_float(const TensorInfo& t, float* out) const {
        const auto b = bytes(t);
        const std::size_t n = t.numel();
        switch (t.dtype) {
            case DType::f32:
                for (std::size_t i = 0; i < n; ++i) out[i] = load_f32(b.data() + 4 * i);
                break;
            case DType::f16:
                for (std::size_t i = 0; i < n; ++i) out[i] = half_to_float(load_u16(b.data() + 2 * i));
                break;
            case DType::bf16:
                for (std::size_t i = 0; i < n; ++i) out[i] = bits_to_float(std::uint32_t(load_u16(b.data() + 2 * i)) << 16);
                break;
            default:
                throw parse_error(source_, 0, 0,
                                  "tensor '" + t.name + "' has dtype " + std::string(dtype_name(t.dtype)) +
                                      "; only F32, F16 and BF16 can be read as float");
        }
    }

    /// IEEE 754 binary16 bits to float (exact).
    static float half_to_float(std::uint16_t h) noexcept {
        const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
        const std::uint32_t exp = (h >> 10) & 0x1Fu;
        std::uint32_t mant = h & 0x3FFu;
        std::uint32_t bits;
        if (exp == 0) {
            if (mant == 0) {
                bits = sign;
            } else {  // subnormal: normalise
                int e = -1;
                do {
                    ++e;
                    mant <<= 1;
                } while ((mant & 0x400u) == 0);
                bits = sign | (std::uint32_t(127 - 15 - e) << 23) | ((mant & 0x3FFu) << 13);
            }
        } else if (exp == 0x1F) {
            bits = sign | 0x7F800000u | (mant << 13);
        } else {
            bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
        }
        return bits_to_float(bits);
    }

private:
    struct Storage {
        void* map = nullptr;
        const unsigned char* data = nullptr;
        std::size_t size = 0;
        std::vector<unsigned char> owned;
        Storage() = default;
        Storage(const Storage&) = delete;
        Storage& operator=(const Storage&) = delete;
        ~Storage() {
            if (map) ::munmap(map, size);
        }
    };

    static constexpr std::uint64_t max_header = 100'000'000;  // the reference implementation's limit

    SafetensorsFile(std::shared_ptr<Storage> storage, std::string source)
        : storage_(std::move(storage)), source_(std::move(source)) {
        parse();
    }

    static float bits_to_float(std::uint32_t b) noexcept {
        float f;
        std::memcpy(&f, &b, 4);
        return f;
    }
    static float load_f32(const unsigned char* p) noexcept {
        return bits_to_float(std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
                             std::uint32_t(p[3]) << 24);
    }
    static std::uint16_t load_u16(const unsigned char* p) noexcept {
        return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
    }

    [[noreturn]] void fail(const std::string& msg, std::size_t column = 0) const {
        throw parse_error(source_, column > 0 ? 1 : 0, column, msg);
    }

    static bool checked_mul(std::size_t a, std::size_t b, std::size_t& out) noexcept {
        if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a) return false;
        out = a * b;
        return true;
    }

    void parse() {
        const unsigned char* p = storage_->data;
        const std::size_t size = storage_->size;
        if (size < 8) fail("file of " + std::to_string(size) + " bytes is too short for a safetensors header length (8 bytes)");
        std::uint64_t n = 0;
        for (int i = 7; i >= 0; --i) n = (n << 8) | p[i];
        if (n > max_header) fail("header length " + std::to_string(n) + " exceeds the limit of 100000000 bytes");
        if (n > size - 8)
            fail("header length " + std::to_string(n) + " runs past the end of the file (" + std::to_string(size) +
                 " bytes): truncated file?");
        const std::string_view header(reinterpret_cast<const char*>(p + 8), static_cast<std::size_t>(n));
        data_start_ = 8 + static_cast<std::size_t>(n);
        const std::size_t data_size = size - data_start_;
        // the header must be valid UTF-8 (nlohmann would also reject it, with a less exact place)
        for (std::size_t i = 0; i < header.size();) {
            std::size_t bad = 0;
            const std::size_t len =
                musiclab::detail::utf8_sequence(reinterpret_cast<const unsigned char*>(header.data()) + i, header.size() - i, bad);
            if (len == 0) fail("header is not valid UTF-8 (byte " + std::to_string(i + 1) + " of the header)", i + 1);
            i += len;
        }
        // parse, rejecting duplicate names at the top level
        std::set<std::string> seen;
        std::string duplicate;
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(
                header,
                [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
                    if (depth == 1 && event == nlohmann::json::parse_event_t::key) {
                        const auto& k = parsed.get_ref<const std::string&>();
                        if (!seen.insert(k).second && duplicate.empty()) duplicate = k;
                    }
                    return true;
                });
        } catch (const nlohmann::json::parse_error& e) {
            fail(std::string("header is not valid JSON: ") + e.what(), e.byte > 0 ? e.byte : 0);
        }
        if (!j.is_object()) fail("header is not a JSON object");
        if (!duplicate.empty()) fail("tensor '" + duplicate + "' is listed twice in the header");
        for (auto it = j.begin(); it != j.end(); ++it) {
            const std::string& name = it.key();
            const auto& v = it.value();
            if (name == "__metadata__") {
                if (!v.is_object()) fail("__metadata__ is not an object");
                for (auto m = v.begin(); m != v.end(); ++m) {
                    if (!m.value().is_string()) fail("__metadata__ value of '" + m.key() + "' is not a string");
                    metadata_[m.key()] = m.value().get<std::string>();
                }
                continue;
            }
            const std::string what = "tensor '" + name + "'";
            if (!v.is_object()) fail(what + ": entry is not an object");
            const auto dt = v.find("dtype");
            const auto sh = v.find("shape");
            const auto of = v.find("data_offsets");
            if (dt == v.end() || !dt->is_string()) fail(what + ": missing or non-string \"dtype\"");
            if (sh == v.end() || !sh->is_array()) fail(what + ": missing or non-array \"shape\"");
            if (of == v.end() || !of->is_array() || of->size() != 2) fail(what + ": \"data_offsets\" is not [begin, end]");
            TensorInfo t;
            t.name = name;
            const auto d = dtype_from_name(dt->get_ref<const std::string&>());
            if (!d) fail(what + ": unknown dtype \"" + dt->get<std::string>() + "\"");
            t.dtype = *d;
            std::size_t count = 1;
            for (const auto& e : *sh) {
                if (!e.is_number_unsigned()) fail(what + ": shape entries must be non-negative integers");
                const auto dim = e.get<std::uint64_t>();
                if (dim > std::numeric_limits<std::size_t>::max() || !checked_mul(count, static_cast<std::size_t>(dim), count))
                    fail(what + ": shape overflows");
                t.shape.push_back(static_cast<std::size_t>(dim));
            }
            std::size_t nbytes = 0;
            if (!checked_mul(count, dtype_size(t.dtype), nbytes)) fail(what + ": shape overflows");
            for (const auto& e : *of)
                if (!e.is_number_unsigned()) fail(what + ": data_offsets must be non-negative integers");
            const auto b = (*of)[0].get<std::uint64_t>(), en = (*of)[1].get<std::uint64_t>();
            if (b > en) fail(what + ": data_offsets begin " + std::to_string(b) + " > end " + std::to_string(en));
            if (en > data_size)
                fail(what + ": data_offsets end " + std::to_string(en) + " is past the data section (" +
                     std::to_string(data_size) + " bytes): truncated file?");
            if (en - b != nbytes)
                fail(what + ": data_offsets span " + std::to_string(en - b) + " bytes, the shape and dtype need " +
                     std::to_string(nbytes));
            t.begin = static_cast<std::size_t>(b);
            t.end = static_cast<std::size_t>(en);
            tensors_.push_back(std::move(t));
        }
        std::sort(tensors_.begin(), tensors_.end(), [](const TensorInfo& a, const TensorInfo& b) {
            return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
        });
        std::size_t last_end = 0;
        const TensorInfo* last = nullptr;
        for (const auto& t : tensors_) {
            if (t.begin == t.end) continue;  // empty tensors occupy no bytes
            if (last && t.begin < last_end) fail("tensors '" + last->name + "' and '" + t.name + "' overlap");
            last_end = t.end;
            last = &t;
        }
        for (std::size_t i = 0; i < tensors_.size(); ++i) by_name_.emplace(tensors_[i].name, i);
    }

    std::shared_ptr<Storage> storage_;
    std::string source_;
    std::size_t data_start_ = 0;
    std::vector<TensorInfo> tensors_;
    std::map<std::string, std::size_t, std::less<>> by_name_;
    std::map<std::string, std::string> metadata_;
};

/// A tensor to write: name, dtype, shape and its raw little-endian bytes.
struct TensorData {
    std::string name;
    DType dtype = DType::f32;
    std::vector<std::size_t> shape;
    std::vector<unsigned char> bytes;
};

/// float values as F32 bytes (little-endian).
inline std::vector<unsigned char> f32_bytes(std::span<const float> values) {
    std::vector<unsigned char> out(values.size() * 4);
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::uint32_t b;
        std::memcpy(&b, &values[i], 4);
        for (int k = 0; k < 4; ++k) out[4 * i + k] = static_cast<unsigned char>(b >> (8 * k));
    }
    return out;
}

/// The bytes of a safetensors file holding `tensors` (in the reference writer's layout: compact
/// JSON header with `__metadata__` first, padded with spaces to a multiple of 8 bytes, tensors
/// sorted by dtype alignment then name, contiguous). invalid_parameter on a byte count that does
/// not match the shape and dtype, or a repeated name.
inline std::vector<unsigned char> safetensors_bytes(std::vector<TensorData> tensors,
                                                    const std::map<std::string, std::string>& metadata = {}) {
    std::sort(tensors.begin(), tensors.end(), [](const TensorData& a, const TensorData& b) {
        const auto sa = dtype_size(a.dtype), sb = dtype_size(b.dtype);
        return sa != sb ? sa > sb : a.name < b.name;
    });
    std::string header = "{";
    if (!metadata.empty()) header += "\"__metadata__\":" + nlohmann::json(metadata).dump() + (tensors.empty() ? "" : ",");
    std::size_t offset = 0;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const auto& t = tensors[i];
        if (i > 0 && t.name == tensors[i - 1].name) throw invalid_parameter("tensor name", t.name, "unique names");
        std::size_t n = 1;
        for (auto d : t.shape) n *= d;
        if (n * dtype_size(t.dtype) != t.bytes.size())
            throw invalid_parameter("bytes of tensor '" + t.name + "'", t.bytes.size(), std::to_string(n * dtype_size(t.dtype)));
        nlohmann::json e;
        e["dtype"] = std::string(dtype_name(t.dtype));
        e["shape"] = t.shape;
        e["data_offsets"] = {offset, offset + t.bytes.size()};
        offset += t.bytes.size();
        if (i > 0) header += ',';
        header += nlohmann::json(t.name).dump();
        header += ':';
        header += e.dump();
    }
    header += '}';
    while (header.size() % 8 != 0) header += ' ';
    std::vector<unsigned char> out;
    out.reserve(8 + header.size() + offset);
    const std::uint64_t n = header.size();
    for (int k = 0; k < 8; ++k) out.push_back(static_cast<unsigned char>(n >> (8 * k)));
    out.insert(out.end(), header.begin(), header.end());
    for (const auto& t : tensors) out.insert(out.end(), t.bytes.begin(), t.bytes.end());
    return out;
}

/// Writes safetensors_bytes(tensors, metadata) to `path` (io_error when it cannot).
inline void save_safetensors(const std::filesystem::path& path, std::vector<TensorData> tensors,
                             const std::map<std::string, std::string>& metadata = {}) {
    const auto bytes = safetensors_bytes(std::move(tensors), metadata);
    std::ofstream out(path, std::ios::binary);
    if (!out) throw io_error(path.string(), "cannot open for writing");
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw io_error(path.string(), "write failed");
}

}  // namespace musiclab::nn
