"""The versioned API (/v1) and the operational endpoints (/healthz, /readyz, /metrics).

Checking is CPU-bound, so those endpoints are plain ``def`` (FastAPI runs them in its thread
pool) and only the body is read ``async`` (in a dependency, with the size limit). Health
checks are ``async`` and do no work, so they answer while every worker thread is scoring.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from api.checking import check_document, extract_text, validate_options
from api.deps import (
    ModelDep,
    SettingsDep,
    batch_body,
    check_body,
    require_api_key,
)
from api.inputs import (
    DOCUMENT_MEDIA_TYPES,
    REQUIRE_ITEMS,
    REQUIRE_PATTERN,
    BatchRequest,
    Body,
    CheckRequest,
    FailOn,
    parse_batch,
    parse_check,
)
from api.problems import PROBLEM_MEDIA_TYPE, Problem, count_error
from checker import registry

REPORT_REF = {"$ref": "#/components/schemas/Report"}
PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetails"}


def _problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        s: {
            "description": "Problem details",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}},
        }
        for s in statuses
    }


def _document_body(json_ref: str, *, batch: bool = False) -> dict[str, Any]:
    binary = {"schema": {"type": "string", "format": "binary"}}
    file: dict[str, Any] = {"type": "string", "format": "binary"}
    if batch:  # several files are the same field repeated
        file = {**file, "description": "the field may be repeated, one part per document"}
    raw = {t: binary for t in DOCUMENT_MEDIA_TYPES if t != "text/x-markdown" and not batch}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{json_ref}"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": file,
                            "require": {
                                "type": "string",
                                "pattern": REQUIRE_PATTERN,
                                "description": "element ids, comma-separated",
                            },
                            "fail_on": {"type": "string", "enum": ["absent", "uncertain"]},
                        },
                    }
                },
                **raw,
            },
        }
    }


RequireQuery = Annotated[
    list[str] | None,
    Query(
        description="Element ids that must pass (repeat, or 'a,b'); uploads and raw bodies.",
        json_schema_extra={"items": REQUIRE_ITEMS, "minItems": 1},
    ),
]
FailOnQuery = Annotated[
    FailOn | None, Query(description="Status that fails a required element (default absent).")
]


class ElementInfo(BaseModel):
    id: str
    title: str
    articles: list[str]
    description: str
    recommendation: str
    required: bool


class Extracted(BaseModel):
    format: str
    chars: int
    text: str


v1 = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)])


def _merge(body_value: Any, query_value: Any) -> Any:
    return body_value if body_value is not None else query_value


def _query_require(require: list[str] | None) -> str | None:
    return ",".join(require) if require else None


def _options(sub: Any, require: Any, fail_on: Any) -> tuple[Any, Any]:
    """The body's options merged with the query's, validated once for both endpoints."""
    return validate_options(
        _merge(sub.require, _query_require(require)), _merge(sub.fail_on, fail_on)
    )


@v1.post(
    "/check",
    tags=["check"],
    summary="Check one policy",
    description=(
        'Send the policy as JSON `{"text": ...}`, as a multipart upload (field `file`), or as '
        "the raw body with its media type (text, Markdown, HTML, PDF, DOCX). Returns the "
        "library's gap report, exactly `Report.to_dict()`."
    ),
    response_class=JSONResponse,
    responses={
        200: {
            "description": "The gap report",
            "content": {"application/json": {"schema": REPORT_REF}},
        },
        **_problems(400, 401, 408, 413, 415, 422, 500, 503),
    },
    openapi_extra=_document_body("CheckRequest"),
)
def post_check(
    body: Annotated[Body, Depends(check_body)],
    model: ModelDep,
    settings: SettingsDep,
    request: Request,
    require: RequireQuery = None,
    fail_on: FailOnQuery = None,
) -> JSONResponse:
    sub = parse_check(body)
    required, fail = _options(sub, require, fail_on)
    report = check_document(
        sub.documents[0],
        model=model,
        required=required,
        fail_on=fail,
        settings=settings,
        metrics=request.app.state.metrics,
    )
    return JSONResponse(report)


@v1.post(
    "/check/batch",
    tags=["check"],
    summary="Check several policies",
    description=(
        'JSON `{"items": [{"text": ..., "source": ...}, ...]}` or multipart with several '
        "`file` fields. One entry per item, in order: `report` (the gap report) or `error` "
        "(problem details, e.g. one unreadable file); one bad item never fails the others."
    ),
    response_class=JSONResponse,
    responses={
        200: {
            "description": "One result per item",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/BatchResponse"}}
            },
        },
        **_problems(400, 401, 408, 413, 415, 422, 500, 503),
    },
    openapi_extra=_document_body("BatchRequest", batch=True),
)
def post_check_batch(
    body: Annotated[Body, Depends(batch_body)],
    model: ModelDep,
    settings: SettingsDep,
    request: Request,
    require: RequireQuery = None,
    fail_on: FailOnQuery = None,
) -> JSONResponse:
    sub = parse_batch(body, settings.max_batch_items)
    required, fail = _options(sub, require, fail_on)
    items: list[dict[str, Any]] = []
    for index, doc in enumerate(sub.documents):
        entry: dict[str, Any] = {"index": index, "source": doc.source}
        try:
            entry["report"] = check_document(
                doc,
                model=model,
                required=required,
                fail_on=fail,
                settings=settings,
                metrics=request.app.state.metrics,
            )
        except Problem as problem:
            count_error(request, problem.slug)
            entry["error"] = problem.to_dict()
        items.append(entry)
    reports = [i["report"] for i in items if "report" in i]
    summary = {
        "items": len(items),
        "reports": len(reports),
        "errors": len(items) - len(reports),
        "passed": len(reports) == len(items) and all(r["summary"]["passed"] for r in reports),
    }
    return JSONResponse({"items": items, "summary": summary})


@v1.post(
    "/extract",
    tags=["check"],
    summary="Extract a document's text",
    description=(
        "The text the checker reads from a document (HTML, PDF and DOCX are converted), which "
        "is what report offsets refer to. Same inputs and limits as /v1/check."
    ),
    response_model=Extracted,
    responses=_problems(400, 401, 408, 413, 415, 422, 500),
    openapi_extra=_document_body("CheckRequest"),
)
def post_extract(
    body: Annotated[Body, Depends(check_body)],
    settings: SettingsDep,
    require: RequireQuery = None,
    fail_on: FailOnQuery = None,
) -> Any:
    sub = parse_check(body)
    # Validated like /v1/check, so one request body is valid for both or for neither.
    validate_options(_merge(sub.require, _query_require(require)), _merge(sub.fail_on, fail_on))
    return extract_text(sub.documents[0], settings)


@v1.get(
    "/elements",
    tags=["elements"],
    summary="The GDPR elements checked",
    response_model=list[ElementInfo],
    responses=_problems(401),
)
def get_elements() -> Any:
    return [e.as_dict() for e in registry.ELEMENTS]


ops = APIRouter(tags=["operations"])


@ops.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@ops.get(
    "/readyz",
    summary="Readiness: the model is loaded and verified",
    responses=_problems(503),
)
async def readyz(request: Request) -> dict[str, Any]:
    model = request.app.state.model
    if model is None:
        raise Problem("model-unavailable", request.app.state.model_error or "model not loaded")
    return {
        "status": "ready",
        "model": {
            "version": model.version,
            "sha256": model.sha256,
            "elements": list(model.element_ids),
            "languages": list(model.manifest.get("languages", [])),
        },
    }


@ops.get(
    "/metrics",
    summary="Prometheus metrics",
    dependencies=[Depends(require_api_key)],
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, **_problems(401)},
)
def metrics(request: Request) -> Response:
    registry_ = request.app.state.metrics.registry
    return Response(generate_latest(registry_), media_type=CONTENT_TYPE_LATEST)


def openapi_components() -> dict[str, Any]:
    """Schemas the routes refer to by $ref; the report is the library's own JSON Schema."""
    from api.problems import ProblemDetails
    from checker.report import report_json_schema

    components: dict[str, Any] = {
        "Report": {k: v for k, v in report_json_schema().items() if k not in ("$schema", "$id")}
    }
    for model in (CheckRequest, BatchRequest, ProblemDetails):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
    entry = {
        "type": "object",
        "required": ["index", "source"],
        "properties": {
            "index": {"type": "integer", "minimum": 0},
            "source": {"type": ["string", "null"]},
            "report": REPORT_REF,
            "error": PROBLEM_REF,
        },
        "additionalProperties": False,
    }
    components["BatchResponse"] = {
        "type": "object",
        "required": ["items", "summary"],
        "properties": {
            "items": {"type": "array", "items": entry},
            "summary": {
                "type": "object",
                "required": ["items", "reports", "errors", "passed"],
                "properties": {
                    "items": {"type": "integer", "minimum": 0},
                    "reports": {"type": "integer", "minimum": 0},
                    "errors": {"type": "integer", "minimum": 0},
                    "passed": {"type": "boolean"},
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    }
    return components
