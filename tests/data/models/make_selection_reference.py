#!/usr/bin/env python3
"""Writes the scikit-learn 1.2.1 reference cases of musiclab/models/model_selection.hpp and
inspection.hpp into tests/data/models/selection/*.json (read by tests/test_models_selection.cpp,
which discovers every file here by pattern).

Kinds of case:
  sample_*.json      ParameterSampler(space, n_iter, random_state) = RandomizedSearchCV's candidates
  search_*.json      RandomizedSearchCV over a tiny deterministic estimator ("Affine": predicts
                     shrink * mean(y_train) + offset + slope * x0), KFold cv: per-candidate fold
                     scores, means, stds, ranks, best_index_
  permutation_*.json permutation_importance of a fixed linear predictor

    /usr/bin/python3 tests/data/models/make_selection_reference.py
"""
import json
import os

import numpy as np
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.inspection import permutation_importance
from sklearn.model_selection import KFold, ParameterSampler, RandomizedSearchCV

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "selection")


def spec_to_dist(spec):
    k = spec["kind"]
    if k == "uniform":
        return uniform(spec["loc"], spec["scale"])
    if k == "loguniform":
        return loguniform(spec["a"], spec["b"])
    if k == "randint":
        return randint(spec["low"], spec["high"])
    return list(spec["values"])


def space_of(specs):
    return {name: spec_to_dist(s) for name, s in specs.items()}


def plain(v):
    if isinstance(v, (np.integer,)):
        return float(v)
    if isinstance(v, (np.floating, float, int)):
        return float(v)
    return v


class Affine(RegressorMixin, BaseEstimator):
    def __init__(self, shrink=1.0, offset=0.0, slope=0.0, mode="mean"):
        self.shrink = shrink
        self.offset = offset
        self.slope = slope
        self.mode = mode

    def fit(self, X, y):
        self.center_ = float(np.median(y)) if self.mode == "median" else float(np.mean(y))
        return self

    def predict(self, X):
        return self.shrink * self.center_ + self.offset + self.slope * np.asarray(X)[:, 0]


class Fixed(RegressorMixin, BaseEstimator):
    def __init__(self, w=None, b=0.0):
        self.w = w
        self.b = b

    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.asarray(X) @ np.asarray(self.w) + self.b


def write(name, obj):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, indent=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    samples = [
        ("mixed", {"alpha": {"kind": "loguniform", "a": 1e-3, "b": 1e3},
                   "max_depth": {"kind": "randint", "low": 2, "high": 12},
                   "weights": {"kind": "choice", "values": ["uniform", "distance"]},
                   "learning_rate": {"kind": "uniform", "loc": 0.01, "scale": 0.29}}, 25, 42),
        ("mixed_seed0", {"b": {"kind": "uniform", "loc": -1.0, "scale": 2.0},
                         "a": {"kind": "choice", "values": [1.0, 2.0, 3.0, "x"]}}, 10, 0),
        ("grid_reservoir", {"p": {"kind": "choice", "values": [1.0, 2.0, 3.0]},
                            "q": {"kind": "choice", "values": ["a", "b"]}}, 10, 7),
        ("grid_permutation", {"p": {"kind": "choice", "values": list(map(float, range(10)))},
                              "q": {"kind": "choice", "values": list(map(float, range(10)))}}, 30, 3),
        ("grid_tracking", {"p": {"kind": "choice", "values": list(map(float, range(40)))},
                           "q": {"kind": "choice", "values": list(map(float, range(50)))}}, 12, 11),
        ("randint_wide", {"n": {"kind": "randint", "low": -5, "high": 100000}}, 20, 123),
    ]
    for name, specs, n_iter, seed in samples:
        got = list(ParameterSampler(space_of(specs), n_iter=n_iter, random_state=seed))
        write(f"sample_{name}.json", {"space": specs, "n_iter": n_iter, "random_state": seed,
                                      "candidates": [{k: plain(v) for k, v in sorted(c.items())} for c in got]})

    rng = np.random.RandomState(5)
    X = rng.normal(size=(37, 3))
    y = 2.0 * X[:, 0] - X[:, 1] + rng.normal(size=37) * 0.5 + 10.0
    searches = [
        ("unshuffled", {"shrink": {"kind": "uniform", "loc": 0.5, "scale": 1.0},
                        "offset": {"kind": "randint", "low": -2, "high": 3},
                        "slope": {"kind": "choice", "values": [0.0, 1.0, 2.0, 3.0]}}, 12, 1, 5, False, 0, "r2"),
        ("shuffled_mae", {"shrink": {"kind": "uniform", "loc": 0.8, "scale": 0.4},
                          "slope": {"kind": "loguniform", "a": 0.1, "b": 4.0},
                          "mode": {"kind": "choice", "values": ["mean", "median"]}}, 9, 4, 4, True, 17, "neg_mean_absolute_error"),
        ("grid_ties", {"offset": {"kind": "choice", "values": [0.0, 0.0]},
                       "slope": {"kind": "choice", "values": [2.0, 1.0]}}, 10, 2, 3, True, 3, "neg_root_mean_squared_error"),
    ]
    for name, specs, n_iter, seed, k, shuffle, cv_seed, scoring in searches:
        cv = KFold(k, shuffle=shuffle, random_state=cv_seed if shuffle else None)
        s = RandomizedSearchCV(Affine(), space_of(specs), n_iter=n_iter, random_state=seed, cv=cv, scoring=scoring)
        s.fit(X, y)
        r = s.cv_results_
        write(f"search_{name}.json", {
            "X": X.tolist(), "y": y.tolist(), "space": specs, "n_iter": n_iter, "random_state": seed,
            "n_splits": k, "shuffle": shuffle, "cv_random_state": cv_seed, "scoring": scoring,
            "candidates": [{k2: plain(v) for k2, v in sorted(p.items())} for p in r["params"]],
            "fold_scores": [[float(r[f"split{i}_test_score"][c]) for i in range(k)] for c in range(len(r["params"]))],
            "mean_test_score": r["mean_test_score"].tolist(), "std_test_score": r["std_test_score"].tolist(),
            "rank_test_score": r["rank_test_score"].tolist(), "best_index": int(s.best_index_),
            "folds": [{"train": tr.tolist(), "test": te.tolist()} for tr, te in cv.split(X)]})

    perms = [("full", 60, 4, 5, 0, 1.0, "r2"), ("sampled", 53, 3, 7, 42, 0.6, "neg_mean_squared_error"),
             ("small_sample", 200, 2, 3, 9, 0.05, "r2")]
    for name, n, d, n_repeats, seed, max_samples, scoring in perms:
        rng = np.random.RandomState(100 + n)
        X = rng.normal(size=(n, d))
        w = rng.normal(size=d)
        y = X @ w + 0.3 * rng.normal(size=n)
        r = permutation_importance(Fixed(w=w, b=0.25).fit(X, y), X, y, n_repeats=n_repeats, random_state=seed,
                                   max_samples=max_samples, scoring=scoring)
        write(f"permutation_{name}.json", {"X": X.tolist(), "y": y.tolist(), "w": w.tolist(), "b": 0.25,
                                           "n_repeats": n_repeats, "random_state": seed, "max_samples": max_samples,
                                           "scoring": scoring, "importances": r.importances.tolist(),
                                           "importances_mean": r.importances_mean.tolist(),
                                           "importances_std": r.importances_std.tolist()})


if __name__ == "__main__":
    main()
