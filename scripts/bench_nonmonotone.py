"""Non-monotone maximization in few adaptive rounds (``adaptive_nonmonotone_maximize``,
Fahrbach, Mirrokni, Zadimoghaddam 2019) against random greedy (Buchbinder et al. 2014, one
adaptive round per pick), on graph cuts (lam = 1: the cut function, non-monotone).

    python scripts/bench_nonmonotone.py [--repeat 3]

Instances: ego-Facebook's adjacency (../shared/data; 4,039 nodes) and a random graph of
20,000 nodes with 10 neighbours each on average (sparse). Columns: k, values as a fraction of
random greedy's mean, adaptive rounds, seconds (median of ``--repeat`` interleaved runs, seeds
0..; adaptive at epsilon = 0.3 with its default Hoeffding sample count).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from submodkit.coresets.adaptive import adaptive_nonmonotone_maximize
from submodkit.objectives import GraphCut
from submodkit.solvers.submodular.nonmonotone import random_greedy

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _graphs():
    fb = DATA / "snap" / "facebook_combined.txt.gz"
    if fb.exists():
        e = np.loadtxt(fb, dtype=np.int64)
        n = int(e.max()) + 1
        A = sp.coo_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(n, n)).tocsr()
        yield "ego-Facebook", A + A.T
    rng = np.random.default_rng(0)
    n = 20_000
    rows = rng.integers(0, n, size=100_000)
    cols = rng.integers(0, n, size=100_000)
    A = sp.coo_matrix((rng.random(100_000), (rows, cols)), shape=(n, n)).tocsr()
    A = A + A.T
    A.setdiag(0)
    A.eliminate_zeros()
    yield "random 20k", A


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    flags = f" --repeat {args.repeat}" if args.repeat != 3 else ""
    print(f"```\npython scripts/bench_nonmonotone.py{flags}\n```\n")
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores)\n")
    print("| graph | n | k | random greedy rounds | random greedy s | adaptive / random greedy (min-max) "
          "| adaptive rounds | adaptive s | adaptive from |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, A in _graphs():
        f = GraphCut(A, lam=1.0)
        for k in (20, 100, 400):
            rg, ad, tr, ta = [], [], [], []
            for r in range(args.repeat):
                for which in (("r", "a") if r % 2 == 0 else ("a", "r")):
                    t = time.perf_counter()
                    if which == "r":
                        rg.append(random_greedy(f, k, seed=r).value)
                        tr.append(time.perf_counter() - t)
                    else:
                        ad.append(adaptive_nonmonotone_maximize(f, k, seed=r))
                        ta.append(time.perf_counter() - t)
            base = float(np.mean(rg))
            ratios = [a.value / base for a in ad]
            origins = sorted({a.stats["from"] for a in ad})
            print(f"| {name} | {f.n:,} | {k} | {k} | {np.median(tr):.3f} "
                  f"| {min(ratios):.3f}-{max(ratios):.3f} "
                  f"| {int(np.median([a.stats['adaptive_rounds'] for a in ad]))} | {np.median(ta):.3f} "
                  f"| {', '.join(origins)} |", flush=True)


if __name__ == "__main__":
    main()
