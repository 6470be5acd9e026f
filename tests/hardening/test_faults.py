"""Faults: a missing, corrupt or tampered model; a worker that dies; a disk that fills up."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from checker import batch, engine
from checker.cli import main
from checker.errors import ModelError
from checker.model import ARTIFACT_NAME, MANIFEST_NAME, load, sha256_file
from tests.api.helpers import assert_problem
from tests.conftest import ROOT, SEEDS

SAMPLE = ROOT / "examples" / "privacy-policy.md"
POLICY = "We keep your data for two years after your account is closed. " * 3


def _set_manifest(model: Path, **changes: object) -> None:
    manifest = json.loads((model / MANIFEST_NAME).read_text("utf-8"))
    manifest.update(changes)
    (model / MANIFEST_NAME).write_text(json.dumps(manifest), "utf-8")


def missing_dir(model: Path) -> None:
    shutil.rmtree(model)


def missing_artifact(model: Path) -> None:
    (model / ARTIFACT_NAME).unlink()


def corrupt_artifact(model: Path) -> None:
    """Garbage whose hash the manifest records: it passes the hash, not the reading."""
    (model / ARTIFACT_NAME).write_bytes(b"PK\x03\x04 not really a zip")
    _set_manifest(model, sha256=sha256_file(model / ARTIFACT_NAME))


def tampered_artifact(model: Path) -> None:
    artifact = model / ARTIFACT_NAME
    artifact.write_bytes(artifact.read_bytes() + b"\0")


def corrupt_manifest(model: Path) -> None:
    (model / MANIFEST_NAME).write_bytes(b'{"format_version": 2, "sha2')


FAULTS = {
    "missing-dir": (missing_dir, "no model manifest at"),
    "missing-artifact": (missing_artifact, "is missing"),
    "corrupt-artifact": (corrupt_artifact, "is not a zip file"),
    "tampered-artifact": (tampered_artifact, "refusing to load a tampered model"),
    "corrupt-manifest": (corrupt_manifest, "is unreadable"),
}


@pytest.fixture(params=list(FAULTS), ids=list(FAULTS))
def broken_model(request, tiny_model_dir, tmp_path) -> tuple[Path, str]:
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    fault, message = FAULTS[request.param]
    fault(model)
    return model, message


def test_library_refuses_the_model_with_a_model_error(broken_model):
    model, message = broken_model
    with pytest.raises(ModelError, match=re.escape(message) if message else None):
        load(model)


def test_server_stays_alive_but_not_ready(broken_model):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    model, message = broken_model
    with TestClient(create_app(Settings(model_dir=model))) as c:
        assert c.get("/healthz").json() == {"status": "ok"}
        body = assert_problem(c.get("/readyz"), 503, "model-unavailable", message)
        assert str(model) not in body["detail"]  # no server paths in answers
        assert_problem(c.post("/v1/check", json={"text": POLICY}), 503, "model-unavailable")


def test_cli_check_and_batch_exit_2_with_one_line(broken_model, capsys, tmp_path):
    model, message = broken_model
    code = main(["check", str(SAMPLE), "--model", str(model)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("policycheck: ") and message in err and err.count("\n") == 1
    out_file = tmp_path / "out.jsonl"
    code = main(["batch", str(SAMPLE), "--out", str(out_file), "--model", str(model)])
    out, err = capsys.readouterr()
    assert code == 2 and message in err and err.count("\n") == 1
    assert not out_file.exists()


def test_a_pickle_in_the_artifact_is_never_unpickled(tiny_model_dir, tmp_path):
    """Even with a matching hash (an attacker who can write the manifest too), the artifact is
    read with allow_pickle=False: an object array is refused and its payload never runs."""
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    with np.load(model / ARTIFACT_NAME) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["idf"] = np.array([Payload()], dtype=object)
    with (model / ARTIFACT_NAME).open("wb") as f:
        np.savez(f, **arrays)
    _set_manifest(model, sha256=sha256_file(model / ARTIFACT_NAME))
    with pytest.raises(ModelError, match="is unreadable"):
        load(model)
    assert not marker.exists()


def test_the_hash_is_checked_before_the_artifact_is_opened(tiny_model_dir, tmp_path, monkeypatch):
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    tampered_artifact(model)
    opened = []
    monkeypatch.setattr(np, "load", lambda *a, **k: opened.append(a))
    with pytest.raises(ModelError, match="tampered"):
        load(model)
    assert opened == []


# --- a worker that dies ------------------------------------------------------------------------

KILL = "KILL-THIS-WORKER"


@pytest.fixture
def killer(monkeypatch):
    """Documents containing KILL make the worker checking them die by SIGKILL (forked workers
    inherit the patch)."""
    real = engine.check

    def check(text, **options):
        if KILL in text:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(text, **options)

    monkeypatch.setattr(engine, "check", check)
    monkeypatch.setattr(batch, "_mp_context", lambda: multiprocessing.get_context("fork"))


def test_a_killed_worker_fails_its_document_and_the_batch_goes_on(killer, tiny_model):
    docs = [POLICY + f" Policy {i}." for i in range(12)]
    docs[3] = docs[9] = KILL
    results = list(batch.check_many(docs, model=tiny_model, n_jobs=2, chunksize=2))
    assert len(results) == 12
    crashed = [i for i, r in enumerate(results) if isinstance(r, batch.Failed)]
    assert crashed == [3, 9]
    assert results[3].error_type == "crash"
    assert results[3].message.startswith("the worker process checking this document died")
    assert all(r.source is None for r in results)


def test_cli_batch_with_a_killed_worker_exits_0_and_a_rerun_resumes(killer, tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(6):
        (corpus / f"p{i}.txt").write_text(POLICY + f" Policy {i}.", "utf-8")
    (corpus / "p2.txt").write_text(KILL, "utf-8")
    out = tmp_path / "out.jsonl"
    args = ["batch", str(corpus), "--out", str(out), "--jobs", "2", "--no-progress"]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("6 documents, 1 failed, ")
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["source"] for r in rows] == [str(corpus / f"p{i}.txt") for i in range(6)]
    assert rows[2]["error"]["type"] == "crash"
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("0 documents, 0 failed, 6 skipped (already done)")


def test_workers_that_keep_dying_stop_the_batch_with_a_clear_error(killer, tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(8):
        (corpus / f"p{i}.txt").write_text(KILL, "utf-8")
    out = tmp_path / "out.jsonl"
    code = main(["batch", str(corpus), "--out", str(out), "--jobs", "2", "--no-progress"])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1
    assert "worker processes keep dying (5 documents in a row" in err
    assert "rerun the same command to resume" in err


# --- a disk that fills up ----------------------------------------------------------------------

FSIZE = """
import resource, sys
from checker.cli import main
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
sys.exit(main(sys.argv[2:]))
"""


def batch_with_file_limit(limit: int, *args: str) -> subprocess.CompletedProcess[str]:
    """``policycheck batch`` in a process that may not write files over ``limit`` bytes (the
    kernel answers EFBIG, as it answers ENOSPC on a full disk)."""
    return subprocess.run(
        [sys.executable, "-c", FSIZE, str(limit), "batch", *args, "--no-progress", "--jobs", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


@pytest.mark.parametrize("name", ["out.jsonl", "out.parquet"])
def test_a_full_disk_is_one_clear_error_and_nothing_written_is_lost(tmp_path, name):
    pytest.importorskip("pyarrow")
    out = tmp_path / name
    failed = batch_with_file_limit(6000, str(SEEDS), "--out", str(out), "--part-size", "2")
    assert failed.returncode == 2 and failed.stdout == ""
    assert failed.stderr.startswith(f"policycheck: cannot write {out}: ")
    assert "File too large" in failed.stderr
    assert "the results saved before it are kept" in failed.stderr
    assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr
    if name.endswith(".jsonl"):
        lines = out.read_bytes().split(b"\n")
        whole = [json.loads(line) for line in lines[:-1]]  # every whole line is a record
        assert whole and all("source" in r for r in whole)
    rerun = batch_with_file_limit(1 << 30, str(SEEDS), "--out", str(out), "--part-size", "2")
    assert rerun.returncode == 0, rerun.stderr
    if name.endswith(".jsonl"):
        sources = [json.loads(line)["source"] for line in out.read_text("utf-8").splitlines()]
    else:
        import pyarrow.parquet as pq

        sources = pq.read_table(out).column("source").to_pylist()
    assert sorted(sources) == sorted(str(p) for p in SEEDS.glob("*.txt"))  # each exactly once


def test_no_space_left_while_writing_parts_keeps_the_parts_written(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out.csv"
    real = batch._PartsWriter._write_rows
    calls = []

    def write_rows(self, path, rows):
        calls.append(path)
        if len(calls) >= 2:  # the disk stays full
            path.write_text("partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, path, rows)

    monkeypatch.setattr(batch._PartsWriter, "_write_rows", write_rows)
    args = ["batch", str(SEEDS), "--out", str(out), "--part-size", "2", "--no-progress"]
    assert main([*args, "--jobs", "1"]) == 2
    _, err = capsys.readouterr()
    assert err == (
        f"policycheck: cannot write {out}: No space left on device; the results saved before "
        "it are kept (3 documents checked in this run); free some space and rerun the same "
        "command to resume\n"
    )
    parts = sorted(p.name for p in (tmp_path / "out.csv.parts").iterdir())
    assert parts == ["part-000001.csv"]  # whole; the half-written one is gone
    monkeypatch.setattr(batch._PartsWriter, "_write_rows", real)
    assert main([*args, "--jobs", "1"]) == 0
    assert capsys.readouterr().out.startswith("3 documents, 0 failed, 2 skipped")
    assert len(out.read_text("utf-8").splitlines()) == 1 + 5


def test_an_output_inside_a_file_is_refused_before_any_work(tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    code = main(["batch", str(SEEDS), "--out", str(blocker / "out.jsonl"), "--no-progress"])
    _, err = capsys.readouterr()
    assert code == 2 and err == (
        f"policycheck: cannot write {blocker / 'out.jsonl'}: folder {blocker} does not exist\n"
    )
