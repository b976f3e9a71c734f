"""The web pages' own errors, in the project's tree, and what a reader is told about each.

DataborderError                       (databorder.errors)
 ├── InvalidInput        422
 │    └── BadQuery       400: a page's query parameter is unknown or malformed (which, and why)
 ├── NotFound            404: no such version, page or file
 │    └── NothingPublished  404: a download asked for before any version was published
 └── Forbidden           403
      └── CsrfRejected   403: a form came without a valid token (the verdict says which part)

A page's query is part of the request line, not a body to be processed: a wrong one answers 400,
like any malformed request, and the page says which field was wrong and why, in the reader's
language. That is why a problem carries a message id and its values rather than a finished
sentence: the sentence is made when the page is rendered, in Korean or English.
"""

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from databorder.errors import FieldProblem, Forbidden, InvalidInput, NotFound
from databorder.web.csrf import CsrfCheck


def N_(message: str) -> str:  # noqa: N802 (gettext's own name for the marker, which Babel looks for)
    """Marks an English message id for extraction; it is translated where it is shown."""
    return message


@dataclass(frozen=True, slots=True)
class QueryProblem:
    """One wrong parameter: its name, and why (an English message id, with its values)."""

    field: str
    reason: str
    values: Mapping[str, str | int] = dataclasses.field(default_factory=dict)

    def english(self) -> str:
        return self.reason % dict(self.values) if self.values else self.reason


class BadQuery(InvalidInput):
    status = 400

    def __init__(self, problems: Sequence[QueryProblem]) -> None:
        self.query_problems = tuple(problems)
        super().__init__([FieldProblem(p.field, p.english()) for p in self.query_problems])


class NothingPublished(NotFound):
    def __init__(self) -> None:
        super().__init__("published notice version", "(none yet)")


class CsrfRejected(Forbidden):
    def __init__(self, check: CsrfCheck) -> None:
        super().__init__(f"form refused ({check.verdict}): {check.reason}")
        self.check = check


__all__ = ["N_", "BadQuery", "CsrfRejected", "NothingPublished", "QueryProblem"]
