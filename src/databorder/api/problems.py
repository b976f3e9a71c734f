"""Errors as RFC 9457 problem details: one shape for every request that failed.

    HTTP/1.1 422 Unprocessable Content
    Content-Type: application/problem+json

    {"type": "https://databorder.dev/problems/invalid-input", "title": "Invalid input",
     "status": 422, "detail": "items.1: Input should be 'name', 'phone', ...",
     "errors": [{"field": "items.1", "reason": "Input should be 'name', 'phone', ..."}]}

`type` names the kind of problem. There is one kind per status the service answers, because
the first level of the error tree (`databorder.errors`) is one class per status; a subclass
says more in `detail` and in its extension members, not in a type of its own. The type is an
absolute URI under https://databorder.dev/problems/, so it means the same wherever an answer
is stored or forwarded (a relative one would resolve against whichever URL served it); it
identifies the kind, it need not resolve. `title` is the kind's fixed summary, `detail` this
occurrence in words. Extension members, present only where they apply:
- `errors`: InvalidInput's fields, each with its reason and, for file imports, its 1-based `row`;
  the schema's own checks (FastAPI's request validation) answer exactly like the services';
- `reason`: Gone's why (`expired`, `revoked`, `consent_withdrawn`, `suspended`, `erased`, ...);
- `retry_after`: TooManyRequests' seconds, also sent as the Retry-After header.
A status outside the tree (405 from the router) answers `about:blank`, titled with the status's
phrase, as RFC 9457 (section 4.2.1) says. A failure that is not a DataborderError is a bug: it
answers 500 with a fixed detail, and what went wrong goes to the log, not to the caller.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema
from starlette.responses import Response

from databorder.errors import DataborderError, Gone, InvalidInput, TooManyRequests

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://databorder.dev/problems/"


@dataclass(frozen=True, slots=True)
class ProblemKind:
    slug: str
    title: str

    @property
    def type(self) -> str:
        return TYPE_BASE + self.slug


KINDS: dict[int, ProblemKind] = {
    400: ProblemKind("bad-request", "Bad request"),
    401: ProblemKind("unauthorized", "Missing or unknown credentials"),
    403: ProblemKind("forbidden", "Not allowed with these credentials"),
    404: ProblemKind("not-found", "Not found"),
    409: ProblemKind("conflict", "Conflicts with what is stored"),
    410: ProblemKind("gone", "No longer available"),
    413: ProblemKind("too-large", "Request body too large"),
    422: ProblemKind("invalid-input", "Invalid input"),
    429: ProblemKind("too-many-requests", "Rate limit exceeded"),
    500: ProblemKind("internal-error", "Internal error"),
}

INTERNAL_DETAIL = "the service failed to answer this request; the failure was logged"


class FieldError(BaseModel):
    field: str = Field(description="The field's dotted path, e.g. `recipient.country`, `items.1`")
    reason: str = Field(description="What was expected and what came")
    row: int | SkipJsonSchema[None] = Field(
        default=None, description="The 1-based data row, for file imports"
    )


class Problem(BaseModel):
    """An error answer, as RFC 9457 problem details (`application/problem+json`).

    The extension members are present only where they apply, never null.
    """

    type: str = Field(
        description="The kind of problem: https://databorder.dev/problems/<kind>, one per status",
        json_schema_extra={"format": "uri"},
    )
    title: str = Field(description="The kind's summary; the same for every problem of a kind")
    status: int = Field(description="The HTTP status code")
    detail: str = Field(description="This occurrence, in words")
    errors: list[FieldError] | SkipJsonSchema[None] = Field(
        default=None, description="Invalid input (422, 400): every field that is wrong, and why"
    )
    reason: str | SkipJsonSchema[None] = Field(
        default=None, description="Gone (410): why access ended, e.g. expired, revoked, erased"
    )
    retry_after: int | SkipJsonSchema[None] = Field(
        default=None, description="Too many requests (429): seconds to wait, as Retry-After"
    )


def _titled(status: int) -> tuple[str, str]:
    kind = KINDS.get(status)
    if kind is None:
        return "about:blank", HTTPStatus(status).phrase
    return kind.type, kind.title


def from_error(exc: DataborderError) -> Problem:
    type_, title = _titled(exc.status)
    return Problem(
        type=type_,
        title=title,
        status=exc.status,
        detail=exc.message,
        errors=(
            [FieldError(field=p.field, reason=p.reason, row=p.row) for p in exc.problems]
            if isinstance(exc, InvalidInput)
            else None
        ),
        reason=exc.reason if isinstance(exc, Gone) else None,
        retry_after=exc.retry_after if isinstance(exc, TooManyRequests) else None,
    )


def from_status(status: int, detail: str) -> Problem:
    """A problem known only by its status, as the router's 404 and 405 are."""
    type_, title = _titled(status)
    return Problem(type=type_, title=title, status=status, detail=detail)


def answer(problem: Problem, headers: Mapping[str, str] | None = None) -> Response:
    """The problem as an HTTP answer; members that do not apply are left out, not null."""
    return Response(
        problem.model_dump_json(exclude_none=True),
        status_code=problem.status,
        headers=headers,
        media_type=MEDIA_TYPE,
    )


# OpenAPI. Routes declare the problems they answer with `problems(...)`; the schema is added
# to the document's components once (`documented`), since FastAPI would file a `model` of an
# extra response under the route's own media type, application/json, not under ours.

_REF_BASE = "#/components/schemas/"
_REF = _REF_BASE + "Problem"


def problems(*answered: int | tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries of the problems a route answers: statuses, or (status, when)."""
    entries: dict[int | str, dict[str, Any]] = {}
    for entry in answered:
        status, when = entry if isinstance(entry, tuple) else (entry, KINDS[entry].title)
        entries[status] = {"description": when, "content": {MEDIA_TYPE: {"schema": {"$ref": _REF}}}}
    return entries


def documented(schema: dict[str, Any]) -> dict[str, Any]:
    """The app's OpenAPI document with the Problem schema, and request validation re-documented.

    FastAPI documents the 422 of every route with parameters as its own HTTPValidationError;
    the app answers those with a Problem (api/errors.py), so each is pointed at Problem and
    FastAPI's schemas for it are dropped.
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template=_REF_BASE + "{model}")
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem
    fastapi_422 = {"application/json": {"schema": {"$ref": _REF_BASE + "HTTPValidationError"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if responses.get("422", {}).get("content") == fastapi_422:
                responses["422"] = problems(422)[422]
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    return schema
