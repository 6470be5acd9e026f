"""Speed and memory of the checker as a library and as a fresh `policycheck check`.

usage: python -m benchmarks.speed [--seconds S] [--cli-runs N] [--quick]

Prints one JSON object:
- ``warm_25kb``: the 27 KB seed policy 004 checked over and over in one warm process (one core);
- ``warm_25kb_pure_python``: the same without the C accelerators (an install with no compiler);
- ``warm_100kb``: a 100 KB policy built from the team's own policies, likewise;
- ``distinct_25kb``: 300 different generated ~25 KB policies, each checked once, starting from a
  freshly loaded model (its word caches empty): the figure for a batch of new policies;
- ``stages_25kb``: the time of each stage of one check of seed 004 (what dominates);
- ``linearity``: time for one policy of 1 KB to 1 MB (milliseconds per KB should stay flat);
- ``fresh_cli``: wall time and peak memory of `policycheck check FILE` in a new process;
- ``peak_rss_mb`` of this process, and the model's size on disk.
Generated policies come from ``benchmarks.batch_bench.make_document`` (the team's own texts).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = next((ROOT / "data" / "seeds").glob("004_*.txt"))
SIZES_KB = (1, 4, 16, 64, 256, 1024)


def generated(size: int, start: int = 0) -> str:
    """A policy of about ``size`` bytes (whole paragraphs) from generated documents."""
    from benchmarks.batch_bench import make_document

    parts: list[str] = []
    total, i = 0, start
    while total < size:
        for para in make_document(i)[1].split("\n\n"):
            if total >= size:
                break
            parts.append(para)
            total += len(para.encode("utf-8")) + 2
        i += 1
    return "\n\n".join(parts)


def timed(fn: Callable[[], object], seconds: float, min_runs: int = 5) -> dict[str, float]:
    """Policies per second and latency percentiles of ``fn`` after one warm-up call."""
    fn()
    times: list[float] = []
    began = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - began < seconds:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {
        "runs": len(times),
        "policies_per_s": round(len(times) / sum(times), 1),
        "p50_ms": round(1000 * cuts[49], 2),
        "p95_ms": round(1000 * cuts[94], 2),
        "p99_ms": round(1000 * cuts[98], 2),
    }


def warm(text: str, seconds: float) -> dict[str, float]:
    from checker import check
    from checker.model import load_cached

    model = load_cached(None)
    return {"bytes": len(text.encode("utf-8")), **timed(lambda: check(text, model=model), seconds)}


def stages(text: str, seconds: float) -> dict[str, Any]:
    """Where one check's time goes (p50 ms of each stage alone, warm): what dominates. The
    stages are the ones the checker runs here: with the C accelerators when they are built."""
    from checker import features
    from checker.engine import check_document
    from checker.features import document_cues, word_layout
    from checker.language import detect_language
    from checker.model import load_cached
    from checker.segment import segment

    model = load_cached(None)
    doc = segment(text)
    n = len(doc.segments)
    model.document_logits(doc)
    indexer = model._indexer
    assert indexer is not None
    rows, ids = indexer.document(doc)
    cp = word_layout([s.text for s in doc.segments])
    fast = features.NATIVE

    def words() -> object:
        return indexer._words(cp, n) if fast is None else indexer._native_words(fast, cp, n)

    def p50(fn: Callable[[], object]) -> float:
        return timed(fn, seconds)["p50_ms"]

    out = {
        "check": p50(lambda: check_document(doc, model=model)),
        "segment": p50(lambda: segment(text)),
        "language": p50(lambda: detect_language(text)),
        "features_all": p50(lambda: indexer.document(doc)),
        "tokens": p50(lambda: word_layout([s.text for s in doc.segments])),
        "words": p50(words),
        "cues": p50(lambda: document_cues(doc)),
        "cue_block": p50(lambda: indexer._cue_block(doc)),
        "headings": p50(lambda: indexer._heading_block(doc.segments)),
        "scores": p50(lambda: model.scores(rows, ids, n)),
    }
    out["rest"] = round(
        max(0.0, out["check"] - out["language"] - out["features_all"] - out["scores"]), 2
    )
    return {"segments": n, "feature_ids": len(ids), "native": fast is not None, **out}


def pure_python(seconds: float) -> dict[str, Any]:
    """``warm`` of seed 004 without the C accelerators (``POLICYCHECK_PURE_PYTHON=1``): what an
    install without a C compiler gets."""
    code = (
        "import json, sys; from benchmarks.speed import SEED, warm; "
        "print(json.dumps(warm(SEED.read_text('utf-8'), float(sys.argv[1]))))"
    )
    env = {**os.environ, "POLICYCHECK_PURE_PYTHON": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(seconds)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return {"file": SEED.name, **json.loads(done.stdout)}


def distinct(n: int, size: int) -> dict[str, float]:
    """Each of ``n`` different policies checked once with a freshly loaded model."""
    from checker import check
    from checker.model import load

    texts = [generated(size, start=1000 + 7 * i) for i in range(n)]
    model = load(None)
    t0 = time.perf_counter()
    for text in texts:
        check(text, model=model)
    elapsed = time.perf_counter() - t0
    return {
        "policies": n,
        "mean_bytes": round(statistics.fmean(len(t.encode("utf-8")) for t in texts)),
        "policies_per_s": round(n / elapsed, 1),
    }


def linearity(seconds: float) -> list[dict[str, float]]:
    from checker import check
    from checker.model import load_cached

    model = load_cached(None)
    big = generated(max(SIZES_KB) * 1024)
    out = []
    for kb in SIZES_KB:
        text = big[: kb * 1024]
        r = timed(lambda t=text: check(t, model=model), seconds / len(SIZES_KB), min_runs=3)
        out.append({"kb": kb, "p50_ms": r["p50_ms"], "ms_per_kb": round(r["p50_ms"] / kb, 3)})
    return out


# The child reports its own high-water mark: ru_maxrss of a child also counts the parent's pages
# from before the exec, which would make the CLI look as big as this process.
_CLI = """
import atexit, sys
def report():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("VmHWM " + line.split()[1] + "\\n")
atexit.register(report)
from checker.cli import entry
sys.argv = ["policycheck", "check", sys.argv[1]]
entry()
"""


def fresh_cli(path: Path, runs: int) -> dict[str, float]:
    walls = []
    peak_kb = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _CLI, str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        walls.append(time.perf_counter() - t0)
        hwm = [int(x.split()[1]) for x in done.stderr.splitlines() if x.startswith("VmHWM ")]
        peak_kb = max([peak_kb, *hwm])
    return {
        "runs": runs,
        "median_s": round(statistics.median(walls), 3),
        "min_s": round(min(walls), 3),
        "peak_rss_mb": round(peak_kb / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="per throughput figure")
    ap.add_argument("--cli-runs", type=int, default=10)
    ap.add_argument("--distinct", type=int, default=300, help="different policies, once each")
    ap.add_argument("--quick", action="store_true", help="short runs, for a smoke test")
    a = ap.parse_args(argv)
    if a.quick:
        a.seconds, a.cli_runs, a.distinct = 0.3, 2, 5
    with tempfile.TemporaryDirectory() as tmp:
        hundred = Path(tmp) / "policy-100kb.txt"
        hundred.write_text(generated(100 * 1024), "utf-8")
        out = {
            "warm_25kb": {"file": SEED.name, **warm(SEED.read_text("utf-8"), a.seconds)},
            "warm_25kb_pure_python": pure_python(a.seconds),
            "warm_100kb": warm(hundred.read_text("utf-8"), a.seconds),
            "stages_25kb": stages(SEED.read_text("utf-8"), a.seconds / 5),
            "distinct_25kb": distinct(a.distinct, 25 * 1024),
            "linearity": linearity(a.seconds * 2),
            "fresh_cli": {"file": SEED.name, **fresh_cli(SEED, a.cli_runs)},
            "fresh_cli_100kb": fresh_cli(hundred, max(1, a.cli_runs // 2)),
        }
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["model_mb"] = round((ROOT / "models" / "policycheck.npz").stat().st_size / 1e6, 2)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
