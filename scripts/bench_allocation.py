"""Online allocation benchmark: arrivals/second, LP time, and AdX ratios to the LP optimum.

    python scripts/bench_allocation.py [--arrivals 1000000] [--advertisers 100] [--density 0.1]
        [--data ../shared/data/adx] [--seeds 3]

Prints markdown tables. Speed: a synthetic CSR instance (each arrival eligible for
density * advertisers advertisers), one warm-up run then the timed run (kernel time).
Ratios: value / GLOP LP optimum on each AdX publisher's 100,000-impression sample
(given order; random order averaged over seeds, with min..max), and on an i.i.d. stream
of the same length drawn from pubN-types for the publishers without a sample.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from submodkit.instances.adx import adx_types, read_adx
from submodkit.solvers.allocation import offline_optimum
from submodkit.solvers.online_allocation import ALGORITHMS, allocate, random_allocation_instance

ROOT = Path(__file__).resolve().parents[1]


def speed(n: int, a: int, density: float, lp: bool) -> None:
    inst = random_allocation_instance(n, a, density=density, seed=0, load=0.5)
    print(f"\n### Speed: {n:,} arrivals x {a} advertisers, {inst.values.nnz:,} eligible pairs\n")
    print("| algorithm | kernel seconds | arrivals / s |")
    print("|---|---|---|")
    for alg in ALGORITHMS:
        small = random_allocation_instance(1000, a, density=density, seed=1)
        allocate(small, alg)  # compile / load the cache
        sol = allocate(inst, alg)
        print(f"| {alg} | {sol.stats['kernel_seconds']:.3f} | {sol.stats['arrivals_per_second']:,.0f} |")
    if not lp:
        return
    t = time.perf_counter()
    opt = offline_optimum(inst)
    print(f"\nGLOP LP on it: {time.perf_counter() - t:.1f} s, status {opt.status}, value {opt.value:,.1f}")


def ratios(data: Path, seeds: int) -> None:
    print("\n### AdX: value / LP optimum (GLOP)\n")
    print("| publisher | stream | T x A | LP s | " + " | ".join(ALGORITHMS) + " |")
    print("|---|---|---|---|" + "---|" * len(ALGORITHMS))
    for pub in range(1, 8):
        sample = any((data / f"pub{pub}-sample{ext}").exists() for ext in (".txt.gz", ".txt"))
        if sample:
            inst = read_adx(data, pub)
            label = "sample"
        else:
            inst = adx_types(data, pub).sample(100_000, seed=0)
            label = "iid types"
        opt = offline_optimum(inst)
        cells_given, cells_random = [], []
        for alg in ALGORITHMS:
            cells_given.append(f"{allocate(inst, alg).value / opt.value:.4f}")
            r = [allocate(inst, alg, order="random", seed=s).value / opt.value for s in range(seeds)]
            cells_random.append(f"{np.mean(r):.4f} ({min(r):.3f}..{max(r):.3f})")
        shape = f"{inst.n_arrivals:,} x {inst.n_advertisers}"
        given = " | ".join(cells_given)
        print(f"| pub{pub} | {label}, given | {shape} | {opt.seconds:.1f} | {given} |")
        print(f"| pub{pub} | {label}, random | {shape} | | " + " | ".join(cells_random) + " |")
        sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--arrivals", type=int, default=1_000_000)
    ap.add_argument("--advertisers", type=int, default=100)
    ap.add_argument("--density", type=float, default=0.1)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "adx")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--lp", action="store_true", help="also time GLOP on the synthetic instance")
    args = ap.parse_args()
    print("```\n" + "python " + " ".join(sys.argv) + "\n```")
    if not args.skip_speed:
        speed(args.arrivals, args.advertisers, args.density, args.lp)
    if args.data.is_dir():
        ratios(args.data, args.seeds)


if __name__ == "__main__":
    main()
