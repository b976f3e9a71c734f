"""Issuing and checking service keys. A key names the scopes it may use, nothing more.

Scopes: `platform` (the marketplace's own back end: buyers, orders, disclosures, consents),
`telephony` (resolving relay numbers while calls are connected), `officer` (the privacy
officer's registry and audit routes).
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from databorder.auth.models import ServiceKey
from databorder.errors import InvalidInput, Unauthorized

SERVICE_KEY_PREFIX = "dbs_"


class Scope(StrEnum):
    PLATFORM = "platform"
    TELEPHONY = "telephony"
    OFFICER = "officer"


class Forbidden(Unauthorized):
    status = 403


def hash_key(key: str) -> str:
    """Keys are 256-bit random strings: a fast hash is enough, there is nothing to guess."""
    return hashlib.sha256(key.encode()).hexdigest()


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
        key = SERVICE_KEY_PREFIX + secrets.token_urlsafe(32)
        self.session.add(
            ServiceKey(
                key_hash=hash_key(key),
                name=name.strip(),
                scopes=wanted,
                prefix=key[:12],
                created_at=at,
                revoked_at=None,
            )
        )
        self.session.flush()
        return key

    def require(self, key: str | None, scope: Scope) -> ServiceKey:
        if not key:
            raise Unauthorized("missing service key: send it as 'Authorization: Bearer <key>'")
        row = self.session.get(ServiceKey, hash_key(key))
        if row is None or row.revoked_at is not None:
            raise Unauthorized("unknown or revoked service key")
        if scope.value not in row.scopes:
            raise Forbidden(f"this key may not use scope {scope.value!r}")
        return row
