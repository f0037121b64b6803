"""Page-facing tables (pandas DataFrames): trends, heatmap, interval availability, staffing, quality.

Every function takes `partner_ids` (None = everything) and passes it to the SQL that reads the
data. Ratios are recomputed from summed numerators and denominators, never averaged.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pandas as pd

from data import settings
from data.store import Connection
from metrics import aggregate, erlang, measures
from metrics.aggregate import ratio
from metrics.definitions import ROLLUP_METRICS, SL_VARIANTS, metric
from partners import periods, registry, terms
from partners.periods import Period

DEFAULT_SL_TARGET = 0.8  # for Erlang C where no agreement sets a target (the common 80/20)
# The call-based volume figures a weekly trend row carries beside the rollup metrics.
CALL_TREND = ("volume_share", "calls_routed", "answered_share")


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """A DataFrame whose partner_id stays an integer with None for in-house (not a float with NaN)."""
    frame = pd.DataFrame(rows, columns=columns)
    frame["partner_id"] = frame["partner_id"].astype("Int64")
    return frame


def trend(con: Connection, period: Period, tz: str | None = None,
          partner_ids: Sequence[int] | None = None, weeks: int = measures.TREND_STEPS) -> pd.DataFrame:
    """Weekly rollup metrics (and the call-based volume share, calls routed and answered share) for
    `weeks` ISO weeks ending with the period's last week (months ending with it, for a month:
    periods.trend_step), per partner (in-house as partner_id None when the scope is everything), with
    the SL target and the service level (column service_level_agreed) in the terms of the step's last
    day: a week or month is a period, and a period's value uses its latest terms (partners.terms), so
    the point equals that week's or month's tile. Columns week_start and week hold the step's first
    day and label (2026-W47 or 2026-11)."""
    tz = settings.reporting_tz(con, tz)
    span = periods.steps_ending(period, weeks)
    step = periods.trend_step(period)
    start, end = span[0].utc_bounds(tz)[0], span[-1].utc_bounds(tz)[1]
    rows = aggregate.rollup_rows(con, tz=tz, grain=step, by="partner", start=start, end=end, partner_ids=partner_ids)
    calls = measures.weekly(con, span, tz, fcr_days=terms.defaults(con).fcr_days, partner_ids=partner_ids,
                            only=("calls",))
    out = []
    on = functools.cache(functools.partial(terms.terms_in_force, con))
    for row in rows:
        week = periods.of_grain(row["period_start"].date(), step)
        agreed = on(row["partner_id"], week.end - timedelta(days=1))
        by_calls = calls.get((week.start, row["partner_id"]), {})
        out.append({"week_start": week.start, "week": week.label, "partner_id": row["partner_id"],
                    "group": row["group_name"], **{m.name: row[m.name] for m in ROLLUP_METRICS},
                    **{name: by_calls.get(name, measures.Measure(None)).value for name in CALL_TREND},
                    "service_level_agreed": row[SL_VARIANTS[agreed.sl_variant]], "sl_variant": agreed.sl_variant,
                    "sl_target": agreed.target("sl_target")})
    return _frame(out, columns=["week_start", "week", "partner_id", "group",
                                      *[m.name for m in ROLLUP_METRICS], *CALL_TREND, "service_level_agreed",
                                      "sl_variant", "sl_target"])


def sl_heatmap(con: Connection, period: Period, tz: str | None = None,
               partner_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Service level by partner x ISO weekday (1 = Monday) x local hour, from summed counts, in each
    partner's variant of the period's latest terms (as its tile), so a cell never contradicts it.
    The counts are the 15-minute interval rows' (an hour's four intervals, the repeated autumn hour's
    eight), read with the period before as the scorecard and the interval charts read them: the
    same statement, which the page run's read-only connection answers once."""
    tz = settings.reporting_tz(con, tz)
    with measures.together((periods.previous(period), period)):
        rows = measures.interval_sl_rows(con, period, tz, partner_ids)
    variant = functools.cache(lambda partner_id: terms.latest(con, partner_id, period).sl_variant)
    cells: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        local = row["interval_local"]
        key = (row["partner_id"], _group_name(con, row["partner_id"]), local.isoweekday(), local.hour)
        cell = cells.setdefault(key, {"offered": 0, "numerator": 0, "denominator": 0})
        numerator, denominator = measures.service_level_counts(row, variant(row["partner_id"]))
        cell["offered"] += row["offered"]
        cell["numerator"] += numerator
        cell["denominator"] += denominator
    out = [{"partner_id": k[0], "group": k[1], "weekday": k[2], "hour": k[3], **v,
            "service_level": ratio(v["numerator"], v["denominator"])} for k, v in sorted(cells.items(), key=str)]
    return _frame(out, columns=["partner_id", "group", "weekday", "hour", "offered", "numerator",
                                      "denominator", "service_level"])


def _group_name(con: Connection, partner_id: int | None) -> str:
    """A partner's group name as the rollup statement gives it ('in-house' for the in-house queues)."""
    return "in-house" if partner_id is None else registry.partner_name(con, partner_id)


def interval_availability(con: Connection, period: Period, tz: str | None = None,
                          partner_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Per partner and 15-minute interval: offered, service level in the agreement's variant, the
    target in force, met (None without target or data) and whether it is inside opening hours."""
    tz = settings.reporting_tz(con, tz)
    out = []
    on = functools.cache(functools.partial(terms.terms_in_force, con))
    # Read with the period before, as the Overview's scorecards read them (the Availability page shows
    # both): the same statement, which the page run's read-only connection then answers once.
    with measures.together((periods.previous(period), period)):
        rows = measures.interval_sl_rows(con, period, tz, partner_ids)
    # One pass; the terms of a partner's day (its variant and target) looked up once per day, a row
    # made a tuple, not a dict: ~3,000 rows a week with the period before.
    judging = functools.cache(lambda partner_id, day: _judging(on(partner_id, day)))
    for row in rows:
        variant, target = judging(row["partner_id"], row["local_day"])
        level, numerator, denominator = measures.service_level_parts(row, variant)
        met = None if target is None or level is None else level >= target
        out.append((row["partner_id"], row["interval_local"], row["interval_utc"], row["offered"], row["answered"],
                    level, numerator, denominator, target, met, row["inside_hours"]))
    return _frame(out, columns=["partner_id", "interval_start", "interval_utc", "offered", "answered",
                                      "service_level", "numerator", "denominator", "sl_target", "met",
                                      "inside_hours"])


def _judging(agreed: terms.Terms) -> tuple[str, float | None]:
    """What an interval is judged by under `agreed`: the service-level variant and target."""
    return agreed.sl_variant, agreed.target("sl_target")


def staffing(con: Connection, period: Period, tz: str | None = None,
             partner_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Per partner and interval: offered legs, AHT, Erlang C agents needed for the SL target, and the
    agents logged in and contracted (staffing minutes / 15)."""
    tz = settings.reporting_tz(con, tz)
    params = measures.range_params(period, tz)
    staffed = {(r["partner_id"], r["interval_utc"]): r
               for r in measures.detail_rows(con, "staffing_intervals", params, partner_ids)}
    # Read with the period before, as the scorecard and the Availability page's intervals read them:
    # the same statement, answered once by the page run's read-only connection.
    with measures.together((periods.previous(period), period)):
        rows = measures.interval_sl_rows(con, period, tz, partner_ids)
    # An interval without an answered leg takes the partner's AHT over the period: the rollups' aht_s,
    # summed here from the same rollup rows (whole numbers: the same value as the rollup read's).
    handled: dict[int | None, list[int]] = {}
    for row in rows:
        sums = handled.setdefault(row["partner_id"], [0, 0])
        sums[0] += row["handle_s"] or 0
        sums[1] += row["answered"] or 0
    period_aht = {partner_id: ratio(handle_s, answered) for partner_id, (handle_s, answered) in handled.items()}
    out = []
    seen = set()
    on = functools.cache(functools.partial(terms.terms_in_force, con))
    for row in rows:
        agreed = on(row["partner_id"], row["local_day"])
        target = agreed.target("sl_target")
        target = DEFAULT_SL_TARGET if target is None else target
        threshold = agreed.sl_threshold_s
        aht = ratio(row["handle_s"], row["answered"]) or period_aht[row["partner_id"]]
        staff = staffed.get((row["partner_id"], row["interval_utc"]), {})
        seen.add((row["partner_id"], row["interval_utc"]))
        out.append({"partner_id": row["partner_id"], "interval_start": row["interval_local"],
                    "interval_utc": row["interval_utc"], "offered": row["offered"], "aht_s": aht,
                    "traffic_erlangs": erlang.traffic(row["offered"], aht) if aht else None,
                    "agents_needed": erlang.agents_needed(row["offered"], aht, threshold, target),
                    "agents_logged_in": staff.get("agents_logged_in"),
                    "agents_contracted": staff.get("agents_contracted"), "sl_target": target,
                    "threshold_s": threshold})
    for (partner_id, interval_utc), staff in staffed.items():
        if (partner_id, interval_utc) not in seen:
            out.append({"partner_id": partner_id, "interval_start": None, "interval_utc": interval_utc,
                        "offered": 0, "agents_needed": 0, "agents_logged_in": staff["agents_logged_in"],
                        "agents_contracted": staff["agents_contracted"]})
    frame = _frame(out, columns=["partner_id", "interval_start", "interval_utc", "offered", "aht_s",
                                       "traffic_erlangs", "agents_needed", "agents_logged_in", "agents_contracted",
                                       "sl_target", "threshold_s"])
    return frame.sort_values(["partner_id", "interval_utc"], na_position="first", ignore_index=True)


def _details(con: Connection, statement: str, period: Period, tz: str | None,
             partner_ids: Sequence[int] | None, columns: list[str],
             ratio_of: tuple[str, str, str] | None = None) -> pd.DataFrame:
    """Rows of one detail statement as a frame; ratio_of = (column, numerator, denominator) adds a ratio."""
    tz = settings.reporting_tz(con, tz)
    rows = measures.detail_rows(con, statement, measures.range_params(period, tz), partner_ids)
    if ratio_of:
        column, numerator, denominator = ratio_of
        for row in rows:
            row[column] = ratio(row[numerator], row[denominator])
    return _frame(rows, columns=columns)


def qa_sections(con: Connection, period: Period, tz: str | None = None,
                partner_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Per partner and form section: weighted score share over items not N/A, and evaluations."""
    return _details(con, "qa_sections", period, tz, partner_ids,
                    ["partner_id", "section", "scored", "possible", "score", "evaluations"],
                    ("score", "scored", "possible"))


def qa_evaluations(con: Connection, period: Period, tz: str | None = None,
                   partner_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """One row per evaluation in the period: score (and without its fatal zero), items applicable / N/A,
    critical and fatal fails, calibration flag."""
    return _details(con, "qa_evaluations", period, tz, partner_ids,
                    ["partner_id", "evaluation_id", "evaluated_local", "queue", "agent_id", "evaluator", "call_id",
                     "is_calibration", "calibration_session", "items_applicable", "items_na", "critical_failed",
                     "fatal_failed", "score", "raw_score"])


def calibration_spread(con: Connection, period: Period, tz: str | None = None,
                       partner_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Per partner and evaluator: mean distance from the session reference, and calibration evaluations."""
    return _details(con, "calibration", period, tz, partner_ids,
                    ["partner_id", "evaluator", "total_distance", "evaluations", "spread"],
                    ("spread", "total_distance", "evaluations"))


QUALITY_TREND = ("qa_score", "fcr", "transfer_back_rate", "csat_top2", "csat_mean", "nps")


def quality_trend(con: Connection, period: Period, tz: str | None = None,
                  partner_ids: Sequence[int] | None = None, weeks: int = measures.TREND_STEPS) -> pd.DataFrame:
    """Weekly (monthly for a month, as `trend`) QA score, FCR (N days of the terms on the step's last day,
    as that week's or month's tile), transfer-back rate, CSAT and NPS per partner, each with its sample
    size (column <metric>_n). Each metric is read in one pass grouped by step over the whole span (FCR
    once per distinct N), not once per step."""
    tz = settings.reporting_tz(con, tz)
    span = periods.steps_ending(period, weeks)
    default_days = terms.defaults(con).fcr_days
    partners = _partners(con, partner_ids)
    days_of = {}
    for pid in partners:
        last_days = terms.by_day(con, pid, [week.end - timedelta(days=1) for week in span])
        for week in span:
            days_of[week.start, pid] = last_days[week.end - timedelta(days=1)].fcr_days
    found = measures.weekly(con, span, tz, fcr_days=default_days, partner_ids=partner_ids,
                            only=("rollups", "qa", "surveys"))
    fcr = {days: measures.weekly(con, span, tz, fcr_days=days, partner_ids=partner_ids, only=("fcr",))
           for days in sorted(set(days_of.values()))}
    out = []
    for week in span:
        by_days: dict[int, list[int | None]] = {}
        for pid in partners:
            by_days.setdefault(days_of[week.start, pid], []).append(pid)
        for days, pids in by_days.items():
            for pid in pids:
                figures = {**found.get((week.start, pid), {}), **fcr[days].get((week.start, pid), {})}
                row = {"week_start": week.start, "week": week.label, "partner_id": pid, "fcr_days": days}
                for name in QUALITY_TREND:
                    m = figures.get(name, measures.Measure(None))
                    row[name], row[f"{name}_n"] = m.value, m.sample_size
                out.append(row)
    return _frame(out, columns=["week_start", "week", "partner_id", "fcr_days",
                                      *[c for n in QUALITY_TREND for c in (n, f"{n}_n")]])


def _partners(con: Connection, partner_ids: Sequence[int] | None) -> list[int | None]:
    ids: list[int | None] = list(registry.ids_by_name(con, partner_ids))
    return ids + ([None] if partner_ids is None else [])
