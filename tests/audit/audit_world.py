"""The audit tests' world and runner: three engines, one small world with nothing to find.

`build_clean` builds a small world through the real services in which every check has something
to look at (disclosures allowed and refused, a read, a withdrawal, an erasure acknowledged,
an open complaint, a signed head) and nothing to find. Each violation test then breaks one
rule, with plain SQL where the services rightly refuse to, and runs `audit`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count
from pathlib import Path

from sqlalchemy import bindparam, text

from databorder.audit import (
    AuditParams,
    AuditReport,
    LiveSource,
    ParquetSource,
    Window,
    export_parquet,
    params_from_pack,
    run_audit,
    snapshot,
)
from databorder.gateway.seller import ReadAsk
from databorder.gateway.types import DisclosureAsk, DisclosureOutcome
from databorder.model import DataItem, Purpose
from databorder.registry.models import Recipient
from databorder.rights.requests import RightsRequests
from databorder.rights.tasks import RightsTasks
from databorder.runtime import Runtime
from databorder.store.base import UTCDateTime
from factories import T0, add_buyer, add_consent, add_order

AS_OF = T0 + timedelta(days=1)
SHIP = (DataItem.NAME, DataItem.PHONE, DataItem.ADDRESS, DataItem.POSTAL_CODE, DataItem.ORDER_ITEMS)
AGENT = {
    "domestic_agent_name": "Example Agent Korea Ltd.",
    "domestic_agent_email": "agent@example.kr",
    "domestic_agent_phone": "+82 2 1234 5678",
}


Audit = Callable[..., AuditReport]


def audit_on(engine: str, rt: Runtime, exports: Path) -> Audit:
    """Run the audit on `engine`: live in one snapshot, or DuckDB over a fresh export of it."""
    numbers = count()

    def run(
        as_of: datetime = AS_OF,
        window: Window | None = None,
        params: AuditParams | None = None,
    ) -> AuditReport:
        params = params or params_from_pack(rt.engine.pack)
        with snapshot(rt.db) as connection:
            if engine != "duckdb":
                with LiveSource(connection, rt.signer.public_key, rt.log) as source:
                    return run_audit(source, params, as_of, window)
            directory = exports / f"export-{next(numbers)}"
            export_parquet(connection, directory, rt.signer.public_key, rt.log, as_of)
        with ParquetSource(directory) as parquet:
            return run_audit(parquet, params, as_of, window)

    return run


@dataclass(frozen=True)
class Clean:
    rt: Runtime
    disclosure: str  # b-1's order o-1 to s-cn-1, allowed, at T0 + 5 minutes
    leaf: int
    grant: str
    refused: str  # b-1's customer-service ask, refused (no consent covers it)
    refused_leaf: int
    read: str  # s-cn-1 reading o-1 at T0 + 10 minutes
    read_leaf: int
    other: str  # b-2's order o-2 to s-cn-2, allowed at T0 + 30 minutes
    other_leaf: int
    other_grant: str
    withdrawal: str  # b-2 withdrew c-2 at T0 + 1 hour: o-2's grant revoked, s-cn-2 acknowledged
    erasure: str  # b-2 erased at T0 + 2 hours, s-cn-2 acknowledged
    complaint: str  # b-1's complaint at T0 + 2 hours, open (due T0 + 10 days 2 hours)

    def sql(self, statement: str, **values: object) -> None:
        """Write directly, as only a bug or someone at the database could; instants bound
        as the schema stores them."""
        instants = [
            bindparam(name, type_=UTCDateTime())
            for name, value in values.items()
            if isinstance(value, datetime)
        ]
        with self.rt.sessions.begin() as s:
            s.execute(text(statement).bindparams(*instants), values)


def _disclose(
    rt: Runtime, order: str, recipient: str, purpose: Purpose, at: datetime
) -> DisclosureOutcome:
    items = SHIP if purpose is Purpose.SHIPPING else (DataItem.PHONE,)
    with rt.sessions.begin() as s:
        return rt.gateway.disclose(s, DisclosureAsk(order, recipient, purpose, items), at)


def build_clean(rt: Runtime) -> Clean:
    """On the suite's `world` (b-1, o-1 from s-cn-1, its consents, the notice naming both
    sellers): everything `Clean` describes, through the services."""
    with rt.sessions.begin() as s:
        s.execute(
            text(
                "UPDATE recipients SET domestic_agent_name = :domestic_agent_name, "
                "domestic_agent_email = :domestic_agent_email, "
                "domestic_agent_phone = :domestic_agent_phone WHERE id = 's-cn-2'"
            ),
            AGENT,
        )
        add_buyer(s, rt, "b-2")
        for cid, kind in (("c-2", "overseas_transfer"), ("c-2p", "third_party_provision")):
            add_consent(s, cid, buyer="b-2", kind=kind, recipients=["s-cn-2"])
        add_order(s, rt, "o-2", buyer="b-2", seller="s-cn-2")
    first = _disclose(rt, "o-1", "s-cn-1", Purpose.SHIPPING, T0 + timedelta(minutes=5))
    refused = _disclose(rt, "o-1", "s-cn-1", Purpose.CUSTOMER_SERVICE, T0 + timedelta(minutes=6))
    assert first.decision.allowed
    assert not refused.decision.allowed
    assert first.grant_id is not None
    assert first.grant_token is not None
    assert first.leaf_index is not None
    assert refused.leaf_index is not None
    with rt.sessions.begin() as s:
        seller = s.get(Recipient, "s-cn-1")
        assert seller is not None
        rt.seller.read_many(
            s, [ReadAsk(seller, "o-1", first.grant_token, T0 + timedelta(minutes=10))]
        )
        read_id, read_leaf = s.execute(text("SELECT id, leaf_index FROM seller_reads")).one()
    other = _disclose(rt, "o-2", "s-cn-2", Purpose.SHIPPING, T0 + timedelta(minutes=30))
    assert other.decision.allowed
    assert other.grant_id is not None
    assert other.leaf_index is not None
    with rt.sessions.begin() as s:
        rights = RightsRequests(s, rt.vault)
        withdrawal = rights.withdraw("b-2", "c-2", T0 + timedelta(hours=1))
        erasure = rights.erase("b-2", T0 + timedelta(hours=2))
        complaint = rights.complain("b-1", "배송이 늦습니다", T0 + timedelta(hours=2))
        tasks = s.execute(text("SELECT recipient_id, id FROM rights_tasks")).all()
        assert len(tasks) == 2
        for recipient_id, task_id in tasks:
            RightsTasks(s).acknowledge(recipient_id, task_id, T0 + timedelta(hours=3))
    with rt.sessions.begin() as s:
        rt.signer.sign(s)
    return Clean(
        rt=rt,
        disclosure=first.disclosure_id,
        leaf=first.leaf_index,
        grant=first.grant_id,
        refused=refused.disclosure_id,
        refused_leaf=refused.leaf_index,
        read=read_id,
        read_leaf=read_leaf,
        other=other.disclosure_id,
        other_leaf=other.leaf_index,
        other_grant=other.grant_id,
        withdrawal=withdrawal.id,
        erasure=erasure.id,
        complaint=complaint.id,
    )


def found(report: AuditReport) -> set[tuple[str, str, tuple[int, ...], str | None]]:
    """Every finding as (check, "kind:id kind:id", leaf indexes, note)."""
    return {
        (f.check, " ".join(str(r) for r in f.records), f.leaf_indexes, f.note)
        for f in report.findings
    }
