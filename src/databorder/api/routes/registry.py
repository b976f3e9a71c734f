"""Recipient registry routes for the platform and the privacy officer."""

from typing import Annotated

from fastapi import APIRouter, Body, status

from databorder.api.deps import RuntimeDep, requires
from databorder.api.observability import TemplatedRoute
from databorder.auth.services import Scope
from databorder.registry.schemas import RecipientIn, RecipientOut, RecipientUpdate
from databorder.registry.services import RegistryService, to_out

router = APIRouter(
    route_class=TemplatedRoute, tags=["registry"], dependencies=[requires(Scope.OFFICER)]
)


@router.get("/v1/recipients", summary="List recipients")
def list_recipients(
    rt: RuntimeDep, country: str | None = None, role: str | None = None
) -> list[RecipientOut]:
    with rt.sessions.begin() as session:
        return [to_out(r) for r in RegistryService(session).list(country, role)]


@router.post("/v1/recipients", status_code=status.HTTP_201_CREATED, summary="Register a recipient")
def create_recipient(body: RecipientIn, rt: RuntimeDep) -> RecipientOut:
    with rt.sessions.begin() as session:
        return to_out(RegistryService(session).create(body, rt.now()))


@router.get("/v1/recipients/{recipient_id}", summary="One recipient")
def get_recipient(rt: RuntimeDep, recipient_id: str) -> RecipientOut:
    with rt.sessions.begin() as session:
        return to_out(RegistryService(session).get(recipient_id))


@router.patch("/v1/recipients/{recipient_id}", summary="Change a recipient")
def update_recipient(recipient_id: str, body: RecipientUpdate, rt: RuntimeDep) -> RecipientOut:
    with rt.sessions.begin() as session:
        return to_out(RegistryService(session).update(recipient_id, body, rt.now()))


@router.post("/v1/recipients/import", summary="Import recipients from CSV (all rows or none)")
def import_recipients(
    rt: RuntimeDep, csv_text: Annotated[str, Body(media_type="text/csv")]
) -> dict[str, int]:
    with rt.sessions.begin() as session:
        created, updated = RegistryService(session).import_csv(csv_text, rt.now())
        return {"created": created, "updated": updated}


@router.post(
    "/v1/recipients/{recipient_id}/keys",
    status_code=status.HTTP_201_CREATED,
    summary="Issue an API key for the recipient (shown once)",
)
def issue_key(recipient_id: str, rt: RuntimeDep) -> dict[str, str]:
    with rt.sessions.begin() as session:
        return {"api_key": RegistryService(session).issue_api_key(recipient_id, rt.now())}
