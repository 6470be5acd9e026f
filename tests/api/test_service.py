"""Health, readiness, elements, metrics, docs, the page, headers, CORS."""

from __future__ import annotations

import re

from checker import registry
from tests.api.helpers import POLICY


def test_healthz_is_alive(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_names_the_verified_model(client, tiny_model):
    body = client.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["model"]["version"] == "tiny" and body["model"]["sha256"] == tiny_model.sha256
    assert body["model"]["elements"] == list(registry.ELEMENT_IDS)


def test_elements_is_the_registry(client):
    assert client.get("/v1/elements").json() == [e.as_dict() for e in registry.ELEMENTS]


def test_metrics_count_requests_latency_and_errors_by_type(make_client):
    with make_client() as c:
        c.post("/v1/check", json={"text": POLICY})
        c.post("/v1/check", json={"text": "2024 | 42 %"})
        c.get("/no/such/page")
        r = c.get("/metrics")
    assert r.headers["content-type"].startswith("text/plain; version=")
    text = r.text
    assert (
        'policycheck_http_requests_total{method="POST",route="/v1/check",status="200"} 1.0' in text
    )
    assert (
        'policycheck_http_requests_total{method="POST",route="/v1/check",status="422"} 1.0' in text
    )
    assert (
        'policycheck_http_requests_total{method="GET",route="<unmatched>",status="404"} 1.0' in text
    )
    assert (
        'policycheck_http_request_duration_seconds_bucket{le="0.5",method="POST",route="/v1/check"}'
        in text
    )
    assert 'policycheck_errors_total{type="unreadable-document"} 1.0' in text
    assert 'policycheck_errors_total{type="not-found"} 1.0' in text
    assert 'policycheck_documents_checked_total{format="text"} 1.0' in text
    assert 'policycheck_model_info{version="tiny"} 1.0' in text
    assert "policycheck_model_loaded 1.0" in text


def test_openapi_documents_the_endpoints_and_the_report_schema(client):
    schema = client.get("/openapi.json").json()
    assert {"/v1/check", "/v1/check/batch", "/v1/extract", "/v1/elements", "/healthz",
            "/readyz", "/metrics"} <= set(schema["paths"])  # fmt: skip
    check = schema["paths"]["/v1/check"]["post"]
    assert set(check["requestBody"]["content"]) >= {
        "application/json", "multipart/form-data", "text/plain", "text/html", "application/pdf",
    }  # fmt: skip
    ok = check["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/Report"}
    assert schema["components"]["schemas"]["Report"]["title"] == "policycheck gap report"
    problem = check["responses"]["413"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/ProblemDetails"}


def test_docs_are_served_from_local_assets(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "https://" not in page.text
    assert "script-src 'self';" in page.headers["content-security-policy"]
    for asset in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert client.get(asset).status_code == 200, asset


def test_upload_page_is_self_contained_with_a_strict_csp(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+';", csp)
    assert "unsafe-inline" not in csp and "http" not in csp
    assert not re.search(r"(src|href)=\"(https?:)?//", r.text)  # nothing from elsewhere
    assert " style=" not in r.text and " onclick=" not in r.text  # nothing the CSP would block
    assert r.headers["x-content-type-options"] == "nosniff"


def test_every_response_carries_the_security_headers(client):
    for r in (client.get("/healthz"), client.get("/v1/nothing"), client.post("/v1/check", json={})):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"
        assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"])


def test_cors_is_closed_by_default(client):
    r = client.options(
        "/v1/check",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in r.headers
    r = client.post("/v1/check", json={"text": POLICY}, headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_allows_only_the_configured_origins(make_client):
    with make_client(cors_origins="https://intranet.example") as c:
        ok = c.options(
            "/v1/check",
            headers={
                "origin": "https://intranet.example",
                "access-control-request-method": "POST",
                "access-control-request-headers": "authorization, content-type",
            },
        )
        assert ok.headers["access-control-allow-origin"] == "https://intranet.example"
        other = c.post("/v1/check", json={"text": POLICY}, headers={"origin": "https://x.example"})
        assert "access-control-allow-origin" not in other.headers


def test_the_log_carries_size_and_hash_never_the_document(client, caplog):
    import hashlib

    caplog.set_level("INFO", logger="policycheck")
    client.post("/v1/check", json={"text": POLICY})
    client.post("/v1/check", json={"text": POLICY, "require": ["bogus"]})
    digest = hashlib.sha256(POLICY.encode()).hexdigest()
    assert f"sha256={digest[:12]} bytes={len(POLICY.encode())}" in caplog.text
    assert digest not in caplog.text
    for sentence in ("Data Protection Officer", "two years", "dpo@example.com", "children"):
        assert sentence not in caplog.text
