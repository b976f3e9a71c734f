"""The console's pages on PostgreSQL too: the overview's GROUP BYs (Korea's day by
`to_char(timezone(...))` there, `date(..., '+9 hours')` on SQLite), the registry's search,
the rights and log pages, and an audit run."""

import pytest
from console_factories import csrf_of
from fastapi.testclient import TestClient
from test_console_pages import table


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


PAGES = (
    "/console",
    "/console?bucket=week",
    "/console/registry?q=cloud",
    "/console/registry/p-kr-2",
    "/console/registry/changes",
    "/console/rights",
    "/console/audit",
    "/console/log",
)


def test_every_console_page_answers_on_both_databases(officer: TestClient) -> None:
    for path in PAGES:
        assert officer.get(path).status_code == 200, path
    html = officer.get("/console?lang=en").text
    assert table(html, "chart-time")["November 1, 2026"] == ["5", "1"]
    assert table(html, "chart-country") == {
        "China": ["2", "1"],
        "South Korea": ["2", "0"],
        "United States": ["1", "0"],
    }
    assert "Hangang Cloud" in officer.get("/console/registry?q=cloud").text
    token = csrf_of(officer.get("/console/audit").text)
    run = officer.post("/console/audit/runs", data={"csrf_token": token})
    assert run.status_code == 303
    assert officer.get(run.headers["location"]).status_code == 200
