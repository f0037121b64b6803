"""Chart builders: the data they draw and the marks that carry meaning besides colour."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from metrics import charts, statuses


def layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def dataset(spec: dict, layer: dict) -> list[dict]:
    name = layer.get("data", spec.get("data", {})).get("name")
    return spec["datasets"][name]


def test_trend_draws_values_and_a_dashed_target_that_can_change_mid_trend():
    frame = pd.DataFrame(
        {
            "period_start": [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)],
            "value": [0.81, None, 0.74],
            "target": [0.80, 0.80, 0.85],
            "sample_size": [1200, 0, 900],
        }
    )
    spec = charts.trend_with_target(frame, label="service level", unit="fraction").to_dict()
    line, target = layers(spec)
    assert line["encoding"]["y"]["field"] == "value"
    assert target["encoding"]["y"]["field"] == "target"
    assert target["mark"]["strokeDash"] == [6, 4]
    rows = dataset(spec, spec)
    assert [r["target"] for r in rows] == [0.80, 0.80, 0.85]
    assert rows[1]["value"] is None


def test_forecast_marks_excused_weeks_with_a_word():
    frame = pd.DataFrame(
        {
            "week_start": [dt.date(2026, 11, 2), dt.date(2026, 11, 9)],
            "forecast": [1000, 1000],
            "sent": [1050, 1300],
            "excused": [False, True],
        }
    )
    spec = charts.forecast_vs_sent(frame).to_dict()
    bars, words = layers(spec)
    assert sorted((r["series"], r["legs"]) for r in dataset(spec, bars)) == [
        ("forecast", 1000), ("forecast", 1000), ("sent", 1050), ("sent", 1300)
    ]
    assert [r["sent"] for r in dataset(spec, words)] == [1300]
    assert bars["encoding"]["y"]["stack"] is None  # side by side, never forecast stacked on sent
    assert words["encoding"]["text"] == {"value": "excused"}


def test_heatmap_writes_the_percentage_in_each_cell_and_orders_weekdays():
    frame = pd.DataFrame({"weekday": [1, 7], "hour": [8, 20], "service_level": [0.9, 0.4], "offered": [100, 10]})
    spec = charts.sl_heatmap(frame).to_dict()
    cells, text = layers(spec)
    assert text["mark"]["type"] == "text" and text["encoding"]["text"]["format"] == ".0%"
    assert [r["day"] for r in dataset(spec, spec)] == ["Mon", "Sun"]
    assert cells["encoding"]["y"]["sort"] == charts.WEEKDAYS


def test_interval_points_carry_status_by_shape_as_well_as_colour():
    frame = pd.DataFrame(
        {"interval_start": pd.to_datetime(["2026-11-16 08:00"]), "partner": ["Acme"], "service_level": [0.5],
         "offered": [12], "status": ["red"]}
    )
    spec = charts.interval_attainment(frame).to_dict()
    assert spec["encoding"]["shape"]["field"] == "status"
    assert spec["encoding"]["color"]["field"] == "status"


def test_qa_by_section_labels_each_bar_with_its_number_of_evaluations():
    frame = pd.DataFrame({"section": ["Greeting", "Greeting"], "who": ["Acme", "in-house"], "score": [0.7, 0.9], "evaluations": [6, 600]})
    spec = charts.qa_by_section(frame).to_dict()
    bars, labels = layers(spec)
    assert labels["transform"] == [{"calculate": "'n=' + datum.evaluations", "as": "n"}]


def test_every_status_has_its_own_shape_beside_its_colour():
    assert set(charts.STATUS_SHAPES) == set(statuses.STATUSES) == set(charts.STATUS_COLOURS)
    assert len(set(charts.STATUS_SHAPES.values())) == len(statuses.STATUSES)
