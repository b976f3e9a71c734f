"""Officer sign-in under attack: a lockout per account, a limit per address, scrypt outside locks.

The lockout is kept in the database, so it holds in every worker process (two runtimes on one
database file here); the address limit is a token bucket per worker. The password hash is
checked outside any transaction: a login must never hold SQLite's write lock for scrypt's 40 ms.
"""

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from databorder.api.app import create_app
from databorder.auth import services
from databorder.auth.models import LoginFailures
from databorder.auth.services import Lockout, Officers, SignIn
from databorder.auth.tokens import SESSION_PREFIX
from databorder.errors import TooManyRequests, Unauthorized
from databorder.runtime import Runtime, build
from databorder.settings import Settings
from factories import T0

PASSWORD = "correct horse battery 7"
WRONG = {"username": "cpo.kim", "password": "not the password"}
RIGHT = {"username": "cpo.kim", "password": PASSWORD}


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Both databases: counting a failure is an upsert, written for each."""
    return str(request.param)


@pytest.fixture
def throttled(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "login_max_failures": 3,
            "login_lockout_seconds": 600.0,
            "login_attempts_per_minute": 1000,  # the address limit is tested on its own below
        }
    )


def _runtime(settings: Settings, at: datetime) -> Runtime:
    return replace(build(settings), clock=lambda: at)


@pytest.fixture
def two_workers(throttled: Settings) -> Iterator[tuple[Runtime, Runtime]]:
    """Two runtimes on one database file, as two uvicorn workers would be."""
    first, second = _runtime(throttled, T0), _runtime(throttled, T0 + timedelta(seconds=5))
    with first.sessions.begin() as s:
        Officers(s).add("cpo.kim", PASSWORD, ["officer"], T0)
    yield first, second
    first.db.dispose()
    second.db.dispose()


def test_a_lockout_after_repeated_failures_holds_in_another_worker(
    two_workers: tuple[Runtime, Runtime],
) -> None:
    first, second = two_workers
    with TestClient(create_app(first)) as client:
        for _ in range(3):
            assert client.post("/v1/officer/login", json=WRONG).status_code == 401
    with TestClient(create_app(second)) as client:
        locked = client.post("/v1/officer/login", json=RIGHT)  # the right password, too late
    assert locked.status_code == 429
    assert locked.headers["content-type"] == "application/problem+json"
    assert locked.json()["type"] == "https://databorder.dev/problems/too-many-requests"
    assert int(locked.headers["Retry-After"]) == locked.json()["retry_after"] == 595
    assert "token" not in locked.json()


def test_the_lockout_ends_and_a_success_clears_the_count(throttled: Settings) -> None:
    rt = _runtime(throttled, T0)
    with rt.sessions.begin() as s:
        Officers(s).add("cpo.kim", PASSWORD, ["officer"], T0)
    with TestClient(create_app(rt)) as client:
        for _ in range(3):
            client.post("/v1/officer/login", json=WRONG)
        assert client.post("/v1/officer/login", json=RIGHT).status_code == 429
    later = replace(rt, clock=lambda: T0 + timedelta(seconds=601))
    with TestClient(create_app(later)) as client:
        assert client.post("/v1/officer/login", json=RIGHT).status_code == 200
        with later.reads() as s:
            assert s.scalars(select(LoginFailures)).all() == []  # counted afresh from here
        for _ in range(2):  # fewer failures than the limit, after a success: no lockout
            assert client.post("/v1/officer/login", json=WRONG).status_code == 401
        assert client.post("/v1/officer/login", json=RIGHT).status_code == 200
    rt.db.dispose()


def test_unknown_names_lock_alike_so_a_lockout_does_not_reveal_an_account(
    throttled: Settings,
) -> None:
    rt = _runtime(throttled, T0)
    ghost = {"username": "ghost", "password": "whatever it is"}
    with TestClient(create_app(rt)) as client:
        answers = [client.post("/v1/officer/login", json=ghost) for _ in range(4)]
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    rt.db.dispose()


def test_failures_far_apart_do_not_add_up(throttled: Settings) -> None:
    rt = _runtime(throttled, T0)
    with rt.sessions.begin() as s:
        Officers(s).add("cpo.kim", PASSWORD, ["officer"], T0)
    for n in range(5):  # one failure every 11 minutes: never three within the 10-minute period
        at = T0 + timedelta(minutes=11 * n)
        with TestClient(create_app(replace(rt, clock=lambda at=at: at))) as client:
            assert client.post("/v1/officer/login", json=WRONG).status_code == 401
    rt.db.dispose()


def test_an_address_over_its_rate_is_told_when_to_come_back(settings: Settings) -> None:
    rt = build(settings.model_copy(update={"login_attempts_per_minute": 3}))
    app = create_app(rt)
    ghost = {"username": "ghost", "password": "whatever it is"}
    with TestClient(app, client=("203.0.113.7", 40000)) as client:
        answers = [client.post("/v1/officer/login", json=ghost) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [401, 401, 401]
    refused = answers[3]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    retry_after = int(refused.headers["Retry-After"])
    assert retry_after == refused.json()["retry_after"]
    assert 15 <= retry_after <= 20  # one attempt back every 20 s, less the time the three took
    with TestClient(app, client=("203.0.113.8", 40000)) as other:  # another address: its own
        assert other.post("/v1/officer/login", json=ghost).status_code == 401
    rt.db.dispose()


def test_the_password_is_checked_outside_any_transaction(
    throttled: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While scrypt runs, another writer commits at once: the login holds no write lock."""
    rt = _runtime(throttled, T0)
    with rt.sessions.begin() as s:
        Officers(s).add("cpo.kim", PASSWORD, ["officer"], T0)
    real = services.verify_password
    writer_waited: list[bool] = []

    def verify(password: str, stored: str) -> bool:
        done = threading.Event()

        def write() -> None:
            with rt.sessions.begin() as s:
                s.execute(text("UPDATE officer_accounts SET scopes = scopes"))
            done.set()

        thread = threading.Thread(target=write)
        thread.start()
        writer_waited.append(not done.wait(2))
        result = real(password, stored)
        thread.join(10)
        return result

    monkeypatch.setattr(services, "verify_password", verify)
    with TestClient(create_app(rt)) as client:
        assert client.post("/v1/officer/login", json=WRONG).status_code == 401
        assert client.post("/v1/officer/login", json=RIGHT).status_code == 200
    assert writer_waited == [False, False]
    rt.db.dispose()


def test_officers_login_in_one_session_still_signs_in(runtime: Runtime) -> None:
    """The in-session form scripts and tests use keeps working, with the lockout checked."""
    with runtime.sessions.begin() as s:
        Officers(s).add("cpo.kim", PASSWORD, ["officer"], T0)
    with runtime.sessions.begin() as s:
        token, expires = Officers(s).login("cpo.kim", PASSWORD, T0)
    assert token.startswith(SESSION_PREFIX)
    assert expires == T0 + timedelta(hours=8)


def test_a_worker_checks_only_so_many_passwords_at_once(
    throttled: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flood from many addresses gets past the address limit; it cannot take every core."""
    rt = _runtime(throttled, T0)
    sign_in = SignIn(rt.reads, rt.sessions, Lockout(), concurrent=1)
    checking, release = threading.Event(), threading.Event()

    def slow_verify(password: str, stored: str) -> bool:
        checking.set()
        release.wait(10)
        return False

    monkeypatch.setattr(services, "verify_password", slow_verify)
    outcomes: list[BaseException] = []

    def first_attempt() -> None:
        try:
            sign_in.login("a", "p", T0)
        except Unauthorized as exc:
            outcomes.append(exc)

    first = threading.Thread(target=first_attempt)
    first.start()
    assert checking.wait(10)
    with pytest.raises(TooManyRequests) as refused:
        sign_in.login("b", "p", T0)
    assert refused.value.retry_after == 1
    release.set()
    first.join(10)
    assert len(outcomes) == 1  # the first went on to its own answer
    rt.db.dispose()
