"""Every way a request can fail: one problem shape (RFC 9457), checked by one helper."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.api.documents import (
    DOCX_MEDIA_TYPE,
    docx_document_xml,
    make_docx,
    make_docx_bomb,
    make_pdf,
    make_pdf_bomb,
)
from tests.api.helpers import POLICY, assert_problem

JSON = {"content-type": "application/json"}


def post_raw(client, data: bytes, media_type: str, path: str = "/v1/check"):
    return client.post(path, content=data, headers={"content-type": media_type})


def damaged_docx() -> bytes:
    data = bytearray(make_docx(POLICY * 5))
    at = data.index(b"word/document.xml") + 60  # inside its compressed data
    data[at : at + 40] = b"\xff" * 40
    return bytes(data)


# (id, request, status, problem type, detail fragment). ``client`` has the default settings.
CASES = [
    ("malformed-json", lambda c: c.post("/v1/check", content=b'{"text": ', headers=JSON),
     400, "bad-request", "not valid JSON at line 1"),
    ("multipart-without-boundary",
     lambda c: post_raw(c, b"--x\r\n", "multipart/form-data"), 400, "bad-request", "boundary"),
    ("malformed-multipart",
     lambda c: post_raw(c, b"garbage", "multipart/form-data; boundary=zz"), 400, "bad-request",
     "malformed multipart"),
    ("bad-content-length",
     lambda c: c.post("/v1/check", content=b"x", headers={"content-length": "x1"}), 400,
     "bad-request", "Content-Length"),
    ("unknown-path", lambda c: c.get("/v2/check"), 404, "not-found", "/v2/check"),
    ("wrong-method", lambda c: c.get("/v1/check"), 405, "method-not-allowed", "GET"),
    ("raw-media-type", lambda c: post_raw(c, b"\x89PNG\r\n", "image/png"), 415,
     "unsupported-media-type", "image/png"),
    ("form-urlencoded", lambda c: post_raw(c, b"a=b", "application/x-www-form-urlencoded"), 415,
     "unsupported-media-type", "--data-binary"),
    ("part-media-type",
     lambda c: c.post("/v1/check", files={"file": ("a.png", b"\x89PNG", "image/png")}), 415,
     "unsupported-media-type", "image/png"),
    ("batch-raw-body", lambda c: post_raw(c, POLICY.encode(), "text/plain", "/v1/check/batch"),
     415, "unsupported-media-type", "application/json or multipart"),
    ("missing-text", lambda c: c.post("/v1/check", json={"require": ["retention"]}), 422,
     "invalid-request", "text: Field required"),
    ("unknown-field", lambda c: c.post("/v1/check", json={"text": POLICY, "colour": 1}), 422,
     "invalid-request", "colour: Extra inputs are not permitted"),
    ("text-not-a-string", lambda c: c.post("/v1/check", json={"text": ["a"]}), 422,
     "invalid-request", "text"),
    ("bad-fail-on", lambda c: c.post("/v1/check", json={"text": POLICY, "fail_on": "never"}),
     422, "invalid-request", "fail_on"),
    ("bad-fail-on-query", lambda c: post_raw(c, POLICY.encode(), "text/plain",
                                             "/v1/check?fail_on=sometimes"),
     422, "invalid-request", "fail_on"),
    ("bad-fail-on-form", lambda c: c.post("/v1/check", files={"file": ("a.txt", POLICY.encode())},
                                          data={"fail_on": "x"}),
     422, "invalid-request", "fail_on"),
    ("unknown-element", lambda c: c.post("/v1/check", json={"text": POLICY, "require": ["dpo"]}),
     422, "invalid-request", "unknown element 'dpo'"),
    ("no-file-field", lambda c: c.post("/v1/check", data={"require": "retention"},
                                       files={"x": ("a.txt", b"")}),
     422, "invalid-request", "unknown form field 'x'"),
    ("two-files", lambda c: c.post("/v1/check", files=[("file", ("a.txt", b"a")),
                                                       ("file", ("b.txt", b"b"))]),
     413, "payload-too-large", "batch has 2 items; the limit is 1"),
    ("empty-text", lambda c: c.post("/v1/check", json={"text": ""}), 422, "invalid-request",
     "text: String should have at least 1 character"),
    ("blank-text", lambda c: c.post("/v1/check", json={"text": " \n "}), 422,
     "unreadable-document", "input has no text"),
    ("empty-body", lambda c: post_raw(c, b"", "text/plain"), 422, "unreadable-document",
     "input is empty"),
    ("no-letters", lambda c: c.post("/v1/check", json={"text": "2024 | 42 %"}), 422,
     "unreadable-document", "input has no text"),
    ("binary-upload", lambda c: c.post("/v1/check", files={"file": ("a.bin", b"\x89PNG\r\n\x1a\n"
                                                                    + bytes(200))}),
     422, "unreadable-document", "PNG image"),
    ("damaged-pdf", lambda c: post_raw(c, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"),
     422, "unreadable-document", "cannot read the PDF"),
    ("pdf-without-text", lambda c: post_raw(c, make_pdf(""), "application/pdf"), 422,
     "unreadable-document", "PDF has no extractable text"),
    ("damaged-docx", lambda c: post_raw(c, damaged_docx(), DOCX_MEDIA_TYPE), 422,
     "unreadable-document", "cannot read the DOCX"),
    ("truncated-docx", lambda c: post_raw(c, make_docx(POLICY)[:-200], DOCX_MEDIA_TYPE), 422,
     "unreadable-document", "cannot read the DOCX"),
    ("docx-with-dtd", lambda c: post_raw(c, make_docx(document_xml='<?xml version="1.0"?>'
                                                       '<!DOCTYPE d [<!ENTITY a "aaaa">]>'
                                                       + docx_document_xml("")[38:]),
                                          DOCX_MEDIA_TYPE),
     422, "unreadable-document", "DTD"),
    ("zip-that-is-not-docx", lambda c: post_raw(c, make_docx(POLICY).replace(b"word/", b"wxyz/"),
                                                  "application/octet-stream"),
     422, "unreadable-document", "ZIP archive"),
    ("docx-bomb", lambda c: post_raw(c, make_docx_bomb(8 << 20), DOCX_MEDIA_TYPE), 413,
     "payload-too-large", "archive bomb"),
    ("batch-empty", lambda c: c.post("/v1/check/batch", json={"items": []}), 422,
     "invalid-request", "items"),
    ("batch-without-files", lambda c: c.post("/v1/check/batch", data={"require": "retention"},
                                             files={}),
     415, "unsupported-media-type", "batch"),
]  # fmt: skip


@pytest.mark.parametrize("request_, status, slug, detail", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_error_paths(client, request_, status, slug, detail):
    assert_problem(request_(client), status, slug, detail)


# --- limits (small ones, so the tests stay fast) -------------------------------------------


@pytest.fixture(scope="module")
def small(make_client):
    limits = dict(max_upload_bytes=2000, max_extracted_chars=1500, max_batch_items=2,
                  max_batch_bytes=3000)  # fmt: skip
    with make_client(**limits) as c:
        yield c


def test_declared_body_size_over_the_limit_is_refused_before_reading(small):
    # The body may be twice the upload limit plus 64 KiB (escaped JSON, multipart framing).
    r = small.post("/v1/check", content=b"x" * 80_000, headers={"content-type": "text/plain"})
    assert_problem(r, 413, "payload-too-large", "body is 80,000 bytes; the limit is 69,536 bytes")


def test_streamed_body_over_the_limit_is_refused(small):
    def chunks():
        for _ in range(10):
            yield b"x" * 10_000

    r = small.post("/v1/check", content=chunks(), headers={"content-type": "text/plain"})
    assert_problem(r, 413, "payload-too-large", "request body is over")


def test_document_over_the_upload_limit(small):
    r = small.post("/v1/check", files={"file": ("a.txt", b"privacy " * 300)})
    assert_problem(r, 413, "payload-too-large", "document is 2,400 bytes; the limit is 2,000")
    r = small.post("/v1/check", json={"text": "é" * 1001})
    assert_problem(r, 413, "payload-too-large", "document is 2,002 bytes")


def test_extracted_text_over_the_character_limit(small):
    r = small.post("/v1/check", json={"text": "privacy " * 200})
    assert_problem(r, 413, "payload-too-large", "1,600 characters; the limit is 1,500")


def test_too_many_batch_items(small):
    r = small.post("/v1/check/batch", json={"items": [{"text": "a"}] * 3})
    assert_problem(r, 413, "payload-too-large", "batch has 3 items; the limit is 2")
    files = [("file", ("a.txt", b"a"))] * 3
    assert_problem(small.post("/v1/check/batch", files=files), 413, "payload-too-large")


def test_batch_body_over_its_limit(small):
    r = small.post("/v1/check/batch", json={"items": [{"text": "x" * 3000}]})
    assert_problem(r, 413, "payload-too-large", "the limit is 3,000 bytes")


def test_docx_expanding_beyond_the_total_limit_is_refused(client):
    # Moderately compressible (about 20:1) so the ratio check passes and the total one fires.
    payload = (b"0123456789abcdefghij" * 4 + bytes(range(256))) * 220_000
    r = post_raw(client, make_docx(POLICY, extra={"word/media/big.bin": payload}), DOCX_MEDIA_TYPE)
    assert_problem(r, 413, "payload-too-large", "DOCX expands to")


def test_pdf_parse_timeout_kills_the_parser(make_client):
    with make_client(parse_timeout=0.001) as c:
        r = post_raw(c, make_pdf(POLICY), "application/pdf")
    assert_problem(r, 422, "parse-timeout", "could not be parsed within 0.001 s")


def test_pdf_parse_out_of_memory_is_refused(make_client):
    with make_client(parse_memory_bytes=1) as c:
        r = post_raw(c, make_pdf_bomb(20 << 20), "application/pdf")
    assert_problem(r, 413, "payload-too-large", "memory")


# --- access ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keyed(make_client):
    with make_client(api_keys="k-one, k-two") as c:
        yield c


@pytest.mark.parametrize(
    "headers, detail",
    [
        ({}, "send an API key"),
        ({"authorization": "Basic k-one"}, "send an API key"),
        ({"authorization": "Bearer k-three"}, "not valid"),
        ({"authorization": "Bearer k-one "}, None),  # whitespace is trimmed by the scheme parser
    ],
)
def test_api_keys_are_required_when_configured(keyed, headers, detail):
    r = keyed.post("/v1/check", json={"text": POLICY}, headers=headers)
    if detail is None:
        assert r.status_code == 200
        return
    assert_problem(r, 401, "unauthorized", detail)
    assert r.headers["www-authenticate"].startswith('Bearer realm="policycheck"')


@pytest.mark.parametrize("path", ["/v1/elements", "/metrics"])
def test_keys_protect_every_api_route_and_metrics(keyed, path):
    assert_problem(keyed.get(path), 401, "unauthorized")
    assert keyed.get(path, headers={"authorization": "Bearer k-two"}).status_code == 200


def test_auth_is_checked_before_the_body_is_read(keyed):
    r = keyed.post("/v1/check", content=b"x" * (30 << 20), headers={"content-type": "text/plain"})
    assert_problem(r, 401, "unauthorized")


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/", "/openapi.json", "/docs"])
def test_health_page_and_docs_stay_open(keyed, path):
    assert keyed.get(path).status_code == 200


# --- the model --------------------------------------------------------------------------------


@pytest.fixture
def tampered_model_dir(tiny_model_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(tiny_model_dir, target)
    artifact = target / "policycheck.npz"
    artifact.write_bytes(artifact.read_bytes() + b"tampered")
    return target


def test_tampered_model_answers_503_and_says_why(make_client, tampered_model_dir):
    with make_client(model_dir=tampered_model_dir) as c:
        assert c.get("/healthz").json() == {"status": "ok"}
        body = assert_problem(c.get("/readyz"), 503, "model-unavailable", "tampered")
        assert str(tampered_model_dir) not in body["detail"]
        assert_problem(
            c.post("/v1/check", json={"text": POLICY}), 503, "model-unavailable", "/readyz"
        )
        assert "policycheck_model_loaded 0.0" in c.get("/metrics").text


def test_missing_model_answers_503(make_client, tmp_path):
    with make_client(model_dir=tmp_path / "nowhere") as c:
        assert_problem(c.get("/readyz"), 503, "model-unavailable", "no model manifest")


# --- the unexpected ----------------------------------------------------------------------------


def test_an_internal_error_is_a_500_that_leaks_nothing(make_client, monkeypatch, caplog):
    from api import checking

    leak = "secret: /srv/models and the policy text"

    def boom(*args, **kwargs):
        raise RuntimeError(leak)

    monkeypatch.setattr(checking, "check", boom)
    with make_client(raise_server_exceptions=False) as c:
        r = c.post("/v1/check", json={"text": POLICY})
        metrics = c.get("/metrics").text
    body = assert_problem(r, 500, "internal-error", "the server log has the details")
    assert "secret" not in r.text and "RuntimeError" not in r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    assert 'policycheck_errors_total{type="internal-error"} 1.0' in metrics
    logged = caplog.text
    assert "RuntimeError" in logged and body["instance"].split(":")[-1] in logged
    assert "secret" not in logged  # an exception's message may quote the document


def test_a_crashing_parser_is_a_500(make_client, monkeypatch):
    from api import checking
    from api.isolation import ParseFailed

    def crash(*args, **kwargs):
        raise ParseFailed("ZeroDivisionError")

    monkeypatch.setattr(checking, "extract_isolated", crash)
    with make_client(raise_server_exceptions=False) as c:
        r = post_raw(c, make_pdf(POLICY), "application/pdf")
    assert_problem(r, 500, "internal-error")


def test_client_gone_mid_body_is_a_bad_request_not_an_internal_error():
    """A client that disconnects while sending (wrk at the end of a run) leaves no traceback."""
    import asyncio

    from starlette.requests import Request

    from api.inputs import read_body
    from api.problems import Problem

    messages = [
        {"type": "http.request", "body": b"x" * 10, "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive():
        return messages.pop(0)

    scope = {"type": "http", "method": "POST", "headers": [(b"content-length", b"1000")]}
    with pytest.raises(Problem) as e:
        asyncio.run(read_body(Request(scope, receive), limit=10_000))
    assert (e.value.status, e.value.slug) == (400, "bad-request")
    assert "10 bytes received" in e.value.detail
    assert e.value.headers == {"Connection": "close"}
