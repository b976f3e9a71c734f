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


def test_schema_obeys_citus_rules(database_url: str) -> None:
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
    for statement in citus_statements():
        if "DROP CONSTRAINT" in statement:
            assert statement.rsplit(" ", 1)[1] in names, statement
    engine.dispose()
    assert problems == []


def test_citus_ddl_names_every_distributed_and_reference_table() -> None:
    ddl = "\n".join(citus_statements())
    for table, spec in DISTRIBUTED.items():
        assert f"create_distributed_table('{table}', '{spec.column}'" in ddl
    for table in REFERENCE:
        assert f"create_reference_table('{table}')" in ddl
    assert ddl.count("DROP CONSTRAINT") == len(DROPPED_FOREIGN_KEYS)
