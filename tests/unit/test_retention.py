"""Retention detail: a period or an event-bound rule is specific; 'as long as necessary' is vague."""

from __future__ import annotations

import pytest

from checker.retention import is_specific, retention_detail


@pytest.mark.parametrize(
    "text",
    [
        "Invoices are kept for 10 years.",
        "We keep billing records for ten (10) years after the last payment.",
        "Account data is deleted 30 days after you close your account.",
        "We delete your profile if you close your account.",
        "Your data is kept for as long as your account is active.",
        "Newsletter data is kept until you unsubscribe.",
        "Kontouppgifter sparas i 13 månader.",
        "Lagringstid: Avtalstiden + 1 år",
        "Die Daten werden nach sechs Monaten gelöscht.",
        "Les données sont conservées 3 ans à compter du dernier contact.",
        "Wij bewaren uw gegevens tot 2 jaar na beëindiging van de overeenkomst.",
        "I log sono mantenuti per la durata della sessione.",
    ],
)
def test_specific(text):
    assert is_specific(text)


@pytest.mark.parametrize(
    "text",
    [
        "We keep personal data only for as long as necessary for the purposes described.",
        "Data is retained as required by applicable law.",
        "Vi sparar uppgifterna så länge det behövs.",
        "Wir speichern Ihre Daten nur so lange, wie es erforderlich ist.",
        "Nous conservons vos données pendant la durée nécessaire.",
        "We store your data on secure servers.",
    ],
)
def test_vague(text):
    assert not is_specific(text)


def test_one_specific_sentence_makes_the_policy_specific():
    assert (
        retention_detail(["as long as necessary", "Logs are deleted after 14 days."]) == "specific"
    )
    assert retention_detail(["as long as necessary", "as required by law"]) == "vague"
