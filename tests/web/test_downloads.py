"""The full list as downloads: CSV and JSON of the version in force, or of any earlier version."""

import csv
import io
import json

from fastapi.testclient import TestClient
from web_factories import FIRST, SECOND


def _csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_csv_is_the_full_list_in_force_as_an_attachment(
    pages: TestClient, versions: tuple[str, str]
) -> None:
    answer = pages.get("/privacy/recipients.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        answer.headers["content-disposition"]
        == f'attachment; filename="recipients-{versions[1]}.csv"'
    )
    rows = _csv_rows(answer.content)
    assert {r["recipient_id"] for r in rows} == {s.rid for s in FIRST + SECOND}
    shenzhen = next(r for r in rows if r["recipient_id"] == "s-cn-1")
    assert shenzhen["name"] == "Shenzhen Example Trading Co., Ltd."
    assert shenzhen["country"] == "CN"
    assert shenzhen["role"] == "seller"
    assert shenzhen["email"] == "privacy@s-cn-1.example.com"
    assert shenzhen["ground"] == "consent"
    assert shenzhen["retention_days"] == "30"
    assert "name" in shenzhen["items"].split(";")
    assert "shipping" in shenzhen["purposes"].split(";")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_the_json_is_the_same_list(pages: TestClient, versions: tuple[str, str]) -> None:
    answer = pages.get("/privacy/recipients.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["content-disposition"].endswith(f'recipients-{versions[1]}.json"')
    document = json.loads(answer.content)
    listed = document["recipients"] if isinstance(document, dict) else document
    assert {r["recipient_id"] for r in listed} == {s.rid for s in FIRST + SECOND}


def test_an_earlier_versions_list_by_its_version(
    pages: TestClient, versions: tuple[str, str]
) -> None:
    answer = pages.get(f"/privacy/recipients.csv?version={versions[0]}")
    assert answer.status_code == 200
    assert {r["recipient_id"] for r in _csv_rows(answer.content)} == {s.rid for s in FIRST}
    assert answer.headers["content-disposition"].endswith(f'recipients-{versions[0]}.csv"')


def test_an_unknown_version_is_404(pages: TestClient, versions: tuple[str, str]) -> None:
    for suffix in ("csv", "json"):
        answer = pages.get(f"/privacy/recipients.{suffix}?version=1999-01-01")
        assert answer.status_code == 404
        assert "1999-01-01" in answer.text


def test_before_any_publication_the_downloads_are_404_and_say_why(pages: TestClient) -> None:
    for suffix in ("csv", "json"):
        answer = pages.get(f"/privacy/recipients.{suffix}")
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
        assert "아직 게시된 개인정보 처리방침이 없어" in answer.text
    english = pages.get("/privacy/recipients.csv?lang=en")
    assert "No version of the privacy policy has been published yet" in english.text
