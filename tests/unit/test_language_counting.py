"""Function words and characteristic letters are counted from the distinct chunks of the text
(read as UTF-8, split at anything but letters), not by tokenizing all of it: the counts, and the
order of first occurrence on which the float sums of the scores depend, are those of the tokens
of the lower-cased text. The Unicode facts this relies on are checked for every code point."""

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
    chunks = language._chunks(text)
    found = language._function_words(chunks)
    letters = {k: n for k, n in language._letters(chunks).items() if n}
    return list(found.items()), letters


_MIXED = st.lists(
    st.one_of(
        st.sampled_from(["The", "the", "THE", "und", "Und", "für", "(the", "the,", "we’ve",
                         "l'art", "İ", "Σ", "ΑΣ", "ẞ", "Ø", "Å", "a_the", "1the", "the²", "ﬁ",
                         "data.", "“Data”", "Ärger", "ÆØÅ", "e.g.", "i.e.", "’s", "«la»",
                         "ΑΣ'Α", "ΟΣ.", "\ud800the", "the\udc00", "FÜR", "Für", "4the", "x_und"]),
        st.text(max_size=12),
    ),
    max_size=60,
)  # fmt: skip
_GAPS = st.sampled_from([" ", "\n", "\t", "\u00a0", "\u3000", "\x1c", "\x85", "  ", ",", "'", "."])


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
        if c.isalpha():  # a run of letters is one token
            assert token_char.match(c), hex(ord(c))
        assert low.lower() == low and "\u03a3" not in low, hex(ord(c))  # lower-cased for good
        if not (c.isupper() or c.istitle()):  # a lower-case string is its own lower case
            assert low == c, hex(ord(c))
        if any(x in _LETTER_OWNERS for x in low):  # counted as written, in either case
            assert c in language._CASED_LETTERS, hex(ord(c))
    ascii_token_chars = [chr(b) for b in range(128) if token_char.match(chr(b))]
    assert ascii_token_chars == [chr(b) for b in range(128) if chr(b).isalpha()]
    assert all(w.isalpha() and w.lower() == w for w in _WORDS)
    assert not token_char.search(_EDGE_PUNCTUATION)


@pytest.mark.parametrize(
    "text",
    [
        "ΤΗΣ'Α ΤΗΣ.Α ΤΗΣ ΚΑΙ ΤΟ ΣΤΟ",  # "της" only where the sigma is final
        "ΣΑΣ, ΜΑΣ; ΤΙΣ... ΑΝ ΝΑ",
        "a\ud800 the \udfff of and to",
        "Ωσ'Σ και το",
    ],
)
def test_sigma_and_surrogates(text: str) -> None:
    found, letters = _counted(text)
    assert found == list(_tokens_of_lowered_text(text).items())
    assert letters == _letters_of_lowered_text(text)
