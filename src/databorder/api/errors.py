"""Every failed request answers an RFC 9457 problem (api/problems.py), whoever caught it.

FastAPI's own request validation and the services' InvalidInput answer alike, so a client
handles a bad field the same way whether the schema or a service caught it; the router's 404
and 405 are problems too. The web pages answer their errors as pages (web/routing.py) before
any of these handlers sees them.
"""

from collections.abc import Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from databorder.api import problems
from databorder.api.observability import LOGGER
from databorder.errors import DataborderError, InvalidInput, TooManyRequests, field_problem

_LOCATIONS = {"body", "query", "path", "header", "cookie"}


def _field(loc: Sequence[object]) -> Sequence[object]:
    """The field's path without FastAPI's leading location: `items.1`, not `body.items.1`."""
    if loc and loc[0] in _LOCATIONS:
        return loc[1:] or loc
    return loc


def _headers(exc: DataborderError) -> dict[str, str] | None:
    if isinstance(exc, TooManyRequests):
        return {"Retry-After": str(exc.retry_after)}
    if exc.status == 401:
        return {"WWW-Authenticate": "Bearer"}
    return None


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        invalid = InvalidInput(
            [field_problem(_field(e["loc"]), str(e["msg"])) for e in exc.errors()]
        )
        return problems.answer(problems.from_error(invalid))

    @app.exception_handler(DataborderError)
    async def _service(_: Request, exc: DataborderError) -> Response:
        if exc.status >= 500:  # meant for the caller, and a sign of damage the operator must see
            LOGGER.error("request failed", exc_info=exc, extra={"event": "api_error"})
        return problems.answer(problems.from_error(exc), _headers(exc))

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> Response:
        if exc.status_code in {204, 304}:  # answers without a body, as FastAPI's own handler
            return Response(status_code=exc.status_code, headers=exc.headers)
        problem = problems.from_status(exc.status_code, str(exc.detail))
        return problems.answer(problem, exc.headers)

    @app.exception_handler(Exception)
    async def _bug(_: Request, exc: Exception) -> Response:
        # Starlette re-raises after answering, so the server logs the traceback too; this line
        # is the structured one, naming only the exception's class (no message, no values).
        LOGGER.error("request failed", exc_info=exc, extra={"event": "api_error"})
        return problems.answer(problems.from_status(500, problems.INTERNAL_DETAIL))
