from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.segment import MAX_SEGMENT_CHARS, segment
from tests.conftest import SEEDS


def texts(text: str) -> list[str]:
    return [s.text for s in segment(text).segments]


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_offsets_reproduce_seed_text(path):
    text = path.read_text("utf-8")
    doc = segment(text)
    assert doc.segments
    for s in doc.segments:
        assert text[s.start : s.end] == s.text
        assert text.count("\n", 0, s.start) + 1 == s.line


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We keep data. You may complain.", ["We keep data.", "You may complain."]),
        (
            "See Art. 13 GDPR for details. Next sentence.",
            ["See Art. 13 GDPR for details.", "Next sentence."],
        ),
        ("Data, e.g. your name, is kept. Done.", ["Data, e.g. your name, is kept.", "Done."]),
        (
            "Daten, z.B. Name, werden gelöscht. Ende.",
            ["Daten, z.B. Name, werden gelöscht.", "Ende."],
        ),
        ("- first item\n- second item", ["first item", "second item"]),
        ("1. first\n2) second", ["first", "second"]),
        (
            "Category | Period\nAccount data | 2 years",
            ["Category | Period", "Account data | 2 years"],
        ),
        ("|---|---|\nInvoices | 10 years", ["Invoices | 10 years"]),
    ],
)
def test_sentences_items_and_rows(text, expected):
    assert texts(text) == expected


def test_headings_are_found_and_carried():
    doc = segment("# Retention\n\nWe keep data for 2 years.\n\nChildren\n\nNot for kids under 13.")
    heads = [(s.text, s.is_heading, s.heading) for s in doc.segments]
    assert heads == [
        ("Retention", True, "Retention"),
        ("We keep data for 2 years.", False, "Retention"),
        ("Children", True, "Children"),
        ("Not for kids under 13.", False, "Children"),
    ]


def test_address_block_lines_are_not_headings():
    doc = segment("Data Protection Officer\nAcme Ltd\n1 High Street\ndpo@acme.example\n")
    assert [s.is_heading for s in doc.segments] == [False, False, False, False]


def test_heading_before_prose_with_an_email_is_a_heading():
    doc = segment(
        "Children's Privacy\n\nWe do not collect data from children; write to privacy@x.example."
    )
    assert doc.segments[0].is_heading


def test_long_sentence_is_cut_into_bounded_segments():
    text = "word " * 3000
    doc = segment(text)
    assert all(len(s.text) <= MAX_SEGMENT_CHARS for s in doc.segments)
    assert "".join(s.text.replace(" ", "") for s in doc.segments) == text.replace(" ", "")


def test_empty_and_symbol_only_text_have_no_segments():
    assert segment("").segments == ()
    assert segment("\n\n--- *** ---\n").segments == ()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_offsets_always_reproduce_arbitrary_text(text):
    doc = segment(text)
    prev_end = 0
    for s in doc.segments:
        assert text[s.start : s.end] == s.text
        assert s.start >= prev_end
        prev_end = s.end
