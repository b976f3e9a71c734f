"""Detectors of prose-shaped data: Korean postal addresses and dates of birth.

Both are written in words and numbers together, so each is a pattern anchored on what makes it
unambiguous: an address starts with a province or metropolitan city and ends at a building
number; a date is a birth date only when a birth word stands before it.
"""

import re

from databorder.dlp.checks import valid_date
from databorder.dlp.context import NEGATIVE, label_before, mentions
from databorder.dlp.text import Text, left_edged
from databorder.dlp.types import Finding, FindingType

_SIDO = (
    "서울특별시|서울시|서울|부산광역시|부산시|부산|대구광역시|대구시|대구|인천광역시|인천시|인천"
    "|광주광역시|광주시|광주|대전광역시|대전시|대전|울산광역시|울산시|울산|세종특별자치시|세종시|세종"
    "|경기도|경기|강원특별자치도|강원도|강원|충청북도|충북|충청남도|충남|전북특별자치도|전라북도|전북"
    "|전라남도|전남|경상북도|경북|경상남도|경남|제주특별자치도|제주도|제주"
)
_UNIT = r"[가-힣]{1,5}(?:시|군|구)"
_DETAIL = r"(?:,?\s?[0-9]{1,4}동)?(?:\s?[0-9]{1,4}호)?"
# Road-name (도로명) and lot-number (지번) addresses after a province or metropolitan city and
# one or two of its districts. Without the province the pattern would read "다시 문자로 3" as an
# address, so an address written without it is a known miss (docs/dlp.md). Not inside a longer
# Korean word: that left edge is checked in Python (`text.left_edged`).
_ADDRESS = re.compile(
    rf"(?:{_SIDO})\s(?:{_UNIT}\s){{1,2}}(?:[가-힣]{{1,5}}(?:읍|면)\s)?"
    rf"(?:[가-힣0-9]{{1,10}}(?:로|길)(?:\s?[0-9]{{1,4}}번?길)?\s[0-9]{{1,4}}(?:-[0-9]{{1,4}})?"
    rf"|[가-힣0-9]{{1,6}}(?:동|리|가)\s[0-9]{{1,4}}(?:-[0-9]{{1,4}})?(?:번지)?)"
    rf"(?![0-9]){_DETAIL}(?![0-9])"
)

_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_WORD = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = re.compile(
    r"(?:"
    r"(?P<y>(?:19|20)[0-9]{2})\s?(?:[-./]|년)\s?(?P<m>[0-9]{1,2})\s?(?:[-./]|월)\s?(?P<d>[0-9]{1,2})(?:\s?일)?"
    r"|(?P<yy>[0-9]{2})(?P<mm>[0-9]{2})(?P<dd>[0-9]{2})"
    rf"|(?P<m2>{_MONTH_WORD})\.?\s(?P<d2>[0-9]{{1,2}}),?\s(?P<y2>(?:19|20)[0-9]{{2}})"
    rf"|(?P<d3>[0-9]{{1,2}})\s(?P<m3>{_MONTH_WORD})\.?,?\s(?P<y3>(?:19|20)[0-9]{{2}})"
    r")(?![0-9])",
    re.IGNORECASE,
)
_BIRTH = frozenset({"birth"})
_DIGITS = frozenset("0123456789")


def _hangul(ch: str) -> bool:
    return "가" <= ch <= "힣"


_BIRTH_REACH = 20


def find_address(view: Text) -> list[Finding]:
    why = "province, district, road or lot name and number"
    return [
        Finding(FindingType.ADDRESS, m.start(), m.end(), 0.9, "kr_address", why)
        for m in left_edged(_ADDRESS, view.text, _hangul)
    ]


def _ymd(m: re.Match[str]) -> tuple[int, int, int]:
    if m["y"]:
        return int(m["y"]), int(m["m"]), int(m["d"])
    if m["yy"]:
        # Six digits carry no century; 00-29 read as 2000s, the rest as 1900s (a birth date).
        yy = int(m["yy"])
        return (2000 if yy < 30 else 1900) + yy, int(m["mm"]), int(m["dd"])
    if m["m2"]:
        return int(m["y2"]), _MONTHS[m["m2"].lower()], int(m["d2"])
    return int(m["y3"]), _MONTHS[m["m3"].lower()], int(m["d3"])


def find_birth_date(view: Text) -> list[Finding]:
    """A real calendar date with a birth word before it; any other date is not personal data."""
    text, folded = view.text, view.folded
    if not mentions(folded, "birth"):
        return []
    found: list[Finding] = []
    for m in left_edged(_DATE, text, _DIGITS.__contains__):
        start = m.start()
        if not label_before(folded, start, _BIRTH, _BIRTH_REACH):
            continue
        if view.owner(start) in NEGATIVE or not valid_date(*_ymd(m)):
            continue
        why = "a date after a birth word"
        found.append(Finding(FindingType.BIRTH_DATE, start, m.end(), 0.9, "birth_date", why))
    return found
