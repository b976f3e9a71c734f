"""Signing a buyer in to the privacy center, and the session that follows.

The seam: the marketplace is the identity provider. It already knows who its signed-in buyer
is, so it hands them over with a short-lived signed token (a JWT) on a link,
`GET /me/login?token=...`; databorder checks the token and starts a session of its own. The
token's claims are
    sub  the buyer's id (as the marketplace registered them with databorder)
    aud  `AUDIENCE`; a token meant for anything else is refused
    iat  when it was made; exp  when it stops working, at most `MAX_TOKEN_SECONDS` later
    jti  a random id, accepted once: a link copied from a browser's history does not sign
         anyone in a second time
and it is signed either with HS256 under a secret both sides hold (the key file
`buyer-login.key`, 32 random bytes in base64, made like the other keys) or with EdDSA (Ed25519)
by a key only the marketplace holds, whose public key is `buyer-login.pub` (PEM). When the
public key file is present only EdDSA is accepted, otherwise only HS256: the algorithm comes
from the server's configuration, never from the token's header, so a token cannot choose to be
checked with a weaker algorithm or with the public key as an HMAC secret.

Used token ids are remembered until the token would have expired anyway (`UsedTokens`): the
service uses the database's `used_login_tokens` table (`auth/login_tokens.py`), so a link signs
in once whichever worker receives it; the in-memory store here serves tests and tools.

The session is a cookie holding a second JWT, signed with HS256 under `buyer-session.key`, a
key only databorder holds: the buyer's id, a session id (what the forms' CSRF tokens are bound
to), when the buyer signed in and when they were last seen. Each answer re-issues it with a new
"last seen", so it ends after `IDLE_SECONDS` without a request; it ends regardless after
`MAX_SESSION_SECONDS`. Destructive actions (erasure, suspension, withdrawal) ask for a fresh
sign-in when the sign-in is older than `FRESH_SECONDS`. The cookie is HttpOnly, SameSite=Lax,
scoped to /me, and Secure when the site is served over HTTPS (configurable).

Everything here is a pure function of its inputs and the `now` it is given.
"""

import os
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from databorder.vault.keys import KeyFileError, read_secret_file, write_secret_file

AUDIENCE = "databorder-privacy-center"
SESSION_AUDIENCE = "databorder-privacy-center-session"
LOGIN_PATH = "/me/login"
COOKIE = "me_session"
COOKIE_PATH = "/me"
MAX_TOKEN_SECONDS = 300  # a hand-over link is used at once; five minutes covers a slow phone
LINK_SECONDS = 120  # what `login_link` gives
LEEWAY_SECONDS = 30  # clocks of the marketplace and databorder may differ a little
IDLE_SECONDS = 30 * 60
FRESH_SECONDS = 10 * 60
MAX_SESSION_SECONDS = 12 * 3600
SECRET_BYTES = 32
LOGIN_KEY_FILE = "buyer-login.key"
LOGIN_PUBLIC_KEY_FILE = "buyer-login.pub"
SESSION_KEY_FILE = "buyer-session.key"
_MAX_SUBJECT = 64  # buyers' ids are at most 64 characters (marketplace.models.Buyer.id)


class LoginRefusal(StrEnum):
    """Why a hand-over token was refused; the sign-in page explains each in plain words."""

    MISSING = "missing"
    MALFORMED = "malformed"  # not a JWT, wrong algorithm, bad signature, missing claims
    EXPIRED = "expired"
    WRONG_AUDIENCE = "wrong_audience"
    TOO_LONG = "too_long"  # valid for longer than a hand-over link may be
    REPLAYED = "replayed"


class SessionEnd(StrEnum):
    """Why there is no usable session."""

    NONE = "none"  # no cookie: never signed in, or signed out
    INVALID = "invalid"  # not signed by this server
    IDLE = "idle"  # no request for IDLE_SECONDS
    TOO_OLD = "too_old"  # MAX_SESSION_SECONDS since sign-in


@dataclass(frozen=True, slots=True)
class LoginCheck:
    """A verdict that says why: the buyer's id when accepted, else the refusal and the detail."""

    buyer_id: str | None
    refusal: LoginRefusal | None
    detail: str
    expires_at: datetime | None = None
    jti: str | None = None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True, slots=True)
class BuyerSession:
    buyer_id: str
    session_id: str
    signed_in_at: datetime
    last_seen: datetime

    def fresh(self, now: datetime) -> bool:
        """Signed in recently enough for a destructive action."""
        return now - self.signed_in_at <= timedelta(seconds=FRESH_SECONDS)


@dataclass(frozen=True, slots=True)
class SessionCheck:
    session: BuyerSession | None
    end: SessionEnd | None
    detail: str


# --- keys -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginKey:
    """What a hand-over token is checked with: an HS256 secret, or the marketplace's Ed25519
    public key. `signing` is the private half when this side also makes tokens (tests, demo)."""

    algorithm: str
    verifying: bytes | Ed25519PublicKey
    signing: bytes | Ed25519PrivateKey | None = None

    @classmethod
    def hmac(cls, secret: bytes) -> "LoginKey":
        if len(secret) < SECRET_BYTES:
            raise ValueError(
                f"HS256 login secret too short: expected at least {SECRET_BYTES} bytes, got {len(secret)}"
            )
        return cls("HS256", secret, secret)

    @classmethod
    def ed25519(
        cls, public: Ed25519PublicKey, private: Ed25519PrivateKey | None = None
    ) -> "LoginKey":
        return cls("EdDSA", public, private)


@dataclass(frozen=True)
class BuyerKeys:
    login: LoginKey
    session: bytes  # signs session cookies and download links; never leaves databorder


def ensure_keys(key_dir: Path) -> list[Path]:
    """Create the HS256 login secret and the session key when missing (never overwrite).

    Meant for `databorder init` (runtime.init_keys). No login secret is made when the
    marketplace's public key is there: EdDSA is then the only accepted algorithm.
    """
    created = []
    login, public, session = (
        key_dir / LOGIN_KEY_FILE,
        key_dir / LOGIN_PUBLIC_KEY_FILE,
        key_dir / SESSION_KEY_FILE,
    )
    if not login.exists() and not public.exists():
        write_secret_file(login, os.urandom(SECRET_BYTES))
        created.append(login)
    if not session.exists():
        write_secret_file(session, os.urandom(SECRET_BYTES))
        created.append(session)
    return created


def load_keys(key_dir: Path) -> BuyerKeys:
    """Raises KeyFileError naming the file when a key is missing, malformed or not private."""
    public = key_dir / LOGIN_PUBLIC_KEY_FILE
    if public.exists():
        try:
            loaded = serialization.load_pem_public_key(public.read_bytes())
        except ValueError as exc:  # not PEM, or a key this library cannot read
            raise KeyFileError(f"{public} is not an Ed25519 public key in PEM: {exc}") from exc
        if not isinstance(loaded, Ed25519PublicKey):
            raise KeyFileError(f"{public} is not an Ed25519 public key in PEM")
        login = LoginKey.ed25519(loaded)
    else:
        login = LoginKey.hmac(read_secret_file(key_dir / LOGIN_KEY_FILE, SECRET_BYTES))
    return BuyerKeys(login, read_secret_file(key_dir / SESSION_KEY_FILE, SECRET_BYTES))


# --- the hand-over token ------------------------------------------------------------------------


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def _instant(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), UTC)


def login_token(buyer_id: str, key: LoginKey, now: datetime, seconds: int = LINK_SECONDS) -> str:
    """A hand-over token for `buyer_id`, as the marketplace makes it."""
    if key.signing is None:
        raise ValueError("this login key can only verify: the marketplace holds the signing key")
    claims = {
        "sub": buyer_id,
        "aud": AUDIENCE,
        "iat": _epoch(now),
        "exp": _epoch(now) + seconds,
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(claims, key.signing, algorithm=key.algorithm)


def login_link(buyer_id: str, base_url: str, key: LoginKey, now: datetime) -> str:
    """The link a buyer follows to be signed in (`databorder buyers login-link BUYER_ID`)."""
    query = urlencode({"token": login_token(buyer_id, key, now)})
    return f"{base_url.rstrip('/')}{LOGIN_PATH}?{query}"


def check_login_token(token: str | None, key: LoginKey, now: datetime) -> LoginCheck:
    """Signature, audience, expiry and shape; not single use (see `UsedTokens`)."""
    if not token:
        return LoginCheck(None, LoginRefusal.MISSING, "no token came with the link")
    try:
        claims = jwt.decode(
            token,
            key.verifying,
            algorithms=[key.algorithm],
            audience=AUDIENCE,
            leeway=LEEWAY_SECONDS,
            options={
                "require": ["sub", "aud", "iat", "exp", "jti"],
                # Checked below against the given `now`, not the wall clock.
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.InvalidAudienceError:
        return LoginCheck(None, LoginRefusal.WRONG_AUDIENCE, f"token is not meant for {AUDIENCE!r}")
    except jwt.PyJWTError as exc:
        return LoginCheck(None, LoginRefusal.MALFORMED, f"token refused: {exc}")
    return _check_claims(claims, now)


def _check_claims(claims: Mapping[str, Any], now: datetime) -> LoginCheck:
    subject, jti = claims["sub"], claims["jti"]
    try:
        issued, expires = _instant(claims["iat"]), _instant(claims["exp"])
    except (TypeError, ValueError, OverflowError):
        return LoginCheck(None, LoginRefusal.MALFORMED, "iat and exp must be whole seconds")
    if not isinstance(subject, str) or not 0 < len(subject) <= _MAX_SUBJECT:
        return LoginCheck(None, LoginRefusal.MALFORMED, f"sub must be a buyer id, got {subject!r}")
    if not isinstance(jti, str) or not 8 <= len(jti) <= 128:
        return LoginCheck(None, LoginRefusal.MALFORMED, "jti must be 8 to 128 characters")
    leeway = timedelta(seconds=LEEWAY_SECONDS)
    if now > expires + leeway:
        return LoginCheck(
            None,
            LoginRefusal.EXPIRED,
            f"token expired at {expires.isoformat()}, now {now.isoformat()}",
        )
    if issued > now + leeway:
        return LoginCheck(
            None, LoginRefusal.MALFORMED, f"token issued in the future ({issued.isoformat()})"
        )
    if (expires - issued).total_seconds() > MAX_TOKEN_SECONDS:
        return LoginCheck(
            None,
            LoginRefusal.TOO_LONG,
            f"token valid for {(expires - issued).total_seconds():.0f} s; at most {MAX_TOKEN_SECONDS} s",
        )
    return LoginCheck(subject, None, "token accepted", expires + leeway, jti)


class UsedTokens(Protocol):
    """Remembers hand-over token ids until they expire: `use` is True the first time only."""

    def use(self, jti: str, expires_at: datetime, now: datetime) -> bool: ...


class MemoryUsedTokens:
    """One process's memory of used token ids; forgets each once it could no longer be used."""

    def __init__(self) -> None:
        self._seen: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def use(self, jti: str, expires_at: datetime, now: datetime) -> bool:
        with self._lock:
            # Forget what expired: a token past its expiry is refused as expired anyway.
            for old in [k for k, until in self._seen.items() if until < now]:
                del self._seen[old]
            if jti in self._seen:
                return False
            self._seen[jti] = expires_at
            return True

    def __len__(self) -> int:
        return len(self._seen)


def accept_login(token: str | None, key: LoginKey, used: UsedTokens, now: datetime) -> LoginCheck:
    """The whole check: a valid token, seen for the first time."""
    check = check_login_token(token, key, now)
    if check.jti is None or check.expires_at is None:  # refused: accepted ones carry both
        return check
    if not used.use(check.jti, check.expires_at, now):
        return LoginCheck(None, LoginRefusal.REPLAYED, "this sign-in link was used already")
    return check


# --- the session cookie -----------------------------------------------------------------------


def start_session(buyer_id: str, now: datetime) -> BuyerSession:
    return BuyerSession(buyer_id, secrets.token_urlsafe(16), now, now)


def session_cookie(session: BuyerSession, key: bytes) -> str:
    claims = {
        "sub": session.buyer_id,
        "sid": session.session_id,
        "aud": SESSION_AUDIENCE,
        "auth": _epoch(session.signed_in_at),
        "iat": _epoch(session.last_seen),
    }
    return jwt.encode(claims, key, algorithm="HS256")


def read_session(cookie: str | None, key: bytes, now: datetime) -> SessionCheck:
    """The session a cookie holds, if it is ours and has not ended."""
    if not cookie:
        return SessionCheck(None, SessionEnd.NONE, "no session cookie")
    try:
        claims = jwt.decode(
            cookie,
            key,
            algorithms=["HS256"],
            audience=SESSION_AUDIENCE,
            options={"require": ["sub", "sid", "auth", "iat"], "verify_iat": False},
        )
        session = BuyerSession(
            str(claims["sub"]),
            str(claims["sid"]),
            _instant(claims["auth"]),
            _instant(claims["iat"]),
        )
    except (jwt.PyJWTError, TypeError, ValueError, OverflowError) as exc:
        return SessionCheck(None, SessionEnd.INVALID, f"session cookie refused: {exc}")
    if now - session.last_seen > timedelta(seconds=IDLE_SECONDS):
        return SessionCheck(
            None, SessionEnd.IDLE, f"no request since {session.last_seen.isoformat()}"
        )
    if now - session.signed_in_at > timedelta(seconds=MAX_SESSION_SECONDS):
        return SessionCheck(
            None, SessionEnd.TOO_OLD, f"signed in at {session.signed_in_at.isoformat()}"
        )
    return SessionCheck(session, None, "session accepted")


def touched(session: BuyerSession, now: datetime) -> BuyerSession:
    """The session as seen again now (its idle time starts over)."""
    return BuyerSession(session.buyer_id, session.session_id, session.signed_in_at, now)


__all__ = [
    "AUDIENCE",
    "COOKIE",
    "COOKIE_PATH",
    "FRESH_SECONDS",
    "IDLE_SECONDS",
    "LOGIN_PATH",
    "MAX_TOKEN_SECONDS",
    "BuyerKeys",
    "BuyerSession",
    "LoginCheck",
    "LoginKey",
    "LoginRefusal",
    "MemoryUsedTokens",
    "SessionCheck",
    "SessionEnd",
    "UsedTokens",
    "accept_login",
    "check_login_token",
    "ensure_keys",
    "load_keys",
    "login_link",
    "login_token",
    "read_session",
    "session_cookie",
    "start_session",
    "touched",
]
