"""What a recipient is told of its task: the webhook payload, and the same as a bilingual email.

Pure: plain values in, plain values out. The payload follows the Standard Webhooks shape
(`type`, `timestamp`, `data`) and carries order ids, item names and the tracking number, never
a buyer's personal data: the recipient already holds what it must delete or re-read, and a
message that repeated it would be one more copy to protect.

The email's texts live here rather than in the Babel catalogues: every message carries both
languages at once (Korean first, then English), recipients abroad included, so there is no
language to choose per reader; item names come from the shared `labels` catalogue.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from databorder.model import DataItem
from databorder.notices.labels import item_label
from databorder.rights.types import Topic

ACK_PATH = "/v1/seller/rights/{task_id}/ack"


def payload(
    topic: Topic,
    *,
    task_id: str,
    tracking_number: str,
    orders: Iterable[str],
    items: Iterable[str],
    deadline: datetime,
    at: datetime,
) -> dict[str, Any]:
    """The message body, as stored in the outbox and sent (canonical JSON) to the webhook."""
    return {
        "type": topic.value,
        "timestamp": at.astimezone(UTC).isoformat(),
        "data": {
            "task_id": task_id,
            "tracking_number": tracking_number,
            "orders": sorted(set(orders)),
            "items": sorted(set(items)),
            "deadline": deadline.astimezone(UTC).isoformat(),
            "acknowledge": {"method": "POST", "path": ACK_PATH.format(task_id=task_id)},
        },
    }


@dataclass(frozen=True, slots=True)
class _Texts:
    subject: str
    ask: str  # what the recipient must do


_KO: Mapping[Topic, _Texts] = {
    Topic.REDACT: _Texts(
        "개인정보 파기 요청",
        "아래 주문의 구매자가 회원 탈퇴(개인정보 삭제)를 요청했습니다. 이 주문과 관련하여 "
        "보유한 구매자의 개인정보를 모두 복구할 수 없게 파기해 주십시오(개인정보 보호법 제21조, "
        "제36조).",
    ),
    Topic.UPDATE: _Texts(
        "개인정보 정정 안내",
        "아래 주문의 구매자가 개인정보를 정정했습니다. 보관 중인 사본은 더 이상 정확하지 "
        "않으니 사용하기 전에 주문 정보를 다시 조회해 주십시오(개인정보 보호법 제36조).",
    ),
    Topic.SUSPEND: _Texts(
        "개인정보 처리정지 요청",
        "아래 주문의 구매자가 개인정보 처리의 정지를 요청했습니다. 접근 권한은 이미 "
        "회수되었습니다. 보유한 개인정보의 처리를 중단해 주십시오(개인정보 보호법 제37조).",
    ),
    Topic.WITHDRAW: _Texts(
        "개인정보 제공 동의 철회 안내",
        "아래 주문의 구매자가 개인정보 제공(국외 이전) 동의를 철회했습니다. 접근 권한은 "
        "이미 회수되었습니다. 이 동의에 근거하여 보유한 개인정보의 처리를 중단하고 파기해 "
        "주십시오(개인정보 보호법 제37조).",
    ),
}

_EN: Mapping[Topic, _Texts] = {
    Topic.REDACT: _Texts(
        "Request to erase personal data",
        "The buyer of the orders below deleted their account. Erase all personal data of "
        "theirs you hold for these orders, so that it cannot be recovered (PIPA Art. 21, 36).",
    ),
    Topic.UPDATE: _Texts(
        "Personal data corrected",
        "The buyer of the orders below corrected their personal data. Copies you keep are no "
        "longer accurate: read the order again before you use it (PIPA Art. 36).",
    ),
    Topic.SUSPEND: _Texts(
        "Request to stop processing personal data",
        "The buyer of the orders below asked that their personal data no longer be processed. "
        "Your access has been revoked already; stop processing what you hold (PIPA Art. 37).",
    ),
    Topic.WITHDRAW: _Texts(
        "Consent withdrawn",
        "The buyer of the orders below withdrew the consent their data was provided "
        "(transferred abroad) on. Your access has been revoked already; stop processing and "
        "erase what you hold on that basis (PIPA Art. 37).",
    ),
}


@dataclass(frozen=True, slots=True)
class EmailText:
    subject: str
    body: str


def _items(names: Iterable[str], lang: str) -> str:
    known = {i.value: i for i in DataItem}
    return ", ".join(item_label(known[n], lang) if n in known else n for n in names)


def _when(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def render_email(message: Mapping[str, Any], recipient_name: str, base_url: str) -> EmailText:
    """The message as plain text, Korean then English; no personal data beyond order ids."""
    topic = Topic(message["type"])
    data = message["data"]
    ko, en = _KO[topic], _EN[topic]
    tracking = str(data["tracking_number"])
    orders = "\n".join(f"  - {order}" for order in data["orders"])
    ack = f"POST {base_url.rstrip('/')}{data['acknowledge']['path']}"
    deadline = _when(str(data["deadline"]))
    items = list(data["items"])
    lines = [
        f"{recipient_name} 개인정보 보호책임자님께",
        "",
        ko.ask,
        "",
        f"접수번호: {tracking}",
        f"주문번호:\n{orders}",
    ]
    if items:
        lines.append(f"해당 항목: {_items(items, 'ko')}")
    lines += [
        f"처리 기한: {deadline}",
        "",
        "처리를 마치면 귀사의 API 키로 다음과 같이 확인해 주십시오:",
        f"  {ack}",
        "  Authorization: Bearer <API 키>",
        "",
        "-" * 60,
        "",
        f"To the privacy officer of {recipient_name},",
        "",
        en.ask,
        "",
        f"Tracking number: {tracking}",
        f"Orders:\n{orders}",
    ]
    if items:
        lines.append(f"Items concerned: {_items(items, 'en')}")
    lines += [
        f"Deadline: {deadline}",
        "",
        "When done, confirm with your API key:",
        f"  {ack}",
        "  Authorization: Bearer <API key>",
        "",
    ]
    return EmailText(f"[{tracking}] {ko.subject} / {en.subject}", "\n".join(lines))
