"""The privacy officer's console session: an officer session token inside a signed cookie.

Why both. The officer accounts already have sessions (`officer_sessions`, auth/services.py):
`SignIn` makes one after the throttled, locked-out password check, only its hash is stored, it
ends after 8 hours, signing out revokes it, and disabling the account ends it at once. The
console reuses exactly that, so a console sign-in is the same event as an API sign-in and the
same lockout applies. What the table lacks is "last seen": an idle timeout would need a write
on every page view (or a migration for a column). Instead the cookie carries the token in a
small JWT, signed with HS256 under a key only this server holds, whose `iat` is the time of the
last request; each answer re-issues it, so a console left alone for `IDLE_SECONDS` is signed
out, without writing anything. Every request still reads the token's row, so revocation and
the 8-hour end hold whatever the cookie says.

The key is derived (HKDF-SHA256) from the privacy center's session key with a label of its own:
no new key file to create and rotate, and a buyer's session cookie can never be read as an
officer's (another key, another audience). The cookie is HttpOnly, SameSite=Strict, scoped to
/console, and Secure when `DATABORDER_SESSION_COOKIE_SECURE` says so.

Everything here is a pure function of its inputs and the `now` it is given.
"""

import base64
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

COOKIE = "console_session"
COOKIE_PATH = "/console"
AUDIENCE = "databorder-console-session"
IDLE_SECONDS = 30 * 60
_KEY_LABEL = b"databorder console session cookie v1"
_SEAL_LABEL = b"databorder console session token seal v1"
_MIN_KEY_BYTES = 32


class SessionEnd(StrEnum):
    """Why there is no usable console session; the sign-in page says each in plain words."""

    NONE = "none"  # no cookie: never signed in, or signed out
    INVALID = "invalid"  # not signed by this server, or malformed
    IDLE = "idle"  # no request for IDLE_SECONDS
    ENDED = "ended"  # the token was revoked, expired (8 hours) or its account disabled


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    username: str
    token: str  # the officer session token (a bearer secret): never shown, never logged
    session_id: str  # what the forms' CSRF tokens are bound to
    signed_in_at: datetime
    last_seen: datetime

    def __repr__(self) -> str:
        return f"ConsoleSession({self.username!r}, session_id={self.session_id!r})"


@dataclass(frozen=True, slots=True)
class SessionCheck:
    session: ConsoleSession | None
    end: SessionEnd | None
    detail: str


def derive_key(session_key: bytes) -> bytes:
    """The console's cookie key, from the privacy center's session key (see module docstring)."""
    if len(session_key) < _MIN_KEY_BYTES:
        raise ValueError(
            f"session key too short: expected at least {_MIN_KEY_BYTES} bytes, got {len(session_key)}"
        )
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_LABEL).derive(
        session_key
    )


def start(username: str, token: str, now: datetime) -> ConsoleSession:
    return ConsoleSession(username, token, secrets.token_urlsafe(16), now, now)


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def _instant(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), UTC)


def _sealer(key: bytes) -> AESGCM:
    # Its own key, derived from the cookie's: the cookie is signed, not secret, and the officer
    # token inside it is an API credential that must not be readable from a copied cookie.
    return AESGCM(
        HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_LABEL).derive(key)
    )


def _seal(token: str, key: bytes) -> str:
    nonce = os.urandom(12)
    sealed = _sealer(key).encrypt(nonce, token.encode(), AUDIENCE.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def _unseal(value: str, key: bytes) -> str:
    raw = base64.urlsafe_b64decode(value.encode("ascii"))
    return _sealer(key).decrypt(raw[:12], raw[12:], AUDIENCE.encode()).decode()


def cookie_value(session: ConsoleSession, key: bytes) -> str:
    claims = {
        "sub": session.username,
        "tok": _seal(session.token, key),
        "sid": session.session_id,
        "aud": AUDIENCE,
        "auth": _epoch(session.signed_in_at),
        "iat": _epoch(session.last_seen),
    }
    return jwt.encode(claims, key, algorithm="HS256")


def read(cookie: str | None, key: bytes, now: datetime) -> SessionCheck:
    """The session a cookie holds if this server signed it and it has not been idle too long.

    Whether its token is still live is the database's to say (`Officers.principal`)."""
    if not cookie:
        return SessionCheck(None, SessionEnd.NONE, "no console session cookie")
    try:
        claims = jwt.decode(
            cookie,
            key,
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={"require": ["sub", "tok", "sid", "auth", "iat"], "verify_iat": False},
        )
        session = ConsoleSession(
            str(claims["sub"]),
            _unseal(str(claims["tok"]), key),
            str(claims["sid"]),
            _instant(claims["auth"]),
            _instant(claims["iat"]),
        )
    except (jwt.PyJWTError, TypeError, ValueError, OverflowError, InvalidTag) as exc:
        return SessionCheck(None, SessionEnd.INVALID, f"console session cookie refused: {exc}")
    if now - session.last_seen > timedelta(seconds=IDLE_SECONDS):
        # The session comes back with the refusal so that its token can be revoked.
        return SessionCheck(
            session, SessionEnd.IDLE, f"no request since {session.last_seen.isoformat()}"
        )
    return SessionCheck(session, None, "console session cookie accepted")


def touched(session: ConsoleSession, now: datetime) -> ConsoleSession:
    """The session as seen again now (its idle time starts over)."""
    return ConsoleSession(
        session.username, session.token, session.session_id, session.signed_in_at, now
    )


__all__ = [
    "AUDIENCE",
    "COOKIE",
    "COOKIE_PATH",
    "IDLE_SECONDS",
    "ConsoleSession",
    "SessionCheck",
    "SessionEnd",
    "cookie_value",
    "derive_key",
    "read",
    "start",
    "touched",
]
