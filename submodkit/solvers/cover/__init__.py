"""Covering problems: weighted set cover, maximum coverage as an integer program, vertex cover.

Rooms: :mod:`.set_covering` (greedy with a certified bound, the Lagrangian heuristic, or
exact), :mod:`.lagrangian` (the Lagrangian heuristic), :mod:`.reduction` (set-cover
reduction), :mod:`.vertex_cover`, :mod:`.exact` (set cover and constrained maximum coverage
as integer programs, with their LP and Lagrangian bounds).
"""

from submodkit._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "set_cover": ".set_covering",
    "reduce_set_cover": ".reduction",
    "exact_vertex_cover": ".vertex_cover",
    "maximal_matching_cover": ".vertex_cover",
    "is_vertex_cover": ".vertex_cover",
    "exact_set_cover": ".exact",
    "exact_max_cover": ".exact",
    "set_cover_lp_bound": ".exact",
    "max_cover_lp_bound": ".exact",
})
