"""The recipient as it crosses a boundary (HTTP body, CSV row), validated field by field."""

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from databorder.model import RecipientRole
from databorder.model.fields import Country, Email, Phone

RecipientId = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
]


class _Agent(BaseModel):
    @model_validator(mode="after")
    def _agent_complete(self) -> Self:
        parts = [getattr(self, f"domestic_agent_{p}", None) for p in ("name", "email", "phone")]
        if any(parts) and not all(parts):
            raise ValueError("domestic_agent_name, _email and _phone go together: give all or none")
        return self


class RecipientIn(_Agent):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: RecipientId
    legal_name: str = Field(min_length=2, max_length=300)
    country: Country
    role: RecipientRole
    privacy_email: Email
    privacy_phone: Phone | None = None
    certifications: list[Annotated[str, Field(min_length=1, max_length=64)]] = []
    contract_safeguards: bool
    retention_days: int = Field(ge=1, le=3650)
    disclosed_in_notice: bool
    domestic_agent_name: str | None = Field(default=None, max_length=300)
    domestic_agent_email: Email | None = None
    domestic_agent_phone: Phone | None = None


class RecipientUpdate(BaseModel):
    """Partial update: only the fields given change; `id` is not updatable."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    legal_name: str | None = Field(default=None, min_length=2, max_length=300)
    country: Country | None = None
    role: RecipientRole | None = None
    privacy_email: Email | None = None
    privacy_phone: Phone | None = None
    certifications: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = None
    contract_safeguards: bool | None = None
    retention_days: int | None = Field(default=None, ge=1, le=3650)
    disclosed_in_notice: bool | None = None
    domestic_agent_name: str | None = Field(default=None, max_length=300)
    domestic_agent_email: Email | None = None
    domestic_agent_phone: Phone | None = None


class RecipientOut(BaseModel):
    id: str
    legal_name: str
    country: str
    role: RecipientRole
    privacy_email: str
    privacy_phone: str | None
    certifications: list[str]
    contract_safeguards: bool
    retention_days: int
    disclosed_in_notice: bool
    domestic_agent_name: str | None
    domestic_agent_email: str | None
    domestic_agent_phone: str | None
