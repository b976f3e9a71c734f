"""The privacy center's memory of used sign-in tokens, shared by every worker through the database.

A hand-over token carries a random `jti` and lives five minutes; the first sign-in with it
inserts the id, and a second, in this process or another, hits the primary key and is refused
as a replay. Ids are forgotten once their token has expired, when it would be refused anyway.
"""

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from databorder.auth.models import UsedLoginToken

MAX_JTI = 128


class StoredUsedTokens:
    """`web.buyer_session.UsedTokens` over the `used_login_tokens` table."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def use(self, jti: str, expires_at: datetime, now: datetime) -> bool:
        if not jti or len(jti) > MAX_JTI:
            return False  # not an id this service issues: never a first use
        try:
            with self.sessions.begin() as session:
                session.execute(delete(UsedLoginToken).where(UsedLoginToken.expires_at < now))
                session.add(UsedLoginToken(jti=jti, expires_at=expires_at))
        except IntegrityError:
            return False
        return True
