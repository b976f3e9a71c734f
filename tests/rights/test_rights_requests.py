"""Rights requests: each right written with its request, its deadline and a task per recipient."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from rights_factories import AT, disclose
from sqlalchemy import select

from databorder.errors import Conflict, InvalidInput, NotFound
from databorder.gateway.models import AccessGrant
from databorder.gateway.seller import ReadAsk
from databorder.marketplace.models import Buyer
from databorder.model import DataItem
from databorder.registry.models import Recipient
from databorder.rights import RightsRequests, RightsTasks
from databorder.rights.models import OutboxMessage, RightsRequest, RightsTask
from databorder.rights.types import Channel, RequestKind, RequestState, TaskState, Topic
from databorder.rights.webhooks import RecipientWebhooks, new_secret
from databorder.runtime import Runtime
from databorder.vault.service import ShreddedError
from factories import T0, add_buyer, add_consent, add_order, add_recipient

LATER = AT + timedelta(days=1)
PERSONAL = ("김민수", "2345", "6789", "minsu@example.kr", "테헤란로", "P123456789012", "900101")


def _no_personal_data(value: object) -> None:
    text = json.dumps(value, ensure_ascii=False, default=str)
    for fragment in PERSONAL:
        assert fragment not in text, fragment


def _tasks(rt: Runtime, request_id: str) -> list[RightsTask]:
    with rt.sessions() as s:
        return list(
            s.scalars(
                select(RightsTask)
                .where(RightsTask.request_id == request_id)
                .order_by(RightsTask.recipient_id)
            )
        )


def _messages(rt: Runtime) -> list[OutboxMessage]:
    with rt.sessions() as s:
        return list(s.scalars(select(OutboxMessage)))


def test_erasure_tells_every_recipient_that_ever_received_data_and_nobody_else(
    world: Runtime,
) -> None:
    with world.sessions.begin() as s:
        add_recipient(s, "s-kr-9", legal_name="Seoul Courier Co., Ltd.", country="KR")
        add_order(s, world, "o-2", seller="s-cn-2")
    assert disclose(world, "o-1", "s-cn-1").grant_id is not None
    # s-cn-2 is named in the notice but the buyer's consents do not reach it: refused, so it
    # never received anything and must not be told of the buyer at all.
    assert disclose(world, "o-2", "s-cn-2").grant_id is None
    with world.sessions.begin() as s:  # s-cn-1's access ended long before the erasure
        for grant in s.scalars(select(AccessGrant)):
            grant.expires_at = AT + timedelta(hours=1)
    erased_at = AT + timedelta(days=90)
    with world.sessions.begin() as s:
        receipt = RightsRequests(s, world.vault).erase("b-1", erased_at)
    assert receipt.kind is RequestKind.ERASURE
    assert receipt.state is RequestState.IN_PROGRESS
    assert receipt.tracking_number == f"R-{erased_at.year}-000001"
    assert receipt.created_at == erased_at
    assert receipt.deadline == erased_at + timedelta(days=10)
    assert [t.recipient.id for t in receipt.tasks] == ["s-cn-1"]
    (task,) = receipt.tasks
    assert task.topic is Topic.REDACT
    assert task.state is TaskState.PENDING
    assert task.channel is Channel.EMAIL  # no webhook registered
    assert task.recipient.legal_name == "Shenzhen Example Trading Co., Ltd."
    (message,) = _messages(world)
    assert message.payload["data"]["orders"] == ["o-1"]
    assert message.payload["data"]["items"] == ["address", "name", "order_items", "phone"]
    _no_personal_data(message.payload)
    _no_personal_data(receipt.detail)
    with world.sessions() as s:
        buyer = s.get(Buyer, "b-1")
        assert buyer is not None
        assert buyer.deleted_at == erased_at
        with pytest.raises(ShreddedError):
            world.vault.get(s, "b-1", [DataItem.NAME])


def test_erasure_with_nobody_to_tell_is_complete_at_once(world: Runtime) -> None:
    with world.sessions.begin() as s:
        receipt = RightsRequests(s, world.vault).erase("b-1", AT)
    assert receipt.state is RequestState.COMPLETED
    assert receipt.completed_at == AT
    assert receipt.tasks == ()


def test_an_erased_buyer_cannot_be_erased_again(world: Runtime) -> None:
    with world.sessions.begin() as s:
        RightsRequests(s, world.vault).erase("b-1", AT)
    with world.sessions.begin() as s, pytest.raises(NotFound, match="buyer 'b-1' not found"):
        RightsRequests(s, world.vault).erase("b-1", LATER)


def test_a_webhook_registered_first_makes_the_task_go_by_webhook(world: Runtime) -> None:
    disclose(world)
    with world.sessions.begin() as s:
        RecipientWebhooks(s).put("s-cn-1", "https://hooks.example.cn/db", new_secret(), T0)
        receipt = RightsRequests(s, world.vault).erase("b-1", LATER)
    assert [t.channel for t in receipt.tasks] == [Channel.WEBHOOK]


def test_withdrawing_another_buyers_consent_is_refused_as_not_found(world: Runtime) -> None:
    with world.sessions.begin() as s:
        add_buyer(s, world, "b-2")
        add_consent(s, "c-b2", buyer="b-2")
    disclose(world)
    with world.sessions.begin() as s, pytest.raises(NotFound, match="consent 'c-1' not found"):
        RightsRequests(s, world.vault).withdraw("b-2", "c-1", LATER)
    with world.sessions() as s:
        assert not s.scalars(select(AccessGrant).where(AccessGrant.revoked_at.is_not(None))).all()
        assert not s.scalars(select(RightsRequest)).all()


def test_withdrawal_names_the_recipients_that_lost_access_and_tells_them(world: Runtime) -> None:
    disclose(world)
    with world.sessions.begin() as s:
        receipt = RightsRequests(s, world.vault).withdraw("b-1", "c-1", LATER)
    assert [r.id for r in receipt.revoked] == ["s-cn-1"]
    assert receipt.revoked[0].country == "CN"
    assert receipt.detail == {"consent_id": "c-1", "grants_revoked": 1}
    assert [(t.recipient.id, t.topic) for t in receipt.tasks] == [("s-cn-1", Topic.WITHDRAW)]
    with world.sessions.begin() as s, pytest.raises(Conflict, match="already withdrawn"):
        RightsRequests(s, world.vault).withdraw("b-1", "c-1", LATER)


def test_a_withdrawal_that_ends_no_access_completes_at_once(world: Runtime) -> None:
    with world.sessions.begin() as s:
        receipt = RightsRequests(s, world.vault).withdraw("b-1", "c-1", LATER)
    assert receipt.revoked == ()
    assert receipt.state is RequestState.COMPLETED


def test_suspension_revokes_live_grants_and_tells_their_recipients(world: Runtime) -> None:
    disclose(world)
    with world.sessions.begin() as s:
        receipt = RightsRequests(s, world.vault).suspend("b-1", LATER)
    assert [r.id for r in receipt.revoked] == ["s-cn-1"]
    assert [t.topic for t in receipt.tasks] == [Topic.SUSPEND]
    with world.sessions.begin() as s, pytest.raises(Conflict, match="already suspended"):
        RightsRequests(s, world.vault).suspend("b-1", LATER)


def test_correction_reseals_and_the_sellers_next_read_shows_it(world: Runtime) -> None:
    token = disclose(world).grant_token
    assert token is not None
    with world.sessions.begin() as s:
        receipt = RightsRequests(s, world.vault).correct(
            "b-1", {DataItem.NAME: " 김민서 ", DataItem.PHONE: "010-9876-5432"}, LATER
        )
    assert receipt.kind is RequestKind.CORRECTION
    assert receipt.detail == {"items": ["name", "phone"]}  # which items, never their values
    # s-cn-1 reads the name in the clear, the phone only through a relay number.
    (task,) = receipt.tasks
    assert (task.recipient.id, task.topic) == ("s-cn-1", Topic.UPDATE)
    (message,) = _messages(world)
    assert message.payload["data"]["items"] == ["name"]
    _no_personal_data(message.payload)
    assert "김민서" not in json.dumps(message.payload, ensure_ascii=False)
    with world.sessions() as s:
        got = world.vault.get(s, "b-1", [DataItem.NAME, DataItem.PHONE])
        assert got == {DataItem.NAME: "김민서", DataItem.PHONE: "+821098765432"}
        assert world.vault.find(s, DataItem.PHONE, "010-9876-5432") == ["b-1"]
        assert world.vault.find(s, DataItem.PHONE, "010-2345-6789") == []
    with world.sessions.begin() as s:
        recipient = s.get(Recipient, "s-cn-1")
        assert recipient is not None
        # The grant is untouched: the recipient reads with the token it had.
        view = world.seller.read_many(s, [ReadAsk(recipient, "o-1", token, LATER)])[0]
    assert not isinstance(view, Exception), view
    assert view.items["name"]["value"] == "김민서"


def test_a_correction_is_checked_item_by_item_and_nothing_is_written_on_error(
    world: Runtime,
) -> None:
    with world.sessions.begin() as s, pytest.raises(InvalidInput) as caught:
        RightsRequests(s, world.vault).correct(
            "b-1",
            {DataItem.PHONE: "010-99", DataItem.RRN: "900101-1234567", DataItem.ADDRESS: "  "},
            LATER,
        )
    fields = {p.field: p.reason for p in caught.value.problems}
    assert set(fields) == {"changes.phone", "changes.rrn", "changes.address"}
    assert "valid number" in fields["changes.phone"]
    assert "010-99" not in fields["changes.phone"]  # errors never repeat the value
    assert fields["changes.rrn"].startswith("expected one of ['address', 'email', 'name'")
    with world.sessions() as s:
        assert world.vault.get(s, "b-1", [DataItem.PHONE]) == {DataItem.PHONE: "+821023456789"}
    with world.sessions.begin() as s, pytest.raises(InvalidInput, match="at least one item"):
        RightsRequests(s, world.vault).correct("b-1", {}, LATER)


def test_export_holds_the_decrypted_data_and_everything_else(world: Runtime) -> None:
    disclose(world)
    with world.sessions.begin() as s:
        rights = RightsRequests(s, world.vault)
        complaint = rights.complain("b-1", "판매자가 제 전화번호로 광고 문자를 보냈습니다.", AT)
        rights.withdraw("b-1", "c-1", LATER)
    with world.sessions.begin() as s:
        exported = RightsRequests(s, world.vault).export("b-1", LATER + timedelta(hours=1))
    json.dumps(exported, ensure_ascii=False)  # plain JSON values throughout
    assert exported["subject"]["id"] == "b-1"
    assert exported["personal_data"] == {
        "address": "서울특별시 강남구 테헤란로 123 4층",
        "customs_code": "P123456789012",
        "email": "minsu@example.kr",
        "name": "김민수",
        "phone": "+821023456789",
        "postal_code": "06234",
        "rrn": "900101-1234567",
    }
    assert [o["order_items"] for o in exported["orders"]] == ["무선 이어폰 1개"]
    (disclosure,) = exported["disclosures"]
    assert disclosure["recipient"]["legal_name"] == "Shenzhen Example Trading Co., Ltd."
    assert disclosure["allowed"] is True
    (grant,) = exported["grants"]
    assert (grant["state"], grant["revoke_reason"]) == ("revoked", "consent_withdrawn")
    withdrawn = {c["id"]: c["withdrawn_at"] for c in exported["consents"]}
    assert withdrawn == {"c-1": LATER.isoformat(), "c-p": None}
    kinds = [r["kind"] for r in exported["requests"]]
    assert kinds == ["export", "withdrawal", "complaint"]  # newest first, the export included
    assert exported["requests"][0]["state"] == "completed"
    assert exported["complaints"] == [
        {
            "tracking_number": complaint.tracking_number,
            "text": "판매자가 제 전화번호로 광고 문자를 보냈습니다.",
            "state": "received",
            "created_at": AT.isoformat(),
            "deadline": (AT + timedelta(days=10)).isoformat(),
            "answer": None,
            "answered_at": None,
        }
    ]
    assert exported["tracking_number"] == exported["requests"][0]["tracking_number"]


def test_a_complaint_is_sealed_answered_and_listed_with_its_deadline(world: Runtime) -> None:
    with world.sessions.begin() as s:
        filed = RightsRequests(s, world.vault, deadline_days=7).complain(
            "b-1", "  주소가 노출되었습니다  ", AT
        )
    assert filed.state is RequestState.RECEIVED
    assert filed.deadline == AT + timedelta(days=7)
    with world.sessions() as s:
        row = s.scalars(select(RightsRequest)).one()
        assert row.sealed_text is not None
        assert "주소".encode() not in row.sealed_text
        assert row.detail == {}
    with world.sessions.begin() as s:
        answered = RightsRequests(s, world.vault).answer(filed.id, "확인 후 조치했습니다.", LATER)
    assert (answered.state, answered.answer, answered.completed_at) == (
        RequestState.COMPLETED,
        "확인 후 조치했습니다.",
        LATER,
    )
    with world.sessions.begin() as s, pytest.raises(Conflict, match="is completed already"):
        RightsRequests(s, world.vault).answer(filed.id, "again", LATER)
    with world.sessions.begin() as s, pytest.raises(InvalidInput, match="expected some text"):
        RightsRequests(s, world.vault).complain("b-1", "   ", AT)


def test_only_complaints_take_answers_and_a_rejection_closes_with_its_reason(
    world: Runtime,
) -> None:
    disclose(world)
    with world.sessions.begin() as s:
        rights = RightsRequests(s, world.vault)
        suspension = rights.suspend("b-1", LATER)
        with pytest.raises(Conflict, match="is a suspension, not a complaint"):
            rights.answer(suspension.id, "done", LATER)
        complaint = rights.complain("b-1", "spam", LATER)
        rejected = rights.reject(complaint.id, "not about personal data", LATER)
    assert (rejected.state, rejected.answer) == (RequestState.REJECTED, "not about personal data")


def test_my_requests_lists_the_buyers_own_newest_first_with_tasks(world: Runtime) -> None:
    with world.sessions.begin() as s:
        add_buyer(s, world, "b-2")
    disclose(world)
    with world.sessions.begin() as s:
        rights = RightsRequests(s, world.vault)
        first = rights.complain("b-1", "one", AT)
        rights.complain("b-2", "someone else's", AT + timedelta(seconds=1))
        second = rights.suspend("b-1", LATER)
    with world.sessions() as s:
        mine = RightsRequests(s, world.vault).for_subject("b-1")
        assert [r.id for r in mine] == [second.id, first.id]
        assert [len(r.tasks) for r in mine] == [1, 0]
        assert RightsRequests(s, world.vault).receipt("b-1", first.id) == first
        with pytest.raises(NotFound):
            RightsRequests(s, world.vault).receipt("b-2", first.id)
    numbers = [first.tracking_number, second.tracking_number]
    assert numbers == ["R-2026-000001", "R-2026-000003"]


def test_tracking_numbers_restart_each_year(world: Runtime) -> None:
    with world.sessions.begin() as s:
        rights = RightsRequests(s, world.vault)
        late = rights.complain("b-1", "a", datetime(2026, 12, 31, 23, 0, tzinfo=UTC))
        early = rights.complain("b-1", "b", datetime(2027, 1, 1, 0, 30, tzinfo=UTC))
        next_one = rights.complain("b-1", "c", datetime(2027, 1, 2, tzinfo=UTC))
    assert [late.tracking_number, early.tracking_number, next_one.tracking_number] == [
        "R-2026-000001",
        "R-2027-000001",
        "R-2027-000002",
    ]


def test_a_request_is_overdue_after_its_deadline_until_its_tasks_are_acknowledged(
    world: Runtime,
) -> None:
    disclose(world)
    with world.sessions.begin() as s:
        receipt = RightsRequests(s, world.vault).erase("b-1", LATER)
    (task,) = receipt.tasks
    on_time = receipt.deadline
    with world.sessions() as s:
        assert RightsRequests(s, world.vault).overdue(on_time) == []
        (late,) = RightsRequests(s, world.vault).overdue(on_time + timedelta(seconds=1))
    assert late.id == receipt.id
    assert late.overdue(on_time + timedelta(seconds=1))
    assert late.tasks[0].overdue(on_time + timedelta(seconds=1))
    assert not late.tasks[0].overdue(on_time)
    with world.sessions.begin() as s:
        RightsTasks(s).acknowledge("s-cn-1", task.id, on_time + timedelta(days=1))
    with world.sessions() as s:
        assert RightsRequests(s, world.vault).overdue(on_time + timedelta(days=2)) == []
        (done,) = RightsRequests(s, world.vault).for_subject("b-1")
    assert done.state is RequestState.COMPLETED
    assert not done.overdue(on_time + timedelta(days=2))


def test_the_deadline_comes_from_the_constructor(world: Runtime) -> None:
    with world.sessions.begin() as s:
        receipt = RightsRequests(s, world.vault, deadline_days=3).suspend("b-1", AT)
    assert receipt.deadline == AT + timedelta(days=3)
    with world.sessions() as s, pytest.raises(ValueError, match="at least 1"):
        RightsRequests(s, world.vault, deadline_days=0)


def test_concurrent_requests_get_distinct_tracking_numbers(world: Runtime) -> None:
    buyers = [f"b-c{n}" for n in range(6)]
    with world.sessions.begin() as s:
        for buyer in buyers:
            add_buyer(s, world, buyer)
    start = threading.Barrier(len(buyers))

    def file(buyer: str) -> str:
        start.wait()
        with world.sessions.begin() as s:
            return RightsRequests(s, world.vault).complain(buyer, "동시에", AT).tracking_number

    with ThreadPoolExecutor(len(buyers)) as pool:
        numbers = sorted(pool.map(file, buyers))
    assert numbers == [f"R-2026-{n:06d}" for n in range(1, len(buyers) + 1)]
