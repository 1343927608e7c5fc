// What every example program shares: a small declarative command line (flags with a value, a
// generated --help, errors as musiclab::invalid_parameter naming the flag), progress lines with
// elapsed time, and the main() wrapper that turns exceptions into a message and an exit code.
// Not part of the library: glue for the programs in examples/.
#pragma once

#include <musiclab/core/error.hpp>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace examples {

/// A command line of `--flag VALUE` options. Register the options (each binds a variable), then
/// parse(); `--help` / `-h` prints the generated usage and exits 0.
class Cli {
public:
    /// `program`: the name in the usage line; `about`: what the program does (printed under it).
    Cli(std::string program, std::string about) : program_(std::move(program)), about_(std::move(about)) {}

    /// A text value.
    Cli& text(std::string flag, std::string& target, std::string meta, std::string help) {
        return add(std::move(flag), std::move(meta), std::move(help), [&target](std::string_view, std::string_view v) { target = v; });
    }
    /// A path.
    Cli& path(std::string flag, std::filesystem::path& target, std::string meta, std::string help) {
        return add(std::move(flag), std::move(meta), std::move(help), [&target](std::string_view, std::string_view v) { target = v; });
    }
    /// An optional path (unset unless given).
    Cli& path(std::string flag, std::optional<std::filesystem::path>& target, std::string meta, std::string help) {
        return add(std::move(flag), std::move(meta), std::move(help), [&target](std::string_view, std::string_view v) { target = v; });
    }
    /// An integer in [min, max].
    template <class Int>
    Cli& integer(std::string flag, Int& target, std::string meta, std::string help, long long min = 0,
                 long long max = (1LL << 53)) {
        return add(std::move(flag), std::move(meta), std::move(help), [&target, min, max](std::string_view f, std::string_view v) {
            long long x = 0;
            const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
            if (r.ec != std::errc() || r.ptr != v.data() + v.size() || x < min || x > max)
                throw musiclab::invalid_parameter(std::string(f), std::string(v),
                                                  "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
            target = static_cast<Int>(x);
        });
    }
    /// A real number in [min, max].
    Cli& real(std::string flag, double& target, std::string meta, std::string help, double min, double max) {
        return add(std::move(flag), std::move(meta), std::move(help), [&target, min, max](std::string_view f, std::string_view v) {
            double x = 0;
            const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
            if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !(x >= min && x <= max))
                throw musiclab::invalid_parameter(std::string(f), std::string(v),
                                                  "a number in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
            target = x;
        });
    }

    /// Parses argv; throws invalid_parameter on an unknown flag, a missing or malformed value.
    void parse(int argc, char** argv) const {
        for (int i = 1; i < argc; ++i) {
            const std::string_view flag = argv[i];
            if (flag == "--help" || flag == "-h") {
                std::fputs(usage().c_str(), stdout);
                std::exit(0);
            }
            const Option* o = find(flag);
            if (!o) throw musiclab::invalid_parameter("argument", std::string(flag), "one of " + flag_list());
            if (i + 1 >= argc) throw musiclab::invalid_parameter(std::string(flag), "nothing", "a value " + o->meta + " after the flag");
            o->set(flag, argv[++i]);
        }
    }

    /// The generated --help text.
    std::string usage() const {
        std::string s = "usage: " + program_ + " [options]\n\n" + about_ + "\n\noptions:\n";
        std::size_t width = 6;
        for (const auto& o : options_) width = std::max(width, o.flag.size() + 1 + o.meta.size());
        auto line = [&](const std::string& left, const std::string& help) {
            std::string l = "  " + left;
            l.resize(width + 4, ' ');
            // continuation lines of the help text are indented under its first line
            std::string body;
            for (char c : help) {
                body += c;
                if (c == '\n') body.append(width + 4, ' ');
            }
            s += l + body + "\n";
        };
        for (const auto& o : options_) line(o.flag + " " + o.meta, o.help);
        line("--help", "this text");
        return s;
    }

private:
    struct Option {
        std::string flag, meta, help;
        std::function<void(std::string_view, std::string_view)> set;
    };

    Cli& add(std::string flag, std::string meta, std::string help, std::function<void(std::string_view, std::string_view)> set) {
        options_.push_back(Option{std::move(flag), std::move(meta), std::move(help), std::move(set)});
        return *this;
    }
    const Option* find(std::string_view flag) const {
        for (const auto& o : options_)
            if (o.flag == flag) return &o;
        return nullptr;
    }
    std::string flag_list() const {
        std::string s;
        for (const auto& o : options_) (s += o.flag) += ' ';
        return s + "--help";
    }

    std::string program_, about_;
    std::vector<Option> options_;
};

/// Prints "[  1.23 s] message" lines: a program's progress with the elapsed time.
class Progress {
public:
    template <class... T>
    void step(const char* format, T... values) const {
        std::printf("[%7.2f s] ", seconds());
        std::printf(format, values...);
        std::printf("\n");
        std::fflush(stdout);
    }
    double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

/// main()'s body: runs `body`, and on an exception prints "program: error: ..." to stderr and
/// returns 1 (a musiclab error: bad input or arguments) or 2 (anything else).
inline int guarded_main(const char* program, const std::function<int()>& body) {
    try {
        return body();
    } catch (const musiclab::error& e) {
        std::fprintf(stderr, "%s: error: %s\n", program, e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: unexpected error: %s\n", program, e.what());
        return 2;
    }
}

/// A CSV field: quoted (with doubled quotes) when it holds a comma, quote or line break.
inline std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out += '"';
}

}  // namespace examples
