"""The privacy officer finds a buyer by exact phone or email, through the vault's blind index.

A POST, so the value travels in the body and never in a URL, an access log or a proxy log.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from databorder.api.deps import RuntimeDep, scoped_router
from databorder.auth.services import Scope
from databorder.errors import InvalidInput
from databorder.model import DataItem

router = scoped_router(Scope.OFFICER, "officer")


class LookupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: Literal["phone", "email"]
    value: str = Field(min_length=3, max_length=320)


class BuyersFound(BaseModel):
    buyer_ids: list[str]


@router.post("/v1/buyers/lookup", summary="Buyers whose phone or email matches exactly")
def lookup(body: LookupIn, rt: RuntimeDep) -> BuyersFound:
    with rt.sessions.begin() as session:
        try:
            found = rt.vault.find(session, DataItem(body.item), body.value)
        except ValueError as exc:
            raise InvalidInput.one("value", str(exc)) from exc
        return BuyersFound(buyer_ids=found)
