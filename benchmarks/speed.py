"""Speed and memory of the checker: warm library throughput and a fresh `policycheck check`.

usage: python benchmarks/speed.py [FILE] [--repeat N]
Defaults to the largest seed policy (data/seeds/004_*.txt, 27 KB). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fresh_cli(path: Path, runs: int) -> dict[str, float]:
    walls = []
    peak_kb = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "checker", "check", str(path)],
            stdout=subprocess.DEVNULL,
            check=False,
        )
        walls.append(time.perf_counter() - t0)
        peak_kb = max(peak_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {
        "median_s": round(statistics.median(walls), 3),
        "min_s": round(min(walls), 3),
        "peak_rss_mb": round(peak_kb / 1024, 1),
    }


def warm(path: Path, repeat: int) -> dict[str, float]:
    from checker import check
    from checker.model import load_cached

    text = path.read_text("utf-8")
    model = load_cached(None)
    check(text, model=model)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        check(text, model=model)
        times.append(time.perf_counter() - t0)
    times.sort()
    return {
        "policies_per_s": round(repeat / sum(times), 1),
        "p50_ms": round(1000 * times[len(times) // 2], 2),
        "p95_ms": round(1000 * times[int(len(times) * 0.95) - 1], 2),
        "p99_ms": round(1000 * times[int(len(times) * 0.99) - 1], 2),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "file", nargs="?", type=Path, default=next((ROOT / "data" / "seeds").glob("004_*.txt"))
    )
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--cli-runs", type=int, default=5)
    a = ap.parse_args()
    out = {
        "file": a.file.name,
        "bytes": a.file.stat().st_size,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "warm_library": warm(a.file, a.repeat),
        "fresh_cli": fresh_cli(a.file, a.cli_runs),
        "model_mb": round((ROOT / "models" / "policycheck.npz").stat().st_size / 1e6, 2),
    }
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
