"""Buyers and orders as the marketplace sends them; personal data is validated, then sealed."""

from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from databorder.model import country_code
from databorder.model.contact import normalise_email, normalise_phone
from databorder.model.fields import Ident, Instant, Line, Text
from databorder.policy import load_pack

# The marketplace's own country is the home of the law it runs under: buyers' local phone
# numbers are read in its numbering plan, and a buyer lives there unless told otherwise.
HOME = load_pack().home_country


class BuyerPii(BaseModel):
    """The buyer's personal data items; each goes to the vault, never to a plain column."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Line = Field(min_length=1, max_length=200)
    phone: Annotated[str, AfterValidator(lambda v: normalise_phone(v, HOME))] | None = None
    email: Annotated[str, AfterValidator(normalise_email)] | None = None
    address: Line | None = Field(default=None, max_length=500)
    postal_code: str | None = Field(default=None, pattern=r"^\d{5}$")
    customs_code: str | None = Field(default=None, pattern=r"^P\d{12}$")
    birth_date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    rrn: str | None = Field(default=None, pattern=r"^\d{6}-?\d{7}$")
    card_number: str | None = Field(default=None, pattern=r"^\d{12,19}$")
    bank_account: Line | None = Field(default=None, max_length=40)


class BuyerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Ident
    residence: Annotated[str, AfterValidator(country_code)] = HOME
    transfer_suspended: bool = False
    pii: BuyerPii


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Ident
    buyer_id: Ident
    seller_id: Ident
    ordered_at: Instant
    delivered_at: Instant | None = None
    order_items: Text | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _delivered_after_ordered(self) -> Self:
        if self.delivered_at is not None and self.delivered_at < self.ordered_at:
            raise ValueError("delivered_at is before ordered_at")
        return self


class DeliveredIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delivered_at: Instant
