"""Read models for the pages and the meeting record: the numbers behind one table or chart each, as
DataFrames (freshness, pickers, agreement and hours history, weekly trends, forecasts, staffing,
heatmap). Every number comes from metrics' functions; partner-scoped reads take `partner_ids`
(None = all), so a partner user's scope is applied where the data is read, not where it is shown."""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from data import store
from data.store import Connection
from metrics import excusal, measures, series
from metrics.definitions import metric
from metrics.sqlfiles import sql
from partners import agreements, hours, periods, terms
from partners.access import scope_sql


def _scoped(con: Connection, name: str, column: str, partner_ids: tuple[int, ...] | None,
            params: dict[str, Any]) -> pd.DataFrame:
    """One statement of metrics/sql/views.sql with the partner scope filled in on `column`."""
    params = dict(params)
    return store.frame(con, sql("views", name).replace("{scope}", scope_sql(column, partner_ids, params)), params)


def freshness(con: Connection, tz: str, partner_ids: tuple[int, ...] | None = None) -> pd.DataFrame:
    """How fresh each queue's data is: legs held and the last interval with legs, in the reporting zone."""
    return _scoped(con, "freshness", "q.partner_id", partner_ids, {"tz": tz})


def partners(con: Connection, partner_ids: tuple[int, ...] | None = None) -> pd.DataFrame:
    """The partners a user may pick, by name."""
    return _scoped(con, "partners", "partner_id", partner_ids, {})


def leg_days(con: Connection, tz: str) -> tuple[dt.date, dt.date] | None:
    """The first and last reporting-zone day holding legs, or None for an empty store."""
    first, last = measures.leg_days(con, tz)
    return None if first is None else (first, last)


def held_days(con: Connection, tz: str) -> list[dt.date]:
    """Every reporting-zone day holding legs, oldest first (empty for an empty store)."""
    return [row[0] for row in store.execute(con, sql("views", "held_days"), {"tz": tz}, what="the days holding legs").rows]


def period_choices(days: Sequence[dt.date], today: dt.date, grain: str) -> list[periods.Period]:
    """The periods a user can pick, newest first: every period holding data, however old or sparse
    (an import of January 1999 beside this year's weeks offers 1999-01 too).

    The newest is the last complete one (a manager follows up finished weeks), or the period of
    the latest data when the data stops earlier (a demo or an old export); a period in progress
    is reached by its link. Never empty: without data, the last complete period.
    """
    newest = periods.previous(periods.of_grain(today, grain))
    if days and days[-1] < newest.start:
        newest = periods.of_grain(days[-1], grain)
    older = {periods.of_grain(day, grain) for day in days if day < newest.start}
    return [newest, *sorted(older, key=lambda p: p.start, reverse=True)]


def agreement_history(con: Connection, partner_id: int, tz: str = "UTC") -> pd.DataFrame:
    """Every agreement version of a partner, newest first, with the day it stopped applying
    (None while in force) and when it was recorded, in `tz`."""
    versions = agreements.history(con, partner_id)
    frame = pd.DataFrame([dataclasses.asdict(v) for v in versions], columns=list(agreements.COLUMNS))
    frame = frame.sort_values(["valid_from", "agreement_id"])
    frame.insert(3, "valid_to", frame["valid_from"].shift(-1))
    frame = _recorded_in(frame, tz)
    # the version by its number per partner, first (the row id means nothing to a reader)
    frame = frame[["version", *[c for c in frame.columns if c not in ("version", "agreement_id", "partner_id")]]]
    return frame.iloc[::-1].reset_index(drop=True)


def hours_history(con: Connection, partner_id: int, tz: str = "UTC") -> pd.DataFrame:
    """Every opening-hours version of a partner, newest first, with the day it stopped applying
    and when it was recorded, in `tz`."""
    columns = [f.name for f in dataclasses.fields(hours.HoursVersion)]
    frame = pd.DataFrame([dataclasses.asdict(v) for v in hours.history(con, partner_id)], columns=columns)
    return _recorded_in(frame, tz)


def _recorded_in(frame: pd.DataFrame, tz: str) -> pd.DataFrame:
    """created_at (stored as a UTC instant) as a wall-clock time in `tz`, like every other time on the pages."""
    recorded = pd.to_datetime(frame["created_at"]).dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)
    return frame.assign(created_at=recorded)


def weekly_agreements(con: Connection, partner_id: int, weeks: list[periods.Period]) -> pd.DataFrame:
    """The agreement fields of the terms on each week's last day (partners.terms), one row per week:
    a week's targets are those its tile is judged by, the terms of its latest day."""
    columns = [c for c in agreements.COLUMNS if c not in ("partner_id", "created_at")]
    found = terms.by_day(con, partner_id, [_last_day(w) for w in weeks])
    return pd.DataFrame([{"period_start": w.start, **{c: None if found[_last_day(w)].agreement is None
                                                       else getattr(found[_last_day(w)].agreement, c) for c in columns}}
                         for w in weeks], columns=["period_start", *columns])


def _last_day(week: periods.Period) -> dt.date:
    return week.end - dt.timedelta(days=1)


# (metric, column in the weekly series, agreement field for its target, column with its sample size)
ROLLUP_TRENDS = (
    ("service_level", "service_level_agreed", "sl_target", "offered"),
    ("abandon_rate", "abandon_rate", "abandon_rate_max", "offered"),
    ("asa_s", "asa_s", "asa_max_s", "answered"),
    ("transfer_back_rate", "transfer_back_rate", "transfer_back_max", "answered"),
)


QUALITY_TRENDS = (
    ("qa_score", "qa_score", "qa_min", "qa_score_n"),
    ("fcr", "fcr", "fcr_min", "fcr_n"),
    ("csat_top2", "csat_top2", "csat_min", "csat_top2_n"),
    ("nps", "nps", "nps_min", "nps_n"),
)


QUALITY_METRICS = tuple(name for name, *_ in QUALITY_TRENDS)


def _long(merged: pd.DataFrame, trends: tuple[tuple[str, str, str, str], ...]) -> list[pd.DataFrame]:
    """Weekly columns to long form: metric, label, unit, period_start, value, target, sample_size."""
    return [
        pd.DataFrame({
            "metric": name, "label": metric(name).label, "unit": metric(name).unit,
            "period_start": merged["period_start"], "period": merged["period"],
            "value": merged[column].astype("Float64"),
            "target": merged[target].astype("Float64"), "sample_size": merged[sample].astype("Float64"),
        })
        for name, column, target, sample in trends
    ]


def _weekly(con: Connection, partner_id: int, frame: pd.DataFrame, period: periods.Period,
            weeks: int) -> pd.DataFrame:
    """One row per step of the trend (steps without data too: weeks, or months for a month), its label
    (`period`: 2026-W47 or 2026-11), the partner's series and its targets."""
    span = periods.steps_ending(period, weeks)
    mine = frame[frame["partner_id"] == partner_id].drop(columns=["partner_id", "week"]).rename(columns={"week_start": "period_start"})
    return (
        pd.DataFrame({"period_start": [w.start for w in span], "period": [w.label for w in span]})
        .merge(mine, on="period_start", how="left")
        .merge(weekly_agreements(con, partner_id, span), on="period_start", how="left", suffixes=("_series", ""))
    )


def availability_trends(con: Connection, partner_id: int, period: periods.Period, tz: str,
                        weeks: int = measures.TREND_STEPS) -> pd.DataFrame:
    """13 weeks of one partner's rollup figures (service level in its agreed variant, abandons, ASA,
    transfers back, volume share with its band) in long form, each with the target in force that week."""
    merged = _weekly(con, partner_id, series.trend(con, period, tz, (partner_id,), weeks), period, weeks)
    band = merged[["period_start", "period", "volume_share", "share_min", "share_target", "share_max", "calls_routed"]]
    share = band.rename(columns={"volume_share": "value"}).assign(
        metric="volume_share", label=metric("volume_share").label, unit="fraction")
    return pd.concat([*_long(merged, ROLLUP_TRENDS), share], ignore_index=True)


def quality_trends(con: Connection, partner_id: int, period: periods.Period, tz: str,
                   weeks: int = measures.TREND_STEPS) -> pd.DataFrame:
    """13 weeks of one partner's QA, FCR, CSAT and NPS with sample sizes and targets, in long form."""
    merged = _weekly(con, partner_id, series.quality_trend(con, period, tz, (partner_id,), weeks), period, weeks)
    return pd.concat(_long(merged, QUALITY_TRENDS), ignore_index=True)


def forecast_weeks(con: Connection, partner_id: int, period: periods.Period, trends: pd.DataFrame,
                   tz: str) -> pd.DataFrame:
    """Per trend step (a week, or a month for a month): legs sent (offered) to the partner against its
    forecast, and whether the step's service level missed its target and that miss is excused
    (metrics.excusal, with the terms of the step's last day, as the step's trend point), with the reason
    (`excused_note`). A month's forecast is its weeks' forecasts prorated by their days in the month,
    as the forecast-accuracy figure counts them; None where no forecast week touches the step."""
    sent = trends[trends["metric"] == "service_level"][["period_start", "sample_size"]]
    weeks = periods.steps_ending(period, len(sent))
    forecast = excusal.weekly_forecasts(con, partner_id, weeks[0].start, weeks[-1].end)
    frame = sent.rename(columns={"period_start": "week_start", "sample_size": "sent"})
    frame.insert(1, "period", [w.label for w in weeks])
    frame["forecast"] = [_forecast_in(forecast, step) for step in weeks]
    found = terms.by_day(con, partner_id, [_last_day(w) for w in weeks])
    days = excusal.days(con, partner_id, periods.between(weeks[0].start, weeks[-1].end), tz)
    judged = {w.start: excusal.decide(excusal.inside(days, w), found[_last_day(w)]) for w in weeks}
    frame["excused"] = [judged[week].excused if week in judged else False for week in frame["week_start"]]
    frame["excused_note"] = [judged[week].note if week in judged else "" for week in frame["week_start"]]
    return frame


def _forecast_in(weekly: Sequence[tuple[dt.date, float]], step: periods.Period) -> float | None:
    """The weekly forecasts' legs inside `step`, each prorated by its days inside it (None: no forecast week touches it)."""
    parts = [legs * ((min(start + dt.timedelta(days=7), step.end) - max(start, step.start)).days / 7)
             for start, legs in weekly if start < step.end and start + dt.timedelta(days=7) > step.start]
    return sum(parts) if parts else None


def staffing_intervals(con: Connection, partner_id: int, period: periods.Period, tz: str) -> pd.DataFrame:
    """Per interval with calls: agents needed by Erlang C against agents logged in, for one partner."""
    frame = series.staffing(con, period, tz, (partner_id,))
    frame = frame[(frame["partner_id"] == partner_id) & frame["interval_start"].notna()]
    return frame[["interval_start", "offered", "aht_s", "agents_needed", "agents_logged_in", "agents_contracted"]].reset_index(drop=True)


def heatmap_cells(con: Connection, partner_id: int, period: periods.Period, tz: str) -> pd.DataFrame:
    """Service level by weekday x hour for one partner (summed counts, never averaged percentages)."""
    frame = series.sl_heatmap(con, period, tz, (partner_id,))
    return frame[frame["partner_id"] == partner_id].drop(columns=["partner_id", "group"]).reset_index(drop=True)
