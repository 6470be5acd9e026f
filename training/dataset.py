"""Labeled training documents: the seed policies (every segment labeled) and authored passages.

Seed labels live in ``data/labels/seeds/<policy>.jsonl`` with offsets into ``data/seeds/``;
authored passages in ``data/labels/authored/*.jsonl`` (see FORMAT.md there). Both become
``LabeledDoc``s: a ``Document`` plus a label set per segment, so training sees each segment
with its heading and neighbours exactly as ``checker.engine`` will.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from checker.registry import ELEMENT_IDS
from checker.segment import Document, Segment, segment

ROOT = Path(__file__).resolve().parent.parent
LABELS_DIR = ROOT / "data" / "labels"
SEEDS_DIR = ROOT / "data" / "seeds"


class LabelError(ValueError):
    """A label file that does not match the registry, the format or the seed text."""


@dataclass
class LabeledDoc:
    id: str  # seed policy id or authored group id: the unit of grouped cross-validation
    lang: str
    source: str  # "seed" or "authored"
    doc: Document
    labels: list[frozenset[str]]  # per segment
    details: list[str | None]  # per segment: retention detail ("specific" / "vague") if given

    def has(self, element: str) -> bool:
        return any(element in ls for ls in self.labels)


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError as e:
                raise LabelError(f"{path.name}:{n}: not JSON: {e}") from None
    return rows


def _check_labels(where: str, labels: object) -> frozenset[str]:
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise LabelError(f"{where}: labels must be a list of element ids")
    unknown = set(labels) - set(ELEMENT_IDS)
    if unknown:
        raise LabelError(f"{where}: unknown element ids {sorted(unknown)}")
    return frozenset(labels)


def load_seed(path: Path) -> LabeledDoc:
    """One seed policy: its text re-segmented, labels joined by offsets (which must match)."""
    rows = _read_jsonl(path)
    policy = rows[0]["policy"]
    text = (SEEDS_DIR / f"{policy}.txt").read_text("utf-8")
    doc = segment(text)
    by_span = {(r["start"], r["end"]): r for r in rows}
    labels, details = [], []
    for seg in doc.segments:
        r = by_span.get((seg.start, seg.end))
        if r is None:
            raise LabelError(
                f"{path.name}: segment {seg.start}-{seg.end} {seg.text[:40]!r} has no label row; "
                "the segmenter changed: run `python -m training.seedlabels` and review"
            )
        if text[r["start"] : r["end"]] != r["text"]:
            raise LabelError(
                f"{path.name}: row {r['id']} text does not match the seed at its offsets"
            )
        labels.append(_check_labels(f"{path.name}:{r['id']}", r["labels"]))
        details.append(r.get("detail"))
    if len(by_span) != len(doc.segments):
        raise LabelError(
            f"{path.name}: {len(by_span) - len(doc.segments)} label rows match no segment"
        )
    return LabeledDoc(policy, rows[0]["lang"], "seed", doc, labels, details)


def load_authored(path: Path) -> list[LabeledDoc]:
    """Authored passages: each group becomes a small document in file order."""
    groups: dict[str, list[dict]] = {}
    for r in _read_jsonl(path):
        for key in ("id", "group", "lang", "text", "labels"):
            if key not in r:
                raise LabelError(f"{path.name}: record {r.get('id', '?')} lacks {key!r}")
        if r.get("source", "authored") != "authored":
            raise LabelError(f"{path.name}:{r['id']}: source must be 'authored'")
        groups.setdefault(r["group"], []).append(r)
    docs = []
    for gid, rows in groups.items():
        segs: list[Segment] = []
        labels, details = [], []
        pos = 0
        parts = []
        for r in rows:
            is_heading = r.get("kind") == "heading"
            ls = _check_labels(f"{path.name}:{r['id']}", r["labels"])
            if is_heading and ls:
                raise LabelError(f"{path.name}:{r['id']}: headings carry no labels")
            text = " ".join(str(r["text"]).split())
            heading = text if is_heading else str(r.get("heading", "") or "")
            segs.append(
                Segment(len(segs), text, pos, pos + len(text), len(segs) + 1, heading, is_heading)
            )
            parts.append(text)
            pos += len(text) + 1
            labels.append(ls)
            details.append(r.get("detail"))
        doc = Document("\n".join(parts), tuple(segs))
        docs.append(LabeledDoc(gid, rows[0]["lang"], "authored", doc, labels, details))
    return docs


def load_all(labels_dir: Path = LABELS_DIR) -> list[LabeledDoc]:
    docs = [load_seed(p) for p in sorted((labels_dir / "seeds").glob("*.jsonl"))]
    for p in sorted((labels_dir / "authored").glob("*.jsonl")):
        docs.extend(load_authored(p))
    ids = [d.id for d in docs]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise LabelError(f"group ids used in more than one place: {sorted(dupes)[:5]}")
    return docs


def data_hash(labels_dir: Path = LABELS_DIR) -> str:
    """sha256 over the label files and seed texts: recorded in the manifest."""
    h = hashlib.sha256()
    files = sorted(labels_dir.rglob("*.jsonl")) + sorted(SEEDS_DIR.glob("*.txt"))
    for p in files:
        h.update(p.relative_to(ROOT).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()
