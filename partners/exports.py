"""Exported files: the partner scorecard and the meeting pack as PDF and Excel, and safe CSV.

Every CSV and Excel export goes through `neutralise`: a text cell that begins with = + - @ or a tab or carriage
return would be read by Excel or LibreOffice as a formula (CSV/formula injection: a partner, queue
or agent name like `=HYPERLINK(...)` comes straight from imported files). Such text gets a leading
single quote; numbers stay numbers.

A document is built once as plain sections (text, tables, Altair charts) and then written either
as a PDF (fpdf2, charts rendered to PNG by vl-convert: no browser, no network) or as an Excel
workbook (openpyxl, one sheet per table).
"""
from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The one rule every export applies to every cell: formula-like text is made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with formula-like text cells and column names neutralised; numbers untouched."""
    safe = frame.copy()
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    for column in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_datetime64_any_dtype(safe[column])):
            safe[column] = safe[column].map(neutralise).astype(object)
    return safe


def csv_bytes(frame: pd.DataFrame, *, sep: str = ",", decimal: str = ".") -> bytes:
    """CSV for a download button, neutralised; UTF-8 with BOM so Excel reads å, ä, ö right.

    For Swedish Excel pass sep=";" and decimal=",".
    """
    return neutralise_frame(frame).to_csv(index=False, sep=sep, decimal=decimal).encode("utf-8-sig")


# --- documents -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    title: str
    frame: pd.DataFrame
    note: str = ""  # shown under the table, e.g. "no action items are open"


@dataclass(frozen=True)
class Chart:
    title: str
    chart: alt.TopLevelMixin


@dataclass(frozen=True)
class Section:
    heading: str
    text: str = ""
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    sections: tuple[Section, ...]


def chart_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """Render an Altair chart to PNG in-process (vl-convert bundles Vega: no browser, no network)."""
    import vl_convert

    return vl_convert.vegalite_to_png(chart.to_dict(), scale=scale)


def _plain(value: Any) -> Any:
    """A cell value openpyxl and the PDF can take: NaN/NA -> None, aware datetimes -> naive UTC."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


# --- Excel -------------------------------------------------------------------------------------

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def to_xlsx(document: Document) -> bytes:
    """One sheet per table (plus a cover sheet with the title and each section's text)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    cover = book.active
    cover.title = "Cover"
    taken = {"cover"}
    cover.append([neutralise(document.title)])
    cover.append([neutralise(document.subtitle)])
    cover["A1"].font = Font(bold=True, size=14)
    for section in document.sections:
        cover.append([])
        cover.append([neutralise(section.heading)])
        cover.cell(row=cover.max_row, column=1).font = Font(bold=True)
        for line in section.text.splitlines():
            cover.append([neutralise(line)])
    for section in document.sections:
        for table in section.tables:
            sheet = book.create_sheet(_sheet_name(table.title, taken))
            safe = neutralise_frame(table.frame)
            sheet.append(list(safe.columns))
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in safe.itertuples(index=False):
                sheet.append([_plain(v) for v in row])
            if table.note:
                sheet.append([])
                sheet.append([neutralise(table.note)])
            for column in sheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF ---------------------------------------------------------------------------------------

_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def _font_files() -> tuple[Path, Path] | None:
    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


def _cell_text(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class _Pdf:
    """A thin writer over fpdf2: Unicode font where the system has DejaVu, else core Helvetica."""

    def __init__(self, title: str) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(orientation="portrait", unit="mm", format="A4")
        self.pdf.set_title(title)
        self.pdf.set_auto_page_break(auto=True, margin=15)
        fonts = _font_files()
        if fonts:
            self.pdf.add_font("Sans", "", str(fonts[0]))
            self.pdf.add_font("Sans", "B", str(fonts[1]))
            self.family, self.unicode = "Sans", True
        else:
            self.family, self.unicode = "Helvetica", False
        self.pdf.add_page()

    def text(self, value: str) -> str:
        value = value.replace("\t", " ").replace("\r", " ")
        if self.unicode:
            return value
        return value.replace("–", "-").encode("latin-1", "replace").decode("latin-1")

    def heading(self, value: str, size: int) -> None:
        self.pdf.set_font(self.family, "B", size)
        self.pdf.multi_cell(0, size * 0.5, self.text(value), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def paragraph(self, value: str, size: int = 9) -> None:
        self.pdf.set_font(self.family, "", size)
        self.pdf.multi_cell(0, 4.5, self.text(value), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def table(self, table: Table) -> None:
        self.heading(table.title, 10)
        frame = table.frame  # a PDF holds no formulas: names are printed as they are
        if len(frame):
            self.pdf.set_font(self.family, "", 7.5)
            rows = [[self.text(str(c)) for c in frame.columns]]
            rows += [[self.text(_cell_text(v)) for v in row] for row in frame.itertuples(index=False)]
            with self.pdf.table(rows, line_height=4, text_align="LEFT", first_row_as_headings=True):
                pass
            self.pdf.ln(2)
        if table.note or not len(frame):
            self.paragraph(table.note or "Nothing to show.", 8)

    def chart(self, chart: Chart) -> None:
        self.heading(chart.title, 10)
        png = chart_png(chart.chart)
        width = self.pdf.epw * 0.9
        self.pdf.image(io.BytesIO(png), w=width)
        self.pdf.ln(2)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def to_pdf(document: Document) -> bytes:
    """The document as an A4 PDF: title, then each section's text, tables and charts in order."""
    writer = _Pdf(document.title)
    writer.heading(document.title, 16)
    writer.paragraph(document.subtitle, 10)
    for section in document.sections:
        writer.heading(section.heading, 13)
        if section.text:
            writer.paragraph(section.text)
        for table in section.tables:
            writer.table(table)
        for chart in section.charts:
            writer.chart(chart)
    return writer.output()


WRITERS = {".pdf": to_pdf, ".xlsx": to_xlsx}


def write(document: Document, out: Path) -> Path:
    """Write `document` to `out`, the format chosen by the extension (.pdf or .xlsx)."""
    from data.errors import UserError

    writer = WRITERS.get(out.suffix.lower())
    if writer is None:
        raise UserError(f"cannot write {out.name}: the file must end in .pdf or .xlsx")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(writer(document))
    return out


def frame(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A table from plain dict rows, keeping the column order even when there are no rows."""
    return pd.DataFrame(list(rows), columns=list(columns))
