"""Categorical feature compression: map a large vocabulary to a few buckets keeping the most
mutual information with a binary label (Bateni, Chen, Esfandiari, Fu, Mirrokni, Rostamizadeh,
ICML 2019).

Sorted by the rate of the positive label, an optimal compression cuts the vocabulary into
intervals (Kurkoski, Yagi 2014); the mutual information of the intervals is a monotone
submodular function of the set of cut points (Bateni et al. 2019), so greedy over cuts is
within 1 - 1/e of the optimum, and a dynamic program over the intervals is exact.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from submodkit._validation import check_int, check_time_limit
from submodkit.errors import InvalidParameterError
from submodkit.guarantees import guarantee
from submodkit.results import Compression
from submodkit.solvers.submodular._compression_kernels import (
    first_layer,
    greedy_cuts,
    interval_cost,
    next_layer,
    partition_cost,
    traced_cuts,
)

LN2 = math.log(2.0)


def label_counts(values, labels, *, sample_weight=None) -> tuple[np.ndarray, np.ndarray]:
    """The vocabulary of a categorical feature and, per category, the (weighted) count of
    each of the two labels.

    Parameters
    ----------
    values : array_like, shape (n_samples,)
        The feature: any sortable values (integers, strings).
    labels : array_like, shape (n_samples,)
        A binary label: two distinct values (booleans, 0/1, two strings); the larger is
        the positive label.
    sample_weight : array_like of float, optional
        A non-negative weight per sample (1 by default).

    Returns
    -------
    categories : ndarray, shape (n,)
        The distinct values, sorted.
    counts : ndarray of float64, shape (n, 2)
        ``counts[i, y]``: the weight of the samples of category i with label y (y = 1 the
        positive label).

    Raises
    ------
    InvalidParameterError
        Arrays of different lengths, more than two labels, or bad weights.

    Examples
    --------
    >>> cats, counts = label_counts(["a", "b", "a", "c"], [1, 0, 0, 1])
    >>> cats.tolist(), counts.tolist()
    (['a', 'b', 'c'], [[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    """
    x = np.asarray(values)
    y = np.asarray(labels)
    if x.ndim != 1 or y.ndim != 1 or x.shape != y.shape:
        raise InvalidParameterError("labels", f"shape {y.shape}", f"one label per value, shape {x.shape}")
    if x.size == 0:
        raise InvalidParameterError("values", "[]", "at least one sample")
    label_set, y_code = np.unique(y, return_inverse=True)
    if label_set.size > 2:
        raise InvalidParameterError("labels", f"{label_set.size} distinct labels",
                                    "a binary label (two distinct values)")
    w = np.ones(x.size)
    if sample_weight is not None:
        w = np.asarray(sample_weight, dtype=np.float64)
        if w.shape != x.shape or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise InvalidParameterError("sample_weight", f"shape {w.shape}",
                                        f"finite non-negative weights, shape {x.shape}")
    categories, x_code = np.unique(x, return_inverse=True)
    n = categories.size
    counts = np.zeros((n, 2))
    counts[:, 0] = np.bincount(x_code, weights=w * (y_code == 0), minlength=n)
    counts[:, 1] = np.bincount(x_code, weights=w * (y_code == 1), minlength=n)
    return categories, counts


def check_counts(counts) -> np.ndarray:
    """A label-count table: finite, non-negative, shape (n, 2), at least one sample."""
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 2 or c.shape[1] != 2 or c.shape[0] == 0:
        raise InvalidParameterError("counts", f"shape {c.shape}",
                                    "shape (n_categories, 2), n_categories >= 1")
    if not np.all(np.isfinite(c)) or np.any(c < 0):
        raise InvalidParameterError("counts", "a negative or non-finite count", "finite non-negative counts")
    if c.sum() <= 0:
        raise InvalidParameterError("counts", "all zero", "at least one sample")
    return np.ascontiguousarray(c)


def sorted_table(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The categories with samples, in increasing rate of the positive label (ties by index),
    their rates, and the prefix sums of their counts, shape (n + 1, 2)."""
    mass = counts.sum(axis=1)
    seen = np.flatnonzero(mass > 0)
    rate = counts[seen, 1] / mass[seen]
    order = seen[np.argsort(rate, kind="stable")]
    cum = np.zeros((order.size + 1, 2))
    np.cumsum(counts[order], axis=0, out=cum[1:])
    return order, counts[order, 1] / mass[order], cum


def mutual_information(counts, buckets) -> float:
    """The mutual information (bits) between the label and a compression of the feature.

    Parameters
    ----------
    counts : array_like, shape (n, 2)
        Label counts per category (see :func:`label_counts`).
    buckets : array_like of int, shape (n,)
        Any map of the categories to buckets (intervals or not).

    Returns
    -------
    float

    Examples
    --------
    >>> round(mutual_information([[5, 0], [0, 5]], [0, 1]), 6)   # the label, exactly
    1.0
    >>> mutual_information([[5, 0], [0, 5]], [0, 0])
    0.0
    """
    c = check_counts(counts)
    b = np.asarray(buckets, dtype=np.int64)
    if b.shape != (c.shape[0],) or (b.size and b.min() < 0):
        raise InvalidParameterError("buckets", f"shape {b.shape}",
                                    f"a non-negative bucket per category, shape ({c.shape[0]},)")
    merged = np.zeros((int(b.max()) + 1, 2))
    np.add.at(merged, b, c)
    return _information(merged)


def _information(table: np.ndarray) -> float:
    """I(bucket; label) in bits for a (buckets, 2) count table."""
    cum = np.zeros((table.shape[0] + 1, 2))
    np.cumsum(table, axis=0, out=cum[1:])
    whole = interval_cost(cum, 0, table.shape[0])
    parts = partition_cost(cum, np.arange(1, table.shape[0], dtype=np.int64))
    return float(max(whole - parts, 0.0) / (cum[-1].sum() * LN2))


def _greedy(cum: np.ndarray, n_buckets: int, deadline: float | None) -> tuple[np.ndarray, np.ndarray, str]:
    cuts, gains = greedy_cuts(cum, min(n_buckets, cum.shape[0] - 1) - 1)  # at most n - 1 cuts
    return cuts, gains, "feasible"


def _exact(cum: np.ndarray, n_buckets: int, deadline: float | None) -> tuple[np.ndarray, np.ndarray, str]:
    """The dynamic program one bucket (layer) at a time, the clock read between layers; at
    the deadline, the better of greedy's cuts and the best partition into the buckets the
    program has reached (``"timeout"``)."""
    n = cum.shape[0] - 1
    m = min(n_buckets, n)
    # with a deadline, greedy's cuts first (O(n log n), a small share of the program): the answer
    # if the program does not finish
    fallback = None if deadline is None else np.sort(greedy_cuts(cum, max(m, 1) - 1)[0])
    prev, cur = np.empty(n + 1), np.empty(n + 1)
    arg = np.zeros((max(m, 1), n + 1), dtype=np.int32)
    stack = np.empty((4 * (n + 2), 4), dtype=np.int64)
    first_layer(cum, prev)
    for j in range(1, m):
        if fallback is not None and time.perf_counter() > deadline:
            reached = traced_cuts(arg, n, j)  # the best partition into j buckets (sorted cuts)
            better = reached if partition_cost(cum, reached) < partition_cost(cum, fallback) else fallback
            return better, np.zeros(0), "timeout"
        next_layer(cum, j, True, prev, cur, arg[j], stack)
        prev, cur = cur, prev
    return traced_cuts(arg, n, m), np.zeros(0), "optimal"


ALGORITHMS: dict[str, tuple[Callable[[np.ndarray, int, float | None], tuple[np.ndarray, np.ndarray, str]],
                            str]] = {
    "greedy": (_greedy, "compression-greedy"),
    "exact": (_exact, "compression-exact"),
}


def compress_counts(counts, n_buckets: int, *, algorithm: str = "greedy", categories=None,
                    time_limit: float | None = None) -> Compression:
    """Compress a categorical feature given its label-count table: map the categories to at
    most ``n_buckets`` buckets keeping the most mutual information with the binary label.

    The categories are sorted by the rate of the positive label; a compression is then a set
    of cut points, and its mutual information is monotone and submodular in that set
    (Bateni et al. 2019). ``"greedy"`` adds the cut of largest gain ``n_buckets - 1`` times
    (each bucket keeps its best cut, so a step rescans only the bucket it splits) and is
    within 1 - 1/e of the optimum; ``"exact"`` is the optimum, by dynamic programming over
    the intervals, filled by divide and conquer (the interval cost satisfies the quadrangle
    inequality, the same inequality as the submodularity): O(n_buckets n log n). That an
    interval partition is optimal among all maps to buckets is Kurkoski and Yagi's theorem
    (binary-input channels); the tests check it against every map on small vocabularies.

    Parameters
    ----------
    counts : array_like, shape (n, 2)
        ``counts[i, y]``: how often category i has label y (see :func:`label_counts`).
    n_buckets : int
        The most buckets to use (>= 1).
    algorithm : {"greedy", "exact"}, default "greedy"
    categories : array_like, optional
        The categories' names (``arange(n)`` by default).
    time_limit : float, optional
        Seconds for ``"exact"`` (greedy takes O(n log n) and ignores it): the program stops
        between two buckets' layers and returns the better of greedy's compression and the
        best one into the buckets reached, with status ``"timeout"``, greedy's guarantee and
        the bound I(feature; label). The program keeps a table of ``n_buckets x n`` int32;
        when that needs more than half of the memory available, ``"exact"`` answers greedy's
        compression with status ``"timeout"`` (``stats["reason"]``) under a time limit, and
        raises without one.

    Returns
    -------
    Compression
        ``buckets`` per category (numbered by increasing positive rate; categories with no
        sample go to the bucket of most samples), ``thresholds``, ``value`` (the mutual
        information in bits), ``upper_bound`` (I(feature; label) for greedy, which no
        compression exceeds; the value itself for the exact optimum), ``guarantee``;
        ``stats``: ``entropy_label`` (bits), ``information_full`` (I(feature; label)),
        ``n_categories``, ``gains`` (bits per cut, in the order chosen), ``seconds``.

    Raises
    ------
    InvalidParameterError
        A malformed count table, ``n_buckets < 1``, an unknown algorithm, or an exact
        program too large for memory without a time limit.

    Examples
    --------
    >>> counts = [[9, 1], [8, 2], [5, 5], [1, 9], [2, 8]]
    >>> sol = compress_counts(counts, 2, algorithm="exact")
    >>> sol.buckets.tolist(), round(sol.value, 4), sol.status
    ([0, 0, 1, 1, 1], 0.2541, 'optimal')

    References
    ----------
    .. [1] Bateni, Chen, Esfandiari, Fu, Mirrokni, Rostamizadeh, "Categorical feature
       compression via submodular optimization", ICML 2019.
    .. [2] Kurkoski, Yagi, "Quantization of binary-input discrete memoryless channels", IEEE
       Trans. Inf. Theory 60(8), 2014.
    .. [3] Iwata, Ozawa, "Quantizer design for outputs of binary-input discrete memoryless
       channels using SMAWK algorithm", ISIT 2014.
    """
    start = time.perf_counter()
    c = check_counts(counts)
    n_buckets = check_int("n_buckets", n_buckets, minimum=1)
    time_limit = check_time_limit(time_limit)
    if algorithm not in ALGORITHMS:
        raise InvalidParameterError("algorithm", algorithm, "one of " + ", ".join(map(repr, ALGORITHMS)))
    names = np.arange(c.shape[0]) if categories is None else np.asarray(categories)
    if names.shape != (c.shape[0],):
        raise InvalidParameterError("categories", f"shape {names.shape}",
                                    f"one name per row, shape ({c.shape[0]},)")
    run, key = ALGORITHMS[algorithm]
    order, rate, cum = sorted_table(c)
    extra = {}
    if algorithm == "exact" and (reason := _exact_too_large(cum.shape[0] - 1, n_buckets)) is not None:
        if time_limit is None:
            raise InvalidParameterError(
                "n_buckets", n_buckets, f"an exact program that fits in memory ({reason}); "
                "algorithm='greedy', or a time limit for greedy's answer")
        (cuts, gains, _), status = _greedy(cum, n_buckets, None), "timeout"
        extra["reason"] = f"exact program not run: {reason}"
    else:
        cuts, gains, status = run(cum, n_buckets, None if time_limit is None else start + time_limit)
    total = float(cum[-1].sum())
    return _compression(c, names, order, rate, cum, np.sort(cuts), algorithm,
                        "compression-greedy" if status == "timeout" else key, start, status=status,
                        gains=(gains / (total * LN2)).tolist(), **extra)


def _exact_too_large(n: int, n_buckets: int) -> str | None:
    """Why the exact program's table of argmins (``min(n_buckets, n) x (n + 1)`` int32) does
    not fit, when it needs more than half of the memory available (None: it fits)."""
    from submodkit.mip.model import available_memory

    need, have = 4.0 * max(min(n_buckets, n), 1) * (n + 1), available_memory()
    if need <= 0.5 * have:
        return None
    return (f"{need / 2**30:.1f} GiB for {n} categories x {min(n_buckets, n)} buckets, "
            f"{have / 2**30:.1f} GiB available")


def compress_categories(values, labels, n_buckets: int, *, algorithm: str = "greedy",
                        sample_weight=None) -> Compression:
    """Compress a categorical feature from its samples: :func:`label_counts`, then
    :func:`compress_counts`.

    Parameters
    ----------
    values : array_like, shape (n_samples,)
        The feature's value per sample.
    labels : array_like, shape (n_samples,)
        The binary label per sample.
    n_buckets : int
    algorithm : {"greedy", "exact"}, default "greedy"
    sample_weight : array_like, optional

    Returns
    -------
    Compression
        As :func:`compress_counts`, with the categories named by their values.

    Examples
    --------
    >>> sol = compress_categories(["a", "a", "b", "b", "c", "c"], [0, 0, 1, 1, 1, 0], 2)
    >>> sol.apply(["a", "b", "c"]).tolist()
    [0, 1, 1]

    References
    ----------
    .. [1] Bateni, Chen, Esfandiari, Fu, Mirrokni, Rostamizadeh, "Categorical feature
       compression via submodular optimization", ICML 2019.
    """
    categories, counts = label_counts(values, labels, sample_weight=sample_weight)
    return compress_counts(counts, n_buckets, algorithm=algorithm, categories=categories)


def _compression(c: np.ndarray, names: np.ndarray, order: np.ndarray, rate: np.ndarray, cum: np.ndarray,
                 cuts: np.ndarray, algorithm: str, key: str | None, start: float, status: str = "feasible",
                 **stats) -> Compression:
    """The answer for sorted-position ``cuts``: buckets, thresholds, value and bounds (the
    value itself bounds the optimum only with status ``"optimal"``)."""
    total = float(cum[-1].sum())
    n_seen = order.size
    whole = interval_cost(cum, 0, n_seen)
    value = max(whole - partition_cost(cum, cuts), 0.0) / (total * LN2)
    full = _information(np.diff(cum, axis=0))  # every category its own bucket: I(feature; label)
    pos_bucket = np.searchsorted(cuts, np.arange(n_seen), side="right")
    buckets = np.empty(c.shape[0], dtype=np.int64)
    sizes = np.bincount(pos_bucket, weights=cum[1:].sum(axis=1) - cum[:-1].sum(axis=1))
    buckets[:] = int(np.argmax(sizes))  # categories with no sample
    buckets[order] = pos_bucket
    exact = status == "optimal"
    return Compression(
        categories=names, buckets=buckets, thresholds=rate[cuts - 1] if cuts.size else np.zeros(0),
        value=value, algorithm=algorithm, guarantee=None if key is None else guarantee(key),
        upper_bound=value if exact else max(full, value), lower_bound=value,
        status=status,
        stats={"entropy_label": _entropy_bits(cum[-1]), "information_full": full,
               "n_categories": int(c.shape[0]), "n_cuts": int(cuts.size),
               "seconds": time.perf_counter() - start, **stats},
    )


def _entropy_bits(total: np.ndarray) -> float:
    p = total / total.sum()
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())
