"""The errors every service raises; the HTTP and CLI adapters map them to answers.

Every failure a service means to report is one of these: the HTTP API answers each as an
RFC 9457 problem whose `type` follows from its status (`api/problems.py`), the CLI exits with
the code its status maps to. Anything else that escapes is a bug, answered 500 without details.
A domain's own subclass lives beside the service that raises it and keeps its kind's status
(BadQuery alone narrows 422 to 400); the web pages' subclasses are drawn in web/errors.py.

DataborderError          500: the service cannot do it, and the caller cannot fix it
 ├── InvalidInput        422: one or more (field, reason) problems; nothing was written
 │    └── BadQuery       400: a web page's query parameter (web/errors.py)
 ├── NotFound            404: no such order/recipient/... (or not visible to this caller)
 │    └── NothingPublished  404: no notice version yet (web/errors.py)
 ├── Conflict            409: the request contradicts stored state (e.g. duplicate id)
 ├── Unauthorized        401: missing or unknown credential
 ├── Forbidden           403: a known credential without the right (a scope it lacks)
 │    └── CsrfRejected   403: a web form without a valid token (web/errors.py)
 ├── Gone                410: the grant existed but expired or was revoked (with the reason)
 │    └── ShreddedError  410: the buyer was erased, their data key destroyed (vault/service.py)
 ├── TooManyRequests     429: a recipient over its rate limit (with when to retry)
 └── NoticeIntegrityError  500: a published notice no longer rebuilds to its bytes (notices/store.py)
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str
    reason: str
    row: int | None = None  # 1-based data row, for file imports

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {self.reason}"


class DataborderError(Exception):
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DataborderError):
    status = 422

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    @classmethod
    def one(cls, field: str, reason: str) -> "InvalidInput":
        return cls([FieldProblem(field, reason)])

    @classmethod
    def from_pydantic(
        cls, exc: ValidationError, row: int | None = None, prefix: str = ""
    ) -> "InvalidInput":
        return cls(problems_from_pydantic(exc, row, prefix))


def field_problem(
    loc: Sequence[object], msg: str, row: int | None = None, prefix: str = ""
) -> FieldProblem:
    """One pydantic error as a problem: its location dotted, without pydantic's prefix."""
    field = ".".join(str(p) for p in loc) or "(body)"
    return FieldProblem(prefix + field, msg.removeprefix("Value error, "), row)


def problems_from_pydantic(
    exc: ValidationError, row: int | None = None, prefix: str = ""
) -> list[FieldProblem]:
    return [field_problem(error["loc"], str(error["msg"]), row, prefix) for error in exc.errors()]


class NotFound(DataborderError):
    status = 404

    def __init__(self, what: str, ident: str) -> None:
        super().__init__(f"{what} {ident!r} not found")
        self.what = what
        self.ident = ident


class Conflict(DataborderError):
    status = 409


class Unauthorized(DataborderError):
    status = 401


class Forbidden(DataborderError):
    """Not an Unauthorized: the caller is known, and presenting the credential again won't help."""

    status = 403


class Gone(DataborderError):
    status = 410

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class TooManyRequests(DataborderError):
    status = 429

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limit exceeded; retry after {math.ceil(retry_after)} s")
        self.retry_after = math.ceil(retry_after)  # whole seconds, as Retry-After wants
