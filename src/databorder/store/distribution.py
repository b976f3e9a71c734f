"""How the schema spreads over a Citus (distributed PostgreSQL) cluster, as data.

Buyer data is distributed by `subject_id` and co-located, so a decision's reads (buyer,
consents, order) and a buyer's privacy-center view stay on one shard; grants and reads by
`recipient_id`, so a seller's traffic stays on one shard; small, read-mostly tables are
reference tables copied to every node; the disclosure log stays on the coordinator as the one
sequencer of leaf indexes. `citus_statements()` is the DDL to apply after the migrations on a
Citus coordinator; `tests/store/test_distribution.py` checks the schema against Citus's rules.
"""

from dataclasses import dataclass


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

# Foreign keys Citus cannot enforce because they cross distributions; the Citus DDL drops
# them and the services keep the references (each is written in the same transaction as its
# target, or checked before).
DROPPED_FOREIGN_KEYS = frozenset(
    {
        ("access_grants", ("subject_id", "order_id"), "orders"),
        ("disclosures", ("recipient_id", "grant_id"), "access_grants"),
        ("relay_endpoints", ("recipient_id", "grant_id"), "access_grants"),
    }
)


def citus_statements() -> list[str]:
    """The SQL that turns a migrated PostgreSQL schema into a distributed one (on Citus)."""
    statements = [
        f"ALTER TABLE {table} DROP CONSTRAINT fk_{table}_{columns[0]}_{target}"
        for table, columns, target in sorted(DROPPED_FOREIGN_KEYS)
    ]
    statements += [f"SELECT create_reference_table('{t}')" for t in sorted(REFERENCE)]
    anchors: dict[str, str] = {}
    for table, spec in DISTRIBUTED.items():  # in dict order: each group's first table anchors it
        if spec.group not in anchors:
            anchors[spec.group] = table
            statements.append(f"SELECT create_distributed_table('{table}', '{spec.column}')")
        else:
            statements.append(
                f"SELECT create_distributed_table('{table}', '{spec.column}', "
                f"colocate_with => '{anchors[spec.group]}')"
            )
    return statements
