"""Batch throughput and memory: policies per second and peak memory over a long run.

usage: python benchmarks/batch_bench.py [--n 10000] [--modes local1,local2,dask,dask-graph,cli]
       [--out FILE.json]

The corpus is generated, never read from elsewhere: each document is one or two of the team's
own policies (the five seeds, examples/privacy-policy.md and the authored policies in
data/labels/authored/*_policies.jsonl, rebuilt from their segments) with sections shuffled,
dropped and concatenated, deterministically from the document's number. Documents are made
lazily, so the input itself takes no memory.

Modes: local1 / local2 (check_many with 1 and 2 processes), dask (check_many streamed to a
LocalCluster of 2 worker processes, 1 thread each), dask-graph (check_dask on a bag whose
partitions generate their own documents, written as Parquet partitions), cli (`policycheck
batch` on a JSONL list of the corpus, --jobs 2, Parquet output). Memory is the resident set of
the whole process tree (this process, its workers, the Dask scheduler and nannies), sampled
every 0.1 s; `rss_mb_at` shows it after 10 %, 50 % and 100 % of the documents, to show it stays
flat. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def base_policies() -> tuple[str, ...]:
    texts = [p.read_text("utf-8") for p in sorted((ROOT / "data" / "seeds").glob("*.txt"))]
    texts.append((ROOT / "examples" / "privacy-policy.md").read_text("utf-8"))
    groups: dict[str, list[str]] = {}
    for f in sorted((ROOT / "data" / "labels" / "authored").glob("*_policies.jsonl")):
        for line in f.read_text("utf-8").splitlines():
            r = json.loads(line)
            text = f"## {r['text']}" if r.get("kind") == "heading" else r["text"]
            groups.setdefault(r["group"], []).append(text)
    texts += ["\n\n".join(parts) for parts in groups.values()]
    return tuple(texts)


def make_document(i: int) -> tuple[str, str]:
    """Document number ``i``: (source, text), always the same for the same ``i``."""
    rng = random.Random(i)
    base = base_policies()
    paras = [p for p in rng.choice(base).split("\n\n") if p.strip()]
    if rng.random() < 0.3:  # append part of another policy
        other = [p for p in rng.choice(base).split("\n\n") if p.strip()]
        paras += other[: rng.randint(1, max(1, len(other) // 2))]
    kept = [p for p in paras if rng.random() > 0.15] or paras[:1]
    if rng.random() < 0.5:  # move a block of sections
        k = rng.randint(0, len(kept) - 1)
        block = kept[k : k + rng.randint(1, 4)]
        del kept[k : k + len(block)]
        kept[rng.randint(0, len(kept)) : 0] = block
    kept.insert(0, f"Last updated: {rng.randint(1, 28)} March 20{rng.randint(18, 26)}")
    return f"doc-{i:07d}", "\n\n".join(kept)


def documents(n: int):
    for i in range(n):
        yield make_document(i)


class TreeMemory:
    """Peak resident memory of a process (this one by default) and all its descendants."""

    def __init__(self, pid: int | None = None, interval: float = 0.1) -> None:
        import psutil

        self.me = psutil.Process(pid)
        self.peak = 0
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> int:
        total = 0
        with contextlib.suppress(Exception):  # the process, or one of its children, ended
            for p in [self.me, *self.me.children(recursive=True)]:
                with contextlib.suppress(Exception):
                    total += p.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.now())
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.now())


def mb(n: int) -> float:
    return round(n / 2**20, 1)


def stream(n: int, **kwargs) -> dict:
    from checker.batch import Failed, Item, check_many

    items = (Item(source=s, text=t) for s, t in documents(n))
    marks = {max(1, n // 10): "10%", max(1, n // 2): "50%", n: "100%"}
    at: dict[str, float] = {}
    failed = 0
    with TreeMemory() as mem:
        t0 = time.perf_counter()
        for k, r in enumerate(check_many(items, **kwargs), 1):
            failed += isinstance(r, Failed)
            if k in marks:
                at[marks[k]] = mb(mem.now())
        elapsed = time.perf_counter() - t0
    return {
        "documents": n,
        "failed": failed,
        "elapsed_s": round(elapsed, 1),
        "policies_per_s": round(n / elapsed, 1),
        "peak_rss_mb": mb(mem.peak),
        "rss_mb_at": at,
    }


def local(n: int, jobs: int) -> dict:
    from checker.model import load_cached

    load_cached(None)  # warm: time the batch, not the first model load
    return stream(n, n_jobs=jobs)


def dask_stream(n: int) -> dict:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        return stream(n, client=client)


def _generate(indices: list[int]) -> list[dict]:
    return [{"source": s, "text": t} for s, t in map(make_document, indices)]


def dask_graph(n: int) -> dict:
    import dask.bag as db
    from distributed import Client, LocalCluster

    from checker.batch import check_dask

    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
        tempfile.TemporaryDirectory() as tmp,
    ):
        client.upload_file(__file__)  # workers generate the documents of their partitions
        size = 250
        bag = db.from_sequence(
            [list(range(i, min(n, i + size))) for i in range(0, n, size)], partition_size=1
        ).map_partitions(lambda chunks: [d for c in chunks for d in _generate(c)])
        with TreeMemory() as mem:
            t0 = time.perf_counter()
            summary = check_dask(bag, out=Path(tmp) / "results")
            elapsed = time.perf_counter() - t0
        parts = len(list((Path(tmp) / "results").glob("*.parquet")))
    return {
        "documents": summary.documents,
        "failed": summary.failed,
        "parquet_partitions": parts,
        "elapsed_s": round(elapsed, 1),
        "policies_per_s": round(summary.documents / elapsed, 1),
        "peak_rss_mb": mb(mem.peak),
        "note": "includes generating the documents on the workers",
    }


def cli(n: int, jobs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "corpus.jsonl"
        with listing.open("w", encoding="utf-8") as f:
            for s, t in documents(n):
                f.write(json.dumps({"source": s, "text": t}, ensure_ascii=False) + "\n")
        out = Path(tmp) / "results.parquet"
        exe = Path(sys.executable).with_name("policycheck")
        cmd = [str(exe), "batch", str(listing), "--out", str(out), "--jobs", str(jobs)]
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [*cmd, "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        with TreeMemory(proc.pid) as mem:  # the command and its workers, not this process
            stdout, stderr = proc.communicate()
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            return {"exit_code": proc.returncode, "stderr": stderr.strip()[-500:]}
        return {
            "command": " ".join(["policycheck", *cmd[1:3], "--out", "results.parquet", *cmd[5:]]),
            "exit_code": proc.returncode,
            "summary": stdout.strip(),
            "input_mb": mb(listing.stat().st_size),
            "output_mb": mb(out.stat().st_size) if out.exists() else None,
            "elapsed_s": round(elapsed, 1),
            "policies_per_s": round(n / elapsed, 1),
            "peak_rss_mb": mb(mem.peak),
            "note": "wall time of the whole command, model load and merge included",
        }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--modes", default="local1,local2,dask,dask-graph,cli")
    ap.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    a = ap.parse_args()
    sizes = [len(make_document(i)[1].encode()) for i in range(min(a.n, 500))]
    result: dict = {
        "documents": a.n,
        "mean_document_kb": round(sum(sizes) / len(sizes) / 1024, 1),
        "base_policies": len(base_policies()),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    runners = {
        "local1": lambda: local(a.n, 1),
        "local2": lambda: local(a.n, 2),
        "dask": lambda: dask_stream(a.n),
        "dask-graph": lambda: dask_graph(a.n),
        "cli": lambda: cli(a.n, 2),
    }
    for mode in a.modes.split(","):
        load_before = os.getloadavg()[0]
        result[mode] = runners[mode]()
        # other work on the machine skews the figures: say how busy it was
        result[mode]["load_average_1min"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
        print(json.dumps({mode: result[mode]}), file=sys.stderr, flush=True)
    text = json.dumps(result, indent=1)
    print(text)
    if a.out:
        a.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
