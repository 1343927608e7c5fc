// Quality parity of musiclab's gradient-boosted trees with XGBoost 1.7 hist on the real Spotify
// table. tests/data/gbt/xgboost_reference.json (written by benchmarks/peers/
// gbt_xgboost_reference.py) lists cases: data recipe, parameters and XGBoost's test metrics.
// Every case cheap enough for a unit test (<= 200 trees) is trained here with the same recipe
// and parameters; the 1000-tree cases run in benchmarks/bench_trees_gbt (docs/gbt.md).
// Tolerance: |R2 - R2_xgboost| <= 0.01 (the acceptance bound; the models differ in
// quantile cuts, base score and float rounding, not in the boosting math).
#include <doctest/doctest.h>
#include <musiclab/core.hpp>
#include <musiclab/io.hpp>
#include <musiclab/metrics/regression.hpp>
#include <musiclab/preprocess/split.hpp>
#include <musiclab/trees.hpp>

#include "support.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <unordered_set>
#include <vector>

TEST_CASE("R2 within 0.01 of XGBoost hist on the Spotify audio features") {
    const auto ref_path = musiclab::test::test_data_dir() / "gbt/xgboost_reference.json";
    const auto csv = musiclab::test::shared_dir() / "data/spotify_tracks_114k/spotify_tracks.csv";
    MUSICLAB_REQUIRE_PATH(csv);
    std::ifstream in(ref_path);
    REQUIRE(in.good());
    const auto ref = nlohmann::json::parse(in);
    const auto table = musiclab::io::read_csv(csv);
    int ran = 0;
    for (const auto& c : ref.at("cases")) {
        if (c.at("n_estimators").get<int>() > 200) continue;
        CAPTURE(c.at("name").get<std::string>());
        const auto cols = c.at("columns").get<std::vector<std::string>>();
        const Eigen::MatrixXd X_all = table.matrix(cols);
        const auto& target = table.numeric(c.at("target").get<std::string>());
        std::vector<std::size_t> keep;
        if (c.at("dedupe").get<bool>()) {
            const auto& ids = table.text("track_id");
            std::unordered_set<std::string> seen;
            for (std::size_t i = 0; i < ids.size(); ++i)
                if (seen.insert(std::string(ids[i])).second) keep.push_back(i);
        } else {
            for (std::size_t i = 0; i < target.size(); ++i) keep.push_back(i);
        }
        musiclab::preprocess::TrainTestSplitOptions so;
        so.test_size = c.at("test_size").get<double>();
        so.random_state = c.at("random_state").get<std::uint32_t>();
        const auto split = musiclab::preprocess::train_test_split(keep.size(), so);
        std::vector<std::size_t> train_rows, test_rows;
        std::vector<double> y_train, y_test;
        for (auto i : split.train) {
            train_rows.push_back(keep[i]);
            y_train.push_back(target[keep[i]]);
        }
        for (auto i : split.test) {
            test_rows.push_back(keep[i]);
            y_test.push_back(target[keep[i]]);
        }
        CHECK(train_rows.size() == c.at("n_train").get<std::size_t>());
        CHECK(test_rows.size() == c.at("n_test").get<std::size_t>());
        const Eigen::MatrixXd X_train = X_all(train_rows, Eigen::all);
        const Eigen::MatrixXd X_test = X_all(test_rows, Eigen::all);
        musiclab::trees::GbtOptions o;
        o.n_estimators = c.at("n_estimators").get<int>();
        o.learning_rate = c.at("learning_rate").get<double>();
        o.max_depth = c.at("max_depth").get<int>();
        o.num_threads = 2;
        const auto model = musiclab::trees::fit_gbt_regressor(X_train, y_train, o);
        const Eigen::VectorXd p = model.predict(X_test, 2);
        const std::vector<double> pred(p.begin(), p.end());
        const double r2 = musiclab::metrics::r2_score(y_test, pred);
        const double r2_xgb = c.at("xgboost").at("r2").get<double>();
        MESSAGE("musiclab R2 " << r2 << " vs XGBoost " << r2_xgb);
        CHECK(std::abs(r2 - r2_xgb) <= 0.01);
        ++ran;
    }
    CHECK(ran > 0);
}
