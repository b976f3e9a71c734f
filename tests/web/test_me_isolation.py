"""A buyer's session reaches only that buyer's data, on every route of the privacy center; and
no form is accepted without the session's own CSRF token.

The matrix is checked against the app's routes: a new /me route that is not listed here fails
`test_the_matrix_covers_every_privacy_center_route` until someone decides how it is isolated.
"""

import re
from collections.abc import Iterable, Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from me_factories import A, B, CenterWorld, link
from starlette.routing import BaseRoute
from test_me_pages import csrf

from databorder.consent.models import Consent
from databorder.rights import RightsRequests
from databorder.runtime import Runtime
from databorder.web.csrf import COOKIE as CSRF_COOKIE

# Every GET route, with the ids in it filled in for buyer B's data by `_b_things`.
GETS = [
    "/me",
    "/me/recipients",
    "/me/recipients?country=CN",
    "/me/recipients?state=active",
    "/me/proofs/{b_disclosure}",
    "/me/proofs/{b_disclosure}/bundle",
    "/me/consents",
    "/me/consents?withdrawn={b_consent}&request={b_request}",
    "/me/stop",
    "/me/stop?request={b_request}",
    "/me/correct",
    "/me/download",
    "/me/download?link={b_link}",
    "/me/download/json?link={b_link}",
    "/me/download/csv?link={b_link}",
    "/me/delete",
    "/me/complaints",
    "/me/requests",
    "/me/requests/{b_request}",
    "/me/signed-out",
    "/me/unknown-page",
]
POSTS = [
    "/me/consents/{b_consent}/withdraw",
    "/me/stop",
    "/me/correct",
    "/me/download",
    "/me/delete",
    "/me/complaints",
    "/me/logout",
]
# Route templates as the app declares them, for the coverage check.
COVERED = {
    ("GET", "/me/login"),  # signs in whom the token names: tested in test_me_session.py
    ("GET", "/me"),
    ("GET", "/me/recipients"),
    ("GET", "/me/proofs/{disclosure_id}"),
    ("GET", "/me/proofs/{disclosure_id}/bundle"),
    ("GET", "/me/consents"),
    ("POST", "/me/consents/{consent_id}/withdraw"),
    ("GET", "/me/stop"),
    ("POST", "/me/stop"),
    ("GET", "/me/correct"),
    ("POST", "/me/correct"),
    ("GET", "/me/download"),
    ("POST", "/me/download"),
    ("GET", "/me/download/{fmt}"),
    ("GET", "/me/delete"),
    ("POST", "/me/delete"),
    ("GET", "/me/complaints"),
    ("POST", "/me/complaints"),
    ("GET", "/me/requests"),
    ("GET", "/me/requests/{request_id}"),
    ("POST", "/me/logout"),
    ("GET", "/me/signed-out"),
    ("GET", "/me/{rest:path}"),
}


def other_browser(center: TestClient) -> TestClient:
    """A second browser (its own cookies) on the same running app."""
    return TestClient(center.app, follow_redirects=False)


@pytest.fixture
def b_things(
    center: TestClient, center_runtime: Runtime, center_world: CenterWorld
) -> dict[str, str]:
    """B's ids and secrets: a complaint, a download link made in B's own session."""
    with center_runtime.sessions.begin() as session:
        complaint = RightsRequests(session, center_runtime.vault).complain(
            B, "B의 비밀 불만", center_runtime.now()
        )
    b = other_browser(center)
    assert b.get(link(center_runtime, B)).status_code == 303
    made = b.post("/me/download", data={"csrf_token": csrf(b, "/me/download")})
    return {
        "b_disclosure": center_world.disclosures(B)[0],
        "b_consent": "c-b-t",
        "b_request": complaint.id,
        "b_tracking": complaint.tracking_number,
        "b_link": made.headers["location"].split("link=", 1)[1],
        "b_csrf": b.cookies[CSRF_COOKIE],
    }


def _b_markers(things: dict[str, str]) -> list[str]:
    """What must never appear in anything A is answered: B's personal data and B's ids."""
    return [
        "이영희",
        "+821098765432",
        "010-9876-5432",
        "b-b@example.kr",
        "o-b-1",
        "c-b-t",
        "c-b-p",
        "B의 비밀 불만",
        things["b_disclosure"],
        things["b_tracking"],
    ]


def _routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, through FastAPI's wrappers of included routers (none here has a prefix)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield route


def test_the_matrix_covers_every_privacy_center_route(center: TestClient) -> None:
    declared = {
        (method, route.path)
        for route in _routes(center.app.routes)  # type: ignore[attr-defined]
        if isinstance(route, APIRoute) and (route.path == "/me" or route.path.startswith("/me/"))
        for method in route.methods
    }
    assert declared == COVERED


@pytest.mark.parametrize("path", GETS)
def test_buyer_a_never_sees_buyer_b_on_any_page(
    buyer_a: TestClient, b_things: dict[str, str], path: str
) -> None:
    url = path.format(**b_things)
    answer = buyer_a.get(url)
    assert answer.status_code in (200, 303, 404), (url, answer.status_code)
    body = answer.content.decode("utf-8", "replace")
    # What A typed is not B's data: a 404 page names the address asked for, and the language
    # switch repeats the query. The address is removed, then nothing of B's may remain.
    for part in re.split(r"[/?&=]", url):
        if len(part) > 3:
            body = body.replace(part, "")
    for marker in _b_markers(b_things):
        assert marker not in body, (url, marker)
    if "{b_" in path and path.startswith(("/me/proofs", "/me/requests/")):
        assert answer.status_code == 404, url
    if path.startswith("/me/download/"):
        assert answer.status_code == 303  # B's link in A's session: refused, a new link offered
        assert answer.headers["location"] == "/me/download?expired=1"


def test_buyer_a_cannot_withdraw_buyer_bs_consent(
    buyer_a: TestClient, center_runtime: Runtime, b_things: dict[str, str]
) -> None:
    answer = buyer_a.post(
        f"/me/consents/{b_things['b_consent']}/withdraw", data={"csrf_token": csrf(buyer_a)}
    )
    assert answer.status_code == 404
    with center_runtime.sessions() as session:
        consent = session.get(Consent, (B, b_things["b_consent"]))
        assert consent is not None
        assert consent.withdrawn_at is None


def test_buyer_as_actions_touch_only_buyer_a(
    buyer_a: TestClient, center_runtime: Runtime, b_things: dict[str, str]
) -> None:
    token = csrf(buyer_a)
    for path, data in [
        ("/me/stop", {}),
        ("/me/complaints", {"text": "A의 불만"}),
        ("/me/delete", {}),
    ]:
        assert buyer_a.post(path, data={"csrf_token": token, **data}).status_code == 303
    with center_runtime.sessions() as session:
        kinds = [r.kind.value for r in RightsRequests(session, center_runtime.vault).for_subject(B)]
    assert kinds == ["complaint"]  # only the complaint B made itself
    b = other_browser(buyer_a)
    b.get(link(center_runtime, B))
    assert b.get("/me").status_code == 200  # B's account is untouched
    assert "이 동의 철회" in b.get("/me/consents").text


def test_a_proof_of_another_buyer_answers_exactly_like_a_missing_one(
    buyer_a: TestClient, b_things: dict[str, str]
) -> None:
    theirs = buyer_a.get(f"/me/proofs/{b_things['b_disclosure']}")
    missing = buyer_a.get("/me/proofs/00000000-0000-7000-8000-000000000000")
    assert theirs.status_code == missing.status_code == 404
    strip = re.compile(r"[0-9a-f-]{36}")
    assert strip.sub("", theirs.text) == strip.sub("", missing.text)


# --- CSRF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", POSTS)
def test_a_form_without_its_token_is_refused(
    buyer_a: TestClient, b_things: dict[str, str], path: str
) -> None:
    url = path.format(**b_things)
    csrf(buyer_a)  # the page's token cookie is there; the form does not carry it
    answer = buyer_a.post(url, data={"text": "x"})
    assert answer.status_code == 403, url
    assert "이 양식을 받을 수 없습니다" in answer.text


@pytest.mark.parametrize("path", POSTS)
def test_a_token_from_another_session_is_refused(
    buyer_a: TestClient, b_things: dict[str, str], path: str
) -> None:
    # B's valid token, planted as A's cookie and sent in A's form: signed by this server, but
    # bound to B's session, so it is forged in A's.
    url = path.format(**b_things)
    buyer_a.cookies.set(CSRF_COOKIE, b_things["b_csrf"])
    answer = buyer_a.post(url, data={"csrf_token": b_things["b_csrf"], "text": "x"})
    assert answer.status_code == 403, url


def test_nothing_changed_after_refused_forms(buyer_a: TestClient, center_runtime: Runtime) -> None:
    for path in ("/me/stop", "/me/delete", "/me/consents/c-a-t/withdraw"):
        assert buyer_a.post(path).status_code == 403
    assert buyer_a.get("/me").status_code == 200
    with center_runtime.sessions() as session:
        assert RightsRequests(session, center_runtime.vault).for_subject(A) == []
