"""Turn a segment and its context into TF-IDF features: one code path for training and checking.

Features live in four blocks, each TF-IDF weighted and L2-normalised on its own, then scaled:
- ``s``: the segment itself: word 1-2-grams and character 4-5-grams inside words (the
  character grams carry compounds and inflections: Datenschutzbeauftragter, bewaartermijn);
- ``h``: the nearest heading ("How long do we keep your data?" makes a bare "12 months."
  a retention sentence);
- ``c``: words of the two segments before and after (a DPO line above an address block's
  e-mail line);
- ``k``: cues (``checker.cues``) such as "names a DPO and a route" or "a complaint to an
  authority", in the segment and its neighbours: a bag of words cannot express those
  conjunctions, and in a block of their own they are not diluted by a long sentence.

E-mail addresses (but for their local part), URLs, phone numbers and numbers are replaced by
placeholder tokens so that "dpo@acme.example" and "30 days" generalise (numbers by their length:
an age is not a postcode). The vocabulary, idf and block weights are data in the model
artifact; this module is the only code, so there is nothing to unpickle.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from itertools import chain

import numpy as np

from checker.cues import segment_cues
from checker.segment import HEADING_MAX_WORDS, Document

BLOCK_WEIGHTS: dict[str, float] = {"s": 1.0, "h": 0.45, "c": 0.35, "k": 1.0}
MIN_GRAM_WORD = 6  # shorter words (their, with, from) get no character grams: they are noise
CONTEXT = 2  # neighbours on each side whose words form the context block

_EMAIL = re.compile(r"([\w.+-]+)@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_PHONE = re.compile(r"\+?\d[\d ()./-]{6,}\d")
_DIGITS = re.compile(r"\d+")
_ANY_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W_]+")


def _number(m: re.Match[str]) -> str:
    # Ages, days and months have one or two digits; postcodes, house numbers and years more.
    # One placeholder for all made a bare "6340 Baar" look like "under 16".
    n = len(m.group())
    return "0" if n <= 2 else "00" if n == 3 else "0000"


def normalize(text: str) -> str:
    # Keep an address's local part: dpo@, privacy@, datenschutz@ say whose mailbox it is.
    # (The substring tests only skip regexes that cannot match: this runs on every segment.)
    if "@" in text:
        text = _EMAIL.sub(lambda m: " zzemail " + m.group(1).replace(".", " ") + " ", text)
    if "http" in text or "www." in text:
        text = _URL.sub(" zzurl ", text)
    text = text.lower()
    if _ANY_DIGIT.search(text):
        text = _DIGITS.sub(_number, _PHONE.sub(" zzphone ", text))
    return text


def words(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


def token_grams(t: str) -> list[str]:
    """One word's segment-block features: the word and its in-word character 4-5-grams."""
    feats = ["s:" + t]
    if len(t) >= MIN_GRAM_WORD and not t.startswith("zz"):
        padded = " " + t + " "
        n_chars = len(padded)
        for n in (4, 5):
            feats += ["s#" + padded[i : i + n] for i in range(n_chars - n + 1)]
    return feats


def segment_grams(tokens: Sequence[str]) -> list[str]:
    """Features of the segment block: words, word bigrams and in-word character 4-5-grams."""
    feats = [f for t in tokens for f in token_grams(t)]
    feats += ["s:" + a + " " + b for a, b in itertools.pairwise(tokens)]
    return feats


_SENTENCE_END = re.compile(r"[.!?;]\W*$")
# An address line may end in a period that ends no sentence: "Acme Ltd.", "F.A.O.", "Acme S.A."
_NAME_END = re.compile(
    r"(?:\b(?:ltd|inc|corp|co|llc|plc|gmbh|sarl|sas|ab|oy|as|bv|nv)|(?:\b\w\.)*\b\w)$", re.I
)
MAX_BLOCK = 12


def _ends_sentence(text: str) -> bool:
    if not _SENTENCE_END.search(text):
        return False
    return not (text.endswith(".") and _NAME_END.search(text[:-1]))


def document_cues(doc: Document) -> list[list[str]]:
    """Each segment's cues, plus "dpo_route_block" for every line of a contact block (a run of
    short lines, with the lead-in line ending in a colon) that names a DPO and gives a route:
    the DPO line and the address or e-mail line can be several lines apart."""
    cues = segment_cues([s.text for s in doc.segments])
    short = [
        not s.is_heading and len(s.text.split()) <= HEADING_MAX_WORDS and not _ends_sentence(s.text)
        for s in doc.segments
    ]
    i, n = 0, len(cues)
    while i < n:
        if not short[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and short[j + 1] and j + 1 - i < MAX_BLOCK:
            j += 1
        start = i - 1 if i > 0 and doc.segments[i - 1].text.rstrip().endswith(":") else i
        members = range(start, j + 1)
        if j > i or start < i:
            found = {c for k in members for c in cues[k]}
            if "cue_dpo" in found and "cue_route" in found:
                for k in members:
                    cues[k] = [*cues[k], "cue_dpo_route_block"]
        i = j + 1
    return cues


def cue_grams(own: Sequence[str], neighbours: Sequence[Sequence[str]]) -> list[str]:
    """Cue block: the segment's own cues and, once each, those of its neighbours."""
    near = sorted({c for cs in neighbours for c in cs if c != "cue_dpo_route_block"})
    feats = ["k:" + c for c in own] + ["k:ctx_" + c for c in near]
    # The DPO and the route to them are often split over a lead-in and an address block.
    if "cue_dpo" in own and "cue_route" in near:
        feats.append("k:ctx_dpo_here_route_near")
    if "cue_route" in own and "cue_dpo" in near:
        feats.append("k:ctx_route_here_dpo_near")
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
    cues = document_cues(doc)
    heading_cache: dict[str, list[str]] = {}
    out: list[list[str]] = []
    last = len(toks) - 1
    for i, seg in enumerate(doc.segments):
        h = heading_cache.get(seg.heading)
        if h is None:
            h = heading_grams(words(seg.heading)) if seg.heading else []
            heading_cache[seg.heading] = h
        lo, hi = max(0, i - CONTEXT), min(last, i + CONTEXT) + 1
        out.append(
            segment_grams(toks[i])
            + (h if not seg.is_heading else [])
            + context_grams(toks[lo:i] + toks[i + 1 : hi])
            + cue_grams(cues[i], cues[lo:i] + cues[i + 1 : hi])
        )
    return out


class Indexer:
    """Maps a document straight to (row, vocabulary id) arrays: the checker's hot path.

    Produces exactly the known features of ``document_features`` (a parity test holds it to
    that) but looks each word up once, caches its ids across documents (policies share their
    vocabulary), and expands words into features and neighbours' context with array operations.
    """

    MAX_CACHE = 500_000

    def __init__(self, vocabulary: dict[str, int]) -> None:
        self.vocabulary = vocabulary
        self._words: dict[str, tuple[list[int], int]] = {}
        self._pairs: dict[tuple[str, str], int] = {}
        self._headings: dict[str, list[int]] = {}

    def _word(self, t: str) -> tuple[list[int], int]:
        get = self.vocabulary.get
        hit = ([j for f in token_grams(t) if (j := get(f)) is not None], get("c:" + t, -1))
        if len(self._words) >= self.MAX_CACHE:
            self._words.clear()
        self._words[t] = hit
        return hit

    def _pair(self, pair: tuple[str, str]) -> int:
        j = self._pairs.get(pair)
        if j is None:
            if len(self._pairs) >= self.MAX_CACHE:
                self._pairs.clear()
            j = self._pairs[pair] = self.vocabulary.get("s:" + pair[0] + " " + pair[1], -1)
        return j

    def _heading(self, heading: str) -> list[int]:
        hit = self._headings.get(heading)
        if hit is None:
            get = self.vocabulary.get
            feats = heading_grams(words(heading)) if heading else []
            hit = [j for f in feats if (j := get(f)) is not None]
            if len(self._headings) >= self.MAX_CACHE:
                self._headings.clear()
            self._headings[heading] = hit
        return hit

    def document(self, doc: Document) -> tuple[np.ndarray, np.ndarray]:
        """Row (segment index) and vocabulary id of every known feature of every segment."""
        segments = doc.segments
        n = len(segments)
        toks = [words(s.text) for s in segments]
        counts = np.fromiter(map(len, toks), dtype=np.int64, count=n)
        token_row = np.repeat(np.arange(n, dtype=np.int64), counts)
        flat = list(chain.from_iterable(toks))
        # Each distinct word once: its segment-block ids and its context-block id.
        local = {w: k for k, w in enumerate(dict.fromkeys(flat))}
        token_local = np.fromiter(map(local.__getitem__, flat), dtype=np.int64, count=len(flat))
        cache = self._words
        entries = [cache.get(w) or self._word(w) for w in local]
        n_ids = np.fromiter((len(e[0]) for e in entries), dtype=np.int64, count=len(entries))
        word_ids = np.fromiter(
            chain.from_iterable(e[0] for e in entries), dtype=np.int64, count=int(n_ids.sum())
        )
        context_id = np.fromiter((e[1] for e in entries), dtype=np.int64, count=len(entries))
        rows, ids = [], []
        # Segment block: every token's word and character-gram ids.
        per_token = n_ids[token_local]
        first = np.cumsum(n_ids) - n_ids
        out_first = np.cumsum(per_token) - per_token
        gather = np.arange(int(per_token.sum())) + np.repeat(
            first[token_local] - out_first, per_token
        )
        rows.append(np.repeat(token_row, per_token))
        ids.append(word_ids[gather])
        # Context block: each token counts for the segments up to CONTEXT before and after.
        ctx = context_id[token_local]
        known = ctx >= 0
        ctx, ctx_row = ctx[known], token_row[known]
        for d in (*range(-CONTEXT, 0), *range(1, CONTEXT + 1)):
            r = ctx_row + d
            inside = (r >= 0) & (r < n)
            rows.append(r[inside])
            ids.append(ctx[inside])
        # Word bigrams: pairs of neighbouring tokens in the same segment.
        if len(flat) > 1:
            pair_ids = np.fromiter(
                map(self._pair, itertools.pairwise(flat)),
                dtype=np.int64,
                count=len(flat) - 1,
            )
            same = (token_row[1:] == token_row[:-1]) & (pair_ids >= 0)
            rows.append(token_row[:-1][same])
            ids.append(pair_ids[same])
        # Headings and cues: a few per segment.
        get = self.vocabulary.get
        cues = document_cues(doc)
        extra_rows: list[int] = []
        extra_ids: list[int] = []
        last = n - 1
        for i, seg in enumerate(segments):
            found = [] if seg.is_heading else self._heading(seg.heading)
            lo, hi = max(0, i - CONTEXT), min(last, i + CONTEXT) + 1
            near = cues[lo:i] + cues[i + 1 : hi]
            if cues[i] or any(near):
                found = found + [j for f in cue_grams(cues[i], near) if (j := get(f, -1)) >= 0]
            if found:
                extra_ids += found
                extra_rows += [i] * len(found)
        rows.append(np.asarray(extra_rows, dtype=np.int64))
        ids.append(np.asarray(extra_ids, dtype=np.int64))
        return np.concatenate(rows), np.concatenate(ids)
