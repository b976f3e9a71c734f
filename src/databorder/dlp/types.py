"""What a detector finds: plain frozen values, no I/O (see docs/dlp.md).

A finding's span is in code points of the Python string it was found in (end exclusive), the
unit a reader of the text counts in: `"전화 010-1234-5678"[3:16]` is the number whatever its
UTF-8 length, so a caller slicing the same text gets exactly what was found.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the text view is defined beside the detectors that read it
    from databorder.dlp.text import Text


class FindingType(StrEnum):
    """The kinds of personal data the message filter recognises (issue 14: exactly these names)."""

    RRN = "rrn"  # resident registration number
    FRN = "frn"  # foreigner registration number (gender digit 5-8)
    PHONE = "phone"
    CARD_NUMBER = "card_number"
    BANK_ACCOUNT = "bank_account"
    CUSTOMS_CODE = "customs_code"  # personal customs clearance code: P + 12 digits
    PASSPORT = "passport"
    EMAIL = "email"
    ADDRESS = "address"
    BIRTH_DATE = "birth_date"


# When two findings of equal length and confidence overlap, the earlier type here wins: the
# more sensitive and the more specific first (an RRN is never released, a birth date may be).
TYPE_PRIORITY: dict[FindingType, int] = {t: n for n, t in enumerate(FindingType)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data in a text: what, where, how sure, who found it and why."""

    type: FindingType
    start: int  # code-point offset of the first character
    end: int  # code-point offset just past the last character (exclusive)
    confidence: float  # 0..1: how sure the detector is, from the checks that passed
    detector: str  # the registered detector's name
    why: str  # the checks that passed, in words (never the value itself)

    def __post_init__(self) -> None:
        # Without this a detector bug would yield an empty or reversed span that redaction
        # would silently skip, leaving the value in the text.
        if not 0 <= self.start < self.end:
            raise ValueError(
                f"finding span must satisfy 0 <= start < end: got {self.start}..{self.end}"
            )
        if not 0.0 < self.confidence <= 1.0:
            raise ValueError(f"confidence must be in (0, 1]: got {self.confidence}")


DetectFn = Callable[["Text"], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Detector:
    """A named function from a text view to findings of the types it declares."""

    name: str
    types: frozenset[FindingType]
    find: DetectFn
