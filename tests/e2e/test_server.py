"""The API as deployed: a real uvicorn process on 127.0.0.1, spoken to over TCP."""

from __future__ import annotations

import statistics
import threading
import time

import httpx

from checker.engine import check_bytes
from checker.model import load
from tests.api.helpers import SEED_ALL_FOUR


def test_the_server_is_ready_with_the_bundled_model(server):
    ready = httpx.get(f"{server.url}/readyz").json()
    assert ready["status"] == "ready"
    assert ready["model"]["sha256"] == load(server.model_dir).sha256


def test_an_upload_gets_the_library_report(server):
    data = SEED_ALL_FOUR.read_bytes()
    r = httpx.post(
        f"{server.url}/v1/check", files={"file": (SEED_ALL_FOUR.name, data, "text/plain")}
    )
    assert r.status_code == 200
    model = load(server.model_dir)
    expected = check_bytes(
        data, filename=SEED_ALL_FOUR.name, source=SEED_ALL_FOUR.name, model=model
    )
    assert r.json() == expected.to_dict()


def test_health_checks_answer_while_20_uploads_are_scored(server):
    data = SEED_ALL_FOUR.read_bytes()
    statuses: list[int] = []
    health: list[float] = []
    done = threading.Event()

    def upload() -> None:
        with httpx.Client(timeout=60) as c:
            r = c.post(
                f"{server.url}/v1/check", content=data, headers={"content-type": "text/plain"}
            )
            statuses.append(r.status_code)

    def probe() -> None:
        with httpx.Client(timeout=10) as c:
            while not done.is_set():
                started = time.perf_counter()
                ok = c.get(f"{server.url}/healthz").status_code == 200
                health.append(time.perf_counter() - started if ok else float("inf"))
                time.sleep(0.02)

    prober = threading.Thread(target=probe)
    prober.start()
    uploads = [threading.Thread(target=upload) for _ in range(20)]
    for t in uploads:
        t.start()
    for t in uploads:
        t.join()
    done.set()
    prober.join()
    assert statuses == [200] * 20
    assert len(health) >= 3
    assert max(health) < 1.0, f"slowest health check {max(health):.2f} s"
    assert statistics.median(health) < 0.25


def test_the_server_log_holds_sizes_and_hashes_never_the_document(server):
    httpx.post(f"{server.url}/v1/check", json={"text": "We keep invoices for 7 years. " * 20})
    log = server.log_text()
    assert "checked document sha256=" in log and "bytes=" in log
    assert "We keep invoices" not in log
    for line in SEED_ALL_FOUR.read_text("utf-8").splitlines():
        if len(line) > 40:  # any real sentence of the uploaded policy
            assert line not in log


def test_problems_cross_the_wire_intact(server):
    r = httpx.post(
        f"{server.url}/v1/check", content=b"\x89PNG\r\n", headers={"content-type": "image/png"}
    )
    assert r.status_code == 415
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["instance"] == f"urn:uuid:{r.headers['x-request-id']}"
