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
