"""The registry in the console: search, create and edit with each problem beside its field,
CSV import all or nothing with its rows' problems in the page, the webhook endpoint, and what
changed since the last published notice. Nothing bad is ever half-written."""

import re

from console_factories import csrf_of
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from databorder.registry.models import Recipient
from databorder.rights.models import RecipientWebhook
from databorder.rights.webhooks import new_secret
from databorder.runtime import Runtime

GOOD = {
    "id": "s-de-1",
    "legal_name": "Berlin Example GmbH",
    "country": "de",
    "role": "seller",
    "privacy_email": "privacy@berlin.example.com",
    "privacy_phone": "+49 30 1234567",
    "retention_days": "30",
    "contract_safeguards": "yes",
    "certifications": "ISO 27701; APEC CBPR",
    "data_countries": "NL",
}


def _recipients(rt: Runtime) -> int:
    with rt.reads() as db:
        return int(db.scalar(select(func.count()).select_from(Recipient)) or 0)


def _post(client: TestClient, page: str, action: str, fields: dict[str, str]) -> object:
    token = csrf_of(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **fields})


def test_search_by_part_of_the_name_country_and_role(officer: TestClient) -> None:
    found = officer.get("/console/registry?q=SHENZHEN").text
    assert "s-cn-1" in found
    assert "s-us-1" not in found
    by_country = officer.get("/console/registry?country=KR&role=processor").text
    assert "p-kr-1" in by_country
    assert "p-kr-2" in by_country
    assert "s-cn-1" not in by_country
    assert officer.get("/console/registry?country=ZZ").status_code == 400


def test_registering_a_recipient_goes_through_the_registry(
    officer: TestClient, center_runtime: Runtime
) -> None:
    answer = _post(officer, "/console/registry/new", "/console/registry/new", GOOD)
    assert answer.status_code == 303  # type: ignore[attr-defined]
    assert answer.headers["location"] == "/console/registry/s-de-1?saved=1"  # type: ignore[attr-defined]
    with center_runtime.reads() as db:
        stored = db.get(Recipient, "s-de-1")
        assert stored is not None
        assert stored.country == "DE"
        assert stored.certifications == ["ISO 27701", "APEC CBPR"]
        assert stored.data_countries == ["NL"]
        assert stored.privacy_phone == "+49301234567"
    page = officer.get("/console/registry/s-de-1?saved=1&lang=en").text
    assert "Saved." in page
    assert "Germany" in page


def test_a_bad_form_names_each_field_and_writes_nothing(
    officer: TestClient, center_runtime: Runtime
) -> None:
    before = _recipients(center_runtime)
    bad = GOOD | {
        "legal_name": "",
        "country": "XX",
        "privacy_email": "not an address",
        "retention_days": "0",
    }
    answer = _post(officer, "/console/registry/new?lang=en", "/console/registry/new", bad)
    assert answer.status_code == 422  # type: ignore[attr-defined]
    html = answer.text  # type: ignore[attr-defined]
    invalid = set(re.findall(r'id="(\w+)" name="\w+"[^>]*aria-invalid="true"', html))
    assert invalid == {"legal_name", "country", "privacy_email", "retention_days"}
    assert 'id="legal_name-problem" class="field-error">This field is required.' in html
    assert 'id="retention_days-problem" class="field-error">This number is too small.' in html
    assert 'value="Berlin Example GmbH"' not in html  # the empty name stays empty
    assert 'value="s-de-1"' in html  # what was right is kept
    assert _recipients(center_runtime) == before


def test_a_domestic_agent_is_all_or_nothing(officer: TestClient, center_runtime: Runtime) -> None:
    partial = GOOD | {"domestic_agent_name": "김대리"}
    answer = _post(officer, "/console/registry/new?lang=en", "/console/registry/new", partial)
    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert "The form as a whole" in answer.text  # type: ignore[attr-defined]
    assert "domestic_agent_name, _email and _phone go together" in answer.text  # type: ignore[attr-defined]
    assert _recipients(center_runtime) == 4


def test_an_existing_id_is_refused_beside_the_id(officer: TestClient) -> None:
    taken = GOOD | {"id": "s-cn-1"}
    answer = _post(officer, "/console/registry/new", "/console/registry/new", taken)
    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert 'id="id-problem" class="field-error">이 ID의 수령자가 이미 있습니다.' in answer.text  # type: ignore[attr-defined]


def test_editing_changes_only_that_recipient_and_a_bad_edit_nothing(
    officer: TestClient, center_runtime: Runtime
) -> None:
    page = "/console/registry/s-us-1/edit"
    form = officer.get(page).text
    assert 'value="Seattle Outdoor Supply LLC"' in form
    fields = {
        "legal_name": "Seattle Outdoor Supply LLC",
        "country": "US",
        "role": "seller",
        "privacy_email": "privacy@s-us-1.example.com",
        "retention_days": "45",
        "domestic_agent_name": "시애틀 국내대리인",
        "domestic_agent_email": "agent@example.kr",
        "domestic_agent_phone": "+82 2 555 0199",
    }
    saved = _post(officer, page, page, fields)
    assert saved.status_code == 303, saved.text  # type: ignore[attr-defined]
    bad = _post(officer, page, page, fields | {"retention_days": "forever"})
    assert bad.status_code == 422  # type: ignore[attr-defined]
    with center_runtime.reads() as db:
        stored = db.get(Recipient, "s-us-1")
        assert stored is not None
        assert stored.retention_days == 45
        assert stored.domestic_agent_name == "시애틀 국내대리인"
        assert stored.contract_safeguards is False  # the box was not ticked
    shown = officer.get("/console/registry/s-us-1").text
    assert "시애틀 국내대리인" in shown


CSV_HEAD = "id,legal_name,country,role,privacy_email,contract_safeguards,retention_days\n"


def test_a_csv_file_imports_every_row(officer: TestClient, center_runtime: Runtime) -> None:
    text = (
        CSV_HEAD
        + "s-fr-1,Paris Example SAS,FR,seller,privacy@paris.example.com,true,30\n"
        + "s-us-1,Seattle Outdoor Supply LLC,US,seller,privacy@s-us-1.example.com,true,60\n"
    )
    answer = _post(
        officer, "/console/registry/import?lang=en", "/console/registry/import", {"csv_text": text}
    )
    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert "Imported: 1 new recipients, 1 changed." in answer.text  # type: ignore[attr-defined]
    assert _recipients(center_runtime) == 5


def test_a_csv_file_with_bad_rows_lists_them_and_imports_nothing(
    officer: TestClient, center_runtime: Runtime
) -> None:
    text = (
        CSV_HEAD
        + "s-fr-1,Paris Example SAS,FR,seller,privacy@paris.example.com,true,30\n"
        + "s-it-1,Roma Example Srl,QQ,seller,privacy@roma.example.com,true,30\n"
        + "s-es-1,Madrid Example SL,ES,seller,nobody,true,0\n"
    )
    answer = _post(
        officer, "/console/registry/import?lang=en", "/console/registry/import", {"csv_text": text}
    )
    assert answer.status_code == 422  # type: ignore[attr-defined]
    html = answer.text  # type: ignore[attr-defined]
    rows = re.findall(r'<tr><th scope="row">(\d+)</th><td><code>(\w+)</code>', html)
    # Rows are numbered as the service numbers them: the first data row is 1.
    assert sorted(rows) == [("2", "country"), ("3", "privacy_email"), ("3", "retention_days")]
    assert "Nothing was imported." in html
    assert "Roma Example Srl" in html  # the file is shown again, to correct
    assert _recipients(center_runtime) == 4


def test_a_webhook_endpoint_is_checked_then_saved(
    officer: TestClient, center_runtime: Runtime
) -> None:
    page = "/console/registry/s-cn-1?lang=en"
    action = "/console/registry/s-cn-1/webhook"
    bad = _post(officer, page, action, {"url": "http://hooks.example.com/x", "secret": "nope"})
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert re.search(r'id="url"[^>]*aria-invalid="true"', bad.text)  # type: ignore[attr-defined]
    assert re.search(r'id="secret"[^>]*aria-invalid="true"', bad.text)  # type: ignore[attr-defined]
    with center_runtime.reads() as db:
        assert db.get(RecipientWebhook, "s-cn-1") is None
    secret = new_secret()
    good = _post(officer, page, action, {"url": "https://hooks.example.com/x", "secret": secret})
    assert good.status_code == 303  # type: ignore[attr-defined]
    shown = officer.get(good.headers["location"]).text  # type: ignore[attr-defined]
    assert "https://hooks.example.com/x" in shown
    assert secret not in shown


def test_changes_since_the_last_notice_name_a_new_recipient(officer: TestClient) -> None:
    unchanged = officer.get("/console/registry/changes?lang=en").text
    assert "Berlin Example GmbH" not in unchanged
    assert "version 2026-10-01" in unchanged
    _post(officer, "/console/registry/new", "/console/registry/new", GOOD)
    changed = officer.get("/console/registry/changes?lang=en").text
    assert "Berlin Example GmbH" in changed
    assert "fresh consent" in changed


def test_an_unknown_purpose_or_a_strange_checkbox_value_is_refused_not_dropped(
    officer: TestClient, center_runtime: Runtime
) -> None:
    before = _recipients(center_runtime)
    for odd in ({"purposes": "bogus_purpose"}, {"contract_safeguards": "maybe"}):
        answer = _post(officer, "/console/registry/new", "/console/registry/new", GOOD | odd)
        assert answer.status_code == 422  # type: ignore[attr-defined]
    assert _recipients(center_runtime) == before
