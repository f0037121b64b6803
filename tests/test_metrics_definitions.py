"""The metric set in code and in docs/metrics.md is the same set, with the same formulas."""
from __future__ import annotations

import re

from data.sqlfiles import statements
from metrics import measures
from metrics.definitions import METRICS, metric
from metrics.sqlfiles import SQL_DIR
from tests.conftest import ROOT


def documented() -> dict[str, list[str]]:
    text = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z0-9_]+)` \|(.*)\|$", text, flags=re.MULTILINE)
    return {name: [cell.strip() for cell in rest.split("|")] for name, rest in rows}


def test_every_metric_is_documented_and_nothing_else():
    assert sorted(documented()) == sorted(m.name for m in METRICS)


def test_documented_unit_direction_and_formula_match_the_definitions():
    docs = documented()
    mismatched = [m.name for m in METRICS if docs.get(m.name, [])[:3] != [m.unit, m.direction, m.formula]]
    assert mismatched == []


def test_every_metric_has_sql_that_names_what_it_computes():
    for m in METRICS:
        assert m.sql.strip(), m.name
        assert m.description and m.label


def test_each_detail_metric_names_a_statement_of_details_sql():
    detail = {m.name: m.statement for m in METRICS if not m.from_rollups}
    assert set(detail) == {"p90_wait_s", "forecast_accuracy", "interval_sl_attainment", "staffed_vs_contracted",
                           "qa_score", "calibration_spread", "fcr", "csat_top2", "csat_mean", "nps"}
    assert set(detail.values()) <= set(statements("details", SQL_DIR))


def test_each_part_of_measure_runs_the_one_statement_its_metrics_name():
    for part, names in measures.DETAIL_PARTS.items():
        assert {metric(name).statement for name in names} == {measures.part_statement(part)}, part


def test_nps_alone_is_scaled_to_points():
    assert {m.name: m.scale for m in METRICS if m.scale != 1} == {"nps": 100.0}
    assert metric("nps").unit == "points"
