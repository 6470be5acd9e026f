"""The model artifact: verified against its manifest before anything in it is used.

The artifact is a NumPy ``.npz`` of plain arrays (vocabulary, idf, feature blocks, linear
weights), loaded with ``allow_pickle=False``: it holds no code, so loading it cannot run any.
Training uses scikit-learn; checking needs only NumPy, which keeps a fresh ``policycheck``
process fast. Before the arrays are read, the manifest's format version, element ids and the
file's sha256 are checked, and each mismatch is a ``ModelError`` that says what to do.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import numpy as np

from checker import features
from checker.errors import ModelError
from checker.features import BLOCK_WEIGHTS, Indexer
from checker.hashing import Collision, Lookup
from checker.registry import ELEMENT_IDS
from checker.segment import Document

FORMAT_VERSION = 2  # 2: vocabulary stored as newline-joined UTF-8 bytes
ARTIFACT_NAME = "policycheck.npz"
MANIFEST_NAME = "manifest.json"
BLOCKS = tuple(BLOCK_WEIGHTS)
_WEIGHTS = np.asarray([BLOCK_WEIGHTS[b] for b in BLOCKS])


def default_model_dir() -> Path:
    """The bundled model: ``models/`` in a checkout, installed as the ``checker.models`` package."""
    from importlib import resources

    return Path(str(resources.files("checker.models")))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Vocabulary(Mapping[str, int]):
    """The artifact's vocabulary (newline-joined UTF-8 terms, id = line number) as a mapping.

    Checking looks features up by hash (``checker.hashing.Lookup``); the dict of 208,000
    strings, about 40 MB, is built only when something asks for a string (training,
    ``vectorize``, tests)."""

    def __init__(self, joined: bytes | Callable[[], bytes], size: int | None = None) -> None:
        # A loaded model passes a reader of its verified artifact and the term count: checking
        # never needs the 2.4 MB of terms once their hash table is built, so no process keeps
        # them (an API worker's memory) until training or a test asks.
        self._joined = joined if isinstance(joined, bytes) else None
        self._read = None if isinstance(joined, bytes) else joined
        self._size = size
        self._dict: dict[str, int] | None = None

    @property
    def joined(self) -> bytes:
        if self._joined is None:
            assert self._read is not None
            self._joined = self._read()
        return self._joined

    def text(self) -> str:
        return self.joined.decode("utf-8")

    @property
    def built(self) -> bool:
        """Whether the dict of strings exists (checking never needs it)."""
        return self._dict is not None

    @property
    def terms(self) -> dict[str, int]:
        if self._dict is None:
            terms = self.text().split("\n")
            self._dict = dict(zip(terms, range(len(terms)), strict=True))
        return self._dict

    def __getitem__(self, term: str) -> int:
        return self.terms[term]

    def get(self, term: str, default: Any = None) -> Any:  # type: ignore[override]
        return self.terms.get(term, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.terms)

    def __len__(self) -> int:
        if self._size is None:
            self._size = self.joined.count(b"\n") + 1
        return self._size


def lookup_of(vocabulary: Mapping[str, int]) -> Lookup:
    """Hash table of a vocabulary's terms; ``Collision`` only if a term is repeated."""
    if isinstance(vocabulary, Vocabulary):
        return Lookup.of_lines(vocabulary.joined)
    terms = list(vocabulary)
    if any("\n" in t for t in terms):
        raise ValueError("a vocabulary term contains a newline")
    return Lookup.of_lines("\n".join(terms), np.fromiter(vocabulary.values(), np.int32, len(terms)))


@dataclass
class Model:
    """A linear model over the features of ``checker.features`` plus the document-level rule.

    ``calibration[e] = (a, b)`` maps the best segment's logit ``z`` to the probability that the
    element is present in the document, ``1 / (1 + exp(-(a * z + b)))``, fitted on grouped
    cross-validation of the training data.
    """

    vocabulary: Mapping[str, int]
    idf: np.ndarray
    block: np.ndarray  # block index (into BLOCKS) of each feature
    coef: np.ndarray  # (n_features, n_elements)
    intercept: np.ndarray  # (n_elements,)
    element_ids: tuple[str, ...]
    thresholds: dict[str, float]
    calibration: dict[str, tuple[float, float]]
    uncertain_band: float = 0.1
    manifest: dict[str, Any] = field(default_factory=dict)
    _indexer: Indexer | None = field(default=None, repr=False, compare=False)

    @property
    def version(self) -> str:
        return str(self.manifest.get("model_version", "unsaved"))

    @property
    def sha256(self) -> str:
        return str(self.manifest.get("sha256", ""))

    def vectorize(self, docs_feats: list[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sparse (row, column, value) triplets of TF-IDF vectors, one row per segment."""
        get = self.vocabulary.get
        ids = np.fromiter(
            (get(f, -1) for feats in docs_feats for f in feats),
            dtype=np.int64,
            count=sum(map(len, docs_feats)),
        )
        rows = np.repeat(np.arange(len(docs_feats), dtype=np.int64), [len(f) for f in docs_feats])
        return self._tfidf(rows, ids, len(docs_feats))

    def _tfidf(
        self, rows: np.ndarray, ids: np.ndarray, n: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sublinear tf times idf, L2-normalised within each block and scaled by its weight.

        Returns (row, column, value) sorted by row."""
        known = ids >= 0
        if not known.all():
            rows, ids = rows[known], ids[known]
        bits = max(len(self.idf) - 1, 1).bit_length()
        dtype = np.int32 if n << bits < 2**31 else np.int64  # int32 sorts faster
        keys: np.ndarray = rows.astype(dtype)
        keys <<= bits
        keys |= ids.astype(dtype, copy=False)
        keys.sort()
        first = np.flatnonzero(np.r_[len(keys) > 0, keys[1:] != keys[:-1]])
        counts = np.diff(first, append=len(keys))
        keys = keys[first]
        del first
        r, c = keys >> bits, keys & ((1 << bits) - 1)
        del keys
        # In place where it can be: a long document has millions of (row, column) pairs.
        v = np.log(counts)
        v += 1.0
        v *= self.idf.take(c)
        block = self.block.take(c)
        rb = r * len(BLOCKS)
        rb += block
        norms = np.bincount(rb, weights=v * v, minlength=n * len(BLOCKS))
        out = _WEIGHTS.take(block)
        out *= v
        out /= np.sqrt(norms).take(rb)
        return r, c, out

    def _logits(self, n: int, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> np.ndarray:
        """Per-row sums of coefficient times value; ``rows`` must be sorted."""
        out = np.tile(self.intercept, (n, 1))
        if len(rows):
            first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
            terms = self.coef.take(cols, axis=0)  # far faster than coef[cols] for a 2-D array
            terms *= vals[:, None]
            out[rows[first]] += np.add.reduceat(terms, first, axis=0)
        return out

    def segment_logits(self, docs_feats: list[list[str]]) -> np.ndarray:
        """Logit that each segment is evidence for each element: shape (n_segments, n_elements)."""
        return self._logits(len(docs_feats), *self.vectorize(docs_feats))

    def document_logits(self, doc: Document) -> np.ndarray:
        """``segment_logits(document_features(doc))``, computed the fast way."""
        if self._indexer is None:
            self._indexer = Indexer(lookup_of(self.vocabulary))
        return self.scores(*self._indexer.document(doc), len(doc.segments))

    def scores(self, rows: np.ndarray, ids: np.ndarray, n: int) -> np.ndarray:
        """Logits of ``n`` segments from their features' (row, vocabulary id) pairs: TF-IDF and
        the linear model in one C pass when the accelerator is built, else in NumPy."""
        fast = features.NATIVE
        if fast is not None and self._native_ready():
            out = fast.logits(
                rows, ids, n, self.idf, self.block, _WEIGHTS, self.coef, self.intercept
            )
            return np.frombuffer(out, dtype=np.float64).reshape(n, len(self.intercept))
        return self._logits(n, *self._tfidf(rows, ids, n))

    def _native_ready(self) -> bool:
        """Whether the arrays are as ``_native_features.logits`` takes them (a loaded model's
        are; a model being trained may hold others, and takes the NumPy path)."""
        floats = (self.idf, self.coef, self.intercept)
        return (
            all(a.dtype == np.float64 and a.flags.c_contiguous for a in floats)
            and self.block.dtype.kind == "i"
            and self.block.flags.c_contiguous
        )

    def document_probability(self, element_id: str, best_logit: float) -> float:
        a, b = self.calibration[element_id]
        z = a * best_logit + b
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def save(model: Model, directory: Path, manifest_extra: dict[str, Any]) -> dict[str, Any]:
    """Write the artifact and its manifest; returns the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    artifact = directory / ARTIFACT_NAME
    terms = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    with artifact.open("wb") as f:
        np.savez_compressed(
            f,
            vocabulary=np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8),
            idf=model.idf.astype(np.float64),
            block=model.block.astype(np.int8),
            coef=model.coef.astype(np.float64),
            intercept=model.intercept.astype(np.float64),
        )
    manifest = {
        "format_version": FORMAT_VERSION,
        **manifest_extra,
        "artifact": ARTIFACT_NAME,
        "sha256": sha256_file(artifact),
        "element_ids": list(model.element_ids),
        "thresholds": model.thresholds,
        "calibration": {k: list(v) for k, v in model.calibration.items()},
        "uncertain_band": model.uncertain_band,
        "blocks": {b: BLOCK_WEIGHTS[b] for b in BLOCKS},
    }
    (directory / MANIFEST_NAME).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    )
    model.manifest = manifest
    return manifest


def load(directory: Path | str | None = None) -> Model:
    """Load and verify a model directory (the bundled one by default)."""
    directory = Path(directory) if directory is not None else default_model_dir()
    manifest_path = directory / MANIFEST_NAME
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except FileNotFoundError:
        raise ModelError(
            f"no model manifest at {manifest_path}; run `python -m training.train`"
        ) from None
    except (OSError, ValueError) as e:
        raise ModelError(f"model manifest {manifest_path} is unreadable: {e}") from None
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"model format {manifest.get('format_version')!r} is not supported by this version "
            f"of policycheck (expects {FORMAT_VERSION}); retrain with `python -m training.train`"
        )
    blocks = manifest.get("blocks")
    if blocks != {b: BLOCK_WEIGHTS[b] for b in BLOCKS}:
        raise ModelError("model was trained with different feature blocks; retrain it")
    ids = tuple(manifest.get("element_ids", ()))
    if ids != ELEMENT_IDS:
        raise ModelError(
            f"model elements {list(ids)} do not match the registry {list(ELEMENT_IDS)}; retrain it"
        )
    artifact = directory / str(manifest.get("artifact", ARTIFACT_NAME))
    if not artifact.is_file():
        raise ModelError(f"model artifact {artifact} is missing")
    expected = str(manifest.get("sha256"))
    try:
        with _verified(artifact, expected) as z:
            terms = z["vocabulary"].tobytes()
            lookup = Lookup.of_lines(terms)
            arrays = {k: z[k] for k in ("idf", "block", "coef", "intercept")}
        vocabulary = Vocabulary(partial(_terms, artifact, expected), len(lookup))
        del terms
    except Collision:  # a ValueError: before the clause below
        raise ModelError(f"model artifact {artifact.name} repeats vocabulary terms") from None
    except (
        OSError,
        ValueError,
        KeyError,
        UnicodeDecodeError,
        EOFError,
        BadZipFile,
        zlib.error,
    ) as e:
        raise ModelError(f"model artifact {artifact.name} is unreadable: {e}") from None
    n = len(lookup)
    if arrays["coef"].shape != (n, len(ids)) or arrays["idf"].shape != (n,):
        raise ModelError(f"model artifact {artifact.name} has inconsistent shapes")
    return Model(
        vocabulary=vocabulary,
        idf=arrays["idf"],
        block=arrays["block"].astype(np.int8),
        coef=arrays["coef"],
        intercept=arrays["intercept"],
        element_ids=ids,
        thresholds={k: float(v) for k, v in manifest["thresholds"].items()},
        calibration={k: (float(v[0]), float(v[1])) for k, v in manifest["calibration"].items()},
        uncertain_band=float(manifest.get("uncertain_band", 0.1)),
        manifest=manifest,
        _indexer=Indexer(lookup),
    )


def _verified(artifact: Path, expected: str) -> Any:
    """The artifact's arrays (an ``NpzFile``), read from the very bytes whose sha256 matched
    the manifest: the file cannot change between the check and the read."""
    try:
        data = artifact.read_bytes()
    except OSError as e:
        raise ModelError(f"model artifact {artifact.name} is unreadable: {e}") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected:
        raise ModelError(
            f"model artifact {artifact.name} does not match its manifest (sha256 {digest[:12]}... "
            f"expected {expected[:12]}...): refusing to load a tampered model"
        )
    return np.load(io.BytesIO(data), allow_pickle=False)


def _terms(artifact: Path, expected: str) -> bytes:
    """The vocabulary's terms, read again (and verified again) when something asks for them."""
    with _verified(artifact, expected) as z:
        return bytes(z["vocabulary"].tobytes())


@lru_cache(maxsize=4)
def load_cached(directory: str | None = None) -> Model:
    """Load a model once per process and directory."""
    return load(directory)
