// musiclab's one parallel primitive. parallelize(num_workers, num_tasks, fn) splits [0, num_tasks)
// into contiguous, deterministic ranges (worker w gets the w-th range; sizes differ by at most 1)
// and calls fn(worker, start, length) once per non-empty range, concurrently (OpenMP). The first
// exception thrown by any worker is rethrown in the caller after all workers finished.
// Thread safety: fn must be safe to call concurrently for disjoint ranges.
#pragma once

#include "error.hpp"

#include <algorithm>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace musiclab {

/// Number of hardware threads (at least 1); what `num_threads = 0` ("all") resolves to.
inline int hardware_threads() noexcept {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

/// Resolves an Options::num_threads value: 0 means all hardware threads, negative is an error.
inline int resolve_threads(int num_threads, const char* parameter = "num_threads") {
    if (num_threads < 0) throw invalid_parameter(parameter, num_threads, ">= 0 (0 = all hardware threads)");
    return num_threads == 0 ? hardware_threads() : num_threads;
}

/// Runs fn(worker, start, length) over a contiguous split of [0, num_tasks) into at most
/// num_workers ranges. With num_workers <= 1 (or one task) it runs inline on the calling thread.
template <class Index, class Function>
void parallelize(int num_workers, Index num_tasks, Function&& fn) {
    if (num_tasks <= 0) return;
    const Index workers = std::max<Index>(1, std::min<Index>(static_cast<Index>(std::max(num_workers, 1)), num_tasks));
    const Index base = num_tasks / workers;
    const Index extra = num_tasks % workers;
    auto range_of = [&](Index w, Index& start, Index& length) {
        start = w * base + std::min(w, extra);
        length = base + (w < extra ? 1 : 0);
    };
    if (workers == 1) {
        fn(0, Index{0}, num_tasks);
        return;
    }
    std::exception_ptr first_error;
    std::mutex error_mutex;
    auto run = [&](Index w) {
        try {
            Index start = 0, length = 0;
            range_of(w, start, length);
            if (length > 0) fn(static_cast<int>(w), start, length);
        } catch (...) {
            std::lock_guard<std::mutex> lock(error_mutex);
            if (!first_error) first_error = std::current_exception();
        }
    };
#ifdef _OPENMP
#pragma omp parallel for num_threads(static_cast<int>(workers)) schedule(static, 1)
    for (Index w = 0; w < workers; ++w) run(w);
#else
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(workers - 1));
    for (Index w = 1; w < workers; ++w) threads.emplace_back(run, w);
    run(0);
    for (auto& t : threads) t.join();
#endif
    if (first_error) std::rethrow_exception(first_error);
}

}  // namespace musiclab
