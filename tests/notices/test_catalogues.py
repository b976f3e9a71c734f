"""Every word of the notices comes from a catalogue, and Korean has every one."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import databorder
from databorder.model import DataItem, Ground, Purpose, RecipientRole
from databorder.notices import (
    Section,
    article_label,
    ground_label,
    item_label,
    purpose_label,
    role_label,
    section_label,
)
from databorder.notices.labels import SECTION_GROUNDS, msgids

PACKAGE = Path(databorder.__file__).parent
LOCALE = PACKAGE / "i18n" / "locale"
METHODS = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.md", "jinja2"),
]
# The same keywords as `make i18n` (Makefile: I18N_KEYWORDS_*).
KEYWORDS = {
    "labels": (PACKAGE, {"_l": None}),
    "notices": (
        PACKAGE / "notices",
        {"_n": None, "_np": (1, 2), "_": None, "gettext": None, "ngettext": (1, 2)},
    ),
}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _used(domain: str) -> set[str]:
    folder, keywords = KEYWORDS[domain]
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(folder), METHODS, keywords=keywords):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalogue(lang: str, domain: str):  # type: ignore[no-untyped-def]
    with (LOCALE / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        return read_po(handle, locale=lang, domain=domain)


@pytest.mark.parametrize("domain", ["labels", "notices"])
def test_every_msgid_used_has_a_korean_translation(domain: str) -> None:
    used = _used(domain)
    assert used, f"no messages found for {domain}: the extraction keywords are out of date"
    catalogue = _catalogue("ko", domain)
    missing = sorted(m for m in used if m not in catalogue)
    assert not missing, f"run `make i18n` and translate: {missing}"
    for msgid in used:
        message = catalogue[msgid]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"no Korean for {msgid!r}"
        assert not message.fuzzy, f"fuzzy Korean for {msgid!r}"
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(_PLACEHOLDER.findall(ids[0]))
        for text in strings:
            assert set(_PLACEHOLDER.findall(text)) == wanted, f"placeholders differ in {msgid!r}"


@pytest.mark.parametrize("domain", ["labels", "notices"])
def test_the_english_catalogue_knows_every_msgid(domain: str) -> None:
    catalogue = _catalogue("en", domain)
    assert not sorted(m for m in _used(domain) if m not in catalogue)


def test_the_labels_module_looks_up_only_extracted_msgids() -> None:
    assert msgids() <= _used("labels")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_value_of_every_vocabulary_has_a_label(lang: str) -> None:
    for item in DataItem:
        assert item_label(item, lang)
    for purpose in Purpose:
        assert purpose_label(purpose, lang)
    for role in RecipientRole:
        assert role_label(role, lang)
    for section in Section:
        assert section_label(section, lang)
        for ground in SECTION_GROUNDS[section]:
            assert ground_label(ground, lang, section)


def test_korean_labels_read_as_buyers_read_them() -> None:
    assert item_label(DataItem.CUSTOMS_CODE, "ko") == "개인통관고유부호"
    assert item_label(DataItem.PHONE, "ko") == "휴대전화번호"
    assert purpose_label(Purpose.SHIPPING, "ko") == "주문 상품 배송"
    assert role_label(RecipientRole.SELLER, "ko") == "판매자"
    assert ground_label(Ground.CONSENT, "ko") == "정보주체의 별도 동의"
    assert ground_label(Ground.CONSENT, "ko", Section.PROVISION) == "정보주체의 동의"


@pytest.mark.parametrize(
    ("article", "ko", "en"),
    [
        ("PIPA 28-8(1)1", "「개인정보 보호법」 제28조의8 제1항 제1호", "PIPA Art. 28-8(1)1"),
        ("PIPA 17(1)2", "「개인정보 보호법」 제17조 제1항 제2호", "PIPA Art. 17(1)2"),
        ("PIPA 26", "「개인정보 보호법」 제26조", "PIPA Art. 26"),
        ("PIPA 28-8(4)", "「개인정보 보호법」 제28조의8 제4항", "PIPA Art. 28-8(4)"),
    ],
)
def test_articles_in_plain_korean(article: str, ko: str, en: str) -> None:
    assert article_label(article, "ko") == ko
    assert article_label(article, "en") == en


@pytest.mark.parametrize("article", ["GDPR 49(1)(a)", "PIPA", "PIPA 28-8(1)1 ", "28-8(1)1"])
def test_an_article_in_another_shape_is_an_error(article: str) -> None:
    with pytest.raises(ValueError, match="article reference must look like"):
        article_label(article, "ko")


def test_a_ground_a_section_cannot_rest_on_is_an_error() -> None:
    with pytest.raises(ValueError, match="the provision section names no certification ground"):
        ground_label(Ground.CERTIFICATION, "ko", Section.PROVISION)


def test_an_unknown_language_is_an_error() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        item_label(DataItem.NAME, "ja")
