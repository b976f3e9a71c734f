"""The Art. 64-2(1) ceiling: 3% of the average annual sales minus the unrelated sales, shown."""

import pytest

from databorder.audit.exposure import Sales, exposure
from databorder.errors import InvalidInput

BILLION = 1_000_000_000


def test_three_years_averaged_then_the_unrelated_part_removed_then_three_percent() -> None:
    owed = exposure(Sales((300 * BILLION, 200 * BILLION, 100 * BILLION), 50 * BILLION), 7, 9)
    assert owed.average == 200 * BILLION
    assert owed.base == 150 * BILLION
    assert owed.ceiling == 4_500_000_000
    assert [s.key for s in owed.steps] == ["sum", "average", "related", "ceiling"]
    assert (
        owed.steps[0].note
        == "300,000,000,000 + 200,000,000,000 + 100,000,000,000 = 600,000,000,000"
    )
    assert owed.steps[-1].note == "150,000,000,000 × 3% = 4,500,000,000"
    data = owed.to_json()
    assert data["ceiling"] == 4_500_000_000
    assert data["subjects"] == 7
    assert data["findings"] == 9
    assert data["article"] == "PIPA 64-2(1)"


def test_a_younger_business_averages_the_years_it_has() -> None:
    assert exposure(Sales((90 * BILLION,), 0)).ceiling == 2_700_000_000
    assert exposure(Sales((90 * BILLION, 30 * BILLION), 0)).average == 60 * BILLION


def test_each_rounding_rounds_down_and_says_so() -> None:
    owed = exposure(Sales((100, 100, 101), 0))
    assert owed.average == 100
    assert owed.steps[1].note.endswith("(rounded down)")
    assert owed.ceiling == 3
    odd = exposure(Sales((1_234,), 0))
    assert odd.ceiling == 37  # 37.02 rounded down
    assert odd.steps[-1].note.endswith("(rounded down)")
    assert not exposure(Sales((1_000,), 0)).steps[-1].note.endswith("(rounded down)")


@pytest.mark.parametrize(
    ("annual", "unrelated", "field"),
    [
        ((), 0, "sales"),
        ((1, 2, 3, 4), 0, "sales"),
        ((-1,), 0, "sales"),
        ((10**19,), 0, "sales"),
        ((10,), -1, "unrelated_sales"),
    ],
)
def test_impossible_sales_are_refused_by_field(
    annual: tuple[int, ...], unrelated: int, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        Sales(annual, unrelated)
    assert caught.value.problems[0].field == field


def test_unrelated_sales_above_the_average_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        Sales((100, 100), 101)
    assert caught.value.problems[0].field == "unrelated_sales"
    assert "exceed the average annual sales (100)" in caught.value.problems[0].reason


def test_sales_typed_with_separators_are_read_as_won() -> None:
    assert Sales.parse(["1,000,000", "2_000"], "0").annual == (1_000_000, 2_000)
    for bad in ("12.5", "1e9", "-3", "１２", "ten"):
        with pytest.raises(InvalidInput) as caught:
            Sales.parse([bad], "0")
        assert caught.value.problems[0].field == "sales"
    with pytest.raises(InvalidInput) as caught:
        Sales.parse(["1"], "x")
    assert caught.value.problems[0].field == "unrelated_sales"
