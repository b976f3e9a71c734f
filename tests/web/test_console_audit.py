"""The audit in the console: run it (with a window and the sales for the Art. 64-2 exposure),
read its findings, download its evidence pack, whose SHA-256 is the one the page shows."""

import hashlib
import re

from console_factories import ConsoleWorld, csrf_of
from fastapi.testclient import TestClient

from databorder.runtime import Runtime


def _run(client: TestClient, fields: dict[str, str]) -> object:
    token = csrf_of(client.get("/console/audit?lang=en").text)
    return client.post("/console/audit/runs", data={"csrf_token": token, **fields})


def test_run_then_findings_then_the_pack(
    officer: TestClient, center_runtime: Runtime, console_world: ConsoleWorld
) -> None:
    answer = _run(officer, {"sales_1": "1,000,000,000", "unrelated": "0"})
    assert answer.status_code == 303  # type: ignore[attr-defined]
    location = answer.headers["location"]  # type: ignore[attr-defined]
    run_id = location.rsplit("/", 1)[1]
    (recorded,) = center_runtime.audits.recent()
    assert recorded.id == run_id
    assert recorded.requested_by == "officer:officer.kim"
    page = officer.get(location + "?lang=en").text
    assert f'<dd id="findings-total">{recorded.findings}</dd>' in page
    assert recorded.findings > 0  # the complaint and the suspension are past their deadline
    failing = re.findall(r'<tr class="failing">\s*<th scope="row"><a href="#check-([\w.-]+)"', page)
    assert set(failing) == {c for c, n in recorded.by_check.items() if n}
    assert recorded.exposure is not None
    assert "30,000,000 won" in page  # 3% of a billion
    shown = re.search(r'id="pack-sha256">([0-9a-f]{64})<', page)
    assert shown is not None
    pack = officer.get(f"/console/audit/runs/{run_id}/pack")
    assert pack.status_code == 200
    assert pack.headers["content-type"] == "application/gzip"
    assert hashlib.sha256(pack.content).hexdigest() == shown.group(1) == recorded.pack_sha256
    listed = officer.get("/console/audit").text
    assert run_id in listed


def test_a_window_is_korean_days_both_included(
    officer: TestClient, center_runtime: Runtime
) -> None:
    answer = _run(officer, {"start": "2026-11-01", "end": "2026-11-02"})
    assert answer.status_code == 303  # type: ignore[attr-defined]
    (run,) = center_runtime.audits.recent()
    assert run.window.start is not None
    assert run.window.end is not None
    assert run.window.start.isoformat() == "2026-10-31T15:00:00+00:00"
    assert run.window.end.isoformat() == "2026-11-02T15:00:00+00:00"


def test_bad_inputs_name_their_fields_and_run_nothing(
    officer: TestClient, center_runtime: Runtime
) -> None:
    answer = _run(
        officer,
        {"start": "2026-11-05", "end": "2026-11-01", "sales_1": "lots", "unrelated": "-5"},
    )
    assert answer.status_code == 422  # type: ignore[attr-defined]
    html = answer.text  # type: ignore[attr-defined]
    invalid = set(re.findall(r'id="(\w+)" name="\w+"[^>]*aria-invalid="true"', html))
    assert invalid == {"end", "sales_1", "unrelated"}
    assert "The end date must not be before the start date." in html
    assert 'value="lots"' in html
    assert center_runtime.audits.recent() == []


def test_an_unknown_run_is_404(officer: TestClient) -> None:
    assert officer.get("/console/audit/runs/aud-none").status_code == 404
    assert officer.get("/console/audit/runs/aud-none/pack").status_code == 404
