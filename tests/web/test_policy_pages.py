"""The first screen, the policy in force, the list of versions and an earlier version."""

from fastapi.testclient import TestClient
from web_factories import FIRST, SECOND


def test_the_first_screen_is_korean_and_links_to_the_policy(
    pages: TestClient, versions: tuple[str, str]
) -> None:
    answer = pages.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="ko">' in answer.text
    assert 'href="/privacy"' in answer.text
    assert "개인정보 처리방침 보기" in answer.text
    assert f"개인정보 처리방침 {versions[1]} 버전에는" in answer.text
    assert f"{len(FIRST) + len(SECOND)}곳" in answer.text


def test_the_policy_page_shows_the_version_in_force_with_its_facts(
    pages: TestClient, versions: tuple[str, str]
) -> None:
    first, second = versions
    answer = pages.get("/privacy")
    assert answer.status_code == 200
    text = answer.text
    assert f'data-version="{second}"' in text  # the stored fragment, wrapped in the layout
    assert "중국" in text
    assert "개인정보" in text
    assert "Saigon Handmade Co., Ltd." in text
    assert "2026년 11월 30일" in text  # the publication date, in Korean
    assert f"/privacy/diff?from={first}&amp;to={second}" in text
    assert f'href="/privacy/versions/{first}"' in text
    assert "/privacy/recipients.csv" in text
    assert "/privacy/recipients.json" in text
    assert "시행 중인 버전이 아닙니다" not in text


def test_the_policy_page_in_english(pages: TestClient, versions: tuple[str, str]) -> None:
    answer = pages.get("/privacy?lang=en")
    assert '<html lang="en">' in answer.text
    assert "Privacy policy: who receives your personal data" in answer.text
    assert "November 30, 2026" in answer.text
    assert "China" in answer.text
    assert answer.headers["Content-Language"] == "en"


def test_an_earlier_version_stays_at_its_own_address_and_says_it_is_not_in_force(
    pages: TestClient, versions: tuple[str, str]
) -> None:
    first = versions[0]
    answer = pages.get(f"/privacy/versions/{first}")
    assert answer.status_code == 200
    assert f'data-version="{first}"' in answer.text
    assert "Saigon Handmade" not in answer.text  # added only in the second version
    assert f"지금 보고 계신 {first} 버전은 현재 시행 중인 버전이 아닙니다." in answer.text
    assert f"/privacy/recipients.csv?version={first}" in answer.text
    assert "처음 게시된 버전입니다." in answer.text


def test_the_version_in_force_at_its_own_address_is_not_called_earlier(
    pages: TestClient, versions: tuple[str, str]
) -> None:
    answer = pages.get(f"/privacy/versions/{versions[1]}")
    assert answer.status_code == 200
    assert "시행 중인 버전이 아닙니다" not in answer.text


def test_an_unknown_version_is_a_friendly_404(pages: TestClient, versions: tuple[str, str]) -> None:
    answer = pages.get("/privacy/versions/1999-01-01")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert "페이지를 찾을 수 없습니다" in answer.text
    assert "1999-01-01" in answer.text
    english = pages.get("/privacy/versions/1999-01-01?lang=en")
    assert english.status_code == 404
    assert "We could not find this page" in english.text


def test_an_unknown_address_under_privacy_is_a_friendly_404(pages: TestClient) -> None:
    answer = pages.get("/privacy/nothing-here")
    assert answer.status_code == 404
    assert "페이지를 찾을 수 없습니다" in answer.text


def test_the_versions_list_shows_each_version_with_date_count_and_hash(
    pages: TestClient, versions: tuple[str, str], fixed_runtime: object
) -> None:
    first, second = versions
    answer = pages.get("/privacy/versions")
    assert answer.status_code == 200
    text = answer.text
    assert text.index(f"{second} 버전</a>") < text.index(f"{first} 버전</a>")  # newest first
    assert f'{second} 버전</a> <span class="badge">시행 중</span>' in text
    assert "2026년 11월 2일" in text
    assert "2026년 11월 30일" in text
    assert f"<dd>{len(FIRST)}</dd>" in text
    assert f"<dd>{len(FIRST) + len(SECOND)}</dd>" in text
    assert text.count('<code class="hash">') == 2
    assert 'action="/privacy/diff"' in text


def test_before_any_publication_the_pages_say_so_plainly(pages: TestClient) -> None:
    for path in ("/", "/privacy", "/privacy/versions", "/privacy/recipients"):
        answer = pages.get(path)
        assert answer.status_code == 200, path
        assert "게시" in answer.text, path
    assert "아직 게시된 개인정보 처리방침이 없습니다." in pages.get("/").text
    assert "아직 게시되지 않았습니다" in pages.get("/privacy").text
