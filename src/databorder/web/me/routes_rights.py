"""The rights that become tracked requests: correct, download, delete, complain, and the list.

Every POST is a signed-in form with a CSRF token bound to the session; each calls the rights
engine once with the session's buyer and answers with the request's receipt (303 to
/me/requests/{id}), so a reload never repeats an action.
"""

import json
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request, Response
from starlette.responses import RedirectResponse

from databorder.api.deps import RuntimeDep
from databorder.errors import InvalidInput, NotFound
from databorder.model import DataItem
from databorder.rights import CORRECTABLE, RequestKind
from databorder.web.me import actions, views
from databorder.web.me.center import (
    CenterDep,
    MeForm,
    MeRoute,
    SignedIn,
    SignedInAny,
    me_page,
    require_fresh,
)
from databorder.web.me.downloads import FORMATS, check_download, download_token, expiry_of
from databorder.web.params import stored_name

router = APIRouter(route_class=MeRoute, include_in_schema=False)

# The correction form's fields, in the order a buyer reads them.
CORRECTION_FIELDS = tuple(
    i
    for i in (
        DataItem.NAME,
        DataItem.PHONE,
        DataItem.EMAIL,
        DataItem.ADDRESS,
        DataItem.POSTAL_CODE,
    )
    if i in CORRECTABLE
)
COMPLAINT_MAX = 5000
_RECEIPT = "/me/requests/{}"


def _receipt_url(request_id: str) -> str:
    return _RECEIPT.format(quote(request_id, safe=""))


# --- correct my data (Art. 36) --------------------------------------------------------------------


@router.get("/me/correct")
def correction_form(request: Request, rt: RuntimeDep, pc: CenterDep, me: SignedIn) -> Response:
    with rt.sessions() as db:
        values = actions.current_values(db, rt.vault, me.buyer_id, frozenset(CORRECTION_FIELDS))
    context = {"fields": CORRECTION_FIELDS, "values": values, "problems": {}, "unchanged": False}
    return me_page(request, "me/correct.html", context, me, pc)


@router.post("/me/correct")
def correct(request: Request, rt: RuntimeDep, pc: CenterDep, form: MeForm) -> Response:
    me = form.me
    submitted = {
        i.value: form.fields.get(i.value, "").strip()
        for i in CORRECTION_FIELDS
        if i.value in form.fields
    }
    with rt.sessions() as db:
        before = actions.current_values(db, rt.vault, me.buyer_id, frozenset(CORRECTION_FIELDS))
    changed = {k: v for k, v in submitted.items() if v != before.get(k, "")}
    problems: dict[str, str] = {}
    if changed:
        try:
            with rt.sessions.begin() as db:
                rights = actions.engine(db, rt.vault, pc.deadline_days)
                receipt = actions.correct(rights, me.buyer_id, changed, rt.now())
            return RedirectResponse(_receipt_url(receipt.id), status_code=303)
        except InvalidInput as exc:
            # The engine says what is wrong in English per `changes.<item>`; the page says it
            # in the reader's language, one sentence per field (templates/me/correct.html).
            problems = {p.field.removeprefix("changes."): p.reason for p in exc.problems}
    context = {
        "fields": CORRECTION_FIELDS,
        "values": {**before, **submitted},
        "problems": problems,
        "unchanged": not changed,
    }
    return me_page(request, "me/correct.html", context, me, pc, status=422 if problems else 200)


# --- download my data (Art. 35) ---------------------------------------------------------------


@router.get("/me/download")
def download_page(request: Request, rt: RuntimeDep, pc: CenterDep, me: SignedIn) -> Response:
    token = request.query_params.get("link")
    now = rt.now()
    links = None
    expires = None
    if token and check_download(token, pc.keys.session, me.buyer_id, now).ok:
        expires = expiry_of(token, pc.keys.session)
        links = {fmt: f"/me/download/{fmt}?{urlencode({'link': token})}" for fmt in FORMATS}
    context = {
        "links": links,
        "expires": expires,
        # A link that no longer works, followed here or bounced from a download (`expired=1`).
        "expired": (bool(token) and links is None) or request.query_params.get("expired") == "1",
        "minutes": pc.download_seconds // 60,
    }
    return me_page(request, "me/download.html", context, me, pc)


@router.post("/me/download")
def make_download_link(rt: RuntimeDep, pc: CenterDep, form: MeForm) -> Response:
    token = download_token(form.me.buyer_id, pc.keys.session, rt.now(), pc.download_seconds)
    return RedirectResponse("/me/download?" + urlencode({"link": token}), status_code=303)


@router.get("/me/download/{fmt}")
def download(fmt: str, request: Request, rt: RuntimeDep, pc: CenterDep, me: SignedIn) -> Response:
    if fmt not in FORMATS:
        raise NotFound("download format", fmt)
    now = rt.now()
    check = check_download(request.query_params.get("link", ""), pc.keys.session, me.buyer_id, now)
    if not check.ok:
        # Another buyer's link, a forged one or an old one: the same answer, a page that
        # offers a new link (an expired link is not evidence of anything).
        return RedirectResponse("/me/download?expired=1", status_code=303)
    with rt.sessions.begin() as db:
        document = actions.engine(db, rt.vault, pc.deadline_days).export(me.buyer_id, now)
    stamp = now.strftime("%Y%m%d")
    if fmt == "json":
        body = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
        media = "application/json"
    else:
        body = actions.export_csv(document)
        media = "text/csv; charset=utf-8"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="my-data-{stamp}.{fmt}"'},
    )


# --- delete my account (Art. 36, 38(4)) ----------------------------------------------------------


@router.get("/me/delete")
def delete_page(request: Request, rt: RuntimeDep, pc: CenterDep, me: SignedIn) -> Response:
    # Asked before the button is shown, not after it is pressed: a buyer who must sign in
    # again learns it before deciding, and the button then works the first time.
    require_fresh(me, rt.now(), "erasure")
    with rt.sessions() as db:
        recipients = views.ever_received(db, me.buyer_id)
    context = {"recipients": recipients, "deadline_days": pc.deadline_days}
    return me_page(request, "me/delete.html", context, me, pc)


@router.post("/me/delete")
def delete(rt: RuntimeDep, pc: CenterDep, form: MeForm) -> Response:
    now = rt.now()
    require_fresh(form.me, now, "erasure")
    with rt.sessions.begin() as db:
        receipt = actions.engine(db, rt.vault, pc.deadline_days).erase(form.me.buyer_id, now)
    return RedirectResponse(_receipt_url(receipt.id), status_code=303)


# --- complaints -----------------------------------------------------------------------------------


@router.get("/me/complaints")
def complaints(request: Request, rt: RuntimeDep, pc: CenterDep, me: SignedIn) -> Response:
    with rt.sessions() as db:
        filed = [
            r
            for r in actions.engine(db, rt.vault, pc.deadline_days).for_subject(me.buyer_id)
            if r.kind is RequestKind.COMPLAINT
        ]
    context = {"filed": filed, "text": "", "problem": None, "limit": COMPLAINT_MAX}
    return me_page(request, "me/complaints.html", context, me, pc)


@router.post("/me/complaints")
def complain(request: Request, rt: RuntimeDep, pc: CenterDep, form: MeForm) -> Response:
    text = form.fields.get("text", "")
    problem = None
    if not text.strip():
        problem = "empty"
    elif len(text.strip()) > COMPLAINT_MAX:
        problem = "long"
    else:
        with rt.sessions.begin() as db:
            receipt = actions.engine(db, rt.vault, pc.deadline_days).complain(
                form.me.buyer_id, text, rt.now()
            )
        return RedirectResponse(_receipt_url(receipt.id), status_code=303)
    context = {
        "filed": [],
        "text": text[: COMPLAINT_MAX * 2],
        "problem": problem,
        "limit": COMPLAINT_MAX,
    }
    return me_page(request, "me/complaints.html", context, form.me, pc, status=422)


# --- my requests --------------------------------------------------------------------------------


@router.get("/me/requests")
def my_requests(request: Request, rt: RuntimeDep, pc: CenterDep, me: SignedInAny) -> Response:
    with rt.sessions() as db:
        receipts = actions.engine(db, rt.vault, pc.deadline_days).for_subject(me.buyer_id)
    context = {"receipts": receipts, "now": rt.now()}
    return me_page(request, "me/requests.html", context, me, pc)


@router.get("/me/requests/{request_id}")
def one_request(
    request_id: str, request: Request, rt: RuntimeDep, pc: CenterDep, me: SignedInAny
) -> Response:
    stored_name("request", request_id)
    with rt.sessions() as db:
        receipt = actions.engine(db, rt.vault, pc.deadline_days).receipt(me.buyer_id, request_id)
    context = {"r": receipt, "now": rt.now()}
    return me_page(request, "me/receipt.html", context, me, pc)
