"""Which agreement terms apply: the one answer every tile, table, trend, heatmap, file and frozen
meeting figure asks.

`terms_in_force(con, partner, day)` gives the terms on one local day (of the reporting zone): the
version in force then, or, before a partner's first version and for in-house, the defaults (the
service-level variant `abandons-count`, T, S and FCR days from the settings, no targets, the
migration's default tolerances). `parts(con, partner, period)` cuts a period where the terms change.

The rule for a period that spans versions (docs/metrics.md, "Periods that span agreement versions"):
each part is judged by its own terms (its value, variant and status are shown part by part), and
the whole period's value is computed with the terms of the latest part over the whole period, the
variant named in the label. A person reproduces it with `cli metrics` in that variant. Each leg's
T and S are those of its own day, as the interval rollups store them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from data import settings, store
from data.store import Connection
from data.i18n import _
from partners import periods
from partners.agreements import INTERVAL, Agreement, history
from partners.periods import Period

DEFAULT_VARIANT = "abandons-count"
# The migration's column defaults (0001_initial.sql), for days no version covers.
DEFAULT_AMBER_TOLERANCE = 0.05
DEFAULT_FORECAST_TOLERANCE = 0.10
DEFAULT_STAFFED_FLOOR = 0.95  # migration 0008_staffed_floor.sql
# The fewest evaluations or answers a quality figure is judged on where the agreement sets none
# (docs/metrics.md, "How sure a quality figure is"): below it the status is "can't tell yet".
MIN_N_DEFAULTS = {"qa_min_n": 10, "critical_error_min_n": 10, "fcr_min_n": 30, "transfer_back_min_n": 30,
                  "csat_min_n": 20, "nps_min_n": 20}


@dataclass(frozen=True)
class Terms:
    """The terms on one day: the version's, else the defaults (agreement None, no targets)."""
    agreement: Agreement | None
    sl_variant: str
    sl_threshold_s: int
    short_abandon_s: int
    fcr_days: int
    amber_tolerance: float
    forecast_tolerance: float
    staffed_floor: float = DEFAULT_STAFFED_FLOOR  # staffed / contracted a surge day needs to excuse a miss

    def target(self, field: str) -> float | None:
        """An agreed target by its agreement field (`sl_target`, `asa_max_s`, ...); None without one."""
        return None if self.agreement is None else getattr(self.agreement, field)

    def min_n(self, field: str) -> int:
        """The fewest observations a quality figure is judged on: the agreement's, else the default."""
        agreed = self.target(field)
        return MIN_N_DEFAULTS[field] if agreed is None else int(agreed)

    @property
    def quality_judgement(self) -> str:
        """'interval' (the default, and without an agreement) or 'point' where the contract says so."""
        return INTERVAL if self.agreement is None else self.agreement.quality_judgement

    @property
    def agreement_id(self) -> int | None:
        return None if self.agreement is None else self.agreement.agreement_id

    @property
    def name(self) -> str:
        """The terms as people know them: by the day the agreement took effect, not its row id."""
        return (_("the agreement from {day}").format(day=periods.day_text(self.agreement.valid_from)) if self.agreement
                else _("no agreement"))


@dataclass(frozen=True)
class TermsPart:
    """The days [start, end) of a period that one set of terms covers."""
    start: date
    end: date
    terms: Terms

    @property
    def period(self) -> Period:
        return periods.between(self.start, self.end)


def defaults(con: Connection) -> Terms:
    """The terms where no agreement applies: in-house, and a partner's days before its first version."""
    return Terms(None, DEFAULT_VARIANT, int(settings.get(con, "sl_threshold_s")),
                 int(settings.get(con, "short_abandon_s")), int(settings.get(con, "fcr_days")),
                 DEFAULT_AMBER_TOLERANCE, DEFAULT_FORECAST_TOLERANCE)


def of(agreement: Agreement | None, fallback: Terms) -> Terms:
    """The terms a version sets (the fallback where there is none)."""
    if agreement is None:
        return fallback
    return Terms(agreement, agreement.sl_variant, agreement.sl_threshold_s, agreement.short_abandon_s,
                 agreement.fcr_days, agreement.amber_tolerance, agreement.forecast_tolerance,
                 staffed_floor=agreement.staffed_floor)


def _spans(con: Connection, partner_id: int) -> tuple[tuple[date, date | None, Agreement], ...]:
    """The partner's versions as [valid_from, valid_to) spans, as the agreement_spans view cuts them
    (of two versions from one day the later recorded wins; one replaced on its first day never applies).
    Read once per read-only connection (a scorecard asks for them in every part and period)."""
    return store.remembered(con, ("agreement spans", partner_id), lambda: _read_spans(con, partner_id))


def _read_spans(con: Connection, partner_id: int) -> tuple[tuple[date, date | None, Agreement], ...]:
    by_id = {a.agreement_id: a for a in history(con, partner_id)}
    rows = store.execute(con, "SELECT partner_id, agreement_id, valid_from, valid_to FROM agreement_spans "
                              "ORDER BY partner_id, valid_from").rows  # every partner's: asked again, remembered
    return tuple((start, end, by_id[agreement_id]) for partner, agreement_id, start, end in rows if partner == partner_id)


def terms_in_force(con: Connection, partner_id: int | None, day: date) -> Terms:
    """The terms that apply to `partner_id` (None = in-house) on the local `day`."""
    fallback = defaults(con)
    if partner_id is None:
        return fallback
    for start, end, agreement in _spans(con, partner_id):
        if start <= day and (end is None or day < end):
            return of(agreement, fallback)
    return fallback


def parts(con: Connection, partner_id: int | None, period: Period) -> list[TermsPart]:
    """`period` cut where the terms change, in order; days no version covers form parts with the defaults."""
    fallback = defaults(con)
    if partner_id is None:
        return [TermsPart(period.start, period.end, fallback)]
    found: list[TermsPart] = []
    cursor = period.start
    for start, end, agreement in _spans(con, partner_id):
        start, end = max(start, period.start), min(end or period.end, period.end)
        if start >= end:
            continue
        if start > cursor:
            found.append(TermsPart(cursor, start, fallback))
        found.append(TermsPart(start, end, of(agreement, fallback)))
        cursor = end
    if cursor < period.end:
        found.append(TermsPart(cursor, period.end, fallback))
    return found


def latest(con: Connection, partner_id: int | None, period: Period) -> Terms:
    """The terms of the period's last day: those its whole-period value is computed with."""
    return terms_in_force(con, partner_id, period.end - timedelta(days=1))


def by_day(con: Connection, partner_id: int | None, days: list[date]) -> dict[date, Terms]:
    """The terms on each of `days`, from one read of the history (for trends of many weeks)."""
    fallback = defaults(con)
    if partner_id is None:
        return {day: fallback for day in days}
    spans = _spans(con, partner_id)
    return {day: next((of(a, fallback) for start, end, a in spans if start <= day and (end is None or day < end)),
                      fallback) for day in days}
