// TF-IDF (and raw term counts) with scikit-learn 1.2.1's CountVectorizer / TfidfVectorizer
// semantics: Python str.lower(), Python's Unicode `\w` for the default token pattern
// (?u)\b\w\w+\b, accent stripping, word / char / char_wb n-grams, document-frequency limits,
// max_features, a given vocabulary, the English stop-word list, binary / sublinear tf,
// smooth idf, l2 / l1 / no row normalisation. See docs/tfidf.md for the math and the parity
// evidence against ../shared/reference/tfidf.
//
//     musiclab::text::TfidfOptions opts;
//     opts.ngram_max = 2;
//     auto model = musiclab::text::fit_tfidf(docs, opts);       // immutable, thread-safe
//     Eigen::SparseMatrix<double, Eigen::RowMajor> X = model.transform<double>(docs);
//     auto [model2, X2] = musiclab::text::fit_transform_tfidf<float>(docs, opts);
//
// Documents are any random-access collection of things convertible to std::string_view
// (std::vector<std::string>, std::vector<std::string_view>, io::TextColumn), valid UTF-8.
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../preprocess/detail/columns.hpp"
#include "detail/python_unicode.hpp"
#include "detail/tfidf_stop_words.hpp"
#include "detail/tfidf_terms.hpp"

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <utf8proc.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace musiclab::text {

/// How documents are cut into features (scikit-learn's `analyzer`).
enum class TfidfAnalyzer {
    word,    ///< tokens of the token pattern (or the tokenizer hook), then word n-grams
    chars,   ///< code-point n-grams of the whole text (whitespace runs of 2+ become one space)
    char_wb  ///< code-point n-grams inside each whitespace-separated word padded with one space
};

/// Accent stripping after lowercasing (scikit-learn's `strip_accents`).
enum class StripAccents {
    none,
    unicode,  ///< NFKD, then drop code points with a non-zero canonical combining class (non-ASCII texts only)
    ascii     ///< NFKD, then drop every non-ASCII code point
};

/// Stop-word list for the word analyzer (scikit-learn's `stop_words`).
enum class StopWords { none, english };

/// Row normalisation (scikit-learn's `norm`).
enum class TfidfNorm { l2, l1, none };

/// A document-frequency limit: a count of documents, or a proportion of the corpus in [0, 1]
/// (scikit-learn's int versus float `min_df` / `max_df`).
struct DocumentFrequency {
    double value = 1.0;
    bool proportion = false;
    static DocumentFrequency count(std::size_t n) { return {static_cast<double>(n), false}; }
    static DocumentFrequency fraction(double p) { return {p, true}; }
};

/// Options of fit_tfidf; defaults are scikit-learn 1.2.1's TfidfVectorizer() defaults.
struct TfidfOptions {
    bool lowercase = true;                        ///< Python str.lower() before tokenising
    StripAccents strip_accents = StripAccents::none;
    TfidfAnalyzer analyzer = TfidfAnalyzer::word;
    std::size_t ngram_min = 1;                    ///< ngram_range = (ngram_min, ngram_max)
    std::size_t ngram_max = 1;
    StopWords stop_words = StopWords::none;       ///< word analyzer only (ignored otherwise, as sklearn)
    /// Keep terms with document frequency >= min_df (default: count 1).
    DocumentFrequency min_df = DocumentFrequency::count(1);
    /// Keep terms with document frequency <= max_df (default: proportion 1.0).
    DocumentFrequency max_df = DocumentFrequency::fraction(1.0);
    /// Keep at most this many terms, those with the largest total count over the corpus; ties at
    /// the cut are broken by the column order (alphabetically smaller term kept). See docs/tfidf.md.
    std::optional<std::size_t> max_features;
    /// A given vocabulary: column j is vocabulary[j] (order kept, as sklearn for a list); the
    /// df limits and max_features are then not applied. Terms must be distinct.
    std::optional<std::vector<std::string>> vocabulary;
    bool binary = false;        ///< counts set to 1 before tf-idf
    bool use_idf = true;
    bool smooth_idf = true;     ///< idf = ln((1 + n) / (1 + df)) + 1, else ln(n / df) + 1
    bool sublinear_tf = false;  ///< tf = 1 + ln(tf)
    TfidfNorm norm = TfidfNorm::l2;
    /// Optional tokenizer hook for the word analyzer: receives the preprocessed document
    /// (lowercased / accent-stripped as configured) and appends its tokens; replaces the token
    /// pattern. Must be callable concurrently if the model is used from several threads.
    std::function<void(std::string_view, std::vector<std::string>&)> tokenizer;
    /// Worker threads for analysing documents and weighting rows (0 = all hardware threads).
    /// Results are identical for every thread count (contiguous document ranges, integer counts).
    int num_threads = 1;
};

class TfidfModel;

/// Fits the vocabulary and idf on `docs` and returns the model and the TF-IDF matrix of `docs`
/// (scikit-learn's fit_transform). Throws invalid_parameter on bad options (ngram_min = 0 or >
/// ngram_max, df limits out of range, max_df below min_df, max_features = 0, an empty or duplicated
/// given vocabulary), parse_error on invalid UTF-8, and musiclab::error when no term is left (empty
/// corpus, only stop words, or every term pruned by the df limits).
template <class Scalar = double, class Docs>
std::pair<TfidfModel, Eigen::SparseMatrix<Scalar, Eigen::RowMajor>> fit_transform_tfidf(const Docs& docs, const TfidfOptions& opts = {});

/// A fitted TF-IDF model: vocabulary (columns), idf and the options. Immutable; transform() is
/// const and thread-safe (it allocates its own scratch memory).
class TfidfModel {
public:
    /// Number of columns.
    std::size_t num_features() const noexcept { return terms_.size(); }
    /// Term of each column (sorted byte-wise = Python code-point order, unless a vocabulary was given).
    const std::vector<std::string>& terms() const noexcept { return terms_; }
    /// Column of a term, or std::nullopt. O(1) average.
    std::optional<std::size_t> column(std::string_view term) const {
        const auto id = index_.find(term);
        if (id == musiclab::detail::tfidf::TermTable::npos) return std::nullopt;
        return id;
    }
    /// idf_[j] as scikit-learn's `idf_` (all ones when use_idf is false).
    const std::vector<double>& idf() const noexcept { return idf_; }
    /// Number of documents seen by fit.
    std::size_t num_documents() const noexcept { return n_docs_; }
    const TfidfOptions& options() const noexcept { return opts_; }

    /// TF-IDF rows of `docs` (terms not in the vocabulary are ignored; a document without a known
    /// term gives an empty row). Computed in double, stored as Scalar. Throws parse_error on
    /// invalid UTF-8 (line = 1-based document number, column = 1-based byte).
    /// O(total text length · ngram span). Thread-safe.
    template <class Scalar = double, class Docs>
        requires musiclab::preprocess::StringColumn<Docs>
    Eigen::SparseMatrix<Scalar, Eigen::RowMajor> transform(const Docs& docs) const;

private:
    TfidfOptions opts_;
    std::vector<std::string> terms_;
    musiclab::detail::tfidf::TermTable index_;  // term -> column
    std::vector<double> idf_;
    std::size_t n_docs_ = 0;

    template <class Scalar, class Docs>
    friend std::pair<TfidfModel, Eigen::SparseMatrix<Scalar, Eigen::RowMajor>> fit_transform_tfidf(const Docs&, const TfidfOptions&);
    // tf-idf of a raw count in a column of the given idf (before row normalisation).
    double weight(double count, double idf) const noexcept {
        double v = opts_.binary ? 1.0 : count;
        if (opts_.sublinear_tf) v = std::log(v) + 1.0;
        if (opts_.use_idf) v *= idf;
        return v;
    }
    // The matrix of (column, value) rows: values are raw counts, or tf-idf already when `weighted`.
    template <class Scalar>
    Eigen::SparseMatrix<Scalar, Eigen::RowMajor> weigh(const std::vector<std::size_t>& row_ptr,
                                                       std::vector<std::pair<std::size_t, double>>& entries,
                                                       bool weighted) const;
};

/// Fits the vocabulary and idf (scikit-learn's fit). Same errors as fit_transform_tfidf.
template <class Docs>
TfidfModel fit_tfidf(const Docs& docs, const TfidfOptions& opts = {}) {
    return fit_transform_tfidf<double>(docs, opts).first;
}

}  // namespace musiclab::text

// ------------------------------------------------------------------------------------------------
namespace musiclab::detail::tfidf {

namespace pu = musiclab::detail::pyunicode;

/// Python's str.isalnum() or '_' for one code point: categories L*, Nd, Nl, No (re's `\w`).
inline bool is_word_char(char32_t c) noexcept {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    const int cat = pu::category(c);
    return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
           (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

inline bool is_ascii(std::string_view s) noexcept {
    for (const char ch : s)
        if (static_cast<unsigned char>(ch) >= 0x80) return false;
    return true;
}

/// NFKD of the valid UTF-8 string s, then keeps the code points `keep(c)` accepts, into out.
template <class Keep>
void nfkd_filter(std::string_view s, std::string& out, Keep keep) {
    utf8proc_uint8_t* dst = nullptr;
    const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
                                &dst, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE));
    if (n < 0) throw musiclab::error(std::string("tfidf: NFKD failed: ") + utf8proc_errmsg(n));
    const auto* p = reinterpret_cast<const unsigned char*>(dst);
    out.clear();
    for (std::size_t i = 0; i < static_cast<std::size_t>(n);) {
        std::size_t len = 0;
        const char32_t c = pu::decode(p + i, len);
        if (keep(c)) out.append(reinterpret_cast<const char*>(p + i), len);
        i += len;
    }
    std::free(dst);
}

/// Per-call scratch of the analyzer.
struct Scratch {
    std::string lower, stripped, gram, norm;
    std::vector<std::string_view> tokens;
    std::vector<std::string> hook_tokens;
    std::vector<std::size_t> offsets;  // code-point starts (+ end)
    std::vector<std::uint32_t> token_ids, gram_ids;
    std::vector<std::uint64_t> hashes;
};

/// Byte offsets of the code points of s, plus s.size().
inline void code_point_offsets(std::string_view s, std::vector<std::size_t>& off) {
    off.clear();
    for (std::size_t i = 0; i < s.size(); ++i)
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) off.push_back(i);
    off.push_back(s.size());
}

/// The document as the analyzers see it: lowercased and accent-stripped as configured (may point
/// into sc).
inline std::string_view preprocess(std::string_view doc, const musiclab::text::TfidfOptions& o, Scratch& sc) {
    using musiclab::text::StripAccents;
    std::string_view text = doc;
    if (o.lowercase) {
        sc.lower.clear();
        pu::append_lower(text, sc.lower);
        text = sc.lower;
    }
    if (o.strip_accents == StripAccents::unicode) {
        if (!is_ascii(text)) {
            nfkd_filter(text, sc.stripped, [](char32_t c) {
                return utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->combining_class == 0;
            });
            text = sc.stripped;
        }
    } else if (o.strip_accents == StripAccents::ascii) {
        nfkd_filter(text, sc.stripped, [](char32_t c) { return c < 0x80; });
        text = sc.stripped;
    }
    return text;
}

/// The word analyzer's tokens of the preprocessed text, into sc.tokens: the tokenizer hook's, or
/// the maximal runs of at least two `\w` code points ((?u)\b\w\w+\b); stop words removed.
inline void word_tokens(std::string_view text, const musiclab::text::TfidfOptions& o, Scratch& sc) {
    sc.tokens.clear();
    if (o.tokenizer) {
        sc.hook_tokens.clear();
        o.tokenizer(text, sc.hook_tokens);
        for (const auto& t : sc.hook_tokens) sc.tokens.emplace_back(t);
    } else {
        const auto* p = reinterpret_cast<const unsigned char*>(text.data());
        const std::size_t n = text.size();
        std::size_t i = 0;
        while (i < n) {
            std::size_t len = 1;
            const char32_t c = p[i] < 0x80 ? char32_t(p[i]) : pu::decode(p + i, len);
            if (!is_word_char(c)) { i += len; continue; }
            const std::size_t start = i;
            std::size_t cps = 0;
            while (i < n) {
                std::size_t l2 = 1;
                const char32_t d = p[i] < 0x80 ? char32_t(p[i]) : pu::decode(p + i, l2);
                if (!is_word_char(d)) break;
                i += l2;
                ++cps;
            }
            if (cps >= 2) sc.tokens.push_back(text.substr(start, i - start));
        }
    }
    if (o.stop_words == musiclab::text::StopWords::english)
        std::erase_if(sc.tokens, [](std::string_view t) { return is_english_stop_word(t); });
}

/// Calls emit(term) for every term of the valid UTF-8 document `doc` as scikit-learn's analyzer
/// would produce it (with repetitions; order irrelevant).
template <class Emit>
void analyze(std::string_view doc, const musiclab::text::TfidfOptions& o, Scratch& sc, Emit&& emit) {
    using musiclab::text::TfidfAnalyzer;
    const std::string_view text = preprocess(doc, o, sc);
    const std::size_t n = text.size();
    const std::size_t lo = o.ngram_min, hi = o.ngram_max;

    if (o.analyzer == TfidfAnalyzer::word) {
        word_tokens(text, o, sc);
        const std::size_t m = sc.tokens.size();
        for (std::size_t k = lo; k <= hi && k <= m; ++k) {
            for (std::size_t i = 0; i + k <= m; ++i) {
                if (k == 1) { emit(sc.tokens[i]); continue; }
                sc.gram.assign(sc.tokens[i]);
                for (std::size_t j = 1; j < k; ++j) {
                    sc.gram += ' ';
                    sc.gram.append(sc.tokens[i + j]);
                }
                emit(std::string_view(sc.gram));
            }
        }
        return;
    }

    // Character analyzers: runs of 2+ Python whitespace become one ' ' (re.sub(r"\s\s+", " ")).
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    sc.norm.clear();
    for (std::size_t i = 0; i < n;) {
        std::size_t len = 1;
        const char32_t c = p[i] < 0x80 ? char32_t(p[i]) : pu::decode(p + i, len);
        if (pu::is_space(c)) {
            std::size_t j = i + len, run = 1;
            while (j < n) {
                std::size_t l2 = 1;
                const char32_t d = p[j] < 0x80 ? char32_t(p[j]) : pu::decode(p + j, l2);
                if (!pu::is_space(d)) break;
                j += l2;
                ++run;
            }
            if (run >= 2) sc.norm += ' ';
            else sc.norm.append(text.substr(i, len));
            i = j;
            continue;
        }
        sc.norm.append(text.substr(i, len));
        i += len;
    }
    const std::string_view t = sc.norm;
    if (o.analyzer == TfidfAnalyzer::chars) {
        code_point_offsets(t, sc.offsets);
        const std::size_t len = sc.offsets.size() - 1;
        for (std::size_t k = lo; k <= hi && k <= len; ++k)
            for (std::size_t i = 0; i + k <= len; ++i)
                emit(t.substr(sc.offsets[i], sc.offsets[i + k] - sc.offsets[i]));
        return;
    }
    // char_wb: each whitespace-separated word padded with one space on both sides.
    const auto* q = reinterpret_cast<const unsigned char*>(t.data());
    std::size_t i = 0;
    while (i < t.size()) {
        std::size_t len = 1;
        const char32_t c = q[i] < 0x80 ? char32_t(q[i]) : pu::decode(q + i, len);
        if (pu::is_space(c)) { i += len; continue; }
        const std::size_t start = i;
        while (i < t.size()) {
            std::size_t l2 = 1;
            const char32_t d = q[i] < 0x80 ? char32_t(q[i]) : pu::decode(q + i, l2);
            if (pu::is_space(d)) break;
            i += l2;
        }
        sc.gram.assign(1, ' ');
        sc.gram.append(t.substr(start, i - start));
        sc.gram += ' ';
        code_point_offsets(sc.gram, sc.offsets);
        const std::size_t w = sc.offsets.size() - 1;
        const std::string_view g = sc.gram;
        for (std::size_t k = lo; k <= hi; ++k) {
            if (k >= w) {  // a padded word not longer than n is emitted once, whole
                emit(g);
                break;
            }
            for (std::size_t s = 0; s + k <= w; ++s) emit(g.substr(sc.offsets[s], sc.offsets[s + k] - sc.offsets[s]));
        }
    }
}

/// The ids of `names` in byte-wise (Python code-point) order of their terms. Compares the first
/// 16 bytes as two big-endian integers (zero-padded) and the whole strings only when those are
/// equal.
inline std::vector<std::size_t> sorted_ids(const TermList& names) {
    struct Key {
        std::uint64_t head, next;
        std::size_t id;
    };
    auto big_endian = [](std::string_view t, std::size_t from) {
        std::uint64_t v = 0;
        for (std::size_t i = from; i < from + 8; ++i) v = (v << 8) | (i < t.size() ? static_cast<unsigned char>(t[i]) : 0u);
        return v;
    };
    const std::size_t m = names.size();
    std::vector<Key> keys(m);
    for (std::size_t i = 0; i < m; ++i) {
        const std::string_view t = names.term(i);
        keys[i] = {big_endian(t, 0), big_endian(t, 8), i};
    }
    std::sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
        if (a.head != b.head) return a.head < b.head;
        if (a.next != b.next) return a.next < b.next;
        return names.term(a.id) < names.term(b.id);
    });
    std::vector<std::size_t> order(m);
    for (std::size_t i = 0; i < m; ++i) order[i] = keys[i].id;
    return order;
}

/// Throws parse_error when doc is not valid UTF-8 (line = 1-based document number).
inline void check_utf8(std::string_view doc, std::size_t row) {
    const std::size_t bad = pu::first_invalid_utf8(doc);
    if (bad != doc.size())
        throw musiclab::parse_error("<documents>", row + 1, bad + 1, "invalid UTF-8 in document");
}

inline void validate(const musiclab::text::TfidfOptions& o) {
    using musiclab::invalid_parameter;
    if (o.ngram_min == 0) throw invalid_parameter("ngram_min", o.ngram_min, ">= 1");
    if (o.ngram_max < o.ngram_min) throw invalid_parameter("ngram_max", o.ngram_max, ">= ngram_min");
    auto check_df = [](const char* name, const musiclab::text::DocumentFrequency& d) {
        if (d.proportion ? !(d.value >= 0.0 && d.value <= 1.0) : !(d.value >= 0.0 && d.value == std::floor(d.value)))
            throw invalid_parameter(name, d.value, d.proportion ? "a proportion in [0, 1]" : "a whole count >= 0");
    };
    check_df("min_df", o.min_df);
    check_df("max_df", o.max_df);
    if (o.max_features && *o.max_features == 0) throw invalid_parameter("max_features", 0, ">= 1 or unset");
    if (o.vocabulary && o.vocabulary->empty()) throw invalid_parameter("vocabulary", "[]", "a non-empty list of distinct terms");
}

/// Term counts of every document in CSR order: row r has entries [row_ptr[r], row_ptr[r + 1])
/// as (id, count), ids ascending.
struct Counts {
    std::vector<std::size_t> row_ptr;
    std::vector<std::pair<std::size_t, double>> entries;
};

/// Shared driver of the counting passes. Workers take contiguous document ranges; each checks
/// UTF-8 and calls row(table, scratch, doc, cols), which appends the row's ids to cols (repeats
/// allowed). Then, worker by worker in order, absorb(table, only_worker) returns the map from the
/// worker's ids to the final ids, or an empty vector when the ids are final already. Throws the
/// parse_error of the first invalid document.
template <class Table, class Docs, class MakeTable, class Row, class Absorb>
Counts count_rows(const Docs& docs, int threads, MakeTable make_table, Row row, Absorb absorb) {
    struct Part {
        Table local;
        std::vector<std::size_t> row_len;
        std::vector<std::pair<std::size_t, double>> entries;
        std::optional<musiclab::parse_error> error;
    };
    const std::size_t n = docs.size();
    std::vector<Part> parts;
    parts.reserve(static_cast<std::size_t>(std::max(threads, 1)));
    for (int w = 0; w < std::max(threads, 1); ++w) parts.push_back(Part{make_table(), {}, {}, std::nullopt});
    musiclab::parallelize(threads, n, [&](int w, std::size_t start, std::size_t length) {
        Part& part = parts[static_cast<std::size_t>(w)];
        Scratch sc;
        std::vector<std::uint32_t> cols;
        part.row_len.reserve(length);
        for (std::size_t r = start; r < start + length; ++r) {
            const std::string_view doc = docs[r];
            const std::size_t bad = pu::first_invalid_utf8(doc);
            if (bad != doc.size()) {
                part.error.emplace("<documents>", r + 1, bad + 1, "invalid UTF-8 in document");
                return;
            }
            cols.clear();
            row(part.local, sc, doc, cols);
            std::sort(cols.begin(), cols.end());
            const std::size_t before = part.entries.size();
            for (std::size_t k = 0; k < cols.size();) {
                std::size_t j = k;
                while (j < cols.size() && cols[j] == cols[k]) ++j;
                part.entries.emplace_back(cols[k], static_cast<double>(j - k));
                k = j;
            }
            part.row_len.push_back(part.entries.size() - before);
        }
    });
    for (const Part& part : parts)
        if (part.error) throw *part.error;
    Counts out;
    out.row_ptr.reserve(n + 1);
    out.row_ptr.push_back(0);
    std::size_t total = 0;
    for (const Part& part : parts) total += part.entries.size();
    out.entries.reserve(total);
    for (Part& part : parts) {
        const std::vector<std::uint32_t> map = absorb(part.local, parts.size() == 1);
        if (!map.empty())
            for (auto& e : part.entries) e.first = map[e.first];
        std::size_t k = 0;
        for (const std::size_t len : part.row_len) {
            if (!map.empty())
                std::sort(part.entries.begin() + static_cast<std::ptrdiff_t>(k),
                          part.entries.begin() + static_cast<std::ptrdiff_t>(k + len));
            k += len;
            out.row_ptr.push_back(out.row_ptr.back() + len);
        }
        if (parts.size() == 1) {
            out.entries = std::move(part.entries);
        } else {
            out.entries.insert(out.entries.end(), part.entries.begin(), part.entries.end());
        }
        part = Part{make_table(), {}, {}, std::nullopt};
    }
    return out;
}

/// Analyses and counts docs on `threads` workers (contiguous ranges). With insert_into, terms are
/// added to it (ids in first-seen order over the whole corpus, whatever the thread count);
/// otherwise only terms already in `lookup` are counted. Throws the parse_error of the first
/// invalid document.
template <class Docs>
Counts count_documents(const Docs& docs, const musiclab::text::TfidfOptions& o, const TermTable* lookup,
                       TermTable* insert_into, int threads) {
    const bool insert = insert_into != nullptr;
    return count_rows<TermTable>(
        docs, threads, [] { return TermTable{}; },
        [&](TermTable& local, Scratch& sc, std::string_view doc, std::vector<std::uint32_t>& cols) {
            analyze(doc, o, sc, [&](std::string_view term) {
                if (insert) {
                    cols.push_back(local.insert(term));
                } else {
                    const std::uint32_t id = lookup->find(term);
                    if (id != TermTable::npos) cols.push_back(id);
                }
            });
        },
        [&](TermTable& local, bool only) -> std::vector<std::uint32_t> {
            if (!insert) return {};
            if (only && insert_into->size() == 0) {
                *insert_into = std::move(local);  // ids are already the global first-seen ids
                return {};
            }
            insert_into->reserve(insert_into->size() + local.size());
            std::vector<std::uint32_t> map(local.size());
            for (std::size_t id = 0; id < map.size(); ++id) map[id] = insert_into->insert(local.term(id));
            if (map.empty()) map.push_back(0);  // a non-empty map means "remap" (no entries to remap)
            return map;
        });
}

/// The word analyzer's counts when fitting with ngram_max >= 2 and no given vocabulary: like
/// count_documents with insert_into, but n-grams are looked up as (prefix, token) id chains in
/// `grams` (term ids in first-seen order over the whole corpus, whatever the thread count).
template <class Docs>
Counts count_word_grams(const Docs& docs, const musiclab::text::TfidfOptions& o, GramTable& grams, int threads) {
    const std::size_t lo = o.ngram_min, hi = o.ngram_max;
    return count_rows<GramTable>(
        docs, threads, [&] { return GramTable(lo, hi); },
        [&](GramTable& local, Scratch& sc, std::string_view doc, std::vector<std::uint32_t>& cols) {
            word_tokens(preprocess(doc, o, sc), o, sc);
            // Level by level (all 1-grams, then all 2-grams, ...), each level's table slots
            // prefetched before its lookups: the tables are larger than the cache.
            const std::size_t m = sc.tokens.size();
            auto& hashes = sc.hashes;
            auto& toks = sc.token_ids;
            auto& g = sc.gram_ids;
            hashes.resize(m);
            toks.resize(m);
            g.resize(m);
            for (std::size_t i = 0; i < m; ++i) {
                hashes[i] = hash_bytes(sc.tokens[i]);
                local.prefetch_token(hashes[i]);
            }
            for (std::size_t i = 0; i < m; ++i) toks[i] = local.token(sc.tokens[i], hashes[i]);
            for (std::size_t i = 0; i < m; ++i) {
                const auto r = local.unigram(toks[i]);
                g[i] = r.gram;
                if (lo == 1) cols.push_back(r.term);
            }
            for (std::size_t k = 2; k <= hi && k <= m; ++k) {
                for (std::size_t i = 0; i + k <= m; ++i) local.prefetch_extend(g[i], toks[i + k - 1]);
                for (std::size_t i = 0; i + k <= m; ++i) {
                    const auto r = local.extend(g[i], toks[i + k - 1]);
                    g[i] = r.gram;
                    if (k >= lo) cols.push_back(r.term);
                }
            }
        },
        [&](GramTable& local, bool only) -> std::vector<std::uint32_t> {
            if (only && grams.size() == 0) {
                grams = std::move(local);
                return {};
            }
            std::vector<std::uint32_t> map = grams.absorb(local);
            if (map.empty()) map.push_back(0);
            return map;
        });
}

}  // namespace musiclab::detail::tfidf

namespace musiclab::text {

template <class Scalar>
Eigen::SparseMatrix<Scalar, Eigen::RowMajor> TfidfModel::weigh(const std::vector<std::size_t>& row_ptr,
                                                               std::vector<std::pair<std::size_t, double>>& entries,
                                                               bool weighted) const {
    const std::size_t rows = row_ptr.size() - 1;
    if (entries.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw musiclab::error("tfidf: more than 2^31-1 non-zeros");
    Eigen::SparseMatrix<Scalar, Eigen::RowMajor> X(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(terms_.size()));
    X.resizeNonZeros(static_cast<Eigen::Index>(entries.size()));
    auto* outer = X.outerIndexPtr();
    auto* inner = X.innerIndexPtr();
    auto* val = X.valuePtr();
    for (std::size_t r = 0; r <= rows; ++r) outer[r] = static_cast<int>(row_ptr[r]);
    musiclab::parallelize(musiclab::resolve_threads(opts_.num_threads), rows, [&](int, std::size_t start, std::size_t length) {
        for (std::size_t r = start; r < start + length; ++r) {
            const std::size_t b = row_ptr[r], e = row_ptr[r + 1];
            std::sort(entries.begin() + static_cast<std::ptrdiff_t>(b), entries.begin() + static_cast<std::ptrdiff_t>(e));
            double sum = 0.0;
            for (std::size_t k = b; k < e; ++k) {
                const double v = weighted ? entries[k].second : weight(entries[k].second, idf_[entries[k].first]);
                entries[k].second = v;
                if (opts_.norm == TfidfNorm::l2) sum += v * v;
                else if (opts_.norm == TfidfNorm::l1) sum += std::abs(v);
            }
            double div = 1.0;
            if (opts_.norm == TfidfNorm::l2) div = std::sqrt(sum);
            else if (opts_.norm == TfidfNorm::l1) div = sum;
            if (div == 0.0) div = 1.0;
            for (std::size_t k = b; k < e; ++k) {
                inner[k] = static_cast<int>(entries[k].first);
                val[k] = static_cast<Scalar>(opts_.norm == TfidfNorm::none ? entries[k].second : entries[k].second / div);
            }
        }
    });
    return X;
}

template <class Scalar, class Docs>
    requires musiclab::preprocess::StringColumn<Docs>
Eigen::SparseMatrix<Scalar, Eigen::RowMajor> TfidfModel::transform(const Docs& docs) const {
    namespace dt = musiclab::detail::tfidf;
    auto counts = dt::count_documents(docs, opts_, &index_, nullptr, musiclab::resolve_threads(opts_.num_threads));
    return weigh<Scalar>(counts.row_ptr, counts.entries, false);
}

template <class Scalar, class Docs>
std::pair<TfidfModel, Eigen::SparseMatrix<Scalar, Eigen::RowMajor>> fit_transform_tfidf(const Docs& docs, const TfidfOptions& opts) {
    namespace dt = musiclab::detail::tfidf;
    dt::validate(opts);
    TfidfModel model;
    model.opts_ = opts;
    const std::size_t n = docs.size();
    model.n_docs_ = n;

    // Count with provisional ids (first-seen order), or the given vocabulary.
    dt::TermTable ids;  // provisional ids in first-seen order
    const bool fixed = opts.vocabulary.has_value();
    if (fixed) {
        for (const auto& t : *opts.vocabulary) {
            const std::size_t before = ids.size();
            if (ids.insert(t) != before) throw invalid_parameter("vocabulary", "'" + t + "' twice", "distinct terms");
        }
    }
    const int threads = musiclab::resolve_threads(opts.num_threads);
    dt::Counts counts;
    dt::TermList gram_terms;  // the provisional terms when counted as n-gram chains
    const bool chains = !fixed && opts.analyzer == TfidfAnalyzer::word && opts.ngram_max >= 2;
    if (chains) {
        dt::GramTable grams(opts.ngram_min, opts.ngram_max);
        counts = dt::count_word_grams(docs, opts, grams, threads);
        gram_terms = grams.terms();
    } else {
        counts = dt::count_documents(docs, opts, &ids, fixed ? nullptr : &ids, threads);
    }
    const dt::TermList& names = chains ? gram_terms : ids.terms();
    auto& row_ptr = counts.row_ptr;
    auto& entries = counts.entries;
    const std::size_t m = names.size();
    if (m == 0) throw musiclab::error("tfidf: empty vocabulary; the documents are empty or contain only stop words");

    // Document frequency and total count (after binary, as sklearn) per provisional id.
    std::vector<std::size_t> df(m, 0);
    std::vector<double> total(m, 0.0);
    for (const auto& [c, v] : entries) {
        ++df[c];
        total[c] += opts.binary ? 1.0 : v;
    }

    std::vector<std::size_t> remap(m);  // provisional id -> final column, or npos (pruned)
    constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
    if (fixed) {
        for (std::size_t i = 0; i < m; ++i) remap[i] = i;
        model.terms_ = *opts.vocabulary;
        model.index_ = std::move(ids);
    } else {
        const std::vector<std::size_t> order = dt::sorted_ids(names);
        const double nd = static_cast<double>(n);
        const double high = opts.max_df.proportion ? opts.max_df.value * nd : opts.max_df.value;
        const double low = opts.min_df.proportion ? opts.min_df.value * nd : opts.min_df.value;
        if (high < low) throw invalid_parameter("max_df", opts.max_df.value, "at least as many documents as min_df");
        std::vector<std::size_t> kept;  // provisional ids in sorted order
        kept.reserve(m);
        for (const std::size_t id : order) {
            const auto d = static_cast<double>(df[id]);
            if (d <= high && d >= low) kept.push_back(id);
        }
        if (opts.max_features && kept.size() > *opts.max_features) {
            // Largest total count first; ties by column (alphabetical) order. stable_sort keeps the
            // alphabetical order inside a tie group.
            std::vector<std::size_t> by_count = kept;
            std::stable_sort(by_count.begin(), by_count.end(), [&](std::size_t a, std::size_t b) { return total[a] > total[b]; });
            by_count.resize(*opts.max_features);
            std::vector<char> keep(m, 0);
            for (const std::size_t id : by_count) keep[id] = 1;
            std::erase_if(kept, [&](std::size_t id) { return !keep[id]; });
        }
        if (kept.empty()) throw musiclab::error("tfidf: after pruning, no terms remain; try a lower min_df or a higher max_df");
        std::fill(remap.begin(), remap.end(), npos);
        model.terms_.reserve(kept.size());
        for (std::size_t j = 0; j < kept.size(); ++j) {
            remap[kept[j]] = j;
            model.terms_.emplace_back(names.term(kept[j]));
        }
    }
    const std::size_t v = model.terms_.size();
    if (!fixed) {
        model.index_.append_distinct(model.terms_);
    }

    // idf
    model.idf_.assign(v, 1.0);
    if (opts.use_idf) {
        const double ns = static_cast<double>(n) + (opts.smooth_idf ? 1.0 : 0.0);
        for (std::size_t i = 0; i < m; ++i) {
            if (remap[i] == npos) continue;
            const double d = static_cast<double>(df[i]) + (opts.smooth_idf ? 1.0 : 0.0);
            model.idf_[remap[i]] = std::log(ns / d) + 1.0;
        }
    }

    // Remap the counts to final columns and tf-idf values, dropping pruned terms (one lookup
    // per entry in a table by provisional id: the ids are scattered, the table is large).
    struct Target {
        std::size_t column;
        double idf;
    };
    std::vector<Target> target(m);
    for (std::size_t i = 0; i < m; ++i) target[i] = {remap[i], remap[i] == npos ? 0.0 : model.idf_[remap[i]]};
    std::size_t w = 0;
    std::size_t b = 0;
    for (std::size_t r = 0; r < n; ++r) {
        const std::size_t e = row_ptr[r + 1];
        for (std::size_t k = b; k < e; ++k) {
            const Target t = target[entries[k].first];
            if (t.column != npos) entries[w++] = {t.column, model.weight(entries[k].second, t.idf)};
        }
        b = e;
        row_ptr[r + 1] = w;
    }
    entries.resize(w);
    auto X = model.template weigh<Scalar>(row_ptr, entries, true);
    return {std::move(model), std::move(X)};
}

}  // namespace musiclab::text
