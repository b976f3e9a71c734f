"""The registry as the console shows and edits it: search, one recipient, its form, CSV problems.

The form's fields become the registry's own `RecipientIn`, so a recipient made in the console
is checked exactly like one made through the API or a CSV file; a field's problem is kept with
the field it belongs to and shown beside it. Pydantic's messages are English; the common kinds
of problem are given a message id here (`N_`), so the page says them in the reader's language,
and any other keeps its English text.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from databorder.errors import FieldProblem
from databorder.model import RecipientRole
from databorder.notices.store import notice_in_force, versions_naming
from databorder.registry.models import Recipient, RecipientApiKey
from databorder.registry.schemas import RecipientIn
from databorder.registry.services import to_out
from databorder.rights.models import RecipientWebhook
from databorder.web.errors import N_

PAGE_SIZE = 50
MAX_QUERY = 100
TEXT_FIELDS = (
    "id",
    "legal_name",
    "country",
    "privacy_email",
    "privacy_phone",
    "retention_days",
    "domestic_agent_name",
    "domestic_agent_email",
    "domestic_agent_phone",
)
LIST_FIELDS = ("certifications", "data_countries")
FLAG_FIELDS = ("contract_safeguards", "certification_measures")

# What the page says for the kinds of problem pydantic reports most; others keep their text.
_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This is too short."),
    "string_too_long": N_("This is too long."),
    "string_pattern_mismatch": N_("Use letters, digits, '.', '_' or '-' only."),
    "int_parsing": N_("Enter a whole number."),
    "greater_than_equal": N_("This number is too small."),
    "less_than_equal": N_("This number is too large."),
    "enum": N_("Choose one of the listed values."),
    "bool_parsing": N_("Enter yes or no."),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One field's problem: a message id to translate, or English text to show as it is."""

    field: str
    message: str
    translated: bool  # True: `message` is a msgid of the web catalogue
    row: int | None = None


@dataclass(frozen=True, slots=True)
class RegistryPage:
    rows: tuple[Recipient, ...]
    total: int
    page: int
    pages: int


def search(
    db: Session, q: str, country: str | None, role: RecipientRole | None, page: int
) -> RegistryPage:
    """Recipients whose id or legal name contains `q` (any case), by id, a page at a time."""
    where = []
    if q:
        needle = q.lower()
        where.append(
            or_(
                func.lower(Recipient.id).contains(needle, autoescape=True),
                func.lower(Recipient.legal_name).contains(needle, autoescape=True),
            )
        )
    if country:
        where.append(Recipient.country == country)
    if role is not None:
        where.append(Recipient.role == role)
    total = db.scalar(select(func.count()).select_from(Recipient).where(*where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.scalars(
        select(Recipient)
        .where(*where)
        .order_by(Recipient.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return RegistryPage(tuple(rows), total, page, pages)


@dataclass(frozen=True, slots=True)
class RecipientView:
    recipient: dict[str, Any]  # RecipientOut's fields
    created_at: datetime
    updated_at: datetime
    webhook_url: str | None
    webhook_updated_at: datetime | None
    live_keys: int
    in_force_names_it: bool | None  # None: no version is in force


def one(db: Session, recipient: Recipient, at: datetime) -> RecipientView:
    hook = db.get(RecipientWebhook, recipient.id)
    keys = db.scalar(
        select(func.count())
        .select_from(RecipientApiKey)
        .where(RecipientApiKey.recipient_id == recipient.id, RecipientApiKey.revoked_at.is_(None))
    )
    version = notice_in_force(db, at)
    named = (
        version in versions_naming(db, [recipient.id])[recipient.id]
        if version is not None
        else None
    )
    return RecipientView(
        recipient=to_out(recipient).model_dump(),
        created_at=recipient.created_at,
        updated_at=recipient.updated_at,
        webhook_url=hook.url if hook else None,
        webhook_updated_at=hook.updated_at if hook else None,
        live_keys=int(keys or 0),
        in_force_names_it=named,
    )


def _split(value: str) -> list[str]:
    return [
        part.strip()
        for part in value.replace(",", ";").replace("\n", ";").split(";")
        if part.strip()
    ]


def form_values(fields: Mapping[str, str], purposes: Sequence[str]) -> dict[str, Any]:
    """The form as the registry's schema reads it: empty text is absent, lists are split on
    ';' ',' or new lines, a checkbox is there or not."""
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        text = fields.get(name, "").strip()
        if text:
            values[name] = text
    if "country" in values:
        values["country"] = values["country"].upper()
    role = fields.get("role", "")
    if role:
        values["role"] = role
    for name in LIST_FIELDS:
        values[name] = _split(fields.get(name, ""))
    values["data_countries"] = [c.upper() for c in values["data_countries"]]
    for name in FLAG_FIELDS:
        # Absent is no; a value goes to the schema as sent ("yes"), so anything else is
        # refused beside its field rather than read as no (fail closed).
        values[name] = fields.get(name, False)
    values["purposes"] = list(purposes)
    return values


def validated(values: Mapping[str, Any]) -> RecipientIn | list[Problem]:
    try:
        return RecipientIn.model_validate(dict(values))
    except ValidationError as exc:
        return [_problem(e) for e in exc.errors()]


def _problem(error: Mapping[str, Any]) -> Problem:
    loc = [str(p) for p in error["loc"] if not isinstance(p, int)]
    field = loc[0] if loc else "(form)"
    kind = str(error["type"])
    if kind in _MESSAGES:
        return Problem(field, _MESSAGES[kind], translated=True)
    message = str(error["msg"]).removeprefix("Value error, ")
    return Problem(field, message, translated=False)


def by_field(problems: Sequence[Problem]) -> dict[str, list[Problem]]:
    """The problems grouped by the field they are shown beside."""
    grouped: dict[str, list[Problem]] = {}
    for p in problems:
        grouped.setdefault(p.field, []).append(p)
    return grouped


def from_field_problems(problems: Sequence[FieldProblem]) -> list[Problem]:
    """A service's problems (a CSV file's rows, a webhook's URL) as the page lists them."""
    return [Problem(p.field, p.reason, translated=False, row=p.row) for p in problems]


def purposes_of(form: Sequence[tuple[str, str]]) -> list[str]:
    """Every purpose ticked, as sent: an unknown one is the schema's to refuse, not dropped."""
    return [value for name, value in form if name == "purposes"]


def as_form(recipient: Mapping[str, Any]) -> dict[str, Any]:
    """A stored recipient as its edit form is filled in."""
    shown = {k: ("" if v is None else v) for k, v in recipient.items()}
    shown["certifications"] = "; ".join(recipient["certifications"])
    shown["data_countries"] = "; ".join(recipient["data_countries"])
    shown["retention_days"] = str(recipient["retention_days"])
    shown["role"] = str(recipient["role"])
    shown["purposes"] = [str(p) for p in recipient["purposes"]]
    return shown


def blank_form() -> dict[str, Any]:
    form: dict[str, Any] = dict.fromkeys(TEXT_FIELDS + LIST_FIELDS, "")
    form.update(role="", purposes=[], contract_safeguards=False, certification_measures=False)
    return form


def refill(fields: Mapping[str, str], purposes: Sequence[str]) -> dict[str, Any]:
    """The form as it was sent, to show again with its problems."""
    form = blank_form()
    form.update({k: fields.get(k, "") for k in (*TEXT_FIELDS, *LIST_FIELDS, "role")})
    form.update({k: fields.get(k) == "yes" for k in FLAG_FIELDS}, purposes=list(purposes))
    return form


__all__ = [
    "PAGE_SIZE",
    "Problem",
    "RecipientView",
    "RegistryPage",
    "as_form",
    "blank_form",
    "by_field",
    "form_values",
    "from_field_problems",
    "one",
    "purposes_of",
    "refill",
    "search",
    "validated",
]
