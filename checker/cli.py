"""The ``policycheck`` command: a thin layer over the library whose exit code is the product.

Exit codes: 0 every required element passed; 1 a required element failed (a gap); 2 the check
could not run (usage, unreadable input, missing or tampered model). Errors are one line on
stderr, never a traceback (set POLICYCHECK_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from checker import __version__, registry
from checker.errors import PolicycheckError

EXIT_OK, EXIT_GAPS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "jsonl")
STDIN_NAME = "-"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="policycheck",
        description="Check privacy policies for the disclosures the GDPR requires.",
        epilog="Exit codes: 0 passed, 1 gaps found, 2 could not run.",
    )
    p.add_argument("--version", action="version", version=f"policycheck {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    c = sub.add_parser(
        "check",
        help="check policies and print a gap report",
        description="Check privacy policies (text, Markdown or HTML; - for stdin).",
    )
    c.add_argument("files", nargs="+", metavar="FILE", help="policy files, or - for standard input")
    c.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (readable), json (one document), jsonl (one report per line)",
    )
    c.add_argument(
        "--require",
        metavar="ID,...",
        default=None,
        help=f"elements that must pass (default: all of {','.join(registry.ELEMENT_IDS)})",
    )
    c.add_argument(
        "--fail-on",
        choices=("absent", "uncertain"),
        default="absent",
        help="status that fails a required element (default: absent)",
    )
    c.add_argument(
        "--model",
        metavar="DIR",
        default=os.environ.get("POLICYCHECK_MODEL_DIR"),
        help="model directory (default: the bundled model; env POLICYCHECK_MODEL_DIR)",
    )
    c.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    e = sub.add_parser("elements", help="list the GDPR elements the checker knows")
    e.add_argument("--format", choices=("text", "json"), default="text")

    sub.add_parser("schema", help="print the JSON Schema of the report")
    return p


def _read_input(name: str) -> tuple[bytes, str | None]:
    if name == STDIN_NAME:
        return sys.stdin.buffer.read(), None
    path = Path(name)
    if path.is_dir():
        raise PolicycheckError(f"{name} is a directory; pass the policy files inside it")
    try:
        return path.read_bytes(), path.name
    except OSError as e:
        raise PolicycheckError(f"cannot read {name}: {e.strerror or e}") from None


def _use_color(mode: str, stream: TextIO) -> bool:
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


_MARK = {"present": ("✓", "32"), "absent": ("✗", "31"), "uncertain": ("?", "33")}


def format_text(report: dict[str, Any], color: bool) -> str:
    def paint(s: str, code: str) -> str:
        return f"\033[{code}m{s}\033[0m" if color else s

    lang = report["language"]
    head = f"{report.get('source', '<stdin>')}  (language {lang['code']}"
    head += "" if lang["supported"] else ", not a trained language"
    head += f"; model {report['model']['version']})"
    out = [paint(head, "1")]
    for el in report["elements"]:
        mark, code = _MARK[el["status"]]
        req = "" if el["required"] else " (not required)"
        out.append(
            f"  {paint(mark + ' ' + el['status'].ljust(9), code)} {el['title']}{req}"
            f"  p={el['probability']:.2f}"
        )
        for ev in el["evidence"][:1]:
            out.append(f"      line {ev['line']}: {_clip(ev['text'])}")
        if el["detail"]:
            out.append(f"      retention is {el['detail']}")
        if el["status"] != "present":
            out.append(f"      {', '.join(el['articles'])}: {el['recommendation']}")
            for ev in el["near_misses"][:1]:
                out.append(
                    f"      closest, line {ev['line']}: {_clip(ev['text'])} ({ev['reason']})"
                )
    for w in report["warnings"]:
        out.append(paint(f"  warning: {w}", "33"))
    s = report["summary"]
    verdict = "PASSED" if s["passed"] else f"FAILED ({', '.join(s['failing'])})"
    out.append(
        f"  {paint(verdict, '32' if s['passed'] else '31')}: "
        f"{s['present']} present, {s['absent']} absent, {s['uncertain']} uncertain"
    )
    return "\n".join(out)


def _clip(text: str, n: int = 110) -> str:
    text = " ".join(text.split())
    return f'"{text}"' if len(text) <= n else f'"{text[: n - 1]}…"'


def _cmd_check(a: argparse.Namespace) -> int:
    from checker.engine import check_bytes
    from checker.model import load_cached

    require = registry.parse_ids(a.require)  # validate before any work
    model = load_cached(a.model)
    color = _use_color(a.color, sys.stdout)
    reports: list[dict[str, Any]] = []
    failed_input, passed_all = False, True
    for name in a.files:
        source = "<stdin>" if name == STDIN_NAME else name
        try:
            data, filename = _read_input(name)
            report = check_bytes(
                data,
                filename=filename,
                model=model,
                require=require,
                fail_on=a.fail_on,
                source=source,
            ).to_dict()
        except PolicycheckError as e:
            failed_input = True
            print(f"policycheck: {source}: {e}", file=sys.stderr)
            if a.format != "text":
                reports.append(
                    {
                        "source": source,
                        "error": {"type": getattr(e, "code", "error"), "message": str(e)},
                    }
                )
            continue
        passed_all &= report["summary"]["passed"]
        if a.format == "text":
            print(format_text(report, color))
        elif a.format == "jsonl":
            print(json.dumps(report, ensure_ascii=False))
        else:
            reports.append(report)
    if a.format == "json":
        doc: Any = reports[0] if len(reports) == 1 and len(a.files) == 1 else reports
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    elif a.format == "jsonl":
        for r in reports:  # error entries, so that nothing given is silently dropped
            print(json.dumps(r, ensure_ascii=False))
    if failed_input:
        return EXIT_ERROR
    return EXIT_OK if passed_all else EXIT_GAPS


def _cmd_elements(a: argparse.Namespace) -> int:
    if a.format == "json":
        print(json.dumps([e.as_dict() for e in registry.ELEMENTS], indent=2, ensure_ascii=False))
        return EXIT_OK
    for e in registry.ELEMENTS:
        print(f"{e.id:16s} {e.title}  [{', '.join(e.articles)}]")
        print(f"{'':16s} {e.description}")
    return EXIT_OK


def _cmd_schema(a: argparse.Namespace) -> int:
    from checker.report import report_json_schema

    print(json.dumps(report_json_schema(), indent=2))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        a = parser.parse_args(argv)
    except SystemExit as e:  # argparse: --help / --version exit 0, usage errors exit 2
        return int(e.code or 0)
    handlers = {"check": _cmd_check, "elements": _cmd_elements, "schema": _cmd_schema}
    try:
        return handlers[a.command](a)
    except PolicycheckError as e:
        print(f"policycheck: {e}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        print("policycheck: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as e:
        if os.environ.get("POLICYCHECK_DEBUG"):
            raise
        print(
            f"policycheck: internal error: {type(e).__name__}: {e} "
            "(set POLICYCHECK_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return EXIT_ERROR


def entry() -> None:
    sys.exit(main())
