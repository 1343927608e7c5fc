// musiclab::detail summation kernels shared by the metrics: numpy's pairwise summation (what
// numpy.sum / numpy.mean do on a contiguous float64 array, so sklearn's metrics can be matched
// bit for bit) and an exactly rounded sum (what Python's math.fsum returns).
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

namespace musiclab::detail {

/// numpy's pairwise sum of a[0..n): blocks of at most 128 values are summed with 8 interleaved
/// accumulators, larger ranges are split in two (the first half a multiple of 8 long). Rounding
/// error O(log n * eps) instead of O(n * eps). `value(i)` gives the i-th addend.
template <class Value>
double numpy_pairwise_sum(const Value& value, std::size_t begin, std::size_t n) {
    if (n < 8) {
        double s = 0.0;
        for (std::size_t i = 0; i < n; ++i) s += value(begin + i);
        return s;
    }
    if (n <= 128) {
        double r[8];
        for (std::size_t j = 0; j < 8; ++j) r[j] = value(begin + j);
        std::size_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (std::size_t j = 0; j < 8; ++j) r[j] += value(begin + i + j);
        double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) s += value(begin + i);
        return s;
    }
    std::size_t half = n / 2;
    half -= half % 8;
    return numpy_pairwise_sum(value, begin, half) + numpy_pairwise_sum(value, begin + half, n - half);
}

/// The correctly rounded sum of finite values, as Python's math.fsum: Shewchuk's non-overlapping
/// partials, then a round-half-even correction of the last step. O(n) expected.
class ExactSum {
public:
    void add(double x) {
        std::size_t used = 0;
        for (double y : partials_) {
            if (std::fabs(x) < std::fabs(y)) std::swap(x, y);
            const double hi = x + y;
            const double lo = y - (hi - x);
            if (lo != 0.0) partials_[used++] = lo;
            x = hi;
        }
        partials_.resize(used);
        partials_.push_back(x);
    }

    double value() const {
        std::size_t n = partials_.size();
        if (n == 0) return 0.0;
        double hi = partials_[--n];
        double lo = 0.0;
        while (n > 0) {
            const double x = hi;
            const double y = partials_[--n];
            hi = x + y;
            lo = y - (hi - x);
            if (lo != 0.0) break;
        }
        // hi + lo is exact; if the partials below push lo beyond half an ulp, round away.
        if (n > 0 && ((lo < 0.0 && partials_[n - 1] < 0.0) || (lo > 0.0 && partials_[n - 1] > 0.0))) {
            const double y = lo * 2.0;
            const double x = hi + y;
            if (y == x - hi) hi = x;
        }
        return hi;
    }

private:
    std::vector<double> partials_;
};

}  // namespace musiclab::detail
