"""Benchmark: greedy maximization against one pass over the data.

For each case, reports seconds and the ratio to one pass over the incidence arrays
(``np.add.reduceat`` over the CSR rows, or a row sum of the dense similarity):

- ``warm``: in-process, kernels compiled, median of ``--repeat`` runs;
- ``cold, cached``: a new Python process whose Numba cache is populated (what a user
  sees on every run after the first): import + first call;
- ``cold, no cache``: a new process with an empty Numba cache (first run after install).

Also times a whole ``submodkit solve scp41 --quiet`` process (set cover, greedy).

    python scripts/bench_greedy.py                 # full sizes (about 2 GB of memory)
    python scripts/bench_greedy.py --scale 0.1     # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from timing import median_time

ROOT = Path(__file__).resolve().parents[1]


def make_cover(n_sets: int, n_incidences: int, n_elements: int, seed: int = 0) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    sizes = rng.poisson(n_incidences / n_sets, n_sets)
    indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    # element popularity skewed (a few hot elements), as in real coverage data
    indices = (rng.pareto(1.5, indptr[-1]) * n_elements / 20).astype(np.int64) % n_elements
    mat = sp.csr_matrix((np.ones(indptr[-1]), indices.astype(np.int32), indptr), shape=(n_sets, n_elements))
    mat.sum_duplicates()
    mat.data[:] = 1.0
    return mat


def make_points(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(50, dim)) * 4
    return centers[rng.integers(0, 50, n)] + rng.normal(size=(n, dim))


CHILD = r"""
import sys, time, json
t0 = time.perf_counter()
import numpy as np, scipy.sparse as sp
from submodkit import Coverage, FacilityLocation, maximize
t1 = time.perf_counter()
kind, path, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
z = np.load(path)
if kind == "cover":
    obj = Coverage(sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"])))
else:
    obj = FacilityLocation(z["sim"])
t2 = time.perf_counter()
sol = maximize(obj, k)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first_call": t3 - t2, "value": sol.value}))
"""


def cold(kind: str, path: str, k: int, cache_dir: str | None) -> dict:
    env = dict(os.environ)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, path, str(k)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply instance sizes")
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from submodkit import Coverage, FacilityLocation, maximize

    n_sets = int(1_000_000 * args.scale)
    n_inc = int(20_000_000 * args.scale)
    n_points = int(10_000 * min(1.0, args.scale ** 0.5))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cover = make_cover(n_sets, n_inc, n_elements=max(1000, n_sets // 10))
        cpath = os.path.join(tmp, "cover.npz")
        np.savez(cpath, data=cover.data, indices=cover.indices, indptr=cover.indptr, shape=cover.shape)
        obj = Coverage(cover)
        one_pass = median_time(lambda: np.add.reduceat(cover.data, cover.indptr[:-1]), args.repeat)
        maximize(obj, args.k)  # compile / load
        warm = median_time(lambda: maximize(obj, args.k), args.repeat)
        warm_nb = median_time(lambda: maximize(obj, args.k, bound=False), args.repeat)
        cold_cached = cold("cover", cpath, args.k, None)
        cold_empty = cold("cover", cpath, args.k, os.path.join(tmp, "nbcache-cover"))
        label = f"max k-cover, lazy, k={args.k}, {n_sets:,} sets, {cover.nnz:,} incidences"
        rows.append((label, one_pass, warm, warm_nb, cold_cached, cold_empty))

        X = make_points(n_points)
        fl = FacilityLocation.from_features(X)
        spath = os.path.join(tmp, "fl.npz")
        np.savez(spath, sim=fl.dense)
        one_pass = median_time(lambda: fl.dense.sum(axis=1), args.repeat)
        maximize(fl, args.k)
        warm = median_time(lambda: maximize(fl, args.k), args.repeat)
        warm_nb = median_time(lambda: maximize(fl, args.k, bound=False), args.repeat)
        cold_cached = cold("fl", spath, args.k, None)
        cold_empty = cold("fl", spath, args.k, os.path.join(tmp, "nbcache-fl"))
        label = f"facility location, lazy, k={args.k}, {n_points:,} points (dense)"
        rows.append((label, one_pass, warm, warm_nb, cold_cached, cold_empty))

    print(f"\nmachine: {os.cpu_count()} cores; python {sys.version.split()[0]}; "
          f"command: python scripts/bench_greedy.py --scale {args.scale} --k {args.k}\n")
    print("| case | one pass (s) | warm (s) | warm / pass | warm, no bound (s) | no bound / pass "
          "| new process, cached: first call (s) | new process, empty cache: first call (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for label, p, w, wnb, cc, ce in rows:
        print(f"| {label} | {p:.3f} | {w:.3f} | {w / p:.1f} | {wnb:.3f} | {wnb / p:.1f} "
              f"| {cc['first_call']:.3f} (import {cc['import']:.2f}) "
              f"| {ce['first_call']:.2f} (import {ce['import']:.2f}) |")

    cli = [sys.executable, "-m", "submodkit.cli", "solve", "scp41", "--quiet", "--json"]
    subprocess.run(cli, check=True, capture_output=True)  # populate the cache
    walls = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        subprocess.run(cli, check=True, capture_output=True)
        walls.append(time.perf_counter() - t)
    print(f"\nwhole `submodkit solve scp41 --quiet --json` process (set cover, greedy + LP bound): "
          f"median {statistics.median(walls):.2f} s over {args.repeat} runs")


if __name__ == "__main__":
    main()
