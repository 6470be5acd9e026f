"""Accuracy and speed of the alternatives, for the benchmark runner (``benchmarks/run.py``).

usage: python -m benchmarks.alternatives.measure keywords|minilm [--dev FOLDER] [--text FILE]
       [--min-seconds S]

Prints one JSON object: dev-set figures per element (``training.evaluate.element_table``) when
``--dev`` is given, throughput on ``--text`` (default: the 27 KB seed policy 004) in this
process, and load time, first prediction and peak memory in a fresh process.
The dev set is only scored here, never used to choose a rule or a threshold.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.speed import timed
from checker.registry import ELEMENT_IDS
from training.evaluate import element_table

NAMES = ("keywords", "minilm")
ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_TEXT = next(iter(sorted((ROOT / "data" / "seeds").glob("004_*.txt"))), None)


def _check_name(name: str) -> None:
    if name not in NAMES:
        raise ValueError(f"unknown alternative {name!r} (known: {', '.join(NAMES)})")


def _minilm() -> Any:
    from benchmarks.alternatives import minilm

    return minilm.load_or_train()  # raises RuntimeError without the transformer extra


def dev_scores(name: str, folder: Path) -> dict[str, Any]:
    """Run an alternative on every labeled policy in ``folder`` and score it per element."""
    _check_name(name)
    folder = Path(folder)
    labels = [
        json.loads(x)
        for x in (folder / "labels.jsonl").read_text("utf-8").splitlines()
        if x.strip()
    ]
    texts = [(folder / "texts" / f"{d['id']}.txt").read_text("utf-8") for d in labels]
    extra: dict[str, Any] = {}
    if name == "keywords":
        from benchmarks.alternatives import keywords

        t0 = time.perf_counter()
        preds = [keywords.predict(t) for t in texts]
        seconds = time.perf_counter() - t0
        probs = [{e: float(p[e]) for e in ELEMENT_IDS} for p in preds]
    else:
        model = _minilm()
        extra["training_data_sha256"] = model.info.get("training_data_sha256")
        extra["thresholds"] = model.thresholds
        t0 = time.perf_counter()
        probs = model.predict_proba_many(texts)
        seconds = time.perf_counter() - t0
        preds = [{e: p[e] >= model.thresholds[e] for e in ELEMENT_IDS} for p in probs]
    rows = [
        {
            "id": d["id"],
            "truth": d["labels"],
            "status": {e: "present" if pred[e] else "absent" for e in ELEMENT_IDS},
            "prob": prob,
        }
        for d, pred, prob in zip(labels, preds, probs, strict=True)
    ]
    by_language: dict[str, Any] = {}
    for lang in sorted({d.get("language", "?") for d in labels}):
        sub = [r for d, r in zip(labels, rows, strict=True) if d.get("language", "?") == lang]
        by_language[lang] = {"n": len(sub), "table": element_table(sub)}
    return {
        "table": element_table(rows),
        "seconds": round(seconds, 3),
        "n": len(rows),
        "by_language": by_language,
        **extra,
    }


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def throughput(name: str, text: str, min_seconds: float = 3.0) -> dict[str, Any]:
    """Policies per second and latency percentiles for one policy text, in this process.

    ``one_thread`` limits torch to one thread (per-core figure); ``default_threads`` keeps
    torch's default. The keyword checker is pure Python, so both are the same single core.
    """
    _check_name(name)
    out: dict[str, Any] = {"name": name, "text_bytes": len(text.encode("utf-8"))}
    if name == "keywords":
        from benchmarks.alternatives import keywords

        one = timed(lambda: keywords.predict(text), min_seconds)
        out.update(one_thread=one, default_threads=one, threads_default=1)
    else:
        from benchmarks.alternatives import minilm

        minilm.require()  # RuntimeError without the transformer extra
        import torch

        default = torch.get_num_threads()
        t0 = time.perf_counter()
        model = _minilm()
        # in this process: imports and file cache are warm if it loaded the model before;
        # fresh_process() gives the cold figure
        out["load_seconds_in_process"] = round(time.perf_counter() - t0, 3)
        out["encoder_load_seconds"] = model.info.get("load_seconds")
        out["training_data_sha256"] = model.info.get("training_data_sha256")
        out["threads_default"] = default
        try:
            torch.set_num_threads(1)
            out["one_thread"] = timed(lambda: model.predict(text), min_seconds)
        finally:
            torch.set_num_threads(default)
        out["default_threads"] = timed(lambda: model.predict(text), min_seconds)
    out["policies_per_s"] = out["one_thread"]["policies_per_s"]
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


_FRESH = """
import json, resource, sys, time
t0 = time.perf_counter()
name, path = sys.argv[1], sys.argv[2]
if name == "keywords":
    from benchmarks.alternatives import keywords as model
else:
    from benchmarks.alternatives import minilm
    model = minilm.load_or_train()
t1 = time.perf_counter()
model.predict(open(path, encoding="utf-8").read())
t2 = time.perf_counter()
# VmHWM: this process's own peak (ru_maxrss would carry the parent's peak over the fork)
status = open("/proc/self/status").read() if sys.platform == "linux" else ""
hwm = [int(x.split()[1]) for x in status.splitlines() if x.startswith("VmHWM:")]
rss = (hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
print(json.dumps({"load_seconds": t1 - t0, "first_predict_seconds": t2 - t1, "peak_rss_mb": rss}))
"""


def fresh_process(name: str, path: Path) -> dict[str, Any]:
    """Load (imports included) and one prediction in a new interpreter: cold-start figures.

    For minilm the classifiers must already be cached (``load_or_train`` trains otherwise).
    """
    _check_name(name)
    if name == "minilm":
        from benchmarks.alternatives import minilm

        minilm.require()
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _FRESH, name, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{name} in a fresh process failed: {proc.stderr.strip()[-500:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out = {k: round(v, 3) for k, v in out.items()}
    out["wall_seconds"] = round(wall, 3)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name", choices=NAMES)
    ap.add_argument("--dev", type=Path, default=None, help="labeled folder to score on")
    ap.add_argument("--text", type=Path, default=DEFAULT_TEXT, help="policy for throughput")
    ap.add_argument("--min-seconds", type=float, default=3.0)
    a = ap.parse_args(argv)
    result: dict[str, Any] = {"name": a.name}
    try:
        if a.dev is not None:
            result["dev"] = dev_scores(a.name, a.dev)
        if a.text is not None:
            result["throughput"] = throughput(
                a.name, a.text.read_text("utf-8"), min_seconds=a.min_seconds
            )
            result["fresh_process"] = fresh_process(a.name, a.text)
    except RuntimeError as e:
        print(f"measure: {a.name}: {e}", file=sys.stderr)
        return 2
    result["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
