// Tests of musiclab/cluster/hdbscan.hpp and hierarchy.hpp: stage-by-stage parity with hdbscan
// 0.8.43 (algorithm='prims_kdtree') on every <dataset>/<case> folder of
// ../shared/reference/hdbscan (found by directory iteration; parameters from _facts.json),
// thread-count independence, hand-worked cases (exact trees, approximate_predict) and bad input.
#include <doctest/doctest.h>
#include <musiclab/cluster.hpp>
#include <musiclab/core.hpp>
#include <musiclab/metrics/clustering.hpp>

#include "support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

using musiclab::cluster::ClusterSelection;
using musiclab::cluster::HdbscanOptions;
using musiclab::cluster::MstAlgorithm;

namespace {

namespace fs = std::filesystem;

fs::path hdbscan_reference() { return musiclab::test::shared_dir() / "reference/hdbscan"; }

struct Tsv {
    std::vector<std::string> header;
    std::vector<std::vector<double>> rows;
    std::size_t col(const std::string& name) const {
        const auto it = std::find(header.begin(), header.end(), name);
        REQUIRE_MESSAGE(it != header.end(), "missing column " << name);
        return static_cast<std::size_t>(it - header.begin());
    }
    std::vector<double> column(const std::string& name) const {
        const std::size_t c = col(name);
        std::vector<double> out;
        out.reserve(rows.size());
        for (const auto& r : rows) out.push_back(r[c]);
        return out;
    }
};

/// Reads a TSV of numbers (strtod: accepts nan and inf, round-trips Python repr exactly).
Tsv read_tsv(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open " << p.string());
    Tsv t;
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::vector<std::string> fields;
        std::size_t b = 0;
        while (true) {
            const std::size_t e = line.find('\t', b);
            fields.push_back(line.substr(b, e == std::string::npos ? std::string::npos : e - b));
            if (e == std::string::npos) break;
            b = e + 1;
        }
        if (first) {
            t.header = fields;
            first = false;
            continue;
        }
        std::vector<double> row;
        for (const auto& f : fields) row.push_back(std::strtod(f.c_str(), nullptr));
        t.rows.push_back(std::move(row));
    }
    return t;
}

struct Dataset {
    std::string name;
    fs::path dir;
    std::size_t n = 0, dim = 0;
    std::vector<double> x;  // row-major
};

Dataset read_dataset(const fs::path& dir) {
    Dataset d;
    d.name = dir.filename().string();
    d.dir = dir;
    const Tsv t = read_tsv(dir / "points.tsv");
    d.n = t.rows.size();
    d.dim = t.header.size();
    for (const auto& r : t.rows) d.x.insert(d.x.end(), r.begin(), r.end());
    return d;
}

std::vector<fs::path> dataset_dirs() {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(hdbscan_reference()))
        if (e.is_directory() && fs::exists(e.path() / "points.tsv")) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<fs::path> case_dirs(const fs::path& dataset) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dataset))
        if (e.is_directory() && fs::exists(e.path() / "labels.tsv")) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

nlohmann::json facts() {
    std::ifstream in(hdbscan_reference() / "_facts.json");
    return nlohmann::json::parse(in);
}

/// Options from the case's params in _facts.json (hdbscan's names and defaults).
HdbscanOptions options_from(const nlohmann::json& params) {
    HdbscanOptions o;
    o.min_cluster_size = params.at("min_cluster_size").get<int>();
    if (params.contains("min_samples")) o.min_samples = params.at("min_samples").get<int>();
    if (params.contains("cluster_selection_method")) {
        const auto m = params.at("cluster_selection_method").get<std::string>();
        REQUIRE((m == "eom" || m == "leaf"));
        o.cluster_selection_method = m == "leaf" ? ClusterSelection::leaf : ClusterSelection::eom;
    }
    if (params.contains("cluster_selection_epsilon"))
        o.cluster_selection_epsilon = params.at("cluster_selection_epsilon").get<double>();
    if (params.contains("allow_single_cluster")) o.allow_single_cluster = params.at("allow_single_cluster").get<bool>();
    if (params.contains("alpha")) o.alpha = params.at("alpha").get<double>();
    if (params.contains("max_cluster_size")) o.max_cluster_size = params.at("max_cluster_size").get<std::int64_t>();
    for (const auto& [key, value] : params.items()) {
        const bool known = key == "min_cluster_size" || key == "min_samples" || key == "cluster_selection_method" ||
                           key == "cluster_selection_epsilon" || key == "allow_single_cluster" || key == "alpha" ||
                           key == "max_cluster_size";
        CHECK_MESSAGE(known, "unhandled parameter " << key);
    }
    return o;
}

musiclab::cluster::SelectionOptions selection_of(const HdbscanOptions& o) {
    musiclab::cluster::SelectionOptions s;
    s.min_cluster_size = o.min_cluster_size;
    s.cluster_selection_method = o.cluster_selection_method;
    s.cluster_selection_epsilon = o.cluster_selection_epsilon;
    s.allow_single_cluster = o.allow_single_cluster;
    s.max_cluster_size = o.max_cluster_size;
    return s;
}

bool rel_close(double a, double b, double rel) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    if (std::isinf(a) || std::isinf(b)) return a == b;
    return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b));
}

bool abs_close(double a, double b, double tol) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    if (std::isinf(a) || std::isinf(b)) return a == b;
    return std::fabs(a - b) <= tol;
}

std::vector<int> to_int(const std::vector<double>& v) {
    std::vector<int> out;
    out.reserve(v.size());
    for (const double x : v) out.push_back(static_cast<int>(x));
    return out;
}

std::vector<musiclab::cluster::SingleLinkageRow> read_slt(const fs::path& p) {
    const Tsv t = read_tsv(p);
    std::vector<musiclab::cluster::SingleLinkageRow> out;
    for (const auto& r : t.rows)
        out.push_back({static_cast<std::int64_t>(r[t.col("left")]), static_cast<std::int64_t>(r[t.col("right")]),
                       r[t.col("distance")], static_cast<std::int64_t>(r[t.col("size")])});
    return out;
}

}  // namespace

TEST_CASE("hdbscan parity: core distances on every reference dataset") {
    MUSICLAB_REQUIRE_PATH(hdbscan_reference());
    int checked = 0;
    for (const auto& dir : dataset_dirs()) {
        const Dataset d = read_dataset(dir);
        const Tsv ref = read_tsv(dir / "core_distances.tsv");
        for (const auto& colname : ref.header) {
            REQUIRE(colname.rfind("min_samples_", 0) == 0);
            const int k = std::stoi(colname.substr(12));
            const auto expected = ref.column(colname);
            const auto got = musiclab::cluster::core_distances(d.x.data(), d.n, d.dim, k);
            REQUIRE(got.size() == expected.size());
            std::size_t bad = 0;
            for (std::size_t i = 0; i < got.size(); ++i)
                if (!rel_close(got[i], expected[i], 1e-12)) ++bad;  // exact distances: 1e-12 relative
            CHECK_MESSAGE(bad == 0, d.name << " " << colname << ": " << bad << " core distances differ");
            ++checked;
        }
    }
    CHECK(checked >= 3);
}

TEST_CASE("hdbscan parity: from the reference single-linkage tree onwards (condensed tree labels probabilities GLOSH persistence)") {
    MUSICLAB_REQUIRE_PATH(hdbscan_reference());
    const auto f = facts();
    int checked = 0;
    for (const auto& dir : dataset_dirs()) {
        for (const auto& cdir : case_dirs(dir)) {
            const std::string ds = dir.filename().string(), cs = cdir.filename().string();
            const std::string what = ds + "/" + cs;
            INFO(what);
            const HdbscanOptions o = options_from(f.at(ds).at("cases").at(cs).at("params"));
            const auto slt = read_slt(cdir / "single_linkage_tree.prims_kdtree.tsv");
            const auto r = musiclab::cluster::clusters_from_single_linkage(slt, selection_of(o));

            // condensed tree: same rows (parent, child, child_size), lambda relative 1e-12, inf equal
            const Tsv ct = read_tsv(cdir / "condensed_tree.prims_kdtree.tsv");
            REQUIRE(ct.rows.size() == r.condensed_tree.size());
            std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, double> ref_rows;
            for (const auto& row : ct.rows)
                ref_rows[{static_cast<std::int64_t>(row[0]), static_cast<std::int64_t>(row[1]), static_cast<std::int64_t>(row[3])}] = row[2];
            std::size_t bad_rows = 0;
            for (const auto& row : r.condensed_tree) {
                const auto it = ref_rows.find({row.parent, row.child, row.child_size});
                if (it == ref_rows.end() || !rel_close(row.lambda, it->second, 1e-12)) ++bad_rows;
            }
            CHECK(bad_rows == 0);

            // labels identical; probabilities and GLOSH 1e-9 (nan where the reference has nan)
            const Tsv lab = read_tsv(cdir / "labels.tsv");
            const auto ref_labels = to_int(lab.column("label"));
            const auto ref_prob = lab.column("probability");
            const auto ref_glosh = lab.column("outlier_score");
            CHECK(r.labels == ref_labels);
            std::size_t bad_p = 0, bad_g = 0;
            for (std::size_t i = 0; i < ref_labels.size(); ++i) {
                if (!abs_close(r.probabilities[i], ref_prob[i], 1e-9)) ++bad_p;
                if (!abs_close(r.outlier_scores[i], ref_glosh[i], 1e-9)) ++bad_g;
            }
            CHECK(bad_p == 0);
            CHECK(bad_g == 0);

            // cluster persistence per label, 1e-9
            const Tsv per = read_tsv(cdir / "cluster_persistence.prims_kdtree.tsv");
            const auto ref_per = per.column("persistence");
            REQUIRE(ref_per.size() == r.cluster_persistence.size());
            for (std::size_t l = 0; l < ref_per.size(); ++l) CHECK(abs_close(r.cluster_persistence[l], ref_per[l], 1e-9));
            ++checked;
        }
    }
    CHECK(checked >= 12);
}

TEST_CASE("hdbscan parity: MST weights and end to end with both MST algorithms") {
    MUSICLAB_REQUIRE_PATH(hdbscan_reference());
    const auto f = facts();
    int checked = 0;
    for (const auto& dir : dataset_dirs()) {
        const Dataset d = read_dataset(dir);
        // One fit per (min_samples, algorithm): the MST and single-linkage tree do not depend on
        // the selection parameters, which are then applied by the same tree stage fit_hdbscan
        // ends with.
        std::map<std::pair<int, bool>, musiclab::cluster::HdbscanModel> fits;
        for (const auto& cdir : case_dirs(dir)) {
            const std::string ds = d.name, cs = cdir.filename().string();
            const auto& fc = f.at(ds).at("cases").at(cs);
            HdbscanOptions o = options_from(fc.at("params"));
            const double floor = fc.at("min_ari_exact_tie_variants").get<double>();
            const auto ref_slt = read_slt(cdir / "single_linkage_tree.prims_kdtree.tsv");
            std::vector<double> ref_w;
            for (const auto& row : ref_slt) ref_w.push_back(row.distance);
            std::sort(ref_w.begin(), ref_w.end());
            const Tsv lab = read_tsv(cdir / "labels.tsv");
            const auto ref_labels = to_int(lab.column("label"));
            const auto ref_prob = lab.column("probability");
            const auto ref_glosh = lab.column("outlier_score");

            for (const MstAlgorithm algo : {MstAlgorithm::prims, MstAlgorithm::boruvka_kdtree}) {
                const bool prims = algo == MstAlgorithm::prims;
                const std::string what = ds + "/" + cs + (prims ? " prims" : " boruvka_kdtree");
                INFO(what);
                o.mst_algorithm = algo;
                o.num_threads = 2;
                const auto key = std::make_pair(o.min_samples.value_or(o.min_cluster_size), prims);
                if (fits.count(key) == 0) fits.emplace(key, musiclab::cluster::fit_hdbscan(d.x, d.n, d.dim, o));
                const auto& m = fits.at(key);
                const auto tc = musiclab::cluster::clusters_from_single_linkage(m.single_linkage_tree, selection_of(o));
                // MST: sorted multiset of weights equals the reference's (relative 1e-12)
                std::vector<double> w;
                for (const auto& e : m.minimum_spanning_tree) w.push_back(e.weight);
                std::sort(w.begin(), w.end());
                REQUIRE(w.size() == ref_w.size());
                std::size_t bad_w = 0;
                for (std::size_t i = 0; i < w.size(); ++i)
                    if (!rel_close(w[i], ref_w[i], 1e-12)) ++bad_w;
                CHECK(bad_w == 0);
                if (prims) {
                    // Prim reproduces the reference's scan order and numpy's argsort: same tree, same labels.
                    bool same_tree = m.single_linkage_tree.size() == ref_slt.size();
                    for (std::size_t i = 0; same_tree && i < ref_slt.size(); ++i)
                        same_tree = m.single_linkage_tree[i].left == ref_slt[i].left &&
                                    m.single_linkage_tree[i].right == ref_slt[i].right &&
                                    m.single_linkage_tree[i].size == ref_slt[i].size;
                    CHECK(same_tree);
                    CHECK(tc.labels == ref_labels);
                }
                // End to end: ARI >= the spread of the reference's own exact tie variants.
                const double ari = musiclab::metrics::adjusted_rand_score(ref_labels, tc.labels);
                CHECK_MESSAGE(ari >= floor - 1e-12, "ARI " << ari << " < floor " << floor);
                // probabilities / GLOSH within 1e-6 on points whose label matches (clusters
                // matched by largest overlap, since numbering can shift).
                std::map<int, std::map<int, int>> overlap;
                for (std::size_t i = 0; i < d.n; ++i) ++overlap[tc.labels[i]][ref_labels[i]];
                std::map<int, int> to_ref;
                for (const auto& [mine, counts] : overlap) {
                    int best = -2, best_count = -1;
                    for (const auto& [ref, count] : counts)
                        if (count > best_count) {
                            best = ref;
                            best_count = count;
                        }
                    to_ref[mine] = mine == -1 ? -1 : best;
                }
                std::size_t matched = 0, bad_p = 0, bad_g = 0;
                for (std::size_t i = 0; i < d.n; ++i) {
                    if (to_ref[tc.labels[i]] != ref_labels[i]) continue;
                    ++matched;
                    if (!abs_close(tc.probabilities[i], ref_prob[i], 1e-6)) ++bad_p;
                    if (!abs_close(tc.outlier_scores[i], ref_glosh[i], 1e-6)) ++bad_g;
                }
                MESSAGE(what << ": ARI " << ari << " (floor " << floor
                           << "), matched " << matched << ", prob off " << bad_p << ", glosh off " << bad_g);
                if (prims) {
                    CHECK(bad_p == 0);
                    CHECK(bad_g == 0);
                }
            }
            ++checked;
        }
    }
    CHECK(checked >= 12);
}

TEST_CASE("hdbscan results do not depend on the thread count") {
    MUSICLAB_REQUIRE_PATH(hdbscan_reference() / "dup3d/points.tsv");
    const Dataset d = read_dataset(hdbscan_reference() / "dup3d");
    for (const MstAlgorithm algo : {MstAlgorithm::boruvka_kdtree, MstAlgorithm::prims}) {
        HdbscanOptions o;
        o.min_cluster_size = 10;
        o.mst_algorithm = algo;
        o.num_threads = 1;
        const auto a = musiclab::cluster::fit_hdbscan(d.x, d.n, d.dim, o);
        o.num_threads = 3;
        const auto b = musiclab::cluster::fit_hdbscan(d.x, d.n, d.dim, o);
        CHECK(a.labels == b.labels);
        CHECK(a.core_distances == b.core_distances);
        REQUIRE(a.single_linkage_tree.size() == b.single_linkage_tree.size());
        for (std::size_t i = 0; i < a.single_linkage_tree.size(); ++i) {
            CHECK(a.single_linkage_tree[i].left == b.single_linkage_tree[i].left);
            CHECK(a.single_linkage_tree[i].right == b.single_linkage_tree[i].right);
            CHECK(a.single_linkage_tree[i].distance == b.single_linkage_tree[i].distance);
        }
        for (std::size_t i = 0; i < d.n; ++i) {
            CHECK(abs_close(a.probabilities[i], b.probabilities[i], 0.0));
            CHECK(abs_close(a.outlier_scores[i], b.outlier_scores[i], 0.0));
        }
    }
}

TEST_CASE("hdbscan in 50 dimensions: parallel Prim and brute-force versus k-d tree core distances") {
    // 2000 x 50 takes the automatic high-dimension path (brute-force k-NN, dense Prim with the
    // scan split across workers). Two workers must give the one-worker result exactly, and
    // Boruvka over the k-d tree must find a tree of the same weights (the weight multiset of a
    // minimum spanning tree is unique).
    const std::size_t n = 2000, dim = 50;
    musiclab::Rng rng(7);
    std::vector<double> x(n * dim);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < dim; ++j) x[i * dim + j] = static_cast<double>(i % 4) * 3.0 + rng.normal();
    HdbscanOptions o;
    o.min_cluster_size = 20;
    o.num_threads = 1;
    const auto a = musiclab::cluster::fit_hdbscan(x, n, dim, o);
    o.num_threads = 2;
    const auto b = musiclab::cluster::fit_hdbscan(x, n, dim, o);
    CHECK(a.labels == b.labels);
    CHECK(a.core_distances == b.core_distances);
    REQUIRE(a.minimum_spanning_tree.size() == b.minimum_spanning_tree.size());
    bool same = true;
    for (std::size_t i = 0; i < a.minimum_spanning_tree.size(); ++i)
        same = same && a.minimum_spanning_tree[i].a == b.minimum_spanning_tree[i].a &&
               a.minimum_spanning_tree[i].b == b.minimum_spanning_tree[i].b &&
               a.minimum_spanning_tree[i].weight == b.minimum_spanning_tree[i].weight;
    CHECK(same);
    // the split plain scan itself (forced on for every step, first 600 points, no bounds): the
    // sequential scan's edges exactly
    const musiclab::detail::Points pts{x.data(), 600, dim};
    const auto e1 = musiclab::detail::prim_mst<musiclab::detail::EuclideanDistance>(pts, a.core_distances, 1.0, 1, 4000000, false);
    const auto e2 = musiclab::detail::prim_mst<musiclab::detail::EuclideanDistance>(pts, a.core_distances, 1.0, 2, 0, false);
    REQUIRE(e1.size() == e2.size());
    bool same_split = true;
    for (std::size_t i = 0; i < e1.size(); ++i)
        same_split = same_split && e1[i].a == e2[i].a && e1[i].b == e2[i].b && e1[i].weight == e2[i].weight;
    CHECK(same_split);
    // brute-force and k-d tree k-NN give the same distances (the automatic choice between them
    // only changes the speed)
    {
        const musiclab::detail::Points all{x.data(), n, dim};
        const musiclab::detail::KdTree tree(x.data(), n, dim, 32);
        std::vector<double> db, dt;
        std::vector<std::size_t> ib, it;
        musiclab::detail::knn_all_brute<musiclab::detail::EuclideanDistance>(all, 21, 2, db, ib);
        musiclab::detail::knn_all_kdtree<musiclab::detail::EuclideanDistance>(tree, 21, 2, dt, it);
        std::size_t differ = 0;
        for (std::size_t p = 0; p < n; ++p)
            for (std::size_t t = 0; t < 21; ++t)
                if (dt[p * 21 + t] != db[tree.index(p) * 21 + t]) ++differ;
        CHECK(differ == 0);
        for (std::size_t i = 0; i < n; ++i) CHECK(a.core_distances[i] == db[i * 21 + 20]);
    }
    o.mst_algorithm = MstAlgorithm::boruvka_kdtree;
    const auto c = musiclab::cluster::fit_hdbscan(x, n, dim, o);
    std::vector<double> wa, wc;
    for (const auto& e : a.minimum_spanning_tree) wa.push_back(e.weight);
    for (const auto& e : c.minimum_spanning_tree) wc.push_back(e.weight);
    std::sort(wa.begin(), wa.end());
    std::sort(wc.begin(), wc.end());
    REQUIRE(wa.size() == wc.size());
    std::size_t bad = 0;
    for (std::size_t i = 0; i < wa.size(); ++i)
        if (!rel_close(wa[i], wc[i], 1e-12)) ++bad;
    CHECK(bad == 0);
    // four well-separated groups of 500 points
    CHECK(musiclab::metrics::adjusted_rand_score(a.labels, c.labels) > 0.99);
}

TEST_CASE("hdbscan float32 lower bounds skip work without changing a result") {
    // Prim and brute-force k-NN in >= 16 dimensions skip pairs by float32 / projected lower
    // bounds (cluster/detail/float_bound.hpp, projected_scan.hpp: per-point thresholds streamed
    // over projected columns, blocks for the k-NN radius). Every edge and every neighbour must be
    // bit-identical to the scans without them: clustered data (the bounds prune), uniform data
    // (they rarely do), duplicates and near-ties (bounds at their tightest), huge coordinates
    // (bound disabled).
    using musiclab::detail::EuclideanDistance;
    const std::size_t n = 700, dim = 24;
    musiclab::Rng rng(11);
    std::vector<std::vector<double>> sets(5, std::vector<double>(n * dim));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < dim; ++j) {
            sets[0][i * dim + j] = static_cast<double>(i % 5) * 6.0 * (j % 3 == 0) + rng.normal();
            sets[1][i * dim + j] = rng.uniform();
            sets[2][i * dim + j] = i % 3 == 0 ? 1.0 + 1e-9 * static_cast<double>(i % 7) : static_cast<double>(i % 11);
            sets[3][i * dim + j] = (i == 5 ? 1e16 : 1.0) * rng.normal();
            // 14 clusters spanning 13 directions: more than 8 projected coordinates
            sets[4][i * dim + j] = 7.0 * static_cast<double>(i % 14 == j) + rng.normal();
        }
    {
        const musiclab::detail::DistanceBounds b(sets[4].data(), n, dim);
        REQUIRE(b.usable());
        CHECK(b.projected.dims() > 8);
        CHECK(b.projected.dims() <= 16);
        const musiclab::detail::DistanceBounds huge(sets[3].data(), n, dim);
        CHECK_FALSE(huge.usable());
    }
    // every kernel level (AVX-512, AVX2, scalar loop; a level the CPU lacks runs the best one it
    // has): the same lists and edges
    using musiclab::detail::SimdLevel;
    struct RestoreCap {
        ~RestoreCap() { musiclab::detail::set_simd_cap(SimdLevel::avx512); }
    } restore;
    for (const SimdLevel level : {SimdLevel::avx512, SimdLevel::avx2, SimdLevel::scalar}) {
        for (std::size_t s = 0; s < sets.size(); ++s) {
            musiclab::detail::set_simd_cap(level);
            CAPTURE(static_cast<int>(level));
            CAPTURE(static_cast<int>(musiclab::detail::simd_level()));
            CAPTURE(s);
            const musiclab::detail::Points pts{sets[s].data(), n, dim};
            std::vector<double> d1, d0;
            std::vector<std::size_t> i1, i0;
            musiclab::detail::knn_all_brute<EuclideanDistance>(pts, 9, 2, d1, i1, true);
            musiclab::detail::knn_all_brute<EuclideanDistance>(pts, 9, 2, d0, i0, false);
            CHECK(d1 == d0);
            CHECK(i1 == i0);  // ties at the k-th distance broken by row either way
            // k above the blocks' size (the k-NN scan then splits into larger blocks)
            std::vector<double> d3, d2;
            std::vector<std::size_t> i3, i2;
            musiclab::detail::knn_all_brute<EuclideanDistance>(pts, 45, 2, d3, i3, true);
            musiclab::detail::knn_all_brute<EuclideanDistance>(pts, 45, 2, d2, i2, false);
            CHECK(d3 == d2);
            CHECK(i3 == i2);
            std::vector<double> core(n);
            for (std::size_t i = 0; i < n; ++i) core[i] = d0[i * 9 + 8];
            for (const double alpha : {1.0, 0.7}) {
                const auto e1 = musiclab::detail::prim_mst<EuclideanDistance>(pts, core, alpha, 1, 4000000, true);
                const auto e0 = musiclab::detail::prim_mst<EuclideanDistance>(pts, core, alpha, 1, 4000000, false);
                REQUIRE(e1.size() == e0.size());
                std::size_t differ = 0;
                for (std::size_t i = 0; i < e1.size(); ++i)
                    differ += e1[i].a != e0[i].a || e1[i].b != e0[i].b || e1[i].weight != e0[i].weight;
                CHECK(differ == 0);
            }
        }
    }
    musiclab::detail::set_simd_cap(SimdLevel::avx512);
    CHECK(musiclab::detail::simd_level() == musiclab::detail::cpu_simd_level());
    (void)restore;
}

TEST_CASE("hdbscan Boruvka and k-NN with forced worker splits equal the sequential run") {
    // fit_hdbscan gives each worker at least 20,000 points; here every worker count is forced on
    // small data to check the split itself.
    MUSICLAB_REQUIRE_PATH(hdbscan_reference() / "dup3d/points.tsv");
    const Dataset d = read_dataset(hdbscan_reference() / "dup3d");
    const musiclab::detail::KdTree tree(d.x.data(), d.n, d.dim, 32);
    using E = musiclab::detail::EuclideanDistance;
    std::vector<double> d1, d3;
    std::vector<std::size_t> p1, p3;
    musiclab::detail::knn_all_kdtree<E>(tree, 12, 1, d1, p1, 1);
    musiclab::detail::knn_all_kdtree<E>(tree, 12, 3, d3, p3, 1);
    CHECK(d1 == d3);
    CHECK(p1 == p3);
    std::vector<double> core(d.n);
    for (std::size_t p = 0; p < d.n; ++p) core[tree.index(p)] = d1[p * 12 + 10];
    const auto e1 = musiclab::detail::boruvka_mst<E>(tree, core, p1, d1, 12, 1.0, 1, 1);
    const auto e3 = musiclab::detail::boruvka_mst<E>(tree, core, p1, d1, 12, 1.0, 3, 1);
    REQUIRE(e1.size() == d.n - 1);
    REQUIRE(e3.size() == e1.size());
    bool same = true;
    for (std::size_t i = 0; i < e1.size(); ++i)
        same = same && e1[i].a == e3[i].a && e1[i].b == e3[i].b && e1[i].weight == e3[i].weight;
    CHECK(same);
}

TEST_CASE("hdbscan hand-worked: two groups on a line") {
    // Points 0,1,2,3 at x = 0,1,2,3 and 4,5,6,7 at x = 10,11,12,13; min_samples = 1 means the
    // core distance of every point is 1 (its nearest other point), so the MST has six edges of
    // weight 1 and one of weight 7 (3 -> 10). The condensed tree with min_cluster_size 2 splits
    // the root at lambda 1/7 into two clusters of 4 points, each dissolving at lambda 1.
    const std::vector<double> x = {0, 1, 2, 3, 10, 11, 12, 13};
    HdbscanOptions o;
    o.min_cluster_size = 2;
    o.min_samples = 1;
    for (const MstAlgorithm algo : {MstAlgorithm::prims, MstAlgorithm::boruvka_kdtree}) {
        o.mst_algorithm = algo;
        const auto m = musiclab::cluster::fit_hdbscan(x, 8, 1, o);
        for (const double c : m.core_distances) CHECK(c == 1.0);
        REQUIRE(m.minimum_spanning_tree.size() == 7);
        CHECK(m.minimum_spanning_tree.back().weight == 7.0);
        CHECK(m.single_linkage_tree.back().size == 8);
        CHECK(m.labels == std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1});
        for (const double p : m.probabilities) CHECK(p == 1.0);
        for (const double g : m.outlier_scores) CHECK(g == 0.0);
        REQUIRE(m.cluster_persistence.size() == 2);
        // stability of each cluster = sum over its 4 points of (1 - 1/7); persistence divides by
        // size * max lambda (4 * 1)
        CHECK(m.cluster_persistence[0] == doctest::Approx(1.0 - 1.0 / 7.0).epsilon(1e-14));
        // condensed tree: root 8 -> clusters 9 and 10 at 1/7, then points at lambda 1
        int cluster_rows = 0;
        for (const auto& r : m.condensed_tree)
            if (r.child_size > 1) {
                ++cluster_rows;
                CHECK(r.parent == 8);
                CHECK(r.lambda == doctest::Approx(1.0 / 7.0).epsilon(1e-15));
                CHECK(r.child_size == 4);
            }
        CHECK(cluster_rows == 2);

        // approximate_predict: near each group -> its label; far away -> noise
        const std::vector<double> q = {1.5, 11.5, 100.0};
        const auto pr = m.approximate_predict(q.data(), 3);
        CHECK(pr.labels == std::vector<int>{0, 1, -1});
        CHECK(pr.probabilities[0] == 1.0);
        CHECK(pr.probabilities[2] == 0.0);

        // allow_single_cluster with leaf selection still returns the two leaves
        HdbscanOptions leaf = o;
        leaf.cluster_selection_method = ClusterSelection::leaf;
        CHECK(musiclab::cluster::fit_hdbscan(x, 8, 1, leaf).labels == m.labels);
        // cluster_selection_epsilon larger than the split distance merges up: with
        // allow_single_cluster the root becomes the one cluster
        HdbscanOptions eps = o;
        eps.cluster_selection_epsilon = 8.0;
        eps.allow_single_cluster = true;
        CHECK(musiclab::cluster::fit_hdbscan(x, 8, 1, eps).labels == std::vector<int>(8, 0));
        // alpha divides the distance (not the core distances): the joining weight becomes
        // max(1, 1, 7 / 2) = 3.5, the within-group weights stay at the core distance 1
        HdbscanOptions al = o;
        al.alpha = 2.0;
        const auto ma = musiclab::cluster::fit_hdbscan(x, 8, 1, al);
        CHECK(ma.minimum_spanning_tree.back().weight == 3.5);
        CHECK(ma.minimum_spanning_tree.front().weight == 1.0);
        // max_cluster_size below 4 forbids both clusters; eom then selects nothing
        HdbscanOptions small = o;
        small.max_cluster_size = 3;
        CHECK(musiclab::cluster::fit_hdbscan(x, 8, 1, small).labels == std::vector<int>(8, -1));
    }
}

TEST_CASE("hdbscan metrics: manhattan and cosine") {
    // Manhattan on a 2-d grid: core distance with min_samples 1 = 1 (unit grid spacing).
    std::vector<double> x;
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
            x.push_back(i);
            x.push_back(j);
        }
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
            x.push_back(20 + i);
            x.push_back(j);
        }
    HdbscanOptions o;
    o.min_cluster_size = 4;
    o.min_samples = 2;
    o.metric = musiclab::cluster::Metric::manhattan;
    const auto m = musiclab::cluster::fit_hdbscan(x, 32, 2, o);
    // the weight joining the two grids is the L1 gap 17 (from (3, j) to (20, j))
    CHECK(m.minimum_spanning_tree.back().weight == 17.0);
    const auto core = musiclab::cluster::core_distances(x.data(), 32, 2, 2, musiclab::cluster::Metric::manhattan);
    CHECK(core[0] == 1.0);  // corner (0,0): its two nearest others (0,1) and (1,0) are both at L1 1
    o.mst_algorithm = MstAlgorithm::prims;
    CHECK(musiclab::cluster::fit_hdbscan(x, 32, 2, o).labels == m.labels);

    // Cosine: directions matter, lengths do not. Two bundles of directions 90 degrees apart.
    std::vector<double> y;
    for (int i = 0; i < 6; ++i) {
        const double a = 0.01 * i, r = 1.0 + i;
        y.push_back(r * std::cos(a));
        y.push_back(r * std::sin(a));
    }
    for (int i = 0; i < 6; ++i) {
        const double a = 1.5707963267948966 + 0.01 * i, r = 2.0 + i;
        y.push_back(r * std::cos(a));
        y.push_back(r * std::sin(a));
    }
    HdbscanOptions c;
    c.min_cluster_size = 3;
    c.min_samples = 1;
    c.metric = musiclab::cluster::Metric::cosine;
    const auto mc = musiclab::cluster::fit_hdbscan(y, 12, 2, c);
    CHECK(mc.labels == std::vector<int>{0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1});
    // core distance = 1 - cos(0.01) for every point (nearest direction 0.01 rad away)
    for (const double cd : mc.core_distances) CHECK(cd == doctest::Approx(1.0 - std::cos(0.01)).epsilon(1e-9));
    // joining weight = 1 - cos(pi/2 - 0.05) = 1 - sin(0.05)
    CHECK(mc.minimum_spanning_tree.back().weight == doctest::Approx(1.0 - std::sin(0.05)).epsilon(1e-9));
}

TEST_CASE("hdbscan bad input") {
    const std::vector<double> x = {0, 0, 1, 0, 0, 1, 1, 1, 5, 5, 6, 5};
    HdbscanOptions o;
    o.min_cluster_size = 1;
    CHECK_THROWS_AS(musiclab::cluster::fit_hdbscan(x, 6, 2, o), musiclab::invalid_parameter);
    o.min_cluster_size = 2;
    o.min_samples = 6;  // needs at least 7 points
    CHECK_THROWS_AS(musiclab::cluster::fit_hdbscan(x, 6, 2, o), musiclab::invalid_parameter);
    o.min_samples = 0;
    CHECK_THROWS_AS(musiclab::cluster::fit_hdbscan(x, 6, 2, o), musiclab::invalid_parameter);
    o.min_samples = 2;
    o.alpha = 0.0;
    CHECK_THROWS_AS(musiclab::cluster::fit_hdbscan(x, 6, 2, o), musiclab::invalid_parameter);
    o.alpha = 1.0;
    o.cluster_selection_epsilon = -1.0;
    CHECK_THROWS_AS(musiclab::cluster::fit_hdbscan(x, 6, 2, o), musiclab::invalid_parameter);
    o.cluster_selection_epsilon = 0.0;
    CHECK_THROWS_AS(musiclab::cluster::fit_hdbscan(x, 5, 2, o), musiclab::shape_mismatch);
    std::vector<double> bad = x;
    bad[7] = std::nan("");
    try {
        musiclab::cluster::fit_hdbscan(bad, 6, 2, o);
        FAIL("expected invalid_parameter");
    } catch (const musiclab::invalid_parameter& e) {
        CHECK(std::string(e.what()).find("row 3, column 1") != std::string::npos);
    }
    bad[7] = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(musiclab::cluster::fit_hdbscan(bad, 6, 2, o), musiclab::invalid_parameter);
    o.metric = musiclab::cluster::Metric::cosine;
    CHECK_THROWS_AS(musiclab::cluster::fit_hdbscan(x, 6, 2, o), musiclab::invalid_parameter);  // row 0 is (0, 0)
    o.metric = musiclab::cluster::Metric::euclidean;
    // single-linkage stage: a non-tree edge list is rejected
    std::vector<musiclab::cluster::MstEdge> cyc = {{0, 1, 1.0}, {1, 0, 2.0}};
    CHECK_THROWS_AS(musiclab::cluster::single_linkage_from_edges(cyc, 3), musiclab::invalid_parameter);
    // approximate_predict with a NaN
    const auto m = musiclab::cluster::fit_hdbscan(x, 6, 2, o);
    const std::vector<double> q = {std::nan(""), 0.0};
    CHECK_THROWS_AS(m.approximate_predict(q.data(), 1), musiclab::invalid_parameter);
}

TEST_CASE("hdbscan all points identical: documented result") {
    // Every distance and core distance is 0: every merge happens at lambda = inf. Documented
    // result (as hdbscan): no cluster is selected unless allow_single_cluster, then every point
    // is in cluster 0 with probability 1; GLOSH is 0 (lambda not finite) for every point.
    const std::vector<double> x(20 * 3, 2.5);
    for (const MstAlgorithm algo : {MstAlgorithm::prims, MstAlgorithm::boruvka_kdtree}) {
        HdbscanOptions o;
        o.min_cluster_size = 5;
        o.mst_algorithm = algo;
        const auto m = musiclab::cluster::fit_hdbscan(x, 20, 3, o);
        for (const double c : m.core_distances) CHECK(c == 0.0);
        for (const auto& e : m.minimum_spanning_tree) CHECK(e.weight == 0.0);
        for (const auto& r : m.condensed_tree) CHECK(std::isinf(r.lambda));
        for (const double g : m.outlier_scores) CHECK(g == 0.0);
        CHECK(m.labels == std::vector<int>(20, -1));
        o.allow_single_cluster = true;
        const auto s = musiclab::cluster::fit_hdbscan(x, 20, 3, o);
        CHECK(s.labels == std::vector<int>(20, 0));
        for (const double p : s.probabilities) CHECK(p == 1.0);
    }
}
