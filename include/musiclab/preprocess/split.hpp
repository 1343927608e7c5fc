// musiclab::preprocess splits: a random train/test split that reproduces scikit-learn 1.2's
// train_test_split(range(n), test_size=..., train_size=..., random_state=seed, shuffle=...)
// index sets exactly (same sizes, same indices, same order), and a time-aware split by release
// date (oldest rows train, newest rows test).
//
// Thread safety: all functions are pure and may be called concurrently.
#pragma once

#include "../core/error.hpp"
#include "dates.hpp"
#include "detail/columns.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

namespace musiclab::preprocess {

/// Row indices of a split (0-based rows of the input).
struct Split {
    std::vector<std::size_t> train;
    std::vector<std::size_t> test;
};

/// A split size: a fraction of the samples in (0, 1) (double) or a count in [1, n) (std::size_t),
/// like sklearn's float / int test_size and train_size. Write `std::size_t{3}` for a count.
using SplitSize = std::variant<double, std::size_t>;

/// Options of train_test_split. Defaults are scikit-learn's (test_size 0.25 when neither size is
/// given; shuffle = true) except that the seed is mandatory (default 0) for determinism.
struct TrainTestSplitOptions {
    /// Test set size; when unset it is n - n_train, or 0.25 if train_size is unset too.
    std::optional<SplitSize> test_size = std::nullopt;
    /// Train set size; when unset it is n - n_test.
    std::optional<SplitSize> train_size = std::nullopt;
    /// Seed of numpy's legacy RandomState (MT19937, init_genrand(seed)); default 0.
    std::uint32_t random_state = 0;
    /// Shuffle before splitting (default true). Without shuffling train = [0, n_train) and
    /// test = [n_train, n_train + n_test).
    bool shuffle = true;
};

/// Randomly splits rows 0..n_samples-1. Sizes follow sklearn's _validate_shuffle_split: a
/// fractional test size gives n_test = ceil(test_size * n), a fractional train size
/// n_train = floor(train_size * n); the permutation is numpy.random.RandomState(seed)
/// .permutation(n); test = perm[:n_test], train = perm[n_test:n_test + n_train] (in that order,
/// not sorted). O(n) time and memory.
/// Throws invalid_parameter as sklearn raises ValueError: fraction outside (0, 1), count outside
/// [1, n), fractions summing above 1, n_train + n_test > n, or an empty train set.
Split train_test_split(std::size_t n_samples, const TrainTestSplitOptions& options = {});

/// numpy.random.RandomState(seed).permutation(n): legacy Fisher-Yates from the end, each index
/// drawn by masked rejection sampling on MT19937 words (32-bit draws while n - 1 < 2^32). O(n).
std::vector<std::size_t> numpy_legacy_permutation(std::size_t n, std::uint32_t seed);

/// What time_split does with a missing (empty) date.
enum class MissingDates {
    error,  ///< throw musiclab::parse_error naming the row (default)
    first,  ///< treat as older than every date: missing rows come first (in row order)
    drop,   ///< leave the row out of both train and test
};

/// Options of time_split.
struct TimeSplitOptions {
    /// Fraction of the (kept) rows that go to train, in [0, 1] (default 0.9).
    double train_fraction = 0.9;
    /// Policy for empty date cells (default error). Malformed non-empty dates always throw.
    MissingDates missing = MissingDates::error;
};

/// Time-aware split: rows are ordered by (days of the date, row index) — a stable sort, so equal
/// dates keep row order and a year- or month-precision date counts as the first day of its
/// period — then the first n_train = floor(train_fraction * n) rows are train and the rest test,
/// where n counts the rows kept. Both lists come out in that (date, row) order. Rows with the same
/// date may fall on both sides of the cut. O(n log n).
/// `dates[i]` is std::nullopt for a missing date. Throws invalid_parameter (train_fraction),
/// parse_error (missing date with MissingDates::error; line() = row + 1).
Split time_split(std::span<const std::optional<Date>> dates, const TimeSplitOptions& options = {});

/// Same on a text column of "YYYY[-MM[-DD]]" cells; an empty cell is missing. Throws parse_error
/// naming the row for malformed dates.
template <StringColumn Column>
Split time_split(const Column& dates, const TimeSplitOptions& options = {}) {
    std::vector<std::optional<Date>> parsed(static_cast<std::size_t>(dates.size()));
    for (std::size_t i = 0; i < parsed.size(); ++i) {
        const std::string_view text(dates[i]);
        if (!text.empty()) parsed[i] = parse_date(text, i);
    }
    return time_split(std::span<const std::optional<Date>>(parsed), options);
}

}  // namespace musiclab::preprocess

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::detail {

/// numpy's random_interval(bitgen, max) for the legacy MT19937 bit generator: smallest all-ones
/// mask >= max, then draw (32-bit words while max fits in 32 bits, else two words high first)
/// until (draw & mask) <= max.
inline std::uint64_t numpy_random_interval(std::mt19937& mt, std::uint64_t max) {
    if (max == 0) return 0;
    std::uint64_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    std::uint64_t value;
    if (max <= 0xffffffffULL) {
        while ((value = (static_cast<std::uint64_t>(mt()) & mask)) > max) {
        }
    } else {
        do {
            const std::uint64_t hi = mt();
            const std::uint64_t lo = mt();
            value = ((hi << 32) | lo) & mask;
        } while (value > max);
    }
    return value;
}

struct SplitSizes {
    std::size_t n_train;
    std::size_t n_test;
};

inline std::string describe_size(const std::optional<preprocess::SplitSize>& s) {
    if (!s) return "unset";
    if (const double* f = std::get_if<double>(&*s)) {
        std::ostringstream o;
        o.precision(17);
        o << *f;
        return o.str();
    }
    return std::to_string(std::get<std::size_t>(*s));
}

/// sklearn.model_selection._split._validate_shuffle_split.
inline SplitSizes validate_shuffle_split(std::size_t n, std::optional<preprocess::SplitSize> test,
                                         std::optional<preprocess::SplitSize> train) {
    if (!test && !train) test = 0.25;
    const auto check = [n](const std::optional<preprocess::SplitSize>& s, const char* name) {
        if (!s) return;
        if (const double* f = std::get_if<double>(&*s)) {
            if (!(*f > 0.0 && *f < 1.0)) throw invalid_parameter(name, *f, "a fraction in (0, 1) or a count in [1, n_samples)");
        } else {
            const std::size_t c = std::get<std::size_t>(*s);
            if (c == 0 || c >= n)
                throw invalid_parameter(name, c, std::string("a count in [1, n_samples = ") + std::to_string(n) + ") or a fraction in (0, 1)");
        }
    };
    check(test, "test_size");
    check(train, "train_size");
    const bool test_f = test && std::holds_alternative<double>(*test);
    const bool train_f = train && std::holds_alternative<double>(*train);
    if (test_f && train_f && std::get<double>(*train) + std::get<double>(*test) > 1.0)
        throw invalid_parameter("test_size + train_size", std::get<double>(*train) + std::get<double>(*test),
                                "a sum of fractions <= 1");
    const double nd = static_cast<double>(n);
    double n_test = 0.0, n_train = 0.0;
    if (test) n_test = test_f ? std::ceil(std::get<double>(*test) * nd) : static_cast<double>(std::get<std::size_t>(*test));
    if (train) n_train = train_f ? std::floor(std::get<double>(*train) * nd) : static_cast<double>(std::get<std::size_t>(*train));
    if (!train) n_train = nd - n_test;
    else if (!test) n_test = nd - n_train;
    if (n_train + n_test > nd)
        throw invalid_parameter("test_size + train_size", std::to_string(static_cast<std::size_t>(n_train + n_test)) + " samples",
                                std::string("at most n_samples = ") + std::to_string(n));
    if (n_train < 1.0)
        throw invalid_parameter("train_size", describe_size(train),
                                std::string("a value leaving a non-empty train set (n_samples = ") + std::to_string(n) +
                                    ", test_size = " + describe_size(test) + ")");
    return {static_cast<std::size_t>(n_train), static_cast<std::size_t>(n_test)};
}

}  // namespace musiclab::detail

namespace musiclab::preprocess {

inline std::vector<std::size_t> numpy_legacy_permutation(std::size_t n, std::uint32_t seed) {
    std::vector<std::size_t> perm(n);
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    std::mt19937 mt(seed);  // == numpy's init_genrand(seed) for the legacy integer seed
    for (std::size_t i = n; i-- > 1;) {
        const auto j = static_cast<std::size_t>(detail::numpy_random_interval(mt, i));
        std::swap(perm[i], perm[j]);
    }
    return perm;
}

inline Split train_test_split(std::size_t n_samples, const TrainTestSplitOptions& options) {
    if (n_samples == 0) throw invalid_parameter("n_samples", 0, ">= 1");
    const auto sizes = detail::validate_shuffle_split(n_samples, options.test_size, options.train_size);
    Split split;
    if (!options.shuffle) {
        split.train.resize(sizes.n_train);
        std::iota(split.train.begin(), split.train.end(), std::size_t{0});
        split.test.resize(sizes.n_test);
        std::iota(split.test.begin(), split.test.end(), sizes.n_train);
        return split;
    }
    const auto perm = numpy_legacy_permutation(n_samples, options.random_state);
    split.test.assign(perm.begin(), perm.begin() + static_cast<std::ptrdiff_t>(sizes.n_test));
    split.train.assign(perm.begin() + static_cast<std::ptrdiff_t>(sizes.n_test),
                       perm.begin() + static_cast<std::ptrdiff_t>(sizes.n_test + sizes.n_train));
    return split;
}

inline Split time_split(std::span<const std::optional<Date>> dates, const TimeSplitOptions& options) {
    if (!(options.train_fraction >= 0.0 && options.train_fraction <= 1.0))
        throw invalid_parameter("train_fraction", options.train_fraction, "[0, 1]");
    std::vector<std::size_t> missing, present;
    for (std::size_t i = 0; i < dates.size(); ++i) {
        if (dates[i]) {
            present.push_back(i);
        } else if (options.missing == MissingDates::error) {
            throw parse_error("date", i + 1, 0, std::string("row ") + std::to_string(i) + ": missing date");
        } else {
            missing.push_back(i);
        }
    }
    std::stable_sort(present.begin(), present.end(),
                     [&](std::size_t a, std::size_t b) { return dates[a]->days < dates[b]->days; });
    std::vector<std::size_t> order;
    order.reserve(dates.size());
    if (options.missing == MissingDates::first) order = std::move(missing);
    order.insert(order.end(), present.begin(), present.end());
    const auto n_train = static_cast<std::size_t>(std::floor(options.train_fraction * static_cast<double>(order.size())));
    Split split;
    split.train.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_train));
    split.test.assign(order.begin() + static_cast<std::ptrdiff_t>(n_train), order.end());
    return split;
}

}  // namespace musiclab::preprocess
