"""The upload page in a real headless browser (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from checker import registry
from tests.api.helpers import SEED_ALL_FOUR
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists():
    pytest.skip(
        "no browser: /usr/bin/chromium is missing (apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed (pip install playwright)"
)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    problems: list[str] = []

    def on_console(message) -> None:
        # An HTTP error the page handles is logged by the browser too; it is not a problem.
        if message.type == "error" and "the server responded with a status" not in message.text:
            problems.append(message.text)  # a script error or a CSP violation

    def on_request(request) -> None:
        if not request.url.startswith((server.url, "blob:", "data:")):
            problems.append(f"left the origin: {request.url}")

    pg.on("console", on_console)
    pg.on("pageerror", lambda error: problems.append(str(error)))
    pg.on("request", on_request)
    pg.goto(server.url + "/")
    yield pg
    context.close()
    assert problems == []  # no script error, no CSP violation, nothing fetched from elsewhere


def test_upload_a_policy_and_follow_the_evidence(page, tmp_path):
    sync_api.expect(page.locator("#model")).to_have_class("chip ready")
    sync_api.expect(page.locator("#model-text")).to_contain_text("model ")
    page.click("#tab-file")
    page.set_input_files("#file", str(SEED_ALL_FOUR))
    sync_api.expect(page.locator("#picked")).to_contain_text(SEED_ALL_FOUR.name)
    page.click("#run")

    cards = page.locator("#cards article")
    sync_api.expect(cards).to_have_count(len(registry.ELEMENTS))
    titles = [cards.nth(i).locator("h3").inner_text() for i in range(cards.count())]
    assert titles == [e.title for e in registry.ELEMENTS]
    for i in range(cards.count()):
        assert cards.nth(i).locator(".pill").inner_text() in ("Present", "Absent", "Uncertain")
    sync_api.expect(page.locator("#verdict-title")).to_contain_text("disclosures found")

    # Clicking the last evidence of the last card scrolls the policy text to it, highlighted.
    evidence = page.locator("#cards .ev").last
    target = evidence.get_attribute("data-target")
    assert target
    evidence.click()
    mark = page.locator(f"#{target}")
    sync_api.expect(mark).to_have_class("active")
    page.wait_for_function(
        """id => { const m = document.getElementById(id), p = document.getElementById('policy');
                   const r = m.getBoundingClientRect(), q = p.getBoundingClientRect();
                   return p.scrollTop > 0 && r.top >= q.top && r.bottom <= q.bottom
                          && r.top >= 0 && r.bottom <= window.innerHeight; }""",
        arg=target,
    )
    quoted = evidence.inner_text().split("“", 1)[1].rstrip("”…")
    assert " ".join(mark.inner_text().split()).startswith(quoted[:60])
    assert page.locator("#policy mark.active").count() == 1

    shot = os.environ.get("POLICYCHECK_SCREENSHOT")  # docs/screenshot.png is made this way
    if shot:
        page.locator("#el-retention .ev").first.click()
        page.wait_for_timeout(1500)  # the smooth scroll
        page.evaluate("window.scrollTo(0, document.getElementById('results').offsetTop - 12)")
        page.mouse.move(5, 5)
        page.wait_for_timeout(300)
        page.screenshot(path=str(ROOT / shot))

    with page.expect_download() as download:
        page.click("#download")
    saved = tmp_path / "report.json"
    download.value.save_as(saved)
    report = json.loads(saved.read_text("utf-8"))
    assert report["source"] == SEED_ALL_FOUR.name
    assert [e["id"] for e in report["elements"]] == list(registry.ELEMENT_IDS)
    assert download.value.suggested_filename.endswith(".policycheck.json")


def test_paste_a_policy_with_gaps_and_see_recommendations(page):
    text = (ROOT / "examples" / "privacy-policy.md").read_text("utf-8")
    page.fill("#text", text)
    page.click("#run")
    sync_api.expect(page.locator("#cards article")).to_have_count(len(registry.ELEMENTS))
    gaps = page.locator("#cards article.absent, #cards article.uncertain")
    assert gaps.count() >= 1
    for i in range(gaps.count()):
        sync_api.expect(gaps.nth(i).locator(".reco")).to_contain_text("Recommendation")
    sync_api.expect(page.locator("#badge")).to_have_text("Gaps found")


def test_an_error_is_shown_as_the_problem_detail(page):
    page.click("#tab-file")
    page.set_input_files(
        "#file", files=[{"name": "photo.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n"}]
    )
    page.click("#run")
    alert = page.locator("#error")
    sync_api.expect(alert).to_be_visible()
    sync_api.expect(alert).to_contain_text("Unsupported media type (415)")
    sync_api.expect(page.locator("#results")).to_be_hidden()


def test_the_page_is_usable_from_the_keyboard(page):
    page.focus("#tab-paste")
    page.keyboard.press("ArrowRight")
    sync_api.expect(page.locator("#tab-file")).to_have_attribute("aria-selected", "true")
    sync_api.expect(page.locator("#panel-file")).to_be_visible()
