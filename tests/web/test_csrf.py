"""The CSRF helper: the pure check, and the form dependency the privacy center's forms will use."""

from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.testclient import TestClient

from databorder.web.csrf import COOKIE, FIELD, HEADER, CsrfTokens, CsrfVerdict
from databorder.web.forms import CsrfForm, csrf_form, form_token, keep_token
from databorder.web.routing import WebRoute

KEY = bytes(range(32))
# How the privacy center will bind a form to its signed-in session (a header stands in here).
BoundForm = Annotated[dict[str, str], Depends(csrf_form(lambda r: r.headers["X-Session"]))]


def test_a_token_issued_by_the_key_is_accepted_from_cookie_and_form() -> None:
    tokens = CsrfTokens(KEY)
    token = tokens.issue()
    check = tokens.check(token, token)
    assert check.verdict is CsrfVerdict.ACCEPTED
    assert check.accepted


@pytest.mark.parametrize(
    ("cookie", "submitted", "verdict"),
    [
        (None, "x.y", CsrfVerdict.MISSING),
        ("x.y", None, CsrfVerdict.MISSING),
        ("x.y", "", CsrfVerdict.MISSING),
        ("a.b", "c.d", CsrfVerdict.MISMATCH),
        ("nonce.0000", "nonce.0000", CsrfVerdict.FORGED),
        ("no-dot-at-all", "no-dot-at-all", CsrfVerdict.FORGED),
    ],
)
def test_missing_mismatched_and_unsigned_tokens_are_refused(
    cookie: str | None, submitted: str | None, verdict: CsrfVerdict
) -> None:
    check = CsrfTokens(KEY).check(cookie, submitted)
    assert check.verdict is verdict
    assert not check.accepted


def test_a_token_signed_with_another_key_is_forged() -> None:
    token = CsrfTokens(bytes(32)).issue()
    check = CsrfTokens(KEY).check(token, token)
    assert check.verdict is CsrfVerdict.FORGED
    assert check.reason == "the token was not signed by this server for this session"


def test_a_token_bound_to_one_session_is_forged_in_another() -> None:
    tokens = CsrfTokens(KEY)
    token = tokens.issue(binding="session-a")
    assert tokens.check(token, token, binding="session-a").accepted
    assert tokens.check(token, token, binding="session-b").verdict is CsrfVerdict.FORGED


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="expected at least 32 bytes, got 16"):
        CsrfTokens(bytes(16))


def _form_app() -> FastAPI:
    """A page with a form and the POST that receives it, built as the privacy center will."""
    app = FastAPI()
    app.state.csrf = CsrfTokens(KEY)
    router = APIRouter(route_class=WebRoute)

    @router.get("/form")
    def show(request: Request) -> HTMLResponse:
        token = form_token(request)
        response = HTMLResponse(f'<input name="{FIELD}" value="{token}">')
        keep_token(response, token)
        return response

    @router.post("/form")
    def accept(form: CsrfForm) -> JSONResponse:
        return JSONResponse(form)

    @router.post("/bound")
    def accept_bound(form: BoundForm) -> JSONResponse:
        return JSONResponse(form)

    app.include_router(router)
    return app


@pytest.fixture
def form_client() -> Iterator[TestClient]:
    with TestClient(_form_app()) as client:
        yield client


def _token(client: TestClient) -> str:
    page = client.get("/form")
    assert page.status_code == 200
    token = client.cookies[COOKIE]
    assert f'value="{token}"' in page.text
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    return token


def test_a_form_with_the_pages_token_is_accepted(form_client: TestClient) -> None:
    token = _token(form_client)
    answer = form_client.post("/form", data={FIELD: token, "reason": "배송 완료"})
    assert answer.status_code == 200
    assert answer.json() == {"reason": "배송 완료"}


def test_the_page_keeps_a_valid_token_across_loads(form_client: TestClient) -> None:
    assert _token(form_client) == _token(form_client)


def test_a_token_in_the_header_is_accepted_for_scripts(form_client: TestClient) -> None:
    token = _token(form_client)
    assert form_client.post("/form", headers={HEADER: token}).status_code == 200


def test_a_form_without_a_token_is_refused_with_a_page(form_client: TestClient) -> None:
    _token(form_client)
    answer = form_client.post("/form", data={"reason": "x"})
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert "이 양식을 받을 수 없습니다" in answer.text
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_a_form_without_the_cookie_is_refused(form_client: TestClient) -> None:
    token = _token(form_client)
    form_client.cookies.clear()
    assert form_client.post("/form", data={FIELD: token}).status_code == 403


def test_a_forged_token_is_refused_even_when_cookie_and_form_agree(
    form_client: TestClient,
) -> None:
    forged = "attacker-nonce." + "0" * 64
    form_client.cookies.set(COOKIE, forged)
    assert form_client.post("/form", data={FIELD: forged}).status_code == 403


def test_a_token_from_another_session_is_refused(form_client: TestClient) -> None:
    tokens = CsrfTokens(KEY)
    token = tokens.issue(binding="session-a")
    form_client.cookies.set(COOKIE, token)
    mine = form_client.post("/bound", data={FIELD: token}, headers={"X-Session": "session-a"})
    theirs = form_client.post("/bound", data={FIELD: token}, headers={"X-Session": "session-b"})
    assert (mine.status_code, theirs.status_code) == (200, 403)


def test_an_oversized_form_is_refused_unread(form_client: TestClient) -> None:
    token = _token(form_client)
    answer = form_client.post("/form", data={FIELD: token, "text": "x" * 70_000})
    assert answer.status_code == 403
