"""Load-test POST /v1/check on a local server: requests/s and latency percentiles.

Starts ``policycheck serve`` on 127.0.0.1 and a free port (unless ``--url`` points at a running
one on this machine), then, for each concurrency level, runs that many client threads posting
the same policy for ``--seconds`` seconds, and prints requests/s, p50/p90/p99 latency and the
server's resident memory. Bounded in time and only ever talks to 127.0.0.1 / localhost.

    python benchmarks/api_load.py                       # data/seeds/004_*.txt, 1 and 8 clients
    python benchmarks/api_load.py --concurrency 1 4 16 --seconds 5
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    workers: int = 1, settings: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    """``policycheck serve`` on a free port of 127.0.0.1, with only the given POLICYCHECK_*
    settings; returns once /readyz answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYCHECK_")}
    env |= {"POLICYCHECK_LOG_LEVEL": "warning", **(settings or {})}
    cmd = [sys.executable, "-m", "checker", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--workers", str(workers)], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not become ready in 30 s")


def rss_mib(pid: int) -> float:
    """Resident memory of the server and all its descendants (workers, PDF/DOCX parsers)."""
    pids, total = [pid], 0
    for p in pids:
        try:
            for t in Path(f"/proc/{p}/task").iterdir():
                pids += [int(c) for c in (t / "children").read_text().split()]
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def run(url: str, body: bytes, media_type: str, clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        with httpx.Client(timeout=60) as c:
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                r = c.post(f"{url}/v1/check", content=body, headers={"content-type": media_type})
                mine.append(time.perf_counter() - started)
                bad += r.status_code != 200
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50": cuts[49] * 1000,
        "p90": cuts[89] * 1000,
        "p99": cuts[98] * 1000,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--policy", type=Path, default=next((ROOT / "data/seeds").glob("004_*.txt")))
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=1, help="server worker processes")
    ap.add_argument("--url", help="a server already running on this machine")
    a = ap.parse_args()
    if a.url and urlparse(a.url).hostname not in LOCAL_HOSTS:
        raise SystemExit("--url must be a server on this machine (127.0.0.1 / localhost)")
    body = a.policy.read_bytes()
    media_type = "application/pdf" if a.policy.suffix == ".pdf" else "text/plain"
    proc, url = (None, a.url) if a.url else start_server(a.workers)
    try:
        for _ in range(5):  # warm up
            httpx.post(f"{url}/v1/check", content=body, headers={"content-type": media_type})
        print(f"POST /v1/check  {a.policy.name} ({len(body):,} bytes), {a.seconds:g} s per level")
        if proc is not None:
            print(f"server: {a.workers} worker(s), RSS {rss_mib(proc.pid):.0f} MiB after warm-up")
        print(
            f"{'clients':>7} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} errors"
        )
        for n in a.concurrency:
            r = run(url, body, media_type, n, a.seconds)
            print(
                f"{n:>7} {r['requests']:>8} {r['rps']:>7.1f} {r['p50']:>7.1f} {r['p90']:>7.1f} "
                f"{r['p99']:>7.1f} {r['errors']:>6}"
            )
        if proc is not None:
            print(f"server RSS after the run: {rss_mib(proc.pid):.0f} MiB")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
