"""Benchmark: set cover on the OR-Library instances, submodkit's greedy and Lagrangian
heuristic beside OR-Tools' own set-cover module (greedy, then steepest descent and guided
local search), in the same run.

For each instance (``../shared/data/orlib-scp``) and each method: the cover's cost, the
lower bound it reports (OR-Tools' Python module reports none), the literature optimum, and
the seconds of a cold run (the first of the process: Numba's cache load, OR-Tools' reader)
and a warm one (the same call again), interleaved method by method.

    python scripts/bench_set_cover.py                       # every instance, 10 s for rail
    python scripts/bench_set_cover.py --instances scp41 rail582 --rail-limit 10
    python scripts/bench_set_cover.py --instances --tiled rail582 --copies 18 --dominated --tiled-limit 60 110
    python scripts/bench_set_cover.py --instances --exact rail582 rail507 --exact-limit 60
    python scripts/bench_set_cover.py --instances --exact rail582 scp41 --outliers 0.05 --exact-limit 60
    python scripts/bench_set_cover.py --instances --seeds rail507 --seed-list 0 1 2 --rail-limit 10

``--tiled``: ``instances.tile_set_system`` of an instance (``--copies`` disjoint copies, each
set also with its cost raised by each of ``--dominated``, default 1 and 2; ``--dominated``
alone: no raised copies): a million sets of known optimum; reports the cover, the bound, the
gap to the optimum, the sets left after the reduction and the process's peak memory. ``--exact``: the
exact model (CP-SAT, started from the Lagrangian heuristic) with a time limit. ``--seeds``:
the Lagrangian heuristic once per seed of ``--seed-list`` (``--rail-limit`` seconds each, after
one untimed warm-up call of 0.5 s), its cover, bound and seconds to the best cover. To compare
two commits, run the script once with ``PYTHONPATH`` at each tree (a ``git worktree``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

OPTIMA = {"scp41": 429, "scp51": 253, "scp54": 242, "scpa1": 253, "scpa2": 252, "scpb1": 69, "rail507": 174,
          "rail582": 211}
DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "orlib-scp"


def ours(inst, algorithm: str, limit):
    from submodkit.solvers.cover.set_covering import set_cover

    kwargs = {"lower_bound": None} if algorithm == "greedy" else {"time_limit": limit}
    r = set_cover(inst, algorithm=algorithm, **kwargs)
    return r.value, r.lower_bound


def ortools(path: Path, name: str, iterations: int):
    """OR-Tools' set_cover module: greedy, steepest descent, then guided local search."""
    from ortools.set_cover.python import set_cover as sc

    plain = Path(tempfile.mkdtemp()) / f"{name}.txt"
    with gzip.open(path) as src, open(plain, "wb") as dst:
        shutil.copyfileobj(src, dst)
    model = sc.read_orlib_rail(str(plain)) if name.startswith("rail") else sc.read_orlib_scp(str(plain))
    inv = sc.SetCoverInvariant(model)
    sc.GreedySolutionGenerator(inv).next_solution()
    costs = [float(inv.cost())]
    steepest = sc.SteepestSearch(inv)
    steepest.set_max_iterations(iterations)
    steepest.next_solution()
    costs.append(float(inv.cost()))
    gls = sc.GuidedLocalSearch(inv)
    gls.set_max_iterations(iterations)
    gls.next_solution()
    costs.append(float(inv.cost()))
    return min(costs), None  # the best of the three stages (guided local search may end above it)


def tiled(args) -> None:
    import resource

    from submodkit.instances import read_instance, tile_set_system
    from submodkit.solvers.cover.set_covering import set_cover

    big = tile_set_system(read_instance(DATA / f"{args.tiled}.txt.gz"), args.copies, tuple(args.dominated))
    optimum = args.copies * OPTIMA[args.tiled]
    for limit in args.tiled_limit:
        t = time.perf_counter()
        r = set_cover(big, algorithm="lagrangian", time_limit=limit)
        print(json.dumps({"instance": big.name, "sets": big.n_sets, "elements": big.n_elements,
                          "nnz": big.nnz, "time_limit": limit, "seconds": round(time.perf_counter() - t, 2),
                          "cost": r.value,
                          "bound": r.lower_bound, "optimum": optimum, "gap_to_bound": round(r.gap, 4),
                          "over_optimum": round(r.value / optimum - 1, 4), "core_size": r.stats["core_size"],
                          "sets_after_reduction": big.n_sets - sum(r.stats["reduction"][key] for key in (
                              "sets_contained", "sets_costlier_than_cheapest", "sets_fixed")),
                          "seconds_to_best": round(r.stats["seconds_to_best"], 2),
                          "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}),
              flush=True)


def seeds(name: str, seed_list: list[int], limit: float) -> None:
    import submodkit
    from submodkit.instances import read_instance
    from submodkit.solvers.cover.set_covering import set_cover

    inst = read_instance(DATA / f"{name}.txt.gz")
    set_cover(inst, algorithm="lagrangian", time_limit=0.5)  # loads the kernels
    for seed in seed_list:
        t = time.perf_counter()
        r = set_cover(inst, algorithm="lagrangian", time_limit=limit, seed=seed)
        print(json.dumps({"instance": name, "tree": str(Path(submodkit.__file__).parents[1]), "seed": seed,
                          "cost": r.value, "bound": r.lower_bound, "optimum": OPTIMA[name],
                          "seconds_to_best": round(r.stats["seconds_to_best"], 2),
                          "seconds": round(time.perf_counter() - t, 2)}), flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--instances", nargs="*", default=list(OPTIMA))
    p.add_argument("--rail-limit", type=float, default=10.0, help="seconds for the Lagrangian run on rail")
    p.add_argument("--ortools-iterations", type=int, default=10_000)
    p.add_argument("--tiled", default=None, help="an instance to tile into a large one")
    p.add_argument("--copies", type=int, default=7)
    p.add_argument("--dominated", type=float, nargs="*", default=[1.0, 2.0],
                   help="cost increments of the extra copies of each set (none: no extra copies)")
    p.add_argument("--tiled-limit", type=float, nargs="*", default=[60.0, 110.0])
    p.add_argument("--exact", nargs="*", default=[], help="instances to solve exactly")
    p.add_argument("--exact-limit", type=float, default=60.0)
    p.add_argument("--outliers", type=float, default=0.0, help="--exact: the fraction left uncovered")
    p.add_argument("--seeds", nargs="*", default=[], help="instances for the Lagrangian heuristic per seed")
    p.add_argument("--seed-list", type=int, nargs="*", default=list(range(10)))
    args = p.parse_args()
    for name in args.seeds:
        seeds(name, args.seed_list, args.rail_limit)
    if args.tiled:
        tiled(args)
    for name in args.exact:
        from submodkit.instances import read_instance
        from submodkit.solvers.cover.set_covering import set_cover

        t = time.perf_counter()
        r = set_cover(read_instance(DATA / f"{name}.txt.gz"), algorithm="exact", time_limit=args.exact_limit,
                      outliers=args.outliers)
        print(json.dumps({"instance": name, "method": "exact (CP-SAT from the Lagrangian cover)",
                          "outliers": args.outliers,
                          "cost": r.value, "bound": r.lower_bound, "status": r.status,
                          "optimum": OPTIMA[name] if not args.outliers else None,
                          "seconds": round(time.perf_counter() - t, 2)}), flush=True)
    from submodkit.instances import read_instance

    for name in args.instances:
        path = DATA / f"{name}.txt.gz"
        inst = read_instance(path)
        limit = args.rail_limit if name.startswith("rail") else None
        methods = {
            "submodkit greedy": lambda inst=inst: ours(inst, "greedy", None),
            "submodkit lagrangian": lambda inst=inst, limit=limit: ours(inst, "lagrangian", limit),
            "ortools greedy+steepest+gls": lambda path=path, name=name: ortools(path, name,
                                                                                 args.ortools_iterations),
        }
        for label, run in methods.items():
            times = []
            for _ in range(2):  # cold, warm
                t = time.perf_counter()
                value, bound = run()
                times.append(round(time.perf_counter() - t, 3))
            print(json.dumps({"instance": name, "method": label, "cost": value, "bound": bound,
                              "optimum": OPTIMA[name], "cold_s": times[0], "warm_s": times[1]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
