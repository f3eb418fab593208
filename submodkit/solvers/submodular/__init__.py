"""Submodular maximization: greedy under cardinality, knapsack and matroid constraints,
non-monotone algorithms, one-pass streaming, submodular cover, brute force, and the exact
facility-location program.

Rooms: :mod:`.greedy` (:func:`maximize`, the dispatcher), :mod:`.greedy_numpy` (the
batched numpy path), :mod:`.nonmonotone`, :mod:`.streaming`, :mod:`.brute_force`,
:mod:`.exact` (facility location as an integer program), :mod:`.submodular_cover` (the
cheapest set reaching a target value), :mod:`.column_subset` (greedy column subset
selection), :mod:`.categorical_compression` (a vocabulary into buckets keeping the mutual
information with a label), :mod:`.procurement` (truthful auctions maximizing f(S) - c(S)),
:mod:`.dynamic` (insertions and deletions), :mod:`.matroid_greedy` (greedy under any
matroid), :mod:`.continuous_greedy` (the multilinear extension, continuous greedy and swap
rounding); Numba code in :mod:`._kernels`, :mod:`._streaming_kernels` and
:mod:`._compression_kernels`.
"""

from submodkit._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "maximize": ".greedy",
    "random_greedy": ".nonmonotone",
    "double_greedy": ".nonmonotone",
    "distorted_greedy": ".nonmonotone",
    "StreamingMaximizer": ".streaming",
    "DynamicMaximizer": ".dynamic",
    "stream_shards": ".streaming",
    "stream_file": ".streaming",
    "brute_force_maximize": ".brute_force",
    "submodular_cover": ".submodular_cover",
    "column_subset": ".column_subset",
    "compress_categories": ".categorical_compression",
    "compress_counts": ".categorical_compression",
    "procurement_auction": ".procurement",
    "continuous_greedy": ".continuous_greedy",
    "multilinear_extension": ".continuous_greedy",
    "exact_facility_location": ".exact",
    "facility_location_lp_bound": ".exact",
})
