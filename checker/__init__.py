"""policycheck: does a privacy policy make the disclosures the GDPR requires, and where?

>>> from checker import check
>>> report = check(open("privacy.md").read())
>>> report.element("retention").status
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "check", "check_bytes", "check_many", "check_path", "load_model"]

if TYPE_CHECKING:
    from checker.engine import check, check_bytes, check_many, check_path
    from checker.model import load as load_model


def __getattr__(name: str) -> Any:
    # Lazy: `policycheck elements` and `--help` should not pay for NumPy.
    if name in ("check", "check_bytes", "check_path", "check_many"):
        from checker import engine

        return getattr(engine, name)
    if name == "load_model":
        from checker.model import load

        return load
    raise AttributeError(name)
