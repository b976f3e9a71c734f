"""The penalty surcharge a finding could cost, under PIPA Art. 64-2, with its arithmetic shown.

Art. 64-2(1): the PIPC may impose a surcharge of up to 3% of total sales, where "total sales"
is the average annual sales of the three business years before the violation (fewer years
when the business is younger: the average of the years it has), minus the sales unrelated to
the violation. The records cannot know the sales; the marketplace states both inputs and the
pack shows each step, so the officer and the regulator read the same sum. The ceiling is a
ceiling: the PIPC sets the actual amount by the gravity, duration and number of subjects, and
Art. 64-2(2) (in force 10 Sep 2026) allows a heavier one for repeats, gross negligence over
ten million subjects, or an ignored correction order; the pack says so beside the figure.

Money is whole won, kept as integers; the average and the 3% round down (a ceiling must not
be overstated), and each rounding is shown.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from databorder.errors import InvalidInput

RATE_PERCENT = 3  # Art. 64-2(1)
MAX_YEARS = 3
# Sales are stated in won; a bound far above any company's keeps arithmetic and JSON exact.
MAX_WON = 10**18


@dataclass(frozen=True, slots=True)
class Sales:
    """What the marketplace states: its annual sales (1 to 3 business years), and the part unrelated."""

    annual: tuple[int, ...]  # won, the most recent business year first
    unrelated: int  # won, of the average annual sales, not related to the violation

    def __post_init__(self) -> None:
        if not 1 <= len(self.annual) <= MAX_YEARS:
            raise InvalidInput.one(
                "sales",
                f"give the annual sales of 1 to {MAX_YEARS} business years, got {len(self.annual)}",
            )
        for n, value in enumerate(self.annual):
            if not 0 <= value <= MAX_WON:
                raise InvalidInput.one(
                    "sales", f"year {n + 1}: expected whole won from 0 to {MAX_WON}, got {value}"
                )
        if not 0 <= self.unrelated <= MAX_WON:
            raise InvalidInput.one(
                "unrelated_sales", f"expected whole won from 0 to {MAX_WON}, got {self.unrelated}"
            )
        average = sum(self.annual) // len(self.annual)
        if self.unrelated > average:
            raise InvalidInput.one(
                "unrelated_sales",
                f"the unrelated sales ({_won(self.unrelated)}) exceed the average annual sales "
                f"({_won(average)})",
            )

    @classmethod
    def parse(cls, annual: Sequence[str], unrelated: str) -> "Sales":
        """From text as typed (digits, optionally with thousands separators `,` or `_`)."""

        def won(text: str, field: str) -> int:
            digits = text.strip().replace(",", "").replace("_", "")
            if not digits.isascii() or not digits.isdigit():
                raise InvalidInput.one(field, f"expected whole won in digits, got {text!r}")
            return int(digits)

        return cls(tuple(won(t, "sales") for t in annual), won(unrelated, "unrelated_sales"))


@dataclass(frozen=True, slots=True)
class Step:
    key: str  # what the step is (the report's label for it)
    won: int
    note: str  # how it was computed, in figures


@dataclass(frozen=True, slots=True)
class Exposure:
    sales: Sales
    average: int
    base: int
    ceiling: int
    steps: tuple[Step, ...]
    subjects: int  # distinct buyers the findings concern
    findings: int

    def to_json(self) -> dict[str, Any]:
        return {
            "article": "PIPA 64-2(1)",
            "rate_percent": RATE_PERCENT,
            "annual_sales": list(self.sales.annual),
            "unrelated_sales": self.sales.unrelated,
            "average_annual_sales": self.average,
            "related_sales": self.base,
            "ceiling": self.ceiling,
            "steps": [{"key": s.key, "won": s.won, "note": s.note} for s in self.steps],
            "subjects": self.subjects,
            "findings": self.findings,
        }


def _won(value: int) -> str:
    return f"{value:,}"


def exposure(sales: Sales, subjects: int = 0, findings: int = 0) -> Exposure:
    """The Art. 64-2(1) ceiling for `sales`, each step as a line a reader can redo by hand."""
    years = len(sales.annual)
    total = sum(sales.annual)
    average = total // years
    base = average - sales.unrelated
    ceiling = base * RATE_PERCENT // 100
    steps = (
        Step("sum", total, " + ".join(_won(v) for v in sales.annual) + f" = {_won(total)}"),
        Step(
            "average",
            average,
            f"{_won(total)} ÷ {years} = {_won(average)}"
            + ("" if total % years == 0 else " (rounded down)"),
        ),
        Step("related", base, f"{_won(average)} − {_won(sales.unrelated)} = {_won(base)}"),
        Step(
            "ceiling",
            ceiling,
            f"{_won(base)} × {RATE_PERCENT}% = {_won(ceiling)}"
            + ("" if base * RATE_PERCENT % 100 == 0 else " (rounded down)"),
        ),
    )
    return Exposure(sales, average, base, ceiling, steps, subjects, findings)
