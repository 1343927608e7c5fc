#!/bin/sh
# Interleaved timing of bench_models_forest (musiclab) and models_forest_sklearn.py (scikit-learn
# 1.2.1) under the exclusive bench lock: 3 rounds on the 20,000-row train subsample (rf, et), then
# one round of every model on the full 71,792-row train split (quality table + speed).
#   sh benchmarks/peers/models_forest_rounds.sh BUILD_DIR OUT_DIR
set -e
B=${1:-build/release}; O=${2:-/tmp/forest_rounds}; mkdir -p "$O"
for r in 1 2 3; do
  echo "round $r musiclab: $(cat /proc/loadavg)" >> "$O/load.txt"
  flock /tmp/musiclab-bench.lock "$B/benchmarks/bench_models_forest" --benchmark_filter='(rf|et)/20000/' \
      --benchmark_format=json --benchmark_out="$O/musiclab_20k_$r.json" > /dev/null
  echo "round $r sklearn: $(cat /proc/loadavg)" >> "$O/load.txt"
  flock /tmp/musiclab-bench.lock /usr/bin/python3 benchmarks/peers/models_forest_sklearn.py --rows 20000 --models rf,et \
      --json "$O/sklearn_20k_$r.json"
done
echo "full musiclab: $(cat /proc/loadavg)" >> "$O/load.txt"
flock /tmp/musiclab-bench.lock "$B/benchmarks/bench_models_forest" --benchmark_filter='/0/' \
    --benchmark_format=json --benchmark_out="$O/musiclab_full.json" > /dev/null
echo "full sklearn: $(cat /proc/loadavg)" >> "$O/load.txt"
flock /tmp/musiclab-bench.lock /usr/bin/python3 benchmarks/peers/models_forest_sklearn.py --rows 0 --models rf,et,tree,ada \
    --json "$O/sklearn_full.json"
