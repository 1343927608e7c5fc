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
#include "../metrics/detail/summation.hpp"
#include "../preprocess/detail/columns.hpp"
#include "folds.hpp"

#include <Eigen/Core>

#include <algorithm>
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

    /// Internal: per-column state. Use the accessors above.
    struct Feature {
        std::string arena;                 // category bytes, back to back, in sorted order
        std::vector<std::size_t> ends;     // category c = arena[ends[c], ends[c + 1])
        std::vector<std::size_t> counts;
        std::vector<double> means;
        std::vector<double> encodings;
        std::vector<std::uint64_t> slot_hash;  // open-addressing index over the categories
        std::vector<std::uint32_t> slot_code;  // code + 1; 0 = empty slot
    };

private:
    template <class Columns>
    friend class TargetEncoderBuilder;
    const Feature& at(std::size_t feature) const {
        if (feature >= features_.size())
            throw invalid_parameter("feature", feature, "< n_features_in = " + std::to_string(features_.size()));
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
/// n_folds outside [1, n], num_threads < 0, a binary target with more than two values;
/// shape_mismatch: a column or y of another length, wrong number of names.
template <preprocess::StringColumns Columns>
TargetEncoder fit_target_encoder(const Columns& columns, std::span<const double> y, const TargetEncoderOptions& options = {},
                                 std::vector<std::string> feature_names_in = {});
/// One column.
template <preprocess::StringColumn Column>
TargetEncoder fit_target_encoder(const Column& column, std::span<const double> y, const TargetEncoderOptions& options = {},
                                 std::vector<std::string> feature_names_in = {});

/// Fits on all rows and returns the out-of-fold encodings of the same rows (cross-fitting with
/// options.n_folds folds, see the file comment). Same checks as fit_target_encoder.
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

template <class C>
concept HasMissing = requires(const C& c, std::size_t i) {
    { c.is_missing(i) } -> std::convertible_to<bool>;
};

template <class C>
bool cell_missing(const C& c, std::size_t i) {
    if constexpr (HasMissing<C>) {
        return c.is_missing(i);
    } else {
        (void)c;
        (void)i;
        return false;
    }
}

/// 64-bit hash of a byte string: 8-byte words through multiply-xorshift rounds, then a final
/// avalanche. Not cryptographic; good spread for an open-addressing table.
inline std::uint64_t category_hash(std::string_view s) noexcept {
    constexpr std::uint64_t k1 = 0x9E3779B97F4A7C15ULL, k2 = 0xD6E8FEB86659FD93ULL;
    std::uint64_t h = (static_cast<std::uint64_t>(s.size()) + 1) * k1;
    const char* p = s.data();
    std::size_t n = s.size();
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * k2;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        std::uint64_t w = 0;
        std::memcpy(&w, p, n);
        h = (h ^ w) * k2;
        h ^= h >> 29;
    }
    h *= k1;
    h ^= h >> 32;
    return h;
}

/// Assigns dense codes (first-appearance order) to the distinct strings of a column.
class Factorizer {
public:
    static constexpr std::uint32_t missing = std::numeric_limits<std::uint32_t>::max();

    Factorizer() { rehash(1024); }

    std::uint32_t code(std::string_view s) {
        const std::uint64_t h = category_hash(s);
        std::size_t slot = static_cast<std::size_t>(h) & mask_;
        while (true) {
            const std::uint32_t c = slots_[slot];
            if (c == 0) break;
            if (hashes_[c - 1] == h && keys_[c - 1] == s) return c - 1;
            slot = (slot + 1) & mask_;
        }
        const auto c = static_cast<std::uint32_t>(keys_.size());
        if (c == missing - 1) throw invalid_parameter("columns", "more than 2^32 - 2 categories", "fewer categories");
        keys_.push_back(s);
        hashes_.push_back(h);
        slots_[slot] = c + 1;
        if (2 * keys_.size() > slots_.size()) rehash(2 * slots_.size());
        return c;
    }

    const std::vector<std::string_view>& keys() const noexcept { return keys_; }
    const std::vector<std::uint64_t>& hashes() const noexcept { return hashes_; }

private:
    void rehash(std::size_t capacity) {
        slots_.assign(capacity, 0);
        mask_ = capacity - 1;
        for (std::size_t c = 0; c < keys_.size(); ++c) {
            std::size_t slot = static_cast<std::size_t>(hashes_[c]) & mask_;
            while (slots_[slot] != 0) slot = (slot + 1) & mask_;
            slots_[slot] = static_cast<std::uint32_t>(c + 1);
        }
    }

    std::vector<std::uint32_t> slots_;
    std::vector<std::string_view> keys_;
    std::vector<std::uint64_t> hashes_;
    std::size_t mask_ = 0;
};

/// Per-category sufficient statistics: count, sum, and M2 = Σ (y - mean_c)² (empirical Bayes).
struct CategoryStats {
    std::vector<std::size_t> count;
    std::vector<double> sum;
    std::vector<double> m2;
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

namespace musiclab::encode {

/// Internal: builds TargetEncoder from columns (used by the fit functions).
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
            if (rows != n_) throw shape_mismatch("rows of column " + std::to_string(j) + " (must equal the length of y)", n_, rows);
        }
        if (!std::isfinite(options.m) || options.m < 0.0)
            throw invalid_parameter("m", options.m, "a finite value >= 0 (weight of the global mean)");
        if (options.n_folds < 1) throw invalid_parameter("n_folds", options.n_folds, ">= 1 (folds of cross-fitting)");
        if (!names.empty() && names.size() != k_) throw shape_mismatch("feature_names_in (one per column)", k_, names.size());
        if (names.empty())
            for (std::size_t j = 0; j < k_; ++j) names.push_back("x" + std::to_string(j));
        for (std::size_t i = 0; i < n_; ++i)
            if (!std::isfinite(y[i])) throw invalid_parameter("y", std::to_string(y[i]) + " at row " + std::to_string(i), "finite target values");
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
        parallelize(workers_, k_, [&](int, std::size_t start, std::size_t length) {
            for (std::size_t j = start; j < start + length; ++j) fit_column(j);
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
            parallelize(workers_, k_, [&](int, std::size_t start, std::size_t length) {
                for (std::size_t j = start; j < start + length; ++j) encode_rows_full(j, out.encoded);
            });
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
        parallelize(workers_, k_, [&](int, std::size_t start, std::size_t length) {
            for (std::size_t j = start; j < start + length; ++j) cross_fit_column(j, out.folds, prior, variance, out.encoded);
        });
        out.encoder = std::move(model_);
        return out;
    }

    TargetEncoder take() { return std::move(model_); }

    /// Cross-fitting needs n_folds <= rows.
    void check_folds() const {
        if (static_cast<std::size_t>(options_.n_folds) > n_)
            throw invalid_parameter("n_folds", options_.n_folds, "1 <= n_folds <= number of rows = " + std::to_string(n_));
    }

private:
    const auto& column(std::size_t j) const { return musiclab::detail::unwrap_column(columns_[j]); }

    void fit_column(std::size_t j) {
        const auto& col = column(j);
        detail::Factorizer factorizer;
        auto& codes = codes_[j];
        codes.resize(n_);
        for (std::size_t i = 0; i < n_; ++i)
            codes[i] = detail::cell_missing(col, i) ? detail::Factorizer::missing : factorizer.code(std::string_view(col[i]));
        const std::size_t C = factorizer.keys().size();
        n_codes_[j] = C;
        detail::CategoryStats s;
        s.count.assign(C, 0);
        s.sum.assign(C, 0.0);
        for (std::size_t i = 0; i < n_; ++i) {
            const std::uint32_t c = codes[i];
            if (c == detail::Factorizer::missing) continue;
            ++s.count[c];
            s.sum[c] += y_[i];
        }
        if (options_.smoothing == Smoothing::empirical_bayes) {
            s.m2.assign(C, 0.0);
            for (std::size_t i = 0; i < n_; ++i) {
                const std::uint32_t c = codes[i];
                if (c == detail::Factorizer::missing) continue;
                const double d = y_[i] - s.sum[c] / static_cast<double>(s.count[c]);
                s.m2[c] += d * d;
            }
        }
        // Sorted category order; sorted_rank[code] = position in the model.
        std::vector<std::uint32_t> order(C);
        std::iota(order.begin(), order.end(), 0u);
        const auto& keys = factorizer.keys();
        std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
        auto& f = model_.features_[j];
        std::size_t bytes = 0;
        for (const auto& key : keys) bytes += key.size();
        f.arena.reserve(bytes);
        f.ends.assign(1, 0);
        f.counts.resize(C);
        f.means.resize(C);
        f.encodings.resize(C);
        std::size_t capacity = 16;
        while (capacity < 2 * C) capacity *= 2;
        f.slot_hash.assign(capacity, 0);
        f.slot_code.assign(capacity, 0);
        for (std::size_t r = 0; r < C; ++r) {
            const std::uint32_t c = order[r];
            f.arena.append(keys[c]);
            f.ends.push_back(f.arena.size());
            f.counts[r] = s.count[c];
            f.means[r] = s.sum[c] / static_cast<double>(s.count[c]);
            f.encodings[r] = detail::smoothed_encoding(options_, s.count[c], s.sum[c], s.m2.empty() ? 0.0 : s.m2[c],
                                                       model_.target_mean_, model_.target_variance_);
            const std::uint64_t h = factorizer.hashes()[c];
            std::size_t slot = static_cast<std::size_t>(h) & (capacity - 1);
            while (f.slot_code[slot] != 0) slot = (slot + 1) & (capacity - 1);
            f.slot_hash[slot] = h;
            f.slot_code[slot] = static_cast<std::uint32_t>(r + 1);
        }
        // Codes of the rows in the model's (sorted) numbering, for cross-fitting and encoding.
        std::vector<std::uint32_t> rank_of(C);
        for (std::size_t r = 0; r < C; ++r) rank_of[order[r]] = static_cast<std::uint32_t>(r);
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

inline std::string_view TargetEncoder::category(std::size_t feature, std::size_t index) const {
    const auto& f = at(feature);
    if (index >= f.counts.size()) throw invalid_parameter("index", index, "< n_categories = " + std::to_string(f.counts.size()));
    return std::string_view(f.arena).substr(f.ends[index], f.ends[index + 1] - f.ends[index]);
}

inline std::ptrdiff_t TargetEncoder::find(std::size_t feature, std::string_view category) const {
    const auto& f = at(feature);
    const std::uint64_t h = detail::category_hash(category);
    const std::size_t mask = f.slot_code.size() - 1;
    for (std::size_t slot = static_cast<std::size_t>(h) & mask;; slot = (slot + 1) & mask) {
        const std::uint32_t code = f.slot_code[slot];
        if (code == 0) return -1;
        if (f.slot_hash[slot] != h) continue;
        const std::size_t c = code - 1;
        if (std::string_view(f.arena).substr(f.ends[c], f.ends[c + 1] - f.ends[c]) == category)
            return static_cast<std::ptrdiff_t>(c);
    }
}

template <preprocess::StringColumns Columns>
Eigen::MatrixXd TargetEncoder::transform(const Columns& columns) const {
    const auto k = static_cast<std::size_t>(columns.size());
    if (k != features_.size()) throw shape_mismatch("number of columns given to transform", features_.size(), k);
    const auto n = static_cast<std::size_t>(musiclab::detail::unwrap_column(columns[0]).size());
    for (std::size_t j = 1; j < k; ++j) {
        const auto rows = static_cast<std::size_t>(musiclab::detail::unwrap_column(columns[j]).size());
        if (rows != n) throw shape_mismatch("rows of column " + std::to_string(j) + " (must equal column 0)", n, rows);
    }
    Eigen::MatrixXd out(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
    parallelize(resolve_threads(options_.num_threads), n, [&](int, std::size_t start, std::size_t length) {
        for (std::size_t j = 0; j < k; ++j) {
            const auto& col = musiclab::detail::unwrap_column(columns[j]);
            const auto& f = features_[j];
            double* dst = out.col(static_cast<Eigen::Index>(j)).data();
            for (std::size_t i = start; i < start + length; ++i) {
                if (musiclab::detail::cell_missing(col, i)) {
                    dst[i] = target_mean_;
                    continue;
                }
                const auto c = find(j, std::string_view(col[i]));
                dst[i] = c < 0 ? target_mean_ : f.encodings[static_cast<std::size_t>(c)];
            }
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
    TargetEncoderBuilder<Columns> builder(columns, y, options, std::move(feature_names_in));
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
    TargetEncoderBuilder<Columns> builder(columns, y, options, std::move(feature_names_in));
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
