"""
Online allocation: each algorithm against the LP optimum
========================================================

Impressions arrive one by one and go to advertisers with capacities; greedy, BALANCE, MSVV
and the primal-dual and dual-mirror-descent algorithms are compared with the offline LP
optimum, in arrival orders drawn at random.
"""

import matplotlib.pyplot as plt

from submodkit import allocate, offline_optimum
from submodkit.instances import random_allocation_instance

instance = random_allocation_instance(20_000, 20, density=0.2, seed=0, load=0.8)
optimum = offline_optimum(instance).value
algorithms = ["greedy", "balance", "msvv", "primal-dual", "dual-mirror-descent"]
ratios = {a: [allocate(instance, algorithm=a, order="random", seed=s).value / optimum for s in range(5)]
          for a in algorithms}
for a, r in ratios.items():
    print(f"{a:20s} mean {sum(r) / len(r):.4f}")

fig, ax = plt.subplots(figsize=(6.4, 3.2))
ax.boxplot([ratios[a] for a in algorithms], tick_labels=algorithms)
ax.set_ylabel("value / LP optimum")
ax.tick_params(axis="x", labelsize=8)
fig.tight_layout()
