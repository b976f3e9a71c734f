"""The headers every answer carries, the API's included, whoever answered it.

Every answer says `X-Content-Type-Options: nosniff`; every answer under /v1 and /me, where
personal data is answered (a grant token, a relayed number, a buyer's own disclosures), says
`Cache-Control: no-store` unless its route set a policy itself. The rule goes by path rather than
route by route so that a new route, an error answer or a 404 is covered without anyone
remembering to. The pages add their stricter set themselves (`web/headers.py`).

It wraps the whole application, outside Starlette's ServerErrorMiddleware, so the 500 answered
for an unexpected exception carries the headers too.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from databorder.web.headers import EVERY_ANSWER, NO_STORE

PRIVATE_PREFIXES = ("/v1", "/me")


def private(path: str) -> bool:
    """Whether answers at `path` may carry personal data (`/metrics` is not `/me`)."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PRIVATE_PREFIXES)


class SecuredAnswers:
    """Plain ASGI middleware: sets the headers on the response's start message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = private(scope["path"])

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in EVERY_ANSWER.items():
                    headers.setdefault(name, value)
                if no_store:
                    headers.setdefault("Cache-Control", NO_STORE)
            await send(message)

        await self.app(scope, receive, sending)


__all__ = ["PRIVATE_PREFIXES", "SecuredAnswers", "private"]
