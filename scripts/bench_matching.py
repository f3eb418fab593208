"""Benchmark: matching against its anchors, side by side in one run.

- exact maximum-weight matching (compiled blossom) vs ``networkx.max_weight_matching`` on
  the graphs of ../shared/data/matching; networkx runs in a child process with a time
  limit (``--nx-limit``), a timeout is reported as a lower bound on the ratio;
- cold start: a new Python process (Numba cache populated) reading and solving one graph;
- approximations (greedy, path growing, 2-augmentations): seconds and ratio to the optimum;
- bipartite assignment vs ``scipy.optimize.linear_sum_assignment`` (warm, median);
- online algorithms: arrivals per second;
- ``--edcs-dense``: EDCS and maximum-matching core-sets on dense graphs (G(n, m), random
  bipartite, Chung-Lu power law, SNAP facebook), with a beta sweep on the power-law graph.

    python scripts/bench_matching.py                 # everything (about 6 minutes)
    python scripts/bench_matching.py --quick         # small graphs only
    python scripts/bench_matching.py --edcs-dense    # EDCS core-sets on dense graphs only (~4 minutes)
    python scripts/bench_matching.py --cardinality --nx-limit 60   # maximum cardinality, unit weights
    python scripts/bench_matching.py --vertex-cover  # EDCS vertex-cover core-sets only (~4 minutes)
    python scripts/bench_matching.py --variance      # exact matching time spread on complete graphs
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from timing import median_time

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "matching"
sys.path.insert(0, str(ROOT))

NX_CHILD = """
import sys, time, networkx as nx
from submodkit.instances import read_edgelist
g = read_edgelist(sys.argv[1])
G = nx.Graph()
G.add_nodes_from(range(g.n_nodes))
for (u, v), w in zip(g.edges.tolist(), g.weights.tolist()):
    if u != v and (not G.has_edge(u, v) or G[u][v]["weight"] < w):
        G.add_edge(u, v, weight=int(w))
t = time.perf_counter()
m = nx.max_weight_matching(G)
print(time.perf_counter() - t, sum(G[a][b]["weight"] for a, b in m))
"""

COLD_CHILD = """
import sys, time
t = time.perf_counter()
from submodkit.instances import read_edgelist
from submodkit.solvers.matching.general import max_weight_matching
sol = max_weight_matching(read_edgelist(sys.argv[1]))
print(time.perf_counter() - t, sol.value)
"""


def run_child(code: str, arg: str, limit: float):
    try:
        out = subprocess.run([sys.executable, "-c", code, arg], capture_output=True, text=True,
                             timeout=limit, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None, None
    secs, val = out.stdout.split()
    return float(secs), float(val)


def bench_exact(names, nx_limit: float, repeat: int):
    from submodkit.instances import read_edgelist, read_matching_solution
    from submodkit.solvers.matching.general import max_weight_matching

    print("| graph | n | m | optimum ok | submodkit warm (s) | cold process (s) | networkx (s) | speed-up |")
    print("|---|---|---|---|---|---|---|---|")
    timed_out: set[str] = set()  # a family whose smaller graph hit the limit is not retried
    for name in sorted(names, key=lambda x: (x.split("_n")[0], read_edgelist(DATA / f"{x}.edge.gz").n_nodes)):
        path = DATA / f"{name}.edge.gz"
        g = read_edgelist(path)
        total, _ = read_matching_solution(DATA / f"{name}.out.gz")
        max_weight_matching([(0, 1, 1.0), (1, 2, 2.0)])  # compiled before timing
        t = time.perf_counter()
        sol = max_weight_matching(g)
        first = time.perf_counter() - t
        warm = first if first > 5 else median_time(lambda g=g: max_weight_matching(g), repeat)
        cold, _ = run_child(COLD_CHILD, str(path), 600)
        family = name.split("_n")[0]
        if family in timed_out:
            nxt, nxw = None, None
        else:
            nxt, nxw = run_child(NX_CHILD, str(path), nx_limit)
        if nxt is None:
            timed_out.add(family)
            shown, ratio = f"> {nx_limit:.0f} (limit)", f"> {nx_limit / warm:.0f}x"
        else:
            assert nxw == total, (name, nxw, total)
            shown, ratio = f"{nxt:.2f}", f"{nxt / warm:.0f}x"
        print(f"| {name} | {g.n_nodes} | {g.n_edges} | {sol.value == total} | {warm:.3f} | {cold:.2f} "
              f"| {shown} | {ratio} |", flush=True)


def bench_approx(names):
    """The approximations on every graph, through ``submodkit batch`` (each run its own
    process; ratios to the optima published with the graphs)."""
    import tempfile

    from submodkit.batch import Instance, expand_runs, run_batch
    from submodkit.instances import read_matching_solution

    algs = ("greedy", "path-growing", "augment")
    optima = {name: float(read_matching_solution(DATA / f"{name}.out.gz")[0]) for name in names}
    specs = expand_runs([Instance(str(DATA / f"{name}.edge.gz"), name) for name in names], problem="matching",
                        algorithms=list(algs), ks=[None], seeds=[0], time_limits=[None], exact=False)
    out = Path(tempfile.mkdtemp()) / "approx.csv"
    rows = {(r["instance"], r["algorithm_requested"]): r
            for r in run_batch(specs, out, optima=optima, progress=False).rows}
    print("Seconds: inside `submodkit solve` (a fresh process: reading the graph and loading the "
          "compiled kernels included).\n")
    print("| graph | " + " | ".join(f"{a} (s) | {a} ratio" for a in algs) + " |")
    print("|---|" + "---|---|" * len(algs))
    for name in names:
        cells = [f"{rows[name, a]['seconds']:.3f} | {rows[name, a]['ratio']:.4f}" for a in algs]
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


def bench_assignment(sizes, repeat: int):
    from scipy.optimize import linear_sum_assignment

    from submodkit.solvers.matching.assignment import max_weight_assignment

    print("| matrix | submodkit (s) | scipy (s) | submodkit / scipy | same value |")
    print("|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    max_weight_assignment(rng.random((5, 5)))
    for a, b in sizes:
        W = rng.random((a, b))
        ours = median_time(lambda W=W: max_weight_assignment(W), repeat)
        ref = median_time(lambda W=W: linear_sum_assignment(W, maximize=True), repeat)
        r, c = linear_sum_assignment(W, maximize=True)
        same = abs(max_weight_assignment(W).value - W[r, c].sum()) < 1e-8
        print(f"| {a} x {b} | {ours:.3f} | {ref:.3f} | {ours / ref:.2f} | {same} |", flush=True)


def bench_edcs(names, quick: bool):
    """EDCS core-set (4 parts) vs the maximum matching core-set, ratio to the exact maximum cardinality."""
    from submodkit.coresets.edcs import edcs_coreset_matching, matching_coreset
    from submodkit.instances import read_edgelist
    from submodkit.solvers.matching.general import max_weight_matching

    print("| graph | n | m | max matching | EDCS beta | EDCS core-set edges | EDCS ratio | EDCS (s) "
          "| matching core-set edges | its ratio | exact (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    graphs = [(n, read_edgelist(DATA / f"{n}.edge.gz")) for n in names]
    rng = np.random.default_rng(0)
    big = 5000 if quick else 20000
    e = rng.integers(0, big, (10 * big, 2))
    graphs.append((f"random G(n={big}, m={10 * big})", np.unique(np.sort(e[e[:, 0] != e[:, 1]], 1), axis=0)))
    snap = ROOT.parent / "shared" / "data" / "snap" / "facebook_combined.txt.gz"
    if snap.exists() and not quick:
        graphs.append(("snap facebook_combined", read_edgelist(snap)))
    for name, g in graphs:
        edges = np.column_stack([g.edges, np.ones(len(g.edges))]) if hasattr(g, "edges") else g
        t = time.perf_counter()
        opt = len(max_weight_matching(edges[:, :2], maxcardinality=True))
        t_exact = time.perf_counter() - t
        n_nodes = int(edges[:, :2].max()) + 1
        beta = 16
        t = time.perf_counter()
        ed = edcs_coreset_matching(edges[:, :2], n_parts=4, beta=beta, seed=0)
        t_edcs = time.perf_counter() - t
        mc = matching_coreset(edges[:, :2], n_parts=4, seed=0)
        print(f"| {name} | {n_nodes} | {ed.stats['n_edges']} | {opt} | {beta} | {ed.stats['coreset_edges']} "
              f"| {len(ed) / opt:.4f} | {t_edcs:.2f} | {mc.stats['coreset_edges']} | {len(mc) / opt:.4f} "
              f"| {t_exact:.2f} |", flush=True)


def chung_lu(n: int, avg_degree: int, gamma: float, seed: int = 0) -> np.ndarray:
    """Power-law graph (Chung-Lu): endpoints drawn with probability ~ (i + 1)^(-1 / (gamma - 1)),
    loops and repeats dropped, n * avg_degree / 2 distinct edges (hubs saturate when gamma < 2)."""
    rng = np.random.default_rng(seed)
    w = (np.arange(n) + 1.0) ** (-1.0 / (gamma - 1.0))
    p, m = w / w.sum(), n * avg_degree // 2
    keys = np.zeros(0, np.int64)
    while keys.size < m:
        a, b = rng.choice(n, 2 * m, p=p), rng.choice(n, 2 * m, p=p)
        a, b = a[a != b], b[a != b]
        keys = np.unique(np.concatenate([keys, np.minimum(a, b) * n + np.maximum(a, b)]))
    return np.column_stack(np.divmod(np.sort(rng.choice(keys, m, replace=False)), n))


def bench_edcs_dense(quick: bool, parts: int = 4):
    """Dense graphs, where an EDCS is much smaller than its part: size and ratio vs the exact optimum."""
    import math

    from submodkit.coresets.edcs import edcs_coreset_matching, edcs_size_bounds, matching_coreset
    from submodkit.instances import read_edgelist
    from submodkit.instances.edges import as_edge_list
    from submodkit.instances.generators import random_graph
    from submodkit.instances.online import random_online
    from submodkit.solvers.matching.general import max_weight_matching

    def bipartite(a, b, p):
        adj = random_online(a, b, p, seed=0).adjacency.tocoo()
        return np.column_stack([adj.row, a + adj.col])

    s = 4 if quick else 1
    a, b, big, m = 2000 // s, 10000 // s, 8000 // s, 10**6 // s**2
    graphs = [
        (f"G(n={a}, m={m})", lambda: random_graph(a, m, seed=0).edges),
        (f"G(n={b}, m={m})", lambda: random_graph(b, m, seed=0).edges),
        (f"bipartite {a} x {big}, p=0.05", lambda: bipartite(a, big, 0.05)),
        (f"power law n={b}, avg deg 100, gamma 1.8", lambda: chung_lu(b, 100, 1.8)),
    ]
    snap = ROOT.parent / "shared" / "data" / "snap" / "facebook_combined.txt.gz"
    if snap.exists():
        graphs.append(("snap facebook_combined", lambda: read_edgelist(snap).edges))
    sweep_on = (graphs[3][0], "snap facebook_combined")
    print("| graph | n | m | parts | beta | beta_minus | core-set edges | core-set / m | forced / m "
          "| EDCS ratio | matching core-set edges | its ratio | EDCS (s) | matching core-set (s) "
          "| exact (s) | max matching |")
    print("|---" * 16 + "|")
    for name, make in graphs:
        g = as_edge_list(make())
        t = time.perf_counter()
        opt = len(max_weight_matching(g, maxcardinality=True))
        t_exact = time.perf_counter() - t
        t = time.perf_counter()
        mc = matching_coreset(g, n_parts=parts, seed=0, engine="threads")
        t_mc = time.perf_counter() - t
        default = max(4, math.ceil(4 * math.log(max(g.n, 2)) / 0.5**2))  # edcs_coreset_matching's default
        betas = [2, 4, 8, 16, 32, 64, default] if name in sweep_on else [16]
        for beta in betas:
            t = time.perf_counter()
            ed = edcs_coreset_matching(g, n_parts=parts, beta=beta, seed=0, engine="threads")
            t_ed = time.perf_counter() - t
            bounds = edcs_size_bounds(g, n_parts=parts, beta=beta, seed=0)
            m, c = g.u.size, ed.stats["coreset_edges"]
            label = f"{beta} (default)" if beta == default and len(betas) > 1 else beta
            print(f"| {name} | {g.n} | {m} | {parts} | {label} | {beta - 1} | {c} | {c / m:.4f} "
                  f"| {bounds['forced_edges'] / m:.4f} | {len(ed) / opt:.4f} | {mc.stats['coreset_edges']} "
                  f"| {len(mc) / opt:.4f} | {t_ed:.2f} | {t_mc:.2f} | {t_exact:.2f} | {opt} |", flush=True)


CARD_CHILD = """
import sys, time, numpy as np
e = np.load(sys.argv[1])
n = int(e.max()) + 1 if e.size else 0
if sys.argv[2] == "networkx":
    import networkx as nx
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from(e.tolist())
    t = time.perf_counter()
    size = len(nx.max_weight_matching(G, maxcardinality=True))
elif sys.argv[2] == "blossom":
    from submodkit.solvers.matching._blossom import blossom_matching
    from submodkit.instances.edges import as_edge_list
    blossom_matching(3, np.array([0, 1]), np.array([1, 2]), np.ones(2), True)  # compiled before timing
    g = as_edge_list(e)
    t = time.perf_counter()
    mate, _, _ = blossom_matching(g.n, g.u, g.v, g.w, True)
    size = int((mate >= 0).sum()) // 2
else:  # cold: a new process, import, normalize and solve (Numba cache populated)
    t = time.perf_counter()
    from submodkit.solvers.matching.general import max_weight_matching
    size = len(max_weight_matching(e, maxcardinality=True))
print(time.perf_counter() - t, size)
"""


def bench_cardinality(nx_limit: float, blossom_limit: float, repeat: int):
    """Maximum-cardinality matching (all weights 1): the Edmonds cardinality kernel (what
    ``max_weight_matching`` dispatches to) vs the weighted blossom in unit-weight mode and
    networkx, both in child processes with time limits."""
    import tempfile

    from submodkit.instances import read_edgelist
    from submodkit.instances.edges import as_edge_list
    from submodkit.instances.generators import random_graph
    from submodkit.solvers.matching.general import max_weight_matching

    tmp = Path(tempfile.gettempdir())

    def cached_chung_lu(n, deg, gamma):
        f = tmp / f"submodkit_bench_chung_lu_{n}_{deg}_{gamma}.npy"  # the generator is slow (~40 s)
        if not f.exists():
            np.save(f, chung_lu(n, deg, gamma))
        return np.load(f)

    graphs = [
        ("power law n=10000, avg deg 100, gamma 1.8", lambda: cached_chung_lu(10000, 100, 1.8)),
        ("power law n=20000, avg deg 100, gamma 1.7", lambda: cached_chung_lu(20000, 100, 1.7)),
        ("G(n=10000, m=1000000)", lambda: random_graph(10000, 10**6, seed=0).edges),
    ]
    snap = ROOT.parent / "shared" / "data" / "snap" / "facebook_combined.txt.gz"
    if snap.exists():
        graphs.append(("snap facebook_combined", lambda: read_edgelist(snap).edges))
    for p in sorted(DATA.glob("*.edge.gz")):
        graphs.append((p.name[: -len(".edge.gz")] + " (unit)", lambda p=p: read_edgelist(p).edges))
    max_weight_matching([(0, 1), (1, 2), (2, 0)], maxcardinality=True)  # compiled before timing
    print("| graph | n | m | max matching | greedy start | augmentations | failed searches "
          "| new kernel warm (s) | cold process (s) | weighted blossom, unit (s) | networkx (s) | vs blossom "
          "| vs networkx | sizes agree |")
    print("|---" * 14 + "|")
    for name, make in graphs:
        g = as_edge_list(np.asarray(make(), dtype=np.int64).reshape(-1, 2))
        e = np.column_stack([g.u, g.v])
        sol = max_weight_matching(g, maxcardinality=True)
        warm = median_time(lambda g=g: max_weight_matching(g, maxcardinality=True), repeat)
        f = tmp / f"submodkit_bench_card_{abs(hash(name))}.npy"
        np.save(f, e)
        cold, _ = _card_child(f, "cold", 600)
        bt, bs = _card_child(f, "blossom", blossom_limit)
        nt, ns = _card_child(f, "networkx", nx_limit)
        f.unlink()
        agree = all(x is None or x == len(sol) for x in (bs, ns))
        cells = []
        for secs, limit in ((bt, blossom_limit), (nt, nx_limit)):
            cells.append((f"> {limit:.0f} (limit)", f"> {limit / warm:.0f}x") if secs is None
                         else (f"{secs:.2f}", f"{secs / warm:.0f}x"))
        st = sol.stats
        print(f"| {name} | {g.n} | {g.u.size} | {len(sol)} | {st['greedy']} | {st['augmentations']} "
              f"| {st['failed_searches']} | {warm:.3f} | {cold:.2f} | {cells[0][0]} | {cells[1][0]} "
              f"| {cells[0][1]} | {cells[1][1]} | {agree} |", flush=True)


def _card_child(path, mode: str, limit: float):
    try:
        out = subprocess.run([sys.executable, "-c", CARD_CHILD, str(path), mode], capture_output=True,
                             text=True, timeout=limit, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None, None
    secs, size = out.stdout.split()
    return float(secs), int(size)


def bench_online():
    from submodkit.instances.online import random_online, upper_triangular
    from submodkit.solvers.matching.online import online_matching

    print("| instance | algorithm | order | arrivals/s | mean ratio (20 seeds) | guarantee |")
    print("|---|---|---|---|---|---|")
    cases = [(random_online(20000, 5000, 0.002, capacities=4, seed=0), "random 20000 x 5000, b=4"),
             (upper_triangular(2000), "upper-triangular 2000")]
    for inst, label in cases:
        for alg in ("greedy", "ranking", "balance"):
            order = "random" if "random" in label else "adversarial"
            runs = [online_matching(inst, algorithm=alg, order=order, seed=s) for s in range(20)]
            aps = statistics.median(r.stats["arrivals_per_second"] for r in runs)
            ratio = statistics.mean(r.certified_ratio for r in runs)
            print(f"| {label} | {alg} | {runs[0].order} | {aps:,.0f} | {ratio:.4f} | "
                  f"{runs[0].guarantee.ratio:.4f} |", flush=True)


def bench_vertex_cover(quick: bool, parts: int = 4, beta: int = 16, cpsat_limit: float = 25.0):
    """EDCS vertex-cover core-set: core-set sizes, cover, certified ratio (cover / matching lower
    bound) and the true ratio where CP-SAT proves the optimum; networkx's local-ratio 2-approximation
    (min_weighted_vertex_cover) and our maximal-matching cover on the whole graph side by side."""
    import networkx as nx

    from submodkit.coresets.edcs_vertex_cover import edcs_vertex_cover
    from submodkit.instances import read_edgelist
    from submodkit.instances.generators import random_graph
    from submodkit.solvers.cover.vertex_cover import (
        exact_vertex_cover,
        is_vertex_cover,
        maximal_matching_cover,
    )

    s = 4 if quick else 1
    names = ["random_n1000_m10000", "random_n4000_m10000", "triangles_n10002"]
    graphs = [(n, lambda n=n: read_edgelist(DATA / f"{n}.edge.gz").edges) for n in names[: 2 if quick else 3]]
    snap = ROOT.parent / "shared" / "data" / "snap" / "facebook_combined.txt.gz"
    if snap.exists():
        graphs.append(("snap facebook_combined", lambda: read_edgelist(snap).edges))
    for n, deg in ((4000 // s, 50), (2000 // s, 200), (2000 // s, 500 // s)):
        graphs.append((f"G(n={n}, m={n * deg // 2})", lambda n=n, deg=deg: random_graph(n, n * deg // 2,
                                                                                       seed=0).edges))
    print(f"{parts} random edge parts, beta = {beta}, beta_minus = {beta - 1}; V = union of the V_i; "
          f"cover = V + both ends of a maximal matching of the uncovered forwarded edges (exact C': "
          f"CP-SAT on them, {cpsat_limit / 2:g} s); certified = cover / maximum matching of the union "
          f"of the H_i; OPT: CP-SAT on G, {cpsat_limit:g} s, 1 worker ([lower bound, best] when not "
          f"proven).\n")
    print("| graph | n | m | parts | EDCS edges (sum H_i) | sum V_i | union V | forwarded edges "
          "| uncovered forwarded | cover | cover (exact C') | matching LB | certified ratio | OPT (CP-SAT) "
          "| true ratio "
          "| core-set (s) | CP-SAT (s) | networkx 2-approx cover | networkx (s) | matching 2-approx on G "
          "| its (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, load in graphs:
        edges = np.asarray(load(), np.int64)[:, :2]
        t = time.perf_counter()
        sol = edcs_vertex_cover(edges, n_parts=parts, beta=beta, seed=0)
        t_core = time.perf_counter() - t
        assert is_vertex_cover(edges, sol.selection)
        ex = edcs_vertex_cover(edges, n_parts=parts, beta=beta, seed=0, forwarded_cover="exact",
                               time_limit=cpsat_limit / 2)
        t = time.perf_counter()
        opt = exact_vertex_cover(edges, time_limit=cpsat_limit)
        t_opt = time.perf_counter() - t
        G = nx.Graph()
        G.add_edges_from(edges.tolist())
        t = time.perf_counter()
        nxc = nx.approximation.min_weighted_vertex_cover(G)
        t_nx = time.perf_counter() - t
        t = time.perf_counter()
        mm, _ = maximal_matching_cover(edges)
        t_mm = time.perf_counter() - t
        st = sol.stats
        if opt.optimal:
            opt_s, ratio = f"{opt.value:g}", f"{sol.value / opt.value:.3f}"
        else:
            opt_s = f"[{opt.bound:g}, {opt.value:g}]"
            ratio = f"[{sol.value / opt.value:.3f}, {sol.value / opt.bound:.3f}]"
        print(f"| {name} | {st['n_nodes']} | {st['n_edges']} | {parts} | {st['edcs_edges']} "
              f"| {st['coreset_vertices']} | {st['union_vertices']} | {st['forwarded_edges']} "
              f"| {st['forwarded_uncovered']} | {sol.value:g} | {ex.value:g} | {sol.lower_bound:g} "
              f"| {sol.certified_ratio:.3f} | {opt_s} | {ratio} | {t_core:.2f} | {t_opt:.1f} | {len(nxc)} "
              f"| {t_nx:.2f} | {mm.size} | {t_mm:.3f} |", flush=True)


def _complete_graph(n: int, kind: str, seed: int) -> np.ndarray:
    """K_n as an (m, 3) array: weights uniform in [0, 1), Euclidean distances of uniform points
    in the unit square, or integers in [1, 1000]."""
    rng = np.random.default_rng(seed)
    u, v = np.triu_indices(n, 1)
    if kind == "uniform":
        w = rng.random(u.shape[0])
    elif kind == "geometric":
        P = rng.random((n, 2))
        w = np.sqrt(((P[u] - P[v]) ** 2).sum(1))
    else:
        w = rng.integers(1, 1001, u.shape[0]).astype(float)
    return np.column_stack([u, v, w])


def bench_variance(seeds: int) -> None:
    """Exact matching on complete graphs, 'seeds' instances per row, in one process (warm),
    then the same with the other core kept busy: min / median / max seconds and their spread."""
    import os

    from submodkit.solvers.matching.general import max_weight_matching

    max_weight_matching(_complete_graph(20, "uniform", 0))  # load the kernels
    print("| graph | weights | load | instances | min (s) | median (s) | max (s) | max / min | "
          "blossom stages (min..max) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for busy in (False, True):
        hog = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
        try:
            for n in (500, 1000):
                for kind in ("uniform", "geometric", "integer"):
                    times, stages = [], []
                    for seed in range(seeds):
                        g = _complete_graph(n, kind, seed)
                        t = time.perf_counter()
                        sol = max_weight_matching(g)
                        times.append(time.perf_counter() - t)
                        stages.append(sol.stats.get("stages", 0))
                    load = "one core busy" if busy else "quiet"
                    print(f"| K_{n} | {kind} | {load} | {seeds} | {min(times):.3f} | "
                          f"{statistics.median(times):.3f} | {max(times):.3f} | "
                          f"{max(times) / min(times):.2f} | {min(stages)}..{max(stages)} |")
        finally:
            if hog is not None:
                hog.kill()
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small graphs only")
    ap.add_argument("--nx-limit", type=float, default=30.0, help="seconds allowed to networkx per graph")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--edcs-dense", action="store_true",
                    help="only the EDCS core-set tables on dense graphs (about 4 minutes; --quick: smaller)")
    ap.add_argument("--cardinality", action="store_true",
                    help="only maximum-cardinality matching (unit weights) vs weighted blossom and networkx")
    ap.add_argument("--blossom-limit", type=float, default=120.0,
                    help="seconds allowed to the weighted blossom per graph (--cardinality)")
    ap.add_argument("--vertex-cover", action="store_true",
                    help="only the EDCS vertex-cover core-set table (about 4 minutes; --quick: smaller)")
    ap.add_argument("--variance", action="store_true",
                    help="only the spread of exact matching times on complete graphs")
    ap.add_argument("--seeds", type=int, default=10, help="instances per row (--variance)")
    args = ap.parse_args()
    if args.variance:
        print(f"```\npython scripts/bench_matching.py --variance --seeds {args.seeds}\n```\n")
        bench_variance(args.seeds)
        return
    if args.vertex_cover:
        quick = " --quick" if args.quick else ""
        print(f"```\npython scripts/bench_matching.py --vertex-cover{quick}\n```\n")
        print("### EDCS vertex-cover core-sets: sizes, cover, certified and true ratio\n")
        bench_vertex_cover(args.quick)
        return
    if args.cardinality:
        print(f"```\npython scripts/bench_matching.py --cardinality --nx-limit {args.nx_limit:g} "
              f"--blossom-limit {args.blossom_limit:g}\n```\n")
        print("### Maximum-cardinality matching (unit weights): Edmonds cardinality kernel vs the "
              "weighted blossom and networkx\n")
        bench_cardinality(args.nx_limit, args.blossom_limit, args.repeat)
        return
    if args.edcs_dense:
        quick = " --quick" if args.quick else ""
        print(f"```\npython scripts/bench_matching.py --edcs-dense{quick}\n```\n")
        print("### EDCS core-sets on dense graphs (4 random parts): size and ratio to the maximum matching\n")
        bench_edcs_dense(args.quick)
        return
    names = sorted(p.name[: -len(".edge.gz")] for p in DATA.glob("*.edge.gz"))
    if args.quick:
        names = [n for n in names if n.endswith(("n1000", "n1002", "n1004", "m10000"))][:4]
    print("```\npython scripts/bench_matching.py" + (" --quick" if args.quick else "")
          + f" --nx-limit {args.nx_limit:g}\n```\n")
    print("### Exact maximum-weight matching vs networkx\n")
    bench_exact(names, args.nx_limit, args.repeat)
    print("\n### Approximations (ratio to the published optimum)\n")
    bench_approx(names)
    print("\n### Bipartite assignment vs scipy.optimize.linear_sum_assignment\n")
    bench_assignment([(500, 500), (1000, 1000), (2000, 2000), (500, 3000)], args.repeat)
    print("\n### Matching core-sets (4 random parts): size and ratio to the maximum matching\n")
    bench_edcs(names, args.quick)
    print("\n### Online bipartite matching\n")
    bench_online()


if __name__ == "__main__":
    main()
