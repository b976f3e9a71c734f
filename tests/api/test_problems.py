"""Every failed request answers an RFC 9457 problem, documented in the OpenAPI schema."""

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from databorder.api import errors
from databorder.api.app import create_app
from databorder.api.problems import KINDS, MEDIA_TYPE
from databorder.errors import (
    Conflict,
    DataborderError,
    FieldProblem,
    Forbidden,
    Gone,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthorized,
)
from databorder.gateway.types import DisclosureAsk
from databorder.model import DataItem, Purpose
from databorder.notices.store import NoticeIntegrityError
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime
from databorder.vault.service import ShreddedError
from databorder.web.errors import BadQuery, CsrfRejected, QueryProblem
from factories import T0

TYPE = "https://databorder.dev/problems/"

KINDS_ANSWERED: list[tuple[DataborderError, dict[str, Any], dict[str, str]]] = [
    (
        InvalidInput(
            [FieldProblem("privacy_phone", "not a phone number", 2), FieldProblem("name", "empty")]
        ),
        {
            "type": TYPE + "invalid-input",
            "title": "Invalid input",
            "status": 422,
            "detail": "row 2, privacy_phone: not a phone number; name: empty",
            "errors": [
                {"field": "privacy_phone", "reason": "not a phone number", "row": 2},
                {"field": "name", "reason": "empty"},
            ],
        },
        {},
    ),
    (
        BadQuery([QueryProblem("page", "not a number")]),
        {
            "type": TYPE + "bad-request",
            "title": "Bad request",
            "status": 400,
            "detail": "page: not a number",
            "errors": [{"field": "page", "reason": "not a number"}],
        },
        {},
    ),
    (
        NotFound("order", "o-1"),
        {
            "type": TYPE + "not-found",
            "title": "Not found",
            "status": 404,
            "detail": "order 'o-1' not found",
        },
        {},
    ),
    (
        Conflict("buyer 'b-1' exists already"),
        {
            "type": TYPE + "conflict",
            "title": "Conflicts with what is stored",
            "status": 409,
            "detail": "buyer 'b-1' exists already",
        },
        {},
    ),
    (
        Unauthorized("unknown or revoked service key"),
        {
            "type": TYPE + "unauthorized",
            "title": "Missing or unknown credentials",
            "status": 401,
            "detail": "unknown or revoked service key",
        },
        {"www-authenticate": "Bearer"},
    ),
    (
        Forbidden("these credentials may not use scope 'officer'"),
        {
            "type": TYPE + "forbidden",
            "title": "Not allowed with these credentials",
            "status": 403,
            "detail": "these credentials may not use scope 'officer'",
        },
        {},
    ),
    (
        Gone("access to order 'o-1' was revoked", "consent_withdrawn"),
        {
            "type": TYPE + "gone",
            "title": "No longer available",
            "status": 410,
            "detail": "access to order 'o-1' was revoked",
            "reason": "consent_withdrawn",
        },
        {},
    ),
    (
        ShreddedError("b-1"),
        {
            "type": TYPE + "gone",
            "title": "No longer available",
            "status": 410,
            "detail": "buyer 'b-1' was erased; their data key is destroyed",
            "reason": "erased",
        },
        {},
    ),
    (
        TooManyRequests(1.2),
        {
            "type": TYPE + "too-many-requests",
            "title": "Rate limit exceeded",
            "status": 429,
            "detail": "rate limit exceeded; retry after 2 s",
            "retry_after": 2,
        },
        {"retry-after": "2"},
    ),
    (
        NoticeIntegrityError("notice 2026-11-01 html: rebuilt bytes differ"),
        {
            "type": TYPE + "internal-error",
            "title": "Internal error",
            "status": 500,
            "detail": "notice 2026-11-01 html: rebuilt bytes differ",
        },
        {},
    ),
]


def _raising(error: Exception) -> TestClient:
    """A bare app with the API's handlers and one route that raises `error`."""
    app = FastAPI()
    errors.install(app)
    router = APIRouter()

    @router.get("/fails")
    def fails() -> None:
        raise error

    app.include_router(router)
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("error", "problem", "headers"),
    KINDS_ANSWERED,
    ids=[type(e).__name__ for e, _, _ in KINDS_ANSWERED],
)
def test_each_kind_of_error_answers_its_problem(
    error: DataborderError, problem: dict[str, Any], headers: dict[str, str]
) -> None:
    answer = _raising(error).get("/fails")
    assert answer.status_code == problem["status"]
    assert answer.headers["content-type"] == MEDIA_TYPE
    assert answer.json() == problem
    for name, value in headers.items():
        assert answer.headers[name] == value
    if problem["status"] != 401:
        assert "www-authenticate" not in answer.headers


def test_a_csrf_refusal_is_forbidden() -> None:
    assert issubclass(CsrfRejected, Forbidden)


def _error_classes() -> Iterator[type[DataborderError]]:
    pending: list[type[DataborderError]] = [DataborderError]
    while pending:
        cls = pending.pop()
        yield cls
        pending.extend(cls.__subclasses__())


def test_every_status_in_the_error_tree_has_a_problem_type() -> None:
    statuses = {cls.status for cls in _error_classes()}
    assert statuses <= set(KINDS), statuses - set(KINDS)
    assert {e.status for e, _, _ in KINDS_ANSWERED} == statuses  # each status is tested above


def test_a_bug_answers_500_without_its_details_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="databorder"):
        answer = _raising(RuntimeError("password=hunter2 at /srv/secret.py")).get("/fails")
    assert answer.status_code == 500
    assert answer.headers["content-type"] == MEDIA_TYPE
    assert answer.json() == {
        "type": TYPE + "internal-error",
        "title": "Internal error",
        "status": 500,
        "detail": "the service failed to answer this request; the failure was logged",
    }
    assert "hunter2" not in answer.text
    assert "RuntimeError" not in answer.text
    [logged] = [r for r in caplog.records if getattr(r, "event", None) == "api_error"]
    assert logged.exc_info is not None
    assert logged.exc_info[0] is RuntimeError


def _disclose(client: TestClient, **changes: Any) -> Any:
    body = {"order_id": "o-1", "recipient_id": "s-cn-1", "purpose": "shipping", "items": ["name"]}
    return client.post("/v1/disclosures", json={**body, **changes})


def test_schema_and_service_validation_answer_alike(world: Runtime, client: TestClient) -> None:
    by_schema = _disclose(client, items=["name", "shoe_size"])
    by_service = _disclose(client, recipient_id="s-cn-2")
    for answer in (by_schema, by_service):
        assert answer.status_code == 422
        assert answer.headers["content-type"] == MEDIA_TYPE
        assert set(answer.json()) == {"type", "title", "status", "detail", "errors"}
        assert answer.json()["type"] == TYPE + "invalid-input"
    assert by_schema.json()["errors"] == [
        {
            "field": "items.1",
            "reason": by_schema.json()["errors"][0]["reason"],
        }
    ]
    assert by_schema.json()["errors"][0]["reason"].startswith("Input should be 'name'")
    assert by_service.json() == {
        "type": TYPE + "invalid-input",
        "title": "Invalid input",
        "status": 422,
        "detail": "recipient_id: seller 's-cn-2' did not sell order 'o-1'",
        "errors": [{"field": "recipient_id", "reason": "seller 's-cn-2' did not sell order 'o-1'"}],
    }


def test_a_body_that_is_not_json_is_a_problem_too(client: TestClient) -> None:
    answer = client.post(
        "/v1/disclosures", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == MEDIA_TYPE
    assert answer.json()["errors"][0]["field"] == "1"  # the character where it broke


def test_the_routers_own_answers_are_problems(client: TestClient) -> None:
    missing = client.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == MEDIA_TYPE
    assert missing.json() == {
        "type": TYPE + "not-found",
        "title": "Not found",
        "status": 404,
        "detail": "Not Found",
    }
    wrong_method = client.put("/v1/decisions")
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {
        "type": "about:blank",
        "title": "Method Not Allowed",
        "status": 405,
        "detail": "Method Not Allowed",
    }
    assert wrong_method.headers["allow"] == "POST"


def test_the_web_pages_still_answer_html(runtime: Runtime) -> None:
    with TestClient(create_app(runtime)) as client:
        page = client.get("/privacy/no-such-page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")


def test_a_seller_over_its_rate_hears_when_to_come_back(world: Runtime) -> None:
    at = T0 + timedelta(minutes=5)
    limited = replace(
        world,
        clock=lambda: at,
        settings=world.settings.model_copy(
            update={"seller_rate_per_second": 0.01, "seller_rate_burst": 1}
        ),
    )
    with world.sessions.begin() as s:
        ask = DisclosureAsk("o-1", "s-cn-1", Purpose.SHIPPING, (DataItem.NAME,))
        token = world.gateway.disclose(s, ask, at).grant_token
        key = RegistryService(s).issue_api_key("s-cn-1", at)
    headers = {"Authorization": f"Bearer {key}", "X-Grant-Token": token or ""}
    with TestClient(create_app(limited)) as client:
        assert client.get("/v1/seller/orders/o-1/data", headers=headers).status_code == 200
        refused = client.get("/v1/seller/orders/o-1/data", headers=headers)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == MEDIA_TYPE
    assert refused.json()["retry_after"] == int(refused.headers["Retry-After"]) == 100


PROBLEM = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _operations(client: TestClient) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation


def test_openapi_documents_every_error_as_a_problem(client: TestClient) -> None:
    components = client.get("/openapi.json").json()["components"]["schemas"]
    assert set(components["Problem"]["required"]) == {"type", "title", "status", "detail"}
    members = components["Problem"]["properties"]
    assert members["errors"]["items"] == {"$ref": "#/components/schemas/FieldError"}
    assert members["type"]["format"] == "uri"
    # Extension members are left out where they do not apply, never sent as null.
    assert [members[name]["type"] for name in ("errors", "reason", "retry_after")] == [
        "array",
        "string",
        "integer",
    ]
    assert "HTTPValidationError" not in components
    for method, path, operation in _operations(client):
        responses = operation["responses"]
        assert "500" in responses, (method, path)
        for status, response in responses.items():
            if int(status) >= 400 and (path, status) != ("/ready", "503"):  # says which check
                assert response["content"] == PROBLEM, (method, path, status)


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("POST", "/v1/disclosures", {"201", "401", "403", "404", "409", "422", "500"}),
        (
            "GET",
            "/v1/seller/orders/{order_id}/data",
            {"200", "401", "404", "410", "422", "429", "500"},
        ),
        ("POST", "/v1/decisions", {"200", "401", "403", "422", "500"}),
        ("GET", "/v1/relay/{value}", {"200", "401", "403", "404", "410", "422", "500"}),
        ("GET", "/health", {"200", "500"}),
        ("GET", "/ready", {"200", "503", "500"}),
    ],
)
def test_openapi_lists_the_answers_of_a_route(
    client: TestClient, method: str, path: str, statuses: set[str]
) -> None:
    [operation] = [o for m, p, o in _operations(client) if (m, p) == (method, path)]
    assert set(operation["responses"]) == statuses


def test_openapi_describes_every_successful_answer(client: TestClient) -> None:
    for method, path, operation in _operations(client):
        [(status, response)] = [(s, r) for s, r in operation["responses"].items() if s < "300"]
        if status == "204":
            assert "content" not in response, (method, path)
            continue
        for media_type, content in response["content"].items():
            schema = content["schema"]
            assert schema not in ({}, {"type": "object", "additionalProperties": True}), (
                method,
                path,
                media_type,
            )


def test_openapi_describes_the_raw_answers_exactly(client: TestClient) -> None:
    operations = {(m, p): o for m, p, o in _operations(client)}
    disclosed = operations["POST", "/v1/disclosures"]["responses"]["201"]["content"]
    assert disclosed == {
        "application/json": {"schema": {"$ref": "#/components/schemas/DisclosureOut"}}
    }
    read = operations["GET", "/v1/seller/orders/{order_id}/data"]["responses"]["200"]["content"]
    assert read == {"application/json": {"schema": {"$ref": "#/components/schemas/OrderView"}}}
    metrics = operations["GET", "/metrics"]["responses"]["200"]["content"]
    assert [schema["schema"] for schema in metrics.values()] == [{"type": "string"}]
