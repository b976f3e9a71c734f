"""The audit's values: checks, findings, results, the report. Pure, frozen, JSON-ready.

A finding is a plain value that says which check found what, naming the records (by kind and
id, never a personal value) and the log leaf indexes that show it, so later slices (the
evidence pack's inclusion proofs, the console, the exposure estimate) read findings without
knowing how they were found.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a finding is for the privacy officer: what to fix first."""

    CRITICAL = "critical"  # the record itself cannot be trusted (the log)
    HIGH = "high"  # personal data went out unlawfully, or a buyer's right was not honoured
    MEDIUM = "medium"  # a duty was missed without data going out unlawfully
    LOW = "low"


@dataclass(frozen=True, slots=True)
class Check:
    """One rule of the audit: what it finds, the article behind it, and its query.

    `sql` selects the finding columns (`FINDING_COLUMNS`) from the audit relations
    (`audit/relations.py`); the same text runs on every engine.
    """

    id: str
    article: str
    severity: Severity
    title: Mapping[str, str]  # {"ko": ..., "en": ...}
    finds: str  # one English sentence: what a finding means (docs/audit.md)
    sql: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "article": self.article,
            "severity": self.severity.value,
            "title": dict(self.title),
        }


# What every check's query selects, in this order.
FINDING_COLUMNS = (
    "record_kind",  # the record the finding is about: disclosure, access_grant, ...
    "record",  # its id
    "related_kind",  # a second record or value that shows it (a consent, an item), or NULL
    "related",
    "leaf_index",  # the log leaf that records it, or NULL
    "at",  # when it happened (decided, read, due), or NULL
    "note",  # a short code saying which way the rule was broken
)


@dataclass(frozen=True, slots=True)
class RecordRef:
    kind: str
    id: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    records: tuple[RecordRef, ...]  # the record first, then what shows it
    leaf_indexes: tuple[int, ...]
    at: datetime | None
    note: str | None

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.check,
            tuple((r.kind, r.id) for r in self.records),
            self.leaf_indexes,
            self.note or "",
            self.at.isoformat() if self.at else "",
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "records": [{"kind": r.kind, "id": r.id} for r in self.records],
            "leaf_indexes": list(self.leaf_indexes),
            "at": self.at.isoformat() if self.at else None,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: Check
    findings: tuple[Finding, ...]

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def first_leaf_index(self) -> int | None:
        """The earliest log leaf a finding cites: for the log's own checks, the first bad index."""
        return min((i for f in self.findings for i in f.leaf_indexes), default=None)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.check.to_json(),
            "count": self.count,
            "first_leaf_index": self.first_leaf_index,
            "findings": [f.to_json() for f in self.findings],
        }


@dataclass(frozen=True, slots=True)
class Window:
    """Which events the audit looks at: `start` inclusive, `end` exclusive; None is open."""

    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"window {name} must carry a UTC offset, got {value.isoformat()}")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError(
                f"window end {self.end.isoformat()} must be after its start {self.start.isoformat()}"
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }


@dataclass(frozen=True, slots=True)
class AuditReport:
    engine: str  # sqlite, postgresql or duckdb
    as_of: datetime  # deadlines and retention are judged at this instant
    window: Window
    pack: str
    pack_version: str
    results: tuple[CheckResult, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for r in self.results for f in r.findings)

    @property
    def clean(self) -> bool:
        return not any(r.findings for r in self.results)

    def to_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "as_of": self.as_of.isoformat(),
            "window": self.window.to_json(),
            "pack": self.pack,
            "pack_version": self.pack_version,
            "clean": self.clean,
            "checks": [r.to_json() for r in self.results],
        }
