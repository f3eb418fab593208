"""Whole-page instances: pages arrive online, each with a few slots to fill with ads.

A :class:`PageInstance` holds, per page, the eligible ads and their base values (CSR rows),
the position weights of the slots (ad a in slot s of page i is worth ``v_ia theta_s``), each
ad's capacity (impressions it can keep; free disposal: its best ones), and the per-page
constraints: at most ``per_category`` ads of one category on a page, and pairs of ads that
exclude each other (competitors never shown together).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances._npz import is_csr_structure, load_npz

MAX_ELIGIBLE = 24
"""The most ads one page may list (the page's choice is an exact search over them)."""


@dataclass(frozen=True)
class PageInstance:
    """Pages x ads: base values, slot weights, capacities and per-page constraints.

    Parameters
    ----------
    values : array_like or scipy.sparse matrix, shape (pages, ads)
        ``v_ia > 0`` where ad a is eligible for page i (zero: not eligible); at most
        `MAX_ELIGIBLE` per page.
    slot_weights : array_like, shape (slots,)
        Position weights, positive and non-increasing (slot 0 is the top).
    capacities : array_like of int, shape (ads,)
        Impressions each ad keeps (>= 1).
    categories : array_like of int, shape (ads,), optional
        Each ad's category (default: all different).
    per_category : int, optional
        At most this many ads of one category per page (default: no limit).
    exclusions : array_like of int, shape (m, 2), optional
        Pairs of ads never on the same page.
    name : str, default "pages"

    Examples
    --------
    >>> inst = PageInstance([[3.0, 2.0, 1.0]], slot_weights=[1.0, 0.5], capacities=[1, 1, 1],
    ...                     exclusions=[[0, 1]])
    >>> inst.n_pages, inst.n_ads, inst.n_slots
    (1, 3, 2)

    References
    ----------
    .. [1] Devanur, Huang, Korula, Mirrokni, Yan, "Whole-page optimization and submodular
       welfare maximization with online bidders", EC 2013 (the model).
    """

    values: sp.csr_matrix
    slot_weights: np.ndarray
    capacities: np.ndarray
    categories: np.ndarray | None = None
    per_category: int | None = None
    exclusions: np.ndarray | None = None
    name: str = "pages"

    def __post_init__(self):
        raw = self.values.data if sp.issparse(self.values) else self.values
        if np.iscomplexobj(raw):  # the cast below would drop the imaginary parts silently
            raise InvalidParameterError("values", "complex numbers", "real values")
        v = sp.csr_matrix(self.values, dtype=np.float64)
        merged = v.copy()
        merged.sum_duplicates()
        if merged.nnz != v.nnz:
            raise InvalidParameterError("values", "an ad listed twice on one page",
                                        "each ad at most once per page")
        v.eliminate_zeros()
        v.sort_indices()
        if v.nnz and (not np.all(np.isfinite(v.data)) or v.data.min() < 0):
            raise InvalidParameterError("values", "a matrix", "finite non-negative values")
        widest = int(np.diff(v.indptr).max()) if v.shape[0] else 0
        if widest > MAX_ELIGIBLE:
            raise InvalidParameterError("values", f"a page with {widest} eligible ads",
                                        f"at most {MAX_ELIGIBLE} eligible ads per page")
        theta = np.asarray(self.slot_weights, dtype=np.float64).ravel()
        if theta.size < 1 or not np.all(np.isfinite(theta)) or np.any(theta <= 0) \
                or np.any(np.diff(theta) > 0):
            raise InvalidParameterError("slot_weights", self.slot_weights,
                                        "positive, non-increasing position weights (at least one slot)")
        with np.errstate(over="ignore"):  # the overflow is what is being checked
            top = float(np.sum(v.data)) * float(theta[0])
        if not np.isfinite(top):  # every placement's value is below it
            raise InvalidParameterError("values (total)", top, "values whose total, times the first slot's "
                                        "weight, is finite (below 1.8e308)")
        n_ads = v.shape[1]
        caps = np.asarray(self.capacities, dtype=np.float64)
        if caps.shape != (n_ads,) or not np.all(np.isfinite(caps)) or np.any(caps < 1) \
                or np.any(caps != np.floor(caps)):
            raise InvalidParameterError("capacities", self.capacities, f"{n_ads} integers >= 1")
        # no ad can keep more impressions than the pages have slots: memory follows the pages
        caps = np.minimum(caps, max(1, v.shape[0] * theta.size))
        cats = np.arange(n_ads) if self.categories is None else np.asarray(self.categories, dtype=np.float64)
        if cats.shape != (n_ads,) or not np.all(np.isfinite(cats)) or np.any(cats < 0) \
                or np.any(cats > 2**53) or np.any(cats != np.floor(cats)):
            raise InvalidParameterError("categories", self.categories, f"{n_ads} integers in [0, 2^53]")
        limit = theta.size if self.per_category is None else self.per_category
        if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
            raise InvalidParameterError("per_category", self.per_category, "an integer >= 1")
        pairs = np.zeros((0, 2), dtype=np.int64) if self.exclusions is None else np.asarray(self.exclusions)
        if pairs.size == 0:
            pairs = np.zeros((0, 2), dtype=np.int64)
        if pairs.ndim != 2 or pairs.shape[1] != 2 or np.any(pairs < 0) or np.any(pairs >= n_ads) \
                or np.any(pairs != np.floor(pairs)):
            raise InvalidParameterError("exclusions", self.exclusions, f"pairs of ad indices in [0, {n_ads})")
        object.__setattr__(self, "values", v)
        object.__setattr__(self, "slot_weights", theta)
        object.__setattr__(self, "capacities", caps.astype(np.int64))
        object.__setattr__(self, "categories", cats.astype(np.int64))
        object.__setattr__(self, "per_category", int(limit))
        object.__setattr__(self, "exclusions", pairs.astype(np.int64))

    @property
    def n_pages(self) -> int:
        return int(self.values.shape[0])

    @property
    def n_ads(self) -> int:
        return int(self.values.shape[1])

    @property
    def n_slots(self) -> int:
        return int(self.slot_weights.size)

    def exclusion_keys(self) -> np.ndarray:
        """The excluded pairs as sorted keys ``min(a, b) * n_ads + max(a, b)`` (int64, unique)."""
        lo = np.minimum(self.exclusions[:, 0], self.exclusions[:, 1])
        hi = np.maximum(self.exclusions[:, 0], self.exclusions[:, 1])
        return np.unique(lo * self.n_ads + hi).astype(np.int64)

    def exclusion_matrix(self) -> np.ndarray:
        """Dense (ads x ads) uint8: 1 where two ads exclude each other (small instances)."""
        m = np.zeros((self.n_ads, self.n_ads), dtype=np.uint8)
        m[self.exclusions[:, 0], self.exclusions[:, 1]] = 1
        m[self.exclusions[:, 1], self.exclusions[:, 0]] = 1
        return m


def random_page_instance(n_pages: int, n_ads: int, *, slots: int = 3, eligible: int = 6, categories: int = 4,
                         per_category: int = 1, exclusion_density: float = 0.05, load: float = 0.5,
                         seed: int | None = None) -> PageInstance:
    """Random pages: each lists ``eligible`` ads (uniform) at log-normal values; slot weights
    1, 0.7, 0.49, ...; capacities ``load * pages * slots / ads`` each (at least 1); each ad in
    one of ``categories`` categories; each pair of ads excluded with ``exclusion_density``.

    Examples
    --------
    >>> inst = random_page_instance(50, 10, seed=0)
    >>> inst.n_pages, inst.n_slots, int(inst.values.getnnz(axis=1).max())
    (50, 3, 6)
    """
    rng = np.random.default_rng(seed)
    k = min(eligible, n_ads)
    rows = np.repeat(np.arange(n_pages), k)
    cols = np.concatenate([rng.choice(n_ads, k, replace=False) for _ in range(n_pages)]) if n_pages else \
        np.zeros(0, dtype=np.int64)
    vals = rng.lognormal(0.0, 0.5, size=rows.size)
    values = sp.csr_matrix((vals, (rows, cols)), shape=(n_pages, n_ads))
    caps = np.full(n_ads, max(1, int(round(load * n_pages * slots / n_ads))))
    iu = np.triu_indices(n_ads, 1)
    pick = rng.random(iu[0].size) < exclusion_density
    return PageInstance(values, slot_weights=0.7 ** np.arange(slots), capacities=caps,
                        categories=rng.integers(0, categories, size=n_ads), per_category=per_category,
                        exclusions=np.column_stack([iu[0][pick], iu[1][pick]]),
                        name=f"random-pages-{n_pages}x{n_ads}-s{seed}")


_PAGE_ARRAYS = ("indptr", "indices", "data", "shape", "slot_weights", "capacities", "categories",
                "per_category", "exclusions")


def write_pages(instance: PageInstance, path: str | os.PathLike) -> Path:
    """Write a :class:`PageInstance` as one ``.npz`` file (plain arrays, no pickles), the
    input of ``submodkit solve FILE --problem whole-page``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> inst = random_page_instance(5, 4, seed=0)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = write_pages(inst, pathlib.Path(d) / "pages.npz")
    ...     read_pages(path).values.nnz == inst.values.nnz
    True
    """
    path = Path(path)
    v = instance.values
    np.savez(path, indptr=v.indptr.astype(np.int64), indices=v.indices.astype(np.int64), data=v.data,
             shape=np.array(v.shape, dtype=np.int64), slot_weights=instance.slot_weights,
             capacities=instance.capacities, categories=instance.categories,
             per_category=np.array(instance.per_category, dtype=np.int64), exclusions=instance.exclusions)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def read_pages(path: str | os.PathLike) -> PageInstance:
    """Read a page file written by :func:`write_pages`; a damaged or foreign file is an
    :class:`~submodkit.errors.InstanceFormatError` naming it and what was expected.

    Examples
    --------
    >>> read_pages("missing.npz")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    submodkit.errors.InstanceFormatError: missing.npz: expected a readable page file (.npz)
    """
    path = Path(path)
    arrays = load_npz(path, "a readable page file (.npz)", _PAGE_ARRAYS)
    shape, per_category = arrays["shape"], arrays["per_category"]
    indptr, indices, data = arrays["indptr"], arrays["indices"], arrays["data"]
    ok = (shape.dtype.kind in "iu" and per_category.dtype.kind in "iu" and shape.shape == (2,)
          and np.all(shape >= 0) and np.all(shape < 2**62) and per_category.size == 1
          and indices.size == data.size
          and is_csr_structure(indptr, indices, int(shape[0]), int(shape[1])))
    if not ok:
        raise InstanceFormatError(path, None, "an integer CSR value matrix (indptr from 0, non-decreasing, "
                                  "ending at the number of entries; column indices within the shape)")
    try:
        return PageInstance(sp.csr_matrix((data, indices, indptr), shape=tuple(int(s) for s in shape)),
                            slot_weights=arrays["slot_weights"], capacities=arrays["capacities"],
                            categories=arrays["categories"],
                            per_category=int(arrays["per_category"].ravel()[0]),
                            exclusions=arrays["exclusions"], name=path.name.removesuffix(".npz"))
    except (InvalidParameterError, ValueError, TypeError) as exc:
        raise InstanceFormatError(path, None, "a valid page instance", str(exc)) from None
