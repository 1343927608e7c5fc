#include <doctest/doctest.h>
#include <musiclab/preprocess/dates.hpp>
#include <support.hpp>

#include "data/preprocess/reference_tsv.hpp"

#include <string>
#include <vector>

namespace pp = musiclab::preprocess;
namespace ref = musiclab::test::preprocess;

TEST_CASE("parse_date hand-worked values at the three precisions") {
    CHECK(pp::parse_date("1970-01-01") == pp::Date{0, pp::DatePrecision::day});
    CHECK(pp::parse_date("1970") == pp::Date{0, pp::DatePrecision::year});
    CHECK(pp::parse_date("1970-02") == pp::Date{31, pp::DatePrecision::month});
    CHECK(pp::parse_date("1969-12-31").days == -1);
    CHECK(pp::parse_date("2000-03-01").days == 11017);
    CHECK(pp::parse_date("2000-02-29").days == 11016);  // divisible by 400: leap
    CHECK(pp::parse_date("2024-02-29").days == 19782);
    CHECK(pp::parse_date("0000").days == -719528);       // year 0 of the proleptic calendar
    const auto d = pp::parse_date("1999-07-04");
    CHECK(d.year() == 1999);
    CHECK(d.month() == 7u);
    CHECK(d.day() == 4u);
    CHECK(d.precision == pp::DatePrecision::day);
    const auto m = pp::parse_date("1999-07");
    CHECK(m.day() == 1u);
    CHECK(pp::format_date(m) == "1999-07");
    CHECK(pp::format_date(pp::parse_date("0042")) == "0042");
    CHECK(pp::format_date(d) == "1999-07-04");
}

TEST_CASE("Dates order by day then precision") {
    const auto y = pp::parse_date("1999");
    const auto m = pp::parse_date("1999-01");
    const auto d = pp::parse_date("1999-01-01");
    CHECK(y < m);
    CHECK(m < d);
    CHECK(d < pp::parse_date("1999-01-02"));
    CHECK(pp::parse_date("1998-12-31") < y);
}

TEST_CASE("parse_date rejects malformed and impossible dates naming text and row") {
    const std::vector<std::string> bad = {"",        "199",        "19999",      "1999-1",     "1999-1-01",
                                          "1999/01", "1999-00",    "1999-13",    "1999-01-00", "1999-01-32",
                                          "1999-02-29", "1900-02-29", "2023-04-31", " 1999",   "1999-01-01T",
                                          "-999",    "abcd",       "1999-0a",    "1999-01-0x", "1999-01_01"};
    for (const auto& text : bad) {
        CAPTURE(text);
        CHECK_THROWS_AS(pp::parse_date(text), musiclab::parse_error);
        CHECK_FALSE(pp::try_parse_date(text).has_value());
    }
    try {
        (void)pp::parse_date("2023-02-29", 41);
        FAIL("expected parse_error");
    } catch (const musiclab::parse_error& e) {
        CHECK(e.line() == 42);
        CHECK(e.source() == "date");
        CHECK(e.message() == "row 41: malformed date '2023-02-29': day 29 is not in 1..28 for 2023-02");
    }
    try {
        (void)pp::parse_date("1999-13");
        FAIL("expected parse_error");
    } catch (const musiclab::parse_error& e) {
        CHECK(e.line() == 0);
        CHECK(e.message() == "malformed date '1999-13': month 13 is not in 1..12");
    }
    const std::vector<std::string> column = {"2001", "2001-02", "oops"};
    try {
        (void)pp::parse_dates(column);
        FAIL("expected parse_error");
    } catch (const musiclab::parse_error& e) {
        CHECK(e.line() == 3);
        CHECK(std::string(e.what()).find("row 2: malformed date 'oops'") != std::string::npos);
    }
    CHECK(pp::try_parse_date("2001-02").has_value());
}

TEST_CASE("parse_date agrees with Python datetime on dates.tsv") {
    const std::filesystem::path path = musiclab::test::test_data_dir() / "preprocess" / "dates.tsv";
    MUSICLAB_REQUIRE_PATH(path);
    const auto rows = ref::read_tsv(path);
    REQUIRE(rows.size() > 600);
    for (const auto& f : rows) {
        CAPTURE(f[0]);
        const auto d = pp::parse_date(f[0]);
        CHECK(d.days == ref::to_int(f[1]));
        const auto expected = f[2] == "day" ? pp::DatePrecision::day
                              : f[2] == "month" ? pp::DatePrecision::month
                                                : pp::DatePrecision::year;
        CHECK(d.precision == expected);
        CHECK(pp::format_date(d) == f[0]);
    }
}
