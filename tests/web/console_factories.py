"""The privacy officer's console's world: the privacy center's two buyers and four companies
(`me_factories.build_world`: five disclosures on 2026-11-01), plus a refusal, a complaint, a
suspension whose recipient tasks go overdue, an officer account and an account that is not an
officer's. Everything through the real services."""

from dataclasses import dataclass
from datetime import timedelta

from fastapi.testclient import TestClient
from me_factories import DISCLOSED, NOW, SHENZHEN, A, B, CenterWorld, build_world
from sqlalchemy.orm import Session

from databorder.auth.services import Officers, Scope
from databorder.gateway.types import DisclosureAsk
from databorder.model import DataItem, Purpose
from databorder.rights.requests import RightsRequests
from databorder.runtime import Runtime

OFFICER = "officer.kim"
PASSWORD = "correct horse battery staple 7"
PLATFORM_USER = "platform.lee"  # a right password, but no officer scope
COMPLAINT = "배송 정보가 어디로 갔는지 알려주세요."


@dataclass(frozen=True)
class ConsoleWorld:
    center: CenterWorld
    refused_id: str
    complaint_id: str
    complaint_number: str
    suspension_number: str


def _refuse(session: Session, runtime: Runtime) -> str:
    """B consented to shipping only: customer service by the seller in China is refused."""
    outcome = runtime.gateway.disclose(
        session,
        DisclosureAsk("o-b-1", SHENZHEN.rid, Purpose.CUSTOMER_SERVICE, (DataItem.NAME,)),
        DISCLOSED,
    )
    assert not outcome.decision.allowed, outcome.decision
    return outcome.disclosure_id


def build_console_world(runtime: Runtime) -> ConsoleWorld:
    center = build_world(runtime)
    with runtime.sessions.begin() as session:
        refused = _refuse(session, runtime)
        officers = Officers(session)
        officers.add(OFFICER, PASSWORD, [Scope.OFFICER.value], NOW - timedelta(days=1))
        officers.add(PLATFORM_USER, PASSWORD, [Scope.PLATFORM.value], NOW - timedelta(days=1))
        rights = RightsRequests(session, runtime.vault)
        # Filed twelve days ago: past the 10-day deadline now.
        complaint = rights.complain(B, COMPLAINT, NOW - timedelta(days=12))
        suspension = rights.suspend(A, NOW - timedelta(days=12))
    return ConsoleWorld(
        center, refused, complaint.id, complaint.tracking_number, suspension.tracking_number
    )


def sign_in(client: TestClient, username: str = OFFICER, password: str = PASSWORD) -> None:
    """Sign in through the sign-in page's form, as a browser does."""
    token = csrf_of(client.get("/console/signin").text)
    answer = client.post(
        "/console/signin",
        data={"csrf_token": token, "username": username, "password": password, "next": "/console"},
    )
    assert answer.status_code == 303, answer.text


def csrf_of(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
