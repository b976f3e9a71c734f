"""The arithmetic behind the detectors: check digits, dates, issuer ranges. Pure functions of
ASCII digit strings; the facts they encode and their sources are in docs/dlp.md.
"""

from datetime import date
from enum import StrEnum

# Resident and foreigner registration numbers: the weights of the check digit over the first
# twelve digits (docs/dlp.md, "Registration numbers").
_RN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)

# The seventh digit: sex and century of birth; 1-4 and 9/0 are citizens, 5-8 foreigners.
_CENTURY = {
    "1": 1900,
    "2": 1900,
    "3": 2000,
    "4": 2000,
    "5": 1900,
    "6": 1900,
    "7": 2000,
    "8": 2000,
    "9": 1800,
    "0": 1800,
}
FOREIGNER_DIGITS = frozenset("5678")


class RegistrationCheck(StrEnum):
    """What a 13-digit registration number's shape says about it."""

    INVALID = "invalid"  # no real birth date, or no meaningful gender digit
    CHECKSUM = "checksum"  # date, gender digit and the check digit all agree
    NO_CHECKSUM = "no_checksum"  # date and gender digit valid, check digit not (post-2020 form)


def valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def birth_date_of(digits: str) -> date | None:
    """The birth date a registration number encodes (YYMMDD + century digit), if it is real."""
    century = _CENTURY.get(digits[6])
    if century is None:
        return None
    year, month, day = century + int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    return date(year, month, day) if valid_date(year, month, day) else None


def _weighted(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits[:12], _RN_WEIGHTS, strict=True))


def rrn_check_digit(digits: str) -> int:
    """(11 - sum mod 11) mod 10 over the first twelve digits: citizens' numbers before 2020-10."""
    return (11 - _weighted(digits) % 11) % 10


def frn_check_digit(digits: str) -> int:
    """(13 - sum mod 11) mod 10: foreigners' numbers use the same weights, offset by two."""
    return (13 - _weighted(digits) % 11) % 10


def registration_number(digits: str) -> RegistrationCheck:
    """Judge a 13-digit string as a resident or foreigner registration number.

    Since October 2020 the last six digits of newly issued numbers are random, so a wrong
    check digit alone does not refute a number: it is then judged by its date and gender digit.
    """
    if len(digits) != 13 or not digits.isdigit() or birth_date_of(digits) is None:
        return RegistrationCheck.INVALID
    expected = frn_check_digit(digits) if digits[6] in FOREIGNER_DIGITS else rrn_check_digit(digits)
    if int(digits[12]) == expected:
        return RegistrationCheck.CHECKSUM
    return RegistrationCheck.NO_CHECKSUM


def luhn(digits: str) -> bool:
    """The ISO/IEC 7812 check digit of payment card numbers."""
    total = 0
    for n, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if n % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_issuer(digits: str) -> str | None:
    """The card network whose issuer range and length `digits` fall in, or None."""
    n = len(digits)
    two, four = int(digits[:2]), int(digits[:4])
    three = int(digits[:3])
    if digits[0] == "4" and n in (13, 16, 19):
        return "Visa"
    if (51 <= two <= 55 or 2221 <= four <= 2720) and n == 16:
        return "Mastercard"
    if two in (34, 37) and n == 15:
        return "American Express"
    if 3528 <= four <= 3589 and 16 <= n <= 19:
        return "JCB"
    if two == 62 and 16 <= n <= 19:
        return "UnionPay"
    if (four == 6011 or two == 65 or 644 <= three <= 649) and 16 <= n <= 19:
        return "Discover"
    if (300 <= three <= 305 or two in (36, 38, 39)) and 14 <= n <= 19:
        return "Diners Club"
    return None
