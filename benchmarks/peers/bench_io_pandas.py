#!/usr/bin/env python3
"""pandas.read_csv on the files of benchmarks/bench_io.cpp; prints one JSON line per case.

Run with Debian's interpreter (python3-pandas): /usr/bin/python3 benchmarks/peers/bench_io_pandas.py
[--reps 5] [--shared ../shared]. bench_io must have run once first (it writes the numeric file).
Timed: the read_csv call only. Default C engine, as users call it.
"""
import argparse, json, os, statistics, time

import pandas as pd

ap = argparse.ArgumentParser()
ap.add_argument("--reps", type=int, default=5)
ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "../../../shared"))
args = ap.parse_args()

bench_dir = os.environ.get("MUSICLAB_BENCH_DIR", "/tmp")
cases = [
    ("numeric_typed", os.path.join(bench_dir, "musiclab_bench_audio_1m.csv"), {"dtype": "float64"}),
    ("numeric_automatic", os.path.join(bench_dir, "musiclab_bench_audio_1m.csv"), {}),
    ("spotify_tracks", os.path.join(args.shared, "data/spotify_tracks_114k/spotify_tracks.csv"), {}),
]
for name, path, kwargs in cases:
    if not os.path.exists(path):
        print(json.dumps({"case": name, "error": "missing " + path}))
        continue
    times = []
    for _ in range(args.reps):
        t = time.perf_counter()
        df = pd.read_csv(path, **kwargs)
        times.append(time.perf_counter() - t)
    size = os.path.getsize(path)
    med = statistics.median(times)
    print(json.dumps({"case": name, "peer": "pandas.read_csv " + pd.__version__, "rows": len(df),
                      "median_s": round(med, 4), "min_s": round(min(times), 4), "max_s": round(max(times), 4),
                      "MB_per_s": round(size / med / 1e6, 1)}))
