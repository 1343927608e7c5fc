// BERT WordPiece tokenizer, identical to Hugging Face's (slow, Python) BertTokenizer as
// sentence-transformers calls it: literal special tokens ("[CLS]", "[SEP]", ...) split out of the
// raw text; basic tokenizer (text cleaning, spaces around CJK ideographs, Python whitespace split,
// Python str.lower(), accent stripping by NFD + dropping Mn, punctuation split); greedy
// longest-match-first WordPiece with "##" continuations, "[UNK]" for words over 100 code points
// or with an unmatchable remainder; [CLS] + pieces truncated to max_length - 2 + [SEP].
// Unicode properties and decompositions come from utf8proc (text/detail/python_unicode.hpp for
// Python's str semantics). See docs/nn.md for every step and the known differences from the fast
// (Rust) tokenizer.
//
//     auto tok = musiclab::nn::WordPieceTokenizer::load("model/vocab.txt",
//                    musiclab::nn::read_tokenizer_config("model/tokenizer_config.json"));
//     std::vector<std::int32_t> ids = tok.encode("Blinding Lights - The Weeknd");
//
// Input text must be valid UTF-8 (parse_error naming the byte otherwise; or set
// TokenizerConfig::replace_invalid_utf8 to decode as Python's errors="replace", whose U+FFFD the
// cleaner then drops). Empty or all-whitespace text gives [CLS] [SEP].
// Complexity: O(bytes · longest piece) per text. Thread safety: a tokenizer is immutable after
// construction; encode() is const and safe to call from many threads.
#pragma once

#include "../core/error.hpp"
#include "../core/utf8.hpp"
#include "../text/detail/python_unicode.hpp"

#include <nlohmann/json.hpp>

#include <utf8proc.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace musiclab::nn {

/// The settings of a BertTokenizer (tokenizer_config.json plus the sequence length).
struct TokenizerConfig {
    bool do_lower_case = true;                 ///< Python str.lower() per word
    std::optional<bool> strip_accents;         ///< NFD + drop Mn; nullopt = follow do_lower_case
    bool tokenize_chinese_chars = true;        ///< spaces around CJK ideographs
    bool do_basic_tokenize = true;             ///< false: WordPiece on whitespace-split raw text only
    std::string unk_token = "[UNK]";
    std::string sep_token = "[SEP]";
    std::string pad_token = "[PAD]";
    std::string cls_token = "[CLS]";
    std::string mask_token = "[MASK]";
    std::vector<std::string> never_split;      ///< words kept as they are (besides the special tokens)
    std::size_t max_length = 512;              ///< ids per text including [CLS] and [SEP] (>= 2)
    std::size_t max_input_chars_per_word = 100;
    bool split_special_tokens = true;          ///< literal special tokens in the text map to their ids
    bool replace_invalid_utf8 = false;         ///< false: parse_error on invalid UTF-8
};

/// Reads tokenizer_config.json (keys do_lower_case, strip_accents, tokenize_chinese_chars,
/// do_basic_tokenize, unk/sep/pad/cls/mask_token (strings or {"content": ...}), never_split,
/// model_max_length, tokenizer_class). Missing keys keep their defaults; a tokenizer_class other
/// than BertTokenizer / BertTokenizerFast is a parse_error. io_error when the file cannot be read.
inline TokenizerConfig read_tokenizer_config(const std::filesystem::path& path);

/// Reads vocab.txt: one token per line, the line number (from 0) is its id. Lines end at "\n",
/// "\r\n" or "\r" (Python's universal newlines); a token listed twice keeps its last id.
inline std::vector<std::string> read_vocab(const std::filesystem::path& path);

/// BERT WordPiece tokenizer (see the file comment).
class WordPieceTokenizer {
public:
    WordPieceTokenizer() = default;
    /// `vocab[id]` = token. The special tokens of `config` must be in the vocabulary
    /// (unknown_name otherwise); max_length must be >= 2 (invalid_parameter).
    WordPieceTokenizer(std::vector<std::string> vocab, TokenizerConfig config);

    /// read_vocab(vocab_path) with `config`.
    static WordPieceTokenizer load(const std::filesystem::path& vocab_path, TokenizerConfig config = {}) {
        return WordPieceTokenizer(read_vocab(vocab_path), std::move(config));
    }

    /// [CLS] + the ids of tokenize(text) truncated to max_length - 2 + [SEP]. `source` names the
    /// text in a parse_error (e.g. "texts[12]").
    std::vector<std::int32_t> encode(std::string_view text, std::string_view source = "<text>") const {
        std::vector<std::int32_t> ids;
        ids.push_back(cls_id_);
        append_ids(text, ids, source);
        if (ids.size() > config_.max_length - 1) ids.resize(config_.max_length - 1);
        ids.push_back(sep_id_);
        return ids;
    }
    /// Number of word pieces of text (without [CLS]/[SEP], before truncation).
    std::size_t count_pieces(std::string_view text, std::string_view source = "<text>") const {
        std::vector<std::int32_t> ids;
        append_ids(text, ids, source);
        return ids.size();
    }
    /// The word pieces of `text` as strings (no [CLS]/[SEP], no truncation).
    std::vector<std::string> tokenize(std::string_view text, std::string_view source = "<text>") const {
        std::vector<std::int32_t> ids;
        append_ids(text, ids, source);
        std::vector<std::string> out;
        out.reserve(ids.size());
        for (auto id : ids) out.push_back(vocab_[static_cast<std::size_t>(id)]);
        return out;
    }

    /// The id of a token, or -1.
    std::int32_t token_to_id(std::string_view token) const {
        const auto it = ids_.find(token);
        return it == ids_.end() ? -1 : it->second;
    }
    /// The token of an id (invalid_parameter when out of range).
    const std::string& id_to_token(std::int32_t id) const {
        if (id < 0 || static_cast<std::size_t>(id) >= vocab_.size())
            throw invalid_parameter("id", id, "0 .. " + std::to_string(vocab_.size()) + " - 1");
        return vocab_[static_cast<std::size_t>(id)];
    }
    std::size_t vocab_size() const noexcept { return vocab_.size(); }
    const TokenizerConfig& config() const noexcept { return config_; }
    std::int32_t cls_id() const noexcept { return cls_id_; }
    std::int32_t sep_id() const noexcept { return sep_id_; }
    std::int32_t pad_id() const noexcept { return pad_id_; }
    std::int32_t unk_id() const noexcept { return unk_id_; }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };

    void append_ids(std::string_view text, std::vector<std::int32_t>& ids, std::string_view source) const;
    void basic_words(std::string_view piece, std::vector<std::string>& words) const;
    void wordpiece(std::string_view word, std::vector<std::int32_t>& ids) const;
    bool is_never_split(std::string_view w) const {
        for (const auto& s : never_split_)
            if (s == w) return true;
        return false;
    }

    std::vector<std::string> vocab_;
    std::unordered_map<std::string, std::int32_t, Hash, std::equal_to<>> ids_;
    TokenizerConfig config_;
    std::vector<std::string> specials_;     // split out of raw text, longest first
    std::vector<std::string> never_split_;  // specials + config.never_split
    std::int32_t cls_id_ = 0, sep_id_ = 0, pad_id_ = 0, unk_id_ = 0;
};

// ---------------------------------------------------------------------------------------------
// implementation

}  // namespace musiclab::nn

namespace musiclab::detail::wordpiece {

namespace pu = musiclab::detail::pyunicode;

inline bool is_cjk(char32_t c) noexcept {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

inline bool is_category_c(int cat) noexcept {
    return cat == UTF8PROC_CATEGORY_CN || cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF ||
           cat == UTF8PROC_CATEGORY_CS || cat == UTF8PROC_CATEGORY_CO;
}

inline bool is_punctuation(char32_t c) noexcept {
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
    if (c < 0x80) return false;
    const int cat = pu::category(c);
    return cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO;
}

/// Python str.lower(), then (when strip) NFD and drop Mn, of one word (valid UTF-8).
inline void normalize_word(std::string_view w, bool lower, bool strip, std::string& out,
                           std::vector<utf8proc_int32_t>& buf) {
    std::string lowered;
    if (lower) {
        pu::append_lower(w, lowered);
        w = lowered;
    }
    if (!strip || musiclab::detail::is_ascii(w)) {
        out.append(w);
        return;
    }
    buf.resize(w.size() * 4 + 16);
    for (;;) {
        const auto n = utf8proc_decompose(reinterpret_cast<const utf8proc_uint8_t*>(w.data()),
                                          static_cast<utf8proc_ssize_t>(w.size()), buf.data(),
                                          static_cast<utf8proc_ssize_t>(buf.size()),
                                          static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE));
        if (n < 0) throw musiclab::error(std::string("wordpiece: NFD failed: ") + utf8proc_errmsg(n));
        if (static_cast<std::size_t>(n) > buf.size()) {
            buf.resize(static_cast<std::size_t>(n));
            continue;
        }
        for (utf8proc_ssize_t i = 0; i < n; ++i) {
            const auto c = static_cast<char32_t>(buf[static_cast<std::size_t>(i)]);
            if (c >= 0x80 && pu::category(c) == UTF8PROC_CATEGORY_MN) continue;
            musiclab::detail::append_utf8(c, out);
        }
        return;
    }
}

}  // namespace musiclab::detail::wordpiece

namespace musiclab::nn {

inline WordPieceTokenizer::WordPieceTokenizer(std::vector<std::string> vocab, TokenizerConfig config)
    : vocab_(std::move(vocab)), config_(std::move(config)) {
    if (config_.max_length < 2) throw invalid_parameter("max_length", config_.max_length, ">= 2 ([CLS] and [SEP])");
    if (config_.max_input_chars_per_word < 1)
        throw invalid_parameter("max_input_chars_per_word", config_.max_input_chars_per_word, ">= 1");
    ids_.reserve(vocab_.size());
    for (std::size_t i = 0; i < vocab_.size(); ++i) ids_[vocab_[i]] = static_cast<std::int32_t>(i);
    auto id_of = [&](const std::string& t, const char* what) {
        const auto id = token_to_id(t);
        if (id < 0) throw unknown_name(std::string(what) + " token", t, "the vocabulary");
        return id;
    };
    unk_id_ = id_of(config_.unk_token, "unk");
    cls_id_ = id_of(config_.cls_token, "cls");
    sep_id_ = id_of(config_.sep_token, "sep");
    pad_id_ = id_of(config_.pad_token, "pad");
    specials_ = {config_.pad_token, config_.unk_token, config_.cls_token, config_.sep_token};
    if (token_to_id(config_.mask_token) >= 0) specials_.push_back(config_.mask_token);
    std::erase_if(specials_, [](const std::string& s) { return s.empty(); });
    std::stable_sort(specials_.begin(), specials_.end(),
                     [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    never_split_ = specials_;
    never_split_.insert(never_split_.end(), config_.never_split.begin(), config_.never_split.end());
}

inline void WordPieceTokenizer::append_ids(std::string_view text, std::vector<std::int32_t>& ids,
                                           std::string_view source) const {
    namespace pu = musiclab::detail::pyunicode;
    std::string repaired;
    const std::size_t bad = pu::first_invalid_utf8(text);
    if (bad != text.size()) {
        if (!config_.replace_invalid_utf8)
            throw parse_error(std::string(source), 1, bad + 1, "invalid UTF-8 (set replace_invalid_utf8 to replace it)");
        pu::append_utf8_replacing_invalid(text, repaired);
        text = repaired;
    }
    std::vector<std::string> words;
    auto run = [&](std::string_view piece) {
        words.clear();
        basic_words(piece, words);
        for (const auto& w : words) {
            if (is_never_split(w)) {
                const auto id = token_to_id(w);
                ids.push_back(id >= 0 ? id : unk_id_);
            } else {
                wordpiece(w, ids);
            }
        }
    };
    if (!config_.split_special_tokens) {
        run(text);
        return;
    }
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size();) {
        const std::string* hit = nullptr;
        for (const auto& s : specials_)
            if (text.compare(i, s.size(), s) == 0) {
                hit = &s;
                break;
            }
        if (hit) {
            if (i > start) run(text.substr(start, i - start));
            ids.push_back(token_to_id(*hit));
            i += hit->size();
            start = i;
        } else {
            ++i;
            while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;  // code point steps
        }
    }
    if (start < text.size()) run(text.substr(start));
}

inline void WordPieceTokenizer::basic_words(std::string_view piece, std::vector<std::string>& words) const {
    namespace pu = musiclab::detail::pyunicode;
    namespace wp = musiclab::detail::wordpiece;
    const auto* p = reinterpret_cast<const unsigned char*>(piece.data());
    const std::size_t n = piece.size();
    // 1. clean (drop NUL, U+FFFD and C* except \t \n \r; whitespace -> ' ') and space out CJK
    std::string clean;
    clean.reserve(n + 8);
    if (config_.do_basic_tokenize) {
        for (std::size_t i = 0; i < n;) {
            if (p[i] < 0x80) {
                const unsigned char b = p[i++];
                if (b == '\t' || b == '\n' || b == '\r' || b == ' ') clean += ' ';
                else if (b < 0x20 || b == 0x7F) continue;  // Cc (incl. NUL)
                else clean += static_cast<char>(b);
                continue;
            }
            std::size_t len = 0;
            const char32_t c = pu::decode(p + i, len);
            const int cat = pu::category(c);
            if (c == 0xFFFD || wp::is_category_c(cat)) {
                // dropped
            } else if (cat == UTF8PROC_CATEGORY_ZS) {
                clean += ' ';
            } else if (config_.tokenize_chinese_chars && wp::is_cjk(c)) {
                clean += ' ';
                clean.append(piece.data() + i, len);
                clean += ' ';
            } else {
                clean.append(piece.data() + i, len);
            }
            i += len;
        }
    } else {
        clean.assign(piece);
    }
    // 2. Python str.split(); per word lower / strip accents / split punctuation
    const bool lower = config_.do_basic_tokenize && config_.do_lower_case;
    const bool strip = config_.do_basic_tokenize && config_.strip_accents.value_or(config_.do_lower_case);
    std::string norm;
    std::vector<utf8proc_int32_t> buf;
    const auto* q = reinterpret_cast<const unsigned char*>(clean.data());
    const std::size_t m = clean.size();
    std::size_t i = 0;
    while (i < m) {
        std::size_t len = 1;
        char32_t c = q[i] < 0x80 ? q[i] : pu::decode(q + i, len);
        if (pu::is_space(c)) {
            i += len;
            continue;
        }
        const std::size_t b = i;
        while (i < m) {
            len = 1;
            c = q[i] < 0x80 ? q[i] : pu::decode(q + i, len);
            if (pu::is_space(c)) break;
            i += len;
        }
        const std::string_view word(clean.data() + b, i - b);
        if (!config_.do_basic_tokenize || is_never_split(word)) {
            words.emplace_back(word);
            continue;
        }
        norm.clear();
        if (lower || strip) wp::normalize_word(word, lower, strip, norm, buf);
        else norm.assign(word);
        // punctuation split (empty results vanish)
        const auto* r = reinterpret_cast<const unsigned char*>(norm.data());
        std::size_t k = 0, run_start = 0;
        while (k < norm.size()) {
            std::size_t l = 1;
            const char32_t d = r[k] < 0x80 ? r[k] : pu::decode(r + k, l);
            if (wp::is_punctuation(d)) {
                if (k > run_start) words.emplace_back(norm.data() + run_start, k - run_start);
                words.emplace_back(norm.data() + k, l);
                run_start = k + l;
            }
            k += l;
        }
        if (norm.size() > run_start) words.emplace_back(norm.data() + run_start, norm.size() - run_start);
    }
}

inline void WordPieceTokenizer::wordpiece(std::string_view word, std::vector<std::int32_t>& ids) const {
    namespace pu = musiclab::detail::pyunicode;
    if (pu::code_points(word) > config_.max_input_chars_per_word) {
        ids.push_back(unk_id_);
        return;
    }
    const std::size_t before = ids.size();
    std::string candidate;
    std::size_t start = 0;
    while (start < word.size()) {
        std::size_t end = word.size();
        std::int32_t found = -1;
        while (start < end) {
            candidate.clear();
            if (start > 0) candidate += "##";
            candidate.append(word.data() + start, end - start);
            const auto it = ids_.find(std::string_view(candidate));
            if (it != ids_.end()) {
                found = it->second;
                break;
            }
            --end;  // one code point shorter
            while (end > start && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80) --end;
        }
        if (found < 0) {
            ids.resize(before);
            ids.push_back(unk_id_);
            return;
        }
        ids.push_back(found);
        start = end;
    }
}

inline std::vector<std::string> read_vocab(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error(path.string(), "cannot open vocabulary");
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw io_error(path.string(), "read failed");
    std::vector<std::string> vocab;
    std::size_t line = 1, b = 0;
    for (std::size_t i = 0; i <= data.size(); ++i) {
        if (i < data.size() && data[i] != '\n' && data[i] != '\r') continue;
        if (i == data.size() && b == i) break;  // no partial last line
        const std::string_view tok(data.data() + b, i - b);
        const std::size_t bad = musiclab::detail::pyunicode::first_invalid_utf8(tok);
        if (bad != tok.size()) throw parse_error(path.string(), line, bad + 1, "invalid UTF-8 in vocabulary");
        vocab.emplace_back(tok);
        if (i + 1 < data.size() && data[i] == '\r' && data[i + 1] == '\n') ++i;
        b = i + 1;
        ++line;
    }
    if (vocab.empty()) throw parse_error(path.string(), 0, 0, "empty vocabulary");
    return vocab;
}

}  // namespace musiclab::nn

namespace musiclab::detail::wordpiece {

inline nlohmann::json read_json_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error(path.string(), "cannot open");
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
        return nlohmann::json::parse(data);
    } catch (const nlohmann::json::parse_error& e) {
        // line/column of the failing byte
        std::size_t line = 1, col = 1;
        for (std::size_t i = 0; i + 1 < e.byte && i < data.size(); ++i) {
            if (data[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        throw parse_error(path.string(), line, col, std::string("invalid JSON: ") + e.what());
    }
}

}  // namespace musiclab::detail::wordpiece

namespace musiclab::nn {

inline TokenizerConfig read_tokenizer_config(const std::filesystem::path& path) {
    const auto j = musiclab::detail::wordpiece::read_json_file(path);
    const std::string src = path.string();
    if (!j.is_object()) throw parse_error(src, 0, 0, "expected a JSON object");
    TokenizerConfig c;
    auto get_bool = [&](const char* key, bool& out) {
        const auto it = j.find(key);
        if (it == j.end() || it->is_null()) return;
        if (!it->is_boolean()) throw parse_error(src, 0, 0, std::string("\"") + key + "\" is not true/false");
        out = it->get<bool>();
    };
    auto get_token = [&](const char* key, std::string& out) {
        const auto it = j.find(key);
        if (it == j.end() || it->is_null()) return;
        if (it->is_string()) out = it->get<std::string>();
        else if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) out = (*it)["content"].get<std::string>();
        else throw parse_error(src, 0, 0, std::string("\"") + key + "\" is not a token string");
    };
    get_bool("do_lower_case", c.do_lower_case);
    get_bool("tokenize_chinese_chars", c.tokenize_chinese_chars);
    get_bool("do_basic_tokenize", c.do_basic_tokenize);
    if (const auto it = j.find("strip_accents"); it != j.end() && !it->is_null()) {
        if (!it->is_boolean()) throw parse_error(src, 0, 0, "\"strip_accents\" is not true/false/null");
        c.strip_accents = it->get<bool>();
    }
    get_token("unk_token", c.unk_token);
    get_token("sep_token", c.sep_token);
    get_token("pad_token", c.pad_token);
    get_token("cls_token", c.cls_token);
    get_token("mask_token", c.mask_token);
    if (const auto it = j.find("never_split"); it != j.end() && !it->is_null()) {
        if (!it->is_array()) throw parse_error(src, 0, 0, "\"never_split\" is not a list");
        for (const auto& s : *it) {
            if (!s.is_string()) throw parse_error(src, 0, 0, "\"never_split\" holds a non-string");
            c.never_split.push_back(s.get<std::string>());
        }
    }
    if (const auto it = j.find("model_max_length"); it != j.end() && it->is_number_unsigned()) {
        const auto v = it->get<std::uint64_t>();
        if (v >= 2 && v < (std::uint64_t(1) << 31)) c.max_length = static_cast<std::size_t>(v);  // HF's "no limit" is 1e30
    }
    if (const auto it = j.find("tokenizer_class"); it != j.end() && !it->is_null()) {
        const std::string cls = it->is_string() ? it->get<std::string>() : std::string("?");
        if (cls != "BertTokenizer" && cls != "BertTokenizerFast")
            throw parse_error(src, 0, 0, "tokenizer_class \"" + cls + "\" is not supported (BertTokenizer only)");
    }
    return c;
}

}  // namespace musiclab::nn
