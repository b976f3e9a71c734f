"""What a witness remembers: per log origin, the latest cosigned size and root, and its history.

`witness_logs` holds one row per origin, advanced by compare-and-set (`UPDATE ... WHERE size =
<the size judged against>`), so two requests judged against the same state cannot both win:
the specification's rollback race (a smaller checkpoint stored after a larger one) cannot
happen on SQLite or PostgreSQL. `witness_checkpoints` keeps every cosigned checkpoint and
`witness_refusals` every refused one from a known log (the evidence of a fork), both append-only.
The witness's store is its own database, never the log's: a log operator who can write the
log's database must not be able to rewrite what the witness saw.
"""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from databorder.witness.protocol import Remembered

metadata = MetaData()

logs = Table(
    "witness_logs",
    metadata,
    Column("origin", String(255), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    # The latest cosigned checkpoint with the log's signature and this witness's cosignature,
    # as GET <prefix>/<origin hash>/checkpoint serves it to monitors.
    Column("checkpoint", LargeBinary, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

checkpoints = Table(
    "witness_checkpoints",
    metadata,
    Column("origin", String(255), primary_key=True),
    Column("size", BigInteger, primary_key=True),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", LargeBinary, nullable=False),
    Column("cosigned_at", DateTime(timezone=True), nullable=False),
)

refusals = Table(
    "witness_refusals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin", String(255), nullable=False),
    Column("status", SmallInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("request", LargeBinary, nullable=False),
    Column("refused_at", DateTime(timezone=True), nullable=False),
)


class WitnessStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    def remembered(self, origin: str) -> Remembered | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(logs.c.size, logs.c.root).where(logs.c.origin == origin)
            ).first()
        return None if row is None else Remembered(row.size, row.root)

    def advance(
        self,
        origin: str,
        judged: Remembered | None,
        new: Remembered,
        note: bytes,
        at: datetime,
    ) -> bool:
        """Store `new` if the state is still `judged`; False when another request moved it.

        `note` is the checkpoint as cosigned: the log's signature and this witness's line."""
        values = {"size": new.size, "root": new.root, "checkpoint": note, "updated_at": at}
        try:
            with self.engine.begin() as connection:
                if judged is None:
                    connection.execute(insert(logs).values(origin=origin, **values))
                else:
                    moved = connection.execute(
                        update(logs)
                        .where(logs.c.origin == origin, logs.c.size == judged.size)
                        .where(logs.c.root == judged.root)
                        .values(**values)
                    )
                    if moved.rowcount != 1:
                        return False
                if judged is None or judged.size != new.size:
                    connection.execute(
                        insert(checkpoints).values(
                            origin=origin, size=new.size, root=new.root, note=note, cosigned_at=at
                        )
                    )
        except IntegrityError:  # another request created the origin's row first
            return False
        return True

    def latest(self, origin: str) -> bytes | None:
        """The latest cosigned checkpoint of `origin` (what monitors fetch), or None."""
        with self.engine.connect() as connection:
            found: bytes | None = connection.execute(
                select(logs.c.checkpoint).where(logs.c.origin == origin)
            ).scalar_one_or_none()
        return found

    def refuse(self, origin: str, status: int, reason: str, request: bytes, at: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(refusals).values(
                    origin=origin, status=status, reason=reason, request=request, refused_at=at
                )
            )

    def refusals(self, origin: str) -> list[tuple[int, str]]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(refusals.c.status, refusals.c.reason)
                .where(refusals.c.origin == origin)
                .order_by(refusals.c.id)
            )
            return [(row.status, row.reason) for row in rows]

    def history(self, origin: str) -> list[int]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(checkpoints.c.size)
                .where(checkpoints.c.origin == origin)
                .order_by(checkpoints.c.size)
            )
            return [row.size for row in rows]
