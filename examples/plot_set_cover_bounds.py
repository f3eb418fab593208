"""
Set cover: covers and the bounds that certify them
==================================================

On the bundled OR-Library instance ``scp41`` (optimum 429), greedy, the Lagrangian heuristic
and the exact model each report a cover and a lower bound on the optimum; the gap between
them is what each run certifies on its own.
"""

import matplotlib.pyplot as plt

from submodkit import read_instance, set_cover
from submodkit.instances import bundled

instance = read_instance(bundled("scp41"))
runs = {
    "greedy": set_cover(instance),
    "lagrangian": set_cover(instance, algorithm="lagrangian"),
    "exact": set_cover(instance, algorithm="exact", time_limit=30),
}
for name, r in runs.items():
    print(f"{name:10s} cost {r.value:g}, bound {r.lower_bound:g}, status {r.status}")

fig, ax = plt.subplots(figsize=(6, 3.2))
names = list(runs)
ax.bar(names, [r.value for r in runs.values()], color="tab:blue", label="cover")
ax.bar(names, [r.lower_bound for r in runs.values()], color="tab:orange", width=0.4, label="lower bound")
ax.axhline(429, color="k", lw=0.8, ls="--", label="optimum 429")
ax.set_ylim(400, 440)
ax.set_ylabel("cost")
ax.legend(loc="lower right")
fig.tight_layout()
