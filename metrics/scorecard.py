"""The scorecard: volume, availability and quality side by side, judged against the agreement.

A period that spans two agreement versions is judged part by part (each part by the version in
force on its days); the figure's value is over the whole period (the parts' numerators and
denominators summed) and its status is the worst part's. `Scorecard.note` says when that happened.
FCR is provisional (no met/missed status, the value still shown) while a part's repeat window
reaches past the newest held leg; `Figure.provisional_until` says when it becomes final.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from data import settings, store
from data.errors import UserError
from data.store import Connection
from metrics import measures, statuses
from metrics.aggregate import scope_filter
from metrics.definitions import REPEAT_BASED, SL_VARIANTS, metric
from metrics.measures import Measure
from partners import periods, registry
from partners.access import OUT_OF_SCOPE
from partners.agreements import Agreement, versions_overlapping
from partners.periods import Period

FAMILIES: dict[str, tuple[str, ...]] = {
    "volume": ("offered", "answered", "volume_share", "forecast_accuracy"),
    "availability": ("service_level", "abandon_rate", "asa_s", "p90_wait_s", "interval_sl_attainment", "aht_s",
                     "staffed_vs_contracted"),
    "quality": ("qa_score", "fcr", "transfer_back_rate", "csat_top2", "csat_mean", "nps"),
}


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

    @property
    def volume(self) -> tuple[Figure, ...]:
        return self.family("volume")

    @property
    def availability(self) -> tuple[Figure, ...]:
        return self.family("availability")

    @property
    def quality(self) -> tuple[Figure, ...]:
        return self.family("quality")

    def figure(self, name: str) -> Figure:
        return next(f for f in self.figures if f.metric == name)

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


def _parts(con: Connection, partner_id: int | None, period: Period) -> list[tuple[Period, Agreement | None]]:
    """The period cut by agreement versions; days before the first version form a part with no agreement."""
    if partner_id is None:
        return [(period, None)]
    parts: list[tuple[Period, Agreement | None]] = []
    cursor = period.start
    for part in versions_overlapping(con, partner_id, period):
        if part.start > cursor:
            parts.append((periods.between(cursor, part.start), None))
        parts.append((periods.between(part.start, part.end), part.agreement))
        cursor = part.end
    if cursor < period.end:
        parts.append((periods.between(cursor, period.end), None))
    if len(parts) == 1:
        parts = [(period, parts[0][1])]
    return parts


def _definition(name: str, agreement: Agreement | None) -> str:
    if name == "service_level":
        return SL_VARIANTS[agreement.sl_variant if agreement else "abandons-count"]
    return name


def _part_measures(con: Connection, partner_id: int | None, part: Period, tz: str,
                   agreement: Agreement | None) -> dict[str, Measure]:
    scope = None if partner_id is None else (partner_id,)
    found = measures.measure(con, part, tz, fcr_days=_fcr_days(con, agreement), partner_ids=scope).get(partner_id, {})
    found = dict(found)
    found["service_level"] = found.get(_definition("service_level", agreement), Measure(None))
    rows = [r for r in measures.interval_sl_rows(con, part, tz, scope) if r["partner_id"] == partner_id]
    variant = agreement.sl_variant if agreement else "abandons-count"
    found["interval_sl_attainment"] = measures.attainment(rows, variant, agreement.sl_target if agreement else None)
    return found


def sl_miss_excused(offered: float | None, forecast_legs: float | None, agreement: Agreement | None) -> bool:
    """An SL miss is excused when the partner got more legs than forecast x (1 + forecast tolerance)."""
    if agreement is None or offered is None or not forecast_legs:
        return False
    return offered > forecast_legs * (1 + agreement.forecast_tolerance)


def _excused(found: dict[str, Measure], agreement: Agreement | None) -> bool:
    forecast = found.get("forecast_accuracy")
    return forecast is not None and sl_miss_excused(forecast.numerator, forecast.denominator, agreement)


def _sum(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _combine(name: str, part_measures: list[Measure], whole: Measure | None) -> Measure:
    if whole is not None:
        return whole
    if len(part_measures) == 1:
        return part_measures[0]
    if metric(name).unit == "count":
        return Measure(_sum([p.value for p in part_measures]))
    numerator = _sum([p.numerator for p in part_measures])
    denominator = _sum([p.denominator for p in part_measures])
    samples = _sum([p.sample_size for p in part_measures])
    scale = 100.0 if name == "nps" else 1.0
    return measures.of(numerator, denominator, None if samples is None else int(samples), scale)


def _fcr_days(con: Connection, agreement: Agreement | None) -> int:
    return agreement.fcr_days if agreement else int(settings.get(con, "fcr_days"))


def _values(con: Connection, partner_id: int | None, period: Period, tz: str,
            data_end: date | None) -> dict[str, Any]:
    """Every figure's combined measure and its judged parts for one partner and period, each part
    with the day its repeat-based figures become final (None = final)."""
    parts = _parts(con, partner_id, period)
    judged = []
    for part, agreement in parts:
        found = _part_measures(con, partner_id, part, tz, agreement)
        until = statuses.provisional_until(part.end, _fcr_days(con, agreement), data_end)
        judged.append((part, agreement, found, _excused(found, agreement), until))
    whole: dict[str, Measure] = {}
    if len(parts) > 1:
        scope = None if partner_id is None else (partner_id,)
        whole["p90_wait_s"] = measures.p90_wait(con, period, tz, scope).get(partner_id, Measure(None))
    return {"parts": parts, "judged": judged, "whole": whole}


def _figures(con: Connection, partner_id: int | None, period: Period, tz: str) -> list[Figure]:
    data_end = measures.leg_days(con, tz)[1]
    current = _values(con, partner_id, period, tz, data_end)
    before = _values(con, partner_id, periods.previous(period), tz, data_end)
    figures = []
    for family, names in FAMILIES.items():
        for name in names:
            figures.append(_figure(name, family, current, before))
    return figures


def _combined(name: str, values: dict[str, Any]) -> Measure:
    part_measures = [found.get(name, Measure(None)) for _, _, found, *_ in values["judged"]]
    return _combine(name, part_measures, values["whole"].get(name))


def _figure(name: str, family: str, current: dict[str, Any], before: dict[str, Any]) -> Figure:
    last_agreement = current["judged"][-1][1]
    definition = metric(_definition(name, last_agreement))
    parts = []
    for part, agreement, found, excused, until in current["judged"]:
        m = metric(_definition(name, agreement))
        value = found.get(name, Measure(None)).value
        status = statuses.judge(m, value, agreement)
        if name == "service_level" and status in (statuses.AMBER, statuses.RED) and excused:
            status = statuses.EXCUSED
        until = until if name in REPEAT_BASED and value is not None else None
        if until is not None:
            status = statuses.PROVISIONAL
        parts.append(FigurePart(part.start, part.end, agreement.agreement_id if agreement else None, value,
                                statuses.target_of(m, agreement), status, until))
    combined = _combined(name, current)
    label = definition.label if name != "service_level" else f"Service level ({last_agreement.sl_variant if last_agreement else 'abandons-count'})"
    return Figure(
        metric=name, definition=definition.name, label=label, unit=definition.unit, family=family,
        value=combined.value, numerator=combined.numerator, denominator=combined.denominator,
        sample_size=combined.sample_size, target=parts[-1].target,
        status=statuses.worst([p.status for p in parts]) if combined.value is not None else statuses.NO_DATA,
        previous_value=_combined(name, before).value, parts=tuple(parts),
        provisional_until=max((p.provisional_until for p in parts if p.provisional_until), default=None),
    )


def _name(con: Connection, partner_id: int | None) -> str:
    return "in-house" if partner_id is None else registry.partner_name(con, partner_id)


def _agreement_name(agreement: Agreement | None) -> str:
    """An agreement version as people know it: by the day it took effect, not its row id."""
    return f"the agreement from {periods.day_text(agreement.valid_from)}" if agreement else "no agreement"


def _note(parts: list[tuple[Period, Agreement | None]]) -> str:
    if len(parts) < 2:
        return ""
    described = [f"{p.text} by {_agreement_name(a)}" for p, a in parts]
    return f"judged in {len(parts)} parts (the agreement changed): " + "; ".join(described)


def scorecard(con: Connection, partner_id: int | None, period: Period, tz: str | None = None,
              partner_ids: Sequence[int] | None = None) -> Scorecard:
    """The scorecard of one partner (None = in-house benchmark) for a period in the reporting zone.

    With a scope (`partner_ids`), a partner outside it, or the in-house benchmark, is refused.
    """
    if partner_ids is not None and partner_id not in partner_ids:
        raise UserError(OUT_OF_SCOPE)
    tz = settings.reporting_tz(con, tz)
    periods.zone(tz)
    parts = _parts(con, partner_id, period)
    return Scorecard(
        partner_id=partner_id, name=_name(con, partner_id), period=period, tz=tz,
        figures=tuple(_figures(con, partner_id, period, tz)),
        agreement_parts=tuple((p.start, p.end, a.agreement_id if a else None) for p, a in parts),
        note=_note(parts),
    )


def overview(con: Connection, period: Period, tz: str | None = None,
             partner_ids: Sequence[int] | None = None) -> list[Scorecard]:
    """One scorecard per partner in scope, by name, then the in-house benchmark when the scope is everything."""
    params: dict[str, Any] = {}
    where = scope_filter("partner_id", partner_ids, params)
    ids = [r[0] for r in store.execute(con, f"SELECT partner_id FROM partners WHERE TRUE{where} ORDER BY name", params).rows]
    cards = [scorecard(con, pid, period, tz) for pid in ids]
    if partner_ids is None:
        cards.append(scorecard(con, None, period, tz))
    return cards
