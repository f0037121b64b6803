"""One SQL definition, run by DuckDB and by Spark: SQLGlot transpiles the store's own statements.

The rollup rows (data/sql/rollups.sql, `rollup_rows`) and the detail aggregates (the store's table
macros `wait_counts`, `repeat_gap_changes`, `call_path_counts`, `call_journeys_of` of
data/migrations, which lake/sql/details.sql calls) are written once, in DuckDB's dialect. For the
lake they are made self-contained and portable here: the store's scalar macros (`inside_opening_hours`,
`usable_customer_id`, exported beside the legs with their definitions as DuckDB holds them) and its
table macros (read from the migrations, `table_macros`) are expanded in place, the bound parameters
become literals, and the few constructs SQLGlot does not carry over to Spark as DuckDB means them
are rewritten (ISO weekday, epoch seconds, a VALUES list that reads the outer row, an ordered list,
a 64-bit hash). Nothing here says what a figure means: only how to say the same SQL to the other engine.
"""
from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlglot
from sqlglot import exp

from data import sqlfiles, store

SQL_DIR = Path(__file__).resolve().parent / "sql"
DIALECTS = ("duckdb", "spark")


@dataclass(frozen=True)
class Macro:
    """A DuckDB scalar macro as the database holds it: its parameter names and its expression."""
    name: str
    parameters: tuple[str, ...]
    definition: str


# A table macro of a migration: CREATE [OR REPLACE] MACRO name(parameters) AS TABLE <select>; (to a
# semicolon that ends a line; a later migration's definition of the same name wins).
_TABLE_MACRO = re.compile(r"^CREATE\s+(?:OR\s+REPLACE\s+)?MACRO\s+(\w+)\s*\(([^)]*)\)\s+AS\s+TABLE\s+(.*?);\s*$",
                          re.S | re.M | re.I)


@functools.cache
def table_macros() -> dict[str, Macro]:
    """The store's table macros as its migrations define them (the SQL the store's aggregates run)."""
    found: dict[str, Macro] = {}
    for path in sorted(store.MIGRATIONS.glob("*.sql")):
        for name, parameters, body in _TABLE_MACRO.findall(path.read_text(encoding="utf-8")):
            found[name.lower()] = Macro(name.lower(), tuple(p.strip() for p in parameters.split(",") if p.strip()), body)
    return found


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
    """Each call of a macro replaced by its expression over the call's arguments (macros may nest);
    a table macro in FROM by its SELECT as a subquery under the call's alias (else the macro's name)."""
    def body_of(macro: Macro, call: exp.Expression) -> exp.Expression:
        arguments = dict(zip(macro.parameters, call.expressions, strict=True))
        body = sqlglot.parse_one(macro.definition, read="duckdb")
        body = body.transform(lambda n: arguments[n.name].copy()
                              if isinstance(n, exp.Column) and not n.table and n.name in arguments else n)
        return _expand(_private_ctes(body, f"{macro.name}_{next(expansions)}"), macros)

    def expand(node: exp.Expression) -> exp.Expression:
        if (isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous)
                and str(node.this.this).lower() in macros):
            macro = macros[str(node.this.this).lower()]
            alias = node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(macro.name))
            return exp.Subquery(this=body_of(macro, node.this), alias=alias.copy())
        if isinstance(node, exp.Anonymous) and str(node.this).lower() in macros:
            return exp.Paren(this=body_of(macros[str(node.this).lower()], node))
        return node
    expansions = itertools.count(1)
    return tree.transform(expand)


def _private_ctes(body: exp.Expression, prefix: str) -> exp.Expression:
    """The CTEs of one expansion of a table macro named `prefix`_<name>: Spark lifts every CTE to
    the statement's one WITH, where two expansions of a macro (or two macros' `legs`) would clash.
    A reference keeps the old name as its alias, so columns qualified by it still resolve."""
    ctes = {cte.alias: f"{prefix}_{cte.alias}" for cte in getattr(body, "ctes", [])}
    if not ctes:
        return body
    for cte in body.ctes:
        cte.set("alias", exp.TableAlias(this=exp.to_identifier(ctes[cte.alias])))

    def rename(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and not node.db and node.name in ctes:
            return exp.Table(this=exp.to_identifier(ctes[node.name]),
                             alias=(node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(node.name))).copy())
        return node
    return body.transform(rename)


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
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "hash":
        # DuckDB's hash is 64 bits; Spark's HASH is 32 (collisions at millions of calls): XXHASH64.
        # The aggregates only compare hashes for equality, so any 64-bit hash gives the same rows.
        return exp.Anonymous(this="XXHASH64", expressions=[e.copy() for e in node.expressions])
    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order):
        return _sorted_list(node.this)
    return node


def _sorted_list(order: exp.Order) -> exp.Expression:
    """list(struct ORDER BY its first field) as SORT_ARRAY(COLLECT_LIST(struct)): Spark's collect_list
    keeps no order, and a struct array sorts by its fields in turn (the first one decides when unique)."""
    struct, keys = order.this, order.expressions
    first = struct.expressions[0] if isinstance(struct, exp.Struct) and struct.expressions else None
    first_value = first.expression if isinstance(first, exp.PropertyEQ) else first
    if len(keys) != 1 or first_value is None or keys[0].this != first_value or keys[0].args.get("desc"):
        raise ValueError(f"an ordered list Spark cannot keep in order: {order.sql(dialect='duckdb')}")
    return exp.Anonymous(this="SORT_ARRAY", expressions=[exp.ArrayAgg(this=struct.copy())])


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
