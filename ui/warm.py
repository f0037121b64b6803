"""No cold start: the views people open first are computed before anyone asks.

After every change of the data (a new data version: an import, an agreement, a meeting saved) and
when the app starts, a background thread fills the caches the pages read (ui/loaders.py,
ui/meetings.py) for the last complete week and month: the Overview and its availability summary,
every partner's scorecard, trends, heatmap, staffing, quality tables, and each partner's meeting
proposal with its figures. The caches are keyed by the data version and by what the viewer may see
(`source.shared`), so one warm-up serves every centre user; a partner user's own view is read on
their first visit. A failure here only leaves that view to be read when it is opened, where the
page says what went wrong.
"""
from __future__ import annotations

import atexit
import functools
import gc
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st

from data import clock, i18n
from partners import periods
from reports import charts, views
from ui import loaders, render
from ui import meetings as meeting_views
from ui.source import Source, installation_language, shared

log = logging.getLogger(__name__)

# The 13-week trends the scorecard and Quality pages draw (render.trend_charts).
TRENDS = ("service_level", "abandon_rate", "asa_s", "transfer_back_rate", "qa_score", "fcr", "csat_top2", "nps")


@dataclass
class Warming:
    """The warm-ups started in this process, by (database, data version, zone, language): set when done."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    started: dict[tuple[str, int, str, str], threading.Event] = field(default_factory=dict)


@st.cache_resource
def _warming() -> Warming:
    return Warming()


# OVERFLOW_WARM=off leaves the caches to fill as pages are opened (the test suite, whose many small
# databases would each start a warm-up; tests/app/test_warm.py turns it back on).
SWITCH = "OVERFLOW_WARM"


def start(src: Source) -> None:
    """Warm the first views of `src`'s data version in the background, once per version, in the
    installation's language only: a reader who picks another language has their views read as they
    open them. Each language's views are cached apart (metrics/ words the scorecards), so warming
    every language a reader once picked would run a whole warm-up (20-30 s of CPU) beside the pages
    that reader and everyone else then opens (docs/benchmarks.md)."""
    if os.environ.get(SWITCH, "on") == "off" or src.language != installation_language():
        return
    src = shared(src)
    state = _warming()
    key = (src.db, src.version, src.tz, src.language)
    with state.lock:
        if key in state.started:
            return
        state.started[key] = done = threading.Event()
    threading.Thread(target=_warm, args=(src, done), name="warm-first-views", daemon=True).start()


def wait_all(timeout_s: float) -> bool:
    """Block until every warm-up started in this process is done (for the benchmark); False on timeout."""
    return all(done.wait(timeout_s) for done in list(_warming().started.values()))


def _warm(src: Source, done: threading.Event) -> None:
    i18n.use(src.language)  # a new thread starts in the default language: warm the reader's views
    try:
        for job in first_views(src):
            try:
                job()
            except Exception:  # noqa: BLE001 - the page reads it again when opened, and says what failed
                log.warning("warming %s failed", getattr(job, "func", job), exc_info=True)
        _settle()
    finally:
        done.set()


def _settle() -> None:
    """Leave what the process holds now (modules, the warmed caches) out of Python's later garbage
    collections: a full collection walks every object the process holds, and one came during a
    page's switch to a period not seen, 0.1-0.35 s of it (docs/benchmarks.md, issue 22). What was
    left out before is looked at again first, so the caches of an older data version are freed; at
    exit they are given back to the collector, so that extension objects (DuckDB's) are finalised."""
    with _SETTLING:
        if not _AT_EXIT:
            atexit.register(gc.unfreeze)
            _AT_EXIT.append(True)
        gc.unfreeze()
        gc.collect()
        gc.freeze()


_SETTLING = threading.Lock()  # two warm-ups' settles one after the other
_AT_EXIT: list[bool] = []     # gc.unfreeze registered for the exit


def first_views(src: Source) -> list[Callable[[], object]]:
    """The cached reads behind the views opened first, cheapest and most shared first."""
    if not loaders.has_calls(src):
        return []
    today = clock.today(src.tz)
    names = loaders.partner_names(src)
    jobs: list[Callable[[], object]] = []
    for grain in ("week", "month"):
        period = periods.parse(loaders.period_choices(src, grain, today)[0])
        jobs += [functools.partial(render.prepared_table, loaders.overview_table, src, period),
                 functools.partial(render.prepared_table, loaders.centre_table, src, period),
                 functools.partial(render.prepared_table, loaders.availability_summary, src, period),
                 functools.partial(render.prepared_table, loaders.in_house_queues, src, period),
                 functools.partial(loaders.overview_matrix, src, period, views.OVERVIEW_METRICS),
                 functools.partial(loaders.overview_matrix, src, period, views.CENTRE_METRICS),
                 functools.partial(loaders.overview_misses, src, period)]
        for name, partner_id in names.items():
            jobs += _partner_views(src, partner_id, name, period)
    for name, partner_id in names.items():
        jobs.append(functools.partial(_meeting_views, src, partner_id))
    return jobs


def _partner_views(src: Source, partner_id: int, name: str, period: periods.Period) -> list[Callable[[], object]]:
    """What a partner's scorecard, Availability and Quality pages draw for one period (app_pages/)."""
    chart, table, at = render.prepared_chart, render.prepared_table, (src, partner_id, period)
    return [
        functools.partial(loaders.scorecard, *at),
        functools.partial(loaders.quality_card, *at),
        functools.partial(table, loaders.figures_table, *at),
        functools.partial(chart, charts.volume_share_band, loaders.trend, *at, "volume_share", has_data="value"),
        functools.partial(chart, charts.forecast_vs_sent, loaders.forecast_weeks, *at, has_data="forecast"),
        *(functools.partial(chart, charts.trend_with_target, loaders.trend, *at, metric, **render.trend_options(metric))
          for metric in TRENDS),
        functools.partial(chart, charts.sl_heatmap, loaders.heatmap, *at),
        functools.partial(chart, charts.staffing, loaders.staffing, *at),
        functools.partial(chart, charts.qa_by_section, loaders.qa_sections, src, partner_id, name, period),
        functools.partial(table, loaders.qa_evaluations, *at),
        functools.partial(loaders.sampling, *at),
        functools.partial(chart, charts.calibration_spread, loaders.calibration, *at),
        functools.partial(chart, charts.interval_attainment, loaders.partner_intervals, src, period, name,
                          **render.interval_options(period, name)),
    ]


def _meeting_views(src: Source, partner_id: int) -> None:
    """The Service meetings page of a partner as it opens: the proposed period and its figures."""
    proposed = meeting_views.proposal(src, partner_id, meeting_views.today())
    period = periods.between(proposed.period.start, proposed.period.end)  # as the page's date picker gives it
    meeting_views.past_meetings(src, partner_id)
    meeting_views.open_items(src, partner_id)
    meeting_views.activities(src, partner_id, period)
    meeting_views.drawn(src, partner_id, period, None)
