"""Message catalogues and locale formatting, shared by the notices, the web pages and the CLI.

Korean is the default (PIPA notices are written in Korean, foreign businesses included); English
is the second language. Catalogues are plain `.po` files under `locale/<lang>/LC_MESSAGES/`, one
per domain (`labels` for the vocabulary every page shares, `notices`, `web`, `audit`), read with Babel at
first use: there is no compile step to forget on a fresh clone. `make i18n` extracts new
messages into them.
"""

from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from importlib import resources
from io import BytesIO

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LANGUAGES: tuple[str, ...] = ("ko", "en")
DEFAULT_LANGUAGE = "ko"
DOMAINS: tuple[str, ...] = ("labels", "notices", "web", "audit")


def language(value: str | None) -> str:
    """The supported language for a requested one; anything unknown falls back to Korean."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


@cache
def translations(lang: str, domain: str) -> Translations:
    """The catalogue of one domain in one language; unknown languages or domains are errors."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {list(LANGUAGES)}")
    if domain not in DOMAINS:
        raise ValueError(f"unknown message domain {domain!r}; expected one of {list(DOMAINS)}")
    path = resources.files("databorder.i18n").joinpath(f"locale/{lang}/LC_MESSAGES/{domain}.po")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=domain)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=domain)


def gettext(lang: str, domain: str) -> Callable[[str], str]:
    return translations(lang, domain).gettext


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def country_name(code: str, lang: str) -> str:
    """A country's name as a buyer reads it (중국, not CN); the code itself if Babel has none."""
    return str(_locale(lang).territories.get(code.upper(), code.upper()))


def format_date(value: date | datetime, lang: str) -> str:
    return _format_date(value, format="long", locale=_locale(lang))


def format_datetime(value: datetime, lang: str) -> str:
    return _format_datetime(value, format="medium", locale=_locale(lang))


def format_number(value: int | float, lang: str) -> str:
    return format_decimal(value, locale=_locale(lang))


__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAINS",
    "LANGUAGES",
    "country_name",
    "format_date",
    "format_datetime",
    "format_number",
    "gettext",
    "language",
    "translations",
]
