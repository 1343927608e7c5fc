// musiclab error types. Every public API validates its input and throws one of these; nothing
// reports failure by returning garbage. All derive from musiclab::error (a std::runtime_error),
// so `catch (const musiclab::error&)` catches everything musiclab throws on bad input.
#pragma once

#include <cstddef>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <string>
#include <utility>

namespace musiclab {

/// Base of every exception musiclab throws for bad input or misuse.
class error : public std::runtime_error {
public:
    explicit error(const std::string& what) : std::runtime_error(what) {}
};

/// Malformed input text (CSV, dates, model files): names the source (file path or "<string>"),
/// the 1-based line and the 1-based column (field number for tables, byte for plain text;
/// 0 when not applicable) and what was expected.
class parse_error : public error {
public:
    parse_error(std::string source, std::size_t line, std::size_t column, std::string message)
        : error(format(source, line, column, message)), source_(std::move(source)), line_(line),
          column_(column), message_(std::move(message)) {}

    const std::string& source() const noexcept { return source_; }
    std::size_t line() const noexcept { return line_; }
    std::size_t column() const noexcept { return column_; }
    /// The description without the location prefix.
    const std::string& message() const noexcept { return message_; }

private:
    static std::string format(const std::string& source, std::size_t line, std::size_t column,
                              const std::string& message) {
        std::ostringstream s;
        s << (source.empty() ? "<input>" : source);
        if (line > 0) s << ':' << line;
        if (column > 0) s << ':' << column;
        s << ": " << message;
        return s.str();
    }
    std::string source_;
    std::size_t line_;
    std::size_t column_;
    std::string message_;
};

/// A file could not be opened or read (the OS reason is in the message).
class io_error : public error {
public:
    io_error(std::string path, const std::string& reason)
        : error(path + ": " + reason), path_(std::move(path)) {}
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

/// A parameter outside its allowed range: names the parameter, the value given and what is allowed.
class invalid_parameter : public error {
public:
    invalid_parameter(std::string name, std::string value, std::string allowed)
        : error("invalid parameter '" + name + "' = " + value + " (allowed: " + allowed + ")"),
          name_(std::move(name)), value_(std::move(value)), allowed_(std::move(allowed)) {}

    template <class T>
        requires(!std::is_convertible_v<T, std::string>)
    invalid_parameter(std::string name, const T& value, std::string allowed)
        : invalid_parameter(std::move(name), to_text(value), std::move(allowed)) {}

    const std::string& name() const noexcept { return name_; }
    const std::string& value() const noexcept { return value_; }
    const std::string& allowed() const noexcept { return allowed_; }

private:
    template <class T>
    static std::string to_text(const T& v) {
        std::ostringstream s;
        s.precision(17);
        s << v;
        return s.str();
    }
    std::string name_;
    std::string value_;
    std::string allowed_;
};

/// Inputs whose dimensions do not agree (e.g. X has 10 rows, y has 9): names what and both sizes.
class shape_mismatch : public error {
public:
    shape_mismatch(const std::string& what, std::size_t expected, std::size_t got)
        : error(what + ": expected " + std::to_string(expected) + ", got " + std::to_string(got)),
          expected_(expected), got_(got) {}
    std::size_t expected() const noexcept { return expected_; }
    std::size_t got() const noexcept { return got_; }

private:
    std::size_t expected_;
    std::size_t got_;
};

/// A model was used (transform, predict, save) before fit.
class not_fitted : public error {
public:
    explicit not_fitted(const std::string& what) : error(what + " is not fitted: call fit() first") {}
};

/// A name (column, category, feature) that does not exist where it was looked up.
class unknown_name : public error {
public:
    unknown_name(const std::string& kind, std::string name, const std::string& where)
        : error("unknown " + kind + " '" + name + "'" + (where.empty() ? "" : " in " + where)),
          name_(std::move(name)) {}
    const std::string& name() const noexcept { return name_; }

private:
    std::string name_;
};

}  // namespace musiclab
