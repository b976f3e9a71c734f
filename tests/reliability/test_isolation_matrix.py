"""Every route of the app, called with every kind of credential: who gets in, and what they see.

`RULES` says, per route, which credential kinds may call it and, where the house rule is that
another's resource answers 404 ("as if it did not exist"), that too; every kind a rule does not
name must be refused with 401 or 403. `test_every_route_has_an_isolation_rule` reads the
route table (`app.routes`): a route without a rule fails ("route X has no isolation rule"), so
a new route cannot slip in unexamined, and a rule whose route is gone fails as well.

What they see: no answer (body or headers) carries a buyer's personal data unless the rule
names that buyer for that caller: seller A reads buyer 1's order, the telephony side resolves
buyer 1's relay number, each buyer's privacy center shows that buyer's own data. Everything
else, the refusals and error pages included, must carry none.

Each route runs on a fresh copy of the world (`matrix_world.py`), so a withdrawal, erasure or
sign-out by one caller cannot change what another route's callers are answered. Within a row,
the callers who are refused and the "others" (seller B, buyer 2) go before the owners, so a
404 is checked while the resource still exists.
"""

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from matrix_world import (
    BUYER_1,
    BUYER_2,
    MatrixWorld,
    build_matrix_world,
    buyer_link,
    markers,
    open_copy,
)
from starlette.routing import BaseRoute, Mount, Route

from databorder.api.app import create_app
from databorder.runtime import Runtime

# The credential kinds, in the order each route tries them: refused callers and "others" first.
KINDS = (
    "none",
    "revoked_key",  # a service key holding every scope, revoked
    "revoked_seller_key",  # seller A's previous API key, revoked
    "platform",
    "telephony",
    "metrics",  # a service key holding only the metrics scope
    "officer",  # a privacy officer's session token
    "seller_b",
    "seller_a",
    "buyer_2",  # privacy-center session cookies
    "buyer_1",
    "console_officer",  # the officer signed in to the console (/console): a session cookie
)
BUYER_KINDS = {"buyer_1": BUYER_1, "buyer_2": BUYER_2}

OK = "passes the door"  # any answer but 401, 403 and 5xx
Expect = str | int


@dataclass(frozen=True)
class Call:
    """One request; `{name}` in the path, body and headers takes the world's values."""

    method: str
    path: str
    json: Any = None
    form: Mapping[str, str] | None = None  # a privacy-center form: the caller's CSRF token added
    headers: Mapping[str, str] = field(default_factory=dict)
    token_page: str | None = None  # read every caller's form token from this page instead


@dataclass(frozen=True)
class Rule:
    call: Call
    allow: Mapping[str, Expect]  # kind -> what it gets; every other kind: 401 or 403
    sees: Mapping[str, str] = field(default_factory=dict)  # kind -> whose data it may see
    shows: Mapping[str, str] = field(default_factory=dict)  # kind -> whose data it must see
    why: str = ""


def public(call: Call, expect: Expect = OK, why: str = "") -> Rule:
    return Rule(call, dict.fromkeys(KINDS, expect), why=why)


def scoped(kind: str, call: Call, expect: Expect = OK, sees: str | None = None) -> Rule:
    """A route of one scope; `sees`: the buyer whose data its answer carries (and must)."""
    seen = {kind: sees} if sees else {}
    return Rule(call, {kind: expect}, seen, seen)


def seller_a_only(call: Call, sees: str | None = None) -> Rule:
    """Seller A's resource: A is answered, B is told it does not exist."""
    seen = {"seller_a": sees} if sees else {}
    return Rule(call, {"seller_a": 200, "seller_b": 404}, seen, seen)


def buyers(call: Call, one: Expect = OK, two: Expect = OK) -> Rule:
    """A privacy-center page: a signed-in buyer, who sees only their own data."""
    return Rule(call, {"buyer_1": one, "buyer_2": two}, dict(BUYER_KINDS))


def console(call: Call, expect: Expect = OK) -> Rule:
    """A privacy-officer console page: the officer signed in to the console, nobody else (an
    officer's bearer token included: the console takes its own session, never a key)."""
    return Rule(call, {"console_officer": expect})


def get(path: str, **kw: Any) -> Call:
    return Call("GET", path, **kw)


def post(path: str, body: Any = None, **kw: Any) -> Call:
    return Call("POST", path, json={} if body is None else body, **kw)


def form(path: str, **fields: str) -> Call:
    return Call("POST", path, form=fields)


DISCLOSURE = {
    "order_id": "{o1}",
    "recipient_id": "{seller_a}",
    "purpose": "shipping",
    "items": ["name", "address"],
}
MESSAGE = {"order_id": "{o1}", "recipient_id": "{seller_a}", "sender": "buyer", "text": "안녕"}

RULES: dict[tuple[str, str], Rule] = {
    # --- operations and the API's own documents ------------------------------------------------
    ("GET", "/health"): public(get("/health")),
    ("GET", "/ready"): public(get("/ready")),
    # Finding 5: the metrics network (loopback by default; the test client's address is not on
    # it) or a key with the metrics scope.
    ("GET", "/metrics"): scoped("metrics", get("/metrics"), 200),
    ("GET", "/openapi.json"): public(get("/openapi.json"), why="on unless DATABORDER_API_DOCS=0"),
    ("GET", "/docs"): public(get("/docs")),
    ("GET", "/docs/oauth2-redirect"): public(get("/docs/oauth2-redirect")),
    ("GET", "/redoc"): public(get("/redoc")),
    # --- the marketplace's platform API ------------------------------------------------------------
    ("POST", "/v1/decisions"): scoped("platform", post("/v1/decisions")),
    ("POST", "/v1/disclosures"): scoped("platform", post("/v1/disclosures", DISCLOSURE), 201),
    ("GET", "/v1/disclosures/{disclosure_id}"): scoped(
        "platform", get("/v1/disclosures/{disclosure_1}"), 200
    ),
    ("POST", "/v1/disclosures/import"): scoped("officer", post("/v1/disclosures/import")),
    ("POST", "/v1/buyers"): scoped("platform", post("/v1/buyers")),
    ("POST", "/v1/orders"): scoped("platform", post("/v1/orders")),
    ("POST", "/v1/orders/{order_id}/delivered"): scoped(
        "platform", post("/v1/orders/{o1}/delivered")
    ),
    ("POST", "/v1/consents"): scoped("platform", post("/v1/consents")),
    ("POST", "/v1/consents/{consent_id}/withdraw"): scoped(
        "platform", post("/v1/consents/{consent_1}/withdraw"), 200
    ),
    ("POST", "/v1/buyers/{buyer_id}/suspend"): scoped("platform", post("/v1/buyers/{b3}/suspend")),
    ("DELETE", "/v1/buyers/{buyer_id}"): scoped("platform", Call("DELETE", "/v1/buyers/{b3}"), 200),
    ("GET", "/v1/notices/current"): scoped("platform", get("/v1/notices/current"), 200),
    ("POST", "/v1/messages"): scoped("platform", post("/v1/messages", MESSAGE), 201),
    # --- recipients: their own grants and tasks only ------------------------------------------
    ("GET", "/v1/seller/orders/{order_id}/data"): seller_a_only(
        get("/v1/seller/orders/{o1}/data", headers={"X-Grant-Token": "{grant_1}"}), sees=BUYER_1
    ),
    ("POST", "/v1/seller/rights/{task_id}/ack"): seller_a_only(
        post("/v1/seller/rights/{task_a}/ack")
    ),
    # --- telephony: connects a relay number while its grant lives -------------------------------
    ("GET", "/v1/relay/{value}"): scoped("telephony", get("/v1/relay/{relay_1}"), 200, BUYER_1),
    # --- the privacy officer ---------------------------------------------------------------------
    ("GET", "/v1/recipients"): scoped("officer", get("/v1/recipients"), 200),
    ("POST", "/v1/recipients"): scoped("officer", post("/v1/recipients")),
    ("GET", "/v1/recipients/{recipient_id}"): scoped(
        "officer", get("/v1/recipients/{seller_a}"), 200
    ),
    ("PATCH", "/v1/recipients/{recipient_id}"): scoped(
        "officer", Call("PATCH", "/v1/recipients/{seller_a}", json={})
    ),
    ("POST", "/v1/recipients/import"): scoped("officer", post("/v1/recipients/import")),
    ("POST", "/v1/recipients/{recipient_id}/keys"): scoped(
        "officer", post("/v1/recipients/{seller_a}/keys")
    ),
    ("PUT", "/v1/recipients/{recipient_id}/webhook"): scoped(
        "officer", Call("PUT", "/v1/recipients/{seller_a}/webhook", json={})
    ),
    ("POST", "/v1/buyers/lookup"): scoped(
        "officer", post("/v1/buyers/lookup", {"item": "phone", "value": "{phone_1}"}), 200
    ),  # answers the buyer's id, never their data
    ("POST", "/v1/notices/publish"): scoped("officer", post("/v1/notices/publish")),
    ("POST", "/v1/suspension-orders"): scoped("officer", post("/v1/suspension-orders")),
    ("GET", "/v1/suspension-orders"): scoped("officer", get("/v1/suspension-orders"), 200),
    ("POST", "/v1/suspension-orders/{order_id}/end"): scoped(
        "officer", post("/v1/suspension-orders/{suspension_order}/end")
    ),
    ("GET", "/v1/rights/overdue"): scoped("officer", get("/v1/rights/overdue"), 200),
    ("POST", "/v1/audit/runs"): scoped("officer", post("/v1/audit/runs"), 201),
    ("GET", "/v1/audit/runs"): scoped("officer", get("/v1/audit/runs"), 200),
    ("GET", "/v1/audit/runs/{run_id}"): scoped("officer", get("/v1/audit/runs/aud-none")),
    ("GET", "/v1/audit/runs/{run_id}/findings"): scoped(
        "officer", get("/v1/audit/runs/aud-none/findings")
    ),
    ("GET", "/v1/audit/runs/{run_id}/pack"): scoped("officer", get("/v1/audit/runs/aud-none/pack")),
    ("POST", "/v1/rights/tasks/{task_id}/redeliver"): scoped(
        "officer", post("/v1/rights/tasks/{task_a}/redeliver")
    ),
    ("POST", "/v1/rights/requests/{request_id}/answer"): scoped(
        "officer", post("/v1/rights/requests/{complaint_1}/answer", {"text": "답변드립니다."}), 200
    ),
    # Signing in is open to anyone; the credential is the body, not a bearer.
    ("POST", "/v1/officer/login"): public(
        post(
            "/v1/officer/login",
            {"username": "{officer_username}", "password": "{officer_password}"},
        )
    ),
    ("POST", "/v1/officer/logout"): public(post("/v1/officer/logout"), why="ends only its own"),
    # --- the public log ----------------------------------------------------------------------------
    ("GET", "/v1/log/head"): public(get("/v1/log/head"), 200),
    ("GET", "/v1/log/key"): public(get("/v1/log/key"), 200),
    ("GET", "/v1/log/proof/inclusion"): public(
        get("/v1/log/proof/inclusion?index=0&tree_size=2"), 200
    ),
    ("GET", "/v1/log/proof/consistency"): public(
        get("/v1/log/proof/consistency?first=1&second=2"), 200
    ),
    ("GET", "/v1/log/checkpoint"): public(get("/v1/log/checkpoint"), 200),
    ("GET", "/v1/log/proof"): scoped(
        "officer", get("/v1/log/proof?disclosure={disclosure_1}"), 200
    ),
    ("GET", "/v1/log/tile/{level}/{index:path}"): public(get("/v1/log/tile/0/000.p/2"), 200),
    # --- the public privacy pages ----------------------------------------------------------------
    ("GET", "/"): public(get("/"), 200),
    ("GET", "/privacy"): public(get("/privacy"), 200),
    ("GET", "/privacy/versions"): public(get("/privacy/versions"), 200),
    ("GET", "/privacy/versions/{version}"): public(get("/privacy/versions/{notice_version}"), 200),
    ("GET", "/privacy/diff"): public(
        get("/privacy/diff?from={notice_version}&to={notice_version}")
    ),
    ("GET", "/privacy/recipients"): public(get("/privacy/recipients"), 200),
    ("GET", "/privacy/recipients.csv"): public(get("/privacy/recipients.csv"), 200),
    ("GET", "/privacy/recipients.json"): public(get("/privacy/recipients.json"), 200),
    ("GET", "/privacy/notice.css"): public(get("/privacy/notice.css"), 200),
    ("GET", "/privacy/{rest:path}"): public(get("/privacy/no-such-page"), 404),
    ("GET", "/static/{path}"): public(get("/static/site.css"), 200),
    # --- the buyer's privacy center ----------------------------------------------------------------
    # A link signs in whom it names, whoever follows it (it is the credential).
    ("GET", "/me/login"): public(get("/me/login?token={login_token_1}"), 303),
    ("GET", "/me/signed-out"): public(get("/me/signed-out"), 200),
    ("POST", "/me/logout"): buyers(form("/me/logout"), 303, 303),
    ("GET", "/me"): buyers(get("/me"), 200, 200),
    ("GET", "/me/recipients"): buyers(get("/me/recipients"), 200, 200),
    ("GET", "/me/proofs/{disclosure_id}"): buyers(get("/me/proofs/{disclosure_1}"), 200, 404),
    ("GET", "/me/proofs/{disclosure_id}/bundle"): buyers(
        get("/me/proofs/{disclosure_1}/bundle"), 200, 404
    ),
    ("GET", "/me/consents"): buyers(get("/me/consents"), 200, 200),
    ("POST", "/me/consents/{consent_id}/withdraw"): buyers(
        form("/me/consents/{consent_1}/withdraw"), 303, 404
    ),
    ("GET", "/me/stop"): buyers(get("/me/stop"), 200, 200),
    ("POST", "/me/stop"): buyers(form("/me/stop"), 303, 303),
    ("GET", "/me/correct"): buyers(get("/me/correct"), 200, 200),
    ("POST", "/me/correct"): buyers(form("/me/correct", postal_code="06236")),
    ("GET", "/me/download"): buyers(get("/me/download"), 200, 200),
    ("POST", "/me/download"): buyers(form("/me/download"), 303, 303),
    # Buyer 1's download link in buyer 2's session: refused, and a new link offered.
    ("GET", "/me/download/{fmt}"): buyers(
        get("/me/download/json?link={download_link_1}"), 200, 303
    ),
    ("GET", "/me/delete"): buyers(get("/me/delete"), 200, 200),
    ("POST", "/me/delete"): buyers(form("/me/delete"), 303, 303),
    ("GET", "/me/complaints"): buyers(get("/me/complaints"), 200, 200),
    ("POST", "/me/complaints"): buyers(form("/me/complaints", text="문의합니다"), 303, 303),
    ("GET", "/me/requests"): buyers(get("/me/requests"), 200, 200),
    ("GET", "/me/requests/{request_id}"): buyers(get("/me/requests/{complaint_1}"), 200, 404),
    # Unknown addresses answer 404 only after the sign-in check (so they cannot be probed).
    ("GET", "/me/{rest:path}"): buyers(get("/me/no-such-page"), 404, 404),
    # --- the privacy officer's console ---------------------------------------------------------------
    ("GET", "/console/signin"): public(get("/console/signin"), 200),
    # Signing in is open to anyone: the password is the credential (and the page's form token).
    ("POST", "/console/signin"): public(
        Call(
            "POST",
            "/console/signin",
            form={"username": "{officer_username}", "password": "{officer_password}"},
            token_page="/console/signin",
        ),
        why="303 until the per-address sign-in limit answers 429, as /v1/officer/login does",
    ),
    ("POST", "/console/signout"): console(form("/console/signout"), 303),
    ("GET", "/console"): console(get("/console"), 200),
    ("GET", "/console/rights"): console(get("/console/rights"), 200),
    ("POST", "/console/rights/{request_id}/answer"): console(
        form("/console/rights/{complaint_1}/answer", text="답변드립니다."), 303
    ),
    ("GET", "/console/log"): console(get("/console/log"), 200),
    ("POST", "/console/log/verify"): console(form("/console/log/verify"), 200),
    ("GET", "/console/registry"): console(get("/console/registry"), 200),
    ("GET", "/console/registry/new"): console(get("/console/registry/new"), 200),
    ("POST", "/console/registry/new"): console(form("/console/registry/new"), 422),
    ("GET", "/console/registry/import"): console(get("/console/registry/import"), 200),
    ("POST", "/console/registry/import"): console(
        form("/console/registry/import", csv_text="id\n"), 422
    ),
    ("GET", "/console/registry/changes"): console(get("/console/registry/changes"), 200),
    ("GET", "/console/registry/{recipient_id}"): console(get("/console/registry/{seller_a}"), 200),
    ("GET", "/console/registry/{recipient_id}/edit"): console(
        get("/console/registry/{seller_a}/edit"), 200
    ),
    ("POST", "/console/registry/{recipient_id}/edit"): console(
        form("/console/registry/{seller_a}/edit"), 422
    ),
    ("POST", "/console/registry/{recipient_id}/webhook"): console(
        form("/console/registry/{seller_a}/webhook", url="ftp://x"), 422
    ),
    ("GET", "/console/audit"): console(get("/console/audit"), 200),
    ("POST", "/console/audit/runs"): console(form("/console/audit/runs"), 303),
    ("GET", "/console/audit/runs/{run_id}"): console(get("/console/audit/runs/aud-none"), 404),
    ("GET", "/console/audit/runs/{run_id}/pack"): console(
        get("/console/audit/runs/aud-none/pack"), 404
    ),
    ("GET", "/console/{rest:path}"): console(get("/console/no-such-page"), 404),
}


# --- the route table ------------------------------------------------------------------------------


def _routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, through FastAPI's wrappers of included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield route


def declared(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every route; HEAD is GET's (Starlette answers it the same)."""
    found: set[tuple[str, str]] = set()
    for route in _routes(app.routes):
        if isinstance(route, Mount):
            found.add(("GET", f"{route.path}/{{path}}"))
        elif isinstance(route, Route):
            found.update((m, route.path) for m in route.methods or () if m != "HEAD")
        else:
            raise AssertionError(f"a route of a kind the matrix does not know: {route!r}")
    return found


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matrix_world(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> MatrixWorld:
    return build_matrix_world(tmp_path_factory.mktemp("matrix") / "world", migrated_template)


def test_every_route_has_an_isolation_rule(matrix_world: MatrixWorld, tmp_path: Path) -> None:
    with open_copy(matrix_world, tmp_path / "world") as rt:
        routes = declared(create_app(rt))
    unruled = sorted(routes - RULES.keys())
    assert not unruled, "\n".join(f"route {m} {p} has no isolation rule" for m, p in unruled)
    stale = sorted(RULES.keys() - routes)
    assert not stale, "\n".join(
        f"rule for {m} {p}, a route the app no longer has" for m, p in stale
    )


# --- one route, every kind --------------------------------------------------------------------------


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CONSOLE_KIND = "console_officer"


class Callers:
    """A client per credential kind on one app; the buyers signed in by their links."""

    def __init__(self, app: FastAPI, rt: Runtime, world: MatrixWorld, main: TestClient) -> None:
        self.clients: dict[str, TestClient] = {"none": main}
        for kind, secret in world.credentials.items():
            self.clients[kind] = TestClient(
                app,
                follow_redirects=False,
                raise_server_exceptions=False,
                headers={"Authorization": f"Bearer {secret}"},
            )
        self.links = {kind: buyer_link(rt, buyer) for kind, buyer in BUYER_KINDS.items()}
        for kind in BUYER_KINDS:
            client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
            signed = client.get(self.links[kind]())
            assert signed.status_code == 303, f"{kind} could not sign in: {signed.status_code}"
            self.clients[kind] = client
        console = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
        values = {"username": world.values["officer_username"]}
        values["password"] = world.values["officer_password"]
        signed = console.post(
            "/console/signin",
            data={"csrf_token": self._token(console, "/console/signin"), **values},
        )
        assert signed.status_code == 303, f"the officer could not sign in: {signed.status_code}"
        self.clients[CONSOLE_KIND] = console
        assert set(self.clients) == set(KINDS)

    @staticmethod
    def _token(client: TestClient, page: str) -> str:
        found = _CSRF.search(client.get(page).text)
        assert found is not None, f"{page} has no form token"
        return found.group(1)

    def csrf(self, kind: str, page: str | None = None) -> str:
        """The form token of the kind's own session (or read from `page`); none for those
        without a session."""
        if page is not None:
            return self._token(self.clients[kind], page)
        if kind == CONSOLE_KIND:
            return self._token(self.clients[kind], "/console")
        if kind not in BUYER_KINDS:
            return ""
        return self._token(self.clients[kind], "/me")


class Values(dict[str, str]):
    """The world's values, and those made on demand when a call names them: `once` kept for
    the row, `fresh` made anew at every use (a sign-in link works once)."""

    def __init__(
        self,
        base: Mapping[str, str],
        once: Mapping[str, Callable[[], str]],
        fresh: Mapping[str, Callable[[], str]],
    ) -> None:
        super().__init__(base)
        self.once = once
        self.fresh = fresh

    def __missing__(self, key: str) -> str:
        if key in self.fresh:
            return self.fresh[key]()
        if key not in self.once:
            raise KeyError(f"the matrix world has no value {key!r}")
        value = self[key] = self.once[key]()
        return value


def _download_link(callers: Callers) -> str:
    client = callers.clients["buyer_1"]
    made = client.post("/me/download", data={"csrf_token": callers.csrf("buyer_1")})
    assert made.status_code == 303, made.status_code
    return made.headers["location"].split("link=", 1)[1]


def _fill(template: Any, values: Mapping[str, str]) -> Any:
    if isinstance(template, str):
        return template.format_map(values)
    if isinstance(template, dict):
        return {k: _fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, values) for v in template]
    return template


def send(callers: Callers, kind: str, call: Call, values: Mapping[str, str]) -> Response:
    client = callers.clients[kind]
    url = _fill(call.path, values)
    headers = _fill(dict(call.headers), values)
    if call.form is not None:
        data = {"csrf_token": callers.csrf(kind, call.token_page), **_fill(dict(call.form), values)}
        return client.request(call.method, url, data=data, headers=headers)
    if call.json is not None:
        return client.request(call.method, url, json=_fill(call.json, values), headers=headers)
    return client.request(call.method, url, headers=headers)


def _forms(marker: str) -> set[str]:
    """A marker as text, and as JSON escapes it (ensure_ascii answers)."""
    return {marker, json.dumps(marker)[1:-1]}


def judge(rule: Rule, kind: str, answer: Response) -> list[str]:
    status = answer.status_code
    expected = rule.allow.get(kind)
    problems = []
    if status >= 500:
        problems.append(f"{kind}: {status} (a server error)")
    elif expected is None and status not in (401, 403):
        problems.append(f"{kind}: {status}, expected 401 or 403")
    elif expected == OK and status in (401, 403):
        problems.append(f"{kind}: {status}, expected to pass the door")
    elif isinstance(expected, int) and status != expected:
        problems.append(f"{kind}: {status}, expected {expected}")
    seen = answer.text + "\n" + "\n".join(f"{k}: {v}" for k, v in answer.headers.items())
    for buyer in (b for b in BUYER_KINDS.values() if b != rule.sees.get(kind)):
        leaked = [m for m in markers(buyer) for f in _forms(m) if f in seen]
        if leaked:
            problems.append(f"{kind}: the answer ({status}) shows {buyer}'s data: {leaked}")
    owner = rule.shows.get(kind)
    if owner and not any(f in seen for m in markers(owner) for f in _forms(m)):
        problems.append(f"{kind}: the answer ({status}) does not show {owner}'s data")
    return problems


@pytest.mark.parametrize("route", sorted(RULES), ids=[f"{m} {p}" for m, p in sorted(RULES)])
def test_each_route_admits_only_whom_its_rule_names(
    route: tuple[str, str], matrix_world: MatrixWorld, tmp_path: Path
) -> None:
    rule = RULES[route]
    with (
        open_copy(matrix_world, tmp_path / "world") as rt,
        TestClient(create_app(rt), follow_redirects=False, raise_server_exceptions=False) as main,
    ):
        app: FastAPI = main.app  # type: ignore[assignment]
        if route not in declared(app):
            pytest.fail(f"route {route[0]} {route[1]} is gone; remove its rule")
        callers = Callers(app, rt, matrix_world, main)
        values = Values(
            matrix_world.values,
            once={"download_link_1": lambda: _download_link(callers)},
            fresh={"login_token_1": lambda: callers.links["buyer_1"]().split("token=", 1)[1]},
        )
        problems = [
            problem
            for kind in KINDS
            for problem in judge(rule, kind, send(callers, kind, rule.call, values))
        ]
    assert not problems, f"{route[0]} {route[1]}:\n" + "\n".join(problems)
