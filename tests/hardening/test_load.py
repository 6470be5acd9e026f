"""A few seconds of benchmarks/load_test.py against a real server: no 5xx, every report for
its own request, slow clients cut off, memory reported."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_short_load_run_against_a_real_server():
    proc = subprocess.run(
        [sys.executable, "benchmarks/load_test.py", "--seconds", "5", "--clients", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    result = json.loads(proc.stdout)
    assert proc.returncode == 0, result["problems"]
    assert result["server_errors_5xx"] == 0 and result["unexpected_or_mismatched"] == 0
    assert result["by_status"]["200"] > 10
    assert {"400", "413", "415", "422"} & set(result["by_status"])
    assert result["slow_loris"]["connections"] >= 1
    assert result["slow_loris"]["cut_off_with_408"] == result["slow_loris"]["connections"]
    assert result["server_rss_mib"]["start"] > 0 and result["server_rss_mib"]["end"] > 0
