#!/usr/bin/env python3
"""Writes scikit-learn 1.2.1 MLPRegressor training runs with their random stream into
tests/data/models/mlp/*.json (read by tests/test_models_mlp.cpp, which discovers every file here).

musiclab draws its own random numbers (xoshiro256**), so a fit cannot equal scikit-learn's for the
same seed. Each case therefore records everything scikit-learn drew: the initial coefs_ /
intercepts_ (_init_coef), the validation split (train_test_split inside _fit_stochastic) and the
batch order of every epoch (utils.shuffle), plus what it computed from them: loss_curve_,
validation_scores_, best_loss_ / best_validation_score_, n_iter_, the final coefs_ / intercepts_
and predictions on held-out rows. The test feeds the recorded stream to musiclab's epoch loop
(models::detail::mlp_train) and compares.

    /usr/bin/python3 tests/data/models/make_mlp_reference.py
"""
import json
import os
import warnings

import numpy as np
import sklearn.neural_network._multilayer_perceptron as mlpmod
from sklearn.neural_network import MLPRegressor

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mlp")

CASES = {
    "relu_early_stopping": dict(hidden_layer_sizes=(16, 8), activation="relu", early_stopping=True,
                                learning_rate_init=0.01, max_iter=300, n_iter_no_change=5, random_state=3),
    "tanh_batch32_l2": dict(hidden_layer_sizes=(10,), activation="tanh", alpha=0.01, batch_size=32,
                            learning_rate_init=0.01, max_iter=300, tol=0.3, random_state=11),
    "logistic_no_shuffle": dict(hidden_layer_sizes=(12,), activation="logistic", shuffle=False,
                                learning_rate_init=0.01, max_iter=20, random_state=5),
    "identity_val20_batch50": dict(hidden_layer_sizes=(6,), activation="identity", early_stopping=True,
                                   validation_fraction=0.2, batch_size=50, max_iter=30, random_state=8),
}


def data(seed):
    rs = np.random.RandomState(seed)
    X = rs.normal(size=(360, 5))
    y = 50 + 8 * X[:, 0] - 5 * X[:, 1] * X[:, 2] + 10 * np.sin(X[:, 3]) + 3 * rs.normal(size=360)
    return X[:300], y[:300], X[300:]


def record(params, X, y):
    inits, splits, orders = [], [], []
    orig_init, orig_tts, orig_shuffle = MLPRegressor._init_coef, mlpmod.train_test_split, mlpmod.shuffle

    def rec_init(self, fan_in, fan_out, dtype):
        c, b = orig_init(self, fan_in, fan_out, dtype)
        inits.append((c.copy(), b.copy()))
        return c, b

    def rec_tts(Xa, ya, **kw):
        a, av, b, bv, i, iv = orig_tts(Xa, ya, np.arange(Xa.shape[0]), **kw)
        splits.append((i, iv))
        return a, av, b, bv

    def rec_shuffle(*arrays, **kw):
        r = orig_shuffle(*arrays, **kw)
        orders.append(np.asarray(r).tolist())
        return r

    MLPRegressor._init_coef, mlpmod.train_test_split, mlpmod.shuffle = rec_init, rec_tts, rec_shuffle
    try:
        m = MLPRegressor(**params).fit(X, y)
    finally:
        MLPRegressor._init_coef, mlpmod.train_test_split, mlpmod.shuffle = orig_init, orig_tts, orig_shuffle
    return m, inits, splits, orders


def main():
    warnings.filterwarnings("ignore")  # ConvergenceWarning: max_iter is small on purpose
    os.makedirs(OUT, exist_ok=True)
    for k, (name, params) in enumerate(sorted(CASES.items())):
        X, y, X_test = data(100 + k)
        m, inits, splits, orders = record(params, X, y)
        n = X.shape[0]
        train_idx, val_idx = (splits[0] if splits else (np.arange(n), np.array([], dtype=int)))
        full = MLPRegressor().get_params()
        full.update(params)
        case = {
            "params": {key: (list(v) if isinstance(v, tuple) else v) for key, v in full.items()
                       if key in ("hidden_layer_sizes", "activation", "alpha", "batch_size", "learning_rate_init", "max_iter",
                                  "shuffle", "tol", "early_stopping", "validation_fraction", "beta_1", "beta_2", "epsilon",
                                  "n_iter_no_change", "random_state")},
            "X": X.tolist(), "y": y.tolist(), "X_test": X_test.tolist(),
            "init_coefs": [c.tolist() for c, _ in inits], "init_intercepts": [b.tolist() for _, b in inits],
            "train_idx": np.asarray(train_idx).tolist(), "val_idx": np.asarray(val_idx).tolist(),
            "epoch_orders": orders,
            "loss_curve": list(m.loss_curve_),
            "validation_scores": list(m.validation_scores_) if m.validation_scores_ is not None else [],
            "best_loss": m.best_loss_ if m.best_loss_ is not None else None,
            "best_validation_score": m.best_validation_score_ if m.best_validation_score_ is not None else None,
            "n_iter": m.n_iter_,
            "coefs": [c.tolist() for c in m.coefs_], "intercepts": [b.tolist() for b in m.intercepts_],
            "predict_test": m.predict(X_test).tolist(),
        }
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(case, f)
        print(f"{name}: n_iter {m.n_iter_}, epochs recorded {len(orders)}, train {len(train_idx)}, val {len(val_idx)}")


if __name__ == "__main__":
    main()
