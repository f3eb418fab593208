"""Benchmark: `max_weight_assignment` against scipy's assignment solvers, side by side.

Sparse inputs against ``scipy.sparse.csgraph.min_weight_full_bipartite_matching`` (LAPJVsp in
C), dense ones against ``scipy.optimize.linear_sum_assignment``. Each case runs in a child
process (a time limit guards against a solver that stalls): one untimed call of each, then
``--repeat`` interleaved pairs (submodkit, scipy, submodkit, scipy, ...); the table shows the
median seconds of each and the median of the per-pair ratios scipy / submodkit (> 1: we are
faster), so that load from other jobs hits both sides alike. Cold: the first call in a fresh
process (imports done and not counted, Numba's cache already on disk), ``--cold`` fresh
processes per library, interleaved too; "Numba started": the same after another cached kernel
has paid Numba's one-time start (about 0.2 s, once per process whatever the kernel). Both sides
must find the same optimal value.

    python scripts/bench_assignment.py                     # the table of BENCHMARKS.md (about 2 minutes)
    python scripts/bench_assignment.py --cases sparse-2000 dense-1000 --repeat 9
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# name: (kind, n, m, pairs per row or density, weights, maximize)
CASES = {
    "sparse-2000": ("sparse-density", 2000, 2000, 0.01, "uniform", False),
    "sparse-2000-max": ("sparse-density", 2000, 2000, 0.01, "uniform", True),
    "sparse-5000": ("sparse-rows", 5000, 5000, 10, "uniform", False),
    "sparse-5000-max": ("sparse-rows", 5000, 5000, 10, "uniform", True),
    "sparse-5000-int": ("sparse-rows", 5000, 5000, 10, "int100", False),
    "dense-1000": ("dense", 1000, 1000, None, "uniform", False),
    "dense-2000": ("dense", 2000, 2000, None, "uniform", False),
    "dense-5000": ("dense", 5000, 5000, None, "uniform", False),
    "dense-5000-max": ("dense", 5000, 5000, None, "uniform", True),
    "dense-2000-int": ("dense", 2000, 2000, None, "int1000", False),
    "dense-1000x4000": ("dense", 1000, 4000, None, "uniform", False),
}


def instance(name: str):
    """The matrix of a case (seeded: every process builds the same one)."""
    kind, n, m, param, weights, _ = CASES[name]
    rng = np.random.default_rng(19)
    if kind == "dense":
        W = rng.random((n, m))
        return np.floor(W * 1000) if weights == "int1000" else W
    if kind == "sparse-density":  # uniform positions, ~density * n * m pairs
        A = sp.random(n, m, density=param, random_state=rng, format="coo")
        rows, cols = A.row, A.col
    else:  # param pairs per row, uniform columns
        rows = np.repeat(np.arange(n), param)
        cols = rng.integers(0, m, n * param)
    k = min(n, m)  # plus a random full matching, so that one exists
    rows = np.concatenate([rows, rng.permutation(n)[:k]])
    cols = np.concatenate([cols, rng.permutation(m)[:k]])
    if weights == "int100":
        data = rng.integers(1, 101, rows.size).astype(float)
    else:
        data = 1.0 - rng.random(rows.size)  # in (0, 1]: scipy's sparse solver wants non-zero weights
    return sp.csr_matrix((data, (rows, cols)), shape=(n, m))  # duplicates summed; weights > 0


def solver(lib: str):
    """``f(W, maximize) -> value``."""
    if lib == "submodkit":
        from submodkit.solvers.matching.assignment import max_weight_assignment

        return lambda W, mx: max_weight_assignment(W, maximize=mx).value
    from scipy.optimize import linear_sum_assignment
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    def run(W, mx):
        solve = min_weight_full_bipartite_matching if sp.issparse(W) else linear_sum_assignment
        r, c = solve(W, maximize=mx)
        return float(W[r, c].sum())

    return run


def child_warm(name: str, repeat: int) -> dict:
    W = instance(name)
    mx = CASES[name][5]
    ours, ref = solver("submodkit"), solver("scipy")
    values = (ours(W, mx), ref(W, mx))  # untimed (loads Numba's cache)
    times = {"submodkit": [], "scipy": []}
    for _ in range(repeat):
        for lib, f in (("submodkit", ours), ("scipy", ref)):
            t = time.perf_counter()
            f(W, mx)
            times[lib].append(time.perf_counter() - t)
    pairs = W.nnz if sp.issparse(W) else W.size
    return {"times": times, "values": values, "pairs": pairs, "load": os.getloadavg()[0]}


def child_cold(name: str, lib: str) -> dict:
    W = instance(name)
    t = time.perf_counter()
    f = solver("submodkit" if lib == "submodkit-init" else lib)
    imported = time.perf_counter() - t
    if lib == "submodkit-init":  # Numba's one-time start (any first cached kernel) paid elsewhere
        from submodkit.solvers.matching._kernels import greedy_scan

        greedy_scan(1, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
    t = time.perf_counter()
    value = f(W, CASES[name][5])
    return {"first_call": time.perf_counter() - t, "import": imported, "value": value}


def run_child(args: list[str], limit: float) -> dict | None:
    try:
        out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, timeout=limit,
                             check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    ap.add_argument("--repeat", type=int, default=5, help="interleaved warm pairs per case")
    ap.add_argument("--cold", type=int, default=3, help="fresh processes per library and case")
    ap.add_argument("--limit", type=float, default=600.0, help="seconds per child process")
    ap.add_argument("--child-warm", nargs=2, metavar=("CASE", "REPEAT"), help=argparse.SUPPRESS)
    ap.add_argument("--child-cold", nargs=2, metavar=("CASE", "LIB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_warm:
        print(json.dumps(child_warm(args.child_warm[0], int(args.child_warm[1]))))
        return
    if args.child_cold:
        print(json.dumps(child_cold(*args.child_cold)))
        return

    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; load average at start {os.getloadavg()[0]:.2f}", flush=True)
    print("| case | pairs | submodkit warm (s) | scipy warm (s) | warm ratio scipy / submodkit "
          "| submodkit cold (s) | scipy cold (s) | cold ratio | submodkit cold, Numba started (s) "
          "| its ratio | same value | load average |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
    for name in args.cases:
        warm = run_child(["--child-warm", name, str(args.repeat)], args.limit)
        colds = {"submodkit": [], "scipy": [], "submodkit-init": []}
        for _ in range(args.cold):
            for lib in colds:
                got = run_child(["--child-cold", name, lib], args.limit)
                colds[lib].append(got["first_call"] if got else float("inf"))
        load = os.getloadavg()[0]
        if warm is None:
            print(f"| {name} | | > {args.limit:.0f} s (a solver stalled) | | | | | | | | | {load:.2f} |",
                  flush=True)
            continue
        t = warm["times"]
        ratios = [b / a for a, b in zip(t["submodkit"], t["scipy"], strict=True)]
        cold_ratios = [b / a for a, b in zip(colds["submodkit"], colds["scipy"], strict=True)]
        init_ratios = [b / a for a, b in zip(colds["submodkit-init"], colds["scipy"], strict=True)]
        v0, v1 = warm["values"]
        same = abs(v0 - v1) <= 1e-9 * max(1.0, abs(v1))
        sense = "max" if CASES[name][5] else "min"
        print(f"| {name} ({sense}) | {warm['pairs']:,} | {statistics.median(t['submodkit']):.4f} "
              f"| {statistics.median(t['scipy']):.4f} | {statistics.median(ratios):.2f} "
              f"| {statistics.median(colds['submodkit']):.3f} | {statistics.median(colds['scipy']):.3f} "
              f"| {statistics.median(cold_ratios):.2f} | {statistics.median(colds['submodkit-init']):.3f} "
              f"| {statistics.median(init_ratios):.2f} | {same} | {warm['load']:.2f} / {load:.2f} |",
              flush=True)
        raw = {"warm": t, "cold": colds}
        raw = json.loads(json.dumps(raw), parse_float=lambda x: round(float(x), 4))
        print(f"<!-- {name}: {json.dumps(raw)} -->", flush=True)


if __name__ == "__main__":
    main()
