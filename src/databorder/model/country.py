"""Country codes: ISO 3166-1 alpha-2, checked against pycountry's list rather than a regex.

A regex would accept "XX" or "UK"; a transfer notice naming a country that does not exist is
exactly the "worldwide" vagueness the regulator fined, so unknown codes are errors.
"""

from functools import lru_cache

import pycountry


class UnknownCountryError(ValueError):
    """Raised for a string that is not an ISO 3166-1 alpha-2 code."""


@lru_cache(maxsize=512)
def country_code(value: str) -> str:
    """Return the canonical upper-case alpha-2 code, or raise `UnknownCountryError`."""
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise UnknownCountryError(
            f"country must be an ISO 3166-1 alpha-2 code such as 'JP' or 'CN', got {value!r}"
        )
    return code


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """English short name of a valid code, for notices and summaries."""
    country = pycountry.countries.get(alpha_2=country_code(code))
    if country is None:  # unreachable: country_code() already proved it exists
        raise UnknownCountryError(code)
    return str(getattr(country, "common_name", None) or country.name)
