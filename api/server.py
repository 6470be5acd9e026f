"""``policycheck serve``: run the API with uvicorn (the bundled model unless configured)."""

from __future__ import annotations

import os

import uvicorn

import api.app  # noqa: F401  (its dependencies missing is an ImportError here, not in a worker)
from api.settings import Settings


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> int:
    """Run uvicorn on ``api.app:create_app`` (settings from POLICYCHECK_* variables)."""
    settings = Settings()  # fail early, in the parent, on a bad setting
    uvicorn.run(
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
    return 0


if __name__ == "__main__":  # pragma: no cover
    serve(port=int(os.environ.get("PORT", "8000")))
