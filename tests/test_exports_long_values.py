"""Exports that never fail for one value (issue 21): long names, titles and notes wrap or are cut with
a marker in PDFs; file names are safe and short; `cli scorecards` writes every partner it can."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pypdf
import pytest

import cli
from data import settings, store
from meetings import meetings as m
from partners import registry
from reports import exports, frames
from tests.test_meetings_frozen import ACTOR, PERIOD, make_acme
from ui import render

# The lengths the attack run found breaking every PDF (fpdf2 "row too high"), and more.
PARTNER = "Långa Partnern " + "P" * 240          # 255+ bytes of UTF-8: too long for a file name with a period
QUEUE = "Q" * 1_000
TITLE = "T" * 1_800
NOTES = "N" * 1_900


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def squashed(data: bytes) -> str:
    """The PDF's text without white space: a cell's text wraps wherever its column ends."""
    return "".join(pdf_text(data).split())


@pytest.fixture
def long_world(db) -> tuple[int, m.Snapshot, int]:
    acme = make_acme(partner=PARTNER, queue=QUEUE, agent="A" * 1_000)
    with store.writing() as con:
        snapshot = frames.snapshot(con, acme, PERIOD, settings.get(con, "reporting_tz"))
        minutes = m.Minutes(date(2026, 11, 30), PERIOD, attendees="x" * 2_000, notes=NOTES,
                            new_items=(m.NewItem(TITLE, "O" * 500, "partner"),),
                            activities=(m.NewActivity("training", date(2026, 11, 20), "p" * 900, NOTES),))
        meeting_id = m.save_meeting(con, acme, minutes, snapshot, ACTOR)
    return acme, snapshot, meeting_id


def test_the_scorecard_pdf_of_a_partner_with_a_1000_character_queue_is_written(long_world):
    acme, _, _ = long_world
    with store.reading() as con:
        document = exports.scorecard_for(con, acme, PARTNER, PERIOD, settings.get(con, "reporting_tz"))
    text = squashed(exports.to_pdf(document))
    assert "(1,000charactersinall)" in text           # the queue's cell: cut, and says how long it was
    assert "Partnerscorecard" in text


def test_the_meeting_pack_with_long_title_and_notes_is_written_whole_in_excel(long_world):
    acme, snapshot, meeting_id = long_world
    with store.reading() as con:
        meeting, items = m.get_meeting(con, meeting_id), m.meeting_items(con, meeting_id)
        held = m.activities(con, acme, PERIOD)
    document = exports.meeting_document(PARTNER, snapshot, meeting=meeting, changed=items, carried=items, held=held)
    text = squashed(exports.to_pdf(document))
    assert "(1,800charactersinall)" in text and "(1,900charactersinall)" in text
    assert "Notes:" + "N" * 1_900 in text             # the minutes' notes are a paragraph: wrapped, not cut
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(document)))
    values = {c.value for sheet in book for row in sheet.iter_rows() for c in row}
    assert TITLE in values                            # the Excel file keeps the whole title


def test_file_names_are_safe_and_short():
    stem = exports.file_stem(PARTNER)
    assert len(stem.encode("utf-8")) <= 100 and stem.startswith("Långa-Partnern-PPP")
    assert exports.file_stem("../../etc/passwd") == "etc-passwd"
    assert exports.safe_file_name("ä" * 200 + ".csv").endswith(".csv")
    assert len(exports.safe_file_name("ä" * 200 + ".csv").encode("utf-8")) == 100 + 4
    assert exports.safe_file_name(".hidden") == "hidden"


def test_cli_scorecards_writes_every_partner_even_with_a_255_byte_name(long_world, tmp_path, capsys):
    with store.writing() as con:
        registry.add_partner(con, "Beta", actor=ACTOR)
    code = cli.main(["scorecards", "--period", "2026-W46", "--dir", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert (code, err) == (0, "")
    assert len(written) == 4 and all(len(name.encode("utf-8")) <= 255 for name in written)
    assert sum(name.startswith("Beta_2026-W46") for name in written) == 2


def test_cli_scorecards_reports_the_partner_it_could_not_write_and_writes_the_others(long_world, tmp_path, capsys,
                                                                                    monkeypatch):
    with store.writing() as con:
        registry.add_partner(con, "Beta", actor=ACTOR)
    made = exports.scorecard_for

    def failing_for_beta(con, partner_id, partner, period, tz, partner_ids=None):
        if partner == "Beta":
            raise ValueError("The row with index 1 is too high and cannot be rendered on a single page")
        return made(con, partner_id, partner, period, tz, partner_ids)

    monkeypatch.setattr(exports, "scorecard_for", failing_for_beta)
    code = cli.main(["scorecards", "--period", "2026-W46", "--dir", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == 1
    assert err == "error: could not write the scorecard of Beta: The row with index 1 is too high and cannot be " \
                  "rendered on a single page\n"
    assert len(list((tmp_path / "out").iterdir())) == 2   # the long-named partner's PDF and Excel


def test_a_download_that_cannot_be_made_gives_a_file_that_says_so(caplog):
    def broken() -> bytes:
        raise ValueError("fpdf2: row too high")

    text = pdf_text(render.never_silent(broken, exports.to_pdf, "the pack")())
    assert text.startswith("The pack could not be made\nError ")
    error_id = text.split("Error ")[1][:8]
    assert any(error_id in record.getMessage() and record.exc_info for record in caplog.records)
    book = openpyxl.load_workbook(io.BytesIO(render.never_silent(broken, exports.to_xlsx, "the pack")()))
    assert book.active["A1"].value == "The pack could not be made"
