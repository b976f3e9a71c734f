"""The audit report of an evidence pack, opened as a regulator opens it: a file in a browser.

The pack's pages are read offline, outside the site: Chromium (Debian's, through Playwright)
loads `report.ko.html` and `report.en.html` from disk, axe-core (WCAG 2.1 A and AA) must find
nothing, nothing may be fetched from anywhere, and the screenshots go to docs/screenshots/.
"""

import gzip
import io
import tarfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from live_site import CHROMIUM_ARGS, SCREENSHOTS, BrowserParts, ensure_browser
from me_factories import NOW, SHENZHEN, build_world
from playwright.sync_api import Browser, Request, sync_playwright
from sqlalchemy import text

from databorder.audit.exposure import Sales
from databorder.audit.types import Window
from databorder.runtime import Runtime, build

VIEWPORTS = {"mobile": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Path:
    """A world with findings (a recipient that lost its safeguards, a grant never ended) and
    stated sales; its pack unpacked into a directory."""
    import shutil  # noqa: PLC0415

    from databorder.runtime import init_keys  # noqa: PLC0415
    from databorder.settings import Settings  # noqa: PLC0415

    work = tmp_path_factory.mktemp("audit-report")
    shutil.copyfile(migrated_template, work / "db.sqlite")
    settings = Settings(
        database_url=f"sqlite:///{work / 'db.sqlite'}",
        key_dir=work / "keys",
        mail_dir=work / "mail",
        audit_dir=work / "audit",
    )
    init_keys(settings)
    rt: Runtime = build(settings, clock=lambda: NOW)
    build_world(rt)
    with rt.sessions.begin() as s:
        s.execute(
            text("UPDATE recipients SET contract_safeguards = false WHERE id = :id"),
            {"id": SHENZHEN.rid},
        )
    later = build(settings, clock=lambda: NOW + timedelta(days=400))
    run = later.audits.run(
        "officer-kim", Window(), Sales((812_000_000_000, 790_000_000_000), 120_000_000_000)
    )
    assert run.findings > 0
    archive = later.audits.pack_path(run.id).read_bytes()
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(archive))) as tar:
        tar.extractall(work / "pack", filter="data")
    rt.db.dispose()
    later.db.dispose()
    return work / "pack"


@pytest.fixture(scope="module")
def browser() -> Iterator[tuple[Browser, BrowserParts]]:
    parts = ensure_browser()
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=parts.chromium, args=CHROMIUM_ARGS)
        yield launched, parts
        launched.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ko", ("개인정보 처리 준법 감사", "과징금 상한", "조항별 발견 사항", "개인정보 처리 및 제공·이전 기록")),
        ("en", ("Compliance audit", "ceiling of the surcharge", "Findings by article", "Record of processing")),
    ],
)  # fmt: skip
def test_the_report_reads_offline_accessibly_in_both_languages(
    reports: Path,
    browser: tuple[Browser, BrowserParts],
    lang: str,
    words: tuple[str, ...],
    viewport: str,
) -> None:
    chromium, parts = browser
    context = chromium.new_context(viewport=VIEWPORTS[viewport], locale=lang)  # type: ignore[arg-type]
    fetched: list[str] = []

    def seen(request: Request) -> None:
        if not request.url.startswith("file://"):
            fetched.append(request.url)

    page = context.new_page()
    page.on("request", seen)
    page.goto((reports / f"report.{lang}.html").as_uri())
    body = page.inner_text("body")
    for word in words:
        assert word in body
    assert page.locator("svg[role=img]").count() >= 2  # by article, by week
    assert page.locator("svg[role=img] title").first.text_content()
    assert "A28-8-4-no-safeguards" in body
    page.evaluate(parts.axe_source)
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert [v["id"] for v in result["violations"]] == []
    assert fetched == []
    page.screenshot(path=SCREENSHOTS / f"audit-report-{lang}-{viewport}.png", full_page=True)
    context.close()
