"""Consents and notice versions at the boundary, checked before anything is written."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from databorder.model.fields import Ident, Instant
from databorder.policy.codec import ConsentTerms


class ConsentIn(ConsentTerms):
    """A consent to record: the terms, whose they are, and optionally its id."""

    id: Ident | None = None
    subject_id: Ident
    # How consent was given (ISO/IEC TS 27560 "method"): the screen or channel that showed it.
    method: Literal["web_form", "mobile_app", "api", "paper", "import"] = "api"


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: Instant | None = None
