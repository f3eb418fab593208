"""The ``submodkit`` command: solve, verify, describe, shard and batch-solve instance files.

``warmup`` compiles every kernel once (for images and CI).

A user error (bad file, bad parameter) prints one line on stderr and exits with status 2.
An unexpected exception (a bug) prints one line asking for a report and exits with status
1; set ``SUBMODKIT_DEBUG=1`` to see its traceback. ``--json`` output is strict JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from submodkit.errors import InstanceFormatError, InvalidParameterError, SubmodkitError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, status 2
        self.exit(2, f"{self.prog}: error: {message}\n")


class _HelpFormatter(argparse.HelpFormatter):
    """``--algorithm``'s help lists every problem's algorithms, read from their tables when
    the help is shown (importing them at start-up would cost every command 0.3 s)."""

    def _get_help_string(self, action):
        if action.dest == "algorithm":
            return _algorithm_help()
        return super()._get_help_string(action)


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """The argument parser, built once (parsing does not change it)."""
    p = _Parser(prog="submodkit", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"submodkit {_version()}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, helptext in (
        ("solve", "solve an instance file with an approximation algorithm (or exactly)"),
        ("verify", "solve an instance approximately and exactly, and compare with the guarantee"),
    ):
        s = sub.add_parser(name, help=helptext, formatter_class=_HelpFormatter)
        s.add_argument(
            "file", nargs="?" if name == "verify" else None,
            help="instance file (or the name of a bundled instance: scp41, rail507)"
            + ("; or a shard folder written by `submodkit shard` (max-cover by randgreedi, greedi, "
               "bicriteria, adaptive, sketch, sieve++ or sieve, each worker reading only its parts)"
               if name == "solve" else ""),
        )
        s.add_argument("--problem", choices=PROBLEMS, help="default: from the file's kind")
        s.add_argument("--format", default="auto", help="file format (default: detect)")
        s.add_argument("--k", type=int, help="number of sets / facilities / points to choose (default 10 "
                       "where the problem needs one)")
        s.add_argument("--algorithm", help="the problem's algorithms (listed by --help)")
        s.add_argument("--epsilon", type=float, default=0.1, help="for stochastic / threshold")
        s.add_argument("--seed", type=int, default=None, help="seed of randomized algorithms")
        s.add_argument("--metric", default="euclidean", help="facility location on points")
        s.add_argument("--n-neighbors", type=int, default=None, help="sparse k-NN similarity")
        s.add_argument("--n-parts", type=int, default=None,
                       help="greedi / randgreedi / bicriteria: number of parts (default 4; a shard "
                       "folder's own)")
        s.add_argument("--engine", default=None, help="greedi / randgreedi / adaptive: threads or dask")
        s.add_argument("--workers", type=int, default=2,
                       help="--engine dask: worker processes of the local cluster")
        s.add_argument("--worker-memory", default=None,
                       help="--engine dask: memory limit per worker, e.g. 2GB (default: Dask's share)")
        s.add_argument("--scheduler", default=None,
                       help="--engine dask: address of a running Dask scheduler (tcp://host:8786) to use "
                       "instead")
        s.add_argument("--rounds", type=int, default=2, help="bicriteria: number of rounds")
        s.add_argument("--max-edges", type=int, default=None, help="sketch: incidences kept")
        s.add_argument(
            "--outliers", type=float, default=0.0,
            help="set cover (greedy, lagrangian, exact, sketch): fraction of the elements left uncovered"
        )
        s.add_argument("--publisher", help="allocation: AdX publisher in the directory FILE (pub1..pub7)")
        s.add_argument("--order", default="given", help="allocation: arrival order given, random or iid")
        s.add_argument(
            "--mirror", default="gradient", help="allocation dual-mirror-descent: gradient or multiplicative"
        )
        s.add_argument("--eta", type=float, default=None, help="allocation dual-mirror-descent: step size")
        s.add_argument("--alpha", type=float, default=1.0,
                       help="fair-allocation: the fairness exponent (1: proportional fairness)")
        s.add_argument("--resolve-every", type=int, default=None,
                       help="fair-allocation online: re-solve every this many arrivals (default: doubling)")
        s.add_argument("--hedge", type=float, default=0.5,
                       help="allocation hedged: the share of each capacity that follows the forecast's plan "
                            "(the forecast: impressions drawn from the publisher's types)")
        s.add_argument("--tradeoff", type=float, default=0.5,
                       help="allocation bicriteria / bi-objective-welfare: the probability that an arrival "
                            "follows the first objective's (the weight's) rule")
        s.add_argument(
            "--lp-solver", default=None, help="allocation: offline optimum by glop, pdlp or flow"
        )
        s.add_argument("--element-value", type=float, default=1.0,
                       help="procurement: the buyer's value of each covered element (times its weight)")
        s.add_argument("--time-limit", type=float, default=None,
                       help="seconds for the whole command, from its start (imports, reading, "
                            "approximation, exact solve)")
        s.add_argument("--solver", default="auto", help="exact backend: auto, cp-sat, scip, highs")
        s.add_argument("--json", action="store_true", help="print one JSON object")
        s.add_argument("--quiet", action="store_true", help="no progress output")
        if name == "solve":
            s.add_argument("--exact", action="store_true", help="also solve exactly (OR-Tools)")
        else:
            s.add_argument("--suite", help="run the verification suite: quick, full or a family name")
            s.add_argument("--report", help="--suite: write report.md, runs.json and plots here")
            s.add_argument("--backends", default="ortools", help="--suite: ortools or ortools,pyomo")
            s.add_argument("--seeds", type=_seed_count, default=None,
                           help=f"--suite: number of seeds (1 to {MAX_SEEDS})")
    h = sub.add_parser("shard", help="split an instance file into shard folders for distributed solving")
    h.add_argument("file", help="instance file: set system (OR-Library, FIMI, native), edge list (SNAP, "
                   "DIMACS) or points (.npy, .csv)")
    h.add_argument("--n-parts", type=int, required=True, help="number of parts")
    h.add_argument("--out", required=True, help="the folder to write (must not exist, unless --overwrite)")
    h.add_argument("--seed", type=int, default=None, help="seed of the random partition (default: fresh, "
                   "recorded in the manifest)")
    h.add_argument("--rule", default="random", help="random (by seed; what randgreedi assumes) or contiguous")
    h.add_argument("--problem", default=None, help="max-cover: shard a graph by vertex (closed "
                   "neighbourhoods) instead of by edge")
    h.add_argument("--format", default="auto", help="file format (default: detect)")
    h.add_argument("--overwrite", action="store_true", help="replace an existing shard folder")
    h.add_argument("--json", action="store_true", help="print one JSON object")
    b = sub.add_parser("batch", help="solve folders of instance files with several algorithms, k values, "
                       "seeds and time limits: a resumable results table and a report")
    b.add_argument("inputs", nargs="*", help="instance files, folders or globs (a shard folder is one "
                   "instance; an AdX folder one per publisher); none: only --report from --out")
    b.add_argument("--problem", choices=PROBLEMS, help="default: each file's own")
    b.add_argument("--algorithm", help="comma-separated algorithms (default: the problem's default)")
    b.add_argument("--k", help="comma-separated values of k")
    b.add_argument("--seeds", help=f"N (seeds 0..N-1, N at most {MAX_SEEDS}) or a comma-separated list "
                   "of seeds")
    b.add_argument("--time-limit", help="seconds per run; comma-separated for several (value against time)")
    b.add_argument("--exact", action="store_true", help="also solve each run exactly (the reference optimum)")
    b.add_argument("--optima", help="known optima: a file of 'name value' lines")
    b.add_argument("--publisher", help="AdX folders: comma-separated publishers (default: all)")
    b.add_argument("--out", required=True, help="the results table (.csv, or .parquet with pyarrow); a rerun "
                   "skips the runs already in it")
    b.add_argument("--report", help="write report.md and the plots (performance profiles) here")
    b.add_argument("--jobs", type=int, default=1, help="runs at the same time (default 1: timings stay "
                   "trustworthy)")
    b.add_argument("--engine", default=None, help="dask: run on a Dask cluster (workers must see the files)")
    b.add_argument("--workers", type=int, default=2, help="--engine dask: local worker processes")
    b.add_argument("--worker-memory", default=None, help="--engine dask: memory limit per worker")
    b.add_argument("--scheduler", default=None, help="--engine dask: a running scheduler's address")
    b.add_argument("--kill-after", type=float, default=None,
                   help="seconds after which a run is killed (default: twice its time limit plus 60 s)")
    b.add_argument("--solve-args", default="", help="more options for every run, e.g. \"--epsilon 0.05\"")
    b.add_argument("--json", action="store_true", help="print one JSON object")
    b.add_argument("--quiet", action="store_true", help="no progress output")
    w = sub.add_parser("warmup", help="compile every kernel into the per-user cache (for images and CI)")
    w.add_argument("--json", action="store_true", help="print one JSON object")
    w.add_argument("--quiet", action="store_true", help="no progress bar")
    i = sub.add_parser("info", help="describe an instance file")
    i.add_argument("file")
    i.add_argument("--format", default="auto")
    i.add_argument("--json", action="store_true")
    return p


def _version() -> str:
    from submodkit import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()  # --time-limit counts from here: imports and reading included
    args = _parser().parse_args(argv)
    args.started = started
    from submodkit.warmup import CompileClock

    def first_compile() -> None:  # once per command, when a kernel is not in the cache yet
        quiet = getattr(args, "quiet", False) or getattr(args, "json", False)
        if not quiet and args.command != "warmup" and sys.stderr.isatty():
            print("submodkit: compiling kernels (first run only; `submodkit warmup` compiles them all)...",
                  file=sys.stderr, flush=True)

    # commands that run no kernel in this process do not import numba for the clock (0.18 s)
    clock = CompileClock(first_compile) if args.command in _COMPILING else contextlib.nullcontext()
    with clock as args.compile_clock, _Heartbeat(args):
        return _main(args)


_COMPILING = ("solve", "verify", "shard", "warmup")


def _main(args) -> int:
    try:
        if args.command == "info":
            return _info(args)
        if args.command == "shard":
            return _shard(args)
        if args.command == "batch":
            return _batch(args)
        if args.command == "warmup":
            return _warmup(args)
        if args.command == "verify" and args.suite is not None:
            return _suite(args)
        if args.file is None:
            raise InvalidParameterError("FILE", None, "an instance file, or --suite NAME")
        return _solve(args, exact=args.command == "verify" or args.exact)
    except BrokenPipeError:  # the reader left (``| head``): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except (SubmodkitError, OSError) as err:
        print(f"submodkit: error: {_one_line(_error_message(err, getattr(args, 'file', None)))}",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("submodkit: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: one line, the traceback on request
        if os.environ.get("SUBMODKIT_DEBUG") == "1":
            import traceback

            traceback.print_exc()
        print(f"submodkit: internal error: {type(err).__name__}: {_one_line(str(err))} (please report "
              "this with the command; SUBMODKIT_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 1


def _error_message(err: BaseException, file: str | None = None) -> str:
    """A user error as one message naming its file: OS errors name theirs, reader errors carry
    file and line, and any other error about a run on an instance file is prefixed with it."""
    if isinstance(err, OSError) and err.filename is not None:
        return f"{err.filename}: {err.strerror or 'no such file'}"
    message = str(err).replace("pass format= explicitly", "pass --format")  # the Python name -> the flag
    if file is not None and not isinstance(err, (OSError, InstanceFormatError)) and str(file) not in message:
        return f"{file}: {message}"
    return message


def _one_line(text: str, limit: int = 500) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _dumps(out: dict) -> str:
    """Strict JSON: non-finite numbers become null (``allow_nan=False`` proves none is left)."""
    from submodkit.results import json_safe

    return json.dumps(json_safe(out), allow_nan=False)


def _ratio_fields(ratio, undefined: str) -> dict:
    """``{"ratio": r}``, or ``{"ratio": None, "ratio_note": why}`` when r is not a finite number."""

    if ratio is None:
        return {"ratio": None}
    if not math.isfinite(ratio):
        return {"ratio": None, "ratio_note": undefined}
    return {"ratio": ratio}


def _suite(args) -> int:
    """The verification suite: exit status 1 when a measured ratio falls below its guarantee."""
    import shlex

    from submodkit.verification import run_suite

    backends = tuple(b.strip() for b in args.backends.split(",") if b.strip())
    if args.report:
        _check_plots(args.report)
    argv = ["verify", "--suite", args.suite, "--backends", ",".join(backends)]
    if args.report:
        argv += ["--report", args.report]
    report = run_suite(
        args.suite,
        seeds=None if args.seeds is None else range(args.seeds),
        backends=backends,
        progress=not args.quiet and not args.json and sys.stderr.isatty(),
        command="submodkit " + shlex.join(argv),
    )
    if args.json:
        print(_dumps({"suite": args.suite, "ok": report.ok, "runs": len(report.runs),
                          "failures": len(report.failures), "errors": len(report.errors),
                          "tight_failures": len(report.tight_failures)}))
    else:
        print(report)
    if args.report:
        report.write(args.report)
    return 0 if report.ok else 1


def _warmup(args) -> int:
    """``submodkit warmup``: every family on tiny instances, so every kernel is compiled."""
    from submodkit.warmup import warmup

    out = warmup(progress=not args.quiet and not args.json)
    if args.json:
        print(_dumps(out))
    else:
        print(f"warmup: {out['compiled']} kernels compiled in {out['compile_seconds']:.1f} s "
              f"({out['seconds']:.1f} s in all; cache {out['cache']})")
    return 0


_OWN_FLAGS = ("--json", "--quiet", "--problem", "--algorithm", "--k", "--seed", "--time-limit", "--exact",
              "--publisher")


def _batch(args) -> int:
    """``submodkit batch``: expand the inputs into runs, run those not yet in ``--out`` (each in
    its own process), then write ``--report``. Exit 0 when the batch ran, whatever its runs
    did (failed runs are rows with their status)."""
    import shlex

    from submodkit.batch import expand_inputs, expand_runs, read_optima, run_batch, write_report
    from submodkit.batch.store import ResultTable

    try:
        extra = tuple(shlex.split(args.solve_args))
    except ValueError as err:  # an unmatched quote
        raise InvalidParameterError("--solve-args", args.solve_args,
                                    f"shell-quoted options ({err})") from None
    for flag in extra:
        if flag.split("=", 1)[0] in _OWN_FLAGS:
            raise InvalidParameterError("--solve-args", args.solve_args, f"options other than {flag} (batch "
                                        "sets it)")
    if args.jobs < 1:
        raise InvalidParameterError("--jobs", args.jobs, "an integer >= 1")
    if args.kill_after is not None and not args.kill_after > 0:
        raise InvalidParameterError("--kill-after", args.kill_after, "seconds > 0")
    optima = read_optima(args.optima) if args.optima else None
    if args.report:
        _check_plots(args.report)
    if not args.inputs:
        if not args.report:
            raise InvalidParameterError("INPUT", None, "instance files, folders or globs (or --report to "
                                        "report on --out alone)")
        rows = ResultTable(args.out).rows
        if not rows:
            raise InvalidParameterError("--out", args.out, "a results table with rows to report on")
        outcome = None
    else:
        specs = expand_runs(
            expand_inputs(args.inputs, args.problem, _list(args.publisher, str, "--publisher")
                          if args.publisher else None), problem=args.problem,
            algorithms=_list(args.algorithm, str, "--algorithm"), ks=_list(args.k, int, "--k"),
            seeds=_seeds(args.seeds), time_limits=_list(args.time_limit, float, "--time-limit"),
            exact=args.exact, extra_args=extra, kill_after=args.kill_after,
        )
        progress = False if args.quiet or args.json else None
        with _engine(args):
            outcome = run_batch(specs, args.out, jobs=args.jobs, client=args.client, optima=optima,
                                progress=progress)
        rows = outcome.rows
    report = write_report(rows, args.report, "submodkit " + shlex.join(sys.argv[1:])) if args.report else None
    if args.json:
        from submodkit.batch.report import summary

        print(_dumps({"ran": None if outcome is None else outcome.ran,
                      "skipped": None if outcome is None else outcome.skipped,
                      "failed": None if outcome is None else outcome.failed, "rows": len(rows),
                      "out": str(args.out), "report": None if report is None else str(report),
                      "summary": summary(rows)}))
    else:
        if outcome is not None:
            print(f"batch: {outcome}; table {args.out} ({len(rows)} rows)")
        if report is not None:
            print(f"batch: report {report}")
    return 0


def _list(text: str | None, kind, flag: str) -> list:
    """``"a,b"`` -> ``[kind(a), kind(b)]``; None -> ``[None]`` (the command's default)."""
    if text is None:
        return [None]
    try:
        items = [kind(t.strip()) for t in text.split(",") if t.strip()]
    except ValueError:
        raise InvalidParameterError(flag, text, f"comma-separated {kind.__name__} values") from None
    if not items:
        raise InvalidParameterError(flag, text, "at least one value")
    return items


MAX_SEEDS = 100_000
"""The largest count ``--seeds N`` accepts (``batch``, ``verify --suite``): N seeds are N runs
per instance and setting, each at least a process start; a larger N is a typo, and one of
10^10 or more would not even fit in memory as a list."""


def _seeds(text: str | None) -> list:
    """``--seeds N`` is seeds 0..N-1 (as ``verify --suite``; N at most :data:`MAX_SEEDS`);
    ``--seeds 3,7`` those seeds."""
    if text is None:
        return [None]
    if "," not in text:
        n = _list(text, int, "--seeds")[0]
        if not 1 <= n <= MAX_SEEDS:
            raise InvalidParameterError("--seeds", text,
                                        f"a count from 1 to {MAX_SEEDS} or a comma-separated list")
        return list(range(n))
    return _list(text, int, "--seeds")


def _seed_count(text: str) -> int:
    """``verify --suite --seeds N``: N, an integer from 1 to :data:`MAX_SEEDS` (argparse reports
    anything else as one line, exit status 2)."""
    try:
        n = int(text)
    except ValueError:  # not an integer, or 4,300 digits and more
        n = None
    if n is None or not 1 <= n <= MAX_SEEDS:
        raise argparse.ArgumentTypeError(f"expected a count from 1 to {MAX_SEEDS}, found {text[:40]!r}")
    return n


def _check_plots(folder: str) -> None:
    """A report needs matplotlib: say so before any run starts."""
    from submodkit._optional import require

    require("matplotlib", "--report", folder, "the report's plots")


def _resolve(path: str) -> Path:
    p = Path(path)
    if p.exists():
        return p
    from submodkit.instances import bundled

    try:
        return bundled(path)
    except (KeyError, ValueError, FileNotFoundError):
        raise FileNotFoundError(2, "no such file", path) from None


def _read(args):
    from submodkit.instances import read_instance

    return read_instance(_resolve(args.file), format=args.format)


def _info(args) -> int:
    """What a file, a shard folder (its manifest) or an AdX folder (its publishers) holds."""
    if "://" not in args.file and Path(args.file).is_dir():
        info = _folder_info(Path(args.file))
    else:
        inst = _read(args)
        info = {"instance": getattr(inst, "name", args.file), "kind": type(inst).__name__}
        for attr in ("n_sets", "n_elements", "nnz", "n_nodes", "n_edges", "n_points"):
            if hasattr(inst, attr):
                info[attr] = getattr(inst, attr)
        if hasattr(inst, "n_edges"):
            info["default_problem"] = _default_problem(inst)
    print(_dumps(info) if args.json else "  ".join(f"{k}={v}" for k, v in info.items()))
    return 0


def _folder_info(folder: Path) -> dict:
    """``info`` on a folder: a shard folder's manifest, or an AdX folder's publishers."""
    if (folder / "manifest.json").is_file():
        from submodkit.instances.shards import open_shards

        shards = open_shards(folder)
        return {"instance": shards.manifest["name"], "kind": f"shards of {shards.kind}",
                "n_parts": len(shards), "n_items": shards.n_items, "nnz": shards.nnz, "rule": shards.rule,
                "seed": shards.seed}
    from submodkit.instances.adx import adx_publishers

    publishers = adx_publishers(folder)
    if publishers:
        return {"instance": folder.name, "kind": "AdX folder", "publishers": ",".join(publishers),
                "solve": "--problem allocation --publisher NAME"}
    raise InvalidParameterError("FILE", str(folder), "an instance file, a shard folder (manifest.json) or an "
                                "AdX folder (pubN-adx.txt files)")


def _default_problem(inst) -> str:
    """The problem a file's kind suggests (a table: kind -> rule; the first match wins)."""
    from submodkit.instances import Graph, PointSet, SetSystem, Similarity

    table = {SetSystem: lambda _: "set-cover", PointSet: lambda _: "facility-location",
             Similarity: lambda _: "facility-location", Graph: _graph_problem, object: lambda _: "max-cover"}
    return next(rule(inst) for kind, rule in table.items() if isinstance(inst, kind))


def _graph_problem(graph) -> str:
    """Weighted graphs (DIMACS ``e u v w`` with weights other than 1) are matching instances;
    unweighted ones (SNAP) are coverage instances (a vertex covers its closed neighbourhood)."""
    weights = getattr(graph, "weights", None)
    return "matching" if weights is not None and weights.size and bool((weights != 1).any()) else "max-cover"


def _objective(inst, problem: str, args):
    """The objective (or set system) to solve, and the id of each index (None: the index)."""
    from submodkit.instances import Graph, PointSet, SetSystem, Similarity
    from submodkit.objectives import Coverage, FacilityLocation

    if isinstance(inst, Graph):  # k: a graph with many isolated vertices keeps only k of them
        inst = inst.to_set_system(closed=True, k=None if problem == "set-cover" else args.k)
    if problem in ("set-cover", "max-cover"):
        if not isinstance(inst, SetSystem):
            raise InvalidParameterError(
                "--problem", problem, "facility-location for a point or similarity file"
            )
        return (inst if problem == "set-cover" else Coverage.from_set_system(inst)), inst.labels
    if isinstance(inst, PointSet):
        return FacilityLocation.from_instance(inst, metric=args.metric, n_neighbors=args.n_neighbors), None
    if isinstance(inst, Similarity):
        return FacilityLocation.from_instance(inst), None
    return FacilityLocation(inst.sets), inst.labels


def _check_outliers(args, problem: str | None) -> None:
    """``--outliers`` is set cover's: refused for any other problem, never silently ignored."""
    if problem is not None and problem != "set-cover" and getattr(args, "outliers", 0.0):
        raise InvalidParameterError("--outliers", args.outliers, "0 unless the problem is set-cover")


def _solve(args, exact: bool) -> int:
    """Solve ``args.file`` with its problem's runner (`_PROBLEMS`); without ``--problem``, the
    file's kind decides. A shard folder (a local one, or any fsspec URL) goes to `_solve_shards`."""
    _check_outliers(args, args.problem)
    if "://" in args.file or Path(args.file, "manifest.json").is_file():
        return _solve_shards(args, exact)
    if args.problem == "max-cover" and args.algorithm in ("sieve", "sieve++") and not exact \
            and args.time_limit is None and _set_major(args):
        return _stream_file(args)
    if args.problem is None:
        return _solve_file(args, exact)
    return _PROBLEMS[args.problem].solve(args, exact)


def _solve_file(args, exact: bool) -> int:
    """A set, graph or point file: read it, solve its problem, print the result."""
    progress = not args.quiet and not args.json and sys.stderr.isatty()
    start = _command_start(args)
    _start_clock(args, start, exact)
    _status(progress, f"reading {args.file}")
    inst = _read(args)
    problem = args.problem or _default_problem(inst)
    _check_outliers(args, problem)
    spec = _PROBLEMS[problem]
    if spec.run is None:  # a problem with its own runner (matching): hand the instance over
        args.problem, args.instance = problem, inst
        return spec.solve(args, exact)
    if spec.needs_k and args.k is None:
        _default_k(args)
    _status(progress, f"solving {problem} ({args.algorithm or 'default algorithm'})")
    sol, ex, ratio, meets, labels = spec.run(inst, problem, args, exact, progress)
    _status(progress, "")
    out = {
        **_solution_fields(getattr(inst, "name", Path(args.file).name), problem, sol,
                           sol.selection if labels is None else labels[sol.selection]),
        "exact": None if ex is None else {
            "value": _num(ex.value), "bound": _num(ex.bound), "status": ex.status,
            "solver": ex.algorithm, "seconds": round(ex.stats.get("seconds", 0.0), 4),
        },
        **_ratio_fields(ratio, "undefined: the optimum (or its bound) is 0"),
        "meets_guarantee": meets,
        "ratio_from": _ratio_source(ex) if ratio is not None else None,
        "seconds": round(time.perf_counter() - start, 4),
    }
    if "coverage" in (sol.stats or {}):
        out["coverage"] = _num(sol.stats["coverage"])
    return _emit(args, out, sol)


def _ratio_source(ex) -> str | None:
    """What the printed ratio divides by: the proven optimum, or the best bound known and
    where it came from (the exact solver's, or the approximation's own a-posteriori bound or
    guarantee when better: ``bound_source`` of `merge_bound`)."""
    if ex is None:
        return None
    if ex.status == "optimal":
        return "the proven optimum"
    source = (ex.stats or {}).get("parameters", {}).get("bound_source")
    return f"the best bound: {source}" if source else f"the best bound: {ex.algorithm}'s"


def _run_objective(inst, problem: str, args, exact: bool, progress: bool):
    """Set cover, max-cover, facility location: the approximation, and with ``exact`` its
    verification. Returns ``(solution, exact result, ratio, meets, labels)``."""
    target, labels = _objective(inst, problem, args)
    with _engine(args):
        sol = _approximate(target, problem, args)
    if not exact:
        return sol, None, None, None, labels
    from submodkit.verification.verify import verify

    _status(progress, "")  # the exact solver draws its own progress line
    _Heartbeat.phase = "solving exactly"
    ver = verify(
        target, problem=problem, k=args.k, time_limit=_time_left(args), solver=args.solver,
        progress=progress, solution=sol, outliers=args.outliers,
    )
    ratio = ver.ratio if ver.ratio is not None else ver.certified_ratio
    if ratio is None and ver.bound is not None:  # a bound of 0 certifies nothing: value / 0
        ratio = math.inf
    return sol, ver.exact, ratio, ver.meets, labels


DEFAULT_K = 10
"""``--k`` when a problem needs one and none is given (said in the answer: ``k_default``)."""


def _default_k(args) -> None:
    args.k = DEFAULT_K
    args.k_default = True


def _solution_fields(instance: str, problem: str, sol, selection=None) -> dict:
    """The fields every ``--json`` answer starts with (``selection``: the ids to print)."""
    return {
        "instance": instance, "problem": problem, "algorithm": sol.algorithm, "value": _num(sol.value),
        "selection": [int(i) for i in (sol.selection if selection is None else selection)],
        "guarantee": None if sol.guarantee is None else sol.guarantee.to_dict(),
        "upper_bound": _num(sol.upper_bound), "lower_bound": _num(sol.lower_bound),
        "gap": _num(sol.gap), "status": sol.status,
    }


def _set_major(args) -> bool:
    """Whether the file lists its sets one after another (FIMI, rail), so it can be streamed."""
    from submodkit.instances.shards import detect_format

    fmt = detect_format(_resolve(args.file)) if args.format == "auto" else args.format
    return fmt in ("fimi", "rail")


def _stream_file(args) -> int:
    """``--problem max-cover --algorithm sieve|sieve++``: one pass over the file's sets, read in
    chunks (memory: a chunk and the sieve's state)."""
    from submodkit.solvers.submodular.streaming import stream_file

    if args.k is None:
        _default_k(args)
    progress = not args.quiet and not args.json and sys.stderr.isatty()
    start = time.perf_counter()
    _status(progress, f"streaming {args.file} ({args.algorithm})")
    path = _resolve(args.file)
    sol = stream_file(path, args.k, algorithm=args.algorithm, epsilon=args.epsilon, format=args.format)
    _status(progress, "")
    out = {
        **_solution_fields(Path(args.file).name, "max-cover", sol), "exact": None,
        **_ratio_fields(None, "undefined: no exact solve (add --exact to read the file whole)"),
        "meets_guarantee": None, "streamed": True, "peak_kept_sets": sol.stats["peak_kept_sets"],
        "seconds": round(time.perf_counter() - start, 4),
    }
    return _emit(args, out, sol)


def _shard(args) -> int:
    """``submodkit shard FILE --n-parts P --out DIR``: stream the file into shards."""
    from submodkit.instances.shards import shard_file

    progress = not args.json and sys.stderr.isatty()
    start = time.perf_counter()
    _status(progress, f"sharding {args.file} into {args.n_parts} parts")
    shards = shard_file(_resolve(args.file), args.out, n_parts=args.n_parts, seed=args.seed, rule=args.rule,
                        problem=args.problem, format=args.format, overwrite=args.overwrite)
    _status(progress, "")
    seconds = time.perf_counter() - start
    out = {
        "instance": shards.manifest["name"], "out": str(shards.directory), "kind": shards.kind,
        "n_parts": shards.n_parts, "n_items": shards.n_items, "nnz": shards.nnz, "rule": shards.rule,
        "seed": shards.seed, "part_sizes": [p["n_items"] for p in shards.manifest["parts"]],
        "seconds": round(seconds, 4), "nnz_per_second": round(shards.nnz / seconds) if seconds > 0 else None,
    }
    if args.json:
        print(_dumps(out))
    else:
        sizes = out["part_sizes"]
        print("\n".join([
            f"shards     {out['out']}  ({shards.kind}, {shards.n_items} items, {shards.nnz} stored entries)",
            f"partition  {shards.rule}{'' if shards.seed is None else f', seed {shards.seed}'}, "
            f"{shards.n_parts} parts of {min(sizes)} to {max(sizes)} items",
            f"seconds    {out['seconds']}",
        ]))
    return 0


def _on_shards_randgreedi(shards, args, engine):
    from submodkit.coresets import randgreedi

    return randgreedi(shards, args.k, n_parts=args.n_parts, engine=engine, seed=args.seed)


def _on_shards_greedi(shards, args, engine):
    from submodkit.coresets import greedi

    return greedi(shards, args.k, n_parts=args.n_parts, engine=engine, seed=args.seed)


def _on_shards_bicriteria(shards, args, engine):
    from submodkit.coresets import bicriteria_greedi

    return bicriteria_greedi(shards, args.k, n_parts=args.n_parts, epsilon=args.epsilon, rounds=args.rounds,
                             engine=engine, seed=args.seed)


def _on_shards_adaptive(shards, args, engine):
    from submodkit.coresets import adaptive_maximize

    shards.check_partition(args.n_parts, None)
    return adaptive_maximize(shards, args.k, args.epsilon, engine=engine, seed=args.seed)


def _on_shards_sketch(shards, args, engine):
    from submodkit.coresets import sketch_maximize

    return sketch_maximize(shards, args.k, args.epsilon, seed=args.seed, max_edges=args.max_edges,
                           engine=engine)


def _on_shards_sieve(algorithm: str):
    def run(shards, args, engine):
        from submodkit.solvers.submodular.streaming import stream_shards

        return stream_shards(shards, args.k, algorithm=algorithm, epsilon=args.epsilon)

    return run


def _on_shards_sketch_cover(shards, args, engine):
    from submodkit.coresets import sketch_set_cover

    costs = shards.set_costs()  # the folder's, 8 bytes a set; unit costs stay None
    return sketch_set_cover(shards, args.epsilon, seed=args.seed, outliers=args.outliers,
                            max_edges=args.max_edges, costs=None if bool((costs == 1.0).all()) else costs,
                            engine=engine)


_SHARD_RUNNERS = {
    "randgreedi": _on_shards_randgreedi, "greedi": _on_shards_greedi,
    "bicriteria": _on_shards_bicriteria, "adaptive": _on_shards_adaptive, "sketch": _on_shards_sketch,
    "sieve++": _on_shards_sieve("sieve++"), "sieve": _on_shards_sieve("sieve"),
}
"""``solve DIR --algorithm``: the algorithms that run on a shard folder, each part read where it lives."""
_SHARD_PROBLEMS = {"max-cover": _SHARD_RUNNERS, "set-cover": {"sketch": _on_shards_sketch_cover}}
"""``solve DIR --problem``: the problems a shard folder is solved for, each with its algorithms."""


def _solve_shards(args, exact: bool) -> int:
    """Max-cover on a shard folder (``_SHARD_RUNNERS``): each worker reads only its parts."""
    from submodkit.instances.shards import open_shards

    if exact:
        raise InvalidParameterError("--exact", True, "an instance file: a shard folder is solved by "
                                    "core-sets only (verify a sample in memory instead)")
    problem = args.problem or "max-cover"
    _check_outliers(args, problem)
    if problem not in _SHARD_PROBLEMS:
        raise InvalidParameterError("--problem", args.problem,
                                    " or ".join(_SHARD_PROBLEMS) + " for a shard folder")
    if args.k is None and problem == "max-cover":
        _default_k(args)
    if args.time_limit is not None:
        raise InvalidParameterError("--time-limit", args.time_limit, "no time limit for a shard folder (the "
                                    "two rounds are not interruptible yet)")
    progress = not args.quiet and not args.json and sys.stderr.isatty()
    start = time.perf_counter()
    shards = open_shards(args.file)
    runners = _SHARD_PROBLEMS[problem]
    default = "sketch" if problem == "set-cover" else "randgreedi" if shards.rule == "random" else "greedi"
    algorithm = args.algorithm or default
    if algorithm not in runners:
        raise InvalidParameterError("--algorithm", algorithm, "one of " + ", ".join(runners)
                                    + f" for {problem} on a shard folder")
    _status(progress, f"solving {problem} on {shards.n_parts} shards ({algorithm})")
    with _engine(args):
        sol = runners[algorithm](shards, args, getattr(args, "client", None) or args.engine)
    _status(progress, "")
    out = {
        **_solution_fields(shards.manifest["name"], problem, sol),
        "exact": None,
        "certified_ratio": _num(sol.certified_ratio),
        "n_parts": shards.n_parts,
        **{key: sol.stats[key] for key in ("union_size", "bytes_core_sets", "engine", "sketch_size",
                                            "bytes_degrees", "bytes_incidences", "peak_kept_sets",
                                            "coverage", "completion_sets", "bytes_residual")
           if key in sol.stats},
        "seconds": round(time.perf_counter() - start, 4),
    }
    return _emit(args, out, sol)


class _engine:
    """``--engine dask``: a Client on ``--scheduler``, else on a LocalCluster of ``--workers``
    processes with ``--worker-memory`` each, open while the block runs (``args.client``)."""

    def __init__(self, args):
        self.args = args
        self.opened: list = []

    def __enter__(self):
        a = self.args
        a.client = None
        if a.engine not in (None, "threads", "dask"):
            raise InvalidParameterError("--engine", a.engine, "threads or dask")
        if a.engine != "dask":
            if a.scheduler is not None:
                raise InvalidParameterError("--scheduler", a.scheduler, "only with --engine dask")
            return self
        if a.workers < 1:
            raise InvalidParameterError("--workers", a.workers, "an integer >= 1")
        from submodkit._optional import require

        require("distributed", "--engine", "dask", "the Dask engine")
        from distributed import Client
        if a.scheduler is not None:
            try:
                a.client = Client(a.scheduler, timeout="10s")
            except (OSError, TimeoutError) as err:
                raise InvalidParameterError("--scheduler", a.scheduler,
                                            f"a reachable Dask scheduler ({err})") from None
            self.opened = [a.client]
            return self
        from submodkit.coresets.engines import start_local_cluster

        memory = a.worker_memory
        if memory is not None:
            from dask.utils import parse_bytes

            try:
                memory = parse_bytes(memory)
            except (ValueError, TypeError):
                raise InvalidParameterError("--worker-memory", a.worker_memory,
                                            "a size such as 2GB") from None
        cluster, a.client = start_local_cluster(a.workers, memory)
        self.opened = [a.client, cluster]
        return self

    def __exit__(self, *exc):
        for thing in self.opened:
            thing.close()
        self.args.client = None
        return False


def _solve_allocation(args, exact: bool) -> int:
    """Online allocation on an AdX publisher directory; the ratio is to the LP optimum."""
    from submodkit.instances import read_adx
    from submodkit.solvers.allocation.offline import offline_optimum
    from submodkit.solvers.allocation.online import allocate

    progress = not args.quiet and not args.json and sys.stderr.isatty()
    if args.publisher is None:
        raise InvalidParameterError("--publisher", None, "a publisher such as pub1 for --problem allocation")
    start = _command_start(args)
    _start_clock(args, start, exact)
    _status(progress, f"reading {args.file} {args.publisher}")
    inst = read_adx(args.file, args.publisher)
    if args.algorithm == "proportional":  # offline and fractional, on the cardinality problem
        from submodkit.instances.allocation import AllocationInstance
        from submodkit.solvers.allocation.proportional import proportional_allocation

        inst = AllocationInstance(inst.values > 0, budgets=inst.budgets, name=inst.name)
        _status(progress, "proportional allocation (eligibility only: the cardinality problem)")
        sol = proportional_allocation(inst, epsilon=args.epsilon)
    else:
        forecast = None
        if args.algorithm == "hedged":  # the plan's forecast: as many impressions drawn from the types
            from submodkit.instances.adx import adx_types

            _status(progress, "drawing the forecast from the publisher's types")
            forecast = adx_types(args.file, args.publisher).sample(
                inst.n_arrivals, seed=None if args.seed is None else args.seed + 1)
        _status(progress, f"allocating ({args.algorithm or 'greedy'}, {args.order} order)")
        sol = allocate(  # a share of the time left: the offline LP (the ratio's bound) always follows
            inst, algorithm=args.algorithm or "greedy", order=args.order, seed=args.seed,
            epsilon=args.epsilon, eta=args.eta, mirror=args.mirror, tradeoff=args.tradeoff,
            forecast=forecast, hedge=args.hedge, time_limit=_time_left(args, _APPROX_SHARE),
        )
    _status(progress, "solving the offline LP")
    opt = offline_optimum(inst, solver=args.lp_solver, time_limit=_time_left(args))
    second = _allocation_cardinality(inst, sol, args) if sol.algorithm == "bicriteria" else None
    _status(progress, "")
    # the ratio is to the proven upper bound (equal to the value when the LP is solved to optimality):
    # a first-order answer's value is only a feasible repair, and the value of an LP stopped by the
    # time limit is a lower one, so dividing by either could overstate the ratio (no bound: no ratio)
    bound = _allocation_bound(opt)
    ratio = _allocation_ratio(sol.value, bound)
    out = {
        "instance": f"{Path(args.file).name}/{args.publisher}",
        "problem": "allocation",
        "algorithm": sol.algorithm,
        "order": args.order,
        "value": _num(sol.value),
        "assigned": _num(float(sol.x.sum())) if sol.assignment is None else int((sol.assignment >= 0).sum()),
        "arrivals": inst.n_arrivals,
        "guarantee": None if sol.guarantee is None else sol.guarantee.to_dict(),
        "lp_optimum": _num(opt.value) if opt.status == "optimal" else None,
        "exact": {"value": _num(opt.value), "bound": _num(bound), "status": opt.status},
        **_ratio_fields(ratio, "undefined: the LP optimum is 0"),
        **({"cardinality": second} if second else {}),
        **({"time_limit_reached": True, "fallback": sol.stats.get("fallback")}
           if (sol.stats or {}).get("time_limit_reached") else {}),
        "seconds": round(time.perf_counter() - start, 4),
    }
    return _finish(args, out, [
        f"instance   {out['instance']}  (allocation, {args.order} order)",
        f"algorithm  {out['algorithm']}" + (f" (tradeoff {args.tradeoff:g})" if second else ""),
        f"value      {out['value']}  ({out['assigned']} of {out['arrivals']} arrivals assigned)",
        _guarantee_line(sol.guarantee),
        f"LP optimum {out['lp_optimum']} ({opt.status}, bound {out['exact']['bound']})",
        _ratio_line(ratio),
        *([f"cardinality {second['value']} of at most {second['optimum']} (ratio "
           f"{second['ratio']:.4f}; guaranteed {second['guarantee']['ratio']:.4f} in expectation)"]
          if second and second["ratio"] is not None else []),
    ])


def _allocation_bound(opt) -> float | None:
    """The proven upper bound of an `offline_optimum` answer: its bound, or its value when
    solved to optimality; None when the time limit left neither."""
    if opt.bound is not None:
        return opt.bound
    return opt.value if opt.status == "optimal" else None


def _allocation_ratio(value: float, bound: float | None) -> float | None:
    """``value / bound`` against a proven upper bound (None without one, or when it is 0), 1
    within `~submodkit.verification.report.RATIO_TOL` of it (a value summed in another order
    than the solver's objective can come out above its bound in the last bits); beyond, the
    quotient as it is (the bound then bounds nothing: a bug to see, not to hide)."""
    from submodkit.verification.report import ratio_of

    return ratio_of(value, bound) if bound else None


def _allocation_cardinality(inst, sol, args) -> dict:
    """The bicriteria run's second criterion: its cardinality against the maximum number of
    arrivals the capacities can take (the LP of the unit-value instance, integral)."""
    from submodkit.instances.allocation import AllocationInstance
    from submodkit.solvers.allocation.offline import offline_optimum

    unit = AllocationInstance(inst.values > 0, budgets=inst.budgets, free_disposal=inst.free_disposal,
                              name=inst.name)
    opt = offline_optimum(unit, solver=args.lp_solver, time_limit=_time_left(args))
    bound = _allocation_bound(opt)
    value = sol.stats["cardinality"]
    return {"value": value, "optimum": _num(bound), "ratio": _num(_allocation_ratio(value, bound)),
            "guarantee": sol.stats["cardinality_guarantee"]}


def _solve_fair(args, exact: bool) -> int:
    """Fair allocation on an AdX publisher: impressions are the goods (one unit each, values
    their qualities), advertisers the buyers (budgets their contracted capacities); "online"
    (the re-solving scheme) or "offline" (the certified fair allocation), the ratio to the
    offline allocation's certified bound on the fair optimum's mean utility."""
    from submodkit._validation import check_choice
    from submodkit.instances import read_adx
    from submodkit.solvers.allocation.fair import fair_allocation, online_fair_allocation

    progress = not args.quiet and not args.json and sys.stderr.isatty()
    if args.publisher is None:
        raise InvalidParameterError("--publisher", None,
                                    "a publisher such as pub1 for --problem fair-allocation")
    algorithm = args.algorithm or "online"
    check_choice("--algorithm", algorithm, ("online", "offline"))
    start = _command_start(args)
    _start_clock(args, start, exact)
    _status(progress, f"reading {args.file} {args.publisher}")
    inst = read_adx(args.file, args.publisher)
    _status(progress, "the offline fair allocation (certified)")
    # the online run re-solves markets too: the offline bound gets half of the time left
    offline = fair_allocation(inst, alpha=args.alpha,
                              time_limit=_time_left(args, 0.5 if algorithm == "online" else 1.0))
    if algorithm == "online":
        _status(progress, "allocating online (re-solving)")
        sol = online_fair_allocation(inst, alpha=args.alpha, resolve_every=args.resolve_every,
                                     time_limit=_time_left(args))
    else:
        sol = offline
    _status(progress, "")
    bound = offline.upper_bound
    # no finite bound yet (a time limit hit before the first certificate): no ratio, not 0
    ratio = (sol.value / bound if math.isfinite(bound) else math.nan) if bound else None
    out = {
        "instance": f"{Path(args.file).name}/{args.publisher}", "problem": "fair-allocation",
        "algorithm": sol.algorithm, "alpha": args.alpha, "value": _num(sol.value),
        "value_note": "budget-weighted generalized mean of the buyers' utilities (geometric at alpha 1)",
        "guarantee": None if sol.guarantee is None else sol.guarantee.to_dict(),
        "fair_optimum": {"value": _num(offline.value), "bound": _num(bound), "status": offline.status},
        **_ratio_fields(ratio, "undefined: no finite bound on the fair optimum within the time limit"),
        "budget_extraction": _num(sol.stats["budget_extraction"]),
        "efficiency": _num(sol.stats["efficiency"]), "goods": inst.n_arrivals, "buyers": inst.n_advertisers,
        "seconds": round(time.perf_counter() - start, 4),
    }
    extraction = out["budget_extraction"]
    return _finish(args, out, [
        f"instance   {out['instance']}  (fair allocation, alpha {args.alpha:g})",
        f"algorithm  {out['algorithm']}",
        f"value      {out['value']}  (mean utility; total utility {out['efficiency']})",
        _guarantee_line(sol.guarantee),
        f"fair optimum <= {out['fair_optimum']['bound']} ({offline.status})",
        _ratio_line(ratio),
        *([f"budgets    {extraction:.4f} of the budgets paid"] if extraction is not None else []),
    ])


def _solve_pages(args, exact: bool) -> int:
    """Whole-page allocation of a page file (``instances.pages.write_pages``): the pages in
    the file's order (or ``--order random``); with ``exact``, compared with the optimum (SCIP)."""
    from submodkit._validation import check_choice
    from submodkit.instances.pages import read_pages
    from submodkit.solvers.allocation.pages import RULES, allocate_pages, page_optimum

    progress = not args.quiet and not args.json and sys.stderr.isatty()
    start = _command_start(args)
    _start_clock(args, start, exact)
    algorithm = check_choice("--algorithm", args.algorithm or "page", tuple(RULES))
    order = check_choice("--order", args.order, ("given", "random"))
    _status(progress, f"reading {args.file}")
    inst = read_pages(_resolve(args.file))
    _status(progress, f"filling {inst.n_pages} pages ({algorithm})")
    sol = allocate_pages(inst, algorithm=algorithm, order=order, seed=args.seed)
    opt = None
    if exact:
        _status(progress, "solving the exact program")
        opt = page_optimum(inst, time_limit=_time_left(args))
    _status(progress, "")
    bound = None if opt is None else (opt.value if opt.status == "optimal" else opt.upper_bound)
    ratio = sol.value / bound if bound else None  # no bound at a timeout: no ratio
    out = {
        "instance": Path(args.file).name, "problem": "whole-page", "algorithm": sol.algorithm,
        "value": _num(sol.value), "impressions": sol.stats["impressions"], "pages": inst.n_pages,
        "ads": inst.n_ads, "slots": inst.n_slots,
        "guarantee": None if sol.guarantee is None else sol.guarantee.to_dict(),
        "exact": None if opt is None else {"value": _num(opt.value), "bound": _num(opt.upper_bound),
                                           "status": opt.status},
        **_ratio_fields(ratio, "undefined: the optimum is 0"),
        "seconds": round(time.perf_counter() - start, 4),
    }
    return _finish(args, out, [
        f"instance   {out['instance']}  (whole-page, {inst.n_pages} pages x {inst.n_slots} slots, "
        f"{inst.n_ads} ads)",
        f"algorithm  {out['algorithm']}",
        f"value      {out['value']}  ({out['impressions']} impressions)",
        _guarantee_line(sol.guarantee),
        *([] if opt is None else [
            f"exact      {out['exact']['value']} ({opt.status}, bound {out['exact']['bound']})",
            _ratio_line(ratio)]),
    ])


def _solve_bi_objective(args, exact: bool) -> int:
    """Bi-objective online welfare on a welfare file (``instances.welfare.write_welfare``):
    the mixture at ``--tradeoff``; with ``exact`` (A^n <= 2^16), each objective's optimum."""
    from submodkit._validation import check_choice
    from submodkit.instances.welfare import read_welfare
    from submodkit.objectives import Coverage
    from submodkit.solvers.allocation.welfare import bi_objective_welfare, brute_force_welfare

    progress = not args.quiet and not args.json and sys.stderr.isatty()
    start = _command_start(args)
    _start_clock(args, start, exact)
    check_choice("--algorithm", args.algorithm or "mixture", ("mixture",))
    order = check_choice("--order", args.order, ("given", "random"))
    _status(progress, f"reading {args.file}")
    sides = read_welfare(_resolve(args.file))
    first, second = ([Coverage(sets, weights=w) for sets, w in side] for side in sides)
    _status(progress, f"allocating {first[0].n} items to {len(first)} agents")
    sol = bi_objective_welfare(first, second, tradeoff=args.tradeoff, order=order, seed=args.seed)
    optima = None
    if exact:
        _status(progress, "the optimum of each objective (every assignment)")
        optima = (brute_force_welfare(first)[0], brute_force_welfare(second)[0])
    _status(progress, "")
    second_guarantee = sol.stats["second_guarantee"]
    out = {
        "instance": Path(args.file).name, "problem": "bi-objective-welfare", "algorithm": sol.algorithm,
        "tradeoff": args.tradeoff, "value": _num(sol.value), "second_value": _num(sol.stats["second_value"]),
        "guarantee": None if sol.guarantee is None else sol.guarantee.to_dict(),
        "second_guarantee": second_guarantee,
        "exact": None if optima is None else {"first": _num(optima[0]), "second": _num(optima[1])},
        **_ratio_fields(sol.value / optima[0] if optima and optima[0] else None,
                        "undefined: the optimum is 0"),
        "second_ratio": _num(sol.stats["second_value"] / optima[1]) if optima and optima[1] else None,
        "seconds": round(time.perf_counter() - start, 4),
    }
    return _finish(args, out, [
        f"instance   {out['instance']}  (bi-objective welfare, {len(first)} agents, {first[0].n} items)",
        f"algorithm  {out['algorithm']}",
        f"values     first {out['value']}, second {out['second_value']}",
        _guarantee_line(sol.guarantee),
        *([] if optima is None else [
            f"optima     first {out['exact']['first']}, second {out['exact']['second']}",
            f"ratios     first {out['ratio']}, second {out['second_ratio']}"]),
    ])


def _solve_compression(args, exact: bool) -> int:
    """Categorical feature compression of a ``value,label`` file into ``--k`` buckets; with
    ``exact``, compared with the optimum (the dynamic program)."""
    from submodkit._validation import check_choice
    from submodkit.coresets.categorical_compression import distributed_compress
    from submodkit.instances.categorical import read_labelled_categories
    from submodkit.solvers.submodular.categorical_compression import compress_counts, label_counts

    progress = not args.quiet and not args.json and sys.stderr.isatty()
    start = _command_start(args)
    _start_clock(args, start, exact)
    _status(progress, f"reading {args.file}")
    values, labels = read_labelled_categories(_resolve(args.file))
    categories, counts = label_counts(values, labels)
    k = 10 if args.k is None else args.k
    algorithm = check_choice("--algorithm", args.algorithm or "greedy", _compression_algorithms()[0])
    _status(progress, f"compressing ({algorithm}, {k} buckets)")
    if algorithm == "distributed":
        if args.n_parts is not None and args.n_parts < 1:
            raise InvalidParameterError("--n-parts", args.n_parts, "an integer >= 1")
        n_parts = 4 if args.n_parts is None else args.n_parts
        sol = distributed_compress(counts, k, n_parts=n_parts, seed=args.seed,
                                   engine=getattr(args, "client", None) or args.engine or "threads",
                                   categories=categories)
    else:
        # the exact program under --time-limit too (it ran to its end: over 300 s on 3M categories)
        limit = _time_left(args, _APPROX_SHARE if exact else 1.0) if algorithm == "exact" else None
        sol = compress_counts(counts, k, algorithm=algorithm, categories=categories, time_limit=limit)
    opt = compress_counts(counts, k, algorithm="exact", time_limit=_time_left(args)) if exact else None
    _status(progress, "")
    # against the optimum, or at a timeout the bound I(feature; label): a ratio never above the true one
    reference = None if opt is None else (opt.value if opt.status == "optimal" else opt.upper_bound)
    ratio = sol.value / reference if reference else None
    g = sol.guarantee
    out = {
        "instance": Path(args.file).name, "problem": "compression", "algorithm": sol.algorithm,
        "value": sol.value, "n_buckets": sol.n_buckets, "n_categories": int(categories.size),
        "samples": int(values.size), "information_full": sol.stats["information_full"],
        "upper_bound": sol.upper_bound, "guarantee": None if g is None else g.to_dict(),
        "thresholds": sol.thresholds.tolist(),
        "buckets": {str(c): int(b) for c, b in zip(categories.tolist(), sol.buckets.tolist(), strict=True)},
        "exact": None if opt is None else {"value": opt.value, "bound": opt.upper_bound,
                                           "status": opt.status},
        **_ratio_fields(ratio, "undefined: the optimum is 0"),
        # against a bound (a timeout) a ratio below the guarantee proves nothing: no verdict then
        "meets_guarantee": None if ratio is None or g is None or (opt.status != "optimal" and ratio < g.ratio)
        else bool(ratio >= g.ratio - 1e-9),
        "seconds": round(time.perf_counter() - start, 4),
    }
    out["k"] = k
    lines = [
        f"instance   {out['instance']}  (compression: {out['samples']} samples, "
        f"{out['n_categories']} categories)",
        f"algorithm  {out['algorithm']}",
        f"value      {sol.value:.6g} bits in {sol.n_buckets} buckets (the whole feature: "
        f"{out['information_full']:.6g} bits)",
        _guarantee_line(g),
    ]
    if opt is not None:
        lines.append(f"exact      {opt.value:.6g} bits ({opt.status}, bound {opt.upper_bound:.6g})")
        lines.append(_ratio_line(ratio))
    return _finish(args, out, lines)


def _solve_procurement(args, exact: bool) -> int:
    """A procurement auction on a set-system file: the sets are the sellers (their costs the
    bids), the buyer values each covered element at ``--element-value`` (times its weight);
    with ``exact``, compared with the best welfare (the exact program)."""
    import numpy as np

    from submodkit._validation import check_choice, check_real
    from submodkit.instances import SetSystem
    from submodkit.objectives import Coverage
    from submodkit.solvers.cover.exact import exact_coverage_profit
    from submodkit.solvers.submodular.procurement import MECHANISMS, procurement_auction

    progress = not args.quiet and not args.json and sys.stderr.isatty()
    start = _command_start(args)
    _start_clock(args, start, exact)
    _status(progress, f"reading {args.file}")
    inst = _read(args)
    if not isinstance(inst, SetSystem):
        raise InvalidParameterError("FILE", args.file, "a set-system file with costs (OR-Library, native)")
    algorithm = check_choice("--algorithm", args.algorithm or "descending", tuple(MECHANISMS))
    value = check_real("--element-value", args.element_value, minimum=0.0, maximum=1e12, strict_min=True)
    weights = value * (inst.weights if inst.weights is not None else np.ones(inst.n_elements))
    f = Coverage(inst.sets, weights=weights)
    order = np.random.default_rng(args.seed).permutation(inst.n_sets) if algorithm == "posted-price" else None
    _status(progress, f"auction ({algorithm})")
    sol = procurement_auction(f, inst.costs, algorithm=algorithm, order=order)
    opt = None
    if exact:
        _status(progress, "solving the exact program")
        opt = exact_coverage_profit(inst.sets, weights, inst.costs, time_limit=_time_left(args),
                                    hint=sol.selection)
    _status(progress, "")
    # to the optimum when proven, else to the proven bound (a stopped solve's value is no optimum)
    best = None if opt is None else (opt.value if opt.status == "optimal" else opt.bound)
    ratio = None if best is None or best <= 0 else sol.value / best
    g = sol.guarantee
    out = {
        "instance": Path(args.file).name, "problem": "procurement", "algorithm": algorithm,
        "value": sol.value, "selection": sol.selection.tolist(), "payments": sol.payments.tolist(),
        "f": sol.stats["f"], "paid": sol.stats["paid"], "surplus": sol.stats["surplus"],
        "element_value": value, "guarantee": None if g is None else g.to_dict(),
        "exact": None if opt is None else {"value": opt.value, "bound": opt.bound, "status": opt.status},
        **_ratio_fields(ratio, "undefined: the best welfare is 0"),
        "seconds": round(time.perf_counter() - start, 4),
    }
    lines = [
        f"instance   {out['instance']}  (procurement: {inst.n_sets} sellers, {inst.n_elements} elements "
        f"worth {value:g} each)",
        f"algorithm  {algorithm}",
        f"value      {sol.value:.6g} welfare: f(S) {sol.stats['f']:.6g} - costs, {len(sol)} sellers, paid "
        f"{sol.stats['paid']:.6g}, buyer's surplus {sol.stats['surplus']:.6g}",
        _guarantee_line(g),
    ]
    if opt is not None:
        lines.append(f"exact      {opt.value:.6g} ({opt.status})")
        lines.append(_ratio_line(ratio))
    return _finish(args, out, lines)


def _solve_matching(args, exact: bool) -> int:
    """Maximum-weight matching on an edge file; ``value`` is the matching weight."""
    from submodkit.solvers.matching.general import solve_matching_file

    if getattr(args, "deadline", None) is None:  # not started by _solve_file (--problem matching given)
        _start_clock(args, time.perf_counter(), exact)
    source = getattr(args, "instance", None) or _resolve(args.file)  # read once (by _solve_file)
    out = solve_matching_file(source, algorithm=args.algorithm, seed=args.seed, exact=exact,
                              format=args.format, time_limit=_time_left(args))
    out["seconds"] = round(time.perf_counter() - _command_start(args), 4)
    lines = [
        f"instance   {out['instance']}  (matching)",
        f"algorithm  {out['algorithm']}",
        f"value      {out['value']}  ({len(out['pairs'])} edges)",
        _guarantee_line(out.get("guarantee")),
    ]
    if out.get("exact"):
        lines.append(f"exact      {out['exact']['value']} ({out['exact']['status']})")
        lines.append(_ratio_line(out.get("ratio")))
    return _finish(args, out, lines)


def _run_diversity(inst, problem: str, args, exact: bool, progress: bool):
    """Diversity maximization on a point file; with ``exact``, compared with the optimum.
    Returns ``(solution, exact result, ratio, meets, labels)``."""
    from submodkit.instances import PointSet
    from submodkit.solvers.diversity import exact as X
    from submodkit.solvers.diversity.dispersion import diversify
    from submodkit.verification.verify import compare, with_solution_bound

    if not isinstance(inst, PointSet):
        raise InvalidParameterError("FILE", args.file, f"a point file (.csv, .npy, native) for {problem}")
    objective = problem.removesuffix("-diversity")
    extra = {} if args.time_limit is None else {"time_limit": _time_left(args, args.approx_share)}
    sol = diversify(
        inst.features, args.k, objective=objective, metric=args.metric, algorithm=args.algorithm,
        seed=args.seed, epsilon=args.epsilon, **extra,
    )
    if not exact:
        return sol, None, None, None, None
    if objective.startswith("remote-"):  # enumeration (small n)
        ex = X.brute_force_diversity(inst.features, args.k, objective, metric=args.metric,
                                     time_limit=_time_left(args))
    else:
        solve = {
            "max-min": X.exact_max_min_diversity,
            "max-sum": X.exact_max_sum_diversity,
            "sum-min": X.exact_sum_min_diversity,
        }[objective]
        ex = solve(inst.features, args.k, metric=args.metric, time_limit=_time_left(args))
    ex = with_solution_bound(ex, sol)  # the approximation's own bound, when better
    ratio, certified, meets = compare(sol, ex)
    return sol, ex, ratio if ratio is not None else certified, meets, None


def _command_start(args) -> float:
    """When the command started (`main`'s first line; now when called without `main`)."""
    return getattr(args, "started", None) or time.perf_counter()


def _start_clock(args, start: float, exact: bool) -> None:
    """``--time-limit`` counts from the start of the command: reading, the approximation and
    the exact solve each get what is left (`_time_left`), and the approximation only a share
    of it when an exact solve follows."""
    from submodkit._validation import check_time_limit

    limit = check_time_limit(args.time_limit)
    start = min(start, getattr(args, "started", start))
    args.deadline = None if limit is None else start + limit - min(_EXIT_RESERVE, _EXIT_SHARE * limit)
    args.approx_share = _APPROX_SHARE if exact else 1.0


_APPROX_SHARE = 0.3  # of the time left, for the approximation's own bound (LP / Lagrangian)
_EXIT_RESERVE = 0.25  # seconds (at most _EXIT_SHARE of the limit) for the output and the exit
_EXIT_SHARE = 0.05


def _time_left(args, share: float = 1.0) -> float | None:
    """Seconds left before ``--time-limit`` runs out (times ``share``; None without a limit)."""
    if getattr(args, "deadline", None) is None:
        return None
    return max(1e-3, share * (args.deadline - time.perf_counter()))


def _approximate(target, problem: str, args):
    """The approximation: the entry of the problem's table (``--algorithm``, or its default)
    in :mod:`submodkit.verification.problems`, run with the command's options."""
    from submodkit.verification.problems import PROBLEMS, Options

    entry = PROBLEMS[problem].algorithm(args.algorithm)
    options = Options(
        epsilon=args.epsilon, seed=args.seed, n_parts=4 if args.n_parts is None else args.n_parts,
        engine=getattr(args, "client", None) or args.engine, rounds=args.rounds,
        max_edges=args.max_edges, outliers=args.outliers, solver=args.solver,
        time_limit=_time_left(args, 1.0 if entry.exact else args.approx_share),
    )
    return entry.run(target, args.k, options)


def _num(x):
    from submodkit.results import _num as num

    return num(x)


def _status(enabled: bool, text: str) -> None:
    """The command's phase: redrawn in place on a terminal (``enabled``), and kept for the
    periodic lines of `_Heartbeat` when stderr is not one."""
    if text:
        _Heartbeat.phase = text
    if enabled:
        sys.stderr.write("\r\033[K" + (f"submodkit: {text}..." if text else ""))
        sys.stderr.flush()


class _Heartbeat:
    """Periodic progress lines for long commands whose stderr is not a terminal (logs, CI,
    pipes): nothing for the first ``first`` seconds, then ``submodkit: still <phase> (N s)``
    every ``every`` seconds (10 and 30; ``SUBMODKIT_HEARTBEAT="first,every"`` changes them).
    Short commands print nothing; on a terminal the phase line is drawn in place instead."""

    phase = "working"

    def __init__(self, args) -> None:
        quiet = getattr(args, "quiet", False) or getattr(args, "json", False)
        self.on = not quiet and args.command != "info" and not sys.stderr.isatty()
        first, every = 10.0, 30.0
        if os.environ.get("SUBMODKIT_HEARTBEAT"):
            try:
                first, every = (float(x) for x in os.environ["SUBMODKIT_HEARTBEAT"].split(","))
            except ValueError:
                pass
        self.first, self.every = max(first, 0.01), max(every, 0.01)
        self.done = None
        self.thread = None

    def __enter__(self) -> _Heartbeat:
        if self.on:
            import threading

            _Heartbeat.phase = f"running {sys.argv[1] if len(sys.argv) > 1 else 'the command'}"
            self.done = threading.Event()
            self.thread = threading.Thread(target=self._beat, daemon=True)
            self.thread.start()
        return self

    def _beat(self) -> None:
        start = time.perf_counter()
        wait = self.first
        while not self.done.wait(wait):
            elapsed = time.perf_counter() - start
            print(f"submodkit: still {_Heartbeat.phase} ({elapsed:.0f} s)", file=sys.stderr, flush=True)
            wait = self.every

    def __exit__(self, *exc) -> bool:
        if self.done is not None:
            self.done.set()
            self.thread.join()
        return False


def _finish(args, out: dict, lines: list[str]) -> int:
    """Print the answer of a problem with its own text lines: ``out`` with the run fields
    (`_add_run_fields`) as one JSON object with ``--json``, else ``lines`` and the seconds."""
    _add_run_fields(args, out)
    print(_dumps(out) if args.json else "\n".join([*lines, _seconds_line(out)]))
    return 0


def _guarantee_line(g) -> str:
    """The text line of a guarantee (a `Guarantee` or its ``to_dict()``; None: none applies)."""
    if isinstance(g, dict):
        return f"guarantee  {g['statement']} [{g['source']}]"
    return f"guarantee  {'none applies' if g is None else f'{g.statement} [{g.source}]'}"


def _ratio_line(ratio) -> str:
    return f"ratio      {ratio:.4f}" if ratio is not None and math.isfinite(ratio) else "ratio      n/a"


def _seconds_line(out: dict) -> str:
    compiling = out.get("compile_seconds") or 0.0
    return f"seconds    {out['seconds']}" + (f"  ({compiling:.2f} compiling kernels, first run only)"
                                             if compiling else "")


def _emit(args, out: dict, sol) -> int:
    """Print a solve's answer: one JSON object with ``--json``, else the human lines.
    (after `_add_run_fields`)."""
    _add_run_fields(args, out)
    if args.json:
        print(_dumps(out))
    else:
        _print_human(out, sol)
    return 0


def _add_run_fields(args, out: dict) -> dict:
    """The fields every answer ends with: ``compile_seconds`` (of ``seconds``, the time spent
    compiling kernels; 0 once cached) and ``k`` (``k_default`` when the command chose it)."""
    clock = getattr(args, "compile_clock", None)
    out["compile_seconds"] = round(clock.seconds, 4) if clock is not None else 0.0
    if getattr(args, "k", None) is not None:
        out["k"] = args.k
        if getattr(args, "k_default", False):
            out["k_default"] = True
    return out


def _print_human(out: dict, sol) -> None:
    sel = out["selection"]
    shown = " ".join(map(str, sel[:20])) + (" ..." if len(sel) > 20 else "")
    lines = [
        f"instance   {out['instance']}  ({out['problem']})",
        f"algorithm  {out['algorithm']}",
        f"value      {out['value']}  ({len(sel)} chosen: {shown})",
    ]
    if out.get("k_default"):
        lines.append(f"k          {out['k']}  (the default; --k K to choose)")
    if sol.guarantee is not None:
        g = sol.guarantee
        lines.append(f"guarantee  {g.statement} = {g.ratio:.4g}  [{g.source}]")
    else:
        lines.append("guarantee  none applies")
    if out["upper_bound"] is not None:
        lines.append(
            f"bound      OPT <= {out['upper_bound']}  (certified ratio >= {sol.certified_ratio:.4f})"
        )
    if out["lower_bound"] is not None:
        lines.append(
            f"bound      OPT >= {out['lower_bound']:.6g}  (certified ratio <= {sol.certified_ratio:.4f})"
        )
    ex = out["exact"]
    if ex is not None:
        lines.append(
            f"exact      {ex['value']} ({ex['status']}, bound {ex['bound']}, "
            f"{ex['solver']}, {ex['seconds']} s)"
        )
        if out["ratio"] is not None:
            verdict = {True: "meets its guarantee", False: "BELOW its guarantee", None: "undecided"}
            source = out.get("ratio_from")
            lines.append(f"ratio      {out['ratio']:.4f}  {verdict[out['meets_guarantee']]}"
                         + (f"  (from {source})" if source else ""))
    lines.append(_seconds_line(out))
    print("\n".join(lines))


# --------------------------------------------------------------------------- the problem table


def _shared_algorithms(problem: str) -> tuple[tuple[str, ...], str | None]:
    from submodkit.verification.problems import PROBLEMS

    return tuple(PROBLEMS[problem].algorithms), PROBLEMS[problem].default


def _diversity_algorithms(objective: str) -> tuple[tuple[str, ...], str | None]:
    from submodkit.solvers.diversity.dispersion import DIVERSIFY

    return tuple(DIVERSIFY[objective]), None  # None: the first that accepts the call


def _allocation_algorithms() -> tuple[tuple[str, ...], str | None]:
    from submodkit.solvers.allocation.online import ALLOCATE

    return (*ALLOCATE, "proportional"), "greedy"


def _page_algorithms() -> tuple[tuple[str, ...], str | None]:
    from submodkit.solvers.allocation.pages import RULES

    return tuple(RULES), "page"


def _fair_algorithms() -> tuple[tuple[str, ...], str | None]:
    return ("online", "offline"), "online"


def _compression_algorithms() -> tuple[tuple[str, ...], str | None]:
    from submodkit.solvers.submodular.categorical_compression import ALGORITHMS

    return (*ALGORITHMS, "distributed"), "greedy"


def _procurement_algorithms() -> tuple[tuple[str, ...], str | None]:
    from submodkit.solvers.submodular.procurement import MECHANISMS

    return tuple(MECHANISMS), "descending"


def _matching_algorithms() -> tuple[tuple[str, ...], str | None]:
    from submodkit.solvers.matching.general import ALGORITHMS

    return ALGORITHMS, "exact"


@dataclass(frozen=True)
class _Problem:
    """How the command solves one ``--problem``."""

    solve: Callable[..., int]  # (args, exact) -> exit status
    algorithms: Callable[[], tuple[tuple[str, ...], str | None]]  # (--algorithm names, default), imported
    run: Callable | None = None  # file problems: (inst, problem, args, exact, progress) -> results
    needs_k: bool = True


_PROBLEMS: dict[str, _Problem] = {
    "set-cover": _Problem(_solve_file, functools.partial(_shared_algorithms, "set-cover"), _run_objective,
                          needs_k=False),
    "max-cover": _Problem(_solve_file, functools.partial(_shared_algorithms, "max-cover"), _run_objective),
    "facility-location": _Problem(_solve_file, functools.partial(_shared_algorithms, "facility-location"),
                                  _run_objective),
    "allocation": _Problem(_solve_allocation, _allocation_algorithms),
    "matching": _Problem(_solve_matching, _matching_algorithms),
    "compression": _Problem(_solve_compression, _compression_algorithms),
    "fair-allocation": _Problem(_solve_fair, _fair_algorithms, needs_k=False),
    "whole-page": _Problem(_solve_pages, _page_algorithms, needs_k=False),
    "bi-objective-welfare": _Problem(_solve_bi_objective, lambda: (("mixture",), "mixture"), needs_k=False),
    "procurement": _Problem(_solve_procurement, _procurement_algorithms),
    **{f"{objective}-diversity": _Problem(_solve_file, functools.partial(_diversity_algorithms, objective),
                                          _run_diversity)
       for objective in ("max-min", "max-sum", "sum-min", "remote-tree", "remote-star", "remote-cycle")},
}
"""``--problem`` -> how the command solves it and where its algorithms are listed: the tables
of :mod:`submodkit.verification.problems`, ``diversify``'s and ``allocate``'s."""

PROBLEMS = tuple(_PROBLEMS)


def _algorithm_help() -> str:
    """``--algorithm``'s help: each problem's algorithms (its default marked), problems with
    the same list together."""
    groups: dict[tuple, list[str]] = {}
    for problem, spec in _PROBLEMS.items():
        groups.setdefault(spec.algorithms(), []).append(problem)
    return "the problem's algorithm; " + "; ".join(
        f"{', '.join(problems)}: " + ", ".join(f"{n} (default)" if n == default else n for n in names)
        for (names, default), problems in groups.items()
    ) + "; diversity default: the first that applies"


if __name__ == "__main__":
    if os.environ.get("SUBMODKIT_PROFILE"):
        import cProfile

        cProfile.run("main()", sort="cumtime")
    else:
        sys.exit(main())
