"""Split policy text into segments (sentences, list items, table rows, headings) with offsets.

Segmentation runs once per document; every element is scored on the same ``Document``.
Offsets are into the text given, so ``text[seg.start:seg.end] == seg.text`` always holds and
line numbers point at the user's own file. Only the standard library is used so that a fresh
``policycheck check`` starts fast; the abbreviation list guarding sentence breaks is learned
from the training corpus with nltk's Punkt trainer (``python -m training.punkt``) and merged
with a hand-written list.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

MAX_SEGMENT_CHARS = 1500  # longer sentences are cut at whitespace so evidence stays readable
HEADING_MAX_WORDS = 12
HEADING_MAX_CHARS = 120
# A text is hard-wrapped when at least this many line breaks, and this share of the breaks
# between adjacent plain lines, fall mid-sentence; a line at least WRAPPED_FULL of the wrap
# width long is continued by the next line.
WRAPPED_MIN_BREAKS = 3
WRAPPED_MIN_SHARE = 0.2
WRAPPED_FULL = 0.7
# Wrapping is at a fixed width of at most this many characters (72 and 80 are usual; PDF text
# runs to about 110); lines of unwrapped prose are paragraphs, usually far longer.
WRAPPED_MAX_WIDTH = 120

_LINE = re.compile(r"[^\n]*\n?")
# Leading markup that is not part of the content: Markdown headings and quotes, bullets, numbers.
_MD_HEADING = re.compile(r"[ \t]*(#{1,6})[ \t]+")
_BULLET = re.compile(
    r"[ \t]*(?:[-*+•·▪◦‣–—>]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|\d{1,2}(?:\.\d{1,2})+\.?)[ \t]+"
)
_TABLE_RULE = re.compile(r"^[\s|:+\-=]*$")
# A sentence ends at . ! ? … (plus closing quotes/brackets) followed by space and a capital,
# digit or opening quote. Candidate breaks before an abbreviation are rejected below.
_BREAK = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[¿¡]?[^\W\d_a-zß-ÿ]|\d)")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_TERMINAL = re.compile(r"[.;:,!]\s*$")
_NOT_HEADING = re.compile(r"@|https?://|www\.|\|")
# A line of a postal address is not a heading even when prose follows it.
_ADDRESS = re.compile(r"\d.*,.*,|,.*,.*\d|\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b")
_PROSE_END = re.compile(r"[.!?:;…][\"'”’)\]]*$")


@dataclass(frozen=True, slots=True)
class Segment:
    index: int
    text: str
    start: int
    end: int
    line: int  # 1-based line of ``start``
    heading: str  # text of the nearest heading above ("" if none)
    is_heading: bool


@dataclass(frozen=True, slots=True)
class _Line:
    """A non-blank line's content (markup stripped), or a paragraph of joined wrapped lines."""

    start: int
    end: int
    line_no: int  # 1-based line of ``start``
    md: bool  # a Markdown heading
    table: bool  # a table row
    bullet: bool  # a list item
    last_line: int  # line of ``end``
    last_width: int  # width of the last line, indentation and trailing blanks included


@dataclass(frozen=True, slots=True)
class Document:
    text: str
    segments: tuple[Segment, ...]


def one_line(text: str) -> str:
    """A segment's text with its line breaks as spaces: a sentence of a hard-wrapped paragraph
    spans lines, and "Data Protection\nOfficer" must match a phrase as it does on one line."""
    return " ".join(text.split()) if "\n" in text else text


@lru_cache(maxsize=1)
def abbreviations() -> frozenset[str]:
    """Lower-cased tokens (without the final period) after which a period does not end a sentence."""
    raw = resources.files("checker").joinpath("data/abbreviations.txt").read_text("utf-8")
    words = (w.strip().lower().rstrip(".") for w in raw.splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


def _is_abbreviation(text: str, start: int, end: int, abbrevs: frozenset[str]) -> bool:
    """Whether the word ending at ``end`` (not before ``start``) is an abbreviation or initial.

    Scans back only over that word, so a long line with many candidate breaks stays linear."""
    i = end
    while i > start and not text[i - 1].isspace():
        i -= 1
    if i == end:
        return False
    token = text[i:end].lstrip("(\"'“‘[").rstrip(".").lower()
    if len(token) == 1 and token.isalpha():
        return True  # an initial: "J. Smith", "a. the first item"
    # French elision: "l'art. 6" is "art."
    return token in abbrevs or re.split("['’]", token)[-1] in abbrevs


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences in one line of text, shifted by ``offset``."""
    abbrevs = abbreviations()
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BREAK.finditer(text):
        if _is_abbreviation(text, start, m.start(), abbrevs):
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out: list[tuple[int, int]] = []
    for s, e in spans:
        while e - s > MAX_SEGMENT_CHARS:
            cut = text.rfind(" ", s + MAX_SEGMENT_CHARS // 2, s + MAX_SEGMENT_CHARS)
            cut = cut if cut > s else s + MAX_SEGMENT_CHARS
            out.append((s, cut))
            s = cut
            while s < e and text[s].isspace():
                s += 1
        out.append((s, e))
    result = []
    for s, e in out:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e and _HAS_LETTER.search(text, s, e):
            result.append((s + offset, e + offset))
    return result


def _looks_like_heading(content: str) -> bool:
    words = content.split()
    return (
        0 < len(words) <= HEADING_MAX_WORDS
        and len(content) <= HEADING_MAX_CHARS
        and not _TERMINAL.search(content)
        and not _NOT_HEADING.search(content)
        and not _ADDRESS.search(content)
        and (content[0].isupper() or content[0].isdigit() or not content[0].isalpha())
    )


def _is_prose(content: str) -> bool:
    return len(content.split()) > HEADING_MAX_WORDS or bool(_PROSE_END.search(content))


def _soft_wraps(text: str, lines: list[_Line]) -> int:
    """The width a hard-wrapped text was wrapped at (0 when it was not wrapped).

    Plain-text and Markdown policies are often wrapped at a fixed width (a ``PRIVACY.md`` at 80
    columns, text pasted from a PDF): their sentences run over several lines. A break is soft
    when a line without final punctuation is followed at once by a line that starts in lower
    case; a text with enough of them is wrapped, at about the width of those lines."""
    widths: list[int] = []
    adjacent = 0
    for a, b in itertools.pairwise(lines):
        if b.line_no != a.line_no + 1 or a.md or a.table or b.md or b.table or b.bullet:
            continue
        adjacent += 1
        first = text[b.start]
        if first.islower() and not _PROSE_END.search(text, a.start, a.end):
            widths.append(a.last_width)
    if len(widths) < WRAPPED_MIN_BREAKS or len(widths) < WRAPPED_MIN_SHARE * adjacent:
        return 0
    widths.sort()
    width = widths[len(widths) // 2]
    return width if width <= WRAPPED_MAX_WIDTH else 0


def _broken_for_width(text: str, prev: _Line, ln: _Line, width: int) -> bool:
    """Whether ``prev`` ended only because the next word did not fit: it fills most of the
    width, or it plus the next line's first word would overflow it."""
    if prev.last_width > width + width // 4:
        return False  # longer than the wrap width: not a wrapped line
    first_word = len(text[ln.start : ln.end].split(maxsplit=1)[0])
    return prev.last_width >= WRAPPED_FULL * width or prev.last_width + 1 + first_word > width


def _continues(text: str, prev: _Line, ln: _Line) -> bool:
    """Whether ``ln`` goes on with what ``prev`` broke off. Paragraphs need no blank line
    between them, so a full line that ends a sentence followed by a capital is taken as a
    paragraph's end (splitting there loses nothing: it is a sentence break either way)."""
    last_line = max(prev.start, text.rfind("\n", 0, prev.end) + 1)  # not the whole paragraph
    return not (_PROSE_END.search(text, last_line, prev.end) and text[ln.start].isupper())


def _paragraphs(text: str, lines: list[_Line]) -> list[_Line]:
    """Merge the lines of each hard-wrapped paragraph into one (a no-op on unwrapped text).

    In a wrapped text a line that fills most of the width was broken only because the next word
    did not fit, so the next adjacent plain line continues it. Short lines (headings, address
    lines, the last line of a paragraph) end their paragraph, as do bullets, tables and
    Markdown headings."""
    width = _soft_wraps(text, lines)
    if not width:
        return lines
    out: list[_Line] = []
    for ln in lines:
        prev = out[-1] if out else None
        if (
            prev is not None
            and ln.line_no == prev.last_line + 1
            and not (ln.md or ln.table or ln.bullet or prev.md or prev.table)
            and _broken_for_width(text, prev, ln, width)
            and _continues(text, prev, ln)
        ):
            out[-1] = _Line(
                prev.start, ln.end, prev.line_no, False, False, prev.bullet,
                last_line=ln.line_no, last_width=ln.last_width,
            )  # fmt: skip
        else:
            out.append(ln)
    return out


def segment(text: str) -> Document:
    """Segment ``text``: headings, list items and table rows are single segments, prose is split
    into sentences. A short line without final punctuation is a heading when the next non-blank
    line is prose (so the lines of an address block are not mistaken for headings). The lines
    of a hard-wrapped paragraph are joined first, so a sentence may span lines."""
    lines: list[_Line] = []
    line_starts: list[int] = []
    line_no = 0
    for m in _LINE.finditer(text):
        if m.start() == m.end():
            break
        line_no += 1
        line_starts.append(m.start())
        raw_end = m.end() - (1 if m.group().endswith("\n") else 0)
        start, end = m.start(), raw_end
        while end > start and text[end - 1].isspace():
            end -= 1
        md = _MD_HEADING.match(text, start, end) if start < end else None
        bullet = False
        if md:
            start = md.end()
        else:
            b = _BULLET.match(text, start, end)
            if b and b.end() < end:
                start, bullet = b.end(), True
        while start < end and text[start].isspace():
            start += 1
        if start >= end or not _HAS_LETTER.search(text, start, end):
            continue
        content = text[start:end]
        # A row longer than a segment may be is prose that happens to hold a "|" (a whole
        # policy on one line): it is split into sentences like any other prose.
        table = (
            "|" in content and not _TABLE_RULE.match(content) and len(content) <= MAX_SEGMENT_CHARS
        )
        lines.append(
            _Line(start, end, line_no, bool(md), table, bullet, line_no, raw_end - m.start())
        )
    lines = _paragraphs(text, lines)

    segments: list[Segment] = []
    heading = ""
    for i, ln in enumerate(lines):
        start, end = ln.start, ln.end
        content = text[start:end]
        is_heading = ln.md
        single = ln.last_line == ln.line_no
        plain = not (ln.md or ln.table or ln.bullet)
        if single and plain and i + 1 < len(lines) and _looks_like_heading(content):
            nxt = lines[i + 1]
            is_heading = nxt.md or nxt.bullet or nxt.table or _is_prose(text[nxt.start : nxt.end])
        if is_heading:
            heading = content
            segments.append(Segment(len(segments), content, start, end, ln.line_no, heading, True))
            continue
        spans = [(start, end)] if ln.table else split_sentences(content, start)
        for s, e in spans:
            # A sentence of a joined paragraph may start on a later line than the paragraph.
            seg_line = ln.line_no if single else bisect.bisect_right(line_starts, s)
            segments.append(Segment(len(segments), text[s:e], s, e, seg_line, heading, False))
    return Document(text=text, segments=tuple(segments))
