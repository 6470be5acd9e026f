"""Multilingual cue words for the parts of an element's definition that must co-occur.

A bag of words cannot express "a DPO *and* a way to reach them" or "a complaint *to an
authority*": the right words get diluted in a long sentence and outweighed by the wording of
ordinary contact sentences. These cues add that conjunction as features (``checker.features``),
explain near misses (``checker.reasons``) and decide what a sentence shows on its own
(``training.train``). One list per concept, every language the model is trained on.
"""

from __future__ import annotations

import re

# A way to reach someone. Split into cheap tests, run on lower-cased text: this runs on every
# segment of every policy.
_URL_PATH = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,6}/\S")
_PHONE = re.compile(r"\+?\d[\d ()./-]{6,}\d")
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


def has_route(text: str, low: str | None = None) -> bool:
    """An e-mail address (also "name [at] domain"), a web address, a phone number, a form or a
    postal address (a street, a post box, a postcode)."""
    low = text.lower() if low is None else low
    if "@" in low or "[at]" in low or "(at)" in low or "http" in low or "www." in low:
        return True
    if "/" in low and _URL_PATH.search(low):
        return True
    if _DIGIT.search(low) and (
        _PHONE.search(low) or _POSTAL_NUMBER.search(low) or POSTCODE.search(text)
    ):
        return True
    return _ROUTE_WORDS.search(low) is not None


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
    low = text.lower()
    dpo = _LOWER["dpo"].search(low) is not None
    route = has_route(text, low)
    out = []
    if dpo:
        out.append("cue_dpo")
        if route:
            out.append("cue_dpo_route")
        if _LOWER["other"].search(low):
            out.append("cue_dpo_other_party")
    if route:
        out.append("cue_route")
    if _LOWER["complaint"].search(low) and _LOWER["authority"].search(low):
        out.append("cue_complaint_authority")
    return out
