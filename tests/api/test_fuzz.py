"""Schemathesis: generated requests from the OpenAPI schema never get a 500, and every
response (report, batch, problem) matches the schema the API publishes. Bounded: a few
examples per operation, so it runs in seconds."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from api.app import create_app  # noqa: E402
from api.inputs import DOCX_MEDIA_TYPE  # noqa: E402
from api.settings import Settings  # noqa: E402


@schemathesis.serializer("application/pdf", DOCX_MEDIA_TYPE)
def _document_bytes(ctx, value):
    """Arbitrary bytes sent as a PDF or DOCX: the parsers must refuse them, never crash."""
    return value if isinstance(value, bytes) else str(value).encode()


app = create_app(Settings(api_keys=[], cors_origins=[]))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def _tiny_model(tiny_model):
    app.state.model = tiny_model  # set before the first request, so the lifespan keeps it


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case):
    response = case.call()
    assert response.status_code < 500, response.text
    # A schema cannot say which texts are readable policies ("" or "42 %" is a 422), so a
    # schema-valid request may be refused; everything else is checked.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
