#!/usr/bin/env bash
# musiclab's VADER against vaderSentiment (Python), interleaved: each round runs bench_text_vader
# (median of 5 repetitions) and then bench_vader_python.py (median of 5 passes) on the same texts,
# and prints both and their ratio; the summary gives the median per-round ratio. The machine's
# speed drifts between minutes, so only per-round ratios are compared.
#
#   VADER_PY=<checkout of cjhutto/vaderSentiment at 44fc044> bash benchmarks/peers/vader_rounds.sh [rounds] [bench binary]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
bench=${2:-./build/release/benchmarks/bench_text_vader}
: "${VADER_PY:?set VADER_PY to a checkout of cjhutto/vaderSentiment (commit 44fc044)}"
for r in $(seq "$rounds"); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  cpp=$("$bench" --benchmark_filter='titles_10k$|tweets_4200$' --benchmark_repetitions=5 \
        --benchmark_report_aggregates_only=true 2>/dev/null |
        awk '/_median/ {v=$2; if ($3=="us") v/=1000; sub("_median","",$1); printf "%s=%s ", $1, v}')
  py=$(PYTHONPATH="$VADER_PY" /usr/bin/python3 benchmarks/peers/bench_vader_python.py --reps 5 |
       /usr/bin/python3 -c 'import sys,json; print(" ".join("%s=%s" % (d["case"], d["median_s"] * 1000) for d in map(json.loads, sys.stdin)))')
  echo "round $r $(date -u +%H:%M:%S) load $load | musiclab_ms $cpp | python_ms $py"
done | tee /dev/stderr | /usr/bin/python3 -c '
import sys, re, statistics as st
ratios = {"titles_10k": [], "tweets_4200": []}
for line in sys.stdin:
    c = dict(re.findall(r"BM_vader_(\w+)=([0-9.]+)", line))
    p = dict(re.findall(r" (titles_10k|tweets_4200)=([0-9.]+)", line.split("python_ms")[1]))
    for k in ratios: ratios[k].append(float(p[k]) / float(c[k]))
for k, v in ratios.items():
    print(f"{k}: per-round ratio " + ", ".join(f"{x:.0f}x" for x in v) + f"; median {st.median(v):.0f}x")
'
