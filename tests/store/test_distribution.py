"""The migrated schema obeys Citus's rules under the distribution plan (store/distribution.py).

Read from the live database's metadata, on SQLite and PostgreSQL: every table is placed once;
a distributed table's primary key and every unique constraint or index include its
distribution column; a foreign key between distributed tables stays within one co-location
group and includes both distribution columns at the same place; nothing points from a
reference or coordinator table into a distributed one, unless the plan drops that key.
"""

from sqlalchemy import inspect

from databorder.store.db import make_engine
from databorder.store.distribution import (
    COORDINATOR,
    DISTRIBUTED,
    DROPPED_FOREIGN_KEYS,
    REFERENCE,
    citus_statements,
)


def test_schema_obeys_citus_rules(backend: str, database_url: str) -> None:
    engine = make_engine(database_url)
    insp = inspect(engine)
    tables = set(insp.get_table_names())
    placed = [*DISTRIBUTED, *REFERENCE, *COORDINATOR]
    assert len(placed) == len(set(placed)), "a table is placed twice"
    assert tables <= set(placed), f"tables without a place: {sorted(tables - set(placed))}"

    problems = []
    for table in sorted(tables):
        spec = DISTRIBUTED.get(table)
        if spec is not None:
            keys = [("primary key", insp.get_pk_constraint(table)["constrained_columns"])]
            keys += [
                (f"unique {u['name']}", u["column_names"])
                for u in insp.get_unique_constraints(table)
            ]
            keys += [
                (f"unique index {i['name']}", i["column_names"])
                for i in insp.get_indexes(table)
                if i["unique"]
            ]
            problems += [
                f"{table}: {what} {cols} lacks {spec.column}"
                for what, cols in keys
                if spec.column not in cols
            ]
        for fk in insp.get_foreign_keys(table):
            target = fk["referred_table"]
            key = (table, tuple(fk["constrained_columns"]), target)
            if key in DROPPED_FOREIGN_KEYS or target in REFERENCE:
                continue
            here, there = DISTRIBUTED.get(table), DISTRIBUTED.get(target)
            if there is None:
                continue  # into the coordinator's own tables: none exist today
            if here is None:
                problems.append(
                    f"{table} -> {target}: a non-distributed table points into a distributed one"
                )
                continue
            cols, refs = fk["constrained_columns"], fk["referred_columns"]
            if here.group != there.group:
                problems.append(f"{table} -> {target}: crosses co-location groups")
            elif (
                here.column not in cols
                or there.column not in refs
                or cols.index(here.column) != refs.index(there.column)
            ):
                problems.append(f"{table} -> {target}: does not carry the distribution column")
    names = {fk["name"] for t in tables for fk in insp.get_foreign_keys(t)}
    dropped = {dropped_name(key) for key in DROPPED_FOREIGN_KEYS}
    if backend == "citus":  # the plan has run: the keys it drops are gone, every other is back
        assert not dropped & names
        names |= dropped
    for statement in citus_statements():
        if "DROP CONSTRAINT" in statement:
            assert statement.rsplit(" ", 1)[1] in names, statement
    engine.dispose()
    assert problems == []


def dropped_name(key: tuple[str, tuple[str, ...], str]) -> str:
    table, columns, target = key
    return f"fk_{table}_{columns[0]}_{target}"  # the models' naming convention


def test_citus_ddl_names_every_distributed_and_reference_table() -> None:
    ddl = "\n".join(citus_statements())
    for table, spec in DISTRIBUTED.items():
        assert f"create_distributed_table('{table}', '{spec.column}'" in ddl
    for table in REFERENCE:
        assert f"create_reference_table('{table}')" in ddl
    # Every key touching a placed table is dropped before the tables are placed, and all but
    # the plan's dropped ones are added back after (Citus refuses to place a table that a
    # local table's key points at, so no order of the calls alone would do).
    statements = citus_statements()
    kinds = [
        s.split()[0] + (" " + s.split()[3] if s.startswith("ALTER") else "") for s in statements
    ]
    first_place = kinds.index("SELECT")
    assert set(kinds[:first_place]) == {"ALTER DROP"}
    last_place = len(kinds) - 1 - kinds[::-1].index("SELECT")
    assert set(kinds[last_place + 1 :]) == {"ALTER ADD"}
    assert set(kinds[first_place : last_place + 1]) == {"SELECT"}
    assert ddl.count("DROP CONSTRAINT") == ddl.count("ADD CONSTRAINT") + len(DROPPED_FOREIGN_KEYS)
    for key in DROPPED_FOREIGN_KEYS:
        assert f"ADD CONSTRAINT {dropped_name(key)} " not in ddl
        assert f"DROP CONSTRAINT {dropped_name(key)}" in ddl
