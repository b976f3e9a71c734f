"""Bearer secrets: issued with a prefix naming their kind, kept only as their SHA-256.

Every secret databorder issues (service keys, officer sessions, recipients' API keys, access
grants) is 256 random bits, so one fast unsalted hash is enough to store and look it up: there
is nothing to guess or brute-force. Officers' passwords are chosen by people and are hashed
slowly instead (`auth/passwords.py`).

The prefix tells a leaked secret's kind at a glance (and to secret scanners); the first
`SHOWN_CHARS` characters are kept in clear so a console can tell keys apart and revoke one.
"""

import hashlib
import secrets

from databorder.errors import Unauthorized

SERVICE_KEY_PREFIX = "dbs_"
SESSION_PREFIX = "dbo_"
API_KEY_PREFIX = "dbk_"
GRANT_TOKEN_PREFIX = "dbg_"  # noqa: S105 (a prefix, not a secret)
# What a route takes, as the 401 for a missing credential names it.
PLATFORM_CREDENTIALS = "service key or session"
RECIPIENT_CREDENTIALS = "recipient API key"
SHOWN_CHARS = 12  # the prefix and 8 random characters: enough to tell keys apart, not to use one

_RANDOM_BYTES = 32


def new_secret(prefix: str) -> str:
    """A fresh secret of the kind `prefix` names; shown once, stored only as `hash_secret`."""
    return prefix + secrets.token_urlsafe(_RANDOM_BYTES)


def hash_secret(secret: str) -> str:
    """The hex SHA-256 a secret is stored and looked up by."""
    return hashlib.sha256(secret.encode()).hexdigest()


def presented(secret: str | None, expected: str = PLATFORM_CREDENTIALS) -> str:
    """The bearer secret sent, or 401 when none was (checked before any database work).

    `expected` names what the route takes, for the message: `PLATFORM_CREDENTIALS` or
    `RECIPIENT_CREDENTIALS`.
    """
    if not secret:
        raise Unauthorized(f"missing credentials: send 'Authorization: Bearer <{expected}>'")
    return secret
