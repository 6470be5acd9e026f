"""``policycheck serve``: run the API with uvicorn (the bundled model unless configured)."""

from __future__ import annotations

import os
import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

import api.app  # noqa: F401  (its dependencies missing is an ImportError here, not in a worker)
from api.settings import Settings


class _Config(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        # uvicorn binds the shared listener of --workers N with proto 0; accepted sockets
        # inherit it and asyncio then never sets TCP_NODELAY, so every keep-alive response
        # waits ~40 ms for the client's delayed ACK (uvicorn issue #3149).
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, sock.detach())
        return sock


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> int:
    """Run uvicorn on ``api.app:create_app`` (settings from POLICYCHECK_* variables)."""
    settings = Settings()  # fail early, in the parent, on a bad setting
    config = _Config(
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
    server = uvicorn.Server(config)
    try:
        if config.workers > 1:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            server.run()
    except KeyboardInterrupt:
        pass
    if config.workers == 1 and not server.started:
        sys.exit(3)  # as uvicorn.run: the server could not start
    return 0


if __name__ == "__main__":  # pragma: no cover
    serve(port=int(os.environ.get("PORT", "8000")))
