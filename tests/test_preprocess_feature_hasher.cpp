#include <doctest/doctest.h>
#include <musiclab/preprocess/feature_hasher.hpp>
#include <support.hpp>

#include "data/preprocess/reference_tsv.hpp"

#include <cmath>
#include <limits>
#include <list>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace pp = musiclab::preprocess;
namespace ref = musiclab::test::preprocess;

namespace {

using Triple = std::tuple<long long, long long, double>;

std::vector<Triple> triples(const pp::FeatureHasher::SparseMatrix& X) {
    std::vector<Triple> out;
    for (Eigen::Index r = 0; r < X.outerSize(); ++r)
        for (pp::FeatureHasher::SparseMatrix::InnerIterator it(X, r); it; ++it) out.emplace_back(r, it.col(), it.value());
    return out;
}

std::filesystem::path reference_dir() { return musiclab::test::test_data_dir() / "preprocess"; }

}  // namespace

// Compile-time checks: the hash is constexpr (values from sklearn.utils.murmurhash3_32).
static_assert(pp::murmurhash3_32("foo") == -156908512);
static_assert(pp::murmurhash3_32_positive("foo") == 4138058784u);
static_assert(pp::murmurhash3_32("") == 0);
static_assert(pp::murmurhash3_32(3) == 847579505);
static_assert(pp::murmurhash3_32(-1, 5) == 1795281135);

TEST_CASE("murmurhash3_32 matches sklearn.utils.murmurhash3_32 for text and int keys") {
    const std::filesystem::path path = reference_dir() / "murmurhash3.tsv";
    MUSICLAB_REQUIRE_PATH(path);
    const auto rows = ref::read_tsv(path);
    REQUIRE(rows.size() > 100);
    std::size_t checked = 0;
    for (std::size_t r = 1; r < rows.size(); ++r) {  // row 0 is the header
        const auto& f = rows[r];
        REQUIRE(f.size() == 5);
        CAPTURE(f[1]);
        const auto seed = static_cast<std::uint32_t>(ref::to_int(f[2]));
        const auto expect_signed = ref::to_int(f[3]);
        const auto expect_positive = ref::to_int(f[4]);
        if (f[0] == "str") {
            CHECK(pp::murmurhash3_32(f[1], seed) == expect_signed);
            CHECK(pp::murmurhash3_32_positive(f[1], seed) == expect_positive);
        } else {
            const auto key = static_cast<std::int32_t>(ref::to_int(f[1]));
            CHECK(pp::murmurhash3_32(key, seed) == expect_signed);
            CHECK(pp::murmurhash3_32_positive(key, seed) == expect_positive);
        }
        ++checked;
    }
    CHECK(checked == rows.size() - 1);
}

// Every feature_hasher_*.tsv file is one sklearn FeatureHasher(...).transform(samples) call; the
// expected (row, col, value) triples must come out exactly (same nnz, explicit zeros included,
// values compared with ==: sums are done in scipy's order).
TEST_CASE("FeatureHasher matches sklearn FeatureHasher exactly on every feature_hasher_*.tsv case") {
    const std::filesystem::path path = reference_dir();
    MUSICLAB_REQUIRE_PATH(path);
    const auto cases = ref::find_cases(path, "feature_hasher_");
    REQUIRE(cases.size() >= 3);
    std::map<std::string, int> per_type;
    for (const auto& file : cases) {
        CAPTURE(file.filename().string());
        std::map<std::string, std::string> meta;
        std::vector<std::vector<std::string>> strings;
        std::vector<std::vector<std::pair<std::string, double>>> pairs;
        std::vector<std::vector<std::pair<std::string, pp::DictValue>>> dicts;
        std::vector<Triple> expected;
        for (const auto& f : ref::read_tsv(file)) {
            if (f[0] == "meta") {
                meta[f[1]] = f[2];
                if (f[1] == "n_samples") {
                    const auto n = static_cast<std::size_t>(ref::to_int(f[2]));
                    strings.resize(n);
                    pairs.resize(n);
                    dicts.resize(n);
                }
            } else if (f[0] == "sample") {
                const auto r = static_cast<std::size_t>(ref::to_int(f[1]));
                const std::string& type = meta.at("input_type");
                if (type == "string") {
                    strings.at(r).push_back(f[2]);
                } else if (type == "pair") {
                    pairs.at(r).emplace_back(f[2], ref::to_double(f[3]));
                } else if (f[3] == "str") {
                    dicts.at(r).emplace_back(f[2], pp::DictValue(f[4]));
                } else {
                    dicts.at(r).emplace_back(f[2], pp::DictValue(ref::to_double(f[4])));
                }
            } else if (f[0] == "expect") {
                expected.emplace_back(ref::to_int(f[1]), ref::to_int(f[2]), ref::to_double(f[3]));
            }
        }
        const pp::FeatureHasherOptions opts{.n_features = ref::to_int(meta.at("n_features")),
                                            .alternate_sign = meta.at("alternate_sign") == "1"};
        const std::string& type = meta.at("input_type");
        pp::FeatureHasher::SparseMatrix X;
        if (type == "string") X = pp::FeatureHasher(opts).transform(strings);
        else if (type == "pair") X = pp::FeatureHasher(opts).transform(pairs);
        else X = pp::FeatureHasher(opts).transform(dicts);
        ++per_type[type];
        CHECK(X.rows() == ref::to_int(meta.at("n_samples")));
        CHECK(X.cols() == opts.n_features);
        CHECK(X.nonZeros() == ref::to_int(meta.at("nnz")));
        const auto got = triples(X);
        REQUIRE(got.size() == expected.size());
        for (std::size_t k = 0; k < got.size(); ++k) {
            CAPTURE(k);
            CHECK(std::get<0>(got[k]) == std::get<0>(expected[k]));
            CHECK(std::get<1>(got[k]) == std::get<1>(expected[k]));
            CHECK(ref::same(std::get<2>(got[k]), std::get<2>(expected[k])));
        }
        // The thread count must not change anything.
        pp::FeatureHasherOptions threaded = opts;
        threaded.num_threads = 3;
        pp::FeatureHasher::SparseMatrix Y;
        if (type == "string") Y = pp::FeatureHasher(threaded).transform(strings);
        else if (type == "pair") Y = pp::FeatureHasher(threaded).transform(pairs);
        else Y = pp::FeatureHasher(threaded).transform(dicts);
        const auto got_threaded = triples(Y);
        REQUIRE(got_threaded.size() == got.size());
        for (std::size_t k = 0; k < got.size(); ++k) {
            CHECK(std::get<1>(got_threaded[k]) == std::get<1>(got[k]));
            CHECK(ref::same(std::get<2>(got_threaded[k]), std::get<2>(got[k])));
        }
    }
    CHECK(per_type["string"] >= 1);
    CHECK(per_type["pair"] >= 1);
    CHECK(per_type["dict"] >= 1);
}

TEST_CASE("FeatureHasher hand-checked indices signs and explicit zeros") {
    // h("foo") = -156908512 -> index 156908512 % 16 = 0, sign -1
    const auto X = pp::hash_features(std::vector<std::vector<std::string>>{{"foo"}, {}}, {.n_features = 16});
    REQUIRE(X.rows() == 2);
    REQUIRE(X.nonZeros() == 1);
    CHECK(X.coeff(0, 156908512 % 16) == -1.0);
    const auto Y = pp::hash_features(std::vector<std::vector<std::string>>{{"foo"}}, {.n_features = 16, .alternate_sign = false});
    CHECK(Y.coeff(0, 0) == 1.0);
    // A pair and its negation cancel: the entry stays stored with value 0, as in scipy.
    const std::vector<std::vector<std::pair<std::string, double>>> cancel = {{{"a", 2.0}, {"b", 1.0}, {"a", -2.0}}};
    const auto Z = pp::hash_features(cancel, {.n_features = 1 << 20});
    CHECK(Z.nonZeros() == 2);
    // Zero values are skipped entirely.
    const std::vector<std::vector<std::pair<std::string, double>>> zero = {{{"a", 0.0}}};
    CHECK(pp::hash_features(zero).nonZeros() == 0);
}

TEST_CASE("FeatureHasher accepts maps lists and string-valued pairs") {
    // "dict" input: a string value v of key k is the feature "k=v" with value 1.
    const std::vector<std::map<std::string, pp::DictValue>> dicts = {{{"genre", std::string("rock")}, {"year", 1999.0}}};
    const std::vector<std::vector<std::string>> strings = {{"genre=rock"}};
    const std::vector<std::list<std::pair<std::string_view, int>>> numbers = {{{"year", 1999}}};
    const std::vector<std::vector<std::pair<std::string, std::string>>> text_pairs = {{{"genre", "rock"}}};
    const auto D = pp::hash_features(dicts, {.n_features = 1000});
    const auto S = pp::hash_features(strings, {.n_features = 1000});
    const auto N = pp::hash_features(numbers, {.n_features = 1000});
    const auto P = pp::hash_features(text_pairs, {.n_features = 1000});
    const Eigen::MatrixXd sum = Eigen::MatrixXd(S) + Eigen::MatrixXd(N);
    CHECK(Eigen::MatrixXd(D).isApprox(sum));
    CHECK(Eigen::MatrixXd(P).isApprox(Eigen::MatrixXd(S)));
    // A non-random-access range of samples takes the serial path.
    const std::list<std::vector<std::string>> listed = {{"genre=rock"}};
    CHECK(Eigen::MatrixXd(pp::hash_features(listed, {.n_features = 1000})).isApprox(Eigen::MatrixXd(S)));
}

TEST_CASE("FeatureHasher rejects bad options and empty input") {
    CHECK_THROWS_AS(pp::FeatureHasher({.n_features = 0}), musiclab::invalid_parameter);
    CHECK_THROWS_AS(pp::FeatureHasher({.n_features = -5}), musiclab::invalid_parameter);
    CHECK_THROWS_AS(pp::FeatureHasher({.n_features = std::int64_t{1} << 31}), musiclab::invalid_parameter);
    CHECK_THROWS_AS(pp::FeatureHasher({.num_threads = -1}), musiclab::invalid_parameter);
    CHECK_NOTHROW(pp::FeatureHasher({.n_features = 2147483647}));
    const std::vector<std::vector<std::string>> none;
    CHECK_THROWS_AS(pp::hash_features(none), musiclab::invalid_parameter);
}
