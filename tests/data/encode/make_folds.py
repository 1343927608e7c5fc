#!/usr/bin/python3
"""Writes folds.tsv: the test fold of every row under scikit-learn's KFold / StratifiedKFold.

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 tests/data/encode/make_folds.py
Columns: splitter (kfold|stratified), n, n_folds, shuffle (0|1), seed, y (comma-separated class
labels, stratified only, else -), folds (comma-separated test fold of rows 0..n-1).
"""
import os

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "folds.tsv")
rows = []


def folds_of(splitter, n, y=None):
    fold = np.full(n, -1)
    for f, (_, test) in enumerate(splitter.split(np.zeros((n, 1)), y)):
        fold[test] = f
    assert (fold >= 0).all()
    return fold


for n, k, shuffle, seed in [(10, 2, 1, 0), (10, 3, 1, 42), (11, 5, 1, 0), (7, 7, 1, 1), (1000, 5, 1, 0),
                            (1000, 5, 1, 123456789), (1003, 4, 1, 4294967295), (12, 5, 0, 0), (20000, 5, 1, 7)]:
    fold = folds_of(KFold(k, shuffle=bool(shuffle), random_state=seed if shuffle else None), n)
    rows.append(["kfold", n, k, shuffle, seed, "-", ",".join(map(str, fold))])

rng = np.random.default_rng(5)
for n, k, shuffle, seed, p in [(20, 2, 1, 0, 0.5), (50, 5, 1, 3, 0.2), (333, 5, 1, 0, 0.1), (1000, 3, 1, 99, 0.7),
                               (40, 4, 0, 0, 0.5)]:
    y = (rng.random(n) < p).astype(int)
    fold = folds_of(StratifiedKFold(k, shuffle=bool(shuffle), random_state=seed if shuffle else None), n, y)
    rows.append(["stratified", n, k, shuffle, seed, ",".join(map(str, y)), ",".join(map(str, fold))])

with open(out, "w") as f:
    f.write("splitter\tn\tn_folds\tshuffle\tseed\ty\tfolds\n")
    for r in rows:
        f.write("\t".join(map(str, r)) + "\n")
