"""Benchmark: diversity maximization (GMM, max-sum greedy, GIST) against references.

- GMM (max-min, k=100) on 1,000,000 x 64 float32 points vs a numpy farthest-point loop
  (one vectorized distance pass per step; the same selection);
- max-sum greedy (k=100) on 100,000 x 64 points vs the same greedy in numpy;
- GIST vs the ``gist-select`` package on its README workload (10,000 x 64, k=50, linear
  utility, lam=1, eps=0.05), with both objective values.

``warm`` is in-process with compiled kernels; ``cold`` is a new process (Numba cache
populated): import + first call.

    python scripts/bench_diversity.py               # full sizes (about 1 GB of memory)
    python scripts/bench_diversity.py --scale 0.1   # a quick run
    python scripts/bench_diversity.py --quality     # solution quality tables only (no speed)
    python scripts/bench_diversity.py --exact       # exact max-sum / sum-min: B&B vs the MIP models
    python scripts/bench_diversity.py --remote-cycle   # remote-cycle (tour weight) tables only

``--quality`` prints three tables on scikit-learn's bundled data (no downloads):

- randomized composable core-sets for max-sum (Epasto, Mirrokni, Zadimoghaddam, SPAA 2019):
  size-k local-search core-sets of a random partition into m parts, versus centralized local
  search, versus the exact optimum on 60-point samples, and versus the upper bound
  ``OPT <= 1/2 * (sum of the k largest b_i)``, ``b_i`` = sum of point i's k-1 largest distances;
- sum-min diversity: the LP rounding of Bhaskara et al. (NeurIPS 2016) versus the GMM
  heuristic, the LP bound (2 * LP) and brute force on 18-point samples;
- distributed feature selection (Zadeh et al., AAAI 2017) on the thread engine versus
  centralized greedy and brute force of the same objective.

``--gmm-floor`` prints GMM (max-min, k = 100) on 300,000 x 64 points, isotropic Gaussian and
clustered (50 Gaussian clusters), float64 and float32, against two numpy loops in the same run,
interleaved (submodkit, norm-form numpy, difference-form numpy; ``--repeat`` rounds, medians of
the per-round ratios), and against the memory floor: k passes over the points, one pass timed
as the fastest of BLAS ``X @ v`` and a Numba blocked sum in the same run.

``--remote-cycle`` prints: GMM + exact tour on 100,000 x 64 points (k = 10, 50) against a numpy
GMM loop and an OR-Tools routing tour (a heuristic: its value is >= the exact tour), with the
certified ratio ``value / (value + 2kR)`` (R: GMM's covering radius); Held-Karp versus the
SCIP subtour-cut MIP by tour size; and on 200-point samples GMM and the GMM core-set against
the brute-force optimum (k = 3, 4).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np


def points(n: int, d: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)


def numpy_gmm(X: np.ndarray, k: int, first: int) -> np.ndarray:
    sel = [first]
    mind = np.full(X.shape[0], np.inf)
    for _ in range(k - 1):
        diff = X - X[sel[-1]]
        mind = np.minimum(mind, np.sqrt(np.einsum("ij,ij->i", diff, diff, dtype=np.float64)))
        sel.append(int(np.argmax(mind)))
    return np.array(sel)


def numpy_maxsum(X: np.ndarray, k: int, first: int) -> np.ndarray:
    sel = [first]
    total = np.zeros(X.shape[0])
    taken = np.zeros(X.shape[0], dtype=bool)
    taken[first] = True
    for _ in range(k - 1):
        diff = X - X[sel[-1]]
        total += np.sqrt(np.einsum("ij,ij->i", diff, diff, dtype=np.float64))
        j = int(np.argmax(np.where(taken, -np.inf, total)))
        taken[j] = True
        sel.append(j)
    return np.array(sel)


def numpy_gmm_normform(X: np.ndarray, k: int, first: int) -> np.ndarray:
    """The farthest-point loop as one BLAS matrix-vector product per step, with cached norms:
    ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2 (what a numpy user writes for speed)."""
    nx2 = np.einsum("ij,ij->i", X, X, dtype=np.float64)
    sel = [first]
    mind2 = np.full(X.shape[0], np.inf)
    for _ in range(k - 1):
        c = X[sel[-1]]
        np.minimum(mind2, nx2 - 2.0 * (X @ c) + float(c.astype(np.float64) @ c), out=mind2)
        mind2[sel] = -1.0
        sel.append(int(np.argmax(mind2)))
    return np.array(sel)


def gmm_floor_table(repeat: int, n: int = 300_000, d: int = 64, k: int = 100) -> None:
    """GMM against numpy loops and the memory floor (k passes over the points)."""
    import os
    import statistics

    from numba import njit, prange

    from submodkit.solvers.diversity.dispersion import diversify

    @njit(parallel=True, fastmath=True, cache=False)
    def blocked_sum(X, out):
        nb = (X.shape[0] + 4095) // 4096
        for b in prange(nb):
            s = 0.0
            for u in range(b * 4096, min(X.shape[0], b * 4096 + 4096)):
                for t in range(X.shape[1]):
                    s += np.float64(X[u, t])
            out[b] = s

    print("| data | n x d, dtype | floor: k passes (s) | submodkit warm (s) | / floor | numpy norm-form "
          "loop (s) | numpy difference loop (s) | numpy norm-form / submodkit | numpy difference / "
          "submodkit | cold (s) | same selection |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for kind in ("gaussian", "clustered"):
        for dtype in (np.float64, np.float32):
            rng = np.random.default_rng(0)
            if kind == "gaussian":
                X = rng.standard_normal((n, d))
            else:
                centers = rng.standard_normal((50, d)) * 10
                X = centers[rng.integers(50, size=n)] + rng.standard_normal((n, d))
            X = np.ascontiguousarray(X.astype(dtype))
            v = np.ones(d, dtype=dtype)
            out = np.empty((n + 4095) // 4096)
            blocked_sum(X, out)
            diversify(X[:2000], 5)
            passes = []
            for _ in range(max(5, repeat)):
                passes.append(min(timed(np.matmul, X, v)[0], timed(blocked_sum, X, out)[0]))
            floor = k * min(passes)
            ours, norm, diff = [], [], []
            for _ in range(repeat):  # interleaved: A, B, C, A, B, C, ...
                t, sol = timed(diversify, X, k)
                ours.append(t)
                first = int(sol.selection[0])
                t, ref_norm = timed(numpy_gmm_normform, X, k, first)
                norm.append(t)
                t, ref = timed(numpy_gmm, X, k, first)
                diff.append(t)
            same = np.array_equal(ref, sol.selection)
            med = statistics.median
            name = f"{n:,} x {d}, {np.dtype(dtype).name}"
            code = "import time, numpy as np; rng = np.random.default_rng(0); "
            code += (f"X = rng.standard_normal(({n}, {d}))" if kind == "gaussian" else
                     f"c = rng.standard_normal((50, {d})) * 10; "
                     f"X = c[rng.integers(50, size={n})] + rng.standard_normal(({n}, {d}))")
            code += (f"; X = X.astype(np.{np.dtype(dtype).name}); t = time.perf_counter();"
                     "from submodkit.solvers.diversity.dispersion import diversify;"
                     f"diversify(X, {k}); print(time.perf_counter() - t)")
            cold_t = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                          check=True).stdout.split()[-1])
            r_norm = med([b / a for a, b in zip(ours, norm, strict=True)])
            r_diff = med([c / a for a, c in zip(ours, diff, strict=True)])
            print(f"| {kind} | {name} | {floor:.3f} | {med(ours):.3f} | {med(ours) / floor:.2f} | "
                  f"{med(norm):.3f} | {med(diff):.3f} | {r_norm:.2f} | {r_diff:.2f} | {cold_t:.3f} | "
                  f"{same} |")
    print(f"\nload average {os.getloadavg()[0]:.2f}; repeat {repeat}; k = {k}")


def timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - t, out


def cold(case: str, n: int) -> float:
    code = (
        "import time, numpy as np, sys; sys.path.insert(0, 'scripts');"
        "from bench_diversity import points, gist_inputs;"
        f"n = {n}; case = {case!r};"
        "X = points(n, 64) if case != 'gist' else gist_inputs(n)[0];"
        "t = time.perf_counter();"
        "from submodkit.solvers.diversity.dispersion import diversify;"
        "kw = {'quality': gist_inputs(n)[1]} if case == 'gist' else {};"
        "k = {'gmm': 100, 'maxsum': 100, 'gist': 50, 'cycle': 50}[case];"
        "obj = {'maxsum': 'max-sum', 'cycle': 'remote-cycle'}.get(case, 'max-min');"
        "diversify(X, k, obj, **kw);"
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def gist_inputs(n: int):
    rng = np.random.default_rng(42)
    pts = rng.standard_normal((n, 64)).astype(np.float32)
    weights = rng.random(n)
    return pts, weights


def maxsum_upper_bound(X: np.ndarray, k: int) -> float:
    """OPT <= 1/2 * sum of the k largest b_i, b_i = sum of point i's k-1 largest distances."""
    from submodkit.solvers.diversity.dispersion import Points

    D = Points(X).block(np.arange(X.shape[0]))
    b = (-np.partition(-D, k - 1, axis=1)[:, : k - 1]).sum(axis=1)
    return 0.5 * float(np.sort(b)[-k:].sum())


def _datasets():
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits

    out = {}
    for name, loader in (("digits", load_digits), ("breast_cancer", load_breast_cancer),
                         ("diabetes", load_diabetes)):
        X = loader().data.astype(np.float64)
        sd = X.std(axis=0)
        out[name] = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    return out


def quality_tables() -> None:
    from sklearn.datasets import load_breast_cancer, load_digits

    from submodkit.coresets.diversity import diversity_coreset
    from submodkit.coresets.feature_selection import (
        combined_metric,
        mutual_information_distances,
        select_features,
    )
    from submodkit.solvers.diversity.dispersion import diversify
    from submodkit.solvers.diversity.exact import brute_force_diversity, exact_max_sum_diversity

    data = _datasets()
    print("### Randomized composable core-sets, max-sum (random partition, size-k local-search core-sets)\n")
    print("| data | n x d | k | parts | core-set / centralized LS | core-set / upper bound | "
          "60-pt sample: core-set / exact OPT | core-set (s) | centralized LS (s) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, X in data.items():
        for k in (10, 50):
            m = 8
            t_full, full = timed(diversify, X, k, "max-sum", algorithm="local-search")
            vals, t_core = [], 0.0
            for seed in range(5):
                t, sol = timed(diversity_coreset, X, k, "max-sum", n_parts=m, algorithm="local-search",
                               seed=seed)
                vals.append(sol.value)
                t_core += t / 5
            ub = maxsum_upper_bound(X, k)
            if k == 10:
                rng = np.random.default_rng(0)
                ratios = []
                for _rep in range(3):
                    S = X[rng.choice(len(X), 60, replace=False)]
                    opt = exact_max_sum_diversity(S, 6, time_limit=60).value
                    ratios.append(min(diversity_coreset(S, 6, "max-sum", n_parts=4, seed=s).value / opt
                                      for s in range(3)))
                sample = f"min {min(ratios):.3f} (k=6, 4 parts, 3 samples x 3 seeds)"
            else:
                sample = "-"
            print(f"| {name} | {X.shape[0]} x {X.shape[1]} | {k} | {m} | min {min(vals) / full.value:.3f}, "
                  f"mean {np.mean(vals) / full.value:.3f} | min {min(vals) / ub:.3f} | {sample} | "
                  f"{t_core:.3f} | {t_full:.3f} |")

    print("\n### Sum-min diversity: LP rounding (Bhaskara et al. 2016) vs the GMM heuristic\n")
    print("| data | n | k | LP rounding | GMM | LP / GMM | LP rounding / (2 LP) | "
          "18-pt samples: LP / OPT, GMM / OPT (min) | LP rounding (s) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, X in data.items():
        for n, k in ((200, 10), (600, 20)):
            S = X[np.random.default_rng(1).choice(len(X), min(n, len(X)), replace=False)]
            t, lp = timed(diversify, S, k, "sum-min")
            gm = diversify(S, k, "sum-min", algorithm="gmm")
            rl, rg = [], []
            for rep in range(3):
                T = X[np.random.default_rng(10 + rep).choice(len(X), 18, replace=False)]
                opt = brute_force_diversity(T, 5, "sum-min").value
                rl.append(diversify(T, 5, "sum-min").value / opt)
                rg.append(diversify(T, 5, "sum-min", algorithm="gmm").value / opt)
            print(f"| {name} | {len(S)} | {k} | {lp.value:.2f} | {gm.value:.2f} | "
                  f"{lp.value / gm.value:.3f} | "
                  f"{lp.value / lp.upper_bound:.3f} | {min(rl):.3f}, {min(rg):.3f} | {t:.3f} |")

    print("\n### Distributed feature selection (MI metric, lam=0.5, thread engine, 4 parts)\n")
    print("| data | features | k | distributed / centralized greedy | distributed / brute-force OPT | "
          "distributed (s) | centralized (s) |")
    print("|---|---|---|---|---|---|---|")
    cases = (("digits", load_digits, (5, 10, 20)), ("breast_cancer", load_breast_cancer, (4, 8)))
    for name, loader, ks in cases:
        d = loader()
        for k in ks:
            vals, td = [], 0.0
            for seed in range(5):
                t, sol = timed(select_features, d.data, d.target, k, parts=4, engine="threads", seed=seed)
                vals.append(sol.value)
                td += t / 5
            tc, cen = timed(select_features, d.data, d.target, k, parts=1)
            opt = "-"
            if name == "breast_cancer" and k == 4:
                D, rel = mutual_information_distances(d.data, d.target)
                Dp = combined_metric(D, rel, k, 0.5)
                o = brute_force_diversity(Dp, k, "max-sum", metric="precomputed").value
                opt = f"min {min(vals) / o:.3f}"
            print(f"| {name} | {d.data.shape[1]} | {k} | min {min(vals) / cen.value:.3f}, "
                  f"mean {np.mean(vals) / cen.value:.3f} | {opt} | {td:.3f} | {tc:.3f} |")


def routing_tour(D: np.ndarray, seconds: float = 2.0) -> float:
    """An OR-Tools routing tour (cheapest arc + guided local search for ``seconds``) on distances
    scaled by 1e6 and rounded; returns its weight in the original distances."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    m = D.shape[0]
    scaled = np.rint(D * 1e6).astype(np.int64)
    mgr = pywrapcp.RoutingIndexManager(m, 1, 0)
    routing = pywrapcp.RoutingModel(mgr)
    cb = routing.RegisterTransitCallback(lambda a, b: int(scaled[mgr.IndexToNode(a), mgr.IndexToNode(b)]))
    routing.SetArcCostEvaluatorOfAllVehicles(cb)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    sol = routing.SolveWithParameters(params)
    order, idx = [], routing.Start(0)
    while not routing.IsEnd(idx):
        order.append(mgr.IndexToNode(idx))
        idx = sol.Value(routing.NextVar(idx))
    return float(sum(D[order[t], order[(t + 1) % m]] for t in range(m)))


def remote_cycle_tables(scale: float) -> None:
    from sklearn.datasets import load_breast_cancer, load_digits

    from submodkit.coresets.diversity import diversity_coreset
    from submodkit.solvers.diversity.dispersion import Points, diversify
    from submodkit.solvers.diversity.remote_cycle import exact_remote_cycle
    from submodkit.solvers.diversity.tsp import held_karp, solve_tour

    n = int(100_000 * scale)
    print("### Remote-cycle: GMM (1/3) + exact tour\n")
    print("| case | submodkit warm (s): GMM + tour | tour (s), method, exact | submodkit cold (s) | "
          "numpy GMM loop (s) | OR-Tools routing tour (2 s GLS) / exact tour | value | "
          "certified ratio value / (value + 2kR) |")
    print("|---|---|---|---|---|---|---|---|")
    X = points(n, 64, seed=2)
    diversify(X[:1000], 10, "remote-cycle")  # compile / load the caches (Held-Karp, then the MIP)
    diversify(X[:1000], 20, "remote-cycle")
    for k in (10, 50):
        warm, sol = timed(diversify, X, k, "remote-cycle")
        ref_t, ref = timed(numpy_gmm, X, k, int(sol.selection[0]))
        same = np.array_equal(ref, sol.selection)
        D = Points(X).block(sol.selection)
        rt = routing_tour(D)
        c_t = cold("cycle", n) if k == 50 else float("nan")
        st = sol.stats
        print(f"| {n:,} x 64 f32, k={k} | {warm:.3f} | {st['tour_seconds']:.3f}, {st['tour_method']}, "
              f"{st['value_exact']} | {c_t:.3f} | {ref_t:.3f} (same selection: {same}) | "
              f"{rt / sol.value:.4f} | {sol.value:.2f} | {sol.value / sol.upper_bound:.3f} |")

    print("\n### Exact tour: Held-Karp vs SCIP with subtour cuts (uniform points in the square, 3 seeds)\n")
    print("| points | Held-Karp (s) | MIP (s) | MIP rounds (max) | same value |")
    print("|---|---|---|---|---|")
    held_karp(np.random.default_rng(0).random((5, 5)))
    solve_tour(Points(np.random.default_rng(0).random((20, 2))).block(np.arange(20)), 60.0, 3)
    for m in (10, 12, 14, 16, 18, 20, 30, 50, 100):
        th, tm, rounds, same = 0.0, 0.0, 0, True
        for seed in range(3):
            D = Points(np.random.default_rng(seed).random((m, 2))).block(np.arange(m))
            t, mip = timed(solve_tour, D, 60.0, 3)
            tm += t / 3
            rounds = max(rounds, mip.iterations)
            if m <= 20:
                t, (hv, _) = timed(held_karp, D)
                th += t / 3
                same &= abs(hv - mip.value) <= 1e-9 * hv
        hk = f"{th:.4f}" if m <= 20 else "-"
        print(f"| {m} | {hk} | {tm:.4f} | {rounds} | {same if m <= 20 else '-'} |")

    print("\n### Remote-cycle on 200-point samples: ratio to the brute-force optimum "
          "(Held-Karp per subset)\n")
    print("| data | k | samples | GMM / OPT (min, mean) | GMM core-set (4 parts) / OPT (min) | "
          "GMM upper bound / OPT (max) | brute force (s, mean) |")
    print("|---|---|---|---|---|---|---|")
    data = {"gaussian-64": points(5000, 64, seed=3).astype(np.float64)}
    for name, loader in (("digits", load_digits), ("breast_cancer", load_breast_cancer)):
        Z = loader().data.astype(np.float64)
        sd = Z.std(axis=0)
        data[name] = (Z - Z.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    for name, Z in data.items():
        for k in (3, 4):
            reps = 3
            gr, cr, ur, tb = [], [], [], 0.0
            for rep in range(reps):
                S = Z[np.random.default_rng(20 + rep).choice(len(Z), 200, replace=False)]
                t, ex = timed(exact_remote_cycle, S, k, max_subsets=10**8)
                tb += t / reps
                sol = diversify(S, k, "remote-cycle")
                gr.append(sol.value / ex.value)
                ur.append(sol.upper_bound / ex.value)
                cr.append(min(diversity_coreset(S, k, "remote-cycle", n_parts=4, seed=s).value / ex.value
                              for s in range(3)))
            print(f"| {name} | {k} | {reps} | {min(gr):.3f}, {np.mean(gr):.3f} | {min(cr):.3f} | "
                  f"{max(ur):.3f} | {tb:.2f} |")


def exact_table(sizes: str, limit: float, old_limit: float, old_max_n: int) -> None:
    """Exact max-sum and sum-min: the branch and bound (default method; for max-sum on the
    uniform points also the Russian-doll variant) against the previous MIP models (SCIP:
    Glover's linearization for max-sum, big-M for sum-min), the MIP run up to ``old_max_n``."""
    from submodkit.solvers.diversity.exact import exact_max_sum_diversity, exact_sum_min_diversity

    data = _datasets()
    solve = {"max-sum": exact_max_sum_diversity, "sum-min": exact_sum_min_diversity}
    exact_max_sum_diversity(np.random.default_rng(0).random((20, 2)), 3)  # load the kernels
    exact_sum_min_diversity(np.random.default_rng(0).random((20, 2)), 3)
    print("| objective | data | n | k | method | seconds | status | value | bound | nodes | "
          f"MIP (SCIP) seconds, limit {old_limit:g} s | MIP value |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for objective in ("max-sum", "sum-min"):
        for item in sizes.split(","):
            n, k = (int(v) for v in item.split(":"))
            for name in ("uniform-3d", "digits", "breast_cancer"):
                if name == "uniform-3d":
                    X = np.random.default_rng(0).random((n, 3))
                else:
                    full = data[name]
                    X = full[np.random.default_rng(0).choice(len(full), n, replace=False)]
                methods = ["branch-and-bound"]
                if objective == "max-sum" and name == "uniform-3d":
                    methods.append("russian-doll")
                old, ov = f"not run (n > {old_max_n})", "-"
                if n <= old_max_n:
                    t_old, o = timed(solve[objective], X, k, time_limit=old_limit, algorithm="mip")
                    old = f"{t_old:.1f}" if o.status == "optimal" else f"> {old_limit:g} ({o.status})"
                    ov = "-" if o.value is None else f"{o.value:.4f}"
                for method in methods:
                    t, e = timed(solve[objective], X, k, time_limit=limit, algorithm=method)
                    nodes = e.stats["parameters"].get("nodes", "-")
                    print(f"| {objective} | {name} | {n} | {k} | {method} | {t:.2f} | {e.status} | "
                          f"{e.value:.4f} | {e.bound:.4f} | {nodes} | {old} | {ov} |", flush=True)


def gap_over_time(limits: list[float]) -> None:
    """The open exact cases (uniform 3-D points): incumbent, bound, gap and node throughput
    of the branch and bound at growing time limits (each limit a fresh run: the search is
    deterministic, so a longer run extends the shorter one)."""
    from submodkit.solvers.diversity.exact import exact_max_sum_diversity, exact_sum_min_diversity

    exact_max_sum_diversity(np.random.default_rng(0).random((20, 2)), 3)  # load the kernels
    exact_sum_min_diversity(np.random.default_rng(0).random((20, 2)), 3)
    cases = [("max-sum", exact_max_sum_diversity, 400, 10, "branch-and-bound"),
             ("max-sum", exact_max_sum_diversity, 400, 10, "russian-doll"),
             ("sum-min", exact_sum_min_diversity, 300, 8, "branch-and-bound"),
             ("sum-min", exact_sum_min_diversity, 400, 10, "branch-and-bound")]
    print("| objective | n | k | method | time limit (s) | seconds | status | value | bound | gap | nodes | "
          "nodes / s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for objective, solve, n, k, method in cases:
        X = np.random.default_rng(0).random((n, 3))
        for limit in limits:
            t, e = timed(solve, X, k, time_limit=limit, algorithm=method)
            nodes = int(e.stats["parameters"].get("nodes", 0))
            gap = (e.bound - e.value) / e.bound if e.bound else 0.0
            print(f"| {objective} | {n} | {k} | {method} | {limit:g} | {t:.1f} | {e.status} | "
                  f"{e.value:.4f} | {e.bound:.4f} | {100 * gap:.1f}% | {nodes:,} | {nodes / t:,.0f} |",
                  flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--quality", action="store_true", help="only the solution-quality tables")
    ap.add_argument("--remote-cycle", action="store_true", help="only the remote-cycle tables")
    ap.add_argument("--exact", action="store_true", help="only the exact max-sum / sum-min table")
    ap.add_argument("--gap-over-time", default="",
                    help="comma-separated time limits: the open exact cases' gap and node throughput")
    ap.add_argument("--gmm-floor", action="store_true", help="only GMM against numpy and the memory floor")
    ap.add_argument("--repeat", type=int, default=7, help="interleaved rounds (--gmm-floor)")
    ap.add_argument("--sizes", default="200:5,300:8,400:10", help="n:k pairs for --exact")
    ap.add_argument("--limit", type=float, default=60.0, help="time limit of the B&B (--exact)")
    ap.add_argument("--old-limit", type=float, default=10.0, help="time limit of the MIP (--exact)")
    ap.add_argument("--old-max-n", type=int, default=200, help="largest n the MIP runs on (--exact)")
    args = ap.parse_args()
    if args.exact:
        print(f"python scripts/bench_diversity.py --exact --sizes {args.sizes} --limit {args.limit:g} "
              f"--old-limit {args.old_limit:g} --old-max-n {args.old_max_n}\n")
        exact_table(args.sizes, args.limit, args.old_limit, args.old_max_n)
        return
    if args.gap_over_time:
        print(f"python scripts/bench_diversity.py --gap-over-time {args.gap_over_time}\n")
        gap_over_time([float(v) for v in args.gap_over_time.split(",")])
        return
    if args.gmm_floor:
        print(f"python scripts/bench_diversity.py --gmm-floor --repeat {args.repeat}\n")
        gmm_floor_table(args.repeat)
        return
    if args.remote_cycle:
        print(f"python scripts/bench_diversity.py --remote-cycle --scale {args.scale}\n")
        remote_cycle_tables(args.scale)
        return
    if args.quality:
        print("python scripts/bench_diversity.py --quality\n")
        quality_tables()
        return
    from submodkit.solvers.diversity.dispersion import diversify

    n_gmm = int(1_000_000 * args.scale)
    n_sum = int(100_000 * args.scale)
    n_gist = max(1000, int(10_000 * args.scale))
    print(f"python scripts/bench_diversity.py --scale {args.scale}\n")
    rows = []

    X = points(n_gmm, 64)
    diversify(X[:1000], 5)  # compile / load the cache
    warm, sol = timed(diversify, X, 100)
    ref_t, ref = timed(numpy_gmm, X, 100, int(sol.selection[0]))
    same = np.array_equal(ref, sol.selection)
    rows.append((f"GMM max-min, {n_gmm:,} x 64 f32, k=100", warm, cold("gmm", n_gmm), "numpy loop",
                 ref_t, f"same selection: {same}; value {sol.value:.4f}"))
    del X

    X = points(n_sum, 64, seed=1)
    diversify(X[:1000], 5, "max-sum")
    warm, sol = timed(diversify, X, 100, "max-sum")
    ref_t, ref = timed(numpy_maxsum, X, 100, int(sol.selection[0]))
    same = np.array_equal(ref, sol.selection)
    rows.append((f"max-sum greedy, {n_sum:,} x 64 f32, k=100", warm, cold("maxsum", n_sum), "numpy loop",
                 ref_t, f"same selection: {same}; value {sol.value:.1f}"))

    pts, w = gist_inputs(n_gist)
    diversify(pts[:500], 5, quality=w[:500])
    warm, sol = timed(diversify, pts, 50, quality=w, lam=1.0, epsilon=0.05)
    try:
        from gist import EuclideanDistance, LinearUtility, gist
    except ImportError:
        rows.append((f"GIST, {n_gist:,} x 64, k=50", warm, cold("gist", n_gist), "gist-select",
                     float("nan"), "gist-select not installed"))
    else:
        ref_t, ref = timed(gist, points=pts, utility=LinearUtility(w), distance=EuclideanDistance(),
                           k=50, lam=1.0, eps=0.05, seed=42)
        rows.append((f"GIST, {n_gist:,} x 64, k=50, linear utility", warm, cold("gist", n_gist),
                     "gist-select 0.1.0", ref_t,
                     f"objective ours {sol.value:.4f} vs theirs {ref.objective_value:.4f}"))

    print("| case | submodkit warm (s) | submodkit cold (s) | reference | reference (s) | "
          "speed-up (warm) | check |")
    print("|---|---|---|---|---|---|---|")
    for name, w_t, c_t, ref_name, r_t, note in rows:
        print(f"| {name} | {w_t:.3f} | {c_t:.3f} | {ref_name} | {r_t:.3f} | {r_t / w_t:.1f}x | {note} |")
    print("\n" + json.dumps({"threads": __import__("numba").get_num_threads()}))


if __name__ == "__main__":
    main()
