"""The one ASGI middleware around every request: request id, security headers, metrics, and a
last-resort 500 that never leaks internals.

Plain ASGI (not ``BaseHTTPMiddleware``): it adds nothing to the request path but a timer and a
few headers. Metrics use the route *template* (``/v1/check``), never the raw path, so a scan of
random URLs cannot blow up the label set.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
import uuid

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import PROBLEM_MEDIA_TYPE, internal_error_body

log = logging.getLogger("policycheck.api")

# For JSON and everything else that is not a page: nothing may load, nothing may frame it.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """Prometheus metrics of one app (its own registry, so tests can build many apps)."""

    def __init__(self) -> None:
        disable_created_metrics()  # the *_created series only add noise here
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "policycheck_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "policycheck_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and method.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.in_progress = Gauge(
            "policycheck_http_requests_in_progress", "Requests being answered.", registry=r
        )
        self.errors = Counter(
            "policycheck_errors",
            "Problems answered (whole requests and batch items), by problem type.",
            ["type"],
            registry=r,
        )
        self.documents = Counter(
            "policycheck_documents_checked",
            "Documents checked, by input format.",
            ["format"],
            registry=r,
        )
        self.document_seconds = Histogram(
            "policycheck_document_check_seconds",
            "Time to extract and score one document.",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.model_loaded = Gauge(
            "policycheck_model_loaded", "1 when the model is loaded and verified.", registry=r
        )
        self.model_info = Gauge(
            "policycheck_model_info", "The loaded model (value 1).", ["version"], registry=r
        )


def _route_label(scope: Scope, known_paths: frozenset[str]) -> str:
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    return scope["path"] if scope.get("path") in known_paths else "<unmatched>"


class ServiceMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics, known_paths: frozenset[str]) -> None:
        self.app = app
        self.metrics = metrics
        self.known_paths = known_paths  # route paths without parameters, for the label

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = dict(SECURITY_HEADERS)
                extra["content-security-policy"] = API_CSP
                extra["cache-control"] = "no-store"
                headers += [
                    (k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in present
                ]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        self.metrics.in_progress.inc()
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            status = 500
            # Type and frames only: an exception's message may quote the document.
            log.error(
                "internal error in %s %s (request %s): %s\n%s",
                scope.get("method"),
                scope.get("path"),
                request_id,
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            self.metrics.errors.labels(type="internal-error").inc()
            if not response_started:
                body = json.dumps(internal_error_body(request_id)).encode()
                await send_with_headers(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
        finally:
            self.metrics.in_progress.dec()
            route = _route_label(scope, self.known_paths)
            method = str(scope.get("method", ""))
            self.metrics.requests.labels(method=method, route=route, status=str(status)).inc()
            self.metrics.latency.labels(method=method, route=route).observe(
                time.perf_counter() - started
            )
