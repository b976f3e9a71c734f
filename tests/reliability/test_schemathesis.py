"""Generated requests against the app's own OpenAPI document: no 5xx, nothing it does not describe.

Schemathesis reads `/openapi.json` from the app in-process (ASGI, no socket) and runs its phases
(the schema's examples, the coverage of each parameter's boundaries, then random fuzzing, in
positive and negative modes) over every operation, once per kind of credential a caller can
hold: the platform's key, the telephony key, an officer's session token, a recipient's API key,
and none. Each operation gets the full run with the credential it is meant for and a short one
with every other (a documented 401 or 403, or 422 for a body FastAPI refuses before any
dependency runs; never a 5xx).

The checks are the ones that compare an answer with the document: no server error, a documented
status, content type, headers and body, and invalid input refused. Checks that need the service
to accept any schema-valid input (an order for a buyer that does not exist must be refused) or
that guess at resources and links are left out: they test schemathesis' guesses, not the app.

The world is small and seeded (buyers, orders, recipients, consents, a published notice, a
disclosure with its grant, a relay number, rights tasks), and its identifiers are offered to the
generator as dictionaries, so some requests reach real rows and get past the 404s.

The web pages (`/`, `/privacy/...`, `/me/...`) are left out of the OpenAPI document on purpose
(`include_in_schema=False`): they answer HTML pages, redirects and forms with CSRF tokens that
no schema describes, so schemathesis has nothing to check them against. tests/web covers them
page by page; tests/api/test_bounded_inputs.py holds their query and path values to the bounds.

`DATABORDER_STRESS=1` (`make stress`) runs many more cases per operation, with a fresh seed it
prints (DATABORDER_SCHEMATHESIS_SEED replays one).
"""

import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.engine import events, from_schema
from schemathesis.engine.statistic import Statistic
from schemathesis.python import asgi
from sqlalchemy import select

from databorder.api.app import create_app
from databorder.auth.services import Officers, Scope, ServiceKeys
from databorder.registry.services import RegistryService
from databorder.rights.models import RightsRequest, RightsTask
from databorder.runtime import Runtime
from databorder.settings import Settings
from factories import add_buyer, add_consent, add_notice, add_order, add_recipient

STRESS = os.environ.get("DATABORDER_STRESS") == "1"
# `make test` runs the same cases every time; a stress run draws a seed and prints it, and
# DATABORDER_SCHEMATHESIS_SEED replays it.
SEED = int(
    os.environ.get("DATABORDER_SCHEMATHESIS_SEED") or (random.randrange(2**32) if STRESS else 11)
)
# Random cases per operation (the examples and coverage phases add their own): with the
# credential it is meant for, and with each of the others.
OWN_EXAMPLES = 400 if STRESS else 25
OTHER_EXAMPLES = 40 if STRESS else 3

OFFICER = ("officer.kim", "correct horse battery staple 11")

CREDENTIALS = ("platform", "telephony", "officer", "recipient", "none")

# Whose credential each route is for, by path prefix (the first that matches). A route that
# matches none fails the test: a new route must say who calls it.
ROUTES: tuple[tuple[str, str, str], ...] = (
    ("POST", "/v1/officer/", "none"),  # login takes no credential; logout reads its own
    ("*", "/v1/seller/", "recipient"),
    ("*", "/v1/relay/", "telephony"),
    ("*", "/v1/log/", "none"),
    ("GET", "/health", "none"),
    ("GET", "/ready", "none"),
    ("GET", "/metrics", "none"),
    ("*", "/v1/recipients", "officer"),
    ("*", "/v1/suspension-orders", "officer"),
    ("POST", "/v1/notices/publish", "officer"),
    ("POST", "/v1/disclosures/import", "officer"),
    ("*", "/v1/rights/", "officer"),
    ("POST", "/v1/buyers/lookup", "officer"),
    ("*", "/v1/audit/", "officer"),
    ("GET", "/v1/notices/current", "platform"),
    ("*", "/v1/decisions", "platform"),
    ("*", "/v1/disclosures", "platform"),
    ("*", "/v1/buyers", "platform"),
    ("*", "/v1/orders", "platform"),
    ("*", "/v1/consents", "platform"),
    ("POST", "/v1/messages", "platform"),
    ("GET", "/v1/log/proof", "officer"),
)


def caller(method: str, path: str) -> str:
    for m, prefix, kind in ROUTES:
        if m in {"*", method} and path.startswith(prefix):
            return kind
    raise AssertionError(f"no credential kind for {method} {path}: add it to ROUTES")


@dataclass(frozen=True)
class World:
    credentials: dict[str, str | None]
    dictionaries: dict[str, list[str]]


def _seed(runtime: Runtime, client: asgi.ASGIClient) -> World:
    """A small world through the services, then one disclosure and its read through the API."""
    now = runtime.now()
    with runtime.sessions.begin() as s:
        add_recipient(s)
        add_recipient(s, "s-cn-2", legal_name="Yiwu Other Goods Co., Ltd.")
        add_recipient(s, "p-us-1", legal_name="Pacific Parcel Inc.", country="US", role="processor")
        add_buyer(s, runtime)
        add_buyer(s, runtime, "b-2")
        add_notice(s, runtime)
        add_consent(s)
        add_consent(s, "c-p", kind="third_party_provision")
        add_consent(s, "c-2", buyer="b-2")
        add_consent(s, "c-2p", buyer="b-2", kind="third_party_provision")
        add_order(s, runtime)
        add_order(s, runtime, "o-2", buyer="b-2")
        keys = ServiceKeys(s)
        platform = keys.issue("platform", [Scope.PLATFORM.value], now)
        telephony = keys.issue("telephony", [Scope.TELEPHONY.value], now)
        recipient = RegistryService(s).issue_api_key("s-cn-1", now)
        Officers(s).add(*OFFICER, [Scope.OFFICER.value], now)
        officer, _ = Officers(s).login(*OFFICER, now)

    platform_auth = {"Authorization": f"Bearer {platform}"}
    grants: list[str] = []
    disclosures: list[str] = []
    for order in ("o-1", "o-2"):
        answer = client.post(
            "/v1/disclosures",
            json={
                "order_id": order,
                "recipient_id": "s-cn-1",
                "purpose": "shipping",
                "items": ["name", "phone", "address"],
            },
            headers=platform_auth,
        )
        assert answer.status_code == 201, answer.text
        disclosures.append(answer.json()["disclosure_id"])
        grants.append(answer.json()["grant"]["token"])
    read = client.get(
        "/v1/seller/orders/o-1/data",
        headers={"Authorization": f"Bearer {recipient}", "X-Grant-Token": grants[0]},
    )
    assert read.status_code == 200, read.text
    relay = read.json()["items"]["phone"]["value"]
    # b-2 stops transfers: the recipient gets a rights task to acknowledge.
    suspended = client.post("/v1/buyers/b-2/suspend", headers=platform_auth)
    assert suspended.status_code == 200, suspended.text
    ordered = client.post(
        "/v1/suspension-orders",
        json={"id": "so-1", "country": "JP", "reference": "PIPC 2026-1"},
        headers={"Authorization": f"Bearer {officer}"},
    )
    assert ordered.status_code == 201, ordered.text
    with runtime.sessions() as s:
        tasks = list(s.scalars(select(RightsTask.id)))
        requests = list(s.scalars(select(RightsRequest.id)))

    return World(
        credentials={
            "platform": platform,
            "telephony": telephony,
            "officer": officer,
            "recipient": recipient,
            "none": None,
        },
        dictionaries={
            "orders": ["o-1", "o-2", "so-1"],
            "buyers": ["b-1", "b-2"],
            "recipients": ["s-cn-1", "s-cn-2", "p-us-1"],
            "consents": ["c-1", "c-p", "c-2", "c-2p"],
            "disclosures": disclosures,
            "grants": grants,
            "relays": [relay],
            "tasks": tasks,
            "requests": requests,
            "versions": ["2026-10-01"],
            "countries": ["CN", "US", "KR"],
            "emails": ["privacy@example.cn"],
            "phones": ["+86 755 8888 1234", "010-2345-6789"],
            # Within the platform API's clock skew of the run (a disclosure's or withdrawal's
            # `at`), a past moment for what may be history (an order, a consent), and the
            # edges of what a datetime holds, which overflowed once (issue 11).
            "instants": [
                (now - timedelta(minutes=1)).isoformat(),
                "2026-11-20T10:00:00+09:00",
                "0001-01-01T00:30:00+01:00",
                "9999-12-31T23:59:59-01:00",
            ],
        },
    )


# Where each dictionary is offered, and how often it replaces a generated value.
BINDINGS = {
    "path.order_id": "orders",
    "body.order_id": "orders",
    "path.buyer_id": "buyers",
    "body.buyer_id": "buyers",
    "body.subject_id": "buyers",
    "path.recipient_id": "recipients",
    "body.recipient_id": "recipients",
    "body.seller_id": "recipients",
    "path.consent_id": "consents",
    "path.disclosure_id": "disclosures",
    "header.x-grant-token": "grants",
    "path.value": "relays",
    "path.task_id": "tasks",
    "path.request_id": "requests",
    "body.notice_version": "versions",
    "body.country": "countries",
    "body.residence": "countries",
    "body.countries[*]": "countries",
    "body.data_countries[*]": "countries",
    "body.recipients[*]": "recipients",
    "body.privacy_email": "emails",
    "body.privacy_phone": "phones",
    "body.at": "instants",
    "body.ordered_at": "instants",
    "body.delivered_at": "instants",
    "body.given_at": "instants",
    "body.starts_at": "instants",
}
PROBABILITY = 0.3

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)


def _config(world: World, *, own: bool) -> schemathesis.Config:
    """The full run for the operations the credential is meant for; for the others, a few
    random cases (every one answers 401 or 403 before its input is read, so the coverage
    phase's hundreds of boundary values would all meet the same door)."""
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "workers": 1,
            "dictionaries": {
                name: {"values": values} for name, values in world.dictionaries.items() if values
            },
            "parameters": {
                key: {"dictionary": name, "probability": PROBABILITY}
                for key, name in BINDINGS.items()
                if world.dictionaries[name]
            },
            "generation": {
                "mode": "all",
                "max-examples": OWN_EXAMPLES if own else OTHER_EXAMPLES,
                "database": "none",
                "deterministic": not STRESS,
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "phases": {"coverage": {"enabled": own or STRESS}, "stateful": {"enabled": False}},
        }
    )


@dataclass
class Tally:
    cases: int = 0
    failures: list[str] = field(default_factory=list)


def _execute(schema: Any, tally: Tally) -> None:
    """Run every phase, as `schemathesis run` would; count the cases and keep each failure
    with the curl command that reproduces it. An exception the app raised (a 500, in-process)
    arrives as a NonFatalError."""
    statistic = Statistic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            statistic.on_scenario_finished(event.recorder)
        elif isinstance(event, events.NonFatalError):
            tally.failures.append(f"{event.label}: error: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            raise event.exception
    tally.cases += statistic.total_cases
    for label, grouped in statistic.failures.items():
        for group in grouped.values():
            for failure in group.failures:
                tally.failures.append(
                    f"{label}: {failure.title}: {failure.message}\n    {group.code_sample}"
                )


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """Rights messages (redelivered by generated requests) go to the test's own mail folder."""
    return settings.model_copy(update={"mail_dir": tmp_path / "mail"})


@pytest.fixture
def app_and_world(runtime: Runtime) -> Iterator[tuple[Any, World]]:
    app: Any = create_app(runtime)
    # Schemathesis' own in-process client: one event loop and one app lifespan for the seeding
    # and every generated request, as under a server.
    with asgi.get_client(app) as client:
        world = _seed(runtime, client)
        yield app, world
    asgi.shutdown_lifespans()  # the app's own shutdown: queued work finished, jobs stopped


@pytest.mark.parametrize("kind", CREDENTIALS)
def test_generated_requests_get_documented_answers(
    app_and_world: tuple[Any, World], kind: str, runtime: Runtime
) -> None:
    app, world = app_and_world
    credential = world.credentials[kind]

    tally = Tally()
    for own in (True, False):
        loaded = schemathesis.openapi.from_asgi(
            "/openapi.json", app, config=_config(world, own=own)
        )
        schema = loaded.include(
            func=lambda ctx, own=own: (
                (caller(ctx.operation.method.upper(), ctx.operation.path) == kind) == own
            )
        )

        @schema.auth(refresh_interval=None, retry_on=[])
        class _Credential:
            def get(self, case: Any, ctx: Any) -> str | None:
                if kind == "officer" and ctx.operation.path == "/v1/officer/logout":
                    # Signing out ends the session it presents: a fresh one each time.
                    with runtime.sessions.begin() as s:
                        return Officers(s).login(*OFFICER, runtime.now())[0]
                return credential

            def set(self, case: Any, data: str | None, ctx: Any) -> None:
                # Replaces the Authorization header the schema lets schemathesis generate.
                headers = {
                    k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"
                }
                if data is not None:
                    headers["Authorization"] = f"Bearer {data}"
                case.headers = headers

        _execute(schema, tally)

    print(f"schemathesis[{kind}]: {tally.cases} cases, seed {SEED}: {len(tally.failures)} failures")  # noqa: T201
    assert not tally.failures, "\n".join(tally.failures)
