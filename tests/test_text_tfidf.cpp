// Tests of musiclab/text/tfidf.hpp: parity with scikit-learn 1.2.1 TfidfVectorizer on every
// <corpus>/<config> folder of ../shared/reference/tfidf (found by directory iteration; options
// built from params.json), the structural check of the max_features tie case, transform of
// unseen terms and empty documents, float output, and bad input (invalid UTF-8, min_df > max_df,
// empty corpus, bad options).
#include <doctest/doctest.h>
#include <musiclab/core.hpp>
#include <musiclab/text.hpp>

#include "support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using musiclab::text::DocumentFrequency;
using musiclab::text::TfidfOptions;

namespace {

namespace fs = std::filesystem;

fs::path tfidf_reference() { return musiclab::test::shared_dir() / "reference/tfidf"; }

std::vector<std::string> read_docs(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::vector<std::string> docs;
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) docs.push_back(nlohmann::json::parse(line).at("doc").get<std::string>());
    return docs;
}

struct RefVocabulary {
    std::vector<std::string> terms;  // by index
    std::vector<double> idf;
};

RefVocabulary read_vocabulary(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::string line;
    std::getline(in, line);  // header
    RefVocabulary v;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto f = musiclab::test::split_tabs(line);
        REQUIRE(f.size() == 3);
        const auto idx = static_cast<std::size_t>(std::stoull(f[1]));
        REQUIRE(idx == v.terms.size());  // sorted by index
        v.terms.push_back(f[0]);
        v.idf.push_back(std::stod(f[2]));
    }
    return v;
}

/// matrix.tsv as row -> (col -> value).
std::map<std::size_t, std::map<std::size_t, double>> read_matrix(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::string line;
    std::getline(in, line);
    std::map<std::size_t, std::map<std::size_t, double>> m;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto f = musiclab::test::split_tabs(line);
        REQUIRE(f.size() == 3);
        m[std::stoull(f[0])][std::stoull(f[1])] = std::stod(f[2]);
    }
    return m;
}

TfidfOptions options_from(const nlohmann::json& params) {
    TfidfOptions o;
    for (const auto& [key, value] : params.items()) {
        if (key == "sublinear_tf") o.sublinear_tf = value.get<bool>();
        else if (key == "binary") o.binary = value.get<bool>();
        else if (key == "smooth_idf") o.smooth_idf = value.get<bool>();
        else if (key == "use_idf") o.use_idf = value.get<bool>();
        else if (key == "lowercase") o.lowercase = value.get<bool>();
        else if (key == "ngram_range") {
            o.ngram_min = value.at(0).get<std::size_t>();
            o.ngram_max = value.at(1).get<std::size_t>();
        } else if (key == "min_df" || key == "max_df") {
            const DocumentFrequency d = value.is_number_integer() ? DocumentFrequency::count(value.get<std::size_t>())
                                                                  : DocumentFrequency::fraction(value.get<double>());
            (key == "min_df" ? o.min_df : o.max_df) = d;
        } else if (key == "norm") {
            if (value.is_null()) o.norm = musiclab::text::TfidfNorm::none;
            else if (value == "l1") o.norm = musiclab::text::TfidfNorm::l1;
            else if (value == "l2") o.norm = musiclab::text::TfidfNorm::l2;
            else FAIL("unknown norm " << value);
        } else if (key == "analyzer") {
            if (value == "word") o.analyzer = musiclab::text::TfidfAnalyzer::word;
            else if (value == "char") o.analyzer = musiclab::text::TfidfAnalyzer::chars;
            else if (value == "char_wb") o.analyzer = musiclab::text::TfidfAnalyzer::char_wb;
            else FAIL("unknown analyzer " << value);
        } else if (key == "stop_words") {
            if (value.is_null()) o.stop_words = musiclab::text::StopWords::none;
            else if (value == "english") o.stop_words = musiclab::text::StopWords::english;
            else FAIL("unknown stop_words " << value);
        } else if (key == "strip_accents") {
            if (value.is_null()) o.strip_accents = musiclab::text::StripAccents::none;
            else if (value == "unicode") o.strip_accents = musiclab::text::StripAccents::unicode;
            else if (value == "ascii") o.strip_accents = musiclab::text::StripAccents::ascii;
            else FAIL("unknown strip_accents " << value);
        } else if (key == "max_features") {
            if (!value.is_null()) o.max_features = value.get<std::size_t>();
        } else {
            FAIL("params.json key not supported by the test: " << key);
        }
    }
    return o;
}

/// Total count of each term over the corpus (the quantity max_features ranks by).
std::map<std::string, double> total_counts(const std::vector<std::string>& docs, TfidfOptions o) {
    o.max_features.reset();
    o.use_idf = false;
    o.norm = musiclab::text::TfidfNorm::none;
    auto [model, X] = musiclab::text::fit_transform_tfidf<double>(docs, o);
    std::vector<double> sums(model.num_features(), 0.0);
    for (Eigen::Index r = 0; r < X.outerSize(); ++r)
        for (decltype(X)::InnerIterator it(X, r); it; ++it) sums[static_cast<std::size_t>(it.col())] += it.value();
    std::map<std::string, double> out;
    for (std::size_t j = 0; j < sums.size(); ++j) out[model.terms()[j]] = sums[j];
    return out;
}

struct Stats {
    std::size_t configs = 0, values = 0;
    double max_abs = 0, max_rel = 0;
};

void check_config(const fs::path& dir, const std::vector<std::string>& docs, Stats& stats) {
    std::ifstream pin(dir / "params.json");
    const auto meta = nlohmann::json::parse(pin);
    const TfidfOptions opts = options_from(meta.at("params"));
    const auto ref = read_vocabulary(dir / "vocabulary.tsv");
    auto [model, X] = musiclab::text::fit_transform_tfidf<double>(docs, opts);

    CHECK(static_cast<std::size_t>(X.rows()) == meta.at("shape").at(0).get<std::size_t>());
    CHECK(static_cast<std::size_t>(X.cols()) == meta.at("shape").at(1).get<std::size_t>());

    const auto ties = meta.find("max_features_ties");
    if (ties != meta.end() && ties->value("cut_inside_tie_group", false)) {
        // scikit-learn keeps an introsort-dependent subset of the tie group at the cut (README
        // section 2): check the structure only. Counts are exact integers (== is exact).
        const auto counts = total_counts(docs, opts);
        const double cut = ties->at("count_at_cut").get<double>();
        CHECK(model.num_features() == ref.terms.size());
        auto structure = [&](const std::vector<std::string>& terms) {
            std::size_t above = 0, tied = 0;
            for (const auto& t : terms) {
                const double c = counts.at(t);
                CHECK(c >= cut);
                above += c > cut;
                tied += c == cut;
            }
            CHECK(above == ties->at("terms_with_count_above_cut").get<std::size_t>());
            CHECK(tied == ties->at("kept_from_tie_group").get<std::size_t>());
        };
        structure(ref.terms);
        structure(model.terms());
        CHECK(std::is_sorted(model.terms().begin(), model.terms().end()));
        // Terms in both vocabularies have the same idf (idf does not depend on the cut).
        for (std::size_t j = 0; j < ref.terms.size(); ++j) {
            const auto c = model.column(ref.terms[j]);
            if (c) CHECK(std::abs(model.idf()[*c] - ref.idf[j]) <= 1e-12 * ref.idf[j]);
        }
        ++stats.configs;
        return;
    }

    // Exact configurations: the same number of stored non-zeros over all rows.
    CHECK(static_cast<std::size_t>(X.nonZeros()) == meta.at("nnz").get<std::size_t>());

    // Vocabulary: identical strings and indices.
    REQUIRE(model.num_features() == ref.terms.size());
    std::size_t vocab_mismatch = 0;
    for (std::size_t j = 0; j < ref.terms.size(); ++j) {
        if (model.terms()[j] != ref.terms[j]) {
            if (vocab_mismatch++ < 5) CHECK_MESSAGE(false, "column " << j << ": '" << model.terms()[j] << "' vs '" << ref.terms[j] << "'");
        }
    }
    REQUIRE(vocab_mismatch == 0);
    // idf: relative 1e-12 (one log, correctly rounded in glibc and numpy).
    for (std::size_t j = 0; j < ref.idf.size(); ++j)
        REQUIRE(std::abs(model.idf()[j] - ref.idf[j]) <= 1e-12 * std::abs(ref.idf[j]));

    // Matrix rows written in matrix.tsv: same non-zero set; |diff| <= 1e-12 for l1/l2 (only the
    // order of the row-norm sum differs, ~1e-16), relative 1e-12 for norm=None (values up to ~100).
    const auto m = read_matrix(dir / "matrix.tsv");
    const auto rows = meta.at("matrix_tsv_rows");
    const auto r0 = rows.at(0).get<std::size_t>(), r1 = rows.at(1).get<std::size_t>();
    const bool relative = opts.norm == musiclab::text::TfidfNorm::none;
    std::size_t nnz = 0;
    for (std::size_t r = r0; r < r1; ++r) {
        const auto it_row = m.find(r);
        std::map<std::size_t, double> mine;
        for (decltype(X)::InnerIterator it(X, static_cast<Eigen::Index>(r)); it; ++it)
            mine[static_cast<std::size_t>(it.col())] = it.value();
        const std::size_t expected = it_row == m.end() ? 0 : it_row->second.size();
        REQUIRE_MESSAGE(mine.size() == expected, "row " << r);
        if (it_row == m.end()) continue;
        for (const auto& [c, v] : it_row->second) {
            const auto f = mine.find(c);
            REQUIRE_MESSAGE(f != mine.end(), "row " << r << " col " << c);
            const double d = std::abs(f->second - v);
            stats.max_abs = std::max(stats.max_abs, d);
            stats.max_rel = std::max(stats.max_rel, d / std::abs(v));
            if (relative) REQUIRE_MESSAGE(d <= 1e-12 * std::abs(v), "row " << r << " col " << c);
            else REQUIRE_MESSAGE(d <= 1e-12, "row " << r << " col " << c);
            ++nnz;
        }
    }
    CHECK(nnz == meta.at("matrix_tsv_nnz").get<std::size_t>());
    stats.values += nnz;
    ++stats.configs;

    // float output: the same matrix rounded once (1e-6 relative to the double value).
    if (docs.size() <= 200) {
        const auto Xf = model.transform<float>(docs);
        REQUIRE(Xf.nonZeros() == X.nonZeros());
        for (Eigen::Index k = 0; k < X.nonZeros(); ++k)
            CHECK(std::abs(static_cast<double>(Xf.valuePtr()[k]) - X.valuePtr()[k]) <= 1e-6 * std::abs(X.valuePtr()[k]));
    }
}

}  // namespace

TEST_CASE("tfidf parity with scikit-learn on every reference corpus and configuration") {
    MUSICLAB_REQUIRE_PATH(tfidf_reference());
    Stats stats;
    std::vector<fs::path> corpora;
    for (const auto& e : fs::directory_iterator(tfidf_reference()))
        if (e.is_directory() && fs::exists(e.path() / "docs.jsonl")) corpora.push_back(e.path());
    std::sort(corpora.begin(), corpora.end());
    REQUIRE(!corpora.empty());
    for (const auto& corpus : corpora) {
        const auto docs = read_docs(corpus / "docs.jsonl");
        std::vector<fs::path> configs;
        for (const auto& e : fs::directory_iterator(corpus))
            if (e.is_directory() && fs::exists(e.path() / "params.json")) configs.push_back(e.path());
        std::sort(configs.begin(), configs.end());
        for (const auto& config : configs) {
            CAPTURE(config.string());
            check_config(config, docs, stats);
        }
    }
    MESSAGE("configs " << stats.configs << ", matrix values compared " << stats.values << ", max |diff| " << stats.max_abs
                       << ", max relative diff " << stats.max_rel);
    CHECK(stats.configs >= 20);
}

TEST_CASE("tfidf transform ignores unseen terms and gives empty rows for empty documents") {
    const std::vector<std::string> train{"rock and roll", "Rock music", "jazz"};
    const auto model = musiclab::text::fit_tfidf(train);
    CHECK(model.terms() == std::vector<std::string>{"and", "jazz", "music", "rock", "roll"});
    const std::vector<std::string_view> test{"", "polka polka", "ROCK polka", "   "};
    const auto X = model.transform<double>(test);
    CHECK(X.rows() == 4);
    CHECK(X.cols() == 5);
    CHECK(X.nonZeros() == 1);
    CHECK(X.coeff(2, 3) == 1.0);  // one known term, l2-normalised
    // The fitted model is independent of the options object it came from.
    CHECK(model.num_documents() == 3);
}

TEST_CASE("tfidf given vocabulary keeps its order and ignores the df limits") {
    TfidfOptions o;
    o.vocabulary = std::vector<std::string>{"rock", "jazz", "absent"};
    o.min_df = DocumentFrequency::count(5);
    const std::vector<std::string> docs{"rock rock jazz", "jazz"};
    auto [model, X] = musiclab::text::fit_transform_tfidf<double>(docs, o);
    CHECK(model.terms() == *o.vocabulary);
    CHECK(X.cols() == 3);
    CHECK(X.coeff(0, 0) > X.coeff(0, 1));
    CHECK(model.idf()[2] == doctest::Approx(std::log(3.0 / 1.0) + 1.0));
    o.vocabulary = std::vector<std::string>{"rock", "rock"};
    CHECK_THROWS_AS(musiclab::text::fit_tfidf(docs, o), musiclab::invalid_parameter);
}

TEST_CASE("tfidf custom tokenizer hook replaces the token pattern") {
    TfidfOptions o;
    o.tokenizer = [](std::string_view s, std::vector<std::string>& out) {
        std::size_t b = 0;
        while (b <= s.size()) {
            const std::size_t e = std::min(s.find(';', b), s.size());
            if (e > b) out.emplace_back(s.substr(b, e - b));
            b = e + 1;
        }
    };
    const std::vector<std::string> docs{"Hip Hop;K-Pop", "k-pop;a"};
    const auto model = musiclab::text::fit_tfidf(docs, o);
    CHECK(model.terms() == std::vector<std::string>{"a", "hip hop", "k-pop"});
}

TEST_CASE("tfidf bad input gives clear errors") {
    const std::vector<std::string> docs{"rock music", "jazz music", "pop"};
    SUBCASE("invalid UTF-8 names the document and byte") {
        const std::vector<std::string> bad{"fine", "caf\xC3"};
        const auto e = musiclab::test::parse_error_of([&] { (void)musiclab::text::fit_tfidf(bad); });
        CHECK(e.line() == 2);
        CHECK(e.column() == 4);
        const auto model = musiclab::text::fit_tfidf(docs);
        const auto e2 = musiclab::test::parse_error_of([&] { (void)model.transform<double>(bad); });
        CHECK(e2.line() == 2);
    }
    SUBCASE("min_df above max_df") {
        TfidfOptions o;
        o.min_df = DocumentFrequency::count(3);
        o.max_df = DocumentFrequency::count(2);
        CHECK_THROWS_AS(musiclab::text::fit_tfidf(docs, o), musiclab::invalid_parameter);
        o.min_df = DocumentFrequency::fraction(0.9);
        o.max_df = DocumentFrequency::fraction(0.5);
        CHECK_THROWS_AS(musiclab::text::fit_tfidf(docs, o), musiclab::invalid_parameter);
    }
    SUBCASE("empty corpus, only stop words, everything pruned") {
        CHECK_THROWS_AS(musiclab::text::fit_tfidf(std::vector<std::string>{}), musiclab::error);
        CHECK_THROWS_AS(musiclab::text::fit_tfidf(std::vector<std::string>{"", " a "}), musiclab::error);
        TfidfOptions o;
        o.stop_words = musiclab::text::StopWords::english;
        CHECK_THROWS_AS(musiclab::text::fit_tfidf(std::vector<std::string>{"the and of"}, o), musiclab::error);
        TfidfOptions p;
        p.min_df = DocumentFrequency::count(3);
        CHECK_THROWS_AS(musiclab::text::fit_tfidf(docs, p), musiclab::error);
    }
    SUBCASE("options out of range") {
        TfidfOptions o;
        o.ngram_min = 0;
        CHECK_THROWS_AS(musiclab::text::fit_tfidf(docs, o), musiclab::invalid_parameter);
        o = TfidfOptions{};
        o.ngram_min = 3;
        o.ngram_max = 2;
        CHECK_THROWS_AS(musiclab::text::fit_tfidf(docs, o), musiclab::invalid_parameter);
        o = TfidfOptions{};
        o.max_df = DocumentFrequency::fraction(1.5);
        CHECK_THROWS_AS(musiclab::text::fit_tfidf(docs, o), musiclab::invalid_parameter);
        o = TfidfOptions{};
        o.max_features = 0;
        CHECK_THROWS_AS(musiclab::text::fit_tfidf(docs, o), musiclab::invalid_parameter);
    }
}

TEST_CASE("tfidf results do not depend on the thread count") {
    MUSICLAB_REQUIRE_PATH(tfidf_reference() / "tags/docs.jsonl");
    const auto docs = read_docs(tfidf_reference() / "tags/docs.jsonl");
    TfidfOptions o;
    o.ngram_max = 2;
    o.min_df = DocumentFrequency::count(2);
    auto [m1, X1] = musiclab::text::fit_transform_tfidf<double>(docs, o);
    for (const int threads : {2, 3, 0}) {
        CAPTURE(threads);
        o.num_threads = threads;
        auto [m2, X2] = musiclab::text::fit_transform_tfidf<double>(docs, o);
        REQUIRE(m2.terms() == m1.terms());
        REQUIRE(m2.idf() == m1.idf());
        REQUIRE(X2.nonZeros() == X1.nonZeros());
        CHECK(std::equal(X1.outerIndexPtr(), X1.outerIndexPtr() + X1.rows() + 1, X2.outerIndexPtr()));
        CHECK(std::equal(X1.innerIndexPtr(), X1.innerIndexPtr() + X1.nonZeros(), X2.innerIndexPtr()));
        CHECK(std::equal(X1.valuePtr(), X1.valuePtr() + X1.nonZeros(), X2.valuePtr()));  // bitwise
        const auto Y = m2.transform<double>(docs);
        CHECK(std::equal(X1.valuePtr(), X1.valuePtr() + X1.nonZeros(), Y.valuePtr()));
    }
    // The first invalid document is reported whatever the split.
    std::vector<std::string> bad(docs.begin(), docs.begin() + 100);
    bad[70] += "\xFF";
    bad[20] += "\xC3";
    o.num_threads = 4;
    const auto e = musiclab::test::parse_error_of([&] { (void)musiclab::text::fit_tfidf(bad, o); });
    CHECK(e.line() == 21);
}

TEST_CASE("tfidf word n-gram ranges give every n-gram and agree with transform") {
    // Fitting with ngram_max >= 2 counts n-grams as (prefix, token) id chains; transform() builds
    // the joined strings. Both must see the same terms: the vocabulary equals a brute-force
    // enumeration, and transform() of the training documents equals fit_transform() bit for bit.
    MUSICLAB_REQUIRE_PATH(tfidf_reference() / "titles/docs.jsonl");
    const auto docs = read_docs(tfidf_reference() / "titles/docs.jsonl");
    TfidfOptions o;
    o.tokenizer = [](std::string_view s, std::vector<std::string>& out) {  // split on ' '
        std::size_t b = 0;
        while (b <= s.size()) {
            const std::size_t e = std::min(s.find(' ', b), s.size());
            if (e > b) out.emplace_back(s.substr(b, e - b));
            b = e + 1;
        }
    };
    for (const auto& [lo, hi] : {std::pair<std::size_t, std::size_t>{1, 3}, {2, 2}, {2, 3}, {3, 3}}) {
        CAPTURE(lo);
        CAPTURE(hi);
        o.ngram_min = lo;
        o.ngram_max = hi;
        std::set<std::string> expected;
        std::vector<std::string> tokens;
        for (const auto& d : docs) {
            std::string lower = d;
            for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (std::any_of(d.begin(), d.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) continue;
            tokens.clear();
            o.tokenizer(lower, tokens);
            for (std::size_t k = lo; k <= hi; ++k)
                for (std::size_t i = 0; i + k <= tokens.size(); ++i) {
                    std::string g = tokens[i];
                    for (std::size_t j = 1; j < k; ++j) (g += ' ') += tokens[i + j];
                    expected.insert(g);
                }
        }
        std::vector<std::string> ascii;  // Python lower() equals tolower() on ASCII texts
        for (const auto& d : docs)
            if (std::none_of(d.begin(), d.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) ascii.push_back(d);
        for (const int threads : {1, 2}) {
            o.num_threads = threads;
            auto [model, X] = musiclab::text::fit_transform_tfidf<double>(ascii, o);
            CHECK(model.terms() == std::vector<std::string>(expected.begin(), expected.end()));
            const auto Y = model.transform<double>(ascii);
            REQUIRE(Y.nonZeros() == X.nonZeros());
            CHECK(std::equal(X.innerIndexPtr(), X.innerIndexPtr() + X.nonZeros(), Y.innerIndexPtr()));
            CHECK(std::equal(X.valuePtr(), X.valuePtr() + X.nonZeros(), Y.valuePtr()));
        }
    }
}
