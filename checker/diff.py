"""Compare two versions of a policy: which elements appeared, disappeared or changed status.

A version is a file, ``-`` (standard input), or ``REV:PATH``: the file at a git revision, read
with ``git show REV:PATH`` in the current directory (so, as in git, PATH is relative to the top
of the repository, or to the current directory when it starts with ``./``). An argument that
names an existing file is always that file.

A **regression** is a required element that was ``present`` in the old version and is not in
the new one (``absent`` or ``uncertain``). Gaps that were already there are not regressions:
``policycheck check`` reports those.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.errors import InputError, PolicycheckError
from checker.extract import read_file, read_stream

STDIN_NAME = "-"
KINDS = ("appeared", "disappeared", "changed", "unchanged")


@dataclass(frozen=True)
class Version:
    spec: str  # as given on the command line
    data: bytes
    filename: str | None  # for format detection (HTML or text)
    path: str | None  # relative to the current directory, for [[files]] rules; None for stdin


def read_version(spec: str) -> Version:
    if spec == STDIN_NAME:
        import sys

        return Version(spec, read_stream(sys.stdin.buffer), None, None)
    path = Path(spec)
    if path.is_file() or ":" not in spec:
        if path.is_dir():
            raise InputError(f"{spec} is a directory; pass a policy file")
        try:
            return Version(spec, read_file(path), path.name, spec)
        except OSError as e:
            raise InputError(f"cannot read {spec}: {e.strerror or e}") from None
    rev, _, file = spec.partition(":")
    if not rev or not file:
        raise InputError(f"{spec}: expected a file or REV:PATH (e.g. HEAD~1:privacy.md)")
    data = _git("show", spec, what=spec)
    if file.startswith(("./", "../")):
        local = os.path.normpath(file)
    else:
        top = _git("rev-parse", "--show-toplevel", what=spec).decode().strip()
        local = os.path.relpath(Path(top) / file)
    return Version(spec, data, Path(file).name, local)


def _git(*args: str, what: str) -> bytes:
    try:
        proc = subprocess.run(["git", *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise InputError(f"{what}: git is not installed, so REV:PATH cannot be read") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode(errors="replace").strip().splitlines() or ["unknown error"]
        raise InputError(f"{what}: git {args[0]} failed: {lines[0]}")
    return proc.stdout


@dataclass(frozen=True)
class Change:
    id: str
    title: str
    required: bool  # in the new version's settings (a waived element is not required)
    waived: str | None  # the waiver's reason
    old: str
    new: str
    old_probability: float
    new_probability: float

    @property
    def kind(self) -> str:
        if self.old == self.new:
            return "unchanged"
        if self.old == "present":
            return "disappeared"
        if self.new == "present":
            return "appeared"
        return "changed"  # absent <-> uncertain

    @property
    def regression(self) -> bool:
        return self.required and self.kind == "disappeared"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "required": self.required,
            "waived": self.waived,
            "change": self.kind,
            "old": {"status": self.old, "probability": self.old_probability},
            "new": {"status": self.new, "probability": self.new_probability},
        }


@dataclass(frozen=True)
class Diff:
    old: str
    new: str
    changes: tuple[Change, ...]

    @property
    def regressions(self) -> list[str]:
        return [c.id for c in self.changes if c.regression]

    @property
    def passed(self) -> bool:
        return not self.regressions

    def count(self, kind: str) -> int:
        return sum(c.kind == kind for c in self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "elements": [c.to_dict() for c in self.changes],
            "summary": {
                **{k: self.count(k) for k in KINDS},
                "regressions": self.regressions,
                "passed": self.passed,
            },
        }


def compare(old: dict[str, Any], new: dict[str, Any], waived: Mapping[str, str]) -> Diff:
    """Element by element, from two reports (``Report.to_dict()``) checked with one setting."""
    before = {e["id"]: e for e in old["elements"]}
    changes = []
    for e in new["elements"]:
        o = before[e["id"]]
        changes.append(
            Change(
                id=e["id"],
                title=e["title"],
                required=e["required"] and e["id"] not in waived,
                waived=waived.get(e["id"]),
                old=o["status"],
                new=e["status"],
                old_probability=o["probability"],
                new_probability=e["probability"],
            )
        )
    return Diff(old.get("source", "old"), new.get("source", "new"), tuple(changes))


def run(old: Version, new: Version, *, model: Any, settings: Any) -> Diff:
    """Check both versions with the same model and settings (``config.Settings``), compare."""
    from checker.engine import check_bytes

    reports = []
    for v in (old, new):
        try:
            report = check_bytes(
                v.data,
                filename=v.filename,
                model=model,
                require=settings.require,
                fail_on=settings.fail_on,
                source="<stdin>" if v.spec == STDIN_NAME else v.spec,
            )
        except PolicycheckError as e:
            raise type(e)(f"{v.spec}: {e}") from None
        reports.append(report.to_dict())
    return compare(reports[0], reports[1], settings.waived)


# --- rendering ------------------------------------------------------------------------------------

_SIGN = {"disappeared": "-", "appeared": "+", "changed": "~", "unchanged": "="}


def _note(c: Change) -> str:
    if c.waived:
        return f" (waived: {c.waived})"
    return "" if c.required else " (not required)"


def format_text(d: Diff) -> str:
    out = [f"{d.old} -> {d.new}"]
    for c in d.changes:
        status = c.old if c.kind == "unchanged" else f"{c.old} -> {c.new}"
        out.append(
            f"  {_SIGN[c.kind]} {c.kind.ljust(11)} {c.title}{_note(c)}  {status}"
            f"  p {c.old_probability:.2f} -> {c.new_probability:.2f}"
        )
    counts = ", ".join(f"{d.count(k)} {k}" for k in KINDS[:3])
    if d.regressions:
        out.append(f"  REGRESSION ({', '.join(d.regressions)}): {counts}")
    else:
        out.append(f"  no regression: {counts}")
    return "\n".join(out)


def format_markdown(d: Diff) -> str:
    from checker.ci_formats import MARKDOWN_MARKER

    head = (
        f"❌ regression: {', '.join(d.regressions)} disappeared"
        if d.regressions
        else "✅ no regression"
    )
    out = [
        MARKDOWN_MARKER,
        f"### policycheck diff: {head}",
        "",
        f"`{d.old}` → `{d.new}`",
        "",
        "| | element | change | old | new |",
        "|---|---|---|---|---|",
    ]
    for c in d.changes:
        icon = "❌" if c.regression else {"disappeared": "⚠️", "appeared": "✅"}.get(c.kind, "")
        out.append(
            f"| {icon} | {c.title}{_note(c)} | {c.kind} | {c.old} ({c.old_probability:.2f}) "
            f"| {c.new} ({c.new_probability:.2f}) |"
        )
    return "\n".join(out) + "\n"
