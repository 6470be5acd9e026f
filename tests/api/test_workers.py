"""`policycheck serve --workers 2` for real: a small supervisor, workers that each get a share of
the connections (SO_REUSEPORT), a dead worker replaced, and SIGTERM leaving no process behind.

Processes and connections are read from /proc, never from the server: nothing in production
reveals which worker answered.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api.server import reuse_port_balances
from benchmarks.api_load import connections_by_process, process_tree
from tests.api.documents import make_pdf
from tests.api.helpers import POLICY
from tests.conftest import ROOT

linux_only = pytest.mark.skipif(
    not reuse_port_balances(), reason="workers with their own SO_REUSEPORT socket: Linux only"
)


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listeners(port: int) -> int:
    """Sockets listening on 127.0.0.1:port (state 0A in /proc/net/tcp)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for r in rows if r.split()[1] == f"0100007F:{port:04X}" and r.split()[3] == "0A")


def wait_for(condition: Callable[[], bool], what: str, server: Server, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not condition():
        if server.process.poll() is not None:
            pytest.fail(f"the server exited with {server.process.returncode}:\n{read(server)}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not within {seconds} s:\n{read(server)}")
        time.sleep(0.05)


def read(server: Server) -> str:
    return server.log.read_text("utf-8", "replace")


def start(model_dir: Path, log: Path, *args: str, **env: str) -> Server:
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("POLICYCHECK_")}
    environ |= {"POLICYCHECK_MODEL_DIR": str(model_dir), "POLICYCHECK_LOG_LEVEL": "info", **env}
    cmd = [sys.executable, "-m", "checker", "serve", "--port", str(port), "--workers", "2", *args]
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, cwd=ROOT, env=environ, stdout=out, stderr=out)
    server = Server(process, port, log)
    # Each worker listens once its app is up: two listeners, two workers ready.
    wait_for(lambda: listeners(port) == 2, "two workers listening", server)
    return server


def stop(server: Server) -> int:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
    try:
        return server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
        pytest.fail(f"SIGTERM did not stop the server in 30 s:\n{read(server)}")


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in {"Z", "X"}  # a zombie has exited; only its parent has yet to reap it


@pytest.fixture(scope="module")
def server(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start(tiny_model_dir, tmp_path_factory.mktemp("workers") / "server.log")
    try:
        yield srv
    finally:
        stop(srv)


@linux_only
def test_the_workers_answer_health_checks_and_pdf_uploads(server):
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
    r = httpx.post(f"{server.url}/v1/check", content=POLICY, timeout=30)
    assert r.status_code == 200, r.text
    assert {e["id"] for e in r.json()["elements"]} >= {"dpo_contact", "retention"}
    pdf = make_pdf(POLICY)  # parsed in a child of the worker: workers may have children
    r = httpx.post(
        f"{server.url}/v1/check",
        content=pdf,
        headers={"content-type": "application/pdf"},
        timeout=30,
    )
    assert r.status_code == 200, r.text


@linux_only
def test_connections_from_many_clients_land_on_both_workers(server):
    clients = []
    try:
        for _ in range(16):  # all on one worker by chance: 2 in 65,536
            c = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            assert c.recv(4096).startswith(b"HTTP/1.1 200")  # accepted and served
            clients.append(c)
        held = connections_by_process(server.process.pid, server.port)
    finally:
        for c in clients:
            c.close()
    assert sum(held.values()) == 16
    assert sorted(held) == sorted(server.children()), held  # the two workers, not the supervisor
    assert min(held.values()) >= 1


@linux_only
def test_the_supervisor_stays_small_and_never_loads_the_app(server):
    pid = server.process.pid
    status = Path(f"/proc/{pid}/status").read_text()
    rss_mib = int(next(x for x in status.splitlines() if x.startswith("VmRSS:")).split()[1]) / 1024
    assert rss_mib < 40
    maps = Path(f"/proc/{pid}/maps").read_text()
    assert "numpy" not in maps and "pydantic_core" not in maps  # no app, no model, no settings
    for worker in server.children():
        assert "numpy" in Path(f"/proc/{worker}/maps").read_text()


@linux_only
def test_a_worker_that_dies_is_replaced(server):
    before = server.children()
    os.kill(before[0], signal.SIGKILL)
    wait_for(
        lambda: len(server.children()) == 2 and before[0] not in server.children(),
        "a new worker",
        server,
    )
    wait_for(lambda: listeners(server.port) == 2, "the new worker listening", server)
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
    assert "died (exit code -9); starting another" in read(server)


@linux_only
def test_sigterm_stops_the_supervisor_and_every_process_under_it(tiny_model_dir, tmp_path):
    srv = start(tiny_model_dir, tmp_path / "server.log")
    try:
        for _ in range(4):  # fresh connections: PDF parse servers under one or both workers
            r = httpx.post(
                f"{srv.url}/v1/check",
                content=make_pdf(POLICY),
                headers={"content-type": "application/pdf"},
                timeout=30,
            )
            assert r.status_code == 200
        tree = process_tree(srv.process.pid)
        assert len(tree) > 3  # supervisor, two workers, and the PDF parse machinery
    finally:
        code = stop(srv)
    assert code == 0
    deadline = time.monotonic() + 10
    while not all(map(gone, tree)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in tree if not gone(pid)] == []
    assert listeners(srv.port) == 0


@linux_only
def test_a_busy_port_stops_the_server_before_any_worker_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "checker", "serve", "--port", str(port), "--workers", "2"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 3
    assert "cannot listen on 127.0.0.1" in done.stderr
    assert "Started server process" not in done.stderr


@linux_only
def test_a_bad_setting_is_one_line_and_exit_code_2():
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYCHECK_")}
    done = subprocess.run(
        [sys.executable, "-m", "checker", "serve", "--port", str(free_port()), "--workers", "2"],
        cwd=ROOT,
        env={**env, "POLICYCHECK_LOG_LEVEL": "loud"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("policycheck: bad setting POLICYCHECK_LOG_LEVEL: Input should be")
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize("module", ["uvicorn", "fastapi", "pydantic_settings"])
def test_a_missing_extra_is_one_line_and_exit_code_2(monkeypatch, capsys, module):
    from checker.cli import main

    monkeypatch.setitem(sys.modules, module, None)  # find_spec now says it is not installed
    assert main(["serve", "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"policycheck: serve needs the api extra ({module} is missing): "
        "pip install 'policycheck[api]'\n"
    )
