"""Privacy officers: scrypt-hashed passwords, expiring sessions, scopes enforced like keys."""

from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from databorder.api.app import create_app
from databorder.auth.models import OfficerAccount, OfficerSession
from databorder.auth.passwords import hash_password, verify_password
from databorder.auth.services import Officers
from databorder.errors import InvalidInput, Unauthorized
from databorder.runtime import Runtime
from factories import T0

PASSWORD = "correct horse battery 7"


@pytest.fixture
def officer(runtime: Runtime) -> Runtime:
    with runtime.sessions.begin() as s:
        Officers(s).add("cpo.kim", PASSWORD, ["officer"], T0)
    return replace(runtime, clock=lambda: T0 + timedelta(minutes=1))


def test_password_is_stored_only_as_a_salted_scrypt_hash(officer: Runtime) -> None:
    with officer.sessions() as s:
        stored = s.scalars(select(OfficerAccount.password_hash)).one()
    assert stored.startswith("scrypt$16384$8$1$")
    assert PASSWORD not in stored
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "x", stored)
    assert hash_password(PASSWORD) != hash_password(PASSWORD)  # a fresh salt each time


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [
        ("cpo.lee", "short", "password"),
        ("cpo.lee", "cpo.lee-password-123", "password"),
        ("cpo.lee", "aaaaaaaaaaaaaaaa", "password"),
        ("CPO Lee", PASSWORD, "username"),
    ],
)
def test_weak_passwords_and_bad_usernames_are_refused(
    runtime: Runtime, username: str, password: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as info, runtime.sessions.begin() as s:
        Officers(s).add(username, password, ["officer"], T0)
    assert info.value.problems[0].field == field


def test_login_opens_a_session_that_carries_the_officer_scope(officer: Runtime) -> None:
    with TestClient(create_app(officer)) as client:
        wrong = client.post("/v1/officer/login", json={"username": "cpo.kim", "password": "nope"})
        unknown = client.post("/v1/officer/login", json={"username": "ghost", "password": "nope"})
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json()["detail"] == unknown.json()["detail"]  # no hint which was wrong
        login = client.post("/v1/officer/login", json={"username": "cpo.kim", "password": PASSWORD})
        assert login.status_code == 200
        token = login.json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/v1/recipients", headers=headers).status_code == 200
        refused = client.post("/v1/disclosures", headers=headers, json={})
        assert refused.status_code == 403  # an officer is not the platform
        assert client.post("/v1/officer/logout", headers=headers).status_code == 204
        assert client.get("/v1/recipients", headers=headers).status_code == 401
    with officer.sessions() as s:
        assert token not in s.scalars(select(OfficerSession.token_hash)).all()


def test_sessions_expire_after_eight_hours(officer: Runtime) -> None:
    with officer.sessions.begin() as s:
        token, expires = Officers(s).login("cpo.kim", PASSWORD, T0)
    assert expires == T0 + timedelta(hours=8)
    with officer.sessions() as s:
        assert Officers(s).principal(token, T0 + timedelta(hours=7)).scopes == ("officer",)
        with pytest.raises(Unauthorized, match="expired"):
            Officers(s).principal(token, T0 + timedelta(hours=8))
