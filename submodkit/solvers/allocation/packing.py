"""General online packing (Balseiro, Lu, Mirrokni): several resources consumed per decision.

A :class:`PackingInstance` has T arrivals; arrival t offers actions, each with a reward
``r >= 0`` and a consumption vector ``c >= 0`` over m resources with budgets B. Online,
each arrival takes at most one action (or none) and the budgets must hold. The offline
optimum (:func:`packing_optimum`) is the LP

    max sum_k r_k x_k (+ lam * z)  s.t.  sum_{k of t} x_k <= 1,  sum_k c_kj x_k <= B_j,
    (z <= T * sum_k c_kj x_k / B_j for every j),  x, z >= 0,

the last rows for the max-min fairness regularizer ``lam * min_j (used_j / rho_j)``,
rho_j = B_j / T (Balseiro, Lu, Mirrokni, "Regularized online allocation problems:
fairness and beyond", ICML 2021). :func:`dual_mirror_descent` is their dual mirror
descent (Operations Research 2023 without regularizer).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from submodkit._validation import check_choice, check_int, check_real, check_vector, make_rng
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.instances.allocation import AllocationInstance
from submodkit.results import Guarantee, _num, result_dict
from submodkit.solvers.allocation import _packing_kernels as K
from submodkit.solvers.allocation.offline import AllocationOptimum
from submodkit.solvers.allocation.online import arrival_rows

REGULARIZERS = (None, "max-min")


def _index_array(name: str, a: Any, size: int | None = None) -> np.ndarray:
    arr = np.ascontiguousarray(a, dtype=np.int64)
    if arr.ndim != 1 or (size is not None and arr.size != size):
        raise InvalidParameterError(name, f"shape {arr.shape}", f"a 1-d array of {size} integers")
    return arr


@dataclass
class PackingInstance:
    """T arrivals, each with its actions (reward and sparse consumption vector); m budgets.

    Attributes (CSR-like):
        action_ptr: (T+1,) arrival t's actions are ``action_ptr[t]:action_ptr[t+1]``.
        rewards: (K,) reward of each action, >= 0.
        cons_ptr, cons_idx, cons_val: action k consumes ``cons_val[e]`` of resource
            ``cons_idx[e]`` for e in ``cons_ptr[k]:cons_ptr[k+1]`` (values >= 0).
        budgets: (m,) budgets, > 0.

    Example:
        >>> inst = PackingInstance.from_dense([[3.0, 2.0]], [[[1.0, 1.0], [1.0, 0.0]]], [1.0, 1.0])
        >>> inst.n_arrivals, inst.n_actions, inst.n_resources
        (1, 2, 2)
    """

    action_ptr: Any
    rewards: Any
    cons_ptr: Any
    cons_idx: Any
    cons_val: Any
    budgets: Any
    name: str = "packing"
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.budgets = check_vector("budgets", self.budgets)
        if self.budgets.size == 0 or self.budgets.min() <= 0:
            raise InvalidParameterError("budgets", self.budgets, "a non-empty vector of positive numbers")
        self.action_ptr = _index_array("action_ptr", self.action_ptr)
        self.rewards = check_vector("rewards", self.rewards)
        k = self.rewards.size
        if self.action_ptr.size < 1 or self.action_ptr[0] != 0 or self.action_ptr[-1] != k or np.any(
            np.diff(self.action_ptr) < 0
        ):
            raise InvalidParameterError("action_ptr", "not a CSR pointer", f"0 .. {k}, non-decreasing")
        if np.any(self.rewards < 0):
            raise InvalidParameterError("rewards", "a negative reward", "rewards >= 0")
        self.cons_ptr = _index_array("cons_ptr", self.cons_ptr, k + 1)
        self.cons_val = check_vector("cons_val", self.cons_val)
        self.cons_idx = _index_array("cons_idx", self.cons_idx, self.cons_val.size)
        ptr = self.cons_ptr
        if ptr[0] != 0 or ptr[-1] != self.cons_val.size or np.any(np.diff(ptr) < 0):
            raise InvalidParameterError("cons_ptr", "not a CSR pointer", f"0 .. {self.cons_val.size}")
        if np.any(self.cons_val < 0):
            raise InvalidParameterError("cons_val", "a negative consumption", "consumptions >= 0")
        m = self.budgets.size
        if self.cons_idx.size and (self.cons_idx.min() < 0 or self.cons_idx.max() >= m):
            raise InvalidParameterError("cons_idx", "a resource out of range", f"indices in [0, {m})")

    @classmethod
    def from_dense(cls, rewards: Any, consumption: Any, budgets: Any, **kw) -> PackingInstance:
        """From ``rewards`` (T, K) and ``consumption`` (T, K, m): every arrival has K actions."""
        r = np.asarray(rewards, dtype=np.float64)
        c = np.asarray(consumption, dtype=np.float64)
        if r.ndim != 2 or c.ndim != 3 or c.shape[:2] != r.shape:
            raise InvalidParameterError(
                "consumption", f"shape {c.shape}", f"(T, K, m) with (T, K) = {r.shape} as rewards"
            )
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(c))):
            raise InvalidParameterError("rewards", "NaN or inf", "finite rewards and consumptions")
        t, k, m = c.shape
        flat = sp.csr_matrix(c.reshape(t * k, m))
        return cls(
            np.arange(0, t * k + 1, k), r.ravel(), flat.indptr, flat.indices, flat.data, budgets, **kw
        )

    @classmethod
    def from_allocation(cls, instance: AllocationInstance) -> PackingInstance:
        """One action per eligible advertiser, consuming its consumption on that advertiser only.

        Hard budgets (no free disposal); budget-kind instances consume their bids.
        """
        indptr, indices, vals, cons = instance.arrays()
        budgets = instance.budgets
        if instance.unit_consumption:
            budgets = np.floor(budgets + 1e-9)
            budgets = np.maximum(budgets, 1e-9)
        return cls(
            indptr, vals, np.arange(vals.size + 1), indices, cons, budgets, name=instance.name,
            meta=dict(instance.meta),
        )

    @property
    def n_arrivals(self) -> int:
        return int(self.action_ptr.size - 1)

    @property
    def n_actions(self) -> int:
        return int(self.rewards.size)

    @property
    def n_resources(self) -> int:
        return int(self.budgets.size)

    def consumption_matrix(self) -> sp.csr_matrix:
        """(K, m) consumption of each action."""
        return sp.csr_matrix(
            (self.cons_val, self.cons_idx, self.cons_ptr), shape=(self.n_actions, self.n_resources)
        )

    def objective(self, choice: np.ndarray, regularizer: str | None = None, lam: float = 0.0) -> float:
        """Reward of ``choice`` (action per arrival, -1 none) plus the regularizer; checks feasibility."""
        choice = np.asarray(choice, dtype=np.int64)
        if choice.shape != (self.n_arrivals,):
            raise InvalidParameterError("choice", choice.shape, f"({self.n_arrivals},) action indices")
        rows = np.flatnonzero(choice >= 0)
        ks = choice[rows]
        if np.any((ks < self.action_ptr[rows]) | (ks >= self.action_ptr[rows + 1])):
            raise InvalidParameterError("choice", "an action of another arrival", "arrival t's own actions")
        used = np.asarray(self.consumption_matrix()[ks].sum(axis=0)).ravel() if ks.size else np.zeros(
            self.n_resources
        )
        if np.any(used > self.budgets * (1 + 1e-9) + 1e-9):
            raise InvalidParameterError("choice", "budgets exceeded", "a feasible choice")
        value = float(self.rewards[ks].sum())
        if regularizer == "max-min":
            value += lam * self.n_arrivals * float(np.min(used / self.budgets))
        return value


@dataclass
class PackingSolution:
    """DMD's result: ``value`` (rewards), ``objective`` (rewards + regularizer), ``choice``
    (action index per arrival, -1 none, indexed by instance row for given/random order,
    by stream position for i.i.d.), ``used`` budgets, ``guarantee``, ``stats``."""

    value: float
    objective: float
    choice: np.ndarray
    arrivals: np.ndarray
    used: np.ndarray
    algorithm: str
    guarantee: Guarantee | None
    stats: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return result_dict(self.algorithm, self.value, self.guarantee, self.stats,
                           objective=_num(self.objective), taken=int(np.count_nonzero(self.choice >= 0)))


def _check_regularizer(regularizer: str | None, lam: float) -> float:
    if regularizer not in REGULARIZERS:
        raise InvalidParameterError("regularizer", regularizer, "None or 'max-min'")
    return check_real("lam", lam, minimum=0)


def packing_optimum(
    instance: PackingInstance,
    *,
    regularizer: str | None = None,
    lam: float = 0.0,
    integral: bool = False,
    solver: str | None = None,
    time_limit: float | None = None,
) -> AllocationOptimum:
    """The offline optimum of ``instance``: the packing LP (GLOP / PDLP) or IP (SCIP / CP-SAT).

    With ``regularizer="max-min"`` the objective adds ``lam * min_j (used_j / rho_j)``,
    rho_j = B_j / T, through one variable z and m rows. Complexity: one LP with
    T + m (+ m) rows and K (+ 1) columns. ``duals`` are the budget duals.

    Example:
        >>> cons = [[[1.0, 1.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 0.0]]]
        >>> inst = PackingInstance.from_dense([[3.0, 2.0], [2.0, 0.0]], cons, [1.0, 1.0])
        >>> packing_optimum(inst).value
        3.0
    """
    from ortools.linear_solver.python import model_builder_helper as mbh

    lam = _check_regularizer(regularizer, lam)
    if solver is None:
        solver = "scip" if integral else "glop"
    check_choice("solver", solver, ("glop", "pdlp", "scip", "cp_sat") if integral else ("glop", "pdlp"))
    start = time.perf_counter()
    t, k, m = instance.n_arrivals, instance.n_actions, instance.n_resources
    reg = regularizer == "max-min"
    rows_t = np.repeat(np.arange(t, dtype=np.int64), np.diff(instance.action_ptr))
    cmat = instance.consumption_matrix().T.tocoo()  # (m, K)
    blocks_r = [rows_t, t + cmat.row]
    blocks_c = [np.arange(k), cmat.col]
    blocks_v = [np.ones(k), cmat.data]
    upper = [np.ones(t), instance.budgets.copy()]
    n_var = k
    if reg:
        scale = t / instance.budgets[cmat.row]
        blocks_r += [t + m + cmat.row, t + m + np.arange(m)]
        blocks_c += [cmat.col, np.full(m, k)]
        blocks_v += [-cmat.data * scale, np.ones(m)]
        upper.append(np.zeros(m))
        n_var = k + 1
    mat = sp.csr_matrix(
        (np.concatenate(blocks_v), (np.concatenate(blocks_r), np.concatenate(blocks_c))),
        shape=(t + m + (m if reg else 0), n_var),
    )
    obj = np.concatenate([instance.rewards, [lam] if reg else []])
    ub = np.concatenate(upper)
    model = mbh.ModelBuilderHelper()
    model.fill_model_from_sparse_data(
        np.zeros(n_var), np.concatenate([np.ones(k), [np.inf] if reg else []]), obj,
        np.full(ub.size, -np.inf), ub, mat,
    )
    model.set_maximize(True)
    if integral:
        for i in range(k):
            model.set_var_integrality(i, True)
    ms = mbh.ModelSolverHelper(solver)
    if time_limit is not None:
        ms.set_time_limit_in_seconds(float(check_real("time_limit", time_limit, minimum=0, strict_min=True)))
    ms.solve(model)
    name = ms.status().name if hasattr(ms.status(), "name") else str(ms.status())
    status = {"OPTIMAL": "optimal", "FEASIBLE": "feasible"}.get(name.split(".")[-1], name.lower())
    seconds = time.perf_counter() - start
    if not ms.has_solution():
        return AllocationOptimum(None, status, solver, seconds)
    value = float(ms.objective_value())
    x = np.asarray(ms.variable_values(), dtype=np.float64)
    if integral:
        choice = np.full(t, -1, dtype=np.int64)
        chosen = np.flatnonzero(x[:k] > 0.5)
        choice[rows_t[chosen]] = chosen
        bound = float(ms.best_objective_bound())
        return AllocationOptimum(value, status, solver, seconds, None, x, choice, bound)
    duals = np.abs(np.asarray(ms.dual_values(), dtype=np.float64)[t : t + m])
    return AllocationOptimum(value, status, solver, seconds, duals, x, None, value)


def brute_force_packing(
    instance: PackingInstance, *, regularizer: str | None = None, lam: float = 0.0
) -> float:
    """Best objective over all integral choices (tiny instances: prod (K_t + 1) <= 2^16)."""
    sizes = np.diff(instance.action_ptr) + 1
    if float(np.sum(np.log2(sizes))) > 16.5:
        raise InvalidParameterError("instance", f"{instance.n_arrivals} arrivals", "(K+1)^T <= 2^16")
    best = -np.inf
    for code in range(int(np.prod(sizes))):
        choice = np.empty(instance.n_arrivals, dtype=np.int64)
        c = code
        for i, s in enumerate(sizes):
            j = c % s
            c //= s
            choice[i] = -1 if j == 0 else instance.action_ptr[i] + j - 1
        try:
            best = max(best, instance.objective(choice, regularizer, lam))
        except InvalidParameterError:
            continue
    return float(best)


def dual_mirror_descent(
    instance: PackingInstance,
    *,
    order: str = "given",
    seed: int | None = None,
    eta: float | None = None,
    regularizer: str | None = None,
    lam: float = 0.0,
) -> PackingSolution:
    """Dual mirror descent for online packing, optionally with a max-min fairness regularizer.

    Per arrival: the action maximizing ``r - mu . c`` (none if every score is <= 0), taken
    if it fits the remaining budgets; then a mirror-descent step on the duals mu with the
    subgradient ``a - c`` (a = rho = B / T) and step ``eta / sqrt(T)`` under the weighted
    reference function ``sum_j rho_j mu_j^2 / 2``, and the projection onto the dual domain:
    ``mu >= 0`` (Balseiro, Lu, Mirrokni, "The best of many worlds: dual mirror descent for
    online allocation problems", Operations Research 2023, Algorithm 1) or, for
    ``regularizer="max-min"`` with weight ``lam`` (objective ``sum r + lam * min_j
    (used_j / rho_j)``), ``sum_{j in S} rho_j mu_j >= -lam`` for every S (Balseiro, Lu,
    Mirrokni, ICML 2021, Algorithm 1 with the max-min fairness regularizer; negative
    prices favour under-served resources).

    Guarantee: regret ``O(sqrt T)`` against the (regularized) offline optimum for i.i.d.
    arrivals (``Solution.guarantee`` kind "asymptotic", ratio 0: no finite-T ratio).
    Complexity O(sum of action sizes + m) per arrival (m log m when the fairness
    projection is active). Default eta 0.3 (duals in units of the mean reward).

    Example:
        >>> cons = [[[1.0, 1.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 0.0]]]
        >>> inst = PackingInstance.from_dense([[3.0, 2.0], [2.0, 0.0]], cons, [1.0, 1.0])
        >>> dual_mirror_descent(inst).value
        3.0
    """
    if not isinstance(instance, PackingInstance):
        raise InvalidParameterError("instance", type(instance).__name__, "a PackingInstance")
    lam = _check_regularizer(regularizer, lam)
    check_choice("order", order, ("given", "random", "iid"))
    check_int("seed", seed, allow_none=True)
    eta = 0.3 if eta is None else check_real("eta", eta, minimum=0, strict_min=True)
    start = time.perf_counter()
    t, m = instance.n_arrivals, instance.n_resources
    rows = arrival_rows(order, t, make_rng(seed))
    pos = instance.rewards[instance.rewards > 0]
    vscale = float(pos.mean()) if pos.size else 1.0
    cs = np.ones(m)
    sums = np.bincount(instance.cons_idx, weights=instance.cons_val, minlength=m)
    cnts = np.bincount(instance.cons_idx[instance.cons_val > 0], minlength=m)
    cs[cnts > 0] = sums[cnts > 0] / cnts[cnts > 0]
    theta = np.zeros(m)
    kernel_start = time.perf_counter()
    choice, used = K.dmd_packing(
        rows, instance.action_ptr, instance.rewards, instance.cons_ptr, instance.cons_idx, instance.cons_val,
        instance.budgets, cs, eta / math.sqrt(max(t, 1)), (lam / vscale) if regularizer else 0.0, vscale,
        theta,
    )
    kernel_seconds = time.perf_counter() - kernel_start
    taken = choice[choice >= 0]
    value = float(instance.rewards[taken].sum())
    objective = value
    if regularizer == "max-min":
        objective += lam * t * float(np.min(used / instance.budgets))
    if order == "random":
        out = np.full(t, -1, dtype=np.int64)
        out[rows] = choice
        choice = out
    name = "packing-dmd-regularized" if regularizer else "packing-dmd"
    return PackingSolution(
        value=value,
        objective=objective,
        choice=choice,
        arrivals=rows,
        used=used,
        algorithm="dual-mirror-descent" + (f" ({regularizer}, lam={lam:g})" if regularizer else ""),
        guarantee=guarantee(name),
        stats={
            "seconds": time.perf_counter() - start,
            "kernel_seconds": kernel_seconds,
            "arrivals_per_second": t / kernel_seconds if kernel_seconds > 0 else float("inf"),
            "order": order,
            "seed": seed,
            "eta": eta,
            "final_duals": (theta / cs * vscale).tolist() if m <= 1000 else None,
        },
    )


def random_packing_instance(
    n_arrivals: int,
    n_actions: int,
    n_resources: int,
    *,
    density: float = 0.5,
    load: float = 0.3,
    n_types: int | None = None,
    seed: int | None = None,
) -> PackingInstance:
    """Random packing instance: each arrival has ``n_actions`` actions with rewards in (0, 1]
    consuming each resource with probability ``density`` (uniform (0, 1]); budgets ``load``
    times the expected consumption of one action per arrival. With ``n_types``, arrivals
    are i.i.d. draws from that many fixed types (values jittered by +-50%).
    """
    t = check_int("n_arrivals", n_arrivals, minimum=1)
    k = check_int("n_actions", n_actions, minimum=1)
    m = check_int("n_resources", n_resources, minimum=1)
    density = check_real("density", density, minimum=0, maximum=1, strict_min=True)
    load = check_real("load", load, minimum=0, strict_min=True)
    rng = make_rng(seed)
    if n_types is None:
        r = 1.0 - rng.random((t, k))
        c = (1.0 - rng.random((t, k, m))) * (rng.random((t, k, m)) < density)
    else:
        n_types = check_int("n_types", n_types, minimum=1)
        trng = np.random.default_rng(None if seed is None else seed + 7919)
        base_r = 1.0 - trng.random((n_types, k))
        base_c = (1.0 - trng.random((n_types, k, m))) * (trng.random((n_types, k, m)) < density)
        types = rng.integers(0, n_types, size=t)
        r = base_r[types] * rng.uniform(0.5, 1.5, size=(t, k))
        c = base_c[types]
    budgets = np.maximum(1e-3, load * c.mean(axis=(0, 1)) * t)
    return PackingInstance.from_dense(r, c, budgets, name="random-packing")
