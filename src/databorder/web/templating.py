"""The Jinja2 environments the pages render with: one per language, built once.

Each language gets an environment of its own with its `web` catalogue installed in the i18n
extension and filters bound to its locale (`{{ at|date }}` is "2026년 11월 1일" in one and
"November 1, 2026" in the other). Installing translations into a single shared environment per
request would race: handlers run in a thread pool, and one request's `install_gettext_translations`
would change the language of another's page mid-render. Templates only render: whatever needs
deciding is decided before they are called.
"""

from datetime import date, datetime
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from databorder import i18n
from databorder.i18n import LANGUAGES
from databorder.model import DataItem, Ground, Purpose, RecipientRole
from databorder.notices import labels
from databorder.notices.render import KST
from databorder.notices.types import Section
from databorder.web.assets import notice_css_url, static_url


@cache
def environment(lang: str) -> Environment:
    """The environment for `lang`; unknown languages are errors, not a silent default."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {list(LANGUAGES)}")
    env = Environment(
        loader=PackageLoader("databorder.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        # A misspelt variable must fail the test that renders the page, not print nothing.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(lang, "web"), newstyle=True)  # type: ignore[attr-defined]

    def country(code: str) -> str:
        return i18n.country_name(code, lang)

    # Dates are Korea's, as in the notice itself (a version published at 23:30 UTC is dated the
    # next day in Seoul, and the page must not disagree with the fragment it wraps).
    def date_(value: date | datetime) -> str:
        return i18n.format_date(
            value.astimezone(KST) if isinstance(value, datetime) else value, lang
        )

    def datetime_(value: datetime) -> str:
        return i18n.format_datetime(value.astimezone(KST), lang)

    def number(value: int | float) -> str:
        return i18n.format_number(value, lang)

    # The shared vocabulary (`labels` domain), so a page names an item exactly as the notice
    # and the consent screen do.
    def item(value: DataItem) -> str:
        return labels.item_label(value, lang)

    def purpose(value: Purpose) -> str:
        return labels.purpose_label(value, lang)

    def role(value: RecipientRole) -> str:
        return labels.role_label(value, lang)

    def section(value: Section) -> str:
        return labels.section_label(value, lang)

    def ground(value: Ground, within: Section = Section.OVERSEAS_TRANSFER) -> str:
        return labels.ground_label(value, lang, within)

    def article(value: str) -> str:
        return labels.article_label(value, lang)

    env.filters.update(
        country=country,
        date=date_,
        datetime=datetime_,
        number=number,
        item=item,
        purpose=purpose,
        role=role,
        section=section,
        ground=ground,
        article=article,
    )
    env.globals.update(
        static=static_url,
        notice_css=notice_css_url,
        lang=lang,
        roles=tuple(RecipientRole),
        sections=tuple(Section),
        grounds=tuple(Ground),
    )
    return env


__all__ = ["environment"]
