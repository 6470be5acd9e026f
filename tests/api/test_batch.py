"""POST /v1/check/batch: one report per item, in order; a bad item never fails the others."""

from __future__ import annotations

from checker.engine import check
from tests.api.documents import make_docx
from tests.api.helpers import POLICY, assert_problem


def test_json_batch_gives_one_library_report_per_item(client, tiny_model):
    other = POLICY.replace("two years", "as long as necessary")
    items = [{"text": POLICY, "source": "a"}, {"text": other}]
    r = client.post("/v1/check/batch", json={"items": items, "require": ["retention"]})
    assert r.status_code == 200
    body = r.json()
    assert [i["index"] for i in body["items"]] == [0, 1]
    assert body["items"][0] == {
        "index": 0,
        "source": "a",
        "report": check(POLICY, model=tiny_model, require=["retention"], source="a").to_dict(),
    }
    assert (
        body["items"][1]["report"]
        == check(other, model=tiny_model, require=["retention"]).to_dict()
    )
    assert body["summary"] == {"items": 2, "reports": 2, "errors": 0, "passed": True}


def test_a_bad_item_is_reported_and_the_others_are_checked(client):
    files = [
        ("file", ("good.txt", POLICY.encode(), "text/plain")),
        ("file", ("empty.txt", b"", "text/plain")),
        ("file", ("picture.png", b"\x89PNG\r\n\x1a\n" + bytes(100), "application/octet-stream")),
        ("file", ("policy.docx", make_docx(POLICY), "application/octet-stream")),
    ]
    r = client.post("/v1/check/batch", files=files, data={"fail_on": "uncertain"})
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["source"] for i in items] == ["good.txt", "empty.txt", "picture.png", "policy.docx"]
    assert [("report" in i, "error" in i) for i in items] == [(1, 0), (0, 1), (0, 1), (1, 0)]
    assert items[0]["report"]["summary"]["fail_on"] == "uncertain"
    assert items[1]["error"]["type"].endswith("/unreadable-document")
    assert items[1]["error"]["detail"] == "input is empty"
    assert items[2]["error"]["status"] == 422 and "PNG" in items[2]["error"]["detail"]
    assert r.json()["summary"] == {"items": 4, "reports": 2, "errors": 2, "passed": False}
    metrics = client.get("/metrics").text
    assert 'policycheck_errors_total{type="unreadable-document"}' in metrics


def test_an_item_over_the_size_limit_is_a_413_item(make_client):
    with make_client(max_upload_bytes=1000) as c:
        items = [{"text": POLICY}, {"text": "x " * 600}]
        body = c.post("/v1/check/batch", json={"items": items}).json()
    assert "report" in body["items"][0]
    assert body["items"][1]["error"]["status"] == 413


def test_batch_options_are_validated_before_any_work(client):
    r = client.post("/v1/check/batch", json={"items": [{"text": POLICY}], "require": "nope"})
    assert_problem(r, 422, "invalid-request", "unknown element 'nope'")
