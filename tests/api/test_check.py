"""POST /v1/check returns exactly the library's report, however the policy is sent."""

from __future__ import annotations

import jsonschema
import pytest

from checker.engine import check
from checker.extract import read_policy
from checker.report import report_json_schema
from tests.api.documents import DOCX_MEDIA_TYPE, make_docx, make_pdf
from tests.api.helpers import POLICY


@pytest.fixture(scope="module")
def expected(tiny_model):
    def report(text: str, **options) -> dict:
        return check(text, model=tiny_model, **options).to_dict()

    return report


def test_json_text_gives_the_library_report(client, expected):
    r = client.post("/v1/check", json={"text": POLICY})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == expected(POLICY)
    jsonschema.validate(r.json(), report_json_schema())


def test_json_options_are_passed_to_the_library(client, expected):
    body = {"text": POLICY, "require": ["retention"], "fail_on": "uncertain", "source": "p.md"}
    r = client.post("/v1/check", json=body)
    assert r.json() == expected(POLICY, require=["retention"], fail_on="uncertain", source="p.md")
    assert [e["required"] for e in r.json()["elements"]] == [False, False, True, False]


def test_require_may_be_a_comma_separated_string(client):
    r = client.post("/v1/check", json={"text": POLICY, "require": "retention,children"})
    assert [e["id"] for e in r.json()["elements"] if e["required"]] == ["retention", "children"]


def test_multipart_upload_uses_the_file_name_as_source(client, expected):
    files = {"file": ("privacy.md", POLICY.encode(), "text/markdown")}
    r = client.post("/v1/check", files=files, data={"require": "dpo_contact", "fail_on": "absent"})
    assert r.status_code == 200
    assert r.json() == expected(POLICY, source="privacy.md", require=["dpo_contact"])


def test_upload_file_name_is_reduced_to_its_base_name(client):
    files = {"file": ("C:\\Users\\me\\..\\privacy.txt", POLICY.encode(), "text/plain")}
    assert client.post("/v1/check", files=files).json()["source"] == "privacy.txt"


@pytest.mark.parametrize("media_type", ["text/plain", "text/markdown", "application/octet-stream"])
def test_raw_body_with_its_media_type(client, expected, media_type):
    r = client.post("/v1/check", content=POLICY.encode(), headers={"content-type": media_type})
    assert r.status_code == 200
    assert r.json() == expected(POLICY)


def test_raw_body_takes_options_from_the_query(client):
    r = client.post(
        "/v1/check?require=retention&require=children&fail_on=uncertain",
        content=POLICY.encode(),
        headers={"content-type": "text/plain"},
    )
    summary = r.json()["summary"]
    assert summary["fail_on"] == "uncertain"
    assert [e["id"] for e in r.json()["elements"] if e["required"]] == ["retention", "children"]


def test_legacy_encodings_are_decoded(client, expected):
    text = POLICY.replace("order", "ordér")
    r = client.post(
        "/v1/check", content=text.encode("cp1252"), headers={"content-type": "text/plain"}
    )
    assert r.json() == expected(text)


def test_html_is_converted_and_says_offsets_refer_to_the_extracted_text(client, expected):
    html = "<html><body><h1>Privacy</h1><p>" + POLICY.replace("\n", " ") + "</p></body></html>"
    r = client.post("/v1/check", content=html.encode(), headers={"content-type": "text/html"})
    text, fmt = read_policy(html.encode(), media_type="text/html")
    assert fmt == "html"
    report = expected(text)
    report["warnings"].append("HTML input: offsets and line numbers refer to the extracted text")
    assert r.json() == report


@pytest.mark.parametrize(
    "name, media_type, build, fmt",
    [
        ("p.pdf", "application/pdf", make_pdf, "PDF"),
        ("p.docx", DOCX_MEDIA_TYPE, make_docx, "DOCX"),
    ],
)
def test_pdf_and_docx_are_extracted(client, expected, name, media_type, build, fmt):
    data = build(POLICY)
    text, _ = read_policy(data)
    report = expected(text, source=name)
    report["warnings"].append(f"{fmt} input: offsets and line numbers refer to the extracted text")
    uploaded = client.post("/v1/check", files={"file": (name, data, media_type)})
    assert uploaded.json() == report
    raw = client.post("/v1/check", content=data, headers={"content-type": media_type})
    assert raw.json() == {k: v for k, v in report.items() if k != "source"}


def test_evidence_offsets_point_into_the_extracted_text(client):
    data = make_docx(POLICY)
    text = client.post("/v1/extract", content=data, headers={"content-type": DOCX_MEDIA_TYPE})
    extracted = text.json()
    assert extracted["format"] == "docx" and extracted["chars"] == len(extracted["text"])
    report = client.post("/v1/check", content=data, headers={"content-type": DOCX_MEDIA_TYPE})
    for element in report.json()["elements"]:
        for ev in element["evidence"] + element["near_misses"]:
            assert extracted["text"][ev["start"] : ev["end"]] == ev["text"]


def test_extract_keeps_text_and_markdown_as_written(client):
    r = client.post("/v1/extract", json={"text": POLICY})
    assert r.json() == {"format": "text", "chars": len(POLICY), "text": POLICY}


def test_an_upload_never_touches_a_temporary_file(client, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise AssertionError("an upload was about to be written to disk")

    for name in ("SpooledTemporaryFile", "NamedTemporaryFile", "TemporaryFile", "mkstemp"):
        monkeypatch.setattr(tempfile, name, refuse)
    big = (POLICY * 3000).encode()  # 1.3 MB: above Starlette's 1 MB spooling threshold
    r = client.post("/v1/check", files={"file": ("big.txt", big, "text/plain")})
    assert r.status_code == 200


def test_plain_def_endpoints_run_in_the_thread_pool():
    """Scoring is CPU-bound: an ``async def`` check would block every other request."""
    import inspect

    from api import routes

    for endpoint in (routes.post_check, routes.post_check_batch, routes.post_extract):
        assert not inspect.iscoroutinefunction(endpoint)
    for endpoint in (routes.healthz, routes.readyz):  # no work: answered on the event loop
        assert inspect.iscoroutinefunction(endpoint)
