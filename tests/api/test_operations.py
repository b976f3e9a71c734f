"""Health, readiness, metrics, and logs that never carry personal data."""

import logging

import pytest
from fastapi.testclient import TestClient

from databorder.api.observability import JsonFormatter
from databorder.runtime import Runtime


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "schema": "ok", "keys": "ok"}


def test_readiness_fails_when_the_schema_is_behind(runtime: Runtime, client: TestClient) -> None:
    from sqlalchemy import text  # noqa: PLC0415

    with runtime.db.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    answer = client.get("/ready")
    assert answer.status_code == 503
    assert answer.json()["checks"]["schema"].startswith("at old")


def test_metrics_count_decisions_disclosures_and_grants(world: Runtime, client: TestClient) -> None:
    client.post(
        "/v1/disclosures",
        json={
            "order_id": "o-1",
            "recipient_id": "s-cn-1",
            "purpose": "shipping",
            "items": ["name", "rrn"],
        },
    )
    client.app.state.gauges.refresh()  # the gauges' thread does this every few seconds
    text = client.get("/metrics").text
    assert 'databorder_decisions_total{cross_border="true",ground="consent"} 1.0' in text
    assert 'databorder_decision_reasons_total{code="ITEM_PROHIBITED"} 1.0' in text
    assert 'databorder_disclosures_total{allowed="true"} 1.0' in text
    assert 'route="/v1/disclosures"' in text
    # The one grant is live or lapsed, as the wall clock says; it was never ended.
    gauges = {
        line.split("{")[1].split("}")[0]: float(line.split()[-1])
        for line in text.splitlines()
        if line.startswith("databorder_grants{")
    }
    assert gauges['state="revoked_or_expired"'] == 0
    assert gauges['state="live"'] + gauges['state="lapsed_unswept"'] == 1
    assert "databorder_log_leaves 1.0" in text


def test_readiness_and_health_answer_their_models(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    ready = paths["/ready"]["get"]["responses"]
    assert ready["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Readiness"
    }
    assert (
        ready["503"]["content"]["application/json"]["schema"]
        == ready["200"]["content"]["application/json"]["schema"]
    )


def test_request_logs_name_the_route_template_and_no_personal_data(
    world: Runtime, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="databorder"):
        client.post(
            "/v1/disclosures",
            json={
                "order_id": "o-1",
                "recipient_id": "s-cn-1",
                "purpose": "shipping",
                "items": ["name"],
            },
        )
        client.get("/v1/seller/orders/o-1/data")
    lines = [JsonFormatter().format(r) for r in caplog.records]
    assert any('"route": "/v1/seller/orders/{order_id}/data"' in line for line in lines)
    joined = "\n".join(lines)
    for secret in ("김민수", "+821023456789", "010-2345-6789", "서울특별시", "o-1"):
        assert secret not in joined
