"""Allocation: online budgeted and capacitated allocation (AdWords, display ads, dual
methods), its offline optimum, online packing and online submodular welfare.

Rooms: :mod:`.online` (:func:`allocate`), :mod:`.offline` (the LP / IP optimum and
evaluation), :mod:`.packing` (dual mirror descent), :mod:`.welfare` (one and two welfare objectives),
:mod:`.pages` (whole-page optimization: pages of slots under per-page constraints),
:mod:`.fair` (proportionally fair and alpha-fair allocation of divisible goods, offline
with a certificate and online by re-solving), :mod:`.bicriteria` (weight and cardinality at
once: the analysis of ``allocate``'s ``"bicriteria"``), :mod:`.proportional`; Numba code in
:mod:`._kernels`, :mod:`._packing_kernels`, :mod:`._fair_kernels` and :mod:`._page_kernels`.
"""

from submodkit._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "allocate": ".online",
    "fair_allocation": ".fair",
    "allocate_pages": ".pages",
    "page_optimum": ".pages",
    "online_fair_allocation": ".fair",
    "offline_optimum": ".offline",
    "dual_mirror_descent": ".packing",
    "packing_optimum": ".packing",
    "online_welfare": ".welfare",
    "bi_objective_welfare": ".welfare",
    "pareto_welfare": ".welfare",
    "welfare_value": ".welfare",
})
