"""Generators of online bipartite matching instances: random, and the tight examples.

- :func:`upper_triangular`: arrival i is adjacent to offline vertices ``i..n-1`` (perfect
  matching i <-> i). RANKING's expected matching is ``(1 - 1/e) n + o(n)`` on it, which is
  why its 1 - 1/e is tight (Karp, Vazirani, Vazirani, STOC 1990).
- :func:`greedy_tight_online`: the same graph with the offline labels reversed, so that the
  smallest-index greedy matches only ``ceil(n/2)`` of ``n``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_int, check_real, check_vector


@dataclass
class OnlineInstance:
    """An online bipartite (b-)matching instance.

    Attributes:
        adjacency: CSR (n_types, n_offline); row t lists the offline vertices an arrival of
            type t may be matched to. With adversarial or random order every row arrives once.
        capacities: how many arrivals each offline vertex can take (int64, >= 1).
        rates: probability of each type for i.i.d. arrivals (uniform when None).
        n_arrivals: number of i.i.d. arrivals (``n_types`` when None).
    """

    adjacency: sp.csr_matrix
    capacities: np.ndarray
    rates: np.ndarray | None = None
    n_arrivals: int | None = None
    name: str = "online"
    meta: dict = field(default_factory=dict)

    @property
    def n_types(self) -> int:
        return int(self.adjacency.shape[0])

    @property
    def n_offline(self) -> int:
        return int(self.adjacency.shape[1])

    def __repr__(self) -> str:
        return (f"OnlineInstance(name={self.name!r}, n_types={self.n_types}, n_offline={self.n_offline}, "
                f"nnz={self.adjacency.nnz})")


def _csr(rows: list[np.ndarray], n_cols: int) -> sp.csr_matrix:
    indptr = np.zeros(len(rows) + 1, np.int64)
    np.cumsum([r.size for r in rows], out=indptr[1:])
    indices = np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, np.int64)
    return sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(len(rows), n_cols))


def upper_triangular(n: int) -> OnlineInstance:
    """KVV's tight example for RANKING: arrival i adjacent to offline ``i, ..., n-1``.

    >>> upper_triangular(3).adjacency.toarray().astype(int).tolist()
    [[1, 1, 1], [0, 1, 1], [0, 0, 1]]
    """
    n = check_int("n", n, minimum=1)
    rows = [np.arange(i, n) for i in range(n)]
    return OnlineInstance(_csr(rows, n), np.ones(n, np.int64), name=f"upper-triangular-{n}",
                          meta={"optimum": n})


def greedy_tight_online(n: int) -> OnlineInstance:
    """Arrival i adjacent to offline ``0, ..., n-1-i``: smallest-index greedy matches ceil(n/2).

    >>> greedy_tight_online(3).adjacency.toarray().astype(int).tolist()
    [[1, 1, 1], [1, 1, 0], [1, 0, 0]]
    """
    n = check_int("n", n, minimum=1)
    rows = [np.arange(0, n - i) for i in range(n)]
    return OnlineInstance(_csr(rows, n), np.ones(n, np.int64), name=f"greedy-tight-{n}",
                          meta={"optimum": n})


def random_online(n_online: int, n_offline: int, p: float, capacities=1, seed=None) -> OnlineInstance:
    """Random bipartite instance: each (arrival, offline) pair is an edge with probability p.

    >>> random_online(4, 3, 0.5, seed=0).adjacency.shape
    (4, 3)
    """
    n_online = check_int("n_online", n_online, minimum=1)
    n_offline = check_int("n_offline", n_offline, minimum=1)
    p = check_real("p", p, minimum=0.0, maximum=1.0)
    if np.isscalar(capacities):
        capacities = np.full(n_offline, capacities)
    cap = check_vector("capacities", capacities, n_offline)
    rng = np.random.default_rng(seed)
    mask = rng.random((n_online, n_offline)) < p
    return OnlineInstance(sp.csr_matrix(mask.astype(np.float64)), cap.astype(np.int64),
                          name=f"random-{n_online}x{n_offline}")
