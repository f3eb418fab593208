"""Print the README's algorithm table: one row per guarantee of the registry
(``submodkit.guarantees.GUARANTEES``), with the call that gets it read from the algorithm
tables the dispatchers run (``MAXIMIZE``, ``DIVERSIFY``, ``ALLOCATE`` and the problem
tables of ``verify`` and the command line).

    python scripts/algorithm_table.py

tests/test_readme.py checks that README.md contains exactly this table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from submodkit.guarantees import GUARANTEES, Algorithm
from submodkit.solvers.allocation.online import ALLOCATE
from submodkit.solvers.diversity.dispersion import DIVERSIFY
from submodkit.solvers.submodular.greedy import MAXIMIZE
from submodkit.verification.problems import PROBLEMS

TABLES: tuple[Mapping[str, Algorithm], ...] = (
    MAXIMIZE, *DIVERSIFY.values(), ALLOCATE, *(problem.algorithms for problem in PROBLEMS.values())
)
"""The algorithm tables, in the order their calls are preferred (a key's first call wins)."""

UNTABLED = {
    "submodular-cover-greedy": "`submodular_cover(f, target, costs=c)`",
    "alloc-proportional": "`proportional_allocation(instance, epsilon=e)` (shards: "
                          "`distributed_proportional_allocation`)",
    "alloc-proportional-weighted": "`weighted_proportional_allocation(instance, epsilon=e)`",
    "column-subset-greedy": "`column_subset(A, k)` (distributed: `coresets.distributed_column_subset`)",
    "adaptive-cover": "`coresets.adaptive_cover(f, target, epsilon=e, seed=s)`",
    "compression-greedy": "`compress_categories(values, labels, n_buckets)` (vocabulary spread over "
                          "machines: `distributed_compress`)",
    "compression-exact": "`compress_categories(values, labels, n_buckets, algorithm=\"exact\")`",
    "procurement": "`procurement_auction(f, bids)` (online: `algorithm=\"posted-price\", order=o`)",
    "matching-exact": "`max_weight_matching(graph)` (also `max_weight_assignment`, `b_matching`)",
    "matching-cardinality-exact": "`max_weight_matching(graph, maxcardinality=True)` (all weights equal)",
    "matching-greedy": "`max_weight_matching(graph, algorithm=\"greedy\")`",
    "matching-path-growing": "`max_weight_matching(graph, algorithm=\"path-growing\")`",
    "matching-augment": "`max_weight_matching(graph, algorithm=\"augment\", seed=s)`",
    "online-greedy": "`online_matching(inst, algorithm=\"greedy\")`",
    "online-ranking": "`online_matching(inst, algorithm=\"ranking\", seed=s)`",
    "online-balance": "`online_matching(inst, algorithm=\"balance\")`",
    "gmm-coreset-remote-cycle": "`diversity_coreset(X, k, \"remote-cycle\", n_parts=m)`",
    "gmm-coreset-remote-tree": "`diversity_coreset(X, k, \"remote-tree\", n_parts=m)`",
    "gmm-coreset": "`coresets.diversity.diversity_coreset(X, k, n_parts=m)`",
    "randomized-coreset-max-sum": "`diversity_coreset(X, k, \"max-sum\", n_parts=m)` (random partition)",
    "ddismi": "`select_features(X, y, k, n_parts=m, engine=\"threads\")`",
    "edcs-coreset": "`edcs_coreset_matching(graph, n_parts=p, beta=beta, seed=s)`",
    "matching-coreset": "`matching_coreset(graph, n_parts=p, seed=s)`",
    "online-two-choices": "`online_matching(inst, algorithm=\"two-choices\", order=\"iid\", seed=s)`",
    "double-greedy-deterministic": "`double_greedy(f, deterministic=True)`",
    "packing-dmd": "`dual_mirror_descent(packing_inst)`",
    "packing-dmd-regularized": "`dual_mirror_descent(packing_inst, regularizer=\"max-min\", lam=l)`",
    "welfare-greedy": "`online_welfare(valuations)`",
    "welfare-greedy-random-order": "`online_welfare(valuations, order=\"random\", seed=s)`",
    "pages-primal-dual": "`allocate_pages(pages, algorithm=\"page\")`",
    "fair-certified": "`fair_allocation(market, alpha=a)`",
    "fair-resolve": "`online_fair_allocation(market, alpha=a, supply=s)`",
    "welfare-bi-objective-first": "`bi_objective_welfare(first, second, tradeoff=p, seed=s)`",
    "welfare-bi-objective-second": "`bi_objective_welfare(first, second, tradeoff=p, seed=s)` "
                                   "(`stats[\"second_value\"]`)",
    "edcs-vertex-cover": "`coresets.edcs_vertex_cover(graph, n_parts=p, beta=beta, seed=s)`",
}
"""The guarantees of public functions that do not dispatch through an algorithm table
(matching, online matching, core-sets, packing, welfare): one call each."""


def _entries() -> Iterator[Algorithm]:
    for algorithms in TABLES:
        yield from algorithms.values()


def calls() -> dict[str, str]:
    """Guarantee key -> the call shown for it: the first table entry that lists one, else
    `UNTABLED`. Every key of `GUARANTEES` has exactly one source."""
    out: dict[str, str] = {}
    for entry in _entries():
        for key, call in entry.calls.items():
            out.setdefault(key, call)
    both = sorted(out.keys() & UNTABLED.keys())
    missing = sorted(GUARANTEES.keys() - out.keys() - UNTABLED.keys())
    if both or missing:
        raise ValueError(f"guarantees with a call both in a table and in UNTABLED: {both}; "
                         f"with none: {missing}")
    return {**out, **UNTABLED}


def table() -> str:
    shown = calls()
    lines = [
        "| algorithm | call | guarantee | kind | assumes | source |",
        "|---|---|---|---|---|---|",
    ]
    for name, spec in GUARANTEES.items():
        lines.append(
            f"| {name} | {shown[name]} | {spec.statement} | {spec.kind} "
            f"| {', '.join(spec.conditions)} | {spec.source} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
