"""The shipped model on the seed policies, hard negatives and report guarantees."""

from __future__ import annotations

import json

import pytest

from checker import check, check_path
from checker.errors import InputError
from checker.report import report_json_schema
from tests.conftest import SEEDS
from tests.unit.test_labels import SEED_TABLE

FILLER = (
    "Acme Shoes Ltd sells footwear online. We collect your name, address and payment details "
    "to deliver your order. We use cookies to keep you signed in and to measure traffic. "
    "We share delivery details with our courier. We protect your data with encryption and "
    "access controls. You can ask us for a copy of your data or ask us to correct it. "
)


def seed_path(prefix: str):
    return next(SEEDS.glob(f"{prefix}_*.txt"))


@pytest.mark.parametrize("seed", sorted(SEED_TABLE))
def test_seed_policies_read_as_labeled(seed, shipped_model):
    report = check_path(seed_path(seed), model=shipped_model)
    got = {e.id: e.status == "present" for e in report.elements}
    assert got == SEED_TABLE[seed]


@pytest.mark.parametrize(
    "sentence, element",
    [
        (
            "Our payment provider has its own Data Protection Officer, reachable at dpo@payco.example.",
            "dpo_contact",
        ),
        ("We have appointed a Data Protection Officer who oversees our compliance.", "dpo_contact"),
        (
            "If you have a complaint about our service, please contact our support team first.",
            "complaint_right",
        ),
        (
            "We use standard contractual clauses approved by the European Commission for transfers.",
            "complaint_right",
        ),
        ("Your data is stored on encrypted servers located in Frankfurt.", "retention"),
        ("Acme Shoes Ltd and its child companies may share customer data for billing.", "children"),
    ],
)
def test_hard_negatives_are_absent(sentence, element, shipped_model):
    report = check(FILLER + sentence, model=shipped_model)
    assert report.element(element).status == "absent"


@pytest.mark.parametrize(
    "sentence, element",
    [
        ("You can reach our Data Protection Officer at dpo@acmeshoes.example.", "dpo_contact"),
        (
            "You also have the right to lodge a complaint with the Information Commissioner's Office.",
            "complaint_right",
        ),
        ("We delete your order history six years after your last purchase.", "retention"),
        (
            "Our shop is not intended for anyone under 16 and we do not knowingly collect their data.",
            "children",
        ),
    ],
)
def test_plain_disclosures_are_present(sentence, element, shipped_model):
    report = check(FILLER + sentence, model=shipped_model)
    result = report.element(element)
    assert result.status == "present"
    assert result.evidence[0].text == sentence
    assert result.recommendation is None


def test_evidence_offsets_and_lines_reproduce_the_text(shipped_model):
    text = seed_path("004").read_text("utf-8")
    report = check(text, model=shipped_model)
    for el in report.elements:
        for ev in el.evidence + el.near_misses:
            assert text[ev.start : ev.end] == ev.text
            assert text.count("\n", 0, ev.start) + 1 == ev.line


def test_absent_element_has_recommendation_and_articles(shipped_model):
    report = check_path(seed_path("001"), model=shipped_model)
    el = report.element("complaint_right")
    assert el.status == "absent"
    assert "supervisory authority" in el.recommendation
    assert "Art. 77" in el.articles
    assert not report.passed and "complaint_right" in report.summary()["failing"]


def test_retention_detail(shipped_model):
    specific = check(
        FILLER + "We delete your account data 30 days after you close your account.",
        model=shipped_model,
    )
    vague = check(
        FILLER + "We keep personal data only for as long as necessary for these purposes.",
        model=shipped_model,
    )
    assert specific.element("retention").detail == "specific"
    assert vague.element("retention").detail == "vague"


def test_require_limits_what_fails(shipped_model):
    report = check_path(seed_path("001"), model=shipped_model, require="retention")
    assert report.passed
    assert [e.id for e in report.elements if e.required] == ["retention"]


def test_report_is_deterministic_and_valid_against_schema(shipped_model):
    import jsonschema

    text = seed_path("000").read_text("utf-8")
    a = check(text, model=shipped_model, source="000.txt").to_dict()
    b = check(text, model=shipped_model, source="000.txt").to_dict()
    assert json.dumps(a) == json.dumps(b)
    jsonschema.validate(a, report_json_schema())
    assert a["summary"] == {
        "present": 2,
        "absent": 2,
        "uncertain": 0,
        "passed": False,
        "failing": ["dpo_contact", "children"],
        "fail_on": "absent",
    }


def test_swedish_seed_is_detected_as_supported_swedish(shipped_model):
    report = check_path(seed_path("002"), model=shipped_model)
    assert (report.language.code, report.language.supported) == ("sv", True)


def test_untrained_language_is_flagged(shipped_model):
    text = (
        "Az Ön személyes adatait cégünk kezeli a szolgáltatás nyújtása érdekében. "
        "Bármikor kérheti az adatai helyesbítését vagy törlését, és ezt meg is tesszük. "
    ) * 10
    report = check(text, model=shipped_model)
    assert report.language.code == "hu" and not report.language.supported
    assert any("outside the languages" in w for w in report.warnings)


@pytest.mark.parametrize("bad", ["", "   \n\t "])
def test_empty_text_is_a_clear_error(bad, shipped_model):
    with pytest.raises(InputError, match="empty"):
        check(bad, model=shipped_model)
