"""`run_suite`: every algorithm family on its instance families, ratios against exact optima."""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from submodkit._validation import check_choice
from submodkit.errors import InvalidParameterError
from submodkit.results import Guarantee, Solution
from submodkit.verification.report import Run, SuiteReport, judge, judge_tight, ratio_of

BACKENDS = ("ortools", "pyomo")
SUITES = ("quick", "full")
_AGREE_TOL = 1e-6


@dataclass
class Family:
    """An algorithm family: ``run(ctx)`` yields :class:`Run` records.

    ``requires`` lists the modules the family needs; a family whose modules do not import
    is skipped with the reason in the report.
    """

    name: str
    run: Callable[[Context], Iterable[Run]]
    requires: tuple[str, ...] = ()
    description: str = ""


FAMILIES: dict[str, Family] = {}


def register_family(name: str, requires: Sequence[str] = (), description: str = ""):
    """Decorator adding ``fn(ctx) -> Iterable[Run]`` to :data:`FAMILIES` under ``name``."""

    def deco(fn: Callable[[Context], Iterable[Run]]):
        FAMILIES[name] = Family(name, fn, tuple(requires), description or (fn.__doc__ or "").strip())
        return fn

    return deco


def default_data_dir() -> Path | None:
    """``../shared/data`` next to the repository, when present."""
    d = Path(__file__).resolve().parents[2].parent / "shared" / "data"
    return d if d.is_dir() else None


@dataclass
class Context:
    """What a family needs: the suite, the seeds, the exact backends, the data folder."""

    suite: str
    seeds: tuple[int, ...]
    backends: tuple[str, ...]
    data: Path | None
    family: str = ""
    errors: list[str] = field(default_factory=list)
    agreements: int = 0

    @property
    def full(self) -> bool:
        return self.suite == "full"

    # -- exact optima, cross-checked between backends ----------------------------------

    def exact(self, problem: str, instance: str, *args: Any, time_limit: float | None = 60.0, **kw: Any
              ) -> Solution:
        """OPT of ``problem`` (``"set-cover"``, ``"max-cover"``, ``"facility-location"``,
        ``"coverage-profit"``) with OR-Tools, and with Pyomo/HiGHS too when ``"pyomo"`` is a
        backend (coverage minus cost, which has no Pyomo model: HiGHS through OR-Tools); a
        disagreement between two optimal values is recorded as an error."""
        from submodkit.solvers.cover.exact import exact_coverage_profit, exact_max_cover, exact_set_cover
        from submodkit.solvers.submodular.exact import exact_facility_location

        fn = {"set-cover": exact_set_cover, "max-cover": exact_max_cover,
              "facility-location": exact_facility_location, "coverage-profit": exact_coverage_profit}[problem]
        res = fn(*args, time_limit=time_limit, **kw)
        if "pyomo" in self.backends:
            from submodkit.mip import pyomo as P

            pfn = {"set-cover": P.pyomo_set_cover, "max-cover": P.pyomo_max_cover,
                   "facility-location": P.pyomo_facility_location,
                   "coverage-profit": partial(exact_coverage_profit, solver="highs")}[problem]
            other = pfn(*args, time_limit=time_limit, **kw)
            if res.optimal and other.optimal:
                scale = max(1.0, abs(res.value))
                if abs(res.value - other.value) > _AGREE_TOL * scale:
                    self.errors.append(
                        f"{self.family}: exact backends disagree on {instance} ({problem}): OR-Tools "
                        f"{res.algorithm} {res.value!r} vs Pyomo/HiGHS {other.value!r}")
                else:
                    self.agreements += 1
            elif other.optimal and not res.optimal:
                res = other
        return res

    def run(self, algorithm: str, instance: str, value: float, reference: float | Solution, kind: str,
            guarantee: Guarantee | None, *, seed: int | None = None, certified: bool = False,
            tight: bool = False, group: str = "", tight_bound: float | None = None,
            size: int | None = None, tight_judged: bool = True) -> Run:
        """A :class:`Run`; ``reference`` may be an ``Solution``: its optimum, or, when the
        solver stopped early, its proven bound (the run is then certified, not exact).

        ``group`` names the instance family (one report row per algorithm and group); a
        tight family gives ``tight_bound`` (the ratio it drives the algorithm to) and the
        instance's ``size``: at the largest size the ratio must be within ``TIGHT_TOL``
        (``tight_judged=False``: reported next to the bound, never a failure)."""
        if isinstance(reference, Solution):
            if reference.optimal:
                reference = reference.value
            elif reference.bound is not None:
                reference, kind, certified = reference.bound, f"{reference.algorithm} bound (timeout)", True
            else:
                raise RuntimeError(f"{self.family}: no optimum or bound for {instance}")
        return Run(self.family, algorithm, instance, seed, float(value), float(reference), kind,
                   ratio_of(float(value), float(reference)), guarantee, certified,
                   tight or tight_bound is not None, group=group, tight_bound=tight_bound, size=size,
                   tight_judged=tight_judged)


def _load_builtin() -> None:
    importlib.import_module("submodkit.verification.families")


def available_families() -> dict[str, str | None]:
    """Every registered family and why it cannot run (None when it can)."""
    _load_builtin()
    from submodkit._optional import install_hint, missing

    out: dict[str, str | None] = {}
    for name, fam in FAMILIES.items():
        out[name] = None
        for mod in fam.requires:
            if not mod.startswith("submodkit") and missing(mod):
                out[name] = f"{mod} is not installed ({install_hint(mod)})"
                break
            try:
                importlib.import_module(mod)
            except Exception as exc:  # a family being written may not import yet
                out[name] = f"{mod} does not import ({type(exc).__name__}: {exc})"
                break
    return out


def run_suite(
    name: str = "quick",
    seeds: Sequence[int] | None = None,
    backends: Sequence[str] = ("ortools",),
    progress: bool = True,
    data: str | Path | None = None,
    command: str | None = None,
) -> SuiteReport:
    """Run the verification suite and return a :class:`SuiteReport`.

    Parameters
    ----------
    name
        ``"quick"`` (small random and tight instances, a minute or so), ``"full"``
        (larger sizes, more seeds, the real instances of ``data`` when present), or the
        name of one family (run at the quick sizes).
    seeds
        seeds of the randomized instances and algorithms (default 5 for quick,
        10 for full).
    backends
        exact backends, ``("ortools",)`` or ``("ortools", "pyomo")``; with two,
        every optimum both solve must agree (an error in the report otherwise).
    progress
        a tqdm line per family on stderr.
    data
        the reference data folder (default ``../shared/data`` when present).
    command
        the command line to print at the top of the report.

    Returns
    -------
    :class:`SuiteReport`; ``report.ok`` is False if any ratio falls below its guarantee
    (expectation guarantees: the mean over seeds, beyond ``EXPECTATION_TOL``), if a
    tight family's ratio at its largest size is farther than ``TIGHT_TOL`` from its
    bound, if the backends disagree, or if a family raised.

    Examples
    --------
    >>> report = run_suite("set-cover", seeds=[0], progress=False)
    >>> report.ok
    True

    References
    ----------
    .. [1] The guarantees' sources: :data:`submodkit.guarantees.GUARANTEES`.
    """
    avail = available_families()
    if name in SUITES:
        names = list(FAMILIES)
        suite = name
    elif name in FAMILIES:
        names, suite = [name], "quick"
        if avail.get(name) is not None:  # one family asked for by name: it must run
            raise InvalidParameterError("name", name, f"a family that can run here: {avail[name]}")
    else:
        raise InvalidParameterError("name", name, f"one of {', '.join(SUITES + tuple(FAMILIES))}")
    backends = tuple(backends)
    for b in backends:
        check_choice("backends", b, BACKENDS)
    if "ortools" not in backends:
        raise InvalidParameterError("backends", backends, "a tuple containing 'ortools'")
    if "pyomo" in backends:
        from submodkit._optional import require

        for module in ("pyomo", "highspy"):
            require(module, "backends", ",".join(backends), "the Pyomo + HiGHS backend")
    if seeds is None:
        seeds = range(5 if suite == "quick" else 10)
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise InvalidParameterError("seeds", seeds, "at least one seed")
    data_dir = Path(data) if data is not None else default_data_dir()
    report = SuiteReport(name, seeds, backends, command=command)
    start = time.perf_counter()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(names), desc="verify", file=sys.stderr, leave=True)
    for fam_name in names:
        if bar is not None:
            bar.set_postfix_str(fam_name)
        reason = avail.get(fam_name)
        if reason is not None:
            report.skipped[fam_name] = reason
        else:
            ctx = Context(suite, seeds, backends, data_dir, family=fam_name)
            t0 = time.perf_counter()
            try:
                runs = list(FAMILIES[fam_name].run(ctx))
            except Exception as exc:
                report.errors.append(f"{fam_name}: raised {type(exc).__name__}: {exc}")
                runs = []
            report.runs += runs
            report.errors += ctx.errors
            report.agreements += ctx.agreements
            report.families.append(fam_name)
            if not runs and not any(e.startswith(fam_name) for e in report.errors):
                report.errors.append(f"{fam_name}: produced no runs")
            if bar is not None:
                took = time.perf_counter() - t0
                bar.write(f"{fam_name}: {len(runs)} runs in {took:.1f} s", file=sys.stderr)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    report.failures = judge(report.runs)
    report.tight, report.tight_failures = judge_tight(report.runs)
    report.seconds = time.perf_counter() - start
    return report
