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
