"""Reports as tables: one row per policy (``to_frame``), one per evidence sentence (``to_long_frame``).

The row layout is defined once here, as plain dicts (``report_row``) and a column list
(``COLUMNS``), so the pandas frames, the CLI's CSV/Parquet output and the Dask partitions all
have the same columns. pandas is an optional extra (``pip install 'policycheck[batch]'``): it is
imported only when a frame is built.

Wide layout (``to_frame``), one row per policy, failed documents included:

``source, language, language_supported, passed, failing, <id>_status, <id>_probability`` for each
element, then ``retention_detail, warnings, model_version, error_type, error_message``. A failed
document has only ``source`` and the two ``error_`` columns filled; a checked one has no
``error_type``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from checker.registry import ELEMENT_IDS
from checker.report import Report

if TYPE_CHECKING:
    import pandas as pd

    from checker.batch import Failed

# (name, kind): kind is "string", "bool" or "float"; every column may be missing (failed rows).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("source", "string"),
    ("language", "string"),
    ("language_supported", "bool"),
    ("passed", "bool"),
    ("failing", "string"),
    *(
        col
        for el in ELEMENT_IDS
        for col in ((f"{el}_status", "string"), (f"{el}_probability", "float"))
    ),
    ("retention_detail", "string"),
    ("warnings", "string"),
    ("model_version", "string"),
    ("error_type", "string"),
    ("error_message", "string"),
)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)

LONG_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source", "string"),
    ("element", "string"),
    ("status", "string"),
    ("probability", "float"),
    ("kind", "string"),  # "evidence" (element present) or "near_miss" (closest candidates)
    ("rank", "int"),
    ("text", "string"),
    ("start", "int"),
    ("end", "int"),
    ("line", "int"),
    ("score", "float"),
    ("reason", "string"),
)

WARNING_SEPARATOR = " | "


def _as_dict(result: Report | Failed | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(result, Mapping):
        return dict(result)
    to_dict = getattr(result, "to_dict", None)
    if to_dict is None:
        raise TypeError(
            f"expected a Report, a batch Failed entry or a report dict, not {type(result).__name__}"
        )
    return to_dict()


def report_row(result: Report | Failed | Mapping[str, Any]) -> dict[str, Any]:
    """One wide row (a dict over ``COLUMN_NAMES``) for a report, a failure or their JSON dicts."""
    if isinstance(result, Report):
        return _report_object_row(result)
    d = _as_dict(result)
    row: dict[str, Any] = dict.fromkeys(COLUMN_NAMES)
    row["source"] = d.get("source")
    if "error" in d:  # {"source": ..., "error": {"type": ..., "message": ...}}
        row["error_type"] = d["error"].get("type")
        row["error_message"] = d["error"].get("message")
        return row
    lang = d["language"]
    summary = d["summary"]
    row["language"] = lang["code"]
    row["language_supported"] = bool(lang["supported"])
    row["passed"] = bool(summary["passed"])
    row["failing"] = ",".join(summary["failing"])
    for el in d["elements"]:
        row[f"{el['id']}_status"] = el["status"]
        row[f"{el['id']}_probability"] = float(el["probability"])
        if el["id"] == "retention":
            row["retention_detail"] = el.get("detail")
    row["warnings"] = WARNING_SEPARATOR.join(d.get("warnings", [])) or None
    row["model_version"] = d.get("model", {}).get("version")
    return row


def _report_object_row(report: Report) -> dict[str, Any]:
    """``report_row`` without building ``to_dict()`` first (a batch makes one per document)."""
    row: dict[str, Any] = dict.fromkeys(COLUMN_NAMES)
    failing = [e.id for e in report.elements if e.fails(report.fail_on)]
    row["source"] = report.source
    row["language"] = report.language.code
    row["language_supported"] = bool(report.language.supported)
    row["passed"] = not failing
    row["failing"] = ",".join(failing)
    for el in report.elements:
        row[f"{el.id}_status"] = el.status
        row[f"{el.id}_probability"] = float(el.probability)
        if el.id == "retention":
            row["retention_detail"] = el.detail
    row["warnings"] = WARNING_SEPARATOR.join(report.warnings) or None
    row["model_version"] = report.model.get("version")
    return row


def evidence_rows(result: Report | Failed | Mapping[str, Any]) -> list[dict[str, Any]]:
    """Long rows: one per evidence sentence and near miss of a report (none for a failure)."""
    d = _as_dict(result)
    if "error" in d:
        return []
    rows = []
    for el in d["elements"]:
        for kind, key in (("evidence", "evidence"), ("near_miss", "near_misses")):
            for rank, ev in enumerate(el[key], 1):
                rows.append(
                    {
                        "source": d.get("source"),
                        "element": el["id"],
                        "status": el["status"],
                        "probability": float(el["probability"]),
                        "kind": kind,
                        "rank": rank,
                        "text": ev["text"],
                        "start": ev["start"],
                        "end": ev["end"],
                        "line": ev["line"],
                        "score": float(ev["score"]),
                        "reason": ev.get("reason"),
                    }
                )
    return rows


def _pandas() -> Any:
    from checker.batch import optional_import

    return optional_import("pandas", "building DataFrames")


_PANDAS_DTYPES = {"string": "string", "bool": "boolean", "float": "float64", "int": "Int64"}


def _frame(rows: list[dict[str, Any]], columns: tuple[tuple[str, str], ...], index: Any = None):
    pd = _pandas()
    names = [n for n, _ in columns]
    frame = pd.DataFrame.from_records(rows, columns=names)
    frame = frame.astype({n: _PANDAS_DTYPES[k] for n, k in columns})
    if index is not None:
        frame.index = index
    return frame


def empty_frame() -> pd.DataFrame:
    """The wide frame with no rows: its columns and dtypes (used as Dask ``meta``)."""
    return _frame([], COLUMNS)


def to_frame(results: Iterable[Report | Failed | Mapping[str, Any]]) -> pd.DataFrame:
    """One row per policy: source, language, passed, ``<id>_status`` / ``<id>_probability``...

    Takes reports, batch ``Failed`` entries, or their dicts (e.g. the lines of a ``policycheck
    batch`` JSONL output). Failed documents are kept as rows with ``error_type`` set.
    """
    return _frame([report_row(r) for r in results], COLUMNS)


def to_long_frame(results: Iterable[Report | Failed | Mapping[str, Any]]) -> pd.DataFrame:
    """One row per evidence sentence (``kind="evidence"``) or near miss (``kind="near_miss"``)."""
    return _frame([row for r in results for row in evidence_rows(r)], LONG_COLUMNS)


def check_column(
    df: pd.DataFrame,
    column: str,
    *,
    source_column: str | None = None,
    paths: bool = False,
    n_jobs: int | None = 1,
    progress: Any = False,
    **options: Any,
) -> pd.DataFrame:
    """Score a DataFrame column of policy texts (or file paths with ``paths=True``).

    Returns the wide frame (``to_frame`` layout) with ``df``'s index, so ``df.join(result)``
    lines the two up. ``source`` is ``df[source_column]`` or else the index label. A missing or
    unreadable text is a row with ``error_type`` set; the others are still scored. ``n_jobs``,
    ``progress`` and the check options (``require``, ``fail_on``, ``model``, ``client``...) are
    those of ``checker.batch.check_many``.
    """
    from pathlib import Path

    from checker.batch import Failed, Item, check_many

    pd = _pandas()
    if column not in df.columns:
        raise KeyError(f"no column {column!r} in the DataFrame (columns: {list(df.columns)})")
    if source_column is not None and source_column not in df.columns:
        raise KeyError(f"no column {source_column!r} in the DataFrame")
    sources = df[source_column] if source_column is not None else df.index.to_series()

    def items() -> Iterable[Item | Failed]:
        for i, (value, source) in enumerate(zip(df[column], sources, strict=True)):
            name = None if source is None or source is pd.NA else str(source)
            if isinstance(value, str | Path) and str(value).strip():
                yield Item(source=name, path=value) if paths else Item(source=name, text=str(value))
            else:
                what = "no path" if paths else "no text"
                yield Failed(name, "input", f"{what} in column {column!r}", i)

    rows = [
        report_row(r)
        for r in check_many(
            items(), n_jobs=n_jobs, progress=progress, total=len(df), errors="keep", **options
        )
    ]
    return _frame(rows, COLUMNS, index=df.index)
