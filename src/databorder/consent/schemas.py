"""Consents and notice versions at the boundary, checked before anything is written."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from databorder.model.fields import Ident, Instant
from databorder.policy.codec import ConsentTerms


class NoticeVersionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Annotated[str, Field(min_length=1, max_length=32)]
    published_at: Instant
    summary: str = ""


class ConsentIn(ConsentTerms):
    """A consent to record: the terms, whose they are, and optionally its id."""

    id: Ident | None = None
    subject_id: Ident


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: Instant | None = None
