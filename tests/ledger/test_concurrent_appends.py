"""Two writers appending at once never fork the tree or reuse an index (SQLite and PostgreSQL).

Each writer has its own connection and commits many small transactions, interleaving with the
other at the database; the log's single-row lock must serialise the appends. Afterwards the
indexes are exactly 0..n-1, every leaf is there once, and the whole log verifies.
"""

import threading
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from databorder.ledger import merkle
from databorder.ledger.log import StoredLog
from databorder.ledger.models import LogLeaf
from databorder.ledger.signing import HeadSigner
from databorder.ledger.verify import verify_log

WRITERS = 2
ROUNDS = 40
BATCH = 5


def _writer(
    sessions: sessionmaker[Session],
    log: StoredLog,
    name: str,
    got: list[int],
    errors: list[BaseException],
    start: threading.Barrier,
) -> None:
    try:
        start.wait()
        for round_ in range(ROUNDS):
            datas = [
                f'{{"writer":"{name}","round":{round_},"n":{n}}}'.encode() for n in range(BATCH)
            ]
            with sessions.begin() as session:
                got.extend(log.append_many(session, datas))
    except BaseException as exc:
        errors.append(exc)


def test_concurrent_writers_never_fork_or_reuse_an_index(
    sessions: sessionmaker[Session], log: StoredLog, signer: HeadSigner
) -> None:
    indexes: list[list[int]] = [[] for _ in range(WRITERS)]
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)
    threads = [
        threading.Thread(target=_writer, args=(sessions, log, f"w{n}", indexes[n], errors, start))
        for n in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    total = WRITERS * ROUNDS * BATCH
    every = sorted(i for got in indexes for i in got)
    assert every == list(range(total))  # no index twice, none skipped
    assert all(len(got) == ROUNDS * BATCH for got in indexes)
    with sessions.begin() as session:
        leaves: Sequence[LogLeaf] = session.scalars(select(LogLeaf).order_by(LogLeaf.index)).all()
        assert len({leaf.data for leaf in leaves}) == total  # each record stored once
        assert log.root(session) == merkle.root_hash([merkle.leaf_hash(x.data) for x in leaves])
        signer.sign(session)
        result = verify_log(session, signer.public_key, log)
    assert result.first_bad_index is None, result.explain()
