// musiclab::encode K-fold assignments for cross-fitting, reproducing scikit-learn 1.2's KFold and
// StratifiedKFold (shuffle=True, random_state=seed) fold for fold: the same rows land in the same
// test fold as in `for f, (train, test) in enumerate(KFold(K, shuffle=True, random_state=seed)
// .split(X))`.
//
// KFold shuffles numpy.random.RandomState(seed) over arange(n) (= preprocess::
// numpy_legacy_permutation(n, seed)) and cuts it into K consecutive folds, the first n % K of
// size n / K + 1. StratifiedKFold numbers the classes by first appearance, deals the sorted
// class labels round-robin to the folds to get per-fold class counts, and for each class in turn
// shuffles its fold labels with the same (continuing) RandomState.
//
// Thread safety: pure functions.
#pragma once

#include "../core/error.hpp"
#include "../metrics/detail/text.hpp"
#include "../preprocess/split.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace musiclab::encode {

/// Test fold (0..n_folds-1) of each of n rows, as sklearn KFold(n_folds, shuffle, random_state).
/// Needs 2 <= n_folds <= n (invalid_parameter naming n_folds). O(n).
std::vector<std::uint32_t> kfold_assignment(std::size_t n, int n_folds, bool shuffle = true, std::uint32_t random_state = 0);

/// Test fold of each row, as sklearn StratifiedKFold(n_folds, shuffle, random_state) on class
/// labels `y` (any values compared exactly; NaN is rejected). Needs 2 <= n_folds <= n and
/// n_folds <= the size of at least one class (sklearn's rule). O(n log n).
std::vector<std::uint32_t> stratified_kfold_assignment(std::span<const double> y, int n_folds, bool shuffle = true,
                                                       std::uint32_t random_state = 0);

}  // namespace musiclab::encode

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::detail {

inline void check_n_folds(std::size_t n, int n_folds) {
    if (n_folds < 2 || static_cast<std::size_t>(n_folds) > n)
        throw invalid_parameter("n_folds", n_folds, detail::text_concat("2 <= n_folds <= number of rows = ", n));
}

/// numpy RandomState.shuffle of a 1-d array: Fisher-Yates from the end with random_interval.
template <class T>
void numpy_legacy_shuffle(std::vector<T>& v, std::mt19937& mt) {
    for (std::size_t i = v.size(); i-- > 1;) {
        const auto j = static_cast<std::size_t>(numpy_random_interval(mt, i));
        std::swap(v[i], v[j]);
    }
}

}  // namespace musiclab::detail

namespace musiclab::encode {

inline std::vector<std::uint32_t> kfold_assignment(std::size_t n, int n_folds, bool shuffle, std::uint32_t random_state) {
    detail::check_n_folds(n, n_folds);
    std::vector<std::size_t> order;
    if (shuffle) {
        order = preprocess::numpy_legacy_permutation(n, random_state);
    } else {
        order.resize(n);
        for (std::size_t i = 0; i < n; ++i) order[i] = i;
    }
    const auto k = static_cast<std::size_t>(n_folds);
    std::vector<std::uint32_t> fold(n);
    std::size_t pos = 0;
    for (std::size_t f = 0; f < k; ++f) {
        const std::size_t size = n / k + (f < n % k ? 1 : 0);
        for (std::size_t i = 0; i < size; ++i) fold[order[pos++]] = static_cast<std::uint32_t>(f);
    }
    return fold;
}

inline std::vector<std::uint32_t> stratified_kfold_assignment(std::span<const double> y, int n_folds, bool shuffle,
                                                              std::uint32_t random_state) {
    const std::size_t n = y.size();
    detail::check_n_folds(n, n_folds);
    const auto k = static_cast<std::size_t>(n_folds);
    // Classes numbered by first appearance (sklearn: np.unique + argsort of first indices).
    std::unordered_map<double, std::uint32_t> class_of;
    std::vector<std::uint32_t> encoded(n);
    std::vector<std::size_t> class_size;
    for (std::size_t i = 0; i < n; ++i) {
        if (y[i] != y[i]) throw invalid_parameter("y", detail::text_concat("NaN at row ", i), "class labels without NaN");
        const double key = y[i] == 0.0 ? 0.0 : y[i];  // -0.0 and 0.0 are one class
        const auto [it, inserted] = class_of.emplace(key, static_cast<std::uint32_t>(class_size.size()));
        if (inserted) class_size.push_back(0);
        encoded[i] = it->second;
        ++class_size[it->second];
    }
    const std::size_t n_classes = class_size.size();
    if (std::all_of(class_size.begin(), class_size.end(), [&](std::size_t c) { return c < k; }))
        throw invalid_parameter("n_folds", n_folds, "at most the number of members of the largest class (stratified folds)");
    // allocation[f][c] = count of class c among sorted labels at positions f, f + K, f + 2K, ...
    std::vector<std::size_t> allocation(k * n_classes, 0);
    std::size_t pos = 0;
    for (std::size_t c = 0; c < n_classes; ++c)
        for (std::size_t i = 0; i < class_size[c]; ++i, ++pos) ++allocation[(pos % k) * n_classes + c];
    std::mt19937 mt(random_state);
    std::vector<std::uint32_t> fold(n);
    std::vector<std::uint32_t> folds_for_class;
    for (std::size_t c = 0; c < n_classes; ++c) {
        folds_for_class.clear();
        for (std::size_t f = 0; f < k; ++f)
            folds_for_class.insert(folds_for_class.end(), allocation[f * n_classes + c], static_cast<std::uint32_t>(f));
        if (shuffle) detail::numpy_legacy_shuffle(folds_for_class, mt);
        std::size_t next = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (encoded[i] == c) fold[i] = folds_for_class[next++];
    }
    return fold;
}

}  // namespace musiclab::encode
