#!/usr/bin/env python3
"""scikit-learn TruncatedSVD on the matrices of benchmarks/bench_linalg_svd.cpp; one JSON line per case.

Run with Debian's interpreter (scikit-learn 1.2.1, numpy/scipy on OpenBLAS 0.3.21 pthreads, 2 threads):

    /usr/bin/python3 benchmarks/peers/bench_svd_sklearn.py [--reps 3]     # timed fits
    /usr/bin/python3 benchmarks/peers/bench_svd_sklearn.py --scale         # TF-IDF + SVD once, peak RSS

Sparse: TfidfVectorizer() on the 114,000 rows of ../shared/data/spotify_tracks_114k/spotify_tracks.csv,
each "track_name artists track_genre" joined by one space, a missing cell read as "" (pandas read_csv,
fillna(""); the same matrix musiclab builds: TF-IDF parity is 1e-12). Timed: TruncatedSVD(100,
algorithm='randomized', n_iter=5, n_oversamples=10, random_state=0).fit(X) and the 'arpack' fit.
Dense: the 11 audio features z-scored with the population std, TruncatedSVD(5, 'randomized', n_iter=5).
"""
import argparse, json, os, resource, statistics, time

import numpy as np
import pandas as pd
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

ap = argparse.ArgumentParser()
ap.add_argument("--reps", type=int, default=3)
ap.add_argument("--scale", action="store_true", help="one TF-IDF + SVD(k=100) run; wall times and peak RSS")
ap.add_argument("--cases", default="randomized_k100_tfidf,arpack_k100_tfidf,randomized_k5_audio")
ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared"))
args = ap.parse_args()

csv = os.path.join(args.shared, "data/spotify_tracks_114k/spotify_tracks.csv")
text_cols = ["track_name", "artists", "track_genre"]
audio_cols = ["danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
              "instrumentalness", "liveness", "valence", "tempo"]


def texts():
    df = pd.read_csv(csv, usecols=text_cols)
    for c in text_cols:
        df[c] = df[c].fillna("").astype(str)
    return df[text_cols].agg(" ".join, axis=1).tolist()


def blas():
    try:
        from threadpoolctl import threadpool_info
        return [{k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
                for d in threadpool_info() if d.get("user_api") == "blas"]
    except ImportError:
        return None


if args.scale:
    t0 = time.perf_counter()
    docs = texts()
    read_s = time.perf_counter() - t0
    rss_read = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    X = TfidfVectorizer().fit_transform(docs)
    tfidf_s = time.perf_counter() - t
    del docs
    rss_tfidf = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    svd = TruncatedSVD(100, algorithm="randomized", n_iter=5, n_oversamples=10, random_state=0)
    Xk = svd.fit_transform(X)
    svd_s = time.perf_counter() - t
    print(json.dumps({"case": "tfidf+svd_k100", "peer": "sklearn " + __import__("sklearn").__version__,
                      "docs": X.shape[0], "features": X.shape[1], "nnz": int(X.nnz), "read_s": round(read_s, 3),
                      "tfidf_s": round(tfidf_s, 3), "svd_s": round(svd_s, 3), "tfidf_svd_s": round(tfidf_s + svd_s, 3),
                      "max_rss_after_read_mib": round(rss_read, 1), "max_rss_after_tfidf_mib": round(rss_tfidf, 1),
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "evr_sum": float(svd.explained_variance_ratio_.sum()), "sv0": float(svd.singular_values_[0]),
                      "blas": blas()}))
    raise SystemExit(0)

cases = args.cases.split(",")
if any(c.endswith("tfidf") for c in cases):
    X = TfidfVectorizer().fit_transform(texts())
if any(c.endswith("audio") for c in cases):
    Z = pd.read_csv(csv, usecols=audio_cols)[audio_cols].to_numpy(dtype=np.float64)
    Z = (Z - Z.mean(axis=0)) / Z.std(axis=0)

for case in cases:
    algo, k, data = case.split("_")
    M = X if data == "tfidf" else Z
    times = []
    for _ in range(args.reps):
        svd = TruncatedSVD(int(k[1:]), algorithm=algo, n_iter=5, n_oversamples=10, random_state=0)
        t = time.perf_counter()
        svd.fit(M)
        times.append(time.perf_counter() - t)
    print(json.dumps({"case": case, "peer": "sklearn.TruncatedSVD " + __import__("sklearn").__version__,
                      "rows": M.shape[0], "cols": M.shape[1], "median_s": round(statistics.median(times), 4),
                      "min_s": round(min(times), 4), "max_s": round(max(times), 4),
                      "evr_sum": float(svd.explained_variance_ratio_.sum()), "sv0": float(svd.singular_values_[0]),
                      "blas": blas()}), flush=True)
