"""Verifying approximation guarantees end to end.

``run_suite(name)`` runs every algorithm family on its instance families (random, tight,
and the real instances of ``../shared/data``), compares each run with the exact optimum
(OR-Tools, optionally cross-checked by Pyomo/HiGHS) or a certified bound, and returns a
:class:`SuiteReport` (``report.ok``, ``report.write(directory)``). ``certify(solution,
target)`` proves a bound on OPT for one solution.
"""

from submodkit.verification.certificates import Certificate, certify
from submodkit.verification.report import EXPECTATION_TOL, TIGHT_TOL, Run, SuiteReport, TightRow
from submodkit.verification.suite import (
    FAMILIES,
    Context,
    Family,
    available_families,
    register_family,
    run_suite,
)

__all__ = [
    "EXPECTATION_TOL",
    "FAMILIES",
    "Certificate",
    "Context",
    "Family",
    "Run",
    "SuiteReport",
    "TIGHT_TOL",
    "TightRow",
    "available_families",
    "certify",
    "register_family",
    "run_suite",
]
