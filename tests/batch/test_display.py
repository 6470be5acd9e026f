"""Seeing it: a report's HTML in Jupyter and the coverage chart."""

from __future__ import annotations

import dataclasses

import pytest

from checker import check, check_path
from checker.batch import Failed
from checker.display import report_html
from tests.conftest import ROOT, SEEDS

SAMPLE = ROOT / "examples" / "privacy-policy.md"


@pytest.fixture(scope="module")
def sample(shipped_model):
    return check_path(SAMPLE, model=shipped_model)


def test_report_renders_as_an_html_table_in_jupyter(sample):
    html = sample._repr_html_()
    assert html.startswith('<div class="policycheck-report">') and "<table>" in html
    assert html.count("<tr>") == 1 + len(sample.elements)  # header + one row per element
    assert "✓ present" in html and "✗ absent" in html
    assert "#1b5e20" in html and "#8e1b1b" in html  # status colours
    assert "line 29: “Order records and invoices are kept for seven years" in html
    assert "Art. 77" in html and "FAILED (dpo_contact, complaint_right)" in html
    assert "retention is specific" in html


def test_html_escapes_everything_from_the_policy(shipped_model):
    text = "<script>alert(1)</script> We keep your data for <b>two years</b> after you leave. " * 12
    report = check(text, model=shipped_model, source='<img src=x onerror="boom">')
    html = report._repr_html_()
    assert "<script>" not in html and "<img" not in html and "<b>two" not in html
    assert "&lt;script&gt;" in html


def test_dicts_and_failures_render_too(sample):
    assert report_html(sample.to_dict()) == sample._repr_html_()
    html = Failed("scan.pdf", "input", "PDF input is not supported yet")._repr_html_()
    assert "scan.pdf" in html and "could not be checked" in html and "PDF input" in html


def test_warnings_are_shown(sample):
    report = dataclasses.replace(sample, warnings=["the text is very short"])
    assert "warning: the text is very short" in report._repr_html_()


def test_coverage_by_language_draws_stacked_shares(shipped_model):
    pytest.importorskip("pandas")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from checker.batch import check_many
    from checker.display import coverage_table, plot_coverage
    from checker.frames import to_frame

    results = list(check_many([*sorted(SEEDS.glob("*.txt")), SAMPLE, ROOT / "gone.txt"]))
    frame = to_frame(results)
    table = coverage_table(frame, by="language")
    shares = table[["present", "uncertain", "absent"]].sum(axis=1)
    assert shares.round(9).eq(1).all()
    assert table.loc[("en", "retention"), "n"] == 5  # four English seeds + the sample
    assert set(table.index.get_level_values("group")) == {"en", "sv"}

    ax = plot_coverage(frame, by="language")
    n_groups, n_elements = 2, 4
    assert len(ax.patches) == 3 * n_groups * n_elements  # present/uncertain/absent per bar
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "present",
        "uncertain",
        "absent",
    ]
    assert ax.get_title() == "Coverage of 6 policies by language"  # the failed one left out
    plt.close(ax.figure)

    ax = plot_coverage(results, by=None)  # reports straight in, one bar per element
    assert len(ax.patches) == 3 * n_elements
    plt.close(ax.figure)
    with pytest.raises(KeyError, match="no column 'country'"):
        plot_coverage(frame, by="country")
