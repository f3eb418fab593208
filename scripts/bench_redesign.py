"""Benchmark: the reorganisation of issue 14 costs no speed.

Runs the same workloads on two checkouts of submodkit, each in fresh subprocesses,
alternating between them (interleaved, so load on the machine hits both alike): greedy max
cover on rail507, facility location (dense, n = 2000), set cover on rail507, exact matching
on a random weighted graph, online allocation (BALANCE) on AdX pub1 (when ../shared/data is
there) and max-sum diversity. For each: the first call in the process ("cold": the Numba
cache on disk is warm, the process is new) and the median of 5 calls after 8 more
("warm": past the NumPy-to-Numba switch of the default back ends), the
ratio new / old, and whether both return the same value.

    python scripts/bench_redesign.py --old /work/pristine --new /work/main --rounds 3

``--old`` is a checkout of the code before the reorganisation (e.g. ``git worktree add
/work/pristine f4a9485``). Each tree is imported through ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, sys, time
import numpy as np
import submodkit
from submodkit.instances import bundled, random_graph, read_instance

name = sys.argv[1]
shared = sys.argv[2]
if name == "max-cover":
    data = submodkit.Coverage(read_instance(bundled("rail507")).sets)
    run = lambda: submodkit.maximize(data, 50).value
elif name == "facility-location":
    X = np.random.default_rng(0).normal(size=(2000, 8))
    sq = (X * X).sum(1)
    S = np.exp(-np.maximum(sq[:, None] + sq[None, :] - 2 * X @ X.T, 0) / 8)
    data = submodkit.FacilityLocation(S)
    run = lambda: submodkit.maximize(data, 50).value
elif name == "set-cover":
    data = read_instance(bundled("rail507"))
    run = lambda: submodkit.set_cover(data.sets, data.costs).value
elif name == "matching":
    g = random_graph(3000, 15000, seed=1, weighted=True)
    run = lambda: submodkit.max_weight_matching(g).value
elif name == "allocation":
    from submodkit.instances import read_adx
    inst = read_adx(shared, "pub1")
    run = lambda: submodkit.allocate(inst, algorithm="balance").value
elif name == "max-sum-diversity":
    X = np.random.default_rng(2).normal(size=(3000, 16))
    run = lambda: submodkit.diversify(X, 20, "max-sum").value
t = time.perf_counter(); value = run(); cold = time.perf_counter() - t
for _ in range(8):  # settle: some solvers switch from NumPy to Numba after 0.3 s of NumPy time
    run()
warm = []
for _ in range(5):
    t = time.perf_counter(); run(); warm.append(time.perf_counter() - t)
print(json.dumps({"cold": cold, "warm": sorted(warm)[2], "value": float(value),
                  "file": submodkit.__file__}))
"""

WORKLOADS = ("max-cover", "facility-location", "set-cover", "matching", "allocation", "max-sum-diversity")


def run(tree: str, name: str, shared: str) -> dict:
    env = dict(os.environ, PYTHONPATH=tree)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, name, shared],
        env=env,
        capture_output=True,
        text=True,
        cwd="/",
        check=True,
    )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["file"].startswith(tree), (res["file"], tree)
    return res


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--old", required=True)
    p.add_argument("--new", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "adx"))
    args = p.parse_args()
    names = [n for n in WORKLOADS if n != "allocation" or Path(args.shared).exists()]
    trees = {"old": str(Path(args.old).resolve()), "new": str(Path(args.new).resolve())}
    for tree in trees.values():  # fill each tree's Numba cache first
        for n in names:
            run(tree, n, args.shared)
    results = {(n, t): [] for n in names for t in trees}
    for _ in range(args.rounds):
        for n in names:
            for t, tree in trees.items():
                results[n, t].append(run(tree, n, args.shared))
    print(
        "| workload | cold old s | cold new s | cold new/old | warm old s | warm new s | warm new/old "
        "| same value |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n in names:
        old, new = results[n, "old"], results[n, "new"]
        co, cn = (statistics.median(r["cold"] for r in x) for x in (old, new))
        wo, wn = (statistics.median(r["warm"] for r in x) for x in (old, new))
        same = all(a["value"] == b["value"] for a, b in zip(old, new, strict=True))
        print(f"| {n} | {co:.4f} | {cn:.4f} | {cn / co:.2f} | {wo:.4f} | {wn:.4f} | {wn / wo:.2f} | {same} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
