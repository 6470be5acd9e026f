"""Turn what a user hands us (bytes or a string: text, Markdown, HTML, PDF, DOCX) into policy text.

Everything a user can get wrong here (empty, huge, binary, damaged, undecodable) becomes an
``InputError`` with a message that says what was found, so the CLI and API can show it as is.
Plain text and Markdown are returned as the user wrote them (only newlines are normalised), so
offsets and line numbers in a report point into the user's own file.

PDF (via pypdf) and DOCX (the standard library's zipfile and expat) are imported lazily, so
checking a text file never pays for them. Both are bounded: a PDF's page count and extracted
text, a DOCX archive's member count, total uncompressed size and compression ratio (checked
before anything is decompressed) and its XML (no DTDs or entities, streamed).
"""

from __future__ import annotations

import codecs
import os
import re
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from checker.errors import InputError
from checker.language import count_function_words, odd_characters

MAX_INPUT_BYTES = 10 * 1024 * 1024

# How much of the input the binary / UTF-16 / HTML sniffers look at: enough to be sure, cheap.
_SNIFF_BYTES = 64 * 1024
# Above this share of control characters the input is not prose.
_MAX_CONTROL_SHARE = 0.05

_BINARY = "input looks like a binary file, not text"

# PDF and DOCX limits. The text extracted from either is also capped at ``max_bytes`` characters.
MAX_PDF_PAGES = 1000
MAX_DOCX_MEMBERS = 2000
# Wall-clock limit on reading one PDF or DOCX in this process (the CLI, batch, the library);
# the API parses in a child process with its own, shorter limit.
MAX_PARSE_SECONDS = 30.0
MAX_DOCX_UNCOMPRESSED = 64 * 1024 * 1024  # all members together, as declared in the archive
MAX_DOCX_RATIO = 100  # uncompressed / compressed, for any member above _DOCX_RATIO_FLOOR
_DOCX_RATIO_FLOOR = 1024 * 1024

_DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class InputTooLargeError(InputError):
    """The input, or what it expands to (an archive, a PDF's pages), exceeds a size limit."""


class ParseTimeoutError(InputError):
    """A PDF or DOCX took longer than its time limit to read."""


@contextmanager
def parse_deadline(seconds: float | None, what: str) -> Iterator[None]:
    """Raise ``ParseTimeoutError`` once ``seconds`` have passed.

    A hostile PDF can keep a parser busy for minutes. pypdf and the DOCX reader are pure Python,
    so a SIGALRM handler interrupts them between bytecodes. Signals reach only the main thread:
    elsewhere (a library user's worker thread), or when the process already runs a timer, there
    is no limit here and the size limits alone apply."""
    if (
        not seconds
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getitimer(signal.ITIMER_REAL)[0] > 0
    ):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise ParseTimeoutError(f"{what} took longer than {seconds:g} s to read; not checked")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# (magic prefix, what it is). PDF and DOCX are recognised separately and extracted.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (.doc, .xls)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an executable"),
    (b"{\\rtf", "an RTF document"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

# UTF-32 first: its little-endian BOM starts with the UTF-16 one.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)

# Legacy code pages EU policies are written in, Western first. charset_normalizer also proposes
# DOS, Mac and CJK code pages, which decode short Western texts "cleanly" into nonsense.
_EU_CODECS = (
    "cp1252", "iso8859_15", "latin_1", "cp1250", "iso8859_2", "iso8859_16", "cp1257",
    "iso8859_13", "iso8859_4", "iso8859_10", "iso8859_14", "iso8859_3", "cp1253", "iso8859_7",
    "cp1251", "iso8859_5",
)  # fmt: skip

_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r") + b"\x7f"
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_LETTER = re.compile(r"[^\W\d_]")


def decode_bytes(data: bytes, *, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Decode user bytes to text with newlines normalised, or raise InputError saying why not.

    PDF and DOCX are documents, not encoded text: ``read_policy`` extracts them.
    """
    _check_size(len(data), max_bytes)
    _check_magic(data)
    return _normalise(_decode(data))


def sniff_document(data: bytes) -> str | None:
    """Return "pdf" or "docx" when the bytes are one of those documents, else None."""
    # The PDF header may follow a little junk (the spec allows it within the first 1024 bytes).
    if b"%PDF-" in data[:1024]:
        return "pdf"
    # File names in a zip are stored uncompressed, so a Word document shows its "word/" part.
    if data.startswith(_ZIP_MAGIC) and b"word/" in data:
        return "docx"
    return None


def detect_format(text: str, filename: str | None = None, media_type: str | None = None) -> str:
    """Return "text", "markdown" or "html": what the user declared wins over sniffing."""
    if media_type:
        declared = _MEDIA_TYPES.get(media_type.split(";", 1)[0].strip().lower())
        if declared:
            return declared
    if filename:
        declared = _EXTENSIONS.get(os.path.splitext(filename)[1].lower())
        if declared:
            return declared
    # Undeclared Markdown stays "text": segmentation treats it as plain text anyway.
    return "html" if _looks_like_html(text) else "text"


def read_policy(
    data: bytes | str,
    *,
    filename: str | None = None,
    media_type: str | None = None,
    max_bytes: int = MAX_INPUT_BYTES,
    parse_seconds: float | None = None,
) -> tuple[str, str]:
    """Return (policy text, format) for user input; HTML, PDF and DOCX are converted to text.

    The format is "text", "markdown", "html", "pdf" or "docx". Text and Markdown are kept as
    written, so report offsets point into the user's file; for the others they point into the
    extracted text. Reading a PDF or DOCX stops after ``parse_seconds`` (by default
    ``MAX_PARSE_SECONDS``; 0 for no limit), see ``parse_deadline``.
    """
    if isinstance(data, bytes):
        document = sniff_document(data)
        if document is not None:
            _check_size(len(data), max_bytes)
            seconds = MAX_PARSE_SECONDS if parse_seconds is None else parse_seconds
            with parse_deadline(seconds, document.upper()):
                if document == "pdf":
                    text = pdf_to_text(data, max_chars=max_bytes)
                else:
                    text = docx_to_text(data, max_chars=max_bytes)
            if not _LETTER.search(text):
                raise InputError(
                    f"{document.upper()} has no extractable text"
                    + (" (a scanned document? run OCR on it first)" if document == "pdf" else "")
                )
            return text, document
        text = decode_bytes(data, max_bytes=max_bytes)
    else:
        _check_str_size(data, max_bytes)
        _check_controls(data)
        text = _normalise(data)
    fmt = detect_format(text, filename, media_type)
    if fmt == "html":
        text = html_to_text(text)
    if not _LETTER.search(text):
        raise InputError("input has no text")
    return text, fmt


def read_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a file; one over ``max_bytes`` is refused without being read.

    A regular file's size is known before reading; a pipe, a device (``/dev/zero``) or a file
    that grows is read to at most ``max_bytes + 1`` bytes, so memory stays bounded whatever the
    input. Raises InputError when too large, OSError when it cannot be read.
    """
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > max_bytes:
            _check_size(size, max_bytes)
        return read_stream(f, max_bytes=max_bytes)


def read_stream(stream: Any, *, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """Read a binary stream (standard input) to its end, refusing more than ``max_bytes``."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(
            f"input is too large: over {_size(max_bytes)}; the limit is {_size(max_bytes)}"
        )
    return bytes(data)


# --- checks -------------------------------------------------------------------------------


def _check_size(size: int, max_bytes: int) -> None:
    if size == 0:
        raise InputError("input is empty")
    if size > max_bytes:
        raise InputError(f"input is too large: {_size(size)}; the limit is {_size(max_bytes)}")


def _check_str_size(text: str, max_bytes: int) -> None:
    # Measured as UTF-8, the way it would arrive as a file; short strings need no encoding.
    fits = 4 * len(text) <= max_bytes
    _check_size(len(text) if fits else len(text.encode("utf-8", "surrogatepass")), max_bytes)


def _size(n: int) -> str:
    return f"{n:,} bytes" + (f" ({n / 2**20:.1f} MiB)" if n >= 2**20 else "")


def _check_magic(data: bytes) -> None:
    document = sniff_document(data)
    if document is not None:
        raise InputError(f"input is a {document.upper()} document, not text; use read_policy")
    if data.startswith(_ZIP_MAGIC):
        raise InputError("input looks like a ZIP archive, not text")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"input looks like {what}, not text")


def _check_control_bytes(data: bytes) -> None:
    sample = data[:_SNIFF_BYTES]
    if len(sample) - len(sample.translate(None, _CONTROL_BYTES)) > _MAX_CONTROL_SHARE * len(sample):
        raise InputError(_BINARY)


def _check_controls(text: str) -> None:
    sample = text[:_SNIFF_BYTES]
    if sample and len(_CONTROL_CHARS.findall(sample)) > _MAX_CONTROL_SHARE * len(sample):
        raise InputError(_BINARY)


# --- decoding -----------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            _check_bom_agrees(data[len(bom) :], codec)
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                if name == "UTF-8":  # a BOM on a file edited in another encoding: guess the rest
                    _check_control_bytes(data)
                    return _decode_legacy(data[len(bom) :])
                raise InputError(
                    f"input starts with a {name} byte order mark but is not valid {name}"
                ) from None
            _check_controls(text)
            return text
    if b"\x00" in data:
        return _decode_utf16_without_bom(data)
    _check_control_bytes(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_mostly_utf8(data) or _decode_legacy(data)


def _decode_mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken bytes (a file cut mid-character, a stray byte from another
    encoding): decoded as UTF-8 with U+FFFD for the broken bytes, rather than read whole in a
    legacy code page ("cafÃ©"). Legacy text almost never holds valid UTF-8 sequences, so it
    takes at least twice as many valid non-ASCII characters as broken ones."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.reason == "unexpected end of data":  # valid up to a character cut at the end
            return data[: e.start].decode("utf-8") + "\ufffd"
    text = data.decode("utf-8", "replace")
    broken = text.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    valid = non_ascii - text.count("\ufffd")
    return text if valid >= max(1, 2 * broken) else None


_BOM_NAMES = {
    "utf-8": "UTF-8",
    "utf-16-le": "UTF-16 little-endian",
    "utf-16-be": "UTF-16 big-endian",
    "utf-32-le": "UTF-32 little-endian",
    "utf-32-be": "UTF-32 big-endian",
}


def _check_bom_agrees(rest: bytes, codec: str) -> None:
    """Refuse a byte order mark that contradicts the bytes after it (a wrong or pasted BOM).

    Decoding by the mark would turn such a file into nonsense (UTF-8 read as UTF-16 is all CJK
    characters) or call it binary; saying what was found tells the user what to fix.
    """
    if codec.startswith("utf-32") or not rest:
        return  # a mismatch there is simply invalid UTF-32, which decoding reports
    sample = rest[:_SNIFF_BYTES]
    found: str | None = None
    if b"\x00" in sample:
        found = _utf16_order(rest)
    elif codec != "utf-8" and len(sample) >= 8:
        # UTF-16 text has NULs unless it has no ASCII character at all (CJK without a space
        # or a line break), so NUL-free bytes full of spaces after a UTF-16 mark are UTF-8.
        spaces = sample.count(b" ") + sample.count(b"\n")
        try:
            sample.decode("utf-8")
        except UnicodeDecodeError as e:
            valid = e.start >= len(sample) - 3  # the sample may end mid-character
        else:
            valid = True
        found = "utf-8" if valid and spaces >= 0.05 * len(sample) else None
    if found is not None and found != codec:
        raise InputError(
            f"input starts with a {_BOM_NAMES[codec]} byte order mark but the text after it is "
            f"{_BOM_NAMES[found]}: remove the byte order mark or save the file again as UTF-8"
        )


def _utf16_order(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when the NULs in ``data`` follow the pattern of UTF-16 text.

    In UTF-16 text of European languages the high byte of nearly every character is one of two
    values (0 for ASCII and a script block such as 0x03 for Greek), all on one byte parity.
    """
    sample = data[: _SNIFF_BYTES - _SNIFF_BYTES % 2]
    for codec, high in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        low = sample[0::2] if codec == "utf-16-le" else sample[1::2]
        nuls = high.count(0)
        if nuls < 0.05 * len(high) or low.count(0) > 0.02 * nuls:
            continue
        common = sum(n for _, n in Counter(high).most_common(2))
        if common >= 0.9 * len(high):
            return codec
    return None


def _decode_utf16_without_bom(data: bytes) -> str:
    """Accept NULs only in the pattern of UTF-16 text; anything else is binary."""
    codec = _utf16_order(data)
    if codec is not None and not len(data) % 2:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            raise InputError(_BINARY) from None
        _check_controls(text)
        return text
    raise InputError(_BINARY)


def _decode_legacy(data: bytes) -> str:
    """Not UTF-8: try charset_normalizer's candidates and the EU code pages; the text decides.

    On a few sentences charset_normalizer often ranks cp1250, hp_roman8 or even cp932 above
    cp1252 for Western European text. A wrong code page shows in the result: letters the
    language does not use ("Mùžete"), symbols inside words ("tu¿a"), fewer function words
    ("für", "à", "się"). Ties keep charset_normalizer's order, then the EU list, cp1252 first.
    """
    matches: list[Any]
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        matches = []
    else:
        matches = list(from_bytes(data))
    candidates = []
    for match in matches:
        names = match.could_be_from_charset
        codec = next((c for c in _EU_CODECS if c in names), match.encoding)
        if codec not in candidates:
            candidates.append(codec)
    candidates += [c for c in _EU_CODECS if c not in candidates]
    sample = data[:_SNIFF_BYTES]

    def oddness(codec: str) -> tuple[int, int]:
        text = _decode_as(sample, codec, errors="ignore")  # the sample may end mid-character
        return odd_characters(text), -count_function_words(text)

    for codec in sorted(candidates, key=oddness):  # a stable sort: ties keep the order
        try:
            return _decode_as(data, codec)
        except UnicodeDecodeError:
            continue
    return _decode_cp1252_lossless(data)


def _decode_as(data: bytes, codec: str, errors: str = "strict") -> str:
    return _decode_cp1252_lossless(data) if codec == "cp1252" else data.decode(codec, errors)


def _decode_cp1252_lossless(data: bytes) -> str:
    # cp1252 leaves five bytes undefined; keep them as the code points latin-1 gives them
    # rather than dropping or replacing them (they then count as odd characters).
    return "".join(
        chunk.decode("latin-1") if i % 2 else chunk.decode("cp1252")
        for i, chunk in enumerate(re.split(b"([\x81\x8d\x8f\x90\x9d]+)", data))
    )


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text[1:] if text.startswith("\ufeff") else text


# --- format detection ---------------------------------------------------------------------

_MEDIA_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/plain": "text",
}
_EXTENSIONS = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
}
_TAG_LINE = re.compile(
    r"\s*</?(?:html|head|body|div|p|span|a|h[1-6]|ul|ol|li|table|thead|tbody|tr|td|th|section"
    r"|article|header|footer|main|nav|aside|br|hr|strong|em|b|i|meta|link|script|style|title"
    r"|img|form|blockquote|pre|dl|dt|dd)\b[^>]*>",
    re.IGNORECASE,
)


def _looks_like_html(text: str) -> bool:
    head = text[:_SNIFF_BYTES].lstrip().lower()
    while head.startswith("<!--") and "-->" in head:
        head = head[head.index("-->") + 3 :].lstrip()
    if head.startswith(("<!doctype html", "<html")):
        return True
    if head.startswith("<?xml") and "<html" in head[:2000]:
        return True
    lines = [line for line in head.splitlines()[:400] if line.strip()][:200]
    tagged = sum(1 for line in lines if _TAG_LINE.match(line))
    return bool(lines) and tagged >= 0.5 * len(lines)


# --- HTML to text -------------------------------------------------------------------------

_DROP = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe", "title"})
# What may appear inside <head>; any other start tag means the head was left unclosed.
_HEAD_CONTENT = frozenset(
    {"title", "meta", "link", "style", "script", "base", "noscript", "template"}
)
# Blocks separated by a blank line from their neighbours...
_PARAGRAPH = frozenset(
    {
        "p", "section", "article", "table", "ul", "ol", "dl", "blockquote", "pre", "header",
        "footer", "main", "address", "nav", "aside", "figure", "form", "fieldset", "hr",
        "details", "body", "html",
    }
)  # fmt: skip
# ...and blocks that only start a new line.
_LINE = frozenset(
    {"div", "br", "li", "tr", "dt", "dd", "caption", "figcaption", "summary", "legend", "option"}
)
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "base", "wbr", "col", "source"})


def html_to_text(html: str) -> str:
    """Readable text in reading order: headings as "# ", list items as "- ", rows as "a | b"."""
    parser = _TextExtractor()
    try:
        parser.feed(_defuse(html))
        parser.close()
    except AssertionError:  # html.parser's last resort on markup it cannot tokenise
        raise InputError("cannot read the HTML: its markup is damaged") from None
    return parser.text()


_COMMENT_CLOSE = re.compile(r"--\s*>")  # what html.parser accepts as the end of a comment


def _defuse(html: str) -> str:
    """Keep html.parser linear and exception-free on hostile markup; the text is unchanged.

    At the end of the input, html.parser treats each construct it cannot complete (a ``<`` with
    no ``>`` after it, a ``<!--`` with no ``-->``) as text, but only after searching to the end
    of the input for its terminator, once per construct: quadratic time for ``"<a " * n``.
    Such openers are escaped here, so they are the same text without the search. ``<![`` marked
    sections make it raise AssertionError on unknown keywords; HTML5 reads them as a bogus
    comment up to the next ``>``, which is what ``<?`` gets, so they are rewritten to that.
    """
    if "<" not in html:
        return html
    cut = html.rfind(">") + 1  # no "<" from here on can be completed
    head, tail = html[:cut].replace("<![", "<?["), html[cut:].replace("<", "&lt;")
    if "<!--" in head:
        last_close = -1
        for m in _COMMENT_CLOSE.finditer(head):
            last_close = m.start()
        # html.parser looks for the end of a comment from 4 characters after its "<!--"
        first_open = head.find("<!--", max(0, last_close - 3))
        if first_open >= 0:
            head = head[:first_open] + head[first_open:].replace("<!--", "&lt;!--")
    return head + tail


@dataclass
class _Table:
    # Cells of the open row (each a list of text parts), None between rows.
    row: list[list[str]] | None = None
    # The enclosing cell of a nested table. A nested table writes straight into it, so that
    # deep nesting costs no copying: its only cell is that list, its cells are " | " in it.
    outer: list[str] | None = None
    cells: int = 0


class _TextExtractor(HTMLParser):
    """Event-driven, so no recursion: depth of nesting only costs a few counters."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._lines: list[str] = []
        self._cur: list[str] = []
        self._prefix = ""
        self._skip: str | None = None
        self._skip_depth = 0
        self._pre = 0
        self._tables: list[_Table] = []

    def text(self) -> str:
        self._flush()
        while self._lines and not self._lines[-1]:
            self._lines.pop()
        start = 0
        while start < len(self._lines) and not self._lines[start]:
            start += 1
        return "\n".join(self._lines[start:])

    def close(self) -> None:
        super().close()
        while self._tables:
            self._end_table()

    # -- events

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip is not None:
            if self._skip == "head" and tag not in _HEAD_CONTENT and tag != "head":
                self._skip = None  # unclosed <head>: the body has started
            else:
                self._skip_depth += tag == self._skip
                return
        if tag in _DROP:
            self._skip, self._skip_depth = tag, 1
        elif tag in _HEADINGS:
            self._break(paragraph=True)
            self._prefix = "#" * _HEADINGS[tag] + " "
        elif tag == "li":
            self._break()
            self._prefix = "- "
        elif tag == "br":
            if not self._break():
                self._blank()
        elif tag == "pre":
            self._break(paragraph=True)
            self._pre += 1
        elif tag == "table":
            self._break(paragraph=True)
            self._tables.append(_Table(outer=self._cell()))
        elif tag == "tr":
            if not self._tables:
                self._tables.append(_Table(outer=self._cell()))
            self._start_row()
        elif tag in ("td", "th") and self._tables:
            self._start_cell()
        elif tag in _PARAGRAPH:
            self._break(paragraph=True)
        elif tag in _LINE:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip is not None or tag in _DROP:
            return  # a self-closed <svg/> has no content to drop
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip is not None:
            if tag == self._skip:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._skip = None
            return
        if tag in _HEADINGS:
            self._break(paragraph=True)
            self._prefix = ""
        elif tag == "li":
            self._break()
            self._prefix = ""
        elif tag == "pre":
            self._pre = max(0, self._pre - 1)
            self._break(paragraph=True)
        elif tag == "table":
            if self._tables:
                self._end_table()
            self._break(paragraph=True)
        elif tag == "tr":
            self._end_row()
        elif tag in _PARAGRAPH:
            self._break(paragraph=True)
        elif tag in _LINE and tag != "br":
            self._break()

    def handle_data(self, data: str) -> None:
        if self._skip is not None:
            return
        cell = self._cell()
        if cell is not None:
            cell.append(data)
        elif self._pre:
            first, *rest = data.split("\n")
            self._cur.append(first)
            for line in rest:
                if not self._flush():
                    self._blank()
                self._cur.append(line)
        else:
            self._cur.append(data)

    # -- output

    def _cell(self) -> list[str] | None:
        """The table cell text goes to, if any: inside a cell, blocks are only spaces."""
        if not self._tables:
            return None
        table = self._tables[-1]
        if table.row is None:
            return table.outer
        if not table.row:
            table.row.append([])
        return table.row[-1]

    def _flush(self) -> bool:
        line = " ".join("".join(self._cur).split())
        self._cur.clear()
        if not line:
            return False
        self._lines.append(self._prefix + line)
        self._prefix = ""
        return True

    def _blank(self) -> None:
        if self._lines and self._lines[-1]:
            self._lines.append("")

    def _break(self, paragraph: bool = False) -> bool:
        """End the current line (and paragraph); return whether a line was written."""
        cell = self._cell()
        if cell is not None:
            cell.append(" ")
            return True
        written = self._flush()
        if paragraph:
            self._blank()
        return written

    def _start_row(self) -> None:
        self._end_row()
        table = self._tables[-1]
        table.cells = 0
        if table.outer is None:
            table.row = []
        else:
            table.outer.append(" ")
            table.row = [table.outer]

    def _start_cell(self) -> None:
        table = self._tables[-1]
        if table.row is None:
            self._start_row()
        if table.outer is not None:
            if table.cells:
                table.outer.append(" | ")
        elif table.row is not None:
            table.row.append([])
        table.cells += 1

    def _end_row(self) -> None:
        table = self._tables[-1] if self._tables else None
        if table is None or table.row is None:
            return
        if table.outer is not None:
            table.row = None
            table.outer.append(" ")
            return
        cells = [" ".join("".join(parts).split()) for parts in table.row]
        table.row = None
        line = " | ".join(cell for cell in cells if cell)
        if line:
            self._flush()
            self._lines.append(line)

    def _end_table(self) -> None:
        self._end_row()
        self._tables.pop()


# --- PDF ----------------------------------------------------------------------------------


def pdf_to_text(data: bytes, *, max_chars: int = MAX_INPUT_BYTES) -> str:
    """The text of a PDF, page after page (pages separated by a blank line).

    Refuses encrypted PDFs it cannot open, more than ``MAX_PDF_PAGES`` pages and more than
    ``max_chars`` characters of text; anything pypdf cannot parse is a damaged PDF.
    """
    import logging

    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - depends on the environment
        raise InputError("reading PDF needs pypdf: pip install 'policycheck[pdf]'") from None
    import io

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are noise to a user
    pages: list[str] = []
    total = 0
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))
            except Exception:  # e.g. AES without the optional cryptography package
                opened = False
            if not opened:
                raise InputError("PDF is encrypted (password-protected); remove the protection")
        n_pages = len(reader.pages)
        if n_pages > MAX_PDF_PAGES:
            raise InputTooLargeError(
                f"PDF has {n_pages:,} pages; the limit is {MAX_PDF_PAGES:,} pages"
            )
        for page in reader.pages:
            text = page.extract_text() or ""
            total += len(text)
            if total > max_chars:
                raise InputTooLargeError(
                    f"PDF text is too large: over {max_chars:,} characters; "
                    f"the limit is {max_chars:,} characters"
                )
            pages.append(text)
    except InputError:
        raise
    except MemoryError:
        raise InputTooLargeError("PDF needs too much memory to read") from None
    except Exception:  # pypdf raises many kinds of error on a damaged or hostile file
        raise InputError("cannot read the PDF: it is damaged or not a PDF") from None
    text = "\n\n".join(_clean_pdf_page(p) for p in pages)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _clean_pdf_page(text: str) -> str:
    text = _normalise(text).replace("\x00", "")
    return _CONTROL_CHARS.sub(" ", text).strip("\n")


# --- DOCX ---------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_HEADING_STYLE = re.compile(r"(?:heading|title|berschrift|titre|titolo|kop|rubrik)\s*(\d?)", re.I)


def docx_to_text(data: bytes, *, max_chars: int = MAX_INPUT_BYTES) -> str:
    """The text of a Word (.docx) document in reading order, like ``html_to_text``.

    Headings become "# ", list items "- ", table rows "a | b", paragraphs are separated by a
    blank line. Before anything is decompressed, the archive's member count, declared total
    uncompressed size and compression ratios are checked, so archive bombs are refused; the
    XML is streamed with DTDs and entities refused.
    """
    import io
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # BadZipFile, OSError, ValueError, EOFError... on a damaged directory
        raise InputError("cannot read the DOCX: it is damaged or not a Word document") from None
    with archive:
        members = archive.infolist()
        _check_archive(members)
        try:
            name = _docx_main_part(archive)
            with archive.open(name) as stream:
                return _WordText(max_chars).parse(stream)
        except InputError:
            raise
        except MemoryError:
            raise InputTooLargeError("DOCX needs too much memory to read") from None
        except Exception:  # zlib, CRC, truncated member, expat: all a damaged file
            raise InputError("cannot read the DOCX: it is damaged or not a Word document") from None


def _check_archive(members: list[Any]) -> None:
    if len(members) > MAX_DOCX_MEMBERS:
        raise InputTooLargeError(
            f"DOCX archive has {len(members):,} members; the limit is {MAX_DOCX_MEMBERS:,}"
        )
    total = sum(m.file_size for m in members)
    if total > MAX_DOCX_UNCOMPRESSED:
        raise InputTooLargeError(
            f"DOCX expands to {_size(total)}; the limit is {_size(MAX_DOCX_UNCOMPRESSED)} "
            "(refusing a possible archive bomb)"
        )
    for m in members:
        if m.file_size > _DOCX_RATIO_FLOOR and m.file_size > MAX_DOCX_RATIO * max(
            m.compress_size, 1
        ):
            raise InputTooLargeError(
                f"DOCX member {m.filename[:80]!r} is compressed "
                f"{m.file_size // max(m.compress_size, 1):,}:1; the limit is {MAX_DOCX_RATIO}:1 "
                "(refusing a possible archive bomb)"
            )


def _docx_main_part(archive: Any) -> str:
    names = set(archive.namelist())
    if "word/document.xml" in names:
        return "word/document.xml"
    # A renamed main part is declared in [Content_Types].xml.
    if "[Content_Types].xml" in names and archive.getinfo("[Content_Types].xml").file_size < 2**20:
        types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
        for m in re.finditer(r"<Override\b[^>]*>", types):
            tag = m.group(0)
            part = re.search(r'PartName="/?([^"]+)"', tag)
            if part and "wordprocessingml.document.main" in tag and part.group(1) in names:
                return part.group(1)
    raise InputError("input is a ZIP archive but not a Word document (no word/document.xml)")


class _WordText:
    """Streaming WordprocessingML reader (expat): bounded memory, no DTD, no entities."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.out: list[str] = []  # finished lines ("" = paragraph break)
        self.chars = 0
        self.run: list[str] = []  # text of the open paragraph
        self.in_text = False
        self.skip = 0  # depth inside content that is not read (mc:Fallback, deleted text)
        self.prefix = ""
        # Open tables (nested ones last): each a list of rows, a row a list of cells, a cell the
        # texts of its paragraphs.
        self.table: list[list[list[list[str]]]] = []
        self.depth_tbl = 0

    def parse(self, stream: Any) -> str:
        import xml.parsers.expat as expat

        parser = expat.ParserCreate(namespace_separator=" ")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._refuse
        parser.EntityDeclHandler = self._refuse
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._data
        parser.buffer_text = True
        while chunk := stream.read(1 << 16):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
        while self.out and not self.out[-1]:
            self.out.pop()
        return "\n".join(self.out)

    @staticmethod
    def _refuse(*_: Any) -> None:
        raise InputError("DOCX contains a DTD or entity declarations; refusing to read it")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        ns, _, tag = name.rpartition(" ")
        if self.skip or (ns == _MC and tag == "Fallback"):
            self.skip += 1
            return
        if ns != _W:
            return
        if tag == "t":
            self.in_text = True
        elif tag == "tab":
            self.run.append("\t")
        elif tag in ("br", "cr"):
            self.run.append(" " if self.table else "\n")
        elif tag == "p":
            self.run, self.prefix = [], ""
        elif tag == "pStyle":
            m = _HEADING_STYLE.match(attrs.get(f"{_W} val", ""))
            if m:
                self.prefix = "#" * min(int(m.group(1) or 1), 6) + " "
        elif tag == "outlineLvl" and not self.prefix:
            level = attrs.get(f"{_W} val", "9")
            if level.isdigit() and int(level) < 6:
                self.prefix = "#" * (int(level) + 1) + " "
        elif tag == "numPr" and not self.prefix:
            self.prefix = "- "
        elif tag == "tbl":
            self.table.append([])
        elif tag == "tr" and self.table:
            self.table[-1].append([])
        elif tag == "tc" and self.table and self.table[-1]:
            self.table[-1][-1].append([])

    def _end(self, name: str) -> None:
        ns, _, tag = name.rpartition(" ")
        if self.skip:
            self.skip -= 1
            return
        if ns != _W:
            return
        if tag == "t":
            self.in_text = False
        elif tag == "p":
            text = "".join(self.run)
            self.run = []
            if self.table and self.table[-1] and self.table[-1][-1]:
                self.table[-1][-1][-1].append(" ".join(text.split()))
            else:
                self._paragraph(text)
        elif tag == "tr" and self.table and self.table[-1]:
            cells = [" ".join(c for c in cell if c) for cell in self.table[-1].pop()]
            line = " | ".join(c for c in cells if c)
            if len(self.table) > 1:  # a nested table lives inside the outer cell
                outer = self.table[-2]
                if outer and outer[-1] and line:
                    outer[-1][-1].append(line)
            elif line:
                self._emit(line)
        elif tag == "tbl" and self.table:
            self.table.pop()
            if not self.table:
                self._emit("")

    def _data(self, data: str) -> None:
        if self.in_text and not self.skip:
            self.run.append(data)

    def _paragraph(self, text: str) -> None:
        lines = [" ".join(line.split()) for line in text.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            return
        if self.prefix == "- ":
            if self.out and not self.out[-1] and len(self.out) > 1 and self.out[-2][:2] == "- ":
                self.out.pop()  # consecutive list items stay together
            self._emit(self.prefix + lines[0])
            for line in lines[1:]:
                self._emit(line)
            self._emit("")
            return
        self._emit(self.prefix + lines[0])
        for line in lines[1:]:
            self._emit(line)
        self._emit("")

    def _emit(self, line: str) -> None:
        if not line and (not self.out or not self.out[-1]):
            return
        self.chars += len(line) + 1
        if self.chars > self.max_chars:
            raise InputTooLargeError(
                f"DOCX text is too large: over {self.max_chars:,} characters; "
                f"the limit is {self.max_chars:,} characters"
            )
        self.out.append(line)
