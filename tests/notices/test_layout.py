"""A snapshot that would misstate a transfer is refused whole, with every problem named."""

from dataclasses import replace
from datetime import datetime

import pytest
from notice_factories import SMALL_ENTRIES, entry, snapshot

from databorder.model import Ground, RecipientRole
from databorder.notices import InvalidSnapshotError, Section
from databorder.notices.layout import check, lay_out


def _problems(*entries, **overrides) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidSnapshotError) as caught:
        check(snapshot(entries, **overrides))
    return caught.value.problems


def test_the_small_registry_passes() -> None:
    check(snapshot())


def test_a_recipient_named_twice_is_refused() -> None:
    assert _problems(*SMALL_ENTRIES, SMALL_ENTRIES[0]) == (
        "recipients named more than once: ['s-cn-1']",
    )


def test_a_naive_publication_time_is_refused() -> None:
    assert "published_at must be timezone-aware" in _problems(published_at=datetime(2026, 12, 1))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"country": "cn", "data_countries": ("cn",)}, "country 'cn' must be an upper-case"),
        ({"country": "XX", "data_countries": ("XX",)}, "country 'XX' is not an ISO 3166-1"),
        ({"data_countries": ("US", "CN")}, "must start with the seat 'CN'"),
        ({"data_countries": ("CN", "US", "JP")}, "the others sorted, once each"),
        ({"data_countries": ()}, "must start with the seat"),
        (
            {"section": Section.PROVISION, "article": "PIPA 17(1)1"},
            "belongs in the overseas_transfer section",
        ),
        (
            {"ground": Ground.ENTRUSTED_CONTRACT, "article": "PIPA 28-8(1)3"},
            "a seller cannot be listed",
        ),
        ({"article": "28-8(1)1"}, "article reference must look like"),
        ({"name": ""}, "recipients without a name"),
        ({"items": ()}, "recipients without a name, email, item"),
        ({"retention_days": 0}, "positive retention"),
        ({"phone": "+86 755 8888 1234"}, "phones must be E.164"),
    ],
)
def test_an_entry_that_would_misstate_the_transfer_is_refused(
    changes: dict[str, object], problem: str
) -> None:
    problems = _problems(replace(SMALL_ENTRIES[0], **changes))
    assert any(problem in p for p in problems), problems


def test_a_domestic_recipient_in_the_overseas_section_is_refused() -> None:
    home = entry("x", country="KR", section=Section.OVERSEAS_TRANSFER)
    assert any("is not a transfer abroad" in p for p in _problems(home))


def test_a_ground_the_section_cannot_rest_on_is_refused() -> None:
    processor = entry(
        "x", country="KR", ground=Ground.ENTRUSTED_CONTRACT, role=RecipientRole.PROCESSOR
    )
    odd = replace(processor, ground=Ground.CONSENT)
    assert any("cannot rest on consent" in p for p in _problems(odd))


def test_one_table_cites_one_article() -> None:
    a = entry("a")
    b = replace(entry("b", name="B"), article="PIPA 28-8(1)2")
    assert any("cites several articles" in p for p in _problems(a, b))


def test_every_problem_is_named_at_once() -> None:
    problems = _problems(
        replace(SMALL_ENTRIES[0], name=""), replace(SMALL_ENTRIES[1], phone="0101234")
    )
    assert len(problems) == 2


def test_tables_are_sorted_by_country_then_name_then_id() -> None:
    entries = (
        entry("3", name="B", country="US"),
        entry("2", name="A", country="US"),
        entry("1", name="A", country="US"),
        entry("9", name="Z", country="CN"),
    )
    [table] = lay_out(snapshot(entries)).tables
    assert [e.recipient_id for e in table.entries] == ["9", "1", "2", "3"]


def test_the_page_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="page_limit must be at least 1, got 0"):
        lay_out(snapshot(), page_limit=0)
