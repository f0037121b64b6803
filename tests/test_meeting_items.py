"""Action items as the meetings read them: overdue (with days late), the day raised, how many later
meetings carried them, and the note they were closed with; on screen, in the PDF and in Excel.
Every expected value is counted by hand from the fixed dates below."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pypdf
import pytest

from data import store
from meetings import meetings as m
from partners.periods import between
from reports import exports
from tests.test_meetings import ACTOR, _partner, _snapshot

TODAY = date(2026, 12, 3)


@pytest.fixture
def items(db) -> dict[str, m.ActionItem]:
    """Meeting 1 (5 Oct) raises A (due 20 Oct), B (due 3 Dec, today) and C (no due day); meeting 2
    (2 Nov) closes C with a note; meeting 3 (30 Nov) changes nothing."""
    with store.writing() as con:
        acme = _partner(con, "Acme")

        def meeting(held: date, **changes) -> int:
            period = between(date(held.year, held.month, 1), held)
            return m.save_meeting(con, acme, m.Minutes(held, period, **changes), _snapshot(period), ACTOR)

        meeting(date(2026, 10, 5), new_items=(m.NewItem("Send the roster", "Ali", "partner", date(2026, 10, 20)),
                                               m.NewItem("Train on refunds", "Eva", "centre", date(2026, 12, 3)),
                                               m.NewItem("Fix the IVR text", "Eva", "centre")))
        meeting(date(2026, 11, 2), changes=(m.StatusChange(3, "done", "IVR text changed on 28 Oct"),))
        meeting(date(2026, 11, 30))
    with store.reading() as con:
        found = m.meeting_items(con, 1)
    return {i.title: i for i in found}


def test_overdue_days_carried_meetings_raised_day_and_closing_note(items):
    roster, refunds, ivr = items["Send the roster"], items["Train on refunds"], items["Fix the IVR text"]
    assert roster.days_overdue(TODAY) == 44  # 20 Oct -> 3 Dec: 11 + 30 + 3
    assert refunds.days_overdue(TODAY) is None  # due today is not late
    assert refunds.days_overdue(date(2026, 12, 4)) == 1
    assert ivr.days_overdue(TODAY) is None and ivr.status == "done"
    assert (roster.raised_on, roster.carried, roster.closing_note) == (date(2026, 10, 5), 2, "")
    assert (ivr.raised_on, ivr.carried, ivr.closing_note) == (date(2026, 10, 5), 1, "IVR text changed on 28 Oct")


def test_the_tables_say_overdue_in_words_on_screen_pdf_and_excel(items):
    table = exports.items_table(list(items.values()), "Still open", "", TODAY, "Items still open")
    shown = table.shown.set_index("title")
    assert shown.loc["Send the roster", ["status", "raised", "carried through", "due"]].tolist() == [
        "⚠ overdue by 44 days", "5 Oct 2026", "2 meetings", "20 Oct 2026"]
    assert shown.loc["Fix the IVR text", ["status", "carried through", "closing note"]].tolist() == [
        "done", "1 meeting", "IVR text changed on 28 Oct"]
    assert shown.loc["Train on refunds", "status"] == "open"

    snapshot = _snapshot(between(date(2026, 11, 2), date(2026, 11, 30)))
    document = exports.meeting_document("Acme", snapshot, carried=list(items.values()), today=TODAY)
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(exports.to_pdf(document))).pages)
    assert "overdue by 44 days" in text and "IVR text changed on 28 Oct" in text and "5 Oct 2026" in text
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(document)))
    rows = list(book["Items still open"].iter_rows(values_only=True))
    header = rows[0]
    roster = dict(zip(header, next(r for r in rows if r[1] == "Send the roster")))
    assert (roster["days overdue"], roster["carried through meetings"], roster["raised on"].date()) == (
        44, 2, date(2026, 10, 5))
