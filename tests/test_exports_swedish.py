"""A Swedish scorecard PDF and Excel show the same values as the English ones, written the Swedish way
(issue 20), and the pseudo-language finds no English word or English-formatted number left in them.

The fixture is make_acme (tests/test_meetings_frozen.py): in week 46 Acme answered 4 of 5 legs within
waits 10, 15, 30 and 5 s and lost one after 40 s, so its service level is 3 / 5 = 60.0 %, its abandon
rate 1 / 5 = 20.0 % and its ASA 60 / 4 = 15 s; in-house answered 8 of 8 within 5 s (100.0 %); the
agreement asks for a service level of at least 80 % and a share of 20-40 %.
"""
from __future__ import annotations

import io
import re

import openpyxl
import pypdf
import pytest

from data import i18n, settings, store
from partners import periods
from reports import exports
from tests.pseudo_language import outside_marks
from tests.test_meetings_frozen import make_acme

NBSP, MINUS = "\u00a0", "\u2212"
# Words the fixture's data holds (the partner, its queue, the reporting zone): never translated.
DATA_WORDS = {"Acme", "acme", "Europe", "Stockholm", "agent", "Eva"}
# A number the English way: a decimal point or a comma grouping thousands.
ENGLISH_NUMBER = re.compile(r"\d\.\d|\d,\d{3}(?!\d)")


def _files(code: str) -> tuple[str, openpyxl.Workbook]:
    """The week-46 scorecard of Acme in language `code`: the PDF's text and the workbook."""
    with i18n.language(code):
        with store.reading() as con:
            document = exports.scorecard_for(con, 1, "Acme", periods.parse("2026-W46"),
                                             settings.get(con, "reporting_tz"))
        pdf, xlsx = exports.to_pdf(document), exports.to_xlsx(document)
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return text, openpyxl.load_workbook(io.BytesIO(xlsx))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    path = tmp_path_factory.mktemp("swedish") / "test.duckdb"
    store.create(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OVERFLOW_DB", str(path))
        acme = make_acme()
        with store.writing() as con:  # one QA evaluation (3 of 4 points: 75.0 %), so the quality words show
            queue_id = store.execute(con, "SELECT queue_id FROM queues WHERE partner_id = ?", [acme]).scalar()
            store.execute(con, "INSERT INTO qa_evaluations (evaluation_id, queue_id, call_id, agent_id, evaluator, "
                               "evaluated_at, batch_id) VALUES ('e1', ?, 'c1', 'agent7', 'Eva', "
                               "TIMESTAMPTZ '2026-11-10 13:00:00+00', 1)", [queue_id])
            store.execute(con, "INSERT INTO qa_items (evaluation_id, section, item, points, max_points, weight, is_na, "
                               "is_critical) VALUES ('e1', 'greeting', 'name', 3, 4, 1, FALSE, FALSE)")
        yield {code: _files(code) for code in ("en", "sv", "qps")}


def _swedish(english: str) -> str:
    """An English number the Swedish way, by hand rule: ',' grouping -> no-break space, '.' -> ',',
    ' %' -> no-break space and %, '-' -> U+2212."""
    swapped = english.replace(",", "\0").replace(".", ",").replace("\0", NBSP).replace(" %", f"{NBSP}%")
    return swapped.replace("-", MINUS)


def _flat(text: str) -> str:
    """Text extraction writes a no-break space as a space and breaks lines inside table cells."""
    return re.sub(r"\s+", " ", text.replace(NBSP, " "))


DECIMALS = re.compile(r"(?<![\d.,])[-\u2212]?\d{1,3}(?:[,\u00a0 ]\d{3})*[.,]\d+(?: %)?")


def test_the_swedish_pdf_shows_the_english_figures_written_the_swedish_way(files):
    english, swedish = _flat(files["en"][0]), _flat(files["sv"][0])
    for figure in ("60.0 %", "20.0 %", "100.0 %", "min 80.0 %", "band 20.0 %–40.0 %", "15 s", "75.0 %"):
        assert figure in english, figure
    for figure in ("60,0 %", "20,0 %", "100,0 %", "min 80,0 %", "intervall 20,0 %–40,0 %", "15 s", "75,0 %"):
        assert figure in swedish, figure
    # Every decimal figure of the English file, mapped by the hand rule, is in the Swedish file, as often.
    assert sorted(_flat(_swedish(n)) for n in DECIMALS.findall(english)) == sorted(DECIMALS.findall(swedish))
    assert not ENGLISH_NUMBER.search(swedish.replace("2026-W46", ""))
    assert "Resultatkort för partner: Acme" in swedish
    assert "Period v. 46 2026, 9–15 nov. 2026 · rapportens tidszon Europe/Stockholm" in swedish
    for heading in ("Tillgänglighet – mått", "Servicenivå (tappade räknas)", "Andel tappade samtal", "✔ uppfyllt",
                    "Veckor ursäktade av volym över prognos", "Servicenivå, per vecka", "Köer per vecka"):
        assert heading in swedish, heading


def _cells(book: openpyxl.Workbook) -> list[list[tuple]]:
    return [[(c.coordinate, c.value, c.number_format) for row in sheet.iter_rows() for c in row] for sheet in book]


def test_the_swedish_excel_holds_the_same_numbers_with_swedish_formats(files):
    english, swedish = _cells(files["en"][1]), _cells(files["sv"][1])
    assert [len(sheet) for sheet in english] == [len(sheet) for sheet in swedish]
    numbers = formats = 0
    expected_format = {"0.0%": "0.0 %", "yyyy-mm-dd": "[$-41D]d mmm yyyy", "yyyy-mm-dd hh:mm": "[$-41D]d mmm yyyy hh:mm"}
    for en_sheet, sv_sheet in zip(english, swedish):
        for (where, en_value, en_format), (_, sv_value, sv_format) in zip(en_sheet, sv_sheet):
            if isinstance(en_value, (int, float)) or en_value is None or not isinstance(en_value, str):
                assert sv_value == en_value, where  # numbers and dates stay the same values
                numbers += isinstance(en_value, (int, float))
            assert sv_format == expected_format.get(en_format, en_format), where
            formats += en_format in expected_format
    assert numbers > 40 and formats > 10
    book = files["sv"][1]
    assert book.sheetnames[0] == "Försättsblad"
    availability = book["Tillgänglighet – mått"]
    assert [c.value for c in availability[1]][:3] == ["mått", "värde", "mål eller intervall min"]
    rows = {row[0].value: row for row in availability.iter_rows(min_row=2)}
    sl = rows["Servicenivå (tappade räknas)"]
    assert (sl[1].value, sl[1].number_format, sl[2].value) == (0.6, "0.0 %", 0.8)


def _english_words(text: str) -> set[str]:
    left = outside_marks(text)
    words = set(re.findall(r"[A-Za-zÅÄÖåäö][A-Za-zÅÄÖåäö_]+", left))
    # Swedish month and weekday names come from the formatter (Babel's data), not from messages.
    formatted = {"okt", "nov", "dec", "jan", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"}
    return words - DATA_WORDS - formatted


def test_no_english_word_or_number_is_left_in_the_pseudo_language_pdf(files):
    text = files["qps"][0]
    assert "⟦" in text
    assert _english_words(text) == set()
    assert not ENGLISH_NUMBER.search(outside_marks(text).replace("2026-W46", ""))


def test_no_english_word_or_number_is_left_in_the_pseudo_language_excel(files):
    book = files["qps"][1]
    texts = [c.value for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    # The cover lists the sheets by their names, which Excel cuts at 31 characters (a cut mark stays open).
    texts = [t for t in texts if not t.startswith("⟦Sheets: ")]
    assert len(texts) > 50
    assert {w for t in texts for w in _english_words(t)} == set()
    assert [t for t in texts if ENGLISH_NUMBER.search(outside_marks(t).replace("2026-W46", ""))] == []


def test_the_pdf_font_writes_swedish_letters_spaces_and_the_minus_sign():
    from fontTools.ttLib import TTFont

    fonts = exports._font_files()
    if fonts:
        for font in fonts:
            missing = [hex(c) for c in map(ord, f"åäöÅÄÖ{NBSP}{MINUS}✔✖▲◆≈") if c not in TTFont(str(font)).getBestCmap()]
            assert missing == [], font
    # Without DejaVu the core Helvetica (Latin-1) is used: the minus becomes '-', the rest is Latin-1 already.
    writer = exports._Pdf("test")
    writer.unicode = False
    assert writer.text(f"{MINUS}1{NBSP}204,5{NBSP}% på ö") == f"-1{NBSP}204,5{NBSP}% på ö"
