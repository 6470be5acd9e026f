"""Learn sentence-break exceptions from the training corpus with nltk's Punkt trainer.

usage: python -m training.punkt

Punkt (unsupervised) finds the tokens that end with a period without ending a sentence
("t.ex.", "s.r.l.", "bzw.") in the seed policies and authored text. The learned list is written
below the hand-written one in checker/data/abbreviations.txt, which the segmenter reads: the
checker itself never imports nltk (importing it costs over a second). Run
`python -m training.seedlabels` afterwards, then retrain.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from nltk.tokenize.punkt import PunktTrainer

from training.dataset import load_all

ABBREVIATIONS = Path(__file__).resolve().parent.parent / "checker" / "data" / "abbreviations.txt"
MARKER = "# learned by nltk Punkt from data/labels (python -m training.punkt):"
_KEEP = re.compile(r"^[^\W\d_]+(?:\.[^\W\d_]+)+$|^[^\W\d_]{1,3}$")  # a.b.c or a short word


def learn() -> list[str]:
    trainer = PunktTrainer()
    for doc in load_all():
        trainer.train(doc.doc.text, finalize=False)
    trainer.finalize_training()
    return sorted(t for t in trainer.get_params().abbrev_types if _KEEP.match(t))


def main() -> int:
    text = ABBREVIATIONS.read_text("utf-8")
    hand = text.split(MARKER)[0].rstrip("\n")
    known = {w.strip().lower().rstrip(".") for w in hand.splitlines() if not w.startswith("#")}
    learned = [t for t in learn() if t not in known]
    ABBREVIATIONS.write_text(
        hand + "\n" + MARKER + "\n" + "".join(t + "\n" for t in learned), "utf-8"
    )
    print(
        f"{len(learned)} learned abbreviations written to {ABBREVIATIONS.name}: {', '.join(learned)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
