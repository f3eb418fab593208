"""Benchmark: continuous greedy with swap rounding against greedy under a matroid.

Two tables, weighted coverage (exact marginals, so the derived ratio is attached):

- small instances (14 sets, 20 elements; partition, graphic and laminar matroids; 5 seeds
  each): both against the brute-force optimum;
- larger ones (partition matroids over random coverage, and the greedy-tight family where
  greedy gets about 1/2): value, certified ratio ``value / upper_bound`` and seconds of each,
  medians over interleaved repetitions.

    python scripts/bench_continuous_greedy.py
    python scripts/bench_continuous_greedy.py --repeat 5 --epsilon 0.1
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from submodkit import Coverage, maximize
from submodkit.constraints import GraphicMatroid, LaminarMatroid, PartitionMatroid
from submodkit.solvers.submodular.brute_force import brute_force_maximize
from submodkit.solvers.submodular.continuous_greedy import _Partition


def random_coverage(n: int, m: int, seed: int, max_size: int = 5) -> Coverage:
    rng = np.random.default_rng(seed)
    sets = [sorted(set(rng.integers(0, m, size=rng.integers(1, max_size + 1)).tolist())) for _ in range(n)]
    return Coverage(sets, weights=rng.integers(1, 10, size=m).astype(float))


def greedy_tight(r: int) -> tuple[Coverage, PartitionMatroid, float]:
    """r groups {a_i, b_i} and r singleton groups {c_i}: a_i covers u_i (1) and v_i (0.01),
    b_i covers w_i (1), c_i covers u_i. Greedy takes every a_i, then gains nothing from the
    c_i: r * 1.01; the optimum takes every b_i and c_i: 2r."""
    sets, weights, groups = [], [], []
    for i in range(r):
        weights += [1.0, 0.01, 1.0]
        sets += [[3 * i, 3 * i + 1], [3 * i + 2]]
        groups += [i, i]
    for i in range(r):
        sets.append([3 * i])
        groups.append(r + i)
    return Coverage(sets, weights=weights), PartitionMatroid(groups, [1] * (2 * r)), 2.0 * r


def brute_force(f: Coverage, matroid) -> float:
    return brute_force_maximize(f, constraint=matroid).value


def small_table(epsilon: float) -> None:
    print("| matroid | instances | greedy / OPT (min, mean) | continuous greedy / OPT (min, mean) | "
          "attached ratio (min) |")
    print("|---|---|---|---|---|")
    rows: dict[str, list] = {"partition": [], "graphic": [], "laminar": []}
    for seed in range(5):
        f = random_coverage(14, 20, seed)
        rng = np.random.default_rng(50 + seed)
        groups = rng.integers(0, 3, size=f.n)
        part = PartitionMatroid(groups, [1, 2, 1])
        graphic = GraphicMatroid(rng.integers(0, 6, size=(f.n, 2)))
        laminar = LaminarMatroid(f.n, [list(range(7)), list(range(f.n)), [0, 1, 2, 3]], [2, 4, 1])
        for name, con, test in (("partition", part, _Partition(part)), ("graphic", graphic, graphic),
                                ("laminar", laminar, laminar)):
            opt = brute_force(f, test)
            g = maximize(f, constraint=con).value / opt
            cg = [maximize(f, constraint=con, algorithm="continuous-greedy", epsilon=epsilon, seed=s)
                  for s in range(5)]
            rows[name].append((g, [c.value / opt for c in cg], min(c.guarantee.ratio for c in cg)))
    for name, data in rows.items():
        gs = [d[0] for d in data]
        cs = [v for d in data for v in d[1]]
        print(f"| {name} | {len(data)} x 5 seeds | {min(gs):.3f}, {np.mean(gs):.3f} | {min(cs):.3f}, "
              f"{np.mean(cs):.3f} | {min(d[2] for d in data):.3f} |")


def large_table(repeat: int, epsilon: float) -> None:
    print("| instance | rank | greedy value | greedy certified ratio | greedy (s) | continuous greedy value "
          "(mean of seeds) | its certified ratio | continuous greedy (s) | attached ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    cases = []
    for n, m, groups in ((500, 2000, 10), (2000, 5000, 25)):
        f = random_coverage(n, m, 7, max_size=20)
        g = np.random.default_rng(8).integers(0, groups, size=n)
        cases.append((f"random coverage {n} sets, {m} elements, partition {groups} x 2", f,
                      PartitionMatroid(g, [2] * groups)))
    for r in (10, 40):
        f, m, _ = greedy_tight(r)
        cases.append((f"greedy-tight, r = {r} (OPT {2 * r})", f, m))
    for name, f, con in cases:
        maximize(f, constraint=con)
        g_times, c_times, c_vals, c_cert = [], [], [], []
        for s in range(repeat):  # interleaved
            t = time.perf_counter()
            g = maximize(f, constraint=con)
            g_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            c = maximize(f, constraint=con, algorithm="continuous-greedy", epsilon=epsilon, seed=s)
            c_times.append(time.perf_counter() - t)
            c_vals.append(c.value)
            c_cert.append(c.value / c.upper_bound)
        print(f"| {name} | {con.rank} | {g.value:.2f} | {g.value / g.upper_bound:.3f} | "
              f"{statistics.median(g_times):.3f} | {np.mean(c_vals):.2f} | {min(c_cert):.3f} | "
              f"{statistics.median(c_times):.3f} | {c.guarantee.ratio:.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--epsilon", type=float, default=0.1)
    args = ap.parse_args()
    print(f"python scripts/bench_continuous_greedy.py --repeat {args.repeat} --epsilon {args.epsilon}\n")
    small_table(args.epsilon)
    print()
    large_table(args.repeat, args.epsilon)


if __name__ == "__main__":
    main()
