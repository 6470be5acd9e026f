"""Turn a segment and its context into TF-IDF features: one code path for training and checking.

Features live in three blocks, each TF-IDF weighted and L2-normalised on its own, then scaled:
- ``s``: the segment itself: word 1-2-grams and character 3-5-grams inside words (the
  character grams carry compounds and inflections: Datenschutzbeauftragter, bewaartermijn);
- ``h``: the nearest heading ("How long do we keep your data?" makes a bare "12 months."
  a retention sentence);
- ``c``: words of the two segments before and after (a DPO line above an address block's
  e-mail line).

E-mail addresses (but for their local part), URLs, phone numbers and digits are replaced by
placeholder tokens so that "dpo@acme.example" and "30 days" generalise. The vocabulary, idf and block weights are data in
the model artifact; this module is the only code, so there is nothing to unpickle.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from checker.segment import Document

BLOCK_WEIGHTS: dict[str, float] = {"s": 1.0, "h": 0.45, "c": 0.35}
CONTEXT = 2  # neighbours on each side whose words form the context block

_EMAIL = re.compile(r"([\w.+-]+)@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_PHONE = re.compile(r"\+?\d[\d ()./-]{6,}\d")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W_]+")


def normalize(text: str) -> str:
    # Keep an address's local part: dpo@, privacy@, datenschutz@ say whose mailbox it is.
    text = _EMAIL.sub(lambda m: " zzemail " + m.group(1).replace(".", " ") + " ", text)
    text = _URL.sub(" zzurl ", text)
    text = _PHONE.sub(" zzphone ", text)
    text = _DIGITS.sub("0", text.lower())
    return text


def words(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


def segment_grams(tokens: Sequence[str]) -> list[str]:
    """Features of the segment block: words, word bigrams and in-word character 3-5-grams."""
    feats = ["s:" + t for t in tokens]
    feats += ["s:" + a + " " + b for a, b in itertools.pairwise(tokens)]
    for t in tokens:
        if len(t) < 4 or t.startswith("zz"):
            continue
        padded = " " + t + " "
        n_chars = len(padded)
        for n in (3, 4, 5):
            feats += ["s#" + padded[i : i + n] for i in range(n_chars - n + 1)]
    return feats


def heading_grams(tokens: Sequence[str]) -> list[str]:
    feats = ["h:" + t for t in tokens]
    for t in tokens:
        if len(t) >= 6:
            padded = " " + t + " "
            feats += ["h#" + padded[i : i + 5] for i in range(len(padded) - 4)]
    return feats


def context_grams(neighbours: Sequence[Sequence[str]]) -> list[str]:
    return ["c:" + t for toks in neighbours for t in toks]


def block_of(feature: str) -> str:
    return feature[0]


def document_features(doc: Document) -> list[list[str]]:
    """Feature strings for every segment of ``doc``, in segment order."""
    toks = [words(s.text) for s in doc.segments]
    heading_cache: dict[str, list[str]] = {}
    out: list[list[str]] = []
    last = len(toks) - 1
    for i, seg in enumerate(doc.segments):
        h = heading_cache.get(seg.heading)
        if h is None:
            h = heading_grams(words(seg.heading)) if seg.heading else []
            heading_cache[seg.heading] = h
        near = toks[max(0, i - CONTEXT) : i] + toks[i + 1 : min(last, i + CONTEXT) + 1]
        out.append(segment_grams(toks[i]) + (h if not seg.is_heading else []) + context_grams(near))
    return out
