"""The Partner scorecard page offers its scorecard as PDF and Excel files, named by partner and
period, holding the figures the page shows (the manager's weekly file, without the CLI)."""
from __future__ import annotations

import io

import openpyxl
import pypdf

from tests.app.test_pages import SCORECARD, demo, open_page, tiles  # noqa: F401  (demo is a fixture)
from tests.app.test_partner_isolation import downloads, file_bytes  # noqa: F401  (downloads is a fixture)

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
