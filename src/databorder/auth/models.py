"""Service keys: who may call which routes, kept only as hashes."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from databorder.store.base import Base


class ServiceKey(Base):
    __tablename__ = "service_keys"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    scopes: Mapped[list[str]]
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class OfficerAccount(Base):
    """A person (privacy officer, administrator) who signs in with a password."""

    __tablename__ = "officer_accounts"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))  # scrypt$n$r$p$salt$hash
    scopes: Mapped[list[str]]
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class OfficerSession(Base):
    """A signed-in officer's bearer token; only its hash is kept, and it expires."""

    __tablename__ = "officer_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(
        ForeignKey("officer_accounts.username", ondelete="CASCADE")
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class UsedLoginToken(Base):
    """A buyer hand-over token's id, kept until the token expires: a sign-in link works once,
    whichever worker process receives it (the primary key makes the second use fail)."""

    __tablename__ = "used_login_tokens"

    jti: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LoginFailures(Base):
    """Failed officer sign-ins in a row for one username, and the lockout they led to.

    In the database, not in a worker's memory, so that a lockout holds in every worker process.
    Keyed by the name as typed, whether or not such an account exists: a name nobody has
    locks exactly like a real one, so a lockout tells an attacker nothing about who exists.
    Rows are deleted by a successful sign-in, and rows gone stale by the next failure anywhere.
    """

    __tablename__ = "login_failures"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int]  # since the count last started, none further apart than the period
    last_failed_at: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]
