"""Problem objects that instance files are read into.

A reader returns one of these; solvers take their arrays. They hold data only:
objectives are built from them by the objectives' ``from_*`` constructors
(:meth:`Coverage.from_set_system <submodkit.objectives.Coverage.from_set_system>`,
:meth:`FacilityLocation.from_instance <submodkit.objectives.FacilityLocation.from_instance>`).

Each object checks its arrays once, when it is built (``__post_init__``), so that every
reader, the native loader and user code get the same guarantees: shapes agree, ids are in
range, values are finite and non-negative where they are costs or weights, and totals are
finite (any objective value is at most a total, so no solver sum can overflow). A failed
check raises :class:`~submodkit.errors.InvalidParameterError` naming the field.

Sizes never allocate by themselves: a :class:`Graph` may declare far more vertices than its
edges touch (a DIMACS ``p edge N M`` header, a SNAP ``# Nodes:`` comment, sparse ids);
the methods that need per-vertex arrays work on the vertices that occur and at most
:data:`SPARE_IDS` others (see :meth:`Graph.compact`, :meth:`Graph.to_set_system`).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_csr_structure, check_int, check_vector
from submodkit.errors import InstanceFormatError, InvalidParameterError

MAX_IDS = 2**62
"""Largest count of ids (vertices, elements, sets) a problem may declare: ids are int64 and
products of two counts must not overflow where kernels form them."""

SPARE_IDS = 1 << 16
"""How many ids that no data refers to (isolated vertices, elements in no set) are
materialized at most: beyond it, memory would follow a declared size rather than the data."""


def from_file(path, cls, *args, **kwargs):
    """``cls(*args, **kwargs)``, a failed check re-raised as InstanceFormatError naming
    ``path`` and the field (readers and the native loader build their problems with it).

    Parameters
    ----------
    path : str or path-like
        The file the data came from.
    cls : type
        The problem class (`SetSystem`, `PointSet`, `Similarity`, `Graph`, ...).
    *args, **kwargs
        Its arguments.

    Returns
    -------
    object
        The problem object.

    Raises
    ------
    InstanceFormatError
        When the object's checks fail (the found value shortened to 80 characters).

    Examples
    --------
    >>> import numpy as np
    >>> from_file("points.txt", PointSet, np.array([1.0, 2.0]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    submodkit.errors.InstanceFormatError: points.txt: expected field features: a 2-D numeric array ...
    """
    try:
        return cls(*args, **kwargs)
    except InvalidParameterError as err:
        found = repr(err.value)
        found = found if len(found) <= 80 else found[:77] + "..."
        raise InstanceFormatError(path, None, f"field {err.name}: {err.expected}", found) from None


def _finite_total(name: str, values: np.ndarray) -> None:
    """Raise unless the sum of the non-negative ``values`` is finite."""
    if values.size:
        with np.errstate(over="ignore"):  # the overflow is what is being checked
            total = float(np.sum(values))
        if not np.isfinite(total):
            raise InvalidParameterError(f"{name} (total)", total,
                                        "values whose total is finite (below 1.8e308)")


def _weights(name: str, values: object, length: int) -> np.ndarray:
    arr = check_vector(name, values, length)
    _finite_total(name, arr)
    return arr


def _count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value <= MAX_IDS:
        raise InvalidParameterError(name, value, f"an integer in [0, 2^62 = {MAX_IDS}]")
    return int(value)


def point_magnitude_limit(dtype: np.dtype, dim: int) -> float:
    """Largest coordinate magnitude for which every squared distance between points of
    ``dim`` coordinates stays finite in ``dtype`` (float64 for integer data), with a factor
    16 to spare for sums of distances.

    Parameters
    ----------
    dtype : numpy dtype
        The coordinates' dtype.
    dim : int
        Number of coordinates.

    Returns
    -------
    float
        ``sqrt(max(dtype) / (16 dim))``.

    Examples
    --------
    >>> import numpy as np
    >>> f"{point_magnitude_limit(np.float64, 2):.3g}", f"{point_magnitude_limit(np.float32, 1):.3g}"
    ('2.37e+153', '4.61e+18')
    """
    dtype = np.dtype(dtype)
    big = np.finfo(dtype if dtype.kind == "f" else np.float64).max
    return float(np.sqrt(big / (16.0 * max(int(dim), 1))))


def first_too_large_row(features: np.ndarray) -> int | None:
    """Index of the first row of ``features`` with a NaN, an inf or a coordinate beyond
    :func:`point_magnitude_limit`, or None.

    Parameters
    ----------
    features : ndarray, shape (n, d)

    Returns
    -------
    int or None

    Examples
    --------
    >>> import numpy as np
    >>> first_too_large_row(np.array([[0.0, 1.0], [1e200, 0.0]])), first_too_large_row(np.eye(2))
    (1, None)
    """
    if features.size == 0:
        return None
    limit = point_magnitude_limit(features.dtype, features.shape[1])
    lo, hi = float(features.min()), float(features.max())  # two reductions, no temporaries
    if -limit <= lo and hi <= limit:  # NaN compares False
        return None
    if features.dtype.kind == "f":
        bad_rows = ~(np.abs(features) <= limit).all(axis=1)  # NaN compares False
    else:
        bad_rows = (np.abs(features.astype(np.float64)) > limit).any(axis=1)
    return int(np.flatnonzero(bad_rows)[0]) if bad_rows.any() else None


@dataclass
class SetSystem:
    """A weighted set system: ``n_sets`` sets over ``n_elements`` elements.

    The data of set cover (:func:`~submodkit.set_cover`), maximum coverage
    (:meth:`Coverage.from_set_system <submodkit.objectives.Coverage.from_set_system>`) and
    their exact programs. In OR-Library set-cover files the rows are the elements and the
    columns the sets; here the sets are the rows. The arrays are checked when the object is
    built (see the module docstring).

    Parameters
    ----------
    sets : scipy.sparse.csr_matrix, shape (n_sets, n_elements)
        Row j lists the elements of set j (data all ones, indices sorted, no duplicates).
    costs : array_like of float, shape (n_sets,)
        Cost of each set (float64, >= 0, finite total), ones when the file gives none.
    weights : array_like of float, shape (n_elements,)
        Weight of each element (float64, >= 0, finite total), ones when the file gives none.
    name : str, default "set-system"
        A short name (the file's stem for files).
    meta : dict, optional
        Whatever the reader knows besides (header fields, ...).
    labels : array_like of int, shape (n_sets,), optional
        The id of each set when it is not its row number.

    Attributes
    ----------
    n_sets, n_elements, nnz : int
        The sizes.

    Raises
    ------
    InvalidParameterError
        Naming the field that fails its check.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> s = SetSystem(sp.csr_matrix(np.array([[1.0, 1, 0], [0, 1, 1]])), costs=[1.0, 2.0], weights=np.ones(3))
    >>> s, s.costs.tolist()
    (SetSystem(name='set-system', n_sets=2, n_elements=3, nnz=4), [1.0, 2.0])

    References
    ----------
    .. [1] Beasley, "OR-Library: distributing test problems by electronic mail", J. Oper.
       Res. Soc. 41 (1990).
    """

    sets: sp.csr_matrix
    costs: np.ndarray
    weights: np.ndarray
    name: str = "set-system"
    meta: dict = field(default_factory=dict)
    labels: np.ndarray | None = None
    """The id of each set when it is not its row number (a graph's vertex ids after
    :meth:`Graph.to_set_system` compacted them); None: row j is set j."""

    def __post_init__(self) -> None:
        if not (sp.issparse(self.sets) and self.sets.format == "csr"):
            raise InvalidParameterError("sets", type(self.sets).__name__, "a scipy CSR matrix")
        n_sets, n_elements = (int(s) for s in self.sets.shape)
        _count("sets.shape[0] (sets)", n_sets)
        _count("sets.shape[1] (elements)", n_elements)
        check_csr_structure("sets", self.sets.indptr, self.sets.indices, (n_sets, n_elements),
                            self.sets.data.shape[0])
        if self.sets.data.size:
            check_vector("sets.data", self.sets.data)
        self.costs = _weights("costs", self.costs, n_sets)
        self.weights = _weights("weights", self.weights, n_elements)
        if self.labels is not None:
            self.labels = check_vector("labels", self.labels, n_sets, dtype=np.int64)

    @property
    def n_sets(self) -> int:
        """Number of sets (rows)."""
        return int(self.sets.shape[0])

    @property
    def n_elements(self) -> int:
        """Number of elements (columns)."""
        return int(self.sets.shape[1])

    @property
    def nnz(self) -> int:
        """Number of (set, element) incidences."""
        return int(self.sets.nnz)

    def __repr__(self) -> str:
        return (
            f"SetSystem(name={self.name!r}, n_sets={self.n_sets}, "
            f"n_elements={self.n_elements}, nnz={self.nnz})"
        )


@dataclass
class PointSet:
    """Points in feature space (rows of ``features``), for facility location and diversity.

    Parameters
    ----------
    features : ndarray, shape (n_points, d)
        A 2-D numeric array, one point per row, finite coordinates of magnitude at most
        :func:`point_magnitude_limit` (squared distances must be finite).
    name : str, default "points"
    meta : dict, optional

    Attributes
    ----------
    n_points : int

    Raises
    ------
    InvalidParameterError
        For an array that is not 2-D and numeric, or a row beyond the limit.

    Examples
    --------
    >>> import numpy as np
    >>> p = PointSet(np.array([[0.0, 1.0], [2.0, 3.0]]))
    >>> p, p.n_points
    (PointSet(name='points', shape=(2, 2)), 2)

    References
    ----------
    .. [1] Borodin, Lee, Ye, "Max-sum diversification, monotone submodular functions and
       dynamic updates", PODS 2012 (point sets for diversity and facility location).
    """

    features: np.ndarray
    name: str = "points"
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        feats = np.asarray(self.features)
        if feats.ndim != 2 or feats.dtype.kind not in "biuf":
            raise InvalidParameterError("features", f"array of shape {feats.shape}, dtype {feats.dtype}",
                                        "a 2-D numeric array (one point per row)")
        row = first_too_large_row(feats)
        if row is not None:
            limit = point_magnitude_limit(feats.dtype, feats.shape[1])
            raise InvalidParameterError(f"features[{row}]", feats[row].tolist(),
                                        f"finite coordinates of magnitude at most {limit:.3g} "
                                        "(squared distances must be finite)")
        self.features = feats

    @property
    def n_points(self) -> int:
        """Number of points (rows)."""
        return int(self.features.shape[0])

    def __repr__(self) -> str:
        return f"PointSet(name={self.name!r}, shape={self.features.shape})"


@dataclass
class Similarity:
    """A precomputed non-negative similarity matrix (dense or CSR), for facility location.

    Row j, column u is how well candidate j represents element u.

    Parameters
    ----------
    matrix : ndarray or scipy.sparse.csr_matrix, shape (n, m)
        Non-negative, finite entries. A CSR matrix declaring more than ``nnz + SPARE_IDS``
        columns keeps only the columns with an entry (the others add 0 to every value).
    name : str, default "similarity"
    meta : dict, optional

    Raises
    ------
    InvalidParameterError
        For a sparse matrix that is not CSR, an array that is not 2-D and numeric, or a
        negative or non-finite entry.

    Examples
    --------
    >>> import numpy as np
    >>> Similarity(np.array([[1.0, 0.2], [0.3, 1.0]]))
    Similarity(name='similarity', shape=(2, 2))

    References
    ----------
    .. [1] Mirzasoleiman, Karbasi, Sarkar, Krause, "Distributed submodular maximization",
       NIPS 2013 (facility location on a similarity matrix).
    """

    matrix: np.ndarray | sp.csr_matrix
    name: str = "similarity"
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if sp.issparse(self.matrix):
            if self.matrix.format != "csr":
                raise InvalidParameterError("matrix", self.matrix.format, "a dense array or a CSR matrix")
            check_csr_structure("matrix", self.matrix.indptr, self.matrix.indices, self.matrix.shape,
                                self.matrix.data.shape[0])
            self._drop_empty_columns()
            data = self.matrix.data
        else:
            mat = np.asarray(self.matrix)
            if mat.ndim != 2 or mat.dtype.kind not in "biuf":
                raise InvalidParameterError("matrix", f"array of shape {mat.shape}, dtype {mat.dtype}",
                                            "a 2-D numeric array")
            self.matrix = mat
            data = mat.ravel()
        if data.size:  # non-negative, finite, and a finite total (what facility location sums)
            _finite_total("matrix (entries)", check_vector("matrix (entries)", data))

    def _drop_empty_columns(self) -> None:
        """A sparse matrix declaring more than ``nnz + SPARE_IDS`` columns keeps only those
        with an entry (an element no candidate represents adds 0 to every facility-location
        value), so that memory follows the entries, not the declared shape;
        ``meta["elements_without_entries"]`` counts the columns dropped."""
        mat = self.matrix
        if mat.shape[1] <= mat.nnz + SPARE_IDS:
            return
        cols, inverse = np.unique(mat.indices, return_inverse=True)  # order kept: rows stay sorted
        self.matrix = sp.csr_matrix((mat.data, inverse.astype(mat.indices.dtype), mat.indptr),
                                    shape=(mat.shape[0], cols.size))
        self.meta = {**self.meta, "elements_without_entries": int(mat.shape[1] - cols.size)}

    def __repr__(self) -> str:
        return f"Similarity(name={self.name!r}, shape={self.matrix.shape})"


@dataclass
class Graph:
    """An undirected graph as an edge list.

    Read from DIMACS or SNAP edge lists (:func:`~submodkit.instances.read_edgelist`); the
    data of matching, vertex cover and (through :meth:`to_set_system`) dominating-set
    style coverage.

    Parameters
    ----------
    edges : array_like of int, shape (m, 2)
        0-based endpoints (stored as int64).
    weights : array_like of float, shape (m,)
        Edge weights (>= 0, finite total; ones when the file gives none).
    n_nodes : int
        Number of vertices (ids 0 .. n_nodes - 1, at most 2^62); vertices in no edge cost
        nothing until a method needs per-vertex arrays.
    name : str, default "graph"
    meta : dict, optional

    Attributes
    ----------
    n_edges : int

    Raises
    ------
    InvalidParameterError
        For edges that are not an integer (m, 2) array with ids in ``[0, n_nodes)``, or
        weights that fail their check.

    Examples
    --------
    >>> import numpy as np
    >>> g = Graph(np.array([[0, 1], [1, 2]]), np.ones(2), n_nodes=4)
    >>> g, g.n_edges
    (Graph(name='graph', n_nodes=4, n_edges=2), 2)
    >>> g.to_set_system().sets.toarray().astype(int).tolist()
    [[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 1]]

    References
    ----------
    .. [1] Johnson, Trick (eds.), "Cliques, coloring, and satisfiability: second DIMACS
       implementation challenge", DIMACS Series 26, AMS (1996) (the DIMACS format).
    .. [2] Leskovec, Krevl, "SNAP Datasets: Stanford large network dataset collection"
       (2014).
    """

    edges: np.ndarray
    weights: np.ndarray
    n_nodes: int
    name: str = "graph"
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.n_nodes = _count("n_nodes", self.n_nodes)
        edges = np.asarray(self.edges)
        if edges.size == 0:
            edges = edges.reshape(-1, 2) if edges.ndim == 2 and edges.shape[1] == 2 else np.zeros((0, 2))
            edges = edges.astype(np.int64)
        if edges.ndim != 2 or edges.shape[1] != 2 or edges.dtype.kind not in "iu":
            raise InvalidParameterError("edges", f"array of shape {edges.shape}, dtype {edges.dtype}",
                                        "an integer array of shape (m, 2)")
        if edges.dtype.kind == "u" and edges.size and edges.max() > MAX_IDS:
            raise InvalidParameterError("edges", int(edges.max()), f"vertex ids in [0, {self.n_nodes})")
        self.edges = np.ascontiguousarray(edges, dtype=np.int64)
        if self.edges.size:
            lo, hi = int(self.edges.min()), int(self.edges.max())
            if lo < 0 or hi >= self.n_nodes:
                raise InvalidParameterError("edges", lo if lo < 0 else hi,
                                            f"vertex ids in [0, {self.n_nodes}) (n_nodes = {self.n_nodes})")
        self.weights = _weights("weights", self.weights, self.edges.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return int(self.edges.shape[0])

    def compact(self) -> tuple[np.ndarray, np.ndarray]:
        """The vertices that occur in an edge, and the edges renumbered over them.

        Returns ``(ids, edges)``: ``ids`` the sorted vertex ids that occur (int64), ``edges``
        the (m, 2) array of positions in ``ids``, so ``ids[edges] == self.edges``. The
        renumbering keeps the order of ids; memory follows the edges, not ``n_nodes``.

        Examples
        --------
        >>> Graph(np.array([[7, 10**9]]), np.ones(1), 10**12).compact()[0].tolist()
        [7, 1000000000]
        """
        ids, inverse = np.unique(self.edges.ravel(), return_inverse=True)
        return ids, inverse.reshape(-1, 2).astype(np.int64)

    def _isolated_ids(self, ids: np.ndarray, count: int) -> np.ndarray:
        """The ``count`` smallest vertex ids that occur in no edge (``ids``: those that do)."""
        bounds = np.concatenate([[-1], ids, [self.n_nodes]])
        gaps = bounds[1:] - bounds[:-1] - 1  # free ids between consecutive occurring ids
        before = np.cumsum(gaps) - gaps
        take = np.clip(count - before, 0, gaps)  # how many ids each gap gives
        starts = bounds[:-1] + 1
        return (np.repeat(starts - before, take) + np.arange(count)).astype(np.int64)

    def _dense_fits(self) -> bool:
        """Whether per-vertex arrays of length n_nodes follow the data: n_nodes is at most
        twice the edges plus SPARE_IDS. When it is not, more than SPARE_IDS vertices are in
        no edge."""
        return self.n_nodes <= 2 * self.n_edges + SPARE_IDS

    def _check_dense_size(self, what: str) -> None:
        """Raise unless per-vertex arrays of length n_nodes follow the data."""
        if not self._dense_fits():
            touched = int(np.unique(self.edges.ravel()).size)
            raise InvalidParameterError(
                "graph", f"{self.n_nodes} vertices, {touched} of them in an edge",
                f"at most {SPARE_IDS} vertices in no edge for {what} (see Graph.compact)")

    def adjacency(self) -> sp.csr_matrix:
        """Symmetric 0/1 adjacency matrix (CSR), without self-loops.

        The matrix is n_nodes x n_nodes: at most :data:`SPARE_IDS` vertices may be in no edge.

        Raises
        ------
        InvalidParameterError
            When more than :data:`SPARE_IDS` vertices are in no edge.
        """
        self._check_dense_size("the adjacency matrix")
        return _adjacency(self.edges, self.n_nodes)

    def to_set_system(self, closed: bool = True, k: int | None = None) -> SetSystem:
        """Each vertex covers its neighbourhood (closed: the vertex itself too).

        Set j and element j are vertex j. When n_nodes exceeds twice the edges plus
        :data:`SPARE_IDS` (a header declaring many vertices, or sparse ids: more than
        SPARE_IDS vertices are then in no edge), the set system holds the
        vertices that occur in an edge plus ``min(k, isolated)`` isolated vertices (the
        smallest such ids), and ``labels`` gives each set's vertex id. An isolated vertex
        covers itself only, so at most ``k`` of them (all alike) can help a solution of ``k``
        sets: maximum coverage and facility location on it have the same values as on the
        whole graph. Without ``k`` (set cover must take every isolated vertex) such a graph
        is refused.

        Parameters
        ----------
        closed : bool, default True
            Closed neighbourhoods (each vertex covers itself too).
        k : int, optional
            The solution size, for graphs with many isolated vertices (see above).

        Returns
        -------
        SetSystem
            Unit costs and weights; ``labels`` set when vertices were compacted.

        Raises
        ------
        InvalidParameterError
            When more than :data:`SPARE_IDS` isolated vertices would be materialized.
        """
        k = check_int("k", k, allow_none=True)
        labels = None
        if self._dense_fits():
            edges, n = self.edges, self.n_nodes
        else:
            ids, edges = self.compact()
            isolated = self.n_nodes - int(ids.size)
            if k is None or min(k, isolated) > SPARE_IDS:
                raise InvalidParameterError(
                    "graph", f"{self.n_nodes} vertices, {isolated} of them in no edge",
                    f"at most {SPARE_IDS} isolated vertices to materialize ("
                    + ("set cover must take each one)" if k is None else f"k = {k} of them could be chosen)"))
            extra = self._isolated_ids(ids, min(int(k), isolated))
            labels = np.concatenate([ids, extra])
            order = np.argsort(labels, kind="stable")
            rank = np.empty_like(order)
            rank[order] = np.arange(order.size)
            labels = labels[order]
            edges, n = rank[edges], int(labels.size)
        a = _adjacency(edges, n)
        if closed:
            a = (a + sp.identity(n, format="csr")).tocsr()
            a.data[:] = 1.0
        a.sort_indices()
        return SetSystem(sets=a, costs=np.ones(n), weights=np.ones(n), name=self.name, labels=labels)

    def __repr__(self) -> str:
        return f"Graph(name={self.name!r}, n_nodes={self.n_nodes}, n_edges={self.n_edges})"


def _adjacency(edges: np.ndarray, n: int) -> sp.csr_matrix:
    u, v = edges[:, 0], edges[:, 1]
    keep = u != v
    u, v = u[keep], v[keep]
    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    a = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
    a.sum_duplicates()
    a.data[:] = 1.0
    return a
