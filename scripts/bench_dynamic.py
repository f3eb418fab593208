"""Fully dynamic maximization (``StreamingMaximizer(f, k, algorithm="dynamic")``) against
recomputing from scratch after every update, on max-k-cover of ego-Facebook's closed
neighbourhoods (../shared/data) and of a random set system.

    python scripts/bench_dynamic.py

The update sequence: every item inserted in a random order, then rounds of deleting a random
tenth of the items present and inserting a random tenth of the absent ones (``--rounds``).
Per phase: the dynamic structure's seconds and gain evaluations per update; the cost of one
from-scratch answer on the items present (lazy greedy, and the same threshold levels built
anew), which recomputing after every update pays each time; and the quality at the end of the
phase, dynamic over lazy greedy (both on the items present).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from submodkit import Coverage, StreamingMaximizer, maximize
from submodkit.instances import read_instance

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _instances():
    fb = DATA / "snap" / "facebook_combined.txt.gz"
    if fb.exists():  # each vertex covers its closed neighbourhood
        yield "ego-Facebook", read_instance(fb).to_set_system().sets
    rng = np.random.default_rng(0)
    yield "random 10k sets", [rng.choice(50_000, size=int(rng.integers(1, 60)), replace=False)
                              for _ in range(10_000)]


def _restricted(sets, present):
    """The objective on the items present only (a from-scratch run sees nothing else)."""
    return Coverage(sets[present] if hasattr(sets, "tocsr") else [sets[i] for i in present])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--k", type=int, default=20)
    args = ap.parse_args()
    flags = (f" --rounds {args.rounds}" if args.rounds != 3 else "") + (
        f" --k {args.k}" if args.k != 20 else "")
    print(f"```\npython scripts/bench_dynamic.py{flags}\n```\n")
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores); k = {args.k}, epsilon = 0.2\n")
    print("| instance | phase | updates | dynamic ms / update | evaluations / update | lazy greedy from "
          "scratch ms | levels from scratch ms | dynamic / lazy greedy value |")
    print("|---|---|---|---|---|---|---|---|")
    for name, sets in _instances():
        f = Coverage(sets)
        n = f.n
        rng = np.random.default_rng(1)
        dm = StreamingMaximizer(f, args.k, algorithm="dynamic", epsilon=0.2, seed=0)
        present = np.zeros(n, dtype=bool)
        phases = [("insert all", [("+", int(e)) for e in rng.permutation(n)])]
        for r in range(args.rounds):
            phases.append((f"churn {r + 1}", None))
        for label, ops in phases:
            if ops is None:
                on, off = np.flatnonzero(present), np.flatnonzero(~present)
                ops = [("-", int(e)) for e in rng.choice(on, size=on.size // 10, replace=False)]
                back = rng.choice(off, size=min(off.size, on.size // 10), replace=False)
                ops += [("+", int(e)) for e in back]
                rng.shuffle(ops)
            t0, e0 = dm.seconds, dm.evaluations
            for op, e in ops:
                (dm.update if op == "+" else dm.delete)([e])
                present[e] = op == "+"
            per = (dm.seconds - t0) / len(ops) * 1e3
            evals = (dm.evaluations - e0) / len(ops)
            items = np.flatnonzero(present)
            g = _restricted(sets, items)
            t = time.perf_counter()
            greedy = maximize(g, args.k)
            t_greedy = (time.perf_counter() - t) * 1e3
            before = [c.tolist() for c, _ in dm._levels.values()]
            t = time.perf_counter()
            dm.rebuild()  # the same levels, from scratch
            t_levels = (time.perf_counter() - t) * 1e3
            assert [c.tolist() for c, _ in dm._levels.values()] == before
            print(f"| {name} | {label} | {len(ops)} | {per:.3f} | {evals:.1f} | {t_greedy:.1f} "
                  f"| {t_levels:.1f} "
                  f"| {dm.solution().value / greedy.value:.3f} |", flush=True)


if __name__ == "__main__":
    main()
