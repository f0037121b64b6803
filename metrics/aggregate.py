"""Sums of the interval rollups per period and group, and the rollup metrics computed from them.

Every coarser grain is cut in the reporting zone by converting each UTC interval start to local
time and truncating it; the sums of counts are then divided, never averaged. For the interval and
hour grains the period is also keyed by its UTC offset, so the repeated hour of the autumn DST day
gives two rows, not one row with two hours in it.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from data import store
from data.store import Connection
from metrics.definitions import ROLLUP_METRICS, Metric
from partners.access import scope_sql

SUM_COLUMNS = ("offered", "answered", "abandoned", "overflowed", "answered_within_threshold",
               "abandoned_within_threshold", "short_abandoned", "answered_wait_s", "abandoned_wait_s", "handle_s",
               "talk_s", "hold_s", "wrap_s", "transferred", "transferred_back", "turned_away",
               "turned_away_inside_hours")

# The zone-dependent SQL, in one place: local time of an interval start and its truncation per grain.
LOCAL = "(r.interval_start AT TIME ZONE $tz)"
OFFSET = f"({LOCAL} - (r.interval_start AT TIME ZONE 'UTC'))"
PERIOD_START = {
    "interval": LOCAL,
    "hour": f"date_trunc('hour', {LOCAL})",
    "day": f"date_trunc('day', {LOCAL})",
    "week": f"date_trunc('week', {LOCAL})",
    "month": f"date_trunc('month', {LOCAL})",
    "total": "CAST($start AS TIMESTAMP)",
    # Two consecutive ranges read together (a meeting's days and the days before them): the local
    # midnight starting each, split at the second's first instant $split.
    "split": "timezone($tz, CASE WHEN r.interval_start < $split THEN $start ELSE $split END)",
}
SPLIT = "split"
PERIOD_OFFSET = {"interval": OFFSET, "hour": OFFSET}
GROUPS = {
    "queue": ("q.queue_id", "q.name", "q.partner_id"),
    "partner": ("q.partner_id", "coalesce(p.name, 'in-house')", "q.partner_id"),
    "total": ("CAST(NULL AS INTEGER)", "'all'", "CAST(NULL AS INTEGER)"),
}

# The 15-minute interval (UTC-aligned, as data/sql/rollups.sql cuts them) that holds an instant.
INTERVAL_OF = "to_timestamp(floor(extract(epoch FROM {instant}) / 900) * 900)"


def period_columns(grain: str, instant: str) -> str:
    """`period_start, utc_offset` of an instant (an SQL expression) at `grain`, cut exactly as the
    rollups' periods are: its 15-minute interval converted to the reporting zone and truncated. So a
    figure read from detail rows (the call-based volume shares) lands on the rows `rollup_sql` gives."""
    interval = INTERVAL_OF.format(instant=instant)
    start = PERIOD_START[grain].replace("r.interval_start", interval)
    offset = PERIOD_OFFSET.get(grain, "INTERVAL '0 seconds'").replace("r.interval_start", interval)
    return f"{start} AS period_start, {offset} AS utc_offset"


EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)


def rollup_sql(grain: str, by: str, partner_filter: str, metrics: Sequence[Metric] = ROLLUP_METRICS) -> str:
    """The statement: one row per period and group with the summed rollup columns and, per rollup
    metric (of `metrics`), its numerator and denominator. The scope filter comes last (no rollup
    metric needs other groups' rows today; the call-based volume shares are read from the legs)."""
    group_id, group_name, partner_id = GROUPS[by]
    offset = PERIOD_OFFSET.get(grain, "INTERVAL '0 seconds'")
    line = ",\n           "  # one column a line, so a changed expression is one changed line in tests/golden/
    sums = line.join(f"sum(r.{c}) AS {c}" for c in SUM_COLUMNS)
    parts = line.join(
        f"{m.numerator} AS {m.name}__num" + (f"{line}{m.denominator} AS {m.name}__den" if m.denominator else "")
        for m in metrics
    )
    return f"""
-- One row per period and group: summed rollup counts, and each rollup metric's numerator and denominator.
WITH sums AS (
    SELECT {PERIOD_START[grain]} AS period_start, {offset} AS utc_offset,
           {group_id} AS group_id, {group_name} AS group_name, {partner_id} AS partner_id,
           {sums}
    FROM interval_rollups r
    JOIN queues q ON q.queue_id = r.queue_id
    LEFT JOIN partners p ON p.partner_id = q.partner_id
    WHERE r.interval_start >= $start AND r.interval_start < $end
    GROUP BY 1, 2, 3, 4, 5
),
measured AS (
    SELECT period_start, utc_offset, group_id, group_name, partner_id, {", ".join(SUM_COLUMNS)},
           {parts}
    FROM sums
)
SELECT * FROM measured
WHERE TRUE{partner_filter}
ORDER BY period_start, utc_offset DESC, group_name"""


def ratio(numerator: Any, denominator: Any) -> float | None:
    """numerator / denominator, or None ("no data") when the denominator is 0 or missing."""
    if numerator is None or not denominator:
        return None
    return float(numerator) / float(denominator)


def rollup_rows(con: Connection, *, tz: str, grain: str = "total", by: str = "partner",
                start: datetime | None = None, end: datetime | None = None,
                partner_ids: Sequence[int] | None = None, split: datetime | None = None) -> list[dict[str, Any]]:
    """Rows of {period_start, utc_offset, group_id, group_name, partner_id, sums..., metric values,
    metric__num, metric__den} for the UTC range [start, end) (at grain SPLIT: [start, split) and
    [split, end), each row's period_start the local midnight starting its range).

    One partner's weeks are its day rows summed (`_summed_days`): its scorecard's trends and its
    forecast chart's excused days (metrics.excusal, by day) then share one statement. The day read
    costs about what the week read does (13 weeks: 91 rows against 13); months stay read as months
    (13 months are 396 days: the day read costs 10 ms more than the month read where no days are asked)."""
    if grain in FROM_DAYS and partner_ids is not None and len(partner_ids) == 1:
        rows = _summed_days(_sums(con, tz, "day", by, start, end, partner_ids), grain)
    else:
        rows = _sums(con, tz, grain, by, start, end, partner_ids, split)
    for row in rows:
        for m in ROLLUP_METRICS:
            row[m.name] = ratio(row[f"{m.name}__num"], row[f"{m.name}__den"]) if m.denominator else row[m.name + "__num"]
    return rows


def _sums(con: Connection, tz: str, grain: str, by: str, start: datetime | None, end: datetime | None,
          partner_ids: Sequence[int] | None, split: datetime | None = None) -> list[dict[str, Any]]:
    """The rows of `rollup_sql` (sums, numerators and denominators), fresh dicts of the statement's answer."""
    params: dict[str, Any] = {"tz": tz, "start": start or EARLIEST, "end": end or LATEST}
    if grain == SPLIT:
        params["split"] = split
    text = rollup_sql(grain, by, scope_sql("partner_id", partner_ids, params))
    if "$tz" not in text:
        del params["tz"]
    return store.execute(con, text, params).dicts()


# The grains read as their days summed, with the first day of a day's period: a local week is whole local days.
FROM_DAYS = {"week": lambda day: day - timedelta(days=day.weekday())}
# The columns of a rollup row that are sums of whole counts (numerators and denominators are +/- of
# them): a week's value is its days' values summed, exactly (BIGINT counts, Python ints).
SUMMED = (*SUM_COLUMNS, *(f"{m.name}__{side}" for m in ROLLUP_METRICS
                          for side in (("num", "den") if m.denominator else ("num",))))


def _summed_days(days: list[dict[str, Any]], grain: str) -> list[dict[str, Any]]:
    """Day rows (in the statement's order: by day, then group name) summed into `grain`'s periods: the
    rows the statement at that grain gives, in its order (period, then group name; utc_offset is 0)."""
    first_day = FROM_DAYS[grain]
    found: dict[tuple, dict[str, Any]] = {}
    for day in days:
        key = (first_day(day["period_start"]), day["group_id"], day["group_name"], day["partner_id"])
        row = found.get(key)
        if row is None:
            found[key] = {**day, "period_start": key[0]}
        else:
            for column in SUMMED:
                row[column] += day[column]
    return sorted(found.values(), key=lambda row: (row["period_start"], row["group_name"]))


def period_label(period_start: datetime, utc_offset: timedelta, grain: str) -> str:
    """YYYY-MM-DD for day and coarser grains; local ISO time with its UTC offset for interval and hour."""
    if grain in PERIOD_OFFSET:
        return period_start.replace(tzinfo=timezone(utc_offset)).isoformat()
    return period_start.date().isoformat()
