"""/privacy/diff: what changed between two versions, rendered by the notices' diff renderer."""

from fastapi.testclient import TestClient


def test_the_diff_names_the_added_recipient_and_says_consent_is_needed(
    pages: TestClient, versions: tuple[str, str]
) -> None:
    first, second = versions
    answer = pages.get(f"/privacy/diff?from={first}&to={second}")
    assert answer.status_code == 200
    text = answer.text
    assert f"{first} 버전에서 {second} 버전으로 바뀐 내용" in text
    assert f'data-from="{first}" data-to="{second}"' in text
    assert 'data-subject="s-vn-1"' in text
    assert "Saigon Handmade Co., Ltd." in text
    assert 'data-needs-fresh-consent="true"' in text
    assert "베트남" in text


def test_the_diff_in_english(pages: TestClient, versions: tuple[str, str]) -> None:
    first, second = versions
    answer = pages.get(f"/privacy/diff?from={first}&to={second}&lang=en")
    assert answer.status_code == 200
    assert f"What changed from version {first} to version {second}" in answer.text
    assert "Vietnam" in answer.text


def test_missing_versions_are_a_400_naming_both(
    pages: TestClient, versions: tuple[str, str]
) -> None:
    answer = pages.get("/privacy/diff")
    assert answer.status_code == 400
    assert "<strong>비교 기준 버전</strong>: 필수 항목입니다" in answer.text
    assert "<strong>비교 대상 버전</strong>: 필수 항목입니다" in answer.text
    only_one = pages.get(f"/privacy/diff?from={versions[0]}&lang=en")
    assert only_one.status_code == 400
    assert "<strong>To version</strong>: required: choose a version" in only_one.text
    assert "From version" not in only_one.text.split('<ul class="problems">')[1]


def test_a_malformed_version_is_400_and_an_unknown_one_404(
    pages: TestClient, versions: tuple[str, str]
) -> None:
    too_long = pages.get(f"/privacy/diff?from={'9' * 65}&to={versions[1]}")
    assert too_long.status_code == 400
    assert "최대 64자" in too_long.text
    unknown = pages.get(f"/privacy/diff?from=1999-01-01&to={versions[1]}")
    assert unknown.status_code == 404
    assert "1999-01-01" in unknown.text
