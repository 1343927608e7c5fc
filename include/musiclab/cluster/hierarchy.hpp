// HDBSCAN's tree stages, usable on their own: single-linkage tree from MST edges, condensed tree,
// cluster selection (excess of mass / leaf, cluster_selection_epsilon, allow_single_cluster,
// max_cluster_size), membership probabilities, cluster persistence and GLOSH outlier scores,
// with the semantics of scikit-learn-contrib/hdbscan 0.8.43 (`label`, `condense_tree`,
// `compute_stability`, `get_clusters`, `outlier_scores`), including its quirks (listed in
// docs/hdbscan.md): given the same single-linkage tree the outputs are the same, bit for bit.
//
//     auto slt = musiclab::cluster::single_linkage_from_edges(sorted_edges, n);
//     auto r = musiclab::cluster::clusters_from_single_linkage(slt, opts);   // labels, ...
//
// Complexity: O(n log n) for the edges -> tree, O(n) for condensing, O(n + c log c) for the
// selection (c = clusters). Pure functions, thread-safe.
#pragma once

#include "../core/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace musiclab::cluster {

/// An edge of the mutual-reachability minimum spanning tree (point rows, weight in distance units).
struct MstEdge {
    std::int64_t a = 0;
    std::int64_t b = 0;
    double weight = 0.0;
};

/// One merge of the single-linkage tree in scipy linkage format: nodes 0..n-1 are points, merge
/// row r creates node n + r; `size` = number of points under the new node.
struct SingleLinkageRow {
    std::int64_t left = 0;
    std::int64_t right = 0;
    double distance = 0.0;
    std::int64_t size = 0;
};

/// One row of the condensed tree: points are 0..n-1, clusters n (root), n+1, ...;
/// lambda = 1 / distance (inf for distance 0); child_size = 1 for points.
struct CondensedTreeRow {
    std::int64_t parent = 0;
    std::int64_t child = 0;
    double lambda = 0.0;
    std::int64_t child_size = 0;
};

enum class ClusterSelection { eom, leaf };

/// The flat-clustering parameters that act on the tree (see HdbscanOptions for the meaning).
struct SelectionOptions {
    int min_cluster_size = 5;
    ClusterSelection cluster_selection_method = ClusterSelection::eom;
    double cluster_selection_epsilon = 0.0;
    bool allow_single_cluster = false;
    std::int64_t max_cluster_size = 0;  ///< 0 = no limit (eom only)
};

/// Everything derived from the single-linkage tree.
struct TreeClustering {
    std::vector<CondensedTreeRow> condensed_tree;
    std::vector<int> labels;                  ///< per point, -1 = noise, clusters 0..k-1
    std::vector<double> probabilities;        ///< per point membership strength in [0, 1]
    std::vector<double> outlier_scores;       ///< per point GLOSH (nan where hdbscan gives nan)
    std::vector<double> cluster_persistence;  ///< per label (hdbscan's cluster_persistence_)
    std::vector<std::int64_t> selected_clusters;  ///< condensed-tree node of label l, ascending
};

/// Union-find over edges already sorted by weight (hdbscan's `label`): row r merges the current
/// roots of edge r's ends (left = root of a, right = root of b). Throws if the edges do not
/// form a spanning tree of n points.
inline std::vector<SingleLinkageRow> single_linkage_from_edges(const std::vector<MstEdge>& sorted_edges, std::int64_t n);

/// Condensed tree, selection, probabilities, GLOSH and persistence from a single-linkage tree
/// of n = slt.size() + 1 points.
inline TreeClustering clusters_from_single_linkage(const std::vector<SingleLinkageRow>& slt, const SelectionOptions& opts);

/// hdbscan's `condense_tree` (rows in its order: breadth-first over the single-linkage tree).
inline std::vector<CondensedTreeRow> condense_tree(const std::vector<SingleLinkageRow>& slt, std::int64_t min_cluster_size);

// ------------------------------------------------------------------------------------------
}  // namespace musiclab::cluster

namespace musiclab::detail {

inline void check_selection_options(const cluster::SelectionOptions& o) {
    if (o.min_cluster_size < 2) throw invalid_parameter("min_cluster_size", o.min_cluster_size, ">= 2");
    if (!(o.cluster_selection_epsilon >= 0.0) || !std::isfinite(o.cluster_selection_epsilon))
        throw invalid_parameter("cluster_selection_epsilon", o.cluster_selection_epsilon, "finite and >= 0");
    if (o.max_cluster_size < 0) throw invalid_parameter("max_cluster_size", o.max_cluster_size, ">= 0 (0 = no limit)");
}

/// Points of the subtree under `node` (single-linkage numbering), breadth-first, as hdbscan's
/// bfs_from_hierarchy lists them; marks every visited node in `ignore`.
inline void bfs_points(const std::vector<cluster::SingleLinkageRow>& slt, std::int64_t n, std::int64_t node,
                       std::vector<std::int64_t>& queue, std::vector<std::int64_t>& points_out,
                       std::vector<char>& ignore) {
    queue.clear();
    points_out.clear();
    queue.push_back(node);
    for (std::size_t h = 0; h < queue.size(); ++h) {
        const std::int64_t v = queue[h];
        ignore[static_cast<std::size_t>(v)] = 1;
        if (v < n) {
            points_out.push_back(v);
        } else {
            const auto& row = slt[static_cast<std::size_t>(v - n)];
            queue.push_back(row.left);
            queue.push_back(row.right);
        }
    }
}

}  // namespace musiclab::detail

namespace musiclab::cluster {

inline std::vector<SingleLinkageRow> single_linkage_from_edges(const std::vector<MstEdge>& sorted_edges, std::int64_t n) {
    if (n < 1 || static_cast<std::int64_t>(sorted_edges.size()) != n - 1)
        throw invalid_parameter("edges", std::to_string(sorted_edges.size()) + " edges for " + std::to_string(n) + " points",
                                "exactly n - 1 edges of a spanning tree");
    const auto total = static_cast<std::size_t>(2 * n - 1);
    std::vector<std::int64_t> parent(total, -1), size(total, 0);
    for (std::int64_t i = 0; i < n; ++i) size[static_cast<std::size_t>(i)] = 1;
    auto find = [&](std::int64_t x) {
        std::int64_t r = x;
        while (parent[static_cast<std::size_t>(r)] != -1) r = parent[static_cast<std::size_t>(r)];
        while (parent[static_cast<std::size_t>(x)] != -1 && parent[static_cast<std::size_t>(x)] != r) {
            const std::int64_t next = parent[static_cast<std::size_t>(x)];
            parent[static_cast<std::size_t>(x)] = r;
            x = next;
        }
        return r;
    };
    std::vector<SingleLinkageRow> out(sorted_edges.size());
    std::int64_t next = n;
    for (std::size_t r = 0; r < sorted_edges.size(); ++r) {
        const auto& e = sorted_edges[r];
        if (e.a < 0 || e.a >= n || e.b < 0 || e.b >= n)
            throw invalid_parameter("edges", "edge " + std::to_string(r) + " has an end outside [0, n)", "point indices 0..n-1");
        const std::int64_t aa = find(e.a), bb = find(e.b);
        if (aa == bb) throw invalid_parameter("edges", "edge " + std::to_string(r) + " closes a cycle", "a spanning tree");
        const std::int64_t s = size[static_cast<std::size_t>(aa)] + size[static_cast<std::size_t>(bb)];
        out[r] = SingleLinkageRow{aa, bb, e.weight, s};
        parent[static_cast<std::size_t>(aa)] = next;
        parent[static_cast<std::size_t>(bb)] = next;
        size[static_cast<std::size_t>(next)] = s;
        ++next;
    }
    return out;
}

inline std::vector<CondensedTreeRow> condense_tree(const std::vector<SingleLinkageRow>& slt, std::int64_t min_cluster_size) {
    const auto n = static_cast<std::int64_t>(slt.size()) + 1;
    const std::int64_t root = 2 * (n - 1);
    std::vector<CondensedTreeRow> out;
    out.reserve(static_cast<std::size_t>(2 * n));
    if (n < 2) return out;
    std::vector<std::int64_t> relabel(static_cast<std::size_t>(root + 1), 0);
    std::vector<char> ignore(static_cast<std::size_t>(root + 1), 0);
    relabel[static_cast<std::size_t>(root)] = n;
    std::int64_t next_label = n + 1;
    std::vector<std::int64_t> queue, subq, pts;
    queue.reserve(static_cast<std::size_t>(root + 1));
    queue.push_back(root);
    auto count_of = [&](std::int64_t v) { return v >= n ? slt[static_cast<std::size_t>(v - n)].size : std::int64_t{1}; };
    // Breadth-first over the single-linkage tree; node order = hdbscan's node_list.
    for (std::size_t h = 0; h < queue.size(); ++h) {
        const std::int64_t node = queue[h];
        if (node >= n) {
            const auto& row = slt[static_cast<std::size_t>(node - n)];
            queue.push_back(row.left);
            queue.push_back(row.right);
        }
        if (ignore[static_cast<std::size_t>(node)] || node < n) continue;
        const auto& row = slt[static_cast<std::size_t>(node - n)];
        const std::int64_t left = row.left, right = row.right;
        const double lambda = row.distance > 0.0 ? 1.0 / row.distance : std::numeric_limits<double>::infinity();
        const std::int64_t lc = count_of(left), rc = count_of(right);
        const std::int64_t me = relabel[static_cast<std::size_t>(node)];
        auto drop = [&](std::int64_t sub) {
            musiclab::detail::bfs_points(slt, n, sub, subq, pts, ignore);
            for (const std::int64_t p : pts) out.push_back(CondensedTreeRow{me, p, lambda, 1});
        };
        if (lc >= min_cluster_size && rc >= min_cluster_size) {
            relabel[static_cast<std::size_t>(left)] = next_label++;
            out.push_back(CondensedTreeRow{me, relabel[static_cast<std::size_t>(left)], lambda, lc});
            relabel[static_cast<std::size_t>(right)] = next_label++;
            out.push_back(CondensedTreeRow{me, relabel[static_cast<std::size_t>(right)], lambda, rc});
        } else if (lc < min_cluster_size && rc < min_cluster_size) {
            drop(left);
            drop(right);
        } else if (lc < min_cluster_size) {
            relabel[static_cast<std::size_t>(right)] = me;
            drop(left);
        } else {
            relabel[static_cast<std::size_t>(left)] = me;
            drop(right);
        }
    }
    return out;
}

inline TreeClustering clusters_from_single_linkage(const std::vector<SingleLinkageRow>& slt, const SelectionOptions& opts) {
    musiclab::detail::check_selection_options(opts);
    const auto n = static_cast<std::int64_t>(slt.size()) + 1;
    TreeClustering res;
    res.labels.assign(static_cast<std::size_t>(n), -1);
    res.probabilities.assign(static_cast<std::size_t>(n), 0.0);
    res.outlier_scores.assign(static_cast<std::size_t>(n), 0.0);
    if (n < 2) return res;
    res.condensed_tree = condense_tree(slt, opts.min_cluster_size);
    const auto& tree = res.condensed_tree;
    const double inf = std::numeric_limits<double>::infinity();

    // Cluster ids are n .. max_parent (every non-root cluster appears once as a child).
    std::int64_t max_node = n;
    for (const auto& r : tree) max_node = std::max({max_node, r.parent, r.child});
    const std::int64_t root = n;
    const auto num_clusters = static_cast<std::size_t>(max_node - root + 1);
    auto ci = [&](std::int64_t c) { return static_cast<std::size_t>(c - root); };

    // compute_stability: birth = lambda at which the cluster appears, root 0.
    std::vector<double> birth(num_clusters, std::numeric_limits<double>::quiet_NaN());
    std::vector<std::int64_t> parent_of(num_clusters, -1);
    std::vector<double> lambda_as_child(num_clusters, std::numeric_limits<double>::quiet_NaN());
    std::vector<std::int64_t> size_as_child(num_clusters, 0);
    std::vector<std::vector<std::int64_t>> children(num_clusters);  // cluster children, row order
    std::vector<double> point_lambda(static_cast<std::size_t>(n), 0.0);
    std::vector<std::int64_t> point_parent(static_cast<std::size_t>(n), root);
    for (const auto& r : tree) {
        if (r.child >= root) {
            birth[ci(r.child)] = r.lambda;
            parent_of[ci(r.child)] = r.parent;
            lambda_as_child[ci(r.child)] = r.lambda;
            size_as_child[ci(r.child)] = r.child_size;
            if (r.child_size > 1) children[ci(r.parent)].push_back(r.child);
        } else {
            point_lambda[static_cast<std::size_t>(r.child)] = r.lambda;
            point_parent[static_cast<std::size_t>(r.child)] = r.parent;
        }
    }
    birth[0] = 0.0;
    std::vector<double> stability(num_clusters, 0.0);
    std::vector<double> deaths(num_clusters, 0.0);  // max_lambdas: max lambda over rows with this parent
    for (const auto& r : tree) {
        stability[ci(r.parent)] += (r.lambda - birth[ci(r.parent)]) * static_cast<double>(r.child_size);
        deaths[ci(r.parent)] = std::max(deaths[ci(r.parent)], r.lambda);
    }
    double max_lambda = 0.0;
    for (const auto& r : tree) max_lambda = std::max(max_lambda, r.lambda);

    // get_clusters
    std::int64_t num_points = 0;  // max point id among point rows + 1
    for (const auto& r : tree)
        if (r.child_size == 1) num_points = std::max(num_points, r.child + 1);
    bool has_cluster_tree = false;
    for (const auto& r : tree)
        if (r.child_size > 1) has_cluster_tree = true;
    std::vector<std::int64_t> node_list;  // descending, root only with allow_single_cluster
    for (std::int64_t c = max_node; c >= root; --c)
        if (c > root || opts.allow_single_cluster) node_list.push_back(c);
    std::vector<char> in_node_list(num_clusters, 0), is_cluster(num_clusters, 0);
    for (const auto c : node_list) in_node_list[ci(c)] = is_cluster[ci(c)] = 1;
    std::vector<double> node_eps(num_clusters, 0.0);
    std::vector<std::int64_t> cluster_size(num_clusters, 0);
    for (std::size_t c = 1; c < num_clusters; ++c) {
        node_eps[c] = 1.0 / lambda_as_child[c];
        cluster_size[c] = size_as_child[c];
    }
    if (opts.allow_single_cluster) {
        std::int64_t s = 0;
        for (const auto c : children[0]) s += size_as_child[ci(c)];
        cluster_size[0] = s;
        double m = -inf;
        for (const auto& r : tree) m = std::max(m, 1.0 / r.lambda);
        node_eps[0] = m;
    }
    const std::int64_t max_size = opts.max_cluster_size <= 0 ? num_points + 1 : opts.max_cluster_size;
    auto descendants = [&](std::int64_t c, auto&& fn) {  // strict descendants in the cluster tree
        std::vector<std::int64_t> stack(children[ci(c)].begin(), children[ci(c)].end());
        while (!stack.empty()) {
            const std::int64_t v = stack.back();
            stack.pop_back();
            fn(v);
            for (const auto w : children[ci(v)]) stack.push_back(w);
        }
    };
    // epsilon_search over the cluster tree (root of the cluster tree = root)
    auto traverse_upwards = [&](std::int64_t leaf) {
        while (true) {
            const std::int64_t parent = parent_of[ci(leaf)];
            if (parent == root) return opts.allow_single_cluster ? parent : leaf;
            const double parent_eps = 1.0 / lambda_as_child[ci(parent)];
            if (parent_eps > opts.cluster_selection_epsilon) return parent;
            leaf = parent;
        }
    };
    auto epsilon_search = [&](const std::vector<std::int64_t>& leaves) {
        std::vector<char> selected(num_clusters, 0), processed(num_clusters, 0);
        for (const auto leaf : leaves) {
            const double eps = 1.0 / lambda_as_child[ci(leaf)];
            if (eps < opts.cluster_selection_epsilon) {
                if (!processed[ci(leaf)]) {
                    const std::int64_t e = traverse_upwards(leaf);
                    selected[ci(e)] = 1;
                    descendants(e, [&](std::int64_t v) { processed[ci(v)] = 1; });
                }
            } else {
                selected[ci(leaf)] = 1;
            }
        }
        return selected;
    };

    if (opts.cluster_selection_method == ClusterSelection::eom) {
        for (const auto node : node_list) {
            double sum = 0.0;
            for (const auto c : children[ci(node)]) sum += stability[ci(c)];
            const auto subtree_stability = static_cast<double>(static_cast<float>(sum));  // hdbscan: cdef float
            if (subtree_stability > stability[ci(node)] || cluster_size[ci(node)] > max_size) {
                is_cluster[ci(node)] = 0;
                stability[ci(node)] = subtree_stability;
            } else {
                descendants(node, [&](std::int64_t v) { is_cluster[ci(v)] = 0; });
            }
        }
        if (opts.cluster_selection_epsilon != 0.0 && has_cluster_tree) {
            std::vector<std::int64_t> eom;
            for (const auto c : node_list)
                if (is_cluster[ci(c)]) eom.push_back(c);
            std::vector<char> selected(num_clusters, 0);
            if (eom.size() == 1 && eom[0] == root) {
                if (opts.allow_single_cluster) selected[0] = 1;
            } else {
                selected = epsilon_search(eom);
            }
            for (const auto c : node_list) is_cluster[ci(c)] = selected[ci(c)];
        }
    } else {
        std::vector<std::int64_t> leaves;  // leaves of the cluster tree (depth-first)
        if (has_cluster_tree) {
            std::vector<std::int64_t> stack{root};
            while (!stack.empty()) {
                const std::int64_t v = stack.back();
                stack.pop_back();
                if (children[ci(v)].empty()) leaves.push_back(v);
                for (auto it = children[ci(v)].rbegin(); it != children[ci(v)].rend(); ++it) stack.push_back(*it);
            }
        }
        std::vector<char> selected(num_clusters, 0);
        if (opts.cluster_selection_epsilon != 0.0) {
            selected = epsilon_search(leaves);
        } else {
            for (const auto l : leaves) selected[ci(l)] = 1;
        }
        for (const auto c : node_list) is_cluster[ci(c)] = selected[ci(c)];
    }

    std::vector<std::int64_t>& clusters = res.selected_clusters;
    for (std::int64_t c = root; c <= max_node; ++c)
        if (in_node_list[ci(c)] && is_cluster[ci(c)]) clusters.push_back(c);
    std::vector<int> label_of(num_clusters, -1);
    for (std::size_t l = 0; l < clusters.size(); ++l) label_of[ci(clusters[l])] = static_cast<int>(l);

    // do_labelling: the nearest selected ancestor of each point (union-find of hdbscan == walking up).
    std::vector<std::int64_t> owner(num_clusters, -1);  // nearest selected ancestor-or-self, or root
    for (std::int64_t c = root; c <= max_node; ++c) {   // parents have smaller ids than children
        if (c == root) {
            owner[0] = root;
            continue;
        }
        if (label_of[ci(c)] >= 0) {
            owner[ci(c)] = c;
        } else {
            owner[ci(c)] = owner[ci(parent_of[ci(c)])];
        }
    }
    double root_max_lambda = -inf;
    for (const auto& r : tree)
        if (r.parent == root) root_max_lambda = std::max(root_max_lambda, r.lambda);
    for (std::int64_t p = 0; p < n; ++p) {
        const std::int64_t c = owner[ci(point_parent[static_cast<std::size_t>(p)])];
        int lab = -1;
        if (c == root) {
            if (clusters.size() == 1 && opts.allow_single_cluster && label_of[0] >= 0) {
                const double pl = point_lambda[static_cast<std::size_t>(p)];
                if (opts.cluster_selection_epsilon != 0.0) {
                    if (pl >= 1.0 / opts.cluster_selection_epsilon) lab = label_of[0];
                } else if (pl >= root_max_lambda) {
                    lab = label_of[0];
                }
            }
        } else {
            lab = label_of[ci(c)];
        }
        res.labels[static_cast<std::size_t>(p)] = lab;
    }

    // get_probabilities
    for (const auto& r : tree) {
        if (r.child >= root) continue;
        const int lab = res.labels[static_cast<std::size_t>(r.child)];
        if (lab == -1) continue;
        const double ml = deaths[ci(clusters[static_cast<std::size_t>(lab)])];
        if (ml == 0.0 || !std::isfinite(r.lambda)) {
            res.probabilities[static_cast<std::size_t>(r.child)] = 1.0;
        } else {
            res.probabilities[static_cast<std::size_t>(r.child)] = std::min(r.lambda, ml) / ml;
        }
    }

    // get_stability_scores (cluster persistence)
    std::vector<std::int64_t> label_count(clusters.size(), 0);
    for (const int l : res.labels)
        if (l >= 0) ++label_count[static_cast<std::size_t>(l)];
    res.cluster_persistence.resize(clusters.size());
    for (std::size_t l = 0; l < clusters.size(); ++l) {
        if (std::isinf(max_lambda) || max_lambda == 0.0 || label_count[l] == 0) {
            res.cluster_persistence[l] = 1.0;
        } else {
            res.cluster_persistence[l] =
                stability[ci(clusters[l])] / (static_cast<double>(label_count[l]) * max_lambda);
        }
    }

    // outlier_scores (GLOSH): propagate max lambdas up in reverse row order.
    std::vector<double> gdeaths = deaths;
    for (std::size_t k = tree.size(); k-- > 0;) {
        const auto& r = tree[k];
        if (r.child < root) continue;  // a point's own entry is 0 and never raises its parent
        if (gdeaths[ci(r.child)] > gdeaths[ci(r.parent)]) gdeaths[ci(r.parent)] = gdeaths[ci(r.child)];
    }
    for (const auto& r : tree) {
        if (r.child >= root) continue;
        const double lm = gdeaths[ci(r.parent)];
        res.outlier_scores[static_cast<std::size_t>(r.child)] =
            (lm == 0.0 || !std::isfinite(r.lambda)) ? 0.0 : (lm - r.lambda) / lm;
    }
    return res;
}

}  // namespace musiclab::cluster
