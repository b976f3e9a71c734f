"""Running the checks on a source: the statement per check, its rows as findings, the report.

The engine is a seam (`sources.Source`): the same check text, the same pack parameters and
the same shared relations go to SQLite, PostgreSQL or DuckDB; only the relations the engine
builds itself differ. Rows become findings here, once, so every engine's findings compare
equal (a test runs a generated world through the live database and its export).
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from databorder.audit.checks import CHECKS, SHARED
from databorder.audit.params import AuditParams
from databorder.audit.render import assemble
from databorder.audit.sources import Row, Source
from databorder.audit.types import AuditReport, Check, CheckResult, Finding, RecordRef, Window

# An open window's bounds: before and after anything the service records (model/time.py
# accepts 2000 to 2100), bound like any instant.
OPEN_START = datetime(1970, 1, 1, tzinfo=UTC)
OPEN_END = datetime(9999, 1, 1, tzinfo=UTC)


def definitions(source: Source, params: AuditParams) -> dict[str, str]:
    """Every relation a check may need in front of it, by name."""
    return {
        **source.definitions(),
        **{r.name: r.cte() for r in params.relations()},
        **SHARED,
    }


def statement(check: Check, source: Source, params: AuditParams) -> str:
    """The text `source` runs for `check` (also what an auditor reads to see what ran)."""
    return assemble(check.sql, definitions(source, params))


def bindings(params: AuditParams, window: Window, as_of: datetime) -> dict[str, Any]:
    if as_of.tzinfo is None:
        raise ValueError(f"as_of must carry a UTC offset, got {as_of.isoformat()}")
    return {
        **params.scalars(),
        "window_start": window.start or OPEN_START,
        "window_end": window.end or OPEN_END,
        "as_of": as_of,
    }


def finding(check: str, row: Row) -> Finding:
    record_kind, record, related_kind, related, leaf_index, at, note = row
    records = [RecordRef(str(record_kind), "" if record is None else str(record))]
    if related is not None and related_kind is not None:
        records.append(RecordRef(str(related_kind), str(related)))
    return Finding(
        check=check,
        records=tuple(records),
        leaf_indexes=() if leaf_index is None else (int(leaf_index),),
        at=at.astimezone(UTC) if isinstance(at, datetime) else None,
        note=None if note is None else str(note),
    )


def findings(check: str, rows: Iterable[Row]) -> tuple[Finding, ...]:
    """One finding per distinct row, in a stable order whatever order the engine returned."""
    unique = dict.fromkeys(finding(check, row) for row in rows)
    return tuple(sorted(unique, key=Finding.sort_key))


def run_audit(
    source: Source,
    params: AuditParams,
    as_of: datetime,
    window: Window | None = None,
    checks: Sequence[Check] = CHECKS,
) -> AuditReport:
    """Every check on `source`, judged at `as_of` over the events in `window`."""
    window = window or Window()
    values = bindings(params, window, as_of)
    relations: Mapping[str, str] = definitions(source, params)
    results = tuple(
        CheckResult(check, findings(check.id, source.fetch(assemble(check.sql, relations), values)))
        for check in checks
    )
    return AuditReport(
        engine=source.engine,
        as_of=as_of.astimezone(UTC),
        window=window,
        pack=params.pack,
        pack_version=params.pack_version,
        results=results,
    )
