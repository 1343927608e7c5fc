// The README's API example, compiled with the project so it cannot go stale.
#include <musiclab/musiclab.hpp>

#include <cstdio>

namespace ml = musiclab;

int main() {
    // the built-in synthetic catalogue (or: ml::io::read_csv("spotify_tracks.csv"))
    ml::data::SyntheticOptions options;
    options.n_tracks = 5000;
    const auto catalogue = ml::data::make_catalogue(options);
    const ml::io::Table& tracks = catalogue.tracks;

    // oldest 90 % of releases train, newest 10 % test
    const auto split = ml::preprocess::time_split(tracks.text("release_date"));

    // standardize the audio features with statistics of the training rows only
    const std::vector<std::string> audio = {"danceability", "energy", "loudness", "tempo"};
    const Eigen::MatrixXd X = tracks.matrix(audio);
    ml::preprocess::StandardScaler scaler;
    scaler.fit(X(split.train, Eigen::all));
    const Eigen::MatrixXd Z = scaler.transform(X);

    std::printf("%zu train / %zu test tracks; mean energy %.3f, scale %.3f\n", split.train.size(),
                split.test.size(), scaler.mean()[1], scaler.scale()[1]);
}
