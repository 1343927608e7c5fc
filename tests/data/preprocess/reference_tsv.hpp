// Reader for the reference files next to this header (written by make_reference.py): UTF-8 TSV,
// '#' comment lines, text fields escaped as \\ \t \n \r, floats written with Python repr().
// Used by tests/test_preprocess_*.cpp only.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace musiclab::test::preprocess {

inline std::string unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        const char c = s[++i];
        out += c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
    }
    return out;
}

/// Every non-comment line, split on tabs (empty fields kept), each field unescaped.
inline std::vector<std::vector<std::string>> read_tsv(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> fields;
        std::size_t start = 0;
        while (true) {
            const std::size_t tab = line.find('\t', start);
            fields.push_back(unescape(std::string_view(line).substr(start, tab == std::string::npos ? std::string::npos : tab - start)));
            if (tab == std::string::npos) break;
            start = tab + 1;
        }
        rows.push_back(std::move(fields));
    }
    return rows;
}

/// Reference files named <prefix>*.tsv in tests/data/preprocess, sorted by name.
inline std::vector<std::filesystem::path> find_cases(const std::filesystem::path& dir, std::string_view prefix) {
    std::vector<std::filesystem::path> out;
    if (!std::filesystem::is_directory(dir)) return out;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && name.starts_with(prefix) && name.ends_with(".tsv")) out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// Parses a Python repr() float ("0.1", "nan", "-inf", "1e-300") exactly.
inline double to_double(const std::string& s) {
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) throw std::runtime_error("not a number: '" + s + "'");
    return v;
}

inline long long to_int(const std::string& s) {
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || end != s.c_str() + s.size()) throw std::runtime_error("not an integer: '" + s + "'");
    return v;
}

/// Exact equality that also matches NaN with NaN (the reference values are bit-exact targets).
inline bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

}  // namespace musiclab::test::preprocess
