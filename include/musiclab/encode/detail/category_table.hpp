// musiclab::detail category hashing for the target encoder: a byte-string hash, word loads
// without library calls, the open-addressing CategoryTable (32-byte slots with the first 16 key
// bytes inline), a prefetching row pipeline and 16-byte-prefix sort keys. Internal; the public
// API is encode/target_encoder.hpp.
#pragma once

#include "../../core/error.hpp"
#include "../../metrics/detail/text.hpp"

#include <algorithm>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace musiclab::detail {

/// The n <= 8 bytes at p as a little-endian word, zero-padded above byte n (memcpy of a
/// constant size only, so no library call on the hot path).
inline std::uint64_t load_partial(const char* p, std::size_t n) noexcept {
    if constexpr (std::endian::native == std::endian::little) {
        if (n >= 8) {
            std::uint64_t w;
            std::memcpy(&w, p, 8);
            return w;
        }
        if (n >= 4) {  // two overlapping 4-byte loads; the shared bytes agree
            std::uint32_t lo, hi;
            std::memcpy(&lo, p, 4);
            std::memcpy(&hi, p + n - 4, 4);
            return static_cast<std::uint64_t>(lo) | (static_cast<std::uint64_t>(hi) << (8 * (n - 4)));
        }
        if (n == 0) return 0;
        const auto b = [p](std::size_t i) { return static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])); };
        return b(0) | (b(n / 2) << (8 * (n / 2))) | (b(n - 1) << (8 * (n - 1)));
    } else {
        std::uint64_t w = 0;
        for (std::size_t i = 0; i < n && i < 8; ++i)
            w |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
        return w;
    }
}

/// 64-bit hash of a byte string: 8-byte words through multiply-xorshift rounds, then a final
/// avalanche. Not cryptographic; good spread for an open-addressing table.
inline std::uint64_t category_hash(std::string_view s) noexcept {
    constexpr std::uint64_t k1 = 0x9E3779B97F4A7C15ULL, k2 = 0xD6E8FEB86659FD93ULL;
    std::uint64_t h = (static_cast<std::uint64_t>(s.size()) + 1) * k1;
    const char* p = s.data();
    std::size_t n = s.size();
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * k2;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        h = (h ^ load_partial(p, n)) * k2;
        h ^= h >> 29;
    }
    h *= k1;
    h ^= h >> 32;
    return h;
}

/// The first min(n, 8) bytes of p as a big-endian word (zero-padded), so that comparing words
/// compares bytes lexicographically as unsigned chars.
inline std::uint64_t load_be_word(const char* p, std::size_t n) noexcept {
    const std::uint64_t w = load_partial(p, n < 8 ? n : 8);
    if constexpr (std::endian::native == std::endian::little) {
        return __builtin_bswap64(w);
    } else {
        // load_partial gives byte i at bits 8i; big-endian order wants byte 0 highest.
        std::uint64_t r = 0;
        for (int i = 0; i < 8; ++i) r |= ((w >> (8 * i)) & 0xff) << (8 * (7 - i));
        return r;
    }
}

/// a < b in byte order (= std::string_view's operator<), inlined for short strings.
inline bool bytes_less(std::string_view a, std::string_view b) noexcept {
    const std::size_t n = a.size() < b.size() ? a.size() : b.size();
    for (std::size_t i = 0; i < n; i += 8) {
        const std::size_t len = n - i < 8 ? n - i : 8;
        const std::uint64_t wa = load_be_word(a.data() + i, len), wb = load_be_word(b.data() + i, len);
        if (wa != wb) return wa < wb;
    }
    return a.size() < b.size();
}

/// A string to sort by bytes with its first 16 bytes held inline (big-endian words), so most
/// comparisons of short categories never touch the string itself.
struct SortKey {
    std::uint64_t w0 = 0, w1 = 0;
    const char* data = nullptr;
    std::uint32_t length = 0;
    std::uint32_t code = 0;

    SortKey() = default;
    SortKey(std::string_view s, std::uint32_t c) noexcept
        : w0(load_be_word(s.data(), s.size())),
          w1(s.size() > 8 ? load_be_word(s.data() + 8, s.size() - 8) : 0),
          data(s.data()),
          length(static_cast<std::uint32_t>(s.size())),
          code(c) {}

    friend bool operator<(const SortKey& a, const SortKey& b) noexcept {
        if (a.w0 != b.w0) return a.w0 < b.w0;
        if (a.w1 != b.w1) return a.w1 < b.w1;
        // The first min(length, 16) bytes agree (zero padding included): a string of <= 16 bytes
        // is then a prefix of the other.
        if (a.length <= 16 || b.length <= 16) return a.length < b.length;
        return bytes_less(std::string_view(a.data + 16, a.length - 16), std::string_view(b.data + 16, b.length - 16));
    }
};

/// Equality of n bytes, inlined for short strings.
inline bool bytes_equal(const char* a, const char* b, std::size_t n) noexcept {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t wa, wb;
        std::memcpy(&wa, a + i, 8);
        std::memcpy(&wb, b + i, 8);
        if (wa != wb) return false;
    }
    for (; i < n; ++i)
        if (a[i] != b[i]) return false;
    return true;
}

/// Asks Linux to back [data, data + bytes) with transparent huge pages (only whole 2 MiB pages
/// inside the range, and only for ranges of at least 4 MiB). A hint: no effect elsewhere.
inline void advise_huge_pages([[maybe_unused]] void* data, [[maybe_unused]] std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
    if (bytes < 2 * huge) return;
    const auto begin = (reinterpret_cast<std::uintptr_t>(data) + huge - 1) & ~(huge - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(huge - 1);
    if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#endif
}

inline void prefetch(const void* p) noexcept {
#if defined(__GNUC__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

template <class C>
concept HasMissing = requires(const C& c, std::size_t i) {
    { c.is_missing(i) } -> std::convertible_to<bool>;
};

template <class C>
bool cell_missing(const C& c, std::size_t i) {
    if constexpr (HasMissing<C>) {
        return c.is_missing(i);
    } else {
        (void)c;
        (void)i;
        return false;
    }
}

/// Up to 8 bytes of p (n of them, zero-padded) as a native word, for equality tests.
inline std::uint64_t load_word(const char* p, std::size_t n) noexcept { return load_partial(p, n < 8 ? n : 8); }

/// Open-addressing (linear probing, load <= 1/2) index of byte strings held in its own arena.
/// A 32-byte slot holds the full hash, the length, the code and the key's first 16 bytes (or its
/// first 8 bytes and the arena offset of a longer key), so looking up a key of <= 16 bytes touches
/// exactly one slot. Copyable (offsets, not pointers).
struct CategoryTable {
    struct Slot {
        std::uint64_t hash = 0;
        std::uint32_t length = 0;
        std::uint32_t code_plus1 = 0;  // 0 = empty
        std::uint64_t head = 0;        // bytes 0..7 of the key, zero-padded
        std::uint64_t tail = 0;        // bytes 8..15 (length <= 16) or the arena offset of the key
    };
    std::vector<Slot> slots;
    std::string arena;
    std::size_t mask = 0;
    std::size_t size = 0;

    void reset(std::size_t capacity) {
        // A fresh, untouched block, backed by transparent huge pages when large: lookups hit
        // random slots, and 4 KiB pages would cost a TLB miss on nearly every one.
        std::vector<Slot> fresh;
        fresh.reserve(capacity);
        advise_huge_pages(fresh.data(), capacity * sizeof(Slot));
        fresh.resize(capacity);
        slots.swap(fresh);
        mask = capacity - 1;
        size = 0;
    }
    void prefetch_slot(std::uint64_t h) const noexcept { detail::prefetch(&slots[h & mask]); }
    bool matches(const Slot& s, std::string_view key, std::uint64_t h) const noexcept {
        if (s.hash != h || s.length != key.size() || s.head != load_word(key.data(), key.size())) return false;
        if (key.size() <= 8) return true;
        if (key.size() <= 16) return s.tail == load_word(key.data() + 8, key.size() - 8);
        return bytes_equal(arena.data() + s.tail + 8, key.data() + 8, key.size() - 8);
    }
    /// Code of `key`, or -1.
    std::int64_t find(std::string_view key, std::uint64_t h) const noexcept {
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            const Slot& s = slots[i];
            if (s.code_plus1 == 0) return -1;
            if (matches(s, key, h)) return static_cast<std::int64_t>(s.code_plus1) - 1;
        }
    }
    static Slot make_slot(std::uint64_t h, std::string_view key, std::uint64_t offset, std::uint32_t code) noexcept {
        Slot s;
        s.hash = h;
        s.length = static_cast<std::uint32_t>(key.size());
        s.code_plus1 = code + 1;
        s.head = load_word(key.data(), key.size());
        s.tail = key.size() <= 16 ? (key.size() > 8 ? load_word(key.data() + 8, key.size() - 8) : 0) : offset;
        return s;
    }
    /// Places `key`, stored in the arena at `offset`, with `code` (no duplicate check; the
    /// capacity must suffice).
    void place(std::uint64_t h, std::string_view key, std::uint64_t offset, std::uint32_t code) {
        std::size_t i = h & mask;
        while (slots[i].code_plus1 != 0) i = (i + 1) & mask;
        slots[i] = make_slot(h, key, offset, code);
        ++size;
    }
};

/// Runs probe(row, key, hash) for rows [begin, end) of a column in order, hashing each row
/// `lookahead` rows before probing it and prefetching its slot, so the cache misses of a large
/// table overlap. Missing cells are reported with hash 0 and `missing` = true.
template <class Column, class Table, class Probe>
void pipelined_probe(const Column& column, std::size_t begin, std::size_t end, const Table& table, Probe&& probe) {
    constexpr std::size_t lookahead = 16, ring = 32;  // ring > lookahead, a power of two
    std::string_view keys[ring];
    std::uint64_t hashes[ring];
    bool missing[ring];
    const auto stage = [&](std::size_t row) {
        const std::size_t r = row & (ring - 1);
        missing[r] = cell_missing(column, row);
        keys[r] = std::string_view(column[row]);
        hashes[r] = category_hash(keys[r]);
        table.prefetch_slot(hashes[r]);
    };
    const std::size_t warm = std::min(end, begin + lookahead);
    for (std::size_t row = begin; row < warm; ++row) stage(row);
    for (std::size_t row = begin; row < end; ++row) {
        if (row + lookahead < end) stage(row + lookahead);
        const std::size_t r = row & (ring - 1);
        probe(row, keys[r], hashes[r], missing[r]);
    }
}

}  // namespace musiclab::detail
