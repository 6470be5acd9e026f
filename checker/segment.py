"""Split policy text into segments (sentences, list items, table rows, headings) with offsets.

Segmentation runs once per document; every element is scored on the same ``Document``.
Offsets are into the text given, so ``text[seg.start:seg.end] == seg.text`` always holds and
line numbers point at the user's own file. Only the standard library is used so that a fresh
``policycheck check`` starts fast; the abbreviation list guarding sentence breaks is learned
from the training corpus with nltk's Punkt trainer (``python -m training.punkt``) and merged
with a hand-written list.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

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

# Leading markup that is not part of the content: Markdown headings and quotes, bullets, numbers.
_MD_HEADING = re.compile(r"[ \t]*(#{1,6})[ \t]+")
_BULLET = re.compile(
    r"[ \t]*(?:[-*+•·▪◦‣–—>]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|\d{1,2}(?:\.\d{1,2})+\.?)[ \t]+"
)
# The characters either can start with; a letter only when followed by "." or ")".
_MARKUP_START = frozenset(" \t#-*+•·▪◦‣–—>(")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LETTER_MARKERS = frozenset(".)")
_TABLE_RULE = re.compile(r"^[\s|:+\-=]*$")
# A sentence ends at . ! ? … (plus closing quotes/brackets) followed by space and a capital,
# digit or opening quote. Candidate breaks after an abbreviation are rejected below. One
# pattern per final character: a regex that starts with a literal skips ahead to it at once,
# one that starts with a set of characters (or a lookbehind) tries every position.
_AFTER_BREAK = r"[\"'”’)\]]*\s+(?=[\"'“‘(\[¿¡]?[^\W\d_a-zß-ÿ]|\d)"
_BREAKS = tuple((end, re.compile(re.escape(end) + _AFTER_BREAK)) for end in ".!?…")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_TERMINAL = re.compile(r"[.;:,!]\s*$")
_NOT_HEADING = re.compile(r"@|https?://|www\.|\|")
# A line of a postal address is not a heading even when prose follows it.
_ADDRESS = re.compile(r"\d.*,.*,|,.*,.*\d|\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b")
_PROSE_END = re.compile(r"[.!?:;…][\"'”’)\]]*$")
_PROSE_PUNCTUATION = ".!?:;…"
_CLOSING = "\"'”’)]"
_OPENING = "(\"'“‘["
_WORD_WINDOW = 48  # a word before a candidate break is looked for this far back, then char by char


@dataclass(frozen=True, slots=True)
class Segment:
    index: int
    text: str
    start: int
    end: int
    line: int  # 1-based line of ``start``
    heading: str  # text of the nearest heading above ("" if none)
    is_heading: bool


def _segment_maker() -> Callable[[int, str, int, int, int, str, bool], Segment]:
    """``Segment(...)`` without the frozen dataclass's ``__init__``, which sets each field with
    ``object.__setattr__``: the slots' own setters make the same object in about half the time
    (a document has hundreds of segments)."""
    fields = [f.name for f in dataclasses.fields(Segment)]
    if fields != ["index", "text", "start", "end", "line", "heading", "is_heading"] or hasattr(
        Segment, "__post_init__"
    ):
        return Segment  # a field or a __post_init__ was added: made the ordinary way
    new = object.__new__
    set_index, set_text, set_start, set_end, set_line, set_heading, set_is_heading = (
        getattr(Segment, name).__set__ for name in fields
    )

    def make(
        index: int, text: str, start: int, end: int, line: int, heading: str, is_heading: bool
    ) -> Segment:
        seg = new(Segment)
        set_index(seg, index)
        set_text(seg, text)
        set_start(seg, start)
        set_end(seg, end)
        set_line(seg, line)
        set_heading(seg, heading)
        set_is_heading(seg, is_heading)
        return seg

    return make


_new_segment = _segment_maker()


class _Line(NamedTuple):
    """A non-blank line's content (markup stripped), or a paragraph of joined wrapped lines."""

    start: int
    end: int
    line_no: int  # 1-based line of ``start``
    md: bool  # a Markdown heading
    table: bool  # a table row
    bullet: bool  # a list item
    last_line: int  # line of ``end``
    last_width: int  # width of the last line, indentation and trailing blanks included


_new_line = tuple.__new__  # _Line's fields in one tuple: faster than _Line(...) per line


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

    Looks back only over that word, so a long line with many candidate breaks stays linear."""
    # The word usually follows the last space close before it: found in one call, and right if
    # nothing between is other white space (all of which is unprintable).
    lo = end - _WORD_WINDOW
    i = text.rfind(" ", lo if lo > start else start, end) + 1
    word = text[i:end] if i else ""
    if not i or not word.isprintable():
        i = end
        while i > start and not text[i - 1].isspace():
            i -= 1
        word = text[i:end]
    token = word.lstrip(_OPENING).rstrip(".").lower()
    if token in abbrevs:
        return True
    if len(token) == 1:
        return token.isalpha()  # an initial: "J. Smith", "a. the first item"
    # French elision: "l'art. 6" is "art."
    if "'" in token or "’" in token:
        return token[max(token.rfind("'"), token.rfind("’")) + 1 :] in abbrevs
    return False


def _breaks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Candidate sentence breaks in ``text[start:end]``, in order: (position of the final
    punctuation, start of the next sentence)."""
    found: list[tuple[int, int]] = []
    kinds = 0
    for final, pattern in _BREAKS:
        if text.find(final, start, end) >= 0:
            found += map(re.Match.span, pattern.finditer(text, start, end))
            kinds += 1
    if kinds > 1:
        found.sort()  # (breaks of different kinds never overlap)
    return found


def _sentences(
    text: str, start: int, end: int, breaks: list[tuple[int, int]], abbrevs: frozenset[str]
) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of ``text[start:end]`` given its candidate breaks
    (a break whose next sentence would start at or after ``end`` is none)."""
    out: list[tuple[int, int]] = []
    s = start
    for p, after in breaks:
        e = p + 1
        if after >= end or _is_abbreviation(text, s, e, abbrevs):
            continue
        # A sentence before a break ends with its punctuation and, but for the first, starts
        # after white space with a letter, digit or quote.
        if e - s <= MAX_SEGMENT_CHARS and not text[s].isspace():
            if text[s].isalpha() or _HAS_LETTER.search(text, s, e):
                out.append((s, e))
        else:
            _add_trimmed(text, s, e, out)
        s = after
    if 0 < end - s <= MAX_SEGMENT_CHARS and not (text[s].isspace() or text[end - 1].isspace()):
        if text[s].isalpha() or _HAS_LETTER.search(text, s, end):
            out.append((s, end))
    else:
        _add_trimmed(text, s, end, out)
    return out


def _add_trimmed(text: str, s: int, e: int, out: list[tuple[int, int]]) -> None:
    """Add the span ``s:e`` to ``out`` without surrounding white space, cut at white space
    into pieces of at most ``MAX_SEGMENT_CHARS``; none without a letter."""
    pieces = []
    while e - s > MAX_SEGMENT_CHARS:
        cut = text.rfind(" ", s + MAX_SEGMENT_CHARS // 2, s + MAX_SEGMENT_CHARS)
        cut = cut if cut > s else s + MAX_SEGMENT_CHARS
        pieces.append((s, cut))
        s = cut
        while s < e and text[s].isspace():
            s += 1
    pieces.append((s, e))
    for s, e in pieces:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e and (text[s].isalpha() or _HAS_LETTER.search(text, s, e)):
            out.append((s, e))


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences in one line of text, shifted by ``offset``."""
    spans = _sentences(text, 0, len(text), _breaks(text, 0, len(text)), abbreviations())
    return [(s + offset, e + offset) for s, e in spans]


def _looks_like_heading(content: str) -> bool:
    # Cheapest tests first: most lines are prose, far longer than a heading.
    return (
        0 < len(content) <= HEADING_MAX_CHARS
        and (content[0].isupper() or content[0].isdigit() or not content[0].isalpha())
        and not _TERMINAL.search(content)
        and 0 < len(content.split()) <= HEADING_MAX_WORDS
        and not _NOT_HEADING.search(content)
        and not _ADDRESS.search(content)
    )


def _ends_prose(text: str, start: int, end: int) -> bool:
    """``_PROSE_END.search(text, start, end)`` where ``text[end - 1]`` is not a line break: final
    punctuation, then only closing quotes and brackets."""
    while end > start and text[end - 1] in _CLOSING:
        end -= 1
    return end > start and text[end - 1] in _PROSE_PUNCTUATION


def _is_prose(text: str, start: int, end: int) -> bool:
    return _ends_prose(text, start, end) or (
        len(text[start:end].split(maxsplit=HEADING_MAX_WORDS)) > HEADING_MAX_WORDS
    )


def _soft_wraps(text: str, lines: list[_Line]) -> int:
    """The width a hard-wrapped text was wrapped at (0 when it was not wrapped).

    Plain-text and Markdown policies are often wrapped at a fixed width (a ``PRIVACY.md`` at 80
    columns, text pasted from a PDF): their sentences run over several lines. A break is soft
    when a line without final punctuation is followed at once by a line that starts in lower
    case; a text with enough of them is wrapped, at about the width of those lines."""
    widths: list[int] = []
    adjacent = 0
    for (a_start, a_end, a_no, a_md, a_table, _, _, a_width), (
        b_start,
        _,
        b_no,
        b_md,
        b_table,
        b_bullet,
        _,
        _,
    ) in itertools.pairwise(lines):
        if b_no != a_no + 1 or a_md or a_table or b_md or b_table or b_bullet:
            continue
        adjacent += 1
        if text[b_start].islower() and not _ends_prose(text, a_start, a_end):
            widths.append(a_width)
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
    if prev.last_width >= WRAPPED_FULL * width:
        return True
    first_word = len(text[ln.start : ln.end].split(maxsplit=1)[0])
    return prev.last_width + 1 + first_word > width


def _continues(text: str, prev: _Line, ln: _Line) -> bool:
    """Whether ``ln`` goes on with what ``prev`` broke off. Paragraphs need no blank line
    between them, so a full line that ends a sentence followed by a capital is taken as a
    paragraph's end (splitting there loses nothing: it is a sentence break either way)."""
    last_line = max(prev.start, text.rfind("\n", 0, prev.end) + 1)  # not the whole paragraph
    return not (_ends_prose(text, last_line, prev.end) and text[ln.start].isupper())


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
    prev = None
    for ln in lines:
        if (
            prev is not None
            and ln.line_no == prev.last_line + 1
            and not (ln.md or ln.table or ln.bullet or prev.md or prev.table)
            and _broken_for_width(text, prev, ln, width)
            and _continues(text, prev, ln)
        ):
            prev = _new_line(
                _Line,
                (prev.start, ln.end, prev.line_no, False, False, prev.bullet, ln.line_no,
                 ln.last_width),
            )  # fmt: skip
        else:
            if prev is not None:
                out.append(prev)
            prev = ln
    if prev is not None:
        out.append(prev)
    return out


def _lines(text: str) -> list[_Line]:
    """The non-blank lines of ``text`` with a letter, their markup and surrounding blanks off."""
    lines: list[_Line] = []
    pos = 0
    pieces = text.split("\n")
    if not pieces[-1]:
        pieces.pop()  # after a final line break (or of an empty text): no line
    for line_no, raw in enumerate(pieces, 1):
        line_start = pos
        width = len(raw)
        pos += width + 1
        if not raw:
            continue
        n = len(raw.rstrip())  # the content ends here
        if not n:
            continue
        first = raw[0]
        cs = 0  # the content starts here
        md = bullet = False
        # (A letter not followed by "." or ")" starts the content: no markup, and a letter.)
        if first not in _ASCII_LETTERS or raw[1:2] in _LETTER_MARKERS:
            if first in _MARKUP_START or first in _ASCII_LETTERS or first.isdecimal():
                m = _MD_HEADING.match(raw, 0, n)
                if m:
                    cs, md = m.end(), True
                else:
                    m = _BULLET.match(raw, 0, n)
                    if m and m.end() < n:
                        cs, bullet = m.end(), True
            while cs < n and raw[cs].isspace():
                cs += 1
            if cs >= n or not (raw[cs].isalpha() or _HAS_LETTER.search(raw, cs, n)):
                continue
        # A row longer than a segment may be is prose that happens to hold a "|" (a whole
        # policy on one line): it is split into sentences like any other prose.
        table = False
        if "|" in raw and n - cs <= MAX_SEGMENT_CHARS:
            content = raw[cs:n]
            table = "|" in content and not _TABLE_RULE.match(content)
        lines.append(
            _new_line(
                _Line,
                (line_start + cs, line_start + n, line_no, md, table, bullet, line_no, width),
            )
        )
    return lines


def segment(text: str) -> Document:
    """Segment ``text``: headings, list items and table rows are single segments, prose is split
    into sentences. A short line without final punctuation is a heading when the next non-blank
    line is prose (so the lines of an address block are not mistaken for headings). The lines
    of a hard-wrapped paragraph are joined first, so a sentence may span lines."""
    abbrevs = abbreviations()
    lines = _paragraphs(text, _lines(text))
    # Candidate breaks of the whole text at once. A match that starts in a line (or paragraph)
    # and ends before its end is what a search of that line alone finds; one that runs past it
    # only crosses white space, so it hides no candidate of the next line.
    breaks = _breaks(text, 0, len(text))
    n_breaks = len(breaks)
    k = 0  # the first break not before the current line
    segments: list[Segment] = []
    heading = ""
    last = len(lines) - 1
    for i, (start, end, line_no, md, table, bullet, last_line, _) in enumerate(lines):
        is_heading = md
        single = last_line == line_no
        if (
            single
            and not (md or table or bullet)
            and i < last
            and end - start <= HEADING_MAX_CHARS
            and _looks_like_heading(text[start:end])
        ):
            nxt = lines[i + 1]
            is_heading = nxt.md or nxt.bullet or nxt.table or _is_prose(text, nxt.start, nxt.end)
        if is_heading:
            heading = text[start:end]
            segments.append(
                _new_segment(len(segments), heading, start, end, line_no, heading, True)
            )
            continue
        if table:
            spans = [(start, end)]
        else:
            while k < n_breaks and breaks[k][0] < start:
                k += 1
            j = k
            while j < n_breaks and breaks[j][0] < end:
                j += 1
            if j == k and end - start <= MAX_SEGMENT_CHARS:
                spans = [(start, end)]  # (a line's content is stripped and has a letter)
            else:
                spans = _sentences(text, start, end, breaks[k:j], abbrevs)
            k = j
        # A sentence of a joined paragraph may start on a later line than the paragraph.
        pos, line = start, line_no
        for s, e in spans:
            if not single:
                line += text.count("\n", pos, s)
                pos = s
            segments.append(_new_segment(len(segments), text[s:e], s, e, line, heading, False))
    return Document(text=text, segments=tuple(segments))
