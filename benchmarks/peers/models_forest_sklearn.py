#!/usr/bin/env python3
"""scikit-learn 1.2.1 side of benchmarks/bench_models_forest.cpp: the same rows, split, models and
hyper-parameters; fit and predict times (median of --repeat runs) and the test-split R2 / RMSE / MAE.

    /usr/bin/python3 benchmarks/peers/models_forest_sklearn.py [--rows 20000|0] [--models rf,et,tree,ada]
        [--repeat 1] [--n-jobs 2] [--json OUT]

Data: ../shared/data/spotify_tracks_114k/spotify_tracks.csv, rows repeating a track_id dropped
(first kept), target popularity, the 13 audio features (unscaled), train_test_split(test_size=0.2,
random_state=42): 71,792 train rows, 17,948 test rows. --rows 20000 fits on the first 20,000 train
rows (the split is already shuffled), 0 on all; predict always on the full test split. X is passed
as float32 C-ordered (what sklearn's trees convert to anyway: the conversion is not timed).
Models: RandomForestRegressor / ExtraTreesRegressor(n_estimators=100, min_samples_leaf=2,
max_features=0.5, random_state=42, n_jobs); DecisionTreeRegressor(max_depth=10, min_samples_leaf=5,
random_state=42); AdaBoostRegressor(n_estimators=50, learning_rate=0.5, random_state=42).
"""
import argparse
import json
import os
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import AdaBoostRegressor, ExtraTreesRegressor, RandomForestRegressor
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeRegressor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLS = ["danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
        "instrumentalness", "liveness", "valence", "tempo", "time_signature", "duration_ms"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", default=os.path.join(ROOT, "..", "shared", "data", "spotify_tracks_114k", "spotify_tracks.csv"))
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--models", default="rf,et,tree,ada")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--json")
    a = ap.parse_args()
    df = pd.read_csv(a.tracks).drop_duplicates("track_id", keep="first")
    X = df[COLS].to_numpy(dtype=float)
    y = df["popularity"].to_numpy(dtype=float)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=42)
    if a.rows:
        Xtr, ytr = Xtr[:a.rows], ytr[:a.rows]
    Xtr = np.ascontiguousarray(Xtr, dtype=np.float32)
    Xte = np.ascontiguousarray(Xte, dtype=np.float32)
    makers = {
        "rf": lambda: RandomForestRegressor(n_estimators=100, min_samples_leaf=2, max_features=0.5, random_state=42, n_jobs=a.n_jobs),
        "et": lambda: ExtraTreesRegressor(n_estimators=100, min_samples_leaf=2, max_features=0.5, random_state=42, n_jobs=a.n_jobs),
        "tree": lambda: DecisionTreeRegressor(max_depth=10, min_samples_leaf=5, random_state=42),
        "ada": lambda: AdaBoostRegressor(n_estimators=50, learning_rate=0.5, random_state=42),
    }
    out = {"train": len(ytr), "test": len(yte), "n_jobs": a.n_jobs, "load": os.getloadavg()[0], "models": []}
    print(f"{len(ytr)} train rows, {len(yte)} test rows, n_jobs {a.n_jobs}, load {out['load']:.2f}")
    print(f"  {'model':6s} {'fit ms':>10s} {'predict ms':>11s} {'R2':>8s} {'RMSE':>8s} {'MAE':>8s}")
    for key in a.models.split(","):
        fit_t, pred_t = [], []
        for _ in range(a.repeat):
            m = makers[key]()
            t0 = time.perf_counter()
            m.fit(Xtr, ytr)
            fit_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            p = m.predict(Xte)
            pred_t.append(time.perf_counter() - t0)
        r = {"model": key, "fit_ms": 1e3 * float(np.median(fit_t)), "predict_ms": 1e3 * float(np.median(pred_t)),
             "r2": r2_score(yte, p), "rmse": mean_squared_error(yte, p) ** 0.5, "mae": mean_absolute_error(yte, p)}
        out["models"].append(r)
        print(f"  {key:6s} {r['fit_ms']:10.1f} {r['predict_ms']:11.1f} {r['r2']:8.5f} {r['rmse']:8.4f} {r['mae']:8.4f}", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
