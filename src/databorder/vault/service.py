"""The vault: put, read and shred a buyer's personal data inside the caller's transaction."""

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from databorder.errors import Gone, NotFound
from databorder.model import DataItem
from databorder.model.contact import normalise_email, normalise_phone
from databorder.policy import load_pack
from databorder.vault.crypto import (
    blind_digest,
    item_context,
    key_context,
    new_data_key,
    open_sealed,
    seal,
)
from databorder.vault.keys import KeyProvider
from databorder.vault.models import BlindIndex, SealedItem, SubjectKey


class ShreddedError(Gone):
    """The buyer's data key was destroyed: their data no longer exists in readable form."""

    def __init__(self, subject_id: str) -> None:
        super().__init__(f"buyer {subject_id!r} was erased; their data key is destroyed", "erased")
        self.subject_id = subject_id


# The marketplace's numbering plan for local phone numbers: the home of the law it runs under.
_HOME = load_pack().home_country

# Items that can be looked up by exact value, and how each is normalised first.
BLIND_ITEMS: dict[DataItem, Callable[[str], str]] = {
    DataItem.PHONE: lambda v: normalise_phone(v, _HOME),
    DataItem.EMAIL: lambda v: normalise_email(v).lower(),
}


def sealed_rows(
    data_key: bytes,
    blind_key: bytes,
    subject_id: str,
    values: Mapping[DataItem, str],
    *,
    normalised: Mapping[DataItem, str] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The vault_items and vault_blind_index rows for one buyer's values, as plain dicts.

    One definition of how a value is stored (sealed under the buyer's key, bound to buyer and
    item; phone and email also as a keyed digest), for the vault and the bulk loader alike.
    `normalised` gives the blind-index form of the searchable items when the caller already
    holds it (the bulk loader's generated phones are E.164 already); each is otherwise
    normalised here, which costs the loader most of its time at millions of buyers.
    """
    sealed: list[dict[str, Any]] = []
    blind: list[dict[str, Any]] = []
    for item, value in values.items():
        sealed.append(
            {
                "subject_id": subject_id,
                "item": item,
                "sealed": seal(data_key, value.encode(), item_context(subject_id, item.value)),
            }
        )
        normalise = BLIND_ITEMS.get(item)
        if normalise is not None:
            given = None if normalised is None else normalised.get(item)
            blind.append(
                {
                    "subject_id": subject_id,
                    "item": item,
                    "digest": blind_digest(
                        blind_key, item.value, normalise(value) if given is None else given
                    ),
                }
            )
    return sealed, blind


class Vault:
    def __init__(self, provider: KeyProvider, blind_key: bytes) -> None:
        self._provider = provider
        self._blind_key = blind_key

    def _data_key(self, session: Session, subject_id: str) -> bytes:
        row = session.get(SubjectKey, subject_id)
        if row is None:  # nothing of theirs was ever stored, so there is nothing to read
            raise NotFound("vault entry of buyer", subject_id)
        if row.wrapped_key is None:
            raise ShreddedError(subject_id)
        return self._provider.unwrap(row.wrapped_key, key_context(subject_id), row.master_key_id)

    def _data_key_or_new(self, session: Session, subject_id: str, at: datetime) -> bytes:
        if session.get(SubjectKey, subject_id) is None:
            key = new_data_key()
            session.add(
                SubjectKey(
                    subject_id=subject_id,
                    wrapped_key=self._provider.wrap(key, key_context(subject_id)),
                    master_key_id=self._provider.key_id,
                    created_at=at,
                    shredded_at=None,
                )
            )
            return key
        return self._data_key(session, subject_id)

    def put(
        self, session: Session, subject_id: str, values: Mapping[DataItem, str], at: datetime
    ) -> None:
        key = self._data_key_or_new(session, subject_id, at)
        sealed, blind = sealed_rows(key, self._blind_key, subject_id, values)
        for row in sealed:
            session.merge(SealedItem(**row))
        for row in blind:
            session.merge(BlindIndex(**row))

    def get(
        self, session: Session, subject_id: str, items: Iterable[DataItem]
    ) -> dict[DataItem, str]:
        """The requested items that exist, decrypted; missing items are simply absent."""
        wanted = list(items)
        if not wanted:
            return {}
        key = self._data_key(session, subject_id)
        rows = session.scalars(
            select(SealedItem).where(
                SealedItem.subject_id == subject_id, SealedItem.item.in_(wanted)
            )
        )
        return {
            row.item: open_sealed(
                key, row.sealed, item_context(subject_id, row.item.value)
            ).decode()
            for row in rows
        }

    def find(self, session: Session, item: DataItem, value: str) -> list[str]:
        """Buyers whose `item` equals `value` exactly (after normalising), e.g. for support."""
        normalise = BLIND_ITEMS.get(item)
        if normalise is None:
            raise ValueError(
                f"{item.value} has no blind index; searchable: "
                f"{sorted(i.value for i in BLIND_ITEMS)}"
            )
        digest = blind_digest(self._blind_key, item.value, normalise(value))
        return list(
            session.scalars(
                select(BlindIndex.subject_id)
                .where(BlindIndex.item == item, BlindIndex.digest == digest)
                .order_by(BlindIndex.subject_id)
            )
        )

    def seal_text(
        self, session: Session, subject_id: str, label: str, text: str, at: datetime
    ) -> bytes:
        """Seal a free value that lives outside the vault's rows (e.g. an order's contents)."""
        key = self._data_key_or_new(session, subject_id, at)
        return seal(key, text.encode(), item_context(subject_id, label))

    def open_text(self, session: Session, subject_id: str, label: str, sealed: bytes) -> str:
        key = self._data_key(session, subject_id)
        return open_sealed(key, sealed, item_context(subject_id, label)).decode()

    def shred(self, session: Session, subject_id: str, at: datetime) -> bool:
        """Destroy the data key and the sealed rows; True if there was anything to destroy."""
        row = session.get(SubjectKey, subject_id)
        if row is None or row.wrapped_key is None:
            return False
        row.wrapped_key = None
        row.shredded_at = at
        session.execute(delete(SealedItem).where(SealedItem.subject_id == subject_id))
        session.execute(delete(BlindIndex).where(BlindIndex.subject_id == subject_id))
        return True

    def rewrap_all(self, session: Session, batch: int = 1000) -> int:
        """Re-wrap every live data key under the current master key; returns how many moved.

        The sealed values are untouched: only the small wrapped keys change, so rotating the
        master key costs one row per buyer, not one per value.
        """
        current = self._provider.key_id
        moved = 0
        while True:
            rows = session.scalars(
                select(SubjectKey)
                .where(SubjectKey.master_key_id != current, SubjectKey.wrapped_key.is_not(None))
                .limit(batch)
            ).all()
            if not rows:
                return moved
            for row in rows:
                assert row.wrapped_key is not None  # noqa: S101 (filtered in the query)
                context = key_context(row.subject_id)
                key = self._provider.unwrap(row.wrapped_key, context, row.master_key_id)
                row.wrapped_key = self._provider.wrap(key, context)
                row.master_key_id = current
            session.flush()
            moved += len(rows)
