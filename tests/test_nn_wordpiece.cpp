// Tests of musiclab/nn/wordpiece.hpp: token ids equal ../shared/fixtures/minilm-tiny-random/
// reference/tokens.jsonl (Hugging Face's slow BertTokenizer) for every line, read at run time;
// hand-worked cases (punctuation, accents, CJK, [UNK], truncation, special-token literals); bad
// input (invalid UTF-8, missing / malformed vocabulary and config files).
#include <doctest/doctest.h>
#include <musiclab/nn.hpp>

#include "support.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using musiclab::nn::TokenizerConfig;
using musiclab::nn::WordPieceTokenizer;

namespace {

fs::path fixture() { return musiclab::test::shared_dir() / "fixtures/minilm-tiny-random"; }

fs::path temp_dir(const std::string& name) {
    const auto d = fs::temp_directory_path() / ("musiclab_test_nn_wordpiece_" + name);
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

void write(const fs::path& p, const std::string& s) {
    std::ofstream(p, std::ios::binary) << s;
}

/// A tokenizer over a small hand-made vocabulary.
WordPieceTokenizer small_tokenizer(std::size_t max_length = 512) {
    std::vector<std::string> v = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "un", "##aff",
                                  "##able", ",", "!", "cafe", "ο", "##δ", "##ος", "日", "本", "a", "##b", "'", "s"};
    TokenizerConfig c;
    c.max_length = max_length;
    return WordPieceTokenizer(v, c);
}

std::vector<std::string> pieces(const WordPieceTokenizer& t, const std::string& s) { return t.tokenize(s); }

}  // namespace

TEST_CASE("wordpiece: token ids equal the reference tokenizer on every fixture input") {
    MUSICLAB_REQUIRE_PATH(fixture() / "reference/tokens.jsonl");
    const auto tc = musiclab::nn::read_tokenizer_config(fixture() / "tokenizer_config.json");
    const auto sb = nlohmann::json::parse(std::ifstream(fixture() / "sentence_bert_config.json"));
    TokenizerConfig c = tc;
    c.max_length = sb.at("max_seq_length").get<std::size_t>();
    const auto tok = WordPieceTokenizer::load(fixture() / "vocab.txt", c);
    std::ifstream in(fixture() / "reference/tokens.jsonl", std::ios::binary);
    std::string line;
    std::size_t n = 0, equal = 0, tokens_equal = 0;
    std::map<std::string, std::size_t> per_category;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto j = nlohmann::json::parse(line);
        const std::string text = j.at("text").get<std::string>();
        const auto expected = j.at("ids").get<std::vector<std::int32_t>>();
        const auto got = tok.encode(text);
        ++n;
        ++per_category[j.at("category").get<std::string>()];
        if (got == expected) ++equal;
        else MESSAGE("n = " << j.at("n") << " differs: " << text);
        // the pieces as strings, and the count before truncation
        const auto strings = tok.tokenize(text);
        CHECK(strings.size() == j.at("num_wordpieces_before_truncation").get<std::size_t>());
        const auto expected_tokens = j.at("tokens").get<std::vector<std::string>>();
        std::vector<std::string> got_tokens;
        for (auto id : got) got_tokens.push_back(tok.id_to_token(id));
        if (got_tokens == expected_tokens) ++tokens_equal;
    }
    MESSAGE(equal << " of " << n << " inputs have identical ids");
    CHECK(n == 397);  // the README's line count: every line was read
    CHECK(per_category.size() == 14);
    CHECK(equal == n);  // exact: 100 % of inputs
    CHECK(tokens_equal == n);
}

TEST_CASE("wordpiece: hand-worked cases") {
    const auto t = small_tokenizer();
    // greedy longest match with ## continuations, punctuation split, lower-casing
    CHECK(pieces(t, "Unaffable, WORLD!") == std::vector<std::string>{"un", "##aff", "##able", ",", "world", "!"});
    // accents stripped after NFD; final sigma lower-cased as Python does (ΟΔΟΣ -> οδος)
    CHECK(pieces(t, "Café") == std::vector<std::string>{"cafe"});
    CHECK(pieces(t, "ΟΔΟΣ") == std::vector<std::string>{"ο", "##δ", "##ος"});
    // CJK ideographs become words of their own
    CHECK(pieces(t, "日本") == std::vector<std::string>{"日", "本"});
    // a word with an unmatchable remainder is one [UNK]; so is a word over 100 code points
    CHECK(pieces(t, "abx hello") == std::vector<std::string>{"[UNK]", "hello"});
    CHECK(pieces(t, std::string(101, 'a')) == std::vector<std::string>{"[UNK]"});
    CHECK(pieces(t, "a" + std::string(99, 'b')).size() == 100);  // 100 code points: still matched
    // apostrophes split
    CHECK(pieces(t, "a's") == std::vector<std::string>{"a", "'", "s"});
    // literal special tokens are split out (case-sensitive); "[cls]" is text
    CHECK(t.encode("hello [SEP] world") == std::vector<std::int32_t>{2, 5, 3, 6, 3});
    CHECK(t.encode("[PAD]") == std::vector<std::int32_t>{2, 0, 3});
    CHECK(pieces(t, "[cls]") == std::vector<std::string>{"[UNK]", "[UNK]", "[UNK]"});
    // control characters dropped, tab/newline/NBSP are spaces, zero-width space dropped
    CHECK(pieces(t, "hello\tworld\nhello\xC2\xA0world\x01") ==
          std::vector<std::string>{"hello", "world", "hello", "world"});
    CHECK(pieces(t, "hel\xE2\x80\x8Blo") == std::vector<std::string>{"hello"});
    // U+2028 is kept by the cleaner but splits words (Python str.split)
    CHECK(pieces(t, "hello\xE2\x80\xA8world") == std::vector<std::string>{"hello", "world"});
    // empty and whitespace-only texts: [CLS] [SEP]
    CHECK(t.encode("") == std::vector<std::int32_t>{2, 3});
    CHECK(t.encode(" \t\n ") == std::vector<std::int32_t>{2, 3});
    CHECK(t.encode("\xCC\x81") == std::vector<std::int32_t>{2, 3});  // a lone combining mark vanishes
}

TEST_CASE("wordpiece: truncation keeps [CLS] + max_length - 2 pieces + [SEP]") {
    const auto t = small_tokenizer(5);
    CHECK(t.encode("hello world hello world hello") == std::vector<std::int32_t>{2, 5, 6, 5, 3});
    CHECK(t.count_pieces("hello world hello world hello") == 5);
    const auto t2 = small_tokenizer(2);
    CHECK(t2.encode("hello world") == std::vector<std::int32_t>{2, 3});
    TokenizerConfig c;
    c.max_length = 1;
    CHECK_THROWS_AS(WordPieceTokenizer({"[PAD]", "[UNK]", "[CLS]", "[SEP]"}, c), musiclab::invalid_parameter);
}

TEST_CASE("wordpiece: invalid UTF-8 is an error naming the byte, or replaced on request") {
    const auto t = small_tokenizer();
    const auto e = musiclab::test::parse_error_of([&] { (void)t.encode("hello \xFF world", "texts[3]"); });
    CHECK(e.source() == "texts[3]");
    CHECK(e.column() == 7);
    std::vector<std::string> v = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "world"};
    TokenizerConfig c;
    c.replace_invalid_utf8 = true;
    const WordPieceTokenizer r(v, c);
    // U+FFFD from the replacement is dropped by the cleaner, like any U+FFFD
    CHECK(r.encode("hello \xFF\xFEworld\xC3") == std::vector<std::int32_t>{2, 4, 5, 3});
    CHECK(r.encode("hel\xFFlo") == std::vector<std::int32_t>{2, 4, 3});
}

TEST_CASE("wordpiece: vocabulary and tokenizer_config files") {
    const auto d = temp_dir("files");
    // \r\n and \r line ends, as Python's universal newlines; a duplicate keeps its last id
    write(d / "vocab.txt", "[PAD]\r\n[UNK]\r[CLS]\n[SEP]\nhello\nhello\nworld");
    const auto v = musiclab::nn::read_vocab(d / "vocab.txt");
    REQUIRE(v.size() == 7);
    CHECK(v[1] == "[UNK]");
    CHECK(v[6] == "world");
    const auto t = WordPieceTokenizer::load(d / "vocab.txt");
    CHECK(t.token_to_id("hello") == 5);
    CHECK(t.encode("Hello") == std::vector<std::int32_t>{2, 5, 3});
    // missing special token
    write(d / "nounk.txt", "[PAD]\n[CLS]\n[SEP]\n");
    CHECK_THROWS_AS(WordPieceTokenizer::load(d / "nounk.txt"), musiclab::unknown_name);
    // missing file, empty file, invalid UTF-8 (line and column)
    CHECK_THROWS_AS(musiclab::nn::read_vocab(d / "none.txt"), musiclab::io_error);
    write(d / "empty.txt", "");
    CHECK_THROWS_AS(musiclab::nn::read_vocab(d / "empty.txt"), musiclab::parse_error);
    write(d / "bad.txt", "[PAD]\nab\xC3(\n");
    const auto e = musiclab::test::parse_error_of([&] { (void)musiclab::nn::read_vocab(d / "bad.txt"); });
    CHECK(e.line() == 2);
    CHECK(e.column() == 3);
    // tokenizer_config.json: values, special tokens given as {"content": ...}, bad class, bad JSON
    write(d / "tc.json", R"({"do_lower_case": false, "strip_accents": true, "unk_token": {"content": "<unk>"},
                              "model_max_length": 1000000000000000019884624838656, "never_split": ["[X]"]})");
    const auto c = musiclab::nn::read_tokenizer_config(d / "tc.json");
    CHECK_FALSE(c.do_lower_case);
    CHECK(c.strip_accents == true);
    CHECK(c.unk_token == "<unk>");
    CHECK(c.max_length == 512);  // HF's "no limit" placeholder leaves the default
    CHECK(c.never_split == std::vector<std::string>{"[X]"});
    write(d / "tc2.json", R"({"tokenizer_class": "RobertaTokenizer"})");
    CHECK_THROWS_AS(musiclab::nn::read_tokenizer_config(d / "tc2.json"), musiclab::parse_error);
    write(d / "tc3.json", "{\n  \"do_lower_case\": tru\n}");
    const auto e3 = musiclab::test::parse_error_of([&] { (void)musiclab::nn::read_tokenizer_config(d / "tc3.json"); });
    CHECK(e3.line() == 2);
    CHECK_THROWS_AS(musiclab::nn::read_tokenizer_config(d / "none.json"), musiclab::io_error);
    fs::remove_all(d);
}

TEST_CASE("wordpiece: cased settings (no lower-casing, accents kept)") {
    std::vector<std::string> v = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "Café", "cafe", "Cafe"};
    TokenizerConfig c;
    c.do_lower_case = false;
    const WordPieceTokenizer t(v, c);
    CHECK(t.tokenize("Café") == std::vector<std::string>{"Café"});
    c.strip_accents = true;
    const WordPieceTokenizer t2(v, c);
    CHECK(t2.tokenize("Café") == std::vector<std::string>{"Cafe"});
}
