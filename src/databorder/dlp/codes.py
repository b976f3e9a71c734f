"""Detectors of lettered identifiers: customs codes, passports, e-mail addresses.

These have a shape no digit run has (a letter, an `@`), so each is one compiled pattern over the
text; the digit windows of `Text` do not see them.
"""

import re

from databorder.dlp.context import NEGATIVE, label_before, mentions
from databorder.dlp.text import Text, left_edged
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
# The left edge is checked in Python, as for customs codes.
_PASSPORT = re.compile(r"[MSRODG](?:[0-9]{8}|[0-9]{3}[A-Z][0-9]{4})(?![0-9A-Za-z])")
_PASSPORT_LABELS = frozenset({"passport"})
_PASSPORT_REACH = 32

# The address grammar's common subset (RFC 5322 dot-atoms, a domain with a letter TLD); Korean
# text right after the TLD (`@naver.com으로`) ends the address.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@"
    r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9\-])"
)


def find_customs_code(view: Text) -> list[Finding]:
    found: list[Finding] = []
    text = view.text
    for m in _CUSTOMS.finditer(text):
        start = m.start()
        if (start and text[start - 1] in _CODE_CHARS) or view.owner(start) in NEGATIVE:
            continue
        why = "P and 12 digits"
        found.append(
            Finding(FindingType.CUSTOMS_CODE, start, m.end(), 0.95, "kr_customs_code", why)
        )
    return found


def find_passport(view: Text) -> list[Finding]:
    text, folded = view.text, view.folded
    if not mentions(folded, "passport"):
        return []
    why = "Korean passport shape after a passport word"
    return [
        Finding(FindingType.PASSPORT, m.start(), m.end(), 0.9, "kr_passport", why)
        for m in left_edged(_PASSPORT, text, _CODE_CHARS.__contains__)
        if label_before(folded, m.start(), _PASSPORT_LABELS, _PASSPORT_REACH)
    ]


def find_email(view: Text) -> list[Finding]:
    text = view.text
    if "@" not in text:
        return []
    return [
        Finding(FindingType.EMAIL, m.start(), m.end(), 0.95, "email", "address grammar")
        for m in _EMAIL.finditer(text)
    ]
