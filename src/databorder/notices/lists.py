"""The full list of a version's recipients as downloads: CSV for people, JSON for programs.

The guideline lets a long list live behind a link or a download, so these are the notice for
every recipient a table summarised: one row or object each, all of them, in the notice's order.
They carry codes, not words (`CN`, `seller`, `shipping`): the same bytes serve every language,
and a program can join them against the registry.

Written as text, one line per entry, with everything that repeats (a country, a list of items,
a ground) encoded once. Building a dict or tuple per entry instead costs more in the garbage
collector than in the encoder: 180,000 new containers on a heap already holding the snapshot
trigger full collections, which on this machine tripled the time. The tests pin that the text
is exactly what `csv.writer` and canonical `json.dumps` would have written.
"""

import json
from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, datetime
from typing import TypeVar

from databorder.model import DataItem, Purpose
from databorder.notices.layout import (
    DEFAULT_PAGE_LIMIT,
    Layout,
    lay_out,
    ordered_items,
    ordered_purposes,
)
from databorder.notices.types import NoticeEntry, NoticeSnapshot

COLUMNS: tuple[str, ...] = (
    "name",
    "country",
    "data_countries",
    "role",
    "email",
    "phone",
    "items",
    "purposes",
    "section",
    "ground",
    "article",
    "retention_days",
    "recipient_id",
    "version",
)
"""The CSV's header, in this order for good; JSON objects carry the same keys."""

LIST_SEPARATOR = ";"
"""Between the values of one CSV cell (data_countries, items, purposes)."""

_BOM = "\ufeff"  # without it Excel reads UTF-8 as the local code page and garbles Korean
_CRLF = "\r\n"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

json_string: Callable[[str], str] = json.encoder.encode_basestring
"""A str as a JSON string literal, UTF-8 kept (the C encoder json.dumps uses, ensure_ascii=False)."""

_K = TypeVar("_K", bound=Hashable)


def memo(build: Callable[[_K], str]) -> Callable[[_K], str]:
    """`build` cached for one rendering: a few dozen distinct values among 180,000 entries."""
    cache: dict[_K, str] = {}

    def get(key: _K) -> str:
        text = cache.get(key)
        if text is None:
            text = cache[key] = build(key)
        return text

    return get


def instant(value: datetime) -> str:
    """An instant as RFC 3339 in UTC: one spelling, whatever offset it was given in."""
    return value.astimezone(UTC).isoformat()


def _text_cell(text: str) -> str:
    """Free text as a cell a spreadsheet shows, never runs, then quoted as RFC 4180 asks.

    Names and emails come from recipients' own registrations; a name like `=HYPERLINK(...)`
    must not become a formula on the privacy officer's machine, so a leading = + - @ (or tab,
    CR) gets a quote first (OWASP's advice for CSV injection). Phones are E.164 and need
    neither: a leading + followed by digits is a number, not a formula.
    """
    return csv_field("'" + text if text.startswith(_FORMULA_STARTS) else text)


def csv_field(text: str) -> str:
    """RFC 4180: quoted (inner quotes doubled) when it holds a comma, a quote or a line break."""
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


def _csv_list(values: tuple[str, ...]) -> str:
    return csv_field(LIST_SEPARATOR.join(values))


def _csv_items(values: tuple[DataItem, ...]) -> str:
    return _csv_list(ordered_items(values))


def _csv_purposes(values: tuple[Purpose, ...]) -> str:
    return _csv_list(ordered_purposes(values))


def csv_from_layout(layout: Layout) -> bytes:
    version = _text_cell(layout.snapshot.version)
    joined = memo(_csv_list)
    items = memo(_csv_items)
    purposes = memo(_csv_purposes)
    lines = [(_BOM + ",".join(COLUMNS)).encode()]
    append = lines.append
    for table in layout.tables:
        # section, ground and article are codes without commas: one cell each, joined once.
        tail = ",".join(
            csv_field(v) for v in (table.section.value, table.ground.value, table.article)
        )
        for e in table.entries:
            append(
                f"{_text_cell(e.name)},{e.country},{joined(e.data_countries)},"
                f"{e.role.value},{_text_cell(e.email)},{e.phone or ''},"
                f"{items(e.items)},{purposes(e.purposes)},{tail},{e.retention_days},"
                f"{_text_cell(e.recipient_id)},{version}".encode()
            )
    lines.append(b"")
    return b"\r\n".join(lines)


def json_list(values: tuple[str, ...]) -> str:
    return "[" + ",".join(json_string(v) for v in values) + "]"


def _json_items(values: tuple[DataItem, ...]) -> str:
    return json_list(ordered_items(values))


def _json_purposes(values: tuple[Purpose, ...]) -> str:
    return json_list(ordered_purposes(values))


def json_objects(entries: Iterable[NoticeEntry], version: str | None) -> list[bytes]:
    """Each entry as a canonical JSON object (sorted keys), UTF-8; with "version" when given.

    Shared by the JSON download and the content hash, so both spell an entry the same way.
    """
    countries = memo(json_list)
    items = memo(_json_items)
    purposes = memo(_json_purposes)
    strings = memo(json_string)
    tail = f',"version":{json_string(version)}}}' if version is not None else "}"
    # Keys in sorted order: this is the canonical encoding, not merely a valid one.
    return [
        (
            f'{{"article":{strings(e.article)},"country":"{e.country}",'
            f'"data_countries":{countries(e.data_countries)},"email":{json_string(e.email)},'
            f'"ground":"{e.ground.value}","items":{items(e.items)},"name":{json_string(e.name)},'
            f'"phone":{json_string(e.phone) if e.phone is not None else "null"},'
            f'"purposes":{purposes(e.purposes)},"recipient_id":{json_string(e.recipient_id)},'
            f'"retention_days":{e.retention_days},"role":"{e.role.value}",'
            f'"section":"{e.section.value}"{tail}'
        ).encode()
        for e in entries
    ]


def json_from_layout(layout: Layout) -> bytes:
    """Canonical JSON (sorted keys, no spaces, UTF-8 as is), so the bytes can be hashed."""
    snapshot = layout.snapshot
    objects = json_objects(layout.entries(), snapshot.version)
    published = json_string(instant(snapshot.published_at))
    version = json_string(snapshot.version)
    return b"".join(
        (
            f'{{"count":{len(objects)},"published_at":{published},"recipients":['.encode(),
            b",".join(objects),
            f'],"version":{version}}}'.encode(),
        )
    )


def render_csv(snapshot: NoticeSnapshot) -> bytes:
    """Every recipient, one row each: UTF-8 with a BOM (Excel), RFC 4180 quoting, CRLF."""
    return csv_from_layout(lay_out(snapshot, DEFAULT_PAGE_LIMIT))


def render_json(snapshot: NoticeSnapshot) -> bytes:
    """Every recipient, one object each, under the version and its publication instant."""
    return json_from_layout(lay_out(snapshot, DEFAULT_PAGE_LIMIT))


__all__ = [
    "COLUMNS",
    "LIST_SEPARATOR",
    "csv_field",
    "csv_from_layout",
    "instant",
    "json_from_layout",
    "json_list",
    "json_objects",
    "json_string",
    "memo",
    "render_csv",
    "render_json",
]
