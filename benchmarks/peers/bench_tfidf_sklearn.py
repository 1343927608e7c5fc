#!/usr/bin/env python3
"""scikit-learn TfidfVectorizer on the texts of benchmarks/bench_text_tfidf.cpp; one JSON line per case.

Run with Debian's interpreter (scikit-learn 1.2.1):

    /usr/bin/python3 benchmarks/peers/bench_tfidf_sklearn.py [--reps 5]

Texts: the 114,000 rows of ../shared/data/spotify_tracks_114k/spotify_tracks.csv, each
"track_name artists track_genre" joined by one space, a missing cell read as "" (pandas read_csv,
fillna(""), untimed), exactly as the C++ benchmark builds them. Timed: fit_transform only; one thread.
"""
import argparse, os, statistics, time

import json
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

ap = argparse.ArgumentParser()
ap.add_argument("--reps", type=int, default=5)
ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared"))
args = ap.parse_args()

cols = ["track_name", "artists", "track_genre"]
df = pd.read_csv(os.path.join(args.shared, "data/spotify_tracks_114k/spotify_tracks.csv"))
for c in cols:
    df[c] = df[c].fillna("").astype(str)
texts = df[cols].agg(" ".join, axis=1).tolist()

for case, params in [("default", {}), ("sublinear_bigram", {"sublinear_tf": True, "ngram_range": (1, 2)})]:
    times = []
    for _ in range(args.reps):
        vec = TfidfVectorizer(**params)
        t = time.perf_counter()
        X = vec.fit_transform(texts)
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    print(json.dumps({"case": case, "peer": "sklearn.TfidfVectorizer " + __import__("sklearn").__version__,
                      "texts": len(texts), "median_s": round(med, 4), "min_s": round(min(times), 4),
                      "max_s": round(max(times), 4), "nnz": int(X.nnz), "vocab_size": len(vec.vocabulary_),
                      "data_sum": round(float(X.data.sum()), 3)}))
