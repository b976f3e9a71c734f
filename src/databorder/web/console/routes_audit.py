"""The audit in the console: run it, browse a run's findings, download its evidence pack.

`rt.audits` (audit/service.py) does the work; a run answers once its pack is written, so the
page the officer lands on shows what was recorded. The run is recorded as done by
`officer:<username>`, as the API records it for a signed-in officer.
"""

from datetime import date, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from starlette.responses import RedirectResponse, Response

from databorder.api.deps import RuntimeDep
from databorder.audit.exposure import MAX_WON, Sales
from databorder.audit.types import Window
from databorder.errors import InvalidInput
from databorder.gateway.overview import period_bounds
from databorder.runtime import Runtime
from databorder.web.console.base import (
    ConsoleRoute,
    Form,
    Officer,
    SignedIn,
    console_page,
    lang_of,
)
from databorder.web.errors import N_
from databorder.web.params import stored_name

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

BASE = "/console/audit"
RECENT = 20
FINDINGS_SHOWN = 50  # per check; the pack holds every one


def _date(fields: dict[str, str], name: str, problems: list[tuple[str, str]]) -> date | None:
    value = fields.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append((name, N_("Enter a date as YYYY-MM-DD.")))
        return None


def _won(value: str) -> int | None:
    digits = value.replace(",", "").replace(" ", "")
    if not digits.isascii() or not digits.isdigit() or int(digits) > MAX_WON:
        return None
    return int(digits)


def run_request(fields: dict[str, str]) -> tuple[Window, Sales | None, list[tuple[str, str]]]:
    """The form as a window (Korea's days, both included) and the sales, or its problems."""
    problems: list[tuple[str, str]] = []
    first, last = _date(fields, "start", problems), _date(fields, "end", problems)
    start: datetime | None = period_bounds(first, first)[0] if first else None
    end: datetime | None = period_bounds(last, last)[1] if last else None
    if start is not None and end is not None and end <= start:
        problems.append(("end", N_("The end date must not be before the start date.")))
    annual_text = [fields.get(f"sales_{n}", "").strip() for n in (1, 2, 3)]
    unrelated_text = fields.get("unrelated", "").strip()
    sales = None
    if any(annual_text) or unrelated_text:
        annual = [_won(v) for v in annual_text if v]
        unrelated = _won(unrelated_text) if unrelated_text else None
        if not annual or any(v is None for v in annual):
            problems.append(("sales_1", N_("Enter each year's sales in whole won.")))
        if unrelated is None:
            problems.append(("unrelated", N_("Enter the unrelated sales in whole won.")))
        if not problems:
            try:
                sales = Sales(tuple(v for v in annual if v is not None), unrelated or 0)
            except InvalidInput:
                problems.append(("sales_1", N_("Enter each year's sales in whole won.")))
    window = Window(start, end) if not problems else Window()
    return window, sales, problems


def _runs_page(
    request: Request,
    rt: Runtime,
    officer: Officer,
    problems: list[tuple[str, str]],
    fields: dict[str, str],
    status: int,
) -> Response:
    context = {
        "runs": rt.audits.recent(RECENT),
        "problems": problems,
        "fields": fields,
        "lang": lang_of(request),
    }
    return console_page(request, "console/audit.html", context, officer, status)


@router.get(BASE)
def audit_runs(request: Request, rt: RuntimeDep, officer: SignedIn) -> Response:
    return _runs_page(request, rt, officer, [], {}, 200)


@router.post(BASE + "/runs")
def start_run(request: Request, rt: RuntimeDep, form: Form) -> Response:
    fields = form.fields
    window, sales, problems = run_request(fields)
    if problems:
        return _runs_page(request, rt, form.officer, problems, fields, 422)
    run = rt.audits.run(f"officer:{form.officer.username}", window, sales)
    return RedirectResponse(f"{BASE}/runs/{run.id}", status_code=303)


@router.get(BASE + "/runs/{run_id}")
def audit_run(request: Request, run_id: str, rt: RuntimeDep, officer: SignedIn) -> Response:
    stored_name("audit run", run_id)
    run = rt.audits.get(run_id)
    report = rt.audits.findings(run_id)
    lang = lang_of(request)
    checks = [
        {
            "id": c["id"],
            "article": c["article"],
            "severity": c["severity"],
            "title": c["title"].get(lang) or c["title"].get("en", c["id"]),
            "count": c["count"],
            "first_leaf_index": c.get("first_leaf_index"),
            "findings": c["findings"][:FINDINGS_SHOWN],
        }
        for c in report.get("checks", [])
    ]
    context = {
        "run": run,
        "checks": checks,
        "failing": [c for c in checks if c["count"]],
        "shown": FINDINGS_SHOWN,
        "window_end": run.window.end - timedelta(seconds=1) if run.window.end else None,
    }
    return console_page(request, "console/audit_run.html", context, officer)


@router.get(BASE + "/runs/{run_id}/pack")
def audit_pack(run_id: str, rt: RuntimeDep, officer: SignedIn) -> Response:
    stored_name("audit run", run_id)
    path = rt.audits.pack_path(run_id)
    return FileResponse(path, media_type="application/gzip", filename=path.name)
