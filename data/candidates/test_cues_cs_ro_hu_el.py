"""Cue words and language guesses for Czech, Romanian, Hungarian and Greek policies.

Sentences written for these tests (invented organisations), in the inflected forms the cue
stems have to cover.
"""

from __future__ import annotations

import pytest

from checker.cues import cue_tokens, segment_cues
from checker.language import detect_language

DPO_WITH_ROUTE = [
    "Našeho pověřence pro ochranu osobních údajů zastihnete na gdpr@javor.example.cz.",
    "Pověřenkyni napište na adresu Lipová 3, 500 02 Hradec Králové.",
    "Responsabilul cu protecția datelor poate fi contactat la dpo@tei.example.ro.",
    "Responsabilul cu protectia datelor: Str. Teiului nr. 9, Oradea",
    "Adatvédelmi tisztviselőnk elérhető a dpo@hars.example.hu címen.",
    "Adatvédelmi tisztviselő: 9400 Sopron, Hársfa utca 3.",
    "Ο Υπεύθυνος Προστασίας Δεδομένων απαντά στο dpo@flamouria.example.gr.",
    "ΥΠΕΥΘΥΝΟΣ ΠΡΟΣΤΑΣΙΑΣ ΔΕΔΟΜΕΝΩΝ, οδός Φλαμουριάς 3, 453 32 Ιωάννινα",
]

OTHER_PARTY_DPO = [
    "Pověřence našeho zpracovatele zastihnete na dpo@posta.example.cz.",
    "Responsabilul cu protecția datelor al furnizorului: dpo@curier.example.ro",
    "Az adatfeldolgozó adatvédelmi tisztviselője: dpo@futar.example.hu",
    "Ο Υπεύθυνος Προστασίας Δεδομένων του παρόχου: dpo@cloud.example.gr",
]

COMPLAINT_TO_AUTHORITY = [
    "Máte právo podat stížnost u Úřadu pro ochranu osobních údajů.",
    "Stížnost můžete podat u dozorového úřadu.",
    "Puteți depune o plângere la ANSPDCP.",
    "Aveti dreptul sa depuneti o plangere la autoritatea de supraveghere.",
    "Panasszal fordulhat a Nemzeti Adatvédelmi és Információszabadság Hatósághoz.",
    "Panaszt tehet a NAIH-nál.",
    "Μπορείτε να υποβάλετε καταγγελία στην Αρχή Προστασίας Δεδομένων.",
    "Έχετε δικαίωμα καταγγελίας στην εποπτική αρχή.",
]

COMPLAINT_TO_US = [
    "Stížnosti nám pište na info@javor.example.cz.",
    "Reclamațiile ni le trimiteți la contact@tei.example.ro.",
    "Panaszait az ügyfélszolgálatnak küldje.",
    "Τα παράπονά σας στείλτε τα στο info@flamouria.example.gr.",
]


@pytest.mark.parametrize("text", DPO_WITH_ROUTE)
def test_dpo_with_a_route(text: str) -> None:
    tokens = cue_tokens(text)
    assert "cue_dpo_route" in tokens
    assert "cue_dpo_other_party" not in tokens


@pytest.mark.parametrize("text", OTHER_PARTY_DPO)
def test_someone_elses_dpo(text: str) -> None:
    assert "cue_dpo_other_party" in cue_tokens(text)


@pytest.mark.parametrize("text", COMPLAINT_TO_AUTHORITY)
def test_complaint_to_the_authority(text: str) -> None:
    assert "cue_complaint_authority" in cue_tokens(text)


@pytest.mark.parametrize("text", COMPLAINT_TO_US)
def test_complaint_to_the_company_is_not_to_an_authority(text: str) -> None:
    assert "cue_complaint_authority" not in cue_tokens(text)


def test_document_cues_match_segment_cues() -> None:
    texts = DPO_WITH_ROUTE + OTHER_PARTY_DPO + COMPLAINT_TO_AUTHORITY + COMPLAINT_TO_US
    assert segment_cues(texts) == [cue_tokens(t) for t in texts]


POLICIES = {
    "cs": "Vaše osobní údaje uchováváme po dobu trvání smlouvy a poté ještě tři roky. Máte právo "
    "podat stížnost u Úřadu pro ochranu osobních údajů, pokud se domníváte, že s nimi nakládáme "
    "v rozporu s předpisy. Služba není určena dětem mladším 15 let.",
    "ro": "Păstrăm datele dumneavoastră pe durata contractului și încă trei ani după încetarea "
    "acestuia. Dacă considerați că vă încălcăm drepturile, puteți depune o plângere la "
    "autoritatea de supraveghere.",
    "ro-ascii": "Pastram datele pe durata contractului si inca trei ani dupa incetarea acestuia. "
    "Daca considerati ca va incalcam drepturile, puteti depune o plangere la autoritatea de "
    "supraveghere, fara niciun cost.",
    "hu": "Az adatait a szerződés időtartama alatt és azt követően még három évig őrizzük meg. Ha "
    "úgy érzi, hogy megsértettük a jogait, panasszal fordulhat a felügyeleti hatósághoz.",
    "el": "Διατηρούμε τα δεδομένα σας όσο διαρκεί η σύμβαση και για τρία έτη μετά τη λήξη της. "
    "Αν θεωρείτε ότι παραβιάζουμε τα δικαιώματά σας, μπορείτε να υποβάλετε καταγγελία στην Αρχή.",
}


@pytest.mark.parametrize("key, text", POLICIES.items(), ids=list(POLICIES))
def test_language_of_a_short_policy(key: str, text: str) -> None:
    assert detect_language(text).code == key.split("-")[0]
