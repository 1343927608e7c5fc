// Internals of musiclab::trees: the flat tree layout shared by training, prediction, TreeSHAP and
// the JSON format. Not part of the public API.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace musiclab::trees::detail {

/// One node of a fitted tree, 16 bytes. Children are allocated as a pair: the left child is
/// `left`, the right child `left + 1`; `left == 0` marks a leaf (the root is never a child).
/// Internal: rows with x[feature] <= threshold go left, NaN goes left iff default_left.
/// Leaf: `threshold` holds the leaf output (already multiplied by the learning rate).
struct Node {
    double threshold = 0.0;          ///< split threshold, or the leaf value of a leaf
    std::int32_t left = 0;           ///< index of the left child (right = left + 1); 0 for a leaf
    std::uint16_t feature = 0;       ///< split feature (internal nodes)
    std::uint8_t default_left = 0;   ///< NaN goes left (1) or right (0)
    std::uint8_t pad = 0;

    bool is_leaf() const noexcept { return left == 0; }
    double leaf_value() const noexcept { return threshold; }
};

/// A fitted regression tree: nodes plus the statistics SHAP and importances need.
struct Tree {
    std::vector<Node> nodes;        ///< nodes[0] is the root
    std::vector<double> cover;      ///< sum of hessians of the training rows that reached the node
    std::vector<double> gain;       ///< loss reduction of the split (0 for leaves)
    std::vector<double> weight;     ///< node output (learning rate applied) as if it were a leaf

    std::size_t size() const noexcept { return nodes.size(); }

    /// Index of the leaf row x (a pointer to its features, stride between features) lands in.
    template <class F>
    std::int32_t leaf_of(const F* x, std::ptrdiff_t stride = 1) const noexcept {
        std::int32_t i = 0;
        const Node* n = nodes.data();
        while (n[i].left != 0) {
            const double v = static_cast<double>(x[static_cast<std::ptrdiff_t>(n[i].feature) * stride]);
            const bool go_left = std::isnan(v) ? n[i].default_left != 0 : v <= n[i].threshold;
            i = n[i].left + (go_left ? 0 : 1);
        }
        return i;
    }

    /// Depth of the deepest leaf (root alone = 0).
    int max_depth() const {
        std::vector<int> depth(nodes.size(), 0);
        int best = 0;
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            if (nodes[i].left != 0) {
                depth[static_cast<std::size_t>(nodes[i].left)] = depth[i] + 1;
                depth[static_cast<std::size_t>(nodes[i].left) + 1] = depth[i] + 1;
            }
            best = depth[i] > best ? depth[i] : best;
        }
        return best;
    }
};

/// Prediction layout of a tree, 16 bytes a node: a leaf points to itself (left = own index,
/// threshold +inf, NaN default left), so all rows of a block can step down `depth` times in
/// lockstep without a data-dependent branch: next = left + (go right).
struct FlatNode {
    double threshold = 0.0;
    std::int32_t left = 0;
    std::uint16_t feature = 0;
    std::uint16_t default_left = 0;
};

struct FlatTree {
    std::vector<FlatNode> nodes;
    std::vector<double> value;  ///< leaf value per node (0 for internal nodes)
    int depth = 0;

    explicit FlatTree(const Tree& t) : nodes(t.size()), value(t.size(), 0.0), depth(t.max_depth()) {
        for (std::size_t i = 0; i < t.size(); ++i) {
            const Node& n = t.nodes[i];
            FlatNode& f = nodes[i];
            if (n.is_leaf()) {
                f.left = static_cast<std::int32_t>(i);
                f.threshold = std::numeric_limits<double>::infinity();
                f.default_left = 1;
                value[i] = n.threshold;
            } else {
                f.left = n.left;
                f.threshold = n.threshold;
                f.feature = n.feature;
                f.default_left = n.default_left;
            }
        }
    }
};

}  // namespace musiclab::trees::detail
