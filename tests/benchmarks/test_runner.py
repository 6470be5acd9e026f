"""The benchmark runner reads its load generator right and reports targets honestly."""

from __future__ import annotations

import pytest

from benchmarks import run, speed

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/v1/check
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   138.01ms   20.00ms    1.20s    80.00%
    Req/Sec    28.00      5.00    40.00     70.00%
  Latency Distribution
     50%  138.01ms
     75%  150.00ms
     90%  168.80ms
     99%    1.20s
  556 requests in 10.00s, 1.23MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:     55.60
Transfer/sec:    125.00KB
"""


def test_wrk_output_is_parsed_with_units_and_every_kind_of_error():
    r = run._parse_wrk(WRK_OUTPUT)
    assert r == {
        "p50_ms": 138.01,
        "p90_ms": 168.8,
        "p99_ms": 1200.0,
        "requests": 556,
        "errors": 6,
        "rps": 55.6,
    }


def result(per_s: float, p99: float, per_kb: list[float]) -> dict:
    return {
        "library": {
            "warm_25kb": {"policies_per_s": per_s},
            "fresh_cli": {"median_s": 0.3},
            "linearity": [{"kb": 16 * 4**i, "ms_per_kb": v} for i, v in enumerate(per_kb)],
        },
        "api": {
            "runs": [{"workers": 2, "clients": 8, "p99_ms": p99}],
            "rss_mib": [{"workers": 2, "start": 100, "end": 120}],
        },
    }


def test_targets_say_met_or_by_how_much_missed():
    rows = {r[0]: r[1:] for r in run.targets(result(60.0, 100.0, [1.0, 1.1, 1.0]))}
    assert rows["warm library, 25 KB policy: >= 300 policies/s per core"] == (
        "60 policies/s",
        "no",
        "missed: 5.0x off",
    )
    assert rows["fresh `policycheck check one.txt`: <= 0.5 s wall"][1:] == ("yes", "met")
    assert rows["API p99 at 8 clients (2 worker(s)): <= 50 ms"][1:] == ("no", "missed: 2.0x off")
    assert rows["server resident memory (2 worker(s)): <= 200 MB"][1] == "yes"
    linear = rows["linear in length (ms per KB, 16 KB to 1 MB, within 1.5x)"]
    assert linear[1] == "yes"


def test_superlinear_time_fails_the_linearity_target():
    rows = {r[0]: r[1:] for r in run.targets(result(400.0, 10.0, [1.0, 2.0, 4.0]))}
    assert rows["linear in length (ms per KB, 16 KB to 1 MB, within 1.5x)"][1] == "no"
    assert rows["warm library, 25 KB policy: >= 300 policies/s per core"][1:] == ("yes", "met")


def test_generated_policies_have_the_asked_size_and_are_reproducible():
    text = speed.generated(25 * 1024)
    assert 25 * 1024 <= len(text.encode("utf-8")) < 25 * 1024 + 4000
    assert speed.generated(25 * 1024) == text
    assert speed.generated(25 * 1024, start=99) != text


def test_one_worker_holding_the_connections_is_called_out():
    r = {
        "api": {
            "runs": [
                {"workers": 2, "clients": 32, "p99_ms": 700.0, "connections_per_worker": [32]},
                {"workers": 2, "clients": 8, "p99_ms": 100.0, "connections_per_worker": [4, 4]},
            ]
        }
    }
    notes = run.explanations(r)
    assert len(notes) == 1
    assert "holds 32 of the 32 keep-alive connections" in notes[0]


def test_proportional_memory_counts_shared_pages_once():
    """PSS of a process is at most its RSS (shared pages are split between their users)."""
    import os

    from benchmarks.api_load import pss_mib, rss_mib

    pss = pss_mib(os.getpid())
    if pss is None:
        pytest.skip("no /proc/<pid>/smaps_rollup here")
    assert 0 < pss <= rss_mib(os.getpid()) + 1


STAGES = {
    "segments": 187,
    "feature_ids": 50_000,
    "native": True,
    "check": 4.0,
    "segment": 0.5,
    "language": 0.5,
    "features_all": 2.0,
    "tokens": 0.4,
    "words": 0.6,
    "cues": 0.3,
    "cue_block": 0.5,
    "headings": 0.05,
    "scores": 0.7,
    "rest": 0.8,
}


def test_stage_table_lists_every_stage_and_which_code_ran():
    lines = run.stage_table(STAGES)
    assert "C accelerators" in lines[0] and "187 segments" in lines[0]
    assert "| of which cue patterns | 0.3 |" in lines
    assert "| TF-IDF and logits | 0.7 |" in lines
    pure = run.stage_table({**STAGES, "native": False})
    assert "no C accelerators" in pure[0]


def test_missed_throughput_is_explained_by_its_largest_stages():
    r = {"library": {"warm_25kb": {"policies_per_s": 220.0}, "stages_25kb": STAGES}}
    (text,) = run.explanations(r)
    assert "a check of seed 004 takes 4.5 ms" in text
    # The three largest stages, largest first; the sum of the features is not a stage.
    assert text.endswith(
        "Largest stages: the rest: evidence, near-miss reasons, retention detail, report 0.8 ms, "
        "TF-IDF and logits 0.7 ms, segment and context blocks: hashing the words and n-grams "
        "0.6 ms."
    )
