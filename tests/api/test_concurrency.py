"""A worker runs at most POLICYCHECK_CHECK_CONCURRENCY checks at once; the rest wait their turn."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import api.checking

POLICY = "Our Data Protection Officer can be reached at dpo@example.com."


@pytest.mark.parametrize("concurrency", [1, 3])
def test_checks_in_flight_never_exceed_the_setting(make_client, monkeypatch, concurrency):
    lock = threading.Lock()
    running = peak = 0
    real_check = api.checking.check

    def slow_check(*args, **kwargs):
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        try:
            return real_check(*args, **kwargs)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(api.checking, "check", slow_check)
    with make_client(check_concurrency=concurrency) as client:

        def post(i: int) -> int:
            body = f"{POLICY} Request {i}."
            r = client.post("/v1/check", content=body, headers={"content-type": "text/plain"})
            return r.status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(post, range(16)))
    assert statuses == [200] * 16
    assert peak == concurrency
