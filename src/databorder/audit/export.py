"""`databorder export parquet`: the audit relations as Parquet files, streamed in chunks.

Each live table is read once, in chunks of `CHUNK` rows on a server-side cursor (PostgreSQL)
or by `fetchmany` (SQLite), inside one snapshot (`sources.snapshot`), and written as it comes
with pyarrow: the table's columns to `<table>.parquet`, its JSON columns flattened to
`<link>.parquet` (`relations.LINKS`), the log's leaves to `log_leaf_records.parquet` and what
the ledger's verification found to `log_problems.parquet`. Memory holds one chunk at a time,
whatever the size of the database. `manifest.json` is written last: its presence says the
export is complete, and it records when the snapshot was taken (the instant a DuckDB audit
of it is judged at), the row counts and the log's size.
"""

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, func, select
from sqlalchemy import Table as SqlTable

from databorder.audit.relations import (
    EXPORTED,
    LEAF_RECORDS,
    LOG_PROBLEMS,
    TABLES,
    Column,
    Kind,
    Link,
    Shape,
    Table,
    links_of,
)
from databorder.audit.sources import (
    CHUNK,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    leaf_record_rows,
    problems_rows,
    verify,
)
from databorder.errors import InvalidInput
from databorder.ledger.log import StoredLog
from databorder.store.base import Base
from databorder.store.migrations import all_models  # noqa: F401 (every table in the metadata)

_ARROW = {
    Kind.TEXT: pa.string(),
    Kind.INT: pa.int64(),
    Kind.BOOL: pa.bool_(),
    Kind.INSTANT: pa.timestamp("us", tz="UTC"),
}


class Progress(Protocol):
    """What the export reports as it goes; the CLI draws it with Rich."""

    def start(self, what: str, total: int | None) -> None: ...

    def advance(self, what: str, rows: int) -> None: ...


class _Silent:
    def start(self, what: str, total: int | None) -> None:
        pass

    def advance(self, what: str, rows: int) -> None:
        pass


@dataclass(frozen=True, slots=True)
class ExportReport:
    directory: Path
    exported_at: datetime
    rows: Mapping[str, int]
    tree_size: int
    log_problems: int

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "exported_at": self.exported_at.isoformat(),
            "log": {"tree_size": self.tree_size, "problems": self.log_problems},
            "relations": {
                name: {"file": f"{name}.parquet", "rows": n} for name, n in self.rows.items()
            },
        }


def _schema(columns: Sequence[Column]) -> pa.Schema:
    return pa.schema([pa.field(c.name, _ARROW[c.kind]) for c in columns])


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _text(value: Any) -> str | None:
    return None if value is None else str(_plain(value))


class _Writer:
    """One relation's Parquet file, written a chunk (one row group) at a time."""

    def __init__(self, path: Path, columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)
        self.rows = 0
        self._schema = _schema(self.columns)
        self._writer = pq.ParquetWriter(path, self._schema, compression="zstd")

    def write(self, records: Sequence[Mapping[str, Any]]) -> None:
        if not records:
            return
        arrays = [
            pa.array([_plain(r[c.name]) for r in records], type=_ARROW[c.kind])
            for c in self.columns
        ]
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
        self.rows += len(records)

    def close(self) -> None:
        self._writer.close()


def _flatten(link: Link, row: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The link's rows for one source row: exactly what `render.link_sql` selects live."""
    keys = {out: _text(row[source]) for source, out in link.keys}
    value = row[link.json_column]
    if link.shape is Shape.ARRAY:
        for element in value or ():
            yield {**keys, link.out[0]: _text(element)}
    elif link.shape is Shape.OBJECT:
        for key, element in (value or {}).items():
            yield {**keys, link.out[0]: str(key), link.out[1]: _text(element)}
    else:
        for element in value or ():
            yield {**keys, **{f: _text(element.get(f)) for f in link.out}}


def _check_directory(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InvalidInput.one(
            "out", f"{directory} exists and is not an empty directory; give a new or empty one"
        )


def _count(connection: Connection, source: SqlTable) -> int:
    return int(connection.execute(select(func.count()).select_from(source)).scalar_one())


def _export_table(
    connection: Connection,
    relation: Table,
    writers: Mapping[str, _Writer],
    progress: Progress,
) -> None:
    source = Base.metadata.tables[relation.name]
    links = links_of(relation.name)
    names = [c.name for c in relation.columns] + [link.json_column for link in links]
    progress.start(relation.name, _count(connection, source))
    result = connection.execute(
        select(*(source.c[n] for n in dict.fromkeys(names))),
        execution_options={"yield_per": CHUNK},
    )
    for part in result.partitions(CHUNK):
        rows = [dict(row._mapping) for row in part]
        writers[relation.name].write(rows)
        for link in links:
            writers[link.name].write([x for row in rows for x in _flatten(link, row)])
        progress.advance(relation.name, len(rows))


def export_parquet(
    connection: Connection,
    directory: Path,
    public_key: Ed25519PublicKey,
    log: StoredLog,
    exported_at: datetime,
    progress: Progress | None = None,
) -> ExportReport:
    """Write the export of the database `connection` reads (one snapshot) into `directory`.

    `directory` must be new or empty. `exported_at` is when the snapshot was taken: the
    instant a DuckDB audit of the export judges deadlines and retention at.
    """
    _check_directory(directory)
    progress = progress or _Silent()
    directory.mkdir(parents=True, exist_ok=True)
    writers = {r.name: _Writer(directory / f"{r.name}.parquet", r.columns) for r in EXPORTED}
    try:
        for relation in TABLES:
            _export_table(connection, relation, writers, progress)
        progress.start("log_leaves", _count(connection, Base.metadata.tables["log_leaves"]))
        for chunk in leaf_record_rows(connection):
            writers[LEAF_RECORDS.name].write(chunk)
            progress.advance("log_leaves", len(chunk))
        progress.start("log verification", None)
        verified = verify(connection, public_key, log)
        writers[LOG_PROBLEMS.name].write(problems_rows(verified.problems))
    finally:
        for writer in writers.values():
            writer.close()
    report = ExportReport(
        directory=directory,
        exported_at=exported_at.astimezone(UTC),
        rows={name: writer.rows for name, writer in writers.items()},
        tree_size=verified.tree_size,
        log_problems=len(verified.problems),
    )
    (directory / MANIFEST).write_text(
        json.dumps(report.to_json(), indent=2, sort_keys=True) + "\n", "utf-8"
    )
    return report
