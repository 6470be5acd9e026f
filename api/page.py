"""The upload page (``/``) and the API docs (``/docs``), both served without any CDN.

The page is one self-contained file (``api/static/index.html``: inline CSS and JS, no
framework). Its Content-Security-Policy allows exactly its own inline style and script, by
sha256, and requests to this origin; nothing else may load, and no one may frame it. The API
docs are Swagger UI from the ``fastapi-offline`` package's bundled assets, started by a small
script file rather than an inline one, so its CSP needs no inline script either.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.problems import Problem

router = APIRouter(include_in_schema=False)

FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path d="M16 2.5 4.5 7v8.2c0 '
    '7.1 4.9 12.6 11.5 14.3 6.6-1.7 11.5-7.2 11.5-14.3V7L16 2.5Z" fill="#1f4e8c"/><path '
    'd="m10.5 16.2 3.8 3.8 7.3-7.6" fill="none" stroke="#fff" stroke-width="2.6" '
    'stroke-linecap="round" stroke-linejoin="round"/></svg>'
)
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
DOCS_INIT = """\
window.ui = SwaggerUIBundle({
  url: document.currentScript.dataset.openapi,
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout",
});
"""


def _sha256_source(content: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(content.encode()).digest()).decode() + "'"


@lru_cache(maxsize=1)
def page() -> tuple[str, str]:
    """(HTML, its Content-Security-Policy)."""
    html = resources.files("api").joinpath("static/index.html").read_text("utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    csp = (
        "default-src 'none'; "
        f"script-src {' '.join(map(_sha256_source, scripts))}; "
        f"style-src {' '.join(map(_sha256_source, styles))}; "
        "img-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    return html, csp


@router.get("/")
def upload_page() -> HTMLResponse:
    html, csp = page()
    return HTMLResponse(html, headers={"content-security-policy": csp, "cache-control": "no-cache"})


@router.get("/favicon.svg")
def favicon() -> Response:
    return Response(FAVICON, media_type="image/svg+xml", headers={"cache-control": "max-age=86400"})


def _docs_assets() -> Path:
    try:
        import fastapi_offline
    except ImportError:
        raise Problem(
            "not-found",
            "the API docs assets are not installed (pip install 'policycheck[api]'); "
            "the schema is at /openapi.json",
        ) from None
    return Path(fastapi_offline.__file__).parent / "static"


@router.get("/docs")
def docs(request: Request) -> HTMLResponse:
    _docs_assets()
    root = request.scope.get("root_path", "")
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>policycheck API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="{root}/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{root}/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{root}/docs/swagger-ui-bundle.js"></script>
<script src="{root}/docs/init.js" data-openapi="{root}/openapi.json"></script>
</body></html>"""
    return HTMLResponse(html, headers={"content-security-policy": DOCS_CSP})


@router.get("/docs/init.js")
def docs_init() -> Response:
    return Response(
        DOCS_INIT,
        media_type="text/javascript",
        headers={"content-security-policy": DOCS_CSP, "cache-control": "max-age=3600"},
    )


@router.get("/docs/{asset}")
def docs_asset(asset: str) -> FileResponse:
    if asset not in ("swagger-ui.css", "swagger-ui-bundle.js"):
        raise Problem("not-found", f"there is no /docs/{asset} here")
    return FileResponse(_docs_assets() / asset, headers={"cache-control": "max-age=86400"})
