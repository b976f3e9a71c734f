"""What a platform request may say about when something happened.

A disclosure and a rights event are judged against the server's clock. A client may date one
only within `clock_skew_seconds` of now (its clock and the network are not perfect); a rights
event never in the future ("withdrawn on 2099-01-01" would revoke today's grants while leaving
the consent valid for new disclosures), and a disclosure never before a rights event already
recorded (the gateway checks that, in the transaction that would disclose). History beyond the
skew comes in through the officer's import, which never creates live grants.
"""

from datetime import datetime, timedelta

from databorder.errors import InvalidInput

_OMIT = "omit it to use the server's clock"


def stated(
    at: datetime | None,
    now: datetime,
    skew_seconds: float,
    *,
    field: str = "at",
    future: bool = True,
) -> datetime:
    """`at` if it is within the skew of `now` (and not after it unless `future`), else 422."""
    if at is None:
        return now
    skew = timedelta(seconds=skew_seconds)
    if at > now + (skew if future else timedelta(0)):
        raise InvalidInput.one(
            field,
            f"{at.isoformat()} is later than the server's clock ({now.isoformat()}) "
            + (f"by more than {skew_seconds:g} s" if future else "")
            + f"; {_OMIT}",
        )
    if at < now - skew:
        raise InvalidInput.one(
            field,
            f"{at.isoformat()} is more than {skew_seconds:g} s before the server's clock "
            f"({now.isoformat()}); {_OMIT}, or bring history in through the officer's "
            "import (POST /v1/disclosures/import)",
        )
    return at


def not_future(at: datetime | None, now: datetime, leeway_seconds: float, field: str) -> None:
    """422 if `at` lies beyond `now` (plus `leeway_seconds`): nothing is recorded ahead of time."""
    if at is not None and at > now + timedelta(seconds=leeway_seconds):
        raise InvalidInput.one(
            field, f"{at.isoformat()} is later than the server's clock ({now.isoformat()})"
        )
