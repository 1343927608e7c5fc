#!/usr/bin/env python3
"""Writes tests/data/models/forest/*.json: scikit-learn 1.2.1 DecisionTreeRegressor cases (the
deterministic tree: all features, no bootstrap) and the test-split R2 of RandomForestRegressor,
ExtraTreesRegressor and AdaBoostRegressor on the same synthetic data, read by
tests/test_models_forest.cpp (which discovers every file here).

    /usr/bin/python3 tests/data/models/make_forest_reference.py

Data: X drawn from a seeded numpy generator and rounded to float32 (sklearn casts X to float32, the
C++ side reads the same float32 values as doubles); y = a nonlinear function + noise. Per case: the
tree arrays (children, feature, threshold, value, impurity, n_node_samples), predictions on the
test rows and feature_importances_; for the ensembles only the test R2 (their random streams
differ from musiclab's, so the test compares R2 with a tolerance).
"""
import json
import os

import numpy as np
from sklearn.ensemble import AdaBoostRegressor, ExtraTreesRegressor, RandomForestRegressor
from sklearn.metrics import r2_score
from sklearn.tree import DecisionTreeRegressor

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "forest")


def data(seed, n, p, integer_y=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)).astype(np.float32).astype(np.float64)
    X[:, 1] = np.round(X[:, 1] * 4) / 4  # a feature with repeated values
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 - X[:, 2] * (X[:, 3] > 0) + 0.3 * rng.normal(size=n)
    if integer_y:
        y = np.round(y * 10)
    return X, y


def tree_case(name, seed, params, integer_y=False, n=300, n_test=100, p=5):
    X, y = data(seed, n + n_test, p, integer_y)
    Xtr, ytr, Xte = X[:n], y[:n], X[n:]
    m = DecisionTreeRegressor(random_state=0, **params).fit(Xtr, ytr)
    t = m.tree_
    out = {"kind": "tree", "params": params, "X_train": Xtr.tolist(), "y_train": ytr.tolist(), "X_test": Xte.tolist(),
           "predict": m.predict(Xte).tolist(), "feature_importances": m.feature_importances_.tolist(),
           "children_left": t.children_left.tolist(), "children_right": t.children_right.tolist(),
           "feature": t.feature.tolist(), "threshold": t.threshold.tolist(), "value": t.value[:, 0, 0].tolist(),
           "impurity": t.impurity.tolist(), "n_node_samples": t.n_node_samples.tolist(), "depth": int(m.get_depth())}
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(out, f)


def ensemble_case(name, seed, model, params, n=500, n_test=300, p=5):
    X, y = data(seed, n + n_test, p)
    Xtr, ytr, Xte, yte = X[:n], y[:n], X[n:], y[n:]
    make = {"RandomForestRegressor": RandomForestRegressor, "ExtraTreesRegressor": ExtraTreesRegressor,
            "AdaBoostRegressor": AdaBoostRegressor}[model]
    r2 = []
    for rs in range(5):  # the spread over seeds sets the test's tolerance
        m = make(random_state=rs, **params).fit(Xtr, ytr)
        r2.append(r2_score(yte, m.predict(Xte)))
    out = {"kind": "ensemble", "model": model, "params": params, "X_train": Xtr.tolist(), "y_train": ytr.tolist(),
           "X_test": Xte.tolist(), "y_test": yte.tolist(), "r2_mean": float(np.mean(r2)), "r2_sd": float(np.std(r2))}
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(out, f)


def main():
    os.makedirs(HERE, exist_ok=True)
    tree_case("tree_default", 1, {})
    tree_case("tree_depth5_leaf4", 2, {"max_depth": 5, "min_samples_leaf": 4})
    tree_case("tree_split20", 3, {"min_samples_split": 20})
    tree_case("tree_impurity_decrease", 4, {"min_impurity_decrease": 0.002})
    tree_case("tree_weight_fraction", 5, {"min_weight_fraction_leaf": 0.03})
    ensemble_case("rf_leaf2_half", 8, "RandomForestRegressor", {"n_estimators": 100, "min_samples_leaf": 2, "max_features": 0.5})
    ensemble_case("et_leaf2_half", 10, "ExtraTreesRegressor", {"n_estimators": 100, "min_samples_leaf": 2, "max_features": 0.5})
    ensemble_case("ada_linear", 11, "AdaBoostRegressor", {"n_estimators": 50})
    ensemble_case("ada_square_lr05", 12, "AdaBoostRegressor", {"n_estimators": 50, "learning_rate": 0.5, "loss": "square"})


if __name__ == "__main__":
    main()
