"""Online allocation benchmark: arrivals/second, LP time, and AdX ratios to the LP optimum.

    python scripts/bench_allocation.py [--arrivals 1000000] [--advertisers 100] [--density 0.1]
        [--data ../shared/data/adx] [--seeds 3]

Prints markdown tables. Speed: a synthetic CSR instance (each arrival eligible for
density * advertisers advertisers), one warm-up run then the timed run (kernel time).
Ratios: value / GLOP LP optimum on each AdX publisher's 100,000-impression sample
in random order (pub1, pub3, pub4; a types sample for the others) and on i.i.d. streams
drawn from every pubN-types (one LP per seed), mean over seeds with min..max.
--lp-sizes times GLOP, PDLP and the min-cost flow on growing synthetic instances.
--proportional: proportional allocation (offline, fractional, the cardinality problem: values
only mark eligibility) against that problem's LP on pub1, pub3, pub4 and a skewed synthetic
instance, in memory and on 4 impression shards (threads, Dask), with the entropy of the splits
and greedy's integral allocation beside it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from submodkit.instances.adx import adx_types, read_adx
from submodkit.instances.allocation import random_allocation_instance
from submodkit.solvers.allocation.offline import offline_optimum
from submodkit.solvers.allocation.online import ALGORITHMS, allocate

ROOT = Path(__file__).resolve().parents[1]


def speed(n: int, a: int, density: float, lp: bool) -> None:
    inst = random_allocation_instance(n, a, density=density, seed=0, load=0.5)
    print(f"\n### Speed: {n:,} arrivals x {a} advertisers, {inst.values.nnz:,} eligible pairs\n")
    print("| algorithm | kernel seconds | arrivals / s |")
    print("|---|---|---|")
    for alg in ALGORITHMS:
        if alg == "dual-resolve":  # its GLOP re-solves on growing prefixes dominate (hours at this size)
            continue
        small = random_allocation_instance(1000, a, density=density, seed=1)
        forecast = random_allocation_instance(20_000, a, density=density, seed=2)  # "hedged": a sample
        extra = {"forecast": forecast} if alg == "hedged" else {}
        allocate(small, algorithm=alg, **extra)  # compile / load the cache
        sol = allocate(inst, algorithm=alg, **extra)
        print(f"| {alg} | {sol.stats['kernel_seconds']:.3f} | {sol.stats['arrivals_per_second']:,.0f} |")
    if not lp:
        return
    opt = offline_optimum(inst, solver="flow")
    print(f"\nExact optimum (min-cost flow, integer capacities): {opt.stats['seconds']:.1f} s, "
          f"value {opt.value:,.3f}")


VARIANTS = [(alg, {}) for alg in ALGORITHMS] + [("dual-mirror-descent", {"mirror": "multiplicative"})]
LABELS = list(ALGORITHMS) + ["dmd (multiplicative)"]


def _with_forecast(alg: str, kw: dict, model, t: int, seed: int) -> dict:
    """"hedged" plans from a forecast: t impressions drawn from the publisher's types (another
    seed than the stream's)."""
    return {**kw, "forecast": model.sample(t, seed=5000 + seed)} if alg == "hedged" else kw


def _cell(r: list[float]) -> str:
    return f"{np.mean(r):.4f} ({min(r):.3f}..{max(r):.3f})"


def ratios(data: Path, seeds: int, t_iid: int) -> None:
    """Per publisher: random order of the 100,000-impression sample (pub1, pub3, pub4) or of a
    types sample, and i.i.d. streams of t_iid arrivals drawn from pubN-types (one LP per seed)."""
    print(f"\n### AdX: value / LP optimum (GLOP), mean over {seeds} seeds (min..max)\n")
    print("| publisher | arrivals | T x A | LP s | " + " | ".join(LABELS) + " |")
    print("|---|---|---|---|" + "---|" * len(LABELS))
    for pub in range(1, 8):
        model = adx_types(data, pub)
        iid = {alg: [] for alg in LABELS}
        lp_s = []
        first = None
        for s in range(seeds):
            inst = model.sample(t_iid, seed=1000 + s)
            opt = offline_optimum(inst)
            lp_s.append(opt.stats["seconds"])
            first = first or (inst, opt)
            for label, (alg, kw) in zip(LABELS, VARIANTS, strict=True):
                kw = _with_forecast(alg, kw, model, inst.n_arrivals, s)
                iid[label].append(allocate(inst, algorithm=alg, seed=s, **kw).value / opt.value)
        sample = any((data / f"pub{pub}-sample{ext}").exists() for ext in (".txt.gz", ".txt"))
        if sample:
            inst = read_adx(data, pub)
            opt = offline_optimum(inst)
            label = "sample, random order"
        else:
            inst, opt = first
            label = "types sample, random order"
        rnd = {alg: [] for alg in LABELS}
        for s in range(seeds):
            for lab, (alg, kw) in zip(LABELS, VARIANTS, strict=True):
                kw = _with_forecast(alg, kw, model, inst.n_arrivals, s)
                rnd[lab].append(allocate(inst, algorithm=alg, order="random", seed=s, **kw).value / opt.value)
        shape = f"{inst.n_arrivals:,} x {inst.n_advertisers}"
        cells = " | ".join(_cell(rnd[x]) for x in LABELS)
        print(f"| pub{pub} | {label} | {shape} | {opt.stats['seconds']:.1f} | {cells} |")
        print(f"| pub{pub} | i.i.d. from types | {t_iid:,} x {model.n_advertisers} | {np.mean(lp_s):.1f} | "
              + " | ".join(_cell(iid[x]) for x in LABELS) + " |")
        sys.stdout.flush()


def _skewed(t: int, a: int, seed: int = 0):
    """Pareto-popular advertisers, capacities summing to 0.8 T: capacities bind."""
    from submodkit.instances.allocation import AllocationInstance

    rng = np.random.default_rng(seed)
    p = np.minimum(1.0, rng.pareto(1.0, a) * 0.05)
    rows, cols = [], []
    for j in range(a):
        r = np.flatnonzero(rng.random(t) < p[j])
        rows.append(r)
        cols.append(np.full(r.shape[0], j))
    import scipy.sparse as sp

    rows, cols = np.concatenate(rows), np.concatenate(cols)
    values = sp.csr_matrix((np.ones(rows.shape[0]), (rows, cols)), shape=(t, a))
    caps = np.maximum(1.0, np.round(rng.dirichlet(np.ones(a)) * t * 0.8))
    return AllocationInstance(values, budgets=caps, name=f"skewed {t:,} x {a}")


def proportional_table(data: Path) -> None:
    """Proportional allocation against the cardinality LP (GLOP)."""
    import tempfile
    import time

    from submodkit.coresets.proportional import distributed_proportional_allocation
    from submodkit.instances.allocation import AllocationInstance
    from submodkit.instances.allocation_shards import write_allocation_shards
    from submodkit.solvers.allocation.proportional import proportional_allocation

    print("\n### Proportional allocation: ratio to the LP of the cardinality problem\n", flush=True)
    print("| instance | pairs | LP (s) | epsilon | rounds (best) | value / LP | certified value / bound | "
          "mean entropy (nats) | in memory (s) | 4 shards, threads (s) | 4 shards, Dask (s) | "
          "4 shards on disk, Dask (s) | greedy, random order / LP |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    cases = [_skewed(100_000, 50)]
    for pub in (1, 3, 4):
        inst = read_adx(data, pub)
        cases.append(AllocationInstance(inst.values > 0, budgets=inst.budgets, name=f"AdX pub{pub} (sample)"))
    for inst in cases:
        start = time.perf_counter()  # integer capacities: the min-cost flow is the LP (TU)
        integral = bool(np.all(inst.budgets == np.round(inst.budgets)))
        lp = offline_optimum(inst, solver="flow" if integral else None).value
        lp_s = time.perf_counter() - start
        greedy = allocate(inst, algorithm="greedy", order="random", seed=0).value / lp
        for eps in (0.2, 0.1, 0.05):
            start = time.perf_counter()
            sol = proportional_allocation(inst, epsilon=eps)
            mem = time.perf_counter() - start
            start = time.perf_counter()
            distributed_proportional_allocation(inst, n_parts=4, engine="threads", epsilon=eps)
            thr = time.perf_counter() - start
            start = time.perf_counter()
            distributed_proportional_allocation(inst, n_parts=4, engine="dask", epsilon=eps)
            dsk = time.perf_counter() - start
            with tempfile.TemporaryDirectory() as tmp:  # each worker reads its own part file
                write_allocation_shards(inst, Path(tmp) / "shards", n_parts=4)
                start = time.perf_counter()
                stored = distributed_proportional_allocation(Path(tmp) / "shards", engine="dask", epsilon=eps)
                disk = time.perf_counter() - start
            assert abs(stored.value - sol.value) <= 1e-6 * max(1.0, sol.value)
            print(f"| {inst.name} | {inst.arrays()[1].shape[0]:,} | {lp_s:.2f} | {eps} | "
                  f"{sol.stats['rounds']} ({sol.stats['best_round']}) | {sol.value / lp:.4f} | "
                  f"{sol.value / sol.upper_bound:.4f} | {sol.stats['mean_entropy']:.3f} | {mem:.2f} | "
                  f"{thr:.2f} | {dsk:.2f} | {disk:.2f} | {greedy:.4f} |", flush=True)


def entropy_table(data: Path) -> None:
    """Proportional allocation against the maximum-entropy b-matching (entropy-regularized LP,
    tau = 0.01) on the cases of the proportional table: value / LP and the mean entropy of the
    impressions' splits (nats)."""
    import time

    from submodkit.instances.allocation import AllocationInstance
    from submodkit.solvers.allocation.proportional import max_entropy_allocation, proportional_allocation

    print("\n### Proportional allocation against the maximum-entropy b-matching\n", flush=True)
    print("| instance | proportional (eps 0.1): value / LP | its mean entropy | s | max entropy (tau 0.01): "
          "value / LP | its mean entropy | sweeps | s |")
    print("|---|---|---|---|---|---|---|---|")
    cases = [_skewed(100_000, 50)]
    for pub in (1, 3, 4):
        inst = read_adx(data, pub)
        cases.append(AllocationInstance(inst.values > 0, budgets=inst.budgets, name=f"AdX pub{pub} (sample)"))
    for inst in cases:
        integral = bool(np.all(inst.budgets == np.round(inst.budgets)))
        lp = offline_optimum(inst, solver="flow" if integral else None).value
        start = time.perf_counter()
        prop = proportional_allocation(inst, epsilon=0.1)
        prop_s = time.perf_counter() - start
        start = time.perf_counter()
        ent = max_entropy_allocation(inst, tau=0.01)
        ent_s = time.perf_counter() - start
        print(f"| {inst.name} | {prop.value / lp:.4f} | {prop.stats['mean_entropy']:.3f} | {prop_s:.2f} | "
              f"{ent.value / lp:.4f} | {ent.stats['mean_entropy']:.3f} | {ent.stats['sweeps']} | "
              f"{ent_s:.2f} |", flush=True)


def training_study(data: Path, seeds: int) -> None:
    """Why the training-based duals stop near 1 - epsilon, and the re-solving variant: value / LP
    optimum on the 100,000-impression samples of pub1, pub3, pub4 in random order, mean and
    standard deviation (min) over ``seeds`` orders, and seconds per run (LPs included)."""
    import time

    runs = [("greedy", {}), ("dual-training", {"epsilon": 0.1}), ("dual-training", {"epsilon": 0.02}),
            ("dual-resolve", {"epsilon": 0.01}), ("dual-resolve", {"epsilon": 0.05}),
            ("dual-resolve", {"epsilon": 0.1})]
    print(f"\n### Training-based duals on AdX, random order, {seeds} seeds: mean (sd, min), s per run\n")
    print("| publisher | " + " | ".join(f"{a} eps={kw.get('epsilon', '-')}" for a, kw in runs) + " |")
    print("|---|" + "---|" * len(runs))
    for pub in (1, 3, 4):
        inst = read_adx(data, pub)
        opt = offline_optimum(inst).value
        cells = []
        for alg, kw in runs:
            start = time.perf_counter()
            r = [allocate(inst, algorithm=alg, order="random", seed=s, **kw).value / opt
                 for s in range(seeds)]
            per_run = (time.perf_counter() - start) / seeds
            cells.append(f"{np.mean(r):.4f} ({np.std(r):.4f}, {min(r):.4f}), {per_run:.2f} s")
        print(f"| pub{pub} | " + " | ".join(cells) + " |", flush=True)


def lp_scaling(a: int, density: float, sizes: list[int], time_limit: float, lp_max: int) -> None:
    """GLOP vs PDLP (up to lp_max arrivals) vs min-cost flow on synthetic instances of growing T."""
    print(f"\n### Offline optimum: GLOP vs PDLP vs min-cost flow, {a} advertisers, density {density}\n")
    print("| T | eligible pairs | GLOP s | PDLP s | flow s | PDLP / GLOP | flow / GLOP |")
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        inst = random_allocation_instance(n, a, density=density, seed=0, load=0.5)
        f = offline_optimum(inst, solver="flow")
        if n <= lp_max:  # integer capacities: the LP is the transportation LP the flow solves
            g = offline_optimum(inst, solver="glop", time_limit=time_limit, integer_capacities=True)
            p = offline_optimum(inst, solver="pdlp", time_limit=time_limit, integer_capacities=True)
            cells = (f"{g.seconds:.1f} ({g.status}) | {p.seconds:.1f} ({p.status}) | {f.seconds:.1f} | "
                     f"{p.value / g.value:.6f} | {f.value / g.value:.9f}")
        else:
            cells = f"not run | not run | {f.seconds:.1f} | | "
        print(f"| {n:,} | {inst.values.nnz:,} | {cells} |")
        sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--arrivals", type=int, default=1_000_000)
    ap.add_argument("--advertisers", type=int, default=100)
    ap.add_argument("--density", type=float, default=0.1)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "adx")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--lp", action="store_true", help="exact optimum (flow) of the speed instance")
    ap.add_argument("--t-iid", type=int, default=20_000, help="arrivals per i.i.d. stream from the types")
    ap.add_argument("--lp-sizes", default="", help="comma-separated T values for the GLOP vs PDLP table")
    ap.add_argument("--lp-time-limit", type=float, default=300.0)
    ap.add_argument("--lp-max", type=int, default=100_000, help="largest T given to GLOP and PDLP")
    ap.add_argument("--skip-ratios", action="store_true")
    ap.add_argument("--training-study", action="store_true",
                    help="only the training-based duals table (pub1, pub3, pub4, --seeds orders)")
    ap.add_argument("--proportional", action="store_true", help="only the proportional allocation table")
    ap.add_argument("--entropy", action="store_true",
                    help="only proportional allocation against the maximum-entropy b-matching")
    args = ap.parse_args()
    print("```\n" + "python " + " ".join(sys.argv) + "\n```")
    if args.proportional:
        proportional_table(args.data)
        return
    if args.entropy:
        entropy_table(args.data)
        return
    if args.training_study:
        training_study(args.data, args.seeds)
        return
    if not args.skip_speed:
        speed(args.arrivals, args.advertisers, args.density, args.lp)
    if args.lp_sizes:
        sizes = [int(x) for x in args.lp_sizes.split(",")]
        lp_scaling(args.advertisers, args.density, sizes, args.lp_time_limit, args.lp_max)
    if args.data.is_dir() and not args.skip_ratios:
        ratios(args.data, args.seeds, args.t_iid)


if __name__ == "__main__":
    main()
