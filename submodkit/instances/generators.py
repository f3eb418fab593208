"""Seeded instance generators: random set systems, points and graphs, and tight instances
on which the greedy algorithm attains exactly its worst-case ratio.

Every random generator takes ``seed`` (anything ``np.random.default_rng`` accepts) and
returns the same instance for the same arguments.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_choice, check_int, check_real
from submodkit.errors import InvalidParameterError
from submodkit.instances.problems import Graph, PointSet, SetSystem

_EXACT = 2**53  # integers up to this are exact in float64


def _bernoulli_positions(rng: np.random.Generator, total: int, p: float) -> np.ndarray:
    """Sorted positions in ``[0, total)``, each included independently with probability p.

    Geometric skips: O(p * total) time and memory, whatever ``total``.
    """
    if p <= 0.0 or total == 0:
        return np.zeros(0, dtype=np.int64)
    if p >= 1.0:
        return np.arange(total, dtype=np.int64)
    chunks = []
    last = -1
    expected = p * total
    while True:
        size = int(expected + 6 * math.sqrt(expected) + 16)
        pos = last + np.cumsum(rng.geometric(p, size=size), dtype=np.int64)
        if pos[-1] >= total:
            chunks.append(pos[pos < total])
            break
        chunks.append(pos)
        last = int(pos[-1])
        expected = p * (total - last)
    return np.concatenate(chunks)


def random_set_system(
    n_sets: int,
    n_elements: int,
    density: float | None = None,
    *,
    mean_set_size: float | None = None,
    seed=None,
    weighted: bool = False,
    costs: str = "unit",
    ensure_covered: bool = False,
) -> SetSystem:
    """A random set system: each (set, element) pair is an incidence with probability p.

    Args:
        n_sets, n_elements: sizes (>= 1).
        density: p; or give ``mean_set_size`` (p = mean_set_size / n_elements). One of the
            two is required.
        seed: the random seed.
        weighted: element weights uniform integers in [1, 10] (as floats); else ones.
        costs: ``"unit"`` (ones) or ``"random"`` (uniform integers in [1, 100], like the
            OR-Library scp instances).
        ensure_covered: add every element that no set contains to one random set, so
            that set cover is feasible.

    Sampling uses geometric skips: time and memory are proportional to the number of
    incidences, so 200,000 x 1,000,000 systems with 20 elements per set are cheap.

    >>> random_set_system(5, 8, density=0.5, seed=0)
    SetSystem(name='random-5x8', n_sets=5, n_elements=8, nnz=20)
    """
    n_sets = check_int("n_sets", n_sets, minimum=1)
    n_elements = check_int("n_elements", n_elements, minimum=1)
    check_choice("costs", costs, ("unit", "random"))
    if (density is None) == (mean_set_size is None):
        raise InvalidParameterError("density", density, "exactly one of density, mean_set_size")
    if density is None:
        mean = check_real("mean_set_size", mean_set_size, minimum=0, maximum=n_elements)
        p = mean / n_elements
    else:
        p = check_real("density", density, minimum=0, maximum=1)
    rng = np.random.default_rng(seed)
    pos = _bernoulli_positions(rng, n_sets * n_elements, p)
    rows, cols = np.divmod(pos, n_elements)
    if ensure_covered:
        missing = np.setdiff1d(np.arange(n_elements), cols)
        rows = np.concatenate([rows, rng.integers(0, n_sets, size=missing.size)])
        cols = np.concatenate([cols, missing])
    sets = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n_sets, n_elements))
    sets.sum_duplicates()
    sets.sort_indices()
    sets.data[:] = 1.0
    weights = rng.integers(1, 11, size=n_elements).astype(np.float64) if weighted else None
    cost = rng.integers(1, 101, size=n_sets).astype(np.float64) if costs == "random" else None
    return SetSystem(
        sets=sets,
        costs=np.ones(n_sets) if cost is None else cost,
        weights=np.ones(n_elements) if weights is None else weights,
        name=f"random-{n_sets}x{n_elements}",
        meta={"generator": "random_set_system", "density": p, "seed": _seed_meta(seed)},
    )


def _seed_meta(seed) -> int | None:
    return int(seed) if isinstance(seed, int | np.integer) else None


def random_points(n: int, dim: int, seed=None, clusters: int | None = None) -> PointSet:
    """``n`` points in ``dim`` dimensions: standard normal, or a mixture of ``clusters``
    unit-variance Gaussian blobs whose centres are drawn from N(0, 10^2 I).

    The cluster of each point is kept in ``meta["labels"]`` (a list) when ``clusters``
    is given.
    """
    n = check_int("n", n, minimum=1)
    dim = check_int("dim", dim, minimum=1)
    clusters = check_int("clusters", clusters, minimum=1, allow_none=True)
    rng = np.random.default_rng(seed)
    meta: dict = {"generator": "random_points", "seed": _seed_meta(seed), "clusters": clusters}
    if clusters is None:
        features = rng.standard_normal((n, dim))
    else:
        centres = 10.0 * rng.standard_normal((clusters, dim))
        labels = rng.integers(0, clusters, size=n)
        features = centres[labels] + rng.standard_normal((n, dim))
        meta["labels"] = labels.tolist()
    return PointSet(features=features, name=f"points-{n}x{dim}", meta=meta)


def random_graph(n: int, m: int, seed=None, weighted: bool = False) -> Graph:
    """A uniform random simple graph G(n, m): ``m`` distinct edges ``u < v``, no loops.

    Edges are sorted by ``(u, v)``. ``weighted``: integer weights uniform in [1, 100]
    (as floats); else ones.
    """
    n = check_int("n", n, minimum=1)
    pairs = n * (n - 1) // 2
    m = check_int("m", m, minimum=0)
    if m > pairs:
        raise InvalidParameterError("m", m, f"at most n(n-1)/2 = {pairs} edges")
    rng = np.random.default_rng(seed)
    if 2 * m > pairs:  # dense: sample pair indices directly
        keys = np.sort(rng.choice(pairs, size=m, replace=False))
        iu, iv = np.triu_indices(n, k=1)
        u, v = iu[keys], iv[keys]
    else:  # sparse: rejection of loops and duplicates, topped up until m edges
        keys = np.zeros(0, dtype=np.int64)
        while keys.size < m:
            need = m - keys.size
            a = rng.integers(0, n, size=need + need // 4 + 8)
            b = rng.integers(0, n, size=a.size)
            a, b = a[a != b], b[a != b]
            new = np.minimum(a, b) * n + np.maximum(a, b)
            keys = np.unique(np.concatenate([keys, new]))
        # keep a uniform m-subset of the distinct pairs found
        keys = np.sort(rng.choice(keys, size=m, replace=False))
        u, v = np.divmod(keys, n)
    edges = np.stack([u, v], axis=1).astype(np.int64)
    weights = rng.integers(1, 101, size=m).astype(np.float64) if weighted else np.ones(m)
    return Graph(
        edges=edges,
        weights=weights,
        n_nodes=n,
        name=f"gnm-{n}-{m}",
        meta={"generator": "random_graph", "seed": _seed_meta(seed)},
    )


def greedy_tight_max_cover(k: int) -> tuple[SetSystem, int, float]:
    """A weighted max-k-cover instance on which greedy gets exactly 1 - (1 - 1/k)^k of OPT.

    The classic construction (Nemhauser, Wolsey and Fisher 1978; Feige 1998), with
    integer weights so every value is exact in float64:

    - elements are the cells ``(i, j)`` of a ``(k + 1) x k`` grid (row-major ids
      ``i * k + j``), ``i`` = 0..k, ``j`` = 0..k-1;
    - row ``i < k`` cells weigh ``k^(k-1-i) * (k-1)^i``; last-row cells weigh ``(k-1)^k``;
    - greedy sets ``G_i`` (indices ``0..k-1``) are the rows ``i < k``;
    - optimal sets ``O_j`` (indices ``k..2k-1``) are the columns.

    Each column weighs ``k^k``, so OPT (the k columns) covers everything:
    ``OPT = k^(k+1)``. Before step ``i`` (0-based), every column still has
    ``k^(k-i) * (k-1)^i`` uncovered weight (a telescoping sum), exactly the weight of
    ``G_i`` (k cells of ``k^(k-1-i) * (k-1)^i``): the gains tie, later rows gain less,
    and greedy with smallest-index tie-breaking picks ``G_i`` (the greedy sets have the
    smallest indices). Greedy's k rows miss the last row, so
    ``greedy = k^(k+1) - k (k-1)^k`` and ``greedy / OPT = 1 - (1 - 1/k)^k`` exactly.

    ``k`` is at most 13 so that the total weight ``k^(k+1)`` stays below 2^53.
    ``meta`` holds ``greedy_value``, ``greedy_selection`` and ``optimal_selection``.

    Returns:
        (set system, k, optimal value).
    """
    k = check_int("k", k, minimum=1)
    if k ** (k + 1) > _EXACT:
        raise InvalidParameterError("k", k, "k <= 13 (weights must stay exact in float64)")
    row_w = np.array([k ** (k - 1 - i) * (k - 1) ** i for i in range(k)] + [(k - 1) ** k], dtype=np.float64)
    weights = np.repeat(row_w, k)
    cells = np.arange((k + 1) * k).reshape(k + 1, k)
    greedy_rows = [cells[i] for i in range(k)]
    optimal_cols = [cells[:, j] for j in range(k)]
    sets = _csr_from_lists(greedy_rows + optimal_cols, (k + 1) * k)
    opt = float(k ** (k + 1))
    greedy = k ** (k + 1) - k * (k - 1) ** k
    system = SetSystem(
        sets=sets,
        costs=np.ones(2 * k),
        weights=weights,
        name=f"greedy-tight-max-cover-{k}",
        meta={
            "generator": "greedy_tight_max_cover",
            "k": k,
            "opt_value": opt,
            "greedy_value": float(greedy),
            "greedy_ratio": 1.0 - (1.0 - 1.0 / k) ** k,
            "greedy_selection": list(range(k)),
            "optimal_selection": list(range(k, 2 * k)),
        },
    )
    return system, k, opt


def greedy_tight_set_cover(n: int) -> tuple[SetSystem, float]:
    """A weighted set-cover instance on which greedy pays exactly H(n) times OPT.

    The classic construction (Johnson 1974; Chvatal 1979), scaled to integer costs:
    with ``L = lcm(1, ..., n)``, elements ``0..n-1``, singleton sets ``{i}`` (index ``i``)
    of cost ``L / (i + 1)``, and one set of all elements (index ``n``) of cost ``L``.

    OPT is the big set: ``L``. While ``r`` elements are uncovered (elements ``0..r-1``),
    the big set costs ``L / r`` per new element, exactly as much as singleton ``{r-1}``:
    the ratios tie and greedy with smallest-index tie-breaking takes the singleton. So
    greedy takes all singletons and pays ``L * H(n)``, ``H(n) = 1 + 1/2 + ... + 1/n``;
    ``greedy / OPT = H(n)`` exactly (every ratio compared is exact in float64).

    ``n`` is at most 36 so that every cost sum stays below 2^53.
    ``meta`` holds ``greedy_value``, ``greedy_ratio`` (H(n)), ``greedy_selection`` (in
    greedy's order) and ``optimal_selection``.

    Returns:
        (set system, optimal value).
    """
    n = check_int("n", n, minimum=1)
    lcm = math.lcm(*range(1, n + 1))
    harmonic = sum(Fraction(1, i) for i in range(1, n + 1))
    greedy = lcm * harmonic
    if greedy + lcm > _EXACT:
        raise InvalidParameterError("n", n, "n <= 36 (costs must stay exact in float64)")
    costs = np.array([lcm // (i + 1) for i in range(n)] + [lcm], dtype=np.float64)
    sets = _csr_from_lists([np.array([i]) for i in range(n)] + [np.arange(n)], n)
    system = SetSystem(
        sets=sets,
        costs=costs,
        weights=np.ones(n),
        name=f"greedy-tight-set-cover-{n}",
        meta={
            "generator": "greedy_tight_set_cover",
            "n": n,
            "opt_value": float(lcm),
            "greedy_value": float(greedy),
            "greedy_ratio": float(harmonic),
            "greedy_selection": list(range(n - 1, -1, -1)),
            "optimal_selection": [n],
        },
    )
    return system, float(lcm)


def _csr_from_lists(members: list[np.ndarray], n_elements: int) -> sp.csr_matrix:
    indptr = np.zeros(len(members) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(s) for s in members])
    indices = np.concatenate([np.sort(np.asarray(s, dtype=np.int64)) for s in members])
    sets = sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(len(members), n_elements))
    sets.sort_indices()
    return sets
