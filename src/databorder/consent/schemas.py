"""Consents and notice versions at the boundary, checked before anything is written."""

from datetime import datetime
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from databorder.model import ConsentKind, DataItem, Purpose, aware, country_code

Country = Annotated[str, AfterValidator(country_code)]
Instant = Annotated[datetime, AfterValidator(aware)]
Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]


class NoticeVersionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Annotated[str, Field(min_length=1, max_length=32)]
    published_at: Instant
    summary: str = ""


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Ident | None = None
    subject_id: Ident
    kind: ConsentKind
    notice_version: Annotated[str, Field(min_length=1, max_length=32)]
    recipients: list[Ident] = []
    countries: list[Country] = []
    items: list[DataItem] = Field(min_length=1)
    purposes: list[Purpose] = Field(min_length=1)
    given_at: Instant
    withdrawn_at: Instant | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if not self.recipients and not self.countries:
            raise ValueError("a consent must name at least one recipient or country")
        if self.withdrawn_at is not None and self.withdrawn_at < self.given_at:
            raise ValueError(
                "withdrawn_at is before given_at: a consent cannot be withdrawn before it was given"
            )
        return self


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: Instant | None = None
