#include <doctest/doctest.h>
#include <musiclab/core.hpp>

#include <atomic>
#include <vector>

TEST_CASE("parallelize covers every task once in contiguous deterministic ranges") {
    for (int workers : {1, 2, 3, 8}) {
        for (int tasks : {0, 1, 2, 7, 100}) {
            std::vector<int> owner(static_cast<std::size_t>(tasks), -1);
            musiclab::parallelize(workers, tasks, [&](int w, int start, int length) {
                for (int i = start; i < start + length; ++i) owner[static_cast<std::size_t>(i)] = w;
            });
            for (int i = 0; i < tasks; ++i) {
                CHECK(owner[static_cast<std::size_t>(i)] >= 0);
                if (i > 0) CHECK(owner[static_cast<std::size_t>(i)] >= owner[static_cast<std::size_t>(i - 1)]);
            }
        }
    }
}

TEST_CASE("parallelize rethrows the first worker exception") {
    CHECK_THROWS_AS(musiclab::parallelize(2, 10,
                                          [](int, int start, int) {
                                              if (start == 0) throw musiclab::error("boom");
                                          }),
                    musiclab::error);
}

TEST_CASE("resolve_threads rejects negative counts") {
    CHECK(musiclab::resolve_threads(0) >= 1);
    CHECK(musiclab::resolve_threads(3) == 3);
    CHECK_THROWS_AS(musiclab::resolve_threads(-1), musiclab::invalid_parameter);
}

TEST_CASE("Rng is deterministic and its helpers stay in range") {
    musiclab::Rng a(42), b(42), c(43);
    bool differs = false;
    for (int i = 0; i < 100; ++i) {
        const auto x = a(), y = b(), z = c();
        CHECK(x == y);
        differs = differs || (x != z);
    }
    CHECK(differs);
    musiclab::Rng r(7);
    double sum = 0.0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        const double u = r.uniform();
        CHECK(u >= 0.0);
        CHECK(u < 1.0);
        CHECK(r.below(10) < 10u);
        sum += r.normal();
    }
    // mean of n standard normals: |mean| < 5 / sqrt(n) with overwhelming probability (fixed seed)
    CHECK(std::abs(sum / n) < 5.0 / std::sqrt(static_cast<double>(n)));
}

TEST_CASE("error messages name what was wrong and where") {
    const musiclab::parse_error p("songs.csv", 12, 3, "unterminated quote");
    CHECK(std::string(p.what()) == "songs.csv:12:3: unterminated quote");
    CHECK(p.line() == 12);
    CHECK(p.column() == 3);
    const musiclab::invalid_parameter ip("min_df", 1.5, "[0, 1] or an integer count");
    CHECK(std::string(ip.what()) == "invalid parameter 'min_df' = 1.5 (allowed: [0, 1] or an integer count)");
    const musiclab::shape_mismatch sm("rows of y", 10, 9);
    CHECK(std::string(sm.what()) == "rows of y: expected 10, got 9");
    CHECK_THROWS_AS(throw musiclab::not_fitted("StandardScaler"), musiclab::error);
}
