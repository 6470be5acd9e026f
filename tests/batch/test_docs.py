"""docs/batch.md documents every option of `policycheck batch` and every public helper."""

from __future__ import annotations

import pytest

from checker.cli import _parser
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "batch.md").read_text("utf-8")


def batch_options() -> list[str]:
    sub = next(a for a in _parser()._actions if a.dest == "command")
    batch = sub.choices["batch"]
    return [s for a in batch._actions for s in a.option_strings if s.startswith("--")]


@pytest.mark.parametrize("option", [o for o in batch_options() if o != "--help"])
def test_every_batch_option_is_documented(option):
    assert f"`{option}" in DOC


@pytest.mark.parametrize(
    "name",
    [
        "check_many",
        "check_dask",
        "run_batch",
        "Failed",
        "Item",
        "BatchSummary",
        "to_frame",
        "to_long_frame",
        "check_column",
        "plot_coverage",
        "coverage_table",
        "ModelPlugin",
        "MissingDependencyError",
        "examples/batch.ipynb",
        "benchmarks/batch_bench.py",
    ],
)
def test_every_public_helper_is_documented(name):
    assert name in DOC


def test_the_frame_columns_are_documented():
    for column in ("source", "language", "passed", "error_type", "error_message"):
        assert f"`{column}`" in DOC
    assert "`<id>_status`, `<id>_probability`" in DOC
