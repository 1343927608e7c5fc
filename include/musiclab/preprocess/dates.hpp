// musiclab::preprocess dates: release dates at year, month or day precision ("YYYY", "YYYY-MM",
// "YYYY-MM-DD", as in Spotify's release_date / release_date_precision) parsed into a sortable
// value: days since 1970-01-01 (proleptic Gregorian calendar) of the first day of the period,
// plus the precision.
//
// Thread safety: all functions are pure and may be called concurrently.
#pragma once

#include "../core/error.hpp"
#include "detail/columns.hpp"

#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace musiclab::preprocess {

/// How much of a date was given.
enum class DatePrecision : std::uint8_t {
    year = 0,   ///< "YYYY": the period is the whole year
    month = 1,  ///< "YYYY-MM": the whole month
    day = 2,    ///< "YYYY-MM-DD"
};

/// A parsed date. Ordered by (days, precision): a whole year sorts with its January 1st, just
/// before the day-precision "YYYY-01-01".
struct Date {
    /// Days since 1970-01-01 of the first day of the period (negative before 1970).
    std::int32_t days = 0;
    DatePrecision precision = DatePrecision::day;

    friend constexpr auto operator<=>(const Date&, const Date&) = default;

    /// Calendar year of the first day (0..9999).
    int year() const noexcept;
    /// Month of the first day, 1..12 (1 for year precision).
    unsigned month() const noexcept;
    /// Day of month of the first day, 1..31 (1 for year and month precision).
    unsigned day() const noexcept;
};

/// Parses "YYYY", "YYYY-MM" or "YYYY-MM-DD": exactly 4 year digits (0000-9999), a month in 1..12,
/// a day that exists in that month (leap years by the Gregorian rule). No whitespace, signs or
/// other lengths are accepted. O(1).
/// Throws musiclab::parse_error whose message quotes the text and says what was wrong; when
/// `row` is given (0-based row of the caller's data) the message starts with "row <row>: " and
/// parse_error::line() is row + 1. parse_error::source() is "date".
Date parse_date(std::string_view text, std::optional<std::size_t> row = std::nullopt);

/// As parse_date, but returns std::nullopt instead of throwing. noexcept.
std::optional<Date> try_parse_date(std::string_view text) noexcept;

/// The text of a date at its precision ("1999", "1999-07", "1999-07-04"). O(1).
std::string format_date(const Date& date);

/// Parses every cell of a text column (see parse_date; errors name the row). O(n).
template <StringColumn Column>
std::vector<Date> parse_dates(const Column& column) {
    std::vector<Date> out;
    out.reserve(static_cast<std::size_t>(column.size()));
    for (std::size_t i = 0; i < static_cast<std::size_t>(column.size()); ++i)
        out.push_back(parse_date(std::string_view(column[i]), i));
    return out;
}

}  // namespace musiclab::preprocess

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::detail {

/// Parses into `out`; on failure returns a description of the problem, else an empty string.
inline std::string parse_date_into(std::string_view text, preprocess::Date& out) {
    using preprocess::DatePrecision;
    const auto digits = [&](std::size_t pos, std::size_t count, unsigned& value) {
        value = 0;
        for (std::size_t i = pos; i < pos + count; ++i) {
            const char c = text[i];
            if (c < '0' || c > '9') return false;
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        return true;
    };
    const char* expected = "expected YYYY, YYYY-MM or YYYY-MM-DD";
    DatePrecision precision;
    switch (text.size()) {
        case 4: precision = DatePrecision::year; break;
        case 7: precision = DatePrecision::month; break;
        case 10: precision = DatePrecision::day; break;
        default: return expected;
    }
    unsigned y = 0, m = 1, d = 1;
    if (!digits(0, 4, y)) return expected;
    if (precision != DatePrecision::year) {
        if (text[4] != '-' || !digits(5, 2, m)) return expected;
        if (m < 1 || m > 12) return std::string("month ") + std::to_string(m) + " is not in 1..12";
    }
    if (precision == DatePrecision::day) {
        if (text[7] != '-' || !digits(8, 2, d)) return expected;
        const std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(y)), std::chrono::month(m),
                                              std::chrono::day(d)};
        if (!ymd.ok()) {
            const unsigned last = static_cast<unsigned>(
                std::chrono::year_month_day_last(ymd.year(), std::chrono::month_day_last(ymd.month())).day());
            return std::string("day ") + std::to_string(d) + " is not in 1.." + std::to_string(last) + " for " +
                   std::string(text.substr(0, 7));
        }
    }
    const std::chrono::sys_days days{std::chrono::year(static_cast<int>(y)) / std::chrono::month(m) /
                                     std::chrono::day(d)};
    out.days = static_cast<std::int32_t>(days.time_since_epoch().count());
    out.precision = precision;
    return {};
}

inline std::chrono::year_month_day civil_of(std::int32_t days) noexcept {
    return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days}}};
}

}  // namespace musiclab::detail

namespace musiclab::preprocess {

inline int Date::year() const noexcept { return static_cast<int>(detail::civil_of(days).year()); }
inline unsigned Date::month() const noexcept { return static_cast<unsigned>(detail::civil_of(days).month()); }
inline unsigned Date::day() const noexcept { return static_cast<unsigned>(detail::civil_of(days).day()); }

inline Date parse_date(std::string_view text, std::optional<std::size_t> row) {
    Date date;
    const std::string problem = detail::parse_date_into(text, date);
    if (!problem.empty()) {
        std::string message = row ? std::string("row ") + std::to_string(*row) + ": " : std::string();
        message += "malformed date '" + std::string(text) + "': " + problem;
        throw parse_error("date", row ? *row + 1 : 0, 0, message);
    }
    return date;
}

inline std::optional<Date> try_parse_date(std::string_view text) noexcept {
    try {
        Date date;
        if (detail::parse_date_into(text, date).empty()) return date;
    } catch (...) {  // std::bad_alloc while describing the problem
    }
    return std::nullopt;
}

inline std::string format_date(const Date& date) {
    const auto ymd = detail::civil_of(date.days);
    // (appends only: GCC 12 reports a false -Wrestrict on "literal" + std::string&&)
    const auto append = [](std::string& out, unsigned v, std::size_t width) {
        const std::string digits = std::to_string(v);
        if (digits.size() < width) out.append(width - digits.size(), '0');
        out.append(digits);
    };
    std::string out;
    const int year = static_cast<int>(ymd.year());
    if (year < 0) out.push_back('-');
    append(out, static_cast<unsigned>(year < 0 ? -year : year), 4);
    if (date.precision != DatePrecision::year) {
        out.push_back('-');
        append(out, static_cast<unsigned>(ymd.month()), 2);
    }
    if (date.precision == DatePrecision::day) {
        out.push_back('-');
        append(out, static_cast<unsigned>(ymd.day()), 2);
    }
    return out;
}

}  // namespace musiclab::preprocess
