"""The demo's commercial record: credit rules in each partner's latest agreement, and the last
complete month closed, invoiced and disputed, so the Credits page has its story to tell.

* **FlexiCall** misses its service level on its evenings: a credit per point (and one per band of
  abandon rate). Its invoice bills more talk minutes than its legs hold (the line that does not
  match). It disputed a Monday evening ("IVR down", accepted: that span leaves its service level)
  and its abandon rate as a whole ("callers hung up in the IVR", rejected).
* **QuickServe** answers fast and badly: a bonus per second of ASA under its maximum, and credits
  for its QA score (a share of its invoice) and its transfers back.
* **Nordic Reliable** has rules too (a bonus per point of service level or transfer-back rate beaten),
  but its month is left open, for the centre to close on the Credits page.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from commercial import closes, disputes, record
from data import clock, settings, store
from data.store import Connection
from partners import access, periods, registry
from partners.agreements import CreditRule
from reports import frames

# Each partner's rules, in its latest version (partners.agreements checks them like the targets).
RULES: dict[str, tuple[CreditRule, ...]] = {
    "Nordic Reliable": (CreditRule("service_level", "fixed", "point", 500, beat_amount=300, figure_cap=6000),
                        CreditRule("transfer_back_rate", "fixed", "point", 400, beat_amount=250, figure_cap=2000)),
    "FlexiCall": (CreditRule("service_level", "fixed", "point", 500, figure_cap=10_000, earn_back_months=2),
                  CreditRule("abandon_rate", "fixed", "band", 1500, band_points=2, counts="red")),
    "QuickServe": (CreditRule("qa_score", "share_of_invoice", "point", 0.005, figure_cap=0.05),
                   CreditRule("transfer_back_rate", "fixed", "band", 2000, band_points=5),
                   CreditRule("asa_s", "fixed", "point", 200, beat_amount=100, figure_cap=3000)),
}
# The partners whose last month the demo closes. Nordic Reliable's is left open for the centre to
# close on the page (its scorecard, with a weekly floor since the start, is the dearest to freeze).
CLOSED = ("FlexiCall", "QuickServe")
MONTH_CAPS = {"Nordic Reliable": 10_000.0, "FlexiCall": 15_000.0, "QuickServe": 20_000.0}
# What each unit is billed at, and the share by which FlexiCall bills more talk minutes than we count.
PRICES = {"handled_calls": 38.0, "talk_minutes": 4.5}
OVERBILLED = {("FlexiCall", "talk_minutes"): 0.04}
PARTNER_USER = "site.manager@{slug}.example"
CLOSED_AFTER_DAYS = 3  # the centre closes a month a few days after it ended
CENTRE = access.Scope("partner.manager@centre.example", "manager")


def last_complete_month(end: date) -> periods.Period:
    """The newest month whose last day is before the demo's `end` (exclusive)."""
    month = periods.month(end - timedelta(days=1))
    return month if month.end <= end else record.shifted(month, -1)


def settle(con: Connection, end: date, batch_id: int) -> None:
    """Close the last complete month of the CLOSED partners, invoice it and raise FlexiCall's disputes."""
    tz = settings.get(con, "reporting_tz")
    month = last_complete_month(end)
    if month.end > clock.today(tz):
        return
    closed_at = periods.local_midnight_utc(month.end + timedelta(days=CLOSED_AFTER_DAYS), tz) + timedelta(hours=9)
    for partner_id, name, _ in registry.list_partners(con):
        if name not in CLOSED:
            continue
        snapshot = replace(frames.snapshot(con, partner_id, month, tz, with_series=False), taken_at=closed_at)
        close = closes.close_month(con, partner_id, month, snapshot, "partner.manager@centre.example")
        _invoice(con, partner_id, name, close, batch_id)
    flexicall = registry.partner_id(con, "FlexiCall")
    if flexicall is not None:
        _disputes(con, flexicall, month, tz)
    # Dated as the story goes (closed, then disputed and decided over the next days), so a seed and
    # an end date always give the same rows.
    store.execute(con, "UPDATE month_closes SET closed_at = $at", {"at": closed_at})
    store.execute(con, "UPDATE disputes SET raised_at = $at + INTERVAL 2 DAY, decided_at = $at + INTERVAL 5 DAY",
                  {"at": closed_at})


def _invoice(con: Connection, partner_id: int, name: str, close: closes.MonthClose, batch_id: int) -> None:
    for line, (unit, price) in enumerate(PRICES.items(), start=1):
        quantity = round(close.units[unit] * (1 + OVERBILLED.get((name, unit), 0.0)), 2)
        store.execute(con, "INSERT INTO invoice_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      [partner_id, f"{close.month.label}-{partner_id:03d}", str(line), close.month.start, unit,
                       quantity, price, batch_id])


def _first_monday(month: periods.Period) -> date:
    return month.start + timedelta(days=(7 - month.start.weekday()) % 7)


def _disputes(con: Connection, partner_id: int, month: periods.Period, tz: str) -> None:
    partner = access.Scope(PARTNER_USER.format(slug="flexicall"), "partner", partner_id, "FlexiCall")
    evening = _first_monday(month)
    span = disputes.local_span(datetime.combine(evening, time(18)).isoformat(),
                               datetime.combine(evening, time(19, 30)).isoformat(), tz)
    accepted = disputes.raise_dispute(con, partner, partner_id, month, "service_level",
                                      f"IVR down {periods.day_text(evening)} 18:00-19:30: calls reached us with "
                                      "no menu choice and waited for a transfer", span)
    disputes.decide(con, CENTRE, accepted, disputes.ACCEPTED, "Confirmed by the IVR supplier's incident report.")
    rejected = disputes.raise_dispute(con, partner, partner_id, month, "abandon_rate",
                                      "Callers hung up in the IVR before reaching our queue")
    disputes.decide(con, CENTRE, rejected, disputes.REJECTED, "The abandons are in FlexiCall's own queue after "
                    "the IVR: its evenings were short of agents.")
