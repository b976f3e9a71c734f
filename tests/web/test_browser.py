"""The pages in a real browser: Debian's Chromium driven by Playwright, axe-core on every page.

Each page is loaded in Korean and in English, on a phone (390x844) and a desktop screen; axe-core
(WCAG 2.1 A and AA rules) must find nothing, the Content Security Policy must refuse nothing,
every resource must load, and a screenshot of each is kept in docs/screenshots/ under a stable
name. Then a reader's errands: switch language, search the directory, download the lists.
"""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_site import CHROMIUM_ARGS, SCREENSHOTS, BrowserParts, Site, ensure_browser, serve
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Response, sync_playwright
from web_factories import FIRST, SECOND

VIEWPORTS = {"mobile": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="session")
def browser_parts() -> BrowserParts:
    return ensure_browser()


# Module-scoped: Playwright's sync API keeps an event loop running in this thread while it is
# open, and a test after these (TestClient's portal) would fail to start its own.
@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Iterator[Site]:
    with serve(tmp_path_factory.mktemp("site"), migrated_template) as running:
        yield running


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright, browser_parts: BrowserParts) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=browser_parts.chromium, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


class Watched:
    """A page whose console errors (CSP refusals among them) and failed loads are recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        self.failed: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(str(error)))
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "status of 4" not in message.text:
            self.console.append(message.text)

    def _response(self, response: Response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Any]:
    contexts = []

    def opened(viewport: str = "desktop") -> Watched:
        context = browser.new_context(viewport=VIEWPORTS[viewport], device_scale_factor=1)
        contexts.append(context)
        return Watched(context.new_page())

    yield opened
    for context in contexts:
        context.close()


def axe_violations(page: Page, axe_source: str) -> list[str]:
    # Evaluated through the DevTools protocol, not as an inline <script>: the pages' CSP would
    # rightly refuse that, and we test the pages with their CSP on.
    page.evaluate(axe_source)
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


PAGES = {
    "home": ("/", 200, "개인정보", "Where your personal data goes"),
    "policy": ("/privacy", 200, "중국", "China"),
    "versions": (
        "/privacy/versions",
        200,
        "개인정보 처리방침 변경 이력",
        "Versions of the privacy policy",
    ),
    "version": (
        "/privacy/versions/{first}",
        200,
        "시행 중인 버전이 아닙니다",
        "not the version in force",
    ),
    "diff": ("/privacy/diff?from={first}&to={second}", 200, "바뀐 내용", "What changed"),
    "recipients": ("/privacy/recipients", 200, "중국", "China"),
    "bad-query": ("/privacy/recipients?country=XX", 400, "알 수 없는 국가", "unknown country"),
    "not-found": (
        "/privacy/versions/1999-01-01",
        404,
        "페이지를 찾을 수 없습니다",
        "We could not find this page",
    ),
}


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_accessible_localised_and_screenshotted(
    site: Site, open_page: Any, browser_parts: BrowserParts, name: str, lang: str
) -> None:
    path, status, korean, english = PAGES[name]
    first, second = site.versions
    url = site.base_url + path.format(first=first, second=second)
    url += ("&" if "?" in url else "?") + f"lang={lang}"
    for viewport in VIEWPORTS:
        watched = open_page(viewport)
        page = watched.page
        answer = page.goto(url)
        assert answer is not None
        assert answer.status == status
        assert page.locator("html").get_attribute("lang") == lang
        body = page.locator("body").inner_text()
        assert (korean if lang == "ko" else english) in body
        switch = page.get_by_role("navigation", name="언어" if lang == "ko" else "Language")
        assert switch.get_by_role("link", name="한국어").is_visible()
        assert switch.get_by_role("link", name="English").is_visible()
        assert axe_violations(page, browser_parts.axe_source) == []
        assert watched.console == []
        assert watched.failed == []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}-{lang}-{viewport}.png", full_page=True)


def test_the_language_switch_keeps_the_page_and_the_search(site: Site, open_page: Any) -> None:
    page = open_page().page
    page.goto(site.base_url + "/privacy/recipients?q=sh&country=CN")
    assert page.locator("h1").inner_text() == "개인정보를 받는 업체 목록"
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/privacy/recipients?q=sh&country=CN&lang=en")
    assert page.locator("h1").inner_text() == "Recipient directory"
    assert page.get_by_label("Name starts with").input_value() == "sh"
    # The choice is kept: the next page, reached without ?lang=, is still in English.
    page.get_by_role("link", name="Privacy policy", exact=True).click()
    page.wait_for_url("**/privacy")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="한국어").click()
    page.wait_for_url("**/privacy?lang=ko")
    assert page.locator("html").get_attribute("lang") == "ko"


def test_the_first_screen_leads_to_the_policy_in_one_click(site: Site, open_page: Any) -> None:
    page = open_page("mobile").page
    page.goto(site.base_url + "/")
    page.get_by_role("link", name="개인정보 처리방침 보기: 국외 이전과 제3자 제공").click()
    page.wait_for_url("**/privacy")
    assert "Shenzhen Example Trading Co., Ltd." in page.locator("main").inner_text()


def _shown_names(page: Page) -> list[str]:
    return page.locator("ol.recipients h3").all_inner_texts()


def test_searching_the_directory_by_name_and_country(site: Site, open_page: Any) -> None:
    page = open_page("mobile").page
    page.goto(site.base_url + "/privacy/recipients")
    assert len(_shown_names(page)) == len(FIRST) + len(SECOND)
    page.get_by_label("업체명(앞부분)").fill("Sh")
    page.get_by_role("button", name="찾기").click()
    page.wait_for_url("**/privacy/recipients?q=Sh*")
    assert _shown_names(page) == [
        "Shanghai Bright Goods Co., Ltd.",
        "Shenzhen Example Trading Co., Ltd.",
    ]
    page.get_by_label("업체명(앞부분)").fill("")
    page.get_by_label("국가").select_option(label="싱가포르")
    page.get_by_label("역할").select_option(value="processor")
    page.get_by_role("button", name="찾기").click()
    page.wait_for_url("**country=SG*")
    assert _shown_names(page) == ["Singapore Cloud Storage Pte. Ltd."]
    card = page.locator("ol.recipients li").first.inner_text()
    assert "싱가포르, 일본" in card  # the seat, then the other country its data goes to


def test_the_download_links_give_the_full_list(site: Site, open_page: Any) -> None:
    page = open_page().page
    page.goto(site.base_url + "/privacy/recipients")
    expected = {s.rid for s in FIRST + SECOND}
    with page.expect_download() as csv_download:
        page.get_by_role("link", name=f"업체 {len(expected)}곳 전체(CSV)").click()
    assert csv_download.value.suggested_filename == f"recipients-{site.versions[1]}.csv"
    text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    assert {row["recipient_id"] for row in csv.DictReader(io.StringIO(text))} == expected
    with page.expect_download() as json_download:
        page.get_by_role("link", name=f"업체 {len(expected)}곳 전체(JSON)").click()
    document = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    listed = document["recipients"] if isinstance(document, dict) else document
    assert {row["recipient_id"] for row in listed} == expected
