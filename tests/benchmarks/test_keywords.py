"""The hand-written keyword baseline: what its rules claim to handle, and its speed figures."""

from __future__ import annotations

import pytest

from benchmarks.alternatives import keywords, measure

CASES = [
    # dpo_contact: our DPO with a route, in the sentence or in the contact block under it
    ("dpo_contact", "You can reach our Data Protection Officer at dpo@example.com.", True),
    (
        "dpo_contact",
        "Data Protection Officer\nExample Ltd\n1 High Street\nprivacy@example.com",
        True,
    ),
    (
        "dpo_contact",
        "Unser Datenschutzbeauftragter ist unter datenschutz@example.de erreichbar.",
        True,
    ),
    ("dpo_contact", "Vårt dataskyddsombud nås på dataskydd@example.se.", True),
    (
        "dpo_contact",
        "Vous pouvez contacter notre délégué à la protection des données par courriel.",
        True,
    ),
    ("dpo_contact", "Onze functionaris gegevensbescherming is bereikbaar via fg@example.nl.", True),
    ("dpo_contact", "Questions? Write to dpo@example.org.", True),
    (
        "dpo_contact",
        "We have appointed a Data Protection Officer who monitors our compliance.",
        False,
    ),
    (
        "dpo_contact",
        "We are not required to appoint a data protection officer; email privacy@example.com.",
        False,
    ),
    (
        "dpo_contact",
        "Our payment processor's data protection officer can be reached at dpo@pay.example.",
        False,
    ),
    ("dpo_contact", "For any privacy question, contact us at privacy@example.com.", False),
    # complaint_right: a complaint to a supervisory authority, not to us or a mediator
    (
        "complaint_right",
        "You have the right to lodge a complaint with a supervisory authority.",
        True,
    ),
    ("complaint_right", "You may complain to the Information Commissioner's Office (ICO).", True),
    (
        "complaint_right",
        "Du har rätt att lämna klagomål till Integritetsskyddsmyndigheten (IMY).",
        True,
    ),
    (
        "complaint_right",
        "Sie haben das Recht, sich bei einer Aufsichtsbehörde zu beschweren.",
        True,
    ),
    ("complaint_right", "Vous pouvez introduire une réclamation auprès de la CNIL.", True),
    ("complaint_right", "U kunt een klacht indienen bij de Autoriteit Persoonsgegevens.", True),
    ("complaint_right", "If you have a complaint, please email support@example.com.", False),
    (
        "complaint_right",
        "Our lead supervisory authority is the Irish Data Protection Commission.",
        False,
    ),
    (
        "complaint_right",
        "We will notify the supervisory authority of a personal data breach.",
        False,
    ),
    # retention: a period, an event, or the criteria
    ("retention", "We keep your order records for seven years.", True),
    ("retention", "Personal data is deleted 30 days after your account is closed.", True),
    ("retention", "We retain your data only as long as necessary for these purposes.", True),
    ("retention", "Wir speichern Ihre Daten, solange Ihr Konto besteht.", True),
    ("retention", "Uppgifterna sparas i 24 månader.", True),
    ("retention", "Vos données sont conservées pendant 3 ans.", True),
    ("retention", "Wij bewaren uw gegevens niet langer dan nodig.", True),
    ("retention", "Your data is stored on encrypted servers in Frankfurt.", False),
    ("retention", "We retain the right to change this policy at any time.", False),
    ("retention", "We will keep you informed about new features.", False),
    # children: minimum age, not directed at children, parental consent
    ("children", "Our service is not directed at children under 13.", True),
    ("children", "You must be at least 16 years old to use the app.", True),
    ("children", "We ask for parental consent before collecting data from a minor.", True),
    ("children", "Unsere Dienste richten sich nicht an Kinder unter 16 Jahren.", True),
    ("children", "Vi samlar inte in uppgifter om barn.", True),
    ("children", "Nos services ne s'adressent pas aux enfants de moins de 15 ans.", True),
    ("children", "We share data with our child companies and subsidiaries.", False),
    ("children", "Employees on parental leave keep access to the portal.", False),
    ("children", "We collect your name, e-mail address and date of birth.", False),
]


@pytest.mark.parametrize(("element", "text", "expected"), CASES)
def test_rule(element: str, text: str, expected: bool) -> None:
    assert keywords.predict(text)[element] is expected


def test_predict_returns_every_element() -> None:
    out = keywords.predict("")
    assert set(out) == {"dpo_contact", "complaint_right", "retention", "children"}
    assert not any(out.values())


def test_one_policy_with_everything() -> None:
    policy = "\n".join(text for _, text, expected in CASES if expected)
    assert all(keywords.predict(policy).values())


def test_throughput_keys() -> None:
    text = "\n".join(text for _, text, _ in CASES)
    out = measure.throughput("keywords", text, min_seconds=0.05)
    for key in ("one_thread", "default_threads"):
        fig = out[key]
        assert fig["policies_per_s"] > 0 and fig["runs"] >= 5
        assert 0 < fig["p50_ms"] <= fig["p95_ms"] <= fig["p99_ms"]
    assert out["policies_per_s"] == out["one_thread"]["policies_per_s"]
    assert out["text_bytes"] == len(text.encode())


def test_unknown_name() -> None:
    with pytest.raises(ValueError, match="unknown alternative"):
        measure.throughput("bert", "text")


def test_fresh_process_figures(tmp_path) -> None:
    policy = tmp_path / "policy.txt"
    policy.write_text("We keep your data for two years.\n", "utf-8")
    out = measure.fresh_process("keywords", policy)
    assert set(out) == {"load_seconds", "first_predict_seconds", "peak_rss_mb", "wall_seconds"}
    assert 0 < out["load_seconds"] < out["wall_seconds"] and out["peak_rss_mb"] > 0
