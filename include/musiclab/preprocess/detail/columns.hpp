// musiclab::preprocess — what a "string column" is, shared by the one-hot encoder, the feature
// hasher and the date helpers. Internal helpers live in musiclab::detail.
#pragma once

#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <type_traits>

namespace musiclab::preprocess {

/// A random-access column of text cells: `c.size()` rows and `c[i]` convertible to
/// std::string_view (std::vector<std::string>, std::vector<std::string_view>,
/// musiclab::io::TextColumn, ...). A std::string is not a column (its cells are chars).
template <class C>
concept StringColumn = requires(const C& c, std::size_t i) {
    { c.size() } -> std::convertible_to<std::size_t>;
    { c[i] } -> std::convertible_to<std::string_view>;
};

}  // namespace musiclab::preprocess

namespace musiclab::detail {

template <class T>
struct is_reference_wrapper : std::false_type {};
template <class T>
struct is_reference_wrapper<std::reference_wrapper<T>> : std::true_type {};

/// A column given by value, by pointer or through std::reference_wrapper, as a const reference.
template <class T>
const auto& unwrap_column(const T& c) {
    if constexpr (std::is_pointer_v<T>) {
        return *c;
    } else if constexpr (is_reference_wrapper<T>::value) {
        return c.get();
    } else {
        return c;
    }
}

template <class T>
using unwrapped_column_t = std::remove_cvref_t<decltype(unwrap_column(std::declval<const T&>()))>;

}  // namespace musiclab::detail

namespace musiclab::preprocess {

/// A random-access collection of string columns: `cs.size()` columns, `cs[j]` a StringColumn,
/// a pointer to one, or a std::reference_wrapper of one (e.g. std::vector<std::vector<std::string>>,
/// std::vector<const io::TextColumn*>). Columns may differ in type only through such wrappers.
template <class Cs>
concept StringColumns = requires(const Cs& cs, std::size_t j) {
    { cs.size() } -> std::convertible_to<std::size_t>;
    cs[j];
} && StringColumn<musiclab::detail::unwrapped_column_t<std::remove_cvref_t<decltype(std::declval<const Cs&>()[0])>>>;

}  // namespace musiclab::preprocess
