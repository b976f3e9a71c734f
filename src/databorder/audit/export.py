"""`databorder export parquet`: the audit relations as Parquet files, streamed in chunks.

Each live table is read once, in chunks of `CHUNK` rows on a server-side cursor (PostgreSQL)
or by `fetchmany` (SQLite), inside one snapshot (`sources.snapshot`), and written as it comes
with pyarrow: the table's columns to `<table>.parquet`, its JSON columns flattened to
`<link>.parquet` (`relations.LINKS`), the log's leaves to `log_leaf_records.parquet` and what
the ledger's verification found to `log_problems.parquet`. Memory holds one chunk at a time,
whatever the size of the database. A leaf naming a disclosure carries that disclosure's
number (`record_key`): the leaves are staged in a file of their own and joined to the written
`disclosures.parquet` by id in DuckDB, which spills to disk past memory. `manifest.json` is
written last: its presence says the export is complete, and it records when the snapshot was
taken (the instant a DuckDB audit of it is judged at), the row counts and the log's size.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, func, select
from sqlalchemy import Enum as SqlEnum
from sqlalchemy import Table as SqlTable

from databorder.audit.relations import (
    EXPORTED,
    LEAF_RECORDS,
    LOG_PROBLEMS,
    TABLES,
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
    Kind.KEY: pa.int64(),
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
        return manifest_json(self.exported_at, self.rows, self.tree_size, self.log_problems)


def arrow_schema(relation: Table | Link) -> pa.Schema:
    """The relation's Parquet schema: what `ParquetSource` reads, whoever writes the file."""
    return pa.schema([pa.field(c.name, _ARROW[c.kind]) for c in relation.columns])


def manifest_json(
    exported_at: datetime, rows: Mapping[str, int], tree_size: int, log_problems: int
) -> dict[str, Any]:
    """The manifest `sources.read_manifest` accepts: written last, it says the export is whole."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": exported_at.astimezone(UTC).isoformat(),
        "log": {"tree_size": tree_size, "problems": log_problems},
        "relations": {name: {"file": f"{name}.parquet", "rows": n} for name, n in rows.items()},
    }


def write_manifest(directory: Path, manifest: Mapping[str, Any]) -> None:
    (directory / MANIFEST).write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", "utf-8"
    )


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _text(value: Any) -> str | None:
    if type(value) is str:  # nearly every value: JSON strings and ids, no conversion
        return value
    return None if value is None else str(_plain(value))


class RelationWriter:
    """One relation's Parquet file, written a chunk (one row group) at a time.

    Writers hand it whole columns (Python lists or Arrow arrays, by column name): the live
    export its fetched chunks transposed, the synthetic export (`sim/audit_export.py`) arrays
    it built with numpy. Either way the file has the relation's one schema, and a column of
    the wrong type fails here rather than in the audit."""

    def __init__(self, path: Path, relation: Table | Link) -> None:
        self.relation = relation
        self.rows = 0
        self._schema = arrow_schema(relation)
        self._writer = pq.ParquetWriter(path, self._schema, compression="zstd")

    def write_columns(self, columns: Mapping[str, pa.Array | Sequence[Any]]) -> None:
        names = self._schema.names
        if set(columns) != set(names):
            raise ValueError(
                f"{self.relation.name}: expected columns {sorted(names)}, got {sorted(columns)}"
            )
        arrays = [
            column
            if isinstance(column, pa.Array) and column.type == field.type
            else pa.array(column, type=field.type)
            for field, column in ((f, columns[f.name]) for f in self._schema)
        ]
        size = len(arrays[0]) if arrays else 0
        if size == 0:
            return
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
        self.rows += size

    def write(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Rows as mappings: the few relations made row by row (the log's problems)."""
        if records:
            self.write_columns({n: [_plain(r[n]) for r in records] for n in self._schema.names})

    def close(self) -> None:
        self._writer.close()


def _flatten(
    link: Link,
    keys: Sequence[Sequence[Any]],
    carried: Sequence[Sequence[Any]],
    values: Sequence[Any],
) -> dict[str, list[Any]]:
    """The link's rows for a chunk of source rows, as columns: exactly what `render.link_sql`
    selects live, but for the join key, which is the export's number (an `int`) for the id.
    `keys` are the source's key columns (`link.keys` order), `carried` its columns each row
    repeats (`link.carried` order), `values` its JSON column."""
    names = [out for _, out in link.keys] + [c.name for c in link.carried] + list(link.out)
    columns: dict[str, list[Any]] = {n: [] for n in names}
    key_columns = [columns[out] for _, out in link.keys]
    carried_columns = [columns[c.name] for c in link.carried]
    outs = [columns[o] for o in link.out]
    for row, value in enumerate(values):
        if not value:
            continue
        elements: list[tuple[str | None, ...]]
        if link.shape is Shape.ARRAY:
            elements = [(_text(e),) for e in value]
        elif link.shape is Shape.OBJECT:
            elements = [(str(k), _text(e)) for k, e in value.items()]
        else:
            elements = [tuple(_text(e.get(f)) for f in link.out) for e in value]
        for key_column, key in zip(key_columns, keys, strict=True):
            at = key[row]
            key_column.extend([at if type(at) is int else _text(at)] * len(elements))
        for carried_column, values_of in zip(carried_columns, carried, strict=True):
            carried_column.extend([_plain(values_of[row])] * len(elements))
        for position, out in enumerate(outs):
            out.extend(e[position] for e in elements)
    return columns


def check_directory(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InvalidInput.one(
            "out", f"{directory} exists and is not an empty directory; give a new or empty one"
        )


def _count(connection: Connection, source: SqlTable) -> int:
    return int(connection.execute(select(func.count()).select_from(source)).scalar_one())


def _export_table(
    connection: Connection,
    relation: Table,
    writers: Mapping[str, RelationWriter],
    progress: Progress,
) -> None:
    """One table and its links, a chunk at a time, column by column: the rows are transposed
    once (`zip`), never made into a mapping each, and only enum columns are converted. A keyed
    table's rows are numbered in the order read (`relations.KEY`), and its links carry the
    number instead of the id it stands for."""
    source = Base.metadata.tables[relation.name]
    links = links_of(relation.name)
    stored = relation.stored
    key_names = [c.name for c in relation.columns if c.kind is Kind.KEY]
    names = list(
        dict.fromkeys(
            [c.name for c in stored]
            + [k.json_column for k in links]
            + [c.name for k in links for c in k.carried]
        )
    )
    position = {n: k for k, n in enumerate(names)}
    enums = {n for n in names if isinstance(source.c[n].type, SqlEnum)}
    progress.start(relation.name, _count(connection, source))
    result = connection.execute(
        select(*(source.c[n] for n in names)), execution_options={"yield_per": CHUNK}
    )
    numbered = 0
    for part in result.partitions(CHUNK):
        columns = list(zip(*part, strict=True))
        for n in enums:
            columns[position[n]] = tuple(_plain(v) for v in columns[position[n]])
        number = range(numbered, numbered + len(part))
        numbered += len(part)
        writers[relation.name].write_columns(
            {c.name: columns[position[c.name]] for c in stored} | dict.fromkeys(key_names, number)
        )
        for link in links:
            keys = [number if out in key_names else columns[position[k]] for k, out in link.keys]
            carried = [columns[position[c.name]] for c in link.carried]
            writers[link.name].write_columns(
                _flatten(link, keys, carried, columns[position[link.json_column]])
            )
        progress.advance(relation.name, len(part))


_STAGED = ".log_leaf_records.staged.parquet"
# The leaves as read, before their keys: `LEAF_RECORDS` without `record_key`.
_LEAVES_STAGED = Table(LEAF_RECORDS.name, LEAF_RECORDS.stored)


def _keyed_leaves(directory: Path, staged: Path, writer: RelationWriter) -> None:
    """The staged leaves, in leaf order, each with the number of the disclosure whose id it
    names (`relations.LEAF_RECORDS`); ids are unique on their own, as the log names a
    disclosure by its id alone."""
    disclosures = directory / "disclosures.parquet"
    schema = arrow_schema(writer.relation)
    quoted = ["'" + str(p).replace("'", "''") + "'" for p in (staged, disclosures)]
    with duckdb.connect(":memory:") as con:
        joined = con.sql(
            "SELECT l.leaf_index, l.record_type, l.record_id, d.dkey AS record_key "  # noqa: S608 (our paths, quoted)
            f"FROM read_parquet({quoted[0]}) l "
            f"LEFT JOIN read_parquet({quoted[1]}) d "
            "ON l.record_type = 'disclosure' AND d.id = l.record_id "
            "ORDER BY l.leaf_index"
        )
        for batch in joined.to_arrow_reader(CHUNK):
            writer.write_columns({f.name: batch.column(f.name).cast(f.type) for f in schema})


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
    check_directory(directory)
    progress = progress or _Silent()
    directory.mkdir(parents=True, exist_ok=True)
    writers = {r.name: RelationWriter(directory / f"{r.name}.parquet", r) for r in EXPORTED}
    try:
        for relation in TABLES:
            _export_table(connection, relation, writers, progress)
        writers["disclosures"].close()  # read back below, for the leaves' keys
        progress.start("log_leaves", _count(connection, Base.metadata.tables["log_leaves"]))
        staged = directory / _STAGED
        stage = RelationWriter(staged, _LEAVES_STAGED)
        try:
            for chunk in leaf_record_rows(connection):
                stage.write(chunk)
                progress.advance("log_leaves", len(chunk))
        finally:
            stage.close()
        _keyed_leaves(directory, staged, writers[LEAF_RECORDS.name])
        staged.unlink()
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
    write_manifest(directory, report.to_json())
    return report
