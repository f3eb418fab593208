"""Simple undirected weighted graphs as edge arrays: the form every matching, vertex-cover
and EDCS routine works on; :func:`as_edge_list`, which builds it from whatever a user holds
(an edge array, a scipy sparse matrix, a networkx graph, a :class:`Graph`); :func:`read_graph`,
the public boundary of those routines, which also checks every invariant their compiled
kernels rely on; and :func:`compact`, which renumbers the vertices of a graph with many
isolated ones so that per-vertex arrays follow the edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_int
from submodkit.errors import InvalidParameterError
from submodkit.instances.problems import SPARE_IDS


@dataclass
class EdgeList:
    """A simple undirected graph: ``u < v``, no loops, no parallel edges (heaviest kept).

    The form every matching, vertex-cover and EDCS routine works on; build it with
    :func:`as_edge_list`, which sorts the edges by ``(u, v)``.

    Parameters
    ----------
    n : int
        Number of vertices (ids ``0 .. n - 1``).
    u, v : ndarray of int64, shape (m,)
        The endpoints, ``u < v``.
    w : ndarray of float64, shape (m,)
        The weights, finite and non-negative.
    nodes : list, optional
        The original node labels (networkx input), index -> label.

    Examples
    --------
    >>> g = as_edge_list([(0, 1, 5.0), (1, 2, 1.0)])
    >>> g.n, g.u.tolist(), g.v.tolist(), g.w.tolist()
    (3, [0, 1], [1, 2], [5.0, 1.0])
    >>> ptr, nbr, wt, eid = g.csr()
    >>> ptr.tolist(), nbr.tolist(), eid.tolist()
    ([0, 1, 3, 4], [1, 0, 2, 1], [0, 0, 1, 1])
    """

    n: int
    u: np.ndarray
    v: np.ndarray
    w: np.ndarray
    nodes: list | None = None

    def csr(self):
        """Both directions as CSR: (ptr, nbr, wt, eid).

        Returns
        -------
        ptr : ndarray of int64, shape (n + 1,)
            Vertex x's neighbours are ``nbr[ptr[x]:ptr[x + 1]]``, sorted.
        nbr : ndarray of int64
            The neighbours.
        wt : ndarray of float64
            The weight of each of those edges.
        eid : ndarray of int64
            Its index in ``u`` / ``v`` / ``w``.
        """
        src = np.concatenate([self.u, self.v])
        dst = np.concatenate([self.v, self.u])
        wts = np.concatenate([self.w, self.w])
        eid = np.concatenate([np.arange(self.u.size), np.arange(self.u.size)])
        order = np.lexsort((dst, src))
        ptr = np.zeros(self.n + 1, np.int64)
        np.cumsum(np.bincount(src, minlength=self.n), out=ptr[1:])
        return (ptr, np.ascontiguousarray(dst[order]), np.ascontiguousarray(wts[order]),
                np.ascontiguousarray(eid[order]))


MAX_FLOAT_ID = 2**53
"""Vertex ids of an edge array that is not of integers are read as float64: exact below this
(larger ids are refused, not rounded to a neighbour)."""


def integer_edge_array(graph: Any) -> np.ndarray | None:
    """``graph`` as a non-empty (m, 2) or (m, 3) array of integers (a NumPy integer array, or a
    list of int tuples), else None: such an edge array's vertex ids are read exactly, where
    other edge arrays go through float64 (exact below 2**53)."""
    if sp.issparse(graph) or hasattr(graph, "edges") or hasattr(graph, "adj"):
        return None
    try:
        arr = np.asarray(graph)
    except (TypeError, ValueError, OverflowError):
        return None
    if arr.dtype.kind not in "iu" or arr.ndim != 2 or arr.shape[1] not in (2, 3) or arr.shape[0] == 0:
        return None
    return arr


def as_edge_list(graph: Any, n_nodes: int | None = None) -> EdgeList:
    """Normalize a graph: (m, 3) / (m, 2) array, scipy sparse matrix, networkx graph or Graph.

    Weights must be finite and non-negative; self-loops are dropped and parallel edges
    merged (the heaviest is kept, as only it can be in a maximum-weight matching). An
    `EdgeList` is returned as it is.

    Parameters
    ----------
    graph : array_like, scipy.sparse matrix, networkx.Graph, Graph or EdgeList
        An (m, 3) array of ``(u, v, weight)`` rows or an (m, 2) array of ``(u, v)`` rows
        (unit weights; an integer array's ids are read exactly, any other array's through
        float64, and refused from 2**53 up), a square sparse matrix (entry = weight), a networkx
        graph (its ``"weight"`` attribute, default 1; labels kept in ``nodes``), or any object with
        ``edges``, ``weights`` and ``n_nodes`` (:class:`~submodkit.instances.Graph`).
    n_nodes : int, optional
        Number of vertices, when more than the largest id + 1.

    Returns
    -------
    EdgeList
        ``u < v``, sorted by ``(u, v)``.

    Raises
    ------
    InvalidParameterError
        For a non-square matrix, endpoints that are not non-negative integers (or, in an edge
        array not of integers, not below 2**53), weights that are negative or not finite, or
        ``n_nodes`` not above the largest vertex id.

    Examples
    --------
    >>> as_edge_list([(1, 0, 2.0), (0, 1, 5.0), (2, 2, 1.0), (1, 2, 1.0)])
    EdgeList(n=3, u=array([0, 1]), v=array([1, 2]), w=array([5., 1.]), nodes=None)
    >>> as_edge_list([(0, 1)], n_nodes=4).n
    4
    """
    nodes = None
    if isinstance(graph, EdgeList) and n_nodes is None:
        return graph
    if hasattr(graph, "edges") and hasattr(graph, "weights") and hasattr(graph, "n_nodes"):
        e = np.asarray(graph.edges, dtype=np.int64).reshape(-1, 2)
        u, v, w, n = e[:, 0], e[:, 1], np.asarray(graph.weights, float), int(graph.n_nodes)
    elif hasattr(graph, "nodes") and hasattr(graph, "adj"):  # networkx
        nodes = list(graph.nodes)
        index = {x: i for i, x in enumerate(nodes)}
        rows = [(index[a], index[b], d.get("weight", 1)) for a, b, d in graph.edges(data=True)]
        arr = np.array(rows, dtype=np.float64).reshape(-1, 3)
        u, v, w, n = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64), arr[:, 2], len(nodes)
    elif sp.issparse(graph):
        if graph.shape[0] != graph.shape[1]:
            raise InvalidParameterError("graph", f"sparse matrix of shape {graph.shape}", "a square matrix")
        coo = sp.coo_matrix(graph)
        u, v = coo.row.astype(np.int64), coo.col.astype(np.int64)
        w, n = coo.data.astype(float), graph.shape[0]
    elif (ints := integer_edge_array(graph)) is not None:  # ids read exactly, whatever their size
        if ints.size and ints[:, :2].max() > np.iinfo(np.int64).max:
            raise InvalidParameterError("graph", "a vertex id above the int64 range", "int64 vertex ids")
        u, v = ints[:, 0].astype(np.int64), ints[:, 1].astype(np.int64)
        if u.size and min(u.min(), v.min()) < 0:
            raise InvalidParameterError("graph", "edge endpoints", "non-negative integer vertex ids")
        w = ints[:, 2].astype(np.float64) if ints.shape[1] == 3 else np.ones(u.size)
        n = int(max(u.max(), v.max())) + 1 if u.size else 0
    else:
        try:
            arr = np.asarray(graph, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            raise InvalidParameterError("graph", graph, "an (m, 3) or (m, 2) edge array") from None
        if arr.size == 0:
            arr = arr.reshape(0, 3)
        if arr.ndim != 2 or arr.shape[1] not in (2, 3):
            raise InvalidParameterError(
                "graph", f"array of shape {arr.shape}", "an (m, 3) or (m, 2) edge array"
            )
        ends = arr[:, :2]
        if not np.all(np.isfinite(ends)) or np.any(ends != np.round(ends)) or (ends.size and ends.min() < 0):
            raise InvalidParameterError("graph", "edge endpoints", "non-negative integer vertex ids")
        if ends.size and ends.max() >= MAX_FLOAT_ID:  # rounded to a neighbour id, or beyond int64
            raise InvalidParameterError("graph", f"vertex id {ends.max():.0f}",
                                        "vertex ids below 2**53 in an edge array of floats (read as "
                                        "float64; pass an integer array or a Graph for larger int64 ids)")
        u, v = ends[:, 0].astype(np.int64), ends[:, 1].astype(np.int64)
        w = arr[:, 2].copy() if arr.shape[1] == 3 else np.ones(arr.shape[0])
        n = int(ends.max()) + 1 if ends.size else 0
    if n_nodes is not None:
        n_nodes = check_int("n_nodes", n_nodes)
        if u.size and max(u.max(), v.max()) >= n_nodes:
            top = int(max(u.max(), v.max()))
            raise InvalidParameterError("n_nodes", n_nodes, f"more than the largest vertex id {top}")
        n = max(n, n_nodes)
    if w.size and not np.all(np.isfinite(w)):
        raise InvalidParameterError("graph", "edge weights with NaN or inf", "finite weights")
    if w.size and w.min() < 0:
        raise InvalidParameterError("graph", f"edge weight {w.min()}", "non-negative weights")
    keep = u != v
    u, v, w = u[keep], v[keep], w[keep]
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((-w, hi, lo))
    lo, hi, w = lo[order], hi[order], w[order]
    first = np.ones(lo.size, bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    return EdgeList(int(n), np.ascontiguousarray(lo[first]), np.ascontiguousarray(hi[first]),
                    np.ascontiguousarray(w[first], dtype=np.float64), nodes)


def compact(g: EdgeList) -> tuple[EdgeList, np.ndarray | None]:
    """The graph on the vertices that occur in an edge, when it has many isolated vertices:
    per-vertex arrays then follow the edges, not the largest id or a declared vertex count.

    Parameters
    ----------
    g : EdgeList
        ``u < v``, sorted by ``(u, v)`` (what :func:`as_edge_list` returns).

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
    >>> h, ids = compact(as_edge_list([(5, 10**12, 2.0)]))
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
