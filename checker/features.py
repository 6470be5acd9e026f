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
from types import ModuleType

import numpy as np

from checker import native
from checker.cues import segment_cues
from checker.hashing import WINDOW, Lookup, code_points, windows
from checker.segment import HEADING_MAX_WORDS, Document, Segment

BLOCK_WEIGHTS: dict[str, float] = {"s": 1.0, "h": 0.45, "c": 0.35, "k": 1.0}
MIN_GRAM_WORD = 6  # shorter words (their, with, from) get no character grams: they are noise
CONTEXT = 2  # neighbours on each side whose words form the context block

_EMAIL = re.compile(r"([\w.+-]+)@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_PHONE = re.compile(r"\+?\d[\d ()./-]{6,}\d")
_DIGITS = re.compile(r"\d+")
_ANY_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W_]+")

# The C twins of ``word_layout``'s last step, ``Indexer.document``'s segment and context blocks
# and ``Model``'s TF-IDF and logits (``checker/_native_features.c``), or None: then the NumPy
# code below, which stays the reference, runs. Tests set it to None to compare the two.
NATIVE: ModuleType | None = native.load("features")


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
    """``_SENTENCE_END`` matches and, for a final period, ``_NAME_END`` does not: the same
    answer read from the end (both regexes end in "$", and a search tries every start)."""
    i = len(text)
    while i and not (text[i - 1].isalnum() or text[i - 1] == "_"):  # re's \W
        i -= 1
    if not any(c in ".!?;" for c in text[i:]):
        return False
    if not text.endswith("."):
        return True
    # A match of _NAME_END implies one of its shortest forms ("ltd", or one word character
    # after a boundary), within the last few characters; \b still sees the character before.
    head = text[:-1]
    return not _NAME_END.search(head, max(0, len(head) - 8))


def document_cues(doc: Document) -> list[list[str]]:
    """Each segment's cues, plus "dpo_route_block" for every line of a contact block (a run of
    short lines, with the lead-in line ending in a colon) that names a DPO and gives a route:
    the DPO line and the address or e-mail line can be several lines apart."""
    cues = segment_cues([s.text for s in doc.segments])
    short = [  # split() stops counting past the limit: most segments are long sentences
        not s.is_heading
        and len(s.text.split(maxsplit=HEADING_MAX_WORDS)) <= HEADING_MAX_WORDS
        and not _ends_sentence(s.text)
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


def word_layout(texts: Sequence[str]) -> np.ndarray:
    """Code points of the words of every text: ``" ".join(["", *words(t), ""])`` for each text,
    joined by "\\n" (a test holds it to ``words``): each word between single spaces, so the
    padded word of ``token_grams`` and the "a b" of a bigram are spans of it.

    ``normalize`` runs per text (its cheap gates skip most regexes; whole-document regexes cost
    more), then one pass (``collapse``) replaces each run of non-word characters by one space.
    With the C code, Python replaces only e-mail addresses and URLs, in the few texts that can
    have them, and one C pass does the rest of ``normalize`` (lower case, phone numbers and
    numbers) and the collapsing.
    """
    if NATIVE is not None:
        joined = " \n ".join(texts)  # no e-mail address or URL crosses a " \n "
        if "@" in joined or "http" in joined or "www." in joined:
            texts = [_addresses(t) for t in texts]
        return np.frombuffer(NATIVE.word_layout(texts), dtype=np.uint32)
    lows = [normalize(t) for t in texts]
    joined = " \n ".join(lows)
    if joined.count("\n") != max(0, len(lows) - 1):  # a sentence of a wrapped paragraph
        joined = " \n ".join(t.replace("\n", " ") for t in lows)
    return collapse(" " + joined + " ")


def _addresses(text: str) -> str:
    """``normalize``'s e-mail and URL steps, the e-mail step without its regex (``_emails``)."""
    if "@" in text:
        text = _emails(text)
    if "http" in text or "www." in text:
        text = _URL.sub(" zzurl ", text)
    return text


_DOMAIN = re.compile(r"@[\w-]+(?:\.[\w-]+)+")  # _EMAIL from its "@"
_LOCAL = frozenset("_.+-")  # with the alphanumeric characters (re's \w), [\w.+-]


def _emails(text: str) -> str:
    """``_EMAIL.sub`` as ``normalize`` calls it, from each "@": the regex tries every position
    (most of ``normalize``'s time in a segment with an address). A match of ``_EMAIL`` holds one
    "@", and its local part (``[\\w.+-]+``, which has no "@") is the whole run of local-part
    characters before it, but for those of the last match; the leftmost match is that of the
    first "@" with a local part before it and a domain after it (a test holds it to the regex).
    """
    out: list[str] = []
    done = 0  # the end of the last match: where re.sub goes on
    at = text.find("@")
    while at >= 0:
        start = at
        while start > done and (text[start - 1].isalnum() or text[start - 1] in _LOCAL):
            start -= 1
        domain = _DOMAIN.match(text, at) if start < at else None
        if domain is not None:
            local = text[start:at].replace(".", " ")
            out += (text[done:start], " zzemail ", local, " ")
            done = domain.end()
        at = text.find("@", at + 1)
    return "".join((*out, text[done:])) if out else text


def collapse(text: str) -> np.ndarray:
    """The code points of ``text`` with each run of characters that are neither word characters
    (``word_characters``) nor "\\n" replaced by one space."""
    if NATIVE is not None:
        return np.frombuffer(NATIVE.layout(text), dtype=np.uint32)
    cp = code_points(text)
    word = word_characters(cp)
    gap = ~word & (cp != 10)
    keep = ~gap
    keep[:1] = True
    keep[1:] |= gap[1:] & ~gap[:-1]
    return np.where(gap, np.uint32(32), cp)[keep]


_LATIN1_WORD = np.array([chr(c).isalnum() for c in range(256)])


def word_characters(cp: np.ndarray) -> np.ndarray:
    """Which code points ``_WORD`` (``[^\\W_]``) matches: ``re``'s ``\\w`` is ``str.isalnum()``
    plus "_". Beyond Latin-1, each distinct character of the text is asked once."""
    out = _LATIN1_WORD[np.minimum(cp, 255)]
    high = np.flatnonzero(cp > 255)
    if len(high):
        distinct, inverse = np.unique(cp[high], return_inverse=True)
        alnum = np.array([chr(c).isalnum() for c in distinct.tolist()], dtype=bool)
        out[high] = alnum[inverse]
    return out


class Indexer:
    """Maps a document straight to (row, vocabulary id) arrays: the checker's hot path.

    Produces exactly the known features of ``document_features`` (parity tests hold it to that)
    without building their strings: the words of the whole document are laid out as one string
    (``word_layout``) whose code points give every word, character gram and bigram as a span, and
    each feature's hash ("s:" + span, ...) comes from prefix sums (``checker.hashing``) and is
    looked up in the vocabulary's hash table. Headings and cues, a few per segment, stay strings.
    """

    MAX_HEADINGS = 4096  # cached headings' ids: policies share many ("Your rights")

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup
        self._headings: dict[str, np.ndarray] = {}
        self._cues: dict[str, int] = {}  # a few dozen cue feature names at most
        # (own cues, neighbours' cues) -> ids: bounded, cues are a handful of names
        self._cue_sets: dict[tuple[tuple[str, ...], frozenset[str]], list[int]] = {}

    def _heading(self, heading: str) -> np.ndarray:
        hit = self._headings.get(heading)
        if hit is None:
            ids = self.lookup.strings(heading_grams(words(heading)))
            hit = ids[ids >= 0]
            if len(self._headings) >= self.MAX_HEADINGS:
                self._headings.clear()
            self._headings[heading] = hit
        return hit

    def _cue_ids(self, feats: list[str]) -> list[int]:
        found = [self._cues.get(f) for f in feats]
        if None in found:
            known = dict(zip(feats, self.lookup.strings(feats).tolist(), strict=True))
            self._cues.update(known)
            found = [known[f] for f in feats]
        return [j for j in found if j is not None and j >= 0]

    def _window(self, cp: np.ndarray, row0: int) -> tuple[np.ndarray, ...]:
        """Segment-block (row, id) pairs and each word's (row, context id) in one window of
        ``word_layout`` code points (whole segments, starting and ending with a space)."""
        hasher, get = self.lookup.hasher, self.lookup.get
        edge = np.diff((cp > 32).view(np.int8))  # word characters are above the space
        start = np.flatnonzero(edge == 1) + 1
        end = np.flatnonzero(edge == -1) + 1
        row = (np.searchsorted(np.flatnonzero(cp == 10), start) + row0).astype(np.int32)
        sums = hasher.prefix_sums(cp)
        inverse = hasher.inverse_powers(len(cp) + 1)
        length = end - start
        word = hasher.substrings(sums, inverse, start, end)
        s_word = hasher.prefixed("s:", word, length)
        # Each distinct word once (policies repeat their words), then its ids for every use.
        first, of = distinct(s_word, alone=length >= LONE_WORD)
        word_ids, size = self._word_ids(cp, sums, inverse, start[first], end[first], s_word[first])
        per = size[of]
        at = ragged((np.cumsum(size) - size)[of], per)  # the ids of each use of a word
        # Bigrams: neighbouring words of one segment are one space apart.
        pair = row[1:] == row[:-1]
        p_start, p_end = start[:-1][pair], end[1:][pair]
        p_hash = hasher.substrings(sums, inverse, p_start, p_end)
        pair_ids = get(hasher.prefixed("s:", p_hash, p_end - p_start))
        known = pair_ids >= 0
        context = get(hasher.prefixed("c:", word[first], length[first]))[of]
        return (
            np.concatenate((np.repeat(row, per), row[:-1][pair][known])),
            np.concatenate((word_ids[at], pair_ids[known])),
            row,
            context,
        )

    def _word_ids(
        self,
        cp: np.ndarray,
        sums: np.ndarray,
        inverse: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        s_word: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Known ids of ``token_grams`` of each word (its "s:" feature, then the character 4- and
        5-grams of " " + word + " ", which ``word_layout`` puts around it), grouped by word, and
        how many each word has."""
        length = end - start
        grams = (length >= MIN_GRAM_WORD) & ~((cp[start] == _Z) & (cp[start + 1] == _Z))
        n4 = np.where(grams, length - 1, 0)  # a padded word of length + 2 has length - 1 4-grams
        size = 1 + n4 + np.where(grams, length - 2, 0)
        first = np.cumsum(size) - size
        hashes = np.empty(int(size.sum()), dtype=np.uint64)
        hashes[first] = s_word
        is_gram = np.ones(len(hashes), dtype=bool)
        is_gram[first] = False
        owner = np.repeat(np.arange(len(size)), size - 1)
        k = np.flatnonzero(is_gram) - first[owner] - 1  # k-th gram of its word
        five = k >= n4[owner]
        n = 4 + five
        at = start[owner] - 1 + k - np.where(five, n4[owner], 0)
        hashes[is_gram] = self.lookup.hasher.prefixed(
            "s#", self.lookup.hasher.substrings(sums, inverse, at, at + n), n
        )
        ids = self.lookup.get(hashes)
        known = ids >= 0
        owners = np.repeat(np.arange(len(size)), size)[known]
        return ids[known], np.bincount(owners, minlength=len(size))

    def document(self, doc: Document) -> tuple[np.ndarray, np.ndarray]:
        """Row (segment index) and vocabulary id of every known feature of every segment (int32:
        a long document has millions)."""
        segments = doc.segments
        n = len(segments)
        cp = word_layout([s.text for s in segments])
        blocks = (
            self._words(cp, n) if NATIVE is None else self._native_words(NATIVE, cp, n),
            self._heading_block(segments),
            self._cue_block(doc),
        )
        return np.concatenate([r for r, _ in blocks]), np.concatenate([i for _, i in blocks])

    def _native_words(
        self, fast: ModuleType, cp: np.ndarray, n: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """``_words`` in C: the same arrays, in the same order."""
        lookup = self.lookup
        spans = windows(np.flatnonzero(cp == 10), len(cp), WINDOW)
        rows, ids = fast.index(
            cp,
            np.asarray(spans, dtype=np.int64).ravel(),
            n,
            lookup.hasher.base,
            lookup.keys,
            lookup.values,
            lookup._first,
            int(lookup._shift),
            MIN_GRAM_WORD,
            CONTEXT,
        )
        return np.frombuffer(rows, dtype=np.int32), np.frombuffer(ids, dtype=np.int32)

    def _words(self, cp: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The segment block (window by window) and the context block of the words of ``cp``,
        a ``word_layout`` of ``n`` segments."""
        breaks = np.flatnonzero(cp == 10)
        rows: list[np.ndarray] = []
        ids: list[np.ndarray] = []
        word_rows: list[np.ndarray] = []
        word_context: list[np.ndarray] = []
        for a, b in windows(breaks, len(cp), WINDOW):
            r, i, wr, wc = self._window(cp[a:b], int(np.searchsorted(breaks, a)))
            rows.append(r)
            ids.append(i)
            word_rows.append(wr)
            word_context.append(wc)
        # Context block: each word counts for the segments up to CONTEXT before and after.
        ctx = np.concatenate(word_context)
        known = ctx >= 0
        ctx, ctx_row = ctx[known], np.concatenate(word_rows)[known]
        for d in (*range(-CONTEXT, 0), *range(1, CONTEXT + 1)):
            r = ctx_row + d
            inside = (r >= 0) & (r < n)
            rows.append(r[inside])
            ids.append(ctx[inside])
        return np.concatenate(rows), np.concatenate(ids)

    def _heading_block(self, segments: Sequence[Segment]) -> tuple[np.ndarray, np.ndarray]:
        """The features of each segment's heading (none for a heading itself), a run of segments
        under one heading at a time."""
        firsts: list[int] = []
        found: list[np.ndarray] = [np.zeros(0, dtype=np.int32)]
        last: str | None = None
        for i, seg in enumerate(segments):
            heading = "" if seg.is_heading else seg.heading
            if heading != last:
                firsts.append(i)
                found.append(self._heading(heading) if heading else found[0])
                last = heading
        runs: np.ndarray = np.diff(np.asarray([*firsts, len(segments)], dtype=np.int64))
        sizes = np.fromiter(map(len, found[1:]), dtype=np.int64, count=len(runs))
        per = np.repeat(sizes, runs)  # each segment's number of heading ids
        at = ragged(np.repeat(np.cumsum(sizes) - sizes, runs), per)
        return np.repeat(np.arange(len(segments), dtype=np.int32), per), np.concatenate(found)[at]

    def _cue_block(self, doc: Document) -> tuple[np.ndarray, np.ndarray]:
        """Cue features of the segments with a cue of their own or within CONTEXT."""
        cues = document_cues(doc)
        n = len(cues)
        cued = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(bool, cues), dtype=bool, count=n), out=cued[1:])
        at = np.arange(n)
        near = cued[np.minimum(at + CONTEXT + 1, n)] > cued[np.maximum(at - CONTEXT, 0)]
        rows: list[int] = []
        ids: list[int] = []
        known = self._cue_sets
        for i in np.flatnonzero(near).tolist():
            lo, hi = max(0, i - CONTEXT), min(n, i + CONTEXT + 1)
            # Segments repeat a few cue combinations: their ids depend on the own cues and the
            # set of the neighbours' cues only (``cue_grams``).
            near_cues = [c for k in (*range(lo, i), *range(i + 1, hi)) for c in cues[k]]
            key = (tuple(cues[i]), frozenset(near_cues))
            found = known.get(key)
            if found is None:
                found = self._cue_ids(cue_grams(cues[i], cues[lo:i] + cues[i + 1 : hi]))
                known[key] = found
            ids += found
            rows += [i] * len(found)
        return np.asarray(rows, dtype=np.int32), np.asarray(ids, dtype=np.int32)


_Z = ord("z")
# Words this long are not merged by hash: equal hashes are trusted only far below 2**11, the
# length at which polynomial hashes mod 2**64 collide for every base (Thue-Morse words).
LONE_WORD = 128


def ragged(begin: np.ndarray, size: np.ndarray) -> np.ndarray:
    """``begin[k], begin[k] + 1, ..., begin[k] + size[k] - 1`` for every k, concatenated."""
    end = np.cumsum(size)
    return np.arange(int(end[-1]) if len(end) else 0) + np.repeat(begin - end + size, size)


def distinct(keys: np.ndarray, alone: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An occurrence of each distinct key, and the distinct index of each occurrence; an
    occurrence flagged ``alone`` is distinct from all others."""
    merged = np.flatnonzero(~alone)
    order = merged[np.argsort(keys[merged], kind="stable")]
    ordered = keys[order]
    new = np.ones(len(order), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    of = np.empty(len(keys), dtype=np.intp)
    of[order] = np.cumsum(new) - 1
    lone = np.flatnonzero(alone)
    first = order[new]
    of[lone] = len(first) + np.arange(len(lone))
    return np.concatenate((first, lone)), of
