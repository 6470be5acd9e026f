"""docs/api.md is kept honest: every setting and every problem type is documented; settings
read from the environment as documented."""

from __future__ import annotations

import re

import pytest

from api.problems import PROBLEM_TYPES
from api.settings import Settings
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "api.md").read_text("utf-8")


def _section(name: str) -> str:
    return DOC.split(f"<!-- {name}:start", 1)[1].split(f"<!-- {name}:end -->", 1)[0]


def test_every_setting_is_documented():
    documented = set(re.findall(r"^\| `(POLICYCHECK_\w+)`", _section("settings"), re.M))
    assert documented == {f"POLICYCHECK_{name.upper()}" for name in Settings.model_fields}


def test_every_problem_type_is_documented_with_its_status():
    rows = re.findall(r"^\| (\d{3}) \| `([\w-]+)` \|", _section("problems"), re.M)
    assert {slug: int(status) for status, slug in rows} == {
        slug: status for slug, (status, _) in PROBLEM_TYPES.items()
    }


def test_settings_come_from_policycheck_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("POLICYCHECK_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("POLICYCHECK_MAX_BATCH_ITEMS", "5")
    monkeypatch.setenv("POLICYCHECK_API_KEYS", "one, two,,")
    monkeypatch.setenv("POLICYCHECK_CORS_ORIGINS", "https://a.example,https://b.example")
    monkeypatch.setenv("POLICYCHECK_LOG_LEVEL", "WARNING")
    s = Settings()
    assert s.model_dir == tmp_path and s.max_batch_items == 5 and s.log_level == "warning"
    assert [k.get_secret_value() for k in s.api_keys] == ["one", "two"]
    assert s.cors_origins == ["https://a.example", "https://b.example"]
    assert "one" not in repr(s)  # keys never show up in a log or traceback


@pytest.mark.parametrize(
    "name, value", [("MAX_UPLOAD_BYTES", "0"), ("PARSE_TIMEOUT", "-1"), ("LOG_LEVEL", "loud")]
)
def test_bad_settings_are_refused(monkeypatch, name, value):
    from pydantic import ValidationError

    monkeypatch.setenv(f"POLICYCHECK_{name}", value)
    with pytest.raises(ValidationError):
        Settings()


def test_serve_is_a_cli_command(capsys):
    from checker.cli import main

    assert main(["serve", "--help"]) == 0
    assert "--workers" in capsys.readouterr().out
