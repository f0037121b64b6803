"""The render helpers every page shares: the start of a page of figures, tiles, tables and charts over
the cached loaders (each with its CSV download), and the empty state when there is nothing to show.

table() and chart() take a loader of ui/loaders.py and its arguments, and cache what they draw by
the loader's name and those arguments (small, cheap to hash).
"""
from __future__ import annotations

import functools
import secrets
from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st
# Imported with the app, not on the first styled table: loading pandas' Styler compiles its Jinja
# templates (60-130 ms), which a first look paid.
from pandas.io.formats.style import Styler
from streamlit import dataframe_util

from data import i18n
from data.errors import UserError
from data.i18n import N_, _, n_
from metrics import statuses
from metrics.definitions import metric
from metrics.scorecard import Figure, Scorecard
from partners import periods
from reports import charts, exports, views
from ui import boundary, columns, filters, loaders, source, tiles
from ui.source import Source, cached

EMPTY_HINT = N_(
    "Import a call-leg file on the **Data** page, or build demo data with "
    "`python -m cli demo` and reload."
)
PARTNER_HINT = N_(
    "An admin adds one with **Add a partner** on the **Agreements** page (or `python -m cli partner add NAME`; "
    "`python -m cli demo` builds demo data), then imports its legs on the **Data** page."
)


def metric_page(title: str, *, needs_partner: bool) -> tuple[Source, filters.Filters]:
    """Start a page of figures: its title (translated), then, with nothing to show, the empty state and a stop."""
    src, chosen = source.current(), filters.chosen()
    st.title(title)
    if not loaders.has_calls(src):
        empty_state(_("There are no calls yet."))
        st.stop()
    if needs_partner and chosen.partner_id is None:
        empty_state(_("There are no partners yet."), hint=_(PARTNER_HINT))
        st.stop()
    return src, chosen


# --- small render helpers ----------------------------------------------------------------------


def empty_state(what: str, *, hint: str | None = None) -> None:
    """Say why there is nothing to show and the next step (never an empty chart).

    The next step is `hint`, else, on a store without calls, how to get some; a page that says the
    next step once itself (the Data page) passes hint="" to its tables so it is not repeated.
    """
    step = hint if hint is not None else "" if loaders.has_calls(source.current()) else _(EMPTY_HINT)
    st.info(f"{what} {step}".strip(), icon=":material/info:")


def freshness_line(held: pd.DataFrame) -> None:
    """How many legs in how many queues, up to the newest interval (nothing when no queue holds any)."""
    if not held.empty:
        legs, queues = int(held["legs"].sum()), len(held)
        st.markdown(_("**{legs}** in {queues}, {newest}.").format(
            legs=n_("{n} call leg", "{n} call legs", legs).format(n=i18n.number(legs)),
            queues=n_("{n} queue", "{n} queues", queues).format(n=i18n.number(queues)), newest=_newest(held)))


def _newest(held: pd.DataFrame) -> str:
    """The start of the newest 15-minute interval with legs, in words ('no legs yet' when none)."""
    last = held["last_interval"].dropna()
    return _("no legs yet") if last.empty else _("up to the interval starting {moment}").format(
        moment=f"{last.max():%Y-%m-%d %H:%M}")


def chart(builder: Callable[..., alt.TopLevelMixin], key: str, loader: Callable[..., pd.DataFrame], *args: object,
          empty: str | None = None, has_data: str | None = None, **options: object) -> None:
    """A chart from a metrics.charts builder over a cached loader's table, with the table as a CSV
    download underneath; no rows (or nothing in the `has_data` column) shows the empty state.

    The Vega-Lite spec is cached by the loader's arguments (small, cheap to hash): building it
    costs more than the cached data it draws; the chart as drawn is cached too (`_drawn_chart`).
    The CSV is written when its button is clicked.
    """
    drawn = _drawn_chart(key, builder.__name__, loader, args, has_data, tuple(sorted(options.items())), i18n.current())
    if drawn is None:
        empty_state(empty or _("No data for this view yet."))
        return
    frame, stem = drawn
    download(csv_of(frame), key, stem=stem)


@cached
def _drawn_chart(key: str, builder: str, loader: Callable[..., pd.DataFrame], args: tuple, has_data: str | None,
                 options: tuple, language: str) -> tuple[pd.DataFrame, str] | None:
    """The chart drawn, with the table its CSV is written from and the CSV's name. Streamlit replays
    what a cached function drew, so a rerun sends the drawn chart again without converting it."""
    drawn = prepared_chart(getattr(charts, builder), loader, *args, has_data=has_data, **dict(options))
    if drawn is None:
        return None
    spec, frame = drawn
    st.vega_lite_chart(spec, key=key, width="stretch")
    return frame, csv_stem(key, args, loader)


def prepared_chart(builder: Callable[..., alt.TopLevelMixin], loader: Callable[..., pd.DataFrame], *args: object,
                   has_data: str | None = None, **options: object) -> tuple[dict, pd.DataFrame] | None:
    """What `chart` draws (spec, and the table its CSV is written from), cached: also called by
    ui/warm.py before anyone asks."""
    return _drawn(builder.__name__, loader.__name__, args, has_data, tuple(sorted(options.items())))


@cached
def _drawn(builder: str, loader: str, args: tuple, has_data: str | None,
           options: tuple) -> tuple[dict, pd.DataFrame] | None:
    frame = getattr(loaders, loader)(*args)
    if frame.empty or (has_data is not None and not frame[has_data].notna().any()):
        return None
    return as_sent(fitted(charts.spec(getattr(charts, builder), frame, **dict(options)))), frame


def as_sent(spec: dict) -> dict:
    """The spec with its datasets as the Arrow bytes Streamlit sends the browser: st.vega_lite_chart
    converts a dataset given as rows on every run, and passes bytes on as they are, so a cached
    spec is converted once."""
    if "datasets" in spec:
        spec["datasets"] = {name: dataframe_util.convert_anything_to_arrow_bytes(rows)
                            for name, rows in spec["datasets"].items()}
    return spec


def csv_of(frame: pd.DataFrame) -> Callable[[], bytes]:
    """A table's CSV download, written when the button is clicked (a deferred download): writing
    every table's and chart's CSV on every run, to offer a button few click, cost more than drawing."""
    return functools.partial(exports.csv_bytes, frame)


def spec_of(chart: alt.TopLevelMixin) -> dict:
    """A chart's Vega-Lite spec fitted to the page's width only: Streamlit's default ("fit") squeezes
    title, axes and legend into the spec's height, which left a 140 px chart a strip of dots with its
    title cut off, and 'Legs sent against forecast' 30 px high under its legend."""
    return fitted(chart.to_dict(validate=False))  # the builders' specs are validated by tests/test_charts.py, not on every draw


def fitted(spec: dict) -> dict:
    """The spec fitted to the page's width only (spec_of)."""
    spec.setdefault("autosize", {"type": "fit-x", "contains": "padding"})
    return spec


def table(key: str, loader: Callable[..., pd.DataFrame], *args: object, empty: str | None = None,
          hint: str | None = None) -> None:
    """A cached loader's table with its CSV download underneath, or the empty state.

    The screen shows labels and units from ui/columns.py; the CSV keeps the machine names
    and plain numbers (README: "Tables and their CSV downloads"). Streamlit's own toolbar download
    is switched off in .streamlit/config.toml, so this button is the only one.
    """
    frame, stem = _drawn_table(key, loader, args, i18n.current())
    if frame.empty:
        empty_state(empty or _("Nothing here yet."), hint=hint)
        return
    if columns.has_times(frame):
        st.caption(_("Times in {zone}.").format(zone=source.current().tz))
    download(csv_of(frame), key, stem=stem)


@cached
def _drawn_table(key: str, loader: Callable[..., pd.DataFrame], args: tuple, language: str) -> tuple[pd.DataFrame, str]:
    """A loader's table drawn (when it has rows), with the table and its CSV's name. Streamlit replays
    what a cached function drew, so a rerun sends the drawn table again: styling the missed statuses
    (a pandas Styler) and converting the table cost 7-12 ms a table on every run."""
    frame = prepared_table(loader, *args)
    if not frame.empty:
        dataframe(_marked(columns.shown(frame)), key, column_config=columns.config(frame))
    return frame, csv_stem(key, args, loader)


def agent_level(src: Source, partner: str, place: str, loader: Callable[..., pd.DataFrame], *args: object) -> None:
    """Record that the page shows `partner`'s agent ids at `place` when the loader's table has rows
    (docs/privacy.md: every agent-level view is in the audit log)."""
    if not prepared_table(loader, *args).empty:  # the table's own (warmed, cached) read
        source.agent_view(src, partner, place)


def table_download(key: str, loader: Callable[..., pd.DataFrame], *args: object) -> None:
    """Only the CSV download of a cached loader's table, for a page that draws the table its own way."""
    download(csv_of(loader(*args)), key, stem=csv_stem(key, args, loader))


def plain_table(key: str, frame: pd.DataFrame) -> None:
    """A table read afresh on every run (the Access page's lists): labelled, with no CSV download."""
    dataframe(columns.shown(frame), key, column_config=columns.config(frame))


def dataframe(data: pd.DataFrame | Styler, key: str, **options: object) -> None:
    """st.dataframe as every table of the app shows one: no index, the page's width, a missing cell
    shown as views.MISSING (Streamlit's default writes "None"), and every column the caller did not
    configure headed by its name in the reader's language (the files' column names are marked in
    reports/: 'figure', 'sample size', 'billed quantity')."""
    given = dict(options.pop("column_config", None) or {})
    frame = data if isinstance(data, pd.DataFrame) else data.data  # a Styler holds its frame
    headed = {name: st.column_config.Column(label=_(name)) for name in frame.columns
              if isinstance(name, str) and name not in given}
    st.dataframe(data, key=key, hide_index=True, width="stretch", placeholder=views.MISSING,
                 column_config={**headed, **given}, **options)


def editor(data: pd.DataFrame, key: str, **options: object) -> pd.DataFrame:
    """st.data_editor with the same defaults as `dataframe`; returns the edited rows."""
    return st.data_editor(data, key=key, hide_index=True, width="stretch", placeholder=views.MISSING, **options)


def _marked(frame: pd.DataFrame) -> pd.DataFrame | Styler:
    """A missed status in bold red text beside its word and icon, so it stands out when scanning."""
    marked = [name for name in frame.columns if name == "status" or str(name).endswith("_status")]
    if not marked:
        return frame
    missed = statuses.ICONS[statuses.RED]
    return frame.style.map(lambda cell: "color: #c62828; font-weight: bold" if cell == missed else "", subset=marked)


def prepared_table(loader: Callable[..., pd.DataFrame], *args: object) -> pd.DataFrame:
    """What `table` shows (the cached loader's table): also called by ui/warm.py before anyone asks."""
    return loader(*args)


def download(csv: bytes | Callable[[], bytes], key: str, *, stem: str | None = None) -> None:
    """The CSV download of a table, its file named `stem` (`csv_stem`: by what it holds) or `key`."""
    st.download_button(
        _("Download as CSV"), csv, file_name=f"{stem or key}.csv", mime="text/csv", key=f"{key}_csv",
        on_click="ignore", icon=":material/download:",
    )


def csv_stem(key: str, args: tuple, loader: Callable[..., object] | None) -> str:
    """A CSV's name: `key`, the partner a loader of one partner's data reads (ui/source.per_partner:
    its id is the first argument after the Source) or a partner named in the arguments, and the
    period ('availability_summary_2026-W47', 'trend_service_level_FlexiCall_2026-W47'), so two
    downloads never overwrite each other."""
    per_partner = bool(args) and getattr(loader, "per_partner", False)
    names = {pid: name for name, pid in loaders.partner_names(args[0]).items()} if per_partner else {}
    partner = [names[args[1]]] if per_partner and args[1] in names else []
    partner += [a for a in args[1:] if isinstance(a, str) and a not in partner and a not in key]
    said = [*partner, *(a.label for a in args if isinstance(a, periods.Period))]
    return "_".join(exports.file_stem(part) for part in [key, *said])


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_downloads(what: str, stem: str, key: str, pdf: Callable[[], bytes], xlsx: Callable[[], bytes]) -> None:
    """'Download <what> (PDF)' and '(Excel)' side by side (`what` translated: "the scorecard"), each file made only when its button is
    clicked (a PDF renders its charts): a rerun of the page builds neither. A file that cannot be
    made still downloads: a one-page file saying so, with the id of the traceback in the server log
    (a failing deferred download otherwise does nothing at all in the browser)."""
    with st.container(horizontal=True):
        st.download_button(_("Download {what} (PDF)").format(what=what), never_silent(pdf, exports.to_pdf, what),
                           file_name=f"{stem}.pdf",
                           mime="application/pdf", key=f"{key}_pdf", icon=":material/picture_as_pdf:", on_click="ignore")
        st.download_button(_("Download {what} (Excel)").format(what=what), never_silent(xlsx, exports.to_xlsx, what),
                           file_name=f"{stem}.xlsx", mime=XLSX, key=f"{key}_xlsx", icon=":material/table_view:",
                           on_click="ignore")


def never_silent(make: Callable[[], bytes], writer: Callable[[exports.Document], bytes],
                 what: str) -> Callable[[], bytes]:
    """`make`, or, when it raises, a file in the same format that says it could not be made and why."""
    language = i18n.current()  # the file is made in a later run, said in the language of the click

    def made() -> bytes:
        try:
            return make()
        except Exception as error:  # noqa: BLE001  (the browser gets a file that says so, the log the traceback)
            error_id = secrets.token_hex(4)
            boundary.LOG.exception("download of %s failed, error %s", what, error_id)
            said = str(error).strip().splitlines()[0][:300] if isinstance(error, UserError) and str(error).strip() else ""
            with i18n.language(language):
                title = _("{what} could not be made").format(what=what)
                return writer(exports.Document(title[:1].upper() + title[1:], " ".join(
                    [_("Error {id}.").format(id=error_id), *([said] if said else []),
                     _("The details are in the server log under this id; tell your administrator.")]), ()))
    return made


def all_scorecards_download(src: Source, period: periods.Period) -> None:
    """Every partner's scorecard of the period (PDF and Excel) in one zip, made when clicked; a zip
    that cannot be made still downloads, holding NOT-MADE.txt with the reason."""
    def failed(document: exports.Document) -> bytes:
        return exports.zipped((), (f"{document.title}. {document.subtitle}",))

    st.download_button(_("Download every partner's scorecard for {period} (zip)").format(period=period.named),
                       never_silent(lambda: loaders.scorecards_zip(src, period), failed, _("the scorecards")),
                       file_name=f"scorecards_{exports.file_stem(period.label)}.zip", mime="application/zip",
                       key="all_scorecards", icon=":material/folder_zip:", on_click="ignore")


def scorecard_downloads(src: Source, partner_id: int, partner: str, period: periods.Period) -> None:
    """The scorecard as `python -m cli scorecard` writes it, named by partner and period."""
    stem = f"{exports.file_stem(partner)}_scorecard_{exports.file_stem(period.label)}"
    file_downloads(_("the scorecard"), stem, "scorecard",
                   lambda: loaders.scorecard_file(src, partner_id, partner, period, ".pdf"),
                   lambda: loaders.scorecard_file(src, partner_id, partner, period, ".xlsx"))


def kpi_row(figures: tuple[Figure, ...]) -> None:
    """One tile per figure (ui/tiles.py): value, status as icon and word, change, target and sample."""
    tiles.show(figures)


def scorecard_sections(card: Scorecard) -> None:
    """The scorecard's sections in order, each a heading, what it is about, and its tiles."""
    for family, heading in views.SECTIONS:
        figures = card.family(family)
        if figures:
            st.subheader(_(heading))
            if family in views.SECTION_NOTES:
                st.caption(_(views.SECTION_NOTES[family]))
            kpi_row(figures)


def interval_charts(src: Source, period: periods.Period) -> None:
    """One interval chart per partner, each the page's width, over the same days so they line up."""
    partners = loaders.intervals(src, period)["partner"].unique()
    if not len(partners):
        empty_state(_("No intervals inside opening hours in this period."))
    for i, partner in enumerate(sorted(partners)):
        chart(charts.interval_attainment, f"intervals_{i}", loaders.partner_intervals, src, period, partner,
              **interval_options(period, partner))


def interval_options(period: periods.Period, partner: str) -> dict[str, str]:
    """The options of a partner's interval chart."""
    return {"title": partner, "start": period.start.isoformat(), "end": period.end.isoformat()}


def trend_charts(src: Source, partner_id: int, period: periods.Period, names: tuple[str, ...], key: str) -> None:
    """13-week (13-month for a month) trend charts with target lines, two side by side, each with its CSV underneath."""
    columns = st.columns(2)
    for i, name in enumerate(names):
        with columns[i % 2]:
            chart(charts.trend_with_target, f"{key}_{name}", loaders.trend, src, partner_id, period, name,
                  **trend_options(name), empty=_("No {figure} in {span}.").format(
                      figure=views.in_sentence(_(metric(name).label)), span=views.trend_span(period)))


def trend_options(name: str) -> dict[str, str]:
    """The options of a metric's trend chart (its label in the reader's language)."""
    return {"label": _(metric(name).label), "unit": metric(name).unit, "has_data": "value"}
