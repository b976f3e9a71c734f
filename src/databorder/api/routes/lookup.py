"""The privacy officer finds a buyer by exact phone or email, through the vault's blind index.

A POST, so the value travels in the body and never in a URL, an access log or a proxy log.
"""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from databorder.api.deps import RuntimeDep, requires
from databorder.api.observability import TemplatedRoute
from databorder.auth.services import Scope
from databorder.errors import InvalidInput
from databorder.model import DataItem

router = APIRouter(
    route_class=TemplatedRoute, tags=["officer"], dependencies=[requires(Scope.OFFICER)]
)


class LookupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: Literal["phone", "email"]
    value: str = Field(min_length=3, max_length=320)


@router.post("/v1/buyers/lookup", summary="Buyers whose phone or email matches exactly")
def lookup(body: LookupIn, rt: RuntimeDep) -> dict[str, list[str]]:
    with rt.sessions.begin() as session:
        try:
            found = rt.vault.find(session, DataItem(body.item), body.value)
        except ValueError as exc:
            raise InvalidInput.one("value", str(exc)) from exc
        return {"buyer_ids": found}
