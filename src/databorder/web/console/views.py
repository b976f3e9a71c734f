"""What the console's overview, rights and log pages show, gathered as plain values.

Handlers translate HTTP; templates lay these out. "Now" is passed in. The overview's counts
come from `gateway.overview` (one GROUP BY each, on a read session); the charts are drawn here
from them with `web.charts`, with the reader's labels and numbers, and every chart's numbers
also go to the table the page shows beside it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from databorder import i18n
from databorder.errors import DataborderError
from databorder.gateway.overview import Bucket, Day, Overview, overview, weekly
from databorder.ledger.log import StoredLog
from databorder.ledger.signing import HeadSigner, SignedHead, explain_head, key_id
from databorder.model import Ground, ReasonCode
from databorder.notices.labels import ground_label
from databorder.rights.models import RightsRequest
from databorder.rights.requests import _COMPLAINT_LABEL, receipts
from databorder.rights.types import Receipt, RequestKind, RequestState, TaskState, TaskView
from databorder.vault.service import Vault
from databorder.web import charts
from databorder.web.errors import N_

OPEN_SHOWN = 200  # open requests listed, nearest deadline first
DEFAULT_DAYS = 30

# A refusal's first reason, as the officer reads it.
REASON_LABELS: dict[str, str] = {
    ReasonCode.NO_LAWFUL_GROUND: N_("No lawful ground"),
    ReasonCode.CONSENT_WITHDRAWN: N_("Consent withdrawn"),
    ReasonCode.CONSENT_DOES_NOT_COVER: N_("Consent does not cover it"),
    ReasonCode.NOT_DISCLOSED: N_("Recipient not in the notice"),
    ReasonCode.CONTRACT_SAFEGUARDS_MISSING: N_("Contract safeguards missing"),
    ReasonCode.TRANSFER_SUSPENDED: N_("Buyer suspended transfers"),
    ReasonCode.TRANSFER_ORDER_SUSPENDED: N_("Regulator's suspension order"),
    ReasonCode.MANDATE_DOES_NOT_COVER: N_("Legal mandate does not cover it"),
    ReasonCode.ITEM_NOT_NEEDED: N_("Item not needed for the purpose"),
    ReasonCode.ITEM_PROHIBITED: N_("Item prohibited"),
    ReasonCode.ROLE_NOT_PERMITTED: N_("Role not permitted"),
    ReasonCode.SUSPENSION_REFUSED_BY_LAW: N_("Suspension overridden by law"),
}


# --- overview -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    allowed: int
    refused: int


@dataclass(frozen=True, slots=True)
class Chart:
    ident: str
    title: str
    svg: Markup
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class OverviewView:
    first: date
    last: date
    bucket: Bucket
    allowed: int
    refused: int
    charts: tuple[Chart, ...]


def default_period(at: datetime) -> tuple[date, date]:
    today = (at + timedelta(hours=9)).date()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def overview_view(db: Session, first: date, last: date, bucket: Bucket, lang: str) -> OverviewView:
    counts = overview(db, first, last)
    return _charts(counts, bucket, lang)


def _charts(counts: Overview, bucket: Bucket, lang: str) -> OverviewView:
    t = i18n.gettext(lang, "web")

    def number(value: float) -> str:
        return i18n.format_number(int(value) if float(value).is_integer() else value, lang)

    def day(value: date) -> str:
        return i18n.format_date(value, lang)

    allowed_name, refused_name = t(N_("Disclosed")), t(N_("Refused"))
    buckets: Sequence[Day] = counts.days if bucket is Bucket.DAY else weekly(counts.days)
    labels = [day(d.day) for d in buckets]
    when = t(N_("Decisions per day")) if bucket is Bucket.DAY else t(N_("Decisions per week"))
    timeline = Chart(
        "chart-time",
        when,
        charts.time_chart(
            labels,
            [
                (allowed_name, [d.allowed for d in buckets]),
                (refused_name, [d.refused for d in buckets]),
            ],
            title=when,
            description=t(N_("Disclosed: %(allowed)s. Refused: %(refused)s."))
            % {"allowed": number(counts.allowed), "refused": number(counts.refused)},
            format_value=number,
            ident="chart-time",
        ),
        (t(N_("Day")) if bucket is Bucket.DAY else t(N_("Week of")), allowed_name, refused_name),
        tuple(
            (label, number(d.allowed), number(d.refused))
            for label, d in zip(labels, buckets, strict=True)
        ),
    )

    def two(ident: str, title: str, head: str, rows: Sequence[Row]) -> Chart:
        return Chart(
            ident,
            title,
            charts.bar_chart(
                [(r.label, r.allowed + r.refused) for r in rows],
                title=title,
                description=t(N_("Decisions, disclosed and refused together.")),
                format_value=number,
                ident=ident,
            ),
            (head, allowed_name, refused_name),
            tuple((r.label, number(r.allowed), number(r.refused)) for r in rows),
        )

    def one(ident: str, title: str, head: str, rows: Sequence[tuple[str, int]]) -> Chart:
        return Chart(
            ident,
            title,
            charts.bar_chart(rows, title=title, format_value=number, ident=ident),
            (head, t(N_("Decisions"))),
            tuple((label, number(n)) for label, n in rows),
        )

    countries = [
        Row(i18n.country_name(c.key, lang), c.allowed, c.refused) for c in counts.countries
    ]
    recipients = [Row(c.name, c.allowed, c.refused) for c in counts.recipients]
    grounds = [(ground_label(Ground(g), lang), n) for g, n in counts.grounds if g]
    reasons = [(t(REASON_LABELS[r]) if r in REASON_LABELS else r, n) for r, n in counts.reasons]
    return OverviewView(
        first=counts.first,
        last=counts.last,
        bucket=bucket,
        allowed=counts.allowed,
        refused=counts.refused,
        charts=(
            timeline,
            two("chart-country", t(N_("By recipient's country")), t(N_("Country")), countries),
            one(
                "chart-ground", t(N_("Disclosed, by legal ground")), t(N_("Legal ground")), grounds
            ),
            one("chart-reason", t(N_("Refused, by reason")), t(N_("Reason")), reasons),
            two("chart-recipient", t(N_("Busiest recipients")), t(N_("Recipient")), recipients),
        ),
    )


# --- rights -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Complaint:
    receipt: Receipt
    text: str | None  # None: unreadable (the buyer's data was erased since)


@dataclass(frozen=True, slots=True)
class RightsView:
    open_requests: tuple[Receipt, ...]  # nearest deadline first
    more: bool  # more open requests than shown
    overdue_tasks: tuple[tuple[Receipt, TaskView], ...]
    dead_tasks: tuple[tuple[Receipt, TaskView], ...]  # every delivery failed
    complaints: tuple[Complaint, ...]


def rights_view(db: Session, vault: Vault, at: datetime) -> RightsView:
    rows = db.scalars(
        select(RightsRequest)
        .where(RightsRequest.state.in_([RequestState.RECEIVED, RequestState.IN_PROGRESS]))
        .order_by(RightsRequest.deadline, RightsRequest.id)
        .limit(OPEN_SHOWN + 1)
    ).all()
    shown = rows[:OPEN_SHOWN]
    found = receipts(db, shown)
    complaints = []
    for row, receipt in zip(shown, found, strict=True):
        if receipt.kind is not RequestKind.COMPLAINT:
            continue
        text = None
        if row.sealed_text is not None:
            try:
                text = vault.open_text(
                    db, row.subject_id, _COMPLAINT_LABEL + row.id, row.sealed_text
                )
            except DataborderError:
                text = None
        complaints.append(Complaint(receipt, text))
    tasks = [(r, t) for r in found for t in r.tasks]
    return RightsView(
        open_requests=tuple(found),
        more=len(rows) > OPEN_SHOWN,
        overdue_tasks=tuple((r, t) for r, t in tasks if t.overdue(at)),
        dead_tasks=tuple((r, t) for r, t in tasks if t.state is TaskState.DEAD),
        complaints=tuple(complaints),
    )


# --- the log ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogView:
    size: int
    head: SignedHead | None
    key_id: str
    head_problem: str | None  # why the latest head does not verify, or None
    covers_log: bool  # the head's size is the log's size
    root_matches: bool  # the stored tree's root at the head's size is the head's root


def log_view(db: Session, log: StoredLog, signer: HeadSigner) -> LogView:
    """The current signed head (signed now if the latest does not cover the log, as
    `GET /v1/log/head` does, so `db` must be a write session) and the quick check on every
    visit: its signature and root against the stored tree (a node read per level); the full
    recomputation is `verify` (a button)."""
    size = log.size(db)
    head = signer.current(db) if size else signer.latest(db)
    problem = explain_head(head, signer.public_key) if head is not None else None
    root_matches = (
        head is not None
        and head.tree_size <= size
        and (log.root(db, head.tree_size) == head.root_hash)
    )
    return LogView(
        size=size,
        head=head,
        key_id=key_id(signer.public_key),
        head_problem=problem,
        covers_log=head is not None and head.tree_size == size,
        root_matches=root_matches,
    )


__all__ = [
    "Chart",
    "LogView",
    "OverviewView",
    "RightsView",
    "default_period",
    "log_view",
    "overview_view",
    "rights_view",
]
