"""Hostile files: each one has a test and one clear outcome (a report, or a documented error
with its message), in bounded time and memory."""

from __future__ import annotations

import codecs
import contextlib
import gc
import time
import tracemalloc
import types
from collections.abc import Callable
from typing import Any

import pytest

from checker import cli
from checker.engine import check, check_bytes, check_path
from checker.errors import InputError
from checker.extract import (
    MAX_INPUT_BYTES,
    InputTooLargeError,
    decode_bytes,
    html_to_text,
    read_policy,
)
from checker.segment import MAX_SEGMENT_CHARS, segment
from tests.api.documents import DOCX_MEDIA_TYPE, make_docx_bomb
from tests.api.helpers import assert_problem
from tests.hardening.hostile import (
    docx_lying_bomb,
    docx_nested_tables,
    html_nested,
    pdf_flate_bomb,
    pdf_nested,
)

POLICY = (
    "We keep your data for two years after your account is closed. "
    "You can reach our Data Protection Officer at dpo@example.com. "
)


def measured(fn: Callable[[], Any]) -> tuple[Any, float, int]:
    """(result or the exception raised, seconds, peak Python allocation in bytes)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result: Any = fn()
    except Exception as e:
        result = e
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, peak


def assert_evidence_reproduces(report: Any, text: str) -> None:
    for element in report.elements:
        for ev in element.evidence + element.near_misses:
            assert text[ev.start : ev.end] == ev.text


# --- archives and documents ---------------------------------------------------------------


def test_docx_zip_bomb_is_refused_before_decompressing():
    data = make_docx_bomb(64 << 20)  # 64 MiB of zeros in a 64 KB file
    err, seconds, peak = measured(lambda: read_policy(data))
    assert isinstance(err, InputTooLargeError)
    assert "(refusing a possible archive bomb)" in str(err)
    assert seconds < 2 and peak < 8 << 20


def test_docx_bomb_whose_headers_lie_is_read_bounded_and_refused_as_damaged():
    data = docx_lying_bomb(64 << 20, declared=4096)  # the directory says 4 KB
    err, seconds, peak = measured(lambda: read_policy(data))
    assert isinstance(err, InputError)
    assert str(err) == "cannot read the DOCX: it is damaged or not a Word document"
    assert seconds < 2 and peak < 8 << 20


def test_docx_with_tables_nested_20000_deep_is_read():
    text, fmt = read_policy(docx_nested_tables(20_000))
    assert (text, fmt) == ("deep cell", "docx")


@pytest.mark.parametrize("kind, depth", [("array", 100_000), ("dict", 50_000)])
def test_pdf_with_deeply_nested_objects_is_refused_quickly(kind, depth):
    pytest.importorskip("pypdf")
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"^PDF has no extractable text"):
        read_policy(pdf_nested(kind, depth))
    assert time.perf_counter() - started < 10


def test_pdf_whose_stream_inflates_to_300_mib_is_refused_with_bounded_memory():
    pypdf = pytest.importorskip("pypdf")
    if not hasattr(pypdf, "Configuration"):
        pytest.skip("pypdf before 7 has no decompression limit; the API's child process does")
    data = pdf_flate_bomb(300 << 20)
    assert len(data) < 400_000
    err, _seconds, peak = measured(lambda: read_policy(data))
    assert isinstance(err, InputError) and "cannot read the PDF" in str(err)
    assert peak < 200 << 20  # pypdf stops inflating at 75 MB


def test_api_refuses_hostile_documents_with_problems(client):
    def post(data: bytes, media_type: str) -> Any:
        return client.post("/v1/check", content=data, headers={"content-type": media_type})

    assert_problem(post(make_docx_bomb(8 << 20), DOCX_MEDIA_TYPE), 413, "payload-too-large")
    assert_problem(
        post(docx_lying_bomb(16 << 20), DOCX_MEDIA_TYPE), 422, "unreadable-document", "damaged"
    )
    assert_problem(
        post(pdf_nested("array", 100_000), "application/pdf"),
        422,
        "unreadable-document",
        "no extractable text",
    )


# --- HTML ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tags", [("div",), ("b", "i", "span", "p"), ("ul", "li"), ("table", "tr", "td")]
)
def test_html_nested_100000_levels_gives_its_text(tiny_model, tags):
    html = html_nested(100_000, tags).encode()
    started = time.perf_counter()
    report = check_bytes(html, filename="deep.html", model=tiny_model)
    assert time.perf_counter() - started < 10
    text, _ = read_policy(html, filename="deep.html")
    assert "We keep your data for two years." in text
    assert_evidence_reproduces(report, text)


@pytest.mark.parametrize(
    "html, expected",
    [
        ("<p>Kept</p><![foo[ text ]]><p>after</p>", "Kept\n\nafter"),  # AssertionError before
        ("<p>Kept</p><![if !mso]>x<![endif]>", "Kept\n\nx"),
        ("<p>Kept</p><![", "Kept\n\n<!["),
        ("<p>Text <a href='x", "Text <a href='x"),
        ("<p>Open <!-- never closed", "Open <!-- never closed"),
        ("<p>a</p><!-- c --><p>b</p>", "a\n\nb"),
    ],
)
def test_broken_markup_is_read_as_text_never_an_exception(html, expected):
    assert html_to_text(html) == expected


# --- size ---------------------------------------------------------------------------------


def test_100_mib_file_is_refused_by_the_cli_without_reading_it(tmp_path, capsys):
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(100 << 20)  # sparse: 100 MiB on paper, nothing on disk
    small = tmp_path / "small.txt"
    small.write_text(POLICY, "utf-8")
    cli.main(["check", str(small)])  # load the model and the imports first: not measured
    capsys.readouterr()
    code, seconds, peak = measured(lambda: cli.main(["check", str(big)]))
    _, err = capsys.readouterr()
    assert code == 2
    assert err == (
        f"policycheck: {big}: input is too large: 104,857,600 bytes (100.0 MiB); "
        "the limit is 10,485,760 bytes (10.0 MiB)\n"
    )
    assert seconds < 2 and peak < 4 << 20


class EndlessStream:
    """Standard input that never ends (``yes | policycheck check -``): counts what is read."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        assert n >= 0, "read() without a limit would never return"
        self.read_bytes += n
        return b"We keep data. " * (n // 14) + b"x" * (n % 14)


def test_endless_stdin_is_refused_after_the_limit(monkeypatch, capsys):
    stream = EndlessStream()
    monkeypatch.setattr("sys.stdin", types.SimpleNamespace(buffer=stream))
    code = cli.main(["check", "-"])
    _, err = capsys.readouterr()
    assert code == 2
    assert err == (
        "policycheck: <stdin>: input is too large: over 10,485,760 bytes (10.0 MiB); "
        "the limit is 10,485,760 bytes (10.0 MiB)\n"
    )
    assert stream.read_bytes == MAX_INPUT_BYTES + 1


def test_100_mib_file_in_a_batch_fails_that_document_only(tmp_path):
    from checker.batch import Failed, check_many

    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(100 << 20)
    small = tmp_path / "small.txt"
    small.write_text(POLICY * 3, "utf-8")
    results, seconds, peak = measured(lambda: list(check_many([big, small])))
    assert isinstance(results[0], Failed) and results[0].error_type == "input"
    assert results[0].message.startswith("input is too large: 104,857,600 bytes")
    assert not isinstance(results[1], Failed)
    assert seconds < 5 and peak < 16 << 20


def test_library_check_path_refuses_100_mib_without_reading_it(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(100 << 20)
    err, _, peak = measured(lambda: check_path(big))
    assert isinstance(err, InputTooLargeError | InputError)
    assert peak < 4 << 20


def test_the_api_refuses_100_mib_before_reading_the_body(client):
    def endless():
        yield b"We keep data. " * 1000
        raise AssertionError("the body was read past its Content-Length check")

    r = client.post(
        "/v1/check",
        content=endless(),
        headers={"content-type": "text/plain", "content-length": str(100 << 20)},
    )
    assert_problem(r, 413, "payload-too-large", "request body is 104,857,600 bytes")


def test_a_5_mb_line_without_sentence_breaks_is_checked_in_bounded_segments(tiny_model):
    text = ("data " * 1_048_576).rstrip()  # 5 MiB, one line, no sentence break
    started = time.perf_counter()
    doc = segment(text)
    assert all(len(s.text) <= MAX_SEGMENT_CHARS for s in doc.segments)
    assert all(text[s.start : s.end] == s.text for s in doc.segments)
    report = check(text, model=tiny_model)
    assert report.summary()["passed"] is False
    assert time.perf_counter() - started < 60


# --- bytes and encodings ------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, outcome",
    [
        pytest.param(POLICY.encode() + b"\x00\x00\x00", "input looks like a binary file, not text",
                     id="nul-bytes"),
        pytest.param(b"\x00" * 1000, "input looks like a binary file, not text", id="only-nuls"),
        pytest.param(codecs.BOM_UTF16_LE + POLICY.encode(),
                     "input starts with a UTF-16 little-endian byte order mark but the text "
                     "after it is UTF-8: remove the byte order mark or save the file again as "
                     "UTF-8", id="utf16-bom-on-utf8"),
        pytest.param(codecs.BOM_UTF16_BE + POLICY.encode("utf-16-le"),
                     "input starts with a UTF-16 big-endian byte order mark but the text after "
                     "it is UTF-16 little-endian: remove the byte order mark or save the file "
                     "again as UTF-8", id="utf16-be-bom-on-le"),
        pytest.param(codecs.BOM_UTF8 + POLICY.encode("utf-16-le"),
                     "input starts with a UTF-8 byte order mark but the text after it is UTF-16 "
                     "little-endian: remove the byte order mark or save the file again as UTF-8",
                     id="utf8-bom-on-utf16"),
        pytest.param(codecs.BOM_UTF32_LE + b"abc", "input starts with a UTF-32 byte order mark "
                     "but is not valid UTF-32", id="utf32-bom-cut"),
        pytest.param(codecs.BOM_UTF8 + codecs.BOM_UTF8 + POLICY.encode(), POLICY, id="two-boms"),
        pytest.param(POLICY.encode() + "café déjà \xff end".encode().replace(b"\xc3\xbf", b"\xff"),
                     POLICY + "café déjà \ufffd end", id="utf8-with-a-stray-byte"),
        pytest.param(POLICY.encode() + "données".encode()[:5], POLICY + "donn\ufffd",
                     id="utf8-cut-mid-character"),
        pytest.param("Données à caractère personnel.".encode("cp1252"),
                     "Données à caractère personnel.", id="cp1252-stays-cp1252"),
    ],
)  # fmt: skip
def test_bytes_have_one_clear_outcome(data, outcome):
    try:
        text = decode_bytes(data)
    except InputError as e:
        assert str(e) == outcome
        return
    assert text == outcome


def test_nul_characters_in_submitted_text_are_kept_and_offsets_still_reproduce(tiny_model):
    text = POLICY + "\x00 Our service is not directed at children under 16.\x00\n"
    report = check(text, model=tiny_model)
    assert_evidence_reproduces(report, text)


def test_right_to_left_text_and_emoji_keep_their_offsets(tiny_model):
    text = (
        "🔒👨‍👩‍👧 سياسة الخصوصية\n\n"
        "نحتفظ ببياناتك لمدة عامين. \u202eשמירת נתונים\u202c למשך שנתיים. 🇪🇺🇸🇪\n"
        + POLICY
        + "Our service is not directed at children under 16. 🧒\n"
    )
    report = check(text, model=tiny_model)
    present = [e for e in report.elements if e.status == "present"]
    assert present, report.summary()
    assert_evidence_reproduces(report, text)
    data = text.encode("utf-16")
    assert decode_bytes(data) == text
    assert check_bytes(data, model=tiny_model).to_dict() == report.to_dict()


# --- time stays linear (regex backtracking, parser rescans) -------------------------------


def best_of(fn: Callable[[str], Any], text: str, runs: int = 3) -> float:
    """Best time of ``runs``, the garbage collector paused: a full collection walks every live
    object of the test session, which is the session's cost, not the checker's."""
    times = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(runs):
            started = time.perf_counter()
            with contextlib.suppress(InputError):
                fn(text)
            times.append(time.perf_counter() - started)
    finally:
        gc.enable()
    return min(times)


def assert_linear(fn: Callable[[str], Any], unit: str, n: int) -> None:
    """Time at 4n over time at n: about 4 when linear, 16 when quadratic. Bounded at 8."""
    small, large = (unit * (k // len(unit)) for k in (n, 4 * n))
    ratio = best_of(fn, large) / max(best_of(fn, small), 1e-3)
    assert ratio < 8, f"{unit!r}: 4x the input took {ratio:.1f}x the time"


HTML_BAIT = ["<a ", "<a/", "<a\n", '<a b="', "<a b=x ", "<!--", "<!-- >", "<![CDATA[ >",
             "<![if x] x", "</a ", "<? ", "<!x", "<![", "&#", "<div>", "<table><tr><td>"]  # fmt: skip


@pytest.mark.parametrize("unit", HTML_BAIT)
def test_html_extraction_time_is_linear(unit):
    assert_linear(html_to_text, unit, 60_000)


TEXT_BAIT = ["a", "a.", "a.a/", "1 ", "1(", "!", ". ", '."', "a@", "ab.cd-", "|", "# ", "- ",
             "Retention\n", "(", "a\u00a0", "… ", "dpo@x.eu/ ", "Word\n", "x" * 40 + "\n"]  # fmt: skip


@pytest.mark.parametrize("unit", TEXT_BAIT)
def test_checking_time_is_linear(tiny_model, unit):
    assert_linear(lambda text: check(text, model=tiny_model), unit, 30_000)


@pytest.mark.parametrize("unit", ["e.g. A ", "J. S ", "Art. 5 ", "a. B "])
def test_segmentation_time_is_linear_with_many_abbreviations(unit):
    # Sentence breaks rejected after abbreviations and initials: quadratic before 0e0ecd7.
    assert_linear(segment, unit, 50_000)
