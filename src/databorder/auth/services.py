"""Issuing and checking service keys. A key names the scopes it may use, nothing more.

Scopes: `platform` (the marketplace's own back end: buyers, orders, disclosures, consents),
`telephony` (resolving relay numbers while calls are connected), `officer` (the privacy
officer's registry and audit routes), `metrics` (a monitoring system scraping /metrics from
outside the networks allowed to read it without a key).

Officers sign in with a password (`SignIn`): scrypt runs outside any transaction, and repeated
failures lock the name for a while, in the database so every worker process sees it.
"""

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from databorder.auth.models import LoginFailures, OfficerAccount, OfficerSession, ServiceKey
from databorder.auth.passwords import (
    WeakPasswordError,
    check_strength,
    hash_password,
    verify_password,
)
from databorder.auth.tokens import (
    SERVICE_KEY_PREFIX,
    SESSION_PREFIX,
    SHOWN_CHARS,
    hash_secret,
    new_secret,
    presented,
)
from databorder.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthorized,
)


class Scope(StrEnum):
    PLATFORM = "platform"
    TELEPHONY = "telephony"
    OFFICER = "officer"
    METRICS = "metrics"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling (a service key's holder or a signed-in officer) and what they may do."""

    name: str
    scopes: tuple[str, ...]


class ServiceKeys:
    def __init__(self, session: Session) -> None:
        self.session = session

    def issue(self, name: str, scopes: Iterable[str], at: datetime) -> str:
        wanted = list(dict.fromkeys(scopes))
        unknown = [s for s in wanted if s not in Scope.__members__.values()]
        if unknown or not wanted:
            raise InvalidInput.one(
                "scopes", f"expected one or more of {[s.value for s in Scope]}, got {wanted}"
            )
        if not name.strip():
            raise InvalidInput.one("name", "a service key needs a name saying who holds it")
        key = new_secret(SERVICE_KEY_PREFIX)
        self.session.add(
            ServiceKey(
                key_hash=hash_secret(key),
                name=name.strip(),
                scopes=wanted,
                prefix=key[:SHOWN_CHARS],
                created_at=at,
                revoked_at=None,
            )
        )
        self.session.flush()
        return key

    def revoke(self, prefix: str, at: datetime) -> str:
        """Revoke the live key shown as `prefix` (its first 12 characters); answers its name.

        Takes effect at once, also for requests already past the HTTP front door: the group
        commit of disclosures checks the key again inside its transaction.
        """
        rows = self.session.scalars(
            select(ServiceKey).where(ServiceKey.prefix == prefix, ServiceKey.revoked_at.is_(None))
        ).all()
        if not rows:
            raise NotFound("live service key with prefix", prefix)
        if len(rows) > 1:
            raise Conflict(f"{len(rows)} live keys share the prefix {prefix!r}; revoke by hand")
        rows[0].revoked_at = at
        self.session.flush()
        return rows[0].name

    def require(self, key: str | None, scope: Scope, at: datetime) -> Principal:
        """The caller behind a bearer credential (service key or officer session), if allowed."""
        key = presented(key)
        if key.startswith(SESSION_PREFIX):
            principal = Officers(self.session).principal(key, at)
        else:
            row = self.session.get(ServiceKey, hash_secret(key))
            if row is None or row.revoked_at is not None:
                raise Unauthorized("unknown or revoked service key")
            principal = Principal(f"key:{row.name}", tuple(row.scopes))
        if scope.value not in principal.scopes:
            raise Forbidden(f"these credentials may not use scope {scope.value!r}")
        return principal


SESSION_HOURS = 8


class SignInLocked(TooManyRequests):
    """429: too many failed sign-ins for this name; no password is checked until it ends."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after)
        self.message = (
            f"too many failed sign-ins for this account; retry after {self.retry_after} s"
        )
        self.args = (self.message,)


@dataclass(frozen=True, slots=True)
class Lockout:
    """After `max_failures` failed sign-ins, none further than `period` from the one before,
    a name refuses every sign-in, the right password included, for `period`."""

    max_failures: int = 5
    period: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class StoredPassword:
    password_hash: str = field(repr=False)
    enabled: bool

    def verify(self, password: str) -> bool:
        """scrypt, about 40 ms: call it outside any transaction (see SignIn)."""
        matches = verify_password(password, self.password_hash)  # hashed even when disabled
        return matches and self.enabled


class Officers:
    """Privacy-officer accounts: passwords hashed with scrypt, sessions as expiring tokens."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, username: str, password: str, scopes: Iterable[str], at: datetime) -> None:
        wanted = list(dict.fromkeys(scopes))
        if not re.fullmatch(r"[a-z][a-z0-9._-]{2,63}", username):
            raise InvalidInput.one("username", "3-64 lower-case letters, digits, '.', '_' or '-'")
        if not wanted or any(s not in Scope.__members__.values() for s in wanted):
            raise InvalidInput.one("scopes", f"expected some of {[s.value for s in Scope]}")
        try:
            check_strength(password, username)
        except WeakPasswordError as exc:
            raise InvalidInput.one("password", str(exc)) from exc
        if self.session.get(OfficerAccount, username) is not None:
            raise Conflict(f"officer {username!r} exists already")
        self.session.add(
            OfficerAccount(
                username=username,
                password_hash=hash_password(password),
                scopes=wanted,
                created_at=at,
                disabled_at=None,
            )
        )
        self.session.flush()

    def login(
        self, username: str, password: str, at: datetime, lockout: Lockout | None = None
    ) -> tuple[str, datetime]:
        """A new session token (shown once) and its expiry; one answer for every failure.

        All in this session's transaction, scrypt included: for scripts and tests. A failure
        raised here rolls its own count back with the caller's transaction; the HTTP route
        uses `SignIn`, which checks the password outside any transaction and keeps the count.
        """
        lockout = lockout or Lockout()
        stored = self.stored_for_sign_in(username, at)
        opened = self.finish_sign_in(username, stored.verify(password), at, lockout)
        if opened is None:
            raise Unauthorized(WRONG_CREDENTIALS)
        return opened

    def stored_for_sign_in(self, username: str, at: datetime) -> StoredPassword:
        """What a sign-in checks the password against; raises SignInLocked first if locked.

        Only reads. An unknown or disabled account answers a hash nothing matches, so every
        attempt costs one scrypt and tells nobody which accounts exist.
        """
        _refuse_if_locked(self.session.get(LoginFailures, username), at)
        account = self.session.get(OfficerAccount, username)
        if account is None or account.disabled_at is not None:
            return StoredPassword(_DUMMY_HASH, enabled=False)
        return StoredPassword(account.password_hash, enabled=True)

    def finish_sign_in(
        self, username: str, verified: bool, at: datetime, lockout: Lockout
    ) -> tuple[str, datetime] | None:
        """Record a checked attempt: a new session and its expiry, or None after a failure.

        A right password still fails if the name was locked since it was read (a concurrent
        worker's failures), and a success starts the count afresh.
        """
        failures = self.session.get(LoginFailures, username, with_for_update=True)
        if not verified:
            self._count_failure(username, at, lockout)
            return None
        _refuse_if_locked(failures, at)
        if failures is not None:
            self.session.delete(failures)
        token = new_secret(SESSION_PREFIX)
        expires = at + timedelta(hours=SESSION_HOURS)
        self.session.add(
            OfficerSession(
                token_hash=hash_secret(token),
                username=username,
                created_at=at,
                expires_at=expires,
                revoked_at=None,
            )
        )
        self.session.flush()
        return token, expires

    def _count_failure(self, username: str, at: datetime, lockout: Lockout) -> None:
        # Forget the names whose last failure is older than the period (unknown names above
        # all: they are never cleared by a success), then count this one.
        self.session.execute(
            delete(LoginFailures).where(LoginFailures.last_failed_at < at - lockout.period)
        )
        _insert_if_missing(self.session, username, at)
        row = self.session.get(
            LoginFailures, username, with_for_update=True, populate_existing=True
        )
        assert row is not None  # inserted just above, or there already  # noqa: S101
        row.failures += 1
        row.last_failed_at = at
        if row.failures >= lockout.max_failures:
            row.locked_until = at + lockout.period
            row.failures = 0  # after the lockout, as many failures again before the next
        self.session.flush()

    def logout(self, token: str, at: datetime) -> None:
        row = self.session.get(OfficerSession, hash_secret(token))
        if row is not None and row.revoked_at is None:
            row.revoked_at = at

    def principal(self, token: str, at: datetime) -> Principal:
        row = self.session.get(OfficerSession, hash_secret(token))
        if row is None or row.revoked_at is not None or row.expires_at <= at:
            raise Unauthorized("unknown, expired or signed-out session; sign in again")
        account = self.session.get(OfficerAccount, row.username)
        if account is None or account.disabled_at is not None:
            raise Unauthorized("this account is disabled")
        return Principal(f"officer:{account.username}", tuple(account.scopes))


WRONG_CREDENTIALS = "wrong username or password"
_DUMMY_HASH = hash_password("not a real password, only for timing")


class SignIn:
    """An officer's sign-in in three steps, so the slow hash never runs inside a transaction.

    A short read (the stored hash, the lockout), scrypt outside any transaction, then a short
    write (the session, or the failure counted). Before, the whole sign-in ran in one write
    transaction, which on SQLite holds the database's one write lock: eight loops guessing
    passwords cut committed disclosures from 242/s to 6.5/s. A worker also checks at most
    `concurrent` passwords at once and tells further callers to retry, so a flood from many
    addresses costs it at most that many cores' worth of scrypt.
    """

    def __init__(
        self,
        reads: sessionmaker[Session],
        writes: sessionmaker[Session],
        lockout: Lockout,
        concurrent: int = 2,
    ) -> None:
        self.reads = reads
        self.writes = writes
        self.lockout = lockout
        self._checking = threading.BoundedSemaphore(concurrent)

    def login(self, username: str, password: str, at: datetime) -> tuple[str, datetime]:
        """A new session token and its expiry, or Unauthorized, SignInLocked, TooManyRequests."""
        with self.reads() as session:
            stored = Officers(session).stored_for_sign_in(username, at)
        if not self._checking.acquire(blocking=False):
            raise TooManyRequests(1)
        try:
            verified = stored.verify(password)
        finally:
            self._checking.release()
        with self.writes.begin() as session:
            opened = Officers(session).finish_sign_in(username, verified, at, self.lockout)
        if opened is None:  # raised after the commit, which keeps the failure counted
            raise Unauthorized(WRONG_CREDENTIALS)
        return opened


def _refuse_if_locked(failures: LoginFailures | None, at: datetime) -> None:
    if failures is not None and failures.locked_until is not None and failures.locked_until > at:
        raise SignInLocked((failures.locked_until - at).total_seconds())


def _insert_if_missing(session: Session, username: str, at: datetime) -> None:
    """A zero count for `username` unless it has one; concurrent first failures both succeed."""
    values = {"username": username, "failures": 0, "last_failed_at": at, "locked_until": None}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(LoginFailures).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(LoginFailures).values(values).on_conflict_do_nothing())
    elif session.get(LoginFailures, username) is None:
        session.execute(insert(LoginFailures).values(values))
