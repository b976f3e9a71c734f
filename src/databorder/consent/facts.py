"""A consent as the policy engine sees it, built in one place from any record of one.

The stored row (`consent.models.Consent`), the decision contract's JSON (`policy.codec`) and the
synthetic world's `ConsentSpec` name a consent's terms alike, so one builder serves all three
and they cannot drift apart. Pure: no database, no clock.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from databorder.model import ConsentKind, DataItem, Purpose
from databorder.policy.types import ConsentFacts

# Stored values (or members: a StrEnum member hashes as its value) to members by dict lookup:
# Enum(value) is slow on the disclosure hot path, where every consent of a buyer is built.
_KINDS: dict[str, ConsentKind] = {k.value: k for k in ConsentKind}
_ITEMS: dict[str, DataItem] = {i.value: i for i in DataItem}
_PURPOSES: dict[str, Purpose] = {p.value: p for p in Purpose}


class ConsentRecord(Protocol):
    """What `consent_facts` reads: a consent's terms, enums as members or stored values."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def notice_version(self) -> str: ...
    @property
    def recipients(self) -> Iterable[str]: ...
    @property
    def countries(self) -> Iterable[str]: ...
    @property
    def items(self) -> Iterable[str]: ...
    @property
    def purposes(self) -> Iterable[str]: ...
    @property
    def given_at(self) -> datetime: ...
    @property
    def withdrawn_at(self) -> datetime | None: ...


def consent_facts(record: ConsentRecord) -> ConsentFacts:
    return ConsentFacts(
        id=record.id,
        kind=_KINDS[record.kind],
        notice_version=record.notice_version,
        recipients=frozenset(record.recipients),
        countries=frozenset(record.countries),
        items=frozenset(_ITEMS[i] for i in record.items),
        purposes=frozenset(_PURPOSES[p] for p in record.purposes),
        given_at=record.given_at,
        withdrawn_at=record.withdrawn_at,
    )
