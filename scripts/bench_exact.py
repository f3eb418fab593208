"""Time the exact backends side by side, to choose ``solver="auto"`` per model.

Runs :func:`submodkit.solvers.cover.exact.exact_set_cover` on OR-Library instances and
:func:`exact_max_cover` / :func:`exact_facility_location` on derived instances with each
backend configuration, one after another (one solve at a time on this machine), and prints a
markdown table (seconds, status, value, bound).

    python scripts/bench_exact.py                      # everything, 60 s limit per solve
    python scripts/bench_exact.py --only scp41 scpa1 --limit 20
    python scripts/bench_exact.py --families cover     # set cover only
    python scripts/bench_exact.py --families maxcover2 # random + SNAP ego-Facebook coverage

Data: ``../shared/data/orlib-scp`` next to the repository (``--data`` to change). Instances
are read with ``submodkit.instances.read_instance`` when it exists, else with the small
parser below.
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from submodkit.solvers.cover import exact_max_cover, exact_set_cover  # noqa: E402
from submodkit.solvers.submodular import exact_facility_location  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "orlib-scp"
SCP = ["scp41", "scp51", "scp54", "scpa1", "scpa2", "scpb1", "rail507", "rail582"]
OPT = {"scp41": 429, "scp51": 253, "scp54": 242, "scpa1": 253, "scpa2": 252, "scpb1": 69,
       "rail507": 174, "rail582": 211}
# (label, solver, threads, params)
CONFIGS = [
    ("cp-sat 1w lin2", "cp-sat", 1, None),
    ("cp-sat 2w default", "cp-sat", 2, None),
    ("cp-sat 2w lin2", "cp-sat", 2, {"linearization_level": 2}),
    ("scip", "scip", 1, None),
    ("highs", "highs", 1, None),
    ("cbc", "cbc", 1, None),
]
# not run by default (--configs "cp-sat 2w max_lp+core" ...): candidates for threads=2
EXTRA_CONFIGS = [
    ("cp-sat 2w max_lp+core", "cp-sat", 2, {"subsolvers": ["max_lp", "core"]}),
    ("cp-sat 2w max_lp+quick_restart", "cp-sat", 2, {"subsolvers": ["max_lp", "quick_restart"]}),
]


def load(name: str, data: Path) -> tuple[sp.csr_matrix, np.ndarray]:
    path = data / f"{name}.txt.gz"
    from submodkit.instances import read_instance

    problem = read_instance(path)
    return sp.csr_matrix(problem.sets), np.asarray(problem.costs, dtype=float)


def run(fn, label, solver, threads, params, limit):
    try:
        r = fn(solver=solver, threads=threads, params=params, time_limit=limit)
    except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not stop
        return f"| {label} | error | {type(exc).__name__}: {exc} | | |"
    v = "-" if r.value is None else f"{r.value:g}"
    b = "-" if r.bound is None else f"{r.bound:g}"
    return f"| {label} | {r.seconds:.2f} | {r.status} | {v} | {b} |"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--only", nargs="*", default=SCP)
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--k", nargs="*", type=int, default=[10, 50], help="max cover k values")
    ap.add_argument("--families", nargs="*", default=["cover", "maxcover", "facility"])
    ap.add_argument("--configs", nargs="*", default=[c[0] for c in CONFIGS])
    args = ap.parse_args(argv)
    configs = [c for c in CONFIGS + EXTRA_CONFIGS if c[0] in args.configs]
    print(f"time limit {args.limit:g} s per solve\n")
    print("| instance / backend | seconds | status | value | bound |\n|---|---|---|---|---|")
    if "cover" in args.families:
        for name in args.only:
            sets, costs = load(name, args.data)
            print(f"| **set cover {name}** {sets.shape[0]}x{sets.shape[1]} "
                  f"(opt {OPT.get(name)}) | | | | |", flush=True)
            for label, solver, threads, params in configs:
                fn = partial(exact_set_cover, sets, costs)
                print(run(fn, label, solver, threads, params, args.limit), flush=True)
    if "maxcover" in args.families:
        rng = np.random.default_rng(0)
        for name in ("scp41", "scpb1"):
            sets, _ = load(name, args.data)
            fw = rng.random(sets.shape[1])
            cases = [(k, None, "unit") for k in args.k] + [(min(args.k), fw, "float")]
            for k, weights, tag in cases:
                print(f"| **max cover {name} k={k} {tag} weights** | | | | |", flush=True)
                for label, solver, threads, params in configs:
                    fn = partial(exact_max_cover, sets, weights, k=k)
                    print(run(fn, label, solver, threads, params, args.limit), flush=True)
    if "maxcover2" in args.families:  # a random sparse and a real (SNAP ego-Facebook) system
        rng = np.random.default_rng(0)
        systems = [("random 300x200 d=0.03", sp.random(300, 200, density=0.03, random_state=rng,
                                                     format="csr"))]
        fb = args.data.parent / "snap" / "facebook_combined.txt.gz"
        if fb.exists():
            e = np.loadtxt(fb, dtype=np.int64)
            nv = int(e.max()) + 1
            adj = sp.csr_matrix((np.ones(2 * len(e)), (np.r_[e[:, 0], e[:, 1]],
                                                      np.r_[e[:, 1], e[:, 0]])), shape=(nv, nv))
            systems.append(("facebook N[v] 4039x4039", (adj + sp.identity(nv)).tocsr()))
        for tag, sets in systems:
            for k in args.k:
                print(f"| **max cover {tag} k={k} unit weights** | | | | |", flush=True)
                for label, solver, threads, params in configs:
                    fn = partial(exact_max_cover, sets, None, k=k)
                    print(run(fn, label, solver, threads, params, args.limit), flush=True)
    if "facility" in args.families:
        rng = np.random.default_rng(1)
        pts = rng.random((150, 2))
        d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
        sim_f = np.maximum(0.0, 0.5 - d)  # sparse-ish float similarity
        sim_i = np.round(100 * sim_f)
        for k in (5, 15):
            for sim, tag in ((sim_i, "integer"), (sim_f, "float")):
                print(f"| **facility location 150x150 k={k} {tag}** | | | | |", flush=True)
                for label, solver, threads, params in configs:
                    fn = partial(exact_facility_location, sim, k)
                    print(run(fn, label, solver, threads, params, args.limit), flush=True)
    print(f"\nfinished {time.strftime('%Y-%m-%d %H:%M')}")


if __name__ == "__main__":
    main()
