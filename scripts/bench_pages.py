"""Whole-page optimization: the page rule, the slot-by-slot rule and greedy against the exact
integer program, and the pages per second of each.

    python scripts/bench_pages.py [--pages 2000] [--ads 40] [--seeds 3] [--time-limit 120]
    python scripts/bench_pages.py --search [--pages 2000]

Random pages (6 eligible ads each, 3 slots with position weights 1, 0.7, 0.49, capacities
half the slots over the ads) at three levels of per-page constraints: none, exclusions
between 20% of the ad pairs with one ad per category (4 categories), and 50% of the pairs.
Orders: random, and "rising" (pages in increasing order of their best value: the low-value
pages first, the classic trap for greedy without prices). Ratio: value over the SCIP optimum
(over its bound when SCIP stops at the limit), mean over seeds (min..max).

``--search``: the page rule's exact choice for one page (the branch and bound of
``_page_kernels.best_page``) on pages of 6 to 24 eligible ads and as many slots as given,
"easy" (prices 0-1 against log-normal(0, 0.6) values, 2% exclusions, no category limit, slot
weights 0.9^s) and "hard" (prices 0.5-1 against log-normal(0, 0.3) values, 30% exclusions, 3
per category, slot weights 0.97^s: gains near 0 and flat slots, where the bound prunes
least): pages per second and the slowest page, beside the exhaustive search (every
combination of at most ``slots`` ads, the kernel this one replaced) on the same pages, its
gains checked equal.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from numba import njit

from submodkit.instances.pages import PageInstance, random_page_instance
from submodkit.solvers.allocation import _page_kernels as K
from submodkit.solvers.allocation.pages import RULES, allocate_pages, page_optimum

LEVELS = {"none": (0.0, 6), "20% exclusions, 1 per category": (0.2, 1),
          "50% exclusions, 1 per category": (0.5, 1)}


def _rising(inst: PageInstance) -> PageInstance:
    best = np.asarray(inst.values.max(axis=1).todense()).ravel()
    return PageInstance(inst.values[np.argsort(best, kind="stable")], slot_weights=inst.slot_weights,
                        capacities=inst.capacities, categories=inst.categories,
                        per_category=inst.per_category, exclusions=inst.exclusions,
                        name=inst.name + "-rising")


def _cell(r: list[float]) -> str:
    spread = f" ({min(r):.3f}..{max(r):.3f})" if max(r) - min(r) > 0.0005 else ""
    return f"{np.mean(r):.4f}{spread}"


SEARCH_SIZES = ((6, 3), (12, 6), (16, 16), (24, 8), (24, 24))
SEARCH_KINDS = {"easy": ((0.0, 1.0), 0.6, 0.02, 24, 0.9), "hard": ((0.5, 1.0), 0.3, 0.3, 3, 0.97)}
EXHAUSTIVE_BUDGET = 2e8  # combinations the exhaustive anchor may visit per row


@njit(cache=True, nogil=True)
def _exhaustive_page(ads, vals, prices, theta, cats, per_category, excl, out):
    """The anchor: every combination of at most len(theta) of the page's ads (in value order,
    so in slot order), the page's constraints checked as it grows; (count, gain)."""
    m = ads.size
    slots = min(theta.size, m)
    best_gain, best_k = 0.0, 0
    idx = np.empty(slots, dtype=np.int64)
    chosen = np.empty(slots, dtype=np.int64)
    for k in range(1, slots + 1):
        for j in range(k):
            idx[j] = j
        while True:
            ok = True
            gain = 0.0
            for j in range(k):
                ad = ads[idx[j]]
                if not K._fits(chosen, j, ad, cats, per_category, excl):
                    ok = False
                    break
                chosen[j] = ad
                gain += vals[idx[j]] * theta[j] - prices[ad]
            if ok and gain > best_gain * (1.0 + 1e-12):
                best_gain, best_k = gain, k
                for j in range(k):
                    out[j] = idx[j]
            j = k - 1
            while j >= 0 and idx[j] == m - k + j:
                j -= 1
            if j < 0:
                break
            idx[j] += 1
            for i in range(j + 1, k):
                idx[i] = idx[i - 1] + 1
    return best_k, best_gain


def _search(pages: int) -> None:
    """Pages per second of the exact page choice and its slowest page, beside the exhaustive
    anchor on the same pages (interleaved; on fewer pages where it would visit more than
    EXHAUSTIVE_BUDGET combinations); the gains must agree."""
    n_ads = 60
    for kernel in (K.best_page, _exhaustive_page):  # compile before timing
        kernel(np.arange(6, dtype=np.int64), np.ones(6), np.zeros(n_ads), np.ones(3),
               np.zeros(n_ads, dtype=np.int64), 3, np.zeros(0, dtype=np.int64), np.empty(3, dtype=np.int64))
    print("| eligible ads | slots | combinations (exhaustive) | kind | pages / s | slowest page (s) "
          "| exhaustive pages / s (pages) | speed-up |")
    print("|---|---|---|---|---|---|---|---|")
    for m, slots in SEARCH_SIZES:
        combos = sum(math.comb(m, k) for k in range(1, slots + 1))
        for kind, ((lo, hi), sigma, density, per, decay) in SEARCH_KINDS.items():
            rng = np.random.default_rng(m * 100 + slots)
            count = pages if m <= 12 else max(pages // 10, 20)
            anchored = max(1, min(count, int(EXHAUSTIVE_BUDGET // combos)))
            spent, slowest, anchor = [], 0.0, []
            for page in range(count):
                ads = rng.choice(n_ads, m, replace=False).astype(np.int64)
                vals = np.sort(rng.lognormal(0, sigma, m))[::-1].copy()
                prices = rng.uniform(lo, hi, n_ads)
                cats = rng.integers(0, 4, n_ads).astype(np.int64)
                pairs = np.argwhere(np.triu(rng.random((n_ads, n_ads)) < density, 1))
                keys = np.unique(pairs[:, 0] * n_ads + pairs[:, 1]).astype(np.int64)
                args = (ads, vals, prices, decay ** np.arange(slots), cats, per, keys)
                tic = time.perf_counter()
                _, gain = K.best_page(*args, np.empty(slots, dtype=np.int64))
                spent.append(time.perf_counter() - tic)
                slowest = max(slowest, spent[-1])
                if page < anchored:
                    tic = time.perf_counter()
                    _, reference = _exhaustive_page(*args, np.empty(slots, dtype=np.int64))
                    anchor.append(time.perf_counter() - tic)
                    assert abs(gain - reference) <= 1e-9 * max(1.0, abs(reference)), (gain, reference)
            rate = count / sum(spent)
            anchor_rate = len(anchor) / sum(anchor)
            speedup = sum(anchor) / sum(spent[:len(anchor)])
            print(f"| {m} | {slots} | {combos:,} | {kind} | {rate:,.0f} | {slowest:.2g} | "
                  f"{anchor_rate:,.1f} ({len(anchor)}) | {speedup:,.0f}x |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--ads", type=int, default=40)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--search", action="store_true", help="time the exact page choice alone")
    args = ap.parse_args()
    start = time.perf_counter()
    if args.search:
        _search(args.pages)
        return
    for name in RULES:  # load the compiled kernels before any timing
        allocate_pages(random_page_instance(10, 5, seed=0), algorithm=name)
    print("| constraints | order | SCIP s (status) | " + " | ".join(RULES) + " | pages / s (page rule) |")
    print("|---|---|---|" + "---|" * (len(RULES) + 1))
    for label, (density, per_category) in LEVELS.items():
        for order in ("random", "rising"):
            cells: dict[str, list[float]] = {name: [] for name in RULES}
            scip, statuses, speed = [], set(), []
            for seed in range(args.seeds):
                inst = random_page_instance(args.pages, args.ads, slots=3, eligible=6, categories=4,
                                            per_category=per_category, exclusion_density=density, seed=seed)
                if order == "rising":
                    inst = _rising(inst)
                opt = page_optimum(inst, time_limit=args.time_limit)
                scip.append(opt.stats["seconds"])
                statuses.add(opt.status)
                reference = opt.value if opt.status == "optimal" else opt.upper_bound
                for name in RULES:
                    arrival = "random" if order == "random" else "given"
                    sol = allocate_pages(inst, algorithm=name, order=arrival, seed=seed)
                    cells[name].append(sol.value / reference)
                    if name == "page":
                        speed.append(inst.n_pages / sol.stats["seconds"])
            print(f"| {label} | {order} | {np.mean(scip):.1f} ({', '.join(sorted(statuses))}) | "
                  + " | ".join(_cell(cells[name]) for name in RULES) + f" | {np.mean(speed):,.0f} |",
                  flush=True)
    print(f"\n{time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    main()
