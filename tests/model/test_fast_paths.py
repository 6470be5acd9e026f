"""The checker's fast paths give exactly what the simple definitions give.

Speed work (issue 7) replaced per-segment loops with document-wide scans and array operations;
these tests are the proof that no report changed.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import cues, features, hashing
from checker.features import Indexer, document_features, word_characters, word_layout, words
from checker.model import Vocabulary, lookup_of
from checker.segment import Document, Segment, segment
from tests.conftest import SEEDS

# Text that exercises every cue: DPO terms, routes, complaint and authority words, postcodes,
# compounds, other parties, and the lower-casing that changes a string's length (İ).
PIECES = [
    "Data Protection Officer",
    "DPO",
    "dpo@acme.example",
    "privacy [at] acme.example",
    "https://acme.example/privacy",
    "acme.example/contact",
    "+46 8 123 45 67",
    "SE-111 22 Stockholm",
    "KT16 0RS",
    "2595 AN",
    "Postfach 12",
    "P.O. Box 7",
    "Storgatan 1",
    "information",
    "form",
    "Datenschutzbeauftragter",
    "délégué à la protection des données",
    "functionaris gegevensbescherming",
    "our processor's",
    "complain",
    "klagomål",
    "Beschwerde",
    "supervisory authority",
    "Integritetsskyddsmyndigheten",
    "CNIL",
    "period",
    "facilitate",
    "İstanbul",
    "via",
    "roadmap",
    "x",
    ".",
    ":",
    "\n",
    " ",
    "\u00a0",
    "\x00",
    "a\u0130b",
]


def corpus_segments() -> list[list[str]]:
    from training.dataset import load_all

    docs = [segment(p.read_text("utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    docs += [d.doc for d in load_all()]
    return [[s.text for s in d.segments] for d in docs]


def test_document_cues_equal_per_segment_cues_on_all_labeled_data():
    for texts in corpus_segments():
        assert cues.segment_cues(texts) == [cues.cue_tokens(t) for t in texts]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=12).map(" ".join), max_size=8))
def test_document_cues_equal_per_segment_cues_on_generated_text(texts):
    texts = [t.replace("\n", " ") for t in texts]  # a segment never spans lines
    assert cues.segment_cues(texts) == [cues.cue_tokens(t) for t in texts]


@pytest.mark.parametrize(
    "pattern",
    [cues._LOWER["dpo"], cues._LOWER["complaint"], cues._ROUTE_WORDS],
    ids=["dpo", "complaint", "route_words"],
)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_every_match_contains_a_required_literal(pattern, data):
    literals = cues.required_literals(pattern)
    assert literals  # the gate is in use for these patterns
    text = data.draw(st.from_regex(pattern, fullmatch=False))
    low = text.lower()
    for m in pattern.finditer(low):
        assert admitted(low, m.start(), m.end(), literals), m.group()


def admitted(low: str, start: int, end: int, literals: tuple[tuple[str, bool], ...]) -> bool:
    """What the gate lets through: a literal inside the match, at a possible word start if the
    literal must start a word."""
    for literal, at_word in literals:
        i = low.find(literal, start, end)
        while i >= 0:
            if not (at_word and i and low[i - 1] in cues._ASCII_WORD):
                return True
            i = low.find(literal, i + 1, end)
    return False


def test_a_pattern_without_literals_is_not_gated():
    assert cues.required_literals(re.compile(r"\d+|foo")) is None
    assert cues.required_literals(re.compile(r"foo", re.I)) is None


def test_fast_logits_equal_training_features_on_labeled_documents(shipped_model):
    from training.dataset import load_all

    docs = [d.doc for d in load_all()][::7]  # every seventh: all languages and kinds
    docs += [segment("x"), segment("# Only a heading\n"), segment("a\x00b dpo@x.se\n" * 3)]
    for doc in docs:
        slow = shipped_model.segment_logits(document_features(doc))
        fast = shipped_model.document_logits(doc)
        np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-12)


# --- the indexer: features looked up by hash, without their strings ------------------------

# Pieces for generated segments: Unicode whose case mapping changes its length or depends on
# context (İ, final sigma, ß, ligatures), digits that normalise by length, e-mails and URLs
# that normalise to placeholders, "_" (a \w character that is no word character), long words
# and runs of z (character grams skip a "zz" word), lone surrogates (JSON can carry them).
WORDY = [
    *PIECES,
    "Straße",
    "STRASSE",
    "ΟΔΟΣ ΣΊΣΥΦΟΣ",
    "ΌΣΟΣ.",
    "ǅemal",
    "ﬁle",
    "😀",
    "👨‍👩‍👧",
    "x_y",
    "__init__",
    "zzemail",
    "zzzzzzz",
    "zz",
    "1",
    "12",
    "123",
    "2024-05-01",
    "first.last+tag@sub.acme.example",
    "https://acme.example/a_b?c=1",
    "www.acme.example",
    "Ⅻ ½ ٣ 漢字 ＡＢＣ",
    "e\u0301t\u00e9",
    "\t",
    "\ufeff",
    "\ud800",
    "a" * 60,
    "Vertragsverhältnisdokumentationspflicht",
    "Zahlungsdienstleister",
]

segment_texts = st.one_of(
    st.lists(st.sampled_from(WORDY), max_size=10).map(" ".join),
    st.text(max_size=40),
    st.just(""),
)


@st.composite
def documents(draw: st.DrawFn) -> Document:
    """A hand-made document: any texts (even with a "\\n"), headings and heading flags."""
    texts = draw(st.lists(segment_texts, max_size=9))
    segs, heading, pos = [], "", 0
    for i, text in enumerate(texts):
        is_heading = draw(st.booleans())
        if is_heading:
            heading = text
        elif draw(st.booleans()):
            heading = draw(segment_texts)
        segs.append(Segment(i, text, pos, pos + len(text), i + 1, heading, is_heading))
        pos += len(text) + 1
    return Document("\n".join(texts), tuple(segs))


def expected_pairs(vocabulary: dict[str, int], doc: Document) -> Counter:
    """(row, id) of every known feature, the slow way: feature strings in the dict vocabulary."""
    feats = document_features(doc)
    return Counter((i, vocabulary[f]) for i, fs in enumerate(feats) for f in fs if f in vocabulary)


def indexed_pairs(model, doc: Document) -> Counter:
    rows, ids = model._indexer.document(doc)
    assert (ids >= 0).all()
    return Counter(zip(rows.tolist(), ids.tolist(), strict=True))


@pytest.fixture(scope="module")
def vocabulary_dict(shipped_model) -> dict[str, int]:
    return dict(shipped_model.vocabulary)


def corpus_documents() -> list[Document]:
    from training.dataset import load_all

    docs = [segment(p.read_text("utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    return docs + [d.doc for d in load_all()]  # every authored group, as training builds it


def layout_by_words(texts: list[str]) -> str:
    """What ``word_layout`` promises, from ``words``: " a b " per segment (" " for none)."""
    return "\n".join(" ".join(["", *words(t), ""]) for t in texts) or " "


def test_word_layout_spans_the_words_of_every_segment():
    for texts in [*corpus_segments(), ["", "a\nb", "x_y", "\ud800İ"], []]:
        layout = word_layout(texts).tobytes().decode("utf-32-le", "surrogatepass")
        assert layout == layout_by_words(texts)


@settings(max_examples=300, deadline=None)
@given(st.lists(segment_texts, max_size=8))
def test_word_layout_spans_the_words_of_generated_segments(texts):
    layout = word_layout(texts).tobytes().decode("utf-32-le", "surrogatepass")
    assert layout == layout_by_words(texts)


def test_word_characters_are_those_of_the_word_pattern():
    every = np.arange(0x110000, dtype=np.uint32)
    text = every.tobytes().decode("utf-32-le", "surrogatepass")
    expected = np.zeros(len(every), dtype=bool)
    for m in re.finditer(r"[^\W_]", text):
        expected[m.start()] = True
    np.testing.assert_array_equal(word_characters(every), expected)


def test_indexer_equals_document_features_on_seeds_and_all_authored_data(
    shipped_model, vocabulary_dict
):
    for doc in corpus_documents():
        assert indexed_pairs(shipped_model, doc) == expected_pairs(vocabulary_dict, doc)


@settings(max_examples=300, deadline=None)
@given(documents())
def test_indexer_equals_document_features_on_generated_documents(
    shipped_model, vocabulary_dict, doc
):
    assert indexed_pairs(shipped_model, doc) == expected_pairs(vocabulary_dict, doc)


def test_indexer_equals_document_features_in_small_windows(
    shipped_model, vocabulary_dict, monkeypatch
):
    """A long document is hashed a window of whole segments at a time; a segment longer than a
    window is one window; power tables longer than the cache are not kept."""
    monkeypatch.setattr(features, "WINDOW", 40)
    monkeypatch.setattr(hashing, "CACHED_POWERS", 64)
    long_word = "Datenschutz" * 40
    texts = ["We keep data.", long_word, "", "Contact dpo@acme.example now.", "x " * 50]
    doc = Document(
        "", tuple(Segment(i, t, 0, 0, i, "Retention", False) for i, t in enumerate(texts))
    )
    fresh = Indexer(lookup_of(shipped_model.vocabulary))
    rows, ids = fresh.document(doc)
    got = Counter(zip(rows.tolist(), ids.tolist(), strict=True))
    assert got == expected_pairs(vocabulary_dict, doc)


def test_thue_morse_twin_words_keep_their_own_features(shipped_model, vocabulary_dict):
    """Two different words of length 2**11 with equal hashes under every base (see
    tests/model/test_hashing.py) are not merged as one word: long words stand alone."""
    word = "ab"
    while len(word) < 2048:
        word += word.translate(str.maketrans("ab", "ba"))
    twin = word.translate(str.maketrans("ab", "ba"))
    texts = [f"{word} {twin} {word}", "abab ab", twin]
    doc = Document("", tuple(Segment(i, t, 0, 0, i, "", False) for i, t in enumerate(texts)))
    assert indexed_pairs(shipped_model, doc) == expected_pairs(vocabulary_dict, doc)


def test_a_plain_dict_vocabulary_indexes_like_the_artifacts(shipped_model, vocabulary_dict):
    """Training builds a Model over a dict; checking loads a lazily built ``Vocabulary``."""
    doc = segment(next(SEEDS.glob("004_*.txt")).read_text("utf-8"))
    from_dict = Indexer(lookup_of(vocabulary_dict)).document(doc)
    from_artifact = shipped_model._indexer.document(doc)
    for a, b in zip(from_dict, from_artifact, strict=True):
        np.testing.assert_array_equal(np.sort(a), np.sort(b))


def test_checking_never_builds_the_string_vocabulary():
    from checker.engine import check
    from checker.model import load

    model = load()
    check(next(SEEDS.glob("004_*.txt")).read_text("utf-8"), model=model)
    assert isinstance(model.vocabulary, Vocabulary)
    assert not model.vocabulary.built
