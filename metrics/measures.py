"""Numerators, denominators and sample sizes of every metric for one range of local days, per partner.

The scorecard judges these against agreements; the pages and exports read them as tables. Partner
id None is the in-house group. Every reader takes `partner_ids` (None = everything) and passes it
into the SQL, so a partner user's scope is enforced where the data is read.
"""
from __future__ import annotations

import contextlib
import functools
import operator
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from data import settings, store
from data.store import Connection
from metrics import aggregate
from metrics.aggregate import ratio
from metrics.definitions import ROLLUP_METRICS, SL_VARIANTS, Metric, metric
from metrics.sqlfiles import sql
from partners import hours, periods
from partners.access import scope_sql
from partners.periods import Period


@dataclass(frozen=True)
class Measure:
    """One metric's value with what it was computed from. value None = no data."""
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    sample_size: int | None = None
    left_out: int | None = None   # FCR: answered legs without a usable customer id, beside its sample
    # A mean's sum of squared observations (QA score, CSAT mean; NPS: promoters + detractors, its answers
    # as +1/0/-1), for the figure's interval (metrics.intervals); None where the figure has none.
    sum_squares: float | None = None


def of(numerator: Any, denominator: Any, sample_size: int | None = None, scale: float = 1.0) -> Measure:
    value = ratio(numerator, denominator)
    return Measure(None if value is None else value * scale, numerator, denominator, sample_size)


WEEK_OF = re.compile(r"\{week_of ([\w.]+)\}")
WEEK_OF_DAY = re.compile(r"\{week_of_day ([\w.]+)\}")
PERIOD_OF_DAY = re.compile(r"\{period_of_day ([\w.]+)\}")
PERIOD_OF = re.compile(r"\{period_of ([\w.]+)\}")


def detail_sql(name: str, params: dict[str, Any], partner_ids: Sequence[int] | None, step: str | None = None,
               grain: str | None = None) -> str:
    """One statement of metrics/sql/details.sql as it runs: {scope} filled with the partner scope (whose
    values are added to `params`), {evaluation_scores} with that statement, {week_of X} with the
    reporting-zone ISO week (or month, as `step` says) of X when the rows are grouped by `step`, else
    with a NULL DATE, and {period_of X} with X's period_start and utc_offset at `grain` (default: the
    step, else the whole range). At step SPLIT (two ranges read together) a week is the first day of
    the range holding X: $start_day, or $split_day from the instant $split on."""
    text = sql("details", JOURNEYS.get(name, name)).replace("{evaluation_scores}", sql("details", "evaluation_scores"))
    text = text.replace("{journey_rows}", sql("details", JOURNEY_ROWS.get(name, "journey_rows")))
    text = text.replace("{scope}", scope_sql("q.partner_id", partner_ids, params))
    week = rf"CAST(date_trunc('{step}', \1 AT TIME ZONE $tz) AS DATE)" if step else "CAST(NULL AS DATE)"
    day = rf"CAST(date_trunc('{step}', \1) AS DATE)" if step else "CAST(NULL AS DATE)"
    if step == aggregate.SPLIT:  # the first day of the range holding X: [$start, $split) or [$split, $end)
        week = r"CAST(timezone($tz, CASE WHEN \1 < $split THEN $start ELSE $split END) AS DATE)"
        day = "CAST(" + SPLIT_DAY.format(day=r"\1") + " AS DATE)"
    grain = grain or step or "total"
    text = PERIOD_OF.sub(lambda found: aggregate.period_columns(grain, found.group(1)), text)
    text = PERIOD_OF_DAY.sub(lambda found: _period_of_day(grain, found.group(1)), text)
    text = WEEK_OF_DAY.sub(day, text)
    return WEEK_OF.sub(week, text)


# The first day of the range holding the local day {day} when two ranges are read split at $split_day.
SPLIT_DAY = "CASE WHEN {day} < $split_day THEN $start_day ELSE $split_day END"


def _period_of_day(grain: str, day: str) -> str:
    """period_start and utc_offset of the local day `day` at a grain of a day or coarser, as the rollups cut them."""
    if grain == "total":
        start = aggregate.PERIOD_START["total"]
    elif grain == aggregate.SPLIT:
        start = f"CAST({SPLIT_DAY.format(day=day)} AS TIMESTAMP)"
    else:
        start = f"CAST(date_trunc('{grain}', {day}) AS TIMESTAMP)"
    return f"{start} AS period_start, INTERVAL '0 seconds' AS utc_offset"


# The statements that read the legs and their equivalents over the detail aggregates (wait_histogram,
# repeat_gaps), which hold whole local days of one zone and repeat gaps of up to the most FCR days.
FROM_AGGREGATES = {"p90_wait": "p90_wait_histogram", "fcr": "fcr_gaps",
                   "in_house_service_counts": "in_house_service_histogram", "call_volume": "call_volume_paths"}
DAY_GRAINS = (None, "day", "week", "month", "total")
# The customer's call is one statement over one row per call and partner: call_journeys as imports
# keep it (`journeys_held`, any zone and grain: its rows carry instants), or the same rows from the legs.
JOURNEYS = {"journeys_held": "journeys"}
JOURNEY_ROWS = {"journeys_held": "journey_rows_held"}


def statement_for(con: Connection, name: str, params: dict[str, Any], grain: str | None = None) -> str:
    """`name`, or its equivalent over the detail aggregates when they hold what it asks: the range is
    whole local days of the aggregates' zone (every Period is; so is every `cli metrics` range), the
    grain a day or coarser, and FCR's N days within their reach. The customer's call is always read
    from call_journeys (migration 16), which holds it for any range and zone."""
    if name == "journeys":
        return "journeys_held"
    if name not in FROM_AGGREGATES or grain not in DAY_GRAINS or not store.has_table(con, "detail_zone"):
        return name  # a file read before its migration to schema 11
    if store.remembered(con, ("detail zone",), lambda: store.execute(con, sql("views", "detail_zone")).scalar()) != params["tz"]:
        return name
    if "days" in params and params["days"] > settings.limits("fcr_days")[1]:
        return name
    return FROM_AGGREGATES[name]


def detail_rows(con: Connection, name: str, params: dict[str, Any], partner_ids: Sequence[int] | None,
                step: str | None = None, grain: str | None = None) -> list[dict[str, Any]]:
    """Run one statement of metrics/sql/details.sql (see detail_sql) with the values it uses bound."""
    params = dict(params)
    text = detail_sql(statement_for(con, name, params, grain), params, partner_ids, step, grain)
    return _judged_rows(con, name, text, used_values(text, params))


def _judged_rows(con: Connection, name: str, text: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of one statement as dicts, judged (`_judged_hours`); interval_sl's are made and
    judged once per read-only connection and query (the Availability page's summary, intervals and
    staffing chart read the same ~3,000 rows, and each made them dicts and judged every one again).
    The rows are then shared, as a `together` group's already are: no reader changes them."""
    def judged() -> list[dict[str, Any]]:
        return _judged_hours(con, name, store.execute(con, text, values).dicts())
    if name != "interval_sl":
        return judged()
    return store.remembered(con, ("judged rows", text, tuple(sorted(values.items()))), judged)


def _judged_hours(con: Connection, name: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of `name`; those of interval_sl with `inside_hours` in place of `queue_local`: whether
    the interval starts inside its partner's opening hours in force then (partners.hours.Opening)."""
    if name != "interval_sl":
        return rows
    opening = hours.opening(con)
    for row in rows:
        row["inside_hours"] = opening.inside(row["partner_id"], row.pop("queue_local"))
    return rows


def used_values(text: str, params: dict[str, Any]) -> dict[str, Any]:
    """The values of `params` that the statement binds ($name): DuckDB refuses the others."""
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", text)}


def range_params(period: Period, tz: str) -> dict[str, Any]:
    start, end = period.utc_bounds(tz)
    return {"start": start, "end": end, "start_day": period.start, "end_day": period.end, "tz": tz}


def leg_days(con: Connection, tz: str) -> tuple[date, date] | tuple[None, None]:
    """The first and last reporting-zone day holding legs ((None, None) for an empty store): the
    last one is where the held call data ends, which decides whether FCR is provisional."""
    first, last = store.execute(con, sql("views", "leg_days"), {"tz": tz}).rows[0]
    return first, last


# The detail metrics each part of `measure` gives. A part runs one statement of details.sql: the one
# its metrics' definitions name (tests/test_metrics_definitions.py holds that they name one).
DETAIL_PARTS: dict[str, tuple[str, ...]] = {
    "p90": ("p90_wait_s",),
    "forecast": ("forecast_accuracy",),
    "staffing": ("staffed_vs_contracted",),
    "calls": ("volume_share", "calls_routed", "answered_share"),
    "qa": ("qa_score", "qa_score_before_fatal", "critical_error_rate"),
    "fcr": ("fcr",),
    "surveys": ("csat_top2", "csat_mean", "nps"),
    "journeys": ("in_house_wait_s", "partner_wait_s", "total_wait_s", "customer_service_level",
                 "calls_overflowed_early", "calls_outside_hours", "calls_back_and_forth"),
}
PARTS = ("rollups", *DETAIL_PARTS)


def part_statement(part: str) -> str:
    """The details.sql statement a part of `measure` runs, from its metrics' definitions."""
    return metric(DETAIL_PARTS[part][0]).statement


# The rollup figures of a group without legs: its counts are 0 (a week without calls offered 0 legs);
# its ratios are left out, so they read "no data".
NO_LEGS = {m.name: Measure(0) for m in ROLLUP_METRICS if m.unit == "count"}
# Likewise a partner no call was routed to in a period with calls has routed 0 (the statement says
# so); in a period without any call it routed 0 too, and its shares are "no data".
NO_CALLS = {"calls_routed": Measure(0)}


# The parts of `measure` read with one partner's own terms (call_terms), never shared between partners.
OWN_TERMS_PARTS = ("journeys",)

# While `shared_reads` is on, what `measure` and `interval_sl_rows` read for every partner, by what
# they were asked: each statement runs once for all partners and serves each partner's request.
_SHARED: ContextVar[dict[tuple, Any] | None] = ContextVar("shared_reads", default=None)


@contextlib.contextmanager
def shared_reads() -> Iterator[None]:
    """Within the block, `measure` and `interval_sl_rows` read every partner at once and keep it, so
    the Overview's scorecards (every partner, both periods) share one grouped read per statement
    instead of one per partner; the `together` blocks inside it share what they read too. Only for
    one connection's reads of one data version."""
    token = _SHARED.set({})
    grouped = _TOGETHER.set(((), {}))
    try:
        yield
    finally:
        _TOGETHER.reset(grouped)
        _SHARED.reset(token)


# While `together` is on: the periods read together, and what was read for them (by what was asked).
_TOGETHER: ContextVar[tuple[tuple[Period, ...], dict[tuple, Any]] | None] = ContextVar("together", default=None)
# The grains whose consecutive periods one statement reads grouped (the trends' steps).
GROUPED_GRAINS = ("week", "month")
# The parts of `measure` whose statements group by week or month; forecast gives whole ranges only.
STEPPED_PARTS = ("rollups", "p90", "staffing", "calls", "qa", "fcr", "surveys", "journeys")
# The steps (weeks, or months) of a trend, ending with the period's (metrics.series, metrics.reads).
TREND_STEPS = 13
# The parts the trends read over their steps (series.trend, series.quality_trend): a scorecard's
# group reads these over the trend's steps, so that the page's trends ask the very same statements.
TREND_PARTS = ("rollups", "calls", "qa", "fcr", "surveys")


@contextlib.contextmanager
def together(group: Sequence[Period]) -> Iterator[None]:
    """Within the block, `measure` and `interval_sl_rows` asked for a period of `group` (consecutive
    weeks or consecutive months: a scorecard's period and the one before it; or two consecutive
    ranges of days: a meeting's and the days before it) read every period of the group at once, one
    statement per part grouped by week or month, as the weekly trends do (two ranges: split at the
    second's first day, `_step`), and keep the result for the others: half the statements for a
    scorecard, the same figures as one read per period (tests/test_measures_together.py). A period
    outside the group (the part of a period one agreement version covers) is read on its own as
    before. Nested in `shared_reads` (the Overview), what is read is shared by every scorecard of
    the block."""
    group = tuple(group)
    grouped = (len(group) > 1 and all(p.grain == group[0].grain for p in group)
               and all(a.end == b.start for a, b in zip(group, group[1:]))
               and (group[0].grain in GROUPED_GRAINS or len(group) == 2))
    outer = _TOGETHER.get()
    token = _TOGETHER.set((group if grouped else (), outer[1] if outer is not None else {}))
    try:
        yield
    finally:
        _TOGETHER.reset(token)


def reach(day: date) -> date:
    """The end of the `together` group one of whose periods ends on `day` (else `day` itself): a read
    of weekly figures up to `day` may read up to there instead, so that the group's other periods
    ask the very same statement, which a read-only connection answers again from its first answer."""
    state = _TOGETHER.get()
    if state is None or day not in {p.end for p in state[0]}:
        return day
    return state[0][-1].end


def group_span(period: Period) -> Period:
    """The days of the `together` group `period` is read with (see _group_of), else its own."""
    group = _group_of(period)
    return _span(group) if group else period


def _group_of(period: Period) -> tuple[Period, ...]:
    """The periods read together with `period`, its days (empty when it is read on its own): a terms
    part that covers a whole period is that period."""
    state = _TOGETHER.get()
    return state[0] if state is not None and _days(period) in {_days(p) for p in state[0]} else ()


def _days(period: Period) -> tuple[date, date]:
    return period.start, period.end


def _together(key: tuple, read: Callable[[], Any]) -> Any:
    """`read()` once per `key` within the `together` block."""
    memo = _TOGETHER.get()[1]
    if key not in memo:
        memo[key] = read()
    return memo[key]


def _span(group: Sequence[Period]) -> Period:
    return Period(group[0].start, group[-1].end, "range", f"{group[0].label}..{group[-1].label}")


def _trend_span(group: Sequence[Period]) -> Period:
    """The trend's steps ending with the group's last period (which hold the whole group)."""
    return _span(periods.steps_ending(group[-1], TREND_STEPS))


def _shared(key: tuple, read: Callable[[], Any]) -> Any:
    """`read()` once per `key` while shared_reads is on, else every time."""
    memo = _SHARED.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def measure(con: Connection, period: Period, tz: str, *, fcr_days: int,
            partner_ids: Sequence[int] | None = None,
            only: Collection[str] = PARTS, call_terms: CallTerms | None = None) -> dict[int | None, dict[str, Measure]]:
    """Every period-level metric per partner (None = in-house) over the local days of `period`.

    Service level is given in all four variants; interval attainment is not here because it needs a
    target (see scorecard). `only` names the PARTS to read (forecast needs rollups), for callers that
    need a few figures over many periods. Each partner of `partner_ids` (in-house when it is None)
    that had no legs in the period has its counts, 0, and no ratios (no data); so has any partner read.
    """
    if _SHARED.get() is None:
        return _measure(con, period, tz, fcr_days, partner_ids, only, call_terms)
    # The customer's call is judged in each partner's own terms: read apart, the rest for everyone.
    common = tuple(part for part in only if part not in OWN_TERMS_PARTS)
    every = _shared(("measure", period, tz, fcr_days, common),
                    lambda: _measure(con, period, tz, fcr_days, None, common, None))
    own = [part for part in only if part in OWN_TERMS_PARTS]
    apart = _measure(con, period, tz, fcr_days, partner_ids, own, call_terms) if own else {}
    wanted = every if partner_ids is None else partner_ids
    empty = _empty(only)
    return {pid: {**empty, **every.get(pid, {}), **apart.get(pid, {})} for pid in wanted}


def _empty(only: Collection[str]) -> dict[str, Measure]:
    """The figures of a partner without legs (or calls) in the period, for the parts read."""
    return {**(NO_LEGS if "rollups" in only else {}), **(NO_CALLS if "calls" in only else {})}


def _measure(con: Connection, period: Period, tz: str, fcr_days: int, partner_ids: Sequence[int] | None,
             only: Collection[str], call_terms: CallTerms | None) -> dict[int | None, dict[str, Measure]]:
    group = _group_of(period)
    if group:
        scope = None if partner_ids is None else tuple(partner_ids)
        return _together(("measure", group, tz, fcr_days, scope, tuple(only), call_terms),
                         lambda: _grouped(con, group, tz, fcr_days, partner_ids, only, call_terms))[_days(period)]
    found = _measures(con, period, tz, fcr_days, partner_ids, only, step=None, call_terms=call_terms)
    return _by_partner(found, partner_ids, only)


def _grouped(con: Connection, group: tuple[Period, ...], tz: str, fcr_days: int, partner_ids: Sequence[int] | None,
             only: Collection[str], call_terms: CallTerms | None) -> dict[tuple[date, date], dict[int | None, dict[str, Measure]]]:
    """What `_measure` gives for each period of `group`: the stepped parts read once over the whole
    group, grouped by its grain; forecast (over the period's own offered legs) per period.

    Outside `shared_reads` (one partner's scorecard, beside its trend charts), the parts the trends
    read are read over the trend's steps ending with the group: the same statements as the trends',
    which the page run's read-only connection answers once (a step's figures are the same whatever
    steps are read beside it)."""
    stepped = [part for part in only if part in STEPPED_PARTS]
    rest = [part for part in only if part not in STEPPED_PARTS]
    step = _step(group)
    trended = [part for part in stepped if part in TREND_PARTS] if _SHARED.get() is None and step != aggregate.SPLIT else []
    found: dict[tuple[date | None, int | None], dict[str, Measure]] = {}
    for parts, span in ((trended, _trend_span(group)), ([p for p in stepped if p not in trended], _span(group))):
        if parts:
            for key, values in _measures(con, span, tz, fcr_days, partner_ids, parts, step=step,
                                         call_terms=call_terms, split=group[-1].start).items():
                found.setdefault(key, {}).update(values)
    out = {}
    for period in group:
        mine = {(None, pid): values for (start, pid), values in found.items() if start == period.start}
        if rest:
            mine = _measures(con, period, tz, fcr_days, partner_ids, rest, step=None, call_terms=call_terms, seed=mine)
        out[_days(period)] = _by_partner(mine, partner_ids, only)
    return out


def _step(group: Sequence[Period]) -> str:
    """What a group's statements group by: its periods' week or month, else SPLIT (two consecutive
    ranges, as a meeting's days and the days before them: the rows before the second's first day,
    and the rest)."""
    return group[0].grain if group[0].grain in GROUPED_GRAINS else aggregate.SPLIT


def _by_partner(found: dict[tuple[date | None, int | None], dict[str, Measure]], partner_ids: Sequence[int] | None,
                only: Collection[str]) -> dict[int | None, dict[str, Measure]]:
    """One period's figures by partner, with those of a partner read that had no legs (or calls)."""
    figures = {pid: values for (_, pid), values in found.items()}
    empty = _empty(only)
    if empty:
        for pid in {*figures, *([None] if partner_ids is None else partner_ids)}:
            figures[pid] = {**empty, **figures.get(pid, {})}
    return figures


WEEKLY_PARTS = ("rollups", "qa", "fcr", "surveys", "calls", "staffing")


def weekly(con: Connection, weeks: Sequence[Period], tz: str, *, fcr_days: int,
           partner_ids: Sequence[int] | None = None,
           only: Collection[str] = WEEKLY_PARTS) -> dict[tuple[date, int | None], dict[str, Measure]]:
    """What `measure` gives for each of the consecutive ISO `weeks` (or parts of weeks; or months, when
    all are months: a monthly trend's steps), keyed by (step start, partner), read in one grouped pass per part over the
    whole span rather than one pass per step."""
    if not set(only) <= set(WEEKLY_PARTS):
        raise ValueError(f"weekly measures cover only {WEEKLY_PARTS}")
    step = "month" if all(w.grain == "month" for w in weeks) else "week"  # parts of weeks group as weeks
    span = Period(weeks[0].start, weeks[-1].end, "range", f"{weeks[0].label}..{weeks[-1].label}")
    return _measures(con, span, tz, fcr_days, partner_ids, only, step=step)


def _measures(con: Connection, period: Period, tz: str, fcr_days: int,
              partner_ids: Sequence[int] | None, only: Collection[str],
              step: str | None, call_terms: CallTerms | None = None,
              seed: dict[tuple[date | None, int | None], dict[str, Measure]] | None = None,
              split: date | None = None) -> dict[tuple[date | None, int | None], dict[str, Measure]]:
    """The figures of `measure`, keyed by (week or month start by `step`, or None for the whole period;
    partner), added to those of `seed` (the period's parts read already: forecast reads their offered).
    At step SPLIT, the ranges [period.start, split) and [split, period.end)."""
    params = range_params(period, tz)
    if step == aggregate.SPLIT:
        params.update(split=periods.between(split, period.end).utc_bounds(tz)[0], split_day=split)
    result: dict[tuple[date | None, int | None], dict[str, Measure]] = {k: dict(v) for k, v in (seed or {}).items()}

    def put(key: tuple[date | None, int | None], name: str, value: Measure) -> None:
        result.setdefault(key, {})[name] = value

    def put_ratio(key: tuple[date | None, int | None], name: str, numerator: Any, denominator: Any,
                  sample_size: int | None = None) -> None:
        put(key, name, of(numerator, denominator, sample_size, metric(name).scale))

    if "rollups" in only:
        for row in aggregate.rollup_rows(con, tz=tz, grain=step or "total", start=params["start"],
                                         end=params["end"], partner_ids=partner_ids, split=params.get("split")):
            key = (row["period_start"].date() if step else None, row["partner_id"])
            for m in ROLLUP_METRICS:
                if m.denominator:
                    put_ratio(key, m.name, row[f"{m.name}__num"], row[f"{m.name}__den"],
                              row["answered"] if m.sample else None)
                else:
                    put(key, m.name, Measure(row[m.name]))
    for key, row in _rows("p90", only, con, params, partner_ids, step):
        put(key, "p90_wait_s", Measure(row["value"], sample_size=row["sample_size"]))
    for key, row in _rows("forecast", only, con, params, partner_ids):
        offered = result.get(key, {}).get("offered", Measure(0)).value or 0
        put_ratio(key, "forecast_accuracy", offered, row["forecast_legs"])
    for key, row in _rows("staffing", only, con, params, partner_ids, step):
        put_ratio(key, "staffed_vs_contracted", row["logged_in_min"], row["contracted_min"])
    for key, row in _rows("calls", only, con, params, partner_ids, step):
        put(key, "calls_routed", Measure(row["calls_routed"]))
        put_ratio(key, "volume_share", row["calls_routed"], row["calls"], row["calls"])
        put_ratio(key, "answered_share", row["calls_answered"], row["answered_calls"], row["answered_calls"])
    for key, row in _rows("qa", only, con, params, partner_ids, step):
        put(key, "qa_score", replace(of(row["total_score"], row["evaluations"], row["evaluations"]),
                                     sum_squares=row["score_squares"]))
        put(key, "qa_score_before_fatal", replace(of(row["total_raw_score"], row["evaluations"], row["evaluations"]),
                                                  sum_squares=row["raw_score_squares"]))
        put_ratio(key, "critical_error_rate", row["critical_errors"], row["evaluations"], row["evaluations"])
    for key, row in _rows("fcr", only, con, {**params, "days": fcr_days}, partner_ids, step):
        put(key, "fcr", replace(of(row["resolved"], row["answered"], row["answered"]), left_out=row["left_out"]))
    for key, row in _rows("surveys", only, con, params, partner_ids, step):
        put_ratio(key, "csat_top2", row["csat_top2"], row["csat_answers"], row["csat_answers"])
        put(key, "csat_mean", replace(of(row["csat_sum"], row["csat_answers"], row["csat_answers"]),
                                      sum_squares=row["csat_squares"]))
        put(key, "nps", replace(of(row["promoters"] - row["detractors"], row["nps_answers"], row["nps_answers"],
                                   metric("nps").scale), sum_squares=row["promoters"] + row["detractors"]))
    terms_ = call_terms or CallTerms(*(int(settings.get(con, name)) for name in ("sl_threshold_s", "short_abandon_s")))
    for key, row in _rows("journeys", only, con, {**params, **terms_.params}, partner_ids, step):
        for name, value in journey_measures(row, terms_).items():
            put(key, name, value)
    return result


@dataclass(frozen=True)
class CallTerms:
    """The terms the customer's call is judged by: the partner's T and S, and the agreed in-house wait
    before overflow (None: the agreement sets none, so nothing is 'early')."""
    threshold_s: int
    short_abandon_s: int
    overflow_after_s: int | None = None

    @property
    def params(self) -> dict[str, Any]:
        return {"t": self.threshold_s, "s": self.short_abandon_s, "overflow_after_s": self.overflow_after_s}


def journey_measures(row: dict[str, Any], terms_: CallTerms) -> dict[str, Measure]:
    """The customer's call and the overflow audit from one row of the `journeys` statement."""
    routed = row["calls_routed"]
    early = (Measure(None, None, row["overflowed_calls"], row["overflowed_calls"]) if terms_.overflow_after_s is None
             else Measure(row["overflowed_early"], row["overflowed_early"], row["overflowed_calls"],
                          row["overflowed_calls"]))
    return {
        **{name: of(row[name], routed, routed) for name in ("in_house_wait_s", "partner_wait_s", "total_wait_s")},
        "customer_service_level": of(row["answered_within_threshold"], routed - row["short_abandoned"],
                                     routed - row["short_abandoned"]),
        "calls_overflowed_early": early,
        "calls_outside_hours": Measure(row["outside_hours"], row["outside_hours"], routed, routed),
        "calls_back_and_forth": Measure(row["back_and_forth"], row["back_and_forth"], routed, routed),
    }


def _rows(part: str, only: Collection[str], con: Connection, params: dict[str, Any],
          partner_ids: Sequence[int] | None,
          step: str | None = None) -> list[tuple[tuple[date | None, int | None], dict[str, Any]]]:
    """((step start, partner_id), row) of the part's detail statement, or nothing when the part is not wanted."""
    if part not in only:
        return []
    return [((_week_start(row, step), row["partner_id"]), row)
            for row in detail_rows(con, part_statement(part), params, partner_ids, step)]


def _week_start(row: dict[str, Any], step: str | None) -> date | None:
    """The week or month a detail row is keyed by: its week_start ({week_of}), or its period_start's day ({period_of})."""
    if "period_start" in row:
        return row["period_start"].date() if step else None
    return row.get("week_start")


def metric_sql(name: str, partner_ids: Sequence[int] | None) -> dict[str, str]:
    """The SQL that computes metric `name` for a partner scope, with its placeholders filled as when it
    runs and its values left as $parameters: 'period' as `measure` runs it and, for the metrics the
    weekly trends read, 'week' as `weekly` runs it. A rollup metric's is the rollup statement with
    its numerator and denominator alone (it runs beside the other rollup metrics'); a detail
    metric's is its details.sql statement. tests/golden/ keeps it, so a change to it is seen."""
    m = metric(name)
    weekly_parts = [part for part in WEEKLY_PARTS if part != "rollups"]
    read_weekly = m.from_rollups or any(name in DETAIL_PARTS[part] for part in weekly_parts)
    forms = {"period": False, "week": True} if read_weekly else {"period": False}
    rendered = {}
    for form, per_week in forms.items():
        params: dict[str, Any] = {}
        if m.from_rollups:
            rendered[form] = aggregate.rollup_sql("week" if per_week else "total", "partner",
                                                  scope_sql("partner_id", partner_ids, params), (m,)).strip()
        else:
            rendered[form] = detail_sql(m.statement, params, partner_ids, "week" if per_week else None)
    return rendered


def interval_sl_rows(con: Connection, period: Period, tz: str,
                     partner_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Per partner and 15-minute interval: the summed SL counts, local time and inside_hours. In a
    `together` group, the rows of every period of the group are read at once and cut by local day
    (the range of a period is its local days, so the cut is exact)."""
    statement = metric("interval_sl_attainment").statement
    if _SHARED.get() is None or _group_of(period):
        return day_rows(con, statement, period, tz, partner_ids)
    every = _shared(("intervals", period, tz), lambda: day_rows(con, statement, period, tz, None))
    return every if partner_ids is None else [r for r in every if r["partner_id"] in partner_ids]


def day_rows(con: Connection, statement: str, period: Period, tz: str,
             partner_ids: Sequence[int] | None) -> list[dict[str, Any]]:
    """The rows of a details.sql statement that gives a `local_day` per row (interval_sl,
    staffing_days) over `period`. In a `together` group, the rows of every period of the group are
    read at once (for every partner within `shared_reads`) and cut by local day: a period's range
    is its local days, so the cut is exact."""
    group = _group_of(period)
    if not group:
        return detail_rows(con, statement, range_params(period, tz), partner_ids)
    scope = None if _SHARED.get() is not None or partner_ids is None else tuple(partner_ids)
    params = range_params(_span(group), tz)
    key = ("day rows", statement, group, tz, scope)
    every = _together(key, lambda: (scope is not None and _answered_rows(con, statement, params))
                      or detail_rows(con, statement, params, scope))
    if partner_ids is not None and len(partner_ids) == 1:  # one partner's, from its own rows (the Overview asks each)
        mine = _together((*key, "by partner"), lambda: _rows_by_partner(every)).get(partner_ids[0], [])
        return [r for r in mine if period.start <= r["local_day"] < period.end]
    return [r for r in every if period.start <= r["local_day"] < period.end
            and (partner_ids is None or r["partner_id"] in partner_ids)]


def _rows_by_partner(rows: list[dict[str, Any]]) -> dict[int | None, list[dict[str, Any]]]:
    """`rows` per partner, each partner's in their order."""
    found: dict[int | None, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row["partner_id"], []).append(row)
    return found


def _answered_rows(con: Connection, name: str, params: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Every partner's rows of `name` if the connection has read them already (the Availability page's
    intervals, before one partner's staffing chart asks for its own), else None."""
    params = dict(params)
    text = detail_sql(statement_for(con, name, params), params, None)
    values = used_values(text, params)
    return None if store.answered(con, text, values) is None else _judged_rows(con, name, text, values)


def service_level_of(row: dict[str, Any], variant: str) -> Measure:
    """The service level of one row of summed counts in the agreement's variant."""
    return ratio_of(row, metric(SL_VARIANTS[variant]))


def ratio_of(row: dict[str, Any], m: Metric) -> Measure:
    """A rollup metric's ratio over one row of summed counts (its numerator and denominator text)."""
    return of(_evaluate(m.numerator, row), _evaluate(m.denominator, row))


@functools.cache
def _sl_columns(variant: str) -> tuple[Callable[[dict[str, Any]], int], Callable[[dict[str, Any]], int]]:
    """The service level's numerator and denominator in `variant`, each a function of a row of counts."""
    m = metric(SL_VARIANTS[variant])
    return _counts_sum(m.numerator), _counts_sum(m.denominator)


def service_level_parts(row: dict[str, Any], variant: str) -> tuple[float | None, float, float]:
    """(value, numerator, denominator) of `service_level_of(row, variant)` for a row of whole counts
    (an interval row), without making a Measure (the Availability page's intervals take thousands)."""
    top, bottom = (float(count) for count in service_level_counts(row, variant))
    return ratio(top, bottom), top, bottom


def service_level_counts(row: dict[str, Any], variant: str) -> tuple[int, int]:
    """The service level's numerator and denominator in `variant` over a row of whole counts, as
    whole numbers: what the rollup statement's `<variant>__num` and `__den` give for the same counts."""
    numerator, denominator = _sl_columns(variant)
    return numerator(row), denominator(row)


def _counts_sum(expression: str) -> Callable[[dict[str, Any]], int]:
    """A +/- expression over a row of whole counts (an empty value counts 0) as a function: the added
    columns summed less the taken ones, taken from the row in one C call per side instead of one
    Python call per column. As a float it is `_signed_sum`'s value exactly (every partial sum is a
    whole number below 2**53, so no sum order rounds)."""
    columns = _signed_columns(expression)
    added = tuple(column for sign, column in columns if sign > 0)
    taken = tuple(column for sign, column in columns if sign < 0)
    if len(added) == 1 and not taken:  # a numerator of one column
        column = added[0]
        return lambda row: row[column] or 0
    add, take = _getter(added), _getter(taken)
    return lambda row: sum(filter(None, add(row))) - sum(filter(None, take(row)))


def _getter(columns: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """The values of `columns` of a row, as a tuple (itemgetter gives a bare value for one column)."""
    if len(columns) > 1:
        return operator.itemgetter(*columns)
    if columns:
        column = columns[0]
        return lambda row: (row[column],)
    return lambda row: ()


def _signed_sum(row: dict[str, Any], columns: tuple[tuple[int, str], ...]) -> float:
    """The sum of a row's columns, each with its sign (an empty value counts 0)."""
    return sum(sign * float(row[column] or 0) for sign, column in columns)


def _evaluate(expression: str, row: dict[str, Any]) -> float:
    """Evaluate a definition's +/- expression over summed columns (the same text the SQL uses)."""
    return _signed_sum(row, _signed_columns(expression))


@functools.cache
def _signed_columns(expression: str) -> tuple[tuple[int, str], ...]:
    """A +/- expression's columns with their signs, read once per expression (a page judges thousands
    of interval rows with the same few)."""
    found, sign = [], 1
    for token in expression.split():
        if token in "+-":
            sign = 1 if token == "+" else -1
        else:
            found.append((sign, token))
    return tuple(found)


def in_house_service_level(con: Connection, period: Period, tz: str, variant: str, threshold_s: int,
                           short_abandon_s: int) -> Measure:
    """In-house service level with a partner's variant, T and S: the benchmark beside that partner's
    figure. Read from the wait histograms (or the legs), since the rollups count in-house legs at the
    settings' T and S."""
    row = detail_rows(con, "in_house_service_counts",
                      {**range_params(period, tz), "t": threshold_s, "s": short_abandon_s}, None)[0]
    return service_level_of(row, variant)


def attainment(rows: list[dict[str, Any]], variant: str, target: float | None,
               days: tuple[date, date] | None = None) -> Measure:
    """Intervals inside opening hours with SL data that met `target` / such intervals (None without a target)."""
    numerator, denominator = _sl_columns(variant)
    values = []
    for row in rows:  # one pass, a judged row's level as service_level_parts gives it
        if row["inside_hours"] and (days is None or days[0] <= row["local_day"] < days[1]):
            bottom = denominator(row)
            if bottom:
                values.append(float(numerator(row)) / float(bottom))
    if target is None:
        return Measure(None, None, len(values), len(values))
    met = sum(1 for v in values if v >= target)
    return of(met, len(values), len(values))
