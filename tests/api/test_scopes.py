"""Every platform and officer route refuses a missing, unknown or wrongly scoped key."""

import pytest
from fastapi.testclient import TestClient

from databorder.api.app import create_app
from databorder.auth.services import ServiceKeys
from databorder.runtime import Runtime

ROUTES = [
    ("POST", "/v1/decisions", "platform"),
    ("POST", "/v1/disclosures", "platform"),
    ("POST", "/v1/disclosures/import", "officer"),
    ("POST", "/v1/buyers", "platform"),
    ("POST", "/v1/orders", "platform"),
    ("POST", "/v1/consents", "platform"),
    ("POST", "/v1/consents/c-1/withdraw", "platform"),
    ("DELETE", "/v1/buyers/b-1", "platform"),
    ("GET", "/v1/recipients", "officer"),
    ("POST", "/v1/recipients", "officer"),
    ("POST", "/v1/notices/publish", "officer"),
    ("GET", "/v1/notices/current", "platform"),
    ("POST", "/v1/suspension-orders", "officer"),
    ("GET", "/v1/suspension-orders", "officer"),
    ("POST", "/v1/suspension-orders/so-1/end", "officer"),
    ("GET", "/v1/relay/0505-1234-5678", "telephony"),
    ("POST", "/v1/audit/runs", "officer"),
    ("GET", "/v1/audit/runs", "officer"),
    ("GET", "/v1/audit/runs/aud-1/pack", "officer"),
    ("POST", "/v1/messages", "platform"),
    ("GET", "/v1/log/proof?disclosure=d-1", "officer"),
]


@pytest.fixture
def keys(runtime: Runtime) -> dict[str, str]:
    with runtime.sessions.begin() as s:
        issued = ServiceKeys(s)
        return {
            scope: issued.issue(f"{scope} only", [scope], runtime.now())
            for scope in ("platform", "officer", "telephony")
        }


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES)
def test_route_requires_its_scope(
    runtime: Runtime, keys: dict[str, str], method: str, path: str, scope: str
) -> None:
    with TestClient(create_app(runtime)) as client:
        assert client.request(method, path, json={}).status_code == 401
        unknown = client.request(
            method, path, json={}, headers={"Authorization": "Bearer dbs_nobody"}
        )
        assert unknown.status_code == 401
        wrong = next(k for s, k in keys.items() if s != scope)
        refused = client.request(
            method, path, json={}, headers={"Authorization": f"Bearer {wrong}"}
        )
        assert refused.status_code == 403
        assert scope in refused.json()["detail"]
        allowed = client.request(
            method, path, json={}, headers={"Authorization": f"Bearer {keys[scope]}"}
        )
        assert allowed.status_code not in (401, 403)


def test_unknown_scope_cannot_be_issued(runtime: Runtime) -> None:
    from databorder.errors import InvalidInput  # noqa: PLC0415

    with pytest.raises(InvalidInput, match="scopes"), runtime.sessions.begin() as s:
        ServiceKeys(s).issue("x", ["superuser"], runtime.now())
