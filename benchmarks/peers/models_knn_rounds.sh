#!/bin/sh
# Interleaved timing of bench_models_knn (musiclab) and models_knn_mlp_sklearn.py --only knn
# (scikit-learn 1.2.1) under the exclusive bench lock: ROUNDS rounds (default 3), each one run of
# every kNN benchmark (fit, predict uniform / distance on 1 and 2 threads) and one of sklearn's
# fit + predict per weighting (n_jobs=2); the load average is logged before each run.
#   sh benchmarks/peers/models_knn_rounds.sh BUILD_DIR OUT_DIR [ROUNDS]
set -e
B=${1:-build/release}; O=${2:-/tmp/knn_rounds}; R=${3:-3}; mkdir -p "$O"
r=1
while [ "$r" -le "$R" ]; do
  echo "round $r musiclab: $(cat /proc/loadavg)" >> "$O/load.txt"
  flock /tmp/musiclab-bench.lock "$B/benchmarks/bench_models_knn" --benchmark_format=json \
      --benchmark_out="$O/musiclab_$r.json" > /dev/null
  echo "round $r sklearn: $(cat /proc/loadavg)" >> "$O/load.txt"
  flock /tmp/musiclab-bench.lock /usr/bin/python3 benchmarks/peers/models_knn_mlp_sklearn.py --only knn --repeat 1 \
      > "$O/sklearn_$r.txt"
  r=$((r + 1))
done
