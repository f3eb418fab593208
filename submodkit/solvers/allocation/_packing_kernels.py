"""Numba kernel of dual mirror descent for online packing (several resources per action).

:func:`dmd_packing` processes the arrival stream once: per arrival it scores every action
``r / vscale - sum_j theta_j c_j / cs_j``, takes the best positive one when it fits the
remaining budgets, and moves the duals by a dense mirror-descent step with the weighted
Euclidean reference function ``sum_j rho_j theta_j^2 / 2`` (rho_j = B_j / (T cs_j)),
followed by the projection onto the dual domain D of the regularizer (Balseiro, Lu,
Mirrokni, ICML 2021): the orthant ``theta >= 0`` without regularizer, and
``sum_j rho_j min(theta_j, 0) >= -lam`` for the max-min fairness regularizer.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def project_maxmin(theta, rho, lam):
    """Weighted projection onto ``{theta : sum_j rho_j min(theta_j, 0) >= -lam}`` in place.

    Minimizes ``sum_j rho_j (x_j - theta_j)^2``: coordinates >= 0 stay; the negative ones
    become ``min(0, theta_j + tau)`` with the smallest tau >= 0 meeting the constraint.
    """
    m = theta.size
    s = 0.0
    for j in range(m):
        if theta[j] < 0.0:
            s += rho[j] * theta[j]
    if s >= -lam:
        return
    if lam <= 0.0:
        for j in range(m):
            if theta[j] < 0.0:
                theta[j] = 0.0
        return
    neg = np.empty(m)
    n = 0
    for j in range(m):
        if theta[j] < 0.0:
            neg[n] = -theta[j]
            n += 1
    idx = np.argsort(neg[:n])
    # f(tau) = -sum_{j: -theta_j > tau} rho_j (-theta_j - tau), increasing in tau
    wsum = 0.0  # sum of rho over coordinates still negative at tau
    vsum = 0.0  # sum of rho_j * (-theta_j) over them
    order = np.empty(n, dtype=np.int64)
    k = 0
    for j in range(m):
        if theta[j] < 0.0:
            order[k] = j
            k += 1
    for i in range(n):
        j = order[i]
        wsum += rho[j]
        vsum += rho[j] * (-theta[j])
    tau = 0.0
    for i in range(n):  # breakpoints in increasing -theta
        j = order[idx[i]]
        # candidate tau with the current active set: vsum - tau * wsum = lam
        cand = (vsum - lam) / wsum
        if cand <= -theta[j]:
            tau = cand
            break
        wsum -= rho[j]
        vsum -= rho[j] * (-theta[j])
        tau = -theta[j]
    for j in range(m):
        if theta[j] < 0.0:
            theta[j] = min(0.0, theta[j] + tau)


@njit(cache=True, nogil=True)
def dmd_packing(order, action_ptr, rewards, cons_ptr, cons_idx, cons_val, budgets, cs, eta, lam, vscale,
                theta):
    """Run DMD over ``order`` (arrival rows); returns (action index or -1 per position, used budgets).

    ``theta``: initial duals (modified in place); ``lam``: max-min fairness weight in units
    of vscale (0: no regularizer, projection onto theta >= 0).
    """
    n = order.size
    m = budgets.size
    horizon = float(n)
    rho = np.empty(m)
    for j in range(m):
        rho[j] = budgets[j] / (horizon * cs[j])
    rem = budgets.copy()
    choice = np.full(n, -1, dtype=np.int64)
    for p in range(n):
        row = order[p]
        best = -1
        best_score = 0.0
        for k in range(action_ptr[row], action_ptr[row + 1]):
            s = rewards[k] / vscale
            for e in range(cons_ptr[k], cons_ptr[k + 1]):
                s -= theta[cons_idx[e]] * cons_val[e] / cs[cons_idx[e]]
            if s > best_score:
                best_score = s
                best = k
        # dual step: g_j = rho_j - c_j / cs_j (a*(theta) = rho on D), weighted by 1 / rho_j
        for j in range(m):
            theta[j] -= eta
        if best >= 0:
            fits = True
            for e in range(cons_ptr[best], cons_ptr[best + 1]):
                j = cons_idx[e]
                theta[j] += eta * cons_val[e] / (cs[j] * rho[j])
                if cons_val[e] > rem[j] + 1e-12:
                    fits = False
            if fits:
                choice[p] = best
                for e in range(cons_ptr[best], cons_ptr[best + 1]):
                    rem[cons_idx[e]] -= cons_val[e]
        project_maxmin(theta, rho, lam)
    used = budgets - rem
    return choice, used
