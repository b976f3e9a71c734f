"""The recipient as it crosses a boundary (HTTP body, CSV row), validated field by field."""

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from databorder.model import Purpose, RecipientRole
from databorder.model.fields import Country, Email, Ident, Line, Phone

# A certification's name as the registry keeps it (e.g. ISMS-P, APEC CBPR).
Certification = Annotated[Line, Field(min_length=1, max_length=64)]

# What a recipient receives data for when the registry is not told: the notice lists each
# recipient's purposes, and the engine's tables give their items.
DEFAULT_PURPOSES: dict[RecipientRole, tuple[Purpose, ...]] = {
    RecipientRole.SELLER: (Purpose.SHIPPING, Purpose.CUSTOMER_SERVICE),
    RecipientRole.PROCESSOR: (Purpose.SHIPPING, Purpose.CUSTOMER_SERVICE),
    RecipientRole.CUSTOMS_BROKER: (Purpose.CUSTOMS_CLEARANCE,),
    RecipientRole.PAYMENT_PROCESSOR: (Purpose.PAYMENT,),
}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _v1(cls, data: Any) -> Any:
        if isinstance(data, dict) and "disclosed_in_notice" in data:
            raise ValueError(
                "disclosed_in_notice was removed: a recipient is disclosed once a published "
                "notice version names it (databorder notices publish, POST /v1/notices/publish)"
            )
        return data


class RecipientIn(_Body):
    @model_validator(mode="after")
    def _agent_complete(self) -> Self:
        parts = (self.domestic_agent_name, self.domestic_agent_email, self.domestic_agent_phone)
        if any(parts) and not all(parts):
            raise ValueError("domestic_agent_name, _email and _phone go together: give all or none")
        return self

    @model_validator(mode="after")
    def _default_purposes(self) -> Self:
        if not self.purposes:
            self.purposes = list(DEFAULT_PURPOSES[self.role])
        self.data_countries = [c for c in dict.fromkeys(self.data_countries) if c != self.country]
        return self

    id: Ident
    legal_name: Line = Field(min_length=2, max_length=300)
    country: Country
    role: RecipientRole
    privacy_email: Email
    privacy_phone: Phone | None = None
    certifications: list[Certification] = []
    certification_measures: bool = False
    contract_safeguards: bool
    retention_days: int = Field(ge=1, le=3650)
    data_countries: list[Country] = []
    purposes: list[Purpose] = []
    domestic_agent_name: Line | None = Field(default=None, max_length=300)
    domestic_agent_email: Email | None = None
    domestic_agent_phone: Phone | None = None


class RecipientUpdate(_Body):
    """Partial update: only the fields given change; `id` is not updatable."""

    legal_name: Line | None = Field(default=None, min_length=2, max_length=300)
    country: Country | None = None
    role: RecipientRole | None = None
    privacy_email: Email | None = None
    privacy_phone: Phone | None = None
    certifications: list[Certification] | None = None
    certification_measures: bool | None = None
    contract_safeguards: bool | None = None
    retention_days: int | None = Field(default=None, ge=1, le=3650)
    data_countries: list[Country] | None = None
    purposes: list[Purpose] | None = None
    domestic_agent_name: Line | None = Field(default=None, max_length=300)
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
    certification_measures: bool
    contract_safeguards: bool
    retention_days: int
    data_countries: list[str]
    purposes: list[Purpose]
    domestic_agent_name: str | None
    domestic_agent_email: str | None
    domestic_agent_phone: str | None
