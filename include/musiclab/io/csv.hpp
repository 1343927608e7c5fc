// musiclab::io CSV/TSV reading and writing (RFC 4180).
//
// read_csv() streams a file through a fixed-size buffer (CsvOptions::chunk_bytes, 1 MiB by
// default) and builds an io::Table column by column: numbers are parsed straight into doubles,
// text goes into one byte arena per column, and columns that were not asked for are skipped
// without being copied. Memory is therefore the size of the selected data, not the size of the
// file as std::strings. Cost: O(file bytes); single-threaded. Thread safety: independent calls
// may run concurrently.
//
// Accepted: quoted fields with doubled quotes ("a ""b"""), delimiters and line breaks inside
// quotes, LF or CRLF line ends, a UTF-8 byte-order mark, a last line without a line end, blank
// lines (skipped). An empty unquoted field is missing; `""` is a present empty string.
// Rejected with musiclab::parse_error naming the source, line and column (1-based field number):
// an unterminated quote, characters after a closing quote, a row with a different number of
// fields than the header, a non-number in a column read as numbers (unless on_bad_number =
// missing), invalid UTF-8 (unless invalid_utf8 = replace, or encoding = latin1), and a requested
// column that is not in the header. A file that cannot be opened raises musiclab::io_error.
#pragma once

#include "../core/error.hpp"
#include "../core/utf8.hpp"
#include "table.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace musiclab::io {

/// How the input bytes are to be decoded. Text columns always hold UTF-8.
enum class Encoding {
    utf8,   ///< validated; a leading byte-order mark is dropped
    latin1  ///< ISO-8859-1: each byte is one code point, converted to UTF-8
};

/// What to do with bytes that are not valid UTF-8 (Encoding::utf8 only).
enum class InvalidUtf8 {
    error,   ///< parse_error naming line and column (default)
    replace  ///< each maximal ill-formed subsequence becomes U+FFFD, as Python's errors="replace"
};

/// How a column is read.
enum class ColumnType {
    automatic,  ///< numeric if every non-missing cell is a number, text otherwise
    number,     ///< double; a non-number is an error (or missing, see on_bad_number)
    text        ///< UTF-8 text as written
};

/// What a non-number in a ColumnType::number column becomes.
enum class BadNumber { error, missing };

struct CsvOptions {
    /// Field separator (',' for CSV, '\t' for TSV). Must not be the quote, '\n' or '\r'.
    char delimiter = ',';
    /// Quote character; std::nullopt for files without quoting (TSV .dat files where a quote is
    /// an ordinary character).
    std::optional<char> quote = '"';
    /// First record holds the column names. Without a header the names are "0", "1", ...
    bool header = true;
    Encoding encoding = Encoding::utf8;
    InvalidUtf8 invalid_utf8 = InvalidUtf8::error;
    /// Columns to read, by name, in the order wanted in the table; empty = all, in file order.
    std::vector<std::string> columns;
    /// Per-column types by name; columns not listed get default_type.
    std::vector<std::pair<std::string, ColumnType>> types;
    ColumnType default_type = ColumnType::automatic;
    BadNumber on_bad_number = BadNumber::error;
    /// Thousands separator accepted inside numbers (e.g. ',' reads "2,445" as 2445); none by default.
    std::optional<char> thousands;
    /// Cell texts read as missing in numeric columns besides the empty field (e.g. "NA", "null").
    std::vector<std::string> na_values;
    /// Stop after this many data rows.
    std::size_t max_rows = std::numeric_limits<std::size_t>::max();
    /// Size of the streaming buffer; a record longer than this grows it.
    std::size_t chunk_bytes = std::size_t{1} << 20;

    /// Tab-separated, no quoting: the convention of .dat/.tsv exports such as Last.fm HetRec.
    static CsvOptions tsv() {
        CsvOptions o;
        o.delimiter = '\t';
        o.quote = std::nullopt;
        return o;
    }
};

/// Reads a CSV/TSV file into a Table. See the file comment for what is accepted and rejected.
inline Table read_csv(const std::filesystem::path& path, const CsvOptions& options = {});

/// Reads CSV text held in memory; `source` names it in error messages.
inline Table read_csv_text(std::string_view text, const CsvOptions& options = {},
                           std::string source = "<string>");

/// Writes a table as RFC 4180 CSV: a header, then one line per row ("\n" line ends). Numbers are
/// written in the shortest form that reads back to the same double; missing cells are empty; text
/// is quoted when it holds the delimiter, a quote, CR or LF, or is a present empty string.
inline void write_csv(const Table& table, std::ostream& out, char delimiter = ',');
inline void write_csv(const Table& table, const std::filesystem::path& path, char delimiter = ',');

}  // namespace musiclab::io

// ------------------------------------------------------------------------------------------------
namespace musiclab::detail {

__extension__ typedef unsigned __int128 uint128;

/// The value of 8 ASCII digits, most significant in the lowest byte (SWAR, no branches).
inline std::uint64_t eight_digits(std::uint64_t w) noexcept {
    static_assert(std::endian::native == std::endian::little, "the SWAR digit parser assumes little endian");
    w -= 0x3030303030303030ULL;
    w = (w * 10) + (w >> 8);
    constexpr std::uint64_t mask = 0x000000FF000000FFULL;
    constexpr std::uint64_t mul1 = 0x000F424000000064ULL;  // 100 + (1000000 << 32)
    constexpr std::uint64_t mul2 = 0x0000271000000001ULL;  // 1 + (10000 << 32)
    return (((w & mask) * mul1) + (((w >> 16) & mask) * mul2)) >> 32;
}

#if defined(__SSE2__)
/// Bit i set where byte i of the 16 at p is an ASCII digit (digits) or '.' (dots).
inline void decimal_masks16(const char* p, unsigned& digits, unsigned& dots) noexcept {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i is_digit =
        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    digits = static_cast<unsigned>(_mm_movemask_epi8(is_digit));
    dots = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.'))));
}
#endif

/// The integer spelled by the len (1..16) bytes at p, known to be digits with the single '.' (if
/// any) at the set bit of `dots`, and the number of digits after the dot; 16 bytes are readable
/// at p. Squeezes the dot out of a 64- or 128-bit word, pads with '0' and converts 8 digits at a
/// time (SWAR). False for "." alone.
inline bool decimal16_mantissa(const char* p, unsigned len, unsigned dots, std::uint64_t& mantissa,
                               unsigned& frac) noexcept {
    frac = 0;
    if (len <= 8) {  // the usual case ("0.881", "-16.241", "195425"): one 64-bit word
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        unsigned n = len;
        if (dots) {
            const auto k = static_cast<unsigned>(__builtin_ctz(dots));
            const std::uint64_t low = (std::uint64_t{1} << (8 * k)) - 1;  // k <= 7
            w = (w & low) | ((w >> 8) & ~low);
            frac = len - k - 1;
            n = len - 1;
            if (n == 0) return false;  // "." alone
        }
        if (n < 8) w = (w << (8 * (8 - n))) | (0x3030303030303030ULL >> (8 * n));  // left-pad with '0'
        mantissa = eight_digits(w);
        return true;
    }
    uint128 x;
    std::memcpy(&x, p, 16);
    unsigned n = len;
    if (dots) {
        const auto k = static_cast<unsigned>(__builtin_ctz(dots));
        const uint128 low = k == 0 ? uint128{0} : ((uint128{1} << (8 * k)) - 1);
        x = (x & low) | ((x >> 8) & ~low);
        frac = len - k - 1;
        n = len - 1;
    }
    if (n < 16) {
        const uint128 zeros = (uint128{0x3030303030303030ULL} << 64) | uint128{0x3030303030303030ULL};
        x = (x << (8 * (16 - n))) | (zeros >> (8 * n));  // left-pad with '0' to 16 digits
    }
    mantissa = eight_digits(static_cast<std::uint64_t>(x)) * 100000000ULL + eight_digits(static_cast<std::uint64_t>(x >> 64));
    return true;
}

/// mantissa * 10^exponent when Clinger's fast path makes it exact: mantissa <= 2^53 and
/// |exponent| <= 22, so mantissa and 10^|exponent| are exact doubles and one IEEE multiply or
/// divide is correctly rounded. False otherwise (out untouched).
inline bool clinger(std::uint64_t mantissa, int exponent, bool negative, double& out) noexcept {
    static constexpr double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (mantissa > (std::uint64_t{1} << 53) || exponent < -22 || exponent > 22) return false;
    const double m = static_cast<double>(mantissa);
    const double value = exponent < 0 ? m / pow10[-exponent] : m * pow10[exponent];
    out = negative ? -value : value;
    return true;
}

/// decimal16_mantissa followed by clinger(mantissa, -frac).
inline bool decimal16_value(const char* p, unsigned len, unsigned dots, bool negative, double& out) noexcept {
    std::uint64_t mantissa;
    unsigned frac;
    return decimal16_mantissa(p, len, dots, mantissa, frac) && clinger(mantissa, -static_cast<int>(frac), negative, out);
}

/// The common case in one pass: [p, e) is 1-16 bytes of digits with at most one '.', and 16 bytes
/// are readable at p. False (out untouched) for anything else.
inline bool parse_plain_decimal16(const char* p, const char* e, bool negative, double& out) noexcept {
#if defined(__SSE2__)
    const auto len = static_cast<unsigned>(e - p);
    if (len == 0 || len > 16) return false;
    unsigned digit, dot;
    decimal_masks16(p, digit, dot);
    const unsigned want = len == 16 ? 0xFFFFu : (1u << len) - 1;
    const unsigned dots = dot & want;
    if (((digit | dots) & want) != want || (dots & (dots - 1)) != 0) return false;
    return decimal16_value(p, len, dots, negative, out);
#else
    (void)p, (void)e, (void)negative, (void)out;
    return false;
#endif
}

/// parse_double for text followed by at least 16 readable bytes (the CSV buffer's padding): the
/// SSE2/SWAR path for plain decimals, fast_float (Clinger, then Eisel-Lemire) for the rest.
inline bool parse_double_padded(const char* b, const char* e, double& out) noexcept {
    if (b < e && parse_plain_decimal16(b + (*b == '-'), e, *b == '-', out)) return true;
    while (b < e && (*b == ' ' || *b == '\t')) ++b;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t')) --e;
    if (b == e) return false;
    if (*b == '+' && e - b > 1 && b[1] != '-' && b[1] != '+') ++b;
    const auto r = fast_float::from_chars(b, e, out);  // everything else, correctly rounded
    return r.ec == std::errc() && r.ptr == e;
}

/// Parses a whole string as a double the way the CSV reader does: surrounding spaces and tabs
/// ignored, an optional leading '+', decimal or scientific notation, "nan"/"inf"/"infinity" in
/// any case. Correctly rounded (round-to-nearest-even), like strtod. O(length).
inline bool parse_double(std::string_view s, double& out) noexcept {
    if (s.size() <= 48) {
        char padded[64] = {};
        std::memcpy(padded, s.data(), s.size());
        return parse_double_padded(padded, padded + s.size(), out);
    }
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    if (s.size() > 1 && s.front() == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
    const auto r = fast_float::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

/// Streams records out of a byte source through a growing buffer.
class CsvScanner {
public:
    struct Field {
        const char* data;
        std::size_t size;
        std::size_t line;  // 1-based line where the field starts
        bool quoted;
        bool escaped;  // holds doubled quotes to undo
    };

    using Reader = std::function<std::size_t(char*, std::size_t)>;

    CsvScanner(Reader reader, std::string source, const io::CsvOptions& options)
        : reader_(std::move(reader)), source_(std::move(source)), delim_(options.delimiter),
          has_quote_(options.quote.has_value()), quote_(options.quote.value_or('\0')) {
        capacity_ = std::max<std::size_t>(options.chunk_bytes, 16);
        buffer_.resize(capacity_ + padding);
    }

    const std::string& source() const noexcept { return source_; }
    /// Input bytes consumed so far.
    std::size_t consumed() const noexcept { return consumed_before_ + pos_; }

    /// Reads the next non-blank record into `fields`; false at end of input. Fields point into the
    /// buffer and stay valid until the next call.
    bool next(std::vector<Field>& fields) {
        for (;;) {
            const Scan s = scan(fields);
            if (s == Scan::record) return true;
            if (s == Scan::end) return false;
            refill();  // Scan::need_more
        }
    }

    /// What try_numeric_record does with each field.
    enum class FastKind : std::uint8_t { skip, number };

    /// Fast path for the common record: every field is skipped (unquoted) or a plain decimal
    /// (optional '-', digits, at most one '.', at most 16 bytes) or empty, the record is complete
    /// in the buffer and has exactly `width` fields. Then each number (NaN when
    /// empty) is in outputs[j][row] and true is returned.
    /// Otherwise nothing is consumed (outputs[.][row] may have been written) and false is
    /// returned: the caller takes the general path (next()).
    bool try_numeric_record(const FastKind* kinds, std::size_t width, double* const* outputs, std::size_t row) noexcept {
#if defined(__SSE2__)
        const char* const base = buffer_.data();
        const char* p = base + pos_;
        const char* const end = base + end_;
        if (p >= end || *p == '\n' || *p == '\r') return false;
        for (std::size_t j = 0; j < width; ++j) {
            const bool last = j + 1 == width;
            const char* t;  // the field's terminator
            if (kinds[j] == FastKind::skip) {
                if (has_quote_ && p < end && *p == quote_) return false;
                t = find_field_end(p, end, delim_);
            } else {
                const bool negative = p < end && *p == '-';
                const char* digits = p + negative;
                unsigned digit, dot;
                decimal_masks16(digits, digit, dot);  // padding keeps this load inside the buffer
                const auto len = static_cast<unsigned>(__builtin_ctz(~(digit | dot) | 0x10000u));
                if (len == 16) return false;
                t = digits + len;
                const unsigned dots = dot & ((1u << len) - 1);
                if (len == 0) {
                    if (negative) return false;
                    outputs[j][row] = std::numeric_limits<double>::quiet_NaN();
                } else {
                    std::uint64_t mantissa;
                    unsigned frac;
                    if ((dots & (dots - 1)) != 0 || !decimal16_mantissa(digits, len, dots, mantissa, frac)) return false;
                    int exponent = -static_cast<int>(frac);
                    if (t < end && (*t == 'e' || *t == 'E')) {  // "2.34e-05": up to 3 exponent digits
                        const char* q = t + 1;
                        const bool eneg = q < end && *q == '-';
                        q += (q < end && (*q == '-' || *q == '+'));
                        int e10 = 0, edigits = 0;
                        while (q < end && edigits < 4 && static_cast<unsigned>(*q - '0') < 10) {
                            e10 = e10 * 10 + (*q - '0');
                            ++q;
                            ++edigits;
                        }
                        if (edigits == 0 || edigits == 4) return false;
                        exponent += eneg ? -e10 : e10;
                        t = q;
                    }
                    if (!clinger(mantissa, exponent, negative, outputs[j][row])) return false;
                }
            }
            if (t >= end) return false;
            if (!last) {
                if (*t != delim_) return false;
                p = t + 1;
            } else if (*t == '\n') {
                p = t + 1;
            } else if (*t == '\r' && t + 1 < end && t[1] == '\n') {  // only numbers stop at '\r'
                p = t + 2;
            } else {
                return false;
            }
        }
        pos_ = static_cast<std::size_t>(p - base);
        ++line_;
        return true;
#else
        (void)kinds, (void)width, (void)outputs, (void)row;
        return false;
#endif
    }

    /// Drops a UTF-8 byte-order mark at the very start of the input.
    void skip_bom() {
        while (end_ - pos_ < 3 && !eof_) refill();
        if (end_ - pos_ >= 3 && std::memcmp(buffer_.data() + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
    }

private:
    enum class Scan { record, need_more, end };

    void refill() {
        if (eof_) return;
        if (pos_ > 0) {
            consumed_before_ += pos_;
            std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
            end_ -= pos_;
            pos_ = 0;
        }
        if (end_ == capacity_) {
            capacity_ *= 2;
            buffer_.resize(capacity_ + padding);
        }
        const std::size_t got = reader_(buffer_.data() + end_, capacity_ - end_);
        if (got == 0) eof_ = true;
        end_ += got;
    }

    Scan scan(std::vector<Field>& fields) {
        fields.clear();
        const char* const base = buffer_.data();
        const char* p = base + pos_;
        const char* const end = base + end_;
        std::size_t line = line_;
        // blank lines
        for (;;) {
            if (p == end) {
                if (!eof_) { consume_blank(p, line); return Scan::need_more; }
                consume_blank(p, line);
                return Scan::end;
            }
            if (*p == '\n') { ++p; ++line; continue; }
            if (*p == '\r') {
                if (p + 1 == end && !eof_) { consume_blank(p, line); return Scan::need_more; }
                if (p + 1 < end && p[1] == '\n') { p += 2; ++line; continue; }
            }
            break;
        }
        consume_blank(p, line);
        const char delim = delim_;
        for (;;) {  // one field per iteration
            if (has_quote_ && p < end && *p == quote_) {
                const std::size_t start_line = line;
                const char* q = p + 1;
                const char* const start = q;
                bool escaped = false;
                for (;;) {
                    const void* hit = std::memchr(q, quote_, static_cast<std::size_t>(end - q));
                    const char* stop = hit ? static_cast<const char*>(hit) : end;
                    for (const char* c = q; c < stop; ++c) line += (*c == '\n');
                    if (!hit) {
                        if (!eof_) return Scan::need_more;
                        throw parse_error(source_, start_line, fields.size() + 1,
                                          "unterminated quoted field (opened here, input ended inside it)");
                    }
                    if (stop + 1 == end && !eof_) return Scan::need_more;
                    if (stop + 1 < end && stop[1] == quote_) { escaped = true; q = stop + 2; continue; }
                    fields.push_back({start, static_cast<std::size_t>(stop - start), start_line, true, escaped});
                    p = stop + 1;
                    break;
                }
                if (p == end) {
                    if (!eof_) return Scan::need_more;
                    return finish(p, line);
                }
                if (*p == delim) { ++p; continue; }
                if (*p == '\n') { ++p; return finish(p, line + 1); }
                if (*p == '\r') {
                    if (p + 1 == end && !eof_) return Scan::need_more;
                    if (p + 1 < end && p[1] == '\n') { p += 2; return finish(p, line + 1); }
                }
                throw parse_error(source_, line, fields.size(),
                                  std::string("unexpected character after the closing quote of a quoted field") +
                                      (delim == '\t' ? " (a TSV file without quoting? set CsvOptions::quote = std::nullopt)" : ""));
            }
            const char* const start = p;
            p = find_field_end(p, end, delim);
            if (p == end && !eof_) return Scan::need_more;
            const char* stop = p;
            if (p == end || *p == '\n') {
                if (stop > start && stop[-1] == '\r') --stop;
                fields.push_back({start, static_cast<std::size_t>(stop - start), line, false, false});
                if (p == end) return finish(p, line);
                ++p;
                return finish(p, line + 1);
            }
            fields.push_back({start, static_cast<std::size_t>(stop - start), line, false, false});
            ++p;  // delimiter
            if (p == end) {
                if (!eof_) return Scan::need_more;
                fields.push_back({p, 0, line, false, false});
                return finish(p, line);
            }
        }
    }

    /// First delimiter or '\n' in [p, end), or end. 16 bytes per step with SSE2 (the buffer keeps
    /// 16 bytes of padding past `end`, so the vector loads never leave the allocation).
    static const char* find_field_end(const char* p, const char* end, char delim) noexcept {
#if defined(__SSE2__)
        const __m128i d = _mm_set1_epi8(delim);
        const __m128i nl = _mm_set1_epi8('\n');
        while (p < end) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            const unsigned mask =
                static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, nl))));
            if (mask != 0) {
                const char* hit = p + __builtin_ctz(mask);
                return hit < end ? hit : end;
            }
            p += 16;
        }
        return end;
#else
        while (p < end && *p != delim && *p != '\n') ++p;
        return p;
#endif
    }

    void consume_blank(const char* p, std::size_t line) {
        pos_ = static_cast<std::size_t>(p - buffer_.data());
        line_ = line;
    }
    Scan finish(const char* p, std::size_t next_line) {
        pos_ = static_cast<std::size_t>(p - buffer_.data());
        line_ = next_line;
        return Scan::record;
    }

    Reader reader_;
    std::string source_;
    static constexpr std::size_t padding = 16;  // readable bytes past the data, for vector loads
    std::vector<char> buffer_;                  // capacity_ data bytes + padding
    std::size_t capacity_ = 0;
    std::size_t pos_ = 0, end_ = 0;
    std::size_t consumed_before_ = 0;  // bytes dropped from the front of the buffer
    std::size_t line_ = 1;
    bool eof_ = false;
    char delim_;
    bool has_quote_;
    char quote_;
};

/// Builds the Table from scanned records: decoding, number parsing, missing values.
class CsvTableBuilder {
public:
    /// size_hint: total input bytes if known (0 otherwise), used to reserve column storage.
    CsvTableBuilder(CsvScanner& scanner, const io::CsvOptions& options, std::size_t size_hint = 0)
        : scanner_(scanner), options_(options), size_hint_(size_hint) {
        validate_options();
        fast_numbers_ = options_.na_values.empty();
        if (options_.encoding == io::Encoding::utf8) scanner_.skip_bom();
        std::vector<CsvScanner::Field> fields;
        if (!scanner_.next(fields)) {  // empty input
            finish_empty = true;
            return;
        }
        width_ = fields.size();
        if (options_.header) {
            for (std::size_t j = 0; j < fields.size(); ++j) names_.emplace_back(decode_text(fields[j], j));
            dedupe_names();
            have_pending_ = false;
        } else {
            for (std::size_t j = 0; j < fields.size(); ++j) names_.push_back(std::to_string(j));
            pending_ = fields;
            have_pending_ = true;
        }
        plan_columns(fields.empty() ? 1 : fields.front().line);
        if (have_pending_) add_record(pending_);
    }

    /// Automatic columns that turned text after holding numbers (see read_csv_with).
    const std::vector<std::string>& lost_columns() const noexcept { return lost_columns_; }

    io::Table build() {
        std::vector<CsvScanner::Field> fields;
        if (!finish_empty) {
            update_fast_plan();
            while (rows_ < options_.max_rows) {
                if (fast_ && rows_ >= fast_capacity_) refresh_fast_outputs();
                if (fast_ && scanner_.try_numeric_record(fast_kinds_.data(), width_, fast_outputs_.data(), rows_)) {
                    ++rows_;  // the numbers are already in place
                } else {
                    if (!scanner_.next(fields)) break;
                    add_record(fields);
                    if (fast_possible_) update_fast_plan();
                }
                if (rows_ == 4096 && size_hint_ > 0) reserve_for(size_hint_);
            }
        }
        io::Table table;
        table.set_source(scanner_.source());
        for (auto& c : sinks_) {
            if (c.lost) {
                lost_columns_.push_back(c.name);
                continue;  // the caller reads the input again with this column as text
            }
            if (c.type == io::ColumnType::number || (c.type == io::ColumnType::automatic && c.numeric_ok))
                table.add(c.name, c.numbers.release(rows_));
            else
                table.add(c.name, std::move(c.text));
        }
        return table;
    }

private:
    /// Asks Linux to back a large, not yet touched buffer with transparent huge pages: a column of
    /// a million doubles then costs a few page faults instead of thousands. A hint only.
    static void advise_huge_pages([[maybe_unused]] void* data, [[maybe_unused]] std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
        if (bytes < 4 * huge) return;
        const auto begin = (reinterpret_cast<std::uintptr_t>(data) + huge - 1) & ~(huge - 1);
        const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(huge - 1);
        if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#endif
    }

    /// A numeric column under construction, indexed by row (every row gets exactly one value),
    /// with the capacity check inlined (the per-cell hot path).
    class NumberBuffer {
    public:
        void set(std::size_t row, double x) {
            if (row >= capacity_) reserve(std::max<std::size_t>({1024, capacity_ * 2, row + 1}));
            data_[row] = x;
        }
        [[gnu::noinline]] void reserve(std::size_t n) {
            if (n <= capacity_) return;
            values_.reserve(n);
            advise_huge_pages(values_.data(), n * sizeof(double));
            values_.resize(n);
            data_ = values_.data();
            capacity_ = n;
        }
        double* data() noexcept { return data_; }
        std::size_t capacity() const noexcept { return capacity_; }
        io::NumericColumn release(std::size_t rows) {
            values_.resize(rows);
            capacity_ = 0;
            data_ = nullptr;
            return io::NumericColumn(std::move(values_));
        }

    private:
        std::vector<double> values_;  // capacity_ cells
        double* data_ = nullptr;
        std::size_t capacity_ = 0;
    };

    struct Sink {
        std::string name;
        std::size_t file_column;  // 0-based field index in the file
        io::ColumnType type;
        NumberBuffer numbers;
        io::TextColumn text;
        bool numeric_ok = true;      // automatic: every cell so far was a number or missing
        std::size_t dropped_text = 0;  // automatic: missing cells whose text (blank, NA, nan) was not kept
        bool lost = false;           // automatic: turned text after numbers; needs a second pass
    };

    /// The fast path applies while every selected column is numeric (typed, or automatic and
    /// numeric so far) and no na_values need checking.
    void update_fast_plan() {
        fast_kinds_.assign(width_, CsvScanner::FastKind::skip);
        fast_outputs_.assign(width_, nullptr);
        fast_capacity_ = 0;  // refresh_fast_outputs() before the next fast record
        fast_ = fast_numbers_ && width_ > 0;
        for (const auto& sink : sinks_) {
            const bool numeric = sink.type == io::ColumnType::number ||
                                 (sink.type == io::ColumnType::automatic && sink.numeric_ok);
            if (!numeric) fast_ = false;
            fast_kinds_[sink.file_column] = CsvScanner::FastKind::number;
        }
        fast_possible_ = fast_;
    }

    /// Grows every numeric column to hold row rows_ and points the fast path at their storage.
    void refresh_fast_outputs() {
        fast_capacity_ = std::numeric_limits<std::size_t>::max();
        for (auto& sink : sinks_) {
            if (sink.numbers.capacity() <= rows_) sink.numbers.reserve(std::max<std::size_t>({1024, 2 * rows_, rows_ + 1}));
            fast_outputs_[sink.file_column] = sink.numbers.data();
            fast_capacity_ = std::min(fast_capacity_, sink.numbers.capacity());
        }
    }

    /// Reserves room for the rows the rest of the input probably holds (from the bytes per row so far).
    void reserve_for(std::size_t total_bytes) {
        const double per_row = static_cast<double>(scanner_.consumed()) / static_cast<double>(rows_);
        const auto expected = static_cast<std::size_t>(static_cast<double>(total_bytes) / per_row * 1.05) + 16;
        const std::size_t rows = std::min(expected, options_.max_rows);
        for (auto& sink : sinks_) {
            if (sink.type != io::ColumnType::text) sink.numbers.reserve(rows);
            if (sink.type != io::ColumnType::number) sink.text.reserve(rows, 0);
        }
        fast_capacity_ = 0;  // storage moved: refresh the fast path's pointers
    }

    void validate_options() const {
        const char d = options_.delimiter;
        if (d == '\n' || d == '\r') throw invalid_parameter("delimiter", "a line break", "any other single byte");
        if (options_.quote && (*options_.quote == d || *options_.quote == '\n' || *options_.quote == '\r'))
            throw invalid_parameter("quote", std::string(1, *options_.quote), "a byte other than the delimiter and line breaks");
        if (options_.thousands && (*options_.thousands == '.' || (*options_.thousands >= '0' && *options_.thousands <= '9')))
            throw invalid_parameter("thousands", std::string(1, *options_.thousands), "a separator other than '.' and digits");
        if (options_.chunk_bytes == 0) throw invalid_parameter("chunk_bytes", 0, ">= 1");
    }

    void dedupe_names() {  // as pandas: a repeated name gets ".1", ".2", ...
        for (std::size_t j = 0; j < names_.size(); ++j) {
            int k = 0;
            const std::string base = names_[j];
            auto taken = [&](const std::string& n) {
                for (std::size_t i = 0; i < j; ++i)
                    if (names_[i] == n) return true;
                return false;
            };
            while (taken(names_[j])) names_[j] = base + "." + std::to_string(++k);
        }
    }

    void plan_columns(std::size_t header_line) {
        auto file_index = [&](const std::string& name) -> std::size_t {
            for (std::size_t j = 0; j < names_.size(); ++j)
                if (names_[j] == name) return j;
            std::string available;
            for (const auto& n : names_) available += (available.empty() ? "" : ", ") + n;
            throw parse_error(scanner_.source(), header_line, 0,
                              "unknown column '" + name + "' (the header has: " + available + ")");
        };
        auto type_of = [&](const std::string& name) {
            for (const auto& [n, t] : options_.types)
                if (n == name) return t;
            return options_.default_type;
        };
        for (const auto& [n, t] : options_.types) (void)file_index(n);
        std::vector<std::size_t> order;
        if (options_.columns.empty()) {
            for (std::size_t j = 0; j < names_.size(); ++j) order.push_back(j);
        } else {
            for (const auto& n : options_.columns) {
                const std::size_t j = file_index(n);
                if (std::find(order.begin(), order.end(), j) != order.end())
                    throw invalid_parameter("columns", "'" + n + "' twice", "each column at most once");
                order.push_back(j);
            }
        }
        field_to_sink_.assign(width_, -1);
        for (std::size_t s = 0; s < order.size(); ++s) {
            const std::size_t j = order[s];
            sinks_.push_back(Sink{names_[j], j, type_of(names_[j]), {}, {}, true});
            field_to_sink_[j] = static_cast<int>(s);
        }
    }

    void add_record(const std::vector<CsvScanner::Field>& fields) {
        if (fields.size() != width_) {
            throw parse_error(scanner_.source(), fields.front().line, std::min(fields.size(), width_) + 1,
                              "row has " + std::to_string(fields.size()) + " fields, the " +
                                  (options_.header ? "header has " : "first row has ") + std::to_string(width_));
        }
        for (std::size_t j = 0; j < width_; ++j) {
            const int s = field_to_sink_[j];
            if (s < 0) continue;
            Sink& sink = sinks_[static_cast<std::size_t>(s)];
            const auto& f = fields[j];
            double x;
            // hot path: a plain number straight from the (padded) buffer; NaN ("nan") is missing
            if (sink.type == io::ColumnType::number && fast_numbers_ && !f.escaped &&
                parse_double_padded(f.data, f.data + f.size, x)) {
                sink.numbers.set(rows_, x);
                continue;
            }
            add_cell(sink, f);
        }
        ++rows_;
    }

    std::string_view raw(const CsvScanner::Field& f) {
        if (!f.escaped) return {f.data, f.size};
        unescaped_.clear();
        const char q = *options_.quote;
        for (std::size_t i = 0; i < f.size; ++i) {
            unescaped_.push_back(f.data[i]);
            if (f.data[i] == q) ++i;  // "" -> "
        }
        return unescaped_;
    }

    bool is_na(std::string_view v) const {
        for (const auto& na : options_.na_values)
            if (v == na) return true;
        return false;
    }

    bool to_number(std::string_view v, double& out) {
        // v is in the scanner's padded buffer unless it was unescaped into scratch
        if (v.data() == unescaped_.data() ? parse_double(v, out) : parse_double_padded(v.data(), v.data() + v.size(), out))
            return true;
        if (options_.thousands && v.find(*options_.thousands) != std::string_view::npos) {
            digits_.clear();
            for (char c : v)
                if (c != *options_.thousands) digits_.push_back(c);
            return parse_double(digits_, out);
        }
        return false;
    }

    static bool blank(std::string_view v) {
        for (char c : v)
            if (c != ' ' && c != '\t') return false;
        return true;
    }

    void add_cell(Sink& sink, const CsvScanner::Field& f) {
        const std::string_view v = raw(f);
        const bool missing = (!f.quoted && v.empty());
        switch (sink.type) {
            case io::ColumnType::text:
                if (missing) sink.text.push_missing();
                else sink.text.push_back(decode_text(f, sink.file_column));
                return;
            case io::ColumnType::number: {
                double x;
                if (missing || blank(v) || is_na(v)) sink.numbers.set(rows_, std::numeric_limits<double>::quiet_NaN());
                else if (to_number(v, x)) {
                    if (std::isnan(x)) sink.numbers.set(rows_, std::numeric_limits<double>::quiet_NaN());
                    else sink.numbers.set(rows_, x);
                } else if (options_.on_bad_number == io::BadNumber::missing) sink.numbers.set(rows_, std::numeric_limits<double>::quiet_NaN());
                else
                    throw parse_error(scanner_.source(), f.line, sink.file_column + 1,
                                      "column '" + sink.name + "': '" + printable(v) + "' is not a number");
                return;
            }
            case io::ColumnType::automatic: {
                if (sink.lost) return;  // read again as text in a second pass
                if (!sink.numeric_ok) {  // text from its first non-missing cell on
                    if (missing) sink.text.push_missing();
                    else sink.text.push_back(decode_text(f, sink.file_column));
                    return;
                }
                double x;
                if (missing) {
                    sink.numbers.set(rows_, std::numeric_limits<double>::quiet_NaN());
                    return;
                }
                if (blank(v) || is_na(v) || (to_number(v, x) && std::isnan(x))) {  // missing, but has text
                    sink.numbers.set(rows_, std::numeric_limits<double>::quiet_NaN());
                    ++sink.dropped_text;
                    return;
                }
                if (to_number(v, x)) {
                    sink.numbers.set(rows_, x);
                    return;
                }
                // the first non-number: the column is text. The text of earlier cells was not kept
                // (numbers are parsed, not copied), so unless all of them were empty the file is
                // read a second time with this column as text.
                bool recoverable = sink.dropped_text == 0;
                for (std::size_t r = 0; r < rows_ && recoverable; ++r) recoverable = std::isnan(sink.numbers.data()[r]);
                sink.numeric_ok = false;
                sink.numbers = NumberBuffer();
                if (!recoverable) {
                    sink.lost = true;
                    return;
                }
                for (std::size_t r = 0; r < rows_; ++r) sink.text.push_missing();
                sink.text.push_back(decode_text(f, sink.file_column));
                return;
            }
        }
    }

    static std::string printable(std::string_view v) {
        std::string s;
        for (char c : v.substr(0, 80)) {
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x20 || u >= 0x7F) {
                char hex[8];
                std::snprintf(hex, sizeof hex, "\\x%02X", u);
                s += hex;
            } else s += c;
        }
        if (v.size() > 80) s += "...";
        return s;
    }

    /// The field as UTF-8: quotes undone, Latin-1 converted, UTF-8 validated (or repaired).
    std::string_view decode_text(const CsvScanner::Field& f, std::size_t file_column) {
        std::string_view v = raw(f);
        if (is_ascii(v)) return v;
        decoded_.clear();
        const auto* s = reinterpret_cast<const unsigned char*>(v.data());
        if (options_.encoding == io::Encoding::latin1) {
            for (std::size_t i = 0; i < v.size(); ++i) {
                if (s[i] < 0x80) decoded_.push_back(static_cast<char>(s[i]));
                else {
                    decoded_.push_back(static_cast<char>(0xC0 | (s[i] >> 6)));
                    decoded_.push_back(static_cast<char>(0x80 | (s[i] & 0x3F)));
                }
            }
            return decoded_;
        }
        for (std::size_t i = 0; i < v.size();) {
            std::size_t bad = 0;
            const std::size_t len = utf8_sequence(s + i, v.size() - i, bad);
            if (len > 0) {
                decoded_.append(v.data() + i, len);
                i += len;
                continue;
            }
            if (options_.invalid_utf8 == io::InvalidUtf8::error) {
                // line of the bad byte: the field's start line plus the line breaks before it
                std::size_t line = f.line;
                for (std::size_t k = 0; k < i; ++k) line += (v[k] == '\n');
                throw parse_error(scanner_.source(), line, file_column + 1,
                                  "invalid UTF-8 (byte 0x" + hex_byte(s[i]) + " at byte " + std::to_string(i + 1) +
                                      " of the field '" + printable(v) +
                                      "'); read it with encoding = latin1 or invalid_utf8 = replace");
            }
            decoded_ += "\xEF\xBF\xBD";
            i += bad;
        }
        return decoded_;
    }

    static std::string hex_byte(unsigned char b) {
        char hex[4];
        std::snprintf(hex, sizeof hex, "%02X", b);
        return hex;
    }

    CsvScanner& scanner_;
    const io::CsvOptions& options_;
    std::vector<std::string> names_;
    std::vector<Sink> sinks_;
    std::vector<int> field_to_sink_;
    std::size_t width_ = 0;
    std::size_t rows_ = 0;
    std::size_t size_hint_ = 0;
    bool finish_empty = false;
    bool fast_numbers_ = true;  // no na_values: a parsed number needs no further checks
    bool fast_ = false;          // try_numeric_record applies to the current columns
    bool fast_possible_ = false; // ... and may stop applying (an automatic column turned text)
    std::vector<CsvScanner::FastKind> fast_kinds_;
    std::vector<std::string> lost_columns_;
    std::vector<double*> fast_outputs_;  // per file column: where its numbers go (null: skipped)
    std::size_t fast_capacity_ = 0;      // rows every numeric column can hold
    bool have_pending_ = false;
    std::vector<CsvScanner::Field> pending_;
    std::string unescaped_, decoded_, digits_;
};

/// Reads a table from the byte source that open() returns (called once, or twice when an
/// automatic column turned text after holding numbers: the second pass reads those columns as
/// text from the start, so their cells keep their spelling).
inline io::Table read_csv_with(const std::function<CsvScanner::Reader()>& open, const std::string& source,
                               const io::CsvOptions& options, std::size_t size_hint) {
    std::vector<std::string> lost;
    {
        CsvScanner scanner(open(), source, options);
        CsvTableBuilder builder(scanner, options, size_hint);
        io::Table table = builder.build();
        if (builder.lost_columns().empty()) return table;
        lost = builder.lost_columns();
    }
    io::CsvOptions second = options;
    for (const auto& name : lost) second.types.insert(second.types.begin(), {name, io::ColumnType::text});
    CsvScanner scanner(open(), source, second);
    CsvTableBuilder builder(scanner, second, size_hint);
    return builder.build();
}

inline void write_csv_field(std::ostream& out, std::string_view v, char delimiter, bool force_quotes) {
    const bool needs = force_quotes || v.find_first_of(std::string{delimiter, '"', '\n', '\r'}) != std::string_view::npos;
    if (!needs) {
        out << v;
        return;
    }
    out << '"';
    for (char c : v) {
        if (c == '"') out << '"';
        out << c;
    }
    out << '"';
}

}  // namespace musiclab::detail

// ------------------------------------------------------------------------------------------------
namespace musiclab::io {

inline Table read_csv(const std::filesystem::path& path, const CsvOptions& options) {
    const std::string name = path.string();
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(path, ec);
    const std::size_t size_hint = ec ? 0 : static_cast<std::size_t>(bytes);
    auto open = [&]() -> detail::CsvScanner::Reader {
        std::shared_ptr<std::FILE> file(std::fopen(path.c_str(), "rb"), [](std::FILE* f) {
            if (f) std::fclose(f);
        });
        if (!file) throw io_error(name, std::string("cannot open: ") + std::strerror(errno));
        return [file, name](char* dst, std::size_t n) {
            const std::size_t got = std::fread(dst, 1, n, file.get());
            if (got < n && std::ferror(file.get())) throw io_error(name, "read error");
            return got;
        };
    };
    return detail::read_csv_with(open, name, options, size_hint);
}

inline Table read_csv_text(std::string_view text, const CsvOptions& options, std::string source) {
    auto open = [text]() -> detail::CsvScanner::Reader {
        auto offset = std::make_shared<std::size_t>(0);
        return [text, offset](char* dst, std::size_t n) {
            const std::size_t k = std::min(n, text.size() - *offset);
            std::memcpy(dst, text.data() + *offset, k);
            *offset += k;
            return k;
        };
    };
    return detail::read_csv_with(open, source, options, text.size());
}

inline void write_csv(const Table& table, std::ostream& out, char delimiter) {
    for (std::size_t j = 0; j < table.cols(); ++j) {
        if (j) out << delimiter;
        detail::write_csv_field(out, table.names()[j], delimiter, false);
    }
    out << '\n';
    char buf[64];
    for (std::size_t i = 0; i < table.rows(); ++i) {
        for (std::size_t j = 0; j < table.cols(); ++j) {
            if (j) out << delimiter;
            const auto& column = table.column(j);
            if (const auto* num = std::get_if<NumericColumn>(&column)) {
                if (num->is_missing(i)) continue;
                const auto r = std::to_chars(buf, buf + sizeof buf, (*num)[i]);
                out.write(buf, r.ptr - buf);
            } else {
                const auto& text = std::get<TextColumn>(column);
                if (text.is_missing(i)) continue;
                detail::write_csv_field(out, text[i], delimiter, text[i].empty());
            }
        }
        out << '\n';
    }
}

inline void write_csv(const Table& table, const std::filesystem::path& path, char delimiter) {
    std::ofstream out(path, std::ios::binary);
    if (!out) throw io_error(path.string(), "cannot open for writing");
    write_csv(table, out, delimiter);
    if (!out) throw io_error(path.string(), "write failed");
}

}  // namespace musiclab::io
