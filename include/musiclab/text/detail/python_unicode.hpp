// Python 3 string semantics on UTF-8 bytes: what str.split(), str.lower(), str.isupper() and
// bytes.decode("utf-8", errors="replace") do, code point by code point. Unicode properties come
// from libutf8proc (general category, bidi class, simple lowercase mapping); the two derived
// properties it does not expose (Other_Lowercase / Other_Uppercase of characters without a case
// mapping, and the Word_Break members of Case_Ignorable) are the short range lists below.
//
// Checked exhaustively against CPython 3.11 (Unicode 14.0) over all 1,112,064 code points with
// utf8proc 2.8 (Unicode 15.0): isspace, lower, islower and isupper of every single character and
// the Case_Ignorable set agree, except for characters first assigned in Unicode 15 (e.g.
// U+1DF25..U+1DF2A are lowercase here and unassigned in Python 3.11).
//
// Internal to musiclab (namespace musiclab::detail::pyunicode); all functions are thread-safe.
#pragma once

#include "../../core/utf8.hpp"

#include <utf8proc.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace musiclab::detail::pyunicode {

/// Byte offset of the first invalid UTF-8 sequence in `s`, or s.size() when `s` is valid UTF-8.
inline std::size_t first_invalid_utf8(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) { ++i; continue; }
        std::size_t bad = 0;
        const std::size_t len = musiclab::detail::utf8_sequence(p + i, n - i, bad);
        if (len == 0) return i;
        i += len;
    }
    return n;
}

/// Appends `s` decoded as Python's `s.decode("utf-8", errors="replace")` and re-encoded: every
/// maximal invalid subpart becomes U+FFFD (EF BF BD); valid sequences are copied unchanged.
inline void append_utf8_replacing_invalid(std::string_view s, std::string& out) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        std::size_t bad = 0;
        const std::size_t len = musiclab::detail::utf8_sequence(p + i, n - i, bad);
        if (len > 0) {
            out.append(s.data() + i, len);
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            i += bad;
        }
    }
}

/// Decodes the code point at p (valid UTF-8 with at least its full sequence available) and
/// stores its byte length in `len`.
inline char32_t decode(const unsigned char* p, std::size_t& len) noexcept {
    const unsigned char c = p[0];
    if (c < 0x80) { len = 1; return c; }
    if (c < 0xE0) { len = 2; return (char32_t(c & 0x1F) << 6) | (p[1] & 0x3F); }
    if (c < 0xF0) { len = 3; return (char32_t(c & 0x0F) << 12) | (char32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F); }
    len = 4;
    return (char32_t(c & 0x07) << 18) | (char32_t(p[1] & 0x3F) << 12) | (char32_t(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

/// Appends the UTF-8 encoding of the code point c (see core/utf8.hpp).
inline void encode(char32_t c, std::string& out) { musiclab::detail::append_utf8(c, out); }

struct CodePointRange {
    char32_t first, last;
};

template <std::size_t N>
constexpr bool in_ranges(const CodePointRange (&ranges)[N], char32_t c) noexcept {
    if (c < ranges[0].first || c > ranges[N - 1].last) return false;
    std::size_t lo = 0, hi = N;  // binary search: the last range with first <= c
    while (hi - lo > 1) {
        const std::size_t mid = (lo + hi) / 2;
        if (ranges[mid].first <= c) lo = mid;
        else hi = mid;
    }
    return c <= ranges[lo].last;
}

// Other_Lowercase characters whose general category is not Ll (PropList.txt, Unicode 14; the
// same set CPython's str.islower() sees). Sorted.
inline constexpr CodePointRange other_lowercase_not_ll[] = {
    {0xAA, 0xAA},       {0xBA, 0xBA},       {0x2B0, 0x2B8},     {0x2C0, 0x2C1},     {0x2E0, 0x2E4},
    {0x345, 0x345},     {0x37A, 0x37A},     {0x1D2C, 0x1D6A},   {0x1D78, 0x1D78},   {0x1D9B, 0x1DBF},
    {0x2071, 0x2071},   {0x207F, 0x207F},   {0x2090, 0x209C},   {0x2170, 0x217F},   {0x24D0, 0x24E9},
    {0x2C7C, 0x2C7D},   {0xA69C, 0xA69D},   {0xA770, 0xA770},   {0xA7F8, 0xA7F9},   {0xAB5C, 0xAB5F},
    {0x10780, 0x10780}, {0x10783, 0x10785}, {0x10787, 0x107B0}, {0x107B2, 0x107BA},
};
// Other_Uppercase characters whose general category is not Lu (Roman numerals, circled and
// squared Latin capitals). Sorted.
inline constexpr CodePointRange other_uppercase_not_lu[] = {
    {0x2160, 0x216F}, {0x24B6, 0x24CF}, {0x1F130, 0x1F149}, {0x1F150, 0x1F169}, {0x1F170, 0x1F189},
};
// Case_Ignorable characters outside the categories Mn, Me, Cf, Lm, Sk: Word_Break MidLetter,
// MidNumLet and Single_Quote. Sorted.
inline constexpr CodePointRange case_ignorable_punctuation[] = {
    {0x27, 0x27},     {0x2E, 0x2E},     {0x3A, 0x3A},     {0xB7, 0xB7},     {0x387, 0x387},   {0x55F, 0x55F},
    {0x5F4, 0x5F4},   {0x2018, 0x2019}, {0x2024, 0x2024}, {0x2027, 0x2027}, {0xFE13, 0xFE13}, {0xFE52, 0xFE52},
    {0xFE55, 0xFE55}, {0xFF07, 0xFF07}, {0xFF0E, 0xFF0E}, {0xFF1A, 0xFF1A},
};

inline int category(char32_t c) noexcept { return utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->category; }

/// A fast pre-filter: false for every code point >= 0x80 that is certainly not whitespace
/// (all non-ASCII Zs/WS/B/S characters of Unicode 15 are U+0085, U+00A0, U+1680, U+2000..U+205F
/// or U+3000; the tests check this over all code points against utf8proc).
constexpr bool may_be_space(char32_t c) noexcept {
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x205F) || c == 0x3000;
}

/// Python's str.isspace() of one character: general category Zs or bidi class WS, B or S
/// (TAB..CR, U+001C..U+001F, space, U+0085, NBSP, U+1680, U+2000..U+200A, U+2028, U+2029,
/// U+202F, U+205F, U+3000; not U+200B).
inline bool is_space(char32_t c) noexcept {
    if (c < 0x80) return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
    if (!may_be_space(c)) return false;
    const auto* p = utf8proc_get_property(static_cast<utf8proc_int32_t>(c));
    return p->category == UTF8PROC_CATEGORY_ZS || p->bidi_class == UTF8PROC_BIDI_CLASS_WS ||
           p->bidi_class == UTF8PROC_BIDI_CLASS_B || p->bidi_class == UTF8PROC_BIDI_CLASS_S;
}

/// The derived property Lowercase (Ll + Other_Lowercase): Python's islower() of one character.
inline bool is_lowercase(char32_t c) noexcept {
    if (c < 0x80) return c >= 'a' && c <= 'z';
    return category(c) == UTF8PROC_CATEGORY_LL || in_ranges(other_lowercase_not_ll, c);
}

/// The derived property Uppercase (Lu + Other_Uppercase): Python's isupper() of one character.
inline bool is_uppercase(char32_t c) noexcept {
    if (c < 0x80) return c >= 'A' && c <= 'Z';
    return category(c) == UTF8PROC_CATEGORY_LU || in_ranges(other_uppercase_not_lu, c);
}

inline bool is_titlecase(char32_t c) noexcept { return c >= 0x80 && category(c) == UTF8PROC_CATEGORY_LT; }

/// The derived property Cased (Lowercase, Uppercase or Lt).
inline bool is_cased(char32_t c) noexcept { return is_lowercase(c) || is_uppercase(c) || is_titlecase(c); }

/// The derived property Case_Ignorable (Mn, Me, Cf, Lm, Sk and the Word_Break mid-letter marks).
inline bool is_case_ignorable(char32_t c) noexcept {
    if (in_ranges(case_ignorable_punctuation, c)) return true;
    if (c < 0x80) return c == '^' || c == '`';  // Sk
    const int cat = category(c);
    return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME || cat == UTF8PROC_CATEGORY_CF ||
           cat == UTF8PROC_CATEGORY_LM || cat == UTF8PROC_CATEGORY_SK;
}

/// Python's str.isupper() of the valid UTF-8 string s: at least one Uppercase character and no
/// Lowercase or titlecase character.
inline bool is_upper(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    bool cased = false;
    for (std::size_t i = 0; i < n;) {
        if (p[i] < 0x80) {
            const unsigned char b = p[i++];
            if (b >= 'a' && b <= 'z') return false;
            cased |= (b >= 'A' && b <= 'Z');
            continue;
        }
        std::size_t len = 0;
        const char32_t c = decode(p + i, len);
        i += len;
        if (is_lowercase(c) || is_titlecase(c)) return false;
        cased |= is_uppercase(c);
    }
    return cased;
}

/// Python's final-sigma test for the capital sigma at byte offset `at` of s (CPython's
/// handle_capital_sigma): preceded by a cased letter and not followed by one, skipping
/// case-ignorable characters on both sides.
inline bool is_final_sigma(std::string_view s, std::size_t at) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    // backwards: find the previous character that is not case-ignorable
    std::size_t j = at;
    bool final_sigma = false;
    while (j > 0) {
        std::size_t start = j - 1;
        while (start > 0 && (p[start] & 0xC0) == 0x80) --start;
        std::size_t len = 0;
        const char32_t c = decode(p + start, len);
        j = start;
        if (!is_case_ignorable(c)) {
            final_sigma = is_cased(c);
            break;
        }
    }
    if (!final_sigma) return false;
    std::size_t k = at + 2;  // U+03A3 is two bytes
    while (k < s.size()) {
        std::size_t len = 0;
        const char32_t c = decode(p + k, len);
        k += len;
        if (!is_case_ignorable(c)) return !is_cased(c);
    }
    return true;
}

/// Appends Python's s.lower() of the valid UTF-8 string s: simple lowercase mappings, U+0130 ->
/// "i" U+0307 (SpecialCasing), and U+03A3 -> U+03C2 in the final-sigma context, else U+03C3.
inline void append_lower(std::string_view s, std::string& out) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned char b = p[i];
        if (b < 0x80) {
            out += static_cast<char>(b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b);
            ++i;
            continue;
        }
        std::size_t len = 0;
        const char32_t c = decode(p + i, len);
        if (c == 0x130) {
            out += "i\xCC\x87";
        } else if (c == 0x3A3) {
            out += is_final_sigma(s, i) ? "\xCF\x82" : "\xCF\x83";
        } else {
            const auto lower = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
            if (lower == c) out.append(s.data() + i, len);
            else encode(lower, out);
        }
        i += len;
    }
}

/// Appends s.lower() (as append_lower) and returns s.isupper() (as is_upper), in one pass with
/// one property lookup per non-ASCII code point.
inline bool append_lower_is_upper(std::string_view s, std::string& out) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    bool cased = false, not_upper = false;
    for (std::size_t i = 0; i < n;) {
        const unsigned char b = p[i];
        if (b < 0x80) {
            const bool up = b >= 'A' && b <= 'Z';
            cased |= up;
            not_upper |= b >= 'a' && b <= 'z';
            out += static_cast<char>(up ? b + ('a' - 'A') : b);
            ++i;
            continue;
        }
        std::size_t len = 0;
        const char32_t c = decode(p + i, len);
        const auto* prop = utf8proc_get_property(static_cast<utf8proc_int32_t>(c));
        const int cat = prop->category;
        if (cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT || in_ranges(other_lowercase_not_ll, c))
            not_upper = true;
        else if (cat == UTF8PROC_CATEGORY_LU || in_ranges(other_uppercase_not_lu, c))
            cased = true;
        if (c == 0x130) {
            out += "i\xCC\x87";
        } else if (c == 0x3A3) {
            out += is_final_sigma(s, i) ? "\xCF\x82" : "\xCF\x83";
        } else if (prop->lowercase_seqindex == UINT16_MAX) {
            out.append(s.data() + i, len);  // no lowercase mapping
        } else {
            const auto lower = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
            if (lower == c) out.append(s.data() + i, len);
            else encode(lower, out);
        }
        i += len;
    }
    return cased && !not_upper;
}

/// Number of code points of the valid UTF-8 string s (Python's len()).
inline std::size_t code_points(std::string_view s) noexcept {
    std::size_t n = 0;
    for (const char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
    return n;
}

}  // namespace musiclab::detail::pyunicode
