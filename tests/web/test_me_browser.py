"""The privacy center in a real browser, in Korean and in English, on a phone (390x844).

Debian's Chromium through Playwright, the app served by uvicorn (live_site.serve_center), axe-core
on every page (WCAG 2.1 A and AA: no violation at all), the Content Security Policy on, and a
screenshot of each page in docs/screenshots/me-{page}-{lang}-mobile.png. Then the buyer's
errands, each with a buyer of its own: sign in by the marketplace's link, see who has the data
by country, check a proof in the page (and see a tampered one fail), withdraw a consent, correct
the phone, download the data, delete the account in two activations from the home page, file a
complaint and find it in My requests.
"""

import base64
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from live_site import SCREENSHOTS, BrowserParts, CenterSite, serve_center
from me_factories import CARRIER, CLOUD, SEATTLE, SHENZHEN
from playwright.sync_api import Page, Route
from test_browser import Watched, axe_violations
from test_browser import browser as browser  # noqa: PLC0414 (a fixture, shared)
from test_browser import browser_parts as browser_parts  # noqa: PLC0414
from test_browser import open_page as open_page  # noqa: PLC0414
from test_browser import playwright as playwright  # noqa: PLC0414

from databorder import i18n
from databorder.gateway.relay import resolve
from databorder.gateway.seller import OrderView, ReadAsk
from databorder.ledger.note import NoteSignature, SignatureType, Verifier, cosign
from databorder.model import DataItem
from databorder.notices.labels import item_label
from databorder.registry.models import Recipient
from databorder.rights import RightsRequests

LANGS = ("ko", "en")
ERRANDS = ("view", "withdraw", "correct", "download", "delete", "complain")
BUYERS = [f"b-{lang}-{errand}" for lang in LANGS for errand in ERRANDS]
ALL = (SHENZHEN, SEATTLE, CARRIER, CLOUD)


@pytest.fixture(scope="module")
def center_site(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: Path
) -> Iterator[CenterSite]:
    with serve_center(tmp_path_factory.mktemp("center"), migrated_template, BUYERS) as running:
        yield running


def words(lang: str) -> Callable[[str], str]:
    """The page's own words, from the `web` catalogue, to find links and buttons by."""
    return i18n.gettext(lang, "web")


def signed_in(open_page: Any, site: CenterSite, lang: str, errand: str) -> Watched:
    watched: Watched = open_page("mobile")
    answer = watched.page.goto(site.login_link(f"b-{lang}-{errand}") + f"&lang={lang}")
    assert answer is not None
    assert answer.status == 200
    assert watched.page.url.endswith(f"/me?lang={lang}")
    return watched


def checked(watched: Watched, parts: BrowserParts, name: str, lang: str) -> None:
    """No axe violation, nothing refused or failed; the page's screenshot kept."""
    page = watched.page
    assert page.locator("html").get_attribute("lang") == lang
    assert axe_violations(page, parts.axe_source) == [], name
    assert watched.console == [], name
    assert watched.failed == [], name
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"me-{name}-{lang}-mobile.png", full_page=True)


def main_text(page: Page) -> str:
    return re.sub(r"\s+", " ", page.locator("main").inner_text())


# --- every page: accessible, localised, screenshotted --------------------------------------------

PAGES = (
    "home",
    "recipients",
    "consents",
    "stop",
    "correct",
    "download",
    "delete",
    "complaints",
    "requests",
)


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_is_accessible_and_screenshotted(
    center_site: CenterSite, open_page: Any, browser_parts: BrowserParts, lang: str
) -> None:
    with center_site.runtime.sessions.begin() as session:  # so that My requests lists one
        RightsRequests(session, center_site.runtime.vault).complain(
            f"b-{lang}-view", "배송 후에도 판매자가 연락합니다.", center_site.runtime.now()
        )
    watched = signed_in(open_page, center_site, lang, "view")
    for name in PAGES:
        path = "/me" if name == "home" else f"/me/{name}"
        answer = watched.page.goto(center_site.base_url + path)
        assert answer is not None
        assert answer.status == 200, name
        checked(watched, browser_parts, name, lang)
    stranger = open_page("mobile")
    answer = stranger.page.goto(center_site.base_url + f"/me?lang={lang}")
    assert answer is not None
    assert answer.status == 401
    checked(stranger, browser_parts, "signin", lang)


# --- the errands ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_sign_in_by_link_and_see_recipients_abroad_by_country(
    center_site: CenterSite, open_page: Any, lang: str
) -> None:
    t = words(lang)
    page = signed_in(open_page, center_site, lang, "view").page
    expected = {
        "ko": "귀하의 정보는 4개국 4개 업체에 제공되었습니다.",
        "en": "Your personal data has been given to 4 companies in 4 countries.",
    }
    assert page.locator("p.answer").inner_text() == expected[lang]
    page.get_by_role("link", name=t("See who has my data")).click()
    page.wait_for_url("**/me/recipients")
    headings = [
        re.sub(r"\s+", " ", h) for h in page.locator("section.country > h2").all_inner_texts()
    ]
    name = {c: i18n.country_name(c, lang) for c in ("CN", "US", "KR")}
    assert headings == [
        f"{name['CN']} {t('abroad')}",
        f"{name['US']} {t('abroad')}",
        f"{name['KR']} {t('at home')}",
    ]
    china = page.locator("section.country").first
    assert SHENZHEN.name in china.inner_text()
    assert SEATTLE.name not in china.inner_text()


def _tamper(field: str) -> Callable[[Route], None]:
    """Serve the real proof with one value bent, as a lying or broken server would."""

    def handler(route: Route) -> None:
        response = route.fetch()
        proof = response.json()
        lines = proof["bundle"].split("\n")
        if field == "audit_path":  # the first inclusion proof line, after header, extra, index
            at, skip = 3, 0
        else:  # the log's signature line, the checkpoint's first
            at = next(n for n, line in enumerate(lines) if line.startswith("\u2014 "))
            skip = len("\u2014 ") + len(lines[at].split(" ")[1]) + 1
        encoded = lines[at][skip:]
        raw = bytearray(base64.b64decode(encoded))
        raw[-1] ^= 1
        lines[at] = lines[at][:skip] + base64.b64encode(raw).decode()
        proof["bundle"] = "\n".join(lines)
        route.fulfill(response=response, body=json.dumps(proof))

    return handler


@pytest.mark.parametrize("lang", LANGS)
def test_a_proof_verifies_in_the_page_and_a_tampered_one_fails(
    center_site: CenterSite, open_page: Any, lang: str
) -> None:
    t = words(lang)
    page = signed_in(open_page, center_site, lang, "view").page
    page.goto(center_site.base_url + "/me/recipients")
    proofs = page.locator(".proof")
    assert proofs.count() == 4
    first = proofs.nth(0)
    first.get_by_role("button", name=t("Check the public log")).click()
    page.wait_for_function("() => document.querySelector('.proof').dataset.verdict !== undefined")
    # Chromium has Ed25519 in Web Crypto: the browser checked the signature itself.
    assert first.get_attribute("data-verdict") == "verified"
    assert (
        first.locator(".proof-result")
        .inner_text()
        .startswith(
            "✓ " + t("Verified: this disclosure is in the public log, and the log is signed.")
        )
    )
    for n, (field, reason) in enumerate(
        [
            ("audit_path", "the entry does not lead to the signed state of the log."),
            ("signature", "the signature of the log does not match."),
        ],
        start=1,
    ):
        page.route("**/me/proofs/**", _tamper(field))
        box = proofs.nth(n)
        box.get_by_role("button", name=t("Check the public log")).click()
        page.wait_for_function(
            f"() => document.querySelectorAll('.proof')[{n}].dataset.verdict !== undefined"
        )
        page.unroute("**/me/proofs/**")
        assert box.get_attribute("data-verdict") == "failed"
        assert box.locator(".proof-result").inner_text() == f"✗ {t('Not verified:')} {t(reason)}"


def _cosigned_by(witness: Ed25519PrivateKey, forge: bool) -> Callable[[Route], None]:
    """Serve the real proof with a witness's cosignature added to its checkpoint and the witness
    named, as a marketplace with one witness would; `forge` bends the cosignature."""
    name = "witness.example/w1"

    def handler(route: Route) -> None:
        response = route.fetch()
        proof = response.json()
        head, _, note = proof["bundle"].partition("\n\n")
        text = note[: note.rfind("\n\n") + 1]
        line = cosign(text, name, witness, 1_800_000_000)
        if forge:
            # One bit of the signature's R flipped: setting its last byte to 0 left it unchanged
            # whenever that byte was 0 already (an Ed25519 S's top byte is 0x00-0x10, so about
            # one run in 16), and CI saw a forged line verify.
            bent = bytearray(line.signature)
            bent[20] ^= 0x01
            line = NoteSignature(line.name, line.key_id, bytes(bent))
        # Twice: a witness counts once however many lines it has.
        proof["bundle"] = f"{head}\n\n{note}{line.line()}{line.line()}"
        verifier = Verifier.of(name, SignatureType.COSIGNATURE_V1, witness.public_key())
        proof["witnesses"] = [verifier.vkey]
        route.fulfill(response=response, body=json.dumps(proof))

    return handler


def test_a_witness_cosignature_is_checked_in_the_page(
    center_site: CenterSite, open_page: Any
) -> None:
    t = words("en")
    page = signed_in(open_page, center_site, "en", "view").page
    page.goto(center_site.base_url + "/me/recipients")
    witness = Ed25519PrivateKey.generate()
    for n, forge in enumerate((False, True)):
        page.route("**/me/proofs/**", _cosigned_by(witness, forge))
        box = page.locator(".proof").nth(n)
        box.get_by_role("button", name=t("Check the public log")).click()
        page.wait_for_function(
            f"() => document.querySelectorAll('.proof')[{n}].dataset.verdict !== undefined"
        )
        page.unroute("**/me/proofs/**")
        result = box.locator(".proof-result").inner_text()
        if forge:
            assert box.get_attribute("data-verdict") == "failed"
            assert result.endswith(t("the signature of the log does not match."))
        else:
            assert box.get_attribute("data-verdict") == "verified"
            assert result.endswith("Cosigned by 1 of 1 independent witnesses.")


# A browser without Ed25519 in Web Crypto, simulated: importing such a key fails as it does there.
NO_ED25519 = """
const original = crypto.subtle.importKey.bind(crypto.subtle);
crypto.subtle.importKey = (format, key, algorithm, ...rest) =>
  algorithm && algorithm.name === "Ed25519"
    ? Promise.reject(new DOMException("Unrecognized name", "NotSupportedError"))
    : original(format, key, algorithm, ...rest);
"""


def test_without_ed25519_the_page_shows_the_servers_signature_check_as_such(
    center_site: CenterSite, open_page: Any
) -> None:
    t = words("ko")
    page = signed_in(open_page, center_site, "ko", "view").page
    page.add_init_script(NO_ED25519)
    page.goto(center_site.base_url + "/me/recipients")
    box = page.locator(".proof").first
    box.get_by_role("button", name=t("Check the public log")).click()
    page.wait_for_function("() => document.querySelector('.proof').dataset.verdict !== undefined")
    assert box.get_attribute("data-verdict") == "verifiedServer"
    result = box.locator(".proof-result").inner_text()
    assert result.startswith("✓ 확인됨: 이 제공 기록은 공개 기록에 들어 있습니다.")
    assert "서명은 서버가 확인한 결과입니다" in result


@pytest.mark.parametrize("lang", LANGS)
def test_withdraw_a_consent_and_see_who_lost_access(
    center_site: CenterSite, open_page: Any, browser_parts: BrowserParts, lang: str
) -> None:
    t = words(lang)
    watched = signed_in(open_page, center_site, lang, "withdraw")
    page = watched.page
    page.get_by_role("link", name=t("Withdraw a consent")).click()
    card = page.locator("article.consent", has_text=t("Transfer abroad (PIPA Art. 28-8)"))
    card.get_by_role("button", name=t("Withdraw this consent")).click()
    page.wait_for_url("**/me/consents?withdrawn=*")
    banner = page.locator("#withdrawn").inner_text()
    assert t("You withdrew this consent") in banner
    for company in (SHENZHEN, SEATTLE, CLOUD):
        assert company.name in banner
    assert CARRIER.name not in banner
    checked(watched, browser_parts, "withdrawn", lang)


def _seller_reads(site: CenterSite, buyer: str) -> tuple[OrderView, str]:
    rt = site.runtime
    given = next(g for g in site.world.given[buyer] if g.recipient_id == SHENZHEN.rid)
    with rt.sessions.begin() as session:
        seller = session.get(Recipient, SHENZHEN.rid)
        assert seller is not None
        [view] = rt.seller.read_many(
            session, [ReadAsk(seller, given.order_id, given.token, rt.now())]
        )
        assert isinstance(view, OrderView)
        relay = view.items["phone"]["value"]
        assert relay is not None
        reaches = resolve(session, rt.vault, relay, rt.now()).target
    return view, reaches


@pytest.mark.parametrize("lang", LANGS)
def test_correct_the_phone_and_the_sellers_next_read_changes(
    center_site: CenterSite, open_page: Any, lang: str
) -> None:
    t = words(lang)
    buyer = f"b-{lang}-correct"
    before, reached = _seller_reads(center_site, buyer)
    assert reached != "+821099998888"
    page = signed_in(open_page, center_site, lang, "correct").page
    page.get_by_role("link", name=t("Correct my data")).click()
    page.get_by_label(item_label(DataItem.PHONE, lang)).fill("010-9999-8888")
    page.get_by_label(item_label(DataItem.ADDRESS, lang)).fill("부산광역시 해운대구 센텀로 1")
    page.get_by_role("button", name=t("Save the corrections")).click()
    page.wait_for_url("**/me/requests/*")
    assert page.locator("h1").inner_text() == t("Your data was corrected")
    after, reaches = _seller_reads(center_site, buyer)
    # The seller's next read: the new address as is, the same relay number now ringing the
    # corrected phone.
    assert after.items["address"]["value"] == "부산광역시 해운대구 센텀로 1"
    assert before.items["address"]["value"] != after.items["address"]["value"]
    assert after.items["phone"]["value"] == before.items["phone"]["value"]
    assert reaches == "+821099998888"


@pytest.mark.parametrize("lang", LANGS)
def test_download_my_data(center_site: CenterSite, open_page: Any, lang: str) -> None:
    t = words(lang)
    page = signed_in(open_page, center_site, lang, "download").page
    page.get_by_role("link", name=t("Download my data")).click()
    page.get_by_role("button", name=t("Make a download link")).click()
    page.wait_for_url("**/me/download?link=*")
    with page.expect_download() as got:
        page.get_by_role("link", name=t("My data as JSON")).click()
    document = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    assert document["subject"]["id"] == f"b-{lang}-download"
    assert document["personal_data"]["name"] == "박지훈"
    assert len(document["disclosures"]) == 4
    with page.expect_download() as table:
        page.get_by_role("link", name=t("My data as CSV")).click()
    assert table.value.suggested_filename.endswith(".csv")
    assert "박지훈" in Path(table.value.path()).read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("lang", LANGS)
def test_delete_the_account_in_two_activations_from_home(
    center_site: CenterSite, open_page: Any, browser_parts: BrowserParts, lang: str
) -> None:
    t = words(lang)
    watched = signed_in(open_page, center_site, lang, "delete")
    page = watched.page
    activations = 0
    delete = page.get_by_role("link", name=t("Delete my account"))
    box = delete.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 844  # visible on the first screen of a 390x844 phone
    delete.click()
    activations += 1
    page.wait_for_url("**/me/delete")
    page.get_by_role("button", name=t("Delete my account now")).click()
    activations += 1
    page.wait_for_url("**/me/requests/*")
    assert activations == 2
    assert page.locator("h1").inner_text() == t("Your account is deleted")
    text = main_text(page)
    assert re.search(r"R-2026-\d{6}", text)
    assert t("Legal deadline") in text
    tasks = page.locator("ul.tasks li").all_inner_texts()
    assert len(tasks) == 4
    for company in ALL:
        assert any(company.name in task and t("Being sent") in task for task in tasks)
    checked(watched, browser_parts, "receipt", lang)
    page.goto(center_site.base_url + "/me")
    assert t("Your account was deleted") in page.locator("h1").inner_text()


@pytest.mark.parametrize("lang", LANGS)
def test_file_a_complaint_and_find_it_in_my_requests(
    center_site: CenterSite, open_page: Any, lang: str
) -> None:
    t = words(lang)
    page = signed_in(open_page, center_site, lang, "complain").page
    page.get_by_role("link", name=t("Make a complaint")).click()
    page.get_by_label(t("Your complaint")).fill("판매자가 배송이 끝난 뒤에도 전화합니다.")
    page.get_by_role("button", name=t("Send the complaint")).click()
    page.wait_for_url("**/me/requests/*")
    assert page.locator("h1").inner_text() == t("Your complaint was received")
    number = page.locator("strong.tracking").inner_text()
    assert re.fullmatch(r"R-2026-\d{6}", number)
    page.get_by_role("navigation", name=t("Your privacy center")).get_by_role(
        "link", name=t("My requests")
    ).click()
    page.wait_for_url("**/me/requests")
    listed = page.locator("ol.requests li", has_text=number)
    assert listed.count() == 1
    assert t("Complaint") in listed.inner_text()
    assert t("Received") in listed.inner_text()
