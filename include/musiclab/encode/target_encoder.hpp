// musiclab::encode::TargetEncoder — replaces each category of one or more string columns by a
// smoothed mean of the target over the rows of that category.
//
//   m-estimate (default, m = 10):  S_c = (n_c * mean_c + m * mu) / (n_c + m)
//   empirical Bayes (scikit-learn >= 1.3 TargetEncoder(smooth="auto")):
//       S_c = lambda_c * mean_c + (1 - lambda_c) * mu,
//       lambda_c = tau² n_c / (tau² n_c + sigma_c²)  (= n_c / (n_c + sigma_c² / tau²)),
//       sigma_c² = population variance of y within c, tau² = population variance of y;
//       S_c = mu when lambda_c is NaN (tau² = sigma_c² = 0).
//
// mu is the target mean of the fitting rows, n_c and mean_c the count and mean of category c
// (mean_c = sum / n_c, sums accumulated in double in row order). Regression targets are used as
// given; binary targets (two distinct values, TargetType::binary) become 0/1 (the larger value is
// the positive class, as sklearn's LabelEncoder) and S_c estimates P(positive | c).
//
// Leak-free by design:
//   - fit_transform_target_encoder(columns, y) returns, for the training rows, out-of-fold
//     encodings: rows are split into K folds (default 5; sklearn KFold(shuffle=True,
//     random_state) for regression, StratifiedKFold for binary targets, see folds.hpp) and each
//     row is encoded with statistics (incl. mu) of the other K - 1 folds only;
//   - TargetEncoder::transform(new rows) uses the statistics of all training rows.
// A category never seen in the fitting rows (or absent from the other folds) and a missing cell
// (a column whose type has is_missing(i), e.g. io::TextColumn, reporting true) encode to mu. In
// fitting, a missing cell contributes its target to mu but to no category.
//
// Categories are the exact cell strings (byte comparison; "" and "NA" are ordinary categories),
// stored sorted by bytes (= Unicode code point order for UTF-8).
//
// Cost: fit O(n * k) expected (one hash per cell) + O(C log C) to sort the C categories of each
// column; cross-fitting adds O(K² C + n) per column; transform O(n * k) expected. Parallel over
// columns in fit (num_threads) and over rows in transform; results never depend on num_threads.
// Thread safety: a fitted TargetEncoder is immutable; its const members may be called
// concurrently.
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../metrics/detail/text.hpp"
#include "../metrics/detail/summation.hpp"
#include "../preprocess/detail/columns.hpp"
#include "detail/category_table.hpp"
#include "folds.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <bit>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <istream>
#include <ostream>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace musiclab::detail {
template <class Columns>
class TargetEncoderBuilder;
}  // namespace musiclab::detail

namespace musiclab::encode {

/// How category means are shrunk towards the global mean.
enum class Smoothing {
    m_estimate,       ///< (n_c mean_c + m mu) / (n_c + m) with TargetEncoderOptions::m
    empirical_bayes,  ///< scikit-learn TargetEncoder(smooth="auto"): m = sigma_c² / tau² per category
};

/// Kind of target.
enum class TargetType {
    continuous,  ///< regression target, used as given (default)
    binary,      ///< at most two distinct values, encoded 0/1 (larger value = 1)
};

/// Options of the target encoder. Defaults: m-estimate with m = 10, 5 shuffled folds, seed 0.
struct TargetEncoderOptions {
    /// Smoothing kind (default m_estimate).
    Smoothing smoothing = Smoothing::m_estimate;
    /// m >= 0, the weight of the global mean in rows (m_estimate only; default 10; 0 = raw means).
    double m = 10.0;
    /// K, folds of cross-fitting in fit_transform, 1 <= K <= rows (default 5). K = 1 disables
    /// cross-fitting: fit_transform then equals fit + transform on the same rows (leaky).
    int n_folds = 5;
    /// Shuffle rows before cutting folds (default true), as sklearn KFold(shuffle=True).
    bool shuffle = true;
    /// Seed of the fold shuffle, numpy RandomState semantics (default 0).
    std::uint32_t random_state = 0;
    /// Regression or binary target (default continuous). Binary targets use stratified folds.
    TargetType target_type = TargetType::continuous;
    /// Worker threads (default 1; 0 = all): over columns in fit, over rows in transform.
    int num_threads = 1;
};

/// A fitted target encoder: per input column, the sorted categories with their row counts, target
/// means and encodings, and the global target mean. Immutable; build it with fit_target_encoder
/// or fit_transform_target_encoder.
class TargetEncoder {
public:
    /// Number of input columns.
    std::size_t n_features_in() const noexcept { return features_.size(); }
    /// Names of the input columns (given to fit, or "x0", "x1", ...).
    const std::vector<std::string>& feature_names_in() const noexcept { return names_; }
    const TargetEncoderOptions& options() const noexcept { return options_; }
    /// mu: target mean of all fitting rows (0/1 scale for binary targets).
    double target_mean() const noexcept { return target_mean_; }
    /// tau²: population variance of the target of all fitting rows.
    double target_variance() const noexcept { return target_variance_; }
    /// Binary targets: {negative, positive} original values; empty for continuous targets.
    const std::vector<double>& classes() const noexcept { return classes_; }
    /// Number of categories of column `feature`. Throws invalid_parameter when out of range.
    std::size_t n_categories(std::size_t feature) const { return at(feature).counts.size(); }
    /// Category `index` (0-based, sorted by bytes) of column `feature`.
    std::string_view category(std::size_t feature, std::size_t index) const;
    /// Rows of each category (n_c), in category order.
    std::span<const std::size_t> counts(std::size_t feature) const { return at(feature).counts; }
    /// Target mean of each category (mean_c), in category order.
    std::span<const double> category_means(std::size_t feature) const { return at(feature).means; }
    /// Encoding of each category (S_c), in category order.
    std::span<const double> encodings(std::size_t feature) const { return at(feature).encodings; }
    /// Index of `category` in column `feature`, or -1 when unseen. O(1) expected.
    std::ptrdiff_t find(std::size_t feature, std::string_view category) const;
    /// Encoding of `category` in column `feature`; target_mean() when unseen.
    double encode(std::size_t feature, std::string_view category) const {
        const auto c = find(feature, category);
        return c < 0 ? target_mean_ : features_[feature].encodings[static_cast<std::size_t>(c)];
    }

    /// Encodes new rows: an n x n_features_in() matrix, column j = encodings of columns[j].
    /// Unseen and missing cells get target_mean(). Throws shape_mismatch (column count, unequal
    /// lengths). Parallel over rows with options().num_threads.
    template <preprocess::StringColumns Columns>
    Eigen::MatrixXd transform(const Columns& columns) const;
    /// One column (the encoder must have one input column).
    template <preprocess::StringColumn Column>
    Eigen::MatrixXd transform(const Column& column) const;

    /// True once fitted (an encoder made by the fit functions or load); a default-constructed
    /// encoder is unfitted and its members throw musiclab::not_fitted.
    bool is_fitted() const noexcept { return !features_.empty(); }

    /// Writes the fitted encoder in musiclab's versioned text format ("musiclab.TargetEncoder 1":
    /// options, target mean/variance, classes, feature names, and per column every category as
    /// length-prefixed bytes with its count, mean and encoding; doubles as shortest round-trip
    /// decimals, so load() restores identical values). O(total category bytes). Throws not_fitted,
    /// io_error when the stream fails.
    void save(std::ostream& out) const;
    /// Writes to a file (io_error when it cannot be written).
    void save(const std::filesystem::path& path) const;
    /// Reads what save() wrote; throws parse_error (naming the line) on anything else, including
    /// another format version.
    static TargetEncoder load(std::istream& in, const std::string& source = "<stream>");
    /// Reads a file written by save() (io_error when it cannot be opened).
    static TargetEncoder load(const std::filesystem::path& path);

private:
    struct Feature {
        std::vector<std::size_t> ends;  // category c = index.arena[ends[c], ends[c + 1])
        std::vector<std::size_t> counts;
        std::vector<double> means;
        std::vector<double> encodings;
        detail::CategoryTable index;  // category bytes -> position; its arena holds the sorted categories
        void add_category(std::string_view key, std::size_t count, double mean, double encoding);
        void reserve(std::size_t categories, std::size_t bytes);
    };

    template <class Columns>
    friend class detail::TargetEncoderBuilder;
    void check_fitted() const {
        if (features_.empty()) throw not_fitted("TargetEncoder");
    }
    const Feature& at(std::size_t feature) const {
        check_fitted();
        if (feature >= features_.size())
            throw invalid_parameter("feature", feature, detail::text_concat("< n_features_in = ", features_.size()));
        return features_[feature];
    }

    TargetEncoderOptions options_{};
    std::vector<std::string> names_;
    std::vector<Feature> features_;
    std::vector<double> classes_;
    double target_mean_ = 0.0;
    double target_variance_ = 0.0;
};

/// Result of fit_transform_target_encoder.
struct CrossFitted {
    /// Encoder fitted on all rows (for transform of new rows).
    TargetEncoder encoder;
    /// n x k out-of-fold encodings of the training rows.
    Eigen::MatrixXd encoded;
    /// Test fold of each row (all 0 when n_folds = 1).
    std::vector<std::uint32_t> folds;
};

/// Fits a target encoder on k string columns of n rows and the target y (n values).
/// `feature_names_in` names the columns (default "x0", "x1", ...; its size must be k).
/// Throws invalid_parameter: no column, no row, a NaN/infinite target, m < 0 or not finite,
/// n_folds < 1, num_threads < 0, a binary target with more than two values;
/// shape_mismatch: a column or y of another length, wrong number of names.
template <preprocess::StringColumns Columns>
TargetEncoder fit_target_encoder(const Columns& columns, std::span<const double> y, const TargetEncoderOptions& options = {},
                                 std::vector<std::string> feature_names_in = {});
/// One column.
template <preprocess::StringColumn Column>
TargetEncoder fit_target_encoder(const Column& column, std::span<const double> y, const TargetEncoderOptions& options = {},
                                 std::vector<std::string> feature_names_in = {});

/// Fits on all rows and returns the out-of-fold encodings of the same rows (cross-fitting with
/// options.n_folds folds, see the file comment). Same checks as fit_target_encoder, plus
/// n_folds <= rows (invalid_parameter naming n_folds).
template <preprocess::StringColumns Columns>
CrossFitted fit_transform_target_encoder(const Columns& columns, std::span<const double> y,
                                         const TargetEncoderOptions& options = {},
                                         std::vector<std::string> feature_names_in = {});
/// One column.
template <preprocess::StringColumn Column>
CrossFitted fit_transform_target_encoder(const Column& column, std::span<const double> y,
                                         const TargetEncoderOptions& options = {},
                                         std::vector<std::string> feature_names_in = {});

}  // namespace musiclab::encode

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::detail {

/// A one-element collection of columns viewing a single column.
template <class Column>
struct OneColumn {
    const Column* column;
    std::size_t size() const noexcept { return 1; }
    const Column& operator[](std::size_t) const noexcept { return *column; }
};

/// Assigns dense codes (first-appearance order) to the distinct strings of a column; the keys are
/// copied into the table's arena.
class Factorizer {
public:
    static constexpr std::uint32_t missing = std::numeric_limits<std::uint32_t>::max();

    Factorizer() { table_.reset(1024); }

    /// Codes of rows [0, n) of `column` (missing cells -> `missing`), hashing a batch of rows
    /// ahead and prefetching their slots and key bytes to overlap the cache misses.
    template <class Column>
    void encode_column(const Column& column, std::size_t n, std::vector<std::uint32_t>& codes) {
        codes.resize(n);
        pipelined_probe(column, 0, n, table_, [&](std::size_t row, std::string_view key, std::uint64_t h, bool is_missing) {
            codes[row] = is_missing ? missing : code(key, h);
        });
    }

    std::uint32_t code(std::string_view s, std::uint64_t h) {
        std::size_t i = h & table_.mask;
        for (;; i = (i + 1) & table_.mask) {
            const auto& slot = table_.slots[i];
            if (slot.code_plus1 == 0) break;
            if (table_.matches(slot, s, h)) return slot.code_plus1 - 1;
        }
        const auto c = static_cast<std::uint32_t>(offsets_.size());
        if (c >= missing - 1) throw invalid_parameter("columns", "more than 2^32 - 2 categories", "fewer categories");
        if (s.size() > std::numeric_limits<std::uint32_t>::max())
            throw invalid_parameter("columns", detail::text_concat("a cell of ", s.size(), " bytes"), "cells below 4 GiB");
        const std::uint64_t offset = table_.arena.size();
        table_.arena.append(s);
        offsets_.push_back(offset);
        hashes_.push_back(h);
        table_.slots[i] = CategoryTable::make_slot(h, s, offset, c);
        if (2 * offsets_.size() > table_.slots.size()) rehash(2 * table_.slots.size());
        return c;
    }

    std::size_t size() const noexcept { return offsets_.size(); }
    /// Key of code c (valid until the next insertion).
    std::string_view key(std::size_t c) const noexcept {
        const std::size_t end = c + 1 < offsets_.size() ? offsets_[c + 1] : table_.arena.size();
        return std::string_view(table_.arena).substr(offsets_[c], end - offsets_[c]);
    }
    std::uint64_t hash(std::size_t c) const noexcept { return hashes_[c]; }
    std::size_t key_bytes() const noexcept { return table_.arena.size(); }
    /// Moves the table out (the factorizer is unusable afterwards).
    CategoryTable take_table() noexcept {
        table_.size = offsets_.size();
        return std::move(table_);
    }

private:
    void rehash(std::size_t capacity) {
        table_.reset(capacity);
        for (std::size_t c = 0; c < offsets_.size(); ++c)
            table_.place(hashes_[c], key(c), offsets_[c], static_cast<std::uint32_t>(c));
    }

    CategoryTable table_;
    std::vector<std::uint64_t> offsets_;
    std::vector<std::uint64_t> hashes_;
};

/// m-estimate or empirical-Bayes encoding of one category from its count, sum and M2.
inline double smoothed_encoding(const encode::TargetEncoderOptions& o, std::size_t count, double sum, double m2,
                                double prior, double variance) {
    if (count == 0) return prior;
    const double n = static_cast<double>(count);
    const double mean = sum / n;
    if (o.smoothing == encode::Smoothing::m_estimate) return (n * mean + o.m * prior) / (n + o.m);
    const double lambda = variance * n / (variance * n + m2 / n);
    if (std::isnan(lambda)) return prior;
    return lambda * mean + (1.0 - lambda) * prior;
}

/// numpy.var(v) (population): mean of squared deviations from the pairwise mean.
inline double numpy_variance(std::span<const double> v, double mean) {
    return numpy_pairwise_sum(
               [&](std::size_t i) {
                   const double d = v[i] - mean;
                   return d * d;
               },
               0, v.size()) /
           static_cast<double>(v.size());
}

inline double numpy_mean_of(std::span<const double> v) {
    return numpy_pairwise_sum([&](std::size_t i) { return v[i]; }, 0, v.size()) / static_cast<double>(v.size());
}

}  // namespace musiclab::detail

namespace musiclab::detail {

using encode::CrossFitted;
using encode::Smoothing;
using encode::TargetEncoder;
using encode::TargetEncoderOptions;
using encode::TargetType;
using encode::kfold_assignment;
using encode::stratified_kfold_assignment;

/// Builds a TargetEncoder from columns (used by the fit functions).
template <class Columns>
class TargetEncoderBuilder {
public:
    TargetEncoderBuilder(const Columns& columns, std::span<const double> y, const TargetEncoderOptions& options,
                         std::vector<std::string> names)
        : columns_(columns), options_(options) {
        workers_ = resolve_threads(options.num_threads);
        k_ = static_cast<std::size_t>(columns.size());
        if (k_ == 0) throw invalid_parameter("columns", "0 columns", "at least one column");
        n_ = y.size();
        if (n_ == 0) throw invalid_parameter("y", "0 rows", "at least one row");
        for (std::size_t j = 0; j < k_; ++j) {
            const auto rows = static_cast<std::size_t>(column(j).size());
            if (rows != n_) throw shape_mismatch(detail::text_concat("rows of column ", j, " (must equal the length of y)"), n_, rows);
        }
        if (!std::isfinite(options.m) || options.m < 0.0)
            throw invalid_parameter("m", options.m, "a finite value >= 0 (weight of the global mean)");
        if (options.n_folds < 1) throw invalid_parameter("n_folds", options.n_folds, ">= 1 (folds of cross-fitting)");
        if (!names.empty() && names.size() != k_) throw shape_mismatch("feature_names_in (one per column)", k_, names.size());
        if (names.empty())
            for (std::size_t j = 0; j < k_; ++j) names.push_back(detail::text_concat("x", j));
        for (std::size_t i = 0; i < n_; ++i)
            if (!std::isfinite(y[i])) throw invalid_parameter("y", detail::text_concat(y[i], " at row ", i), "finite target values");
        model_.options_ = options;
        model_.names_ = std::move(names);
        if (options.target_type == TargetType::binary) {
            std::vector<double> values;
            for (std::size_t i = 0; i < n_ && values.size() <= 2; ++i)
                if (std::find(values.begin(), values.end(), y[i]) == values.end()) values.push_back(y[i]);
            if (values.size() > 2)
                throw invalid_parameter("y", "more than two distinct values", "at most two values for TargetType::binary");
            std::sort(values.begin(), values.end());
            model_.classes_ = values;
            y_binary_.resize(n_);
            for (std::size_t i = 0; i < n_; ++i) y_binary_[i] = (values.size() == 2 && y[i] == values[1]) ? 1.0 : 0.0;
            y_ = y_binary_;
        } else {
            y_ = y;
        }
        model_.target_mean_ = detail::numpy_mean_of(y_);
        model_.target_variance_ = detail::numpy_variance(y_, model_.target_mean_);
        model_.features_.resize(k_);
        codes_.resize(k_);
        n_codes_.resize(k_);
    }

    /// Fits every column on all rows.
    void fit() {
        for_each_column([&](std::size_t j) { fit_column(j); });
    }

    /// Runs fn(j) for every column, workers taking the next column as they finish (columns differ
    /// widely in cost: a 200,000-category column takes ~10x a 100-category one). Each column's
    /// result depends only on that column, so the schedule does not change any value.
    template <class Fn>
    void for_each_column(Fn&& fn) {
        std::atomic<std::size_t> next{0};
        const int workers = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(workers_), k_));
        parallelize(workers, workers, [&](int, int, int) {
            for (std::size_t j = next++; j < k_; j = next++) fn(j);
        });
    }

    /// Out-of-fold encodings of the fitting rows (after fit()).
    CrossFitted cross_fit() {
        CrossFitted out;
        out.encoded.resize(static_cast<Eigen::Index>(n_), static_cast<Eigen::Index>(k_));
        check_folds();
        const auto K = static_cast<std::size_t>(options_.n_folds);
        if (K == 1) {
            out.folds.assign(n_, 0);
            for_each_column([&](std::size_t j) { encode_rows_full(j, out.encoded); });
            out.encoder = std::move(model_);
            return out;
        }
        out.folds = options_.target_type == TargetType::binary
                        ? stratified_kfold_assignment(y_, options_.n_folds, options_.shuffle, options_.random_state)
                        : kfold_assignment(n_, options_.n_folds, options_.shuffle, options_.random_state);
        // Prior and variance of each training part: numpy mean / var of y over the rows outside
        // the fold, in row order (as sklearn's np.mean(y[train_idx])).
        std::vector<double> prior(K), variance(K);
        {
            std::vector<double> part;
            part.reserve(n_);
            for (std::size_t f = 0; f < K; ++f) {
                part.clear();
                for (std::size_t i = 0; i < n_; ++i)
                    if (out.folds[i] != f) part.push_back(y_[i]);
                prior[f] = detail::numpy_mean_of(part);
                variance[f] = detail::numpy_variance(part, prior[f]);
            }
        }
        for_each_column([&](std::size_t j) { cross_fit_column(j, out.folds, prior, variance, out.encoded); });
        out.encoder = std::move(model_);
        return out;
    }

    TargetEncoder take() { return std::move(model_); }

    /// Cross-fitting needs n_folds <= rows.
    void check_folds() const {
        if (static_cast<std::size_t>(options_.n_folds) > n_)
            throw invalid_parameter("n_folds", options_.n_folds, detail::text_concat("1 <= n_folds <= number of rows = ", n_));
    }

private:
    const auto& column(std::size_t j) const { return musiclab::detail::unwrap_column(columns_[j]); }

    void fit_column(std::size_t j) {
        const auto& col = column(j);
        detail::Factorizer factorizer;
        auto& codes = codes_[j];
        factorizer.encode_column(col, n_, codes);
        const std::size_t C = factorizer.size();
        n_codes_[j] = C;
        // Count and sum side by side: one cache line per row update in a large column.
        struct Accumulator {
            double sum = 0.0;
            std::size_t count = 0;
        };
        std::vector<Accumulator> acc(C);
        for (std::size_t i = 0; i < n_; ++i) {
            const std::uint32_t c = codes[i];
            if (c == detail::Factorizer::missing) continue;
            ++acc[c].count;
            acc[c].sum += y_[i];
        }
        std::vector<double> m2;
        if (options_.smoothing == Smoothing::empirical_bayes) {
            m2.assign(C, 0.0);
            for (std::size_t i = 0; i < n_; ++i) {
                const std::uint32_t c = codes[i];
                if (c == detail::Factorizer::missing) continue;
                const double d = y_[i] - acc[c].sum / static_cast<double>(acc[c].count);
                m2[c] += d * d;
            }
        }
        // Sorted category order: order[r] = code of the r-th category by bytes.
        std::vector<std::uint32_t> order(C), rank_of(C);
        {
            std::vector<detail::SortKey> sorted(C);
            for (std::size_t c = 0; c < C; ++c) sorted[c] = detail::SortKey(factorizer.key(c), static_cast<std::uint32_t>(c));
            std::sort(sorted.begin(), sorted.end());
            for (std::size_t r = 0; r < C; ++r) {
                order[r] = sorted[r].code;
                rank_of[sorted[r].code] = static_cast<std::uint32_t>(r);
            }
        }
        auto& f = model_.features_[j];
        std::string arena;
        arena.reserve(factorizer.key_bytes());
        f.ends.assign(1, 0);
        f.ends.reserve(C + 1);
        f.counts.resize(C);
        f.means.resize(C);
        f.encodings.resize(C);
        for (std::size_t r = 0; r < C; ++r) {
            const std::uint32_t c = order[r];
            arena.append(factorizer.key(c));
            f.ends.push_back(arena.size());
            f.counts[r] = acc[c].count;
            f.means[r] = acc[c].sum / static_cast<double>(acc[c].count);
            f.encodings[r] = detail::smoothed_encoding(options_, acc[c].count, acc[c].sum, m2.empty() ? 0.0 : m2[c],
                                                       model_.target_mean_, model_.target_variance_);
        }
        // The factorizer's table becomes the model's index: renumber its slots in place (a linear
        // pass, no re-insertion) and point long keys into the sorted arena.
        f.index = factorizer.take_table();
        for (auto& slot : f.index.slots) {
            if (slot.code_plus1 == 0) continue;
            const std::uint32_t r = rank_of[slot.code_plus1 - 1];
            slot.code_plus1 = r + 1;
            if (slot.length > 16) slot.tail = f.ends[r];
        }
        f.index.arena = std::move(arena);
        // Codes of the rows in the model's (sorted) numbering, for cross-fitting and encoding.
        for (auto& c : codes)
            if (c != detail::Factorizer::missing) c = rank_of[c];
    }

    void encode_rows_full(std::size_t j, Eigen::MatrixXd& out) const {
        const auto& f = model_.features_[j];
        double* dst = out.col(static_cast<Eigen::Index>(j)).data();
        const auto& codes = codes_[j];
        for (std::size_t i = 0; i < n_; ++i)
            dst[i] = codes[i] == detail::Factorizer::missing ? model_.target_mean_ : f.encodings[codes[i]];
    }

    void cross_fit_column(std::size_t j, const std::vector<std::uint32_t>& folds, const std::vector<double>& prior,
                          const std::vector<double>& variance, Eigen::MatrixXd& out) const {
        const auto K = prior.size();
        const std::size_t C = n_codes_[j];
        const auto& codes = codes_[j];
        const bool eb = options_.smoothing == Smoothing::empirical_bayes;
        // Per (fold, category) statistics, fold-major.
        std::vector<std::size_t> count(K * C, 0);
        std::vector<double> sum(K * C, 0.0), m2;
        for (std::size_t i = 0; i < n_; ++i) {
            const std::uint32_t c = codes[i];
            if (c == detail::Factorizer::missing) continue;
            const std::size_t cell = folds[i] * C + c;
            ++count[cell];
            sum[cell] += y_[i];
        }
        if (eb) {
            m2.assign(K * C, 0.0);
            for (std::size_t i = 0; i < n_; ++i) {
                const std::uint32_t c = codes[i];
                if (c == detail::Factorizer::missing) continue;
                const std::size_t cell = folds[i] * C + c;
                const double d = y_[i] - sum[cell] / static_cast<double>(count[cell]);
                m2[cell] += d * d;
            }
        }
        // Encoding of each category for each held-out fold f from the other folds, merged in
        // ascending fold order (Chan et al.'s pairwise update for M2).
        std::vector<double> table(K * C);
        for (std::size_t c = 0; c < C; ++c) {
            for (std::size_t f = 0; f < K; ++f) {
                std::size_t n = 0;
                double s = 0.0, mean = 0.0, q = 0.0;
                for (std::size_t g = 0; g < K; ++g) {
                    if (g == f) continue;
                    const std::size_t cell = g * C + c;
                    const std::size_t ng = count[cell];
                    if (ng == 0) continue;
                    if (eb) {
                        const double mean_g = sum[cell] / static_cast<double>(ng);
                        if (n == 0) {
                            mean = mean_g;
                            q = m2[cell];
                        } else {
                            const double total = static_cast<double>(n + ng);
                            const double delta = mean_g - mean;
                            q += m2[cell] + delta * delta * static_cast<double>(n) * static_cast<double>(ng) / total;
                            mean += delta * static_cast<double>(ng) / total;
                        }
                    }
                    n += ng;
                    s += sum[cell];
                }
                table[f * C + c] = detail::smoothed_encoding(options_, n, s, q, prior[f], variance[f]);
            }
        }
        double* dst = out.col(static_cast<Eigen::Index>(j)).data();
        for (std::size_t i = 0; i < n_; ++i) {
            const std::uint32_t c = codes[i];
            dst[i] = c == detail::Factorizer::missing ? prior[folds[i]] : table[folds[i] * C + c];
        }
    }

    const Columns& columns_;
    std::span<const double> y_;
    std::vector<double> y_binary_;
    TargetEncoderOptions options_;
    int workers_ = 1;
    std::size_t n_ = 0, k_ = 0;
    std::vector<std::vector<std::uint32_t>> codes_;
    std::vector<std::size_t> n_codes_;
    TargetEncoder model_;
};

}  // namespace musiclab::detail

namespace musiclab::encode {

inline std::string_view TargetEncoder::category(std::size_t feature, std::size_t index) const {
    const auto& f = at(feature);
    if (index >= f.counts.size()) throw invalid_parameter("index", index, detail::text_concat("< n_categories = ", f.counts.size()));
    return std::string_view(f.index.arena).substr(f.ends[index], f.ends[index + 1] - f.ends[index]);
}

inline std::ptrdiff_t TargetEncoder::find(std::size_t feature, std::string_view category) const {
    return static_cast<std::ptrdiff_t>(at(feature).index.find(category, detail::category_hash(category)));
}

inline void TargetEncoder::Feature::reserve(std::size_t categories, std::size_t bytes) {
    std::size_t capacity = 16;
    while (capacity < 2 * categories) capacity *= 2;
    index.reset(capacity);
    index.arena.reserve(bytes);
    ends.assign(1, 0);
    ends.reserve(categories + 1);
    counts.reserve(categories);
    means.reserve(categories);
    encodings.reserve(categories);
}

inline void TargetEncoder::Feature::add_category(std::string_view key, std::size_t count, double mean, double encoding) {
    const std::size_t code = counts.size();
    if (2 * (code + 1) > index.slots.size()) throw error("TargetEncoder: category index full (reserve() too small)");
    index.arena.append(key);
    ends.push_back(index.arena.size());
    counts.push_back(count);
    means.push_back(mean);
    encodings.push_back(encoding);
    index.place(detail::category_hash(key), key, ends[code], static_cast<std::uint32_t>(code));
}

}  // namespace musiclab::encode

namespace musiclab::detail {

inline std::string format_double(double v) {
    char buffer[64];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, r.ptr);
}

/// Line-oriented reader of the TargetEncoder text format with located parse errors.
class ModelReader {
public:
    ModelReader(std::istream& in, std::string source) : in_(in), source_(std::move(source)) {}

    [[noreturn]] void fail(const std::string& what) const { throw parse_error(source_, line_, 0, what); }

    /// The next line, split at spaces into at least `min_fields` fields, the first equal to `tag`.
    std::vector<std::string_view> record(std::string_view tag, std::size_t min_fields) {
        if (!std::getline(in_, text_)) fail(detail::text_concat("unexpected end of input, expected '", tag, "'"));
        ++line_;
        fields_.clear();
        std::string_view rest(text_);
        while (!rest.empty()) {
            const auto space = rest.find(' ');
            fields_.push_back(rest.substr(0, space));
            rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
        }
        if (fields_.empty() || fields_[0] != tag) fail(detail::text_concat("expected a '", tag, "' line"));
        if (fields_.size() < min_fields) fail(detail::text_concat("'", tag, "' line has too few fields"));
        return fields_;
    }

    /// A length-prefixed byte string "<length>:<bytes>" followed by a space or a line end.
    std::string bytes_field() {
        std::size_t length = 0;
        char c = 0;
        while (in_.get(c) && c != ':') {
            if (c < '0' || c > '9') fail("expected '<length>:' before a byte string");
            length = length * 10 + static_cast<std::size_t>(c - '0');
            if (length > (std::size_t{1} << 40)) fail("byte string length too large");
        }
        if (c != ':') fail("unexpected end of input in a byte string");
        std::string out(length, '\0');
        if (length > 0 && !in_.read(out.data(), static_cast<std::streamsize>(length))) fail("unexpected end of input in a byte string");
        for (char ch : out) line_ += ch == '\n';
        return out;
    }

    /// The rest of the current line after a byte string (leading space required).
    std::vector<std::string_view> tail(std::size_t fields) {
        if (!std::getline(in_, text_)) fail("unexpected end of input after a byte string");
        ++line_;
        if (text_.empty() || text_[0] != ' ') fail("expected a space after a byte string");
        fields_.clear();
        std::string_view rest = std::string_view(text_).substr(1);
        while (!rest.empty()) {
            const auto space = rest.find(' ');
            fields_.push_back(rest.substr(0, space));
            rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
        }
        if (fields_.size() != fields) fail(detail::text_concat("expected ", fields, " fields after a byte string"));
        return fields_;
    }

    double number(std::string_view f) const {
        double v = 0.0;
        const auto r = std::from_chars(f.data(), f.data() + f.size(), v);
        if (r.ec != std::errc() || r.ptr != f.data() + f.size()) fail(detail::text_concat("expected a number, got '", f, "'"));
        return v;
    }
    std::uint64_t integer(std::string_view f) const {
        std::uint64_t v = 0;
        const auto r = std::from_chars(f.data(), f.data() + f.size(), v);
        if (r.ec != std::errc() || r.ptr != f.data() + f.size()) fail(detail::text_concat("expected an integer, got '", f, "'"));
        return v;
    }

private:
    std::istream& in_;
    std::string source_;
    std::string text_;
    std::vector<std::string_view> fields_;
    std::size_t line_ = 0;
};

}  // namespace musiclab::detail

namespace musiclab::encode {

inline void TargetEncoder::save(std::ostream& out) const {
    check_fitted();
    using detail::format_double;
    const auto& o = options_;
    out << "musiclab.TargetEncoder 1\n"
        << "options " << (o.smoothing == Smoothing::m_estimate ? "m_estimate" : "empirical_bayes") << ' ' << format_double(o.m)
        << ' ' << o.n_folds << ' ' << (o.shuffle ? 1 : 0) << ' ' << o.random_state << ' '
        << (o.target_type == TargetType::continuous ? "continuous" : "binary") << ' ' << o.num_threads << '\n'
        << "target " << format_double(target_mean_) << ' ' << format_double(target_variance_) << '\n'
        << "classes " << classes_.size();
    for (double c : classes_) out << ' ' << format_double(c);
    out << "\nfeatures " << features_.size() << '\n';
    for (std::size_t j = 0; j < features_.size(); ++j) {
        const auto& f = features_[j];
        out << "feature " << f.counts.size() << ' ' << f.index.arena.size() << '\n' << names_[j].size() << ':' << names_[j] << " -\n";
        for (std::size_t c = 0; c < f.counts.size(); ++c) {
            const auto key = std::string_view(f.index.arena).substr(f.ends[c], f.ends[c + 1] - f.ends[c]);
            out << key.size() << ':' << key << ' ' << f.counts[c] << ' ' << format_double(f.means[c]) << ' '
                << format_double(f.encodings[c]) << '\n';
        }
    }
    out << "end\n";
    if (!out) throw io_error("<stream>", "writing the TargetEncoder failed");
}

inline void TargetEncoder::save(const std::filesystem::path& path) const {
    std::ofstream out(path, std::ios::binary);
    if (!out) throw io_error(path.string(), "cannot open for writing");
    save(out);
    out.flush();
    if (!out) throw io_error(path.string(), "writing failed");
}

inline TargetEncoder TargetEncoder::load(std::istream& in, const std::string& source) {
    detail::ModelReader r(in, source);
    TargetEncoder e;
    auto header = r.record("musiclab.TargetEncoder", 2);
    if (header[1] != "1") r.fail(detail::text_concat("unsupported TargetEncoder format version '", header[1], "' (this build reads 1)"));
    auto o = r.record("options", 8);
    if (o[1] == "m_estimate") e.options_.smoothing = Smoothing::m_estimate;
    else if (o[1] == "empirical_bayes") e.options_.smoothing = Smoothing::empirical_bayes;
    else r.fail(detail::text_concat("unknown smoothing '", o[1], "'"));
    e.options_.m = r.number(o[2]);
    e.options_.n_folds = static_cast<int>(r.integer(o[3]));
    e.options_.shuffle = r.integer(o[4]) != 0;
    e.options_.random_state = static_cast<std::uint32_t>(r.integer(o[5]));
    if (o[6] == "continuous") e.options_.target_type = TargetType::continuous;
    else if (o[6] == "binary") e.options_.target_type = TargetType::binary;
    else r.fail(detail::text_concat("unknown target type '", o[6], "'"));
    e.options_.num_threads = static_cast<int>(r.integer(o[7]));
    auto t = r.record("target", 3);
    e.target_mean_ = r.number(t[1]);
    e.target_variance_ = r.number(t[2]);
    auto cl = r.record("classes", 2);
    const auto n_classes = r.integer(cl[1]);
    if (n_classes > 2 || cl.size() != 2 + n_classes) r.fail("bad 'classes' line");
    for (std::size_t i = 0; i < n_classes; ++i) e.classes_.push_back(r.number(cl[2 + i]));
    const auto n_features = r.integer(r.record("features", 2)[1]);
    if (n_features == 0 || n_features > (std::uint64_t{1} << 24)) r.fail("bad feature count");
    e.features_.resize(n_features);
    for (std::size_t j = 0; j < n_features; ++j) {
        auto fl = r.record("feature", 3);
        const auto n_categories = r.integer(fl[1]);
        const auto bytes = r.integer(fl[2]);
        if (n_categories >= std::numeric_limits<std::uint32_t>::max() - 1 || bytes > (std::uint64_t{1} << 40)) r.fail("bad category count");
        e.names_.push_back(r.bytes_field());
        auto marker = r.tail(1);
        if (marker[0] != "-") r.fail("expected '-' after the feature name");
        auto& f = e.features_[j];
        f.reserve(n_categories, bytes);
        std::string previous;
        for (std::size_t c = 0; c < n_categories; ++c) {
            std::string key = r.bytes_field();
            auto v = r.tail(3);
            if (c > 0 && !(previous < key)) r.fail("categories are not sorted and distinct");
            f.add_category(key, r.integer(v[0]), r.number(v[1]), r.number(v[2]));
            previous = std::move(key);
        }
    }
    r.record("end", 1);
    return e;
}

inline TargetEncoder TargetEncoder::load(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error(path.string(), "cannot open for reading");
    return load(in, path.string());
}

template <preprocess::StringColumns Columns>
Eigen::MatrixXd TargetEncoder::transform(const Columns& columns) const {
    check_fitted();
    const auto k = static_cast<std::size_t>(columns.size());
    if (k != features_.size()) throw shape_mismatch("number of columns given to transform", features_.size(), k);
    const auto n = static_cast<std::size_t>(musiclab::detail::unwrap_column(columns[0]).size());
    for (std::size_t j = 1; j < k; ++j) {
        const auto rows = static_cast<std::size_t>(musiclab::detail::unwrap_column(columns[j]).size());
        if (rows != n) throw shape_mismatch(detail::text_concat("rows of column ", j, " (must equal column 0)"), n, rows);
    }
    Eigen::MatrixXd out(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
    parallelize(resolve_threads(options_.num_threads), n, [&](int, std::size_t start, std::size_t length) {
        for (std::size_t j = 0; j < k; ++j) {
            const auto& col = musiclab::detail::unwrap_column(columns[j]);
            const auto& f = features_[j];
            double* dst = out.col(static_cast<Eigen::Index>(j)).data();
            detail::pipelined_probe(col, start, start + length, f.index,
                                    [&](std::size_t row, std::string_view key, std::uint64_t h, bool missing) {
                                        const std::int64_t c = missing ? -1 : f.index.find(key, h);
                                        dst[row] = c < 0 ? target_mean_ : f.encodings[static_cast<std::size_t>(c)];
                                    });
        }
    });
    return out;
}

template <preprocess::StringColumn Column>
Eigen::MatrixXd TargetEncoder::transform(const Column& column) const {
    return transform(musiclab::detail::OneColumn<Column>{&column});
}

template <preprocess::StringColumns Columns>
TargetEncoder fit_target_encoder(const Columns& columns, std::span<const double> y, const TargetEncoderOptions& options,
                                 std::vector<std::string> feature_names_in) {
    detail::TargetEncoderBuilder<Columns> builder(columns, y, options, std::move(feature_names_in));
    builder.fit();
    return builder.take();
}

template <preprocess::StringColumn Column>
TargetEncoder fit_target_encoder(const Column& column, std::span<const double> y, const TargetEncoderOptions& options,
                                 std::vector<std::string> feature_names_in) {
    return fit_target_encoder(musiclab::detail::OneColumn<Column>{&column}, y, options, std::move(feature_names_in));
}

template <preprocess::StringColumns Columns>
CrossFitted fit_transform_target_encoder(const Columns& columns, std::span<const double> y, const TargetEncoderOptions& options,
                                         std::vector<std::string> feature_names_in) {
    detail::TargetEncoderBuilder<Columns> builder(columns, y, options, std::move(feature_names_in));
    builder.check_folds();
    builder.fit();
    return builder.cross_fit();
}

template <preprocess::StringColumn Column>
CrossFitted fit_transform_target_encoder(const Column& column, std::span<const double> y, const TargetEncoderOptions& options,
                                         std::vector<std::string> feature_names_in) {
    return fit_transform_target_encoder(musiclab::detail::OneColumn<Column>{&column}, y, options, std::move(feature_names_in));
}

}  // namespace musiclab::encode
