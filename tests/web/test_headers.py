"""Every web answer is secured, language is chosen as documented, assets are served."""

import re

import pytest
from fastapi.testclient import TestClient

from databorder.web import language
from databorder.web.headers import SECURITY_HEADERS

PAGES = ["/", "/privacy", "/privacy/versions", "/privacy/recipients", "/privacy/nope"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_security_headers(pages: TestClient, path: str) -> None:
    answer = pages.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers[name] == value
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "no-referrer"


def test_error_pages_and_downloads_carry_them_too(
    pages: TestClient, versions: tuple[str, str]
) -> None:
    for path in ("/privacy/recipients?role=x", "/privacy/recipients.csv"):
        assert (
            pages.get(path).headers["Content-Security-Policy"]
            == (SECURITY_HEADERS["Content-Security-Policy"])
        )


def test_pages_have_no_inline_script_or_style(pages: TestClient, versions: tuple[str, str]) -> None:
    for path in ("/", "/privacy", "/privacy/versions", "/privacy/recipients"):
        html = pages.get(path).text
        assert "<script" not in html
        assert "<style" not in html
        assert not re.search(r"\son\w+=", html)  # no event handler attributes
        assert " style=" not in html


def test_the_api_keeps_its_json_answers(pages: TestClient) -> None:
    answer = pages.get("/v1/recipients")
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"  # RFC 9457
    assert "Content-Security-Policy" not in answer.headers


def test_korean_is_the_default_and_english_is_remembered(pages: TestClient) -> None:
    first = pages.get("/")
    assert '<html lang="ko">' in first.text
    assert "set-cookie" not in first.headers
    english = pages.get("/?lang=en")
    assert '<html lang="en">' in english.text
    assert f"{language.COOKIE}=en" in english.headers["set-cookie"]
    assert "HttpOnly" in english.headers["set-cookie"]
    assert '<html lang="en">' in pages.get("/privacy").text  # the cookie, no query
    assert '<html lang="ko">' in pages.get("/privacy?lang=ko").text  # the query wins
    assert '<html lang="ko">' in pages.get("/privacy").text


def test_an_unknown_language_falls_back_to_korean(pages: TestClient) -> None:
    answer = pages.get("/?lang=fr")
    assert '<html lang="ko">' in answer.text
    assert "set-cookie" not in answer.headers


def test_the_switch_links_keep_the_path_and_every_other_parameter(pages: TestClient) -> None:
    html = pages.get("/privacy/recipients?q=Sh&country=CN&lang=en").text
    assert 'href="/privacy/recipients?q=Sh&amp;country=CN&amp;lang=ko" lang="ko"' in html
    assert 'href="/privacy/recipients?q=Sh&amp;country=CN&amp;lang=en" lang="en"' in html
    assert 'lang="en" hreflang="en" aria-current="true">English</a>' in html


def test_the_stylesheets_and_icon_are_served(pages: TestClient) -> None:
    html = pages.get("/").text
    links = re.findall(r'<link rel="(?:stylesheet|icon)" href="([^"]+)"', html)
    assert len(links) == 3
    for link in links:
        answer = pages.get(link)
        assert answer.status_code == 200, link
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    css = pages.get(links[0])
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert ".notice-table" in css.text
