"""Every string the pages show comes from the `web` catalogue and has its Korean translation."""

import re
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import databorder.web

WEB = Path(databorder.web.__file__).parent
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def _extracted() -> set[str]:
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(WEB), METHODS, OPTIONS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalogue(lang: str) -> dict[str, str]:
    path = resources.files("databorder.i18n").joinpath(f"locale/{lang}/LC_MESSAGES/web.po")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain="web")
    return {str(m.id): str(m.string) for m in catalog if m.id}


def test_the_pages_use_enough_messages_to_be_extracted_at_all() -> None:
    assert len(_extracted()) > 80


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_extracted_message_is_in_the_catalogue(lang: str) -> None:
    missing = _extracted() - _catalogue(lang).keys()
    assert not missing, f"messages missing from {lang}/web.po: {sorted(missing)}"


def test_every_message_has_a_korean_translation() -> None:
    korean = _catalogue("ko")
    untranslated = sorted(m for m in _extracted() if not korean.get(m))
    assert not untranslated


def test_korean_translations_keep_every_placeholder() -> None:
    korean = _catalogue("ko")
    broken = [
        m
        for m in _extracted()
        if sorted(_placeholders(m)) != sorted(_placeholders(korean.get(m, "")))
    ]
    assert not broken


def _placeholders(text: str) -> list[str]:
    return re.findall(r"%\(\w+\)s", text)
