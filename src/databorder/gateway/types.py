"""What callers hand the gateway and what it answers, as plain values."""

from dataclasses import dataclass
from datetime import datetime

from databorder.model import DataItem, Purpose
from databorder.policy.types import Decision


@dataclass(frozen=True, slots=True)
class DisclosureAsk:
    order_id: str
    recipient_id: str
    purpose: Purpose
    items: tuple[DataItem, ...]
    legal_mandate: str | None = None


@dataclass(frozen=True, slots=True)
class DisclosureOutcome:
    disclosure_id: str
    decision: Decision
    grant_id: str | None
    grant_token: str | None  # shown once: the recipient presents it to read the data
    expires_at: datetime | None
    leaf_index: int | None


@dataclass(frozen=True, slots=True)
class HistoryImport:
    """Who brought past disclosures in, when and why: marked on each row and log leaf."""

    officer: str
    at: datetime
    reason: str
