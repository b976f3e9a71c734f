"""POST /v1/audit/runs and its reads: the officer runs the audit over HTTP and downloads the pack."""

import gzip
import io
import json
import tarfile

import pytest
from audit_world import Clean
from fastapi.testclient import TestClient

from databorder.audit.pack import verify_pack


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_an_officer_runs_the_audit_and_gets_a_pack_that_verifies(
    clean: Clean, client: TestClient
) -> None:
    clean.sql("UPDATE recipients SET contract_safeguards = false WHERE id = 's-cn-2'")
    answer = client.post(
        "/v1/audit/runs",
        json={"sales": [3_000_000_000, 2_000_000_000], "unrelated_sales": 500_000_000},
    )
    assert answer.status_code == 201, answer.text
    run = answer.json()
    assert run["findings"] >= 1
    assert run["by_check"]["A28-8-4-no-safeguards"] == 1
    assert run["by_severity"]["high"] >= 1
    assert run["exposure"]["ceiling"] == 60_000_000  # (2.5 bn - 0.5 bn) x 3%
    assert run["requested_by"] == "key:test suite"  # the service key's holder
    assert client.get(f"/v1/audit/runs/{run['id']}").json() == run
    assert [r["id"] for r in client.get("/v1/audit/runs").json()] == [run["id"]]
    findings = client.get(f"/v1/audit/runs/{run['id']}/findings").json()
    no_safeguards = next(c for c in findings["checks"] if c["id"] == "A28-8-4-no-safeguards")
    assert no_safeguards["findings"][0]["records"][0] == {"kind": "recipient", "id": "s-cn-2"}
    pack = client.get(f"/v1/audit/runs/{run['id']}/pack")
    assert pack.status_code == 200
    assert pack.headers["content-type"] == "application/gzip"
    assert run["id"] in pack.headers["content-disposition"]
    check = verify_pack(pack.content, clean.rt.signer.public_key)
    assert check.ok, check.problems
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(pack.content))) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        assert json.loads(member.read())["run"] == run["id"]


def test_a_window_is_audited_and_reported(clean: Clean, client: TestClient) -> None:
    answer = client.post(
        "/v1/audit/runs", json={"from": "2026-01-01T00:00:00+09:00", "to": "2026-02-01T00:00:00Z"}
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["window"] == {
        "from": "2026-01-01T00:00:00+09:00",
        "to": "2026-02-01T00:00:00+00:00",
    }
    assert answer.json()["exposure"] is None
    assert client.post("/v1/audit/runs").status_code == 201  # no body: everything, no exposure


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "body"),
        ({"from": "yesterday"}, "from"),
        ({"sales": [1]}, "body"),
        ({"unrelated_sales": 1}, "body"),
        ({"sales": [1, 2, 3, 4], "unrelated_sales": 0}, "sales"),
        ({"sales": [-1], "unrelated_sales": 0}, "0"),
        ({"sales": [], "unrelated_sales": 0}, "sales"),
        ({"sales": [10], "unrelated_sales": 11}, "unrelated_sales"),
        ({"window": "all"}, "window"),
    ],
)
def test_bad_requests_say_which_field_and_write_nothing(
    clean: Clean, client: TestClient, body: dict[str, object], field: str
) -> None:
    answer = client.post("/v1/audit/runs", json=body)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["status"] == 422
    assert any(field in json.dumps(e) for e in problem["errors"]), problem
    assert client.get("/v1/audit/runs").json() == []
    assert not clean.rt.settings.audit_dir.exists() or not any(
        clean.rt.settings.audit_dir.iterdir()
    )


def test_unknown_runs_are_404(clean: Clean, client: TestClient) -> None:
    for path in (
        "/v1/audit/runs/aud-x",
        "/v1/audit/runs/aud-x/pack",
        "/v1/audit/runs/aud-x/findings",
    ):
        answer = client.get(path)
        assert answer.status_code == 404
        assert answer.json()["title"]
