"""The results table of a batch: one row per finished run, in a CSV or Parquet file that a
rerun reads back to skip the runs already done. A row is on disk before the next run is
counted, so killing a batch loses at most the runs in flight."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from submodkit.errors import InvalidParameterError

COLUMNS = (
    "run_id", "instance", "path", "problem", "algorithm", "algorithm_requested", "k", "seed", "time_limit",
    "exact", "parameters", "status", "value", "lower_bound", "upper_bound", "exact_value", "exact_bound",
    "exact_status", "cli_ratio", "optimum", "optimum_source", "ratio", "ratio_to", "seconds", "wall_seconds",
    "peak_rss_mb", "error", "started_at", "submodkit_version",
)
_NUMBERS = {"k", "seed", "time_limit", "value", "lower_bound", "upper_bound", "exact_value", "exact_bound",
            "cli_ratio", "optimum", "ratio", "seconds", "wall_seconds", "peak_rss_mb"}


class ResultTable:
    """The rows of a batch in ``path`` (``.csv`` or ``.parquet``), read on opening.

    CSV rows are appended and flushed one by one (a line cut by a kill is dropped when the
    file is opened again); a Parquet file is rewritten whole after each row, through a
    temporary file renamed over it, so it is always complete (Parquet needs ``pyarrow``:
    ``pip install 'submodkit[parquet]'``).

    Parameters
    ----------
    path : str or Path
        The table file; created (with its folder) when absent.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "runs.csv"
    >>> table = ResultTable(path)
    >>> table.append({"run_id": "a1", "instance": "scp41", "value": 434.0})
    >>> ResultTable(path).rows[0]["value"], ResultTable(path).done()
    (434.0, {'a1'})
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise InvalidParameterError("--out", str(path), "a .csv or .parquet file")
        self.parquet = suffix == ".parquet"
        if self.parquet:
            _pyarrow()
        self.rows: list[dict[str, Any]] = self._read() if self.path.exists() else []

    def done(self) -> set[str]:
        """The run ids already in the table."""
        return {str(r["run_id"]) for r in self.rows if r.get("run_id")}

    def append(self, row: dict[str, Any]) -> None:
        """Add one row and write it to disk before returning."""
        row = {c: row.get(c) for c in COLUMNS}
        self.rows.append(row)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.parquet:
            self._write_parquet()
            return
        new = not self.path.exists() or self.path.stat().st_size == 0
        with open(self.path, "a", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            if new:
                writer.writeheader()
            writer.writerow({c: "" if row[c] is None else row[c] for c in COLUMNS})
            f.flush()
            os.fsync(f.fileno())

    def _read(self) -> list[dict[str, Any]]:
        not_ours = InvalidParameterError("--out", str(self.path), "a results table written by submodkit "
                                         f"batch (columns {', '.join(COLUMNS[:3])}, ...), or a new file")
        if self.parquet:
            pq = _pyarrow()
            try:
                table = pq.read_table(self.path)
            except Exception:  # pyarrow raises several types for a file that is not Parquet
                raise not_ours from None
            if list(table.column_names) != list(COLUMNS):
                raise not_ours
            return table.to_pylist()
        raw = self.path.read_bytes()
        first = raw.split(b"\n", 1)[0].rstrip(b"\r")
        if raw and (first != ",".join(COLUMNS).encode() or b"\n" not in raw):  # not ours: touch nothing
            raise not_ours
        if raw and not raw.endswith(b"\n"):  # a row cut by a kill: drop it, so appends start clean
            raw = raw[: raw.rfind(b"\n") + 1]
            with open(self.path, "r+b") as f:
                f.truncate(len(raw))
        return [_typed(r) for r in csv.DictReader(io.StringIO(raw.decode("utf-8")))]

    def _write_parquet(self) -> None:
        import pyarrow as pa

        pq = _pyarrow()
        columns = {c: [r.get(c) for r in self.rows] for c in COLUMNS}
        types = {c: pa.float64() if c in _NUMBERS else (pa.bool_() if c == "exact" else pa.string())
                 for c in COLUMNS}
        table = pa.table({c: pa.array([_as(types[c], v) for v in columns[c]], type=types[c])
                          for c in COLUMNS})
        tmp = self.path.with_name(self.path.name + ".tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, self.path)


def _as(kind, value):
    import pyarrow as pa

    if value is None or value == "":
        return None
    if kind == pa.float64():
        return float(value)
    if kind == pa.bool_():
        return bool(value)
    return str(value)


def _typed(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in COLUMNS:
        v = row.get(c)
        if v is None or v == "":
            out[c] = None
        elif c in _NUMBERS:
            out[c] = float(v)
        elif c == "exact":
            out[c] = v == "True"
        else:
            out[c] = v
    return out


def _pyarrow():
    from submodkit._optional import require

    require("pyarrow", "--out", "*.parquet", "Parquet tables (or write a .csv file)")
    import pyarrow.parquet as pq

    return pq
