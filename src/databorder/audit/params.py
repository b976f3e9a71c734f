"""What the checks take from the law: the rule pack's tables as small relations, and thresholds.

The checks name no purpose, item, role or country: which items a purpose needs and in which
form, which items are prohibited, each purpose's longest access, which roles are entrusted
and the home country all come from the rule pack the engine decides with
(`policy/packs/pipa.json`), so an audit under another pack checks that pack's law. Each table
is rendered as a `VALUES` relation, a form SQLite, PostgreSQL and DuckDB all read.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from databorder.model import Disposition
from databorder.policy.protocol import Pack

# Art. 31-2 and its Enforcement Decree: an overseas business without an address in Korea
# names a domestic agent when, among other tests, it holds the data of one million or more
# data subjects in Korea (daily average over three months). The registry holds no revenue, so
# this is the one test the audit can apply: recipients that received the data of at least
# this many buyers in the audited window. An officer can lower it (`AuditParams`).
DOMESTIC_AGENT_SUBJECTS = 1_000_000

# How much of an item each form reveals; a release more revealing than the pack's table is
# a finding. A relay number reveals nothing of the buyer's, a mask part of the value.
EXPOSURE = {
    Disposition.DENY: 0,
    Disposition.RELAY: 1,
    Disposition.MASKED: 2,
    Disposition.PLAIN: 3,
}

# Values inlined into SQL: the pack's enum values and mandate ids. Anything else is refused
# rather than quoted, so a pack a privacy officer wrote cannot smuggle SQL into an audit.
_LITERAL = re.compile(r"[A-Za-z0-9_.\-]{1,64}")

Value = str | int


@dataclass(frozen=True, slots=True)
class Relation:
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, SQL type), for an empty relation's types
    rows: tuple[tuple[Value, ...], ...]

    def cte(self) -> str:
        """`name(col, ...) AS (VALUES ...)`, or an empty relation of the same columns."""
        head = f"{self.name}({', '.join(name for name, _ in self.columns)})"
        if not self.rows:
            nulls = ", ".join(f"CAST(NULL AS {kind}) AS {name}" for name, kind in self.columns)
            return f"{head} AS (SELECT {nulls} WHERE 1 = 0)"
        values = ",\n    ".join(f"({', '.join(_literal(v) for v in row)})" for row in self.rows)
        return f"{head} AS (VALUES\n    {values})"


def _literal(value: Value) -> str:
    if isinstance(value, int):
        return str(value)
    if not _LITERAL.fullmatch(value):
        raise ValueError(f"audit parameter {value!r} is not a plain identifier")
    return f"'{value}'"


@dataclass(frozen=True, slots=True)
class AuditParams:
    pack: str
    pack_version: str
    home_country: str
    item_forms: tuple[tuple[str, str, str, str], ...]  # (scope, purpose or mandate, item, form)
    prohibited_items: tuple[str, ...]
    purpose_caps: tuple[tuple[str, int], ...]  # (purpose, longest access in days)
    entrusted_roles: tuple[str, ...]
    domestic_agent_subjects: int = DOMESTIC_AGENT_SUBJECTS

    def __post_init__(self) -> None:
        if self.domestic_agent_subjects < 1:
            raise ValueError(
                f"domestic_agent_subjects must be at least 1, got {self.domestic_agent_subjects}"
            )

    def relations(self) -> tuple[Relation, ...]:
        text, number = "VARCHAR", "BIGINT"
        return (
            Relation(
                "item_forms",
                (("scope", text), ("name", text), ("item", text), ("form", text)),
                self.item_forms,
            ),
            Relation(
                "prohibited_items", (("item", text),), tuple((i,) for i in self.prohibited_items)
            ),
            Relation("purpose_caps", (("purpose", text), ("max_days", number)), self.purpose_caps),
            Relation(
                "entrusted_roles", (("role", text),), tuple((r,) for r in self.entrusted_roles)
            ),
            Relation(
                "form_exposure",
                (("form", text), ("exposure", number)),
                tuple((d.value, n) for d, n in EXPOSURE.items()),
            ),
        )

    def scalars(self) -> Mapping[str, Value]:
        return {"home": self.home_country, "agent_threshold": self.domestic_agent_subjects}


def params_from_pack(
    pack: Pack, domestic_agent_subjects: int = DOMESTIC_AGENT_SUBJECTS
) -> AuditParams:
    """The pack's tables as the checks read them (pure: the pack in, values out)."""
    forms: list[tuple[str, str, str, str]] = [
        ("purpose", purpose.value, item.value, disposition.value)
        for purpose, rule in pack.purposes.items()
        for item, disposition in rule.dispositions.items()
        if disposition is not Disposition.DENY
    ]
    for mandate in pack.mandates.values():
        for item in mandate.items:
            relayed = item in pack.mandate_relay_items
            form = Disposition.RELAY if relayed else Disposition.PLAIN
            forms.append(("mandate", mandate.id, item.value, form.value))
    return AuditParams(
        pack=pack.name,
        pack_version=pack.version,
        home_country=pack.home_country,
        item_forms=tuple(sorted(forms)),
        prohibited_items=tuple(sorted(i.value for i in pack.prohibited_items)),
        purpose_caps=tuple(
            sorted((p.value, rule.max_access_days) for p, rule in pack.purposes.items())
        ),
        entrusted_roles=tuple(sorted(r.value for r in pack.entrusted_roles)),
        domestic_agent_subjects=domestic_agent_subjects,
    )
