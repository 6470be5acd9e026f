"""Multilingual cue words for the parts of an element's definition that must co-occur.

A bag of words cannot express "a DPO *and* a way to reach them" or "a complaint *to an
authority*": the right words get diluted in a long sentence and outweighed by the wording of
ordinary contact sentences. These cues add that conjunction as features (``checker.features``),
explain near misses (``checker.reasons``) and decide what a sentence shows on its own
(``training.train``). One list per concept, every language the model is trained on.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from checker import native
from checker.segment import one_line

try:  # the regex parser is private: without it every pattern simply runs on every segment
    from re import _constants, _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _parser = None

# A way to reach someone. Split into cheap tests, run on lower-cased text: this runs on every
# segment of every policy.
_URL_PATH = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,6}/\S")
_URL_TAIL = re.compile(r"\.[a-z]{2,6}/\S")  # in every _URL_PATH match; far quicker to search
# A phone number: "+46 8 123 45 67". Whether there is one does not depend on its "+", and a
# pattern that starts with \d is searched several times faster than one that starts with \+?.
_PHONE = re.compile(r"\d[\d ()./-]{6,}\d")
_POSTAL_NUMBER = re.compile(r"\b\d{3} \d{2}\b|\b\d{5}\b|\bbox \d|\bbp ?\d|\btsa \d")
_ROUTE_WORDS = re.compile(
    r"\b(?:form|formul|address|adress|adresse|adres|indirizzo|dirección|osoite"
    r"|street|road|avenue|lane|drive|suite|rue|boulevard|via|viale|piazza|calle|plaza|katu|ulica"
    r"|p\.?\s?o\.?\s?box|postbus|postfach|cedex)"
    r"|(?:straße|strasse|gatan|vägen|vej|gade|weg|laan|straat|plein)\b"
)
# UK and Dutch postcodes are upper case ("KT16 0RS", "2595 AN"): matched on the original text.
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b|\b\d{4} ?[A-Z]{2}\b")
_DIGIT = re.compile(r"\d")


# Any of these in the lower-cased text is a route on its own: an e-mail or web address.
_ROUTE_MARKS = ("@", "[at]", "(at)", "http", "www.")


def has_route(text: str, low: str | None = None, route_words: bool | None = None) -> bool:
    """An e-mail address (also "name [at] domain"), a web address, a phone number, a form or a
    postal address (a street, a post box, a postcode)."""
    low = text.lower() if low is None else low
    for mark in _ROUTE_MARKS:
        if mark in low:
            return True
    if "/" in low and _URL_TAIL.search(low) and _URL_PATH.search(low):
        return True
    digit = _DIGIT.search(low)
    if digit and _numbered_route(text, low, digit.start()):
        return True
    if route_words is not None:
        return route_words
    return _ROUTE_WORDS.search(low) is not None


def _numbered_route(text: str, low: str, digit: int) -> bool:
    """A phone number or a postal address with a number, in a text whose first digit is at
    ``digit`` (in ``low``). Each of these matches holds a digit: the search starts shortly
    before the first one (``_digit_lead``), not at the start of a long sentence."""
    at_text = digit if len(text) == len(low) else 0  # same length: every character kept its place
    return (
        _search_from_digit(_PHONE, low, digit)
        or _search_from_digit(_POSTAL_NUMBER, low, digit)
        or _search_from_digit(POSTCODE, text, at_text)
    )


def _search_from_digit(pattern: re.Pattern[str], text: str, digit: int) -> bool:
    """``pattern.search(text)`` for a pattern whose matches hold a digit, the first digit of
    ``text`` being at ``digit``. (A search from ``pos`` still sees the character before it.)"""
    lead = _digit_lead(pattern)
    return (
        pattern.search(text, digit - lead if lead is not None and digit > lead else 0) is not None
    )


DPO_TERMS = re.compile(
    r"data protection officer|\bdpo\b|\bdpd\b|\brpd\b|\biod\b|dataskyddsombud|datenschutzbeauftragt"
    r"|délégué(?:e)? à la protection|functionaris (?:voor )?(?:de )?gegevensbescherming|\bfg\b"
    r"|databeskyttelsesrådgiver|personvernombud|responsabile (?:della |per la )?protezione"
    r"|delegad[oa] de protección|tietosuojavastaava|inspektor(?:a)? ochrony danych"
    r"|encarregad[oa] (?:da|de) proteção|data-protection-officer|responsabileprotezionedati"
    r"|correspondant informatique et libertés|\bcil\b",
    re.I,
)
AUTHORITY = re.compile(
    r"supervisory|authorit|regulator|\bico\b|commissioner|tillsynsmyndighet|integritetsskydds"
    r"|\bimy\b|datainspektion|aufsichtsbehörde|datenschutzbehörde|landesbeauftragt|autorité|cnil"
    r"|autoriteit|toezicht|datatilsyn|garante|aepd|agencia española|tietosuojavaltuutet|uodo"
    r"|prezes urzędu|\bcnpd\b|\bedps\b|\bapd\b|\bgba\b|\bdpc\b|ombudsman|autoridad|autorità",
    re.I,
)
# Someone else's DPO: a vendor's, processor's or partner's (a DPO "of theirs" is not ours).
OTHER_PARTY = re.compile(
    r"\b(?:their|its own|provider|processor|partner|vendor|supplier|representative"
    r"|leverantör|biträde|anbieter|dienstleister|auftragsverarbeiter|vertreter|prestataire"
    r"|fournisseur|sous-traitant|représentant|leverancier|verwerker|vertegenwoordiger"
    r"|proveedor|encargado del tratamiento|representante|fornitore|responsabile del trattamento"
    r"|rappresentante|leverandør|databehandler|repræsentant)",
    re.I,
)
COMPLAINT = re.compile(
    r"complain|klago|klagomål|klaga|beschwer|réclamation|plainte|klacht|klage|reclam|reclamo"
    r"|valitu|skarg|queixa|lodge",
    re.I,
)


# The same patterns without re.IGNORECASE, for lower-cased text: several times faster, and
# cue_tokens runs on every segment of every policy.
_LOWER = {
    name: re.compile(pattern.pattern)
    for name, pattern in {
        "dpo": DPO_TERMS,
        "other": OTHER_PARTY,
        "complaint": COMPLAINT,
        "authority": AUTHORITY,
    }.items()
}


def cue_tokens(text: str) -> list[str]:
    """Cue feature names present in one segment."""
    text = one_line(text)
    low = text.lower()
    dpo = _LOWER["dpo"].search(low) is not None
    complaint = _LOWER["complaint"].search(low) is not None
    return _cues(text, low, dpo, complaint)


def _cues(
    text: str, low: str, dpo: bool, complaint: bool, route_words: bool | None = None
) -> list[str]:
    return _tokens(low, dpo, has_route(text, low, route_words), complaint)


def _tokens(low: str, dpo: bool, route: bool, complaint: bool) -> list[str]:
    """The cue names of a segment, given which of its cues' first tests hold."""
    out = []
    if dpo:
        out.append("cue_dpo")
        if route:
            out.append("cue_dpo_route")
        if _LOWER["other"].search(low):
            out.append("cue_dpo_other_party")
    if route:
        out.append("cue_route")
    if complaint and _LOWER["authority"].search(low):
        out.append("cue_complaint_authority")
    return out


def _flatten(ops: list[Any]) -> list[list[Any]] | None:
    """The alternatives of a parsed regex as flat op sequences (branches multiplied out)."""
    for j, (op, av) in enumerate(ops):
        if op is _constants.SUBPATTERN:
            return _flatten([*ops[:j], *av[3].data, *ops[j + 1 :]])
        if op is _constants.BRANCH:
            out: list[list[Any]] = []
            for alt in av[1]:
                sub = _flatten([*ops[:j], *alt.data, *ops[j + 1 :]])
                if sub is None or len(out) + len(sub) > 2000:
                    return None
                out += sub
            return out
    return [ops]


@lru_cache(maxsize=64)
def required_literals(pattern: re.Pattern[str]) -> tuple[tuple[str, bool], ...] | None:
    """For each alternative of ``pattern``, a substring all its matches contain (its longest run
    of literal characters) and whether that run must start a word; None when an alternative has
    no literal. A text containing none of them cannot match, and ``str.find`` looks for a literal
    far faster than the regex engine tries an alternation at every position."""
    if pattern.flags & re.IGNORECASE or _parser is None:
        return None
    try:
        alternatives = _flatten(list(_parser.parse(pattern.pattern, pattern.flags).data))
    except (re.error, TypeError, IndexError):
        return None
    if alternatives is None:
        return None
    out: set[tuple[str, bool]] = set()
    for ops in alternatives:
        best, best_at, run, run_at = "", -1, "", -1
        for j, (op, av) in enumerate(ops):
            if op is _constants.LITERAL:
                run, run_at = (run + chr(av), run_at) if run else (chr(av), j)
                if len(run) > len(best):
                    best, best_at = run, run_at
            else:
                run = ""
        if not best:
            return None
        # After \b, a literal that starts with a word character follows no word character.
        after_boundary = (
            best_at > 0
            and ops[best_at - 1] == (_constants.AT, _constants.AT_BOUNDARY)
            and (best[0].isalnum() or best[0] == "_")
        )
        out.add((best, after_boundary))
    return tuple(sorted(out))


_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


SEPARATOR = "\n\x00\n"  # no literal of a pattern contains it, so no find crosses segments

# The groups of segment_cues' document-wide pass: for each, the segments that may hold it.
_DPO, _COMPLAINT, _WORDS, _MARKS, _SLASH, _DIGITS = range(6)


@lru_cache(maxsize=1)
def _literal_groups() -> tuple[tuple[tuple[str, bool], ...] | None, ...]:
    """The (literal, must start a word) of each group but _DIGITS; None: no literal gates it."""
    return (
        required_literals(_LOWER["dpo"]),
        required_literals(_LOWER["complaint"]),
        required_literals(_ROUTE_WORDS),
        tuple((mark, False) for mark in _ROUTE_MARKS),
        (("/", False),),
    )


@lru_cache(maxsize=1)
def _matcher() -> Any | None:
    """The C matcher of every group's literals and of digits, or None (pure Python)."""
    module = native.load("literals")
    groups = _literal_groups()
    if module is None:
        return None
    literals = []
    for g, group in enumerate(groups):
        if group is None:
            return None
        literals += [(literal, word_start, g) for literal, word_start in group]
    return module.Matcher(literals, digit_group=_DIGITS)


@lru_cache(maxsize=64)
def _max_width(pattern: re.Pattern[str]) -> int | None:
    """The longest text a match of ``pattern`` can span; None if unbounded or unknown."""
    if _parser is None:
        return None
    try:
        width = _parser.parse(pattern.pattern, pattern.flags).getwidth()[1]
    except (re.error, TypeError, IndexError):
        return None
    return None if width >= _constants.MAXREPEAT else int(width)


def _one_digit(op: Any, av: Any) -> bool:
    """Whether a parsed regex op matches one character, always a decimal digit (``\\d``)."""
    if op is _constants.LITERAL:
        return chr(av).isdecimal()
    return op is _constants.IN and av == [(_constants.CATEGORY, _constants.CATEGORY_DIGIT)]


@lru_cache(maxsize=64)
def _digit_lead(pattern: re.Pattern[str]) -> int | None:
    """The most characters a match of ``pattern`` can have before a digit it must hold (None:
    unbounded, or a match need not hold a digit). A match thus starts at most this far before
    the text's first digit."""
    if _parser is None:
        return None
    try:
        alternatives = _flatten(list(_parser.parse(pattern.pattern, pattern.flags).data))
    except (re.error, TypeError, IndexError):
        return None
    if alternatives is None:
        return None
    lead = 0
    for ops in alternatives:
        width = 0
        for op, av in ops:
            repeated = op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT) and av[0] >= 1
            if _one_digit(op, av) or (repeated and av[2].data and _one_digit(*av[2].data[0])):
                break
            width += _parser.SubPattern(_parser.State(), [(op, av)]).getwidth()[1]
            if width >= _constants.MAXREPEAT:
                return None
        else:
            return None  # no digit that every match of this alternative holds
        lead = max(lead, width)
    return lead


def _matches(pattern: re.Pattern[str], low: str, end: int) -> bool:
    """``pattern.search(low)`` for a segment whose first counted literal of ``pattern`` ends
    at ``end``. Every match holds a counted literal (the gate), so it ends at ``end`` or
    later and starts at ``end - width`` or later: the search starts there. (A search from
    ``pos`` still sees the character before it, for ``\b``.)"""
    width = _max_width(pattern)
    return pattern.search(low, end - width if width is not None and end > width else 0) is not None


def _find(literals: Sequence[tuple[str, bool]], joined: str, starts: list[int]) -> dict[int, int]:
    """The segments that contain one of ``literals`` (at a possible word start where flagged:
    not after an ASCII word character): {segment: where in it the first one ends}."""
    found: dict[int, int] = {}
    n = len(starts)
    for literal, word_start in literals:
        i = joined.find(literal)
        while i >= 0:
            if word_start and i and joined[i - 1] in _ASCII_WORD:
                i = joined.find(literal, i + 1)  # surely not at a word boundary
                continue
            k = bisect_right(starts, i) - 1
            end = i - starts[k] + len(literal)
            if end < found.get(k, end + 1):
                found[k] = end
            i = joined.find(literal, starts[k + 1]) if k + 1 < n else -1
    return found


def _candidates(lows: list[str], native_ok: bool = True) -> Sequence[Mapping[int, int]]:
    """For each group, the segments that may hold it (all that do, and few others), each with
    where its first counted literal ends: the C matcher's answer, or the same in Python."""
    matcher = _matcher() if native_ok else None
    if matcher is not None:
        return matcher.segments(lows)  # type: ignore[no-any-return]
    joined = SEPARATOR.join(lows)
    starts = [0]
    for low in lows[:-1]:
        starts.append(starts[-1] + len(low) + len(SEPARATOR))
    out: list[Mapping[int, int]] = [
        dict.fromkeys(range(len(lows)), 0) if literals is None else _find(literals, joined, starts)
        for literals in _literal_groups()
    ]
    digits: dict[int, int] = {}
    m = _DIGIT.search(joined)
    while m:
        k = bisect_right(starts, m.start()) - 1
        digits[k] = m.end() - starts[k]
        m = _DIGIT.search(joined, starts[k + 1]) if k + 1 < len(starts) else None
    out.append(digits)
    return out


def segment_cues(texts: Sequence[str], native_ok: bool = True) -> list[list[str]]:
    """``[cue_tokens(t) for t in texts]`` for a document's segments, the fast way: one pass
    over the document finds the few segments where a cue's regexes can match (the C matcher
    when built, ``native_ok`` false for the pure-Python twin); only those run them."""
    texts = [one_line(t) for t in texts]
    lows = [t.lower() for t in texts]
    at = _candidates(lows, native_ok)
    dpo = {k for k, end in at[_DPO].items() if _matches(_LOWER["dpo"], lows[k], end)}
    complaint = {
        k for k, end in at[_COMPLAINT].items() if _matches(_LOWER["complaint"], lows[k], end)
    }
    route = set(at[_MARKS])
    for k in at[_SLASH]:
        if k not in route and _URL_TAIL.search(lows[k]) and _URL_PATH.search(lows[k]):
            route.add(k)
    for k, end in at[_DIGITS].items():
        if k not in route and _numbered_route(texts[k], lows[k], end - 1):
            route.add(k)
    for k, end in at[_WORDS].items():
        if k not in route and _matches(_ROUTE_WORDS, lows[k], end):
            route.add(k)
    out: list[list[str]] = [[] for _ in lows]
    for k in dpo | complaint | route:
        out[k] = _tokens(lows[k], k in dpo, k in route, k in complaint)
    return out
