"""DataFrames: one row per policy, one row per evidence sentence, a column scored directly."""

from __future__ import annotations

import json
import sys

import pytest

pd = pytest.importorskip("pandas")

from checker.batch import Failed, check_many  # noqa: E402
from checker.frames import (  # noqa: E402
    COLUMN_NAMES,
    check_column,
    empty_frame,
    report_row,
    to_frame,
    to_long_frame,
)
from checker.registry import ELEMENT_IDS  # noqa: E402
from tests.conftest import ROOT, SEEDS  # noqa: E402

SAMPLE = ROOT / "examples" / "privacy-policy.md"


@pytest.fixture(scope="module")
def results(shipped_model):
    items = [*sorted(SEEDS.glob("*.txt")), SAMPLE, ROOT / "no-such-policy.txt"]
    return list(check_many(items, model=shipped_model))


def test_wide_frame_has_a_status_and_probability_per_element(results):
    frame = to_frame(results)
    assert list(frame.columns) == list(COLUMN_NAMES)
    for el in ELEMENT_IDS:
        assert f"{el}_status" in frame and f"{el}_probability" in frame
    assert len(frame) == len(results)
    sample = frame[frame["source"] == str(SAMPLE)].iloc[0]
    assert sample["language"] == "en" and not sample["passed"]
    assert sample["failing"] == "dpo_contact,complaint_right"
    assert sample["retention_status"] == "present" and sample["retention_detail"] == "specific"
    assert sample["dpo_contact_probability"] < 0.5
    assert pd.isna(sample["error_type"])


def test_failed_documents_are_rows_with_their_reason(results):
    frame = to_frame(results)
    failed = frame[frame["error_type"].notna()]
    assert len(failed) == 1
    row = failed.iloc[0]
    assert row["error_type"] == "input" and "cannot read" in row["error_message"]
    assert pd.isna(row["passed"]) and pd.isna(row["retention_status"])


def test_frame_dtypes_are_stable_even_when_every_row_failed():
    frame = to_frame([Failed("a", "input", "input is empty")])
    assert frame.dtypes.to_dict() == empty_frame().dtypes.to_dict()
    assert str(frame["passed"].dtype) == "boolean"
    assert str(frame["retention_probability"].dtype) == "float64"


def test_report_dicts_from_jsonl_give_the_same_rows(results):
    dicts = [json.loads(json.dumps(r.to_dict())) for r in results]
    assert [report_row(d) for d in dicts] == [report_row(r) for r in results]


def test_long_frame_has_one_row_per_evidence_sentence(results):
    long = to_long_frame(results)
    reports = [r for r in results if not isinstance(r, Failed)]
    n_evidence = sum(len(e.evidence) for r in reports for e in r.elements)
    n_near = sum(len(e.near_misses) for r in reports for e in r.elements)
    assert (long["kind"] == "evidence").sum() == n_evidence
    assert (long["kind"] == "near_miss").sum() == n_near
    row = long[(long["source"] == str(SAMPLE)) & (long["element"] == "retention")].iloc[0]
    assert row["rank"] == 1 and row["line"] == 29 and row["status"] == "present"
    text = SAMPLE.read_text("utf-8")
    assert text[row["start"] : row["end"]] == row["text"]


def test_check_column_scores_a_column_aligned_with_the_index(shipped_model):
    texts = [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    df = pd.DataFrame(
        {"name": ["a", "b", "c", "d", "e", "f"], "text": [*texts, None]},
        index=[10, 11, 12, 13, 14, 15],
    )
    scored = check_column(df, "text", source_column="name", model=shipped_model)
    assert list(scored.index) == list(df.index)
    assert list(scored["source"]) == list(df["name"])
    assert scored.loc[15, "error_message"] == "no text in column 'text'"
    assert scored.loc[14, "passed"]  # seed 004 has all four elements
    joined = df.join(scored[["passed"]])
    assert len(joined) == 6


def test_check_column_paths_and_index_as_source(shipped_model):
    df = pd.DataFrame({"file": [str(SAMPLE)]}, index=["sample"])
    scored = check_column(df, "file", paths=True, model=shipped_model, n_jobs=1)
    assert scored.loc["sample", "source"] == "sample"
    assert scored.loc["sample", "failing"] == "dpo_contact,complaint_right"


def test_check_column_names_a_missing_column(shipped_model):
    with pytest.raises(KeyError, match="no column 'body'"):
        check_column(pd.DataFrame({"text": ["x"]}), "body", model=shipped_model)


def test_without_pandas_the_error_names_the_extra(results, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ImportError, match=r"needs pandas.*policycheck\[batch\]"):
        to_frame(results)
    # rows need no pandas: the CLI's CSV output does not depend on it
    assert report_row(results[0])["source"] == results[0].source
