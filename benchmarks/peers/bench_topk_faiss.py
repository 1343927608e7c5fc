#!/usr/bin/env python3
"""Peer timings for benchmarks/bench_recommend_topk.cpp: exact top-10 cosine with faiss
IndexFlatIP (normalize_L2, add, search k + 1, drop self) and numpy brute force (normalize,
matmul in 2048-row chunks, argpartition, sort), float32, 2 threads, on the same inputs:

  audio114k       the 114,000 x 13 Spotify audio features, standardized (population std), all
                  rows as queries, self excluded  (= ../shared/peers `topk --standardize`)
  normal100k_384  $MUSICLAB_BENCH_DIR/topk_normal100k_384.f32 (written by the C++ benchmark),
                  first 2,000 rows as queries

  /usr/bin/python3 benchmarks/peers/bench_topk_faiss.py [--case audio114k|normal100k_384] [--peer faiss|numpy] [--reps 3]

Prints one line per repetition: case, peer, seconds, mean of the 10 similarities (compare with
the C++ counter mean_topk)."""
import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
import numpy as np  # noqa: E402

AUDIO = ["danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
         "instrumentalness", "liveness", "valence", "tempo", "time_signature", "duration_ms"]


def load(case, shared, bench_dir):
    if case == "audio114k":
        import pandas as pd
        Z = pd.read_csv(os.path.join(shared, "data/spotify_tracks_114k/spotify_tracks.csv"), usecols=AUDIO)[AUDIO]
        Z = Z.to_numpy(dtype=np.float64)
        Z = (Z - Z.mean(axis=0)) / Z.std(axis=0)
        X = np.ascontiguousarray(Z, dtype=np.float32)
        return X, X, True
    X = np.fromfile(os.path.join(bench_dir, "topk_normal100k_384.f32"), dtype=np.float32).reshape(100000, 384)
    return X[:2000].copy(), X, False


def run_faiss(Q, X, k, self_rows):
    import faiss
    faiss.omp_set_num_threads(2)
    t = time.perf_counter()
    Xn = np.ascontiguousarray(X, dtype=np.float32).copy()
    faiss.normalize_L2(Xn)
    Qn = Xn if self_rows else np.ascontiguousarray(Q, dtype=np.float32).copy()
    if not self_rows:
        faiss.normalize_L2(Qn)
    index = faiss.IndexFlatIP(Xn.shape[1])
    index.add(Xn)
    D, I = index.search(Qn, k + 1)
    sec = time.perf_counter() - t
    return sec, float(D[:, 1:].mean())  # the query itself (or, with duplicates, a tie) comes first


def run_numpy(Q, X, k, self_rows, chunk=2048):
    t = time.perf_counter()
    Xn = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), np.finfo(np.float32).tiny)
    Qn = Xn if self_rows else Q / np.maximum(np.linalg.norm(Q, axis=1, keepdims=True), np.finfo(np.float32).tiny)
    D = np.empty((Qn.shape[0], k), dtype=np.float32)
    for s in range(0, Qn.shape[0], chunk):
        e = min(Qn.shape[0], s + chunk)
        S = Qn[s:e] @ Xn.T
        S[np.arange(e - s), np.arange(s, e)] = -np.inf  # self (or the query's own row) excluded
        part = np.argpartition(-S, k - 1, axis=1)[:, :k]
        D[s:e] = -np.sort(-np.take_along_axis(S, part, axis=1), axis=1)
    return time.perf_counter() - t, float(D.mean())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", default="normal100k_384", choices=["audio114k", "normal100k_384"])
    ap.add_argument("--peer", default="faiss", choices=["faiss", "numpy"])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "../../../shared"))
    args = ap.parse_args()
    Q, X, self_rows = load(args.case, args.shared, os.environ.get("MUSICLAB_BENCH_DIR", "/tmp"))
    for _ in range(args.reps):
        sec, mean = (run_faiss if args.peer == "faiss" else run_numpy)(Q, X, 10, self_rows)
        print(f"{args.case}\t{args.peer}\t{sec:.3f} s\tmean_topk={mean:.6f}", flush=True)


if __name__ == "__main__":
    main()
