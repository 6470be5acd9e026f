"""The application factory: ``create_app(settings)``.

``uvicorn --factory api.app:create_app`` builds it from ``POLICYCHECK_*`` environment
variables; tests pass a ``Settings`` (and may override ``api.deps.get_model``). The model is
loaded and verified once, in the lifespan handler, never at import. A missing or tampered model
does not stop the server: /healthz answers, /readyz and every check answer 503 saying why.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from starlette.concurrency import run_in_threadpool

from api import memory, page, problems
from api.middleware import Metrics, ServiceMiddleware
from api.routes import openapi_components, ops, v1
from api.settings import Settings
from checker import __version__
from checker.errors import ModelError
from checker.model import Model, default_model_dir, load

log = logging.getLogger("policycheck.api")

DESCRIPTION = """\
Checks whether a privacy policy makes the disclosures the GDPR requires, and shows where.
No LLM; documents are processed in memory and never stored or logged.
A screening aid, **not legal advice**.

Every error is an RFC 9457 problem (`application/problem+json`).
"""


def load_model(settings: Settings) -> tuple[Model | None, str | None]:
    """(model, None) or (None, why not): the message a person needs, without server paths."""
    directory = settings.model_dir
    where = str(directory if directory is not None else default_model_dir())
    try:
        return load(directory), None
    except ModelError as e:
        return None, str(e).replace(where, "<model dir>")
    except Exception as e:  # e.g. zipfile.BadZipFile from an artifact that is not an .npz
        return None, f"the model cannot be read: {type(e).__name__}: {e}".replace(
            where, "<model dir>"
        )


def create_app(settings: Settings | None = None, *, model: Model | None = None) -> FastAPI:
    """Build the app; with ``model`` given, use it instead of loading one (embedding, tests)."""
    settings = settings or Settings()
    _configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.model is None:
            loaded, error = await run_in_threadpool(load_model, settings)
            _set_model(app, loaded, error)
            memory.trim()  # what reading the artifact took and freed (about 5 MiB)
        yield

    app = FastAPI(
        title="policycheck",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by api.page from local assets: no CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    _set_model(app, model, None)

    problems.install(app)
    app.include_router(v1)
    app.include_router(ops)
    app.include_router(page.router)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["X-Request-ID"],
            max_age=600,
        )
    known_paths = frozenset(
        path for r in app.routes if "{" not in (path := getattr(r, "path", "{"))
    )
    app.add_middleware(ServiceMiddleware, metrics=app.state.metrics, known_paths=known_paths)
    app.add_middleware(memory.TrimWhenIdle)  # outermost: after everything a request freed
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _configure_logging(level: str) -> None:
    """Our log lines next to uvicorn's, unless the deployer configured logging already."""
    logger = logging.getLogger("policycheck")
    logger.setLevel(level.upper())
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


def _set_model(app: FastAPI, model: Model | None, error: str | None) -> None:
    app.state.model = model
    app.state.model_error = error
    metrics: Metrics = app.state.metrics
    metrics.model_loaded.set(1 if model is not None else 0)
    if model is not None:
        metrics.model_info.labels(version=model.version).set(1)
        log.info("model %s loaded and verified (sha256 %s)", model.version, model.sha256[:12])
    elif error:
        log.error("model not loaded: %s", error)


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {}).update(openapi_components())
        if not app.state.settings.api_keys:  # publish the auth this deployment really has
            components.pop("securitySchemes", None)
            for operations in schema["paths"].values():
                for operation in operations.values():
                    operation.pop("security", None)
                    operation.get("responses", {}).pop("401", None)
        app.openapi_schema = schema
    return app.openapi_schema
