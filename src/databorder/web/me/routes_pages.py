"""Home, my data abroad and at home (with each row's log proof), consents, stop transfers."""

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.responses import RedirectResponse

from databorder.api.deps import RuntimeDep
from databorder.errors import Conflict, NotFound
from databorder.marketplace.models import Buyer
from databorder.model.fields import is_ident
from databorder.rights import Receipt
from databorder.runtime import Runtime
from databorder.web.headers import CONTENT_SECURITY_POLICY
from databorder.web.me import actions, views
from databorder.web.me.center import (
    CenterDep,
    MeForm,
    MeRoute,
    PrivacyCenter,
    SignedIn,
    me_page,
    require_fresh,
)
from databorder.web.me.params import data_filters
from databorder.web.me.proofs import disclosure_bundle, disclosure_proof
from databorder.web.params import stored_name

router = APIRouter(route_class=MeRoute, include_in_schema=False)

# The proof check fetches its bundle from this site: the one page whose policy allows it.
PROOF_PAGE_POLICY = CONTENT_SECURITY_POLICY + "; connect-src 'self'"


@router.get("/me")
def home(request: Request, rt: RuntimeDep, pc: CenterDep, me: SignedIn) -> Response:
    with rt.sessions() as db:
        buyer = db.get(Buyer, me.buyer_id)
        assert buyer is not None  # noqa: S101 (signed_in checked it)
        view = views.home(db, buyer, rt.engine.pack.home_country)
    return me_page(request, "me/home.html", {"view": view}, me, pc)


@router.get("/me/recipients")
def my_data(request: Request, rt: RuntimeDep, pc: CenterDep, me: SignedIn) -> Response:
    country, state = data_filters(request.query_params)
    with rt.sessions() as db:
        view = views.my_data(db, me.buyer_id, rt.engine.pack.home_country, rt.now(), country, state)
    response = me_page(
        request, "me/recipients.html", {"view": view, "states": tuple(views.GrantState)}, me, pc
    )
    response.headers["Content-Security-Policy"] = PROOF_PAGE_POLICY
    return response


@router.get("/me/proofs/{disclosure_id}")
def proof(disclosure_id: str, rt: RuntimeDep, me: SignedIn) -> Response:
    stored_name("disclosure", disclosure_id)
    # A transaction: the proof may need a newly signed head that covers its leaf.
    with rt.sessions.begin() as db:
        witnesses = [w.verifier for w in rt.witnessing.witnesses]
        now = int(rt.now().timestamp())
        bundle = disclosure_proof(db, rt.signer, witnesses, me.buyer_id, disclosure_id, now)
    return JSONResponse(bundle)


@router.get("/me/proofs/{disclosure_id}/bundle")
def proof_bundle(disclosure_id: str, rt: RuntimeDep, me: SignedIn) -> Response:
    """The same proof as a C2SP tlog-proof file, to keep and check with any verifier."""
    stored_name("disclosure", disclosure_id)
    with rt.sessions.begin() as db:
        text = disclosure_bundle(db, rt.signer, me.buyer_id, disclosure_id)
    return Response(
        text,
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{disclosure_id}.tlog-proof"'},
    )


def _receipt(
    rt: Runtime, pc: PrivacyCenter, buyer_id: str, request_id: str | None
) -> Receipt | None:
    """One of the buyer's requests named in a query, or None (unknown ids are not errors here:
    the page then shows what it knows without the receipt)."""
    if not request_id or not is_ident(request_id):
        return None
    with rt.sessions() as db:
        try:
            return actions.engine(db, rt.vault, pc.deadline_days).receipt(buyer_id, request_id)
        except NotFound:
            return None


@router.get("/me/consents")
def consents(request: Request, rt: RuntimeDep, pc: CenterDep, me: SignedIn) -> Response:
    params = request.query_params
    withdrawn = params.get("withdrawn")
    receipt = _receipt(rt, pc, me.buyer_id, params.get("request"))
    lost: tuple[views.LostAccess, ...] = ()
    with rt.sessions() as db:
        cards = views.consents(db, me.buyer_id)
        just = next((c for c in cards if c.consent_id == withdrawn and c.withdrawn_at), None)
        if just is not None and just.withdrawn_at is not None:
            lost = views.lost_access(
                db, me.buyer_id, "consent_withdrawn", just.consent_id, just.withdrawn_at
            )
    context = {
        "cards": cards,
        "just": just,
        "lost": lost,
        "receipt": receipt if receipt is not None and just is not None else None,
        "fresh": me.session.fresh(rt.now()),
    }
    return me_page(request, "me/consents.html", context, me, pc)


@router.post("/me/consents/{consent_id}/withdraw")
def withdraw(consent_id: str, rt: RuntimeDep, pc: CenterDep, form: MeForm) -> Response:
    stored_name("consent", consent_id)
    now = rt.now()
    require_fresh(form.me, now, "withdrawal")
    query = {"withdrawn": consent_id}
    try:
        with rt.sessions.begin() as db:
            receipt = actions.engine(db, rt.vault, pc.deadline_days).withdraw(
                form.me.buyer_id, consent_id, now
            )
        query["request"] = receipt.id
    except Conflict:
        pass  # withdrawn already (a second click, another tab): show it as it is
    return RedirectResponse("/me/consents?" + urlencode(query) + "#withdrawn", status_code=303)


@router.get("/me/stop")
def stop(request: Request, rt: RuntimeDep, pc: CenterDep, me: SignedIn) -> Response:
    now = rt.now()
    receipt = _receipt(rt, pc, me.buyer_id, request.query_params.get("request"))
    with rt.sessions() as db:
        if me.suspended:
            affected = views.lost_access(db, me.buyer_id, "suspended")
        else:
            affected = views.live_recipients(db, me.buyer_id, now)
    context = {"affected": affected, "fresh": me.session.fresh(now), "receipt": receipt}
    return me_page(request, "me/stop.html", context, me, pc)


@router.post("/me/stop")
def stop_transfers(rt: RuntimeDep, pc: CenterDep, form: MeForm) -> Response:
    now = rt.now()
    require_fresh(form.me, now, "suspension")
    target = "/me/stop"
    try:
        with rt.sessions.begin() as db:
            receipt = actions.engine(db, rt.vault, pc.deadline_days).suspend(form.me.buyer_id, now)
        target += "?" + urlencode({"request": receipt.id})
    except Conflict:
        pass  # suspended already
    return RedirectResponse(target + "#done", status_code=303)
