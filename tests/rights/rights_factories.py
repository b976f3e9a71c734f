"""Helpers for the rights tests: disclosures to act on, recipients' keys, the app with the
rights routes, and a real webhook receiver's behaviour.

The receiver (served by the `receiver` fixture on the loopback interface, in a thread) answers
500 to its first `fail_first` deliveries, then checks each signature with the
`standardwebhooks` verifier and, when told how, acknowledges the task through the ack route.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from standardwebhooks import Webhook, WebhookVerificationError

from databorder.api.app import create_app
from databorder.gateway.types import DisclosureAsk, DisclosureOutcome
from databorder.model import DataItem, Purpose
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime
from factories import T0

AT = T0 + timedelta(minutes=5)
SHIP = (DataItem.NAME, DataItem.PHONE, DataItem.ADDRESS, DataItem.ORDER_ITEMS)
ACK_PATH = "/v1/seller/rights/{task_id}/ack"


def rights_app(rt: Runtime) -> FastAPI:
    """The service's own app: the rights routes are part of it."""
    return create_app(rt)


def disclose(
    rt: Runtime, order: str = "o-1", recipient: str = "s-cn-1", at: datetime = AT
) -> DisclosureOutcome:
    """Disclose the shipping items (its grant_id is None when refused)."""
    with rt.sessions.begin() as s:
        return rt.gateway.disclose(s, DisclosureAsk(order, recipient, Purpose.SHIPPING, SHIP), at)


def api_key(rt: Runtime, recipient: str) -> str:
    with rt.sessions.begin() as s:
        return RegistryService(s).issue_api_key(recipient, T0)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@dataclass
class Receiver:
    """What the receiver saw: every delivery's headers, body and answer, and what it verified."""

    secret: str
    fail_first: int = 0
    on_verified: Callable[[dict[str, Any]], None] | None = None
    deliveries: list[tuple[dict[str, str], bytes, int]] = field(default_factory=list)
    verified: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            number = len(self.deliveries) + 1
        if number <= self.fail_first:
            status = 500
        else:
            try:
                payload = Webhook(self.secret).verify(body, headers)
            except WebhookVerificationError:
                status = 401
            else:
                self.verified.append(payload)
                if self.on_verified is not None:
                    self.on_verified(payload)
                status = 204
        with self.lock:
            self.deliveries.append((headers, body, status))
        return status


def acknowledger(client: TestClient, key: str) -> Callable[[dict[str, Any]], None]:
    """What a recipient's receiver does with a verified task: acknowledge it, with its API key."""

    def ack(payload: dict[str, Any]) -> None:
        answer = client.post(payload["data"]["acknowledge"]["path"], headers=bearer(key))
        assert answer.status_code == 200, answer.text

    return ack
