"""The privacy center's pages: home, who has my data (with proofs), consents, stop transfers."""

import base64
import html
import json
import re

import pytest
from fastapi.testclient import TestClient
from me_factories import CARRIER, CLOUD, SEATTLE, SHENZHEN, A, CenterWorld, Clock

from databorder.ledger.bundle import verify_bundle
from databorder.ledger.checkpoint import Policy
from databorder.ledger.note import NoteError, parse_vkey
from databorder.runtime import Runtime
from databorder.web.me.center import FIELD_LABELS
from databorder.web.me.views import GrantState, grant_state


def csrf(client: TestClient, path: str = "/me") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def text_of(page: str) -> str:
    """The page's main text, tags removed and spaces collapsed, to assert sentences."""
    main = page[page.index("<main") : page.index("</main>")]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))
    return html.unescape(re.sub(r" ([.,:])", r"\1", text))


# --- home ----------------------------------------------------------------------------------------


def test_home_answers_the_question_in_one_korean_sentence(buyer_a: TestClient) -> None:
    answer = buyer_a.get("/me")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    text = text_of(answer.text)
    # Four companies; their data is in China, Japan (a Korean processor's cloud), the United
    # States and Korea.
    assert "귀하의 정보는 4개국 4개 업체에 제공되었습니다." in text
    assert "중국 1" in text
    assert "일본 1" in text
    assert "미국 1" in text
    assert "대한민국 (국내) 2" in text
    assert text.index("중국") < text.index("대한민국")  # abroad first


def test_home_offers_every_right_in_one_step(buyer_a: TestClient) -> None:
    html = buyer_a.get("/me").text
    for href, label in [
        ("/me/recipients", "내 정보를 받은 업체"),
        ("/me/consents", "동의 철회"),
        ("/me/stop", "제공·이전 중지"),
        ("/me/correct", "내 정보 정정"),
        ("/me/download", "내 정보 내려받기"),
        ("/me/complaints", "불만 접수"),
        ("/me/requests", "내 요청 내역"),
        ("/me/delete", "회원 탈퇴"),
    ]:
        assert f'<a class="action" href="{href}">{label}</a>' in html


def test_home_in_english(buyer_a: TestClient) -> None:
    text = text_of(buyer_a.get("/me?lang=en").text)
    assert "Your personal data has been given to 4 companies in 4 countries." in text
    assert "Delete my account" in text


# --- who has my data -----------------------------------------------------------------------------


def test_my_data_groups_every_recipient_by_country_with_the_facts(buyer_a: TestClient) -> None:
    answer = buyer_a.get("/me/recipients")
    assert answer.status_code == 200
    text = text_of(answer.text)
    assert "귀하의 개인정보 제공 기록 4건입니다." in text
    order = [text.index(f"{c} 국외") for c in ("중국", "미국")] + [text.index("대한민국 국내")]
    assert order == sorted(order)  # abroad first, then home
    for company in (SHENZHEN, SEATTLE, CARRIER, CLOUD):
        assert company.name in text
    assert "privacy@s-cn-1.example.com" in text
    assert "+86 755 8888 1234" in text  # dialled form of the stored E.164 number
    assert "판매자" in text
    assert "수탁자" in text
    assert (
        "받는 항목 이름: 원래 값 휴대전화번호: 열람 권한과 함께 끊기는 안심번호·중계 주소" in text
    )
    assert "배송지 주소: 원래 값" in text
    assert "주문 상품 배송" in text
    assert "정보주체의 별도 동의 (「개인정보 보호법」 제28조의8 제1항 제1호)" in text
    assert "(「개인정보 보호법」 제26조)" in text  # the Korean carrier: entrustment
    assert "보관 국가 대한민국, 일본" in text
    assert "지금도 볼 수 있습니다, 2026년 12월 31일까지" in text
    assert "배송 후 30일(아직 배송 전)" in text
    assert answer.text.count('class="proof"') == 4
    assert "built-in" not in text  # a word table's key read as a method of the dict


def test_my_data_is_filtered_by_country_wherever_the_data_is_held(buyer_a: TestClient) -> None:
    japan = text_of(buyer_a.get("/me/recipients?country=JP").text)
    assert CLOUD.name in japan  # seated in Korea, its cloud in Japan
    assert SHENZHEN.name not in japan
    assert "제공 기록 4건 중 1건을 보여 드립니다." in japan
    china = text_of(buyer_a.get("/me/recipients?country=cn").text)
    assert SHENZHEN.name in china
    assert SEATTLE.name not in china


def test_my_data_is_filtered_by_access_state_with_the_reason(
    buyer_a: TestClient, center_clock: Clock
) -> None:
    token = csrf(buyer_a, "/me/consents")
    buyer_a.post("/me/consents/c-a-t/withdraw", data={"csrf_token": token})
    revoked = text_of(buyer_a.get("/me/recipients?state=revoked").text)
    assert "열람 권한이 중간에 끝났습니다: 근거가 된 동의의 철회" in revoked
    assert SHENZHEN.name in revoked
    assert CARRIER.name not in revoked
    active = text_of(buyer_a.get("/me/recipients?state=active").text)
    assert CARRIER.name in active
    assert SHENZHEN.name not in active


def test_a_wrong_filter_answers_400_naming_the_field(buyer_a: TestClient) -> None:
    answer = buyer_a.get("/me/recipients?country=XX&state=sleeping")
    assert answer.status_code == 400
    text = text_of(answer.text)
    assert "국가: 알 수 없는 국가 'XX'" in text
    assert "열람 권한: 알 수 없는 값 'sleeping'" in text
    assert set(FIELD_LABELS) == {"country", "state"}


def test_my_data_allows_its_proof_script_to_fetch_from_this_site_only(
    buyer_a: TestClient,
) -> None:
    answer = buyer_a.get("/me/recipients")
    policy = answer.headers["Content-Security-Policy"]
    assert "connect-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert re.search(r'<script src="/static/me-proof\.js\?v=\w+" defer></script>', answer.text)
    assert not re.search(r"<script>|\son\w+=", answer.text)
    script = buyer_a.get(re.findall(r'src="(/static/me-proof\.js[^"]*)"', answer.text)[0])
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]


def test_the_grant_state_rule() -> None:
    from datetime import UTC, datetime, timedelta  # noqa: PLC0415

    at = datetime(2026, 11, 3, tzinfo=UTC)
    later, earlier = at + timedelta(days=1), at - timedelta(days=1)
    assert grant_state(None, None, later, at) is GrantState.ACTIVE
    assert grant_state(None, None, earlier, at) is GrantState.EXPIRED
    assert grant_state(earlier, "expired", earlier, at) is GrantState.EXPIRED
    assert grant_state(earlier, "suspended", later, at) is GrantState.REVOKED


# --- proofs --------------------------------------------------------------------------------------


def test_a_proof_verifies_with_the_ledgers_own_functions(
    buyer_a: TestClient, center_world: CenterWorld, center_runtime: Runtime
) -> None:
    disclosure = center_world.disclosures(A)[0]
    proof = buyer_a.get(f"/me/proofs/{disclosure}").json()
    signer = center_runtime.signer
    assert proof["log_vkey"] == signer.verifier.vkey
    assert proof["witnesses"] == []  # none configured in this world
    now = int(center_runtime.now().timestamp())
    proven = verify_bundle(proof["bundle"], Policy(parse_vkey(proof["log_vkey"])), now)
    assert proven.record["id"] == disclosure
    assert proven.record["subject_id"] == A
    assert proof["server_check"] == {"verified": True, "problem": None, "cosignatures": 0}
    # The download is the same bundle.
    assert buyer_a.get(f"/me/proofs/{disclosure}/bundle").text == proof["bundle"]


def test_a_tampered_proof_does_not_verify(
    buyer_a: TestClient, center_world: CenterWorld, center_runtime: Runtime
) -> None:
    # What the browser's check (and any verifier) must catch: one changed byte anywhere.
    proof = buyer_a.get(f"/me/proofs/{center_world.disclosures(A)[1]}").json()
    policy = Policy(center_runtime.signer.verifier)
    now = int(center_runtime.now().timestamp())
    lines = proof["bundle"].split("\n")
    first_hash = 3  # c2sp.org/tlog-proof@v1, extra, index, then the proof
    bent = base64.b64decode(lines[first_hash])
    lines[first_hash] = base64.b64encode(bytes([bent[0] ^ 1]) + bent[1:]).decode()
    with pytest.raises(NoteError, match="inclusion proof"):
        verify_bundle("\n".join(lines), policy, now)
    lines = proof["bundle"].split("\n")
    extra = json.loads(base64.b64decode(lines[1].removeprefix("extra ")))
    extra["record"] = extra["record"].replace('"subject_id":"', '"subject_id":"x', 1)
    lines[1] = "extra " + base64.b64encode(json.dumps(extra).encode()).decode()
    with pytest.raises(NoteError, match="inclusion proof"):  # another record, another leaf
        verify_bundle("\n".join(lines), policy, now)


# --- consents ------------------------------------------------------------------------------------


def test_each_consent_shows_its_notice_version_and_the_five_items(buyer_a: TestClient) -> None:
    text = text_of(buyer_a.get("/me/consents").text)
    assert "국외 이전 동의(개인정보 보호법 제28조의8)" in text
    assert "제3자 제공 동의(개인정보 보호법 제17조)" in text
    assert (
        "개인정보 처리방침 2026-10-01 버전(2026년 10월 1일 게시)을 안내받고 동의했습니다." in text
    )
    for heading in (
        "1. 제공·이전되는 항목",
        "2. 국가, 시기와 방법",
        "3. 받는 자와 연락처",
        "4. 이용 목적과 보유·이용 기간",
        "5. 거부 방법·절차와 거부의 효과",
    ):
        assert text.count(heading) == 2
    assert "이름, 휴대전화번호, 배송지 주소, 우편번호, 주문 상품 정보" in text
    assert "Hangang Cloud Co., Ltd. (대한민국, 일본): privacy@p-kr-2.example.com" in text
    assert "주문할 때, 암호화된 네트워크로 판매자에게 전송" in text
    assert "배송 후 30일까지 보유" in text
    assert text.count("이 동의 철회") == 2


def test_withdrawing_a_consent_is_one_post_and_names_who_lost_access(
    buyer_a: TestClient,
) -> None:
    answer = buyer_a.post("/me/consents/c-a-t/withdraw", data={"csrf_token": csrf(buyer_a)})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/me/consents?withdrawn=c-a-t&request=")
    page = text_of(buyer_a.get(answer.headers["location"]).text)
    assert "동의를 철회했습니다" in page
    banner = page[page.index("동의를 철회했습니다") : page.index("아래 각 동의는")]
    for company in (SHENZHEN, SEATTLE, CLOUD):
        assert company.name in banner
    assert CARRIER.name not in banner  # its grant rests on the entrustment, not this consent
    assert re.search(r"요청 번호 R-2026-\d{6}: 관련 업체에 모두 알렸습니다.", banner)
    assert "2026년 11월 3일에 철회했습니다." in page
    # A second click (another tab) does not fail: the page shows the consent as withdrawn.
    again = buyer_a.post("/me/consents/c-a-t/withdraw", data={"csrf_token": csrf(buyer_a)})
    assert again.status_code == 303


def test_withdrawal_needs_a_sign_in_from_the_last_ten_minutes(
    buyer_a: TestClient, center_clock: Clock, center_runtime: Runtime
) -> None:
    token = csrf(buyer_a)
    center_clock.advance(minutes=11)
    assert "다시 로그인하셔야 합니다" in buyer_a.get("/me/consents").text
    answer = buyer_a.post("/me/consents/c-a-t/withdraw", data={"csrf_token": token})
    assert answer.status_code == 401
    assert "최근 10분 안에 로그인한 경우에만" in answer.text
    assert "이 동의 철회" in buyer_a.get("/me/consents").text  # nothing was withdrawn


# --- stop transfers ------------------------------------------------------------------------------


def test_stopping_transfers_names_every_company_whose_access_ends(buyer_a: TestClient) -> None:
    before = text_of(buyer_a.get("/me/stop").text)
    assert "열람 권한이 끝나는 업체" in before
    for company in (SHENZHEN, SEATTLE, CARRIER, CLOUD):
        assert company.name in before
    answer = buyer_a.post("/me/stop", data={"csrf_token": csrf(buyer_a, "/me/stop")})
    assert answer.status_code == 303
    after = text_of(buyer_a.get(answer.headers["location"]).text)
    assert "귀하의 개인정보 제공·이전이 중지되었습니다" in after
    for company in (SHENZHEN, SEATTLE, CARRIER, CLOUD):
        assert company.name in after
    assert re.search(r"요청 번호 R-2026-\d{6}", after)
    assert "모든 제공·이전을 중지했습니다" in text_of(buyer_a.get("/me").text)


@pytest.mark.parametrize("path", ["/me/stop", "/me/delete"])
def test_destructive_actions_after_ten_minutes_ask_to_sign_in_again(
    buyer_a: TestClient, center_clock: Clock, path: str
) -> None:
    token = csrf(buyer_a)
    center_clock.advance(minutes=11)
    answer = buyer_a.post(path, data={"csrf_token": token})
    assert answer.status_code == 401
    assert "다시 로그인해 주세요" in answer.text
    assert buyer_a.get("/me").status_code == 200  # signed in still, for everything else
