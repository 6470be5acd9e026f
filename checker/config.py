"""Project configuration: ``[tool.policycheck]`` in pyproject.toml, or a ``.policycheck.toml``.

The file is found by walking up from the current directory; in each directory a
``.policycheck.toml`` wins over a ``pyproject.toml``, and a ``pyproject.toml`` without a
``[tool.policycheck]`` table is passed over. Keys (the same in both files)::

    require = ["dpo_contact", "retention"]   # or "dpo_contact,retention"; default: all
    fail-on = "absent"                       # or "uncertain"

    [waive]                                  # documented exceptions: id = "reason"
    children = "The service is B2B only; accounts require a company contract."

    [[files]]                                # per-file overrides, applied in order
    glob = "docs/legal/*.html"               # no "/": matched against the file name
    require = ["retention"]
    fail-on = "uncertain"
    waive = { dpo_contact = "Covered by the group policy linked from this page." }

Precedence, lowest first: built-in defaults, the top-level keys, each matching ``[[files]]``
entry in order, then the command line. ``waive`` tables are merged key by key in that order.
A waived element keeps its status in every report but is not required, so it cannot fail a run.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker import registry
from checker.errors import PolicycheckError
from checker.report import FAIL_ON

CONFIG_FILE = ".policycheck.toml"
PYPROJECT = "pyproject.toml"
DEFAULT_FAIL_ON = "absent"
TOP_KEYS = ("require", "fail-on", "waive", "files")
FILE_KEYS = ("glob", "require", "fail-on", "waive")


class ConfigError(PolicycheckError):
    """The configuration file is unreadable or says something policycheck cannot apply."""

    code = "config"


@dataclass(frozen=True)
class Overrides:
    """One layer of settings; ``None`` / empty means "inherit from the layer below"."""

    require: tuple[str, ...] | None = None
    fail_on: str | None = None
    waive: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_cli(
        cls,
        require: str | None = None,
        fail_on: str | None = None,
        waive: list[str] | None = None,
    ) -> Overrides:
        """Command-line values (``--waive ID=REASON`` may repeat), validated before any work."""
        waivers: dict[str, str] = {}
        for item in waive or []:
            element_id, sep, reason = item.partition("=")
            if not sep or not reason.strip():
                raise ConfigError(f"--waive needs ID=REASON (a waiver says why), not {item!r}")
            waivers[registry.get(element_id.strip()).id] = reason.strip()
        return cls(
            require=None if require is None else registry.parse_ids(require),
            fail_on=_fail_on(fail_on, "--fail-on") if fail_on is not None else None,
            waive=waivers,
        )


@dataclass(frozen=True)
class FileRule:
    glob: str
    overrides: Overrides

    def matches(self, relpath: str) -> bool:
        target = relpath if "/" in self.glob else relpath.rsplit("/", 1)[-1]
        return _glob_regex(self.glob).match(target) is not None


@dataclass(frozen=True)
class Settings:
    """What applies to one file: the ids that can fail it, the fail-on status, the waivers."""

    require: tuple[str, ...]  # required and not waived, in registry order
    fail_on: str
    waived: dict[str, str]  # element id -> reason

    def waiver_notes(self) -> list[str]:
        """One report warning per waiver, so JSON output carries them too (schema-valid)."""
        return [waiver_note(i, r) for i, r in self.waived.items()]


def waiver_note(element_id: str, reason: str) -> str:
    return f"{element_id} is waived (not required): {reason}"


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # None: no configuration file applies
    base: Overrides = field(default_factory=Overrides)
    files: tuple[FileRule, ...] = ()

    @property
    def root(self) -> Path:
        """Directory that ``[[files]]`` globs are relative to."""
        return self.path.parent if self.path else Path.cwd()

    def settings_for(self, path: str | None, cli: Overrides | None = None) -> Settings:
        """Resolve the layers for one file (``path`` None: standard input, no file rules)."""
        layers = [self.base]
        if path is not None:
            rel = _relative_to(path, self.root)
            layers += [r.overrides for r in self.files if r.matches(rel)]
        layers.append(cli or Overrides())
        require: tuple[str, ...] = registry.ELEMENT_IDS
        fail_on = DEFAULT_FAIL_ON
        waived: dict[str, str] = {}
        for layer in layers:
            require = layer.require if layer.require is not None else require
            fail_on = layer.fail_on or fail_on
            waived.update(layer.waive)
        waived = {i: waived[i] for i in registry.ELEMENT_IDS if i in waived}
        effective = tuple(i for i in require if i not in waived)
        if not effective:
            where = f" for {path}" if path else ""
            raise ConfigError(
                f"every required element is waived{where} ({', '.join(require)}); "
                "nothing would be checked"
            )
        return Settings(effective, fail_on, waived)


def find_config(start: Path | None = None) -> Path | None:
    """The nearest configuration file at or above ``start`` (default: the current directory)."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        own = d / CONFIG_FILE
        if own.is_file():
            return own
        py = d / PYPROJECT
        if py.is_file() and "policycheck" in _read_toml(py).get("tool", {}):
            return py
    return None


def load_config(path: Path) -> Config:
    """Parse and validate one configuration file; every mistake is a ``ConfigError``."""
    data = _read_toml(path)
    if path.name == PYPROJECT:
        table = data.get("tool", {}).get("policycheck")
        if table is None:
            raise ConfigError(f"{_show(path)}: no [tool.policycheck] table")
        where = "[tool.policycheck]"
    else:
        table, where = data, "top level"
    if not isinstance(table, dict):
        raise ConfigError(f"{_show(path)}: {where} must be a table")
    _known_keys(path, where, table, TOP_KEYS)
    files_spec = table.get("files", [])
    if not isinstance(files_spec, list) or not all(isinstance(f, dict) for f in files_spec):
        raise ConfigError(f"{_show(path)}: 'files' must be an array of tables ([[files]])")
    rules = []
    for n, spec in enumerate(files_spec, 1):
        here = f"{where} files entry {n}"
        _known_keys(path, here, spec, FILE_KEYS)
        glob = spec.get("glob")
        if not isinstance(glob, str) or not glob.strip():
            raise ConfigError(f"{_show(path)}: {here} needs a 'glob' string")
        rules.append(FileRule(_clean_glob(glob), _overrides(path, here, spec)))
    return Config(path=path, base=_overrides(path, where, table), files=tuple(rules))


def resolve_config(explicit: str | None = None, disabled: bool = False) -> Config:
    """The CLI's rule: ``--no-config``, else ``--config FILE``, else the nearest file, else none."""
    if disabled:
        return Config()
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"config file {explicit} not found")
        return load_config(path)
    found = find_config()
    return load_config(found) if found else Config()


# --- helpers ----------------------------------------------------------------------------------


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{_show(path)}: not valid TOML: {e}") from None
    except OSError as e:
        raise ConfigError(f"cannot read {_show(path)}: {e.strerror or e}") from None


def _known_keys(path: Path, where: str, table: Mapping[str, Any], known: tuple[str, ...]) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(
                f"{_show(path)}: {where}: unknown key {key!r} (known: {', '.join(known)})"
            )


def _overrides(path: Path, where: str, table: Mapping[str, Any]) -> Overrides:
    def fail(msg: str) -> ConfigError:
        return ConfigError(f"{_show(path)}: {where}: {msg}")

    require = table.get("require")
    if require is not None:
        if not isinstance(require, str | list) or (
            isinstance(require, list) and not all(isinstance(x, str) for x in require)
        ):
            raise fail("'require' must be a list of element ids or a comma-separated string")
        try:
            require = registry.parse_ids(require)
        except PolicycheckError as e:
            raise fail(f"require: {e}") from None
    fail_on = table.get("fail-on")
    if fail_on is not None:
        try:
            fail_on = _fail_on(fail_on, "fail-on")
        except ConfigError as e:
            raise fail(str(e)) from None
    waive = table.get("waive", {})
    if not isinstance(waive, dict):
        raise fail("'waive' must be a table of element id = \"reason\"")
    waivers = {}
    for key, reason in waive.items():
        try:
            element_id = registry.get(key).id
        except PolicycheckError as e:
            raise fail(f"waive: {e}") from None
        if not isinstance(reason, str) or not reason.strip():
            raise fail(f"waive.{key} needs a reason (a non-empty string saying why)")
        waivers[element_id] = reason.strip()
    return Overrides(require=require, fail_on=fail_on, waive=waivers)


def _fail_on(value: object, name: str) -> str:
    if value not in FAIL_ON:
        raise ConfigError(f"{name} must be one of {', '.join(FAIL_ON)}, not {value!r}")
    return str(value)


def _clean_glob(glob: str) -> str:
    glob = glob.strip().replace("\\", "/")
    while glob.startswith("./"):
        glob = glob[2:]
    return glob.lstrip("/")


def _relative_to(path: str, root: Path) -> str:
    """``path`` (as given, relative to the current directory) relative to ``root``, with /."""
    absolute = Path(os.path.normpath(Path.cwd() / path))
    try:
        return absolute.relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(os.path.normpath(path)).as_posix()


def _glob_regex(glob: str) -> re.Pattern[str]:
    """Shell-style glob: ``*`` and ``?`` stay within a directory, ``**/`` spans any number."""
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and "]" in glob[i + 2 :]:
            end = glob.index("]", i + 2)
            body = glob[i + 1 : end]
            body = "^" + body[1:] if body.startswith("!") else body
            out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
