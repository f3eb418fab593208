"""Greedy column subset selection against the best rank-k approximation (SVD), central and
distributed, on digits (1797 x 64: choose pixels) and a low-rank-plus-noise matrix.

    python scripts/bench_column_subset.py

For each k: greedy's residual ``||A - P_S A||_F^2`` over the SVD's ``||A - A_k||_F^2`` (>= 1;
the SVD is the floor no k columns can beat), the distributed core-set version's value over
central greedy's, and seconds (median of 3).
"""

from __future__ import annotations

import os
import time

import numpy as np
from sklearn.datasets import load_digits

from submodkit.coresets import distributed_column_subset
from submodkit.solvers.submodular.column_subset import column_subset, rank_k_value


def _median_time(fn, repeat=3):
    out, ts = None, []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return out, float(np.median(ts))


def main() -> None:
    rng = np.random.default_rng(0)
    digits = load_digits().data
    low = rng.normal(size=(2000, 20)) @ rng.normal(size=(20, 5000))
    low += 0.5 * rng.normal(size=(2000, 5000))
    print("```\npython scripts/bench_column_subset.py\n```\n")
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores)\n")
    print("| matrix | k | greedy residual / SVD residual | greedy s | SVD bound s "
          "| distributed (4 parts, core 2k) / greedy value | distributed s | union |")
    print("|---|---|---|---|---|---|---|---|")
    cases = (("digits 1797x64", digits, (5, 10, 20)), ("rank-20 + noise 2000x5000", low, (10, 20, 40)))
    for name, A, ks in cases:
        for k in ks:
            sol, t = _median_time(lambda A=A, k=k: column_subset(A, k, bound=False))
            svd, ts = _median_time(lambda A=A, k=k: rank_k_value(np.asarray(A, dtype=float), k))
            dist, td = _median_time(lambda A=A, k=k: distributed_column_subset(
                A, k, n_parts=4, core_size=2 * k, seed=0, bound=False))
            total = float(np.linalg.norm(A) ** 2)
            print(f"| {name} | {k} | {sol.stats['residual'] / (total - svd):.4f} | {t:.3f} | {ts:.3f} "
                  f"| {dist.value / sol.value:.4f} | {td:.3f} | {dist.stats['union']} |", flush=True)


if __name__ == "__main__":
    main()
