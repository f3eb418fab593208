"""submodkit vs apricot and submodlib: same data, same similarity, same k, side by side.

    python scripts/bench_vs_anchors.py --sizes 50 1000 5000 10000 --digits --knn 100000 1000000

Cold: each library in its own fresh process (import of the library + load/compile + one
fit; numpy, scikit-learn and the data are ready before the clock starts, and the data are
built without importing submodkit). Warm: the median of ``--repeat`` fits in one process
after a first fit. Peak memory: the child process's max RSS. Workloads: submodlib's
protocol (make_blobs, 1024 features, k = n/10, facility location on a dense euclidean
similarity, lazy greedy), digits (k=100: facility location, feature-based sqrt, coverage),
and sparse kNN facility location (``--knn``: ``--knn-dim``-d blobs (16), ``--neighbors`` nearest
neighbours per point built once with submodkit's ``knn_similarity`` (a KD-tree, never n x
n) and stored in a temporary .npz that every child loads; k = ``--knn-k``). Identical
selections are checked. Children run with bytecode caching on (as an installed package).
A child that exceeds ``--timeout`` seconds is reported as such.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

CHILD = r'''
import json, resource, sys, time
t0 = time.perf_counter()
import numpy as np
lib, workload, n, k, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
import scipy.sparse as sp
from sklearn.datasets import load_digits, make_blobs
# The similarities of submodkit.objectives.pairwise_similarity, in numpy (so that
# importing submodkit is inside the cold time).
if workload == "blobs-fl":
    X, _ = make_blobs(n_samples=n, n_features=1024, centers=10, random_state=0)
    sq = np.einsum("ij,ij->i", X, X)
    D = X @ X.T
    D *= -2.0
    D += sq[:, None]
    D += sq[None, :]
    np.maximum(D, 0.0, out=D)
    np.fill_diagonal(D, 0.0)
    data = np.subtract(D.max(), D, out=D)
    del X
elif workload == "knn-fl":
    z = np.load(sys.argv[6])
    data = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
else:
    X = load_digits().data
    Z = X - X.mean(axis=1, keepdims=True)
    Z /= np.linalg.norm(Z, axis=1, keepdims=True)
    S = Z @ Z.T
    S = S * S
    cov = np.where(S > np.quantile(S, 0.95), S, 0.0)
    data = {"digits-fl": S, "digits-fb": X, "digits-cov": cov}[workload]
t_data = time.perf_counter()

def load():
    """Import the library (inside the cold time) and return ``fit(backend)``: build the
    objective and select, the only work a warm fit repeats."""
    kind = workload.split("-")[1]
    if lib == "submodkit":
        from submodkit.objectives import FacilityLocation, FeatureBased, SaturatedCoverage
        from submodkit.solvers.submodular.greedy import maximize
        make = {"fl": lambda: FacilityLocation(data), "fb": lambda: FeatureBased(data, "sqrt"),
                "cov": lambda: SaturatedCoverage(data, caps=np.ones(data.shape[1]))}[kind]

        def fit(backend="auto"):
            return maximize(make(), k, algorithm="lazy", bound=False, backend=backend).selection.tolist()
        return fit
    if lib == "apricot":
        import apricot
        make = {"fl": lambda: apricot.FacilityLocationSelection(k, metric="precomputed", optimizer="lazy"),
                "fb": lambda: apricot.FeatureBasedSelection(k, concave_func="sqrt", optimizer="lazy"),
                "cov": lambda: apricot.MaxCoverageSelection(k, optimizer="lazy")}[kind]

        def fit(backend=None):
            return [int(i) for i in make().fit(data).ranking]
        return fit
    import submodlib
    if not workload.endswith("fl"):
        return None
    if workload == "knn-fl":  # submodlib: f = sum_i max_{j in S} s_ij, rows are elements
        kwargs = {"mode": "sparse", "sijs": data.T.tocsr(), "num_neighbors": int(sys.argv[7])}
    else:
        kwargs = {"mode": "dense", "sijs": data, "separate_rep": False}

    def fit(backend=None):
        f = submodlib.FacilityLocationFunction(n=data.shape[0], **kwargs)
        res = f.maximize(budget=k, optimizer="LazyGreedy", stopIfZeroGain=False, stopIfNegativeGain=False,
                         show_progress=False)
        return [int(r[0]) for r in res]
    return fit

t1 = time.perf_counter()
run = load()
sel = run() if run is not None else None
cold = time.perf_counter() - t1
warm = []
for _ in range(repeat if sel is not None else 0):
    t = time.perf_counter(); run(); warm.append(time.perf_counter() - t)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
med = float(np.median(warm)) if warm else None
steady = steady_same = None
if lib == "submodkit" and repeat:  # a long-running process: Numba's kernels loaded
    steady_same = run("numba") == sel
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); run("numba"); ts.append(time.perf_counter() - t)
    steady = float(np.median(ts))
value = None
if sel is not None:  # f(selection), the same formula for every library (after the timings)
    rows = data[sel]
    if workload.endswith("fl"):
        value = float(np.asarray(rows.max(axis=0).todense() if sp.issparse(rows) else rows.max(axis=0)).sum())
    elif workload.endswith("fb"):
        value = float(np.sqrt(rows.sum(axis=0)).sum())
    else:
        value = float(np.minimum(1.0, rows.sum(axis=0)).sum())
print(json.dumps({"cold_fit": cold, "import_and_data": t_data - t0, "warm": med, "peak_mb": peak,
                  "selection": sel, "value": value, "steady": steady,
                  "steady_same": steady_same}))
'''


def child(lib, workload, n, k, repeat, extra=(), timeout=None):
    start = time.perf_counter()
    env = {key: v for key, v in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    try:
        cmd = [sys.executable, "-c", CHILD, lib, workload, str(n), str(k), str(repeat), *extra]
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout ({timeout:.0f} s)"}
    wall = time.perf_counter() - start
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["wall"] = wall
    return res


def _knn_file(folder: str, n: int, neighbors: int, dim: int) -> str:
    """The kNN similarity of ``dim``-d blobs (submodkit's knn_similarity), saved once for all children."""
    import numpy as np
    from sklearn.datasets import make_blobs

    from submodkit.objectives import knn_similarity

    X, _ = make_blobs(n_samples=n, n_features=dim, centers=50, random_state=0)
    t = time.perf_counter()
    sim = knn_similarity(X, "euclidean", neighbors)
    print(f"\nkNN similarity n={n}, {dim}-d blobs, {neighbors} neighbours: "
          f"{time.perf_counter() - t:.1f} s to build, {sim.nnz} entries\n", flush=True)
    path = os.path.join(folder, f"knn_{n}.npz")
    np.savez(path, data=sim.data, indices=sim.indices, indptr=sim.indptr, shape=np.array(sim.shape))
    return path


def _ratio(r, ours) -> str:
    if r.get("value") is None or not ours.get("value"):
        return ""
    return f"{r['value'] / ours['value']:.7f}"


def fmt(x, unit="s"):
    if x is None:
        return "n/a"
    if unit == "s":
        if x < 0.001:
            return f"{x * 1000:.3f} ms"
        return f"{x * 1000:.2f} ms" if x < 10 else f"{x:.1f} s"
    return f"{x:.0f} {unit}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[50, 1000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--digits", action="store_true", help="also the digits workloads (k=100)")
    ap.add_argument("--knn", type=int, nargs="*", default=[], help="sparse kNN facility location sizes")
    ap.add_argument("--neighbors", type=int, default=10)
    ap.add_argument("--knn-k", type=int, default=1000)
    ap.add_argument("--knn-dim", type=int, default=16)
    ap.add_argument("--libs", nargs="+", default=["submodkit", "apricot", "submodlib"])
    ap.add_argument("--timeout", type=float, default=600.0)
    args = ap.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(os.path.dirname(__file__), "..",
                                                                           "submodkit")], capture_output=True)
    print("```\npython scripts/bench_vs_anchors.py " + " ".join(sys.argv[1:]) + "\n```\n")
    cases = [("blobs-fl", n, max(1, n // 10), ()) for n in args.sizes]
    if args.digits:
        cases += [("digits-fl", 1797, 100, ()), ("digits-fb", 1797, 100, ()), ("digits-cov", 1797, 100, ())]
    tmp = tempfile.mkdtemp(prefix="bench_knn_")
    for n in args.knn:
        cases.append(("knn-fl", n, min(args.knn_k, n), None))
    print("| workload | n | k | library | cold fit (fresh process) | warm fit (median) | peak RSS "
          "| warm ratio (best anchor / submodkit) | cold ratio | same selection | f(S) / f(submodkit) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for workload, n, k, extra in cases:
        if extra is None:
            extra = (_knn_file(tmp, n, args.neighbors, args.knn_dim), str(args.neighbors))
        res = {lib: child(lib, workload, n, k, args.repeat, extra, args.timeout) for lib in args.libs}
        ours = res.get("submodkit", {})
        anchors = [r for lib, r in res.items() if lib != "submodkit" and r.get("warm")]
        best_w = min((r["warm"] for r in anchors), default=None)
        best_c = min((r["cold_fit"] for r in anchors), default=None)
        for lib, r in res.items():
            if "error" in r or r.get("selection") is None:
                err = r.get("error", "not supported")
                print(f"| {workload} | {n} | {k} | {lib} | {err} | | | | | | |", flush=True)
                continue
            same = r["selection"] == ours.get("selection")
            if lib == "submodkit" and r.get("steady") and best_w:
                print(f"| {workload} | {n} | {k} | submodkit (Numba loaded) | | {fmt(r['steady'])} | | "
                      f"{best_w / r['steady']:.2f}x | | {r['steady_same']} | |", flush=True)
            wr = f"{best_w / ours['warm']:.2f}x" if lib == "submodkit" and best_w else ""
            cr = f"{best_c / ours['cold_fit']:.2f}x" if lib == "submodkit" and best_c else ""
            print(f"| {workload} | {n} | {k} | {lib} | {fmt(r['cold_fit'])} | {fmt(r['warm'])} "
                  f"| {fmt(r['peak_mb'], 'MB')} | {wr} | {cr} | {same} | {_ratio(r, ours)} |", flush=True)


if __name__ == "__main__":
    main()
