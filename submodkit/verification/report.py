"""Runs, per-algorithm summaries and the suite report (Markdown + one PNG per family)."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from submodkit.solution import Guarantee

# Guarantees of kind "expectation" (and "high-probability") are checked on the mean ratio
# over the seeds run on one instance, which may fall short of the guarantee by this much
# (absolute, in ratio units) before the run counts as a failure.
EXPECTATION_TOL = 0.05
# Worst-case guarantees are checked per run, up to this relative tolerance (floating point).
WORST_CASE_TOL = 1e-9


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

    @property
    def sense(self) -> str:
        return self.guarantee.sense if self.guarantee is not None else "max"

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family, "algorithm": self.algorithm, "instance": self.instance,
            "seed": self.seed, "value": self.value, "reference": self.reference,
            "reference_kind": self.reference_kind, "ratio": self.ratio, "certified": self.certified,
            "tight": self.tight, "status": self.status,
            "guarantee": None if self.guarantee is None else self.guarantee.to_dict(),
        }


def ratio_of(value: float, reference: float) -> float:
    if reference == 0:
        return 1.0 if value == 0 else math.inf
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
            self.algorithm, f"{self.guarantee} ({self.kind})", gr, str(self.runs),
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
    keys: dict[tuple[str, str], list[Run]] = {}
    for r in runs:
        keys.setdefault((r.family, r.algorithm), []).append(r)
    for (fam, alg), rs in keys.items():
        exact = [r for r in rs if not r.certified]
        cert = [r for r in rs if r.certified]
        sense = rs[0].sense
        worst_fn = min if sense == "max" else max
        gs = [r.guarantee for r in rs if r.guarantee is not None]
        ratios = [r.ratio for r in exact] or [r.ratio for r in rs]
        tight = [r.ratio for r in exact if r.tight]
        s = Summary(
            family=fam, algorithm=alg,
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


HEADER = ["algorithm", "guarantee", "ratio bound", "runs", "worst", "median", "worst on tight",
          "certified (no exact OPT)", "reference", "ok"]


@dataclass
class SuiteReport:
    """What :func:`~submodkit.verification.run_suite` found.

    Attributes:
        suite: the suite's name. seeds: the seeds run. backends: exact backends used.
        runs: every :class:`Run`. failures: guarantees violated. errors: exact backends
            disagreeing, or a family that raised. skipped: families not run, with the reason.
        seconds: wall-clock time. command: the command that produced the report.
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

    @property
    def ok(self) -> bool:
        """No guarantee violated, no backend disagreement, no family error."""
        return not self.failures and not self.errors

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
            "",
        ]
        if self.failures or self.errors:
            lines += ["## Problems", ""] + [f"- {x}" for x in self.failures + self.errors] + [""]
        for fam in self.families:
            lines += [f"## {fam}", "", "| " + " | ".join(HEADER) + " |",
                      "|" + "---|" * len(HEADER)]
            for s in self.summaries():
                if s.family == fam:
                    lines.append("| " + " | ".join(s.cells()) + " |")
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
             "runs": [r.to_dict() for r in self.runs]}, indent=1, default=_json_default))
        path = d / "report.md"
        path.write_text(self.to_markdown() + "\n")
        return path

    def plot(self, family: str, path: str | os.PathLike) -> None:
        """Measured ratio distribution per algorithm, each guarantee drawn as a red line."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        runs = self.rows(family)
        algs = list(dict.fromkeys(r.algorithm for r in runs))
        fig, ax = plt.subplots(figsize=(max(4.0, 1.3 * len(algs) + 1.5), 3.6))
        rng = np.random.default_rng(0)
        labelled: set[str] = set()

        def label(text: str) -> str | None:
            if text in labelled:
                return None
            labelled.add(text)
            return text

        for i, alg in enumerate(algs):
            rs = [r for r in runs if r.algorithm == alg]
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
        ax.set_xticks(range(len(algs)), algs, rotation=20, ha="right", fontsize=8)
        ax.set_ylabel("ALG / OPT")
        ax.set_title(f"{family}: measured ratios (red: guarantee)", fontsize=10)
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
            lines.append(f"  {s.family:15s} {s.algorithm:26s} guarantee {g} worst {_fmt(s.worst)} "
                         f"median {_fmt(s.median)} {'ok' if s.ok else 'BELOW'}")
        lines += [f"  FAIL {x}" for x in self.failures] + [f"  ERROR {x}" for x in self.errors]
        return "\n".join(lines)


def _json_default(x):
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        f = float(x)
        return f if math.isfinite(f) else None
    return str(x)
