// Helpers of the metrics / encode parity tests: finding reference files by pattern, reading JSONL
// (nlohmann/json, Debian package nlohmann-json3-dev; test-only dependency) and comparing floats.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace musiclab::test::metrics {

/// Files in `dir` whose name starts with `prefix` and ends with `suffix`, sorted by name.
inline std::vector<std::filesystem::path> files_matching(const std::filesystem::path& dir, const std::string& prefix,
                                                         const std::string& suffix) {
    std::vector<std::filesystem::path> out;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name.size() >= prefix.size() + suffix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// Every line of a JSONL file as a JSON value.
inline std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    std::vector<nlohmann::json> out;
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    return out;
}

inline nlohmann::json read_json(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    return nlohmann::json::parse(in);
}

/// |got - want| measured relative to |want| when |want| > 1 (else absolute): the README's
/// "relative 1e-12 (abs 1e-12 near 0)".
inline double rel_error(double got, double want) {
    const double diff = std::fabs(got - want);
    return std::fabs(want) > 1.0 ? diff / std::fabs(want) : diff;
}

/// Tracks the largest error and how many values were compared / bit-identical.
struct ErrorStats {
    std::size_t compared = 0;
    std::size_t identical = 0;
    double max_error = 0.0;
    void add(double error, bool same) {
        ++compared;
        identical += same ? 1 : 0;
        max_error = std::max(max_error, error);
    }
};

}  // namespace musiclab::test::metrics
