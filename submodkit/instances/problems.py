"""Problem objects that instance files are read into.

A reader returns one of these; solvers take their arrays. They hold data only:
objectives are built from them with ``to_*`` methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp


@dataclass
class SetSystem:
    """A weighted set system: ``n_sets`` sets over ``n_elements`` elements.

    Attributes:
        sets: CSR matrix of shape (n_sets, n_elements); row j lists the elements of set j
            (data all ones, indices sorted, no duplicates).
        costs: cost of each set (float64, >= 0), ones when the file gives none.
        weights: weight of each element (float64, >= 0), ones when the file gives none.
        name: a short name (the file's stem for files).

    In OR-Library set-cover files the rows are the elements and the columns the sets;
    here the sets are the rows.
    """

    sets: sp.csr_matrix
    costs: np.ndarray
    weights: np.ndarray
    name: str = "set-system"
    meta: dict = field(default_factory=dict)

    @property
    def n_sets(self) -> int:
        return int(self.sets.shape[0])

    @property
    def n_elements(self) -> int:
        return int(self.sets.shape[1])

    @property
    def nnz(self) -> int:
        return int(self.sets.nnz)

    def to_coverage(self):
        """The weighted coverage function of this set system."""
        from submodkit.objectives import Coverage

        return Coverage(self.sets, weights=self.weights)

    def __repr__(self) -> str:
        return (
            f"SetSystem(name={self.name!r}, n_sets={self.n_sets}, "
            f"n_elements={self.n_elements}, nnz={self.nnz})"
        )


@dataclass
class PointSet:
    """Points in feature space (rows of ``features``), for facility location and diversity."""

    features: np.ndarray
    name: str = "points"
    meta: dict = field(default_factory=dict)

    @property
    def n_points(self) -> int:
        return int(self.features.shape[0])

    def to_facility_location(self, metric: str = "euclidean", n_neighbors: int | None = None):
        from submodkit.objectives import FacilityLocation

        return FacilityLocation.from_features(self.features, metric=metric, n_neighbors=n_neighbors)

    def __repr__(self) -> str:
        return f"PointSet(name={self.name!r}, shape={self.features.shape})"


@dataclass
class Similarity:
    """A precomputed non-negative similarity matrix (dense or CSR), for facility location.

    Row j, column u is how well candidate j represents element u.
    """

    matrix: np.ndarray | sp.csr_matrix
    name: str = "similarity"
    meta: dict = field(default_factory=dict)

    def to_facility_location(self):
        from submodkit.objectives import FacilityLocation

        return FacilityLocation(self.matrix)

    def __repr__(self) -> str:
        return f"Similarity(name={self.name!r}, shape={self.matrix.shape})"


@dataclass
class Graph:
    """An undirected graph as an edge list.

    Attributes:
        edges: int64 array of shape (m, 2), 0-based endpoints.
        weights: float64 edge weights (ones when the file gives none).
        n_nodes: number of vertices.
    """

    edges: np.ndarray
    weights: np.ndarray
    n_nodes: int
    name: str = "graph"
    meta: dict = field(default_factory=dict)

    @property
    def n_edges(self) -> int:
        return int(self.edges.shape[0])

    def adjacency(self) -> sp.csr_matrix:
        """Symmetric 0/1 adjacency matrix (CSR), without self-loops."""
        u, v = self.edges[:, 0], self.edges[:, 1]
        keep = u != v
        u, v = u[keep], v[keep]
        rows = np.concatenate([u, v])
        cols = np.concatenate([v, u])
        a = sp.csr_matrix(
            (np.ones(rows.size), (rows, cols)), shape=(self.n_nodes, self.n_nodes)
        )
        a.sum_duplicates()
        a.data[:] = 1.0
        return a

    def to_set_system(self, closed: bool = True) -> SetSystem:
        """Each vertex covers its neighbourhood (closed: the vertex itself too)."""
        a = self.adjacency()
        if closed:
            a = (a + sp.identity(self.n_nodes, format="csr")).tocsr()
            a.data[:] = 1.0
        a.sort_indices()
        return SetSystem(
            sets=a,
            costs=np.ones(self.n_nodes),
            weights=np.ones(self.n_nodes),
            name=self.name,
        )

    def __repr__(self) -> str:
        return f"Graph(name={self.name!r}, n_nodes={self.n_nodes}, n_edges={self.n_edges})"
