"""The labeled data matches the registry, the format and the seed texts."""

from __future__ import annotations

import json

from checker.registry import ELEMENT_IDS
from training.dataset import LABELS_DIR, SEEDS_DIR, load_all

SEED_TABLE = {  # the reading of the five seed policies, document by document
    "000": {"dpo_contact": False, "complaint_right": True, "retention": True, "children": False},
    "001": {"dpo_contact": False, "complaint_right": False, "retention": True, "children": False},
    "002": {"dpo_contact": False, "complaint_right": False, "retention": True, "children": False},
    "003": {"dpo_contact": False, "complaint_right": True, "retention": True, "children": False},
    "004": {"dpo_contact": True, "complaint_right": True, "retention": True, "children": True},
}


def test_all_labels_load_against_registry_and_seed_offsets():
    docs = load_all()  # raises LabelError on unknown ids, bad offsets, stale segmentation
    assert {d.source for d in docs} == {"seed", "authored"}
    assert sum(d.source == "seed" for d in docs) == 5


def test_seed_rows_reproduce_the_seed_text():
    for path in sorted((LABELS_DIR / "seeds").glob("*.jsonl")):
        rows = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
        text = (SEEDS_DIR / f"{rows[0]['policy']}.txt").read_text("utf-8")
        for r in rows:
            assert text[r["start"] : r["end"]] == r["text"]
            assert set(r["labels"]) <= set(ELEMENT_IDS)


def test_seed_labels_agree_with_the_document_table():
    docs = {d.id[:3]: d for d in load_all() if d.source == "seed"}
    for seed, row in SEED_TABLE.items():
        for element, present in row.items():
            assert docs[seed].has(element) == present, (seed, element)


def test_authored_records_are_marked_authored_with_unique_ids():
    ids = set()
    for path in sorted((LABELS_DIR / "authored").glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            r = json.loads(line)
            assert r.get("source") == "authored", r["id"]
            assert r["id"] not in ids, r["id"]
            ids.add(r["id"])
            if r.get("kind") == "heading":
                assert r["labels"] == []
            if r.get("detail") is not None:
                assert r["detail"] in ("specific", "vague") and "retention" in r["labels"]
    assert len(ids) > 1000


def test_every_element_has_positives_in_each_core_language():
    docs = load_all()
    for lang in ("en", "sv", "de", "fr", "nl"):
        for e in ELEMENT_IDS:
            n = sum(sum(e in ls for ls in d.labels) for d in docs if d.lang == lang)
            assert n >= 15, f"only {n} {e} positives in {lang}"
