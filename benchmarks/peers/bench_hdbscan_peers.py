#!/usr/bin/env python3
"""HDBSCAN: musiclab vs hdbscan (0.8.43, algorithm='best' = boruvka_kdtree) vs fast_hdbscan,
interleaved in one sitting on the same inputs; one JSON line per measurement, then a median table.

    flock /tmp/musiclab-bench.lock /usr/bin/python3 benchmarks/peers/bench_hdbscan_peers.py \\
        --bench build/release/benchmarks/bench_cluster_hdbscan --peers /path/to/peers [--rounds 3]

Inputs: $MUSICLAB_BENCH_DIR (default /tmp)/hdbscan_blobs_<n>x<dim>.npy, written by the C++
benchmark (benchmarks/bench_cluster_hdbscan.cpp) the first time it runs, so every tool reads the
very same float64 values. Peers are timed by ../shared/peers/bench_peers.py (fit only, 2 threads,
after a warm-up fit), musiclab by its Google Benchmark (one iteration, real time, 2 threads).
Parameters: min_cluster_size 15, min_samples default (= 15).
"""
import argparse, json, os, statistics, subprocess, sys

ap = argparse.ArgumentParser()
ap.add_argument("--bench", required=True, help="path of the bench_cluster_hdbscan executable")
ap.add_argument("--peers", default=os.environ.get("PEERS", "/work/peers"), help="folder with the hdbscan and fast_hdbscan checkouts")
ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared"))
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--cases", default="10000x2,100000x2,200000x2,200000x3,20000x50")
ap.add_argument("--skip-peer", action="append", default=[], help="hdbscan or fast_hdbscan")
args = ap.parse_args()

bench_dir = os.environ.get("MUSICLAB_BENCH_DIR", "/tmp")
cases = [tuple(int(v) for v in c.split("x")) for c in args.cases.split(",")]
harness = os.path.join(args.shared, "peers", "bench_peers.py")
env = dict(os.environ, PEERS=args.peers)
results = {}


def run_musiclab(n, dim):
    flt = f"BM_hdbscan/n:{n}/dim:{dim}/threads:2/"
    out = subprocess.run([args.bench, f"--benchmark_filter={flt}", "--benchmark_format=json",
                          "--benchmark_min_time=0.01"], capture_output=True, text=True, check=True).stdout
    b = json.loads(out)["benchmarks"][0]
    scale = {"ms": 1e-3, "us": 1e-6, "ns": 1e-9, "s": 1.0}[b["time_unit"]]
    return b["real_time"] * scale, {"clusters": b.get("clusters"), "noise_fraction": b.get("noise_fraction")}


def run_peer(peer, n, dim):
    npy = os.path.join(bench_dir, f"hdbscan_blobs_{n}x{dim}.npy")
    out = subprocess.run(["/usr/bin/python3", harness, "hdbscan", "--peer", peer, "--npy", npy,
                          "--min-cluster-size", "15", "--threads", "2"],
                         capture_output=True, text=True, check=True, env=env).stdout
    rec = json.loads(out.strip().splitlines()[-1])
    return rec["seconds"], rec["quality"], rec.get("other_cpu_seconds")


for r in range(args.rounds):
    for n, dim in cases:
        sec, q = run_musiclab(n, dim)
        results.setdefault((n, dim, "musiclab"), []).append(sec)
        print(json.dumps({"round": r, "n": n, "dim": dim, "tool": "musiclab", "seconds": sec, "quality": q}), flush=True)
        for peer in ("hdbscan", "fast_hdbscan"):
            if peer in args.skip_peer:
                continue
            sec, q, other = run_peer(peer, n, dim)
            results.setdefault((n, dim, peer), []).append(sec)
            print(json.dumps({"round": r, "n": n, "dim": dim, "tool": peer, "seconds": sec, "quality": q,
                              "other_cpu_seconds": other}), flush=True)

print("\n| input | musiclab s | hdbscan (boruvka_kdtree) s | fast_hdbscan s | fastest peer / musiclab |")
print("|---|---|---|---|---|")
for n, dim in cases:
    med = {t: statistics.median(results[(n, dim, t)]) for t in ("musiclab", "hdbscan", "fast_hdbscan") if (n, dim, t) in results}
    peers = [v for t, v in med.items() if t != "musiclab"]
    ratio = f"{min(peers) / med['musiclab']:.1f}x" if peers else "n/a"
    cell = lambda t: f"{med[t]:.3f}" if t in med else "n/a"
    print(f"| blobs {n}x{dim} | {cell('musiclab')} | {cell('hdbscan')} | {cell('fast_hdbscan')} | {ratio} |")
sys.stdout.flush()
