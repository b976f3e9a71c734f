"""The errors every service raises; the HTTP and CLI adapters map them to answers.

DataborderError
 ├── InvalidInput   422: one or more (field, reason) problems; nothing was written
 ├── NotFound       404: no such order/recipient/... (or not visible to this caller)
 ├── Conflict       409: the request contradicts stored state (e.g. duplicate id)
 ├── Unauthorized   401: missing or unknown credential
 └── Gone           410: the grant existed but expired or was revoked (with the reason)
"""

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


def problems_from_pydantic(
    exc: ValidationError, row: int | None = None, prefix: str = ""
) -> list[FieldProblem]:
    problems = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "(body)"
        reason = str(error["msg"]).removeprefix("Value error, ")
        problems.append(FieldProblem(prefix + field, reason, row))
    return problems


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


class Gone(DataborderError):
    status = 410

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
