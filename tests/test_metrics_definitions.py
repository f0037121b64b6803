"""The metric set in code and in docs/metrics.md is the same set, every column of the docs table
equal to the definition; the definitions name the SQL the detail metrics run."""
from __future__ import annotations

import re

from data.sqlfiles import statements
from metrics import measures
from metrics.definitions import METRICS, metric
from metrics.sqlfiles import SQL_DIR
from tests.conftest import ROOT


# The docs table's columns after the metric's name, and the definition field each must equal.
COLUMNS = {"unit": "unit", "better": "direction", "formula": "formula", "sample size": "sample"}


def table() -> tuple[list[str], dict[str, list[str]]]:
    """The header and the rows (by metric name) of the metrics table in docs/metrics.md, without the
    first column (the name)."""
    text = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    header = re.search(r"^\| metric \|(.*)\|$", text, flags=re.MULTILINE)
    rows = re.findall(r"^\| `([a-z0-9_]+)` \|(.*)\|$", text, flags=re.MULTILINE)
    return _cells(header.group(1)), {name: _cells(rest) for name, rest in rows}


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.split("|")]


def test_every_metric_is_documented_and_nothing_else():
    assert sorted(table()[1]) == sorted(m.name for m in METRICS)


def test_the_docs_table_has_the_columns_this_test_checks():
    assert table()[0] == list(COLUMNS)


def test_every_column_of_the_docs_table_equals_the_definition():
    rows = table()[1]
    mismatched = [(m.name, column, cell, getattr(m, field) or "")
                  for m in METRICS for (column, field), cell in zip(COLUMNS.items(), rows[m.name], strict=True)
                  if cell != (getattr(m, field) or "")]
    assert mismatched == []


def test_every_metric_has_sql_that_names_what_it_computes():
    for m in METRICS:
        assert m.sql.strip(), m.name
        assert m.description and m.label


def test_each_detail_metric_names_a_statement_of_details_sql():
    detail = {m.name: m.statement for m in METRICS if not m.from_rollups}
    assert set(detail) == {"p90_wait_s", "forecast_accuracy", "interval_sl_attainment", "staffed_vs_contracted",
                           "qa_score", "qa_score_before_fatal", "critical_error_rate", "calibration_spread", "fcr", "csat_top2", "csat_mean", "nps",
                           "volume_share", "calls_routed", "answered_share", "calls_shortfall",
                           "calls_shortfall_accumulated", "agent_hours_shortfall",
                           "agent_hours_shortfall_accumulated", "in_house_wait_s", "partner_wait_s",
                           "total_wait_s", "customer_service_level", "calls_overflowed_early",
                           "calls_outside_hours", "calls_back_and_forth"}
    assert set(detail.values()) <= set(statements("details", SQL_DIR))


def test_each_part_of_measure_runs_the_one_statement_its_metrics_name():
    for part, names in measures.DETAIL_PARTS.items():
        assert {metric(name).statement for name in names} == {measures.part_statement(part)}, part


def test_nps_alone_is_scaled_to_points():
    assert {m.name: m.scale for m in METRICS if m.scale != 1} == {"nps": 100.0}
    assert metric("nps").unit == "points"
