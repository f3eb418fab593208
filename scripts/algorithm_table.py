"""Print the README's algorithm table from the guarantee registry (submodkit.guarantees).

    python scripts/algorithm_table.py

tests/test_readme.py checks that README.md contains exactly this table.
"""

from __future__ import annotations

from submodkit.guarantees import GUARANTEES

ENTRY_POINTS = {
    "greedy": "`maximize(f, k, algorithm=\"naive\")`",
    "lazy": "`maximize(f, k)` (default)",
    "stochastic": "`maximize(f, k, algorithm=\"stochastic\", epsilon=e, seed=s)`",
    "threshold": "`maximize(f, k, algorithm=\"threshold\", epsilon=e)`",
    "knapsack-greedy": "`maximize(f, constraint=Knapsack(costs, budget))`",
    "matroid-greedy": "`maximize(f, constraint=PartitionMatroid(groups, caps))`",
    "set-cover-greedy": "`set_cover(sets, costs)`",
    "sieve-streaming": "`StreamingMaximizer(f, k, algorithm=\"sieve\", epsilon=e)`",
    "sieve-streaming++": "`StreamingMaximizer(f, k, epsilon=e)` (`update`, `solution`)",
    "greedi": "`coresets.greedi(f, k, n_parts, engine=None)`",
    "randgreedi": "`coresets.randgreedi(f, k, n_parts, engine=None, seed=s)`",
    "sketch-greedy": "`coresets.sketch_maximize(coverage, k, epsilon, seed=s)`",
    "bicriteria-greedi": "`coresets.bicriteria_greedi(f, k, n_parts, epsilon=e, rounds=r, seed=s)`",
    "adaptive-threshold": "`coresets.adaptive_maximize(f, k, epsilon=e, engine=None, seed=s)`",
    "alloc-greedy": "`allocate(inst, algorithm=\"greedy\")`",
    "alloc-balance": "`allocate(inst, algorithm=\"balance\")`",
    "alloc-msvv": "`allocate(inst, algorithm=\"msvv\")`",
    "alloc-primal-dual": "`allocate(inst, algorithm=\"primal-dual\")` (capacities)",
    "alloc-primal-dual-budget": "`allocate(inst, algorithm=\"primal-dual\")` (budgets)",
    "alloc-dual-training": "`allocate(inst, algorithm=\"dual-training\", order=\"random\")`",
    "alloc-dual-mirror-descent": "`allocate(inst, algorithm=\"dual-mirror-descent\")`",
    "matching-exact": "`max_weight_matching(graph)` (also `max_weight_assignment`, `b_matching`)",
    "matching-cardinality-exact": "`max_weight_matching(graph, maxcardinality=True)` (all weights equal)",
    "matching-greedy": "`max_weight_matching(graph, algorithm=\"greedy\")`",
    "matching-path-growing": "`max_weight_matching(graph, algorithm=\"path-growing\")`",
    "matching-augment": "`max_weight_matching(graph, algorithm=\"augment\", seed=s)`",
    "online-greedy": "`online_matching(inst, algorithm=\"greedy\")`",
    "online-ranking": "`online_matching(inst, algorithm=\"ranking\", seed=s)`",
    "online-balance": "`online_matching(inst, algorithm=\"balance\")`",
    "gmm": "`diversify(X, k)` (max-min, default)",
    "gmm-remote-tree": "`diversify(X, k, \"remote-tree\")`",
    "gmm-remote-cycle": "`diversify(X, k, \"remote-cycle\")`",
    "gmm-coreset-remote-cycle": "`diversity_coreset(X, k, \"remote-cycle\", n_parts=m)`",
    "gmm-coreset-remote-tree": "`diversity_coreset(X, k, \"remote-tree\", n_parts=m)`",
    "max-sum-greedy": "`diversify(X, k, \"max-sum\", quality=q, lam=l)`",
    "max-sum-local-search": "`diversify(X, k, \"max-sum\", constraint=PartitionMatroid(g, c))`",
    "gist": "`diversify(X, k, quality=q, lam=l, epsilon=e)` (GIST)",
    "gmm-coreset": "`coresets.diversity.diversity_coreset(X, k, n_parts=m)`",
    "sum-min-lp": "`diversify(X, k, \"sum-min\")` (LP rounding, n <= 1000)",
    "randomized-coreset-max-sum": "`diversity_coreset(X, k, \"max-sum\", n_parts=m)` (random partition)",
    "ddismi": "`select_features(X, y, k, n_parts=m, engine=\"threads\")`",
    "edcs-coreset": "`edcs_coreset_matching(graph, parts, beta, seed=s)`",
    "matching-coreset": "`matching_coreset(graph, parts, seed=s)`",
    "online-two-choices": "`online_matching(inst, algorithm=\"two-choices\", order=\"iid\", seed=s)`",
    "random-greedy": "`maximize(f, k)` (non-monotone f; or `algorithm=\"random-greedy\", seed=s`)",
    "double-greedy": "`maximize(f)` (non-monotone f, no k; or `algorithm=\"double-greedy\", seed=s`)",
    "double-greedy-deterministic": "`double_greedy(f, deterministic=True)`",
    "distorted-greedy": "`maximize(g, k, costs=c)` (`algorithm=\"distorted-greedy\"`)",
    "packing-dmd": "`dual_mirror_descent(packing_inst)`",
    "packing-dmd-regularized": "`dual_mirror_descent(packing_inst, regularizer=\"max-min\", lam=l)`",
    "welfare-greedy": "`online_welfare(valuations)`",
    "welfare-greedy-random-order": "`online_welfare(valuations, order=\"random\", seed=s)`",
    "edcs-vertex-cover": "`coresets.edcs_vertex_cover(graph, parts, beta, seed=s)`",
}


def table() -> str:
    lines = [
        "| algorithm | call | guarantee | kind | assumes | source |",
        "|---|---|---|---|---|---|",
    ]
    for name, spec in GUARANTEES.items():
        lines.append(
            f"| {name} | {ENTRY_POINTS[name]} | {spec.statement} | {spec.kind} "
            f"| {', '.join(spec.conditions)} | {spec.source} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
