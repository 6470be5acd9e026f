"""The optional C accelerators (``setup.py``): each is None when it was not built or is off.

Every accelerated function has a pure-Python twin with the same results; tests run both.
``POLICYCHECK_PURE_PYTHON=1`` turns the accelerators off (to compare, or to rule them out).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

PURE_PYTHON = os.environ.get("POLICYCHECK_PURE_PYTHON", "") not in ("", "0")
NAMES = ("features", "literals")  # the extensions setup.py declares


def load(name: str) -> ModuleType | None:
    """``checker._native_<name>``, or None if it is not built or accelerators are off."""
    if PURE_PYTHON:
        return None
    try:
        return importlib.import_module(f"checker._native_{name}")
    except ImportError:
        return None
