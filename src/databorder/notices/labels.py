"""The vocabulary every buyer-facing text shares: data items, purposes, roles, legal grounds.

One catalogue (the `labels` domain) names each value once, so the notice, the privacy center
and the consent screen call an item, a purpose or a ground by the same words: a buyer who
consented to "개인통관고유부호" must find that word, not a synonym, in the notice it was given
against. Msgids are English; the Korean is in `locale/ko/LC_MESSAGES/labels.po`.

Every value of every vocabulary has a label, and an unknown value is an error (KeyError), never
a raw code shown to a buyer. Each language's labels are looked up once: a notice of 180,000
recipients asks for the same few dozen over and over.
"""

import re
from collections.abc import Mapping
from functools import cache

from databorder.i18n import gettext
from databorder.model import DataItem, Ground, Purpose, RecipientRole
from databorder.notices.types import Section

DOMAIN = "labels"


def _l(message: str) -> str:
    """Marks a msgid of the `labels` catalogue for `make i18n`; translated where it is shown."""
    return message


_ITEMS: Mapping[DataItem, str] = {
    DataItem.NAME: _l("Name"),
    DataItem.PHONE: _l("Mobile phone number"),
    DataItem.EMAIL: _l("Email address"),
    DataItem.ADDRESS: _l("Delivery address"),
    DataItem.POSTAL_CODE: _l("Postal code"),
    DataItem.CUSTOMS_CODE: _l("Personal customs clearance code"),
    DataItem.ORDER_ITEMS: _l("Ordered goods"),
    DataItem.CARD_NUMBER: _l("Card number"),
    DataItem.BANK_ACCOUNT: _l("Bank account number"),
    DataItem.RRN: _l("Resident registration number"),
    DataItem.BIRTH_DATE: _l("Date of birth"),
}

_PURPOSES: Mapping[Purpose, str] = {
    Purpose.SHIPPING: _l("Delivering the order"),
    Purpose.CUSTOMS_CLEARANCE: _l("Import customs clearance"),
    Purpose.CUSTOMER_SERVICE: _l("Customer service"),
    Purpose.PAYMENT: _l("Payment"),
    Purpose.MARKETING: _l("Marketing"),
}

_ROLES: Mapping[RecipientRole, str] = {
    RecipientRole.SELLER: _l("Seller"),
    RecipientRole.PROCESSOR: _l("Processor"),
    RecipientRole.CUSTOMS_BROKER: _l("Customs broker"),
    RecipientRole.PAYMENT_PROCESSOR: _l("Payment processor"),
}

_SECTIONS: Mapping[Section, str] = {
    Section.OVERSEAS_TRANSFER: _l("Overseas transfer of personal data"),
    Section.PROVISION: _l("Provision of personal data to third parties"),
    Section.ENTRUSTMENT: _l("Entrustment of personal data processing"),
}

# The same ground reads differently by section: abroad, consent must be *separate* (28-8(1)1)
# and entrustment must be needed for the buyer's contract (28-8(1)3); at home, Art. 17 and 26
# ask neither. The keys are exactly the (section, ground) pairs a notice can contain.
_GROUNDS: Mapping[tuple[Section, Ground], str] = {
    (Section.OVERSEAS_TRANSFER, Ground.CONSENT): _l("Your separate consent"),
    (Section.OVERSEAS_TRANSFER, Ground.LEGAL_MANDATE): _l(
        "A special provision of a statute, treaty or international agreement"
    ),
    (Section.OVERSEAS_TRANSFER, Ground.ENTRUSTED_CONTRACT): _l(
        "Entrusted processing or storage needed to conclude and perform our contract with you, disclosed in this policy"
    ),
    (Section.OVERSEAS_TRANSFER, Ground.CERTIFICATION): _l(
        "The recipient holds a certification recognised by the Personal Information Protection Commission"
    ),
    (Section.OVERSEAS_TRANSFER, Ground.ADEQUACY): _l(
        "The destination is recognised by the Personal Information Protection Commission as protecting personal data to an equivalent level"
    ),
    (Section.PROVISION, Ground.CONSENT): _l("Your consent"),
    (Section.PROVISION, Ground.LEGAL_MANDATE): _l(
        "A special provision of a statute, or a legal obligation"
    ),
    (Section.ENTRUSTMENT, Ground.ENTRUSTED_CONTRACT): _l("A contract entrusting the processing"),
}

SECTION_GROUNDS: Mapping[Section, tuple[Ground, ...]] = {
    section: tuple(g for g in Ground if (section, g) in _GROUNDS) for section in Section
}
"""The grounds each section can name, in the order of Art. 28-8(1)'s points."""

# Article references as the pack writes them ("PIPA 28-8(1)1"), read in the reader's language.
# Korean cites 제28조의8 제1항 제1호; the English msgids are the form the pack uses.
_ARTICLE = re.compile(
    r"PIPA (?P<number>\d+)(?:-(?P<branch>\d+))?(?:\((?P<paragraph>\d+)\)(?P<subparagraph>\d+)?)?"
)
_ARTICLE_NUMBER = _l("Art. %(number)s")
_ARTICLE_BRANCH = _l("Art. %(number)s-%(branch)s")
_ARTICLE_SHAPES = {
    (False, False): _l("PIPA %(article)s"),
    (True, False): _l("PIPA %(article)s(%(paragraph)s)"),
    (True, True): _l("PIPA %(article)s(%(paragraph)s)%(subparagraph)s"),
}


@cache
def _translated(lang: str) -> dict[str, str]:
    """Every msgid of this module in `lang`, looked up once: labels are asked for per row."""
    translate = gettext(lang, DOMAIN)
    return {message: translate(message) for message in msgids()}


def item_label(item: DataItem, lang: str) -> str:
    return _translated(lang)[_ITEMS[item]]


def purpose_label(purpose: Purpose, lang: str) -> str:
    return _translated(lang)[_PURPOSES[purpose]]


def role_label(role: RecipientRole, lang: str) -> str:
    return _translated(lang)[_ROLES[role]]


def section_label(section: Section, lang: str) -> str:
    return _translated(lang)[_SECTIONS[section]]


def ground_label(ground: Ground, lang: str, section: Section = Section.OVERSEAS_TRANSFER) -> str:
    """The ground in plain words; ValueError for a ground the section cannot rest on."""
    message = _GROUNDS.get((section, ground))
    if message is None:
        raise ValueError(
            f"the {section.value} section names no {ground.value} ground; "
            f"expected one of {[g.value for g in SECTION_GROUNDS[section]]}"
        )
    return _translated(lang)[message]


def article_label(article: str, lang: str) -> str:
    """'PIPA 28-8(1)1' as a reader cites it: 「개인정보 보호법」 제28조의8 제1항 제1호.

    ValueError for a reference in any other shape: a notice must not print a citation it cannot
    read, and the pack is the only source of these strings.
    """
    return _article(article, lang)


@cache
def _article(article: str, lang: str) -> str:
    match = _ARTICLE.fullmatch(article)
    if match is None:
        raise ValueError(
            f"article reference must look like 'PIPA 28-8(1)1', 'PIPA 17(1)1' or 'PIPA 26', got {article!r}"
        )
    words = _translated(lang)
    number, branch, paragraph, subparagraph = match.group(
        "number", "branch", "paragraph", "subparagraph"
    )
    if branch is None:
        cited = words[_ARTICLE_NUMBER] % {"number": number}
    else:
        cited = words[_ARTICLE_BRANCH] % {"number": number, "branch": branch}
    shape = _ARTICLE_SHAPES[paragraph is not None, subparagraph is not None]
    return words[shape] % {"article": cited, "paragraph": paragraph, "subparagraph": subparagraph}


_CITED_GROUND = _l("%(ground)s (%(article)s)")


def cited_ground_label(ground: Ground, lang: str, section: Section, article: str) -> str:
    """The ground with the article it rests on, as the notice's ground column prints it."""
    return _translated(lang)[_CITED_GROUND] % {
        "ground": ground_label(ground, lang, section),
        "article": article_label(article, lang),
    }


def msgids() -> frozenset[str]:
    """Every msgid this module looks up, for the test that each has a Korean translation."""
    return frozenset(
        [
            *_ITEMS.values(),
            *_PURPOSES.values(),
            *_ROLES.values(),
            *_SECTIONS.values(),
            *_GROUNDS.values(),
            _ARTICLE_NUMBER,
            _ARTICLE_BRANCH,
            *_ARTICLE_SHAPES.values(),
            _CITED_GROUND,
        ]
    )


__all__ = [
    "DOMAIN",
    "SECTION_GROUNDS",
    "article_label",
    "cited_ground_label",
    "ground_label",
    "item_label",
    "msgids",
    "purpose_label",
    "role_label",
    "section_label",
]
