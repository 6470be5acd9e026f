"""Retention quality: is a retention clause specific (a period or event) or vague?

A vague clause ("as long as necessary") is the most common real-world retention gap, so a
present retention element also reports ``detail``. The rule is deliberately simple and
multilingual: a number or number word with a time unit, or deletion tied to an event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from checker.segment import one_line

_UNITS = (
    r"(?:hours?|days?|weeks?|months?|years?|yrs?"
    r"|timm(?:e|ar)|dagar|dygn|veckor|vecka|månad(?:er)?|mån|år"  # sv
    r"|stunden?|tagen?|tage|wochen?|monate?n?|jahre?n?"  # de
    r"|timer?|døgn|uger?|måned(?:er)?"  # da / no
    r"|heures?|jours?|semaines?|mois|ans|années?"  # fr
    r"|uur|uren|dagen|weken|maanden?|jaar|jaren"  # nl
    r"|horas?|días?|semanas?|mes(?:es)?|años?"  # es
    r"|ore|giorni|giorno|settimane|mesi|mese|anni|anno"  # it
    r"|tuntia|päivää|päivän|viikkoa|kuukautta|kuukauden|vuotta|vuoden"  # fi
    r"|godzin|dni|tygodni|miesięcy|miesiące|lat|lata|roku)"  # pl
)
_NUMBER_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen|twenty|thirty|sixty"
    r"|ett|en|två|tre|fyra|fem|sex|sju|åtta|tio|tolv"
    r"|ein(?:em|en|es)?|zwei|drei|vier|fünf|sechs|sieben|zehn|zwölf"
    r"|et|to|fem|syv|ti|tolv"
    r"|un|une|deux|trois|quatre|cinq|six|sept|dix|douze"
    r"|één|een|twee|drie|vier|vijf|zes|zeven|tien|twaalf"
    r"|uno|una|dos|tres|cuatro|cinco|seis|siete|diez|doce"
    r"|due|tre|quattro|cinque|sette|dieci|dodici)"
)
_PERIOD = re.compile(
    rf"(?<![\w])(?:\d+(?:[.,]\d+)?|{_NUMBER_WORDS})(?:\s*\(\d+\))?\s*(?:-|–|to|bis|à|tot)?\s*(?:\d+\s*)?"
    rf"(?:full\s+|calendar\s+|kalender)?{_UNITS}(?![\w])",
    re.IGNORECASE,
)
_EVENT = re.compile(
    r"(?:after|following|upon|once|until|if|when|efter|tills|till dess|om|när|nach|bis zu[rm]?|"
    r"solange|wenn|sobald|après|jusqu'à|jusqu’à|si|lorsque|dès que|na|totdat|tot|als|wanneer|"
    r"zodra|después de|hasta|cuando|dopo|fino|quando)\b[^.]{0,60}?"
    r"(?:clos|terminat|delet|cancel|end of|expir|unsubscrib|withdraw|deactivat|"
    r"avslut|upphör|uppsäg|radera|kündig|beend|lösch|widerruf|ende|"
    r"clôtur|résili|suppression|fin du|fin de|retrait|"
    r"beëindig|opzeg|verwijder|einde|intrekking|"
    r"cancela|baja|fin del|cessazione|chiusura|revoca|"
    r"ophør|opsig|sletning)",
    re.IGNORECASE,
)
_AS_LONG_AS_ACTIVE = re.compile(
    r"(?:as long as|while|so long as|for the duration of|så länge|solange|für die dauer|tant que"
    r"|pendant la durée|zolang|voor de duur|mientras|durante|finché|per la durata|så længe)"
    r"[^.]{0,40}?(?:account|konto|compte|abonnement|subscription|contract|avtal|vertrag|contrat|"
    r"overeenkomst|contrato|contratto|aftale|membership|medlemskap|mitgliedschaft|customer|"
    r"member|you use|session|sessione|sitzung|kund|client|klant|cliente)",
    re.IGNORECASE,
)
# Deletion tied to closing an account, in noun form ("deleting your account deletes ...").
_ACCOUNT_DELETION = re.compile(
    r"(?:delet|clos|terminat)\w* (?:your|the|their) account|account (?:deletion|closure)",
    re.IGNORECASE,
)
_AVTALSTID = re.compile(
    r"avtalstid|vertragslaufzeit|durée du contrat|looptijd|contract period", re.IGNORECASE
)


# The same patterns without re.IGNORECASE, run on lower-cased text: three to thirty times faster
# (as in checker.cues), and a present retention element runs them on each of its sentences.
_LOWER = tuple(
    re.compile(p.pattern)
    for p in (_PERIOD, _EVENT, _AS_LONG_AS_ACTIVE, _ACCOUNT_DELETION, _AVTALSTID)
)


def is_specific(text: str) -> bool:
    low = one_line(text).lower()
    return any(p.search(low) for p in _LOWER)


def retention_detail(texts: Iterable[str]) -> str:
    """'specific' when any retention sentence gives a period or an event-bound rule."""
    return "specific" if any(is_specific(t) for t in texts) else "vague"
