// Term storage of musiclab/text/tfidf.hpp: a fast byte-string hash, an open-addressing map from
// term to dense id in insertion order (terms kept in one byte arena), and a table of word n-grams
// keyed by (prefix n-gram, last token) ids. Internal.
#pragma once

#include "../../core/error.hpp"

#include <bit>
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

/// Terms by dense id, stored in one byte arena.
class TermList {
public:
    std::size_t size() const noexcept { return ends_.size() - 1; }
    std::string_view term(std::size_t id) const noexcept {
        return std::string_view(arena_.data() + ends_[id], ends_[id + 1] - ends_[id]);
    }
    void reserve(std::size_t n) { ends_.reserve(n + 1); }
    /// Appends a term (id = the previous size()).
    void push_back(std::string_view t) {
        arena_.append(t);
        ends_.push_back(arena_.size());
    }
    /// Starts a term built piecewise with append(); finish() closes it.
    void append(std::string_view piece) { arena_.append(piece); }
    void finish() { ends_.push_back(arena_.size()); }

private:
    std::string arena_;
    std::vector<std::size_t> ends_{0};
};

/// Open-addressing (linear probing) map from term to a dense id 0, 1, ... in insertion order;
/// the terms live in one byte arena. Load factor <= 1/2. Lookups are const and thread-safe.
class TermTable {
public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;
    std::size_t size() const noexcept { return terms_.size(); }
    std::string_view term(std::size_t id) const noexcept { return terms_.term(id); }
    const TermList& terms() const noexcept { return terms_; }
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
        terms_.reserve(n);
    }
    /// The id of t, inserting it (next id) when absent.
    std::uint32_t insert(std::string_view t) { return insert(t, hash_bytes(t)); }
    /// Appends terms known to be absent and pairwise distinct (ids size(), size() + 1, ...):
    /// no comparisons, table slots prefetched ahead. O(total length).
    template <class Terms>
    void append_distinct(const Terms& terms) {
        const std::size_t n = std::size(terms);
        reserve(size() + n);
        std::vector<std::uint64_t> h(n);
        for (std::size_t i = 0; i < n; ++i) h[i] = hash_bytes(terms[i]);
        constexpr std::size_t ahead = 16;
        for (std::size_t i = 0; i < n; ++i) {
            if (i + ahead < n) prefetch(h[i + ahead]);
            std::size_t k = h[i] & mask_;
            while (slots_[k].id != npos) k = (k + 1) & mask_;
            slots_[k].id = static_cast<std::uint32_t>(size());
            slots_[k].tag = static_cast<std::uint32_t>(h[i] >> 32);
            terms_.push_back(terms[i]);
            hashes_.push_back(h[i]);
        }
    }
    /// Hints the cache that a lookup of a term with hash h follows.
    void prefetch(std::uint64_t h) const noexcept {
        if (!slots_.empty()) __builtin_prefetch(&slots_[h & mask_]);
    }
    /// insert(t) with h = hash_bytes(t) computed by the caller.
    std::uint32_t insert(std::string_view t, std::uint64_t h) {
        if ((size() + 1) * 2 > slots_.size()) grow();
        const auto tag = static_cast<std::uint32_t>(h >> 32);
        for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
            Slot& sl = slots_[i];
            if (sl.id == npos) {
                if (size() >= npos - 1) throw musiclab::error("tfidf: more than 2^32-2 distinct terms");
                sl.id = static_cast<std::uint32_t>(size());
                sl.tag = tag;
                terms_.push_back(t);
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
    TermList terms_;
    std::vector<std::uint64_t> hashes_;  // by id, for rehashing
};

/// Word n-grams of lengths [lo, hi] as chains of token ids, for fitting with ngram_max >= 2: a
/// gram of length k >= 2 is the pair (its (k-1)-gram prefix, its last token), looked up by one
/// 64-bit key instead of building, hashing and comparing the joined string; strings are made once
/// per distinct term at the end (terms()). Grams shorter than lo exist only as prefixes. Term ids
/// (grams of length lo..hi) are dense in first-seen order.
class GramTable {
public:
    static constexpr std::uint32_t npos = TermTable::npos;

    GramTable(std::size_t lo, std::size_t hi) : lo_(lo), hi_(hi) {}
    std::size_t min_length() const noexcept { return lo_; }
    std::size_t max_length() const noexcept { return hi_; }
    /// Number of terms (grams of length lo..hi).
    std::size_t size() const noexcept { return term_gram_.size(); }

    /// A gram and its term id (npos when its length is below lo).
    struct Ref {
        std::uint32_t gram = npos, term = npos;
    };

    /// The token id of t (inserting); h = hash_bytes(t).
    std::uint32_t token(std::string_view t, std::uint64_t h) {
        const std::uint32_t id = tokens_.insert(t, h);
        if (id == unigram_.size()) unigram_.emplace_back();
        return id;
    }
    /// The one-token gram `tok` (inserting).
    Ref unigram(std::uint32_t tok) {
        Ref& r = unigram_[tok];
        if (r.gram == npos) r = add(npos, tok, 1);
        return r;
    }
    /// Hints the cache that token(t, h) follows.
    void prefetch_token(std::uint64_t h) const noexcept { tokens_.prefetch(h); }
    /// Hints the cache that extend(prefix, tok) follows.
    void prefetch_extend(std::uint32_t prefix, std::uint32_t tok) const noexcept {
        if (!slots_.empty()) __builtin_prefetch(&slots_[slot_of((std::uint64_t{prefix} << 32) | tok)]);
    }
    /// The gram `prefix` followed by token `tok` (inserting).
    Ref extend(std::uint32_t prefix, std::uint32_t tok) {
        if ((grams() + 1) * 2 > slots_.size()) grow();
        const std::uint64_t key = (std::uint64_t{prefix} << 32) | tok;
        for (std::size_t i = slot_of(key);; i = (i + 1) & mask_) {
            PairSlot& sl = slots_[i];
            if (sl.ref.gram == npos) {
                sl.key = key;
                sl.ref = add(prefix, tok, length_[prefix] + 1u);
                return sl.ref;
            }
            if (sl.key == key) return sl.ref;
        }
    }

    /// Term id -> local term id map after absorbing `other`'s grams into this table (ids of this
    /// table are kept; new grams get the next ids, in other's id order).
    std::vector<std::uint32_t> absorb(const GramTable& other) {
        std::vector<std::uint32_t> tok(other.tokens_.size()), gram(other.grams()), term(other.size());
        for (std::size_t t = 0; t < tok.size(); ++t) tok[t] = token(other.tokens_.term(t), hash_bytes(other.tokens_.term(t)));
        for (std::size_t g = 0; g < gram.size(); ++g) {
            const std::uint32_t p = other.prefix_[g], last = tok[other.last_[g]];
            const Ref r = p == npos ? unigram(last) : extend(gram[p], last);
            gram[g] = r.gram;
            if (other.term_[g] != npos) term[other.term_[g]] = r.term;
        }
        return term;
    }

    /// The terms as strings (tokens joined by one space), by term id.
    TermList terms() const {
        TermList out;
        out.reserve(size());
        std::vector<std::uint32_t> chain;
        for (const std::uint32_t g0 : term_gram_) {
            chain.clear();
            for (std::uint32_t g = g0; g != npos; g = prefix_[g]) chain.push_back(last_[g]);
            for (std::size_t k = chain.size(); k-- > 0;) {
                out.append(tokens_.term(chain[k]));
                if (k != 0) out.append(" ");
            }
            out.finish();
        }
        return out;
    }

private:
    struct PairSlot {
        std::uint64_t key = 0;
        Ref ref;
    };
    std::size_t grams() const noexcept { return prefix_.size(); }
    std::size_t slot_of(std::uint64_t key) const noexcept {
        return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
    }
    Ref add(std::uint32_t prefix, std::uint32_t tok, std::uint32_t length) {
        if (grams() >= npos - 1) throw musiclab::error("tfidf: more than 2^32-2 distinct n-grams");
        const auto g = static_cast<std::uint32_t>(grams());
        prefix_.push_back(prefix);
        last_.push_back(tok);
        length_.push_back(length);
        if (length >= lo_ && length <= hi_) {
            term_.push_back(static_cast<std::uint32_t>(term_gram_.size()));
            term_gram_.push_back(g);
        } else {
            term_.push_back(npos);
        }
        return {g, term_.back()};
    }
    void grow() {
        const std::size_t cap = slots_.empty() ? 1024 : slots_.size() * 2;
        std::vector<PairSlot> fresh(cap);
        mask_ = cap - 1;
        shift_ = 64 - static_cast<unsigned>(std::countr_zero(cap));
        for (const PairSlot& sl : slots_) {
            if (sl.ref.gram == npos) continue;
            std::size_t i = slot_of(sl.key);
            while (fresh[i].ref.gram != npos) i = (i + 1) & mask_;
            fresh[i] = sl;
        }
        slots_.swap(fresh);
    }

    std::size_t lo_, hi_;
    TermTable tokens_;
    std::vector<Ref> unigram_;                                  // token id -> its 1-gram (gram npos: none yet)
    std::vector<std::uint32_t> prefix_, last_, length_, term_;  // by gram id
    std::vector<std::uint32_t> term_gram_;                      // term id -> gram id
    std::vector<PairSlot> slots_;                               // (prefix, last token) -> gram id
    std::size_t mask_ = 0;
    unsigned shift_ = 64;
};

}  // namespace musiclab::detail::tfidf
