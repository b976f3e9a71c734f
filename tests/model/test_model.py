"""The shared vocabulary: countries, instants, and each package's declared public names."""

import importlib
import pkgutil
from datetime import UTC, datetime

import pytest

import databorder
from databorder.model import (
    NaiveDatetimeError,
    UnknownCountryError,
    aware,
    country_code,
    country_name,
    parse_instant,
)


def test_country_codes_are_checked_against_the_iso_list() -> None:
    assert country_code(" kr ") == "KR"
    assert country_name("cn") == "China"
    for bad in ("XX", "UK", "KOR", ""):
        with pytest.raises(UnknownCountryError, match="ISO 3166-1 alpha-2"):
            country_code(bad)


def test_instants_must_carry_an_offset() -> None:
    assert parse_instant("2026-11-23T10:00:00+09:00").utcoffset() is not None
    assert aware(datetime(2026, 1, 1, tzinfo=UTC)).tzinfo is UTC
    with pytest.raises(NaiveDatetimeError, match="given_at must include a UTC offset"):
        parse_instant("2026-11-23T10:00:00", "given_at")


def _packages() -> list[str]:
    found = pkgutil.walk_packages(databorder.__path__, "databorder.")
    return ["databorder", *(i.name for i in found if i.ispkg and ".migrations" not in i.name)]


@pytest.mark.parametrize("name", _packages())
def test_declared_public_names_exist_and_are_listed_once(name: str) -> None:
    # Their order is ruff's concern (RUF022); this checks what lint cannot: that they exist.
    module = importlib.import_module(name)
    declared = getattr(module, "__all__", None)
    if declared is None:
        return  # a package that exports nothing declares nothing
    assert len(declared) == len(set(declared)), f"{name}.__all__ repeats a name"
    missing = [n for n in declared if not hasattr(module, n)]
    assert missing == [], f"{name}.__all__ names what it does not export: {missing}"


def test_time_ordered_ids_are_uuid7_unique_and_ascend_across_milliseconds() -> None:
    import time  # noqa: PLC0415
    import uuid  # noqa: PLC0415

    from databorder.model.ids import time_ordered_id  # noqa: PLC0415

    first = [time_ordered_id() for _ in range(2000)]
    time.sleep(0.002)
    later = time_ordered_id()
    assert len(set(first)) == len(first)
    parsed = uuid.UUID(first[0])
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122
    assert later > max(first)  # a later millisecond sorts after every earlier id
