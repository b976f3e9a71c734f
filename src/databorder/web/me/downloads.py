"""The link a buyer downloads their data from: signed, for one buyer, working for minutes.

The export holds the buyer's personal data in the clear, so its link must not outlive the
moment: it names the buyer and an expiry, signed with the session key (HS256), and is honoured
only in that same buyer's session. Nothing is stored: the export is made when the link is
followed, and each download is itself recorded as an access request (Art. 35).
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

DOWNLOAD_AUDIENCE = "databorder-privacy-center-download"
FORMATS = ("json", "csv")


@dataclass(frozen=True, slots=True)
class DownloadCheck:
    ok: bool
    reason: str
    expires_at: datetime | None = None


def download_token(buyer_id: str, key: bytes, now: datetime, seconds: int) -> str:
    claims = {
        "sub": buyer_id,
        "aud": DOWNLOAD_AUDIENCE,
        "exp": int((now + timedelta(seconds=seconds)).timestamp()),
        "jti": secrets.token_urlsafe(8),
    }
    return jwt.encode(claims, key, algorithm="HS256")


def check_download(token: str, key: bytes, buyer_id: str, now: datetime) -> DownloadCheck:
    """Valid, this buyer's, not expired (checked against `now`, not the wall clock)."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=["HS256"],
            audience=DOWNLOAD_AUDIENCE,
            options={"require": ["sub", "aud", "exp"], "verify_exp": False},
        )
        expires = datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (jwt.PyJWTError, TypeError, ValueError, OverflowError) as exc:
        return DownloadCheck(False, f"download link refused: {exc}")
    if claims["sub"] != buyer_id:
        return DownloadCheck(False, "download link made for another buyer")
    if now >= expires:
        return DownloadCheck(False, f"download link expired at {expires.isoformat()}", expires)
    return DownloadCheck(True, "download link accepted", expires)


def expiry_of(token: str, key: bytes) -> datetime | None:
    """When a link this server made stops working (to say so on the page)."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=["HS256"],
            audience=DOWNLOAD_AUDIENCE,
            options={"verify_exp": False},
        )
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (jwt.PyJWTError, TypeError, ValueError, OverflowError):
        return None


__all__ = ["FORMATS", "DownloadCheck", "check_download", "download_token", "expiry_of"]
