"""The rights that become tracked requests: correct, download, delete, complain, my requests."""

import csv
import io
import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from me_factories import CARRIER, CLOUD, SEATTLE, SHENZHEN, A, B, CenterWorld, Clock, link
from test_me_pages import csrf, text_of

from databorder.gateway.relay import resolve
from databorder.gateway.seller import OrderView, ReadAsk
from databorder.registry.models import Recipient
from databorder.rights import (
    Dispatcher,
    HttpWebhooks,
    MailDirectory,
    RightsRequests,
    RightsTasks,
)
from databorder.runtime import Runtime
from databorder.web.me.actions import CSV_HEADER

# --- correct my data ------------------------------------------------------------------------------


def _form(client: TestClient) -> dict[str, str]:
    page = client.get("/me/correct").text
    fields = dict(re.findall(r'<input id="\w+" name="(\w+)" type="\w+" value="([^"]*)"', page))
    fields["csrf_token"] = csrf(client, "/me/correct")
    return fields


def test_the_correction_form_shows_the_present_values(buyer_a: TestClient) -> None:
    fields = _form(buyer_a)
    assert fields["name"] == "김민수"
    assert fields["phone"] == "+821023456789"
    assert fields["email"] == "b-a@example.kr"
    assert fields["address"] == "서울특별시 강남구 테헤란로 123 4층"
    assert fields["postal_code"] == "06234"


def _seller_read(rt: Runtime, world: CenterWorld, recipient: str) -> OrderView:
    given = next(g for g in world.given[A] if g.recipient_id == recipient)
    with rt.sessions.begin() as session:
        who = session.get(Recipient, recipient)
        assert who is not None
        [view] = rt.seller.read_many(session, [ReadAsk(who, given.order_id, given.token, rt.now())])
    assert isinstance(view, OrderView), view
    return view


def test_a_correction_is_what_the_sellers_next_read_shows(
    buyer_a: TestClient, center_runtime: Runtime, center_world: CenterWorld
) -> None:
    before = _seller_read(center_runtime, center_world, SHENZHEN.rid)
    relay = before.items["phone"]["value"]
    assert relay is not None
    assert relay.startswith("050")
    assert before.items["address"]["value"] == "서울특별시 강남구 테헤란로 123 4층"
    fields = _form(buyer_a) | {"phone": "010-5555-7777", "address": "부산광역시 해운대구 센텀로 1"}
    answer = buyer_a.post("/me/correct", data=fields)
    assert answer.status_code == 303
    receipt = text_of(buyer_a.get(answer.headers["location"]).text)
    assert "정보를 정정했습니다" in receipt
    assert "내 정보 정정" in receipt
    # Told: every company that reads the address as it is (the sellers, the carrier, the cloud).
    for company in (SHENZHEN, SEATTLE, CARRIER, CLOUD):
        assert company.name in receipt
    after = _seller_read(center_runtime, center_world, SHENZHEN.rid)
    assert after.items["address"]["value"] == "부산광역시 해운대구 센텀로 1"
    assert after.items["phone"]["value"] == relay  # the same relay number ...
    with center_runtime.sessions() as session:  # ... now rings the corrected phone
        assert (
            resolve(session, center_runtime.vault, relay, center_runtime.now()).target
            == "+821055557777"
        )
    assert _form(buyer_a)["phone"] == "+821055557777"


def test_a_wrong_value_is_shown_back_with_what_is_expected(buyer_a: TestClient) -> None:
    answer = buyer_a.post(
        "/me/correct", data=_form(buyer_a) | {"phone": "12", "postal_code": "6234"}
    )
    assert answer.status_code == 422
    text = text_of(answer.text)
    assert "010-1234-5678과 같은 휴대전화번호를 입력하세요." in text
    assert "우편번호 5자리를 입력하세요." in text
    assert 'id="phone" name="phone" type="tel" value="12"' in answer.text
    assert 'aria-invalid="true" aria-describedby="phone-problem"' in answer.text
    assert "아직 요청하신 내역이 없습니다" in buyer_a.get("/me/requests").text


def test_saving_without_a_change_makes_no_request(buyer_a: TestClient) -> None:
    answer = buyer_a.post("/me/correct", data=_form(buyer_a))
    assert answer.status_code == 200
    assert "바뀐 내용이 없습니다" in answer.text
    assert "아직 요청하신 내역이 없습니다" in buyer_a.get("/me/requests").text


# --- download my data ---------------------------------------------------------------------------


def _links(client: TestClient) -> dict[str, str]:
    answer = client.post("/me/download", data={"csrf_token": csrf(client, "/me/download")})
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    assert "내려받을 준비가 되었습니다" in page
    found = re.findall(r'href="(/me/download/(json|csv)\?link=[^"]+)"', page)
    return {fmt: url.replace("&amp;", "&") for url, fmt in found}


def test_the_download_holds_everything_as_json_and_csv(
    buyer_a: TestClient, center_world: CenterWorld
) -> None:
    links = _links(buyer_a)
    answer = buyer_a.get(links["json"])
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["content-disposition"] == 'attachment; filename="my-data-20261103.json"'
    assert answer.headers["Cache-Control"] == "no-store"
    document = json.loads(answer.content)
    assert document["subject"]["id"] == A
    assert document["personal_data"]["name"] == "김민수"
    assert {d["id"] for d in document["disclosures"]} == set(center_world.disclosures(A))
    assert {c["id"] for c in document["consents"]} == {"c-a-t", "c-a-p"}
    assert [r["kind"] for r in document["requests"]] == ["export"]
    table = buyer_a.get(links["csv"])
    assert table.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_HEADER
    assert ["personal_data", "", "name", "김민수"] in rows
    assert {r[3] for r in rows if r[0] == "disclosures" and r[2] == "id"} == set(
        center_world.disclosures(A)
    )


def test_a_download_link_expires(buyer_a: TestClient, center_clock: Clock) -> None:
    links = _links(buyer_a)
    center_clock.advance(minutes=11)
    answer = buyer_a.get(links["json"])
    assert answer.status_code == 303
    assert answer.headers["location"] == "/me/download?expired=1"
    assert "내려받기 링크가 만료되었습니다" in buyer_a.get(answer.headers["location"]).text
    page = buyer_a.get(links["json"].replace("/me/download/json", "/me/download")).text
    assert "내려받기 링크가 만료되었습니다" in page


def test_an_unknown_download_format_is_404(buyer_a: TestClient) -> None:
    link = _links(buyer_a)["json"]
    assert buyer_a.get(link.replace("/json?", "/xml?")).status_code == 404


# --- delete my account --------------------------------------------------------------------------


def test_the_deletion_page_says_plainly_what_happens(buyer_a: TestClient) -> None:
    text = text_of(buyer_a.get("/me/delete").text)
    assert "계정과 개인정보가 즉시 삭제되며, 되살릴 수 없습니다." in text
    assert "법에 따라 10일 안에 처리를 마치며" in text
    for company in (SHENZHEN, SEATTLE, CARRIER, CLOUD):
        assert company.name in text
    assert "지금 회원 탈퇴" in text


def test_deleting_gives_a_receipt_that_follows_every_company(
    buyer_a: TestClient,
    center_runtime: Runtime,
    center_clock: Clock,
    tmp_path: Path,
) -> None:
    answer = buyer_a.post("/me/delete", data={"csrf_token": csrf(buyer_a, "/me/delete")})
    assert answer.status_code == 303
    receipt_url = answer.headers["location"]
    text = text_of(buyer_a.get(receipt_url).text)
    assert "회원 탈퇴가 완료되었습니다" in text
    assert re.search(r"요청 번호 R-2026-\d{6}", text)
    assert "접수 2026년 11월 3일 19:00" in text  # the time, in Korea
    assert "법정 처리 기한 2026년 11월 13일" in text
    for company in (SHENZHEN, SEATTLE, CARRIER, CLOUD):
        assert f"{company.name}" in text
    assert text.count("보내는 중") == 4
    # The dispatcher mails them (no company registered a webhook); one confirms.
    dispatcher = Dispatcher(
        HttpWebhooks(), MailDirectory(tmp_path), mail_from="privacy@example.com", clock=center_clock
    )
    assert dispatcher.run(center_runtime.sessions, center_runtime.now()).attempted == 4
    with center_runtime.sessions.begin() as session:
        receipt_id = receipt_url.rsplit("/", 1)[1]
        tasks = RightsRequests(session, center_runtime.vault).receipt(A, receipt_id).tasks
        first = next(t for t in tasks if t.recipient.id == SHENZHEN.rid)
        RightsTasks(session).acknowledge(SHENZHEN.rid, first.id, center_runtime.now())
    text = text_of(buyer_a.get(receipt_url).text)
    assert text.count("통지함, 업체의 확인을 기다리는 중") == 3
    assert f"{SHENZHEN.name} (중국): 업체가 처리 완료를 확인함" in text
    # Past the deadline, the others are overdue, and the buyer sees it.
    center_clock.advance(days=11)
    buyer_a.cookies.clear()
    buyer_a.get(link(center_runtime, A))  # a new sign-in: the old session ended long ago
    late = text_of(buyer_a.get(receipt_url).text)
    assert late.count("기한 초과: 기한까지 확인하지 않음") == 3
    assert "기한 초과" in text_of(buyer_a.get("/me/requests").text)


def test_after_deletion_only_the_requests_stay_readable(buyer_a: TestClient) -> None:
    buyer_a.post("/me/delete", data={"csrf_token": csrf(buyer_a, "/me/delete")})
    home = buyer_a.get("/me")
    assert home.status_code == 403
    assert "탈퇴한 계정입니다" in home.text
    assert 'href="/me/requests"' in home.text
    for path in ("/me/recipients", "/me/consents", "/me/correct", "/me/download"):
        assert buyer_a.get(path).status_code == 403, path
    assert buyer_a.get("/me/requests").status_code == 200


# --- complaints and my requests ------------------------------------------------------------------


def test_a_complaint_gets_a_tracking_number_and_appears_in_my_requests(
    buyer_a: TestClient,
) -> None:
    answer = buyer_a.post(
        "/me/complaints",
        data={
            "csrf_token": csrf(buyer_a, "/me/complaints"),
            "text": "판매자가 배송 후에도 전화합니다.",
        },
    )
    assert answer.status_code == 303
    text = text_of(buyer_a.get(answer.headers["location"]).text)
    number = re.search(r"요청 번호 (R-2026-\d{6})", text)
    assert number is not None
    assert "개인정보 보호책임자가 2026년 11월 13일까지 답변드립니다." in text
    listed = text_of(buyer_a.get("/me/requests").text)
    assert f"불만 접수 {number.group(1)}" in listed
    assert "처리 상황 접수" in listed
    assert number.group(1) in text_of(buyer_a.get("/me/complaints").text)


def test_an_empty_complaint_is_refused_with_a_reason(buyer_a: TestClient) -> None:
    answer = buyer_a.post(
        "/me/complaints", data={"csrf_token": csrf(buyer_a, "/me/complaints"), "text": "  "}
    )
    assert answer.status_code == 422
    assert "불편했던 점을 써 주세요." in answer.text


def test_my_requests_lists_every_kind_with_state_and_deadline(
    buyer_a: TestClient, center_runtime: Runtime
) -> None:
    token = csrf(buyer_a)
    buyer_a.post("/me/consents/c-a-p/withdraw", data={"csrf_token": token})
    buyer_a.post("/me/complaints", data={"csrf_token": token, "text": "문의"})
    buyer_a.post("/me/stop", data={"csrf_token": token})
    text = text_of(buyer_a.get("/me/requests").text)
    assert text.index("제공·이전 중지 R-") < text.index("불만 접수 R-") < text.index("동의 철회 R-")
    assert text.count("법정 처리 기한 2026년 11월 13일") == 3


def test_another_buyers_request_is_404(buyer_a: TestClient, center_runtime: Runtime) -> None:
    with center_runtime.sessions.begin() as session:
        theirs = RightsRequests(session, center_runtime.vault).complain(
            B, "비밀", center_runtime.now()
        )
    answer = buyer_a.get(f"/me/requests/{theirs.id}")
    assert answer.status_code == 404
    assert theirs.tracking_number not in answer.text
