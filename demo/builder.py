"""Demo data: two years of a contact centre and its three overflow partners, built in SQL.

The data is made to tell the stories a service meeting is for, so the pages have something true
to show:

* **Nordic Reliable** is staffed as contracted, answers fast and well: the one to copy.
* **FlexiCall** is short of agents on evenings and Mondays (worst on Monday evenings): long waits,
  abandons and a low service level at those times, while its weekday mornings meet the target; the
  weekly figure only says "red", the intervals (and its logged-in against contracted hours) say why.
  On a few evenings inside its opening hours nobody was logged in at all: the calls the centre
  routed to it then were turned away (its turned-away rate, and misses in its service level).
* **QuickServe** answers fast and cheaply (the shortest handle time) but badly: low QA scores,
  critical fails, many calls transferred back to in-house and more customers calling again. Its
  agreement was renegotiated halfway (threshold 30 s, stricter quality targets) and its quality
  improves somewhat after that, with the training that came with it.
* **Nordic Reliable** is also guaranteed a floor of calls a week (`calls_week_min`), set at the week
  its routed calls reached in one week out of five: the summer and Christmas weeks, when the centre
  keeps its own calls, fall short, and the calls shortfall (the centre's miss) shows them.
* **The centre's routing** overflows a call after 15 to 45 s in-house, whoever takes it. Nordic
  Reliable's agreement lets calls overflow after 15 s, FlexiCall's only after 30 s: about half the
  calls the centre sends FlexiCall go early (the centre's side: "calls overflowed early"), and its
  customers' total wait is the in-house wait plus FlexiCall's own.

Calls arrive at two in-house queues in 15-minute intervals shaped by weekday (Monday peak), hour
(lunch dip, evening tail), season (July and Christmas dips), a slight growth trend and a few surge
weeks (campaigns) in which the centre sent partners far more than forecast: the excused weeks.
An overflowed call is an in-house leg with outcome 'overflowed' plus a partner leg with the same
call_id and journey_id.

Every random draw is a hash of (key, salt, seed) computed in DuckDB, so a seed and an end date
always give the same rows, and ten million legs build in SQL without a Python loop over them.
The period is the 104 ISO weeks before `end` (a Monday, by default this week's), so the last
complete week always has data.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, astuple, dataclass, fields
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from data import clock, idkey, rollups, settings, store
from data.errors import UserError
from data.store import Connection
from demo import commercial as demo_commercial
from demo import meetings as demo_meetings
from demo import sql
from partners import agreements, hours, registry

Progress = Callable[[float, str], None]

WEEKS = 104
DEFAULT_CALLS = 1_000_000
DEFAULT_SEED = 42
MIN_CALLS = 1_000
ZONE = "Europe/Stockholm"
SURVEY_SHARE = 0.06


@dataclass(frozen=True)
class Party:
    """Who answers in one queue, and how: the knobs that give each partner its character."""

    queue: str
    partner: str | None               # None: an in-house queue
    code: str                         # prefix of partner agent ids; in-house agents have names
    agents: int
    talk_mean_s: float
    hold_p: float
    wrap_min_s: int
    wrap_spread_s: int
    transfer_p: float                 # answered legs transferred after answer (partners: back in-house)
    unresolved_p: float               # answered calls whose customer needs to call again
    unresolved_p_late: float          # ... from the midpoint (after QuickServe's new agreement)
    qa_level: float
    qa_level_late: float
    critical_fail_p: float
    qa_per_week: int
    survey_level: float
    partner_qa: str = ""
    route_weight: int = 0             # share of overflow while open, relative to the open partners
    staff_base: float = 1.0           # logged-in / contracted agent minutes on a weekday daytime
    staff_evening: float = 1.0        # ... from 17:00 local
    staff_monday: float = 1.0         # ... on Mondays
    staff_noise: float = 0.0          # interval-to-interval swing
    bad_day_p: float = 0.0            # days with a sick-leave wave
    empty_evening_p: float = 0.0      # evenings (from 17:00) nobody was logged in: calls routed then are turned away
    qa_dip: float = 0.0               # QA level lost in the last QA_DIP_DAYS (FlexiCall: new agents untrained)
    own_qa_share: float = 0.0         # evaluations scored by the partner's own QA lead (QuickServe: most)


PARTIES: tuple[Party, ...] = (
    Party("Customer Service", None, "", 120, 270, 0.22, 15, 40, 0.02, 0.10, 0.10, 0.90, 0.90, 0.01, 6, 0.84),
    Party("Billing", None, "", 40, 300, 0.25, 20, 40, 0.02, 0.11, 0.11, 0.89, 0.89, 0.01, 4, 0.82),
    Party("Nordic Reliable Overflow", "Nordic Reliable", "NRL", 70, 290, 0.22, 15, 40, 0.03, 0.11, 0.11,
          0.90, 0.90, 0.01, 8, 0.86, "Lars Nyberg", 40, 0.98, 0.97, 0.97, 0.05, 0.02),
    Party("FlexiCall Overflow", "FlexiCall", "FLX", 60, 310, 0.25, 15, 45, 0.05, 0.14, 0.14,
          0.87, 0.87, 0.015, 8, 0.76, "Dana Pop", 36, 0.93, 0.72, 0.80, 0.14, 0.08, 0.06, qa_dip=0.15),
    Party("QuickServe Overflow", "QuickServe", "QSV", 50, 200, 0.35, 8, 20, 0.15, 0.28, 0.22,
          0.66, 0.73, 0.08, 8, 0.66, "Mehmet Kaya", 30, 0.96, 0.94, 0.94, 0.06, 0.03, own_qa_share=0.75),
)

# Opening hours (local) as partners.hours reads them, from (weeks into the data). The centre itself
# takes calls weekdays 07-22 and weekends 09-18 (the arrival shape in demo_sql.INTERVALS), so the
# Friday late shift FlexiCall adds in its second version gets no calls: it shows a version change
# and a span past midnight without changing a figure.
HOURS: tuple[tuple[str, int, str, str], ...] = (
    ("Nordic Reliable", 0, "mon-fri 07:00-22:00; sat-sun 09:00-18:00", ""),
    ("FlexiCall", 0, "mon-fri 07:00-22:00; sat-sun 09:00-18:00", ""),
    ("QuickServe", 0, "mon-fri 08:00-20:00; sat-sun 10:00-16:00", ""),
    ("FlexiCall", 60, "mon-thu 07:00-22:00; fri 07:00-01:00; sat-sun 09:00-18:00", "late Friday shift"),
)

# FlexiCall's QA drops in the demo's last five weeks (new agents before their training): a real drop
# between its last two meetings, told from the noise of the other partners' month-to-month changes.
QA_DIP_DAYS = 35

# QA form: (section, item, max points, weight, critical, share of calls where it is N/A).
# (section, item, max points, weight, critical, fatal, N/A share), in the form's order. Verifying the
# caller is critical (reported in the critical-error rate, weighted like any item); disclosing personal
# data to the wrong person is fatal (the evaluation scores 0).
FORM: tuple[tuple[str, str, float, float, bool, bool, float], ...] = (
    ("Greeting", "Opening phrase", 2, 1, False, False, 0.0),
    ("Greeting", "Introduced self and company", 2, 1, False, False, 0.0),
    ("Identification", "Verified the caller's identity", 1, 2, True, False, 0.1),
    ("Identification", "Confirmed the reason for the call", 2, 1, False, False, 0.0),
    ("Resolution", "Understood the need", 5, 2, False, False, 0.0),
    ("Resolution", "Correct answer or action", 5, 3, False, False, 0.0),
    ("Resolution", "Offered further help", 2, 1, False, False, 0.25),
    ("Resolution", "Booked a callback when needed", 2, 1, False, False, 0.7),
    ("Compliance", "No personal data disclosed to the wrong person", 1, 2, True, True, 0.0),
    ("Compliance", "Case documented in the CRM", 3, 1, False, False, 0.0),
    ("Closing", "Summarised and closed the call", 2, 1, False, False, 0.0),
)

EVALUATORS = ("Maria Berg", "Jonas Ek", "Sara Lind", "Ahmed Nouri")
EVALUATOR_BIAS = (0.0, -0.06, 0.05, 0.01)
PARTNER_QA_BIAS = 0.07

FIRST_NAMES = (
    "anna", "erik", "maria", "lars", "karin", "johan", "eva", "anders", "sara", "per", "lena", "mikael",
    "emma", "fredrik", "sofia", "niklas", "elin", "jonas", "ida", "david", "hanna", "oskar", "linnea",
    "viktor", "maja", "ali", "fatima", "omar", "nora", "henrik",
)
LAST_NAMES = (
    "andersson", "johansson", "karlsson", "nilsson", "eriksson", "larsson", "olsson", "persson",
    "svensson", "gustafsson", "pettersson", "jonsson", "jansson", "hansson", "bengtsson", "lindberg",
    "jakobsson", "magnusson", "lindstrom", "olofsson", "lindqvist", "berglund", "axelsson", "holm",
    "sandberg", "forsberg", "lundgren", "mattsson", "hassan", "ahmed",
)


@dataclass(frozen=True)
class Agreement:
    """One agreement version: fractions for shares, rates, QA, FCR and CSAT top-2-box; NPS in points."""

    partner: str
    weeks_in: int                     # valid from this many weeks after the start
    share_min: float
    share_target: float
    share_max: float
    sl_target: float
    sl_threshold_s: int
    abandon_rate_max: float
    asa_max_s: float
    qa_min: float
    fcr_min: float
    transfer_back_max: float
    csat_min: float
    nps_min: float
    note: str
    volume_floor: bool = False        # calls_week_min at the partner's 20th-percentile week (sql.VOLUME_FLOOR)
    overflow_after_s: int | None = None  # the in-house wait the centre agreed before a call overflows


# The in-house wait before an overflowed call moves on is drawn from 15 to 45 s (sql.LEGS), whatever
# the partner: Nordic Reliable's agreement says 15 s (never early), FlexiCall's 30 s (about half early).
OVERFLOW_WAIT_MIN_S = 15

AGREEMENTS: tuple[Agreement, ...] = (
    Agreement("Nordic Reliable", 0, 0.12, 0.15, 0.18, 0.80, 20, 0.05, 30, 0.80, 0.80, 0.06, 0.75, 20,
              "Framework agreement, two years, with a weekly floor of calls.", volume_floor=True,
              overflow_after_s=OVERFLOW_WAIT_MIN_S),
    Agreement("FlexiCall", 0, 0.10, 0.13, 0.16, 0.80, 20, 0.05, 30, 0.80, 0.80, 0.08, 0.75, 0,
              "Framework agreement, two years; calls overflow after 30 s in-house.", overflow_after_s=30),
    Agreement("QuickServe", 0, 0.08, 0.11, 0.14, 0.80, 20, 0.06, 30, 0.75, 0.75, 0.12, 0.70, -20,
              "Framework agreement, two years."),
    Agreement("QuickServe", WEEKS // 2, 0.08, 0.11, 0.14, 0.80, 30, 0.06, 40, 0.80, 0.78, 0.08, 0.70, -10,
              "Renegotiated: SL threshold relaxed to 30 s in exchange for stricter quality targets "
              "(QA, FCR, transfer-back) and monthly training."),
)


@dataclass(frozen=True)
class DemoSummary:
    path: Path
    seed: int
    start: date
    end: date
    calls: int
    legs: int
    batch_id: int


def default_end(today: date | None = None) -> date:
    """The Monday of the current ISO week (in the demo's zone): the week before it is the last complete one."""
    today = today or clock.today(ZONE)
    return today - timedelta(days=today.weekday())


def parse_end(text: str | None) -> date:
    """--end as an ISO date; it must be a Monday so the period is whole ISO weeks."""
    if text is None:
        return default_end()
    try:
        end = date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--end {text!r} is not a date (YYYY-MM-DD)") from None
    if end.weekday() != 0:
        raise UserError(f"--end {text} is a {end:%A}; give a Monday so the period is whole weeks")
    return end


def _utc(day: date) -> datetime:
    """Local midnight of `day` in the demo's zone, as an aware UTC datetime."""
    return datetime.combine(day, time(0), ZoneInfo(ZONE)).astimezone(timezone.utc)


def build(path: str | os.PathLike | None = None, *, calls: int = DEFAULT_CALLS, seed: int = DEFAULT_SEED,
          end: date | None = None, replace: bool = False, progress: Progress | None = None) -> DemoSummary:
    """Build the demo database at `path` (about `calls` call legs) in one transaction.

    A new file is built under a temporary name and renamed when complete, so an interrupted build
    never leaves a file that `make run` would take for a finished demo database.
    """
    if calls < MIN_CALLS:
        raise UserError(f"--calls {calls} is too few for two years of intervals; give at least {MIN_CALLS}")
    end = end or default_end()
    target = store.db_path(path)
    if replace:
        _remove(target)
    fresh = not target.exists()
    work = target.with_name(target.name + ".partial") if fresh else target
    if fresh:
        _remove(work)
    report = progress or (lambda fraction, message: None)
    try:
        with store.writing(work) as con:
            _require_empty(con, target)
            summary = _Build(con, target, calls, seed, end, report).run()
    except BaseException:
        if fresh:
            _remove(work)
            idkey.key_file(work).unlink(missing_ok=True)
        raise
    if fresh:
        os.replace(work, target)
        if idkey.key_file(work).exists():  # the key the build hashed its customer ids with goes with the file
            os.replace(idkey.key_file(work), idkey.key_file(target))
    report(1.0, f"done: {summary.legs:,} legs")
    return summary


def _remove(database: Path) -> None:
    for leftover in (database, database.with_name(database.name + ".wal")):
        leftover.unlink(missing_ok=True)


def _require_empty(con: Connection, target: Path) -> None:
    held = store.execute(con, "SELECT (SELECT count(*) FROM partners) + (SELECT count(*) FROM call_legs)").scalar()
    if held:
        raise UserError(f"the database {target} already holds data; pass --replace to rebuild it, or another --db")


class _Build:
    """The steps of one build, sharing the connection and the period."""

    def __init__(self, con: Connection, target: Path, calls: int, seed: int, end: date,
                 report: Progress) -> None:
        self.con, self.target, self.requested, self.seed, self.end = con, target, calls, seed, end
        self.start = end - timedelta(weeks=WEEKS)
        self.midpoint = self.start + timedelta(weeks=WEEKS // 2)
        self.report = report
        self.call_count = 0                   # set from the arrival shape: legs = calls + overflowed calls
        self.batches: dict[str, int] = {}

    def run(self) -> DemoSummary:
        steps: Sequence[tuple[str, Callable[[], None]]] = (
            ("partners and queues", self.registry),
            ("arrival intervals", self.intervals),
            ("calls", self.calls),
            ("agreements", self.agreements),
            ("call legs", self.legs),
            ("QA evaluations", self.qa),
            ("survey answers", self.surveys),
            ("staffing and forecasts", self.staffing),
            ("service meetings", self.meetings),
            ("interval rollups", self.rollups),
            ("frozen meeting figures", self.frozen),
            ("the last month's commercial record", self.commercial),
        )
        for done, (label, step) in enumerate(steps):
            self.report(done / len(steps), label)
            step()
        store.execute(self.con, sql.DROP_TEMP)
        legs = store.execute(self.con, "SELECT count(*) FROM call_legs").scalar()
        return DemoSummary(self.target, self.seed, self.start, self.end, self.call_count, legs,
                           self.batches["call_legs"])

    # --- steps ----------------------------------------------------------------------------------

    def registry(self) -> None:
        store.execute(self.con, "SET enable_progress_bar = false")
        store.execute(self.con, "SET VARIABLE demo_seed = ?", [self.seed])
        store.execute(self.con, sql.RANDOM_MACRO)
        settings.put(self.con, "reporting_tz", ZONE)
        for partner in dict.fromkeys(p.partner for p in PARTIES if p.partner):
            registry.add_partner(self.con, partner)
        for party in PARTIES:
            registry.set_queue(self.con, party.queue, party.partner, ZONE)
        self._hours()
        self._parties()

    def _hours(self) -> None:
        for partner, weeks_in, text, note in HOURS:
            hours.add_version(self.con, registry.partner_id(self.con, partner), self.start + timedelta(weeks=weeks_in),
                              hours.parse(text), actor="demo", note=note)
        store.execute(self.con,
                      "UPDATE hours_versions SET created_at = timezone($tz, valid_from::TIMESTAMP) - INTERVAL 14 DAY",
                      {"tz": ZONE})

    def agreements(self) -> None:
        """Added through partners.agreements (so its checks apply), then dated into the demo's past:
        partners a month before the data starts, each version two weeks before it applied. After the
        calls are drawn, so that a weekly floor of calls can be set where some weeks fall short."""
        for n, a in enumerate(AGREEMENTS):
            targets = {k: v for k, v in asdict(a).items()
                       if k not in ("partner", "weeks_in", "note", "volume_floor") and v is not None}
            if a.volume_floor:
                targets["calls_week_min"] = store.execute(self.con, sql.VOLUME_FLOOR, {"partner": a.partner}).scalar()
            latest = all(later.partner != a.partner for later in AGREEMENTS[n + 1:])
            if latest:  # the credit rules come with each partner's latest version (demo/commercial.py)
                targets["credit_month_cap"] = demo_commercial.MONTH_CAPS.get(a.partner)
            agreements.add_version(self.con, registry.partner_id(self.con, a.partner),
                                   self.start + timedelta(weeks=a.weeks_in), created_by="demo", note=a.note,
                                   rules=demo_commercial.RULES.get(a.partner, ()) if latest else (), **targets)
        store.execute(self.con, "UPDATE partners SET created_at = $at", {"at": _utc(self.start) - timedelta(days=30)})
        store.execute(self.con,
                      "UPDATE agreements SET created_at = timezone($tz, valid_from::TIMESTAMP) - INTERVAL 14 DAY",
                      {"tz": ZONE})

    def _parties(self) -> None:
        """The temp tables the SQL reads the characters and the QA form from."""
        columns = ", ".join(f.name for f in fields(Party))
        store.execute(
            self.con, "CREATE TEMP TABLE demo_parties AS SELECT q.queue_id, q.partner_id, p.* EXCLUDE (queue, partner) "
            "FROM (SELECT * FROM (VALUES " + ", ".join(["(" + ", ".join(["?"] * len(fields(Party))) + ")"] * len(PARTIES))
            + f") AS t({columns})) p JOIN queues q ON q.name = p.queue",
            [value for party in PARTIES for value in astuple(party)])
        store.execute(
            self.con, "CREATE TEMP TABLE demo_form AS SELECT * FROM (VALUES "
            + ", ".join(["(?, ?, ?::DOUBLE, ?::DOUBLE, ?::BOOLEAN, ?::BOOLEAN, ?::DOUBLE, ?::BIGINT)"] * len(FORM))
            + ") AS t(section, item, max_points, weight, is_critical, is_fatal, na_p, position)",
            [value for position, row in enumerate(FORM) for value in (*row, position)])

    def intervals(self) -> None:
        period = {"tz": ZONE, "start_utc": _utc(self.start), "end_utc": _utc(self.end)}
        store.execute(self.con, sql.INTERVALS, period)
        store.execute(self.con, sql.SLOTS)
        store.execute(self.con, sql.ARRIVALS)
        overflow_share = store.execute(self.con, sql.EXPECTED_OVERFLOW).scalar()
        self.call_count = max(1, round(self.requested / (1 + overflow_share)))

    def calls(self) -> None:
        in_house = [row[0] for row in store.execute(
            self.con, "SELECT queue_id FROM queues WHERE partner_id IS NULL ORDER BY queue_id").rows]
        store.execute(self.con, sql.CALLS, {"calls": self.call_count, "home_split": 0.72, "home_a": in_house[0],
                                            "home_b": in_house[1], "midpoint": _utc(self.midpoint)})
        store.execute(self.con, sql.CUSTOMERS, {"calls_per_day": self.call_count / (WEEKS * 7),
                                                "customers": max(500, self.call_count // 4)})

    def legs(self) -> None:
        batch = self._batch("call_legs")
        store.execute(self.con, sql.LEGS, {"first_names": list(FIRST_NAMES), "last_names": list(LAST_NAMES),
                                           "batch_id": batch})
        self._count(batch, "SELECT count(*) FROM call_legs WHERE batch_id = $batch_id")

    def qa(self) -> None:
        batch = self._batch("qa")
        period = {"tz": ZONE, "end_utc": _utc(self.end), "midpoint": _utc(self.midpoint),
                  "dip_from": _utc(self.end - timedelta(days=QA_DIP_DAYS))}
        store.execute(self.con, sql.QA_SAMPLE, {"batch_id": self.batches["call_legs"], "evaluators": list(EVALUATORS),
                                                **period})
        store.execute(self.con, sql.CALIBRATION, {"evaluators": list(EVALUATORS),
                                                  "evaluator_bias": list(EVALUATOR_BIAS),
                                                  "partner_qa_bias": PARTNER_QA_BIAS, "end_utc": _utc(self.end)})
        store.execute(self.con, sql.EVALUATIONS, {"batch_id": batch})
        store.execute(self.con, sql.ITEMS)
        self._count(batch, "SELECT count(*) FROM qa_evaluations WHERE batch_id = $batch_id")

    def surveys(self) -> None:
        batch = self._batch("surveys")
        store.execute(self.con, sql.SURVEYS, {"survey_p": SURVEY_SHARE, "batch_id": batch})
        self._count(batch, "SELECT count(*) FROM survey_answers WHERE batch_id = $batch_id")

    def staffing(self) -> None:
        batch = self._batch("staffing")
        store.execute(self.con, sql.STAFFING, {"calls": self.call_count, "batch_id": batch})
        self._count(batch, "SELECT count(*) FROM staffing WHERE batch_id = $batch_id")
        batch = self._batch("forecasts")
        store.execute(self.con, sql.FORECASTS, {"batch_id": batch})
        self._count(batch, "SELECT count(*) FROM forecasts WHERE batch_id = $batch_id")

    def meetings(self) -> None:
        demo_meetings.write_meetings(self.con, self.seed, self.start, self.end, ZONE)

    def rollups(self) -> None:
        """The interval rollups every figure is summed from, in the same transaction as the legs."""
        rollups.rebuild_all(self.con)

    def frozen(self) -> None:
        demo_meetings.freeze_latest(self.con)

    def commercial(self) -> None:
        batch = self._batch("invoice_lines")
        demo_commercial.settle(self.con, self.end, batch)
        self._count(batch, "SELECT count(*) FROM invoice_lines WHERE batch_id = $batch_id")

    # --- bookkeeping ----------------------------------------------------------------------------

    def _batch(self, kind: str) -> int:
        """An import_batches row for one kind of demo data; its counts are set once it is written."""
        recipe = f"demo kind={kind} seed={self.seed} legs={self.requested} end={self.end.isoformat()}"
        batch_id = store.execute(
            self.con,
            """INSERT INTO import_batches (kind, profile, file_name, file_sha256, time_zone, started_at, finished_at,
                   imported_by, read, imported, duplicates, filtered, rejected, notes)
               VALUES ($kind, 'demo', $file_name, $sha, $tz, now(), now(), 'demo', 0, 0, 0, 0, 0, $notes)
               RETURNING batch_id""",
            {"kind": kind, "file_name": f"demo (seed {self.seed}, end {self.end.isoformat()})",
             "sha": hashlib.sha256(recipe.encode()).hexdigest(), "tz": ZONE,
             "notes": f"generated by python -m cli demo --calls {self.requested} --seed {self.seed} "
                      f"--end {self.end.isoformat()}"}).scalar()
        self.batches[kind] = batch_id
        return batch_id

    def _count(self, batch_id: int, count_sql: str) -> None:
        rows = store.execute(self.con, count_sql, {"batch_id": batch_id}).scalar()
        store.execute(self.con,
                      "UPDATE import_batches SET read = $n, imported = $n, finished_at = now() WHERE batch_id = $id",
                      {"n": rows, "id": batch_id})
