// musiclab/core/simd.hpp — which vector instruction set the runtime-dispatched kernels may use.
//
// The library is compiled for baseline x86-64 (no -march); kernels that gain from wider vectors
// are compiled a second time with [[gnu::target(...)]] and chosen at run time from this level:
//   avx512: AVX-512 F, DQ, BW and VL plus AVX2 and FMA (Skylake-SP and later),
//   avx2:   AVX2 and FMA (Haswell and later),
//   scalar: the baseline build.
// The CPU's level is read once (__builtin_cpu_supports; other compilers and CPUs: scalar) and can
// be capped for the whole process by the environment variable MUSICLAB_SIMD = "scalar" | "avx2"
// (e.g. to compare levels, or to run on a machine that reports but throttles AVX-512), and by
// set_simd_cap (a test hook). Users of the level: nn's encoder kernels (KernelIsa::automatic),
// recommend::top_k's scan, HDBSCAN's high-dimensional scans.
// Thread safety: the CPU level is computed once (thread-safe static); set_simd_cap is an atomic
// store, not meant to race with running kernels.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

namespace musiclab::detail {

enum class SimdLevel : int { scalar = 0, avx2 = 1, avx512 = 2 };

inline std::atomic<int>& simd_cap_storage() noexcept {
    static std::atomic<int> cap{static_cast<int>(SimdLevel::avx512)};
    return cap;
}

/// Caps the level for the whole process (tests; not meant to race with running kernels).
inline void set_simd_cap(SimdLevel level) noexcept { simd_cap_storage().store(static_cast<int>(level)); }

/// What the CPU supports, capped by MUSICLAB_SIMD.
inline SimdLevel cpu_simd_level() noexcept {
    static const SimdLevel level = [] {
        int l = static_cast<int>(SimdLevel::scalar);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
        __builtin_cpu_init();
        const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                            __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
        l = static_cast<int>(avx512 ? SimdLevel::avx512 : avx2 ? SimdLevel::avx2 : SimdLevel::scalar);
#endif
        if (const char* env = std::getenv("MUSICLAB_SIMD")) {
            if (std::strcmp(env, "scalar") == 0) l = std::min(l, static_cast<int>(SimdLevel::scalar));
            if (std::strcmp(env, "avx2") == 0) l = std::min(l, static_cast<int>(SimdLevel::avx2));
        }
        return static_cast<SimdLevel>(l);
    }();
    return level;
}

/// The level kernels use now: cpu_simd_level() capped by set_simd_cap.
inline SimdLevel simd_level() noexcept {
    return static_cast<SimdLevel>(std::min(static_cast<int>(cpu_simd_level()), simd_cap_storage().load(std::memory_order_relaxed)));
}

}  // namespace musiclab::detail
