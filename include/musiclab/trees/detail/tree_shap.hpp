// Internals of musiclab::trees: exact path-dependent TreeSHAP (Lundberg, Erion, Lee 2018,
// "Consistent individualized feature attribution for tree ensembles", Algorithm 2). Not part of
// the public API.
#pragma once

#include "gbt_model.hpp"

#include <cmath>
#include <cstddef>
#include <vector>

namespace musiclab::trees::detail {

struct PathElement {
    int feature = -1;
    double zero_fraction = 0.0;
    double one_fraction = 0.0;
    double weight = 0.0;
};

inline void extend_path(PathElement* path, int depth, double zero, double one, int feature) noexcept {
    path[depth] = {feature, zero, one, depth == 0 ? 1.0 : 0.0};
    for (int i = depth - 1; i >= 0; --i) {
        path[i + 1].weight += one * path[i].weight * (i + 1) / static_cast<double>(depth + 1);
        path[i].weight = zero * path[i].weight * (depth - i) / static_cast<double>(depth + 1);
    }
}

inline void unwind_path(PathElement* path, int depth, int index) noexcept {
    const double one = path[index].one_fraction;
    const double zero = path[index].zero_fraction;
    double next = path[depth].weight;
    for (int i = depth - 1; i >= 0; --i) {
        if (one != 0.0) {
            const double tmp = path[i].weight;
            path[i].weight = next * (depth + 1) / ((i + 1) * one);
            next = tmp - path[i].weight * zero * (depth - i) / static_cast<double>(depth + 1);
        } else {
            path[i].weight = path[i].weight * (depth + 1) / (zero * (depth - i));
        }
    }
    for (int i = index; i < depth; ++i) {
        path[i].feature = path[i + 1].feature;
        path[i].zero_fraction = path[i + 1].zero_fraction;
        path[i].one_fraction = path[i + 1].one_fraction;
    }
}

/// Sum of the path weights if the element at `index` were unwound (without changing the path).
inline double unwound_path_sum(const PathElement* path, int depth, int index) noexcept {
    const double one = path[index].one_fraction;
    const double zero = path[index].zero_fraction;
    double next = path[depth].weight;
    double total = 0.0;
    for (int i = depth - 1; i >= 0; --i) {
        if (one != 0.0) {
            const double tmp = next * (depth + 1) / ((i + 1) * one);
            total += tmp;
            next = path[i].weight - tmp * zero * ((depth - i) / static_cast<double>(depth + 1));
        } else if (zero != 0.0) {
            total += (path[i].weight / zero) / ((depth - i) / static_cast<double>(depth + 1));
        }
    }
    return total;
}

/// Adds the SHAP values of one tree for row x (features x[f * stride]) to phi.
/// `path` must hold (D + 2) * (D + 3) / 2 elements for a tree of depth D.
template <class F>
void tree_shap_recurse(const Tree& t, const F* x, std::ptrdiff_t stride, double* phi, std::int32_t node,
                       int depth, PathElement* parent_path, double zero, double one, int feature) {
    PathElement* path = parent_path + depth;
    for (int i = 0; i < depth; ++i) path[i] = parent_path[i];
    extend_path(path, depth, zero, one, feature);
    const Node& n = t.nodes[static_cast<std::size_t>(node)];
    if (n.is_leaf()) {
        for (int i = 1; i <= depth; ++i) {
            const double w = unwound_path_sum(path, depth, i);
            const PathElement& e = path[i];
            phi[e.feature] += w * (e.one_fraction - e.zero_fraction) * n.leaf_value();
        }
        return;
    }
    const double v = static_cast<double>(x[static_cast<std::ptrdiff_t>(n.feature) * stride]);
    const bool left = std::isnan(v) ? n.default_left != 0 : v <= n.threshold;
    const std::int32_t hot = n.left + (left ? 0 : 1);
    const std::int32_t cold = n.left + (left ? 1 : 0);
    const double w = t.cover[static_cast<std::size_t>(node)];
    const double hot_zero = t.cover[static_cast<std::size_t>(hot)] / w;
    const double cold_zero = t.cover[static_cast<std::size_t>(cold)] / w;
    double in_zero = 1.0, in_one = 1.0;
    int k = 1;
    for (; k <= depth; ++k)
        if (path[k].feature == n.feature) break;
    if (k != depth + 1) {
        in_zero = path[k].zero_fraction;
        in_one = path[k].one_fraction;
        unwind_path(path, depth, k);
        --depth;
    }
    tree_shap_recurse(t, x, stride, phi, hot, depth + 1, path, hot_zero * in_zero, in_one, n.feature);
    tree_shap_recurse(t, x, stride, phi, cold, depth + 1, path, cold_zero * in_zero, 0.0, n.feature);
}

/// Cover-weighted mean output of a tree (its SHAP expected value).
inline double tree_mean_value(const Tree& t) {
    std::vector<double> mean(t.size(), 0.0);
    for (std::size_t i = t.size(); i-- > 0;) {
        const Node& n = t.nodes[i];
        if (n.is_leaf()) {
            mean[i] = n.leaf_value();
        } else {
            const auto l = static_cast<std::size_t>(n.left);
            mean[i] = (t.cover[l] * mean[l] + t.cover[l + 1] * mean[l + 1]) / t.cover[i];
        }
    }
    return mean.empty() ? 0.0 : mean[0];
}

}  // namespace musiclab::trees::detail
