"""Month closes: a month's figures frozen for the commercial record, as a meeting freezes its own.

A close stores the scorecard's figures (meetings.Snapshot), the partner's 15-minute service-level
counts behind them and our own count of the billing units, all read in the closing transaction. The
record of the month (commercial.record) is computed from these only, so an import after the close
changes nothing in it: it shows as a difference beside it (meetings.compare), for the two sides to
settle, never silently.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from data import audit, clock, sqlfiles, store
from data.errors import UserError
from data.i18n import _
from data.store import Connection
from meetings.meetings import Snapshot
from metrics import measures
from partners import periods, registry
from partners.periods import Period

SQL_DIR = Path(__file__).resolve().parent / "sql"
UNITS = ("handled_calls", "talk_minutes", "agent_hours", "agents")


def sql(name: str) -> str:
    return sqlfiles.sql("commercial", name, SQL_DIR)


@dataclass(frozen=True)
class MonthClose:
    partner_id: int
    month: Period
    snapshot: Snapshot
    intervals: tuple[dict[str, Any], ...]   # measures.interval_sl_rows of the partner, as frozen
    units: dict[str, float]                 # our count of each billing unit (UNITS)
    closed_at: datetime                     # UTC
    closed_by: str | None


def month_of(text: str) -> Period:
    """'2026-11' as the month it names; anything else is refused in one line."""
    period = periods.parse(text)
    if period.grain != "month":
        raise UserError(_("'{text}' is not a month: write it as 2026-11").format(text=text))
    return period


def billing_units(con: Connection, partner_id: int, month: Period, tz: str) -> dict[str, float]:
    """Our own count of the units a partner bills by over the month (commercial.sql billing_units), to
    two decimals as an invoice writes a quantity (talk minutes, agent-hours)."""
    start, end = month.utc_bounds(tz)
    row = store.execute(con, sql("billing_units"), {"partner_id": partner_id, "start": start, "end": end}).dicts()[0]
    return {unit: round(float(row[unit]), 2) for unit in UNITS}


def _intervals(con: Connection, partner_id: int, month: Period, tz: str) -> list[dict[str, Any]]:
    rows = measures.interval_sl_rows(con, month, tz, (partner_id,))
    return [{k: v.isoformat() if isinstance(v, (date, datetime)) else v for k, v in r.items()}
            for r in rows if r["partner_id"] == partner_id]


def close_month(con: Connection, partner_id: int, month: Period, snapshot: Snapshot, actor: str) -> MonthClose:
    """Freeze the month (inside the caller's transaction). `snapshot` is the month's scorecard as
    reports.frames.snapshot takes it, on this connection. A month is closed once, after it ended."""
    name = registry.partner_name(con, partner_id)
    if month.end > clock.today(snapshot.time_zone):
        raise UserError(_("{month} has not ended yet: a month is closed once its last day is over").format(month=month.label))
    if (snapshot.period_start, snapshot.period_end) != (month.start, month.end):
        raise UserError(_("the figures given are not those of the month: close it again"))
    if get_close(con, partner_id, month) is not None:
        raise UserError(_("{month} is already closed for {partner}: its record stands, and later data shows as "
                          "differences beside it").format(month=month.label, partner=name))
    tz = snapshot.time_zone
    store.execute(
        con, "INSERT INTO month_closes (partner_id, month, frozen_figures, intervals, units, closed_by) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [partner_id, month.start, snapshot.to_json(), json.dumps(_intervals(con, partner_id, month, tz)),
         json.dumps(billing_units(con, partner_id, month, tz)), actor],
        what="close the month",
    )
    audit.record(con, actor, "month closed", f"{month.label} for {name}")
    found = get_close(con, partner_id, month)
    assert found is not None
    return found


def get_close(con: Connection, partner_id: int, month: Period) -> MonthClose | None:
    """The month's close, or None while it is open."""
    row = store.execute(
        con, "SELECT frozen_figures, intervals, units, timezone('UTC', closed_at), closed_by FROM month_closes "
        "WHERE partner_id = ? AND month = ?", [partner_id, month.start]).one()
    if row is None:
        return None
    return MonthClose(partner_id, month, Snapshot.from_json(row[0]), tuple(json.loads(row[1])),
                      json.loads(row[2]), row[3], row[4])


def closed_months(con: Connection, partner_id: int) -> list[Period]:
    """The partner's closed months, newest first."""
    rows = store.execute(con, "SELECT month FROM month_closes WHERE partner_id = ? ORDER BY month DESC",
                         [partner_id]).rows
    return [periods.month(r[0]) for r in rows]
