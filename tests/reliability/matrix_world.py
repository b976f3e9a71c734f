"""Two sellers, three buyers and one credential of every kind, for the isolation matrix.

Built once through the real services into a migrated SQLite file (`build_matrix_world`), then
copied for each route the matrix tries (`open_copy`), so whatever one route's callers change
(a withdrawal, an erasure, a sign-out) never reaches another route's checks.

Seller A (`s-a`) sold order `o-1` to buyer 1 and holds a grant on it (phone relayed); seller B
(`s-b`) sold `o-2` to buyer 2. Buyer 3 bought from seller A and suspended transfers, which gave
seller A a rights task to acknowledge. Buyer 1 filed a complaint (a tracked request the officer
answers). The clock is fixed, so sessions, links and grants stay valid however long a run takes.
"""

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from databorder.auth.services import Officers, Scope, ServiceKeys
from databorder.gateway.types import DisclosureAsk
from databorder.marketplace.schemas import BuyerIn, BuyerPii
from databorder.marketplace.services import MarketplaceService
from databorder.model import DataItem, Purpose
from databorder.registry.services import RegistryService
from databorder.registry.suspensions import SuspensionOrderIn, SuspensionService
from databorder.rights import RightsRequests
from databorder.rights.models import RightsTask
from databorder.runtime import Runtime, build, init_keys
from databorder.settings import Settings
from databorder.vault.models import RelayEndpoint
from databorder.web.buyer_session import load_keys, login_link
from factories import add_consent, add_notice, add_order, add_recipient

NOW = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
DISCLOSED = datetime(2026, 11, 1, 9, 5, tzinfo=UTC)
OFFICER = "officer.kim"
OFFICER_PASSWORD = "correct horse battery staple 7"

SELLER_A, SELLER_B = "s-a", "s-b"
BUYER_1, BUYER_2, BUYER_3 = "b-1", "b-2", "b-3"

# Each buyer's personal data, as the vault seals it: what no answer may show to anyone but
# those the route's rule names.
PII = {
    BUYER_1: BuyerPii(
        name="김민수",
        phone="010-2345-6789",
        email="minsu.kim@example.kr",
        address="서울특별시 강남구 테헤란로 123 4층",
        postal_code="06234",
        customs_code="P123456789012",
    ),
    BUYER_2: BuyerPii(
        name="이영희",
        phone="010-9876-5432",
        email="younghee.lee@example.kr",
        address="부산광역시 해운대구 센텀중앙로 55 12층",
        postal_code="48058",
        customs_code="P987654321098",
    ),
    BUYER_3: BuyerPii(
        name="박지훈",
        phone="010-3000-0003",
        email="jihoon.park@example.kr",
        address="대전광역시 유성구 대학로 99",
        postal_code="34134",
        customs_code="P555555555555",
    ),
}


def markers(buyer: str) -> tuple[str, ...]:
    """The strings that would show a buyer's data in an answer: as typed, and as stored."""
    pii = PII[buyer]
    shown = (pii.name, pii.email, pii.address, pii.phone)
    assert all(shown), f"{buyer} needs every marker"
    phone = str(pii.phone)
    return (*(str(m) for m in shown), "+82" + phone.replace("-", "")[1:])


@dataclass(frozen=True)
class MatrixWorld:
    """Where the built world is, and the ids and secrets the matrix calls with."""

    directory: Path
    values: dict[str, str]  # path and body values: {o1}, {grant_1}, {task_a}, ...
    credentials: dict[str, str]  # bearer secrets by kind (the buyers sign in per copy)


def _add_buyer(session: Session, rt: Runtime, bid: str) -> None:
    MarketplaceService(session, rt.vault).register_buyer(
        BuyerIn.model_validate({"id": bid, "residence": "KR", "pii": PII[bid]}),
        datetime(2026, 10, 1, tzinfo=UTC),
    )


def build_matrix_world(directory: Path, template: Path) -> MatrixWorld:
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, directory / "databorder.db")
    settings = _settings(directory)
    init_keys(settings)
    rt = replace(build(settings), clock=lambda: NOW)
    try:
        return MatrixWorld(directory, *_fill(rt))
    finally:
        rt.db.dispose()


def _fill(rt: Runtime) -> tuple[dict[str, str], dict[str, str]]:
    values: dict[str, str] = {}
    creds: dict[str, str] = {}
    with rt.sessions.begin() as session:
        add_recipient(session, SELLER_A, legal_name="Shenzhen A Trading Co., Ltd.")
        add_recipient(session, SELLER_B, legal_name="Yiwu B Goods Co., Ltd.")
        add_notice(session, rt)
        for buyer, seller in ((BUYER_1, SELLER_A), (BUYER_2, SELLER_B), (BUYER_3, SELLER_A)):
            _add_buyer(session, rt, buyer)
            short = buyer.removeprefix("b-")
            add_consent(session, f"c-{short}-t", buyer, recipients=[seller])
            add_consent(
                session, f"c-{short}-p", buyer, kind="third_party_provision", recipients=[seller]
            )
            add_order(session, rt, f"o-{short}", buyer, seller)
            outcome = rt.gateway.disclose(
                session,
                DisclosureAsk(
                    f"o-{short}",
                    seller,
                    Purpose.SHIPPING,
                    (DataItem.NAME, DataItem.PHONE, DataItem.ADDRESS, DataItem.POSTAL_CODE),
                ),
                DISCLOSED,
            )
            assert outcome.grant_token is not None, outcome.decision
            values[f"grant_{short}"] = outcome.grant_token
            values[f"disclosure_{short}"] = outcome.disclosure_id
        relay = session.scalars(
            select(RelayEndpoint.value).where(RelayEndpoint.recipient_id == SELLER_A)
        ).first()
        assert relay is not None, "seller A's grant relays no phone number"
        values["relay_1"] = relay

        registry = RegistryService(session)
        creds["seller_a"] = registry.issue_api_key(SELLER_A, NOW)
        creds["seller_b"] = registry.issue_api_key(SELLER_B, NOW)
        creds["revoked_seller_key"] = registry.issue_api_key(SELLER_A, NOW)
        registry.revoke_api_key(SELLER_A, creds["revoked_seller_key"][:12], NOW)

        keys = ServiceKeys(session)
        creds["platform"] = keys.issue("marketplace", [Scope.PLATFORM.value], NOW)
        creds["telephony"] = keys.issue("call relay", [Scope.TELEPHONY.value], NOW)
        creds["metrics"] = keys.issue("monitoring", [Scope.METRICS.value], NOW)
        creds["revoked_key"] = keys.issue("old key", [s.value for s in Scope], NOW)
        keys.revoke(creds["revoked_key"][:12], NOW)
        officers = Officers(session)
        officers.add(OFFICER, OFFICER_PASSWORD, [Scope.OFFICER.value], NOW)
        creds["officer"], _ = officers.login(OFFICER, OFFICER_PASSWORD, NOW)

        rights = RightsRequests(session, rt.vault)
        rights.suspend(BUYER_3, NOW)  # seller A held buyer 3's data: it gets a task
        task = session.scalars(
            select(RightsTask.id).where(RightsTask.recipient_id == SELLER_A)
        ).first()
        assert task is not None, "buyer 3's suspension gave seller A no task"
        values["task_a"] = task
        values["complaint_1"] = rights.complain(BUYER_1, "배송 정보 문의", NOW).id
        order, _ = SuspensionService(session, rt.engine.pack.home_country).add(
            SuspensionOrderIn(recipient_id=SELLER_B, reference="PIPC order 2026-11"), NOW
        )
        values["suspension_order"] = order.id
    values |= {
        "seller_a": SELLER_A,
        "o1": "o-1",
        "o3": "o-3",
        "b3": BUYER_3,
        "consent_1": "c-1-t",
        "notice_version": "2026-10-01",
        "officer_username": OFFICER,
        "officer_password": OFFICER_PASSWORD,
        "phone_1": str(PII[BUYER_1].phone),
    }
    return values, creds


def _settings(directory: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{directory / 'databorder.db'}",
        key_dir=directory / "keys",
        mail_dir=directory / "mail",
        sweep_interval_seconds=0,
        head_interval_seconds=0,
        notice_batch_days=0,
        rights_dispatch_interval_seconds=0,
    )


@contextmanager
def open_copy(world: MatrixWorld, directory: Path) -> Iterator[Runtime]:
    """A runtime on a fresh copy of the world (database and keys), its clock at NOW."""
    shutil.copytree(world.directory, directory)
    rt = replace(build(_settings(directory)), clock=lambda: NOW)
    try:
        yield rt
    finally:
        rt.db.dispose()


def buyer_link(rt: Runtime, buyer: str) -> Callable[[], str]:
    """A fresh sign-in link each call (a link signs in once)."""
    key = load_keys(rt.settings.key_dir).login
    return lambda: login_link(buyer, "", key, NOW)
