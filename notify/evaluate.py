"""Evaluating the rules: which breaches the held data shows, and keeping the alerts table in step.

The rules are judged over a window of local days (the reporting zone's): the WINDOW_DAYS days that
end on the newest day holding legs, or from `since`. Each breach has a key (its day, or its ISO week
for figure_red): a breach already open or acknowledged under that key is not raised again; an open
or acknowledged alert whose key lies in the window and that the data no longer shows is cleared.
The figures are read first on a read-only connection, and the alerts written afterwards in one short
transaction of their own, so an evaluation never holds the write lock while it computes, and an
import's transaction never waits for it (the callers run it after the import committed).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from data import audit, i18n, settings, store
from data.errors import UserError
from data.i18n import N_, _, n_
from data.store import Connection
from metrics import aggregate, measures, statuses
from metrics import scorecard as scorecards
from metrics.definitions import metric
from notify import messages
from notify.rules import Rule, in_force
from notify.sqlfiles import sql
from partners import periods, registry, terms
from partners.access import scope_sql
from partners.periods import Period
from reports import views

WINDOW_DAYS = 7
INTERVAL = timedelta(minutes=15)
SL_COUNTS = ("answered", "abandoned", "overflowed", "short_abandoned", "answered_within_threshold",
             "abandoned_within_threshold", "turned_away_inside_hours")


@dataclass(frozen=True)
class Breach:
    """One rule broken by one partner over one stretch, with what a message says about it."""
    rule_id: int
    partner_id: int
    key: str              # the local day (2026-11-23) or ISO week (2026-W48)
    period: str           # the stretch in words
    figure: str
    value: float | None
    shown_value: str
    shown_threshold: str
    link: str


@dataclass(frozen=True)
class Window:
    days: Period                   # the local days judged
    weeks: tuple[Period, ...]      # the ISO weeks that overlap them (figure_red)

    @property
    def keys(self) -> set[str]:
        day_keys = {(self.days.start + timedelta(days=n)).isoformat() for n in range(self.days.days)}
        return day_keys | {w.label for w in self.weeks}


@dataclass(frozen=True)
class Outcome:
    raised: tuple[int, ...] = ()
    cleared: tuple[int, ...] = ()
    window: Window | None = None


def window(con: Connection, tz: str, since: date | None = None) -> Window | None:
    """The days judged: WINDOW_DAYS ending on the newest day with legs (from `since` when given);
    None while there are no legs."""
    last = measures.leg_days(con, tz)[1]
    if last is None:
        return None
    start = min(since, last) if since else last - timedelta(days=WINDOW_DAYS - 1)
    days = periods.between(start, last + timedelta(days=1))
    weeks = [periods.week(start)]
    while weeks[-1].end <= last:
        weeks.append(periods.week(weeks[-1].end))
    return Window(days, tuple(weeks))


@dataclass
class _Reads:
    """What the rules read, each at most once per evaluation, for every partner at once."""
    con: Connection
    tz: str
    win: Window
    names: dict[int, str]
    cache: dict[str, Any] = field(default_factory=dict)

    def once(self, name: str, read: Callable[[], Any]) -> Any:
        if name not in self.cache:
            self.cache[name] = read()
        return self.cache[name]

    def intervals(self, partner_id: int) -> list[dict[str, Any]]:
        rows = self.once("intervals", lambda: measures.interval_sl_rows(self.con, self.win.days, self.tz))
        return [r for r in rows if r["partner_id"] == partner_id]

    def days(self, partner_id: int) -> list[dict[str, Any]]:
        start, end = self.win.days.utc_bounds(self.tz)
        rows = self.once("days", lambda: aggregate.rollup_rows(self.con, tz=self.tz, grain="day", start=start, end=end))
        return [r for r in rows if r["partner_id"] == partner_id]

    def open_intervals(self, partner_id: int) -> list[dict[str, Any]]:
        return [r for r in self.once("open", lambda: _open_intervals(self.con, self.win.days, self.tz))
                if r["partner_id"] == partner_id]

    def variant(self, partner_id: int, day: date) -> str:
        found = self.once(f"terms {partner_id}", lambda: terms.by_day(self.con, partner_id, list(_days(self.win.days))))
        return found[day].sl_variant

    def card(self, partner_id: int, week: Period) -> scorecards.Scorecard:
        return self.once(f"card {partner_id} {week.label}",
                         lambda: scorecards.scorecard(self.con, partner_id, week, self.tz))


def _days(period: Period) -> Iterable[date]:
    return (period.start + timedelta(days=n) for n in range(period.days))


def _open_intervals(con: Connection, days: Period, tz: str) -> list[dict[str, Any]]:
    data_start, data_end = store.execute(con, sql("data_span")).rows[0]
    if data_end is None:
        return []
    start, end = days.utc_bounds(tz)
    params: dict[str, Any] = {"start": start, "end": end, "tz": tz, "data_start": data_start, "data_end": data_end}
    text = sql("open_intervals").replace("{scope}", scope_sql("q.partner_id", None, params))
    return store.execute(con, text, params, what=N_("read the opening-hours intervals")).dicts()


def _summed(rows: list[dict[str, Any]]) -> dict[str, float]:
    return {name: sum(float(r[name] or 0) for r in rows) for name in SL_COUNTS}


def _stretch(day: date, first: datetime, last: datetime) -> str:
    """23 Nov 2026 09:00–10:00: a run of intervals from the start of `first` to the end of `last`
    (a run to midnight ends at 24:00, as opening hours write it)."""
    end = last + INTERVAL
    return f"{periods.day_text(day)} {i18n.clock(first)}–{'24:00' if end.date() > day else i18n.clock(end)}"


def _longest_run(rows: list[dict[str, Any]], inside: Callable[[dict[str, Any]], bool], when: str) -> list[dict[str, Any]]:
    """The longest run of rows back to back in time (15 minutes apart, by column `when`) that pass `inside`."""
    best: list[dict[str, Any]] = []
    run: list[dict[str, Any]] = []
    for row in rows:
        if not inside(row):
            run = []
            continue
        run = run + [row] if run and row[when] - run[-1][when] == INTERVAL else [row]
        if len(run) > len(best):
            best = run
    return best


def _by_day(rows: list[dict[str, Any]]) -> dict[date, list[dict[str, Any]]]:
    found: dict[date, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row["local_day"], []).append(row)
    return found


def _sl_below(reads: _Reads, rule: Rule, partner_id: int) -> list[Breach]:
    found = []
    for day, rows in _by_day(reads.intervals(partner_id)).items():
        variant = reads.variant(partner_id, day)

        def below(row: dict[str, Any]) -> bool:
            level = measures.service_level_of(row, variant).value
            return bool(row["inside_hours"]) and level is not None and level < rule.threshold

        run = _longest_run(rows, below, "interval_utc")
        if len(run) >= rule.intervals:
            level = measures.service_level_of(_summed(run), variant).value
            found.append(_breach(reads, rule, partner_id, day.isoformat(), periods.week(day), "availability",
                                 _stretch(day, run[0]["interval_local"], run[-1]["interval_local"]),
                                 _("Service level ({variant})").format(variant=variant), level,
                                 views.display(level, "fraction")))
    return found


def _abandon_over(reads: _Reads, rule: Rule, partner_id: int) -> list[Breach]:
    found = []
    for row in reads.days(partner_id):
        rate = row["abandon_rate"]
        if rate is not None and rate > rule.threshold:
            day = row["period_start"].date()
            found.append(_breach(reads, rule, partner_id, day.isoformat(), periods.week(day), "availability",
                                 periods.day_text(day), metric("abandon_rate").label, rate,
                                 _("{rate} ({abandoned} of {legs})").format(
                                     rate=views.display(rate, "fraction"),
                                     abandoned=i18n.number(row["abandon_rate__num"]),
                                     legs=n_("{count} leg", "{count} legs", int(row["abandon_rate__den"])).format(
                                         count=i18n.number(int(row["abandon_rate__den"]))))))
    return found


def _turned_away(reads: _Reads, rule: Rule, partner_id: int) -> list[Breach]:
    found = []
    for day, rows in _by_day(reads.intervals(partner_id)).items():
        count = sum(int(r["turned_away_inside_hours"] or 0) for r in rows)
        if count:
            found.append(_breach(reads, rule, partner_id, day.isoformat(), periods.week(day), "availability",
                                 periods.day_text(day), _("Turned away inside opening hours"), count,
                                 n_("{count} leg", "{count} legs", count).format(count=i18n.number(count))))
    return found


def _no_legs(reads: _Reads, rule: Rule, partner_id: int) -> list[Breach]:
    found = []
    for day, rows in _by_day(reads.open_intervals(partner_id)).items():
        run = _longest_run(rows, lambda r: bool(r["inside_hours"]) and r["offered"] == 0, "interval_local")
        hours = len(run) * INTERVAL / timedelta(hours=1)
        if run and hours >= rule.threshold:
            found.append(_breach(reads, rule, partner_id, day.isoformat(), periods.week(day), "availability",
                                 _stretch(day, run[0]["interval_local"], run[-1]["interval_local"]),
                                 _("Hours without legs while open"), hours,
                                 _("{hours} hours without a leg").format(hours=i18n.short(hours))))
    return found


def _shown(figure: scorecards.Figure) -> str:
    """A missed figure as the alert says it: a quality figure with its interval and n (it is missed only
    when the whole interval is beyond the target), any other with its value."""
    found = views.evidence(figure)
    return f"{found or views.display(figure.value, figure.unit)} ({figure.status_text})"


def _figure_red(reads: _Reads, rule: Rule, partner_id: int) -> list[Breach]:
    found = []
    for week in reads.win.weeks:
        figure = reads.card(partner_id, week).figure(rule.metric)
        if figure.status == statuses.RED:
            found.append(_breach(reads, rule, partner_id, week.label, week, "scorecard", week.named, figure.label,
                                 figure.value, _shown(figure),
                                 target=views.target_text(figure)))
    return found


def _breach(reads: _Reads, rule: Rule, partner_id: int, key: str, week: Period, page: str, stretch: str,
            figure: str, value: float | None, shown: str, target: str | None = None) -> Breach:
    threshold = rule.condition if target is None else _("{condition} (target {target})").format(
        condition=rule.condition, target=target)
    return Breach(rule.rule_id, partner_id, key, stretch, figure, value, shown, threshold,
                  messages.view_link(page, reads.names[partner_id], week.label))


CHECKS: dict[str, Callable[[_Reads, Rule, int], list[Breach]]] = {
    "sl_below": _sl_below, "abandon_over": _abandon_over, "turned_away": _turned_away,
    "no_legs": _no_legs, "figure_red": _figure_red,
}


def breaches(con: Connection, rules: list[Rule], win: Window, tz: str) -> list[Breach]:
    """Every breach of `rules` the data shows in the window, per partner a rule covers."""
    names = {partner_id: name for partner_id, name, _ in registry.list_partners(con)}
    reads = _Reads(con, tz, win, names)
    found = []
    for rule in rules:
        for partner_id in ([rule.partner_id] if rule.partner_id is not None else names):
            found += CHECKS[rule.kind](reads, rule, partner_id)
    return found


def reconcile(con: Connection, found: list[Breach], win: Window, rules: list[Rule], actor: str) -> Outcome:
    """Raise the new breaches and clear the alerts in the window the data no longer shows, inside the
    caller's transaction; the alerts already raised are re-read here, so two evaluations that
    overlap cannot raise one breach twice."""
    unsettled = {(r["rule_id"], r["partner_id"], r["breach_key"]): r["alert_id"]
                 for r in store.execute(con, sql("unsettled_alerts")).dicts()}
    raised = []
    for b in found:
        alert_id = unsettled.get((b.rule_id, b.partner_id, b.key))
        if alert_id is not None:
            store.execute(con, "UPDATE alerts SET value = ?, shown_value = ?, period = ? WHERE alert_id = ?",
                          [b.value, b.shown_value, b.period, alert_id], what=N_("update the alert"))
            continue
        raised.append(store.execute(
            con, "INSERT INTO alerts (rule_id, partner_id, breach_key, period, figure, value, shown_value, "
                 "shown_threshold, link, state, raised_at, raised_by) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', now(), ?) RETURNING alert_id",
            [b.rule_id, b.partner_id, b.key, b.period, b.figure, b.value, b.shown_value, b.shown_threshold, b.link,
             actor], what=N_("raise the alert")).scalar())
    still = {(b.rule_id, b.partner_id, b.key) for b in found}
    judged = {r.rule_id for r in rules}
    cleared = []
    for (rule_id, partner_id, key), alert_id in unsettled.items():
        if rule_id in judged and key in win.keys and (rule_id, partner_id, key) not in still:
            store.execute(con, "UPDATE alerts SET state = 'cleared', cleared_at = now(), cleared_by = ? "
                               "WHERE alert_id = ?", [actor, alert_id], what=N_("clear the alert"))
            cleared.append(alert_id)
    return Outcome(tuple(raised), tuple(cleared), win)


def evaluate(db: str | None, actor: str, since: date | None = None) -> Outcome:
    """Judge every rule in force on the held data and bring the alerts table in step with it. An
    alert's figure, value, threshold and period are stored as text, written in the installation's
    language (whoever's run raised it); each message around them is in its recipient's."""
    with store.reading(db) as con:
        rules = in_force(con)
        tz = settings.get(con, "reporting_tz")
        win = window(con, tz, since)
        if not rules or win is None:
            return Outcome(window=win)
        with i18n.language(settings.get(con, "language")):
            found = breaches(con, rules, win, tz)
    with store.writing(db) as con:
        return reconcile(con, found, win, rules, actor)


def acknowledge(con: Connection, alert_id: int, *, actor: str, partner_ids: tuple[int, ...] | None = None) -> None:
    """Mark an open alert as seen (inside the caller's transaction): it stays until it clears, without
    further messages but its clearing; logged in the audit log."""
    params: dict[str, Any] = {"id": alert_id}
    where = scope_sql("partner_id", partner_ids, params)
    row = store.execute(con, f"SELECT state FROM alerts WHERE alert_id = $id{where}", params).one()
    if row is None:
        raise UserError(_("there is no alert {id}").format(id=alert_id))
    if row[0] != "open":
        raise UserError(_("alert {id} is already {state}").format(id=alert_id, state=row[0]))
    store.execute(con, "UPDATE alerts SET state = 'acknowledged', acknowledged_at = now(), acknowledged_by = ? "
                       "WHERE alert_id = ?", [actor, alert_id], what=N_("acknowledge the alert"))
    from_rule = store.execute(con, "SELECT r.name FROM alerts a JOIN alert_rules r USING (rule_id) WHERE alert_id = ?",
                              [alert_id]).scalar()
    audit.record(con, actor, "alert.acknowledge", f"alert {alert_id} ({from_rule})")
