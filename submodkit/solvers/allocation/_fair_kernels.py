"""Numba kernels of the fair (alpha-fair, Eisenberg-Gale) allocation: proportional response
rounds over the CSR eligibility of the goods, and the certificate (primal value, dual bound).

Layout: good t's eligible buyers are ``indices[indptr[t]:indptr[t+1]]`` with utilities per
unit ``vals`` (> 0); ``x`` holds the amount of good t each entry receives (sum over the row
= ``supply[t]``). Buyers with ``active[a] == 0`` (no eligible good) are left out of both
the objective and the bound.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def utilities(indptr, indices, vals, x, n_buyers):
    """u_a = sum over a's entries of v * x."""
    u = np.zeros(n_buyers)
    for t in range(indptr.size - 1):
        for e in range(indptr[t], indptr[t + 1]):
            u[indices[e]] += vals[e] * x[e]
    return u


@njit(cache=True, nogil=True)
def objective(u, budgets, active, alpha):
    """sum_a B_a log u_a (alpha = 1) or sum_a B_a u_a^(1 - alpha) / (1 - alpha)."""
    total = 0.0
    for a in range(u.size):
        if active[a] == 0:
            continue
        if u[a] <= 0.0:
            return -np.inf
        if alpha == 1.0:
            total += budgets[a] * math.log(u[a])
        else:
            total += budgets[a] * u[a] ** (1.0 - alpha) / (1.0 - alpha)
    return total


@njit(cache=True, nogil=True)
def dual_bound(indptr, indices, vals, supply, budgets, active, alpha, u):
    """An upper bound on the optimum from the prices that support the allocation of utilities
    u: p_t = max_a B_a v_at u_a^(-alpha); beta_a = min_t p_t / v_at; bound = sum_t p_t s_t +
    sum_a h_a(beta_a), h_a(beta) = sup_u (phi_a(u) - beta u). Returns (bound, prices)."""
    n_goods = indptr.size - 1
    prices = np.zeros(n_goods)
    for t in range(n_goods):
        best = 0.0
        for e in range(indptr[t], indptr[t + 1]):
            a = indices[e]
            if u[a] > 0.0:
                m = budgets[a] * vals[e] * u[a] ** (-alpha)
                if m > best:
                    best = m
        prices[t] = best
    beta = np.full(u.size, np.inf)
    for t in range(n_goods):
        for e in range(indptr[t], indptr[t + 1]):
            a = indices[e]
            r = prices[t] / vals[e]
            if r < beta[a]:
                beta[a] = r
    bound = 0.0
    for t in range(n_goods):
        bound += prices[t] * supply[t]
    for a in range(u.size):
        if active[a] == 0:
            continue
        b = beta[a]
        if not b > 0.0 or b == np.inf:
            return np.inf, prices
        if alpha == 1.0:
            bound += budgets[a] * (math.log(budgets[a]) - math.log(b) - 1.0)
        else:
            bound += alpha / (1.0 - alpha) * budgets[a] ** (1.0 / alpha) * b ** (1.0 - 1.0 / alpha)
    return bound, prices


@njit(cache=True, nogil=True)
def respond(indptr, indices, vals, supply, budgets, alpha, eta, x, rounds):
    """``rounds`` proportional-response rounds in place: each good is split in proportion to
    x_e (B_a v_e u_a^(-alpha))^eta (alpha = 1, eta = 1: the proportional response dynamics
    of Zhang 2011, bids B_a v_e x_e / u_a). Returns the last utilities."""
    n_buyers = budgets.size
    u = utilities(indptr, indices, vals, x, n_buyers)
    for _ in range(rounds):
        for t in range(indptr.size - 1):
            lo, hi = indptr[t], indptr[t + 1]
            if hi == lo:
                continue
            total = 0.0
            for e in range(lo, hi):
                a = indices[e]
                w = x[e] * (budgets[a] * vals[e] * u[a] ** (-alpha)) ** eta if u[a] > 0.0 else 0.0
                x[e] = w
                total += w
            if total > 0.0:
                scale = supply[t] / total
                for e in range(lo, hi):
                    x[e] *= scale
        u = utilities(indptr, indices, vals, x, n_buyers)
    return u


@njit(cache=True, nogil=True)
def demand(indices, vals, lo, hi, budgets, u, floor, alpha, supply_t, x):
    """Give one good (entries lo..hi-1) to the buyers who would pay most for it at the
    market's utilities u: the largest ``B_a v_at max(u_a, floor)^(-alpha)`` (ties share
    equally); their utilities u grow by what they get. Returns the winning score."""
    best = 0.0
    for e in range(lo, hi):
        a = indices[e]
        m = budgets[a] * vals[e] * max(u[a], floor) ** (-alpha)
        if m > best:
            best = m
    if best <= 0.0:
        return 0.0
    ties = 0
    for e in range(lo, hi):
        a = indices[e]
        if budgets[a] * vals[e] * max(u[a], floor) ** (-alpha) >= best * (1.0 - 1e-12):
            ties += 1
    for e in range(lo, hi):
        a = indices[e]
        if budgets[a] * vals[e] * max(u[a], floor) ** (-alpha) >= best * (1.0 - 1e-12):
            x[e] = supply_t / ties
        else:
            x[e] = 0.0
    for e in range(lo, hi):
        u[indices[e]] += vals[e] * x[e]
    return best


@njit(cache=True, nogil=True)
def arrive(indptr, indices, vals, supply, budgets, alpha, n_goods, start, stop, u, x, paid, x_market):
    """Goods start..stop-1 on arrival (the online re-solving scheme between two re-solves):
    each to the buyers who would pay most at the market's utilities u (:func:`demand`, u
    grows), each winner paying its bid ``B_a v x / u_a`` scaled by the share of goods seen,
    capped at its budget left (``paid``); then the good joins the market split equally among
    its buyers (``x_market``, the next re-solve's start)."""
    top = 0.0  # the largest utility (u only grows between re-solves)
    for a in range(u.shape[0]):
        if u[a] > top:
            top = u[a]
    for t in range(start, stop):
        lo, hi = indptr[t], indptr[t + 1]
        if hi > lo and supply[t] > 0:
            demand(indices, vals, lo, hi, budgets, u, 1e-12 * max(top, 1.0), alpha, supply[t], x)
            for e in range(lo, hi):
                if x[e] > 0:
                    a = indices[e]
                    bid = (t + 1) / n_goods * budgets[a] * vals[e] * x[e] / u[a]
                    paid[a] += min(bid, budgets[a] - paid[a])
                    if u[a] > top:
                        top = u[a]
        for e in range(lo, hi):
            x_market[e] = supply[t] / (hi - lo)
