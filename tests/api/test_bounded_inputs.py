"""Every input is bounded where it is parsed: a value outside its type answers 422 naming the
field, never a 500 later on and never a stored surprise (issue 11, findings 2 and 8)."""

import copy
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from test_api import CONTRACT_EXAMPLE

from databorder.marketplace.models import Order
from databorder.runtime import Runtime
from databorder.web.buyer_session import load_keys, login_link

JSON = {"Content-Type": "application/json"}

# Instants a marketplace never means, each of which passed validation and then overflowed
# (`astimezone`, `+ timedelta`) or sat in the database as a time bomb.
FAR_INSTANTS = [
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:30:00+01:00",  # year 0 once in UTC
    "9999-12-31T23:59:59+00:00",
    "9999-12-31T23:00:00-05:00",  # year 10000 once in UTC
    "1999-12-31T23:59:59Z",
    "2100-01-01T00:00:00Z",
]


def _fields(answer: Any) -> list[str]:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    return [problem["field"] for problem in answer.json()["errors"]]


def _send(client: TestClient, method: str, path: str, body: object) -> Any:
    """JSON with every non-ASCII character escaped, so a lone surrogate can travel."""
    content = json.dumps(body)
    return client.request(method, path, content=content, headers=JSON)


def _order(**overrides: object) -> dict[str, object]:
    return {
        "id": "o-new",
        "buyer_id": "b-1",
        "seller_id": "s-cn-1",
        "ordered_at": "2026-11-20T10:00:00+09:00",
        **overrides,
    }


def _consent(**overrides: object) -> dict[str, object]:
    return {
        "subject_id": "b-1",
        "kind": "overseas_transfer",
        "notice_version": "2026-10-01",
        "recipients": ["s-cn-1"],
        "items": ["name"],
        "purposes": ["shipping"],
        "given_at": "2026-10-15T00:00:00+00:00",
        **overrides,
    }


def _recipient(**overrides: object) -> dict[str, object]:
    return {
        "id": "s-new",
        "legal_name": "Ningbo Example Co., Ltd.",
        "country": "CN",
        "role": "seller",
        "privacy_email": "privacy@example.cn",
        "contract_safeguards": True,
        "retention_days": 30,
        **overrides,
    }


def _decision(at: str) -> dict[str, Any]:
    return {**copy.deepcopy(CONTRACT_EXAMPLE), "at": at}


# (method, path, body for an instant, the field that must be named)
INSTANT_FIELDS: list[tuple[str, str, Any, str]] = [
    ("POST", "/v1/orders", lambda at: _order(ordered_at=at), "ordered_at"),
    ("POST", "/v1/orders", lambda at: _order(delivered_at=at), "delivered_at"),
    ("POST", "/v1/orders/o-1/delivered", lambda at: {"delivered_at": at}, "delivered_at"),
    ("POST", "/v1/consents", lambda at: _consent(given_at=at), "given_at"),
    (
        "POST",
        "/v1/suspension-orders",
        lambda at: {"recipient_id": "s-cn-2", "reference": "PIPC 2026-1", "starts_at": at},
        "starts_at",
    ),
    ("POST", "/v1/decisions", _decision, "at"),
]


# --- finding 2: enums as enums, instants within a sane window -------------------------------


def test_an_unknown_role_is_refused_naming_it(world: Runtime, client: TestClient) -> None:
    assert _fields(client.get("/v1/recipients", params={"role": "x"})) == ["role"]
    sellers = client.get("/v1/recipients", params={"role": "seller", "country": "cn"})
    assert sellers.status_code == 200, sellers.text
    assert [r["id"] for r in sellers.json()] == ["s-cn-1", "s-cn-2"]


def test_an_unknown_country_filter_is_refused_not_answered_empty(
    world: Runtime, client: TestClient
) -> None:
    assert _fields(client.get("/v1/recipients", params={"country": "ZZ"})) == ["country"]


@pytest.mark.parametrize("at", FAR_INSTANTS)
@pytest.mark.parametrize(("method", "path", "body", "field"), INSTANT_FIELDS)
def test_an_instant_outside_the_window_is_refused_naming_it(
    world: Runtime, client: TestClient, method: str, path: str, body: Any, field: str, at: str
) -> None:
    answer = client.request(method, path, json=body(at))
    assert _fields(answer) == [field]
    assert "between 2000-01-01" in answer.json()["errors"][0]["reason"]


def test_an_order_dated_9999_is_not_stored_so_it_cannot_break_its_disclosures(
    world: Runtime, client: TestClient
) -> None:
    refused = client.post("/v1/orders", json=_order(ordered_at="9999-12-31T23:59:59+00:00"))
    assert _fields(refused) == ["ordered_at"]
    with world.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Order).where(Order.id == "o-new")) == 0
    disclosed = client.post(
        "/v1/disclosures",
        json={
            "order_id": "o-new",
            "recipient_id": "s-cn-1",
            "purpose": "shipping",
            "items": ["name"],
        },
    )
    assert disclosed.status_code == 404, disclosed.text


def test_an_instant_given_as_a_number_is_refused(world: Runtime, client: TestClient) -> None:
    """The document says an instant is an RFC 3339 string; 0 or 1e9 seconds are not one."""
    for value in (0, 1_800_000_000):
        answer = client.post(
            "/v1/suspension-orders",
            json={"recipient_id": "s-cn-2", "reference": "PIPC 2026-1", "starts_at": value},
        )
        assert _fields(answer) == ["starts_at"]


def test_an_instant_must_be_rfc_3339(world: Runtime, client: TestClient) -> None:
    for value in ("1800000000", "2026-11-20", "20261120T100000+0900", "2026-11-20T10:00+09:00"):
        assert _fields(client.post("/v1/orders", json=_order(ordered_at=value))) == ["ordered_at"]
    accepted = client.post("/v1/orders", json=_order(ordered_at="2026-11-20t01:00:00.5z"))
    assert accepted.status_code == 201, accepted.text


def test_a_log_position_beyond_any_log_is_refused(client: TestClient) -> None:
    answer = client.get("/v1/log/proof/inclusion", params={"index": 2**64, "tree_size": 2**64})
    assert sorted(_fields(answer)) == ["index", "tree_size"]


def test_a_body_that_is_not_utf8_is_invalid_input(world: Runtime, client: TestClient) -> None:
    """FastAPI answers an undecodable body with a bare 400 the document does not describe."""
    answer = client.post("/v1/orders", content=b"\xff\xfe{", headers=JSON)
    assert _fields(answer) == ["body"]
    assert answer.json()["errors"][0]["reason"] == "not UTF-8: byte 0xff at position 0"


# --- finding 8: no control characters in identifiers, versions and names ---------------------

NUL, LF, CRLF, DEL, C1, RLO, SURROGATE = "\x00", "\n", "\r\n", "\x7f", "\x85", "\u202e", "\ud800"


@pytest.mark.parametrize("bad", [NUL, LF, DEL, C1])
def test_a_notice_version_with_a_control_character_is_refused(
    world: Runtime, client: TestClient, bad: str
) -> None:
    assert _fields(client.post("/v1/notices/publish", json={"version": f"v{bad}1"})) == ["version"]
    decision = _decision("2026-11-23T10:00:00+09:00")
    decision["notice_in_force"] = f"2026-11-01{bad}"
    assert _fields(client.post("/v1/decisions", json=decision)) == ["notice_in_force"]
    consent = _consent(notice_version=f"2026-10-01{bad}")
    assert _fields(client.post("/v1/consents", json=consent)) == ["notice_version"]


# PostgreSQL refuses a NUL in text outright (a 500 once it got that far); SQLite stored it.
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_notice_summary_with_a_nul_is_refused_and_nothing_is_published(
    world: Runtime, client: TestClient
) -> None:
    refused = client.post("/v1/notices/publish", json={"summary": f"new seller{NUL}"})
    assert _fields(refused) == ["summary"]
    assert "U+0000" in refused.json()["errors"][0]["reason"]
    multiline = client.post("/v1/notices/publish", json={"summary": "two sellers:\n- one\n- two"})
    assert multiline.status_code == 201, multiline.text


@pytest.mark.parametrize("bad", [NUL, CRLF, DEL, C1, RLO, SURROGATE])
def test_a_name_with_a_control_character_is_refused(
    world: Runtime, client: TestClient, bad: str
) -> None:
    name = f"Ningbo{bad}Example Co."
    created = _send(client, "POST", "/v1/recipients", _recipient(legal_name=name))
    assert _fields(created) == ["legal_name"]
    patched = _send(client, "PATCH", "/v1/recipients/s-cn-1", {"domestic_agent_name": name})
    assert _fields(patched) == ["domestic_agent_name"]
    order = {"recipient_id": "s-cn-2", "reference": f"PIPC{bad}2026-1"}
    assert _fields(_send(client, "POST", "/v1/suspension-orders", order)) == ["reference"]
    buyer = {"id": "b-new", "pii": {"name": f"김{bad}민수"}}
    assert _fields(_send(client, "POST", "/v1/buyers", buyer)) == ["pii.name"]


def test_a_control_character_in_the_reason_is_named_precisely(
    world: Runtime, client: TestClient
) -> None:
    answer = client.post("/v1/recipients", json=_recipient(legal_name="Ningbo\x00 Co."))
    assert answer.json()["errors"] == [
        {
            "field": "legal_name",
            "reason": "control character U+0000 at position 6: expected printable text on one line",
        }
    ]


@pytest.mark.parametrize("bad", [NUL, LF, "%"])
def test_an_identifier_with_a_control_character_is_refused(
    world: Runtime, client: TestClient, bad: str
) -> None:
    disclosure = {
        "order_id": f"o-1{bad}",
        "recipient_id": "s-cn-1",
        "purpose": "shipping",
        "items": ["name"],
    }
    assert _fields(client.post("/v1/disclosures", json=disclosure)) == ["order_id"]
    assert _fields(client.post("/v1/orders", json=_order(id=f"o-2{bad}"))) == ["id"]
    quoted = {NUL: "%00", LF: "%0A", "%": "%25"}[bad]
    assert _fields(client.get(f"/v1/recipients/s-cn-1{quoted}")) == ["recipient_id"]
    assert _fields(client.get(f"/v1/disclosures/d{quoted}")) == ["disclosure_id"]
    delivered = client.post(
        f"/v1/orders/o-1{quoted}/delivered", json={"delivered_at": "2026-11-23T10:00:00Z"}
    )
    assert _fields(delivered) == ["order_id"]
    assert _fields(client.post(f"/v1/consents/c-1{quoted}/withdraw", json={})) == ["consent_id"]
    assert _fields(client.get(f"/v1/relay/0505-1234-5678{quoted}")) == ["value"]


def test_free_text_keeps_its_lines_but_not_other_controls(
    world: Runtime, client: TestClient
) -> None:
    lines = client.post("/v1/orders", json=_order(order_items="이어폰 1개\n케이블 2개\t(흰색)"))
    assert lines.status_code == 201, lines.text
    nul = client.post("/v1/orders", json=_order(id="o-nul", order_items=f"이어폰{NUL}"))
    assert _fields(nul) == ["order_items"]


# --- the web pages: the same values in a page's query or path -------------------------------
# They answer pages, not problems; what matters is that no value reaches the database it cannot
# be compared with (PostgreSQL refuses a NUL in any text, a 500 before).


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_page_query_with_a_control_character_is_a_400_page(
    world: Runtime, client: TestClient
) -> None:
    for query in (
        "/privacy/recipients?q=Shen%00",
        "/privacy/recipients?version=2026-10-01%00",
        "/privacy/recipients.csv?version=2026%0A10-01",
        "/privacy/diff?from=2026-10-01%00&to=2026-10-01",
    ):
        answer = client.get(query)
        assert answer.status_code == 400, (query, answer.status_code)
        assert "U+00" in answer.text, query


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_page_path_with_a_control_character_is_a_404_page(
    world: Runtime, client: TestClient
) -> None:
    assert client.get("/privacy/versions/2026-10-01%00").status_code == 404
    signed_in = client.get(
        login_link("b-1", "", load_keys(world.settings.key_dir).login, world.now()),
        follow_redirects=False,
    )
    assert signed_in.status_code == 303, signed_in.text
    for path in ("/me/proofs/d%00", "/me/requests/r%00"):
        assert client.get(path).status_code == 404, path
