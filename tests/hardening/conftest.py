"""Budgets and counts for the property tests of tests/hardening.

Every property test runs ``budget(n)`` examples: ``n`` by default (derandomized, so the suite
is deterministic and fast), ``n * POLICYCHECK_FUZZ_SCALE`` with fresh random seeds for a long
run. Each target counts the examples it really ran; the counts are printed at the end of the
session and, with ``POLICYCHECK_FUZZ_REPORT=FILE``, written there as JSON:

    POLICYCHECK_FUZZ_SCALE=50 POLICYCHECK_FUZZ_REPORT=fuzz.json python -m pytest tests/hardening -k fuzz
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

SCALE = float(os.environ.get("POLICYCHECK_FUZZ_SCALE", "1"))
EXAMPLES: Counter[str] = Counter()


def budget(n: int) -> Any:
    """Hypothesis settings for a target worth ``n`` examples in the default run."""
    return settings(
        max_examples=max(1, int(n * SCALE)),
        deadline=None,
        derandomize=SCALE <= 1,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )


def ran(target: str) -> None:
    """Count one generated input for ``target``."""
    EXAMPLES[target] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not EXAMPLES:
        return
    terminalreporter.section("fuzz examples per target")
    for target, n in sorted(EXAMPLES.items()):
        terminalreporter.write_line(f"{target:28s} {n:8d}")
    terminalreporter.write_line(f"{'total':28s} {sum(EXAMPLES.values()):8d}  (scale {SCALE:g})")
    out = os.environ.get("POLICYCHECK_FUZZ_REPORT")
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump({"scale": SCALE, "examples": dict(sorted(EXAMPLES.items()))}, f, indent=2)


@pytest.fixture(scope="module")
def client(tiny_model_dir: Any) -> Iterator[Any]:
    """The API on the tiny model, default settings."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    with TestClient(create_app(Settings(model_dir=tiny_model_dir))) as c:
        yield c
