// musiclab::io::Table — an in-memory column table: numeric columns (double with a missing mask)
// and text columns (UTF-8, stored in one contiguous byte arena, not one std::string per cell).
// Built by read_csv() or column by column; immutable once shared. Thread safety: const member
// functions may be called concurrently.
#pragma once

#include "../core/error.hpp"

#include <Eigen/Core>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

namespace musiclab::io {

/// A column of doubles. Missing cells are NaN (as in pandas): a NaN read from the input ("nan")
/// is missing too, so is_missing(i) is exactly std::isnan((*this)[i]).
class NumericColumn {
public:
    NumericColumn() = default;
    /// From values; cells where `missing[i] != 0` become missing (`missing` may be empty).
    explicit NumericColumn(std::vector<double> values, const std::vector<std::uint8_t>& missing = {})
        : values_(std::move(values)) {
        if (!missing.empty() && missing.size() != values_.size())
            throw shape_mismatch("NumericColumn missing mask length", values_.size(), missing.size());
        for (std::size_t i = 0; i < missing.size(); ++i)
            if (missing[i]) values_[i] = std::numeric_limits<double>::quiet_NaN();
    }

    std::size_t size() const noexcept { return values_.size(); }
    /// The value of row i (NaN when missing). O(1); no bounds check (use at() for one).
    double operator[](std::size_t i) const noexcept { return values_[i]; }
    double at(std::size_t i) const {
        if (i >= values_.size()) throw invalid_parameter("row", i, "< " + std::to_string(values_.size()));
        return values_[i];
    }
    bool is_missing(std::size_t i) const noexcept { return std::isnan(values_[i]); }
    std::size_t missing_count() const noexcept {
        std::size_t n = 0;
        for (double v : values_) n += std::isnan(v);
        return n;
    }
    /// The missing mask: 1 where the cell is missing. O(rows).
    std::vector<std::uint8_t> missing_mask() const {
        std::vector<std::uint8_t> m(values_.size());
        for (std::size_t i = 0; i < values_.size(); ++i) m[i] = std::isnan(values_[i]);
        return m;
    }
    /// All values, NaN where missing.
    std::span<const double> values() const noexcept { return values_; }

    void push_back(double v) { values_.push_back(v); }
    void push_missing() { values_.push_back(std::numeric_limits<double>::quiet_NaN()); }
    void reserve(std::size_t n) { values_.reserve(n); }

private:
    std::vector<double> values_;
};

/// A column of UTF-8 strings in one byte arena. A missing cell (an empty unquoted CSV field) reads
/// as "" and is flagged; a present empty string (`""` in CSV) is not missing.
class TextColumn {
public:
    TextColumn() { ends_.push_back(0); }
    /// From strings (none missing).
    explicit TextColumn(const std::vector<std::string>& values) : TextColumn() {
        for (const auto& v : values) push_back(v);
    }

    std::size_t size() const noexcept { return missing_.size(); }
    /// The text of row i ("" when missing). O(1); the view lives as long as the column.
    std::string_view operator[](std::size_t i) const noexcept {
        return std::string_view(bytes_.data() + ends_[i], ends_[i + 1] - ends_[i]);
    }
    std::string_view at(std::size_t i) const {
        if (i >= size()) throw invalid_parameter("row", i, "< " + std::to_string(size()));
        return (*this)[i];
    }
    bool is_missing(std::size_t i) const noexcept { return missing_[i] != 0; }
    std::size_t missing_count() const noexcept {
        std::size_t n = 0;
        for (auto m : missing_) n += m != 0;
        return n;
    }
    /// Bytes held by the arena (all cells together).
    std::size_t bytes() const noexcept { return bytes_.size(); }

    void push_back(std::string_view v) {
        bytes_.append(v);
        ends_.push_back(bytes_.size());
        missing_.push_back(0);
    }
    void push_missing() {
        ends_.push_back(bytes_.size());
        missing_.push_back(1);
    }
    void reserve(std::size_t rows, std::size_t bytes) {
        ends_.reserve(rows + 1);
        missing_.reserve(rows);
        bytes_.reserve(bytes);
    }

private:
    std::string bytes_;
    std::vector<std::size_t> ends_;  // ends_[i]..ends_[i+1] are the bytes of row i
    std::vector<std::uint8_t> missing_;
};

enum class ColumnKind { numeric, text };

/// Named columns of equal length.
class Table {
public:
    using Column = std::variant<NumericColumn, TextColumn>;

    Table() = default;

    std::size_t rows() const noexcept { return rows_; }
    std::size_t cols() const noexcept { return columns_.size(); }
    /// Column names in order.
    const std::vector<std::string>& names() const noexcept { return names_; }
    bool contains(std::string_view name) const noexcept { return find(name) != npos; }
    ColumnKind kind(std::string_view name) const {
        return std::holds_alternative<NumericColumn>(columns_[index(name)]) ? ColumnKind::numeric : ColumnKind::text;
    }

    /// The numeric column `name`; throws unknown_name if absent, error if it is a text column.
    const NumericColumn& numeric(std::string_view name) const {
        const auto& c = columns_[index(name)];
        if (auto p = std::get_if<NumericColumn>(&c)) return *p;
        throw error("column '" + std::string(name) + "' is text, not numeric" + where());
    }
    /// The text column `name`; throws unknown_name if absent, error if it is a numeric column.
    const TextColumn& text(std::string_view name) const {
        const auto& c = columns_[index(name)];
        if (auto p = std::get_if<TextColumn>(&c)) return *p;
        throw error("column '" + std::string(name) + "' is numeric, not text" + where());
    }
    const Column& column(std::size_t i) const { return columns_.at(i); }

    /// Appends a column; its length must equal rows() (unless the table is empty) and its name
    /// must be new.
    void add(std::string name, Column column) {
        const std::size_t n = std::visit([](const auto& c) { return c.size(); }, column);
        if (!columns_.empty() && n != rows_) throw shape_mismatch("rows of column '" + name + "'", rows_, n);
        if (contains(name)) throw invalid_parameter("column name", "'" + name + "'", "a name not already in the table");
        rows_ = n;
        names_.push_back(std::move(name));
        columns_.push_back(std::move(column));
    }

    /// Rows x names.size() matrix of the named numeric columns (NaN where missing). O(rows * cols).
    Eigen::MatrixXd matrix(std::span<const std::string> names) const {
        Eigen::MatrixXd m(static_cast<Eigen::Index>(rows_), static_cast<Eigen::Index>(names.size()));
        for (std::size_t j = 0; j < names.size(); ++j) {
            const auto values = numeric(names[j]).values();
            for (std::size_t i = 0; i < rows_; ++i) m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = values[i];
        }
        return m;
    }
    Eigen::MatrixXd matrix(std::initializer_list<std::string> names) const {
        return matrix(std::span<const std::string>(names.begin(), names.size()));
    }

    /// A new table with the given rows (in that order, repeats allowed) of every column.
    Table take(std::span<const std::size_t> rows) const {
        Table out;
        out.source_ = source_;
        for (std::size_t j = 0; j < columns_.size(); ++j) {
            std::visit(
                [&](const auto& c) {
                    using C = std::decay_t<decltype(c)>;
                    C copy;
                    for (auto r : rows) {
                        if (r >= rows_) throw invalid_parameter("row index", r, "< " + std::to_string(rows_));
                        if (c.is_missing(r)) copy.push_missing();
                        else copy.push_back(c[r]);
                    }
                    out.add(names_[j], std::move(copy));
                },
                columns_[j]);
        }
        return out;
    }

    /// The rows holding the first occurrence of each value of column `name`, in order (pandas'
    /// ~duplicated(subset=[name], keep="first")). Missing cells count as one value, as in pandas;
    /// numbers compare by value (0.0 == -0.0). O(rows) expected (hashing).
    std::vector<std::size_t> first_rows_by(std::string_view name) const {
        std::vector<std::size_t> first;
        bool seen_missing = false;
        const auto keep = [&](std::size_t r, bool missing, bool inserted) {
            if (missing ? !std::exchange(seen_missing, true) : inserted) first.push_back(r);
        };
        std::visit(
            [&](const auto& c) {
                using C = std::decay_t<decltype(c)>;
                if constexpr (std::is_same_v<C, TextColumn>) {
                    std::unordered_set<std::string_view> seen;
                    for (std::size_t r = 0; r < rows_; ++r) keep(r, c.is_missing(r), !c.is_missing(r) && seen.insert(c[r]).second);
                } else {
                    std::unordered_set<double> seen;
                    for (std::size_t r = 0; r < rows_; ++r) keep(r, c.is_missing(r), !c.is_missing(r) && seen.insert(c[r] + 0.0).second);
                }
            },
            columns_[index(name)]);
        return first;
    }

    /// A new table without the rows that repeat an earlier row's value of column `name` (pandas'
    /// drop_duplicates(subset=[name], keep="first")), e.g. one row per track_id.
    Table drop_duplicates(std::string_view name) const { return take(first_rows_by(name)); }

    /// Where the table came from (a file path), for messages; may be empty.
    const std::string& source() const noexcept { return source_; }
    void set_source(std::string source) { source_ = std::move(source); }

    /// Index of column `name`; throws unknown_name listing the available columns.
    std::size_t index(std::string_view name) const {
        const auto i = find(name);
        if (i == npos) {
            std::string available;
            for (const auto& n : names_) available += (available.empty() ? "" : ", ") + n;
            throw unknown_name("column", std::string(name), (source_.empty() ? "table" : source_) + " (columns: " + available + ")");
        }
        return i;
    }

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    std::size_t find(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < names_.size(); ++i)
            if (names_[i] == name) return i;
        return npos;
    }
    std::string where() const { return source_.empty() ? "" : " in " + source_; }

    std::size_t rows_ = 0;
    std::vector<std::string> names_;
    std::vector<Column> columns_;
    std::string source_;
};

}  // namespace musiclab::io
