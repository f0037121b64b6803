"""Alert rules: what to watch, for which partner (or all), and how severe a breach is.

Five kinds, each a question a contact-centre manager asks every morning:

* sl_below: service level under `threshold` in `intervals` consecutive 15-minute intervals inside
  the partner's opening hours (in the variant its agreement names), on one local day;
* abandon_over: the day's abandon rate above `threshold`;
* turned_away: a call turned away while the partner was open (one is a breach);
* no_legs: `threshold` hours in a row of opening hours without a leg offered to its queues;
* figure_red: the scorecard figure `metric` red for the ISO week.

Every change is written to the audit log in the caller's transaction; a removed rule is kept
(with who removed it) so its alerts still say what they were about, and its open alerts clear.
"""
from __future__ import annotations

from dataclasses import dataclass

from data import audit, i18n, store
from data.errors import UserError
from data.i18n import N_, _
from data.store import Connection
from metrics.definitions import metric
from metrics.scorecard import FAMILIES
from partners import registry
from reports import views

KINDS = {
    "sl_below": "service level below a value for N consecutive intervals inside opening hours",
    "abandon_over": "abandon rate over a value for a day",
    "turned_away": "a call turned away while the partner was open",
    "no_legs": "no legs for X hours during opening hours",
    "figure_red": "a scorecard figure red for the week",
}
SEVERITIES = ("info", "warning", "critical")
FIGURES = tuple(name for names in FAMILIES.values() for name in names)
DEFAULT_INTERVALS = 4


@dataclass(frozen=True)
class Rule:
    rule_id: int
    name: str
    partner_id: int | None      # None: every partner
    partner_name: str | None
    kind: str
    metric: str | None          # figure_red: the figure watched
    threshold: float | None     # a fraction (sl_below, abandon_over) or hours (no_legs)
    intervals: int | None       # sl_below: how many in a row
    severity: str

    @property
    def whom(self) -> str:
        return self.partner_name or _("every partner")

    @property
    def condition(self) -> str:
        """The rule in words: 'service level below 80.0 % in 4 consecutive intervals inside opening hours'."""
        return condition(self.kind, self.threshold, self.intervals, self.metric)


def condition(kind: str, threshold: float | None, intervals: int | None, figure: str | None) -> str:
    if kind == "sl_below":
        return _("service level below {threshold} in {intervals} consecutive intervals inside opening hours").format(
            threshold=views.display(threshold, "fraction"), intervals=intervals)
    if kind == "abandon_over":
        return _("abandon rate over {threshold} for a day").format(threshold=views.display(threshold, "fraction"))
    if kind == "turned_away":
        return _("a call turned away inside opening hours")
    if kind == "no_legs":
        return _("no legs for {hours} hours in a row inside opening hours").format(hours=i18n.short(threshold))
    return _("{figure} red for the week").format(figure=views.in_sentence(metric(figure).label))


def parse_threshold(text: str | float | None) -> float | None:
    """'80%' or '0.8' -> 0.8; a number stays itself; empty -> None."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, (int, float)):
        return float(text)
    value = text.strip()
    try:
        return float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        raise UserError(_("not a number: {value} (write 0.8 or 80%)").format(value=repr(value))) from None


def checked(kind: str, threshold: float | None, intervals: int | None, figure: str | None,
            severity: str) -> tuple[float | None, int | None, str | None]:
    """The (threshold, intervals, metric) to store for a rule of `kind`, or one line saying what is wrong."""
    if kind not in KINDS:
        raise UserError(_("unknown alert kind {kind}; choose one of: {choices}").format(kind=repr(kind),
                                                                                       choices=", ".join(KINDS)))
    if severity not in SEVERITIES:
        raise UserError(_("unknown severity {severity}; choose one of: {choices}").format(
            severity=repr(severity), choices=", ".join(SEVERITIES)))
    if kind in ("sl_below", "abandon_over"):
        if threshold is None or not 0 < threshold <= 1:
            raise UserError(_("{kind} needs a threshold between 0 and 100 % (e.g. --threshold 80%), not {threshold}")
                            .format(kind=kind, threshold=threshold))
        if kind == "sl_below":
            intervals = DEFAULT_INTERVALS if intervals is None else intervals
            if not 1 <= intervals <= 96:
                raise UserError(_("sl_below needs 1 to 96 consecutive intervals (a day), not {intervals}").format(
                    intervals=intervals))
            return threshold, intervals, None
        return threshold, None, None
    if kind == "no_legs":
        if threshold is None or not 0.25 <= threshold <= 24:
            raise UserError(_("no_legs needs a number of hours from 0.25 to 24 (e.g. --threshold 2), not {threshold}")
                            .format(threshold=threshold))
        return threshold, None, None
    if kind == "figure_red":
        if figure not in FIGURES:
            raise UserError(_("figure_red needs --metric, one of: {choices}").format(choices=", ".join(FIGURES)))
        return None, None, figure
    return None, None, None


_SELECT = """
    -- every rule still in force (or all) with its partner's name, oldest first
    SELECT r.rule_id, r.name, r.partner_id, p.name, r.kind, r.metric, r.threshold, r.intervals, r.severity
    FROM alert_rules r LEFT JOIN partners p USING (partner_id)
    WHERE r.removed_at IS NULL {where}
    ORDER BY r.rule_id"""


def in_force(con: Connection) -> list[Rule]:
    """The rules not removed, oldest first."""
    return [Rule(*row) for row in store.execute(con, _SELECT.replace("{where}", ""), what=N_("read the alert rules")).rows]


def add(con: Connection, name: str, kind: str, *, partner: str | None, threshold: float | None = None,
        intervals: int | None = None, figure: str | None = None, severity: str = "warning", actor: str) -> Rule:
    """Record a rule (inside the caller's transaction) with its audit line."""
    name = (name or "").strip()
    if not name:
        raise UserError(_("give the rule a name, e.g. 'Evening SL'"))
    threshold, intervals, figure = checked(kind, threshold, intervals, figure, severity)
    if any(r.name == name for r in in_force(con)):
        raise UserError(_("there is already a rule named {name}; remove it first or choose another name").format(
            name=repr(name)))
    partner_id = registry.known_partner(con, partner) if partner else None
    rule_id = store.execute(
        con, "INSERT INTO alert_rules (name, partner_id, kind, metric, threshold, intervals, severity, created_by) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING rule_id",
        [name, partner_id, kind, figure, threshold, intervals, severity, actor], what=N_("save the alert rule")).scalar()
    rule = next(r for r in in_force(con) if r.rule_id == rule_id)
    with i18n.language(i18n.DEFAULT):  # the audit log is stored in English
        audit.record(con, actor, "alert_rule.add", f"{name}: {rule.condition}, {rule.whom}, {severity}")
    return rule


def remove(con: Connection, name: str, *, actor: str) -> Rule:
    """Retire a rule by name, clear its open alerts (said as cleared by the remover) and log it."""
    rule = next((r for r in in_force(con) if r.name == name.strip()), None)
    if rule is None:
        raise UserError(_("there is no alert rule named {name} (python -m cli alerts rules lists them)").format(
            name=repr(name.strip())))
    store.execute(con, "UPDATE alert_rules SET removed_at = now(), removed_by = ? WHERE rule_id = ?",
                  [actor, rule.rule_id], what=N_("remove the alert rule"))
    store.execute(con, "UPDATE alerts SET state = 'cleared', cleared_at = now(), cleared_by = ? "
                       "WHERE rule_id = ? AND state <> 'cleared'", [f"{actor} (rule removed)", rule.rule_id],
                  what=N_("clear the rule's alerts"))
    with i18n.language(i18n.DEFAULT):
        audit.record(con, actor, "alert_rule.remove", f"{rule.name}: {rule.condition}, {rule.whom}")
    return rule
