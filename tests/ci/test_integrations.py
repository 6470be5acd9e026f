"""The pre-commit hook and the GitHub Action, run for real.

The hook test runs ``pre-commit try-repo`` against a snapshot of this working tree (tracked and
untracked files, as committed in a temporary repository: ``try-repo`` on the checkout itself
would only see committed and modified tracked files). pre-commit builds the hook's virtual
environment with pip, which installs the checker and its core dependencies from the package
index; that takes a while, so the test is marked ``slow`` in its name and is skipped with a clear
reason when pre-commit or git is not installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.ci.conftest import NEAR_MISS, PASSING, SAMPLE
from tests.conftest import ROOT

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text("utf-8"))
BIN = Path(sys.executable).parent
GIT = [
    "git",
    "-c",
    "user.name=t",
    "-c",
    "user.email=t@example.com",
    "-c",
    "init.defaultBranch=main",
]


def yaml_load(path: Path):
    yaml = pytest.importorskip("yaml", reason="PyYAML comes with pre-commit (the dev extra)")
    return yaml.safe_load(path.read_text("utf-8"))


# --- the hook definition --------------------------------------------------------------------------


def test_hook_definition():
    [hook] = yaml_load(ROOT / ".pre-commit-hooks.yaml")
    assert hook["id"] == "policycheck"
    assert hook["entry"] == "policycheck check"
    assert hook["language"] == "python"
    assert hook["require_serial"] is True


@pytest.mark.parametrize(
    "path, matches",
    [
        ("privacy.md", True),
        ("docs/Privacy-Policy.MD", True),
        ("site/privacy/index.html", True),
        ("legal/datenschutz.htm", True),
        ("integritetspolicy.txt", True),
        ("fr/politique-de-confidentialite.markdown", True),
        ("es/politica-de-privacidad.html", True),
        ("da/privatlivspolitik.md", True),
        ("fi/tietosuojaseloste.md", True),
        ("pl/polityka-prywatnosci.html", True),
        ("README.md", False),
        ("privacy.py", False),
        ("privacy.pdf", False),
        ("terms.html", False),
    ],
)
def test_hook_files_pattern(path, matches):
    [hook] = yaml_load(ROOT / ".pre-commit-hooks.yaml")
    assert bool(re.search(hook["files"], path)) is matches


def snapshot_of_working_tree(dest: Path) -> Path:
    """This working tree (tracked and untracked, not ignored) committed in a fresh repository."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    subprocess.run([*GIT, "init", "-q"], cwd=dest, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=dest, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "snapshot"], cwd=dest, check=True)
    return dest


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.skipif(
    shutil.which("pre-commit", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}") is None,
    reason="pre-commit is not installed (pip install -e '.[dev]' installs it)",
)
def test_pre_commit_hook_for_real_slow(tmp_path):
    """``pre-commit try-repo`` installs the hook with pip and runs it: exit 1 on a gap, 0 after."""
    source = snapshot_of_working_tree((tmp_path / "policycheck").resolve())
    repo = tmp_path / "site"
    repo.mkdir()
    subprocess.run([*GIT, "init", "-q"], cwd=repo, check=True)
    (repo / "privacy.md").write_bytes(SAMPLE.read_bytes())
    (repo / "notes.md").write_text("Not a policy.\n", encoding="utf-8")
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "NO_COLOR": "1",
    }
    env.pop("GITHUB_STEP_SUMMARY", None)

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                "pre-commit",
                "try-repo",
                str(source),
                "policycheck",
                "--color",
                "never",
                "--files",
                *files,
            ],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    gap = try_repo("privacy.md", "notes.md")
    assert gap.returncode == 1, gap.stdout + gap.stderr
    assert "policycheck (GDPR disclosures in privacy policies)" in gap.stdout
    assert "FAILED (dpo_contact, complaint_right)" in gap.stdout
    assert "notes.md" not in gap.stdout.split("hook id: policycheck")[-1]  # not a policy file

    (repo / "privacy.md").write_bytes(PASSING.read_bytes())
    fixed = try_repo("privacy.md")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert re.search(r"policycheck \(GDPR disclosures in privacy policies\)\.+Passed", fixed.stdout)


# --- the GitHub Action ---------------------------------------------------------------------------


def test_action_definition():
    action = yaml_load(ROOT / "action.yml")
    assert set(action["inputs"]) >= {"paths", "require", "fail-on", "python-version"}
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    runs = "\n".join(s.get("run", "") for s in steps)
    assert 'pip install --disable-pip-version-check --quiet "$GITHUB_ACTION_PATH"' in runs
    assert 'bash "$GITHUB_ACTION_PATH/scripts/action.sh"' in runs
    [check] = [s for s in steps if s.get("id") == "check"]
    for name in ("paths", "require", "fail-on"):
        env_name = "INPUT_" + name.upper().replace("-", "_")
        assert check["env"][env_name] == f"${{{{ inputs.{name} }}}}"
    [upload] = [s for s in steps if "upload-sarif" in s.get("uses", "")]
    assert upload["with"]["sarif_file"] == "${{ steps.check.outputs.sarif-file }}"
    assert "!cancelled()" in upload["if"]  # the SARIF is uploaded when gaps fail the step


def run_action(
    workdir: Path, tmp_path: Path, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    if shutil.which("policycheck", path=str(BIN)) is None:
        pytest.skip(f"the policycheck entry point is not installed in {BIN}")
    out = tmp_path / "github_output"
    out.write_text("", encoding="utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))},
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GITHUB_OUTPUT": str(out),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "RUNNER_TEMP": str(tmp_path),
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
    }
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "action.sh")],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    outputs = dict(line.split("=", 1) for line in out.read_text("utf-8").splitlines())
    return proc, outputs


@pytest.fixture
def site(project: Path) -> Path:
    (project / "docs" / "de").mkdir(parents=True)
    (project / "privacy.md").write_bytes(SAMPLE.read_bytes())
    (project / "docs" / "privacy-policy.md").write_text(NEAR_MISS, encoding="utf-8")
    (project / "docs" / "de" / "datenschutz.txt").write_bytes(PASSING.read_bytes())
    return project


def test_action_gaps_exit_1_with_sarif_annotations_and_summary(site, tmp_path):
    proc, outputs = run_action(site, tmp_path, paths="privacy.md\n  docs/**/*.md docs/**/*.txt")
    assert proc.returncode == 1, proc.stderr
    assert outputs == {"sarif-file": str(tmp_path / "policycheck.sarif"), "exit-code": "1"}
    sarif = json.loads(Path(outputs["sarif-file"]).read_text("utf-8"))
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    assert [a["location"]["uri"] for a in sarif["runs"][0]["artifacts"]] == [
        "privacy.md",
        "docs/privacy-policy.md",
        "docs/de/datenschutz.txt",
    ]
    assert len(sarif["runs"][0]["results"]) == 3
    annotations = [x for x in proc.stdout.splitlines() if x.startswith("::")]
    assert [a.split(",")[0] for a in annotations] == [
        "::error file=privacy.md",
        "::error file=privacy.md",
        "::error file=docs/privacy-policy.md",
    ]
    summary = (tmp_path / "summary.md").read_text("utf-8")
    assert "### policycheck: ❌ 2 of 3 files have gaps" in summary
    assert proc.stderr == ""


def test_action_inputs_override_and_pass_exit_0(site, tmp_path):
    proc, outputs = run_action(site, tmp_path, paths="privacy.md", require="retention,children")
    assert proc.returncode == 0 and outputs["exit-code"] == "0"
    assert json.loads(Path(outputs["sarif-file"]).read_text("utf-8"))["runs"][0]["results"] == []


def test_action_reads_the_configuration_file(site, tmp_path):
    (site / "pyproject.toml").write_text(
        '[tool.policycheck.waive]\ndpo_contact = "group DPO"\ncomplaint_right = "in the imprint"\n',
        encoding="utf-8",
    )
    proc, _ = run_action(site, tmp_path, paths="privacy.md")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.count("::notice file=privacy.md") == 2
    assert "waived: group DPO" in (tmp_path / "summary.md").read_text("utf-8")


@pytest.mark.parametrize(
    "inputs, message",
    [
        ({"paths": "nothing/*.md"}, "::error title=policycheck::no file matches 'nothing/*.md'"),
        ({"paths": "  "}, "::error title=policycheck::the 'paths' input names no policy file"),
    ],
)
def test_action_paths_that_match_nothing_exit_2(site, tmp_path, inputs, message):
    proc, outputs = run_action(site, tmp_path, **inputs)
    assert proc.returncode == 2
    assert proc.stdout.strip() == message
    assert outputs == {"exit-code": "2"}


def test_action_could_not_run_exit_2_without_a_sarif_file(site, tmp_path):
    proc, outputs = run_action(site, tmp_path, paths="privacy.md", **{"fail_on": "sometimes"})
    assert proc.returncode == 2
    assert outputs == {"exit-code": "2"}
    assert not (tmp_path / "policycheck.sarif").exists()
    assert "invalid choice: 'sometimes'" in proc.stderr


def test_action_unreadable_policy_exit_2_still_writes_sarif(site, tmp_path):
    (site / "empty-privacy.md").write_bytes(b"")
    proc, outputs = run_action(site, tmp_path, paths="*privacy*.md", require="retention")
    assert proc.returncode == 2
    assert outputs["exit-code"] == "2" and "sarif-file" in outputs
    assert (
        "::error file=empty-privacy.md,title=policycheck%3A could not check::input is empty"
        in proc.stdout
    )
