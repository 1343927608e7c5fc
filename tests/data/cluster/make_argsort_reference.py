#!/usr/bin/env python3
"""Writes numpy's argsort permutations of float64 arrays into tests/data/cluster/argsort/*.json
(read by tests/test_cluster_argsort.cpp, which discovers every file here). HDBSCAN sorts the MST
edges with numpy.argsort(kind="quicksort"); among equal weights the permutation decides the merge
order, so musiclab reproduces numpy 1.24's introsort (and its heapsort fallback) exactly.

Each case: "values" (null = NaN), "kind" ("quicksort" or "heapsort"), "order" = np.argsort(values, kind=kind).

    /usr/bin/python3 tests/data/cluster/make_argsort_reference.py
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "argsort")


def cases():
    rs = np.random.RandomState(20261123)
    yield "tiny_ties", np.array([2.0, 1.0, 2.0, 1.0, 0.5, 2.0])
    yield "sixteen_ties", rs.randint(0, 4, size=16).astype(float)
    yield "seventeen_ties", rs.randint(0, 4, size=17).astype(float)
    yield "many_ties_5000", rs.randint(0, 20, size=5000).astype(float)
    yield "few_ties_3000", np.round(rs.exponential(size=3000), 3)
    yield "nan_and_inf", np.array([3.0, np.nan, -np.inf, 1.0, np.nan, np.inf, 1.0, -0.0, 0.0, 2.0] * 7)
    yield "sorted_with_ties_2000", np.sort(rs.randint(0, 50, size=2000).astype(float))
    yield "reversed_with_ties_2000", np.sort(rs.randint(0, 50, size=2000).astype(float))[::-1].copy()
    yield "organ_pipe_1024", np.concatenate([np.arange(512), np.arange(512)[::-1]]).astype(float)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, v in cases():
        for kind in ("quicksort", "heapsort"):
            order = np.argsort(v, kind=kind)
            case = {"numpy": np.__version__, "kind": kind,
                    "values": [None if np.isnan(x) else (x if np.isfinite(x) else ("inf" if x > 0 else "-inf")) for x in v.tolist()],
                    "order": order.tolist()}
            with open(os.path.join(OUT, f"{name}_{kind}.json"), "w") as f:
                json.dump(case, f)
    print(f"numpy {np.__version__}: wrote {len(os.listdir(OUT))} cases to {OUT}")


if __name__ == "__main__":
    main()
