"""A hard-wrapped policy (a PRIVACY.md at 72 columns, text from a PDF) gets the report its
unwrapped text gets: the same statuses, and evidence whose offsets still reproduce the text."""

from __future__ import annotations

import textwrap

import pytest

from checker.cues import cue_tokens
from checker.engine import check
from checker.retention import is_specific
from tests.conftest import SEEDS


def _wrap(text: str, width: int) -> str:
    return "\n".join(
        line if line.startswith("#") or "|" in line else textwrap.fill(line, width)
        for line in text.split("\n")
    )


@pytest.mark.parametrize("width", [72, 100])
@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem[:3])
def test_wrapped_seed_gets_the_same_statuses(path, width, shipped_model):
    text = path.read_text("utf-8")
    wrapped = _wrap(text, width)
    flat = check(text, model=shipped_model)
    report = check(wrapped, model=shipped_model)
    assert [e.status for e in report.elements] == [e.status for e in flat.elements]
    for e in report.elements:
        for ev in e.evidence + e.near_misses:
            assert wrapped[ev.start : ev.end] == ev.text


def test_one_policy_on_a_single_line_is_still_read():
    text = (SEEDS / next(p.name for p in SEEDS.glob("004_*.txt"))).read_text("utf-8")
    flat = check(" ".join(text.split()))
    assert [e.status for e in flat.elements] == ["present"] * 4


def test_phrases_broken_over_lines_still_match():
    assert cue_tokens("write to our Data Protection\nOfficer at dpo@acme.example") == cue_tokens(
        "write to our Data Protection Officer at dpo@acme.example"
    )
    assert is_specific("deleted thirty\ndays after you close the account")
