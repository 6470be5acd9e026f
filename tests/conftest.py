"""Shared fixtures: a tiny model built in milliseconds, and the shipped one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "seeds"

TINY = [
    ("You can reach our Data Protection Officer at dpo@example.com.", ["dpo_contact"]),
    ("Our DPO can be contacted by writing to privacy@example.org.", ["dpo_contact"]),
    ("You have the right to lodge a complaint with a supervisory authority.", ["complaint_right"]),
    ("You may complain to the data protection authority in your country.", ["complaint_right"]),
    ("We keep your data for two years after your account is closed.", ["retention"]),
    ("Personal data is deleted 30 days after the contract ends.", ["retention"]),
    ("Our service is not directed at children under 16.", ["children"]),
    ("We do not knowingly collect data from children without parental consent.", ["children"]),
    ("We use cookies to improve the website.", []),
    ("We share data with payment providers.", []),
    ("Contact us with questions about your order.", []),
    ("We protect your data with encryption.", []),
    ("This policy was last updated in May.", []),
    ("We collect your name and e-mail address.", []),
]


def build_tiny_model(directory: Path) -> Path:
    from checker.features import document_features
    from checker.registry import ELEMENT_IDS
    from checker.segment import segment
    from training import train

    feats, ys = [], []
    for text, labels in TINY:
        doc = segment(text)
        for f in document_features(doc):
            feats.append(f)
            ys.append([int(e in labels) for e in ELEMENT_IDS])
    space = train.fit_space(feats + feats)  # every feature seen twice: min_df keeps them all
    X = train.matrix(space, feats)
    space.coef, space.intercept = train.fit_classifiers(X, np.asarray(ys))
    space.thresholds = {e: 0.5 for e in ELEMENT_IDS}
    space.calibration = {e: (1.0, 0.0) for e in ELEMENT_IDS}
    space.uncertain_band = 0.05
    from checker.model import save

    save(space, directory, {"model_version": "tiny", "languages": ["en"]})
    return directory


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir: Path):
    from checker.model import load

    return load(tiny_model_dir)


@pytest.fixture(scope="session")
def shipped_model():
    from checker.model import load

    return load()
