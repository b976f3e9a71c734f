"""One error shape for every route: `{"detail": [{"field", "reason"}], "error": ...}`.

FastAPI's own validation errors and the services' errors are answered alike, so a client
handles a bad field the same way whether the schema or a service caught it.
"""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from databorder.api.ratelimit import TooManyRequests
from databorder.errors import DataborderError, Gone, InvalidInput


def _field(loc: tuple[object, ...] | list[object]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] or parts
    return ".".join(parts) or "(body)"


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [
            {"field": _field(e["loc"]), "reason": str(e["msg"]).removeprefix("Value error, ")}
            for e in exc.errors()
        ]
        return JSONResponse({"error": "invalid_input", "detail": detail}, status_code=422)

    @app.exception_handler(DataborderError)
    async def _service(_: Request, exc: DataborderError) -> JSONResponse:
        body: dict[str, object] = {"error": type(exc).__name__, "message": exc.message}
        if isinstance(exc, InvalidInput):
            body["error"] = "invalid_input"
            body["detail"] = [
                {"field": p.field, "reason": p.reason, "row": p.row} for p in exc.problems
            ]
        if isinstance(exc, Gone):
            body["reason"] = exc.reason
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if isinstance(exc, TooManyRequests):
            headers = {"Retry-After": str(exc.retry_after)}
            body["retry_after"] = exc.retry_after
        return JSONResponse(body, status_code=exc.status, headers=headers)
