"""The privacy center's pages and the public pages on PostgreSQL too: the queries behind them
must hold on both databases (PostgreSQL cannot, for one, compare `json` values in DISTINCT)."""

import pytest
from fastapi.testclient import TestClient
from me_factories import A, link

from databorder.runtime import Runtime


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def signed_in(center: TestClient, center_runtime: Runtime) -> TestClient:
    answer = center.get(link(center_runtime, A))
    assert answer.status_code == 303, answer.text
    return center


PAGES = (
    "/me",
    "/me/recipients",
    "/me/recipients?state=active",
    "/me/consents",
    "/me/stop",
    "/me/correct",
    "/me/download",
    "/me/delete",
    "/me/complaints",
    "/me/requests",
)


@pytest.mark.parametrize("path", PAGES)
def test_every_privacy_center_page_answers_on_both_databases(
    signed_in: TestClient, path: str
) -> None:
    answer = signed_in.get(path)
    assert answer.status_code == 200, (path, answer.text[:300])
    assert 'lang="ko"' in answer.text


def test_the_home_page_counts_countries_and_companies(signed_in: TestClient) -> None:
    text = signed_in.get("/me").text
    assert "개국" in text
    assert "업체" in text


@pytest.mark.parametrize(
    "path", ["/privacy", "/privacy/versions", "/privacy/recipients?q=a", "/privacy/recipients.csv"]
)
def test_the_public_pages_answer_on_both_databases(center: TestClient, path: str) -> None:
    assert center.get(path).status_code == 200, path
