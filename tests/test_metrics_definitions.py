"""The metric set in code and in docs/metrics.md is the same set, with the same formulas."""
from __future__ import annotations

import re

from metrics.definitions import METRICS
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
