"""The registry in the console: search, one recipient, create, edit, webhook, CSV import, and
what changed since the last published notice. Handlers translate; the registry decides."""

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from databorder.api.deps import RuntimeDep
from databorder.errors import Conflict, InvalidInput
from databorder.model import Purpose, RecipientRole
from databorder.notices import diff
from databorder.notices.diff import render_diff_html
from databorder.notices.store import NoticeStore
from databorder.registry.schemas import RecipientUpdate
from databorder.registry.services import CSV_COLUMNS, RegistryService
from databorder.rights.webhooks import RecipientWebhooks
from databorder.web.console import registry
from databorder.web.console.base import (
    ConsoleRoute,
    Form,
    Officer,
    SignedIn,
    console_page,
    lang_of,
)
from databorder.web.errors import N_
from databorder.web.params import MAX_QUERY, _Collector, stored_name

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

BASE = "/console/registry"


def _form_page(
    request: Request,
    officer: Officer,
    form: dict[str, Any],
    problems: list[registry.Problem],
    editing: str | None,
    status: int = 200,
) -> Response:
    """The create or edit form, with each problem beside its field (422) or none (200)."""
    context: dict[str, Any] = {
        "form": form,
        "problems": problems,
        "by_field": registry.by_field(problems),
        "editing": editing,
        "roles": tuple(RecipientRole),
        "purposes": tuple(Purpose),
    }
    return console_page(request, "console/recipient_form.html", context, officer, status)


def _import_page(
    request: Request,
    officer: Officer,
    problems: list[registry.Problem],
    csv_text: str,
    imported: tuple[int, int] | None,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "columns": CSV_COLUMNS,
        "problems": problems,
        "csv_text": csv_text,
        "imported": imported,
    }
    return console_page(request, "console/import.html", context, officer, status)


def _recipient_page(
    request: Request,
    rt: RuntimeDep,
    officer: Officer,
    recipient_id: str,
    problems: list[registry.Problem],
    hook_url: str | None = None,
    status: int = 200,
) -> Response:
    with rt.reads() as db:
        view = registry.one(db, RegistryService(db).get(recipient_id), rt.now())
    context: dict[str, Any] = {
        "view": view,
        "saved": request.query_params.get("saved") == "1",
        "hook_saved": request.query_params.get("webhook") == "1",
        "problems": problems,
        "hook_url": view.webhook_url or "" if hook_url is None else hook_url,
    }
    return console_page(request, "console/recipient.html", context, officer, status)


@router.get(BASE)
def registry_list(request: Request, rt: RuntimeDep, officer: SignedIn) -> Response:
    given = _Collector(request.query_params)
    q = given.bounded("q", MAX_QUERY) or ""
    country = given.country("country")
    role = given.choice("role", RecipientRole)
    page = given.page("page")
    given.done()
    with rt.reads() as db:
        found = registry.search(db, q, country, role, page)
    filters = {k: v for k, v in (("q", q), ("country", country), ("role", role)) if v}

    def page_url(n: int) -> str:
        return f"{BASE}?{urlencode({**filters, 'page': n})}"

    context = {
        "found": found,
        "q": q,
        "country": country or "",
        "role": role or "",
        "roles": tuple(RecipientRole),
        "previous_url": page_url(found.page - 1) if found.page > 1 else None,
        "next_url": page_url(found.page + 1) if found.page < found.pages else None,
    }
    return console_page(request, "console/registry.html", context, officer)


@router.get(BASE + "/new")
def new_recipient(request: Request, officer: SignedIn) -> Response:
    return _form_page(request, officer, registry.blank_form(), [], None)


@router.post(BASE + "/new")
def create_recipient(request: Request, rt: RuntimeDep, form: Form) -> Response:
    purposes = registry.purposes_of(form.pairs)
    checked = registry.validated(registry.form_values(form.fields, purposes))
    if not isinstance(checked, list):
        try:
            with rt.sessions.begin() as db:
                RegistryService(db).create(checked, rt.now())
            return RedirectResponse(f"{BASE}/{quote(checked.id)}?saved=1", status_code=303)
        except Conflict:
            checked = [registry.Problem("id", N_("A recipient with this id exists already."), True)]
    return _form_page(
        request, form.officer, registry.refill(form.fields, purposes), checked, None, 422
    )


@router.get(BASE + "/import")
def import_form(request: Request, officer: SignedIn) -> Response:
    return _import_page(request, officer, [], "", None)


@router.post(BASE + "/import")
def import_csv(request: Request, rt: RuntimeDep, form: Form) -> Response:
    text = form.fields.get("csv_text", "")
    try:
        with rt.sessions.begin() as db:
            created, updated = RegistryService(db).import_csv(text, rt.now())
    except InvalidInput as exc:
        problems = registry.from_field_problems(exc.problems)
        return _import_page(request, form.officer, problems, text, None, 422)
    return _import_page(request, form.officer, [], "", (created, updated))


@router.get(BASE + "/changes")
def changes(request: Request, rt: RuntimeDep, officer: SignedIn) -> Response:
    """The registry as it stands against the last published version: what publishing now
    would change, and which of those changes need buyers' fresh consent."""
    now = rt.now()
    with rt.reads() as db:
        store = NoticeStore(db, home_country=rt.engine.pack.home_country)
        published = store.versions()
        latest = published[0] if published else None
        old = store.snapshot(latest.version) if latest is not None else None
        current = rt.publisher.snapshot(db, "unpublished", now)
    found = diff(old, current)
    context = {
        "latest": latest,
        "fragment": Markup(render_diff_html(found, lang_of(request))),  # noqa: S704 (our own template's output, autoescaped)
        "needs_fresh_consent": found.needs_fresh_consent,
    }
    return console_page(request, "console/changes.html", context, officer)


@router.get(BASE + "/{recipient_id}")
def recipient(request: Request, recipient_id: str, rt: RuntimeDep, officer: SignedIn) -> Response:
    stored_name("recipient", recipient_id)
    return _recipient_page(request, rt, officer, recipient_id, [])


@router.get(BASE + "/{recipient_id}/edit")
def edit_form(request: Request, recipient_id: str, rt: RuntimeDep, officer: SignedIn) -> Response:
    stored_name("recipient", recipient_id)
    with rt.reads() as db:
        stored = registry.one(db, RegistryService(db).get(recipient_id), rt.now()).recipient
    return _form_page(request, officer, registry.as_form(stored), [], recipient_id)


@router.post(BASE + "/{recipient_id}/edit")
def edit(request: Request, recipient_id: str, rt: RuntimeDep, form: Form) -> Response:
    stored_name("recipient", recipient_id)
    purposes = registry.purposes_of(form.pairs)
    values = registry.form_values(form.fields, purposes) | {"id": recipient_id}
    checked = registry.validated(values)
    if not isinstance(checked, list):
        changes = RecipientUpdate.model_validate(checked.model_dump(exclude={"id"}))
        with rt.sessions.begin() as db:
            RegistryService(db).update(recipient_id, changes, rt.now())
        return RedirectResponse(f"{BASE}/{quote(recipient_id)}?saved=1", status_code=303)
    shown = registry.refill(form.fields, purposes) | {"id": recipient_id}
    return _form_page(request, form.officer, shown, checked, recipient_id, 422)


@router.post(BASE + "/{recipient_id}/webhook")
def put_webhook(request: Request, recipient_id: str, rt: RuntimeDep, form: Form) -> Response:
    stored_name("recipient", recipient_id)
    url = form.fields.get("url", "").strip()
    secret = form.fields.get("secret", "").strip()
    try:
        with rt.sessions.begin() as db:
            RecipientWebhooks(db).put(recipient_id, url, secret, rt.now())
    except InvalidInput as exc:
        problems = registry.from_field_problems(exc.problems)
        return _recipient_page(request, rt, form.officer, recipient_id, problems, url, 422)
    return RedirectResponse(f"{BASE}/{quote(recipient_id)}?webhook=1#webhook", status_code=303)
