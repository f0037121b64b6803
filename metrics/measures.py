"""Numerators, denominators and sample sizes of every metric for one range of local days, per partner.

The scorecard judges these against agreements; the pages and exports read them as tables. Partner
id None is the in-house group. Every reader takes `partner_ids` (None = everything) and passes it
into the SQL, so a partner user's scope is enforced where the data is read.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from data import store
from data.store import Connection
from metrics import aggregate
from metrics.aggregate import ratio
from metrics.definitions import ROLLUP_METRICS, SL_VARIANTS, metric
from metrics.sqlfiles import sql
from partners.access import scope_sql
from partners.periods import Period


@dataclass(frozen=True)
class Measure:
    """One metric's value with what it was computed from. value None = no data."""
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    sample_size: int | None = None


def of(numerator: Any, denominator: Any, sample_size: int | None = None, scale: float = 1.0) -> Measure:
    value = ratio(numerator, denominator)
    return Measure(None if value is None else value * scale, numerator, denominator, sample_size)


WEEK_OF = re.compile(r"\{week_of ([\w.]+)\}")


def detail_rows(con: Connection, name: str, params: dict[str, Any],
                partner_ids: Sequence[int] | None, weekly: bool = False) -> list[dict[str, Any]]:
    """Run one statement of metrics/sql/details.sql with the partner scope and bound values;
    `weekly` groups the statements that have a week_start by the reporting-zone ISO week too."""
    params = dict(params)
    text = sql("details", name).replace("{evaluation_scores}", sql("details", "evaluation_scores"))
    text = text.replace("{scope}", scope_sql("q.partner_id", partner_ids, params))
    week = r"CAST(date_trunc('week', \1 AT TIME ZONE $tz) AS DATE)" if weekly else "CAST(NULL AS DATE)"
    text = WEEK_OF.sub(week, text)
    used = {k: v for k, v in params.items() if re.search(rf"\${k}\b", text)}
    return store.execute(con, text, used).dicts()


def range_params(period: Period, tz: str) -> dict[str, Any]:
    start, end = period.utc_bounds(tz)
    return {"start": start, "end": end, "start_day": period.start, "end_day": period.end, "tz": tz}


def leg_days(con: Connection, tz: str) -> tuple[date, date] | tuple[None, None]:
    """The first and last reporting-zone day holding legs ((None, None) for an empty store): the
    last one is where the held call data ends, which decides whether FCR is provisional."""
    first, last = store.execute(con, sql("views", "leg_days"), {"tz": tz}).rows[0]
    return first, last


PARTS = ("rollups", "p90", "forecast", "staffing", "qa", "fcr", "surveys")


def measure(con: Connection, period: Period, tz: str, *, fcr_days: int,
            partner_ids: Sequence[int] | None = None,
            only: Collection[str] = PARTS) -> dict[int | None, dict[str, Measure]]:
    """Every period-level metric per partner (None = in-house) over the local days of `period`.

    Service level is given in all four variants; interval attainment is not here because it needs a
    target (see scorecard). `only` names the PARTS to read (forecast needs rollups), for callers that
    need a few figures over many periods.
    """
    found = _measures(con, period, tz, fcr_days, partner_ids, only, weekly=False)
    return {pid: figures for (_, pid), figures in found.items()}


WEEKLY_PARTS = ("rollups", "qa", "fcr", "surveys")


def weekly(con: Connection, weeks: Sequence[Period], tz: str, *, fcr_days: int,
           partner_ids: Sequence[int] | None = None,
           only: Collection[str] = WEEKLY_PARTS) -> dict[tuple[date, int | None], dict[str, Measure]]:
    """What `measure` gives for each of the consecutive ISO `weeks`, keyed by (week start, partner),
    read in one grouped pass per part over the whole span rather than one pass per week."""
    if not set(only) <= set(WEEKLY_PARTS):
        raise ValueError(f"weekly measures cover only {WEEKLY_PARTS}")
    span = Period(weeks[0].start, weeks[-1].end, "range", f"{weeks[0].label}..{weeks[-1].label}")
    return _measures(con, span, tz, fcr_days, partner_ids, only, weekly=True)


def _measures(con: Connection, period: Period, tz: str, fcr_days: int,
              partner_ids: Sequence[int] | None, only: Collection[str],
              weekly: bool) -> dict[tuple[date | None, int | None], dict[str, Measure]]:
    """The figures of `measure`, keyed by (week start or None, partner)."""
    params = range_params(period, tz)
    result: dict[tuple[date | None, int | None], dict[str, Measure]] = {}

    def put(key: tuple[date | None, int | None], name: str, value: Measure) -> None:
        result.setdefault(key, {})[name] = value

    if "rollups" in only:
        for row in aggregate.rollup_rows(con, tz=tz, grain="week" if weekly else "total", start=params["start"],
                                         end=params["end"], partner_ids=partner_ids):
            key = (row["period_start"].date() if weekly else None, row["partner_id"])
            for m in ROLLUP_METRICS:
                put(key, m.name,
                    of(row[f"{m.name}__num"], row[f"{m.name}__den"], row["answered"] if m.sample else None)
                    if m.denominator else Measure(row[m.name]))
    if "p90" in only:
        for pid, found in p90_wait(con, period, tz, partner_ids).items():
            put((None, pid), "p90_wait_s", found)
    for key, row in _rows("forecast", "forecast", only, con, params, partner_ids):
        put(key, "forecast_accuracy", of(result.get(key, {}).get("offered", Measure(0)).value or 0,
                                         row["forecast_legs"]))
    for key, row in _rows("staffing", "staffing", only, con, params, partner_ids):
        put(key, "staffed_vs_contracted", of(row["logged_in_min"], row["contracted_min"]))
    for key, row in _rows("qa", "qa_scores", only, con, params, partner_ids, weekly):
        put(key, "qa_score", of(row["total_score"], row["evaluations"], row["evaluations"]))
    for key, row in _rows("fcr", "fcr", only, con, {**params, "days": fcr_days}, partner_ids, weekly):
        put(key, "fcr", of(row["resolved"], row["answered"], row["answered"]))
    for key, row in _rows("surveys", "surveys", only, con, params, partner_ids, weekly):
        put(key, "csat_top2", of(row["csat_top2"], row["csat_answers"], row["csat_answers"]))
        put(key, "csat_mean", of(row["csat_sum"], row["csat_answers"], row["csat_answers"]))
        put(key, "nps", of(row["promoters"] - row["detractors"], row["nps_answers"], row["nps_answers"], scale=100.0))
    return result


def _rows(part: str, statement: str, only: Collection[str], con: Connection,
          params: dict[str, Any], partner_ids: Sequence[int] | None,
          weekly: bool = False) -> list[tuple[tuple[date | None, int | None], dict[str, Any]]]:
    """((week_start, partner_id), row) of one detail statement, or nothing when its part is not wanted."""
    if part not in only:
        return []
    return [((row.get("week_start"), row["partner_id"]), row)
            for row in detail_rows(con, statement, params, partner_ids, weekly)]


def p90_wait(con: Connection, period: Period, tz: str,
             partner_ids: Sequence[int] | None = None) -> dict[int | None, Measure]:
    """The 90th percentile wait of answered legs per partner: from the legs, as quantiles can't be summed."""
    rows = detail_rows(con, "p90_wait", range_params(period, tz), partner_ids)
    return {row["partner_id"]: Measure(row["value"], sample_size=row["sample_size"]) for row in rows}


def interval_sl_rows(con: Connection, period: Period, tz: str,
                     partner_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Per partner and 15-minute interval: the summed SL counts, local time and inside_hours."""
    return detail_rows(con, "interval_sl", range_params(period, tz), partner_ids)


def service_level_of(row: dict[str, Any], variant: str) -> Measure:
    """The service level of one row of summed counts in the agreement's variant."""
    m = metric(SL_VARIANTS[variant])
    return of(_evaluate(m.numerator, row), _evaluate(m.denominator, row))


def _evaluate(expression: str, row: dict[str, Any]) -> float:
    """Evaluate a definition's +/- expression over summed columns (the same text the SQL uses)."""
    total, sign = 0.0, 1
    for token in expression.split():
        if token in "+-":
            sign = 1 if token == "+" else -1
        else:
            total += sign * float(row[token] or 0)
    return total


def attainment(rows: list[dict[str, Any]], variant: str, target: float | None,
               days: tuple[date, date] | None = None) -> Measure:
    """Intervals inside opening hours with SL data that met `target` / such intervals (None without a target)."""
    judged = [r for r in rows if r["inside_hours"] and (days is None or days[0] <= r["local_day"] < days[1])]
    values = [service_level_of(r, variant).value for r in judged]
    values = [v for v in values if v is not None]
    if target is None:
        return Measure(None, None, len(values), len(values))
    met = sum(1 for v in values if v >= target)
    return of(met, len(values), len(values))

