"""The graphs the matching entry points accept, checked once at the public boundary.

:func:`~submodkit.instances.edges.read_graph` (shared with the vertex-cover and EDCS entry
points) checks every invariant the compiled kernels rely on, and
:func:`~submodkit.instances.edges.compact` renumbers the vertices that occur in an edge when
the graph has many isolated ones, so the kernels' per-vertex arrays follow the edges;
:func:`expand`, here, maps a matching found on the renumbered graph back to the original ids.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from submodkit.instances.edges import EdgeList, compact, read_graph
from submodkit.results import MatchingSolution

__all__ = ["compact", "expand", "read_graph"]


def expand(sol: MatchingSolution, g: EdgeList, ids: np.ndarray | None) -> MatchingSolution:
    """A solution on ``compact(g)`` as a solution on ``g``: pairs in ``g``'s vertex ids.

    Parameters
    ----------
    sol : MatchingSolution
        A matching of the renumbered graph.
    g : EdgeList
        The original graph.
    ids : ndarray of int64 or None
        From :func:`compact` (None: ``sol`` is returned as it is).

    Returns
    -------
    MatchingSolution
        The same matching, ``pairs`` in the original ids (order kept: ``u < v``, sorted),
        ``n_nodes = g.n`` and ``g``'s node labels.

    Examples
    --------
    >>> g = read_graph([(5, 10**12, 2.0)])
    >>> h, ids = compact(g)
    >>> sol = MatchingSolution.from_mate(h, np.array([1, 0]), "exact", None, "optimal", {})
    >>> expand(sol, g, ids).pairs.tolist()
    [[5, 1000000000000]]
    """
    if ids is None:
        return sol
    return replace(sol, pairs=ids[sol.pairs].reshape(-1, 2), n_nodes=g.n, nodes=g.nodes)
