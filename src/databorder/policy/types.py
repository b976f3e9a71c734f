"""The decision request and answer as plain frozen values (contracts/decision.md).

The engine sees only these: no database rows, no HTTP bodies. The gateway builds them from the
store and the HTTP/CLI layers from JSON (`policy.codec`), so one pure function serves all three.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from databorder.model import (
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

    def valid_at(self, at: datetime) -> bool:
        """Counts only once given and until withdrawn (a withdrawal at `at` already counts)."""
        return self.given_at <= at and (self.withdrawn_at is None or self.withdrawn_at > at)

    def names(self, recipient_id: str, country: str) -> bool:
        return recipient_id in self.recipients or country in self.countries


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    id: str
    residence: str
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
    certifications: frozenset[str] = frozenset()
    contract_safeguards: bool = False
    disclosed_in_notice: bool = False
    retention_days: int = 0


@dataclass(frozen=True, slots=True)
class LegalMandate:
    citation: str


@dataclass(frozen=True, slots=True)
class DecisionRequest:
    at: datetime
    subject: SubjectFacts
    recipient: RecipientFacts
    purpose: Purpose
    items: tuple[DataItem, ...]
    pack: str = "pipa"
    legal_mandate: LegalMandate | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an item was denied or a request refused; `item` is None for the whole request."""

    code: ReasonCode
    item: DataItem | None
    en: str
    ko: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer. `rule` names the pack rule that settled it, for audits.

    `consent_id` is the consent that grounded the release (None on other grounds): the gateway
    keeps it on the grant so that withdrawing that consent revokes exactly these grants.
    """

    allowed: bool
    cross_border: bool
    ground: Ground | None
    article: str | None
    items: Mapping[DataItem, Disposition]
    access_expires_after_delivery_days: int | None
    reasons: tuple[Reason, ...]
    rule: str
    consent_id: str | None = None

    def released(self) -> dict[DataItem, Disposition]:
        """The items that go, in their form; empty for a refusal."""
        return {i: d for i, d in self.items.items() if d is not Disposition.DENY}
