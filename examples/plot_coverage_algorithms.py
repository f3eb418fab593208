"""
Maximum coverage: greedy, streaming and distributed, and what each run certifies
================================================================================

On the bundled rail507 instance (63,009 sets), choose 50 sets covering the most elements with
lazy greedy, stochastic greedy, Sieve-Streaming++ (one pass), RandGreeDi (4 parts) and the
coverage sketch. Each result reports an upper bound on the optimum, and so does the LP
relaxation: the best of them certifies every run's ratio without an exact solve.
"""

import matplotlib.pyplot as plt

from submodkit import Coverage, StreamingMaximizer, coresets, maximize, read_instance
from submodkit.instances import bundled
from submodkit.solvers.cover import max_cover_lp_bound

system = read_instance(bundled("rail507"))
f = Coverage.from_set_system(system)
k = 50
stream = StreamingMaximizer(f, k)
stream.update(range(f.n))
runs = {
    "lazy greedy": maximize(f, k),
    "stochastic": maximize(f, k, algorithm="stochastic", seed=0),
    "sieve++ (one pass)": stream.solution(),
    "randgreedi (4 parts)": coresets.randgreedi(f, k, n_parts=4, seed=0),
    "sketch": coresets.sketch_maximize(f, k, seed=0),
}
lp = max_cover_lp_bound(system.sets, k=k)  # the LP relaxation (GLOP) bounds the optimum too
best_bound = min([lp] + [r.upper_bound for r in runs.values() if r.upper_bound is not None])
print(f"best upper bound on the optimum: {best_bound:.1f} (LP {lp:.1f})")
for name, r in runs.items():
    print(f"{name:22s} covers {r.value:g}; certified >= {r.value / best_bound:.3f} of OPT")

fig, ax = plt.subplots(figsize=(6.4, 3.2))
ax.barh(list(runs), [r.value / best_bound for r in runs.values()])
ax.axvline(1 - 1 / 2.718281828, color="r", lw=0.8, label="1 - 1/e")
ax.set_xlabel("value / best upper bound on the optimum (certified ratio)")
ax.set_xlim(0.5, 1.0)
ax.legend(loc="lower left")
fig.tight_layout()
