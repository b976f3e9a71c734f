"""Query helpers shared by the services."""

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Result, select
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")

# Bound IN (...) lists: databases cap the number of bound parameters in one statement.
CHUNK = 500


def rows_where_in(
    session: Session, model: type[T], column: InstrumentedAttribute[Any], values: Iterable[Any]
) -> Iterator[T]:
    """Every row of `model` whose `column` is in `values`, in chunks of CHUNK."""
    ordered = sorted(set(values))
    for start in range(0, len(ordered), CHUNK):
        yield from session.scalars(select(model).where(column.in_(ordered[start : start + CHUNK])))


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched (SQLAlchemy types it only on CursorResult)."""
    return int(cast(CursorResult[Any], result).rowcount)


def by_id(session: Session, model: type[T], ident: str) -> T | None:
    """A row by its `id` where the primary key leads with a distribution column.

    On one database this is an index lookup; on a sharded one it asks every shard, so hot
    paths look rows up by their full key instead.
    """
    column: InstrumentedAttribute[Any] = getattr(model, "id")  # noqa: B009 (generic over models)
    return session.scalars(select(model).where(column == ident)).first()
