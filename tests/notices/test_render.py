"""The policy's transfer sections in HTML and Markdown: goldens, layout, summaries, markup."""

import re
from html.parser import HTMLParser

import pytest
from golden_files import assert_golden
from notice_factories import SMALL_ENTRIES, entry, snapshot

from databorder.model import Ground
from databorder.notices import (
    InvalidSnapshotError,
    NoticeSnapshot,
    Section,
    render_markdown,
    render_policy_document,
    render_policy_html,
)

LANGS = ("ko", "en")


@pytest.mark.parametrize("lang", LANGS)
def test_small_registry_html_matches_golden(lang: str) -> None:
    assert_golden(f"small.{lang}.html", render_policy_html(snapshot(), lang).encode())


@pytest.mark.parametrize("lang", LANGS)
def test_small_registry_document_matches_golden(lang: str) -> None:
    assert_golden(f"small.{lang}.document.html", render_policy_document(snapshot(), lang).encode())


@pytest.mark.parametrize("lang", LANGS)
def test_small_registry_markdown_matches_golden(lang: str) -> None:
    assert_golden(f"small.{lang}.md", render_markdown(snapshot(), lang).encode())


@pytest.mark.parametrize("lang", LANGS)
def test_summarised_tables_match_golden(lang: str) -> None:
    html = render_policy_html(snapshot(), lang, page_limit=1)
    assert_golden(f"small.summary.{lang}.html", html.encode())
    assert_golden(
        f"small.summary.{lang}.md", render_markdown(snapshot(), lang, page_limit=1).encode()
    )


class _Outline(HTMLParser):
    """What the tests read back from the markup: headings, tables, rows, cells' attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _outline(html: str) -> _Outline:
    parser = _Outline()
    parser.feed(html)
    return parser


def test_the_fragment_is_an_article_in_the_readers_language_without_a_page_around_it() -> None:
    html = render_policy_html(snapshot(), "ko")
    assert html.startswith('<article class="notice" lang="ko"')
    assert "<html" not in html
    assert "<head>" not in html
    assert "<h1" not in html  # the page it is embedded in has the h1


def test_overseas_transfer_comes_first_then_refusal_then_provision_then_entrustment() -> None:
    html = render_policy_html(snapshot(), "en")
    positions = [
        html.index('id="overseas-transfer"'),
        html.index('id="overseas-transfer-refusal"'),
        html.index('id="provision"'),
        html.index('id="entrustment"'),
        html.index('id="privacy-officer"'),
    ]
    assert positions == sorted(positions)


def test_one_table_per_ground_actually_used_in_the_order_of_the_article() -> None:
    tables = [
        (a["data-section"], a["data-ground"])
        for tag, a in _outline(render_policy_html(snapshot(), "en")).tags
        if tag == "table"
    ]
    assert tables == [
        ("overseas_transfer", "consent"),
        ("overseas_transfer", "entrusted_contract"),
        ("overseas_transfer", "certification"),
        ("provision", "consent"),
        ("provision", "legal_mandate"),
        ("entrustment", "entrusted_contract"),
    ]


def test_every_recipient_of_the_small_registry_is_a_row_with_name_and_contact() -> None:
    html = render_policy_html(snapshot(), "ko")
    rows = [a["data-recipient-id"] for tag, a in _outline(html).tags if "data-recipient-id" in a]
    assert sorted(rows) == sorted(e.recipient_id for e in SMALL_ENTRIES)
    for e in SMALL_ENTRIES:
        assert e.name in html
        assert f'href="mailto:{e.email}"' in html
        if e.phone:
            assert f'href="tel:{e.phone}"' in html


def test_countries_are_named_in_korean_with_every_data_country() -> None:
    html = render_policy_html(snapshot(), "ko")
    row = html[html.index('data-recipient-id="p-us-1"') :]
    assert "<td>미국, 일본</td>" in row[: row.index("</tr>")]
    assert "<td>중국</td>" in html
    assert "CN" not in re.sub(r"<[^>]+>", "", html)  # no bare codes in the text a buyer reads


def test_grounds_cite_their_article_in_plain_korean() -> None:
    html = render_policy_html(snapshot(), "ko")
    assert "정보주체의 별도 동의(「개인정보 보호법」 제28조의8 제1항 제1호)" in html
    assert "(「개인정보 보호법」 제17조 제1항 제2호)" in html
    assert "(「개인정보 보호법」 제26조)" in html


def test_tables_are_accessible() -> None:
    html = render_policy_html(snapshot(), "en")
    tags = _outline(html).tags
    tables = [a for tag, a in tags if tag == "table"]
    captions = [a for tag, a in tags if tag == "caption"]
    assert len(captions) == len(tables)
    headers = [a.get("scope") for tag, a in tags if tag == "th"]
    assert set(headers) <= {"col", "row", "rowgroup"}
    assert None not in headers
    assert headers.count("col") == 7 * len(tables)
    regions = [a for tag, a in tags if a.get("role") == "region"]
    assert all(r.get("tabindex") == "0" and r.get("aria-labelledby") for r in regions)


def test_refusal_names_the_withdrawal_and_deletion_paths_and_the_officer() -> None:
    html = render_policy_html(snapshot(), "ko")
    refusal = html[html.index('id="overseas-transfer-refusal"') : html.index('id="provision"')]
    assert 'href="/me/consents"' in refusal
    assert 'href="/me/delete"' in refusal
    assert "김보호" in refusal
    assert "privacy@hanbit-market.example" in refusal
    assert "+82 2 555 0100" in refusal


def test_no_refusal_block_without_transfers_abroad_and_each_empty_section_says_so() -> None:
    domestic = tuple(e for e in SMALL_ENTRIES if e.section is not Section.OVERSEAS_TRANSFER)
    html = render_policy_html(snapshot(domestic), "ko")
    assert "overseas-transfer-refusal" not in html
    assert "회사는 개인정보를 국외로 이전하지 않습니다." in html
    empty = render_policy_html(snapshot(()), "en")
    assert "We do not transfer personal data abroad." in empty
    assert "We do not provide personal data to third parties in Korea." in empty
    assert "We do not entrust the processing of personal data in Korea." in empty
    assert "<table" not in empty


def _many(n: int, country: str = "CN") -> tuple:  # type: ignore[type-arg]
    return tuple(
        entry(f"s-{k:03d}", name=f"Seller {k:03d} Ltd.", country=country, email=f"p{k}@s.example")
        for k in range(n)
    )


def test_a_table_longer_than_the_page_limit_becomes_one_summary_row_with_exact_counts() -> None:
    entries = (*_many(4, "CN"), *_many(0), entry("s-us-9", name="US Seller", country="US"))
    entries = (*entries, entry("s-us-8", name="Other US Seller", country="US", also=("CN",)))
    html = render_policy_html(snapshot(entries), "en", page_limit=5)
    summaries = [a for tag, a in _outline(html).tags if a.get("class") == "notice-summary"]
    assert summaries == [
        {
            "class": "notice-summary",
            "data-section": "overseas_transfer",
            "data-ground": "consent",
            "data-count": "6",
        }
    ]
    assert "data-recipient-id" not in html
    assert "<strong>6 recipients</strong>" in html
    assert "<td>China (5), United States (2)</td>" in html
    assert (
        'href="https://hanbit-market.example/privacy/recipients?version=2026-12-01'
        '&amp;section=overseas_transfer&amp;ground=consent"' in html
    )
    assert 'href="https://hanbit-market.example/privacy/recipients.csv?version=2026-12-01"' in html
    assert 'href="https://hanbit-market.example/privacy/recipients.json?version=2026-12-01"' in html


def test_a_table_at_the_page_limit_is_printed_in_full() -> None:
    html = render_policy_html(snapshot(_many(5)), "en", page_limit=5)
    assert "notice-summary" not in html
    assert html.count("data-recipient-id=") == 5


def test_a_summary_never_says_and_others() -> None:
    html = render_policy_html(snapshot(_many(60)), "ko")
    assert "60곳" in html
    text = re.sub(r"<[^>]+>", "", html)
    assert not re.search(
        r"외 *[0-9,]+ *(곳|개|명)|등 *[0-9,]+ *(곳|개)|and \d+ others|worldwide", text
    )


def test_the_summary_lists_every_country_with_its_count_in_korean() -> None:
    entries = (
        *_many(3, "CN"),
        *(
            entry(f"s-jp-{k}", name=f"JP {k}", country="JP", email=f"j{k}@s.example")
            for k in range(2)
        ),
    )
    html = render_policy_html(snapshot(entries), "ko", page_limit=1)
    assert "<td>중국(3곳), 일본(2곳)</td>" in html


def test_retention_range_in_a_summary() -> None:
    entries = (entry("a", retention_days=30), entry("b", name="B", retention_days=90))
    assert "30~90일" in render_policy_html(snapshot(entries), "ko", page_limit=1)
    assert "30 to 90 days" in render_policy_html(snapshot(entries), "en", page_limit=1)


def test_names_are_escaped_in_html_and_markdown() -> None:
    evil = entry("x", name='<script>alert("x")</script> | *Co* [a](b)')
    html = render_policy_html(snapshot((evil,)), "en")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    md = render_markdown(snapshot((evil,)), "en")
    assert r'**\<script\>alert("x")\</script\> \| \*Co\* \[a\](b)**' in md


def test_the_document_is_a_standalone_page_with_print_styles() -> None:
    page = render_policy_document(snapshot(), "ko")
    assert page.startswith('<!doctype html>\n<html lang="ko">')
    assert '<meta charset="utf-8">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert (
        "<title>한빛마켓 개인정보 처리방침: 국외 이전, 제3자 제공 및 처리 위탁 (2026-12-01)</title>"
        in page
    )
    assert "@media print" in page
    assert render_policy_html(snapshot(), "ko") in page


def test_the_publication_date_is_the_date_in_korea() -> None:
    # 30 Nov 15:00 UTC is 1 Dec 00:00 in Seoul.
    assert "2026년 12월 1일 게시" in render_policy_html(snapshot(), "ko")
    assert "published on December 1, 2026" in render_policy_html(snapshot(), "en")


def test_an_unknown_language_is_an_error() -> None:
    with pytest.raises(ValueError, match="unsupported language 'fr'"):
        render_policy_html(snapshot(), "fr")


def test_a_snapshot_that_would_misstate_a_transfer_is_not_rendered() -> None:
    hidden_abroad = entry("x", country="CN", section=Section.PROVISION)
    with pytest.raises(InvalidSnapshotError, match="belongs in the overseas_transfer section"):
        render_policy_html(snapshot((hidden_abroad,)), "ko")


def test_a_seller_is_never_listed_as_entrusted() -> None:
    seller = entry("x", ground=Ground.ENTRUSTED_CONTRACT)
    with pytest.raises(InvalidSnapshotError, match="a seller cannot be listed"):
        render_policy_html(snapshot((seller,)), "ko")


def test_snapshot_type_is_the_public_one() -> None:
    assert isinstance(snapshot(), NoticeSnapshot)
