"""The scorecard: volume, availability and quality side by side, judged against the agreement.

The terms come from partners.terms, the one answer to "which terms apply". A period that spans
agreement versions is judged part by part: each part's value, variant, target and status with the
terms of its days (`Figure.parts`). The figure's value is computed over the whole period with the
terms of the latest part (its variant, named in the label, and its FCR days), so it is the number
`cli metrics` gives in that variant; its status is the worst part's. `Scorecard.note` says when
that happened.
FCR is provisional (no met/missed status, the value still shown) while a part's repeat window
reaches past the newest held leg; `Figure.provisional_until` says when it becomes final.
A service-level miss is excused part by part by metrics.excusal (days above forecast on which the
partner was staffed as contracted); `Figure.note` says why it is excused, or why not.
A quality figure is judged on its evidence (statuses.judge_quality): `Figure.interval` is its 95 %
interval, `min_n` the fewest observations it is judged on, and `change_real` whether the change from
the previous period is significant (metrics.intervals.real_change) or within noise.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from data import i18n, settings
from data.i18n import _
from data.errors import UserError
from data.store import Connection
from metrics import excusal, intervals, measures, statuses, volume
from metrics.definitions import REPEAT_BASED, SHORTFALLS, SL_VARIANTS, Metric, metric
from metrics.measures import Measure
from partners import periods, registry, terms
from partners.access import OUT_OF_SCOPE
from partners.periods import Period
from partners.terms import Terms, TermsPart

# The scorecard's sections in order. The partner's side: the volume it took, its availability, the
# customer's call through it and its quality. The centre's side: what the centre owes the partner
# (the volume band, the minimums, a fair forecast) and how it routed (the overflow audit).
FAMILIES: dict[str, tuple[str, ...]] = {
    "volume": ("offered", "answered", "calls_routed", "answered_share"),
    "availability": ("service_level", "abandon_rate", "asa_s", "p90_wait_s", "interval_sl_attainment", "aht_s",
                     "staffed_vs_contracted", "turned_away_rate"),
    "customer": ("customer_service_level", "total_wait_s", "in_house_wait_s", "partner_wait_s"),
    "quality": ("qa_score", "qa_score_before_fatal", "critical_error_rate", "fcr", "transfer_back_rate", "csat_top2",
                "csat_mean", "nps"),
    "centre": ("volume_share", "calls_shortfall", "calls_shortfall_accumulated", "agent_hours_shortfall",
               "agent_hours_shortfall_accumulated", "forecast_accuracy", "calls_outside_hours",
               "calls_overflowed_early", "calls_back_and_forth"),
}
# The sections that judge the partner, and so have an in-house benchmark beside them.
PARTNER_SIDE = ("availability", "customer", "quality")


@dataclass(frozen=True)
class FigurePart:
    """One agreement part of a figure: the days it covers, the version, the value, target and status."""
    start: date
    end: date
    agreement_id: int | None
    value: float | None
    target: Any
    status: str
    provisional_until: date | None = None
    definition: str = ""   # the metric definition this part was judged in (its SL variant's)
    note: str = ""         # why a service-level miss is excused or not (metrics.excusal)


@dataclass(frozen=True)
class Figure:
    metric: str          # 'service_level' whatever the variant; definition names the variant's metric
    definition: str
    label: str
    unit: str
    family: str
    value: float | None  # None = no data
    numerator: float | None
    denominator: float | None
    sample_size: int | None
    target: Any          # float, (min, max) for a band, or None; of the latest part
    status: str
    previous_value: float | None
    parts: tuple[FigurePart, ...]
    provisional_until: date | None = None  # FCR whose repeat window is not yet in the data
    note: str = ""       # why a service-level miss is excused or not, part by part (metrics.excusal)
    left_out: int | None = None            # FCR: answered legs without a usable customer id
    interval: tuple[float, float] | None = None  # a quality figure's 95 % interval, in its unit
    min_n: int | None = None               # the fewest observations its status is judged on (latest part)
    judged_on: str = ""                    # a quality figure's rule: 'interval' or 'point'
    change_real: bool | None = None        # the change from the previous period: real, within noise, or unknown
    sum_squares: float | None = None       # a mean's (or NPS's) sum of squared observations, for its interval

    @property
    def status_text(self) -> str:
        """The status as icon and word, so it never depends on colour alone."""
        return statuses.text(self.status, self.provisional_until)


@dataclass(frozen=True)
class Scorecard:
    partner_id: int | None           # None = the in-house benchmark
    name: str
    period: Period
    tz: str
    figures: tuple[Figure, ...]
    agreement_parts: tuple[tuple[date, date, int | None], ...]
    note: str                        # e.g. "judged in 2 parts: ..."; '' when one agreement covers it

    def family(self, name: str) -> tuple[Figure, ...]:
        return tuple(f for f in self.figures if f.family == name)

    def figure(self, name: str) -> Figure:
        return next(f for f in self.figures if f.metric == name)

    def get(self, name: str) -> Figure | None:
        """The figure, or None where the scorecard leaves it out (see `_applies`)."""
        return next((f for f in self.figures if f.metric == name), None)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able values (dates as ISO text), e.g. for freezing a meeting's figures."""
        return _plain(asdict(self))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _definition(name: str, terms: Terms) -> str:
    """The metric definition a figure is computed with: service level in the terms' variant."""
    return SL_VARIANTS[terms.sl_variant] if name == "service_level" else name


def _interval_rows(con: Connection, partner_id: int | None, part: Period, tz: str) -> list[dict[str, Any]]:
    """The partner's 15-minute service-level counts over `part` (interval attainment, excused days)."""
    scope = None if partner_id is None else (partner_id,)
    return [r for r in measures.interval_sl_rows(con, part, tz, scope) if r["partner_id"] == partner_id]


def _part_measures(con: Connection, partner_id: int | None, part: Period, tz: str,
                   terms: Terms, rows: list[dict[str, Any]] | None,
                   names: frozenset[str] | None = None) -> dict[str, Measure]:
    """Every figure of one partner over `part` (or those of `names`), computed with `terms` (variant,
    FCR days, SL target); `rows` are its _interval_rows, None when no figure of `names` needs them."""
    scope = None if partner_id is None else (partner_id,)
    found = dict(measures.measure(con, part, tz, fcr_days=terms.fcr_days, partner_ids=scope, only=_parts_for(names),
                                  call_terms=call_terms(terms)).get(partner_id, {}))
    found["service_level"] = found.get(_definition("service_level", terms), Measure(None))
    if rows is not None:
        found["interval_sl_attainment"] = measures.attainment(rows, terms.sl_variant, terms.target("sl_target"))
    if names is None or not names.isdisjoint(SHORTFALLS):
        found.update(volume.shortfalls(con, partner_id, part, tz, terms, found))
    return found


def _parts_for(names: frozenset[str] | None) -> tuple[str, ...]:
    """The parts of `measures.measure` the figures `names` are computed from (None: every figure,
    every part). A shortfall is judged on the volume and staffing figures: it asks for every part."""
    if names is None or not names.isdisjoint(SHORTFALLS):
        return measures.PARTS
    wanted = {"rollups"}  # service level (any variant), the counts and forecast accuracy's offered legs
    wanted |= {part for part, given in measures.DETAIL_PARTS.items() if not names.isdisjoint(given)}
    return tuple(part for part in measures.PARTS if part in wanted)


# The figures that need the partner's 15-minute rows: interval attainment, and the service level
# (its miss is excused or not by the days' counts, metrics.excusal). A card without them (the Quality
# page's: names=FAMILIES["quality"]) reads no intervals, staffing or forecast.
INTERVAL_FIGURES = frozenset({"service_level", "interval_sl_attainment"})


def _needs_rows(names: frozenset[str] | None) -> bool:
    return names is None or not names.isdisjoint(INTERVAL_FIGURES)


def call_terms(terms_: Terms) -> measures.CallTerms:
    """What the customer's call and the overflow audit are judged by under `terms_`."""
    return measures.CallTerms(terms_.sl_threshold_s, terms_.short_abandon_s, terms_.target("overflow_after_s"))


def _excusal(con: Connection, partner_id: int | None, part: Period, tz: str, terms: Terms,
             rows: list[dict[str, Any]]) -> excusal.Excusal:
    """Whether the part's service-level miss is excused (never in-house's: it has no agreement)."""
    if partner_id is None:
        return excusal.NOTHING
    return excusal.decide(excusal.days(con, partner_id, part, tz, rows), terms)


@dataclass(frozen=True)
class _Judged:
    """One terms part of a period with its measures."""
    part: TermsPart
    found: dict[str, Measure]
    excusal: excusal.Excusal
    provisional_until: date | None


def _values(con: Connection, partner_id: int | None, period: Period, tz: str, data_end: date | None,
            names: frozenset[str] | None = None) -> tuple[list[_Judged], dict[str, Measure], Terms]:
    """Each terms part judged on its own, and the whole period's measures with the latest part's terms
    (the same as the single part when the terms did not change)."""
    judged = []
    cut = terms.parts(con, partner_id, period)

    def rows_of(over: Period) -> list[dict[str, Any]] | None:
        return _interval_rows(con, partner_id, over, tz) if _needs_rows(names) else None

    for part in cut:
        rows = rows_of(part.period)
        found = _part_measures(con, partner_id, part.period, tz, part.terms, rows, names)
        until = statuses.provisional_until(part.end, part.terms.fcr_days, data_end)
        excused = excusal.NOTHING if rows is None else _excusal(con, partner_id, part.period, tz, part.terms, rows)
        judged.append(_Judged(part, found, excused, until))
    latest = cut[-1].terms
    whole = judged[0].found if len(judged) == 1 else _part_measures(
        con, partner_id, period, tz, latest, rows_of(period), names)
    return judged, whole, latest


def _figures(con: Connection, partner_id: int | None, period: Period, tz: str,
             names: frozenset[str] | None = None) -> list[Figure]:
    """The scorecard's figures in FAMILIES' order: every one, or those of `names` (computed from the
    parts of the reads they need, and equal to the same figures of a whole scorecard)."""
    data_end = measures.leg_days(con, tz)[1]
    previous = periods.previous(period)
    with measures.together((previous, period)):  # both periods in one statement per part
        current = _values(con, partner_id, period, tz, data_end, names)
        before = _values(con, partner_id, previous, tz, data_end, names)
    return [_figure(name, family, current, before[1]) for family, family_names in FAMILIES.items()
            for name in family_names if (names is None or name in names) and _applies(name, current[0])]


def _applies(name: str, judged: list[_Judged]) -> bool:
    """Whether a figure means something in the period: one that needs an agreement field (a minimum,
    an agreed in-house wait) is left out when no part's terms set one, so no page, file or meeting
    shows a shortfall against a minimum that was never agreed."""
    needed = metric(name).requires
    return not needed or any(j.part.terms.target(field) is not None for j in judged for field in needed)


def _figure(name: str, family: str, current: tuple[list[_Judged], dict[str, Measure], Terms],
            before: dict[str, Measure]) -> Figure:
    judged, whole, latest = current
    definition = metric(_definition(name, latest))
    parts = []
    for j in judged:
        m = metric(_definition(name, j.part.terms))
        found = j.found.get(name, Measure(None))
        value = found.value
        target = statuses.target_of(m, j.part.terms)
        status = statuses.judge_quality(m, value, _sample(m, found), j.part.terms)
        if name in SHORTFALLS:
            target, status = volume.judged(value, j.part.terms, name)
        note = j.excusal.note if name == "service_level" else ""
        if name == "service_level" and j.excusal.excused:  # excused only ever a miss
            status = statuses.EXCUSED
        until = j.provisional_until if name in REPEAT_BASED and value is not None else None
        if until is not None:
            status = statuses.PROVISIONAL
        parts.append(FigurePart(j.part.start, j.part.end, j.part.terms.agreement_id, value,
                                target, status, until, m.name, note))
    combined = whole.get(name, Measure(None))
    sample = _sample(definition, combined)
    interval = statuses.interval_of(definition, sample)
    label = definition.label if name != "service_level" else f"Service level ({latest.sl_variant})"
    return Figure(
        metric=name, definition=definition.name, label=label, unit=definition.unit, family=family,
        value=combined.value, numerator=combined.numerator, denominator=combined.denominator,
        sample_size=combined.sample_size, target=parts[-1].target,
        status=statuses.worst([p.status for p in parts]) if combined.value is not None else statuses.NO_DATA,
        previous_value=before.get(name, Measure(None)).value, parts=tuple(parts),
        provisional_until=max((p.provisional_until for p in parts if p.provisional_until), default=None),
        note="; ".join(_part_note(p, len(parts)) for p in parts if p.note),
        left_out=combined.left_out,
        interval=None if interval is None else (interval.low, interval.high), sum_squares=combined.sum_squares,
        min_n=latest.min_n(definition.min_n) if definition.min_n else None,
        judged_on=latest.quality_judgement if definition.min_n else "",
        change_real=_change_real(definition, sample, _sample(definition, before.get(name, Measure(None))),
                                 latest),
    )


def _change_real(m: Metric, now: intervals.Sample | None, before: intervals.Sample | None,
                 terms_: Terms) -> bool | None:
    """Whether a quality figure's change from the previous period is real (significant at 95 %), within
    noise, or not to be said (None) when either period has fewer observations than the figure is judged on."""
    if m.interval is None or now is None or before is None:
        return None
    least = terms_.min_n(m.min_n) if m.min_n else 2
    if min(now.n, before.n) < least:
        return None
    return intervals.real_change(m.interval, now, before)


def _sample(m: Metric, found: Measure) -> intervals.Sample | None:
    """The figure's observations for its interval (None: not a quality figure, or no data)."""
    return statuses.sample_of(m, found.numerator, found.denominator, found.sum_squares)


def _part_note(part: FigurePart, count: int) -> str:
    """A part's note, with its days when the period has several parts."""
    return part.note if count == 1 else f"{periods.days_text(part.start, part.end - timedelta(days=1))}: {part.note}"


def _name(con: Connection, partner_id: int | None) -> str:
    return _("in-house") if partner_id is None else registry.partner_name(con, partner_id)


def _note(cut: list[TermsPart]) -> str:
    """Which days which agreement judged; the variants too when they differ, with the one the
    period's value is in (the latest part's)."""
    if len(cut) < 2:
        return ""
    variants = {p.terms.sl_variant for p in cut}
    described = [(_("{days} by {terms} ({variant})") if len(variants) > 1 else _("{days} by {terms}")).format(
                     days=p.period.text, terms=p.terms.name, variant=p.terms.sl_variant) for p in cut]
    note = _("judged in {count} parts (the agreement changed): {parts}").format(
        count=i18n.number(len(cut)), parts="; ".join(described))
    if len(variants) > 1:
        note += "; " + _("the period's service level is in {variant}, the latest part's variant").format(
            variant=cut[-1].terms.sl_variant)
    return note


def scorecard(con: Connection, partner_id: int | None, period: Period, tz: str | None = None,
              partner_ids: Sequence[int] | None = None, names: Collection[str] | None = None) -> Scorecard:
    """The scorecard of one partner (None = in-house benchmark) for a period in the reporting zone.

    With a scope (`partner_ids`), a partner outside it, or the in-house benchmark, is refused.
    With `names`, only those figures (the Availability page's summary, the Quality page's section:
    fewer statements), each equal to the whole scorecard's.
    """
    if partner_ids is not None and partner_id not in partner_ids:
        raise UserError(OUT_OF_SCOPE)
    tz = settings.reporting_tz(con, tz)
    periods.zone(tz)
    cut = terms.parts(con, partner_id, period)
    return Scorecard(
        partner_id=partner_id, name=_name(con, partner_id), period=period, tz=tz,
        figures=tuple(_figures(con, partner_id, period, tz, None if names is None else frozenset(names))),
        agreement_parts=tuple((p.start, p.end, p.terms.agreement_id) for p in cut),
        note=_note(cut),
    )


def benchmark(con: Connection, card: Scorecard) -> dict[str, float | None]:
    """In-house beside a partner's scorecard, figure by figure, in that partner's terms: service level
    in its latest variant with its T and S (read from the legs), FCR with its N days; the figures
    that depend on no term are in-house's own. What a meeting shows as "in-house"."""
    latest = terms.latest(con, card.partner_id, card.period)
    house = dict(measures.measure(con, card.period, card.tz, fcr_days=latest.fcr_days).get(None, {}))
    house["service_level"] = measures.in_house_service_level(
        con, card.period, card.tz, latest.sl_variant, latest.sl_threshold_s, latest.short_abandon_s)
    return {f.metric: house.get(f.metric, Measure(None)).value for f in card.figures}


def overview(con: Connection, period: Period, tz: str | None = None,
             partner_ids: Sequence[int] | None = None, names: Collection[str] | None = None) -> list[Scorecard]:
    """One scorecard per partner in scope, by name, then the in-house benchmark when the scope is
    everything; with `names`, each of only those figures (see `scorecard`)."""
    ids = registry.ids_by_name(con, partner_ids)
    with measures.shared_reads():  # one grouped read per statement serves every partner and both periods
        cards = [scorecard(con, pid, period, tz, names=names) for pid in ids]
        if partner_ids is None:
            cards.append(scorecard(con, None, period, tz, names=names))
    return cards
