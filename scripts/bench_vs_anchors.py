"""submodkit vs apricot and submodlib: same data, same similarity, same k, side by side.

    python scripts/bench_vs_anchors.py --sizes 50 1000 --repeat 3

Cold: each library in its own fresh process (import + compile/load + one fit). Warm: the
median of ``--repeat`` fits in one process after a first fit. Peak memory: the child
process's max RSS (cold run). Workloads: submodlib's protocol (make_blobs, 1024 features,
k = n/10, facility location on a dense euclidean similarity, lazy greedy) and digits
(k=100: facility location, feature-based sqrt, coverage). Identical selections are checked.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

CHILD = r'''
import json, resource, sys, time
t0 = time.perf_counter()
import numpy as np
lib, workload, n, k, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
from sklearn.datasets import load_digits, make_blobs
from submodkit.objectives import pairwise_similarity
if workload == "blobs-fl":
    X, _ = make_blobs(n_samples=n, n_features=1024, centers=10, random_state=0)
    data = pairwise_similarity(X, "euclidean")
else:
    X = load_digits().data
    S = pairwise_similarity(X, "correlation")
    cov = np.where(S > np.quantile(S, 0.95), S, 0.0)
    data = {"digits-fl": S, "digits-fb": X, "digits-cov": cov}[workload]
t_data = time.perf_counter()

def run():
    if lib == "submodkit":
        from submodkit.objectives import FacilityLocation, FeatureBased, SaturatedCoverage
        from submodkit.solvers.greedy import maximize
        f = {"fl": lambda: FacilityLocation(data), "fb": lambda: FeatureBased(data, "sqrt"),
             "cov": lambda: SaturatedCoverage(data, caps=np.ones(data.shape[1]))}[workload.split("-")[1]]()
        return maximize(f, k, algorithm="lazy", bound=False).selection.tolist()
    if lib == "apricot":
        import apricot
        sel = {"fl": lambda: apricot.FacilityLocationSelection(k, metric="precomputed", optimizer="lazy"),
               "fb": lambda: apricot.FeatureBasedSelection(k, concave_func="sqrt", optimizer="lazy"),
               "cov": lambda: apricot.MaxCoverageSelection(k, optimizer="lazy")}[workload.split("-")[1]]()
        return [int(i) for i in sel.fit(data).ranking]
    import submodlib
    if workload.endswith("fl"):
        f = submodlib.FacilityLocationFunction(n=data.shape[0], mode="dense", sijs=data, separate_rep=False)
        res = f.maximize(budget=k, optimizer="LazyGreedy", stopIfZeroGain=False, stopIfNegativeGain=False,
                         show_progress=False)
        return [int(r[0]) for r in res]
    return None

t1 = time.perf_counter()
sel = run()
cold = time.perf_counter() - t1
warm = []
for _ in range(repeat if sel is not None else 0):
    t = time.perf_counter(); run(); warm.append(time.perf_counter() - t)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
med = float(np.median(warm)) if warm else None
print(json.dumps({"cold_fit": cold, "import_and_data": t_data - t0, "warm": med, "peak_mb": peak,
                  "selection": sel}))
'''


def child(lib, workload, n, k, repeat):
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, lib, workload, str(n), str(k), str(repeat)],
                         capture_output=True, text=True)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["wall"] = wall
    return res


def fmt(x, unit="s"):
    if x is None:
        return "n/a"
    return f"{x * 1000:.2f} ms" if unit == "s" else f"{x:.0f} {unit}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 1000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--digits", action="store_true", help="also the digits workloads (k=100)")
    args = ap.parse_args()
    print("```\npython scripts/bench_vs_anchors.py " + " ".join(sys.argv[1:]) + "\n```\n")
    cases = [("blobs-fl", n, max(1, n // 10)) for n in args.sizes]
    if args.digits:
        cases += [("digits-fl", 1797, 100), ("digits-fb", 1797, 100), ("digits-cov", 1797, 100)]
    print("| workload | n | k | library | cold fit (fresh process) | warm fit (median) | peak RSS "
          "| warm ratio (best anchor / submodkit) | cold ratio | same selection |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for workload, n, k in cases:
        res = {lib: child(lib, workload, n, k, args.repeat) for lib in ("submodkit", "apricot", "submodlib")}
        ours = res["submodkit"]
        anchors = [r for lib, r in res.items() if lib != "submodkit" and r.get("warm")]
        best_w = min((r["warm"] for r in anchors), default=None)
        best_c = min((r["cold_fit"] for r in anchors), default=None)
        for lib, r in res.items():
            if "error" in r or r.get("selection") is None:
                print(f"| {workload} | {n} | {k} | {lib} | {r.get('error', 'not supported')} | | | | | |")
                continue
            same = r["selection"] == ours["selection"]
            wr = f"{best_w / ours['warm']:.2f}x" if lib == "submodkit" and best_w else ""
            cr = f"{best_c / ours['cold_fit']:.2f}x" if lib == "submodkit" and best_c else ""
            print(f"| {workload} | {n} | {k} | {lib} | {fmt(r['cold_fit'])} | {fmt(r['warm'])} "
                  f"| {fmt(r['peak_mb'], 'MB')} | {wr} | {cr} | {same} |")


if __name__ == "__main__":
    main()
