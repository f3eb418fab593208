"""The quick verification suite passes, covers every family, and its certificates are valid."""

from __future__ import annotations

import numpy as np
import pytest

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


def test_tight_generators_reach_the_bound(quick_report):
    """Greedy max-k-cover and set-cover greedy meet their bound exactly on the tight instances."""
    for fam, gen in (("greedy", "greedy-tight-max-cover"), ("set-cover", "greedy-tight-set-cover")):
        runs = [r for r in quick_report.rows(fam) if r.tight and r.instance.startswith(gen)]
        assert runs
        largest = max(int(r.instance.rsplit("-", 1)[1]) for r in runs)
        for r in runs:
            if int(r.instance.rsplit("-", 1)[1]) == largest:
                assert abs(r.ratio - r.guarantee.ratio) <= 0.02


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
    from submodkit.solvers.exact import exact_max_cover, exact_set_cover
    from submodkit.solvers.greedy import maximize
    from submodkit.solvers.set_cover import set_cover

    ss = random_set_system(25, 40, density=0.12, seed=seed, costs="random", weighted=True,
                           ensure_covered=True)
    opt = exact_set_cover(ss.sets, ss.costs).value
    cert = certify(set_cover(ss, lower_bound=None), ss)
    assert cert.sense == "min" and cert.bound <= opt + 1e-9
    assert set(cert.bounds) == {"lp", "dual-fitting"}
    cov = ss.to_coverage()
    opt = exact_max_cover(ss.sets, ss.weights, k=4).value
    sol = maximize(cov, 4)
    cert = certify(sol, cov, k=4)
    assert cert.bound >= opt - 1e-9 and cert.certified_ratio <= sol.value / opt + 1e-12
    assert set(cert.bounds) == {"a-posteriori", "lp"}


def test_allocation_certificate():
    from submodkit.solvers.allocation import brute_force_optimum
    from submodkit.solvers.online_allocation import allocate, random_allocation_instance

    inst = random_allocation_instance(6, 3, density=0.67, kind="budget", seed=1)
    cert = certify(allocate(inst, "greedy"), inst)
    assert cert.kind == "lp" and cert.bound >= brute_force_optimum(inst) - 1e-9
    assert np.isfinite(cert.certified_ratio)
