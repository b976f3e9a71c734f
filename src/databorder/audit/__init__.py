"""The compliance audit: checks as data, each citing its article, run on any engine.

- `checks.py`: the checks (id, article, severity, Korean and English titles, one query each);
- `relations.py`: the relations the checks read, described once (tables, JSON links, the
  log's own), and `params.py`: what they take from the rule pack;
- `render.py`: the statement an engine runs for a check (pure);
- `run.py`: checks on a source, rows to findings, the report;
- `sources.py`: the live database (SQLite, PostgreSQL) or DuckDB over a Parquet export;
- `export.py`: `databorder export parquet`;
- `types.py`: findings and reports as plain values with `to_json`;
- `exposure.py`, `pack.py`, `html.py`: the evidence pack (pure); `service.py`: audit runs;
  `models.py`: their table.

The names below load on first use (PEP 562): importing `databorder.audit.models` (every
migration does) must not load DuckDB and pyarrow.

See docs/audit.md.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from databorder.audit.checks import CHECKS, REGISTRY
    from databorder.audit.export import ExportReport, export_parquet
    from databorder.audit.params import AuditParams, params_from_pack
    from databorder.audit.run import run_audit, statement
    from databorder.audit.sources import LiveSource, ParquetSource, Source, snapshot
    from databorder.audit.types import (
        AuditReport,
        Check,
        CheckResult,
        Finding,
        RecordRef,
        Severity,
        Window,
    )

_WHERE = {
    "CHECKS": "checks",
    "REGISTRY": "checks",
    "ExportReport": "export",
    "export_parquet": "export",
    "AuditParams": "params",
    "params_from_pack": "params",
    "run_audit": "run",
    "statement": "run",
    "LiveSource": "sources",
    "ParquetSource": "sources",
    "Source": "sources",
    "snapshot": "sources",
    "AuditReport": "types",
    "Check": "types",
    "CheckResult": "types",
    "Finding": "types",
    "RecordRef": "types",
    "Severity": "types",
    "Window": "types",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"databorder.audit.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'databorder.audit' has no attribute {name!r}")


__all__ = [
    "CHECKS",
    "REGISTRY",
    "AuditParams",
    "AuditReport",
    "Check",
    "CheckResult",
    "ExportReport",
    "Finding",
    "LiveSource",
    "ParquetSource",
    "RecordRef",
    "Severity",
    "Source",
    "Window",
    "export_parquet",
    "params_from_pack",
    "run_audit",
    "snapshot",
    "statement",
]
