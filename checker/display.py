"""Seeing reports: an HTML table for Jupyter (``Report._repr_html_``) and a coverage chart.

The HTML needs nothing beyond the standard library; ``plot_coverage`` needs matplotlib and
pandas (``pip install 'policycheck[batch]'``), imported only when it is called.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from checker.registry import ELEMENTS

if TYPE_CHECKING:
    from checker.batch import Failed
    from checker.report import Report

STATUS_ORDER = ("present", "uncertain", "absent")
# (text colour, background, mark): readable on light and dark notebook themes
_BADGE = {
    "present": ("#1b5e20", "#dcefdc", "✓"),
    "uncertain": ("#7a4f00", "#fdf0c8", "?"),
    "absent": ("#8e1b1b", "#f8dcdc", "✗"),
}
PLOT_COLOURS = {"present": "#2e7d32", "uncertain": "#f9a825", "absent": "#c62828"}
MAX_TEXT = 300


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _clip(text: str, n: int = MAX_TEXT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _badge(status: str) -> str:
    fg, bg, mark = _BADGE.get(status, ("#333", "#eee", "·"))
    return (
        f'<span style="color:{fg};background:{bg};padding:1px 6px;border-radius:3px;'
        f'font-weight:600;white-space:nowrap">{mark} {_e(status)}</span>'
    )


def _quote(ev: Mapping[str, Any]) -> str:
    return f"line {_e(ev['line'])}: “{_e(_clip(ev['text']))}”"


_TD = 'style="text-align:left;vertical-align:top;padding:4px 8px"'
_TD_NUM = 'style="text-align:right;vertical-align:top;padding:4px 8px"'


def report_html(report: Report | Mapping[str, Any]) -> str:
    """The gap report as an HTML block: one row per element, status colours, evidence."""
    d = report if isinstance(report, Mapping) else report.to_dict()
    if "error" in d:
        return _failed_html(d)
    s, lang, model = d["summary"], d["language"], d.get("model", {})
    verdict = "PASSED" if s["passed"] else f"FAILED ({', '.join(s['failing'])})"
    colour = _BADGE["present" if s["passed"] else "absent"][0]
    lang_note = "" if lang["supported"] else ", not a trained language"
    rows = []
    for el in d["elements"]:
        req = "" if el["required"] else ' <span style="color:#777">(not required)</span>'
        if el["status"] == "present":
            notes = [_quote(ev) for ev in el["evidence"]]
            if el.get("detail"):
                notes.append(f"<i>retention is {_e(el['detail'])}</i>")
        else:
            notes = [_e(el["recommendation"] or "")]
            notes += [
                f'<span style="color:#666">closest, {_quote(ev)}'
                + (f" ({_e(ev['reason'])})" if ev.get("reason") else "")
                + "</span>"
                for ev in el["near_misses"][:1]
            ]
        rows.append(
            "<tr>"
            f"<td {_TD}><b>{_e(el['title'])}</b>{req}<br><code>{_e(el['id'])}</code></td>"
            f"<td {_TD}>{_e(', '.join(el['articles']))}</td>"
            f"<td {_TD}>{_badge(el['status'])}</td>"
            f"<td {_TD_NUM}>{el['probability']:.2f}</td>"
            f"<td {_TD}>{'<br>'.join(notes)}</td>"
            "</tr>"
        )
    warnings = "".join(
        f'<div style="color:#7a4f00">warning: {_e(w)}</div>' for w in d.get("warnings", [])
    )
    head = "".join(
        f'<th style="text-align:left;padding:4px 8px">{h}</th>'
        for h in ("element", "GDPR", "status", "p", "evidence / what to do")
    )
    return (
        '<div class="policycheck-report">'
        f"<div><b>{_e(d.get('source', 'policy'))}</b> "
        f'<span style="color:{colour};font-weight:600">{_e(verdict)}</span></div>'
        f'<div style="color:#666;font-size:90%">language {_e(lang["code"])}{lang_note} · '
        f"model {_e(model.get('version', '?'))} · {s['present']} present, {s['absent']} absent, "
        f"{s['uncertain']} uncertain</div>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"{warnings}</div>"
    )


def _failed_html(d: Mapping[str, Any]) -> str:
    err = d["error"]
    return (
        '<div class="policycheck-failed">'
        f"<b>{_e(d.get('source') or 'document')}</b> "
        f'<span style="color:{_BADGE["absent"][0]};font-weight:600">could not be checked</span>'
        f" ({_e(err.get('type'))}): {_e(err.get('message'))}</div>"
    )


def failed_html(failed: Failed) -> str:
    return _failed_html(failed.to_dict())


def coverage_table(frame: Any, by: str | None = "language") -> Any:
    """Share of checked policies with each element present / uncertain / absent, per group.

    A DataFrame indexed by (group, element) with columns ``present, uncertain, absent`` (shares
    that sum to 1) and ``n`` (policies in the group); failed documents are left out.
    """
    from checker.batch import optional_import
    from checker.frames import to_frame

    pd = optional_import("pandas", "coverage_table")
    if not isinstance(frame, pd.DataFrame):
        frame = to_frame(frame)
    if "error_type" in frame:
        frame = frame[frame["error_type"].isna()]
    if by is not None and by not in frame:
        raise KeyError(f"no column {by!r} to group by (columns: {list(frame.columns)})")
    groups = frame[by].fillna("?").astype(str) if by else pd.Series("all", index=frame.index)
    records = []
    for group, part in frame.groupby(groups, sort=False):
        for el in ELEMENTS:
            col = f"{el.id}_status"
            if col not in part:
                continue
            counts = part[col].value_counts()
            n = int(counts.sum())
            shares = {st: (int(counts.get(st, 0)) / n if n else 0.0) for st in STATUS_ORDER}
            records.append({"group": group, "element": el.id, **shares, "n": n})
    table = pd.DataFrame.from_records(
        records, columns=["group", "element", *STATUS_ORDER, "n"]
    ).set_index(["group", "element"])
    return table


def plot_coverage(
    frame: Any,
    by: str | None = "language",
    *,
    ax: Any = None,
    max_groups: int = 12,
) -> Any:
    """Coverage across a corpus: per element, the share of policies where it is present,
    uncertain or absent, one stacked bar per value of ``by`` (e.g. each language).

    ``frame`` is a ``to_frame`` DataFrame (or anything ``to_frame`` takes). Groups beyond the
    ``max_groups`` largest are pooled as "other"; failed documents are left out. Returns the
    matplotlib Axes.
    """
    from checker.batch import optional_import
    from checker.frames import to_frame

    pd = optional_import("pandas", "plot_coverage")
    plt = optional_import("matplotlib.pyplot", "plot_coverage")
    if not isinstance(frame, pd.DataFrame):
        frame = to_frame(frame)
    frame = frame[frame["error_type"].isna()] if "error_type" in frame else frame
    if by is not None:
        if by not in frame:
            raise KeyError(f"no column {by!r} to group by (columns: {list(frame.columns)})")
        sizes = frame[by].fillna("?").astype(str).value_counts()
        keep = set(sizes.index[:max_groups])
        frame = frame.assign(
            **{by: frame[by].fillna("?").astype(str).where(lambda g: g.isin(keep), "other")}
        )
    table = coverage_table(frame, by)
    groups = list(dict.fromkeys(table.index.get_level_values("group")))
    groups.sort(key=lambda g: (g == "other", -int(table.loc[(g, ELEMENTS[0].id), "n"])))
    elements = [el for el in ELEMENTS if el.id in set(table.index.get_level_values("element"))]
    width = len(groups) + 1
    n_bars = len(elements) * len(groups)
    if ax is None:
        _, ax = plt.subplots(figsize=(min(16, max(6, 0.45 * n_bars + 3)), 4.2))
    positions, labels, centres = [], [], []
    for i, el in enumerate(elements):
        xs = [i * width + j for j in range(len(groups))]
        centres.append(sum(xs) / len(xs))
        bottom = [0.0] * len(groups)
        for status in STATUS_ORDER:
            vals = [float(table.loc[(g, el.id), status]) for g in groups]
            ax.bar(
                xs,
                vals,
                bottom=bottom,
                width=0.85,
                color=PLOT_COLOURS[status],
                label=status if i == 0 else None,
            )
            bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
        positions += xs
        labels += [f"{g}\n{int(table.loc[(g, el.id), 'n'])}" for g in groups]
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylabel("share of policies")
    if by is None:
        ax.set_xticks(centres, labels=[_wrap(el.title) for el in elements], fontsize=8)
    else:
        ax.set_xticks(positions, labels=labels, fontsize=8)
        top = ax.secondary_xaxis("top")
        top.set_xticks(centres, labels=[_wrap(el.title) for el in elements], fontsize=8)
        top.tick_params(length=0)
        ax.set_xlabel(f"{by} (number of policies)")
    total = int(table["n"].groupby(level="group").max().sum())
    ax.set_title(
        f"Coverage of {total} policies" + (f" by {by}" if by else ""),
        pad=28 if by is not None else 6,
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.figure.tight_layout()
    return ax


def _wrap(title: str, width: int = 22) -> str:
    words, lines, line = title.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return "\n".join([*lines, line])
