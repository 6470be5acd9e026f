"""(Re)create the seed label files from the current segmentation, keeping every existing label.

Run after changing the segmenter: rows whose span survives keep their labels; a segment whose
span changed takes the labels of the old rows it overlaps, and is listed for review.
usage: python -m training.seedlabels
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from checker.segment import segment
from training.dataset import LABELS_DIR, SEEDS_DIR

LANGS = {"002_e39e59f5cf6c156f": "sv"}


def relabel(seed: Path, out_dir: Path) -> list[str]:
    policy = seed.stem
    out = out_dir / f"{policy}.jsonl"
    old = (
        [json.loads(x) for x in out.read_text("utf-8").splitlines() if x.strip()]
        if out.exists()
        else []
    )
    by_span = {(r["start"], r["end"]): r for r in old}
    text = seed.read_text("utf-8")
    review = []
    rows = []
    for seg in segment(text).segments:
        r = by_span.get((seg.start, seg.end))
        if r is not None:
            labels, detail = r["labels"], r.get("detail")
        else:
            hits = [o for o in old if o["start"] < seg.end and seg.start < o["end"]]
            labels = sorted({x for o in hits for x in o["labels"]})
            detail = next((o.get("detail") for o in hits if o.get("detail")), None)
            if old:
                review.append(f"{policy}:{seg.index} {labels} {seg.text[:70]!r}")
        row = {
            "id": f"{policy[:3]}-{seg.index:03d}",
            "policy": policy,
            "lang": LANGS.get(policy, "en"),
            "source": "seed",
            "start": seg.start,
            "end": seg.end,
            "line": seg.line,
            "heading": seg.is_heading,
            "text": seg.text,
            "labels": labels,
        }
        if detail:
            row["detail"] = detail
        rows.append(row)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return review


def main() -> int:
    out_dir = LABELS_DIR / "seeds"
    out_dir.mkdir(parents=True, exist_ok=True)
    review = []
    for seed in sorted(SEEDS_DIR.glob("*.txt")):
        review += relabel(seed, out_dir)
    for line in review:
        print("review:", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
