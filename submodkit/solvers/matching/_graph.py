"""The graphs the matching entry points accept, checked once at the public boundary.

:func:`read_graph` normalizes a graph with
:func:`~submodkit.instances.edges.as_edge_list` and then checks every invariant the
compiled kernels rely on (ids in ``[0, n)``, ``u < v``, sorted distinct edges, finite
non-negative weights), also for an :class:`~submodkit.instances.edges.EdgeList` or a
graph-like object handed in directly, which ``as_edge_list`` passes through unchecked.
:func:`compact` renumbers the vertices that occur in an edge when the graph has many
isolated ones (sparse or huge ids, or a large ``n_nodes``), so the kernels' per-vertex
arrays follow the edges; :func:`expand` maps a solution back to the original ids.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_int
from submodkit.errors import InvalidParameterError
from submodkit.instances.edges import EdgeList, as_edge_list, integer_edge_array
from submodkit.instances.problems import SPARE_IDS
from submodkit.results import MatchingSolution

#: Vertex ids of an edge array that is not of integers are read as float64 (as ``as_edge_list``
#: does): exact below 2**53.
MAX_ARRAY_ID = 2**53


def _read_as_floats(graph: Any) -> bool:
    """Whether ``as_edge_list`` reads ``graph`` as a float64 edge array (its last branch: not an
    integer array, whose ids are read exactly)."""
    if isinstance(graph, EdgeList) or sp.issparse(graph):
        return False
    if hasattr(graph, "edges") and hasattr(graph, "weights") and hasattr(graph, "n_nodes"):
        return False
    return not (hasattr(graph, "nodes") and hasattr(graph, "adj")) and integer_edge_array(graph) is None


def read_graph(graph: Any, n_nodes: int | None = None) -> EdgeList:
    """``as_edge_list(graph, n_nodes)``, with the invariants the kernels rely on checked.

    Parameters
    ----------
    graph : array_like, scipy sparse matrix, networkx graph, Graph or EdgeList
        Anything :func:`~submodkit.instances.edges.as_edge_list` accepts.
    n_nodes : int, optional
        Number of vertices, when more than the largest id + 1.

    Returns
    -------
    EdgeList
        ``0 <= u < v < n`` (int64), sorted by ``(u, v)`` without repeats, ``w`` finite and
        non-negative (float64).

    Raises
    ------
    InvalidParameterError
        Naming ``graph`` (or ``n_nodes``) for vertex ids that are negative, not integers,
        not below ``n``, or (edge arrays not of integers, read as float64) not below 2**53;
        for weights that are negative or not finite; for an edge list that is not sorted and
        simple.

    Examples
    --------
    >>> read_graph([(0, 10**12, 1.0)]).n
    1000000000001
    >>> read_graph([(0, 2**60, 1.0)])
    Traceback (most recent call last):
    ...
    submodkit.errors.InvalidParameterError: graph='vertex id 1152921504606846976': expected ...
    """
    with np.errstate(invalid="ignore"):  # ids beyond int64 are refused below, not warned about
        g = as_edge_list(graph, n_nodes)
    n = check_int("n_nodes" if n_nodes is not None else "graph", g.n)
    u, v, w = (np.asarray(a) for a in (g.u, g.v, g.w))
    if u.ndim != 1 or v.shape != u.shape or w.shape != u.shape:
        raise InvalidParameterError("graph", f"edge arrays of shapes {u.shape}, {v.shape}, {w.shape}",
                                    "endpoint and weight arrays of one length")
    if u.size and (u.dtype.kind not in "iu" or v.dtype.kind not in "iu"):
        raise InvalidParameterError("graph", f"endpoints of dtype {u.dtype}, {v.dtype}", "integer vertex ids")
    if u.size and (u.max() > np.iinfo(np.int64).max or v.max() > np.iinfo(np.int64).max):
        raise InvalidParameterError("graph", "a vertex id above the int64 range", "int64 vertex ids")
    u = np.ascontiguousarray(u, dtype=np.int64)
    v = np.ascontiguousarray(v, dtype=np.int64)
    if w.dtype.kind not in "iuf":
        raise InvalidParameterError("graph", f"weights of dtype {w.dtype}", "real weights")
    w = np.ascontiguousarray(w, dtype=np.float64)
    if _read_as_floats(graph):
        top = n - 1 if n_nodes is None else (int(v.max()) if v.size else -1)
        if top >= MAX_ARRAY_ID or (u.size and u.min() < 0):  # a negative id here: an id beyond int64
            shown = top if top >= MAX_ARRAY_ID else "beyond int64"
            raise InvalidParameterError("graph", f"vertex id {shown}",
                                        "vertex ids below 2**53 in an edge array of floats (read as "
                                        "float64; pass an integer array or a Graph for larger int64 ids)")
    if u.size:
        if u.min() < 0:
            raise InvalidParameterError("graph", f"vertex id {int(u.min())}", "non-negative vertex ids")
        if v.max() >= n:
            raise InvalidParameterError("graph", f"vertex id {int(v.max())}", f"vertex ids below n = {n}")
        if np.any(u >= v):
            raise InvalidParameterError("graph", "an edge with u >= v", "edges with u < v (an EdgeList)")
        if u.size > 1 and not np.all((u[1:] > u[:-1]) | ((u[1:] == u[:-1]) & (v[1:] > v[:-1]))):
            raise InvalidParameterError("graph", "unsorted or repeated edges",
                                        "edges sorted by (u, v) without repeats (an EdgeList)")
        if not np.all(np.isfinite(w)):
            raise InvalidParameterError("graph", "edge weights with NaN or inf", "finite weights")
        if w.min() < 0:
            raise InvalidParameterError("graph", f"edge weight {w.min()}", "non-negative weights")
    if g.nodes is not None and len(g.nodes) < n:
        raise InvalidParameterError("graph", f"{len(g.nodes)} node labels",
                                    f"a label for each of {n} vertices")
    return EdgeList(n, u, v, w, g.nodes)


def compact(g: EdgeList) -> tuple[EdgeList, np.ndarray | None]:
    """The graph on the vertices that occur in an edge, when it has many isolated vertices.

    Parameters
    ----------
    g : EdgeList
        A graph checked by :func:`read_graph`.

    Returns
    -------
    graph : EdgeList
        ``g`` itself when it has at most ``2 m + SPARE_IDS`` vertices; else the vertices in
        an edge renumbered ``0 .. k - 1`` in their order (so ``u < v`` and the edge order
        are kept), ``n = k``, without node labels.
    ids : ndarray of int64 or None
        ``ids[i]`` = the original id of vertex i of ``graph`` (None when not renumbered).

    Examples
    --------
    >>> h, ids = compact(read_graph([(5, 10**12, 2.0)]))
    >>> h.n, h.u.tolist(), h.v.tolist(), ids.tolist()
    (2, [0], [1], [5, 1000000000000])
    """
    m = int(g.u.size)
    if g.n <= 2 * m + SPARE_IDS:
        return g, None
    ids, inverse = np.unique(np.concatenate([g.u, g.v]), return_inverse=True)
    inverse = inverse.astype(np.int64)
    h = EdgeList(int(ids.size), np.ascontiguousarray(inverse[:m]), np.ascontiguousarray(inverse[m:]), g.w)
    return h, ids.astype(np.int64)


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
