// Shared by the benchmarks: where generated input files live and how they are written once.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace musiclab::bench {

/// Folder of generated benchmark inputs: $MUSICLAB_BENCH_DIR, else /tmp. The peer scripts in
/// benchmarks/peers read the same files from there.
inline std::filesystem::path bench_dir() {
    const char* d = std::getenv("MUSICLAB_BENCH_DIR");
    return d ? d : "/tmp";
}

/// bench_dir()/name, written by write(FILE*) the first time only. It goes through a temporary
/// file and a rename, so an interrupted run never leaves a partial input behind.
template <class Write>
std::filesystem::path generated_file(const std::string& name, Write&& write) {
    const auto path = bench_dir() / name;
    if (std::filesystem::exists(path)) return path;
    const auto tmp = path.string() + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot write " + tmp);
    write(f);
    if (std::fclose(f) != 0) throw std::runtime_error("cannot write " + tmp);
    std::filesystem::rename(tmp, path);
    return path;
}

}  // namespace musiclab::bench
