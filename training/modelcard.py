"""The model card that travels with the artifact: use, limits, data and measured metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checker.registry import ELEMENTS


def write(path: Path, m: dict[str, Any]) -> None:
    c = m["counts"]
    met = m["metrics"]
    lines = [
        f"# Model card: policycheck {m['model_version']}",
        "",
        "## Intended use",
        "Flags whether a privacy policy makes four GDPR-required disclosures and points at the",
        "sentences that do. A screening aid for privacy teams, web teams and researchers; **not",
        "legal advice** and no substitute for a lawyer's review. It judges what the text says,",
        "not whether the organisation does it.",
        "",
        "## Limits",
        "- Trained on five seed policies (English, Swedish) and sentences the team wrote itself in",
        f"  {', '.join(m['languages'])}. Other languages are flagged in the report as unsupported.",
        "- Document-level decisions come from the best-scoring sentence; a policy that spreads one",
        "  disclosure thinly over many sentences can be missed.",
        "- Probabilities are calibrated on synthetic documents built from held-out training passages",
        "  (grouped cross-validation), not on real policies; see the dev-set table in the README.",
        "",
        "## Model",
        "TF-IDF features (word 1-2-grams, in-word character 4-5-grams, heading and neighbour",
        "context) and one logistic regression per element (scikit-learn "
        f"{m['sklearn_version']}, C={m['hyperparameters']['C']}). Artifact: `{m['artifact']}`, "
        f"sha256 `{m['sha256']}`.",
        "",
        "## Training data",
        f"{c['documents']} labeled documents/passages, {c['segments']} segments "
        f"({c['seed_segments']} from seed policies, {c['authored_segments']} authored). "
        f"Training-data sha256 `{m['training_data_sha256']}`.",
        "",
        "| element | positive segments |",
        "|---|---|",
        *[f"| {e.id} | {c['positives'][e.id]} |" for e in ELEMENTS],
        "",
        "Segments by language: "
        + ", ".join(f"{k} {v}" for k, v in c["segments_by_language"].items()),
        "",
        "## Metrics (grouped cross-validation of the training data)",
        "",
        "Segment level (threshold 0.5):",
        "",
        "| element | base rate | precision | recall | F1 |",
        "|---|---|---|---|---|",
        *[
            f"| {e} | {v['base_rate']:.3f} | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1']:.2f} |"
            for e, v in met["segment_cv"].items()
        ],
        "",
        f"Document level, {met['synthetic_documents']['documents']} synthetic documents "
        "(held-out half; threshold per element chosen on the other half):",
        "",
        "| element | threshold | base rate | F1 present | F1 absent | uncertain | ECE |",
        "|---|---|---|---|---|---|---|",
        *[
            f"| {e} | {m['thresholds'][e]:.2f} | {v['base_rate']:.2f} | {v['f1_present']:.2f} | "
            f"{v['f1_absent']:.2f} | {v['uncertain_rate']:.1%} | {v['reliability']['ece']:.3f} |"
            for e, v in met["synthetic_documents"]["elements"].items()
        ],
        "",
        f"Seed policies, leave one policy out: {met['seed_leave_one_out']['summary']}.",
        "",
    ]
    dev = m.get("dev_metrics")
    if dev:
        lines += ["## Dev set (real policies nobody on the team wrote)", "", dev, ""]
    path.write_text("\n".join(lines))
