"""Runs, per-algorithm summaries and the suite report (Markdown + one PNG per family)."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from submodkit.results import Guarantee

# Guarantees of kind "expectation" (and "high-probability") are checked on the mean ratio
# over the seeds run on one instance, which may fall short of the guarantee by this much
# (absolute, in ratio units) before the run counts as a failure.
EXPECTATION_TOL = 0.05
# Worst-case guarantees are checked per run, up to this relative tolerance (floating point).
WORST_CASE_TOL = 1e-9
# A tight instance family must drive its algorithm's ratio (the mean over seeds for a
# randomized algorithm) to within this much of the family's bound at its largest size.
TIGHT_TOL = 0.02


@dataclass
class Run:
    """One algorithm run next to its reference value.

    Attributes:
        family, algorithm, instance, seed: what ran.
        value: the algorithm's value.
        reference: OPT (``certified=False``) or a proven bound on OPT (``certified=True``).
        reference_kind: ``"exact"`` (both backends agreed when two ran), ``"literature"``,
            ``"construction"`` (a tight instance's known optimum), ``"brute-force"``,
            ``"lp"``, ``"a-posteriori"``, ``"dual-fitting"``.
        ratio: value / reference (<= 1 for maximization, >= 1 for minimization). With a
            certified bound, the true ratio is at least as good.
        guarantee: the run's guarantee (None: no guarantee applies).
        tight: the instance is a tight example for this algorithm.
        group: the instance family (``"random coverage"``, ``"tight max-k-cover"``, ...):
            the report has one row per (algorithm, group).
        tight_bound: for a tight family, the ratio it drives the algorithm to as its size
            grows (``1 - 1/e`` for greedy max-k-cover, ...); ``size`` is the instance's size
            parameter: the largest size must come within :data:`TIGHT_TOL` of the bound
            (unless ``tight_judged`` is False: then it is only reported).
        status: ``"ok"``, ``"below"`` (a worst-case guarantee violated), ``"undecided"``
            (a certified bound too loose to decide), ``"expectation"`` (judged on the mean
            over seeds), ``"no guarantee"``.
    """

    family: str
    algorithm: str
    instance: str
    seed: int | None
    value: float
    reference: float
    reference_kind: str
    ratio: float
    guarantee: Guarantee | None
    certified: bool = False
    tight: bool = False
    status: str = ""
    group: str = ""
    tight_bound: float | None = None
    size: int | None = None
    tight_judged: bool = True

    @property
    def sense(self) -> str:
        return self.guarantee.sense if self.guarantee is not None else "max"

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family, "algorithm": self.algorithm, "instance": self.instance,
            "seed": self.seed, "value": self.value, "reference": self.reference,
            "reference_kind": self.reference_kind, "ratio": self.ratio, "certified": self.certified,
            "tight": self.tight, "status": self.status, "group": self.group,
            "tight_bound": self.tight_bound, "size": self.size, "tight_judged": self.tight_judged,
            "guarantee": None if self.guarantee is None else self.guarantee.to_dict(),
        }


RATIO_TOL = 1e-9
"""A value within this relative distance of its reference has ratio 1: the two come from
different computations (a fractional allocation summed in another order than the LP solver's
objective: 20580.09270530761 against 20580.0927053076 on AdX pub1) and may differ in the last
bits, which would read as a ratio above 1 against an optimum."""


def ratio_of(value: float, reference: float) -> float:
    """``value / reference``, 1 when they agree to `RATIO_TOL` (relative), ``inf`` for a
    positive value against a reference of 0."""
    if reference == 0:
        return 1.0 if value == 0 else math.inf
    if math.isclose(value, reference, rel_tol=RATIO_TOL):
        return 1.0
    return float(value / reference)


def _meets(ratio: float, g: Guarantee, tol: float) -> bool:
    if g.sense == "max":
        return ratio >= g.ratio - tol
    return ratio <= g.ratio + tol


def judge(runs: list[Run]) -> list[str]:
    """Set each run's ``status``; return the failures (one line each).

    Worst-case guarantees: per run. Expectation / high-probability: the mean ratio over
    the seeds of one (algorithm, instance) within :data:`EXPECTATION_TOL`. Asymptotic
    guarantees are reported, never failed. A run against a certified bound that does not
    reach its guarantee is ``undecided`` (the bound may be loose), not a failure.
    """
    failures: list[str] = []
    groups: dict[tuple, list[Run]] = {}
    for r in runs:
        g = r.guarantee
        if g is None:
            r.status = "no guarantee"
            continue
        if g.kind in ("expectation", "high-probability"):
            r.status = "expectation"
            groups.setdefault((r.family, r.algorithm, r.instance), []).append(r)
            continue
        ok = _meets(r.ratio, g, WORST_CASE_TOL * max(1.0, g.ratio))
        if ok:
            r.status = "ok"
        elif r.certified or g.kind == "asymptotic":
            r.status = "undecided"
        else:
            r.status = "below"
            failures.append(f"{r.family}/{r.algorithm} on {r.instance} (seed {r.seed}): ratio "
                            f"{r.ratio:.6f} below its guarantee {g.statement} = {g.ratio:.6f}")
    for (fam, alg, inst), rs in groups.items():
        mean = float(np.mean([r.ratio for r in rs]))
        g = rs[0].guarantee
        if not _meets(mean, g, EXPECTATION_TOL):
            if all(r.certified for r in rs):
                for r in rs:
                    r.status = "undecided"
                continue
            for r in rs:
                r.status = "below"
            failures.append(f"{fam}/{alg} on {inst}: mean ratio {mean:.4f} over {len(rs)} seeds below "
                            f"its expected guarantee {g.ratio:.4f} - {EXPECTATION_TOL}")
    return failures


@dataclass
class Summary:
    """One row of the report: an algorithm of a family over all its runs."""

    family: str
    algorithm: str
    group: str
    guarantee: str
    kind: str
    guarantee_ratios: tuple[float, float] | None
    runs: int
    worst: float
    median: float
    worst_certified: float | None
    references: str
    tight_worst: float | None
    ok: bool
    undecided: int
    maximize: bool = True

    def cells(self) -> list[str]:
        if self.guarantee_ratios is None:
            gr = "-"
        elif abs(self.guarantee_ratios[0] - self.guarantee_ratios[1]) < 1e-12:
            gr = f"{self.guarantee_ratios[0]:.4f}"
        else:
            gr = f"{self.guarantee_ratios[0]:.4f}..{self.guarantee_ratios[1]:.4f}"
        ok = "yes" if self.ok else "**NO**"
        if self.undecided:
            ok += f" ({self.undecided} undecided)"
        return [
            self.algorithm, self.group or "-", f"{self.guarantee} ({self.kind})", gr, str(self.runs),
            _fmt(self.worst), _fmt(self.median),
            "-" if self.tight_worst is None else _fmt(self.tight_worst),
            "-" if self.worst_certified is None
            else f"{'at least' if self.maximize else 'at most'} {_fmt(self.worst_certified)}",
            self.references, ok,
        ]


def _fmt(x: float) -> str:
    return "inf" if not math.isfinite(x) else f"{x:.4f}"


def summarize(runs: list[Run]) -> list[Summary]:
    out = []
    keys: dict[tuple[str, str, str], list[Run]] = {}
    for r in runs:
        keys.setdefault((r.family, r.algorithm, r.group), []).append(r)
    for (fam, alg, group), rs in keys.items():
        exact = [r for r in rs if not r.certified]
        cert = [r for r in rs if r.certified]
        sense = rs[0].sense
        worst_fn = min if sense == "max" else max
        gs = [r.guarantee for r in rs if r.guarantee is not None]
        ratios = [r.ratio for r in exact] or [r.ratio for r in rs]
        tight = [r.ratio for r in exact if r.tight]
        s = Summary(
            family=fam, algorithm=alg, group=group,
            guarantee=gs[0].statement if gs else "none",
            kind=gs[0].kind if gs else "-",
            guarantee_ratios=(min(g.ratio for g in gs), max(g.ratio for g in gs)) if gs else None,
            runs=len(rs), worst=worst_fn(ratios), median=float(np.median(ratios)),
            worst_certified=worst_fn([r.ratio for r in cert]) if cert else None,
            references=", ".join(sorted({r.reference_kind for r in rs})),
            tight_worst=worst_fn(tight) if tight else None,
            ok=not any(r.status == "below" for r in rs),
            undecided=sum(r.status == "undecided" for r in rs),
            maximize=sense == "max",
        )
        out.append(s)
    return out


HEADER = ["algorithm", "instances", "guarantee", "ratio bound", "runs", "worst", "median", "worst on tight",
          "certified (no exact OPT)", "reference", "ok"]


@dataclass
class TightRow:
    """A tight instance family at its largest size: the measured ratio next to its bound."""

    family: str
    algorithm: str
    group: str
    size: int
    bound: float
    measured: float
    runs: int
    guarantee: float | None
    sizes: tuple[int, ...]
    judged: bool = True

    @property
    def gap(self) -> float:
        return abs(self.measured - self.bound)

    @property
    def within(self) -> bool:
        return self.gap <= TIGHT_TOL + 1e-12

    def cells(self) -> list[str]:
        return [self.algorithm, self.group, ", ".join(map(str, self.sizes)), str(self.size),
                "-" if self.guarantee is None else _fmt(self.guarantee), _fmt(self.bound),
                _fmt(self.measured) + (f" (mean of {self.runs})" if self.runs > 1 else ""),
                f"{self.gap:.4f}",
                "yes" if self.within else ("**NO**" if self.judged else "no (reported only)")]

    def to_dict(self) -> dict[str, Any]:
        return {"family": self.family, "algorithm": self.algorithm, "group": self.group,
                "size": self.size, "sizes": list(self.sizes), "bound": self.bound,
                "measured": self.measured, "runs": self.runs, "guarantee": self.guarantee,
                "gap": self.gap, "within": self.within, "judged": self.judged}


TIGHT_HEADER = ["algorithm", "tight family", "sizes run", "largest", "guarantee there", "bound",
                "measured ratio (largest)", "gap", f"within {TIGHT_TOL}"]


def judge_tight(runs: list[Run]) -> tuple[list[TightRow], list[str]]:
    """For every (family, algorithm, tight group): the mean ratio over the runs at the
    largest size, next to the group's bound; a failure when they differ by more than
    :data:`TIGHT_TOL` (the bound is then not shown to be reached), unless the runs say
    ``tight_judged=False`` (reported only)."""
    groups: dict[tuple[str, str, str], list[Run]] = {}
    for r in runs:
        if r.tight_bound is not None and r.size is not None and not r.certified:
            groups.setdefault((r.family, r.algorithm, r.group), []).append(r)
    rows, failures = [], []
    for (fam, alg, group), rs in groups.items():
        largest = max(r.size for r in rs)
        top = [r for r in rs if r.size == largest]
        g = top[0].guarantee
        row = TightRow(fam, alg, group, largest, float(top[0].tight_bound),
                       float(np.mean([r.ratio for r in top])), len(top),
                       None if g is None else float(g.ratio), tuple(sorted({r.size for r in rs})),
                       judged=all(r.tight_judged for r in rs))
        rows.append(row)
        if row.judged and not row.within:
            failures.append(f"{fam}/{alg} on {group} (size {largest}): measured ratio {row.measured:.4f} "
                            f"is {row.gap:.4f} from the tight bound {row.bound:.4f} (tolerance {TIGHT_TOL})")
    return rows, failures


@dataclass
class SuiteReport:
    """What :func:`~submodkit.verification.run_suite` found.

    Attributes
    ----------
    suite
        the suite's name. seeds: the seeds run. backends: exact backends used.
    runs
        every :class:`Run`. failures: guarantees violated. errors: exact backends
        disagreeing, or a family that raised. tight: one :class:`TightRow` per tight
        family and algorithm; tight_failures: those farther than ``TIGHT_TOL`` from
        their bound at the largest size. skipped: families not run, with the reason.
    seconds
        wall-clock time. command: the command that produced the report.

    Examples
    --------
    >>> from submodkit.verification import run_suite
    >>> report = run_suite("set-cover", seeds=[0], progress=False)
    >>> report.ok, report.suite
    (True, 'set-cover')

    References
    ----------
    .. [1] :func:`~submodkit.verification.run_suite`.
    """

    suite: str
    seeds: tuple[int, ...]
    backends: tuple[str, ...]
    runs: list[Run] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    families: list[str] = field(default_factory=list)
    seconds: float = 0.0
    command: str | None = None
    agreements: int = 0
    tight: list[TightRow] = field(default_factory=list)
    tight_failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No guarantee violated, every tight family within ``TIGHT_TOL`` of its bound, no
        backend disagreement, no family error."""
        return not self.failures and not self.errors and not self.tight_failures

    def summaries(self) -> list[Summary]:
        return summarize(self.runs)

    def rows(self, family: str) -> list[Run]:
        return [r for r in self.runs if r.family == family]

    def to_markdown(self) -> str:
        lines = []
        if self.command:
            lines += [f"Produced by: `{self.command}`", ""]
        lines += [
            f"# Verification report: suite `{self.suite}`", "",
            f"- result: **{'OK' if self.ok else 'NOT OK'}**; {len(self.runs)} runs over "
            f"{len(self.families)} families in {self.seconds:.1f} s; seeds {list(self.seeds)}",
            f"- exact backends: {', '.join(self.backends)}"
            + (f" ({self.agreements} optima computed by both, all equal)"
               if len(self.backends) > 1 and not any("disagree" in e for e in self.errors) else ""),
            "- ratio = ALG / OPT (maximization: guarantee is a lower bound; set cover: ALG / OPT "
            "with an upper bound H(d)); `worst` and `median` over runs with a proven optimum.",
            "- worst-case guarantees are checked per run; expectation and high-probability ones on "
            f"the mean ratio over the seeds of each instance, with tolerance {EXPECTATION_TOL}; "
            "asymptotic ones are reported only.",
            "- `certified`: instances where exact was out of reach; the ratio against a proven bound "
            "(LP, greedy a-posteriori, dual fitting) is what the run is certified to reach at least.",
            f"- tight instances: {sum(t.within for t in self.tight)} of {len(self.tight)} tight families "
            f"drive their algorithm's ratio (the mean over seeds for a randomized algorithm) to within "
            f"{TIGHT_TOL} of the bound at the largest size run (a failure otherwise, except rows marked "
            "`reported only`); see the table below and each family's.",
            "",
        ]
        problems = self.failures + self.tight_failures + self.errors
        if problems:
            lines += ["## Problems", ""] + [f"- {x}" for x in problems] + [""]
        if self.tight:
            lines += ["## Tight instances: measured ratio next to the bound", "",
                      "| family | " + " | ".join(TIGHT_HEADER) + " |", "|" + "---|" * (len(TIGHT_HEADER) + 1)]
            lines += ["| " + " | ".join([t.family] + t.cells()) + " |" for t in self.tight]
            lines.append("")
        for fam in self.families:
            lines += [f"## {fam}", "", "| " + " | ".join(HEADER) + " |",
                      "|" + "---|" * len(HEADER)]
            for s in self.summaries():
                if s.family == fam:
                    lines.append("| " + " | ".join(s.cells()) + " |")
            tight = [t for t in self.tight if t.family == fam]
            if tight:
                lines += ["", "Tight instances (largest size):", "",
                          "| " + " | ".join(TIGHT_HEADER) + " |", "|" + "---|" * len(TIGHT_HEADER)]
                lines += ["| " + " | ".join(t.cells()) + " |" for t in tight]
            insts = sorted({r.instance for r in self.rows(fam)})
            shown = ", ".join(insts[:12]) + (f", ... ({len(insts)} in all)" if len(insts) > 12 else "")
            lines += ["", f"Instances: {shown}", "", f"![{fam}]({fam}.png)", ""]
        if self.skipped:
            lines += ["## Not run", ""] + [f"- {k}: {v}" for k, v in self.skipped.items()] + [""]
        return "\n".join(lines)

    def write(self, directory: str | os.PathLike) -> Path:
        """Write ``report.md``, ``runs.json`` and ``<family>.png`` into ``directory``;
        returns the Markdown file's path."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        for fam in self.families:
            self.plot(fam, d / f"{fam}.png")
        (d / "runs.json").write_text(json.dumps(
            {"suite": self.suite, "ok": self.ok, "seeds": list(self.seeds), "backends": list(self.backends),
             "failures": self.failures, "errors": self.errors, "skipped": self.skipped,
             "tight_failures": self.tight_failures, "tight": [t.to_dict() for t in self.tight],
             "runs": [r.to_dict() for r in self.runs]}, indent=1, default=_json_default))
        path = d / "report.md"
        path.write_text(self.to_markdown() + "\n")
        return path

    def plot(self, family: str, path: str | os.PathLike) -> None:
        """Measured ratio distribution per algorithm and instance family, each guarantee drawn
        as a red line and a tight family's bound as green dashes."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        runs = self.rows(family)
        keys = list(dict.fromkeys((r.algorithm, r.group) for r in runs))
        fig, ax = plt.subplots(figsize=(min(24.0, max(4.0, 1.0 * len(keys) + 1.5)), 4.2))
        rng = np.random.default_rng(0)
        labelled: set[str] = set()

        def label(text: str) -> str | None:
            if text in labelled:
                return None
            labelled.add(text)
            return text

        for i, key in enumerate(keys):
            rs = [r for r in runs if (r.algorithm, r.group) == key]
            for certified, marker, color in ((False, "o", "tab:blue"), (True, "^", "tab:gray")):
                ys = [r.ratio for r in rs if r.certified == certified and math.isfinite(r.ratio)]
                if ys:
                    xs = i + rng.uniform(-0.18, 0.18, len(ys))
                    ax.scatter(xs, ys, s=12, marker=marker, color=color, alpha=0.6,
                               label=label("certified bound" if certified else "exact OPT"))
            ys = [r.ratio for r in rs if not r.certified and math.isfinite(r.ratio)]
            if len(ys) > 4:
                ax.boxplot([ys], positions=[i], widths=0.5, showfliers=False)
            for gr in sorted({round(r.guarantee.ratio, 9) for r in rs if r.guarantee is not None}):
                ax.hlines(gr, i - 0.4, i + 0.4, colors="red", linewidth=1.6,
                          label=label("guarantee"))
            for tb in sorted({round(r.tight_bound, 9) for r in rs if r.tight_bound is not None}):
                ax.hlines(tb, i - 0.4, i + 0.4, colors="tab:green", linewidth=1.4, linestyles="dashed",
                          label=label("tight family's bound"))
        ax.set_xticks(range(len(keys)), [f"{a} | {g}" if g else a for a, g in keys], rotation=30,
                      ha="right", fontsize=7)
        ax.set_ylabel("ALG / OPT")
        ax.set_title(f"{family}: measured ratios (red: guarantee, green dashes: tight bound)", fontsize=10)
        handles, labels = ax.get_legend_handles_labels()
        if handles:
            ax.legend(fontsize=7, loc="best")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)

    def __str__(self) -> str:
        verdict = "OK" if self.ok else "NOT OK"
        lines = [f"suite {self.suite}: {verdict} ({len(self.runs)} runs, {self.seconds:.1f} s)"]
        for s in self.summaries():
            if s.guarantee_ratios is None:
                g = "-"
            elif abs(s.guarantee_ratios[0] - s.guarantee_ratios[1]) < 1e-12:
                g = _fmt(s.guarantee_ratios[0])
            else:  # instances of the row have different guarantees (H(d), k-dependent, ...)
                g = f"{_fmt(s.guarantee_ratios[0])}..{_fmt(s.guarantee_ratios[1])}"
            lines.append(f"  {s.family:15s} {s.algorithm:26s} {s.group[:44]:44s} guarantee {g} "
                         f"worst {_fmt(s.worst)} median {_fmt(s.median)} {'ok' if s.ok else 'BELOW'}")
        for t in self.tight:
            verdict = "ok" if t.within else ("NOT TIGHT" if t.judged else "not tight (reported only)")
            lines.append(f"  tight {t.family:9s} {t.algorithm:26s} {t.group[:44]:44s} size {t.size}: "
                         f"{_fmt(t.measured)} vs bound {_fmt(t.bound)} {verdict}")
        lines += [f"  FAIL {x}" for x in self.failures + self.tight_failures]
        lines += [f"  ERROR {x}" for x in self.errors]
        return "\n".join(lines)


def _json_default(x):
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        f = float(x)
        return f if math.isfinite(f) else None
    return str(x)
