#!/usr/bin/env python3
"""scikit-learn 1.2.1 (and XGBoost) side of examples/model_zoo: the same rows, split, models and
hyper-parameters, so that docs/models.md can put the two tables side by side.

    /usr/bin/python3 benchmarks/peers/model_zoo_sklearn.py [--tracks FILE] [--seed 42] [--threads 2]
        [--models linear,ridge,...] [--search-iter 10] [--json OUT]

Rows: the tracks CSV (default ../shared/data/spotify_tracks_114k/spotify_tracks.csv), rows repeating
a track_id dropped (first kept), as model_zoo does; target popularity; the 13 audio features.
Split: train_test_split(test_size=0.2, random_state=seed). Scaled models are
make_pipeline(StandardScaler(), model). Searches: RandomizedSearchCV(n_iter, random_state=seed,
cv=5 (KFold(5) unshuffled), scoring r2) on the train rows - the same candidates as musiclab's.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import pandas as pd
from scipy.stats import loguniform, randint, uniform
from sklearn.ensemble import AdaBoostRegressor, ExtraTreesRegressor, RandomForestRegressor
from sklearn.inspection import permutation_importance
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, Ridge
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import RandomizedSearchCV, train_test_split
from sklearn.neighbors import KNeighborsRegressor
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLS = ["danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
        "instrumentalness", "liveness", "valence", "tempo", "time_signature", "duration_ms"]


def bench(seed, threads):
    from xgboost import XGBRegressor
    return [
        ("linear", LinearRegression()),
        ("ridge", Ridge(alpha=1.0)),
        ("lasso", make_pipeline(StandardScaler(), Lasso(alpha=0.05))),
        ("enet", make_pipeline(StandardScaler(), ElasticNet(alpha=0.05, l1_ratio=0.5))),
        ("knn", make_pipeline(StandardScaler(), KNeighborsRegressor(n_neighbors=10, weights="distance", n_jobs=threads))),
        ("tree", DecisionTreeRegressor(max_depth=10, min_samples_leaf=5, random_state=seed)),
        ("forest", RandomForestRegressor(n_estimators=100, min_samples_leaf=2, max_features=0.5, random_state=seed, n_jobs=threads)),
        ("extra", ExtraTreesRegressor(n_estimators=100, min_samples_leaf=2, max_features=0.5, random_state=seed, n_jobs=threads)),
        ("ada", AdaBoostRegressor(n_estimators=50, learning_rate=0.5, random_state=seed)),
        ("gbt", XGBRegressor(tree_method="hist", n_estimators=1000, learning_rate=0.02, max_depth=7, n_jobs=threads)),
        ("mlp", make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(64, 32), early_stopping=True, max_iter=200,
                                                             random_state=seed))),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", default=os.path.join(ROOT, "..", "shared", "data", "spotify_tracks_114k", "spotify_tracks.csv"))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--models", default="all")
    ap.add_argument("--search-iter", type=int, default=10)
    ap.add_argument("--json")
    a = ap.parse_args()
    df = pd.read_csv(a.tracks)
    if "track_id" in df.columns:
        df = df.drop_duplicates("track_id", keep="first")
    X = df[COLS].to_numpy(dtype=float)
    y = df["popularity"].to_numpy(dtype=float)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=a.seed)
    print(f"{len(X)} tracks; {len(ytr)} train, {len(yte)} test", flush=True)
    wanted = lambda k: a.models == "all" or k in a.models.split(",")
    out = {"rows": len(X), "train": len(ytr), "test": len(yte), "models": [], "searches": []}
    print(f"  {'model':8s} {'R2':>8s} {'RMSE':>8s} {'MAE':>8s} {'MSE':>9s} {'fit s':>9s} {'predict s':>10s}")
    for key, model in bench(a.seed, a.threads):
        if not wanted(key):
            continue
        t0 = time.perf_counter()
        model.fit(Xtr, ytr)
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        p = model.predict(Xte)
        pred_s = time.perf_counter() - t0
        r = {"key": key, "model": str(model).replace("\n", " "), "r2": r2_score(yte, p), "rmse": mean_squared_error(yte, p) ** 0.5,
             "mae": mean_absolute_error(yte, p), "mse": mean_squared_error(yte, p), "fit_seconds": fit_s, "predict_seconds": pred_s}
        out["models"].append(r)
        print(f"  {key:8s} {r['r2']:8.4f} {r['rmse']:8.3f} {r['mae']:8.3f} {r['mse']:9.2f} {fit_s:9.2f} {pred_s:10.3f}", flush=True)
    if a.search_iter > 0:
        searches = []
        if wanted("ridge"):
            searches.append(("ridge", make_pipeline(StandardScaler(), Ridge()), {"ridge__alpha": loguniform(1e-3, 1e3)}))
        if wanted("enet"):
            searches.append(("enet", make_pipeline(StandardScaler(), ElasticNet()),
                             {"elasticnet__alpha": loguniform(1e-4, 1.0), "elasticnet__l1_ratio": uniform(0.0, 1.0)}))
        for name, est, space in searches:
            s = RandomizedSearchCV(est, space, n_iter=a.search_iter, random_state=a.seed, cv=5, scoring="r2", n_jobs=a.threads)
            s.fit(Xtr, ytr)
            best = {k.split("__")[1]: (v if isinstance(v, str) else float(v)) for k, v in s.best_params_.items()}
            res = {"search": name, "best_params": best, "best_score": float(s.best_score_), "test_r2": float(r2_score(yte, s.predict(Xte))),
                   "candidates": [{k.split("__")[1]: (v if isinstance(v, str) else float(v)) for k, v in p.items()} for p in s.cv_results_["params"]],
                   "mean_test_score": s.cv_results_["mean_test_score"].tolist()}
            out["searches"].append(res)
            print(f"randomized search, {name}: best {best} mean CV R2 {res['best_score']:.4f}, test R2 {res['test_r2']:.4f}", flush=True)
    if wanted("gbt"):
        from xgboost import XGBRegressor
        m = XGBRegressor(tree_method="hist", n_estimators=1000, learning_rate=0.02, max_depth=7, n_jobs=a.threads).fit(Xtr, ytr)
        imp = permutation_importance(m, Xte, yte, n_repeats=5, random_state=a.seed)
        order = np.argsort(-imp.importances_mean)
        out["permutation_importance"] = {COLS[j]: [float(imp.importances_mean[j]), float(imp.importances_std[j])] for j in order}
        print("permutation importance (XGBoost):")
        for j in order:
            print(f"  {COLS[j]:17s} {imp.importances_mean[j]:.4f} +- {imp.importances_std[j]:.4f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
