"""The gap report: one schema shared by the library, the CLI and the API.

``Report.to_dict()`` is the wire format (JSON); ``report_json_schema()`` documents it as JSON
Schema, and a test validates real reports against it so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SCHEMA_VERSION = "1.0"

Status = Literal["present", "absent", "uncertain"]
STATUSES: tuple[str, ...] = ("present", "absent", "uncertain")
FAIL_ON: tuple[str, ...] = ("absent", "uncertain")


@dataclass(frozen=True)
class Evidence:
    text: str
    start: int  # character offsets into the checked text: text[start:end] == evidence.text
    end: int
    line: int  # 1-based
    score: float  # probability that this segment is evidence for the element
    reason: str | None = None  # near misses: why the segment falls short


@dataclass(frozen=True)
class ElementResult:
    id: str
    title: str
    articles: list[str]
    required: bool
    status: Status
    probability: float
    evidence: list[Evidence]
    near_misses: list[Evidence]
    recommendation: str | None
    detail: str | None = None  # retention: "specific" or "vague" when present

    def fails(self, fail_on: str) -> bool:
        if not self.required:
            return False
        return self.status == "absent" or (fail_on == "uncertain" and self.status == "uncertain")


@dataclass(frozen=True)
class Language:
    code: str
    confidence: float
    supported: bool  # False: the model was not trained on this language; lower confidence


@dataclass
class Report:
    language: Language
    model: dict[str, str]
    elements: list[ElementResult]
    fail_on: str = "absent"
    source: str | None = None
    warnings: list[str] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION

    @property
    def passed(self) -> bool:
        return not any(e.fails(self.fail_on) for e in self.elements)

    def element(self, element_id: str) -> ElementResult:
        for e in self.elements:
            if e.id == element_id:
                return e
        raise KeyError(element_id)

    def summary(self) -> dict[str, Any]:
        counts = {s: sum(e.status == s for e in self.elements) for s in STATUSES}
        failing = [e.id for e in self.elements if e.fails(self.fail_on)]
        return {**counts, "passed": not failing, "failing": failing, "fail_on": self.fail_on}

    def _repr_html_(self) -> str:
        """Jupyter: a table of the elements with status colours and evidence."""
        from checker.display import report_html

        return report_html(self)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"schema_version": self.schema_version}
        if self.source is not None:
            d["source"] = self.source
        d["language"] = asdict(self.language)
        d["model"] = dict(self.model)
        d["elements"] = [asdict(e) for e in self.elements]
        d["summary"] = self.summary()
        d["warnings"] = list(self.warnings)
        return d


def _evidence_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["text", "start", "end", "line", "score"],
        "properties": {
            "text": {"type": "string"},
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 0},
            "line": {"type": "integer", "minimum": 1},
            "score": {"type": "number", "minimum": 0, "maximum": 1},
            "reason": {"type": ["string", "null"]},
        },
        "additionalProperties": False,
    }


def report_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of ``Report.to_dict()``."""
    from checker.registry import ELEMENT_IDS

    evidence = _evidence_schema()
    element = {
        "type": "object",
        "required": [
            "id",
            "title",
            "articles",
            "required",
            "status",
            "probability",
            "evidence",
            "near_misses",
            "recommendation",
            "detail",
        ],
        "properties": {
            "id": {"enum": list(ELEMENT_IDS)},
            "title": {"type": "string"},
            "articles": {"type": "array", "items": {"type": "string"}},
            "required": {"type": "boolean"},
            "status": {"enum": list(STATUSES)},
            "probability": {"type": "number", "minimum": 0, "maximum": 1},
            "evidence": {"type": "array", "items": evidence},
            "near_misses": {"type": "array", "items": evidence},
            "recommendation": {"type": ["string", "null"]},
            "detail": {"enum": ["specific", "vague", None]},
        },
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://policycheck.invalid/schema/report-{SCHEMA_VERSION}.json",
        "title": "policycheck gap report",
        "type": "object",
        "required": ["schema_version", "language", "model", "elements", "summary", "warnings"],
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "source": {"type": "string"},
            "language": {
                "type": "object",
                "required": ["code", "confidence", "supported"],
                "properties": {
                    "code": {"type": "string"},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                    "supported": {"type": "boolean"},
                },
                "additionalProperties": False,
            },
            "model": {
                "type": "object",
                "required": ["version", "sha256"],
                "properties": {"version": {"type": "string"}, "sha256": {"type": "string"}},
            },
            "elements": {"type": "array", "items": element},
            "summary": {
                "type": "object",
                "required": ["present", "absent", "uncertain", "passed", "failing", "fail_on"],
                "properties": {
                    "present": {"type": "integer", "minimum": 0},
                    "absent": {"type": "integer", "minimum": 0},
                    "uncertain": {"type": "integer", "minimum": 0},
                    "passed": {"type": "boolean"},
                    "failing": {"type": "array", "items": {"enum": list(ELEMENT_IDS)}},
                    "fail_on": {"enum": list(FAIL_ON)},
                },
                "additionalProperties": False,
            },
            "warnings": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": False,
    }
