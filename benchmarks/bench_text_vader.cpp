// Google Benchmarks of musiclab::text::VaderAnalyzer. Items are texts scored. The peer
// (vaderSentiment's SentimentIntensityAnalyzer.polarity_scores on exactly the same texts) is timed
// by benchmarks/peers/bench_vader_python.py; docs/benchmarks.md has both side by side.
//
//   ./build/release/benchmarks/bench_text_vader --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Texts: the first 10,000 rows of ../shared/reference/vader/titles.jsonl (the first unique
// track_name values of spotify_tracks.csv) and the 4,200 ICWSM-2014 tweets of tweets.jsonl.
// Lexicons: ../shared/data/vader. Construction of the analyzer is timed separately.
#include <musiclab/core.hpp>
#include <musiclab/core/utf8.hpp>
#include <musiclab/text.hpp>

#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

std::filesystem::path shared() { return MUSICLAB_SHARED_DIR; }


/// The "text" string of one reference JSONL line (the files put it first; JSON escapes decoded).
std::string text_field(const std::string& line) {
    const std::string key = "{\"text\": \"";
    if (line.compare(0, key.size(), key) != 0) throw std::runtime_error("unexpected JSONL line: " + line.substr(0, 40));
    std::string out;
    for (std::size_t i = key.size(); i < line.size(); ++i) {
        const char c = line[i];
        if (c == '"') return out;
        if (c != '\\') {
            out += c;
            continue;
        }
        const char e = line[++i];
        switch (e) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'u': {
                std::uint32_t c1 = static_cast<std::uint32_t>(std::stoul(line.substr(i + 1, 4), nullptr, 16));
                i += 4;
                if (c1 >= 0xD800 && c1 < 0xDC00 && line.compare(i + 1, 2, "\\u") == 0) {
                    const auto c2 = static_cast<std::uint32_t>(std::stoul(line.substr(i + 3, 4), nullptr, 16));
                    c1 = 0x10000 + ((c1 - 0xD800) << 10) + (c2 - 0xDC00);
                    i += 6;
                }
                musiclab::detail::append_utf8(c1, out);
                break;
            }
            default: out += e;  // \" \\ \/
        }
    }
    throw std::runtime_error("unterminated text field");
}

std::vector<std::string> read_texts(const std::string& file, std::size_t limit) {
    std::vector<std::string> texts;
    std::ifstream in(shared() / "reference/vader" / file, std::ios::binary);
    std::string line;
    while (texts.size() < limit && std::getline(in, line))
        if (!line.empty()) texts.push_back(text_field(line));
    return texts;
}

const musiclab::text::VaderAnalyzer* analyzer() {
    static const auto* a = std::filesystem::exists(shared() / "data/vader/vader_lexicon.txt")
                               ? new musiclab::text::VaderAnalyzer(shared() / "data/vader")
                               : nullptr;
    return a;
}

void score_all(benchmark::State& state, const std::vector<std::string>& texts) {
    const auto* vader = analyzer();
    if (!vader || texts.empty()) {
        state.SkipWithError("shared data not found");
        return;
    }
    musiclab::text::VaderWorkspace ws;
    double sum = 0.0;
    for (auto _ : state) {
        for (const auto& t : texts) sum += vader->polarity_scores(t, ws).compound;
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(texts.size()));
    state.counters["texts"] = static_cast<double>(texts.size());
    state.counters["compound_sum_per_pass"] = sum / static_cast<double>(state.iterations());
}

void BM_vader_titles_10k(benchmark::State& state) {
    static const auto texts = read_texts("titles.jsonl", 10000);
    score_all(state, texts);
}

void BM_vader_tweets_4200(benchmark::State& state) {
    static const auto texts = read_texts("tweets.jsonl", 4200);
    score_all(state, texts);
}

void BM_vader_titles_10k_batch(benchmark::State& state) {
    static const auto texts = read_texts("titles.jsonl", 10000);
    const auto* vader = analyzer();
    if (!vader || texts.empty()) {
        state.SkipWithError("shared data not found");
        return;
    }
    musiclab::text::VaderBatchOptions options;
    options.num_threads = static_cast<int>(state.range(0));
    std::vector<musiclab::text::VaderScores> out(texts.size());
    for (auto _ : state) {
        vader->polarity_scores_batch(std::span<const std::string>(texts), std::span<musiclab::text::VaderScores>(out), options);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(texts.size()));
}

void BM_vader_load_lexicons(benchmark::State& state) {
    if (!analyzer()) {
        state.SkipWithError("shared data not found");
        return;
    }
    for (auto _ : state) {
        musiclab::text::VaderAnalyzer a(shared() / "data/vader");
        benchmark::DoNotOptimize(a.lexicon_size());
    }
}

}  // namespace

BENCHMARK(BM_vader_titles_10k)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_vader_tweets_4200)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_vader_titles_10k_batch)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_vader_load_lexicons)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
