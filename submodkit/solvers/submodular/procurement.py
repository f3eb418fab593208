"""Procurement auctions on a submodular value: a buyer with value f(S) for the items of sellers
S buys from sellers with private costs, maximizing f(S) - c(S) through a mechanism that is
truthful, individually rational and never pays more than f(S) (after Deng, Karbasi,
Mirrokni, Paes Leme, Velegkas, Zuo, 2024).

Both mechanisms here offer each seller one take-it-or-leave-it price, half its marginal value
to what the buyer holds when the offer is made; a seller accepts exactly when its bid is at
most the price. The price does not depend on the seller's own bid, so bidding the true cost
is a dominant strategy; an accepting seller is paid the price (at least its bid); the buyer
pays half of f(S) in all. For monotone submodular f and any order of offers,
``f(S) - c(S) >= f(O) / 2 - c(O)`` for every set O: a seller o left out had ``f(o | S) <
2 c_o`` when offered (or no positive marginal value at the end), so ``f(O) <= f(S) + 2 c(O)``,
and every accepted seller costs at most half of what it added, ``c(S) <= f(S) / 2``.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from submodkit._validation import check_vector
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.objectives.base import Objective
from submodkit.objectives.kernels import commit, gain
from submodkit.results import Solution


@dataclass(kw_only=True)
class Procurement(Solution):
    """The outcome of a procurement auction: ``selection`` (the sellers bought from, in the
    order they accepted), ``payments`` (what each of them is paid), ``value`` the welfare
    ``f(S) - bids(S)`` (with truthful bids, the true welfare); ``stats`` with ``f`` (f(S)),
    ``paid`` (the payments' sum), ``surplus`` (``f(S) - paid``, the buyer's utility) and
    ``offers`` (sellers offered a price).

    Examples
    --------
    >>> p = Procurement(selection=np.array([1]), payments=np.array([2.0]), value=3.0, algorithm="x")
    >>> p.to_dict()["payments"]
    [2.0]
    """

    payments: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def _payload(self) -> dict[str, Any]:
        return {**super()._payload(), "payments": self.payments.tolist()}


class _Buyer:
    """What the buyer holds: the objective's state, the accepted sellers and their prices."""

    def __init__(self, objective: Objective, bids: np.ndarray):
        self.args = objective.kernel_args()
        self.cur = objective.new_state()
        self.bids = bids
        self.chosen: list[int] = []
        self.prices: list[float] = []
        self.offers = 0

    def gain(self, seller: int) -> float:
        return float(gain(*self.args, self.cur, seller))

    def offer(self, seller: int, value: float) -> None:
        """Offer half of ``value`` (the seller's marginal value now); the seller accepts when its
        bid is at most that."""
        self.offers += 1
        price = value / 2.0
        if self.bids[seller] <= price:
            a = self.args
            commit(a[0], a[1], a[3], a[4], a[5], a[6], self.cur, seller)
            self.chosen.append(seller)
            self.prices.append(price)


def _descending(objective: Objective, bids: np.ndarray, arrival: np.ndarray | None) -> _Buyer:
    """Offers in decreasing marginal value (ties: lowest index), the seller who adds the most
    first; marginal values only fall as the buyer holds more, so a stale value is an upper
    bound and only the top seller's is recomputed (lazy evaluation, Minoux)."""
    buyer = _Buyer(objective, bids)
    heap = [(-g, i) for i, g in enumerate(objective.gains((), np.arange(objective.n)).tolist()) if g > 0]
    heapq.heapify(heap)
    while heap:
        _, seller = heapq.heappop(heap)
        g = buyer.gain(seller)
        if g <= 0:
            continue
        if heap and (-g, seller) > heap[0]:  # someone may add more now: look again
            heapq.heappush(heap, (-g, seller))
            continue
        buyer.offer(seller, g)
    return buyer


def _posted_price(objective: Objective, bids: np.ndarray, arrival: np.ndarray | None) -> _Buyer:
    """Offers in the order the sellers arrive (adversarial: any order)."""
    buyer = _Buyer(objective, bids)
    for seller in (np.arange(objective.n) if arrival is None else arrival).tolist():
        g = buyer.gain(seller)
        if g > 0:
            buyer.offer(seller, g)
    return buyer


MECHANISMS = {"descending": _descending, "posted-price": _posted_price}


def procurement_auction(objective: Objective, bids, *, algorithm: str = "descending",
                        order=None) -> Procurement:
    """Buy from sellers with private costs to maximize ``f(S) - c(S)``, truthfully.

    Each seller is offered once a price of half its marginal value ``f(i | S) / 2`` to what
    the buyer holds at that moment and accepts when its bid is at most the price.
    ``"descending"`` asks the seller of largest marginal value first (offline: every bid is
    in hand); ``"posted-price"`` asks the sellers in their arrival ``order`` (online, any
    order). Either way: truthful bidding is a dominant strategy (a seller's price does not
    depend on its bid), individually rational (an accepting seller is paid at least its bid),
    the buyer's surplus ``f(S) - payments = f(S) / 2 >= 0``, and for monotone submodular f
    ``f(S) - c(S) >= f(O) / 2 - c(O)`` for every set O (the module docstring has the proof):
    the bicriteria (1/2, 1) guarantee. The 2024 paper was reachable by its abstract only;
    these mechanisms are reconstructed from it, with the guarantee proved here.

    Parameters
    ----------
    objective : Objective
        The buyer's value, monotone submodular (others get no guarantee).
    bids : array_like of float, shape (n,)
        Each seller's reported cost (non-negative).
    algorithm : {"descending", "posted-price"}, default "descending"
    order : array_like of int, optional
        ``"posted-price"``: the arrival order (a permutation of the sellers; by index when
        None).

    Returns
    -------
    Procurement
        ``selection``, ``payments``, ``value = f(S) - bids(S)``; ``guarantee`` (ratio 1/2 on
        ``f(O) - 2 c(O)``); ``stats`` with ``f``, ``paid``, ``surplus``, ``offers``.

    Raises
    ------
    InvalidParameterError
        Negative or non-finite bids, an order that is not a permutation, an unknown
        algorithm.

    Examples
    --------
    >>> from submodkit import Coverage
    >>> f = Coverage([[0, 1, 2, 3], [3, 4], [5]])
    >>> sol = procurement_auction(f, [1.0, 1.5, 0.4])
    >>> sol.selection.tolist(), sol.payments.tolist(), round(sol.value, 6), sol.stats["surplus"]
    ([0, 2], [2.0, 0.5], 3.6, 2.5)

    References
    ----------
    .. [1] Deng, Karbasi, Mirrokni, Paes Leme, Velegkas, Zuo, "Procurement auctions via
       approximately optimal submodular optimization", 2024.
    .. [2] Harshaw, Feldman, Ward, Karbasi, "Submodular maximization beyond non-negativity:
       guarantees, fast algorithms, and applications", ICML 2019 (f - c, non-truthful).
    """
    start = time.perf_counter()
    if not isinstance(objective, Objective):
        raise InvalidParameterError("objective", objective, "a submodkit Objective")
    if algorithm not in MECHANISMS:
        raise InvalidParameterError("algorithm", algorithm, "one of " + ", ".join(map(repr, MECHANISMS)))
    n = objective.n
    b = check_vector("bids", bids, n)
    if n and b.min() < 0:
        raise InvalidParameterError("bids", float(b.min()), "non-negative bids")
    arrival = None
    if order is not None:
        arrival = np.asarray(order, dtype=np.int64)
        if arrival.shape != (n,) or not np.array_equal(np.sort(arrival), np.arange(n)):
            raise InvalidParameterError("order", f"shape {arrival.shape}",
                                        f"a permutation of the {n} sellers")
    objective.check_capacity(n, "the sellers")
    buyer = MECHANISMS[algorithm](objective, b, arrival)
    sel = np.asarray(buyer.chosen, dtype=np.int64)
    prices, offers = buyer.prices, buyer.offers
    f_value = float(objective.evaluate(sel))
    paid = float(np.sum(prices))
    gtee = guarantee("procurement") if objective.monotone and objective.submodular else None
    return Procurement(
        selection=sel, payments=np.asarray(prices, dtype=np.float64), value=f_value - float(b[sel].sum()),
        algorithm=algorithm, guarantee=gtee,
        stats={"f": f_value, "paid": paid, "surplus": f_value - paid, "offers": offers,
               "seconds": time.perf_counter() - start, "n": n},
    )


def seller_utility(objective: Objective, bids, seller: int, cost: float, *, algorithm: str = "descending",
                   order=None) -> float:
    """What ``seller`` with true ``cost`` gains from the auction run on ``bids`` (its payment
    minus its cost if bought from, else 0): the quantity truthfulness is about.

    Examples
    --------
    >>> from submodkit import Coverage
    >>> f = Coverage([[0, 1, 2, 3], [3, 4], [5]])
    >>> seller_utility(f, [1.0, 1.5, 0.4], 0, 1.0)
    1.0
    """
    sol = procurement_auction(objective, bids, algorithm=algorithm, order=order)
    hit = np.flatnonzero(sol.selection == seller)
    return float(sol.payments[hit[0]] - cost) if hit.size else 0.0
