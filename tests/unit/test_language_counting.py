"""Function words and characteristic letters are counted from the distinct white-space-separated
chunks of the text, not by tokenizing all of it: the counts (and the order of first occurrence,
on which the float sums of the scores depend) are those of the tokens of the lower-cased text.
The Unicode facts this relies on are checked here for every code point."""

from __future__ import annotations

import re
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import language
from checker.language import _EDGE_PUNCTUATION, _LETTER_OWNERS, _TOKEN, _WORDS

_CODE_POINTS = [chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF]


def _tokens_of_lowered_text(text: str) -> dict[str, int]:
    """The definition: function words among the tokens of the lower-cased text."""
    counts = Counter(_TOKEN.findall(text.lower()))
    return {word: n for word, n in counts.items() if word in _WORDS}


def _letters_of_lowered_text(text: str) -> dict[str, int]:
    letters = Counter(re.findall("[" + re.escape("".join(_LETTER_OWNERS)) + "]", text.lower()))
    return dict(letters)


def _counted(text: str) -> tuple[list[tuple[str, int]], dict[str, int]]:
    chunks = Counter(text.split())
    found = language._function_words(chunks)
    letters = {k: n for k, n in language._letters(chunks).items() if n}
    return list(found.items()), letters


_MIXED = st.lists(
    st.one_of(
        st.sampled_from(["The", "the", "THE", "und", "Und", "für", "(the", "the,", "we’ve",
                         "l'art", "İ", "Σ", "ΑΣ", "ẞ", "Ø", "Å", "a_the", "1the", "the²", "ﬁ",
                         "data.", "“Data”", "Ärger", "ÆØÅ", "e.g.", "i.e.", "’s", "«la»"]),
        st.text(max_size=12),
    ),
    max_size=60,
)  # fmt: skip
_GAPS = st.sampled_from([" ", "\n", "\t", "\u00a0", "\u3000", "\x1c", "\x85", "  "])


@settings(max_examples=400, deadline=None)
@given(_MIXED, _GAPS)
def test_counts_are_those_of_the_lower_cased_texts_tokens(words: list[str], gap: str) -> None:
    text = gap.join(words)
    found, letters = _counted(text)
    assert found == list(_tokens_of_lowered_text(text).items())  # same order of first occurrence
    assert letters == _letters_of_lowered_text(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_counts_of_any_text(text: str) -> None:
    found, letters = _counted(text)
    assert found == list(_tokens_of_lowered_text(text).items())
    assert letters == _letters_of_lowered_text(text)


def test_code_points_next_to_function_words() -> None:
    # Scripts with case below U+3000, then a sample (the facts below cover every code point).
    sample = [c for c in _CODE_POINTS if ord(c) < 0x3000 or ord(c) % 101 == 0]
    for i in range(0, len(sample), 200):
        chars = sample[i : i + 200]
        text = " ".join(f"{c}the The{c} A{c}Σ{c}og {c}i İ{c} l{c}art." for c in chars)
        found, letters = _counted(text)
        assert found == list(_tokens_of_lowered_text(text).items()), chars[0]
        assert letters == _letters_of_lowered_text(text), chars[0]


@pytest.mark.parametrize("code", ["en", "de", "fr", "pl", "sv", "el"])
def test_count_function_words_is_the_number_of_function_word_tokens(code: str) -> None:
    from tests.unit.test_language import POLICIES

    text = POLICIES[code] + " " + POLICIES[code].upper()
    assert language.count_function_words(text) == sum(_tokens_of_lowered_text(text).values())


def test_unicode_facts_the_counting_relies_on() -> None:
    token_char = re.compile(r"[^\W\d_]")
    for c in _CODE_POINTS:
        low = c.lower()
        if c.isspace():  # white space stays itself...
            assert low == c
        else:  # ...and nothing becomes white space
            assert not any(x.isspace() for x in low), hex(ord(c))
        if c.isalpha():  # a run of letters is one token
            assert token_char.match(c), hex(ord(c))
        if not (c.isupper() or c.istitle()):  # a lower-case string is its own lower case
            assert low == c, hex(ord(c))
        if any(x in _LETTER_OWNERS for x in low):  # counted as written, in either case
            assert c in language._CASED_LETTERS, hex(ord(c))
    for ws in (c for c in _CODE_POINTS if c.isspace()):  # a final sigma looks not past it
        for a, b in [("ΑΣ", "Α"), ("Α", "ΣΑ"), ("Α'Σ", "'Α"), ("Σ", "Σ")]:
            assert (a + ws + b).lower() == a.lower() + ws + b.lower()
    assert all(w.isalpha() and w.lower() == w for w in _WORDS)
    assert not token_char.search(_EDGE_PUNCTUATION)
