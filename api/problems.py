"""One error shape for every failure: RFC 9457 problem details, produced only here.

A ``Problem`` raised anywhere becomes ``application/problem+json`` with ``type``, ``title``,
``status``, ``detail`` and ``instance`` (the request id, also in the ``X-Request-ID`` header and
in the server log). Framework errors (404, 405, request validation) are mapped to the same
shape, and anything unexpected is a 500 whose body says nothing about the internals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://policycheck.invalid/problems/"

# slug -> (HTTP status, title). docs/api.md lists them; a test checks it does.
PROBLEM_TYPES: dict[str, tuple[int, str]] = {
    "bad-request": (400, "Malformed request"),
    "unauthorized": (401, "Missing or invalid API key"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "request-timeout": (408, "Request body too slow"),
    "payload-too-large": (413, "Payload too large"),
    "unsupported-media-type": (415, "Unsupported media type"),
    "invalid-request": (422, "Invalid request"),
    "unreadable-document": (422, "Unreadable document"),
    "parse-timeout": (422, "Document took too long to parse"),
    "internal-error": (500, "Internal server error"),
    "model-unavailable": (503, "Model unavailable"),
}

log = logging.getLogger("policycheck.api")


class ProblemDetails(BaseModel):
    """RFC 9457 problem details (the body of every error response)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=[PROBLEM_BASE + "payload-too-large"])
    title: str = Field(examples=["Payload too large"])
    status: int = Field(examples=[413])
    detail: str = Field(examples=["input is too large: 12,582,912 bytes (12.0 MiB); ..."])
    instance: str | None = Field(
        default=None, description="urn:uuid of this request (also the X-Request-ID header)"
    )


class Problem(Exception):
    """Raise to answer with a problem; ``extensions`` become extra members of the body."""

    def __init__(
        self, slug: str, detail: str, *, headers: dict[str, str] | None = None, **ext: Any
    ):
        super().__init__(detail)
        if slug not in PROBLEM_TYPES:
            raise ValueError(f"unknown problem type {slug!r}")
        self.slug = slug
        self.status, self.title = PROBLEM_TYPES[slug]
        self.detail = detail
        self.headers = headers or {}
        self.extensions = ext

    def to_dict(self, request_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if request_id:
            body["instance"] = f"urn:uuid:{request_id}"
        body.update(self.extensions)
        return body


def request_id_of(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def count_error(request: Request, slug: str) -> None:
    metrics = getattr(request.app.state, "metrics", None)
    if metrics is not None:
        metrics.errors.labels(type=slug).inc()


def problem_response(request: Request, problem: Problem) -> JSONResponse:
    count_error(request, problem.slug)
    rid = request_id_of(request)
    log.info(
        "%s %s -> %d %s (request %s)",
        request.method,
        request.url.path,
        problem.status,
        problem.slug,
        rid,
    )
    return JSONResponse(
        problem.to_dict(rid),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=problem.headers,
    )


def internal_error_body(request_id: str | None) -> dict[str, Any]:
    return Problem(
        "internal-error",
        "The server could not complete the request. Quote the instance to the operator; "
        "the server log has the details.",
    ).to_dict(request_id)


_HTTP_SLUGS = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
}


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem response."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = _HTTP_SLUGS.get(exc.status_code, "bad-request")
        detail = {
            "not-found": f"there is no {request.url.path} here; see /docs",
            "method-not-allowed": f"{request.method} is not allowed on {request.url.path}",
        }.get(slug, str(exc.detail))
        return problem_response(request, Problem(slug, detail, headers=dict(exc.headers or {})))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(request, validation_problem(exc.errors()))


def validation_problem(errors: Any) -> Problem:
    """422 listing what is wrong, where; never echoing the input (it may be the policy)."""
    items = [
        {
            "loc": [str(part) for part in err.get("loc", ())],
            "msg": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in errors
    ]
    first = items[0] if items else {"loc": [], "msg": "invalid request"}
    where = ".".join(p for p in first["loc"] if p not in ("body", "query")) or "request"
    more = f" (and {len(items) - 1} more)" if len(items) > 1 else ""
    return Problem("invalid-request", f"{where}: {first['msg']}{more}", errors=items)
