"""Dual mirror descent's regret against T on i.i.d. AdX arrivals (log-log), saved as a PNG.

    python scripts/plot_regret.py [--publisher pub1] [--seeds 3] [--max-t 300000]

Regret = LP optimum of the same i.i.d. sample (an upper bound on the hindsight integral
optimum) - value of dual mirror descent, averaged over seeds (Balseiro, Lu, Mirrokni 2023
prove O(sqrt T) for i.i.d. arrivals), for the projected-gradient and
multiplicative-weights mirror maps with the default per-resource step, and (dashed) the
plain unscaled step eta = 1 / sqrt(T) for comparison. Writes docs/figures/dmd_regret.png
and prints the fitted log-log slopes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from submodkit.instances.adx import adx_types  # noqa: E402
from submodkit.solvers.allocation.offline import offline_optimum  # noqa: E402
from submodkit.solvers.allocation.online import allocate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--publisher", default="pub1")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--max-t", type=int, default=300_000)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "adx")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "figures" / "dmd_regret.png")
    args = ap.parse_args()
    print("```\npython " + " ".join(sys.argv) + "\n```")
    model = adx_types(args.data, args.publisher)
    ts = [t for t in (1000, 3000, 10_000, 30_000, 100_000, 300_000, 1_000_000) if t <= args.max_t]
    variants = {
        "gradient": dict(mirror="gradient"),
        "multiplicative": dict(mirror="multiplicative"),
        "gradient, unscaled eta=1": dict(mirror="gradient", scaling="none", eta=1.0),
        "multiplicative, unscaled eta=1": dict(mirror="multiplicative", scaling="none", eta=1.0),
    }
    mirrors = tuple(variants)
    regret = {m: [] for m in mirrors}
    print("| T | " + " | ".join(f"regret ({m})" for m in mirrors) + " | mean OPT |")
    print("|---|" + "---|" * (len(mirrors) + 1))
    for t in ts:
        per = {m: [] for m in mirrors}
        opts = []
        for s in range(args.seeds):
            inst = model.sample(t, seed=s)
            opt = offline_optimum(inst).value
            opts.append(opt)
            for m in mirrors:
                per[m].append(opt - allocate(inst, algorithm="dual-mirror-descent", **variants[m]).value)
        for m in mirrors:
            regret[m].append(max(np.mean(per[m]), 1e-9))
        cells = " | ".join(f"{regret[m][-1]:,.0f}" for m in mirrors)
        print(f"| {t:,} | {cells} | {np.mean(opts):,.0f} |")
        sys.stdout.flush()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for m in mirrors:
        slope = np.polyfit(np.log(ts), np.log(regret[m]), 1)[0]
        style = "o:" if "unscaled" in m else "o-"
        ax.loglog(ts, regret[m], style, label=f"{m} (slope {slope:.2f})")
        print(f"\n{m}: fitted log-log slope {slope:.3f}")
    ref = np.array(ts, dtype=float)
    ax.loglog(ref, regret[mirrors[0]][0] * np.sqrt(ref / ref[0]), "k--", label="sqrt(T) reference")
    ax.set_xlabel("T (i.i.d. arrivals)")
    ax.set_ylabel("regret = OPT_LP - ALG")
    ax.set_title(f"Dual mirror descent, AdX {args.publisher} types")
    ax.legend(fontsize=8)
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=120)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
