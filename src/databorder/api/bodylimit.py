"""Request bodies above `DATABORDER_MAX_BODY_BYTES` are refused with 413 before they are read.

FastAPI reads and parses a route's whole body before it checks the caller's credentials, so
without a cap anyone could make a worker take in a 100 MB body only to answer 401. This plain
ASGI middleware (see observability._Observed for why not BaseHTTPMiddleware) sits in front of
routing and authentication:
- a declared Content-Length over the cap is answered 413 at once, without reading a byte;
- a body without one (chunked) is counted as the app reads it, and the read that passes the cap
  fails with 413 instead of handing the app more.
Either way the answer is an RFC 9457 problem and says `Connection: close`, so the server stops
waiting for the rest of the body.
"""

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from databorder.api import problems

_CLOSE = {"Connection": "close"}


class BodyTooLarge(HTTPException):
    """413. An HTTPException, so that raised from `receive` inside a route's body parsing it
    reaches the app's handler (api/errors.py) as itself: FastAPI turns other exceptions raised
    while it reads a body into a 400."""

    def __init__(self, cap: int) -> None:
        super().__init__(413, f"the request body is larger than {cap} bytes", dict(_CLOSE))


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def receiving() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        except BodyTooLarge:
            # Read by something outside the app's handlers (a middleware); answer it here.
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        refused = BodyTooLarge(self.max_bytes)
        problem = problems.from_status(refused.status_code, refused.detail)
        await problems.answer(problem, refused.headers)(scope, receive, send)


__all__ = ["BodyLimit", "BodyTooLarge"]
