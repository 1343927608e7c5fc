// musiclab/models/mlp.hpp: MLPRegressor.
//   - the back-propagated gradient of sklearn's batch loss against central finite differences,
//     for every activation (relative error <= 1e-6);
//   - one full-batch Adam step worked by hand: w1 = w0 - lr g sqrt(1-b2) / (sqrt(1-b2)|g| + eps);
//   - learns a linear function (identity activation) to RMSE < 1e-3;
//   - early stopping keeps the weights of the best validation epoch;
//   - bad input, unknown parameters, determinism;
//   - parity with scikit-learn 1.2.1, data-driven: every tests/data/models/mlp/*.json
//     (make_mlp_reference.py) records one sklearn fit with everything it drew (initial weights,
//     validation split, batch order of every epoch); replayed through detail::mlp_train, the
//     loss curve, validation scores, stopping epoch, final weights and predictions equal
//     sklearn's (relative 1e-9: only GEMM summation order may differ).
#include "support.hpp"

#include <musiclab/core/random.hpp>
#include <musiclab/models/mlp.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace mm = musiclab::models;
namespace md = musiclab::models::detail;

static_assert(mm::Regressor<mm::MLPRegressor>);

namespace {

Eigen::MatrixXd random_matrix(Eigen::Index n, Eigen::Index d, std::uint64_t seed) {
    musiclab::Rng rng(seed);
    Eigen::MatrixXd X(n, d);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < d; ++j) X(i, j) = rng.uniform(-1.0, 1.0);
    return X;
}

double batch_loss(const md::MlpWeights& w, md::MlpActivation act, double alpha, const md::RowMatrix& X, const Eigen::VectorXd& y) {
    std::vector<md::RowMatrix> acts(1), deltas;
    acts[0] = X;
    md::MlpWeights g;
    return md::mlp_loss_grad(w, act, alpha, y, acts, deltas, g);
}

}  // namespace

TEST_CASE("MLPRegressor gradient matches finite differences for every activation") {
    const md::RowMatrix X = random_matrix(13, 4, 1);
    const Eigen::VectorXd y = random_matrix(13, 1, 2).col(0);
    for (const char* name : {"relu", "tanh", "logistic", "identity"}) {
        CAPTURE(name);
        const md::MlpActivation act = md::mlp_activation(name);
        musiclab::Rng rng(3);
        md::MlpWeights w = md::mlp_init({4, 6, 5, 1}, act, rng);
        const double alpha = 0.3;
        std::vector<md::RowMatrix> acts(1), deltas;
        acts[0] = X;
        md::MlpWeights g;
        md::mlp_loss_grad(w, act, alpha, y, acts, deltas, g);
        const double h = 1e-6;
        double worst = 0.0;
        for (std::size_t l = 0; l < w.W.size(); ++l) {
            for (Eigen::Index i = 0; i < w.W[l].size(); ++i) {
                md::MlpWeights a = w, b = w;
                a.W[l].data()[i] += h;
                b.W[l].data()[i] -= h;
                const double fd = (batch_loss(a, act, alpha, X, y) - batch_loss(b, act, alpha, X, y)) / (2 * h);
                worst = std::max(worst, std::abs(fd - g.W[l].data()[i]) / std::max(1e-3, std::abs(fd)));
            }
            for (Eigen::Index i = 0; i < w.b[l].size(); ++i) {
                md::MlpWeights a = w, b = w;
                a.b[l][i] += h;
                b.b[l][i] -= h;
                const double fd = (batch_loss(a, act, alpha, X, y) - batch_loss(b, act, alpha, X, y)) / (2 * h);
                worst = std::max(worst, std::abs(fd - g.b[l][i]) / std::max(1e-3, std::abs(fd)));
            }
        }
        CHECK(worst <= 1e-6);
    }
}

TEST_CASE("MLPRegressor one full-batch Adam step worked by hand") {
    const Eigen::MatrixXd X = random_matrix(20, 3, 4);
    const Eigen::VectorXd y = X.col(0) - 2.0 * X.col(1);
    mm::MLPRegressor mlp;
    mlp.set_param("hidden_layer_sizes", std::string("5,4"));
    mlp.set_param("activation", std::string("tanh"));
    mlp.set_param("max_iter", 1.0);
    mlp.set_param("batch_size", 20.0);
    mlp.set_param("shuffle", 0.0);
    mlp.set_param("random_state", 11.0);
    mlp.set_param("learning_rate_init", 0.01);
    mlp.fit(X, y);
    // the same init (the fit draws the weights first from Rng(random_state))
    musiclab::Rng rng(11);
    const md::MlpWeights w0 = md::mlp_init({3, 5, 4, 1}, md::MlpActivation::tanh, rng);
    std::vector<md::RowMatrix> acts(1), deltas;
    acts[0] = X;
    md::MlpWeights g;
    const double loss0 = md::mlp_loss_grad(w0, md::MlpActivation::tanh, 1e-4, y, acts, deltas, g);
    CHECK(mlp.loss_curve().size() == 1);
    CHECK(mlp.loss_curve()[0] == doctest::Approx(loss0).epsilon(1e-14));
    const double lr = 0.01, s = std::sqrt(1.0 - 0.999), eps = 1e-8;
    double worst = 0.0;
    for (std::size_t l = 0; l < 3; ++l) {
        for (Eigen::Index i = 0; i < w0.W[l].size(); ++i) {
            const double gi = g.W[l].data()[i];
            const double expected = w0.W[l].data()[i] - lr * gi * s / (s * std::abs(gi) + eps);
            worst = std::max(worst, std::abs(mlp.coefs()[l].data()[i] - expected));
        }
        for (Eigen::Index i = 0; i < w0.b[l].size(); ++i) {
            const double gi = g.b[l][i];
            worst = std::max(worst, std::abs(mlp.intercepts()[l][i] - (w0.b[l][i] - lr * gi * s / (s * std::abs(gi) + eps))));
        }
    }
    CHECK(worst <= 1e-15);
    CHECK(mlp.n_iter() == 1);
}

TEST_CASE("MLPRegressor learns a linear function") {
    const Eigen::MatrixXd X = random_matrix(500, 3, 5);
    const Eigen::VectorXd y = (0.5 * X.col(0) - 1.5 * X.col(1) + 0.25 * X.col(2)).array() + 2.0;
    mm::MLPRegressor mlp;
    mlp.set_param("hidden_layer_sizes", 8.0);
    mlp.set_param("activation", std::string("identity"));
    mlp.set_param("alpha", 0.0);
    mlp.set_param("learning_rate_init", 0.01);
    mlp.set_param("max_iter", 300.0);
    mlp.set_param("tol", 0.0);
    mlp.set_param("n_iter_no_change", 1000.0);
    mlp.fit(X, y);
    const Eigen::MatrixXd Q = random_matrix(100, 3, 6);
    const Eigen::VectorXd yq = (0.5 * Q.col(0) - 1.5 * Q.col(1) + 0.25 * Q.col(2)).array() + 2.0;
    const double rmse = std::sqrt((mlp.predict(Q) - yq).squaredNorm() / 100.0);
    CHECK(rmse < 1e-3);
    CHECK(mlp.n_iter() == 300);
    CHECK(mlp.best_loss() == doctest::Approx(*std::min_element(mlp.loss_curve().begin(), mlp.loss_curve().end())));
    // same seed = same model
    mm::MLPRegressor again = mlp;
    again.fit(X, y);
    CHECK((again.predict(Q) - mlp.predict(Q)).cwiseAbs().maxCoeff() == 0.0);
}

TEST_CASE("MLPRegressor stops on the training loss rule") {
    const Eigen::MatrixXd X = random_matrix(300, 2, 7);
    const Eigen::VectorXd y = X.col(0).array().sin();
    mm::MLPRegressor mlp;
    mlp.set_param("hidden_layer_sizes", 10.0);
    mlp.set_param("tol", 1.0);  // only epoch 1 improves (on best_loss = inf): stops after n_iter_no_change + 2 epochs
    mlp.set_param("n_iter_no_change", 3.0);
    mlp.fit(X, y);
    CHECK(mlp.n_iter() == 5);
    CHECK(mlp.validation_scores().empty());
}

TEST_CASE("MLPRegressor early stopping keeps the best-validation weights") {
    const Eigen::MatrixXd X = random_matrix(400, 3, 8);
    Eigen::VectorXd y = X.col(0).array().square() + X.col(1).array();
    musiclab::Rng noise(9);
    for (Eigen::Index i = 0; i < y.size(); ++i) y[i] += noise.uniform(-0.5, 0.5);
    mm::MLPRegressor mlp;
    mlp.set_param("hidden_layer_sizes", 30.0);
    mlp.set_param("early_stopping", 1.0);
    mlp.set_param("learning_rate_init", 0.05);
    mlp.set_param("validation_fraction", 0.25);
    mlp.set_param("batch_size", 16.0);
    mlp.fit(X, y);
    const auto& vs = mlp.validation_scores();
    REQUIRE(vs.size() == static_cast<std::size_t>(mlp.n_iter()));
    const auto best = std::max_element(vs.begin(), vs.end());
    CHECK(mlp.best_validation_score() == *best);
    CHECK(std::isnan(mlp.best_loss()));
    // the kept weights score the best validation R2: redo the split (after the init draws)
    musiclab::Rng rng(0);
    (void)md::mlp_init({3, 30, 1}, md::MlpActivation::relu, rng);
    std::vector<Eigen::Index> order(400);
    for (Eigen::Index i = 0; i < 400; ++i) order[static_cast<std::size_t>(i)] = i;
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    Eigen::MatrixXd Xv(100, 3);
    Eigen::VectorXd yv(100);
    for (Eigen::Index i = 0; i < 100; ++i) {
        Xv.row(i) = X.row(order[static_cast<std::size_t>(i)]);
        yv[i] = y[order[static_cast<std::size_t>(i)]];
    }
    CHECK(md::mlp_r2(yv, mlp.predict(Xv)) == doctest::Approx(*best).epsilon(1e-12));
    if (vs.back() != *best) CHECK(md::mlp_r2(yv, mlp.predict(Xv)) > vs.back());
}

TEST_CASE("MLPRegressor bad input") {
    const Eigen::MatrixXd X = random_matrix(20, 2, 10);
    const Eigen::VectorXd y = X.col(0);
    mm::MLPRegressor mlp;
    CHECK_THROWS_WITH_AS(mlp.predict(X), doctest::Contains("MLPRegressor is not fitted"), musiclab::not_fitted);
    CHECK_THROWS_WITH_AS(mlp.set_param("hidden_layer_sizes", 0.0), doctest::Contains("hidden_layer_sizes"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(mlp.set_param("hidden_layer_sizes", std::string("10,0")), doctest::Contains("hidden_layer_sizes"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(mlp.set_param("hidden_layer_sizes", std::string("10,,3")), doctest::Contains("hidden_layer_sizes"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(mlp.set_param("batch_size", 0.0), doctest::Contains("batch_size"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(mlp.set_param("learning_rate_init", 0.0), doctest::Contains("learning_rate_init"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(mlp.set_param("learning_rate_init", -1.0), doctest::Contains("learning_rate_init"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(mlp.set_param("solver", std::string("sgd")), doctest::Contains("solver"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(mlp.set_param("activation", std::string("softplus")), doctest::Contains("activation"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(mlp.set_param("learning_rate", 0.1), doctest::Contains("learning_rate"), musiclab::unknown_name);
    mm::MLPRegressor direct;
    direct.options.hidden_layer_sizes = {0};
    CHECK_THROWS_WITH_AS(direct.fit(X, y), doctest::Contains("hidden_layer_sizes"), musiclab::invalid_parameter);
    direct.options.hidden_layer_sizes = {3};
    direct.options.batch_size = -1;
    CHECK_THROWS_WITH_AS(direct.fit(X, y), doctest::Contains("batch_size"), musiclab::invalid_parameter);
    Eigen::MatrixXd Xn = X;
    Xn(5, 1) = std::nan("");
    CHECK_THROWS_WITH_AS(mlp.fit(Xn, y), doctest::Contains("row 5 column 1"), musiclab::invalid_parameter);
    CHECK_THROWS_AS(mlp.fit(X, y.head(19)), musiclab::shape_mismatch);
    mlp.set_param("max_iter", 2.0);
    mlp.set_param("hidden_layer_sizes", 4.0);
    mlp.fit(X, y);
    CHECK_THROWS_AS(mlp.predict(random_matrix(3, 3, 1)), musiclab::shape_mismatch);
    CHECK_THROWS_WITH_AS(mlp.predict(Xn), doctest::Contains("row 5 column 1"), musiclab::invalid_parameter);
    // params round trip
    mm::MLPRegressor b;
    mlp.set_param("hidden_layer_sizes", std::string("7,3"));
    for (const auto& [k, v] : mlp.get_params()) b.set_param(k, v);
    CHECK(b.get_params() == mlp.get_params());
    CHECK(b.options.hidden_layer_sizes == std::vector<int>{7, 3});
}

namespace {

double rel_diff(double a, double b) { return std::fabs(a - b) / std::max(1.0, std::fabs(b)); }

md::RowMatrix json_matrix(const nlohmann::json& j) {
    md::RowMatrix M(static_cast<Eigen::Index>(j.size()), j.empty() ? 0 : static_cast<Eigen::Index>(j[0].size()));
    for (Eigen::Index i = 0; i < M.rows(); ++i)
        for (Eigen::Index k = 0; k < M.cols(); ++k) M(i, k) = j[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)].get<double>();
    return M;
}

/// MLPRegressorOptions from sklearn's get_params() (the names set_param takes).
mm::MLPRegressorOptions options_from(const nlohmann::json& p) {
    mm::MLPRegressor m;
    for (const auto& [key, v] : p.items()) {
        if (key == "hidden_layer_sizes") {
            std::string sizes;
            for (const auto& h : v) {
                if (!sizes.empty()) sizes += ',';
                sizes += std::to_string(h.get<int>());
            }
            m.set_param(key, sizes);
        } else if (v.is_string()) {
            m.set_param(key, v.get<std::string>());
        } else if (v.is_boolean()) {
            m.set_param(key, v.get<bool>() ? 1.0 : 0.0);
        } else if (!v.is_null()) {
            m.set_param(key, v.get<double>());
        }
    }
    return m.options;
}

}  // namespace

TEST_CASE("MLPRegressor replays scikit-learn's training exactly from its random stream") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(musiclab::test::test_data_dir()) / "models" / "mlp";
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".json") cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    REQUIRE(!cases.empty());
    constexpr double kTol = 1e-9;  // relative (absolute below 1): GEMM summation order only
    for (const auto& path : cases) {
        CAPTURE(path.filename().string());
        std::ifstream in(path);
        const nlohmann::json c = nlohmann::json::parse(in);
        const mm::MLPRegressorOptions o = options_from(c["params"]);
        const md::MlpActivation act = md::mlp_activation(o.activation);
        const md::RowMatrix X = json_matrix(c["X"]), X_test = json_matrix(c["X_test"]);
        const auto y = c["y"].get<std::vector<double>>();
        const auto take = [&](const nlohmann::json& idx, md::RowMatrix& Xs, Eigen::VectorXd& ys) {
            Xs.resize(static_cast<Eigen::Index>(idx.size()), X.cols());
            ys.resize(static_cast<Eigen::Index>(idx.size()));
            for (std::size_t i = 0; i < idx.size(); ++i) {
                Xs.row(static_cast<Eigen::Index>(i)) = X.row(idx[i].get<Eigen::Index>());
                ys[static_cast<Eigen::Index>(i)] = y[idx[i].get<std::size_t>()];
            }
        };
        md::RowMatrix Xt, Xv;
        Eigen::VectorXd yt, yv;
        take(c["train_idx"], Xt, yt);
        take(c["val_idx"], Xv, yv);
        md::MlpWeights w0;
        for (std::size_t l = 0; l < c["init_coefs"].size(); ++l) {
            w0.W.push_back(json_matrix(c["init_coefs"][l]));
            const auto b = c["init_intercepts"][l].get<std::vector<double>>();
            w0.b.push_back(Eigen::Map<const Eigen::RowVectorXd>(b.data(), static_cast<Eigen::Index>(b.size())));
        }
        const nlohmann::json& orders = c["epoch_orders"];  // one per epoch sklearn ran (none without shuffle)
        REQUIRE(orders.size() == (o.shuffle ? c["n_iter"].get<std::size_t>() : 0));
        for (const auto& order : orders) REQUIRE(order.size() == static_cast<std::size_t>(Xt.rows()));
        int epochs_asked = 0;
        const md::MlpTrained r = md::mlp_train(w0, act, o, Xt, yt, Xv, yv, [&](int epoch, std::vector<Eigen::Index>& idx) {
            ++epochs_asked;
            if (static_cast<std::size_t>(epoch) >= orders.size()) return;  // ran longer than sklearn: n_iter check fails
            const auto& order = orders[static_cast<std::size_t>(epoch)];
            for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = order[i].get<Eigen::Index>();
        });
        CHECK(static_cast<std::size_t>(epochs_asked) == orders.size());

        CHECK(r.n_iter == c["n_iter"].get<int>());
        const auto loss = c["loss_curve"].get<std::vector<double>>();
        const auto val = c["validation_scores"].get<std::vector<double>>();
        REQUIRE(r.loss_curve.size() == loss.size());
        REQUIRE(r.validation_scores.size() == val.size());
        double worst = 0;
        for (std::size_t e = 0; e < loss.size(); ++e) worst = std::max(worst, rel_diff(r.loss_curve[e], loss[e]));
        for (std::size_t e = 0; e < val.size(); ++e) worst = std::max(worst, rel_diff(r.validation_scores[e], val[e]));
        if (c["best_loss"].is_number()) worst = std::max(worst, rel_diff(r.best_loss, c["best_loss"].get<double>()));
        if (c["best_validation_score"].is_number()) worst = std::max(worst, rel_diff(r.best_validation_score, c["best_validation_score"].get<double>()));
        REQUIRE(r.w.W.size() == c["coefs"].size());
        for (std::size_t l = 0; l < r.w.W.size(); ++l) {
            const md::RowMatrix W = json_matrix(c["coefs"][l]);
            const auto b = c["intercepts"][l].get<std::vector<double>>();
            REQUIRE(W.rows() == r.w.W[l].rows());
            REQUIRE(W.cols() == r.w.W[l].cols());
            for (Eigen::Index i = 0; i < W.size(); ++i) worst = std::max(worst, rel_diff(r.w.W[l].data()[i], W.data()[i]));
            for (std::size_t i = 0; i < b.size(); ++i) worst = std::max(worst, rel_diff(r.w.b[l][static_cast<Eigen::Index>(i)], b[i]));
        }
        const Eigen::VectorXd pred = md::mlp_predict(r.w, act, X_test);
        const auto ref = c["predict_test"].get<std::vector<double>>();
        REQUIRE(static_cast<std::size_t>(pred.size()) == ref.size());
        for (std::size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, rel_diff(pred[static_cast<Eigen::Index>(i)], ref[i]));
        MESSAGE(path.filename().string() << ": " << r.n_iter << " epochs, largest relative difference " << worst);
        CHECK(worst <= kTol);
    }
}
