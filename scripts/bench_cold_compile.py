"""A command's first run after an install: Numba compiles every kernel it calls into the
per-user cache (the *cold* run); later runs load them (*warm*). This script runs one command
line in fresh processes, each source tree in turn and interleaved, first against an empty
cache directory (``NUMBA_CACHE_DIR``), then against the cache that run filled, and prints
one JSON line per run: whole-process seconds, the command's own ``seconds`` and
``compile_seconds``, and its value and bound.

Usage (compare a commit with the working tree)::

    git worktree add /tmp/old <commit>
    python scripts/bench_cold_compile.py --trees /tmp/old . --rounds 3 -- \\
        solve ../shared/data/orlib-scp/rail582.txt.gz --algorithm lagrangian --time-limit 10

``--call NAME LIMIT`` runs a Python call instead of a command line: an offline optimum of the
allocation room under ``time_limit=LIMIT`` on a generated instance (`CALLS`), timed inside
the process (the call's own seconds; ``wall_s`` includes the exit, which waits for a kernel
still compiling in the background)::

    python scripts/bench_cold_compile.py --trees /tmp/old . --call packing 0.3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_once(tree: Path, cache: Path, command: list[str]) -> dict:
    """One fresh process of ``python -m submodkit <command> --json`` importing ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "NUMBA_CACHE_DIR": str(cache)}
    t0 = time.perf_counter()
    # run inside the tree: ``-m`` puts the working directory first on the import path
    proc = subprocess.run([sys.executable, "-m", "submodkit", *command, "--json"], env=env, cwd=tree,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        return {"wall_s": round(wall, 3), "error": proc.stderr.strip().splitlines()[-1:]}
    out = json.loads(proc.stdout)
    return {"wall_s": round(wall, 3), "seconds": out.get("seconds"),
            "compile_seconds": out.get("compile_seconds"), "value": out.get("value"),
            "lower_bound": out.get("lower_bound"), "status": out.get("status")}


CALLS = {
    "offline": ("from submodkit.instances.allocation import random_allocation_instance as gen\n"
                "from submodkit.solvers.allocation.offline import offline_optimum as optimum",
                "gen(50_000, 100, density=0.05, seed=3)"),
    "packing": ("from submodkit.instances.packing import random_packing_instance as gen\n"
                "from submodkit.solvers.allocation.packing import packing_optimum as optimum",
                "gen(20_000, 50, 5, seed=0)"),
    "pages": ("from submodkit.instances.pages import random_page_instance as gen\n"
              "from submodkit.solvers.allocation.pages import page_optimum as optimum",
              "gen(5_000, 200, seed=0)"),
}
"""``--call`` name -> (imports, the instance): allocation 50,000 x 100 (5% eligible), packing
20,000 arrivals x 50 actions x 5 resources, pages 5,000 x 200 ads."""

_CALL = """{imports}
import json, time
inst = {instance}
start = time.perf_counter()
sol = optimum(inst, time_limit={limit})
print(json.dumps({{"seconds": time.perf_counter() - start, "value": sol.value, "upper_bound": sol.upper_bound,
                  "status": sol.status, "incumbent": sol.stats.get("incumbent")}}))
"""


def run_call(tree: Path, cache: Path, name: str, limit: float) -> dict:
    """One fresh process calling the optimum ``name`` of `CALLS` with ``time_limit=limit``."""
    imports, instance = CALLS[name]
    env = {**os.environ, "PYTHONPATH": str(tree), "NUMBA_CACHE_DIR": str(cache)}
    t0 = time.perf_counter()
    code = _CALL.format(imports=imports, instance=instance, limit=limit)
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=tree, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        return {"wall_s": round(wall, 3), "error": proc.stderr.strip().splitlines()[-1:]}
    out = json.loads(proc.stdout)
    rounded = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in out.items()}
    return {"wall_s": round(wall, 3), **rounded}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", nargs="+", type=Path, default=[Path(".")],
                        help="source trees to import submodkit from (PYTHONPATH), interleaved")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--call", nargs=2, metavar=("NAME", "LIMIT"),
                        help=f"a Python call instead of a command line: NAME in {sorted(CALLS)}")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the submodkit command line, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    command = [str(Path(a).resolve()) if Path(a).exists() else a for a in command]  # files: absolute
    if args.call is not None:
        if args.call[0] not in CALLS:
            parser.error(f"--call: one of {sorted(CALLS)}")
        name, limit = args.call[0], float(args.call[1])
    elif not command:
        parser.error("give the command line after --, or --call")
    for r in range(args.rounds):
        for tree in args.trees:
            with tempfile.TemporaryDirectory(prefix="numba-cold-") as cache:
                for phase in ("cold", "warm"):
                    res = run_call(tree.resolve(), Path(cache), name, limit) if args.call else \
                        run_once(tree.resolve(), Path(cache), command)
                    print(json.dumps({"round": r, "tree": str(tree), "run": phase, **res}), flush=True)


if __name__ == "__main__":
    main()
