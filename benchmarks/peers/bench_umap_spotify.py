#!/usr/bin/env python3
"""musiclab fit_umap beside umap-learn 0.5.3 on the standardized Spotify audio features, interleaved.

For each round (3) and each case (n, n_components): one musiclab fit (bench_manifold_umap, 2 threads,
seed 42) then one umap-learn fit (../shared/peers/bench_peers.py umap: fit only, after its JIT warm-up,
NUMBA/OMP threads 2, random_state 42), each under `flock /tmp/musiclab-bench.lock`. Prints one line per
run (with the 1-minute load average just before it) and the medians (seconds, trustworthiness@15
on 5,000 random rows) and the ratio. ROUNDS=k in the environment changes the number of rounds.

    /usr/bin/python3 benchmarks/peers/bench_umap_spotify.py build/umap/benchmarks/bench_manifold_umap [n ...]
"""
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "..", "shared")
COLS = ["danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
        "instrumentalness", "liveness", "valence", "tempo", "time_signature", "duration_ms"]
LOCK = ["flock", "/tmp/musiclab-bench.lock"]


def musiclab(binary, n, nc, threads=2):
    flt = f"BM_umap_fit_spotify/n:{n}/nc:{nc}/threads:{threads}/"
    out = subprocess.run(LOCK + [binary, f"--benchmark_filter={flt}", "--benchmark_format=json"],
                         capture_output=True, text=True, check=True).stdout
    b = json.loads(out)["benchmarks"][0]
    return b["real_time"], b["trust15_sub5000"]


def peer(n, nc, threads=2):
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS=str(threads))
    cmd = LOCK + ["/usr/bin/python3", os.path.join(SHARED, "peers", "bench_peers.py"), "umap",
                  "--csv", os.path.join(SHARED, "data", "spotify_tracks_114k", "spotify_tracks.csv"),
                  "--cols", *COLS, "--standardize", "--n", str(n), "--n-components", str(nc),
                  "--seed-umap", "42", "--threads", str(threads)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout
    line = [l for l in out.splitlines() if l.strip().startswith("{")][-1]
    r = json.loads(line)
    return r["seconds"], r["quality"]["trustworthiness_k15_sub5000"]


def main():
    binary = sys.argv[1]
    rounds = int(os.environ.get("ROUNDS", "3"))
    sizes = [int(a) for a in sys.argv[2:]] or [20000, 100000]
    cases = [(n, nc) for n in sizes for nc in (2, 3)]
    res = {c: {"ml": [], "peer": []} for c in cases}
    for rnd in range(rounds):
        for c in cases:
            load_ml = os.getloadavg()[0]
            res[c]["ml"].append(musiclab(binary, *c))
            load_peer = os.getloadavg()[0]
            res[c]["peer"].append(peer(*c))
            print(f"round {rnd} n={c[0]} nc={c[1]} musiclab {res[c]['ml'][-1]} (load {load_ml:.1f}) "
                  f"umap-learn {res[c]['peer'][-1]} (load {load_peer:.1f}) {time.strftime('%H:%M:%S')}", flush=True)
    for c in cases:
        mt = statistics.median(t for t, _ in res[c]["ml"])
        pt = statistics.median(t for t, _ in res[c]["peer"])
        mq = statistics.median(q for _, q in res[c]["ml"])
        pq = statistics.median(q for _, q in res[c]["peer"])
        print(f"n={c[0]} nc={c[1]}: musiclab {mt:.2f} s (trust {mq:.4f}) | umap-learn {pt:.2f} s (trust {pq:.4f}) | ratio {pt / mt:.2f}x")


if __name__ == "__main__":
    main()
