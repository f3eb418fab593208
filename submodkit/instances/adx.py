"""Readers of Balseiro's 2014 display-ad data (``pubN-ads``, ``pubN-sample``, ``pubN-types``).

- ``pubN-ads.txt[.gz]``: ``advertiser: ID rho: R`` per line, ``rho`` = capacity / impressions.
- ``pubN-sample.txt[.gz]``: one impression per line, comma-separated values, one per
  advertiser (0 = not eligible).
- ``pubN-types.txt[.gz]``: ``type: ID prob: P advertisers: [..] mean: [..] cov: [..]``:
  arrival probability, eligible advertisers (1-based) and a log-normal quality whose log
  has this mean and covariance (upper triangle, column major).

:func:`read_adx` returns an :class:`~submodkit.instances.allocation.AllocationInstance`
(kind ``"capacity"``, capacities ``rho * T``, values exactly as in the file);
:func:`adx_types` returns the i.i.d. arrival model, :class:`AdxTypes`.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from submodkit._validation import make_rng
from submodkit.errors import InstanceFormatError, InvalidParameterError
from submodkit.instances._text import read_bytes, shown
from submodkit.instances.allocation import AllocationInstance

_LOG_MAX = float(np.log(np.finfo(np.float64).max)) - 60.0  # room for sums of 1e26 values
_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"  # unambiguous: linear on long digit runs
_AD_LINE = re.compile(rf"^\s*advertiser:\s*(\d+)\s+rho:\s*({_NUM})\s*$")
_TYPE_LINE = re.compile(
    rf"^\s*type:\s*(\d+)\s+prob:\s*({_NUM})\s+advertisers:\s*\[([^\]]*)\]\s+"
    r"mean:\s*\[([^\]]*)\]\s+cov:\s*\[([^\]]*)\]\s*$"
)


def _check_total(path, values: np.ndarray, what: str, lines=None, factor: float = 1.0) -> None:
    """Raise unless ``factor`` times the total of the non-negative ``values`` is finite (every
    sum the solvers form over them is then finite too). ``lines[r]``, when given, is the
    1-based line of row ``r`` of ``values`` (of value ``r`` when 1-d): the error names the line
    where the running total overflows."""
    with np.errstate(over="ignore"):  # the overflow is what is being checked
        total = float(np.sum(values)) * factor
        if np.isfinite(total):
            return
        flat = values.reshape(-1)
        running = np.cumsum(flat) * factor  # the error path only: a copy of the values
    over = np.flatnonzero(~np.isfinite(running))
    k = int(over[0]) if over.size else flat.size - 1  # pairwise and running sums may round apart
    line = None if lines is None else int(lines[k // max(1, flat.size // len(lines))])
    raise InstanceFormatError(path, line, f"{what} whose total is finite (below 1.8e308)",
                              f"{float(flat[k])!r}, where the running total overflows")


def _ident(digits: str) -> int | None:
    """The id written as ``digits``, or None for one of more than 18 significant digits (no file
    has that many lines; ``int()`` refuses 4,300 digits and more)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else None


def _publisher(publisher: object) -> str:
    if isinstance(publisher, (int, np.integer)) and not isinstance(publisher, bool) and publisher > 0:
        return f"pub{int(publisher)}"
    if isinstance(publisher, str) and re.fullmatch(r"pub\d+", publisher):
        return publisher
    raise InvalidParameterError("publisher", publisher, "'pubN' or a positive integer N")


_SUFFIXES = (".txt.gz", ".txt", ".gz", "")


def adx_publishers(directory: str | os.PathLike, kind: str = "adx") -> list[str]:
    """The publishers of an AdX data folder that have a ``pubN-<kind>`` file, in number order
    (none for a folder that is not one).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("pub10-adx.txt.gz", "pub2-adx.txt", "pub2-ads.txt", "README.txt"):
    ...     _ = (d / name).write_text("")
    >>> adx_publishers(d)
    ['pub2', 'pub10']
    """
    d = Path(directory)
    if not d.is_dir():
        return []
    return sorted({m.group(1) for p in d.iterdir()
                   if (m := re.fullmatch(rf"(pub\d+)-{re.escape(kind)}(?:\.txt)?(?:\.gz)?", p.name))},
                  key=lambda name: int(name[3:]))


def _find(directory: str | os.PathLike, stem: str, required: bool = True) -> Path | None:
    """``directory/stem`` with one of the suffixes; a missing required file raises
    FileNotFoundError whose message lists the publishers the directory does hold."""
    d = Path(directory)
    for suffix in _SUFFIXES:
        if (d / f"{stem}{suffix}").is_file():
            return d / f"{stem}{suffix}"
    if not required:
        return None
    if not d.is_dir():
        raise FileNotFoundError(errno.ENOENT, "no such directory (an AdX data folder)", str(d))
    kind = stem.partition("-")[2]
    held = adx_publishers(d, kind)
    what = (f"no such file (publishers with a pubN-{kind} file here: {', '.join(held)})" if held
            else f"no such file (no pubN-{kind}.txt[.gz] file here)")
    raise FileNotFoundError(errno.ENOENT, what, str(d / f"{stem}.txt[.gz]"))


def _lines(path: Path) -> list[tuple[int, str]]:
    text = read_bytes(path).decode("utf-8", "replace")
    return [(i + 1, ln) for i, ln in enumerate(text.splitlines()) if ln.strip()]


def read_ads(path: str | os.PathLike) -> np.ndarray:
    """The capacity ratios ``rho`` of a ``pubN-ads`` file, advertiser ids 1..A in order.

    Parameters
    ----------
    path : str or path-like
        A ``pubN-ads.txt[.gz]`` file: ``advertiser: ID rho: R`` per line.

    Returns
    -------
    ndarray of float64, shape (A,)
        rho of advertisers 1..A (positive, finite).

    Raises
    ------
    InstanceFormatError
        For a malformed line, ids out of order, a non-positive rho, or an empty file.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> d = Path(tmp.name)
    >>> _ = (d / "pub9-ads.txt").write_text("advertiser: 1 rho: 0.5\\nadvertiser: 2 rho: 0.25\\n")
    >>> read_ads(d / "pub9-ads.txt").tolist()
    [0.5, 0.25]
    >>> tmp.cleanup()

    References
    ----------
    .. [1] Balseiro, Feldman, Mirrokni, Muthukrishnan, "Yield optimization of display
       advertising with ad exchange", Management Science 60(12) (2014) (the data).
    """
    return _read_ads(path)[0]


def _read_ads(path: str | os.PathLike) -> tuple[np.ndarray, list[int]]:
    """:func:`read_ads`, and the 1-based line of each advertiser."""
    rho, linenos = [], []
    for lineno, ln in _lines(Path(path)):
        m = _AD_LINE.match(ln)
        if m is None:
            raise InstanceFormatError(path, lineno, "'advertiser: ID rho: R'", shown(ln))
        ident, r = _ident(m.group(1)), float(m.group(2))
        if ident != len(rho) + 1:
            raise InstanceFormatError(path, lineno, f"advertiser id {len(rho) + 1}", shown(m.group(1)))
        if not np.isfinite(r) or r <= 0:
            raise InstanceFormatError(path, lineno, "a positive finite rho", shown(m.group(2)))
        rho.append(r)
        linenos.append(lineno)
    if not rho:
        raise InstanceFormatError(path, 1, "at least one advertiser line", "an empty file")
    rho = np.array(rho)
    _check_total(path, rho, "rho values", linenos)
    return rho, linenos


def read_sample(path: str | os.PathLike, n_advertisers: int | None = None) -> np.ndarray:
    """The (T, A) value matrix of a ``pubN-sample`` file (comma-separated rows).

    Parameters
    ----------
    path : str or path-like
        A ``pubN-sample.txt[.gz]`` file: one impression per line, one value per advertiser
        (0 = not eligible).
    n_advertisers : int, optional
        The expected number of values per line (default: that of the first line).

    Returns
    -------
    ndarray of float64, shape (T, A)
        Finite, non-negative values, exactly as in the file.

    Raises
    ------
    InstanceFormatError
        For an empty line or file, a line of another width, or a value that is not a
        finite non-negative number.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "pub9-sample.txt"
    >>> _ = path.write_text("1.0,0\\n0.5,2.0\\n")
    >>> read_sample(path).tolist()
    [[1.0, 0.0], [0.5, 2.0]]
    >>> tmp.cleanup()

    References
    ----------
    .. [1] Balseiro, Feldman, Mirrokni, Muthukrishnan, "Yield optimization of display
       advertising with ad exchange", Management Science 60(12) (2014) (the data).
    """
    data = read_bytes(path)
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    ends = np.append(newlines, buf.size) if (buf.size and buf[-1] != 10) else newlines
    starts = np.concatenate([[0], ends[:-1] + 1]) if ends.size else np.zeros(0, dtype=np.int64)
    commas = np.concatenate([[0], np.cumsum(buf == 44)])
    per_line = commas[ends] - commas[starts]
    blank = (ends - starts) <= 0
    if np.any(blank):
        bad = int(np.flatnonzero(blank)[0])
        raise InstanceFormatError(path, bad + 1, "a line of comma-separated values", "an empty line")
    if per_line.size == 0:
        raise InstanceFormatError(path, 1, "at least one impression line", "an empty file")
    width = int(per_line[0]) + 1 if n_advertisers is None else int(n_advertisers)
    if np.any(per_line != width - 1):
        bad = int(np.flatnonzero(per_line != width - 1)[0])
        raise InstanceFormatError(path, bad + 1, f"{width} comma-separated values", f"{per_line[bad] + 1}")
    tokens = data.replace(b",", b" ").split()
    try:
        values = np.array(tokens, dtype=np.float64)
    except ValueError:
        values = None
    if values is None or values.size != per_line.size * width or b"_" in data:  # float() takes 1_0
        raise _field_error(path, data, per_line.size, width)
    values = values.reshape(-1, width)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InstanceFormatError(path, int(r) + 1, "a finite non-negative value", repr(values[r, c]))
    _check_total(path, values, "values", np.arange(1, values.shape[0] + 1))
    return values


def _field_error(path, data: bytes, n_lines: int, width: int) -> InstanceFormatError:
    """The error of :func:`read_sample` at the first field of its ``n_lines`` lines (each of
    ``width`` comma-separated fields) that is not one number: empty, two numbers apart, or
    not a number (Python's ``float`` also takes ``1_0``: refused)."""
    for i, line in enumerate(data.split(b"\n", n_lines)[:n_lines]):
        for cell in line.split(b","):
            parts = cell.split()
            if len(parts) != 1:
                found = "an empty field" if not parts else f"{shown(cell.strip())} (not one number)"
                return InstanceFormatError(path, i + 1, f"{width} comma-separated numbers", found)
            try:
                float(b"_" if b"_" in parts[0] else parts[0])
            except ValueError:
                return InstanceFormatError(path, i + 1, "a number", shown(parts[0]))
    return InstanceFormatError(path, None, f"{n_lines * width} numbers")  # pragma: no cover


def read_adx(
    directory: str | os.PathLike, publisher: str | int, *, n_samples: int = 100_000, seed: int = 0
) -> AllocationInstance:
    """The AdX allocation instance of ``publisher`` (``"pub1"`` or ``1``) in ``directory``.

    Arrivals are the impressions of ``pubN-sample`` (values exactly as in the file), or,
    for publishers without a sample, ``n_samples`` impressions drawn i.i.d. from
    ``pubN-types`` with ``seed`` (see :class:`AdxTypes`). Capacities are ``rho * T``,
    T the number of impressions; kind ``"capacity"`` with free disposal.

    Parameters
    ----------
    directory : str or path-like
        The folder holding the ``pubN-*`` files (``.txt`` or ``.txt.gz``).
    publisher : str or int
        ``"pubN"`` or N.
    n_samples : int, default 100000
        Impressions drawn from ``pubN-types`` when there is no ``pubN-sample``.
    seed : int, default 0
        Seed of that draw.

    Returns
    -------
    AllocationInstance
        Named ``"pubN"``; ``meta`` records the files and ``rho`` (and
        ``sampled_from_types`` when drawn).

    Raises
    ------
    FileNotFoundError
        For a missing ``pubN-ads`` (or, without a sample, ``pubN-types``) file; the message
        lists the publishers the directory holds.
    InstanceFormatError
        For a malformed file.

    Notes
    -----
    With Balseiro's data folder (``../shared/data/adx``, not bundled),
    ``read_adx("../shared/data/adx", "pub1").values.shape`` is ``(100000, 6)``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> d = Path(tmp.name)
    >>> _ = (d / "pub9-ads.txt").write_text("advertiser: 1 rho: 0.5\\nadvertiser: 2 rho: 0.25\\n")
    >>> _ = (d / "pub9-sample.txt").write_text("1.0,0\\n0.5,2.0\\n")
    >>> inst = read_adx(d, "pub9")
    >>> inst.values.tolist(), inst.budgets.tolist(), inst.kind
    ([[1.0, 0.0], [0.5, 2.0]], [1.0, 0.5], 'capacity')
    >>> tmp.cleanup()

    References
    ----------
    .. [1] Balseiro, Feldman, Mirrokni, Muthukrishnan, "Yield optimization of display
       advertising with ad exchange", Management Science 60(12) (2014) (the data).
    """
    pub = _publisher(publisher)
    ads_path = _find(directory, f"{pub}-ads")
    rho, ad_lines = _read_ads(ads_path)
    sample = _find(directory, f"{pub}-sample", required=False)
    if sample is None:
        inst = adx_types(directory, pub).sample(n_samples, seed=seed)
        inst.meta["sampled_from_types"] = True
        return inst
    values = read_sample(sample, rho.size)
    t = values.shape[0]
    _check_total(ads_path, rho, f"rho values (times the {t} impressions)", ad_lines, float(t))
    return AllocationInstance(
        values,
        rho * t,
        kind="capacity",
        name=pub,
        meta={"source": str(sample), "ads": str(ads_path), "rho": rho, "format": "adx"},
    )


@dataclass
class AdxTypes:
    """The i.i.d. arrival model of a publisher: impression types with log-normal values.

    Built by :func:`adx_types`; :meth:`sample` draws an
    :class:`~submodkit.instances.allocation.AllocationInstance` from it.

    Parameters
    ----------
    probs : ndarray of float64, shape (K,)
        Arrival probability of each type (as in the file; sampling normalizes).
    advertisers : list of ndarray of int64
        Per type, the eligible advertisers (0-based).
    means, covs : list of ndarray
        Per type, the mean vector and covariance matrix of log(value).
    rho : ndarray of float64, shape (A,)
        Capacity ratios from ``pubN-ads``.
    name : str, default "adx"
    meta : dict, optional
        From :func:`adx_types`: ``source`` (the ``pubN-types`` file) and ``lines`` (the line
        of each type), named by :meth:`sample`'s errors.

    Attributes
    ----------
    n_types, n_advertisers : int
        K and A.

    Examples
    --------
    >>> import numpy as np
    >>> model = AdxTypes(probs=np.array([1.0]), advertisers=[np.array([0, 1])], means=[np.zeros(2)],
    ...                  covs=[np.eye(2)], rho=np.array([0.5, 0.5]))
    >>> inst = model.sample(4, seed=0)
    >>> inst.n_arrivals, inst.budgets.tolist(), model.n_types
    (4, [2.0, 2.0], 1)

    References
    ----------
    .. [1] Balseiro, Feldman, Mirrokni, Muthukrishnan, "Yield optimization of display
       advertising with ad exchange", Management Science 60(12) (2014) (the data).
    """

    probs: np.ndarray
    advertisers: list[np.ndarray]
    means: list[np.ndarray]
    covs: list[np.ndarray]
    rho: np.ndarray
    name: str = "adx"
    meta: dict = field(default_factory=dict)

    @property
    def n_types(self) -> int:
        """K, the number of impression types."""
        return int(self.probs.size)

    @property
    def n_advertisers(self) -> int:
        """A, the number of advertisers."""
        return int(self.rho.size)

    def sample(self, n: int, seed: int | None = None) -> AllocationInstance:
        """``n`` i.i.d. impressions: a type by ``probs``, then values ``exp(N(mean, cov))``.

        Capacities ``rho * n``, kind ``"capacity"`` (free disposal).

        Parameters
        ----------
        n : int
            Number of impressions (>= 1).
        seed : int, optional
            The random seed.

        Returns
        -------
        AllocationInstance

        Raises
        ------
        InvalidParameterError
            For ``n < 1``, or a type whose sampled log-values would overflow (named by its
            file and line when ``meta`` holds its ``source`` and ``lines``, as
            :func:`adx_types` records them).
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise InvalidParameterError("n", n, "an integer >= 1")
        rng = make_rng(seed)
        p = self.probs / self.probs.sum()
        types = rng.choice(self.n_types, size=int(n), p=p)
        counts = np.bincount(types, minlength=self.n_types)
        order = np.argsort(types, kind="stable")
        widths = np.array([a.size for a in self.advertisers], dtype=np.int64)[types]
        indptr = np.concatenate([[0], np.cumsum(widths)])
        indices = np.empty(indptr[-1], dtype=np.int64)
        data = np.empty(indptr[-1], dtype=np.float64)
        pos = 0
        for k in range(self.n_types):
            rows = order[pos : pos + counts[k]]
            pos += counts[k]
            if rows.size == 0 or self.advertisers[k].size == 0:
                continue
            w, v = np.linalg.eigh(self.covs[k])
            factor = v * np.sqrt(np.clip(w, 0, None))
            z = rng.standard_normal((rows.size, w.size))
            logs = self.means[k] + z @ factor.T
            if not np.all(logs <= _LOG_MAX):  # checked before exp: no overflow, no inf values
                where = f"{self.name} type {k + 1}"
                if "source" in self.meta and "lines" in self.meta:  # read from a file: its line
                    where = f"{self.meta['source']}:{self.meta['lines'][k]}: {where}"
                raise InvalidParameterError(
                    where, f"log-value up to {np.nanmax(logs):.4g}",
                    f"mean and cov whose sampled log-values stay below {_LOG_MAX:.0f} (finite values)")
            vals = np.exp(logs)
            slots = indptr[rows][:, None] + np.arange(w.size)
            indices[slots] = self.advertisers[k]
            data[slots] = vals
        mat = sp.csr_matrix((data, indices, indptr), shape=(int(n), self.n_advertisers))
        mat.sort_indices()
        return AllocationInstance(
            mat,
            self.rho * n,
            kind="capacity",
            name=self.name,
            meta={"types": True, "seed": seed, "rho": self.rho},
        )


def _floats(text: str, path: Path, lineno: int, what: str) -> np.ndarray:
    parts = [s for s in text.replace(",", " ").split()]
    try:
        if "_" in text:  # float() takes 1_0
            raise ValueError(text)
        arr = np.array([float(s) for s in parts], dtype=np.float64)
    except ValueError:
        raise InstanceFormatError(path, lineno, f"numbers in the {what} list", shown(text)) from None
    if not np.all(np.isfinite(arr)):
        raise InstanceFormatError(path, lineno, f"finite numbers in the {what} list", shown(text))
    return arr


def read_types(path: str | os.PathLike, n_advertisers: int) -> tuple:
    """(probs, advertisers, means, covs) of a ``pubN-types`` file.

    Parameters
    ----------
    path : str or path-like
        A ``pubN-types.txt[.gz]`` file: ``type: ID prob: P advertisers: [..] mean: [..]
        cov: [..]`` per line, ``cov`` the upper triangle, column major.
    n_advertisers : int
        A (advertiser ids are 1..A).

    Returns
    -------
    tuple
        ``(probs, advertisers, means, covs)`` as the fields of :class:`AdxTypes`.

    Raises
    ------
    InstanceFormatError
        For a malformed line, ids out of order, advertisers out of range or repeated, or
        lists of the wrong length.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "pub9-types.txt"
    >>> _ = path.write_text("type: 1 prob: 1 advertisers: [1, 2] mean: [0, 0] cov: [1, 0.5, 1]\\n")
    >>> probs, advertisers, means, covs = read_types(path, 2)
    >>> probs.tolist(), advertisers[0].tolist(), covs[0].tolist()
    ([1.0], [0, 1], [[1.0, 0.5], [0.5, 1.0]])
    >>> tmp.cleanup()

    References
    ----------
    .. [1] Balseiro, Feldman, Mirrokni, Muthukrishnan, "Yield optimization of display
       advertising with ad exchange", Management Science 60(12) (2014) (the data).
    """
    return _read_types(path, n_advertisers)[:4]


def _read_types(path: str | os.PathLike, n_advertisers: int) -> tuple:
    """:func:`read_types`, and the 1-based line of each type."""
    path = Path(path)
    probs, advs, means, covs, linenos = [], [], [], [], []
    for lineno, ln in _lines(path):
        m = _TYPE_LINE.match(ln)
        if m is None:
            raise InstanceFormatError(
                path, lineno, "'type: ID prob: P advertisers: [..] mean: [..] cov: [..]'", shown(ln)
            )
        if _ident(m.group(1)) != len(probs) + 1:
            raise InstanceFormatError(path, lineno, f"type id {len(probs) + 1}", shown(m.group(1)))
        p = float(m.group(2))
        if not np.isfinite(p) or p < 0:
            raise InstanceFormatError(path, lineno, "a probability >= 0", shown(m.group(2)))
        ad = _floats(m.group(3), path, lineno, "advertisers")
        if np.any(ad != np.round(ad)) or np.any(ad < 1) or np.any(ad > n_advertisers):
            raise InstanceFormatError(
                path, lineno, f"advertiser ids in 1..{n_advertisers}", shown(m.group(3))
            )
        if np.unique(ad).size != ad.size:
            raise InstanceFormatError(path, lineno, "distinct advertiser ids", shown(m.group(3)))
        mean = _floats(m.group(4), path, lineno, "mean")
        tri = _floats(m.group(5), path, lineno, "cov")
        n = ad.size
        if mean.size != n:
            raise InstanceFormatError(path, lineno, f"{n} mean values", str(mean.size))
        if tri.size != n * (n + 1) // 2:
            raise InstanceFormatError(path, lineno, f"{n * (n + 1) // 2} cov values", str(tri.size))
        cov = np.zeros((n, n))
        pos = 0
        for j in range(n):  # upper triangle by column: (0,j), (1,j), ..., (j,j)
            cov[: j + 1, j] = tri[pos : pos + j + 1]
            pos += j + 1
        cov = np.triu(cov) + np.triu(cov, 1).T
        probs.append(p)
        advs.append(ad.astype(np.int64) - 1)
        means.append(mean)
        covs.append(cov)
        linenos.append(lineno)
    _check_total(path, np.array(probs), "probabilities", linenos)
    if not probs or sum(probs) <= 0:
        raise InstanceFormatError(path, 1, "type lines with positive total probability", "none")
    return np.array(probs), advs, means, covs, linenos


def adx_types(directory: str | os.PathLike, publisher: str | int) -> AdxTypes:
    """The i.i.d. arrival model of ``publisher`` from ``pubN-types`` and ``pubN-ads``.

    Parameters
    ----------
    directory : str or path-like
        The folder holding the ``pubN-*`` files.
    publisher : str or int
        ``"pubN"`` or N.

    Returns
    -------
    AdxTypes

    Raises
    ------
    FileNotFoundError
        For a missing file (the message lists the publishers the directory holds).
    InstanceFormatError
        For a malformed file.

    Notes
    -----
    With Balseiro's data folder (not bundled):
    ``adx_types("../shared/data/adx", "pub2").sample(10_000, seed=0)``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> d = Path(tmp.name)
    >>> _ = (d / "pub9-ads.txt").write_text("advertiser: 1 rho: 0.5\\nadvertiser: 2 rho: 0.25\\n")
    >>> _ = (d / "pub9-types.txt").write_text("type: 1 prob: 1 advertisers: [2] mean: [0] cov: [1]\\n")
    >>> model = adx_types(d, 9)
    >>> model.n_types, model.n_advertisers, model.sample(3, seed=0).budgets.tolist()
    (1, 2, [1.5, 0.75])
    >>> tmp.cleanup()

    References
    ----------
    .. [1] Balseiro, Feldman, Mirrokni, Muthukrishnan, "Yield optimization of display
       advertising with ad exchange", Management Science 60(12) (2014) (the data).
    """
    pub = _publisher(publisher)
    ads_path = _find(directory, f"{pub}-ads")
    rho = read_ads(ads_path)
    types_path = _find(directory, f"{pub}-types")
    probs, advs, means, covs, lines = _read_types(types_path, rho.size)
    return AdxTypes(probs, advs, means, covs, rho, name=pub, meta={"source": str(types_path), "lines": lines})
