"""The model artifact: saved, reloaded identically, and refused when tampered with."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from checker.errors import ModelError
from checker.features import document_features
from checker.model import ARTIFACT_NAME, MANIFEST_NAME, load, save
from checker.segment import segment

TEXT = "Contact our DPO at dpo@example.com. We keep data for 2 years. Children under 16 are not allowed."


def logits(model):
    return model.segment_logits(document_features(segment(TEXT)))


def test_round_trip_gives_identical_scores(tiny_model, tmp_path):
    save(tiny_model, tmp_path, {"model_version": "copy", "languages": ["en"]})
    again = load(tmp_path)
    np.testing.assert_array_equal(logits(tiny_model), logits(again))
    assert again.thresholds == tiny_model.thresholds


def test_scores_match_scikit_learn(tiny_model_dir):
    """The NumPy scorer computes exactly what the trained scikit-learn model would."""
    from sklearn.linear_model import LogisticRegression

    from training import train

    model = load(tiny_model_dir)
    feats = document_features(segment(TEXT))
    X = train.matrix(model, feats)
    for j in range(len(model.element_ids)):
        clf = LogisticRegression()
        clf.classes_ = np.array([0, 1])
        clf.coef_ = model.coef[:, j][None, :]
        clf.intercept_ = model.intercept[j : j + 1]
        np.testing.assert_allclose(clf.decision_function(X), logits(model)[:, j], rtol=1e-10)


@pytest.fixture()
def model_copy(tiny_model_dir, tmp_path):
    dst = tmp_path / "m"
    shutil.copytree(tiny_model_dir, dst)
    return dst


def edit_manifest(path, **changes):
    m = json.loads((path / MANIFEST_NAME).read_text())
    m.update(changes)
    (path / MANIFEST_NAME).write_text(json.dumps(m))


@pytest.mark.parametrize(
    "tamper, message",
    [
        (
            lambda p: (p / ARTIFACT_NAME).write_bytes((p / ARTIFACT_NAME).read_bytes() + b"x"),
            "does not match its manifest",
        ),
        (lambda p: edit_manifest(p, format_version=99), "model format 99 is not supported"),
        (lambda p: edit_manifest(p, element_ids=["dpo_contact"]), "do not match the registry"),
        (lambda p: edit_manifest(p, blocks={"s": 1.0}), "different feature blocks"),
        (lambda p: (p / ARTIFACT_NAME).unlink(), "is missing"),
        (lambda p: (p / MANIFEST_NAME).unlink(), "no model manifest"),
        (lambda p: (p / MANIFEST_NAME).write_text("{not json"), "unreadable"),
    ],
)
def test_tampered_or_incompatible_model_is_refused(model_copy, tamper, message):
    tamper(model_copy)
    with pytest.raises(ModelError, match=message):
        load(model_copy)


def test_shipped_model_loads_and_matches_registry(shipped_model):
    from checker.registry import ELEMENT_IDS

    assert shipped_model.element_ids == ELEMENT_IDS
    assert set(shipped_model.thresholds) == set(ELEMENT_IDS)
    assert {"en", "sv", "de", "fr", "nl"} <= set(shipped_model.manifest["languages"])


def test_fast_path_equals_feature_strings(shipped_model):
    """The cached id path the checker uses gives the same scores as the training features."""
    from tests.conftest import SEEDS

    for path in sorted(SEEDS.glob("*.txt")):
        doc = segment(path.read_text("utf-8"))
        slow = shipped_model.segment_logits(document_features(doc))
        np.testing.assert_allclose(shipped_model.document_logits(doc), slow, rtol=1e-9, atol=1e-12)
