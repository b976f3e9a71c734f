"""The decision request and answer as plain frozen values (contracts/decision.md, version 2).

The engine sees only these: no database rows, no HTTP bodies. The gateway builds them from the
store and the HTTP/CLI layers from JSON (`policy.codec`), so one pure function serves all three.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from databorder.model import (
    Basis,
    ConsentKind,
    DataItem,
    Disposition,
    Ground,
    Purpose,
    ReasonCode,
    RecipientRole,
)


@dataclass(frozen=True, slots=True)
class ConsentFacts:
    id: str
    kind: ConsentKind
    notice_version: str
    recipients: frozenset[str]
    countries: frozenset[str]
    items: frozenset[DataItem]
    purposes: frozenset[Purpose]
    given_at: datetime
    withdrawn_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    id: str
    residence: str  # kept for the record: v2 judges cross-border from the pack's home country
    transfer_suspended: bool = False
    consents: tuple[ConsentFacts, ...] = ()


@dataclass(frozen=True, slots=True)
class Contact:
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class RecipientFacts:
    id: str
    name: str
    country: str
    role: RecipientRole
    contact: Contact = field(default_factory=Contact)
    certifications: frozenset[str] = frozenset()  # only those valid at the request's `at`
    certification_measures: bool = False  # the measures of Art. 28-8(1)4 (a) and (b) are taken
    contract_safeguards: bool = False
    notices: frozenset[str] = frozenset()  # every published notice version that named it
    retention_days: int = 0
    data_countries: tuple[str, ...] = ()  # where else it receives, stores or views the data


@dataclass(frozen=True, slots=True)
class SuspensionOrder:
    """A regulator's order (Art. 28-9): exactly one of `recipient` and `country` is set."""

    id: str
    recipient: str | None
    country: str | None
    from_: datetime
    to: datetime | None = None

    def __post_init__(self) -> None:
        if (self.recipient is None) == (self.country is None):
            raise ValueError(
                f"suspension order {self.id!r} must name exactly one of recipient and country"
            )

    def active_at(self, at: datetime) -> bool:
        return self.from_ <= at and (self.to is None or self.to > at)


@dataclass(frozen=True, slots=True)
class DecisionRequest:
    at: datetime
    subject: SubjectFacts
    recipient: RecipientFacts
    purpose: Purpose
    items: tuple[DataItem, ...]
    pack: str = "pipa"
    notice_in_force: str | None = None
    suspension_orders: tuple[SuspensionOrder, ...] = ()
    legal_mandate: str | None = None  # an id of the pack's mandate list


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an item was denied or a request refused; `item` is None for the whole request.

    `texts` holds one wording per language the pack speaks (the PIPA pack: `ko` and `en`).
    """

    code: ReasonCode
    item: DataItem | None
    texts: Mapping[str, str]

    @property
    def en(self) -> str:
        return self.texts["en"]

    @property
    def ko(self) -> str:
        return self.texts.get("ko", self.texts["en"])


@dataclass(frozen=True, slots=True)
class BasisUsed:
    """One answer to one of the law's questions for at least one released item (rule 6)."""

    basis: Basis
    ground: Ground
    article: str
    consent_id: str | None = None
    mandate_id: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer. `rule` names the pack rule that settled it, for audits."""

    allowed: bool
    cross_border: bool
    ground: Ground | None
    article: str | None
    bases: tuple[BasisUsed, ...]
    items: Mapping[DataItem, Disposition]
    access_expires_after_delivery_days: int | None
    reasons: tuple[Reason, ...]
    rule: str

    def released(self) -> dict[DataItem, Disposition]:
        """The items that go, in their form; empty for a refusal."""
        return {i: d for i, d in self.items.items() if d is not Disposition.DENY}

    @property
    def consent_ids(self) -> tuple[str, ...]:
        """Every consent a released item rests on: withdrawing any of them revokes the grant."""
        return tuple(dict.fromkeys(b.consent_id for b in self.bases if b.consent_id is not None))

    @property
    def mandate_id(self) -> str | None:
        return next((b.mandate_id for b in self.bases if b.mandate_id is not None), None)
