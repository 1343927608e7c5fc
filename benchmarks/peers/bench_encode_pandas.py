#!/usr/bin/env python3
"""pandas groupby target encoding on the file of benchmarks/bench_encode.cpp; one JSON line per case.

Run with Debian's interpreter (python3-pandas, python3-sklearn):
    /usr/bin/python3 benchmarks/peers/bench_encode_pandas.py [--reps 5]
bench_encode must have run once first (it writes $MUSICLAB_BENCH_DIR/musiclab_bench_target_encoding_1m.csv,
default /tmp). The file is read once, untimed (categories as plain strings, no NA conversion).
Timed: the encoding of the 3 columns only, as ../shared/peers/bench_peers.py target_encoding does it:
  fit_transform:  prior = y.mean(); st = groupby(col).y.agg(['sum', 'count']);
                  enc = (st['sum'] + m*prior) / (st['count'] + m); out = col.map(enc)
  out_of_fold5:   the same per fold of KFold(5, shuffle=True, random_state=0), unseen -> fold prior
  transform:      col.map(enc) with a precomputed enc
m = 10. `checksum` = sum of all encodings (compare with bench_encode's checksum counter).
"""
import argparse, json, os, statistics, time

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold

ap = argparse.ArgumentParser()
ap.add_argument("--reps", type=int, default=5)
ap.add_argument("--m", type=float, default=10.0)
args = ap.parse_args()

path = os.path.join(os.environ.get("MUSICLAB_BENCH_DIR", "/tmp"), "musiclab_bench_target_encoding_1m.csv")
COLS = ["artist", "album", "genre"]
df = pd.read_csv(path, dtype={c: str for c in COLS}, keep_default_na=False)
y = df["popularity"].astype(np.float64)
m = args.m


def encode_in_sample(frame, yy):
    prior = yy.mean()
    out = np.empty((len(frame), len(COLS)))
    for j, c in enumerate(COLS):
        st = yy.groupby(frame[c]).agg(["sum", "count"])
        enc = (st["sum"] + m * prior) / (st["count"] + m)
        out[:, j] = frame[c].map(enc).to_numpy()
    return out


def encode_out_of_fold(frame, yy):
    out = np.empty((len(frame), len(COLS)))
    for tr, te in KFold(5, shuffle=True, random_state=0).split(frame):
        ytr = yy.iloc[tr]
        prior = ytr.mean()
        for j, c in enumerate(COLS):
            st = ytr.groupby(frame[c].iloc[tr]).agg(["sum", "count"])
            enc = (st["sum"] + m * prior) / (st["count"] + m)
            out[te, j] = frame[c].iloc[te].map(enc).fillna(prior).to_numpy()
    return out


fitted = {}
prior_all = y.mean()
for c in COLS:
    st = y.groupby(df[c]).agg(["sum", "count"])
    fitted[c] = (st["sum"] + m * prior_all) / (st["count"] + m)


def transform_only(frame, yy):
    return np.column_stack([frame[c].map(fitted[c]).to_numpy() for c in COLS])


for name, fn in [("fit_transform", encode_in_sample), ("out_of_fold5", encode_out_of_fold), ("transform", transform_only)]:
    times = []
    for _ in range(args.reps):
        t = time.perf_counter()
        out = fn(df, y)
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    print(json.dumps({"case": name, "peer": "pandas.groupby " + pd.__version__, "rows": len(df), "cols": len(COLS),
                      "median_s": round(med, 4), "min_s": round(min(times), 4), "max_s": round(max(times), 4),
                      "cells_per_s": round(out.size / med), "checksum": float(out.sum())}))
