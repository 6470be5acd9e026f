"""Document-level calibration and thresholds, fitted on grouped cross-validation only.

A document's score for an element is its best segment's out-of-fold logit. Whole training
policies are few (the five seeds and the policies the team wrote), so synthetic documents are
assembled from held-out material: a whole policy plus a few passages, or several passages. A one-feature
logistic regression maps the best logit to a probability; its reliability (expected calibration
error and a binned table) is measured on a separate half of the synthetic documents.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from checker.registry import ELEMENT_IDS

if TYPE_CHECKING:
    from training.train import Corpus

N_SYNTHETIC = 4000
THRESHOLD = 0.5
BINS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0001)


@dataclass
class Calibration:
    params: dict[str, tuple[float, float]]
    thresholds: dict[str, float]
    report: dict[str, Any]


def _prob(params: tuple[float, float], z: np.ndarray) -> np.ndarray:
    a, b = params
    return 1.0 / (1.0 + np.exp(-(a * z + b)))


WHOLE_POLICY_SEGMENTS = 40  # a labeled document this long is a whole policy, not a passage
MAX_EXTRA_PASSAGES = 4  # authored passages added to a whole policy for variety


def synthetic_documents(
    corpus: Corpus, oof: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Best out-of-fold logit and truth per element for random assembled documents.

    Each is a whole held-out policy (a seed, or one the team wrote) plus up to four authored
    passages in its language. Whole policies keep the density of hard negatives realistic
    (passages alone are mostly hard cases and would make the calibration too cautious); the
    passages add variety in where and how an element is phrased.
    """
    rng = np.random.default_rng(seed)
    segs_of: dict[int, np.ndarray] = {}
    for d_i in range(len(corpus.docs)):
        idx = np.flatnonzero((corpus.groups == d_i) & ~corpus.is_copy)
        segs_of[d_i] = idx[~np.asarray([corpus.heading[i] for i in idx], dtype=bool)]
    whole = [i for i, d in enumerate(corpus.docs) if len(d.labels) >= WHOLE_POLICY_SEGMENTS]
    by_lang: dict[str, list[int]] = {}
    for i, d in enumerate(corpus.docs):
        if i not in whole:
            by_lang.setdefault(d.lang, []).append(i)
    langs = sorted(lang for lang, g in by_lang.items() if len(g) >= 6)
    best, truth, lang_of = [], [], []
    for _ in range(N_SYNTHETIC):
        if whole:
            base = whole[rng.integers(len(whole))]
            lang = corpus.docs[base].lang
            pool = by_lang.get(lang, [])
            k = int(rng.integers(0, min(MAX_EXTRA_PASSAGES, len(pool)) + 1))
            parts = [base, *rng.choice(pool, size=k, replace=False)] if k else [base]
        else:  # no whole policy to build on (tiny training sets, tests)
            lang = langs[rng.integers(len(langs))]
            pool = by_lang[lang]
            k = int(rng.integers(3, min(15, len(pool)) + 1))
            parts = list(rng.choice(pool, size=k, replace=False))
        idx = np.concatenate([segs_of[p] for p in parts])
        if len(idx) == 0:
            continue
        best.append(oof[idx].max(axis=0))
        truth.append(corpus.Y[idx].max(axis=0))
        lang_of.append(lang)
    return np.asarray(best), np.asarray(truth), lang_of


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _scores(p: np.ndarray, y: np.ndarray, t: float) -> tuple[float, float]:
    pred = p >= t
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    tn = int((~pred & (y == 0)).sum())
    return _f1(tp, fp, fn), _f1(tn, fn, fp)


def reliability(p: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    rows = []
    ece = 0.0
    for lo, hi in itertools.pairwise(BINS):
        m = (p >= lo) & (p < hi)
        if m.sum():
            rows.append(
                {
                    "bin": f"{lo:.1f}-{min(hi, 1):.1f}",
                    "n": int(m.sum()),
                    "mean_predicted": round(float(p[m].mean()), 3),
                    "observed": round(float(y[m].mean()), 3),
                }
            )
            ece += m.sum() / len(p) * abs(p[m].mean() - y[m].mean())
    return {"ece": round(float(ece), 4), "bins": rows}


def fit(corpus: Corpus, oof: np.ndarray, seed: int, band: float = 0.05) -> Calibration:
    """Platt-scale segment logits on out-of-fold segments; measure documents on synthetic ones.

    The classifiers are trained with balanced class weights, so their raw probabilities
    overstate how often a sentence is evidence. A one-feature logistic regression on the
    out-of-fold logits of all real segments (not the context-free copies, not headings) maps
    a logit to the probability that the sentence is evidence. A document's probability is that
    of its best sentence, and the threshold is 0.5: "at least one sentence is more likely
    evidence than not". Many segments make this fit stable; fitting on a few dozen whole
    documents was not.
    """
    keep = ~corpus.is_copy & ~np.asarray(corpus.heading, dtype=bool)
    best, truth, _ = synthetic_documents(corpus, oof, seed)
    params: dict[str, tuple[float, float]] = {}
    thresholds: dict[str, float] = {}
    report: dict[str, Any] = {"documents": len(best), "elements": {}}
    for j, e in enumerate(ELEMENT_IDS):
        lr = LogisticRegression(C=100.0)
        lr.fit(oof[keep, j][:, None], corpus.Y[keep, j])
        params[e] = (float(lr.coef_[0, 0]), float(lr.intercept_[0]))
        thresholds[e] = THRESHOLD
        seg_p = _prob(params[e], oof[keep, j])
        p = _prob(params[e], best[:, j])
        y = truth[:, j]
        f_present, f_absent = _scores(p, y, thresholds[e])
        report["elements"][e] = {
            "base_rate": round(float(y.mean()), 3),
            "f1_present": round(f_present, 3),
            "f1_absent": round(f_absent, 3),
            "uncertain_rate": round(float((np.abs(p - thresholds[e]) < band).mean()), 3),
            "reliability": reliability(p, y),
            "segment_reliability": reliability(seg_p, corpus.Y[keep, j]),
        }
    return Calibration(params, thresholds, report)


def seed_table(loo: list[dict], cal: Calibration, band: float = 0.05) -> dict[str, Any]:
    rows = []
    correct = 0
    for r in loo:
        row: dict[str, Any] = {"doc": r["doc"]}
        for j, e in enumerate(ELEMENT_IDS):
            p = float(_prob(cal.params[e], np.asarray([r["best_logit"][j]]))[0])
            t = cal.thresholds[e]
            status = "present" if p >= t + band else "absent" if p < t - band else "uncertain"
            ok = (status == "present") == bool(r["truth"][j])
            correct += ok
            row[e] = {
                "status": status,
                "probability": round(p, 3),
                "truth": bool(r["truth"][j]),
                "ok": ok,
            }
        rows.append(row)
    return {"rows": rows, "summary": f"{correct}/{len(loo) * len(ELEMENT_IDS)} correct"}


def segment_metrics(corpus: Corpus, oof: np.ndarray) -> dict[str, Any]:
    out = {}
    keep = ~corpus.is_copy
    for j, e in enumerate(ELEMENT_IDS):
        y = corpus.Y[keep, j]
        pred = oof[keep, j] >= 0
        tp = int((pred & (y == 1)).sum())
        fp = int((pred & (y == 0)).sum())
        fn = int((~pred & (y == 1)).sum())
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        out[e] = {
            "base_rate": round(float(y.mean()), 4),
            "precision": round(p, 3),
            "recall": round(r, 3),
            "f1": round(_f1(tp, fp, fn), 3),
        }
    return out
