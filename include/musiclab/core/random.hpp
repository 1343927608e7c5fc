// Deterministic, platform-independent random numbers. std::*_distribution differ between standard
// libraries, so musiclab draws everything from this generator: the same seed gives the same
// stream on every compiler and machine. Not thread-safe: give each thread its own Rng (see split()).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

namespace musiclab {

namespace detail {
__extension__ typedef unsigned __int128 uint128;
}  // namespace detail

/// xoshiro256** (Blackman & Vigna 2018) seeded through splitmix64. Satisfies
/// std::uniform_random_bit_generator. Period 2^256 - 1; every call O(1).
class Rng {
public:
    using result_type = std::uint64_t;

    explicit Rng(std::uint64_t seed = 0) noexcept {
        std::uint64_t x = seed;
        for (auto& s : state_) s = splitmix64(x);
    }

    static constexpr result_type min() noexcept { return 0; }
    static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

    result_type operator()() noexcept {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    /// Uniform double in [0, 1) with 53 random bits.
    double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

    /// Uniform double in [lo, hi).
    double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }

    /// Unbiased uniform integer in [0, n) (Lemire's multiply-and-reject); n must be > 0.
    std::uint64_t below(std::uint64_t n) noexcept {
        detail::uint128 m = static_cast<detail::uint128>((*this)()) * n;
        auto low = static_cast<std::uint64_t>(m);
        if (low < n) {
            const std::uint64_t threshold = (0 - n) % n;
            while (low < threshold) {
                m = static_cast<detail::uint128>((*this)()) * n;
                low = static_cast<std::uint64_t>(m);
            }
        }
        return static_cast<std::uint64_t>(m >> 64);
    }

    /// Standard normal deviate (Box-Muller; one draw per call, no cached state).
    double normal() noexcept {
        double u1 = uniform();
        while (u1 <= 0.0) u1 = uniform();
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }

    double normal(double mean, double sd) noexcept { return mean + sd * normal(); }

    /// An independent generator derived from this one's seed stream (for per-thread or
    /// per-component streams): deterministic given the call order.
    Rng split() noexcept { return Rng((*this)()); }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    static std::uint64_t splitmix64(std::uint64_t& x) noexcept {
        std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::uint64_t state_[4];
};

}  // namespace musiclab
