"""How the core-sets split a ground set into parts: memory and time follow the items, not
the number of parts (a part with no item is never materialized)."""

from __future__ import annotations

import numpy as np

from submodkit._validation import check_int, make_rng


def random_parts(n: int, n_parts: int, seed: object) -> list[np.ndarray]:
    """The non-empty parts of a uniformly random partition of ``range(n)`` into ``n_parts``
    parts: item ``i`` goes to part ``numpy.random.default_rng(seed).integers(0, n_parts,
    size=n)[i]``; parts in increasing part id, each part's items ascending (int64).

    >>> [p.tolist() for p in random_parts(6, 3, seed=0)]
    [[3, 4, 5], [1, 2], [0]]
    """
    n_parts = check_int("n_parts", n_parts, minimum=1)
    owner = make_rng(seed).integers(0, n_parts, size=n)
    order = np.argsort(owner, kind="stable").astype(np.int64)
    owner = owner[order]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]) if n else np.zeros(0, np.int64)
    return np.split(order, starts[1:]) if n else []


def contiguous_parts(n: int, n_parts: int) -> list[np.ndarray]:
    """The non-empty parts of ``range(n)`` cut into ``n_parts`` contiguous runs of nearly
    equal size (part ``p`` holds ``floor(p n / m) <= i < floor((p + 1) n / m)``).

    >>> [p.tolist() for p in contiguous_parts(5, 2)]
    [[0, 1], [2, 3, 4]]
    """
    n_parts = check_int("n_parts", n_parts, minimum=1)
    if n_parts >= n:  # every non-empty part holds one item
        return [np.array([i], dtype=np.int64) for i in range(n)]
    edges = np.linspace(0, n, n_parts + 1).astype(np.int64)
    return [np.arange(edges[p], edges[p + 1], dtype=np.int64) for p in range(n_parts)]
