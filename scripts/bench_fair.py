"""Fair allocation with volatile supply: the certified offline solve and the online re-solving
scheme on every AdX publisher.

    python scripts/bench_fair.py [--data ../shared/data/adx] [--seeds 3]

Markets: the impressions of each publisher are the goods (the 100,000-impression sample of
pub1, pub3, pub4; 20,000 drawn from the types of the others), their qualities the utilities,
the advertisers the buyers with their contracted capacities as budgets. Supply: 1 per good
("flat") or a volatile Gaussian process (log-supply an AR(1) with stationary deviation 1,
"volatile"); orders: random, or "grouped" (the goods sorted by their best buyer: an
adversarial drift the forecast-free scheme must absorb).

Prints, per publisher and setting: the offline solve (rounds, seconds, certified gap) and, for
the online scheme and for the utilitarian rule (each good to its highest-utility buyer),
the fairness ratio (mean utility over the offline certified bound), the worst buyer's share
of its fair utility, the budget extraction (alpha = 1) and the total utility over the
utilitarian maximum; mean over seeds (min..max).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from submodkit.instances.adx import adx_types, read_adx
from submodkit.instances.allocation import AllocationInstance
from submodkit.solvers.allocation.fair import fair_allocation, online_fair_allocation

ROOT = Path(__file__).resolve().parents[1]


def markets(data: Path):
    for pub in range(1, 8):
        name = f"pub{pub}"
        if (data / f"{name}-sample.txt.gz").exists():
            yield name, read_adx(data, name)
        elif (data / f"{name}-types.txt.gz").exists():
            yield name, adx_types(data, name).sample(20_000, seed=0)


def volatile_supply(t: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    phi = 0.99
    z = np.empty(t)
    z[0] = rng.normal()
    for i in range(1, t):
        z[i] = phi * z[i - 1] + np.sqrt(1 - phi**2) * rng.normal()
    return np.exp(z - 0.5)


def reorder(inst: AllocationInstance, order: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if order == "random":
        return rng.permutation(inst.n_arrivals)
    indptr, indices, vals, _ = inst.arrays()
    best = np.array([indices[lo + np.argmax(vals[lo:hi])] if hi > lo else -1
                     for lo, hi in zip(indptr[:-1], indptr[1:], strict=True)])
    return np.lexsort((rng.random(inst.n_arrivals), best))


def utilitarian(inst: AllocationInstance, supply: np.ndarray) -> np.ndarray:
    """Each good to its highest-utility buyer: the buyers' utilities."""
    indptr, indices, vals, _ = inst.arrays()
    u = np.zeros(inst.n_advertisers)
    for t in range(inst.n_arrivals):
        lo, hi = indptr[t], indptr[t + 1]
        if hi > lo:
            e = lo + int(np.argmax(vals[lo:hi]))
            u[indices[e]] += vals[e] * supply[t]
    return u


def _mean(u: np.ndarray, budgets: np.ndarray, alpha: float) -> float:
    w = budgets / budgets.sum()
    if np.any(u <= 0):
        return 0.0
    if alpha == 1.0:
        return float(np.exp(w @ np.log(u)))
    return float((w @ u ** (1 - alpha)) ** (1 / (1 - alpha)))


def _cell(r: list[float]) -> str:
    spread = f" ({min(r):.3f}..{max(r):.3f})" if max(r) - min(r) > 0.0005 else ""
    return f"{np.mean(r):.3f}{spread}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "adx")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--alphas", default="1,2")
    args = ap.parse_args()
    alphas = [float(a) for a in args.alphas.split(",")]
    start = time.perf_counter()
    print("| pub | supply | order | alpha | offline: rounds, s, gap | online: fairness | online: worst buyer "
          "| online: budgets paid | online: total utility | utilitarian: fairness "
          "| utilitarian: worst buyer |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, base in markets(args.data):
        for supply_kind in ("flat", "volatile"):
            for order in ("random", "grouped"):
                for alpha in alphas:
                    cells: dict[str, list[float]] = {}
                    offline_note = []
                    for seed in range(args.seeds):
                        rows = reorder(base, order, seed)
                        inst = base.take(rows)
                        supply = np.ones(inst.n_arrivals) if supply_kind == "flat" else volatile_supply(
                            inst.n_arrivals, seed)
                        indptr, indices, _, _ = inst.arrays()
                        rows_of = np.repeat(np.arange(inst.n_arrivals), np.diff(indptr))
                        active = np.bincount(indices[supply[rows_of] > 0], minlength=inst.n_advertisers) > 0
                        off = fair_allocation(inst, alpha=alpha, supply=supply)
                        offline_note.append((off.stats["rounds"], off.stats["seconds"],
                                             off.upper_bound / off.value - 1))
                        on = online_fair_allocation(inst, alpha=alpha, supply=supply)
                        util = utilitarian(inst, supply)
                        fair_u = off.agent_values
                        b = inst.budgets[active]
                        cells.setdefault("on", []).append(on.value / off.upper_bound)
                        cells.setdefault("on_worst", []).append(
                            float(np.min(on.agent_values[active] / fair_u[active])))
                        if on.stats["budget_extraction"] is not None:
                            cells.setdefault("paid", []).append(on.stats["budget_extraction"])
                        cells.setdefault("on_total", []).append(on.stats["efficiency"] / util.sum())
                        cells.setdefault("util", []).append(_mean(util[active], b, alpha) / off.upper_bound)
                        cells.setdefault("util_worst", []).append(
                            float(np.min(util[active] / fair_u[active])))
                    rounds, secs, gap = (np.mean([x[i] for x in offline_note]) for i in range(3))
                    paid = _cell(cells["paid"]) if "paid" in cells else "-"
                    print(f"| {name} | {supply_kind} | {order} | {alpha:g} | {rounds:.0f}, {secs:.1f} s, "
                          f"{gap:.1e} | {_cell(cells['on'])} | {_cell(cells['on_worst'])} | {paid} | "
                          f"{_cell(cells['on_total'])} | {_cell(cells['util'])} | "
                          f"{_cell(cells['util_worst'])} |",
                          flush=True)
    print(f"\n{time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    main()
