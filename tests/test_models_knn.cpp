// musiclab/models/knn.hpp: KNeighborsRegressor.
//   - brute force: every query's neighbours found by sorting all distances (random data, so no
//     ties), uniform mean and 1/d-weighted mean, within 1e-12 relative; euclidean and manhattan;
//   - sklearn's zero-distance rule for weights = "distance" (hand-worked);
//   - n_neighbors > n_samples, NaN, shapes, unknown / bad parameters; thread-count independence.
#include "support.hpp"

#include <musiclab/core/random.hpp>
#include <musiclab/models/knn.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace mm = musiclab::models;

static_assert(mm::Regressor<mm::KNeighborsRegressor>);

namespace {

Eigen::MatrixXd random_matrix(Eigen::Index n, Eigen::Index d, std::uint64_t seed) {
    musiclab::Rng rng(seed);
    Eigen::MatrixXd X(n, d);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < d; ++j) X(i, j) = rng.uniform(-1.0, 1.0);
    return X;
}

double brute_predict(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& q, int k, bool l1, bool distance) {
    std::vector<std::pair<double, Eigen::Index>> d;
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
        const Eigen::VectorXd diff = X.row(i).transpose() - q;
        d.emplace_back(l1 ? diff.cwiseAbs().sum() : diff.norm(), i);
    }
    std::sort(d.begin(), d.end());
    double num = 0.0, den = 0.0;
    for (int j = 0; j < k; ++j) {
        const double w = distance ? 1.0 / d[static_cast<std::size_t>(j)].first : 1.0;
        num += w * y[d[static_cast<std::size_t>(j)].second];
        den += w;
    }
    return num / den;
}

}  // namespace

TEST_CASE("KNeighborsRegressor matches a brute-force search") {
    const Eigen::MatrixXd X = random_matrix(400, 4, 1);
    const Eigen::MatrixXd Q = random_matrix(60, 4, 2);
    Eigen::VectorXd y(X.rows());
    for (Eigen::Index i = 0; i < X.rows(); ++i) y[i] = std::sin(3.0 * X(i, 0)) + X(i, 1) * X(i, 2);
    for (const bool l1 : {false, true})
        for (const bool distance : {false, true})
            for (const int k : {1, 5, 17}) {
                mm::KNeighborsRegressor knn;
                knn.set_param("n_neighbors", double(k));
                knn.set_param("weights", std::string(distance ? "distance" : "uniform"));
                knn.set_param("metric", std::string(l1 ? "manhattan" : "euclidean"));
                const Eigen::VectorXd p = knn.fit(X, y).predict(Q);
                REQUIRE(p.size() == Q.rows());
                for (Eigen::Index i = 0; i < Q.rows(); ++i) {
                    const double ref = brute_predict(X, y, Q.row(i).transpose(), k, l1, distance);
                    CHECK(std::abs(p[i] - ref) <= 1e-12 * std::max(1.0, std::abs(ref)));
                }
            }
}

TEST_CASE("KNeighborsRegressor minkowski p selects the metric") {
    const Eigen::MatrixXd X = random_matrix(200, 3, 3);
    const Eigen::MatrixXd Q = random_matrix(30, 3, 4);
    const Eigen::VectorXd y = X.col(0) * 2.0 + X.col(2);
    mm::KNeighborsRegressor a, b;
    a.set_param("p", 1.0);
    b.set_param("metric", std::string("manhattan"));
    CHECK((a.fit(X, y).predict(Q) - b.fit(X, y).predict(Q)).cwiseAbs().maxCoeff() == 0.0);
    for (Eigen::Index i = 0; i < Q.rows(); ++i)
        CHECK(std::abs(a.predict(Q)[i] - brute_predict(X, y, Q.row(i).transpose(), 5, true, false)) <= 1e-12);
}

TEST_CASE("KNeighborsRegressor distance weights give zero-distance neighbours weight 1 and the others 0") {
    // training points on a line: 0, 0 (duplicate), 1, 3; y = 10, 20, 30, 70
    Eigen::MatrixXd X(4, 1);
    X << 0.0, 0.0, 1.0, 3.0;
    Eigen::VectorXd y(4);
    y << 10.0, 20.0, 30.0, 70.0;
    mm::KNeighborsRegressor knn;
    knn.set_param("n_neighbors", 3.0);
    knn.set_param("weights", std::string("distance"));
    knn.fit(X, y);
    Eigen::MatrixXd Q(2, 1);
    Q << 0.0, 2.0;
    const Eigen::VectorXd p = knn.predict(Q);
    CHECK(p[0] == doctest::Approx(15.0).epsilon(1e-15));  // (10 + 20) / 2; the point at 1 gets weight 0
    // query 2: neighbours 1 (d 1), 3 (d 1), 0 (d 2, first of the duplicates): (30 + 70 + 10/2) / 2.5
    CHECK(p[1] == doctest::Approx(105.0 / 2.5).epsilon(1e-15));
    knn.set_param("weights", std::string("uniform"));
    CHECK(knn.predict(Q)[0] == doctest::Approx(20.0).epsilon(1e-15));
}

TEST_CASE("KNeighborsRegressor bad input") {
    const Eigen::MatrixXd X = random_matrix(6, 2, 5);
    const Eigen::VectorXd y = X.col(0);
    mm::KNeighborsRegressor knn;
    CHECK_THROWS_WITH_AS(knn.predict(X), doctest::Contains("KNeighborsRegressor is not fitted"), musiclab::not_fitted);
    knn.set_param("n_neighbors", 7.0);
    CHECK_THROWS_WITH_AS(knn.fit(X, y), doctest::Contains("n_samples = 6"), musiclab::invalid_parameter);
    knn.set_param("n_neighbors", 6.0);
    knn.fit(X, y);
    CHECK_THROWS_AS(knn.predict(random_matrix(3, 3, 6)), musiclab::shape_mismatch);
    Eigen::MatrixXd Xn = X;
    Xn(4, 1) = std::nan("");
    CHECK_THROWS_WITH_AS(knn.fit(Xn, y), doctest::Contains("row 4 column 1"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(knn.predict(Xn), doctest::Contains("row 4 column 1"), musiclab::invalid_parameter);
    Eigen::VectorXd yn = y;
    yn[2] = std::nan("");
    CHECK_THROWS_WITH_AS(knn.fit(X, yn), doctest::Contains("row 2"), musiclab::invalid_parameter);
    CHECK_THROWS_AS(knn.fit(X, y.head(5)), musiclab::shape_mismatch);
    CHECK_THROWS_WITH_AS(knn.set_param("n_neighbours", 3.0), doctest::Contains("n_neighbours"), musiclab::unknown_name);
    CHECK_THROWS_WITH_AS(knn.set_param("n_neighbors", 0.0), doctest::Contains("n_neighbors"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(knn.set_param("n_neighbors", 2.5), doctest::Contains("n_neighbors"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(knn.set_param("weights", std::string("gaussian")), doctest::Contains("weights"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(knn.set_param("metric", std::string("cosine")), doctest::Contains("metric"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(knn.set_param("p", 3.0), doctest::Contains("p"), musiclab::invalid_parameter);
    CHECK_THROWS_WITH_AS(knn.set_param("weights", 1.0), doctest::Contains("weights"), musiclab::invalid_parameter);
}

TEST_CASE("KNeighborsRegressor params round trip and thread independence") {
    mm::KNeighborsRegressor a;
    a.set_param("n_neighbors", 9.0);
    a.set_param("weights", std::string("distance"));
    mm::KNeighborsRegressor b;
    for (const auto& [k, v] : a.get_params()) b.set_param(k, v);
    CHECK(b.get_params() == a.get_params());
    CHECK(a.get_params().size() == 7);
    const Eigen::MatrixXd X = random_matrix(3000, 5, 7);
    const Eigen::MatrixXd Q = random_matrix(500, 5, 8);
    const Eigen::VectorXd y = X.rowwise().sum();
    a.fit(X, y);
    const Eigen::VectorXd p1 = a.predict(Q);
    a.set_param("n_jobs", 2.0);
    const Eigen::VectorXd p2 = a.predict(Q);
    CHECK((p1 - p2).cwiseAbs().maxCoeff() == 0.0);
    const mm::KNeighborsRegressor c = a;  // copy carries the fitted state
    CHECK((c.predict(Q) - p1).cwiseAbs().maxCoeff() == 0.0);
}
