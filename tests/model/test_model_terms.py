"""A loaded model keeps its vocabulary's terms only while something needs them as strings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker.errors import ModelError
from checker.model import ARTIFACT_NAME, default_model_dir, load


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(default_model_dir(), tmp_path / "model"))


def test_checking_never_reads_the_terms(model_dir: Path) -> None:
    from checker.engine import check

    model = load(model_dir)
    report = check("We keep your data for two years. Our DPO: dpo@acme.example.", model=model)
    assert report.elements[0].id == "dpo_contact"
    assert len(model.vocabulary) > 1000
    assert model.vocabulary._joined is None  # the 2.4 MB of terms are not held


def test_terms_read_on_demand_are_the_artifacts(model_dir: Path) -> None:
    model = load(model_dir)
    n = len(model.vocabulary)
    terms = model.vocabulary.text().split("\n")
    assert len(terms) == n
    assert model.vocabulary[terms[-1]] == n - 1


def test_terms_are_verified_again_when_read_later(model_dir: Path) -> None:
    model = load(model_dir)
    artifact = model_dir / ARTIFACT_NAME
    artifact.write_bytes(artifact.read_bytes() + b"\0")  # swapped after loading
    with pytest.raises(ModelError, match="refusing to load a tampered model"):
        model.vocabulary.get("s:dpo")
