// UTF-8 helpers shared by the text-handling areas (CSV decoding, Python string semantics).
// Internal: namespace musiclab::detail. Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace musiclab::detail {

/// Length of the well-formed UTF-8 sequence at s[0..n) (1-4), or 0 with `bad` set to the length
/// of the maximal ill-formed subpart (Unicode 15 §3.9, U+FFFD substitution of maximal subparts).
inline std::size_t utf8_sequence(const unsigned char* s, std::size_t n, std::size_t& bad) noexcept {
    const unsigned char c = s[0];
    bad = 1;
    if (c < 0x80) return 1;
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) { len = 3; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) len = 3;
    else if (c == 0xED) { len = 3; hi = 0x9F; }
    else if (c >= 0xEE && c <= 0xEF) len = 3;
    else if (c == 0xF0) { len = 4; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) { len = 4; hi = 0x8F; }
    else return 0;  // 0x80..0xC1, 0xF5..0xFF: never start a sequence
    for (std::size_t k = 1; k < len; ++k) {
        if (k >= n) { bad = k; return 0; }
        const unsigned char b = s[k];
        const unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (b < l || b > h) { bad = k; return 0; }
    }
    return len;
}

inline bool is_ascii(std::string_view s) noexcept {
    unsigned char acc = 0;
    for (char c : s) acc |= static_cast<unsigned char>(c);
    return acc < 0x80;
}

/// Appends the UTF-8 encoding of the code point c (c <= U+10FFFF, not a surrogate).
inline void append_utf8(char32_t c, std::string& out) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

}  // namespace musiclab::detail
