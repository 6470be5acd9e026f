"""Check a policy: segment once, score every element in one pass, build the gap report."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from checker import registry
from checker.errors import InputError, PolicycheckError
from checker.extract import MAX_INPUT_BYTES, read_file, read_policy
from checker.language import detect_language
from checker.model import Model, load_cached
from checker.reasons import near_miss_reason
from checker.report import FAIL_ON, ElementResult, Evidence, Language, Report
from checker.retention import retention_detail
from checker.segment import Document, segment

if TYPE_CHECKING:
    from checker.batch import Failed

MAX_EVIDENCE = 3
MAX_NEAR_MISSES = 2
NEAR_MISS_MIN = 0.15  # segment probability below which a sentence is not worth showing
CANDIDATES = 10  # best segments considered for evidence, near misses and retention detail
SHORT_TEXT_WORDS = 80


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def _status(p: float, threshold: float, band: float) -> str:
    if p >= threshold + band:
        return "present"
    if p < threshold - band:
        return "absent"
    return "uncertain"


def _evidence(doc: Document, idx: int, score: float, reason: str | None = None) -> Evidence:
    s = doc.segments[idx]
    return Evidence(s.text, s.start, s.end, s.line, round(score, 4), reason)


def _element_result(
    el: registry.Element,
    doc: Document,
    scored: np.ndarray,
    logits: np.ndarray,
    model: Model,
    required: bool,
) -> ElementResult:
    """Status from the best segment; evidence for a present element, near misses for a gap."""
    top = scored[np.argsort(-logits[scored], kind="stable")[:CANDIDATES]]
    p = model.document_probability(el.id, float(logits[top[0]]) if len(top) else -50.0)
    status = _status(p, model.thresholds[el.id], model.uncertain_band)
    candidates = [(int(i), _sigmoid(float(logits[i]))) for i in top]
    evidence: list[Evidence] = []
    near: list[Evidence] = []
    detail = None
    if status == "present":
        good = [(i, q) for i, q in candidates if q >= 0.5] or candidates[:1]
        evidence = [_evidence(doc, i, q) for i, q in good[:MAX_EVIDENCE]]
        if el.id == "retention":  # every retention sentence counts, not only the best ten
            evident = scored[logits[scored] >= 0.0] if len(scored) else scored
            detail = retention_detail(doc.segments[int(i)].text for i in evident)
    else:
        near = [
            _evidence(doc, i, q, near_miss_reason(el.id, doc, i))
            for i, q in candidates[:MAX_NEAR_MISSES]
            if q >= NEAR_MISS_MIN
        ]
    return ElementResult(
        id=el.id,
        title=el.title,
        articles=list(el.articles),
        required=required,
        status=status,  # type: ignore[arg-type]
        probability=round(p, 4),
        evidence=evidence,
        near_misses=near,
        recommendation=None if status == "present" else el.recommendation,
        detail=detail,
    )


def check_document(
    doc: Document,
    *,
    model: Model | None = None,
    require: Iterable[str] | str | None = None,
    fail_on: str = "absent",
    source: str | None = None,
) -> Report:
    """Score a segmented document; ``require`` limits which elements can fail the report."""
    model = model or load_cached(None)
    if fail_on not in FAIL_ON:
        raise PolicycheckError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    required = set(
        registry.parse_ids(
            require if require is None or isinstance(require, str) else list(require)
        )
    )
    lang = detect_language(doc.text)
    trained = set(model.manifest.get("languages", []))
    language = Language(lang.code, round(lang.confidence, 3), lang.code in trained)
    warnings: list[str] = []
    if not language.supported:
        warnings.append(
            f"language {lang.code!r} is outside the languages the model was trained on "
            f"({', '.join(sorted(trained))}): statuses are computed but less reliable"
        )
    if len(doc.text.split(maxsplit=SHORT_TEXT_WORDS)) < SHORT_TEXT_WORDS:  # counts to 80 at most
        warnings.append("the text is very short for a privacy policy; is this the whole policy?")

    scored = np.asarray([i for i, s in enumerate(doc.segments) if not s.is_heading], dtype=int)
    logits = model.document_logits(doc) if len(scored) else np.empty((0, len(model.element_ids)))
    results = [
        _element_result(
            el, doc, scored, logits[:, model.element_ids.index(el.id)], model, el.id in required
        )
        for el in registry.ELEMENTS
    ]
    return Report(
        language=language,
        model={"version": model.version, "sha256": model.sha256},
        elements=results,
        fail_on=fail_on,
        source=source,
        warnings=warnings,
    )


def check(text: str, **options: object) -> Report:
    """Check policy text (plain text or Markdown; offsets refer to ``text``)."""
    if not isinstance(text, str):
        raise InputError(f"check() takes text (str), not {type(text).__name__}; use check_bytes")
    if not text.strip():
        raise InputError("input is empty")
    return check_document(segment(text), **options)  # type: ignore[arg-type]


def check_bytes(
    data: bytes,
    *,
    filename: str | None = None,
    media_type: str | None = None,
    max_bytes: int = MAX_INPUT_BYTES,
    **options: object,
) -> Report:
    """Check a file's content: decoded, HTML/PDF/DOCX converted to text (offsets refer to it)."""
    text, fmt = read_policy(data, filename=filename, media_type=media_type, max_bytes=max_bytes)
    report = check(text, **options)
    note_extracted(report, fmt)
    return report


EXTRACTED_FORMATS = ("html", "pdf", "docx")
EXTRACTED_NOTE = "input: offsets and line numbers refer to the extracted text"


def note_extracted(report: Report, fmt: str) -> None:
    """Say so when offsets refer to text extracted from the file rather than the file itself."""
    if fmt in EXTRACTED_FORMATS:
        report.warnings.append(f"{fmt.upper()} {EXTRACTED_NOTE}")


def check_path(path: str | Path, **options: object) -> Report:
    path = Path(path)
    limit = options.get("max_bytes", MAX_INPUT_BYTES)
    try:
        data = read_file(path, max_bytes=limit)  # type: ignore[arg-type]
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None
    options.setdefault("source", str(path))
    return check_bytes(data, filename=path.name, **options)  # type: ignore[arg-type]


def check_many(
    items: Iterable[str | Path],
    *,
    n_jobs: int | None = 1,
    progress: object = False,
    errors: str = "keep",
    **options: object,
) -> Iterator[Report | Failed]:
    """Reports for many texts (``str``) or files (``Path``), streamed in input order.

    A document that cannot be checked yields a ``checker.batch.Failed`` (source, error type and
    message) and the batch goes on; ``errors="raise"`` raises its ``PolicycheckError`` instead.
    ``n_jobs`` worker processes (``None``: one per core) each get the model once; ``progress``
    shows a tqdm bar. Memory stays flat however long ``items`` is. More options (``client``
    for a Dask cluster, ``chunksize``, ``window``...): ``checker.batch.check_many``.
    """
    from checker import batch

    return batch.check_many(
        items,
        n_jobs=n_jobs,
        progress=progress,
        errors=errors,
        **options,  # type: ignore[arg-type]
    )
