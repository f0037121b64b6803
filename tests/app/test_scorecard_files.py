"""The Partner scorecard page offers its scorecard as PDF and Excel files, named by partner and
period, holding the figures the page shows (the manager's weekly file, without the CLI)."""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pypdf

from tests.app.test_pages import PAGES, SCORECARD, demo, open_page, tiles  # noqa: F401  (demo is a fixture)
from tests.app.test_partner_isolation import downloads, file_bytes, signed_in, world  # noqa: F401  (fixtures)

FAMILIES = ("Volume figures", "Availability figures", "The customer's call figures", "Quality figures",
            "Centre's side figures")


def test_the_scorecard_page_offers_its_pdf_and_excel_with_the_pages_figures(demo, downloads):  # noqa: F811
    at = open_page(SCORECARD, partner="Nordic Reliable", period="2026-W47")
    assert not at.exception, at.exception
    labels = [b.label for b in at.get("download_button")]
    assert labels[:2] == ["Download the scorecard (PDF)", "Download the scorecard (Excel)"]
    files = {name: file_bytes(data) for name, data in downloads}
    pdf, xlsx = files["Nordic-Reliable_scorecard_2026-W47.pdf"], files["Nordic-Reliable_scorecard_2026-W47.xlsx"]
    shown = at.dataframe[0].value.set_index("figure")  # the page's "figures as a table"

    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Partner scorecard: Nordic Reliable" in text and "2026-W47" in text
    shown_tiles = {t['label']: t['value'] for t in tiles(at)}
    assert len(shown_tiles) >= 10
    assert [value for value in shown_tiles.values() if value not in text] == []

    book = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)
    in_excel = {}
    for sheet in FAMILIES:
        rows = list(book[sheet].values)
        header = rows[0]
        in_excel |= {row[header.index("figure")]: row[header.index("value")] for row in rows[1:] if row[0]}
    assert set(in_excel) == set(shown.index)
    for figure, value in in_excel.items():
        page_value = shown.loc[figure, "value"]
        assert (value is None and page_value != page_value) or abs(value - page_value) < 1e-9, figure


DEMO_NAMES = ("FlexiCall", "Nordic Reliable", "QuickServe")  # the three partners `python -m cli demo` builds


def _zip_of(downloads) -> zipfile.ZipFile:  # noqa: F811
    [data] = [data for name, data in downloads if name.endswith(".zip")]
    return zipfile.ZipFile(io.BytesIO(file_bytes(data)))


def _pdf_text(archive: zipfile.ZipFile, name: str) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(archive.read(name))).pages)


def test_the_overview_offers_every_partners_scorecard_of_the_period_in_one_zip(demo, downloads):  # noqa: F811
    at = open_page(PAGES[0], period="2026-W47")
    assert not at.exception, at.exception
    assert "Download every partner's scorecard for 2026-W47, 16–22 Nov 2026 (zip)" in [b.label for b in at.get("download_button")]
    archive = _zip_of(downloads)
    stems = {name: name.replace(" ", "-") for name in DEMO_NAMES}
    assert sorted(archive.namelist()) == sorted(f"{stem}_2026-W47{suffix}" for stem in stems.values()
                                                for suffix in (".pdf", ".xlsx"))
    for name, stem in stems.items():  # each file is that partner's scorecard of that week
        assert f"Partner scorecard: {name}" in _pdf_text(archive, f"{stem}_2026-W47.pdf")
        book = openpyxl.load_workbook(io.BytesIO(archive.read(f"{stem}_2026-W47.xlsx")), read_only=True)
        assert set(FAMILIES) <= set(book.sheetnames)


def test_a_partners_own_manager_gets_only_its_own_scorecards_in_the_zip(world, monkeypatch, downloads):  # noqa: F811
    db, partners, _ = world
    own, others = partners[0], partners[1:]
    at = signed_in(db, own.email, monkeypatch, {"period": "2026-W47"})
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception, at.exception
    archive = _zip_of(downloads)
    stem = own.name.replace(" ", "-")
    assert sorted(archive.namelist()) == [f"{stem}_2026-W47.pdf", f"{stem}_2026-W47.xlsx"]
    text = _pdf_text(archive, f"{stem}_2026-W47.pdf")
    assert [p.name for p in others if p.name in text] == []
