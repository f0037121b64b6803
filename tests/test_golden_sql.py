"""The SQL each metric runs, kept as golden files (as MetricFlow keeps its rendered SQL): tests/golden/
holds one file per metric, and a change to the SQL a metric renders fails here until the files are
regenerated on purpose and the diff is read:

    OVERFLOW_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_sql.py

The scope is fixed (one partner, id 1), so the partner filter is part of what is kept.
"""
from __future__ import annotations

import dataclasses
import os

import pytest

from data import store
from metrics import aggregate, measures
from metrics.definitions import METRICS, metric
from partners import periods
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("OVERFLOW_UPDATE_GOLDEN") == "1"
SCOPE = (1,)
FORMS = {"period": "As measures.measure runs it for a period.",
         "week": "As measures.weekly and the weekly trends run it, per ISO week."}


def rendered(name: str) -> str:
    """The golden file of one metric: a header, then each form of its SQL as a `-- name:` block."""
    header = (f"-- The SQL that computes {name} for one partner (partner_ids = {SCOPE}), rendered by\n"
              f"-- metrics.measures.metric_sql. Regenerate on purpose: see tests/test_golden_sql.py.\n")
    blocks = [f"-- name: {form}\n-- {FORMS[form]}\n{text}\n" for form, text in measures.metric_sql(name, SCOPE).items()]
    return "\n".join([header, *blocks])


@pytest.mark.parametrize("name", [m.name for m in METRICS])
def test_the_sql_a_metric_renders_is_its_golden_file(name):
    path = GOLDEN / f"{name}.sql"
    if UPDATE:
        path.write_text(rendered(name), encoding="utf-8")
    assert path.exists(), f"no {path.relative_to(ROOT)}: run OVERFLOW_UPDATE_GOLDEN=1 pytest tests/test_golden_sql.py"
    assert rendered(name) == path.read_text(encoding="utf-8"), (
        f"the SQL of {name} changed: if that was meant, regenerate tests/golden/ with "
        "OVERFLOW_UPDATE_GOLDEN=1 pytest tests/test_golden_sql.py and read the diff")


def test_there_is_a_golden_file_for_every_metric_and_no_other():
    assert sorted(p.stem for p in GOLDEN.glob("*.sql")) == sorted(m.name for m in METRICS)


def test_a_changed_expression_or_statement_changes_what_is_compared():
    """The comparison above can fail: what it renders follows the definition and the SQL files."""
    level = metric("service_level")
    changed = dataclasses.replace(level, denominator="answered")
    assert (aggregate.rollup_sql("total", "partner", "", (changed,))
            != aggregate.rollup_sql("total", "partner", "", (level,)))
    assert "answered AS service_level__den" in aggregate.rollup_sql("total", "partner", "", (changed,))
    assert measures.metric_sql("fcr", SCOPE)["period"] != measures.metric_sql("qa_score", SCOPE)["period"]


def test_the_golden_sql_runs(db):
    """Every kept statement is SQL that runs on the schema with the values the code binds, not just text."""
    period = periods.parse("2026-W47")
    values = {**measures.range_params(period, "Europe/Stockholm"), "days": 7, "pid_0": SCOPE[0],
              **measures.CallTerms(20, 5, 60).params}
    with store.reading(db) as con:
        for m in METRICS:
            for form, text in measures.metric_sql(m.name, SCOPE).items():
                found = store.execute(con, text, measures.used_values(text, values))
                assert found.rows == [], (m.name, form)  # an empty store: no rows
