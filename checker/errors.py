"""Errors a user can act on. Each carries a one-line message; the CLI maps them to exit 2."""

from __future__ import annotations


class PolicycheckError(Exception):
    """Base class: anything raised on purpose by policycheck."""

    code = "error"


class InputError(PolicycheckError):
    """The input cannot be read as a policy (empty, binary, too large, undecodable)."""

    code = "input"


class ModelError(PolicycheckError):
    """The model artifact is missing, tampered with or incompatible."""

    code = "model"
