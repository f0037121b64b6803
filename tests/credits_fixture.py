"""Acme's October 2026, small enough to count by hand (tests/test_credits*.py use it).

Agreement from 1 Jan 2026: SL target 80 % answered-only (T 20 s), abandon rate max 10 %, ASA max 20 s,
turned-away max 5 %, amber tolerance 5 % (points; for ASA 5 % of 20 s = 1 s), month cap 2,000.
Legs on Tuesday 13 Oct 2026, talk 120 s each answered leg:
  interval A 08:00 UTC: answered after 30 and 40 s (both over T);
  interval B 12:00 UTC: answered after 10, 10, 10, 10 s (within T; the first two transferred back to
  in-house), 25 and 30 s; abandoned after 40 and 60 s.
So: answered 8, within T 4 -> SL 4/8 = 50 % (30 points short, red); without interval A 4/6 = 66.67 %.
Abandon rate 2 / (8 + 2) = 20 % (10 points over, red). ASA (30+40+10*4+25+30)/8 = 165/8 = 20.625 s
(0.625 s over, amber). Turned-away rate 0 / 10 = 0 % (5 points under its max, green).
Transfer-back rate 2 / 8 = 25 % (15 points over its max of 10 %, red).
Invoice F-1: 8 handled calls x 1,000 = 8,000 and 20 talk minutes x 10 = 200 -> 8,200; we count
8 handled calls and 8 x 2 = 16 talk minutes (the talk line bills 4 more than we count).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from commercial import closes
from data import rollups, settings, store
from ingest import importing
from partners import agreements, periods
from partners.agreements import CreditRule
from reports import frames

ACTOR = "test:manager"
OCTOBER = periods.month(date(2026, 10, 1))
RULES = (
    # share of the invoice: 30 points x 1 % x 8,200 = 2,460 -> cap 15 % x 8,200 = 1,230
    CreditRule("service_level", "share_of_invoice", "point", 0.01, figure_cap=0.15),
    # per point, capped per figure: 15 points x 100 = 1,500 -> cap 1,000
    CreditRule("transfer_back_rate", "fixed", "point", 100, figure_cap=1000),
    # per band: 10 points over, bands of 4 points -> 3 started bands x 250 = 750
    CreditRule("abandon_rate", "fixed", "band", 250, band_points=4),
    # only a red miss costs: ASA is amber -> nothing
    CreditRule("asa_s", "fixed", "point", 300, counts="red"),
    # a beat earns: 5 points under the max x 40 = 200
    CreditRule("turned_away_rate", "fixed", "point", 1000, beat_amount=40),
)
INVOICE = ("partner;invoice;line;period;unit;quantity;unit_price\n"
           "Acme;F-1;1;2026-10;handled_calls;8;1000\n"
           "Acme;F-1;2;2026-10;talk_minutes;20;10\n")


def legs(con, queue_id: int, batch_id: int, at: str, rows: list[tuple]) -> None:
    """Legs offered at `at` (UTC), one minute apart: (outcome, wait_s[, transferred_to]); each its own call."""
    for n, (outcome, wait, *transferred) in enumerate(rows):
        store.execute(
            con, "INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, agent_id, "
            "transferred_to, batch_id) VALUES (?, ?, ?::TIMESTAMPTZ + to_minutes(?), ?, ?, ?, ?, ?, ?)",
            [queue_id, f"q{queue_id}-{batch_id}-{at}-{n}", at, n, outcome, wait,
             120 if outcome == "answered" else None, f"a{n % 2}", (transferred or [None])[0], batch_id])
    rollups.refresh_batch(con, batch_id)


def make_acme(tmp: Path, rules=RULES, invoice: bool = True) -> int:
    with store.writing() as con:
        acme = store.execute(con, "INSERT INTO partners (name) VALUES ('Acme') RETURNING partner_id").scalar()
        queue = store.execute(con, "INSERT INTO queues (name, partner_id) VALUES ('acme', ?) RETURNING queue_id",
                              [acme]).scalar()
        agreements.add_version(con, acme, date(2026, 1, 1), sl_target=0.8, sl_threshold_s=20, short_abandon_s=5,
                               sl_variant="answered-only", abandon_rate_max=0.1, asa_max_s=20, turned_away_max=0.05,
                               amber_tolerance=0.05, transfer_back_max=0.1, credit_month_cap=2000, created_by=ACTOR,
                               quality_judgement="point", rules=rules)  # the rule shapes, on 8 legs' point values
        legs(con, queue, 1, "2026-10-13 08:00:00+00", [("answered", 30), ("answered", 40)])
        legs(con, queue, 1, "2026-10-13 12:00:00+00", [("answered", 10, "in-house")] * 2 + [("answered", 10)] * 2 + [
            ("answered", 25), ("answered", 30), ("abandoned", 40), ("abandoned", 60)])
    if invoice:
        path = tmp / "invoice.csv"
        path.write_text(INVOICE, encoding="utf-8")
        importing.import_file(path, profile="invoice")
    return acme


def close(partner_id: int, month=OCTOBER) -> None:
    with store.writing() as con:
        snapshot = frames.snapshot(con, partner_id, month, settings.get(con, "reporting_tz"), with_series=False)
        closes.close_month(con, partner_id, month, snapshot, ACTOR)
