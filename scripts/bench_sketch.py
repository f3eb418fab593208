"""Benchmark: coverage sketches (Bateni, Esfandiari, Mirrokni 2017), compression versus quality.

For each instance and each target compression, builds ``coverage_sketch`` with
``max_edges = input incidences / target`` and degree cap for ``k``, runs lazy greedy on the
sketch (``sketch_maximize, sketch_set_cover``) and values the selection on the input. Reports
sketch size / input size and sketch-greedy value / full lazy greedy value (the anchor,
same run), mean and minimum over seeds, and times. Saves the compression-versus-quality
plot to docs/figures/sketch_compression_quality.png.

Instances: ``random_set_system`` with >= 10^7 incidences (uniform: every set looks alike,
the hardest case for element sampling), a skewed synthetic instance of the same size
(heavy-tailed set sizes and element popularity, as in real data), ego-Facebook (closed
neighbourhoods) and rail582 (OR-Library; only 582 elements) from ../shared/data.

    python scripts/bench_sketch.py                  # >= 10^7 incidences
    python scripts/bench_sketch.py --scale 0.1      # a quick run
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from submodkit.coresets.sketch import sketch_maximize, sketch_set_cover
from submodkit.instances import random_set_system, read_instance
from submodkit.objectives import Coverage
from submodkit.solvers.submodular.greedy import maximize

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
TARGETS = (3, 10, 30, 100, 300, 600)


def skewed(n_sets: int, n_incidences: int, n_elements: int, seed: int = 0) -> Coverage:
    rng = np.random.default_rng(seed)
    sizes = (rng.pareto(1.5, n_sets) + 1.0)
    sizes = np.maximum(1, (sizes / sizes.sum() * n_incidences)).astype(np.int64)
    indptr = np.concatenate([[0], np.cumsum(sizes)])
    idx = (rng.pareto(1.2, indptr[-1]) * n_elements / 50).astype(np.int64) % n_elements
    mat = sp.csr_matrix((np.ones(idx.size), idx, indptr), shape=(n_sets, n_elements))
    mat.sum_duplicates()
    return Coverage(mat)


def instances(scale: float):
    n = int(100_000 * scale)
    t = time.perf_counter()
    yield "random_set_system", Coverage.from_set_system(random_set_system(n, 10 * n, mean_set_size=100,
                                                                          seed=0)), 50
    yield "skewed synthetic", skewed(n, int(10_500_000 * scale), 10 * n, seed=0), 50
    print(f"(synthetic instances built in {time.perf_counter() - t:.1f} s)", file=sys.stderr)
    fb = DATA / "snap" / "facebook_combined.txt.gz"
    if fb.exists():
        yield "ego-Facebook", Coverage.from_set_system(read_instance(fb).to_set_system()), 5
    rail = DATA / "orlib-scp" / "rail582.txt.gz"
    if rail.exists():
        yield "rail582", Coverage.from_set_system(read_instance(rail)), 10


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--epsilon", type=float, default=0.1)
    ap.add_argument("--plot", default=str(ROOT / "docs" / "figures" / "sketch_compression_quality.png"))
    ap.add_argument("--set-cover", action="store_true", help="only the set cover / outliers table")
    args = ap.parse_args()
    print("```\n" + " ".join(["python"] + sys.argv) + "\n```\n")
    if args.set_cover:
        set_cover_table(args)
        return
    print("| instance | sets | incidences | k | target | size ratio (sketch/input) | compression "
          "| sketch incidences per set | quality mean (sketch greedy / greedy) | quality min "
          "| sketch+greedy s | full greedy s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    curves = {}
    for name, f, k in instances(args.scale):
        t = time.perf_counter()
        full = maximize(f, k, bound=False)
        t_full = time.perf_counter() - t
        pts = []
        for target in TARGETS:
            budget = max(1, f.nnz // target)
            q, comp, secs, per_set = [], [], [], []
            for seed in range(args.seeds):
                t = time.perf_counter()
                sol = sketch_maximize(f, k, args.epsilon, seed=seed, max_edges=budget)
                secs.append(time.perf_counter() - t)
                q.append(sol.value / full.value)
                comp.append(sol.stats["compression"])
                per_set.append(sol.stats["sketch_size"] / f.n)
            c = float(np.mean(comp))
            pts.append((c, float(np.mean(q)), float(np.min(q))))
            print(f"| {name} | {f.n:,} | {f.nnz:,} | {k} | {target} | {1 / c:.4f} | {c:.0f} "
                  f"| {np.mean(per_set):.1f} | {np.mean(q):.4f} | {np.min(q):.4f} | {np.median(secs):.2f} "
                  f"| {t_full:.2f} |", flush=True)
        curves[name] = pts
    _plot(curves, Path(args.plot))


def set_cover_table(args) -> None:
    """Set cover (outliers 0) and set cover with 5% outliers through the sketch, against greedy on
    the whole input (the same function at compression 1)."""
    print("Sketch coverage = fraction of the input's coverable elements that the sets chosen on the "
          "sketch cover; cost ratio = cost of the completed cover / cost of greedy on the input.\n")
    print("| instance | incidences | outliers | greedy cost | compression | sketch coverage "
          "| sets from sketch | completion sets | cost ratio | sketch s | greedy s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, f, _ in instances(args.scale):
        for outliers in (0.0, 0.05):
            t = time.perf_counter()
            full = sketch_set_cover(f, args.epsilon, seed=0, outliers=outliers)
            t_full = time.perf_counter() - t
            for target in (10, 30, 100, 300):
                budget = max(1, f.nnz // target)
                rows = []
                for seed in range(args.seeds):
                    t = time.perf_counter()
                    sol = sketch_set_cover(f, args.epsilon, seed=seed, max_edges=budget, outliers=outliers)
                    rows.append((sol.stats["compression"], sol.stats["sketch_coverage"],
                                 sol.stats["sketch_sets"], sol.stats["completion_sets"],
                                 sol.value / full.value, time.perf_counter() - t))
                c, cov, ss, cs, ratio, secs = np.mean(np.array(rows), axis=0)
                print(f"| {name} | {f.nnz:,} | {outliers} | {full.value:.0f} | {c:.0f} | {cov:.3f} "
                      f"| {ss:.0f} | {cs:.0f} | {ratio:.3f} | {secs:.2f} | {t_full:.2f} |", flush=True)


def _plot(curves: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for name, pts in curves.items():
        c, mean, low = zip(*pts, strict=True)
        ax.plot(c, mean, marker="o", label=name)
        ax.fill_between(c, low, mean, alpha=0.15)
    ax.set_xscale("log")
    ax.set_xlabel("compression (input incidences / sketch incidences)")
    ax.set_ylabel("greedy on sketch / greedy on input")
    ax.set_title("Coverage sketches (Bateni, Esfandiari, Mirrokni 2017)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"\nplot: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
