"""What every page shares: who is looking, the chosen filters, cached loaders and small widgets.

Cached loaders take plain hashable arguments only: the `Source` (database path, data version,
reporting time zone, scope) and the filters. The data version is bumped by every committed write,
so an import that lands changes every cache key and the next run reads fresh figures; `ttl` and
`max_entries` keep the caches bounded. Loaders call metrics/ and data/ functions: no SQL here.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from data import clock, settings, store
from data.errors import UserError
from ingest import importing
from ingest import reads as import_reads
from metrics import reads, series, statuses
from metrics import scorecard as scorecards
from metrics.definitions import metric
from metrics.scorecard import Figure, Scorecard
from partners import agreements, hours, periods, registry
from partners.access import OUT_OF_SCOPE, Scope
from reports import charts, exports, views
from ui import columns, signin

cached = st.cache_data(ttl="15m", max_entries=128, show_spinner=False)


def per_partner(loader: Callable[..., object]) -> Callable[..., object]:
    """A cached read of one partner's data that refuses a partner outside the viewer's scope.

    The pickers only offer the partners in scope; this check is the second lock, where the data is
    read, so a page that passed the wrong id fails loudly instead of drawing another partner.
    """
    read = cached(loader)

    @functools.wraps(loader)
    def guarded(src: Source, partner_id: int, *args: object) -> object:
        if not src.scope.allows(partner_id):
            raise UserError(OUT_OF_SCOPE)
        return read(src, partner_id, *args)

    return guarded

PROFILES = importing.PROFILES

EMPTY_HINT = (
    "Import a call-leg file on the **Data** page, or build demo data with "
    "`python -m cli demo` and reload."
)
PARTNER_HINT = (
    "An admin adds one with **Add a partner** on the **Agreements** page (or `python -m cli partner add NAME`; "
    "`python -m cli demo` builds demo data), then imports its legs on the **Data** page."
)


@dataclass(frozen=True)
class Source:
    """Everything a cached read depends on besides its filters."""

    db: str
    version: int
    tz: str
    scope: Scope


@dataclass(frozen=True)
class Filters:
    partner_id: int | None
    partner: str | None
    period: periods.Period


def source() -> Source:
    """Who is looking and the data version, checked on every run.

    A missing database file is created empty, so a first start shows the empty state and the
    Data page can take the first upload. The scope comes from the sign-in gate, which stops the
    run with its own page when nobody with access is signed in.
    """
    path = store.db_path()
    if not path.exists():
        store.create(path)
    scope = signin.current_scope()
    version, tz, current = _version(str(path), _stamp(path))
    if not current:  # a file from before the newest migration (only a write migrates): bring it forward
        store.create(path)
        version, tz, current = _version(str(path), _stamp(path))
    return Source(str(path), version, tz, scope)


def _stamp(path: Path) -> tuple[tuple[int, int], ...]:
    """Modification time and size of the database and its WAL: every commit changes one of them."""
    stamps = []
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            info = file.stat()
        except FileNotFoundError:
            continue
        stamps.append((info.st_mtime_ns, info.st_size))
    return tuple(stamps)


@st.cache_data(ttl="5s", max_entries=16, show_spinner=False)
def _version(db: str, stamp: tuple[tuple[int, int], ...]) -> tuple[int, str, bool]:
    """The data version, reporting zone and whether the schema is the newest, read only when the
    file changed (opening a large database costs more than the rest of a warm run); the short ttl
    covers two commits that land within one tick of the file clock."""
    with store.reading(db) as con:
        newest = store.schema_version(con) == store.migrations()[-1][0]
        return store.data_version(con), settings.get(con, "reporting_tz"), newest


# --- cached loaders ------------------------------------------------------------------------------


@cached
def partner_names(src: Source) -> dict[str, int]:
    with store.reading(src.db) as con:
        frame = reads.partners(con, src.scope.partner_ids)
    return dict(zip(frame["name"], frame["partner_id"].astype(int)))


@cached
def period_choices(src: Source, grain: str, today: dt.date) -> list[str]:
    with store.reading(src.db) as con:
        span = reads.leg_days(con, src.tz)
    return [p.label for p in reads.period_choices(span, today, grain)]


@cached
def import_history(src: Source) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return import_reads.import_history(con, src.tz)


@cached
def rejected_rows(src: Source, batch_id: int | None) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return import_reads.rejected_rows(con, batch_id)


@cached
def freshness(src: Source) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return reads.freshness(con, src.tz, src.scope.partner_ids)


@cached
def queue_log_waiting(src: Source) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return import_reads.queue_log_waiting(con, src.tz)


def newest(held: pd.DataFrame) -> str:
    """The start of the newest 15-minute interval with legs, in words ('no legs yet' when none)."""
    last = held["last_interval"].dropna()
    return "no legs yet" if last.empty else f"the interval starting {last.max():%Y-%m-%d %H:%M}"


@cached
def has_calls(src: Source) -> bool:
    with store.reading(src.db) as con:
        return reads.leg_days(con, src.tz) is not None


@per_partner
def scorecard(src: Source, partner_id: int, period: periods.Period) -> Scorecard:
    with store.reading(src.db) as con:
        return scorecards.scorecard(con, partner_id, period, src.tz)


@cached
def overview(src: Source, period: periods.Period) -> list[Scorecard]:
    with store.reading(src.db) as con:
        return scorecards.overview(con, period, src.tz, src.scope.partner_ids)


@per_partner
def availability_trends(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return reads.availability_trends(con, partner_id, period, src.tz)


@per_partner
def quality_trends(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return reads.quality_trends(con, partner_id, period, src.tz)


@per_partner
def trend(src: Source, partner_id: int, period: periods.Period, name: str) -> pd.DataFrame:
    """One metric's 13 weeks: quality figures from the quality trend, the rest from the rollups."""
    family = quality_trends if name in reads.QUALITY_METRICS else availability_trends
    frame = family(src, partner_id, period)
    return frame[frame["metric"] == name].reset_index(drop=True)


@cached
def overview_table(src: Source, period: periods.Period) -> pd.DataFrame:
    return views.overview_table(overview(src, period))


@per_partner
def figures_table(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    return views.figures_table(scorecard(src, partner_id, period))


@cached
def availability_summary(src: Source, period: periods.Period) -> pd.DataFrame:
    return views.attainment_summary(intervals(src, period), overview(src, period))


@per_partner
def forecast_weeks(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    trends = availability_trends(src, partner_id, period)
    with store.reading(src.db) as con:
        return reads.forecast_weeks(con, partner_id, period, trends)


@per_partner
def heatmap(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return reads.heatmap_cells(con, partner_id, period, src.tz)


@per_partner
def staffing(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return reads.staffing_intervals(con, partner_id, period, src.tz)


@cached
def intervals(src: Source, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        frame = series.interval_availability(con, period, src.tz, src.scope.partner_ids)
    names = {v: k for k, v in partner_names(src).items()}
    return views.interval_points(frame, names)


@cached
def partner_intervals(src: Source, period: periods.Period, partner: str) -> pd.DataFrame:
    frame = intervals(src, period)
    return frame[frame["partner"] == partner].drop(columns=["partner"]).reset_index(drop=True)


@per_partner
def qa_sections(src: Source, partner_id: int, partner: str, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        frame = series.qa_sections(con, period, src.tz, src.scope.partner_ids)
    return views.qa_against_in_house(frame, partner_id, partner)


@per_partner
def qa_evaluations(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return series.qa_evaluations(con, period, src.tz, (partner_id,)).drop(columns=["partner_id"])


@per_partner
def calibration(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return series.calibration_spread(con, period, src.tz, (partner_id,)).drop(columns=["partner_id"])


# --- filters, synced to the URL ----------------------------------------------------------------


def _seed(key: str, wanted: str | None, options: list[str]) -> bool:
    """Give a widget its value from the URL on a session's first run, or when it is no longer valid.

    Returns False when, on the session's first run, the link asked for a value that is not among
    the options and was replaced (later runs replace only what the viewer's own clicks made stale).
    """
    first = key not in st.session_state
    if st.session_state.get(key) in options:
        return True
    st.session_state[key] = wanted if wanted in options else (options[0] if options else None)
    return not first or wanted is None or wanted in options


def _replaced(what: str, wanted: str, shown: str | None, scope: Scope) -> None:
    """One line when a link's partner or period could not be shown, naming what is shown instead.

    A partner's own user is not told the name back: 'not found' for another partner's name would
    still print it on their page.
    """
    asked = f"the link's {what}" if what == "partner" and scope.is_partner else f"{what} {wanted!r}"
    instead = f": showing {shown}" if shown else ""
    st.info(f"{asked[:1].upper()}{asked[1:]} not found{instead}.", icon=":material/link_off:")


def sidebar(src: Source, *, uses_period: bool = True) -> None:
    """The shared sidebar: partner and period pickers and the reporting time zone.

    The URL's query parameters seed the pickers on the first run and mirror them afterwards, so a
    copied link reopens the same partner and period (the page is in the URL path). On a page that
    does not use the period (it picks its own, or shows none) the period picker is drawn disabled,
    with a line saying so, so it keeps its value for the next page and nobody thinks it applies.
    """
    signin.sidebar_identity(src.scope)
    names = partner_names(src)
    params = st.query_params
    link_partner, link_period = params.get("partner"), params.get("period")
    with st.sidebar:
        partner_found = _seed("partner", link_partner, list(names))
        partner = st.selectbox("Partner", list(names), key="partner", placeholder="no partners yet")
        wanted = link_period
        grain = periods.parse(wanted).grain if _parses(wanted) else "week"
        if "grain" not in st.session_state:
            st.session_state["grain"] = grain
        grain = st.segmented_control("Period", ["week", "month"], key="grain", disabled=not uses_period) or "week"
        options = period_choices(src, grain, clock.today(src.tz))
        if _parses(wanted) and wanted not in options and periods.parse(wanted).grain == grain:
            options = [wanted, *options]
        period_found = _seed("period", wanted, options)
        label = st.selectbox("Period", options, key="period", label_visibility="collapsed", disabled=not uses_period)
        if not uses_period:
            st.caption("This page does not use the period above.")
        st.caption(f"Reporting time zone: **{src.tz}**")
    if not partner_found:
        _replaced("partner", link_partner, partner, src.scope)
    if not period_found:
        _replaced("period", link_period, label, src.scope)
    params["period"] = label
    if partner is None:
        params.pop("partner", None)
    else:
        params["partner"] = partner
    st.session_state["_source"] = src
    st.session_state["_filters"] = Filters(names.get(partner), partner, periods.parse(label))


def _parses(label: str | None) -> bool:
    if not label:
        return False
    try:
        periods.parse(label)
    except UserError:
        return False
    return True


def filters() -> Filters:
    """The partner and period the sidebar chose on this run."""
    return st.session_state["_filters"]


def current_source() -> Source:
    return st.session_state["_source"]


def metric_page(title: str, *, needs_partner: bool) -> tuple[Source, Filters]:
    """Start a page of figures: its title, then, with nothing to show, the empty state and a stop."""
    src, chosen = current_source(), filters()
    st.title(title)
    if not has_calls(src):
        empty_state("There are no calls yet.")
        st.stop()
    if needs_partner and chosen.partner_id is None:
        empty_state("There are no partners yet.", hint=PARTNER_HINT)
        st.stop()
    return src, chosen


# --- small render helpers ----------------------------------------------------------------------


def empty_state(what: str, *, hint: str | None = None) -> None:
    """Say why there is nothing to show and the next step (never an empty chart).

    The next step is `hint`, else, on a store without calls, how to get some; a page that says the
    next step once itself (the Data page) passes hint="" to its tables so it is not repeated.
    """
    step = hint if hint is not None else "" if has_calls(current_source()) else EMPTY_HINT
    st.info(f"{what} {step}".strip(), icon=":material/info:")


def chart(builder: Callable[..., alt.TopLevelMixin], key: str, loader: Callable[..., pd.DataFrame], *args: object,
          empty: str = "No data for this view yet.", has_data: str | None = None, **options: object) -> None:
    """A chart from a metrics.charts builder over a cached loader's table, with the table as a CSV
    download underneath; no rows (or nothing in the `has_data` column) shows the empty state.

    The Vega-Lite spec and the CSV are cached by the loader's arguments (small, cheap to hash):
    building, validating and writing them costs more than the cached data they draw.
    """
    drawn = _drawn(builder.__name__, loader.__name__, args, has_data, tuple(sorted(options.items())))
    if drawn is None:
        empty_state(empty)
        return
    spec, csv = drawn
    st.vega_lite_chart(spec, key=key, width="stretch")
    download(csv, key)


@cached
def _drawn(builder: str, loader: str, args: tuple, has_data: str | None, options: tuple) -> tuple[dict, bytes] | None:
    frame = globals()[loader](*args)
    if frame.empty or (has_data is not None and not frame[has_data].notna().any()):
        return None
    spec = getattr(charts, builder)(frame, **dict(options)).to_dict()
    # Fit the page's width only: Streamlit's default ("fit") squeezes title, axes and legend into the
    # spec's height, which left a 140 px chart a strip of dots with its title cut off.
    spec.setdefault("autosize", {"type": "fit-x", "contains": "padding"})
    return spec, exports.csv_bytes(frame)


def table(key: str, loader: Callable[..., pd.DataFrame], *args: object, empty: str = "Nothing here yet.",
          hint: str | None = None) -> None:
    """A cached loader's table with its CSV download underneath, or the empty state.

    The screen shows labels and units from ui/columns.py; the CSV keeps the machine names
    and plain numbers (README: "Tables and their CSV downloads"). Streamlit's own toolbar download
    is switched off in .streamlit/config.toml, so this button is the only one.
    """
    frame, csv = _tabled(loader.__name__, args)
    if frame.empty:
        empty_state(empty, hint=hint)
        return
    st.dataframe(_marked(frame), key=key, hide_index=True, width="stretch", column_config=columns.config(frame))
    if columns.has_times(frame):
        st.caption(f"Times in {current_source().tz}.")
    download(csv, key)


def _marked(frame: pd.DataFrame) -> pd.DataFrame | pd.io.formats.style.Styler:
    """A missed status in bold red text beside its word and icon, so it stands out when scanning."""
    marked = [name for name in frame.columns if name == "status" or str(name).endswith("_status")]
    if not marked:
        return frame
    missed = statuses.ICONS[statuses.RED]
    return frame.style.map(lambda cell: "color: #c62828; font-weight: bold" if cell == missed else "", subset=marked)


@cached
def _tabled(loader: str, args: tuple) -> tuple[pd.DataFrame, bytes]:
    frame = globals()[loader](*args)
    return frame, exports.csv_bytes(frame)


def download(csv: bytes, key: str) -> None:
    st.download_button(
        "Download as CSV", csv, file_name=f"{key}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore",
        icon=":material/download:",
    )


def kpi_row(figures: tuple[Figure, ...]) -> None:
    """One bordered tile per figure: value, change against the previous period, and below it the
    status as icon and word with the target and the sample size (never colour alone)."""
    columns = st.columns(min(len(figures), 4) or 1)
    for i, figure in enumerate(figures):
        with columns[i % len(columns)]:
            short = metric(figure.metric).label  # 'Service level' fits a tile; its variant goes in the help
            variant = figure.label.removeprefix(short).strip(" ()")
            counted = f"Counted as {variant}: " if variant else ""
            st.metric(
                short, views.display(figure.value, figure.unit), views.change(figure),
                delta_color=views.delta_colour(figure), border=True, help=counted + metric(figure.definition).description,
            )
            sample = f" · n = {figure.sample_size:,}" if figure.sample_size is not None else ""
            target = views.target_text(figure)
            target = f" · {target}" if target else ""
            st.caption(f"{figure.status_text}{target}{sample}")


def interval_charts(src: Source, period: periods.Period) -> None:
    """One interval chart per partner, each the page's width, over the same days so they line up."""
    partners = intervals(src, period)["partner"].unique()
    if not len(partners):
        empty_state("No intervals inside opening hours in this period.")
    for i, partner in enumerate(sorted(partners)):
        chart(charts.interval_attainment, f"intervals_{i}", partner_intervals, src, period, partner,
              title=partner, start=period.start.isoformat(), end=period.end.isoformat())


def trend_charts(src: Source, partner_id: int, period: periods.Period, names: tuple[str, ...], key: str) -> None:
    """13-week trend charts with target lines, two side by side, each with its CSV underneath."""
    columns = st.columns(2)
    for i, name in enumerate(names):
        with columns[i % 2]:
            chart(charts.trend_with_target, f"{key}_{name}", trend, src, partner_id, period, name,
                  label=metric(name).label, unit=metric(name).unit, has_data="value",
                  empty=f"No {views.in_sentence(metric(name).label)} in these 13 weeks.")


# --- the Data page's upload --------------------------------------------------------------------


def import_upload(src: Source, uploaded: UploadedFile | None, profile: str, tz: str) -> None:
    """Import an uploaded file through the same importer as the CLI, with a progress bar.

    The importer reads a path and records it with the file's hash, so the upload is kept in an
    uploads/ folder beside the database (UTC time + its own name, with the file's hash in the
    history); the history, the result and any refusal name the file as the user knows it, not the
    server-side path. The outcome is kept in the session and the page runs again, so the history
    and freshness below are read at the new data version.
    """
    if uploaded is None:
        st.session_state["last_import"] = {"error": "choose a file to import first"}
        st.rerun()
    bar = st.progress(0.0, text=f"Importing {uploaded.name}")
    name = Path(uploaded.name).name
    path = (Path(src.db).parent / "uploads" / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S.%fZ}-{name}").resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(uploaded.getvalue())
    try:
        summary = importing.import_file(
            path, profile=profile, tz=tz or None, db=src.db, imported_by=src.scope.email, file_name=name,
            progress=lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message),
        )
        st.session_state["last_import"] = summary.as_dict()
    except UserError as error:
        st.session_state["last_import"] = {"error": str(error).replace(str(path), name)}
    st.rerun()


def last_import() -> None:
    """The summary of this session's last upload and the rows it rejected."""
    outcome = st.session_state.get("last_import")
    if not outcome:
        return
    if "error" in outcome:
        st.error(outcome["error"], icon=":material/error:")
        return
    st.success(
        f"{outcome['file_name']}: read {outcome['read']:,}, imported {outcome['imported']:,}, "
        f"duplicates {outcome['duplicates']:,}, filtered {outcome['filtered']:,}, rejected {outcome['rejected']:,}.",
        icon=":material/check_circle:",
    )
    if outcome.get("filtered_by"):
        st.caption("Filtered by rule: " + ", ".join(f"{rule} {count:,}" for rule, count in outcome["filtered_by"].items()))
    if outcome.get("notes"):
        st.info(f"Notes: {outcome['notes']}.", icon=":material/info:")
    if outcome["rejected"]:
        table("last_import_rejected", rejected_rows, source(), outcome["batch_id"])


# --- the Agreements page ------------------------------------------------------------------------


def partner_form(src: Source) -> None:
    """Add a partner by name through the same domain function as `python -m cli partner add`.

    Saving runs as the button's callback, before the sidebar is drawn again, so the new partner is
    already chosen there and this page shows its (empty) agreement with the form to add one.
    """
    with st.form("partner_add"):
        st.text_input("Name (as the call-leg files write it)", key="partner_add_name")
        st.form_submit_button("Add partner", key="partner_add", on_click=_save_partner, args=(src,))
    outcome("partner_outcome")


def _save_partner(src: Source) -> None:
    state = st.session_state
    try:
        with store.writing(src.db) as con:
            registry.add_partner(con, state["partner_add_name"], actor=src.scope.email)
    except UserError as error:
        state["partner_outcome"] = ("error", str(error))
        return
    name = state["partner_add_name"].strip()
    state["partner"] = name
    state["partner_outcome"] = ("success", f"Added partner {name!r}. Its queues are created by its first import "
                                           "(rows naming it in the partner column).")


@per_partner
def agreement_history(src: Source, partner_id: int) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return reads.agreement_history(con, partner_id, src.tz)


def agreement_form(src: Source, partner_id: int, partner: str) -> None:
    """A form for a new version, pre-filled with the newest one so changing one target keeps the rest.

    An empty box leaves that target unset (its figure gets no status). The boxes set no limits of
    their own: partners.agreements.checked refuses what is out of range, said in the form's words.
    Saving runs as the submit button's callback, before the page is drawn again, so the history
    above already shows it.
    """
    history = agreement_history(src, partner_id)
    latest = history.iloc[0].to_dict() if not history.empty else {}
    with st.form(f"agreement_{partner_id}"):
        st.date_input("Valid from", key=f"agreement_valid_from_{partner_id}")
        st.selectbox(
            "Service-level variant", agreements.VARIANTS, key=f"agreement_sl_variant_{partner_id}",
            index=agreements.VARIANTS.index(latest.get("sl_variant") or agreements.VARIANTS[0]),
        )
        boxes = st.columns(4)
        for i, (name, label, kind) in enumerate(columns.AGREEMENT_FIELDS):
            current = latest.get(name)
            value = None if current is None or pd.isna(current) else float(current) * (100 if kind == "%" else 1)
            whole = kind == "int"
            boxes[i % 4].number_input(
                f"{label} (%)" if kind == "%" else label, value=int(value) if whole and value is not None else value,
                step=1 if whole else 1.0,
                key=f"agreement_{name}_{partner_id}",
            )
        st.text_input("Note (why this version)", key=f"agreement_note_{partner_id}")
        st.form_submit_button(
            "Add version", key=f"agreement_add_{partner_id}", type="primary",
            on_click=_save_agreement, args=(src, partner_id, partner),
        )
    outcome("agreement_outcome")


def outcome(key: str) -> None:
    """The message a save callback left under `key` (success or error), shown once."""
    saved = st.session_state.pop(key, None)
    if saved:
        kind, message = saved
        (st.success if kind == "success" else st.error)(message)


def _save_agreement(src: Source, partner_id: int, partner: str) -> None:
    state = st.session_state
    targets = {}
    for name, _label, kind in columns.AGREEMENT_FIELDS:
        entered = state[f"agreement_{name}_{partner_id}"]
        targets[name] = None if entered is None else entered / 100 if kind == "%" else int(entered) if kind == "int" else entered
    try:
        with store.writing(src.db) as con:
            added = agreements.add_version(
                con, partner_id, state[f"agreement_valid_from_{partner_id}"], created_by=src.scope.email,
                note=state[f"agreement_note_{partner_id}"], sl_variant=state[f"agreement_sl_variant_{partner_id}"], **targets,
            )
    except UserError as error:
        state["agreement_outcome"] = ("error", _in_form_words(error))
        return
    state["agreement_outcome"] = ("success", f"Added version {added.agreement_id} for {partner}, valid from {added.valid_from}.")


def _in_form_words(error: UserError) -> str:
    """The domain's refusal said with the form's labels and units (180 %, not 1.8 or sl_target)."""
    if not isinstance(error, agreements.TargetError):
        return str(error)
    labels = {name: (label, kind) for name, label, kind in columns.AGREEMENT_FIELDS}
    if error.field not in labels:
        return str(error)
    label, kind = labels[error.field]

    def amount(value: object) -> str:
        return f"{round(float(value) * 100, 6):g} %" if kind == "%" else f"{float(value):g}"

    if error.rule == "fraction":
        return f"{label} must be between 0 and 100 %, not {amount(error.value)}."
    if error.rule == "order":
        other = labels[error.other][0]
        return f"{label} ({amount(error.value)}) must not be above {other} ({amount(error.other_value)})."
    if error.rule == "negative":
        return f"{label} must not be negative, not {amount(error.value)}."
    if error.rule == "range":
        low, high = agreements.RANGES[error.field]
        return f"{label} must be between {low:g} and {high:g}, not {amount(error.value)}."
    return str(error)


@per_partner
def hours_history(src: Source, partner_id: int) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return reads.hours_history(con, partner_id, src.tz)


def hours_form(src: Source, partner_id: int, partner: str) -> None:
    """A form for a new opening-hours version, pre-filled with the newest one's text to edit."""
    history = hours_history(src, partner_id)
    with st.form(f"hours_{partner_id}"):
        st.date_input("Valid from", key=f"hours_valid_from_{partner_id}")
        st.text_input(
            "Open (days and local times)", value=history["hours"].iloc[0] if not history.empty else hours.EXAMPLE,
            key=f"hours_text_{partner_id}",
            help=f"For example {hours.EXAMPLE}, or {hours.AROUND_THE_CLOCK}. Several spans a day: "
                 "mon 08:00-12:00, 13:00-17:00. A close not after the open passes midnight (fri 22:00-02:00 "
                 "covers Saturday 00:00-02:00); 00:00-24:00 is the whole day; days not named are closed. Spans may "
                 "touch (08:00-12:00, 12:00-14:00) but not overlap.",
        )
        st.text_input("Note (why these hours)", key=f"hours_note_{partner_id}")
        st.form_submit_button(
            "Add hours version", key=f"hours_add_{partner_id}", type="primary",
            on_click=_save_hours, args=(src, partner_id, partner),
        )
    outcome("hours_outcome")


def _save_hours(src: Source, partner_id: int, partner: str) -> None:
    state = st.session_state
    valid_from = state[f"hours_valid_from_{partner_id}"]
    try:
        spans = hours.parse(state[f"hours_text_{partner_id}"])
        with store.writing(src.db) as con:
            hours.add_version(con, partner_id, valid_from, spans, actor=src.scope.email,
                              note=state[f"hours_note_{partner_id}"])
    except UserError as error:
        state["hours_outcome"] = ("error", str(error))
        return
    state["hours_outcome"] = ("success", f"{partner} is open {hours.describe(spans)} from {valid_from}.")
