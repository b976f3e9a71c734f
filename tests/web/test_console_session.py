"""Signing in to the privacy officer's console, staying signed in, signing out, and who is
refused: no credential, a buyer's session, an officer's bearer token, a non-officer account,
a form without its token."""

import base64
import json

import pytest
from console_factories import OFFICER, PASSWORD, PLATFORM_USER, csrf_of, sign_in
from fastapi.testclient import TestClient
from me_factories import A, Clock, link
from sqlalchemy import func, select

from databorder.auth.models import OfficerSession
from databorder.runtime import Runtime
from databorder.web.console.session import COOKIE, IDLE_SECONDS


def test_signing_in_sets_a_strict_httponly_cookie_scoped_to_the_console(
    console: TestClient,
) -> None:
    page = console.get("/console/signin")
    answer = console.post(
        "/console/signin",
        data={
            "csrf_token": csrf_of(page.text),
            "username": OFFICER,
            "password": PASSWORD,
            "next": "/console/rights",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/rights"
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith(COOKIE + "=")
    ).lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/console" in cookie
    home = console.get("/console")
    assert home.status_code == 200
    assert OFFICER in home.text
    assert home.headers["cache-control"] == "no-store"


def test_a_wrong_password_is_refused_and_signs_nobody_in(console: TestClient) -> None:
    token = csrf_of(console.get("/console/signin").text)
    answer = console.post(
        "/console/signin", data={"csrf_token": token, "username": OFFICER, "password": "nope"}
    )
    assert answer.status_code == 401
    assert "사용자 이름 또는 비밀번호가 맞지 않습니다." in answer.text
    assert COOKIE not in answer.cookies
    assert console.get("/console").status_code == 401


def test_an_empty_form_names_what_is_missing(console: TestClient) -> None:
    token = csrf_of(console.get("/console/signin?lang=en").text)
    answer = console.post("/console/signin", data={"csrf_token": token, "username": OFFICER})
    assert answer.status_code == 422
    assert "Enter your user name and password." in answer.text


def test_an_account_without_the_officer_scope_opens_no_console(console: TestClient) -> None:
    token = csrf_of(console.get("/console/signin?lang=en").text)
    answer = console.post(
        "/console/signin",
        data={"csrf_token": token, "username": PLATFORM_USER, "password": PASSWORD},
    )
    assert answer.status_code == 403
    assert "not a privacy officer" in answer.text
    assert console.get("/console").status_code == 401


def test_signing_in_without_the_forms_token_is_refused(console: TestClient) -> None:
    answer = console.post("/console/signin", data={"username": OFFICER, "password": PASSWORD})
    assert answer.status_code == 403
    assert console.get("/console").status_code == 401


def test_the_next_address_stays_inside_the_console(console: TestClient) -> None:
    token = csrf_of(console.get("/console/signin").text)
    answer = console.post(
        "/console/signin",
        data={
            "csrf_token": token,
            "username": OFFICER,
            "password": PASSWORD,
            "next": "//evil.example/console",
        },
    )
    assert answer.headers["location"] == "/console"


@pytest.mark.parametrize(
    "path",
    [
        "/console",
        "/console/registry",
        "/console/registry/s-cn-1",
        "/console/rights",
        "/console/audit",
        "/console/log",
        "/console/no-such-page",
    ],
)
def test_without_signing_in_every_page_answers_the_sign_in_page(
    console: TestClient, path: str
) -> None:
    answer = console.get(path)
    assert answer.status_code == 401
    assert 'action="/console/signin"' in answer.text
    assert "s-cn-1" not in answer.text or path == "/console/registry/s-cn-1"
    assert "Shenzhen" not in answer.text


def test_an_unknown_console_address_is_404_once_signed_in(officer: TestClient) -> None:
    assert officer.get("/console/no-such-page").status_code == 404


def test_a_buyers_session_cookie_opens_no_console(
    console: TestClient, center_runtime: Runtime
) -> None:
    assert console.get(link(center_runtime, A)).status_code == 303
    assert console.get("/me").status_code == 200
    assert console.get("/console").status_code == 401
    assert console.get("/console/registry").status_code == 401


def test_an_officers_bearer_token_opens_no_console(console: TestClient) -> None:
    login = console.post("/v1/officer/login", json={"username": OFFICER, "password": PASSWORD})
    assert login.status_code == 200, login.text
    bearer = {"Authorization": f"Bearer {login.json()['token']}"}
    assert console.get("/v1/recipients", headers=bearer).status_code == 200
    assert console.get("/console", headers=bearer).status_code == 401
    assert console.post("/console/log/verify", headers=bearer).status_code == 401


def test_a_form_without_its_token_is_refused(officer: TestClient) -> None:
    assert officer.post("/console/log/verify").status_code == 403
    forged = officer.post("/console/log/verify", data={"csrf_token": "abc.def"})
    assert forged.status_code == 403


def test_a_token_of_another_session_is_refused(console: TestClient) -> None:
    """A token issued before signing in (bound to no session) does not work after."""
    before = csrf_of(console.get("/console/signin").text)
    sign_in(console)
    answer = console.post("/console/log/verify", data={"csrf_token": before})
    assert answer.status_code == 403


def test_idle_for_thirty_minutes_signs_out(officer: TestClient, center_clock: Clock) -> None:
    center_clock.advance(seconds=IDLE_SECONDS - 60)
    assert officer.get("/console").status_code == 200  # renews the idle time
    center_clock.advance(seconds=IDLE_SECONDS - 60)
    assert officer.get("/console").status_code == 200
    center_clock.advance(seconds=IDLE_SECONDS + 1)
    answer = officer.get("/console?lang=en")
    assert answer.status_code == 401
    assert "nothing happened for 30 minutes" in answer.text


def test_the_session_ends_after_eight_hours_whatever_the_activity(
    officer: TestClient, center_clock: Clock
) -> None:
    for _ in range(16):  # every 29 minutes: never idle
        center_clock.advance(minutes=29)
        assert officer.get("/console").status_code == 200
    center_clock.advance(minutes=29)  # 8 h 13 min after signing in
    answer = officer.get("/console?lang=en")
    assert answer.status_code == 401
    assert "more than 8 hours old" in answer.text


def test_signing_out_ends_the_session_even_for_a_kept_cookie(officer: TestClient) -> None:
    kept = officer.cookies.get(COOKIE, path="/console")
    assert kept
    token = csrf_of(officer.get("/console").text)
    answer = officer.post("/console/signout", data={"csrf_token": token})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/signin?out=1"
    assert officer.get("/console").status_code == 401
    officer.cookies.set(COOKIE, kept, path="/console")
    replayed = officer.get("/console?lang=en")
    assert replayed.status_code == 401
    assert "Your session ended" in replayed.text


def _live_tokens(rt: Runtime) -> int:
    with rt.sessions() as db:
        return (
            db.scalar(
                select(func.count())
                .select_from(OfficerSession)
                .where(OfficerSession.username == OFFICER, OfficerSession.revoked_at.is_(None))
            )
            or 0
        )


def test_the_cookie_does_not_carry_a_usable_api_token(officer: TestClient) -> None:
    cookie = officer.cookies.get(COOKIE, path="/console")
    assert cookie
    payload = json.loads(base64.urlsafe_b64decode(cookie.split(".")[1] + "=="))
    assert not payload["tok"].startswith("dbo_")  # sealed, not readable from a copied cookie
    answer = officer.get("/v1/recipients", headers={"Authorization": f"Bearer {payload['tok']}"})
    assert answer.status_code == 401


def test_idle_ends_the_officers_token_not_only_the_cookie(
    officer: TestClient, center_clock: Clock, center_runtime: Runtime
) -> None:
    assert _live_tokens(center_runtime) == 1
    center_clock.advance(seconds=IDLE_SECONDS + 1)
    assert officer.get("/console").status_code == 401
    assert _live_tokens(center_runtime) == 0


def test_signing_in_again_ends_the_earlier_session(
    officer: TestClient, center_runtime: Runtime
) -> None:
    assert _live_tokens(center_runtime) == 1
    sign_in(officer)
    assert _live_tokens(center_runtime) == 1  # the new one only
    assert officer.get("/console").status_code == 200
