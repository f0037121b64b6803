"""Agreement versions per partner: what was agreed, from which day.

A version applies from its valid_from (a day in the reporting zone) until the next version's
valid_from. Versions are never updated or deleted: a change is a new version, so the history is the
table itself and a past scorecard can always be judged against what was in force then.
Adding a version rebuilds the partner's interval rollups, because T and S may have changed.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

from data import audit, rollups, settings, store
from data.errors import UserError
from data.store import Connection
from partners import periods, registry
from partners.periods import Period

VARIANTS = ("abandons-count", "answered-only", "abandons-within-met", "with-overflow")


@dataclass(frozen=True)
class Agreement:
    agreement_id: int
    partner_id: int
    valid_from: date
    share_min: float | None
    share_target: float | None
    share_max: float | None
    sl_target: float | None
    sl_threshold_s: int
    short_abandon_s: int
    sl_variant: str
    abandon_rate_max: float | None
    asa_max_s: float | None
    qa_min: float | None
    fcr_min: float | None
    fcr_days: int
    transfer_back_max: float | None
    csat_min: float | None
    nps_min: float | None
    forecast_tolerance: float
    amber_tolerance: float
    created_at: datetime
    created_by: str | None
    note: str


@dataclass(frozen=True)
class AgreementPart:
    """The part [start, end) of a period that one agreement version judges."""
    agreement: Agreement
    start: date
    end: date


COLUMNS = tuple(f.name for f in fields(Agreement))
TARGETS = COLUMNS[3:20]
FRACTIONS = ("share_min", "share_target", "share_max", "sl_target", "abandon_rate_max", "qa_min", "fcr_min",
             "transfer_back_max", "csat_min", "forecast_tolerance", "amber_tolerance")
_SELECT = ", ".join("CAST(created_at AT TIME ZONE 'UTC' AS TIMESTAMP)" if c == "created_at" else c for c in COLUMNS)


class TargetError(UserError):
    """A target outside its allowed range. The message names the stored field (the CLI's words);
    `field`, `rule` ("fraction", "negative" or "order") and the values let a form say the same
    refusal with its own labels and units, so the check itself lives here only."""

    def __init__(self, message: str, field: str, rule: str, value: object,
                 other: str | None = None, other_value: object = None) -> None:
        super().__init__(message)
        self.field, self.rule, self.value, self.other, self.other_value = field, rule, value, other, other_value


def _check(targets: dict[str, object]) -> None:
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown:
        raise UserError(f"unknown agreement field(s) {', '.join(unknown)}; known: {', '.join(TARGETS)}")
    for name in FRACTIONS:
        value = targets.get(name)
        if value is not None and not 0 <= float(value) <= 1:
            raise TargetError(f"{name} is a fraction between 0 and 1 (0.8 = 80 %), not {value}", name, "fraction", value)
    if targets.get("sl_variant", "abandons-count") not in VARIANTS:
        raise UserError(f"unknown service-level variant {targets['sl_variant']!r}; use one of {', '.join(VARIANTS)}")
    for name in ("sl_threshold_s", "short_abandon_s", "fcr_days"):
        value = targets.get(name)
        if value is not None and int(value) < 0:
            raise TargetError(f"{name} must not be negative", name, "negative", value)
    lo, hi = targets.get("share_min"), targets.get("share_max")
    if lo is not None and hi is not None and float(lo) > float(hi):
        raise TargetError("share_min must not be above share_max", "share_min", "order", lo, "share_max", hi)


def add_version(con: Connection, partner_id: int, valid_from: date, *,
                created_by: str | None = None, note: str = "", **targets: object) -> Agreement:
    """Record a new agreement version (inside the caller's transaction) and rebuild the partner's rollups.

    Targets not given are unset (no status for that metric), except T, S and FCR days, which take
    the current settings so the version keeps the values it was judged by.
    """
    _check(targets)
    if not store.execute(con, "SELECT 1 FROM partners WHERE partner_id = $p", {"p": partner_id}).rows:
        raise UserError(f"there is no partner with id {partner_id}")
    for name in ("sl_threshold_s", "short_abandon_s", "fcr_days"):
        if targets.get(name) is None:
            targets[name] = int(settings.get(con, name))
    values = {"partner_id": partner_id, "valid_from": valid_from, "created_by": created_by, "note": note,
              **{k: v for k, v in targets.items() if v is not None}}
    names = ", ".join(values)
    slots = ", ".join(f"${k}" for k in values)
    agreement_id = store.execute(
        con, f"INSERT INTO agreements ({names}) VALUES ({slots}) RETURNING agreement_id", values).rows[0][0]
    audit.record(con, created_by or "cli", "agreement.add",
                 f"{registry.partner_name(con, partner_id)} from {periods.day_text(valid_from)}: " + ", ".join(f"{k}={v}" for k, v in sorted(targets.items())))
    rollups.refresh_partner(con, partner_id)
    return _one(con, "agreement_id = $id", {"id": agreement_id})[0]


def _one(con: Connection, where: str, params: dict, table: str = "agreements",
         order: str = "valid_from, agreement_id") -> list[Agreement]:
    rows = store.execute(con, f"SELECT {_SELECT} FROM {table} WHERE {where} ORDER BY {order}", params).rows
    return [Agreement(*row) for row in rows]


def history(con: Connection, partner_id: int) -> list[Agreement]:
    """Every version ever recorded for the partner, oldest first (a version replaced on its own first day included)."""
    return _one(con, "partner_id = $p", {"p": partner_id})


def in_force(con: Connection, partner_id: int, day: date) -> Agreement | None:
    """The version that applies on `day`, or None before the first one."""
    found = _one(con, "partner_id = $p AND valid_from <= $d AND (valid_to IS NULL OR $d < valid_to)",
                 {"p": partner_id, "d": day}, table="agreement_spans")
    return found[0] if found else None


def versions_overlapping(con: Connection, partner_id: int, period: Period) -> list[AgreementPart]:
    """The parts of `period` and the version that judges each, in order; days before any version are left out."""
    spans = store.execute(
        con,
        "SELECT agreement_id, valid_from, valid_to FROM agreement_spans "
        "WHERE partner_id = $p AND valid_from < $end AND (valid_to IS NULL OR valid_to > $start) ORDER BY valid_from",
        {"p": partner_id, "start": period.start, "end": period.end},
    ).rows
    parts = []
    for agreement_id, valid_from, valid_to in spans:
        agreement = _one(con, "agreement_id = $id", {"id": agreement_id})[0]
        parts.append(AgreementPart(agreement, max(valid_from, period.start), min(valid_to or period.end, period.end)))
    return parts
