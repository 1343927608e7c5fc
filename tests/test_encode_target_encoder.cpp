#include <doctest/doctest.h>
#include <musiclab/core/random.hpp>
#include <musiclab/encode/target_encoder.hpp>
#include <musiclab/io/csv.hpp>
#include <support.hpp>

#include "data/metrics/reference.hpp"

#include <charconv>
#include <filesystem>
#include <sstream>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace en = musiclab::encode;
namespace ref = musiclab::test::metrics;

namespace {

using Column = std::vector<std::string>;

en::TargetEncoderOptions m_estimate(double m, int folds = 5) {
    en::TargetEncoderOptions o;
    o.m = m;
    o.n_folds = folds;
    return o;
}

en::TargetEncoderOptions empirical_bayes(int folds = 5) {
    en::TargetEncoderOptions o;
    o.smoothing = en::Smoothing::empirical_bayes;
    o.n_folds = folds;
    return o;
}

// The hand-worked example of docs/encode.md: categories a (y = 1, 3), b (y = 5), c (y = 2, 2, 8).
const Column example_column = {"a", "a", "b", "c", "c", "c"};
const std::vector<double> example_y = {1, 3, 5, 2, 2, 8};

}  // namespace

TEST_CASE("m-estimate target encoding on the hand-worked example") {
    // mu = 21/6 = 3.5. m = 2: a = (2*2 + 2*3.5)/4 = 2.75, b = (1*5 + 7)/3 = 4, c = (3*4 + 7)/5 = 3.8.
    const auto enc = en::fit_target_encoder(example_column, example_y, m_estimate(2.0), {"genre"});
    CHECK(enc.n_features_in() == 1);
    CHECK(enc.feature_names_in()[0] == "genre");
    CHECK(enc.target_mean() == 3.5);
    REQUIRE(enc.n_categories(0) == 3);
    CHECK(enc.category(0, 0) == "a");
    CHECK(enc.category(0, 2) == "c");
    CHECK(enc.counts(0)[2] == 3);
    CHECK(enc.category_means(0)[0] == 2.0);
    // Exact: every operand is a small binary fraction, one rounding at most (3.8).
    CHECK(enc.encodings(0)[0] == 2.75);
    CHECK(enc.encodings(0)[1] == 4.0);
    CHECK(enc.encodings(0)[2] == 19.0 / 5.0);
    CHECK(enc.encode(0, "b") == 4.0);
    CHECK(enc.encode(0, "unseen") == 3.5);
    CHECK(enc.find(0, "c") == 2);
    CHECK(enc.find(0, "") == -1);
    const auto x = enc.transform(Column{"c", "zzz", "a"});
    CHECK(x(0, 0) == 19.0 / 5.0);
    CHECK(x(1, 0) == 3.5);  // unseen -> global mean
    CHECK(x(2, 0) == 2.75);
    // m = 0 gives the raw category means.
    const auto raw = en::fit_target_encoder(example_column, example_y, m_estimate(0.0));
    CHECK(raw.encodings(0)[2] == 4.0);
    CHECK(raw.feature_names_in()[0] == "x0");
}

TEST_CASE("empirical Bayes smooth auto on the hand-worked example") {
    // mu = 3.5, tau² = np.var(y) = 33.5 / 6 = 67/12.
    // a: n = 2, mean 2, sigma² = 1: lambda = (67/12 * 2) / (67/12 * 2 + 1) = 67/73,
    //    S = 67/73 * 2 + 6/73 * 3.5 = 155/73.
    // b: n = 1, sigma² = 0: lambda = 1, S = 5.
    // c: n = 3, mean 4, sigma² = 24/3 = 8: lambda = (67/4) / (67/4 + 8) = 67/99, S = 380/99.
    // Tolerance 1e-14: the rationals are rounded once here, the encoder rounds a few times.
    const auto enc = en::fit_target_encoder(example_column, example_y, empirical_bayes());
    CHECK(enc.target_variance() == doctest::Approx(67.0 / 12.0).epsilon(1e-15));
    CHECK(std::fabs(enc.encodings(0)[0] - 155.0 / 73.0) <= 1e-14);
    CHECK(enc.encodings(0)[1] == 5.0);
    CHECK(std::fabs(enc.encodings(0)[2] - 380.0 / 99.0) <= 1e-14);
    // Constant target: tau² = 0 and sigma² = 0 -> lambda NaN -> the global mean (sklearn's rule).
    const auto flat = en::fit_target_encoder(example_column, std::vector<double>(6, 7.0), empirical_bayes());
    for (double e : flat.encodings(0)) CHECK(e == 7.0);
}

TEST_CASE("fit_transform is out-of-fold: each row uses only the other folds") {
    // 200 rows, 3 columns with few and many categories and a missing-capable column type.
    musiclab::Rng rng(3);
    const std::size_t n = 200;
    Column genre(n), artist(n), mode(n);
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) {
        genre[i] = std::string("g").append(std::to_string(rng.below(4)));
        artist[i] = std::string("artist ").append(std::to_string(rng.below(60)));
        mode[i] = rng.below(2) ? "major" : "minor";
        y[i] = std::round(rng.uniform(0.0, 100.0) * 8.0) / 8.0;  // multiples of 1/8: sums are exact
    }
    const std::vector<Column> cols = {genre, artist, mode};
    for (const auto& options : {m_estimate(10.0), m_estimate(0.5, 3), empirical_bayes(4)}) {
        const auto result = en::fit_transform_target_encoder(cols, y, options, {"genre", "artist", "mode"});
        REQUIRE(result.encoded.rows() == static_cast<Eigen::Index>(n));
        REQUIRE(result.encoded.cols() == 3);
        CHECK(result.folds == en::kfold_assignment(n, options.n_folds, true, 0));
        // Brute force: refit on the rows outside each fold and encode the fold's rows.
        for (int f = 0; f < options.n_folds; ++f) {
            std::vector<Column> train(3), test(3);
            std::vector<double> y_train;
            std::vector<std::size_t> test_rows;
            for (std::size_t i = 0; i < n; ++i) {
                auto& side = result.folds[i] == static_cast<std::uint32_t>(f) ? test : train;
                for (std::size_t j = 0; j < 3; ++j) side[j].push_back(cols[j][i]);
                if (result.folds[i] == static_cast<std::uint32_t>(f)) test_rows.push_back(i);
                else y_train.push_back(y[i]);
            }
            const auto part = en::fit_target_encoder(train, y_train, options);
            const auto expected = part.transform(test);
            for (std::size_t t = 0; t < test_rows.size(); ++t)
                for (Eigen::Index j = 0; j < 3; ++j)
                    // 1e-12: the merged per-fold statistics round differently from one refit.
                    CHECK(std::fabs(result.encoded(static_cast<Eigen::Index>(test_rows[t]), j) -
                                    expected(static_cast<Eigen::Index>(t), j)) <= 1e-12);
        }
        // The returned encoder is the full fit.
        const auto full = en::fit_target_encoder(cols, y, options);
        CHECK(full.transform(cols) == result.encoder.transform(cols));
        // Threads change nothing.
        auto threaded = options;
        threaded.num_threads = 2;
        CHECK(en::fit_transform_target_encoder(cols, y, threaded).encoded == result.encoded);
    }
    // K = 1: no cross-fitting, the leaky in-sample encoding.
    const auto leaky = en::fit_transform_target_encoder(cols, y, m_estimate(10.0, 1));
    CHECK(leaky.encoded == leaky.encoder.transform(cols));
}

TEST_CASE("missing cells of a text column encode to the global mean") {
    musiclab::io::TextColumn col;
    col.push_back("a");
    col.push_missing();
    col.push_back("a");
    col.push_back("");  // a present empty string is a category
    const std::vector<double> y = {1, 5, 3, 9};
    const auto enc = en::fit_target_encoder(col, y, m_estimate(0.0));
    CHECK(enc.target_mean() == 4.5);  // the missing row's target counts in mu
    REQUIRE(enc.n_categories(0) == 2);
    CHECK(enc.category(0, 0) == "");
    CHECK(enc.encodings(0)[0] == 9.0);
    CHECK(enc.encodings(0)[1] == 2.0);
    const auto x = enc.transform(col);
    CHECK(x(1, 0) == 4.5);
    CHECK(x(3, 0) == 9.0);
}

TEST_CASE("binary targets are encoded as smoothed positive rates with stratified folds") {
    const Column c = {"x", "x", "x", "y", "y", "z", "z", "z", "z", "y"};
    const std::vector<double> y = {2, 7, 7, 2, 2, 7, 7, 2, 7, 7};  // classes 2 -> 0, 7 -> 1
    en::TargetEncoderOptions o = m_estimate(1.0, 2);
    o.target_type = en::TargetType::binary;
    const auto r = en::fit_transform_target_encoder(c, y, o);
    CHECK(r.encoder.classes() == std::vector<double>{2, 7});
    CHECK(r.encoder.target_mean() == 0.6);
    // x: 2 of 3 positive, m = 1: (3 * (2/3) + 0.6) / 4 = 2.6 / 4.
    CHECK(r.encoder.encode(0, "x") == doctest::Approx(2.6 / 4.0).epsilon(1e-15));
    const std::vector<double> y01 = {0, 1, 1, 0, 0, 1, 1, 0, 1, 1};
    CHECK(r.folds == en::stratified_kfold_assignment(y01, 2, true, 0));
    const std::vector<double> three = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0};
    CHECK_THROWS_WITH_AS(en::fit_target_encoder(c, three, o), doctest::Contains("'y'"), musiclab::invalid_parameter);
}

TEST_CASE("target encoder rejects bad input naming the parameter") {
    const Column col = {"a", "b", "a"};
    const std::vector<double> y = {1, 2, 3};
    CHECK_THROWS_WITH_AS(en::fit_target_encoder(col, std::vector<double>{1, 2}, m_estimate(10)), doctest::Contains("rows of column"),
                         musiclab::shape_mismatch);
    CHECK_THROWS_WITH_AS(en::fit_target_encoder(Column{}, std::vector<double>{}, m_estimate(10)), doctest::Contains("'y'"),
                         musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(en::fit_target_encoder(std::vector<Column>{}, y, m_estimate(10)), doctest::Contains("'columns'"),
                         musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(en::fit_target_encoder(col, y, m_estimate(-1)), doctest::Contains("'m'"), musiclab::invalid_parameter);
    CHECK_THROWS_AS(en::fit_target_encoder(col, y, m_estimate(std::numeric_limits<double>::infinity())), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(en::fit_transform_target_encoder(col, y, m_estimate(10, 0)), doctest::Contains("'n_folds'"),
                         musiclab::invalid_parameter);
    CHECK_THROWS_AS(en::fit_transform_target_encoder(col, y, m_estimate(10, -2)), musiclab::invalid_parameter);
    CHECK_THROWS_AS(en::fit_transform_target_encoder(col, y, m_estimate(10, 4)), musiclab::invalid_parameter);  // K > n
    CHECK_NOTHROW(en::fit_transform_target_encoder(col, y, m_estimate(10, 3)));                               // K = n
    const std::vector<double> nan_y = {1, std::numeric_limits<double>::quiet_NaN(), 3};
    CHECK_THROWS_WITH_AS(en::fit_target_encoder(col, nan_y, m_estimate(10)), doctest::Contains("'y'"), musiclab::invalid_parameter);
    CHECK_THROWS_AS(en::fit_target_encoder(col, y, m_estimate(10), {"a", "b"}), musiclab::shape_mismatch);
    auto threads = m_estimate(10);
    threads.num_threads = -1;
    CHECK_THROWS_WITH_AS(en::fit_target_encoder(col, y, threads), doctest::Contains("'num_threads'"), musiclab::invalid_parameter);
    const auto enc = en::fit_target_encoder(col, y, m_estimate(10));
    CHECK_THROWS_AS(enc.transform(std::vector<Column>{col, col}), musiclab::shape_mismatch);
    CHECK_THROWS_WITH_AS(enc.n_categories(1), doctest::Contains("'feature'"), musiclab::invalid_parameter);
    CHECK_THROWS_AS(enc.category(0, 2), musiclab::invalid_parameter);
}

TEST_CASE("target encoding matches the pandas reference for every column and m") {
    const auto dir = musiclab::test::shared_dir() / "reference/target_encoding";
    MUSICLAB_REQUIRE_PATH(dir);
    const auto summary = ref::read_json(dir / "summary.json");
    const auto source = musiclab::test::shared_dir() / summary.at("source").get<std::string>();
    MUSICLAB_REQUIRE_PATH(source);
    const auto target = summary.at("target").get<std::string>();
    musiclab::io::CsvOptions read;
    read.default_type = musiclab::io::ColumnType::text;  // categories are the verbatim fields
    read.types = {{target, musiclab::io::ColumnType::number}};
    const auto table = musiclab::io::read_csv(source, read);
    const auto y = table.numeric(target).values();
    REQUIRE(table.rows() == summary.at("n_rows").get<std::size_t>());

    ref::ErrorStats stats;
    std::size_t files = 0;
    for (const auto& file : ref::files_matching(dir, "", ".tsv")) {  // every <column>_m<m>.tsv
        const std::string stem = file.stem().string();
        const auto cut = stem.rfind("_m");
        REQUIRE(cut != std::string::npos);
        const std::string column = stem.substr(0, cut);
        const double m = std::stod(stem.substr(cut + 2));
        const auto& cells = table.text(column);
        REQUIRE(cells.missing_count() == 0);  // no empty field in the source: every cell is a category
        const auto enc = en::fit_target_encoder(cells, y, m_estimate(m), {column});
        // README 4: global mean 1,394,650 / 32,833, an exact integer sum: identical.
        CHECK(enc.target_mean() == summary.at("global_mean").get<double>());

        musiclab::io::CsvOptions tsv = musiclab::io::CsvOptions::tsv();
        tsv.types = {{"column", musiclab::io::ColumnType::text}, {"category", musiclab::io::ColumnType::text}};
        const auto want = musiclab::io::read_csv(file, tsv);
        INFO(file.filename().string());
        REQUIRE(enc.n_categories(0) == want.rows());  // same category set, same (code point) order
        for (std::size_t r = 0; r < want.rows(); ++r) {
            CHECK(want.text("column")[r] == column);
            CHECK(enc.category(0, r) == want.text("category")[r]);
            // README 4: n exact; mean and encoding absolute 1e-12 (values <= 100; same formula
            // in the same float64 order, so identical values are expected).
            CHECK(static_cast<double>(enc.counts(0)[r]) == want.numeric("n")[r]);
            const double mean_error = std::fabs(enc.category_means(0)[r] - want.numeric("mean")[r]);
            const double enc_error = std::fabs(enc.encodings(0)[r] - want.numeric("encoding")[r]);
            CHECK(mean_error <= 1e-12);
            CHECK(enc_error <= 1e-12);
            stats.add(mean_error, mean_error == 0.0);
            stats.add(enc_error, enc_error == 0.0);
        }
        ++files;
    }
    MESSAGE("target encoding: " << files << " files, " << stats.compared << " means/encodings compared, " << stats.identical
                                << " bit-identical, max |error| " << stats.max_error);
    CHECK(files >= 6);
}

TEST_CASE("a saved target encoder loads back identical") {
    const Column col = {"", "a\nb", "x y", "caf\xc3\xa9", "a\nb", "12:3", "", "x y"};
    const std::vector<double> y = {0.1, 2.5, 1e-300, 7.0 / 3.0, 4, 5, 6, 7};
    for (const auto& options : {m_estimate(3.5), empirical_bayes()}) {
        const auto enc = en::fit_target_encoder(std::vector<Column>{col, col}, y, options, {"first name", "x\ty"});
        std::stringstream buffer;
        enc.save(buffer);
        const auto back = en::TargetEncoder::load(buffer);
        CHECK(back.is_fitted());
        CHECK(back.feature_names_in() == enc.feature_names_in());
        CHECK(back.options().smoothing == options.smoothing);
        CHECK(back.options().m == options.m);
        CHECK(back.target_mean() == enc.target_mean());
        CHECK(back.target_variance() == enc.target_variance());
        REQUIRE(back.n_categories(1) == enc.n_categories(1));
        for (std::size_t c = 0; c < enc.n_categories(1); ++c) {
            CHECK(back.category(1, c) == enc.category(1, c));
            CHECK(back.counts(1)[c] == enc.counts(1)[c]);
            CHECK(back.category_means(1)[c] == enc.category_means(1)[c]);  // shortest round-trip decimals: exact
            CHECK(back.encodings(1)[c] == enc.encodings(1)[c]);
        }
        const Column probe = {"a\nb", "unseen", "", "caf\xc3\xa9"};
        CHECK(back.transform(std::vector<Column>{probe, probe}) == enc.transform(std::vector<Column>{probe, probe}));
    }
    // Binary classes survive too, and the file path overloads work.
    en::TargetEncoderOptions binary = m_estimate(1.0);
    binary.target_type = en::TargetType::binary;
    const auto b = en::fit_target_encoder(Column{"p", "q", "p"}, std::vector<double>{-1, 1, 1}, binary);
    const auto path = std::filesystem::temp_directory_path() / "musiclab_test_target_encoder.txt";
    b.save(path);
    const auto b2 = en::TargetEncoder::load(path);
    std::filesystem::remove(path);
    CHECK(b2.classes() == std::vector<double>{-1, 1});
    CHECK(b2.encode(0, "p") == b.encode(0, "p"));
}

TEST_CASE("loading a malformed target encoder names the line and unfitted encoders throw not_fitted") {
    const auto enc = en::fit_target_encoder(example_column, example_y, m_estimate(2.0));
    std::stringstream buffer;
    enc.save(buffer);
    const std::string text = buffer.str();

    std::string other_version = text;
    other_version.replace(other_version.find(" 1\n"), 3, " 9\n");
    std::istringstream v(other_version);
    CHECK_THROWS_WITH_AS(en::TargetEncoder::load(v, "model.txt"), doctest::Contains("model.txt:1"), musiclab::parse_error);

    std::istringstream truncated(text.substr(0, text.size() / 2));
    CHECK_THROWS_AS(en::TargetEncoder::load(truncated), musiclab::parse_error);
    std::string bad_number = text;
    bad_number.replace(bad_number.find("target ") + 7, 3, "abc");
    std::istringstream n(bad_number);
    CHECK_THROWS_WITH_AS(en::TargetEncoder::load(n), doctest::Contains(":3"), musiclab::parse_error);
    std::istringstream empty("");
    CHECK_THROWS_AS(en::TargetEncoder::load(empty), musiclab::parse_error);
    CHECK_THROWS_AS(en::TargetEncoder::load(std::filesystem::path("/nonexistent/dir/model.txt")), musiclab::io_error);

    const en::TargetEncoder unfitted;
    CHECK(!unfitted.is_fitted());
    CHECK_THROWS_AS(unfitted.transform(example_column), musiclab::not_fitted);
    CHECK_THROWS_AS(unfitted.encode(0, "a"), musiclab::not_fitted);
    std::stringstream out;
    CHECK_THROWS_AS(unfitted.save(out), musiclab::not_fitted);
}
