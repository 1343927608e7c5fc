// Tests of musiclab/text/vader.hpp: parity with vaderSentiment on every reference file of
// ../shared/reference/vader (found by pattern), Pearson r against the ICWSM-2014 human ratings,
// Python's round(), invalid UTF-8, malformed lexicons, thread-count independence, the fast
// tokenizers and the BMP case table against the general paths, and a
// randomised byte-string test (meant for the ASan/UBSan build).
#include <doctest/doctest.h>
#include <musiclab/core.hpp>
#include <musiclab/text.hpp>

#include "support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <span>
#include <sstream>
#include <string>
#include <vector>

using musiclab::text::VaderAnalyzer;
using musiclab::text::VaderScores;

namespace {

std::filesystem::path vader_data() { return musiclab::test::shared_dir() / "data/vader"; }
std::filesystem::path vader_reference() { return musiclab::test::shared_dir() / "reference/vader"; }

/// The analyzer on the shared lexicons, built once.
const VaderAnalyzer& analyzer() {
    static const VaderAnalyzer a(vader_data());
    return a;
}

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return std::move(s).str();
}

using musiclab::test::parse_error_of;

/// A file in the temporary folder, removed at the end of the scope.
struct TempFile {
    std::filesystem::path path;
    TempFile(const std::string& name, const std::string& content)
        : path(std::filesystem::temp_directory_path() / ("musiclab_test_vader_" + name)) {
        std::ofstream(path, std::ios::binary) << content;
    }
    ~TempFile() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

bool same_bits(const VaderScores& a, const VaderScores& b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

/// Pearson correlation (numpy.corrcoef: centred sums).
double pearson(const std::vector<double>& x, const std::vector<double>& y) {
    const auto n = static_cast<double>(x.size());
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / std::sqrt(sxx * syy);
}

}  // namespace

TEST_CASE("vader: parity with vaderSentiment on every reference file") {
    MUSICLAB_REQUIRE_PATH(vader_data());
    MUSICLAB_REQUIRE_PATH(vader_reference());
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(vader_reference()))
        if (entry.path().extension() == ".jsonl") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    REQUIRE(!files.empty());
    const auto& vader = analyzer();
    std::size_t total_rows = 0;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::string line;
        std::size_t rows = 0, differ = 0, raw_differ = 0;
        double max_raw_error = 0.0;
        while (std::getline(in, line)) {
            if (line.empty()) continue;
            const auto j = nlohmann::json::parse(line);
            const auto text = j.at("text").get<std::string>();
            const VaderScores s = vader.polarity_scores(text);
            ++rows;
            // published values: exact equality (both are the double nearest to the rounded decimal)
            const bool same = s.neg == j.at("neg").get<double>() && s.neu == j.at("neu").get<double>() &&
                              s.pos == j.at("pos").get<double>() && s.compound == j.at("compound").get<double>();
            // raw values: 1e-12 absolute (reference README section 1; bit-identical is expected)
            const double e = std::max({std::fabs(s.neg_raw - j.at("neg_raw").get<double>()),
                                       std::fabs(s.neu_raw - j.at("neu_raw").get<double>()),
                                       std::fabs(s.pos_raw - j.at("pos_raw").get<double>()),
                                       std::fabs(s.compound_raw - j.at("compound_raw").get<double>())});
            max_raw_error = std::max(max_raw_error, e);
            if (!same) {
                if (differ < 5)
                    MESSAGE(file.filename().string() << " row " << rows - 1 << ": " << text << " -> " << s.neg << ' ' << s.neu
                                                     << ' ' << s.pos << ' ' << s.compound << " expected " << line);
                ++differ;
            }
            raw_differ += e > 1e-12;
        }
        total_rows += rows;
        MESSAGE(file.filename().string() << ": " << rows << " texts, " << differ << " differ in neg/neu/pos/compound, "
                                         << raw_differ << " differ in *_raw by > 1e-12 (max |raw error| "
                                         << max_raw_error << ")");
        CHECK(rows > 0);
        CHECK(differ == 0);
        CHECK(raw_differ == 0);
    }
    CHECK(total_rows > 0);
}

TEST_CASE("vader: Pearson r of compound against the ICWSM-2014 human ratings") {
    MUSICLAB_REQUIRE_PATH(vader_data() / "icwsm2014");
    MUSICLAB_REQUIRE_PATH(vader_reference() / "_facts.json");
    const auto facts = nlohmann::json::parse(read_all(vader_reference() / "_facts.json"));
    const std::pair<const char*, const char*> sets[] = {{"tweets", "tweets_GroundTruth.txt"},
                                                        {"amazon", "amazonReviewSnippets_GroundTruth.txt"}};
    for (const auto& [name, file] : sets) {
        // id TAB mean rating TAB text, CRLF line ends; the text is everything after the 2nd TAB
        const std::string content = read_all(vader_data() / "icwsm2014" / file);
        std::vector<double> compound, rating;
        std::size_t pos = 0;
        while (pos < content.size()) {
            std::size_t end = content.find("\r\n", pos);
            if (end == std::string::npos) end = content.size();
            const std::string_view line(content.data() + pos, end - pos);
            pos = end + 2;
            if (line.empty()) continue;
            const std::size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
            REQUIRE(t2 != std::string_view::npos);
            rating.push_back(std::stod(std::string(line.substr(t1 + 1, t2 - t1 - 1))));
            compound.push_back(analyzer().polarity_scores(line.substr(t2 + 1)).compound);
        }
        const double r = pearson(compound, rating);
        const double expected = facts.at(name).at("pearson_r_compound_vs_human").get<double>();
        MESSAGE(std::string(name) << ": " << rating.size() << " texts, Pearson r = " << std::setprecision(12) << r
                                << " (reference " << expected << ")");
        CHECK(rating.size() == facts.at(name).at("rows").get<std::size_t>());
        // 1e-9: the compound values are identical; only the order of the sums may differ from numpy
        CHECK(std::fabs(r - expected) < 1e-9);
    }
}

TEST_CASE("vader: rules on hand-checked sentences") {
    MUSICLAB_REQUIRE_PATH(vader_data());
    const auto& v = analyzer();
    // values printed by vaderSentiment 3.3.1 (44fc044)
    auto s = v.polarity_scores("VADER is VERY SMART, handsome, and FUNNY!!!");
    CHECK(s.neg == 0.0);
    CHECK(s.neu == 0.233);
    CHECK(s.pos == 0.767);
    CHECK(s.compound == 0.9342);
    CHECK(v.polarity_scores("").compound == 0.0);
    CHECK(v.polarity_scores("").neu == 0.0);       // no words: all four are 0
    CHECK(v.polarity_scores(" \t\u3000 ").neu == 0.0);
    CHECK(v.polarity_scores("table").neu == 1.0);  // only neutral words
    CHECK(v.polarity_scores("Not bad at all").compound == 0.431);
    CHECK(v.lexicon_size() == 7506);
    CHECK(v.emoji_lexicon_size() == 3570);
    CHECK(v.valence("good").value() == 1.9);
    CHECK(!v.valence("Good").has_value());
}

TEST_CASE("vader: Python round half to even on the exact binary value") {
    using musiclab::detail::vader::python_round;
    CHECK(python_round(0.3125, 3) == 0.312);
    CHECK(python_round(0.0625, 3) == 0.062);
    CHECK(python_round(0.6875, 3) == 0.688);
    CHECK(python_round(0.03125, 4) == 0.0312);
    CHECK(python_round(0.09375, 4) == 0.0938);
    CHECK(python_round(-0.03125, 4) == -0.0312);
    CHECK(python_round(0.0015, 3) == 0.002);    // the double 0.0015 is above the midpoint
    CHECK(python_round(0.0045, 3) == 0.004);    // ... and the double 0.0045 below it
    CHECK(python_round(0.00015, 4) == 0.0001);
    CHECK(python_round(0.12345, 4) == 0.1235);  // binary value above 0.12345
    CHECK(python_round(1.0, 4) == 1.0);
    CHECK(std::signbit(python_round(-0.00001, 4)));  // Python gives -0.0
}

TEST_CASE("vader: the whitespace pre-filter agrees with utf8proc on every code point") {
    namespace pu = musiclab::detail::pyunicode;
    std::size_t spaces = 0, wrong = 0;
    for (char32_t c = 0x80; c < 0x110000; ++c) {
        if (c >= 0xD800 && c <= 0xDFFF) continue;
        const auto* p = utf8proc_get_property(static_cast<utf8proc_int32_t>(c));
        const bool space = p->category == UTF8PROC_CATEGORY_ZS || p->bidi_class == UTF8PROC_BIDI_CLASS_WS ||
                           p->bidi_class == UTF8PROC_BIDI_CLASS_B || p->bidi_class == UTF8PROC_BIDI_CLASS_S;
        spaces += space;
        wrong += space != pu::is_space(c);
    }
    CHECK(wrong == 0);
    CHECK(spaces == 19);  // U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000
    CHECK(!pu::is_space(0x200B));
}

TEST_CASE("vader: invalid UTF-8 is decoded like Python errors=replace") {
    MUSICLAB_REQUIRE_PATH(vader_data());
    const auto& v = analyzer();
    const std::string fffd = "\xEF\xBF\xBD";
    // each maximal invalid subpart is one U+FFFD: a stray continuation byte, a truncated
    // sequence, a surrogate (3 bytes -> 3 replacements), an overlong form
    const std::pair<std::string, std::string> cases[] = {
        {"good \xFF day", "good " + fffd + " day"},
        {"great\xE0\x80 x", "great" + fffd + fffd + " x"},
        {"nice \xF0\x9F\x98", "nice " + fffd},
        {"bad \xED\xA0\x80!", "bad " + fffd + fffd + fffd + "!"},
        {"ok\xC0\xAF :)", "ok" + fffd + fffd + " :)"},
        {"\xE2\x80 love", fffd + " love"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.second);
        CHECK(same_bits(v.polarity_scores(c.first), v.polarity_scores(c.second)));
    }
    // "\xC2\xA0" is a valid NBSP and splits words; a lone "\xA0" is invalid and does not
    CHECK(v.polarity_scores("no\xC2\xA0good").compound != v.polarity_scores("no\xA0good").compound);
    // embedded NUL bytes are ordinary characters
    CHECK(v.polarity_scores(std::string("good\0bad", 8)).compound == v.polarity_scores("x").compound);
}

TEST_CASE("vader: the but rule matches the list.index simulation on long texts") {
    // the fast path (texts with more than 256 words) against the direct simulation
    musiclab::Rng rng(99);
    for (int round = 0; round < 200; ++round) {
        const std::size_t n = 257 + rng.below(400);
        std::vector<double> s(n);
        const double values[] = {0.0, -0.0, 1.4, 2.8, 0.7, -1.2, -2.4, 2.1, 3.15, 0.35};
        for (auto& x : s) x = values[rng.below(10)];
        const std::size_t bi = rng.below(n);
        std::vector<double> expected = s;
        for (std::size_t j = 0; j < n; ++j) {  // the reference, literally
            const double val = expected[j];
            const std::size_t si = static_cast<std::size_t>(std::find(expected.begin(), expected.end(), val) - expected.begin());
            if (si < bi) expected[si] = val * 0.5;
            else if (si > bi) expected[si] = val * 1.5;
        }
        musiclab::detail::vader::Scratch scratch;
        musiclab::detail::vader::but_check(s, bi, scratch);
        CHECK(s == expected);
    }
}

TEST_CASE("vader: batch scores are independent of the thread count") {
    MUSICLAB_REQUIRE_PATH(vader_reference() / "titles.jsonl");
    std::vector<std::string> texts;
    std::ifstream in(vader_reference() / "titles.jsonl", std::ios::binary);
    std::string line;
    while (std::getline(in, line) && texts.size() < 5000) texts.push_back(nlohmann::json::parse(line).at("text").get<std::string>());
    texts.push_back("");
    texts.push_back("but but but good BAD but");
    const auto& v = analyzer();
    std::vector<VaderScores> one(texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) one[i] = v.polarity_scores(texts[i]);
    for (const int threads : {1, 2, 3, 8, 0}) {
        musiclab::text::VaderBatchOptions options;
        options.num_threads = threads;
        const auto batch = v.polarity_scores_batch(std::span<const std::string>(texts), options);
        REQUIRE(batch.size() == texts.size());
        std::size_t differ = 0;
        for (std::size_t i = 0; i < texts.size(); ++i) differ += !same_bits(batch[i], one[i]);
        CAPTURE(threads);
        CHECK(differ == 0);
    }
    std::vector<std::string_view> views(texts.begin(), texts.end());
    std::vector<VaderScores> out(views.size());
    v.polarity_scores_batch(std::span<const std::string_view>(views), std::span<VaderScores>(out));
    CHECK(same_bits(out[7], one[7]));
    std::vector<VaderScores> wrong(3);
    CHECK_THROWS_AS(v.polarity_scores_batch(std::span<const std::string_view>(views), std::span<VaderScores>(wrong)),
                    musiclab::shape_mismatch);
    musiclab::text::VaderBatchOptions bad;
    bad.num_threads = -1;
    CHECK_THROWS_AS(v.polarity_scores_batch(std::span<const std::string_view>(views), bad), musiclab::invalid_parameter);
}

TEST_CASE("vader: malformed lexicon lines raise parse_error with the file and line") {
    const std::string emoji_ok = "\xF0\x9F\x98\x80\tgrinning face\n";
    const TempFile emoji("emoji.txt", emoji_ok);
    {
        const TempFile lex("no_tab.txt", "good\t1.9\t0.9\t[1, 2]\nbad\t-2.5\t0.5\t[]\nbroken line\n");
        const auto e = parse_error_of([&] { VaderAnalyzer a(lex.path, emoji.path); });
        CHECK(e.line() == 3);
        CHECK(e.source() == lex.path.string());
        CHECK(std::string(e.what()).find("broken line") != std::string::npos);
    }
    {
        const TempFile lex("bad_number.txt", "good\t1.9\n\nbad\tminus two\t0.5\n");
        const auto e = parse_error_of([&] { VaderAnalyzer a(lex.path, emoji.path); });
        CHECK(e.line() == 3);  // the empty line 2 is skipped but counted
        CHECK(e.column() == 2);
    }
    {
        const TempFile lex("nan.txt", "good\tnan\n");
        CHECK(parse_error_of([&] { VaderAnalyzer a(lex.path, emoji.path); }).line() == 1);
    }
    {
        const TempFile lex("utf8.txt", "good\t1.9\ncaf\xC3\t0.5\n");
        const auto e = parse_error_of([&] { VaderAnalyzer a(lex.path, emoji.path); });
        CHECK(e.line() == 2);
        CHECK(e.column() == 4);
    }
    {
        const TempFile lex("ok.txt", "good\t1.9\r\nhappy\t+2.7\t1\t[]\r\ngood\t2.0\n\n\n");
        const TempFile bad_emoji("bad_emoji.txt", emoji_ok + "\xF0\x9F\x98\x81\n");
        const auto e = parse_error_of([&] { VaderAnalyzer a(lex.path, bad_emoji.path); });
        CHECK(e.line() == 2);
        CHECK(e.source() == bad_emoji.path.string());
        // the valid files load: CRLF, '+', blank lines, and a repeated token (the last wins)
        const VaderAnalyzer a(lex.path, emoji.path);
        CHECK(a.lexicon_size() == 2);
        CHECK(a.valence("good").value() == 2.0);
        CHECK(a.valence("happy").value() == 2.7);
        CHECK(a.polarity_scores("\xF0\x9F\x98\x80").neu == 1.0);  // "grinning face": no lexicon word here
    }
    CHECK_THROWS_AS(VaderAnalyzer("/nonexistent/musiclab/vader"), musiclab::io_error);
    CHECK(parse_error_of([] { VaderAnalyzer::from_text("x\t1\n", "\n\n"); }).line() == 1);  // empty emoji file
}

TEST_CASE("vader: random byte strings give finite scores in range (fuzz)") {
    MUSICLAB_REQUIRE_PATH(vader_data());
    const auto& v = analyzer();
    musiclab::Rng rng(2024);
    const std::string pieces[] = {"good", "BAD", "not", "but", "no", "kind", "of", "least", "very", "never", "so",
                                  "this", "without", "doubt", "the", "shit", "n't", "!", "?", ":)", " ", "\t",
                                  "\xC2\xA0", "\xE3\x80\x80", "\xF0\x9F\x98\x80", "\xEF\xB8\x8F", "\xE2\x80\x8B",
                                  "\xCE\xA3", "\xC4\xB0", "\xFF", "\xE0\x80", "\xF0\x9F", "\xED\xA0\x80"};
    musiclab::text::VaderWorkspace ws;
    std::string text;
    for (int iter = 0; iter < 20000; ++iter) {
        text.clear();
        const std::size_t parts = rng.below(iter % 100 == 0 ? 2000 : 24);
        for (std::size_t k = 0; k < parts; ++k) {
            if (rng.below(3) == 0) {
                const std::size_t bytes = 1 + rng.below(6);
                for (std::size_t b = 0; b < bytes; ++b) text += static_cast<char>(rng.below(256));
            } else {
                text += pieces[rng.below(std::size(pieces))];
                if (rng.below(2)) text += ' ';
            }
        }
        const VaderScores s = v.polarity_scores(text, ws);
        const bool ok = std::isfinite(s.compound_raw) && s.compound >= -1.0 && s.compound <= 1.0 && s.neg >= 0 &&
                        s.neu >= 0 && s.pos >= 0 && s.neg <= 1 && s.neu <= 1 && s.pos <= 1;
        if (!ok) CHECK(ok);
        const double sum = s.neg_raw + s.neu_raw + s.pos_raw;
        if (!(sum == 0.0 || std::fabs(sum - 1.0) < 1e-12)) CHECK(sum == doctest::Approx(1.0));
    }
    // a long text (1 MB) with many "but"s and emoji
    std::string big;
    while (big.size() < (1u << 20)) big += "good but BAD \xF0\x9F\x98\x80 not so great!? ";
    const auto s = v.polarity_scores(big);
    CHECK(std::isfinite(s.compound_raw));
}

TEST_CASE("vader: the short-text mask tokenizer agrees with the long-text tokenizer") {
    // ASCII texts shorter than 512 bytes take the whole-text mask tokenizer; appending 600 spaces
    // (no new word, no "!"/"?") sends the same words through the per-word tokenizer instead.
    // Words of 1..90 bytes cover the 64-bit mask boundaries and the > 64-byte fallback.
    MUSICLAB_REQUIRE_PATH(vader_data());
    const auto& v = analyzer();
    musiclab::Rng rng(4242);
    const std::string pieces[] = {"good", "BAD", "not", "but", "no", "kind", "of", "least", "very", "never", "so",
                                  "this", "without", "doubt", "the", "shit", "don't", "isn't", "!", "?", ":)",
                                  "ok.", "(great)", "...love...", "--", "HAPPY", "sad", "At", "Least", "kinda"};
    musiclab::text::VaderWorkspace ws1, ws2;
    std::string text;
    int differ = 0;
    for (int iter = 0; iter < 20000; ++iter) {
        text.clear();
        const std::size_t parts = rng.below(iter % 10 == 0 ? 120 : 16);
        for (std::size_t k = 0; k < parts; ++k) {
            if (rng.below(6) == 0) {  // a random printable ASCII run, sometimes very long
                const std::size_t bytes = 1 + rng.below(rng.below(4) == 0 ? 90 : 8);
                for (std::size_t b = 0; b < bytes; ++b) text += static_cast<char>(0x21 + rng.below(0x7F - 0x21));
            } else {
                text += pieces[rng.below(std::size(pieces))];
            }
            text += rng.below(8) == 0 ? "\t" : " ";
        }
        const VaderScores a = v.polarity_scores(text, ws1);
        const VaderScores b = v.polarity_scores(text + std::string(600, ' '), ws2);
        const bool same = a.neg_raw == b.neg_raw && a.neu_raw == b.neu_raw && a.pos_raw == b.pos_raw &&
                          a.compound_raw == b.compound_raw;
        if (!same) ++differ;
    }
    CHECK(differ == 0);
}

TEST_CASE("vader: the one-register tokenizer of texts up to 64 bytes agrees with the per-word tokenizer") {
    // ASCII texts of at most 64 bytes take the one-register tokenizer (the last partial 16-byte
    // block loaded as the block ending at the text's end, texts under 16 bytes assembled from
    // overlapping scalar loads); appending 600 spaces sends the same words through the per-word
    // tokenizer. Every length 0..70, words touching both ends and the 16-byte block edges; texts
    // with non-ASCII words stay on this tokenizer unless they hold non-ASCII whitespace, emoji or
    // invalid UTF-8.
    MUSICLAB_REQUIRE_PATH(vader_data());
    const auto& v = analyzer();
    musiclab::Rng rng(6464);
    const std::string pieces[] = {"good", "BAD", "not", "but", "no", "kind", "of", "least", "very", "never", "so",
                                  "this", "the", "shit", "don't", "ISN'T", "!", "?", "!!", "??", ":)", "ok.",
                                  "(great)", "...love...", "--", "HAPPY", "sad", "At", "kinda", "a", "I", "x1",
                                  // non-ASCII: letters of each case, CJK, a quote, NBSP and U+3000 (spaces),
                                  // an emoji, U+0130 and a final sigma (the full lowercasing path)
                                  "caf\xC3\xA9", "CAF\xC3\x89", "\xC3\x89T\xC3\x89", "\xE6\x84\x9B", "don\xE2\x80\x99t",
                                  "\xC2\xA0", "\xE3\x80\x80", "\xF0\x9F\x98\x80", "\xC4\xB0Y\xC4\xB0", "\xCE\xA3\xCE\xA3",
                                  "GOOD\xE2\x80\xA6", "\xC3\xA9TE"};
    musiclab::text::VaderWorkspace ws1, ws2;
    int differ = 0, texts = 0;
    std::string text;
    for (std::size_t length = 0; length <= 70; ++length) {
        for (int iter = 0; iter < 400; ++iter) {
            text.clear();
            while (text.size() < length) {
                const auto r = rng.below(10);
                if (r < 6) text += pieces[rng.below(std::size(pieces))];
                else if (r < 8) text += static_cast<char>(0x21 + rng.below(0x7F - 0x21));
                else text += (r == 8 ? ' ' : '\t');
                if (rng.below(3) != 0) text += ' ';
            }
            text.resize(length);  // cuts words at every position, including the last byte (and
                                  // multi-byte characters: invalid UTF-8 takes the full path)
            const VaderScores a = v.polarity_scores(text, ws1);
            const VaderScores b = v.polarity_scores(text + std::string(600, ' '), ws2);
            const bool same = a.neg_raw == b.neg_raw && a.neu_raw == b.neu_raw && a.pos_raw == b.pos_raw &&
                              a.compound_raw == b.compound_raw;
            if (!same) ++differ;
            ++texts;
        }
    }
    MESSAGE(texts << " texts of 0..70 bytes, " << differ << " differ");
    CHECK(differ == 0);
}

TEST_CASE("vader: lowercasing and isupper of every BMP code point match the Python semantics") {
    // Non-ASCII words are lowercased through a per-code-point table of the BMP. For every
    // non-space code point c >= 0x80 of the BMP, the word c + "zz" must be found under the key
    // Python's (c + "zz").lower() (pyunicode::append_lower, checked against CPython), and its
    // isupper() (pyunicode::is_upper) must decide the ALL-CAPS emphasis against the word "ab".
    namespace pu = musiclab::detail::pyunicode;
    std::string lexicon;
    std::vector<std::string> words;
    for (char32_t c = 0x80; c < 0x10000; ++c) {
        if ((c >= 0xD800 && c < 0xE000) || pu::is_space(c)) continue;
        std::string word;
        pu::encode(c, word);
        word += "zz";
        std::string key;
        pu::append_lower(word, key);
        lexicon += key;
        lexicon += "\t1.0\t0.5\t[1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n";
        words.push_back(std::move(word));
    }
    // long keys (compared past their first 16 bytes): one found, one that differs only at the end
    lexicon += "abcdefghijklmnopqrstuvwxyz\t2.0\n";
    const auto v = VaderAnalyzer::from_text(lexicon, "\xF0\x9F\x98\x80\tgrinning face\n");
    const double plain = 1.0 / std::sqrt(1.0 + 15.0);
    const double caps = 1.733 / std::sqrt(1.733 * 1.733 + 15.0);
    int wrong = 0;
    for (const auto& w : words) {
        const double expected = pu::is_upper(w) ? caps : plain;
        const VaderScores s = v.polarity_scores(w + " ab");
        if (std::fabs(s.compound_raw - expected) > 1e-12) {
            if (++wrong <= 5) MESSAGE("word '" << w << "': compound " << s.compound_raw << ", expected " << expected);
        }
    }
    MESSAGE(words.size() << " BMP code points, " << wrong << " wrong");
    CHECK(wrong == 0);
    CHECK(v.polarity_scores("ABCDEFGHIJKLMNOPQRSTUVWXYZ").compound_raw == doctest::Approx(2.0 / std::sqrt(19.0)).epsilon(1e-15));
    CHECK(v.polarity_scores("abcdefghijklmnopqrstuvwxyy").compound_raw == 0.0);
    CHECK(v.polarity_scores("abcdefghijklmnop").compound_raw == 0.0);
}
