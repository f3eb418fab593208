"""`SubsetSelector`: data summarization with a scikit-learn style transformer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp

try:
    from sklearn.base import BaseEstimator, TransformerMixin
    from sklearn.utils import check_random_state
    from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data
except ImportError as exc:  # one line naming the extra (validate_data: scikit-learn 1.6+)
    from submodkit._optional import install_hint

    raise ImportError(f"SubsetSelector needs scikit-learn 1.6 or later ({install_hint('sklearn')})") from exc

from submodkit._validation import check_choice, check_int, check_real, check_selection, check_vector
from submodkit.constraints import Knapsack
from submodkit.errors import InvalidParameterError
from submodkit.objectives import (
    FacilityLocation,
    FeatureBased,
    GraphCut,
    SaturatedCoverage,
    SumRedundancy,
    knn_similarity,
    pairwise_similarity,
)
from submodkit.objectives import information as info
from submodkit.objectives.facility_location import ClusteredFacilityLocation
from submodkit.objectives.feature_based import CONCAVE
from submodkit.objectives.log_determinant import LogDeterminant, kernel_matrix
from submodkit.objectives.mixture import Mixture
from submodkit.objectives.similarity import cross_similarity
from submodkit.solvers.submodular.greedy import ALGORITHMS, BACKENDS, maximize

OBJECTIVES = (
    "facility-location", "feature-based", "coverage", "graph-cut", "saturated-coverage", "mixture",
    "log-determinant", "clustered-facility-location", "sum-redundancy",
    "facility-location-mi", "facility-location-vmi", "facility-location-cg", "facility-location-cmi",
    "graph-cut-mi", "graph-cut-cg",
    "log-determinant-mi", "log-determinant-cg", "log-determinant-cmi",
    "set-cover-mi", "set-cover-cg", "set-cover-cmi",
    "probabilistic-set-cover-mi", "probabilistic-set-cover-cg", "probabilistic-set-cover-cmi",
)
METRICS = ("euclidean", "cosine", "correlation", "precomputed")
KERNELS = ("rbf", "linear", "cosine")
_MIXABLE = ("facility-location", "feature-based", "coverage", "saturated-coverage")
_LOGDET = ("log-determinant", "log-determinant-mi", "log-determinant-cg", "log-determinant-cmi")
SELECTOR_ALGORITHMS = tuple(a for a in ALGORITHMS if a != "double-greedy")
"""``maximize``'s algorithms that select a given number of rows (double greedy has no size
limit: call :func:`~submodkit.maximize` for it)."""
_AT_MOST_K = ("auto", "naive", "lazy", "stochastic", "threshold", "random-greedy", "distorted-greedy")
"""The algorithms whose states never hold more than ``n_samples`` rows (the others, such as
continuous greedy's sampled sets, need a log-determinant sized for every row)."""
_BUILDERS = {name: "_build_" + name.replace("-", "_") for name in OBJECTIVES if name != "mixture"}
"""Objective name -> the SubsetSelector method that builds it."""


def _rows(original, array, index: np.ndarray):
    """Rows ``index`` of the caller's ``original`` (pandas keeps its index and columns), else
    of the validated ``array``."""
    if hasattr(original, "iloc"):
        return original.iloc[index]
    return array[index]


EXPECTED_FAILED_CHECKS = {
    "check_transformer_data_not_an_array": "transform returns the selected rows (k, not n)",
    "check_transformer_general": "transform returns the selected rows (k, not n)",
    "check_methods_sample_order_invariance": "the selection depends on the rows given",
    "check_methods_subset_invariance": "transform indexes the fitted rows",
    "check_fit_idempotent": "transform indexes the fitted rows",
}
"""The scikit-learn estimator checks a row selector fails by design, with the reason, for
``check_estimator(SubsetSelector(), expected_failed_checks=EXPECTED_FAILED_CHECKS)`` (the API
scikit-learn 1.6+ offers for declaring them)."""


class SubsetSelector(TransformerMixin, BaseEstimator):
    """Select ``n_samples`` representative rows of X by submodular maximization.

    The objective is built from X, then maximized by :func:`submodkit.maximize` (lazy
    greedy by default: ``1 - 1/e`` for the monotone objectives, Nemhauser, Wolsey, Fisher
    1978; see ``maximize`` for the other algorithms and the guarantees they report).
    Complexity: building a dense similarity is O(n^2 d) time and O(n^2) memory; with
    ``n_neighbors`` a sparse k-nearest-neighbour similarity, O(n k) memory.

    Parameters
    ----------
    n_samples : int or float, default 10
        The number of rows to select, or, a float in (0, 1], that fraction of the rows of
        ``fit``'s X (rounded, at least 1; ``partial_fit`` needs a count); with
        ``fit(X, sample_cost=c)`` the knapsack budget ``sum c <= n_samples`` instead (as
        apricot).
    objective : str, default "facility-location"
        One of ``OBJECTIVES`` (see Notes): ``"facility-location"``, ``"feature-based"``,
        ``"coverage"``, ``"graph-cut"``, ``"saturated-coverage"``, ``"mixture"``,
        ``"log-determinant"``, ``"clustered-facility-location"``, ``"sum-redundancy"``, and
        the submodular
        information measures (submodlib's names): ``"facility-location-mi"``,
        ``"facility-location-vmi"``, ``"facility-location-cg"``, ``"facility-location-cmi"``,
        ``"graph-cut-mi"``, ``"graph-cut-cg"``, ``"log-determinant-mi"``,
        ``"log-determinant-cg"``, ``"log-determinant-cmi"``, ``"set-cover-mi"``,
        ``"set-cover-cg"``, ``"set-cover-cmi"``, ``"probabilistic-set-cover-mi"``,
        ``"probabilistic-set-cover-cg"``, ``"probabilistic-set-cover-cmi"``.
    metric : str, default "euclidean"
        The similarity of the similarity-based objectives, one of ``METRICS``:
        ``"euclidean"``, ``"cosine"``, ``"correlation"``, ``"precomputed"`` (see Notes).
    n_neighbors : int, optional
        Keep only each row's ``n_neighbors`` most similar rows (a sparse k-nearest-neighbour
        similarity, O(n k) memory); None builds the dense n x n similarity.
    algorithm : str, default "lazy"
        The ``algorithm`` of :func:`~submodkit.maximize` (with ``sample_cost`` or
        ``initial_subset``: ``"lazy"``, ``"naive"`` or ``"auto"`` only), one of
        ``SELECTOR_ALGORITHMS`` (not ``"double-greedy"``, which has no size limit).
    concave : str, default "sqrt"
        The concave function of ``"feature-based"``: ``"sqrt"``, ``"log"``, ``"inverse"``,
        ``"min1"`` or ``"identity"``.
    threshold : float, default 1.0
        The per-column cap of ``"coverage"`` (> 0).
    alpha : float, default 0.1
        The saturation of ``"saturated-coverage"``.
    lam : float, default 0.5
        The penalty of ``"graph-cut"`` and ``"graph-cut-cg"`` (unless ``lambda_`` is given).
    query_X : array_like, shape (q, d), optional
        The query set of the ``-mi`` and ``-cmi`` objectives (rows in X's feature space; for
        the set-cover ones, the query's concepts are the columns where it has a non-zero).
    private_X : array_like, shape (p, d), optional
        The private set of the ``-cg`` and ``-cmi`` objectives (as ``query_X``).
    lambda_ : float, optional
        submodlib's ``lambdaVal``: the log-determinants' regularization (1.0 when None) and
        the graph cut's penalty (``lam`` when None).
    eta : float, default 1.0
        Query magnification of the ``-mi`` / ``-cmi`` objectives (submodlib's
        ``magnificationEta``; ``queryDiversityEta`` for ``"facility-location-vmi"``).
    nu : float, default 1.0
        Privacy hardness of the ``-cg`` / ``-cmi`` objectives (submodlib's ``privacyHardness``).
    kernel : {"rbf", "linear", "cosine"}, default "rbf"
        The positive semi-definite kernel of the log-determinant objectives (with
        ``metric="precomputed"``, X is the kernel itself).
    gamma : float, optional
        The RBF kernel's width, ``1 / d`` by default.
    clusters : array_like of int, shape (n,), optional
        The cluster of each row for ``"clustered-facility-location"`` (default: ``y``).
    components : list of str, optional
        The objectives of ``"mixture"`` (names of ``OBJECTIVES`` other than ``"mixture"``
        and ``"graph-cut"``); default ``["facility-location", "feature-based"]``.
    mixture_weights : array_like, optional
        The weights of the mixture's components (default: equal).
    initial_subset : array_like of int, optional
        Rows to start from (warm start): the selection then lists the new rows only, and no
        guarantee is reported.
    epsilon : float, default 0.1
        Accuracy of the stochastic and threshold algorithms and of the streaming sieve.
    random_state : int, RandomState or None
        Seeds the randomized algorithms (scikit-learn convention).
    verbose : bool, default False
        A progress bar while the k-nearest-neighbour similarity is built (``n_neighbors``),
        then a line with the value, algorithm and time of each ``fit``.
    dtype : numpy dtype, default numpy.float64
        ``numpy.float32`` stores the similarity (or the features) in single precision:
        half the memory, gains still summed in float64.
    backend : {"auto", "numba", "numpy"}, default "auto"
        Passed to :func:`~submodkit.maximize` (``"auto"``: numpy for small instances in a
        fresh process, Numba otherwise; same selections).
    reference : array_like, optional
        The fixed reference rows of streamed facility location (``partial_fit``); None uses
        the rows of the first batch.

    Attributes
    ----------
    ranking_ : ndarray of int64
        Selected row indices, in selection order (stream positions after ``partial_fit``).
    gains_ : ndarray of float64
        Marginal gain of each selected row.
    subset_ : ndarray or sparse matrix
        ``X[ranking_]`` (the kept rows after ``partial_fit``).
    solution_ : Solution
        The :class:`~submodkit.Solution` of the last fit: ``value``, ``guarantee``,
        ``upper_bound`` (greedy's a-posteriori bound), ``stats``.
    n_features_in_ : int
        Number of columns of X.

    Raises
    ------
    InvalidParameterError
        For an unknown objective, metric, concave function or algorithm, a dense
        similarity that would not fit in memory (the message names ``n_neighbors``), or an
        objective ``partial_fit`` cannot stream.

    Notes
    -----
    Objectives (apricot's conventions, same selections on the same similarity):

    - ``"facility-location"``: ``sum_u max_{j in S} sim[j, u]``;
    - ``"feature-based"``: ``sum_u phi(sum_{j in S} X[j, u])`` over non-negative features,
      ``concave`` in {"sqrt", "log", "inverse", "min1", "identity"};
    - ``"coverage"``: apricot's max coverage, ``sum_u min(threshold, sum_{j in S} X[j, u])``;
    - ``"saturated-coverage"``: ``sum_u min(alpha * sum_j sim[j, u], sum_{j in S} sim[j, u])``;
    - ``"graph-cut"``: ``sum_{i, j in S} sim[i, j]`` graph cut with penalty ``lam``;
    - ``"mixture"``: ``sum_i mixture_weights[i] * f_i`` over ``components`` (names above,
      graph cut excluded), compiled as one :class:`~submodkit.objectives.mixture.Mixture`;
    - ``"log-determinant"``: ``log det(L_S + lambda_ I)`` of the ``kernel`` of the rows
      (:class:`~submodkit.objectives.log_determinant.LogDeterminant`, DPP MAP inference);
    - ``"clustered-facility-location"``: facility location within each cluster
      (:class:`~submodkit.objectives.facility_location.ClusteredFacilityLocation`);
    - ``"sum-redundancy"``: apricot's ``-sum_{i, j in S} sim[i, j]`` (not monotone: no
      guarantee is reported);
    - the information measures of :mod:`submodkit.objectives.information`, built from X,
      ``query_X`` and ``private_X`` with the similarity of ``metric`` (facility location and
      graph cut; the euclidean one offset by the ground set's largest squared distance) or
      the ``kernel`` (log-determinant); which are monotone and submodular is stated there
      (the log-determinant MI and CMI are not submodular: no guarantee is reported).

    Similarity (for the similarity-based objectives): ``metric="precomputed"`` takes X as
    the n x n similarity; ``"euclidean"`` is ``max(D) - D`` over squared distances D (as
    apricot), ``"correlation"`` the squared Pearson correlation (as apricot), ``"cosine"``
    the cosine clipped at 0 (apricot squares it). A dense similarity that would not fit
    in memory raises `InvalidParameterError` naming ``n_neighbors``.

    ``fit(X, sample_cost=c)`` maximizes under the knapsack ``sum c <= n_samples`` (as
    apricot). ``initial_subset`` starts from those rows (warm start): the selection then
    lists the new rows only, and no guarantee is reported.

    Streaming, ``partial_fit(X)``: the rows of successive batches form one stream, judged
    by Sieve-Streaming++ (:class:`~submodkit.solvers.submodular.streaming.StreamingMaximizer`,
    ``1/2 - epsilon`` for these monotone objectives; one pass, ``O(k / epsilon)`` kept rows).
    A row's value must not depend on rows not seen yet, so the objective over the stream is:

    - ``"feature-based"`` / ``"coverage"``: as in ``fit``, over X's columns;
    - ``"facility-location"``: ``sum_u max_{j in S} sim(x_j, r_u)`` over a fixed reference
      set ``r`` = ``reference`` (rows given at construction), or the rows of the first
      batch when ``reference`` is None; ``sim`` is the cosine (clipped at 0) or squared
      correlation, or for ``"euclidean"`` ``max(0, d_max - D)`` with D squared distances
      and ``d_max`` the largest squared distance between two reference rows.

    ``ranking_`` then holds stream positions (0 for the first row of the first batch),
    ``subset_`` the kept rows; ``fit`` starts over. Other objectives raise
    `InvalidParameterError` in ``partial_fit``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [0.1], [5.0], [5.1]])
    >>> sel = SubsetSelector(2).fit(X)
    >>> sel.ranking_.tolist(), sel.subset_.tolist(), sel.solution_.algorithm
    ([2, 0], [[5.0], [0.0]], 'lazy')

    Streaming two batches of features:

    >>> F = np.array([[1.0, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    >>> stream = SubsetSelector(2, objective="feature-based")
    >>> stream.partial_fit(F[:2]).partial_fit(F[2:]).ranking_.tolist()
    [0, 1]

    References
    ----------
    .. [1] Nemhauser, Wolsey, Fisher, "An analysis of approximations for maximizing
       submodular set functions", Math. Programming 14 (1978).
    .. [2] Minoux, "Accelerated greedy algorithms for maximizing submodular set functions"
       (1978).
    .. [3] Schreiber, Bilmes, Noble, "apricot: Submodular selection for data summarization
       in Python", JMLR 21 (2020).
    .. [4] Kazemi, Mitrovic, Zadimoghaddam, Lattanzi, Karbasi, "Submodular streaming in all
       its glory: tight approximation, minimum memory and low adaptive complexity", ICML 2019.
    .. [5] Khuller, Moss, Naor, "The budgeted maximum coverage problem", Inform. Process.
       Lett. 70 (1999).
    """

    def __init__(
        self,
        n_samples: int = 10,
        objective: str = "facility-location",
        metric: str = "euclidean",
        n_neighbors: int | None = None,
        algorithm: str = "lazy",
        *,
        concave: str = "sqrt",
        threshold: float = 1.0,
        alpha: float = 0.1,
        lam: float = 0.5,
        query_X=None,
        private_X=None,
        lambda_: float | None = None,
        eta: float = 1.0,
        nu: float = 1.0,
        kernel: str = "rbf",
        gamma: float | None = None,
        clusters=None,
        components=None,
        mixture_weights=None,
        initial_subset=None,
        epsilon: float = 0.1,
        random_state=None,
        verbose: bool = False,
        dtype=np.float64,
        backend: str = "auto",
        reference=None,
    ):
        self.n_samples = n_samples
        self.objective = objective
        self.metric = metric
        self.n_neighbors = n_neighbors
        self.algorithm = algorithm
        self.concave = concave
        self.threshold = threshold
        self.alpha = alpha
        self.lam = lam
        self.query_X = query_X
        self.private_X = private_X
        self.lambda_ = lambda_
        self.eta = eta
        self.nu = nu
        self.kernel = kernel
        self.gamma = gamma
        self.clusters = clusters
        self.components = components
        self.mixture_weights = mixture_weights
        self.initial_subset = initial_subset
        self.epsilon = epsilon
        self.random_state = random_state
        self.verbose = verbose
        self.dtype = dtype
        self.backend = backend
        self.reference = reference

    # ----------------------------------------------------------------- building
    def _similarity(self, X):
        if self.metric == "precomputed":
            if X.shape[0] != X.shape[1]:
                raise InvalidParameterError("X", f"shape {X.shape}", "a square similarity (precomputed)")
            return X
        if self.n_neighbors is None:
            return pairwise_similarity(X, self.metric, dtype=self.dtype)
        return knn_similarity(X, self.metric, self.n_neighbors, dtype=self.dtype, progress=bool(self.verbose))

    def _build(self, name: str, X, cache: dict):
        """The objective ``name`` over X (``cache`` shares the similarity between components)."""
        return getattr(self, _BUILDERS[name])(X, cache)

    def _ground(self, X, cache: dict):
        if "sim" not in cache:
            cache["sim"] = self._similarity(X)
        return cache["sim"]

    def _side(self, X, cache: dict, which: str):
        """The n x q similarity to ``query_X`` / ``private_X`` (``which``), on the ground scale."""
        rows = self._side_rows(which, X.shape[1])
        if self.metric == "precomputed":
            raise InvalidParameterError("metric", "precomputed", f"a metric to compare X with {which}")
        sim = self._ground(X, cache)
        d_max = float(sim.max()) if self.metric == "euclidean" else None
        return cross_similarity(X, rows, self.metric, d_max=d_max)

    def _side_rows(self, which: str, d: int) -> np.ndarray:
        rows = getattr(self, which)
        if rows is None:
            raise InvalidParameterError(which, None,
                                        f"the rows of the {which[:-2]} set for objective={self.objective!r}")
        arr = rows.toarray() if sp.issparse(rows) else np.asarray(rows, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] != d:
            raise InvalidParameterError(which, f"shape {arr.shape}", f"a 2-D array with {d} columns, as X")
        return np.ascontiguousarray(arr, dtype=np.float64)

    def _concepts(self, which: str, d: int) -> np.ndarray:
        return np.flatnonzero(np.any(self._side_rows(which, d) != 0.0, axis=0))

    def _lam(self, default: float) -> float:
        return default if self.lambda_ is None else self.lambda_

    def _kernels(self, X, *which: str) -> list:
        """Kernel of X, then of X with each side set, then the side sets' own and cross ones."""
        check_choice("kernel", self.kernel, KERNELS)
        if self.metric == "precomputed":
            raise InvalidParameterError("metric", "precomputed", "features with query_X / private_X")
        rows = [self._side_rows(w, X.shape[1]) for w in which]
        kx = [kernel_matrix(X, None, self.kernel, self.gamma)]
        kx += [kernel_matrix(X, r, self.kernel, self.gamma) for r in rows]
        kx += [kernel_matrix(r, None, self.kernel, self.gamma) for r in rows]
        if len(rows) == 2:
            kx.append(kernel_matrix(rows[0], rows[1], self.kernel, self.gamma))
        return kx

    def _build_facility_location(self, X, cache):
        return FacilityLocation(self._ground(X, cache), dtype=self.dtype)

    def _build_graph_cut(self, X, cache):
        return GraphCut(self._ground(X, cache), lam=self._lam(self.lam))

    def _build_sum_redundancy(self, X, cache):
        return SumRedundancy(self._ground(X, cache))

    def _build_saturated_coverage(self, X, cache):
        return SaturatedCoverage(self._ground(X, cache), alpha=self.alpha, dtype=self.dtype)

    def _build_feature_based(self, X, cache):
        return FeatureBased(X, self.concave, dtype=self.dtype)

    def _build_coverage(self, X, cache):
        thr = check_real("threshold", self.threshold, minimum=0.0, strict_min=True)
        return SaturatedCoverage(X, caps=np.full(X.shape[1], thr), dtype=self.dtype)

    def _build_log_determinant(self, X, cache):
        lam, size = self._lam(1.0), cache.get("max_size")
        if self.metric == "precomputed":
            return LogDeterminant(X.toarray() if sp.issparse(X) else X, regularization=lam, max_size=size)
        check_choice("kernel", self.kernel, KERNELS)
        return LogDeterminant.from_features(X.toarray() if sp.issparse(X) else X, kernel=self.kernel,
                                            gamma=self.gamma, regularization=lam, max_size=size)

    def _build_clustered_facility_location(self, X, cache):
        labels = self.clusters if self.clusters is not None else cache.get("y")
        if labels is None:
            raise InvalidParameterError("clusters", None, "cluster labels (clusters=..., or y in fit)")
        return ClusteredFacilityLocation(self._ground(X, cache), labels)

    def _build_facility_location_mi(self, X, cache):
        return info.FacilityLocationMI(self._ground(X, cache), self._side(X, cache, "query_X"), eta=self.eta)

    def _build_facility_location_vmi(self, X, cache):
        return info.FacilityLocationVMI(self._side(X, cache, "query_X"), eta=self.eta)

    def _build_facility_location_cg(self, X, cache):
        return info.FacilityLocationCG(self._ground(X, cache), self._side(X, cache, "private_X"), nu=self.nu)

    def _build_facility_location_cmi(self, X, cache):
        return info.FacilityLocationCMI(self._ground(X, cache), self._side(X, cache, "query_X"),
                                        self._side(X, cache, "private_X"), eta=self.eta, nu=self.nu)

    def _build_graph_cut_mi(self, X, cache):
        return info.GraphCutMI(self._side(X, cache, "query_X"), lam=self._lam(self.lam))

    def _build_graph_cut_cg(self, X, cache):
        return info.GraphCutCG(self._ground(X, cache), self._side(X, cache, "private_X"),
                               lam=self._lam(self.lam), nu=self.nu)

    def _build_log_determinant_mi(self, X, cache):
        S, SQ, QQ = self._kernels(X, "query_X")
        return info.LogDeterminantMI(S, SQ, QQ, eta=self.eta, regularization=self._lam(1.0),
                                     max_size=cache.get("max_size"))

    def _build_log_determinant_cg(self, X, cache):
        S, SP, PP = self._kernels(X, "private_X")
        return info.LogDeterminantCG(S, SP, PP, nu=self.nu, regularization=self._lam(1.0),
                                     max_size=cache.get("max_size"))

    def _build_log_determinant_cmi(self, X, cache):
        S, SQ, SP, QQ, PP, QP = self._kernels(X, "query_X", "private_X")
        return info.LogDeterminantCMI(S, SQ, QQ, SP, PP, QP, eta=self.eta, nu=self.nu,
                                      regularization=self._lam(1.0), max_size=cache.get("max_size"))

    def _build_set_cover(self, X, cache, cls, *which):
        d = X.shape[1]
        sets = sp.csr_matrix(X)
        sets.eliminate_zeros()  # a stored zero covers nothing
        sets.data = np.ones_like(sets.data)
        return cls(sets, *(self._concepts(w, d) for w in which))

    def _build_set_cover_mi(self, X, cache):
        return self._build_set_cover(X, cache, info.SetCoverMI, "query_X")

    def _build_set_cover_cg(self, X, cache):
        return self._build_set_cover(X, cache, info.SetCoverCG, "private_X")

    def _build_set_cover_cmi(self, X, cache):
        return self._build_set_cover(X, cache, info.SetCoverCMI, "query_X", "private_X")

    def _build_probabilistic(self, X, cls, *which):
        return cls(X, *(self._concepts(w, X.shape[1]) for w in which))

    def _build_probabilistic_set_cover_mi(self, X, cache):
        return self._build_probabilistic(X, info.ProbabilisticSetCoverMI, "query_X")

    def _build_probabilistic_set_cover_cg(self, X, cache):
        return self._build_probabilistic(X, info.ProbabilisticSetCoverCG, "private_X")

    def _build_probabilistic_set_cover_cmi(self, X, cache):
        return self._build_probabilistic(X, info.ProbabilisticSetCoverCMI, "query_X", "private_X")

    def _objective(self, X, similarity=None, y=None, max_size=None):
        check_choice("objective", self.objective, OBJECTIVES)
        check_choice("metric", self.metric, METRICS)
        check_choice("concave", self.concave, tuple(CONCAVE))
        cache: dict = {"y": y, "max_size": max_size}
        if similarity is not None:
            if sp.issparse(similarity):
                similarity = sp.csr_matrix(similarity)
            else:
                similarity = np.asarray(similarity, dtype=np.float64)
            if similarity.shape != (X.shape[0], X.shape[0]):
                raise InvalidParameterError("similarity", f"shape {similarity.shape}",
                                            f"({X.shape[0]}, {X.shape[0]}): one row and column per row of X")
            cache["sim"] = similarity
        if self.objective != "mixture":
            return self._build(self.objective, X, cache)
        names = self.components if self.components is not None else ["facility-location", "feature-based"]
        if isinstance(names, str) or not len(names):
            raise InvalidParameterError("components", names, "a non-empty list of objective names")
        for nm in names:
            check_choice("components", nm, _MIXABLE)
        return Mixture([self._build(nm, X, cache) for nm in names], self.mixture_weights)

    # ----------------------------------------------------------------- API
    def fit(self, X, y=None, sample_cost=None, similarity=None):
        """Select the rows of X.

        Parameters
        ----------
        X : array_like or sparse matrix, shape (n, d)
            The rows (the n x n similarity with ``metric="precomputed"``).
        y : ignored
        sample_cost : array_like, shape (n,), optional
            One non-negative cost per row: ``n_samples`` becomes a knapsack budget.
        similarity : array_like or sparse matrix, shape (n, n), optional
            A similarity computed already (a k-nearest-neighbour graph from
            :func:`~submodkit.objectives.similarity.knn_similarity` or
            :func:`~submodkit.objectives.similarity.similarity_from_neighbors`): the
            similarity-based objectives use it instead of computing one from X again.

        Returns
        -------
        SubsetSelector
            self, with ``ranking_``, ``gains_``, ``subset_`` and ``solution_`` set.

        Raises
        ------
        InvalidParameterError, ValueError
            For invalid X, parameters or arguments; the selector is then left as it was
            (a refit that fails keeps the previous fit's attributes, ``n_features_in_``
            included).

        Examples
        --------
        >>> import numpy as np
        >>> sel = SubsetSelector(1).fit(np.array([[0.0, 1.0], [1.0, 0.0], [0.9, 0.1]]))
        >>> try:
        ...     sel.fit(np.zeros((3, 5)), sample_cost=[1.0])  # one cost for three rows
        ... except ValueError:
        ...     pass
        >>> sel.n_features_in_, sel.ranking_.tolist()  # the previous fit, untouched
        (2, [2])
        """
        with self._unchanged_on_error():
            return self._fit(X, y, sample_cost, similarity)

    @contextmanager
    def _unchanged_on_error(self) -> Iterator[None]:
        """Run a fit as one step: if it raises, the fitted state (every attribute that is not
        a constructor parameter: ``n_features_in_``, ``feature_names_in_``, ``ranking_``, the
        stream, ...) is put back as it was before the call.

        ``validate_data`` sets ``n_features_in_`` and ``feature_names_in_`` before the other
        checks run, and checks of the parameters happen throughout the fit, so the attributes
        are saved and restored rather than set only at the end."""
        params = set(self.get_params(deep=False))
        saved = {key: value for key, value in self.__dict__.items() if key not in params}
        try:
            yield
        except BaseException:
            for key in [key for key in self.__dict__ if key not in params]:
                del self.__dict__[key]
            self.__dict__.update(saved)
            raise

    def _fit(self, X, y, sample_cost, similarity):
        """:meth:`fit` itself (which undoes what this set when it raises)."""
        original = X
        X = validate_data(self, X, accept_sparse="csr", dtype=(np.float64, np.float32), ensure_min_samples=1)
        rows = X  # the rows handed back keep the input's dtype (float32 stays float32)
        X = X.astype(np.float64, copy=False)
        n = X.shape[0]
        self.__dict__.pop("_stream", None)
        check_choice("algorithm", self.algorithm, SELECTOR_ALGORITHMS)
        check_choice("backend", self.backend, BACKENDS)
        seed = check_random_state(self.random_state).randint(2**31 - 1)
        size = None  # a log-determinant's state holds the rows greedy may select
        if self.objective in _LOGDET and self.algorithm in _AT_MOST_K:
            if sample_cost is None:
                extra = 0 if self.initial_subset is None else len(np.unique(np.asarray(self.initial_subset)))
                size = min(n, self._n_rows(n) + extra)
            else:  # the most rows that fit the budget: the cheapest ones
                costs = np.sort(check_vector("sample_cost", sample_cost, n))
                budget = float(check_real("n_samples", self.n_samples, minimum=0.0))
                fits = np.searchsorted(np.cumsum(costs), budget * (1 + 1e-9) + 1e-12, side="right")
                size = min(n, int(fits))
        obj = self._objective(X, similarity, y, size)
        if obj.n != n:
            raise InvalidParameterError("X", f"shape {X.shape}", "one candidate per row")
        init = None
        if self.initial_subset is not None:
            init = check_selection("initial_subset", self.initial_subset, n)
        if sample_cost is not None:
            costs = check_vector("sample_cost", sample_cost, n)
            budget = check_real("n_samples", self.n_samples, minimum=0.0)
            if init is not None:
                raise InvalidParameterError("initial_subset", self.initial_subset, "None with sample_cost")
            sol = maximize(obj, constraint=Knapsack(costs, budget), algorithm=self._greedy_name(),
                           backend=self._backend(False))
        else:
            k = self._n_rows(n)
            if init is not None and init.size:
                sol = maximize(obj, k, algorithm=self._greedy_name(), initial=init, backend=self.backend)
            else:
                numpy_ok = self.algorithm in ("lazy", "naive") or (self.algorithm == "auto" and obj.monotone)
                sol = maximize(obj, k, algorithm=self.algorithm, epsilon=self.epsilon, seed=seed,
                               backend=self._backend(numpy_ok))
        self.solution_ = sol
        self.ranking_ = np.asarray(sol.selection, dtype=np.int64)
        self.gains_ = np.asarray(sol.gains, dtype=np.float64)
        self.subset_ = _rows(original, rows, self.ranking_)
        if self.verbose:
            print(f"SubsetSelector: {len(self.ranking_)} rows, value {sol.value:.6g}, "
                  f"{sol.algorithm}, {sol.stats.get('seconds', 0.0):.3f} s")
        return self

    def __sklearn_is_fitted__(self) -> bool:
        """Fitted once a selection exists (``lambda_`` is a parameter, not a fitted attribute)."""
        return hasattr(self, "ranking_")

    def _n_rows(self, n: int | None) -> int:
        """``n_samples`` as a count: a float in (0, 1) is a fraction of the ``n`` rows."""
        v = self.n_samples
        if isinstance(v, (float, np.floating)) and 0.0 < v <= 1.0:
            if n is None:
                raise InvalidParameterError("n_samples", v, "a count for partial_fit (a stream's length is "
                                            "unknown)")
            return max(1, int(round(v * n)))
        return check_int("n_samples", v)

    def _backend(self, numpy_ok: bool) -> str:
        """``backend`` for maximize: "numpy" only where maximize runs it (else "auto")."""
        if self.backend == "numpy" and not numpy_ok:
            return "auto"
        return self.backend

    # ----------------------------------------------------------------- streaming
    def _stream_rows(self, X) -> sp.csr_matrix:
        """The batch's rows of the streamed objective's matrix (columns fixed for the stream)."""
        if self.objective in ("feature-based", "coverage"):
            return sp.csr_matrix(X)
        Xd = X.toarray() if sp.issparse(X) else X
        ref = self._reference
        if self.metric == "euclidean":
            sq = np.einsum("ij,ij->i", Xd, Xd)
            D = sq[:, None] + self._ref_sq[None, :] - 2.0 * (Xd @ ref.T)
            sim = np.maximum(self._d_max - np.maximum(D, 0.0), 0.0)
        else:
            center = self.metric == "correlation"
            Z = Xd - Xd.mean(axis=1, keepdims=True) if center else Xd
            norms = np.linalg.norm(Z, axis=1, keepdims=True)
            norms[norms == 0] = 1.0
            S = (Z / norms) @ ref.T
            sim = np.maximum(S, 0.0) if self.metric == "cosine" else S * S
        return sp.csr_matrix(sim)

    def _start_stream(self, X) -> None:
        from submodkit.solvers.submodular.streaming import StreamingMaximizer  # Numba: imported when used

        check_choice("objective", self.objective, ("facility-location", "feature-based", "coverage"))
        check_choice("concave", self.concave, tuple(CONCAVE))
        k = self._n_rows(None)
        if self.objective == "facility-location":
            check_choice("metric", self.metric, ("euclidean", "cosine", "correlation"))
            ref = X if self.reference is None else self.reference
            ref = validate_data(self, ref, accept_sparse="csr", dtype=np.float64, reset=False)
            ref = ref.toarray() if sp.issparse(ref) else np.asarray(ref)
            if ref.shape[0] < 2:  # facility location over one point: one row covers it all
                raise InvalidParameterError(
                    "X", f"{ref.shape[0]} row in the first batch", "at least 2 rows (the first batch is the "
                    "reference the stream is judged against unless reference= is given)")
            if self.metric == "euclidean":
                self._reference = ref
                self._ref_sq = np.einsum("ij,ij->i", ref, ref)
                D = self._ref_sq[:, None] + self._ref_sq[None, :] - 2.0 * (ref @ ref.T)
                self._d_max = float(max(D.max(), 0.0))
                if self._d_max == 0.0:
                    raise InvalidParameterError(
                        "reference", f"{ref.shape[0]} identical rows", "distinct rows (the euclidean "
                        "similarity d_max - d^2 is 0 for every pair)")
            else:
                Z = ref - ref.mean(axis=1, keepdims=True) if self.metric == "correlation" else ref
                norms = np.linalg.norm(Z, axis=1, keepdims=True)
                norms[norms == 0] = 1.0
                self._reference = Z / norms
        self._stream = StreamingMaximizer(self._stream_objective(self._stream_rows(X[:1]), 0), k,
                                          epsilon=self.epsilon)
        self._seen = 0
        self._kept_rows: dict = {}

    def _stream_objective(self, rows: sp.csr_matrix, offset: int):
        """The objective over stream positions ``0..offset+len(rows)-1``; earlier rows are
        empty (never read again: the sieve keeps their effect in its states)."""
        indptr = np.concatenate([np.zeros(offset, dtype=np.int64), rows.indptr.astype(np.int64)])
        mat = sp.csr_matrix((rows.data, rows.indices, indptr), shape=(offset + rows.shape[0], rows.shape[1]))
        if self.objective == "feature-based":
            return FeatureBased(mat, self.concave, dtype=self.dtype)
        if self.objective == "coverage":
            thr = check_real("threshold", self.threshold, minimum=0.0, strict_min=True)
            return SaturatedCoverage(mat, caps=np.full(mat.shape[1], thr), dtype=self.dtype)
        return FacilityLocation(mat, dtype=self.dtype)

    def partial_fit(self, X, y=None):
        """Process the rows of X as the next items of a stream (Sieve-Streaming++); see the
        class docstring for the objective judged over the stream.

        Returns
        -------
        SubsetSelector
            self, with ``ranking_`` (stream positions), ``gains_``, ``subset_`` and
            ``solution_`` of the stream so far (``subset_`` holds the rows as float64, dense
            or CSR as the batches came: the kept rows outlive their batches' types).

        Raises
        ------
        InvalidParameterError, ValueError
            For an invalid batch (another number of columns than the first), parameters
            that cannot stream; the selector is then left as it was (the stream so far, or
            the previous fit, and its ``n_features_in_``).

        Examples
        --------
        >>> import numpy as np
        >>> sel = SubsetSelector(1, objective="feature-based").partial_fit(np.eye(2))
        >>> try:
        ...     sel.partial_fit(np.ones((1, 3)))  # 3 columns, the stream has 2
        ... except ValueError:
        ...     pass
        >>> sel.n_features_in_, sel.ranking_.tolist()
        (2, [0])
        """
        with self._unchanged_on_error():
            return self._partial_fit(X)

    def _partial_fit(self, X):
        """:meth:`partial_fit` itself (which undoes what this set when it raises). The only
        change made in place, to the stream's sieve (``sm.update``), comes after every check."""
        first = not hasattr(self, "_stream")
        X = validate_data(self, X, accept_sparse="csr", dtype=np.float64, ensure_min_samples=1, reset=first)
        if first:
            self._start_stream(X)

        sm = self._stream
        b = X.shape[0]
        sm.objective = self._stream_objective(self._stream_rows(X), self._seen)
        sm.update(np.arange(self._seen, self._seen + b, dtype=np.int64))
        sol = sm.solution()
        keep = set(sol.selection.tolist()) | set(sm.kept_items().tolist())
        rows = {}
        for j in keep:
            rows[j] = self._kept_rows[j] if j in self._kept_rows else X[j - self._seen]
        self._kept_rows = rows
        self._seen += b
        self.solution_ = sol
        self.ranking_ = np.asarray(sol.selection, dtype=np.int64)
        self.gains_ = np.asarray(sol.gains, dtype=np.float64)
        picked = [self._kept_rows[j] for j in self.ranking_.tolist()]
        if sp.issparse(X):
            self.subset_ = sp.vstack(picked, format="csr") if picked else X[:0]
        else:
            self.subset_ = np.vstack(picked) if picked else X[:0]
        return self

    def _greedy_name(self) -> str:
        if self.algorithm in ("auto", "lazy", "naive"):
            return "naive" if self.algorithm == "naive" else "lazy"
        raise InvalidParameterError(
            "algorithm", self.algorithm, "'lazy', 'naive' or 'auto' with sample_cost or initial_subset"
        )

    def transform(self, X):
        """The selected rows of X (X must have the rows it was fitted on), in X's own type:
        a pandas DataFrame keeps its index and columns, float32 stays float32."""
        check_is_fitted(self, "ranking_")
        original = X
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        if self.ranking_.size and X.shape[0] <= int(self.ranking_.max()):
            raise InvalidParameterError("X", f"{X.shape[0]} rows", "the rows the selector was fitted on")
        return _rows(original, X, self.ranking_)

    def fit_transform(self, X, y=None, sample_cost=None, similarity=None):
        """``fit(X, y, sample_cost=..., similarity=...).subset_``: the selected rows only (a
        scikit-learn ``Pipeline`` cannot drop rows of y: use :meth:`fit_resample` in an
        imbalanced-learn ``Pipeline``, or :meth:`select`)."""
        return self.fit(X, y, sample_cost=sample_cost, similarity=similarity).subset_

    def select(self, X, y=None, sample_cost=None):
        """Fit, and return the selected rows of X and the matching entries of y.

        Parameters
        ----------
        X : array_like, sparse matrix or DataFrame, shape (n, d)
        y : array_like or Series, shape (n,), optional
        sample_cost : array_like, shape (n,), optional

        Returns
        -------
        X_selected, y_selected
            The rows of ``ranking_`` (y_selected None without y), in their input types.

        Examples
        --------
        >>> import numpy as np
        >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
        >>> Xs, ys = SubsetSelector(2).select(X, np.array([0, 0, 1, 1]))
        >>> sorted(ys.tolist())  # one row from each cluster
        [0, 1]
        """
        if y is not None and _num_samples(y) != _num_samples(X):
            raise InvalidParameterError("y", f"{_num_samples(y)} entries",
                                        f"one per row of X ({_num_samples(X)})")
        self.fit(X, y, sample_cost=sample_cost)
        return self.subset_, (None if y is None else _rows(y, np.asarray(y), self.ranking_))

    def fit_resample(self, X, y, sample_cost=None):
        """The imbalanced-learn sampler call: :meth:`select` with y required. (An
        imbalanced-learn ``Pipeline`` refuses a step that both transforms and resamples:
        there, wrap the selector in :class:`SubsetSampler`.)"""
        if y is None:
            raise InvalidParameterError("y", None, "the targets (fit_resample returns the selected X and y)")
        return self.select(X, y, sample_cost=sample_cost)

    def get_feature_names_out(self, input_features=None):
        """The output columns: the input's (a selector keeps every column)."""
        from sklearn.utils.validation import _check_feature_names_in

        check_is_fitted(self, "ranking_")
        return _check_feature_names_in(self, input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags



class SubsetSampler(BaseEstimator):
    """A :class:`SubsetSelector` as an imbalanced-learn sampler: ``fit_resample`` only, so an
    ``imblearn.pipeline.Pipeline`` shrinks the training rows (X and y together) during
    ``fit`` and skips the step at ``predict``, the way a supervised pipeline needs.

    Parameters
    ----------
    selector : SubsetSelector, optional
        The selector to run (cloned at each ``fit_resample``); default ``SubsetSelector()``.

    Attributes
    ----------
    selector_ : SubsetSelector
        The fitted clone (``ranking_``, ``solution_``, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from imblearn.pipeline import make_pipeline  # doctest: +SKIP
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.random.default_rng(0).normal(size=(200, 3)); y = (X[:, 0] > 0).astype(int)
    >>> pipe = make_pipeline(SubsetSampler(SubsetSelector(40)), LogisticRegression())  # doctest: +SKIP
    >>> pipe.fit(X, y).predict(X).shape  # trained on 40 rows, predicts all  # doctest: +SKIP
    (200,)
    >>> Xs, ys = SubsetSampler(SubsetSelector(40)).fit_resample(X, y)
    >>> Xs.shape, ys.shape
    ((40, 3), (40,))

    References
    ----------
    .. [1] Lemaitre, Nogueira, Aridas, "Imbalanced-learn: a Python toolbox to tackle the curse
       of imbalanced datasets in machine learning", JMLR 18 (2017) (the sampler API).
    """

    def __init__(self, selector: SubsetSelector | None = None):
        self.selector = selector

    def fit(self, X, y, **fit_params):
        """Run the selector on X and y (the sampler API's ``fit``).

        Returns
        -------
        SubsetSampler
            self, with ``selector_`` fitted.
        """
        self.fit_resample(X, y, **fit_params)
        return self

    def fit_resample(self, X, y, **fit_params):
        """The selected rows of X and y (:meth:`SubsetSelector.fit_resample`)."""
        from sklearn.base import clone

        self.selector_ = clone(self.selector) if self.selector is not None else SubsetSelector()
        return self.selector_.fit_resample(X, y, **fit_params)
