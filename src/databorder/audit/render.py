"""Turning one check's text into the statement an engine runs: pure string work, no I/O.

A check is written once, over the audit relations. What differs per engine is only where the
relations come from, and that is rendered here from their descriptions
(`audit/relations.py`): on SQLite and PostgreSQL the JSON links are common table expressions
in the dialect's own JSON functions; on DuckDB they are views over the export's files
(`audit/sources.py`). `assemble` puts in front of a check exactly the
expressions it needs, in dependency order.
"""

import re
from collections.abc import Mapping

from databorder.audit.relations import KEY_SOURCE, Column, Kind, Link, Shape, Table

LIVE_DIALECTS = ("sqlite", "postgresql")

_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def _keys(link: Link) -> str:
    return ", ".join(f"t.{source} AS {out}" for source, out in link.keys)


def _sqlite_column(expression: str, column: Column) -> str:
    """A column as SQLite's expressions give it: an instant in its one text form."""
    if column.kind is Kind.INSTANT:
        return (
            f"CASE WHEN length({expression}) = 19 THEN {expression} || '.000000' "
            f"ELSE {expression} END AS {column.name}"
        )
    return expression if expression == column.name else f"{expression} AS {column.name}"


def table_sql(table: Table, dialect: str) -> str:
    """A live table as an expression of its own name: on SQLite with every instant in one text
    form, and on either engine with the join key (`relations.KEY`) beside its columns.

    SQLite keeps instants as text, and the service writes them two ways: SQLAlchemy's
    `2026-11-01 09:05:00.000000` and, through the driver's own adapter (bulk inserts),
    `2026-11-01 09:05:00` when the microseconds are zero. Compared as text, the short form
    sorts before the long form of the same instant, so a decision at exactly 09:05 would fall
    inside a window ending at 09:05. Padding the short form makes text order time order.
    (`main.` reaches the table past the expression of the same name.)

    On PostgreSQL only a keyed table needs an expression. A non-recursive `WITH` does not see
    its own name, so its `FROM` reads the table; `NOT MATERIALIZED` keeps PostgreSQL from
    copying it when several relations read it (the links read the JSON columns through it).
    """
    key = [f"{KEY_SOURCE} AS {c.name}" for c in table.columns if c.kind is Kind.KEY]
    if dialect == "postgresql":
        return f"{table.name} AS NOT MATERIALIZED (SELECT *, {', '.join(key)} FROM {table.name})"  # noqa: S608 (our names)
    if dialect != "sqlite":
        raise ValueError(f"the audit reads live data from {LIVE_DIALECTS}, not {dialect!r}")
    columns = ", ".join([_sqlite_column(c.name, c) for c in table.stored] + key)
    return f"{table.name} AS (SELECT {columns} FROM main.{table.name})"  # noqa: S608 (our names)


def link_sql(link: Link, dialect: str) -> str:
    """The link as a `name AS (SELECT ...)` expression in `dialect`'s JSON functions."""
    col = f"t.{link.json_column}"
    if dialect == "sqlite":
        source = f"FROM main.{link.table} AS t, json_each({col}) AS j"
        if link.shape is Shape.ARRAY:
            fields = [f"j.value AS {link.out[0]}"]
        elif link.shape is Shape.OBJECT:
            fields = [f"j.key AS {link.out[0]}", f"j.value AS {link.out[1]}"]
        else:
            fields = [f"json_extract(j.value, '$.{f}') AS {f}" for f in link.out]
    elif dialect == "postgresql":
        if link.shape is Shape.ARRAY:
            source = f"FROM {link.table} AS t CROSS JOIN LATERAL json_array_elements_text({col}) AS j(value)"
            fields = [f"j.value AS {link.out[0]}"]
        elif link.shape is Shape.OBJECT:
            source = (
                f"FROM {link.table} AS t CROSS JOIN LATERAL json_each_text({col}) AS j(key, value)"
            )
            fields = [f"j.key AS {link.out[0]}", f"j.value AS {link.out[1]}"]
        else:
            source = (
                f"FROM {link.table} AS t CROSS JOIN LATERAL json_array_elements({col}) AS j(value)"
            )
            fields = [f"j.value ->> '{f}' AS {f}" for f in link.out]
    else:
        raise ValueError(f"the audit reads live data from {LIVE_DIALECTS}, not {dialect!r}")
    carried = [
        _sqlite_column(f"t.{c.name}", c) if dialect == "sqlite" else f"t.{c.name} AS {c.name}"
        for c in link.carried
    ]
    return f"{link.name} AS (SELECT {', '.join([_keys(link), *carried, *fields])} {source})"


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", text) is not None


def assemble(sql: str, definitions: Mapping[str, str]) -> str:
    """`sql` preceded by the expressions of `definitions` it needs, each before its users.

    A definition is needed when its name appears as a word in the check or in a needed
    definition; `definitions` maps each name to its `name AS (...)` text. A check with a `WITH`
    of its own (the item checks name what they found `AS MATERIALIZED`, so that DuckDB joins
    the few items found, not all of them, to their disclosures) gets the definitions in front
    of its own, in the one `WITH` all three engines accept.
    """
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            raise ValueError(f"audit relation {name!r} depends on itself")
        visiting.add(name)
        body = definitions[name]
        for other in definitions:
            if other != name and _mentions(body, other):
                visit(other)
        visiting.discard(name)
        ordered.append(name)

    for name in definitions:
        if _mentions(sql, name):
            visit(name)
    if not ordered:
        return sql
    head = "WITH " + ",\n".join(definitions[name] for name in ordered)
    own = re.match(r"WITH\s+", sql, re.IGNORECASE)
    if own:
        return head + ",\n" + sql[own.end() :]
    return head + "\n" + sql


def params_used(sql: str) -> set[str]:
    """The `:name` parameters a statement binds."""
    return set(_PARAM.findall(sql))


def dollar_params(sql: str) -> str:
    """`:name` as DuckDB's `$name`."""
    return _PARAM.sub(r"$\1", sql)
