"""Diversity maximization (dispersion): max-min, max-sum, sum-min, remote tree, star and cycle.

Rooms: :mod:`.dispersion` (:func:`diversify` and the objectives' values), :mod:`.lp_rounding`
(LP rounding), :mod:`.tsp` (the tours of remote-cycle), :mod:`.exact` (integer programs,
branch and bound, brute force) and :mod:`.remote_cycle` (the remote-cycle optimum by
enumeration); Numba code in :mod:`._kernels` and :mod:`._exact_kernels`.
"""

from submodkit._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "diversify": ".dispersion",
    "diversity_value": ".dispersion",
    "sum_min_lp": ".lp_rounding",
    "tsp_tour": ".tsp",
    "exact_max_min_diversity": ".exact",
    "exact_max_sum_diversity": ".exact",
    "exact_sum_min_diversity": ".exact",
    "brute_force_diversity": ".exact",
    "exact_remote_cycle": ".remote_cycle",
})
