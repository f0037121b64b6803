"""Tables of rollup metrics per period and group: what `python -m cli metrics` prints and pages chart.

Beside the rollup metrics, a partner table carries the call-based volume figures (calls routed,
volume share and answered share; metrics/sql/details.sql `call_volume`), joined on the same period
cut. They count calls, which visit several queues, so they have no per-queue value: in a queue table
they are empty. `turned_away` is the rollups' count of turned-away legs by their own offered_at, the
same number as the scorecard's `turned_away` (a queue table has it too)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from data import settings
from data.errors import UserError
from data.store import Connection
from metrics import aggregate, measures
from partners import periods
from partners.periods import local_midnight_utc

TABLE_COLUMNS = ("period_start", "group", "offered", "answered", "abandoned", "short_abandoned", "overflowed",
                 "answered_within_threshold", "service_level", "abandon_rate", "asa_s", "aht_s",
                 "abandoned_within_threshold", "sl_answered_only", "sl_abandons_within_met", "sl_with_overflow",
                 "volume_share", "transfer_back_rate", "calls_routed", "turned_away", "answered_share")
# The call-based columns, empty per queue; volume_share is one of them (a share of calls, not legs).
CALL_COLUMNS = ("calls_routed", "volume_share", "answered_share")
# A partner's period in which no call began (its legs belong to calls of the period before).
NO_CALLS = {"calls_routed": 0, "volume_share": None, "answered_share": None}
GROUP_BY = ("queue", "partner")

if TYPE_CHECKING:
    import pandas as pd


def table(con: Connection, grain: str, by: str, start: date | None = None, end: date | None = None,
          tz: str | None = None, partner_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """`rows` as a DataFrame; object columns keep counts as Python ints and "no data" as None (not NaN)."""
    import pandas as pd

    return pd.DataFrame(rows(con, grain, by, start, end, tz, partner_ids),
                        columns=list(TABLE_COLUMNS) + ["partner_id"], dtype=object)


def rows(con: Connection, grain: str, by: str, start: date | None = None, end: date | None = None,
         tz: str | None = None, partner_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """One row per period (cut in `tz`) and queue or partner (in-house queues form 'in-house').

    start and end are local days, end exclusive; None = all data. Ratios are fractions, None when
    their denominator is 0. A week or month cut by start or end holds only the days inside.
    """

    if grain not in periods.GRAINS:
        raise UserError(f"unknown grain {grain!r}; use one of {', '.join(periods.GRAINS)}")
    if by not in GROUP_BY:
        raise UserError(f"unknown grouping {by!r}; use queue or partner")
    tz = settings.reporting_tz(con, tz)
    periods.zone(tz)
    if start and end and end <= start:
        raise UserError(f"--end must not be before --start ({start})")
    found = aggregate.rollup_rows(
        con, tz=tz, grain=grain, by=by, partner_ids=partner_ids,
        start=local_midnight_utc(start, tz) if start else None, end=local_midnight_utc(end, tz) if end else None,
    )
    calls = _calls(con, grain, tz, found, partner_ids, start, end) if by == "partner" else {}
    none = NO_CALLS if by == "partner" else dict.fromkeys(CALL_COLUMNS)
    for row in found:
        row.update(calls.get((row["period_start"], row["utc_offset"], row["partner_id"]), none))
        row["period_start"] = aggregate.period_label(row["period_start"], row["utc_offset"], grain)
        row["group"] = row["group_name"]
    return found


def _calls(con: Connection, grain: str, tz: str, found: list[dict[str, Any]], partner_ids: Sequence[int] | None,
           start: date | None, end: date | None) -> dict[tuple[Any, Any, int | None], dict[str, Any]]:
    """The call-based columns per (period_start, utc_offset, partner) over the range of `found`. A
    table row is a period in which the group had legs, so a call routed to a partner in a period where
    none of its legs lie (a call that began before midnight) is counted there and not printed."""
    if not found:
        return {}
    params = {"tz": tz, "start": local_midnight_utc(start, tz) if start else aggregate.EARLIEST,
              "end": local_midnight_utc(end, tz) if end else aggregate.LATEST}
    out = {}
    for row in measures.detail_rows(con, "call_volume", params, partner_ids, grain=grain):
        out[row["period_start"], row["utc_offset"], row["partner_id"]] = {
            "calls_routed": row["calls_routed"],
            "volume_share": aggregate.ratio(row["calls_routed"], row["calls"]),
            "answered_share": aggregate.ratio(row["calls_answered"], row["answered_calls"])}
    return out
