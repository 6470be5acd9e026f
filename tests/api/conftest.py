"""An app on the tiny model (milliseconds per check) for most API tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings


@pytest.fixture(scope="session")
def make_client(tiny_model_dir: Path) -> Callable[..., Any]:
    """``with make_client(api_keys="k", ...) as client:`` an app with those settings."""

    @contextmanager
    def make(raise_server_exceptions: bool = True, **settings: Any) -> Iterator[TestClient]:
        settings.setdefault("model_dir", tiny_model_dir)
        app = create_app(Settings(**settings))
        with TestClient(app, raise_server_exceptions=raise_server_exceptions) as client:
            yield client

    return make


@pytest.fixture(scope="module")
def client(make_client: Callable[..., Any]) -> Iterator[TestClient]:
    with make_client() as c:
        yield c
