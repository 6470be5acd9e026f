"""The same batch on a Dask cluster: a LocalCluster of two worker processes, one thread each."""

from __future__ import annotations

import shutil

import pytest

distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")
pq = pytest.importorskip("pyarrow.parquet")

import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402

from checker import batch  # noqa: E402
from checker.batch import BatchSummary, Failed, Item, check_dask, check_many  # noqa: E402
from checker.cli import main  # noqa: E402
from checker.errors import PolicycheckError  # noqa: E402
from checker.report import Report  # noqa: E402
from tests.conftest import ROOT, SEEDS  # noqa: E402

SAMPLE = ROOT / "examples" / "privacy-policy.md"
PATHS = [*sorted(SEEDS.glob("*.txt")), SAMPLE]


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def installs(client) -> list[int]:
    return sorted(client.run(lambda: __import__("checker.batch").batch.MODEL_INSTALLS).values())


@pytest.fixture(scope="module")
def local(shipped_model):
    items = [*PATHS, ROOT / "gone.txt"]
    return [
        (r.source, r.passed if isinstance(r, Report) else r.error_type)
        for r in check_many(items, model=shipped_model)
    ]


def test_check_many_on_the_cluster_streams_in_order(client, shipped_model, local):
    items = [*PATHS, ROOT / "gone.txt"]
    results = list(check_many(items, model=shipped_model, client=client, chunksize=2))
    got = [(r.source, r.passed if isinstance(r, Report) else r.error_type) for r in results]
    assert got == local
    assert isinstance(results[-1], Failed)  # read on the client: the file does not exist


def test_check_dask_bag_writes_parquet_partitions(client, shipped_model, local, tmp_path):
    items = [Item(source=str(p), path=p) for p in PATHS] + [Item(source="empty", text=" ")]
    out = tmp_path / "results"
    summary = check_dask(db.from_sequence(items, npartitions=3), out=out, model=shipped_model)
    assert isinstance(summary, BatchSummary)
    assert (summary.documents, summary.failed) == (7, 1)
    parts = sorted(p.name for p in out.glob("*.parquet"))
    assert len(parts) == 3
    table = pq.read_table(out).to_pandas()
    assert list(table["source"]) == [*map(str, PATHS), "empty"]
    assert [tuple(x) for x in table[["source", "passed"]].head(6).itertuples(index=False)] == [
        (s, p) for s, p in local[:6]
    ]
    with pytest.raises(PolicycheckError, match="already holds files"):
        check_dask(db.from_sequence(items, npartitions=3), out=out, model=shipped_model)


def test_check_dask_dataframe_column_is_lazy(client, shipped_model):
    pdf = pd.DataFrame(
        {
            "name": [p.name for p in PATHS] + ["none"],
            "text": [p.read_text() for p in PATHS] + [None],
        }
    )
    frame = check_dask(
        dd.from_pandas(pdf, npartitions=2), source_column="name", model=shipped_model
    )
    assert isinstance(frame, dd.DataFrame)
    got = frame.compute()
    assert list(got["source"]) == list(pdf["name"])
    assert got["error_message"].iloc[-1] == "no text in column 'text'"
    assert bool(got["passed"].iloc[4])  # seed 004 has every element


def test_check_dask_with_a_client_and_items(client, shipped_model, tmp_path):
    summary = check_dask(client, PATHS, out=tmp_path / "r", partition_size=2, model=shipped_model)
    assert (summary.documents, summary.failed) == (6, 0)
    assert len(list((tmp_path / "r").glob("*.parquet"))) == 3


def test_each_worker_received_the_model_once(client):
    # after every batch above (stream, bag, dataframe, client+items): one model per worker
    assert installs(client) == [1, 1]


def test_cli_scheduler_runs_the_batch_on_the_cluster(client, capsys, tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder)
    out = tmp_path / "out.parquet"
    address = client.scheduler.address
    code = main(["batch", str(folder), "--out", str(out), "--scheduler", address, "--no-progress"])
    stdout, err = capsys.readouterr()
    assert code == 0, err
    assert stdout.startswith("5 documents, 0 failed,")
    assert len(pq.read_table(out)) == 5
    code = main(["batch", str(folder), "--out", str(out), "--scheduler", address, "--no-progress"])
    assert code == 0 and "0 documents, 0 failed, 5 skipped" in capsys.readouterr().out


def test_cli_unreachable_scheduler_exits_2_before_touching_the_output(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.setattr(batch, "CONNECT_TIMEOUT", "1s")
    out = tmp_path / "out.jsonl"
    code = main(
        [
            "batch",
            str(SAMPLE),
            "--out",
            str(out),
            "--scheduler",
            "tcp://127.0.0.1:9",
            "--no-progress",
        ]
    )
    _, err = capsys.readouterr()
    assert code == 2 and "cannot connect to the Dask scheduler at tcp://127.0.0.1:9" in err
    assert not out.exists()


def test_model_plugin_is_importable_by_name():
    plugin_cls = batch.ModelPlugin
    assert issubclass(plugin_cls, distributed.WorkerPlugin)
    assert plugin_cls.__module__ == "checker.batch"
