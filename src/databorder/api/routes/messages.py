"""Messages to an order's recipients, filtered by the same policy as the structured fields."""

from fastapi import status

from databorder.api.deps import RuntimeDep, scoped_router
from databorder.api.problems import problems
from databorder.auth.services import Scope
from databorder.dlp.schemas import MessageIn, MessageOut
from databorder.dlp.services import MessageService

router = scoped_router(Scope.PLATFORM, "messages")


@router.post(
    "/v1/messages",
    status_code=status.HTTP_201_CREATED,
    summary="Send a message to a recipient of an order, its personal data filtered by policy",
    responses=problems(
        (404, "no such order or recipient"),
        (409, "the recipient received nothing of this order"),
        (410, "the buyer erased their data"),
    ),
)
def send_message(body: MessageIn, rt: RuntimeDep) -> MessageOut:
    with rt.sessions.begin() as session:
        return MessageService(session, rt.vault, rt.seller.relay, rt.engine.pack.home_country).send(
            body, rt.now()
        )
