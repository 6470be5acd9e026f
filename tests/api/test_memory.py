"""A worker gives freed memory back once its model is loaded and when it has been idle, and a
waiting request holds only its body."""

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


def test_trim_when_idle_trims_once_no_request_has_been_in_progress_for_the_delay():
    trims: list[int] = []
    release = asyncio.Event()

    async def app(scope, receive, send):
        if scope["path"] == "/slow":
            await release.wait()

    middleware = memory.TrimWhenIdle(
        app, delay=0.3, release=lambda: trims.append(middleware.in_progress)
    )

    async def request(path: str) -> None:
        await middleware({"type": "http", "path": path}, None, None)

    async def scenario() -> None:
        slow = asyncio.create_task(request("/slow"))
        await asyncio.sleep(0)
        await request("/fast")
        await asyncio.sleep(0.4)
        assert trims == []  # /slow is still in progress
        release.set()
        await slow
        await asyncio.sleep(0.02)
        await request("/fast")  # within the delay: the idle timer starts again
        await asyncio.sleep(0.02)
        assert trims == []
        await asyncio.sleep(0.5)
        assert trims == [0]  # once, after the delay
        await middleware({"type": "lifespan", "path": ""}, None, None)
        await asyncio.sleep(0.4)
        assert trims == [0]  # only HTTP requests count

    asyncio.run(scenario())


def test_trim_when_idle_trims_after_a_failed_request_too():
    trims: list[int] = []

    async def app(scope, receive, send):
        raise RuntimeError("boom")

    middleware = memory.TrimWhenIdle(app, delay=0, release=lambda: trims.append(1))

    async def scenario() -> None:
        with pytest.raises(RuntimeError):
            await middleware({"type": "http", "path": "/"}, None, None)
        await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert trims == [1]


def test_the_app_trims_the_allocator_when_the_model_is_loaded(make_client, monkeypatch):
    trims: list[int] = []
    monkeypatch.setattr(memory, "trim", lambda: trims.append(1))
    with make_client() as client:
        assert trims  # (other apps' idle trims may add to it: trim is one per process)
        r = client.post("/v1/check", content=POLICY, headers={"content-type": "text/plain"})
    assert r.status_code == 200


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
