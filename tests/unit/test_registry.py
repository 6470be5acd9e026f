from __future__ import annotations

import pytest

from checker import registry
from checker.errors import PolicycheckError
from tests.conftest import ROOT


def test_ids_are_unique_and_ordered():
    assert registry.ELEMENT_IDS == ("dpo_contact", "complaint_right", "retention", "children")
    assert len(set(registry.ELEMENT_IDS)) == len(registry.ELEMENTS)


def test_every_element_names_articles_and_a_recommendation():
    for e in registry.ELEMENTS:
        assert e.articles and all(a.startswith(("Art.", "Recital")) for a in e.articles)
        assert e.recommendation.strip() and e.title.strip()


@pytest.mark.parametrize(
    "spec, expected",
    [
        (None, registry.ELEMENT_IDS),
        ("retention", ("retention",)),
        ("children, dpo_contact", ("dpo_contact", "children")),
        (["complaint_right"], ("complaint_right",)),
    ],
)
def test_parse_ids(spec, expected):
    assert registry.parse_ids(spec) == expected


@pytest.mark.parametrize("spec", ["nope", "retention,nope", ",", []])
def test_parse_ids_rejects_unknown_or_empty(spec):
    with pytest.raises(PolicycheckError):
        registry.parse_ids(spec)


def test_readme_element_table_is_the_registry():
    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme.split("<!-- elements:start")[1].split("<!-- elements:end -->")[0]
    assert registry.markdown_table() in block, "regenerate the README table from the registry"


def test_readme_and_guidelines_document_every_element():
    readme = (ROOT / "README.md").read_text("utf-8")
    guidelines = (ROOT / "data" / "labels" / "GUIDELINES.md").read_text("utf-8")
    for e in registry.ELEMENTS:
        assert f"`{e.id}`" in readme, f"README does not document {e.id}"
        assert f"`{e.id}`" in guidelines, f"GUIDELINES.md does not define {e.id}"
