"""Procurement auctions on OR-Library set systems: the sets are sellers bidding their costs, the
buyer values each covered row at v. The truthful mechanisms (``procurement_auction``:
descending offers; posted prices in 3 random arrival orders) against distorted greedy (the
best known algorithm for f - c, (1 - 1/e) f(O) - c(O), not truthful) and the exact program.

    python scripts/bench_procurement.py

Columns: welfare f(S) - c(S) as a fraction of the optimum's, the buyer's surplus (what is left
of f(S) after the payments, as a fraction of the optimum's welfare; distorted greedy pays only
the bids), sellers bought from, and seconds.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from submodkit.instances import bundled, read_instance
from submodkit.objectives import Coverage
from submodkit.solvers.cover.exact import exact_coverage_profit
from submodkit.solvers.submodular.nonmonotone import distorted_greedy
from submodkit.solvers.submodular.procurement import procurement_auction

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "orlib-scp"


def _instances():
    yield "scp41", read_instance(bundled("scp41"))
    for name in ("scp51", "scpa1", "scpb1"):
        path = DATA / f"{name}.txt.gz"
        if path.exists():
            yield name, read_instance(path)


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    print("```\npython scripts/bench_procurement.py\n```\n")
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores)\n")
    print("| instance | v | optimum (s) | descending welfare / surplus / sellers / s "
          "| posted-price (3 orders) welfare min-max / surplus | distorted greedy welfare / s |")
    print("|---|---|---|---|---|---|")
    for name, inst in _instances():
        for v in (5.0, 20.0):
            w = np.full(inst.n_elements, v)
            f = Coverage(inst.sets, weights=w)
            opt, t_opt = _timed(lambda inst=inst, w=w: exact_coverage_profit(inst.sets, w, inst.costs,
                                                                             time_limit=120))
            best = opt.value
            desc, t_desc = _timed(lambda f=f, inst=inst: procurement_auction(f, inst.costs))
            posted = [procurement_auction(f, inst.costs, algorithm="posted-price",
                                          order=np.random.default_rng(s).permutation(inst.n_sets))
                      for s in range(3)]
            dist, t_dist = _timed(lambda f=f, inst=inst: distorted_greedy(f, inst.costs, inst.n_sets))
            welfare = [p.value / best for p in posted]
            print(f"| {name} | {v:g} | {best:g} ({opt.status}, {t_opt:.1f} s) "
                  f"| {desc.value / best:.3f} / {desc.stats['surplus'] / best:.3f} / {len(desc)} "
                  f"/ {t_desc:.2f} "
                  f"| {min(welfare):.3f}-{max(welfare):.3f} / "
                  f"{np.mean([p.stats['surplus'] for p in posted]) / best:.3f} "
                  f"| {dist.value / best:.3f} / {t_dist:.2f} |", flush=True)


if __name__ == "__main__":
    main()
