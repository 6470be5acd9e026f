"""A worker gives freed memory back when it goes idle, and a waiting request holds only its body."""

from __future__ import annotations

import asyncio
import threading

import pytest

import api.checking
from api import memory
from tests.api.documents import make_pdf
from tests.api.helpers import POLICY


def test_trim_runs_without_error():
    memory.trim()  # glibc: malloc_trim(0); elsewhere nothing


def test_cap_arenas_leaves_a_configured_limit_alone(monkeypatch):
    calls: list[tuple[int, int]] = []

    class FakeLibc:
        def mallopt(self, option: int, value: int) -> int:
            calls.append((option, value))
            return 1

    monkeypatch.setattr(memory, "_libc", lambda: FakeLibc())
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    memory.cap_arenas()
    assert calls == []
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    memory.cap_arenas()
    assert calls == [(-8, 2)]  # M_ARENA_MAX


def test_trim_when_idle_trims_once_the_last_request_in_progress_ends(monkeypatch):
    trims: list[int] = []
    release = asyncio.Event()

    async def app(scope, receive, send):
        if scope["path"] == "/slow":
            await release.wait()

    middleware = memory.TrimWhenIdle(app)
    monkeypatch.setattr(memory, "trim", lambda: trims.append(middleware.in_progress))

    async def scenario() -> None:
        slow = asyncio.create_task(middleware({"type": "http", "path": "/slow"}, None, None))
        await asyncio.sleep(0)
        await middleware({"type": "http", "path": "/fast"}, None, None)
        assert trims == []  # /slow is still in progress
        release.set()
        await slow
        assert trims == [0]
        await middleware({"type": "lifespan", "path": ""}, None, None)
        assert trims == [0]  # only HTTP requests count

    asyncio.run(scenario())


def test_trim_when_idle_trims_after_a_failed_request_too(monkeypatch):
    trims: list[int] = []

    async def app(scope, receive, send):
        raise RuntimeError("boom")

    monkeypatch.setattr(memory, "trim", lambda: trims.append(1))
    with pytest.raises(RuntimeError):
        asyncio.run(memory.TrimWhenIdle(app)({"type": "http", "path": "/"}, None, None))
    assert trims == [1]


def test_the_app_trims_after_a_request(make_client, monkeypatch):
    trims: list[int] = []
    with make_client() as client:
        monkeypatch.setattr(memory, "trim", lambda: trims.append(1))
        r = client.post("/v1/check", content=POLICY, headers={"content-type": "text/plain"})
    assert r.status_code == 200
    assert trims


@pytest.mark.parametrize(
    ("body", "media_type", "where"),
    [
        (POLICY.encode(), "text/plain", "policycheck-check"),  # decoded when its turn comes
        (make_pdf(POLICY), "application/pdf", "request"),  # parsed before it queues
    ],
)
def test_text_is_read_in_the_checker_thread_a_pdf_before_it_queues(
    make_client, monkeypatch, body, media_type, where
):
    threads: list[str] = []
    real_extract = api.checking.extract

    def extract(doc, settings):
        threads.append(threading.current_thread().name)
        return real_extract(doc, settings)

    monkeypatch.setattr(api.checking, "extract", extract)
    with make_client() as client:
        r = client.post("/v1/check", content=body, headers={"content-type": media_type})
    assert r.status_code == 200, r.text
    assert len(threads) == 1
    assert threads[0].startswith("policycheck-check") == (where == "policycheck-check")


def test_a_text_the_checker_cannot_read_is_still_a_problem(make_client):
    with make_client(max_extracted_chars=10) as client:
        r = client.post("/v1/check", content=POLICY, headers={"content-type": "text/plain"})
    assert r.status_code == 413
    assert "extracted text" in r.json()["detail"]
