"""Issuing and checking service keys. A key names the scopes it may use, nothing more.

Scopes: `platform` (the marketplace's own back end: buyers, orders, disclosures, consents),
`telephony` (resolving relay numbers while calls are connected), `officer` (the privacy
officer's registry and audit routes).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from databorder.auth.models import OfficerAccount, OfficerSession, ServiceKey
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
from databorder.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized


class Scope(StrEnum):
    PLATFORM = "platform"
    TELEPHONY = "telephony"
    OFFICER = "officer"


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

    def login(self, username: str, password: str, at: datetime) -> tuple[str, datetime]:
        """A new session token (shown once) and its expiry; one answer for every failure."""
        account = self.session.get(OfficerAccount, username)
        stored = account.password_hash if account is not None else _DUMMY_HASH
        valid = verify_password(password, stored)  # hash even for unknown users: equal timing
        if account is None or account.disabled_at is not None or not valid:
            raise Unauthorized("wrong username or password")
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


_DUMMY_HASH = hash_password("not a real password, only for timing")
