"""Online allocation with traffic spikes: the hedged allocation against both pure algorithms
on AdX streams with injected spikes.

    python scripts/bench_spikes.py [--data ../shared/data/adx] [--seeds 3] [--t 20000]

Per publisher: the stochastic traffic is T i.i.d. impressions from ``pubN-types``
(capacities rho * T), the forecast another T drawn from the same types (it does not know the
spike). A spike of ``s * T`` impressions of one type (drawn among the types eligible for at
most a fifth of the advertisers, the popular page of a day) is inserted as one block at a
random position, at the start, or at the end with tripled values; the capacities stay those
of the stochastic part, hard
(no free disposal) for every algorithm, as in the paper's budgeted model. Ratio: value over the
LP optimum of the realized stream (GLOP), mean over seeds (min..max), for the hedged
allocation at hedge = 0 (MSVV, the adversarial algorithm), 0.5, 0.8 and 1 (the forecast's
plan alone, the stochastic algorithm), with greedy beside them.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import numpy as np

from submodkit.instances.adx import adx_types
from submodkit.instances.allocation import AllocationInstance
from submodkit.solvers.allocation.offline import offline_optimum
from submodkit.solvers.allocation.online import allocate

ROOT = Path(__file__).resolve().parents[1]
HEDGES = (0.0, 0.5, 0.8, 1.0)
SPIKES = (0.0, 0.1, 0.25, 0.5)


def with_spike(types, t: int, spike: float, seed: int, where: str) -> AllocationInstance:
    """T stochastic impressions with a block of spike * T impressions of one narrow type, at a
    random position, at the start, or at the end with its values tripled ("end x3": valuable
    traffic the forecast did not plan for); hard capacities (no free disposal), as in the
    paper's budgeted model."""
    rng = np.random.default_rng(seed)
    base = types.sample(t, seed=seed)
    n_spike = int(round(spike * t))
    if n_spike == 0:
        return AllocationInstance(base.values, budgets=base.budgets, free_disposal=False, name=base.name)
    fifth = max(1, types.n_advertisers // 5)
    narrow = [k for k, adv in enumerate(types.advertisers) if 0 < adv.size <= fifth]
    pick = int(rng.choice(narrow if narrow else np.arange(types.n_types)))
    one = dataclasses.replace(types, probs=np.eye(types.n_types)[pick])
    block = one.sample(n_spike, seed=seed + 1)
    at = {"random": int(rng.integers(0, t + 1)), "start": 0, "end x3": t}[where]
    spike_values = block.values.toarray() * (3.0 if where == "end x3" else 1.0)
    v = np.vstack([base.values[:at].toarray(), spike_values, base.values[at:].toarray()])
    return AllocationInstance(v, budgets=base.budgets, free_disposal=False, name=f"{types.name}-{spike:g}")


def _cell(r: list[float]) -> str:
    spread = f" ({min(r):.3f}..{max(r):.3f})" if max(r) - min(r) > 0.0005 else ""
    return f"{np.mean(r):.4f}{spread}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "adx")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--t", type=int, default=20_000)
    args = ap.parse_args()
    start = time.perf_counter()
    cols = [f"hedge {h:g}" + (" (MSVV)" if h == 0 else " (plan only)" if h == 1 else "") for h in HEDGES]
    print("| pub | spike | at | " + " | ".join(cols) + " | greedy |")
    print("|---|---|---|" + "---|" * (len(HEDGES) + 1))
    for pub in range(1, 8):
        if not (args.data / f"pub{pub}-types.txt.gz").exists():
            continue
        types = adx_types(args.data, f"pub{pub}")
        settings = [(0.0, "-")] + [(s, w) for s in SPIKES[1:] for w in ("random", "start", "end x3")]
        for spike, where in settings:
            cells: dict[str, list[float]] = {}
            for seed in range(args.seeds):
                inst = with_spike(types, args.t, spike, seed, where)
                forecast = types.sample(args.t, seed=1000 + seed)
                opt = offline_optimum(inst).value
                for h in HEDGES:
                    sol = allocate(inst, algorithm="hedged", forecast=forecast, hedge=h)
                    cells.setdefault(f"h{h}", []).append(sol.value / opt)
                cells.setdefault("greedy", []).append(allocate(inst, algorithm="greedy").value / opt)
            print(f"| pub{pub} | {spike:g} T | {where} | " + " | ".join(_cell(cells[f"h{h}"]) for h in HEDGES)
                  + f" | {_cell(cells['greedy'])} |", flush=True)
    print(f"\n{time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    main()
