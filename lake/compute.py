"""`lake rollups`: the interval rollups and the detail aggregates, computed from the lake's legs.

The statements are the store's own (data/sql/rollups.sql: `scope` with every leg in it, then
`rollup_rows`; the detail aggregates: lake/sql/details.sql calling the store's table macros over every
leg, as `rollups.rebuild_details` does), rendered for the engine by lake.portable. What they return replaces DIR/aggregates whole: written beside it first, then
swapped in, with a manifest saying which exports (so which import batches) it covers.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlglot
from sqlglot import exp

from data import sqlfiles
from data.errors import UserError
from data.i18n import _
from lake import dataset, engines, portable

# What `lake rollups` writes: name -> (file, statement, folder of the .sql file).
OUTPUTS = {
    "interval_rollups": ("rollups", "rollup_rows", sqlfiles.SQL_DIR),
    "wait_histogram": ("details", "wait_histogram", portable.SQL_DIR),
    "repeat_gaps": ("details", "repeat_gaps", portable.SQL_DIR),
    "call_paths": ("details", "call_paths", portable.SQL_DIR),
    "call_journeys": ("details", "call_journeys", portable.SQL_DIR),
}
# The store's customer_calls (each usable leg with its customer's and call's hashes, which the repeat
# gaps read), made from the lake's legs by the store's own macro.
CUSTOMER_CALLS = "SELECT * FROM customer_calls_of(NULL)"
# Every leg is in scope: the bounds the store uses to read one batch's days let everything through.
ALL_LEGS = {"first_start": datetime(1900, 1, 1, tzinfo=timezone.utc),
            "last_end": datetime(9999, 1, 1, tzinfo=timezone.utc)}
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Computed:
    engine: str
    exports: tuple[int, ...]
    batch_ids: tuple[int, ...]
    legs: int
    rows: dict[str, int]


def rollups(lake: Path, engine_name: str, master: str | None = None) -> Computed:
    """Compute every output from the lake's legs with `engine_name` (duckdb or spark)."""
    finished = dataset.exports(lake)
    if not finished:
        raise UserError(_("{lake} holds no legs yet: write them with `python -m cli lake export {lake}`").format(lake=lake))
    terms = dataset.terms(lake)
    params = {"default_t": terms.default_t, "default_s": terms.default_s, "tz": terms.tz, **ALL_LEGS}
    macros = {**terms.macros, **portable.table_macros(), "call_journeys_of": _keyed(portable.table_macros()["call_journeys_of"])}
    staging = lake / f"_{dataset.AGGREGATES}.new"
    shutil.rmtree(staging, ignore_errors=True)
    engine = engines.SparkEngine(master) if engine_name == "spark" else engines.DuckDBEngine()
    try:
        engines.register(engine, lake, [lake / f for e in finished for f in e.files])
        engine.view("rollup_scope", portable.render(_scope_select(), engine.dialect, params, macros))
        engine.view("customer_calls", portable.render(CUSTOMER_CALLS, engine.dialect, params, macros))
        for name, (file, statement, folder) in OUTPUTS.items():
            text = portable.render(portable.statement(file, statement, folder), engine.dialect, params, macros)
            engine.write(text, staging / name)
    finally:
        engine.close()
    computed = Computed(engine_name, tuple(e.export_id for e in finished),
                        tuple(sorted(b for e in finished for b in e.batch_ids)),
                        sum(e.legs for e in finished), {})
    _write_manifest(staging, computed)
    _swap(staging, lake / dataset.AGGREGATES)
    return manifest(lake)


def _scope_select() -> str:
    """The store's `scope` statement with every leg in it, as the SELECT it fills rollup_scope with."""
    create = sqlglot.parse_one(sqlfiles.sql("rollups", "scope").replace("{legs}", "TRUE"), read="duckdb")
    return create.expression.sql(dialect="duckdb")


def _keyed(macro: portable.Macro) -> portable.Macro:
    """call_journeys_of with the call key itself where the store keeps its hash (`hash(key) AS
    call_hash`): DuckDB's hash is not Spark's, so the lake writes the key and `lake load` hashes it."""
    body = sqlglot.parse_one(macro.definition, read="duckdb")
    hashed = [e for e in body.expressions if e.alias == "call_hash"]
    if len(hashed) != 1 or not isinstance(hashed[0].this, exp.Anonymous) or hashed[0].this.name.lower() != "hash":
        raise ValueError("call_journeys_of no longer ends in `hash(<call key>) AS call_hash`")
    hashed[0].replace(exp.alias_(hashed[0].this.expressions[0].copy(), "call_key"))
    return portable.Macro(macro.name, macro.parameters, body.sql(dialect="duckdb"))


def output_files(lake: Path, name: str) -> list[Path]:
    return sorted((lake / dataset.AGGREGATES / name).glob("*.parquet"))


def manifest(lake: Path) -> Computed:
    path = lake / dataset.AGGREGATES / MANIFEST
    if not path.exists():
        raise UserError(_("{lake} holds no rollups yet: compute them with `python -m cli lake rollups {lake}`").format(
            lake=lake))
    data = json.loads(path.read_text(encoding="utf-8"))
    return Computed(data["engine"], tuple(data["exports"]), tuple(data["batch_ids"]), data["legs"], data["rows"])


def _write_manifest(staging: Path, computed: Computed) -> None:
    from_parquet = engines.DuckDBEngine()
    try:
        rows = {name: from_parquet.count(sorted((staging / name).glob("*.parquet"))) for name in OUTPUTS}
    finally:
        from_parquet.close()
    (staging / MANIFEST).write_text(json.dumps({
        "engine": computed.engine, "exports": list(computed.exports), "batch_ids": list(computed.batch_ids),
        "legs": computed.legs, "rows": rows}, indent=1), encoding="utf-8")


def _swap(new: Path, current: Path) -> None:
    """Put `new` in place of `current`: a reader finds the old folder or the new one, whole."""
    old = current.with_name(f"_{current.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if current.exists():
        current.rename(old)
    new.rename(current)
    shutil.rmtree(old, ignore_errors=True)
