// musiclab::preprocess::FeatureHasher — the hashing trick, identical to scikit-learn 1.2's
// sklearn.feature_extraction.FeatureHasher (same indices, signs, duplicate sums and stored
// entries), plus MurmurHash3 (x86, 32-bit) identical to sklearn.utils.murmurhash3_32.
//
// Each sample is a range of features; what a feature is decides sklearn's input_type:
//   - "string": an element convertible to std::string_view, e.g. std::vector<std::string>;
//     the feature is the string with value 1.
//   - "pair": a pair-like (key, value) element with an arithmetic value, e.g.
//     std::vector<std::pair<std::string, double>>; a value of 0 is skipped.
//   - "dict": a (key, value) element whose value is a string (the feature "key=value" gets value
//     1) or a number (as "pair"), or a std::variant of the two (DictValue), e.g.
//     std::map<std::string, DictValue> or std::vector<std::pair<std::string, DictValue>>.
//     Keys need not be unique (sklearn dicts are; duplicates would simply be summed).
//
// index = |h| mod n_features and sign = sign(h) for h = murmurhash3_32(utf8 bytes, seed 0),
// with h == INT32_MIN mapped to (INT32_MAX - (n_features - 1)) mod n_features as in sklearn.
// Duplicate indices in a row are summed in the order scipy's csr_matrix.sum_duplicates() uses
// (see docs/preprocess.md), and entries that cancel to 0 stay stored as explicit zeros, exactly
// like sklearn's output (so nnz agrees too).
//
// Thread safety: FeatureHasher is stateless apart from its options; transform is const and may be
// called concurrently.
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"

#include <Eigen/SparseCore>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <ranges>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace musiclab::preprocess {

/// MurmurHash3_x86_32 of the bytes of `key` (give UTF-8) with `seed`, as an unsigned value
/// (sklearn murmurhash3_32(key, seed, positive=True)). O(len). Thread-safe.
constexpr std::uint32_t murmurhash3_32_positive(std::string_view key, std::uint32_t seed = 0) noexcept;
/// The same hash reinterpreted as signed (sklearn murmurhash3_32(key, seed), the default).
constexpr std::int32_t murmurhash3_32(std::string_view key, std::uint32_t seed = 0) noexcept;
/// Hash of a 32-bit integer key: its 4 little-endian bytes (sklearn murmurhash3_32(int, ...)
/// on x86), unsigned.
constexpr std::uint32_t murmurhash3_32_positive(std::int32_t key, std::uint32_t seed = 0) noexcept;
/// Hash of a 32-bit integer key, signed.
constexpr std::int32_t murmurhash3_32(std::int32_t key, std::uint32_t seed = 0) noexcept;

/// A "dict" feature value: a number (used as the value) or a string (feature "key=value", 1).
using DictValue = std::variant<double, std::string>;

/// Options of FeatureHasher. Defaults are scikit-learn's.
struct FeatureHasherOptions {
    /// Output columns, in [1, 2^31 - 1] (default 2^20).
    std::int64_t n_features = std::int64_t{1} << 20;
    /// Multiply each value by the sign of its hash so collisions cancel in expectation
    /// (default true).
    bool alternate_sign = true;
    /// Worker threads over samples when the sample range is random-access (default 1; 0 = all).
    /// Output does not depend on it.
    int num_threads = 1;
};

/// Hashes variable-length feature lists into a fixed number of columns (see the file comment).
/// transform: O(total features) hashing + O(r log r) sorting per row of r features when some row
/// has out-of-order indices; memory O(total features).
class FeatureHasher {
public:
    using SparseMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor>;

    /// Validates the options (invalid_parameter for n_features or num_threads out of range).
    explicit FeatureHasher(const FeatureHasherOptions& options = {});

    /// One row per sample of `samples` (an input range of feature ranges), n_features columns,
    /// sorted column indices, duplicates summed, explicit zeros kept where values cancelled.
    /// Throws invalid_parameter for zero samples (as sklearn: "Cannot vectorize empty
    /// sequence") or more than INT32_MAX stored entries.
    template <std::ranges::input_range Samples>
    SparseMatrix transform(const Samples& samples) const;

    const FeatureHasherOptions& options() const noexcept { return options_; }

private:
    FeatureHasherOptions options_;
};

/// One-call form: FeatureHasher(options).transform(samples).
template <std::ranges::input_range Samples>
FeatureHasher::SparseMatrix hash_features(const Samples& samples, const FeatureHasherOptions& options = {}) {
    return FeatureHasher(options).transform(samples);
}

}  // namespace musiclab::preprocess

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::detail {

constexpr std::uint32_t rotl32(std::uint32_t x, int r) noexcept { return (x << r) | (x >> (32 - r)); }

constexpr std::uint32_t murmur_mix_key(std::uint32_t k) noexcept {
    k *= 0xcc9e2d51u;
    k = rotl32(k, 15);
    return k * 0x1b873593u;
}

/// MurmurHash3_x86_32 (Austin Appleby's public-domain design) of the bytes of `key`, blocks read
/// little-endian whatever the platform.
constexpr std::uint32_t murmurhash3_x86_32(std::string_view key, std::uint32_t seed) noexcept {
    const auto byte = [&](std::size_t i) { return std::uint32_t{static_cast<unsigned char>(key[i])}; };
    const std::size_t len = key.size();
    std::uint32_t h = seed;
    const std::size_t blocks = len / 4;
    for (std::size_t b = 0; b < blocks; ++b) {
        const std::size_t p = 4 * b;
        const std::uint32_t k = byte(p) | (byte(p + 1) << 8) | (byte(p + 2) << 16) | (byte(p + 3) << 24);
        h ^= murmur_mix_key(k);
        h = rotl32(h, 13);
        h = h * 5u + 0xe6546b64u;
    }
    const std::size_t tail = 4 * blocks;
    std::uint32_t k = 0;
    switch (len & 3u) {
        case 3: k ^= byte(tail + 2) << 16; [[fallthrough]];
        case 2: k ^= byte(tail + 1) << 8; [[fallthrough]];
        case 1:
            k ^= byte(tail);
            h ^= murmur_mix_key(k);
            break;
        default: break;
    }
    h ^= static_cast<std::uint32_t>(len);
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

template <class T>
concept StringLike = std::is_convertible_v<const T&, std::string_view>;

template <class T>
concept PairLike = requires { typename std::tuple_size<std::remove_cvref_t<T>>::type; } &&
                   std::tuple_size_v<std::remove_cvref_t<T>> == 2;

template <class T>
struct is_variant : std::false_type {};
template <class... Ts>
struct is_variant<std::variant<Ts...>> : std::true_type {};

/// Per-worker accumulation of hashed (index, value) entries in CSR order.
struct HashedRows {
    std::vector<std::int32_t> indices;
    std::vector<double> values;
    std::vector<std::size_t> row_ends;  // end of each row in indices/values
    std::string buffer;                  // "key=value" scratch
};

class FeatureHashing {
public:
    FeatureHashing(std::int64_t n_features, bool alternate_sign) noexcept
        : n_features_(n_features), alternate_sign_(alternate_sign) {}

    void add(HashedRows& rows, std::string_view feature, double value) const {
        if (value == 0) return;  // sklearn skips zero values (strings always count 1)
        const std::int32_t h = static_cast<std::int32_t>(murmurhash3_x86_32(feature, 0));
        std::int64_t index;
        if (h == std::numeric_limits<std::int32_t>::min()) {
            index = (std::int64_t{2147483647} - (n_features_ - 1)) % n_features_;
        } else {
            index = (h < 0 ? -std::int64_t{h} : std::int64_t{h}) % n_features_;
        }
        if (alternate_sign_) value *= (h >= 0) ? 1.0 : -1.0;
        rows.indices.push_back(static_cast<std::int32_t>(index));
        rows.values.push_back(value);
    }

    void add_string_value(HashedRows& rows, std::string_view key, std::string_view value) const {
        rows.buffer.assign(key);
        rows.buffer += '=';
        rows.buffer += value;
        add(rows, rows.buffer, 1.0);
    }

    template <class Feature>
    void add_feature(HashedRows& rows, const Feature& f) const {
        if constexpr (StringLike<Feature>) {
            add(rows, std::string_view(f), 1.0);
        } else if constexpr (PairLike<Feature>) {
            const auto& key = std::get<0>(f);
            const auto& value = std::get<1>(f);
            static_assert(StringLike<std::remove_cvref_t<decltype(key)>>,
                          "FeatureHasher: a (key, value) feature needs a string key");
            add_value(rows, std::string_view(key), value);
        } else {
            static_assert(StringLike<Feature>,
                          "FeatureHasher: a feature must be a string or a (string, number / string / "
                          "variant) pair");
        }
    }

    template <class Sample>
    void add_sample(HashedRows& rows, const Sample& sample) const {
        static_assert(!StringLike<Sample>,
                      "FeatureHasher: a sample must be a range of features, not a single string "
                      "(sklearn: 'Samples can not be a single string')");
        for (const auto& f : sample) add_feature(rows, f);
        rows.row_ends.push_back(rows.indices.size());
    }

private:
    template <class Value>
    void add_value(HashedRows& rows, std::string_view key, const Value& value) const {
        using V = std::remove_cvref_t<Value>;
        if constexpr (is_variant<V>::value) {
            std::visit([&](const auto& v) { add_value(rows, key, v); }, value);
        } else if constexpr (StringLike<V>) {
            add_string_value(rows, key, std::string_view(value));
        } else if constexpr (std::is_arithmetic_v<V>) {
            add(rows, key, static_cast<double>(value));
        } else {
            static_assert(std::is_arithmetic_v<V>, "FeatureHasher: a feature value must be a number or a string");
        }
    }

    std::int64_t n_features_;
    bool alternate_sign_;
};

}  // namespace musiclab::detail

namespace musiclab::preprocess {

constexpr std::uint32_t murmurhash3_32_positive(std::string_view key, std::uint32_t seed) noexcept {
    return detail::murmurhash3_x86_32(key, seed);
}
constexpr std::int32_t murmurhash3_32(std::string_view key, std::uint32_t seed) noexcept {
    return static_cast<std::int32_t>(murmurhash3_32_positive(key, seed));
}
constexpr std::uint32_t murmurhash3_32_positive(std::int32_t key, std::uint32_t seed) noexcept {
    const auto u = static_cast<std::uint32_t>(key);
    const char bytes[4] = {static_cast<char>(u & 0xffu), static_cast<char>((u >> 8) & 0xffu),
                           static_cast<char>((u >> 16) & 0xffu), static_cast<char>((u >> 24) & 0xffu)};
    return detail::murmurhash3_x86_32(std::string_view(bytes, 4), seed);
}
constexpr std::int32_t murmurhash3_32(std::int32_t key, std::uint32_t seed) noexcept {
    return static_cast<std::int32_t>(murmurhash3_32_positive(key, seed));
}

inline FeatureHasher::FeatureHasher(const FeatureHasherOptions& options) : options_(options) {
    if (options.n_features < 1 || options.n_features > std::numeric_limits<std::int32_t>::max())
        throw invalid_parameter("n_features", options.n_features, "[1, 2147483647]");
    resolve_threads(options.num_threads);
}

template <std::ranges::input_range Samples>
FeatureHasher::SparseMatrix FeatureHasher::transform(const Samples& samples) const {
    const detail::FeatureHashing hashing(options_.n_features, options_.alternate_sign);
    std::vector<detail::HashedRows> parts;
    if constexpr (std::ranges::random_access_range<const Samples> && std::ranges::sized_range<const Samples>) {
        const auto n = static_cast<std::size_t>(std::ranges::size(samples));
        const int workers = std::max(1, std::min(resolve_threads(options_.num_threads), static_cast<int>(std::min<std::size_t>(n, 1u << 20))));
        parts.resize(static_cast<std::size_t>(workers));
        parallelize(workers, n, [&](int w, std::size_t start, std::size_t length) {
            auto& part = parts[static_cast<std::size_t>(w)];
            const auto first = std::ranges::begin(samples);
            for (std::size_t i = start; i < start + length; ++i)
                hashing.add_sample(part, first[static_cast<std::ranges::range_difference_t<const Samples>>(i)]);
        });
    } else {
        parts.resize(1);
        for (const auto& sample : samples) hashing.add_sample(parts[0], sample);
    }

    // Concatenate the parts (in worker = row order) into CSR arrays.
    std::size_t n_rows = 0, total = 0;
    for (const auto& p : parts) {
        n_rows += p.row_ends.size();
        total += p.indices.size();
    }
    if (n_rows == 0) throw invalid_parameter("samples", "an empty sequence", ">= 1 sample (cannot vectorize)");
    std::vector<std::size_t> row_ptr(n_rows + 1, 0);
    std::vector<std::int32_t> indices;
    std::vector<double> values;
    indices.reserve(total);
    values.reserve(total);
    {
        std::size_t r = 0;
        for (auto& p : parts) {
            const std::size_t base = indices.size();
            for (auto e : p.row_ends) row_ptr[++r] = base + e;
            indices.insert(indices.end(), p.indices.begin(), p.indices.end());
            values.insert(values.end(), p.values.begin(), p.values.end());
            p = detail::HashedRows{};
        }
    }

    // scipy csr_matrix.sum_duplicates(): when any row has a decreasing index pair, every row is
    // sorted with std::sort on (index, value) pairs comparing the index only (csr_sort_indices);
    // then equal indices are summed left to right (csr_sum_duplicates). Zero sums stay stored.
    bool sorted = true;
    for (std::size_t i = 0; i < n_rows && sorted; ++i)
        for (std::size_t p = row_ptr[i]; p + 1 < row_ptr[i + 1]; ++p)
            if (indices[p] > indices[p + 1]) {
                sorted = false;
                break;
            }
    std::vector<std::size_t> out_ptr(n_rows + 1, 0);
    std::vector<std::size_t> row_nnz(n_rows, 0);
    parallelize(resolve_threads(options_.num_threads), n_rows, [&](int, std::size_t start, std::size_t length) {
        std::vector<std::pair<std::int32_t, double>> temp;
        for (std::size_t i = start; i < start + length; ++i) {
            const std::size_t b = row_ptr[i], e = row_ptr[i + 1];
            if (!sorted) {
                temp.resize(e - b);
                for (std::size_t p = b; p < e; ++p) temp[p - b] = {indices[p], values[p]};
                std::sort(temp.begin(), temp.end(),
                          [](const std::pair<std::int32_t, double>& x, const std::pair<std::int32_t, double>& y) {
                              return x.first < y.first;
                          });
                for (std::size_t p = b; p < e; ++p) {
                    indices[p] = temp[p - b].first;
                    values[p] = temp[p - b].second;
                }
            }
            std::size_t out = b;  // compact in place within the row's own range
            for (std::size_t p = b; p < e;) {
                const std::int32_t j = indices[p];
                double x = values[p++];
                while (p < e && indices[p] == j) x += values[p++];
                indices[out] = j;
                values[out] = x;
                ++out;
            }
            row_nnz[i] = out - b;
        }
    });
    for (std::size_t i = 0; i < n_rows; ++i) out_ptr[i + 1] = out_ptr[i] + row_nnz[i];
    const std::size_t nnz = out_ptr[n_rows];
    if (nnz > static_cast<std::size_t>(std::numeric_limits<SparseMatrix::StorageIndex>::max()))
        throw invalid_parameter("samples", std::to_string(nnz) + " stored entries", "at most 2147483647");

    SparseMatrix out(static_cast<Eigen::Index>(n_rows), static_cast<Eigen::Index>(options_.n_features));
    out.resizeNonZeros(static_cast<Eigen::Index>(nnz));
    auto* outer = out.outerIndexPtr();
    auto* inner = out.innerIndexPtr();
    double* vals = out.valuePtr();
    outer[0] = 0;
    for (std::size_t i = 0; i < n_rows; ++i) {
        std::copy_n(indices.begin() + static_cast<std::ptrdiff_t>(row_ptr[i]), row_nnz[i], inner + out_ptr[i]);
        std::copy_n(values.begin() + static_cast<std::ptrdiff_t>(row_ptr[i]), row_nnz[i], vals + out_ptr[i]);
        outer[i + 1] = static_cast<SparseMatrix::StorageIndex>(out_ptr[i + 1]);
    }
    return out;
}

}  // namespace musiclab::preprocess
