"""Property tests on every input path: only documented errors escape, offsets reproduce the
text, the same input gives the same report. Budgets are modest (``conftest.budget``); scale
them with POLICYCHECK_FUZZ_SCALE for a long run."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.engine import check, check_bytes
from checker.errors import InputError, PolicycheckError
from checker.extract import decode_bytes, html_to_text, read_policy
from checker.segment import MAX_SEGMENT_CHARS, segment
from tests.hardening.conftest import budget, ran
from tests.hardening.strategies import (
    any_bytes,
    docx_bytes,
    html_text,
    pdf_bytes,
    policy_text,
)

FORMATS = {"text", "markdown", "html", "pdf", "docx"}


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail (rather than hang the suite) if one example takes longer than ``seconds``."""

    def expired(*_: object) -> None:
        raise AssertionError(f"one input took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@budget(150)
@given(any_bytes)
def test_fuzz_decode_gives_text_or_an_input_error(data: bytes) -> None:
    ran("decode")
    try:
        text = decode_bytes(data)
    except InputError as e:
        assert str(e) and "\n" not in str(e)
        return
    assert "\r" not in text and not text.startswith("\ufeff")


@budget(150)
@given(
    any_bytes,
    st.sampled_from([None, "p.txt", "p.md", "p.html", "p.pdf", "p.docx", "p"]),
    st.sampled_from([None, "text/plain", "text/html", "text/markdown", "application/pdf"]),
)
def test_fuzz_read_policy_only_input_errors(
    data: bytes, filename: str | None, media_type: str | None
) -> None:
    ran("read_policy")
    try:
        text, fmt = read_policy(data, filename=filename, media_type=media_type)
    except InputError:
        return
    assert fmt in FORMATS and text.strip()


@budget(200)
@given(html_text)
def test_fuzz_html_extraction_never_crashes(html: str) -> None:
    ran("html")
    try:
        text = html_to_text(html)
    except InputError:
        return
    assert "\n\n\n" not in text and text == text.strip()


@budget(40)
@given(pdf_bytes())
def test_fuzz_pdf_extraction_only_input_errors(data: bytes) -> None:
    pytest.importorskip("pypdf")
    ran("pdf")
    with time_limit(20):
        try:
            _text, fmt = read_policy(data)
        except InputError:
            return
    assert fmt in FORMATS


@budget(60)
@given(docx_bytes())
def test_fuzz_docx_extraction_only_input_errors(data: bytes) -> None:
    ran("docx")
    with time_limit(20):
        try:
            read_policy(data)
        except InputError:
            return


@budget(200)
@given(policy_text())
def test_fuzz_segments_reproduce_the_text(text: str) -> None:
    ran("segment")
    doc = segment(text)
    prev_end = 0
    for s in doc.segments:
        assert text[s.start : s.end] == s.text and s.text.strip() == s.text
        assert s.start >= prev_end and len(s.text) <= MAX_SEGMENT_CHARS
        assert text.count("\n", 0, s.start) + 1 == s.line
        prev_end = s.end


def assert_report_holds(report: dict, text: str) -> None:
    statuses = [e["status"] for e in report["elements"]]
    summary = report["summary"]
    assert summary["present"] == statuses.count("present")
    assert summary["absent"] == statuses.count("absent")
    for element in report["elements"]:
        assert 0.0 <= element["probability"] <= 1.0
        for ev in element["evidence"] + element["near_misses"]:
            assert text[ev["start"] : ev["end"]] == ev["text"]
            assert text.count("\n", 0, ev["start"]) + 1 == ev["line"]


@budget(80)
@given(policy_text())
def test_fuzz_report_offsets_and_determinism(tiny_model, text: str) -> None:
    ran("report")
    try:
        first = check(text, model=tiny_model).to_dict()
    except InputError:
        return
    assert_report_holds(first, text)
    assert check(text, model=tiny_model).to_dict() == first


@budget(80)
@given(any_bytes, st.sampled_from([None, "p.txt", "p.html", "p.md"]))
def test_fuzz_report_from_bytes(tiny_model, data: bytes, filename: str | None) -> None:
    ran("report_bytes")
    try:
        report = check_bytes(data, filename=filename, model=tiny_model).to_dict()
    except PolicycheckError as e:
        assert isinstance(e, InputError)
        return
    text, _ = read_policy(data, filename=filename)
    assert_report_holds(report, text)
    assert check_bytes(data, filename=filename, model=tiny_model).to_dict() == report
