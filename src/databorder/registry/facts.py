"""A recipient as the policy engine sees it, built in one place from any record of one.

The registry's row (`registry.models.Recipient`) and the synthetic world's `RecipientSpec` name
a recipient's fields alike, so the gateway and the simulator share this builder. The decision
contract's JSON names them differently (`name`, `contact`) and is read in `policy.codec`.
Pure: no database, no clock.
"""

from collections.abc import Iterable
from typing import Protocol

from databorder.model import RecipientRole
from databorder.policy.types import Contact, RecipientFacts

# Stored values (or members) to members by dict lookup: Enum(value) is slow on the hot path.
_ROLES: dict[str, RecipientRole] = {r.value: r for r in RecipientRole}


class RecipientRecord(Protocol):
    """What `recipient_facts` reads: the registry's fields, the role as member or stored value."""

    @property
    def id(self) -> str: ...
    @property
    def legal_name(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def privacy_email(self) -> str: ...
    @property
    def privacy_phone(self) -> str | None: ...
    @property
    def certifications(self) -> Iterable[str]: ...
    @property
    def certification_measures(self) -> bool: ...
    @property
    def contract_safeguards(self) -> bool: ...
    @property
    def retention_days(self) -> int: ...
    @property
    def data_countries(self) -> Iterable[str]: ...


def recipient_facts(record: RecipientRecord, notices: frozenset[str]) -> RecipientFacts:
    """The recipient as the engine sees it; `notices` are the published versions naming it."""
    return RecipientFacts(
        id=record.id,
        name=record.legal_name,
        country=record.country,
        role=_ROLES[record.role],
        contact=Contact(email=record.privacy_email, phone=record.privacy_phone),
        certifications=frozenset(record.certifications),
        certification_measures=record.certification_measures,
        contract_safeguards=record.contract_safeguards,
        notices=notices,
        retention_days=record.retention_days,
        data_countries=tuple(record.data_countries),
    )
