"""`policycheck diff OLD NEW`: appeared / disappeared / changed, and the regression gate's exit code."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from checker import diff
from tests.ci.conftest import NEAR_MISS, SAMPLE, run

WITHOUT_RETENTION = NEAR_MISS.replace(
    "We keep invoices for seven years after the end of the financial year.",
    "We take the security of your data seriously.",
)
WITH_COMPLAINT = NEAR_MISS.replace(
    "If you are unhappy, you can complain to our customer service team.",
    "You have the right to lodge a complaint with a supervisory authority.",
)

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


@pytest.fixture
def versions(project: Path) -> Path:
    (project / "v1.md").write_text(NEAR_MISS, encoding="utf-8")
    (project / "lost.md").write_text(WITHOUT_RETENTION, encoding="utf-8")
    (project / "gained.md").write_text(WITH_COMPLAINT, encoding="utf-8")
    return project


@pytest.fixture
def repo(project: Path) -> Path:
    """A git repository whose privacy.md loses its retention statement in the second commit."""
    git(project, "init", "-q")
    (project / "docs").mkdir()
    policy = project / "docs" / "privacy.md"
    policy.write_text(NEAR_MISS, encoding="utf-8")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "v1")
    policy.write_text(WITHOUT_RETENTION, encoding="utf-8")
    git(project, "commit", "-q", "-am", "v2")
    return project


def changes(out: str) -> dict[str, str]:
    return {e["id"]: e["change"] for e in json.loads(out)["elements"]}


def test_losing_a_required_element_is_a_regression_exit_1(capsys, versions):
    code, out, err = run(capsys, "diff", "v1.md", "lost.md")
    assert code == 1 and err == ""
    assert "- disappeared Retention period  present -> absent" in out
    assert (
        out.rstrip()
        .splitlines()[-1]
        .startswith("  REGRESSION (retention): 0 appeared, 1 disappeared")
    )


def test_gaining_an_element_is_not_a_regression_exit_0(capsys, versions):
    code, out, _ = run(capsys, "diff", "v1.md", "gained.md", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert changes(out) == {
        "dpo_contact": "unchanged",
        "complaint_right": "appeared",
        "retention": "unchanged",
        "children": "unchanged",
    }
    assert doc["summary"]["regressions"] == [] and doc["summary"]["passed"] is True
    assert doc["old"] == "v1.md" and doc["new"] == "gained.md"


def test_identical_versions_exit_0_even_with_existing_gaps(capsys):
    code, out, _ = run(capsys, "diff", str(SAMPLE), str(SAMPLE))
    assert code == 0
    assert "no regression: 0 appeared, 0 disappeared, 0 changed" in out


def test_losing_an_element_that_is_not_required_or_waived_exits_0(capsys, versions):
    code, out, _ = run(capsys, "diff", "v1.md", "lost.md", "--require", "dpo_contact")
    assert code == 0 and "Retention period (not required)" in out
    code, out, _ = run(capsys, "diff", "v1.md", "lost.md", "--waive", "retention=moved to terms")
    assert code == 0 and "Retention period (waived: moved to terms)" in out


def test_config_file_applies_to_diff(capsys, versions):
    (versions / ".policycheck.toml").write_text(
        '[[files]]\nglob = "lost.md"\nrequire = ["children"]\n', encoding="utf-8"
    )
    assert run(capsys, "diff", "v1.md", "lost.md")[0] == 0
    assert run(capsys, "diff", "v1.md", "lost.md", "--no-config")[0] == 1


def test_markdown_diff(capsys, versions):
    code, out, _ = run(capsys, "diff", "v1.md", "lost.md", "--format", "markdown")
    assert code == 1
    assert "### policycheck diff: ❌ regression: retention disappeared" in out
    assert "| ❌ | Retention period | disappeared | present (" in out


@needs_git
def test_git_revisions_of_one_file(capsys, repo):
    code, out, _ = run(capsys, "diff", "HEAD~1:docs/privacy.md", "HEAD:docs/privacy.md")
    assert code == 1
    assert out.startswith("HEAD~1:docs/privacy.md -> HEAD:docs/privacy.md\n")
    assert "REGRESSION (retention)" in out
    # a revision against the working tree; ./ makes the path relative to the current directory
    (repo / "docs" / "privacy.md").write_text(NEAR_MISS, encoding="utf-8")
    assert run(capsys, "diff", "HEAD~1:docs/privacy.md", "docs/privacy.md")[0] == 0
    assert run(capsys, "diff", "HEAD:docs/privacy.md", "docs/privacy.md")[0] == 0  # restored


@needs_git
def test_git_paths_relative_to_the_current_directory_with_dot_slash(capsys, repo, monkeypatch):
    monkeypatch.chdir(repo / "docs")
    assert run(capsys, "diff", "HEAD~1:./privacy.md", "HEAD:./privacy.md")[0] == 1
    assert run(capsys, "diff", "HEAD~1:docs/privacy.md", "privacy.md")[0] == 1


@needs_git
def test_git_revision_config_matches_the_path(repo):
    v = diff.read_version("HEAD:docs/privacy.md")
    assert (v.filename, v.path) == ("privacy.md", "docs/privacy.md")


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("nope.md", "v1.md", "policycheck: cannot read nope.md: No such file or directory\n"),
        ("v1.md", ".", "policycheck: . is a directory; pass a policy file\n"),
        ("v1.md", "empty.md", "policycheck: empty.md: input is empty\n"),
        (
            "v1.md",
            ":x.md",
            "policycheck: :x.md: expected a file or REV:PATH (e.g. HEAD~1:privacy.md)\n",
        ),
    ],
)
def test_unreadable_version_exits_2(capsys, versions, old, new, message):
    (versions / "empty.md").write_bytes(b"")
    code, out, err = run(capsys, "diff", old, new)
    assert code == 2 and out == ""
    assert err == message


@needs_git
def test_bad_revision_exits_2_with_gits_reason(capsys, repo):
    code, out, err = run(capsys, "diff", "nosuchrev:docs/privacy.md", "docs/privacy.md")
    assert code == 2 and out == ""
    assert err.startswith("policycheck: nosuchrev:docs/privacy.md: git show failed: fatal: ")
    code, _, err = run(capsys, "diff", "HEAD:docs/missing.md", "docs/privacy.md")
    assert code == 2 and "git show failed" in err


@needs_git
def test_revision_outside_a_repository_exits_2(capsys, project):
    (project / "v1.md").write_text(NEAR_MISS, encoding="utf-8")
    code, _, err = run(capsys, "diff", "HEAD:v1.md", "v1.md")
    assert code == 2 and "git show failed: fatal: not a git repository" in err


def test_change_kinds():
    def c(old: str, new: str) -> diff.Change:
        return diff.Change("retention", "Retention period", True, None, old, new, 0.5, 0.5)

    assert [c(*p).kind for p in [("present", "absent"), ("present", "uncertain")]] == [
        "disappeared",
        "disappeared",
    ]
    assert c("absent", "present").kind == c("uncertain", "present").kind == "appeared"
    assert c("absent", "uncertain").kind == c("uncertain", "absent").kind == "changed"
    assert c("absent", "absent").kind == "unchanged"
    assert c("present", "uncertain").regression and not c("absent", "uncertain").regression


def test_a_version_over_the_size_limit_is_refused_without_reading_it(capsys, tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(100 << 20)
    code, _, err = run(capsys, "diff", str(SAMPLE), str(big))
    assert code == 2
    assert "too large" in err
    assert "Traceback" not in err
