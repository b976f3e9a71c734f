"""Signing in to the privacy center: the marketplace's hand-over token, and the session after it."""

import base64
import hashlib
import hmac
import json
import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from me_factories import A, B, Clock, link, login_key

from databorder.api.app import create_app
from databorder.runtime import Runtime, build
from databorder.vault.keys import KeyFileError
from databorder.web.buyer_session import (
    AUDIENCE,
    COOKIE,
    LOGIN_KEY_FILE,
    LOGIN_PUBLIC_KEY_FILE,
    SESSION_KEY_FILE,
    LoginKey,
    LoginRefusal,
    MemoryUsedTokens,
    SessionEnd,
    accept_login,
    check_login_token,
    ensure_keys,
    load_keys,
    login_link,
    login_token,
    read_session,
    session_cookie,
    start_session,
    touched,
)

AT = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
SECRET = bytes(range(32))
KEY = LoginKey.hmac(SECRET)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _token(claims: dict[str, object], key: bytes = SECRET, algorithm: str = "HS256") -> str:
    base = {
        "sub": A,
        "aud": AUDIENCE,
        "iat": int(AT.timestamp()),
        "exp": int(AT.timestamp()) + 120,
        "jti": "0123456789abcdef",
    }
    base.update(claims)
    return jwt.encode({k: v for k, v in base.items() if v is not None}, key, algorithm=algorithm)


# --- the hand-over token, pure ------------------------------------------------------------------


def test_a_fresh_token_signs_its_buyer_in() -> None:
    check = check_login_token(login_token(A, KEY, AT), KEY, AT + timedelta(seconds=5))
    assert check.accepted
    assert check.buyer_id == A


def test_login_link_carries_the_token_on_the_login_path() -> None:
    url = login_link(A, "https://shop.example.kr/", KEY, AT)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "shop.example.kr", "/me/login")
    token = parse_qs(parts.query)["token"][0]
    claims = jwt.decode(
        token, SECRET, algorithms=["HS256"], audience=AUDIENCE, options={"verify_exp": False}
    )
    assert claims["sub"] == A
    assert claims["exp"] - claims["iat"] == 120


@pytest.mark.parametrize(
    ("claims", "refusal"),
    [
        ({"exp": int(AT.timestamp()) - 31}, LoginRefusal.EXPIRED),
        ({"aud": "another-service"}, LoginRefusal.WRONG_AUDIENCE),
        ({"exp": int(AT.timestamp()) + 3600}, LoginRefusal.TOO_LONG),
        ({"jti": None}, LoginRefusal.MALFORMED),
        ({"sub": ""}, LoginRefusal.MALFORMED),
        (
            {"iat": int(AT.timestamp()) + 600, "exp": int(AT.timestamp()) + 700},
            LoginRefusal.MALFORMED,
        ),
    ],
)
def test_expired_foreign_long_lived_and_incomplete_tokens_are_refused(
    claims: dict[str, object], refusal: LoginRefusal
) -> None:
    check = check_login_token(_token(claims), KEY, AT)
    assert check.refusal is refusal
    assert check.buyer_id is None


def test_a_token_signed_with_another_secret_is_refused() -> None:
    check = check_login_token(_token({}, key=bytes(32)), KEY, AT)
    assert check.refusal is LoginRefusal.MALFORMED
    assert "Signature verification failed" in check.detail


def test_the_algorithm_comes_from_the_server_not_the_token() -> None:
    # An unsigned token ("alg": "none") and one HMAC-signed with the EdDSA public key's bytes
    # (the classic algorithm confusion) are both refused by an EdDSA-configured server.
    private = Ed25519PrivateKey.generate()
    eddsa = LoginKey.ed25519(private.public_key())
    header = _b64(b'{"alg":"none","typ":"JWT"}')
    now = int(AT.timestamp())
    body = _b64(
        json.dumps(
            {"sub": A, "aud": AUDIENCE, "iat": now, "exp": now + 60, "jti": "x" * 10}
        ).encode()
    )
    assert check_login_token(f"{header}.{body}.", eddsa, AT).refusal is LoginRefusal.MALFORMED
    # PyJWT will not even make that token, so it is made by hand, as an attacker would.
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = _b64(b'{"alg":"HS256","typ":"JWT"}') + "." + body
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    hmac_with_public = f"{signing_input}.{_b64(mac)}"
    assert check_login_token(hmac_with_public, eddsa, AT).refusal is LoginRefusal.MALFORMED


def test_an_eddsa_token_from_the_marketplace_signs_in() -> None:
    private = Ed25519PrivateKey.generate()
    marketplace = LoginKey.ed25519(private.public_key(), private)
    ours = LoginKey.ed25519(private.public_key())
    check = check_login_token(login_token(B, marketplace, AT), ours, AT)
    assert (check.accepted, check.buyer_id) == (True, B)
    with pytest.raises(ValueError, match="can only verify"):
        login_token(B, ours, AT)


def test_a_token_is_accepted_once_and_forgotten_after_it_expires() -> None:
    used = MemoryUsedTokens()
    token = login_token(A, KEY, AT)
    assert accept_login(token, KEY, used, AT).accepted
    replay = accept_login(token, KEY, used, AT + timedelta(seconds=10))
    assert replay.refusal is LoginRefusal.REPLAYED
    assert len(used) == 1
    # Once past expiry (and leeway) the id is forgotten: the token is refused as expired anyway.
    later = AT + timedelta(minutes=10)
    assert accept_login(login_token(A, KEY, later), KEY, used, later).accepted
    assert len(used) == 1
    assert accept_login(token, KEY, used, later).refusal is LoginRefusal.EXPIRED


def test_a_missing_token_says_so() -> None:
    assert accept_login(None, KEY, MemoryUsedTokens(), AT).refusal is LoginRefusal.MISSING


# --- the session, pure ---------------------------------------------------------------------------


def test_a_session_lasts_while_used_and_ends_after_thirty_idle_minutes() -> None:
    key = bytes(32)
    session = start_session(A, AT)
    cookie = session_cookie(session, key)
    assert read_session(cookie, key, AT + timedelta(minutes=29)).session == session
    idle = read_session(cookie, key, AT + timedelta(minutes=31))
    assert (idle.session, idle.end) == (None, SessionEnd.IDLE)
    # Each answer renews it: seen at 29 minutes, it is still alive at 58.
    renewed = session_cookie(touched(session, AT + timedelta(minutes=29)), key)
    assert read_session(renewed, key, AT + timedelta(minutes=58)).session is not None


def test_a_session_is_fresh_for_ten_minutes_and_ends_after_twelve_hours() -> None:
    key = bytes(32)
    session = start_session(A, AT)
    assert session.fresh(AT + timedelta(minutes=10))
    assert not session.fresh(AT + timedelta(minutes=11))
    late = touched(session, AT + timedelta(hours=12, minutes=1))
    check = read_session(session_cookie(late, key), key, AT + timedelta(hours=12, minutes=1))
    assert check.end is SessionEnd.TOO_OLD


def test_a_cookie_signed_elsewhere_is_no_session() -> None:
    cookie = session_cookie(start_session(A, AT), bytes(32))
    check = read_session(cookie, b"\x01" * 32, AT)
    assert check.end is SessionEnd.INVALID
    assert read_session(None, bytes(32), AT).end is SessionEnd.NONE


# --- keys ----------------------------------------------------------------------------------------


def test_keys_are_made_private_once_and_never_overwritten(tmp_path: Path) -> None:
    made = ensure_keys(tmp_path)
    assert made == [tmp_path / LOGIN_KEY_FILE, tmp_path / SESSION_KEY_FILE]
    for path in made:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = load_keys(tmp_path)
    assert ensure_keys(tmp_path) == []
    assert load_keys(tmp_path) == before
    assert before.login.algorithm == "HS256"


def test_a_marketplace_public_key_switches_sign_in_to_eddsa_only(tmp_path: Path) -> None:
    private = Ed25519PrivateKey.generate()
    (tmp_path / LOGIN_PUBLIC_KEY_FILE).write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    assert ensure_keys(tmp_path) == [tmp_path / SESSION_KEY_FILE]  # no HMAC secret made
    keys = load_keys(tmp_path)
    assert keys.login.algorithm == "EdDSA"
    token = login_token(A, LoginKey.ed25519(private.public_key(), private), AT)
    assert check_login_token(token, keys.login, AT).accepted


def test_a_missing_session_key_refuses_to_load(tmp_path: Path) -> None:
    ensure_keys(tmp_path)
    (tmp_path / SESSION_KEY_FILE).unlink()
    with pytest.raises(KeyFileError, match=r"buyer-session\.key is missing"):
        load_keys(tmp_path)


# --- over HTTP -----------------------------------------------------------------------------------


def test_the_link_signs_in_with_a_private_lax_cookie_and_goes_home(
    center: TestClient, center_runtime: Runtime
) -> None:
    answer = center.get(link(center_runtime, A))
    assert answer.status_code == 303
    assert answer.headers["location"] == "/me"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/me" in cookie
    assert "Secure" not in cookie  # configurable; off for plain-HTTP test servers
    assert answer.headers["Cache-Control"] == "no-store"
    home = center.get("/me")
    assert home.status_code == 200
    assert "귀하의 정보는" in home.text


def test_the_link_may_name_a_privacy_center_page_and_a_language(
    center: TestClient, center_runtime: Runtime
) -> None:
    answer = center.get(link(center_runtime, A) + "&next=/me/consents&lang=en")
    assert answer.headers["location"] == "/me/consents?lang=en"
    elsewhere = center.get(link(center_runtime, A) + "&next=//evil.example/me")
    assert elsewhere.headers["location"] == "/me"


@pytest.mark.parametrize(
    ("make", "korean"),
    [
        (
            lambda rt: link(rt, A, at=rt.now() - timedelta(minutes=10)),
            "로그인 링크가 만료되었습니다",
        ),
        (
            lambda rt: (
                "/me/login?token="
                + _token(
                    {
                        "aud": "another",
                        "iat": int(rt.now().timestamp()),
                        "exp": int(rt.now().timestamp()) + 60,
                    },
                    login_key(rt).signing,
                )
            ),  # type: ignore[arg-type]
            "다른 서비스를 위해 만들어진 로그인 링크입니다",
        ),
        (lambda rt: "/me/login?token=not.a.jwt", "올바른 로그인 링크가 아닙니다"),
        (lambda rt: "/me/login", "로그인이 필요합니다"),
        (lambda rt: link(rt, "b-nobody"), "이 계정의 개인정보는 보관하고 있지 않습니다"),
    ],
)
def test_bad_links_answer_401_and_say_why(
    center: TestClient, center_runtime: Runtime, make: object, korean: str
) -> None:
    answer = center.get(make(center_runtime))  # type: ignore[operator]
    assert answer.status_code == 401
    assert korean in answer.text
    assert COOKIE not in center.cookies


def test_a_link_works_once(center: TestClient, center_runtime: Runtime) -> None:
    url = link(center_runtime, A)
    assert center.get(url).status_code == 303
    center.cookies.clear()
    replay = center.get(url)
    assert replay.status_code == 401
    assert "이미 사용한 로그인 링크입니다" in replay.text
    assert center.get("/me").status_code == 401


def test_a_link_works_once_across_worker_processes(
    center: TestClient, center_runtime: Runtime
) -> None:
    """A second runtime and app on the same database stand for a second worker process."""
    url = link(center_runtime, A)
    worker = replace(build(center_runtime.settings), clock=center_runtime.clock)
    try:
        with TestClient(create_app(worker), follow_redirects=False) as other_worker:
            assert center.get(url).status_code == 303
            replay = other_worker.get(url)
    finally:
        worker.db.dispose()
    assert replay.status_code == 401
    assert "이미 사용한 로그인 링크입니다" in replay.text


def test_thirty_idle_minutes_sign_the_buyer_out(buyer_a: TestClient, center_clock: Clock) -> None:
    center_clock.advance(minutes=29)
    assert buyer_a.get("/me").status_code == 200  # and the session is renewed
    center_clock.advance(minutes=29)
    assert buyer_a.get("/me/recipients").status_code == 200
    center_clock.advance(minutes=31)
    answer = buyer_a.get("/me")
    assert answer.status_code == 401
    assert "30분 동안 아무 활동이 없어 로그아웃되었습니다" in answer.text
    assert COOKIE not in buyer_a.cookies  # the ended session's cookie is deleted


def test_signing_out_ends_the_session(buyer_a: TestClient) -> None:
    page = buyer_a.get("/me")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    answer = buyer_a.post("/me/logout", data={"csrf_token": token})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/me/signed-out"
    assert COOKIE not in buyer_a.cookies
    assert "로그아웃되었습니다" in buyer_a.get("/me/signed-out").text
    assert buyer_a.get("/me").status_code == 401


def test_without_a_session_every_page_asks_to_sign_in_in_the_readers_language(
    center: TestClient,
) -> None:
    for path in ("/me", "/me/recipients", "/me/consents", "/me/requests", "/me/anything"):
        answer = center.get(path)
        assert answer.status_code == 401, path
        assert "로그인이 필요합니다" in answer.text
    english = center.get("/me?lang=en")
    assert "Please sign in" in english.text
    assert english.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_a_malformed_marketplace_public_key_refuses_to_load(tmp_path: Path) -> None:
    ensure_keys(tmp_path)
    (tmp_path / "buyer-login.pub").write_text("not a key")
    with pytest.raises(KeyFileError, match=r"buyer-login\.pub is not an Ed25519 public key"):
        load_keys(tmp_path)
