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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", nargs="+", type=Path, default=[Path(".")],
                        help="source trees to import submodkit from (PYTHONPATH), interleaved")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the submodkit command line, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    command = [str(Path(a).resolve()) if Path(a).exists() else a for a in command]  # files: absolute
    if not command:
        parser.error("give the command line after --")
    for r in range(args.rounds):
        for tree in args.trees:
            with tempfile.TemporaryDirectory(prefix="numba-cold-") as cache:
                for phase in ("cold", "warm"):
                    res = run_once(tree.resolve(), Path(cache), command)
                    print(json.dumps({"round": r, "tree": str(tree), "run": phase, **res}), flush=True)


if __name__ == "__main__":
    main()
