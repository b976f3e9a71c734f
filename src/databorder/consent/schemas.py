"""Consents and notice versions at the boundary, checked before anything is written."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from databorder.model.fields import Ident, Instant
from databorder.policy.codec import ConsentTerms


class ConsentIn(ConsentTerms):
    """A consent to record: the terms, whose they are, and optionally its id."""

    id: Ident | None = None
    subject_id: Ident
    # How consent was given (ISO/IEC TS 27560 "method"): the screen or channel that showed it.
    method: Literal["web_form", "mobile_app", "api", "paper", "import"] = "api"
    # The content hash of the notice the consent screen showed (GET /v1/notices/current gives
    # it with the text): checked against the version's, so a consent cannot point at a text
    # the buyer never saw.
    notice_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The server's clock unless given; then within DATABORDER_CLOCK_SKEW_SECONDS before it,
    # never after (api/instants.py).
    at: Instant | None = None
