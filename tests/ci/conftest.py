"""Shared pieces for the CI tests: policies with known outcomes under the shipped model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker import registry
from checker.cli import main
from checker.report import SCHEMA_VERSION
from tests.conftest import ROOT, SEEDS

SAMPLE = ROOT / "examples" / "privacy-policy.md"  # dpo_contact and complaint_right absent
PASSING = next(SEEDS.glob("004_*.txt"))  # all four elements present

# complaint_right is absent with a near miss on line 12; the other three are present.
NEAR_MISS = """\
# Privacy policy

We collect your name and e-mail address when you create an account.
We use this data to provide the service and to send you invoices.

## Data protection officer

Our data protection officer can be reached at dpo@example.com.

## Complaints

If you are unhappy, you can complain to our customer service team.

## Retention

We keep invoices for seven years after the end of the financial year.

## Children

Our service is not directed at children under 16.
"""
NEAR_MISS_LINE = 12


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory, made the current directory (no configuration above it)."""
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def near_miss(project: Path) -> Path:
    path = project / "near.md"
    path.write_text(NEAR_MISS, encoding="utf-8")
    return path


def _evidence(sentence: str, score: float, reason: str | None = None) -> dict[str, Any]:
    start = NEAR_MISS.index(sentence)
    line = NEAR_MISS.count("\n", 0, start) + 1
    end = start + len(sentence)
    return {
        "text": sentence,
        "start": start,
        "end": end,
        "line": line,
        "score": score,
        "reason": reason,
    }


def _element(eid: str, status: str, p: float, evidence=(), near=(), detail=None) -> dict[str, Any]:
    e = registry.get(eid)
    return {
        "id": eid,
        "title": e.title,
        "articles": list(e.articles),
        "required": True,
        "status": status,
        "probability": p,
        "evidence": list(evidence),
        "near_misses": list(near),
        "recommendation": None if status == "present" else e.recommendation,
        "detail": detail,
    }


def near_miss_report(source: str = "near.md") -> dict[str, Any]:
    """The report of NEAR_MISS as a model would give it, built by hand so that tests of where
    results are located do not depend on the shipped model (tests/ci checks it is schema-valid)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "source": source,
        "language": {"code": "en", "confidence": 0.9, "supported": True},
        "model": {"version": "test", "sha256": "0" * 64},
        "elements": [
            _element(
                "dpo_contact",
                "present",
                0.99,
                [_evidence("Our data protection officer can be reached at dpo@example.com.", 0.98)],
            ),
            _element(
                "complaint_right",
                "absent",
                0.08,
                near=[
                    _evidence(
                        "If you are unhappy, you can complain to our customer service team.",
                        0.31,
                        "complaints go to the organisation, not to a supervisory authority",
                    )
                ],
            ),
            _element(
                "retention",
                "present",
                1.0,
                [
                    _evidence(
                        "We keep invoices for seven years after the end of the financial year.",
                        0.99,
                    )
                ],
                detail="specific",
            ),
            _element(
                "children",
                "present",
                1.0,
                [_evidence("Our service is not directed at children under 16.", 0.99)],
            ),
        ],
        "summary": {
            "present": 3,
            "absent": 1,
            "uncertain": 0,
            "passed": False,
            "failing": ["complaint_right"],
            "fail_on": "absent",
        },
        "warnings": [],
    }
