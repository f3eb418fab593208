"""submodkit vs submodlib on log-determinant and the information measures, side by side.

    python scripts/bench_information.py --sizes 1000 5000 20000 --k 100 --rounds 5

Workloads (same data, same kernel, same k, the same greedy in both: lazy by default,
``--optimizer naive`` for naive greedy):
``logdet`` (log det(I + L_S), L an RBF kernel of 32-d blobs), ``flmi`` (facility-location
mutual information with 10 query points), ``flcg`` (facility-location conditional gain with
10 private points), ``logdetmi`` (log-determinant mutual information, 10 queries).

Each round runs one fresh process per library, interleaved (submodkit, submodlib,
submodkit, submodlib, ...), and each process reports its cold fit (import of the library +
Numba's cached-kernel load + building the objective + one selection; the data and its
kernels are ready before the clock starts, computed in numpy without importing submodkit)
and its warm fit (the median of ``--repeat`` further fits in the same process; for submodkit
also with Numba's kernels loaded, as in a long-running process, where a small instance no
longer takes the numpy path that a fresh process starts on). The table
gives medians over the rounds and the median of the per-round ratios submodlib / submodkit,
the children's peak RSS, the load average, and whether the selections agree (up to the point
where every gain is zero and tie-breaks differ). A child is limited to ``--mem-gb`` of
address space and ``--timeout`` seconds; exceeding either is reported as such.

submodkit's log-determinant at n = 20,000 uses ``LogDeterminant.from_features`` (the kernel
computed on demand, never n x n); submodlib has no such mode (its dense mode takes the n x n
kernel as nested Python lists).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CHILD = r'''
import json, resource, sys, time
lib, workload = sys.argv[1], sys.argv[2]
n, k, repeat, mem_gb = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
lazy = sys.argv[7] == "lazy"
resource.setrlimit(resource.RLIMIT_AS, (int(mem_gb * 2**30), int(mem_gb * 2**30)))
import numpy as np
from sklearn.datasets import make_blobs
X, _ = make_blobs(n_samples=n + 20, n_features=32, centers=20, random_state=0)
X = X / X.std()
X, Q, P = X[:n], X[n:n + 10], X[n + 10:]
gamma = 0.05

def rbf(A, B):
    D = np.einsum("ij,ij->i", A, A)[:, None] + np.einsum("ij,ij->i", B, B)[None, :] - 2.0 * (A @ B.T)
    return np.exp(-gamma * np.maximum(D, 0.0))

features_only = workload == "logdet" and n > 10000 and lib == "submodkit"
S = None if features_only else rbf(X, X)
if S is not None:
    np.fill_diagonal(S, 1.0)
SQ, SP, QQ = rbf(X, Q), rbf(X, P), rbf(Q, Q)
np.fill_diagonal(QQ, 1.0)

def load():
    if lib == "submodkit":
        from submodkit.objectives import information as info
        from submodkit.objectives.log_determinant import LogDeterminant
        from submodkit.solvers.submodular.greedy import maximize
        make = {
            "logdet": (lambda: LogDeterminant.from_features(X, kernel="rbf", gamma=gamma, max_size=k))
            if features_only else (lambda: LogDeterminant(S, max_size=k)),
            "flmi": lambda: info.FacilityLocationMI(S, SQ),
            "flcg": lambda: info.FacilityLocationCG(S, SP),
            "logdetmi": lambda: info.LogDeterminantMI(S, SQ, QQ, max_size=k),
        }[workload]

        def fit(backend="auto"):
            sol = maximize(make(), k, algorithm="lazy" if lazy else "naive", bound=False, backend=backend)
            return sol.selection.tolist(), sol.gains.tolist()
        return fit
    import submodlib
    make = {
        "logdet": lambda: submodlib.LogDeterminantFunction(n=n, mode="dense", lambdaVal=1.0, sijs=S),
        "flmi": lambda: submodlib.FacilityLocationMutualInformationFunction(
            n=n, num_queries=10, data_sijs=S, query_sijs=SQ, magnificationEta=1.0),
        "flcg": lambda: submodlib.FacilityLocationConditionalGainFunction(
            n=n, num_privates=10, data_sijs=S, private_sijs=SP, privacyHardness=1.0),
        "logdetmi": lambda: submodlib.LogDeterminantMutualInformationFunction(
            n=n, num_queries=10, lambdaVal=1.0, data_sijs=S, query_sijs=SQ, query_query_sijs=QQ,
            magnificationEta=1.0),
    }[workload]

    def fit(backend=None):
        res = make().maximize(budget=k, optimizer="LazyGreedy" if lazy else "NaiveGreedy",
                              stopIfZeroGain=False,
                              stopIfNegativeGain=False, show_progress=False)
        return [int(r[0]) for r in res], [float(r[1]) for r in res]
    return fit

t1 = time.perf_counter()
run = load()
sel, gains = run()
cold = time.perf_counter() - t1
warm = []
for _ in range(repeat):
    t = time.perf_counter(); run(); warm.append(time.perf_counter() - t)
steady = None
if lib == "submodkit" and repeat:  # a long-running process: Numba's kernels loaded
    run("numba")
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); run("numba"); ts.append(time.perf_counter() - t)
    steady = float(np.median(ts))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"cold": cold, "warm": float(np.median(warm)) if warm else None, "steady": steady,
                  "peak_mb": peak, "selection": sel, "gains": gains}))
'''


def child(lib: str, workload: str, n: int, k: int, repeat: int, mem_gb: float, timeout: float,
          optimizer: str) -> dict:
    env = {key: v for key, v in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    cmd = [sys.executable, "-c", CHILD, lib, workload, str(n), str(k), str(repeat), str(mem_gb), optimizer]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout ({timeout:.0f} s)"}
    if out.returncode != 0:
        last = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"
        return {"error": last[:100]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    m = len(xs) // 2
    return xs[m] if len(xs) % 2 else 0.5 * (xs[m - 1] + xs[m])


def _same(a: dict, b: dict) -> str:
    """Whether the picks agree while the gains are positive (after that every gain is 0 and
    tie-breaks differ), and f(S) of ``b`` over f(S) of ``a`` (each the sum of its gains)."""
    if "selection" not in a or "selection" not in b:
        return ""
    live = sum(1 for g in a["gains"] if g > 1e-6)
    same = a["selection"][:live] == b["selection"][:live]
    where = f" (first {live})" if live < len(a["gains"]) else ""
    return f"{same}{where} | {sum(b['gains']) / sum(a['gains']):.6f}"


def fmt(x) -> str:
    if x is None:
        return "n/a"
    return f"{x * 1000:.1f} ms" if x < 10 else f"{x:.1f} s"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--workloads", nargs="+", default=["logdet", "flmi", "flcg", "logdetmi"])
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--mem-gb", type=float, default=14.0)
    ap.add_argument("--timeout", type=float, default=900.0)
    ap.add_argument("--optimizer", choices=["lazy", "naive"], default="lazy",
                    help="lazy greedy (submodlib's LazyGreedy) or naive greedy (NaiveGreedy) in both")
    args = ap.parse_args()
    print("```\npython scripts/bench_information.py " + " ".join(sys.argv[1:]) + "\n```\n")
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores)\n")
    print("| workload | n | k | library | cold fit | warm fit | peak RSS "
          "| cold ratio (submodlib / submodkit) | warm ratio | same selection | f(S) / f(S submodkit) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for workload in args.workloads:
        for n in args.sizes:
            runs: dict[str, list[dict]] = {"submodkit": [], "submodlib": []}
            for _ in range(args.rounds):
                for lib in runs:
                    runs[lib].append(child(lib, workload, n, args.k, args.repeat, args.mem_gb, args.timeout,
                                           args.optimizer))
                if any("error" in r[-1] for r in runs.values()):
                    break  # a library that cannot run (memory, time) is not retried
            ours, theirs = runs["submodkit"], runs["submodlib"]
            pairs = [(a, b) for a, b in zip(ours, theirs, strict=False)
                     if "error" not in a and "error" not in b]
            cold_ratio = _median([b["cold"] / a["cold"] for a, b in pairs])
            warm_ratio = _median([b["warm"] / a["warm"] for a, b in pairs if a.get("warm") and b.get("warm")])
            steady_ratio = _median([b["warm"] / a["steady"] for a, b in pairs
                                    if a.get("steady") and b.get("warm")])
            for lib, rs in runs.items():
                ok = [r for r in rs if "error" not in r]
                if not ok:
                    print(f"| {workload} | {n} | {args.k} | {lib} | {rs[-1]['error']} | | | | | | |",
                          flush=True)
                    continue
                first_ok = next((r for r in ours if "error" not in r), {})
                mine = lib == "submodkit"
                if mine and steady_ratio:
                    print(f"| {workload} | {n} | {args.k} | submodkit (Numba loaded) | "
                          f"| {fmt(_median([r['steady'] for r in ok]))} | | | {steady_ratio:.2f}x | | |")
                print(f"| {workload} | {n} | {args.k} | {lib} | {fmt(_median([r['cold'] for r in ok]))} "
                      f"| {fmt(_median([r['warm'] for r in ok]))} | {max(r['peak_mb'] for r in ok):.0f} MB "
                      f"| {f'{cold_ratio:.2f}x' if mine and cold_ratio else ''} "
                      f"| {f'{warm_ratio:.2f}x' if mine and warm_ratio else ''} "
                      f"| {' |' if mine else _same(first_ok, ok[0])} |", flush=True)
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
