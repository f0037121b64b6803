"""One SQL definition, run by DuckDB and by Spark: SQLGlot transpiles the store's own statements.

The rollup rows (data/sql/rollups.sql, `rollup_rows`) and the detail aggregates (lake/sql/details.sql)
are written once, in DuckDB's dialect. For the lake they are made self-contained and portable here:
the store's macros (`inside_opening_hours`, `usable_customer_id`, defined by the migrations and
exported beside the legs with their definitions as DuckDB holds them) are expanded in place, the
bound parameters become literals, and the few constructs SQLGlot does not carry over to Spark as
DuckDB means them are rewritten (ISO weekday, epoch seconds, a VALUES list that reads the outer row).
Nothing here says what a figure means: only how to say the same SQL to the other engine.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlglot
from sqlglot import exp

from data import sqlfiles

SQL_DIR = Path(__file__).resolve().parent / "sql"
DIALECTS = ("duckdb", "spark")


@dataclass(frozen=True)
class Macro:
    """A DuckDB scalar macro as the database holds it: its parameter names and its expression."""
    name: str
    parameters: tuple[str, ...]
    definition: str


def statement(file: str, name: str, folder: Path = SQL_DIR) -> str:
    """A named statement of <folder>/<file>.sql (lake/sql by default; data.sqlfiles.SQL_DIR for the store's)."""
    return sqlfiles.sql(file, name, folder)


def render(text: str, dialect: str, params: Mapping[str, object], macros: Mapping[str, Macro]) -> str:
    """`text` (DuckDB's dialect) with `macros` expanded and `params` as literals, in `dialect`."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}")
    tree = sqlglot.parse_one(text, read="duckdb")
    tree = _expand(tree, macros)
    tree = tree.transform(lambda node: _literal(node, params))
    if dialect == "spark":
        tree = tree.transform(_for_spark).transform(_for_spark)  # a rewritten node's own arguments too
    return tree.sql(dialect=dialect)


def _expand(tree: exp.Expression, macros: Mapping[str, Macro]) -> exp.Expression:
    """Each call of a macro replaced by its expression over the call's arguments (macros may nest)."""
    def expand(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and str(node.this).lower() in macros:
            macro = macros[str(node.this).lower()]
            arguments = dict(zip(macro.parameters, node.expressions, strict=True))
            body = sqlglot.parse_one(macro.definition, read="duckdb")
            body = body.transform(lambda n: arguments[n.name].copy()
                                  if isinstance(n, exp.Column) and not n.table and n.name in arguments else n)
            return exp.Paren(this=_expand(body, macros))
        return node
    return tree.transform(expand)


def _literal(node: exp.Expression, params: Mapping[str, object]) -> exp.Expression:
    """A $name placeholder as the literal of its value (timestamps and dates typed)."""
    if not isinstance(node, exp.Placeholder) or node.name not in params:
        return node
    value = params[node.name]
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("TIMESTAMPTZ"))
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("DATE"))
    return exp.convert(value)


def _for_spark(node: exp.Expression) -> exp.Expression:
    """DuckDB constructs Spark says differently, rewritten so they mean the same there."""
    if isinstance(node, exp.DayOfWeekIso):       # ISO 1 = Monday .. 7 = Sunday; Spark's weekday is 0 = Monday
        return exp.Paren(this=exp.Add(this=exp.Anonymous(this="WEEKDAY", expressions=[node.this.copy()]),
                                      expression=exp.Literal.number(1)))
    if isinstance(node, exp.Extract) and node.this.name.upper() == "EPOCH":
        return exp.Div(this=_micros(node.expression), expression=exp.Literal.number("1000000.0"))
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "epoch_us":
        return _micros(node.expressions[0])
    if isinstance(node, exp.UnixToTime):
        return exp.Anonymous(this="TIMESTAMP_SECONDS", expressions=[node.this.copy()])
    if isinstance(node, exp.RegexpFullMatch):    # RLIKE finds a match anywhere: anchor it
        pattern = node.expression
        return exp.RegexpLike(this=node.this.copy(), expression=exp.Literal.string(f"^(?:{pattern.name})$"))
    if isinstance(node, exp.Values) and node.find(exp.Column):
        return _values_as_union(node)
    return node


def _micros(value: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="UNIX_MICROS", expressions=[value.copy()])


def _values_as_union(values: exp.Values) -> exp.Expression:
    """A VALUES list that reads the outer row, as a UNION ALL of one-row SELECTs: Spark evaluates an
    inline table once, before any row, so it refuses outer references there."""
    rows = [exp.select(*(e.copy() for e in row.expressions)) for row in values.expressions]
    union = rows[0]
    for row in rows[1:]:
        union = exp.union(union, row, distinct=False)
    return exp.Subquery(this=union, alias=values.args.get("alias").copy() if values.args.get("alias") else None)
