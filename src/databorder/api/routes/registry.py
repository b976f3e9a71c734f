"""Recipient registry routes for the platform and the privacy officer."""

from typing import Annotated

from fastapi import Body, status
from pydantic import BaseModel, Field

from databorder.api.deps import RuntimeDep, scoped_router
from databorder.api.problems import problems
from databorder.auth.services import Scope
from databorder.model import RecipientRole
from databorder.model.fields import Country, Ident
from databorder.registry.schemas import RecipientIn, RecipientOut, RecipientUpdate
from databorder.registry.services import RegistryService, to_out

router = scoped_router(Scope.OFFICER, "registry")


class Imported(BaseModel):
    created: int
    updated: int


class IssuedKey(BaseModel):
    api_key: str = Field(description="Shown once: only its hash is kept")


@router.get("/v1/recipients", summary="List recipients")
def list_recipients(
    rt: RuntimeDep, country: Country | None = None, role: RecipientRole | None = None
) -> list[RecipientOut]:
    with rt.reads() as session:
        return [to_out(r) for r in RegistryService(session).list(country, role)]


@router.post(
    "/v1/recipients",
    status_code=status.HTTP_201_CREATED,
    summary="Register a recipient",
    responses=problems((409, "a recipient with this id exists")),
)
def create_recipient(body: RecipientIn, rt: RuntimeDep) -> RecipientOut:
    with rt.sessions.begin() as session:
        return to_out(RegistryService(session).create(body, rt.now()))


@router.get("/v1/recipients/{recipient_id}", summary="One recipient", responses=problems(404))
def get_recipient(rt: RuntimeDep, recipient_id: Ident) -> RecipientOut:
    with rt.reads() as session:
        return to_out(RegistryService(session).get(recipient_id))


@router.patch(
    "/v1/recipients/{recipient_id}", summary="Change a recipient", responses=problems(404)
)
def update_recipient(recipient_id: Ident, body: RecipientUpdate, rt: RuntimeDep) -> RecipientOut:
    with rt.sessions.begin() as session:
        return to_out(RegistryService(session).update(recipient_id, body, rt.now()))


@router.post("/v1/recipients/import", summary="Import recipients from CSV (all rows or none)")
def import_recipients(
    rt: RuntimeDep, csv_text: Annotated[str, Body(media_type="text/csv")]
) -> Imported:
    with rt.sessions.begin() as session:
        created, updated = RegistryService(session).import_csv(csv_text, rt.now())
        return Imported(created=created, updated=updated)


@router.post(
    "/v1/recipients/{recipient_id}/keys",
    status_code=status.HTTP_201_CREATED,
    summary="Issue an API key for the recipient (shown once)",
    responses=problems(404),
)
def issue_key(recipient_id: Ident, rt: RuntimeDep) -> IssuedKey:
    with rt.sessions.begin() as session:
        return IssuedKey(api_key=RegistryService(session).issue_api_key(recipient_id, rt.now()))
