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
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from data import clock, i18n, settings, store
from data.i18n import N_, _, n_
from data.errors import UserError
from data.store import Connection
from meetings.meetings import ActionItem, Activity, Difference, Meeting, Snapshot
from metrics import sampling, statuses
from metrics.definitions import metric
from partners import periods, registry
from partners.periods import Period
from reports import charts, frames, views
from reports.cells import (  # noqa: F401  (the one rule, re-exported)
    FORMULA_STARTS,
    neutralise,
)
from reports.views import count_text, display, display_target, sample_text


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
    shown: pd.DataFrame | None = None  # the same rows formatted for reading (the PDF); Excel keeps numbers
    widths: tuple[float, ...] | None = None  # the PDF's relative column widths (default: the first one wider)
    sheet: str = ""  # the Excel sheet's name when the title is too long for one (31 characters)


@dataclass(frozen=True)
class Chart:
    title: str
    chart: alt.TopLevelMixin
    data: pd.DataFrame | None = None  # the numbers behind it: its own sheet in Excel


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
    """Render an Altair chart to PNG in-process (vl-convert bundles Vega: no browser, no network), with
    the reader's number and time locale (the chart's config says it too; vl-convert is told directly)."""
    import vl_convert

    found = charts.locale()
    return vl_convert.vegalite_to_png(chart.to_dict(), scale=scale, format_locale=found["number"],
                                      time_format_locale=found["time"])


# Every column heading a file shows, in English (the tables' column ids, as a CSV keeps them): the
# PDF and the Excel write each in the reader's language (`heading`).
COLUMN_HEADINGS = (
    N_("figure"), N_("value"), N_("target or band min"), N_("band max"), N_("status"), N_("sample size"),
    N_("in-house"), N_("unit"), N_("numerator"), N_("denominator"), N_("interval low"), N_("interval high"),
    N_("fewest to judge"), N_("previous period"), N_("real change?"), N_("target"), N_("change"), N_("week"),
    N_("at the meeting"), N_("today"), N_("status then"), N_("status now"), N_("sample then"), N_("sample now"),
    N_("item"), N_("title"), N_("owner"), N_("side"), N_("due"), N_("days overdue"), N_("raised on"),
    N_("carried through meetings"), N_("closing note"), N_("raised"), N_("carried through"), N_("date"), N_("kind"),
    N_("participants"), N_("notes"), N_("queue"), N_("offered"), N_("answered"), N_("abandoned"), N_("overflowed"),
    N_("service level"), N_("abandon rate"), N_("ASA"), N_("AHT"), N_("days in period"),
    N_("service level (0-1)"), N_("abandon rate (0-1)"), N_("ASA (s)"), N_("AHT (s)"), N_("evaluated"),
    N_("agent"), N_("evaluator"), N_("call"), N_("calibration"), N_("score"), N_("score (0-1)"),
    N_("period_start"), N_("period"), N_("share_min"), N_("share_max"), N_("calls_routed"), N_("week_start"),
    N_("forecast"), N_("sent"), N_("excused"), N_("excused_note"), N_("sample_size"), N_("agent_id"),
    N_("evaluations"), N_("weekday"), N_("hour of day"), N_("evaluation_share"), N_("answered_share"),
)
# The unit column's words (the Excel's numbers carry their unit beside them).
UNIT_NAMES = {"fraction": N_("fraction"), "seconds": N_("seconds"), "count": N_("count"), "hours": N_("hours"),
              "points": N_("points")}


def heading(column: Any) -> str:
    """A column's heading in the reader's language (the frame keeps its English id)."""
    return _(str(column))


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


# A PDF table row must fit on one page (fpdf2 refuses a taller one, and with it the whole file): a
# cell holds at most PDF_CELL_CHARS characters, about 25 lines in the narrowest column. Excel's own
# limit is 32,767 characters a cell; the Excel file keeps everything up to it.
PDF_CELL_CHARS = 200
XLSX_CELL_CHARS = 32_767


def shortened(text: str, most: int) -> str:
    """`text`, or as much of it as fits in `most` characters with a marker saying how long it was."""
    if len(text) <= most:
        return text
    marker = _("… ({count} characters in all)").format(count=i18n.number(len(text)))
    return text[:most - len(marker)] + marker


# --- Excel -------------------------------------------------------------------------------------


def _xlsx_value(value: Any) -> Any:
    value = _plain(value)
    return shortened(value, XLSX_CELL_CHARS) if isinstance(value, str) else value


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


# Excel number formats: a figure's cells by its unit (fractions as real percentages), a "(0-1)"
# column as a percentage, and days and times as real dates.
UNIT_FORMATS = {"fraction": "0.0%", "seconds": '#,##0 "s"', "count": "#,##0", "hours": '#,##0.0 "h"',
                "points": "0.0"}
# The formats that differ in a language: Excel writes the separators of the reader's own system, but
# a Swedish percentage has a space before its sign and a Swedish date names its month in Swedish
# (the LCID prefix [$-41D] is Swedish, Sweden).
DAY, MOMENT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
LOCALE_FORMATS = {"sv": {"0.0%": "0.0 %", DAY: "[$-41D]d mmm yyyy", MOMENT: "[$-41D]d mmm yyyy hh:mm"}}


def excel_format(shape: str) -> str:
    """An Excel number format in the reader's language: '0.0%' is '0.0 %' in Swedish, days '[$-41D]d mmm yyyy'."""
    code = i18n.current()
    return LOCALE_FORMATS.get("sv" if code == i18n.PSEUDO else code, {}).get(shape, shape)
BY_UNIT = ("value", "target or band min", "band max", "in-house", "at the meeting", "today", "change", "target",
           "share_min", "share_max")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$")


def _excel_value(value: Any) -> tuple[Any, str | None]:
    """A cell's value and date format: ISO days and times (as text in the frames) become real dates;
    text longer than a cell holds is shortened with a marker (_xlsx_value)."""
    value = _xlsx_value(value)
    if isinstance(value, str) and ISO_DAY.match(value):
        return date.fromisoformat(value), DAY
    if isinstance(value, str) and ISO_TIME.match(value):
        return datetime.fromisoformat(value), MOMENT
    if isinstance(value, datetime):
        return value, DAY if value.time() == datetime.min.time() else MOMENT
    if isinstance(value, date):
        return value, DAY
    return value, None


def _sheet(book: Any, title: str, frame: pd.DataFrame, note: str, taken: set[str]) -> str:
    """One table as a sheet: bold headings, real percentages and dates, the note under it; its name."""
    from openpyxl.styles import Font

    sheet = book.create_sheet(_sheet_name(title, taken))
    safe = neutralise_frame(frame)
    sheet.append([neutralise(heading(c)) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    units = list(safe["unit"]) if "unit" in safe.columns else None
    for i, row in enumerate(safe.itertuples(index=False)):
        sheet.append([None] * len(safe.columns))
        for column, (name, raw) in enumerate(zip(safe.columns, row), start=1):
            value, shape = _excel_value(raw)
            if name == "unit" and value in UNIT_NAMES:
                value = _(UNIT_NAMES[value])
            cell = sheet.cell(row=i + 2, column=column, value=value)
            if shape is None and isinstance(value, (int, float)) and not isinstance(value, bool):
                shape = ("0.0%" if str(name).endswith("(0-1)")
                         else UNIT_FORMATS.get(units[i]) if units and name in BY_UNIT else None)
            if shape:
                cell.number_format = excel_format(shape)
    if note:
        sheet.append([])
        sheet.append([neutralise(note)])
    for column in sheet.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    return sheet.title


def to_xlsx(document: Document) -> bytes:
    """One sheet per table and per chart's numbers, and a cover sheet with the title and each
    section's text and the sheets that hold it (a section with nothing in the file is not listed)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    cover = book.active
    cover.title = _sheet_name(_("Cover"), set())
    taken = {cover.title.lower()}
    listed = []
    for section in document.sections:
        sheets = [_sheet(book, table.sheet or table.title, table.frame, table.note, taken) for table in section.tables]
        sheets += [_sheet(book, chart.title, chart.data, "", taken) for chart in section.charts if chart.data is not None]
        if sheets or section.text:
            listed.append((section, sheets))
    cover.append([neutralise(document.title)])
    cover.append([neutralise(document.subtitle)])
    cover["A1"].font = Font(bold=True, size=14)
    for section, sheets in listed:
        cover.append([])
        cover.append([neutralise(section.heading)])
        cover.cell(row=cover.max_row, column=1).font = Font(bold=True)
        for line in section.text.splitlines():
            cover.append([shortened(neutralise(line), XLSX_CELL_CHARS)])
        if sheets:
            cover.append([neutralise(_("Sheets: {sheets}").format(sheets=", ".join(sheets)))])
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
        return views.MISSING
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):  # as the screen writes numbers: 19,170 and 0.33, never 1.917e+04
        return i18n.number(value, 0 if value.is_integer() or abs(value) >= 1000 else 2)
    if isinstance(value, int):  # an id or a count, ungrouped as before; a Swedish minus
        return i18n.number(value, grouped=False)
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
        return value.replace("–", "-").replace("\u2212", "-").encode("latin-1", "replace").decode("latin-1")

    def heading(self, value: str, size: int) -> None:
        self.pdf.set_font(self.family, "B", size)
        self.pdf.multi_cell(0, size * 0.5, self.text(value), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def paragraph(self, value: str, size: int = 9) -> None:
        self.pdf.set_font(self.family, "", size)
        self.pdf.multi_cell(0, 4.5, self.text(value), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def table(self, table: Table) -> None:
        if self.pdf.will_page_break(20):
            self.pdf.add_page()
        self.heading(table.title, 10)
        rows_frame = table.frame if table.shown is None else table.shown  # a PDF holds no formulas
        if len(rows_frame):
            self.pdf.set_font(self.family, "", 7.5)
            rows = [[self.text(shortened(heading(c), PDF_CELL_CHARS)) for c in rows_frame.columns]]
            rows += [[self.text(shortened(_cell_text(v), PDF_CELL_CHARS)) for v in row]
                     for row in rows_frame.itertuples(index=False)]
            widths = table.widths or (2.2,) + (1,) * (len(rows[0]) - 1)  # the first column names the row
            with self.pdf.table(rows, line_height=4, text_align="LEFT", first_row_as_headings=True, col_widths=widths):
                pass
            self.pdf.ln(2)
        if table.note or not len(rows_frame):
            self.paragraph(table.note or _("Nothing to show."), 8)

    def chart_size(self, png: bytes) -> tuple[float, float]:
        """Width and height (mm) a chart's PNG is printed at."""
        pixels_wide, pixels_high = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        width = self.pdf.epw  # full width: a chart is read, not glanced at beside empty space
        return width, width * pixels_high / pixels_wide

    def chart(self, chart: Chart, png: bytes) -> None:
        """The chart as a PNG, its caption kept on the same page as the picture."""
        width, height = self.chart_size(png)
        if self.pdf.will_page_break(height + 8):
            self.pdf.add_page()
        self.heading(chart.title, 10)
        self.pdf.image(io.BytesIO(png), w=width, h=height)
        self.pdf.ln(2)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def to_pdf(document: Document) -> bytes:
    """The document as an A4 PDF: title, then each section's text, tables and charts in order."""
    writer = _Pdf(document.title)
    writer.heading(document.title, 16)
    writer.paragraph(document.subtitle, 10)
    for section in document.sections:
        pictures = [chart_png(chart.chart) for chart in section.charts]
        # A heading never ends a page: it moves on with the start of what it heads (a table, a chart).
        first = writer.chart_size(pictures[0])[1] + 8 if pictures and not section.tables else 25
        if writer.pdf.will_page_break(first + 10):
            writer.pdf.add_page()
        writer.heading(section.heading, 13)
        if section.text:
            writer.paragraph(section.text)
        for table in section.tables:
            writer.table(table)
        for chart, png in zip(section.charts, pictures):
            writer.chart(chart, png)
    return writer.output()


WRITERS = {".pdf": to_pdf, ".xlsx": to_xlsx}


def write(document: Document, out: Path) -> Path:
    """Write `document` to `out`, the format chosen by the extension (.pdf or .xlsx)."""
    check_extension(out)
    writer = WRITERS[out.suffix.lower()]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(writer(document))
    return out


def frame(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A table from plain dict rows, keeping the column order even when there are no rows."""
    return pd.DataFrame(list(rows), columns=list(columns))


# --- the partner scorecard and the meeting pack ---------------------------------------------------

FAMILIES = views.SECTIONS


def families_of(snapshot: Snapshot) -> tuple[tuple[str, str], ...]:
    """The scorecard's sections that hold figures in `snapshot`: a meeting frozen before a section
    existed shows what it showed, without an empty table for it."""
    held = {f.family for f in snapshot.figures}
    return tuple((family, heading) for family, heading in FAMILIES if family in held)


def _band(target: Any) -> tuple[Any, Any]:
    """(target or band min, band max): a band is stored as [min, max], any other target as a number."""
    return (target[0], target[1]) if isinstance(target, (list, tuple)) else (target, None)


def _status(status: str, provisional_until: str | None = None) -> str:

    return statuses.text(status, provisional_until)


def _change_word(real: bool | None) -> str | None:
    """A quality figure's change from the period before: 'real change', 'within noise', or nothing."""
    return None if real is None else _("real change") if real else _("within noise")


def figures_table(snapshot: Snapshot, family: str, title: str) -> Table:
    """One family's figures: value, target, status (icon and word), sample size and the in-house benchmark."""

    figures = [f for f in snapshot.figures if f.family == family]
    numbers = frame(
        [
            {"figure": views.figure_label(f), "value": f.value, "target or band min": _band(f.target)[0],
             "band max": _band(f.target)[1], "status": _status(f.status, f.provisional_until), "sample size": f.sample_size,
             "in-house": f.benchmark, "unit": f.unit, "numerator": f.numerator, "denominator": f.denominator,
             "interval low": f.interval[0] if f.interval else None, "interval high": f.interval[1] if f.interval else None,
             "fewest to judge": f.min_n, "previous period": f.previous_value,
             "real change?": _change_word(f.change_real)}
            for f in figures
        ],
        ["figure", "value", "target or band min", "band max", "status", "sample size", "in-house", "unit",
         "numerator", "denominator", "interval low", "interval high", "fewest to judge", "previous period",
         "real change?"],
    )
    shown = frame(
        [
            {"figure": views.figure_label(f), "value": display(f.value, f.unit),
             "target": target_words(f),
             "status": views.judged(_status(f.status, f.provisional_until), f) + (f" ({f.note})" if f.note else ""),
             "sample size": sample_text(f.metric, f.sample_size, f.left_out),
             "in-house": "–" if f.benchmark is None else display(f.benchmark, f.unit),
             "change": views.quality_change(f)}
            for f in figures
        ],
        ["figure", "value", "target", "status", "sample size", "in-house", *(["change"] if family == "quality" else [])],
    )
    if all(f.benchmark is None for f in figures):  # no in-house beside it (or not for this reader): no column
        numbers, shown = numbers.drop(columns=["in-house"]), shown.drop(columns=["in-house"])
    return Table(title, numbers, note="" if figures else _("No figures for this family."), shown=shown)


def target_words(figure: Any) -> str:
    """A frozen figure's target in the reader's words. The snapshot stores the English wording
    (frames.snapshot); where it is the one-target form it is worded again from the target itself, and
    only a target judged in several agreement parts keeps its stored English words (no parts are kept
    to word them again)."""
    direction = metric(figure.metric).direction
    said = display_target(figure.target, figure.unit, direction)
    if not figure.target_text:
        return said
    with i18n.language(i18n.DEFAULT):
        english = display_target(figure.target, figure.unit, direction)
    return said if figure.target_text == english else figure.target_text


def excused_table(snapshot: Snapshot) -> Table:
    weeks = frame([{"week": w} for w in snapshot.excused_weeks], ["week"])
    return Table(
        _("Weeks excused"), weeks,
        note=_("Service-level misses in these weeks are excused: the service level met its target once the days the "
               "centre sent more than forecast plus tolerance, with the partner staffed as contracted, are left out.")
        if snapshot.excused_weeks else _("No week in the period was excused by volume above forecast."),
    )


def unchanged(difference: Difference) -> bool:
    """A figure that reads the same today as at the meeting: value as shown, status and sample
    (a float wobble that shows as '+0.0 pts' is no change to a reader)."""
    d = difference
    return (display(d.frozen_value, d.unit) == display(d.current_value, d.unit)
            and d.frozen_status == d.current_status and d.frozen_sample == d.current_sample)


def differences_table(differences: Sequence[Difference]) -> Table:
    """The figures that moved since the meeting, one row each; those that did not are said in one line."""
    same = [d for d in differences if unchanged(d)]
    differences = [d for d in differences if not unchanged(d)]

    columns = ["figure", "at the meeting", "today", "change", "real change?", "status then", "status now",
               "sample then", "sample now"]
    rows = [
        {"figure": views.figure_label(d), "at the meeting": d.frozen_value, "today": d.current_value, "change": d.change,
         "real change?": _change_word(d.real_change),
         "status then": _status(d.frozen_status), "status now": _status(d.current_status),
         "sample then": d.frozen_sample, "sample now": d.current_sample, "unit": d.unit}
        for d in differences
    ]
    shown = [
        {**row, "at the meeting": display(d.frozen_value, d.unit), "today": display(d.current_value, d.unit),
         "change": views.change_text(d.change, d.unit) or "–", "real change?": _change_word(d.real_change) or "–",
         "status then": _status(d.frozen_status), "status now": _status(d.current_status),
         "sample then": sample_text(d.metric, d.frozen_sample), "sample now": sample_text(d.metric, d.current_sample)}
        for row, d in zip(rows, differences)
    ]
    return Table(
        _("Differences against today's data"), frame(rows, columns), sheet=_("Differences"),
        note=_("Today's data gives the same figures as the meeting showed.") if not differences else
             (_("The other figure reads the same today.") if len(same) == 1 else
              _("The other {count} figures read the same today.").format(count=i18n.number(len(same)))) if same else "",
        shown=frame(shown, columns),
    )


OVERDUE = "⚠ overdue"
# An action item's status and side as read (the stored values are these English ids).
ITEM_WORDS = {"open": N_("open"), "done": N_("done"), "dropped": N_("dropped"), "centre": N_("centre"),
              "partner": N_("partner")}


def item_word(value: str) -> str:
    """An action item's stored status or side in the reader's language."""
    return _(ITEM_WORDS[value]) if value in ITEM_WORDS else value


def _item_status(item: ActionItem, today: date) -> str:
    """The status as read: an open item past its due date says so in a word, an icon and its days late."""

    late = item.days_overdue(today)
    if late is None:
        return item_word(item.status)
    return count_text(n_("⚠ overdue by {count} day", "⚠ overdue by {count} days", late), late)


def _meetings(count: int) -> str:

    return _("none yet") if count == 0 else count_text(n_("{count} meeting", "{count} meetings", count), count)


def items_table(items: Sequence[ActionItem], title: str, empty: str, today: date, sheet: str = "") -> Table:
    """Action items with how late the open ones are (as of `today`), the day each was raised, how
    many later meetings it was carried into and the note it was closed with. Excel keeps numbers
    and dates; the screen and the PDF read them in words."""
    columns = ["item", "title", "owner", "side", "due", "status", "days overdue", "raised on",
               "carried through meetings", "closing note"]
    rows = [
        {"item": i.item_id, "title": i.title, "owner": i.owner, "side": item_word(i.side), "due": i.due_on,
         "status": item_word(i.status),
         "days overdue": i.days_overdue(today), "raised on": i.raised_on, "carried through meetings": i.carried,
         "closing note": i.closing_note}
        for i in items
    ]
    shown = [
        {"item": i.item_id, "title": i.title, "owner": i.owner, "side": item_word(i.side),
         "due": "–" if i.due_on is None else periods.day_text(i.due_on), "status": _item_status(i, today),
         "raised": "–" if i.raised_on is None else periods.day_text(i.raised_on), "carried through": _meetings(i.carried),
         "closing note": i.closing_note or "–"}
        for i in items
    ]
    shown_columns = ["item", "title", "owner", "side", "due", "status", "raised", "carried through", "closing note"]
    return Table(title, frame(rows, columns), note="" if items else empty, shown=frame(shown, shown_columns),
                 widths=(0.6, 3.2, 1.2, 1, 1.4, 1.8, 1.4, 1.4, 2.6), sheet=sheet)


def activities_table(held: Sequence[Activity]) -> Table:
    columns = ["date", "kind", "participants", "notes"]
    rows = [{"date": a.held_on, "kind": a.kind, "participants": a.participants, "notes": a.notes} for a in held]
    return Table(_("Activities"), frame(rows, columns), note="" if held else _("No activity was held in the period."))


# (metric, family) of the weekly trends drawn beside the figures; volume has its own two charts.
TREND_CHARTS = (("service_level", "availability"), ("abandon_rate", "availability"), ("asa_s", "availability"),
                ("qa_score", "quality"), ("fcr", "quality"), ("csat_top2", "quality"))


def _columns(frame: pd.DataFrame, names: tuple[str, ...], unit: str | None = None) -> pd.DataFrame:
    """The columns of a chart's frame that its sheet shows (those present), with a unit column when given."""
    picked = frame[[n for n in names if n in frame.columns]].reset_index(drop=True)
    return picked.assign(unit=unit) if unit else picked


def trend_step(snapshot: Snapshot) -> str:
    """'month' when the snapshot's trends run by month (a monthly scorecard), else 'week' (also for a
    meeting frozen before trend points carried their labels)."""
    trends = snapshot.frame("trends")
    return views.trend_step_of(trends["period"]) if "period" in trends else "week"


def charts_for(snapshot: Snapshot) -> dict[str, tuple[Chart, ...]]:
    """The charts of a scorecard or meeting, drawn from the snapshot's own series (frozen or fresh)
    by the same builders the pages use, so screen and paper cannot drift apart."""

    trends, forecast = snapshot.frame("trends"), snapshot.frame("forecast")
    if trends.empty:
        return {}
    step = trend_step(snapshot)
    out: dict[str, list[Chart]] = {family: [] for family, _ in FAMILIES}
    share = trends[trends["metric"] == "volume_share"]
    if share["value"].notna().any():
        out["centre"].append(Chart(_("Volume share against the agreed band"), charts.volume_share_band(share),
                                   _columns(share, ("period_start", "period", "value", "share_min", "share_max",
                                                    "calls_routed"),
                                            unit="fraction")))
    if not forecast.empty and forecast["sent"].notna().any():
        out["centre"].append(Chart(_("Legs sent against the forecast"), charts.forecast_vs_sent(forecast),
                                   _columns(forecast, ("week_start", "period", "forecast", "sent", "excused",
                                                       "excused_note"))))
    for name, family in TREND_CHARTS:
        rows = trends[trends["metric"] == name]
        if rows["value"].notna().any():
            label, unit = views.label(name), rows["unit"].iloc[0]
            title = (_("{label}, monthly") if step == "month" else _("{label}, weekly")).format(label=label)
            out[family].append(Chart(title, charts.trend_with_target(rows, label=label, unit=unit),
                                     _columns(rows, ("period_start", "period", "value", "target", "sample_size",
                                                     "unit"))))
    return {family: tuple(found) for family, found in out.items()}


def _week_text(week_start: date, period_start: date, period_end: date) -> tuple[str, int]:
    """An ISO week row of a period, as read, and how many of its days are in the period: a week the
    period cuts is marked partial, so a week holding one day is not read as a full one."""
    first, last = max(week_start, period_start), min(week_start + timedelta(days=7), period_end) - timedelta(days=1)
    days = (last - first).days + 1
    week, span = periods.week(week_start).label, periods.days_text(first, last)
    if days == 7:
        return f"{week} ({span})", days
    return _("{week} ({days}, partial: {count} of 7 days)").format(week=week, days=span, count=days), days


QUEUE_LABELS = {"week": "week", "queue": "queue", "offered": "offered", "answered": "answered",
                "abandoned": "abandoned", "overflowed": "overflowed", "service_level": "service level",
                "abandon_rate": "abandon rate", "asa_s": "ASA", "aht_s": "AHT"}
QUEUE_UNITS = {"offered": "count", "answered": "count", "abandoned": "count", "overflowed": "count",
               "service_level": "fraction", "abandon_rate": "fraction", "asa_s": "seconds", "aht_s": "seconds"}
EVALUATION_LABELS = {"evaluated_local": "evaluated", "queue": "queue", "agent_id": "agent", "evaluator": "evaluator",
                     "call_id": "call", "is_calibration": "calibration", "score": "score"}


def _in_order(rows: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """The columns in the order the labels give (a frozen snapshot stores them sorted by name),
    any other after them, so each column gets the width meant for it."""
    return rows[[c for c in labels if c in rows.columns] + [c for c in rows.columns if c not in labels]]


def _queue_tables(snapshot: Snapshot) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The queues by week for Excel (numbers, fractions as 0-1, days of each week in the period)
    and as read (weeks in days, %, seconds)."""

    queues = _in_order(snapshot.frame("queues"), QUEUE_LABELS)
    if queues.empty:
        return queues, queues
    weeks = [_week_text(date.fromisoformat(str(w)[:10]), snapshot.period_start, snapshot.period_end)
             for w in queues["week"]]
    numbers = queues.rename(columns={"service_level": "service level (0-1)", "abandon_rate": "abandon rate (0-1)",
                                     "asa_s": "ASA (s)", "aht_s": "AHT (s)"})
    numbers.insert(1, "days in period", [days for _, days in weeks])
    shown = pd.DataFrame({QUEUE_LABELS[c]: [text for text, _ in weeks] if c == "week" else
                          queues[c].map(lambda v, u=QUEUE_UNITS[c]: display(v, u)) if c in QUEUE_UNITS else queues[c]
                          for c in queues.columns})
    return numbers, shown


def _evaluation_tables(snapshot: Snapshot) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The QA evaluations for Excel (score 0-1) and as read (score in %, calibration yes/no)."""

    evaluations = _in_order(snapshot.frame("evaluations"), EVALUATION_LABELS)
    if evaluations.empty:
        return evaluations, evaluations
    numbers = evaluations.rename(columns={**EVALUATION_LABELS, "score": "score (0-1)"})
    shown = evaluations.rename(columns=EVALUATION_LABELS).assign(
        evaluated=[str(t)[:16].replace("T", " ") for t in evaluations["evaluated_local"]],
        calibration=[_("yes") if c else _("no") for c in evaluations["is_calibration"]],
        score=[display(v, "fraction") for v in evaluations["score"]])
    return numbers, shown


def detail_tables(snapshot: Snapshot) -> tuple[Table, ...]:
    """The rows behind the figures: the partner's queues week by week and its QA evaluations."""
    queues, queues_shown = _queue_tables(snapshot)
    evaluations, evaluations_shown = _evaluation_tables(snapshot)
    return (
        Table(_("Queues by week"), queues, note="" if len(queues) else _("No calls in the period."), shown=queues_shown,
              widths=(2.4, 1.4, 1, 1.1, 1.2, 1.2, 1, 1.1, 0.8, 0.8)),
        Table(_("QA evaluations"), evaluations, note="" if len(evaluations) else _("No evaluation in the period."),
              shown=evaluations_shown, widths=(1.6, 1.4, 1, 1, 1.2, 1, 0.8)),
    )


def family_sections(snapshot: Snapshot, charts: dict[str, tuple[Chart, ...]]) -> tuple[Section, ...]:
    """Volume, availability and quality side by side on the first page (a balanced card, never one
    number alone), then the weeks excused, each family's weekly trends, and the detail rows."""
    scorecard = Section(
        _("The scorecard"),
        text=_("Each figure against the agreement in force; in-house beside the partner's side (availability, the "
               "customer's call, quality) as the benchmark; the centre's side last.")
        if any(f.benchmark is not None for f in snapshot.figures) else
        _("Each figure against the agreement in force; the centre's side last."),
        tables=tuple(figures_table(snapshot, family, _("{section} figures").format(section=_(heading)))
                     for family, heading in families_of(snapshot)),
    )
    monthly = trend_step(snapshot) == "month"
    trends = tuple(
        Section((_("{section}: monthly trends") if monthly else _("{section}: weekly trends")).format(section=_(heading)),
                charts=charts[family]) for family, heading in FAMILIES if charts.get(family)
    )
    return (
        scorecard,
        Section(_("Weeks excused by volume above forecast"), tables=(excused_table(snapshot),)),
        *trends,
        Section(_("Details"), tables=detail_tables(snapshot)),
    )


def scorecard_document(partner: str, period_label: str, snapshot: Snapshot,
                       charts: dict[str, tuple[Chart, ...]], extra: Sequence[Section] = ()) -> Document:
    return Document(
        _("Partner scorecard: {partner}").format(partner=partner),
        _("Period {period} · reporting time zone {zone} · data as of {moment}").format(
            period=period_label, zone=snapshot.time_zone, moment=periods.clock_text(snapshot.taken_at, snapshot.time_zone)),
        (*family_sections(snapshot, charts), *extra),
    )


def sampling_section(found: sampling.Sampling) -> Section:
    """Who sampled what (metrics.sampling): the summary and warnings as text, the evaluations per agent
    and the spread over weeks, weekdays and hours as tables (each its own sheet in Excel)."""
    text = " ".join(frames.sampling_lines(found) + [f"⚠ {w}" for w in frames.sampling_warnings(found)])
    titles = {"week_start": (_("Evaluations by week"), _("Sampled by week")),
              "weekday": (_("Evaluations by weekday"), _("Sampled by weekday")),
              "hour": (_("Evaluations by hour of day"), _("Sampled by hour"))}
    spreads = tuple(
        Table(titles[grain][0], frames.sampling_spread(found, grain), sheet=titles[grain][1])
        for grain in views.SAMPLING_GRAINS) if found.evaluations else ()
    agents = ((Table(_("Evaluations per agent"), found.per_agent, sheet=_("Evaluations per agent")),)
              if found.evaluations else ())
    return Section(_("Who sampled what"), text=text, tables=(*agents, *spreads))


def meeting_document(partner: str, snapshot: Snapshot, *, meeting: Meeting | None = None,
                     carried: Sequence[ActionItem] = (), changed: Sequence[ActionItem] = (),
                     held: Sequence[Activity] = (), differences: Sequence[Difference] | None = None,
                     today: date | None = None, commercial: Sequence[Section] = ()) -> Document:
    """The meeting pack, starting with the meeting: decisions and minutes (once held), action items
    (overdue as of `today`), then the figures (frozen once saved) and what moved since, the commercial
    record of the months closed in the period (reports.finance), then the charts at full width, the
    details and the activities. Without a meeting it is the preparation pack for the next one."""
    today = today or clock.today()
    period = periods.between(snapshot.period_start, snapshot.period_end)
    sections: tuple[Section, ...] = ()
    if meeting is not None:
        minutes = "\n".join(
            line for line in (
                _("Decisions: {decisions}").format(decisions=meeting.decisions) if meeting.decisions else "",
                _("Held on {day}; period {period}.").format(day=periods.day_text(meeting.held_on), period=period.text),
                _("Attendees: {attendees}").format(attendees=meeting.attendees) if meeting.attendees else "",
                _("Notes: {notes}").format(notes=meeting.notes) if meeting.notes else "",
            ) if line
        )
        sections += (Section(_("Decisions and minutes"), text=minutes),)
    item_tables = (items_table(carried, _("Still open"), _("No action item is open."), today, _("Items still open")),)
    if meeting is not None:
        item_tables = (items_table(changed, _("Raised or closed in this meeting"),
                                   _("No action item was raised or closed."), today, _("Items raised or closed")),
                       *item_tables)
    figures, *rest = family_sections(snapshot, charts_for(snapshot))
    sections += (Section(_("Action items"), tables=item_tables), figures)
    if differences is not None:
        sections += (Section(
            _("Differences against today's data"),
            text=_("The figures above are as the meeting saw them; late imports and corrections since then give:"),
            tables=(differences_table(differences),),
        ),)
    sections += (*tuple(commercial), *rest, Section(_("Activities in the period"), tables=(activities_table(held),)))
    moment = periods.clock_text(snapshot.taken_at, snapshot.time_zone)
    if meeting is None:
        title = _("Service meeting preparation: {partner}").format(partner=partner)
        subtitle = _("Period {period} · figures as of {moment} · times in {zone}").format(
            period=period.text, moment=moment, zone=snapshot.time_zone)
    else:
        title = _("Service meeting: {partner}").format(partner=partner)
        subtitle = _("Held {day} · period {period} · figures as of {moment} · times in {zone}").format(
            day=periods.day_text(meeting.held_on), period=period.text, moment=moment, zone=snapshot.time_zone)
    return Document(title, subtitle, sections)


# --- files from the command line (cron-ready) -----------------------------------------------------


def check_extension(out: Path) -> None:
    """Refuse an unknown extension before any work is done."""
    if out.suffix.lower() not in WRITERS:
        raise UserError(_("cannot write {name}: the file must end in .pdf or .xlsx").format(name=out.name))


def parse_scorecard_period(text: str, today: date | None = None) -> Period:
    """A week (2026-W47) or month (2026-11), or last-week / last-month for a cron job."""
    today = today or clock.today()
    if text == "last-week":
        return periods.last_complete_week(today)
    if text == "last-month":
        return periods.month(today.replace(day=1) - timedelta(days=1))
    period = periods.parse(text)
    if period.grain not in ("week", "month"):
        raise UserError(_("a scorecard period is a week (2026-W47) or a month (2026-11), not {text}").format(
            text=repr(text)))
    return period


def scorecard_for(con: Connection, partner_id: int, partner: str, period: Period, tz: str,
                  partner_ids: tuple[int, ...] | None = None) -> Document:
    """The scorecard document of one partner, read on `con` (rendering happens after it is closed),
    for a reader of scope `partner_ids` (a partner's own recipients: the in-house figures only where
    the partner lets its users see them)."""
    snapshot = frames.snapshot(con, partner_id, period, tz, partner_ids)
    return scorecard_document(partner, period.named, snapshot, charts_for(snapshot),
                              (sampling_section(sampling.sampling(con, partner_id, period, tz)),))


def write_scorecard(partner: str, period: Period, out: Path, db: str | None = None) -> Path:

    with store.reading(db) as con:
        partner_id = registry.known_partner(con, partner)
        document = scorecard_for(con, partner_id, partner, period, settings.get(con, "reporting_tz"))
    return write(document, out)


def file_stem(name: str, most: int | None = None, empty: str = "partner") -> str:
    """A name made safe and short as a file name on every system: no slashes, no leading dot or =,
    at most `most` bytes of UTF-8 (cut on a character boundary)."""
    most = most or settings.input_limit("max_file_name_bytes")
    stem = re.sub(r"[^0-9A-Za-zÅÄÖåäö_-]+", "-", name).strip("-_")
    return stem.encode("utf-8")[:most].decode("utf-8", errors="ignore").strip("-_") or empty


def safe_file_name(name: str) -> str:
    """A user's file name made safe and short, keeping its extension (the importer reads it)."""
    path = Path(name)
    suffix = re.sub(r"[^0-9A-Za-z.]+", "", path.suffix)[:12]
    return file_stem(path.stem, empty="upload") + suffix


@dataclass(frozen=True)
class Batch:
    """What `write_all_scorecards` did: the files written and, per partner it could not write, why."""

    written: tuple[Path, ...]
    failed: tuple[str, ...]  # "partner: reason", one line each


def write_all_scorecards(period: Period, folder: Path, suffixes: Sequence[str], db: str | None = None) -> Batch:
    """Every partner's scorecard for `period` into `folder`, one file per partner and format.

    One partner's failure (a value no file can hold, a name the disk refuses) stops only that
    partner's files: the others are written, and the failure is said by the partner's name.
    """
    files, failed = all_scorecard_files(period, suffixes, db=db)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, file_name, data in files:
        try:
            out = folder / file_name
            out.write_bytes(data)
            written.append(out)
        except Exception as error:  # noqa: BLE001
            failed.append(_failure(name, error))
    return Batch(tuple(written), tuple(failed))


def all_scorecard_files(period: Period, suffixes: Sequence[str], db: str | None = None,
                        partner_ids: Sequence[int] | None = None) -> tuple[list[tuple[str, str, bytes]], list[str]]:
    """Every partner's scorecard for `period` (of the partners in `partner_ids`, when given) as
    (partner, file name, bytes) per partner and format, and one line per partner whose file could not
    be made: `cli scorecards` writes them into a folder, the Overview packs them into one zip."""
    for suffix in suffixes:
        check_extension(Path(f"scorecard{suffix}"))
    with store.reading(db) as con:
        tz = settings.get(con, "reporting_tz")
        partners = [p for p in registry.list_partners(con) if partner_ids is None or p[0] in partner_ids]
        if not partners:
            raise UserError(_("there are no partners yet: add one with python -m cli partner add NAME"))
        stems = [file_stem(name) for _, name, _ in partners]
        documents, failed = [], []
        for (partner_id, name, _), stem in zip(partners, stems):
            stem = f"{stem}-{partner_id}" if stems.count(stem) > 1 else stem
            try:
                documents.append((name, stem, scorecard_for(con, partner_id, name, period, tz, partner_ids)))
            except Exception as error:  # noqa: BLE001  (one partner's failure is reported, the rest go on)
                failed.append(_failure(name, error))
    files = []
    for name, stem, document in documents:
        for suffix in suffixes:
            try:
                files.append((name, f"{stem}_{period.label}{suffix}", WRITERS[suffix](document)))
            except Exception as error:  # noqa: BLE001
                failed.append(_failure(name, error))
    return files, failed


NOT_MADE = "NOT-MADE.txt"


def zipped(files: Sequence[tuple[str, str, bytes]], failed: Sequence[str]) -> bytes:
    """The files as one zip, with NOT-MADE.txt naming each partner whose file could not be made."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for _partner, file_name, data in files:
            archive.writestr(file_name, data)
        if failed:
            archive.writestr(NOT_MADE, _("These files could not be made:") + "\n" + "\n".join(failed) + "\n")
    return buffer.getvalue()


def _failure(partner: str, error: Exception) -> str:
    """One line: which partner, and why (an OSError by its reason, anything else by its first line)."""
    if isinstance(error, OSError) and error.strerror:
        reason = error.strerror
    else:
        reason = next(iter(str(error).strip().splitlines()), type(error).__name__)
    return f"{shortened(partner, 80)}: {reason[:300]}"
