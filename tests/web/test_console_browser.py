"""The privacy officer's console in a real browser: Debian's Chromium through Playwright, the
app served by uvicorn, the Content Security Policy on. Every console page, in Korean and in
English, on a phone (390 px) and a desktop (1280 px): axe-core (WCAG 2.1 A and AA) finds
nothing, nothing is refused or fails to load; the main pages' screenshots go to
docs/screenshots/console-{page}-{lang}-{mobile|desktop}.png. Signing in is done as an officer
does it, through the form; a registry form with problems is checked too."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from console_factories import OFFICER, PASSWORD, build_console_world
from live_site import SCREENSHOTS, BrowserParts, _runtime, _served
from me_factories import NOW
from playwright.sync_api import Page
from test_browser import Watched, axe_violations
from test_browser import browser as browser  # noqa: PLC0414 (a fixture, shared)
from test_browser import browser_parts as browser_parts  # noqa: PLC0414
from test_browser import open_page as open_page  # noqa: PLC0414
from test_browser import playwright as playwright  # noqa: PLC0414

from databorder import i18n
from databorder.api.app import create_app
from databorder.audit.types import Window

# page name -> (path, screenshot kept); "{run}" is the audit run made for the site.
PAGES = {
    "overview": ("/console", True),
    "registry": ("/console/registry", True),
    "recipient": ("/console/registry/s-cn-1", True),
    "recipient-new": ("/console/registry/new", False),
    "recipient-edit": ("/console/registry/p-kr-2/edit", False),
    "import": ("/console/registry/import", False),
    "changes": ("/console/registry/changes", True),
    "rights": ("/console/rights", True),
    "audit": ("/console/audit", True),
    "audit-run": ("/console/audit/runs/{run}", True),
    "log": ("/console/log", True),
}


class ConsoleSite:
    def __init__(self, base_url: str, run_id: str) -> None:
        self.base_url = base_url
        self.run_id = run_id

    def url(self, path: str, lang: str) -> str:
        return f"{self.base_url}{path.format(run=self.run_id)}?lang={lang}"


@pytest.fixture(scope="module")
def console_site(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: Path
) -> Iterator[ConsoleSite]:
    runtime = _runtime(tmp_path_factory.mktemp("console"), migrated_template, lambda: NOW)
    build_console_world(runtime)
    run = runtime.audits.run("officer:officer.kim", Window())
    try:
        with _served(create_app(runtime)) as base_url:
            yield ConsoleSite(base_url, run.id)
    finally:
        runtime.db.dispose()


def checked(watched: Watched, parts: BrowserParts, lang: str, name: str, shot: str | None) -> None:
    page = watched.page
    assert page.locator("html").get_attribute("lang") == lang, name
    assert axe_violations(page, parts.axe_source) == [], name
    assert watched.console == [], name
    assert watched.failed == [], name
    if shot is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"console-{shot}.png", full_page=True)


def sign_in(page: Page, site: ConsoleSite, lang: str) -> None:
    t = i18n.gettext(lang, "web")
    page.goto(site.url("/console/signin", lang))
    page.get_by_label(t("User name")).fill(OFFICER)
    page.get_by_label(t("Password")).fill(PASSWORD)
    page.get_by_role("button", name=t("Sign in")).click()
    page.wait_for_url(f"{site.base_url}/console")


@pytest.mark.parametrize("viewport", ["mobile", "desktop"])
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_console_page_is_accessible_in_both_languages_and_widths(
    console_site: ConsoleSite,
    open_page: Any,
    browser_parts: BrowserParts,
    lang: str,
    viewport: str,
) -> None:
    t = i18n.gettext(lang, "web")
    watched: Watched = open_page(viewport)
    page = watched.page
    answer = page.goto(console_site.url("/console", lang))
    assert answer is not None
    assert answer.status == 401
    checked(watched, browser_parts, lang, "signin", f"signin-{lang}-{viewport}")
    sign_in(page, console_site, lang)
    for name, (path, keep) in PAGES.items():
        answer = page.goto(console_site.url(path, lang))
        assert answer is not None
        assert answer.status == 200, name
        assert page.locator("h1").count() == 1, name
        checked(watched, browser_parts, lang, name, f"{name}-{lang}-{viewport}" if keep else None)
    # A form with problems: each field marked, the page still accessible.
    page.goto(console_site.url("/console/registry/new", lang))
    page.get_by_label(t("Retention (days)")).fill("0")
    page.get_by_role("button", name=t("Register")).click()
    assert page.locator("[aria-invalid=true]").count() >= 4
    checked(watched, browser_parts, lang, "recipient-problems", None)
    # The full verification of the log, by its button.
    page.goto(console_site.url("/console/log", lang))
    page.get_by_role("button", name=t("Verify the whole log now")).click()
    assert page.locator("#verify-result").count() == 1
    assert "warn" not in (page.locator("#verify-result").get_attribute("class") or "")
    checked(watched, browser_parts, lang, "log-verified", None)
