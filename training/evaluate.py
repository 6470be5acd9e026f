"""Evaluate the checker on a folder of labeled policies, at document level, and list every error.

usage: python -m training.evaluate FOLDER [--model DIR] [--lang en|non-en|CODE] [--markdown]
       [--errors/--no-errors] [--json OUT]

FOLDER holds ``labels.jsonl`` (id, language, labels{element: bool}, retention_quality) and
``texts/<id>.txt``. Reports per element and per language: precision / recall / F1 of present
and of absent, base rate, confusion counts, the uncertain rate, the Brier score and a
reliability table of the document probabilities, and retention detail agreement. Use it on the
dev set to read errors, never to fit anything.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from checker.engine import check_path
from checker.model import load
from checker.registry import ELEMENT_IDS


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def element_table(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {}
    for e in ELEMENT_IDS:
        c = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
        unc = 0
        brier = 0.0
        n = 0
        for r in rows:
            y = r["truth"].get(e)
            if y is None:
                continue
            st = r["status"][e]
            pred = st == "present"
            unc += st == "uncertain"
            c[("t" if pred == y else "f") + ("p" if pred else "n")] += 1
            brier += (r["prob"][e] - y) ** 2
            n += 1
        if not n:
            continue
        p1, r1, f1 = prf(c["tp"], c["fp"], c["fn"])
        p0, r0, f0 = prf(c["tn"], c["fn"], c["fp"])
        pos = c["tp"] + c["fn"]
        out[e] = {
            "n": n,
            "base_rate": pos / n,
            "present": {"p": p1, "r": r1, "f1": f1},
            "absent": {"p": p0, "r": r0, "f1": f0},
            **c,
            "uncertain": unc,
            "brier": brier / n,
            "measurable": pos >= 3 and n - pos >= 3,
        }
    return out


def reliability(rows: list[dict[str, Any]]) -> list[tuple[str, int, float, float]]:
    bins = [(0.0, 0.1), (0.1, 0.3), (0.3, 0.7), (0.7, 0.9), (0.9, 1.01)]
    pairs = [(r["prob"][e], r["truth"][e]) for r in rows for e in ELEMENT_IDS if e in r["truth"]]
    out = []
    for lo, hi in bins:
        b = [(p, y) for p, y in pairs if lo <= p < hi]
        if b:
            out.append(
                (
                    f"{lo:.1f}-{min(hi, 1.0):.1f}",
                    len(b),
                    sum(p for p, _ in b) / len(b),
                    sum(y for _, y in b) / len(b),
                )
            )
    return out


def format_table(title: str, table: dict[str, dict[str, Any]], markdown: bool) -> str:
    lines = [title]
    if markdown:
        lines += [
            "",
            "| element | n | base rate | P present | R present | F1 present | F1 absent "
            "| uncertain | tp/fp/fn/tn |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
    for e, v in table.items():
        small = "" if v["measurable"] else " (too few to judge)"
        if markdown:
            lines.append(
                f"| {e} | {v['n']} | {v['base_rate']:.2f} | {v['present']['p']:.2f} | "
                f"{v['present']['r']:.2f} | {v['present']['f1']:.2f}{small} | "
                f"{v['absent']['f1']:.2f} | {v['uncertain']} | "
                f"{v['tp']}/{v['fp']}/{v['fn']}/{v['tn']} |"
            )
        else:
            lines.append(
                f"  {e:16s} n={v['n']:3d} base={v['base_rate']:.2f}  present P={v['present']['p']:.2f} "
                f"R={v['present']['r']:.2f} F1={v['present']['f1']:.2f} | absent "
                f"F1={v['absent']['f1']:.2f}  unc={v['uncertain']} brier={v['brier']:.3f}  "
                f"tp={v['tp']} fp={v['fp']} fn={v['fn']} tn={v['tn']}{small}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--model", default=None)
    ap.add_argument("--lang", default=None, help="only this language, or 'non-en'")
    ap.add_argument(
        "--markdown", action="store_true", help="tables as Markdown (README, model card)"
    )
    ap.add_argument("--no-errors", action="store_true", help="do not list the errors")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    ap.add_argument(
        "--update-docs",
        action="store_true",
        help="write the tables into README.md and models/MODEL_CARD.md (between markers)",
    )
    a = ap.parse_args(argv)

    model = load(a.model)
    labels = [
        json.loads(x) for x in (a.folder / "labels.jsonl").read_text().splitlines() if x.strip()
    ]
    if a.lang == "non-en":
        labels = [d for d in labels if d.get("language") != "en"]
    elif a.lang:
        labels = [d for d in labels if d.get("language") == a.lang]
    rows = []
    t0 = time.perf_counter()
    for d in labels:
        rep = check_path(a.folder / "texts" / f"{d['id']}.txt", model=model)
        rows.append(
            {
                "id": d["id"],
                "lang": d.get("language", "?"),
                "truth": d["labels"],
                "quality": d.get("retention_quality"),
                "status": {e.id: e.status for e in rep.elements},
                "prob": {e.id: e.probability for e in rep.elements},
                "detail": rep.element("retention").detail,
                "report": rep,
            }
        )
    elapsed = time.perf_counter() - t0

    print(
        f"{len(rows)} policies, model {model.version}, {elapsed / max(len(rows), 1) * 1000:.1f} ms/policy"
    )
    overall = element_table(rows)
    print(format_table("All languages:", overall, a.markdown))
    figures: dict[str, Any] = {
        "model": model.version,
        "n": len(rows),
        "all": overall,
        "by_language": {},
    }
    for lang in sorted({r["lang"] for r in rows}, key=lambda x: (x != "en", x)):
        sub = [r for r in rows if r["lang"] == lang]
        t = element_table(sub)
        figures["by_language"][lang] = t
        print(format_table(f"\n{lang} ({len(sub)} policies):", t, a.markdown))
    non_en = [r for r in rows if r["lang"] != "en"]
    if non_en and len(non_en) != len(rows):
        t = element_table(non_en)
        figures["non_en"] = t
        print(format_table(f"\nall non-English ({len(non_en)} policies):", t, a.markdown))
    total = sum(len(r["status"]) for r in rows)
    unc = sum(s == "uncertain" for r in rows for s in r["status"].values())
    print(f"\nuncertain: {unc}/{total} element decisions ({unc / max(total, 1):.1%})")
    print("reliability of document probabilities (bin, n, mean predicted, observed):")
    for b, n, mp, ob in reliability(rows):
        print(f"  {b}  n={n:3d}  predicted={mp:.2f}  observed={ob:.2f}")
    q = [
        (r["quality"], r["detail"])
        for r in rows
        if r["quality"] and r["status"]["retention"] == "present"
    ]
    if q:
        agree = sum(a_ == b_ for a_, b_ in q)
        print(
            f"retention detail agrees with the label on {agree}/{len(q)} present-and-labeled policies"
        )

    if not a.no_errors:
        print("\nerrors:")
        for r in rows:
            for e in ELEMENT_IDS:
                y = r["truth"].get(e)
                if y is None or (r["status"][e] == "present") == y:
                    continue
                el = r["report"].element(e)
                kind = "missed (false absent)" if y else "false present"
                ev = (el.evidence or el.near_misses or [None])[0]
                where = (
                    f'line {ev.line}: "{" ".join(ev.text.split())[:160]}"' if ev else "no candidate"
                )
                print(
                    f"  {r['id']} [{r['lang']}] {e}: {kind}, p={el.probability:.2f} ({el.status}); {where}"
                )
    if a.json:
        a.json.write_text(json.dumps(figures, indent=1))
    if a.update_docs:
        block = docs_block(rows, figures, a.folder, elapsed)
        for path in (ROOT / "README.md", ROOT / "models" / "MODEL_CARD.md"):
            replace_block(path, "accuracy", block)
            print(f"updated {path.relative_to(ROOT)}")
    return 0


ROOT = Path(__file__).resolve().parent.parent


def replace_block(path: Path, name: str, body: str) -> None:
    """Replace the text between <!-- name:start --> and <!-- name:end --> (append if absent)."""
    text = path.read_text("utf-8")
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + start + "\n" + body + "\n" + end + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n{start}\n{body}\n{end}\n"
    path.write_text(text, "utf-8")


def docs_block(
    rows: list[dict[str, Any]], figures: dict[str, Any], folder: Path, elapsed: float
) -> str:
    """The Markdown the README and model card carry: the latest dev-set measurement."""
    n = len(rows)
    out = [
        f"Document level, on `{folder.name}` ({n} real published policies nobody on the team wrote; "
        "evaluation only, never training), model "
        f"`{figures['model']}`. Reproduce with `python -m training.evaluate {folder} --markdown`.",
        "`uncertain` counts as not present, as in the shared scorer. Base rate = share of",
        "policies where the element is present.",
        "",
        format_table("**All languages**", figures["all"], True),
    ]
    for title, key in (("**English**", "en"),):
        if key in figures["by_language"]:
            out += ["", format_table(title, figures["by_language"][key], True)]
    if "non_en" in figures:
        langs = sorted(k for k in figures["by_language"] if k != "en")
        counts = ", ".join(
            f"{k} {next(iter(figures['by_language'][k].values()))['n']}" for k in langs
        )
        out += ["", format_table(f"**Other languages** ({counts})", figures["non_en"], True)]
        out += [
            "",
            "Each non-English language alone has too few dev policies to judge (at most 10).",
        ]
    total = sum(len(r["status"]) for r in rows)
    unc = sum(s == "uncertain" for r in rows for s in r["status"].values())
    out += [
        "",
        f"Uncertain: {unc} of {total} element decisions ({unc / max(total, 1):.1%}). "
        f"Mean time per policy in this run: {elapsed / max(n, 1) * 1000:.0f} ms.",
    ]
    out += [
        "",
        "Reliability of the document probabilities (all elements pooled):",
        "",
        "| probability bin | decisions | mean predicted | observed present |",
        "|---|---|---|---|",
    ]
    out += [f"| {b} | {k} | {mp:.2f} | {ob:.2f} |" for b, k, mp, ob in reliability(rows)]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
