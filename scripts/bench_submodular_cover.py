"""Submodular cover in few adaptive rounds (``adaptive_cover``) against Wolsey's greedy
(``submodular_cover``, lazy, one adaptive round per pick), unit costs.

    python scripts/bench_submodular_cover.py [--repeat 3]

Instances: scp41 (bundled OR-Library set cover, cover every row; optimum 429 with its costs,
here unit costs), ego-Facebook closed neighbourhoods (../shared/data, 90 % and 100 % of the
nodes), and a random coverage of 100,000 sets over 200,000 elements (90 %). Columns: items
chosen, the best proven lower bound on the fewest items (adaptive: its certificate; greedy:
size / Wolsey's ratio), adaptive rounds (greedy: its picks), and seconds (median over
``--repeat`` interleaved runs, seeds 0..).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from submodkit.coresets.adaptive import adaptive_cover
from submodkit.instances import bundled, read_instance
from submodkit.objectives import Coverage
from submodkit.solvers.submodular.submodular_cover import submodular_cover

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _instances():
    scp = read_instance(bundled("scp41"))
    yield "scp41 (all rows)", Coverage(scp.sets), 1.0
    fb = DATA / "snap" / "facebook_combined.txt.gz"
    if fb.exists():  # each vertex covers its closed neighbourhood
        f = Coverage.from_set_system(read_instance(fb).to_set_system())
        yield "ego-Facebook 90%", f, 0.9
        yield "ego-Facebook 100%", f, 1.0
    rng = np.random.default_rng(0)
    sets = [rng.choice(200_000, size=int(rng.integers(1, 20)), replace=False) for _ in range(100_000)]
    yield "random 100k sets 90%", Coverage(sets), 0.9


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    flags = f" --repeat {args.repeat}" if args.repeat != 3 else ""
    print(f"```\npython scripts/bench_submodular_cover.py{flags}\n```\n")
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores)\n")
    print("| instance | n | target | greedy items | greedy bound | greedy rounds (picks) | greedy s "
          "| adaptive items (min-max) | adaptive bound | adaptive rounds | adaptive s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, f, share in _instances():
        target = share * f.evaluate(np.arange(f.n))
        greedy, adaptive, tg, ta = None, [], [], []
        for r in range(args.repeat):
            for which in (("g", "a") if r % 2 == 0 else ("a", "g")):
                t = time.perf_counter()
                if which == "g":
                    greedy = submodular_cover(f, target, prune=False)
                    tg.append(time.perf_counter() - t)
                else:
                    adaptive.append(adaptive_cover(f, target, epsilon=0.3, seed=r))
                    ta.append(time.perf_counter() - t)
        items = [a.value for a in adaptive]
        print(f"| {name} | {f.n:,} | {target:,.0f} | {greedy.value:.0f} | {greedy.lower_bound:.1f} "
              f"| {greedy.value:.0f} | {np.median(tg):.3f} | {min(items):.0f}-{max(items):.0f} "
              f"| {max(a.lower_bound for a in adaptive):.0f} "
              f"| {int(np.median([a.stats['adaptive_rounds'] for a in adaptive]))} | {np.median(ta):.3f} |",
              flush=True)


if __name__ == "__main__":
    main()
