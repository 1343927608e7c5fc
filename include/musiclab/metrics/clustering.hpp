// musiclab::metrics clustering agreement: the adjusted Rand index, as scikit-learn 1.2's
// sklearn.metrics.adjusted_rand_score.
//
// Thread safety: pure functions; safe to call concurrently.
#pragma once

#include "../core/error.hpp"
#include "detail/text.hpp"

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace musiclab::metrics {

/// A random-access sequence of cluster labels: `l.size()` and `l[i]` of a totally ordered type
/// (int, std::int64_t, std::string, ...). Label values are names only: -1 is an ordinary label.
template <class L>
concept LabelSequence = requires(const L& l, std::size_t i) {
    { l.size() } -> std::convertible_to<std::size_t>;
    l[i];
} && std::totally_ordered<std::remove_cvref_t<decltype(std::declval<const L&>()[0])>>;

/// The pair confusion matrix of two labelings (sklearn.metrics.cluster.pair_confusion_matrix):
/// counts of ordered pairs (i, j), i != j, by whether they share a cluster in each labeling.
struct PairConfusion {
    std::int64_t tn = 0;  ///< different clusters in both
    std::int64_t fp = 0;  ///< same cluster in labels_pred only
    std::int64_t fn = 0;  ///< same cluster in labels_true only
    std::int64_t tp = 0;  ///< same cluster in both
};

/// Pair confusion matrix from the contingency table in exact integers. O(n log n) time, O(n)
/// memory. Throws invalid_parameter (empty input, n > 2^31), shape_mismatch (lengths differ).
template <LabelSequence LabelsTrue, LabelSequence LabelsPred>
PairConfusion pair_confusion_matrix(const LabelsTrue& labels_true, const LabelsPred& labels_pred);

/// Adjusted Rand index 2 (tp·tn − fn·fp) / ((tp+fn)(fn+tn) + (tp+fp)(fp+tn)) from the pair
/// confusion matrix (products in exact 128-bit integers, then rounded to double as Python does),
/// and 1.0 when fn = fp = 0 (identical partitions up to renaming, incl. both one cluster or both
/// all singletons). Unitless, in [-0.5, 1]; ~0 for independent labelings. O(n log n).
/// Throws invalid_parameter (empty input), shape_mismatch (lengths differ).
template <LabelSequence LabelsTrue, LabelSequence LabelsPred>
double adjusted_rand_score(const LabelsTrue& labels_true, const LabelsPred& labels_pred);

}  // namespace musiclab::metrics

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------
namespace musiclab::detail {

__extension__ typedef __int128 ari_int128;

/// Dense codes 0..c-1 of the labels in sorted label order; returns c.
template <class Labels>
std::size_t label_codes(const Labels& labels, std::vector<std::uint32_t>& codes) {
    using Label = std::remove_cvref_t<decltype(labels[0])>;
    const auto n = static_cast<std::size_t>(labels.size());
    std::vector<Label> uniques;
    uniques.reserve(n);
    for (std::size_t i = 0; i < n; ++i) uniques.push_back(labels[i]);
    std::sort(uniques.begin(), uniques.end());
    uniques.erase(std::unique(uniques.begin(), uniques.end()), uniques.end());
    codes.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        codes[i] = static_cast<std::uint32_t>(std::lower_bound(uniques.begin(), uniques.end(), labels[i]) - uniques.begin());
    return uniques.size();
}

}  // namespace musiclab::detail

namespace musiclab::metrics {

template <LabelSequence LabelsTrue, LabelSequence LabelsPred>
PairConfusion pair_confusion_matrix(const LabelsTrue& labels_true, const LabelsPred& labels_pred) {
    const auto n = static_cast<std::size_t>(labels_true.size());
    if (n == 0) throw invalid_parameter("labels_true", "0 labels", "at least one label");
    if (static_cast<std::size_t>(labels_pred.size()) != n)
        throw shape_mismatch("length of labels_pred (must equal labels_true)", n, static_cast<std::size_t>(labels_pred.size()));
    if (n > (std::size_t{1} << 31)) throw invalid_parameter("labels_true", detail::text_concat(n, " labels"), "at most 2^31 labels");
    std::vector<std::uint32_t> a, b;
    const std::size_t na = detail::label_codes(labels_true, a);
    const std::size_t nb = detail::label_codes(labels_pred, b);
    std::vector<std::int64_t> row(na, 0), col(nb, 0);
    std::vector<std::uint64_t> cells(n);
    for (std::size_t i = 0; i < n; ++i) {
        ++row[a[i]];
        ++col[b[i]];
        cells[i] = static_cast<std::uint64_t>(a[i]) * nb + b[i];
    }
    std::sort(cells.begin(), cells.end());
    // Σ n_ij², Σ n_ij · n_i. (row sums), Σ n_ij · n_.j (column sums): each <= n² < 2^62.
    std::int64_t sum_squares = 0, dot_rows = 0, dot_cols = 0;
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i;
        while (j < n && cells[j] == cells[i]) ++j;
        const auto nij = static_cast<std::int64_t>(j - i);
        sum_squares += nij * nij;
        dot_rows += nij * row[cells[i] / nb];
        dot_cols += nij * col[cells[i] % nb];
        i = j;
    }
    const auto ns = static_cast<std::int64_t>(n);
    PairConfusion c;
    c.tp = sum_squares - ns;
    c.fp = dot_cols - sum_squares;
    c.fn = dot_rows - sum_squares;
    c.tn = ns * ns - c.fp - c.fn - sum_squares;
    return c;
}

template <LabelSequence LabelsTrue, LabelSequence LabelsPred>
double adjusted_rand_score(const LabelsTrue& labels_true, const LabelsPred& labels_pred) {
    const PairConfusion c = pair_confusion_matrix(labels_true, labels_pred);
    if (c.fn == 0 && c.fp == 0) return 1.0;
    using I = detail::ari_int128;
    const I numerator = static_cast<I>(c.tp) * c.tn - static_cast<I>(c.fn) * c.fp;
    const I denominator = static_cast<I>(c.tp + c.fn) * (c.fn + c.tn) + static_cast<I>(c.tp + c.fp) * (c.fp + c.tn);
    // Python: 2.0 * int -> float(int) * 2.0; float / int -> float / float(int); int -> float rounds
    // to nearest even, as the 128-bit conversion does.
    return (2.0 * static_cast<double>(numerator)) / static_cast<double>(denominator);
}

}  // namespace musiclab::metrics
