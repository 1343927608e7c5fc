#!/usr/bin/env python3
"""scikit-learn 1.2.1 side of benchmarks/bench_models_knn.cpp and bench_models_mlp.cpp: the same
rows, split, standardisation, models and parameters; fit / predict times (median of --repeat runs)
and the test-split R2 / RMSE / MAE.

    /usr/bin/python3 benchmarks/peers/models_knn_mlp_sklearn.py [--repeat 3] [--only knn|mlp|quality]
        [--knn-pred PREFIX]   # compare with musiclab's predictions (MUSICLAB_KNN_PRED_OUT files)

Data: ../shared/data/spotify_tracks_114k/spotify_tracks.csv, all 114,000 rows, target popularity,
the 13 audio features, train_test_split(test_size=0.2, random_state=42): 91,200 train, 22,800 test;
features standardised with the train rows' mean and population std, outside the timings.
kNN: KNeighborsRegressor(n_neighbors=5, weights=uniform|distance, n_jobs=2).
MLP timing: MLPRegressor() defaults with max_iter=20, tol=0, n_iter_no_change=1000, random_state=0
on the first 20,000 train rows (exactly 20 epochs); predict on the test rows.
--only quality: MLP defaults with early_stopping=True on the full train split, seeds 0..--seeds-1.
"""
import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsRegressor
from sklearn.neural_network import MLPRegressor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLS = ["danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
        "instrumentalness", "liveness", "valence", "tempo", "time_signature", "duration_ms"]


def q(y, p):
    return f"R2 {r2_score(y, p):.4f} RMSE {mean_squared_error(y, p) ** 0.5:.4f} MAE {mean_absolute_error(y, p):.4f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", default=os.path.join(ROOT, "..", "shared", "data", "spotify_tracks_114k", "spotify_tracks.csv"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="knn,mlp")
    ap.add_argument("--knn-pred")
    ap.add_argument("--seeds", type=int, default=3)
    a = ap.parse_args()
    warnings.filterwarnings("ignore")
    df = pd.read_csv(a.tracks)
    X = df[COLS].to_numpy(dtype=float)
    y = df["popularity"].to_numpy(dtype=float)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=42)
    mean, sd = Xtr.mean(0), Xtr.std(0)
    Xtr = (Xtr - mean) / sd
    Xte = (Xte - mean) / sd
    print(f"{len(X)} rows; {len(ytr)} train, {len(yte)} test")
    if "knn" in a.only:
        for w in ["uniform", "distance"]:
            fit_t, pred_t = [], []
            for _ in range(a.repeat):
                m = KNeighborsRegressor(n_neighbors=5, weights=w, n_jobs=2)
                t0 = time.perf_counter(); m.fit(Xtr, ytr); fit_t.append(time.perf_counter() - t0)
                t0 = time.perf_counter(); p = m.predict(Xte); pred_t.append(time.perf_counter() - t0)
            print(f"knn {w:8s} fit {np.median(fit_t) * 1e3:9.2f} ms predict {np.median(pred_t) * 1e3:9.2f} ms  {q(yte, p)}")
            if a.knn_pred:
                mine = np.loadtxt(a.knn_pred + "." + w)
                d = np.abs(mine - p)
                print(f"    vs musiclab: max |diff| {d.max():.3g}, rows differing > 1e-12: {(d > 1e-12).sum()}")
    if "mlp" in a.only:
        X20, y20 = Xtr[:20000], ytr[:20000]
        fit_t, pred_t = [], []
        for _ in range(a.repeat):
            m = MLPRegressor(max_iter=20, tol=0.0, n_iter_no_change=1000, random_state=0)
            t0 = time.perf_counter(); m.fit(X20, y20); fit_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter(); p = m.predict(Xte); pred_t.append(time.perf_counter() - t0)
        print(f"mlp 20k x 20 epochs fit {np.median(fit_t) * 1e3:9.2f} ms predict {np.median(pred_t) * 1e3:9.2f} ms n_iter {m.n_iter_}  {q(yte, p)}")
    if "quality" in a.only:
        for seed in range(a.seeds):
            t0 = time.perf_counter()
            m = MLPRegressor(early_stopping=True, random_state=seed).fit(Xtr, ytr)
            print(f"mlp early_stopping seed {seed}: n_iter {m.n_iter_} best val {m.best_validation_score_:.4f} "
                  f"fit {time.perf_counter() - t0:.1f} s  {q(yte, m.predict(Xte))}")


if __name__ == "__main__":
    main()
