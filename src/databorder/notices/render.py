"""The policy's transfer sections as a reader sees them: HTML (fragment and archive page) and Markdown.

Laid out as the PIPC's writing guideline asks (LAW.md): the overseas transfer first, one table
per ground of Art. 28-8(1) with the columns ground | items | country | when and how | recipient
| purpose | retention, then how to refuse, the procedure and its effect; then domestic provision
(Art. 17) and entrustment (Art. 26) the same way.

Everything a template prints is decided here, in the reader's language, into small view values;
the templates only lay them out, so the HTML and the Markdown cannot say different things. Every
word comes from a catalogue (`labels` for the shared vocabulary, `notices` for the rest). A
table longer than the page limit is replaced by one summary row with exact counts and links to
the full list: a recipient is never "and N others".
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta, timezone
from functools import cache

import phonenumbers
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from databorder.i18n import LANGUAGES, country_name, format_date, format_number, translations
from databorder.model import DataItem, Purpose, RecipientRole
from databorder.notices import links
from databorder.notices.labels import (
    cited_ground_label,
    item_label,
    purpose_label,
    section_label,
)
from databorder.notices.layout import (
    DEFAULT_PAGE_LIMIT,
    Layout,
    Summary,
    Table,
    lay_out,
    ordered_items,
    ordered_purposes,
)
from databorder.notices.types import Controller, NoticeEntry, NoticeSnapshot, Section

DOMAIN = "notices"
KST = timezone(timedelta(hours=9), "KST")
"""The notice is Korean law's: its publication date is the date in Korea."""


def _n(message: str) -> str:
    """Marks a msgid of the `notices` catalogue for `make i18n`; translated where it is shown."""
    return message


def _np(singular: str, plural: str) -> tuple[str, str]:
    """Marks a msgid with its plural form (extracted as `_np:1,2`)."""
    return singular, plural


_WHEN: dict[RecipientRole, str] = {
    RecipientRole.SELLER: _n(
        "When you place an order, sent to the seller over an encrypted network connection"
    ),
    RecipientRole.PROCESSOR: _n(
        "While your order is processed and delivered, sent over an encrypted network connection and stored by the processor"
    ),
    RecipientRole.CUSTOMS_BROKER: _n(
        "When the import is declared to customs, sent over an encrypted network connection"
    ),
    RecipientRole.PAYMENT_PROCESSOR: _n("When you pay, sent over an encrypted network connection"),
}

# Column headers; the section decides the verb (transferred, provided, entrusted).
_HEADERS: dict[Section, tuple[str, ...]] = {
    Section.OVERSEAS_TRANSFER: (
        _n("Legal ground"),
        _n("Items transferred"),
        _n("Destination countries"),
        _n("When and how it is transferred"),
        _n("Recipient abroad (contact)"),
        _n("Recipient's purpose of use"),
        _n("Retention and use period"),
    ),
    Section.PROVISION: (
        _n("Legal ground"),
        _n("Items provided"),
        _n("Country"),
        _n("When and how it is provided"),
        _n("Recipient (contact)"),
        _n("Recipient's purpose of use"),
        _n("Retention and use period"),
    ),
    Section.ENTRUSTMENT: (
        _n("Legal ground"),
        _n("Items entrusted"),
        _n("Country"),
        _n("When and how it is entrusted"),
        _n("Processor (contact)"),
        _n("Work entrusted"),
        _n("Retention and use period"),
    ),
}

_INTROS: dict[Section, str] = {
    Section.OVERSEAS_TRANSFER: _n(
        "We transfer personal data abroad as set out below (PIPA Art. 28-8). There is one table for each legal ground of Art. 28-8(1), and every recipient is named with its contact details."
    ),
    Section.PROVISION: _n(
        "We provide personal data to third parties in Korea only with your consent or where a statute requires it, as set out below (PIPA Art. 17)."
    ),
    Section.ENTRUSTMENT: _n(
        "We entrust the processing of personal data to the companies in Korea below (PIPA Art. 26). Entrustment to companies abroad is set out under the overseas transfer of personal data."
    ),
}

_EMPTY: dict[Section, str] = {
    Section.OVERSEAS_TRANSFER: _n("We do not transfer personal data abroad."),
    Section.PROVISION: _n("We do not provide personal data to third parties in Korea."),
    Section.ENTRUSTMENT: _n("We do not entrust the processing of personal data in Korea."),
}


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True, slots=True)
class Row:
    """One recipient, every cell already in the reader's language."""

    recipient_id: str
    name: str
    email: str
    phone: str | None  # as dialled from abroad: +86 755 8888 1234
    phone_uri: str | None  # tel:+8675588881234
    items: str
    countries: str
    when: str
    purposes: str
    retention: str


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """What stands for a table too long to print: exact counts and where every name is."""

    count: int
    recipients: str
    note: str
    countries: str
    items: str
    when: str
    purposes: str
    retention: str
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class TableView:
    id: str
    section: str
    ground: str
    caption: str
    ground_text: str
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    summary: SummaryRow | None


@dataclass(frozen=True, slots=True)
class Refusal:
    """Art. 28-8(2)5: how to refuse the transfer, the procedure, and what refusing means."""

    title: str
    how: str
    how_links: tuple[Link, ...]
    ask_officer: str
    procedure: str
    effect: str


@dataclass(frozen=True, slots=True)
class SectionView:
    id: str
    title: str
    intro: str
    empty: str
    tables: tuple[TableView, ...]
    refusal: Refusal | None
    withdrawal: str | None  # the provision section's pointer to withdrawing a consent
    withdrawal_link: Link | None


@dataclass(frozen=True, slots=True)
class Officer:
    name: str
    email: str
    phone: str
    phone_uri: str


@dataclass(frozen=True, slots=True)
class NoticeView:
    lang: str
    version: str
    title: str
    intro: str
    version_line: str
    lists_text: str
    lists_links: tuple[Link, ...]
    own_text: str
    own_link: Link
    sections: tuple[SectionView, ...]
    officer: Officer


class _Words:
    """The reader's language: both catalogues and the locale's number and country names."""

    def __init__(self, lang: str) -> None:
        catalogue = translations(lang, DOMAIN)
        self.lang = lang
        self.gettext: Callable[[str], str] = catalogue.gettext
        self.ngettext: Callable[[str, str, int], str] = catalogue.ngettext
        self._countries: dict[str, str] = {}

    def __call__(self, message: str, **values: object) -> str:
        text = self.gettext(message)
        return text % values if values else text

    def plural(self, forms: tuple[str, str], n: int, **values: object) -> str:
        """The form for `n`, with `n` itself as %(count)s in the locale's digits."""
        text = self.ngettext(forms[0], forms[1], n)
        return text % {"count": format_number(n, self.lang), **values}

    def number(self, n: int) -> str:
        return format_number(n, self.lang)

    def country(self, code: str) -> str:
        name = self._countries.get(code)
        if name is None:
            name = self._countries[code] = country_name(code, self.lang)
        return name

    def items(self, items: Iterable[DataItem]) -> str:
        return ", ".join(item_label(i, self.lang) for i in ordered_items(items))

    def purposes(self, purposes: Iterable[Purpose]) -> str:
        return ", ".join(purpose_label(p, self.lang) for p in ordered_purposes(purposes))

    def days(self, days: int) -> str:
        return self.plural(_np("%(count)s day", "%(count)s days"), days)


def _dialled(phone: str) -> str:
    """E.164 grouped as people dial it; the stored form if the library cannot read it."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _tel(phone: str) -> str:
    return "tel:" + "".join(c for c in phone if c.isdigit() or c == "+")


def _row(entry: NoticeEntry, words: _Words) -> Row:
    return Row(
        recipient_id=entry.recipient_id,
        name=entry.name,
        email=entry.email,
        phone=_dialled(entry.phone) if entry.phone else None,
        phone_uri=_tel(entry.phone) if entry.phone else None,
        items=words.items(entry.items),
        countries=", ".join(words.country(c) for c in entry.data_countries),
        when=words(_WHEN[entry.role]),
        purposes=words.purposes(entry.purposes),
        retention=words.days(entry.retention_days),
    )


def _summary_row(table: Table, summary: Summary, layout: Layout, words: _Words) -> SummaryRow:
    snapshot = layout.snapshot
    base = snapshot.controller.base_url
    if summary.shortest_retention_days == summary.longest_retention_days:
        retention = words.days(summary.shortest_retention_days)
    else:
        retention = words(
            _n("%(shortest)s to %(longest)s days"),
            shortest=words.number(summary.shortest_retention_days),
            longest=words.number(summary.longest_retention_days),
        )
    return SummaryRow(
        count=summary.count,
        recipients=words.plural(_np("%(count)s recipient", "%(count)s recipients"), summary.count),
        note=words.plural(
            _np(
                "More than %(count)s recipient rests on this ground, too many to print here. Every one is named, with its contact details, in the full list.",
                "More than %(count)s recipients rest on this ground, too many to print here. Every one is named, with its contact details, in the full list.",
            ),
            layout.page_limit,
        ),
        countries=", ".join(
            words(_n("%(country)s (%(count)s)"), country=words.country(code), count=words.number(n))
            for code, n in summary.countries
        ),
        items=words.items(summary.items),
        when="; ".join(words(_WHEN[role]) for role in summary.roles),
        purposes=words.purposes(summary.purposes),
        retention=retention,
        links=(
            Link(
                words(_n("Full list for this ground")),
                links.directory_url(base, snapshot.version, table.section, table.ground),
            ),
            Link(words(_n("Download (CSV)")), links.download_url(base, snapshot.version, "csv")),
            Link(words(_n("Download (JSON)")), links.download_url(base, snapshot.version, "json")),
        ),
    )


def _table(table: Table, layout: Layout, words: _Words) -> TableView:
    cited = cited_ground_label(table.ground, words.lang, table.section, table.article)
    summary = table.summary
    return TableView(
        id=f"{table.section.value}-{table.ground.value}".replace("_", "-"),
        section=table.section.value,
        ground=table.ground.value,
        caption=words.plural(
            _np("%(ground)s: %(count)s recipient", "%(ground)s: %(count)s recipients"),
            len(table.entries),
            ground=cited,
        ),
        ground_text=cited,
        headers=tuple(words(h) for h in _HEADERS[table.section]),
        rows=() if summary else tuple(_row(e, words) for e in table.entries),
        summary=_summary_row(table, summary, layout, words) if summary else None,
    )


def _refusal(controller: Controller, words: _Words) -> Refusal:
    return Refusal(
        title=words(_n("How to refuse the transfer abroad, the procedure and its effect")),
        how=words(
            _n(
                "You can withdraw your consent to a transfer abroad, or delete your account, at any time in the privacy center:"
            )
        ),
        how_links=(
            Link(words(_n("Withdraw consent")), links.withdrawal_url(controller)),
            Link(words(_n("Delete account")), links.deletion_url(controller)),
        ),
        ask_officer=words(
            _n(
                "You can also ask the privacy officer, %(name)s, by email (%(email)s) or phone (%(phone)s)."
            ),
            name=controller.officer_name,
            email=controller.officer_email,
            phone=controller.officer_phone,
        ),
        procedure=words(
            _n(
                "A withdrawal or an account deletion takes effect at once: transfers stop and no recipient can read your data any more. We ask every recipient that received your data to destroy it, and answer a request made to the privacy officer within 10 days."
            )
        ),
        effect=words(
            _n(
                "If you refuse a transfer that rests on your consent, you cannot order from the sellers abroad it concerns; everything else keeps working. A transfer for entrusted processing or storage is needed to perform our contract with you: refusing it means the service that needs it cannot be provided, and deleting your account ends it."
            )
        ),
    )


def _section(section: Section, layout: Layout, words: _Words) -> SectionView:
    tables = layout.section(section)
    controller = layout.snapshot.controller
    refusal = None
    withdrawal = None
    withdrawal_link = None
    if section is Section.OVERSEAS_TRANSFER and tables:
        refusal = _refusal(controller, words)
    if section is Section.PROVISION and tables:
        withdrawal = words(
            _n("You can withdraw a consent to provision at any time in the privacy center:")
        )
        withdrawal_link = Link(words(_n("Withdraw consent")), links.withdrawal_url(controller))
    return SectionView(
        id=section.value.replace("_", "-"),
        title=section_label(section, words.lang),
        intro=words(_INTROS[section]),
        empty=words(_EMPTY[section]),
        tables=tuple(_table(t, layout, words) for t in tables),
        refusal=refusal,
        withdrawal=withdrawal,
        withdrawal_link=withdrawal_link,
    )


def view(layout: Layout, lang: str) -> NoticeView:
    """Everything the templates print for one language, decided here."""
    words = _Words(lang)
    snapshot = layout.snapshot
    controller = snapshot.controller
    base = controller.base_url
    return NoticeView(
        lang=lang,
        version=snapshot.version,
        title=words(
            _n("%(controller)s privacy policy: overseas transfer, provision and entrustment"),
            controller=controller.name,
        ),
        intro=words(
            _n(
                "This is the part of the %(controller)s privacy policy on the overseas transfer of personal data, its provision to third parties and the entrustment of its processing."
            ),
            controller=controller.name,
        ),
        version_line=words(
            _n("Version %(version)s, published on %(date)s"),
            version=snapshot.version,
            date=format_date(snapshot.published_at.astimezone(KST), lang),
        ),
        lists_text=words(
            _n(
                "Every recipient of this version is named, with its contact details, in the full list:"
            )
        ),
        lists_links=(
            Link(words(_n("Search the full list")), links.directory_url(base, snapshot.version)),
            Link(words(_n("Download (CSV)")), links.download_url(base, snapshot.version, "csv")),
            Link(words(_n("Download (JSON)")), links.download_url(base, snapshot.version, "json")),
        ),
        own_text=words(
            _n(
                "Which recipients received your own data, order by order, is shown in the privacy center:"
            )
        ),
        own_link=Link(words(_n("Who received my data")), links.own_recipients_url(controller)),
        sections=tuple(_section(s, layout, words) for s in Section),
        officer=Officer(
            name=controller.officer_name,
            email=controller.officer_email,
            phone=controller.officer_phone,
            phone_uri=_tel(controller.officer_phone),
        ),
    )


_MARKDOWN_SPECIAL = str.maketrans(
    {c: "\\" + c for c in "\\`*_[]<>|#"} | {"\n": " ", "\r": " ", "&": "&amp;"}
)


def _markdown_text(value: object) -> str:
    """Plain text that Markdown prints as is, inside a table cell too."""
    return str(value).translate(_MARKDOWN_SPECIAL)


def _markdown_url(value: object) -> str:
    """A link destination in angle brackets, so parentheses and spaces cannot end it early."""
    return "<" + str(value).replace("<", "%3C").replace(">", "%3E").replace(" ", "%20") + ">"


@cache
def environment(lang: str) -> Environment:
    """One environment per language (installing translations per render would race threads)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {list(LANGUAGES)}")
    env = Environment(
        loader=PackageLoader("databorder.notices", "templates"),
        # HTML escapes; Markdown and CSS are escaped by their own rules (the `md` filter).
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(translations(lang, DOMAIN), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(md=_markdown_text, md_url=_markdown_url)
    return env


def html_from_layout(layout: Layout, lang: str) -> str:
    template = environment(lang).get_template("policy.html")
    return template.render(notice=view(layout, lang))


def document_from_layout(layout: Layout, lang: str) -> str:
    notice = view(layout, lang)
    fragment = environment(lang).get_template("policy.html").render(notice=notice)
    return (
        environment(lang)
        .get_template("document.html")
        .render(notice=notice, fragment=Markup(fragment))  # noqa: S704 (rendered with autoescape above)
    )


def markdown_from_layout(layout: Layout, lang: str) -> str:
    return environment(lang).get_template("policy.md").render(notice=view(layout, lang))


def render_policy_html(
    snapshot: NoticeSnapshot, lang: str, page_limit: int = DEFAULT_PAGE_LIMIT
) -> str:
    """The transfer sections as an `<article>` fragment; the web layer wraps it in its page."""
    return html_from_layout(lay_out(snapshot, page_limit), lang)


def render_policy_document(
    snapshot: NoticeSnapshot, lang: str, page_limit: int = DEFAULT_PAGE_LIMIT
) -> str:
    """A complete page (screen and print styles inside) for the archive of published versions."""
    return document_from_layout(lay_out(snapshot, page_limit), lang)


def render_markdown(
    snapshot: NoticeSnapshot, lang: str, page_limit: int = DEFAULT_PAGE_LIMIT
) -> str:
    """The same sections in Markdown, for the marketplace's own policy pages."""
    return markdown_from_layout(lay_out(snapshot, page_limit), lang)


__all__ = [
    "DOMAIN",
    "KST",
    "NoticeView",
    "document_from_layout",
    "environment",
    "html_from_layout",
    "markdown_from_layout",
    "render_markdown",
    "render_policy_document",
    "render_policy_html",
    "view",
]
