"""Security properties the threat model (SECURITY.md) relies on."""

from __future__ import annotations

import hmac
import logging

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.api.documents import DOCX_MEDIA_TYPE, make_docx, make_pdf
from tests.api.helpers import assert_problem

MARKER = "Zq7-unique-marker-ℵ-4711"
POLICY = (
    f"We keep your data for two years after your account is closed ({MARKER}). "
    "You can reach our Data Protection Officer at dpo@example.com. "
)


def test_api_keys_are_compared_in_constant_time_with_every_key(tiny_model_dir, monkeypatch):
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr("api.deps.hmac.compare_digest", spy)
    app = create_app(Settings(model_dir=tiny_model_dir, api_keys="alpha-key,beta-key"))
    with TestClient(app) as c:
        ok = c.post(
            "/v1/check", json={"text": POLICY}, headers={"authorization": "Bearer alpha-key"}
        )
        assert ok.status_code == 200
        assert compared == [(b"alpha-key", b"alpha-key"), (b"alpha-key", b"beta-key")]
        compared.clear()
        bad = c.post("/v1/check", json={"text": POLICY}, headers={"authorization": "Bearer alpha"})
        assert_problem(bad, 401, "unauthorized", "not valid")
        assert compared == [(b"alpha", b"alpha-key"), (b"alpha", b"beta-key")]


@pytest.fixture
def logged(caplog):
    """Everything logged by anyone, at every level, while a test runs."""
    caplog.set_level(logging.DEBUG)
    for name in ("policycheck", "uvicorn", "uvicorn.error", "uvicorn.access", "fastapi"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    return caplog


def test_no_uploaded_content_reaches_the_logs_on_any_path(tiny_model_dir, logged, monkeypatch):
    app = create_app(Settings(model_dir=tiny_model_dir, log_level="debug", max_batch_items=2))
    logging.getLogger("policycheck").propagate = True  # let caplog see our own handler's lines
    text = POLICY.encode()
    with TestClient(app, raise_server_exceptions=False) as c:
        requests = [
            c.post("/v1/check", json={"text": POLICY, "source": "label"}),
            c.post("/v1/check", files={"file": ("policy.txt", text, "text/plain")}),
            c.post("/v1/check", content=text, headers={"content-type": "text/markdown"}),
            c.post(
                "/v1/check", content=make_pdf(POLICY), headers={"content-type": "application/pdf"}
            ),
            c.post(
                "/v1/check", content=make_docx(POLICY), headers={"content-type": DOCX_MEDIA_TYPE}
            ),
            c.post("/v1/extract", json={"text": POLICY}),
            c.post("/v1/check/batch", json={"items": [{"text": POLICY}, {"text": MARKER}]}),
            # error paths: validation, unreadable, too many items, malformed JSON
            c.post("/v1/check", json={"text": POLICY, MARKER: 1}),
            c.post("/v1/check", json={"text": POLICY, "fail_on": MARKER}),
            c.post(
                "/v1/check", content=b"\x00\x01\x02" + text, headers={"content-type": "text/plain"}
            ),
            c.post("/v1/check/batch", json={"items": [{"text": POLICY}] * 3}),
            c.post(
                "/v1/check",
                content=b'{"text": "' + text,
                headers={"content-type": "application/json"},
            ),
            c.post("/v1/check", files={"file": (f"{MARKER}.png", text, "image/png")}),
        ]
        assert [r.status_code for r in requests] == [
            200, 200, 200, 200, 200, 200, 200, 422, 422, 422, 413, 400, 415,
        ]  # fmt: skip

        from api import checking

        def boom(*args, **kwargs):
            raise RuntimeError(f"failed on {POLICY}")

        monkeypatch.setattr(checking, "check", boom)
        assert c.post("/v1/check", json={"text": POLICY}).status_code == 500
    assert "checked document sha256=" in logged.text  # the logs work: they carry hashes
    assert MARKER not in logged.text
    assert "dpo@example.com" not in logged.text and "two years" not in logged.text


def test_error_answers_never_echo_the_document(client):
    for r in (
        client.post("/v1/check", json={"text": POLICY, "colour": POLICY}),
        client.post("/v1/check", json={"text": [POLICY]}),
        client.post("/v1/check", json={"text": POLICY, "require": [MARKER]}),
    ):
        assert r.status_code == 422
        assert "two years" not in r.text and "dpo@example.com" not in r.text


def test_reports_are_not_cached_and_the_page_is_locked_down(client):
    r = client.post("/v1/check", json={"text": POLICY})
    assert r.headers["cache-control"] == "no-store"
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "connect-src 'self'" in csp
    for header, value in {
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
    }.items():
        assert page.headers[header] == value


def test_cors_preflight_from_anywhere_is_refused_by_default(client):
    r = client.options(
        "/v1/check/batch",
        headers={"origin": "null", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-allow-credentials" not in r.headers


def test_slow_body_is_cut_off_with_408(tiny_model_dir):
    import asyncio

    import httpx

    app = create_app(Settings(model_dir=tiny_model_dir, body_timeout=0.3))

    async def slow():
        yield b"We keep data "
        await asyncio.sleep(2)
        yield b"for two years."

    async def run() -> httpx.Response:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
        ):
            return await c.post("/v1/check", content=slow(), headers={"content-type": "text/plain"})

    r = asyncio.run(run())
    assert_problem(r, 408, "request-timeout", "did not arrive within 0.3 s (13 bytes received)")
    assert r.headers["connection"] == "close"
