"""docs/ci.md documents every format, option, configuration key, action input and exit code."""

from __future__ import annotations

import re

import pytest

from checker import cli, config
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "ci.md").read_text("utf-8")


@pytest.mark.parametrize("fmt", cli.FORMATS)
def test_every_check_format_is_documented(fmt):
    assert f"| `{fmt}` |" in DOC


@pytest.mark.parametrize("fmt", cli.DIFF_FORMATS)
def test_every_diff_format_is_documented(fmt):
    assert f"`{fmt}`" in DOC.split("### Regression gate")[1]


@pytest.mark.parametrize("key", sorted(set(config.TOP_KEYS) | set(config.FILE_KEYS)))
def test_every_configuration_key_is_documented(key):
    assert f"`{key}`" in DOC


def test_every_option_of_check_and_diff_is_documented():
    parser = cli._parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in ("check", "diff"):
        for action in sub.choices[name]._actions:
            for opt in action.option_strings:
                if opt in ("-h", "--help", "--color", "--model", "--format"):
                    continue  # --model, --color and --format are in the README / tables above
                assert opt in DOC, f"docs/ci.md does not mention {name} {opt}"


def test_every_action_input_is_documented():
    yaml = pytest.importorskip("yaml")
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    table = DOC.split("| input | default | meaning |")[1]
    for name in action["inputs"]:
        assert f"| `{name}` |" in table, f"action input {name} is not documented"


def test_exit_codes_are_documented():
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in DOC


def test_the_documented_hook_pattern_is_the_hook_file():
    yaml = pytest.importorskip("yaml")
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert f"`{hook['files']}`" in DOC


def test_waivers_are_documented_for_every_format():
    table = DOC.split("| format | how a waiver appears |")[1].split("\n\n")[0]
    documented = set(re.findall(r"^\| `([a-z]+)`", table, re.M)) | {"jsonl"}
    assert set(cli.FORMATS) <= documented
