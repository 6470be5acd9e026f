"""The one assertion every error test goes through, and shared inputs."""

from __future__ import annotations

from typing import Any

from api.problems import PROBLEM_BASE, PROBLEM_MEDIA_TYPE, PROBLEM_TYPES
from tests.conftest import SEEDS

SEED_ALL_FOUR = next(SEEDS.glob("004_*.txt"))  # a real policy with all four elements

POLICY = (
    "# Privacy policy\n\n"
    "We collect your name and e-mail address when you order. "
    "You can reach our Data Protection Officer at dpo@example.com. "
    "We keep your data for two years after your account is closed. "
    "Our service is not directed at children under 16.\n"
)


def assert_problem(response: Any, status: int, slug: str, detail: str | None = None) -> dict:
    """An RFC 9457 problem: media type, the exact members, status and type agree, no leaks."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert PROBLEM_TYPES[slug][0] == status
    assert body["type"] == PROBLEM_BASE + slug
    assert body["title"] == PROBLEM_TYPES[slug][1]
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["instance"] == f"urn:uuid:{response.headers['x-request-id']}"
    assert set(body) <= {"type", "title", "status", "detail", "instance", "errors"}
    assert "Traceback" not in response.text and 'File "' not in response.text
    if detail is not None:
        assert detail in body["detail"], body["detail"]
    return body
