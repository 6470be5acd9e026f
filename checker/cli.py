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
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, TextIO

from checker import __version__, registry
from checker.errors import PolicycheckError

EXIT_OK, EXIT_GAPS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "jsonl", "sarif", "junit", "github", "markdown")
DIFF_FORMATS = ("text", "json", "markdown")
STDIN_NAME = "-"


def _version() -> str:
    """The version and which C accelerators run: a slow install shows it here."""
    from checker import native

    built = [name for name in native.NAMES if native.load(name) is not None]
    how = (
        "turned off by POLICYCHECK_PURE_PYTHON"
        if native.PURE_PYTHON
        else ", ".join(built) or "none built (pure Python)"
    )
    return f"policycheck {__version__} (C accelerators: {how})"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="policycheck",
        description="Check privacy policies for the disclosures the GDPR requires.",
        epilog="Exit codes: 0 passed, 1 gaps found (diff: a required element was lost), "
        "2 could not run.",
    )
    p.add_argument("--version", action="version", version=_version())
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
        help="text (readable), json (one document), jsonl (one report per line), "
        "sarif (SARIF 2.1.0), junit (JUnit XML), github (workflow annotations and job "
        "summary), markdown (pull-request comment)",
    )
    _settings_options(c)
    _fail_on_option(c)
    c.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    e = sub.add_parser("elements", help="list the GDPR elements the checker knows")
    e.add_argument("--format", choices=("text", "json"), default="text")

    sub.add_parser("schema", help="print the JSON Schema of the report")

    v = sub.add_parser("serve", help="run the HTTP API and upload page (needs the api extra)")
    v.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    v.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    v.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="worker processes, one per core (on Linux each gets a share of the connections)",
    )

    d = sub.add_parser(
        "diff",
        help="compare two versions of a policy; exit 1 if a required element was lost",
        description="Compare two versions of a policy. OLD and NEW are files, - for stdin, or "
        "REV:PATH for a file at a git revision (read with git show, e.g. HEAD~1:privacy.md).",
    )
    d.add_argument("old", metavar="OLD", help="FILE, - or REV:PATH")
    d.add_argument("new", metavar="NEW", help="FILE, - or REV:PATH")
    d.add_argument("--format", choices=DIFF_FORMATS, default="text")
    _settings_options(d)

    _batch_parser(sub)
    return p


def _batch_parser(sub: Any) -> None:
    b = sub.add_parser(
        "batch",
        help="check many policies into a results file (resumable)",
        description="Check every policy in INPUT (folders, read recursively; globs; files; or "
        ".jsonl/.csv lists with a text or path column) into OUT. A rerun skips the documents "
        "already in OUT. Exit 0 when the batch ran (documents that cannot be checked are "
        "stored with their reason and counted), 2 when it could not run.",
    )
    b.add_argument("inputs", nargs="+", metavar="INPUT", help="folder, glob, file or list")
    b.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="results: .jsonl (full reports), .csv or .parquet (one row per policy)",
    )
    where = b.add_mutually_exclusive_group()
    where.add_argument(
        "--jobs", type=_positive, default=None, metavar="N", help="processes (default: all cores)"
    )
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://host:8786"
    )
    b.add_argument("--text-column", default="text", metavar="NAME", help="list field with text")
    b.add_argument("--path-column", default="path", metavar="NAME", help="list field with a path")
    b.add_argument(
        "--source-column",
        default=None,
        metavar="NAME",
        help="list field naming a document (default: source, else id, else path or FILE:LINE)",
    )
    _settings_options(b)  # a batch applies the configuration's top level, not [[files]]
    _fail_on_option(b)
    b.add_argument(
        "--part-size",
        type=_positive,
        default=1000,
        metavar="N",
        help="csv/parquet: rows per part file, the most an interrupted run loses (default 1000)",
    )
    b.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return n


def _fail_on_option(c: argparse.ArgumentParser) -> None:
    c.add_argument(
        "--fail-on",
        choices=("absent", "uncertain"),
        default=None,
        help="status that fails a required element (default: the configuration file, else absent)",
    )


def _settings_options(c: argparse.ArgumentParser) -> None:
    """Options shared by check, diff and batch; they override the configuration file."""
    c.add_argument(
        "--require",
        metavar="ID,...",
        default=None,
        help="elements that must pass (default: the configuration file, else all of "
        f"{','.join(registry.ELEMENT_IDS)})",
    )
    c.add_argument(
        "--waive",
        metavar="ID=REASON",
        action="append",
        default=None,
        help="documented exception: the element is reported, marked waived, and cannot fail "
        "(repeatable)",
    )
    c.add_argument(
        "--config",
        metavar="FILE",
        default=None,
        help="configuration file (default: nearest .policycheck.toml or pyproject.toml with "
        "[tool.policycheck], from the current directory up)",
    )
    c.add_argument("--no-config", action="store_true", help="ignore configuration files")
    c.add_argument(
        "--model",
        metavar="DIR",
        default=os.environ.get("POLICYCHECK_MODEL_DIR"),
        help="model directory (default: the bundled model; env POLICYCHECK_MODEL_DIR)",
    )


def load_model(directory: str | None) -> Any:
    """The verified model, or a ModelError whatever went wrong reading it."""
    from checker.errors import ModelError
    from checker.model import load_cached

    try:
        return load_cached(directory)
    except PolicycheckError:
        raise
    except Exception as e:  # e.g. zipfile.BadZipFile from an artifact that is not an .npz
        raise ModelError(f"the model cannot be read: {type(e).__name__}: {e}") from None


def _read_input(name: str) -> tuple[bytes, str | None]:
    """The bytes of FILE or stdin; over the size limit is refused without reading it all."""
    from checker.extract import read_file, read_stream

    if name == STDIN_NAME:
        return read_stream(sys.stdin.buffer), None
    path = Path(name)
    if path.is_dir():
        raise PolicycheckError(f"{name} is a directory; pass the policy files inside it")
    try:
        return read_file(path), path.name
    except OSError as e:
        raise PolicycheckError(f"cannot read {name}: {e.strerror or e}") from None


def _use_color(mode: str, stream: TextIO) -> bool:
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


_MARK = {"present": ("✓", "32"), "absent": ("✗", "31"), "uncertain": ("?", "33")}


def format_text(report: dict[str, Any], color: bool, waived: Collection[str] = ()) -> str:
    def paint(s: str, code: str) -> str:
        return f"\033[{code}m{s}\033[0m" if color else s

    lang = report["language"]
    head = f"{report.get('source', '<stdin>')}  (language {lang['code']}"
    head += "" if lang["supported"] else ", not a trained language"
    head += f"; model {report['model']['version']})"
    out = [paint(head, "1")]
    for el in report["elements"]:
        mark, code = _MARK[el["status"]]
        req = " (waived)" if el["id"] in waived else "" if el["required"] else " (not required)"
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
    from checker import ci_formats, config
    from checker.engine import check_bytes

    cli = config.Overrides.from_cli(a.require, a.fail_on, a.waive)  # validate before any work
    cfg = config.resolve_config(a.config, a.no_config)
    model = load_model(a.model)
    color = _use_color(a.color, sys.stdout)
    results: list[ci_formats.FileResult] = []
    for name in a.files:
        source = "<stdin>" if name == STDIN_NAME else name
        try:
            settings = cfg.settings_for(None if name == STDIN_NAME else name, cli)
            data, filename = _read_input(name)
            checked = check_bytes(
                data,
                filename=filename,
                model=model,
                require=settings.require,
                fail_on=settings.fail_on,
                source=source,
            )
        except PolicycheckError as e:
            print(f"policycheck: {source}: {e}", file=sys.stderr)
            error = {"type": getattr(e, "code", "error"), "message": str(e)}
            results.append(ci_formats.FileResult(source, error=error))
            if a.format == "jsonl":
                print(json.dumps({"source": source, "error": error}, ensure_ascii=False))
            continue
        checked.warnings.extend(settings.waiver_notes())
        report = checked.to_dict()
        results.append(ci_formats.FileResult(source, report, waived=settings.waived))
        if a.format == "text":
            print(format_text(report, color, settings.waived))
        elif a.format == "jsonl":
            print(json.dumps(report, ensure_ascii=False))
    _render_check(a.format, results)
    if any(r.report is None for r in results):
        return EXIT_ERROR
    passed = all(r.report is not None and r.report["summary"]["passed"] for r in results)
    return EXIT_OK if passed else EXIT_GAPS


def _render_check(fmt: str, results: list[Any]) -> None:
    """Whole-run formats, printed once every file has been checked."""
    from checker import ci_formats

    if fmt == "json":
        docs = [r.report or {"source": r.source, "error": r.error} for r in results]
        print(json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False, indent=2))
    elif fmt == "sarif":
        print(json.dumps(ci_formats.sarif(results), ensure_ascii=False, indent=2))
    elif fmt == "junit":
        print(ci_formats.junit(results))
    elif fmt == "markdown":
        print(ci_formats.markdown(results))
    elif fmt == "github":
        for line in ci_formats.github_annotations(results):
            print(line)
        for r in results:
            if r.report is not None:
                print(format_text(r.report, False, r.waived))
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            try:
                with open(summary, "a", encoding="utf-8") as f:
                    f.write(ci_formats.markdown(results) + "\n")
            except OSError as e:
                raise PolicycheckError(
                    f"cannot write GITHUB_STEP_SUMMARY {summary}: {e.strerror or e}"
                ) from None


def _cmd_diff(a: argparse.Namespace) -> int:
    from checker import config, diff

    cli = config.Overrides.from_cli(a.require, None, a.waive)
    cfg = config.resolve_config(a.config, a.no_config)
    old, new = diff.read_version(a.old), diff.read_version(a.new)
    settings = cfg.settings_for(new.path, cli)
    result = diff.run(old, new, model=load_model(a.model), settings=settings)
    if a.format == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif a.format == "markdown":
        print(diff.format_markdown(result))
    else:
        print(diff.format_text(result))
    return EXIT_OK if result.passed else EXIT_GAPS


def _cmd_batch(a: argparse.Namespace) -> int:
    from checker import config
    from checker.batch import Fields, run_batch

    # The top level of [tool.policycheck] applies to every document; [[files]] rules are for
    # `check`, whose files live in the repository the configuration describes.
    cli = config.Overrides.from_cli(a.require, a.fail_on, a.waive)
    settings = config.resolve_config(a.config, a.no_config).settings_for(None, cli)
    summary = run_batch(
        a.inputs,
        a.out,
        n_jobs=a.jobs,
        client=a.scheduler,
        progress=not a.no_progress,
        fields=Fields(a.text_column, a.path_column, a.source_column),
        part_size=a.part_size,
        model=a.model,
        require=list(settings.require),
        fail_on=settings.fail_on,
    )
    print(summary.line())
    return EXIT_OK


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


def _cmd_serve(a: argparse.Namespace) -> int:
    from api.server import missing_module, serve  # light: the app loads in the worker(s)

    if (name := missing_module()) is not None:
        raise PolicycheckError(
            f"serve needs the api extra ({name} is missing): pip install 'policycheck[api]'"
        )
    return serve(host=a.host, port=a.port, workers=a.workers)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        a = parser.parse_args(argv)
    except SystemExit as e:  # argparse: --help / --version exit 0, usage errors exit 2
        return int(e.code or 0)
    handlers = {
        "batch": _cmd_batch,
        "check": _cmd_check,
        "diff": _cmd_diff,
        "elements": _cmd_elements,
        "schema": _cmd_schema,
        "serve": _cmd_serve,
    }
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
