"""Engines and sessions: SQLite in WAL mode by default, any SQLAlchemy URL by setting.

WAL lets the seller API read while the gateway writes; `foreign_keys` is off by default in
SQLite and our integrity depends on it; pysqlite's own transaction handling is replaced by
explicit BEGIN IMMEDIATE (SQLAlchemy's documented recipe) so that a disclosure and its log entry really
commit together or not at all.

Work that only reads (a credential check, a GET, /metrics, a login's password lookup) uses
sessions from `make_read_sessionmaker` instead: on SQLite they begin DEFERRED, outside the writer
queue, and WAL lets them read the last committed state while a writer holds the lock; when every
transaction took the writer lock, eight unauthenticated loops on the login route cut committed
disclosures from 242/s to 6.5/s. They are read-only on every database (`PRAGMA query_only` on
SQLite, READ ONLY transactions on PostgreSQL), so a write slipped into one fails at once rather
than racing the queue for SQLite's lock.
"""

import fcntl
import os
import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///databorder.db"
URL_VARIABLE = "DATABORDER_DATABASE_URL"


def database_url() -> str:
    return os.environ.get(URL_VARIABLE) or DEFAULT_URL


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, see module docstring
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes in WAL mode
    cursor.execute("PRAGMA busy_timeout=10000")
    # Crypto-shredding destroys a buyer's wrapped key; without this SQLite would keep the
    # deleted bytes in free pages, where the key could be read back from the file.
    cursor.execute("PRAGMA secure_delete=ON")
    # Inserts into indexes keyed by random ids touch pages all over the file: the default 2 MB
    # page cache thrashed, and checkpointing every 1,000 pages ran inside commits. A 64 MB
    # cache, memory-mapped reads and checkpoints every ~16 MB of WAL took batched log appends
    # with their disclosure rows from ~14,000 to the figure in docs/benchmarks.md.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.execute("PRAGMA wal_autocheckpoint=4000")
    cursor.close()


class _WriterQueue:
    """One SQLite write transaction at a time, waiting in a queue rather than polling.

    BEGIN IMMEDIATE takes SQLite's write lock up front, so two writers queue instead of one
    failing with SQLITE_BUSY when it upgrades a read lock. But SQLite's own wait polls with
    growing sleeps (up to 100 ms), which under load made tail latencies of a second. So
    writers queue first on locks that wake the next one the moment the previous transaction
    ends: threads of one process on an in-process lock, and processes (several `uvicorn`
    workers on one database file) on an advisory lock of a file beside the database.
    Re-entrant, so a thread that nests transactions behaves as before.
    """

    def __init__(self, lock_path: str | None = None) -> None:
        self._lock = threading.RLock()
        self._depth = 0  # changed only by the thread holding _lock
        self._path = lock_path
        # Opened per transaction, not per engine: processes that make many engines (a test
        # suite) would otherwise hold one descriptor per engine until they exit.
        self._file: int | None = None

    def begin(self, connection: Any) -> None:
        self._lock.acquire()
        try:
            if self._depth == 0 and self._path is not None:
                self._file = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(self._file, fcntl.LOCK_EX)
                except BaseException:
                    os.close(self._file)
                    self._file = None
                    raise
            self._depth += 1
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                self._leave()
                raise
        except BaseException:
            self._lock.release()
            raise
        connection.info["databorder_writer"] = True

    def end(self, connection: Any) -> None:
        # Released once per BEGIN, even when a failed commit is followed by a rollback event.
        if connection.info.pop("databorder_writer", False):
            self._leave()
            self._lock.release()

    def _leave(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            os.close(self._file)
            self._file = None


_READ_ONLY = "databorder_read_only"  # the execution option that marks a read session's engine
_READER = "databorder_reader"  # set in a connection's info while a read transaction is open


def _begin(queue: _WriterQueue) -> Any:
    """The SQLite `begin` listener: writers through the queue, readers around it."""

    def begin(connection: Any) -> None:
        if not connection.get_execution_options().get(_READ_ONLY):
            queue.begin(connection)
            return
        # On the DBAPI connection itself: the pragma must also be undone from the commit and
        # rollback events, where statements through SQLAlchemy would be inside its own commit.
        raw = connection.connection.dbapi_connection
        raw.execute("BEGIN")  # DEFERRED: takes no lock until it reads, and then a shared one
        connection.info[_READER] = True
        raw.execute("PRAGMA query_only=ON")

    return begin


def _end(queue: _WriterQueue) -> Any:
    def end(connection: Any) -> None:
        if connection.info.pop(_READER, False):
            connection.connection.dbapi_connection.execute("PRAGMA query_only=OFF")
        else:
            queue.end(connection)

    return end


def _writer_lock_path(engine: Engine) -> str | None:
    """`<database>-writer.lock` beside a database file; none for in-memory databases."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database + "-writer.lock"


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for `url` (default: the setting), configured for databorder."""
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        queue = _WriterQueue(_writer_lock_path(engine))
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin(queue))
        event.listen(engine, "commit", _end(queue))
        event.listen(engine, "rollback", _end(queue))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def read_only(engine: Engine) -> Engine:
    """`engine` for read-only transactions: the same pool, outside SQLite's writer queue."""
    options: dict[str, Any] = {_READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True  # BEGIN READ ONLY; reset when pooled again
    return engine.execution_options(**options)


def make_read_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions for work that only reads; see the module docstring."""
    return sessionmaker(read_only(engine), expire_on_commit=False)


def checkpoint(engine: Engine) -> None:
    """Fold SQLite's WAL into the main file and truncate it (no-op on other databases).

    Runs outside any transaction: a checkpoint inside one (our BEGIN IMMEDIATE) cannot proceed.
    """
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


class BackgroundCheckpoints:
    """Checkpoint SQLite's WAL from a thread of its own instead of inside commits.

    By default the commit that grows the WAL past `wal_autocheckpoint` pages copies them into
    the database file and syncs it before it returns, and every request waiting on that
    transaction waits too. A long-running service turns that off for its connections and runs
    a PASSIVE checkpoint every `interval` seconds here: it takes no writer lock, so commits go
    on while it copies and syncs. No-op on other databases.
    """

    def __init__(self, engine: Engine, interval: float = 0.5) -> None:
        self.engine = engine
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # (frames in the WAL, frames copied into the database) at the last checkpoint
        self.last: tuple[int, int] = (0, 0)

    def start(self) -> None:
        if self.engine.dialect.name != "sqlite" or self._thread is not None:
            return
        event.listen(self.engine, "connect", _no_autocheckpoint)
        self.engine.dispose()  # pooled connections reopen with the listener above
        self._thread = threading.Thread(target=self._run, name="wal-checkpoints", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            while not self._stop.wait(self.interval):
                _busy, frames, copied = cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                self.last = (frames, copied)
        finally:
            raw.close()

    def stop(self) -> None:
        """Stop the thread; connections opened from now on checkpoint by themselves again."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        event.remove(self.engine, "connect", _no_autocheckpoint)
        self.engine.dispose()


def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
