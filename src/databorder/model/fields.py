"""Validated field types for boundary models (HTTP bodies, files, settings): one definition each.

Each type bounds its value where it is parsed, so nothing past the boundary meets a value it
cannot store, log or compute with: instants lie in model/time.py's window and arrive as RFC 3339
text, identifiers and version names are plain ASCII, and text carries no control characters.
"""

import re
import unicodedata
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from databorder.model.contact import normalise_email, normalise_phone
from databorder.model.country import country_code
from databorder.model.time import rfc3339_text, within_window

Country = Annotated[str, AfterValidator(country_code)]
Instant = Annotated[datetime, BeforeValidator(rfc3339_text), AfterValidator(within_window)]
Email = Annotated[str, AfterValidator(normalise_email)]
Phone = Annotated[str, AfterValidator(normalise_phone)]
# Identifiers the marketplace chooses (orders, buyers, recipients, consents, suspension orders,
# mandates) and the ones databorder makes (disclosures, rights requests and tasks): safe in
# URLs and logs, and as long as the tables' id columns (String(64)).
IDENT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=IDENT_PATTERN)]
# A notice version's name (e.g. "2026-11-01"), as `notice_versions.version` (String(32)) holds
# it: it names a public URL (/privacy/versions/{v}) and files, so the same safe alphabet.
NoticeVersionName = Annotated[
    str, Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
]
# A relay endpoint: a 0504/0505 number or an alias address (vault/relay.py), as
# `relay_endpoints.value` (String(120)) holds it.
RelayAddress = Annotated[
    str, Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+@-]*$")
]
# A position in the disclosure log: its sizes and indexes are 64-bit integers in storage.
LogPosition = Annotated[int, Field(ge=0, le=2**63 - 1)]

# Characters no name or text needs, each of which has done harm elsewhere: controls (a NUL is
# refused by PostgreSQL and truncates C strings; CR and LF forge log lines and headers), lone
# surrogates (cannot be encoded, so cannot be stored or answered), line and paragraph
# separators (line breaks to many readers), and the bidirectional overrides and isolates
# (they reorder how a name reads in a log, a notice or a terminal: "Trojan Source").
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\t\n\r")
_IDENT = re.compile(IDENT_PATTERN)


def _printable(value: str, *, lines: bool) -> str:
    found = control_character(value, lines=lines)
    if found is not None:
        index, char = found
        expected = "text (tabs and line breaks allowed)" if lines else "text on one line"
        raise ValueError(
            f"control character U+{ord(char):04X} at position {index}: expected printable {expected}"
        )
    return value


def control_character(value: str, *, lines: bool = False) -> tuple[int, str] | None:
    """The first character of `value` no text should hold, as (position, character), or None."""
    for index, char in enumerate(value):
        if lines and char in _LINE_BREAKS:
            continue
        if unicodedata.category(char) in _REFUSED_CATEGORIES or char in _BIDI_CONTROLS:
            return index, char
    return None


def is_ident(value: str) -> bool:
    """Whether `value` could name anything databorder stores (an Ident, a notice version)."""
    return len(value) <= 64 and _IDENT.fullmatch(value) is not None


def one_line(value: str) -> str:
    """`value` if it is printable text on one line, else raise naming the first bad character."""
    return _printable(value, lines=False)


def lines_of_text(value: str) -> str:
    """`value` if it is printable text, tabs and line breaks allowed; else raise likewise."""
    return _printable(value, lines=True)


# Names, references and reasons: one line of printable text. Lengths are each field's own.
Line = Annotated[str, AfterValidator(one_line)]
# Free text that may run over lines (a notice's summary, an order's items, an answer).
Text = Annotated[str, AfterValidator(lines_of_text)]
