"""Parse PDF and DOCX in a child process, bounded in time and memory.

PDF and DOCX parsers walk attacker-controlled structures, so the API never parses them in the
server process: each one is read in a child forked from a small fork server (which has
``checker.extract`` already imported, so a parse starts in milliseconds), with an address-space
limit on the child and a wall-clock timeout enforced by the parent, which kills the child when
it expires. The document goes to the child and the text comes back through a pipe: nothing
touches the disk.

This module imports only the standard library and ``checker.extract``: the fork server
preloads it, and it must stay light.
"""

from __future__ import annotations

import multiprocessing
import os
from functools import lru_cache
from multiprocessing.connection import Connection
from typing import Any

from checker.errors import InputError
from checker.extract import InputTooLargeError, read_policy


class ParseTimeout(Exception):
    """The child did not finish in time (it has been killed)."""


class ParseCrashed(Exception):
    """The child died without an answer (out of memory, or a crash in a parser)."""


class ParseFailed(Exception):
    """The child hit an unexpected error; only its type name comes back."""


@lru_cache(maxsize=1)
def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["api.isolation", "pypdf"])  # a missing one is skipped
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - not Linux/macOS


def extract_isolated(
    data: bytes,
    *,
    filename: str | None,
    media_type: str | None,
    max_bytes: int,
    timeout: float,
    memory_bytes: int,
) -> tuple[str, str]:
    """``read_policy`` in a child process: (text, format), or the InputError it raised."""
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_child,
        args=(sender, data, filename, media_type, max_bytes, memory_bytes),
        name="policycheck-parse",
        daemon=True,
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise ParseTimeout
        try:
            kind, value, fmt = receiver.recv()
        except EOFError:
            raise ParseCrashed from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()
    if kind == "ok":
        return value, fmt
    if kind == "too_large":
        raise InputTooLargeError(value)
    if kind == "input":
        raise InputError(value)
    raise ParseFailed(value)


def _child(
    conn: Connection,
    data: bytes,
    filename: str | None,
    media_type: str | None,
    max_bytes: int,
    memory_bytes: int,
) -> None:
    try:
        _limit_memory(memory_bytes)
        text, fmt = read_policy(data, filename=filename, media_type=media_type, max_bytes=max_bytes)
        del data
        conn.send(("ok", text, fmt))
    except InputTooLargeError as e:
        conn.send(("too_large", str(e), None))
    except InputError as e:
        conn.send(("input", str(e), None))
    except MemoryError:
        conn.send(("too_large", "the document needs too much memory to parse", None))
    except BaseException as e:  # a parser bug: report the type, never the message
        conn.send(("error", type(e).__name__, None))
    finally:
        conn.close()


def _limit_memory(extra_bytes: int) -> None:
    """Cap the child's address space at what it has now plus ``extra_bytes``."""
    try:
        import resource

        with open("/proc/self/statm") as f:
            current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):  # pragma: no cover - not Linux
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + extra_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
