"""How the schema spreads over a Citus (distributed PostgreSQL) cluster, as data.

Buyer data is distributed by `subject_id` and co-located, so a decision's reads (buyer,
consents, order) and a buyer's privacy-center view stay on one shard; grants and reads by
`recipient_id`, so a seller's traffic stays on one shard; small, read-mostly tables are
reference tables copied to every node; the disclosure log stays on the coordinator as the one
sequencer of leaf indexes. `citus_plan()` is the DDL to apply after the migrations on a Citus
coordinator (`databorder migrate --citus` runs it); `tests/store/test_distribution.py` checks the
schema against Citus's rules and `tests/store/test_citus_cluster.py` applies it on a real cluster.
"""

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class Distributed:
    column: str
    group: str  # tables in one group are co-located: the same key lives on the same shard


SUBJECT = "subject"
RECIPIENT = "recipient"

DISTRIBUTED: dict[str, Distributed] = {
    "buyers": Distributed("id", SUBJECT),
    "consents": Distributed("subject_id", SUBJECT),
    "orders": Distributed("buyer_id", SUBJECT),
    "vault_keys": Distributed("subject_id", SUBJECT),
    "vault_items": Distributed("subject_id", SUBJECT),
    "vault_blind_index": Distributed("subject_id", SUBJECT),
    "disclosures": Distributed("subject_id", SUBJECT),
    # A buyer's rights requests, their recipients' tasks and the messages telling them: the
    # privacy center reads them per buyer, and a request, its tasks and outbox are one write.
    "rights_requests": Distributed("subject_id", SUBJECT),
    "rights_tasks": Distributed("subject_id", SUBJECT),
    "outbox": Distributed("subject_id", SUBJECT),
    # Messages to an order's recipients, sealed with the buyer's key: written beside the order.
    "messages": Distributed("subject_id", SUBJECT),
    "access_grants": Distributed("recipient_id", RECIPIENT),
    "seller_reads": Distributed("recipient_id", RECIPIENT),
    # Retries' answers (api/idempotency.py): one row per keyed request, written and read alone
    # by its digest, in transactions of their own; spread by it, joined with nothing.
    "idempotency_keys": Distributed("digest", "idempotency"),
}

# Small or globally unique: copied to every node (a relay number must be unique everywhere).
REFERENCE = frozenset(
    {
        "recipients",
        "recipient_api_keys",
        "notice_versions",
        "notice_recipients",  # published lists: read by every node's decisions and pages
        "notice_documents",
        "suspension_orders",
        "service_keys",
        "relay_endpoints",
        "officer_accounts",
        "officer_sessions",
        "used_login_tokens",
        "login_failures",  # officer sign-in lockouts: a handful of rows, read on every sign-in
        "recipient_webhooks",  # one row per recipient, read with the recipients
        "rights_counters",  # one row a year: tracking serials must be unique everywhere
        "audit_runs",  # a few rows a week, read by the officer's console
    }
)

# The disclosure log: one sequence of indexes, appended under one lock on the coordinator.
COORDINATOR = frozenset(
    {
        "log_leaves",
        "log_nodes",
        "log_heads",
        "log_state",
        "log_cosignatures",
        "log_records",
        "alembic_version",
    }
)

# Foreign keys Citus cannot enforce, each with why; the plan drops them for good and the
# services keep the reference. No service deletes an order, a grant or a buyer row (erasure
# shreds the vault key and marks the buyer), so none relies on these keys' ON DELETE CASCADE.
DROPPED_FOREIGN_KEYS: dict[tuple[str, tuple[str, ...], str], str] = {
    ("access_grants", ("subject_id", "order_id"), "orders"): (
        "grants are spread by recipient, orders by buyer: a key across co-location groups; "
        "the gateway writes a grant in the transaction that loaded its order"
    ),
    ("disclosures", ("recipient_id", "grant_id"), "access_grants"): (
        "disclosures are spread by buyer, grants by recipient: a key across co-location "
        "groups; a disclosure and its grant are written in one transaction"
    ),
    ("relay_endpoints", ("recipient_id", "grant_id"), "access_grants"): (
        "Citus refuses keys from a reference table into a distributed one; a relay number "
        "is taken in the transaction that writes its grant, and released by the grant's end"
    ),
}


@dataclass(frozen=True, slots=True)
class Step:
    """One statement of the plan, and a query answering true once its effect is in place."""

    sql: str
    done: str  # a second run of the plan skips a step whose `done` answers true


@dataclass(frozen=True, slots=True)
class _ForeignKey:
    name: str
    table: str
    columns: tuple[str, ...]
    target: str
    add: str  # ALTER TABLE ... ADD CONSTRAINT, as the migrations define the key


def _foreign_keys() -> list[_ForeignKey]:
    """Every foreign key of the schema, read from the models the migrations are checked against
    (tests/store/test_migrations.py fails when a model and its migration disagree)."""
    from sqlalchemy.dialects.postgresql.base import PGDialect  # noqa: PLC0415
    from sqlalchemy.schema import AddConstraint  # noqa: PLC0415

    from databorder.store.base import Base  # noqa: PLC0415
    from databorder.store.migrations import all_models  # noqa: F401, PLC0415 (every table)

    keys = []
    for table in Base.metadata.sorted_tables:
        for fk in sorted(table.foreign_key_constraints, key=lambda c: str(c.name)):
            dialect = PGDialect()  # type: ignore[no-untyped-call]
            add = str(AddConstraint(fk).compile(dialect=dialect))
            columns = tuple(c.name for c in fk.columns)
            keys.append(_ForeignKey(str(fk.name), table.name, columns, fk.referred_table.name, add))
    return sorted(keys, key=lambda k: (k.table, k.name))


def _placed(table: str) -> str:
    # S608: the names are the plan's own constants and the models' tables, never input
    return f"EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = '{table}'::regclass)"  # noqa: S608


def _has_constraint(table: str, name: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '{table}'::regclass "  # noqa: S608
        f"AND conname = '{name}')"
    )


def citus_plan() -> list[Step]:
    """The steps that turn a migrated PostgreSQL schema into a distributed one, in order.

    Citus refuses to distribute a table that a local table's foreign key points at (buyers,
    before consents is distributed), and a reference table whose key cascades from a local
    table (recipient_api_keys, before recipients); no order of the calls avoids both, since keys
    run both ways between the kinds. So the keys between placed tables are dropped first, the
    tables placed, and the keys Citus accepts added back as the migrations define them:
    reference to reference, distributed to reference, and distributed to distributed within a
    co-location group on the distribution column. The log's tables keep no key with any other
    and stay local tables on the coordinator.
    """
    placed = set(DISTRIBUTED) | REFERENCE
    keys = [k for k in _foreign_keys() if k.table in placed or k.target in placed]
    steps = []
    for key in keys:
        gone = f"NOT {_has_constraint(key.table, key.name)}"
        dropped = (key.table, key.columns, key.target) in DROPPED_FOREIGN_KEYS
        steps.append(
            Step(
                f"ALTER TABLE {key.table} DROP CONSTRAINT {key.name}",
                # a kept key is back in place once both its tables are
                gone if dropped else f"{gone} OR ({_placed(key.table)} AND {_placed(key.target)})",
            )
        )
    steps += [Step(f"SELECT create_reference_table('{t}')", _placed(t)) for t in sorted(REFERENCE)]
    anchors: dict[str, str] = {}
    for table, spec in DISTRIBUTED.items():  # in dict order: each group's first table anchors it
        # A group's anchor starts a co-location group of its own ('none'): by default Citus
        # co-locates every table whose distribution column has the same type and shard count,
        # which would put grants (by recipient) in the buyers' group by accident.
        anchor = anchors.setdefault(spec.group, table)
        colocate = "none" if anchor == table else anchor
        steps.append(
            Step(
                f"SELECT create_distributed_table('{table}', '{spec.column}', "
                f"colocate_with => '{colocate}')",
                _placed(table),
            )
        )
    steps += [
        Step(key.add, _has_constraint(key.table, key.name))
        for key in keys
        if (key.table, key.columns, key.target) not in DROPPED_FOREIGN_KEYS
    ]
    return steps


def citus_statements() -> list[str]:
    """The SQL that turns a migrated PostgreSQL schema into a distributed one (on Citus)."""
    return [step.sql for step in citus_plan()]


def apply_citus_plan(engine: Engine) -> list[str]:
    """Apply the plan on a Citus coordinator, skipping the steps already in place; returns the
    statements it ran (none on a second run).

    Each step commits on its own: Citus refuses some of them inside a transaction that has
    already touched distributed tables in parallel, and a step's `done` makes a run stopped
    half-way safe to repeat.
    """
    from sqlalchemy import text  # noqa: PLC0415

    ran = []
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        has_citus = connection.execute(
            text("SELECT 1 FROM pg_extension WHERE extname = 'citus'")
        ).scalar()
        if not has_citus:
            raise NotCitusError(str(engine.url.render_as_string(hide_password=True)))
        for step in citus_plan():
            if connection.execute(text(f"SELECT {step.done}")).scalar():
                continue
            connection.execute(text(step.sql))
            ran.append(step.sql)
    return ran


class NotCitusError(Exception):
    """The database is not a Citus coordinator: the extension `citus` is not installed."""

    def __init__(self, url: str) -> None:
        super().__init__(f"expected a Citus coordinator (extension citus) at {url}; it has none")
        self.url = url


# Per engine, the tables Citus hash-distributes there (empty off Citus): asked once.
_DISTRIBUTED: "weakref.WeakKeyDictionary[Engine, frozenset[str]]" = weakref.WeakKeyDictionary()


def distributed_tables(session: Session) -> frozenset[str]:
    """The tables hash-distributed on the session's database: none unless it is a Citus
    coordinator with the plan applied. Asked once per engine (the plan is applied before the
    service starts)."""
    engine = session.get_bind().engine
    known = _DISTRIBUTED.get(engine)
    if known is None:
        known = frozenset()
        if (
            engine.dialect.name == "postgresql"
            and session.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'citus'")).scalar()
        ):
            known = frozenset(
                session.execute(
                    text(  # the bare name, whatever the search_path
                        "SELECT c.relname FROM pg_dist_partition p"
                        " JOIN pg_class c ON c.oid = p.logicalrelid WHERE p.partmethod = 'h'"
                    )
                ).scalars()
            )
        _DISTRIBUTED[engine] = known
    return known


def by_shard(session: Session, table: str, keys: Sequence[str]) -> list[list[str]]:
    """`keys` of distributed `table` grouped by the shard that holds them, in shard order and
    sorted within: a statement naming one group runs on one shard, where Citus allows what it
    refuses across shards (`SELECT ... FOR UPDATE`), and every locker taking the groups in
    this order takes the rows in one global order."""
    rows = session.execute(
        text(
            "SELECT key, get_shard_id_for_distribution_column(CAST(:table AS regclass), key)"
            " FROM unnest(CAST(:keys AS text[])) AS key"
        ),
        {"table": table, "keys": list(keys)},
    )
    groups: dict[int, list[str]] = {}
    for key, shard in rows:
        groups.setdefault(shard, []).append(key)
    return [sorted(groups[shard]) for shard in sorted(groups)]
