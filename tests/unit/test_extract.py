"""What users rely on when they hand policycheck a file: it is read right, or refused clearly."""

from __future__ import annotations

import codecs
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.errors import InputError
from checker.extract import (
    MAX_INPUT_BYTES,
    decode_bytes,
    detect_format,
    html_to_text,
    read_policy,
)

POLICY_FR = "Nous traitons vos données “personnelles” — à votre demande, é è ç."
POLICY_DE = "Wir löschen Ihre Daten auf Anfrage. Größe, Übermittlung, Änderungen, Öffnung."
POLICY_PL = "Możesz poprosić nas o usunięcie informacji, które o Tobie przechowujemy."
POLICY_CS = "Můžete nás kdykoli požádat o výmaz údajů, které o vás uchováváme při zpracování."
POLICY_EL = "Μπορείτε να μας ζητήσετε να διαγράψουμε τις πληροφορίες που έχουμε για εσάς."
POLICY_BG = "Можете да поискате от нас да изтрием информацията, която съхраняваме за вас."


# --- decoding ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, expected",
    [
        pytest.param(POLICY_FR.encode("utf-8"), POLICY_FR, id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + POLICY_FR.encode("utf-8"), POLICY_FR, id="utf-8-bom"),
        pytest.param(
            codecs.BOM_UTF16_LE + POLICY_FR.encode("utf-16-le"), POLICY_FR, id="utf-16-le-bom"
        ),
        pytest.param(
            codecs.BOM_UTF16_BE + POLICY_FR.encode("utf-16-be"), POLICY_FR, id="utf-16-be-bom"
        ),
        pytest.param(POLICY_FR.encode("utf-32"), POLICY_FR, id="utf-32-bom"),
        pytest.param(POLICY_DE.encode("utf-16-le"), POLICY_DE, id="utf-16-le-no-bom"),
        pytest.param(POLICY_DE.encode("utf-16-be"), POLICY_DE, id="utf-16-be-no-bom"),
        pytest.param(POLICY_FR.encode("cp1252"), POLICY_FR, id="cp1252-curly-quotes"),
        pytest.param(
            "Café “Privacy” – résumé".encode("cp1252"), "Café “Privacy” – résumé", id="cp1252-short"
        ),
        pytest.param(POLICY_DE.encode("latin-1"), POLICY_DE, id="latin-1-umlauts"),
        pytest.param("Müller Straße".encode("latin-1"), "Müller Straße", id="latin-1-short"),
        pytest.param(POLICY_PL.encode("cp1250"), POLICY_PL, id="cp1250-polish"),
        pytest.param(POLICY_PL.encode("iso8859-2"), POLICY_PL, id="iso8859-2-polish"),
        pytest.param(POLICY_CS.encode("cp1250"), POLICY_CS, id="cp1250-czech"),
        pytest.param(POLICY_EL.encode("cp1253"), POLICY_EL, id="cp1253-greek"),
        pytest.param(POLICY_BG.encode("cp1251"), POLICY_BG, id="cp1251-bulgarian"),
    ],
)
def test_decodes_common_encodings(data: bytes, expected: str) -> None:
    assert decode_bytes(data) == expected


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"one\r\ntwo\r\n", "one\ntwo\n"),
        (b"one\rtwo\r", "one\ntwo\n"),
        (b"one\r\n\r\ntwo\rthree\n", "one\n\ntwo\nthree\n"),
        ("a\r\nb".encode("utf-16"), "a\nb"),
    ],
)
def test_newlines_are_normalised(data: bytes, expected: str) -> None:
    assert decode_bytes(data) == expected


def test_undefined_cp1252_bytes_are_kept_not_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "charset_normalizer", None)  # force the last resort
    assert decode_bytes(b"caf\xe9 \x81 ok \x93x\x94") == "café \x81 ok “x”"


def test_legacy_text_decodes_without_charset_normalizer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "charset_normalizer", None)  # makes the import fail
    assert decode_bytes(POLICY_FR.encode("cp1252")) == POLICY_FR


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "input is empty"),
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            "input is a PDF document, not text; use read_policy",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml word/document.xml",
            "input is a DOCX document, not text; use read_policy",
        ),
        (b"PK\x03\x04\x14\x00\x00\x00data.csv", "input looks like a ZIP archive, not text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "input looks like a PNG image, not text"),
        (b"GIF89a\x01\x00\x01\x00", "input looks like a GIF image, not text"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "input looks like a JPEG image, not text"),
        (
            b"Privacy policy\x00\x00\x07\x00\xff\x13binary",
            "input looks like a binary file, not text",
        ),
        (bytes(range(1, 256)) * 4, "input looks like a binary file, not text"),
        (b"\x01\x02\x03\x04\x05 short", "input looks like a binary file, not text"),
        (
            codecs.BOM_UTF16_LE + b"a\x00b",
            "input starts with a UTF-16 byte order mark but is not valid UTF-16",
        ),
    ],
    ids=[
        "empty",
        "pdf",
        "docx",
        "zip",
        "png",
        "gif",
        "jpeg",
        "nul-bytes",
        "controls",
        "few-controls",
        "bad-utf16",
    ],
)
def test_unreadable_input_is_refused_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as err:
        decode_bytes(data)
    assert str(err.value) == message


def test_too_large_input_names_size_and_limit() -> None:
    with pytest.raises(
        InputError, match=r"^input is too large: 101 bytes; the limit is 100 bytes$"
    ):
        decode_bytes(b"x" * 101, max_bytes=100)
    assert decode_bytes(b"x" * 100, max_bytes=100) == "x" * 100


def test_default_limit_is_ten_mebibytes() -> None:
    assert MAX_INPUT_BYTES == 10 * 1024 * 1024
    with pytest.raises(InputError, match=r"10,485,761 bytes .*the limit is 10,485,760 bytes"):
        decode_bytes(b"a" * (MAX_INPUT_BYTES + 1))


@given(st.binary(max_size=300))
def test_any_bytes_give_text_or_an_input_error(data: bytes) -> None:
    try:
        text = decode_bytes(data)
    except InputError:
        return
    assert "\r" not in text and not text.startswith("\ufeff")


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=300))
def test_utf8_text_round_trips(text: str) -> None:
    if text.startswith("\ufeff") or text.lstrip().startswith("{\\rtf") or "%PDF-" in text:
        return
    assert decode_bytes(text.encode("utf-8")) == text


# --- format detection --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, filename, media_type, expected",
    [
        ("plain words", None, "text/html", "html"),
        ("plain words", None, "text/html; charset=utf-8", "html"),
        ("plain words", None, "application/xhtml+xml", "html"),
        ("# Title", None, "text/markdown", "markdown"),
        ("<html><p>x</p></html>", None, "text/plain", "text"),
        ("<html><p>x</p></html>", "policy.md", "text/plain", "text"),  # media type wins
        ("plain words", "policy.HTML", None, "html"),
        ("plain words", "policy.htm", None, "html"),
        ("plain words", "dir/policy.xhtml", None, "html"),
        ("# Title", "README.md", None, "markdown"),
        ("# Title", "policy.markdown", None, "markdown"),
        ("<html><p>x</p></html>", "policy.txt", None, "text"),
        ("<!DOCTYPE html>\n<html><body>x</body></html>", None, None, "html"),
        ("  \n<HTML lang='en'><body>x</body></HTML>", None, None, "html"),
        ("<!-- saved page -->\n<!doctype html><p>x", None, None, "html"),
        ("<div>\n<h1>Privacy</h1>\n<p>We collect data.</p>\n</div>", None, None, "html"),
        ("<p>One line fragment</p>", "upload.bin", "application/octet-stream", "html"),
        ("# Privacy\n\nWe collect **data**.", None, None, "text"),  # undeclared Markdown
        ("Write to <privacy@example.com> or <Company Name>.", None, None, "text"),
        (
            "Privacy policy\nWe use <b>bold</b> once.\nAnd more lines.\nAnd more.",
            None,
            None,
            "text",
        ),
    ],
)
def test_detect_format(
    text: str, filename: str | None, media_type: str | None, expected: str
) -> None:
    assert detect_format(text, filename, media_type) == expected


# --- HTML to text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html, expected",
    [
        pytest.param(
            "<p>Before</p><script>var x = '<p>no</p>';</script><style>p {color: red}</style>"
            "<noscript>Enable JS</noscript><template><p>no</p></template>"
            "<svg><text>logo</text></svg><iframe>frame</iframe><p>After</p>",
            "Before\n\nAfter",
            id="dropped-elements",
        ),
        pytest.param(
            "<html><head><title>T</title><meta charset=utf-8></head>"
            "<body><p>Body</p></body></html>",
            "Body",
            id="head-dropped",
        ),
        pytest.param(
            "<h1>Privacy</h1><h2>Your <b>rights</b></h2><h6>Small</h6>",
            "# Privacy\n\n## Your rights\n\n###### Small",
            id="headings",
        ),
        pytest.param(
            "<ul><li>Name</li><li>Email <i>address</i></li></ul>",
            "- Name\n- Email address",
            id="list",
        ),
        pytest.param("<ol><li>First<li>Second</ol>", "- First\n- Second", id="unclosed-li"),
        pytest.param(
            "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td><p>2</p></td></tr></table>",
            "a | b\n1 | 2",
            id="table",
        ),
        pytest.param(
            "<table><tr><td>a</td><td></td><td>b</td></tr></table>", "a | b", id="empty-cell"
        ),
        pytest.param(
            "<p>Tom &amp; Jerry &lt;tag&gt; caf&eacute; &#8217; &#x2014; a&nbsp;b</p>",
            "Tom & Jerry <tag> café ’ — a b",
            id="entities",
        ),
        pytest.param(
            "<div>First</div><div>Second <span>part</span></div><p>Third</p>",
            "First\nSecond part\n\nThird",
            id="reading-order",
        ),
        pytest.param(
            "<p>We   collect\n\t your\n data.  </p>", "We collect your data.", id="spaces"
        ),
        pytest.param("<p>a</p><p></p><div></div><br><br><p>b</p>", "a\n\nb", id="one-blank-line"),
        pytest.param(
            "Line one<br>Line two<br/>Line three", "Line one\nLine two\nLine three", id="br"
        ),
        pytest.param("<pre>kept\n  lines\n\nhere</pre>", "kept\nlines\n\nhere", id="pre"),
        pytest.param(
            "<p>Open <b>bold <div>inner</p></span> tail", "Open bold\ninner\n\ntail", id="broken"
        ),
        pytest.param(
            "<html><head><title>x</title><p>No body tag", "No body tag", id="unclosed-head"
        ),
        pytest.param("<p>Cut off <", "Cut off <", id="truncated"),
        pytest.param("<p>Shown</p><script>never closed <p>hidden", "Shown", id="unclosed-script"),
        pytest.param(
            "<dl><dt>Controller</dt><dd>ACME Ltd</dd></dl>", "Controller\nACME Ltd", id="dl"
        ),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_deeply_nested_html_finishes_fast() -> None:
    html = "<div>" * 100_000 + "deep text" + "</div>" * 100_000
    assert html_to_text(html) == "deep text"  # no RecursionError; speed is benchmarked elsewhere


def test_deeply_nested_unclosed_tables_and_lists_finish() -> None:
    assert html_to_text("<table><tr><td>" * 20_000 + "cell") == "cell"
    assert html_to_text("<ul><li>" * 20_000 + "item") == "- item"


@given(st.text(alphabet=st.sampled_from(list("<>/=\"'&;#! abdipvlhrt1\n")), max_size=200))
def test_html_to_text_never_crashes(html: str) -> None:
    text = html_to_text(html)
    assert "\n\n\n" not in text and text == text.strip()


# --- read_policy -------------------------------------------------------------------------


def test_read_policy_converts_html() -> None:
    data = b"<!DOCTYPE html><html><body><h2>Rights</h2><p>You may object.</p></body></html>"
    assert read_policy(data) == ("## Rights\n\nYou may object.", "html")


@pytest.mark.parametrize(
    "data, kwargs, expected",
    [
        (
            b"# Title\r\n\r\nWe   keep *spacing*.\r\n",
            {"filename": "p.md"},
            ("# Title\n\nWe   keep *spacing*.\n", "markdown"),
        ),
        ("  Indented\r\ntext  \n", {}, ("  Indented\ntext  \n", "text")),
        ("\ufeffPolicy", {}, ("Policy", "text")),
        ("<p>Declared text</p>", {"media_type": "text/plain"}, ("<p>Declared text</p>", "text")),
        (
            "<p>Declared html</p>",
            {"filename": "policy.txt", "media_type": "text/html"},
            ("Declared html", "html"),
        ),
    ],
)
def test_read_policy_keeps_text_as_written(
    data: bytes | str, kwargs: dict[str, str], expected: tuple[str, str]
) -> None:
    assert read_policy(data, **kwargs) == expected


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "input is empty"),
        ("", "input is empty"),
        (b"  \r\n\t", "input has no text"),
        ("2024-01-01 12:00 | 42 %", "input has no text"),
        (b"<html><script>var a = 1;</script></html>", "input has no text"),
        ("x" * 101, "input is too large: 101 bytes; the limit is 100 bytes"),
        ("é" * 51, "input is too large: 102 bytes; the limit is 100 bytes"),
        ("text\x00\x01\x02\x03", "input looks like a binary file, not text"),
        (b"%PDF-1.4", "cannot read the PDF: it is damaged or not a PDF"),
    ],
)
def test_read_policy_refuses_unusable_input(data: bytes | str, message: str) -> None:
    with pytest.raises(InputError) as err:
        read_policy(data, max_bytes=100)
    assert str(err.value) == message


def test_importing_does_not_load_charset_normalizer() -> None:
    code = "import sys, checker.extract; sys.exit('charset_normalizer' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0


def _slow_parser(data: bytes, *, max_chars: int) -> str:
    """A parser caught in a pathological file: pure Python, busy for seconds."""
    import time

    end = time.monotonic() + 5
    while time.monotonic() < end:
        pass
    return "never"


def test_a_pdf_that_parses_too_long_is_stopped(monkeypatch):
    import signal
    import time

    from checker import extract

    monkeypatch.setattr(extract, "pdf_to_text", _slow_parser)
    before = signal.getsignal(signal.SIGALRM)
    t0 = time.monotonic()
    with pytest.raises(extract.ParseTimeoutError, match=r"PDF took longer than 0\.2 s"):
        extract.read_policy(b"%PDF-1.7\n...", parse_seconds=0.2)
    assert time.monotonic() - t0 < 2
    assert signal.getsignal(signal.SIGALRM) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_cli_reports_a_parse_timeout_as_one_line_and_exit_2(monkeypatch, capsys, tmp_path):
    from checker import extract
    from checker.cli import main

    monkeypatch.setattr(extract, "pdf_to_text", _slow_parser)
    monkeypatch.setattr(extract, "MAX_PARSE_SECONDS", 0.2)
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(b"%PDF-1.7\n...")
    assert main(["check", str(slow)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "PDF took longer than 0.2 s to read" in err[0]
