"""Value types shared by every capability: the contract's vocabularies, countries, instants."""

from databorder.model.country import UnknownCountryError, country_code, country_name
from databorder.model.enums import (
    Basis,
    ConsentKind,
    DataItem,
    Disposition,
    Ground,
    Purpose,
    ReasonCode,
    RecipientRole,
)
from databorder.model.time import (
    InstantOutOfRangeError,
    NaiveDatetimeError,
    aware,
    parse_instant,
    utcnow,
    within_window,
)

__all__ = [
    "Basis",
    "ConsentKind",
    "DataItem",
    "Disposition",
    "Ground",
    "InstantOutOfRangeError",
    "NaiveDatetimeError",
    "Purpose",
    "ReasonCode",
    "RecipientRole",
    "UnknownCountryError",
    "aware",
    "country_code",
    "country_name",
    "parse_instant",
    "utcnow",
    "within_window",
]
