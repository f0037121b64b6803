"""Agreement versions per partner: what was agreed, from which day.

A version applies from its valid_from (a day in the reporting zone) until the next version's
valid_from. Versions are never updated or deleted: a change is a new version, so the history is the
table itself and a past scorecard can always be judged against what was in force then.
Adding a version rebuilds the partner's interval rollups, because T and S may have changed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import date, datetime

from data import audit, rollups, settings, store
from data.errors import UserError
from data.store import Connection
from partners import periods, registry

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
    calls_week_min: int | None
    calls_month_min: int | None
    agent_hours_week_min: float | None
    agent_hours_month_min: float | None
    created_at: datetime
    created_by: str | None
    note: str
    staffed_floor: float
    turned_away_max: float | None = None
    overflow_after_s: int | None = None   # in-house wait before a call may overflow (migration 0009)


COLUMNS = tuple(f.name for f in fields(Agreement))
TARGETS = COLUMNS[3:COLUMNS.index("created_at")] + ("staffed_floor", "turned_away_max", "overflow_after_s")
FRACTIONS = ("share_min", "share_target", "share_max", "sl_target", "abandon_rate_max", "qa_min", "fcr_min",
             "transfer_back_max", "csat_min", "forecast_tolerance", "amber_tolerance", "staffed_floor",
             "turned_away_max")
_SELECT = ", ".join("CAST(created_at AT TIME ZONE 'UTC' AS TIMESTAMP)" if c == "created_at" else c for c in COLUMNS)

# The absolute volume minimums (migration 0007): whole calls, or agent-hours, a week or a month.
MINIMUMS = ("calls_week_min", "calls_month_min", "agent_hours_week_min", "agent_hours_month_min")
DAY_S = 86_400  # T or S beyond a day is a unit mistake (milliseconds?), not a contract
# The range each numeric target must lie in (None: open on that side); FCR days as the setting allows.
RANGES: dict[str, tuple[float | None, float | None]] = {
    **{name: (0, 1) for name in FRACTIONS},
    "sl_threshold_s": (0, DAY_S), "short_abandon_s": (0, DAY_S), "overflow_after_s": (0, DAY_S),
    "fcr_days": settings.limits("fcr_days"),
    "asa_max_s": (0, None), "nps_min": (-100, 100),
    **{name: (0, None) for name in MINIMUMS},
}
WHOLE = ("sl_threshold_s", "short_abandon_s", "overflow_after_s", "fcr_days", "calls_week_min", "calls_month_min")
SHARE_ORDER = ("share_min", "share_target", "share_max")


class TargetError(UserError):
    """A target outside its allowed range. The message names the stored field (the CLI's and the
    importer's words); `field`, `rule` ("number", "whole", "fraction", "negative", "range", "order"
    or "choice") and the values let a form say the same refusal with its own labels and units, so
    the check itself lives here only."""

    def __init__(self, message: str, field: str, rule: str, value: object,
                 other: str | None = None, other_value: object = None) -> None:
        super().__init__(message)
        self.field, self.rule, self.value, self.other, self.other_value = field, rule, value, other, other_value


def _shown(value: object) -> str:
    """A value as written in a file: 500, not 500.0."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _number(name: str, value: object) -> float | int:
    """The target as stored (whole fields as int), or the TargetError of the first rule it breaks."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise TargetError(f"{name} '{value}' is not a number", name, "number", value)
    low, high = RANGES[name]
    fraction = name in FRACTIONS
    if name in WHOLE and not number.is_integer():
        rule, words = "whole", "is not a whole number"
    elif low == 0 and number < 0:
        rule, words = "fraction" if fraction else "negative", "is negative"
    elif fraction and number > 1:
        rule, words = "fraction", "is more than 1 (write it as a fraction: 0.8 = 80 %)"
    elif high == DAY_S and number > high:
        rule, words = "range", "is more than a day"
    elif (low is not None and number < low) or (high is not None and number > high):
        rule, words = "range", f"is outside {low}..{high}"
    else:
        return int(number) if name in WHOLE else number
    raise TargetError(f"{name} '{_shown(value)}' {words}", name, rule, value)


def checked(targets: dict[str, object]) -> dict[str, object]:
    """The targets as stored, or the TargetError of the first rule one breaks (None = unset).

    The one check of an agreement: add_version (the form, the demo) and the importer (each row's
    reject reason) both come here, so a version is refused in the same words wherever it is made.
    """
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown:
        raise UserError(f"unknown agreement field(s) {', '.join(unknown)}; known: {', '.join(TARGETS)}")
    clean = {name: value if value is None or name == "sl_variant" else _number(name, value)
             for name, value in targets.items()}
    variant = clean.get("sl_variant")
    if variant is not None and variant not in VARIANTS:
        raise TargetError(f"sl_variant '{variant}' is not {', '.join(VARIANTS[:-1])} or {VARIANTS[-1]}",
                          "sl_variant", "choice", variant)
    shares = [(name, clean[name]) for name in SHARE_ORDER if clean.get(name) is not None]
    for (low, low_value), (high, high_value) in zip(shares, shares[1:]):
        if low_value > high_value:
            raise TargetError(f"{low} '{_shown(low_value)}' is above {high} '{_shown(high_value)}'",
                              low, "order", low_value, high, high_value)
    return clean


def add_version(con: Connection, partner_id: int, valid_from: date, *,
                created_by: str | None = None, note: str = "", **targets: object) -> Agreement:
    """Record a new agreement version (inside the caller's transaction) and rebuild the partner's rollups.

    Targets not given are unset (no status for that metric), except T, S and FCR days, which take
    the current settings so the version keeps the values it was judged by.
    """
    targets = checked(targets)
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
