"""Rebuild the bundled model from data/labels, deterministically.

usage: python -m training.train [--out models] [--folds 5]

1. Every labeled document is segmented and featurised with the same code ``checker`` uses.
2. TF-IDF vocabulary (features seen in at least two segments) and one logistic regression per
   element, on segments.
3. Grouped cross-validation (groups = seed policy or authored passage) gives out-of-fold
   segment scores; synthetic documents assembled from them fit the document-level calibration
   (best segment logit -> probability present) and measure its reliability. Thresholds are
   chosen there, never on the dev set.
4. Leave-one-seed-out document-level check of the five seed policies.
5. Writes models/policycheck.npz, models/manifest.json and models/MODEL_CARD.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from checker.cues import DPO_TERMS, has_route
from checker.features import block_of, document_features
from checker.model import BLOCKS, Model, save
from checker.registry import ELEMENT_IDS
from training import calibration, modelcard
from training.dataset import LabeledDoc, data_hash, load_all

MIN_DF = 2
C = 8.0
SEED = 20261122
UNCERTAIN_BAND = 0.05
MODEL_VERSION_PREFIX = "0.4"
# A language counts as trained (reported as supported) with at least this many labeled segments.
MIN_LANGUAGE_SEGMENTS = 150


_DPO = ELEMENT_IDS.index("dpo_contact")


def alone(text: str, y: list[int]) -> list[int]:
    """Labels a segment earns without its context (see ``Corpus``)."""
    if y[_DPO] and not (DPO_TERMS.search(text) and has_route(text)):
        y = list(y)
        y[_DPO] = 0
    return y


class Corpus:
    """Segments of all labeled documents with their features, labels and groups.

    Every non-heading segment also appears a second time with its own words only (no heading,
    no neighbours): authored passages put most positives under on-topic headings, and without
    these copies the model learns the heading instead of the sentence. A copy keeps only what
    the sentence shows by itself: a DPO line is DPO-contact evidence alone only when it names
    the DPO *and* a route to them (otherwise the route was in a neighbour). Copies are training
    material only; evaluation and calibration score the originals (``copy`` is False).
    """

    def __init__(self, docs: list[LabeledDoc], augment: bool = True) -> None:
        self.docs = docs
        self.feats: list[list[str]] = []
        self.y: list[list[int]] = []
        self.group: list[int] = []
        self.heading: list[bool] = []
        self.copy: list[bool] = []
        for d_i, d in enumerate(docs):
            for seg, f, ls in zip(d.doc.segments, document_features(d.doc), d.labels, strict=True):
                y = [int(e in ls) for e in ELEMENT_IDS]
                variants = [(f, y, False)]
                if augment and not seg.is_heading:
                    own = [
                        t for t in f if t[0] == "s" or (t[0] == "k" and not t.startswith("k:ctx_"))
                    ]
                    variants.append((own, alone(seg.text, y), True))
                for feats, labels, is_copy in variants:
                    self.feats.append(feats)
                    self.y.append(labels)
                    self.group.append(d_i)
                    self.heading.append(seg.is_heading)
                    self.copy.append(is_copy)
        self.Y = np.asarray(self.y, dtype=np.int8)
        self.groups = np.asarray(self.group)
        self.is_copy = np.asarray(self.copy, dtype=bool)


def fit_space(feats: list[list[str]]) -> Model:
    """Vocabulary and idf from the training segments (an untrained Model used to vectorise)."""
    df: dict[str, int] = {}
    for f in feats:
        for t in set(f):
            df[t] = df.get(t, 0) + 1
    terms = sorted(t for t, c in df.items() if c >= MIN_DF)
    n = len(feats)
    idf = np.asarray([np.log((1 + n) / (1 + df[t])) + 1.0 for t in terms])
    block = np.asarray([BLOCKS.index(block_of(t)) for t in terms], dtype=np.int64)
    k = len(ELEMENT_IDS)
    return Model(
        vocabulary={t: i for i, t in enumerate(terms)},
        idf=idf,
        block=block,
        coef=np.zeros((len(terms), k)),
        intercept=np.zeros(k),
        element_ids=ELEMENT_IDS,
        thresholds={},
        calibration={},
    )


def matrix(space: Model, feats: list[list[str]]) -> sp.csr_matrix:
    rows, cols, vals = space.vectorize(feats)
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(feats), len(space.vocabulary)))


def fit_classifiers(X: sp.csr_matrix, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    coef = np.zeros((X.shape[1], Y.shape[1]))
    intercept = np.zeros(Y.shape[1])
    for j in range(Y.shape[1]):
        clf = LogisticRegression(
            C=C, class_weight="balanced", solver="liblinear", random_state=SEED
        )
        clf.fit(X, Y[:, j])
        coef[:, j] = clf.coef_[0]
        intercept[j] = clf.intercept_[0]
    return coef, intercept


def train_model(corpus: Corpus, index: np.ndarray) -> Model:
    feats = [corpus.feats[i] for i in index]
    space = fit_space(feats)
    space.coef, space.intercept = fit_classifiers(matrix(space, feats), corpus.Y[index])
    return space


def out_of_fold_logits(corpus: Corpus, folds: int) -> np.ndarray:
    """Segment logits, each from a model that never saw the segment's document."""
    n = len(corpus.feats)
    oof = np.zeros((n, len(ELEMENT_IDS)))
    # Seeds are whole policies: give each its own fold so it is scored like an unseen policy.
    gkf = GroupKFold(n_splits=folds, shuffle=True, random_state=SEED)
    for train_idx, test_idx in gkf.split(np.zeros(n), groups=corpus.groups):
        m = train_model(corpus, train_idx)
        oof[test_idx] = m.segment_logits([corpus.feats[i] for i in test_idx])
    oof[corpus.is_copy] = -50.0  # copies are never scored as part of a document
    return oof


def seed_leave_one_out(corpus: Corpus) -> list[dict]:
    """Train without each seed policy in turn and score it as a whole document."""
    out = []
    for d_i, d in enumerate(corpus.docs):
        if d.source != "seed":
            continue
        test = np.flatnonzero((corpus.groups == d_i) & ~corpus.is_copy)
        train = np.flatnonzero(corpus.groups != d_i)
        m = train_model(corpus, train)
        logits = m.segment_logits([corpus.feats[i] for i in test])
        keep = ~np.asarray([corpus.heading[i] for i in test])
        out.append(
            {
                "doc": d.id,
                "best_logit": logits[keep].max(axis=0).tolist(),
                "truth": [int(d.has(e)) for e in ELEMENT_IDS],
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "models")
    ap.add_argument("--folds", type=int, default=5)
    a = ap.parse_args(argv)

    docs = load_all()
    corpus = Corpus(docs)
    langs = sorted({d.lang for d in docs})
    n_segments = int((~corpus.is_copy).sum())
    print(f"{len(docs)} documents, {n_segments} segments, languages {', '.join(langs)}")

    oof = out_of_fold_logits(corpus, a.folds)
    cal = calibration.fit(corpus, oof, seed=SEED)
    loo = seed_leave_one_out(corpus)
    final = train_model(corpus, np.arange(len(corpus.feats)))
    final.calibration = cal.params
    final.thresholds = cal.thresholds
    final.uncertain_band = UNCERTAIN_BAND
    seed_table = calibration.seed_table(loo, cal)
    metrics = {
        "segment_cv": calibration.segment_metrics(corpus, oof),
        "synthetic_documents": cal.report,
        "seed_leave_one_out": seed_table,
    }
    counts = {
        "documents": len(docs),
        "segments": int((~corpus.is_copy).sum()),  # without the context-free copies
        "seed_segments": int(sum(len(d.labels) for d in docs if d.source == "seed")),
        "authored_segments": int(sum(len(d.labels) for d in docs if d.source == "authored")),
        "positives": {e: int(corpus.Y[:, j].sum()) for j, e in enumerate(ELEMENT_IDS)},
        "segments_by_language": {
            lang: int(sum(len(d.labels) for d in docs if d.lang == lang)) for lang in langs
        },
    }
    digest = data_hash()
    manifest = save(
        final,
        a.out,
        {
            "model_version": f"{MODEL_VERSION_PREFIX}+{digest[:8]}",
            "created": dt.date.today().isoformat(),
            "sklearn_version": sklearn.__version__,
            "numpy_version": np.__version__,
            "training_data_sha256": digest,
            "languages": [
                lang
                for lang, n in counts["segments_by_language"].items()
                if n >= MIN_LANGUAGE_SEGMENTS
            ],
            "hyperparameters": {"C": C, "min_df": MIN_DF, "folds": a.folds, "seed": SEED},
            "counts": counts,
            "metrics": metrics,
        },
    )
    modelcard.write(a.out / "MODEL_CARD.md", manifest)
    print(
        json.dumps(
            {"seed_leave_one_out": seed_table["summary"], "thresholds": cal.thresholds}, indent=1
        )
    )
    print(f"wrote {a.out}/ (model {manifest['model_version']}, sha256 {manifest['sha256'][:12]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
