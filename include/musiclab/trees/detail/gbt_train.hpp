// Internals of musiclab::trees: quantile binning, histogram construction with the subtraction
// trick, split finding and the depth-wise / loss-guided tree growers. Not part of the public API.
#pragma once

#include "../../core/error.hpp"
#include "../../core/parallel.hpp"
#include "../../core/random.hpp"
#include "gbt_model.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <queue>
#include <vector>

namespace musiclab::trees::detail {

/// Gradient and hessian of one row (or a sum of them).
struct GradPair {
    double g = 0.0;
    double h = 0.0;
    GradPair& operator+=(const GradPair& o) noexcept {
        g += o.g;
        h += o.h;
        return *this;
    }
    friend GradPair operator+(GradPair a, const GradPair& b) noexcept { return a += b; }
    friend GradPair operator-(const GradPair& a, const GradPair& b) noexcept { return {a.g - b.g, a.h - b.h}; }
};

/// Per-row gradient pair as stored between rounds: single precision like XGBoost's GradientPair
/// (half the memory traffic of the histogram loop); every sum is accumulated in double.
struct RowGrad {
    float g = 0.0f;
    float h = 0.0f;
};

/// Runs fn(task) for task in [0, n) on `threads` workers that pull tasks from a shared counter.
/// Every task writes only its own outputs, so the result does not depend on the schedule.
/// Below this much work (about one row-feature update each) a step runs on the calling thread:
/// an OpenMP fork/join costs microseconds, and much more on a busy machine.
constexpr std::size_t kMinParallelWork = 32768;

template <class Fn>
void run_tasks(int threads, std::size_t n, Fn&& fn, std::size_t work = kMinParallelWork) {
    if (n == 0) return;
    if (threads <= 1 || n == 1 || work < kMinParallelWork) {
        for (std::size_t t = 0; t < n; ++t) fn(t);
        return;
    }
    std::atomic<std::size_t> next{0};
    const int workers = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), n));
    parallelize(workers, workers, [&](int, int, int) {
        for (;;) {
            const std::size_t t = next.fetch_add(1, std::memory_order_relaxed);
            if (t >= n) break;
            fn(t);
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Binning
// ---------------------------------------------------------------------------------------------

/// The training matrix cut into per-feature quantile bins, row-major, one byte per cell.
/// Feature f has n_bins(f) value bins and one missing bin (index n_bins(f)); its histogram
/// slots are [offsets[f], offsets[f+1]). A value x falls in bin b = #{j : thresholds[f][j] < x},
/// so "bin <= j" is exactly "x <= thresholds[f][j]".
struct Binned {
    std::size_t n_rows = 0;
    std::size_t n_features = 0;
    std::vector<std::uint8_t> bins;
    std::vector<std::uint32_t> offsets;
    std::vector<std::vector<double>> thresholds;

    int n_bins(std::size_t f) const noexcept { return static_cast<int>(offsets[f + 1] - offsets[f]) - 1; }
    std::size_t total_slots() const noexcept { return offsets.back(); }
};

/// Cut points of one feature (NaNs removed by the caller): midpoints between consecutive distinct
/// values when there are at most max_bins of them, else the distinct midpoint-percentiles
/// k/max_bins, k = 1..max_bins-1, of the sorted values (numpy's percentile, method="midpoint",
/// as scikit-learn's HistGradientBoosting does).
inline std::vector<double> quantile_thresholds(std::vector<double>& values, int max_bins) {
    std::vector<double> t;
    if (values.empty()) return t;
    std::sort(values.begin(), values.end());
    std::vector<double> distinct;
    for (double v : values)
        if (distinct.empty() || v != distinct.back()) distinct.push_back(v);
    if (distinct.size() <= static_cast<std::size_t>(max_bins)) {
        for (std::size_t i = 1; i < distinct.size(); ++i) {
            double mid = distinct[i - 1] + (distinct[i] - distinct[i - 1]) * 0.5;
            if (!(mid < distinct[i])) mid = distinct[i - 1];  // adjacent doubles
            t.push_back(mid);
        }
        return t;
    }
    const double n1 = static_cast<double>(values.size() - 1);
    for (int k = 1; k < max_bins; ++k) {
        const double pos = n1 * static_cast<double>(k) / static_cast<double>(max_bins);
        const auto lo = static_cast<std::size_t>(std::floor(pos));
        const auto hi = static_cast<std::size_t>(std::ceil(pos));
        const double mid = values[lo] + (values[hi] - values[lo]) * 0.5;
        if (t.empty() || mid > t.back()) t.push_back(mid);
    }
    // a cut at or above the maximum separates nothing
    while (!t.empty() && t.back() >= distinct.back()) t.pop_back();
    return t;
}

/// Bin of x for the cut points t (missing -> t.size() + 1 is NOT returned here; callers check NaN).
inline std::uint8_t bin_of(const std::vector<double>& t, double x) noexcept {
    return static_cast<std::uint8_t>(std::lower_bound(t.begin(), t.end(), x) - t.begin());
}

/// Bins a column-major matrix (column f at data + f * col_stride, rows contiguous).
inline Binned bin_matrix(const double* data, std::size_t rows, std::size_t cols, std::ptrdiff_t col_stride,
                         int max_bins, int threads) {
    Binned b;
    b.n_rows = rows;
    b.n_features = cols;
    b.bins.assign(rows * cols, 0);
    b.thresholds.resize(cols);
    run_tasks(threads, cols, [&](std::size_t f) {
        const double* col = data + static_cast<std::ptrdiff_t>(f) * col_stride;
        std::vector<double> values;
        values.reserve(rows);
        for (std::size_t r = 0; r < rows; ++r)
            if (!std::isnan(col[r])) values.push_back(col[r]);
        b.thresholds[f] = quantile_thresholds(values, max_bins);
        const auto& t = b.thresholds[f];
        const auto missing = static_cast<std::uint8_t>(t.size() + 1);
        for (std::size_t r = 0; r < rows; ++r)
            b.bins[r * cols + f] = std::isnan(col[r]) ? missing : bin_of(t, col[r]);
    });
    b.offsets.assign(cols + 1, 0);
    for (std::size_t f = 0; f < cols; ++f)
        b.offsets[f + 1] = b.offsets[f] + static_cast<std::uint32_t>(b.thresholds[f].size() + 2);
    return b;
}

// ---------------------------------------------------------------------------------------------
// Split math (XGBoost's TrainParam formulas)
// ---------------------------------------------------------------------------------------------

struct SplitParams {
    double lambda = 1.0;
    double alpha = 0.0;
    double gamma = 0.0;
    double min_child_weight = 1.0;
    double eta = 0.3;
    int max_depth = 6;    ///< 0 = unlimited
    int max_leaves = 0;   ///< 0 = unlimited
    bool lossguide = false;
    double colsample_bynode = 1.0;
};

inline double threshold_l1(double g, double alpha) noexcept {
    return g > alpha ? g - alpha : (g < -alpha ? g + alpha : 0.0);
}
/// Structure score G^2 / (H + lambda) with L1 soft-thresholding of G; 0 below min_child_weight.
inline double calc_gain(const GradPair& s, const SplitParams& p) noexcept {
    if (s.h < p.min_child_weight || s.h <= 0.0) return 0.0;
    const double g = threshold_l1(s.g, p.alpha);
    return g * g / (s.h + p.lambda);
}
/// Optimal leaf weight -G / (H + lambda) (L1 soft-thresholded), before the learning rate.
inline double calc_weight(const GradPair& s, const SplitParams& p) noexcept {
    if (s.h < p.min_child_weight || s.h <= 0.0) return 0.0;
    return -threshold_l1(s.g, p.alpha) / (s.h + p.lambda);
}

constexpr double kRtEps = 1e-6;  // XGBoost's minimum loss change of a valid split

struct SplitCandidate {
    double loss_chg = 0.0;
    int feature = -1;
    int bin = -1;  ///< rows with bin <= this go left
    bool default_left = false;
    GradPair left, right;
};

/// Best split of one node over `features` from its histogram (slots of Binned::offsets).
inline SplitCandidate best_split(const GradPair* hist, const GradPair& sum, const Binned& X,
                                 const std::vector<int>& features, const SplitParams& p) {
    SplitCandidate best;
    const double parent = calc_gain(sum, p);
    const double mcw = p.min_child_weight;
    for (int f : features) {
        const std::size_t s0 = X.offsets[static_cast<std::size_t>(f)];
        const int nb = X.n_bins(static_cast<std::size_t>(f));
        if (nb < 2) continue;
        const GradPair miss = hist[s0 + static_cast<std::size_t>(nb)];
        const bool has_missing = miss.h > 0.0;
        GradPair acc;
        for (int j = 0; j + 1 < nb; ++j) {
            const GradPair& bin = hist[s0 + static_cast<std::size_t>(j)];
            if (bin.h == 0.0 && bin.g == 0.0) continue;  // empty bin: same partition as bin j - 1
            acc += bin;
            {  // missing goes right
                const GradPair r = sum - acc;
                if (acc.h >= mcw && r.h >= mcw) {
                    const double chg = calc_gain(acc, p) + calc_gain(r, p) - parent;
                    if (chg > best.loss_chg) best = {chg, f, j, false, acc, r};
                }
            }
            if (has_missing) {  // missing goes left
                const GradPair l = acc + miss;
                const GradPair r = sum - l;
                if (l.h >= mcw && r.h >= mcw) {
                    const double chg = calc_gain(l, p) + calc_gain(r, p) - parent;
                    if (chg > best.loss_chg) best = {chg, f, j, true, l, r};
                }
            }
        }
    }
    return best;
}

// ---------------------------------------------------------------------------------------------
// Tree growing
// ---------------------------------------------------------------------------------------------

/// Rows per histogram / partition task: nodes with fewer rows are one task.
constexpr std::size_t kMinRowsPerTask = 8192;

/// Grows one tree on the rows `rows` (a permutation workspace the builder reorders) of X.
/// Thread safety: one builder per fit; internally parallel over `threads`.
class TreeBuilder {
public:
    TreeBuilder(const Binned& X, const SplitParams& p, int threads) : X_(X), p_(p), threads_(threads) {}

    /// Rows rows()[begin, end) of a leaf, or (split = true) of a split node whose two children
    /// are both leaves: those rows are never partitioned, the caller routes each by its bin.
    struct LeafRange {
        std::int32_t node;
        std::uint32_t begin, end;
        bool split = false;
    };

    /// Grows a tree from the gradient pairs gh (indexed by row) over rows[0, n_rows).
    /// tree_features: features this tree may split on (sorted). Returns the tree; leaf_ranges()
    /// then tells which rows (rows()[begin, end)) landed in which leaf.
    Tree grow(const RowGrad* gh, std::vector<std::uint32_t>& rows, const std::vector<int>& tree_features, Rng& rng) {
        gh_ = gh;
        rows_ = &rows;
        tmp_.resize(rows.size());
        tree_ = Tree{};
        split_bin_.clear();
        leaves_.clear();
        tree_features_ = &tree_features;
        rng_ = &rng;
        n_leaves_ = 1;
        free_hists_.clear();
        for (std::size_t i = 0; i < hists_.size(); ++i) free_hists_.push_back(static_cast<int>(i));

        Cand root;
        root.node = new_node();
        root.begin = 0;
        root.end = static_cast<std::uint32_t>(rows.size());
        root.depth = 0;
        root.sum = sum_rows(root.begin, root.end);
        tree_.cover[0] = root.sum.h;
        tree_.weight[0] = calc_weight(root.sum, p_) * p_.eta;
        std::vector<Cand> level{root};
        if (can_split(root)) {
            level[0].hist = alloc_hist();
            build_hists(level, {0});
            evaluate(level, {0});
        }
        if (p_.lossguide)
            grow_lossguide(std::move(level));
        else
            grow_depthwise(std::move(level));
        return std::move(tree_);
    }

    const std::vector<LeafRange>& leaf_ranges() const noexcept { return leaves_; }
    /// Bin threshold of each node of the last grown tree (rows with bin <= it go left).
    const std::vector<int>& split_bins() const noexcept { return split_bin_; }

private:
    struct Cand {
        std::int32_t node = 0;
        std::uint32_t begin = 0, end = 0;
        int depth = 0;
        GradPair sum;
        int hist = -1;
        bool rowless = false;  ///< a leaf-to-be whose rows stay in its parent's range
        SplitCandidate best;
    };

    std::int32_t new_node() {
        tree_.nodes.emplace_back();
        tree_.cover.push_back(0.0);
        tree_.gain.push_back(0.0);
        tree_.weight.push_back(0.0);
        split_bin_.push_back(-1);
        return static_cast<std::int32_t>(tree_.nodes.size() - 1);
    }

    int alloc_hist() {
        if (free_hists_.empty()) {
            hists_.emplace_back(X_.total_slots());
            return static_cast<int>(hists_.size() - 1);
        }
        const int h = free_hists_.back();
        free_hists_.pop_back();
        return h;
    }
    void release_hist(Cand& c) {
        if (c.hist >= 0) free_hists_.push_back(c.hist);
        c.hist = -1;
    }

    bool can_split(const Cand& c) const noexcept {
        if (p_.max_depth > 0 && c.depth >= p_.max_depth) return false;
        if (c.end - c.begin < 2) return false;
        return c.sum.h >= 2.0 * p_.min_child_weight;
    }
    bool valid(const Cand& c) const noexcept {
        if (c.best.feature < 0) return false;
        if (c.best.loss_chg <= kRtEps) return false;
        if (c.best.left.h == 0.0 || c.best.right.h == 0.0) return false;
        if (c.best.loss_chg < p_.gamma) return false;
        if (p_.max_depth > 0 && c.depth >= p_.max_depth) return false;
        return true;
    }

    GradPair sum_rows(std::uint32_t begin, std::uint32_t end) const {
        GradPair s;
        const auto& rows = *rows_;
        for (std::uint32_t i = begin; i < end; ++i) {
            s.g += static_cast<double>(gh_[rows[i]].g);
            s.h += static_cast<double>(gh_[rows[i]].h);
        }
        return s;
    }

    void make_leaf(const Cand& c) {
        Node& n = tree_.nodes[static_cast<std::size_t>(c.node)];
        n.left = 0;
        n.threshold = calc_weight(c.sum, p_) * p_.eta;
        if (!c.rowless) leaves_.push_back({c.node, c.begin, c.end, false});
    }

    // Splits of the tasks of a list of nodes: each node's rows cut into at most threads_ chunks.
    struct Task {
        std::size_t cand;
        std::uint32_t begin, end;
        int part;  ///< index of the partial histogram (-1: write into the node's own histogram)
    };
    std::vector<Task> make_tasks(const std::vector<Cand>& cands, const std::vector<std::size_t>& which) {
        std::vector<Task> tasks;
        for (std::size_t k : which) {
            const Cand& c = cands[k];
            const std::size_t n = c.end - c.begin;
            const std::size_t chunks = std::max<std::size_t>(
                1, std::min<std::size_t>(static_cast<std::size_t>(threads_), n / kMinRowsPerTask));
            for (std::size_t j = 0; j < chunks; ++j) {
                const auto b = static_cast<std::uint32_t>(c.begin + n * j / chunks);
                const auto e = static_cast<std::uint32_t>(c.begin + n * (j + 1) / chunks);
                tasks.push_back({k, b, e, chunks == 1 ? -1 : 0});
            }
        }
        // biggest tasks first for load balance (the result does not depend on the order)
        std::stable_sort(tasks.begin(), tasks.end(),
                         [](const Task& a, const Task& b) { return a.end - a.begin > b.end - b.begin; });
        return tasks;
    }

    static std::size_t rows_work(const std::vector<Task>& tasks) {
        std::size_t w = 0;
        for (const auto& t : tasks) w += t.end - t.begin;
        return w;
    }

    /// Fills the histograms of cands[which] (each must have c.hist allocated).
    void build_hists(std::vector<Cand>& cands, const std::vector<std::size_t>& which) {
        auto tasks = make_tasks(cands, which);
        std::size_t n_parts = 0;
        for (auto& t : tasks)
            if (t.part >= 0) t.part = static_cast<int>(n_parts++);
        if (partials_.size() < n_parts) partials_.resize(n_parts);
        const std::size_t slots = X_.total_slots();
        const std::size_t F = X_.n_features;
        const std::uint32_t* off = X_.offsets.data();
        const std::uint8_t* bins = X_.bins.data();
        const std::uint32_t* rows = rows_->data();
        run_tasks(threads_, tasks.size(), [&](std::size_t ti) {
            const Task& t = tasks[ti];
            std::vector<GradPair>& out = t.part < 0 ? hists_[static_cast<std::size_t>(cands[t.cand].hist)]
                                                    : partials_[static_cast<std::size_t>(t.part)];
            out.assign(slots, GradPair{});
            GradPair* h = out.data();
            for (std::uint32_t i = t.begin; i < t.end; ++i) {
                const std::uint32_t r = rows[i];
                const double gg = static_cast<double>(gh_[r].g);
                const double hh = static_cast<double>(gh_[r].h);
                const std::uint8_t* br = bins + static_cast<std::size_t>(r) * F;
                for (std::size_t f = 0; f < F; ++f) {
                    GradPair& s = h[off[f] + br[f]];
                    s.g += gg;
                    s.h += hh;
                }
            }
        }, rows_work(tasks) * F);
        if (n_parts == 0) return;
        // reduce the partials of each node in chunk order (deterministic for a thread count)
        std::vector<std::vector<int>> parts_of(cands.size());
        std::vector<std::pair<std::uint32_t, int>> order;
        for (const auto& t : tasks)
            if (t.part >= 0) order.push_back({t.begin, t.part});
        std::sort(order.begin(), order.end());
        std::vector<std::size_t> cand_of_part(n_parts);
        for (const auto& t : tasks)
            if (t.part >= 0) cand_of_part[static_cast<std::size_t>(t.part)] = t.cand;
        std::vector<std::size_t> multi;
        for (const auto& [b, part] : order) {
            const std::size_t k = cand_of_part[static_cast<std::size_t>(part)];
            if (parts_of[k].empty()) multi.push_back(k);
            parts_of[k].push_back(part);
        }
        run_tasks(threads_, multi.size(), [&](std::size_t mi) {
            const std::size_t k = multi[mi];
            GradPair* dst = hists_[static_cast<std::size_t>(cands[k].hist)].data();
            const auto& ps = parts_of[k];
            const GradPair* first = partials_[static_cast<std::size_t>(ps[0])].data();
            std::copy(first, first + slots, dst);
            for (std::size_t j = 1; j < ps.size(); ++j) {
                const GradPair* src = partials_[static_cast<std::size_t>(ps[j])].data();
                for (std::size_t s = 0; s < slots; ++s) dst[s] += src[s];
            }
        }, multi.size() * slots * 4);
    }

    /// Finds the best split of cands[which] (histograms built); colsample_bynode draws here.
    void evaluate(std::vector<Cand>& cands, const std::vector<std::size_t>& which) {
        std::vector<std::vector<int>> feats(which.size());
        for (std::size_t i = 0; i < which.size(); ++i) feats[i] = node_features();
        run_tasks(threads_, which.size(), [&](std::size_t i) {
            Cand& c = cands[which[i]];
            c.best = best_split(hists_[static_cast<std::size_t>(c.hist)].data(), c.sum, X_,
                                feats[i].empty() ? *tree_features_ : feats[i], p_);
        }, which.size() * X_.total_slots() * 2);
    }

    std::vector<int> node_features() {
        if (p_.colsample_bynode >= 1.0) return {};
        std::vector<int> f = *tree_features_;
        const auto k = std::max<std::size_t>(
            1, static_cast<std::size_t>(p_.colsample_bynode * static_cast<double>(f.size())));
        for (std::size_t i = 0; i < k && i + 1 < f.size(); ++i)
            std::swap(f[i], f[i + rng_->below(f.size() - i)]);
        f.resize(std::min(k, f.size()));
        std::sort(f.begin(), f.end());
        return f;
    }

    /// Splits every cand in `parents` (valid splits): new tree nodes, row partition, child
    /// histograms (smaller child built, larger = parent - smaller) and child split evaluation.
    std::vector<Cand> expand(std::vector<Cand>& parents) {
        std::vector<Cand> children;
        children.reserve(parents.size() * 2);
        for (Cand& c : parents) {
            const std::int32_t l = new_node();
            new_node();
            Node& n = tree_.nodes[static_cast<std::size_t>(c.node)];
            const auto f = static_cast<std::size_t>(c.best.feature);
            n.left = l;
            n.feature = static_cast<std::uint16_t>(f);
            n.default_left = c.best.default_left ? 1 : 0;
            n.threshold = X_.thresholds[f][static_cast<std::size_t>(c.best.bin)];
            split_bin_[static_cast<std::size_t>(c.node)] = c.best.bin;
            tree_.gain[static_cast<std::size_t>(c.node)] = c.best.loss_chg;
            for (int side = 0; side < 2; ++side) {
                Cand ch;
                ch.node = l + side;
                ch.depth = c.depth + 1;
                ch.sum = side == 0 ? c.best.left : c.best.right;
                tree_.cover[static_cast<std::size_t>(ch.node)] = ch.sum.h;
                tree_.weight[static_cast<std::size_t>(ch.node)] = calc_weight(ch.sum, p_) * p_.eta;
                children.push_back(ch);
            }
        }
        // parents whose children are leaves whatever their rows (depth limit, hessian too small
        // to split again) are not partitioned: their rows are routed when margins are updated
        std::vector<std::size_t> to_partition;
        for (std::size_t i = 0; i < parents.size(); ++i) {
            const Cand& c = parents[i];
            const bool terminal = (p_.max_depth > 0 && c.depth + 1 >= p_.max_depth) ||
                                  (c.best.left.h < 2.0 * p_.min_child_weight && c.best.right.h < 2.0 * p_.min_child_weight);
            if (terminal) {
                leaves_.push_back({c.node, c.begin, c.end, true});
                children[2 * i].rowless = children[2 * i + 1].rowless = true;
            } else {
                to_partition.push_back(i);
            }
        }
        partition(parents, to_partition, children);
        // which children need histograms
        std::vector<std::size_t> build, subtract;
        for (std::size_t i = 0; i < parents.size(); ++i) {
            Cand& a = children[2 * i];
            Cand& b = children[2 * i + 1];
            const bool need_a = can_split(a), need_b = can_split(b);
            if (!need_a && !need_b) {
                release_hist(parents[i]);
                continue;
            }
            const bool a_small = (a.end - a.begin) <= (b.end - b.begin);
            Cand& small = a_small ? a : b;
            Cand& large = a_small ? b : a;
            small.hist = alloc_hist();
            build.push_back(a_small ? 2 * i : 2 * i + 1);
            if (a_small ? need_b : need_a) {
                large.hist = parents[i].hist;  // becomes parent - small in place
                parents[i].hist = -1;
                subtract.push_back(a_small ? 2 * i + 1 : 2 * i);
            } else {
                release_hist(parents[i]);
            }
        }
        build_hists(children, build);
        const std::size_t slots = X_.total_slots();
        run_tasks(threads_, subtract.size(), [&](std::size_t i) {
            const std::size_t k = subtract[i];
            const std::size_t sib = k ^ 1u;
            GradPair* dst = hists_[static_cast<std::size_t>(children[k].hist)].data();
            const GradPair* src = hists_[static_cast<std::size_t>(children[sib].hist)].data();
            for (std::size_t s = 0; s < slots; ++s) {
                dst[s].g -= src[s].g;
                dst[s].h -= src[s].h;
            }
        }, subtract.size() * slots / 4);
        std::vector<std::size_t> eval;
        for (std::size_t k = 0; k < children.size(); ++k) {
            if (children[k].hist >= 0 && !can_split(children[k])) release_hist(children[k]);
            if (children[k].hist >= 0) eval.push_back(k);
        }
        evaluate(children, eval);
        return children;
    }

    /// Stable partition of each parent's rows into its two children (left rows first).
    void partition(const std::vector<Cand>& parents, const std::vector<std::size_t>& which, std::vector<Cand>& children) {
        if (which.empty()) return;
        auto tasks = make_tasks(parents, which);
        std::sort(tasks.begin(), tasks.end(), [](const Task& a, const Task& b) { return a.begin < b.begin; });
        std::vector<std::uint32_t> n_left(tasks.size());
        std::uint32_t* rows = rows_->data();
        std::uint32_t* tmp = tmp_.data();
        const std::size_t F = X_.n_features;
        const std::uint8_t* bins = X_.bins.data();
        // pass 1 (branch-free): left rows of each task go to tmp[begin..), right rows to tmp
        // from the end backwards
        run_tasks(threads_, tasks.size(), [&](std::size_t ti) {
            const Task& t = tasks[ti];
            const Cand& c = parents[t.cand];
            const auto f = static_cast<std::size_t>(c.best.feature);
            const int missing = X_.n_bins(f);
            const int split = c.best.bin;
            const bool dl = c.best.default_left;
            const std::uint8_t* col = bins + f;
            std::uint32_t* lo = tmp + t.begin;
            std::uint32_t* hi = tmp + t.end - 1;
            for (std::uint32_t i = t.begin; i < t.end; ++i) {
                const std::uint32_t r = rows[i];
                const int b = col[static_cast<std::size_t>(r) * F];
                const bool left = (b <= split) | (dl & (b == missing));
                *lo = r;
                *hi = r;
                lo += left;
                hi -= !left;
            }
            n_left[ti] = static_cast<std::uint32_t>(lo - (tmp + t.begin));
        }, rows_work(tasks));
        // offsets of each task's left and right rows inside its node
        std::vector<std::uint32_t> left_at(tasks.size()), right_at(tasks.size());
        {
            std::size_t ti = 0;
            while (ti < tasks.size()) {
                const std::size_t k = tasks[ti].cand;
                std::size_t tj = ti;
                std::uint32_t total_left = 0;
                while (tj < tasks.size() && tasks[tj].cand == k) total_left += n_left[tj++];
                std::uint32_t lpos = parents[k].begin, rpos = parents[k].begin + total_left;
                for (std::size_t q = ti; q < tj; ++q) {
                    left_at[q] = lpos;
                    right_at[q] = rpos;
                    lpos += n_left[q];
                    rpos += (tasks[q].end - tasks[q].begin) - n_left[q];
                }
                children[2 * k].begin = parents[k].begin;
                children[2 * k].end = parents[k].begin + total_left;
                children[2 * k + 1].begin = parents[k].begin + total_left;
                children[2 * k + 1].end = parents[k].end;
                ti = tj;
            }
        }
        // pass 2: copy back in order
        run_tasks(threads_, tasks.size(), [&](std::size_t ti) {
            const Task& t = tasks[ti];
            const std::uint32_t nl = n_left[ti];
            const std::uint32_t nr = (t.end - t.begin) - nl;
            std::copy(tmp + t.begin, tmp + t.begin + nl, rows + left_at[ti]);
            for (std::uint32_t j = 0; j < nr; ++j) rows[right_at[ti] + j] = tmp[t.end - 1 - j];
        }, rows_work(tasks));
    }

    void grow_depthwise(std::vector<Cand> level) {
        while (!level.empty()) {
            std::vector<Cand> expanding;
            for (Cand& c : level) {
                if (valid(c) && (p_.max_leaves <= 0 || n_leaves_ < p_.max_leaves)) {
                    ++n_leaves_;
                    expanding.push_back(c);
                } else {
                    release_hist(c);
                    make_leaf(c);
                }
            }
            if (expanding.empty()) break;
            level = expand(expanding);
        }
    }

    void grow_lossguide(std::vector<Cand> start) {
        auto worse = [](const Cand& a, const Cand& b) {
            if (a.best.loss_chg != b.best.loss_chg) return a.best.loss_chg < b.best.loss_chg;
            return a.node > b.node;
        };
        std::priority_queue<Cand, std::vector<Cand>, decltype(worse)> queue(worse);
        auto offer = [&](Cand& c) {
            if (valid(c))
                queue.push(c);
            else {
                release_hist(c);
                make_leaf(c);
            }
        };
        for (Cand& c : start) offer(c);
        while (!queue.empty()) {
            Cand c = queue.top();
            queue.pop();
            if (p_.max_leaves > 0 && n_leaves_ >= p_.max_leaves) {
                release_hist(c);
                make_leaf(c);
                continue;
            }
            ++n_leaves_;
            std::vector<Cand> one{c};
            auto children = expand(one);
            for (Cand& ch : children) offer(ch);
        }
    }

    const Binned& X_;
    SplitParams p_;
    int threads_;
    const RowGrad* gh_ = nullptr;
    std::vector<std::uint32_t>* rows_ = nullptr;
    std::vector<std::uint32_t> tmp_;
    Tree tree_;
    std::vector<int> split_bin_;
    std::vector<LeafRange> leaves_;
    const std::vector<int>* tree_features_ = nullptr;
    Rng* rng_ = nullptr;
    int n_leaves_ = 1;
    std::vector<std::vector<GradPair>> hists_;
    std::vector<int> free_hists_;
    std::vector<std::vector<GradPair>> partials_;
};

/// Leaf of the binned row br (bins of one training row) in a tree grown on those bins.
inline std::int32_t leaf_of_binned(const Tree& t, const std::vector<int>& split_bin, const Binned& X,
                                   const std::uint8_t* br) noexcept {
    std::int32_t i = 0;
    while (t.nodes[static_cast<std::size_t>(i)].left != 0) {
        const Node& n = t.nodes[static_cast<std::size_t>(i)];
        const int b = br[n.feature];
        const bool left = b == X.n_bins(n.feature) ? n.default_left != 0 : b <= split_bin[static_cast<std::size_t>(i)];
        i = n.left + (left ? 0 : 1);
    }
    return i;
}

}  // namespace musiclab::trees::detail
