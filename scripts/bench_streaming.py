"""Benchmark: streaming (Sieve-Streaming, Sieve-Streaming++) and distributed greedy (RandGreeDi).

Anchor: lazy greedy (``maximize``) on the same instance, in the same run; every row reports
its time and value as ratios to it. Streaming rows report items per second (warm: kernels
compiled), gain evaluations, the most items kept at once and the bytes of the threshold
states. RandGreeDi rows compare the embedded thread engine with a Dask LocalCluster
(2 worker processes, 1 thread each): with the cluster's start-up and shutdown, and on an
already running cluster. The distributed / low-adaptivity table compares RandGreeDi,
bicriteria GreeDi at several (epsilon, rounds) and adaptive threshold sampling at several
epsilon (with and without its OPT bracket) on one instance: value and time as ratios to
lazy greedy, gain evaluations, and rounds (distributed rounds, or adaptive rounds).

    python scripts/bench_streaming.py                # default sizes
    python scripts/bench_streaming.py --scale 0.2    # a quick run
    python scripts/bench_streaming.py --only adaptive # the distributed / low-adaptivity table only
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from submodkit.coresets import adaptive_maximize, bicriteria_greedi, randgreedi
from submodkit.instances import random_set_system
from submodkit.objectives import Coverage
from submodkit.solvers.submodular.greedy import maximize
from submodkit.solvers.submodular.streaming import StreamingMaximizer


def _streaming(scale: float, k: int, batch: int) -> None:
    n_sets, n_el = int(200_000 * scale), int(100_000 * scale)
    f = Coverage.from_set_system(random_set_system(n_sets, n_el, mean_set_size=20, seed=0))
    order = np.random.default_rng(1).permutation(f.n)
    warm = StreamingMaximizer(f, k)  # compile (or load from cache) once
    warm.update(order[:100])
    t = time.perf_counter()
    ref = maximize(f, k, bound=False)
    t_ref = time.perf_counter() - t
    print(f"\nStreaming: random set system, {f.n:,} sets, {f.state_size:,} elements, {f.nnz:,} incidences,"
          f" k={k}, stream in batches of {batch:,};"
          f" anchor lazy greedy {t_ref:.3f} s, value {ref.value:.0f}\n")
    print("| algorithm | epsilon | seconds | items/s | time / lazy greedy | value / lazy greedy "
          "| evaluations | peak items kept | live thresholds | state MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for alg in ("sieve", "sieve++"):
        for eps in (0.1, 0.2):
            sm = StreamingMaximizer(f, k, algorithm=alg, epsilon=eps)
            t = time.perf_counter()
            for start in range(0, f.n, batch):
                sm.update(order[start : start + batch])
            sec = time.perf_counter() - t
            sol = sm.solution()
            st = sol.stats
            print(f"| {alg} | {eps} | {sec:.3f} | {f.n / sec:,.0f} | {sec / t_ref:.2f} "
                  f"| {sol.value / ref.value:.3f} "
                  f"| {st['evaluations']:,} | {st['peak_stored_items']:,} | {st['thresholds']} "
                  f"| {st['state_bytes'] / 2**20:.0f} |")


def _distributed(scale: float, k: int, parts: int) -> None:
    from distributed import Client, LocalCluster

    ss = random_set_system(int(100_000 * scale), int(200_000 * scale), mean_set_size=20, seed=2)
    f = Coverage.from_set_system(ss)
    randgreedi(f, k, n_parts=parts, seed=0)  # warm the kernels in this process
    t = time.perf_counter()
    ref = maximize(f, k, bound=False)
    t_ref = time.perf_counter() - t
    rows = []
    engines = (("threads (embedded)", "threads"), ("dask, LocalCluster started and closed", "dask"))
    for name, engine in engines:
        t = time.perf_counter()
        sol = randgreedi(f, k, n_parts=parts, engine=engine, seed=0)
        rows.append((name, time.perf_counter() - t, sol))
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cl, \
            Client(cl) as client:
        randgreedi(f, k, n_parts=parts, engine=client, seed=1)  # workers import submodkit, load kernels
        t = time.perf_counter()
        sol = randgreedi(f, k, n_parts=parts, engine=client, seed=0)
        rows.append(("dask, running 2-process cluster", time.perf_counter() - t, sol))
    print(f"\nRandGreeDi: random set system, {f.n:,} sets, {f.nnz:,} incidences, k={k}, {parts} parts,"
          " seed 0;"
          f" anchor: lazy greedy in one process, {t_ref:.3f} s, value {ref.value:.0f}\n")
    print("| engine | seconds | time / lazy greedy | value / lazy greedy | same answer as threads |")
    print("|---|---|---|---|---|")
    base = rows[0][2].selection.tolist()
    for name, sec, sol in rows:
        print(f"| {name} | {sec:.3f} | {sec / t_ref:.2f} | {sol.value / ref.value:.4f} "
              f"| {sol.selection.tolist() == base} |")


def _adaptive(scale: float, k: int, parts: int) -> None:
    ss = random_set_system(int(100_000 * scale), int(200_000 * scale), mean_set_size=20, seed=0)
    f = Coverage.from_set_system(ss)
    adaptive_maximize(f, 5, 0.5, seed=0, samples=10)  # compile (or load) the kernels
    bicriteria_greedi(f, 5, n_parts=parts, seed=0)
    t = time.perf_counter()
    ref = maximize(f, k, bound=False)
    t_ref = time.perf_counter() - t
    print(f"\nDistributed and low-adaptivity algorithms: random set system, {f.n:,} sets,"
          f" {f.nnz:,} incidences,"
          f" k={k}, seed 0, threads engine; anchor lazy greedy {t_ref:.3f} s, value {ref.value:.0f},"
          f" {ref.stats['evaluations']:,} evaluations\n")
    print("| algorithm | parameters | items | value / lazy greedy | certified ratio | seconds "
          "| time / lazy greedy | evaluations | rounds |")
    print("|---|---|---|---|---|---|---|---|---|")
    runs = [("randgreedi", f"{parts} parts", lambda: randgreedi(f, k, n_parts=parts, seed=0),
             "2 (distributed)")]
    for eps, rounds in ((0.1, 1), (0.1, 2), (0.05, 3)):
        runs.append(("bicriteria-greedi", f"{parts} parts, eps={eps}, r={rounds}",
                     lambda e=eps, r=rounds: bicriteria_greedi(f, k, n_parts=parts, epsilon=e, rounds=r,
                                                               seed=0),
                     f"{rounds} (distributed)"))
    for eps, pre in ((0.3, True), (0.3, False), (0.2, True), (0.1, True)):
        runs.append(("adaptive-threshold", f"eps={eps}" + ("" if pre else ", no OPT bracket"),
                     lambda e=eps, p=pre: adaptive_maximize(f, k, e, seed=0, preprocess=p), None))
    for name, params, run, rounds in runs:
        t = time.perf_counter()
        sol = run()
        sec = time.perf_counter() - t
        st = sol.stats
        if rounds is None:
            rounds = f"{st['adaptive_rounds']} adaptive ({st['preprocessing_rounds']} bracket)"
            params += f", {st['samples']:,} samples"
        cert = f"{sol.certified_ratio:.3f}" if sol.certified_ratio is not None else "-"
        print(f"| {name} | {params} | {len(sol)} | {sol.value / ref.value:.4f} | {cert} | {sec:.2f} "
              f"| {sec / t_ref:.2f} | {st['evaluations']:,} | {rounds} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--n-parts", type=int, default=4)
    ap.add_argument("--only", choices=("all", "streaming", "randgreedi", "adaptive"), default="all")
    ap.add_argument("--adaptive-k", type=int, default=50)
    args = ap.parse_args()
    print("```\n" + " ".join(["python"] + sys.argv) + "\n```")
    if args.only in ("all", "streaming"):
        _streaming(args.scale, args.k, args.batch)
    if args.only in ("all", "randgreedi"):
        _distributed(args.scale, args.k, args.n_parts)
    if args.only in ("all", "adaptive"):
        _adaptive(args.scale, args.adaptive_k, args.n_parts)


if __name__ == "__main__":
    main()
