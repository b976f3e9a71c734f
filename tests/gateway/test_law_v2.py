"""Contract v2 through the gateway: the facts come from the database, as production builds them.

The `world` fixture (conftest) has a Korean buyer, two Chinese sellers named in notice
2026-10-01, a provision consent `c-p` and an overseas-transfer consent `c-1` naming s-cn-1, and
an order o-1 from s-cn-1. These tests add what v2 reads: later versions, country-wide consents,
suspension orders, mandates, foreign clouds.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from databorder.gateway.models import AccessGrant, Disclosure
from databorder.gateway.services import revoke_grants_for_consent
from databorder.gateway.types import DisclosureAsk
from databorder.model import DataItem, Purpose, ReasonCode
from databorder.registry.suspensions import SuspensionOrderIn, SuspensionService
from databorder.rights.services import RightsService
from databorder.runtime import Runtime
from databorder.store.query import by_id
from factories import T0, add_consent, add_notice, add_order, add_recipient

SHIPPING = (DataItem.NAME, DataItem.PHONE, DataItem.ADDRESS)
AT = T0 + timedelta(minutes=5)


def ask(order: str = "o-1", recipient: str = "s-cn-1", **kw: object) -> DisclosureAsk:
    purpose = kw.pop("purpose", Purpose.SHIPPING)
    items = kw.pop("items", SHIPPING)
    mandate = kw.pop("legal_mandate", None)
    assert not kw
    return DisclosureAsk(order, recipient, purpose, items, mandate)  # type: ignore[arg-type]


def codes(outcome_reasons: object) -> list[str]:
    return [r.code.value for r in outcome_reasons]  # type: ignore[attr-defined]


def test_a_disclosure_records_its_bases_consents_and_the_notice_in_force(world: Runtime) -> None:
    with world.sessions.begin() as s:
        outcome = world.gateway.disclose(s, ask(), AT)
    assert outcome.decision.allowed
    with world.sessions() as s:
        row = by_id(s, Disclosure, outcome.disclosure_id)
        assert row is not None
        assert row.notice_version == "2026-10-01"
        assert row.consent_ids == ["c-p", "c-1"]
        assert row.bases == [
            {
                "basis": "provision",
                "ground": "consent",
                "article": "PIPA 17(1)1",
                "consent_id": "c-p",
            },
            {
                "basis": "transfer",
                "ground": "consent",
                "article": "PIPA 28-8(1)1",
                "consent_id": "c-1",
            },
        ]


def test_a_recipient_registered_after_the_version_in_force_is_not_disclosed_until_published(
    world: Runtime,
) -> None:
    later = datetime(2026, 10, 20, tzinfo=UTC)
    with world.sessions.begin() as s:
        add_recipient(s, "s-cn-9", at=later, legal_name="Guangzhou Late Seller Co., Ltd.")
        add_order(s, world, "o-9", seller="s-cn-9")
        add_consent(s, "c-9", recipients=["s-cn-9"], given_at=later)
        add_consent(s, "c-9p", kind="third_party_provision", recipients=["s-cn-9"], given_at=later)
        refused = world.gateway.disclose(s, ask("o-9", "s-cn-9"), AT)
    assert not refused.decision.allowed
    assert codes(refused.decision.reasons) == ["NOT_DISCLOSED"]

    with world.sessions.begin() as s:
        add_notice(s, world, "2026-11-02", at=AT + timedelta(hours=1))
        allowed = world.gateway.disclose(s, ask("o-9", "s-cn-9"), AT + timedelta(hours=2))
    assert allowed.decision.allowed
    assert allowed.decision.consent_ids == ("c-9p", "c-9")


def test_a_country_wide_consent_reaches_only_sellers_its_notice_version_named(
    world: Runtime,
) -> None:
    later = datetime(2026, 10, 20, tzinfo=UTC)
    with world.sessions.begin() as s:
        # s-cn-9 is named only from 2026-10-21; the buyer's consents predate that version.
        add_recipient(s, "s-cn-9", at=later, legal_name="Guangzhou Late Seller Co., Ltd.")
        add_notice(s, world, "2026-10-21", at=later + timedelta(days=1))
        add_order(s, world, "o-9", seller="s-cn-9")
        add_consent(s, "c-cn", recipients=[], countries=["CN"])
        add_consent(s, "c-cnp", kind="third_party_provision", recipients=[], countries=["CN"])
        unnamed = world.gateway.disclose(s, ask("o-9", "s-cn-9"), AT)
        named = world.gateway.disclose(s, ask("o-1", "s-cn-1", items=(DataItem.NAME,)), AT)
    assert not unnamed.decision.allowed
    assert set(codes(unnamed.decision.reasons)) == {"NO_LAWFUL_GROUND"}
    assert named.decision.allowed


def test_withdrawing_the_provision_consent_revokes_the_grant_resting_on_both(
    world: Runtime,
) -> None:
    with world.sessions.begin() as s:
        outcome = world.gateway.disclose(s, ask(), AT)
    with world.sessions.begin() as s:
        result = RightsService(s, world.vault).withdraw("c-p", AT + timedelta(minutes=1))
    assert result.grants_revoked == 1
    with world.sessions() as s:
        grant = by_id(s, AccessGrant, outcome.grant_id)
        assert grant is not None
        assert grant.revoke_reason == "consent_withdrawn"


def test_revoking_for_a_consent_leaves_other_buyers_and_other_consents_alone(
    world: Runtime,
) -> None:
    with world.sessions.begin() as s:
        world.gateway.disclose(s, ask(), AT)
        assert revoke_grants_for_consent(s, "b-1", "c-unrelated", AT) == 0
        assert revoke_grants_for_consent(s, "b-other", "c-1", AT) == 0
        assert revoke_grants_for_consent(s, "b-1", "c-1", AT) == 1


def test_a_suspension_order_in_force_ends_live_grants_and_refuses_until_it_ends(
    world: Runtime,
) -> None:
    with world.sessions.begin() as s:
        first = world.gateway.disclose(s, ask(), AT)
    order_at = AT + timedelta(hours=1)
    with world.sessions.begin() as s:
        service = SuspensionService(s, world.engine.pack.home_country)
        row, ended = service.add(
            SuspensionOrderIn(recipient_id="s-cn-1", reference="PIPC order 2026-1"), order_at
        )
    assert ended == 1
    with world.sessions.begin() as s:
        grant = by_id(s, AccessGrant, first.grant_id)
        assert grant is not None
        assert grant.revoke_reason == "transfer_order_suspended"
        refused = world.gateway.disclose(s, ask(), order_at + timedelta(minutes=1))
    assert codes(refused.decision.reasons) == ["TRANSFER_ORDER_SUSPENDED"]
    with world.sessions.begin() as s:
        SuspensionService(s, world.engine.pack.home_country).end(
            row.id, order_at + timedelta(days=1)
        )
        allowed = world.gateway.disclose(s, ask(), order_at + timedelta(days=2))
    assert allowed.decision.allowed


def test_a_country_order_reaches_a_korean_recipient_storing_in_that_country(
    world: Runtime,
) -> None:
    with world.sessions.begin() as s:
        add_recipient(
            s,
            "p-kr-cloud",
            legal_name="(주)클라우드창고",
            country="KR",
            role="processor",
            privacy_phone="+82 2 1234 5678",
            data_countries=["CN"],
        )
        add_notice(s, world, "2026-10-31", at=T0 - timedelta(hours=1))
        cloud = world.gateway.disclose(s, ask(recipient="p-kr-cloud"), AT)
        assert cloud.decision.allowed
        assert cloud.decision.cross_border  # a Korean processor on a Chinese cloud transfers abroad
        assert cloud.decision.article == "PIPA 28-8(1)3"
        _, ended = SuspensionService(s, world.engine.pack.home_country).add(
            SuspensionOrderIn(country="CN", reference="PIPC order 2026-2"), AT + timedelta(hours=1)
        )
        assert ended == 1
        refused = world.gateway.disclose(s, ask(recipient="p-kr-cloud"), AT + timedelta(hours=2))
    assert codes(refused.decision.reasons) == ["TRANSFER_ORDER_SUSPENDED"]


def test_an_order_recorded_ahead_of_its_start_is_enforced_by_the_sweeper(world: Runtime) -> None:
    from databorder.gateway.sweeper import sweep  # noqa: PLC0415

    start = AT + timedelta(days=1)
    with world.sessions.begin() as s:
        outcome = world.gateway.disclose(s, ask(), AT)
        _, ended = SuspensionService(s, world.engine.pack.home_country).add(
            SuspensionOrderIn(
                recipient_id="s-cn-1", starts_at=start, reference="PIPC order 2026-3"
            ),
            AT + timedelta(minutes=1),
        )
        assert ended == 0
        assert sweep(s, AT + timedelta(hours=1), "KR").suspended_by_order == 0
        assert sweep(s, start, "KR").suspended_by_order == 1
        grant = by_id(s, AccessGrant, outcome.grant_id)
        assert grant is not None
        assert grant.revoke_reason == "transfer_order_suspended"


def test_the_customs_mandate_covers_a_korean_broker_and_not_a_chinese_seller(
    world: Runtime,
) -> None:
    with world.sessions.begin() as s:
        add_recipient(
            s,
            "cb-kr-1",
            legal_name="(주)한빛관세법인",
            country="KR",
            role="customs_broker",
            privacy_phone="+82 2 555 0101",
        )
        add_notice(s, world, "2026-10-31", at=T0 - timedelta(hours=1))
        items = (DataItem.NAME, DataItem.CUSTOMS_CODE, DataItem.RRN)
        broker = world.gateway.disclose(
            s,
            ask(
                recipient="cb-kr-1",
                purpose=Purpose.CUSTOMS_CLEARANCE,
                items=items,
                legal_mandate="KR-CUSTOMS-ACT-241",
            ),
            AT,
        )
        seller = world.gateway.disclose(
            s,
            ask(purpose=Purpose.CUSTOMS_CLEARANCE, items=items, legal_mandate="KR-CUSTOMS-ACT-241"),
            AT,
        )
        free_text = world.gateway.disclose(
            s,
            ask(
                recipient="cb-kr-1",
                purpose=Purpose.CUSTOMS_CLEARANCE,
                items=items,
                legal_mandate="관세법 제241조",
            ),
            AT,
        )
        rows = {r.id: r for r in s.scalars(select(Disclosure).where(Disclosure.order_id == "o-1"))}
    assert broker.decision.allowed
    assert broker.decision.article == "PIPA 17(1)2 (Customs Act Art. 241)"
    assert dict(broker.decision.items) == {"name": "plain", "customs_code": "plain", "rrn": "deny"}
    assert rows[broker.disclosure_id].legal_mandate == "KR-CUSTOMS-ACT-241"
    assert codes(seller.decision.reasons) == [ReasonCode.MANDATE_DOES_NOT_COVER.value]
    assert codes(free_text.decision.reasons) == [ReasonCode.MANDATE_DOES_NOT_COVER.value]
