"""Matching: general graphs (blossom, cardinality, fast approximations), bipartite assignment,
b-matching and position auctions, online bipartite matching.

Rooms: :mod:`.general` (:func:`max_weight_matching`), :mod:`.assignment`, :mod:`.online`,
:mod:`.exact` (the integer program that checks the blossom code); Numba code in
:mod:`._blossom`, :mod:`._cardinality` and :mod:`._kernels`; the graph checks and vertex
renumbering every edge-list entry point shares in :mod:`._graph`.
"""

from submodkit._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "max_weight_matching": ".general",
    "matching_weight": ".general",
    "max_weight_assignment": ".assignment",
    "b_matching": ".assignment",
    "position_auction": ".assignment",
    "online_matching": ".online",
    "matching_ilp": ".exact",
})
