#!/usr/bin/env python3
"""scikit-learn on the workloads of benchmarks/bench_preprocess.cpp; one JSON line per case.

Run with Debian's interpreter: /usr/bin/python3 benchmarks/peers/bench_preprocess_sklearn.py [--reps 5]
Same shapes, value distributions and parameters as the C++ benchmark (the values themselves come
from numpy's generator, not musiclab::Rng; none of these operations' cost depends on the values).
Single-threaded numpy (OPENBLAS_NUM_THREADS=1), as the C++ runs with num_threads = 1.
Timed: the call only (inputs built beforehand).
"""
import os
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import argparse, json, statistics, time

import numpy as np
import sklearn
from sklearn.feature_extraction import FeatureHasher
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler

ap = argparse.ArgumentParser()
ap.add_argument("--reps", type=int, default=5)
args = ap.parse_args()
rng = np.random.RandomState(1)


def matrix(rows, cols=16):
    j = np.arange(cols)
    return rng.normal(size=(rows, cols)) * (1.0 + j) + j


def timed(name, items, fn):
    fn()  # warm-up
    times = []
    for _ in range(args.reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    print(json.dumps({"case": name, "peer": "scikit-learn " + sklearn.__version__, "median_s": med,
                      "min_s": min(times), "items_per_s": items / med}))


for rows in (10000, 200000):
    X = matrix(rows)
    timed(f"StandardScalerFit/{rows}", X.size, lambda: StandardScaler().fit(X))
    s = StandardScaler().fit(X)
    timed(f"StandardScalerTransform/{rows}", X.size, lambda: s.transform(X))
    timed(f"MinMaxScalerFitTransform/{rows}", X.size, lambda: MinMaxScaler().fit_transform(X))

n = 100000
cats = np.column_stack([np.array([f"genre_{v}" for v in rng.randint(0, 114, n)], dtype=object),
                        np.array([f"key_{v}" for v in rng.randint(0, 12, n)], dtype=object)])
enc = OneHotEncoder().fit(cats)
timed(f"OneHotTransform/{n}", 2 * n, lambda: enc.transform(cats))

samples = [[f"token_{v}" for v in rng.randint(0, 50000, 20)] for _ in range(20000)]
hasher = FeatureHasher(n_features=1 << 18, input_type="string")
timed("FeatureHasherStrings/20000", 20000 * 20, lambda: hasher.transform(samples))

idx = np.arange(1000000)
timed("TrainTestSplit/1000000", len(idx), lambda: train_test_split(idx, test_size=0.2, random_state=42))
