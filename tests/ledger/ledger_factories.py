"""Small builders for the ledger tests (a module of its own: conftest is not importable)."""

from sqlalchemy.orm import Session, sessionmaker

from databorder.ledger.log import StoredLog


def record(i: int) -> bytes:
    """A small stand-in leaf; the canonical disclosure record is pinned in test_stored_log."""
    return f'{{"type":"disclosure","n":{i}}}'.encode()


def fill(sessions: sessionmaker[Session], log: StoredLog, count: int) -> list[bytes]:
    datas = [record(i) for i in range(count)]
    with sessions.begin() as session:
        log.append_many(session, datas)
    return datas
