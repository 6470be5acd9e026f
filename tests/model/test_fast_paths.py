"""The checker's fast paths give exactly what the simple definitions give.

Speed work (issue 7) replaced per-segment loops with document-wide scans and array operations;
these tests are the proof that no report changed.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import cues
from checker.features import document_features
from checker.segment import segment
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
