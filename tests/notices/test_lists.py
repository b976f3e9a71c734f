"""The full list as downloads: goldens, Excel-safe CSV, canonical JSON, one row per recipient."""

import csv
import io
import json
from dataclasses import replace

from golden_files import assert_golden
from hypothesis import given
from hypothesis import strategies as st
from notice_factories import SMALL_ENTRIES, entry, snapshot

from databorder.notices import render_csv, render_json
from databorder.notices.lists import COLUMNS, csv_field


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_small_registry_csv_matches_golden() -> None:
    assert_golden("small.csv", render_csv(snapshot()))


def test_small_registry_json_matches_golden() -> None:
    assert_golden("small.json", render_json(snapshot()))


def test_csv_opens_in_excel_with_korean_intact() -> None:
    data = render_csv(snapshot())
    assert data.startswith(b"\xef\xbb\xbfname,country,")  # the BOM Excel needs for UTF-8
    assert b"\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert "주식회사 한결상사".encode() in data


def test_csv_has_one_row_per_recipient_in_stable_columns() -> None:
    rows = _rows(render_csv(snapshot()))
    assert list(rows[0]) == list(COLUMNS)
    assert [r["recipient_id"] for r in rows] == [
        "s-cn-1",
        "s-us-1",
        "p-cn-1",
        "p-us-1",
        "pay-us-1",
        "s-kr-1",
        "cb-kr-1",
        "p-kr-1",
    ]
    northbeam = next(r for r in rows if r["recipient_id"] == "p-us-1")
    assert northbeam == {
        "name": "Northbeam Cloud Services LLC",
        "country": "US",
        "data_countries": "US;JP",
        "role": "processor",
        "email": "privacy@northbeam-cloud.example",
        "phone": "+14155550199",
        "items": "name;phone;email;address;order_items",
        "purposes": "shipping;customer_service",
        "section": "overseas_transfer",
        "ground": "entrusted_contract",
        "article": "PIPA 28-8(1)3",
        "retention_days": "365",
        "recipient_id": "p-us-1",
        "version": "2026-12-01",
    }


def test_a_name_that_looks_like_a_formula_stays_text_in_a_spreadsheet() -> None:
    rows = _rows(render_csv(snapshot((entry("x", name='=HYPERLINK("http://evil")'),))))
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil")'


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30))
def test_csv_fields_are_quoted_exactly_as_the_csv_module_quotes_them(text: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([text, "x"])
    assert buffer.getvalue() == f"{csv_field(text)},x\r\n"


def test_json_is_canonical_so_it_can_be_hashed() -> None:
    data = render_json(snapshot())
    document = json.loads(data)
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical.encode() == data
    assert document["count"] == len(SMALL_ENTRIES) == len(document["recipients"])
    assert document["version"] == "2026-12-01"
    assert document["published_at"] == "2026-11-30T15:00:00+00:00"


def test_json_objects_carry_the_csv_columns() -> None:
    document = json.loads(render_json(snapshot()))
    payments = next(r for r in document["recipients"] if r["recipient_id"] == "pay-us-1")
    assert set(payments) == set(COLUMNS)
    assert payments["phone"] is None
    assert payments["items"] == ["name", "card_number"]
    assert payments["data_countries"] == ["US"]


def test_json_escapes_what_json_must_escape() -> None:
    odd = entry("x\\y", name='A "quoted"\\ name\u2028 with 한글', email="a@b.example")
    document = json.loads(render_json(snapshot((odd,))))
    assert document["recipients"][0]["name"] == 'A "quoted"\\ name\u2028 with 한글'
    assert document["recipients"][0]["recipient_id"] == "x\\y"


def test_items_are_written_in_the_vocabularys_order_whatever_order_they_came_in() -> None:
    a = replace(SMALL_ENTRIES[0], items=tuple(reversed(SMALL_ENTRIES[0].items)))
    assert render_csv(snapshot((a,))) == render_csv(snapshot((SMALL_ENTRIES[0],)))
