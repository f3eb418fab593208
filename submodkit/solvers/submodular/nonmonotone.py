"""Maximization of non-monotone submodular functions, and of ``f(S) - c(S)`` with modular costs.

- :func:`random_greedy`: random greedy (Buchbinder, Feldman, Naor, Schwartz, SODA 2014),
  cardinality constraint, ``1/e`` in expectation for non-negative submodular ``f``
  (``1 - 1/e`` when ``f`` is monotone); O(nk) gain evaluations.
- :func:`double_greedy`: double greedy (Buchbinder, Feldman, Naor, Schwartz, FOCS 2012),
  unconstrained, ``1/2`` in expectation (randomized) or ``1/3`` (deterministic) for
  non-negative submodular ``f``; 2n gain evaluations.
- :func:`distorted_greedy`: distorted greedy (Harshaw, Feldman, Ward, Karbasi, ICML 2019)
  for ``g(S) - c(S)``, ``g`` monotone submodular and non-negative, ``c`` modular and
  non-negative: ``g(S) - c(S) >= (1 - 1/e) g(O) - c(O)`` for every feasible O; O(nk) gains.

Every function accepts ``costs`` (a non-negative vector ``c``) and then maximizes
``f(S) - sum_{j in S} c[j]``. The guarantee is reported only when its assumptions are
certified for the given objective: non-negativity of ``f`` is certified for the aggregate
family (non-negative data and weights), coverage, and the quadratic family when every
candidate's worst-case gain is non-negative against half the pair terms (graph cut with
``lam <= 1`` on a symmetric similarity); with costs, random and double greedy report none
(``f - c`` may be negative), distorted greedy is the method with a guarantee.

Kernels call :func:`~submodkit.objectives.kernels.gain` and ``commit`` as module globals.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit

from submodkit._validation import check_int, check_vector, make_rng
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.objectives import kernels as K
from submodkit.objectives.base import Objective
from submodkit.objectives.kernels import commit, gain
from submodkit.results import Guarantee, Solution

_MIX_KINDS = (K.KIND_MIX_DENSE, K.KIND_MIX_CSR)


# --------------------------------------------------------------------------- kernels


@njit(cache=True, nogil=True)
def random_greedy_kernel(
    kind, agg, phi, indptr, indices, data, dense, w, b, cur, n, costs, k, uniforms, sel_out, gain_out
):
    """Random greedy over candidates ``0..n-1`` for ``k`` steps.

    Each step ranks the remaining candidates by ``gain - cost`` (ties: smallest index),
    keeps the top k with a positive value (the others are the paper's dummy elements of
    gain 0) and picks position ``floor(uniforms[step] * k)`` of that list; a position past
    its end picks a dummy (no element added). Returns ``(n_selected, value, evaluations)``.
    """
    alive = np.ones(n, dtype=np.bool_)
    keys = np.empty(n, dtype=np.float64)
    ids = np.empty(n, dtype=np.int64)
    n_sel = 0
    value = 0.0
    evals = 0
    for step in range(k):
        r = int(uniforms[step] * k)
        if r >= k:
            r = k - 1
        cnt = 0
        for j in range(n):
            if alive[j]:
                g = gain(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j) - costs[j]
                evals += 1
                if g > 0.0:
                    keys[cnt] = -g
                    ids[cnt] = j
                    cnt += 1
        if r >= cnt:
            continue
        order = np.argsort(keys[:cnt], kind="mergesort")  # stable: ties keep index order
        j = ids[order[r]]
        g = -keys[order[r]]
        commit(kind, agg, indptr, indices, data, dense, cur, j)
        alive[j] = False
        sel_out[n_sel] = j
        gain_out[n_sel] = g
        n_sel += 1
        value += g
    return n_sel, value, evals


@njit(cache=True, nogil=True)
def _remove(kind, indptr, indices, data, dense, w, cur, counts, j):
    """Remove candidate ``j`` from a state that supports removal (sum aggregates, coverage)."""
    if kind == K.KIND_COVERAGE:
        for p in range(indptr[j], indptr[j + 1]):
            u = indices[p]
            counts[u] -= 1
            if counts[u] == 0:
                cur[u] = w[u]
    elif kind == K.KIND_QUAD_CSR:
        for p in range(indptr[j], indptr[j + 1]):
            cur[indices[p]] -= data[p]
    elif kind == K.KIND_QUAD_DENSE:
        for u in range(dense.shape[1]):
            cur[u] -= dense[j, u]
    elif kind == K.KIND_DENSE or kind == K.KIND_MIX_DENSE:
        for u in range(cur.shape[0]):
            cur[u] = max(cur[u] - dense[j, u], 0.0)
    else:  # CSR / MIX_CSR with sum aggregation (mixtures: only when no column takes a max)
        for p in range(indptr[j], indptr[j + 1]):
            u = indices[p]
            cur[u] = max(cur[u] - data[p], 0.0)


@njit(cache=True, nogil=True)
def _readd(kind, agg, indptr, indices, data, dense, cur, counts, j):
    if kind == K.KIND_COVERAGE:
        for p in range(indptr[j], indptr[j + 1]):
            counts[indices[p]] += 1
    commit(kind, agg, indptr, indices, data, dense, cur, j)


@njit(cache=True, nogil=True)
def double_greedy_kernel(
    kind, agg, phi, indptr, indices, data, dense, w, b, cur_x, cur_y, counts, n, costs,
    randomized, uniforms, sel_out, gain_out,
):
    """Double greedy over candidates ``0..n-1`` in index order.

    ``cur_x`` is the state of the empty set, ``cur_y`` (and ``counts`` for coverage) the
    state of the full ground set. ``a = f(X + i) - f(X)``, ``b = f(Y - i) - f(Y)``; i joins
    X with probability ``a+ / (a+ + b+)`` (1 when both are 0), or when ``a >= b``
    (deterministic); otherwise it leaves Y. Returns ``(n_selected, value, evaluations)``.
    """
    n_sel = 0
    value = 0.0
    for i in range(n):
        a = gain(kind, agg, phi, indptr, indices, data, dense, w, b, cur_x, i) - costs[i]
        _remove(kind, indptr, indices, data, dense, w, cur_y, counts, i)
        bb = -(gain(kind, agg, phi, indptr, indices, data, dense, w, b, cur_y, i) - costs[i])
        if randomized:
            ap = max(a, 0.0)
            bp = max(bb, 0.0)
            take = True if ap + bp <= 0.0 else uniforms[i] * (ap + bp) < ap
        else:
            take = a >= bb
        if take:
            commit(kind, agg, indptr, indices, data, dense, cur_x, i)
            _readd(kind, agg, indptr, indices, data, dense, cur_y, counts, i)
            sel_out[n_sel] = i
            gain_out[n_sel] = a
            n_sel += 1
            value += a
    return n_sel, value, 2 * n


@njit(cache=True, nogil=True)
def distorted_greedy_kernel(
    kind, agg, phi, indptr, indices, data, dense, w, b, cur, n, costs, k, sel_out, gain_out
):
    """Distorted greedy: step i adds the best ``(1 - 1/k)^(k-i-1) gain - cost`` if positive.

    Ties go to the smallest index. Returns ``(n_selected, g(S) - c(S), evaluations)``.
    """
    alive = np.ones(n, dtype=np.bool_)
    n_sel = 0
    value = 0.0
    evals = 0
    for i in range(k):
        factor = (1.0 - 1.0 / k) ** (k - i - 1)
        best = -1
        best_score = 0.0
        best_gain = 0.0
        for j in range(n):
            if not alive[j]:
                continue
            g = gain(kind, agg, phi, indptr, indices, data, dense, w, b, cur, j)
            evals += 1
            score = factor * g - costs[j]
            if score > best_score:
                best = j
                best_score = score
                best_gain = g
        if best < 0:
            continue
        commit(kind, agg, indptr, indices, data, dense, cur, best)
        alive[best] = False
        sel_out[n_sel] = best
        gain_out[n_sel] = best_gain - costs[best]
        n_sel += 1
        value += best_gain - costs[best]
    return n_sel, value, evals


# --------------------------------------------------------------------------- helpers


def certified_nonnegative(objective: Objective) -> bool:
    """Whether ``f(S) >= 0`` for every S is certified by a cheap sufficient condition.

    An objective may declare it with a boolean attribute ``nonnegative``. Aggregate
    kinds and coverage: always (non-negative data and weights, ``phi(0) = 0``). Quadratic
    kinds: ``w[j] - b[j]/2 * sum_{i != j} M[i, j] >= 0`` for every j (for graph cut on a
    symmetric similarity: ``lam <= 1``).
    """
    declared = getattr(objective, "nonnegative", None)
    if declared is not None:
        return bool(declared)
    if objective.kind == K.KIND_LOGDET:  # a sum of log residual variances: >= 0 when each is >= 1
        return bool(objective.monotone)
    if objective.kind in (K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR):
        if objective.kind == K.KIND_QUAD_DENSE:
            M = objective.dense
            others = M.sum(axis=0) - np.diag(M)
        else:
            import scipy.sparse as sp

            M = sp.csr_matrix((objective.data, objective.indices, objective.indptr), shape=objective.shape)
            others = np.asarray(M.sum(axis=0)).ravel() - M.diagonal()
        worst = objective.w - objective.b * others / 2.0
        scale = max(1.0, float(np.abs(objective.w).max(initial=0.0)))
        return bool(np.all(worst >= -1e-12 * scale))
    return True


def supports_removal(objective: Objective) -> bool:
    """Whether the state supports removing an element (what double greedy needs)."""
    if objective.kind in (K.KIND_COVERAGE, K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR):
        return True
    if objective.kind in (K.KIND_DENSE, K.KIND_CSR):
        return objective.agg == K.AGG_SUM
    if objective.kind in _MIX_KINDS:
        return bool(getattr(objective, "sum_only", False))
    return False


def _check(objective, costs):
    if not isinstance(objective, Objective):
        raise InvalidParameterError("objective", objective, "a submodkit Objective")
    n = objective.n
    c = np.zeros(n) if costs is None else check_vector("costs", costs, n)
    return n, c


def _solution(name, sel, gains, n_sel, value, evals, gtee, start, n, objective, costs) -> Solution:
    sel, gains = sel[:n_sel].copy(), gains[:n_sel].copy()
    if objective.kind in (K.KIND_QUAD_DENSE, K.KIND_QUAD_CSR) or n_sel:
        value = float(objective.evaluate(sel)) - float(costs[sel].sum())
    stats = {"evaluations": int(evals), "seconds": time.perf_counter() - start, "n": n}
    return Solution(selection=sel, gains=gains, value=float(value), algorithm=name, guarantee=gtee,
                    stats=stats)


# --------------------------------------------------------------------------- public


def random_greedy(objective: Objective, k: int, *, costs=None, seed: int | None = None) -> Solution:
    """Random greedy (Buchbinder, Feldman, Naor, Schwartz, SODA 2014), at most k elements.

    Guarantee: ``E[f(S)] >= f(O) / e`` for a non-negative submodular f (and
    ``1 - 1/e`` in expectation when f is monotone), reported only when non-negativity is
    certified (:func:`certified_nonnegative`) and no costs are given. Complexity: k passes
    over the remaining candidates, O(nk) gain evaluations plus O(k n log n) sorting.
    Deterministic for a given seed.

    Parameters
    ----------
    objective : Objective
        A submodular set function (need not be monotone).
    k : int
        At most ``k`` elements.
    costs : array_like of float, optional
        Maximize ``f(S) - c(S)`` instead (no guarantee is then reported).
    seed : int, optional, keyword-only
        The random choices among the ``k`` best candidates.

    Returns
    -------
    Solution
        Selection, gains, value and the guarantee when it applies.

    Examples
    --------
    >>> import numpy as np
    >>> from submodkit import GraphCut
    >>> f = GraphCut(np.ones((4, 4)) - np.eye(4), lam=1.0)
    >>> random_greedy(f, 2, seed=0).value > 0
    True

    References
    ----------
    .. [1] Buchbinder, Feldman, Naor, Schwartz, "Submodular maximization with cardinality
       constraints", SODA 2014.
    """
    start = time.perf_counter()
    n, c = _check(objective, costs)
    k = check_int("k", k)
    uniforms = make_rng(seed).random(max(k, 1))
    kmax = min(k, n)
    objective.check_capacity(kmax)
    sel = np.empty(kmax, dtype=np.int64)
    gains = np.empty(kmax, dtype=np.float64)
    n_sel, value, evals = random_greedy_kernel(
        *objective.kernel_args(), objective.new_state(), n, c, k, uniforms, sel, gains
    )
    gtee = None
    if objective.submodular and costs is None and certified_nonnegative(objective):
        gtee = guarantee("random-greedy", monotone=objective.monotone)
    return _solution("random-greedy", sel, gains, n_sel, value, evals, gtee, start, n, objective, c)


def double_greedy(
    objective: Objective, *, costs=None, deterministic: bool = False, seed: int | None = None
) -> Solution:
    """Double greedy (Buchbinder, Feldman, Naor, Schwartz, FOCS 2012): unconstrained.

    Guarantee: ``E[f(S)] >= f(O) / 2`` (randomized) or ``f(S) >= f(O) / 3``
    (``deterministic=True``) for a non-negative submodular f, reported only when
    non-negativity is certified and no costs are given. Complexity: 2n gain evaluations
    and one pass of commits. Needs a state that supports removal: sum aggregates
    (feature-based, saturated and probabilistic coverage), coverage, quadratic kinds
    (graph cut); facility location (max) is refused (it is monotone: take every point).

    Parameters
    ----------
    objective : Objective
        A submodular set function (need not be monotone), with a removable state.
    costs : array_like of float, optional
        Maximize ``f(S) - c(S)`` instead (no guarantee is then reported).
    deterministic : bool, default False
        The deterministic 1/3 variant instead of the randomized 1/2.
    seed : int, optional, keyword-only
        The randomized variant's coin flips.

    Returns
    -------
    Solution
        Selection, value and the guarantee when it applies.

    Examples
    --------
    >>> import numpy as np
    >>> from submodkit import GraphCut
    >>> f = GraphCut(np.ones((4, 4)) - np.eye(4), lam=1.0)
    >>> len(double_greedy(f, deterministic=True).selection)
    2

    References
    ----------
    .. [1] Buchbinder, Feldman, Naor, Schwartz, "A tight linear time (1/2)-approximation
       for unconstrained submodular maximization", FOCS 2012.
    """
    start = time.perf_counter()
    n, c = _check(objective, costs)
    if not supports_removal(objective):
        raise InvalidParameterError(
            "objective", objective,
            "an objective whose state supports removal (sum aggregates, coverage, graph cut) "
            "for double greedy",
        )
    args = objective.kernel_args()
    kind, agg = objective.kind, objective.agg
    cur_y = objective.new_state()
    counts = np.zeros(objective.state_size, dtype=np.int64)
    for j in range(n):
        _readd(kind, agg, objective.indptr, objective.indices, objective.data, objective.dense,
               cur_y, counts, j)
    uniforms = make_rng(seed).random(n)
    sel = np.empty(n, dtype=np.int64)
    gains = np.empty(n, dtype=np.float64)
    n_sel, value, evals = double_greedy_kernel(
        *args, objective.new_state(), cur_y, counts, n, c, not deterministic, uniforms, sel, gains
    )
    name = "double-greedy-deterministic" if deterministic else "double-greedy"
    gtee = None
    if objective.submodular and costs is None and certified_nonnegative(objective):
        gtee = guarantee(name)
    return _solution(name, sel, gains, n_sel, value, evals, gtee, start, n, objective, c)


def distorted_greedy(objective: Objective, costs, k: int | None = None) -> Solution:
    """Distorted greedy (Harshaw, Feldman, Ward, Karbasi, ICML 2019) for ``g(S) - c(S)``.

    ``g`` is the objective (monotone submodular, non-negative), ``c`` the non-negative
    modular ``costs``; at most ``k`` elements (every size when k is None). Guarantee:
    ``g(S) - c(S) >= (1 - 1/e) g(O) - c(O)`` for every O with ``|O| <= k``: reported as
    the ratio ``1 - 1/e`` on ``g`` (``Solution.value`` is ``g(S) - c(S)``), only when g
    is monotone. Complexity: O(nk) gain evaluations.

    Parameters
    ----------
    objective : Objective
        ``g``: monotone submodular, non-negative.
    costs : array_like of float, shape (n,)
        The non-negative modular costs ``c``.
    k : int, optional
        At most ``k`` elements (None: any number).

    Returns
    -------
    Solution
        Selection and ``value = g(S) - c(S)``; the guarantee on ``g`` when ``g`` is monotone.

    Examples
    --------
    >>> from submodkit import Coverage
    >>> distorted_greedy(Coverage([[0, 1, 2], [2, 3], [3]]), [1.0, 1.5, 0.5], k=2).value
    2.5

    References
    ----------
    .. [1] Harshaw, Feldman, Ward, Karbasi, "Submodular maximization beyond non-negativity:
       guarantees, fast algorithms, and applications", ICML 2019.
    """
    start = time.perf_counter()
    n, c = _check(objective, costs if costs is not None else np.zeros(objective.n))
    k = n if k is None else check_int("k", k)
    kk = min(k, n)
    objective.check_capacity(kk)
    sel = np.empty(kk, dtype=np.int64)
    gains = np.empty(kk, dtype=np.float64)
    n_sel = value = evals = 0
    if kk > 0:
        n_sel, value, evals = distorted_greedy_kernel(
            *objective.kernel_args(), objective.new_state(), n, c, kk, sel, gains
        )
    gtee: Guarantee | None = None
    if objective.monotone and objective.submodular:
        gtee = guarantee("distorted-greedy")
    return _solution("distorted-greedy", sel, gains, n_sel, value, evals, gtee, start, n, objective, c)
