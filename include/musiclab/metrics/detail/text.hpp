// musiclab::detail::text_concat — builds error messages by appending, never by `"literal" + std::string`
// (GCC 12 reports a false -Wrestrict for that at -O3).
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

namespace musiclab::detail {

/// Concatenates strings, string views, C strings and numbers (std::to_string) into one string.
template <class... Parts>
std::string text_concat(const Parts&... parts) {
    std::string out;
    const auto add = [&out](const auto& part) {
        using T = std::decay_t<decltype(part)>;
        if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, char>) {
            out.append(std::to_string(part));
        } else {
            out.append(std::string_view(part));
        }
    };
    (add(parts), ...);
    return out;
}

}  // namespace musiclab::detail
