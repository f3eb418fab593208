"""Labelled categorical samples: a feature's value and a binary label per line (the input of
categorical feature compression)."""

from __future__ import annotations

import os

import numpy as np

from submodkit.errors import InstanceFormatError
from submodkit.instances._text import read_bytes, shown


def read_labelled_categories(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read ``value,label`` samples: one per line, comma or tab separated (further fields are
    ignored), blank lines and lines starting with ``#`` skipped, gzip read transparently.
    The first line is a header when its label is a word (not a number, not true/false)
    while every other line's label is a number or true/false; any other header must start
    with ``#``.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    values : ndarray of str
    labels : ndarray of str
        Exactly two distinct labels (or one).

    Raises
    ------
    InstanceFormatError
        Naming the file and line: a line with fewer than two fields, or a third distinct
        label.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = p.write_text("city,clicked\\nparis,1\\nrome,0\\nparis,0\\n")
    >>> values, labels = read_labelled_categories(p)
    >>> values.tolist(), labels.tolist()
    (['paris', 'rome', 'paris'], ['1', '0', '0'])
    """
    text = read_bytes(path).decode("utf-8", "replace")
    values: list[str] = []
    labels: list[str] = []
    lines: list[int] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t") if "\t" in line else line.split(",")
        if len(fields) < 2:
            raise InstanceFormatError(path, number, "two fields: value,label", shown(line))
        values.append(fields[0].strip())
        labels.append(fields[1].strip())
        lines.append(number)
    if len(values) > 1 and not _numeric(labels[0]) and all(_numeric(label) for label in set(labels[1:])):
        values, labels, lines = values[1:], labels[1:], lines[1:]  # a header
    if not values:
        raise InstanceFormatError(path, None, "at least one value,label line", "none")
    seen: list[str] = []
    for label, number in zip(labels, lines, strict=True):
        if label not in seen:
            if len(seen) == 2:
                raise InstanceFormatError(
                    path, number, f"a binary label ({seen[0]!r} or {seen[1]!r}; a header line starts with #)",
                    shown(label))
            seen.append(label)
    return np.asarray(values), np.asarray(labels)


def _numeric(label: str) -> bool:
    if label.lower() in ("true", "false"):
        return True
    try:
        float(label)
    except ValueError:
        return False
    return True
