"""Every recipient of any registry is in every format: named, or counted where a table is summarised."""

import csv
import io
import json
from collections import Counter
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from notice_factories import article, snapshot
from rdf_graphs import parse_jsonld
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from databorder.model import DataItem, Ground, Purpose, RecipientRole
from databorder.notices import (
    NoticeEntry,
    NoticeSnapshot,
    Section,
    render_csv,
    render_json,
    render_jsonld,
    render_policy_html,
)
from databorder.notices.labels import SECTION_GROUNDS

DPV = Namespace("https://w3id.org/dpv#")
COUNTRIES = ("KR", "CN", "US", "JP", "VN")
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=24)
AWKWARD = st.sampled_from(
    [
        '=HYPERLINK("x")',
        "Co., Ltd.",
        "주식회사 한결",
        "<b>&amp;</b>",
        'say "hi"',
        "a|b*c_d",
        " x ",
        "x\\y",
        "-1",
    ]
)


@st.composite
def entries(draw: st.DrawFn) -> tuple[NoticeEntry, ...]:
    ids = draw(st.lists(st.one_of(TEXT, AWKWARD), max_size=25, unique=True))
    out = []
    for rid in ids:
        seat = draw(st.sampled_from(COUNTRIES))
        others = draw(st.lists(st.sampled_from(COUNTRIES), max_size=2, unique=True))
        countries = (seat, *sorted(set(others) - {seat}))
        if any(c != "KR" for c in countries):
            section = Section.OVERSEAS_TRANSFER
        else:
            section = draw(st.sampled_from([Section.PROVISION, Section.ENTRUSTMENT]))
        ground = draw(st.sampled_from(SECTION_GROUNDS[section]))
        role = draw(st.sampled_from(list(RecipientRole)))
        if role is RecipientRole.SELLER and ground is Ground.ENTRUSTED_CONTRACT:
            role = RecipientRole.PROCESSOR
        out.append(
            NoticeEntry(
                recipient_id=rid,
                name=draw(st.one_of(TEXT, AWKWARD)),
                country=seat,
                data_countries=countries,
                role=role,
                email=draw(st.one_of(st.emails(), AWKWARD)),
                phone=draw(
                    st.one_of(st.none(), st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True))
                ),
                section=section,
                ground=ground,
                article=article(section, ground),
                items=tuple(
                    draw(
                        st.lists(
                            st.sampled_from(list(DataItem)), min_size=1, max_size=4, unique=True
                        )
                    )
                ),
                purposes=tuple(
                    draw(
                        st.lists(
                            st.sampled_from(list(Purpose)), min_size=1, max_size=3, unique=True
                        )
                    )
                ),
                retention_days=draw(st.integers(1, 3650)),
            )
        )
    return tuple(out)


class _Rows(HTMLParser):
    """Recipient rows (id and printed name) and summary rows, each with its table's ground."""

    def __init__(self) -> None:
        super().__init__()
        self.table: tuple[str, str] | None = None
        self.rows: dict[str, tuple[tuple[str, str], str]] = {}
        self.summaries: list[tuple[tuple[str, str], int]] = []
        self._row: str | None = None
        self._in_name = False
        self._name: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self.table = (a["data-section"] or "", a["data-ground"] or "")
        elif tag == "tr" and "data-recipient-id" in a:
            self._row = a["data-recipient-id"]
        elif tag == "tr" and a.get("class") == "notice-summary":
            assert self.table == (a["data-section"], a["data-ground"])
            self.summaries.append((self.table, int(a["data-count"] or 0)))
        elif tag == "span" and a.get("class") == "recipient-name":
            self._in_name, self._name = True, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._in_name:
            self._in_name = False
            assert self._row is not None
            assert self.table is not None
            assert self._row not in self.rows, "a recipient printed twice"
            self.rows[self._row] = (self.table, "".join(self._name))

    def handle_data(self, data: str) -> None:
        if self._in_name:
            self._name.append(data)


def _uninert(cell: str) -> str:
    """The CSV's spreadsheet guard undone: a quote put before = + - @."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") else cell


@settings(max_examples=60, deadline=None)
@given(entries(), st.integers(1, 4), st.sampled_from(["ko", "en"]))
def test_every_recipient_is_in_the_html_as_a_row_or_counted_in_its_summary(
    given_entries: tuple[NoticeEntry, ...], page_limit: int, lang: str
) -> None:
    s: NoticeSnapshot = snapshot(given_entries)
    parser = _Rows()
    parser.feed(render_policy_html(s, lang, page_limit=page_limit))
    per_table = Counter((e.section.value, e.ground.value) for e in given_entries)
    summarised = {table for table, n in per_table.items() if n > page_limit}
    assert sorted(parser.summaries) == sorted((t, per_table[t]) for t in summarised)
    for e in given_entries:
        table = (e.section.value, e.ground.value)
        if table in summarised:
            assert e.recipient_id not in parser.rows
        else:
            assert parser.rows[e.recipient_id] == (table, e.name)
    assert len(parser.rows) + sum(n for _, n in parser.summaries) == len(given_entries)


@settings(max_examples=40, deadline=None)
@given(entries())
def test_every_recipient_is_in_the_csv_json_and_jsonld_by_name_and_id(
    given_entries: tuple[NoticeEntry, ...],
) -> None:
    s = snapshot(given_entries)
    expected = {e.recipient_id: e.name for e in given_entries}

    rows = list(csv.DictReader(io.StringIO(render_csv(s).decode("utf-8-sig"), newline="")))
    assert {_uninert(r["recipient_id"]): _uninert(r["name"]) for r in rows} == expected
    assert len(rows) == len(given_entries)

    document = json.loads(render_json(s))
    assert {r["recipient_id"]: r["name"] for r in document["recipients"]} == expected
    assert document["count"] == len(given_entries)

    graph = parse_jsonld(render_jsonld(s))
    notice = URIRef("urn:databorder:notice:2026-12-01")
    named = {}
    for process in graph.subjects(DPV.hasNotice, notice):
        recipient = graph.value(process, DPV.hasRecipient)
        identifier = graph.value(recipient, DCTERMS.identifier)
        name = graph.value(recipient, DPV.hasName)
        assert isinstance(identifier, Literal)
        assert isinstance(name, Literal)
        named[str(identifier)] = str(name)
    assert named == expected
