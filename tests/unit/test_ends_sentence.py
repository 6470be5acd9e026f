"""A contact block's lines are told from sentences by how they end (``document_cues``)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.features import _NAME_END, _SENTENCE_END, _ends_sentence


def by_regex(text: str) -> bool:
    """The definition: both regexes, searched over the whole text."""
    if not _SENTENCE_END.search(text):
        return False
    return not (text.endswith(".") and _NAME_END.search(text[:-1]))


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("We keep your data for two years.", True),
        ("Write to our DPO at dpo@acme.example;", True),
        ("Do you have questions?)", True),
        ("Acme Ltd.", False),  # a company name, not a sentence
        ("Acme S.A.", False),
        ("F.A.O.", False),
        ("Data Protection Officer", False),
        ("Data Protection Officer:", False),
        ("Ends with a period and spaces.  \n", True),
        ("", False),
    ],
)
def test_sentence_ends(text: str, ends: bool) -> None:
    assert _ends_sentence(text) is ends


@settings(max_examples=3000, deadline=None)
@given(
    st.text(alphabet="aZé9٣_ltdincgmbhsarl.!?;:,'\")( \n\t", max_size=30),
    st.sampled_from(["", ".", ". ", ".\n", ".)", "!", " ltd.", " S.A.", "ab.c."]),
)
def test_reading_from_the_end_agrees_with_the_regexes(body: str, tail: str) -> None:
    text = body + tail
    assert _ends_sentence(text) == by_regex(text)
