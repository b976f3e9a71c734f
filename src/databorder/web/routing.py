"""The route class of every web page: errors become friendly pages, every answer is secured.

The API answers errors as JSON (`api/errors.py`); a person following a link should instead read,
in their language, what went wrong and where to go next, with the right status code. Catching
here rather than in an app-wide handler keeps the API's answers exactly as they were, and puts
the security headers on every web response, error pages included, without a middleware.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import Response

from databorder import i18n
from databorder.api.observability import LOGGER, TemplatedRoute
from databorder.errors import DataborderError, NotFound
from databorder.web import language
from databorder.web.errors import BadQuery, CsrfRejected, NothingPublished, QueryProblem
from databorder.web.headers import secure
from databorder.web.params import FIELD_LABELS
from databorder.web.render import page


def explain(problem: QueryProblem, lang: str) -> tuple[str, str]:
    """A problem as the reader reads it: the field's name and the reason, in `lang`."""
    gettext = i18n.gettext(lang, "web")
    field = gettext(FIELD_LABELS[problem.field]) if problem.field in FIELD_LABELS else problem.field
    reason = gettext(problem.reason)
    return field, reason % dict(problem.values) if problem.values else reason


def error_page(request: Request, exc: DataborderError) -> Response:
    lang = language.choose(request)
    problems = exc.query_problems if isinstance(exc, BadQuery) else ()
    context = {
        "status": exc.status,
        "problems": [explain(p, lang) for p in problems],
        "unpublished": isinstance(exc, NothingPublished),
        "missing": exc.ident if isinstance(exc, NotFound) else None,
        "csrf": isinstance(exc, CsrfRejected),
    }
    return page(request, "error.html", context, status=exc.status)


class WebRoute(TemplatedRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answered(request: Request) -> Response:
            try:
                response = await handler(request)
            except DataborderError as exc:
                response = error_page(request, exc)
            except RequestValidationError as exc:
                # Handlers take their parameters as plain strings and validate them themselves;
                # this only catches a parameter declared with a type by mistake.
                fields = [QueryProblem(str(e["loc"][-1]), str(e["msg"])) for e in exc.errors()]
                response = error_page(request, BadQuery(fields))
            except Exception:
                LOGGER.exception("web page failed", extra={"event": "web_error"})
                response = error_page(request, DataborderError("internal error"))
            secure(response.headers)
            return response

        return answered


__all__ = ["WebRoute", "error_page"]
