"""Why a near miss fell short: a short, plain reason shown next to the sentence.

The model decides; these reasons only explain the commonest ways a candidate sentence misses
the definition in the registry (e.g. "a DPO is named but no contact is given").
"""

from __future__ import annotations

import re

from checker.cues import AUTHORITY, COMPLAINT, DPO_TERMS, has_route
from checker.segment import Document, one_line

_DURATION = re.compile(r"\d|long|länge|lange|longtemps|lang|durée|termijn|period|frist|tid\b", re.I)
_CHILD = re.compile(
    r"child|minor|kid|barn|kinder|enfant|mineur|kinderen|minderjarig|menor|minori|lapsi|dzieci|under \d",
    re.I,
)
_AFFILIATE = re.compile(
    r"child compan|subsidiar|dotterbolag|tochter|filiale|dochter|datterselskab", re.I
)


def near_miss_reason(element_id: str, doc: Document, index: int) -> str:
    segs = doc.segments
    text = one_line(segs[index].text)
    window = one_line(" ".join(s.text for s in segs[max(0, index - 1) : index + 2]))
    if element_id == "dpo_contact":
        if DPO_TERMS.search(text) and not has_route(window):
            return "a data protection officer is mentioned but no way to reach them is given"
        if DPO_TERMS.search(text):
            return "the data protection officer mentioned may not be the organisation's own"
        return "a contact is given but not for a data protection officer"
    if element_id == "complaint_right":
        if COMPLAINT.search(text) and not AUTHORITY.search(text):
            return "complaints go to the organisation, not to a supervisory authority"
        if AUTHORITY.search(text) and not COMPLAINT.search(text):
            return "an authority is named but the right to complain to it is not stated"
        return "does not clearly state the right to complain to a supervisory authority"
    if element_id == "retention":
        if not _DURATION.search(text):
            return "says data is stored, not for how long"
        return "does not clearly state how long personal data is kept"
    if element_id == "children":
        if _AFFILIATE.search(text):
            return "refers to subsidiaries or affiliates, not to children"
        if not _CHILD.search(text):
            return "mentions age or eligibility, not children's data"
        return "mentions children without saying how their data is handled"
    return "scored below the threshold"
