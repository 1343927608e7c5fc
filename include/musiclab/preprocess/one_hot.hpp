// musiclab::preprocess::OneHotEncoder — one indicator column per (input column, category), with
// the semantics of scikit-learn 1.2's OneHotEncoder(categories="auto", drop=None) on string
// columns: categories are the sorted unique values (byte order = Unicode code point order for
// UTF-8), output columns are the input columns' category blocks side by side, and feature names
// are "<input name>_<category>" (get_feature_names_out).
//
// Missing values: a cell is just text; an empty string (what io::TextColumn returns for a
// missing cell) is a category of its own, "" sorting first.
//
// Usage:
//     std::vector<std::vector<std::string>> cols = {genre, mode};
//     auto enc = musiclab::preprocess::fit_one_hot_encoder(cols, {}, {"genre", "mode"});
//     Eigen::SparseMatrix<double, Eigen::RowMajor> X = enc.transform(cols);
//
// Thread safety: a fitted encoder is immutable; const members may be called concurrently.
#pragma once

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "detail/columns.hpp"

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace musiclab::preprocess {

/// What transform does with a category not seen by fit.
enum class HandleUnknown {
    error,   ///< throw musiclab::unknown_name naming the category, the column and the row
    ignore,  ///< encode that column's block as all zeros for the row
};

/// Options of OneHotEncoder. Defaults are scikit-learn's (handle_unknown="error").
struct OneHotEncoderOptions {
    HandleUnknown handle_unknown = HandleUnknown::error;
    /// Worker threads over rows in transform (default 1; 0 = all). Output does not depend on it.
    int num_threads = 1;
};

/// Encodes string columns as one-hot indicator columns. fit: O(n * k * log) to sort the
/// distinct values of each column; transform: O(n * k * log(categories)) for n rows, k columns.
class OneHotEncoder {
public:
    using SparseMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor>;

    /// An unfitted encoder; transform() throws musiclab::not_fitted.
    OneHotEncoder() = default;
    /// An unfitted encoder with the given options (num_threads >= 0, else invalid_parameter).
    explicit OneHotEncoder(const OneHotEncoderOptions& options);

    /// Learns the sorted distinct values of each column. `feature_names_in` names the input
    /// columns (default "x0", "x1", ... as sklearn); its size must equal the column count.
    /// Needs >= 1 column and >= 1 row, all columns the same length (shape_mismatch).
    template <StringColumns Columns>
    OneHotEncoder& fit(const Columns& columns, std::vector<std::string> feature_names_in = {});
    /// One column: same as fit of a collection holding just `column`.
    template <StringColumn Column>
    OneHotEncoder& fit(const Column& column, std::vector<std::string> feature_names_in = {});

    /// Row-major sparse indicator matrix, rows = samples, n_features_out() columns, entries 1.0
    /// with sorted column indices; a row holds one entry per input column (none for an ignored
    /// unknown). Throws not_fitted, shape_mismatch (column count or unequal lengths),
    /// unknown_name (unknown category with HandleUnknown::error).
    template <StringColumns Columns>
    SparseMatrix transform(const Columns& columns) const;
    template <StringColumn Column>
    SparseMatrix transform(const Column& column) const;
    /// Same as transform, as a dense matrix.
    template <StringColumns Columns>
    Eigen::MatrixXd transform_dense(const Columns& columns) const;
    template <StringColumn Column>
    Eigen::MatrixXd transform_dense(const Column& column) const;

    /// fit(columns, names) then transform(columns).
    template <class Columns>
    SparseMatrix fit_transform(const Columns& columns, std::vector<std::string> feature_names_in = {}) {
        fit(columns, std::move(feature_names_in));
        return transform(columns);
    }

    bool is_fitted() const noexcept { return !categories_.empty(); }
    const OneHotEncoderOptions& options() const noexcept { return options_; }
    /// Sorted categories of each input column (sklearn categories_). Throws not_fitted.
    const std::vector<std::vector<std::string>>& categories() const;
    /// Names of the input columns (given to fit, or "x0", "x1", ...). Throws not_fitted.
    const std::vector<std::string>& feature_names_in() const;
    /// Number of input columns. Throws not_fitted.
    std::size_t n_features_in() const;
    /// Number of output columns (sum of the category counts). Throws not_fitted.
    std::size_t n_features_out() const;
    /// "<input name>_<category>" for every output column in order (sklearn
    /// get_feature_names_out). Throws not_fitted.
    std::vector<std::string> get_feature_names_out() const;
    /// Output column of `category` of input column `feature`, or -1 when it is unknown.
    /// O(log categories). Throws not_fitted, invalid_parameter (feature out of range).
    std::ptrdiff_t output_column(std::size_t feature, std::string_view category) const;

private:
    void check_fitted() const;
    template <class Columns>
    std::vector<std::ptrdiff_t> encode(const Columns& columns, std::size_t& n_rows) const;

    OneHotEncoderOptions options_{};
    std::vector<std::vector<std::string>> categories_;
    std::vector<std::string> feature_names_in_;
    std::vector<std::size_t> offsets_;  // first output column of each input column
};

/// Fits a OneHotEncoder (see OneHotEncoder::fit); the returned encoder is immutable.
template <class Columns>
OneHotEncoder fit_one_hot_encoder(const Columns& columns, const OneHotEncoderOptions& options = {},
                                  std::vector<std::string> feature_names_in = {}) {
    OneHotEncoder encoder(options);
    encoder.fit(columns, std::move(feature_names_in));
    return encoder;
}

}  // namespace musiclab::preprocess

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::detail {

/// A one-element "collection of columns" viewing a single column.
template <class Column>
struct SingleColumn {
    const Column* column;
    std::size_t size() const noexcept { return 1; }
    const Column& operator[](std::size_t) const noexcept { return *column; }
};

/// The row count shared by every column; throws shape_mismatch when they differ.
template <class Columns>
std::size_t common_rows(const Columns& columns, const char* what) {
    const std::size_t k = static_cast<std::size_t>(columns.size());
    const std::size_t n = k == 0 ? 0 : static_cast<std::size_t>(unwrap_column(columns[0]).size());
    for (std::size_t j = 1; j < k; ++j) {
        const auto rows = static_cast<std::size_t>(unwrap_column(columns[j]).size());
        if (rows != n)
            throw shape_mismatch(std::string(what) + ": rows of column " + std::to_string(j), n, rows);
    }
    return n;
}

}  // namespace musiclab::detail

namespace musiclab::preprocess {

inline OneHotEncoder::OneHotEncoder(const OneHotEncoderOptions& options) : options_(options) {
    resolve_threads(options.num_threads);
}

inline void OneHotEncoder::check_fitted() const {
    if (!is_fitted()) throw not_fitted("OneHotEncoder");
}

template <StringColumns Columns>
OneHotEncoder& OneHotEncoder::fit(const Columns& columns, std::vector<std::string> feature_names_in) {
    const auto k = static_cast<std::size_t>(columns.size());
    if (k == 0) throw invalid_parameter("columns", "0 columns", ">= 1 column");
    const std::size_t n = detail::common_rows(columns, "OneHotEncoder::fit");
    if (n == 0) throw invalid_parameter("columns", "0 rows", ">= 1 row");
    if (feature_names_in.empty()) {
        for (std::size_t j = 0; j < k; ++j) feature_names_in.push_back(std::string("x") + std::to_string(j));
    } else if (feature_names_in.size() != k) {
        throw shape_mismatch("OneHotEncoder::fit: feature_names_in", k, feature_names_in.size());
    }
    std::vector<std::vector<std::string>> categories(k);
    for (std::size_t j = 0; j < k; ++j) {
        const auto& column = detail::unwrap_column(columns[j]);
        std::vector<std::string_view> values;
        values.reserve(n);
        for (std::size_t i = 0; i < n; ++i) values.push_back(std::string_view(column[i]));
        std::sort(values.begin(), values.end());
        values.erase(std::unique(values.begin(), values.end()), values.end());
        categories[j].assign(values.begin(), values.end());
    }
    std::vector<std::size_t> offsets(k + 1, 0);
    for (std::size_t j = 0; j < k; ++j) offsets[j + 1] = offsets[j] + categories[j].size();
    categories_ = std::move(categories);
    feature_names_in_ = std::move(feature_names_in);
    offsets_ = std::move(offsets);
    return *this;
}

template <StringColumn Column>
OneHotEncoder& OneHotEncoder::fit(const Column& column, std::vector<std::string> feature_names_in) {
    return fit(detail::SingleColumn<Column>{&column}, std::move(feature_names_in));
}

inline std::ptrdiff_t OneHotEncoder::output_column(std::size_t feature, std::string_view category) const {
    check_fitted();
    if (feature >= categories_.size())
        throw invalid_parameter("feature", feature, std::string("< ") + std::to_string(categories_.size()));
    const auto& cats = categories_[feature];
    const auto it = std::lower_bound(cats.begin(), cats.end(), category,
                                     [](const std::string& a, std::string_view b) { return std::string_view(a) < b; });
    if (it == cats.end() || std::string_view(*it) != category) return -1;
    return static_cast<std::ptrdiff_t>(offsets_[feature]) + (it - cats.begin());
}

/// Output column of every (row, input column), row-major; -1 for an ignored unknown.
template <class Columns>
std::vector<std::ptrdiff_t> OneHotEncoder::encode(const Columns& columns, std::size_t& n_rows) const {
    check_fitted();
    const std::size_t k = categories_.size();
    if (static_cast<std::size_t>(columns.size()) != k)
        throw shape_mismatch("OneHotEncoder::transform: columns", k, static_cast<std::size_t>(columns.size()));
    const std::size_t n = detail::common_rows(columns, "OneHotEncoder::transform");
    std::vector<std::ptrdiff_t> codes(n * k, -1);
    parallelize(resolve_threads(options_.num_threads), n, [&](int, std::size_t start, std::size_t length) {
        for (std::size_t j = 0; j < k; ++j) {
            const auto& column = detail::unwrap_column(columns[j]);
            for (std::size_t i = start; i < start + length; ++i)
                codes[i * k + j] = output_column(j, std::string_view(column[i]));
        }
    });
    if (options_.handle_unknown == HandleUnknown::error) {
        // Scanned in row-major order after the parallel pass, so the reported cell is the first
        // unknown one whatever the thread count.
        for (std::size_t p = 0; p < codes.size(); ++p) {
            if (codes[p] >= 0) continue;
            const std::size_t i = p / k, j = p % k;
            throw unknown_name("category", std::string(std::string_view(detail::unwrap_column(columns[j])[i])),
                               std::string("input column ") + std::to_string(j) + " '" + feature_names_in_[j] +
                                   std::string("' at row ") + std::to_string(i));
        }
    }
    n_rows = n;
    return codes;
}

template <StringColumns Columns>
OneHotEncoder::SparseMatrix OneHotEncoder::transform(const Columns& columns) const {
    std::size_t n = 0;
    const std::vector<std::ptrdiff_t> codes = encode(columns, n);
    const std::size_t k = categories_.size();
    std::size_t nnz = 0;
    for (auto c : codes) nnz += c >= 0;
    SparseMatrix out(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(offsets_.back()));
    out.resizeNonZeros(static_cast<Eigen::Index>(nnz));
    auto* outer = out.outerIndexPtr();
    auto* inner = out.innerIndexPtr();
    double* values = out.valuePtr();
    std::size_t p = 0;
    outer[0] = 0;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < k; ++j) {  // blocks are in column order: indices stay sorted
            const auto c = codes[i * k + j];
            if (c < 0) continue;
            inner[p] = static_cast<SparseMatrix::StorageIndex>(c);
            values[p] = 1.0;
            ++p;
        }
        outer[i + 1] = static_cast<SparseMatrix::StorageIndex>(p);
    }
    return out;
}

template <StringColumn Column>
OneHotEncoder::SparseMatrix OneHotEncoder::transform(const Column& column) const {
    return transform(detail::SingleColumn<Column>{&column});
}

template <StringColumns Columns>
Eigen::MatrixXd OneHotEncoder::transform_dense(const Columns& columns) const {
    std::size_t n = 0;
    const std::vector<std::ptrdiff_t> codes = encode(columns, n);
    const std::size_t k = categories_.size();
    Eigen::MatrixXd out = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(offsets_.back()));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < k; ++j)
            if (codes[i * k + j] >= 0) out(static_cast<Eigen::Index>(i), codes[i * k + j]) = 1.0;
    return out;
}

template <StringColumn Column>
Eigen::MatrixXd OneHotEncoder::transform_dense(const Column& column) const {
    return transform_dense(detail::SingleColumn<Column>{&column});
}

inline const std::vector<std::vector<std::string>>& OneHotEncoder::categories() const {
    check_fitted();
    return categories_;
}
inline const std::vector<std::string>& OneHotEncoder::feature_names_in() const {
    check_fitted();
    return feature_names_in_;
}
inline std::size_t OneHotEncoder::n_features_in() const {
    check_fitted();
    return categories_.size();
}
inline std::size_t OneHotEncoder::n_features_out() const {
    check_fitted();
    return offsets_.back();
}
inline std::vector<std::string> OneHotEncoder::get_feature_names_out() const {
    check_fitted();
    std::vector<std::string> names;
    names.reserve(offsets_.back());
    for (std::size_t j = 0; j < categories_.size(); ++j)
        for (const auto& c : categories_[j]) names.push_back(feature_names_in_[j] + "_" + c);
    return names;
}

}  // namespace musiclab::preprocess
