"""The overview (the console's home), the rights requests to follow up, and the log's state."""

from datetime import date

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from databorder.api.deps import RuntimeDep
from databorder.errors import Conflict, InvalidInput
from databorder.gateway.overview import MAX_DAYS, Bucket
from databorder.ledger.verify import verify_log
from databorder.rights.requests import COMPLAINT_MAX_CHARS, RightsRequests
from databorder.web.console import views
from databorder.web.console.base import HOME, ConsoleRoute, Form, SignedIn, console_page, lang_of
from databorder.web.errors import N_, BadQuery, QueryProblem
from databorder.web.params import _Collector, stored_name

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


def _day(given: _Collector, name: str) -> date | None:
    value = given.bounded(name, 10)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        given.problems.append(
            QueryProblem(
                name, N_("expected a date as YYYY-MM-DD, got %(value)s"), {"value": repr(value)}
            )
        )
        return None


@router.get(HOME)
def overview(request: Request, rt: RuntimeDep, officer: SignedIn) -> Response:
    given = _Collector(request.query_params)
    first, last = _day(given, "start"), _day(given, "end")
    bucket = given.choice("bucket", Bucket) or Bucket.DAY
    given.done()
    default_first, default_last = views.default_period(rt.now())
    last = last or default_last
    first = first or min(default_first, last)
    if last < first or (last - first).days >= MAX_DAYS:
        raise BadQuery(
            [
                QueryProblem(
                    "end",
                    N_("the period must end after it starts and last at most %(days)s days"),
                    {"days": MAX_DAYS},
                )
            ]
        )
    with rt.reads() as db:
        view = views.overview_view(db, first, last, bucket, lang_of(request))
    context = {"view": view, "buckets": tuple(Bucket)}
    return console_page(request, "console/overview.html", context, officer)


@router.get("/console/rights")
def rights(request: Request, rt: RuntimeDep, officer: SignedIn) -> Response:
    now = rt.now()
    with rt.reads() as db:
        view = views.rights_view(db, rt.vault, now)
    context = {
        "view": view,
        "now": now,
        "answered": request.query_params.get("answered"),
        "problem": None,
        "max_chars": COMPLAINT_MAX_CHARS,
    }
    return console_page(request, "console/rights.html", context, officer)


@router.post("/console/rights/{request_id}/answer")
def answer(request: Request, request_id: str, rt: RuntimeDep, form: Form) -> Response:
    stored_name("rights request", request_id)
    text = form.fields.get("text", "").strip()
    now = rt.now()
    problem = None
    if not text:
        problem = N_("Write the answer before sending it.")
    elif len(text) > COMPLAINT_MAX_CHARS:
        problem = N_("The answer is too long.")
    else:
        try:
            with rt.sessions.begin() as db:
                done = RightsRequests(db, rt.vault).answer(request_id, text, now)
            return RedirectResponse(
                f"/console/rights?answered={done.tracking_number}", status_code=303
            )
        except (InvalidInput, Conflict):
            problem = N_("This complaint could not be answered: it may have been answered already.")
    with rt.reads() as db:
        view = views.rights_view(db, rt.vault, now)
    context = {
        "view": view,
        "now": now,
        "answered": None,
        "problem": (request_id, problem),
        "max_chars": COMPLAINT_MAX_CHARS,
    }
    return console_page(request, "console/rights.html", context, form.officer, 422)


@router.get("/console/log")
def log(request: Request, rt: RuntimeDep, officer: SignedIn) -> Response:
    with rt.sessions.begin() as db:
        view = views.log_view(db, rt.log, rt.signer)
    context = {"view": view, "verified": None}
    return console_page(request, "console/log.html", context, officer)


@router.post("/console/log/verify")
def verify(request: Request, rt: RuntimeDep, form: Form) -> Response:
    """Recompute every leaf and node and check every signed head (`databorder log verify`):
    it reads the whole log, so it runs when asked, not on every visit."""
    with rt.reads() as db:
        result = verify_log(db, rt.signer.public_key, rt.log)
    with rt.sessions.begin() as db:
        view = views.log_view(db, rt.log, rt.signer)
    context = {"view": view, "verified": result}
    return console_page(request, "console/log.html", context, form.officer)
