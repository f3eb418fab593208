"""The runs of a batch: which (instance, problem, algorithm, k, seed, time limit) to solve, and
one isolated run of ``submodkit solve`` for each, in its own process."""

from __future__ import annotations

import glob
import hashlib
import json
import math
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from submodkit.errors import InvalidParameterError

# the problems a smaller value is better for (every other problem maximizes)
MINIMIZE = frozenset({"set-cover"})

# companions of instance files in the shared data folders: never instances themselves
_NOT_INSTANCES = ("readme", ".out", "-opt.", "-ads.", "-adx.", "-types.", "-sample.", ".md", ".json")


@dataclass(frozen=True)
class Instance:
    """One instance of a batch: a file, a shard folder, or an AdX folder with a publisher."""

    path: str
    name: str
    publisher: str | None = None


@dataclass(frozen=True)
class RunSpec:
    """One run: ``submodkit solve`` on an instance with these options.

    ``run_id`` names the run by everything that changes its answer (the instance's path, the
    problem, algorithm, k, seed, time limit, exact flag and extra arguments): a rerun of the
    same batch skips the ids already in the results table.
    """

    instance: Instance
    problem: str | None
    algorithm: str | None
    k: int | None
    seed: int | None
    time_limit: float | None
    exact: bool
    extra_args: tuple[str, ...] = ()
    kill_after: float | None = None
    run_id: str = field(init=False)

    def __post_init__(self) -> None:
        key = json.dumps([os.path.abspath(self.instance.path), self.instance.publisher, self.problem,
                          self.algorithm, self.k, self.seed, self.time_limit, self.exact,
                          list(self.extra_args)])
        object.__setattr__(self, "run_id", hashlib.sha1(key.encode()).hexdigest()[:16])

    def argv(self) -> list[str]:
        """The command line of this run (``python -m submodkit solve ... --json --quiet``)."""
        argv = [sys.executable, "-m", "submodkit", "solve", self.instance.path, "--json", "--quiet"]
        for flag, value in (("--problem", self.problem), ("--algorithm", self.algorithm), ("--k", self.k),
                            ("--seed", self.seed), ("--time-limit", self.time_limit),
                            ("--publisher", self.instance.publisher)):
            if value is not None:
                argv += [flag, str(value)]
        if self.exact:
            argv.append("--exact")
        return argv + list(self.extra_args)

    def describe(self) -> str:
        parts = [self.instance.name, self.problem or "default problem", self.algorithm or "default algorithm"]
        options = (("k", self.k), ("seed", self.seed), ("t", self.time_limit))
        parts += [f"{key}={value}" for key, value in options if value is not None]
        return " ".join(parts)


def expand_inputs(inputs: list[str], problem: str | None, publishers: list[str] | None = None
                  ) -> list[Instance]:
    """The instances named by files, folders and globs, in the order given (each folder's
    files sorted; a bundled instance's short name, ``scp41``, also names its file): a folder
    with ``manifest.json`` is one shard folder; a folder of AdX files
    (``pubN-adx.txt``) is one instance per publisher (those of ``publishers`` only, when
    given); any other folder gives its instance
    files (companions such as ``README``, ``*.out`` and AdX side files skipped). A glob
    matching nothing, or a path that does not exist, is an error (nothing has run yet)."""
    found: list[Instance] = []
    for item in inputs:
        if "://" in item:
            found.append(Instance(item, item.rstrip("/").rsplit("/", 1)[-1]))
            continue
        paths = sorted(glob.glob(item)) if glob.has_magic(item) else [item]
        if not paths:
            raise InvalidParameterError("INPUT", item, "files, folders or a glob matching at least one file")
        for p in map(Path, paths):
            if not p.exists():
                p = _bundled(p)
            found.extend(_folder(p, problem, publishers) if p.is_dir() else [Instance(str(p), _stem(p))])
    seen, unique = set(), []
    for inst in found:
        key = (os.path.abspath(inst.path), inst.publisher)
        if key not in seen:
            seen.add(key)
            unique.append(inst)
    return unique


def _bundled(path: Path) -> Path:
    """A bundled instance by short name (``scp41``), as ``submodkit solve`` takes it."""
    from submodkit.instances import bundled

    try:
        return bundled(str(path))
    except (KeyError, ValueError, FileNotFoundError):
        raise FileNotFoundError(2, "no such file or folder", str(path)) from None


def _folder(folder: Path, problem: str | None, only: list[str] | None) -> list[Instance]:
    if (folder / "manifest.json").is_file():
        return [Instance(str(folder), folder.name)]
    from submodkit.instances.adx import adx_publishers

    publishers = adx_publishers(folder)
    if publishers and problem in (None, "allocation"):
        if only is not None:
            missing = sorted(set(only) - set(publishers))
            if missing:
                raise InvalidParameterError("--publisher", ",".join(missing), f"publishers of {folder} "
                                            f"({', '.join(publishers)})")
            publishers = [p for p in publishers if p in only]
        return [Instance(str(folder), f"{folder.name}/{pub}", pub) for pub in publishers]
    out = []
    for p in sorted(folder.iterdir()):
        low = p.name.lower()
        if p.name.startswith(".") or any(mark in low for mark in _NOT_INSTANCES):
            continue
        if p.is_dir():
            if (p / "manifest.json").is_file():
                out.append(Instance(str(p), p.name))
            continue
        out.append(Instance(str(p), _stem(p)))
    return out


def _stem(path: Path) -> str:
    """A file's instance name: its name up to the first dot (``scp41.txt.gz`` -> ``scp41``)."""
    return path.name.split(".", 1)[0] or path.name


MAX_SECONDS = 1e9
"""The largest time limit or kill deadline a run takes (about 31 years; a timer's limit is ~9.2e9)."""


def expand_runs(instances: list[Instance], *, problem: str | None, algorithms: list[str | None],
                ks: list[int | None], seeds: list[int | None], time_limits: list[float | None],
                exact: bool, extra_args: tuple[str, ...] = (), kill_after: float | None = None
                ) -> list[RunSpec]:
    """Every combination, instance by instance (so a partial batch has whole instances)."""
    from submodkit._validation import check_real

    if kill_after is not None:
        kill_after = check_real("kill_after", kill_after, minimum=0.0, strict_min=True, maximum=MAX_SECONDS)
    # a run's kill deadline (twice its limit, plus a minute) must fit a timer: finite, > 0, bounded
    time_limits = [None if limit is None else
                   check_real("time_limit", limit, minimum=0.0, strict_min=True, maximum=MAX_SECONDS)
                   for limit in time_limits]
    return [RunSpec(inst, problem, alg, k, seed, limit, exact, extra_args, kill_after)
            for inst in instances for alg in algorithms for k in ks for seed in seeds
            for limit in time_limits]


def kill_deadline(spec: RunSpec) -> float | None:
    """Seconds after which a run is killed: ``kill_after`` if set, else twice the time limit
    plus 60 s (the command keeps its limit; this only stops a run that does not), else none."""
    if spec.kill_after is not None:
        return spec.kill_after
    return None if spec.time_limit is None else 2.0 * spec.time_limit + 60.0


def run_one(spec: RunSpec) -> dict[str, Any]:
    """Run ``submodkit solve`` for ``spec`` in a child process and return its row: the
    answer's fields (value, bounds, exact optimum, ratio, status), the wall-clock seconds, the
    child's peak resident memory, and what went wrong if anything did (``status``
    ``"error"``: the command's one-line message, exit status 2; ``"crashed"``: any other
    failure, a signal included; ``"killed"``: still running after `kill_deadline`). Never
    raises for a failing run: a batch records it and goes on."""
    started = time.time()
    t0 = time.perf_counter()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    try:
        proc = subprocess.Popen(spec.argv(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                start_new_session=True)
    except OSError as err:
        return _row(spec, started, time.perf_counter() - t0, None, status="crashed", error=str(err))
    killed = threading.Event()
    limit = kill_deadline(spec)
    timer = None
    if limit is not None:
        def kill() -> None:
            killed.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass

        timer = threading.Timer(limit, kill)
        timer.daemon = True
        timer.start()
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    readers = [threading.Thread(target=lambda s=s, acc=acc: acc.append(s.read()), daemon=True)
               for s, acc in ((proc.stdout, out_chunks), (proc.stderr, err_chunks))]
    for r in readers:
        r.start()
    peak_mb = None
    try:
        _, wait_status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(wait_status)
        peak_mb = usage.ru_maxrss / (1024.0 * 1024.0 if sys.platform == "darwin" else 1024.0)
    except ChildProcessError:  # reaped elsewhere
        proc.wait()
    for r in readers:
        r.join()
    if timer is not None:
        timer.cancel()
    seconds = time.perf_counter() - t0
    stdout = b"".join(out_chunks).decode(errors="replace").strip()
    stderr = b"".join(err_chunks).decode(errors="replace").strip()
    last_err = stderr.splitlines()[-1] if stderr else ""
    if killed.is_set():
        return _row(spec, started, seconds, peak_mb, status="killed",
                    error=f"still running after {limit:g} s (killed)")
    if proc.returncode != 0:
        status = "error" if proc.returncode == 2 else "crashed"
        why = last_err or f"exit status {proc.returncode}"
        if proc.returncode < 0:
            why = f"killed by signal {-proc.returncode}" + (f": {last_err}" if last_err else "")
        return _row(spec, started, seconds, peak_mb, status=status, error=why)
    try:
        answer = json.loads(stdout.splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        return _row(spec, started, seconds, peak_mb, status="crashed",
                    error=f"no JSON answer on stdout ({stdout[:200]!r})")
    return _row(spec, started, seconds, peak_mb, answer=answer)


def _row(spec: RunSpec, started: float, wall: float, peak_mb: float | None, *, answer: dict | None = None,
         status: str | None = None, error: str | None = None) -> dict[str, Any]:
    from submodkit import __version__

    answer = answer or {}
    exact = answer.get("exact") or {}
    problem = answer.get("problem") or spec.problem
    return {
        "run_id": spec.run_id,
        "instance": spec.instance.name,
        "path": spec.instance.path,
        "problem": problem,
        "algorithm": answer.get("algorithm") or spec.algorithm,
        "algorithm_requested": spec.algorithm,
        "k": spec.k,
        "seed": spec.seed,
        "time_limit": spec.time_limit,
        "exact": spec.exact,
        "parameters": shlex.join(spec.extra_args),
        "status": status or answer.get("status") or "ok",
        "value": _number(answer.get("value")),
        "lower_bound": _number(answer.get("lower_bound")),
        "upper_bound": _number(answer.get("upper_bound")),
        "exact_value": _number(exact.get("value")),
        "exact_bound": _number(exact.get("bound")),
        "exact_status": exact.get("status"),
        "cli_ratio": _number(answer.get("ratio")),
        "seconds": _number(answer.get("seconds")),
        "wall_seconds": round(wall, 4),
        "peak_rss_mb": None if peak_mb is None else round(peak_mb, 1),
        "error": error,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(started)),
        "submodkit_version": __version__,
    }


def _number(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    return float(x) if math.isfinite(x) else None
