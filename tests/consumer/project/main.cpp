// A downstream program: includes everything and uses something from several areas, so a missing
// usage requirement (include path, OpenMP, utf8proc, ...) fails to compile or link here.
#include <musiclab/musiclab.hpp>

#include <cstdio>
#include <vector>

int main() {
    const auto table = musiclab::io::read_csv_text("x,y\n1,2\n3,5\n");
    const Eigen::MatrixXd X = table.matrix({"x", "y"});
    const auto scaler = musiclab::preprocess::fit_standard_scaler(X);
    const Eigen::MatrixXd Z = scaler.transform(X);
    const std::vector<double> truth = {1.0, 2.0, 3.0}, pred = {1.0, 2.0, 3.0};
    if (musiclab::metrics::r2_score(truth, pred) != 1.0 || Z(0, 0) != -1.0) return 1;
    musiclab::Rng rng(1);
    if (rng.below(10) >= 10) return 1;
    std::puts("consumer ok");
    return 0;
}
