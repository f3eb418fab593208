"""
Matching: approximations against the exact optimum
==================================================

On random weighted graphs, the 1/2-approximations (greedy, path growing) and the augmenting
heuristic are compared with the exact blossom algorithm; each point is one graph.
"""

import matplotlib.pyplot as plt

from submodkit import max_weight_matching
from submodkit.instances import random_graph

algorithms = ["greedy", "path-growing", "augment"]
ratios = {a: [] for a in algorithms}
for seed in range(12):
    graph = random_graph(300, 1500, seed=seed, weighted=True)
    optimum = max_weight_matching(graph).value
    for a in algorithms:
        ratios[a].append(max_weight_matching(graph, algorithm=a, seed=seed).value / optimum)
for a in algorithms:
    print(f"{a:13s} worst {min(ratios[a]):.4f}, mean {sum(ratios[a]) / len(ratios[a]):.4f}")

fig, ax = plt.subplots(figsize=(6, 3.2))
for i, a in enumerate(algorithms):
    ax.plot([i] * len(ratios[a]), ratios[a], "o", alpha=0.6)
ax.axhline(0.5, color="r", lw=0.8, label="guarantee 1/2 (greedy, path growing)")
ax.set_xticks(range(len(algorithms)), algorithms)
ax.set_ylabel("weight / optimum")
ax.set_ylim(0.45, 1.01)
ax.legend(loc="lower right")
fig.tight_layout()
