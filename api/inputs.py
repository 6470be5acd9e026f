"""Request bodies to documents: JSON, a multipart upload, or a raw body with its media type.

The body is read into memory with a hard size limit (``Content-Length`` first, then counted as
it streams), and multipart is parsed from memory: an upload never lands in a temporary file.
Every way a body can be wrong is a ``Problem`` (400 malformed, 413 too large, 415 wrong media
type, 422 invalid fields).
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema
from starlette.requests import ClientDisconnect

from api.problems import Problem, validation_problem
from checker import registry

FailOn = Literal["absent", "uncertain"]
M = TypeVar("M", bound=BaseModel)

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Media types a document may be sent as (raw body, or a multipart part's Content-Type).
DOCUMENT_MEDIA_TYPES = (
    "text/plain",
    "text/markdown",
    "text/x-markdown",
    "text/html",
    "application/xhtml+xml",
    "application/pdf",
    DOCX_MEDIA_TYPE,
    "application/octet-stream",  # sniffed
)
MAX_FORM_PARTS = 256
MAX_SOURCE_CHARS = 300


# The schema publishes what is valid (known ids, at least one); validation itself is left to
# the registry, whose message names the known ids.
_IDS = "|".join(registry.ELEMENT_IDS)
REQUIRE_PATTERN = f"^({_IDS})(,({_IDS}))*$"
REQUIRE_ITEMS = {"enum": list(registry.ELEMENT_IDS)}
Require = Annotated[
    list[str] | str | None,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "array", "items": REQUIRE_ITEMS, "minItems": 1},
                {"type": "string", "pattern": REQUIRE_PATTERN},
                {"type": "null"},
            ],
            "description": "Element ids that must pass (a list, or 'a,b'); default: all.",
        }
    ),
]


class CheckRequest(BaseModel):
    """Check one policy given as text (plain, Markdown or HTML)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1, description="The policy text.", examples=["We keep your data for 2 years."]
    )
    require: Require = Field(default=None, examples=[["retention", "children"]])
    fail_on: FailOn | None = Field(
        default=None, description="Status that fails a required element; default: absent."
    )
    source: str | None = Field(
        default=None,
        max_length=MAX_SOURCE_CHARS,
        description="A label copied to the report's `source`.",
    )


class BatchItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="The policy text.")
    source: str | None = Field(default=None, max_length=MAX_SOURCE_CHARS)


class BatchRequest(BaseModel):
    """Check several policies given as text; ``require`` and ``fail_on`` apply to all."""

    model_config = ConfigDict(extra="forbid")

    items: list[BatchItem] = Field(min_length=1, description="The policies, in order.")
    require: Require = None
    fail_on: FailOn | None = None


@dataclass
class Document:
    data: bytes | str
    source: str | None = None
    filename: str | None = None
    media_type: str | None = None  # declared by the client; checked against the supported list


@dataclass
class Submission:
    documents: list[Document]
    require: str | list[str] | None = None
    fail_on: str | None = None


@dataclass(frozen=True)
class Body:
    media_type: str  # lower case, without parameters ("" when the client sent none)
    content_type: str  # the raw header
    data: bytes


async def read_body(request: Request, limit: int, timeout: float = 30.0) -> Body:
    """The request body, refused with 413 as soon as it is known to exceed ``limit`` bytes, and
    with 408 when it has not all arrived within ``timeout`` seconds (a slow-loris client holds
    a connection and this coroutine, nothing more; it is cut off and the connection closed)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise Problem("bad-request", "Content-Length is not a number")
        if int(declared) > limit:
            raise Problem("payload-too-large", _too_large(int(declared), limit))
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise Problem("payload-too-large", _too_large(size, limit, at_least=True))
                chunks.append(chunk)
    except ClientDisconnect:
        # Nobody is left to read an answer; a 400 (logged at INFO) and not an internal error.
        raise Problem(
            "bad-request",
            f"the client closed the connection before the body arrived ({size:,} bytes received)",
            headers={"Connection": "close"},
        ) from None
    except TimeoutError:
        raise Problem(
            "request-timeout",
            f"the request body did not arrive within {timeout:g} s ({size:,} bytes received)",
            headers={"Connection": "close"},
        ) from None
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    return Body(media_type, content_type, b"".join(chunks))


def _too_large(size: int, limit: int, at_least: bool = False) -> str:
    return (
        f"request body is {'over ' if at_least else ''}{size:,} bytes; the limit is {limit:,} bytes"
    )


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def parse_check(body: Body) -> Submission:
    """One document: JSON ``CheckRequest``, multipart with one ``file``, or a raw body."""
    if is_json(body.media_type):
        req = _validate(_load_json(body.data), CheckRequest)
        doc = Document(req.text, source=req.source)
        return Submission([doc], req.require, req.fail_on)
    if body.media_type == "multipart/form-data":
        sub = _parse_form(body)
        if len(sub.documents) != 1:
            raise Problem(
                "invalid-request",
                f"send exactly one `file` field (got {len(sub.documents)}); "
                "use /v1/check/batch for several",
            )
        return sub
    media_type = body.media_type or "application/octet-stream"
    if media_type not in DOCUMENT_MEDIA_TYPES:
        raise Problem("unsupported-media-type", _unsupported(body.media_type, raw=True))
    return Submission([Document(body.data, media_type=media_type)])


def parse_batch(body: Body, max_items: int) -> Submission:
    """Several documents: JSON ``BatchRequest`` or multipart with repeated ``file`` fields."""
    if is_json(body.media_type):
        obj = _load_json(body.data)
        items = obj.get("items") if isinstance(obj, dict) else None
        if isinstance(items, list) and len(items) > max_items:  # before validating them all
            raise Problem("payload-too-large", _too_many(len(items), max_items))
        req = _validate(obj, BatchRequest)
        docs = [Document(item.text, source=item.source) for item in req.items]
        sub = Submission(docs, req.require, req.fail_on)
    elif body.media_type == "multipart/form-data":
        sub = _parse_form(body, max_files=max_items)
        if not sub.documents:
            raise Problem("invalid-request", "send one or more `file` fields")
    else:
        raise Problem(
            "unsupported-media-type",
            f"a batch is sent as application/json or multipart/form-data, not "
            f"{body.media_type or 'a body without Content-Type'}",
        )
    if len(sub.documents) > max_items:
        raise Problem("payload-too-large", _too_many(len(sub.documents), max_items))
    return sub


def _too_many(n: int, limit: int) -> str:
    return f"batch has {n:,} items; the limit is {limit:,}"


def _unsupported(media_type: str, raw: bool = False) -> str:
    what = f"media type {media_type!r}" if media_type else "a body without Content-Type"
    hint = (
        "; send JSON {'text': ...}, a multipart upload (field 'file'), or the document with "
        "its own media type (e.g. curl -H 'Content-Type: text/plain' --data-binary @policy.txt)"
        if raw
        else ""
    )
    return (
        f"{what} is not supported; documents may be text/plain, text/markdown, text/html, "
        f"application/pdf or DOCX{hint}"
    )


def _load_json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError as e:
        # The position only: the message of a JSON error can quote the body.
        where = (
            f" at line {e.lineno}, column {e.colno}" if isinstance(e, json.JSONDecodeError) else ""
        )
        raise Problem("bad-request", f"body is not valid JSON{where}") from None


def _validate(obj: Any, model: type[M]) -> M:
    try:
        return model.model_validate(obj)
    except ValidationError as e:
        raise validation_problem(e.errors(include_input=False, include_url=False)) from None


# --- multipart ----------------------------------------------------------------------------


@dataclass
class _Part:
    headers: dict[str, str] = field(default_factory=dict)
    data: list[bytes] = field(default_factory=list)


def _parse_form(body: Body, max_files: int = 1) -> Submission:
    from python_multipart.multipart import MultipartParser, parse_options_header

    _, params = parse_options_header(body.content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise Problem("bad-request", "multipart/form-data without a boundary")
    parts: list[_Part] = []
    header: list[bytes] = []
    value: list[bytes] = []

    def on_part_begin() -> None:
        if len(parts) >= MAX_FORM_PARTS:
            raise Problem("payload-too-large", f"more than {MAX_FORM_PARTS} form fields")
        parts.append(_Part())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header.append(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        value.append(data[start:end])

    def on_header_end() -> None:
        name = b"".join(header).decode("latin-1").strip().lower()
        parts[-1].headers[name] = b"".join(value).decode("latin-1").strip()
        header.clear()
        value.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1].data.append(data[start:end])

    callbacks = {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_part_data": on_part_data,
    }
    try:
        parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
        parser.write(body.data)
        parser.finalize()
    except Problem:
        raise
    except Exception:
        raise Problem("bad-request", "malformed multipart/form-data body") from None

    sub = Submission([])
    require: list[str] = []
    for part in parts:
        _, disposition = parse_options_header(part.headers.get("content-disposition", ""))
        name = disposition.get(b"name", b"").decode("utf-8", "replace")
        data = b"".join(part.data)
        if name == "file":
            if len(sub.documents) >= max_files:
                raise Problem("payload-too-large", _too_many(len(sub.documents) + 1, max_files))
            filename = disposition.get(b"filename", b"").decode("utf-8", "replace") or None
            if filename is not None:
                filename = os.path.basename(filename.replace("\\", "/"))[:MAX_SOURCE_CHARS]
            declared = part.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if declared and declared not in DOCUMENT_MEDIA_TYPES:
                raise Problem("unsupported-media-type", _unsupported(declared))
            sub.documents.append(
                Document(data, source=filename, filename=filename, media_type=declared or None)
            )
        elif name == "require":
            require.append(_form_text(name, data))
        elif name == "fail_on":
            sub.fail_on = _form_text(name, data)
            if sub.fail_on not in ("absent", "uncertain"):
                raise Problem("invalid-request", "fail_on: must be 'absent' or 'uncertain'")
        else:
            raise Problem(
                "invalid-request",
                f"unknown form field {name[:40]!r}; expected file, require, fail_on",
            )
    if require:
        sub.require = ",".join(require)
    return sub


def _form_text(name: str, data: bytes) -> str:
    if len(data) > 1000:
        raise Problem("invalid-request", f"{name}: too long")
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise Problem("invalid-request", f"{name}: not UTF-8") from None
