"""The quick verification suite passes, covers every family, and its certificates are valid."""

from __future__ import annotations

import numpy as np
import pytest

from submodkit.objectives import Coverage
from submodkit.verification import available_families, certify, run_suite


@pytest.fixture(scope="module")
def quick_report():
    backends = ("ortools", "pyomo")
    try:
        import highspy  # noqa: F401
        import pyomo  # noqa: F401
    except ImportError:
        backends = ("ortools",)
    return run_suite("quick", seeds=range(3), backends=backends, progress=False)


def test_quick_suite_ok(quick_report, tmp_path):
    r = quick_report
    assert r.ok, "\n".join(r.failures + r.errors)
    runnable = [name for name, why in available_families().items() if why is None]
    assert set(r.families) == set(runnable)
    for fam in r.families:
        assert r.rows(fam), fam
    path = r.write(tmp_path)
    text = path.read_text()
    assert "| algorithm |" in text and "greedy" in text
    for fam in r.families:
        assert (tmp_path / f"{fam}.png").stat().st_size > 1000


def test_backends_agree(quick_report):
    if "pyomo" in quick_report.backends:
        assert quick_report.agreements > 20
        assert not [e for e in quick_report.errors if "disagree" in e]


TIGHT_EXPECTED = {
    ("greedy", "naive"), ("greedy", "lazy"), ("set-cover", "greedy"), ("set-cover", "greedy+prune"),
    ("streaming", "sieve-streaming++"), ("streaming", "sieve-streaming"), ("diversity", "gmm (max-min)"),
    ("online-matching", "ranking"), ("online-matching", "greedy"), ("online-matching", "balance"),
    ("allocation", "greedy"), ("allocation", "balance"),
}


def test_tight_generators_reach_the_bound(quick_report):
    """Every tight family is in the report and within TIGHT_TOL of its bound at its largest size."""
    from submodkit.verification import TIGHT_TOL

    rows = quick_report.tight
    judged = {(t.family, t.algorithm) for t in rows if t.judged}
    assert TIGHT_EXPECTED <= judged
    for t in rows:
        if t.judged:
            assert t.gap <= TIGHT_TOL, t
            assert t.size == max(t.sizes)
    assert not quick_report.tight_failures
    text = quick_report.to_markdown()
    assert "## Tight instances: measured ratio next to the bound" in text


def test_one_row_per_instance_family(quick_report):
    """Report rows never merge instance families (random, tight, real data)."""
    summaries = quick_report.summaries()
    assert all(s.group for s in summaries)
    keys = [(s.family, s.algorithm, s.group) for s in summaries]
    assert len(keys) == len(set(keys))
    alloc = {s.group for s in summaries if s.family == "allocation"}
    assert len(alloc) >= 5
    for s in summaries:
        runs = [r for r in quick_report.rows(s.family) if (r.algorithm, r.group) == (s.algorithm, s.group)]
        assert len({r.tight for r in runs}) == 1  # tight and random runs never share a row


def test_a_tight_family_short_of_its_bound_fails():
    from submodkit.guarantees import guarantee
    from submodkit.verification.report import Run, judge_tight

    g = guarantee("greedy", k=2)
    runs = [Run("f", "a", f"i{n}", None, 0.9, 1.0, "construction", 0.9, g, group="t", tight_bound=0.75,
                size=n)
            for n in (2, 4)]
    rows, failures = judge_tight(runs)
    assert len(rows) == 1 and rows[0].size == 4 and not rows[0].within and failures
    for r in runs:
        r.tight_judged = False
    rows, failures = judge_tight(runs)
    assert not rows[0].within and not failures


def test_a_violation_is_reported():
    from submodkit.guarantees import guarantee
    from submodkit.verification.report import Run, judge

    g = guarantee("greedy", k=2)
    runs = [Run("f", "a", "i", 0, 0.5, 1.0, "exact", 0.5, g)]
    assert judge(runs) and runs[0].status == "below"
    runs = [Run("f", "a", "i", 0, 0.5, 1.0, "lp", 0.5, g, certified=True)]
    assert not judge(runs) and runs[0].status == "undecided"


@pytest.mark.parametrize("seed", range(3))
def test_certificates_are_valid(seed):
    from submodkit.instances.generators import random_set_system
    from submodkit.solvers.cover.exact import exact_max_cover, exact_set_cover
    from submodkit.solvers.cover.set_covering import set_cover
    from submodkit.solvers.submodular.greedy import maximize

    ss = random_set_system(25, 40, density=0.12, seed=seed, costs="random", weighted=True,
                           ensure_covered=True)
    opt = exact_set_cover(ss.sets, ss.costs).value
    cert = certify(set_cover(ss, lower_bound=None), ss)
    assert cert.sense == "min" and cert.bound <= opt + 1e-9
    assert set(cert.bounds) == {"lp", "dual-fitting"}
    cov = Coverage.from_set_system(ss)
    opt = exact_max_cover(ss.sets, ss.weights, k=4).value
    sol = maximize(cov, 4)
    cert = certify(sol, cov, k=4)
    assert cert.bound >= opt - 1e-9 and cert.certified_ratio <= sol.value / opt + 1e-12
    assert set(cert.bounds) == {"a-posteriori", "lp"}


def test_allocation_certificate():
    from submodkit.instances.allocation import random_allocation_instance
    from submodkit.solvers.allocation.offline import brute_force_optimum
    from submodkit.solvers.allocation.online import allocate

    inst = random_allocation_instance(6, 3, density=0.67, kind="budget", seed=1)
    cert = certify(allocate(inst, algorithm="greedy"), inst)
    assert cert.kind == "lp" and cert.bound >= brute_force_optimum(inst) - 1e-9
    assert np.isfinite(cert.certified_ratio)


# matching-exact is the suite's reference (blossom), not a measured row; sketch-greedy's small
# quick instances fit the sketch whole, so those runs carry lazy greedy's guarantee instead.
# adaptive-nonmonotone: its claim needs epsilon < 0.039, where REDUCED-MEAN's Hoeffding counts run to
# millions of samples; the suite runs it at epsilon 0.3, where nothing is claimed (its rows carry no
# guarantee and are reported against brute force)
_NOT_IN_SUITE = {"matching-exact", "sketch-greedy", "adaptive-nonmonotone"}


def test_every_registered_guarantee_has_a_quick_suite_row():
    from submodkit.guarantees import GUARANTEES

    report = run_suite("quick", seeds=[0], progress=False)
    seen = {(r.guarantee.statement, r.guarantee.source) for r in report.runs if r.guarantee is not None}
    missing = [key for key, spec in GUARANTEES.items()
               if key not in _NOT_IN_SUITE and (spec.statement, spec.source) not in seen]
    assert not missing, f"guarantees with no quick-suite run: {missing}"


def test_ratio_of_is_one_within_rounding_of_the_reference():
    # proportional allocation reaches the LP optimum of AdX pub1 up to the last bits (another
    # summation order): the suite read 1.0000000000000004 against an optimum
    from submodkit.verification.report import ratio_of

    assert ratio_of(20580.09270530761, 20580.0927053076) == 1.0
    assert ratio_of(1.0 - 1e-12, 1.0) == 1.0
    assert ratio_of(1.001, 1.0) == pytest.approx(1.001) and ratio_of(0.5, 2.0) == 0.25
    assert ratio_of(0.0, 0.0) == 1.0 and ratio_of(1.0, 0.0) == float("inf")
