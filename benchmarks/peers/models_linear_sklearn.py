#!/usr/bin/env python3
"""scikit-learn 1.2.1 side of benchmarks/bench_models_linear.cpp: the same rows, split,
standardisation, models and parameters; fit and predict times (median of --repeat runs) and the
test-split R2 / RMSE / MAE.

    /usr/bin/python3 benchmarks/peers/models_linear_sklearn.py [--repeat 30] [--json OUT]

Data: ../shared/data/spotify_tracks_114k/spotify_tracks.csv, rows repeating a track_id dropped
(first kept), target popularity, the 13 audio features, train_test_split(test_size=0.2,
random_state=42), features standardised with the train rows' mean and population std (as
StandardScaler), once, outside the timings; X_train passed Fortran-ordered (what coordinate descent
wants: no copy inside fit beyond sklearn's own centring). numpy uses OpenBLAS (2 threads here).
"""
import argparse
import json
import os
import time

import numpy as np
import pandas as pd
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, Ridge
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLS = ["danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
        "instrumentalness", "liveness", "valence", "tempo", "time_signature", "duration_ms"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", default=os.path.join(ROOT, "..", "shared", "data", "spotify_tracks_114k", "spotify_tracks.csv"))
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--json")
    a = ap.parse_args()
    df = pd.read_csv(a.tracks).drop_duplicates("track_id", keep="first")
    X = df[COLS].to_numpy(dtype=float)
    y = df["popularity"].to_numpy(dtype=float)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=42)
    mean, sd = Xtr.mean(0), Xtr.std(0)
    Xtr = np.asfortranarray((Xtr - mean) / sd)
    Xte = (Xte - mean) / sd
    print(f"{len(X)} tracks; {len(ytr)} train, {len(yte)} test; standardised features")
    models = [("linear", lambda: LinearRegression()),
              ("ridge", lambda: Ridge(alpha=1.0)),
              ("lasso", lambda: Lasso(alpha=0.05)),
              ("lasso_precompute", lambda: Lasso(alpha=0.05, precompute=True)),
              ("enet", lambda: ElasticNet(alpha=0.05, l1_ratio=0.5))]
    out = {"train": len(ytr), "test": len(yte), "models": []}
    print(f"  {'model':18s} {'fit ms':>9s} {'predict ms':>11s} {'R2':>8s} {'RMSE':>8s} {'MAE':>8s} n_iter")
    for key, make in models:
        fit_t, pred_t = [], []
        for _ in range(a.repeat):
            m = make()
            t0 = time.perf_counter()
            m.fit(Xtr, ytr)
            fit_t.append(time.perf_counter() - t0)
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            p = m.predict(Xte)
            pred_t.append(time.perf_counter() - t0)
        r = {"model": key, "fit_ms": 1e3 * float(np.median(fit_t)), "predict_ms": 1e3 * float(np.median(pred_t)),
             "r2": r2_score(yte, p), "rmse": mean_squared_error(yte, p) ** 0.5, "mae": mean_absolute_error(yte, p),
             "n_iter": int(getattr(m, "n_iter_", 0) or 0), "coef": m.coef_.tolist(), "intercept": float(m.intercept_)}
        out["models"].append(r)
        print(f"  {key:18s} {r['fit_ms']:9.3f} {r['predict_ms']:11.3f} {r['r2']:8.5f} {r['rmse']:8.4f} {r['mae']:8.4f} {r['n_iter']}", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
