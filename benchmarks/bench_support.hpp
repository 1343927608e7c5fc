// Shared by the benchmarks: where generated input files live and how they are written once.
#pragma once

#include <musiclab/io/csv.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

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

/// The 114,000 Spotify texts "track_name artists track_genre" (joined by one space; a missing
/// cell reads as ""), as ../shared/peers' tfidf and svd cases build them.
inline std::vector<std::string> read_spotify_texts() {
    musiclab::io::CsvOptions o;
    o.types = {{"track_name", musiclab::io::ColumnType::text},
               {"artists", musiclab::io::ColumnType::text},
               {"track_genre", musiclab::io::ColumnType::text}};
    const auto table = musiclab::io::read_csv(std::filesystem::path(MUSICLAB_SHARED_DIR) / "data/spotify_tracks_114k/spotify_tracks.csv", o);
    const auto& a = table.text("track_name");
    const auto& b = table.text("artists");
    const auto& c = table.text("track_genre");
    std::vector<std::string> out;
    out.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::string s(a[i]);
        s += ' ';
        s.append(b[i]);
        s += ' ';
        s.append(c[i]);
        out.push_back(std::move(s));
    }
    return out;
}

/// read_spotify_texts(), read once.
inline const std::vector<std::string>& spotify_texts() {
    static const std::vector<std::string> texts = read_spotify_texts();
    return texts;
}

}  // namespace musiclab::bench
