"""The recipient directory: search by name prefix, country, role, section and ground; pages of 50;
every parameter checked, and a wrong one answered with a 400 page that names it."""

import re

import pytest
from fastapi.testclient import TestClient
from web_factories import T0, many, register

from databorder.runtime import Runtime


def _names(html: str) -> list[str]:
    return re.findall(r"<h3>(.*?)</h3>", html)


def test_the_directory_lists_every_recipient_of_the_version_in_force(
    pages: TestClient, versions: tuple[str, str]
) -> None:
    answer = pages.get("/privacy/recipients")
    assert answer.status_code == 200
    names = _names(answer.text)
    assert len(names) == 8
    assert "Saigon Handmade Co., Ltd." in names
    assert "업체 8곳 중 1–8번째입니다." in answer.text


def test_a_recipient_shows_country_role_contact_items_purposes_ground_and_retention(
    pages: TestClient, versions: tuple[str, str]
) -> None:
    text = pages.get("/privacy/recipients?q=Shenzhen").text
    assert _names(text) == ["Shenzhen Example Trading Co., Ltd."]
    card = text[text.index("<h3>Shenzhen") :]
    card = card[: card.index("</li>")]
    assert "<dd>중국</dd>" in card
    assert "<dd>판매자</dd>" in card or "판매" in card
    assert 'href="mailto:privacy@s-cn-1.example.com"' in card
    assert "이름" in card  # the name item, in the shared vocabulary
    assert "제28조의8" in card  # the article, as a Korean reader cites it
    assert "배송 완료 후 30일까지" in card


def test_search_by_name_prefix_ignores_case(pages: TestClient, versions: tuple[str, str]) -> None:
    assert _names(pages.get("/privacy/recipients?q=sh").text) == [
        "Shanghai Bright Goods Co., Ltd.",
        "Shenzhen Example Trading Co., Ltd.",
    ]


def test_search_by_a_korean_name(pages: TestClient, versions: tuple[str, str]) -> None:
    assert _names(pages.get("/privacy/recipients?q=한빛").text) == ["한빛 관세법인"]


def test_filter_by_country_and_role(pages: TestClient, versions: tuple[str, str]) -> None:
    chinese = _names(pages.get("/privacy/recipients?country=CN").text)
    assert chinese == ["Shanghai Bright Goods Co., Ltd.", "Shenzhen Example Trading Co., Ltd."]
    processors = _names(pages.get("/privacy/recipients?role=processor").text)
    assert processors == ["Seoul Parcel Delivery Co., Ltd.", "Singapore Cloud Storage Pte. Ltd."]
    assert _names(pages.get("/privacy/recipients?country=cn&role=processor").text) == []


def test_filter_by_section_and_ground(pages: TestClient, versions: tuple[str, str]) -> None:
    domestic = _names(pages.get("/privacy/recipients?section=entrustment").text)
    assert domestic == ["Seoul Parcel Delivery Co., Ltd.", "한빛 관세법인"]  # a broker is entrusted
    entrusted = _names(pages.get("/privacy/recipients?ground=entrusted_contract").text)
    assert "Singapore Cloud Storage Pte. Ltd." in entrusted


def test_the_country_select_names_countries_in_the_readers_language(
    pages: TestClient, versions: tuple[str, str]
) -> None:
    korean = pages.get("/privacy/recipients?country=CN").text
    assert '<option value="CN" selected>중국</option>' in korean
    english = pages.get("/privacy/recipients?country=CN&lang=en").text
    assert '<option value="CN" selected>China</option>' in english


def test_an_earlier_versions_directory_is_reachable_and_says_so(
    pages: TestClient, versions: tuple[str, str]
) -> None:
    answer = pages.get(f"/privacy/recipients?version={versions[0]}")
    assert answer.status_code == 200
    assert "Saigon Handmade Co., Ltd." not in _names(answer.text)
    assert "현재 시행 중인 버전이 아닙니다" in answer.text
    assert f'<input type="hidden" name="version" value="{versions[0]}">' in answer.text


def test_an_unknown_version_is_404(pages: TestClient, versions: tuple[str, str]) -> None:
    assert pages.get("/privacy/recipients?version=1999-01-01").status_code == 404


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ("country=XX", "국가", "알 수 없는 국가 &#39;XX&#39;"),
        ("country=Korea", "국가", "두 글자 ISO 3166 국가 코드"),
        ("role=buyer", "역할", "알 수 없는 값 &#39;buyer&#39;: 다음 중 하나여야 합니다: seller"),
        ("section=marketing", "구분", "overseas_transfer, provision, entrustment"),
        ("ground=whim", "법적 근거", "consent, legal_mandate"),
        ("page=0", "페이지", "1부터"),
        ("page=two", "페이지", "&#39;two&#39;"),
        ("q=" + "x" * 101, "업체명", "최대 100자"),
    ],
)
def test_a_wrong_parameter_answers_400_naming_the_field_and_why(
    pages: TestClient, versions: tuple[str, str], query: str, field: str, reason: str
) -> None:
    answer = pages.get(f"/privacy/recipients?{query}")
    assert answer.status_code == 400
    assert "주소에 잘못된 부분이 있습니다" in answer.text
    assert f"<strong>{field}</strong>" in answer.text
    assert reason in answer.text


def test_every_wrong_parameter_is_listed_at_once_in_english(
    pages: TestClient, versions: tuple[str, str]
) -> None:
    answer = pages.get("/privacy/recipients?country=XX&role=buyer&lang=en")
    assert answer.status_code == 400
    assert "<strong>Country</strong>: unknown country &#39;XX&#39;" in answer.text
    assert "<strong>Role</strong>: unknown value &#39;buyer&#39;" in answer.text


def test_an_empty_filter_means_all(pages: TestClient, versions: tuple[str, str]) -> None:
    answer = pages.get("/privacy/recipients?q=&country=&role=&section=&ground=&page=")
    assert answer.status_code == 200
    assert len(_names(answer.text)) == 8


def test_names_and_queries_are_escaped(pages: TestClient, versions: tuple[str, str]) -> None:
    listed = pages.get("/privacy/recipients").text
    assert "<script>alert" not in listed
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Osaka Goods" in listed
    searched = pages.get('/privacy/recipients?q="><script>alert(1)</script>').text
    assert "<script>alert(1)" not in searched
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in searched


def test_pages_of_fifty_with_links_that_keep_the_search(
    pages: TestClient, fixed_runtime: Runtime
) -> None:
    with fixed_runtime.sessions.begin() as session:
        for someone in many(120):
            register(session, someone, T0)
        fixed_runtime.publisher.publish(session, T0)
    first = pages.get("/privacy/recipients?q=acme&country=CN")
    assert len(_names(first.text)) == 50
    assert "업체 120곳 중 1–50번째입니다." in first.text
    assert 'href="/privacy/recipients?q=acme&amp;country=CN&amp;page=2" rel="next"' in first.text
    third = pages.get("/privacy/recipients?q=acme&country=CN&page=3")
    assert _names(third.text)[0] == "Acme Export 100 Co."
    assert len(_names(third.text)) == 20
    assert 'aria-current="page">3</span>' in third.text
    past = pages.get("/privacy/recipients?q=acme&page=9")
    assert past.status_code == 200
    assert "9페이지는 없습니다" in past.text
