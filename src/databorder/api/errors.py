"""Every failed request answers an RFC 9457 problem (api/problems.py), whoever caught it.

FastAPI's own request validation and the services' InvalidInput answer alike, so a client
handles a bad field the same way whether the schema or a service caught it, and a body that
cannot be read at all (not JSON, not even UTF-8) is invalid input like any other; the router's
404 and 405 are problems too. The web pages answer their errors as pages (web/routing.py) before
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


def _unreadable(exc: HTTPException) -> InvalidInput:
    """The body FastAPI could not parse, as the invalid input it is.

    FastAPI answers a body that is not JSON with a validation error (422, `json_invalid`, at
    the offset where it broke), but one that is not even text (bytes that are not UTF-8) with
    a bare 400 that no route's document describes. Both are a body the client got wrong, so
    both answer 422 invalid input.
    """
    cause = exc.__cause__
    if isinstance(cause, UnicodeDecodeError) and isinstance(cause.object, bytes):
        # JSON is UTF-8 (RFC 8259), though the parser guessed UTF-16 or -32 from the first
        # bytes: name the first byte that is not UTF-8.
        try:
            cause.object.decode("utf-8")
        except UnicodeDecodeError as utf8:
            bad = utf8.object[utf8.start]
            return InvalidInput.one("body", f"not UTF-8: byte 0x{bad:02x} at position {utf8.start}")
        return InvalidInput.one("body", "not UTF-8 JSON")
    return InvalidInput.one("body", f"could not be read: {exc.detail}")


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
        if exc.status_code == 400:  # FastAPI could not read the body at all (see _unreadable)
            return problems.answer(problems.from_error(_unreadable(exc)))
        problem = problems.from_status(exc.status_code, str(exc.detail))
        return problems.answer(problem, exc.headers)

    @app.exception_handler(Exception)
    async def _bug(_: Request, exc: Exception) -> Response:
        # Starlette re-raises after answering, so the server logs the traceback too; this line
        # is the structured one, naming only the exception's class (no message, no values).
        LOGGER.error("request failed", exc_info=exc, extra={"event": "api_error"})
        return problems.answer(problems.from_status(500, problems.INTERNAL_DETAIL))
