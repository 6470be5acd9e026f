"""The command line: one test per documented behaviour; the exit code is the product."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from checker.cli import main
from tests.conftest import ROOT, SEEDS

SAMPLE = ROOT / "examples" / "privacy-policy.md"
UJET = next(SEEDS.glob("004_*.txt"))  # all four elements present


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_all_present_exits_0(capsys):
    code, out, err = run(capsys, "check", str(UJET))
    assert code == 0 and err == ""
    assert "PASSED" in out


def test_gap_exits_1_and_names_the_failing_elements(capsys):
    code, out, _ = run(capsys, "check", str(SAMPLE))
    assert code == 1
    assert "FAILED (dpo_contact, complaint_right)" in out
    assert "Art. 77" in out


def test_require_narrows_what_fails(capsys):
    code, _, _ = run(capsys, "check", str(SAMPLE), "--require", "retention,children")
    assert code == 0


def test_fail_on_uncertain_is_accepted(capsys):
    code, _, _ = run(capsys, "check", str(UJET), "--fail-on", "uncertain")
    assert code == 0


def test_json_format_is_one_report_with_source(capsys):
    code, out, _ = run(capsys, "check", str(SAMPLE), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["source"] == str(SAMPLE)
    assert [e["id"] for e in report["elements"]] == [
        "dpo_contact",
        "complaint_right",
        "retention",
        "children",
    ]


def test_jsonl_is_one_line_per_input_in_order(capsys):
    code, out, _ = run(capsys, "check", str(SAMPLE), str(UJET), "--format", "jsonl")
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 1
    assert [x["source"] for x in lines] == [str(SAMPLE), str(UJET)]
    assert [x["summary"]["passed"] for x in lines] == [False, True]


def test_unreadable_input_among_others_is_reported_and_exits_2(capsys, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out, err = run(capsys, "check", str(UJET), str(empty), "--format", "jsonl")
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 2
    assert lines[0]["summary"]["passed"] is True
    assert lines[1] == {
        "source": str(empty),
        "error": {"type": "input", "message": "input is empty"},
    }
    assert err == f"policycheck: {empty}: input is empty\n"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "input is empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "input looks like a PNG image, not text"),
        (b"\x00\x01\x02\x03binary\x00\x00\xff" * 50, "not text"),
        (b"12345 67890 ---", "input has no text"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(capsys, tmp_path, content, message):
    path = tmp_path / "policy.txt"
    path.write_bytes(content)
    code, out, err = run(capsys, "check", str(path))
    assert code == 2 and out == ""
    assert err.startswith(f"policycheck: {path}: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_missing_file_and_directory_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "check", str(tmp_path / "nope.txt"))
    assert code == 2 and "cannot read" in err and "No such file" in err
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2 and "is a directory" in err


def test_mis_encoded_latin1_input_is_decoded(capsys, tmp_path):
    text = UJET.read_text("utf-8").replace("’", "'").replace("“", '"').replace("”", '"')
    path = tmp_path / "latin1.txt"
    path.write_bytes((text + "\nFür Fragen: café.\n").encode("latin-1", errors="replace"))
    code, _, err = run(capsys, "check", str(path))
    assert code == 0, err


def test_unknown_element_is_a_usage_error(capsys):
    code, _, err = run(capsys, "check", str(SAMPLE), "--require", "retention,nope")
    assert code == 2
    assert (
        err
        == "policycheck: unknown element 'nope' (known: dpo_contact, complaint_right, retention, children)\n"
    )


def test_tampered_model_exits_2(capsys, tmp_path, tiny_model_dir):
    import shutil

    model = tmp_path / "m"
    shutil.copytree(tiny_model_dir, model)
    (model / "policycheck.npz").write_bytes(b"evil")
    code, out, err = run(capsys, "check", str(SAMPLE), "--model", str(model))
    assert code == 2 and out == ""
    assert "refusing to load a tampered model" in err


def test_usage_errors_exit_2(capsys):
    assert run(capsys, "check")[0] == 2
    assert run(capsys, "frobnicate")[0] == 2
    assert run(capsys, "check", str(SAMPLE), "--format", "xml")[0] == 2


def test_elements_lists_the_registry(capsys):
    code, out, _ = run(capsys, "elements", "--format", "json")
    assert code == 0
    assert [e["id"] for e in json.loads(out)] == [
        "dpo_contact",
        "complaint_right",
        "retention",
        "children",
    ]


def test_schema_is_valid_json_schema(capsys):
    import jsonschema

    code, out, _ = run(capsys, "schema")
    assert code == 0
    jsonschema.Draft202012Validator.check_schema(json.loads(out))


def test_stdin_and_real_process_exit_codes():
    """The installed entry point in a real process: stdin in, exit 1 for a gap, no traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "checker", "check", "-", "--format", "json"],
        input=SAMPLE.read_bytes(),
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["source"] == "<stdin>"
    empty = subprocess.run(
        [sys.executable, "-m", "checker", "check", "-"], input=b"", capture_output=True, check=False
    )
    assert empty.returncode == 2
    assert empty.stderr == b"policycheck: <stdin>: input is empty\n"


def test_text_output_has_no_colour_when_not_a_tty(capsys):
    _, out, _ = run(capsys, "check", str(SAMPLE))
    assert "\033[" not in out
    _, out, _ = run(capsys, "check", str(SAMPLE), "--color", "always")
    assert "\033[31m" in out


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "sarif", "junit", "github", "markdown"])
def test_every_format_keeps_the_exit_codes(capsys, tmp_path, monkeypatch, fmt):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert run(capsys, "check", str(UJET), "--format", fmt)[0] == 0
    assert run(capsys, "check", str(SAMPLE), "--format", fmt)[0] == 1
    code, out, err = run(capsys, "check", str(UJET), str(empty), "--format", fmt)
    assert code == 2 and err == f"policycheck: {empty}: input is empty\n"
    if fmt != "text":
        assert str(empty) in out or "empty.txt" in out  # the unreadable file is not dropped


def test_diff_exit_codes_in_a_real_process(tmp_path):
    """0 no regression, 1 a required element that was present is gone, 2 could not run."""

    def diff(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "checker", "diff", *args], capture_output=True, check=False
        )

    assert diff(str(SAMPLE), str(UJET)).returncode == 0
    lost = diff(str(UJET), str(SAMPLE))
    assert lost.returncode == 1
    assert b"REGRESSION (dpo_contact, complaint_right)" in lost.stdout
    missing = diff(str(SAMPLE), str(tmp_path / "nope.md"))
    assert missing.returncode == 2 and missing.stdout == b""
    assert (
        missing.stderr
        == f"policycheck: cannot read {tmp_path / 'nope.md'}: No such file or directory\n".encode()
    )


@pytest.mark.parametrize("pure", ["", "1"])
def test_version_says_which_accelerators_run(pure: str):
    import os
    from importlib.util import find_spec

    from checker import native

    env = {**os.environ, "POLICYCHECK_PURE_PYTHON": pure}
    proc = subprocess.run(
        [sys.executable, "-m", "checker", "--version"], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0
    if pure:
        expected = "turned off by POLICYCHECK_PURE_PYTHON"
    else:  # what this install built: CI has a compiler, a checkout without one builds none
        built = [n for n in native.NAMES if find_spec(f"checker._native_{n}") is not None]
        expected = ", ".join(built) or "none built (pure Python)"
    assert proc.stdout.startswith("policycheck ")
    assert proc.stdout.rstrip().endswith(f"(C accelerators: {expected})")
