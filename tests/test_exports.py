"""Exports: no formula in any CSV or Excel cell, numbers stay numbers, the PDF holds text and charts."""
from __future__ import annotations

import io
from datetime import date, datetime

import altair as alt
import openpyxl
import pandas as pd
import pypdf

from meetings import meetings as m
from reports import exports

NASTY = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "Åsa", "a=b"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"=name": NASTY, "calls": [1, 2, 3, 4, 5, 6, 7, -8], "share": [0.5] * 7 + [None]})


def test_neutralise_prefixes_formula_starts_only_and_keeps_numbers():
    assert [exports.neutralise(v) for v in NASTY] == [
        "'=HYPERLINK(\"http://x\",\"y\")", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tcmd", "'\rcmd", "Åsa", "a=b",
    ]
    assert exports.neutralise(-8) == -8
    assert exports.neutralise(0.25) == 0.25


def test_csv_has_no_formula_cell_and_numbers_unquoted():
    text = exports.csv_bytes(_frame(), sep=";", decimal=",").decode("utf-8-sig")
    lines = text.split("\n")
    assert lines[0] == "'=name;calls;share"
    assert lines[1] == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\";1;0,5"
    assert lines[8] == "a=b;-8;"


def test_excel_has_no_formula_cell_even_with_formula_like_names():
    document = exports.Document(
        "=Partner scorecard", "-period", (exports.Section("@Volume", "=notes", (exports.Table("=Legs", _frame()),)),)
    )
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(document)))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(exports.FORMULA_STARTS)] == []
    legs = book["=Legs"]
    # XML reads a carriage return back as a line feed; the quote in front is what matters.
    assert [c.value for c in legs["A"]][1:] == [
        "'=HYPERLINK(\"http://x\",\"y\")", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tcmd", "'\ncmd", "Åsa", "a=b",
    ]
    assert [(c.value, c.data_type) for c in legs["B"]][1:] == [(n, "n") for n in (1, 2, 3, 4, 5, 6, 7, -8)]
    assert legs["C2"].value == 0.5 and legs["C9"].value is None


def test_pdf_holds_headings_tables_and_chart_images():
    chart = alt.Chart(_frame()).mark_bar().encode(x="calls:Q", y="share:Q")
    document = exports.Document(
        "Scorecard", "2026-W47",
        (exports.Section("Volume", "Share against the band", (exports.Table("Legs", _frame()),),
                         (exports.Chart("Calls", chart),)),),
    )
    reader = pypdf.PdfReader(io.BytesIO(exports.to_pdf(document)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("Scorecard", "2026-W47", "Volume", "Share against the band", "Legs", "Åsa", "Calls"):
        assert expected in text
    assert sum(len(page.images) for page in reader.pages) == 1


def test_meeting_pack_pdf_has_every_section_and_excel_one_sheet_per_table():
    from datetime import date, datetime


    snapshot = m.Snapshot(
        date(2026, 10, 5), date(2026, 11, 2), "Europe/Stockholm", datetime(2026, 11, 2, 9),
        (
            m.FrozenFigure("volume", "volume_share", "Volume share", "fraction", 0.25, 0.3, "amber", 400, None),
            m.FrozenFigure("availability", "service_level", "Service level", "fraction", 0.75, 0.8, "red", 200, 0.82),
            m.FrozenFigure("quality", "qa_score", "QA score", "fraction", 0.9, 0.85, "green", 12, 0.88),
        ),
        ("2026-W42",),
        series={"trends": tuple(
            {"metric": "service_level", "label": "Service level", "unit": "fraction", "period_start": start,
             "value": value, "target": 0.8, "sample_size": 100}
            for start, value in (("2026-10-05", 0.7), ("2026-10-12", 0.8))
        )},
    )
    meeting = m.Meeting(7, 1, date(2026, 11, 2), date(2026, 10, 5), date(2026, 11, 2), "=Eva, Ali", "notes",
                        "decided", snapshot, datetime(2026, 11, 2, 9), "t")
    item = m.ActionItem(3, 1, 7, "=cmd|' /C calc'!A0", "Ali", "partner", date(2026, 11, 20), "open", None, None)
    activity = m.Activity(1, 1, "co-listening", date(2026, 10, 20), "@Sara", "", 7)
    differences = m.compare(snapshot, snapshot)
    document = exports.meeting_document(
        "=Acme", snapshot, meeting=meeting, carried=[item], changed=[item], held=[activity], differences=differences,
    )
    reader = pypdf.PdfReader(io.BytesIO(exports.to_pdf(document)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in ("Service meeting: =Acme", "Decisions and minutes", "Volume figures", "Availability figures", "Quality figures",
                    "Weeks excused by volume above forecast", "2026-W42", "Details", "Differences against today's data",
                    "Action items", "Still open", "Activities in the period", "Service level, weekly",
                    "75.0 %", "82.0 %"):
        assert heading in text, heading
    assert sum(len(page.images) for page in reader.pages) == 1
    # The pack starts with the meeting: decisions, then action items, then the figures, then the charts.
    order = ["Decisions: decided", "Action items", "Volume figures", "Differences against today's data",
             "Service level, weekly", "Activities in the period"]
    assert [text.index(h) for h in order] == sorted(text.index(h) for h in order)
    assert "Today's data gives the same figures as the meeting showed." in text

    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(document)))
    assert book.sheetnames == [
        "Cover", "Items raised or closed", "Items still open", "Volume figures", "Availability figures",
        "Quality figures", "Differences", "Weeks excused", "Service level, weekly", "Queues by week", "QA evaluations",
        "Activities",
    ]
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert book["Items still open"]["B2"].value == "'=cmd|' /C calc'!A0"
    assert book["Availability figures"]["B2"].value == 0.75


def test_excel_has_real_percentages_and_dates_status_words_and_the_charts_numbers_as_sheets():
    figures = exports.Table("Availability figures", pd.DataFrame(
        {"figure": ["Service level", "ASA"], "value": [0.8125, 24.4], "status": ["✔ met", "✖ missed"],
         "unit": ["fraction", "seconds"]}))
    weekly = pd.DataFrame({"period_start": [date(2026, 11, 2), date(2026, 11, 9)], "value": [0.81, 0.79],
                           "unit": ["fraction", "fraction"]})
    chart = alt.Chart(weekly).mark_line().encode(x="period_start:T", y="value:Q")
    moved = m.Difference("service_level", "Service level", "fraction", 0.81, 0.79, "green", "amber", 100, 100)
    document = exports.Document("Pack", "sub", (
        exports.Section("The scorecard", tables=(figures,)),
        exports.Section("Availability: weekly trends", charts=(exports.Chart("Service level, weekly", chart, weekly),)),
        exports.Section("Charts without numbers", charts=(exports.Chart("A picture", chart),)),
        exports.Section("Differences", tables=(exports.differences_table([moved]),)),
    ))
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(document)))
    assert book.sheetnames == ["Cover", "Availability figures", "Service level, weekly", "Differences"]
    sl, asa = book["Availability figures"]["B2"], book["Availability figures"]["B3"]
    assert (sl.value, sl.number_format, asa.number_format) == (0.8125, "0.0%", '#,##0 "s"')
    week = book["Service level, weekly"]["A2"]
    assert (week.value, week.number_format) == (datetime(2026, 11, 2), "yyyy-mm-dd")
    differences = [c.value for c in book["Differences"][2]]
    assert "✔ met" in differences and "▲ near" in differences and "green" not in differences
    cover = [row[0] for row in book["Cover"].iter_rows(values_only=True) if row[0]]
    assert "Charts without numbers" not in cover  # nothing of it is in the file
    assert "Sheets: Service level, weekly" in cover
