"""The meeting pack reads like the screen: weeks in days (a cut week marked partial), %, seconds,
thousands separators, human column names, and no heading left alone at the bottom of a page."""
from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date, datetime

import openpyxl
import pypdf
import pytest

from meetings import meetings as m
from partners import periods
from partners.periods import between
from reports import exports

QUEUES = (  # the period 1-24 Nov 2026 starts on a Sunday and ends on a Monday
    {"week": "2026-10-26T00:00:00", "queue": "acme", "offered": 3, "answered": 3, "abandoned": 0, "overflowed": 0,
     "service_level": 1 / 3, "abandon_rate": 0.0, "asa_s": 12.5, "aht_s": 245.0},
    {"week": "2026-11-02T00:00:00", "queue": "acme", "offered": 1200, "answered": 1100, "abandoned": 60,
     "overflowed": 40, "service_level": 0.634, "abandon_rate": 0.049, "asa_s": 31.0, "aht_s": 300.0},
    {"week": "2026-11-23T00:00:00", "queue": "acme", "offered": 9, "answered": 9, "abandoned": 0, "overflowed": 0,
     "service_level": None, "abandon_rate": None, "asa_s": None, "aht_s": None},
)
EVALUATIONS = ({"evaluated_local": "2026-11-03T10:15:00", "queue": "acme", "agent_id": "a1", "evaluator": "Eva",
                "call_id": "c9", "is_calibration": False, "score": 0.875},)


def _sorted(rows: tuple[dict, ...]) -> tuple[dict, ...]:
    """Rows as a saved snapshot hands them back: keys sorted by name (abandon_rate first, week last)."""
    return tuple(dict(sorted(row.items())) for row in rows)


def _snapshot() -> m.Snapshot:
    figures = (m.FrozenFigure("availability", "staffed_vs_contracted", "Staffed vs contracted hours", "fraction",
                              0.832, 0.95, "red", 19170, 0.9),)
    return m.Snapshot(date(2026, 11, 1), date(2026, 11, 25), "Europe/Stockholm", datetime(2026, 11, 25, 9), figures,
                      series={"queues": _sorted(QUEUES), "evaluations": _sorted(EVALUATIONS)})


def test_days_are_written_one_way_with_the_last_day_included():
    assert periods.days_text(date(2026, 11, 1), date(2026, 11, 23)) == "1–23 Nov 2026"
    assert periods.days_text(date(2026, 10, 26), date(2026, 11, 1)) == "26 Oct–1 Nov 2026"
    assert periods.days_text(date(2026, 12, 28), date(2027, 1, 3)) == "28 Dec 2026–3 Jan 2027"
    assert between(date(2026, 11, 16), date(2026, 11, 23)).text == "16–22 Nov 2026"
    assert periods.parse("2026-W47").named == "2026-W47, 16–22 Nov 2026"
    assert periods.parse("2026-11").named == "2026-11, 1–30 Nov 2026"


def test_queues_and_evaluations_read_like_the_screen_and_cut_weeks_say_partial():
    queues, evaluations = exports.detail_tables(_snapshot())
    assert list(queues.shown.columns) == ["week", "queue", "offered", "answered", "abandoned", "overflowed",
                                          "service level", "abandon rate", "ASA", "AHT"]
    assert queues.shown["week"].tolist() == ["2026-W44 (1 Nov 2026, partial: 1 of 7 days)", "2026-W45 (2–8 Nov 2026)",
                                             "2026-W48 (23–24 Nov 2026, partial: 2 of 7 days)"]
    assert queues.shown.iloc[0][["service level", "abandon rate", "ASA", "AHT"]].tolist() == [
        "33.3 %", "0.0 %", "12 s", "245 s"]
    assert queues.shown.iloc[1]["offered"] == "1,200"
    assert queues.shown.iloc[2]["service level"] == "no data"
    assert queues.frame["days in period"].tolist() == [1, 7, 2]
    assert evaluations.shown.iloc[0].tolist() == ["2026-11-03 10:15", "acme", "a1", "Eva", "c9", "no", "87.5 %"]


def test_pack_pdf_has_no_exponent_and_no_heading_ends_a_page():
    snapshot = _snapshot()
    changed = m.compare(snapshot, snapshot)
    document = exports.meeting_document("Acme", snapshot, differences=changed, today=date(2026, 11, 25))
    reader = pypdf.PdfReader(io.BytesIO(exports.to_pdf(document)))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    assert "e+0" not in text and "19,170" in text and "0.3333" not in text and "service_level" not in text
    headings = {section.heading for section in document.sections}
    assert [p.strip().splitlines()[-1] for p in pages if p.strip().splitlines()[-1] in headings] == []
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(document)))
    assert next(book["Queues by week"].iter_rows(values_only=True)) == (
        "week", "days in period", "queue", "offered", "answered", "abandoned", "overflowed",
        "service level (0-1)", "abandon rate (0-1)", "ASA (s)", "AHT (s)")


def test_a_chart_section_heading_moves_to_the_next_page_with_its_chart():
    """Text of 30, 40 and 50 lines before a chart section: at 30 lines the old
    layout printed the heading at the bottom of page 1 and the chart on page 2."""
    import altair as alt
    import pandas as pd

    chart = alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3, 4]})).mark_line().encode(x="x:Q", y="y:Q")
    for lines in (30, 40, 50):
        document = exports.Document("Pack", "sub", (
            exports.Section("Filler", text="\n".join(f"line {n}" for n in range(lines))),
            exports.Section("Volume: weekly trends", charts=(exports.Chart("Volume share", chart),)),
        ))
        pages = [page.extract_text().strip().splitlines() for page in pypdf.PdfReader(io.BytesIO(exports.to_pdf(document))).pages]
        assert [p[-1] for p in pages].count("Volume: weekly trends") == 0, lines


def test_a_sample_says_what_it_counts():
    """The meeting's sample column is the figure's base: forecast legs for 'Legs against forecast',
    contracted agent-minutes for staffing (19,170 is not a number of calls), legs for service level."""
    staffed = _snapshot().figures[0]
    forecast = m.FrozenFigure("volume", "forecast_accuracy", "Legs against forecast", "fraction", 1.05, None,
                              "no target", 597)
    sl = m.FrozenFigure("availability", "service_level", "Service level", "fraction", 0.81, 0.8, "green", 1204)
    then = replace(_snapshot(), figures=(staffed, forecast, sl))
    assert exports.figures_table(then, "availability", "Availability").shown["sample size"].tolist() == [
        "19,170 contracted agent-minutes", "1,204 legs"]
    assert exports.figures_table(then, "volume", "Volume").shown["sample size"].tolist() == ["597 forecast legs"]
    now = replace(then, figures=(replace(staffed, value=0.85, sample_size=19230), forecast, sl))
    table = exports.differences_table(m.compare(then, now))
    assert table.shown[["sample then", "sample now"]].values.tolist() == [
        ["19,170 contracted agent-minutes", "19,230 contracted agent-minutes"]]
    assert table.note == "The other 2 figures read the same today."  # forecast and service level did not move


def test_unchanged_differences_are_one_line_and_a_float_wobble_is_no_change():
    sl = m.FrozenFigure("availability", "service_level", "Service level", "fraction", 0.81, 0.8, "green", 1204)
    asa = m.FrozenFigure("availability", "asa_s", "ASA", "seconds", 24.0, 30.0, "green", 1204)
    then = replace(_snapshot(), figures=(sl, asa))
    wobble = replace(then, figures=(replace(sl, value=0.81 + 1e-12), asa))  # '+0.0 pts' before
    table = exports.differences_table(m.compare(then, wobble))
    assert table.frame.empty and table.note == "Today's data gives the same figures as the meeting showed."
    moved = replace(then, figures=(replace(sl, value=0.79, status="amber"), asa))
    table = exports.differences_table(m.compare(then, moved))
    assert table.shown[["figure", "change", "status then", "status now"]].values.tolist() == [
        ["Service level", "-2.0 pts", "✔ met", "▲ near"]]
    assert table.note == "The other figure reads the same today."


def test_a_change_reads_the_same_on_the_tile_and_in_the_differences_table():
    """ASA 24 s -> 27 s is '+3 s' on the KPI tile and in the PDF's differences table (Excel keeps the
    number 3.0); a service level 60.0 % -> 71.4 % is '+11.4 pts' on both."""
    from metrics.scorecard import Figure
    from reports import views

    def tile(name: str, unit: str, before: float, now: float) -> Figure:
        return Figure(name, name, name, unit, "availability", now, None, None, None, None, "no target", before, ())

    then = replace(_snapshot(), figures=(
        m.FrozenFigure("availability", "asa_s", "ASA", "seconds", 24.0, 30.0, "green", 500),
        m.FrozenFigure("availability", "service_level", "Service level", "fraction", 0.6, 0.8, "red", 500)))
    now = replace(then, figures=(replace(then.figures[0], value=27.0), replace(then.figures[1], value=0.714)))
    table = exports.differences_table(m.compare(then, now))
    assert table.shown["change"].tolist() == ["+3 s", "+11.4 pts"]
    assert table.frame["change"].tolist() == pytest.approx([3.0, 0.114])
    assert views.change(tile("asa_s", "seconds", 24.0, 27.0)) == "+3 s"
    assert views.change(tile("service_level", "fraction", 0.6, 0.714)) == "+11.4 pts"


def test_a_frozen_figure_keeps_fcrs_left_out_legs_and_why_a_miss_was_excused():
    """What the tile said beside FCR (legs left out for want of a usable id) and under service level
    (why a miss is excused, or why not) is frozen with the figure and printed in the pack; a meeting
    frozen before these were kept reads them as absent."""
    fcr = m.FrozenFigure("quality", "fcr", "First-contact resolution", "fraction", 0.8, 0.75, "green", 412,
                         left_out=37)
    sl = m.FrozenFigure("availability", "service_level", "Service level", "fraction", 0.7, 0.8, "excused", 1204,
                        note="excused: Monday 16 Nov above forecast +10 %, staffed 97 % of contract")
    then = replace(_snapshot(), figures=(fcr, sl))
    again = m.Snapshot.from_json(then.to_json())
    assert (again.figures[0].left_out, again.figures[1].note) == (37, sl.note)
    assert exports.figures_table(again, "quality", "Quality").shown["sample size"].tolist() == [
        "412 answered legs with a customer id; 37 left out (no usable customer id)"]
    assert exports.figures_table(again, "availability", "Availability").shown["status"].tolist() == [
        "◆ excused (excused: Monday 16 Nov above forecast +10 %, staffed 97 % of contract)"]
    old = json.loads(then.to_json())
    for figure in old["figures"]:
        del figure["left_out"], figure["note"]
    assert [(f.left_out, f.note) for f in m.Snapshot.from_json(json.dumps(old)).figures] == [(None, ""), (None, "")]
