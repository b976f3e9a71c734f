"""The privacy officer publishes notice versions and records the regulator's suspension orders.

Both feed the engine's facts: the version in force says which recipients are disclosed
(contract v2, `notice_in_force` and `recipient.notices`), and the orders in force refuse the
transfers they cover (`suspension_orders`, Art. 28-9).
"""

from datetime import datetime
from typing import Annotated

from fastapi import status
from pydantic import BaseModel, ConfigDict, Field

from databorder.api.deps import RuntimeDep, scoped_router
from databorder.api.problems import problems
from databorder.auth.services import Scope
from databorder.errors import NotFound
from databorder.i18n import LANGUAGES
from databorder.model.fields import Ident, Instant, NoticeVersionName, Text
from databorder.notices.store import NoticeStore
from databorder.registry.models import SuspensionOrder
from databorder.registry.suspensions import SuspensionOrderIn, SuspensionService

router = scoped_router(Scope.OFFICER, "notices")


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: NoticeVersionName | None = None
    summary: Annotated[Text, Field(max_length=2000)] = ""


class PublishedOut(BaseModel):
    version: str
    published_at: datetime
    content_sha256: str
    recipient_count: int


class SuspensionOrderOut(BaseModel):
    id: str
    recipient_id: str | None
    country: str | None
    starts_at: datetime
    ends_at: datetime | None
    reference: str
    grants_revoked: int = 0


def _order_out(row: SuspensionOrder, grants_revoked: int = 0) -> SuspensionOrderOut:
    return SuspensionOrderOut(
        id=row.id,
        recipient_id=row.recipient_id,
        country=row.country,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        reference=row.reference,
        grants_revoked=grants_revoked,
    )


class EndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: Instant | None = None


class NoticeOut(BaseModel):
    version: str
    published_at: datetime
    content_sha256: str
    recipient_count: int
    html: dict[str, str]  # language -> the policy's recipient sections, as published


platform = scoped_router(Scope.PLATFORM, "notices")


@platform.get(
    "/v1/notices/current",
    summary="The notice version in force, with its text for the consent screen",
    responses=problems((404, "no version was published yet")),
)
def current_notice(rt: RuntimeDep) -> NoticeOut:
    """What a consent screen shows: the version in force's rendering, and the hash to send
    back with the consent (POST /v1/consents, `notice_sha256`)."""
    with rt.reads() as session:
        store = NoticeStore(session)
        version = store.in_force(rt.now())
        if version is None:
            raise NotFound("notice version", "in force (none was published)")
        html = {
            lang: store.document(version.version, "html", lang).decode("utf-8")
            for lang in LANGUAGES
        }
    return NoticeOut(
        version=version.version,
        published_at=version.published_at,
        content_sha256=version.content_sha256,
        recipient_count=version.recipient_count,
        html=html,
    )


@router.post(
    "/v1/notices/publish",
    status_code=status.HTTP_201_CREATED,
    summary="Publish the registry as a new notice version (every format, immutable)",
)
def publish(body: PublishIn, rt: RuntimeDep) -> PublishedOut:
    with rt.sessions.begin() as session:
        v = rt.publisher.publish(session, rt.now(), body.version, body.summary)
    return PublishedOut(
        version=v.version,
        published_at=v.published_at,
        content_sha256=v.content_sha256,
        recipient_count=v.recipient_count,
    )


@router.post(
    "/v1/suspension-orders",
    status_code=status.HTTP_201_CREATED,
    summary="Record a regulator's suspension order; the grants it covers end at once",
    responses=problems((404, "no such recipient"), (409, "an order with this id exists")),
)
def add_suspension_order(body: SuspensionOrderIn, rt: RuntimeDep) -> SuspensionOrderOut:
    with rt.sessions.begin() as session:
        service = SuspensionService(session, rt.engine.pack.home_country)
        row, revoked = service.add(body, rt.now())
        return _order_out(row, revoked)


@router.get("/v1/suspension-orders", summary="Every suspension order, in force or ended")
def list_suspension_orders(rt: RuntimeDep) -> list[SuspensionOrderOut]:
    with rt.sessions.begin() as session:
        rows = SuspensionService(session, rt.engine.pack.home_country).every()
        return [_order_out(r) for r in rows]


@router.post(
    "/v1/suspension-orders/{order_id}/end",
    summary="End a suspension order",
    responses=problems(404, (409, "the order has ended already")),
)
def end_suspension_order(order_id: Ident, body: EndIn, rt: RuntimeDep) -> SuspensionOrderOut:
    with rt.sessions.begin() as session:
        row = SuspensionService(session, rt.engine.pack.home_country).end(
            order_id, body.at or rt.now()
        )
        return _order_out(row)
