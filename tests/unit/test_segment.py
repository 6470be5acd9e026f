from __future__ import annotations

import textwrap

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


def _wrap(text: str, width: int) -> str:
    """Hard-wrap every prose paragraph, as a PRIVACY.md in a repository or a PDF's text is."""
    return "\n".join(
        line if line.startswith("#") or "|" in line else textwrap.fill(line, width)
        for line in text.split("\n")
    )


def _words(doc_text: str) -> list[str]:
    return [" ".join(s.text.split()) for s in segment(doc_text).segments]


@pytest.mark.parametrize("width", [60, 80, 100])
@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem[:3])
def test_hard_wrapped_seed_gives_the_same_sentences(path, width):
    text = path.read_text("utf-8")
    wrapped = _wrap(text, width)
    assert wrapped != text
    original, rewrapped = _words(text), set(_words(wrapped))
    # Not all: a wrapped "(i)" or "3)." at a line start reads as a list item, as it would to
    # anyone; before unwrapping, 30-70% of the sentences were cut into pieces.
    assert sum(s in rewrapped for s in original) >= 0.95 * len(original)
    for s in segment(wrapped).segments:
        assert wrapped[s.start : s.end] == s.text
        assert wrapped.count("\n", 0, s.start) + 1 == s.line


def test_wrapped_sentence_is_one_segment_spanning_lines():
    text = (
        "How long we keep data\n\n"
        "We keep your account data for as long as your account is open and delete it\n"
        "within thirty days after you close the account, unless the law requires us to\n"
        "keep it longer. Invoices are kept for seven years because tax law requires it,\n"
        "and support tickets are deleted after two years without any further activity.\n"
    )
    doc = segment(text)
    assert [s.is_heading for s in doc.segments] == [True, False, False]
    first = doc.segments[1]
    assert first.text.startswith("We keep your account data") and first.text.endswith("longer.")
    assert (first.line, doc.segments[2].line) == (3, 5)
    assert doc.segments[2].heading == "How long we keep data"


def test_wrapped_text_keeps_short_lines_headings_and_address_blocks_apart():
    prose = (
        "If you have questions about this notice or how we use your personal data, you\n"
        "can write to our data protection officer, who handles every request we receive\n"
        "and answers within one month of receiving it, at the following address:\n"
    )
    block = "Data Protection Officer\nAcme Ltd\n1 High Street\ndpo@acme.example\n"
    doc = segment(prose + block)
    assert [s.text for s in doc.segments][-4:] == [
        "Data Protection Officer",
        "Acme Ltd",
        "1 High Street",
        "dpo@acme.example",
    ]


def test_lines_of_an_unwrapped_list_stay_separate():
    # Items without bullets, each on its own long line, some starting in lower case.
    items = [
        "your name, e-mail address and the password you choose when you create an account "
        "with us, together with the language and the country you select in your settings",
        "technical data such as your IP address, the type and version of your browser, the "
        "pages you visit, the time you spend on each of them and the site you came from",
        "payment data, which our payment provider processes on our behalf when you buy a "
        "subscription, including the last four digits of your card and its expiry date",
        "messages you send to our support team and the notes our agents add to them when "
        "they answer you, so that a colleague can pick up your request if needed",
    ]
    assert texts("\n".join(items)) == items


def test_a_long_line_with_a_pipe_is_prose_not_one_table_row():
    # A whole policy saved on one line still splits into sentences of bounded length.
    text = "Privacy | Acme. " + "We keep your data for two years after your last order. " * 60
    doc = segment(text)
    assert len(doc.segments) > 50
    assert all(len(s.text) <= MAX_SEGMENT_CHARS for s in doc.segments)
    assert segment("Profile | until you delete the account")
    assert texts("Profile | until you delete the account") == [
        "Profile | until you delete the account"
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_offsets_always_reproduce_arbitrary_text(text):
    doc = segment(text)
    prev_end = 0
    for s in doc.segments:
        assert text[s.start : s.end] == s.text
        assert text.count("\n", 0, s.start) + 1 == s.line
        assert s.start >= prev_end
        prev_end = s.end
