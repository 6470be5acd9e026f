"""Dependencies routes declare: settings, the model, the API key check, the request body.

Tests override ``get_model`` with a tiny model; everything else reads ``app.state``, which
``create_app`` fills.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.inputs import Body, read_body
from api.problems import Problem
from api.settings import Settings
from checker.model import Model

_bearer = HTTPBearer(auto_error=False, description="An API key (when the server has any).")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_model(request: Request) -> Model:
    model = request.app.state.model
    if model is None:
        raise Problem(
            "model-unavailable",
            "the model is not loaded, so nothing can be checked; GET /readyz says why",
        )
    return model  # type: ignore[no-any-return]


def require_api_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """When API keys are configured, demand ``Authorization: Bearer <key>`` (constant time)."""
    keys = get_settings(request).api_keys
    if not keys:
        return
    challenge = {"WWW-Authenticate": 'Bearer realm="policycheck"'}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(
            "unauthorized", "send an API key as `Authorization: Bearer <key>`", headers=challenge
        )
    given = credentials.credentials.encode()
    matched = False
    for key in keys:  # compare with every key, so timing does not tell which one is close
        matched |= hmac.compare_digest(given, key.get_secret_value().encode())
    if not matched:
        raise Problem(
            "unauthorized",
            "the API key is not valid",
            headers={"WWW-Authenticate": 'Bearer realm="policycheck", error="invalid_token"'},
        )


async def check_body(request: Request) -> Body:
    settings = get_settings(request)
    return await read_body(request, settings.max_request_bytes, settings.body_timeout)


async def batch_body(request: Request) -> Body:
    settings = get_settings(request)
    return await read_body(request, settings.max_batch_bytes, settings.body_timeout)


SettingsDep = Annotated[Settings, Depends(get_settings)]
ModelDep = Annotated[Model, Depends(get_model)]
