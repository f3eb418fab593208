"""What a batch's rows say: each run's ratio, a summary per algorithm, Dolan-More performance
profiles (time and quality), and the plots of a report folder."""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from submodkit.batch.runs import MINIMIZE
from submodkit.errors import InvalidParameterError
from submodkit.verification.families import LITERATURE_SCP

FAILED = frozenset({"error", "crashed", "killed"})
_MIN_SECONDS = 1e-3  # times below this count as this much in the time profile (rounding)


def read_optima(path: str | os.PathLike) -> dict[str, float]:
    """Known optima from a small table file: one ``name value`` pair a line (whitespace or a
    comma between them; ``#`` starts a comment; a header line without a number is skipped).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "optima.txt"
    >>> _ = p.write_text("name,optimum\\nscp41, 429\\nrail507 174  # Caprara et al.\\n")
    >>> read_optima(p)
    {'scp41': 429.0, 'rail507': 174.0}
    """
    out: dict[str, float] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        text = line.split("#", 1)[0].replace(",", " ").split()
        if not text:
            continue
        if len(text) != 2:
            raise InvalidParameterError("--optima", f"{path}:{number}", "lines of 'name value'")
        try:
            value = float(text[1])
        except ValueError:
            if not out and number == 1:
                continue  # a header
            raise InvalidParameterError("--optima", f"{path}:{number}: {text[1]!r}", "a number") from None
        if not math.isfinite(value):
            raise InvalidParameterError("--optima", f"{path}:{number}", "a finite optimum")
        out[text[0]] = value
    return out


def with_ratio(row: dict[str, Any], optima: dict[str, float] | None = None) -> dict[str, Any]:
    """``row`` with ``optimum``, ``optimum_source``, ``ratio`` and ``ratio_to`` filled in.

    The reference is, in order: the known optimum of the instance (``optima``, by name), the
    literature optimum of an OR-Library set-cover instance of that name
    (:data:`submodkit.verification.families.LITERATURE_SCP`), the exact solve's proven
    optimum (``--exact``), the run's own value when the run proved it optimal; else the best
    bound on the optimum (the run's or the exact solve's), so the ratio is then an estimate on
    the safe side (at least the true ratio for minimization, at most it for maximization).
    ``ratio = value / reference`` (above 1 for minimization); None without a value or a
    positive reference.

    Examples
    --------
    >>> with_ratio({"instance": "scp41", "problem": "set-cover", "value": 434.0}, {"scp41": 429})["ratio"]
    1.0117
    """
    row = dict(row)
    value = row.get("value")
    minimize = row.get("problem") in MINIMIZE
    optimum, source = None, None
    if optima and row.get("instance") in optima:
        optimum, source = float(optima[row["instance"]]), "optimum (table)"
    elif row.get("problem") == "set-cover" and row.get("instance") in LITERATURE_SCP:
        optimum, source = float(LITERATURE_SCP[row["instance"]]), "optimum (literature)"
    elif row.get("exact_status") == "optimal" and row.get("exact_value") is not None:
        optimum, source = row["exact_value"], "optimum (exact)"
    elif row.get("status") == "optimal" and value is not None:
        optimum, source = value, "optimum (proved by the run)"
    row["optimum"], row["optimum_source"] = optimum, source
    reference, to = optimum, source
    if reference is None:
        own = row.get("lower_bound") if minimize else row.get("upper_bound")
        bounds = [b for b in (own, row.get("exact_bound")) if b is not None]
        if bounds:
            reference, to = (max(bounds) if minimize else min(bounds)), "bound"
    ok = value is not None and reference is not None and reference > 0
    row["ratio"] = round(value / reference, 4) if ok else None
    row["ratio_to"] = to if ok else None
    return row


def solved(row: dict[str, Any]) -> bool:
    """Whether a run counts as solving its instance: it returned a value, and an exact run
    (algorithm ``exact...``) proved it optimal."""
    if row.get("status") in FAILED or row.get("value") is None:
        return False
    return row.get("status") == "optimal" if str(row.get("algorithm") or "").startswith("exact") else True


def _solver(row: dict[str, Any], several_limits: bool) -> str:
    name = str(row.get("algorithm_requested") or row.get("algorithm") or "default")
    if several_limits and row.get("time_limit") is not None:
        name += f" @{row['time_limit']:g}s"
    return name


def _problem_key(row: dict[str, Any]) -> tuple:
    return (row.get("instance"), row.get("problem"), row.get("k"), row.get("seed"))


def profile_ratios(rows: Sequence[dict[str, Any]], measure: str) -> dict[str, dict[tuple, float]]:
    """Dolan-More performance ratios ``r[solver][problem]`` of a batch's rows.

    A problem is an (instance, problem, k, seed); a solver an algorithm (with its time limit
    when the batch has several). ``measure="time"``: ``seconds / best seconds`` over the
    solvers that solved the problem (:func:`solved`: an exact run must have proved its
    optimum; times below 1 ms count as 1 ms); ``measure="quality"``: for every run that
    returned a value (a timed-out exact run's incumbent too), how far it is from the best
    known, ``value / best`` for minimization and ``best / value`` for maximization, the best
    known being the optimum when the row has one, else the best value any solver reached. A
    solver with no such run on a problem gets ``inf``.

    Examples
    --------
    >>> rows = [{"instance": "a", "problem": "set-cover", "algorithm": "greedy", "value": 12, "seconds": 1},
    ...         {"instance": "a", "problem": "set-cover", "algorithm": "exact", "value": 10,
    ...          "seconds": 4, "status": "optimal"}]
    >>> profile_ratios(rows, "time")["exact"], profile_ratios(rows, "quality")["greedy"]
    ({('a', 'set-cover', None, None): 4.0}, {('a', 'set-cover', None, None): 1.2})
    """
    if measure not in ("time", "quality"):
        raise InvalidParameterError("measure", measure, "time or quality")
    several = len({r.get("time_limit") for r in rows}) > 1
    by_problem: dict[tuple, dict[str, float]] = defaultdict(dict)
    solvers = sorted({_solver(r, several) for r in rows})
    optimum: dict[tuple, float] = {}
    for r in rows:
        key, s = _problem_key(r), _solver(r, several)
        if r.get("optimum") is not None:
            optimum[key] = float(r["optimum"])
        answered = r.get("status") not in FAILED and r.get("value") is not None
        if not (solved(r) if measure == "time" else answered):
            continue
        if measure == "time":
            m = max(float(r.get("seconds") or 0.0), _MIN_SECONDS)
        else:
            m = float(r["value"])
        old = by_problem[key].get(s)
        if old is None or (m < old if measure == "time" or r.get("problem") in MINIMIZE else m > old):
            by_problem[key][s] = m
    problems = sorted({_problem_key(r) for r in rows}, key=repr)
    out: dict[str, dict[tuple, float]] = {s: {} for s in solvers}
    for key in problems:
        got = by_problem.get(key, {})
        minimize = measure == "time" or key[1] in MINIMIZE
        if got:
            best = min(got.values()) if minimize else max(got.values())
            if measure == "quality" and key in optimum:
                best = optimum[key]
        for s in solvers:
            m = got.get(s)
            if m is None or not got:
                out[s][key] = math.inf
            elif minimize:
                out[s][key] = m / best if best > 0 else (1.0 if m == best else math.inf)
            else:
                out[s][key] = best / m if m > 0 else (1.0 if m == best else math.inf)
    return out


def performance_profile(ratios: dict[str, dict[tuple, float]], taus: Iterable[float]
                        ) -> dict[str, list[float]]:
    """``rho_s(tau)``: the share of the problems on which solver ``s`` is within a factor
    ``tau`` of the best (Dolan, More 2002), for each ``tau``.

    Examples
    --------
    >>> performance_profile({"a": {1: 1.0, 2: 3.0}, "b": {1: 2.0, 2: 1.0}}, [1, 2, 4])
    {'a': [0.5, 0.5, 1.0], 'b': [0.5, 1.0, 1.0]}

    References
    ----------
    .. [1] Dolan, More, "Benchmarking optimization software with performance profiles",
       Math. Programming 91 (2002).
    """
    taus = list(taus)
    return {s: [sum(1 for v in r.values() if v <= t + 1e-12) / max(len(r), 1) for t in taus]
            for s, r in ratios.items()}


def summary(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per (problem, algorithm): runs, solved, failed, mean and worst ratio (worst:
    the largest for minimization, the smallest for maximization), geometric mean of the
    seconds of the runs with a value, largest peak memory."""
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    several = len({r.get("time_limit") for r in rows}) > 1
    for r in rows:
        groups[(r.get("problem") or "?", _solver(r, several))].append(r)
    out = []
    for (problem, algorithm), rs in sorted(groups.items()):
        ratios = [r["ratio"] for r in rs if r.get("ratio") is not None]
        times = [max(float(r["seconds"]), _MIN_SECONDS) for r in rs
                 if r.get("value") is not None and r.get("seconds") is not None]
        peaks = [r["peak_rss_mb"] for r in rs if r.get("peak_rss_mb") is not None]
        worst = (max(ratios) if problem in MINIMIZE else min(ratios)) if ratios else None
        out.append({
            "problem": problem, "algorithm": algorithm, "runs": len(rs), "solved": sum(map(solved, rs)),
            "failed": sum(r.get("status") in FAILED for r in rs),
            "mean_ratio": round(sum(ratios) / len(ratios), 4) if ratios else None,
            "worst_ratio": worst,
            "geomean_seconds": round(math.exp(sum(map(math.log, times)) / len(times)), 4) if times else None,
            "peak_rss_mb": max(peaks) if peaks else None,
        })
    return out


def markdown(rows: Sequence[dict[str, Any]], command: str | None = None) -> str:
    """The report's Markdown: the summary table, the failed runs, and the plots' names."""
    lines = ["# Batch report", ""]
    if command:
        lines += ["```", command, "```", ""]
    lines += [f"{len(rows)} runs on {len({r.get('instance') for r in rows})} instances.", "",
              "| problem | algorithm | runs | solved | failed | mean ratio | worst ratio | geo-mean s "
              "| peak MB |",
              "|---|---|---|---|---|---|---|---|---|"]
    for s in summary(rows):
        cells = [s["problem"], s["algorithm"], s["runs"], s["solved"], s["failed"], s["mean_ratio"],
                 s["worst_ratio"], s["geomean_seconds"], s["peak_rss_mb"]]
        lines.append("| " + " | ".join("-" if c is None else str(c) for c in cells) + " |")
    lines += ["", "Ratio: value / optimum (the known optimum, the exact solve's, or the run's proof), else "
              "value / the best bound (an estimate on the safe side); above 1 for set cover (a "
              "minimization), at most 1 otherwise. Solved: a value (an exact run: proven optimal). "
              "Geo-mean s: geometric mean of the seconds inside the command, runs with a value.", ""]
    failed = [r for r in rows if r.get("status") in FAILED]
    if failed:
        lines += ["## Failed runs", "", "| instance | algorithm | status | error |", "|---|---|---|---|"]
        for r in failed:
            error = str(r.get("error") or "").replace("|", "/")
            lines.append(f"| {r.get('instance')} | {r.get('algorithm_requested') or r.get('algorithm')} | "
                         f"{r.get('status')} | {error} |")
        lines.append("")
    lines += ["## Plots", "", "![time profile](profile_time.png)", "",
              "![quality profile](profile_quality.png)", "", "![ratios](ratios.png)", ""]
    if len({r.get("time_limit") for r in rows}) > 1:
        lines += ["![value against time](anytime.png)", ""]
    return "\n".join(lines)


def write_report(rows: Sequence[dict[str, Any]], folder: str | os.PathLike, command: str | None = None
                 ) -> Path:
    """Write ``report.md`` and its plots (``profile_time.png``, ``profile_quality.png``,
    ``ratios.png``, and ``anytime.png`` when the batch has several time limits) into
    ``folder``; returns the Markdown file's path. Needs matplotlib (``pip install
    'submodkit[plots]'``)."""
    from submodkit._optional import require

    require("matplotlib", "--report", str(folder), "the report's plots")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for measure in ("time", "quality"):
        ratios = profile_ratios(rows, measure)
        finite = [v for r in ratios.values() for v in r.values() if math.isfinite(v)]
        top = max(finite + [1.0])
        if measure == "time":
            taus = [2 ** (x / 20) for x in range(0, int(20 * math.log2(max(top, 2.0))) + 21)]
        else:
            taus = [1 + (max(top, 1.01) * 1.05 - 1) * i / 200 for i in range(201)]
        prof = performance_profile(ratios, taus)
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        for s, ys in prof.items():
            ax.step(taus, ys, where="post", label=s)
        if measure == "time":
            ax.set_xscale("log", base=2)
        ax.set_xlabel("tau: within this factor of the best " + ("time" if measure == "time" else "value"))
        ax.set_ylabel("share of problems")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"performance profile ({measure})")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(folder / f"profile_{measure}.png", dpi=110)
        plt.close(fig)
    groups: dict[str, list[float]] = defaultdict(list)
    several = len({r.get("time_limit") for r in rows}) > 1
    for r in rows:
        if r.get("ratio") is not None:
            groups[f"{r.get('problem')}: {_solver(r, several)}"].append(r["ratio"])
    fig, ax = plt.subplots(figsize=(6.4, 0.5 + 0.45 * max(len(groups), 1)))
    if groups:
        names = sorted(groups)
        ax.boxplot([groups[n] for n in names], vert=False, tick_labels=names)
        for i, n in enumerate(names, 1):
            ax.plot(groups[n], [i] * len(groups[n]), "o", alpha=0.5, markersize=3)
    ax.axvline(1.0, color="grey", lw=0.8)
    ax.set_xlabel("ratio (value / optimum or bound)")
    ax.set_title("ratio distributions")
    fig.tight_layout()
    fig.savefig(folder / "ratios.png", dpi=110)
    plt.close(fig)
    if several:
        _anytime_plot(rows, folder, plt)
    path = folder / "report.md"
    path.write_text(markdown(rows, command), encoding="utf-8")
    return path


def _anytime_plot(rows, folder: Path, plt) -> None:
    """Value (relative to the best known) against the seconds used, one line per instance
    and algorithm, over the batch's time limits."""
    lines: dict[tuple, list[tuple[float, float]]] = defaultdict(list)
    best: dict[tuple, float] = {}
    for r in rows:
        if r.get("value") is None:
            continue
        key = _problem_key(r)
        v = float(r["value"]) if r.get("optimum") is None else float(r["optimum"])
        minimize = r.get("problem") in MINIMIZE
        if key not in best or (v < best[key] if minimize else v > best[key]):
            best[key] = v
    for r in rows:
        if r.get("value") is None or r.get("seconds") is None:
            continue
        key = _problem_key(r)
        lines[(key, str(r.get("algorithm_requested") or r.get("algorithm")))].append(
            (float(r["seconds"]), float(r["value"]) / best[key] if best[key] else math.nan))
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for (key, alg), pts in sorted(lines.items(), key=repr):
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=f"{key[0]} {alg}")
    ax.set_xscale("log")
    ax.set_xlabel("seconds")
    ax.set_ylabel("value / best known")
    ax.set_title("value against time")
    if len(lines) <= 12:
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(folder / "anytime.png", dpi=110)
    plt.close(fig)
