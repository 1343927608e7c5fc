// Shared helpers of the musiclab tests: where the shared data lives, and skipping when it is absent.
#pragma once

#include <doctest/doctest.h>
#include <musiclab/core/error.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace musiclab::test {

/// Reasons recorded by MUSICLAB_REQUIRE_PATH; main() exits 77 (ctest: skipped) when any were.
std::vector<std::string>& skip_reasons();

/// `../shared` (the CMake cache variable MUSICLAB_SHARED_DIR).
inline std::filesystem::path shared_dir() { return MUSICLAB_SHARED_DIR; }
/// `tests/data` of this repository (small inputs and expected outputs made by committed scripts).
inline std::filesystem::path test_data_dir() { return MUSICLAB_TEST_DATA_DIR; }

/// The tab-separated fields of one line (an empty field for each pair of adjacent tabs).
inline std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::size_t b = 0;
    while (true) {
        const std::size_t e = line.find('\t', b);
        out.push_back(line.substr(b, e == std::string::npos ? std::string::npos : e - b));
        if (e == std::string::npos) break;
        b = e + 1;
    }
    return out;
}

/// The parse_error that f() throws; fails the test if it throws nothing (anything else propagates).
template <class F>
musiclab::parse_error parse_error_of(F&& f) {
    try {
        f();
    } catch (const musiclab::parse_error& e) {
        return e;
    }
    FAIL("expected musiclab::parse_error");
    return musiclab::parse_error("", 0, 0, "");
}

}  // namespace musiclab::test

/// Skip the current test case (ctest reports it skipped) when the path `required` does not exist.
#define MUSICLAB_REQUIRE_PATH(required)                                                             \
    do {                                                                                         \
        const std::filesystem::path musiclab_required_path_ = (required);                            \
        if (!std::filesystem::exists(musiclab_required_path_)) {                                 \
            ::musiclab::test::skip_reasons().push_back("missing " + musiclab_required_path_.string()); \
            MESSAGE("skipped: missing " << musiclab_required_path_.string());                    \
            return;                                                                              \
        }                                                                                        \
    } while (false)
