#!/bin/sh
# musiclab Sentence-BERT (bench_nn_bert) and onnxruntime-node on the same 1,000 song titles and a
# random-weight all-MiniLM-L6-v2-sized model, interleaved in one sitting: 3 rounds of
#   FMA peak (../shared/peers/transformer/fma_peak.c, AVX-512 and AVX2, 2 threads),
#   musiclab (BUILD_DIR, then NATIVE_BUILD_DIR = the same built with -march=native, if given),
#   onnxruntime-node (bench_ort.mjs: intraOpNumThreads 2, graph optimisation all / disabled;
#   batch 32 and 1, median of 3 runs each),
# every command under flock /tmp/musiclab-bench.lock; then bert_summary.py prints the medians.
#
# usage: sh benchmarks/peers/bert_rounds.sh BUILD_DIR [NATIVE_BUILD_DIR]
#   env: MUSICLAB_BENCH_DIR (default /tmp), NODE_TF_DIR (folder with node_modules/onnxruntime-node;
#   default /work/peers/node), MUSICLAB_SHARED_DIR (default ../shared of the repository)
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
B="$1"; N="$2"
W=${MUSICLAB_BENCH_DIR:-/tmp}; export MUSICLAB_BENCH_DIR="$W"
S=${MUSICLAB_SHARED_DIR:-$HERE/../../../shared}
export NODE_TF_DIR=${NODE_TF_DIR:-/work/peers/node}
OUT="$W/nn_rounds"; mkdir -p "$OUT"
LOCK="flock /tmp/musiclab-bench.lock"
[ -f "$W/anchor/model.onnx" ] || /usr/bin/python3 "$HERE/bert_setup.py" "$W"
[ -x "$OUT/fma_peak" ] || gcc -O2 -mavx512f -mfma -o "$OUT/fma_peak" "$S/peers/transformer/fma_peak.c" -lpthread
FILTER='BM_nn_bert_encode'
for r in 1 2 3; do
  echo "round $r: $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
  $LOCK sh -c "'$OUT/fma_peak' 1 2 > '$OUT/peak512_r$r.txt'; '$OUT/fma_peak' 0 2 > '$OUT/peak256_r$r.txt'"
  $LOCK "$B/benchmarks/bench_nn_bert" --benchmark_filter="$FILTER" --benchmark_format=json > "$OUT/musiclab_r$r.json"
  if [ -n "$N" ]; then
    $LOCK "$N/benchmarks/bench_nn_bert" --benchmark_filter="$FILTER" --benchmark_format=json > "$OUT/musiclab_native_r$r.json"
  fi
  $LOCK env ORT_CONFIGS="all:2,disabled:2" ORT_TAG="r$r" QUIET_WAIT_S=30 node "$S/peers/transformer/bench_ort.mjs" "$W" > /dev/null
  cp "$W/anchor/ort_bench_r$r.json" "$OUT/ort_r$r.json"
done
/usr/bin/python3 "$HERE/bert_summary.py" "$OUT"
