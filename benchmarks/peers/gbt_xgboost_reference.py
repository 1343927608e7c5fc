#!/usr/bin/python3
"""XGBoost 1.7 (hist) reference numbers for musiclab's gradient-boosted trees.

Run with Debian's interpreter (python3-xgboost 1.7.4, python3-sklearn, python3-pandas):

  /usr/bin/python3 benchmarks/peers/gbt_xgboost_reference.py reference [--shared ../shared]
      Writes tests/data/gbt/xgboost_reference.json: for each case the data recipe, the
      parameters and XGBoost's test R2 / RMSE / MAE. tests/test_trees_parity.cpp trains musiclab
      on the same recipe and asserts |R2 difference| <= 0.01. Recipe: the 13 audio columns of
      spotify_tracks_114k, target popularity, optionally drop_duplicates("track_id") (first
      occurrence kept, file order), then sklearn train_test_split(test_size=0.1, random_state=0).

  /usr/bin/python3 benchmarks/peers/gbt_xgboost_reference.py matrix --train A.csv --test B.csv
          [--peer xgboost|sklearn_hgb] [--threads 2] [--n-estimators 1000] [--learning-rate 0.02]
          [--max-depth 7]
      Trains on a numeric CSV written by benchmarks/bench_trees_gbt (header row, last column =
      target, empty = missing) and prints one JSON line: fit seconds, predict seconds and test
      R2 / RMSE / MAE. Used for the encoded feature set (target-encoded artist and genre, VADER
      title compound), whose columns musiclab computes.
"""
import argparse
import json
import os
import sys
import time

AUDIO = ["danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
         "instrumentalness", "liveness", "valence", "tempo", "time_signature", "duration_ms"]
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def pin_threads(n):
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[v] = str(n)


def metrics(y, p):
    import numpy as np
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
    return {"r2": float(r2_score(y, p)), "rmse": float(np.sqrt(mean_squared_error(y, p))),
            "mae": float(mean_absolute_error(y, p))}


def make_model(peer, n_estimators, learning_rate, max_depth, threads, seed=0):
    if peer == "xgboost":
        import xgboost as xgb
        return xgb.XGBRegressor(tree_method="hist", n_estimators=n_estimators,
                                learning_rate=learning_rate, max_depth=max_depth, n_jobs=threads,
                                random_state=seed)
    if peer == "sklearn_hgb":
        from sklearn.ensemble import HistGradientBoostingRegressor
        return HistGradientBoostingRegressor(max_iter=n_estimators, learning_rate=learning_rate,
                                             max_depth=max_depth, max_leaf_nodes=None,
                                             early_stopping=False, random_state=seed)
    raise SystemExit(f"unknown peer {peer}")


def cmd_reference(args):
    import numpy as np
    import pandas as pd
    import xgboost as xgb
    from sklearn.model_selection import train_test_split
    csv = os.path.join(args.shared, "data/spotify_tracks_114k/spotify_tracks.csv")
    df = pd.read_csv(csv)
    cases = [
        # fast enough for the test suite
        dict(name="audio_dedup_fast", dedupe=True, n_estimators=150, learning_rate=0.1, max_depth=7),
        # the seed's recipe (docs/gbt.md)
        dict(name="audio_dedup", dedupe=True, n_estimators=1000, learning_rate=0.02, max_depth=7),
        dict(name="audio_raw", dedupe=False, n_estimators=1000, learning_rate=0.02, max_depth=7),
    ]
    out = []
    for c in cases:
        d = df.drop_duplicates(subset=["track_id"]) if c["dedupe"] else df
        X = d[AUDIO].to_numpy(dtype=np.float64)
        y = d["popularity"].to_numpy(dtype=np.float64)
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.1, random_state=0)
        model = make_model("xgboost", c["n_estimators"], c["learning_rate"], c["max_depth"], args.threads)
        model.fit(Xtr, ytr)
        q = metrics(yte, model.predict(Xte))
        out.append({**c, "columns": AUDIO, "target": "popularity", "test_size": 0.1, "random_state": 0,
                    "n_train": int(len(ytr)), "n_test": int(len(yte)), "xgboost": q})
        print(c["name"], q, file=sys.stderr)
    doc = {"generator": "benchmarks/peers/gbt_xgboost_reference.py reference",
           "peer": f"xgboost {xgb.__version__} XGBRegressor(tree_method='hist', base_score default 0.5)",
           "data": "shared/data/spotify_tracks_114k/spotify_tracks.csv", "cases": out}
    path = os.path.join(REPO, "tests/data/gbt/xgboost_reference.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf8") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    print("wrote", path, file=sys.stderr)


def cmd_matrix(args):
    import numpy as np
    tr = np.genfromtxt(args.train, delimiter=",", skip_header=1)
    te = np.genfromtxt(args.test, delimiter=",", skip_header=1)
    Xtr, ytr, Xte, yte = tr[:, :-1], tr[:, -1], te[:, :-1], te[:, -1]
    model = make_model(args.peer, args.n_estimators, args.learning_rate, args.max_depth, args.threads)
    t0 = time.perf_counter()
    model.fit(Xtr, ytr)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    p = model.predict(Xte)
    pred_s = time.perf_counter() - t0
    print(json.dumps({"peer": args.peer, "fit_seconds": fit_s, "predict_seconds": pred_s,
                      "n_train": int(len(ytr)), "n_test": int(len(yte)), "n_features": int(Xtr.shape[1]),
                      "quality": metrics(yte, p), "threads": args.threads,
                      "params": {"n_estimators": args.n_estimators, "learning_rate": args.learning_rate,
                                 "max_depth": args.max_depth}}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["reference", "matrix"])
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train")
    ap.add_argument("--test")
    ap.add_argument("--peer", default="xgboost")
    ap.add_argument("--n-estimators", type=int, default=1000)
    ap.add_argument("--learning-rate", type=float, default=0.02)
    ap.add_argument("--max-depth", type=int, default=7)
    args = ap.parse_args()
    pin_threads(args.threads)
    {"reference": cmd_reference, "matrix": cmd_matrix}[args.cmd](args)


if __name__ == "__main__":
    main()
