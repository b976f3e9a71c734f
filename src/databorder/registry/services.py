"""Registry operations: create, update, list, import from CSV, API keys.

Every write validates first and writes after, inside the caller's transaction, so a bad row
leaves the registry exactly as it was. An update is validated as the whole merged record, so a
change cannot produce a recipient that `create` would have refused.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from databorder.auth.tokens import (
    API_KEY_PREFIX,
    RECIPIENT_CREDENTIALS,
    SHOWN_CHARS,
    hash_secret,
    new_secret,
    presented,
)
from databorder.errors import (
    Conflict,
    FieldProblem,
    InvalidInput,
    NotFound,
    Unauthorized,
    problems_from_pydantic,
)
from databorder.registry.models import Recipient, RecipientApiKey
from databorder.registry.schemas import RecipientIn, RecipientOut, RecipientUpdate

CSV_COLUMNS = (
    "id",
    "legal_name",
    "country",
    "role",
    "privacy_email",
    "privacy_phone",
    "certifications",
    "certification_measures",
    "contract_safeguards",
    "retention_days",
    "data_countries",
    "purposes",
    "domestic_agent_name",
    "domestic_agent_email",
    "domestic_agent_phone",
)
_REQUIRED_COLUMNS = frozenset(
    {
        "id",
        "legal_name",
        "country",
        "role",
        "privacy_email",
        "contract_safeguards",
        "retention_days",
    }
)
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


def _fields(data: RecipientIn) -> dict[str, Any]:
    return data.model_dump()


def to_out(row: Recipient) -> RecipientOut:
    return RecipientOut(**{name: getattr(row, name) for name in RecipientOut.model_fields})


class RegistryService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, recipient_id: str) -> Recipient:
        row = self.session.get(Recipient, recipient_id)
        if row is None:
            raise NotFound("recipient", recipient_id)
        return row

    def list(self, country: str | None = None, role: str | None = None) -> Sequence[Recipient]:
        query = select(Recipient).order_by(Recipient.id)
        if country:
            query = query.where(Recipient.country == country.upper())
        if role:
            query = query.where(Recipient.role == role)
        return self.session.scalars(query).all()

    def create(self, data: RecipientIn, at: datetime) -> Recipient:
        if self.session.get(Recipient, data.id) is not None:
            raise Conflict(f"recipient {data.id!r} exists already; use update")
        row = Recipient(**_fields(data), created_at=at, updated_at=at)
        self.session.add(row)
        self.session.flush()
        return row

    def update(self, recipient_id: str, changes: RecipientUpdate, at: datetime) -> Recipient:
        row = self.get(recipient_id)
        merged = to_out(row).model_dump() | changes.model_dump(exclude_unset=True)
        try:
            checked = RecipientIn.model_validate(merged)
        except ValidationError as exc:
            raise InvalidInput.from_pydantic(exc) from exc
        for name, value in _fields(checked).items():
            setattr(row, name, value)
        row.updated_at = at
        self.session.flush()
        return row

    def import_csv(self, text: str, at: datetime) -> tuple[int, int]:
        """Validate every row, then upsert all or none. Returns (created, updated)."""
        records = parse_csv(text)
        existing = {
            r.id: r
            for r in self.session.scalars(
                select(Recipient).where(Recipient.id.in_([r.id for r in records]))
            )
        }
        created = updated = 0
        for record in records:
            row = existing.get(record.id)
            if row is None:
                self.session.add(Recipient(**_fields(record), created_at=at, updated_at=at))
                created += 1
            else:
                for name, value in _fields(record).items():
                    setattr(row, name, value)
                row.updated_at = at
                updated += 1
        self.session.flush()
        return created, updated

    def issue_api_key(self, recipient_id: str, at: datetime) -> str:
        """A new key for the recipient; the plaintext is returned once and never stored."""
        self.get(recipient_id)
        key = new_secret(API_KEY_PREFIX)
        self.session.add(
            RecipientApiKey(
                key_hash=hash_secret(key),
                recipient_id=recipient_id,
                prefix=key[:SHOWN_CHARS],
                created_at=at,
                revoked_at=None,
            )
        )
        self.session.flush()
        return key

    def revoke_api_key(self, recipient_id: str, prefix: str, at: datetime) -> int:
        """Revoke the recipient's live key(s) with this 12-character prefix (shown in listings)."""
        self.get(recipient_id)
        if len(prefix) < len(API_KEY_PREFIX) + 4:
            raise InvalidInput.one("prefix", "give at least the first 8 characters of the key")
        keys = self.session.scalars(
            select(RecipientApiKey).where(
                RecipientApiKey.recipient_id == recipient_id, RecipientApiKey.revoked_at.is_(None)
            )
        )
        revoked = 0
        for key in keys:
            if key.prefix.startswith(prefix[: len(key.prefix)]) and prefix.startswith(
                key.prefix[: len(prefix)]
            ):
                key.revoked_at = at
                revoked += 1
        if not revoked:
            raise NotFound("API key", prefix)
        self.session.flush()
        return revoked

    def authenticate(self, key: str | None) -> Recipient:
        row = self.session.get(RecipientApiKey, hash_secret(presented(key, RECIPIENT_CREDENTIALS)))
        if row is None or row.revoked_at is not None:
            raise Unauthorized("unknown or revoked API key")
        return row.recipient


def _cell_to_value(column: str, cell: str) -> Any:
    cell = cell.strip()
    if column in {"contract_safeguards", "certification_measures"}:
        lowered = cell.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        return cell  # let the schema report it as not a boolean
    if column in {"certifications", "data_countries", "purposes"}:
        return [c.strip() for c in cell.split(";") if c.strip()]
    return cell or None


def parse_csv(text: str) -> list[RecipientIn]:
    """Parse and validate a recipients CSV; raise InvalidInput naming every bad row and field."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    problems: list[FieldProblem] = []
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if "disclosed_in_notice" in unknown:
        problems.append(
            FieldProblem(
                "disclosed_in_notice",
                "column removed: a recipient is disclosed once a published notice version "
                "names it (databorder notices publish)",
            )
        )
        unknown.remove("disclosed_in_notice")
    missing = sorted(_REQUIRED_COLUMNS - set(header))
    if unknown:
        problems.append(
            FieldProblem("header", f"unknown column(s) {unknown}; expected {list(CSV_COLUMNS)}")
        )
    if missing:
        problems.append(FieldProblem("header", f"missing column(s) {missing}"))
    if problems:
        raise InvalidInput(problems)
    records: list[RecipientIn] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=1):
        values = {k.strip(): _cell_to_value(k.strip(), v or "") for k, v in raw.items() if k}
        if None in raw:
            problems.append(FieldProblem("(row)", "more cells than columns", number))
            continue
        try:
            record = RecipientIn.model_validate({k: v for k, v in values.items() if v is not None})
        except ValidationError as exc:
            problems.extend(problems_from_pydantic(exc, number))
            continue
        if record.id in seen:
            problems.append(FieldProblem("id", f"duplicate of row {seen[record.id]}", number))
            continue
        seen[record.id] = number
        records.append(record)
    if problems:
        raise InvalidInput(problems)
    if not records:
        raise InvalidInput([FieldProblem("(file)", "no data rows")])
    return records


def rows_to_csv(rows: Iterable[Recipient]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        data = to_out(row).model_dump()
        for column in ("certifications", "data_countries", "purposes"):
            data[column] = ";".join(str(v) for v in data[column])
        writer.writerow(data)
    return out.getvalue()
