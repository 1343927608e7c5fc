// Tests of musiclab/io/csv.hpp: RFC 4180 reading, types, encodings, errors with their location,
// streaming across buffer boundaries, writing, the shared data files, and a randomised
// malformed-input test (meant for the ASan/UBSan build).
#include <doctest/doctest.h>
#include <musiclab/core.hpp>
#include <musiclab/io.hpp>

#include "support.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

using musiclab::io::ColumnKind;
using musiclab::io::ColumnType;
using musiclab::io::CsvOptions;
using musiclab::io::Encoding;
using musiclab::io::read_csv;
using musiclab::io::read_csv_text;
using musiclab::test::parse_error_of;

namespace {

std::string cell(const musiclab::io::Table& t, const std::string& col, std::size_t row) {
    return std::string(t.text(col)[row]);
}

}  // namespace

TEST_CASE("csv: quoted fields with doubled quotes and embedded delimiters and line breaks") {
    const auto t = read_csv_text("name,note,n\n\"Smith, J\",\"said \"\"hi\"\"\",1\n\"multi\nline\",plain,2\n");
    REQUIRE(t.rows() == 2);
    REQUIRE(t.cols() == 3);
    CHECK(cell(t, "name", 0) == "Smith, J");
    CHECK(cell(t, "note", 0) == "said \"hi\"");
    CHECK(cell(t, "name", 1) == "multi\nline");
    CHECK(t.kind("n") == ColumnKind::numeric);
    CHECK(t.numeric("n")[1] == 2.0);
}

TEST_CASE("csv: CRLF line ends and a UTF-8 byte-order mark and no final line end") {
    const auto t = read_csv_text("\xEF\xBB\xBFid,v\r\n1,\"a\r\nb\"\r\n2,c");
    REQUIRE(t.names() == std::vector<std::string>{"id", "v"});
    REQUIRE(t.rows() == 2);
    CHECK(cell(t, "v", 0) == "a\r\nb");  // inside quotes the bytes are kept as written
    CHECK(cell(t, "v", 1) == "c");
    CHECK(t.numeric("id")[0] == 1.0);
}

TEST_CASE("csv: empty unquoted fields are missing and quoted empty strings are not") {
    const auto t = read_csv_text("a,b,c\n1,,\"\"\n,x,y\n");
    CHECK(t.numeric("a").is_missing(1));
    CHECK_FALSE(t.numeric("a").is_missing(0));
    CHECK(std::isnan(t.numeric("a")[1]));
    const auto& b = t.text("b");
    CHECK(b.is_missing(0));
    CHECK_FALSE(b.is_missing(1));
    const auto& c = t.text("c");
    CHECK_FALSE(c.is_missing(0));
    CHECK(c[0].empty());
    CHECK(c.missing_count() == 0);
}

TEST_CASE("csv: blank lines are skipped and a trailing delimiter makes an empty last field") {
    const auto t = read_csv_text("a,b\n\n1,\n\r\n2,3\n\n");
    REQUIRE(t.rows() == 2);
    CHECK(t.numeric("b").is_missing(0));
    CHECK(t.numeric("b")[1] == 3.0);
}

TEST_CASE("csv: automatic types and explicit number and text columns") {
    CsvOptions o;
    o.types = {{"code", ColumnType::text}};
    const auto t = read_csv_text("code,x,label\n007,1.5,a\n010,-2e3,b\n", o);
    CHECK(t.kind("code") == ColumnKind::text);
    CHECK(cell(t, "code", 0) == "007");
    CHECK(t.numeric("x")[1] == -2000.0);
    CHECK(t.kind("label") == ColumnKind::text);
    // a column that turns out to be text keeps the numbers' original spelling
    const auto u = read_csv_text("v\n1.50\n2\nthree\n");
    CHECK(u.kind("v") == ColumnKind::text);
    CHECK(cell(u, "v", 0) == "1.50");
    CHECK(cell(u, "v", 2) == "three");
}

TEST_CASE("csv: automatic columns that turn text keep every cell's spelling at any buffer size") {
    // numbers first (their text is not kept: a second pass reads the column as text), leading
    // missing cells (no second pass needed), NA text before text, and a numeric column untouched
    const std::string text = "late,early,na,num\n1.50,,NA,1\n007,,,2\n,x,foo,3\nthree,y,bar,4\n";
    for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{1} << 20}) {
        CsvOptions o;
        o.chunk_bytes = chunk;
        o.na_values = {"NA"};
        const auto t = read_csv_text(text, o);
        INFO("chunk_bytes = " << chunk);
        REQUIRE(t.kind("late") == ColumnKind::text);
        CHECK(cell(t, "late", 0) == "1.50");
        CHECK(cell(t, "late", 1) == "007");
        CHECK(t.text("late").is_missing(2));
        CHECK(cell(t, "late", 3) == "three");
        REQUIRE(t.kind("early") == ColumnKind::text);
        CHECK(t.text("early").is_missing(0));
        CHECK(t.text("early").is_missing(1));
        CHECK(cell(t, "early", 2) == "x");
        REQUIRE(t.kind("na") == ColumnKind::text);
        CHECK(cell(t, "na", 0) == "NA");  // na_values apply to numeric columns only
        CHECK(t.text("na").is_missing(1));
        REQUIRE(t.kind("num") == ColumnKind::numeric);
        CHECK(t.numeric("num")[3] == 4.0);
    }
}

TEST_CASE("csv: numbers are read exactly as strtod reads them") {
    // random decimal and scientific strings of every length, compared bit for bit with strtod
    musiclab::Rng rng(12345);
    std::string csv = "x\n";
    std::vector<std::string> texts;
    for (int i = 0; i < 20000; ++i) {
        std::string s;
        if (rng.below(2)) s += '-';
        const auto int_digits = rng.below(12);
        for (std::uint64_t k = 0; k < int_digits; ++k) s += static_cast<char>('0' + rng.below(10));
        if (int_digits == 0 || rng.below(3)) {
            s += '.';
            const auto frac_digits = 1 + rng.below(20);
            for (std::uint64_t k = 0; k < frac_digits; ++k) s += static_cast<char>('0' + rng.below(10));
        }
        if (rng.below(4) == 0) {
            s += 'e';
            s += std::to_string(static_cast<int>(rng.below(700)) - 350);
        }
        texts.push_back(s);
        csv += s + "\n";
    }
    CsvOptions o;
    o.default_type = ColumnType::number;
    const auto t = read_csv_text(csv, o);
    REQUIRE(t.rows() == texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const double expected = std::strtod(texts[i].c_str(), nullptr);
        INFO(texts[i]);
        CHECK(t.numeric("x")[i] == expected);  // exact: both are correctly rounded
    }
    double v = 0;
    CHECK(musiclab::detail::parse_double(" +1.25 ", v));
    CHECK(v == 1.25);
    CHECK(musiclab::detail::parse_double("1e400", v));  // overflow gives inf, as strtod
    CHECK(std::isinf(v));
    CHECK_FALSE(musiclab::detail::parse_double("1.2.3", v));
    CHECK_FALSE(musiclab::detail::parse_double(".", v));
    CHECK_FALSE(musiclab::detail::parse_double("", v));
    CHECK_FALSE(musiclab::detail::parse_double("12abc", v));
}

TEST_CASE("csv: a non-number in a number column names line and column or becomes missing") {
    CsvOptions o;
    o.types = {{"streams", ColumnType::number}};
    const std::string text = "title,streams\nA,100\n\"B\nC\",12x\n";
    const auto e = parse_error_of([&] { read_csv_text(text, o, "songs.csv"); });
    CHECK(e.source() == "songs.csv");
    CHECK(e.line() == 4);  // the record starts on line 3; the bad field starts on line 4
    CHECK(e.column() == 2);
    CHECK(std::string(e.what()).find("'12x' is not a number") != std::string::npos);
    CHECK(std::string(e.what()).find("streams") != std::string::npos);
    o.on_bad_number = musiclab::io::BadNumber::missing;
    const auto t = read_csv_text(text, o);
    CHECK(t.numeric("streams")[0] == 100.0);
    CHECK(t.numeric("streams").is_missing(1));
}

TEST_CASE("csv: thousands separators and na_values") {
    CsvOptions o;
    o.thousands = ',';
    o.na_values = {"NA"};
    o.default_type = ColumnType::number;
    const auto t = read_csv_text("n\n\"2,445\"\n12\nNA\n\"1,234,567.5\"\n", o);
    CHECK(t.numeric("n")[0] == 2445.0);
    CHECK(t.numeric("n").is_missing(2));
    CHECK(t.numeric("n")[3] == 1234567.5);
    CsvOptions bad;
    bad.thousands = '.';
    CHECK_THROWS_AS(read_csv_text("n\n1\n", bad), musiclab::invalid_parameter);
}

TEST_CASE("csv: an unterminated quote is reported at the line where it opened") {
    const auto e = parse_error_of([] { read_csv_text("a,b\n1,2\n3,\"open\n4,5\n6,7\n", {}, "x.csv"); });
    CHECK(e.line() == 3);
    CHECK(e.column() == 2);
    CHECK(std::string(e.what()).find("unterminated") != std::string::npos);
}

TEST_CASE("csv: characters after a closing quote are an error that suggests quote none for TSV") {
    const auto e = parse_error_of([] { read_csv_text("a,b\n\"x\"y,2\n"); });
    CHECK(e.line() == 2);
    CHECK(e.column() == 1);
    CsvOptions tabs;
    tabs.delimiter = '\t';
    const auto t = parse_error_of([&] { read_csv_text("id\tname\n1\t\"Weird Al\" Yankovic\n", tabs); });
    CHECK(std::string(t.what()).find("quote = std::nullopt") != std::string::npos);
    const auto ok = read_csv_text("id\tname\n1\t\"Weird Al\" Yankovic\n", CsvOptions::tsv());
    CHECK(cell(ok, "name", 0) == "\"Weird Al\" Yankovic");
}

TEST_CASE("csv: a ragged row names its line and the first missing or extra field") {
    const auto few = parse_error_of([] { read_csv_text("a,b,c\n1,2,3\n4,5\n"); });
    CHECK(few.line() == 3);
    CHECK(few.column() == 3);
    const auto many = parse_error_of([] { read_csv_text("a,b\n1,2\n3,4\n5,6,7\n"); });
    CHECK(many.line() == 4);
    CHECK(many.column() == 3);
    CHECK(std::string(many.what()).find("3 fields") != std::string::npos);
}

TEST_CASE("csv: unknown requested columns and wrong-kind lookups") {
    CsvOptions o;
    o.columns = {"b", "nope"};
    const auto e = parse_error_of([&] { read_csv_text("a,b\n1,2\n", o, "t.csv"); });
    CHECK(e.line() == 1);
    CHECK(std::string(e.what()).find("unknown column 'nope'") != std::string::npos);
    CsvOptions types;
    types.types = {{"zzz", ColumnType::number}};
    CHECK_THROWS_AS(read_csv_text("a\n1\n", types), musiclab::parse_error);
    const auto t = read_csv_text("a,b\n1,x\n");
    CHECK_THROWS_AS((void)t.numeric("missing"), musiclab::unknown_name);
    CHECK_THROWS_AS((void)t.numeric("b"), musiclab::error);
    CHECK_THROWS_AS((void)t.text("a"), musiclab::error);
}

TEST_CASE("csv: selected columns come in the requested order and others are skipped") {
    CsvOptions o;
    o.columns = {"c", "a"};
    const auto t = read_csv_text("a,b,c\n1,\"x\",3\n4,\"y\",6\n", o);
    CHECK(t.names() == std::vector<std::string>{"c", "a"});
    CHECK(t.numeric("c")[1] == 6.0);
    CHECK(t.numeric("a")[0] == 1.0);
}

TEST_CASE("csv: no header and duplicate header names and max_rows") {
    CsvOptions o;
    o.header = false;
    const auto t = read_csv_text("1,a\n2,b\n", o);
    CHECK(t.names() == std::vector<std::string>{"0", "1"});
    CHECK(t.rows() == 2);
    const auto d = read_csv_text("x,x,x\n1,2,3\n");
    CHECK(d.names() == std::vector<std::string>{"x", "x.1", "x.2"});
    CsvOptions m;
    m.max_rows = 1;
    CHECK(read_csv_text("a\n1\n2\n3\n", m).rows() == 1);
    CHECK(read_csv_text("").cols() == 0);
    CHECK(read_csv_text("a,b\n").rows() == 0);
}

TEST_CASE("csv: invalid UTF-8 is reported with its line and column") {
    const auto e = parse_error_of([] { read_csv_text("a,b\nok,fine\nx,caf\xE9\n", {}, "bad.csv"); });
    CHECK(e.line() == 3);
    CHECK(e.column() == 2);
    CHECK(std::string(e.what()).find("invalid UTF-8") != std::string::npos);
    // overlong encodings and surrogates are invalid too
    CHECK_THROWS_AS(read_csv_text("a\n\xC0\xAF\n"), musiclab::parse_error);
    CHECK_THROWS_AS(read_csv_text("a\n\xED\xA0\x80\n"), musiclab::parse_error);
    CHECK_THROWS_AS(read_csv_text("a\n\xF4\x90\x80\x80\n"), musiclab::parse_error);
    // valid multi-byte text passes unchanged
    const auto t = read_csv_text("a\nBeyonc\xC3\xA9 \xE6\x9D\xB1 \xF0\x9F\x8E\xB5\n");
    CHECK(cell(t, "a", 0) == "Beyonc\xC3\xA9 \xE6\x9D\xB1 \xF0\x9F\x8E\xB5");
}

TEST_CASE("csv: invalid_utf8 replace substitutes U+FFFD per maximal subpart as Python does") {
    CsvOptions o;
    o.invalid_utf8 = musiclab::io::InvalidUtf8::replace;
    // hand-worked against Python's bytes.decode("utf-8", "replace"):
    //   b"caf\xe9"          -> "caf\ufffd"
    //   b"\xe0\x80"         -> "\ufffd\ufffd"   (E0 needs A0..BF next: E0 alone is the subpart)
    //   b"\xf0\x9f\x98x"    -> "\ufffdx"        (a truncated 4-byte sequence is one subpart)
    //   b"\xef\xbf"         -> "\ufffd"
    const std::string R = "\xEF\xBF\xBD";
    const auto t = read_csv_text("a\ncaf\xE9\n\xE0\x80\n\xF0\x9F\x98x\n\xEF\xBF\n", o);
    CHECK(cell(t, "a", 0) == "caf" + R);
    CHECK(cell(t, "a", 1) == R + R);
    CHECK(cell(t, "a", 2) == R + "x");
    CHECK(cell(t, "a", 3) == R);
}

TEST_CASE("csv: latin1 input is converted to UTF-8") {
    CsvOptions o;
    o.encoding = Encoding::latin1;
    const auto t = read_csv_text("a\ntropic\xE1lia\n\xFF\n", o);
    CHECK(cell(t, "a", 0) == "tropic\xC3\xA1lia");
    CHECK(cell(t, "a", 1) == "\xC3\xBF");
}

TEST_CASE("csv: results do not depend on where the streaming buffer splits the input") {
    const std::string text =
        "\xEF\xBB\xBFid,name,score,notes\r\n1,\"Smith, J\",1.5,\"multi\nline \"\"quoted\"\"\"\r\n"
        "2,Beyonc\xC3\xA9,,plain\r\n\r\n3,\"\",-7e-3,\"a,b,c\"\r\n4,x,12345678901234567890,last";
    const auto reference = read_csv_text(text);
    std::ostringstream ref_csv;
    musiclab::io::write_csv(reference, ref_csv);
    for (std::size_t chunk = 1; chunk <= 64; ++chunk) {
        CsvOptions o;
        o.chunk_bytes = chunk;
        const auto t = read_csv_text(text, o);
        std::ostringstream csv;
        musiclab::io::write_csv(t, csv);
        INFO("chunk_bytes = " << chunk);
        CHECK(csv.str() == ref_csv.str());
    }
    CHECK(reference.rows() == 4);
    CHECK(reference.numeric("score").is_missing(1));
}

TEST_CASE("csv: numeric files parse the same through the fast path at every buffer split") {
    const std::string text =
        "a,b,skip,c\r\n1,-2.5,x,3\r\n,0.125,\"q,q\",-0\r\n7,8,y,\r\n1e3,.5,z,12345678901234567\r\n-,1,w,2\n"
        "2.5E+2,1e-400,v,3.0e\n";
    for (const bool typed : {false, true}) {
        CsvOptions base;
        base.columns = {"a", "b", "c"};
        base.on_bad_number = musiclab::io::BadNumber::missing;
        if (typed) base.default_type = ColumnType::number;
        const auto reference = read_csv_text(text, base);
        std::ostringstream ref_csv;
        musiclab::io::write_csv(reference, ref_csv);
        for (std::size_t chunk = 1; chunk <= 80; ++chunk) {
            CsvOptions o = base;
            o.chunk_bytes = chunk;
            std::ostringstream csv;
            musiclab::io::write_csv(read_csv_text(text, o), csv);
            INFO("typed = " << typed << ", chunk_bytes = " << chunk);
            CHECK(csv.str() == ref_csv.str());
        }
        if (typed) {
            CHECK(reference.numeric("a")[3] == 1000.0);
            CHECK(reference.numeric("b")[3] == 0.5);
            CHECK(reference.numeric("c")[3] == 12345678901234567.0);
            CHECK(reference.numeric("a").is_missing(1));
            CHECK(reference.numeric("a").is_missing(4));  // "-" alone is not a number
            CHECK(std::signbit(reference.numeric("c")[1]));
            CHECK(reference.numeric("a")[5] == 250.0);
            CHECK(reference.numeric("b")[5] == 0.0);       // underflow, as strtod
            CHECK(reference.numeric("c").is_missing(5));   // "3.0e" is not a number
        } else {
            CHECK(reference.kind("a") == ColumnKind::text);  // "-" makes it text
            CHECK(reference.text("a")[4] == "-");
            CHECK(reference.numeric("b")[0] == -2.5);
        }
    }
}

TEST_CASE("csv: write_csv then read_csv gives back the same table") {
    musiclab::io::Table t;
    t.add("x", musiclab::io::NumericColumn({0.1, -1e-300, 123456789.125, 0.0}, {0, 0, 0, 1}));
    t.add("s", musiclab::io::TextColumn(std::vector<std::string>{"plain", "with,comma", "quote\"d", "two\nlines"}));
    std::ostringstream out;
    musiclab::io::write_csv(t, out);
    const auto back = read_csv_text(out.str());
    REQUIRE(back.rows() == 4);
    for (std::size_t i = 0; i < 3; ++i) CHECK(back.numeric("x")[i] == t.numeric("x")[i]);
    CHECK(back.numeric("x").is_missing(3));
    for (std::size_t i = 0; i < 4; ++i) CHECK(back.text("s")[i] == t.text("s")[i]);
}

TEST_CASE("table: drop_duplicates keeps the first row of each value as pandas does") {
    // id: text with a repeat and two missing cells (one value, as pandas); n: numbers with 0.0 and
    // -0.0 (equal) and two NaN (one value).
    const auto t = read_csv_text("id,n,tag\nb,1,r0\na,0.0,r1\nb,2,r2\n,-0.0,r3\nc,,r4\n,1,r5\na,,r6\n");
    CHECK(t.first_rows_by("id") == std::vector<std::size_t>{0, 1, 3, 4});
    CHECK(t.first_rows_by("n") == std::vector<std::size_t>{0, 1, 2, 4});
    const auto d = t.drop_duplicates("id");
    REQUIRE(d.rows() == 4);
    CHECK(cell(d, "tag", 0) == "r0");
    CHECK(cell(d, "tag", 1) == "r1");
    CHECK(cell(d, "tag", 2) == "r3");
    CHECK(cell(d, "tag", 3) == "r4");
    CHECK(d.text("id").is_missing(2));
    CHECK(d.numeric("n")[1] == 0.0);
    CHECK(d.numeric("n").is_missing(3));
    CHECK(t.drop_duplicates("tag").rows() == t.rows());
    CHECK_THROWS_AS(t.drop_duplicates("nope"), musiclab::unknown_name);
    CHECK(read_csv_text("id\n").drop_duplicates("id").rows() == 0);
}

TEST_CASE("csv: a file that cannot be opened raises io_error") {
    CHECK_THROWS_AS(read_csv("/nonexistent/dir/file.csv"), musiclab::io_error);
}

TEST_CASE("csv: bad options are rejected") {
    CsvOptions newline;
    newline.delimiter = '\n';
    CHECK_THROWS_AS(read_csv_text("a\n1\n", newline), musiclab::invalid_parameter);
    CsvOptions q;
    q.quote = ',';
    CHECK_THROWS_AS(read_csv_text("a\n1\n", q), musiclab::invalid_parameter);
    CsvOptions c;
    c.chunk_bytes = 0;
    CHECK_THROWS_AS(read_csv_text("a\n1\n", c), musiclab::invalid_parameter);
    CsvOptions twice;
    twice.columns = {"a", "a"};
    CHECK_THROWS_AS(read_csv_text("a\n1\n", twice), musiclab::invalid_parameter);
}

// ---- the shared data: every CSV/TSV/.dat file with the row count its README documents ---------

namespace {

/// Row (and, where given, column) counts of each file, read from the "| ... | file | rows | ..."
/// table rows of shared/data/README.md: the number cells right after the cell naming the file.
std::map<std::string, std::pair<std::size_t, std::size_t>> documented_counts(const std::filesystem::path& readme) {
    auto trim = [](std::string s) {
        const auto b = s.find_first_not_of(" \t");
        const auto e = s.find_last_not_of(" \t");
        return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    auto is_file_name = [](const std::string& s) {
        const auto dot = s.rfind('.');
        if (dot == std::string::npos) return false;
        const auto ext = s.substr(dot);
        return (ext == ".csv" || ext == ".tsv" || ext == ".dat") &&
               s.find_first_of(" `/") == std::string::npos;
    };
    auto as_count = [](const std::string& s, std::size_t& out) {  // "114,000" -> 114000
        std::string digits;
        for (char c : s) {
            if (c >= '0' && c <= '9') digits += c;
            else if (c != ',') return false;
        }
        if (digits.empty()) return false;
        out = std::stoul(digits);
        return true;
    };
    std::ifstream in(readme);
    std::map<std::string, std::pair<std::size_t, std::size_t>> counts;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] != '|') continue;
        std::vector<std::string> cells;
        std::stringstream ss(line.substr(1));
        std::string c;
        while (std::getline(ss, c, '|')) cells.push_back(trim(c));
        for (std::size_t i = 0; i + 1 < cells.size(); ++i) {
            if (!is_file_name(cells[i]) || counts.count(cells[i])) continue;
            std::size_t rows = 0, cols = 0;
            if (!as_count(cells[i + 1], rows)) continue;
            if (i + 2 < cells.size()) as_count(cells[i + 2], cols);
            counts[cells[i]] = {rows, cols};
        }
    }
    return counts;
}

}  // namespace

TEST_CASE("csv: every CSV TSV and dat file under shared data loads with its documented row count") {
    const auto data = musiclab::test::shared_dir() / "data";
    MUSICLAB_REQUIRE_PATH(data / "README.md");
    const auto counts = documented_counts(data / "README.md");
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(data)) {
        const auto ext = entry.path().extension().string();
        if (!entry.is_regular_file() || (ext != ".csv" && ext != ".tsv" && ext != ".dat")) continue;
        const auto name = entry.path().filename().string();
        INFO(entry.path().string());
        const auto it = counts.find(name);
        REQUIRE_MESSAGE(it != counts.end(), "no row count documented in README.md for " << name);
        // .dat/.tsv: tab-separated without quoting. Text that is not valid UTF-8 is read with
        // U+FFFD substitution here; the strict default reports it (tested below).
        CsvOptions o = ext == ".csv" ? CsvOptions{} : CsvOptions::tsv();
        o.invalid_utf8 = musiclab::io::InvalidUtf8::replace;
        const auto t = read_csv(entry.path(), o);
        CHECK(t.rows() == it->second.first);
        if (it->second.second > 0) CHECK(t.cols() == it->second.second);
        ++files;
    }
    CHECK(files >= 8);
}

TEST_CASE("csv: the Latin-1 Last.fm tags file is reported as invalid UTF-8 and reads as latin1") {
    const auto path = musiclab::test::shared_dir() / "data/lastfm_hetrec2011/tags.dat";
    MUSICLAB_REQUIRE_PATH(path);
    const auto e = parse_error_of([&] { read_csv(path, CsvOptions::tsv()); });
    CHECK(e.source() == path.string());
    CHECK(e.line() > 1);
    CHECK(e.column() == 2);
    auto o = CsvOptions::tsv();
    o.encoding = Encoding::latin1;
    const auto t = read_csv(path, o);
    bool found = false;
    for (std::size_t i = 0; i < t.rows(); ++i)
        if (t.numeric("tagID")[i] == 2863) found = t.text("tagValue")[i] == "tropic\xC3\xA1lia";
    CHECK(found);  // README: tagID 2863 is 'tropicália'
}

TEST_CASE("csv: the messy spotify-2023 file with thousands separators and a bad number") {
    const auto path = musiclab::test::shared_dir() / "data/spotify_2023/spotify-2023.csv";
    MUSICLAB_REQUIRE_PATH(path);
    CHECK_THROWS_AS(read_csv(path), musiclab::parse_error);  // invalid UTF-8 in names
    CsvOptions o;
    o.invalid_utf8 = musiclab::io::InvalidUtf8::replace;
    o.thousands = ',';
    o.types = {{"streams", ColumnType::number}, {"in_deezer_playlists", ColumnType::number},
               {"in_shazam_charts", ColumnType::number}};
    const auto e = parse_error_of([&] { read_csv(path, o); });
    CHECK(e.column() == 9);  // streams is the 9th column
    CHECK(std::string(e.what()).find("BPM110KeyAModeMajor") != std::string::npos);
    o.on_bad_number = musiclab::io::BadNumber::missing;
    const auto t = read_csv(path, o);
    CHECK(t.rows() == 953);
    CHECK(t.numeric("streams").missing_count() == 1);
    CHECK(t.numeric("in_deezer_playlists").missing_count() == 0);
    CHECK(t.numeric("in_shazam_charts").missing_count() == 50);  // README: 50 empty values
    CHECK(t.text("key").missing_count() == 95);                  // README: key empty in 95 rows
    // read with automatic types, the streams column turns text at the bad row and keeps every
    // cell's original spelling (a second pass over the file)
    CsvOptions automatic;
    automatic.invalid_utf8 = musiclab::io::InvalidUtf8::replace;
    const auto a = read_csv(path, automatic);
    REQUIRE(a.kind("streams") == ColumnKind::text);
    CHECK(a.text("streams")[0] == "141381703");  // data row 0 of the file
    CHECK(a.kind("in_deezer_playlists") == ColumnKind::text);  // "2,445" without thousands = ','
    CHECK(a.kind("bpm") == ColumnKind::numeric);
    // the row with the bad value is the one the README names
    for (std::size_t i = 0; i < t.rows(); ++i)
        if (t.numeric("streams").is_missing(i)) CHECK(t.text("track_name")[i] == "Love Grows (Where My Rosemary Goes)");
}

// ---- randomised malformed input: never a crash, an out-of-bounds read or a non-musiclab error ----

TEST_CASE("csv: random malformed input either parses or raises musiclab errors") {
    musiclab::Rng rng(2024);
    const std::string alphabet[] = {",", "\"", "\n", "\r", "\r\n", "\t", "a", "1", "2.5", "-", "e", ".",
                                    "\xC3\xA9", "\xE9", "\xF0\x9F", "\xEF\xBB\xBF", "", " ", "\"\"", "nan"};
    std::size_t parsed = 0, rejected = 0;
    for (int iteration = 0; iteration < 3000; ++iteration) {
        std::string text;
        const auto pieces = rng.below(60);
        for (std::uint64_t k = 0; k < pieces; ++k) text += alphabet[rng.below(std::size(alphabet))];
        CsvOptions o;
        o.chunk_bytes = 1 + rng.below(32);
        if (rng.below(3) == 0) o.delimiter = '\t';
        if (rng.below(4) == 0) o.quote = std::nullopt;
        if (rng.below(3) == 0) o.header = false;
        if (rng.below(3) == 0) o.encoding = Encoding::latin1;
        if (rng.below(3) == 0) o.invalid_utf8 = musiclab::io::InvalidUtf8::replace;
        if (rng.below(3) == 0) o.default_type = ColumnType::number;
        if (rng.below(4) == 0) o.on_bad_number = musiclab::io::BadNumber::missing;
        if (rng.below(4) == 0) o.thousands = ',';
        try {
            const auto t = read_csv_text(text, o);
            for (std::size_t j = 0; j < t.cols(); ++j)
                std::visit([&](const auto& c) { CHECK(c.size() == t.rows()); }, t.column(j));
            ++parsed;
        } catch (const musiclab::parse_error& e) {
            CHECK(e.line() >= 1);
            ++rejected;
        } catch (const musiclab::invalid_parameter&) {
            ++rejected;  // e.g. thousands separator equal to the delimiter is allowed; quote/delimiter clash
        }
    }
    CHECK(parsed > 100);
    CHECK(rejected > 100);
}
