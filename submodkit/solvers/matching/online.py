"""Online bipartite (b-)matching: arrivals are matched irrevocably on arrival.

- ``"greedy"``: match to the first free neighbor (smallest index); any maximal matching,
  1/2-competitive.
- ``"ranking"``: draw a random rank for every offline vertex once, match each arrival to
  its free neighbor of lowest rank; 1 - 1/e in expectation for unit capacities (Karp,
  Vazirani, Vazirani, STOC 1990; simpler proof: Birnbaum, Mathieu, SIGACT News 2008).
- ``"balance"``: match to the neighbor with the smallest used fraction of its capacity
  (water-filling); for b-matching with every capacity >= b it is 1 - 1/(1 + 1/b)^b
  competitive, -> 1 - 1/e as b grows (Kalyanasundaram, Pruhs, TCS 233, 2000).
- ``"two-choices"`` (i.i.d. arrivals from known types, unit capacities): offline, a
  maximum flow in the type graph with capacity 2 per type and per offline vertex is split
  into a blue and a red matching; online, the first arrival of a type tries its blue
  partner, the second its red one, later ones are dropped. Theorem (Feldman, Mehta,
  Mirrokni, Muthukrishnan, "Online stochastic matching: beating 1 - 1/e", FOCS 2009): with
  n arrivals drawn i.i.d. uniformly from n known types and unit capacities, the expected
  size is at least 0.67 times the expected offline optimum. Type capacities other than 2
  (non-uniform ``rates``) are an extension outside the theorem.

Arrival orders: ``"adversarial"`` (rows in the given order), ``"random"`` (a uniformly
random permutation of the rows), ``"iid"`` (``n_arrivals`` types drawn i.i.d. from
``rates``). The result reports the offline optimum of the realized arrivals (a max-flow)
and the ratio. Each algorithm runs in O(sum of degrees of the arrivals).

>>> from submodkit.instances.online import upper_triangular
>>> res = online_matching(upper_triangular(4), algorithm="greedy")
>>> res.value, res.upper_bound
(4.0, 4.0)
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_flow

from submodkit._validation import check_choice, check_int, check_matrix, check_vector, make_rng
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.online import OnlineInstance
from submodkit.results import Guarantee, OnlineMatchingSolution
from submodkit.solvers.matching._kernels import online_kernel, two_choices_kernel

ALGORITHMS = ("greedy", "ranking", "balance", "two-choices")
ORDERS = ("adversarial", "random", "iid")
_CODES = {"greedy": 0, "ranking": 1, "balance": 2}


def _as_instance(instance: Any) -> OnlineInstance:
    if isinstance(instance, OnlineInstance):  # checked here: stored zeros are no edges
        adj = _checked_adjacency(instance.adjacency)
        cap = check_vector("capacities", instance.capacities, adj.shape[1])
        if cap.size and not (np.all(cap == np.floor(cap)) and cap.min() >= 1):
            raise InvalidParameterError("capacities", instance.capacities, f"{adj.shape[1]} integers >= 1")
        # a capacity above 2**62 (more than any number of arrivals) binds nothing: clipped, it fits int64
        cap = np.minimum(cap, float(_MAX_CAPACITY)).astype(np.int64)
        return replace(instance, adjacency=adj, capacities=cap)
    adj = check_matrix("instance", instance)
    adj = sp.csr_matrix(adj)
    adj.eliminate_zeros()
    return OnlineInstance(adj, np.ones(adj.shape[1], np.int64))


_MAX_CAPACITY = 2**62


def _checked_adjacency(adjacency: Any) -> sp.csr_matrix:
    """An instance's adjacency as a float64 CSR copy without stored zeros, its structure
    checked (indices in range: the kernels trust them), entries finite and non-negative."""
    shape = adjacency.shape if sp.issparse(adjacency) else np.shape(adjacency)
    if len(shape) == 2 and 0 in shape:  # no arrival type or no offline vertex: nothing stored
        if (adjacency.nnz if sp.issparse(adjacency) else np.size(adjacency)):
            raise InvalidParameterError("adjacency", f"stored entries in a matrix of shape {shape}",
                                        "no entries")
        return sp.csr_matrix(shape, dtype=np.float64)
    adj = sp.csr_matrix(check_matrix("adjacency", adjacency), dtype=np.float64, copy=True)
    adj.eliminate_zeros()
    return adj


def offline_optimum(adjacency: sp.csr_matrix, arrivals: np.ndarray, capacities: np.ndarray) -> int:
    """Maximum b-matching size of the realized arrivals (scipy max-flow)."""
    sub = adjacency[arrivals].tocoo()
    na, nb = sub.shape
    src, snk = na + nb, na + nb + 1
    rows = np.concatenate([np.full(na, src), sub.row, na + np.arange(nb)])
    cols = np.concatenate([np.arange(na), na + sub.col, np.full(nb, snk)])
    # a capacity above the na arrivals binds nothing: clipped, it fits the int32 max-flow
    caps = np.concatenate([np.ones(na), np.ones(sub.nnz), np.minimum(capacities, na)]).astype(np.int32)
    g = sp.csr_matrix((caps, (rows, cols)), shape=(na + nb + 2, na + nb + 2))
    return int(maximum_flow(g, src, snk).flow_value)


def online_matching(
    instance: Any,
    *,
    algorithm: str = "ranking",
    order: str = "adversarial",
    seed: int | None = None,
    n_arrivals: int | None = None,
) -> OnlineMatchingSolution:
    """Run an online bipartite matching algorithm (see the module docstring for guarantees).

    Parameters
    ----------
    instance : OnlineInstance or array_like
        An :class:`~submodkit.instances.online.OnlineInstance` or a 0/1 matrix (arrivals x
        offline vertices, unit capacities).
    algorithm : {"ranking", "greedy", "balance", "two-choices"}, keyword-only
    order : {"adversarial", "random", "iid"}, keyword-only
        The arrival order: the rows as given, a random permutation, or ``n_arrivals`` types
        drawn i.i.d. from the instance's rates.
    seed : int, optional, keyword-only
        Ranks, permutation and i.i.d. draws.
    n_arrivals : int, optional
        Arrivals for ``order="iid"`` (default: the number of types).

    Returns
    -------
    OnlineMatchingSolution
        The matching, its size as ``value``, the offline optimum of the realized arrivals as
        ``upper_bound`` (a max-flow) and the guarantee.

    Examples
    --------
    >>> from submodkit.instances.online import upper_triangular
    >>> res = online_matching(upper_triangular(8), algorithm="ranking", seed=0)
    >>> res.upper_bound, res.value >= 4
    (8.0, True)

    References
    ----------
    .. [1] Karp, Vazirani, Vazirani, "An optimal algorithm for on-line bipartite
       matching", STOC 1990.
    .. [2] Kalyanasundaram, Pruhs, "An optimal deterministic algorithm for online
       b-matching", Theoret. Comput. Sci. 233 (2000).
    .. [3] Feldman, Mehta, Mirrokni, Muthukrishnan, "Online stochastic matching: beating
       1 - 1/e", FOCS 2009.
    """
    inst = _as_instance(instance)
    check_choice("algorithm", algorithm, ALGORITHMS)
    check_choice("order", order, ORDERS)
    seed = check_int("seed", seed, allow_none=True)
    cap = inst.capacities  # int64, checked by _as_instance
    rng = make_rng(seed)
    if order == "adversarial":
        arrivals = np.arange(inst.n_types, dtype=np.int64)
    elif order == "random":
        arrivals = rng.permutation(inst.n_types).astype(np.int64)
    else:
        count = n_arrivals if n_arrivals is not None else inst.n_arrivals
        count = inst.n_types if count is None else count
        count = check_int("n_arrivals", count, minimum=0)
        rates = np.full(inst.n_types, 1.0 / inst.n_types) if inst.rates is None else inst.rates
        rates = check_vector("rates", rates, inst.n_types)
        if rates.sum() <= 0:
            raise InvalidParameterError("rates", rates, "non-negative rates with a positive sum")
        arrivals = rng.choice(inst.n_types, size=count, p=rates / rates.sum()).astype(np.int64)
    ranks = rng.random(inst.n_offline) if algorithm == "ranking" else np.zeros(inst.n_offline)
    adj = inst.adjacency.tocsr()
    adj.sort_indices()
    t0 = time.perf_counter()
    if algorithm == "two-choices":
        if order != "iid" or cap.max(initial=1) > 1:
            raise InvalidParameterError(
                "algorithm", algorithm, "order='iid' and unit capacities for two-choices"
            )
        blue, red = two_suggested_matchings(adj, count * rates / rates.sum())
        t0 = time.perf_counter()
        assigned = two_choices_kernel(arrivals, blue, red, inst.n_offline)
    else:
        assigned = online_kernel(_CODES[algorithm], adj.indptr.astype(np.int64),
                                 adj.indices.astype(np.int64), arrivals, cap, ranks)
    secs = time.perf_counter() - t0
    size = int((assigned >= 0).sum())
    opt = offline_optimum(adj, arrivals, cap)
    stats = {"seconds": secs, "arrivals_per_second": arrivals.size / secs if secs > 0 else float("inf")}
    return OnlineMatchingSolution(value=float(size), upper_bound=float(opt), algorithm=algorithm,
                                  guarantee=_online_guarantee(algorithm, cap), arrivals=arrivals,
                                  assigned=assigned, order=order, stats=stats)


def two_suggested_matchings(adjacency: sp.csr_matrix, expected: np.ndarray):
    """Blue and red suggested partner of every type (-1: none), from an integral max flow with
    capacity ``min(2, round(2 * expected count))`` per type and 2 per offline vertex."""
    adj = sp.csr_matrix(adjacency)
    coo = adj.tocoo()
    nt, no = adj.shape
    src, snk = nt + no, nt + no + 1
    tcap = np.minimum(2, np.round(2 * np.asarray(expected, float))).astype(np.int32)
    rows = np.concatenate([np.full(nt, src), coo.row, nt + np.arange(no)])
    cols = np.concatenate([np.arange(nt), nt + coo.col, np.full(no, snk)])
    caps = np.concatenate([tcap, np.ones(coo.nnz, np.int32), np.full(no, 2, np.int32)]).astype(np.int32)
    g = sp.csr_matrix((caps, (rows, cols)), shape=(nt + no + 2, nt + no + 2))
    flow = maximum_flow(g, src, snk).flow.tocoo()
    used = (flow.data > 0) & (flow.row < nt) & (flow.col >= nt) & (flow.col < nt + no)
    ft, fo = flow.row[used].astype(np.int64), (flow.col[used] - nt).astype(np.int64)
    # the flow subgraph has degree <= 2: paths and even cycles; 2-colour each alternately
    nbrs: dict[int, list[int]] = {}
    for a, b in zip(ft.tolist(), (fo + nt).tolist(), strict=True):
        nbrs.setdefault(a, []).append(b)
        nbrs.setdefault(b, []).append(a)
    colour: dict[tuple[int, int], int] = {}
    ends = sorted(x for x in nbrs if len(nbrs[x]) == 1)
    for start in ends + sorted(nbrs):  # paths from an end first, then the (even) cycles
        if any((min(start, x), max(start, x)) in colour for x in nbrs[start]):
            continue
        prev, cur, c = start, nbrs[start][0], 0
        while (min(prev, cur), max(prev, cur)) not in colour:
            colour[(min(prev, cur), max(prev, cur))] = c
            nxt = [x for x in nbrs[cur] if x != prev]
            if not nxt:
                break
            prev, cur, c = cur, nxt[0], 1 - c
    blue = np.full(nt, -1, np.int64)
    red = np.full(nt, -1, np.int64)
    for (a, b), c in colour.items():
        (blue if c == 0 else red)[a] = b - nt
    return blue, red


def _online_guarantee(algorithm: str, cap: np.ndarray) -> Guarantee:
    if algorithm == "two-choices":
        return guarantee("online-two-choices")
    b = int(cap.min()) if cap.size else 1
    if algorithm == "ranking" and b == 1 and cap.max(initial=1) == 1:
        return guarantee("online-ranking")
    if algorithm == "balance":
        return guarantee("online-balance", b=b)
    return guarantee("online-greedy")
