"""``policycheck serve``: run the API with uvicorn (the bundled model unless configured).

One worker: this process is the server (``api.worker.run``).

``--workers N`` on Linux: this process becomes a small supervisor that forks N workers. Each
worker imports the app, loads the model and binds its *own* listening socket on host:port with
SO_REUSEPORT, so the kernel spreads new connections over the workers (by a hash of the client's
address and port). With uvicorn's one shared listener, the worker whose event loop woke first
accepted every waiting connection, and keep-alive clients then stayed on it while the other
worker idled. The supervisor imports only a little of the standard library, not even
``multiprocessing`` (about 15 MB resident, where importing the app would cost 60 MB more and
uvicorn's spawn start another 13 MB for a resource tracker process; what it imports, every
worker holds too, as it is forked from it) and:

- checks the settings in a short-lived child and that host:port is free (a bind without
  SO_REUSEPORT, which also refuses to join the sockets of a server still running there), and
  exits 2 or 3 before starting any worker;
- restarts a worker that dies, unless it failed to start (exit code 3: the app, the settings or
  the socket is broken and would fail again), in which case it stops the others and exits 3, as
  uvicorn's supervisor does;
- on SIGINT or SIGTERM sends SIGTERM to the workers, which finish their requests (graceful
  shutdown, up to 10 s), and kills any still there 5 s later; a worker whose supervisor dies
  gets SIGTERM from the kernel (PR_SET_PDEATHSIG), so no orphan keeps the port.

It does not ping workers for liveness or handle SIGHUP / SIGTTIN / SIGTTOU as uvicorn's
supervisor does. Without SO_REUSEPORT and ``fork`` (not Linux), ``--workers N`` runs uvicorn's
supervisor with one shared listener, as before (``api.worker.run_shared_listener``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import select
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable

# What the api extra must provide for the server to start (pypdf and fastapi-offline are only
# needed by PDF uploads and /docs, which say so). Checked with find_spec: no import here.
REQUIRED_MODULES = (
    "fastapi",
    "uvicorn",
    "pydantic_settings",
    "python_multipart",
    "prometheus_client",
)
STARTUP_FAILURE = 3  # a worker that could not start (api.worker.STARTUP_FAILURE, uvicorn's)
GRACE_SECONDS = 10 + 5  # the workers' graceful shutdown (api.worker.config), then SIGKILL

log = logging.getLogger("policycheck.serve")


def missing_module() -> str | None:
    """The first module of the api extra that is not installed, or None."""
    for name in REQUIRED_MODULES:
        if importlib.util.find_spec(name) is None:
            return name
    return None


def reuse_port_balances() -> bool:
    """Whether workers can each listen with SO_REUSEPORT and get a share of the connections
    (Linux; BSD and macOS accept the option but do not spread connections)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    except (AttributeError, OSError):
        return False
    return True


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> int:
    """Serve until SIGINT/SIGTERM; the exit code: 0, 2 (bad settings), 3 (could not start)."""
    if workers == 1:
        from api.worker import run

        return run(host, port)
    if not reuse_port_balances():
        from api.worker import run_shared_listener

        return run_shared_listener(host, port, workers)
    return supervise(host, port, workers)


def supervise(host: str, port: int, workers: int) -> int:
    """Fork ``workers`` workers, each with its own SO_REUSEPORT listener on host:port."""
    _configure_logging()
    settings_check = Child(_check_settings)  # forked: this process has no threads to fork with
    settings_check.start()
    settings_check.join()
    if settings_check.exitcode != 0:
        return 2 if settings_check.exitcode == 2 else STARTUP_FAILURE
    try:
        port = _free_port(host, port)
    except OSError as e:
        log.error("cannot listen on %s:%d: %s", host, port, e)
        return STARTUP_FAILURE

    received: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda sig, _frame: received.append(sig))
        for sig in (signal.SIGINT, signal.SIGTERM)
    }

    def start() -> Child:
        process = Child(_worker, host, port, os.getpid())
        process.start()
        return process

    url_host = f"[{host}]" if ":" in host else host
    log.info(
        "supervisor [%d]: %d workers on http://%s:%d, each with its own SO_REUSEPORT socket "
        "(Press CTRL+C to quit)",
        os.getpid(),
        workers,
        url_host,
        port,
    )
    processes: list[Child] = []
    code = 0
    try:
        for _ in range(workers):
            processes.append(start())
        while not received and not code:
            _wait([p.sentinel for p in processes], 0.5)
            for i, process in enumerate(processes):
                if process.exitcode is None:
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    log.error("worker [%d] could not start; stopping", process.pid)
                    code = STARTUP_FAILURE
                    break
                log.warning(
                    "worker [%d] died (exit code %s); starting another",
                    process.pid,
                    process.exitcode,
                )
                processes[i] = start()
    finally:
        _stop(processes)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


class Child:
    """A forked child process running ``target(*args)``: the part of ``multiprocessing.Process``
    (fork start method) that the supervisor uses, with the same exit codes (the target's
    ``sys.exit`` code, 1 for an exception, minus the signal number when killed by one), without
    importing ``multiprocessing`` (2 MiB of the supervisor, and of every worker it forks)."""

    def __init__(self, target: Callable[..., object], *args: object) -> None:
        self._target = target
        self._args = args
        self.pid = 0
        self.sentinel = -1  # readable (end of file) once the child has ended
        self._exitcode: int | None = None

    def start(self) -> None:
        read, write = os.pipe()  # close-on-exec: only this child holds the write end
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child (the worker tests cover it)
            os.close(read)
            os._exit(self._run())
        os.close(write)
        self.pid, self.sentinel = pid, read

    def _run(self) -> int:  # pragma: no cover - in the child
        """The target's exit code, as ``multiprocessing.Process`` gives it."""
        code = 1
        try:
            if sys.stdin is not None:  # as multiprocessing: the child does not read the terminal
                try:
                    sys.stdin.close()
                    sys.stdin = open(os.devnull)  # noqa: SIM115 - the process's stdin
                except (OSError, ValueError):
                    pass
            self._target(*self._args)
            code = 0
        except SystemExit as e:
            if e.code is None:
                code = 0
            elif isinstance(e.code, int):
                code = e.code
            else:
                sys.stderr.write(f"{e.code}\n")
        except BaseException:
            traceback.print_exc()
        finally:
            getattr(threading, "_shutdown", lambda: None)()  # join non-daemon threads
            for stream in (sys.stdout, sys.stderr):
                try:
                    if stream is not None:
                        stream.flush()
                except (AttributeError, ValueError, OSError):
                    pass
        return code

    @property
    def exitcode(self) -> int | None:
        """None while the child runs; then its exit code (minus the signal that killed it)."""
        if self._exitcode is None and self.pid:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._exitcode = os.waitstatus_to_exitcode(status)
                os.close(self.sentinel)
        return self._exitcode

    def is_alive(self) -> bool:
        return self.exitcode is None

    def join(self, timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.exitcode is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return
            # The pipe closes when the child exits, a moment before waitpid sees it: poll.
            _wait([self.sentinel], 0.05 if left is None else min(left, 0.05))

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, sig: int) -> None:
        if self.exitcode is None:
            with contextlib.suppress(ProcessLookupError):  # ended in between
                os.kill(self.pid, sig)


def _wait(sentinels: list[int], timeout: float) -> None:
    """Until a child ends or ``timeout`` passes."""
    select.select(sentinels, [], [], timeout)


def _configure_logging() -> None:
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        log.addHandler(handler)
        log.propagate = False
    level = os.environ.get("POLICYCHECK_LOG_LEVEL", "info").upper()  # checked by the child
    log.setLevel(level if level in logging.getLevelNamesMapping() else logging.INFO)


def _check_settings() -> None:
    """(In a child, so that pydantic never loads in the supervisor.) Exit 2 if one is bad."""
    from api.worker import settings_error

    if (error := settings_error()) is not None:
        print(f"policycheck: {error}", file=sys.stderr)
        sys.exit(2)


def family_of(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn's bind_socket


def _free_port(host: str, port: int) -> int:
    """The port (port 0: a free one) if nothing listens on host:port, else OSError.

    Bound without SO_REUSEPORT, so that workers of another server still listening there (same
    user, with SO_REUSEPORT) make it fail instead of silently sharing their connections.
    """
    with socket.socket(family_of(host), socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        return int(sock.getsockname()[1])


def _worker(host: str, port: int, supervisor: int) -> None:
    """A forked worker: default signal handling, SIGTERM when the supervisor dies, serve."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _exit_with(supervisor)
    from api.worker import run

    try:
        sys.exit(run(host, port, reuse_port=True))
    except KeyboardInterrupt:  # Ctrl+C reached the worker too; it has shut down gracefully
        sys.exit(0)


def _exit_with(supervisor: int) -> None:
    """Ask Linux to send this process SIGTERM when its parent dies (PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    except (ImportError, OSError, AttributeError):  # pragma: no cover - no libc prctl
        return
    if os.getppid() != supervisor:  # it died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _stop(processes: list[Child]) -> None:
    """SIGTERM every worker, wait for their graceful shutdown, SIGKILL any left."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            log.warning("worker [%d] did not stop in %d s; killing it", process.pid, GRACE_SECONDS)
            process.kill()
            process.join()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(serve(port=int(os.environ.get("PORT", "8000"))))
