// Internals of musiclab/models/forest.hpp: scikit-learn 1.2.1's CART regression tree (criterion
// squared_error, BestSplitter / RandomSplitter, DepthFirstTreeBuilder) on float32 features.
//
// Best splitter: every feature is sorted ONCE per fit (CartData::order); a tree keeps, per
// feature, its in-bag rows in that order and partitions these lists stably at every split, so a
// node's rows are already sorted along every feature (no per-node sort; sklearn sorts the drawn
// features at every node). The scan over a sorted list is sklearn's: candidate positions between
// consecutive values x[p] < x[p+1] with x[p+1] > x[p] + 1e-7f (float arithmetic, sklearn's
// FEATURE_THRESHOLD), proxy sum_l^2/w_l + sum_r^2/w_r, strict > (the first best position of the
// first best feature in draw order wins), threshold x[p]/2 + x[p+1]/2 in double (x[p] when that
// rounds to x[p+1]). Feature draws, constant-feature bookkeeping and leaf rules are sklearn's.
// Random splitter: per drawn feature min/max of the node's values, one uniform threshold in
// [min, max) (max -> min), the split is scored without moving rows; the best one is applied.
#pragma once

#include "../../core/random.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

namespace musiclab::models::detail {

/// Resolved hyper-parameters of one tree (counts already computed from fractions).
struct CartConfig {
    bool random_split = false;
    int max_depth = INT_MAX;
    double min_samples_split = 2;  ///< rows (or weight, with count_weights)
    double min_samples_leaf = 1;
    double min_weight_leaf = 0;
    int max_features = 1;
    double min_impurity_decrease = 0;
    /// Weights are multiplicities of duplicated rows (AdaBoost's resample): min_samples_* count
    /// them, as sklearn does on the duplicated rows.
    bool count_weights = false;
};

/// Inputs shared by all trees of one fit: X as float32 (column-major), y, per-feature order.
struct CartData {
    std::size_t n = 0, F = 0;
    std::vector<float> X;                 ///< n * F, column f at f * n
    std::vector<double> y;
    std::vector<std::uint32_t> order;     ///< n * F: rows sorted by X[:, f] (ties by row)
    float x(std::size_t row, std::size_t f) const { return X[f * n + row]; }
};

/// sklearn's FEATURE_THRESHOLD test: b is "equal" to a when b <= a + 1e-7f in float arithmetic.
inline bool near_equal(float a, float b) {
    const float t = a + 1e-7f;
    return b <= t;
}

/// The largest float t with (double)t <= thr: x <= t (floats) <=> (double)x <= thr.
inline float float_threshold(double thr) {
    float t = static_cast<float>(thr);
    if (static_cast<double>(t) > thr) t = std::nextafter(t, -std::numeric_limits<float>::infinity());
    return t;
}

/// One fitted tree: sklearn's tree_ arrays (preorder numbering: the left child of an internal
/// node is the next node) plus a compact node array for predict.
struct CartTree {
    std::vector<std::int32_t> children_left, children_right, feature;  // -1 / -1 / -2 at leaves
    std::vector<double> threshold, value, impurity, weighted_n_node_samples;
    std::vector<double> n_node_samples;
    /// Internal node: go to id + 1 when x[feature] <= thr, else to right. A leaf has feature 0,
    /// thr = -inf and right = its own id (every row "goes right" to itself), so that descents
    /// can run branch-free in lockstep until no row moves.
    struct Node {
        float thr;
        std::int32_t feature;
        std::int32_t right;
    };
    std::vector<Node> nodes;
    int depth = 0;

    std::size_t node_count() const { return value.size(); }

    double predict_row(const float* x) const {
        const Node* nd = nodes.data();
        std::int32_t i = 0;
        for (;;) {
            const Node& n = nd[i];
            const std::int32_t next = x[n.feature] <= n.thr ? i + 1 : n.right;
            if (next == i) break;
            i = next;
        }
        return value[static_cast<std::size_t>(i)];
    }

    /// Unnormalised MDI sums per feature (sklearn compute_feature_importances before dividing).
    void add_importances(std::vector<double>& imp) const {
        for (std::size_t i = 0; i < node_count(); ++i) {
            if (children_left[i] < 0) continue;
            const auto l = static_cast<std::size_t>(children_left[i]), r = static_cast<std::size_t>(children_right[i]);
            imp[static_cast<std::size_t>(feature[i])] += weighted_n_node_samples[i] * impurity[i] - weighted_n_node_samples[l] * impurity[l] -
                                                         weighted_n_node_samples[r] * impurity[r];
        }
    }

    /// sklearn's tree feature_importances_: MDI / root weight, normalised to sum 1 (all 0 for a stump).
    std::vector<double> feature_importances(std::size_t F) const {
        std::vector<double> imp(F, 0.0);
        add_importances(imp);
        for (auto& v : imp) v /= weighted_n_node_samples[0];
        const double s = std::accumulate(imp.begin(), imp.end(), 0.0);
        if (s > 0)
            for (auto& v : imp) v /= s;
        return imp;
    }
};

/// Sorts every feature once: order[f * n + k] = k-th row by X[:, f] (stable).
inline void presort(CartData& d) {
    d.order.resize(d.n * d.F);
    for (std::size_t f = 0; f < d.F; ++f) {
        std::uint32_t* o = d.order.data() + f * d.n;
        std::iota(o, o + d.n, 0u);
        const float* col = d.X.data() + f * d.n;
        std::stable_sort(o, o + d.n, [col](std::uint32_t a, std::uint32_t b) { return col[a] < col[b]; });
    }
}

/// Builds trees; owns the scratch memory (one per thread, reused across trees).
class CartBuilder {
public:
    /// Fits one tree on the rows with weight != 0 (weights empty = all 1).
    CartTree build(const CartData& d, const std::vector<double>& weights, const CartConfig& cfg, Rng& rng) {
        d_ = &d;
        cfg_ = &cfg;
        rng_ = &rng;
        const std::size_t n = d.n, F = d.F;
        // in-bag rows -> local ids
        local_.assign(n, -1);
        glob_.clear();
        yw_.clear();
        w_total_ = 0;
        for (std::size_t r = 0; r < n; ++r) {
            const double w = weights.empty() ? 1.0 : weights[r];
            w_total_ += w;
            if (w != 0.0) {
                local_[r] = static_cast<std::int32_t>(glob_.size());
                glob_.push_back(static_cast<std::uint32_t>(r));
                yw_.push_back({w * d.y[r], w, d.y[r]});
            }
        }
        m_ = glob_.size();
        if (!cfg.random_split) {
            e_.resize(F * m_);
            for (std::size_t f = 0; f < F; ++f) {
                Entry* E = e_.data() + f * m_;
                const std::uint32_t* o = d.order.data() + f * n;
                const float* col = d.X.data() + f * n;
                std::size_t k = 0;
                for (std::size_t q = 0; q < n; ++q) {
                    const std::int32_t id = local_[o[q]];
                    if (id >= 0) E[k++] = {col[o[q]], static_cast<std::uint32_t>(id)};
                }
            }
            side_.resize(m_);
            tmp_.resize(m_);
        } else {
            samples_.resize(m_);
            std::iota(samples_.begin(), samples_.end(), 0u);
            xs_.resize(m_);
            xl_.resize(F * m_);  // X of the in-bag rows by local id (one indirection less per read)
            for (std::size_t f = 0; f < F; ++f)
                for (std::size_t k = 0; k < m_; ++k) xl_[f * m_ + k] = d.X[f * n + glob_[k]];
        }
        features_.resize(F);
        std::iota(features_.begin(), features_.end(), std::size_t{0});
        constant_.assign(F, 0);

        CartTree t;
        struct Rec {
            std::size_t start, end;
            int depth;
            std::int32_t parent;
            bool is_left;
            double impurity, sum, w, sq;
            std::size_t n_const;
        };
        std::vector<Rec> stack;
        Stats root = stats_all();
        stack.push_back({0, m_, 0, -1, false, root.sq / root.w - (root.sum / root.w) * (root.sum / root.w), root.sum, root.w, root.sq, 0});
        constexpr double kEps = std::numeric_limits<double>::epsilon();
        while (!stack.empty()) {
            Rec r = stack.back();
            stack.pop_back();
            const double n_node = cfg.count_weights ? r.w : static_cast<double>(r.end - r.start);
            bool leaf = r.depth >= cfg.max_depth || n_node < cfg.min_samples_split || n_node < 2 * cfg.min_samples_leaf ||
                        r.w < 2 * cfg.min_weight_leaf || r.impurity <= kEps;
            Split s;
            std::size_t n_const = r.n_const;
            if (!leaf) {
                s = cfg.random_split ? split_random(r.start, r.end, r.sum, r.w, n_const) : split_best(r.start, r.end, r.sum, r.w, n_const);
                if (s.pos < r.end) {
                    s.improvement = (r.w / w_total_) * (r.impurity - s.right.w / r.w * s.imp_right - s.left.w / r.w * s.imp_left);
                }
                leaf = s.pos >= r.end || s.improvement + kEps < cfg.min_impurity_decrease;
            }
            const auto id = static_cast<std::int32_t>(t.value.size());
            if (r.parent >= 0) {
                if (r.is_left) t.children_left[static_cast<std::size_t>(r.parent)] = id;
                else t.children_right[static_cast<std::size_t>(r.parent)] = id;
            }
            t.children_left.push_back(-1);
            t.children_right.push_back(-1);
            t.feature.push_back(leaf ? -2 : static_cast<std::int32_t>(s.feature));
            t.threshold.push_back(leaf ? -2.0 : s.threshold);
            t.value.push_back(r.sum / r.w);
            t.impurity.push_back(r.impurity);
            t.weighted_n_node_samples.push_back(r.w);
            t.n_node_samples.push_back(n_node);
            t.depth = std::max(t.depth, r.depth);
            if (!leaf) {
                stack.push_back({s.pos, r.end, r.depth + 1, id, false, s.imp_right, s.right.sum, s.right.w, s.right.sq, n_const});
                stack.push_back({r.start, s.pos, r.depth + 1, id, true, s.imp_left, s.left.sum, s.left.w, s.left.sq, n_const});
            }
        }
        t.nodes.resize(t.value.size());
        for (std::size_t i = 0; i < t.nodes.size(); ++i)
            t.nodes[i] = t.children_left[i] < 0 ? CartTree::Node{-std::numeric_limits<float>::infinity(), 0, static_cast<std::int32_t>(i)}
                                                : CartTree::Node{float_threshold(t.threshold[i]), t.feature[i], t.children_right[i]};
        return t;
    }

private:
    struct Entry {
        float x;
        std::uint32_t id;
    };
    struct YW {
        double wy, w, y;
    };
    struct Stats {
        double sum = 0, w = 0, sq = 0;
        void add(const YW& v) {
            sum += v.wy;
            w += v.w;
            sq += v.wy * v.y;
        }
    };
    struct Split {
        std::size_t pos = 0, feature = 0;
        double threshold = 0, improvement = -std::numeric_limits<double>::infinity();
        double imp_left = 0, imp_right = 0;
        Stats left, right;
    };

    Stats stats_all() const {
        Stats s;
        for (const auto& v : yw_) s.add(v);
        return s;
    }

    static double impurity_of(const Stats& s) { return s.sq / s.w - (s.sum / s.w) * (s.sum / s.w); }

    // sklearn's feature-draw loop (Fisher-Yates over features_, constants kept in front).
    // visit(feature) returns false when the feature is constant in the node.
    template <class Visit>
    void draw_features(std::size_t& n_known, Visit&& visit) {
        const std::size_t F = d_->F;
        const auto max_features = static_cast<std::size_t>(cfg_->max_features);
        std::size_t f_i = F, n_visited = 0, n_found = 0, n_drawn = 0, n_total = n_known;
        while (f_i > n_total && (n_visited < max_features || n_visited <= n_found + n_drawn)) {
            ++n_visited;
            std::size_t f_j = n_drawn + static_cast<std::size_t>(rng_->below(f_i - n_found - n_drawn));
            if (f_j < n_known) {
                std::swap(features_[n_drawn], features_[f_j]);
                ++n_drawn;
                continue;
            }
            f_j += n_found;
            if (!visit(features_[f_j])) {
                std::swap(features_[f_j], features_[n_total]);
                ++n_found;
                ++n_total;
                continue;
            }
            --f_i;
            std::swap(features_[f_i], features_[f_j]);
        }
        std::copy(constant_.begin(), constant_.begin() + static_cast<std::ptrdiff_t>(n_known), features_.begin());
        std::copy(features_.begin() + static_cast<std::ptrdiff_t>(n_known), features_.begin() + static_cast<std::ptrdiff_t>(n_total),
                  constant_.begin() + static_cast<std::ptrdiff_t>(n_known));
        n_known = n_total;
    }

    bool leaf_ok(double nl, double nr, double wl, double wr) const {
        return nl >= cfg_->min_samples_leaf && nr >= cfg_->min_samples_leaf && wl >= cfg_->min_weight_leaf && wr >= cfg_->min_weight_leaf;
    }

    Split split_best(std::size_t start, std::size_t end, double sum, double wn, std::size_t& n_const) {
        Split best;
        best.pos = end;
        double best_proxy = -std::numeric_limits<double>::infinity();
        const bool cw = cfg_->count_weights;
        draw_features(n_const, [&](std::size_t f) {
            const Entry* E = e_.data() + f * m_;
            if (near_equal(E[start].x, E[end - 1].x)) return false;
            double sl = 0, wl = 0;
            for (std::size_t p = start; p + 1 < end; ++p) {
                const YW& v = yw_[E[p].id];
                sl += v.wy;
                wl += v.w;
                if (near_equal(E[p].x, E[p + 1].x)) continue;
                const std::size_t pos = p + 1;
                const double wr = wn - wl;
                const double nl = cw ? wl : static_cast<double>(pos - start), nr = cw ? wr : static_cast<double>(end - pos);
                if (!leaf_ok(nl, nr, wl, wr)) continue;
                const double sr = sum - sl;
                const double proxy = sl * sl / wl + sr * sr / wr;
                if (proxy > best_proxy) {
                    best_proxy = proxy;
                    best.pos = pos;
                    best.feature = f;
                    double thr = static_cast<double>(E[p].x) / 2.0 + static_cast<double>(E[p + 1].x) / 2.0;
                    if (thr == static_cast<double>(E[p + 1].x) || std::isinf(thr)) thr = E[p].x;
                    best.threshold = thr;
                }
            }
            return true;
        });
        if (best.pos >= end) return best;
        // partition every feature list still needed below (not constant here) stably
        const Entry* B = e_.data() + best.feature * m_;
        for (std::size_t p = start; p < end; ++p) side_[B[p].id] = p < best.pos ? 1 : 0;
        for (std::size_t p = start; p < best.pos; ++p) best.left.add(yw_[B[p].id]);
        for (std::size_t p = best.pos; p < end; ++p) best.right.add(yw_[B[p].id]);
        for (std::size_t k = n_const; k < d_->F; ++k) {
            const std::size_t f = features_[k];
            if (f == best.feature) continue;
            Entry* S = e_.data() + f * m_;
            std::size_t l = start, r = 0;
            for (std::size_t p = start; p < end; ++p) {
                const Entry v = S[p];
                const unsigned char s = side_[v.id];
                S[l] = v;
                tmp_[r] = v;
                l += s;
                r += 1u - s;
            }
            std::copy(tmp_.begin(), tmp_.begin() + static_cast<std::ptrdiff_t>(r), S + l);
        }
        best.imp_left = impurity_of(best.left);
        best.imp_right = impurity_of(best.right);
        return best;
    }

    Split split_random(std::size_t start, std::size_t end, double sum, double wn, std::size_t& n_const) {
        Split best;
        best.pos = end;
        double best_proxy = -std::numeric_limits<double>::infinity();
        const bool cw = cfg_->count_weights;
        draw_features(n_const, [&](std::size_t f) {
            const float* col = xl_.data() + f * m_;
            float mn = col[samples_[start]], mx = mn;
            xs_[start] = mn;
            for (std::size_t p = start + 1; p < end; ++p) {
                const float v = col[samples_[p]];
                xs_[p] = v;
                if (v < mn) mn = v;
                else if (v > mx) mx = v;
            }
            if (near_equal(mn, mx)) return false;
            double thr = rng_->uniform(mn, mx);
            if (thr == static_cast<double>(mx)) thr = mn;
            double sl = 0, wl = 0;
            std::size_t cnt = 0;
            for (std::size_t p = start; p < end; ++p) {
                if (static_cast<double>(xs_[p]) <= thr) {
                    const YW& v = yw_[samples_[p]];
                    sl += v.wy;
                    wl += v.w;
                    ++cnt;
                }
            }
            const double wr = wn - wl;
            const double nl = cw ? wl : static_cast<double>(cnt), nr = cw ? wr : static_cast<double>(end - start - cnt);
            if (!leaf_ok(nl, nr, wl, wr)) return true;
            const double sr = sum - sl;
            const double proxy = sl * sl / wl + sr * sr / wr;
            if (proxy > best_proxy) {
                best_proxy = proxy;
                best.pos = start + cnt;
                best.feature = f;
                best.threshold = thr;
            }
            return true;
        });
        if (best.pos >= end) return best;
        const float* col = xl_.data() + best.feature * m_;
        std::size_t p = start, q = end;
        while (p < q) {
            if (static_cast<double>(col[samples_[p]]) <= best.threshold) ++p;
            else std::swap(samples_[p], samples_[--q]);
        }
        for (std::size_t k = start; k < best.pos; ++k) best.left.add(yw_[samples_[k]]);
        for (std::size_t k = best.pos; k < end; ++k) best.right.add(yw_[samples_[k]]);
        best.imp_left = impurity_of(best.left);
        best.imp_right = impurity_of(best.right);
        return best;
    }

    const CartData* d_ = nullptr;
    const CartConfig* cfg_ = nullptr;
    Rng* rng_ = nullptr;
    std::size_t m_ = 0;
    double w_total_ = 0;
    std::vector<std::int32_t> local_;
    std::vector<std::uint32_t> glob_;
    std::vector<YW> yw_;
    std::vector<Entry> e_, tmp_;
    std::vector<unsigned char> side_;
    std::vector<std::uint32_t> samples_;
    std::vector<float> xs_, xl_;
    std::vector<std::size_t> features_, constant_;
};

}  // namespace musiclab::models::detail
