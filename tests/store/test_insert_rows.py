"""insert_rows stores what the ORM stores: instants compare as text in time order on SQLite."""

from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, text
from sqlalchemy.orm import Session

from databorder.ledger.models import LogLeaf
from databorder.store.query import insert_rows

ON_THE_SECOND = datetime(2026, 11, 1, 9, 5, tzinfo=UTC)


def test_bulk_and_orm_rows_store_an_instant_alike(session: Session) -> None:
    table = cast(Table, LogLeaf.__table__)
    row = {"leaf_hash": b"\x00" * 32, "data": b"{}", "created_at": ON_THE_SECOND}
    insert_rows(session, table, [{"index": 0, **row}])
    session.add(LogLeaf(index=1, **row))
    session.flush()
    stored = session.execute(text('SELECT created_at FROM log_leaves ORDER BY "index"')).scalars()
    bulk, orm = (str(value) for value in stored)
    assert bulk == orm


def test_bulk_and_orm_rows_store_bytes_alike(session: Session) -> None:
    """insert_rows hands bytes to sqlite3 as they are (no sqlite3.Binary wrapping): they must
    still be stored as the ORM stores them, BLOBs that read back equal."""
    table = cast(Table, LogLeaf.__table__)
    row = {"leaf_hash": bytes(range(32)), "data": b'{"a":"\xea\xb9\x80"}'}
    insert_rows(session, table, [{"index": 0, **row, "created_at": ON_THE_SECOND}])
    session.add(LogLeaf(index=1, created_at=ON_THE_SECOND, **row))
    session.flush()
    stored = session.execute(text('SELECT leaf_hash, data FROM log_leaves ORDER BY "index"')).all()
    assert [tuple(r) for r in stored] == [(row["leaf_hash"], row["data"])] * 2
    if session.get_bind().dialect.name == "sqlite":
        kinds = session.execute(text("SELECT typeof(leaf_hash), typeof(data) FROM log_leaves"))
        assert set(kinds) == {("blob", "blob")}
