"""Check one submitted document with the library: limits, extraction, scoring, a log line.

Runs in the thread pool (the endpoints are plain ``def``). Text, Markdown and HTML are read in
process; PDF and DOCX in a bounded child process (``api.isolation``). The document is never
written anywhere: the log gets its size, format and a sha256 prefix, nothing else.
"""

from __future__ import annotations

import hashlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

from api.inputs import DOCUMENT_MEDIA_TYPES, Document
from api.isolation import ParseCrashed, ParseFailed, ParseTimeout, extract_isolated
from api.middleware import Metrics
from api.problems import Problem
from api.settings import Settings
from checker import registry
from checker.engine import check, note_extracted
from checker.errors import InputError
from checker.extract import InputTooLargeError, read_policy, sniff_document
from checker.model import Model
from checker.report import Report

log = logging.getLogger("policycheck.api")


def validate_options(require: str | list[str] | None, fail_on: str | None) -> tuple[Any, str]:
    """Check ``require`` / ``fail_on`` before any work (unknown element ids are a 422)."""
    try:
        required = registry.parse_ids(require)
    except registry.UnknownElementError as e:
        raise Problem("invalid-request", f"require: {e}") from None
    fail_on = fail_on or "absent"
    if fail_on not in ("absent", "uncertain"):
        raise Problem("invalid-request", "fail_on: must be 'absent' or 'uncertain'")
    return list(required), fail_on


def extract(doc: Document, settings: Settings) -> tuple[str, str]:
    """(text, format) of a document, or the Problem that says why not."""
    data = doc.data
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > settings.max_upload_bytes:
        raise Problem(
            "payload-too-large",
            f"document is {size:,} bytes; the limit is {settings.max_upload_bytes:,} bytes",
        )
    if doc.media_type and doc.media_type not in DOCUMENT_MEDIA_TYPES:
        raise Problem("unsupported-media-type", f"media type {doc.media_type!r} is not supported")
    try:
        if isinstance(data, bytes) and sniff_document(data):
            text, fmt = extract_isolated(
                data,
                filename=doc.filename,
                media_type=doc.media_type,
                max_bytes=settings.max_upload_bytes,
                timeout=settings.parse_timeout,
                memory_bytes=settings.parse_memory_bytes,
            )
        else:
            text, fmt = read_policy(
                data,
                filename=doc.filename,
                media_type=doc.media_type,
                max_bytes=settings.max_upload_bytes,
            )
    except InputTooLargeError as e:
        raise Problem("payload-too-large", str(e)) from None
    except InputError as e:
        raise Problem("unreadable-document", str(e)) from None
    except ParseTimeout:
        raise Problem(
            "parse-timeout",
            f"the document could not be parsed within {settings.parse_timeout:g} s",
        ) from None
    except ParseCrashed:
        raise Problem(
            "payload-too-large",
            "the document could not be parsed within the memory limit",
        ) from None
    except ParseFailed as e:
        raise RuntimeError(f"parser failed in the child process: {e}") from None
    if len(text) > settings.max_extracted_chars:
        raise Problem(
            "payload-too-large",
            f"the extracted text has {len(text):,} characters; "
            f"the limit is {settings.max_extracted_chars:,}",
        )
    return text, fmt


@lru_cache(maxsize=8)
def checker_threads(concurrency: int) -> ThreadPoolExecutor:
    """The per-process threads that run the checker. Waiting requests hold only their body
    (text is decoded when its turn comes) and are served in arrival order; keeping the work on
    few threads also keeps the allocator from spreading it over one memory arena per request
    thread (16 requests waiting in a worker took 4 MiB more when each decoded its text first)."""
    return ThreadPoolExecutor(concurrency, thread_name_prefix="policycheck-check")


def _parsed_in_child(doc: Document) -> bool:
    return isinstance(doc.data, bytes) and sniff_document(doc.data) is not None


def _extract_and_check(
    doc: Document, settings: Settings, parsed: tuple[str, str] | None, **options: Any
) -> tuple[Report, str, int]:
    """(report, format, characters), in a checker thread."""
    text, fmt = parsed if parsed is not None else extract(doc, settings)
    return check(text, **options), fmt, len(text)


def check_document(
    doc: Document,
    *,
    model: Model,
    required: list[str],
    fail_on: str,
    settings: Settings,
    metrics: Metrics,
) -> dict[str, Any]:
    """The library's report (``Report.to_dict()``) for one document.

    Text, Markdown and HTML are read in the checker thread, when the document's turn comes; a
    PDF or DOCX is parsed (in a child process, up to ``parse_timeout``) before it queues, so
    that a slow parse never holds up the checks of other requests."""
    started = time.perf_counter()
    parsed = extract(doc, settings) if _parsed_in_child(doc) else None
    try:
        report, fmt, chars = (
            checker_threads(settings.check_concurrency)
            .submit(
                _extract_and_check,
                doc,
                settings,
                parsed,
                model=model,
                require=required,
                fail_on=fail_on,
                source=doc.source,
            )
            .result()
        )
    except InputError as e:
        raise Problem("unreadable-document", str(e)) from None
    note_extracted(report, fmt)
    elapsed = time.perf_counter() - started
    metrics.documents.labels(format=fmt).inc()
    metrics.document_seconds.observe(elapsed)
    raw = doc.data if isinstance(doc.data, bytes) else doc.data.encode("utf-8", "surrogatepass")
    summary = report.summary()
    log.info(
        "checked document sha256=%s bytes=%d format=%s chars=%d %s in %.0f ms",
        hashlib.sha256(raw).hexdigest()[:12],
        len(raw),
        fmt,
        chars,
        "passed" if summary["passed"] else "failed",
        elapsed * 1000,
    )
    return report.to_dict()


def extract_text(doc: Document, settings: Settings) -> dict[str, Any]:
    """What the checker reads from a document (used by the page to show the evidence)."""
    text, fmt = extract(doc, settings)
    return {"format": fmt, "chars": len(text), "text": text}
