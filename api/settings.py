"""Every setting of the HTTP API, read from ``POLICYCHECK_*`` environment variables.

One class, documented in ``docs/api.md`` (a test checks that each field is there). Lists
(API keys, CORS origins) are comma-separated: ``POLICYCHECK_API_KEYS=key1,key2``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from checker.extract import MAX_INPUT_BYTES

MiB = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICYCHECK_", extra="ignore", frozen=True)

    model_dir: Path | None = Field(
        default=None,
        description="Model directory (manifest.json + artifact); default: the bundled model.",
    )
    max_upload_bytes: int = Field(
        default=MAX_INPUT_BYTES,
        gt=0,
        description="Largest document accepted, in bytes (one upload, or one batch item).",
    )
    max_batch_bytes: int = Field(
        default=25 * MiB, gt=0, description="Largest request body for /v1/check/batch, in bytes."
    )
    max_extracted_chars: int = Field(
        default=1_000_000,
        gt=0,
        description="Most characters of text a document may yield after extraction.",
    )
    max_batch_items: int = Field(
        default=20, gt=0, description="Most documents in one /v1/check/batch request."
    )
    parse_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a PDF or DOCX may take to parse (in a child process).",
    )
    parse_memory_bytes: int = Field(
        default=512 * MiB,
        gt=0,
        description="Extra memory a PDF or DOCX parse may use (address-space limit of the child).",
    )
    check_concurrency: int = Field(
        default=1,
        gt=0,
        description="Checks that run at the same time in one worker process. A check is "
        "CPU-bound and holds the GIL: more only share one core and hold more memory; run more "
        "workers instead.",
    )
    body_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a client may take to send a whole request body (slow clients "
        "are cut off with 408).",
    )
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated keys; when set, /v1/* and /metrics need "
        "`Authorization: Bearer <key>`.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated origins allowed to call the API from a browser; "
        "none (CORS closed) by default.",
    )
    log_level: Literal["debug", "info", "warning", "error", "critical"] = Field(
        default="info", description="Log level of the API and uvicorn."
    )

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @property
    def max_request_bytes(self) -> int:
        """Body limit of a single check: room for the document as escaped JSON or multipart.

        The document itself (decoded from JSON, or the uploaded file) is then held to
        ``max_upload_bytes``.
        """
        return 2 * self.max_upload_bytes + 64 * 1024
