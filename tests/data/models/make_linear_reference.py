#!/usr/bin/env python3
"""Writes the scikit-learn 1.2.1 reference cases of musiclab/models/linear.hpp into
tests/data/models/linear/*.json (read by tests/test_models_linear.cpp, which discovers every file
there by pattern).

Each case: a design X (rows), a target y, and fits: the estimator name, its parameters (sklearn's
names) and what sklearn fitted: coef_, intercept_, and n_iter_ / dual_gap_ (Lasso, ElasticNet) or
rank_ (LinearRegression). Cases:
  spotify_raw      1000 Spotify rows (RandomState(0) sample of the track_id-deduplicated CSV), the
                   13 raw audio features: LinearRegression, Ridge (several alphas, cholesky and svd)
  spotify_std      the same rows standardised (StandardScaler): Lasso / ElasticNet over alphas and
                   l1_ratios, cyclic and random selection
  tall             n = 200 > p = 8, correlated Gaussian features: every model, with and without
                   intercept
  wide             n = 30 < p = 60: every model (Ridge in its kernel form, min-norm least squares;
                   lstsq's rank_ 30 counts a rounding-level singular value of the centred X, so
                   the exact minimum-norm solution is stored too, as "min_norm")
  collinear        n = 60, p = 5 with column 4 = 3 * column 0 (rank 4): LinearRegression (minimum
                   norm), Ridge alpha > 0, Lasso, ElasticNet

    /usr/bin/python3 tests/data/models/make_linear_reference.py
"""
import json
import os
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, Ridge
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "linear")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
TRACKS = os.path.join(ROOT, "..", "shared", "data", "spotify_tracks_114k", "spotify_tracks.csv")
COLS = ["danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
        "instrumentalness", "liveness", "valence", "tempo", "time_signature", "duration_ms"]


def alpha_max(X, y, l1_ratio=1.0, fit_intercept=True):
    Xc = X - X.mean(0) if fit_intercept else X
    yc = y - y.mean() if fit_intercept else y
    return np.abs(Xc.T @ yc).max() / (len(y) * l1_ratio)


def run(name, params, X, y):
    cls = {"LinearRegression": LinearRegression, "Ridge": Ridge, "Lasso": Lasso, "ElasticNet": ElasticNet}[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = cls(**params).fit(X, y)
    out = {"model": name, "params": params, "coef": m.coef_.tolist(), "intercept": float(m.intercept_)}
    if name in ("Lasso", "ElasticNet"):
        out["n_iter"] = int(m.n_iter_)
        out["dual_gap"] = float(m.dual_gap_)
    if name == "LinearRegression":
        out["rank"] = int(m.rank_)
        s = m.singular_
        if int(m.rank_) > int((s > 1e-12 * s[0]).sum()):
            # lstsq counted a rounding-level singular value (centring makes the rank at most
            # n - 1): its coef_ has an arbitrary component along that direction. The exact
            # minimum-norm solution (pinv with a 1e-12 relative cut-off) is stored beside it.
            fi = params.get("fit_intercept", True)
            Xc = X - X.mean(0) if fi else X
            yc = y - y.mean() if fi else y
            w = np.linalg.pinv(Xc, rcond=1e-12) @ yc
            out["min_norm"] = {"coef": w.tolist(), "intercept": float(y.mean() - X.mean(0) @ w) if fi else 0.0,
                               "rank": int((s > 1e-12 * s[0]).sum())}
    return out


def cd_fits(X, y, fit_intercept=True, random=False):
    fits = []
    amax = alpha_max(X, y, 1.0, fit_intercept)
    for f in (0.5, 0.1, 0.01):
        fits.append(("Lasso", {"alpha": amax * f, "fit_intercept": fit_intercept}))
    for r in (0.2, 0.5, 0.9):
        a = alpha_max(X, y, r, fit_intercept) * 0.05
        fits.append(("ElasticNet", {"alpha": a, "l1_ratio": r, "fit_intercept": fit_intercept}))
    if random:
        fits.append(("Lasso", {"alpha": amax * 0.02, "selection": "random", "random_state": 7, "fit_intercept": fit_intercept}))
        fits.append(("ElasticNet", {"alpha": amax * 0.05, "l1_ratio": 0.7, "selection": "random", "random_state": 0,
                                    "fit_intercept": fit_intercept}))
    return fits


def write(case, X, y, fits):
    doc = {"case": case, "sklearn": sklearn.__version__, "X": X.tolist(), "y": y.tolist(),
           "fits": [run(n, p, X, y) for n, p in fits]}
    with open(os.path.join(OUT, case + ".json"), "w") as f:
        json.dump(doc, f)
    print(case, X.shape, len(fits), "fits")


def main():
    os.makedirs(OUT, exist_ok=True)
    df = pd.read_csv(TRACKS).drop_duplicates("track_id", keep="first")
    rows = np.sort(np.random.RandomState(0).choice(len(df), 1000, replace=False))
    X = df[COLS].to_numpy(dtype=float)[rows]
    y = df["popularity"].to_numpy(dtype=float)[rows]
    write("spotify_raw", X, y, [("LinearRegression", {}), ("Ridge", {"alpha": 1.0}), ("Ridge", {"alpha": 100.0}),
                                ("Ridge", {"alpha": 10.0, "solver": "svd"}), ("LinearRegression", {"fit_intercept": False})])
    Xs = StandardScaler().fit_transform(X)
    write("spotify_std", Xs, y, [("LinearRegression", {}), ("Ridge", {"alpha": 1.0})] + cd_fits(Xs, y, random=True))

    rng = np.random.RandomState(12)
    n, p = 200, 8
    C = rng.randn(p, p)
    X = rng.randn(n, p) @ C + rng.uniform(-3, 3, p)
    w = np.array([2.0, -1.0, 0.0, 0.5, 0.0, 0.0, 3.0, -0.25])
    y = X @ w + 1.5 + rng.randn(n)
    fits = [("LinearRegression", {}), ("LinearRegression", {"fit_intercept": False}), ("Ridge", {"alpha": 0.5}),
            ("Ridge", {"alpha": 50.0, "fit_intercept": False}), ("Ridge", {"alpha": 5.0, "solver": "svd"})]
    write("tall", X, y, fits + cd_fits(X, y, random=True) + cd_fits(X, y, fit_intercept=False))

    n, p = 30, 60
    X = rng.randn(n, p)
    w = np.zeros(p)
    w[:5] = [3.0, -2.0, 1.5, 1.0, -1.0]
    y = X @ w - 0.7 + 0.1 * rng.randn(n)
    fits = [("LinearRegression", {}), ("Ridge", {"alpha": 1.0}), ("Ridge", {"alpha": 0.01}), ("Ridge", {"alpha": 3.0, "solver": "svd"})]
    write("wide", X, y, fits + cd_fits(X, y, random=True))

    n = 60
    X = rng.randn(n, 4)
    X = np.c_[X, 3.0 * X[:, 0]]
    y = X[:, :4] @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.3 * rng.randn(n)
    fits = [("LinearRegression", {}), ("Ridge", {"alpha": 1.0}), ("Ridge", {"alpha": 2.0, "solver": "svd"})]
    write("collinear", X, y, fits + cd_fits(X, y))


if __name__ == "__main__":
    main()
