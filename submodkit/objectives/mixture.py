"""`Mixture`: a weighted sum of aggregate-family objectives plus a modular term."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_vector
from submodkit.errors import InvalidParameterError
from submodkit.objectives import kinds as K
from submodkit.objectives.base import Objective


class Mixture(Objective):
    """``f(S) = sum_i weights[i] * f_i(S) + sum_{j in S} modular[j]``, compiled as one objective.

    The components' columns are stacked side by side (``KIND_MIX_DENSE`` when every
    component is dense, else ``KIND_MIX_CSR``), each column keeping its own concave
    function and aggregation (see :mod:`submodkit.objectives.kernels`), so every solver
    runs the same cached kernels on a mixture as on a single objective. Components:
    facility location, feature-based, coverage, saturated and probabilistic coverage,
    and mixtures (flattened). Pairwise objectives (graph cut) are not supported.

    Submodular for non-negative weights; monotone when every component is and
    ``modular >= 0``. A negative modular term (quality minus cost) makes it non-monotone,
    and possibly negative: no non-negativity is then certified.

    Parameters
    ----------
    components : Objective or list of Objective
        Objectives over the same ground set (same number of candidates).
    weights : array_like of float, optional
        Non-negative weight per component, ones by default.
    modular : array_like of float, shape (n,), optional
        Per-candidate values added for each selected candidate (any sign).

    Attributes
    ----------
    components : list of Objective
    weights : ndarray of float64
    modular : ndarray of float64
        The modular term, including the flattened mixtures' own.
    nonnegative : bool
        Whether ``f >= 0`` is certified (when the modular part is non-negative).

    Raises
    ------
    InvalidParameterError
        For no component, a component that is not an aggregate-family objective (graph
        cut), components over different ground sets, or weights of the wrong length.

    Examples
    --------
    >>> from submodkit import Coverage, FeatureBased
    >>> f = Mixture([Coverage([[0], [0, 1]]), FeatureBased([[1.0], [4.0]])], [1.0, 0.5])
    >>> f.evaluate([1])
    3.0
    >>> g = Mixture([Coverage([[0], [0, 1]])], modular=[0.0, -1.0])
    >>> g.evaluate([1]), g.monotone, g.nonnegative
    (1.0, False, False)

    References
    ----------
    .. [1] Lin, Bilmes, "A class of submodular functions for document summarization",
       ACL 2011.
    .. [2] Tschiatschek, Iyer, Wei, Bilmes, "Learning mixtures of submodular functions for
       image collection summarization", NIPS 2014.
    """

    name = "mixture"

    def __init__(self, components, weights=None, modular=None):
        comps = list(components) if not isinstance(components, Objective) else [components]
        if not comps:
            raise InvalidParameterError("components", components, "at least one objective")
        for i, c in enumerate(comps):
            if not isinstance(c, Objective):
                raise InvalidParameterError(f"components[{i}]", c, "a submodkit Objective")
        weights = np.ones(len(comps)) if weights is None else check_vector("weights", weights, len(comps))
        n = comps[0].n
        for i, c in enumerate(comps):
            if c.n != n:
                raise InvalidParameterError(f"components[{i}]", c, f"an objective over {n} candidates")
        mod = np.zeros(n) if modular is None else check_vector("modular", modular, n, nonnegative=False)
        blocks, ws, caps, codes = [], [], [], []
        monotone = bool(mod.min(initial=0.0) >= 0.0)
        submodular = True
        sum_only = True
        for c, wt in zip(comps, weights, strict=True):
            if isinstance(c, Mixture):
                m = c.state_size
                blocks.append(c._matrix())
                ws.append(wt * c.w)
                caps.append(c.b[:m])
                codes.append(c.b[m : 2 * m])
                mod = mod + wt * c.b[2 * m :]
                sum_only = sum_only and c.sum_only
            elif c.kind in (K.KIND_DENSE, K.KIND_CSR, K.KIND_COVERAGE):
                mat = (
                    c.dense if c.kind == K.KIND_DENSE
                    else sp.csr_matrix(
                        (np.ones(c.indices.shape[0]) if c.kind == K.KIND_COVERAGE else c.data,
                         c.indices, c.indptr), shape=c.shape,
                    )
                )
                is_max = c.kind == K.KIND_COVERAGE or c.agg == K.AGG_MAX
                blocks.append(-mat if is_max else mat)
                ws.append(wt * c.w)
                caps.append(c.b if c.kind != K.KIND_COVERAGE else np.zeros(c.state_size))
                codes.append(np.full(c.state_size, float(c.phi)))
                sum_only = sum_only and not is_max
            else:
                raise InvalidParameterError(
                    "components", type(c).__name__,
                    "aggregate-family objectives (facility location, feature-based, coverage, ...)",
                )
            monotone = monotone and c.monotone
            submodular = submodular and c.submodular
        if all(isinstance(x, np.ndarray) for x in blocks):
            matrix = np.ascontiguousarray(np.hstack(blocks))
            kind = K.KIND_MIX_DENSE
        else:
            matrix = sp.hstack([sp.csr_matrix(x) for x in blocks], format="csr")
            matrix.sort_indices()
            kind = K.KIND_MIX_CSR
        caps_all = np.concatenate(caps)
        b = np.concatenate([caps_all, np.concatenate(codes), mod])
        super().__init__(kind=kind, matrix=matrix, w=np.concatenate(ws), b=b,
                         monotone=monotone, submodular=submodular, values_checked=True)
        self.components = comps
        self.weights = weights
        self.modular = mod
        self.sum_only = sum_only
        # f >= 0 is certified when the modular part is (aggregate components are >= 0).
        self.nonnegative = bool(mod.min(initial=0.0) >= 0.0)

    @property
    def sparse(self) -> bool:
        """Whether the stacked matrix is CSR (some component is sparse)."""
        return self.kind == K.KIND_MIX_CSR

    def _matrix(self):
        """The stacked matrix (sign-encoded aggregation), dense or CSR."""
        if self.kind == K.KIND_MIX_DENSE:
            return self.dense
        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=self.shape)
