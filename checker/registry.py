"""The GDPR elements policycheck looks for: the one place they are defined.

Labels validation, training, the report, the CLI, the API and the README table all read
``ELEMENTS``; adding an element means adding one ``Element`` here (and labels for it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from checker.errors import PolicycheckError


@dataclass(frozen=True)
class Element:
    id: str
    title: str
    articles: tuple[str, ...]
    description: str
    recommendation: str
    required: bool = True

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["articles"] = list(self.articles)
        return d


ELEMENTS: tuple[Element, ...] = (
    Element(
        id="dpo_contact",
        title="Data Protection Officer contact",
        articles=("Art. 13(1)(b)", "Art. 14(1)(b)", "Art. 37(7)"),
        description=(
            "The organisation's own Data Protection Officer (or statutory equivalent) is named "
            "and a way to reach them is given. A vendor's DPO, an EU representative alone, or a "
            "DPO named with no route to them does not count."
        ),
        recommendation=(
            "State the contact details of your Data Protection Officer (e.g. a dedicated e-mail "
            "or postal address). If you are not required to appoint one, say who handles data "
            "protection questions instead."
        ),
    ),
    Element(
        id="complaint_right",
        title="Right to lodge a complaint with a supervisory authority",
        articles=("Art. 13(2)(d)", "Art. 14(2)(e)", "Art. 77"),
        description=(
            "The reader is told they may lodge a complaint with a supervisory / data protection "
            "authority. Complaints to the company or to a private dispute resolver do not count."
        ),
        recommendation=(
            "Tell readers they have the right to lodge a complaint with a data protection "
            "supervisory authority, e.g. in their country of residence, and name yours."
        ),
    ),
    Element(
        id="retention",
        title="Retention period",
        articles=("Art. 13(2)(a)", "Art. 14(2)(a)"),
        description=(
            "How long personal data is kept, or the criteria used to decide it. Statements about "
            "storing data securely or where it is stored are not retention."
        ),
        recommendation=(
            "State how long each category of personal data is kept, or the criteria that decide "
            "it (e.g. 'deleted 12 months after your account is closed')."
        ),
    ),
    Element(
        id="children",
        title="Children's data",
        articles=("Art. 8", "Recital 38"),
        description=(
            "Children's or minors' data is addressed: a minimum age, the service not being "
            "directed at children, parental consent, or what happens to a child's data. "
            "'Child companies' are not children."
        ),
        recommendation=(
            "Say whether the service is meant for children, the minimum age of users, how "
            "parental consent is obtained and what you do with data collected from a child."
        ),
    ),
)

ELEMENT_IDS: tuple[str, ...] = tuple(e.id for e in ELEMENTS)
_BY_ID = {e.id: e for e in ELEMENTS}


class UnknownElementError(PolicycheckError, ValueError):
    """An element id that the registry does not define."""


def get(element_id: str) -> Element:
    try:
        return _BY_ID[element_id]
    except KeyError:
        known = ", ".join(ELEMENT_IDS)
        raise UnknownElementError(f"unknown element {element_id!r} (known: {known})") from None


def parse_ids(spec: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Element ids from 'a,b' or a list, validated and in registry order; None means all."""
    if spec is None:
        return ELEMENT_IDS
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    wanted = {get(s.strip()).id for s in items if s.strip()}
    if not wanted:
        raise UnknownElementError("no element ids given")
    return tuple(i for i in ELEMENT_IDS if i in wanted)


def markdown_table() -> str:
    """The README's element table (kept identical by a test)."""
    rows = ["| id | element | GDPR | what counts |", "|---|---|---|---|"]
    rows += [
        f"| `{e.id}` | {e.title} | {', '.join(e.articles)} | {e.description} |" for e in ELEMENTS
    ]
    return "\n".join(rows)
