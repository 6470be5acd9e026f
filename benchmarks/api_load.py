"""Load-test POST /v1/check on a local server: requests/s and latency percentiles.

Starts ``policycheck serve`` on 127.0.0.1 and a free port (unless ``--url`` points at a running
one on this machine), then, for each concurrency level, runs that many clients posting the same
policy for ``--seconds`` seconds (wrk if installed: it takes little CPU; else Python threads),
and prints requests/s, p50/p90/p99 latency, how many of the clients' connections each worker
holds (counted mid-run from /proc) and the resident memory of the server's processes. Bounded in
time and only ever talks to 127.0.0.1 / localhost.

    python -m benchmarks.api_load                        # data/seeds/004_*.txt, 1 and 8 clients
    python -m benchmarks.api_load --workers 2 --concurrency 1 8 32 --runs 3
"""

from __future__ import annotations

import argparse
import os
import shutil
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


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (workers, PDF/DOCX parse servers), parents first."""
    pids = [pid]
    for p in pids:
        try:
            for t in Path(f"/proc/{p}/task").iterdir():
                pids += [int(c) for c in (t / "children").read_text().split()]
        except OSError:
            continue
    return pids


def rss_by_process(pid: int) -> dict[int, float]:
    """Resident memory (MiB) of each process of the server, parents first."""
    out: dict[int, float] = {}
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out[p] = round(int(line.split()[1]) / 1024, 1)
        except OSError:
            continue
    return out


def rss_mib(pid: int) -> float:
    """Resident memory of the server and all its descendants (workers, PDF/DOCX parsers)."""
    return round(sum(rss_by_process(pid).values()), 1)


def pss_mib(pid: int) -> float | None:
    """Proportional set size of the server's processes together (MiB): a page shared by k
    processes (libpython, NumPy's libraries) counts 1/k in each, so the sum is what the server
    holds, where a sum of RSS counts shared pages once per process. None without smaps_rollup."""
    total = 0.0
    for p in process_tree(pid):
        try:
            lines = Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()
        except OSError:
            return None
        total += next((int(x.split()[1]) for x in lines if x.startswith("Pss:")), 0) / 1024
    return round(total, 1)


def connections_by_process(pid: int, port: int) -> dict[int, int]:
    """Established connections on ``port`` that each process of the server holds (Linux /proc:
    the socket inodes of /proc/net/tcp* matched against each process's open files)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                inodes.add(fields[9])
    out: dict[int, int] = {}
    for p in process_tree(pid):
        try:
            links = [os.readlink(fd) for fd in Path(f"/proc/{p}/fd").iterdir()]
        except OSError:
            continue
        if n := sum(link[8:-1] in inodes for link in links if link.startswith("socket:[")):
            out[p] = n
    return out


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


def run_wrk(url: str, policy: Path, clients: int, seconds: float) -> dict[str, float]:
    """One level with wrk (benchmarks.run's), in this module's units."""
    from benchmarks.run import _wrk

    r = _wrk(url, policy, clients, seconds)
    return {
        "requests": r.get("requests", 0),
        "errors": r.get("errors", 0),
        "rps": r.get("rps", 0.0),
        **{p: r.get(f"{p}_ms", float("nan")) for p in ("p50", "p90", "p99")},
    }


def _memory(pid: int) -> str:
    by_process = rss_by_process(pid)
    parts = " + ".join(f"{v:.0f}" for v in by_process.values())
    return f"{sum(by_process.values()):.0f} MiB ({parts}; the parent process first)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--policy", type=Path, default=next((ROOT / "data/seeds").glob("004_*.txt")))
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=1, help="server worker processes")
    ap.add_argument("--runs", type=int, default=1, help="servers started one after another")
    ap.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    ap.add_argument("--url", help="a server already running on this machine")
    a = ap.parse_args()
    if a.url and urlparse(a.url).hostname not in LOCAL_HOSTS:
        raise SystemExit("--url must be a server on this machine (127.0.0.1 / localhost)")
    body = a.policy.read_bytes()
    media_type = "application/pdf" if a.policy.suffix == ".pdf" else "text/plain"
    use_wrk = a.generator == "wrk" or (a.generator == "auto" and shutil.which("wrk"))
    if use_wrk and media_type != "text/plain":
        raise SystemExit("wrk posts text/plain: use --generator python for a PDF")
    print(
        f"POST /v1/check  {a.policy.name} ({len(body):,} bytes), {a.seconds:g} s per level, "
        f"load from {'wrk' if use_wrk else 'Python threads (httpx)'}"
    )

    def load(url: str, clients: int, seconds: float) -> dict[str, float]:
        if use_wrk:
            return run_wrk(url, a.policy, clients, seconds)
        return run(url, body, media_type, clients, seconds)

    for n_run in range(1, a.runs + 1):
        proc, url = (None, a.url) if a.url else start_server(a.workers)
        try:
            httpx.post(f"{url}/v1/check", content=body, headers={"content-type": media_type})
            load(url, 8, 3.0)  # concurrent, so that every worker has served (as benchmarks.run)
            if proc is not None:
                print(f"run {n_run}: {a.workers} worker(s), RSS {_memory(proc.pid)} after warm-up")
            print(
                f"{'clients':>7} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} "
                f"{'p99 ms':>7} {'errors':>6}  connections per worker"
            )
            for n in a.concurrency:
                seen: list[dict[int, int]] = []
                if proc is not None:  # count mid-run, when every client is connected
                    port = int(url.rsplit(":", 1)[1])
                    probe = threading.Timer(
                        a.seconds / 2,
                        lambda out, *args: out.append(connections_by_process(*args)),
                        args=(seen, proc.pid, port),
                    )
                    probe.start()
                r = load(url, n, a.seconds)
                if proc is not None:
                    probe.join()
                split = sorted(seen[0].values(), reverse=True) if seen else []
                print(
                    f"{n:>7} {r['requests']:>8} {r['rps']:>7.1f} {r['p50']:>7.1f} "
                    f"{r['p90']:>7.1f} {r['p99']:>7.1f} {r['errors']:>6}  {split}"
                )
            if proc is not None:
                print(f"RSS after the run: {_memory(proc.pid)}")
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
