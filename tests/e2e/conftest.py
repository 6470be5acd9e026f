"""A real server: ``python -m checker serve`` on 127.0.0.1 and a free port, with (a snapshot of)
the bundled model, started once for the e2e tests and stopped after them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from checker.model import default_model_dir
from tests.conftest import ROOT


@dataclass
class Server:
    url: str
    log: Path
    process: subprocess.Popen
    model_dir: Path  # a snapshot of the bundled model, so tests can load the very same one

    def log_text(self) -> str:
        return self.log.read_text("utf-8", "replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = free_port()
    work = tmp_path_factory.mktemp("server")
    log = work / "server.log"
    model_dir = work / "model"
    shutil.copytree(default_model_dir(), model_dir, ignore=shutil.ignore_patterns("__*"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYCHECK_")}
    env["POLICYCHECK_LOG_LEVEL"] = "info"
    env["POLICYCHECK_MODEL_DIR"] = str(model_dir)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "checker", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    srv = Server(f"http://127.0.0.1:{port}", log, process, model_dir)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{srv.log_text()}")
            try:
                if httpx.get(f"{srv.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not start in 30 s:\n{srv.log_text()}")
            time.sleep(0.1)
        yield srv
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
