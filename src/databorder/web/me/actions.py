"""The buyer's actions, each one call into the rights engine with the session's buyer.

The engine (`databorder.rights.RightsRequests`) makes every action a tracked request with a
tracking number and a legal deadline, and tells each recipient concerned; it takes the buyer's
id from here, which takes it from the signed-in session, so a buyer can only act on their own
data (another buyer's consent or request answers 404, like one that does not exist).
"""

import csv
import io
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from databorder.model import DataItem
from databorder.rights import Receipt, RightsRequests
from databorder.vault.service import Vault


def engine(session: Session, vault: Vault, deadline_days: int) -> RightsRequests:
    return RightsRequests(session, vault, deadline_days)


def current_values(
    session: Session, vault: Vault, buyer_id: str, items: frozenset[DataItem]
) -> dict[str, str]:
    """The buyer's present values of the correctable items, to fill the correction form."""
    found = vault.get(session, buyer_id, sorted(items))
    return {item.value: value for item, value in found.items()}


def correct(
    rights: RightsRequests, buyer_id: str, fields: Mapping[str, str], at: datetime
) -> Receipt:
    """The items whose value changed, as a correction request (InvalidInput names each wrong
    field as `changes.<item>`). Fields left as they were are not "corrections"."""
    changes = {DataItem(k): v for k, v in fields.items()}
    return rights.correct(buyer_id, changes, at)


# --- the export as CSV ------------------------------------------------------------------------

CSV_HEADER = ("section", "row", "field", "value")


def _flatten(prefix: str, value: Any) -> Iterator[tuple[str, str]]:
    """Nested JSON values as (dotted field, text) pairs: every leaf, lists by position."""
    if isinstance(value, Mapping):
        for key in value:
            yield from _flatten(f"{prefix}.{key}" if prefix else str(key), value[key])
    elif isinstance(value, list):
        if not value:
            yield prefix, ""
        for n, element in enumerate(value):
            yield from _flatten(f"{prefix}[{n}]", element)
    elif value is None:
        yield prefix, ""
    elif isinstance(value, bool):
        yield prefix, "true" if value else "false"
    else:
        yield prefix, str(value)


def export_csv(document: Mapping[str, Any]) -> bytes:
    """The export as one long table (section, row, field, value), UTF-8 with a BOM so that a
    spreadsheet opens the Korean text as Korean. Same content as the JSON, nothing left out."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for section, value in document.items():
        if isinstance(value, list):
            for n, row in enumerate(value, start=1):
                for field, text in _flatten("", row):
                    writer.writerow((section, n, field, text))
        elif isinstance(value, Mapping):
            for field, text in _flatten("", value):
                writer.writerow((section, "", field, text))
        else:
            writer.writerow((section, "", "", "" if value is None else value))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


__all__ = ["CSV_HEADER", "correct", "current_values", "engine", "export_csv"]
