// VADER lexicon- and rule-based sentiment scores, exact to the reference implementation
// cjhutto/vaderSentiment 3.3.1 (vaderSentiment.py at 44fc044): the same neg/neu/pos/compound
// for every text, to the last bit of the unrounded values and therefore also after Python's
// round(). docs/vader.md lists the rules, the reference's quirks that are reproduced on purpose,
// and how parity was shown.
//
//   musiclab::text::VaderAnalyzer vader("../shared/data/vader");  // the folder with both lexicons
//   const auto s = vader.polarity_scores("VADER is VERY SMART, handsome, and FUNNY!!!");
//   // s.compound == 0.9342, s.pos == 0.767, s.neu == 0.233, s.neg == 0.0
//
// Input text is UTF-8. Bytes that are not valid UTF-8 are decoded as Python's
// `text.decode("utf-8", errors="replace")` does (each maximal invalid subpart becomes U+FFFD), so
// every byte string has a defined result: the reference's scores of that decoded string.
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "detail/python_unicode.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <queue>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Parity needs plain IEEE double operations in the reference's order: a compiler that fused
// a * b + c into one FMA (GCC does with -mfma/-march=native unless contraction is off) would
// change the last bit. The functions that compute scores are compiled with contraction off:
// MUSICLAB_VADER_FP_EXACT on each (GCC; only on them, because GCC does not inline functions with
// other optimisation options into them, which cost the tokenizer ~4 %), and
// MUSICLAB_VADER_NO_FP_CONTRACT in their bodies (clang).
#if defined(__clang__)
#define MUSICLAB_VADER_NO_FP_CONTRACT _Pragma("clang fp contract(off)")
#define MUSICLAB_VADER_FP_EXACT
#elif defined(__GNUC__)
#define MUSICLAB_VADER_NO_FP_CONTRACT
#define MUSICLAB_VADER_FP_EXACT [[gnu::optimize("fp-contract=off")]]
#else
#define MUSICLAB_VADER_NO_FP_CONTRACT
#define MUSICLAB_VADER_FP_EXACT
#endif
// The per-word steps of the hot loops, inlined into them (GCC stops inlining them once the
// tokenizer grows, and the call costs ~20 instructions per word).
#if defined(__GNUC__)
#define MUSICLAB_VADER_INLINE [[gnu::always_inline]] inline
#define MUSICLAB_VADER_LAMBDA_INLINE __attribute__((always_inline))
#else
#define MUSICLAB_VADER_INLINE inline
#define MUSICLAB_VADER_LAMBDA_INLINE
#endif

namespace musiclab::text {

/// The scores of one text. `neg`, `neu`, `pos` and `compound` are what vaderSentiment's
/// `polarity_scores` returns: the raw values rounded with Python's `round` (3 decimals for the
/// proportions, 4 for compound; half to even on the exact binary value, so 0.3125 -> 0.312).
/// The `*_raw` members are the same computation unrounded. neg, neu, pos are in [0, 1] and sum to
/// 1 (up to rounding) when the text has at least one word, else all four are 0; compound is in
/// [-1, 1].
struct VaderScores {
    double neg = 0.0;
    double neu = 0.0;
    double pos = 0.0;
    double compound = 0.0;
    double neg_raw = 0.0;
    double neu_raw = 0.0;
    double pos_raw = 0.0;
    double compound_raw = 0.0;
};

/// Options of VaderAnalyzer::polarity_scores_batch.
struct VaderBatchOptions {
    /// Worker threads (0 = all hardware threads). The results do not depend on it: every text is
    /// scored independently, the texts are split into contiguous ranges.
    int num_threads = 1;
};

}  // namespace musiclab::text

namespace musiclab::detail::vader {

// ---- the reference's constants ---------------------------------------------------------------
inline constexpr double b_incr = 0.293;    // booster word
inline constexpr double b_decr = -0.293;   // dampener word
inline constexpr double c_incr = 0.733;    // ALL-CAPS word among mixed-case words
inline constexpr double n_scalar = -0.74;  // negation
inline constexpr double alpha = 15.0;      // compound = x / sqrt(x^2 + alpha)

/// Words the rules look at by identity (after lowercasing).
enum Keyword : std::uint8_t {
    kw_none = 0, kw_no, kw_or, kw_nor, kw_kind, kw_of, kw_least, kw_at, kw_very, kw_never, kw_so,
    kw_this, kw_without, kw_doubt, kw_but, kw_the, kw_shit, kw_bomb, kw_bad, kw_ass, kw_bus, kw_stop,
    kw_yeah, kw_right, kw_kiss, kw_death, kw_to, kw_die, kw_for, kw_beating, kw_heart, kw_broken,
    kw_sort, kw_just, kw_enough, kw_count
};
inline constexpr std::string_view keyword_text[kw_count] = {
    "",      "no",    "or",    "nor",  "kind",  "of",    "least", "at",   "very",    "never", "so",   "this",
    "without", "doubt", "but", "the",  "shit",  "bomb",  "bad",   "ass",  "bus",     "stop",  "yeah", "right",
    "kiss",  "death", "to",    "die",  "for",   "beating", "heart", "broken", "sort", "just", "enough"};

/// NEGATE of the reference (compared with the lowercased word).
inline constexpr std::string_view negate_words[] = {
    "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't", "aren't", "can't",
    "couldn't", "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt",
    "mustnt", "neither", "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't", "neednt",
    "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt",
    "uhuh", "wasnt", "werent", "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't", "without",
    "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite"};

struct Booster {
    std::string_view word;
    double scalar;
};
/// The one-word keys of BOOSTER_DICT (a word is one whitespace-free token, so these are the only
/// keys a single word can match; the two-word keys are in booster_bigrams).
inline constexpr Booster booster_words[] = {
    {"absolutely", b_incr}, {"amazingly", b_incr}, {"awfully", b_incr}, {"completely", b_incr},
    {"considerable", b_incr}, {"considerably", b_incr}, {"decidedly", b_incr}, {"deeply", b_incr},
    {"effing", b_incr}, {"enormous", b_incr}, {"enormously", b_incr}, {"entirely", b_incr},
    {"especially", b_incr}, {"exceptional", b_incr}, {"exceptionally", b_incr}, {"extreme", b_incr},
    {"extremely", b_incr}, {"fabulously", b_incr}, {"flipping", b_incr}, {"flippin", b_incr},
    {"frackin", b_incr}, {"fracking", b_incr}, {"fricking", b_incr}, {"frickin", b_incr},
    {"frigging", b_incr}, {"friggin", b_incr}, {"fully", b_incr}, {"fuckin", b_incr}, {"fucking", b_incr},
    {"fuggin", b_incr}, {"fugging", b_incr}, {"greatly", b_incr}, {"hella", b_incr}, {"highly", b_incr},
    {"hugely", b_incr}, {"incredible", b_incr}, {"incredibly", b_incr}, {"intensely", b_incr},
    {"major", b_incr}, {"majorly", b_incr}, {"more", b_incr}, {"most", b_incr}, {"particularly", b_incr},
    {"purely", b_incr}, {"quite", b_incr}, {"really", b_incr}, {"remarkably", b_incr}, {"so", b_incr},
    {"substantially", b_incr}, {"thoroughly", b_incr}, {"total", b_incr}, {"totally", b_incr},
    {"tremendous", b_incr}, {"tremendously", b_incr}, {"uber", b_incr}, {"unbelievably", b_incr},
    {"unusually", b_incr}, {"utter", b_incr}, {"utterly", b_incr}, {"very", b_incr},
    {"almost", b_decr}, {"barely", b_decr}, {"hardly", b_decr}, {"kinda", b_decr}, {"kindof", b_decr},
    {"kind-of", b_decr}, {"less", b_decr}, {"little", b_decr}, {"marginal", b_decr}, {"marginally", b_decr},
    {"occasional", b_decr}, {"occasionally", b_decr}, {"partly", b_decr}, {"scarce", b_decr},
    {"scarcely", b_decr}, {"slight", b_decr}, {"slightly", b_decr}, {"somewhat", b_decr}, {"sorta", b_decr},
    {"sortof", b_decr}, {"sort-of", b_decr}};

/// The two-word keys of BOOSTER_DICT ("kind of", "sort of", "just enough"), all dampeners.
struct Bigram {
    Keyword first, second;
};
inline constexpr Bigram booster_bigrams[] = {{kw_kind, kw_of}, {kw_sort, kw_of}, {kw_just, kw_enough}};

/// SPECIAL_CASES with more than one word (the one-word key "badass" can never equal a joined
/// n-gram, so the reference never applies it).
struct SpecialCase {
    Keyword words[3];
    int length;
    double valence;
};
inline constexpr SpecialCase special_cases[] = {
    {{kw_the, kw_shit, kw_none}, 2, 3.0},      {{kw_the, kw_bomb, kw_none}, 2, 3.0},
    {{kw_bad, kw_ass, kw_none}, 2, 1.5},        {{kw_bus, kw_stop, kw_none}, 2, 0.0},
    {{kw_yeah, kw_right, kw_none}, 2, -2.0},    {{kw_kiss, kw_of, kw_death}, 3, -1.5},
    {{kw_to, kw_die, kw_for}, 3, 3.0},          {{kw_beating, kw_heart, kw_none}, 2, 3.1},
    {{kw_broken, kw_heart, kw_none}, 2, -2.9}};

/// Everything the rules need to know about one lowercased word, while the lexicons are read
/// (Vocabulary::build() packs it into a Packed).
struct Entry {
    double valence = 0.0;  // lexicon mean valence (when in_lexicon)
    double booster = 0.0;  // BOOSTER_DICT scalar (when is_booster)
    bool in_lexicon = false;
    bool is_booster = false;
    bool negate = false;  // in NEGATE
    std::uint8_t keyword = kw_none;
};

/// Properties of a word (Packed::flags, Token::flags): in the lexicon, a BOOSTER_DICT key (and
/// then a dampener, scalar b_decr, or not, b_incr), in NEGATE.
enum PackedFlag : std::uint8_t { pf_lexicon = 1, pf_booster = 2, pf_dampener = 4, pf_negate = 8 };

/// One word of a text, classified (16 bytes). (The small fields are enums and bools, not
/// uint8_t: stores to a character type may alias anything, which made the compiler reload the
/// lexicon's table pointers after every token written.)
struct Token {
    double valence;        // lexicon mean valence; 0 when not in the lexicon
    PackedFlag flags;      // a combination of PackedFlag bits
    Keyword keyword;
    bool negated;  // the reference's negated([word]): in NEGATE or contains "n't"
    bool upper;    // word.isupper()
    bool in_lexicon() const noexcept { return flags & pf_lexicon; }
    bool is_booster() const noexcept { return flags & pf_booster; }
    double booster() const noexcept { return (flags & pf_dampener) ? b_decr : b_incr; }  // when is_booster()
};

// Hash of a word, 8 bytes at a time: chunk k is the little-endian value of bytes 8k..8k+7
// (zero-padded), defined on byte values so that the result is the same on any byte order. The
// first two chunks (the second 0 for a word of up to 8 bytes) are mixed by two independent
// multiplications, so that the tokenizer hashes every word of up to 16 bytes (almost all) the
// same way, without a branch on its length; further chunks are chained.
inline constexpr std::uint64_t hash_seed = 0x243F6A8885A308D3ULL;
inline constexpr std::uint64_t hash_head(std::uint64_t chunk0, std::uint64_t chunk1) noexcept {
    return ((chunk0 ^ hash_seed) * 0x9E3779B97F4A7C15ULL) ^ (chunk1 * 0xC2B2AE3D27D4EB4FULL);  // hash_finish mixes
}
inline constexpr std::uint64_t hash_chunk(std::uint64_t h, std::uint64_t chunk) noexcept {
    h = (h ^ chunk) * 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
}
inline constexpr std::uint64_t hash_finish(std::uint64_t h, std::size_t n) noexcept {
    h = (h ^ n) * 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 32);
}
inline std::uint64_t hash_bytes(std::string_view s) noexcept {
    auto chunk = [s](std::size_t k) {  // chunk k (0 past the end)
        const std::size_t at = 8 * k;
        std::uint64_t c = 0;
        if constexpr (std::endian::native == std::endian::little) {
            if (at + 8 <= s.size()) {
                std::memcpy(&c, s.data() + at, 8);
                return c;
            }
        }
        for (std::size_t i = at; i < std::min(s.size(), at + 8); ++i)
            c |= std::uint64_t{static_cast<unsigned char>(s[i])} << (8 * (i - at));
        return c;
    };
    std::uint64_t h = hash_head(chunk(0), chunk(1));
    for (std::size_t k = 2; 8 * k < s.size(); ++k) h = hash_chunk(h, chunk(k));
    return hash_finish(h, s.size());
}

// The masks of the first 16 bytes of a word of `len` bytes (len <= 16) as two 64-bit words.
inline constexpr struct HeadMasks {
    std::uint64_t of[17][2];
    constexpr HeadMasks() : of() {
        for (std::size_t len = 0; len <= 16; ++len)
            for (std::size_t k = 0; k < 2; ++k) {
                const std::size_t bytes = len > 8 * k ? std::min<std::size_t>(len - 8 * k, 8) : 0;
                of[len][k] = bytes == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * bytes)) - 1;
            }
    }
} head_masks{};

// Byte classes of ASCII for the tokenizer (bytes >= 0x80 have class high).
enum ByteClass : std::uint8_t { bc_space = 1, bc_punct = 2, bc_upper = 4, bc_lower = 8, bc_high = 16 };
inline constexpr struct ByteClasses {
    std::uint8_t of[256];
    constexpr ByteClasses() : of() {
        for (int c = 0; c < 256; ++c) {
            std::uint8_t k = 0;
            if ((c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20)) k |= bc_space;  // Python isspace
            if ((c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
                (c >= 0x7B && c <= 0x7E))
                k |= bc_punct;  // string.punctuation
            if (c >= 'A' && c <= 'Z') k |= bc_upper;
            if (c >= 'a' && c <= 'z') k |= bc_lower;
            if (c >= 0x80) k |= bc_high;
            of[c] = k;
        }
    }
} byte_classes{};

/// Entry as stored for lookups: the first 16 key bytes inline (zero-padded), so that a lookup
/// compares two 64-bit words instead of calling memcmp; 32 bytes.
struct Packed {
    std::uint64_t key[2] = {0, 0};
    double valence = 0.0;
    std::uint32_t key_length = 0;
    std::uint8_t flags = 0;
    std::uint8_t keyword = kw_none;
    std::uint16_t unused = 0;
};

/// Immutable map: lowercased word -> Entry. While loading, insert() collects the entries; build()
/// then lays them out in buckets of 16 slots, each with an 8-bit hash tag, so that a lookup is one
/// 16-byte tag comparison (which rejects most words that are not keys) and, when a tag matches, one
/// entry load and one key comparison whose outcome selects the result without a branch (a miss
/// yields the all-zero "null" entry). A bucket holds at most
/// 16 keys: build() doubles the bucket count until none overflows.
class Vocabulary {
public:
    Entry& insert(std::string_view key) {
        const auto [it, inserted] = loading_.try_emplace(std::string(key), static_cast<std::uint32_t>(entries_.size()));
        if (inserted) {
            entries_.emplace_back();
            keys_.emplace_back(key);
        }
        return entries_[it->second];
    }

    void build() {
        loading_ = {};
        std::vector<std::uint64_t> hashes(entries_.size());
        for (std::size_t i = 0; i < entries_.size(); ++i) hashes[i] = hash_bytes(keys_[i]);
        std::size_t buckets = 64;
        while (buckets * 8 < entries_.size()) buckets *= 2;  // <= 8 keys per bucket on average
        std::vector<std::uint32_t> fill;
        while (true) {
            fill.assign(buckets, 0);
            bool overflow = false;
            for (const std::uint64_t h : hashes) overflow |= ++fill[h & (buckets - 1)] > 16;
            if (!overflow) break;
            // 17 distinct keys sharing 26 hash bits do not happen outside an attack on the hash
            if (buckets >= (std::size_t{1} << 26)) throw musiclab::error("vader: too many lexicon keys collide in the hash table");
            buckets *= 2;
        }
        bucket_mask_ = buckets - 1;
        tags_.assign(buckets * 16, 0);
        start_.assign(buckets, 0);
        std::uint32_t at = 0;
        for (std::size_t b = 0; b < buckets; ++b) {
            start_[b] = at;
            at += fill[b];
        }
        // then the null entry (all properties 0, a length no key has): what lookup() returns for
        // a word that is not a key
        Packed null_entry;
        null_entry.key_length = 0xFFFFFFFFu;
        packed_.assign(entries_.size() + 1, null_entry);
        long_keys_.clear();
        std::fill(fill.begin(), fill.end(), 0u);
        for (std::size_t i = 0; i < entries_.size(); ++i) {
            const std::uint64_t h = hashes[i];
            const std::size_t b = h & bucket_mask_;
            const std::uint32_t slot = fill[b]++;
            tags_[b * 16 + slot] = tag_of(h);
            Packed& p = packed_[start_[b] + slot];
            const std::string& k = keys_[i];
            char head[16] = {};
            std::memcpy(head, k.data(), std::min<std::size_t>(k.size(), 16));
            std::memcpy(p.key, head, 16);
            p.key_length = static_cast<std::uint32_t>(k.size());
            const Entry& e = entries_[i];
            p.valence = e.in_lexicon ? e.valence : 0.0;
            p.flags = static_cast<std::uint8_t>((e.in_lexicon ? pf_lexicon : 0) | (e.is_booster ? pf_booster : 0) |
                                                (e.is_booster && e.booster < 0 ? pf_dampener : 0) |
                                                (e.negate ? pf_negate : 0));
            p.keyword = e.keyword;
            if (k.size() > 16) long_keys_.emplace(start_[b] + slot, k.substr(16));
            for (const char ch : k) key_bytes_[static_cast<unsigned char>(ch) >> 6] |= std::uint64_t{1} << (ch & 63);
        }
        null_index_ = static_cast<std::uint32_t>(entries_.size());
        size_ = entries_.size();
        entries_ = {};
        keys_ = {};
    }

    /// The entry of `key` (any bytes), or nullptr.
    const Packed* find(std::string_view key) const noexcept {
        char head[16] = {};
        std::memcpy(head, key.data(), std::min<std::size_t>(key.size(), 16));
        std::uint64_t k[2];
        std::memcpy(k, head, 16);
        const Packed& e = lookup(k[0], k[1], key, hash_bytes(key));
        return &e == &packed_[null_index_] ? nullptr : &e;
    }

    /// The entry of `key`, whose first 16 bytes zero-padded are k0, k1 and whose hash_bytes() is
    /// h; the null entry (all properties 0) when it is not in the map.
    MUSICLAB_VADER_INLINE const Packed& lookup(std::uint64_t k0, std::uint64_t k1, std::string_view key, std::uint64_t h) const noexcept {
        const std::size_t b = h & bucket_mask_;
        const std::uint8_t tag = tag_of(h);
        const std::uint8_t* tags = tags_.data() + b * 16;
        unsigned m = 0;
#if defined(__SSE2__)
        m = static_cast<unsigned>(_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(tags)), _mm_set1_epi8(static_cast<char>(tag)))));
#else
        for (unsigned k = 0; k < 16; ++k) m |= unsigned{tags[k] == tag} << k;
#endif
        // No slot with the tag: not a key. Most words of a text are not (and 8 tag bits reject
        // all but ~3 % of them here), so this branch is well predicted, and the entry (the one
        // likely cache miss) is not loaded for them.
        if (m == 0) return packed_[null_index_];
        // The first slot with the tag; found or not, no branch depends on the key comparison:
        // the result is selected.
        std::uint32_t index = start_[b] + static_cast<std::uint32_t>(std::countr_zero(m));
        const Packed& e = packed_[index];
        const bool hit = (((e.key[0] ^ k0) | (e.key[1] ^ k1)) == 0) & (e.key_length == key.size());
        if (((m & (m - 1)) != 0) | (key.size() > 16)) [[unlikely]] return lookup_slow(m, b, k0, k1, key);
        index = null_index_ ^ ((index ^ null_index_) & (0u - static_cast<std::uint32_t>(hit)));  // no branch
        return packed_[index];
    }

    std::size_t size() const noexcept { return size_; }
    /// The entry of every word not in the map (all properties 0).
    const Packed& null_entry() const noexcept { return packed_[null_index_]; }
    /// Whether the byte b occurs in some key (a word with a byte that does not is not a key).
    bool key_byte(unsigned char b) const noexcept { return (key_bytes_[b >> 6] >> (b & 63)) & 1; }

private:
    static std::uint8_t tag_of(std::uint64_t h) noexcept {
        const auto t = static_cast<std::uint8_t>(h >> 56);
        return t == 0 ? 1 : t;  // 0 marks an empty slot
    }

    // lookup() when the bucket has more than one slot with the tag or the key is long.
    const Packed& lookup_slow(unsigned m, std::size_t b, std::uint64_t k0, std::uint64_t k1, std::string_view key) const noexcept {
        for (; m != 0; m &= m - 1) {
            const Packed& e = packed_[start_[b] + static_cast<std::uint32_t>(std::countr_zero(m))];
            if (matches(e, k0, k1, key)) return e;
        }
        return packed_[null_index_];
    }

    bool matches(const Packed& e, std::uint64_t k0, std::uint64_t k1, std::string_view key) const noexcept {
        const bool head = ((e.key[0] ^ k0) | (e.key[1] ^ k1)) == 0 && e.key_length == key.size();
        if (!head || key.size() <= 16) [[likely]] return head;
        const auto it = long_keys_.find(static_cast<std::uint32_t>(&e - packed_.data()));
        return it != long_keys_.end() && it->second == key.substr(16);
    }

    // loading
    std::unordered_map<std::string, std::uint32_t> loading_;
    std::vector<Entry> entries_;
    std::vector<std::string> keys_;
    // built
    std::vector<std::uint8_t> tags_;     // 16 per bucket: 8 hash bits, 0 = empty
    std::vector<std::uint32_t> start_;   // per bucket: its first entry in packed_
    std::vector<Packed> packed_;         // by bucket; then the null entry
    std::unordered_map<std::uint32_t, std::string> long_keys_;  // key bytes past the 16th
    std::size_t bucket_mask_ = 0;
    std::uint32_t null_index_ = 0;
    std::size_t size_ = 0;
    std::uint64_t key_bytes_[4] = {0, 0, 0, 0};  // bit b: byte b occurs in a key
};

/// Python's lower() and the isupper() ingredients of every BMP code point, from the same
/// utf8proc properties as pyunicode::append_lower_is_upper() (which handles everything else):
/// bits 0-15 the lowercase code point, then the flags below. Built once per process (~1 ms).
enum : std::uint32_t { case_not_upper = 1u << 16, case_upper = 1u << 17, case_full_path = 1u << 18 };
inline const std::uint32_t* bmp_case_table() {
    static const std::vector<std::uint32_t> table = [] {
        namespace pu = musiclab::detail::pyunicode;
        std::vector<std::uint32_t> t(0x10000);
        for (char32_t c = 0; c < 0x10000; ++c) {
            const auto* prop = utf8proc_get_property(static_cast<utf8proc_int32_t>(c));
            const int cat = prop->category;
            std::uint32_t v = 0;
            if (cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT || pu::in_ranges(pu::other_lowercase_not_ll, c))
                v |= case_not_upper;
            else if (cat == UTF8PROC_CATEGORY_LU || pu::in_ranges(pu::other_uppercase_not_lu, c))
                v |= case_upper;
            const auto lower = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
            // U+0130 and U+03A3 (final sigma) lower context-dependently or to two code points
            if (c < 0x80 || c == 0x130 || c == 0x3A3 || (c >= 0xD800 && c < 0xE000) || lower >= 0x10000 || lower < 0x80)
                v |= case_full_path;
            else
                v |= static_cast<std::uint32_t>(lower);
            t[c] = v;
        }
        return t;
    }();
    return table.data();
}

/// Immutable map: one code point -> emoji description (the only emoji keys that can match: the
/// reference looks each code point of the text up on its own).
class EmojiMap {
public:
    void insert(char32_t c, std::string_view description) {
        const auto [it, inserted] = index_.try_emplace(c, static_cast<std::uint32_t>(singles_.size()));
        if (inserted) {
            singles_.push_back({c, static_cast<std::uint32_t>(descriptions_.size())});
            descriptions_.emplace_back(description);
        } else {  // a later line replaces an earlier one, as in a Python dict
            descriptions_[singles_[it->second].description] = std::string(description);
        }
    }

    void build() {
        blocks_.assign((0x110000 >> 8) / 64, 0);
        for (const auto& e : singles_) blocks_[e.code_point >> 14] |= std::uint64_t{1} << ((e.code_point >> 8) & 63);
        std::size_t n = 64;
        while (n < singles_.size() * 4) n *= 2;
        slots_.assign(n, Slot{});
        mask_ = n - 1;
        for (std::uint32_t i = 0; i < singles_.size(); ++i) {
            const char32_t c = singles_[i].code_point;
            if (c < 0x80) ascii_[c] = static_cast<std::int32_t>(singles_[i].description);
            for (std::size_t k = slot_of(c);; k = (k + 1) & mask_) {
                if (slots_[k].entry == 0) {
                    slots_[k] = Slot{c, singles_[i].description + 1};
                    break;
                }
            }
            has_ascii_ |= c < 0x80;
        }
        index_.clear();
    }

    /// Index of the description of c, or -1.
    std::int32_t find(char32_t c) const noexcept {
        if (c < 0x80) return ascii_[c];
        // most text code points are in 256-code-point blocks without any emoji
        if (c >= 0x110000 || !((blocks_[c >> 14] >> ((c >> 8) & 63)) & 1)) return -1;
        for (std::size_t k = slot_of(c);; k = (k + 1) & mask_) {
            const Slot& s = slots_[k];
            if (s.entry == 0) return -1;
            if (s.code_point == c) return static_cast<std::int32_t>(s.entry - 1);
        }
    }

    bool has_ascii_keys() const noexcept { return has_ascii_; }
    std::string_view description(std::int32_t i) const noexcept { return descriptions_[static_cast<std::size_t>(i)]; }
    std::size_t size() const noexcept { return singles_.size(); }

private:
    struct Single {
        char32_t code_point;
        std::uint32_t description;
    };
    struct Slot {
        char32_t code_point = 0;
        std::uint32_t entry = 0;  // description index + 1; 0 = empty
    };
    std::size_t slot_of(char32_t c) const noexcept {
        return static_cast<std::size_t>((static_cast<std::uint64_t>(c) * 0x9E3779B97F4A7C15ULL) >> 40) & mask_;
    }

    std::vector<Single> singles_;
    std::unordered_map<char32_t, std::uint32_t> index_;  // only while loading
    std::vector<std::string> descriptions_;
    std::vector<Slot> slots_;
    std::vector<std::uint64_t> blocks_;  // bit (c >> 8): some key lies in that block
    std::size_t mask_ = 0;
    std::int32_t ascii_[128] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
    bool has_ascii_ = false;
};

// The rounded |x| * scale near a midpoint: decided on the exact value via the correctly rounded
// decimal string (std::to_chars rounds half to even on the exact binary value, like CPython's
// dtoa). Out of line: almost never called.
[[gnu::noinline]] inline double python_round_midpoint(double a, int ndigits, double scale) noexcept {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, a, std::chars_format::fixed, ndigits);
    double v = 0.0;
    std::from_chars(buf, r.ptr, v);
    return std::nearbyint(v * scale);
}
/// Python's round(x, ndigits) for ndigits 3 or 4 and |x| <= ~1e4: the double nearest to the
/// decimal obtained by rounding the exact binary value of x half to even (CPython rounds through
/// a correctly rounded decimal string, so 0.3125 -> 0.312 and 0.0625 -> 0.062).
MUSICLAB_VADER_FP_EXACT MUSICLAB_VADER_INLINE double python_round(double x, int ndigits) noexcept {
    if (x == 0.0) return x;  // (common: the neg or the pos share of a one-sided text)
    const double scale = ndigits == 3 ? 1e3 : 1e4;
    const double a = std::fabs(x);
    const double p = a * scale;  // |error| <= half an ulp of p (<= 2^-40 for p < 2^14)
    if (!(p < 9.0e15)) return x;  // not reached for VADER's values (|x| <= 1); keeps the cast defined
    const double f = static_cast<double>(static_cast<std::int64_t>(p));  // floor, p >= 0
    const double frac = p - f;  // exact
    const double k = std::fabs(frac - 0.5) > 1e-9 ? f + static_cast<double>(frac > 0.5)  // the direction is data
                                                  : python_round_midpoint(a, ndigits, scale);
    return std::copysign(k / scale, x);
}

/// Texts shorter than this many bytes (almost all) are tokenized from whole-text bit masks.
inline constexpr std::size_t mask_text_limit = 512;

/// Per-thread scratch memory of the scorer (reused between texts; no allocation once warm). The
/// buffers of the mask tokenizers are sized here, once, and only ever grow.
struct Scratch {
    std::string sanitized;   // the text with invalid UTF-8 replaced by U+FFFD
    std::string replaced;    // the text with emoji replaced by their descriptions
    std::string lower;       // one lowercased non-ASCII word
    std::vector<char> lower_bmp;  // the same, from lower_bmp()
    std::vector<char> padded;       // the text followed by 16 spaces (vector tokenizer)
    std::vector<char> lower_ascii = std::vector<char>(mask_text_limit + 16);  // one lowercased ASCII word
    std::vector<char> lower_text = std::vector<char>(mask_text_limit + 16);   // the whole lowercased short text
    std::vector<Token> tokens = std::vector<Token>(mask_text_limit / 2 + 1);  // the words of the current text: the first token_count
    std::size_t token_count = 0;
    // "!" and "?" in the text, when the tokenizer counted them (marks_counted); else
    // valence_scores() counts them itself
    bool marks_counted = false;
    std::size_t exclamations = 0, questions = 0;
    // the number of ALL-CAPS words and whether any word is in the lexicon, when the tokenizer
    // counted them (summary_counted); else valence_scores() counts them itself
    bool summary_counted = false;
    std::size_t upper_words = 0;
    bool any_lexicon = false;
    std::vector<double> sentiments;
    // only for very long texts with "but" (the quadratic list.index simulation is replaced)
    std::unordered_map<std::uint64_t, std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, std::greater<>>>
        positions;
};

/// The reference's _but_check: for each position j in order, v = sentiments[j] as it is then;
/// si = sentiments.index(v) (first equal value); the value at si is replaced by v * 0.5 when si is
/// before the first "but" and by v * 1.5 when after. Reproduced exactly, including that si can be
/// an earlier position whose already-scaled value happens to equal v.
inline void but_check(std::span<double> s, std::size_t bi, Scratch& scratch) {
    const std::size_t n = s.size();
    auto scaled = [bi](double v, std::size_t si) { return si < bi ? v * 0.5 : v * 1.5; };
    if (n <= 256) {  // direct simulation, O(n^2) worst case
        for (std::size_t j = 0; j < n; ++j) {
            const double v = s[j];
            std::size_t si = 0;
            while (s[si] != v) ++si;  // terminates at j at the latest
            if (si != bi) s[si] = scaled(v, si);
        }
        return;
    }
    // Same result in O(n log n): positions < j never change their value unless they are the
    // first match, and positions >= j still hold their original values, so si is the smallest
    // position < j holding v, else j. Keep, per value, a min-heap of the positions < j holding it.
    auto key = [](double v) {
        if (v == 0.0) v = 0.0;  // 0.0 == -0.0 for list.index
        std::uint64_t bits;
        static_assert(sizeof bits == sizeof v);
        std::memcpy(&bits, &v, sizeof bits);
        return bits;
    };
    auto& where = scratch.positions;
    where.clear();
    for (std::size_t j = 0; j < n; ++j) {
        const double v = s[j];
        auto& heap = where[key(v)];  // references into an unordered_map survive rehashing
        const std::size_t si = heap.empty() ? j : heap.top();
        heap.push(static_cast<std::uint32_t>(j));  // position j holds v (unless it is si and changes below)
        if (si == bi) continue;
        heap.pop();  // si is the smallest position holding v (j >= si)
        const double w = scaled(v, si);
        s[si] = w;
        where[key(w)].push(static_cast<std::uint32_t>(si));
    }
}

}  // namespace musiclab::detail::vader

namespace musiclab::text {

/// Scratch memory for VaderAnalyzer::polarity_scores; one per thread. Reusing it across calls
/// avoids all allocation once it has grown to the longest text.
class VaderWorkspace {
public:
    VaderWorkspace() = default;

private:
    friend class VaderAnalyzer;
    detail::vader::Scratch scratch_;
};

/// The VADER sentiment analyzer. Built once from the two lexicon files, then immutable: every
/// member function is const and safe to call from many threads at once.
class VaderAnalyzer {
public:
    /// File names inside the folder taken by the one-argument constructor.
    static constexpr std::string_view default_lexicon_name = "vader_lexicon.txt";
    static constexpr std::string_view default_emoji_lexicon_name = "emoji_utf8_lexicon.txt";

    /// Reads `lexicon_file` (token TAB mean-valence TAB ..., one per line, UTF-8) and
    /// `emoji_lexicon_file` (emoji TAB description). Throws io_error when a file cannot be read and
    /// parse_error (file, 1-based line, field or byte) for a malformed line or invalid UTF-8.
    /// Accepts exactly what the reference accepts, except that a valence must be a finite decimal
    /// number (Python's float() would also take "nan", "inf", "1_0").
    VaderAnalyzer(const std::filesystem::path& lexicon_file, const std::filesystem::path& emoji_lexicon_file)
        : VaderAnalyzer() {
        load_lexicon(read_file(lexicon_file), lexicon_file.string());
        load_emoji(read_file(emoji_lexicon_file), emoji_lexicon_file.string());
        finish();
    }

    /// Reads `folder`/vader_lexicon.txt and `folder`/emoji_utf8_lexicon.txt (e.g. ../shared/data/vader).
    explicit VaderAnalyzer(const std::filesystem::path& folder)
        : VaderAnalyzer(folder / default_lexicon_name, folder / default_emoji_lexicon_name) {}

    /// Builds the analyzer from the contents of the two files already in memory; `*_source` name
    /// them in error messages.
    static VaderAnalyzer from_text(std::string_view lexicon, std::string_view emoji_lexicon,
                                   const std::string& lexicon_source = "<lexicon>",
                                   const std::string& emoji_source = "<emoji lexicon>") {
        VaderAnalyzer a;
        a.load_lexicon(lexicon, lexicon_source);
        a.load_emoji(emoji_lexicon, emoji_source);
        a.finish();
        return a;
    }

    /// Scores one text (any bytes; see the file comment for invalid UTF-8). O(length of the text).
    /// Uses a thread-local workspace.
    VaderScores polarity_scores(std::string_view text) const {
        thread_local VaderWorkspace workspace;
        return polarity_scores(text, workspace);
    }

    /// Scores one text with the caller's workspace (one workspace per thread).
    VaderScores polarity_scores(std::string_view text, VaderWorkspace& workspace) const {
        return score(text, workspace.scratch_);
    }

    /// Scores texts[i] into out[i], in parallel over contiguous ranges; identical results for any
    /// num_threads. Throws shape_mismatch when the sizes differ.
    void polarity_scores_batch(std::span<const std::string_view> texts, std::span<VaderScores> out,
                               const VaderBatchOptions& options = {}) const {
        batch(texts, out, options);
    }
    void polarity_scores_batch(std::span<const std::string> texts, std::span<VaderScores> out,
                               const VaderBatchOptions& options = {}) const {
        batch(texts, out, options);
    }
    std::vector<VaderScores> polarity_scores_batch(std::span<const std::string_view> texts,
                                                   const VaderBatchOptions& options = {}) const {
        std::vector<VaderScores> out(texts.size());
        batch(texts, std::span<VaderScores>(out), options);
        return out;
    }
    std::vector<VaderScores> polarity_scores_batch(std::span<const std::string> texts,
                                                   const VaderBatchOptions& options = {}) const {
        std::vector<VaderScores> out(texts.size());
        batch(texts, std::span<VaderScores>(out), options);
        return out;
    }

    /// Number of distinct tokens in the valence lexicon.
    std::size_t lexicon_size() const noexcept { return lexicon_size_; }
    /// Number of distinct emoji keys in the emoji lexicon (all lines, also multi-code-point keys).
    std::size_t emoji_lexicon_size() const noexcept { return emoji_keys_; }
    /// Mean valence of the exact lexicon token `token` (case-sensitive, as stored), if present.
    std::optional<double> valence(std::string_view token) const noexcept {
        const auto* e = vocabulary_.find(token);
        if (!e || !(e->flags & detail::vader::pf_lexicon)) return std::nullopt;
        return e->valence;
    }

private:
    using Scratch = detail::vader::Scratch;
    using Token = detail::vader::Token;

    VaderAnalyzer() = default;

    static std::string read_file(const std::filesystem::path& path) {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw io_error(path.string(), "cannot open file");
        std::ostringstream s;
        s << in.rdbuf();
        if (in.bad()) throw io_error(path.string(), "read failed");
        return std::move(s).str();
    }

    // Python str.strip() of a valid UTF-8 line: drop whitespace code points at both ends.
    static std::string_view python_strip(std::string_view s) noexcept {
        namespace pu = detail::pyunicode;
        const auto* p = reinterpret_cast<const unsigned char*>(s.data());
        std::size_t b = 0, e = s.size();
        while (b < e) {
            std::size_t len = 0;
            const char32_t c = pu::decode(p + b, len);
            if (!pu::is_space(c)) break;
            b += len;
        }
        while (e > b) {
            std::size_t start = e - 1;
            while (start > b && (p[start] & 0xC0) == 0x80) --start;
            std::size_t len = 0;
            if (!pu::is_space(pu::decode(p + start, len))) break;
            e = start;
        }
        return s.substr(b, e - b);
    }

    // Calls fn(line, line_number) for each line of the file split on '\n' after Python's
    // rstrip('\n'); checks UTF-8 first (the reference decodes the whole file as UTF-8).
    template <class Fn>
    static void for_each_line(std::string_view content, const std::string& source, Fn&& fn) {
        const std::size_t bad = detail::pyunicode::first_invalid_utf8(content);
        if (bad != content.size()) {
            const std::size_t line_start = content.rfind('\n', bad == 0 ? std::string_view::npos : bad - 1);
            const std::size_t start = line_start == std::string_view::npos ? 0 : line_start + 1;
            const auto line = static_cast<std::size_t>(std::count(content.begin(), content.begin() + static_cast<std::ptrdiff_t>(start), '\n')) + 1;
            throw parse_error(source, line, bad - start + 1, "invalid UTF-8 (the lexicon must be UTF-8)");
        }
        while (!content.empty() && content.back() == '\n') content.remove_suffix(1);
        std::size_t line_number = 0;
        std::size_t pos = 0;
        while (true) {
            ++line_number;
            const std::size_t end = content.find('\n', pos);
            const std::string_view line = content.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
            fn(line, line_number);
            if (end == std::string_view::npos) break;
            pos = end + 1;
        }
    }

    // The first two TAB-separated fields of the stripped line; false when there are fewer.
    static bool two_fields(std::string_view line, std::string_view& first, std::string_view& second) noexcept {
        const std::string_view s = python_strip(line);
        const std::size_t tab = s.find('\t');
        if (tab == std::string_view::npos) return false;
        first = s.substr(0, tab);
        const std::size_t tab2 = s.find('\t', tab + 1);
        second = s.substr(tab + 1, tab2 == std::string_view::npos ? std::string_view::npos : tab2 - tab - 1);
        return true;
    }

    void load_lexicon(std::string_view content, const std::string& source) {
        for_each_line(content, source, [&](std::string_view line, std::size_t line_number) {
            if (line.empty()) return;  // the reference skips empty lines
            std::string_view word, measure;
            if (!two_fields(line, word, measure))
                throw parse_error(source, line_number, 0,
                                  "expected 'token TAB mean-valence ...', found no TAB-separated valence in '" +
                                      std::string(line.substr(0, 80)) + "'");
            double v = 0.0;
            if (!parse_valence(measure, v))
                throw parse_error(source, line_number, 2,
                                  "mean valence '" + std::string(measure.substr(0, 80)) +
                                      "' of '" + std::string(word.substr(0, 80)) + "' is not a finite number");
            detail::vader::Entry& e = vocabulary_.insert(word);
            if (!e.in_lexicon) ++lexicon_size_;
            e.in_lexicon = true;
            e.valence = v;  // a repeated token: the last line wins, as in a Python dict
        });
    }

    void load_emoji(std::string_view content, const std::string& source) {
        for_each_line(content, source, [&](std::string_view line, std::size_t line_number) {
            std::string_view emoji, description;
            if (!two_fields(line, emoji, description))
                throw parse_error(source, line_number, 0,
                                  "expected 'emoji TAB description', found '" + std::string(line.substr(0, 80)) + "'");
            std::size_t len = 0;
            if (emoji.empty()) return;  // cannot happen after strip
            const char32_t c = detail::pyunicode::decode(reinterpret_cast<const unsigned char*>(emoji.data()), len);
            if (len == emoji.size()) emoji_.insert(c, description);
            else multi_emoji_.emplace(emoji);
        });
    }

    // Python float() of a lexicon field, restricted to finite decimal numbers.
    static bool parse_valence(std::string_view s, double& v) noexcept {
        s = python_strip(s);
        if (!s.empty() && s.front() == '+') {
            s.remove_prefix(1);
            if (!s.empty() && (s.front() == '-' || s.front() == '+')) return false;
        }
        if (s.empty()) return false;
        const auto r = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
        return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(v);
    }

    void finish() {
        namespace dv = detail::vader;
        for (const auto& b : dv::booster_words) {
            auto& e = vocabulary_.insert(b.word);
            e.is_booster = true;
            e.booster = b.scalar;
        }
        for (const auto w : dv::negate_words) vocabulary_.insert(w).negate = true;
        for (int k = 1; k < dv::kw_count; ++k) vocabulary_.insert(dv::keyword_text[k]).keyword = static_cast<std::uint8_t>(k);  // Entry: uint8_t
        vocabulary_.build();
        emoji_.build();
        dv::bmp_case_table();  // built here (once per process) rather than by the first non-ASCII text
        emoji_keys_ = emoji_.size() + multi_emoji_.size();
        multi_emoji_ = {};
    }

    template <class Text>
    void batch(std::span<const Text> texts, std::span<VaderScores> out, const VaderBatchOptions& options) const {
        if (texts.size() != out.size()) throw shape_mismatch("polarity_scores_batch: out.size() vs texts.size()", texts.size(), out.size());
        const int threads = resolve_threads(options.num_threads);
        parallelize(threads, texts.size(), [&](int, std::size_t start, std::size_t length) {
            VaderWorkspace workspace;
            for (std::size_t i = start; i < start + length; ++i) out[i] = score(std::string_view(texts[i]), workspace.scratch_);
        });
    }

    // ---- scoring ------------------------------------------------------------------------------

    VaderScores score(std::string_view text, Scratch& ws) const {
        namespace pu = detail::pyunicode;
        ws.summary_counted = false;  // only tokenize_ascii_short() counts them
#if defined(__SSE2__) && !defined(MUSICLAB_NO_SIMD)
        // ASCII text (the common case) is valid UTF-8 and has no emoji: tokenize directly; the
        // tokenizer gives up at the first byte >= 0x80 and the full path below runs instead.
        // Short texts (titles, tweets) take the whole-text mask tokenizer.
        if (!emoji_.has_ascii_keys()) {
            if (text.size() <= short_limit) {
                if (tokenize_ascii_short(text, ws))  // counted the marks, the ALL-CAPS and the lexicon words
                    return ws.any_lexicon ? valence_scores(ws, text) : no_sentiment(ws.token_count);
            } else if (text.size() < mask_limit) {
                if (tokenize_ascii_masks(text, ws)) return valence_scores(ws, text);  // counted the marks
            } else if (tokenize_sse2(text, ws, true)) {
                ws.marks_counted = false;
                return valence_scores(ws, text);
            }
        }
#endif
        // 1. any bytes -> valid UTF-8 (Python's errors="replace")
        // 2. emoji -> " description" (no space before it when the previous character is a space
        //    or it starts the text; none after it)
        const int scan = scan_text(text);
        if (scan & invalid_utf8) {
            ws.sanitized.clear();
            pu::append_utf8_replacing_invalid(text, ws.sanitized);
            text = ws.sanitized;
            if (scan_text(text) & has_emoji) {
                replace_emoji(text, ws.replaced);
                text = ws.replaced;
            }
        } else if (scan & has_emoji) {
            replace_emoji(text, ws.replaced);
            text = ws.replaced;
        }
        // 3. words: str.split(), then strip string.punctuation unless <= 2 characters remain
#if defined(__SSE2__) && !defined(MUSICLAB_NO_SIMD)
        tokenize_sse2(text, ws, false);
#else
        tokenize(text, ws);
#endif
        ws.marks_counted = false;
        return valence_scores(ws, text);
    }

    static constexpr int invalid_utf8 = 1, has_emoji = 2;

    // One pass: is the text valid UTF-8, does it contain a code point of the emoji lexicon.
    int scan_text(std::string_view text) const noexcept {
        const auto* p = reinterpret_cast<const unsigned char*>(text.data());
        const std::size_t n = text.size();
        const bool ascii_keys = emoji_.has_ascii_keys();
        int result = 0;
        std::size_t i = 0;
        while (i < n) {
            if (!ascii_keys) {  // skip ASCII 8 bytes at a time
                while (i + 8 <= n) {
                    std::uint64_t w;
                    std::memcpy(&w, p + i, 8);
                    if (w & 0x8080808080808080ULL) break;
                    i += 8;
                }
                while (i < n && p[i] < 0x80) ++i;
                if (i >= n) break;
            }
            if (p[i] < 0x80) {
                if (emoji_.find(p[i]) >= 0) result |= has_emoji;
                ++i;
                continue;
            }
            std::size_t bad = 0;
            const std::size_t len = detail::utf8_sequence(p + i, n - i, bad);
            if (len == 0) return result | invalid_utf8;
            std::size_t decoded = 0;
            if (emoji_.find(detail::pyunicode::decode(p + i, decoded)) >= 0) result |= has_emoji;
            i += len;
        }
        return result;
    }

    void replace_emoji(std::string_view text, std::string& out) const {
        out.clear();
        const auto* p = reinterpret_cast<const unsigned char*>(text.data());
        bool prev_space = true;
        for (std::size_t i = 0; i < text.size();) {
            std::size_t len = 0;
            const char32_t c = detail::pyunicode::decode(p + i, len);
            const std::int32_t d = emoji_.find(c);
            if (d >= 0) {
                if (!prev_space) out += ' ';
                out += emoji_.description(d);
                prev_space = false;
            } else {
                out.append(text.data() + i, len);
                prev_space = c == ' ';
            }
            i += len;
        }
    }

    void tokenize(std::string_view text, Scratch& ws) const {
        namespace pu = detail::pyunicode;
        namespace dv = detail::vader;
        const auto& classes = dv::byte_classes.of;
        const auto* p = reinterpret_cast<const unsigned char*>(text.data());
        const std::size_t n = text.size();
        // at most (n + 1) / 2 words: each is followed by a separator or the end
        if (ws.tokens.size() < n / 2 + 1) ws.tokens.resize(std::max<std::size_t>(n / 2 + 1, 64));
        Token* tokens = ws.tokens.data();
        std::size_t count = 0;
        if (ws.lower_ascii.size() < n) ws.lower_ascii.resize(std::max<std::size_t>(n, 256));
        char* lower = ws.lower_ascii.data();
        std::size_t i = 0;
        while (i < n) {
            // skip whitespace
            while (i < n) {
                if (p[i] < 0x80) {
                    if (!(classes[p[i]] & dv::bc_space)) break;
                    ++i;
                } else {
                    std::size_t len = 0;
                    if (!pu::is_space(pu::decode(p + i, len))) break;
                    i += len;
                }
            }
            if (i >= n) break;
            const std::size_t start = i;
            // Fast path for ASCII words: find the end, lowercase, hash and classify in one pass.
            std::uint8_t seen = 0;
            while (i < n) {
                const unsigned char b = p[i];
                const std::uint8_t cls = classes[b];
                if (cls & (dv::bc_space | dv::bc_high)) break;
                seen |= cls;
                const auto l = static_cast<unsigned char>(b | ((cls & dv::bc_upper) << 3));  // bc_upper << 3 == 0x20
                lower[i - start] = static_cast<char>(l);
                ++i;
            }
            if (i < n && p[i] >= 0x80) {
                // a non-ASCII character: finish the word code point by code point
                i = non_ascii_word_end(p, n, i);
                tokens[count++] = classify(text.substr(start, i - start), false, ws);
                continue;
            }
            const std::size_t len = i - start;
            if ((seen & dv::bc_punct) && ((classes[p[start]] & dv::bc_punct) || (classes[p[i - 1]] & dv::bc_punct))) {
                tokens[count++] = classify(text.substr(start, len), true, ws);  // leading/trailing punctuation
                continue;
            }
            const std::string_view word_lower(lower, len);
            const bool nt = (seen & dv::bc_punct) && word_lower.find("n't") != std::string_view::npos;
            tokens[count++] = make_token(lookup_word(word_lower), (seen & dv::bc_upper) && !(seen & dv::bc_lower), nt);
        }
        ws.token_count = count;
    }

    // End of the word that continues at i (which is not whitespace): the next Python whitespace.
    static std::size_t non_ascii_word_end(const unsigned char* p, std::size_t n, std::size_t i) noexcept {
        namespace pu = detail::pyunicode;
        while (i < n) {
            const unsigned char b = p[i];
            if (b < 0x80) {
                if (detail::vader::byte_classes.of[b] & detail::vader::bc_space) break;
                ++i;
            } else {
                std::size_t len = 0;
                if (pu::is_space(pu::decode(p + i, len))) break;
                i += len;
            }
        }
        return i;
    }

#if defined(__SSE2__)
    // Bytes of v that are x with lo <= x <= lo + span (unsigned), as a vector mask.
    MUSICLAB_VADER_INLINE static __m128i in_range(__m128i v, char lo, char span) noexcept {
        const __m128i t = _mm_sub_epi8(v, _mm_set1_epi8(lo));
        return _mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(span)), t);
    }
    MUSICLAB_VADER_INLINE static unsigned bits(__m128i m) noexcept { return static_cast<unsigned>(_mm_movemask_epi8(m)); }

    // tokenize() with 16 bytes at a time for ASCII words: the word end (Python whitespace or a
    // byte >= 0x80), the lowercase form and the character classes come from a few vector
    // operations instead of a loop with a branch per byte. The text is copied into a buffer padded
    // with 16 spaces, so every 16-byte load stays inside it. Same tokens as tokenize().
    // With ascii_only, returns false (tokens unusable) as soon as it meets a byte >= 0x80.
    bool tokenize_sse2(std::string_view text, Scratch& ws, bool ascii_only) const {
        namespace dv = detail::vader;
        const std::size_t n = text.size();
        if (ws.padded.size() < n + 16) ws.padded.resize(std::max<std::size_t>(n + 16, 256));
        if (ws.lower_ascii.size() < n + 16) ws.lower_ascii.resize(std::max<std::size_t>(n + 16, 256));
        if (ws.tokens.size() < n / 2 + 1) ws.tokens.resize(std::max<std::size_t>(n / 2 + 1, 64));
        char* buf = ws.padded.data();
        if (n > 0) std::memcpy(buf, text.data(), n);
        std::memset(buf + n, ' ', 16);
        const auto* p = reinterpret_cast<const unsigned char*>(buf);
        char* lower = ws.lower_ascii.data();
        Token* tokens = ws.tokens.data();
        std::size_t count = 0;
        std::size_t i = 0;
        while (i < n) {
            // skip whitespace
            const __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
            const unsigned space0 = bits(_mm_or_si128(in_range(v0, 0x09, 4), in_range(v0, 0x1C, 4)));
            if (space0 == 0xFFFF) {
                i += 16;
                continue;
            }
            i += static_cast<std::size_t>(std::countr_zero(~space0));
            if (i >= n) break;
            if (p[i] >= 0x80) {
                if (ascii_only) return false;
                std::size_t len = 0;
                if (detail::pyunicode::is_space(detail::pyunicode::decode(p + i, len))) {
                    i += len;
                    continue;
                }
                const std::size_t start = i;
                i = non_ascii_word_end(p, n, i);
                tokens[count++] = classify(text.substr(start, i - start), false, ws);
                continue;
            }
            const std::size_t start = i;
            unsigned upper = 0, lowercase = 0, punct = 0;
            while (true) {
                const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
                const __m128i up = in_range(v, 'A', 25);
                const __m128i lo = in_range(v, 'a', 25);
                const __m128i alnum = _mm_or_si128(_mm_or_si128(up, lo), in_range(v, '0', 9));
                const __m128i printable = in_range(v, 0x21, 0x7E - 0x21);
                const unsigned stop = bits(_mm_or_si128(in_range(v, 0x09, 4), in_range(v, 0x1C, 4))) | bits(v);
                const unsigned k = stop ? static_cast<unsigned>(std::countr_zero(stop)) : 16u;
                const unsigned in_word = (1u << k) - 1u;  // k <= 16
                _mm_storeu_si128(reinterpret_cast<__m128i*>(lower + (i - start)),
                                 _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20))));
                upper |= bits(up) & in_word;
                lowercase |= bits(lo) & in_word;
                punct |= bits(_mm_andnot_si128(alnum, printable)) & in_word;
                i += k;
                if (k < 16) break;
            }
            if (i < n && p[i] >= 0x80) {
                if (ascii_only) return false;
                i = non_ascii_word_end(p, n, i);
                tokens[count++] = classify(text.substr(start, i - start), false, ws);
                continue;
            }
            std::size_t len = i - start;
            const char* word = lower;
            const bool edge_punct = len > 16
                                        ? ((dv::byte_classes.of[p[start]] | dv::byte_classes.of[p[i - 1]]) & dv::bc_punct) != 0
                                        : (punct & (1u | (1u << (len - 1)))) != 0;  // bit k = byte k of the word
            if (edge_punct && len > 16) {
                tokens[count++] = classify(text.substr(start, len), true, ws);
                continue;
            }
            // past one block the bits of `punct` overlap: only "some punctuation inside" is known
            const std::uint64_t punct_bits = len <= 16 ? punct : (punct != 0 ? 2u : 0u);
            tokens[count++] = lowered_word_token(word, len, punct_bits, upper != 0 && lowercase == 0);
        }
        ws.token_count = count;
        return true;
    }
#endif

#if defined(__SSE2__)
    // ---- whole-text masks for short ASCII texts ----------------------------------------------
    // tokenize_sse2() classifies each word's bytes when it reaches the word. For a short text it
    // is cheaper to classify the whole text once: one pass of 16-byte blocks gives bit masks
    // (bit k = byte k of the text) of whitespace, upper case, lower case and punctuation, stores
    // the lowercased text and detects any byte >= 0x80 before a single word is looked up (so a
    // non-ASCII text wastes no lookups). Words are then runs of clear bits in the whitespace
    // mask, and each word's classes are the bits of its range.
    static constexpr std::size_t mask_limit = detail::vader::mask_text_limit;  // bytes; longer texts use tokenize_sse2
    static constexpr std::size_t mask_words = mask_limit / 64 + 2;

    // The token of an ASCII word already lowercased at `word` (len >= 1 bytes; its first 16 bytes
    // and whole 8-byte chunks past its end readable): bit k of `punct` (bits >= len clear; for len > 64 only
    // "nonzero = some punctuation inside") says byte k is punctuation. Strips leading and trailing punctuation as _strip_punc_if_word does (only
    // when more than 2 bytes remain), hashes the word from its 8-byte chunks (x86 is little
    // endian) and looks it up once for all its properties.
    MUSICLAB_VADER_INLINE Token lowered_word_token(const char* word, std::size_t len, std::uint64_t punct, bool is_upper) const noexcept {
        Token t;
        lowered_word_token(word, len, punct, is_upper, t);
        return t;
    }
    MUSICLAB_VADER_INLINE void lowered_word_token(const char* word, std::size_t len, std::uint64_t punct, bool is_upper, Token& out) const noexcept {
        namespace dv = detail::vader;
        if (len <= 64 && (punct & (1u | (std::uint64_t{1} << (len - 1))))) {  // leading or trailing punctuation
            const auto lead = static_cast<std::size_t>(std::countr_one(punct));
            const auto trail = static_cast<std::size_t>(std::countl_one(punct << (64 - len)));
            if (lead < len && len - lead - trail > 2) {  // else the word stays as it is
                word += lead;
                len -= lead + trail;
            }
        }
        // hash_bytes() from the 8-byte chunks; the first two (zero-padded, the second 0 when
        // len <= 8: masks from a table, no branch) are also the inline key
        auto chunk_at = [word, len](std::size_t c) {  // c < len
            std::uint64_t chunk;
            std::memcpy(&chunk, word + c, 8);
            return chunk & (~std::uint64_t{0} >> (64 - 8 * std::min<std::size_t>(len - c, 8)));  // no branch
        };
        const std::size_t head = std::min<std::size_t>(len, 16);
        std::uint64_t k0, k1;
        std::memcpy(&k0, word, 8);
        std::memcpy(&k1, word + 8, 8);
        k0 &= dv::head_masks.of[head][0];
        k1 &= dv::head_masks.of[head][1];
        std::uint64_t h = dv::hash_head(k0, k1);
        if (len > 16) [[unlikely]]
            for (std::size_t c = 16; c < len; c += 8) h = dv::hash_chunk(h, chunk_at(c));
        const std::string_view word_lower(word, len);
        const bool nt = punct && word_lower.find("n't") != std::string_view::npos;
        make_token(vocabulary_.lookup(k0, k1, word_lower, dv::hash_finish(h, len)), is_upper, nt, out);
    }

    // Bits pos..pos+len-1 of the mask m (1 <= len <= 64; m has a word past the last bit read).
    static std::uint64_t mask_bits(const std::uint64_t* m, std::size_t pos, std::size_t len) noexcept {
        const std::size_t w = pos >> 6, o = pos & 63;
        std::uint64_t x = m[w] >> o;
        if (o + len > 64) x |= m[w + 1] << (64 - o);  // o > 0 here
        return len == 64 ? x : x & ((std::uint64_t{1} << len) - 1);
    }
    // First position >= pos (< 64 * words) whose bit in m (words 64-bit words) equals `set`,
    // else 64 * words. (Every bit at or after the end of the text is whitespace, so a set bit is
    // always found; a clear one only while words remain.)
    static std::size_t next_bit(const std::uint64_t* m, std::size_t words, std::size_t pos, bool set) noexcept {
        std::size_t w = pos >> 6;
        const std::uint64_t flip = set ? 0 : ~std::uint64_t{0};
        std::uint64_t x = (m[w] ^ flip) & (~std::uint64_t{0} << (pos & 63));
        while (x == 0) {
            if (++w == words) return 64 * words;
            x = m[w] ^ flip;
        }
        return (w << 6) + static_cast<std::size_t>(std::countr_zero(x));
    }

    // ---- one-register masks for ASCII texts of at most 64 bytes (almost every title) ----------
    // tokenize_ascii_masks() with each mask in one 64-bit register: no mask arrays to clear, no
    // copy of the text (whole 16-byte blocks are loaded from it, the last partial block either
    // as the 16 bytes ending at the text's end or, for texts under 16 bytes, assembled from a few
    // overlapping scalar loads), and the words are the runs of a register.
    static constexpr std::size_t short_limit = 64;

    // Bytes 0..n-1 of p (n < 16) followed by spaces, as one vector, without reading past p + n.
    static __m128i load_short(const char* p, std::size_t n) noexcept {
        constexpr std::uint64_t spaces = 0x2020202020202020ULL;
        auto load8 = [](const char* q) { std::uint64_t x; std::memcpy(&x, q, 8); return x; };
        auto load4 = [](const char* q) { std::uint32_t x; std::memcpy(&x, q, 4); return std::uint64_t{x}; };
        std::uint64_t lo, hi = spaces;
        if (n >= 8) {
            lo = load8(p);
            const unsigned rest = static_cast<unsigned>(n - 8);  // 0..7 bytes in the high half
            hi = rest == 0 ? spaces : (load8(p + n - 8) >> (8 * (8 - rest))) | (spaces << (8 * rest));
        } else if (n >= 4) {
            lo = load4(p) | (load4(p + n - 4) << (8 * (n - 4)));  // overlapping bytes are equal
            lo |= spaces << (8 * n);
        } else if (n > 0) {
            const auto b = [p](std::size_t k) { return std::uint64_t{static_cast<unsigned char>(p[k])}; };
            lo = b(0) | (b(n >> 1) << (8 * (n >> 1))) | (b(n - 1) << (8 * (n - 1))) | (spaces << (8 * n));
        } else {
            lo = spaces;
        }
        return _mm_set_epi64x(static_cast<long long>(hi), static_cast<long long>(lo));
    }

    struct ShortMasks {
        std::uint64_t space = 0, upper = 0, lowercase = 0, punct = 0, bangs = 0, questions = 0;
    };
    // Adds the 16-byte block v, whose byte 0 is byte `at` of the text, to the masks and stores it
    // lowercased at lower + at; `fresh`: the bytes of v not seen in an earlier block.
    MUSICLAB_VADER_INLINE static void short_block(ShortMasks& m, __m128i v, char* lower, std::size_t at, unsigned fresh) noexcept {
        const __m128i up = in_range(v, 'A', 25);
        const __m128i lo = in_range(v, 'a', 25);
        const __m128i alnum = _mm_or_si128(_mm_or_si128(up, lo), in_range(v, '0', 9));
        const __m128i printable = in_range(v, 0x21, 0x7E - 0x21);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(lower + at), _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20))));
        m.space |= std::uint64_t{bits(_mm_or_si128(in_range(v, 0x09, 4), in_range(v, 0x1C, 4)))} << at;
        m.upper |= std::uint64_t{bits(up)} << at;
        m.lowercase |= std::uint64_t{bits(lo)} << at;
        m.punct |= std::uint64_t{bits(_mm_andnot_si128(alnum, printable))} << at;
        const __m128i bang = _mm_cmpeq_epi8(v, _mm_set1_epi8('!')), question = _mm_cmpeq_epi8(v, _mm_set1_epi8('?'));
        if ((bits(_mm_or_si128(bang, question)) & fresh) != 0) [[unlikely]] {  // most titles have neither
            m.bangs |= std::uint64_t{bits(bang) & fresh} << at;
            m.questions |= std::uint64_t{bits(question) & fresh} << at;
        }
    }

    // Whether the text (with some byte >= 0x80) is valid UTF-8 and has neither a code point of
    // the emoji lexicon nor a non-ASCII whitespace character.
    bool short_text_is_plain(std::string_view text) const noexcept {
        namespace pu = detail::pyunicode;
        const auto* p = reinterpret_cast<const unsigned char*>(text.data());
        const std::size_t n = text.size();
        for (std::size_t i = 0; i < n;) {
            if (p[i] < 0x80) {
                ++i;
                continue;
            }
            std::size_t bad = 0;
            const std::size_t len = detail::utf8_sequence(p + i, n - i, bad);
            if (len == 0) return false;
            std::size_t decoded = 0;
            const char32_t c = pu::decode(p + i, decoded);
            if (emoji_.find(c) >= 0 || pu::is_space(c)) return false;
            i += len;
        }
        return true;
    }

    // The same tokens as the full path for text.size() <= short_limit; false (tokens unusable)
    // for a text that short_text_is_plain() rejects.
    bool tokenize_ascii_short(std::string_view text, Scratch& ws) const {
        const std::size_t n = text.size();
        char* lower = ws.lower_text.data();  // Scratch sized lower_text and tokens
        ShortMasks m;
        auto block = [&](__m128i v, std::size_t at, unsigned fresh) MUSICLAB_VADER_LAMBDA_INLINE { short_block(m, v, lower, at, fresh); };
        std::uint64_t high = 0;  // bit k: byte k >= 0x80
        if (n < 16) {
            const __m128i v = load_short(text.data(), n);
            high = bits(v);
            block(v, 0, 0xFFFFu);
        } else {
            std::size_t b = 0;
            for (; b + 16 <= n; b += 16) {
                const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + b));
                high |= std::uint64_t{bits(v)} << b;
                block(v, b, 0xFFFFu);
            }
            if (b < n) {  // the 16 bytes ending at the end of the text; the first 16 - (n - b) were seen
                const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + n - 16));
                high |= std::uint64_t{bits(v)} << (n - 16);
                block(v, n - 16, 0xFFFFu << (16 - (n - b)));
            }
        }
        // Non-ASCII bytes: still this tokenizer when the text is valid UTF-8 without emoji and
        // without non-ASCII whitespace (then the ASCII whitespace mask splits it exactly as
        // str.split() does, and the words with non-ASCII bytes go through classify()); else the
        // full path.
        if (high != 0 && !short_text_is_plain(text)) return false;
        ws.marks_counted = true;
        ws.exclamations = m.bangs == 0 ? 0 : static_cast<std::size_t>(std::popcount(m.bangs));
        ws.questions = m.questions == 0 ? 0 : static_cast<std::size_t>(std::popcount(m.questions));
        std::uint64_t space = m.space;
        const std::uint64_t upper = m.upper, lowercase = m.lowercase, punct = m.punct;
        // bits n..63 (past the end) are whitespace; `words` = the bytes of all words not yet taken
        if (n < 64) space |= ~std::uint64_t{0} << n;
        std::uint64_t words = ~space;
        Token* tokens = ws.tokens.data();
        std::size_t count = 0, upper_words = 0;
        bool any_lexicon = false;
        while (words != 0) {
            const std::uint64_t low = words & (~words + 1);  // first byte of the next word
            const std::uint64_t after = words + low;        // the word's run cleared, the bit after it set
            const std::uint64_t run = words & ~after;        // the word's bytes
            const auto start = static_cast<std::size_t>(std::countr_zero(low));
            const std::size_t end = after == 0 ? 64 : static_cast<std::size_t>(std::countr_zero(after));
            const std::size_t len = end - start;
            words &= after;
            const std::uint64_t p = (punct & run) >> start;
            const bool is_upper = ((upper & run) != 0) & ((lowercase & run) == 0);
            Token& t = tokens[count++];  // written in place
            if ((run & high) == 0) lowered_word_token(lower + start, len, p, is_upper, t);
            else t = classify(text.substr(start, len), false, ws);
            upper_words += t.upper;
            any_lexicon |= t.in_lexicon();
        }
        ws.token_count = count;
        ws.summary_counted = true;
        ws.upper_words = upper_words;
        ws.any_lexicon = any_lexicon;
        return true;
    }

    // The same tokens as tokenize_sse2(text, ws, true) for text.size() < mask_limit; false (tokens
    // unusable) when the text has a byte >= 0x80.
    bool tokenize_ascii_masks(std::string_view text, Scratch& ws) const {
        namespace dv = detail::vader;
        const std::size_t n = text.size();
        char* lower = ws.lower_text.data();  // Scratch sized lower_text, lower_ascii (classify()) and tokens
        // words = mask words in use: the blocks, and one more so that mask_bits() may read past
        // the last bit of the text
        const std::size_t words = ((n + 15) >> 6) + 2;
        std::uint64_t space[mask_words] = {}, upper[mask_words] = {}, lowercase[mask_words] = {},
                      punct[mask_words] = {};
        std::size_t exclamations = 0, questions = 0;
        for (std::size_t b = 0; b < n; b += 16) {
            // whole blocks straight from the text; the last partial block from a copy padded
            // with spaces (no copy of the whole text)
            __m128i v;
            if (b + 16 <= n) {
                v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + b));
            } else {
                alignas(16) char tail[16];
                std::memset(tail, ' ', 16);
                std::memcpy(tail, text.data() + b, n - b);
                v = _mm_load_si128(reinterpret_cast<const __m128i*>(tail));
            }
            if (bits(v) != 0) return false;  // a byte >= 0x80: the full path
            const __m128i up = in_range(v, 'A', 25);
            const __m128i lo = in_range(v, 'a', 25);
            const __m128i alnum = _mm_or_si128(_mm_or_si128(up, lo), in_range(v, '0', 9));
            const __m128i printable = in_range(v, 0x21, 0x7E - 0x21);
            _mm_storeu_si128(reinterpret_cast<__m128i*>(lower + b), _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20))));
            const std::size_t w = b >> 6;
            const unsigned shift = static_cast<unsigned>(b & 63);
            space[w] |= std::uint64_t{bits(_mm_or_si128(in_range(v, 0x09, 4), in_range(v, 0x1C, 4)))} << shift;
            upper[w] |= std::uint64_t{bits(up)} << shift;
            lowercase[w] |= std::uint64_t{bits(lo)} << shift;
            punct[w] |= std::uint64_t{bits(_mm_andnot_si128(alnum, printable))} << shift;
            // score_valence's "!" and "?" counts come from the same pass
            // (most blocks have neither: popcount is a library call without -mpopcnt)
            const unsigned marks = bits(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('!')), _mm_cmpeq_epi8(v, _mm_set1_epi8('?'))));
            if (marks != 0) {
                exclamations += static_cast<std::size_t>(std::popcount(bits(_mm_cmpeq_epi8(v, _mm_set1_epi8('!')))));
                questions += static_cast<std::size_t>(std::popcount(bits(_mm_cmpeq_epi8(v, _mm_set1_epi8('?')))));
            }
        }
        ws.marks_counted = true;
        ws.exclamations = exclamations;
        ws.questions = questions;
        // everything from the end of the text on is whitespace (ends the last word)
        space[n >> 6] |= ~std::uint64_t{0} << (n & 63);
        for (std::size_t w = (n >> 6) + 1; w < words; ++w) space[w] = ~std::uint64_t{0};

        Token* tokens = ws.tokens.data();
        std::size_t count = 0;
        for (std::size_t start = next_bit(space, words, 0, false); start < n; start = next_bit(space, words, start, false)) {
            const std::size_t end = next_bit(space, words, start, true);
            std::size_t len = end - start;
            if (len > 64) {  // rare: the generic ASCII classifier
                tokens[count++] = classify(text.substr(start, len), true, ws);
                start = end;
                continue;
            }
            const std::uint64_t p = mask_bits(punct, start, len);
            const bool is_upper = mask_bits(upper, start, len) != 0 && mask_bits(lowercase, start, len) == 0;
            const char* word = lower + start;
            start = end;
            tokens[count++] = lowered_word_token(word, len, p, is_upper);
        }
        ws.token_count = count;
        return true;
    }
#endif

    MUSICLAB_VADER_INLINE static void make_token(const detail::vader::Packed& entry, bool upper, bool nt, Token& t) noexcept {
        namespace dv = detail::vader;
        t.valence = entry.valence;  // 0 unless in the lexicon
        t.flags = static_cast<dv::PackedFlag>(entry.flags);
        t.keyword = static_cast<dv::Keyword>(entry.keyword);
        t.negated = (entry.flags & dv::pf_negate) || nt;
        t.upper = upper;
    }
    MUSICLAB_VADER_INLINE static Token make_token(const detail::vader::Packed& entry, bool upper, bool nt) noexcept {
        Token t;
        make_token(entry, upper, nt, t);
        return t;
    }

    // The entry of an arbitrary word (any length, not padded).
    const detail::vader::Packed& lookup_word(std::string_view word) const noexcept {
        char head[16] = {};
        std::memcpy(head, word.data(), std::min<std::size_t>(word.size(), 16));
        std::uint64_t k[2];
        std::memcpy(k, head, 16);
        return vocabulary_.lookup(k[0], k[1], word, detail::vader::hash_bytes(word));
    }

    Token classify(std::string_view word, bool ascii, Scratch& ws) const {
        namespace pu = detail::pyunicode;
        // _strip_punc_if_word
        std::size_t b = 0, e = word.size();
        const auto& classes = detail::vader::byte_classes.of;
        while (b < e && (classes[static_cast<unsigned char>(word[b])] & detail::vader::bc_punct)) ++b;
        while (e > b && (classes[static_cast<unsigned char>(word[e - 1])] & detail::vader::bc_punct)) --e;
        if (b != 0 || e != word.size()) {
            const std::string_view stripped = word.substr(b, e - b);
            if (stripped.size() > 2 && (ascii || pu::code_points(stripped) > 2)) word = stripped;
        }
        Token t{};
        std::string_view lower;
        bool apostrophe = false;
        if (ascii) {
            namespace dv = detail::vader;
            std::uint8_t seen = 0;
            char* out = ws.lower_ascii.data();  // tokenize() sized it to the text
            for (std::size_t k = 0; k < word.size(); ++k) {
                const auto c = static_cast<unsigned char>(word[k]);
                const std::uint8_t cls = dv::byte_classes.of[c];
                seen |= cls;
                const auto l = static_cast<unsigned char>(c | ((cls & dv::bc_upper) << 3));
                out[k] = static_cast<char>(l);
                apostrophe |= c == '\'';
            }
            t.upper = (seen & dv::bc_upper) && !(seen & dv::bc_lower);
            lower = std::string_view(out, word.size());
        } else {
            bool may_match = true;
            if (!lower_bmp(word, ws, lower, t.upper, may_match)) {
                ws.lower.clear();
                t.upper = pu::append_lower_is_upper(word, ws.lower);
                lower = ws.lower;
            }
            apostrophe = lower.find('\'') != std::string_view::npos;
            if (!may_match) {
                const bool nt = apostrophe && lower.find("n't") != std::string_view::npos;
                return make_token(vocabulary_.null_entry(), t.upper, nt);
            }
        }
        const bool nt = apostrophe && lower.find("n't") != std::string_view::npos;
        return make_token(lookup_word(lower), t.upper, nt);
    }

    // pyunicode::append_lower_is_upper() for words of ASCII and BMP code points (table lookups;
    // no property search); false (nothing usable) for a word it leaves to that function.
    // `may_match` is false when a lead byte of the lowercased word occurs in no lexicon key (the
    // lookup is then skipped: a CJK word, say, with the lexicon's almost-ASCII keys).
    bool lower_bmp(std::string_view word, Scratch& ws, std::string_view& lower, bool& is_upper, bool& may_match) const {
        namespace dv = detail::vader;
        const std::uint32_t* table = dv::bmp_case_table();
        if (ws.lower_bmp.size() < 2 * word.size()) ws.lower_bmp.resize(2 * word.size() + 64);  // 2 -> 3 bytes at most
        char* out = ws.lower_bmp.data();
        const auto* p = reinterpret_cast<const unsigned char*>(word.data());
        const std::size_t n = word.size();
        std::size_t o = 0;
        bool cased = false, not_upper = false, keys_have = true;
        for (std::size_t i = 0; i < n;) {
            const unsigned char b = p[i];
            if (b < 0x80) {
                const bool up = b >= 'A' && b <= 'Z';
                cased |= up;
                not_upper |= b >= 'a' && b <= 'z';
                out[o++] = static_cast<char>(up ? b + ('a' - 'A') : b);
                ++i;
                continue;
            }
            if (b >= 0xF0) return false;  // outside the BMP (the text is valid UTF-8 here)
            std::size_t len = 0;
            const char32_t c = detail::pyunicode::decode(p + i, len);
            const std::uint32_t v = table[c];
            if (v & dv::case_full_path) return false;
            not_upper |= (v & dv::case_not_upper) != 0;
            cased |= (v & dv::case_upper) != 0;
            const auto l = static_cast<char32_t>(v & 0xFFFF);  // >= 0x80
            const auto lead = static_cast<unsigned char>(l < 0x800 ? 0xC0 | (l >> 6) : 0xE0 | (l >> 12));
            keys_have &= vocabulary_.key_byte(lead);
            if (l < 0x800) {
                out[o++] = static_cast<char>(0xC0 | (l >> 6));
                out[o++] = static_cast<char>(0x80 | (l & 0x3F));
            } else {
                out[o++] = static_cast<char>(0xE0 | (l >> 12));
                out[o++] = static_cast<char>(0x80 | ((l >> 6) & 0x3F));
                out[o++] = static_cast<char>(0x80 | (l & 0x3F));
            }
            i += len;
        }
        lower = std::string_view(out, o);
        is_upper = cased && !not_upper;
        may_match = keys_have;
        return true;
    }

    // scalar_inc_dec of the reference for the word w preceding a lexicon word of valence `valence`.
    MUSICLAB_VADER_FP_EXACT static double scalar_inc_dec(const Token& w, double valence, bool cap_diff) noexcept {
        double scalar = 0.0;
        if (w.is_booster()) {
            scalar = w.booster();
            if (valence < 0) scalar *= -1;
            if (w.upper && cap_diff) {
                if (valence > 0) scalar += detail::vader::c_incr;
                else scalar -= detail::vader::c_incr;
            }
        }
        return scalar;
    }

    MUSICLAB_VADER_FP_EXACT static double negation_check(double valence, const Token* w, int start_i, std::size_t i) noexcept {
        namespace dv = detail::vader;
        auto kw = [&](std::size_t k) { return w[k].keyword; };
        if (start_i == 0) {
            if (w[i - 1].negated) valence = valence * dv::n_scalar;
        } else if (start_i == 1) {
            if (kw(i - 2) == dv::kw_never && (kw(i - 1) == dv::kw_so || kw(i - 1) == dv::kw_this)) {
                valence = valence * 1.25;
            } else if (kw(i - 2) == dv::kw_without && kw(i - 1) == dv::kw_doubt) {
                // unchanged
            } else if (w[i - 2].negated) {
                valence = valence * dv::n_scalar;
            }
        } else {
            // as written in the reference: (never and (so or this) two back) or (so or this one back)
            if ((kw(i - 3) == dv::kw_never && (kw(i - 2) == dv::kw_so || kw(i - 2) == dv::kw_this)) ||
                (kw(i - 1) == dv::kw_so || kw(i - 1) == dv::kw_this)) {
                valence = valence * 1.25;
            } else if (kw(i - 3) == dv::kw_without && (kw(i - 2) == dv::kw_doubt || kw(i - 1) == dv::kw_doubt)) {
                // unchanged
            } else if (w[i - 3].negated) {
                valence = valence * dv::n_scalar;
            }
        }
        return valence;
    }

    // The special-case value of the words first..first+length-1, or false.
    static bool special_case(const Token* w, std::size_t first, int length, double& value) noexcept {
        if (!((special_first_words >> w[first].keyword) & 1)) return false;  // most words start none
        for (const auto& sc : detail::vader::special_cases) {
            if (sc.length != length) continue;
            bool match = true;
            for (int k = 0; k < length && match; ++k) match = w[first + static_cast<std::size_t>(k)].keyword == sc.words[k];
            if (match) {
                value = sc.valence;
                return true;
            }
        }
        return false;
    }

    // Bit k: keyword k is the first word of a special case.
    static constexpr std::uint64_t special_first_words = [] {
        std::uint64_t m = 0;
        for (const auto& sc : detail::vader::special_cases) m |= std::uint64_t{1} << sc.words[0];
        return m;
    }();
    static_assert(detail::vader::kw_count <= 64);

    static bool booster_bigram(const Token* w, std::size_t first) noexcept {
        for (const auto& bg : detail::vader::booster_bigrams)
            if (w[first].keyword == bg.first && w[first + 1].keyword == bg.second) return true;
        return false;
    }

    // _special_idioms_check (i >= 3).
    MUSICLAB_VADER_FP_EXACT static double special_idioms_check(double valence, const Token* w, std::size_t n, std::size_t i) noexcept {
        double v = 0.0;
        // onezero, twoonezero, twoone, threetwoone, threetwo: the first that is a special case
        if (special_case(w, i - 1, 2, v) || special_case(w, i - 2, 3, v) || special_case(w, i - 2, 2, v) ||
            special_case(w, i - 3, 3, v) || special_case(w, i - 3, 2, v))
            valence = v;
        if (n - 1 > i && special_case(w, i, 2, v)) valence = v;
        if (n - 1 > i + 1 && special_case(w, i, 3, v)) valence = v;
        // booster bigrams among threetwoone (3 words: never a bigram), threetwo, twoone
        if (booster_bigram(w, i - 3)) valence = valence + detail::vader::b_decr;
        if (booster_bigram(w, i - 2)) valence = valence + detail::vader::b_decr;
        return valence;
    }

    MUSICLAB_VADER_FP_EXACT static double least_check(double valence, const Token* w, std::size_t i) noexcept {
        namespace dv = detail::vader;
        if (i > 1 && !w[i - 1].in_lexicon() && w[i - 1].keyword == dv::kw_least) {
            if (w[i - 2].keyword != dv::kw_at && w[i - 2].keyword != dv::kw_very) valence = valence * dv::n_scalar;
        } else if (i > 0 && !w[i - 1].in_lexicon() && w[i - 1].keyword == dv::kw_least) {
            valence = valence * dv::n_scalar;
        }
        return valence;
    }

    // sentiment_valence for the lexicon word i.
    MUSICLAB_VADER_FP_EXACT MUSICLAB_VADER_INLINE static double word_valence(const Token* w, std::size_t n, std::size_t i, bool cap_diff) noexcept {
        MUSICLAB_VADER_NO_FP_CONTRACT
        namespace dv = detail::vader;
        const Token& item = w[i];
        double valence = item.valence;
        if (item.keyword == dv::kw_no && i != n - 1 && w[i + 1].in_lexicon()) valence = 0.0;
        if ((i > 0 && w[i - 1].keyword == dv::kw_no) || (i > 1 && w[i - 2].keyword == dv::kw_no) ||
            (i > 2 && w[i - 3].keyword == dv::kw_no && (w[i - 1].keyword == dv::kw_or || w[i - 1].keyword == dv::kw_nor)))
            valence = item.valence * dv::n_scalar;
        if (item.upper && cap_diff) {
            if (valence > 0) valence += dv::c_incr;
            else valence -= dv::c_incr;
        }
        for (int start_i = 0; start_i < 3; ++start_i) {
            const auto back = static_cast<std::size_t>(start_i) + 1;
            if (i > static_cast<std::size_t>(start_i) && !w[i - back].in_lexicon()) {
                double s = scalar_inc_dec(w[i - back], valence, cap_diff);
                if (start_i == 1 && s != 0) s = s * 0.95;
                if (start_i == 2 && s != 0) s = s * 0.9;
                valence = valence + s;
                valence = negation_check(valence, w, start_i, i);
                if (start_i == 2) valence = special_idioms_check(valence, w, n, i);
            }
        }
        return least_check(valence, w, i);
    }

    // The scores of a text whose sentiments are all 0 (no lexicon word, or only neutral ones): all
    // 0 without words, else neu 1. score() returns it directly for short texts without lexicon
    // words, sparing the valence_scores() call.
    static VaderScores no_sentiment(std::size_t words) noexcept {
        VaderScores r;
        if (words != 0) r.neu = r.neu_raw = 1.0;
        return r;
    }

    MUSICLAB_VADER_FP_EXACT static VaderScores valence_scores(Scratch& ws, std::string_view text) {
        MUSICLAB_VADER_NO_FP_CONTRACT
        namespace dv = detail::vader;
        const Token* w = ws.tokens.data();
        const std::size_t n = ws.token_count;
        if (n == 0) return no_sentiment(0);  // no words: all 0.0, as the reference

        std::size_t upper_words = ws.upper_words;
        bool any_lexicon = ws.any_lexicon;
        if (!ws.summary_counted) {
            upper_words = 0;
            any_lexicon = false;
            for (std::size_t i = 0; i < n; ++i) {
                upper_words += w[i].upper;
                any_lexicon |= w[i].in_lexicon();
            }
        }
        if (!any_lexicon) return no_sentiment(n);  // no lexicon word: every sentiment is 0 (see below)
        const bool cap_diff = upper_words > 0 && upper_words < n;

        // sentiments[0..n): every element written below (no fill, no memset call)
        if (ws.sentiments.size() < n) ws.sentiments.resize(std::max<std::size_t>(n, 64));
        const std::span<double> s(ws.sentiments.data(), n);
        std::size_t but_index = n;
        bool any_sentiment = false;
        for (std::size_t i = 0; i < n; ++i) {
            s[i] = 0.0;
            if (w[i].keyword == dv::kw_but && but_index == n) but_index = i;
            if (w[i].is_booster()) continue;
            if (i < n - 1 && w[i].keyword == dv::kw_kind && w[i + 1].keyword == dv::kw_of) continue;
            if (w[i].in_lexicon()) {
                s[i] = word_valence(w, n, i, cap_diff);
                any_sentiment |= s[i] != 0;
            }
        }
        // all words neutral: the reference's arithmetic gives exactly these values (compound
        // 0 / sqrt(15) = 0, neu = n / n = 1)
        if (!any_sentiment) return no_sentiment(n);
        if (but_index < n) dv::but_check(s, but_index, ws);

        // score_valence; "!" and "?" are counted in the whole text (emoji descriptions included)
        std::size_t exclamations = ws.exclamations, questions = ws.questions;
        if (!ws.marks_counted) {
            exclamations = questions = 0;
            for (const char c : text) {
                exclamations += c == '!';
                questions += c == '?';
            }
        }
        // one pass for sum(sentiments) and the positive/negative/neutral sums (each accumulated
        // in the reference's order; adding 0.0 to a sum that is never -0.0 leaves it unchanged,
        // so the selections need no branch)
        double sum_s = 0.0, pos_sum = 0.0, neg_sum = 0.0;
        std::size_t neu_count = 0;
        for (const double v : s) {
            sum_s += v;
            pos_sum += v > 0 ? (v + 1) : 0.0;
            neg_sum += v < 0 ? (v - 1) : 0.0;
            neu_count += v == 0;
        }
        const double ep = static_cast<double>(std::min<std::size_t>(exclamations, 4)) * 0.292;
        double qm = 0.0;
        if (questions > 1) qm = questions <= 3 ? static_cast<double>(questions) * 0.18 : 0.96;
        const double punct = ep + qm;
        if (sum_s > 0) sum_s += punct;
        else if (sum_s < 0) sum_s -= punct;
        double compound = sum_s / std::sqrt((sum_s * sum_s) + dv::alpha);
        if (compound < -1.0) compound = -1.0;
        else if (compound > 1.0) compound = 1.0;

        if (pos_sum > std::fabs(neg_sum)) pos_sum += punct;
        else if (pos_sum < std::fabs(neg_sum)) neg_sum -= punct;
        const double total = pos_sum + std::fabs(neg_sum) + static_cast<double>(neu_count);
        VaderScores r;
        r.pos_raw = std::fabs(pos_sum / total);
        r.neg_raw = std::fabs(neg_sum / total);
        r.neu_raw = std::fabs(static_cast<double>(neu_count) / total);
        r.compound_raw = compound;
        r.neg = dv::python_round(r.neg_raw, 3);
        r.neu = dv::python_round(r.neu_raw, 3);
        r.pos = dv::python_round(r.pos_raw, 3);
        r.compound = dv::python_round(r.compound_raw, 4);
        return r;
    }

    detail::vader::Vocabulary vocabulary_;
    detail::vader::EmojiMap emoji_;
    std::unordered_set<std::string> multi_emoji_;  // only counted while loading (never matched)
    std::size_t lexicon_size_ = 0;
    std::size_t emoji_keys_ = 0;
};

}  // namespace musiclab::text

#undef MUSICLAB_VADER_NO_FP_CONTRACT
#undef MUSICLAB_VADER_FP_EXACT
#undef MUSICLAB_VADER_INLINE
#undef MUSICLAB_VADER_LAMBDA_INLINE
