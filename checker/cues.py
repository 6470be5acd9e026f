"""Multilingual cue words for the parts of an element's definition that must co-occur.

A bag of words cannot express "a DPO *and* a way to reach them" or "a complaint *to an
authority*": the right words get diluted in a long sentence and outweighed by the wording of
ordinary contact sentences. These cues add that conjunction as features (``checker.features``),
explain near misses (``checker.reasons``) and decide what a sentence shows on its own
(``training.train``). One list per concept, every language the model is trained on.
"""

from __future__ import annotations

import re

CONTACT_ROUTE = re.compile(
    # e-mail (also written "name [at] domain"), web address (with or without a scheme), phone
    r"@|\[at\]|\(at\)|https?://|www\.|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,6}/\S"
    r"|\+?\d[\d ()./-]{6,}\d"
    # a form or a postal address: the word, a street, a post box, a postcode
    r"|\b(?:form|formul|address|adress|adresse|adres|indirizzo|dirección|osoite)"
    r"|\b(?:street|road|avenue|lane|drive|suite|rue|boulevard|straße|strasse|gatan|vägen|vej"
    r"|gade|weg|laan|straat|plein|via|viale|piazza|calle|plaza|katu|ulica)\b"
    r"|\w(?:straße|strasse|gatan|vägen|vej|gade|weg|laan|straat)\b"
    r"|\b(?:p\.?\s?o\.?\s?box|postbus|postfach|box \d|bp ?\d|cedex|tsa \d)"
    r"|(?-i:\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b|\b\d{4} ?[A-Z]{2}\b)|\b\d{3} \d{2}\b|\b\d{5}\b",
    re.I,
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


def cue_tokens(text: str) -> list[str]:
    """Cue feature names present in one segment."""
    dpo = DPO_TERMS.search(text) is not None
    route = CONTACT_ROUTE.search(text) is not None
    out = []
    if dpo:
        out.append("cue_dpo")
        if route:
            out.append("cue_dpo_route")
        if OTHER_PARTY.search(text):
            out.append("cue_dpo_other_party")
    if route:
        out.append("cue_route")
    if COMPLAINT.search(text) and AUTHORITY.search(text):
        out.append("cue_complaint_authority")
    return out
