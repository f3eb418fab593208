"""Benchmark: the k-nearest-neighbour similarity of submodkit (exact KD-tree, or NN-descent)
against scikit-learn's ``NearestNeighbors`` (algorithm "auto", every core) in the same run,
interleaved repetition by repetition; ratios are scikit-learn's seconds over ours.

    python scripts/bench_knn.py                                   # 100k, 300k, 1M x 8
    python scripts/bench_knn.py --cases 100000x64 --methods nndescent   # high dimension
    python scripts/bench_knn.py --cases 100000x8 --repeat 3

Both build the neighbour lists of every point (10 neighbours); ours also builds the sparse
similarity (the part scikit-learn does not do). NN-descent's recall is measured against
scikit-learn's exact lists. No physical floor applies (the tree's work is not a fixed number
of passes over the data).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np


def ours(X, k, method):
    from submodkit.objectives import knn_similarity

    t = time.perf_counter()
    S = knn_similarity(X, n_neighbors=k, dtype=np.float32, method=method)
    return time.perf_counter() - t, S


def sklearn(X, k):
    from sklearn.neighbors import NearestNeighbors

    from submodkit.objectives import similarity_from_neighbors

    t = time.perf_counter()
    dist, ind = NearestNeighbors(n_neighbors=k, n_jobs=-1).fit(X).kneighbors(X)
    return time.perf_counter() - t, similarity_from_neighbors(ind, dist)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", default="100000x8,300000x8,1000000x8")
    p.add_argument("--methods", default="kd-tree", help="comma-separated: kd-tree, nndescent")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args()
    methods = args.methods.split(",")
    for case in args.cases.split(","):
        n, d = (int(v) for v in case.split("x"))
        X = np.random.default_rng(0).random((n, d)).astype(np.float32)
        times: dict[str, list[float]] = {m: [] for m in methods + ["sklearn"]}
        found = {}
        for _ in range(args.repeat if n < 1_000_000 else 1):
            for m in methods:
                s, found[m] = ours(X, args.k, m)
                times[m].append(s)
            s, exact = sklearn(X, args.k)
            times["sklearn"].append(s)
        row = {"n": n, "d": d, "k": args.k, **{f"{m}_s": [round(t, 2) for t in v] for m, v in times.items()}}
        for m in methods:
            row[f"sklearn_over_{m}"] = round(min(times["sklearn"]) / min(times[m]), 2)
            row[f"{m}_recall"] = round(exact.multiply(found[m] != 0).nnz / exact.nnz, 4)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
