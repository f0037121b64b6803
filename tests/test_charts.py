"""Chart builders: the data they draw and the marks that carry meaning besides colour."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from data import i18n
from metrics import statuses
from reports import charts


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


def test_weekly_points_sit_on_their_iso_week_as_the_period_picker_names_it():
    # Mondays 28 Dec 2026 (ISO 2026-W53), 4 Jan 2027 (2027-W01) and 24 Aug 2026 (2026-W35, out of order).
    frame = pd.DataFrame({"period_start": [dt.date(2026, 12, 28), dt.date(2027, 1, 4), dt.date(2026, 8, 24)],
                          "value": [30.0, 41.0, 25.0], "target": [30.0, 40.0, 30.0], "sample_size": [10, 12, 9]})
    spec = charts.trend_with_target(frame, label="ASA", unit="seconds").to_dict()
    x = layers(spec)[0]["encoding"]["x"]
    assert (x["field"], x["type"], x["sort"]) == ("week", "ordinal", "ascending")
    assert x["axis"]["labelExpr"] == charts.STEP_LABEL  # "2026-W53" is drawn "W53", a month "2026-11" "Nov"
    weeks = [r["week"] for r in dataset(spec, spec)]
    assert weeks == ["2026-W53", "2027-W01", "2026-W35"]
    # The axis sorts the labels as text ("ascending"): that must be the order of their Mondays.
    assert sorted(weeks) == [week for _, week in sorted(zip(frame["period_start"], weeks))]
    line, _ = layers(spec)
    assert line["encoding"]["y"]["title"] == "ASA (s)"
    assert spec["width"] >= 13 * 30  # the PDF has no page width: 13 'W47' labels need about 30 px each
    share = charts.volume_share_band(frame.assign(share_min=0.1, share_target=0.12, share_max=0.16, calls_routed=5)).to_dict()
    assert layers(share)[0]["encoding"]["x"]["field"] == "week"
    assert layers(share)[0]["encoding"]["y"]["title"] == "share of calls routed (%)"


def test_axis_titles_carry_the_unit():
    frame = pd.DataFrame({"period_start": [dt.date(2026, 11, 2)], "value": [0.5], "target": [0.8], "sample_size": [4]})
    titles = {unit: layers(charts.trend_with_target(frame, label="X", unit=unit).to_dict())[0]["encoding"]["y"]["title"]
              for unit in ("fraction", "seconds", "points", "count")}
    assert titles == {"fraction": "X (%)", "seconds": "X (s)", "points": "X (points)", "count": "X"}


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
    assert sorted((r["week"], r["series"], r["legs"]) for r in dataset(spec, bars)) == [
        ("2026-W45", "forecast", 1000), ("2026-W45", "sent", 1050), ("2026-W46", "forecast", 1000), ("2026-W46", "sent", 1300)
    ]
    assert [(r["week"], r["sent"]) for r in dataset(spec, words)] == [("2026-W46", 1300)]
    assert bars["encoding"]["y"]["stack"] is None  # side by side, never forecast stacked on sent
    assert words["encoding"]["text"] == {"value": "excused"}
    # The explanation is a subtitle, so the title itself stays short enough not to be cut.
    assert spec["title"] == {"text": "Legs sent against forecast", "subtitle": "excused: met without the days above forecast + tolerance staffed as contracted"}


def test_heatmap_labels_every_weekday_in_percent_and_marks_a_cell_from_few_legs():
    # Monday 8-9: 90 of 100 legs judged in T; Sunday 20-21: 0 of 3 (a tiny sample, pale and with its n).
    frame = pd.DataFrame({"weekday": [1, 7], "hour": [8, 20], "service_level": [0.9, 0.0], "offered": [104, 3],
                          "numerator": [90, 0], "denominator": [100, 3]})
    spec = charts.sl_heatmap(frame).to_dict()
    cells, text = layers(spec)
    rows = dataset(spec, spec)
    assert [(r["day"], r["text"], r["sample"]) for r in rows] == [("Mon", "90%", "n ≥ 10 legs"), ("Sun", "0% n=3", "n < 10 legs")]
    assert text["encoding"]["text"]["field"] == "text"
    assert cells["encoding"]["y"]["sort"] == charts.WEEKDAYS
    assert cells["encoding"]["y"]["axis"]["labelOverlap"] is False  # Tue, Thu and Sat keep their labels
    assert spec["height"] == {"step": 24}
    assert cells["encoding"]["color"]["legend"]["format"] == ".0%"
    assert cells["encoding"]["opacity"]["scale"] == {"domain": ["n ≥ 10 legs", "n < 10 legs"], "range": [1.0, 0.35]}
    assert spec["title"]["subtitle"] == "pale cells: fewer than 10 legs judged"
    assert {t["title"]: t["field"] for t in cells["encoding"]["tooltip"]}["n (legs judged)"] == "denominator"


def test_interval_points_carry_status_by_shape_as_well_as_colour():
    frame = pd.DataFrame(
        {"interval_start": pd.to_datetime(["2026-11-16 08:00", "2026-11-16 08:15"]), "service_level": [0.5, 0.9],
         "offered": [12, 3], "status": ["red", "no target"]}
    )
    spec = charts.interval_attainment(frame, title="Acme", start="2026-11-16", end="2026-11-23").to_dict()
    assert spec["encoding"]["shape"]["field"] == "status"
    assert spec["encoding"]["color"]["field"] == "status"
    # The same legend on every partner's chart (so the plots line up), each symbol visible when filled.
    assert spec["encoding"]["shape"]["scale"] == {"domain": ["green", "red", "no data", "no target"],
                                                  "range": ["circle", "cross", "square", "triangle-right"]}
    assert spec["encoding"]["x"]["scale"]["domain"] == [{"year": 2026, "month": 11, "date": 16}, {"year": 2026, "month": 11, "date": 23}]
    assert "row" not in spec["encoding"]  # one chart per partner, so it can take the page's width
    assert spec["title"] == "Acme"


def test_qa_by_section_labels_each_bar_with_its_number_of_evaluations():
    frame = pd.DataFrame({"section": ["Greeting", "Greeting"], "who": ["Acme", "in-house"], "score": [0.7, 0.9], "evaluations": [6, 600]})
    spec = charts.qa_by_section(frame).to_dict()
    bars, labels = layers(spec)
    assert labels["transform"] == [{"calculate": "'n=' + datum.evaluations", "as": "n"}]


def test_every_status_has_its_own_shape_beside_its_colour():
    assert set(charts.STATUS_SHAPES) == set(statuses.STATUSES) == set(charts.STATUS_COLOURS)
    assert len(set(charts.STATUS_SHAPES.values())) == len(statuses.STATUSES)
    assert "stroke" not in charts.STATUS_SHAPES.values()  # a line has no fill: invisible on filled points


def test_staffing_lines_break_where_the_partner_was_closed():
    # 08:00 and 08:15 one run; closed overnight; 08:00 the next day and, after a quiet 08:15, 08:30.
    starts = pd.to_datetime(["2026-11-16 08:00", "2026-11-16 08:15", "2026-11-17 08:00", "2026-11-17 08:30"])
    frame = pd.DataFrame({"interval_start": starts, "agents_needed": [3.0, 4.0, 2.0, 5.0],
                          "agents_logged_in": [3.0, 3.0, 2.0, 4.0]})
    spec = charts.staffing(frame).to_dict()
    layer = layers(spec)[0]
    assert layer["encoding"]["detail"] == {"field": "run", "type": "nominal"}
    rows = dataset(spec, layer)
    assert [(r["interval_start"][11:16], r["run"]) for r in rows if r["series"] == "needed"] == [
        ("08:00", 1), ("08:15", 1), ("08:00", 2), ("08:30", 3)]


def _trend_frames() -> dict[str, pd.DataFrame]:
    """Frames a trend is drawn from, each shaped differently: the spec's rows must follow each."""
    mondays = [dt.date(2026, 8, 24) + dt.timedelta(weeks=n) for n in range(13)]
    weekly = pd.DataFrame({"period_start": mondays, "value": [0.7 + n / 100 for n in range(13)],
                           "target": [0.8] * 6 + [0.85] * 7, "sample_size": [100 + n for n in range(13)]})
    return {
        "target changes inside the 13 weeks": weekly,
        "no target at all": weekly.assign(target=None),
        "None and NaN values": weekly.assign(value=[None, float("nan")] + [0.5] * 11,
                                             sample_size=[0, 0] + [9] * 11),
        "months, as the period picker names them": pd.DataFrame({
            "metric": "asa", "period": ["2026-09", "2026-10", "2026-11"],
            "period_start": pd.to_datetime(["2026-09-01", "2026-10-01", "2026-11-01"]),
            "value": [31.0, 42.5, float("nan")], "target": [30.0, 30.0, 40.0], "sample_size": [5, 7, 0]}),
        "timestamps with a gap, whole numbers, flags and words": pd.DataFrame({
            "period": ["2026-W45", "2026-W46", "2026-W47"],
            "note": ["a", None, "c"], "late": [True, False, True],
            "period_start": pd.to_datetime(["2026-11-02", None, "2026-11-16"]), "value": [1, 2, 3],
            "target": [float("inf"), 0.5, float("-inf")], "sample_size": [4, 5, 6]}),
        "a category (Altair converts it)": pd.DataFrame({
            "metric": pd.Categorical(["fcr", None]), "period": ["2026-W45", "2026-W46"],
            "period_start": [dt.date(2026, 11, 2), dt.date(2026, 11, 9)], "value": [0.5, 0.25], "target": [0.4, 0.4],
            "sample_size": [1, 2]}),
        "nullable numbers, as the loaders give them": pd.DataFrame({
            "period": ["2026-W45", "2026-W46", "2026-W47"], "period_start": [dt.date(2026, 11, 2)] * 3,
            "value": pd.array([0.5, None, float("nan")], dtype="Float64"), "target": pd.array([0.4, 0.4, None], dtype="Float64"),
            "sample_size": pd.array([1, None, 3], dtype="Int64"), "late": pd.array([True, None, False], dtype="boolean")}),
        "words with a missing one only": pd.DataFrame({
            "period": ["2026-W45", "2026-W46"], "period_start": [dt.date(2026, 11, 2), None],
            "value": [0.5, 0.25], "target": [None, None], "sample_size": [1, 2]}),
        "a single week across a new year": pd.DataFrame({"period_start": [dt.date(2026, 12, 28)], "value": [1.0],
                                                         "target": [2.0], "sample_size": [3]}),
    }


def test_a_trend_spec_with_its_shape_built_once_is_exactly_altairs():
    for code in ("en", "sv"):
        with i18n.language(code):
            for options in ({"label": "service level", "unit": "fraction"},
                            {"label": "ASA", "unit": "seconds", "title": "ASA, week by week"}):
                charts._SHAPES.clear()
                seen = set()
                for _ in range(2):  # the first call builds the shape, the second reuses it
                    for what, frame in _trend_frames().items():
                        old = charts.trend_with_target(frame, **options).to_dict(validate=False)
                        new = charts.spec(charts.trend_with_target, frame, **options)
                        assert new == old, (code, options, what)
                        assert json.dumps(new, default=str) == json.dumps(old, default=str)  # same keys, same order
                        seen.add(new["data"]["name"])
                assert len(seen) == len(_trend_frames())  # each frame's rows have their own dataset name
                assert len(charts._SHAPES) == 1
    with i18n.language("sv"):
        swedish = charts.spec(charts.trend_with_target, _trend_frames()["no target at all"], label="ASA", unit="seconds")
    assert swedish["config"]["locale"]["number"]["decimal"] == ","


def test_other_specs_with_their_shape_built_once_are_exactly_altairs():
    weeks = _trend_frames()["target changes inside the 13 weeks"]
    shares = weeks.assign(share_min=0.1, share_target=[0.12] * 6 + [None] * 7, share_max=0.16, calls_routed=5)
    intervals = pd.DataFrame({"interval_start": pd.to_datetime(["2026-11-02 08:00", "2026-11-02 08:15", "2026-11-03 09:00"]),
                              "service_level": [0.8, None, 0.5], "offered": [10, 0, 4],
                              "status": ["green", "no data", "red"]})
    sections = pd.DataFrame({"section": ["Greeting", "Greeting", "Closing"], "who": ["Acme", "in-house", "Acme"],
                             "score": [0.9, float("nan"), 0.75], "evaluations": [12, 0, 7]})
    spread = pd.DataFrame({"evaluator": ["Eva", "Olle"], "spread": [0.05, 0.12], "evaluations": [3, 4]})
    forecast = pd.DataFrame({"week_start": [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)],
                             "forecast": [1000.0, None, 900.0], "sent": [1050, 1300, 0], "excused": [False, None, True]})
    # A heatmap's cells: a full one, one from few legs, one without data (as series.sl_heatmap gives them).
    cells = pd.DataFrame({"weekday": [1, 7, 3], "hour": [8, 20, 13], "offered": [104, 3, 0], "numerator": [90, 0, 0],
                          "denominator": [100, 3, 0], "service_level": [0.9, 0.0, None]})
    # Staffing intervals with a closed night between two runs, one interval without staffing rows.
    staffed = pd.DataFrame({"interval_start": pd.to_datetime(["2026-11-16 08:00", "2026-11-16 08:15", "2026-11-17 08:00",
                                                              "2026-11-17 08:30"]),
                            "agents_needed": [3.0, 4.0, 2.0, 5.0], "agents_logged_in": [3.0, None, 2.0, 4.5]})
    cases = [
        (charts.forecast_vs_sent, {}, [forecast, forecast.assign(excused=False), forecast.iloc[:1], forecast.iloc[:0],
                                       forecast.assign(period=["2026-W45", "2026-W46", "2026-W47"])]),
        (charts.volume_share_band, {}, [shares, shares.iloc[:3], shares.assign(value=None)]),
        (charts.interval_attainment, {"title": "Acme", "start": "2026-11-02", "end": "2026-11-08"},
         [intervals, intervals.iloc[1:]]),
        # Another partner and other days: the same shape, its title and days put in where Altair writes them.
        (charts.interval_attainment, {"title": "Bravo & Co", "start": "2026-10-01", "end": "2026-11-01"},
         [intervals.iloc[:1], intervals]),
        (charts.interval_attainment, {"title": "Acme", "start": "2025-12-29", "end": "2026-01-05"}, [intervals]),
        (charts.qa_by_section, {}, [sections, sections.iloc[:1]]),
        (charts.calibration_spread, {}, [spread, spread.iloc[::-1]]),
        (charts.sl_heatmap, {}, [cells, cells.iloc[1:], cells.iloc[:0]]),
        (charts.staffing, {}, [staffed, staffed.iloc[2:], staffed.assign(agents_logged_in=None)]),
    ]
    for code in ("en", "sv"):
        with i18n.language(code):
            charts._SHAPES.clear()
            for builder, options, frames in cases:
                for frame in frames * 2:  # the first time builds the shape, the next ones reuse it
                    old = builder(frame, **options).to_dict(validate=False)
                    new = charts.spec(builder, frame, **options)
                    assert json.dumps(new, default=str) == json.dumps(old, default=str), (code, builder.__name__)
            assert len(charts._SHAPES) == len(cases) - 2  # the three interval charts share one shape
