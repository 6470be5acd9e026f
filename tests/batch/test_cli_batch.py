"""policycheck batch: inputs, outputs, resuming, the summary line and the exit codes."""

from __future__ import annotations

import csv
import json
import re
import shutil

import pytest

from checker import batch
from checker.cli import main
from checker.frames import COLUMN_NAMES
from tests.conftest import ROOT, SEEDS

SAMPLE = ROOT / "examples" / "privacy-policy.md"
SUMMARY = re.compile(
    r"^(\d+) documents, (\d+) failed(?:, (\d+) skipped \(already done\))?, [\d.]+ s, "
    r"[\d.]+ policies/s -> (.+)$"
)


def run(capsys, *args):
    code = main(["batch", *map(str, args), "--no-progress"])
    out, err = capsys.readouterr()
    return code, out, err


def summary(out: str) -> tuple[int, int, int]:
    m = SUMMARY.match(out.strip())
    assert m, out
    return int(m[1]), int(m[2]), int(m[3] or 0)


@pytest.fixture
def corpus(tmp_path):
    """Five seeds, the sample, a hidden file (skipped) and one unreadable document."""
    folder = tmp_path / "policies"
    shutil.copytree(SEEDS, folder / "seeds")
    shutil.copy(SAMPLE, folder / "sample.md")
    (folder / ".DS_Store").write_bytes(b"\0\0")
    (folder / "scan.txt").write_bytes(b"%PDF-1.7\n" + bytes(200))
    return folder


def rows(out):
    if out.suffix == ".jsonl":
        return [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    if out.suffix == ".csv":
        with out.open(newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    pq = pytest.importorskip("pyarrow.parquet")
    return pq.read_table(out).to_pylist()


@pytest.mark.parametrize("name", ["out.jsonl", "out.csv", "out.parquet"])
def test_folder_to_each_format_exits_0_with_failures_counted(capsys, corpus, tmp_path, name):
    out = tmp_path / name
    code, stdout, err = run(capsys, corpus, "--out", out, "--jobs", "1")
    assert code == 0 and err == ""
    assert summary(stdout) == (7, 1, 0)
    assert stdout.strip().endswith(f"-> {out}")
    got = rows(out)
    assert len(got) == 7
    sources = [r["source"] for r in got]
    assert sources == sorted(sources)  # folders are read in sorted order, recursively
    failed = [r for r in got if (r.get("error") or r.get("error_type"))]
    assert len(failed) == 1 and failed[0]["source"].endswith("scan.txt")
    reason = failed[0]["error"]["message"] if "error" in failed[0] else failed[0]["error_message"]
    assert "PDF" in reason
    if name != "out.jsonl":
        assert list(got[0]) == list(COLUMN_NAMES)
        assert not (tmp_path / (name + ".parts")).exists()  # merged and cleaned up


def test_jsonl_output_lines_are_full_reports(capsys, corpus, tmp_path):
    out = tmp_path / "out.jsonl"
    run(capsys, corpus / "sample.md", "--out", out)
    (report,) = rows(out)
    assert report["source"] == str(corpus / "sample.md")
    assert report["summary"]["failing"] == ["dpo_contact", "complaint_right"]


def test_the_configuration_file_sets_what_a_batch_requires(capsys, corpus, tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    (project / ".policycheck.toml").write_text('require = ["retention", "children"]\n')
    monkeypatch.chdir(project)
    run(capsys, corpus / "sample.md", "--out", "configured.jsonl")
    (report,) = rows(project / "configured.jsonl")
    assert report["summary"]["passed"] is True
    run(capsys, corpus / "sample.md", "--out", "flags.jsonl", "--require", "dpo_contact")
    assert rows(project / "flags.jsonl")[0]["summary"]["failing"] == ["dpo_contact"]
    run(capsys, corpus / "sample.md", "--out", "ignored.jsonl", "--no-config")
    failing = rows(project / "ignored.jsonl")[0]["summary"]["failing"]
    assert failing == ["dpo_contact", "complaint_right"]


@pytest.mark.parametrize("name", ["out.jsonl", "out.csv", "out.parquet"])
def test_a_rerun_skips_what_is_done_and_adds_the_rest(capsys, corpus, tmp_path, name):
    out = tmp_path / name
    run(capsys, corpus / "seeds", "--out", out)
    code, stdout, _ = run(capsys, corpus, "--out", out)
    assert code == 0 and summary(stdout) == (2, 1, 5)
    code, stdout, _ = run(capsys, corpus, "--out", out)
    assert code == 0 and summary(stdout) == (0, 0, 7)
    got = rows(out)
    assert len(got) == 7 and len({r["source"] for r in got}) == 7


def test_an_interrupted_run_keeps_its_parts_and_the_rerun_finishes(
    capsys, corpus, tmp_path, monkeypatch
):
    out = tmp_path / "out.parquet"
    real = batch._start

    def interrupted(*args, **kwargs):
        for i, result in enumerate(real(*args, **kwargs)):
            if i == 3:
                raise KeyboardInterrupt
            yield result

    monkeypatch.setattr(batch, "_start", interrupted)
    code, stdout, err = run(capsys, corpus, "--out", out, "--part-size", "2")
    assert code == 2 and stdout == ""
    assert "interrupted after 3 documents; they are saved, rerun the same command" in err
    parts = sorted((tmp_path / "out.parquet.parts").iterdir())
    assert [p.name for p in parts] == ["part-000001.parquet", "part-000002.parquet"]
    assert not out.exists()

    monkeypatch.setattr(batch, "_start", real)
    code, stdout, _ = run(capsys, corpus, "--out", out, "--part-size", "2")
    assert code == 0 and summary(stdout) == (4, 0, 3)  # scan.txt failed in the first run
    assert len(rows(out)) == 7 and not (tmp_path / "out.parquet.parts").exists()


def test_a_jsonl_line_cut_short_by_a_crash_is_checked_again(capsys, corpus, tmp_path):
    out = tmp_path / "out.jsonl"
    run(capsys, corpus / "seeds", "--out", out)
    lines = out.read_text("utf-8").splitlines(keepends=True)
    out.write_text("".join(lines[:4]) + lines[4][:50], "utf-8")  # last record torn
    code, stdout, _ = run(capsys, corpus / "seeds", "--out", out)
    assert code == 0 and summary(stdout) == (1, 0, 4)
    assert [r["source"] for r in rows(out)] == sorted(str(p) for p in (corpus / "seeds").iterdir())


def test_jsonl_and_csv_lists_with_text_or_path(capsys, tmp_path):
    listing = tmp_path / "list.jsonl"
    records = [
        {"id": "inline", "text": SAMPLE.read_text("utf-8")},
        {"path": "sample.md"},  # relative to the list's folder
        {"source": "named", "path": "sample.md"},
        {"title": "neither"},
    ]
    shutil.copy(SAMPLE, tmp_path / "sample.md")
    listing.write_text(
        "\n".join(json.dumps(r) for r in records) + "\n\nnot json\n", encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    code, stdout, _ = run(capsys, listing, "--out", out)
    assert code == 0 and summary(stdout) == (5, 2, 0)
    got = rows(out)
    assert [r["source"] for r in got] == [
        "inline",
        "sample.md",
        "named",
        f"{listing}:4",
        f"{listing}:6",
    ]
    assert got[3]["error"]["message"] == "no 'text' or 'path' value"
    assert got[4]["error"]["message"].startswith("line 6: not valid JSON")

    table = tmp_path / "list.csv"
    with table.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["company", "body"])
        w.writerow(["Lindqvist", SAMPLE.read_text("utf-8")])
        w.writerow(["Empty", ""])
    out = tmp_path / "out.csv"
    code, stdout, _ = run(
        capsys, table, "--out", out, "--text-column", "body", "--source-column", "company"
    )
    assert code == 0 and summary(stdout) == (2, 1, 0)
    assert [r["source"] for r in rows(out)] == ["Lindqvist", "Empty"]


def test_a_glob_is_expanded_sorted(capsys, corpus, tmp_path):
    out = tmp_path / "out.jsonl"
    code, stdout, _ = run(capsys, str(corpus / "seeds" / "00[0-2]_*.txt"), "--out", out)
    assert code == 0 and summary(stdout) == (3, 0, 0)


def test_two_processes_write_the_same_rows(capsys, corpus, tmp_path):
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    run(capsys, corpus, "--out", one, "--jobs", "1")
    run(capsys, corpus, "--out", two, "--jobs", "2")
    assert one.read_text("utf-8") == two.read_text("utf-8")


@pytest.mark.parametrize(
    "args, message",
    [
        (["{tmp}/nowhere", "--out", "{tmp}/o.jsonl"], "nowhere: no such file or folder"),
        (["{tmp}/*.nothing", "--out", "{tmp}/o.jsonl"], "no files match"),
        (["{corpus}", "--out", "{tmp}/o.xlsx"], "cannot tell the output format of"),
        (["{corpus}", "--out", "{tmp}/missing/o.jsonl"], "does not exist"),
        (["{corpus}", "--out", "{tmp}/o.jsonl", "--require", "nope"], "nope"),
        (["{tmp}/bad.jsonl", "--out", "{tmp}/o.jsonl"], "no 'text' or 'path' field"),
        (["{tmp}/bad.csv", "--out", "{tmp}/o.jsonl"], "no 'text' or 'path' column"),
        (["{corpus}", "--out", "{tmp}/o.jsonl", "--model", "{tmp}"], "no model manifest"),
    ],
)
def test_what_cannot_run_exits_2_with_one_line_and_writes_nothing(
    capsys, corpus, tmp_path, args, message
):
    (tmp_path / "bad.jsonl").write_text('{"body": "x"}\n', "utf-8")
    (tmp_path / "bad.csv").write_text("body\nx\n", "utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    args = [a.format(tmp=tmp_path, corpus=corpus) for a in args]
    code, stdout, err = run(capsys, *args)
    assert code == 2 and stdout == ""
    assert err.startswith("policycheck: ") and message in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    "name, foreign",
    [
        ("o.jsonl", b'{"hello": "world"}\n'),
        ("o.jsonl", b"notes without a newline"),  # not mistaken for a torn last record
        ("o.csv", b"a,b\n1,2\n"),
        ("o.parquet", b"a,b\n1,2\n"),
    ],
)
def test_an_output_that_is_not_ours_is_left_untouched(capsys, corpus, tmp_path, name, foreign):
    out = tmp_path / name
    out.write_bytes(foreign)
    code, _, err = run(capsys, corpus, "--out", out)
    assert code == 2 and (
        "not a policycheck result" in err or "other columns" in err or "Parquet" in err
    )
    assert out.read_bytes() == foreign
    assert not (tmp_path / (name + ".parts")).exists()


def test_usage_errors_exit_2(capsys, corpus, tmp_path):
    assert main(["batch", str(corpus)]) == 2  # --out is required
    assert main(["batch", str(corpus), "--out", "x.jsonl", "--jobs", "0"]) == 2
    assert main(["batch", str(corpus), "--out", "x.jsonl", "--jobs", "2", "--scheduler", "a"]) == 2
    capsys.readouterr()


def test_progress_bar_goes_to_stderr(capsys, corpus, tmp_path, monkeypatch):
    tqdm = pytest.importorskip("tqdm")
    real = tqdm.tqdm

    def forced(*args, **kwargs):
        kwargs["disable"] = False  # captured stderr is not a terminal
        return real(*args, **kwargs)

    monkeypatch.setattr(tqdm, "tqdm", forced)
    code = main(["batch", str(corpus), "--out", str(tmp_path / "o.jsonl")])
    out, err = capsys.readouterr()
    assert code == 0 and "7/7" in err and "policies/s" in out and "7/7" not in out


def test_a_whole_last_record_without_its_newline_is_kept(capsys, corpus, tmp_path):
    out = tmp_path / "out.jsonl"
    run(capsys, corpus / "seeds" / "000_a5795afe81cfc69a.txt", "--out", out)
    out.write_bytes(out.read_bytes().rstrip(b"\n"))
    code, stdout, _ = run(capsys, corpus / "seeds", "--out", out)
    assert code == 0 and summary(stdout) == (4, 0, 1)
    assert len(rows(out)) == 5


def test_an_output_that_is_a_folder_exits_2(capsys, corpus, tmp_path):
    (tmp_path / "o.parquet").mkdir()
    code, _, err = run(capsys, corpus, "--out", tmp_path / "o.parquet")
    assert code == 2 and "it is a folder" in err
