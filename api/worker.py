"""One server process: uvicorn on ``api.app:create_app`` (settings from POLICYCHECK_* variables).

``policycheck serve`` runs :func:`run` in its own process (one worker), or in each worker that
``api.server`` forks (``--workers N`` on Linux: each binds its own SO_REUSEPORT listener), or
hands ``--workers N`` to uvicorn's supervisor with one shared listener where SO_REUSEPORT does
not spread connections (:func:`run_shared_listener`). This module imports uvicorn and pydantic;
``api.server`` imports it only in a worker, so the supervisor stays small.
"""

from __future__ import annotations

import logging
import os
import socket
import sys

import uvicorn
from pydantic import ValidationError

from api import memory
from api.server import family_of
from api.settings import Settings

STARTUP_FAILURE = 3  # exit code of a server that could not start (as uvicorn.config's)
BAD_SETTINGS = 2  # the CLI's "could not run"

log = logging.getLogger("uvicorn.error")


class _Config(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        # uvicorn binds the shared listener of --workers N with proto 0; accepted sockets
        # inherit it and asyncio then never sets TCP_NODELAY, so every keep-alive response
        # waits ~40 ms for the client's delayed ACK (uvicorn issue #3149).
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, sock.detach())
        return sock


def settings_error() -> str | None:
    """None if the POLICYCHECK_* settings are valid, else one line saying which is wrong."""
    try:
        Settings()
    except ValidationError as e:
        return "; ".join(
            f"bad setting POLICYCHECK_{'_'.join(map(str, err['loc'])).upper()}: {err['msg']}"
            for err in e.errors()
        )
    return None


def config(host: str, port: int, workers: int = 1) -> uvicorn.Config:
    settings = Settings()
    return _Config(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level,
        proxy_headers=False,
        server_header=False,
        date_header=True,
        timeout_graceful_shutdown=10,
        env_file=None,
    )


def bind_reuse_port(host: str, port: int) -> socket.socket:
    """A socket bound to host:port with SO_REUSEPORT, one per worker: the kernel spreads new
    connections over all the listening sockets of the group (same user, same address)."""
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only then (see _Config).
    sock = socket.socket(family_of(host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def run(host: str, port: int, *, reuse_port: bool = False) -> int:
    """Serve in this process until SIGINT/SIGTERM: 0, ``BAD_SETTINGS`` or ``STARTUP_FAILURE``.

    With ``reuse_port`` the listener is this process's own SO_REUSEPORT socket; it starts
    listening only once the app is up (model loaded), so no connection waits on a worker that
    is still starting. Any failure before the server is up is ``STARTUP_FAILURE``, which
    ``api.server`` does not retry.
    """
    if (error := settings_error()) is not None:
        print(f"policycheck: {error}", file=sys.stderr)
        return BAD_SETTINGS
    memory.cap_arenas()
    server = uvicorn.Server(config(host, port))
    sockets = None
    if reuse_port:
        try:
            sockets = [bind_reuse_port(host, port)]
        except OSError as e:
            log.error("cannot listen on %s:%d: %s", host, port, e)
            return STARTUP_FAILURE
    try:
        server.run(sockets)
    except Exception:
        if server.started:
            raise
        log.exception("worker [%d] could not start", os.getpid())
        return STARTUP_FAILURE
    return 0 if server.started else STARTUP_FAILURE


def run_shared_listener(host: str, port: int, workers: int) -> int:
    """uvicorn's supervisor: ``workers`` spawned processes accepting on one shared socket."""
    from uvicorn.supervisors import Multiprocess

    if (error := settings_error()) is not None:
        print(f"policycheck: {error}", file=sys.stderr)
        return BAD_SETTINGS
    cfg = config(host, port, workers)
    supervisor = Multiprocess(cfg, sockets=[cfg.bind_socket()])
    supervisor.run()
    failed = any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes)
    return STARTUP_FAILURE if failed else 0
