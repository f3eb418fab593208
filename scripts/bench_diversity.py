"""Benchmark: diversity maximization (GMM, max-sum greedy, GIST) against references.

- GMM (max-min, k=100) on 1,000,000 x 64 float32 points vs a numpy farthest-point loop
  (one vectorized distance pass per step; the same selection);
- max-sum greedy (k=100) on 100,000 x 64 points vs the same greedy in numpy;
- GIST vs the ``gist-select`` package on its README workload (10,000 x 64, k=50, linear
  utility, lam=1, eps=0.05), with both objective values.

``warm`` is in-process with compiled kernels; ``cold`` is a new process (Numba cache
populated): import + first call.

    python scripts/bench_diversity.py               # full sizes (about 1 GB of memory)
    python scripts/bench_diversity.py --scale 0.1   # a quick run
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np


def points(n: int, d: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)


def numpy_gmm(X: np.ndarray, k: int, first: int) -> np.ndarray:
    sel = [first]
    mind = np.full(X.shape[0], np.inf)
    for _ in range(k - 1):
        diff = X - X[sel[-1]]
        mind = np.minimum(mind, np.sqrt(np.einsum("ij,ij->i", diff, diff, dtype=np.float64)))
        sel.append(int(np.argmax(mind)))
    return np.array(sel)


def numpy_maxsum(X: np.ndarray, k: int, first: int) -> np.ndarray:
    sel = [first]
    total = np.zeros(X.shape[0])
    taken = np.zeros(X.shape[0], dtype=bool)
    taken[first] = True
    for _ in range(k - 1):
        diff = X - X[sel[-1]]
        total += np.sqrt(np.einsum("ij,ij->i", diff, diff, dtype=np.float64))
        j = int(np.argmax(np.where(taken, -np.inf, total)))
        taken[j] = True
        sel.append(j)
    return np.array(sel)


def timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - t, out


def cold(case: str, n: int) -> float:
    code = (
        "import time, numpy as np, sys; sys.path.insert(0, 'scripts');"
        "from bench_diversity import points, gist_inputs;"
        f"n = {n}; case = {case!r};"
        "X = points(n, 64) if case != 'gist' else gist_inputs(n)[0];"
        "t = time.perf_counter();"
        "from submodkit.solvers.diversity import diversify;"
        "kw = {'quality': gist_inputs(n)[1]} if case == 'gist' else {};"
        "k = {'gmm': 100, 'maxsum': 100, 'gist': 50}[case];"
        "obj = 'max-sum' if case == 'maxsum' else 'max-min';"
        "diversify(X, k, obj, **kw);"
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def gist_inputs(n: int):
    rng = np.random.default_rng(42)
    pts = rng.standard_normal((n, 64)).astype(np.float32)
    weights = rng.random(n)
    return pts, weights


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args()
    from submodkit.solvers.diversity import diversify

    n_gmm = int(1_000_000 * args.scale)
    n_sum = int(100_000 * args.scale)
    n_gist = max(1000, int(10_000 * args.scale))
    print(f"python scripts/bench_diversity.py --scale {args.scale}\n")
    rows = []

    X = points(n_gmm, 64)
    diversify(X[:1000], 5)  # compile / load the cache
    warm, sol = timed(diversify, X, 100)
    ref_t, ref = timed(numpy_gmm, X, 100, int(sol.selection[0]))
    same = np.array_equal(ref, sol.selection)
    rows.append((f"GMM max-min, {n_gmm:,} x 64 f32, k=100", warm, cold("gmm", n_gmm), "numpy loop",
                 ref_t, f"same selection: {same}; value {sol.value:.4f}"))
    del X

    X = points(n_sum, 64, seed=1)
    diversify(X[:1000], 5, "max-sum")
    warm, sol = timed(diversify, X, 100, "max-sum")
    ref_t, ref = timed(numpy_maxsum, X, 100, int(sol.selection[0]))
    same = np.array_equal(ref, sol.selection)
    rows.append((f"max-sum greedy, {n_sum:,} x 64 f32, k=100", warm, cold("maxsum", n_sum), "numpy loop",
                 ref_t, f"same selection: {same}; value {sol.value:.1f}"))

    pts, w = gist_inputs(n_gist)
    diversify(pts[:500], 5, quality=w[:500])
    warm, sol = timed(diversify, pts, 50, quality=w, lam=1.0, epsilon=0.05)
    try:
        from gist import EuclideanDistance, LinearUtility, gist
    except ImportError:
        rows.append((f"GIST, {n_gist:,} x 64, k=50", warm, cold("gist", n_gist), "gist-select",
                     float("nan"), "gist-select not installed"))
    else:
        ref_t, ref = timed(gist, points=pts, utility=LinearUtility(w), distance=EuclideanDistance(),
                           k=50, lam=1.0, eps=0.05, seed=42)
        rows.append((f"GIST, {n_gist:,} x 64, k=50, linear utility", warm, cold("gist", n_gist),
                     "gist-select 0.1.0", ref_t,
                     f"objective ours {sol.value:.4f} vs theirs {ref.objective_value:.4f}"))

    print("| case | submodkit warm (s) | submodkit cold (s) | reference | reference (s) | "
          "speed-up (warm) | check |")
    print("|---|---|---|---|---|---|---|")
    for name, w_t, c_t, ref_name, r_t, note in rows:
        print(f"| {name} | {w_t:.3f} | {c_t:.3f} | {ref_name} | {r_t:.3f} | {r_t / w_t:.1f}x | {note} |")
    print("\n" + json.dumps({"threads": __import__("numba").get_num_threads()}))


if __name__ == "__main__":
    main()
