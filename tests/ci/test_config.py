"""Configuration: discovery, validation, per-file rules, waivers, and the command line on top."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from checker import config
from checker.config import ConfigError, Overrides
from checker.registry import ELEMENT_IDS
from tests.ci.conftest import SAMPLE, run

REASON = "We are not required to appoint a DPO (Art. 37(1)); privacy@example.com answers."


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_no_configuration_above_the_test_project(project):
    assert config.find_config() is None


# --- discovery ----------------------------------------------------------------------------------


def test_pyproject_section_is_found_from_a_subdirectory(project, monkeypatch):
    py = write(project / "pyproject.toml", '[tool.policycheck]\nfail-on = "uncertain"\n')
    (project / "docs" / "legal").mkdir(parents=True)
    monkeypatch.chdir(project / "docs" / "legal")
    assert config.find_config() == py.resolve()
    assert config.resolve_config().settings_for("x.md").fail_on == "uncertain"


def test_pyproject_without_the_section_is_passed_over(project, monkeypatch):
    outer = write(project / ".policycheck.toml", 'fail-on = "uncertain"\n')
    write(project / "pkg" / "pyproject.toml", '[project]\nname = "pkg"\n')
    monkeypatch.chdir(project / "pkg")
    assert config.find_config() == outer.resolve()


def test_dot_policycheck_toml_wins_over_pyproject_in_the_same_directory(project):
    write(project / "pyproject.toml", '[tool.policycheck]\nfail-on = "absent"\n')
    own = write(project / ".policycheck.toml", 'fail-on = "uncertain"\n')
    assert config.find_config() == own.resolve()


def test_the_nearest_file_wins(project, monkeypatch):
    write(project / ".policycheck.toml", 'fail-on = "uncertain"\n')
    inner = write(project / "site" / ".policycheck.toml", 'require = ["retention"]\n')
    monkeypatch.chdir(project / "site")
    assert config.find_config() == inner.resolve()


# --- validation: every mistake is one readable ConfigError ----------------------------------


@pytest.mark.parametrize(
    "body, message",
    [
        (
            'requre = ["retention"]\n',
            "unknown key 'requre' (known: require, fail-on, waive, files)",
        ),
        ('require = ["retention", "nope"]\n', "require: unknown element 'nope'"),
        ("require = []\n", "require: no element ids given"),
        ("require = 3\n", "'require' must be a list of element ids"),
        ('fail-on = "sometimes"\n', "fail-on must be one of absent, uncertain, not 'sometimes'"),
        ('[waive]\nchildren = ""\n', "waive.children needs a reason"),
        ('[waive]\nchildrens = "B2B"\n', "waive: unknown element 'childrens'"),
        ('waive = "children"\n', "'waive' must be a table"),
        ('[[files]]\nrequire = ["retention"]\n', "files entry 1 needs a 'glob' string"),
        ('[[files]]\nglob = "*.md"\nfail_on = "uncertain"\n', "unknown key 'fail_on'"),
        ('files = "x"\n', "'files' must be an array of tables"),
        ("fail-on = \n", "not valid TOML"),
    ],
)
def test_invalid_configuration_is_a_config_error(project, body, message):
    path = write(project / ".policycheck.toml", body)
    with pytest.raises(ConfigError) as e:
        config.load_config(path)
    assert message in str(e.value)
    assert str(e.value).startswith(".policycheck.toml")


def test_pyproject_errors_name_the_table(project):
    path = write(project / "pyproject.toml", '[tool.policycheck]\nfailon = "absent"\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml: \[tool.policycheck\]: unknown key"):
        config.load_config(path)


def test_invalid_configuration_exits_2_with_one_line(capsys, project):
    write(project / ".policycheck.toml", 'fail-on = "sometimes"\n')
    code, out, err = run(capsys, "check", str(SAMPLE))
    assert code == 2 and out == ""
    assert err == (
        "policycheck: .policycheck.toml: top level: fail-on must be one of absent, uncertain, "
        "not 'sometimes'\n"
    )


def test_missing_explicit_config_exits_2(capsys, project):
    code, _, err = run(capsys, "check", str(SAMPLE), "--config", "nope.toml")
    assert code == 2 and err == "policycheck: config file nope.toml not found\n"


# --- resolution ---------------------------------------------------------------------------------


def test_defaults_without_configuration(project):
    s = config.Config().settings_for("privacy.md")
    assert s == config.Settings(ELEMENT_IDS, "absent", {})


LAYERED = """\
    require = ["dpo_contact", "complaint_right", "retention"]
    fail-on = "absent"

    [waive]
    dpo_contact = "group DPO, see the group policy"

    [[files]]
    glob = "privacy.md"
    fail-on = "uncertain"

    [[files]]
    glob = "legal/**/*.html"
    require = ["retention", "children"]
    waive = { children = "B2B only", dpo_contact = "legal pages name the group DPO" }
"""


@pytest.mark.parametrize(
    "path, require, fail_on, waived",
    [
        ("privacy.md", ("complaint_right", "retention"), "uncertain", {"dpo_contact"}),
        ("docs/privacy.md", ("complaint_right", "retention"), "uncertain", {"dpo_contact"}),
        ("other.md", ("complaint_right", "retention"), "absent", {"dpo_contact"}),
        ("legal/de/datenschutz.html", ("retention",), "absent", {"dpo_contact", "children"}),
        ("legal/index.html", ("retention",), "absent", {"dpo_contact", "children"}),
        ("legal/index.md", ("complaint_right", "retention"), "absent", {"dpo_contact"}),
        (None, ("complaint_right", "retention"), "absent", {"dpo_contact"}),  # stdin
    ],
)
def test_file_rules_apply_in_order_over_the_top_level(project, path, require, fail_on, waived):
    cfg = config.load_config(write(project / ".policycheck.toml", LAYERED))
    s = cfg.settings_for(path)
    assert (s.require, s.fail_on, set(s.waived)) == (require, fail_on, waived)


def test_later_waiver_reasons_replace_earlier_ones(project):
    cfg = config.load_config(write(project / ".policycheck.toml", LAYERED))
    assert cfg.settings_for("legal/x.html").waived == {
        "dpo_contact": "legal pages name the group DPO",
        "children": "B2B only",
    }


def test_globs_are_relative_to_the_configuration_file(project, monkeypatch):
    cfg_path = write(project / ".policycheck.toml", LAYERED)
    (project / "legal" / "de").mkdir(parents=True)
    monkeypatch.chdir(project / "legal")
    cfg = config.load_config(cfg_path)
    assert cfg.settings_for("de/datenschutz.html").require == ("retention",)
    assert cfg.settings_for(str(project / "legal" / "x.html")).require == ("retention",)


def test_command_line_overrides_the_file(project):
    cfg = config.load_config(write(project / ".policycheck.toml", LAYERED))
    cli = Overrides.from_cli("dpo_contact,children", "absent", ["retention=legal reviewed"])
    s = cfg.settings_for("privacy.md", cli)
    # --require replaces the file's list; waivers (file and command line) still apply
    assert s.require == ("children",)
    assert s.fail_on == "absent"
    assert s.waived == {
        "dpo_contact": "group DPO, see the group policy",
        "retention": "legal reviewed",
    }


@pytest.mark.parametrize("item", ["children", "children=", "children=  "])
def test_a_command_line_waiver_needs_a_reason(item):
    with pytest.raises(ConfigError, match="--waive needs ID=REASON"):
        Overrides.from_cli(waive=[item])


def test_waiving_everything_required_is_refused(project):
    cfg = config.load_config(
        write(project / ".policycheck.toml", 'require = ["children"]\n[waive]\nchildren = "B2B"\n')
    )
    with pytest.raises(ConfigError, match=r"every required element is waived for a\.md"):
        cfg.settings_for("a.md")


# --- end to end through the CLI -------------------------------------------------------------


def test_configured_waiver_turns_a_gap_into_a_pass_and_is_shown(capsys, project):
    policy = project / "privacy.md"
    policy.write_bytes(SAMPLE.read_bytes())
    write(
        project / "pyproject.toml",
        f"""\
        [tool.policycheck]
        require = ["dpo_contact", "retention", "children"]

        [tool.policycheck.waive]
        dpo_contact = "{REASON}"
        """,
    )
    code, out, err = run(capsys, "check", "privacy.md")
    assert code == 0 and err == ""
    assert "✗ absent    Data Protection Officer contact (waived)" in out
    assert f"warning: dpo_contact is waived (not required): {REASON}" in out
    assert "PASSED" in out
    # --no-config: back to the defaults, two gaps
    assert run(capsys, "check", "privacy.md", "--no-config")[0] == 1
    # the command line overrides the file: complaint_right required again
    assert run(capsys, "check", "privacy.md", "--require", "complaint_right,retention")[0] == 1


def test_waiver_is_kept_in_json_and_the_status_is_unchanged(capsys, project):
    policy = project / "privacy.md"
    policy.write_bytes(SAMPLE.read_bytes())
    code, out, _ = run(
        capsys,
        "check",
        "privacy.md",
        "--format",
        "json",
        "--waive",
        f"dpo_contact={REASON}",
        "--waive",
        "complaint_right=Named in the imprint",
    )
    report = json.loads(out)
    assert code == 0
    dpo = next(e for e in report["elements"] if e["id"] == "dpo_contact")
    assert dpo["status"] == "absent" and dpo["required"] is False
    assert f"dpo_contact is waived (not required): {REASON}" in report["warnings"]
    assert report["summary"]["passed"] is True and report["summary"]["absent"] == 2


def test_explicit_config_file_is_used(capsys, project, tmp_path):
    other = write(tmp_path / "elsewhere.toml", 'require = ["retention", "children"]\n')
    assert run(capsys, "check", str(SAMPLE))[0] == 1
    assert run(capsys, "check", str(SAMPLE), "--config", str(other))[0] == 0
