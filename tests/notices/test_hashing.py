"""A version's identity: stable under entry order, changed by any field."""

import json
from dataclasses import fields, replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from golden_files import assert_golden
from notice_factories import CONTROLLER, SMALL_ENTRIES, snapshot

from databorder.ledger.canonical import canonical_json
from databorder.model import DataItem, Ground, Purpose, RecipientRole
from databorder.notices import Controller, InvalidSnapshotError, NoticeEntry, Section, content_hash
from databorder.notices.hashing import canonical_snapshot


def test_the_small_registry_hash_is_pinned() -> None:
    assert_golden("small.sha256", content_hash(snapshot()).encode() + b"\n")


def test_the_hashed_bytes_are_canonical_json() -> None:
    data = canonical_snapshot(snapshot())
    assert canonical_json(json.loads(data)) == data


def test_the_hash_does_not_depend_on_the_order_entries_came_in() -> None:
    assert content_hash(snapshot(tuple(reversed(SMALL_ENTRIES)))) == content_hash(snapshot())


def test_the_hash_does_not_depend_on_the_order_of_items_or_purposes() -> None:
    first = SMALL_ENTRIES[1]
    shuffled = replace(
        first, items=tuple(reversed(first.items)), purposes=tuple(reversed(first.purposes))
    )
    entries = (shuffled, *SMALL_ENTRIES[:1], *SMALL_ENTRIES[2:])
    assert content_hash(snapshot(entries)) == content_hash(snapshot())


def test_the_same_instant_in_another_offset_is_the_same_version() -> None:
    seoul = snapshot().published_at.astimezone(ZoneInfo("Asia/Seoul"))
    assert content_hash(snapshot(published_at=seoul)) == content_hash(snapshot())


def test_every_field_of_every_entry_and_of_the_controller_is_hashed() -> None:
    document = json.loads(canonical_snapshot(snapshot()))
    names = {f.name for f in fields(NoticeEntry)}
    assert all(set(e) == names for e in document["entries"])
    assert set(document["controller"]) == {f.name for f in fields(Controller)}
    assert set(document) == {"controller", "entries", "format", "published_at", "version"}


# One valid variation per field of the first entry (a Chinese seller on consent abroad); the
# coupled fields change with it where the checks demand (a section needs its ground).
_VARIATIONS: dict[str, dict[str, Any]] = {
    "recipient_id": {"recipient_id": "s-cn-1b"},
    "name": {"name": "Shenzhen Example Trading Co., Ltd"},
    "country": {"country": "HK", "data_countries": ("HK",)},
    "data_countries": {"data_countries": ("CN", "HK")},
    "role": {"role": RecipientRole.CUSTOMS_BROKER},
    "email": {"email": "other@example.cn"},
    "phone": {"phone": None},
    "section": {
        "section": Section.PROVISION,
        "country": "KR",
        "data_countries": ("KR",),
        "article": "PIPA 17(1)1",
    },
    "ground": {"ground": Ground.CERTIFICATION, "article": "PIPA 28-8(1)4"},
    "article": {"article": "PIPA 28-8(1)5", "ground": Ground.ADEQUACY},
    "items": {"items": (DataItem.NAME,)},
    "purposes": {"purposes": (Purpose.SHIPPING, Purpose.CUSTOMER_SERVICE)},
    "retention_days": {"retention_days": 31},
}


@pytest.mark.parametrize("field", [f.name for f in fields(NoticeEntry)])
def test_changing_any_field_of_an_entry_changes_the_hash(field: str) -> None:
    entry = SMALL_ENTRIES[0]
    changed = replace(entry, **_VARIATIONS[field])
    assert getattr(changed, field) != getattr(entry, field)
    entries = (changed, *SMALL_ENTRIES[1:])
    assert content_hash(snapshot(entries)) != content_hash(snapshot())


@pytest.mark.parametrize("field", [f.name for f in fields(Controller)])
def test_changing_any_field_of_the_controller_changes_the_hash(field: str) -> None:
    controller = replace(CONTROLLER, **{field: getattr(CONTROLLER, field) + "x"})
    assert content_hash(snapshot(controller=controller)) != content_hash(snapshot())


def test_version_and_publication_are_part_of_the_identity() -> None:
    base = content_hash(snapshot())
    assert content_hash(snapshot(version="2026-12-01.2")) != base
    assert (
        content_hash(snapshot(published_at=snapshot().published_at + timedelta(seconds=1))) != base
    )


def test_a_snapshot_naming_a_recipient_twice_has_no_hash() -> None:
    with pytest.raises(
        InvalidSnapshotError, match="recipients named more than once: \\['s-cn-1'\\]"
    ):
        content_hash(snapshot((*SMALL_ENTRIES, SMALL_ENTRIES[0])))
