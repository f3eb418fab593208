"""Bicriteria online matching (weight and cardinality) and bi-objective online welfare.

    python scripts/bench_bicriteria.py [--seeds 10] [--data ../shared/data/adx] [--plot docs/figures]

Prints markdown tables:

1. speed: the bicriteria kernel (p = 0.5) on 1,000,000 arrivals x 100 advertisers, with
   greedy and BALANCE (the two rules it mixes) in the same process, interleaved, cold (first
   call of the process, the Numba cache loaded) and warm (best of 3);
2. the trade-off: for p in 0, 0.25, 0.5, 0.75, 1, the weight over the maximum weight and the
   cardinality over the maximum cardinality (random order, mean and min..max over seeds), on
   every AdX publisher (the 100,000-impression sample of pub1, pub3, pub4, a 20,000 types
   sample of the others; optima: min-cost flow / LP) and on a two-phase family built so that
   the objectives conflict; beside them the proved curve and the curve the WINE 2013 abstract
   states for its own algorithm;
3. bi-objective welfare on small coverage + facility-location valuations: the mixture's mean
   (first, second) over seeds against the exact offline Pareto points.

With ``--plot DIR``, writes DIR/bicriteria_tradeoff.png (measured pairs, both curves) and
DIR/bi_objective_welfare.png (the exact Pareto points, the mixture's pairs, the proved curve).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from submodkit.instances.adx import adx_types, read_adx
from submodkit.instances.allocation import AllocationInstance, random_allocation_instance
from submodkit.objectives import Coverage, FacilityLocation
from submodkit.solvers.allocation.bicriteria import paper_curve, proven_curve
from submodkit.solvers.allocation.offline import offline_optimum
from submodkit.solvers.allocation.online import allocate
from submodkit.solvers.allocation.welfare import bi_objective_welfare, brute_force_welfare, pareto_welfare

ROOT = Path(__file__).resolve().parents[1]
TRADEOFFS = (0.0, 0.25, 0.5, 0.75, 1.0)


def speed(n: int, a: int) -> None:
    inst = random_allocation_instance(n, a, density=0.1, seed=0, load=0.5)
    print(f"\n### Speed: {n:,} arrivals x {a} advertisers, {inst.values.nnz:,} eligible pairs\n")
    print("| algorithm | cold kernel s | warm kernel s (best of 3) | arrivals / s (warm) |")
    print("|---|---|---|---|")
    runs = {"bicriteria p=0.5": {"algorithm": "bicriteria", "tradeoff": 0.5},
            "greedy (free disposal)": {"algorithm": "greedy"}, "balance": {"algorithm": "balance"}}
    cold = {name: allocate(inst, seed=0, **kw).stats["kernel_seconds"] for name, kw in runs.items()}
    warm = {name: [] for name in runs}
    for _ in range(3):
        for name, kw in runs.items():  # interleaved
            warm[name].append(allocate(inst, seed=0, **kw).stats["kernel_seconds"])
    for name in runs:
        best = min(warm[name])
        print(f"| {name} | {cold[name]:.3f} | {best:.3f} | {n / best:,.0f} |")


def two_phase(c: int, seed: int) -> AllocationInstance:
    """10 premium and 10 regular advertisers of capacity c. Phase 1 (10c arrivals): 2 premium
    advertisers at weight U(0.5, 1) and 2 regular at U(0, 0.1); phase 2 (10c): 1 or 2 premium
    only, at U(0, 0.1). Greedy on weight fills the premium advertisers in phase 1 and leaves
    phase 2 unmatched; the maximum cardinality sends phase 1 to the regular advertisers."""
    rng = np.random.default_rng(seed)
    t = 20 * c
    v = np.zeros((t, 20))
    for i in range(10 * c):
        v[i, rng.choice(10, 2, replace=False)] = rng.uniform(0.5, 1.0, 2)
        v[i, 10 + rng.choice(10, 2, replace=False)] = rng.uniform(0.0, 0.1, 2)
    for i in range(10 * c, t):
        k = rng.integers(1, 3)
        v[i, rng.choice(10, k, replace=False)] = rng.uniform(0.01, 0.1, k)
    return AllocationInstance(v, budgets=np.full(20, float(c)), name=f"two-phase-c{c}-s{seed}")


def _unit(inst: AllocationInstance) -> AllocationInstance:
    return AllocationInstance(inst.values > 0, budgets=inst.budgets, name=inst.name)


def _optima(inst: AllocationInstance) -> tuple[float, float]:
    integral = np.allclose(inst.budgets, np.round(inst.budgets))
    solver = "flow" if integral else "glop"
    return offline_optimum(inst, solver=solver).value, offline_optimum(_unit(inst), solver=solver).value


def _cell(r: list[float]) -> str:
    spread = f" ({min(r):.3f}..{max(r):.3f})" if max(r) - min(r) > 0.0005 else ""
    return f"{np.mean(r):.4f}{spread}"


def instances(data: Path):
    for c in (20, 100):
        yield "two-phase", f"c={c}", two_phase(c, 0)
    if not data.is_dir():
        return
    for pub in range(1, 8):
        name = f"pub{pub}"
        if (data / f"{name}-sample.txt.gz").exists():
            yield "AdX", f"{name} (100k sample)", read_adx(data, name)
        elif (data / f"{name}-types.txt.gz").exists():
            yield "AdX", f"{name} (20k from types)", adx_types(data, name).sample(20_000, seed=0)


def trade_off(data: Path, seeds: int) -> dict:
    print("\n### Trade-off: weight / max weight, cardinality / max cardinality (random order)\n")
    head = " | ".join(f"p={p:g} weight | p={p:g} card." for p in TRADEOFFS)
    print(f"| family | instance | {head} |")
    print("|---|---|" + "---|---|" * len(TRADEOFFS))
    measured: dict = {}
    for family, label, inst in instances(data):
        opt_w, opt_c = _optima(inst)
        cells = []
        for p in TRADEOFFS:
            w, c = [], []
            for s in range(seeds):
                sol = allocate(inst, algorithm="bicriteria", tradeoff=p, order="random", seed=s)
                w.append(sol.value / opt_w)
                c.append(sol.stats["cardinality"] / opt_c)
            measured.setdefault(f"{family} {label}", []).append((np.mean(w), np.mean(c)))
            cells += [_cell(w), _cell(c)]
        print(f"| {family} | {label} | " + " | ".join(cells) + " |")
    pw, pc = proven_curve(np.array(TRADEOFFS))
    kw, kc = paper_curve(np.array(TRADEOFFS))
    print("| proved (any capacities, expectation) | | "
          + " | ".join(f"{a:.4f} | {b:.4f}" for a, b in zip(pw, pc, strict=True)) + " |")
    print("| WINE 2013 abstract (its algorithm, large capacities) | | "
          + " | ".join(f"{a:.4f} | {b:.4f}" for a, b in zip(kw, kc, strict=True)) + " |")
    return measured


def welfare(seeds: int) -> list:
    print("\n### Bi-objective welfare: coverage (first) and facility location (second), 3 agents x 8 items\n")
    print("| instance | Pareto points (first, second) / (OPT1, OPT2) | "
          + " | ".join(f"p={p:g}" for p in TRADEOFFS) + " |")
    print("|---|---|" + "---|" * len(TRADEOFFS))
    curves = []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        first = [Coverage([list(np.flatnonzero(rng.random(10) < 0.3)) for _ in range(8)], n_elements=10)
                 for _ in range(3)]
        second = [FacilityLocation(rng.random((8, 5))) for _ in range(3)]
        opt1, opt2 = brute_force_welfare(first)[0], brute_force_welfare(second)[0]
        front = pareto_welfare(first, second)
        points = ", ".join(f"({a / opt1:.2f}, {b / opt2:.2f})" for a, b in front)
        cells, pairs = [], []
        for p in TRADEOFFS:
            r = [bi_objective_welfare(first, second, tradeoff=p, order="random", seed=s)
                 for s in range(seeds)]
            pair = (np.mean([x.value for x in r]) / opt1,
                    np.mean([x.stats["second_value"] for x in r]) / opt2)
            pairs.append(pair)
            cells.append(f"({pair[0]:.3f}, {pair[1]:.3f})")
        curves.append((f"s{seed}", front / (opt1, opt2), pairs))
        print(f"| s{seed} | {points} | " + " | ".join(cells) + " |")
    return curves


def _trade_off_axes():
    """A figure with the proved curve on the unit square (matplotlib without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 5))
    ax.plot(*proven_curve(np.linspace(0, 1, 201)), "k-", label="proved: (p/(1+p), (1-p)/(2-p))")
    return fig, ax


def _save(fig, ax, path: Path, xlabel: str, ylabel: str, title: str) -> None:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=6, loc="lower left")
    ax.set_title(title)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    print(f"wrote {path}")


def plot_welfare(curves: list, folder: Path) -> None:
    fig, ax = _trade_off_axes()
    for (name, front, pairs), color in zip(curves, ("C0", "C1", "C2"), strict=False):
        ax.step(front[:, 0], front[:, 1], where="post", color=color, alpha=0.6,
                label=f"{name}: exact Pareto points")
        ax.plot(front[:, 0], front[:, 1], "s", color=color, ms=3)
        xs, ys = zip(*pairs, strict=True)
        ax.plot(xs, ys, "o--", color=color, ms=4, label=f"{name}: mixture, p = 0 .. 1")
    _save(fig, ax, folder / "bi_objective_welfare.png", "first welfare / its optimum (coverage)",
          "second welfare / its optimum (facility location)",
          "bi-objective online welfare against the exact Pareto points")


def plot(measured: dict, folder: Path) -> None:
    fig, ax = _trade_off_axes()
    ax.plot(*paper_curve(np.linspace(0, 1, 201)), "k--",
            label="WINE 2013 abstract (its algorithm, large capacities)")
    for name, pairs in measured.items():
        xs, ys = zip(*pairs, strict=True)
        ax.plot(xs, ys, "o-", ms=4, label=name)
    _save(fig, ax, folder / "bicriteria_tradeoff.png", "weight / maximum weight",
          "cardinality / maximum cardinality", "bicriteria mixture, p = 0, 0.25, 0.5, 0.75, 1 (random order)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--arrivals", type=int, default=1_000_000)
    ap.add_argument("--advertisers", type=int, default=100)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "adx")
    ap.add_argument("--plot", type=Path, default=None)
    ap.add_argument("--skip-speed", action="store_true")
    args = ap.parse_args()
    start = time.perf_counter()
    if not args.skip_speed:
        speed(args.arrivals, args.advertisers)
    measured = trade_off(args.data, args.seeds)
    curves = welfare(args.seeds)
    if args.plot is not None:
        plot(measured, args.plot)
        plot_welfare(curves, args.plot)
    print(f"\n{time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    main()
