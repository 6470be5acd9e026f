"""Bounded load test of the HTTP API on 127.0.0.1: valid and invalid uploads, slow clients.

Starts ``policycheck serve`` on a free port of 127.0.0.1 (or uses ``--url``, which must be on
this machine), then runs ``--clients`` threads for ``--seconds`` (at most ``--max-requests``
requests), each sending a random mix of:

- valid policies as JSON, multipart uploads (text, HTML, Markdown, PDF, DOCX) and raw bodies,
  each carrying a unique reference sentence and source: the answer must be 200 and its report
  must be for that request (same ``source``; every evidence sentence a substring of the text
  sent), so reports mixed up between concurrent requests are caught;
- invalid ones with a known answer: a PNG (415), empty and binary bodies, unknown fields and
  element ids (422), malformed JSON (400), an oversized body (413), a DOCX archive bomb (413);

while one more thread opens slow-loris connections (headers, a few body bytes, then silence)
that must be cut off with 408 within the body timeout. The server's resident memory is read
from /proc at the start (after a warm-up) and the end. Prints one JSON object and exits 1 when
any answer was a 5xx, unexpected, mismatched, or a slow client was not cut off.

    python benchmarks/load_test.py                  # 3 minutes, 8 clients
    python benchmarks/load_test.py --seconds 10 --clients 4
"""

from __future__ import annotations

import argparse
import io
import json
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks import api_load  # noqa: E402 (needs the path above)
from benchmarks.api_load import LOCAL_HOSTS, rss_mib  # noqa: E402

MAX_UPLOAD = 200_000  # the server's document limit during the test, so 413s are cheap to send
BODY_TIMEOUT = 3.0
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SEED = next((ROOT / "data" / "seeds").glob("004_*.txt")).read_text("utf-8")


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    return api_load.start_server(
        settings={
            "POLICYCHECK_MAX_UPLOAD_BYTES": str(MAX_UPLOAD),
            "POLICYCHECK_BODY_TIMEOUT": str(BODY_TIMEOUT),
        }
    )


# --- requests ------------------------------------------------------------------------------


def policy(ref: str) -> str:
    """A different policy each time: seed paragraphs shuffled, plus a unique sentence."""
    paragraphs = [p for p in SEED.split("\n\n") if p.strip()]
    random.shuffle(paragraphs)
    keep = paragraphs[: random.randint(3, 12)]
    keep.insert(
        random.randint(0, len(keep)), f"Records under reference {ref} are kept for 3 years."
    )
    return "\n\n".join(keep)


def make_docx(text: str) -> bytes:
    from tests.api.documents import make_docx

    return make_docx(text)


def make_pdf(text: str) -> bytes:
    from tests.api.documents import make_pdf

    return make_pdf(text.encode("cp1252", "replace").decode("cp1252"))


def docx_bomb() -> bytes:
    out = io.BytesIO(make_docx("A policy."))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/bomb.bin", bytes(8 << 20))
    return out.getvalue()


BOMB = docx_bomb()


def valid(client: httpx.Client, url: str) -> tuple[str, int, str | None]:
    """(kind, status, mismatch or None)."""
    ref = uuid.uuid4().hex
    text = policy(ref)
    kind = random.choice(["json", "json", "txt", "html", "md", "raw", "pdf", "docx"])
    if kind == "json":
        r = client.post(f"{url}/v1/check", json={"text": text, "source": ref})
        source = ref
    elif kind == "raw":
        r = client.post(
            f"{url}/v1/check", content=text.encode(), headers={"content-type": "text/plain"}
        )
        source = None
    else:
        body: bytes
        if kind == "html":
            body = "".join(f"<p>{p}</p>" for p in text.split("\n\n")).encode()
        elif kind == "pdf":
            body = make_pdf(text)
        elif kind == "docx":
            body = make_docx(text)
        else:
            body = text.encode()
        source = f"{ref}.{kind}"
        r = client.post(f"{url}/v1/check", files={"file": (source, body)})
    if r.status_code != 200:
        return kind, r.status_code, None
    report = r.json()
    if report.get("source") != source:
        return kind, 200, f"source {report.get('source')!r} for a request sent as {source!r}"
    flat = " ".join(text.split())
    for element in report["elements"]:
        for ev in element["evidence"] + element["near_misses"]:
            if " ".join(ev["text"].split()) not in flat:
                return kind, 200, f"evidence not from this request ({ref})"
    return kind, 200, None


INVALID: list[tuple[str, int, Any]] = [
    ("png", 415, lambda c, u: c.post(f"{u}/v1/check", content=b"\x89PNG\r\n\x1a\n" + bytes(64),
                                    headers={"content-type": "image/png"})),
    ("empty", 422, lambda c, u: c.post(f"{u}/v1/check", content=b"", headers={"content-type": "text/plain"})),
    ("binary", 422, lambda c, u: c.post(f"{u}/v1/check", files={"file": ("a.bin", bytes(range(256)) * 8)})),
    ("unknown-field", 422, lambda c, u: c.post(f"{u}/v1/check", json={"text": "x", "colour": 1})),
    ("unknown-element", 422, lambda c, u: c.post(f"{u}/v1/check", json={"text": "x", "require": ["nope"]})),
    ("malformed-json", 400, lambda c, u: c.post(f"{u}/v1/check", content=b'{"text": ',
                                               headers={"content-type": "application/json"})),
    ("oversized", 413, lambda c, u: c.post(f"{u}/v1/check", content=b"a" * (3 * MAX_UPLOAD),
                                          headers={"content-type": "text/plain"})),
    ("docx-bomb", 413, lambda c, u: c.post(f"{u}/v1/check", content=BOMB, headers={"content-type": DOCX})),
    ("damaged-pdf", 422, lambda c, u: c.post(f"{u}/v1/check", content=b"%PDF-1.7\n1 0 obj <<",
                                            headers={"content-type": "application/pdf"})),
]  # fmt: skip


def slow_loris(url: str) -> tuple[bool, float]:
    """Send headers and a few body bytes, then nothing: (cut off with 408, seconds)."""
    parsed = urlparse(url)
    started = time.perf_counter()
    with socket.create_connection((parsed.hostname, parsed.port), timeout=BODY_TIMEOUT + 10) as s:
        s.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                  b"Content-Length: 100000\r\n\r\nWe keep ")  # fmt: skip
        answer = b""
        try:
            while chunk := s.recv(4096):
                answer += chunk
        except OSError:
            pass
    return answer.startswith(b"HTTP/1.1 408"), time.perf_counter() - started


# --- the run -------------------------------------------------------------------------------


def run(
    url: str, clients: int, seconds: float, max_requests: int, pid: int | None
) -> dict[str, Any]:
    lock = threading.Lock()
    statuses: Counter[str] = Counter()
    latencies: dict[str, list[float]] = {"valid": [], "invalid": []}
    problems: list[str] = []
    counted = 0
    stop_at = time.monotonic() + seconds
    slow: list[tuple[bool, float]] = []

    def worker(seed: int) -> None:
        nonlocal counted
        rnd = random.Random(seed)
        with httpx.Client(timeout=60) as c:
            while time.monotonic() < stop_at:
                with lock:
                    if counted >= max_requests:
                        return
                    counted += 1
                started = time.perf_counter()
                try:
                    if rnd.random() < 0.7:
                        kind, status, mismatch = valid(c, url)
                        expected, group = 200, "valid"
                    else:
                        kind, expected, send = rnd.choice(INVALID)
                        status, mismatch, group = send(c, url).status_code, None, "invalid"
                except httpx.HTTPError as e:
                    with lock:
                        statuses["transport-error"] += 1
                        problems.append(f"{type(e).__name__}: {e}")
                    continue
                elapsed = time.perf_counter() - started
                with lock:
                    statuses[str(status)] += 1
                    latencies[group].append(elapsed)
                    if status != expected:
                        problems.append(f"{kind}: {status}, expected {expected}")
                    if mismatch:
                        problems.append(f"{kind}: {mismatch}")

    samples: list[float] = []

    def sampler() -> None:  # resident memory every 15 s: flat, or growing without bound?
        while time.monotonic() < stop_at:
            if pid:
                samples.append(rss_mib(pid))
            time.sleep(min(15.0, max(0.0, stop_at - time.monotonic())))

    def loris() -> None:
        while time.monotonic() < stop_at - BODY_TIMEOUT - 1:
            slow.append(slow_loris(url))
            time.sleep(1)

    with httpx.Client(timeout=60) as c:  # warm up: model, fork server, first PDF and DOCX
        for _ in range(3):
            valid(c, url)
        c.post(f"{url}/v1/check", files={"file": ("w.pdf", make_pdf(policy("warm")))})
        c.post(f"{url}/v1/check", files={"file": ("w.docx", make_docx(policy("warm")))})
    rss_start = rss_mib(pid) if pid else None
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    threads += [threading.Thread(target=loris), threading.Thread(target=sampler)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration = time.perf_counter() - started
    rss_end = rss_mib(pid) if pid else None

    def pct(values: list[float], q: float) -> float | None:
        if len(values) < 2:
            return round(values[0] * 1000, 1) if values else None
        return round(statistics.quantiles(values, n=100)[q - 1] * 1000, 1)

    every = latencies["valid"] + latencies["invalid"]
    server_errors = sum(n for s, n in statuses.items() if s.startswith("5"))
    not_cut = [t for ok, t in slow if not ok]
    return {
        "url": url,
        "clients": clients,
        "seconds": round(duration, 1),
        "requests": sum(statuses.values()),
        "requests_per_second": round(sum(statuses.values()) / duration, 1),
        "by_status": dict(sorted(statuses.items())),
        "server_errors_5xx": server_errors,
        "unexpected_or_mismatched": len(problems),
        "problems": problems[:20],
        "latency_ms": {
            "p50": pct(every, 50),
            "p99": pct(every, 99),
            "valid_p50": pct(latencies["valid"], 50),
            "valid_p99": pct(latencies["valid"], 99),
        },
        "slow_loris": {
            "connections": len(slow),
            "cut_off_with_408": len(slow) - len(not_cut),
            "max_seconds": round(max((t for _, t in slow), default=0), 2),
        },
        "server_rss_mib": {"start": rss_start, "end": rss_end, "every_15s": samples},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=180)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--max-requests", type=int, default=100_000)
    p.add_argument("--url", help="a running server on this machine (default: start one)")
    a = p.parse_args(argv)
    proc = None
    if a.url:
        if urlparse(a.url).hostname not in LOCAL_HOSTS:
            raise SystemExit("--url must be on this machine (127.0.0.1 or localhost)")
        url, pid = a.url.rstrip("/"), None
    else:
        proc, url = start_server()
        pid = proc.pid
    try:
        result = run(url, a.clients, a.seconds, a.max_requests, pid)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=15)
    print(json.dumps(result, indent=2))
    slow = result["slow_loris"]
    failed = (
        result["server_errors_5xx"]
        or result["unexpected_or_mismatched"]
        or slow["cut_off_with_408"] != slow["connections"]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
