#!/bin/sh
# Interleaved timing of musiclab GBT against XGBoost 1.7 hist and scikit-learn
# HistGradientBoostingRegressor on the same matrices (docs/gbt.md, "Speed").
#
#   benchmarks/peers/gbt_timing.sh BUILD_DIR [ROUNDS] [SET]
#
# BUILD_DIR: a Release build with bench_trees_gbt. SET: audio_dedup (default), audio_raw or
# encoded_dedup (see bench_trees_gbt.cpp). Each round runs musiclab (fit + predict, 2 threads),
# then XGBoost (n_jobs=2), then sklearn, each under flock /tmp/musiclab-bench.lock; the
# musiclab run also writes the matrices the peers read ($MUSICLAB_BENCH_DIR, default /tmp).
set -eu
BUILD=${1:?build dir}
ROUNDS=${2:-3}
SET=${3:-audio_dedup}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${MUSICLAB_BENCH_DIR:-/tmp}
case "$SET" in
  audio_dedup) ARG=0 ;;
  audio_raw) ARG=1 ;;
  encoded_dedup) ARG=2 ;;
  *) echo "unknown set $SET" >&2; exit 2 ;;
esac
uptime
r=1
while [ "$r" -le "$ROUNDS" ]; do
  echo "== round $r"
  flock /tmp/musiclab-bench.lock "$BUILD/benchmarks/bench_trees_gbt" \
    --benchmark_filter="BM_GbtFit/$ARG/2|BM_GbtPredict/$ARG/2" 2>/dev/null | grep BM_
  for peer in xgboost sklearn_hgb; do
    flock /tmp/musiclab-bench.lock /usr/bin/python3 "$HERE/gbt_xgboost_reference.py" matrix --peer "$peer" \
      --threads 2 --train "$DIR/gbt_${SET}_train.csv" --test "$DIR/gbt_${SET}_test.csv"
  done
  r=$((r + 1))
done
uptime
