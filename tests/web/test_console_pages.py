"""The console's overview, rights and log pages show what the database holds: the overview's
tables against counts made here from the disclosure rows, the open requests and complaints,
the log's size and both verifications."""

import re
from collections import Counter
from html import unescape

from console_factories import COMPLAINT, ConsoleWorld, csrf_of
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from databorder import i18n
from databorder.gateway.models import Disclosure
from databorder.ledger.models import LogLeaf
from databorder.runtime import Runtime

_ROW = re.compile(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", re.S)
_CELL = re.compile(r"<td class=\"num\">(.*?)</td>")


def table(html: str, ident: str) -> dict[str, list[str]]:
    """A chart's table as {row label: [cells]}."""
    start = html.index(f'id="{ident}-table"')
    body = html[start : html.index("</table>", start)]
    return {unescape(label): _CELL.findall(cells) for label, cells in _ROW.findall(body)}


def test_the_overviews_tables_match_the_disclosure_rows(
    officer: TestClient, center_runtime: Runtime, console_world: ConsoleWorld
) -> None:
    with center_runtime.reads() as db:
        rows = db.execute(
            select(Disclosure.recipient_country, Disclosure.allowed, Disclosure.ground)
        ).all()
    assert len(rows) == 6  # five disclosed, one refused
    html = officer.get("/console").text
    by_country = Counter((c, a) for c, a, _ in rows)
    expected = {
        i18n.country_name(c, "ko"): [str(by_country[(c, True)]), str(by_country[(c, False)])]
        for c in {c for c, _, _ in rows}
    }
    assert table(html, "chart-country") == expected
    assert table(html, "chart-time")["2026년 11월 1일"] == ["5", "1"]
    assert table(html, "chart-time")["2026년 11월 2일"] == ["0", "0"]
    grounds = Counter(g for _, a, g in rows if a)
    assert sorted(int(v[0]) for v in table(html, "chart-ground").values()) == sorted(
        grounds.values()
    )
    assert list(table(html, "chart-reason").values()) == [["1"]]
    assert '<h2 id="chart-country-heading">수령자 국가별</h2>' in html
    assert "Disclosed" not in html  # every chart's words from the catalogue, in Korean
    for ident in ("chart-time", "chart-country", "chart-ground", "chart-reason"):
        assert f'aria-labelledby="{ident}-title {ident}-desc"' in html


def test_the_overview_speaks_english_by_the_switch(officer: TestClient) -> None:
    html = officer.get("/console?lang=en&bucket=week").text
    assert "<h1>Overview</h1>" in html
    assert "China" in table(html, "chart-country")
    assert table(html, "chart-time")["October 26, 2026"] == ["5", "1"]  # the Monday


def test_the_overview_refuses_a_wrong_period(officer: TestClient) -> None:
    assert officer.get("/console?start=2026-13-01").status_code == 400
    assert officer.get("/console?start=2026-11-03&end=2026-11-01").status_code == 400
    assert officer.get("/console?bucket=year").status_code == 400
    narrow = officer.get("/console?start=2026-11-02&end=2026-11-03").text
    assert table(narrow, "chart-country") == {}


def test_rights_lists_open_requests_overdue_tasks_and_the_complaint(
    officer: TestClient, console_world: ConsoleWorld
) -> None:
    html = officer.get("/console/rights").text
    opened = html[html.index('id="open-requests"') : html.index('id="overdue"')]
    assert console_world.complaint_number in opened
    assert console_world.suspension_number in opened
    assert opened.count('<tr class="overdue"') == 2  # both past their 10 days
    tasks = html[html.index('id="overdue-tasks"') : html.index('id="complaints"')]
    assert "Shenzhen Example Trading Co., Ltd." in tasks  # A's data went there
    assert COMPLAINT in html


def test_answering_a_complaint_closes_it(officer: TestClient, console_world: ConsoleWorld) -> None:
    page = officer.get("/console/rights")
    action = f"/console/rights/{console_world.complaint_id}/answer"
    empty = officer.post(action, data={"csrf_token": csrf_of(page.text), "text": "  "})
    assert empty.status_code == 422
    assert "보내기 전에 답변을 작성하세요." in empty.text
    done = officer.post(action, data={"csrf_token": csrf_of(page.text), "text": "확인했습니다."})
    assert done.status_code == 303
    after = officer.get(done.headers["location"]).text
    assert "답변을 보냈습니다" in after
    assert COMPLAINT not in after
    again = officer.post(action, data={"csrf_token": csrf_of(page.text), "text": "또 답변"})
    assert again.status_code == 422


def test_the_log_page_shows_the_signed_head_and_verifies_it(
    officer: TestClient, center_runtime: Runtime
) -> None:
    html = officer.get("/console/log?lang=en").text
    with center_runtime.reads() as db:
        size = center_runtime.log.size(db)
        head = center_runtime.signer.latest(db)
    assert head is not None
    assert head.tree_size == size == 6
    assert f'<dd id="log-size">{size}</dd>' in html
    assert head.root_hash.hex() in html
    assert html.count("Verified") == 2  # signature, root
    verified = officer.post("/console/log/verify", data={"csrf_token": csrf_of(html)})
    assert verified.status_code == 200
    assert f"The log verifies: {size} leaves" in verified.text


def test_verifying_a_tampered_log_names_the_first_bad_leaf(
    officer: TestClient, center_runtime: Runtime
) -> None:
    with center_runtime.sessions.begin() as db:
        db.execute(update(LogLeaf).where(LogLeaf.index == 2).values(data=b'{"bent":true}'))
    html = officer.get("/console/log?lang=en").text
    answer = officer.post("/console/log/verify", data={"csrf_token": csrf_of(html)})
    assert "The log does not verify" in answer.text
    assert "the first at leaf 2." in answer.text
