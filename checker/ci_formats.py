"""Reports for CI systems: SARIF 2.1.0, JUnit XML, GitHub workflow commands and Markdown.

Every renderer takes the same list of ``FileResult`` (one per file given, in order, including
files that could not be checked, so nothing is silently dropped) and reads only the report
schema (``Report.to_dict()``), so the formats cannot disagree about what a report says.

What each element of each file becomes is decided once, in ``outcome()``:

- ``failed``: required and failing (``absent``, or ``uncertain`` with fail-on uncertain);
- ``waived``: a documented exception; its status is kept and shown with the reason, it never
  fails the run;
- ``warning``: required, ``uncertain`` and not failing under fail-on absent;
- ``passed``: required and ``present``; ``not required``: left out by ``require``.
"""

from __future__ import annotations

import hashlib
import os
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker import __version__, registry
from checker.config import waiver_note
from checker.engine import EXTRACTED_NOTE

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "policycheck"
MARKDOWN_MARKER = "<!-- policycheck -->"  # lets a bot find and update its own PR comment
HTML_WARNING = "HTML input:"  # the warning an HTML report carries (see EXTRACTED_NOTE)


@dataclass(frozen=True)
class FileResult:
    """One file given to ``check``: its report, or why it could not be checked."""

    source: str
    report: dict[str, Any] | None = None
    error: dict[str, str] | None = None  # {"type": ..., "message": ...}
    waived: Mapping[str, str] = field(default_factory=dict)  # element id -> reason


def outcome(el: dict[str, Any], report: dict[str, Any], waived: Mapping[str, str]) -> str:
    if el["id"] in waived:
        return "waived"
    if el["id"] in report["summary"]["failing"]:
        return "failed"
    if not el["required"]:
        return "not required"
    return "passed" if el["status"] == "present" else "warning"


def would_fail(el: dict[str, Any], fail_on: str) -> bool:
    """Whether the element's status fails under ``fail_on`` if it were required."""
    return el["status"] == "absent" or (fail_on == "uncertain" and el["status"] == "uncertain")


def location_line(el: dict[str, Any], report: dict[str, Any]) -> int | None:
    """The line to point at: the evidence, else the closest near miss, else none (whole file).

    None for standard input and for HTML, PDF and DOCX, whose line numbers refer to the
    extracted text.
    """
    if report.get("source", "<stdin>") == "<stdin>":
        return None
    if any(w.endswith(EXTRACTED_NOTE) for w in report["warnings"]):
        return None
    for ev in (*el["evidence"], *el["near_misses"]):
        return int(ev["line"])
    return None


def display_path(source: str) -> str:
    """The path as CI systems want it: relative to the working directory, with /."""
    if source == "<stdin>":
        return source
    p = Path(source)
    if p.is_absolute():
        try:
            p = p.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            return p.as_posix()
    return Path(os.path.normpath(p)).as_posix()


def _clip(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def other_warnings(fr: FileResult) -> list[str]:
    """The report's warnings less the waiver notes, for formats that show waivers per element."""
    notes = {waiver_note(i, r) for i, r in fr.waived.items()}
    return [w for w in (fr.report or {}).get("warnings", []) if w not in notes]


def _gap_message(el: dict[str, Any]) -> str:
    msg = (
        f"{el['title']} is {el['status']} (p={el['probability']:.2f}). "
        f"{', '.join(el['articles'])}: {el['recommendation']}"
    )
    for ev in el["near_misses"][:1]:
        msg += f' Closest, line {ev["line"]}: "{_clip(ev["text"])}"'
        msg += f" ({ev['reason']})." if ev.get("reason") else "."
    return msg


def _waived_message(el: dict[str, Any], reason: str) -> str:
    return f"{el['title']} is {el['status']} (p={el['probability']:.2f}); waived: {reason}"


# --- SARIF 2.1.0 -------------------------------------------------------------------------------


def _rule(e: registry.Element) -> dict[str, Any]:
    articles = ", ".join(e.articles)
    return {
        "id": e.id,
        "name": "".join(w.capitalize() for w in e.id.split("_")),
        "shortDescription": {"text": e.title},
        "fullDescription": {"text": e.description},
        "help": {
            "text": f"{articles}: {e.recommendation}",
            "markdown": f"**{e.title}** ({articles})\n\n{e.description}\n\n"
            f"**What to do:** {e.recommendation}",
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["gdpr", "privacy"], "articles": list(e.articles)},
    }


def _artifact_location(source: str) -> dict[str, Any]:
    path = display_path(source)
    uri = Path(path).as_uri() if Path(path).is_absolute() else urllib.parse.quote(path)
    return {"uri": uri}


def _sarif_result(
    fr: FileResult, el: dict[str, Any], index: int, art: int, reason: str | None
) -> dict[str, Any]:
    report = fr.report or {}
    fail = would_fail(el, report["summary"]["fail_on"])
    result: dict[str, Any] = {
        "ruleId": el["id"],
        "ruleIndex": index,
        "kind": "fail" if fail else "pass",
        # a waiver must not block a merge where a consumer ignores suppressions: note, not error
        "level": "none" if not fail else "error" if reason is None else "note",
        "message": {"text": _gap_message(el) if reason is None else _waived_message(el, reason)},
    }
    if fr.source != "<stdin>":
        physical: dict[str, Any] = {"artifactLocation": {**_artifact_location(fr.source)}}
        physical["artifactLocation"]["index"] = art
        line = location_line(el, report)
        if line is not None:
            ev = (el["evidence"] or el["near_misses"])[0]
            physical["region"] = {"startLine": line, "snippet": {"text": ev["text"]}}
        else:  # the whole file; code scanning places a result only with a start line
            physical["region"] = {"startLine": 1}
        result["locations"] = [{"physicalLocation": physical}]
        key = f"{display_path(fr.source)}\0{el['id']}".encode()
        result["partialFingerprints"] = {"policycheckElement/v1": hashlib.sha256(key).hexdigest()}
    result["properties"] = {
        "status": el["status"],
        "probability": el["probability"],
        "required": el["required"],
        "failOn": report["summary"]["fail_on"],
    }
    if reason is not None:
        result["properties"]["waived"] = reason
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": reason}
        ]
    return result


def sarif(results: Sequence[FileResult]) -> dict[str, Any]:
    """One SARIF run: a rule per element; a result per failing element and per waiver.

    A waived element's result carries a suppression (``external``, ``accepted``) whose
    justification is the waiver's reason, at level ``note`` (or ``none`` when present), so it is
    visible with its reason but never an error.
    """
    index = {e.id: n for n, e in enumerate(registry.ELEMENTS)}
    artifacts: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    model: dict[str, Any] | None = None
    for fr in results:
        if fr.report is None:
            err = fr.error or {}
            note: dict[str, Any] = {
                "level": "error",
                "message": {"text": f"{fr.source}: {err.get('message', 'could not check')}"},
                "descriptor": {"id": err.get("type", "error")},
            }
            if fr.source != "<stdin>":
                note["locations"] = [
                    {"physicalLocation": {"artifactLocation": _artifact_location(fr.source)}}
                ]
            notifications.append(note)
            continue
        model = model or fr.report["model"]
        art = len(artifacts)
        if fr.source != "<stdin>":
            artifacts.append(
                {"location": _artifact_location(fr.source), "roles": ["analysisTarget"]}
            )
        for el in fr.report["elements"]:
            kind = outcome(el, fr.report, fr.waived)
            if kind == "failed":
                out.append(_sarif_result(fr, el, index[el["id"]], art, None))
            elif kind == "waived":
                out.append(_sarif_result(fr, el, index[el["id"]], art, fr.waived[el["id"]]))
    driver: dict[str, Any] = {
        "name": TOOL_NAME,
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_rule(e) for e in registry.ELEMENTS],
    }
    if model:
        driver["properties"] = {"model": dict(model)}
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [
            {
                "executionSuccessful": not notifications,
                "toolExecutionNotifications": notifications,
            }
        ],
        "artifacts": artifacts,
        "results": out,
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


# --- JUnit XML ----------------------------------------------------------------------------------


def junit(results: Sequence[FileResult]) -> str:
    """A test suite per file, a test case per element (``classname`` = file, ``name`` = id).

    Failing elements are ``<failure>``; waived and not-required ones are ``<skipped>`` with
    their status (and the waiver's reason) in the message; unreadable files are ``<error>``.
    """
    root = ET.Element("testsuites", name=TOOL_NAME)
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for fr in results:
        path = display_path(fr.source)
        suite = ET.SubElement(root, "testsuite", name=path)
        counts = dict.fromkeys(totals, 0)
        if fr.report is None:
            err = fr.error or {}
            case = ET.SubElement(suite, "testcase", classname=path, name="read", file=path)
            ET.SubElement(
                case, "error", message=err.get("message", ""), type=err.get("type", "error")
            )
            counts["tests"] += 1
            counts["errors"] += 1
        else:
            report = fr.report
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="language", value=report["language"]["code"])
            ET.SubElement(props, "property", name="model", value=report["model"]["version"])
            ET.SubElement(props, "property", name="fail_on", value=report["summary"]["fail_on"])
            for el in report["elements"]:
                counts["tests"] += 1
                case = ET.SubElement(
                    suite, "testcase", classname=path, name=f"{el['id']}: {el['title']}", file=path
                )
                line = location_line(el, report)
                if line is not None:
                    case.set("line", str(line))
                kind = outcome(el, report, fr.waived)
                status = f"{el['status']} (p={el['probability']:.2f})"
                if kind == "failed":
                    counts["failures"] += 1
                    failure = ET.SubElement(
                        case, "failure", message=f"{el['title']}: {status}", type=el["status"]
                    )
                    failure.text = _gap_message(el)
                elif kind == "waived":
                    counts["skipped"] += 1
                    ET.SubElement(
                        case, "skipped", message=f"waived, {status}: {fr.waived[el['id']]}"
                    )
                elif kind == "not required":
                    counts["skipped"] += 1
                    ET.SubElement(case, "skipped", message=f"not required, {status}")
                out = [status] + [
                    f'line {ev["line"]}: "{_clip(ev["text"])}"' for ev in el["evidence"][:1]
                ]
                ET.SubElement(case, "system-out").text = "\n".join(out)
            if other_warnings(fr):
                ET.SubElement(suite, "system-err").text = "\n".join(other_warnings(fr))
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


# --- GitHub workflow commands ----------------------------------------------------------------


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def workflow_command(kind: str, message: str, **props: object) -> str:
    """``::error file=...,line=...,title=...::message`` with GitHub's escaping."""
    rendered = ",".join(f"{k}={_escape_property(str(v))}" for k, v in props.items() if v)
    return f"::{kind} {rendered}::{_escape_data(message)}" if rendered else f"::{kind}::{message}"


def github_annotations(results: Sequence[FileResult]) -> list[str]:
    """An ``::error`` per failing element and unreadable file, ``::warning`` per uncertain
    required element that does not fail, ``::notice`` per waiver (with its reason)."""
    lines = []
    for fr in results:
        path = display_path(fr.source)
        file = None if fr.source == "<stdin>" else path
        if fr.report is None:
            msg = (fr.error or {}).get("message", "could not check")
            lines.append(
                workflow_command("error", msg, file=file, title="policycheck: could not check")
            )
            continue
        for el in fr.report["elements"]:
            kind = outcome(el, fr.report, fr.waived)
            line = location_line(el, fr.report)
            if kind == "failed":
                title = f"policycheck: {el['title']} {el['status']}"
                lines.append(
                    workflow_command("error", _gap_message(el), file=file, line=line, title=title)
                )
            elif kind == "warning":
                title = f"policycheck: {el['title']} uncertain"
                lines.append(
                    workflow_command("warning", _gap_message(el), file=file, line=line, title=title)
                )
            elif kind == "waived":
                title = f"policycheck: {el['title']} waived"
                msg = _waived_message(el, fr.waived[el["id"]])
                lines.append(workflow_command("notice", msg, file=file, line=line, title=title))
    return lines


# --- Markdown -------------------------------------------------------------------------------------

_ICON = {"failed": "❌", "waived": "➖", "warning": "⚠️", "passed": "✅", "not required": "▫️"}


def _cell(s: str) -> str:
    return " ".join(s.split()).replace("|", "\\|")


def markdown(results: Sequence[FileResult]) -> str:
    """A summary for a pull-request comment or a GitHub job summary."""
    checked = [fr for fr in results if fr.report is not None]
    failed = [fr for fr in checked if not fr.report["summary"]["passed"]]  # type: ignore[index]
    errors = [fr for fr in results if fr.report is None]
    n = len(results)
    if errors:
        head = f"⛔ {len(errors)} of {n} file{'s' * (n != 1)} could not be checked"
    elif failed:
        head = f"❌ {len(failed)} of {n} file{'s' * (n != 1)} {'has' if len(failed) == 1 else 'have'} gaps"
    else:
        head = f"✅ {n} file{'s' * (n != 1)} passed"
    out = [MARKDOWN_MARKER, f"### policycheck: {head}", ""]
    for fr in results:
        path = display_path(fr.source)
        if fr.report is None:
            out += [
                f"#### `{path}`: could not check",
                "",
                f"> {(fr.error or {}).get('message')}",
                "",
            ]
            continue
        r = fr.report
        s = r["summary"]
        verdict = "✅ passed" if s["passed"] else f"❌ failed ({', '.join(s['failing'])})"
        lang = r["language"]["code"] + ("" if r["language"]["supported"] else ", not trained")
        out += [
            f"#### `{path}`: {verdict}",
            "",
            f"language {lang} · model {r['model']['version']} · fail on {s['fail_on']}",
            "",
            "| | element | status | p | GDPR | details |",
            "|---|---|---|---|---|---|",
        ]
        for el in r["elements"]:
            kind = outcome(el, r, fr.waived)
            status = el["status"] + {"waived": ", waived", "not required": ", not required"}.get(
                kind, ""
            )
            if kind == "waived":
                detail = f"waived: {fr.waived[el['id']]}"
            elif el["status"] == "present":
                detail = "; ".join(
                    f'line {ev["line"]}: "{_clip(ev["text"], 100)}"' for ev in el["evidence"][:1]
                )
                detail += f" (retention is {el['detail']})" if el["detail"] else ""
            else:
                detail = el["recommendation"] or ""
                for ev in el["near_misses"][:1]:
                    detail += f' Closest, line {ev["line"]}: "{_clip(ev["text"], 100)}"'
                    detail += f" ({ev['reason']})" if ev.get("reason") else ""
            out.append(
                f"| {_ICON[kind]} | {_cell(el['title'])} | {status} | {el['probability']:.2f} "
                f"| {_cell(', '.join(el['articles']))} | {_cell(detail)} |"
            )
        if other_warnings(fr):
            out.append("")
            out += [f"- ⚠️ {_cell(w)}" for w in other_warnings(fr)]
        out.append("")
    return "\n".join(out)
