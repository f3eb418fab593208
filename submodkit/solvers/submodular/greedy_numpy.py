"""Batched lazy greedy in numpy: the small-instance path of :func:`submodkit.maximize`.

Lazy greedy (Minoux 1978) keeps an upper bound (a stale gain) per candidate. This version
refreshes the bounds in batches: each step takes the ``batch`` largest stale keys, evaluates
their true gains in one vectorized call (:mod:`submodkit.objectives.numpy_kernels`), and
accepts the candidate of largest key (ties: smallest index) as soon as that key is fresh.
A fresh key is a true gain and every other key an upper bound on one (submodularity), so
the accepted candidate is exactly the one naive greedy picks, with the same tie rule as
the Numba kernels of :mod:`submodkit.solvers.submodular._kernels`: the selections are the
same, the gains equal up to floating-point summation order. Cardinality constraint only.

It never imports Numba: a cold process runs a small instance in milliseconds instead of
paying Numba's ~0.3 s start-up.
"""

from __future__ import annotations

import numpy as np

from submodkit.objectives import numpy_kernels as NK

_TIE = 1e-9  # keys within this relative distance of the best fresh gain are re-evaluated
SMALL_STEP_WORK = 1 << 16  # below this many stored entries per step, refresh every stale key


def lazy_greedy_numpy(
    args: tuple,
    cur: np.ndarray,
    candidates: np.ndarray,
    k: int,
    init_gains: np.ndarray,
    bounds_out: np.ndarray,
    *,
    naive: bool = False,
    batch: int = 8,
    monotone_submodular: bool = False,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Greedy over ``candidates`` for ``k`` steps from the state ``cur`` (updated in place).

    ``init_gains[j]`` is the gain of j in the initial state. With ``naive=True`` every live
    candidate is re-evaluated at each step (classic greedy). On return ``bounds_out[j]``
    holds the last key of each candidate not selected (an upper bound on its final gain).
    Returns ``(selection, gains, evaluations after the initial ones)``.

    ``monotone_submodular``: every gain is >= 0 and a stale key bounds the fresh gain, so
    when the best fresh gain is 0, a candidate whose stale key is 0 has gain exactly 0 and
    ties without being evaluated (a saturated objective, as FLMI once the query is covered,
    otherwise refreshes every candidate at every step).
    """
    n = init_gains.shape[0]
    dense, indptr = args[6], args[3]
    per_row = dense.shape[1] if dense.size else max(1, int(indptr[-1]) // max(n, 1))
    if naive or candidates.shape[0] * per_row <= SMALL_STEP_WORK:
        return _all_fresh(args, cur, candidates, k, init_gains, bounds_out, monotone_submodular)
    keys = np.full(n, -np.inf)
    keys[candidates] = init_gains[candidates]
    alive = np.zeros(n, dtype=np.bool_)
    alive[candidates] = True
    n_alive = int(candidates.shape[0])
    stamp = np.full(n, -1, dtype=np.int64)
    stamp[candidates] = 0  # initial gains are fresh at step 0
    steps = min(k, n_alive)
    sel = np.empty(steps, dtype=np.int64)
    gains = np.empty(steps, dtype=np.float64)
    evals = 0
    b = max(1, batch)
    unit = NK.unit_weights(args[7])
    # -inf marks the selected (and non-candidates); a live key of -inf (impossible for
    # finite data) would only be reached after every finite key.
    for step in range(steps):
        if monotone_submodular and alive.any() and keys[int(np.argmax(keys))] <= 0.0:
            # Saturated: 0 <= gain <= key <= 0 for every live candidate, so each remaining
            # step takes the smallest live index at gain 0 (the ties rule), unevaluated.
            rest = np.flatnonzero(alive)[: steps - step]
            sel[step:] = rest
            gains[step:] = 0.0
            keys[rest] = -np.inf
            alive[rest] = False
            for j in rest.tolist():
                NK.commit(args, cur, j)
            break
        rounds = 0
        while True:
            top = int(np.argmax(keys))
            if not alive[top]:  # every live key is -inf: take the smallest live index
                top = int(np.flatnonzero(alive)[0])
            if stamp[top] == step:
                # Rounding can make a gain grow by an ulp, so a stale key is not always an
                # upper bound to the last bit: refresh the near-ties before accepting.
                g_top = keys[top]
                near = np.flatnonzero(alive & (stamp != step) & (keys >= g_top - _TIE * max(1.0, abs(g_top))))
                if monotone_submodular and g_top <= 0.0 and near.size:
                    zero = near[keys[near] <= 0.0]  # 0 <= gain <= key = 0: fresh without evaluation
                    keys[zero] = 0.0
                    stamp[zero] = step
                    near = near[keys[near] > 0.0]
                    if zero.size:
                        continue  # the smallest index among the zeros may now be the top
                if near.size == 0:
                    break
                cand = near
            elif naive or b >= n_alive or n_alive * per_row <= SMALL_STEP_WORK:
                cand = np.flatnonzero(alive & (stamp != step))
            else:
                part = np.argpartition(-keys, b)[:b]
                cand = part[alive[part] & (stamp[part] != step)]
                if stamp[top] != step and not (cand == top).any():
                    cand = np.append(cand, top)
            rounds += 1
            if rounds > 1 and not naive:
                b = min(2 * b, 4096)  # stale keys still ahead: take twice as many next round
            g = NK.gains(args, cur, cand, unit)
            keys[cand] = g
            stamp[cand] = step
            evals += int(cand.shape[0])
        if not naive and rounds <= 2:
            b = max(batch, b // 2)
        sel[step] = top
        gains[step] = keys[top]
        keys[top] = -np.inf
        alive[top] = False
        n_alive -= 1
        NK.commit(args, cur, top)
    live = np.flatnonzero(alive)
    bounds_out[live] = keys[live]
    return sel, gains, evals


def _all_fresh(
    args: tuple, cur: np.ndarray, candidates: np.ndarray, k: int, init_gains: np.ndarray,
    bounds_out: np.ndarray, monotone_submodular: bool = False,
) -> tuple[np.ndarray, np.ndarray, int]:
    """`lazy_greedy_numpy` when every step refreshes every live key (naive greedy, or a
    small instance): one gains call per step over the live candidates, then the largest
    (ties: smallest index). Same selections, gains, bounds and evaluation count as the
    batched loop takes in that regime, without its bookkeeping. Once the largest fresh gain
    of a monotone submodular objective is 0, every later gain is 0 too: the steps left take
    the smallest live indices without evaluating."""
    live = candidates
    if live.shape[0] > 1 and not (live[1:] > live[:-1]).all():  # sorted and distinct
        live = np.unique(live)
    live = live.astype(np.int64, copy=False)
    steps = min(k, live.shape[0])
    sel = np.empty(steps, dtype=np.int64)
    gains = np.empty(steps, dtype=np.float64)
    g = init_gains[live]
    unit = NK.unit_weights(args[7])
    evals = 0
    for step in range(steps):
        if step:
            g = NK.gains(args, cur, live, unit)
            evals += live.shape[0]
        t = int(np.argmax(g))
        if monotone_submodular and g[t] <= 0.0:
            rest = live[: steps - step]
            sel[step:], gains[step:] = rest, 0.0
            for j in rest.tolist():
                NK.commit(args, cur, j)
            live, g = live[rest.shape[0]:], g[rest.shape[0]:]
            break
        j = int(live[t])
        sel[step] = j
        gains[step] = g[t]
        NK.commit(args, cur, j)
        keep = live != j
        live, g = live[keep], g[keep]
    bounds_out[live] = g
    return sel, gains, evals
