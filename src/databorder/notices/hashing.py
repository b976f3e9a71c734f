"""A version's identity: the SHA-256 of its snapshot in canonical JSON.

A consent records the version it was given against and this hash, so the text a buyer saw can
be proved later: the archive renders again from the stored snapshot and must hash the same.
The hash is over the snapshot, not over a rendering, so a better template never changes what
a version is. Entries are sorted by id first: the order a registry query returned them in is
not part of what the notice says; items and purposes are sets and are written in the
vocabulary's order.

The bytes are canonical JSON as `databorder.ledger.canonical` defines it (sorted keys, no
spaces, UTF-8 as is), written entry by entry with the JSON download's writer for speed (see
`lists`); a test pins them against `canonical_json`.
"""

import hashlib
import json
from operator import attrgetter

from databorder.notices.layout import check
from databorder.notices.lists import instant, json_objects
from databorder.notices.types import NoticeSnapshot

HASH_FORMAT = "databorder.notice.v1"
"""Part of the hashed bytes, so a change to what is hashed can never collide with an old hash."""

_BY_ID = attrgetter("recipient_id")


def canonical_snapshot(snapshot: NoticeSnapshot) -> bytes:
    """Every field of the snapshot, entries sorted by id, as canonical JSON.

    InvalidSnapshotError for a snapshot no notice could be rendered from: with two entries of
    one id, the order (and so the hash) would depend on the input order.
    """
    check(snapshot)
    controller = snapshot.controller
    head = json.dumps(
        {
            "base_url": controller.base_url,
            "name": controller.name,
            "officer_email": controller.officer_email,
            "officer_name": controller.officer_name,
            "officer_phone": controller.officer_phone,
            "privacy_center_url": controller.privacy_center_url,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    tail = json.dumps(
        {
            "format": HASH_FORMAT,
            "published_at": instant(snapshot.published_at),
            "version": snapshot.version,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    entries = json_objects(sorted(snapshot.entries, key=_BY_ID), version=None)
    # {"controller":…,"entries":[…],"format":…,"published_at":…,"version":…}: sorted keys.
    return b"".join(
        (
            f'{{"controller":{head},"entries":['.encode(),
            b",".join(entries),
            f"],{tail[1:]}".encode(),
        )
    )


def content_hash(snapshot: NoticeSnapshot) -> str:
    """Lower-case hex SHA-256 of `canonical_snapshot`."""
    return hashlib.sha256(canonical_snapshot(snapshot)).hexdigest()


__all__ = ["HASH_FORMAT", "canonical_snapshot", "content_hash"]
