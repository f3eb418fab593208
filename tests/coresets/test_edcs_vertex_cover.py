"""EDCS vertex-cover core-set: validity, the per-part lemma, the certificate sandwich, the derived
worst-case ratio against brute force / CP-SAT optima, engines and input checks."""

import math

import networkx as nx
import numpy as np
import pytest

from submodkit.coresets.edcs import _partition, edcs
from submodkit.coresets.edcs_vertex_cover import _part_cover, edcs_vertex_cover
from submodkit.errors import InvalidParameterError
from submodkit.instances.edges import as_edge_list
from submodkit.solvers.cover.vertex_cover import exact_vertex_cover, is_vertex_cover, maximal_matching_cover


def _clean(e):
    e = np.sort(np.asarray(e, np.int64).reshape(-1, 2), axis=1)
    return np.unique(e[e[:, 0] != e[:, 1]], axis=0)


def gnp(n, p, seed):
    rng = np.random.default_rng(seed)
    iu, iv = np.triu_indices(n, 1)
    keep = rng.random(iu.size) < p
    return np.column_stack([iu[keep], iv[keep]])


def power_law(n, m, seed, gamma=2.1):
    rng = np.random.default_rng(seed)
    w = (np.arange(n) + 1.0) ** (-1.0 / (gamma - 1.0))
    p = w / w.sum()
    return _clean(np.column_stack([rng.choice(n, m, p=p), rng.choice(n, m, p=p)]))


def bipartite(a, b, p, seed):
    rng = np.random.default_rng(seed)
    r, c = np.nonzero(rng.random((a, b)) < p)
    return np.column_stack([r, a + c])


def hubs(n, k, seed):
    """k stars on n leaves (each leaf joined to a random hub) plus a sparse random layer."""
    rng = np.random.default_rng(seed)
    leaves = np.arange(k, n)
    star = np.column_stack([rng.integers(0, k, leaves.size), leaves])
    extra = rng.integers(k, n, (n // 4, 2))
    return _clean(np.concatenate([star, extra]))


GRAPHS = {
    "gnp-sparse": lambda s: gnp(120, 0.03, s),
    "gnp-dense": lambda s: gnp(90, 0.3, s),
    "power-law": lambda s: power_law(300, 1500, s),
    "bipartite": lambda s: bipartite(40, 80, 0.1, s),
    "hubs": lambda s: hubs(200, 3, s),
    "star": lambda s: np.column_stack([np.zeros(50, np.int64), np.arange(1, 51)]),
}


def brute_force_tau(edges, n):
    """Minimum vertex cover size by enumerating all 2^n vertex subsets (n <= 16)."""
    masks = np.arange(1 << n, dtype=np.int64)
    ok = np.ones(masks.size, bool)
    for u, v in edges:
        ok &= (((masks >> u) | (masks >> v)) & 1).astype(bool)
    sizes = np.array([bin(x).count("1") for x in range(1 << n)])
    return int(sizes[ok].min())


@pytest.mark.parametrize("name", sorted(GRAPHS))
@pytest.mark.parametrize("parts,beta", [(1, 4), (3, 6), (4, 2), (7, 9)])
def test_cover_is_valid(name, parts, beta):
    for seed in range(3):
        e = GRAPHS[name](seed)
        sol = edcs_vertex_cover(e, n_parts=parts, beta=beta, seed=seed)
        assert is_vertex_cover(e, sol.selection)
        assert np.unique(sol.selection).size == sol.selection.size == sol.value
        assert sol.gains.sum() == len(_clean(e)) and np.all(sol.gains >= 0)
        st = sol.stats
        assert st["union_vertices"] + st["forwarded_cover"] == sol.value
        assert st["union_vertices"] <= st["coreset_vertices"]
        assert st["forwarded_uncovered"] <= st["forwarded_edges"] <= st["edcs_edges"] <= len(_clean(e))
        # matching cover of F': both endpoints of a maximal matching, which is a matching of G
        assert st["forwarded_cover"] % 2 == 0 and st["forwarded_cover"] // 2 <= sol.lower_bound
        assert sol.lower_bound >= st["matching_lower_bound"]
        assert sol.sense == "min" and sol.guarantee.sense == "min"


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("beta,beta_minus", [(4, 3), (6, 4), (9, 8), (12, 7)])
def test_part_lemma(seed, beta, beta_minus):
    """Per part: H is an EDCS, every part edge outside H has an endpoint in V_i, F_i = the H edges
    missing V_i, and |V_i minus C*| <= (beta - b) / b |C*| for a cover C* of G (here: an exact one)."""
    e = _clean(power_law(150, 900, seed))
    g = as_edge_list(e)
    b = (beta_minus + 1) // 2
    cstar = exact_vertex_cover(e, time_limit=20)
    assert cstar.optimal
    in_c = np.zeros(g.n, bool)
    in_c[cstar.selection] = True
    for part in _partition(g, 3, seed):
        h, high, fwd = _part_cover(g, part, (beta, beta_minus, b))
        sub = as_edge_list(np.column_stack([g.u[part], g.v[part]]), n_nodes=g.n)
        assert np.array_equal(np.sort(h), np.sort(part[edcs(sub, beta, beta_minus, max_sweeps=100_000)]))
        deg = np.bincount(np.concatenate([g.u[h], g.v[h]]), minlength=g.n)
        assert np.all(deg[g.u[h]] + deg[g.v[h]] <= beta)
        assert np.array_equal(high, np.flatnonzero(deg >= b))
        in_v = np.zeros(g.n, bool)
        in_v[high] = True
        out = np.setdiff1d(part, h)
        assert np.all(in_v[g.u[out]] | in_v[g.v[out]])
        assert np.array_equal(np.sort(fwd), np.sort(h[~in_v[g.u[h]] & ~in_v[g.v[h]]]))
        assert b * np.count_nonzero(in_v & ~in_c) <= (beta - b) * cstar.value


@pytest.mark.parametrize("seed", range(25))
def test_small_graphs_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(6, 17))
    e = gnp(n, float(rng.uniform(0.15, 0.6)), seed)
    if len(e) == 0:
        return
    tau = brute_force_tau(e, n)
    ex = exact_vertex_cover(e, time_limit=10)
    assert ex.optimal and ex.value == tau and is_vertex_cover(e, ex.selection) and ex.sense == "min"
    for parts, beta in [(1, 2), (2, 4), (3, 3), (5, 6)]:
        for fc in ("matching", "exact"):
            sol = edcs_vertex_cover(e, n_parts=parts, beta=beta, seed=seed, forwarded_cover=fc)
            assert is_vertex_cover(e, sol.selection)
            assert sol.lower_bound <= tau <= sol.value  # certificate sandwich
            assert sol.certified_ratio >= sol.value / tau
            assert sol.guarantee.holds(sol.value, tau)  # derived worst-case ratio
            b = (beta - 1 + 1) // 2
            assert sol.guarantee.ratio == pytest.approx((1 if fc == "exact" else 2) + parts * (beta - b) / b)
            if fc == "exact":  # exact C' is a minimum cover of the uncovered forwarded edges
                assert sol.stats["forwarded_cover_optimal"]


@pytest.mark.parametrize("name", ["gnp-dense", "power-law", "bipartite", "hubs"])
def test_measured_ratio_against_cpsat(name, capsys):
    e = GRAPHS[name](0)
    opt = exact_vertex_cover(e, time_limit=20)
    rows = []
    for fc in ("matching", "exact"):
        sol = edcs_vertex_cover(e, n_parts=4, beta=8, seed=0, forwarded_cover=fc)
        assert sol.lower_bound <= opt.bound <= (opt.value if opt.optimal else math.inf)
        assert opt.bound <= sol.value
        if opt.optimal:
            assert sol.guarantee.holds(sol.value, opt.value)
        rows.append((fc, sol.value, opt.value, opt.status, round(sol.value / opt.value, 3),
                     round(sol.certified_ratio, 3)))
    with capsys.disabled():
        print(f"\n{name}: (forwarded cover, cover, CP-SAT, status, ratio, certified ratio) {rows}")


def test_tight_pieces_of_the_ratio():
    # the per-part lemma is tight: C4 with beta = 4 keeps all 4 edges, every degree is 2 = b
    sol = edcs_vertex_cover([(0, 1), (1, 2), (2, 3), (0, 3)], n_parts=1, beta=4, seed=0)
    assert sol.value == 4 and sol.stats["union_vertices"] == 4  # OPT = 2: ratio 2 = 1 + (4 - 2) / 2
    # the matching cover of F' is tight: a perfect matching, beta large, nothing is high degree
    e = [(2 * i, 2 * i + 1) for i in range(10)]
    sol = edcs_vertex_cover(e, n_parts=1, beta=8, seed=0)
    assert sol.value == 20 and sol.stats["forwarded_uncovered"] == 10 and sol.lower_bound == 10
    assert edcs_vertex_cover(e, n_parts=1, beta=8, seed=0, forwarded_cover="exact").value == 10


def test_engines_and_seed_determinism():
    e = power_law(400, 3000, 1)
    a = edcs_vertex_cover(e, n_parts=5, beta=8, seed=3, engine=None)
    b = edcs_vertex_cover(e, n_parts=5, beta=8, seed=3, engine="threads")
    c = edcs_vertex_cover(e, n_parts=5, beta=8, seed=3)
    assert np.array_equal(a.selection, b.selection) and np.array_equal(a.selection, c.selection)
    assert a.lower_bound == b.lower_bound
    d = edcs_vertex_cover(e, n_parts=5, beta=8, seed=4)
    assert is_vertex_cover(e, d.selection)


def test_networkx_input_and_empty_graph():
    G = nx.karate_club_graph()
    sol = edcs_vertex_cover(G, n_parts=2, beta=6, seed=0)
    labels = list(G.nodes)
    cover = {labels[i] for i in sol.selection}
    assert all(u in cover or v in cover for u, v in G.edges)
    assert sol.lower_bound <= exact_vertex_cover(G).value <= sol.value
    empty = edcs_vertex_cover(np.zeros((0, 2)), n_parts=3, seed=0)
    assert empty.value == 0 and empty.certified_ratio == 1.0 and len(empty.selection) == 0
    loops = edcs_vertex_cover([(0, 0), (1, 1)], n_parts=2, seed=0)
    assert loops.value == 0


def test_default_beta_matches_edcs_matching():
    e = gnp(200, 0.1, 0)
    sol = edcs_vertex_cover(e, seed=0)
    n = int(e.max()) + 1
    assert sol.stats["beta"] == max(4, math.ceil(4 * math.log(n) / 0.25))
    assert sol.stats["beta_minus"] == sol.stats["beta"] - 1
    assert is_vertex_cover(e, sol.selection)


@pytest.mark.parametrize("kw", [
    {"n_parts": -1}, {"n_parts": 0}, {"n_parts": 2.5}, {"epsilon": float("nan")}, {"epsilon": 0.0},
    {"beta": 1}, {"beta": 4, "beta_minus": 4}, {"beta": float("nan")}, {"time_limit": 0},
    {"time_limit": float("nan")}, {"forwarded_cover": "lp"}, {"engine": "spark"}, {"seed": -1},
])
def test_rejects_bad_parameters(kw):
    with pytest.raises(InvalidParameterError):
        edcs_vertex_cover([(0, 1), (1, 2)], **kw)


def test_rejects_bad_graphs():
    with pytest.raises(InvalidParameterError):
        edcs_vertex_cover([(0, float("nan"))])
    with pytest.raises(InvalidParameterError):
        edcs_vertex_cover([(0, -1)])
    with pytest.raises(InvalidParameterError):
        exact_vertex_cover([(0, 1)], time_limit=-1)


def test_exact_vertex_cover_timeout_is_a_valid_cover():
    e = gnp(300, 0.1, 0)
    r = exact_vertex_cover(e, time_limit=0.05)
    assert is_vertex_cover(e, r.selection) and r.value == len(r.selection)
    assert r.bound <= r.value
    assert r.status in ("optimal", "timeout")
    cover, mm = maximal_matching_cover(e)
    assert mm <= r.bound and r.value <= cover.size
