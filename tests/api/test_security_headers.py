"""Headers on every answer: nothing sniffed, nothing personal cached, no banner, docs switchable.

Issue 11, finding 7. The rule: every answer says `X-Content-Type-Options: nosniff`; every /v1 and
/me answer says `Cache-Control: no-store` unless its route chose a policy itself; no answer names
the server; `DATABORDER_API_DOCS=false` takes /docs, /redoc and /openapi.json away.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from databorder.api.app import create_app
from databorder.api.observability import TemplatedRoute
from databorder.runtime import Runtime, build
from databorder.settings import Settings
from databorder.web.assets import notice_css_url

DISCLOSURE = {
    "order_id": "o-1",
    "recipient_id": "s-cn-1",
    "purpose": "shipping",
    "items": ["name", "phone"],
}


def _no_banner_and_nosniff(answer: object) -> None:
    headers = answer.headers  # type: ignore[attr-defined]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "server" not in headers


def test_an_answer_carrying_personal_data_is_not_stored(world: Runtime, client: TestClient) -> None:
    granted = client.post("/v1/disclosures", json=DISCLOSURE)
    assert granted.status_code == 201, granted.text
    for answer in (
        granted,
        client.get("/v1/recipients"),
        client.get("/v1/orders/o-unknown"),  # an error answer names the id it did not find
        client.get("/v1/log/head"),
    ):
        assert answer.headers["Cache-Control"] == "no-store", answer.request.url
        _no_banner_and_nosniff(answer)


def test_operations_and_the_public_pages_are_not_sniffed_either(
    world: Runtime, client: TestClient
) -> None:
    for path in ("/health", "/ready", "/metrics", "/privacy", "/", "/docs", "/openapi.json"):
        _no_banner_and_nosniff(client.get(path))


def test_the_privacy_center_is_not_stored_and_not_sniffed(client: TestClient) -> None:
    answer = client.get("/me/", follow_redirects=False)
    assert answer.headers["Cache-Control"] == "no-store"
    _no_banner_and_nosniff(answer)


def test_a_route_that_chose_its_own_cache_policy_keeps_it(client: TestClient) -> None:
    stylesheet = client.get(notice_css_url())
    assert stylesheet.status_code == 200
    assert stylesheet.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    _no_banner_and_nosniff(stylesheet)


def test_an_unexpected_failure_is_answered_with_the_same_headers(runtime: Runtime) -> None:
    """A 500 is answered outside every other middleware (Starlette's ServerErrorMiddleware)."""
    app = create_app(runtime)

    def broken() -> None:
        raise RuntimeError("a bug")

    app.router.routes.insert(
        0, TemplatedRoute("/v1/broken", broken, methods=["GET"], include_in_schema=False)
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/v1/broken")
    assert answer.status_code == 500
    assert answer.headers["Cache-Control"] == "no-store"
    _no_banner_and_nosniff(answer)


@pytest.fixture
def docs_off(settings: Settings) -> Iterator[TestClient]:
    rt = build(settings.model_copy(update={"api_docs": False}))
    with TestClient(create_app(rt)) as client:
        yield client
    rt.db.dispose()


def test_api_docs_false_takes_the_documents_away(docs_off: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
        answer = docs_off.get(path)
        assert answer.status_code == 404, path
        _no_banner_and_nosniff(answer)
    assert docs_off.get("/health").status_code == 200


def test_api_docs_are_on_by_default(client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert client.get(path).status_code == 200, path
