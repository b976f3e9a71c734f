"""Detectors of digit identifiers: registration numbers, phones, cards, bank accounts.

Each reads the number windows of `Text` (one regex pass shared by all four) and keeps a window
only when its arithmetic and its shape agree: a check digit or a real date, a numbering plan, an
issuer range. What the arithmetic cannot tell apart (an order number that happens to look like a
date, an account number that is just ten digits) is decided by the words around it: an owning
label of another kind of identifier vetoes, and a bare account number needs a bank's name.
"""

import phonenumbers

from databorder.dlp import checks
from databorder.dlp.context import BANK_NAMES, NEGATIVE, bank_near, label_before, mentions
from databorder.dlp.text import Text, Window
from databorder.dlp.types import Finding, FindingType

_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212\uff0d")


def _vetoed(view: Text, window: Window) -> bool:
    """A code glued to letters, or a number its writer labelled as an order, tracking, ..."""
    return window.glued or view.owner(window.start) in NEGATIVE


def _one_separator(window: Window) -> str | None:
    """The single separator used between every group ("" for a space), or None if mixed."""
    kinds = set(window.separators)
    if len(kinds) != 1:
        return None
    (sep,) = kinds
    return "-" if sep in _HYPHENS else sep


# --- registration numbers -----------------------------------------------------------------

_RN_LABELS = frozenset({"rrn", "frn"})


def find_registration(view: Text) -> list[Finding]:
    """13 digits as YYMMDD-GNNNNNN: a real date, a gender digit, and the check digit or context.

    Since October 2020 the last six digits carry no checksum, so a number whose check digit
    fails is still a registration number when it is written in the 6-7 form with a hyphen, or
    when a registration label stands near it; a bare 13-digit string with a failing check digit
    and no label is more often an order or transaction number (2411201234567).
    """
    found: list[Finding] = []
    folded = view.folded
    for run in view.runs:
        for w in run.windows:
            if len(w.digits) != 13 or w.shape not in ((13,), (6, 7)) or w.plus:
                continue
            verdict = checks.registration_number(w.digits)
            if verdict is checks.RegistrationCheck.INVALID or _vetoed(view, w):
                continue
            hyphen = w.shape == (6, 7) and _one_separator(w) == "-"
            labelled = label_before(folded, w.start, _RN_LABELS)
            if verdict is checks.RegistrationCheck.CHECKSUM:
                confidence, why = 0.95, "birth date, gender digit and check digit agree"
            elif hyphen or labelled:
                confidence = 0.85 if labelled else 0.75
                why = "birth date and gender digit valid, no checksum (issued since 2020-10)"
            else:
                continue
            foreign = w.digits[6] in checks.FOREIGNER_DIGITS
            kind = FindingType.FRN if foreign else FindingType.RRN
            found.append(Finding(kind, w.start, w.end, confidence, "kr_registration_number", why))
    return found


# --- phones -------------------------------------------------------------------------------

_MOBILE = frozenset({"011", "016", "017", "018", "019"})
_AREA = frozenset(
    {"031", "032", "033", "041", "042", "043", "044", "051", "052", "053", "054", "055"}
    | {"061", "062", "063", "064"}
)


def korean_phone(national: str) -> str | None:
    """'mobile', 'landline', 'relay' or None for a national number with its leading 0.

    The numbering plan's prefixes and lengths (docs/dlp.md, "Phones"); a subscriber number never
    starts with 0 or 1 after an area code. Service numbers (1588-xxxx) belong to companies.
    """
    n = len(national)
    if national.startswith("010"):
        return "mobile" if n == 11 else None
    head = national[:3]
    if head in _MOBILE:
        return "mobile" if n in (10, 11) else None
    if national.startswith("02"):
        return "landline" if n in (9, 10) and national[2] not in "01" else None
    if head in _AREA:
        return "landline" if n in (10, 11) and national[3] not in "01" else None
    if head == "070":
        return "landline" if n == 11 else None
    if head == "050" and national[3] in "2345678":
        return "relay" if n in (11, 12) else None
    return None


def _national(w: Window) -> str | None:
    """The Korean national number a window spells, or None if it is not written as one."""
    digits = w.digits
    if w.plus:
        if not digits.startswith("82"):
            return None
        rest = digits[2:]
        return rest if rest.startswith("0") else "0" + rest
    return digits if digits.startswith("0") else None


def _grouped_like_a_phone(w: Window) -> bool:
    """Separated groups of at most four digits ending in four: 010-1234-5678, 02 123 4567,
    (02) 1234-5678, +1 650-253-0000 (a space after the prefix, one other separator after)."""
    shape = w.shape
    if len(shape) == 1:
        return True
    marks = {"-" if s in _HYPHENS else s for s in w.separators} - {""}
    if len(marks) > 1:
        return False
    if w.plus and not w.digits.startswith("82"):
        return all(g <= 7 for g in shape)  # other plans group 3-3-3 (+84), 4-6 (+44), ...
    return shape[-1] == 4 and all(g <= 4 for g in shape)


_PHONE_LABELS = frozenset({"phone"})


def find_phone(view: Text) -> list[Finding]:
    """Korean mobile, landline and relay numbers in any spelling; other countries' by `+`."""
    found: list[Finding] = []
    # The numbering plan before the words: a veto reads the label patterns, the plan is a few
    # string comparisons, and most digit windows in a message are not phone numbers.
    for run in view.runs:
        for w in run.windows:
            # A Korean number is written with its 0, any other with its +.
            if w.digits[0] != "0" and not w.plus:
                continue
            if not 9 <= len(w.digits) <= 15 or not _grouped_like_a_phone(w):
                continue
            national = _national(w)
            if national is not None:
                kind = korean_phone(national)
                if kind is None or _vetoed(view, w):
                    continue
                unseparated = len(w.shape) == 1 and not w.plus
                if (
                    unseparated
                    and kind != "mobile"
                    and not label_before(view.folded, w.start, _PHONE_LABELS)
                ):
                    continue  # ten bare digits starting 0 are as often a code as a landline
                confidence, why = (0.85 if unseparated else 0.95), f"Korean {kind} number"
            elif w.plus and _international(w.digits) and not _vetoed(view, w):
                confidence, why = 0.9, "international, valid per phonenumbers"
            else:
                continue
            found.append(Finding(FindingType.PHONE, w.start, w.end, confidence, "phone", why))
    return found


def _international(digits: str) -> bool:
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(number))


# --- payment cards ------------------------------------------------------------------------

_CARD_SHAPES = frozenset({(4, 4, 4, 4), (4, 4, 4, 4, 3), (4, 6, 5), (4, 6, 4), (4, 4, 4, 3)})


def find_card(view: Text) -> list[Finding]:
    """13-19 digits in a card's grouping, passing Luhn and inside a network's issuer range."""
    found: list[Finding] = []
    for run in view.runs:
        for w in run.windows:
            n = len(w.digits)
            if not 13 <= n <= 19 or w.plus:
                continue
            if len(w.shape) > 1 and (w.shape not in _CARD_SHAPES or _one_separator(w) is None):
                continue
            if not checks.luhn(w.digits):
                continue
            issuer = checks.card_issuer(w.digits)
            if issuer is None or _vetoed(view, w):
                continue
            confidence = 0.95 if len(w.shape) > 1 else 0.85
            found.append(
                Finding(
                    FindingType.CARD_NUMBER,
                    w.start,
                    w.end,
                    confidence,
                    "payment_card",
                    f"Luhn check digit valid, {issuer} issuer range",
                )
            )
    return found


# --- bank accounts ------------------------------------------------------------------------

_ACCOUNT_LABELS = frozenset({"account"})


def find_bank_account(view: Text) -> list[Finding]:
    """10-14 digits, whole or hyphenated, with a bank's name or an account word near it.

    Korean banks number accounts in their own groupings (110-123-456789, 123456-01-123456,
    3333-01-1234567) with no public check digit, so the words are what make it an account.
    """
    candidates = [
        w
        for run in view.runs
        for w in run.windows
        if 10 <= len(w.digits) <= 14
        and not w.plus
        and w.digits[0] != "0"
        and (len(w.shape) == 1 or (_one_separator(w) == "-" and min(w.shape) >= 2))
    ]
    if not candidates:
        return []
    folded = view.folded
    # One search of the whole text before any window's surroundings: without a bank's name or
    # an account word anywhere, no candidate is an account, and most messages hold neither.
    if BANK_NAMES.search(folded) is None and not mentions(folded, "account"):
        return []
    found: list[Finding] = []
    for w in candidates:
        bank = bank_near(folded, w.start, w.end)
        if not bank and not label_before(folded, w.start, _ACCOUNT_LABELS):
            continue
        if _vetoed(view, w):
            continue
        why = "a bank's name near it" if bank else "an account word before it"
        found.append(Finding(FindingType.BANK_ACCOUNT, w.start, w.end, 0.8, "kr_bank_account", why))
    return found
    for run in view.runs:
        for w in run.windows:
            if not 10 <= len(w.digits) <= 14 or w.plus or w.digits.startswith("0"):
                continue
            if len(w.shape) > 1 and (_one_separator(w) != "-" or min(w.shape) < 2):
                continue
            bank = bank_near(folded, w.start, w.end)
            if not bank and not label_before(folded, w.start, _ACCOUNT_LABELS):
                continue
            if _vetoed(view, w):
                continue
            why = "a bank's name near it" if bank else "an account word before it"
            found.append(
                Finding(FindingType.BANK_ACCOUNT, w.start, w.end, 0.8, "kr_bank_account", why)
            )
    return found
