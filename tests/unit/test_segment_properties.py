"""What a user of ``segment`` relies on, for any text: every segment's offsets reproduce its text
in the given string, its line number is that of its first character, segments come in order
without overlapping, and each heading is carried to the segments under it."""

from __future__ import annotations

import dataclasses
import re
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.segment import (
    _PROSE_END,
    MAX_SEGMENT_CHARS,
    Document,
    Segment,
    _breaks,
    _ends_prose,
    _lines,
    _new_segment,
    _paragraphs,
    segment,
    split_sentences,
)
from tests.conftest import SEEDS
from tests.hardening.strategies import policy_text

_FRAGMENTS = [
    "We keep your data for two years.", "See Art. 13 GDPR.", "e.g. ", "i.e. ", "J. Smith",
    "l'art. 6", "(a) ", "1. ", "2) ", "3.1.2 ", "- ", "• ", "# ", "## Retention", "|", " | ",
    "|---|---|", "Data Protection Officer", "Acme Ltd, 1 High Street, London", "SW1A 1AA",
    "dpo@acme.example", "https://acme.example", "Why?", "Now!", "Wait… ", "“Quoted.” ", "ß",
    "İ", "Σ", "\u00a0", "\t", "\x0c", "\r\n", "\n", "\n\n", " ", "word " * 30, "x" * 60,
    "whose data we process and how long we keep it before we delete it for good",
]  # fmt: skip
_POLICY_LIKE = st.lists(st.sampled_from(_FRAGMENTS), max_size=80).map("".join)
_ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)


def _wrapped(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(line, width) if line else line for line in text.split("\n"))


def check_invariants(text: str, doc: Document) -> None:
    assert doc.text is text
    heading = ""
    prev_end = 0
    for i, s in enumerate(doc.segments):
        assert s.index == i
        assert text[s.start : s.end] == s.text  # a sentence of a wrapped paragraph keeps its "\n"
        assert s.text == s.text.strip() and s.text
        assert text.count("\n", 0, s.start) + 1 == s.line
        assert s.start >= prev_end  # in order, not overlapping
        prev_end = s.end
        if s.is_heading:
            heading = s.text
        else:
            assert len(s.text) <= MAX_SEGMENT_CHARS
        assert s.heading == heading


@settings(max_examples=300, deadline=None)
@given(st.one_of(_POLICY_LIKE, policy_text(), _ANY_TEXT))
def test_segments_of_any_text_reproduce_it_in_order(text: str) -> None:
    check_invariants(text, segment(text))


@settings(max_examples=200, deadline=None)
@given(_POLICY_LIKE, st.sampled_from([40, 72, 80]))
def test_segments_of_hard_wrapped_text_reproduce_it_in_order(text: str, width: int) -> None:
    wrapped = _wrapped(text, width)
    check_invariants(wrapped, segment(wrapped))


@pytest.mark.parametrize("width", [0, 72, 80])
@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem[:3])
def test_seed_segments_reproduce_it_in_order(path, width):
    text = path.read_text("utf-8")
    text = _wrapped(text, width) if width else text
    for variant in (text, text.replace("\n", "\r\n"), " ".join(text.split())):
        check_invariants(variant, segment(variant))


@settings(max_examples=200, deadline=None)
@given(st.one_of(_POLICY_LIKE, _ANY_TEXT), st.integers(0, 50))
def test_split_sentences_spans_are_stripped_and_shifted(text: str, offset: int) -> None:
    spans = split_sentences(text, offset)
    prev_end = offset
    for s, e in spans:
        piece = text[s - offset : e - offset]
        assert piece and piece == piece.strip() and re.search(r"[^\W\d_]", piece)
        assert s >= prev_end
        prev_end = e
    assert [(s - offset, e - offset) for s, e in spans] == split_sentences(text)


def test_a_prose_line_is_split_as_split_sentences_splits_it():
    line = "We keep data for 2 years, e.g. invoices. Art. 6 applies! Ask J. Smith? Yes."
    assert [(s.start, s.end) for s in segment(line).segments] == split_sentences(line)
    assert [s.text for s in segment(line).segments] == [
        "We keep data for 2 years, e.g. invoices.",
        "Art. 6 applies!",
        "Ask J. Smith?",
        "Yes.",
    ]


def test_segments_are_made_as_the_dataclass_makes_them():
    args = (3, "We keep data.", 10, 23, 2, "Retention", False)
    made = _new_segment(*args)
    assert made == Segment(*args) and hash(made) == hash(Segment(*args))
    assert type(made) is Segment and repr(made) == repr(Segment(*args))
    assert _new_segment is not Segment  # (the fast path is on: the fields are as it expects)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.text = "changed"  # type: ignore[misc]
    doc = segment("Retention\n\nWe keep data. For two years.")
    assert all(type(s) is Segment for s in doc.segments)
    assert [Segment(*(getattr(s, f) for f in Segment.__slots__)) for s in doc.segments] == list(
        doc.segments
    )


@settings(max_examples=300, deadline=None)
@given(st.one_of(_POLICY_LIKE, policy_text()), st.sampled_from([0, 40, 72]))
def test_breaks_of_the_whole_text_are_those_of_each_line(text: str, width: int) -> None:
    # segment() finds candidate breaks once for the whole text and gives each line (or joined
    # paragraph) those that start and end inside it.
    text = _wrapped(text, width) if width else text
    everywhere = _breaks(text, 0, len(text))
    for ln in _paragraphs(text, _lines(text)):
        inside = [(p, a) for p, a in everywhere if ln.start <= p and a < ln.end]
        assert inside == _breaks(text, ln.start, ln.end)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list(".!?:;…\"'”’)]a b\n")), max_size=12))
def test_ends_prose_is_the_regex(text: str) -> None:
    text = text.rstrip("\n")
    assert _ends_prose(text, 0, len(text)) == bool(_PROSE_END.search(text))
