#!/usr/bin/env python3
"""vaderSentiment (cjhutto, Python) on the texts of benchmarks/bench_text_vader.cpp; one JSON line per case.

Run with Debian's interpreter and a checkout of cjhutto/vaderSentiment (commit 44fc044, kept
outside this repository) on PYTHONPATH:

    PYTHONPATH=/tmp/peers/vaderSentiment /usr/bin/python3 benchmarks/peers/bench_vader_python.py [--reps 5]

Texts: the first 10,000 rows of ../shared/reference/vader/titles.jsonl and the 4,200 tweets of
tweets.jsonl, exactly as the C++ benchmark reads them. Timed: the loop of polarity_scores calls
over all texts (the analyzer is built beforehand, as in the C++ benchmark); one thread.
median_s is wall time (time.perf_counter), as Google Benchmark's Time column; cpu_median_s is
process CPU time (time.process_time), as its CPU column: on a shared machine the two differ by
the time the process waited for a core.
"""
import argparse, json, os, statistics, time

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

ap = argparse.ArgumentParser()
ap.add_argument("--reps", type=int, default=5)
ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared"))
args = ap.parse_args()


def read_texts(name, limit):
    texts = []
    with open(os.path.join(args.shared, "reference/vader", name), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                texts.append(json.loads(line)["text"])
            if len(texts) == limit:
                break
    return texts


analyzer = SentimentIntensityAnalyzer()
for case, texts in [("titles_10k", read_texts("titles.jsonl", 10000)), ("tweets_4200", read_texts("tweets.jsonl", 4200))]:
    times, cpu = [], []
    for _ in range(args.reps):
        t, c = time.perf_counter(), time.process_time()
        total = 0.0
        for text in texts:
            total += analyzer.polarity_scores(text)["compound"]
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    med = statistics.median(times)
    print(json.dumps({"case": case, "peer": "vaderSentiment (cjhutto, Python)", "texts": len(texts),
                      "median_s": round(med, 5), "min_s": round(min(times), 5), "max_s": round(max(times), 5),
                      "us_per_text": round(med / len(texts) * 1e6, 3), "cpu_median_s": round(statistics.median(cpu), 5),
                      "compound_sum": round(total, 4)}))
