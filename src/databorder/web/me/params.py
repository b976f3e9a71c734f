"""The filters of "my data", checked before anything is looked up (as the public pages do)."""

from collections.abc import Mapping

from databorder.model.country import UnknownCountryError, country_code
from databorder.web.errors import N_, BadQuery, QueryProblem
from databorder.web.me.views import GrantState


def data_filters(params: Mapping[str, str]) -> tuple[str | None, GrantState | None]:
    """(country, state), or BadQuery naming each wrong one; empty means "all"."""
    problems = []
    country = params.get("country", "").strip() or None
    if country is not None:
        try:
            country = country_code(country)
        except UnknownCountryError:
            problems.append(
                QueryProblem(
                    "country",
                    N_(
                        "unknown country %(value)s: expected a two-letter ISO 3166 code such as CN or US"
                    ),
                    {"value": repr(country[:20])},
                )
            )
            country = None
    state = None
    given = params.get("state", "").strip()
    if given:
        try:
            state = GrantState(given)
        except ValueError:
            problems.append(
                QueryProblem(
                    "state",
                    N_("unknown value %(value)s: expected one of %(expected)s"),
                    {"value": repr(given[:20]), "expected": ", ".join(s.value for s in GrantState)},
                )
            )
    if problems:
        raise BadQuery(problems)
    return country, state


__all__ = ["data_filters"]
