"""The scorecard commands: files a partner manager can send, and one clear line for every mistake."""
from __future__ import annotations

from datetime import date

import openpyxl
import pypdf
import pytest

import cli
from data import store
from reports.exports import parse_scorecard_period
from tests.test_meetings_frozen import make_acme

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def acme(db) -> int:
    return make_acme()


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_scorecard_pdf_has_every_section_and_its_charts(acme, tmp_path, capsys):
    out = tmp_path / "acme.pdf"
    code, printed, _ = _run(capsys, "scorecard", "--partner", "Acme", "--period", "2026-W46", "--out", str(out))
    assert (code, printed) == (0, f"wrote {out}\n")
    reader = pypdf.PdfReader(out)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in ("Partner scorecard: Acme", "Period 2026-W46", "Volume figures", "Availability figures",
                    "Quality figures", "Weeks excused by volume above forecast", "2026-W46", "Queues by week",
                    "QA evaluations", "Volume share against the agreed band", "Legs sent against the forecast",
                    "Service level, weekly", "60.0 %", "100.0 %"):
        assert heading in text, heading
    # Charts with data: share band, forecast, SL, abandon rate, ASA (no quality data in the fixture).
    assert sum(len(page.images) for page in reader.pages) == 5


def test_excel_has_no_formula_cell_when_partner_queue_and_agent_names_begin_with_equals(db, tmp_path, capsys):
    acme = make_acme(partner="=Acme", queue="=cmd|' /C calc'!A0", agent="=HYPERLINK(\"http://evil\",\"x\")")
    with store.writing() as con:
        queue_id = con.execute("SELECT queue_id FROM queues WHERE partner_id = ?", [acme]).fetchone()[0]
        con.execute(
            "INSERT INTO qa_evaluations (evaluation_id, queue_id, call_id, agent_id, evaluator, evaluated_at, batch_id) "
            "VALUES ('e1', ?, '-1+1', '=HYPERLINK(\"http://evil\",\"x\")', '@evaluator', TIMESTAMPTZ '2026-11-10 13:00:00+00', 1)",
            [queue_id],
        )
        con.execute("INSERT INTO qa_items (evaluation_id, section, item, points, max_points, weight, is_na, is_critical) VALUES ('e1', 'greeting', 'name', 3, 4, 1, FALSE, FALSE)")
    out = tmp_path / "acme.xlsx"
    code, _, err = _run(capsys, "scorecard", "--partner", "=Acme", "--period", "2026-11", "--out", str(out))
    assert (code, err) == (0, "")
    book = openpyxl.load_workbook(out)
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS)] == []
    assert book["Cover"]["A1"].value == "Partner scorecard: =Acme"
    queues = book["Queues by week"]
    assert [c.value for c in queues[1]][:4] == ["week", "days in period", "queue", "offered"]
    assert (queues["C2"].value, queues["D2"].value) == ("'=cmd|' /C calc'!A0", 5)  # a number stays a number
    evaluations = book["QA evaluations"]
    row = {h.value: c.value for h, c in zip(evaluations[1], evaluations[2])}
    assert (row["agent"], row["evaluator"], row["call"], row["score (0-1)"]) == (
        "'=HYPERLINK(\"http://evil\",\"x\")", "'@evaluator", "'-1+1", 0.75)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--period", "2026-W99", "--out", "x.pdf"), "error: cannot read the period '2026-W99'"),
        (("--period", "2026-11-05", "--out", "x.pdf"), "error: a scorecard period is a week (2026-W47) or a month"),
        (("--period", "2026-W46", "--out", "x.docx"), "error: cannot write x.docx: the file must end in .pdf or .xlsx"),
    ],
)
def test_a_mistake_is_one_line(acme, tmp_path, capsys, argv, message):
    code, _, err = _run(capsys, "scorecard", "--partner", "Acme", *argv)
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1


def test_unknown_partner_is_one_line_naming_the_known_ones(acme, capsys):
    code, _, err = _run(capsys, "scorecard", "--partner", "Acne", "--period", "2026-W46", "--out", "x.pdf")
    assert (code, err) == (2, "error: unknown partner 'Acne' (known partners: Acme)\n")


def test_scorecards_writes_every_partner_in_both_formats(acme, tmp_path, capsys):
    with store.writing() as con:
        con.execute("INSERT INTO partners (name) VALUES ('Beta / Nord')")
    code, printed, _ = _run(capsys, "scorecards", "--period", "2026-W46", "--dir", str(tmp_path / "out"))
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "Acme_2026-W46.pdf", "Acme_2026-W46.xlsx", "Beta-Nord_2026-W46.pdf", "Beta-Nord_2026-W46.xlsx",
    ]
    assert printed.count("wrote ") == 4


def test_last_week_is_the_latest_complete_iso_week():

    assert parse_scorecard_period("last-week", today=date(2026, 11, 24)).label == "2026-W47"
    assert parse_scorecard_period("last-month", today=date(2026, 11, 24)).label == "2026-10"


def test_metrics_csv_on_stdout_is_neutralised_too(db, capsys):
    make_acme(queue="=cmd|' /C calc'!A0")
    code, printed, _ = _run(capsys, "metrics", "--grain", "week", "--by", "queue", "--format", "csv")
    assert code == 0
    groups = [line.split(",")[1] for line in printed.splitlines()[1:]]
    assert sorted(groups) == ["'=cmd|' /C calc'!A0", "house"]
