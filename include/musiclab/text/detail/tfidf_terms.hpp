// Term storage of musiclab/text/tfidf.hpp: a fast byte-string hash and an open-addressing map
// from term to dense id in insertion order, terms kept in one byte arena. Internal.
#pragma once

#include "../../core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace musiclab::detail::tfidf {

/// A fast 64-bit hash of a byte string (8-byte blocks, multiply-xorshift mixing).
inline std::uint64_t hash_bytes(std::string_view s) noexcept {
    const char* p = s.data();
    const std::size_t n = s.size();
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xFF51AFD7ED558CCDull);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    }
    std::uint64_t w = 0;
    if (i < n) std::memcpy(&w, p + i, n - i);
    h = (h ^ w) * 0x94D049BB133111EBull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return h;
}

/// Open-addressing (linear probing) map from term to a dense id 0, 1, ... in insertion order;
/// the terms live in one byte arena. Load factor <= 1/2. Lookups are const and thread-safe.
class TermTable {
public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;
    std::size_t size() const noexcept { return ends_.size() - 1; }
    std::string_view term(std::size_t id) const noexcept {
        return std::string_view(arena_.data() + ends_[id], ends_[id + 1] - ends_[id]);
    }
    std::uint32_t find(std::string_view t) const noexcept {
        if (slots_.empty()) return npos;
        const std::uint64_t h = hash_bytes(t);
        const auto tag = static_cast<std::uint32_t>(h >> 32);
        for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
            const Slot& sl = slots_[i];
            if (sl.id == npos) return npos;
            if (sl.tag == tag && term(sl.id) == t) return sl.id;
        }
    }
    /// Makes room for `n` terms in total without rehashing.
    void reserve(std::size_t n) {
        while (n * 2 > slots_.size()) grow();
        hashes_.reserve(n);
        ends_.reserve(n + 1);
    }
    /// The id of t, inserting it (next id) when absent.
    std::uint32_t insert(std::string_view t) {
        if ((size() + 1) * 2 > slots_.size()) grow();
        const std::uint64_t h = hash_bytes(t);
        const auto tag = static_cast<std::uint32_t>(h >> 32);
        for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
            Slot& sl = slots_[i];
            if (sl.id == npos) {
                if (size() >= npos - 1) throw musiclab::error("tfidf: more than 2^32-2 distinct terms");
                sl.id = static_cast<std::uint32_t>(size());
                sl.tag = tag;
                arena_.append(t);
                ends_.push_back(arena_.size());
                hashes_.push_back(h);
                return sl.id;
            }
            if (sl.tag == tag && term(sl.id) == t) return sl.id;
        }
    }

private:
    struct Slot {
        std::uint32_t id = npos, tag = 0;
    };
    void grow() {
        const std::size_t cap = slots_.empty() ? 1024 : slots_.size() * 2;
        std::vector<Slot> fresh(cap);
        mask_ = cap - 1;
        for (const Slot& sl : slots_) {
            if (sl.id == npos) continue;
            std::size_t i = hashes_[sl.id] & mask_;
            while (fresh[i].id != npos) i = (i + 1) & mask_;
            fresh[i] = sl;
        }
        slots_.swap(fresh);
    }
    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    std::string arena_;
    std::vector<std::size_t> ends_{0};
    std::vector<std::uint64_t> hashes_;  // by id, for rehashing
};

}  // namespace musiclab::detail::tfidf
