"""check_many: input order, failures kept per document, bounded memory, workers get the model once."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from checker import batch, engine
from checker.batch import Failed, Item, MissingDependencyError, check_many, optional_import
from checker.errors import InputError, PolicycheckError
from checker.model import Model
from checker.report import Report
from tests.conftest import ROOT, SEEDS

SAMPLE = ROOT / "examples" / "privacy-policy.md"
POLICY = "We keep your data for two years after your account is closed. " * 20
OTHER = "Our service is not directed at children under 16. " * 20


def describe(results):
    return [
        (r.source, "failed", r.error_type)
        if isinstance(r, Failed)
        else (r.source, r.passed, tuple(e.status for e in r.elements))
        for r in results
    ]


def test_results_come_in_input_order_with_failures_in_place(tiny_model, tmp_path):
    missing = tmp_path / "missing.txt"
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    items = [POLICY, missing, "", SAMPLE, binary, OTHER]
    results = list(check_many(items, model=tiny_model))
    assert [type(r) for r in results] == [Report, Failed, Failed, Report, Failed, Report]
    assert results[1] == Failed(
        str(missing), "input", f"cannot read {missing}: No such file or directory", 1
    )
    assert results[2].error_type == "input" and results[2].message == "input is empty"
    assert results[2].source is None and results[2].index == 2
    assert "PNG" in results[4].message
    assert results[3].source == str(SAMPLE)


def test_failed_serialises_like_the_cli_error_entry():
    f = Failed("a.txt", "input", "input is empty", 3)
    assert f.to_dict() == {
        "source": "a.txt",
        "error": {"type": "input", "message": "input is empty"},
    }
    assert isinstance(f.exception(), InputError)


def test_errors_raise_stops_at_the_first_failure(tiny_model):
    stream = check_many([POLICY, "", OTHER], model=tiny_model, errors="raise")
    assert isinstance(next(stream), Report)
    with pytest.raises(InputError, match="input is empty"):
        next(stream)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"fail_on": "sometimes"}, "fail_on must be one of"),
        ({"require": "retention,nonsense"}, "nonsense"),
        ({"errors": "ignore"}, "errors must be one of"),
    ],
)
def test_bad_options_fail_before_anything_runs(tiny_model, options, message):
    def never():
        raise AssertionError("the input must not be read")
        yield  # pragma: no cover

    with pytest.raises(PolicycheckError, match=message):
        check_many(never(), model=tiny_model, **options)


def test_a_missing_model_fails_at_the_call(tmp_path):
    with pytest.raises(PolicycheckError, match="no model manifest"):
        check_many([POLICY], model=tmp_path)


def test_items_dicts_and_texts_carry_their_source(tiny_model):
    items = [
        Item(source="a", text=POLICY),
        {"source": "b", "text": OTHER},
        Item(path=SAMPLE),
        {"path": str(SAMPLE), "source": "sample"},
        Item(source="nothing"),
        42,
    ]
    results = list(check_many(items, model=tiny_model))
    assert [r.source for r in results] == ["a", "b", str(SAMPLE), "sample", "nothing", None]
    assert results[4].message == "the item has neither text nor path"
    assert "cannot check a int" in results[5].message


def test_require_and_fail_on_reach_every_document(tiny_model):
    (report,) = check_many([POLICY], model=tiny_model, require=["retention"])
    assert report.passed
    assert [e.id for e in report.elements if e.required] == ["retention"]


def test_two_processes_give_the_same_results_as_one(tiny_model, tmp_path):
    items = [POLICY, "", OTHER, tmp_path / "gone.txt", *sorted(SEEDS.glob("*.txt")), SAMPLE] * 3
    one = describe(check_many(items, model=tiny_model))
    two = describe(check_many(items, model=tiny_model, n_jobs=2, chunksize=2))
    assert one == two


def test_shipped_model_in_two_processes(shipped_model):
    paths = sorted(SEEDS.glob("*.txt"))
    serial = describe(check_many(paths, model=shipped_model))
    assert describe(check_many(paths, model=shipped_model, n_jobs=2)) == serial


def test_workers_get_the_model_once_in_their_initializer(tiny_model, monkeypatch):
    calls = []
    real_init = ProcessPoolExecutor.__init__
    real_submit = ProcessPoolExecutor.submit

    def init(self, *args, **kwargs):
        calls.append(("init", kwargs.get("initializer"), kwargs.get("initargs")))
        real_init(self, *args, **kwargs)

    def submit(self, fn, *args, **kwargs):
        calls.append(("task", fn, args))
        return real_submit(self, fn, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "__init__", init)
    monkeypatch.setattr(ProcessPoolExecutor, "submit", submit)
    results = list(check_many([POLICY] * 12, model=tiny_model, n_jobs=2, chunksize=3))
    assert len(results) == 12
    (init_call,) = [c for c in calls if c[0] == "init"]
    assert init_call[1] is batch._init_worker and init_call[2][1] is tiny_model
    tasks = [c for c in calls if c[0] == "task"]
    assert len(tasks) == 4
    for _, _, args in tasks:  # tasks carry a token and the documents, never the model
        assert not any(isinstance(a, Model) for a in args)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_the_input_is_read_only_a_bounded_window_ahead(tiny_model, n_jobs):
    consumed = 0

    def endless():
        nonlocal consumed
        while True:
            consumed += 1
            yield POLICY

    window, chunksize = 3, 2
    stream = check_many(
        endless(), model=tiny_model, n_jobs=n_jobs, window=window, chunksize=chunksize
    )
    for seen, _ in enumerate(stream, 1):
        assert consumed - seen <= window * chunksize
        if seen == 25:
            stream.close()
            break


def test_progress_takes_a_tqdm_like_factory(tiny_model):
    bars = []

    class Bar:
        def __init__(self, **kwargs):
            self.total, self.n, self.closed = kwargs.get("total"), 0, False
            bars.append(self)

        def update(self, n):
            self.n += n

        def close(self):
            self.closed = True

    list(check_many([POLICY, "", OTHER], model=tiny_model, progress=Bar))
    (bar,) = bars
    assert (bar.total, bar.n, bar.closed) == (3, 3, True)


def test_progress_true_uses_tqdm(tiny_model, capsys):
    list(check_many((t for t in [POLICY, OTHER]), model=tiny_model, progress=True))
    assert "2doc" in capsys.readouterr().err.replace(" ", "")


def test_engine_check_many_delegates_and_keeps_its_signature(tiny_model):
    results = list(engine.check_many([POLICY, Path("nope.txt")], model=tiny_model))
    assert isinstance(results[0], Report) and isinstance(results[1], Failed)
    with pytest.raises(InputError):
        list(engine.check_many([Path("nope.txt")], model=tiny_model, errors="raise"))
    # the old keyword options still work
    (r,) = engine.check_many([POLICY], model=tiny_model, require="retention", fail_on="uncertain")
    assert r.fail_on == "uncertain"


def test_a_missing_optional_dependency_says_which_extra_to_install():
    with pytest.raises(MissingDependencyError, match=r"pip install 'policycheck\[batch\]'"):
        optional_import("surely_not_installed_xyz", "this feature")
    with pytest.raises(ImportError):  # also an ImportError, for code that expects one
        optional_import("surely_not_installed_xyz", "this feature")
