"""Rights tasks over HTTP: recipients acknowledge theirs, the privacy officer follows them up.

A recipient authenticates with its own API key, as on the seller routes, and reaches only its
own tasks: another recipient's task answers 404 like one that does not exist. The officer's
routes (overdue requests, webhook endpoints, redelivery, answers) take the `officer` scope.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header
from pydantic import BaseModel, ConfigDict, Field

from databorder.api.deps import RuntimeDep, bearer, requires
from databorder.api.observability import TemplatedRoute
from databorder.api.problems import problems
from databorder.auth.services import Scope
from databorder.model.fields import Ident, Text
from databorder.registry.services import RegistryService
from databorder.rights.requests import RightsRequests
from databorder.rights.tasks import RightsTasks
from databorder.rights.types import Receipt
from databorder.rights.webhooks import RecipientWebhooks

router = APIRouter(route_class=TemplatedRoute, tags=["rights"])
officer = [requires(Scope.OFFICER)]


class AckOut(BaseModel):
    task_id: str
    tracking_number: str
    state: str
    acknowledged_at: datetime
    request_state: str = Field(description="`completed` once every recipient has acknowledged")


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: str = Field(min_length=1, max_length=2048, description="https:// (http:// on loopback)")
    secret: str = Field(
        min_length=1, max_length=200, description="Standard Webhooks secret: whsec_ + base64"
    )


class WebhookOut(BaseModel):
    recipient_id: str
    url: str
    created_at: datetime
    updated_at: datetime


class Redelivered(BaseModel):
    task_id: str
    state: str


class TextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text = Field(min_length=1, max_length=5000)


class TaskOut(BaseModel):
    id: str
    recipient_id: str
    recipient_name: str
    recipient_country: str
    topic: str
    state: str
    channel: str
    attempts: int
    notified_at: datetime | None
    acknowledged_at: datetime | None
    last_error: str | None
    overdue: bool


class RequestOut(BaseModel):
    id: str
    tracking_number: str
    kind: str
    state: str
    created_at: datetime
    deadline: datetime
    completed_at: datetime | None
    answer: str | None
    tasks: list[TaskOut]


def _request(receipt: Receipt, at: datetime) -> RequestOut:
    return RequestOut(
        id=receipt.id,
        tracking_number=receipt.tracking_number,
        kind=receipt.kind.value,
        state=receipt.state.value,
        created_at=receipt.created_at,
        deadline=receipt.deadline,
        completed_at=receipt.completed_at,
        answer=receipt.answer,
        tasks=[
            TaskOut(
                id=t.id,
                recipient_id=t.recipient.id,
                recipient_name=t.recipient.legal_name,
                recipient_country=t.recipient.country,
                topic=t.topic.value,
                state=t.state.value,
                channel=t.channel.value,
                attempts=t.attempts,
                notified_at=t.notified_at,
                acknowledged_at=t.acknowledged_at,
                last_error=t.last_error,
                overdue=t.overdue(at),
            )
            for t in receipt.tasks
        ],
    )


@router.post(
    "/v1/seller/rights/{task_id}/ack",
    summary="Confirm a rights task is done (erased, updated, stopped); twice is fine",
    responses=problems(
        (401, "missing or unknown API key"), (404, "no such task for this recipient")
    ),
)
def acknowledge(
    task_id: Ident, rt: RuntimeDep, authorization: Annotated[str | None, Header()] = None
) -> AckOut:
    with rt.sessions.begin() as session:
        recipient = RegistryService(session).authenticate(bearer(authorization))
        ack = RightsTasks(session).acknowledge(recipient.id, task_id, rt.now())
        return AckOut(
            task_id=ack.task_id,
            tracking_number=ack.tracking_number,
            state=ack.state.value,
            acknowledged_at=ack.acknowledged_at,
            request_state=ack.request_state.value,
        )


@router.get(
    "/v1/rights/overdue",
    summary="Open rights requests past their deadline, with each recipient's task",
    dependencies=officer,
    responses=problems(401, 403),
)
def overdue(rt: RuntimeDep) -> list[RequestOut]:
    with rt.sessions.begin() as session:
        at = rt.now()
        return [_request(r, at) for r in RightsRequests(session, rt.vault).overdue(at)]


@router.put(
    "/v1/recipients/{recipient_id}/webhook",
    summary="Register or replace where a recipient takes its rights tasks (Standard Webhooks)",
    dependencies=officer,
    responses=problems(401, 403, 404),
)
def put_webhook(recipient_id: Ident, body: WebhookIn, rt: RuntimeDep) -> WebhookOut:
    with rt.sessions.begin() as session:
        view = RecipientWebhooks(session).put(recipient_id, body.url, body.secret, rt.now())
        return WebhookOut(
            recipient_id=view.recipient_id,
            url=view.url,
            created_at=view.created_at,
            updated_at=view.updated_at,
        )


@router.post(
    "/v1/rights/tasks/{task_id}/redeliver",
    summary="Send a task's message again now (same webhook-id); its attempts start over",
    dependencies=officer,
    responses=problems(401, 403, 404, (409, "the task was acknowledged")),
)
def redeliver(task_id: Ident, rt: RuntimeDep) -> Redelivered:
    with rt.sessions.begin() as session:
        task = RightsTasks(session).redeliver(task_id, rt.now())
        return Redelivered(task_id=task.id, state=task.state.value)


@router.post(
    "/v1/rights/requests/{request_id}/answer",
    summary="Answer a complaint; it is completed with the answer",
    dependencies=officer,
    responses=problems(401, 403, 404, (409, "not an open complaint")),
)
def answer(request_id: Ident, body: TextIn, rt: RuntimeDep) -> RequestOut:
    with rt.sessions.begin() as session:
        at = rt.now()
        return _request(RightsRequests(session, rt.vault).answer(request_id, body.text, at), at)
