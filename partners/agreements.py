"""Agreement versions per partner: what was agreed, from which day.

A version applies from its valid_from (a day in the reporting zone) until the next version's
valid_from. Versions are never updated or deleted: a change is a new version, so the history is the
table itself and a past scorecard can always be judged against what was in force then.
Adding a version rebuilds the partner's interval rollups, because T and S may have changed.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime

from data import audit, rollups, settings, store
from data.errors import UserError
from data.i18n import N_, _
from data.store import Connection
from partners import periods, registry

VARIANTS = ("abandons-count", "answered-only", "abandons-within-met", "with-overflow")
# How a quality figure is judged (migration 0014): on its 95 % interval and sample size, or on its
# point value with the amber tolerance, for contracts that say so.
INTERVAL, POINT = "interval", "point"
JUDGEMENTS = (INTERVAL, POINT)
# The agreement fields chosen from a list (the others are numbers).
CHOICES = {"sl_variant": VARIANTS, "quality_judgement": JUDGEMENTS}
# The fewest evaluations or answers each quality figure is judged on (NULL: the documented default).
MIN_N = ("qa_min_n", "critical_error_min_n", "fcr_min_n", "transfer_back_min_n", "csat_min_n", "nps_min_n")


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
    credit_month_cap: float | None = None  # the most a month's credits (or bonuses) come to (migration 0012)
    quality_judgement: str = INTERVAL      # migration 0014: "interval" or "point"
    critical_error_max: float | None = None
    qa_min_n: int | None = None
    critical_error_min_n: int | None = None
    fcr_min_n: int | None = None
    transfer_back_min_n: int | None = None
    csat_min_n: int | None = None
    nps_min_n: int | None = None
    version: int | None = None  # 1, 2, ... per partner, the name people give it (migration 0015)

    @property
    def name(self) -> str:
        """The version as every screen, file and message names it: "version 2" (the partner's second)."""
        return _("version {number}").format(number=self.version if self.version is not None else "?")


COLUMNS = tuple(f.name for f in fields(Agreement))
TARGETS = COLUMNS[3:COLUMNS.index("created_at")] + ("staffed_floor", "turned_away_max", "overflow_after_s",
                                                    "credit_month_cap", "quality_judgement", "critical_error_max",
                                                    *MIN_N)
FRACTIONS = ("share_min", "share_target", "share_max", "sl_target", "abandon_rate_max", "qa_min", "fcr_min",
             "transfer_back_max", "csat_min", "forecast_tolerance", "amber_tolerance", "staffed_floor",
             "turned_away_max", "critical_error_max")
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
    "credit_month_cap": (0, None),
    **{name: (1, 1_000_000) for name in MIN_N},
}
WHOLE = ("sl_threshold_s", "short_abandon_s", "overflow_after_s", "fcr_days", "calls_week_min", "calls_month_min",
         *MIN_N)
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
        raise TargetError(_("{column} {value} is not a number").format(column=name, value=f"'{value}'"),
                          name, "number", value)
    low, high = RANGES[name]
    fraction = name in FRACTIONS
    if name in WHOLE and not number.is_integer():
        rule, words = "whole", _("{column} {value} is not a whole number")
    elif low == 0 and number < 0:
        rule, words = "fraction" if fraction else "negative", _("{column} {value} is negative")
    elif fraction and number > 1:
        rule, words = "fraction", _("{column} {value} is more than 1 (write it as a fraction: 0.8 = 80 %)")
    elif high == DAY_S and number > high:
        rule, words = "range", _("{column} {value} is more than a day")
    elif (low is not None and number < low) or (high is not None and number > high):
        rule, words = "range", _("{column} {value} is outside {low}..{high}")
    else:
        return int(number) if name in WHOLE else number
    raise TargetError(words.format(column=name, value=f"'{_shown(value)}'", low=low, high=high), name, rule, value)


# --- credit and bonus rules ----------------------------------------------------------------------

# The figures a credit rule may follow, with the agreement field each is judged against (the same as
# metrics.definitions says: tests/test_credits.py holds the two together). Only the partner's side:
# what the centre owes (the volume band, the minimums) is not the partner's to pay for.
RULE_METRICS: dict[str, str] = {
    "service_level": "sl_target", "abandon_rate": "abandon_rate_max",
    "asa_s": "asa_max_s", "turned_away_rate": "turned_away_max", "qa_score": "qa_min", "fcr": "fcr_min",
    "transfer_back_rate": "transfer_back_max", "csat_top2": "csat_min", "nps": "nps_min",
}
RULE_KINDS = ("fixed", "share_of_invoice")
RULE_PERS = ("point", "band")
RULE_COUNTS = ("amber,red", "red")   # the statuses that cost; excused, provisional, no data never do
EARN_BACK_MAX = 12


@dataclass(frozen=True)
class CreditRule:
    """What a miss of one figure costs and a beat earns under one agreement version.

    Amounts are per point of the figure's own unit (a percentage point, a second, an NPS point), or
    per started band of `band_points` points; in the invoice's currency (kind fixed) or as a share of
    the month's invoice (kind share_of_invoice, 0.01 = 1 %). `figure_cap` is in the same kind.
    A credit is earned back when the figure meets its target in each of the `earn_back_months`
    months that follow (0: never)."""

    metric: str
    kind: str
    per: str
    miss_amount: float
    beat_amount: float | None = None
    band_points: float | None = None
    figure_cap: float | None = None
    earn_back_months: int = 0
    counts: str = "amber,red"

    @property
    def target_field(self) -> str:
        return RULE_METRICS[self.metric]


RULE_FIELDS = tuple(f.name for f in fields(CreditRule))
# The short names `parse_rule` reads (metric=service_level,per=point,miss=500,...).
RULE_WORDS = {"metric": "metric", "kind": "kind", "per": "per", "miss": "miss_amount", "beat": "beat_amount",
              "band": "band_points", "cap": "figure_cap", "earn_back": "earn_back_months", "counts": "counts"}


def parse_rule(text: str) -> CreditRule:
    """A rule as the CLI writes it: `metric=service_level,kind=fixed,per=point,miss=500,beat=200,cap=2000`
    (kind fixed and per point unless said); checked when its version is added."""
    values: dict[str, object] = {"kind": "fixed", "per": "point"}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        word, _equals, value = pair.partition("=")
        if word.strip() not in RULE_WORDS or not value.strip():
            raise UserError(f"credit rule '{text}': '{pair}' is not one of {', '.join(f'{w}=...' for w in RULE_WORDS)}")
        values[RULE_WORDS[word.strip()]] = value.strip()
    if "metric" not in values or "miss_amount" not in values:
        raise UserError(f"credit rule '{text}' needs at least metric=... and miss=...")
    return CreditRule(**values)  # type: ignore[arg-type]


def _rule_refusal(rule: CreditRule, words: str, field: str, value: object) -> TargetError:
    return TargetError(f"credit rule for {rule.metric}: {field} '{_shown(value)}' {words}", f"rule.{field}", "range", value)


def _rule_number(rule: CreditRule, field: str, value: object, *, whole: bool = False,
                 most: float | None = None) -> float | int | None:
    """A rule's amount as stored (None stays unset), refused when not a number, negative or above `most`."""
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise _rule_refusal(rule, "is not a number", field, value)
    if number < 0:
        raise _rule_refusal(rule, "is negative", field, value)
    if whole and not number.is_integer():
        raise _rule_refusal(rule, "is not a whole number", field, value)
    if most is not None and number > most:
        raise _rule_refusal(rule, f"is more than {_shown(float(most))}" + (
            " (a share of the invoice: 0.01 = 1 %)" if most == 1 else ""), field, value)
    return int(number) if whole else number


def checked_rule(rule: CreditRule, targets: dict[str, object]) -> CreditRule:
    """The rule as stored, or the TargetError of the first thing wrong with it under `targets`."""
    if rule.metric not in RULE_METRICS:
        raise TargetError(f"credit rule: '{rule.metric}' is not a figure a credit can follow; choose one of "
                          f"{', '.join(RULE_METRICS)}", "rule.metric", "choice", rule.metric)
    for field, allowed in (("kind", RULE_KINDS), ("per", RULE_PERS), ("counts", RULE_COUNTS)):
        value = str(getattr(rule, field)).replace(" ", "").lower()
        if value == "red,amber":
            value = "amber,red"
        if value not in allowed:
            raise TargetError(f"credit rule for {rule.metric}: {field} '{getattr(rule, field)}' is not "
                              f"{' or '.join(allowed)}", f"rule.{field}", "choice", getattr(rule, field))
        rule = replace(rule, **{field: value})
    if targets.get(rule.target_field) is None:
        raise TargetError(f"credit rule for {rule.metric}: the version sets no {rule.target_field} to miss or beat",
                          "rule.metric", "choice", rule.metric)
    share = 1 if rule.kind == "share_of_invoice" else None
    clean = {
        "miss_amount": _rule_number(rule, "miss_amount", rule.miss_amount, most=share),
        "beat_amount": _rule_number(rule, "beat_amount", rule.beat_amount, most=share),
        "band_points": _rule_number(rule, "band_points", rule.band_points),
        "figure_cap": _rule_number(rule, "figure_cap", rule.figure_cap, most=share),
        "earn_back_months": _rule_number(rule, "earn_back_months", rule.earn_back_months or 0, whole=True,
                                         most=EARN_BACK_MAX),
    }
    if clean["miss_amount"] is None:
        raise _rule_refusal(rule, "is missing", "miss_amount", "")
    if rule.per == "band" and not clean["band_points"]:
        raise _rule_refusal(rule, "must be more than 0 for a rule per band", "band_points", rule.band_points or "")
    if rule.per == "point" and clean["band_points"] is not None:
        raise _rule_refusal(rule, "is for a rule per band, not per point", "band_points", rule.band_points)
    return replace(rule, **clean)


def _checked_rules(rules: Sequence[CreditRule], targets: dict[str, object]) -> tuple[CreditRule, ...]:
    seen: set[str] = set()
    for rule in rules:
        if rule.metric in seen:
            raise TargetError(f"credit rule for {rule.metric} is given twice", "rule.metric", "order", rule.metric)
        seen.add(rule.metric)
    return tuple(checked_rule(rule, targets) for rule in rules)


def checked(targets: dict[str, object], rules: Sequence[CreditRule] = ()) -> dict[str, object]:
    """The targets as stored, or the TargetError of the first rule one breaks (None = unset).

    The one check of an agreement: add_version (the form, the demo) and the importer (each row's
    reject reason) both come here, so a version is refused in the same words wherever it is made.
    Its credit rules are checked here too, against the targets they follow.
    """
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown:
        raise UserError(_("unknown agreement field(s) {fields}; known: {known}").format(
            fields=", ".join(unknown), known=", ".join(TARGETS)))
    clean = {name: value if value is None or name in CHOICES else _number(name, value)
             for name, value in targets.items()}
    for name, allowed in CHOICES.items():
        chosen = clean.get(name)
        if chosen is not None and chosen not in allowed:
            either = _("{choices} or {last}").format(choices=", ".join(allowed[:-1]), last=allowed[-1])
            raise TargetError(_("{column} {value} is not {allowed}").format(column=name, value=f"'{chosen}'",
                                                                            allowed=either),
                              name, "choice", chosen)
    shares = [(name, clean[name]) for name in SHARE_ORDER if clean.get(name) is not None]
    for (low, low_value), (high, high_value) in zip(shares, shares[1:]):
        if low_value > high_value:
            raise TargetError(_("{column} {value} is above {other} {other_value}").format(
                column=low, value=f"'{_shown(low_value)}'", other=high, other_value=f"'{_shown(high_value)}'"),
                              low, "order", low_value, high, high_value)
    _checked_rules(rules, clean)
    return clean


def add_version(con: Connection, partner_id: int, valid_from: date, *,
                created_by: str | None = None, note: str = "", rules: Sequence[CreditRule] = (),
                **targets: object) -> Agreement:
    """Record a new agreement version (inside the caller's transaction) and rebuild the partner's rollups.

    Targets not given are unset (no status for that metric), except T, S and FCR days, which take
    the current settings so the version keeps the values it was judged by. `rules` are the version's
    credit and bonus rules (none: a miss costs nothing under it).
    """
    targets = checked(targets, rules)
    rules = _checked_rules(rules, targets)
    if not store.execute(con, "SELECT 1 FROM partners WHERE partner_id = $p", {"p": partner_id}).rows:
        raise UserError(_("there is no partner with id {id}").format(id=partner_id))
    for name in ("sl_threshold_s", "short_abandon_s", "fcr_days"):
        if targets.get(name) is None:
            targets[name] = int(settings.get(con, name))
    number = store.execute(con, "SELECT coalesce(max(version), 0) + 1 FROM agreements WHERE partner_id = $p",
                           {"p": partner_id}, what=N_("number the new agreement version")).scalar()
    values = {"partner_id": partner_id, "valid_from": valid_from, "created_by": created_by, "note": note,
              "version": number,
              **{k: v for k, v in targets.items() if v is not None}}
    names = ", ".join(values)
    slots = ", ".join(f"${k}" for k in values)
    agreement_id = store.execute(
        con, f"INSERT INTO agreements ({names}) VALUES ({slots}) RETURNING agreement_id", values).rows[0][0]
    for rule in rules:
        store.execute(con, f"INSERT INTO credit_rules (agreement_id, {', '.join(RULE_FIELDS)}) "
                      f"VALUES ($agreement_id, {', '.join('$' + f for f in RULE_FIELDS)})",
                      {"agreement_id": agreement_id, **{f: getattr(rule, f) for f in RULE_FIELDS}},
                      what=N_("save the credit rules"))
    audit.record(con, created_by or "cli", "agreement.add",
                 f"{registry.partner_name(con, partner_id)} version {number} from {periods.logged_day(valid_from)}: "
                 + ", ".join(f"{k}={v}" for k, v in sorted(targets.items()))
                 + "".join(f"; credit rule {rule_text(r)}" for r in rules))
    rollups.refresh_partner(con, partner_id)
    return _one(con, "agreement_id = $id", {"id": agreement_id})[0]


def _one(con: Connection, where: str, params: dict, table: str = "agreements",
         order: str = "valid_from, agreement_id") -> list[Agreement]:
    rows = store.execute(con, f"SELECT {_SELECT} FROM {table} WHERE {where} ORDER BY {order}", params).rows
    return [Agreement(*row) for row in rows]


def history(con: Connection, partner_id: int) -> list[Agreement]:
    """Every version ever recorded for the partner, oldest first (a version replaced on its own first day
    included); read once per read-only connection (a scorecard consults it per part and kind)."""
    return [a for a in _every_history(con) if a.partner_id == partner_id]


def _every_history(con: Connection) -> tuple[Agreement, ...]:
    """Every partner's versions in one read, once per read-only connection: the Overview's scorecards
    each ask for their partner's, and one statement costs about what it costs to plan."""
    return store.remembered(con, ("agreements",), lambda: tuple(_one(con, "TRUE", {})))


def rule_text(rule: CreditRule) -> str:
    """A rule as `parse_rule` reads it, for the audit log and the CLI's listing."""
    short = {field: word for word, field in RULE_WORDS.items()}
    return ",".join(f"{short[f]}={_shown(getattr(rule, f))}" for f in RULE_FIELDS
                    if getattr(rule, f) is not None and not (f == "earn_back_months" and not getattr(rule, f)))


def rules_of(con: Connection, agreement_id: int | None) -> tuple[CreditRule, ...]:
    """The credit and bonus rules of one version, by figure name (none without a version)."""
    if agreement_id is None:
        return ()
    rows = store.execute(con, f"SELECT {', '.join(RULE_FIELDS)} FROM credit_rules WHERE agreement_id = $a "
                         "ORDER BY metric", {"a": agreement_id}).rows
    return tuple(CreditRule(*row) for row in rows)


def amend(con: Connection, partner_id: int, valid_from: date, *, created_by: str | None = None, note: str = "",
          **changes: object) -> Agreement:
    """A new version from `valid_from`: the version in force that day with `changes` (field=value, as
    `checked` reads them), its credit rules carried over (`python -m cli agreement set`)."""
    if not changes:
        raise UserError(_("give at least one field=value to change"))
    return add_rules(con, partner_id, valid_from, (), created_by=created_by,
                     note=note or f"changed {', '.join(sorted(changes))}", **changes)


def add_rules(con: Connection, partner_id: int, valid_from: date, rules: Sequence[CreditRule], *,
              created_by: str | None = None, note: str = "", **changes: object) -> Agreement:
    """A new version from `valid_from` with the targets of the version in force that day (`changes`
    replacing some, e.g. credit_month_cap) and its rules, `rules` replacing those of the same figures:
    a rule changes the way a target does, as a new version, so the months before it keep the rules
    they were settled by."""
    in_force = [a for a in history(con, partner_id) if a.valid_from <= valid_from]
    if not in_force:
        raise UserError(f"{registry.partner_name(con, partner_id)} has no agreement in force on "
                        f"{periods.day_text(valid_from)}: add one with its targets first")
    base = in_force[-1]
    kept = {r.metric: r for r in rules_of(con, base.agreement_id)}
    kept.update({r.metric: r for r in rules})
    targets = {name: getattr(base, name) for name in TARGETS if getattr(base, name) is not None}
    targets.update({name: value for name, value in changes.items() if value is not None})
    return add_version(con, partner_id, valid_from, created_by=created_by,
                       note=note or f"credit rules: {', '.join(r.metric for r in rules)}",
                       rules=tuple(kept.values()), **targets)
