"""Read models for the pages: the metrics layer's results shaped for one table or chart each.

Some read the store directly (import history, rejected rows, freshness, pickers); the rest are
composed from metrics' functions (scorecard, series) and only reshape, label or join them, so
every number still comes from metrics/. Functions return DataFrames, and pages stay free of SQL. Partner-scoped reads accept `partner_ids` (None = all) so a partner
user's scope is enforced where the data is read, not where it is shown.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import duckdb
import pandas as pd

from data import clock, store
from data.profiles import queue_log
from metrics import measures, periods, scorecard, series, statuses
from metrics.definitions import BAND, HIGHER, LOWER, metric
from metrics.measures import Measure
from metrics.scorecard import Figure, Scorecard
from metrics.sqlfiles import sql
from partners import agreements, hours


def _frame(con: duckdb.DuckDBPyConnection, statement: str, params: dict[str, Any]) -> pd.DataFrame:
    result = store.execute(con, statement, params)
    return pd.DataFrame(result.rows, columns=result.columns)


def _ids(partner_ids: tuple[int, ...] | None) -> list[int] | None:
    return None if partner_ids is None else list(partner_ids)


def import_history(con: duckdb.DuckDBPyConnection, tz: str, limit: int = 200) -> pd.DataFrame:
    """The latest imports, newest first, with where every row went."""
    return _frame(con, sql("views", "import_history"), {"tz": tz, "limit": limit})


def rejected_rows(con: duckdb.DuckDBPyConnection, batch_id: int | None = None, limit: int = 1000) -> pd.DataFrame:
    """Rejected rows with their reasons: one batch, or the latest of all batches."""
    return _frame(con, sql("views", "rejected_rows"), {"batch_id": batch_id, "limit": limit})


def freshness(con: duckdb.DuckDBPyConnection, tz: str, partner_ids: tuple[int, ...] | None = None) -> pd.DataFrame:
    """How fresh each queue's data is: legs held and the last interval with legs, in the reporting zone."""
    return _frame(con, sql("views", "freshness"), {"tz": tz, "partner_ids": _ids(partner_ids)})


WAITING_COLUMNS = ("queue", "call_id", "file", "line", "first_event", "kept_at", "waited_s", "missing", "waited")


def queue_log_waiting(con: duckdb.DuckDBPyConnection, tz: str, now: dt.datetime | None = None) -> pd.DataFrame:
    """The queue_log legs waiting for their other file, one row each (WAITING_COLUMNS), oldest first.

    The import only counts them in its notes; this names them, so an analyst can find the rotated
    file that is missing. Read straight from queue_log_pending (no import code runs); an older
    file opened read-only, without that table, has none waiting.
    """
    if not store.has_table(con, "queue_log_pending"):
        return pd.DataFrame(columns=list(WAITING_COLUMNS))
    frame = _frame(con, sql("views", "queue_log_waiting"), {
        "tz": tz, "now": now or clock.now(), "start": queue_log.LEG_START,
        "ends": [*queue_log.UNANSWERED_END, *queue_log.ANSWERED_END]})
    frame["waited"] = frame["waited_s"].map(waited_text)
    return frame


def waited_text(seconds: int | None) -> str:
    """How long, in the two largest units a person reads at a glance: `45 min`, `3 h 5 min`, `4 d 2 h`."""
    if seconds is None or pd.isna(seconds):
        return "unknown"
    minutes, hours, days = seconds // 60 % 60, seconds // 3600 % 24, seconds // 86400
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def partners(con: duckdb.DuckDBPyConnection, partner_ids: tuple[int, ...] | None = None) -> pd.DataFrame:
    """The partners a user may pick, by name."""
    return _frame(con, sql("views", "partners"), {"partner_ids": _ids(partner_ids)})


def leg_days(con: duckdb.DuckDBPyConnection, tz: str) -> tuple[dt.date, dt.date] | None:
    """The first and last reporting-zone day holding legs, or None for an empty store."""
    first, last = measures.leg_days(con, tz)
    return None if first is None else (first, last)


def containing(day: dt.date, grain: str) -> periods.Period:
    """The week (ISO) or month that holds `day`."""
    return periods.month(day) if grain == "month" else periods.week(day)


def period_choices(span: tuple[dt.date, dt.date] | None, today: dt.date, grain: str, count: int = 26) -> list[periods.Period]:
    """The periods a user can pick, newest first.

    The newest is the last complete one (a manager follows up finished weeks), or the period of
    the latest data when the data stops earlier (a demo or an old export); the list stops at the
    period of the earliest data, and is never empty.
    """
    newest = periods.previous(containing(today, grain))
    if span is not None and span[1] < newest.start:
        newest = containing(span[1], grain)
    oldest = containing(span[0], grain).start if span is not None else dt.date.min
    choices = [newest]
    while len(choices) < count and choices[-1].start > oldest:
        choices.append(periods.previous(choices[-1]))
    return choices


def agreement_history(con: duckdb.DuckDBPyConnection, partner_id: int, tz: str = "UTC") -> pd.DataFrame:
    """Every agreement version of a partner, newest first, with the day it stopped applying
    (None while in force) and when it was recorded, in `tz`."""
    versions = agreements.history(con, partner_id)
    frame = pd.DataFrame([dataclasses.asdict(v) for v in versions], columns=list(agreements.COLUMNS))
    frame = frame.sort_values(["valid_from", "agreement_id"])
    frame.insert(3, "valid_to", frame["valid_from"].shift(-1))
    frame = _recorded_in(frame, tz)
    return frame.iloc[::-1].drop(columns=["partner_id"]).reset_index(drop=True)


def hours_history(con: duckdb.DuckDBPyConnection, partner_id: int, tz: str = "UTC") -> pd.DataFrame:
    """Every opening-hours version of a partner, newest first, with the day it stopped applying
    and when it was recorded, in `tz`."""
    columns = [f.name for f in dataclasses.fields(hours.HoursVersion)]
    frame = pd.DataFrame([dataclasses.asdict(v) for v in hours.history(con, partner_id)], columns=columns)
    return _recorded_in(frame, tz)


def _recorded_in(frame: pd.DataFrame, tz: str) -> pd.DataFrame:
    """created_at (stored as a UTC instant) as a wall-clock time in `tz`, like every other time on the pages."""
    recorded = pd.to_datetime(frame["created_at"]).dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)
    return frame.assign(created_at=recorded)


# --- figures for people ---------------------------------------------------------------------------


def sample_text(name: str, size: float | None) -> str:
    """A sample size with what it counts, so 19,170 is not read as calls: 597 forecast legs,
    19,170 contracted agent-minutes, 1,204 legs (the ratios over legs say no more)."""
    if size is None or pd.isna(size):
        return "–"
    return f"{size:,.0f} {metric(name).sample or 'legs'}"


def display(value: float | None, unit: str) -> str:
    """A figure as a person reads it: 81.3 %, 24 s, 1,204; 'no data' rather than 0 or blank."""
    if value is None or pd.isna(value):
        return "no data"
    if unit == "fraction":
        return f"{value * 100:.1f} %"
    if unit == "seconds":
        return f"{value:,.0f} s"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "hours":
        return f"{value:,.1f} h"
    return f"{value:,.1f}"


# The word the Agreements page gives each kind of target: a service level or QA score is a
# minimum, an abandon rate or ASA a maximum, volume share a band.
TARGET_WORDS = {HIGHER: "min", LOWER: "max", BAND: "band"}


def display_target(target: Any, unit: str, direction: str | None = None) -> str:
    """A target with the word for its kind ('min 80.0 %', 'max 30 s', 'band 10.0 %–16.0 %'), so a
    maximum is never read as a value to reach; 'none agreed' when there is none."""
    if target is None:
        return "none agreed"
    if isinstance(target, (tuple, list)):
        low, high = target
        amount = f"{display(low, unit) if low is not None else '…'}–{display(high, unit) if high is not None else '…'}"
    else:
        amount = display(target, unit)
    word = TARGET_WORDS.get(direction or "")
    return f"{word} {amount}" if word else amount


def target_text(figure: Figure) -> str | None:
    """The target(s) a figure was judged against, in words; None when no part had one.

    A period judged in several agreement parts names each differing target with its days
    ('max 30 s to 23 Nov 2025, 40 s from 24 Nov 2025'), since its status is the worst part's and
    the later version alone would misstate what the first days were held to.
    """
    direction = metric(figure.definition).direction
    pieces: list[list[Any]] = []  # [first day, last day, target], consecutive parts with one target merged
    for part in figure.parts:
        if pieces and pieces[-1][2] == part.target:
            pieces[-1][1] = part.end - dt.timedelta(days=1)
        else:
            pieces.append([part.start, part.end - dt.timedelta(days=1), part.target])
    if all(target is None for *_, target in pieces):
        return None
    if len(pieces) <= 1:
        return display_target(figure.target, figure.unit, direction)
    words, said = [], False  # the kind ('max') is said once, until a part without a target breaks the run
    for i, (first, last, target) in enumerate(pieces):
        days = (f"to {periods.day_text(last)}" if i == 0 else f"from {periods.day_text(first)}" if i == len(pieces) - 1
                else f"{'on ' if first == last else ''}{periods.days_text(first, last)}")
        amount = "no target" if target is None else display_target(target, figure.unit, None if said else direction)
        said = target is not None
        words.append(f"{amount} {days}")
    return ", ".join(words)


def change(figure: Figure) -> str | None:
    """The change against the previous period in the figure's unit (points for fractions)."""
    if figure.value is None or figure.previous_value is None:
        return None
    delta = figure.value - figure.previous_value
    if figure.unit == "fraction":
        return f"{delta * 100:+.1f} pts"
    if figure.unit == "seconds":
        return f"{delta:+,.0f} s"
    return f"{delta:+,.0f}" if figure.unit == "count" else f"{delta:+,.1f}"


def delta_colour(figure: Figure) -> str:
    """st.metric's delta colour from the metric's direction: up is good, up is bad, or neither."""
    direction = metric(figure.definition).direction
    return {"higher": "normal", "lower": "inverse"}.get(direction, "off")


def counted(count: int, noun: str) -> str:
    """'1 call leg', '2 call legs', '1,204 queues': a count in plain English (regular plurals only)."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def in_sentence(label: str) -> str:
    """A metric's label inside a sentence: 'service level', but 'QA score' and 'NPS' keep their capitals."""
    first = label.split(" ", 1)[0]
    return label if first.isupper() else label[:1].lower() + label[1:]


def figure_cell(figure: Figure) -> str:
    """One overview cell: value, sample size for quality figures, and status as icon and word."""
    sample = f" (n={figure.sample_size:,})" if figure.family == "quality" and figure.sample_size is not None else ""
    return f"{display(figure.value, figure.unit)}{sample} [{figure.status_text}]"


OVERVIEW_METRICS = ("volume_share", "service_level", "abandon_rate", "asa_s", "qa_score", "fcr",
                    "transfer_back_rate", "csat_top2", "nps")


def overview_table(cards: list[Scorecard]) -> pd.DataFrame:
    """One row per partner (in-house last, as the benchmark): per key figure its value (a plain
    number, fractions as 0.8), its status as icon and word in `<metric>_status`, and for quality
    figures the sample behind it in `<metric>_n`, so a CSV of it is numbers an analyst can use."""
    rows = []
    for card in cards:
        row: dict[str, object] = {"partner": card.name}
        for name in OVERVIEW_METRICS:
            figure = card.figure(name)
            row[name] = figure.value
            if metric(name).family == "quality":
                row[f"{name}_n"] = figure.sample_size
            row[f"{name}_status"] = figure.status_text
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["partner", *OVERVIEW_COLUMNS])
    counts = [c for c in OVERVIEW_COLUMNS if c.endswith("_n")]
    return frame.astype({c: "Int64" for c in counts} | {n: "Float64" for n in OVERVIEW_METRICS})


OVERVIEW_COLUMNS = tuple(
    f"{name}{suffix}" for name in OVERVIEW_METRICS
    for suffix in ("", *(("_n",) if metric(name).family == "quality" else ()), "_status")
)


def figures_table(card: Scorecard) -> pd.DataFrame:
    """Every figure of a scorecard with what it was computed from: the table behind the KPI tiles."""
    return pd.DataFrame(
        [
            {"family": f.family, "figure": f.label, "value": f.value, "shown": display(f.value, f.unit),
             "target": target_text(f) or "none agreed", "status": f.status_text,
             "previous": f.previous_value, "numerator": f.numerator, "denominator": f.denominator,
             "sample_size": f.sample_size}
            for f in card.figures
        ]
    )


# --- series for the charts ------------------------------------------------------------------------


def weekly_agreements(con: duckdb.DuckDBPyConnection, partner_id: int, weeks: list[periods.Period]) -> pd.DataFrame:
    """The version in force on each week's Monday (a version can change targets inside a trend).

    One read of the history instead of one query per week: the version in force on a day is the
    one with the latest valid_from on or before it, and of two with the same valid_from the later
    one (as the agreement_spans view has it).
    """
    columns = [c for c in agreements.COLUMNS if c not in ("partner_id", "created_at")]
    versions = pd.DataFrame([dataclasses.asdict(v) for v in agreements.history(con, partner_id)], columns=columns)
    versions = versions[columns].sort_values(["valid_from", "agreement_id"]).drop_duplicates("valid_from", keep="last")
    mondays = pd.DataFrame({"period_start": [w.start for w in weeks]})
    mondays["day"] = pd.to_datetime(mondays["period_start"])
    versions["day"] = pd.to_datetime(versions["valid_from"])
    found = pd.merge_asof(mondays, versions.astype({"day": mondays["day"].dtype}), on="day")
    return found.drop(columns=["day"])[["period_start", *columns]]


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
            "period_start": merged["period_start"], "value": merged[column].astype("Float64"),
            "target": merged[target].astype("Float64"), "sample_size": merged[sample].astype("Float64"),
        })
        for name, column, target, sample in trends
    ]


def _weekly(con: duckdb.DuckDBPyConnection, partner_id: int, frame: pd.DataFrame, period: periods.Period,
            weeks: int) -> pd.DataFrame:
    """One row per week of the trend (weeks without data too), the partner's series and its targets."""
    span = periods.weeks_ending(period, weeks)
    mine = frame[frame["partner_id"] == partner_id].drop(columns=["partner_id", "week"]).rename(columns={"week_start": "period_start"})
    return (
        pd.DataFrame({"period_start": [w.start for w in span]})
        .merge(mine, on="period_start", how="left")
        .merge(weekly_agreements(con, partner_id, span), on="period_start", how="left", suffixes=("_series", ""))
    )


def availability_trends(con: duckdb.DuckDBPyConnection, partner_id: int, period: periods.Period, tz: str,
                        weeks: int = 13) -> pd.DataFrame:
    """13 weeks of one partner's rollup figures (service level in its agreed variant, abandons, ASA,
    transfers back, volume share with its band) in long form, each with the target in force that week."""
    merged = _weekly(con, partner_id, series.trend(con, period, tz, (partner_id,), weeks), period, weeks)
    band = merged[["period_start", "volume_share", "share_min", "share_target", "share_max", "answered"]]
    share = band.rename(columns={"volume_share": "value"}).assign(
        metric="volume_share", label=metric("volume_share").label, unit="fraction")
    return pd.concat([*_long(merged, ROLLUP_TRENDS), share], ignore_index=True)


def quality_trends(con: duckdb.DuckDBPyConnection, partner_id: int, period: periods.Period, tz: str,
                   weeks: int = 13) -> pd.DataFrame:
    """13 weeks of one partner's QA, FCR, CSAT and NPS with sample sizes and targets, in long form."""
    merged = _weekly(con, partner_id, series.quality_trend(con, period, tz, (partner_id,), weeks), period, weeks)
    return pd.concat(_long(merged, QUALITY_TRENDS), ignore_index=True)


def forecast_weeks(con: duckdb.DuckDBPyConnection, partner_id: int, period: periods.Period, trends: pd.DataFrame) -> pd.DataFrame:
    """Per week: legs sent (offered) to the partner against its forecast, and whether a service-level
    miss that week is excused (sent above forecast x (1 + the agreement's forecast tolerance))."""
    weeks = trends[trends["metric"] == "service_level"][["period_start", "sample_size"]]
    first, last = weeks["period_start"].min(), weeks["period_start"].max()
    forecast = _frame(con, sql("views", "weekly_forecasts"),
                      {"partner_id": partner_id, "start_day": first, "end_day": last + dt.timedelta(days=7)})
    frame = weeks.rename(columns={"period_start": "week_start", "sample_size": "sent"}).merge(
        forecast, on="week_start", how="left")
    in_force = {row.period_start: row for row in weekly_agreements(con, partner_id, periods.weeks_ending(period, len(frame))).itertuples()}
    frame["excused"] = [
        scorecard._excused({"forecast_accuracy": Measure(None, sent, planned)}, _version(in_force.get(week)))
        if not pd.isna(planned) and not pd.isna(sent) else False
        for week, sent, planned in zip(frame["week_start"], frame["sent"], frame["forecast"])
    ]
    return frame


def _version(row: Any) -> agreements.Agreement | None:
    """An Agreement back from a weekly_agreements row (None where no version was in force)."""
    if row is None or pd.isna(row.agreement_id):
        return None
    values = {c: getattr(row, c, None) for c in agreements.COLUMNS}
    return agreements.Agreement(**values)


def staffing_intervals(con: duckdb.DuckDBPyConnection, partner_id: int, period: periods.Period, tz: str) -> pd.DataFrame:
    """Per interval with calls: agents needed by Erlang C against agents logged in, for one partner."""
    frame = series.staffing(con, period, tz, (partner_id,))
    frame = frame[(frame["partner_id"] == partner_id) & frame["interval_start"].notna()]
    return frame[["interval_start", "offered", "aht_s", "agents_needed", "agents_logged_in", "agents_contracted"]].reset_index(drop=True)


def heatmap_cells(con: duckdb.DuckDBPyConnection, partner_id: int, period: periods.Period, tz: str) -> pd.DataFrame:
    """Service level by weekday x hour for one partner (summed counts, never averaged percentages)."""
    frame = series.sl_heatmap(con, period, tz, (partner_id,))
    return frame[frame["partner_id"] == partner_id].drop(columns=["partner_id", "group"]).reset_index(drop=True)


def interval_points(frame: pd.DataFrame, names: dict[int, str]) -> pd.DataFrame:
    """Interval availability with a partner name and a status per interval: met, missed, or why neither.

    Input: series.interval_availability. Only intervals inside opening hours count, as in the
    attainment figure.
    """
    inside = frame[frame["inside_hours"].fillna(False).astype(bool) & frame["partner_id"].notna()].copy()
    inside["partner"] = inside["partner_id"].map(lambda p: names.get(int(p), f"partner {p}"))
    inside["status"] = [
        statuses.NO_DATA if pd.isna(level) else statuses.NO_TARGET if pd.isna(met) else statuses.GREEN if met else statuses.RED
        for level, met in zip(inside["service_level"], inside["met"])
    ]
    return inside[["partner", "interval_start", "offered", "service_level", "sl_target", "status"]].reset_index(drop=True)


def attainment_summary(points: pd.DataFrame, cards: list[Scorecard]) -> pd.DataFrame:
    """Per partner: intervals in and out of target, and the period figures of the availability family."""
    counts = points.assign(
        met=points["status"] == statuses.GREEN, missed=points["status"] == statuses.RED
    ).groupby("partner", as_index=False)[["met", "missed"]].sum()
    rows = [
        {"partner": card.name, **{metric(n).label: figure_cell(card.figure(n)) for n in AVAILABILITY_SUMMARY}}
        for card in cards
    ]
    summary = pd.DataFrame(rows, columns=["partner", *[metric(n).label for n in AVAILABILITY_SUMMARY]])
    summary = summary.merge(counts.rename(columns={"met": "intervals met", "missed": "intervals missed"}), on="partner", how="left")
    # In-house (and a partner without hours) has no interval target; the column is text throughout,
    # as a table column of numbers and words cannot be sent to the browser as one type.
    for column in ("intervals met", "intervals missed"):
        summary[column] = [NO_TARGET if pd.isna(n) else f"{int(n):,}" for n in summary[column]]
    return summary


NO_TARGET = statuses.ICONS[statuses.NO_TARGET]


AVAILABILITY_SUMMARY = ("service_level", "interval_sl_attainment", "p90_wait_s", "staffed_vs_contracted")


def qa_against_in_house(frame: pd.DataFrame, partner_id: int, partner: str) -> pd.DataFrame:
    """QA score per form section for the partner and in-house side by side (input: series.qa_sections)."""
    mine = frame[frame["partner_id"] == partner_id].assign(who=partner)
    house = frame[frame["partner_id"].isna()].assign(who="in-house")
    both = pd.concat([mine, house], ignore_index=True)
    return both[["section", "who", "score", "evaluations"]]
