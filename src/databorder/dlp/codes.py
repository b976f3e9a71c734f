"""Detectors of lettered identifiers: customs codes, passports, e-mail addresses.

These have a shape no digit run has (a letter, an `@`), so each is one compiled pattern over the
text; the digit windows of `Text` do not see them.
"""

import re
from collections.abc import Iterator

from databorder.dlp.context import NEGATIVE, label_before, mentions, owning_label
from databorder.dlp.text import Text
from databorder.dlp.types import Finding, FindingType

# The personal customs clearance code (개인통관고유부호): P and twelve digits, not part of a
# longer code on either side.
# (The left edge is checked in Python: a lookbehind before `[Pp]` made the engine try it at
# every position, three times the cost of scanning for the letter.)
_CUSTOMS = re.compile(r"[Pp][0-9]{12}(?![0-9A-Za-z])")
_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_/")

# Korean passports: a type letter and eight digits (before 2021), or letter, three digits, a
# letter, four digits (since 2021). Product and model codes share these shapes, so a passport
# word must stand near.
_PASSPORT = re.compile(
    r"(?<![A-Za-z0-9\-_/])[MSRODG](?:[0-9]{8}|[0-9]{3}[A-Z][0-9]{4})(?![0-9A-Za-z])"
)
_PASSPORT_LABELS = frozenset({"passport"})
_PASSPORT_REACH = 32

# The address grammar's common subset (RFC 5322 dot-atoms, a domain with a letter TLD); Korean
# text right after the TLD (`@naver.com으로`) ends the address.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@"
    r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9\-])"
)


def find_customs_code(view: Text) -> Iterator[Finding]:
    text = view.text
    for m in _CUSTOMS.finditer(text):
        start = m.start()
        if (start and text[start - 1] in _CODE_CHARS) or owning_label(text, start) in NEGATIVE:
            continue
        yield Finding(
            FindingType.CUSTOMS_CODE, m.start(), m.end(), 0.95, "kr_customs_code", "P and 12 digits"
        )


def find_passport(view: Text) -> Iterator[Finding]:
    text = view.text
    if not mentions(text, "passport"):
        return
    for m in _PASSPORT.finditer(text):
        if not label_before(text, m.start(), _PASSPORT_LABELS, _PASSPORT_REACH):
            continue
        yield Finding(
            FindingType.PASSPORT,
            m.start(),
            m.end(),
            0.9,
            "kr_passport",
            "Korean passport shape after a passport word",
        )


def find_email(view: Text) -> Iterator[Finding]:
    text = view.text
    if "@" not in text:
        return
    for m in _EMAIL.finditer(text):
        yield Finding(FindingType.EMAIL, m.start(), m.end(), 0.95, "email", "address grammar")
