"""Split policy text into segments (sentences, list items, table rows, headings) with offsets.

Segmentation runs once per document; every element is scored on the same ``Document``.
Offsets are into the text given, so ``text[seg.start:seg.end] == seg.text`` always holds and
line numbers point at the user's own file. Only the standard library is used so that a fresh
``policycheck check`` starts fast; the abbreviation list guarding sentence breaks is learned
from the training corpus with nltk's Punkt trainer (``python -m training.punkt``) and merged
with a hand-written list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

MAX_SEGMENT_CHARS = 1500  # longer sentences are cut at whitespace so evidence stays readable
HEADING_MAX_WORDS = 12
HEADING_MAX_CHARS = 120

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
class Document:
    text: str
    segments: tuple[Segment, ...]


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


def segment(text: str) -> Document:
    """Segment ``text``: headings, list items and table rows are single segments, prose is split
    into sentences. A short line without final punctuation is a heading when the next non-blank
    line is prose (so the lines of an address block are not mistaken for headings)."""
    lines: list[tuple[int, int, int, bool, bool, bool]] = []
    # (start, end, line_no, markdown heading, table row, list item)
    line_no = 0
    for m in _LINE.finditer(text):
        if m.start() == m.end():
            break
        line_no += 1
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
        table = "|" in content and not _TABLE_RULE.match(content)
        lines.append((start, end, line_no, bool(md), table, bullet))

    segments: list[Segment] = []
    heading = ""
    for i, (start, end, line_no, is_md, table, bullet) in enumerate(lines):
        content = text[start:end]
        is_heading = is_md
        if not (is_md or table or bullet) and i + 1 < len(lines) and _looks_like_heading(content):
            n_start, n_end, _, n_md, n_table, n_bullet = lines[i + 1]
            nxt = text[n_start:n_end]
            is_heading = n_md or n_bullet or n_table or _is_prose(nxt)
        if is_heading:
            heading = content
            segments.append(Segment(len(segments), content, start, end, line_no, heading, True))
            continue
        spans = [(start, end)] if table else split_sentences(content, start)
        for s, e in spans:
            seg_line = line_no  # a line holds no newline, so every sentence in it shares it
            segments.append(Segment(len(segments), text[s:e], s, e, seg_line, heading, False))
    return Document(text=text, segments=tuple(segments))
