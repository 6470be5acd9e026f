"""Batch scoring: many policies, in input order, in flat memory, on local cores or a Dask cluster.

- ``check_many(items, n_jobs=..., progress=...)`` streams one result per input, in input order:
  a ``Report``, or a ``Failed`` entry for a document that could not be checked (the batch goes
  on). At most ``window`` chunks of ``chunksize`` documents are in flight, so memory stays flat
  however long the input. ``n_jobs > 1`` runs a process pool whose workers receive the model
  once, in their initializer; ``client=`` runs the same stream on a Dask cluster, where a worker
  plugin installs the model once per worker.
- ``check_dask(bag_or_dataframe_or_client, ...)`` builds the batch as a Dask graph and, with
  ``out=``, writes the results as Parquet partitions from the workers.
- ``run_batch(inputs, out, ...)`` is ``policycheck batch``: folders, globs, files and JSONL/CSV
  lists in; a resumable JSONL, CSV or Parquet file out; a ``BatchSummary`` back.

Only NumPy is needed to check documents one process at a time; tqdm, pandas, pyarrow and Dask
come with ``pip install 'policycheck[batch]'`` and are imported only when used.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import hashlib
import importlib
import itertools
import json
import math
import os
import shutil
import signal
import sys
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from checker import registry
from checker.errors import InputError, ModelError, PolicycheckError
from checker.extract import MAX_INPUT_BYTES
from checker.report import FAIL_ON, Report

if TYPE_CHECKING:
    from checker.model import Model

BATCH_EXTRA = "pip install 'policycheck[batch]'"
ERRORS = ("keep", "raise")
OUTPUT_FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
LIST_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
DEFAULT_PART_SIZE = 1000  # rows per CSV/Parquet part: what an interrupted run can lose at most
PARTS_SUFFIX = ".parts"
CONNECT_TIMEOUT = "20s"  # to reach a Dask scheduler given by address


class MissingDependencyError(PolicycheckError, ImportError):
    """An optional dependency (the ``batch`` extra) is needed for what was asked."""

    code = "dependency"


def optional_import(name: str, purpose: str) -> ModuleType:
    """Import an optional dependency, or say which extra to install."""
    try:
        return importlib.import_module(name)
    except ImportError as e:
        top = name.split(".")[0]
        raise MissingDependencyError(
            f"{purpose} needs {top}, which is not installed: {BATCH_EXTRA}"
        ) from e


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failed:
    """A document that could not be checked, in its place in the results; the batch goes on.

    ``error_type`` is the ``code`` of the error: ``input`` (unreadable, empty, binary, too
    large...), ``model``, ``crash`` (the worker process checking it died: killed, out of
    memory, a crash in a parser) or ``internal`` (a bug: please report it with the message).
    """

    source: str | None
    error_type: str
    message: str
    index: int | None = None  # position in the input

    def to_dict(self) -> dict[str, Any]:
        """The same error entry as ``policycheck check --format json`` writes."""
        return {"source": self.source, "error": {"type": self.error_type, "message": self.message}}

    def exception(self) -> PolicycheckError:
        cls = {"input": InputError, "model": ModelError}.get(self.error_type, PolicycheckError)
        return cls(self.message)

    def _repr_html_(self) -> str:
        from checker.display import failed_html

        return failed_html(self)


Result = Report | Failed


@dataclass(frozen=True)
class Item:
    """One document for a batch: its ``text``, or a file ``path`` to read; ``source`` names it.

    Plain ``str`` items are texts and ``pathlib.Path`` items are files; ``Item`` (or a dict with
    the same keys) adds a name for a text, or a name other than the path for a file.
    """

    source: str | None = None
    text: str | None = None
    path: str | os.PathLike[str] | None = None


# A job is what travels to a worker: (index, source, kind, payload, filename), kind one of
# "text" (payload str), "path" (payload str path), "bytes" (payload bytes) or "failed" (Failed).
Job = tuple[int, str | None, str, Any, str | None]


def _job(index: int, item: Any) -> Job:
    if isinstance(item, str):
        return (index, None, "text", item, None)
    if isinstance(item, os.PathLike):
        p = os.fspath(item)
        return (index, p, "path", p, None)
    if isinstance(item, bytes):
        return (index, None, "bytes", item, None)
    if isinstance(item, Failed):
        return (index, item.source, "failed", replace(item, index=index), None)
    if isinstance(item, Item | Mapping):
        get = item.get if isinstance(item, Mapping) else lambda k: getattr(item, k)
        source = get("source")
        source = None if source is None else str(source)
        if get("text") is not None:
            return (index, source, "text", get("text"), None)
        path = get("path")
        if path is not None:
            p = os.fspath(path)
            return (index, source if source is not None else p, "path", p, None)
        return _failed_job(index, source, "the item has neither text nor path")
    return _failed_job(
        index,
        None,
        f"cannot check a {type(item).__name__}: pass text (str), a file (pathlib.Path) "
        "or a checker.batch.Item",
    )


def _failed_job(index: int, source: str | None, message: str, kind: str = "input") -> Job:
    return (index, source, "failed", Failed(source, kind, message, index), None)


def _check_job(model: Model, options: dict[str, Any], job: Job) -> Result:
    from checker.engine import check, check_bytes

    index, source, kind, payload, filename = job
    if kind == "failed":
        return payload
    try:
        if kind == "text":
            if not isinstance(payload, str):
                raise InputError(f"a text must be a str, not {type(payload).__name__}")
            return check(payload, model=model, source=source, **options)
        if kind == "path":
            return _check_path(payload, model=model, source=source, **options)
        return check_bytes(payload, filename=filename, model=model, source=source, **options)
    except PolicycheckError as e:
        return Failed(source, e.code, str(e), index)
    except Exception as e:  # a bug on one odd document must not end a million-document batch
        return Failed(source, "internal", f"{type(e).__name__}: {e}", index)


def _check_path(path: str, **options: Any) -> Report:
    """``checker.engine.check_path`` with the file read bounded (a 100 GB file is not read)."""
    from checker.engine import check_bytes
    from checker.extract import read_file

    try:
        data = read_file(path)
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None
    options.setdefault("source", str(path))
    return check_bytes(data, filename=Path(path).name, **options)


def _read_on_client(job: Job) -> Job:
    """For a cluster: read a file here, so workers need no access to this file system."""
    index, source, kind, payload, _ = job
    if kind != "path":
        return job
    try:
        with open(payload, "rb") as f:
            data = f.read(MAX_INPUT_BYTES + 1)  # enough for check_bytes to refuse it as too large
    except OSError as e:
        return _failed_job(index, source, f"cannot read {payload}: {e.strerror or e}")
    return (index, source, "bytes", data, Path(payload).name)


# --- the model in workers --------------------------------------------------------------------

_MODELS: dict[str, Model] = {}
MODEL_INSTALLS = 0  # how many models this process received or loaded for batch work
_NO_FALLBACK = "\0no-fallback"


def _resolve_model(model: Model | str | os.PathLike[str] | None) -> Model:
    from checker.model import Model, load_cached

    if isinstance(model, Model):
        return model
    try:
        return load_cached(None if model is None else os.fspath(model))
    except PolicycheckError:
        raise
    except Exception as e:  # e.g. zipfile.BadZipFile from an artifact that is not an .npz
        raise ModelError(f"the model cannot be read: {type(e).__name__}: {e}") from None


def _token(model: Model) -> str:
    return f"{model.sha256[:16]}-{os.getpid()}-{id(model)}"


def _install(token: str, model: Model) -> None:
    global MODEL_INSTALLS
    if token in _MODELS:
        return
    while len(_MODELS) >= 4:  # a long-lived Dask worker may serve several batches
        _MODELS.pop(next(iter(_MODELS)))
    _MODELS[token] = model
    MODEL_INSTALLS += 1


def _model_for(token: str, fallback: str | None) -> Model:
    model = _MODELS.get(token)
    if model is not None:
        return model
    if fallback == _NO_FALLBACK:
        raise ModelError(
            "the policycheck model is not installed in this worker: run the batch with a "
            "dask.distributed Client (a worker plugin installs it) or pass the model directory"
        )
    from checker.model import load_cached

    model = load_cached(fallback)
    _install(token, model)
    return model


def _init_worker(token: str, model: Model) -> None:
    """Process pool initializer: the model arrives once per worker; Ctrl-C is the parent's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _install(token, model)


def _check_chunk(
    token: str,
    fallback: str | None,
    options: dict[str, Any],
    jobs: list[Job],
    transform: Callable[[Result], Any] | None = None,
) -> list[Any]:
    """Check a chunk in a worker; ``transform`` (e.g. to an output row) runs there too."""
    return _run_chunk(_model_for(token, fallback), options, jobs, transform)


def _run_chunk(
    model: Model,
    options: dict[str, Any],
    jobs: list[Job],
    transform: Callable[[Result], Any] | None,
) -> list[Any]:
    results = [_check_job(model, options, job) for job in jobs]
    return results if transform is None else [transform(r) for r in results]


def _make_model_plugin() -> type:
    from distributed import WorkerPlugin

    class ModelPlugin(WorkerPlugin):
        """Installs the policycheck model in each Dask worker once, when it starts or joins."""

        def __init__(self, token: str, model: Model) -> None:
            self.token = token
            self.model = model

        def setup(self, worker: Any) -> None:
            _install(self.token, self.model)

    ModelPlugin.__module__ = __name__
    ModelPlugin.__qualname__ = "ModelPlugin"
    return ModelPlugin


def __getattr__(name: str) -> Any:
    # ModelPlugin subclasses distributed.WorkerPlugin: built on first use so that importing
    # checker.batch does not import Dask; pickle finds it here by name on the workers.
    if name == "ModelPlugin":
        cls = _make_model_plugin()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _register_model(client: Any, token: str, model: Model) -> None:
    plugin = __getattr__("ModelPlugin")(token, model)
    client.register_plugin(plugin, name=f"policycheck-model-{token}")


# --- the stream ------------------------------------------------------------------------------


def _options(require: Any, fail_on: str) -> dict[str, Any]:
    if fail_on not in FAIL_ON:
        raise PolicycheckError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    if require is not None:
        require = list(registry.parse_ids(require if isinstance(require, str) else list(require)))
    return {"require": require, "fail_on": fail_on}


def _chunks(jobs: Iterable[Job], size: int) -> Iterator[list[Job]]:
    it = iter(jobs)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _ordered(
    chunks: Iterable[list[Job]], submit: Callable[[list[Job]], Any], window: int
) -> Iterator[list[Result]]:
    """Submit chunks keeping at most ``window`` in flight; yield their results in input order."""
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _progress_bar(progress: Any, total: int | None) -> Any:
    if progress is False or progress is None:
        return None
    if progress is True:
        tqdm = optional_import("tqdm.auto", "a progress bar").tqdm
        tqdm.monitor_interval = 0  # no monitor thread: the bar updates on every document
        return tqdm(total=total, unit="doc", desc="policycheck")
    return progress(total=total, unit="doc", desc="policycheck")  # a tqdm-like factory


def _auto_chunksize(default: int, total: int | None, workers: int) -> int:
    if total is None:
        return default
    return max(1, min(default, math.ceil(total / (4 * workers))))


def check_many(
    items: Iterable[Any],
    *,
    model: Model | str | os.PathLike[str] | None = None,
    n_jobs: int | None = 1,
    client: Any = None,
    progress: Any = False,
    total: int | None = None,
    errors: str = "keep",
    chunksize: int | None = None,
    window: int | None = None,
    require: Iterable[str] | str | None = None,
    fail_on: str = "absent",
) -> Iterator[Result]:
    """Check many policies; yield one ``Report`` or ``Failed`` per item, in input order.

    ``items``: texts (``str``), files (``pathlib.Path``), ``Item``s or dicts with ``text`` or
    ``path`` and an optional ``source``. The input is read lazily and at most ``window`` chunks
    of ``chunksize`` documents are in flight, so memory does not grow with the input.

    ``n_jobs``: worker processes (1: this process; ``None`` or -1: one per core). Each worker
    receives the model once. ``client``: a ``dask.distributed.Client`` (or a scheduler
    address) to run on a cluster instead; files are then read here and sent to the workers.
    ``progress``: ``True`` for a tqdm bar (a notebook widget in Jupyter), or a tqdm-like
    factory. ``errors="keep"`` yields a ``Failed`` for a document that cannot be checked;
    ``"raise"`` raises its ``PolicycheckError`` instead. A bad option or an unusable model
    raises here, before anything runs.
    """
    if errors not in ERRORS:
        raise PolicycheckError(f"errors must be one of {', '.join(ERRORS)}, not {errors!r}")
    return _start(
        items,
        options=_options(require, fail_on),
        model=model,
        n_jobs=n_jobs,
        client=client,
        progress=progress,
        total=total,
        errors=errors,
        chunksize=chunksize,
        window=window,
    )


def _start(
    items: Iterable[Any],
    *,
    options: dict[str, Any],
    model: Model | str | os.PathLike[str] | None,
    n_jobs: int | None,
    client: Any,
    progress: Any = False,
    total: int | None = None,
    errors: str = "keep",
    chunksize: int | None = None,
    window: int | None = None,
    transform: Callable[[Result], Any] | None = None,
) -> Iterator[Any]:
    """check_many after validation; ``transform`` maps each result in the worker."""
    loaded = _resolve_model(model)  # a missing or tampered model fails now, not per document
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    close: list[Callable[[], None]] = []
    if client is not None:  # connect and install the model now: a dead scheduler fails here
        client = _connect(client, close)
        try:
            _register_model(client, _token(loaded), loaded)
        except Exception:
            for fn in close:
                fn()
            raise
    context = _mp_context()  # before a progress bar or anything else starts a thread
    bar = _progress_bar(progress, total)
    return _stream(
        items,
        loaded,
        options,
        n_jobs,
        client,
        context,
        bar,
        errors,
        chunksize,
        window,
        close,
        transform,
    )


def _stream(
    items: Iterable[Any],
    model: Model,
    options: dict[str, Any],
    n_jobs: int | None,
    client: Any,
    context: Any,
    bar: Any,
    errors: str,
    chunksize: int | None,
    window: int | None,
    close: list[Callable[[], None]],
    transform: Callable[[Result], Any] | None,
) -> Iterator[Any]:
    jobs = (_job(i, item) for i, item in enumerate(items))
    total = getattr(bar, "total", None)
    try:
        if client is not None:
            token = _token(model)
            workers = max(1, sum(client.nthreads().values()))
            size = chunksize or _auto_chunksize(16, total, workers)
            submit = _dask_submit(client, token, options, transform)
            batches = _ordered(
                _chunks(map(_read_on_client, jobs), size), submit, window or 4 * workers
            )
        elif _workers(n_jobs) > 1:
            workers = _workers(n_jobs)
            pool = _RecoveringPool(workers, context, _token(model), model, options, transform)
            close.append(pool.close)
            size = chunksize or _auto_chunksize(4, total, workers)
            batches = _ordered(_chunks(jobs, size), pool.submit, window or 4 * workers)
        else:
            batches = (_run_chunk(model, options, [job], transform) for job in jobs)
        for batch in _guard(batches):
            for result in batch:
                if bar is not None:
                    bar.update(1)
                if errors == "raise" and isinstance(result, Failed):
                    raise result.exception()
                yield result
    finally:
        if bar is not None:
            bar.close()
        for fn in reversed(close):
            fn()


MAX_CONSECUTIVE_CRASHES = 5  # documents in a row that kill a worker: the fault is not theirs


class _RecoveringPool:
    """A process pool that survives the death of a worker (killed, out of memory, a crash).

    When a worker dies, ``ProcessPoolExecutor`` fails every chunk in flight and is unusable.
    The pool is then replaced, and each document of the failed chunks is checked again alone,
    one at a time, in a one-process pool: a document that kills that process too becomes a
    ``Failed`` entry of type ``crash`` and the batch goes on; the others get their real result.
    Only when ``MAX_CONSECUTIVE_CRASHES`` documents in a row kill their worker does the batch
    stop, with a ``PolicycheckError`` (the results so far are kept and a rerun resumes).
    """

    def __init__(
        self,
        workers: int,
        context: Any,
        token: str,
        model: Model,
        options: dict[str, Any],
        transform: Callable[[Result], Any] | None,
    ) -> None:
        self.workers, self.context, self.token, self.model = workers, context, token, model
        self.options, self.transform = options, transform
        self.generation = 0
        self.pool = self._new(workers)
        self.alone: Any = None  # the one-process pool for documents under suspicion
        self.crashes = 0

    def _new(self, workers: int) -> Any:
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=self.context,
            initializer=_init_worker,
            initargs=(self.token, self.model),
        )

    def _run(self, pool: Any, chunk: list[Job]) -> Any:
        return pool.submit(
            _check_chunk, self.token, _NO_FALLBACK, self.options, chunk, self.transform
        )

    def submit(self, chunk: list[Job]) -> _Pending:
        return _Pending(self, chunk, self._run(self.pool, chunk), self.generation)

    def collect(self, pending: _Pending) -> list[Any]:
        from concurrent.futures.process import BrokenProcessPool

        try:
            results: list[Any] = pending.future.result()
        except BrokenProcessPool:
            if pending.generation == self.generation:  # the first to notice replaces the pool
                self.pool.shutdown(wait=True, cancel_futures=True)
                self.pool = self._new(self.workers)
                self.generation += 1
            return [self._alone(job) for job in pending.chunk]
        return results

    def _alone(self, job: Job) -> Any:
        from concurrent.futures.process import BrokenProcessPool

        if self.alone is None:
            self.alone = self._new(1)
        try:
            (result,) = self._run(self.alone, [job]).result()
        except BrokenProcessPool:
            self.alone.shutdown(wait=True, cancel_futures=True)
            self.alone = None
            self.crashes += 1
            index, source = job[0], job[1]
            if self.crashes >= MAX_CONSECUTIVE_CRASHES:
                raise PolicycheckError(
                    f"worker processes keep dying ({self.crashes} documents in a row, the last "
                    f"{source or f'item {index}'}): out of memory? The results so far are kept; "
                    "rerun the same command to resume"
                ) from None
            failed = Failed(
                source,
                "crash",
                "the worker process checking this document died (killed, out of memory, "
                "or a crash in a parser); the batch went on without it",
                index,
            )
            return failed if self.transform is None else self.transform(failed)
        self.crashes = 0
        return result

    def close(self) -> None:
        for pool in (self.pool, self.alone):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Pending:
    owner: _RecoveringPool
    chunk: list[Job]
    future: Any
    generation: int

    def result(self) -> list[Any]:
        return self.owner.collect(self)


def _mp_context() -> Any:
    """fork where it is safe (Linux, no other thread yet): fast, and a script needs no
    ``if __name__ == "__main__"`` guard; spawn otherwise (Jupyter, macOS, a running progress
    bar or Dask client), where the workers import ``checker`` afresh."""
    import multiprocessing
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _workers(n_jobs: int | None) -> int:
    if n_jobs is None or n_jobs < 0:
        if hasattr(os, "sched_getaffinity"):  # the cores this process may use (containers)
            return len(os.sched_getaffinity(0)) or 1
        return os.cpu_count() or 1
    return max(1, n_jobs)


def _guard(batches: Iterator[list[Result]]) -> Iterator[list[Result]]:
    """Turn a dead worker or a failed cluster task into one readable error."""
    try:
        yield from batches
    except PolicycheckError:
        raise
    except Exception as e:
        from concurrent.futures.process import BrokenProcessPool

        if isinstance(e, BrokenProcessPool):
            raise PolicycheckError(
                "a worker process died (out of memory?); results so far are kept"
            ) from e
        if type(e).__module__.startswith("distributed"):
            raise PolicycheckError(f"the Dask cluster failed: {type(e).__name__}: {e}") from e
        raise


def _connect(client: Any, close: list[Callable[[], None]]) -> Any:
    if not isinstance(client, str):
        return client
    distributed = optional_import("distributed", "running on a Dask cluster")
    try:
        c = distributed.Client(client, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as e:
        raise PolicycheckError(f"cannot connect to the Dask scheduler at {client}: {e}") from None
    close.append(c.close)
    return c


def _dask_submit(
    client: Any,
    token: str,
    options: dict[str, Any],
    transform: Callable[[Result], Any] | None,
) -> Callable[[list[Job]], Any]:
    def submit(chunk: list[Job]) -> Any:
        # the documents travel straight to a worker, not inside the task graph
        (data,) = client.scatter([chunk], hash=False)
        return client.submit(
            _check_chunk, token, _NO_FALLBACK, options, data, transform, pure=False
        )

    return submit


# --- Dask graphs -----------------------------------------------------------------------------


def _arrow_schema() -> Any:
    pa = optional_import("pyarrow", "writing Parquet")
    from checker.frames import COLUMNS

    types = {"string": pa.string(), "bool": pa.bool_(), "float": pa.float64()}
    return pa.schema([(name, types[kind]) for name, kind in COLUMNS])


def _bag_partition(
    items: Iterable[Any], token: str, fallback: str | None, options: dict[str, Any]
) -> Any:
    from checker.frames import to_frame

    model = _model_for(token, fallback)
    return to_frame(_check_job(model, options, _job(i, it)) for i, it in enumerate(items))


def _frame_partition(
    pdf: Any,
    token: str,
    fallback: str | None,
    options: dict[str, Any],
    text_column: str | None,
    path_column: str | None,
    source_column: str | None,
) -> Any:
    from checker.frames import to_frame

    model = _model_for(token, fallback)
    column = text_column if text_column is not None else path_column
    key = "text" if text_column is not None else "path"
    sources = pdf[source_column] if source_column else pdf.index.to_series()
    results = []
    for i, (value, source) in enumerate(zip(pdf[column], sources, strict=True)):
        name = None if source is None else str(source)
        if isinstance(value, str) and value.strip():
            results.append(_check_job(model, options, _job(i, {key: value, "source": name})))
        else:
            results.append(Failed(name, "input", f"no {key} in column {column!r}", i))
    frame = to_frame(results)
    frame.index = pdf.index
    return frame


def check_dask(
    data: Any,
    items: Iterable[Any] | None = None,
    *,
    text_column: str | None = "text",
    path_column: str | None = None,
    source_column: str | None = None,
    out: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    model: Model | str | os.PathLike[str] | None = None,
    require: Iterable[str] | str | None = None,
    fail_on: str = "absent",
    partition_size: int = 64,
) -> Any:
    """Check policies as a Dask graph; the model is installed once per worker.

    ``data`` is one of:

    - a ``dask.bag.Bag`` of items (``Item``, dicts with ``text``/``path``/``source``, texts or
      ``pathlib.Path``s);
    - a ``dask.dataframe.DataFrame`` with a ``text_column`` (or ``path_column``, and
      ``text_column=None``) and optionally a ``source_column`` (else the index names rows);
    - a ``dask.distributed.Client``, with ``items`` (any iterable ``check_many`` takes), turned
      into a bag of ``partition_size`` documents per partition.

    Returns a lazy Dask DataFrame in the ``checker.frames.to_frame`` layout, or, with ``out``,
    writes it as Parquet partitions (one file per partition, written by the workers) and
    returns a ``BatchSummary``. Paths are read by the workers, so they must see the files.
    With a ``dask.distributed`` client the model reaches each worker once through a worker
    plugin; without one, workers load the model directory themselves (once per process).
    """
    dask = optional_import("dask", "check_dask")
    db = optional_import("dask.bag", "check_dask")
    dd = optional_import("dask.dataframe", "check_dask")
    from checker.frames import empty_frame

    options = _options(require, fail_on)
    loaded = _resolve_model(model)
    token = _token(loaded)
    # without a distributed client, workers in other processes load the directory themselves
    fallback = None if model is None else _NO_FALLBACK
    if isinstance(model, str | os.PathLike):
        fallback = os.fspath(model)
    client = None
    if _is_client(data):
        client, data = data, None
        if items is None:
            raise PolicycheckError("check_dask(client, items): give the items to check")
        data = db.from_sequence(list(items), partition_size=partition_size)
    else:
        client = _default_client()
    if client is not None:
        _register_model(client, token, loaded)
    else:
        _install(token, loaded)  # threads and synchronous schedulers share this process

    if isinstance(data, db.Bag):
        parts = [
            dask.delayed(_bag_partition)(p, token, fallback, options) for p in data.to_delayed()
        ]
        frame = dd.from_delayed(parts, meta=empty_frame(), verify_meta=False)
    elif isinstance(data, dd.DataFrame):
        if (text_column is None) == (path_column is None):
            raise PolicycheckError("give one of text_column and path_column")
        for col in (text_column, path_column, source_column):
            if col is not None and col not in data.columns:
                raise PolicycheckError(f"no column {col!r} in the DataFrame")
        frame = data.map_partitions(
            _frame_partition,
            token,
            fallback,
            options,
            text_column,
            path_column,
            source_column,
            meta=empty_frame(),
        )
    else:
        raise PolicycheckError(
            "check_dask takes a dask Bag, a dask DataFrame or a distributed Client with items, "
            f"not {type(data).__name__}"
        )
    if out is None:
        return frame
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise PolicycheckError(f"{out} already holds files; pass overwrite=True or another out")
    t0 = time.perf_counter()
    kwargs = {"compute_kwargs": {"scheduler": client}} if client is not None else {}
    frame.to_parquet(
        str(out), write_index=False, schema=_arrow_schema(), overwrite=overwrite, **kwargs
    )
    elapsed = time.perf_counter() - t0
    ds = optional_import("pyarrow.dataset", "reading Parquet")
    dataset = ds.dataset(str(out), format="parquet")
    documents = dataset.count_rows()
    failed = dataset.count_rows(filter=ds.field("error_type").is_valid())
    return BatchSummary(documents, failed, 0, elapsed, str(out))


def _is_client(obj: Any) -> bool:
    if "distributed" not in sys.modules:
        return False
    from distributed import Client

    return isinstance(obj, Client)


def _default_client() -> Any:
    if "distributed" not in sys.modules:
        return None
    from distributed import default_client

    try:
        return default_client()
    except ValueError:
        return None


# --- policycheck batch: inputs ---------------------------------------------------------------


@dataclass
class Fields:
    """Which fields of a JSONL/CSV list hold the text, the path and the name of a document."""

    text: str = "text"
    path: str = "path"
    source: str | None = None  # default: "source", else "id", else the path or FILE:LINE


class _Input:
    def count(self) -> int:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Item | Failed]:
        raise NotImplementedError


class _Files(_Input):
    """Files from a folder (recursively, hidden names skipped), a glob or one file."""

    def __init__(self, spec: str, exclude: set[str]) -> None:
        self.spec, self.exclude = spec, exclude
        self.is_dir = Path(spec).is_dir()
        if any(c in spec for c in "*?[") and not Path(spec).exists():
            self.files: list[str] | None = sorted(
                f for f in glob.glob(spec, recursive=True) if os.path.isfile(f)
            )
            if not self.files:
                raise PolicycheckError(f"{spec}: no files match")
        elif self.is_dir or Path(spec).is_file():
            self.files = None if self.is_dir else [spec]
        else:
            raise PolicycheckError(f"{spec}: no such file or folder")

    def _paths(self) -> Iterator[str]:
        if self.files is not None:
            yield from (f for f in self.files if os.path.abspath(f) not in self.exclude)
            return
        for root, dirs, names in os.walk(self.spec):
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".")
                and os.path.abspath(os.path.join(root, d)) not in self.exclude
            )
            for name in sorted(names):
                p = os.path.join(root, name)
                if not name.startswith(".") and os.path.abspath(p) not in self.exclude:
                    yield p

    def count(self) -> int:
        return sum(1 for _ in self._paths())

    def __iter__(self) -> Iterator[Item | Failed]:
        for p in self._paths():
            yield Item(source=p, path=p)


class _JsonlList(_Input):
    """One document per line: {"text": ...} or {"path": ...}, with an optional source / id."""

    def __init__(self, spec: str, fields: Fields) -> None:
        self.spec, self.fields, self.base = spec, fields, Path(spec).parent
        try:
            with open(spec, "rb") as f:
                first = next((ln for ln in f if ln.strip()), None)
        except OSError as e:
            raise PolicycheckError(f"cannot read {spec}: {e.strerror or e}") from None
        if first is not None:
            record = _parse_json_line(first)
            if isinstance(record, str):
                raise PolicycheckError(f"{spec}: the first record is not a JSON object: {record}")
            if fields.text not in record and fields.path not in record:
                raise PolicycheckError(
                    f"{spec}: the records have no {fields.text!r} or {fields.path!r} field "
                    f"(fields: {', '.join(record)}); choose them with --text-column/--path-column"
                )

    def count(self) -> int:
        with open(self.spec, "rb") as f:
            return sum(1 for ln in f if ln.strip())

    def __iter__(self) -> Iterator[Item | Failed]:
        with open(self.spec, "rb") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                record = _parse_json_line(line)
                where = f"{self.spec}:{n}"
                if isinstance(record, str):
                    yield Failed(where, "input", f"line {n}: {record}")
                else:
                    yield _record_item(record, where, self.fields, self.base)


def _parse_json_line(line: bytes) -> dict[str, Any] | str:
    try:
        record = json.loads(line)
    except (UnicodeDecodeError, ValueError) as e:
        return f"not valid JSON ({e})"
    return record if isinstance(record, dict) else "not a JSON object"


def _record_item(
    record: Mapping[str, Any], where: str, fields: Fields, base: Path
) -> Item | Failed:
    source = None
    for key in (fields.source,) if fields.source else ("source", "id"):
        if record.get(key) not in (None, ""):
            source = str(record[key])
            break
    text, path = record.get(fields.text), record.get(fields.path)
    if isinstance(text, str) and text != "":
        return Item(source=source or where, text=text)
    if isinstance(path, str) and path != "":
        return Item(source=source or path, path=base / path)
    return Failed(source or where, "input", f"no {fields.text!r} or {fields.path!r} value")


class _CsvList(_Input):
    def __init__(self, spec: str, fields: Fields) -> None:
        self.spec, self.fields, self.base = spec, fields, Path(spec).parent
        csv.field_size_limit(max(csv.field_size_limit(), 4 * MAX_INPUT_BYTES))
        try:
            with open(spec, newline="", encoding="utf-8-sig") as f:
                header = next(csv.reader(f), [])
        except (OSError, UnicodeDecodeError) as e:
            raise PolicycheckError(
                f"cannot read {spec}: {getattr(e, 'strerror', None) or e}"
            ) from None
        if fields.text not in header and fields.path not in header:
            raise PolicycheckError(
                f"{spec}: no {fields.text!r} or {fields.path!r} column (columns: "
                f"{', '.join(header)}); choose them with --text-column/--path-column"
            )

    def _rows(self) -> Iterator[dict[str, str]]:
        with open(self.spec, newline="", encoding="utf-8-sig") as f:
            try:
                yield from csv.DictReader(f)
            except (UnicodeDecodeError, csv.Error) as e:
                raise PolicycheckError(f"{self.spec}: cannot read on: {e}") from None

    def count(self) -> int:
        return sum(1 for _ in self._rows())

    def __iter__(self) -> Iterator[Item | Failed]:
        for n, row in enumerate(self._rows(), 1):
            yield _record_item(row, f"{self.spec}:{n}", self.fields, self.base)


def open_inputs(
    specs: Sequence[str], fields: Fields | None = None, exclude: Iterable[str] = ()
) -> list[_Input]:
    """Validate every INPUT up front (so a typo fails before any work) and return readers."""
    fields = fields or Fields()
    skip = {os.path.abspath(p) for p in exclude}
    readers: list[_Input] = []
    for spec in specs:
        suffix = Path(spec).suffix.lower()
        if Path(spec).is_file() and suffix in LIST_FORMATS:
            kind = LIST_FORMATS[suffix]
            readers.append(_JsonlList(spec, fields) if kind == "jsonl" else _CsvList(spec, fields))
        else:
            readers.append(_Files(spec, skip))
    return readers


# --- policycheck batch: outputs --------------------------------------------------------------


class _SourceSet:
    """The sources already in the output: 8-byte hashes in a sorted array (8 MB per million)."""

    def __init__(self) -> None:
        self._new = array("Q")
        self._sorted: Any = None

    @staticmethod
    def _hash(source: str) -> int:
        return int.from_bytes(hashlib.blake2b(source.encode(), digest_size=8).digest(), "little")

    def add(self, source: str | None) -> None:
        if source is not None:
            self._new.append(self._hash(source))
            self._sorted = None

    def freeze(self) -> None:
        import numpy as np

        self._sorted = np.unique(np.frombuffer(self._new, dtype=np.uint64))

    def __len__(self) -> int:
        return len(self._new)

    def __contains__(self, source: str) -> bool:
        import numpy as np

        if self._sorted is None:
            self.freeze()
        h = np.uint64(self._hash(source))
        i = int(np.searchsorted(self._sorted, h))
        return i < len(self._sorted) and self._sorted[i] == h


def _json_record(result: Result) -> tuple[bool, str]:
    """(failed, JSON line): made in the worker, so the writing process only writes."""
    return isinstance(result, Failed), json.dumps(result.to_dict(), ensure_ascii=False)


def _table_record(result: Result) -> tuple[bool, dict[str, Any]]:
    from checker.frames import report_row

    return isinstance(result, Failed), report_row(result)


class _Writer:
    #: turns a result into what ``write`` takes; runs in the workers
    transform: Callable[[Result], tuple[bool, Any]] = staticmethod(_table_record)

    def __init__(self, out: Path) -> None:
        self.out = out
        self.done = _SourceSet()

    def write(self, record: Any) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """The batch ran to the end: make ``out`` whole."""

    def abort(self) -> None:
        """The batch stopped: keep what was checked, for the next run to resume from."""


def _check_writable_dir(out: Path) -> None:
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise PolicycheckError(f"cannot write {out}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise PolicycheckError(f"cannot write {out}: folder {parent} is not writable")
    if out.is_dir():
        raise PolicycheckError(f"cannot write {out}: it is a folder")


_OUR_RECORDS = (b'{"schema_version"', b'{"source"')  # how report and error lines begin


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


class _JsonlWriter(_Writer):
    """Appends one report (or error entry) per line; a rerun skips the sources already there."""

    def __init__(self, out: Path) -> None:
        super().__init__(out)
        _check_writable_dir(out)
        torn_at = self._scan() if out.exists() else None
        try:
            if torn_at is not None:  # a line cut short by a crash: drop it, it is re-checked
                with open(out, "r+b") as f:
                    f.truncate(torn_at)
            self.f = open(out, "a", encoding="utf-8")  # noqa: SIM115 (closed in finish/abort)
            if self.f.tell() and not _ends_with_newline(out):
                self.f.write("\n")  # a whole last record that lost only its newline
        except OSError as e:
            raise PolicycheckError(f"cannot write {out}: {e.strerror or e}") from None

    def _scan(self) -> int | None:
        offset, torn_at = 0, None
        try:
            with open(self.out, "rb") as f:
                for n, line in enumerate(f, 1):
                    record = _parse_json_line(line) if line.strip() else {}
                    if isinstance(record, str) or (record and "source" not in record):
                        if not line.endswith(b"\n") and line.startswith(_OUR_RECORDS):
                            torn_at = offset  # our last record, cut short by a crash
                            break
                        raise PolicycheckError(
                            f"{self.out} line {n} is not a policycheck result; "
                            "refusing to append to it (choose another --out)"
                        )
                    if record:
                        self.done.add(record.get("source"))
                    offset += len(line)
        except OSError as e:
            raise PolicycheckError(f"cannot read {self.out}: {e.strerror or e}") from None
        return torn_at

    transform = staticmethod(_json_record)

    def write(self, record: str) -> None:
        self.f.write(record + "\n")
        self.f.flush()

    def finish(self) -> None:
        self.f.close()

    def abort(self) -> None:
        # the disk is full: the lines already flushed are whole and kept
        with contextlib.suppress(OSError):
            self.f.close()


class _PartsWriter(_Writer):
    """CSV or Parquet: rows go to numbered part files beside ``out``, merged into it at the end.

    Each part is written to a temporary name and renamed, so a part is whole or absent; an
    interrupted run loses at most the rows of the part being filled. At the end (and at the
    start of a rerun's end) ``out`` plus the parts are merged into a temporary file that
    replaces ``out`` in one rename, and only then are the parts removed.
    """

    def __init__(self, out: Path, fmt: str, part_size: int) -> None:
        super().__init__(out)
        self.fmt, self.part_size = fmt, max(1, part_size)
        self.ext = ".csv" if fmt == "csv" else ".parquet"
        self.parts_dir = Path(str(out) + PARTS_SUFFIX)
        self.rows: list[dict[str, Any]] = []
        _check_writable_dir(out)
        if fmt == "parquet":
            self.pq = optional_import("pyarrow.parquet", "writing Parquet")
            self.pa = optional_import("pyarrow", "writing Parquet")
            self.schema = _arrow_schema()
        if self.out.exists():  # checked before anything is created beside it
            for source in self._read_sources(self.out):
                self.done.add(source)
        try:
            self.parts_dir.mkdir(exist_ok=True)
            for stale in self.parts_dir.glob("*.tmp"):
                stale.unlink()
        except OSError as e:
            raise PolicycheckError(f"cannot write {self.parts_dir}: {e.strerror or e}") from None
        try:
            for part in self._parts():
                for source in self._read_sources(part):
                    self.done.add(source)
        except BaseException:
            self.abort()
            raise
        self.next_part = 1 + max((int(p.stem.split("-")[1]) for p in self._parts()), default=0)

    def _parts(self) -> list[Path]:
        return sorted(self.parts_dir.glob(f"part-*{self.ext}"))

    def _sources(self) -> list[Path]:
        return ([self.out] if self.out.exists() else []) + self._parts()

    def _read_sources(self, path: Path) -> Iterator[str | None]:
        from checker.frames import COLUMN_NAMES

        try:
            if self.fmt == "parquet":
                try:
                    pf = self.pq.ParquetFile(path)
                except Exception as e:
                    raise PolicycheckError(f"{path} is not a readable Parquet file: {e}") from None
                if tuple(pf.schema_arrow.names) != COLUMN_NAMES:
                    raise PolicycheckError(_other_columns(path))
                for batch in pf.iter_batches(columns=["source"], batch_size=65536):
                    yield from batch.column(0).to_pylist()
            else:
                with open(path, newline="", encoding="utf-8") as f:
                    reader = csv.reader(f)
                    if tuple(next(reader, ())) != COLUMN_NAMES:
                        raise PolicycheckError(_other_columns(path))
                    for row in reader:
                        yield row[0] if row else None
        except (OSError, UnicodeDecodeError, csv.Error) as e:
            raise PolicycheckError(
                f"cannot read {path}: {getattr(e, 'strerror', None) or e}"
            ) from None

    def write(self, record: dict[str, Any]) -> None:
        self.rows.append(record)
        if len(self.rows) >= self.part_size:
            self._flush()

    def _flush(self) -> None:
        if not self.rows:
            return
        final = self.parts_dir / f"part-{self.next_part:06d}{self.ext}"
        tmp = final.with_name(final.name + ".tmp")
        self._write_rows(tmp, self.rows)
        os.replace(tmp, final)
        self.next_part += 1
        self.rows = []

    def _write_rows(self, path: Path, rows: list[dict[str, Any]]) -> None:
        from checker.frames import COLUMN_NAMES

        if self.fmt == "parquet":
            table = self.pa.Table.from_pylist(rows, schema=self.schema)
            self.pq.write_table(table, path)
            return
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=COLUMN_NAMES, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)

    def finish(self) -> None:
        self._flush()
        parts = self._parts()
        if not parts and self.out.exists():
            self.parts_dir.rmdir()
            return
        tmp = self.out.with_name(self.out.name + ".tmp")
        try:
            self._merge(tmp)
        except OSError:
            tmp.unlink(missing_ok=True)  # the output and the parts are untouched
            raise
        os.replace(tmp, self.out)
        for p in parts:
            p.unlink()
        self.parts_dir.rmdir()

    def _merge(self, tmp: Path) -> None:
        if self.fmt == "parquet":
            with self.pq.ParquetWriter(tmp, self.schema) as writer:
                for src in self._sources():
                    for batch in self.pq.ParquetFile(src).iter_batches(batch_size=65536):
                        writer.write_table(self.pa.Table.from_batches([batch]).cast(self.schema))
            return
        from checker.frames import COLUMN_NAMES

        with open(tmp, "w", newline="", encoding="utf-8") as dst:
            csv.writer(dst, lineterminator="\n").writerow(COLUMN_NAMES)
            for src in self._sources():
                with open(src, newline="", encoding="utf-8") as f:
                    f.readline()  # the header
                    shutil.copyfileobj(f, dst)

    def abort(self) -> None:
        try:
            self._flush()
        except OSError:  # the disk is full: the parts already renamed are whole and kept
            for tmp in self.parts_dir.glob("*.tmp"):
                tmp.unlink(missing_ok=True)
        if self.parts_dir.is_dir() and not any(self.parts_dir.iterdir()):
            self.parts_dir.rmdir()


def _write_failed(out: Path, error: OSError, documents: int) -> str:
    """The one-line message for a full disk (or any failed write) in the middle of a batch."""
    return (
        f"cannot write {out}: {error.strerror or error}; the results saved before it are kept "
        f"({documents} documents checked in this run); free some space and rerun the same "
        "command to resume"
    )


def _other_columns(path: Path) -> str:
    return (
        f"{path} has other columns than this version of policycheck writes; "
        "choose another --out (nothing was changed)"
    )


def open_output(out: str | os.PathLike[str], part_size: int = DEFAULT_PART_SIZE) -> _Writer:
    out = Path(out)
    fmt = OUTPUT_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise PolicycheckError(
            f"cannot tell the output format of {out}: use a name ending in .jsonl, .csv or .parquet"
        )
    if fmt == "jsonl":
        return _JsonlWriter(out)
    return _PartsWriter(out, fmt, part_size)


# --- policycheck batch: the run --------------------------------------------------------------


@dataclass(frozen=True)
class BatchSummary:
    documents: int  # checked in this run, failures included
    failed: int
    skipped: int  # already in the output from an earlier run
    elapsed: float  # seconds
    out: str | None = None

    @property
    def per_second(self) -> float:
        return self.documents / self.elapsed if self.elapsed > 0 else 0.0

    def line(self) -> str:
        skipped = f", {self.skipped} skipped (already done)" if self.skipped else ""
        where = f" -> {self.out}" if self.out else ""
        return (
            f"{self.documents} documents, {self.failed} failed{skipped}, "
            f"{self.elapsed:.1f} s, {self.per_second:.1f} policies/s{where}"
        )


def _cli_bar(progress: Any, total: int | None) -> Any:
    if progress is True:
        try:
            from tqdm import tqdm
        except ImportError:
            return None
        tqdm.monitor_interval = 0  # no monitor thread: the bar updates on every document
        return tqdm(total=total, unit="doc", desc="policycheck", file=sys.stderr, disable=None)
    return _progress_bar(progress, total)


def run_batch(
    inputs: Sequence[str],
    out: str | os.PathLike[str],
    *,
    n_jobs: int | None = None,
    client: Any = None,
    progress: Any = True,
    fields: Fields | None = None,
    part_size: int = DEFAULT_PART_SIZE,
    model: Model | str | os.PathLike[str] | None = None,
    require: Iterable[str] | str | None = None,
    fail_on: str = "absent",
) -> BatchSummary:
    """``policycheck batch``: check every document of ``inputs`` not yet in ``out``.

    ``inputs``: folders (read recursively), globs, policy files, and ``.jsonl`` / ``.csv``
    lists with a text or path field. ``out``: ``.jsonl`` (full reports, appended), ``.csv``
    or ``.parquet`` (the ``to_frame`` layout, written in parts and merged at the end). A rerun
    skips the sources already in ``out``. Raises ``PolicycheckError`` when the batch cannot run;
    documents that cannot be checked are stored as failures and counted.
    """
    out = Path(out)
    options = _options(require, fail_on)
    readers = open_inputs(inputs, fields, exclude=[str(out), str(out) + PARTS_SUFFIX])
    loaded = _resolve_model(model)
    close: list[Callable[[], None]] = []
    client = _connect(client, close) if client is not None else None  # before out is touched
    try:
        return _run(readers, out, loaded, n_jobs, client, progress, part_size, options)
    finally:
        for fn in close:
            fn()


def _run(
    readers: list[_Input],
    out: Path,
    model: Model,
    n_jobs: int | None,
    client: Any,
    progress: Any,
    part_size: int,
    options: dict[str, Any],
) -> BatchSummary:
    writer = open_output(out, part_size)
    try:
        total = sum(r.count() for r in readers) if progress else None
    except BaseException:
        writer.abort()
        raise
    bar = _cli_bar(progress, total)
    counts = {"documents": 0, "failed": 0, "skipped": 0}
    done = writer.done
    done.freeze()

    def todo() -> Iterator[Item | Failed]:
        for reader in readers:
            for item in reader:
                if len(done) and item.source is not None and item.source in done:
                    counts["skipped"] += 1
                    if bar is not None:
                        bar.update(1)
                    continue
                yield item

    t0 = time.perf_counter()
    try:
        results = _start(
            todo(),
            options=options,
            model=model,
            n_jobs=n_jobs,
            client=client,
            transform=writer.transform,
        )
        for failed, record in results:
            try:
                writer.write(record)
            except OSError as e:  # the writer is aborted below, keeping what is saved
                raise PolicycheckError(_write_failed(out, e, counts["documents"])) from None
            counts["documents"] += 1
            counts["failed"] += failed
            if bar is not None:
                bar.update(1)
                if counts["failed"]:
                    bar.set_postfix(failed=counts["failed"], refresh=False)
    except KeyboardInterrupt:
        writer.abort()
        raise PolicycheckError(
            f"interrupted after {counts['documents']} documents; they are saved, "
            "rerun the same command to resume"
        ) from None
    except BaseException:
        writer.abort()
        raise
    finally:
        if bar is not None:
            bar.close()
    try:
        writer.finish()
    except OSError as e:
        raise PolicycheckError(_write_failed(out, e, counts["documents"])) from None
    return BatchSummary(
        counts["documents"],
        counts["failed"],
        counts["skipped"],
        time.perf_counter() - t0,
        str(out),
    )
